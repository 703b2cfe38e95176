package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKannelFromEnvironment runs the example against a local stand-in
// for a Kannel smsbox, configured only through the environment.
func TestKannelFromEnvironment(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.URL.Query())
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte("0: Accepted for delivery"))
	}))
	defer srv.Close()
	env := map[string]string{
		"ROSTER_KANNEL_URL": srv.URL, "ROSTER_KANNEL_USERNAME": "roster", "ROSTER_KANNEL_PASSWORD": "s3cret",
		"ROSTER_TEST_PHONE": "+447400123456",
	}
	require.NoError(t, run(func(k string) string { return env[k] }))
	q, ok := got.Load().(url.Values)
	require.True(t, ok, "the gateway was called")
	assert.Equal(t, []string{"+447400123456"}, q["to"])
	assert.Equal(t, []string{"roster"}, q["username"])
}

func TestNothingConfigured(t *testing.T) {
	require.NoError(t, run(func(string) string { return "" }))
}

func TestBadSMTPSettings(t *testing.T) {
	env := map[string]string{"ROSTER_SMTP_HOST": "smtp.example.com", "ROSTER_SMTP_PORT": "many"}
	require.ErrorContains(t, run(func(k string) string { return env[k] }), "ROSTER_SMTP_PORT")
	env = map[string]string{"ROSTER_SMTP_HOST": "smtp.example.com", "ROSTER_SMTP_TLS": "sometimes"}
	require.ErrorContains(t, run(func(k string) string { return env[k] }), "ROSTER_SMTP_TLS")
}
