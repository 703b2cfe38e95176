package invite_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/invite"
	"github.com/rosterkit/roster/sms/smstest"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/mail"
	"github.com/rosterkit/roster/usermgmt/memstore"
)

// clock is a settable clock for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fakeHasher is a fast, deterministic stand-in for argon2id.
type fakeHasher struct{}

func (fakeHasher) Hash(_ context.Context, password string) (string, error) {
	sum := sha256.Sum256([]byte(password))
	return "$fake$" + hex.EncodeToString(sum[:]), nil
}

func (h fakeHasher) Verify(ctx context.Context, encoded, password string) (bool, bool, error) {
	want, _ := h.Hash(ctx, password)
	return encoded == want, false, nil
}

const pw = "Correct-horse1"

// world is a service with an account, its owner and fakes.
type world struct {
	inv   *invite.Service
	users *usermgmt.Service
	store usermgmt.Store
	clock *clock
	mails *mail.Recorder
	sms   *smstest.Recorder
	acct  usermgmt.Account
	owner usermgmt.User
	sales usermgmt.Group // a child group of the root
}

type option func(*invite.Config)

func setup(t testing.TB, opts ...option) *world {
	t.Helper()
	return setupStore(t, memstore.New(), opts...)
}

func setupStore(t testing.TB, store usermgmt.Store, opts ...option) *world {
	t.Helper()
	w := &world{store: store, clock: &clock{t: time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)},
		mails: &mail.Recorder{}, sms: &smstest.Recorder{}}
	var err error
	w.users, err = usermgmt.New(usermgmt.Config{Store: w.store, Hasher: fakeHasher{}, Now: w.clock.Now})
	require.NoError(t, err)
	ctx := context.Background()
	w.acct, w.owner, err = w.users.CreateAccount(ctx, usermgmt.NewAccount{Name: "Acme",
		Owner: usermgmt.NewUser{User: person("owner", 1), Password: pw}})
	require.NoError(t, err)
	w.sales, err = w.users.CreateGroup(ctx, w.owner.ID, w.acct.RootGroupID, "Sales")
	require.NoError(t, err)
	cfg := invite.Config{Users: w.users, Hasher: fakeHasher{}, Mailer: w.mails, SMS: w.sms,
		BaseURL: "https://app.example", From: "Acme <no-reply@acme.example>"}
	for _, o := range opts {
		o(&cfg)
	}
	w.inv, err = invite.New(cfg)
	require.NoError(t, err)
	return w
}

func person(name string, n int) usermgmt.User {
	return usermgmt.User{Username: name, FirstName: strings.ToUpper(name[:1]) + name[1:], LastName: "Smith",
		Email: name + "@example.com", MobilePhone: fmt.Sprintf("+4479111%05d", n)}
}

// mk creates an active user of the account.
func (w *world) mk(t testing.TB, name string, n int) usermgmt.User {
	t.Helper()
	u, err := w.users.CreateUser(context.Background(), w.owner.ID, usermgmt.NewUser{User: person(name, n), Password: pw})
	require.NoError(t, err)
	return u
}

// admin creates a user holding perms over group.
func (w *world) admin(t testing.TB, name string, n int, group string, perms ...usermgmt.Permission) usermgmt.User {
	t.Helper()
	u := w.mk(t, name, n)
	_, err := w.users.Grant(context.Background(), w.owner.ID, u.ID, usermgmt.Scope{GroupID: group}, perms)
	require.NoError(t, err)
	return u
}

// otherAccount creates a second account with its owner and one user.
func (w *world) otherAccount(t testing.TB, name string, seats int) (usermgmt.Account, usermgmt.User) {
	t.Helper()
	ctx := context.Background()
	acct, owner, err := w.users.CreateAccount(ctx, usermgmt.NewAccount{Name: name, SeatLimit: seats,
		Owner: usermgmt.NewUser{User: person(strings.ToLower(name)+"boss", 900+len(name)), Password: pw}})
	require.NoError(t, err)
	return acct, owner
}

func memstoreNew() usermgmt.Store { return memstore.New() }

// tokenOf returns the token in a link.
func tokenOf(t testing.TB, link string) string {
	t.Helper()
	require.NotEmpty(t, link, "no link")
	u, err := url.Parse(link)
	require.NoError(t, err)
	tok := u.Query().Get("token")
	require.NotEmpty(t, tok, "link without token: %s", link)
	return tok
}

// link returns the token of the last mail to addr.
func (w *world) link(t testing.TB, addr string) string {
	t.Helper()
	return tokenOf(t, w.mails.LastLink(addr))
}

// events returns the account's audit actions with their outcome, oldest
// first, e.g. "invite.create:ok".
func (w *world) events(t testing.TB, accountID string) []string {
	t.Helper()
	list, _, err := w.store.ListEvents(context.Background(), usermgmt.EventFilter{AccountID: accountID}, usermgmt.Page{Limit: 1000})
	require.NoError(t, err)
	out := make([]string, 0, len(list))
	for i := len(list) - 1; i >= 0; i-- {
		out = append(out, list[i].Action+":"+list[i].Outcome)
	}
	return out
}

func (w *world) seats(t testing.TB, accountID string) int {
	t.Helper()
	c, err := w.store.CountUsers(context.Background(), accountID)
	require.NoError(t, err)
	return c.Total
}

func accept(name string, n int) invite.Acceptance {
	return invite.Acceptance{FirstName: "New", LastName: "Person", Username: name, Password: pw,
		MobilePhone: fmt.Sprintf("+4479222%05d", n)}
}
