package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/rosterkit/roster/usermgmt"
)

func testNotFound(t *testing.T, r *runner) {
	s := r.store(t)
	ctx := context.Background()

	parallel(t, "MissingRecords", func(t *testing.T) {
		w := r.world(t, s)
		before := w.snap(t)
		none := w.ID + "-none"
		user := w.newUser(func(u *usermgmt.User) { u.ID = none })
		user.Version = 1
		acct := usermgmt.Account{ID: none, Name: "None", Version: 1}
		tok := w.newToken(usermgmt.TokenReset, "")
		tok.ID = none
		calls := []call{
			{"GetAccount", func(ctx context.Context, tx usermgmt.Tx) error { _, err := tx.GetAccount(ctx, none); return err }},
			{"UpdateAccount", func(ctx context.Context, tx usermgmt.Tx) error { return tx.UpdateAccount(ctx, &acct) }},
			{"CountUsers", func(ctx context.Context, tx usermgmt.Tx) error { _, err := tx.CountUsers(ctx, none); return err }},
			{"CreateGroup/MissingAccount", func(ctx context.Context, tx usermgmt.Tx) error {
				return tx.CreateGroup(ctx, &usermgmt.Group{ID: w.next("grp"), AccountID: none, Name: "X"})
			}},
			{"GetGroup", func(ctx context.Context, tx usermgmt.Tx) error { _, err := tx.GetGroup(ctx, none); return err }},
			{"RenameGroup", func(ctx context.Context, tx usermgmt.Tx) error { return tx.RenameGroup(ctx, none, "X", at(0)) }},
			{"MoveGroup/MissingGroup", func(ctx context.Context, tx usermgmt.Tx) error {
				return tx.MoveGroup(ctx, none, w.Root.ID, at(0))
			}},
			{"DeleteGroup", func(ctx context.Context, tx usermgmt.Tx) error { return tx.DeleteGroup(ctx, none) }},
			{"GetUser", func(ctx context.Context, tx usermgmt.Tx) error { _, err := tx.GetUser(ctx, none); return err }},
			{"GetUserByUsername", func(ctx context.Context, tx usermgmt.Tx) error {
				_, err := tx.GetUserByUsername(ctx, user.Username)
				return err
			}},
			{"GetUserByEmail", func(ctx context.Context, tx usermgmt.Tx) error {
				_, err := tx.GetUserByEmail(ctx, user.Email)
				return err
			}},
			{"GetUserByPhone", func(ctx context.Context, tx usermgmt.Tx) error {
				_, err := tx.GetUserByPhone(ctx, user.MobilePhone)
				return err
			}},
			{"UpdateUser", func(ctx context.Context, tx usermgmt.Tx) error { u := user; return tx.UpdateUser(ctx, &u) }},
			{"SetLastLogin", func(ctx context.Context, tx usermgmt.Tx) error { return tx.SetLastLogin(ctx, none, at(0)) }},
			{"DeleteUser", func(ctx context.Context, tx usermgmt.Tx) error { return tx.DeleteUser(ctx, none, at(0)) }},
			{"SetPassword", func(ctx context.Context, tx usermgmt.Tx) error { return tx.SetPassword(ctx, none, phcHash, at(0)) }},
			{"GetPassword", func(ctx context.Context, tx usermgmt.Tx) error { _, err := tx.GetPassword(ctx, none); return err }},
			{"GetGrant", func(ctx context.Context, tx usermgmt.Tx) error { _, err := tx.GetGrant(ctx, none); return err }},
			{"DeleteGrant", func(ctx context.Context, tx usermgmt.Tx) error { return tx.DeleteGrant(ctx, none) }},
			{"GetNumber", func(ctx context.Context, tx usermgmt.Tx) error {
				_, err := tx.GetNumber(ctx, "+10000000000")
				return err
			}},
			{"AssignNumber", func(ctx context.Context, tx usermgmt.Tx) error { return tx.AssignNumber(ctx, "+10000000000", w.u.ID) }},
			{"DeleteNumber", func(ctx context.Context, tx usermgmt.Tx) error { return tx.DeleteNumber(ctx, "+10000000000") }},
			{"GetAlias", func(ctx context.Context, tx usermgmt.Tx) error {
				_, err := tx.GetAlias(ctx, none+"@example.com")
				return err
			}},
			{"DeleteAlias", func(ctx context.Context, tx usermgmt.Tx) error { return tx.DeleteAlias(ctx, none+"@example.com") }},
			{"CreateAlias/MissingUser", func(ctx context.Context, tx usermgmt.Tx) error {
				return tx.CreateAlias(ctx, &usermgmt.Alias{Address: none + "@example.com", UserID: none, AccountID: w.ID, CreatedAt: epoch()})
			}},
			{"GetToken", func(ctx context.Context, tx usermgmt.Tx) error { _, err := tx.GetToken(ctx, none); return err }},
			{"GetTokenByHash", func(ctx context.Context, tx usermgmt.Tx) error {
				_, err := tx.GetTokenByHash(ctx, tok.Hash)
				return err
			}},
			{"UpdateToken", func(ctx context.Context, tx usermgmt.Tx) error { x := tok; return tx.UpdateToken(ctx, &x) }},
			{"ConsumeToken", func(ctx context.Context, tx usermgmt.Tx) error {
				_, err := tx.ConsumeToken(ctx, tok.Kind, tok.Hash, at(0), "ok")
				return err
			}},
			{"AddTokenAttempt", func(ctx context.Context, tx usermgmt.Tx) error {
				_, err := tx.AddTokenAttempt(ctx, none, 5)
				return err
			}},
			{"DeleteToken", func(ctx context.Context, tx usermgmt.Tx) error { return tx.DeleteToken(ctx, none) }},
			{"GetSessionByHash", func(ctx context.Context, tx usermgmt.Tx) error {
				_, err := tx.GetSessionByHash(ctx, none)
				return err
			}},
			{"TouchSession", func(ctx context.Context, tx usermgmt.Tx) error { return tx.TouchSession(ctx, none, at(time.Hour)) }},
			{"DeleteSession", func(ctx context.Context, tx usermgmt.Tx) error { return tx.DeleteSession(ctx, none) }},
		}
		for _, c := range calls {
			assert.ErrorIs(t, c.do(ctx, s), usermgmt.ErrNotFound, c.name)
		}
		var inTx []error
		_ = s.WithTx(ctx, func(tx usermgmt.Tx) error {
			for _, c := range calls {
				inTx = append(inTx, c.do(ctx, tx))
			}
			return nil
		})
		for i, c := range calls {
			assert.ErrorIs(t, inTx[i], usermgmt.ErrNotFound, "%s inside WithTx", c.name)
		}
		assert.Equal(t, before, w.snap(t), "nothing is written")
	})
}
