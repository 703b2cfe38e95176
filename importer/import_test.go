package importer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"golang.org/x/crypto/bcrypt"

	"github.com/rosterkit/roster/auth"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/memstore"
	"github.com/rosterkit/roster/usermgmt/sqlitestore"
)

// world is an account to import into, another account whose users
// collide, and the services.
type world struct {
	store   usermgmt.Store
	users   *usermgmt.Service
	hasher  *auth.Hasher
	invites *fakeInvites
	imp     *Service

	acct   usermgmt.Account
	owner  usermgmt.User
	sales  usermgmt.Group // child of the root
	north  usermgmt.Group // child of sales
	east   usermgmt.Group // child of the root
	admin  usermgmt.User  // PermImport and PermUsers over sales
	helper usermgmt.User  // PermUsers over sales, no PermImport
	member usermgmt.User  // an existing end user of the account, in sales

	other      usermgmt.Account
	otherUser  usermgmt.User // end user of the other account
	otherUser2 usermgmt.User
}

var testNow = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// setup builds a world on store (memstore when nil) with seatLimit seats
// in the importing account (0: unlimited).
func setup(t testing.TB, store usermgmt.Store, seatLimit int) *world {
	t.Helper()
	ctx := context.Background()
	if store == nil {
		store = memstore.New()
	}
	w := &world{store: store}
	var err error
	w.users, err = usermgmt.New(usermgmt.Config{Store: store, Now: func() time.Time { return testNow }})
	require.NoError(t, err)
	w.hasher, err = auth.NewHasher(auth.HashConfig{Memory: 64, Time: 1})
	require.NoError(t, err)
	w.invites = &fakeInvites{users: w.users}
	w.imp, err = New(Config{Users: w.users, Hasher: w.hasher, Invites: w.invites})
	require.NoError(t, err)

	person := func(name string, n int) usermgmt.NewUser {
		return usermgmt.NewUser{User: usermgmt.User{Username: name, FirstName: "First", LastName: "Last",
			Email: name + "@example.org", MobilePhone: fmt.Sprintf("+467012%05d", n)}, PasswordHash: "$test$hash"}
	}
	w.acct, w.owner, err = w.users.CreateAccount(ctx, usermgmt.NewAccount{Name: "Acme", SeatLimit: seatLimit, Owner: person("acme.owner", 1)})
	require.NoError(t, err)
	w.sales, err = w.users.CreateGroup(ctx, w.owner.ID, w.acct.RootGroupID, "Sales")
	require.NoError(t, err)
	w.north, err = w.users.CreateGroup(ctx, w.owner.ID, w.sales.ID, "North")
	require.NoError(t, err)
	w.east, err = w.users.CreateGroup(ctx, w.owner.ID, w.acct.RootGroupID, "East")
	require.NoError(t, err)
	mk := func(name string, n int, group string) usermgmt.User {
		in := person(name, n)
		in.GroupID = group
		u, err := w.users.CreateUser(ctx, w.owner.ID, in)
		require.NoError(t, err)
		return u
	}
	w.admin = mk("acme.admin", 2, w.sales.ID)
	w.helper = mk("acme.helper", 3, w.sales.ID)
	w.member = mk("acme.member", 4, w.sales.ID)
	_, err = w.users.Grant(ctx, w.owner.ID, w.admin.ID, usermgmt.Scope{GroupID: w.sales.ID},
		[]usermgmt.Permission{usermgmt.PermUsers, usermgmt.PermImport})
	require.NoError(t, err)
	_, err = w.users.Grant(ctx, w.owner.ID, w.helper.ID, usermgmt.Scope{GroupID: w.sales.ID},
		[]usermgmt.Permission{usermgmt.PermUsers})
	require.NoError(t, err)

	var otherOwner usermgmt.User
	w.other, otherOwner, err = w.users.CreateAccount(ctx, usermgmt.NewAccount{Name: "Globex", Owner: person("globex.owner", 10)})
	require.NoError(t, err)
	w.otherUser, err = w.users.CreateUser(ctx, otherOwner.ID, person("globex.ann", 11))
	require.NoError(t, err)
	w.otherUser2, err = w.users.CreateUser(ctx, otherOwner.ID, person("globex.bob", 12))
	require.NoError(t, err)
	w.acct, err = store.GetAccount(ctx, w.acct.ID)
	require.NoError(t, err)
	return w
}

// snapshot is what an import may change: users, events and tokens.
type snapshot struct {
	users, events, tokens int
}

func (w *world) snapshot(t testing.TB) snapshot {
	t.Helper()
	ctx := context.Background()
	var s snapshot
	for _, acct := range []string{w.acct.ID, w.other.ID} {
		c, err := w.store.CountUsers(ctx, acct)
		require.NoError(t, err)
		s.users += c.Total
		after := ""
		for {
			ev, next, err := w.store.ListEvents(ctx, usermgmt.EventFilter{AccountID: acct}, usermgmt.Page{After: after, Limit: 1000})
			require.NoError(t, err)
			s.events += len(ev)
			if next == "" {
				break
			}
			after = next
		}
		toks, _, err := w.store.ListTokens(ctx, usermgmt.TokenFilter{AccountID: acct}, usermgmt.Page{Limit: 1000})
		require.NoError(t, err)
		s.tokens += len(toks)
	}
	return s
}

// fakeInvites records ownership requests as tokens in the transaction
// it is given, and the messages it is asked to send.
type fakeInvites struct {
	users       *usermgmt.Service
	mu          sync.Mutex
	sent        []string
	welcomed    []usermgmt.User
	failSend    bool
	failWelcome string // username whose welcome fails
}

func (f *fakeInvites) RequestOwnershipTx(ctx context.Context, tx usermgmt.Tx, a *usermgmt.Actor, u usermgmt.User, groupID string) (string, error) {
	id := f.users.NewID()
	sum := sha256.Sum256([]byte(id))
	now := f.users.Now()
	tok := usermgmt.Token{ID: id, Kind: usermgmt.TokenOwnership, Hash: hex.EncodeToString(sum[:]), AccountID: a.Account.ID,
		UserID: u.ID, Email: u.Email, CreatedBy: a.User.ID, Data: []byte(`{"group":"` + groupID + `"}`),
		CreatedAt: now, ExpiresAt: now.Add(7 * 24 * time.Hour)}
	return id, tx.CreateToken(ctx, &tok)
}

func (f *fakeInvites) SendOwnership(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failSend {
		return errors.New("smtp: connection refused")
	}
	f.sent = append(f.sent, id)
	return nil
}

func (f *fakeInvites) Welcome(_ context.Context, _ string, u usermgmt.User) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if u.Username == f.failWelcome {
		return errors.New("smtp: mailbox full")
	}
	f.welcomed = append(f.welcomed, u)
	return nil
}

// csvSource makes an upload from a header and rows.
func csvSource(t testing.TB, header []string, rows [][]string) Source {
	return Source{Name: "users.csv", Reader: bytes.NewReader(textFile(t, header, rows, ',', UTF8BOM))}
}

// goodRows returns n valid rows in the seeds' order, numbered from
// first, without passwords.
func goodRows(n, first int) [][]string {
	rows := make([][]string, n)
	for i := range rows {
		k := first + i
		rows[i] = []string{"Ann", "Lee", fmt.Sprintf("imp.%05d", k), "", fmt.Sprintf("+4479111%05d", k), "",
			fmt.Sprintf("imp.%05d@example.com", k), "Acme", fmt.Sprintf("C-%05d", k), ""}
	}
	return rows
}

func TestNew(t *testing.T) {
	t.Parallel()
	_, err := New(Config{})
	require.ErrorContains(t, err, "missing Config.Users")
	svc, err := usermgmt.New(usermgmt.Config{Store: memstore.New()})
	require.NoError(t, err)
	_, err = New(Config{Users: svc, Workers: -1})
	require.ErrorContains(t, err, "Workers")
	s, err := New(Config{Users: svc, Limits: Limits{MaxRows: 10}})
	require.NoError(t, err)
	assert.Equal(t, 10, s.Limits().MaxRows)
	assert.Equal(t, int64(DefaultMaxBytes), s.Limits().MaxBytes)

	// The service's template states its own row limit.
	var buf bytes.Buffer
	require.NoError(t, s.WriteTemplate(t.Context(), &buf, XLSX))
	x, err := excelize.OpenReader(&buf)
	require.NoError(t, err)
	defer x.Close()
	notes, err := x.GetRows("Notes")
	require.NoError(t, err)
	var all []string
	for _, r := range notes {
		all = append(all, r...)
	}
	assert.Contains(t, strings.Join(all, "\n"), "Up to 10 users per file")
}

// TestImportTemplate: the example template imports cleanly in every
// format.
func TestImportTemplate(t *testing.T) {
	t.Parallel()
	for _, f := range []Format{XLSX, CSV, TXT} {
		t.Run(string(f), func(t *testing.T) {
			t.Parallel()
			w := setup(t, nil, 0)
			var buf bytes.Buffer
			require.NoError(t, WriteTemplate(t.Context(), &buf, f))
			rep, err := w.imp.Import(t.Context(), w.owner.ID, Source{Name: "example" + f.Ext(), Reader: &buf}, Options{})
			require.NoError(t, err, "%v", rep.Errors)
			assert.Equal(t, 1, rep.Created)
			require.Len(t, rep.Users, 1)
			u, err := w.store.GetUser(t.Context(), rep.Users[0].ID)
			require.NoError(t, err)
			assert.Equal(t, "jsmith", u.Username)
			assert.Equal(t, "+447911123456", u.MobilePhone)
			assert.Equal(t, "+442071234567", u.BusinessPhone)
			assert.Equal(t, "john.smith@example.com", u.Email)
			assert.Equal(t, "CUST-001", u.CustomerCode)
			assert.Equal(t, usermgmt.StatusActive, u.Status)
			assert.Equal(t, w.acct.RootGroupID, u.GroupID)
			hash, err := w.store.GetPassword(t.Context(), u.ID)
			require.NoError(t, err)
			ok, _, err := w.hasher.Verify(t.Context(), hash, "Sunny-Day42")
			require.NoError(t, err)
			assert.True(t, ok, "the password was hashed")
		})
	}
}

// TestImportRules: every rule's violation is reported at its row and
// column, and nothing is written.
func TestImportRules(t *testing.T) {
	t.Parallel()
	w := setup(t, nil, 0)
	header := []string{"First Name", "Last Name", "Login", "Password", "Mobile", "Business Phone", "E-mail",
		"Company", "Customer Code", "UDID", "Time Zone", "Language", "Country", "Friendly Name", "Notes",
		"Service Level", "Services", "Group"}
	good := func(k int) []string {
		return []string{"Ann", "Lee", fmt.Sprintf("rule.%03d", k), "", fmt.Sprintf("+4479111%05d", k), "",
			fmt.Sprintf("rule.%03d@example.com", k), "", "", "", "", "", "", "", "", "", "", ""}
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	tests := []struct {
		column string
		value  string
		code   string
	}{
		{"First Name", "", usermgmt.CodeRequired},
		{"Last Name", strings.Repeat("x", 101), usermgmt.CodeTooLong},
		{"Login", "abc", usermgmt.CodeTooShort},
		{"Login", "ann!lee", usermgmt.CodeChars},
		{"Password", "weakpassword", usermgmt.CodeWeak},
		{"Password", "Sunny,Day42", usermgmt.CodeForbidden},
		{"Password", "Sh0rt!", usermgmt.CodeTooShort},
		{"Password", "$argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA", usermgmt.CodeInvalid},
		{"Mobile", "+447700900123", usermgmt.CodeInvalid},
		{"Mobile", "+442071234567", usermgmt.CodeType},
		{"Mobile", "07911123456", usermgmt.CodeRegion},
		{"Mobile", "", usermgmt.CodeRequired},
		{"Business Phone", "+4412", usermgmt.CodeInvalid},
		{"E-mail", "Ann <ann@example.com>", usermgmt.CodeInvalid},
		{"E-mail", "", usermgmt.CodeRequired},
		{"Company", strings.Repeat("c", 201), usermgmt.CodeTooLong},
		{"Customer Code", strings.Repeat("c", 101), usermgmt.CodeTooLong},
		{"UDID", "has space", usermgmt.CodeChars},
		{"Time Zone", "Mars/Olympus", usermgmt.CodeInvalid},
		{"Language", "xx-notalanguage", usermgmt.CodeInvalid},
		{"Country", "ZZ", usermgmt.CodeInvalid},
		{"Friendly Name", strings.Repeat("f", 201), usermgmt.CodeTooLong},
		{"Notes", strings.Repeat("n", 4001), usermgmt.CodeTooLong},
		{"Service Level", "gold", usermgmt.CodeInvalid},
		{"Services", "sms pager", usermgmt.CodeInvalid},
		{"Group", "Nowhere", CodeGroup},
		{"Group", "East", CodeGroup}, // outside the target group
	}
	rows := [][]string{good(900)} // line 2 is good
	for k, tt := range tests {
		r := good(k)
		r[col[tt.column]] = tt.value
		rows = append(rows, r)
	}
	before := w.snapshot(t)
	rep, err := w.imp.Import(t.Context(), w.admin.ID, csvSource(t, header, rows), Options{Group: w.sales.ID})
	require.ErrorIs(t, err, usermgmt.ErrInvalid)
	var ie *ImportError
	require.ErrorAs(t, err, &ie)
	assert.Same(t, rep, ie.Report)
	assert.Equal(t, before, w.snapshot(t), "nothing written")
	assert.Zero(t, rep.Created)
	require.Len(t, rep.Errors, len(tests), "%v", rep.Errors)
	for k, tt := range tests {
		e := rep.Errors[k]
		assert.Equal(t, k+3, e.Row, tt.column)
		assert.Equal(t, k+1, e.Index, tt.column)
		assert.Equal(t, tt.column, e.Column, "%+v", e)
		assert.Equal(t, tt.code, e.Code, "%s %q: %+v", tt.column, tt.value, e)
		assert.NotEmpty(t, e.Message)
		f, _ := FieldOf(tt.column)
		assert.Equal(t, f, e.Field)
	}
	assert.Contains(t, err.Error(), fmt.Sprintf("%d errors in %d rows, nothing was imported", len(tests), len(tests)))
	assert.Contains(t, rep.Summary(), "0 users created")
}

func TestImportRowLimit(t *testing.T) {
	t.Parallel()
	w := setup(t, nil, 0)
	before := w.snapshot(t)
	rep, err := w.imp.Import(t.Context(), w.owner.ID, csvSource(t, seedHeader(), goodRows(5001, 0)), Options{})
	require.ErrorIs(t, err, usermgmt.ErrInvalid)
	require.ErrorIs(t, err, ErrLimit)
	assert.Equal(t, before, w.snapshot(t))
	require.Len(t, rep.Errors, 1)
	assert.Equal(t, CodeFile, rep.Errors[0].Code)
	assert.Equal(t, 5002, rep.Errors[0].Row)
	assert.Contains(t, rep.Errors[0].Message, "more than 5000 data rows")
	assert.Error(t, rep.WriteErrorsFile(t.Context(), &bytes.Buffer{}), "no table, no errors file")

	// A host may lower the limit.
	small, err := New(Config{Users: w.users, Hasher: w.hasher, Limits: Limits{MaxRows: 3}})
	require.NoError(t, err)
	_, err = small.Import(t.Context(), w.owner.ID, csvSource(t, seedHeader(), goodRows(4, 0)), Options{})
	require.ErrorIs(t, err, ErrLimit)
	rep, err = small.Import(t.Context(), w.owner.ID, csvSource(t, seedHeader(), goodRows(3, 0)), Options{})
	require.NoError(t, err)
	assert.Equal(t, 3, rep.Created)
}

func TestImportDuplicatesInFile(t *testing.T) {
	t.Parallel()
	w := setup(t, nil, 0)
	rows := goodRows(6, 0)
	rows[2][2] = "IMP.00000"                    // username, differing in case
	rows[3][6] = "Imp.00001@EXAMPLE.com"        // e-mail, differing in case
	rows[4][4] = "+44 7911 100 002"             // the same mobile, written otherwise
	rows[5][8] = "C-00000"                      // customer code
	rows[5][2], rows[5][6] = rows[0][2], "x@ex" // and a duplicate beside another error
	rep, err := w.imp.Import(t.Context(), w.owner.ID, csvSource(t, seedHeader(), rows), Options{})
	require.ErrorIs(t, err, usermgmt.ErrInvalid)
	got := make([]string, len(rep.Errors))
	for i, e := range rep.Errors {
		got[i] = e.String()
	}
	assert.Equal(t, []string{
		"row 4: Login: is also in row 2",
		"row 5: Email Address: is also in row 3",
		"row 6: Mobile Phone number: is also in row 4",
		"row 7: Login: is also in row 2",
		"row 7: Email Address: must be a single e-mail address such as name@example.com, without a display name",
		"row 7: Unique Customer Code: is also in row 2",
	}, got)
	assert.Equal(t, CodeDuplicate, rep.Errors[0].Code)
}

// TestImportAllOrNothing: one bad row among 5,000 writes nothing, whether
// validation finds it or the store does (a user of this account), on
// memstore and on SQLite.
func TestImportAllOrNothing(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"memstore", "sqlite"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := setup(t, newStore(t, name), 0)
			before := w.snapshot(t)

			rows := goodRows(5000, 0)
			rows[3999][4] = "+447700900123"
			rep, err := w.imp.Import(t.Context(), w.owner.ID, csvSource(t, seedHeader(), rows), Options{})
			require.ErrorIs(t, err, usermgmt.ErrInvalid)
			require.Len(t, rep.Errors, 1)
			assert.Equal(t, 4001, rep.Errors[0].Row)
			assert.Equal(t, "Mobile Phone number", rep.Errors[0].Column)
			assert.Equal(t, before, w.snapshot(t))

			// The last row is a user of this account: found by the
			// store after 4,999 inserts, which are rolled back.
			rows = goodRows(5000, 0)
			rows[4999][2] = "Acme.Member"
			rep, err = w.imp.Import(t.Context(), w.owner.ID, csvSource(t, seedHeader(), rows), Options{})
			require.ErrorIs(t, err, usermgmt.ErrInvalid)
			require.Len(t, rep.Errors, 1, "%v", rep.Errors)
			assert.Equal(t, RowError{Row: 5001, Index: 4999, Column: "Login", Field: FieldUsername, Code: CodeExists,
				Message: "already a user of this account"}, rep.Errors[0])
			assert.Zero(t, rep.Created)
			assert.Equal(t, before, w.snapshot(t))

			// Fixed, it imports: 5,000 users and their events.
			rows[4999][2] = "imp.fixed"
			rep, err = w.imp.Import(t.Context(), w.owner.ID, csvSource(t, seedHeader(), rows), Options{})
			require.NoError(t, err)
			assert.Equal(t, 5000, rep.Created)
			after := w.snapshot(t)
			assert.Equal(t, before.users+5000, after.users)
			assert.Equal(t, before.events+5001, after.events, "one event per user and one for the import")
		})
	}
}

func newStore(t testing.TB, name string) usermgmt.Store {
	t.Helper()
	if name == "memstore" {
		return memstore.New()
	}
	s, err := sqlitestore.Open(context.Background(), sqlitestore.Config{Path: t.TempDir() + "/roster.db"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestImportSeatLimit(t *testing.T) {
	t.Parallel()
	w := setup(t, nil, 12) // 4 seats used: owner, admin, helper, member
	before := w.snapshot(t)
	rows := goodRows(9, 0)
	rows[8][2] = "globex.ann" // an ownership request takes no seat
	for _, dry := range []bool{true, false} {
		rep, err := w.imp.Import(t.Context(), w.owner.ID, csvSource(t, seedHeader(), append(rows, goodRows(1, 100)...)), Options{DryRun: dry})
		require.ErrorIs(t, err, usermgmt.ErrSeatLimit)
		require.ErrorIs(t, err, usermgmt.ErrInvalid)
		assert.Contains(t, err.Error(), "the import needs 9 seats, 8 are free")
		assert.Equal(t, 9, rep.SeatsNeeded)
		assert.Equal(t, 8, rep.SeatsFree)
		require.Len(t, rep.Errors, 1)
		assert.Equal(t, CodeSeats, rep.Errors[0].Code)
		assert.Zero(t, rep.Created)
		assert.Empty(t, rep.Ownership)
		assert.Equal(t, before, w.snapshot(t))
	}
	rep, err := w.imp.Import(t.Context(), w.owner.ID, csvSource(t, seedHeader(), rows), Options{})
	require.NoError(t, err)
	assert.Equal(t, 8, rep.Created)
	assert.Len(t, rep.Ownership, 1)
	acct, err := w.store.GetAccount(t.Context(), w.acct.ID)
	require.NoError(t, err)
	assert.Equal(t, 12, acct.SeatsUsed)
}

func TestImportOwnership(t *testing.T) {
	t.Parallel()
	w := setup(t, nil, 0)
	rows := goodRows(4, 0)
	rows[1][2] = "Globex.Ann"             // same username, other account
	rows[3][6] = w.otherUser2.Email       // same e-mail, other account
	rows[3][4] = w.otherUser2.MobilePhone // and phone: the same user
	rep, err := w.imp.Import(t.Context(), w.admin.ID, csvSource(t, seedHeader(), rows), Options{Group: w.sales.ID})
	require.NoError(t, err, "%v", rep.Errors)
	assert.Equal(t, 2, rep.Created)
	require.Len(t, rep.Ownership, 2)
	assert.Equal(t, 3, rep.Ownership[0].Row)
	assert.Equal(t, "Globex.Ann", rep.Ownership[0].Username, "named as in the file")
	assert.Equal(t, 5, rep.Ownership[1].Row)
	assert.Equal(t, []string{rep.Ownership[0].RequestID, rep.Ownership[1].RequestID}, w.invites.sent, "sent after the commit")
	tok, err := w.store.GetToken(t.Context(), rep.Ownership[0].RequestID)
	require.NoError(t, err)
	assert.Equal(t, w.otherUser.ID, tok.UserID)
	assert.Equal(t, w.acct.ID, tok.AccountID)
	assert.Contains(t, rep.Summary(), "2 ownership requests sent")
	// The other account's users are untouched.
	u, err := w.store.GetUser(t.Context(), w.otherUser.ID)
	require.NoError(t, err)
	assert.Equal(t, w.other.ID, u.AccountID)

	t.Run("identifiers of two different users", func(t *testing.T) {
		rows := goodRows(1, 50)
		rows[0][2], rows[0][6] = w.otherUser.Username, w.otherUser2.Email
		rep, err := w.imp.Import(t.Context(), w.owner.ID, csvSource(t, seedHeader(), rows), Options{})
		require.ErrorIs(t, err, usermgmt.ErrInvalid)
		require.Len(t, rep.Errors, 1)
		assert.Equal(t, "Email Address", rep.Errors[0].Column)
		assert.Equal(t, usermgmt.CodeTaken, rep.Errors[0].Code)
	})
	t.Run("two rows, one existing user", func(t *testing.T) {
		rows := goodRows(2, 60)
		rows[0][2], rows[1][6] = w.otherUser.Username, w.otherUser.Email
		rep, err := w.imp.Import(t.Context(), w.owner.ID, csvSource(t, seedHeader(), rows), Options{})
		require.ErrorIs(t, err, usermgmt.ErrInvalid)
		require.Len(t, rep.Errors, 1)
		assert.Equal(t, "row 3: is the same existing user as row 2", rep.Errors[0].String())
	})
	t.Run("without invites", func(t *testing.T) {
		imp, err := New(Config{Users: w.users, Hasher: w.hasher})
		require.NoError(t, err)
		rows := goodRows(1, 70)
		rows[0][2] = w.otherUser.Username
		rep, err := imp.Import(t.Context(), w.owner.ID, csvSource(t, seedHeader(), rows), Options{})
		require.ErrorIs(t, err, usermgmt.ErrInvalid)
		require.Len(t, rep.Errors, 1)
		assert.Contains(t, rep.Errors[0].Message, "ownership requests are not set up")
	})
}

func TestImportNotifyFailures(t *testing.T) {
	t.Parallel()
	w := setup(t, nil, 0)
	w.invites.failSend = true
	w.invites.failWelcome = "imp.00002"
	rows := goodRows(4, 0)
	rows[0][2] = w.otherUser.Username
	rows[1][3] = "Sunny-Day42"
	rep, err := w.imp.Import(t.Context(), w.owner.ID, csvSource(t, seedHeader(), rows), Options{SendWelcome: true})
	require.NoError(t, err, "a failed delivery does not undo the import")
	assert.Equal(t, 3, rep.Created)
	require.Len(t, rep.Ownership, 1)
	assert.Equal(t, "smtp: connection refused", rep.Ownership[0].SendError)
	assert.Equal(t, 2, rep.Welcomed)
	assert.Equal(t, 1, rep.WelcomeFailed)
	require.Len(t, w.invites.welcomed, 2)
	assert.Equal(t, usermgmt.StatusActive, w.invites.welcomed[0].Status, "imported with a password")
	assert.Equal(t, usermgmt.StatusPending, w.invites.welcomed[1].Status, "activation by e-mail")
}

func TestImportPasswords(t *testing.T) {
	t.Parallel()
	w := setup(t, nil, 0)
	bc, err := bcrypt.GenerateFromPassword([]byte("Migrated-1"), 4)
	require.NoError(t, err)
	argon, err := w.hasher.Hash(t.Context(), "Migrated-2")
	require.NoError(t, err)
	rows := goodRows(5, 0)
	rows[0][3] = "Sunny-Day42"
	rows[1][3] = string(bc)
	rows[2][3] = argon
	rows[3][3] = ""
	rows[4][3] = "Sunny-Day43"
	var stages []Stage
	rep, err := w.imp.Import(t.Context(), w.owner.ID, csvSource(t, seedHeader(), rows), Options{SendWelcome: true,
		Progress: func(p Progress) {
			if len(stages) == 0 || stages[len(stages)-1] != p.Stage {
				stages = append(stages, p.Stage)
			}
			assert.LessOrEqual(t, p.Done, max(p.Total, 0))
		}})
	require.NoError(t, err, "%v", rep.Errors)
	// The probe pass writes nothing, then hashing, then the real pass.
	assert.Equal(t, []Stage{StageRead, StageValidate, StageWrite, StageHash, StageWrite, StageNotify}, stages)
	require.Len(t, rep.Users, 5)
	verify := func(i int, pw string) {
		hash, err := w.store.GetPassword(t.Context(), rep.Users[i].ID)
		require.NoError(t, err)
		ok, _, err := w.hasher.Verify(t.Context(), hash, pw)
		require.NoError(t, err)
		assert.True(t, ok, "row %d", i)
	}
	verify(0, "Sunny-Day42")
	verify(1, "Migrated-1")
	verify(2, "Migrated-2")
	verify(4, "Sunny-Day43")
	_, err = w.store.GetPassword(t.Context(), rep.Users[3].ID)
	require.ErrorIs(t, err, usermgmt.ErrNotFound)
	assert.Equal(t, usermgmt.StatusPending, rep.Users[3].Status)
	assert.Equal(t, usermgmt.StatusActive, rep.Users[1].Status)
	assert.Equal(t, 5, rep.Welcomed)

	t.Run("no hasher", func(t *testing.T) {
		imp, err := New(Config{Users: w.users})
		require.NoError(t, err)
		rows := goodRows(2, 40)
		rows[1][3] = "Sunny-Day42"
		_, err = imp.Import(t.Context(), w.owner.ID, csvSource(t, seedHeader(), rows), Options{})
		require.ErrorContains(t, err, "Config.Hasher is needed")
		rows[1][3] = ""
		rep, err := imp.Import(t.Context(), w.owner.ID, csvSource(t, seedHeader(), rows), Options{})
		require.NoError(t, err)
		assert.Equal(t, 2, rep.Created)
	})
}

func TestImportDryRun(t *testing.T) {
	t.Parallel()
	w := setup(t, nil, 0)
	before := w.snapshot(t)
	rows := goodRows(10, 0)
	rows[0][2] = w.otherUser.Username
	rows[1][3] = "Sunny-Day42"
	rep, err := w.imp.Import(t.Context(), w.owner.ID, csvSource(t, seedHeader(), rows), Options{DryRun: true, SendWelcome: true})
	require.NoError(t, err)
	assert.True(t, rep.DryRun)
	assert.Equal(t, 9, rep.Created)
	assert.Empty(t, rep.Users[0].ID, "no ids in a dry run")
	require.Len(t, rep.Ownership, 1)
	assert.Empty(t, rep.Ownership[0].RequestID)
	assert.Equal(t, "10 rows read, 9 users to create, 1 ownership request to send, 0 errors (dry run)", rep.Summary())
	assert.Equal(t, before, w.snapshot(t), "a dry run writes nothing")
	assert.Empty(t, w.invites.sent)
	assert.Empty(t, w.invites.welcomed)
}

func TestImportForbidden(t *testing.T) {
	t.Parallel()
	w := setup(t, nil, 0)
	src := func() Source { return csvSource(t, seedHeader(), goodRows(2, 0)) }
	before := w.snapshot(t)
	tests := []struct {
		name  string
		actor string
		group string
	}{
		{"no import permission", w.helper.ID, w.sales.ID},
		{"outside the grant", w.admin.ID, w.east.ID},
		{"the root, above the grant", w.admin.ID, ""},
		{"an end user", w.member.ID, w.sales.ID},
		{"a group of another account", w.owner.ID, w.other.RootGroupID},
		{"unknown actor", "nobody", ""},
	}
	for _, tt := range tests {
		_, err := w.imp.Import(t.Context(), tt.actor, src(), Options{Group: tt.group})
		require.ErrorIs(t, err, usermgmt.ErrForbidden, tt.name)
	}
	after := w.snapshot(t)
	assert.Equal(t, before.users, after.users)
	ev, _, err := w.store.ListEvents(t.Context(), usermgmt.EventFilter{AccountID: w.acct.ID, Action: "user.import"}, usermgmt.Page{})
	require.NoError(t, err)
	assert.Len(t, ev, 5, "every refusal in the account is audited")
	for _, e := range ev {
		assert.Equal(t, usermgmt.OutcomeRefused, e.Outcome)
	}

	// The admin imports into its own group and below.
	rep, err := w.imp.Import(t.Context(), w.admin.ID, src(), Options{Group: w.north.ID})
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Created)

	_, err = w.imp.Import(t.Context(), w.admin.ID, src(), Options{Group: w.sales.ID, ServiceLevel: "gold"})
	require.ErrorIs(t, err, usermgmt.ErrInvalid)
}

func TestImportFileErrors(t *testing.T) {
	t.Parallel()
	w := setup(t, nil, 0)
	ole := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 100)...)
	tests := []struct {
		name   string
		src    Source
		is     error
		errors []string
	}{
		{"xls", Source{Name: "users.xls", Reader: bytes.NewReader(ole)}, ErrLegacyXLS,
			[]string{"old excel .xls workbooks cannot be read: save the file as .xlsx or .csv"}},
		{"binary csv", Source{Name: "users.csv", Reader: strings.NewReader("Login\nann\x00\n")}, ErrFormat,
			[]string{"row 2: the file holds binary data, not text: save it from the spreadsheet program as .csv, .txt or .xlsx"}},
		{"missing columns", csvSource(t, []string{"First Name", "Last Name", "Mobile", "Mobile number"}, goodRows(1, 0)), ErrColumns,
			[]string{"Login: this mandatory column is missing", "Email Address: this mandatory column is missing",
				`Mobile number: is the same column as "Mobile"`}},
		{"header only", csvSource(t, seedHeader(), nil), ErrEmpty, []string{"the file has a header but no users"}},
		{"empty", Source{Name: "users.txt", Reader: strings.NewReader("")}, ErrEmpty, []string{"the file has no rows"}},
	}
	before := w.snapshot(t)
	for _, tt := range tests {
		rep, err := w.imp.Import(t.Context(), w.owner.ID, tt.src, Options{})
		require.ErrorIs(t, err, usermgmt.ErrInvalid, tt.name)
		require.ErrorIs(t, err, tt.is, tt.name)
		var got []string
		for _, e := range rep.Errors {
			got = append(got, e.String())
		}
		assert.Equal(t, tt.errors, got, tt.name)
	}
	assert.Equal(t, before, w.snapshot(t))
}

func TestImportGroupColumn(t *testing.T) {
	t.Parallel()
	w := setup(t, nil, 0)
	header := append(seedHeader(), "Group", "Service Level", "Services")
	rows := goodRows(3, 0)
	rows[0] = append(rows[0], "north", "Pro User", "SMS, Fax")
	rows[1] = append(rows[1], w.north.ID, "", "")
	rows[2] = append(rows[2], "", "", "fax")
	rep, err := w.imp.Import(t.Context(), w.admin.ID, csvSource(t, header, rows), Options{Group: w.sales.ID, ServiceLevel: usermgmt.LevelArchive})
	require.NoError(t, err, "%v", rep.Errors)
	var users []usermgmt.User
	for _, im := range rep.Users {
		u, err := w.store.GetUser(t.Context(), im.ID)
		require.NoError(t, err)
		users = append(users, u)
	}
	assert.Equal(t, w.north.ID, users[0].GroupID)
	assert.Equal(t, usermgmt.LevelPro, users[0].ServiceLevel)
	assert.Equal(t, []usermgmt.Channel{usermgmt.ChannelSMS, usermgmt.ChannelFax}, users[0].Services)
	assert.Equal(t, w.north.ID, users[1].GroupID)
	assert.Equal(t, usermgmt.LevelArchive, users[1].ServiceLevel)
	assert.Equal(t, w.sales.ID, users[2].GroupID)
}

// TestImportCancel cancels the import at each stage: nothing is written.
func TestImportCancel(t *testing.T) {
	t.Parallel()
	rows := goodRows(1200, 0)
	for i := range rows {
		rows[i][3] = "Sunny-Day42"
	}
	data := textFile(t, seedHeader(), rows, ',', UTF8)
	for _, stage := range []Stage{StageRead, StageValidate, StageHash, StageWrite} {
		t.Run(string(stage), func(t *testing.T) {
			t.Parallel()
			w := setup(t, nil, 0)
			before := w.snapshot(t)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			seen := 0
			rep, err := w.imp.Import(ctx, w.owner.ID, Source{Name: "u.csv", Reader: bytes.NewReader(data)}, Options{
				Progress: func(p Progress) {
					if p.Stage == stage {
						if seen++; stage == StageRead || seen == 3 {
							cancel()
						}
					}
				}})
			require.ErrorIs(t, err, context.Canceled)
			assert.NotErrorIs(t, err, usermgmt.ErrInvalid)
			assert.Zero(t, rep.Created)
			assert.Equal(t, before, w.snapshot(t))
		})
	}
}

// TestImportErrorsFile: the errors file of a failed import holds every
// row and its messages, in the upload's format.
func TestImportErrorsFile(t *testing.T) {
	t.Parallel()
	w := setup(t, nil, 0)
	rows := goodRows(4, 0)
	rows[1][2] = "ab"
	rows[1][4] = "=1+2"
	rows[3][2] = "acme.member"
	for _, f := range []Format{XLSX, CSV} {
		var data []byte
		if f == XLSX {
			data = xlsxFile(t, "Sheet1", seedHeader(), rows, false)
		} else {
			data = textFile(t, seedHeader(), rows, ';', UTF8)
		}
		rep, err := w.imp.Import(t.Context(), w.owner.ID, Source{Name: "staff" + f.Ext(), Reader: bytes.NewReader(data)}, Options{})
		require.ErrorIs(t, err, usermgmt.ErrInvalid)
		assert.Equal(t, "staff-errors"+f.Ext(), rep.ErrorsFileName())
		var buf bytes.Buffer
		require.NoError(t, rep.WriteErrorsFile(t.Context(), &buf))
		back, err := ReadTable(t.Context(), &buf, rep.ErrorsFileName(), Limits{})
		require.NoError(t, err)
		require.Len(t, back.Rows, 4)
		errCol := len(seedHeader())
		assert.Equal(t, "Errors", back.Header[errCol])
		assert.Equal(t, "", back.Rows[0].Cell(errCol))
		assert.Regexp(t, `^Login: must be at least 4 characters; Mobile Phone number: must contain only digits`, back.Rows[1].Cell(errCol))
		assert.Equal(t, "=1+2", back.Rows[1].Cell(4), "neutralised, then restored")
		// The store's findings are reported alongside validation's.
		assert.Equal(t, "Login: already a user of this account", back.Rows[3].Cell(errCol))
	}
}

func TestImportSQLite(t *testing.T) {
	t.Parallel()
	w := setup(t, newStore(t, "sqlite"), 0)
	var buf bytes.Buffer
	require.NoError(t, WriteTemplate(t.Context(), &buf, XLSX))
	rows := goodRows(50, 0)
	rows[0][2] = w.otherUser.Username
	rows[1][3] = "Sunny-Day42"
	rep, err := w.imp.Import(t.Context(), w.admin.ID, csvSource(t, seedHeader(), rows), Options{Group: w.sales.ID, SendWelcome: true})
	require.NoError(t, err, "%v", rep.Errors)
	assert.Equal(t, 49, rep.Created)
	assert.Len(t, rep.Ownership, 1)
	assert.Equal(t, 49, rep.Welcomed)
	c, err := w.store.CountUsers(t.Context(), w.acct.ID)
	require.NoError(t, err)
	assert.Equal(t, 4+49, c.Total)
}

func TestReportHelpers(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "users-errors.csv", (&Report{File: "users.CSV", Format: CSV}).ErrorsFileName())
	assert.Equal(t, "a b-errors.xlsx", (&Report{File: `C:\x\a b.xlsx`, Format: XLSX}).ErrorsFileName())
	assert.Equal(t, "import-errors.csv", (&Report{File: ".csv"}).ErrorsFileName())
	assert.Equal(t, "row 3: Login: taken", RowError{Row: 3, Column: "Login", Message: "taken"}.String())
	assert.Equal(t, "taken", RowError{Message: "taken"}.String())
	r := &Report{Errors: []RowError{{Index: 1, Column: "Login", Message: "a"}, {Index: 1, Message: "b"}, {Index: -1, Message: "c"}}}
	assert.Equal(t, map[int][]string{1: {"Login: a", "b"}}, r.RowMessages())
	assert.True(t, r.Failed())
	assert.True(t, looksHashed("$2b$04$abcdefghijklmnopqrstuv0123456789012345678901234567"))
	assert.False(t, looksHashed("$Sunny$Day$42"))
	assert.Equal(t, usermgmt.ServiceLevel("pro"), serviceLevel(" Pro User ", ""))
	assert.Equal(t, usermgmt.LevelArchive, serviceLevel("", usermgmt.LevelArchive))
	assert.Equal(t, []usermgmt.Channel{"sms", "fax"}, services("sms/fax"))
}
