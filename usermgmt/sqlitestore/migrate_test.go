package sqlitestore

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/internal/sqlstore/sqltest"
	"github.com/rosterkit/roster/usermgmt"
)

func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "race.db")
	const n = 4
	stores := make([]*Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = Open(ctx, Config{Path: path})
		}()
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		t.Cleanup(func() { _ = stores[i].Close() })
	}
	// Migrate again from every store at once: nothing left to do.
	for _, s := range stores {
		wg.Add(1)
		go func() { defer wg.Done(); assert.NoError(t, s.Migrate(ctx)) }()
	}
	wg.Wait()

	applied, known, err := stores[0].SchemaVersion(ctx)
	require.NoError(t, err)
	assert.Equal(t, known, applied)
	var rows, tables int
	db := stores[0].migrator.DB
	require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM roster_schema_migrations`).Scan(&rows))
	assert.Equal(t, known, rows, "each migration recorded once")
	require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'roster_users'`).Scan(&tables))
	assert.Equal(t, 1, tables)
}

func TestNewerSchemaRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "newer.db")
	s, err := Open(ctx, Config{Path: path})
	require.NoError(t, err)
	_, err = s.migrator.DB.ExecContext(ctx, `INSERT INTO roster_schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0)`)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	_, err = Open(ctx, Config{Path: path})
	require.ErrorIs(t, err, ErrNewerSchema)
	assert.Contains(t, err.Error(), "version 9999")

	// With NoMigrate the store opens; Migrate still refuses.
	s, err = Open(ctx, Config{Path: path, NoMigrate: true})
	require.NoError(t, err)
	defer s.Close()
	require.ErrorIs(t, s.Migrate(ctx), ErrNewerSchema)
	applied, known, err := s.SchemaVersion(ctx)
	require.NoError(t, err)
	assert.Equal(t, 9999, applied)
	assert.Less(t, known, applied)
}

func TestNoMigrateThenMigrate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, Config{Path: filepath.Join(t.TempDir(), "late.db"), NoMigrate: true})
	require.NoError(t, err)
	defer s.Close()
	applied, known, err := s.SchemaVersion(ctx)
	require.NoError(t, err)
	assert.Zero(t, applied)
	assert.Positive(t, known)
	_, err = s.GetAccount(ctx, "x")
	require.Error(t, err, "no tables yet")
	require.NoError(t, s.Migrate(ctx))
	_, err = s.GetAccount(ctx, "x")
	require.ErrorIs(t, err, usermgmt.ErrNotFound)
}

func TestMigrations(t *testing.T) {
	t.Parallel()
	fsys, err := Migrations("")
	require.NoError(t, err)
	require.NoError(t, fstest.TestFS(fsys, "0001_init.sql"))
	b, err := fs.ReadFile(fsys, "0001_init.sql")
	require.NoError(t, err)
	assert.Contains(t, string(b), "CREATE TABLE roster_users")
	assert.NotContains(t, string(b), "{{prefix}}")

	fsys, err = Migrations("app_")
	require.NoError(t, err)
	b, err = fs.ReadFile(fsys, "0001_init.sql")
	require.NoError(t, err)
	assert.Contains(t, string(b), "CREATE TABLE app_users")

	_, err = Migrations("Robert'); DROP TABLE students;--")
	require.Error(t, err)

	// The files, applied by another tool, give the schema Open expects.
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tool.db")
	db, err := sql.Open("sqlite", dsn(path, 0))
	require.NoError(t, err)
	defer db.Close()
	_, err = db.ExecContext(ctx, string(b))
	require.NoError(t, err)
	s, err := New(ctx, db, Config{TablePrefix: "app_", NoMigrate: true})
	require.NoError(t, err)
	w := sqltest.NewWorld(t, s, "tool", 0)
	u := w.User("a")
	require.NoError(t, s.CreateUser(ctx, &u))
}

func TestTablePrefixes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	a, err := Open(ctx, Config{Path: path, TablePrefix: "one_"})
	require.NoError(t, err)
	defer a.Close()
	b, err := Open(ctx, Config{Path: path, TablePrefix: "two_"})
	require.NoError(t, err)
	defer b.Close()
	sqltest.NewWorld(t, a, "acc", 0)
	sqltest.NewWorld(t, b, "acc", 0) // same id, other tables: no conflict
	assert.Equal(t, "one_", a.Prefix())

	_, err = Open(ctx, Config{Path: path, TablePrefix: "bad prefix"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "table prefix")
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, err := Open(ctx, Config{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Config.Path")
	_, err = Open(ctx, Config{Path: filepath.Join(t.TempDir(), "missing", "dir", "x.db")})
	require.Error(t, err)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = Open(cctx, Config{Path: filepath.Join(t.TempDir(), "x.db")})
	require.ErrorIs(t, err, context.Canceled)
	_, err = New(ctx, nil, Config{})
	require.Error(t, err)
}

func TestNewChecksForeignKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "host.db")
	off, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	defer off.Close()
	_, err = New(ctx, off, Config{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "foreign_keys(1)")

	on, err := sql.Open("sqlite", dsn(path, 0)+"&_txlock=immediate")
	require.NoError(t, err)
	defer on.Close()
	s, err := New(ctx, on, Config{})
	require.NoError(t, err)
	sqltest.NewWorld(t, s, "host", 0)
	require.NoError(t, s.Close())
	require.NoError(t, on.PingContext(ctx), "Close leaves the host's handle open")
}

func TestClassify(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"constraint failed: UNIQUE constraint failed: roster_users.username_key (2067)":                           "roster_users.username_key",
		"constraint failed: UNIQUE constraint failed: roster_users.account_id, roster_users.customer_code (2067)": "roster_users.account_id, roster_users.customer_code",
		"UNIQUE constraint failed: t.id": "t.id",
		"something else":                 "",
	}
	for msg, want := range cases {
		assert.Equal(t, want, constraintColumns(msg), msg)
	}
	kind, _ := classify(assert.AnError)
	assert.Zero(t, kind)
}

func TestHostClosesDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := sql.Open("sqlite", dsn(filepath.Join(t.TempDir(), "closed.db"), 0))
	require.NoError(t, err)
	s, err := New(ctx, db, Config{})
	require.NoError(t, err)
	w := sqltest.NewWorld(t, s, "c", 0)
	require.NoError(t, db.Close())

	u := w.User("a")
	require.ErrorIs(t, s.CreateUser(ctx, &u), ErrClosed)
	_, err = s.GetUser(ctx, u.ID)
	require.ErrorIs(t, err, ErrClosed)
	require.ErrorIs(t, s.WithTx(ctx, func(usermgmt.Tx) error { return nil }), ErrClosed)
}
