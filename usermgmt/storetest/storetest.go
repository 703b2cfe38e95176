package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
)

// Run runs the conformance suite on the stores newStore returns. Each
// call of newStore must return a fresh, empty store that shares nothing
// with the stores of other calls; it is called once per top-level group
// of subtests, from parallel subtests.
func Run(t *testing.T, newStore func(t *testing.T) usermgmt.Store) {
	t.Helper()
	if newStore == nil {
		t.Fatal("storetest: run needs a newStore function")
	}
	r := &runner{newStore: newStore}
	groups := []struct {
		name string
		run  func(t *testing.T, r *runner)
	}{
		{"Accounts", testAccounts},
		{"Groups", testGroups},
		{"Users", testUsers},
		{"ListUsers", testListUsers},
		{"Pagination", testPagination},
		{"Seats", testSeats},
		{"Passwords", testPasswords},
		{"Sessions", testSessions},
		{"Grants", testGrants},
		{"Numbers", testNumbers},
		{"Aliases", testAliases},
		{"Tokens", testTokens},
		{"Events", testEvents},
		{"Counters", testCounters},
		{"Purge", testPurge},
		{"Tx", testTx},
		{"Times", testTimes},
		{"Context", testContext},
		{"NotFound", testNotFound},
		{"Copies", testCopies},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			g.run(t, r)
		})
	}
}

// runner holds what the subtests of one Run share.
type runner struct {
	newStore func(t *testing.T) usermgmt.Store
	seq      atomic.Int64 // numbers fixtures so that their identifiers never collide
}

// store returns a fresh store for a group of subtests.
func (r *runner) store(t *testing.T) usermgmt.Store {
	t.Helper()
	s := r.newStore(t)
	if s == nil {
		t.Fatal("storetest: newStore returned nil")
	}
	return s
}

// parallel runs fn as a parallel subtest called name.
func parallel(t *testing.T, name string, fn func(t *testing.T)) {
	t.Helper()
	t.Run(name, func(t *testing.T) {
		t.Parallel()
		fn(t)
	})
}

// epoch is the suite's clock: a time in a zone east of UTC with
// nanoseconds, so that every round trip checks that stores keep times in
// UTC at microsecond precision.
func epoch() time.Time {
	return time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.FixedZone("IST", 5*3600+1800))
}

// at returns the suite's clock moved by d.
func at(d time.Duration) time.Time { return epoch().Add(d) }

// us is t as every store returns it.
func us(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// want returns v as a store returns it: every time in UTC truncated to
// the microsecond, every empty slice or map nil.
func want[T any](v T) T { return canon(v, true) }

// got returns v with every empty slice or map nil, so that a store may
// return either; times are left as they are.
func got[T any](v T) T { return canon(v, false) }

var timeType = reflect.TypeFor[time.Time]()

func canon[T any](v T, times bool) T {
	rv := reflect.ValueOf(&v).Elem()
	canonValue(rv, times)
	return v
}

func canonValue(v reflect.Value, times bool) {
	switch {
	case v.Type() == timeType:
		if times {
			v.Set(reflect.ValueOf(us(v.Interface().(time.Time))))
		}
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				canonValue(v.Field(i), times)
			}
		}
	case v.Kind() == reflect.Slice:
		if v.Len() == 0 {
			v.Set(reflect.Zero(v.Type()))
			return
		}
		// Work on a copy: the caller's elements stay as they are.
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(c, v)
		for i := range c.Len() {
			canonValue(c.Index(i), times)
		}
		v.Set(c)
	case v.Kind() == reflect.Map:
		if v.Len() == 0 {
			v.Set(reflect.Zero(v.Type()))
		}
	case v.Kind() == reflect.Interface && !v.IsNil():
		c := reflect.New(v.Elem().Type()).Elem()
		c.Set(v.Elem())
		canonValue(c, times)
		v.Set(c)
	}
}

// ids returns the IDs of users, in order.
func ids(users []usermgmt.User) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = u.ID
	}
	return out
}

// race runs fn(0) … fn(n-1) in n goroutines released together by a
// barrier and returns their errors by index.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var ready, done sync.WaitGroup
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	return errs
}

// tally counts the nil errors and those matching target, and fails t on
// any other.
func tally(t *testing.T, errs []error, target error) (ok, matched int) {
	t.Helper()
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, target):
			matched++
		default:
			t.Errorf("call %d: unexpected error: %v", i, err)
		}
	}
	return ok, matched
}

// conflictField returns the Field of the *usermgmt.ConflictError in err,
// failing t when there is none.
func conflictField(t *testing.T, err error) string {
	t.Helper()
	var ce *usermgmt.ConflictError
	require.ErrorAs(t, err, &ce, "want a *usermgmt.ConflictError")
	require.ErrorIs(t, err, usermgmt.ErrConflict, "a *ConflictError matches ErrConflict")
	return ce.Field
}

// requireConflict fails t unless err is a *usermgmt.ConflictError naming
// field.
func requireConflict(t *testing.T, err error, field string) {
	t.Helper()
	require.Equal(t, field, conflictField(t, err), "conflict field")
}

// fixture is an account with a root group and a child group, and makes
// users, groups and other records in it. Its identifiers (ids, usernames,
// e-mails, phones) never collide with another fixture's of the same Run.
type fixture struct {
	t       *testing.T
	ctx     context.Context
	s       usermgmt.Store
	n       int64  // the fixture's number in the Run
	ID      string // the account id; also prefixes every id of the fixture
	Account usermgmt.Account
	Root    usermgmt.Group
	Child   usermgmt.Group
	users   int // users built so far
	groups  int // extra groups created so far
	other   int // other records built so far
}

// fixture creates an account with seats seats (0: unlimited), a root
// group and a child group in s.
func (r *runner) fixture(t *testing.T, s usermgmt.Store, seats int) *fixture {
	t.Helper()
	n := r.seq.Add(1)
	id := fmt.Sprintf("acct%d", n)
	f := &fixture{t: t, ctx: context.Background(), s: s, n: n, ID: id}
	f.Account = usermgmt.Account{
		ID: id, Name: "Account " + id, OwnerID: id + "-u0", RootGroupID: id + "-root",
		SeatLimit: seats, TwoFactor: true,
		Contact:   usermgmt.Contact{Name: "Ann Admin", Email: "admin@" + id + ".example.com", Phone: "+15550100000"},
		Defaults:  usermgmt.Defaults{Country: "GB", Language: "en-GB", TimeZone: "Europe/London", ServiceLevel: usermgmt.LevelArchive},
		Settings:  map[string]string{"signature": "Sent by " + id},
		CreatedAt: epoch(), UpdatedAt: epoch(),
	}
	require.NoError(t, s.CreateAccount(f.ctx, &f.Account), "create account")
	f.Root = usermgmt.Group{ID: id + "-root", AccountID: id, Name: "Head office", CreatedAt: epoch(), UpdatedAt: epoch()}
	require.NoError(t, s.CreateGroup(f.ctx, &f.Root), "create root group")
	f.Child = usermgmt.Group{ID: id + "-child", AccountID: id, ParentID: f.Root.ID, Name: "Sales", CreatedAt: epoch(), UpdatedAt: epoch()}
	require.NoError(t, s.CreateGroup(f.ctx, &f.Child), "create child group")
	return f
}

// newUser returns a valid, active, unsaved user of the root group with
// every field set and identifiers of its own. opts change it.
func (f *fixture) newUser(opts ...func(u *usermgmt.User)) usermgmt.User {
	f.users++
	i := f.users
	u := usermgmt.User{
		ID: fmt.Sprintf("%s-u%d", f.ID, i), AccountID: f.ID, GroupID: f.Root.ID,
		Kind: usermgmt.KindPerson, Type: usermgmt.TypeEndUser, Status: usermgmt.StatusActive,
		Username:      fmt.Sprintf("User.%s.%d", f.ID, i),
		FirstName:     fmt.Sprintf("Ann%d", i),
		LastName:      "Lee-" + f.ID,
		Email:         fmt.Sprintf("User%d@%s.Example.com", i, f.ID),
		MobilePhone:   f.phone(i),
		BusinessPhone: "+442071838750",
		Company:       "Acme " + f.ID,
		CustomerCode:  fmt.Sprintf("CC-%s-%d", f.ID, i),
		UDID:          fmt.Sprintf("udid-%s-%d", f.ID, i),
		TimeZone:      "Europe/London",
		Language:      "en-GB",
		Country:       "GB",
		FriendlyName:  fmt.Sprintf("Annie %d", i),
		Notes:         "created by the conformance suite",
		ServiceLevel:  usermgmt.LevelArchive,
		Services:      []usermgmt.Channel{usermgmt.ChannelSMS},
		AddressBook:   true,
		Settings:      map[string]string{"signature": fmt.Sprintf("Ann %d", i)},
		CreatedAt:     epoch(),
		UpdatedAt:     epoch(),
	}
	for _, opt := range opts {
		opt(&u)
	}
	return u
}

// phone returns the fixture's i-th mobile phone number in E.164.
func (f *fixture) phone(i int) string { return fmt.Sprintf("+1%03d55%05d", f.n%1000, i) }

// user creates a user built by newUser and returns it as stored.
func (f *fixture) user(opts ...func(u *usermgmt.User)) usermgmt.User {
	f.t.Helper()
	u := f.newUser(opts...)
	require.NoError(f.t, f.s.CreateUser(f.ctx, &u), "create user %s", u.ID)
	return u
}

// group creates a group under parent and returns it.
func (f *fixture) group(parent string) usermgmt.Group {
	f.t.Helper()
	f.groups++
	g := usermgmt.Group{ID: fmt.Sprintf("%s-g%d", f.ID, f.groups), AccountID: f.ID, ParentID: parent,
		Name: fmt.Sprintf("Group %d", f.groups), CreatedAt: epoch(), UpdatedAt: epoch()}
	require.NoError(f.t, f.s.CreateGroup(f.ctx, &g), "create group %s", g.ID)
	return g
}

// next returns a new id for a record of the fixture, e.g. "acct3-tok2".
func (f *fixture) next(kind string) string {
	f.other++
	return fmt.Sprintf("%s-%s%d", f.ID, kind, f.other)
}

// getUser reads a user, failing t on error.
func (f *fixture) getUser(id string) usermgmt.User {
	f.t.Helper()
	u, err := f.s.GetUser(f.ctx, id)
	require.NoError(f.t, err, "get user %s", id)
	return u
}

// getAccount reads the fixture's account, failing t on error.
func (f *fixture) getAccount() usermgmt.Account {
	f.t.Helper()
	a, err := f.s.GetAccount(f.ctx, f.ID)
	require.NoError(f.t, err, "get account")
	return a
}

// listAll returns every user ListUsers returns for filter, following
// cursors with pages of size limit.
func listAll(t *testing.T, s usermgmt.Tx, filter usermgmt.UserFilter, limit int) []usermgmt.User {
	t.Helper()
	var out []usermgmt.User
	after := ""
	for range 10000 {
		page, next, err := s.ListUsers(context.Background(), filter, usermgmt.Page{After: after, Limit: limit})
		require.NoError(t, err, "list users")
		require.LessOrEqual(t, len(page), usermgmt.Page{Limit: limit}.Size(), "page size")
		out = append(out, page...)
		if next == "" {
			return out
		}
		require.NotEmpty(t, page, "a page with a next cursor is not empty")
		after = next
	}
	t.Fatal("list users: the cursors never ended")
	return nil
}

// newToken returns an unsaved pending token of the fixture for user.
func (f *fixture) newToken(kind usermgmt.TokenKind, userID string) usermgmt.Token {
	id := f.next("tok")
	return usermgmt.Token{
		ID: id, Kind: kind, Hash: fmt.Sprintf("%064x", f.n*1_000_000+int64(f.other)),
		AccountID: f.ID, UserID: userID, Email: "Invitee-" + id + "@Example.com", CreatedBy: f.ID + "-u0",
		Data: []byte(`{"k":"` + id + `"}`), Sends: 1, SentAt: epoch(),
		CreatedAt: epoch(), ExpiresAt: at(time.Hour),
	}
}

// token creates a token built by newToken and returns it.
func (f *fixture) token(kind usermgmt.TokenKind, userID string, opts ...func(t *usermgmt.Token)) usermgmt.Token {
	f.t.Helper()
	tok := f.newToken(kind, userID)
	for _, opt := range opts {
		opt(&tok)
	}
	require.NoError(f.t, f.s.CreateToken(f.ctx, &tok), "create token")
	return tok
}

// session creates a session of kind for user and returns it.
func (f *fixture) session(kind usermgmt.SessionKind, userID string, opts ...func(s *usermgmt.Session)) usermgmt.Session {
	f.t.Helper()
	id := f.next("ses")
	s := usermgmt.Session{ID: id, Kind: kind, Hash: fmt.Sprintf("%064x", 1<<62+f.n*1_000_000+int64(f.other)),
		UserID: userID, AccountID: f.ID, Name: "key " + id, ClientKey: "client-" + id,
		CreatedAt: epoch(), LastSeen: epoch()}
	if kind == usermgmt.SessionLogin {
		s.Name, s.ExpiresAt = "", at(12*time.Hour)
	}
	for _, opt := range opts {
		opt(&s)
	}
	require.NoError(f.t, f.s.CreateSession(f.ctx, &s), "create session")
	return s
}

// grant creates a grant held by holder over scope and returns it.
func (f *fixture) grant(holder string, scope usermgmt.Scope, opts ...func(g *usermgmt.Grant)) usermgmt.Grant {
	f.t.Helper()
	g := usermgmt.Grant{ID: f.next("grant"), AccountID: f.ID, UserID: holder, Scope: scope,
		Permissions: []usermgmt.Permission{usermgmt.PermUsers, usermgmt.PermReports},
		CreatedBy:   f.ID + "-u0", CreatedAt: epoch()}
	for _, opt := range opts {
		opt(&g)
	}
	require.NoError(f.t, f.s.CreateGrant(f.ctx, &g), "create grant")
	return g
}

// number creates a number of the fixture's account and returns it.
func (f *fixture) number() usermgmt.Number {
	f.t.Helper()
	f.other++
	n := usermgmt.Number{E164: fmt.Sprintf("+1%03d77%05d", f.n%1000, f.other), AccountID: f.ID,
		Label: "Line " + f.ID, CreatedAt: epoch()}
	require.NoError(f.t, f.s.CreateNumber(f.ctx, &n), "create number")
	return n
}

// alias creates an alias for user and returns it.
func (f *fixture) alias(userID string) usermgmt.Alias {
	f.t.Helper()
	a := usermgmt.Alias{Address: "Alias." + f.next("al") + "@Partner.Example.com", UserID: userID, AccountID: f.ID, CreatedAt: epoch()}
	require.NoError(f.t, f.s.CreateAlias(f.ctx, &a), "create alias")
	return a
}

// event appends an event of the fixture's account and returns it.
func (f *fixture) event(action string, when time.Time, opts ...func(e *usermgmt.Event)) usermgmt.Event {
	f.t.Helper()
	e := usermgmt.Event{ID: f.next("ev"), AccountID: f.ID, ActorID: f.ID + "-u0", Action: action,
		TargetType: "user", TargetID: f.ID + "-u1", Outcome: usermgmt.OutcomeOK,
		Fields: []string{"first_name"}, ClientKey: "203.0.113.7", At: when}
	for _, opt := range opts {
		opt(&e)
	}
	require.NoError(f.t, f.s.AppendEvent(f.ctx, &e), "append event")
	return e
}
