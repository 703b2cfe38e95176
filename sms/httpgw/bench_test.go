package httpgw_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/rosterkit/roster/sms"
	"github.com/rosterkit/roster/sms/httpgw"
)

// BenchmarkSend is one Send through the Kannel preset against a
// loopback smsbox stand-in: rendering the URL, the request, judging
// the answer.
func BenchmarkSend(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, kannelAccepted)
	}))
	defer srv.Close()
	cfg := httpgw.Kannel(srv.URL, "roster", "secret", "Acme")
	cfg.HTTPClient = srv.Client()
	s, err := httpgw.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	m := sms.Message{To: alice, Body: "Your verification code is 482913. It is valid for 10 minutes."}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Send(ctx, m); err != nil {
			b.Fatal(err)
		}
	}
}
