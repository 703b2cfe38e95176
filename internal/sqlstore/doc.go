// Package sqlstore is the usermgmt.Store the SQL engines share: every
// method's logic and queries, written once on database/sql, plus the
// migration runner, cursors and error plumbing. It imports no driver, so
// a host that uses one engine compiles only that engine's driver in.
//
// The engine packages (usermgmt/sqlitestore, usermgmt/pgstore) open the
// database, supply the migrations and a function that classifies their
// driver's errors, and pick a Flavor; this package adapts the few places
// where the SQL differs (placeholders, time columns, row locks, substring
// and list-membership tests).
//
// # Queries
//
// Queries are written with "?" placeholders and "{p}" where a table name
// needs the host's prefix: "SELECT name FROM {p}groups WHERE id = ?". The
// Store rewrites them once per query text for its flavor and prefix
// (PostgreSQL gets "$1", "$2", …).
//
// # Transactions and failed methods
//
// Write transactions run on one pooled connection with an explicit BEGIN
// (BEGIN IMMEDIATE on SQLite, so a transaction takes the write lock before
// it reads, and BEGIN ISOLATION LEVEL READ COMMITTED on PostgreSQL).
//
// Every method settles the outcomes a caller may catch (not found,
// conflict, seat limit, used, expired, locked) before its first write, or
// with a first write that writes nothing when it fails (INSERT … ON
// CONFLICT DO NOTHING, a conditional UPDATE). So inside WithTx a method
// that returns one of those errors leaves the transaction as it found it
// and the caller may go on. Statements that could still raise a unique
// violation under a race run inside a savepoint on PostgreSQL. Any other
// database error inside a transaction (a cancelled context, a lost
// connection) marks the transaction failed: WithTx then rolls it back and
// returns an error even if fn returned nil, so nothing is half-written.
package sqlstore
