package pgstore

import (
	"testing"

	"github.com/rosterkit/roster/internal/pgtest"
	"github.com/rosterkit/roster/internal/sqlstore/sqltest"
)

var harness = sqltest.Harness{
	New:     func(t testing.TB) sqltest.Store { return newStore(t) },
	BadText: "nul\x00byte",
}

func TestFaults(t *testing.T) {
	t.Parallel()
	pgtest.Require(t)
	sqltest.RunFaults(t, harness)
}

func TestBehaviour(t *testing.T) {
	t.Parallel()
	pgtest.Require(t)
	sqltest.RunBehaviour(t, harness)
}

func TestContract(t *testing.T) {
	t.Parallel()
	pgtest.Require(t)
	sqltest.RunContract(t, harness)
}
