package pgstore

import (
	"context"
	"database/sql"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/internal/pgtest"
)

// requirePG skips t when no PostgreSQL server is configured.
func requirePG(t testing.TB) { t.Helper(); pgtest.Require(t) }

// testDSN returns a DSN for a fresh schema of the test server, dropped
// when t ends; it skips t when no server is configured.
func testDSN(t testing.TB) string { t.Helper(); return pgtest.SchemaDSN(t) }

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
