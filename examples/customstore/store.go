package main

import (
	"context"
	"sync/atomic"

	"github.com/rosterkit/roster/usermgmt"
)

// CountingStore is a host's own Store: a thin wrapper that counts the
// transactions and the users created through it, say for metrics. It
// forwards everything else to the Store it wraps, so the conformance
// suite (usermgmt/storetest) checks that the wrapper keeps every promise
// of the contract; see store_test.go.
type CountingStore struct {
	usermgmt.Store
	Txs, Created atomic.Int64
}

// WithTx counts a transaction and counts the users created within it.
func (s *CountingStore) WithTx(ctx context.Context, fn func(tx usermgmt.Tx) error) error {
	s.Txs.Add(1)
	var created int64
	err := s.Store.WithTx(ctx, func(tx usermgmt.Tx) error {
		created = 0 // a retried transaction starts again
		return fn(countingTx{Tx: tx, created: &created})
	})
	if err == nil {
		s.Created.Add(created)
	}
	return err
}

// CreateUser counts a user created outside a transaction.
func (s *CountingStore) CreateUser(ctx context.Context, u *usermgmt.User) error {
	err := s.Store.CreateUser(ctx, u)
	if err == nil {
		s.Created.Add(1)
	}
	return err
}

// countingTx counts the users created in one transaction.
type countingTx struct {
	usermgmt.Tx
	created *int64
}

func (t countingTx) CreateUser(ctx context.Context, u *usermgmt.User) error {
	err := t.Tx.CreateUser(ctx, u)
	if err == nil {
		*t.created++
	}
	return err
}
