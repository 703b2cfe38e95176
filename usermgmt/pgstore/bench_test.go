package pgstore

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/internal/pgtest"
	"github.com/rosterkit/roster/internal/sqlstore"
	"github.com/rosterkit/roster/internal/sqlstore/sqltest"
)

// BenchmarkStore measures the store on one account holding 10,000 users
// (PostgreSQL from scripts/with-postgres):
//
//	scripts/with-postgres go test -run '^$' -bench BenchmarkStore ./usermgmt/pgstore
//
// and at 1,000,000 users (loading them takes about a minute):
//
//	ROSTER_BENCH_USERS=1000000 scripts/with-postgres go test -run '^$' -bench BenchmarkStore -timeout 30m ./usermgmt/pgstore
//
// Sub-benchmarks: CreateUser, GetByUsername, GetByEmail,
// ListPage50Filter, ListPage50Deep, Count, Insert5000InTx.
func BenchmarkStore(b *testing.B) {
	pgtest.Require(b)
	sqltest.Bench(b, sqltest.BenchHarness{
		New: func(b *testing.B) sqltest.Store { return newStore(b) },
		Load: func(b *testing.B, st sqltest.Store, accountID, groupID string, n int) {
			bulkLoad(b, st.(*Store), accountID, groupID, n)
		},
	}, sqltest.BenchUsers(b))
}

// bulkLoad inserts n users with one INSERT … SELECT over generate_series
// per 250,000 rows, then sets the account's seats and tallies and
// refreshes the planner's statistics. It is benchmark setup, not a store
// operation.
func bulkLoad(b *testing.B, s *Store, accountID, groupID string, n int) {
	ctx := context.Background()
	db := s.migrator.DB
	q := func(text string) string { return sqlstore.Rewrite(text, s.Prefix(), true) }
	const chunk = 250_000
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		_, err := db.ExecContext(ctx, q(`INSERT INTO {p}users (id, account_id, group_id, kind, type, status,
				username, username_key, first_name, last_name, email, email_key, mobile_phone, business_phone,
				company, udid, time_zone, language, country, friendly_name, notes, service_level, services,
				default_number, address_book, settings, search, created_at, updated_at, version)
			SELECT 'user' || lpad(i::text, 7, '0'), ?, ?, 'person', 'end_user',
				CASE WHEN i % 10 = 9 THEN 'suspended' ELSE 'active' END,
				'user' || lpad(i::text, 7, '0'), 'user' || lpad(i::text, 7, '0'), 'First', 'Last',
				'user' || lpad(i::text, 7, '0') || '@bench.example', 'user' || lpad(i::text, 7, '0') || '@bench.example',
				'+1555' || lpad(i::text, 7, '0'), '', '', '', '', '', '', '', '',
				CASE WHEN i % 3 = 2 THEN 'pro' ELSE 'archive' END, 'null', '', false, 'null',
				'first' || chr(31) || 'last' || chr(31) || 'user' || lpad(i::text, 7, '0') || chr(31) ||
					'user' || lpad(i::text, 7, '0') || '@bench.example' || chr(31) || '+1555' || lpad(i::text, 7, '0'),
				now(), now(), 1
			FROM generate_series(?::int, ?::int - 1) AS i`), accountID, groupID, lo, hi)
		require.NoError(b, err)
	}
	_, err := db.ExecContext(ctx, q(`UPDATE {p}accounts SET seats_used = seats_used + ? WHERE id = ?`), n, accountID)
	require.NoError(b, err)
	_, err = db.ExecContext(ctx, q(`INSERT INTO {p}user_counts (account_id, status, service_level, users)
		SELECT account_id, status, service_level, count(*) FROM {p}users
		WHERE account_id = ? AND username_key IS NOT NULL GROUP BY account_id, status, service_level`), accountID)
	require.NoError(b, err)
	_, err = db.ExecContext(ctx, q(`ANALYZE {p}users`))
	require.NoError(b, err)
}
