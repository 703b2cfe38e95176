package pgstore

import (
	"testing"

	"github.com/rosterkit/roster/internal/pgtest"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/storetest"
)

// TestConformance runs the Store contract's suite on a fresh schema per
// group of subtests.
func TestConformance(t *testing.T) {
	t.Parallel()
	pgtest.Require(t)
	storetest.Run(t, func(t *testing.T) usermgmt.Store { return newStore(t) })
}
