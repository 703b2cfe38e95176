package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
)

func grantIDs(grants []usermgmt.Grant) []string {
	out := make([]string, len(grants))
	for i, g := range grants {
		out[i] = g.ID
	}
	return out
}

func testGrants(t *testing.T, r *runner) {
	s := r.store(t)
	ctx := context.Background()

	parallel(t, "CreateGrant/RoundTrip", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		admin, u := f.user(), f.user()
		onGroup := f.grant(admin.ID, usermgmt.Scope{GroupID: f.Child.ID}, func(g *usermgmt.Grant) {
			g.Permissions = []usermgmt.Permission{usermgmt.PermReports, usermgmt.PermUsers, "host:custom-1"}
		})
		onUser := f.grant(admin.ID, usermgmt.Scope{UserID: u.ID})
		for _, g := range []usermgmt.Grant{onGroup, onUser} {
			found, err := s.GetGrant(ctx, g.ID)
			require.NoError(t, err)
			assert.Equal(t, want(g), got(found))
		}
	})
	parallel(t, "CreateGrant/DuplicateIDConflict", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		admin := f.user()
		g := f.grant(admin.ID, usermgmt.Scope{GroupID: f.Root.ID})
		dup := g
		dup.Scope = usermgmt.Scope{GroupID: f.Child.ID}
		require.ErrorIs(t, s.CreateGrant(ctx, &dup), usermgmt.ErrConflict)
		found, err := s.GetGrant(ctx, g.ID)
		require.NoError(t, err)
		assert.Equal(t, f.Root.ID, found.Scope.GroupID, "the first grant is kept")
	})
	parallel(t, "CreateGrant/MissingHolderOrScopeNotFound", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		other := r.fixture(t, s, 0)
		admin, u, gone := f.user(), f.user(), f.user()
		elsewhere := other.user()
		require.NoError(t, s.DeleteUser(ctx, gone.ID, at(0)))
		cases := map[string]struct {
			holder string
			scope  usermgmt.Scope
		}{
			"missing holder":             {f.ID + "-nope", usermgmt.Scope{GroupID: f.Root.ID}},
			"deleted holder":             {gone.ID, usermgmt.Scope{GroupID: f.Root.ID}},
			"holder of another account":  {elsewhere.ID, usermgmt.Scope{GroupID: f.Root.ID}},
			"missing scope group":        {admin.ID, usermgmt.Scope{GroupID: f.ID + "-nope"}},
			"scope group of another one": {admin.ID, usermgmt.Scope{GroupID: other.Root.ID}},
			"missing scope user":         {admin.ID, usermgmt.Scope{UserID: f.ID + "-nope"}},
			"deleted scope user":         {admin.ID, usermgmt.Scope{UserID: gone.ID}},
			"scope user of another one":  {admin.ID, usermgmt.Scope{UserID: elsewhere.ID}},
		}
		for name, tc := range cases {
			g := usermgmt.Grant{ID: f.next("grant"), AccountID: f.ID, UserID: tc.holder, Scope: tc.scope,
				Permissions: []usermgmt.Permission{usermgmt.PermUsers}, CreatedAt: epoch()}
			require.ErrorIs(t, s.CreateGrant(ctx, &g), usermgmt.ErrNotFound, name)
			_, err := s.GetGrant(ctx, g.ID)
			require.ErrorIs(t, err, usermgmt.ErrNotFound, "%s: nothing is written", name)
		}
		f.grant(admin.ID, usermgmt.Scope{UserID: u.ID})
	})
	parallel(t, "DeleteGrant", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		admin := f.user()
		g := f.grant(admin.ID, usermgmt.Scope{GroupID: f.Root.ID})
		keep := f.grant(admin.ID, usermgmt.Scope{GroupID: f.Child.ID})
		require.NoError(t, s.DeleteGrant(ctx, g.ID))
		_, err := s.GetGrant(ctx, g.ID)
		require.ErrorIs(t, err, usermgmt.ErrNotFound)
		held, err := s.ListGrants(ctx, admin.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{keep.ID}, grantIDs(held))
		require.ErrorIs(t, s.DeleteGrant(ctx, g.ID), usermgmt.ErrNotFound, "deleting twice")
	})
	parallel(t, "ListGrants/OldestFirst", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		other := r.fixture(t, s, 0)
		admin, second, u := f.user(), f.user(), f.user()
		other.grant(other.user().ID, usermgmt.Scope{GroupID: other.Root.ID})
		// Created out of time order, so that insertion order is not the answer.
		g2 := f.grant(admin.ID, usermgmt.Scope{GroupID: f.Child.ID}, func(g *usermgmt.Grant) { g.CreatedAt = at(2 * time.Minute) })
		g1 := f.grant(admin.ID, usermgmt.Scope{UserID: u.ID}, func(g *usermgmt.Grant) { g.CreatedAt = at(time.Minute) })
		g3 := f.grant(admin.ID, usermgmt.Scope{GroupID: f.Root.ID}, func(g *usermgmt.Grant) { g.CreatedAt = at(3 * time.Minute) })
		s1 := f.grant(second.ID, usermgmt.Scope{GroupID: f.Root.ID}, func(g *usermgmt.Grant) { g.CreatedAt = at(90 * time.Second) })

		held, err := s.ListGrants(ctx, admin.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{g1.ID, g2.ID, g3.ID}, grantIDs(held), "the grants a user holds")
		assert.Equal(t, want(g1), got(held[0]))
		all, err := s.ListAccountGrants(ctx, f.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{g1.ID, s1.ID, g2.ID, g3.ID}, grantIDs(all), "every grant of the account")
		none, err := s.ListGrants(ctx, u.ID)
		require.NoError(t, err)
		assert.Empty(t, none, "a grant's scope is not its holder")
	})
}

func testNumbers(t *testing.T, r *runner) {
	s := r.store(t)
	testNumbersConcurrent(t, r, s)
	ctx := context.Background()

	getNumber := func(t *testing.T, e164 string) usermgmt.Number {
		t.Helper()
		n, err := s.GetNumber(ctx, e164)
		require.NoError(t, err)
		return n
	}

	parallel(t, "CreateNumber/RoundTrip", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		n := f.number()
		assert.Equal(t, want(n), got(getNumber(t, n.E164)))
	})
	parallel(t, "CreateNumber/ExistsAnywhereConflict", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		other := r.fixture(t, s, 0)
		n := f.number()
		for name, acct := range map[string]string{"same account": f.ID, "another account": other.ID} {
			dup := usermgmt.Number{E164: n.E164, AccountID: acct, Label: "Dup", CreatedAt: epoch()}
			requireConflict(t, s.CreateNumber(ctx, &dup), "number")
			assert.Equal(t, want(n), got(getNumber(t, n.E164)), "%s: the first number is kept", name)
		}
	})
	parallel(t, "CreateNumber/MissingAccountNotFound", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		n := usermgmt.Number{E164: f.phone(999), AccountID: f.ID + "-nope", CreatedAt: epoch()}
		require.ErrorIs(t, s.CreateNumber(ctx, &n), usermgmt.ErrNotFound)
	})
	parallel(t, "AssignNumber/SetsAndClears", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u, v := f.user(), f.user()
		n := f.number()
		require.NoError(t, s.AssignNumber(ctx, n.E164, u.ID))
		assert.Equal(t, u.ID, getNumber(t, n.E164).UserID)
		require.NoError(t, s.AssignNumber(ctx, n.E164, v.ID))
		assert.Equal(t, v.ID, getNumber(t, n.E164).UserID, "reassigned")
		mine, err := s.ListNumbers(ctx, usermgmt.NumberFilter{AccountID: f.ID, UserID: u.ID})
		require.NoError(t, err)
		assert.Empty(t, mine, "the previous user no longer has it")
		require.NoError(t, s.AssignNumber(ctx, n.E164, ""))
		w := n
		w.UserID = ""
		assert.Equal(t, want(w), got(getNumber(t, n.E164)), "cleared")
	})
	parallel(t, "AssignNumber/NotLiveUserOfAccountNotFound", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		other := r.fixture(t, s, 0)
		u, gone := f.user(), f.user()
		require.NoError(t, s.DeleteUser(ctx, gone.ID, at(0)))
		n := f.number()
		require.NoError(t, s.AssignNumber(ctx, n.E164, u.ID))
		for name, user := range map[string]string{"missing": f.ID + "-nope", "deleted": gone.ID, "of another account": other.user().ID} {
			require.ErrorIs(t, s.AssignNumber(ctx, n.E164, user), usermgmt.ErrNotFound, name)
			assert.Equal(t, u.ID, getNumber(t, n.E164).UserID, "%s: nothing is written", name)
		}
		require.ErrorIs(t, s.AssignNumber(ctx, f.phone(998), u.ID), usermgmt.ErrNotFound, "missing number")
	})
	parallel(t, "DeleteNumber", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.user()
		n := f.number()
		require.NoError(t, s.AssignNumber(ctx, n.E164, u.ID))
		require.NoError(t, s.DeleteNumber(ctx, n.E164))
		_, err := s.GetNumber(ctx, n.E164)
		require.ErrorIs(t, err, usermgmt.ErrNotFound)
		list, err := s.ListNumbers(ctx, usermgmt.NumberFilter{AccountID: f.ID, UserID: u.ID})
		require.NoError(t, err)
		assert.Empty(t, list)
		require.ErrorIs(t, s.DeleteNumber(ctx, n.E164), usermgmt.ErrNotFound, "deleting twice")
		again := usermgmt.Number{E164: n.E164, AccountID: f.ID, CreatedAt: epoch()}
		require.NoError(t, s.CreateNumber(ctx, &again), "the number is free again")
	})
	parallel(t, "ListNumbers/OrderedByE164", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		other := r.fixture(t, s, 0)
		other.number()
		u := f.user()
		var all []string
		for _, suffix := range []string{"30", "10", "20", "11"} {
			n := usermgmt.Number{E164: f.phone(0)[:len(f.phone(0))-2] + suffix, AccountID: f.ID, CreatedAt: epoch()}
			require.NoError(t, s.CreateNumber(ctx, &n))
			all = append(all, n.E164)
			if suffix == "20" || suffix == "11" {
				require.NoError(t, s.AssignNumber(ctx, n.E164, u.ID))
			}
		}
		e164s := func(list []usermgmt.Number) []string {
			var out []string
			for _, n := range list {
				out = append(out, n.E164)
			}
			return out
		}
		list, err := s.ListNumbers(ctx, usermgmt.NumberFilter{AccountID: f.ID})
		require.NoError(t, err)
		assert.Equal(t, []string{all[1], all[3], all[2], all[0]}, e164s(list))
		list, err = s.ListNumbers(ctx, usermgmt.NumberFilter{AccountID: f.ID, UserID: u.ID})
		require.NoError(t, err)
		assert.Equal(t, []string{all[3], all[2]}, e164s(list))
	})
}

func testAliases(t *testing.T, r *runner) {
	s := r.store(t)
	testAliasesConcurrent(t, r, s)
	ctx := context.Background()

	parallel(t, "CreateAlias/RoundTripAnyCase", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.user()
		a := f.alias(u.ID)
		for _, addr := range []string{a.Address, strings.ToUpper(a.Address), strings.ToLower(a.Address)} {
			found, err := s.GetAlias(ctx, addr)
			require.NoError(t, err, addr)
			assert.Equal(t, want(a), got(found), "the address is kept as written")
		}
	})
	parallel(t, "CreateAlias/TakenConflict", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		other := r.fixture(t, s, 0)
		u, v := f.user(), f.user()
		a := f.alias(u.ID)
		for name, tc := range map[string]usermgmt.Alias{
			"same user":       {Address: strings.ToUpper(a.Address), UserID: u.ID, AccountID: f.ID},
			"another user":    {Address: strings.ToLower(a.Address), UserID: v.ID, AccountID: f.ID},
			"another account": {Address: a.Address, UserID: other.user().ID, AccountID: other.ID},
		} {
			tc.CreatedAt = epoch()
			requireConflict(t, s.CreateAlias(ctx, &tc), "alias")
			found, err := s.GetAlias(ctx, a.Address)
			require.NoError(t, err)
			assert.Equal(t, u.ID, found.UserID, "%s: the first alias is kept", name)
		}
	})
	parallel(t, "CreateAlias/NotLiveUserNotFound", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		gone := f.user()
		require.NoError(t, s.DeleteUser(ctx, gone.ID, at(0)))
		for name, user := range map[string]string{"missing": f.ID + "-nope", "deleted": gone.ID} {
			a := usermgmt.Alias{Address: f.next("al") + "@example.com", UserID: user, AccountID: f.ID, CreatedAt: epoch()}
			require.ErrorIs(t, s.CreateAlias(ctx, &a), usermgmt.ErrNotFound, name)
			_, err := s.GetAlias(ctx, a.Address)
			require.ErrorIs(t, err, usermgmt.ErrNotFound, "%s: nothing is written", name)
		}
	})
	parallel(t, "DeleteAlias/AnyCase", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.user()
		a := f.alias(u.ID)
		keep := f.alias(u.ID)
		require.NoError(t, s.DeleteAlias(ctx, strings.ToUpper(a.Address)))
		_, err := s.GetAlias(ctx, a.Address)
		require.ErrorIs(t, err, usermgmt.ErrNotFound)
		_, err = s.GetAlias(ctx, keep.Address)
		require.NoError(t, err)
		require.ErrorIs(t, s.DeleteAlias(ctx, a.Address), usermgmt.ErrNotFound, "deleting twice")
	})
	parallel(t, "ListAliases/OrderedByAddress", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u, v := f.user(), f.user()
		f.alias(v.ID)
		var wantAddrs []string
		for _, local := range []string{"m", "c", "x", "a"} {
			a := usermgmt.Alias{Address: local + "." + f.ID + "@partner.example.com", UserID: u.ID, AccountID: f.ID, CreatedAt: epoch()}
			require.NoError(t, s.CreateAlias(ctx, &a))
			wantAddrs = append(wantAddrs, a.Address)
		}
		list, err := s.ListAliases(ctx, u.ID)
		require.NoError(t, err)
		var addrs []string
		for _, a := range list {
			addrs = append(addrs, a.Address)
		}
		assert.Equal(t, []string{wantAddrs[3], wantAddrs[1], wantAddrs[0], wantAddrs[2]}, addrs)
	})
}
