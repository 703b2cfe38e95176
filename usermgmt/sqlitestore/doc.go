// Package sqlitestore is a usermgmt.Store on SQLite through
// modernc.org/sqlite (pure Go, no cgo): the embedded default, which the
// examples use.
//
// # Quick start
//
//	store, err := sqlitestore.Open(ctx, sqlitestore.Config{Path: "roster.db"})
//	if err != nil { … }
//	defer store.Close()
//	svc, err := usermgmt.New(usermgmt.Config{Store: store})
//
// Open creates the file if needed and applies pending migrations. Path
// ":memory:" gives a private in-memory database (tests, demos). A host
// that already has a *sql.DB on the same driver passes it to New.
//
// # Concurrency
//
// Every connection runs with WAL, foreign keys on, synchronous NORMAL and
// a busy timeout (10 s by default). Open keeps one write connection, on
// which every transaction starts with BEGIN IMMEDIATE, and a pool of
// read-only connections: writers queue in Go rather than in SQLite's busy
// handler, readers never wait for writers, and a transaction never fails
// to upgrade its lock. Several processes may open the same file; they
// wait for each other's writes up to the busy timeout.
//
// WithTx holds the write connection for the whole of fn, so fn must use
// only the Tx it is given: a write through the Store itself from inside
// fn waits for fn to end. Each method is atomic on its own, also inside a
// transaction: one that fails with a caller-facing error (not found,
// conflict, seat limit, used, expired, locked) has written nothing, and
// the transaction may go on. A statement the database refuses marks the
// transaction failed; WithTx then rolls it back even if fn returns nil.
//
// Statements are prepared once and kept (per connection for reads and
// single writes, per transaction inside one), which is what makes the
// 5,000-row import transaction fast.
//
// # Migrations
//
// The schema lives in numbered SQL files embedded in the package
// (migrations/0001_init.sql, …), applied in order, each in its own
// transaction together with its row in the "<prefix>schema_migrations"
// table. Concurrent migrations (several processes starting at once) are
// safe. A database migrated by a newer release is refused with
// ErrNewerSchema rather than used.
//
// Every table and index carries Config.TablePrefix ("roster_" by default)
// so that roster can live inside the host's own database. Hosts that run
// their own migration tool set Config.NoMigrate and apply the files of
// Migrations(prefix), which have the prefix substituted.
//
// # Schema and cost
//
// Times are INTEGER microseconds since the Unix epoch (UTC); maps and
// lists are JSON text. The unique identifiers of live users (UsernameKey,
// EmailKey, mobile phone, customer code within the account) sit in
// columns that become NULL when a user is deleted, so plain unique indexes
// enforce them and deletion frees them at once.
//
// Every lookup the services make uses an index: users by id, username
// key, e-mail key and phone; users of an account by (account, username
// key) and (account, status, username key); groups by (account, path);
// tokens and sessions by hash; tokens, events, grants, sessions, numbers
// and aliases by their owner and order. Lists are keyset-paginated, so a
// page costs the same wherever it is. CountUsers reads per-status,
// per-level tallies the writes keep, not the users. UserFilter.Query and
// filters on other columns (group subtree, level, type) are tested row by
// row while the index is walked in order: a page costs in proportion to
// how many users it skips, not to its position.
//
// # Errors
//
// Driver errors are translated in one place: unique violations become
// *usermgmt.ConflictError naming the field, context errors keep
// errors.Is(err, context.Canceled), and no driver type crosses the
// Store boundary. A closed store returns ErrClosed.
package sqlitestore
