package pgstore

import (
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNoOtherEngine checks that a host using PostgreSQL does not compile
// the SQLite driver in.
func TestNoOtherEngine(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	require.NoError(t, err)
	deps := string(out)
	assert.Contains(t, deps, "github.com/jackc/pgx/v5/stdlib\n")
	assert.NotContains(t, deps, "modernc.org/")
	assert.NotContains(t, deps, "testify", "no test helper in the build")
}
