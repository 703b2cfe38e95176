package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rosterkit/roster/usermgmt"
)

// Flavor selects the SQL dialect.
type Flavor int

// The flavors.
const (
	SQLite Flavor = iota + 1
	Postgres
)

// Kind classifies a driver error for Classify.
type Kind int

// The error kinds an engine reports.
const (
	// Other is any error this package need not understand.
	Other Kind = iota
	// Unique is a unique or primary-key violation; the name is the
	// constraint (PostgreSQL) or the "table.column, …" list (SQLite).
	Unique
	// ForeignKey is a foreign-key violation.
	ForeignKey
	// Retry is a serialization failure or a deadlock: the transaction may
	// succeed if run again.
	Retry
)

// Errors the engines re-export.
var (
	// ErrClosed is returned by every method of a closed store.
	ErrClosed = errors.New("store is closed")
	// ErrSerialization matches the error of a transaction the database
	// aborted because of a concurrent one (a serialization failure or a
	// deadlock) after WithTx used up its retries.
	ErrSerialization = errors.New("transaction aborted by a concurrent transaction")
	// ErrNewerSchema is returned by Migrate when the database was migrated
	// by a newer release than this one.
	ErrNewerSchema = errors.New("database schema is newer than this release")
	// ErrTxDone is returned by a transaction's methods after its function
	// returned.
	ErrTxDone = errors.New("transaction has already ended")
)

// Config configures a Store. The engine packages fill it.
type Config struct {
	Flavor Flavor
	// Name prefixes every error message, e.g. "sqlitestore".
	Name string
	// Prefix is the validated table prefix, e.g. "roster_".
	Prefix string
	// Read serves reads outside transactions; Write serves writes and
	// transactions. They may be the same handle.
	Read, Write *sql.DB
	// Classify tells what a driver error is; name is the constraint for
	// Unique.
	Classify func(err error) (kind Kind, name string)
	// Attempts is how many times WithTx runs a transaction that fails with
	// a retryable error; 0 means 1.
	Attempts int
	// Close is called once by Store.Close; nil closes Read and Write.
	Close func() error
	// CacheStatements keeps prepared statements: worth it when the driver
	// does not cache them itself (modernc.org/sqlite); pgx does.
	CacheStatements bool
}

// Store implements usermgmt.Store on database/sql. Its zero value is not
// usable; make one with New.
type Store struct {
	ops // the non-transactional view: each method atomic on its own

	cfg     Config
	queries sync.Map // query template → rewritten text
	stmts   sync.Map // stmtKey → *sql.Stmt, with Config.CacheStatements
	closed  atomic.Bool
}

var _ usermgmt.Store = (*Store)(nil)

// New returns a Store over cfg. It does not migrate.
func New(cfg Config) (*Store, error) {
	switch {
	case cfg.Flavor != SQLite && cfg.Flavor != Postgres:
		return nil, errors.New("sqlstore: unknown flavor")
	case cfg.Read == nil || cfg.Write == nil:
		return nil, fmt.Errorf("%s: missing *sql.DB", cfg.Name)
	case cfg.Classify == nil:
		return nil, fmt.Errorf("%s: missing error classifier", cfg.Name)
	}
	if err := CheckPrefix(cfg.Prefix); err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Name, err)
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 1
	}
	s := &Store{cfg: cfg}
	s.ops = ops{s: s}
	return s, nil
}

// IsClosed reports whether Close was called on s.
func IsClosed(s *Store) bool { return s.closed.Load() }

// Prefix returns the table prefix.
func (s *Store) Prefix() string { return s.cfg.Prefix }

// Close closes the store; later calls return ErrClosed. Closing twice is
// harmless.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.stmts.Range(func(k, v any) bool {
		_ = v.(*sql.Stmt).Close()
		s.stmts.Delete(k)
		return true
	})
	if s.cfg.Close != nil {
		return s.cfg.Close()
	}
	err := s.cfg.Write.Close()
	if s.cfg.Read != s.cfg.Write {
		err = errors.Join(err, s.cfg.Read.Close())
	}
	return err
}

// WithTx runs fn in one transaction; see usermgmt.Store. A retryable
// failure (PostgreSQL serialization failure or deadlock) reruns fn up to
// Config.Attempts times with a short randomised pause.
func (s *Store) WithTx(ctx context.Context, fn func(tx usermgmt.Tx) error) error {
	if fn == nil {
		return fmt.Errorf("%s: with tx: nil function", s.cfg.Name)
	}
	return s.retry(ctx, func() error {
		return s.runTx(ctx, func(o *ops) error { return fn(o) })
	})
}

// retry runs try until it succeeds, fails with an error that is not
// retryable, or has run Config.Attempts times.
func (s *Store) retry(ctx context.Context, try func() error) error {
	for attempt := 1; ; attempt++ {
		err := try()
		if err == nil || !errors.Is(err, ErrSerialization) || attempt >= s.cfg.Attempts {
			return err
		}
		if werr := pause(ctx, attempt); werr != nil {
			return err
		}
	}
}

// pause sleeps before attempt+1: a random time up to 2^attempt ms, capped
// at 100 ms. It returns early with ctx's error.
func pause(ctx context.Context, attempt int) error {
	limit := int64(1) << min(attempt, 7)
	d := time.Duration(min(limit, 100)) * time.Millisecond
	if n, err := rand.Int(rand.Reader, big.NewInt(int64(d))); err == nil {
		d = time.Duration(n.Int64()) + time.Millisecond/2
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// begin returns the statement that opens a write transaction.
func (s *Store) begin() string {
	if s.cfg.Flavor == SQLite {
		return "BEGIN IMMEDIATE"
	}
	return "BEGIN ISOLATION LEVEL READ COMMITTED"
}

// runTx runs fn once in a transaction on one connection of the write pool.
func (s *Store) runTx(ctx context.Context, fn func(o *ops) error) (err error) {
	if err := s.ready(ctx); err != nil {
		return err
	}
	conn, err := s.cfg.Write.Conn(ctx)
	if err != nil {
		return s.wrapDB("begin", err)
	}
	if _, err := conn.ExecContext(ctx, s.begin()); err != nil {
		s.release(conn, true)
		return s.wrapDB("begin", err)
	}
	o := &ops{s: s, conn: conn}
	committed := false
	defer func() {
		o.done.Store(true)
		o.closeStmts()
		if committed {
			s.release(conn, false)
			return
		}
		bad := s.rollback(conn) != nil
		s.release(conn, bad)
		if p := recover(); p != nil {
			panic(p)
		}
	}()
	if err := fn(o); err != nil {
		return err
	}
	if f := o.failure(); f != nil {
		return fmt.Errorf("%s: transaction rolled back after a failed statement: %w", s.cfg.Name, f)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			// The driver reports the cancelled commit as a broken
			// connection; the caller needs to know it was their context.
			return fmt.Errorf("%s: commit: %w", s.cfg.Name, cerr)
		}
		return s.wrapDB("commit", err)
	}
	committed = true
	return nil
}

// rollback ends a transaction; it runs even when ctx was cancelled.
func (s *Store) rollback(conn *sql.Conn) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := conn.ExecContext(ctx, "ROLLBACK")
	return err
}

// release returns conn to its pool, or discards it when its state is
// unknown (a failed BEGIN or ROLLBACK).
func (s *Store) release(conn *sql.Conn, bad bool) {
	if bad {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	_ = conn.Close()
}

// ready returns ErrClosed or ctx's error before any work.
func (s *Store) ready(ctx context.Context) error {
	if s.closed.Load() {
		return fmt.Errorf("%s: %w", s.cfg.Name, ErrClosed)
	}
	return ctx.Err()
}

// wrapDB turns a driver error into one of ours: context errors kept for
// errors.Is, unique violations as *usermgmt.ConflictError, foreign-key
// violations as ErrNotFound, retryable ones as ErrSerialization, and the
// rest as an error carrying the driver's message but not its type.
func (s *Store) wrapDB(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %s: %w", s.cfg.Name, op, contextErr(err))
	}
	if s.closed.Load() || err.Error() == "sql: database is closed" {
		return fmt.Errorf("%s: %s: %w", s.cfg.Name, op, ErrClosed)
	}
	kind, name := s.cfg.Classify(err)
	switch kind {
	case Unique:
		return &usermgmt.ConflictError{Field: s.conflictField(name)}
	case ForeignKey:
		return fmt.Errorf("%s: %s: referenced record %w", s.cfg.Name, op, usermgmt.ErrNotFound)
	case Retry:
		return fmt.Errorf("%s: %s: %w", s.cfg.Name, op, ErrSerialization)
	}
	return &dbError{msg: s.cfg.Name + ": " + op + ": " + err.Error()}
}

// contextErr returns the context error err wraps.
func contextErr(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return context.DeadlineExceeded
	}
	return context.Canceled
}

// dbError carries a driver's message without its type, so that no driver
// type crosses the Store boundary.
type dbError struct{ msg string }

func (e *dbError) Error() string { return e.msg }

// ops implements usermgmt.Tx. Outside a transaction (conn nil) reads use
// the read pool and each write is atomic on its own; inside one every
// statement runs on conn.
type ops struct {
	s    *Store
	conn *sql.Conn

	done   atomic.Bool
	mu     sync.Mutex
	failed error
	stmts  map[string]*sql.Stmt // prepared in this transaction
}

var _ usermgmt.Tx = (*ops)(nil)

// querier is what *sql.DB and *sql.Conn have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// runner runs one statement: a *sql.Stmt, or a querier and a text.
type runner interface {
	ExecContext(ctx context.Context, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, args ...any) (*sql.Rows, error)
}

// direct runs a query text on a querier without preparing it first.
type direct struct {
	q    querier
	text string
}

func (d direct) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	return d.q.ExecContext(ctx, d.text, args...)
}

func (d direct) QueryContext(ctx context.Context, args ...any) (*sql.Rows, error) {
	return d.q.QueryContext(ctx, d.text, args...)
}

// start checks that the call may run: store open, transaction live,
// context not done.
func (o *ops) start(ctx context.Context) error {
	if o.done.Load() {
		return fmt.Errorf("%s: %w", o.s.cfg.Name, ErrTxDone)
	}
	return o.s.ready(ctx)
}

// runner returns what runs query: on the transaction's connection, else
// on the write pool for writes and the read pool for reads. With
// Config.CacheStatements the statement is prepared once and kept: for
// the transaction's life inside one, for the store's life outside.
func (o *ops) runner(ctx context.Context, write bool, query string) (runner, error) {
	text := o.s.sql(query)
	var q querier = o.s.cfg.Read
	switch {
	case o.conn != nil:
		q = o.conn
	case write:
		q = o.s.cfg.Write
	}
	if !o.s.cfg.CacheStatements {
		return direct{q: q, text: text}, nil
	}
	if o.conn != nil {
		o.mu.Lock()
		defer o.mu.Unlock()
		if st, ok := o.stmts[text]; ok {
			return st, nil
		}
		st, err := o.conn.PrepareContext(ctx, text)
		if err != nil {
			return nil, err
		}
		if o.stmts == nil {
			o.stmts = map[string]*sql.Stmt{}
		}
		o.stmts[text] = st
		return st, nil
	}
	return o.s.prepared(ctx, q.(*sql.DB), text)
}

// stmtKey names a statement prepared on one of the store's pools.
type stmtKey struct {
	db   *sql.DB
	text string
}

// prepared returns the statement for text on db, preparing it on first
// use. database/sql prepares it again on each connection it runs on and
// remembers it there.
func (s *Store) prepared(ctx context.Context, db *sql.DB, text string) (*sql.Stmt, error) {
	key := stmtKey{db, text}
	if v, ok := s.stmts.Load(key); ok {
		return v.(*sql.Stmt), nil
	}
	st, err := db.PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	if v, loaded := s.stmts.LoadOrStore(key, st); loaded {
		_ = st.Close()
		return v.(*sql.Stmt), nil
	}
	return st, nil
}

// closeStmts closes the statements a transaction prepared.
func (o *ops) closeStmts() {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, st := range o.stmts {
		_ = st.Close()
	}
	o.stmts = nil
}

// fail translates a database error and, inside a transaction, marks the
// transaction failed.
func (o *ops) fail(op string, err error) error {
	e := o.s.wrapDB(op, err)
	if o.conn != nil {
		o.mu.Lock()
		if o.failed == nil {
			o.failed = e
		}
		o.mu.Unlock()
	}
	return e
}

func (o *ops) failure() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.failed
}

// atomic runs fn so that its writes are kept together: in its own
// transaction outside WithTx (retried like WithTx), as part of the
// current one inside.
func (o *ops) atomic(ctx context.Context, fn func(o *ops) error) error {
	if o.conn != nil {
		return fn(o)
	}
	return o.s.retry(ctx, func() error { return o.s.runTx(ctx, fn) })
}

// guard runs one statement that may raise a unique violation under a
// race. On PostgreSQL inside a transaction it runs in a savepoint so that
// the violation does not abort the transaction; elsewhere a failed
// statement undoes itself. A unique violation is returned as a
// *usermgmt.ConflictError without marking the transaction failed.
func (o *ops) guard(ctx context.Context, op, query string, args ...any) (sql.Result, error) {
	if o.conn == nil || o.s.cfg.Flavor != Postgres {
		r, err := o.runner(ctx, true, query)
		if err != nil {
			return nil, o.fail(op, err)
		}
		res, err := r.ExecContext(ctx, args...)
		if err != nil {
			if kind, _ := o.s.cfg.Classify(err); kind == Unique {
				return nil, o.s.wrapDB(op, err)
			}
			return nil, o.fail(op, err)
		}
		return res, nil
	}
	if _, err := o.conn.ExecContext(ctx, "SAVEPOINT roster_guard"); err != nil {
		return nil, o.fail(op, err)
	}
	res, err := o.conn.ExecContext(ctx, o.s.sql(query), args...)
	if err != nil {
		if kind, _ := o.s.cfg.Classify(err); kind == Unique {
			if o.undoGuard(ctx) == nil {
				return nil, o.s.wrapDB(op, err)
			}
		}
		return nil, o.fail(op, err)
	}
	if _, err := o.conn.ExecContext(ctx, "RELEASE SAVEPOINT roster_guard"); err != nil {
		return nil, o.fail(op, err)
	}
	return res, nil
}

// undoGuard rolls back to and releases guard's savepoint.
func (o *ops) undoGuard(ctx context.Context) error {
	if _, err := o.conn.ExecContext(ctx, "ROLLBACK TO SAVEPOINT roster_guard"); err != nil {
		return err
	}
	_, err := o.conn.ExecContext(ctx, "RELEASE SAVEPOINT roster_guard")
	return err
}

// exec runs a write statement.
func (o *ops) exec(ctx context.Context, op, query string, args ...any) (sql.Result, error) {
	r, err := o.runner(ctx, true, query)
	if err != nil {
		return nil, o.fail(op, err)
	}
	res, err := r.ExecContext(ctx, args...)
	if err != nil {
		return nil, o.fail(op, err)
	}
	return res, nil
}

// affected runs a write statement and returns how many rows it changed.
func (o *ops) affected(ctx context.Context, op, query string, args ...any) (int64, error) {
	res, err := o.exec(ctx, op, query, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, o.fail(op, err)
	}
	return n, nil
}

// row runs a query expected to return at most one row and scans it. It
// reports found false (and no error) when there is none. Writes with
// RETURNING go through it with write true.
func (o *ops) row(ctx context.Context, op string, write bool, query string, args []any, dest ...any) (bool, error) {
	found := false
	err := o.each(ctx, op, write, query, args, func(r rowScanner) error {
		if found {
			return nil
		}
		found = true
		return r.Scan(dest...)
	})
	return found, err
}

// exists reports whether a query returns a row.
func (o *ops) exists(ctx context.Context, op, query string, args ...any) (bool, error) {
	var one int
	return o.row(ctx, op, false, query, args, &one)
}

// list runs a read query and calls scan for each row.
func (o *ops) list(ctx context.Context, op string, query string, args []any, scan func(r rowScanner) error) error {
	return o.each(ctx, op, false, query, args, scan)
}

// each runs a query and calls scan for each row; rows are read to the
// end before it returns, so the connection is free for the next
// statement.
func (o *ops) each(ctx context.Context, op string, write bool, query string, args []any, scan func(r rowScanner) error) error {
	r, err := o.runner(ctx, write, query)
	if err != nil {
		return o.fail(op, err)
	}
	rows, err := r.QueryContext(ctx, args...)
	if err != nil {
		return o.fail(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return o.fail(op, err)
		}
	}
	if err := rows.Err(); err != nil {
		return o.fail(op, err)
	}
	if err := rows.Close(); err != nil {
		return o.fail(op, err)
	}
	return nil
}

// rowScanner is the Scan method of *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

// notFound is the error for a missing record.
func (o *ops) notFound(what string) error {
	return fmt.Errorf("%s: %s %w", o.s.cfg.Name, what, usermgmt.ErrNotFound)
}

// wrap prefixes a sentinel outcome with the store name and what it is about.
func (o *ops) wrap(what string, err error) error {
	return fmt.Errorf("%s: %s: %w", o.s.cfg.Name, what, err)
}

func conflict(field string) error { return &usermgmt.ConflictError{Field: field} }

// required is the error for a key field the caller must set.
func required(field string) error {
	return &usermgmt.ValidationError{Fields: []usermgmt.FieldError{{
		Field: field, Code: usermgmt.CodeRequired, Message: "is required",
	}}}
}

// invalid is the error for a value a store cannot hold.
func invalid(field, message string) error {
	return &usermgmt.ValidationError{Fields: []usermgmt.FieldError{{
		Field: field, Code: usermgmt.CodeInvalid, Message: message,
	}}}
}
