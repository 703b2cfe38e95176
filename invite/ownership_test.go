package invite_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/invite"
	"github.com/rosterkit/roster/sms"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/mail"
)

// globex builds a second account whose user bob holds a grant, is the
// scope of a grant, has a number, an alias and a session.
type globex struct {
	acct  usermgmt.Account
	owner usermgmt.User
	bob   usermgmt.User
	boss  usermgmt.User // holds a grant over bob
}

func (w *world) globex(t *testing.T) globex {
	t.Helper()
	ctx := context.Background()
	var g globex
	g.acct, g.owner = w.otherAccount(t, "Globex", 0)
	var err error
	g.bob, err = w.users.CreateUser(ctx, g.owner.ID, usermgmt.NewUser{User: person("robert", 40), Password: pw})
	require.NoError(t, err)
	g.boss, err = w.users.CreateUser(ctx, g.owner.ID, usermgmt.NewUser{User: person("boss", 41), Password: pw})
	require.NoError(t, err)
	_, err = w.users.Grant(ctx, g.owner.ID, g.bob.ID, usermgmt.Scope{GroupID: g.acct.RootGroupID}, []usermgmt.Permission{usermgmt.PermReports})
	require.NoError(t, err)
	_, err = w.users.Grant(ctx, g.owner.ID, g.boss.ID, usermgmt.Scope{UserID: g.bob.ID}, []usermgmt.Permission{usermgmt.PermUsers})
	require.NoError(t, err)
	_, err = w.users.AddNumber(ctx, g.owner.ID, "+447911000002", "main")
	require.NoError(t, err)
	_, err = w.users.AssignNumber(ctx, g.owner.ID, "+447911000002", g.bob.ID)
	require.NoError(t, err)
	_, err = w.users.AddAlias(ctx, g.owner.ID, g.bob.ID, "bob.alias@example.net")
	require.NoError(t, err)
	now := w.clock.Now()
	require.NoError(t, w.store.CreateSession(ctx, &usermgmt.Session{ID: "bob-s", Kind: usermgmt.SessionLogin,
		Hash: strings.Repeat("ef", 32), UserID: g.bob.ID, AccountID: g.acct.ID, CreatedAt: now, LastSeen: now,
		ExpiresAt: now.Add(time.Hour)}))
	g.bob, err = w.store.GetUser(ctx, g.bob.ID)
	require.NoError(t, err)
	return g
}

func TestOwnershipAccept(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	g := w.globex(t)
	acmeSeats, globexSeats := w.seats(t, w.acct.ID), w.seats(t, g.acct.ID)

	rec, err := w.inv.RequestOwnership(ctx, w.owner.ID, invite.OwnershipRequest{User: "ROBERT@example.com",
		Group: w.sales.ID, ServiceLevel: usermgmt.LevelPro})
	require.NoError(t, err)
	assert.Equal(t, invite.StatePending, rec.State)
	assert.Equal(t, "ROBERT@example.com", rec.Label)
	assert.Empty(t, rec.UserID, "nothing about the user comes back")

	msg, ok := w.mails.Last("robert@example.com")
	require.True(t, ok)
	assert.Equal(t, mail.OwnershipRequest, msg.Tag)
	assert.Contains(t, msg.Text, "Acme")
	tok := tokenOf(t, mail.FirstLink(msg))
	info, err := w.inv.LookupOwnership(ctx, tok)
	require.NoError(t, err)
	assert.Equal(t, "Acme", info.AccountName)
	assert.Equal(t, "Owner Smith", info.InviterName)
	assert.Equal(t, "robert", info.Username)
	_, err = w.inv.LookupOwnership(ctx, tok)
	require.NoError(t, err, "looking does not consume")

	u, err := w.inv.AcceptOwnership(ctx, tok)
	require.NoError(t, err)
	assert.Equal(t, w.acct.ID, u.AccountID)
	assert.Equal(t, w.sales.ID, u.GroupID)
	assert.Equal(t, usermgmt.TypeEndUser, u.Type)
	assert.Equal(t, usermgmt.LevelPro, u.ServiceLevel)
	assert.Equal(t, g.bob.ID, u.ID, "the same user, with its identity")
	assert.Equal(t, "robert", u.Username)
	assert.Equal(t, g.bob.Status, u.Status)
	assert.Empty(t, u.DefaultNumber)

	assert.Equal(t, acmeSeats+1, w.seats(t, w.acct.ID), "the seat moves")
	assert.Equal(t, globexSeats-1, w.seats(t, g.acct.ID))
	held, err := w.store.ListGrants(ctx, u.ID)
	require.NoError(t, err)
	assert.Empty(t, held, "old grants end")
	over, err := w.store.ListGrants(ctx, g.boss.ID)
	require.NoError(t, err)
	assert.Empty(t, over, "grants over the user end")
	sessions, err := w.store.ListSessions(ctx, u.ID, "")
	require.NoError(t, err)
	assert.Empty(t, sessions, "sessions end")
	n, err := w.store.GetNumber(ctx, "+447911000002")
	require.NoError(t, err)
	assert.Empty(t, n.UserID, "the old account's number stays there")
	al, err := w.store.GetAlias(ctx, "bob.alias@example.net")
	require.NoError(t, err)
	assert.Equal(t, w.acct.ID, al.AccountID, "the user's alias moves with them")
	_, err = w.store.GetPassword(ctx, u.ID)
	require.NoError(t, err, "the password stays")

	list, _, err := w.inv.OwnershipRequests(ctx, w.owner.ID, usermgmt.Page{})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, invite.StateAccepted, list[0].State)
	assert.Equal(t, u.ID, list[0].UserID)
	assert.Equal(t, w.clock.Now(), list[0].DecidedAt)
	assert.Contains(t, w.events(t, w.acct.ID), "ownership.request:ok")
	assert.Contains(t, w.events(t, w.acct.ID), "ownership.accept:ok")
	assert.Contains(t, w.events(t, g.acct.ID), "ownership.request:ok", "the user's account sees the request")
	assert.Contains(t, w.events(t, g.acct.ID), "ownership.accept:ok")
	assert.Contains(t, w.events(t, g.acct.ID), "grant.revoke:ok")

	_, err = w.inv.AcceptOwnership(ctx, tok)
	assert.ErrorIs(t, err, usermgmt.ErrUsed)
}

func TestOwnershipDecline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	g := w.globex(t)
	_, err := w.inv.RequestOwnership(ctx, w.owner.ID, invite.OwnershipRequest{User: "robert"})
	require.NoError(t, err, "a username names the user too")
	tok := w.link(t, "robert@example.com")
	require.NoError(t, w.inv.DeclineOwnership(ctx, tok))
	u, err := w.store.GetUser(ctx, g.bob.ID)
	require.NoError(t, err)
	assert.Equal(t, g.acct.ID, u.AccountID, "nothing changes")
	held, err := w.store.ListGrants(ctx, u.ID)
	require.NoError(t, err)
	assert.Len(t, held, 1)
	_, err = w.inv.AcceptOwnership(ctx, tok)
	assert.ErrorIs(t, err, usermgmt.ErrUsed, "a declined request cannot be accepted")
	assert.ErrorIs(t, w.inv.DeclineOwnership(ctx, tok), usermgmt.ErrUsed)

	list, _, err := w.inv.OwnershipRequests(ctx, w.owner.ID, usermgmt.Page{})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, invite.StateDeclined, list[0].State)
	assert.Empty(t, list[0].UserID)
	assert.Contains(t, w.events(t, w.acct.ID), "ownership.decline:ok")
	assert.Contains(t, w.events(t, g.acct.ID), "ownership.decline:ok")
}

func TestOwnershipExpires(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t, func(c *invite.Config) { c.OwnershipTTL = 48 * time.Hour })
	g := w.globex(t)
	_, err := w.inv.RequestOwnership(ctx, w.owner.ID, invite.OwnershipRequest{User: g.bob.Email})
	require.NoError(t, err)
	tok := w.link(t, "robert@example.com")
	w.clock.Advance(48*time.Hour - time.Second)
	_, err = w.inv.LookupOwnership(ctx, tok)
	require.NoError(t, err)
	w.clock.Advance(time.Second)
	_, err = w.inv.AcceptOwnership(ctx, tok)
	assert.ErrorIs(t, err, usermgmt.ErrExpired)
	assert.ErrorIs(t, w.inv.DeclineOwnership(ctx, tok), usermgmt.ErrExpired)
	list, _, err := w.inv.OwnershipRequests(ctx, w.owner.ID, usermgmt.Page{})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, invite.StateExpired, list[0].State)
	u, err := w.store.GetUser(ctx, g.bob.ID)
	require.NoError(t, err)
	assert.Equal(t, g.acct.ID, u.AccountID)
}

// TestOwnershipRequestLeaksNothing asks for an existing user of another
// account, a user of the same account and nobody: the requester gets
// the same answer each time.
func TestOwnershipRequestLeaksNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	g := w.globex(t)
	local := w.mk(t, "local", 50)
	shape := func(r invite.OwnershipRecord) invite.OwnershipRecord {
		r.ID, r.Label = "", ""
		return r
	}
	var recs []invite.OwnershipRecord
	for _, who := range []string{g.bob.Email, local.Email, "nobody@example.org", "ghost", g.owner.Username} {
		rec, err := w.inv.RequestOwnership(ctx, w.owner.ID, invite.OwnershipRequest{User: who})
		require.NoError(t, err, who)
		recs = append(recs, rec)
	}
	for _, r := range recs[1:] {
		assert.Equal(t, shape(recs[0]), shape(r))
	}
	list, _, err := w.inv.OwnershipRequests(ctx, w.owner.ID, usermgmt.Page{})
	require.NoError(t, err)
	require.Len(t, list, 5)
	for _, r := range list {
		assert.Equal(t, invite.StatePending, r.State)
		assert.Empty(t, r.UserID)
	}
	// Only users of other accounts receive anything.
	_, ok := w.mails.Last(local.Email)
	assert.False(t, ok)
	_, ok = w.mails.Last("robert@example.com")
	assert.True(t, ok)
	_, ok = w.mails.Last(g.owner.Email)
	assert.True(t, ok)
	assert.Equal(t, 2, w.mails.Len())
	// The requesting account's audit log does not tell them apart.
	ev := w.events(t, w.acct.ID)
	n := 0
	for _, e := range ev {
		if e == "ownership.request:ok" {
			n++
		}
	}
	assert.Equal(t, 5, n)

	// Input is still checked.
	for _, bad := range []string{"", "   ", strings.Repeat("x", 300), "a\x00b"} {
		_, err := w.inv.RequestOwnership(ctx, w.owner.ID, invite.OwnershipRequest{User: bad})
		assert.ErrorIs(t, err, usermgmt.ErrInvalid, "%q", bad)
	}
	_, err = w.inv.RequestOwnership(ctx, w.owner.ID, invite.OwnershipRequest{User: "robert", ServiceLevel: "gold"})
	assert.ErrorIs(t, err, usermgmt.ErrInvalid)
}

func TestOwnershipOwnerCannotMove(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	g := w.globex(t)
	_, err := w.inv.RequestOwnership(ctx, w.owner.ID, invite.OwnershipRequest{User: g.owner.Email})
	require.NoError(t, err)
	tok := w.link(t, g.owner.Email)
	_, err = w.inv.AcceptOwnership(ctx, tok)
	require.ErrorIs(t, err, usermgmt.ErrForbidden)
	assert.Contains(t, w.events(t, g.acct.ID), "ownership.accept:refused", "audited in the owner's account")
	assert.NotContains(t, w.events(t, w.acct.ID), "ownership.accept:refused", "and not where it would leak")
	require.NoError(t, w.inv.DeclineOwnership(ctx, tok), "the owner may still decline")
}

func TestOwnershipSeatLimit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	g := w.globex(t)
	_, err := w.users.SetSeatLimit(ctx, w.acct.ID, w.seats(t, w.acct.ID))
	require.NoError(t, err)
	_, err = w.inv.RequestOwnership(ctx, w.owner.ID, invite.OwnershipRequest{User: g.bob.Email})
	require.NoError(t, err)
	tok := w.link(t, "robert@example.com")
	_, err = w.inv.AcceptOwnership(ctx, tok)
	require.ErrorIs(t, err, usermgmt.ErrSeatLimit)
	u, err := w.store.GetUser(ctx, g.bob.ID)
	require.NoError(t, err)
	assert.Equal(t, g.acct.ID, u.AccountID, "nothing moved")
	held, err := w.store.ListGrants(ctx, u.ID)
	require.NoError(t, err)
	assert.Len(t, held, 1, "nothing was half-done")
	_, err = w.inv.LookupOwnership(ctx, tok)
	require.NoError(t, err, "the link stays valid")
	_, err = w.users.SetSeatLimit(ctx, w.acct.ID, 0)
	require.NoError(t, err)
	_, err = w.inv.AcceptOwnership(ctx, tok)
	require.NoError(t, err)
}

func TestOwnershipRequesterLostRights(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	g := w.globex(t)
	sam := w.admin(t, "samuel", 10, w.sales.ID, usermgmt.PermUsers)
	_, err := w.inv.RequestOwnership(ctx, sam.ID, invite.OwnershipRequest{User: g.bob.Email})
	require.ErrorIs(t, err, usermgmt.ErrForbidden, "Sam may not add users at the root")
	_, err = w.inv.RequestOwnership(ctx, sam.ID, invite.OwnershipRequest{User: g.bob.Email, Group: w.sales.ID})
	require.NoError(t, err)
	require.NoError(t, w.users.Delete(ctx, w.owner.ID, sam.ID))
	_, err = w.inv.AcceptOwnership(ctx, w.link(t, "robert@example.com"))
	require.ErrorIs(t, err, usermgmt.ErrForbidden)
	assert.Contains(t, w.events(t, w.acct.ID), "ownership.accept:refused")
}

// TestOwnershipForImports is the importer's path: the request is
// written inside the caller's transaction and sent after the commit.
func TestOwnershipForImports(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t, func(c *invite.Config) { c.OwnershipBySMS = true })
	g := w.globex(t)
	var id string
	err := w.users.Run(ctx, w.owner.ID, "user.import", func(tx usermgmt.Tx, a *usermgmt.Actor) error {
		var err error
		id, err = w.inv.RequestOwnershipTx(ctx, tx, a, g.bob, "")
		return err
	})
	require.NoError(t, err)
	assert.Zero(t, w.mails.Len(), "nothing is sent inside the transaction")

	w.mails.FailNext(errors.New("mailbox full"))
	err = w.inv.SendOwnership(ctx, id)
	require.ErrorIs(t, err, invite.ErrDelivery)
	msg, ok := w.sms.Last(g.bob.MobilePhone)
	require.True(t, ok, "the SMS went out even though the mail did not")
	assert.Equal(t, sms.PurposeOwnership, msg.Purpose)
	assert.Contains(t, msg.Body, "Acme")

	n, err := w.inv.RetryFailed(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	u, err := w.inv.AcceptOwnership(ctx, w.link(t, "robert@example.com"))
	require.NoError(t, err)
	assert.Equal(t, w.acct.RootGroupID, u.GroupID)

	// Errors of the building block.
	err = w.users.Run(ctx, w.owner.ID, "user.import", func(tx usermgmt.Tx, a *usermgmt.Actor) error {
		_, err := w.inv.RequestOwnershipTx(ctx, tx, a, u, "")
		return err
	})
	assert.ErrorIs(t, err, usermgmt.ErrInvalid, "already in the account")
	assert.ErrorIs(t, w.inv.SendOwnership(ctx, "no-such-request"), usermgmt.ErrNotFound)
	require.NoError(t, w.inv.SendOwnership(ctx, id), "a used request is not sent again, and that is no error")
}

func TestOwnershipRequestsVisibility(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	g := w.globex(t)
	sam := w.admin(t, "samuel", 10, w.sales.ID, usermgmt.PermUsers)
	end := w.mk(t, "endy", 11)
	_, err := w.inv.RequestOwnership(ctx, w.owner.ID, invite.OwnershipRequest{User: g.bob.Email})
	require.NoError(t, err)
	_, err = w.inv.RequestOwnership(ctx, sam.ID, invite.OwnershipRequest{User: g.boss.Email, Group: w.sales.ID})
	require.NoError(t, err)
	list, _, err := w.inv.OwnershipRequests(ctx, sam.ID, usermgmt.Page{})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, g.boss.Email, list[0].Label)
	_, _, err = w.inv.OwnershipRequests(ctx, end.ID, usermgmt.Page{})
	assert.ErrorIs(t, err, usermgmt.ErrForbidden)
	_, _, err = w.inv.OwnershipRequests(ctx, g.owner.ID, usermgmt.Page{})
	require.NoError(t, err)
	other, _, err := w.inv.OwnershipRequests(ctx, g.owner.ID, usermgmt.Page{})
	require.NoError(t, err)
	assert.Empty(t, other, "another account sees none of ours")
}

func TestOwnershipLinkOfWrongKind(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	_, err := w.inv.Invite(ctx, w.owner.ID, invite.Request{Emails: []string{"ann@example.org"}})
	require.NoError(t, err)
	tok := w.link(t, "ann@example.org")
	_, err = w.inv.AcceptOwnership(ctx, tok)
	assert.ErrorIs(t, err, usermgmt.ErrNotFound)
	assert.ErrorIs(t, w.inv.DeclineOwnership(ctx, tok), usermgmt.ErrNotFound)
	_, err = w.inv.Activate(ctx, tok, pw)
	assert.ErrorIs(t, err, usermgmt.ErrNotFound)
	_, err = w.inv.Lookup(ctx, tok)
	require.NoError(t, err, "and it is still a good invitation")
}
