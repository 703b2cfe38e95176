package sqlitestore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"modernc.org/sqlite"

	"github.com/rosterkit/roster/internal/sqlstore/sqltest"
)

// recorder keeps every statement text the store prepares.
type recorder struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (r *recorder) add(q string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen[q] = true
}

// recConnector opens modernc.org/sqlite connections that record what they
// prepare.
type recConnector struct {
	dsn string
	rec *recorder
}

func (c recConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := (&sqlite.Driver{}).Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &recConn{Conn: conn, rec: c.rec}, nil
}

func (c recConnector) Driver() driver.Driver { return &sqlite.Driver{} }

type recConn struct {
	driver.Conn
	rec *recorder
}

func (c *recConn) Prepare(q string) (driver.Stmt, error) {
	c.rec.add(q)
	return c.Conn.Prepare(q)
}

func (c *recConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	c.rec.add(q)
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, q, args)
}

func (c *recConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	c.rec.add(q)
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, q, args)
}

// TestQueryPlans runs the shared behaviour tests while recording every
// statement, then asks SQLite how it runs each one: no statement may scan
// a table without an index, and no keyset list may sort its rows.
func TestQueryPlans(t *testing.T) {
	rec := &recorder{seen: map[string]bool{}}
	dir := t.TempDir()
	var stores atomic.Int64
	// Each store has its own file and a prefix naming it, so that the
	// parallel tests do not queue on one file's lock and each recorded
	// statement can be explained on the file it ran on.
	h := sqltest.Harness{New: func(t testing.TB) sqltest.Store {
		n := stores.Add(1)
		path := filepath.Join(dir, strconv.FormatInt(n, 10)+".db")
		db := sql.OpenDB(recConnector{dsn: dsn(path, 10*time.Second) + "&_txlock=immediate", rec: rec})
		db.SetMaxOpenConns(1)
		t.Cleanup(func() { _ = db.Close() })
		prefix := "p" + strconv.FormatInt(n, 10) + "_"
		s, err := New(context.Background(), db, Config{TablePrefix: prefix})
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		return s
	}}
	t.Run("workload", func(t *testing.T) {
		sqltest.RunBehaviour(t, h)
		sqltest.RunFaults(t, h)
		sqltest.RunContract(t, h)
	})

	// One statement per text, whichever store's prefix it was run with.
	table := regexp.MustCompile(`p([0-9]+)_`)
	byText := map[string]string{}
	for q := range rec.seen {
		byText[table.ReplaceAllString(q, "{p}")] = q
	}
	var queries []string
	for _, q := range byText {
		queries = append(queries, q)
	}
	sort.Strings(queries)
	checked := 0
	for _, q := range queries {
		upper := strings.ToUpper(strings.TrimSpace(q))
		if !(strings.HasPrefix(upper, "SELECT") || strings.HasPrefix(upper, "UPDATE") ||
			strings.HasPrefix(upper, "DELETE") || strings.HasPrefix(upper, "INSERT")) ||
			strings.Contains(q, "sqlite_master") || strings.Contains(q, "schema_migrations") || strings.HasPrefix(upper, "SELECT 1") && !strings.Contains(upper, "FROM") {
			continue
		}
		m := table.FindStringSubmatch(q)
		require.NotNil(t, m, q)
		db, err := sql.Open("sqlite", dsn(filepath.Join(dir, m[1]+".db"), time.Second))
		require.NoError(t, err)
		rows, err := db.Query("EXPLAIN QUERY PLAN "+q, make([]any, strings.Count(q, "?"))...)
		require.NoError(t, err, q)
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
			plan = append(plan, detail)
		}
		require.NoError(t, rows.Close())
		require.NoError(t, db.Close())
		checked++
		text := strings.Join(plan, "\n")
		for _, line := range plan {
			if strings.HasPrefix(line, "SCAN ") && !strings.Contains(line, "USING INDEX") &&
				!strings.Contains(line, "USING COVERING INDEX") && !strings.Contains(line, "VIRTUAL TABLE") &&
				!strings.Contains(line, "CONSTANT ROW") && !strings.Contains(line, "seq") {
				t.Errorf("full scan:\n%s\nplan:\n%s", table.ReplaceAllString(q, "{p}"), text)
			}
		}
		if strings.Contains(q, "LIMIT ?") && strings.Contains(text, "TEMP B-TREE FOR ORDER BY") {
			t.Errorf("keyset list sorts its rows:\n%s\nplan:\n%s", table.ReplaceAllString(q, "{p}"), text)
		}
	}
	require.Greater(t, checked, 60, "the workload recorded the store's statements")
}
