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
	s, err := Open(context.Background(), pgtest.SchemaDSN(t), Config{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}
