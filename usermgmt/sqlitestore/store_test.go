package sqlitestore

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/internal/sqlstore/sqltest"
)

// newStore opens a migrated Store on a fresh database file.
func newStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), Config{Path: filepath.Join(t.TempDir(), "roster.db")})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

var harness = sqltest.Harness{New: func(t testing.TB) sqltest.Store { return newStore(t) }}

func TestFaults(t *testing.T) {
	t.Parallel()
	sqltest.RunFaults(t, harness)
}

func TestBehaviour(t *testing.T) {
	t.Parallel()
	sqltest.RunBehaviour(t, harness)
}

func TestBehaviourInMemory(t *testing.T) {
	t.Parallel()
	sqltest.RunBehaviour(t, sqltest.Harness{New: func(t testing.TB) sqltest.Store {
		s, err := Open(context.Background(), Config{Path: ":memory:"})
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		return s
	}})
}

func TestContract(t *testing.T) {
	t.Parallel()
	sqltest.RunContract(t, harness)
}
