package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
)

// call is one method of usermgmt.Tx with arguments that succeed on a
// world made by world.
type call struct {
	name string
	do   func(ctx context.Context, tx usermgmt.Tx) error
}

// world is a fixture with one record of every kind, for calls.
type world struct {
	*fixture
	u, admin usermgmt.User
	spare    usermgmt.Group // an empty group
	grant    usermgmt.Grant
	number   usermgmt.Number
	alias    usermgmt.Alias
	token    usermgmt.Token
	session  usermgmt.Session
	old      usermgmt.Session // expired, so that Purge has work
}

func (r *runner) world(t *testing.T, s usermgmt.Store) *world {
	t.Helper()
	f := r.fixture(t, s, 0)
	w := &world{fixture: f}
	w.u = f.user()
	w.admin = f.user(func(u *usermgmt.User) { u.Type = usermgmt.TypeAdmin })
	w.spare = f.group(f.Root.ID)
	w.grant = f.grant(w.admin.ID, usermgmt.Scope{UserID: w.u.ID})
	w.number = f.number()
	w.alias = f.alias(w.u.ID)
	w.token = f.token(usermgmt.TokenChallenge, w.u.ID)
	w.session = f.session(usermgmt.SessionLogin, w.u.ID)
	w.old = f.session(usermgmt.SessionLogin, w.u.ID, func(s *usermgmt.Session) { s.ExpiresAt = at(-time.Hour) })
	require.NoError(t, s.SetPassword(f.ctx, w.u.ID, phcHash, at(0)))
	_, err := s.Hit(f.ctx, "tx:"+f.ID, at(0), time.Hour)
	require.NoError(t, err)
	f.event("user.create", at(0))
	return w
}

// calls returns one call of every method of usermgmt.Tx, each of which
// would write (or read) something in w.
func (w *world) calls() []call {
	return []call{
		{"CreateAccount", func(ctx context.Context, tx usermgmt.Tx) error {
			a := usermgmt.Account{ID: w.next("acct"), Name: "New", CreatedAt: epoch(), UpdatedAt: epoch()}
			return tx.CreateAccount(ctx, &a)
		}},
		{"GetAccount", func(ctx context.Context, tx usermgmt.Tx) error { _, err := tx.GetAccount(ctx, w.ID); return err }},
		{"UpdateAccount", func(ctx context.Context, tx usermgmt.Tx) error {
			a := w.Account
			a.Name = "Changed"
			return tx.UpdateAccount(ctx, &a)
		}},
		{"CreateGroup", func(ctx context.Context, tx usermgmt.Tx) error {
			g := usermgmt.Group{ID: w.next("grp"), AccountID: w.ID, ParentID: w.Root.ID, Name: "New", CreatedAt: epoch(), UpdatedAt: epoch()}
			return tx.CreateGroup(ctx, &g)
		}},
		{"GetGroup", func(ctx context.Context, tx usermgmt.Tx) error { _, err := tx.GetGroup(ctx, w.Root.ID); return err }},
		{"ListGroups", func(ctx context.Context, tx usermgmt.Tx) error { _, err := tx.ListGroups(ctx, w.ID); return err }},
		{"RenameGroup", func(ctx context.Context, tx usermgmt.Tx) error {
			return tx.RenameGroup(ctx, w.Child.ID, "Changed", at(time.Hour))
		}},
		{"MoveGroup", func(ctx context.Context, tx usermgmt.Tx) error {
			return tx.MoveGroup(ctx, w.spare.ID, w.Child.ID, at(time.Hour))
		}},
		{"DeleteGroup", func(ctx context.Context, tx usermgmt.Tx) error { return tx.DeleteGroup(ctx, w.spare.ID) }},
		{"CreateUser", func(ctx context.Context, tx usermgmt.Tx) error { u := w.newUser(); return tx.CreateUser(ctx, &u) }},
		{"GetUser", func(ctx context.Context, tx usermgmt.Tx) error { _, err := tx.GetUser(ctx, w.u.ID); return err }},
		{"GetUserByUsername", func(ctx context.Context, tx usermgmt.Tx) error {
			_, err := tx.GetUserByUsername(ctx, w.u.Username)
			return err
		}},
		{"GetUserByEmail", func(ctx context.Context, tx usermgmt.Tx) error {
			_, err := tx.GetUserByEmail(ctx, w.u.Email)
			return err
		}},
		{"GetUserByPhone", func(ctx context.Context, tx usermgmt.Tx) error {
			_, err := tx.GetUserByPhone(ctx, w.u.MobilePhone)
			return err
		}},
		{"UpdateUser", func(ctx context.Context, tx usermgmt.Tx) error {
			u := w.u
			u.FirstName = "Changed"
			return tx.UpdateUser(ctx, &u)
		}},
		{"SetLastLogin", func(ctx context.Context, tx usermgmt.Tx) error { return tx.SetLastLogin(ctx, w.u.ID, at(time.Hour)) }},
		{"DeleteUser", func(ctx context.Context, tx usermgmt.Tx) error { return tx.DeleteUser(ctx, w.u.ID, at(time.Hour)) }},
		{"ListUsers", func(ctx context.Context, tx usermgmt.Tx) error {
			_, _, err := tx.ListUsers(ctx, usermgmt.UserFilter{AccountID: w.ID}, usermgmt.Page{})
			return err
		}},
		{"CountUsers", func(ctx context.Context, tx usermgmt.Tx) error { _, err := tx.CountUsers(ctx, w.ID); return err }},
		{"SetPassword", func(ctx context.Context, tx usermgmt.Tx) error {
			return tx.SetPassword(ctx, w.u.ID, bcryptHash, at(time.Hour))
		}},
		{"GetPassword", func(ctx context.Context, tx usermgmt.Tx) error { _, err := tx.GetPassword(ctx, w.u.ID); return err }},
		{"CreateGrant", func(ctx context.Context, tx usermgmt.Tx) error {
			g := usermgmt.Grant{ID: w.next("grant"), AccountID: w.ID, UserID: w.admin.ID, Scope: usermgmt.Scope{GroupID: w.Root.ID},
				Permissions: []usermgmt.Permission{usermgmt.PermUsers}, CreatedAt: epoch()}
			return tx.CreateGrant(ctx, &g)
		}},
		{"GetGrant", func(ctx context.Context, tx usermgmt.Tx) error { _, err := tx.GetGrant(ctx, w.grant.ID); return err }},
		{"DeleteGrant", func(ctx context.Context, tx usermgmt.Tx) error { return tx.DeleteGrant(ctx, w.grant.ID) }},
		{"ListGrants", func(ctx context.Context, tx usermgmt.Tx) error { _, err := tx.ListGrants(ctx, w.admin.ID); return err }},
		{"ListAccountGrants", func(ctx context.Context, tx usermgmt.Tx) error {
			_, err := tx.ListAccountGrants(ctx, w.ID)
			return err
		}},
		{"CreateNumber", func(ctx context.Context, tx usermgmt.Tx) error {
			n := usermgmt.Number{E164: w.phone(800 + w.other), AccountID: w.ID, CreatedAt: epoch()}
			w.other++
			return tx.CreateNumber(ctx, &n)
		}},
		{"GetNumber", func(ctx context.Context, tx usermgmt.Tx) error {
			_, err := tx.GetNumber(ctx, w.number.E164)
			return err
		}},
		{"AssignNumber", func(ctx context.Context, tx usermgmt.Tx) error { return tx.AssignNumber(ctx, w.number.E164, w.u.ID) }},
		{"DeleteNumber", func(ctx context.Context, tx usermgmt.Tx) error { return tx.DeleteNumber(ctx, w.number.E164) }},
		{"ListNumbers", func(ctx context.Context, tx usermgmt.Tx) error {
			_, err := tx.ListNumbers(ctx, usermgmt.NumberFilter{AccountID: w.ID})
			return err
		}},
		{"CreateAlias", func(ctx context.Context, tx usermgmt.Tx) error {
			a := usermgmt.Alias{Address: w.next("al") + "@example.com", UserID: w.u.ID, AccountID: w.ID, CreatedAt: epoch()}
			return tx.CreateAlias(ctx, &a)
		}},
		{"GetAlias", func(ctx context.Context, tx usermgmt.Tx) error {
			_, err := tx.GetAlias(ctx, w.alias.Address)
			return err
		}},
		{"DeleteAlias", func(ctx context.Context, tx usermgmt.Tx) error { return tx.DeleteAlias(ctx, w.alias.Address) }},
		{"ListAliases", func(ctx context.Context, tx usermgmt.Tx) error { _, err := tx.ListAliases(ctx, w.u.ID); return err }},
		{"CreateToken", func(ctx context.Context, tx usermgmt.Tx) error {
			tok := w.newToken(usermgmt.TokenInvite, "")
			return tx.CreateToken(ctx, &tok)
		}},
		{"GetToken", func(ctx context.Context, tx usermgmt.Tx) error { _, err := tx.GetToken(ctx, w.token.ID); return err }},
		{"GetTokenByHash", func(ctx context.Context, tx usermgmt.Tx) error {
			_, err := tx.GetTokenByHash(ctx, w.token.Hash)
			return err
		}},
		{"UpdateToken", func(ctx context.Context, tx usermgmt.Tx) error {
			tok := w.token
			tok.Sends, tok.SendError = 9, "changed"
			return tx.UpdateToken(ctx, &tok)
		}},
		{"ConsumeToken", func(ctx context.Context, tx usermgmt.Tx) error {
			_, err := tx.ConsumeToken(ctx, w.token.Kind, w.token.Hash, at(time.Minute), "ok")
			return err
		}},
		{"AddTokenAttempt", func(ctx context.Context, tx usermgmt.Tx) error {
			_, err := tx.AddTokenAttempt(ctx, w.token.ID, 5)
			return err
		}},
		{"DeleteToken", func(ctx context.Context, tx usermgmt.Tx) error { return tx.DeleteToken(ctx, w.token.ID) }},
		{"ListTokens", func(ctx context.Context, tx usermgmt.Tx) error {
			_, _, err := tx.ListTokens(ctx, usermgmt.TokenFilter{AccountID: w.ID}, usermgmt.Page{})
			return err
		}},
		{"DeleteTokens", func(ctx context.Context, tx usermgmt.Tx) error {
			_, err := tx.DeleteTokens(ctx, w.u.ID, "")
			return err
		}},
		{"CreateSession", func(ctx context.Context, tx usermgmt.Tx) error {
			ses := usermgmt.Session{ID: w.next("ses"), Kind: usermgmt.SessionAPIKey, Hash: w.next("hash"), UserID: w.u.ID,
				AccountID: w.ID, CreatedAt: epoch(), LastSeen: epoch()}
			return tx.CreateSession(ctx, &ses)
		}},
		{"GetSessionByHash", func(ctx context.Context, tx usermgmt.Tx) error {
			_, err := tx.GetSessionByHash(ctx, w.session.Hash)
			return err
		}},
		{"TouchSession", func(ctx context.Context, tx usermgmt.Tx) error {
			return tx.TouchSession(ctx, w.session.ID, at(time.Hour))
		}},
		{"DeleteSession", func(ctx context.Context, tx usermgmt.Tx) error { return tx.DeleteSession(ctx, w.session.ID) }},
		{"DeleteSessions", func(ctx context.Context, tx usermgmt.Tx) error {
			_, err := tx.DeleteSessions(ctx, w.u.ID, "")
			return err
		}},
		{"ListSessions", func(ctx context.Context, tx usermgmt.Tx) error {
			_, err := tx.ListSessions(ctx, w.u.ID, "")
			return err
		}},
		{"AppendEvent", func(ctx context.Context, tx usermgmt.Tx) error {
			e := usermgmt.Event{ID: w.next("ev"), AccountID: w.ID, Action: "x", Outcome: usermgmt.OutcomeOK, At: epoch()}
			return tx.AppendEvent(ctx, &e)
		}},
		{"ListEvents", func(ctx context.Context, tx usermgmt.Tx) error {
			_, _, err := tx.ListEvents(ctx, usermgmt.EventFilter{AccountID: w.ID}, usermgmt.Page{})
			return err
		}},
		{"Hit", func(ctx context.Context, tx usermgmt.Tx) error {
			_, err := tx.Hit(ctx, "tx:"+w.ID, at(time.Second), time.Hour)
			return err
		}},
		{"GetCounter", func(ctx context.Context, tx usermgmt.Tx) error {
			_, err := tx.GetCounter(ctx, "tx:"+w.ID, at(time.Second), time.Hour)
			return err
		}},
		{"ResetCounter", func(ctx context.Context, tx usermgmt.Tx) error { return tx.ResetCounter(ctx, "tx:"+w.ID) }},
		{"Purge", func(ctx context.Context, tx usermgmt.Tx) error { _, err := tx.Purge(ctx, at(0)); return err }},
	}
}

// snap is the world's snapshot.
func (w *world) snap(t *testing.T) state {
	t.Helper()
	return snapshot(t, w.s, w.fixture, w.u.ID, w.admin.ID)
}

func testContext(t *testing.T, r *runner) {
	s := r.store(t)

	cancelled := func() context.Context {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return ctx
	}

	parallel(t, "Cancelled", func(t *testing.T) {
		w := r.world(t, s)
		before := w.snap(t)
		// Each call succeeds with a live context (in a transaction rolled
		// back), so that its refusal below is the context's doing.
		for _, c := range w.calls() {
			err := s.WithTx(context.Background(), func(tx usermgmt.Tx) error {
				require.NoError(t, c.do(context.Background(), tx), "%s with a live context", c.name)
				return errRollback
			})
			require.Equal(t, errRollback, err, c.name)
		}
		require.Equal(t, before, w.snap(t), "rolled back")
		for _, c := range w.calls() {
			assert.ErrorIs(t, c.do(cancelled(), s), context.Canceled, c.name)
		}
		assert.Equal(t, before, w.snap(t), "a cancelled context writes nothing")
	})
	parallel(t, "DeadlineExceeded", func(t *testing.T) {
		w := r.world(t, s)
		before := w.snap(t)
		ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
		defer cancel()
		for _, c := range w.calls() {
			assert.ErrorIs(t, c.do(ctx, s), context.DeadlineExceeded, c.name)
		}
		assert.Equal(t, before, w.snap(t), "an expired context writes nothing")
	})
	parallel(t, "CancelledInsideTx", func(t *testing.T) {
		w := r.world(t, s)
		before := w.snap(t)
		err := s.WithTx(context.Background(), func(tx usermgmt.Tx) error {
			for _, c := range w.calls() {
				assert.ErrorIs(t, c.do(cancelled(), tx), context.Canceled, c.name)
			}
			return nil
		})
		require.NoError(t, err, "the transaction itself was not cancelled")
		assert.Equal(t, before, w.snap(t), "calls with a cancelled context write nothing")
	})
	parallel(t, "WithTxCancelled", func(t *testing.T) {
		w := r.world(t, s)
		before := w.snap(t)
		ctx := cancelled()
		err := s.WithTx(ctx, func(tx usermgmt.Tx) error {
			u := w.newUser()
			if err := tx.CreateUser(ctx, &u); err != nil {
				return err
			}
			return nil
		})
		require.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, before, w.snap(t))
	})
	parallel(t, "CancelledDuringTx", func(t *testing.T) {
		w := r.world(t, s)
		before := w.snap(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		u := w.newUser()
		err := s.WithTx(ctx, func(tx usermgmt.Tx) error {
			require.NoError(t, tx.CreateUser(ctx, &u))
			cancel()
			return nil // fn does not notice; WithTx must
		})
		assert.ErrorIs(t, err, context.Canceled, "WithTx returns the context's error")
		assert.Equal(t, before, w.snap(t), "and keeps nothing")
		_, err = s.GetUser(context.Background(), u.ID)
		require.ErrorIs(t, err, usermgmt.ErrNotFound)
	})
}
