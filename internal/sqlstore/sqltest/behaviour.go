package sqltest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
)

// RunBehaviour runs the tests of what the SQL stores do beyond the
// conformance suite's contract: exact round trips through the column
// encodings, the search column, cursors and the indexes' orderings.
func RunBehaviour(t *testing.T, h Harness) {
	t.Run("UserRoundTrip", func(t *testing.T) { t.Parallel(); testUserRoundTrip(t, h) })
	t.Run("NilAndEmpty", func(t *testing.T) { t.Parallel(); testNilAndEmpty(t, h) })
	t.Run("DeleteFreesIdentifiers", func(t *testing.T) { t.Parallel(); testDeleteFrees(t, h) })
	t.Run("UserPagination", func(t *testing.T) { t.Parallel(); testUserPagination(t, h) })
	t.Run("UserFilters", func(t *testing.T) { t.Parallel(); testUserFilters(t, h) })
	t.Run("MoveGroup", func(t *testing.T) { t.Parallel(); testMoveGroup(t, h) })
	t.Run("EventPagination", func(t *testing.T) { t.Parallel(); testEventPagination(t, h) })
	t.Run("TokenPagination", func(t *testing.T) { t.Parallel(); testTokenPagination(t, h) })
	t.Run("BadCursors", func(t *testing.T) { t.Parallel(); testBadCursors(t, h) })
	t.Run("CountersAndPurge", func(t *testing.T) { t.Parallel(); testCountersAndPurge(t, h) })
	t.Run("AccountMove", func(t *testing.T) { t.Parallel(); testAccountMove(t, h) })
}

func testUserRoundTrip(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	w := NewWorld(t, s, "rt", 0)
	u := usermgmt.User{
		ID: "rt-full", AccountID: w.Account.ID, GroupID: w.Child.ID, Kind: usermgmt.KindPerson,
		Type: usermgmt.TypeAdmin, Status: usermgmt.StatusSuspended, SuspendedUntil: Epoch().Add(48 * time.Hour),
		Username: "Zoë Ünïcode", FirstName: "Zoë", LastName: "O'Brien", Email: "Zoe@Example.COM",
		MobilePhone: "+447700900123", BusinessPhone: "+442071838750", Company: "Acme \"Ltd\"",
		CustomerCode: "C-42", UDID: "udid-1", TimeZone: "Europe/London", Language: "en-GB", Country: "GB",
		FriendlyName: "Zo", Notes: "line one\nline two ☃", ServiceLevel: usermgmt.LevelPro,
		Services: []usermgmt.Channel{usermgmt.ChannelSMS, usermgmt.ChannelFax}, DefaultNumber: "+447700900999",
		AddressBook: true, Settings: map[string]string{"signature": "— Zo", "lang": "en"},
		LastLoginAt: Epoch().Add(-time.Hour), CreatedAt: Epoch(), UpdatedAt: Epoch().Add(time.Second),
	}
	in := u
	require.NoError(t, s.CreateUser(ctx, &in))
	assert.Equal(t, int64(1), in.Version)

	want := u
	want.Version = 1
	for _, tm := range []*time.Time{&want.SuspendedUntil, &want.LastLoginAt, &want.CreatedAt, &want.UpdatedAt} {
		*tm = tm.UTC().Truncate(time.Microsecond)
	}
	for name, get := range map[string]func() (usermgmt.User, error){
		"id":       func() (usermgmt.User, error) { return s.GetUser(ctx, u.ID) },
		"username": func() (usermgmt.User, error) { return s.GetUserByUsername(ctx, "ZOË ÜNÏCODE") },
		"email":    func() (usermgmt.User, error) { return s.GetUserByEmail(ctx, "zoe@example.com") },
		"phone":    func() (usermgmt.User, error) { return s.GetUserByPhone(ctx, "+447700900123") },
	} {
		got, err := get()
		require.NoError(t, err, name)
		assert.Equal(t, want, got, name)
	}

	// A time in another zone comes back as the same instant in UTC.
	in.UpdatedAt = time.Date(2030, 1, 2, 3, 4, 5, 6789, time.FixedZone("X", 5*3600))
	in.Notes = ""
	require.NoError(t, s.UpdateUser(ctx, &in))
	got, err := s.GetUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2030, 1, 1, 22, 4, 5, 6000, time.UTC), got.UpdatedAt)
	assert.Equal(t, int64(2), got.Version)
	assert.Empty(t, got.Notes)
	assert.Equal(t, want.LastLoginAt, got.LastLoginAt, "UpdateUser keeps LastLoginAt")
}

func testNilAndEmpty(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	w := NewWorld(t, s, "nil", 0)

	a := w.User("a") // nil Services, nil Settings
	b := w.User("b")
	b.Services, b.Settings = []usermgmt.Channel{}, map[string]string{}
	require.NoError(t, s.CreateUser(ctx, &a))
	require.NoError(t, s.CreateUser(ctx, &b))
	ga, err := s.GetUser(ctx, a.ID)
	require.NoError(t, err)
	gb, err := s.GetUser(ctx, b.ID)
	require.NoError(t, err)
	assert.Nil(t, ga.Services)
	assert.Nil(t, ga.Settings)
	assert.NotNil(t, gb.Services)
	assert.Empty(t, gb.Services)
	assert.NotNil(t, gb.Settings)

	for i, data := range [][]byte{nil, {}, {0, 1, 2, 255}} {
		tok := usermgmt.Token{ID: fmt.Sprint("t", i), Kind: usermgmt.TokenInvite, Hash: fmt.Sprint("h", i),
			Data: data, CreatedAt: Epoch(), ExpiresAt: Epoch().Add(time.Hour)}
		require.NoError(t, s.CreateToken(ctx, &tok))
		got, err := s.GetToken(ctx, tok.ID)
		require.NoError(t, err)
		assert.Equal(t, data, got.Data, "data %d", i)
		assert.Equal(t, data == nil, got.Data == nil, "data %d nil-ness", i)
	}

	ev := usermgmt.Event{ID: "e", AccountID: w.Account.ID, Action: "a", At: time.Time{}}
	require.NoError(t, s.AppendEvent(ctx, &ev))
	events, _, err := s.ListEvents(ctx, usermgmt.EventFilter{AccountID: w.Account.ID}, usermgmt.Page{})
	require.NoError(t, err)
	require.Len(t, events, 1)
	assert.Equal(t, ev, events[0], "a zero time and nil fields round-trip")
}

func testDeleteFrees(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	w := NewWorld(t, s, "del", 2)
	u := w.User("a")
	u.MobilePhone, u.CustomerCode = Phone(1), "code"
	require.NoError(t, s.CreateUser(ctx, &u))
	admin := w.User("admin")
	admin.Type = usermgmt.TypeAdmin
	require.NoError(t, s.CreateUser(ctx, &admin))
	require.NoError(t, s.SetPassword(ctx, u.ID, "hash", Epoch()))
	require.NoError(t, s.CreateSession(ctx, &usermgmt.Session{ID: "s1", Kind: usermgmt.SessionLogin, Hash: "sh", UserID: u.ID, AccountID: w.Account.ID, CreatedAt: Epoch(), LastSeen: Epoch()}))
	require.NoError(t, s.CreateToken(ctx, &usermgmt.Token{ID: "t1", Kind: usermgmt.TokenReset, Hash: "th", UserID: u.ID, CreatedAt: Epoch(), ExpiresAt: Epoch().Add(time.Hour)}))
	require.NoError(t, s.CreateGrant(ctx, &usermgmt.Grant{ID: "g1", AccountID: w.Account.ID, UserID: admin.ID, Scope: usermgmt.Scope{UserID: u.ID}, Permissions: []usermgmt.Permission{usermgmt.PermUsers}, CreatedAt: Epoch()}))
	require.NoError(t, s.CreateAlias(ctx, &usermgmt.Alias{Address: "Alias@x.example", UserID: u.ID, AccountID: w.Account.ID, CreatedAt: Epoch()}))
	require.NoError(t, s.CreateNumber(ctx, &usermgmt.Number{E164: Phone(900), AccountID: w.Account.ID, UserID: u.ID, CreatedAt: Epoch()}))

	at := Epoch().Add(time.Hour)
	require.NoError(t, s.DeleteUser(ctx, u.ID, at))
	require.ErrorIs(t, s.DeleteUser(ctx, u.ID, at), usermgmt.ErrNotFound)

	got, err := s.GetUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, usermgmt.User{ID: u.ID, AccountID: u.AccountID, GroupID: u.GroupID, Kind: u.Kind, Type: u.Type,
		Status: usermgmt.StatusDeleted, CreatedAt: u.CreatedAt.Truncate(time.Microsecond),
		UpdatedAt: at.Truncate(time.Microsecond), DeletedAt: at.Truncate(time.Microsecond), Version: 2}, got)
	_, err = s.GetPassword(ctx, u.ID)
	require.ErrorIs(t, err, usermgmt.ErrNotFound)
	_, err = s.GetSessionByHash(ctx, "sh")
	require.ErrorIs(t, err, usermgmt.ErrNotFound)
	_, err = s.GetToken(ctx, "t1")
	require.ErrorIs(t, err, usermgmt.ErrNotFound)
	_, err = s.GetGrant(ctx, "g1")
	require.ErrorIs(t, err, usermgmt.ErrNotFound)
	_, err = s.GetAlias(ctx, "alias@x.example")
	require.ErrorIs(t, err, usermgmt.ErrNotFound)
	n, err := s.GetNumber(ctx, Phone(900))
	require.NoError(t, err)
	assert.Empty(t, n.UserID)

	// Identifiers and the seat are free at once.
	again := w.User("again")
	again.Username, again.Email, again.MobilePhone, again.CustomerCode = u.Username, u.Email, u.MobilePhone, u.CustomerCode
	require.NoError(t, s.CreateUser(ctx, &again))
	c, err := s.CountUsers(ctx, w.Account.ID)
	require.NoError(t, err)
	assert.Equal(t, 2, c.Total)
}

func testUserPagination(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	w := NewWorld(t, s, "page", 0)
	const n = 123
	require.NoError(t, s.WithTx(ctx, func(tx usermgmt.Tx) error {
		for i := range n {
			u := w.User(fmt.Sprintf("%03d", (i*37)%n))
			if i%2 == 0 {
				u.Username = "User " + u.Username[5:] // case differs, order by key
			}
			if err := tx.CreateUser(ctx, &u); err != nil {
				return err
			}
		}
		return nil
	}))
	var (
		all   []string
		after string
		pages int
	)
	for {
		users, next, err := s.ListUsers(ctx, usermgmt.UserFilter{AccountID: w.Account.ID}, usermgmt.Page{After: after, Limit: 50})
		require.NoError(t, err)
		pages++
		for _, u := range users {
			all = append(all, usermgmt.UsernameKey(u.Username))
		}
		if next == "" {
			assert.Len(t, users, n%50)
			break
		}
		assert.Len(t, users, 50)
		after = next
	}
	assert.Equal(t, 3, pages)
	require.Len(t, all, n)
	for i := 1; i < n; i++ {
		assert.Less(t, all[i-1], all[i])
	}
	// A page that ends exactly at the end has no next cursor.
	users, next, err := s.ListUsers(ctx, usermgmt.UserFilter{AccountID: w.Account.ID}, usermgmt.Page{Limit: n})
	require.NoError(t, err)
	assert.Len(t, users, n)
	assert.Empty(t, next)
}

func testUserFilters(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	w := NewWorld(t, s, "filter", 0)
	other := NewWorld(t, s, "other", 0)
	grand := usermgmt.Group{ID: "grand", AccountID: w.Account.ID, ParentID: w.Child.ID, Name: "Grand"}
	require.NoError(t, s.CreateGroup(ctx, &grand))
	sibling := usermgmt.Group{ID: "sib", AccountID: w.Account.ID, ParentID: w.Root.ID, Name: "Sibling"}
	require.NoError(t, s.CreateGroup(ctx, &sibling))

	mk := func(tx usermgmt.Tx, name, group string, st usermgmt.Status, lvl usermgmt.ServiceLevel, book bool) {
		u := w.User(name)
		u.GroupID, u.Status, u.ServiceLevel, u.AddressBook = group, st, lvl, book
		require.NoError(t, tx.CreateUser(ctx, &u))
	}
	require.NoError(t, s.WithTx(ctx, func(tx usermgmt.Tx) error {
		mk(tx, "root1", w.Root.ID, usermgmt.StatusActive, usermgmt.LevelArchive, false)
		mk(tx, "child1", w.Child.ID, usermgmt.StatusActive, usermgmt.LevelPro, true)
		mk(tx, "child2", w.Child.ID, usermgmt.StatusSuspended, usermgmt.LevelArchive, false)
		mk(tx, "grand1", grand.ID, usermgmt.StatusDisabled, usermgmt.LevelPro, true)
		mk(tx, "sib1", sibling.ID, usermgmt.StatusPending, usermgmt.LevelArchive, false)
		u := w.User("émile")
		u.FirstName, u.LastName = "ÉMILE", "Zola"
		u.GroupID = sibling.ID
		return tx.CreateUser(ctx, &u)
	}))
	o := other.User("x")
	o.FirstName = "Child1"
	require.NoError(t, s.CreateUser(ctx, &o))

	names := func(f usermgmt.UserFilter) []string {
		t.Helper()
		f.AccountID = w.Account.ID
		users, _, err := s.ListUsers(ctx, f, usermgmt.Page{Limit: 100})
		require.NoError(t, err)
		out := []string{}
		for _, u := range users {
			out = append(out, u.Username[5:])
		}
		return out
	}
	active, suspended := usermgmt.StatusActive, usermgmt.StatusSuspended
	cases := []struct {
		name string
		f    usermgmt.UserFilter
		want []string
	}{
		{"all", usermgmt.UserFilter{}, []string{"child1", "child2", "grand1", "root1", "sib1", "émile"}},
		{"subtree", usermgmt.UserFilter{Group: w.Child.ID}, []string{"child1", "child2", "grand1"}},
		{"leaf", usermgmt.UserFilter{Group: grand.ID}, []string{"grand1"}},
		{"other account's group", usermgmt.UserFilter{Group: other.Child.ID}, []string{}},
		{"one status", usermgmt.UserFilter{Statuses: []usermgmt.Status{active}}, []string{"child1", "root1", "émile"}},
		{"two statuses", usermgmt.UserFilter{Statuses: []usermgmt.Status{active, suspended}}, []string{"child1", "child2", "root1", "émile"}},
		{"level", usermgmt.UserFilter{ServiceLevel: usermgmt.LevelPro}, []string{"child1", "grand1"}},
		{"address book", usermgmt.UserFilter{AddressBook: true}, []string{"child1", "grand1"}},
		{"query case-insensitive", usermgmt.UserFilter{Query: "CHILD"}, []string{"child1", "child2"}},
		{"query unicode", usermgmt.UserFilter{Query: "émi"}, []string{"émile"}},
		{"query email", usermgmt.UserFilter{Query: "grand1@filter"}, []string{"grand1"}},
		{"query no cross-field match", usermgmt.UserFilter{Query: "firstroot1last"}, []string{}},
		{"query like wildcards are literal", usermgmt.UserFilter{Query: "%"}, []string{}},
		{"within groups", usermgmt.UserFilter{Within: &usermgmt.Visibility{Groups: []string{grand.ID, sibling.ID}}}, []string{"grand1", "sib1", "émile"}},
		{"within users", usermgmt.UserFilter{Within: &usermgmt.Visibility{Users: []string{w.User("root1").ID, o.ID}}}, []string{"root1"}},
		{"within both", usermgmt.UserFilter{Within: &usermgmt.Visibility{Groups: []string{grand.ID}, Users: []string{w.User("root1").ID}}}, []string{"grand1", "root1"}},
		{"within nobody", usermgmt.UserFilter{Within: &usermgmt.Visibility{}}, []string{}},
		{"combined", usermgmt.UserFilter{Group: w.Child.ID, Statuses: []usermgmt.Status{active}, ServiceLevel: usermgmt.LevelPro, Query: "1"}, []string{"child1"}},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, names(c.f), c.name)
	}
}

func testMoveGroup(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	w := NewWorld(t, s, "move", 0)
	mk := func(id, parent string) usermgmt.Group {
		g := usermgmt.Group{ID: id, AccountID: w.Account.ID, ParentID: parent, Name: id}
		require.NoError(t, s.CreateGroup(ctx, &g))
		return g
	}
	a := mk("a", w.Root.ID)
	b := mk("b", a.ID)
	mk("c", b.ID)
	d := mk("d", w.Root.ID)
	mk("a0", w.Root.ID) // sorts right after "a/": must not move with it

	require.ErrorIs(t, s.MoveGroup(ctx, a.ID, b.ID, Epoch()), usermgmt.ErrConflict)
	require.ErrorIs(t, s.MoveGroup(ctx, a.ID, a.ID, Epoch()), usermgmt.ErrConflict)
	require.ErrorIs(t, s.MoveGroup(ctx, w.Root.ID, d.ID, Epoch()), usermgmt.ErrConflict)
	require.ErrorIs(t, s.MoveGroup(ctx, a.ID, "missing", Epoch()), usermgmt.ErrNotFound)
	require.NoError(t, s.MoveGroup(ctx, a.ID, d.ID, Epoch()))

	groups, err := s.ListGroups(ctx, w.Account.ID)
	require.NoError(t, err)
	paths := map[string]string{}
	for _, g := range groups {
		paths[g.ID] = g.Path
	}
	root := "/" + w.Root.ID + "/"
	assert.Equal(t, map[string]string{
		w.Root.ID: root, w.Child.ID: root + w.Child.ID + "/",
		"d": root + "d/", "a": root + "d/a/", "b": root + "d/a/b/", "c": root + "d/a/b/c/", "a0": root + "a0/",
	}, paths)
	got, err := s.GetGroup(ctx, "a")
	require.NoError(t, err)
	assert.Equal(t, "d", got.ParentID)

	// Deleting: not while it has subgroups or live users.
	require.ErrorIs(t, s.DeleteGroup(ctx, "b"), usermgmt.ErrConflict)
	require.ErrorIs(t, s.DeleteGroup(ctx, w.Root.ID), usermgmt.ErrConflict)
	u := w.User("in-c")
	u.GroupID = "c"
	require.NoError(t, s.CreateUser(ctx, &u))
	require.ErrorIs(t, s.DeleteGroup(ctx, "c"), usermgmt.ErrConflict)
	require.NoError(t, s.DeleteUser(ctx, u.ID, Epoch()))
	require.NoError(t, s.DeleteGroup(ctx, "c"))
	require.ErrorIs(t, s.DeleteGroup(ctx, "c"), usermgmt.ErrNotFound)
}

func testEventPagination(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	const n = 75
	require.NoError(t, s.WithTx(ctx, func(tx usermgmt.Tx) error {
		for i := range n {
			e := usermgmt.Event{ID: fmt.Sprintf("e%03d", i), AccountID: "acc", ActorID: fmt.Sprint("u", i%3),
				TargetType: "user", TargetID: fmt.Sprint("u", (i+1)%3), Action: fmt.Sprint("act", i%2), Outcome: usermgmt.OutcomeOK,
				At: Epoch().Add(time.Duration(i/2) * time.Second)} // pairs share a time: ties break by id
			if err := tx.AppendEvent(ctx, &e); err != nil {
				return err
			}
		}
		return nil
	}))
	var ids []string
	after := ""
	for {
		events, next, err := s.ListEvents(ctx, usermgmt.EventFilter{AccountID: "acc"}, usermgmt.Page{After: after, Limit: 20})
		require.NoError(t, err)
		for _, e := range events {
			ids = append(ids, e.ID)
		}
		if next == "" {
			break
		}
		after = next
	}
	require.Len(t, ids, n)
	for i := range n {
		assert.Equal(t, fmt.Sprintf("e%03d", n-1-i), ids[i])
	}
	events, _, err := s.ListEvents(ctx, usermgmt.EventFilter{AccountID: "acc", UserID: "u0", Action: "act0",
		Since: Epoch().Add(10 * time.Second), Until: Epoch().Add(20 * time.Second)}, usermgmt.Page{})
	require.NoError(t, err)
	for _, e := range events {
		assert.True(t, e.ActorID == "u0" || e.TargetID == "u0")
		assert.Equal(t, "act0", e.Action)
		assert.False(t, e.At.Before(Epoch().Add(10*time.Second).Truncate(time.Microsecond)))
		assert.True(t, e.At.Before(Epoch().Add(20*time.Second)))
	}
	assert.NotEmpty(t, events)

	// A target matches the user filter only when it is a user.
	require.NoError(t, s.AppendEvent(ctx, &usermgmt.Event{ID: "grp", AccountID: "acc", ActorID: "admin",
		TargetType: "group", TargetID: "u9", At: Epoch()}))
	require.NoError(t, s.AppendEvent(ctx, &usermgmt.Event{ID: "usr", AccountID: "acc", ActorID: "admin",
		TargetType: "user", TargetID: "u9", At: Epoch()}))
	events, _, err = s.ListEvents(ctx, usermgmt.EventFilter{AccountID: "acc", UserID: "u9"}, usermgmt.Page{})
	require.NoError(t, err)
	require.Len(t, events, 1)
	assert.Equal(t, "usr", events[0].ID)
	require.ErrorIs(t, s.AppendEvent(ctx, &usermgmt.Event{ID: "x"}), usermgmt.ErrInvalid, "an event needs an account")
}

func testTokenPagination(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	for i := range 30 {
		tok := usermgmt.Token{ID: fmt.Sprintf("t%02d", i), Kind: usermgmt.TokenInvite, Hash: fmt.Sprint("h", i),
			AccountID: "acc", Email: fmt.Sprintf("Person%d@X.example", i%2), CreatedAt: Epoch().Add(time.Duration(i) * time.Minute),
			ExpiresAt: Epoch().Add(time.Hour)}
		require.NoError(t, s.CreateToken(ctx, &tok))
	}
	_, err := s.ConsumeToken(ctx, usermgmt.TokenInvite, "h28", Epoch(), "accepted")
	require.NoError(t, err)
	var ids []string
	after := ""
	for {
		toks, next, err := s.ListTokens(ctx, usermgmt.TokenFilter{AccountID: "acc", Email: "person0@x.EXAMPLE", Unused: true},
			usermgmt.Page{After: after, Limit: 4})
		require.NoError(t, err)
		for _, tk := range toks {
			ids = append(ids, tk.ID)
		}
		if next == "" {
			break
		}
		after = next
	}
	want := []string{}
	for i := 26; i >= 0; i -= 2 {
		want = append(want, fmt.Sprintf("t%02d", i))
	}
	assert.Equal(t, want, ids)
}

func testBadCursors(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	w := NewWorld(t, s, "cur", 0)
	for i := range 3 {
		u := w.User(fmt.Sprint(i))
		require.NoError(t, s.CreateUser(ctx, &u))
		require.NoError(t, s.AppendEvent(ctx, &usermgmt.Event{ID: fmt.Sprint("e", i), AccountID: w.Account.ID, At: Epoch()}))
	}
	_, userCursor, err := s.ListUsers(ctx, usermgmt.UserFilter{AccountID: w.Account.ID}, usermgmt.Page{Limit: 1})
	require.NoError(t, err)
	require.NotEmpty(t, userCursor)
	for _, bad := range []string{"x", "!!!", "AAAA", userCursor + "=", userCursor[:len(userCursor)-1]} {
		_, _, err := s.ListUsers(ctx, usermgmt.UserFilter{AccountID: w.Account.ID}, usermgmt.Page{After: bad})
		if err != nil {
			require.ErrorIs(t, err, usermgmt.ErrInvalid, bad)
		}
	}
	_, _, err = s.ListEvents(ctx, usermgmt.EventFilter{AccountID: w.Account.ID}, usermgmt.Page{After: userCursor})
	require.ErrorIs(t, err, usermgmt.ErrInvalid, "a users cursor is refused by events")
	_, _, err = s.ListTokens(ctx, usermgmt.TokenFilter{}, usermgmt.Page{After: userCursor})
	require.ErrorIs(t, err, usermgmt.ErrInvalid)
}

func testCountersAndPurge(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	w := NewWorld(t, s, "purge", 0)
	win := time.Minute
	for i, want := range []int64{1, 2, 3} {
		c, err := s.Hit(ctx, "k", Epoch().Add(time.Duration(i)*time.Second), win)
		require.NoError(t, err)
		assert.Equal(t, want, c)
	}
	c, err := s.GetCounter(ctx, "k", Epoch().Add(59*time.Second), win)
	require.NoError(t, err)
	assert.Equal(t, int64(3), c.Count)
	assert.Equal(t, Epoch().Truncate(time.Microsecond), c.WindowStart)
	assert.Equal(t, Epoch().Add(2*time.Second).Truncate(time.Microsecond), c.Last)
	c, err = s.GetCounter(ctx, "k", Epoch().Add(win), win)
	require.NoError(t, err)
	assert.Equal(t, usermgmt.Counter{Key: "k"}, c, "the window has ended")
	n, err := s.Hit(ctx, "k", Epoch().Add(win), win)
	require.NoError(t, err)
	assert.Equal(t, int64(1), n, "a new window starts at the first hit after the last ended")
	require.NoError(t, s.ResetCounter(ctx, "k"))
	c, err = s.GetCounter(ctx, "k", Epoch(), win)
	require.NoError(t, err)
	assert.Equal(t, usermgmt.Counter{Key: "k"}, c)

	u := w.User("a")
	require.NoError(t, s.CreateUser(ctx, &u))
	old, fresh := Epoch().Add(-time.Hour), Epoch().Add(time.Hour)
	require.NoError(t, s.CreateSession(ctx, &usermgmt.Session{ID: "s-old", Kind: usermgmt.SessionLogin, Hash: "s1", UserID: u.ID, CreatedAt: old, LastSeen: old, ExpiresAt: old}))
	require.NoError(t, s.CreateSession(ctx, &usermgmt.Session{ID: "s-key", Kind: usermgmt.SessionAPIKey, Hash: "s2", UserID: u.ID, CreatedAt: old, LastSeen: old}))
	require.NoError(t, s.CreateToken(ctx, &usermgmt.Token{ID: "t-exp", Hash: "t1", CreatedAt: old, ExpiresAt: old}))
	require.NoError(t, s.CreateToken(ctx, &usermgmt.Token{ID: "t-used", Hash: "t2", CreatedAt: old, ExpiresAt: fresh, UsedAt: old}))
	require.NoError(t, s.CreateToken(ctx, &usermgmt.Token{ID: "t-live", Hash: "t3", CreatedAt: old, ExpiresAt: fresh}))
	_, err = s.Hit(ctx, "old", old, win)
	require.NoError(t, err)
	_, err = s.Hit(ctx, "new", fresh, win)
	require.NoError(t, err)

	removed, err := s.Purge(ctx, Epoch())
	require.NoError(t, err)
	assert.Equal(t, 4, removed)
	sessions, err := s.ListSessions(ctx, u.ID, "")
	require.NoError(t, err)
	require.Len(t, sessions, 1)
	assert.Equal(t, "s-key", sessions[0].ID)
	_, err = s.GetToken(ctx, "t-live")
	require.NoError(t, err)
}

func testAccountMove(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	from := NewWorld(t, s, "from", 0)
	to := NewWorld(t, s, "to", 1)
	a, b := from.User("a"), from.User("b")
	require.NoError(t, s.CreateUser(ctx, &a))
	require.NoError(t, s.CreateUser(ctx, &b))
	a.AccountID, a.GroupID = to.Account.ID, to.Root.ID
	require.NoError(t, s.UpdateUser(ctx, &a))
	b.AccountID, b.GroupID = to.Account.ID, to.Root.ID
	require.ErrorIs(t, s.UpdateUser(ctx, &b), usermgmt.ErrSeatLimit)
	fc, err := s.CountUsers(ctx, from.Account.ID)
	require.NoError(t, err)
	tc, err := s.CountUsers(ctx, to.Account.ID)
	require.NoError(t, err)
	assert.Equal(t, 1, fc.Total)
	assert.Equal(t, 1, tc.Total)
	assert.Equal(t, map[usermgmt.Status]int{usermgmt.StatusActive: 1}, tc.ByStatus)
	b.AccountID, b.GroupID = from.Account.ID, to.Root.ID
	require.ErrorIs(t, s.UpdateUser(ctx, &b), usermgmt.ErrNotFound, "group of another account")
}
