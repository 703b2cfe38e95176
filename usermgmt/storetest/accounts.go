package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
)

func testAccounts(t *testing.T, r *runner) {
	s := r.store(t)
	ctx := context.Background()

	parallel(t, "CreateAccount/RoundTrip", func(t *testing.T) {
		f := r.fixture(t, s, 7)
		a, err := s.GetAccount(ctx, f.ID)
		require.NoError(t, err)
		assert.Equal(t, want(f.Account), got(a))
	})
	parallel(t, "CreateAccount/VersionStartsAtOneSeatsUsedIgnored", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		a := usermgmt.Account{ID: f.next("acct"), Name: "Second", SeatsUsed: 42, Version: 9, CreatedAt: epoch(), UpdatedAt: epoch()}
		require.NoError(t, s.CreateAccount(ctx, &a))
		assert.Equal(t, int64(1), a.Version, "the version is written back")
		stored, err := s.GetAccount(ctx, a.ID)
		require.NoError(t, err)
		assert.Zero(t, stored.SeatsUsed, "SeatsUsed starts at 0")
		assert.Equal(t, int64(1), stored.Version)
	})
	parallel(t, "CreateAccount/DuplicateIDConflict", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		dup := f.Account
		dup.Name = "Impostor"
		require.ErrorIs(t, s.CreateAccount(ctx, &dup), usermgmt.ErrConflict)
		assert.Equal(t, f.Account.Name, f.getAccount().Name, "the first account is kept")
	})
	parallel(t, "GetAccount/SeatsUsedCurrent", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		to := r.fixture(t, s, 0)
		u1, u2, u3 := f.user(), f.user(), f.user()
		assert.Equal(t, 3, f.getAccount().SeatsUsed, "after three creations")
		require.NoError(t, s.DeleteUser(ctx, u1.ID, at(time.Hour)))
		assert.Equal(t, 2, f.getAccount().SeatsUsed, "after a deletion")
		u2.AccountID, u2.GroupID, u2.CustomerCode = to.ID, to.Root.ID, ""
		require.NoError(t, s.UpdateUser(ctx, &u2))
		assert.Equal(t, 1, f.getAccount().SeatsUsed, "after a move out")
		assert.Equal(t, 1, to.getAccount().SeatsUsed, "after a move in")
		u3.Status = usermgmt.StatusSuspended
		require.NoError(t, s.UpdateUser(ctx, &u3))
		assert.Equal(t, 1, f.getAccount().SeatsUsed, "a suspended user keeps its seat")
	})
	parallel(t, "UpdateAccount/WritesEveryFieldButIDSeatsUsedCreatedAt", func(t *testing.T) {
		f := r.fixture(t, s, 5)
		f.user()
		a := f.getAccount()
		a.Name, a.OwnerID, a.RootGroupID = "Renamed", f.ID+"-u1", f.Child.ID
		a.SeatLimit, a.SeatsUsed, a.TwoFactor = 9, 77, false
		a.Contact = usermgmt.Contact{Name: "Bo", Email: "bo@example.com", Phone: "+15550100001"}
		a.Defaults = usermgmt.Defaults{Country: "FR", Language: "fr-FR", TimeZone: "Europe/Paris", ServiceLevel: usermgmt.LevelPro}
		a.Settings = map[string]string{"signature": "new", "footer": "f"}
		a.CreatedAt, a.UpdatedAt = at(48*time.Hour), at(time.Hour)
		sent := a
		require.NoError(t, s.UpdateAccount(ctx, &a))
		assert.Equal(t, sent.Version+1, a.Version, "the version is bumped and written back")

		wantA := sent
		wantA.SeatsUsed, wantA.CreatedAt, wantA.Version = 1, f.Account.CreatedAt, sent.Version+1
		assert.Equal(t, want(wantA), got(f.getAccount()))
	})
	parallel(t, "UpdateAccount/StaleVersionConflict", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		first, second := f.getAccount(), f.getAccount()
		first.Name = "First"
		require.NoError(t, s.UpdateAccount(ctx, &first))
		second.Name = "Second"
		requireConflict(t, s.UpdateAccount(ctx, &second), "version")
		stored := f.getAccount()
		assert.Equal(t, "First", stored.Name, "a stale update writes nothing")
		assert.Equal(t, first.Version, stored.Version)
	})
	parallel(t, "UpdateAccount/ConcurrentOneWins", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		base := f.getAccount()
		errs := race(10, func(i int) error {
			a := base
			a.Name = "Writer " + string(rune('A'+i))
			return s.UpdateAccount(ctx, &a)
		})
		ok, conflicts := tally(t, errs, usermgmt.ErrConflict)
		assert.Equal(t, 1, ok, "exactly one update of the same version wins")
		assert.Equal(t, 9, conflicts)
		assert.Equal(t, base.Version+1, f.getAccount().Version)
	})
	parallel(t, "UpdateAccount/SeatLimitBelowSeatsUsed", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u1, _ := f.user(), f.user()
		a := f.getAccount()
		a.SeatLimit = 1
		require.NoError(t, s.UpdateAccount(ctx, &a), "lowering the limit below the seats used is allowed")
		stored := f.getAccount()
		assert.Equal(t, 1, stored.SeatLimit)
		assert.Equal(t, 2, stored.SeatsUsed, "nobody loses a seat")
		u := f.newUser()
		require.ErrorIs(t, s.CreateUser(ctx, &u), usermgmt.ErrSeatLimit, "it blocks new seats")
		u1.FirstName = "Still"
		require.NoError(t, s.UpdateUser(ctx, &u1), "existing users are still updated")
	})
}
