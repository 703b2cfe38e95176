package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
)

// assertTimes checks every non-zero time.Time field of v (a struct or a
// slice of structs): in UTC, and truncated to the microsecond.
func assertTimes(t *testing.T, what string, v any) {
	t.Helper()
	var walk func(path string, rv reflect.Value)
	walk = func(path string, rv reflect.Value) {
		switch {
		case rv.Type() == timeType:
			tm := rv.Interface().(time.Time)
			if tm.IsZero() {
				return
			}
			assert.Equal(t, time.UTC, tm.Location(), "%s: %s is in UTC", what, path)
			assert.Zero(t, tm.Nanosecond()%1000, "%s: %s is truncated to the microsecond", what, path)
		case rv.Kind() == reflect.Struct:
			for i := range rv.NumField() {
				if rv.Type().Field(i).IsExported() {
					walk(path+"."+rv.Type().Field(i).Name, rv.Field(i))
				}
			}
		case rv.Kind() == reflect.Slice:
			for i := range rv.Len() {
				walk(fmt.Sprintf("%s[%d]", path, i), rv.Index(i))
			}
		}
	}
	walk(reflect.TypeOf(v).String(), reflect.ValueOf(v))
}

func testTimes(t *testing.T, r *runner) {
	s := r.store(t)
	ctx := context.Background()
	// A zone west of UTC at a half hour, and nanoseconds on both sides of
	// a microsecond.
	zone := time.FixedZone("NST", -(3*3600 + 1800))
	when := func(d time.Duration, ns int) time.Time {
		return time.Date(2024, 12, 31, 22, 59, 59, ns, zone).Add(d)
	}

	parallel(t, "MicrosecondUTC", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		check := func(name string, gotT, wrote time.Time) {
			t.Helper()
			assert.Equal(t, wrote.UTC().Truncate(time.Microsecond), gotT, name)
			assert.Equal(t, time.UTC, gotT.Location(), "%s is in UTC", name)
		}

		a := usermgmt.Account{ID: f.next("acct"), Name: "T", CreatedAt: when(0, 999_999_999), UpdatedAt: when(time.Second, 1)}
		require.NoError(t, s.CreateAccount(ctx, &a))
		ga, err := s.GetAccount(ctx, a.ID)
		require.NoError(t, err)
		check("Account.CreatedAt", ga.CreatedAt, a.CreatedAt)
		check("Account.UpdatedAt", ga.UpdatedAt, a.UpdatedAt)
		ga.UpdatedAt = when(2*time.Second, 123_456_789)
		require.NoError(t, s.UpdateAccount(ctx, &ga))
		ga2, err := s.GetAccount(ctx, a.ID)
		require.NoError(t, err)
		check("UpdateAccount UpdatedAt", ga2.UpdatedAt, ga.UpdatedAt)

		g := usermgmt.Group{ID: f.next("grp"), AccountID: f.ID, ParentID: f.Root.ID, Name: "T", CreatedAt: when(0, 1_999), UpdatedAt: when(0, 2_001)}
		require.NoError(t, s.CreateGroup(ctx, &g))
		gg, err := s.GetGroup(ctx, g.ID)
		require.NoError(t, err)
		check("Group.CreatedAt", gg.CreatedAt, g.CreatedAt)
		check("Group.UpdatedAt", gg.UpdatedAt, g.UpdatedAt)
		require.NoError(t, s.RenameGroup(ctx, g.ID, "T2", when(time.Minute, 777)))
		gg, err = s.GetGroup(ctx, g.ID)
		require.NoError(t, err)
		check("RenameGroup at", gg.UpdatedAt, when(time.Minute, 777))
		require.NoError(t, s.MoveGroup(ctx, g.ID, f.Child.ID, when(2*time.Minute, 888_888)))
		gg, err = s.GetGroup(ctx, g.ID)
		require.NoError(t, err)
		check("MoveGroup at", gg.UpdatedAt, when(2*time.Minute, 888_888))

		u := f.newUser(func(u *usermgmt.User) {
			u.Status, u.SuspendedUntil = usermgmt.StatusSuspended, when(time.Hour, 500)
			u.CreatedAt, u.UpdatedAt = when(0, 999), when(0, 1_000)
		})
		require.NoError(t, s.CreateUser(ctx, &u))
		require.NoError(t, s.SetLastLogin(ctx, u.ID, when(time.Minute, 999_999)))
		gu := f.getUser(u.ID)
		check("User.SuspendedUntil", gu.SuspendedUntil, u.SuspendedUntil)
		check("User.CreatedAt", gu.CreatedAt, u.CreatedAt)
		check("User.UpdatedAt", gu.UpdatedAt, u.UpdatedAt)
		check("User.LastLoginAt", gu.LastLoginAt, when(time.Minute, 999_999))
		gu.UpdatedAt = when(3*time.Minute, 3)
		require.NoError(t, s.UpdateUser(ctx, &gu))
		check("UpdateUser UpdatedAt", f.getUser(u.ID).UpdatedAt, gu.UpdatedAt)

		gr := usermgmt.Grant{ID: f.next("grant"), AccountID: f.ID, UserID: u.ID, Scope: usermgmt.Scope{GroupID: f.Root.ID},
			Permissions: []usermgmt.Permission{usermgmt.PermUsers}, CreatedAt: when(0, 31)}
		require.NoError(t, s.CreateGrant(ctx, &gr))
		ggr, err := s.GetGrant(ctx, gr.ID)
		require.NoError(t, err)
		check("Grant.CreatedAt", ggr.CreatedAt, gr.CreatedAt)

		n := usermgmt.Number{E164: f.phone(900), AccountID: f.ID, CreatedAt: when(0, 41)}
		require.NoError(t, s.CreateNumber(ctx, &n))
		gn, err := s.GetNumber(ctx, n.E164)
		require.NoError(t, err)
		check("Number.CreatedAt", gn.CreatedAt, n.CreatedAt)

		al := usermgmt.Alias{Address: f.next("al") + "@example.com", UserID: u.ID, AccountID: f.ID, CreatedAt: when(0, 59)}
		require.NoError(t, s.CreateAlias(ctx, &al))
		gal, err := s.GetAlias(ctx, al.Address)
		require.NoError(t, err)
		check("Alias.CreatedAt", gal.CreatedAt, al.CreatedAt)

		tok := f.newToken(usermgmt.TokenInvite, "")
		tok.SentAt, tok.CreatedAt, tok.ExpiresAt = when(0, 26), when(0, 53), when(time.Hour, 58)
		require.NoError(t, s.CreateToken(ctx, &tok))
		gt, err := s.GetToken(ctx, tok.ID)
		require.NoError(t, err)
		check("Token.SentAt", gt.SentAt, tok.SentAt)
		check("Token.CreatedAt", gt.CreatedAt, tok.CreatedAt)
		check("Token.ExpiresAt", gt.ExpiresAt, tok.ExpiresAt)
		gt.SentAt, gt.ExpiresAt = when(time.Minute, 97), when(2*time.Hour, 93)
		require.NoError(t, s.UpdateToken(ctx, &gt))
		used, err := s.ConsumeToken(ctx, tok.Kind, gt.Hash, when(30*time.Minute, 238_462), "accepted")
		require.NoError(t, err)
		check("ConsumeToken UsedAt returned", used.UsedAt, when(30*time.Minute, 238_462))
		gt2, err := s.GetToken(ctx, tok.ID)
		require.NoError(t, err)
		check("UpdateToken SentAt", gt2.SentAt, gt.SentAt)
		check("UpdateToken ExpiresAt", gt2.ExpiresAt, gt.ExpiresAt)
		check("Token.UsedAt", gt2.UsedAt, when(30*time.Minute, 238_462))

		ses := usermgmt.Session{ID: f.next("ses"), Kind: usermgmt.SessionLogin, Hash: f.next("hash"), UserID: u.ID, AccountID: f.ID,
			CreatedAt: when(0, 643), LastSeen: when(0, 383), ExpiresAt: when(12*time.Hour, 279)}
		require.NoError(t, s.CreateSession(ctx, &ses))
		gs, err := s.GetSessionByHash(ctx, ses.Hash)
		require.NoError(t, err)
		check("Session.CreatedAt", gs.CreatedAt, ses.CreatedAt)
		check("Session.LastSeen", gs.LastSeen, ses.LastSeen)
		check("Session.ExpiresAt", gs.ExpiresAt, ses.ExpiresAt)
		require.NoError(t, s.TouchSession(ctx, ses.ID, when(time.Minute, 502_884)))
		gs, err = s.GetSessionByHash(ctx, ses.Hash)
		require.NoError(t, err)
		check("TouchSession at", gs.LastSeen, when(time.Minute, 502_884))

		ev := usermgmt.Event{ID: f.next("ev"), AccountID: f.ID, Action: "x", Outcome: usermgmt.OutcomeOK, At: when(0, 197_169)}
		require.NoError(t, s.AppendEvent(ctx, &ev))
		evs := allEvents(t, s, usermgmt.EventFilter{AccountID: f.ID}, 0)
		require.Len(t, evs, 1)
		check("Event.At", evs[0].At, ev.At)

		key := "times:" + f.ID
		_, err = s.Hit(ctx, key, when(0, 399_375), time.Hour)
		require.NoError(t, err)
		_, err = s.Hit(ctx, key, when(time.Second, 105_820), time.Hour)
		require.NoError(t, err)
		c, err := s.GetCounter(ctx, key, when(2*time.Second, 0), time.Hour)
		require.NoError(t, err)
		check("Counter.WindowStart", c.WindowStart, when(0, 399_375))
		check("Counter.Last", c.Last, when(time.Second, 105_820))

		require.NoError(t, s.DeleteUser(ctx, u.ID, when(4*time.Hour, 974_944)))
		check("User.DeletedAt", f.getUser(u.ID).DeletedAt, when(4*time.Hour, 974_944))
	})
	parallel(t, "ListsReturnUTC", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.user(func(u *usermgmt.User) { u.SuspendedUntil = when(time.Hour, 1) })
		require.NoError(t, s.SetLastLogin(ctx, u.ID, when(0, 7)))
		f.session(usermgmt.SessionAPIKey, u.ID)
		f.token(usermgmt.TokenReset, u.ID)
		f.grant(u.ID, usermgmt.Scope{GroupID: f.Root.ID})
		f.alias(u.ID)
		f.number()
		f.event("x", when(0, 5))
		users, _, err := s.ListUsers(ctx, usermgmt.UserFilter{AccountID: f.ID}, usermgmt.Page{})
		require.NoError(t, err)
		assertTimes(t, "ListUsers", users)
		groups, err := s.ListGroups(ctx, f.ID)
		require.NoError(t, err)
		assertTimes(t, "ListGroups", groups)
		sessions, err := s.ListSessions(ctx, u.ID, "")
		require.NoError(t, err)
		assertTimes(t, "ListSessions", sessions)
		tokens, _, err := s.ListTokens(ctx, usermgmt.TokenFilter{AccountID: f.ID}, usermgmt.Page{})
		require.NoError(t, err)
		assertTimes(t, "ListTokens", tokens)
		grants, err := s.ListGrants(ctx, u.ID)
		require.NoError(t, err)
		assertTimes(t, "ListGrants", grants)
		aliases, err := s.ListAliases(ctx, u.ID)
		require.NoError(t, err)
		assertTimes(t, "ListAliases", aliases)
		numbers, err := s.ListNumbers(ctx, usermgmt.NumberFilter{AccountID: f.ID})
		require.NoError(t, err)
		assertTimes(t, "ListNumbers", numbers)
		assertTimes(t, "ListEvents", allEvents(t, s, usermgmt.EventFilter{AccountID: f.ID}, 0))
	})
	parallel(t, "ZeroStaysZero", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.user()
		gu := f.getUser(u.ID)
		assert.True(t, gu.SuspendedUntil.IsZero(), "User.SuspendedUntil")
		assert.True(t, gu.LastLoginAt.IsZero(), "User.LastLoginAt")
		assert.True(t, gu.DeletedAt.IsZero(), "User.DeletedAt")
		tok := f.token(usermgmt.TokenInvite, "", func(x *usermgmt.Token) { x.SentAt, x.Sends = time.Time{}, 0 })
		gt, err := s.GetToken(ctx, tok.ID)
		require.NoError(t, err)
		assert.True(t, gt.SentAt.IsZero(), "Token.SentAt")
		assert.True(t, gt.UsedAt.IsZero(), "Token.UsedAt")
		key := f.session(usermgmt.SessionAPIKey, u.ID)
		gs, err := s.GetSessionByHash(ctx, key.Hash)
		require.NoError(t, err)
		assert.True(t, gs.ExpiresAt.IsZero(), "Session.ExpiresAt")
	})
}
