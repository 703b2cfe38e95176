package twilio_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/sms"
	"github.com/rosterkit/roster/sms/twilio"
)

const (
	sid   = "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
	token = "tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0"
	path  = "/2010-04-01/Accounts/" + sid + "/Messages.json"
	alice = "+447400123456"
)

// request is what the peer saw.
type request struct {
	method, path, rawBody string
	header                http.Header
	form                  url.Values
}

// reply is one scripted answer.
type reply struct {
	status int
	file   string // under testdata; "" for no body
	header map[string]string
}

// peer is a Twilio stand-in: it records requests and plays replies in
// order, repeating the last.
type peer struct {
	t       *testing.T
	srv     *httptest.Server
	mu      sync.Mutex
	reqs    []request
	replies []reply
}

func newPeer(t *testing.T, replies ...reply) *peer {
	t.Helper()
	p := &peer{t: t, replies: replies}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *peer) serve(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(r.Body)
	assert.NoError(p.t, err)
	form, err := url.ParseQuery(string(raw))
	assert.NoError(p.t, err)
	p.mu.Lock()
	p.reqs = append(p.reqs, request{method: r.Method, path: r.URL.Path, rawBody: string(raw), header: r.Header.Clone(), form: form})
	rp := p.replies[min(len(p.reqs), len(p.replies))-1]
	p.mu.Unlock()
	for k, v := range rp.header {
		w.Header().Set(k, v)
	}
	if strings.HasSuffix(rp.file, ".json") {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(rp.status)
	if rp.file != "" {
		b, err := os.ReadFile(filepath.Join("testdata", rp.file))
		assert.NoError(p.t, err)
		_, _ = w.Write(b)
	}
}

func (p *peer) requests() []request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]request(nil), p.reqs...)
}

// sleeps records the waits instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return ctx.Err()
}

func newSender(t *testing.T, p *peer, mod func(*twilio.Config)) (*twilio.Sender, *sleeps) {
	t.Helper()
	sl := &sleeps{}
	cfg := twilio.Config{AccountSID: sid, AuthToken: token, From: "+15005550006", BaseURL: p.srv.URL,
		HTTPClient: p.srv.Client(), Sleep: sl.sleep, MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second}
	if mod != nil {
		mod(&cfg)
	}
	s, err := twilio.New(cfg)
	require.NoError(t, err)
	return s, sl
}

func TestWireRequest(t *testing.T) {
	t.Parallel()
	p := newPeer(t, reply{status: http.StatusCreated, file: "message_created.json"})
	s, _ := newSender(t, p, func(c *twilio.Config) { c.StatusCallback = "https://app.example.com/sms/status?x=1" })
	body := "Код 482913 — valid 10 min & more"
	rc, err := s.Send(context.Background(), sms.Message{To: alice, Body: body, Reference: "challenge-7:1"})
	require.NoError(t, err)
	assert.Equal(t, sms.Receipt{ID: "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", Segments: 1, Encoding: sms.UCS2, Status: "queued"}, rc)

	reqs := p.requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	assert.Equal(t, http.MethodPost, r.method)
	assert.Equal(t, path, r.path)
	assert.Equal(t, "application/x-www-form-urlencoded", r.header.Get("Content-Type"))
	assert.Equal(t, "application/json", r.header.Get("Accept"))
	assert.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte(sid+":"+token)), r.header.Get("Authorization"))
	assert.Equal(t, "challenge-7:1", r.header.Get(twilio.IdempotencyHeader))
	assert.Equal(t, url.Values{"To": {alice}, "From": {"+15005550006"}, "Body": {body},
		"StatusCallback": {"https://app.example.com/sms/status?x=1"}}, r.form)
	// The exact bytes: "+" is %2B (a bare "+" would be a space), UTF-8
	// is percent-encoded, spaces are "+", "&" is %26.
	assert.Equal(t, "Body=%D0%9A%D0%BE%D0%B4+482913+%E2%80%94+valid+10+min+%26+more&From=%2B15005550006"+
		"&StatusCallback=https%3A%2F%2Fapp.example.com%2Fsms%2Fstatus%3Fx%3D1&To=%2B447400123456", r.rawBody)
}

func TestMessagingServiceAndAPIKey(t *testing.T) {
	t.Parallel()
	p := newPeer(t, reply{status: http.StatusCreated, file: "message_created_service.json"})
	s, _ := newSender(t, p, func(c *twilio.Config) {
		c.From, c.AuthToken = "", ""
		c.MessagingServiceSID = "MGXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
		c.APIKeySID, c.APIKeySecret = "SKXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "key-secret"
	})
	rc, err := s.Send(context.Background(), sms.Message{To: "+46701234567", Body: "Hola"})
	require.NoError(t, err)
	assert.Equal(t, "SM1234567890abcdef1234567890abcdef", rc.ID)
	assert.Equal(t, "accepted", rc.Status)
	assert.Equal(t, 1, rc.Segments, "num_segments is 0 through a service: counted locally")

	_, err = s.Send(context.Background(), sms.Message{To: "+46701234567", Body: "Hola", From: "Acme"})
	require.NoError(t, err)
	reqs := p.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, url.Values{"To": {"+46701234567"}, "Body": {"Hola"}, "MessagingServiceSid": {"MGXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"}}, reqs[0].form)
	assert.Equal(t, "Acme", reqs[1].form.Get("From"), "an alphanumeric sender id from the message")
	assert.Equal(t, path, reqs[0].path, "the account stays in the path with an API key")
	assert.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte("SKXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:key-secret")), reqs[0].header.Get("Authorization"))
	tok0, tok1 := reqs[0].header.Get(twilio.IdempotencyHeader), reqs[1].header.Get(twilio.IdempotencyHeader)
	assert.Regexp(t, "^[0-9a-f]{32}$", tok0, "a random token when the message has no Reference")
	assert.NotEqual(t, tok0, tok1, "one token per Send")
}

func TestErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		replies   []reply
		requests  int
		status    int
		code      string
		message   string
		refused   bool
		limited   bool
		retryable bool
	}{
		{"invalid number", []reply{{status: 400, file: "error_21211.json"}}, 1, 400, "21211",
			"The 'To' number +*********456 is not a valid phone number.", true, false, false},
		{"unsubscribed", []reply{{status: 400, file: "error_21610.json"}}, 1, 400, "21610",
			"Attempt to send to unsubscribed recipient", true, false, false},
		{"region not enabled", []reply{{status: 400, file: "error_21408.json"}}, 1, 400, "21408",
			"Permission to send an SMS has not been enabled for the region indicated by the 'To' number: +*********456.", true, false, false},
		{"no body", []reply{{status: 400, file: "error_21602.json"}}, 1, 400, "21602", "Message body is required.", false, false, false},
		{"bad credentials", []reply{{status: 401, file: "error_20003.json"}}, 1, 401, "20003", "Authenticate", false, false, false},
		{"server error, retries spent", []reply{{status: 500, file: "error_20500.json"}}, 4, 500, "20500",
			"An internal server error has occurred", false, false, true},
		{"html from a proxy", []reply{{status: 502, file: "bad_gateway.html"}}, 4, 502, "", "bad gateway", false, false, true},
		{"too many requests, retries spent", []reply{{status: 429, file: "error_20429.json"}}, 4, 429, "20429",
			"Too Many Requests", false, true, true},
		{"retry-after over the cap", []reply{{status: 429, file: "error_20429.json", header: map[string]string{"Retry-After": "3600"}}}, 1, 429, "20429",
			"Too Many Requests", false, true, true},
		{"not implemented is final", []reply{{status: 501}}, 1, 501, "", "not implemented", false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newPeer(t, tt.replies...)
			s, _ := newSender(t, p, nil)
			_, err := s.Send(context.Background(), sms.Message{To: alice, Body: "x", Reference: "ref-1"})
			var pe *sms.ProviderError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "twilio", pe.Provider)
			assert.Equal(t, tt.status, pe.Status)
			assert.Equal(t, tt.code, pe.Code)
			assert.Equal(t, tt.message, pe.Message)
			assert.Equal(t, tt.retryable, pe.Retryable)
			assert.Equal(t, tt.refused, errors.Is(err, sms.ErrRefused))
			assert.Equal(t, tt.limited, errors.Is(err, sms.ErrRateLimited))
			if tt.code != "" {
				assert.Equal(t, "https://www.twilio.com/docs/errors/"+tt.code, pe.MoreInfo)
			}
			assert.Len(t, p.requests(), tt.requests)
			for _, r := range p.requests() {
				assert.Equal(t, "ref-1", r.header.Get(twilio.IdempotencyHeader), "the same token on every attempt")
			}
			msg := err.Error()
			assert.NotContains(t, msg, token)
			assert.NotContains(t, msg, "7400123456")
		})
	}
}

func TestRetryThenSuccess(t *testing.T) {
	t.Parallel()
	p := newPeer(t,
		reply{status: 503},
		reply{status: 429, file: "error_20429.json", header: map[string]string{"Retry-After": "2"}},
		reply{status: 500, file: "error_20500.json"},
		reply{status: 201, file: "message_created.json"})
	s, sl := newSender(t, p, nil)
	rc, err := s.Send(context.Background(), sms.Message{To: alice, Body: "x"})
	require.NoError(t, err)
	assert.Equal(t, "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", rc.ID)
	reqs := p.requests()
	require.Len(t, reqs, 4)
	for _, r := range reqs[1:] {
		assert.Equal(t, reqs[0].header.Get(twilio.IdempotencyHeader), r.header.Get(twilio.IdempotencyHeader))
		assert.Equal(t, reqs[0].rawBody, r.rawBody)
	}
	require.Len(t, sl.d, 3)
	assert.GreaterOrEqual(t, sl.d[0], 50*time.Millisecond, "first backoff in [min/2, min]")
	assert.LessOrEqual(t, sl.d[0], 100*time.Millisecond)
	assert.Equal(t, 2*time.Second, sl.d[1], "Retry-After honoured")
	assert.GreaterOrEqual(t, sl.d[2], 200*time.Millisecond, "third backoff in [2min, 4min]")
	assert.LessOrEqual(t, sl.d[2], 400*time.Millisecond)
}

func TestNoRetries(t *testing.T) {
	t.Parallel()
	p := newPeer(t, reply{status: 503})
	s, sl := newSender(t, p, func(c *twilio.Config) { c.MaxRetries = -1 })
	_, err := s.Send(context.Background(), sms.Message{To: alice, Body: "x"})
	assert.Error(t, err)
	assert.Len(t, p.requests(), 1)
	assert.Empty(t, sl.d)
}

func TestTransportErrors(t *testing.T) {
	t.Parallel()
	// A server that hangs up without answering.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}))
	t.Cleanup(srv.Close)
	sl := &sleeps{}
	s, err := twilio.New(twilio.Config{AccountSID: sid, AuthToken: token, From: "+15005550006", BaseURL: srv.URL,
		HTTPClient: srv.Client(), Sleep: sl.sleep, MaxRetries: 2})
	require.NoError(t, err)
	_, err = s.Send(context.Background(), sms.Message{To: alice, Body: "x"})
	var pe *sms.ProviderError
	require.ErrorAs(t, err, &pe)
	assert.True(t, pe.Retryable)
	assert.Zero(t, pe.Status)
	assert.Len(t, sl.d, 2, "transport errors are retried")
	assert.NotContains(t, err.Error(), srv.URL, "no URL in the error")
	assert.NotContains(t, err.Error(), token)
}

func TestContext(t *testing.T) {
	t.Parallel()
	p := newPeer(t, reply{status: 503})
	ctx, cancel := context.WithCancel(context.Background())
	s, err := twilio.New(twilio.Config{AccountSID: sid, AuthToken: token, From: "+15005550006", BaseURL: p.srv.URL,
		HTTPClient: p.srv.Client(), Sleep: func(ctx context.Context, _ time.Duration) error {
			cancel() // the caller gives up while we wait
			return ctx.Err()
		}})
	require.NoError(t, err)
	_, err = s.Send(ctx, sms.Message{To: alice, Body: "x"})
	assert.ErrorIs(t, err, context.Canceled)
	var pe *sms.ProviderError
	assert.ErrorAs(t, err, &pe, "the last failure is kept")
	assert.Len(t, p.requests(), 1)

	_, err = s.Send(ctx, sms.Message{To: alice, Body: "x"})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Len(t, p.requests(), 1, "no request on a dead context")
}

func TestOddSuccessBodies(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, r.URL.Query().Get("body"))
	}))
	t.Cleanup(srv.Close)
	tests := map[string]sms.Receipt{
		"not json":                         {Segments: 1, Encoding: sms.GSM7},
		`{"sid":"SMx","num_segments":3}`:   {ID: "SMx", Segments: 3, Encoding: sms.GSM7},
		`{"sid":"SMx","num_segments":"x"}`: {ID: "SMx", Segments: 1, Encoding: sms.GSM7},
	}
	for body, want := range tests {
		s, err := twilio.New(twilio.Config{AccountSID: sid, AuthToken: token, From: "+1", BaseURL: srv.URL + "/?body=" + url.QueryEscape(body) + "#",
			HTTPClient: srv.Client()})
		require.NoError(t, err)
		rc, err := s.Send(context.Background(), sms.Message{To: alice, Body: "x"})
		require.NoError(t, err, "a 2xx is success, whatever the body: never send twice")
		assert.Equal(t, want, rc, body)
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  twilio.Config
		want string
	}{
		{"empty", twilio.Config{}, "twilio: missing or bad Config.AccountSID"},
		{"bad sid", twilio.Config{AccountSID: "AC123", AuthToken: "t", From: "+1"}, "Config.AccountSID"},
		{"no token", twilio.Config{AccountSID: sid, From: "+1"}, "Config.AuthToken"},
		{"half a key", twilio.Config{AccountSID: sid, APIKeySID: "SKXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", From: "+1"}, "Config.APIKeySID and APIKeySecret"},
		{"no sender", twilio.Config{AccountSID: sid, AuthToken: "t"}, "Config.From or MessagingServiceSID"},
		{"bad service", twilio.Config{AccountSID: sid, AuthToken: "t", MessagingServiceSID: "MG1"}, "Config.MessagingServiceSID"},
		{"bad url", twilio.Config{AccountSID: sid, AuthToken: "t", From: "+1", BaseURL: "ftp://x"}, "Config.BaseURL"},
	}
	for _, tt := range tests {
		_, err := twilio.New(tt.cfg)
		require.Error(t, err, tt.name)
		assert.Contains(t, err.Error(), tt.want, tt.name)
		assert.NotContains(t, err.Error(), "t\"", tt.name)
	}
	_, err := twilio.New(twilio.Config{AccountSID: sid, AuthToken: "secret-token", From: "+1"})
	assert.NoError(t, err)

	s, err := twilio.New(twilio.Config{AccountSID: sid, AuthToken: token, From: "+1"})
	require.NoError(t, err)
	_, err = s.Send(context.Background(), sms.Message{To: alice})
	assert.ErrorIs(t, err, sms.ErrInvalidMessage)
}
