// Package memstore is a complete, concurrency-safe, in-memory
// usermgmt.Store: for tests, examples and small embedded use where losing
// everything at exit is acceptable.
//
// It passes the conformance suite in usermgmt/storetest with the race
// detector on, so code tested against it behaves the same on the SQL
// stores.
//
// # Quick start
//
//	store := memstore.New()
//	svc, err := usermgmt.New(usermgmt.Config{Store: store})
//
// # Transactions
//
// A Store holds one lock. A call outside WithTx takes it for the call;
// WithTx takes it for the whole transaction and records an undo action
// for every write, so a function that returns an error or panics leaves
// the store exactly as it found it; so does a transaction whose context
// ends before fn returns (WithTx then returns the context's error). Each
// method is also atomic inside a transaction: a method that fails undoes
// its own partial writes, so the transaction may go on and commit its
// other writes (the importer checks rows this way).
//
// Because the lock is held for the whole of fn, fn must use only the tx it
// is given: calling the Store itself (or WithTx again) from inside fn
// waits for fn to end, which it never does. A caller waiting for the lock
// gives up when its context is cancelled.
//
// # Cost
//
// Lookups by id, username, e-mail, phone, hash and address are map
// lookups. ListUsers walks an ordered index of each account's live users
// from the cursor, so a page costs O(log n + page) when only AccountID
// and Statuses are set, and the scan from the cursor when other filters
// are; CountUsers is O(1). ListEvents and ListTokens walk ordered indexes
// the same way. Values are deep-copied on the way in and out.
//
// # Cursors
//
// The cursors ListUsers, ListTokens and ListEvents return are opaque
// strings, valid for the list and store that returned them. A string that
// is not such a cursor is an error matching usermgmt.ErrInvalid.
package memstore
