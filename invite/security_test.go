package invite_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/invite"
	"github.com/rosterkit/roster/usermgmt"
)

// TestEveryMutationRefusesOutOfScopeActors calls every exported method
// that changes something on an admin's behalf with actors who may not:
// the admin of another account, an admin of a subtree reaching outside
// it, a suspended admin, an end user. All refuse (SECURITY.md A3), and
// nothing is written or sent.
func TestEveryMutationRefusesOutOfScopeActors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	g := w.globex(t)
	all := []usermgmt.Permission{usermgmt.PermUsers, usermgmt.PermInvitations, usermgmt.PermImport}
	sam := w.admin(t, "samuel", 10, w.sales.ID, all...)
	sus := w.admin(t, "suspended", 12, w.acct.RootGroupID, all...)
	_, err := w.users.Suspend(ctx, w.owner.ID, sus.ID, time.Time{})
	require.NoError(t, err)
	end := w.mk(t, "endy", 11)
	rootUser, err := w.users.CreateUser(ctx, w.owner.ID, usermgmt.NewUser{User: person("pending", 13)})
	require.NoError(t, err)
	res, err := w.inv.Invite(ctx, w.owner.ID, invite.Request{Emails: []string{"root@example.org"}})
	require.NoError(t, err)
	rootInvite := res.Invited[0].ID
	mails, texts := w.mails.Len(), len(w.sms.Messages())
	events := len(w.events(t, w.acct.ID))

	// Every call names a target in Acme, so that the other account's
	// owner, who may do all of this at home, is out of scope too.
	root := w.acct.RootGroupID
	created := person("created", 14)
	created.GroupID = root
	calls := map[string]func(actor string) error{
		"Invite": func(a string) error {
			_, err := w.inv.Invite(ctx, a, invite.Request{Emails: []string{"x@example.org"}, Group: root})
			return err
		},
		"Resend": func(a string) error { _, err := w.inv.Resend(ctx, a, rootInvite); return err },
		"Revoke": func(a string) error { return w.inv.Revoke(ctx, a, rootInvite) },
		"CreateUser": func(a string) error {
			_, err := w.inv.CreateUser(ctx, a, usermgmt.NewUser{User: created}, invite.CreateOptions{SendWelcome: true})
			return err
		},
		"SendActivation":   func(a string) error { _, err := w.inv.SendActivation(ctx, a, rootUser.ID); return err },
		"SendLoginDetails": func(a string) error { _, err := w.inv.SendLoginDetails(ctx, a, rootUser.ID); return err },
		"Welcome":          func(a string) error { return w.inv.Welcome(ctx, a, rootUser) },
		"RequestOwnership": func(a string) error {
			_, err := w.inv.RequestOwnership(ctx, a, invite.OwnershipRequest{User: g.bob.Email, Group: root})
			return err
		},
		"RequestOwnershipTx": func(a string) error {
			return w.users.Run(ctx, a, "user.import", func(tx usermgmt.Tx, act *usermgmt.Actor) error {
				_, err := w.inv.RequestOwnershipTx(ctx, tx, act, g.bob, root)
				return err
			})
		},
	}
	actors := map[string]string{"other account's owner": g.owner.ID, "subtree admin": sam.ID,
		"suspended admin": sus.ID, "end user": end.ID, "unknown": "no-such-user"}
	for name, call := range calls {
		for who, id := range actors {
			err := call(id)
			assert.ErrorIs(t, err, usermgmt.ErrForbidden, "%s by %s", name, who)
		}
	}
	assert.Equal(t, mails, w.mails.Len(), "no mail went out")
	assert.Len(t, w.sms.Messages(), texts, "no SMS went out")
	for _, e := range w.events(t, w.acct.ID)[events:] {
		assert.True(t, strings.HasSuffix(e, ":refused"), "only refusals were recorded: %s", e)
	}
	pending, _, err := w.inv.Pending(ctx, w.owner.ID, usermgmt.Page{})
	require.NoError(t, err)
	require.Len(t, pending, 1)
	assert.Equal(t, rootInvite, pending[0].ID)
	assert.Equal(t, 1, pending[0].Sends, "not resent")
}

// TestLinksStoredHashed checks T1: a link's secret is 256 bits of
// base64url, and the store keeps only its SHA-256; no audit event and
// no token data holds it.
func TestLinksStoredHashed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	res, err := w.inv.Invite(ctx, w.owner.ID, invite.Request{Emails: []string{"ann@example.org"}})
	require.NoError(t, err)
	secret := w.link(t, "ann@example.org")
	assert.Len(t, secret, 43, "32 bytes, unpadded base64url")
	tok, err := w.store.GetToken(ctx, res.Invited[0].ID)
	require.NoError(t, err)
	sum := sha256.Sum256([]byte(secret))
	assert.Equal(t, hex.EncodeToString(sum[:]), tok.Hash)
	assert.NotContains(t, string(tok.Data), secret)
	list, _, err := w.store.ListEvents(ctx, usermgmt.EventFilter{AccountID: w.acct.ID}, usermgmt.Page{Limit: 1000})
	require.NoError(t, err)
	for _, e := range list {
		assert.NotContains(t, strings.Join(append(e.Fields, e.TargetID, e.Reason), " "), secret)
	}

	// Two invitations never share a secret.
	res2, err := w.inv.Invite(ctx, w.owner.ID, invite.Request{Emails: []string{"bob@example.org"}})
	require.NoError(t, err)
	assert.NotEqual(t, secret, w.link(t, "bob@example.org"))
	assert.NotEqual(t, res.Invited[0].ID, res2.Invited[0].ID)
}
