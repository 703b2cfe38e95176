package storetest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/memstore"
	"github.com/rosterkit/roster/usermgmt/storetest"
)

// TestFaultyForwards runs the conformance suite through a Faulty store
// that injects nothing: every method reaches the store it wraps.
func TestFaultyForwards(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) usermgmt.Store { return storetest.NewFaulty(memstore.New()) })
}

func TestFaultyInjects(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	inner := memstore.New()
	f := storetest.NewFaulty(inner)
	require.Same(t, inner, f.Unwrap())
	acct := &usermgmt.Account{ID: "a1", Name: "Northwind", CreatedAt: time.Now()}

	f.Inject(1, "CreateAccount", storetest.Fail)
	err := f.CreateAccount(ctx, acct)
	require.ErrorIs(t, err, storetest.ErrInjected)
	assert.Contains(t, err.Error(), "CreateAccount", "the error names the call")
	_, err = f.GetAccount(ctx, "a1")
	require.ErrorIs(t, err, usermgmt.ErrNotFound, "a failed call does not reach the store")

	f.Inject(2, "", storetest.Timeout)
	require.NoError(t, f.CreateAccount(ctx, acct))
	_, err = f.GetAccount(ctx, "a1")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	_, err = f.GetAccount(ctx, "a1")
	require.NoError(t, err, "a fault fires once")

	// A fault at the commit rolls the transaction back.
	f.Reset()
	f.Inject(1, "Commit", storetest.Fail)
	err = f.WithTx(ctx, func(tx usermgmt.Tx) error {
		return tx.CreateGroup(ctx, &usermgmt.Group{ID: "g1", AccountID: "a1", Name: "Root", CreatedAt: time.Now()})
	})
	require.ErrorIs(t, err, storetest.ErrInjected)
	_, err = f.GetGroup(ctx, "g1")
	require.ErrorIs(t, err, usermgmt.ErrNotFound, "nothing of the transaction is kept")
	assert.Equal(t, []string{"WithTx", "CreateGroup", "Commit", "GetGroup"}, f.Calls())

	// Hang waits for the context.
	f.Inject(1, "", storetest.Hang)
	hctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	_, err = f.GetGroup(hctx, "g1")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, "hang", storetest.Hang.String())
}
