package roster_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to make and drop test schemas
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/memstore"
	"github.com/rosterkit/roster/usermgmt/pgstore"
	"github.com/rosterkit/roster/usermgmt/sqlitestore"
)

// pgEnv names the variable that points the tests at a PostgreSQL server
// (scripts/with-postgres sets it).
const pgEnv = "ROSTER_TEST_POSTGRES_URL"

// engine opens a fresh, empty store of one kind for a test.
type engine struct {
	name string
	open func(t *testing.T) usermgmt.Store
}

// engines returns memstore, SQLite and, when pgEnv is set, PostgreSQL.
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
			s, err := pgstore.Open(context.Background(), pgSchema(t), pgstore.Config{})
			require.NoError(t, err)
			t.Cleanup(func() { _ = s.Close() })
			return s
		}},
	}
}

// pgSchema returns a DSN of the test server whose search_path is a fresh
// schema, dropped when t ends; it skips t when no server is configured.
func pgSchema(t *testing.T) string {
	t.Helper()
	base := os.Getenv(pgEnv)
	if base == "" {
		t.Skipf("PostgreSQL skipped: set %s (scripts/with-postgres does)", pgEnv)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "roster_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	require.NoError(t, err)
	defer admin.Close()
	_, err = admin.Exec("CREATE SCHEMA " + schema)
	require.NoError(t, err)
	t.Cleanup(func() {
		if admin, err := sql.Open("pgx", base); err == nil {
			_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
			_ = admin.Close()
		}
	})
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		u, err := url.Parse(base)
		require.NoError(t, err)
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return base + " search_path=" + schema
}
