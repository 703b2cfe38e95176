package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
)

// errRollback is what the suite's transaction functions return to roll
// back.
var errRollback = errors.New("storetest: roll back")

// fnError is an error type of the caller's own, which WithTx must return
// as is.
type fnError struct{ code int }

func (e *fnError) Error() string { return fmt.Sprintf("storetest: fn failed with code %d", e.code) }

func testTx(t *testing.T, r *runner) {
	s := r.store(t)
	ctx := context.Background()

	parallel(t, "CommitKeepsWrites", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.newUser()
		tok := f.newToken(usermgmt.TokenActivation, u.ID)
		e := usermgmt.Event{ID: f.next("ev"), AccountID: f.ID, Action: "user.create", TargetType: "user", TargetID: u.ID, Outcome: usermgmt.OutcomeOK, At: epoch()}
		require.NoError(t, s.WithTx(ctx, func(tx usermgmt.Tx) error {
			for _, step := range []func() error{
				func() error { return tx.CreateUser(ctx, &u) },
				func() error { return tx.SetPassword(ctx, u.ID, phcHash, at(0)) },
				func() error { return tx.CreateToken(ctx, &tok) },
				func() error { return tx.AppendEvent(ctx, &e) },
				func() error { _, err := tx.Hit(ctx, "tx:"+f.ID, at(0), time.Hour); return err },
			} {
				if err := step(); err != nil {
					return err
				}
			}
			return nil
		}))
		assert.Equal(t, want(u), got(f.getUser(u.ID)))
		_, err := s.GetPassword(ctx, u.ID)
		require.NoError(t, err)
		_, err = s.GetToken(ctx, tok.ID)
		require.NoError(t, err)
		assert.Len(t, allEvents(t, s, usermgmt.EventFilter{AccountID: f.ID}, 0), 1)
		c, err := s.GetCounter(ctx, "tx:"+f.ID, at(time.Second), time.Hour)
		require.NoError(t, err)
		assert.Equal(t, int64(1), c.Count)
		assert.Equal(t, 1, f.getAccount().SeatsUsed)
	})
	parallel(t, "ReadsOwnWrites", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.newUser()
		require.NoError(t, s.WithTx(ctx, func(tx usermgmt.Tx) error {
			require.NoError(t, tx.CreateUser(ctx, &u))
			inTx, err := tx.GetUser(ctx, u.ID)
			require.NoError(t, err, "a write is visible through tx")
			assert.Equal(t, want(u), got(inTx))
			byName, err := tx.GetUserByUsername(ctx, u.Username)
			require.NoError(t, err)
			assert.Equal(t, u.ID, byName.ID)
			assert.Equal(t, []string{u.ID}, ids(listAll(t, tx, usermgmt.UserFilter{AccountID: f.ID}, 0)))
			a, err := tx.GetAccount(ctx, f.ID)
			require.NoError(t, err)
			assert.Equal(t, 1, a.SeatsUsed)
			u.FirstName = "Again"
			require.NoError(t, tx.UpdateUser(ctx, &u), "the version written back is current inside tx")
			return nil
		}))
		assert.Equal(t, "Again", f.getUser(u.ID).FirstName)
	})
	parallel(t, "RollbackOnError", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		keep := f.user()
		victim := f.user()
		tok := f.token(usermgmt.TokenReset, keep.ID)
		before := snapshot(t, s, f, keep.ID, victim.ID)
		fresh := f.newUser()
		acct := usermgmt.Account{ID: f.next("acct"), Name: "Rolled back", CreatedAt: epoch(), UpdatedAt: epoch()}
		err := s.WithTx(ctx, func(tx usermgmt.Tx) error {
			a := f.Account
			a.Version, a.Name = 1, "Changed"
			upd := keep
			upd.FirstName = "Changed"
			g := usermgmt.Group{ID: f.next("grp"), AccountID: f.ID, ParentID: f.Root.ID, Name: "G", CreatedAt: epoch(), UpdatedAt: epoch()}
			ev := usermgmt.Event{ID: f.next("ev"), AccountID: f.ID, Action: "x", Outcome: usermgmt.OutcomeOK, At: epoch()}
			for name, step := range map[string]func() error{
				"CreateAccount": func() error { return tx.CreateAccount(ctx, &acct) },
				"UpdateAccount": func() error { return tx.UpdateAccount(ctx, &a) },
				"CreateGroup":   func() error { return tx.CreateGroup(ctx, &g) },
				"RenameGroup":   func() error { return tx.RenameGroup(ctx, f.Child.ID, "Renamed", at(time.Hour)) },
				"CreateUser":    func() error { return tx.CreateUser(ctx, &fresh) },
				"UpdateUser":    func() error { return tx.UpdateUser(ctx, &upd) },
				"SetLastLogin":  func() error { return tx.SetLastLogin(ctx, keep.ID, at(time.Hour)) },
				"DeleteUser":    func() error { return tx.DeleteUser(ctx, victim.ID, at(time.Hour)) },
				"SetPassword":   func() error { return tx.SetPassword(ctx, keep.ID, bcryptHash, at(time.Hour)) },
				"ConsumeToken": func() error {
					_, err := tx.ConsumeToken(ctx, tok.Kind, tok.Hash, at(time.Minute), "ok")
					return err
				},
				"AppendEvent": func() error { return tx.AppendEvent(ctx, &ev) },
				"Hit":         func() error { _, err := tx.Hit(ctx, "tx:"+f.ID, at(0), time.Hour); return err },
			} {
				require.NoError(t, step(), name)
			}
			return errRollback
		})
		require.Equal(t, errRollback, err, "the error fn returns is returned as is")
		assert.Equal(t, before, snapshot(t, s, f, keep.ID, victim.ID), "nothing fn wrote is kept")
		_, err = s.GetAccount(ctx, acct.ID)
		require.ErrorIs(t, err, usermgmt.ErrNotFound, "the created account")
		_, err = s.GetUser(ctx, fresh.ID)
		require.ErrorIs(t, err, usermgmt.ErrNotFound, "the created user")
		require.NoError(t, s.CreateUser(ctx, &fresh), "its identifiers and seat are free")
	})
	parallel(t, "ReturnsFnErrorAsIs", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		mine := &fnError{code: 42}
		err := s.WithTx(ctx, func(tx usermgmt.Tx) error {
			u := f.newUser()
			require.NoError(t, tx.CreateUser(ctx, &u))
			return mine
		})
		var got *fnError
		require.ErrorAs(t, err, &got)
		assert.Same(t, mine, got)
		assert.Equal(t, error(mine), err, "not wrapped")

		dup := f.user()
		err = s.WithTx(ctx, func(tx usermgmt.Tx) error {
			u := f.newUser(func(u *usermgmt.User) { u.Username = dup.Username })
			return tx.CreateUser(ctx, &u)
		})
		requireConflict(t, err, "username")
	})
	parallel(t, "PanicRollsBackAndRepanics", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		keep := f.user()
		before := snapshot(t, s, f, keep.ID)
		u := f.newUser()
		type boom struct{ msg string }
		func() {
			defer func() {
				p := recover()
				assert.Equal(t, boom{"storetest panic"}, p, "the panic is re-raised with its value")
			}()
			_ = s.WithTx(ctx, func(tx usermgmt.Tx) error {
				require.NoError(t, tx.CreateUser(ctx, &u))
				upd := keep
				upd.FirstName = "Changed"
				require.NoError(t, tx.UpdateUser(ctx, &upd))
				panic(boom{"storetest panic"})
			})
			t.Error("WithTx returned instead of panicking")
		}()
		assert.Equal(t, before, snapshot(t, s, f, keep.ID), "nothing is kept")
		_, err := s.GetUser(ctx, u.ID)
		require.ErrorIs(t, err, usermgmt.ErrNotFound)

		// The store is still usable: no lock or connection leaked.
		done := make(chan error, 1)
		go func() {
			done <- s.WithTx(ctx, func(tx usermgmt.Tx) error { return tx.CreateUser(ctx, &u) })
		}()
		select {
		case err := <-done:
			require.NoError(t, err, "a transaction after the panic")
		case <-time.After(10 * time.Second):
			t.Fatal("a transaction after the panic did not finish")
		}
	})
	parallel(t, "ErrorDoesNotPoison", func(t *testing.T) {
		f := r.fixture(t, s, 3)
		existing := f.user()
		expired := f.token(usermgmt.TokenReset, existing.ID, func(x *usermgmt.Token) { x.ExpiresAt = at(-time.Hour) })
		a, b, d, e := f.newUser(), f.newUser(func(u *usermgmt.User) { u.Username = existing.Username }), f.newUser(), f.newUser()
		ev := usermgmt.Event{ID: f.next("ev"), AccountID: f.ID, Action: "import", Outcome: usermgmt.OutcomeOK, At: epoch()}
		require.NoError(t, s.WithTx(ctx, func(tx usermgmt.Tx) error {
			require.NoError(t, tx.CreateUser(ctx, &a))
			requireConflict(t, tx.CreateUser(ctx, &b), "username")
			stale := existing
			stale.Version, stale.FirstName = existing.Version+5, "Stale"
			requireConflict(t, tx.UpdateUser(ctx, &stale), "version")
			_, err := tx.ConsumeToken(ctx, expired.Kind, expired.Hash, at(0), "late")
			require.ErrorIs(t, err, usermgmt.ErrExpired)
			_, err = tx.GetUser(ctx, f.ID+"-nope")
			require.ErrorIs(t, err, usermgmt.ErrNotFound)
			require.ErrorIs(t, tx.CreateGroup(ctx, &usermgmt.Group{ID: f.next("grp"), AccountID: f.ID, ParentID: f.ID + "-nope"}), usermgmt.ErrNotFound)
			require.NoError(t, tx.CreateUser(ctx, &d), "a write after failed ones")
			require.ErrorIs(t, tx.CreateUser(ctx, &e), usermgmt.ErrSeatLimit)
			require.NoError(t, tx.AppendEvent(ctx, &ev), "a write after a seat refusal")
			require.NoError(t, tx.SetPassword(ctx, a.ID, phcHash, at(0)))
			return nil
		}))
		for _, u := range []usermgmt.User{a, d} {
			assert.Equal(t, want(u), got(f.getUser(u.ID)), "user %s is committed", u.ID)
		}
		for _, u := range []usermgmt.User{b, e} {
			_, err := s.GetUser(ctx, u.ID)
			require.ErrorIs(t, err, usermgmt.ErrNotFound, "refused user %s", u.ID)
		}
		assert.Equal(t, want(existing), got(f.getUser(existing.ID)), "the stale update wrote nothing")
		assert.True(t, func() bool { x, err := s.GetToken(ctx, expired.ID); return err == nil && x.UsedAt.IsZero() }(), "the expired token is untouched")
		_, err := s.GetPassword(ctx, a.ID)
		require.NoError(t, err)
		assert.Len(t, allEvents(t, s, usermgmt.EventFilter{AccountID: f.ID}, 0), 1)
		assert.Equal(t, 3, f.getAccount().SeatsUsed)
	})
	parallel(t, "RollbackRestoresDeletedUser", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		admin := f.user()
		u := f.user()
		require.NoError(t, s.SetPassword(ctx, u.ID, phcHash, at(0)))
		f.session(usermgmt.SessionLogin, u.ID)
		f.session(usermgmt.SessionAPIKey, u.ID)
		f.token(usermgmt.TokenReset, u.ID)
		f.grant(u.ID, usermgmt.Scope{GroupID: f.Child.ID})
		f.grant(admin.ID, usermgmt.Scope{UserID: u.ID})
		f.alias(u.ID)
		n := f.number()
		require.NoError(t, s.AssignNumber(ctx, n.E164, u.ID))
		before := snapshot(t, s, f, admin.ID, u.ID)
		err := s.WithTx(ctx, func(tx usermgmt.Tx) error {
			require.NoError(t, tx.DeleteUser(ctx, u.ID, at(time.Hour)))
			return errRollback
		})
		require.Equal(t, errRollback, err)
		assert.Equal(t, before, snapshot(t, s, f, admin.ID, u.ID), "the user and every record of it are back")
		found, err := s.GetUserByEmail(ctx, u.Email)
		require.NoError(t, err)
		assert.Equal(t, u.ID, found.ID)
	})
	parallel(t, "SeatLimitInsideTx", func(t *testing.T) {
		f := r.fixture(t, s, 2)
		users := []usermgmt.User{f.newUser(), f.newUser(), f.newUser()}
		require.NoError(t, s.WithTx(ctx, func(tx usermgmt.Tx) error {
			require.NoError(t, tx.CreateUser(ctx, &users[0]))
			require.NoError(t, tx.CreateUser(ctx, &users[1]))
			require.ErrorIs(t, tx.CreateUser(ctx, &users[2]), usermgmt.ErrSeatLimit, "seats taken earlier in the tx count")
			return nil
		}))
		assert.Equal(t, 2, f.getAccount().SeatsUsed)
	})
	parallel(t, "ConcurrentTransactionsAllCommit", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		users := make([]usermgmt.User, 20)
		for i := range users {
			users[i] = f.newUser()
		}
		key := "shared:" + f.ID
		errs := race(len(users), func(i int) error {
			return s.WithTx(ctx, func(tx usermgmt.Tx) error {
				u := users[i]
				if err := tx.CreateUser(ctx, &u); err != nil {
					return err
				}
				e := usermgmt.Event{ID: u.ID + "-ev", AccountID: f.ID, Action: "user.create", TargetType: "user", TargetID: u.ID, Outcome: usermgmt.OutcomeOK, At: epoch()}
				if err := tx.AppendEvent(ctx, &e); err != nil {
					return err
				}
				_, err := tx.Hit(ctx, key, at(0), time.Hour)
				return err
			})
		})
		for i, err := range errs {
			require.NoError(t, err, "transaction %d", i)
		}
		assert.Equal(t, 20, f.getAccount().SeatsUsed)
		assert.Len(t, listAll(t, s, usermgmt.UserFilter{AccountID: f.ID}, 0), 20)
		assert.Len(t, allEvents(t, s, usermgmt.EventFilter{AccountID: f.ID}, 0), 20)
		c, err := s.GetCounter(ctx, key, at(time.Second), time.Hour)
		require.NoError(t, err)
		assert.Equal(t, int64(20), c.Count)
	})
	parallel(t, "ConcurrentTransactionsSameUsername", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		users := make([]usermgmt.User, 8)
		for i := range users {
			users[i] = f.newUser(func(u *usermgmt.User) { u.Username = fmt.Sprintf("Same.%s", f.ID) })
		}
		errs := race(len(users), func(i int) error {
			return s.WithTx(ctx, func(tx usermgmt.Tx) error {
				u := users[i]
				return tx.CreateUser(ctx, &u)
			})
		})
		ok, conflicts := tally(t, errs, usermgmt.ErrConflict)
		assert.Equal(t, 1, ok, "exactly one transaction commits")
		assert.Equal(t, 7, conflicts)
		for _, err := range errs {
			if err != nil {
				requireConflict(t, err, "username")
			}
		}
		assert.Equal(t, 1, f.getAccount().SeatsUsed)
	})
}

// state is what snapshot sees of a fixture.
type state struct {
	Account   usermgmt.Account
	Groups    []usermgmt.Group
	Users     []usermgmt.User
	Listed    []string
	Counts    usermgmt.UserCounts
	Passwords map[string]string
	Sessions  []usermgmt.Session
	Tokens    []usermgmt.Token
	Grants    []usermgmt.Grant
	Numbers   []usermgmt.Number
	Aliases   []usermgmt.Alias
	Events    []usermgmt.Event
	Counter   usermgmt.Counter
}

// snapshot reads everything of f's account, and of the users userIDs,
// that the store shows, so that two snapshots compare.
func snapshot(t *testing.T, s usermgmt.Store, f *fixture, userIDs ...string) state {
	t.Helper()
	ctx := context.Background()
	var st state
	var err error
	st.Account, err = s.GetAccount(ctx, f.ID)
	require.NoError(t, err)
	st.Groups, err = s.ListGroups(ctx, f.ID)
	require.NoError(t, err)
	st.Listed = ids(listAll(t, s, usermgmt.UserFilter{AccountID: f.ID}, 0))
	st.Counts, err = s.CountUsers(ctx, f.ID)
	require.NoError(t, err)
	st.Passwords = map[string]string{}
	for _, id := range userIDs {
		u, err := s.GetUser(ctx, id)
		require.NoError(t, err)
		st.Users = append(st.Users, u)
		if h, err := s.GetPassword(ctx, id); err == nil {
			st.Passwords[id] = h
		}
		ses, err := s.ListSessions(ctx, id, "")
		require.NoError(t, err)
		st.Sessions = append(st.Sessions, ses...)
		al, err := s.ListAliases(ctx, id)
		require.NoError(t, err)
		st.Aliases = append(st.Aliases, al...)
	}
	tokens, _, err := s.ListTokens(ctx, usermgmt.TokenFilter{AccountID: f.ID}, usermgmt.Page{Limit: 1000})
	require.NoError(t, err)
	st.Tokens = tokens
	st.Grants, err = s.ListAccountGrants(ctx, f.ID)
	require.NoError(t, err)
	st.Numbers, err = s.ListNumbers(ctx, usermgmt.NumberFilter{AccountID: f.ID})
	require.NoError(t, err)
	st.Events = allEvents(t, s, usermgmt.EventFilter{AccountID: f.ID}, 0)
	st.Counter, err = s.GetCounter(ctx, "tx:"+f.ID, at(time.Second), time.Hour)
	require.NoError(t, err)
	return got(st)
}
