package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
)

func testSeats(t *testing.T, r *runner) {
	s := r.store(t)
	ctx := context.Background()

	// seatsHold checks that the seats used, the count and the list agree.
	seatsHold := func(t *testing.T, f *fixture, want int) {
		t.Helper()
		assert.Equal(t, want, f.getAccount().SeatsUsed, "SeatsUsed")
		c, err := s.CountUsers(ctx, f.ID)
		require.NoError(t, err)
		assert.Equal(t, want, c.Total, "CountUsers Total")
		assert.Len(t, listAll(t, s, usermgmt.UserFilter{AccountID: f.ID}, 0), want, "ListUsers")
	}

	parallel(t, "CreateUser/SeatLimit", func(t *testing.T) {
		f := r.fixture(t, s, 2)
		u1, _ := f.user(), f.user()
		third := f.newUser()
		require.ErrorIs(t, s.CreateUser(ctx, &third), usermgmt.ErrSeatLimit)
		_, err := s.GetUser(ctx, third.ID)
		require.ErrorIs(t, err, usermgmt.ErrNotFound, "a refused user is not written")
		_, err = s.GetUserByUsername(ctx, third.Username)
		require.ErrorIs(t, err, usermgmt.ErrNotFound)
		seatsHold(t, f, 2)
		require.NoError(t, s.DeleteUser(ctx, u1.ID, at(time.Hour)))
		require.NoError(t, s.CreateUser(ctx, &third), "a deletion frees a seat")
		seatsHold(t, f, 2)
	})
	parallel(t, "CreateUser/ZeroIsUnlimited", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		for range 30 {
			f.user()
		}
		seatsHold(t, f, 30)
	})
	parallel(t, "CreateUser/EveryStatusTakesASeat", func(t *testing.T) {
		f := r.fixture(t, s, 3)
		f.user(func(u *usermgmt.User) { u.Status = usermgmt.StatusPending })
		f.user(func(u *usermgmt.User) { u.Status = usermgmt.StatusSuspended })
		f.user(func(u *usermgmt.User) { u.Status = usermgmt.StatusDisabled })
		u := f.newUser()
		require.ErrorIs(t, s.CreateUser(ctx, &u), usermgmt.ErrSeatLimit)
	})
	parallel(t, "Concurrent50For10", func(t *testing.T) {
		f := r.fixture(t, s, 10)
		users := make([]usermgmt.User, 50)
		for i := range users {
			users[i] = f.newUser()
		}
		errs := race(len(users), func(i int) error { return s.CreateUser(ctx, &users[i]) })
		ok, refused := tally(t, errs, usermgmt.ErrSeatLimit)
		assert.Equal(t, 10, ok, "exactly 10 win the last 10 seats")
		assert.Equal(t, 40, refused, "the others get ErrSeatLimit")
		seatsHold(t, f, 10)
	})
	parallel(t, "Concurrent50For10InTransactions", func(t *testing.T) {
		f := r.fixture(t, s, 10)
		users := make([]usermgmt.User, 50)
		events := make([]usermgmt.Event, 50)
		for i := range users {
			users[i] = f.newUser()
			events[i] = usermgmt.Event{ID: f.next("ev"), AccountID: f.ID, Action: "user.create",
				TargetType: "user", TargetID: users[i].ID, Outcome: usermgmt.OutcomeOK, At: epoch()}
		}
		errs := race(len(users), func(i int) error {
			return s.WithTx(ctx, func(tx usermgmt.Tx) error {
				u, e := users[i], events[i]
				if err := tx.CreateUser(ctx, &u); err != nil {
					return err
				}
				return tx.AppendEvent(ctx, &e)
			})
		})
		ok, refused := tally(t, errs, usermgmt.ErrSeatLimit)
		assert.Equal(t, 10, ok, "exactly 10 transactions commit")
		assert.Equal(t, 40, refused)
		seatsHold(t, f, 10)
		evs, _, err := s.ListEvents(ctx, usermgmt.EventFilter{AccountID: f.ID}, usermgmt.Page{Limit: 100})
		require.NoError(t, err)
		assert.Len(t, evs, 10, "only the committed transactions' events")
	})
	parallel(t, "ConcurrentMovesIntoFullAccount", func(t *testing.T) {
		from := r.fixture(t, s, 0)
		to := r.fixture(t, s, 3)
		users := make([]usermgmt.User, 12)
		for i := range users {
			users[i] = from.user()
		}
		errs := race(len(users), func(i int) error {
			u := users[i]
			u.AccountID, u.GroupID, u.CustomerCode = to.ID, to.Root.ID, ""
			return s.UpdateUser(ctx, &u)
		})
		ok, refused := tally(t, errs, usermgmt.ErrSeatLimit)
		assert.Equal(t, 3, ok, "exactly 3 moves win the 3 seats")
		assert.Equal(t, 9, refused)
		seatsHold(t, to, 3)
		seatsHold(t, from, 9)
	})
	parallel(t, "ConcurrentChurnKeepsCount", func(t *testing.T) {
		f := r.fixture(t, s, 5)
		old := make([]usermgmt.User, 5)
		for i := range old {
			old[i] = f.user()
		}
		fresh := make([]usermgmt.User, 15)
		for i := range fresh {
			fresh[i] = f.newUser()
		}
		errs := race(len(old)+len(fresh), func(i int) error {
			if i < len(old) {
				return s.DeleteUser(ctx, old[i].ID, at(time.Hour))
			}
			return s.CreateUser(ctx, &fresh[i-len(old)])
		})
		ok, refused := tally(t, errs, usermgmt.ErrSeatLimit)
		created := ok - len(old)
		require.Equal(t, len(errs), ok+refused)
		for i := range old {
			require.NoError(t, errs[i], "deleting user %d", i)
		}
		assert.LessOrEqual(t, created, 5, "never more users than seats")
		seatsHold(t, f, created)
	})
}
