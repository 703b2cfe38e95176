package sqlitestore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite"

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
	// ErrTxDone is returned by a transaction's methods after the function
	// given to WithTx has returned.
	ErrTxDone = sqlstore.ErrTxDone
)

// Config configures a Store. The zero value is not enough for Open, which
// needs a Path; New needs none.
type Config struct {
	// Path is the database file, created if missing. ":memory:" opens a
	// private in-memory database on one connection (tests, examples).
	Path string
	// TablePrefix prefixes every table and index; "" means "roster_".
	// 1 to 24 characters from a-z, 0-9 and _, not starting with a digit.
	TablePrefix string
	// NoMigrate stops Open and New from applying pending migrations; the
	// host then runs Migrate itself or its own tool on Migrations.
	NoMigrate bool
	// BusyTimeout is how long a connection waits for another process's
	// write lock before failing; 0 means 10 seconds.
	BusyTimeout time.Duration
	// ReadConns is the size of the read pool Open makes; 0 means the
	// number of CPUs, at least 4.
	ReadConns int
	// Now stamps the migrations table; nil means time.Now.
	Now func() time.Time
}

// Store is a usermgmt.Store on SQLite. It has every method of
// usermgmt.Store (each documented there, with its whole contract) and is
// safe for concurrent use.
type Store struct {
	*core
	migrator *sqlstore.Migrator
}

// core names the shared implementation so that its methods are promoted
// without exporting it.
type core = sqlstore.Store

var _ usermgmt.Store = (*Store)(nil)

// Open opens (creating if needed) the SQLite database at cfg.Path with
// WAL, foreign keys on, synchronous NORMAL and a busy timeout; it keeps
// one write connection (every transaction starts with BEGIN IMMEDIATE)
// and a pool of read connections, and applies pending migrations unless
// cfg.NoMigrate is set.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Path == "" {
		return nil, errors.New("sqlitestore: open: missing Config.Path (a file name, or \":memory:\")")
	}
	if cfg.BusyTimeout <= 0 {
		cfg.BusyTimeout = 10 * time.Second
	}
	if cfg.ReadConns <= 0 {
		cfg.ReadConns = max(4, runtime.NumCPU())
	}
	var write, read *sql.DB
	if cfg.Path == ":memory:" {
		write = sql.OpenDB(connector{dsn: dsn(":memory:", cfg.BusyTimeout)})
		write.SetMaxOpenConns(1)
		write.SetMaxIdleConns(1)
		write.SetConnMaxLifetime(0)
		write.SetConnMaxIdleTime(0)
		read = write
	} else {
		write = sql.OpenDB(connector{dsn: dsn(cfg.Path, cfg.BusyTimeout)})
		write.SetMaxOpenConns(1)
		write.SetMaxIdleConns(1)
		read = sql.OpenDB(connector{dsn: dsn(cfg.Path, cfg.BusyTimeout) + "&_pragma=query_only(1)"})
		read.SetMaxOpenConns(cfg.ReadConns)
		read.SetMaxIdleConns(cfg.ReadConns)
	}
	closeAll := func() error {
		err := write.Close()
		if read != write {
			err = errors.Join(err, read.Close())
		}
		return err
	}
	s, err := build(ctx, write, read, cfg, closeAll)
	if err != nil {
		_ = closeAll()
		return nil, err
	}
	return s, nil
}

// New returns a Store on a database the host opened with the
// modernc.org/sqlite driver ("sqlite"). db serves reads and writes. Open
// it with foreign keys on, a busy timeout and WAL, for example
//
//	file:app.db?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)
//
// and, for a file shared by several goroutines, limit it to one open
// connection or accept that writers wait on SQLite's busy handler. New
// checks that foreign keys are on and, unless cfg.NoMigrate is set,
// applies pending migrations. cfg.Path, BusyTimeout and ReadConns are
// ignored. Close does not close db.
func New(ctx context.Context, db *sql.DB, cfg Config) (*Store, error) {
	if db == nil {
		return nil, errors.New("sqlitestore: new: nil *sql.DB (open one with sql.Open(\"sqlite\", dsn))")
	}
	var fk bool
	if err := db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
		return nil, fmt.Errorf("sqlitestore: new: %w", plain(err))
	}
	if !fk {
		return nil, errors.New("sqlitestore: new: foreign keys are off (add _pragma=foreign_keys(1) to the DSN)")
	}
	return build(ctx, db, db, cfg, func() error { return nil })
}

// build makes the Store over its handles and migrates unless told not to.
func build(ctx context.Context, write, read *sql.DB, cfg Config, closeFn func() error) (*Store, error) {
	prefix := cfg.TablePrefix
	if prefix == "" {
		prefix = DefaultPrefix
	}
	ms, err := loadMigrations()
	if err != nil {
		return nil, err
	}
	c, err := sqlstore.New(sqlstore.Config{
		Flavor: sqlstore.SQLite, Name: "sqlitestore", Prefix: prefix,
		Read: read, Write: write, Classify: classify, Close: closeFn, CacheStatements: true,
	})
	if err != nil {
		return nil, err
	}
	s := &Store{core: c, migrator: &sqlstore.Migrator{
		DB: write, Flavor: sqlstore.SQLite, Name: "sqlitestore", Prefix: prefix, Migrations: ms, Now: cfg.Now,
	}}
	if !cfg.NoMigrate {
		if err := s.Migrate(ctx); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// WithTx runs fn in one transaction on the write connection (BEGIN
// IMMEDIATE); see usermgmt.Store. fn must use only tx: the Store's own
// writes wait for the transaction to end.
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
// Concurrent calls, from this process or another, are safe: each step
// takes the write lock and re-reads what is applied. A database migrated
// by a newer release returns an error matching ErrNewerSchema.
func (s *Store) Migrate(ctx context.Context) error {
	if sqlstore.IsClosed(s.core) {
		return fmt.Errorf("sqlitestore: migrate: %w", ErrClosed)
	}
	return s.migrator.Migrate(ctx)
}

// SchemaVersion returns the newest migration applied to the database (0
// for an empty one) and the newest this release knows.
func (s *Store) SchemaVersion(ctx context.Context) (applied, known int, err error) {
	if sqlstore.IsClosed(s.core) {
		return 0, 0, fmt.Errorf("sqlitestore: schema version: %w", ErrClosed)
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
		return nil, fmt.Errorf("sqlitestore: migrations: %w", err)
	}
	return fsys, nil
}

func loadMigrations() ([]sqlstore.Migration, error) {
	ms, err := sqlstore.LoadMigrations(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: %w", err)
	}
	return ms, nil
}

// dsn is the modernc.org/sqlite DSN for a path: a file: URI with the
// path's reserved characters escaped and the pragmas every connection
// needs.
func dsn(path string, busy time.Duration) string {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + esc + "?_pragma=foreign_keys(1)&_pragma=busy_timeout(" +
		strconv.FormatInt(busy.Milliseconds(), 10) + ")&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
}

// connector opens connections of the modernc.org/sqlite driver without
// the global driver registry.
type connector struct{ dsn string }

func (c connector) Connect(context.Context) (driver.Conn, error) {
	return (&sqlite.Driver{}).Open(c.dsn)
}
func (c connector) Driver() driver.Driver { return &sqlite.Driver{} }

// classify tells the shared store what a modernc.org/sqlite error is.
func classify(err error) (sqlstore.Kind, string) {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return sqlstore.Other, ""
	}
	switch e.Code() {
	case sqliteConstraintUnique, sqliteConstraintPrimaryKey:
		return sqlstore.Unique, constraintColumns(e.Error())
	case sqliteConstraintForeignKey:
		return sqlstore.ForeignKey, ""
	}
	return sqlstore.Other, ""
}

// SQLite extended result codes.
const (
	sqliteConstraintForeignKey = 787  // SQLITE_CONSTRAINT_FOREIGNKEY
	sqliteConstraintPrimaryKey = 1555 // SQLITE_CONSTRAINT_PRIMARYKEY
	sqliteConstraintUnique     = 2067 // SQLITE_CONSTRAINT_UNIQUE
)

// constraintColumns extracts "table.col, table.col" from a message such
// as "constraint failed: UNIQUE constraint failed: t.a, t.b (2067)".
func constraintColumns(msg string) string {
	const marker = "constraint failed: "
	i := strings.LastIndex(msg, marker)
	if i < 0 {
		return ""
	}
	cols := msg[i+len(marker):]
	if j := strings.LastIndex(cols, " ("); j >= 0 {
		cols = cols[:j]
	}
	return strings.TrimSpace(cols)
}

// plain turns a driver error into a message without the driver's type.
func plain(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return errors.New(err.Error())
}
