package sqlitestore

import (
	"testing"

	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/storetest"
)

// TestConformance runs the Store contract's suite on a fresh database
// file per group of subtests.
func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) usermgmt.Store { return newStore(t) })
}
