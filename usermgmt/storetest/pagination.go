package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
)

func testPagination(t *testing.T, r *runner) {
	s := r.store(t)
	ctx := context.Background()

	// named creates users of f whose usernames are name(i), and returns
	// them by i.
	named := func(f *fixture, n int, name func(i int) string) []usermgmt.User {
		out := make([]usermgmt.User, n)
		for i := range n {
			out[i] = f.user(func(u *usermgmt.User) { u.Username = name(i) })
		}
		return out
	}

	parallel(t, "Users/WalksEveryUserOnce", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		users := named(f, 23, func(i int) string { return fmt.Sprintf("p%02d-%s", (i*7)%23, f.ID) })
		all := listAll(t, s, usermgmt.UserFilter{AccountID: f.ID}, 0)
		require.Len(t, all, len(users))
		for _, limit := range []int{1, 2, 5, 22, 23, 24} {
			assert.Equal(t, ids(all), ids(listAll(t, s, usermgmt.UserFilter{AccountID: f.ID}, limit)), "limit %d", limit)
		}
		page, next, err := s.ListUsers(ctx, usermgmt.UserFilter{AccountID: f.ID}, usermgmt.Page{Limit: 5})
		require.NoError(t, err)
		assert.Len(t, page, 5, "a full first page")
		assert.NotEmpty(t, next, "a next cursor before the last page")
	})
	parallel(t, "Users/LastPageHasNoCursor", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		named(f, 10, func(i int) string { return fmt.Sprintf("q%02d-%s", i, f.ID) })
		filter := usermgmt.UserFilter{AccountID: f.ID}
		first, next, err := s.ListUsers(ctx, filter, usermgmt.Page{Limit: 5})
		require.NoError(t, err)
		require.Len(t, first, 5)
		require.NotEmpty(t, next)
		second, next, err := s.ListUsers(ctx, filter, usermgmt.Page{After: next, Limit: 5})
		require.NoError(t, err)
		assert.Len(t, second, 5)
		assert.Empty(t, next, "a page that ends the list exactly is the last page")
		whole, next, err := s.ListUsers(ctx, filter, usermgmt.Page{Limit: 10})
		require.NoError(t, err)
		assert.Len(t, whole, 10)
		assert.Empty(t, next)
	})
	parallel(t, "Users/KeysetStable", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		key := func(i int) string { return fmt.Sprintf("k%02d-%s", i, f.ID) }
		even := named(f, 10, func(i int) string { return key(2 * i) }) // k00 k02 … k18
		filter := usermgmt.UserFilter{AccountID: f.ID}
		page, next, err := s.ListUsers(ctx, filter, usermgmt.Page{Limit: 5})
		require.NoError(t, err)
		require.Equal(t, ids(even[:5]), ids(page), "k00 … k08")
		require.NotEmpty(t, next)

		// Between pages: insert before and after the cursor, delete the
		// cursor's own user and one not yet seen, update one not yet seen.
		before := f.user(func(u *usermgmt.User) { u.Username = key(1) })
		after := f.user(func(u *usermgmt.User) { u.Username = key(11) })
		require.NoError(t, s.DeleteUser(ctx, even[4].ID, at(time.Hour)))
		require.NoError(t, s.DeleteUser(ctx, even[6].ID, at(time.Hour)))
		upd := even[7]
		upd.FirstName = "Updated"
		require.NoError(t, s.UpdateUser(ctx, &upd))

		var rest []usermgmt.User
		for next != "" {
			page, next, err = s.ListUsers(ctx, filter, usermgmt.Page{After: next, Limit: 2})
			require.NoError(t, err)
			rest = append(rest, page...)
		}
		wantIDs := []string{even[5].ID, after.ID, even[7].ID, even[8].ID, even[9].ID} // k10 k11 k14 k16 k18
		assert.Equal(t, wantIDs, ids(rest), "no duplicate, no skip, no deleted user")
		assert.NotContains(t, ids(rest), before.ID, "a user inserted before the cursor belongs to pages already read")
	})
	parallel(t, "Users/FilteredPages", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		users := named(f, 12, func(i int) string { return fmt.Sprintf("f%02d-%s", i, f.ID) })
		for i := range users {
			if i%3 != 0 {
				continue
			}
			u := users[i]
			u.ServiceLevel = usermgmt.LevelPro
			require.NoError(t, s.UpdateUser(ctx, &u))
		}
		pro := listAll(t, s, usermgmt.UserFilter{AccountID: f.ID, ServiceLevel: usermgmt.LevelPro}, 1)
		assert.Equal(t, []string{users[0].ID, users[3].ID, users[6].ID, users[9].ID}, ids(pro))
		q := listAll(t, s, usermgmt.UserFilter{AccountID: f.ID, Query: "F0"}, 3)
		assert.Len(t, q, 10, "f00 … f09")
	})
	parallel(t, "Users/DefaultAndMaximumSize", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		require.NoError(t, s.WithTx(ctx, func(tx usermgmt.Tx) error {
			for i := range 1001 {
				u := f.newUser(func(u *usermgmt.User) { u.Username = fmt.Sprintf("m%04d-%s", i, f.ID) })
				if err := tx.CreateUser(ctx, &u); err != nil {
					return err
				}
			}
			return nil
		}))
		filter := usermgmt.UserFilter{AccountID: f.ID}
		for _, tc := range []struct{ limit, want int }{{0, 50}, {-3, 50}, {5000, 1000}, {1000, 1000}, {999, 999}} {
			page, next, err := s.ListUsers(ctx, filter, usermgmt.Page{Limit: tc.limit})
			require.NoError(t, err)
			assert.Len(t, page, tc.want, "limit %d", tc.limit)
			assert.NotEmpty(t, next, "limit %d", tc.limit)
		}
		page, next, err := s.ListUsers(ctx, filter, usermgmt.Page{Limit: 1001})
		require.NoError(t, err)
		require.Len(t, page, 1000)
		rest, next, err := s.ListUsers(ctx, filter, usermgmt.Page{After: next, Limit: 1001})
		require.NoError(t, err)
		assert.Len(t, rest, 1)
		assert.Empty(t, next)
	})
	parallel(t, "InvalidCursor", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		f.user()
		for _, after := range []string{"not a cursor", "%%%", "AAAA", "\x00\xff", "e30", string(make([]byte, 5000))} {
			_, _, err := s.ListUsers(ctx, usermgmt.UserFilter{AccountID: f.ID}, usermgmt.Page{After: after})
			require.ErrorIs(t, err, usermgmt.ErrInvalid, "users after %q", after)
			_, _, err = s.ListTokens(ctx, usermgmt.TokenFilter{AccountID: f.ID}, usermgmt.Page{After: after})
			require.ErrorIs(t, err, usermgmt.ErrInvalid, "tokens after %q", after)
			_, _, err = s.ListEvents(ctx, usermgmt.EventFilter{AccountID: f.ID}, usermgmt.Page{After: after})
			require.ErrorIs(t, err, usermgmt.ErrInvalid, "events after %q", after)
		}
	})
	parallel(t, "Tokens/NewestFirst", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		other := r.fixture(t, s, 0)
		other.token(usermgmt.TokenInvite, "")
		var wantIDs []string
		for i := range 7 {
			tok := f.token(usermgmt.TokenInvite, "", func(tok *usermgmt.Token) { tok.CreatedAt = at(time.Duration(i) * time.Minute) })
			wantIDs = append([]string{tok.ID}, wantIDs...)
		}
		for _, limit := range []int{0, 1, 3, 7} {
			var gotIDs []string
			after := ""
			for range 10 {
				page, next, err := s.ListTokens(ctx, usermgmt.TokenFilter{AccountID: f.ID}, usermgmt.Page{After: after, Limit: limit})
				require.NoError(t, err)
				for _, tok := range page {
					gotIDs = append(gotIDs, tok.ID)
				}
				if next == "" {
					break
				}
				after = next
			}
			assert.Equal(t, wantIDs, gotIDs, "limit %d", limit)
		}
	})
	parallel(t, "Events/NewestFirstThenID", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		other := r.fixture(t, s, 0)
		other.event("user.create", at(time.Hour))
		// Three events share one instant: they come by ID, descending.
		e1 := f.event("a", at(time.Minute))
		e2 := f.event("b", at(3*time.Minute))
		e3 := f.event("c", at(2*time.Minute))
		e4 := f.event("d", at(2*time.Minute))
		e5 := f.event("e", at(2*time.Minute))
		e6 := f.event("f", at(2*time.Minute+time.Microsecond))
		wantIDs := []string{e2.ID, e6.ID, e5.ID, e4.ID, e3.ID, e1.ID}
		require.Less(t, e3.ID, e4.ID)
		require.Less(t, e4.ID, e5.ID)
		for _, limit := range []int{0, 1, 2, 4} {
			var gotIDs []string
			after := ""
			for range 10 {
				page, next, err := s.ListEvents(ctx, usermgmt.EventFilter{AccountID: f.ID}, usermgmt.Page{After: after, Limit: limit})
				require.NoError(t, err)
				for _, e := range page {
					gotIDs = append(gotIDs, e.ID)
				}
				if next == "" {
					break
				}
				after = next
			}
			assert.Equal(t, wantIDs, gotIDs, "limit %d", limit)
		}
	})
}
