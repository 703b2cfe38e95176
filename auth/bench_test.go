package auth_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rosterkit/roster/auth"
	"github.com/rosterkit/roster/sms/smstest"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/mail"
	"github.com/rosterkit/roster/usermgmt/memstore"
	"github.com/rosterkit/roster/usermgmt/sqlitestore"
)

// benchWorld is setup on a chosen store with a zero-work hasher, so that
// the figures are the overhead of login beyond one hash verification.
func benchWorld(b *testing.B, store usermgmt.Store, twoFactor bool) *world {
	b.Helper()
	w := &world{store: store, clock: &clock{t: time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)}, hasher: &fixedHasher{}, sms: &smstest.Recorder{}, mails: &mail.Recorder{}}
	var err error
	w.users, err = usermgmt.New(usermgmt.Config{Store: store, Hasher: w.hasher, Now: w.clock.Now})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	f := twoFactor
	w.acct, w.owner, err = w.users.CreateAccount(ctx, usermgmt.NewAccount{Name: "Bench", TwoFactor: &f,
		Owner: usermgmt.NewUser{User: person("owner", 1), Password: pw}})
	if err != nil {
		b.Fatal(err)
	}
	w.alice = w.mk(b, "alice", 2)
	w.auth, err = auth.New(auth.Config{Users: w.users, Hasher: w.hasher, SMS: w.sms, Mailer: w.mails,
		CodeKey: []byte(strings.Repeat("k", 32)), ResetURL: func(s string) string { return s }})
	if err != nil {
		b.Fatal(err)
	}
	return w
}

func stores(b *testing.B) map[string]func() usermgmt.Store {
	return map[string]func() usermgmt.Store{
		"memstore": func() usermgmt.Store { return memstore.New() },
		"sqlite": func() usermgmt.Store {
			s, err := sqlitestore.Open(context.Background(), sqlitestore.Config{Path: filepath.Join(b.TempDir(), "b.db")})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			return s
		},
	}
}

// BenchmarkLogin measures a whole login with a hasher that does no work:
// the cost roster adds to the one hash verification (goal: under 1 ms).
//
//	go test -run '^$' -bench 'Login|VerifyPIN|Authenticate' ./auth/
func BenchmarkLogin(b *testing.B) {
	ctx := context.Background()
	for _, name := range []string{"memstore", "sqlite"} {
		for _, twoFactor := range []bool{false, true} {
			label := name + "/no2fa"
			if twoFactor {
				label = name + "/2fa"
			}
			b.Run(label, func(b *testing.B) {
				w := benchWorld(b, stores(b)[name](), twoFactor)
				b.ReportAllocs()
				for b.Loop() {
					if _, err := w.auth.Login(ctx, auth.Credentials{Login: "alice", Password: pw}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkVerifyPIN measures the PIN step (goal: under 1 ms on SQLite).
func BenchmarkVerifyPIN(b *testing.B) {
	ctx := context.Background()
	for _, name := range []string{"memstore", "sqlite"} {
		b.Run(name, func(b *testing.B) {
			w := benchWorld(b, stores(b)[name](), true)
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				res, err := w.auth.Login(ctx, auth.Credentials{Login: "alice", Password: pw})
				if err != nil {
					b.Fatal(err)
				}
				code := w.sms.LastCode(w.alice.MobilePhone)
				b.StartTimer()
				if _, err := w.auth.VerifyPIN(ctx, res.Challenge.Token, code, ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAuthenticate measures checking a session token per request.
func BenchmarkAuthenticate(b *testing.B) {
	ctx := context.Background()
	for _, name := range []string{"memstore", "sqlite"} {
		b.Run(name, func(b *testing.B) {
			w := benchWorld(b, stores(b)[name](), false)
			res, err := w.auth.Login(ctx, auth.Credentials{Login: "alice", Password: pw})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := w.auth.Authenticate(ctx, res.Session.Token); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
