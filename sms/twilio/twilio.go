// Package twilio sends SMS through Twilio's Programmable Messaging REST
// API (POST /2010-04-01/Accounts/{AccountSid}/Messages.json) over
// net/http, as an sms.Sender.
//
//	gw, err := twilio.New(twilio.Config{
//		AccountSID: os.Getenv("TWILIO_ACCOUNT_SID"),
//		AuthToken:  os.Getenv("TWILIO_AUTH_TOKEN"),
//		From:       "+15005550006", // or MessagingServiceSID: "MG…"
//	})
//
// # Retries and idempotency
//
// A 429 or a 5xx answer, or a transport error, is retried with
// exponential backoff and jitter (Config.MaxRetries times, default 3),
// waiting what Retry-After asks when it asks for at most
// Config.MaxRetryAfter. Other 4xx answers are final. Every attempt of
// one Send carries the same I-Twilio-Idempotency-Token header: the
// message's Reference, or a random token when it has none, so that a
// retry after a lost answer can be recognised as the same request.
// Because a 5xx or a lost answer may still mean Twilio accepted the
// message, hosts that cannot stand a rare duplicate set MaxRetries to a
// negative value.
//
// # Errors
//
// Failures are *sms.ProviderError with Twilio's HTTP status, error code
// (21211...), message (phone numbers masked) and more_info link.
// Destination errors (invalid, unsubscribed, unreachable, landline,
// region not enabled) have Refused set and match sms.ErrRefused; a 429
// left after the retries matches sms.ErrRateLimited. No error holds the
// auth token.
package twilio

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rosterkit/roster/sms"
	"github.com/rosterkit/roster/sms/internal/retry"
)

// DefaultBaseURL is Twilio's REST API.
const DefaultBaseURL = "https://api.twilio.com"

// IdempotencyHeader carries the idempotency token on every attempt.
const IdempotencyHeader = "I-Twilio-Idempotency-Token"

// Config configures New. AccountSID, a credential (AuthToken, or
// APIKeySID and APIKeySecret) and a sender (From or MessagingServiceSID)
// are required.
type Config struct {
	// AccountSID is the account ("AC" and 32 hex digits).
	AccountSID string
	// AuthToken is the account's auth token, used with basic auth
	// unless an API key is given.
	AuthToken string
	// APIKeySID ("SK…") authenticates, with APIKeySecret, instead of
	// the auth token when both are set (Twilio's recommended practice).
	APIKeySID string
	// APIKeySecret is the API key's secret.
	APIKeySecret string
	// From is the default sender: a Twilio number in E.164 form, a
	// short code, or an alphanumeric sender id. Message.From overrides it.
	From string
	// MessagingServiceSID ("MG…"), when set, is sent as
	// MessagingServiceSid so that Twilio picks the sender from the
	// service's pool (From, if set, then picks within it).
	MessagingServiceSID string
	// StatusCallback, when set, is the URL Twilio calls with delivery
	// status updates.
	StatusCallback string
	// BaseURL is the API's root; empty means DefaultBaseURL. Tests point
	// it at an httptest server.
	BaseURL string
	// HTTPClient sends the requests; nil means a client with a 15 s
	// timeout.
	HTTPClient *http.Client
	// MaxRetries is how many times a retryable failure is retried; 0
	// means 3, a negative value means never.
	MaxRetries int
	// MinBackoff is the first retry's backoff (0 means 500ms) and
	// MaxBackoff caps any backoff (0 means 10s).
	MinBackoff, MaxBackoff time.Duration
	// MaxRetryAfter is the longest Retry-After waited for; a longer one
	// ends the retries. 0 means 30s.
	MaxRetryAfter time.Duration
	// Sleep waits between attempts and must return early with ctx's
	// error when ctx ends; nil means a timer. Tests record instead.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock (for Retry-After dates); nil means time.Now.
	Now func() time.Time
	// Logger receives a debug line per retry (status, code, wait; never
	// a number or body); nil discards them.
	Logger *slog.Logger
}

// Sender sends SMS through Twilio. It is safe for concurrent use.
type Sender struct {
	endpoint   string
	user, pass string
	from, mgsv string
	callback   string
	client     *http.Client
	policy     retry.Policy
	now        func() time.Time
	log        *slog.Logger
}

var _ sms.Sender = (*Sender)(nil)

// New checks cfg and returns a Sender.
func New(cfg Config) (*Sender, error) {
	var problems []string
	if !validSID(cfg.AccountSID, "AC") {
		problems = append(problems, "AccountSID (\"AC\" and 32 hex digits, from the Twilio console)")
	}
	user, pass := cfg.AccountSID, cfg.AuthToken
	switch {
	case cfg.APIKeySID != "" || cfg.APIKeySecret != "":
		if !validSID(cfg.APIKeySID, "SK") || cfg.APIKeySecret == "" {
			problems = append(problems, "APIKeySID and APIKeySecret (an \"SK…\" key and its secret, both)")
		}
		user, pass = cfg.APIKeySID, cfg.APIKeySecret
	case cfg.AuthToken == "":
		problems = append(problems, "AuthToken (or APIKeySID and APIKeySecret)")
	}
	if cfg.From == "" && cfg.MessagingServiceSID == "" {
		problems = append(problems, "From or MessagingServiceSID (the sender)")
	}
	if cfg.MessagingServiceSID != "" && !validSID(cfg.MessagingServiceSID, "MG") {
		problems = append(problems, "MessagingServiceSID (\"MG\" and 32 hex digits)")
	}
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		problems = append(problems, "BaseURL (an absolute http or https URL)")
	}
	if len(problems) > 0 {
		return nil, errors.New("twilio: missing or bad Config." + strings.Join(problems, "; Config."))
	}
	s := &Sender{
		endpoint: strings.TrimRight(base, "/") + "/2010-04-01/Accounts/" + cfg.AccountSID + "/Messages.json",
		user:     user, pass: pass, from: cfg.From, mgsv: cfg.MessagingServiceSID, callback: cfg.StatusCallback,
		client: cfg.HTTPClient, now: cfg.Now, log: cfg.Logger,
		policy: retry.Policy{Retries: cfg.MaxRetries, Min: cfg.MinBackoff, Max: cfg.MaxBackoff,
			MaxRetryAfter: cfg.MaxRetryAfter, Sleep: cfg.Sleep},
	}
	switch {
	case s.policy.Retries == 0:
		s.policy.Retries = 3
	case s.policy.Retries < 0:
		s.policy.Retries = 0
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

// validSID reports whether sid is prefix and 32 alphanumerics (Twilio's
// test credentials and docs use placeholder letters, so not only hex).
func validSID(sid, prefix string) bool {
	if len(sid) != 34 || !strings.HasPrefix(sid, prefix) {
		return false
	}
	for i := 2; i < len(sid); i++ {
		c := sid[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// message is the part of Twilio's Message resource the Sender reads.
type message struct {
	SID         string          `json:"sid"`
	Status      string          `json:"status"`
	NumSegments json.RawMessage `json:"num_segments"` // a string ("1") in the API, a number in some mocks
}

// apiError is Twilio's error body.
type apiError struct {
	Code     json.RawMessage `json:"code"` // a number, sometimes a string
	Message  string          `json:"message"`
	MoreInfo string          `json:"more_info"`
	Status   int             `json:"status"`
}

// refused reports whether a Twilio error code is about the destination
// itself, so that neither retrying nor resending will help.
func refused(code string) bool {
	switch code {
	case "21211", // invalid 'To' phone number
		"21214", // 'To' phone number cannot be reached
		"21217", // phone number does not appear to be valid
		"21265", // 'To' number cannot be a short code
		"21407", // this phone number type does not support SMS
		"21408", // permission to send an SMS has not been enabled for the region
		"21610", // attempt to send to unsubscribed recipient
		"21612", // the 'To' phone number is not currently reachable
		"21614": // 'To' number is not a valid mobile number
		return true
	}
	return false
}

// Send posts m to Twilio, retrying as the package documentation says.
func (s *Sender) Send(ctx context.Context, m sms.Message) (sms.Receipt, error) {
	if err := ctx.Err(); err != nil {
		return sms.Receipt{}, err
	}
	if m.To == "" || m.Body == "" {
		return sms.Receipt{}, fmt.Errorf("%w: missing destination or body", sms.ErrInvalidMessage)
	}
	form := url.Values{"To": {m.To}, "Body": {m.Body}}
	if from := first(m.From, s.from); from != "" {
		form.Set("From", from)
	}
	if s.mgsv != "" {
		form.Set("MessagingServiceSid", s.mgsv)
	}
	if s.callback != "" {
		form.Set("StatusCallback", s.callback)
	}
	body := form.Encode()
	token := m.Reference
	if token == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return sms.Receipt{}, fmt.Errorf("twilio: idempotency token: %w", err)
		}
		token = hex.EncodeToString(b[:])
	}
	for attempt := 0; ; attempt++ {
		rc, err := s.attempt(ctx, body, token, m.Body)
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
		s.log.LogAttrs(ctx, slog.LevelDebug, "twilio retry", slog.Int("attempt", attempt+1),
			slog.Int("status", pe.Status), slog.String("code", pe.Code), slog.Duration("wait", wait))
		if werr := s.policy.Wait(ctx, wait); werr != nil {
			return sms.Receipt{}, fmt.Errorf("%w; %w", err, werr)
		}
	}
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// attempt makes one request. Failures are *sms.ProviderError, except
// the context's own error.
func (s *Sender) attempt(ctx context.Context, body, token, text string) (sms.Receipt, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint, strings.NewReader(body))
	if err != nil {
		return sms.Receipt{}, fmt.Errorf("twilio: request: %w", err)
	}
	req.SetBasicAuth(s.user, s.pass)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "roster-sms")
	req.Header.Set(IdempotencyHeader, token)
	resp, err := s.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return sms.Receipt{}, ctx.Err()
		}
		// The *url.Error names the URL; keep only its cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return sms.Receipt{}, &sms.ProviderError{Provider: "twilio", Err: err, Retryable: true}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil && resp.StatusCode/100 != 2 {
		return sms.Receipt{}, &sms.ProviderError{Provider: "twilio", Status: resp.StatusCode, Err: err,
			Retryable: retry.Retryable(resp.StatusCode)}
	}
	return parse(resp.StatusCode, resp.Header.Get("Retry-After"), raw, text, s.now())
}

// parse reads Twilio's answer: a 2xx with the Message resource, or an
// error body.
func parse(status int, retryAfter string, raw []byte, text string, now time.Time) (sms.Receipt, error) {
	if status/100 == 2 {
		// Twilio took the message: never retry from here, even if the
		// body is unreadable, lest it go out twice.
		in := sms.Analyze(text)
		rc := sms.Receipt{Segments: in.Segments, Encoding: in.Encoding}
		var msg message
		if json.Unmarshal(raw, &msg) == nil {
			rc.ID, rc.Status = clip(msg.SID, 64), clip(msg.Status, 32)
			if n := segments(msg.NumSegments); n > 0 {
				rc.Segments = n
			}
		}
		return rc, nil
	}
	pe := &sms.ProviderError{Provider: "twilio", Status: status,
		Retryable: retry.Retryable(status), RetryAfter: retry.After(retryAfter, now)}
	var ae apiError
	if json.Unmarshal(raw, &ae) == nil {
		if code := strings.Trim(string(ae.Code), `"`); code != "null" && len(code) <= 10 {
			pe.Code = code
		}
		pe.Message = sms.Redact(ae.Message, 300)
		pe.MoreInfo = sms.Redact(ae.MoreInfo, 200)
	}
	if pe.Message == "" {
		pe.Message = strings.ToLower(http.StatusText(status))
	}
	if pe.Refused = refused(pe.Code); pe.Refused {
		pe.Retryable = false
	}
	return sms.Receipt{}, pe
}

// segments reads num_segments, a string or a number.
func segments(raw json.RawMessage) int {
	n, err := strconv.Atoi(strings.Trim(string(raw), `"`))
	if err != nil || n < 0 || n > 1000 {
		return 0
	}
	return n
}

// clip bounds a string from the wire.
func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
