package storetest_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/memstore"
	"github.com/rosterkit/roster/usermgmt/storetest"
)

// counting is what a host might wrap its store in (metrics, tracing): it
// counts transactions and hands fn the inner transaction.
type counting struct {
	usermgmt.Store
	txs *atomic.Int64
}

func (c counting) WithTx(ctx context.Context, fn func(tx usermgmt.Tx) error) error {
	c.txs.Add(1)
	return c.Store.WithTx(ctx, fn)
}

// TestRunOnWrappedStore runs the suite on a wrapped memstore: the suite
// uses only the usermgmt.Store interface.
func TestRunOnWrappedStore(t *testing.T) {
	t.Parallel()
	var txs atomic.Int64
	t.Run("Suite", func(t *testing.T) {
		storetest.Run(t, func(*testing.T) usermgmt.Store {
			return counting{Store: memstore.New(), txs: &txs}
		})
	})
	if txs.Load() == 0 {
		t.Error("the suite never called WithTx through the wrapper")
	}
}
