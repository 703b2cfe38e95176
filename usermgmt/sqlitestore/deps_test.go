package sqlitestore

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNoOtherEngine checks that a host using SQLite does not compile the
// PostgreSQL driver in.
func TestNoOtherEngine(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	require.NoError(t, err)
	deps := string(out)
	assert.Contains(t, deps, "modernc.org/sqlite\n")
	assert.NotContains(t, deps, "github.com/jackc/")
	assert.False(t, strings.Contains(deps, "testify"), "no test helper in the build")
}
