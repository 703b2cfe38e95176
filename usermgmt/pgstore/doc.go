// Package pgstore is a usermgmt.Store on PostgreSQL (15 or later) through
// github.com/jackc/pgx/v5, for hosts that outgrow one machine: several
// application instances may share one database, and seat limits,
// uniqueness, single-use tokens and rate-limit counters stay correct
// across them.
//
// # Quick start
//
//	store, err := pgstore.Open(ctx, "postgres://app@db/app?sslmode=verify-full", pgstore.Config{})
//	if err != nil { … }
//	defer store.Close()
//	svc, err := usermgmt.New(usermgmt.Config{Store: store})
//
// Open applies pending migrations. A host with its own pool passes a
// *sql.DB made by pgx's stdlib (stdlib.OpenDB, stdlib.OpenDBFromPool) to
// New.
//
// # Why database/sql over pgx
//
// The store talks to PostgreSQL through pgx's database/sql driver rather
// than pgxpool directly. Both SQL stores then share one implementation of
// every method (internal/sqlstore), tested once and kept in step, with
// only the dialect's few differences apart. pgx still does the work: its
// binary protocol, and its per-connection cache of prepared statements,
// so each query is parsed and planned once per connection. What
// database/sql adds, a few allocations and a mutex per call, is small
// next to a network round trip.
//
// # Concurrency
//
// Transactions run at READ COMMITTED. Correctness under concurrency comes
// from constraints and row locks, never from an in-process mutex:
//
//   - seats: the account row is locked (SELECT … FOR NO KEY UPDATE) before
//     its seats are checked and counted, so of n racing creates exactly
//     the free seats succeed, whichever instance they run on;
//   - uniqueness: unique constraints on the identifier columns; an INSERT
//     … ON CONFLICT DO NOTHING that loses a race is reported as a
//     *usermgmt.ConflictError without aborting the transaction, and an
//     UPDATE that changes an identifier runs in a savepoint;
//   - single use: ConsumeToken and AddTokenAttempt are one conditional
//     UPDATE … RETURNING each; Hit is one INSERT … ON CONFLICT DO UPDATE;
//   - the group tree: moves and deletions lock the account row first.
//
// Locks are taken in one order (user row, then account row), so deadlocks
// are rare; when PostgreSQL reports one (40P01), or a serialization
// failure (40001, possible if the host raises the isolation level), WithTx
// runs fn again, up to Config.Attempts times with a short random pause,
// and then returns an error matching ErrSerialization. fn must therefore
// have no effect outside the Tx it is given.
//
// Each method is atomic on its own, also inside a transaction: one that
// fails with a caller-facing error (not found, conflict, seat limit,
// used, expired, locked) has written nothing and has not aborted the
// transaction, so the caller may go on. A statement the database refuses
// for another reason aborts a PostgreSQL transaction; the store marks it
// failed and WithTx rolls it back even if fn returns nil.
//
// # Migrations
//
// The schema lives in numbered SQL files embedded in the package, applied
// in order, each in its own transaction together with its row in the
// "<prefix>schema_migrations" table. Processes that start at once take
// turns through a session advisory lock named after the schema and
// prefix. A database migrated by a newer release is refused with
// ErrNewerSchema. Every table, index and constraint carries
// Config.TablePrefix ("roster_" by default); hosts that run goose, atlas
// or similar set Config.NoMigrate and apply Migrations(prefix).
//
// # Schema and cost
//
// Times are TIMESTAMPTZ at microsecond precision, maps and lists JSONB,
// and key columns use the "C" collation so that ordering, keyset cursors
// and group-path prefixes compare bytes whatever the database's locale.
// The unique identifiers of live users sit in columns that become NULL
// when a user is deleted, so deletion frees them at once. Every lookup
// the services make has an index, lists are keyset-paginated (a page
// costs the same wherever it is), CountUsers reads tallies the writes
// keep, and UserFilter.Query is tested row by row along the index walk.
//
// # Tests
//
// The package's tests run against the server named by
// ROSTER_TEST_POSTGRES_URL, each in a fresh schema, and skip when it is
// unset. scripts/with-postgres starts a throwaway server and sets it:
//
//	scripts/with-postgres go test -race ./usermgmt/pgstore/...
package pgstore
