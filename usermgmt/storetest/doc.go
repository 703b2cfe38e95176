// Package storetest is the conformance suite of usermgmt.Store: every
// sentence of the contract in usermgmt/store.go (with model.go, errors.go
// and keys.go) is one or more subtests. A store is correct when it passes
// the suite with the race detector on. roster runs it on memstore,
// sqlitestore and pgstore; a host that writes its own store runs it the
// same way, like testing/slogtest.
//
// # Running the suite
//
// Call Run from one test of the store's package, with a function that
// returns a fresh, empty store for each call:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) usermgmt.Store {
//			s, err := mystore.Open(ctx, mystore.Config{DSN: freshDatabase(t)})
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// newStore is called once per top-level group of subtests (about twenty
// times), from parallel subtests, so it must be safe for concurrent use
// and each call must return a store that shares nothing with the others.
// Register the store's cleanup on the t it is given: the suite's subtests
// of that group have all ended when it runs.
//
// # What it checks
//
// The subtests are named after the method and the sentence they check,
// e.g. Users/CreateUser/UsernameCaseInsensitiveConflict,
// Users/DeleteUser/FreesIdentifiers, Tx/PanicRollsBackAndRepanics,
// Seats/Concurrent50For10 or Times/MicrosecondUTC, so that a failure
// names the broken promise; run one with go test -run.
//
// Concurrent subtests start many goroutines behind a barrier and check
// outcomes (exactly one of two creations of the same username wins;
// exactly 10 of 50 creations win the last 10 seats), never timings.
//
// The suite uses only the usermgmt.Store interface, so a host may wrap
// its store (for metrics, tracing, retries) and check the wrapper.
//
// # Readings of the contract
//
// Where the contract leaves a detail open the suite checks the one
// sensible reading, each named by its subtest:
//
//   - An error inside WithTx from one method (a conflict, the seat
//     limit) does not poison the transaction: the method's own writes are
//     undone, and the transaction's other writes still commit
//     (Tx/ErrorDoesNotPoison). The importer relies on it.
//   - A context that ends while WithTx runs makes it return an error
//     matching the context's and keep nothing (Context/CancelledDuringTx).
//   - A duplicate caller-set id is an error matching ErrConflict for
//     every Create method, and so is a reused session hash.
//   - A record that names a missing or deleted user, group or account is
//     ErrNotFound for every Create method that takes one (CreateSession,
//     CreateAlias, CreateNumber, CreateGroup), and UpdateUser into a
//     missing group or one of another account is ErrNotFound too.
//   - A cursor that the list did not return is an error matching
//     ErrInvalid, never a panic nor a wrong page.
//   - A tombstone may carry any UpdatedAt and Version; every other field
//     but those the contract names is empty.
//   - ListUsers orders by the bytes of UsernameKey (not a locale
//     collation); its Query is a literal substring ("_" and "%" match only
//     themselves) and case folding covers non-ASCII letters.
//   - Events of the same At are ordered by ID, descending.
//   - Calls racing each other leave the store as some serial order of
//     them would: crossed MoveGroup calls never make a cycle, a group
//     deleted while a user is created in it is never left with a live
//     user, and nothing of a deleted user (password, session, alias,
//     grant, number assignment) outlives a DeleteUser racing the write
//     that adds it.
package storetest
