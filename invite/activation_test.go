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
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/mail"
)

func TestCreateUserWithWelcome(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	c, err := w.inv.CreateUser(ctx, w.owner.ID, usermgmt.NewUser{User: person("carla", 20)}, invite.CreateOptions{SendWelcome: true})
	require.NoError(t, err)
	assert.Equal(t, usermgmt.StatusPending, c.User.Status, "pending until a password is set")
	require.NotNil(t, c.Link)
	assert.Empty(t, c.Link.SendError)
	assert.Equal(t, "carla@example.com", c.Link.Email)

	msg, ok := w.mails.Last("carla@example.com")
	require.True(t, ok)
	assert.Equal(t, mail.Welcome, msg.Tag)
	assert.Equal(t, "Acme <no-reply@acme.example>", msg.From)
	assert.Contains(t, msg.Text, "carla", "the welcome names the username")
	tok := tokenOf(t, mail.FirstLink(msg))
	assert.True(t, strings.HasPrefix(mail.FirstLink(msg), "https://app.example/activate?token="))

	info, err := w.inv.LookupActivation(ctx, tok)
	require.NoError(t, err)
	assert.Equal(t, "carla", info.Username)
	assert.Equal(t, "Acme", info.AccountName)
	assert.Equal(t, usermgmt.TokenActivation, info.Kind)

	_, err = w.inv.Activate(ctx, tok, "weak")
	var ve *usermgmt.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("password"))
	assert.NotContains(t, err.Error(), "weak")

	u, err := w.inv.Activate(ctx, tok, pw)
	require.NoError(t, err)
	assert.Equal(t, usermgmt.StatusActive, u.Status)
	stored, err := w.store.GetUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, usermgmt.StatusActive, stored.Status)
	_, err = w.store.GetPassword(ctx, u.ID)
	require.NoError(t, err)
	_, err = w.inv.Activate(ctx, tok, pw)
	assert.ErrorIs(t, err, usermgmt.ErrUsed, "single use")
	ev := w.events(t, w.acct.ID)
	assert.Contains(t, ev, "activation.send:ok")
	assert.Contains(t, ev, "user.activate:ok")
}

func TestLoginDetailsBySMSNeverCarryAPassword(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	in := usermgmt.NewUser{User: person("dmitri", 21), Password: "Admin-Chosen7"}
	c, err := w.inv.CreateUser(ctx, w.owner.ID, in, invite.CreateOptions{SendLoginDetailsBySMS: true})
	require.NoError(t, err)
	assert.Equal(t, usermgmt.StatusActive, c.User.Status, "created with a password: active at once")
	require.NotNil(t, c.Link)
	assert.Empty(t, c.Link.SendError)

	msg, ok := w.sms.Last(c.User.MobilePhone)
	require.True(t, ok)
	assert.Contains(t, msg.Body, "dmitri")
	assert.NotContains(t, msg.Body, "Admin-Chosen7")
	assert.Equal(t, c.User.ID, msg.UserID)
	assert.Equal(t, w.acct.ID, msg.AccountID)
	assert.Zero(t, w.mails.Len(), "no mail was asked for")
	i := strings.Index(msg.Body, "https://")
	require.GreaterOrEqual(t, i, 0)
	tok := tokenOf(t, strings.Fields(msg.Body[i:])[0])

	// The link lets the user replace the admin's choice with their own.
	u, err := w.inv.Activate(ctx, tok, "Users-Own-9")
	require.NoError(t, err)
	assert.Equal(t, usermgmt.StatusActive, u.Status)
	hash, err := w.store.GetPassword(ctx, u.ID)
	require.NoError(t, err)
	want, _ := fakeHasher{}.Hash(ctx, "Users-Own-9")
	assert.Equal(t, want, hash)
}

func TestCreateUserBothChannelsShareOneLink(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	c, err := w.inv.CreateUser(ctx, w.owner.ID, usermgmt.NewUser{User: person("erin", 22)},
		invite.CreateOptions{SendWelcome: true, SendLoginDetailsBySMS: true})
	require.NoError(t, err)
	mailTok := w.link(t, "erin@example.com")
	msg, ok := w.sms.Last(c.User.MobilePhone)
	require.True(t, ok)
	assert.Contains(t, msg.Body, mailTok, "the SMS carries the same link as the mail")
	assert.Contains(t, w.events(t, w.acct.ID), "activation.send:ok")
}

func TestCreateUserOptionsRefusedUpFront(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t, func(c *invite.Config) { c.SMS = nil })
	_, err := w.inv.CreateUser(ctx, w.owner.ID, usermgmt.NewUser{User: person("fred", 23)},
		invite.CreateOptions{SendLoginDetailsBySMS: true})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Config.SMS")
	_, err = w.store.GetUserByUsername(ctx, "fred")
	assert.ErrorIs(t, err, usermgmt.ErrNotFound, "nothing was created")

	sys := usermgmt.NewUser{User: usermgmt.User{Kind: usermgmt.KindSystem, Username: "billing1"}}
	_, err = w.inv.CreateUser(ctx, w.owner.ID, sys, invite.CreateOptions{SendWelcome: true})
	var ve *usermgmt.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("kind"))

	// Without options, CreateUser is usermgmt's.
	c, err := w.inv.CreateUser(ctx, w.owner.ID, usermgmt.NewUser{User: person("fred", 23)}, invite.CreateOptions{})
	require.NoError(t, err)
	assert.Nil(t, c.Link)
	_, err = w.inv.SendLoginDetails(ctx, w.owner.ID, c.User.ID)
	assert.Error(t, err)
}

func TestSendActivationReplacesOlderLinks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	c, err := w.inv.CreateUser(ctx, w.owner.ID, usermgmt.NewUser{User: person("gina", 24)}, invite.CreateOptions{SendWelcome: true})
	require.NoError(t, err)
	first := w.link(t, "gina@example.com")
	w.clock.Advance(8 * 24 * time.Hour)
	_, err = w.inv.Activate(ctx, first, pw)
	require.ErrorIs(t, err, usermgmt.ErrExpired, "expired, not invalid")

	sent, err := w.inv.SendActivation(ctx, w.owner.ID, c.User.ID)
	require.NoError(t, err)
	assert.Equal(t, w.clock.Now().Add(invite.DefaultTTL), sent.ExpiresAt)
	second := w.link(t, "gina@example.com")
	_, err = w.inv.SendActivation(ctx, w.owner.ID, c.User.ID)
	require.NoError(t, err)
	third := w.link(t, "gina@example.com")
	for _, old := range []string{first, second} {
		_, err = w.inv.LookupActivation(ctx, old)
		assert.ErrorIs(t, err, usermgmt.ErrNotFound, "older links die")
	}
	_, err = w.inv.Activate(ctx, third, pw)
	require.NoError(t, err)

	// An active user's activation is a set-password link; a disabled
	// user gets none.
	_, err = w.users.Disable(ctx, w.owner.ID, c.User.ID)
	require.NoError(t, err)
	_, err = w.inv.SendActivation(ctx, w.owner.ID, c.User.ID)
	var ve *usermgmt.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("status"))
}

func TestActivateRefusesBlockedUser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	u := w.mk(t, "hank", 25)
	_, err := w.inv.SendLoginDetails(ctx, w.owner.ID, u.ID)
	require.NoError(t, err)
	msg, ok := w.sms.Last(u.MobilePhone)
	require.True(t, ok)
	tok := tokenOf(t, msg.Body[strings.Index(msg.Body, "https://"):])
	_, err = w.users.Suspend(ctx, w.owner.ID, u.ID, time.Time{})
	require.NoError(t, err)
	_, err = w.inv.Activate(ctx, tok, "Another-pass1")
	require.ErrorIs(t, err, usermgmt.ErrForbidden)
	assert.Contains(t, w.events(t, w.acct.ID), "user.activate:refused")
	_, err = w.users.Unsuspend(ctx, w.owner.ID, u.ID)
	require.NoError(t, err)
	_, err = w.inv.Activate(ctx, tok, "Another-pass1")
	require.NoError(t, err, "the refusal left the link unused")
}

func TestActivateEndsSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	u := w.mk(t, "ivan", 26)
	now := w.clock.Now()
	require.NoError(t, w.store.CreateSession(ctx, &usermgmt.Session{ID: "s1", Kind: usermgmt.SessionLogin,
		Hash: strings.Repeat("cd", 32), UserID: u.ID, AccountID: u.AccountID, CreatedAt: now, LastSeen: now,
		ExpiresAt: now.Add(time.Hour)}))
	_, err := w.inv.SendActivation(ctx, w.owner.ID, u.ID)
	require.NoError(t, err)
	_, err = w.inv.Activate(ctx, w.link(t, "ivan@example.com"), "Fresh-pass-2")
	require.NoError(t, err)
	sessions, err := w.store.ListSessions(ctx, u.ID, "")
	require.NoError(t, err)
	assert.Empty(t, sessions, "a password change ends every session")
}

func TestActivationSendFailureThenRetry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	w.mails.FailNext(errors.New("smtp: connection refused"))
	c, err := w.inv.CreateUser(ctx, w.owner.ID, usermgmt.NewUser{User: person("jane", 27)}, invite.CreateOptions{SendWelcome: true})
	require.NoError(t, err, "the user is created and the failure reported, not raised")
	require.NotNil(t, c.Link)
	assert.Equal(t, "mail delivery failed", c.Link.SendError)
	tok, err := w.store.GetToken(ctx, c.Link.ID)
	require.NoError(t, err)
	assert.Equal(t, "mail delivery failed", tok.SendError, "recorded on the link")

	n, err := w.inv.RetryFailed(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	_, err = w.inv.Activate(ctx, w.link(t, "jane@example.com"), pw)
	require.NoError(t, err)
	assert.Contains(t, w.events(t, w.acct.ID), "activation.resend:ok")
}

func TestWelcomeForImports(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	u, err := w.users.CreateUser(ctx, w.owner.ID, usermgmt.NewUser{User: person("kate", 28)})
	require.NoError(t, err)
	require.NoError(t, w.inv.Welcome(ctx, w.owner.ID, u))
	_, err = w.inv.LookupActivation(ctx, w.link(t, "kate@example.com"))
	require.NoError(t, err)

	msg, ok := w.mails.Last("kate@example.com")
	require.True(t, ok)
	assert.Contains(t, msg.Text, "stays pending", "a pending user is asked to activate")

	w.mails.FailNext(errors.New("boom"))
	err = w.inv.Welcome(ctx, w.owner.ID, u)
	require.ErrorIs(t, err, invite.ErrDelivery)
	assert.NotContains(t, err.Error(), "boom")

	// Imported with a password: already active, welcomed, not told to
	// activate.
	active, err := w.users.CreateUser(ctx, w.owner.ID, usermgmt.NewUser{User: person("lena", 29), Password: "Correct-Horse-9"})
	require.NoError(t, err)
	require.Equal(t, usermgmt.StatusActive, active.Status)
	require.NoError(t, w.inv.Welcome(ctx, w.owner.ID, active))
	msg, ok = w.mails.Last(active.Email)
	require.True(t, ok)
	assert.NotContains(t, msg.Text, "pending")
	assert.Contains(t, msg.Text, "sign in with the password you were given")
}

func TestActivationForbidden(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	sam := w.admin(t, "samuel", 10, w.sales.ID, usermgmt.PermUsers)
	root := w.mk(t, "rooty", 29)
	_, err := w.inv.SendActivation(ctx, sam.ID, root.ID)
	assert.ErrorIs(t, err, usermgmt.ErrForbidden)
	_, err = w.inv.SendLoginDetails(ctx, sam.ID, w.owner.ID)
	assert.ErrorIs(t, err, usermgmt.ErrForbidden)
	_, err = w.inv.CreateUser(ctx, sam.ID, usermgmt.NewUser{User: person("outside", 30)}, invite.CreateOptions{SendWelcome: true})
	assert.ErrorIs(t, err, usermgmt.ErrForbidden)
	assert.Zero(t, w.mails.Len())
	assert.Empty(t, w.sms.Messages())
}
