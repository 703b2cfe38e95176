package twilio_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/rosterkit/roster/sms"
	"github.com/rosterkit/roster/sms/twilio"
)

// BenchmarkSend is one Send against a loopback Twilio stand-in: form
// encoding, the request, and reading the real success body.
func BenchmarkSend(b *testing.B) {
	created, err := os.ReadFile("testdata/message_created.json")
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(created)
	}))
	defer srv.Close()
	s, err := twilio.New(twilio.Config{AccountSID: sid, AuthToken: token, From: "+15005550006", BaseURL: srv.URL, HTTPClient: srv.Client()})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	m := sms.Message{To: alice, Body: "Your verification code is 482913. It is valid for 10 minutes.", Reference: "r"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Send(ctx, m); err != nil {
			b.Fatal(err)
		}
	}
}
