package sqlitestore

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/internal/sqlstore"
	"github.com/rosterkit/roster/internal/sqlstore/sqltest"
)

// BenchmarkStore measures the store on one account holding 10,000 users:
//
//	go test -run '^$' -bench BenchmarkStore ./usermgmt/sqlitestore
//
// and at 1,000,000 users (loading them takes about a minute):
//
//	ROSTER_BENCH_USERS=1000000 go test -run '^$' -bench BenchmarkStore -timeout 30m ./usermgmt/sqlitestore
//
// Sub-benchmarks: CreateUser, GetByUsername, GetByEmail,
// ListPage50Filter, ListPage50Deep, Count, Insert5000InTx.
func BenchmarkStore(b *testing.B) {
	sqltest.Bench(b, sqltest.BenchHarness{
		New: func(b *testing.B) sqltest.Store {
			s, err := Open(context.Background(), Config{Path: filepath.Join(b.TempDir(), "bench.db")})
			require.NoError(b, err)
			b.Cleanup(func() { _ = s.Close() })
			return s
		},
		Load: func(b *testing.B, st sqltest.Store, accountID, groupID string, n int) {
			bulkLoad(b, st.(*Store), accountID, groupID, n)
		},
	}, sqltest.BenchUsers(b))
}

// bulkLoad inserts n users with one INSERT … SELECT per 100,000 rows,
// generated inside SQLite by a recursive CTE, then sets the account's
// seats and tallies. It is benchmark setup, not a store operation.
func bulkLoad(b *testing.B, s *Store, accountID, groupID string, n int) {
	ctx := context.Background()
	db := s.migrator.DB
	q := func(text string) string { return sqlstore.Rewrite(text, s.Prefix(), false) }
	const chunk = 100_000
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		_, err := db.ExecContext(ctx, q(`WITH RECURSIVE seq(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ?)
			INSERT INTO {p}users (id, account_id, group_id, kind, type, status, username, username_key,
				first_name, last_name, email, email_key, mobile_phone, business_phone, company, udid, time_zone,
				language, country, friendly_name, notes, service_level, services, default_number, address_book,
				settings, search, created_at, updated_at, version)
			SELECT printf('user%07d', i), ?, ?, 'person', 'end_user',
				CASE WHEN i % 10 = 9 THEN 'suspended' ELSE 'active' END,
				printf('user%07d', i), printf('user%07d', i), 'First', 'Last',
				printf('user%07d@bench.example', i), printf('user%07d@bench.example', i), printf('+1555%07d', i),
				'', '', '', '', '', '', '', '', CASE WHEN i % 3 = 2 THEN 'pro' ELSE 'archive' END, 'null', '', 0,
				'null', printf('first'||char(31)||'last'||char(31)||'user%07d'||char(31)||'user%07d@bench.example'||char(31)||'+1555%07d', i, i, i),
				0, 0, 1
			FROM seq`), lo, hi, accountID, groupID)
		require.NoError(b, err)
	}
	_, err := db.ExecContext(ctx, q(`UPDATE {p}accounts SET seats_used = seats_used + ? WHERE id = ?`), n, accountID)
	require.NoError(b, err)
	_, err = db.ExecContext(ctx, q(`INSERT INTO {p}user_counts (account_id, status, service_level, users)
		SELECT account_id, status, service_level, count(*) FROM {p}users
		WHERE account_id = ? AND username_key IS NOT NULL GROUP BY account_id, status, service_level`), accountID)
	require.NoError(b, err)
}
