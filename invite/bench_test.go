package invite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/invite"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/memstore"
	"github.com/rosterkit/roster/usermgmt/sqlitestore"
)

// BenchmarkInvite1000 measures one Invite call with 1,000 new addresses
// into an account of 100 users: classification, 1,000 invitations and
// their audit events in one transaction, rendering and handing 1,000
// mails to a recording mailer, and recording the deliveries. The goal
// is under one second, excluding the mail transport:
//
//	go test -run '^$' -bench BenchmarkInvite1000 -benchtime 10x ./invite
//
// ns/op is the time for the 1,000 addresses.
func BenchmarkInvite1000(b *testing.B) {
	stores := []struct {
		name string
		open func(b *testing.B) usermgmt.Store
	}{
		{"memstore", func(*testing.B) usermgmt.Store { return memstore.New() }},
		{"sqlite", func(b *testing.B) usermgmt.Store {
			s, err := sqlitestore.Open(context.Background(), sqlitestore.Config{Path: filepath.Join(b.TempDir(), "bench.db")})
			require.NoError(b, err)
			b.Cleanup(func() { _ = s.Close() })
			return s
		}},
	}
	emails := make([]string, 1000)
	for i := range emails {
		emails[i] = fmt.Sprintf("invitee%04d@example.org", i)
	}
	for _, st := range stores {
		b.Run(st.name, func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				b.StopTimer()
				w := setupStore(b, st.open(b))
				for i := range 100 {
					w.mk(b, fmt.Sprintf("member%03d", i), 1000+i)
				}
				b.StartTimer()
				res, err := w.inv.Invite(ctx, w.owner.ID, invite.Request{Emails: emails})
				b.StopTimer()
				require.NoError(b, err)
				require.Len(b, res.Invited, len(emails))
				require.Equal(b, len(emails), w.mails.Len())
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(len(emails)), "µs/address")
		})
	}
}

// BenchmarkIsDisposable measures one lookup in the embedded list.
func BenchmarkIsDisposable(b *testing.B) {
	for b.Loop() {
		invite.IsDisposable("inbox.example.org")
	}
}
