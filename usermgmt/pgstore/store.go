package pgstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/rosterkit/roster/internal/sqlstore"
	"github.com/rosterkit/roster/usermgmt"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DefaultPrefix is the table prefix when Config.TablePrefix is empty.
const DefaultPrefix = sqlstore.DefaultPrefix

// Errors a Store returns, for errors.Is.
var (
	// ErrClosed is returned by every method of a closed Store.
	ErrClosed = sqlstore.ErrClosed
	// ErrNewerSchema is returned by Open and Migrate when the database was
	// migrated by a newer release of roster; upgrade roster to use it.
	ErrNewerSchema = sqlstore.ErrNewerSchema
	// ErrSerialization matches the error of a transaction PostgreSQL
	// aborted (serialization failure or deadlock) on every one of
	// Config.Attempts tries.
	ErrSerialization = sqlstore.ErrSerialization
	// ErrTxDone is returned by a transaction's methods after the function
	// given to WithTx has returned.
	ErrTxDone = sqlstore.ErrTxDone
)

// Config configures a Store. Its zero value works.
type Config struct {
	// TablePrefix prefixes every table, index and constraint; "" means
	// "roster_". 1 to 24 characters from a-z, 0-9 and _, not starting
	// with a digit.
	TablePrefix string
	// NoMigrate stops Open and New from applying pending migrations; the
	// host then runs Migrate itself or its own tool on Migrations.
	NoMigrate bool
	// Attempts is how many times WithTx (and a multi-statement method
	// outside it) runs a transaction PostgreSQL aborts with a
	// serialization failure or a deadlock; 0 means 5.
	Attempts int
	// MaxConns bounds the connections Open keeps; 0 means 20. New leaves
	// the host's pool as it is.
	MaxConns int
	// Now stamps the migrations table; nil means time.Now.
	Now func() time.Time
}

// Store is a usermgmt.Store on PostgreSQL. It has every method of
// usermgmt.Store (each documented there, with its whole contract) and is
// safe for concurrent use. Several processes may share one database:
// seat limits, uniqueness, single-use tokens and counters hold across
// them through row locks and constraints.
type Store struct {
	*core
	migrator *sqlstore.Migrator
}

// core names the shared implementation so that its methods are promoted
// without exporting it.
type core = sqlstore.Store

var _ usermgmt.Store = (*Store)(nil)

// Open connects to the database at dsn (a postgres:// URL or a key=value
// string, as pgx.ParseConfig reads it) through pgx's database/sql driver,
// which prepares and caches each statement per connection, and applies
// pending migrations unless cfg.NoMigrate is set.
func Open(ctx context.Context, dsn string, cfg Config) (*Store, error) {
	cc, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("pgstore: open: %w", plain(err))
	}
	db := stdlib.OpenDB(*cc)
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = 20
	}
	db.SetMaxOpenConns(cfg.MaxConns)
	db.SetMaxIdleConns(cfg.MaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("pgstore: open: %w", plain(err))
	}
	s, err := build(ctx, db, cfg, db.Close)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// New returns a Store on a handle the host opened with pgx's
// database/sql driver: stdlib.OpenDB(config), stdlib.OpenDBFromPool(pool)
// or sql.Open("pgx", dsn). Other drivers are not supported: the store
// reads pgx's errors to tell unique violations and serialization failures
// apart. Unless cfg.NoMigrate is set it applies pending migrations. Close
// does not close db.
func New(ctx context.Context, db *sql.DB, cfg Config) (*Store, error) {
	if db == nil {
		return nil, errors.New("pgstore: new: nil *sql.DB (open one with stdlib.OpenDB or stdlib.OpenDBFromPool)")
	}
	if _, ok := db.Driver().(*stdlib.Driver); !ok {
		return nil, fmt.Errorf("pgstore: new: driver %T is not pgx's database/sql driver (github.com/jackc/pgx/v5/stdlib)", db.Driver())
	}
	return build(ctx, db, cfg, func() error { return nil })
}

// build makes the Store over db and migrates unless told not to.
func build(ctx context.Context, db *sql.DB, cfg Config, closeFn func() error) (*Store, error) {
	prefix := cfg.TablePrefix
	if prefix == "" {
		prefix = DefaultPrefix
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 5
	}
	ms, err := loadMigrations()
	if err != nil {
		return nil, err
	}
	c, err := sqlstore.New(sqlstore.Config{
		Flavor: sqlstore.Postgres, Name: "pgstore", Prefix: prefix,
		Read: db, Write: db, Classify: classify, Attempts: cfg.Attempts, Close: closeFn,
	})
	if err != nil {
		return nil, err
	}
	s := &Store{core: c, migrator: &sqlstore.Migrator{
		DB: db, Flavor: sqlstore.Postgres, Name: "pgstore", Prefix: prefix, Migrations: ms, Now: cfg.Now,
	}}
	if !cfg.NoMigrate {
		if err := s.Migrate(ctx); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// WithTx runs fn in one READ COMMITTED transaction; see usermgmt.Store.
// A deadlock or serialization failure runs fn again, up to
// Config.Attempts times, then returns an error matching ErrSerialization.
func (s *Store) WithTx(ctx context.Context, fn func(tx usermgmt.Tx) error) error {
	return s.core.WithTx(ctx, fn)
}

// Close closes the store, and the connections Open made; later calls
// return ErrClosed. A handle given to New stays open. Closing twice is
// harmless.
func (s *Store) Close() error { return s.core.Close() }

// Prefix returns the table prefix in use.
func (s *Store) Prefix() string { return s.core.Prefix() }

// Migrate applies pending migrations in order, each in its own
// transaction, recording them in the "<prefix>schema_migrations" table.
// Processes migrating at once take turns on a session advisory lock
// derived from the prefix. A database migrated by a newer release returns
// an error matching ErrNewerSchema.
func (s *Store) Migrate(ctx context.Context) error {
	if sqlstore.IsClosed(s.core) {
		return fmt.Errorf("pgstore: migrate: %w", ErrClosed)
	}
	return s.migrator.Migrate(ctx)
}

// SchemaVersion returns the newest migration applied to the database (0
// for an empty one) and the newest this release knows.
func (s *Store) SchemaVersion(ctx context.Context) (applied, known int, err error) {
	if sqlstore.IsClosed(s.core) {
		return 0, 0, fmt.Errorf("pgstore: schema version: %w", ErrClosed)
	}
	applied, err = s.migrator.Version(ctx)
	return applied, s.migrator.Latest(), err
}

// Migrations returns the SQL migrations with the table prefix substituted
// ("" means "roster_"), as flat "NNNN_name.sql" files applied in name
// order, for hosts that run their own migration tool (goose, atlas, …).
// Such hosts should create Store with Config.NoMigrate.
func Migrations(prefix string) (fs.FS, error) {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	ms, err := loadMigrations()
	if err != nil {
		return nil, err
	}
	fsys, err := sqlstore.MigrationsFS(ms, prefix)
	if err != nil {
		return nil, fmt.Errorf("pgstore: migrations: %w", err)
	}
	return fsys, nil
}

func loadMigrations() ([]sqlstore.Migration, error) {
	ms, err := sqlstore.LoadMigrations(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("pgstore: %w", err)
	}
	return ms, nil
}

// PostgreSQL error codes the store understands.
const (
	codeUniqueViolation      = "23505"
	codeForeignKeyViolation  = "23503"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
)

// classify tells the shared store what a pgx error is.
func classify(err error) (sqlstore.Kind, string) {
	var e *pgconn.PgError
	if !errors.As(err, &e) {
		return sqlstore.Other, ""
	}
	switch e.Code {
	case codeUniqueViolation:
		return sqlstore.Unique, e.ConstraintName
	case codeForeignKeyViolation:
		return sqlstore.ForeignKey, e.ConstraintName
	case codeSerializationFailure, codeDeadlockDetected:
		return sqlstore.Retry, ""
	}
	return sqlstore.Other, ""
}

// plain turns a driver error into a message without the driver's type,
// keeping context errors for errors.Is.
func plain(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return errors.New(err.Error())
}
