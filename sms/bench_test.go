package sms_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/rosterkit/roster/sms"
)

// BenchmarkGuardSend measures the Guard's send-path overhead: policy
// checks (E.164, libphonenumber type and region), the body hash, and
// five MemoryCounter hits, in front of a sender that does nothing.
func BenchmarkGuardSend(b *testing.B) {
	noop := sms.SenderFunc(func(context.Context, sms.Message) (sms.Receipt, error) { return sms.Receipt{}, nil })
	g, err := sms.NewGuard(noop, sms.GuardConfig{Destination: sms.Limit{Max: -1}, DestinationDaily: sms.Limit{Max: -1},
		Account: sms.Limit{Max: -1}, Global: sms.Limit{Max: -1}})
	if err != nil {
		b.Fatal(err)
	}
	gAll, err := sms.NewGuard(noop, sms.GuardConfig{Destination: sms.Limit{Max: 1 << 30}, DestinationDaily: sms.Limit{Max: 1 << 30},
		Account: sms.Limit{Max: 1 << 30}, Global: sms.Limit{Max: 1 << 30}})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		g    *sms.Guard
	}{{"duplicate-rule-only", g}, {"all-rules", gAll}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				m := sms.Message{To: "+447400123456", Body: "Your verification code is " + strconv.Itoa(i), AccountID: "acct-1"}
				if _, err := bc.g.Send(ctx, m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkAnalyze(b *testing.B) {
	for _, bc := range []struct{ name, body string }{
		{"gsm-160", firstRunes(strings.Repeat("Your code is 123456. ", 8), 160)},
		{"gsm-ext-160", firstRunes(strings.Repeat("a€[]", 40), 100)},
		{"ucs2-70", firstRunes(strings.Repeat("Ваш код 12345. ", 5), 70)},
		{"ucs2-emoji-300", strings.Repeat("Hi 😀 ", 50)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.body)))
			for b.Loop() {
				_ = sms.Analyze(bc.body)
			}
		})
	}
}

func firstRunes(s string, n int) string { return string([]rune(s)[:n]) }

// BenchmarkLookup is the libphonenumber cost a Guard pays for a
// destination it has not seen recently (it caches the rest).
func BenchmarkLookup(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sms.Lookup("+447400123456"); err != nil {
			b.Fatal(err)
		}
	}
}
