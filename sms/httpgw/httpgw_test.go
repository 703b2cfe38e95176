package httpgw_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/sms"
	"github.com/rosterkit/roster/sms/httpgw"
)

const alice = "+447400123456"

// request is what the peer saw.
type request struct {
	method, path, rawPath, rawQuery, body string
	header                                http.Header
}

// answer is one scripted reply.
type answer struct {
	status int
	body   string
	header map[string]string
}

// peer is a gateway stand-in playing answers in order, repeating the
// last.
type peer struct {
	srv     *httptest.Server
	mu      sync.Mutex
	reqs    []request
	answers []answer
}

func newPeer(t *testing.T, answers ...answer) *peer {
	t.Helper()
	p := &peer{answers: answers}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		p.reqs = append(p.reqs, request{method: r.Method, path: r.URL.Path, rawPath: r.URL.EscapedPath(),
			rawQuery: r.URL.RawQuery, body: string(b), header: r.Header.Clone()})
		a := p.answers[min(len(p.reqs), len(p.answers))-1]
		p.mu.Unlock()
		for k, v := range a.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(a.status)
		_, _ = io.WriteString(w, a.body)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *peer) requests() []request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]request(nil), p.reqs...)
}

// Kannel's smsbox answers, as gw/smsbox.c writes them.
const (
	kannelAccepted = "0: Accepted for delivery"
	kannelQueued   = "3: Queued for later delivery"
	kannelAuth     = "Authorization failed for sendsms"
	kannelDenied   = "Number(s) has/have been denied by white- and/or black-lists."
	kannelTemp     = "4: Temporal failure, try again later."
	kannelNoTo     = "Missing receiver number, rejected"
)

func kannel(t *testing.T, p *peer, from string) *httpgw.Sender {
	t.Helper()
	cfg := httpgw.Kannel(p.srv.URL+"/", "roster", "p&ss w+rd", from)
	cfg.HTTPClient = p.srv.Client()
	s, err := httpgw.New(cfg)
	require.NoError(t, err)
	return s
}

func TestKannelWire(t *testing.T) {
	t.Parallel()
	p := newPeer(t, answer{status: http.StatusAccepted, body: kannelAccepted})
	s := kannel(t, p, "Acme")
	ctx := context.Background()

	rc, err := s.Send(ctx, sms.Message{To: alice, Body: "Code: 482913 & 5€ + more"})
	require.NoError(t, err)
	assert.Equal(t, sms.Receipt{Segments: 1, Encoding: sms.GSM7}, rc, "Kannel gives no message id")
	_, err = s.Send(ctx, sms.Message{To: alice, Body: "Код 482913", From: "+46701234567"})
	require.NoError(t, err)

	reqs := p.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, http.MethodGet, reqs[0].method)
	assert.Equal(t, "/cgi-bin/sendsms", reqs[0].path)
	assert.Empty(t, reqs[0].body)
	assert.Empty(t, reqs[0].header.Get("Authorization"), "credentials go in the query, as Kannel wants")
	// The exact query: "+" is %2B (Kannel decodes a bare "+" as a
	// space), spaces are "+", "&" and "€" are escaped, coding=0 for
	// GSM-7 and 2 for UCS-2 with the text in UTF-8.
	assert.Equal(t, "username=roster&password=p%26ss+w%2Brd&to=%2B447400123456"+
		"&text=Code%3A+482913+%26+5%E2%82%AC+%2B+more&charset=UTF-8&coding=0&from=Acme", reqs[0].rawQuery)
	assert.Equal(t, "username=roster&password=p%26ss+w%2Brd&to=%2B447400123456"+
		"&text=%D0%9A%D0%BE%D0%B4+482913&charset=UTF-8&coding=2&from=%2B46701234567", reqs[1].rawQuery)
	q, err := url.ParseQuery(reqs[0].rawQuery)
	require.NoError(t, err)
	assert.Equal(t, "Code: 482913 & 5€ + more", q.Get("text"), "the gateway decodes what was sent")
	assert.Equal(t, "p&ss w+rd", q.Get("password"))
}

func TestKannelNoFrom(t *testing.T) {
	t.Parallel()
	p := newPeer(t, answer{status: http.StatusAccepted, body: kannelQueued})
	s := kannel(t, p, "")
	_, err := s.Send(context.Background(), sms.Message{To: alice, Body: "hi"})
	require.NoError(t, err, "queued for later delivery is accepted too")
	assert.NotContains(t, p.requests()[0].rawQuery, "from=", "no from: Kannel uses its global-sender")
}

func TestKannelAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		a         answer
		message   string
		refused   bool
		retryable bool
	}{
		{"authorization", answer{status: http.StatusForbidden, body: kannelAuth}, kannelAuth, false, false},
		{"denied by lists", answer{status: http.StatusForbidden, body: kannelDenied}, kannelDenied, true, false},
		{"temporal failure", answer{status: http.StatusServiceUnavailable, body: kannelTemp}, kannelTemp, false, true},
		{"bad request", answer{status: http.StatusBadRequest, body: kannelNoTo}, kannelNoTo, false, false},
		{"accepted status, odd body", answer{status: http.StatusAccepted, body: "Result: maybe"}, "unexpected answer: Result: maybe", false, false},
		{"wrong status", answer{status: http.StatusCreated, body: kannelAccepted}, kannelAccepted, false, false},
		{"empty answer", answer{status: http.StatusBadGateway}, "bad gateway", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newPeer(t, tt.a)
			s := kannel(t, p, "Acme")
			_, err := s.Send(context.Background(), sms.Message{To: alice, Body: "hi"})
			var pe *sms.ProviderError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "kannel", pe.Provider)
			assert.Equal(t, tt.a.status, pe.Status)
			assert.Equal(t, tt.message, pe.Message)
			assert.Equal(t, tt.refused, errors.Is(err, sms.ErrRefused))
			assert.Equal(t, tt.retryable, pe.Retryable)
			assert.Len(t, p.requests(), 1, "no retries by default")
			assert.NotContains(t, err.Error(), "p&ss")
		})
	}
}

func TestJSONGateway(t *testing.T) {
	t.Parallel()
	p := newPeer(t, answer{status: http.StatusCreated, body: `{"data": {"id": "msg_01HZX", "state": "queued"}}`})
	s, err := httpgw.New(httpgw.Config{
		Name:          "acme",
		URL:           p.srv.URL + "/v1/accounts/{account}/messages",
		Body:          `{"to": "{to}", "from": "{from}", "text": "{body}", "ref": "{reference}", "segments": {segments}}`,
		BodyFormat:    httpgw.FormatJSON,
		Header:        http.Header{"X-Api-Version": {"2024-01"}},
		From:          "Acme",
		BearerToken:   "tok_live_123456",
		SuccessStatus: []int{http.StatusCreated},
		MessageID:     `"id"\s*:\s*"([^"]+)"`,
		HTTPClient:    p.srv.Client(),
	})
	require.NoError(t, err)
	body := "Line 1\n\"quoted\" \\ back\tslash 😀\u2028"
	rc, err := s.Send(context.Background(), sms.Message{To: alice, Body: body, Reference: "ref-9", AccountID: "acct 1/2"})
	require.NoError(t, err)
	assert.Equal(t, sms.Receipt{ID: "msg_01HZX", Segments: 1, Encoding: sms.UCS2}, rc)

	r := p.requests()[0]
	assert.Equal(t, http.MethodPost, r.method)
	assert.Equal(t, "/v1/accounts/acct%201%2F2/messages", r.rawPath, "path placeholders are path-escaped")
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	assert.Equal(t, "Bearer tok_live_123456", r.header.Get("Authorization"))
	assert.Equal(t, "2024-01", r.header.Get("X-Api-Version"))
	assert.Equal(t, `{"to": "+447400123456", "from": "Acme", "text": "Line 1\n\"quoted\" \\ back\tslash 😀\u2028", "ref": "ref-9", "segments": 1}`, r.body)
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.body), &got))
	assert.Equal(t, body, got["text"], "the gateway decodes what was sent")
}

func TestFormGateway(t *testing.T) {
	t.Parallel()
	p := newPeer(t, answer{status: http.StatusOK, body: "OK id=77421"})
	s, err := httpgw.New(httpgw.Config{
		URL:         p.srv.URL + "/send",
		Body:        "dest={to_digits}&msg={body}&enc={encoding}&purpose={purpose}&user={user}",
		Username:    "api",
		Password:    "s3cr3t",
		SuccessBody: `^OK`,
		MessageID:   `id=(\d+)`,
		HTTPClient:  p.srv.Client(),
	})
	require.NoError(t, err)
	rc, err := s.Send(context.Background(), sms.Message{To: alice, Body: "a+b=c & d", Purpose: sms.PurposeCode, UserID: "u-1"})
	require.NoError(t, err)
	assert.Equal(t, "77421", rc.ID)
	r := p.requests()[0]
	assert.Equal(t, http.MethodPost, r.method, "POST when there is a body")
	assert.Equal(t, "application/x-www-form-urlencoded", r.header.Get("Content-Type"))
	assert.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte("api:s3cr3t")), r.header.Get("Authorization"))
	assert.Equal(t, "dest=447400123456&msg=a%2Bb%3Dc+%26+d&enc=gsm7&purpose=code&user=u-1", r.body)
}

func TestTextBodyAndMethod(t *testing.T) {
	t.Parallel()
	p := newPeer(t, answer{status: http.StatusOK})
	s, err := httpgw.New(httpgw.Config{Method: http.MethodPut, URL: p.srv.URL + "/sms/{to}", Body: "{body}",
		BodyFormat: httpgw.FormatText, ContentType: "text/plain", HTTPClient: p.srv.Client()})
	require.NoError(t, err)
	_, err = s.Send(context.Background(), sms.Message{To: alice, Body: "raw & {as is}"})
	require.NoError(t, err)
	r := p.requests()[0]
	assert.Equal(t, http.MethodPut, r.method)
	assert.Equal(t, "/sms/+447400123456", r.rawPath, "\"+\" is legal in a path segment")
	assert.Equal(t, "raw & {as is}", r.body)
	assert.Equal(t, "text/plain", r.header.Get("Content-Type"))
}

func TestRetries(t *testing.T) {
	t.Parallel()
	p := newPeer(t,
		answer{status: http.StatusServiceUnavailable, body: kannelTemp},
		answer{status: http.StatusTooManyRequests, header: map[string]string{"Retry-After": "1"}},
		answer{status: http.StatusAccepted, body: kannelAccepted})
	cfg := httpgw.Kannel(p.srv.URL, "u", "p", "")
	cfg.HTTPClient, cfg.MaxRetries = p.srv.Client(), 3
	var slept []time.Duration
	cfg.Sleep = func(ctx context.Context, d time.Duration) error { slept = append(slept, d); return ctx.Err() }
	s, err := httpgw.New(cfg)
	require.NoError(t, err)
	_, err = s.Send(context.Background(), sms.Message{To: alice, Body: "hi"})
	require.NoError(t, err)
	assert.Len(t, p.requests(), 3)
	require.Len(t, slept, 2)
	assert.Equal(t, time.Second, slept[1], "Retry-After honoured")

	// A refusal is never retried.
	p2 := newPeer(t, answer{status: http.StatusForbidden, body: kannelDenied})
	cfg.URL = strings.Replace(cfg.URL, p.srv.URL, p2.srv.URL, 1)
	cfg.HTTPClient = p2.srv.Client()
	s, err = httpgw.New(cfg)
	require.NoError(t, err)
	_, err = s.Send(context.Background(), sms.Message{To: alice, Body: "hi"})
	assert.ErrorIs(t, err, sms.ErrRefused)
	assert.Len(t, p2.requests(), 1)
}

func TestErrorsKeepSecretsOut(t *testing.T) {
	t.Parallel()
	// A gateway that echoes everything back in its error.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, "rejected: "+r.URL.RawQuery+" "+string(b)+" auth="+r.Header.Get("Authorization")+" key="+r.Header.Get("X-Api-Key")+"\x00\n")
	}))
	t.Cleanup(srv.Close)
	s, err := httpgw.New(httpgw.Config{URL: srv.URL + "/send?pw={password}&to={to}", Body: "text={body}",
		Password: "hunter2hunter2", Header: http.Header{"X-Api-Key": {"key_abcdef"}}, HTTPClient: srv.Client()})
	require.NoError(t, err)
	_, err = s.Send(context.Background(), sms.Message{To: alice, Body: "Your code is 4821"})
	require.Error(t, err)
	msg := err.Error()
	for _, secret := range []string{"hunter2", "key_abcdef", "4821", "7400123456"} {
		assert.NotContains(t, msg, secret)
	}
	assert.Contains(t, msg, "[redacted]")
	assert.Contains(t, msg, "[body]")
	assert.NotContains(t, msg, "\x00")

	// No answer at all: the transport error must not show the URL.
	dead, err := httpgw.New(httpgw.Config{URL: "http://127.0.0.1:1/send?password={password}&to={to}&text={body}", Password: "hunter2hunter2"})
	require.NoError(t, err)
	_, err = dead.Send(context.Background(), sms.Message{To: alice, Body: "x"})
	var pe *sms.ProviderError
	require.ErrorAs(t, err, &pe)
	assert.True(t, pe.Retryable)
	assert.NotContains(t, err.Error(), "hunter2")
	assert.NotContains(t, err.Error(), "7400123456")
}

func TestContext(t *testing.T) {
	t.Parallel()
	p := newPeer(t, answer{status: http.StatusAccepted, body: kannelAccepted})
	s := kannel(t, p, "")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Send(ctx, sms.Message{To: alice, Body: "x"})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, p.requests())
	_, err = s.Send(context.Background(), sms.Message{To: alice})
	assert.ErrorIs(t, err, sms.ErrInvalidMessage)
}

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  httpgw.Config
		want string
	}{
		{"no url", httpgw.Config{}, "httpgw: missing Config.URL"},
		{"unknown placeholder", httpgw.Config{URL: "https://x/send?to={to}&text={text}"}, "Config.URL: unknown placeholder {text}"},
		{"relative url", httpgw.Config{URL: "/send?to={to}&text={body}"}, "not an absolute http or https URL"},
		{"ftp url", httpgw.Config{URL: "ftp://x/send?to={to}&text={body}"}, "not an absolute http or https URL"},
		{"no to", httpgw.Config{URL: "https://x/send?text={body}"}, "no {to} or {to_digits} in Config.URL or Config.Body"},
		{"no body", httpgw.Config{URL: "https://x/send?to={to}"}, "no {body} in Config.URL or Config.Body"},
		{"bad format", httpgw.Config{URL: "https://x/send", Body: "{to}{body}", BodyFormat: "xml"}, `unknown body format "xml"`},
		{"bad body placeholder", httpgw.Config{URL: "https://x/send", Body: "{to}{body}{nope}"}, "Config.Body: unknown placeholder {nope}"},
		{"bad method", httpgw.Config{Method: "get it", URL: "https://x/send?to={to}&text={body}"}, `Config.Method "get it"`},
		{"two auths", httpgw.Config{URL: "https://x/send?to={to}&text={body}", Username: "u", BearerToken: "t"}, "choose one"},
		{"bad regexp", httpgw.Config{URL: "https://x/send?to={to}&text={body}", SuccessBody: "("}, "Config.SuccessBody"},
		{"bad status", httpgw.Config{Name: "gw", URL: "https://x/send?to={to}&text={body}", SuccessStatus: []int{99}}, "httpgw: gw: Config.SuccessStatus 99"},
	}
	for _, tt := range tests {
		_, err := httpgw.New(tt.cfg)
		assert.ErrorContains(t, err, tt.want, tt.name)
	}
}
