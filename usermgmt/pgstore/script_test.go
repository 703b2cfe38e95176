package pgstore

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWithPostgresScript starts a cluster with scripts/with-postgres,
// connects to the URL it exports while the command runs, and checks that
// the command's exit status comes back and the cluster's directory is
// gone afterwards.
func TestWithPostgresScript(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster")
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if _, err := exec.LookPath("initdb"); err != nil && len(found) == 0 {
		t.Skip("no initdb on this machine")
	}
	t.Parallel()
	script, err := filepath.Abs("../../scripts/with-postgres")
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, script, "sh", "-c", `echo "$ROSTER_TEST_POSTGRES_URL"; read line; exit 7`)
	cmd.Env = append(os.Environ(), "ROSTER_TEST_POSTGRES_URL=")
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	require.NoError(t, cmd.Start())

	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("read the URL: %v; stderr: %s", err, stderr)
	}
	dsn := strings.TrimSpace(line)
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	dir := u.Query().Get("host")
	require.NotEmpty(t, dir, dsn)

	s, err := Open(ctx, dsn, Config{})
	require.NoError(t, err, "the exported URL works")
	applied, known, err := s.SchemaVersion(ctx)
	require.NoError(t, err)
	assert.Equal(t, known, applied)
	require.NoError(t, s.Close())

	_, _ = io.WriteString(stdin, "done\n")
	err = cmd.Wait()
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "%v: %s", err, stderr)
	assert.Equal(t, 7, exit.ExitCode(), "the command's status is the script's")
	_, err = os.Stat(dir)
	assert.True(t, os.IsNotExist(err), "the cluster directory is removed")
}

// lockedBuffer collects a command's output safely while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
