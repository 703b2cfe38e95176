package usermgmt_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/memstore"
)

// plainHasher is a fast stand-in for auth.Hasher in service tests.
type plainHasher struct{}

func (plainHasher) Hash(_ context.Context, pw string) (string, error) { return "plain$" + pw, nil }

// clock is an injected clock tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// world is an account with two branches:
//
//	root ─┬─ A ── A1
//	      └─ B
//
// owner owns it; adminA holds users+groups+numbers over A; adminB holds
// users over B; endA1 is in A1; endB is in B.
type world struct {
	svc    *usermgmt.Service
	store  usermgmt.Store
	clock  *clock
	acct   usermgmt.Account
	owner  usermgmt.User
	root   string
	a, a1  usermgmt.Group
	b      usermgmt.Group
	adminA usermgmt.User
	adminB usermgmt.User
	endA1  usermgmt.User
	endB   usermgmt.User
	seq    atomic.Int64
}

func setup(t *testing.T) *world {
	t.Helper()
	w := &world{store: memstore.New(), clock: &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}}
	var err error
	w.svc, err = usermgmt.New(usermgmt.Config{Store: w.store, Hasher: plainHasher{}, Now: w.clock.Now})
	require.NoError(t, err)
	ctx := context.Background()
	w.acct, w.owner, err = w.svc.CreateAccount(ctx, usermgmt.NewAccount{
		Name: "Acme", SeatLimit: 100,
		Owner: usermgmt.NewUser{User: w.person("owner"), Password: "Secret-pw1"},
	})
	require.NoError(t, err)
	w.root = w.acct.RootGroupID
	w.a = w.group(t, w.root, "A")
	w.a1 = w.group(t, w.a.ID, "A1")
	w.b = w.group(t, w.root, "B")
	w.adminA = w.user(t, w.owner.ID, w.a.ID, "admina")
	w.adminB = w.user(t, w.owner.ID, w.b.ID, "adminb")
	w.endA1 = w.user(t, w.owner.ID, w.a1.ID, "enda1")
	w.endB = w.user(t, w.owner.ID, w.b.ID, "endb")
	_, err = w.svc.Grant(ctx, w.owner.ID, w.adminA.ID, usermgmt.Scope{GroupID: w.a.ID},
		[]usermgmt.Permission{usermgmt.PermUsers, usermgmt.PermGroups, usermgmt.PermNumbers})
	require.NoError(t, err)
	_, err = w.svc.Grant(ctx, w.owner.ID, w.adminB.ID, usermgmt.Scope{GroupID: w.b.ID},
		[]usermgmt.Permission{usermgmt.PermUsers})
	require.NoError(t, err)
	w.adminA, _ = w.store.GetUser(ctx, w.adminA.ID)
	w.adminB, _ = w.store.GetUser(ctx, w.adminB.ID)
	return w
}

// person returns valid fields for a new person with a unique phone.
func (w *world) person(username string) usermgmt.User {
	n := w.seq.Add(1)
	return usermgmt.User{
		Username: username, FirstName: "First" + username, LastName: "Last",
		Email:       username + "@example.com",
		MobilePhone: fmt.Sprintf("+4479111%05d", n),
	}
}

func (w *world) group(t *testing.T, parent, name string) usermgmt.Group {
	t.Helper()
	g, err := w.svc.CreateGroup(context.Background(), w.owner.ID, parent, name)
	require.NoError(t, err)
	return g
}

func (w *world) user(t *testing.T, actor, group, username string) usermgmt.User {
	t.Helper()
	u := w.person(username)
	u.GroupID = group
	got, err := w.svc.CreateUser(context.Background(), actor, usermgmt.NewUser{User: u, Password: "Secret-pw1"})
	require.NoError(t, err)
	return got
}

func refusals(t *testing.T, w *world, action string) int {
	t.Helper()
	events, _, err := w.store.ListEvents(context.Background(), usermgmt.EventFilter{AccountID: w.acct.ID, Action: action}, usermgmt.Page{Limit: 1000})
	require.NoError(t, err)
	n := 0
	for _, e := range events {
		if e.Outcome == usermgmt.OutcomeRefused {
			n++
		}
	}
	return n
}

func TestCreateAccount(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()
	assert.Equal(t, usermgmt.TypeOwner, w.owner.Type)
	assert.Equal(t, usermgmt.StatusActive, w.owner.Status)
	assert.Equal(t, w.root, w.owner.GroupID)
	assert.True(t, w.acct.TwoFactor, "the SMS PIN is on by default")
	hash, err := w.store.GetPassword(ctx, w.owner.ID)
	require.NoError(t, err)
	assert.Equal(t, "plain$Secret-pw1", hash)

	_, _, err = w.svc.CreateAccount(ctx, usermgmt.NewAccount{SeatLimit: -1, Owner: usermgmt.NewUser{}})
	var ve *usermgmt.ValidationError
	require.ErrorAs(t, err, &ve)
	for _, f := range []string{"name", "seat_limit", "owner.username", "owner.email", "owner.first_name"} {
		assert.True(t, ve.Has(f), "want an error on %s in %v", f, ve)
	}
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()

	t.Run("pending without password", func(t *testing.T) {
		u := w.person("nopass")
		u.GroupID = w.a1.ID
		got, err := w.svc.CreateUser(ctx, w.adminA.ID, usermgmt.NewUser{User: u})
		require.NoError(t, err)
		assert.Equal(t, usermgmt.StatusPending, got.Status)
		assert.Equal(t, usermgmt.LevelArchive, got.ServiceLevel, "archive is the default level")
		assert.Equal(t, usermgmt.TypeEndUser, got.Type)
	})
	t.Run("mandatory fields", func(t *testing.T) {
		_, err := w.svc.CreateUser(ctx, w.owner.ID, usermgmt.NewUser{User: usermgmt.User{Username: "abc"}, Password: "short"})
		var ve *usermgmt.ValidationError
		require.ErrorAs(t, err, &ve)
		for _, f := range []string{"username", "first_name", "last_name", "email", "mobile_phone", "password"} {
			assert.True(t, ve.Has(f), "want an error on %s in %v", f, ve)
		}
	})
	t.Run("owner type refused", func(t *testing.T) {
		u := w.person("second")
		u.Type = usermgmt.TypeOwner
		_, err := w.svc.CreateUser(ctx, w.owner.ID, usermgmt.NewUser{User: u})
		assert.ErrorIs(t, err, usermgmt.ErrInvalid)
	})
	t.Run("conflicts name the field", func(t *testing.T) {
		u := w.person("ENDA1")
		_, err := w.svc.CreateUser(ctx, w.owner.ID, usermgmt.NewUser{User: u})
		var ce *usermgmt.ConflictError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, "username", ce.Field)

		u = w.person("fresh")
		u.MobilePhone = w.endB.MobilePhone
		_, err = w.svc.CreateUser(ctx, w.owner.ID, usermgmt.NewUser{User: u})
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, "mobile_phone", ce.Field)
	})
	t.Run("out of scope group", func(t *testing.T) {
		u := w.person("intruder")
		u.GroupID = w.b.ID
		_, err := w.svc.CreateUser(ctx, w.adminA.ID, usermgmt.NewUser{User: u})
		assert.ErrorIs(t, err, usermgmt.ErrForbidden)
		assert.Positive(t, refusals(t, w, "user.create"))
	})
	t.Run("system user", func(t *testing.T) {
		got, err := w.svc.CreateUser(ctx, w.owner.ID, usermgmt.NewUser{User: usermgmt.User{
			Kind: usermgmt.KindSystem, Username: "crm2sms", FirstName: "CRM", LastName: "Gateway"}})
		require.NoError(t, err)
		assert.Equal(t, usermgmt.StatusActive, got.Status, "system users authenticate with API keys")
		_, err = w.svc.CreateUser(ctx, w.owner.ID, usermgmt.NewUser{User: usermgmt.User{
			Kind: usermgmt.KindSystem, Username: "Bad Id!", FirstName: "X", LastName: "Y"}})
		assert.ErrorIs(t, err, usermgmt.ErrInvalid)
	})
}

func TestSeatLimitConcurrent(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()
	counts, err := w.svc.CountUsers(ctx, w.owner.ID)
	require.NoError(t, err)
	_, err = w.svc.SetSeatLimit(ctx, w.acct.ID, counts.Total+10)
	require.NoError(t, err)

	var ok, full atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := w.svc.CreateUser(ctx, w.owner.ID, usermgmt.NewUser{User: w.person(fmt.Sprintf("racer%02d", i))})
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, usermgmt.ErrSeatLimit):
				full.Add(1)
			default:
				t.Error(err)
			}
		}()
	}
	close(start)
	wg.Wait()
	assert.EqualValues(t, 10, ok.Load())
	assert.EqualValues(t, 40, full.Load())
	counts, err = w.svc.CountUsers(ctx, w.owner.ID)
	require.NoError(t, err)
	assert.Equal(t, counts.SeatLimit, counts.Total)
}

func TestScope(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()

	// adminA sees its subtree, not B's.
	_, err := w.svc.GetUser(ctx, w.adminA.ID, w.endA1.ID)
	require.NoError(t, err)
	_, err = w.svc.GetUser(ctx, w.adminA.ID, w.endB.ID)
	assert.ErrorIs(t, err, usermgmt.ErrNotFound, "out of scope reads as missing")
	assert.ErrorIs(t, err, usermgmt.ErrForbidden)
	_, missing := w.svc.GetUser(ctx, w.adminA.ID, "no-such-user")
	assert.Equal(t, err.Error(), missing.Error(), "out of scope and missing are told apart by nothing")

	users, _, err := w.svc.ListUsers(ctx, w.adminA.ID, usermgmt.UserQuery{}, usermgmt.Page{})
	require.NoError(t, err)
	var names []string
	for _, u := range users {
		names = append(names, u.Username)
	}
	assert.ElementsMatch(t, []string{"admina", "enda1"}, names)

	_, err = w.svc.UpdateUser(ctx, w.adminA.ID, w.endB.ID, usermgmt.UserUpdate{FirstName: ptr("X")})
	assert.ErrorIs(t, err, usermgmt.ErrForbidden)
	assert.ErrorIs(t, w.svc.Delete(ctx, w.adminA.ID, w.endB.ID), usermgmt.ErrForbidden)
	_, err = w.svc.MoveUser(ctx, w.adminA.ID, w.endA1.ID, w.b.ID)
	assert.ErrorIs(t, err, usermgmt.ErrForbidden, "cannot move out of scope")
	_, err = w.svc.MoveUser(ctx, w.adminA.ID, w.endB.ID, w.a1.ID)
	assert.ErrorIs(t, err, usermgmt.ErrForbidden, "cannot move into scope")
	_, err = w.svc.MoveGroup(ctx, w.adminA.ID, w.a1.ID, w.b.ID)
	assert.ErrorIs(t, err, usermgmt.ErrForbidden)
	_, err = w.svc.Suspend(ctx, w.adminA.ID, w.endB.ID, time.Time{})
	assert.ErrorIs(t, err, usermgmt.ErrForbidden)

	// Inside the subtree, everything works.
	moved, err := w.svc.MoveUser(ctx, w.adminA.ID, w.endA1.ID, w.a.ID)
	require.NoError(t, err)
	assert.Equal(t, w.a.ID, moved.GroupID)

	// A user-scoped grant: adminB administers endA1 only.
	_, err = w.svc.Grant(ctx, w.owner.ID, w.adminB.ID, usermgmt.Scope{UserID: w.endA1.ID}, []usermgmt.Permission{usermgmt.PermUsers})
	require.NoError(t, err)
	_, err = w.svc.UpdateUser(ctx, w.adminB.ID, w.endA1.ID, usermgmt.UserUpdate{Notes: ptr("hello")})
	require.NoError(t, err)
	_, err = w.svc.GetUser(ctx, w.adminB.ID, w.adminA.ID)
	assert.ErrorIs(t, err, usermgmt.ErrNotFound)

	// End users administer nobody.
	_, _, err = w.svc.ListUsers(ctx, w.endB.ID, usermgmt.UserQuery{}, usermgmt.Page{})
	assert.ErrorIs(t, err, usermgmt.ErrForbidden)
}

func TestNoEscalation(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()
	perms := func(p ...usermgmt.Permission) []usermgmt.Permission { return p }

	// adminA cannot grant what it does not hold, nor beyond its subtree.
	_, err := w.svc.Grant(ctx, w.adminA.ID, w.endA1.ID, usermgmt.Scope{GroupID: w.a1.ID}, perms(usermgmt.PermSettings))
	assert.ErrorIs(t, err, usermgmt.ErrForbidden)
	_, err = w.svc.Grant(ctx, w.adminA.ID, w.endA1.ID, usermgmt.Scope{GroupID: w.root}, perms(usermgmt.PermUsers))
	assert.ErrorIs(t, err, usermgmt.ErrForbidden)
	g, err := w.svc.Grant(ctx, w.adminA.ID, w.endA1.ID, usermgmt.Scope{GroupID: w.a1.ID}, perms(usermgmt.PermUsers))
	require.NoError(t, err)
	promoted, err := w.store.GetUser(ctx, w.endA1.ID)
	require.NoError(t, err)
	assert.Equal(t, usermgmt.TypeAdmin, promoted.Type, "a grant makes an end user an admin")

	// Pricing and payments are the owner's alone, even the owner cannot grant them.
	_, err = w.svc.Grant(ctx, w.owner.ID, w.adminB.ID, usermgmt.Scope{GroupID: w.root}, perms(usermgmt.PermPricing))
	assert.ErrorIs(t, err, usermgmt.ErrForbidden)

	// adminB cannot revoke what it does not hold.
	assert.ErrorIs(t, w.svc.Revoke(ctx, w.adminB.ID, g.ID), usermgmt.ErrForbidden)
	// nobody revokes their own grants.
	mine, err := w.svc.ListGrants(ctx, w.adminA.ID, w.adminA.ID)
	require.NoError(t, err)
	require.Len(t, mine, 1)
	assert.ErrorIs(t, w.svc.Revoke(ctx, w.adminA.ID, mine[0].ID), usermgmt.ErrForbidden)
	require.NoError(t, w.svc.Revoke(ctx, w.adminA.ID, g.ID))

	// A sub-admin cannot manage a stronger admin inside its subtree.
	strong := w.user(t, w.owner.ID, w.a1.ID, "strong")
	_, err = w.svc.Grant(ctx, w.owner.ID, strong.ID, usermgmt.Scope{GroupID: w.root}, perms(usermgmt.PermSettings))
	require.NoError(t, err)
	_, err = w.svc.Disable(ctx, w.adminA.ID, strong.ID)
	assert.ErrorIs(t, err, usermgmt.ErrForbidden)
	_, err = w.svc.UpdateUser(ctx, w.adminA.ID, strong.ID, usermgmt.UserUpdate{Type: ptr(usermgmt.TypeEndUser)})
	assert.ErrorIs(t, err, usermgmt.ErrForbidden)
}

func TestOwnerAndSelfProtected(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()
	// An admin over the whole account still cannot touch the owner.
	root := w.user(t, w.owner.ID, w.root, "rootadmin")
	_, err := w.svc.Grant(ctx, w.owner.ID, root.ID, usermgmt.Scope{GroupID: w.root}, usermgmt.BuiltinPermissions()[:9])
	require.NoError(t, err)
	_, err = w.svc.Disable(ctx, root.ID, w.owner.ID)
	assert.ErrorIs(t, err, usermgmt.ErrForbidden)
	assert.ErrorIs(t, w.svc.Delete(ctx, root.ID, w.owner.ID), usermgmt.ErrForbidden)
	_, err = w.svc.UpdateUser(ctx, root.ID, w.owner.ID, usermgmt.UserUpdate{Type: ptr(usermgmt.TypeEndUser)})
	assert.ErrorIs(t, err, usermgmt.ErrForbidden)
	// Nobody locks themselves out: the last admin is always someone else's to remove.
	_, err = w.svc.Suspend(ctx, root.ID, root.ID, time.Time{})
	assert.ErrorIs(t, err, usermgmt.ErrForbidden)
	assert.ErrorIs(t, w.svc.Delete(ctx, w.owner.ID, w.owner.ID), usermgmt.ErrForbidden)
	_, err = w.svc.UpdateUser(ctx, root.ID, root.ID, usermgmt.UserUpdate{Type: ptr(usermgmt.TypeEndUser)})
	assert.ErrorIs(t, err, usermgmt.ErrForbidden)
	// The owner may edit their own profile.
	_, err = w.svc.UpdateUser(ctx, w.owner.ID, w.owner.ID, usermgmt.UserUpdate{FirstName: ptr("Olivia")})
	require.NoError(t, err)
}

func TestLifecycle(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()
	u := w.endA1
	sess := &usermgmt.Session{ID: "s1", Kind: usermgmt.SessionLogin, Hash: strings.Repeat("a", 64), UserID: u.ID,
		AccountID: u.AccountID, CreatedAt: w.clock.Now(), LastSeen: w.clock.Now(), ExpiresAt: w.clock.Now().Add(time.Hour)}
	require.NoError(t, w.store.CreateSession(ctx, sess))

	got, err := w.svc.Suspend(ctx, w.adminA.ID, u.ID, w.clock.Now().Add(48*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, usermgmt.StatusSuspended, got.Status)
	_, err = w.store.GetSessionByHash(ctx, sess.Hash)
	assert.ErrorIs(t, err, usermgmt.ErrNotFound, "suspending ends every session at once")
	counts, err := w.svc.CountUsers(ctx, w.owner.ID)
	require.NoError(t, err)
	assert.Equal(t, 1, counts.ByStatus[usermgmt.StatusSuspended], "a suspended user keeps the seat")
	assert.Equal(t, usermgmt.StatusSuspended, w.svc.EffectiveStatus(got))
	w.clock.Add(49 * time.Hour)
	assert.Equal(t, usermgmt.StatusActive, w.svc.EffectiveStatus(got), "a suspension with an end lifts by itself")

	_, err = w.svc.Disable(ctx, w.adminA.ID, u.ID)
	assert.ErrorIs(t, err, usermgmt.ErrInvalid, "suspended → disabled is not a transition")
	_, err = w.svc.Unsuspend(ctx, w.adminA.ID, u.ID)
	require.NoError(t, err)
	_, err = w.svc.Disable(ctx, w.adminA.ID, u.ID)
	require.NoError(t, err)
	_, err = w.svc.Enable(ctx, w.adminA.ID, u.ID)
	require.NoError(t, err)
	_, err = w.svc.Suspend(ctx, w.adminA.ID, u.ID, w.clock.Now().Add(-time.Minute))
	assert.ErrorIs(t, err, usermgmt.ErrInvalid, "a suspension cannot end in the past")
}

func TestDeleteFreesIdentifiers(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()
	extra := w.user(t, w.adminA.ID, w.a1.ID, "leaver")
	require.NoError(t, w.svc.Delete(ctx, w.adminA.ID, w.endA1.ID, extra.ID))
	tomb, err := w.store.GetUser(ctx, w.endA1.ID)
	require.NoError(t, err)
	assert.Equal(t, usermgmt.StatusDeleted, tomb.Status)
	assert.Empty(t, tomb.Email)
	assert.Empty(t, tomb.FirstName)
	assert.Equal(t, w.acct.ID, tomb.AccountID, "the tombstone keeps the account so history resolves")

	again := w.person("enda1")
	again.Email, again.MobilePhone, again.GroupID = w.endA1.Email, w.endA1.MobilePhone, w.a1.ID
	re, err := w.svc.CreateUser(ctx, w.adminA.ID, usermgmt.NewUser{User: again})
	require.NoError(t, err, "username, e-mail and phone are free at once")
	assert.NotEqual(t, w.endA1.ID, re.ID)

	// All or nothing: one out-of-scope id refuses the batch.
	err = w.svc.Delete(ctx, w.adminA.ID, re.ID, w.endB.ID)
	assert.ErrorIs(t, err, usermgmt.ErrForbidden)
	_, err = w.svc.GetUser(ctx, w.adminA.ID, re.ID)
	assert.NoError(t, err, "nothing of a refused batch is deleted")
}

func TestUpdateUser(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()
	got, err := w.svc.UpdateUser(ctx, w.adminA.ID, w.endA1.ID, usermgmt.UserUpdate{
		MobilePhone: ptr("+44 7911 123 999"), ServiceLevel: ptr(usermgmt.LevelPro),
		Services: &[]usermgmt.Channel{usermgmt.ChannelSMS, usermgmt.ChannelFax},
	})
	require.NoError(t, err)
	assert.Equal(t, "+447911123999", got.MobilePhone, "phones are stored in E.164")
	assert.Equal(t, usermgmt.LevelPro, got.ServiceLevel)

	_, err = w.svc.UpdateUser(ctx, w.adminA.ID, w.endA1.ID, usermgmt.UserUpdate{MobilePhone: ptr(w.endB.MobilePhone)})
	var ce *usermgmt.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "mobile_phone", ce.Field)

	_, err = w.svc.UpdateUser(ctx, w.adminA.ID, w.endA1.ID, usermgmt.UserUpdate{FirstName: ptr("Z"), Version: got.Version - 1})
	assert.ErrorIs(t, err, usermgmt.ErrConflict, "a stale version is refused")

	_, err = w.svc.UpdateUser(ctx, w.adminA.ID, w.endA1.ID, usermgmt.UserUpdate{DefaultNumber: ptr("+447911000001")})
	assert.ErrorIs(t, err, usermgmt.ErrInvalid, "the default number must be one of the user's numbers")

	events, _, err := w.svc.ListEvents(ctx, w.adminA.ID, usermgmt.EventQuery{UserID: w.endA1.ID}, usermgmt.Page{})
	require.NoError(t, err)
	require.NotEmpty(t, events)
	assert.Equal(t, "user.update", events[0].Action)
	assert.ElementsMatch(t, []string{"mobile_phone", "service_level", "services"}, events[0].Fields)
}

func TestGroups(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()
	a2, err := w.svc.CreateGroup(ctx, w.adminA.ID, w.a.ID, "A2")
	require.NoError(t, err)
	_, err = w.svc.MoveGroup(ctx, w.adminA.ID, w.a.ID, w.b.ID)
	assert.ErrorIs(t, err, usermgmt.ErrForbidden, "adminA cannot move its group under B")
	_, err = w.svc.MoveGroup(ctx, w.owner.ID, w.a.ID, a2.ID)
	assert.ErrorIs(t, err, usermgmt.ErrConflict, "never under its own subtree")
	moved, err := w.svc.MoveGroup(ctx, w.adminA.ID, w.a1.ID, a2.ID)
	require.NoError(t, err)
	assert.Equal(t, a2.Path+w.a1.ID+"/", moved.Path)

	err = w.svc.DeleteGroup(ctx, w.adminA.ID, a2.ID, usermgmt.DeleteGroupOptions{})
	assert.ErrorIs(t, err, usermgmt.ErrConflict, "not empty")
	require.NoError(t, w.svc.DeleteGroup(ctx, w.adminA.ID, a2.ID, usermgmt.DeleteGroupOptions{MoveToParent: true}))
	end, err := w.store.GetUser(ctx, w.endA1.ID)
	require.NoError(t, err)
	assert.Equal(t, w.a1.ID, end.GroupID)
	a1, err := w.store.GetGroup(ctx, w.a1.ID)
	require.NoError(t, err)
	assert.Equal(t, w.a.ID, a1.ParentID)

	err = w.svc.DeleteGroup(ctx, w.owner.ID, w.root, usermgmt.DeleteGroupOptions{})
	assert.ErrorIs(t, err, usermgmt.ErrConflict, "the root stays")

	groups, err := w.svc.ListGroups(ctx, w.adminB.ID)
	require.NoError(t, err)
	var names []string
	for _, g := range groups {
		names = append(names, g.Name)
	}
	assert.Equal(t, []string{"Acme", "B"}, names, "B's admin sees its subtree and the path to it")
	tree := usermgmt.Tree(groups)
	require.Len(t, tree, 1)
	assert.Equal(t, "B", tree[0].Children[0].Name)
}

func TestNumbersAndAliases(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()
	_, err := w.svc.AddNumber(ctx, w.adminA.ID, "+447911000001", "main")
	assert.ErrorIs(t, err, usermgmt.ErrForbidden, "numbers are added at account level")
	n, err := w.svc.AddNumber(ctx, w.owner.ID, "+44 7911 000001", "main")
	require.NoError(t, err)
	assert.Equal(t, "+447911000001", n.E164)
	_, err = w.svc.AssignNumber(ctx, w.adminA.ID, n.E164, w.endA1.ID)
	assert.ErrorIs(t, err, usermgmt.ErrForbidden, "an unassigned number is the account's")
	_, err = w.svc.AssignNumber(ctx, w.owner.ID, n.E164, w.endA1.ID)
	require.NoError(t, err)
	u, err := w.store.GetUser(ctx, w.endA1.ID)
	require.NoError(t, err)
	assert.Equal(t, n.E164, u.DefaultNumber, "the first number becomes the default")
	_, err = w.svc.AssignNumber(ctx, w.adminB.ID, n.E164, w.endB.ID)
	assert.ErrorIs(t, err, usermgmt.ErrForbidden)
	mine, err := w.svc.ListNumbers(ctx, w.adminA.ID, w.endA1.ID)
	require.NoError(t, err)
	assert.Len(t, mine, 1)

	al, err := w.svc.AddAlias(ctx, w.adminA.ID, w.endA1.ID, "Fax-Desk@Example.org")
	require.NoError(t, err)
	found, err := w.svc.ResolveAddress(ctx, "fax-desk@example.org")
	require.NoError(t, err)
	assert.Equal(t, w.endA1.ID, found.ID)
	_, err = w.svc.AddAlias(ctx, w.adminB.ID, w.endB.ID, al.Address)
	var ce *usermgmt.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "alias", ce.Field)

	require.NoError(t, w.svc.Delete(ctx, w.adminA.ID, w.endA1.ID))
	_, err = w.svc.ResolveAddress(ctx, al.Address)
	assert.ErrorIs(t, err, usermgmt.ErrNotFound, "delete erases aliases")
	n, err = w.store.GetNumber(ctx, n.E164)
	require.NoError(t, err)
	assert.Empty(t, n.UserID, "delete frees the user's numbers")
}

func TestAccountSettings(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()
	_, err := w.svc.UpdateAccount(ctx, w.adminA.ID, usermgmt.AccountUpdate{TwoFactor: ptr(false)})
	assert.ErrorIs(t, err, usermgmt.ErrForbidden)
	acct, err := w.svc.UpdateAccount(ctx, w.owner.ID, usermgmt.AccountUpdate{
		TwoFactor: ptr(false),
		Defaults:  &usermgmt.Defaults{Country: "gb", Language: "en-gb", TimeZone: "Europe/London", ServiceLevel: usermgmt.LevelPro},
		Settings:  &map[string]string{"sms.signature": "Acme", "fax.cover": "plain"},
	})
	require.NoError(t, err)
	assert.False(t, acct.TwoFactor)
	assert.Equal(t, "GB", acct.Defaults.Country)

	u := w.person("inherits")
	created, err := w.svc.CreateUser(ctx, w.owner.ID, usermgmt.NewUser{User: u})
	require.NoError(t, err)
	assert.Equal(t, usermgmt.LevelPro, created.ServiceLevel, "new users inherit the account's defaults")
	assert.Equal(t, "Europe/London", created.TimeZone)
	_, err = w.svc.UpdateUser(ctx, w.owner.ID, created.ID, usermgmt.UserUpdate{Settings: &map[string]string{"sms.signature": "Bob"}})
	require.NoError(t, err)
	eff, err := w.svc.EffectiveSettings(ctx, w.owner.ID, created.ID)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"sms.signature": "Bob", "fax.cover": "plain"}, eff)
}

func TestAddressBook(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()
	_, err := w.svc.UpdateUser(ctx, w.owner.ID, w.endB.ID, usermgmt.UserUpdate{AddressBook: ptr(true)})
	require.NoError(t, err)
	book, _, err := w.svc.AddressBook(ctx, w.endA1.ID, usermgmt.Page{})
	require.NoError(t, err, "every user reads the address book")
	require.Len(t, book, 1)
	assert.Equal(t, w.endB.Email, book[0].Email)
}

func TestInactiveActorRefused(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()
	_, err := w.svc.Disable(ctx, w.owner.ID, w.adminA.ID)
	require.NoError(t, err)
	_, err = w.svc.GetUser(ctx, w.adminA.ID, w.endA1.ID)
	assert.ErrorIs(t, err, usermgmt.ErrForbidden, "a disabled admin's next call is refused")
	_, err = w.svc.GetUser(ctx, "nobody", w.endA1.ID)
	assert.ErrorIs(t, err, usermgmt.ErrForbidden)
}

func ptr[T any](v T) *T { return &v }

func TestUpdateProfile(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()
	u, err := w.svc.UpdateProfile(ctx, w.endB.ID, usermgmt.ProfileUpdate{FriendlyName: ptr("Night desk"), TimeZone: ptr("Europe/Stockholm")})
	require.NoError(t, err)
	assert.Equal(t, "Night desk", u.FriendlyName)
	_, err = w.svc.UpdateProfile(ctx, w.endB.ID, usermgmt.ProfileUpdate{TimeZone: ptr("Mars/Olympus")})
	assert.ErrorIs(t, err, usermgmt.ErrInvalid)
}
