package roster_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/internal/pgtest"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/memstore"
	"github.com/rosterkit/roster/usermgmt/pgstore"
	"github.com/rosterkit/roster/usermgmt/sqlitestore"
)

// engine opens a fresh, empty store of one kind for a test.
type engine struct {
	name string
	open func(t *testing.T) usermgmt.Store
}

// engines returns memstore, SQLite and, when pgtest.Env is set, PostgreSQL.
// Without a server the PostgreSQL case is skipped, visibly.
func engines() []engine {
	return []engine{
		{"memstore", func(*testing.T) usermgmt.Store { return memstore.New() }},
		{"sqlite", func(t *testing.T) usermgmt.Store {
			s, err := sqlitestore.Open(context.Background(), sqlitestore.Config{Path: filepath.Join(t.TempDir(), "roster.db")})
			require.NoError(t, err)
			t.Cleanup(func() { _ = s.Close() })
			return s
		}},
		{"postgres", func(t *testing.T) usermgmt.Store {
			s, err := pgstore.Open(context.Background(), pgtest.SchemaDSN(t), pgstore.Config{})
			require.NoError(t, err)
			t.Cleanup(func() { _ = s.Close() })
			return s
		}},
	}
}
