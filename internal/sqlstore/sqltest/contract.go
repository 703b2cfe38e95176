package sqltest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
)

// RunContract checks the Store contract's sentences method by method, on
// the SQL stores, until usermgmt/storetest covers them.
func RunContract(t *testing.T, h Harness) {
	t.Run("Accounts", func(t *testing.T) { t.Parallel(); testAccounts(t, h) })
	t.Run("Groups", func(t *testing.T) { t.Parallel(); testGroups(t, h) })
	t.Run("Grants", func(t *testing.T) { t.Parallel(); testGrants(t, h) })
	t.Run("NumbersAndAliases", func(t *testing.T) { t.Parallel(); testNumbersAliases(t, h) })
	t.Run("Tokens", func(t *testing.T) { t.Parallel(); testTokens(t, h) })
	t.Run("Sessions", func(t *testing.T) { t.Parallel(); testSessions(t, h) })
	t.Run("UsersErrors", func(t *testing.T) { t.Parallel(); testUsersErrors(t, h) })
}

func testAccounts(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	a := usermgmt.Account{ID: "a", Name: "A", SeatLimit: 5, SeatsUsed: 99, TwoFactor: true,
		Contact:  usermgmt.Contact{Name: "Ann", Email: "ann@a.example", Phone: "+447700900001"},
		Defaults: usermgmt.Defaults{Country: "GB", Language: "en-GB", TimeZone: "Europe/London", ServiceLevel: usermgmt.LevelPro},
		Settings: map[string]string{"k": "v"}, CreatedAt: Epoch(), UpdatedAt: Epoch()}
	require.NoError(t, s.CreateAccount(ctx, &a))
	assert.Equal(t, int64(1), a.Version)
	require.ErrorIs(t, s.CreateAccount(ctx, &a), usermgmt.ErrConflict)
	require.ErrorIs(t, s.CreateAccount(ctx, &usermgmt.Account{}), usermgmt.ErrInvalid)

	got, err := s.GetAccount(ctx, "a")
	require.NoError(t, err)
	want := a
	want.SeatsUsed = 0
	want.CreatedAt, want.UpdatedAt = Epoch().Truncate(time.Microsecond), Epoch().Truncate(time.Microsecond)
	assert.Equal(t, want, got)

	got.Name, got.SeatLimit, got.SeatsUsed = "A2", 0, 42
	got.CreatedAt = Epoch().Add(time.Hour)
	require.NoError(t, s.UpdateAccount(ctx, &got))
	assert.Equal(t, int64(2), got.Version)
	again, err := s.GetAccount(ctx, "a")
	require.NoError(t, err)
	assert.Equal(t, "A2", again.Name)
	assert.Zero(t, again.SeatsUsed, "SeatsUsed is the store's")
	assert.Equal(t, want.CreatedAt, again.CreatedAt, "CreatedAt is kept")

	stale := again
	stale.Version = 1
	var ce *usermgmt.ConflictError
	require.ErrorAs(t, s.UpdateAccount(ctx, &stale), &ce)
	assert.Equal(t, "version", ce.Field)
	require.ErrorIs(t, s.UpdateAccount(ctx, &usermgmt.Account{ID: "none", Version: 1}), usermgmt.ErrNotFound)
	_, err = s.GetAccount(ctx, "none")
	require.ErrorIs(t, err, usermgmt.ErrNotFound)
	_, err = s.CountUsers(ctx, "none")
	require.ErrorIs(t, err, usermgmt.ErrNotFound)
}

func testGroups(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	w := NewWorld(t, s, "g", 0)
	other := NewWorld(t, s, "o", 0)
	assert.Equal(t, "/g-root/", w.Root.Path)
	assert.Equal(t, "/g-root/g-child/", w.Child.Path)
	require.ErrorIs(t, s.CreateGroup(ctx, &usermgmt.Group{ID: "x/y", AccountID: "g"}), usermgmt.ErrInvalid)
	require.ErrorIs(t, s.CreateGroup(ctx, &usermgmt.Group{AccountID: "g"}), usermgmt.ErrInvalid)
	require.ErrorIs(t, s.CreateGroup(ctx, &usermgmt.Group{ID: "x", AccountID: "none"}), usermgmt.ErrNotFound)
	require.ErrorIs(t, s.CreateGroup(ctx, &usermgmt.Group{ID: "x", AccountID: "g", ParentID: other.Root.ID}), usermgmt.ErrNotFound)
	require.ErrorIs(t, s.CreateGroup(ctx, &usermgmt.Group{ID: w.Child.ID, AccountID: "g", ParentID: w.Root.ID}), usermgmt.ErrConflict)

	require.NoError(t, s.RenameGroup(ctx, w.Child.ID, "Renamed", Epoch().Add(time.Hour)))
	got, err := s.GetGroup(ctx, w.Child.ID)
	require.NoError(t, err)
	assert.Equal(t, "Renamed", got.Name)
	assert.Equal(t, Epoch().Add(time.Hour).Truncate(time.Microsecond), got.UpdatedAt)
	require.ErrorIs(t, s.RenameGroup(ctx, "none", "x", Epoch()), usermgmt.ErrNotFound)
	_, err = s.GetGroup(ctx, "none")
	require.ErrorIs(t, err, usermgmt.ErrNotFound)
	require.ErrorIs(t, s.MoveGroup(ctx, w.Child.ID, other.Root.ID, Epoch()), usermgmt.ErrNotFound)

	groups, err := s.ListGroups(ctx, "g")
	require.NoError(t, err)
	require.Len(t, groups, 2)
	assert.Equal(t, w.Root.ID, groups[0].ID)
	none, err := s.ListGroups(ctx, "none")
	require.NoError(t, err)
	assert.Empty(t, none)

	// A grant scoped to a group goes with it.
	admin := w.User("admin")
	admin.Type = usermgmt.TypeAdmin
	require.NoError(t, s.CreateUser(ctx, &admin))
	require.NoError(t, s.CreateGrant(ctx, &usermgmt.Grant{ID: "gr", AccountID: "g", UserID: admin.ID, Scope: usermgmt.Scope{GroupID: w.Child.ID}}))
	require.NoError(t, s.DeleteGroup(ctx, w.Child.ID))
	_, err = s.GetGrant(ctx, "gr")
	require.ErrorIs(t, err, usermgmt.ErrNotFound)
}

func testGrants(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	w := NewWorld(t, s, "gr", 0)
	other := NewWorld(t, s, "ot", 0)
	admin, target, stranger := w.User("admin"), w.User("target"), other.User("stranger")
	for _, u := range []*usermgmt.User{&admin, &target, &stranger} {
		require.NoError(t, s.CreateUser(ctx, u))
	}
	perms := []usermgmt.Permission{usermgmt.PermUsers, usermgmt.PermReports}
	g1 := usermgmt.Grant{ID: "g1", AccountID: "gr", UserID: admin.ID, Scope: usermgmt.Scope{GroupID: w.Root.ID},
		Permissions: perms, CreatedBy: "owner", CreatedAt: Epoch().Add(time.Second)}
	g2 := usermgmt.Grant{ID: "g2", AccountID: "gr", UserID: admin.ID, Scope: usermgmt.Scope{UserID: target.ID},
		CreatedAt: Epoch()}
	require.NoError(t, s.CreateGrant(ctx, &g1))
	require.NoError(t, s.CreateGrant(ctx, &g2))
	require.ErrorIs(t, s.CreateGrant(ctx, &g2), usermgmt.ErrConflict)
	for name, g := range map[string]usermgmt.Grant{
		"no scope":   {ID: "x", AccountID: "gr", UserID: admin.ID},
		"both":       {ID: "x", AccountID: "gr", UserID: admin.ID, Scope: usermgmt.Scope{GroupID: w.Root.ID, UserID: target.ID}},
		"missing id": {AccountID: "gr", UserID: admin.ID, Scope: usermgmt.Scope{UserID: target.ID}},
	} {
		require.ErrorIs(t, s.CreateGrant(ctx, &g), usermgmt.ErrInvalid, name)
	}
	for name, g := range map[string]usermgmt.Grant{
		"holder elsewhere": {ID: "x", AccountID: "gr", UserID: stranger.ID, Scope: usermgmt.Scope{UserID: target.ID}},
		"group elsewhere":  {ID: "x", AccountID: "gr", UserID: admin.ID, Scope: usermgmt.Scope{GroupID: other.Root.ID}},
		"user elsewhere":   {ID: "x", AccountID: "gr", UserID: admin.ID, Scope: usermgmt.Scope{UserID: stranger.ID}},
	} {
		require.ErrorIs(t, s.CreateGrant(ctx, &g), usermgmt.ErrNotFound, name)
	}
	got, err := s.GetGrant(ctx, "g1")
	require.NoError(t, err)
	want := g1
	want.CreatedAt = want.CreatedAt.Truncate(time.Microsecond)
	assert.Equal(t, want, got)
	held, err := s.ListGrants(ctx, admin.ID)
	require.NoError(t, err)
	require.Len(t, held, 2)
	assert.Equal(t, "g2", held[0].ID, "oldest first")
	all, err := s.ListAccountGrants(ctx, "gr")
	require.NoError(t, err)
	assert.Len(t, all, 2)
	require.NoError(t, s.DeleteGrant(ctx, "g1"))
	require.ErrorIs(t, s.DeleteGrant(ctx, "g1"), usermgmt.ErrNotFound)
}

func testNumbersAliases(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	w := NewWorld(t, s, "na", 0)
	other := NewWorld(t, s, "nb", 0)
	u, v := w.User("u"), other.User("v")
	require.NoError(t, s.CreateUser(ctx, &u))
	require.NoError(t, s.CreateUser(ctx, &v))

	require.NoError(t, s.CreateNumber(ctx, &usermgmt.Number{E164: Phone(3), AccountID: "na", Label: "three", CreatedAt: Epoch()}))
	require.NoError(t, s.CreateNumber(ctx, &usermgmt.Number{E164: Phone(1), AccountID: "na", UserID: u.ID, CreatedAt: Epoch()}))
	var ce *usermgmt.ConflictError
	require.ErrorAs(t, s.CreateNumber(ctx, &usermgmt.Number{E164: Phone(1), AccountID: "nb"}), &ce)
	assert.Equal(t, "number", ce.Field)
	require.ErrorIs(t, s.CreateNumber(ctx, &usermgmt.Number{E164: Phone(2), AccountID: "na", UserID: v.ID}), usermgmt.ErrNotFound)
	require.ErrorIs(t, s.CreateNumber(ctx, &usermgmt.Number{AccountID: "na"}), usermgmt.ErrInvalid)
	require.ErrorIs(t, s.AssignNumber(ctx, Phone(3), v.ID), usermgmt.ErrNotFound)
	require.ErrorIs(t, s.AssignNumber(ctx, Phone(9), u.ID), usermgmt.ErrNotFound)
	require.NoError(t, s.AssignNumber(ctx, Phone(3), u.ID))
	nums, err := s.ListNumbers(ctx, usermgmt.NumberFilter{AccountID: "na", UserID: u.ID})
	require.NoError(t, err)
	require.Len(t, nums, 2)
	assert.Equal(t, Phone(1), nums[0].E164, "ordered by E164")
	require.NoError(t, s.AssignNumber(ctx, Phone(1), ""))
	n, err := s.GetNumber(ctx, Phone(1))
	require.NoError(t, err)
	assert.Empty(t, n.UserID)
	require.NoError(t, s.DeleteNumber(ctx, Phone(1)))
	require.ErrorIs(t, s.DeleteNumber(ctx, Phone(1)), usermgmt.ErrNotFound)
	_, err = s.GetNumber(ctx, Phone(1))
	require.ErrorIs(t, err, usermgmt.ErrNotFound)

	require.NoError(t, s.CreateAlias(ctx, &usermgmt.Alias{Address: "Zed@X.example", UserID: u.ID, AccountID: "na", CreatedAt: Epoch()}))
	require.NoError(t, s.CreateAlias(ctx, &usermgmt.Alias{Address: "amy@x.example", UserID: u.ID, AccountID: "na", CreatedAt: Epoch()}))
	require.ErrorAs(t, s.CreateAlias(ctx, &usermgmt.Alias{Address: "ZED@x.EXAMPLE", UserID: u.ID, AccountID: "na"}), &ce)
	assert.Equal(t, "alias", ce.Field)
	require.ErrorIs(t, s.CreateAlias(ctx, &usermgmt.Alias{Address: "q@x.example", UserID: v.ID, AccountID: "na"}), usermgmt.ErrNotFound)
	require.ErrorIs(t, s.CreateAlias(ctx, &usermgmt.Alias{UserID: u.ID, AccountID: "na"}), usermgmt.ErrInvalid)
	a, err := s.GetAlias(ctx, "zed@x.example")
	require.NoError(t, err)
	assert.Equal(t, "Zed@X.example", a.Address, "the address is kept as given")
	aliases, err := s.ListAliases(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, aliases, 2)
	assert.Equal(t, "amy@x.example", aliases[0].Address)
	require.NoError(t, s.DeleteAlias(ctx, "ZED@X.EXAMPLE"))
	require.ErrorIs(t, s.DeleteAlias(ctx, "zed@x.example"), usermgmt.ErrNotFound)
}

func testTokens(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	tok := usermgmt.Token{ID: "t", Kind: usermgmt.TokenInvite, Hash: "h1", AccountID: "a", UserID: "u", Email: "E@x.example",
		CreatedBy: "admin", Data: []byte(`{"grant":"x"}`), CreatedAt: Epoch(), ExpiresAt: Epoch().Add(time.Hour)}
	require.NoError(t, s.CreateToken(ctx, &tok))
	var ce *usermgmt.ConflictError
	dup := tok
	dup.ID = "t2"
	require.ErrorAs(t, s.CreateToken(ctx, &dup), &ce)
	assert.Equal(t, "token", ce.Field)
	dup = tok
	dup.Hash = "other"
	require.ErrorAs(t, s.CreateToken(ctx, &dup), &ce)
	assert.Equal(t, "id", ce.Field)
	require.ErrorIs(t, s.CreateToken(ctx, &usermgmt.Token{ID: "x"}), usermgmt.ErrInvalid)
	require.NoError(t, s.CreateToken(ctx, &usermgmt.Token{ID: "t3", Kind: usermgmt.TokenReset, Hash: "h3", UserID: "u", CreatedAt: Epoch(), ExpiresAt: Epoch()}))

	got, err := s.GetTokenByHash(ctx, "h1")
	require.NoError(t, err)
	want := tok
	want.CreatedAt, want.ExpiresAt = want.CreatedAt.Truncate(time.Microsecond), want.ExpiresAt.Truncate(time.Microsecond)
	assert.Equal(t, want, got)

	// A resend rotates the hash and restarts the lifetime.
	got.Hash, got.Sends, got.SentAt, got.SendError = "h2", 2, Epoch().Add(time.Minute), "smtp: 451"
	got.ExpiresAt, got.Attempts = Epoch().Add(2*time.Hour), 9
	require.NoError(t, s.UpdateToken(ctx, &got))
	_, err = s.GetTokenByHash(ctx, "h1")
	require.ErrorIs(t, err, usermgmt.ErrNotFound)
	again, err := s.GetToken(ctx, "t")
	require.NoError(t, err)
	assert.Equal(t, "h2", again.Hash)
	assert.Equal(t, 2, again.Sends)
	assert.Equal(t, "smtp: 451", again.SendError)
	assert.Zero(t, again.Attempts, "UpdateToken does not write Attempts")
	got.Hash = "h3"
	require.ErrorAs(t, s.UpdateToken(ctx, &got), &ce)
	assert.Equal(t, "token", ce.Field)
	got.Hash = ""
	require.ErrorIs(t, s.UpdateToken(ctx, &got), usermgmt.ErrInvalid)
	require.ErrorIs(t, s.UpdateToken(ctx, &usermgmt.Token{ID: "none", Hash: "z"}), usermgmt.ErrNotFound)

	_, err = s.ConsumeToken(ctx, usermgmt.TokenReset, "h2", Epoch(), "x")
	require.ErrorIs(t, err, usermgmt.ErrNotFound, "another kind's token")
	_, err = s.ConsumeToken(ctx, usermgmt.TokenReset, "h3", Epoch(), "x")
	require.ErrorIs(t, err, usermgmt.ErrExpired, "now is not before ExpiresAt")
	used, err := s.ConsumeToken(ctx, usermgmt.TokenInvite, "h2", Epoch().Add(time.Minute), "accepted")
	require.NoError(t, err)
	assert.Equal(t, Epoch().Add(time.Minute).Truncate(time.Microsecond), used.UsedAt)
	assert.Equal(t, "accepted", used.Outcome)

	_, err = s.AddTokenAttempt(ctx, "none", 5)
	require.ErrorIs(t, err, usermgmt.ErrNotFound)
	n, err := s.AddTokenAttempt(ctx, "t3", 1)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	n, err = s.AddTokenAttempt(ctx, "t3", 1)
	require.ErrorIs(t, err, usermgmt.ErrLocked)
	assert.Equal(t, 1, n)

	removed, err := s.DeleteTokens(ctx, "u", usermgmt.TokenInvite)
	require.NoError(t, err)
	assert.Zero(t, removed, "used tokens stay")
	removed, err = s.DeleteTokens(ctx, "u", "")
	require.NoError(t, err)
	assert.Equal(t, 1, removed)
	require.NoError(t, s.DeleteToken(ctx, "t"))
	require.ErrorIs(t, s.DeleteToken(ctx, "t"), usermgmt.ErrNotFound)
}

func testSessions(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	w := NewWorld(t, s, "se", 0)
	u := w.User("u")
	require.NoError(t, s.CreateUser(ctx, &u))
	login := usermgmt.Session{ID: "s1", Kind: usermgmt.SessionLogin, Hash: "h1", UserID: u.ID, AccountID: "se",
		ClientKey: "ip:192.0.2.1", CreatedAt: Epoch(), LastSeen: Epoch(), ExpiresAt: Epoch().Add(time.Hour)}
	key := usermgmt.Session{ID: "s2", Kind: usermgmt.SessionAPIKey, Hash: "h2", UserID: u.ID, AccountID: "se",
		Name: "ci", CreatedAt: Epoch().Add(time.Second), LastSeen: Epoch()}
	require.NoError(t, s.CreateSession(ctx, &login))
	require.NoError(t, s.CreateSession(ctx, &key))
	var ce *usermgmt.ConflictError
	dup := login
	require.ErrorAs(t, s.CreateSession(ctx, &dup), &ce)
	assert.Equal(t, "id", ce.Field)
	dup.ID = "s3"
	require.ErrorAs(t, s.CreateSession(ctx, &dup), &ce)
	assert.Equal(t, "session", ce.Field)
	require.ErrorIs(t, s.CreateSession(ctx, &usermgmt.Session{ID: "s4", Hash: "h4", UserID: "none"}), usermgmt.ErrNotFound)
	require.ErrorIs(t, s.CreateSession(ctx, &usermgmt.Session{ID: "s4"}), usermgmt.ErrInvalid)

	got, err := s.GetSessionByHash(ctx, "h1")
	require.NoError(t, err)
	want := login
	want.CreatedAt, want.LastSeen, want.ExpiresAt = Epoch().Truncate(time.Microsecond), Epoch().Truncate(time.Microsecond), Epoch().Add(time.Hour).Truncate(time.Microsecond)
	assert.Equal(t, want, got)
	require.NoError(t, s.TouchSession(ctx, "s1", Epoch().Add(time.Minute)))
	got, err = s.GetSessionByHash(ctx, "h1")
	require.NoError(t, err)
	assert.Equal(t, Epoch().Add(time.Minute).Truncate(time.Microsecond), got.LastSeen)
	require.ErrorIs(t, s.TouchSession(ctx, "none", Epoch()), usermgmt.ErrNotFound)

	list, err := s.ListSessions(ctx, u.ID, "")
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, "s2", list[0].ID, "newest first")
	list, err = s.ListSessions(ctx, u.ID, usermgmt.SessionLogin)
	require.NoError(t, err)
	require.Len(t, list, 1)
	n, err := s.DeleteSessions(ctx, u.ID, usermgmt.SessionAPIKey)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	require.NoError(t, s.DeleteSession(ctx, "s1"))
	require.ErrorIs(t, s.DeleteSession(ctx, "s1"), usermgmt.ErrNotFound)
	n, err = s.DeleteSessions(ctx, u.ID, "")
	require.NoError(t, err)
	assert.Zero(t, n)
}

func testUsersErrors(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	w := NewWorld(t, s, "ue", 0)
	other := NewWorld(t, s, "uo", 0)
	a := w.User("a")
	a.MobilePhone, a.CustomerCode = Phone(1), "C1"
	require.NoError(t, s.CreateUser(ctx, &a))

	var ce *usermgmt.ConflictError
	for field, mut := range map[string]func(u *usermgmt.User){
		"id":            func(u *usermgmt.User) { u.ID = a.ID },
		"username":      func(u *usermgmt.User) { u.Username = "USER A" },
		"email":         func(u *usermgmt.User) { u.Email = "A@UE.EXAMPLE" },
		"mobile_phone":  func(u *usermgmt.User) { u.MobilePhone = Phone(1) },
		"customer_code": func(u *usermgmt.User) { u.CustomerCode = "C1" },
	} {
		u := w.User("b")
		mut(&u)
		require.ErrorAs(t, s.CreateUser(ctx, &u), &ce, field)
		assert.Equal(t, field, ce.Field)
	}
	// A customer code is unique within an account only.
	o := other.User("c")
	o.CustomerCode = "C1"
	require.NoError(t, s.CreateUser(ctx, &o))

	for name, mut := range map[string]func(u *usermgmt.User){
		"no id":       func(u *usermgmt.User) { u.ID = "" },
		"no username": func(u *usermgmt.User) { u.Username = "" },
		"deleted":     func(u *usermgmt.User) { u.Status = usermgmt.StatusDeleted },
	} {
		u := w.User("d")
		mut(&u)
		require.ErrorIs(t, s.CreateUser(ctx, &u), usermgmt.ErrInvalid, name)
	}
	u := w.User("e")
	u.AccountID = "none"
	require.ErrorIs(t, s.CreateUser(ctx, &u), usermgmt.ErrNotFound)
	u = w.User("e")
	u.GroupID = other.Root.ID
	require.ErrorIs(t, s.CreateUser(ctx, &u), usermgmt.ErrNotFound)

	for _, lookup := range []func() (usermgmt.User, error){
		func() (usermgmt.User, error) { return s.GetUser(ctx, "none") },
		func() (usermgmt.User, error) { return s.GetUserByUsername(ctx, "") },
		func() (usermgmt.User, error) { return s.GetUserByEmail(ctx, "none@x") },
		func() (usermgmt.User, error) { return s.GetUserByPhone(ctx, "") },
	} {
		_, err := lookup()
		require.ErrorIs(t, err, usermgmt.ErrNotFound)
	}

	a.Status = usermgmt.StatusDeleted
	require.ErrorIs(t, s.UpdateUser(ctx, &a), usermgmt.ErrInvalid)
	a.Status, a.Username, a.LastLoginAt = usermgmt.StatusActive, "renamed", Epoch().Add(time.Hour)
	require.NoError(t, s.UpdateUser(ctx, &a))
	got, err := s.GetUser(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, "user a", got.Username, "the username never changes")
	assert.True(t, got.LastLoginAt.IsZero(), "UpdateUser does not write LastLoginAt")
	require.NoError(t, s.SetLastLogin(ctx, a.ID, Epoch()))
	got, err = s.GetUser(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, Epoch().Truncate(time.Microsecond), got.LastLoginAt)
	assert.Equal(t, a.Version, got.Version, "SetLastLogin does not bump the version")

	require.NoError(t, s.SetPassword(ctx, a.ID, "h1", Epoch()))
	require.NoError(t, s.SetPassword(ctx, a.ID, "h2", Epoch()))
	pw, err := s.GetPassword(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, "h2", pw)
	require.NoError(t, s.DeleteUser(ctx, a.ID, Epoch()))
	require.ErrorIs(t, s.SetPassword(ctx, a.ID, "h3", Epoch()), usermgmt.ErrNotFound)
	require.ErrorIs(t, s.SetLastLogin(ctx, a.ID, Epoch()), usermgmt.ErrNotFound)
	require.ErrorIs(t, s.UpdateUser(ctx, &got), usermgmt.ErrNotFound)
	_, err = s.GetPassword(ctx, a.ID)
	require.ErrorIs(t, err, usermgmt.ErrNotFound)
}
