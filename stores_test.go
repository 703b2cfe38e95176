package roster_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster"
	"github.com/rosterkit/roster/auth"
	"github.com/rosterkit/roster/internal/pgtest"
	"github.com/rosterkit/roster/sms"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/mail"
	"github.com/rosterkit/roster/usermgmt/memstore"
	"github.com/rosterkit/roster/usermgmt/pgstore"
	"github.com/rosterkit/roster/usermgmt/sqlitestore"
)

// engine opens a fresh, empty store of one kind for a test.
type engine struct {
	name string
	open func(t *testing.T) usermgmt.Store
}

// engines returns memstore, SQLite and, when pgtest.Env is set, PostgreSQL.
// Without a server the PostgreSQL case is skipped, visibly.
func engines() []engine {
	return []engine{
		{"memstore", func(*testing.T) usermgmt.Store { return memstore.New() }},
		{"sqlite", func(t *testing.T) usermgmt.Store {
			s, err := sqlitestore.Open(context.Background(), sqlitestore.Config{Path: filepath.Join(t.TempDir(), "roster.db")})
			require.NoError(t, err)
			t.Cleanup(func() { _ = s.Close() })
			return s
		}},
		{"postgres", func(t *testing.T) usermgmt.Store {
			s, err := pgstore.Open(context.Background(), pgtest.SchemaDSN(t), pgstore.Config{})
			require.NoError(t, err)
			t.Cleanup(func() { _ = s.Close() })
			return s
		}},
	}
}

// suiteKit builds the Kit the fault and load suites drive: a cheap hash
// (hundreds of logins; the hash's cost is not under test) and the SMS
// guard's limits off (they would refuse the suites' many PINs to one
// number).
func suiteKit(t *testing.T, st usermgmt.Store, sender sms.Sender, mailer mail.Mailer) *roster.Kit {
	t.Helper()
	h, err := auth.NewHasher(auth.HashConfig{Memory: 64, Time: 1})
	require.NoError(t, err)
	off := sms.Limit{Max: -1}
	kit, err := roster.New(roster.Config{Store: st, SMS: sender, Mailer: mailer, Hasher: h,
		CodeKey: []byte("a test key of at least thirty-two bytes"), BaseURL: "https://app.example.com",
		Guard: sms.GuardConfig{Destination: off, DestinationDaily: off, Account: off, Global: off, Duplicate: -1}})
	require.NoError(t, err)
	return kit
}
