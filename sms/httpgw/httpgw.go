// Package httpgw sends SMS through any HTTP gateway, as an sms.Sender:
// the request is described by a URL template and an optional body
// template, and success by status codes and an optional body pattern.
// Kannel returns a ready Config for Kannel's smsbox sendsms interface.
//
//	gw, err := httpgw.New(httpgw.Config{
//		Name:          "acme",
//		URL:           "https://sms.acme.example/v1/messages",
//		Body:          `{"to": "{to}", "text": "{body}", "ref": "{reference}"}`,
//		BodyFormat:    httpgw.FormatJSON,
//		BearerToken:   token,
//		SuccessStatus: []int{200, 201},
//		MessageID:     `"id"\s*:\s*"([^"]+)"`,
//	})
//
//	gw, err := httpgw.New(httpgw.Kannel("http://kannel:13013", "user", "secret", "Acme"))
//
// # Escaping
//
// Placeholders ({to}, {body}, … see the Placeholder constants) are
// escaped for where they stand: as a path segment before the URL's "?",
// as a query component after it ("+" becomes %2B, UTF-8 is
// percent-encoded), and per Config.BodyFormat in the body (query
// escaping for forms, JSON string escaping, or none for text). A
// template's literal text is sent as written.
//
// # Errors and retries
//
// Failures are *sms.ProviderError naming Config.Name, with the status
// and the start of the gateway's answer (phone numbers masked, the
// message body and credentials removed). Generic gateways rarely
// deduplicate, so nothing is retried unless Config.MaxRetries is set;
// then 429, 5xx and transport errors are retried with backoff.
package httpgw

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/rosterkit/roster/sms"
	"github.com/rosterkit/roster/sms/internal/retry"
)

// Config configures New. URL is required; the templates together must
// carry {to} and {body}.
type Config struct {
	// Name names the gateway in errors and logs; empty means "httpgw".
	Name string
	// Method is the HTTP method; empty means GET without Body and POST
	// with one.
	Method string
	// URL is the request URL template, absolute http or https.
	URL string
	// Body is the request body template; empty means no body.
	Body string
	// BodyFormat says how Body's placeholders are escaped; empty means
	// FormatForm.
	BodyFormat Format
	// ContentType overrides the Content-Type BodyFormat implies.
	ContentType string
	// Header is added to every request (API keys, Accept...).
	Header http.Header
	// From is the default sender for {from}; Message.From overrides it.
	From string
	// Username and Password fill {username} and {password}; when no
	// template uses them, they are sent as HTTP basic auth (if Username
	// is set).
	Username, Password string
	// BearerToken, when set, is sent as "Authorization: Bearer …".
	BearerToken string
	// SuccessStatus lists the statuses meaning "accepted"; empty means
	// any 2xx.
	SuccessStatus []int
	// SuccessBody, when set, is a regular expression the answer must
	// also match (Kannel answers "0: Accepted for delivery").
	SuccessBody string
	// RefusedBody, when set, is a regular expression marking an answer
	// as a refusal of the destination (the error then matches
	// sms.ErrRefused).
	RefusedBody string
	// MessageID, when set, is a regular expression finding the message
	// id in a successful answer: its first group, or the whole match.
	MessageID string
	// HTTPClient sends the requests; nil means a client with a 15 s
	// timeout.
	HTTPClient *http.Client
	// MaxRetries is how many times 429, 5xx and transport errors are
	// retried; 0 or negative means never (the default: most gateways
	// cannot tell a retry from a new message).
	MaxRetries int
	// MinBackoff, MaxBackoff and MaxRetryAfter tune the retries as in
	// package twilio (defaults 500ms, 10s, 30s).
	MinBackoff, MaxBackoff, MaxRetryAfter time.Duration
	// Sleep waits between retries and must honour ctx; nil means a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock (for Retry-After dates); nil means time.Now.
	Now func() time.Time
	// Logger receives a debug line per retry; nil discards them.
	Logger *slog.Logger
}

// Kannel returns the Config of Kannel's smsbox sendsms interface at
// baseURL (the smsbox's sendsms-port, e.g. "http://kannel:13013"): a GET
// of /cgi-bin/sendsms with username, password, to, text, from (when from
// is set, or the message has one), charset=UTF-8 and coding=0 (GSM-7) or
// 2 (UCS-2), so that Kannel converts the UTF-8 text to the right
// alphabet. Kannel answers 202 "0: Accepted for delivery" or "3: Queued
// for later delivery"; white- and black-list denials count as refusals.
// Adjust the returned Config (add "&smsc=…" or "&dlr-mask=…" to URL) as
// needed.
func Kannel(baseURL, username, password, from string) Config {
	u := strings.TrimRight(baseURL, "/") + "/cgi-bin/sendsms?username={username}&password={password}" +
		"&to={to}&text={body}&charset=UTF-8&coding={coding}"
	if from != "" {
		u += "&from={from}"
	}
	return Config{
		Name:          "kannel",
		Method:        http.MethodGet,
		URL:           u,
		From:          from,
		Username:      username,
		Password:      password,
		SuccessStatus: []int{http.StatusOK, http.StatusAccepted},
		SuccessBody:   `^\s*(0: Accepted for delivery|3: Queued for later delivery|Sent\.)`,
		RefusedBody:   `(?i)denied by white|black-?list|invalid receiver`,
	}
}

// Sender sends SMS through an HTTP gateway. It is safe for concurrent
// use.
type Sender struct {
	name        string
	method      string
	url, body   tmpl
	contentType string
	header      http.Header
	from        string
	user, pass  string
	basic       bool
	bearer      string
	success     []int
	successBody *regexp.Regexp
	refusedBody *regexp.Regexp
	messageID   *regexp.Regexp
	secrets     []string
	client      *http.Client
	policy      retry.Policy
	now         func() time.Time
	log         *slog.Logger
}

var _ sms.Sender = (*Sender)(nil)

// New checks cfg and returns a Sender. Errors say what to fix.
func New(cfg Config) (*Sender, error) {
	s := &Sender{name: cfg.Name, method: cfg.Method, header: cfg.Header.Clone(), from: cfg.From,
		user: cfg.Username, pass: cfg.Password, bearer: cfg.BearerToken, success: slices.Clone(cfg.SuccessStatus),
		client: cfg.HTTPClient, now: cfg.Now, log: cfg.Logger,
		policy: retry.Policy{Retries: max(cfg.MaxRetries, 0), Min: cfg.MinBackoff, Max: cfg.MaxBackoff,
			MaxRetryAfter: cfg.MaxRetryAfter, Sleep: cfg.Sleep}}
	prefix := "httpgw: "
	if s.name == "" {
		s.name = "httpgw"
	} else {
		prefix += s.name + ": "
	}
	fail := func(format string, a ...any) (*Sender, error) {
		return nil, fmt.Errorf(prefix+format, a...)
	}
	var err error
	if cfg.URL == "" {
		return fail("missing Config.URL (the gateway's URL template)")
	}
	if s.url, err = compile(cfg.URL, urlEscaper(cfg.URL)); err != nil {
		return fail("Config.URL: %v", err)
	}
	sample := sms.Message{To: "+447400123456", Body: "x"}
	if u, err := url.Parse(s.url.render(values(sample, "x", "x", "x"))); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fail("Config.URL is not an absolute http or https URL")
	}
	esc, ctype, err := cfg.BodyFormat.escaper()
	if err != nil {
		return fail("Config.BodyFormat: %v", err)
	}
	if s.body, err = compile(cfg.Body, func(int) escaper { return esc }); err != nil {
		return fail("Config.Body: %v", err)
	}
	s.contentType = cfg.ContentType
	if s.contentType == "" && cfg.Body != "" {
		s.contentType = ctype
	}
	if s.method == "" {
		s.method = http.MethodGet
		if cfg.Body != "" {
			s.method = http.MethodPost
		}
	}
	if !validMethod(s.method) {
		return fail("Config.Method %q is not an HTTP method", s.method)
	}
	for _, ph := range [][]string{{"to", "to_digits"}, {"body"}} {
		if !slices.ContainsFunc(ph, func(p string) bool { return s.url.uses(p) || s.body.uses(p) }) {
			return fail("no {%s} in Config.URL or Config.Body", strings.Join(ph, "} or {"))
		}
	}
	inTemplates := s.url.uses("username") || s.url.uses("password") || s.body.uses("username") || s.body.uses("password")
	s.basic = cfg.Username != "" && !inTemplates
	if s.basic && s.bearer != "" {
		return fail("both basic auth (Config.Username) and Config.BearerToken set; choose one")
	}
	for _, st := range s.success {
		if st < 100 || st > 599 {
			return fail("Config.SuccessStatus %d is not an HTTP status", st)
		}
	}
	for _, re := range []struct {
		field string
		expr  string
		to    **regexp.Regexp
	}{{"SuccessBody", cfg.SuccessBody, &s.successBody}, {"RefusedBody", cfg.RefusedBody, &s.refusedBody}, {"MessageID", cfg.MessageID, &s.messageID}} {
		if re.expr == "" {
			continue
		}
		if *re.to, err = regexp.Compile(re.expr); err != nil {
			return fail("Config.%s: %v", re.field, err)
		}
	}
	for _, sec := range append([]string{cfg.Password, cfg.BearerToken}, headerSecrets(cfg.Header)...) {
		if len(sec) >= 4 {
			s.secrets = append(s.secrets, sec, url.QueryEscape(sec), url.PathEscape(sec))
		}
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: 15 * time.Second}
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for i := 0; i < len(m); i++ {
		if c := m[i]; !(c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// headerSecrets returns the values of headers that may hold a
// credential, to keep them out of errors.
func headerSecrets(h http.Header) []string {
	var out []string
	for k, vs := range h {
		switch strings.ToLower(k) {
		case "accept", "content-type", "user-agent", "accept-language":
			continue
		}
		out = append(out, vs...)
	}
	return out
}

// Send renders the request for m, sends it, and judges the answer.
func (s *Sender) Send(ctx context.Context, m sms.Message) (sms.Receipt, error) {
	if err := ctx.Err(); err != nil {
		return sms.Receipt{}, err
	}
	if m.To == "" || m.Body == "" {
		return sms.Receipt{}, fmt.Errorf("%w: missing destination or body", sms.ErrInvalidMessage)
	}
	vals := values(m, s.from, s.user, s.pass)
	target, body := s.url.render(vals), s.body.render(vals)
	for attempt := 0; ; attempt++ {
		rc, err := s.attempt(ctx, target, body, m)
		if err == nil {
			return rc, nil
		}
		var pe *sms.ProviderError
		if !errors.As(err, &pe) || !pe.Retryable {
			return sms.Receipt{}, err
		}
		wait, ok := s.policy.Backoff(attempt+1, pe.RetryAfter)
		if !ok {
			return sms.Receipt{}, err
		}
		s.log.LogAttrs(ctx, slog.LevelDebug, "sms gateway retry", slog.String("gateway", s.name),
			slog.Int("attempt", attempt+1), slog.Int("status", pe.Status), slog.Duration("wait", wait))
		if werr := s.policy.Wait(ctx, wait); werr != nil {
			return sms.Receipt{}, fmt.Errorf("%w; %w", err, werr)
		}
	}
}

func (s *Sender) attempt(ctx context.Context, target, body string, m sms.Message) (sms.Receipt, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, s.method, target, rd)
	if err != nil {
		// The URL may hold credentials: never show it.
		return sms.Receipt{}, fmt.Errorf("httpgw: %s: cannot build the request (check Config.URL)", s.name)
	}
	for k, vs := range s.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if s.contentType != "" {
		req.Header.Set("Content-Type", s.contentType)
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "roster-sms")
	}
	if s.basic {
		req.SetBasicAuth(s.user, s.pass)
	}
	if s.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+s.bearer)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return sms.Receipt{}, ctx.Err()
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // *url.Error prints the URL, which may hold credentials
		}
		return sms.Receipt{}, &sms.ProviderError{Provider: s.name, Err: errors.New(s.clean(err.Error(), m.Body)),
			Retryable: true}
	}
	defer resp.Body.Close()
	raw, rerr := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return s.judge(resp.StatusCode, resp.Header.Get("Retry-After"), raw, rerr, m)
}

// judge reads the gateway's answer.
func (s *Sender) judge(status int, retryAfter string, raw []byte, readErr error, m sms.Message) (sms.Receipt, error) {
	okStatus := status/100 == 2
	if len(s.success) > 0 {
		okStatus = slices.Contains(s.success, status)
	}
	okBody := s.successBody == nil || (readErr == nil && s.successBody.Match(raw))
	if okStatus && okBody {
		in := sms.Analyze(m.Body)
		rc := sms.Receipt{Segments: in.Segments, Encoding: in.Encoding}
		if s.messageID != nil {
			if sub := s.messageID.FindSubmatch(raw); sub != nil {
				id := sub[0]
				if len(sub) > 1 {
					id = sub[1]
				}
				rc.ID = clip(string(id), 128)
			}
		}
		return rc, nil
	}
	pe := &sms.ProviderError{Provider: s.name, Status: status, Message: s.clean(string(raw), m.Body),
		Retryable: !okStatus && retry.Retryable(status), RetryAfter: retry.After(retryAfter, s.now())}
	if pe.Message == "" {
		pe.Message = strings.ToLower(http.StatusText(status))
	}
	if okStatus {
		pe.Message = "unexpected answer: " + pe.Message
	}
	if s.refusedBody != nil && s.refusedBody.Match(raw) {
		pe.Refused, pe.Retryable = true, false
	}
	return sms.Receipt{}, pe
}

// clean makes gateway text fit for an error: the message body and
// credentials removed, control characters turned to spaces, numbers
// masked, at most 200 bytes.
func (s *Sender) clean(text, body string) string {
	if len(text) > 4096 {
		text = text[:4096]
	}
	if len(body) >= 4 {
		text = strings.ReplaceAll(text, body, "[body]")
		text = strings.ReplaceAll(text, url.QueryEscape(body), "[body]")
	}
	for _, sec := range s.secrets {
		text = strings.ReplaceAll(text, sec, "[redacted]")
	}
	text = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, text)
	return sms.Redact(strings.Join(strings.Fields(text), " "), 200)
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
