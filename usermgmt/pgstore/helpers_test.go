package pgstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"
)

// envURL names the variable that points the tests at a PostgreSQL server.
const envURL = "ROSTER_TEST_POSTGRES_URL"

// requirePG skips t when no PostgreSQL server is configured.
func requirePG(t testing.TB) {
	t.Helper()
	if os.Getenv(envURL) == "" {
		t.Skipf("PostgreSQL tests skipped: set %s (scripts/with-postgres does)", envURL)
	}
}

// testDSN returns a DSN for a fresh schema of the test server, dropped
// when t ends; it skips t when no server is configured.
func testDSN(t testing.TB) string {
	t.Helper()
	requirePG(t)
	base := os.Getenv(envURL)
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "test_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	require.NoError(t, err)
	defer admin.Close()
	_, err = admin.ExecContext(context.Background(), "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		_, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	})
	return withSearchPath(t, base, schema)
}

// withSearchPath adds search_path to a URL or key=value DSN.
func withSearchPath(t testing.TB, dsn, schema string) string {
	t.Helper()
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		require.NoError(t, err)
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}

// openDB opens a database/sql handle on dsn with pgx's driver.
func openDB(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	cc, err := pgx.ParseConfig(dsn)
	require.NoError(t, err)
	db := stdlib.OpenDB(*cc)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// newStore opens a migrated Store on a fresh schema.
func newStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), testDSN(t), Config{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}
