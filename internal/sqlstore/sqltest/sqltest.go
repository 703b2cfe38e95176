// Package sqltest holds the tests and benchmarks the SQL stores share:
// faults (closed database, cancelled context, concurrent unique
// violations, races on seats, tokens and counters, failed statements
// inside a transaction), round trips, keyset pagination and the
// benchmark bodies. Each engine package runs them on its own store; what
// only one engine can show (migrations racing on one database, the
// schema guard, PostgreSQL's retries) stays in that package.
package sqltest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
)

// Store is a usermgmt.Store that can be closed.
type Store interface {
	usermgmt.Store
	Close() error
}

// Harness makes stores for the shared tests.
type Harness struct {
	// New returns an empty, migrated store that t's cleanup closes.
	New func(t testing.TB) Store
	// BadText is a string the engine refuses to store (PostgreSQL: one
	// with a NUL byte), or "" when it stores any string.
	BadText string
}

// Epoch is the fixed clock of the tests; its nanoseconds check that
// stores truncate to the microsecond.
func Epoch() time.Time { return time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC) }

// World is an account with a root group and a child group.
type World struct {
	Account usermgmt.Account
	Root    usermgmt.Group
	Child   usermgmt.Group
}

// NewWorld creates an account (with seats seats, 0 for unlimited), a root
// group and a child group in s.
func NewWorld(t testing.TB, s usermgmt.Tx, id string, seats int) World {
	t.Helper()
	ctx := context.Background()
	w := World{
		Account: usermgmt.Account{ID: id, Name: "Account " + id, OwnerID: id + "-owner", RootGroupID: id + "-root",
			SeatLimit: seats, TwoFactor: true, CreatedAt: Epoch(), UpdatedAt: Epoch()},
		Root:  usermgmt.Group{ID: id + "-root", AccountID: id, Name: "Root", CreatedAt: Epoch(), UpdatedAt: Epoch()},
		Child: usermgmt.Group{ID: id + "-child", AccountID: id, ParentID: id + "-root", Name: "Child", CreatedAt: Epoch(), UpdatedAt: Epoch()},
	}
	require.NoError(t, s.CreateAccount(ctx, &w.Account))
	require.NoError(t, s.CreateGroup(ctx, &w.Root))
	require.NoError(t, s.CreateGroup(ctx, &w.Child))
	return w
}

// User returns a valid active user of w's root group named after n.
func (w World) User(n string) usermgmt.User {
	return usermgmt.User{
		ID: w.Account.ID + "-" + n, AccountID: w.Account.ID, GroupID: w.Root.ID,
		Kind: usermgmt.KindPerson, Type: usermgmt.TypeEndUser, Status: usermgmt.StatusActive,
		Username: "user " + n, FirstName: "First" + n, LastName: "Last" + n,
		Email: n + "@" + w.Account.ID + ".example", ServiceLevel: usermgmt.LevelArchive,
		CreatedAt: Epoch(), UpdatedAt: Epoch(),
	}
}

// Phone returns a distinct E.164 number for i.
func Phone(i int) string { return fmt.Sprintf("+4477009%05d", i) }
