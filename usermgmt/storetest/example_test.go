package storetest_test

import (
	"testing"

	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/memstore"
	"github.com/rosterkit/roster/usermgmt/storetest"
)

// loggingStore stands for a host's own Store: here a wrapper that would
// add logging or metrics around memstore.
type loggingStore struct{ usermgmt.Store }

// ExampleRun shows the test a host writes for its own Store: Run gets a
// function returning a fresh, empty store for each group of subtests.
func ExampleRun() {
	// In the host's store package, in a _test.go file:
	_ = func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) usermgmt.Store {
			return loggingStore{Store: memstore.New()}
		})
	}
}

// TestExampleWrapper runs the example's test for real.
func TestExampleWrapper(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) usermgmt.Store { return loggingStore{Store: memstore.New()} })
}
