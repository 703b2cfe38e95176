package pgstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/internal/pgtest"
	"github.com/rosterkit/roster/internal/sqlstore/sqltest"
	"github.com/rosterkit/roster/usermgmt"
)

func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.SchemaDSN(t)
	const n = 4
	stores := make([]*Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = Open(ctx, dsn, Config{})
		}()
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		t.Cleanup(func() { _ = stores[i].Close() })
	}
	for _, s := range stores {
		wg.Add(1)
		go func() { defer wg.Done(); assert.NoError(t, s.Migrate(ctx)) }()
	}
	wg.Wait()
	applied, known, err := stores[0].SchemaVersion(ctx)
	require.NoError(t, err)
	assert.Equal(t, known, applied)
	db := openDB(t, dsn)
	var rows int
	require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM roster_schema_migrations`).Scan(&rows))
	assert.Equal(t, known, rows, "each migration recorded once")
}

func TestNewerSchemaRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.SchemaDSN(t)
	s, err := Open(ctx, dsn, Config{})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	db := openDB(t, dsn)
	_, err = db.ExecContext(ctx, `INSERT INTO roster_schema_migrations (version, name, applied_at) VALUES (9999, 'future', now())`)
	require.NoError(t, err)

	_, err = Open(ctx, dsn, Config{})
	require.ErrorIs(t, err, ErrNewerSchema)
	assert.Contains(t, err.Error(), "version 9999")

	s, err = New(ctx, db, Config{NoMigrate: true})
	require.NoError(t, err)
	require.ErrorIs(t, s.Migrate(ctx), ErrNewerSchema)
	applied, _, err := s.SchemaVersion(ctx)
	require.NoError(t, err)
	assert.Equal(t, 9999, applied)
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
	_, err = Migrations("x y")
	require.Error(t, err)

	// The files, applied by another tool, give the schema the store expects.
	pgtest.Require(t)
	ctx := context.Background()
	fsys, err = Migrations("tool_")
	require.NoError(t, err)
	b, err = fs.ReadFile(fsys, "0001_init.sql")
	require.NoError(t, err)
	db := openDB(t, pgtest.SchemaDSN(t))
	_, err = db.ExecContext(ctx, string(b))
	require.NoError(t, err)
	s, err := New(ctx, db, Config{TablePrefix: "tool_", NoMigrate: true})
	require.NoError(t, err)
	w := sqltest.NewWorld(t, s, "tool", 0)
	u := w.User("a")
	require.NoError(t, s.CreateUser(ctx, &u))
}

func TestNewAndOpenErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, err := New(ctx, nil, Config{})
	require.Error(t, err)
	other := sql.OpenDB(otherConnector{})
	defer other.Close()
	_, err = New(ctx, other, Config{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not pgx's database/sql driver")

	_, err = Open(ctx, "postgres://u:secret-password@[::1", Config{})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "secret-password", "no secret in an error")
	_, err = Open(ctx, "postgres://roster@127.0.0.1:1/none?sslmode=disable&connect_timeout=2", Config{})
	require.Error(t, err)

	pgtest.Require(t)
	_, err = Open(ctx, pgtest.SchemaDSN(t), Config{TablePrefix: "Bad-Prefix"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "table prefix")
}

// TestInstancesShareOneDatabase runs two Store values, as two application
// instances would, on one schema: the seat limit and uniqueness hold
// across them.
func TestInstancesShareOneDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.SchemaDSN(t)
	a, err := Open(ctx, dsn, Config{})
	require.NoError(t, err)
	defer a.Close()
	b, err := Open(ctx, dsn, Config{})
	require.NoError(t, err)
	defer b.Close()
	w := sqltest.NewWorld(t, a, "shared", 7)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		ok, full int
	)
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := a
			if i%2 == 1 {
				s = b
			}
			u := w.User(fmt.Sprint(i))
			err := s.CreateUser(ctx, &u)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, usermgmt.ErrSeatLimit):
				full++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 7, ok)
	assert.Equal(t, 23, full)
	c, err := b.CountUsers(ctx, w.Account.ID)
	require.NoError(t, err)
	assert.Equal(t, 7, c.Total)
}

// TestDeadlockRetried makes two transactions lock two accounts in
// opposite orders. PostgreSQL aborts one with a deadlock; WithTx runs it
// again and both commit. With one attempt the error is surfaced.
func TestDeadlockRetried(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.SchemaDSN(t)
	for _, tc := range []struct {
		name     string
		attempts int
	}{{"retried", 5}, {"surfaced", 1}} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(ctx, dsn, Config{Attempts: tc.attempts, TablePrefix: tc.name + "_"})
			require.NoError(t, err)
			defer s.Close()
			x := sqltest.NewWorld(t, s, "x", 0)
			y := sqltest.NewWorld(t, s, "y", 0)
			var (
				first   sync.WaitGroup // both hold their first lock
				wg      sync.WaitGroup
				mu      sync.Mutex
				runs    int
				results = make([]error, 2)
				done    = []chan struct{}{make(chan struct{}), make(chan struct{})}
			)
			first.Add(2)
			lockBoth := func(i int, one, two string) {
				defer wg.Done()
				defer close(done[i])
				attempt := 0
				results[i] = s.WithTx(ctx, func(tx usermgmt.Tx) error {
					attempt++
					if attempt > 1 {
						// The survivor holds no lock the victim wants
						// any more; let it commit first, so that the
						// victim's rerun reads what it wrote rather than
						// racing it (a race that read-committed
						// reports, rightly, as a version conflict).
						<-done[1-i]
					}
					mu.Lock()
					runs++
					mu.Unlock()
					for k, id := range []string{one, two} {
						acc, err := tx.GetAccount(ctx, id)
						if err != nil {
							return err
						}
						acc.Name += "!"
						if err := tx.UpdateAccount(ctx, &acc); err != nil {
							return err
						}
						if k == 0 && attempt == 1 {
							first.Done()
							first.Wait()
						}
					}
					return nil
				})
			}
			wg.Add(2)
			go lockBoth(0, x.Account.ID, y.Account.ID)
			go lockBoth(1, y.Account.ID, x.Account.ID)
			wg.Wait()

			failed := 0
			for _, err := range results {
				if err != nil {
					require.ErrorIs(t, err, ErrSerialization)
					failed++
				}
			}
			ax, err := s.GetAccount(ctx, x.Account.ID)
			require.NoError(t, err)
			if tc.attempts > 1 {
				assert.Zero(t, failed)
				assert.GreaterOrEqual(t, runs, 3, "the aborted transaction ran again")
				assert.Equal(t, "Account x!!", ax.Name)
			} else {
				assert.GreaterOrEqual(t, failed, 1)
				assert.Equal(t, 2, runs)
				assert.Equal(t, "Account x"+strings.Repeat("!", 2-failed), ax.Name, "an aborted transaction leaves nothing")
			}
		})
	}
}

// otherConnector stands for a database/sql driver other than pgx's.
type otherConnector struct{}

func (otherConnector) Connect(context.Context) (driver.Conn, error) {
	return nil, errors.New("not used")
}
func (otherConnector) Driver() driver.Driver { return otherDriver{} }

type otherDriver struct{}

func (otherDriver) Open(string) (driver.Conn, error) { return nil, errors.New("not used") }

func TestHostClosesDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openDB(t, pgtest.SchemaDSN(t))
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
