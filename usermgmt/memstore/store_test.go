package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/memstore"
	"github.com/rosterkit/roster/usermgmt/storetest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(*testing.T) usermgmt.Store { return memstore.New() })
}

// TestTxAfterReturn checks what the contract leaves to the store: a tx
// used after WithTx returned refuses to work instead of writing outside
// any transaction.
func TestTxAfterReturn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := memstore.New()
	var leaked usermgmt.Tx
	require.NoError(t, s.WithTx(ctx, func(tx usermgmt.Tx) error { leaked = tx; return nil }))
	err := leaked.CreateAccount(ctx, &usermgmt.Account{ID: "late"})
	require.Error(t, err)
	_, err = s.GetAccount(ctx, "late")
	require.ErrorIs(t, err, usermgmt.ErrNotFound)
}

// TestLockedStoreHonoursContext checks that a call waiting for the lock a
// transaction holds gives up when its context ends.
func TestLockedStoreHonoursContext(t *testing.T) {
	t.Parallel()
	s := memstore.New()
	inside, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.WithTx(context.Background(), func(usermgmt.Tx) error {
			close(inside)
			<-release
			return nil
		})
	}()
	<-inside
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := s.GetAccount(ctx, "any")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	close(release)
	require.NoError(t, <-done)
}

func ExampleNew() {
	ctx := context.Background()
	store := memstore.New()
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

	acct := usermgmt.Account{ID: "acme", Name: "Acme Ltd", RootGroupID: "acme-root", SeatLimit: 10, CreatedAt: now, UpdatedAt: now}
	root := usermgmt.Group{ID: "acme-root", AccountID: "acme", Name: "Acme", CreatedAt: now, UpdatedAt: now}
	user := usermgmt.User{
		ID: "u1", AccountID: "acme", GroupID: "acme-root",
		Kind: usermgmt.KindPerson, Type: usermgmt.TypeOwner, Status: usermgmt.StatusActive,
		Username: "Ada.Lovelace", FirstName: "Ada", LastName: "Lovelace",
		Email: "ada@acme.example", MobilePhone: "+447700900123",
		ServiceLevel: usermgmt.LevelPro, CreatedAt: now, UpdatedAt: now,
	}
	for _, err := range []error{
		store.CreateAccount(ctx, &acct),
		store.CreateGroup(ctx, &root),
		store.CreateUser(ctx, &user),
	} {
		if err != nil {
			fmt.Println(err)
			return
		}
	}

	found, err := store.GetUserByUsername(ctx, "ada.lovelace") // usernames compare case-insensitively
	if err != nil {
		fmt.Println(err)
		return
	}
	a, _ := store.GetAccount(ctx, "acme")
	fmt.Println(found.ID, found.Name(), found.Email, found.Version)
	fmt.Println("group path:", root.Path)
	fmt.Printf("seats: %d of %d\n", a.SeatsUsed, a.SeatLimit)

	dup := user
	dup.ID, dup.Username = "u2", "ADA.LOVELACE"
	var conflict *usermgmt.ConflictError
	if err := store.CreateUser(ctx, &dup); errors.As(err, &conflict) {
		fmt.Println("conflict on", conflict.Field)
	}
	// Output:
	// u1 Ada Lovelace ada@acme.example 1
	// group path: /acme-root/
	// seats: 1 of 10
	// conflict on username
}

// populated returns a store with one account of n users.
func populated(tb testing.TB, n int) *memstore.Store {
	tb.Helper()
	ctx := context.Background()
	s := memstore.New()
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	require.NoError(tb, s.CreateAccount(ctx, &usermgmt.Account{ID: "a", Name: "A", CreatedAt: now, UpdatedAt: now}))
	require.NoError(tb, s.CreateGroup(ctx, &usermgmt.Group{ID: "root", AccountID: "a", Name: "Root", CreatedAt: now, UpdatedAt: now}))
	require.NoError(tb, s.WithTx(ctx, func(tx usermgmt.Tx) error {
		for i := range n {
			u := benchUser(i, now)
			if err := tx.CreateUser(ctx, &u); err != nil {
				return err
			}
		}
		return nil
	}))
	return s
}

func benchUser(i int, now time.Time) usermgmt.User {
	// Spread the usernames so that creation order is not key order.
	k := (i * 7919) % 1_000_003
	return usermgmt.User{
		ID: fmt.Sprintf("u%d", i), AccountID: "a", GroupID: "root",
		Kind: usermgmt.KindPerson, Type: usermgmt.TypeEndUser, Status: usermgmt.StatusActive,
		Username: fmt.Sprintf("User.%07d", k), FirstName: "First", LastName: fmt.Sprintf("Last%d", i),
		Email: fmt.Sprintf("user%d@example.com", i), MobilePhone: fmt.Sprintf("+1555%07d", i),
		ServiceLevel: usermgmt.LevelArchive, Services: []usermgmt.Channel{usermgmt.ChannelSMS},
		CreatedAt: now, UpdatedAt: now,
	}
}

const benchUsers = 100_000

func BenchmarkCreateUser(b *testing.B) {
	ctx := context.Background()
	s := populated(b, 0)
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	i := 0
	for b.Loop() {
		u := benchUser(i, now)
		u.Username = fmt.Sprintf("bench.%d", i)
		if err := s.CreateUser(ctx, &u); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkGetUserByUsername(b *testing.B) {
	ctx := context.Background()
	s := populated(b, benchUsers)
	names := make([]string, 1024)
	for i := range names {
		u := benchUser(i*97%benchUsers, time.Time{})
		names[i] = strings.ToUpper(u.Username)
	}
	i := 0
	for b.Loop() {
		if _, err := s.GetUserByUsername(ctx, names[i%len(names)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkListUsersPage50 reads pages of 50 of 100,000 users: the first
// page, and every page in turn (the cost of a page does not grow with its
// position).
func BenchmarkListUsersPage50(b *testing.B) {
	ctx := context.Background()
	s := populated(b, benchUsers)
	filter := usermgmt.UserFilter{AccountID: "a"}
	b.Run("First", func(b *testing.B) {
		for b.Loop() {
			page, _, err := s.ListUsers(ctx, filter, usermgmt.Page{Limit: 50})
			if err != nil || len(page) != 50 {
				b.Fatal(len(page), err)
			}
		}
	})
	b.Run("Walk", func(b *testing.B) {
		after := ""
		for b.Loop() {
			page, next, err := s.ListUsers(ctx, filter, usermgmt.Page{After: after, Limit: 50})
			if err != nil || len(page) == 0 {
				b.Fatal(len(page), err)
			}
			after = next
		}
	})
	b.Run("Statuses", func(b *testing.B) {
		f := filter
		f.Statuses = []usermgmt.Status{usermgmt.StatusActive}
		after := ""
		for b.Loop() {
			page, next, err := s.ListUsers(ctx, f, usermgmt.Page{After: after, Limit: 50})
			if err != nil || len(page) == 0 {
				b.Fatal(len(page), err)
			}
			after = next
		}
	})
}

func BenchmarkCountUsers(b *testing.B) {
	ctx := context.Background()
	s := populated(b, benchUsers)
	for b.Loop() {
		c, err := s.CountUsers(ctx, "a")
		if err != nil || c.Total != benchUsers {
			b.Fatal(c.Total, err)
		}
	}
}

// FuzzListUsersCursor feeds ListUsers cursors from outside (a client
// echoes Page.After back): any string is a valid page or an error
// matching ErrInvalid, never a panic; a cursor the store returned goes
// on after the page it ended.
func FuzzListUsersCursor(f *testing.F) {
	ctx := context.Background()
	s := populated(f, 30)
	filter := usermgmt.UserFilter{AccountID: "a"}
	first, next, err := s.ListUsers(ctx, filter, usermgmt.Page{Limit: 10})
	require.NoError(f, err)
	require.Len(f, first, 10)
	f.Add(next)
	f.Add("")
	f.Add("AAAA")
	f.Add("dQ")
	f.Add("dQBh")
	f.Add("not a cursor")
	f.Add(next[:len(next)-1])
	f.Fuzz(func(t *testing.T, after string) {
		for _, list := range []func() error{
			func() error {
				page, nxt, err := s.ListUsers(ctx, filter, usermgmt.Page{After: after, Limit: 10})
				if err == nil && after == next {
					require.NotEqual(t, first[9].ID, page[0].ID, "the page after the first")
					require.NotEmpty(t, nxt)
				}
				return err
			},
			func() error {
				_, _, err := s.ListTokens(ctx, usermgmt.TokenFilter{}, usermgmt.Page{After: after})
				return err
			},
			func() error {
				_, _, err := s.ListEvents(ctx, usermgmt.EventFilter{AccountID: "a"}, usermgmt.Page{After: after})
				return err
			},
		} {
			if err := list(); err != nil {
				require.ErrorIs(t, err, usermgmt.ErrInvalid)
			}
		}
	})
}
