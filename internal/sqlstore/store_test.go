package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/rosterkit/roster/usermgmt"
)

// testStore returns a Store on a fresh SQLite file whose schema is the
// minimum the tests here touch.
func testStore(t *testing.T, attempts int, classify func(error) (Kind, string)) *Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "t.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	require.NoError(t, err)
	db.SetMaxOpenConns(1)
	_, err = db.Exec(`CREATE TABLE t_counters (counter_key TEXT PRIMARY KEY, hits INTEGER NOT NULL,
		window_start INTEGER NOT NULL, last_hit INTEGER NOT NULL)`)
	require.NoError(t, err)
	if classify == nil {
		classify = func(error) (Kind, string) { return Other, "" }
	}
	s, err := New(Config{Flavor: SQLite, Name: "test", Prefix: "t_", Read: db, Write: db,
		Classify: classify, Attempts: attempts, CacheStatements: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	db := &sql.DB{}
	cls := func(error) (Kind, string) { return Other, "" }
	for name, cfg := range map[string]Config{
		"flavor":   {Name: "x", Prefix: "p_", Read: db, Write: db, Classify: cls},
		"db":       {Flavor: SQLite, Name: "x", Prefix: "p_", Classify: cls},
		"classify": {Flavor: SQLite, Name: "x", Prefix: "p_", Read: db, Write: db},
		"prefix":   {Flavor: SQLite, Name: "x", Prefix: "P-", Read: db, Write: db, Classify: cls},
	} {
		_, err := New(cfg)
		assert.Error(t, err, name)
	}
}

func TestFailedStatementRollsBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testStore(t, 1, nil)
	err := s.WithTx(ctx, func(tx usermgmt.Tx) error {
		_, err := tx.Hit(ctx, "kept?", time.Unix(100, 0), time.Minute)
		require.NoError(t, err)
		o := tx.(*ops)
		_, err = o.exec(ctx, "broken", `INSERT INTO {p}no_such_table VALUES (1)`)
		require.Error(t, err)
		return nil // fn ignores the failure
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "rolled back after a failed statement")
	assert.Contains(t, err.Error(), "no_such_table")
	c, err := s.GetCounter(ctx, "kept?", time.Unix(100, 0), time.Minute)
	require.NoError(t, err)
	assert.Zero(t, c.Count, "nothing of the failed transaction is kept")
}

func TestRetry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	retryable := errors.New("driver: database is locked")
	classify := func(err error) (Kind, string) {
		if errors.Is(err, retryable) {
			return Retry, ""
		}
		return Other, ""
	}
	s := testStore(t, 4, classify)

	// fn fails with a retryable error twice, then succeeds: WithTx runs
	// it three times and keeps only the last run's writes.
	runs := 0
	err := s.WithTx(ctx, func(tx usermgmt.Tx) error {
		runs++
		if _, err := tx.Hit(ctx, "k", time.Unix(100, 0), time.Minute); err != nil {
			return err
		}
		if runs < 3 {
			return s.wrapDB("step", retryable)
		}
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, 3, runs)
	c, err := s.GetCounter(ctx, "k", time.Unix(100, 0), time.Minute)
	require.NoError(t, err)
	assert.Equal(t, int64(1), c.Count)

	// Always retryable: surfaced after the configured attempts.
	runs = 0
	err = s.WithTx(ctx, func(usermgmt.Tx) error { runs++; return s.wrapDB("step", retryable) })
	require.ErrorIs(t, err, ErrSerialization)
	assert.Equal(t, 4, runs)

	// Not retryable: run once.
	runs = 0
	boom := errors.New("boom")
	err = s.WithTx(ctx, func(usermgmt.Tx) error { runs++; return boom })
	require.ErrorIs(t, err, boom)
	assert.Equal(t, 1, runs)

	// A cancelled context stops the retries.
	cctx, cancel := context.WithCancel(ctx)
	runs = 0
	err = s.WithTx(cctx, func(usermgmt.Tx) error { runs++; cancel(); return s.wrapDB("step", retryable) })
	require.ErrorIs(t, err, ErrSerialization)
	assert.Equal(t, 1, runs)
}

func TestWrapDB(t *testing.T) {
	t.Parallel()
	s := &Store{cfg: Config{Name: "x", Prefix: "p_", Classify: func(err error) (Kind, string) {
		switch err.Error() {
		case "unique":
			return Unique, "p_users_email_key"
		case "fk":
			return ForeignKey, ""
		case "retry":
			return Retry, ""
		}
		return Other, ""
	}}}
	var ce *usermgmt.ConflictError
	require.ErrorAs(t, s.wrapDB("op", errors.New("unique")), &ce)
	assert.Equal(t, "email", ce.Field)
	assert.ErrorIs(t, s.wrapDB("op", errors.New("fk")), usermgmt.ErrNotFound)
	assert.ErrorIs(t, s.wrapDB("op", errors.New("retry")), ErrSerialization)
	assert.ErrorIs(t, s.wrapDB("op", context.DeadlineExceeded), context.DeadlineExceeded)
	assert.ErrorIs(t, s.wrapDB("op", errors.Join(errors.New("x"), context.Canceled)), context.Canceled)
	driverErr := &fakeDriverError{}
	err := s.wrapDB("op", driverErr)
	assert.EqualError(t, err, "x: op: fake driver failure")
	assert.False(t, errors.As(err, new(*fakeDriverError)), "no driver type crosses the boundary")
	assert.NoError(t, s.wrapDB("op", nil))
}

type fakeDriverError struct{}

func (*fakeDriverError) Error() string { return "fake driver failure" }

func TestMigrationsFS(t *testing.T) {
	t.Parallel()
	src := fstest.MapFS{
		"m/0002_more.sql": {Data: []byte("CREATE TABLE {{prefix}}b (id INTEGER);")},
		"m/0001_init.sql": {Data: []byte("CREATE TABLE {{prefix}}a (id INTEGER);")},
		"m/README.md":     {Data: []byte("ignored")},
	}
	ms, err := LoadMigrations(src, "m")
	require.NoError(t, err)
	require.Len(t, ms, 2)
	assert.Equal(t, Migration{Version: 1, Name: "init", File: "0001_init.sql", SQL: "CREATE TABLE {{prefix}}a (id INTEGER);"}, ms[0])
	fsys, err := MigrationsFS(ms, "app_")
	require.NoError(t, err)
	require.NoError(t, fstest.TestFS(fsys, "0001_init.sql", "0002_more.sql"))
	b, err := fsys.(interface{ ReadFile(string) ([]byte, error) }).ReadFile("0002_more.sql")
	require.NoError(t, err)
	assert.Equal(t, "CREATE TABLE app_b (id INTEGER);", string(b))
	_, err = MigrationsFS(ms, "Bad-Prefix")
	assert.Error(t, err)

	for name, bad := range map[string]fstest.MapFS{
		"gap":      {"m/0001_a.sql": {}, "m/0003_c.sql": {}},
		"no name":  {"m/0001.sql": {}},
		"not num":  {"m/one_a.sql": {}},
		"zero":     {"m/0000_a.sql": {}},
		"no dir":   {},
		"dup vers": {"m/0001_a.sql": {}, "m/01_b.sql": {}},
	} {
		_, err := LoadMigrations(bad, "m")
		assert.Error(t, err, name)
	}
}

func TestMigrator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "m.db")+"?_pragma=busy_timeout(5000)")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	ms := []Migration{
		{Version: 1, Name: "a", File: "0001_a.sql", SQL: "CREATE TABLE {{prefix}}a (id INTEGER); CREATE TABLE {{prefix}}a2 (id INTEGER);"},
		{Version: 2, Name: "b", File: "0002_b.sql", SQL: "CREATE TABLE {{prefix}}b (id INTEGER);"},
	}
	m := &Migrator{DB: db, Flavor: SQLite, Name: "test", Prefix: "m_", Migrations: ms[:1],
		Now: func() time.Time { return time.Unix(1, 0) }}
	v, err := m.Version(ctx)
	require.NoError(t, err)
	assert.Zero(t, v)
	require.NoError(t, m.Migrate(ctx))
	require.NoError(t, m.Migrate(ctx), "migrating again does nothing")
	m.Migrations = ms
	require.NoError(t, m.Migrate(ctx))
	v, err = m.Version(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, v)

	// A failing migration leaves nothing of itself behind.
	bad := &Migrator{DB: db, Flavor: SQLite, Name: "test", Prefix: "m_", Migrations: append(ms,
		Migration{Version: 3, Name: "c", File: "0003_c.sql", SQL: "CREATE TABLE {{prefix}}c (id INTEGER); SYNTAX ERROR;"})}
	err = bad.Migrate(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "0003_c.sql")
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'm_c'`).Scan(&n))
	assert.Zero(t, n)
	v, err = m.Version(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, v)

	// An older release refuses the newer schema.
	old := &Migrator{DB: db, Flavor: SQLite, Name: "test", Prefix: "m_", Migrations: ms[:1]}
	err = old.Migrate(ctx)
	require.ErrorIs(t, err, ErrNewerSchema)
	assert.Contains(t, err.Error(), "version 2")

	// A cancelled context is reported as such.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, m.Migrate(cctx), context.Canceled)
}

func TestNilRecords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testStore(t, 1, nil)
	for name, err := range map[string]error{
		"CreateAccount": s.CreateAccount(ctx, nil),
		"UpdateAccount": s.UpdateAccount(ctx, nil),
		"CreateGroup":   s.CreateGroup(ctx, nil),
		"CreateUser":    s.CreateUser(ctx, nil),
		"UpdateUser":    s.UpdateUser(ctx, nil),
		"CreateGrant":   s.CreateGrant(ctx, nil),
		"CreateNumber":  s.CreateNumber(ctx, nil),
		"CreateAlias":   s.CreateAlias(ctx, nil),
		"CreateToken":   s.CreateToken(ctx, nil),
		"UpdateToken":   s.UpdateToken(ctx, nil),
		"CreateSession": s.CreateSession(ctx, nil),
		"AppendEvent":   s.AppendEvent(ctx, nil),
		"WithTx":        s.WithTx(ctx, nil),
	} {
		assert.Error(t, err, name)
	}
}
