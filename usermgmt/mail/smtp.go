package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	netmail "net/mail"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// TLSMode says how the SMTP mailer protects the connection.
type TLSMode int

const (
	// TLSStartTLS connects in clear text and upgrades with STARTTLS; a
	// server that does not offer STARTTLS is refused before anything is
	// sent. It is the default (the zero value); default port 587.
	TLSStartTLS TLSMode = iota
	// TLSImplicit speaks TLS from the first byte ("SMTPS"); default
	// port 465.
	TLSImplicit
	// TLSOpportunistic upgrades with STARTTLS when the server offers it
	// and goes on in clear text otherwise. A network attacker can strip
	// the offer; use it only for relays on a trusted network. Default
	// port 587.
	TLSOpportunistic
	// TLSNone never encrypts. It is meant for a development mail catcher
	// on the loopback interface (MailHog, Mailpit, smtp4dev): mail, and
	// any password sent with AUTH CRAM-MD5 or SCRAM, cross the network
	// readable. PLAIN and LOGIN credentials are refused over it unless
	// Host is a loopback address or "localhost". Default port 25.
	TLSNone
)

// String names the mode as in configuration files.
func (m TLSMode) String() string {
	switch m {
	case TLSStartTLS:
		return "starttls"
	case TLSImplicit:
		return "implicit"
	case TLSOpportunistic:
		return "opportunistic"
	case TLSNone:
		return "none"
	}
	return "TLSMode(" + strconv.Itoa(int(m)) + ")"
}

// ParseTLSMode reads a mode written as String writes it ("starttls",
// "implicit", "opportunistic", "none"; case-insensitive). "tls" and
// "smtps" also mean TLSImplicit.
func ParseTLSMode(s string) (TLSMode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "starttls":
		return TLSStartTLS, nil
	case "implicit", "tls", "smtps":
		return TLSImplicit, nil
	case "opportunistic":
		return TLSOpportunistic, nil
	case "none":
		return TLSNone, nil
	}
	return 0, fmt.Errorf("mail: unknown tls mode %q (want starttls, implicit, opportunistic or none)", sanitize(s))
}

// ErrTimeout matches (with errors.Is) an SMTP send that ran past
// SMTPConfig.Timeout or hit a network deadline. It also matches
// context.DeadlineExceeded.
var ErrTimeout error = timeoutError{}

type timeoutError struct{}

func (timeoutError) Error() string        { return "timeout" }
func (timeoutError) Timeout() bool        { return true }
func (timeoutError) Temporary() bool      { return true }
func (timeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// ErrAuth matches (with errors.Is) a send the SMTP server refused to
// authenticate, or that could not authenticate safely (no mechanism in
// common, credentials that would cross an unencrypted connection).
var ErrAuth = errors.New("authentication failed")

// SMTPConfig configures NewSMTP. Its zero value is not usable: Host is
// required. Every other field has a documented default.
type SMTPConfig struct {
	// Host is the SMTP server's name or IP address (required). It is
	// also the name the server's certificate must carry, unless
	// TLSConfig.ServerName says otherwise.
	Host string
	// Port defaults to 587 (TLSStartTLS, TLSOpportunistic), 465
	// (TLSImplicit) or 25 (TLSNone).
	Port int
	// Username and Password turn on SMTP AUTH when Username is set.
	// The password never appears in an error, a log or String.
	Username string
	Password string
	// Auth chooses the SASL mechanism; AuthAuto (empty) picks the
	// strongest one the server offers.
	Auth AuthMechanism
	// TLS is the transport security; the zero value is TLSStartTLS.
	TLS TLSMode
	// TLSConfig overrides the TLS settings, e.g. RootCAs for a private
	// CA. It is cloned; an empty ServerName becomes Host and a zero
	// MinVersion becomes TLS 1.2.
	TLSConfig *tls.Config
	// Timeout bounds one whole Send: connecting, TLS, AUTH, the
	// transfer and QUIT. Zero means 30 seconds.
	Timeout time.Duration
	// From is the default sender, used when Message.From is empty.
	From string
	// HELO is the name announced in EHLO; empty means the machine's
	// host name.
	HELO string
	// Now returns the time for the Date header; nil means time.Now.
	Now func() time.Time
}

// DefaultTimeout is the SMTP mailer's Timeout when the config leaves it
// zero.
const DefaultTimeout = 30 * time.Second

// String describes the configuration without the password, e.g.
// "smtp://mailer@smtp.example.com:587 (starttls)", so that a config can
// be logged or printed with %v safely.
func (c SMTPConfig) String() string {
	var b strings.Builder
	b.WriteString("smtp://")
	if c.Username != "" {
		b.WriteString(c.Username)
		if c.Password != "" {
			b.WriteString(":[redacted]")
		}
		b.WriteByte('@')
	}
	b.WriteString(net.JoinHostPort(c.Host, strconv.Itoa(c.port())))
	b.WriteString(" (" + c.TLS.String() + ")")
	return b.String()
}

// GoString is String, so that %#v does not print the password either.
func (c SMTPConfig) GoString() string { return "mail.SMTPConfig(" + c.String() + ")" }

// LogValue is String, for log/slog.
func (c SMTPConfig) LogValue() slog.Value { return slog.StringValue(c.String()) }

func (c SMTPConfig) port() int {
	if c.Port != 0 {
		return c.Port
	}
	switch c.TLS {
	case TLSImplicit:
		return 465
	case TLSNone:
		return 25
	}
	return 587
}

// SMTP is a Mailer that delivers through an SMTP server (a submission
// service such as Postfix, Amazon SES, Mailgun, Postmark or Gmail's
// smtp-relay). Messages are built and sent with github.com/wneessen/go-mail:
// multipart/alternative when both bodies are set, UTF-8 bodies in
// quoted-printable, RFC 2047 encoded headers, a Date and a random
// Message-ID.
//
// Each Send dials, sends one message and quits: there is no pool and no
// state between calls, which keeps failures independent and suits the
// volume roster sends (welcome, reset and invitation mails). An SMTP is
// safe for concurrent use.
type SMTP struct {
	host      string
	addr      string
	helo      string
	user      string
	pass      string
	mech      AuthMechanism
	mode      TLSMode
	tlsConfig *tls.Config
	timeout   time.Duration
	from      string
	now       func() time.Time
	secrets   []string
}

// NewSMTP checks cfg and returns a mailer. It does not connect: the
// first Send does. Errors say what to fix and never contain the
// password.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	var p []string
	host := strings.TrimSpace(cfg.Host)
	switch {
	case host == "":
		p = append(p, `missing host (set SMTPConfig.Host, e.g. "smtp.example.com")`)
	case strings.ContainsAny(host, " /:@\r\n\t") && net.ParseIP(host) == nil:
		p = append(p, "host: use a bare host name or ip address, without scheme, port or user")
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		p = append(p, "port: must be between 1 and 65535 (0 picks the mode's default)")
	}
	if cfg.TLS < TLSStartTLS || cfg.TLS > TLSNone {
		p = append(p, "tls: unknown mode (use TLSStartTLS, TLSImplicit, TLSOpportunistic or TLSNone)")
	}
	if cfg.Timeout < 0 {
		p = append(p, "timeout: must not be negative (0 means 30s)")
	}
	if cfg.Username == "" && cfg.Password != "" {
		p = append(p, "username: required when a password is set")
	}
	if cfg.Username != "" && cfg.Password == "" {
		p = append(p, "password: required when a username is set")
	}
	if hasControl(cfg.Username) || hasControl(cfg.Password) {
		p = append(p, "username and password: must not contain control characters")
	}
	if cfg.Username == "" && cfg.Auth != AuthAuto {
		p = append(p, "auth: a mechanism needs a username and password")
	}
	if !cfg.Auth.valid() {
		p = append(p, "auth: unknown mechanism (use AuthAuto, AuthPlain, AuthLogin, AuthCRAMMD5, AuthSCRAMSHA1, AuthSCRAMSHA256 or AuthXOAUTH2)")
	}
	if cfg.From != "" {
		if _, err := netmail.ParseAddress(cfg.From); err != nil || hasControl(cfg.From) {
			p = append(p, "from: not a valid address")
		}
	}
	if cfg.HELO != "" && (strings.ContainsFunc(cfg.HELO, func(r rune) bool { return r <= ' ' || r > '~' })) {
		p = append(p, "helo: use a host name without spaces or control characters")
	}
	if len(p) > 0 {
		return nil, errors.New("mail: smtp config: " + strings.Join(p, "; "))
	}

	var tc *tls.Config
	if cfg.TLSConfig != nil {
		tc = cfg.TLSConfig.Clone()
	} else {
		tc = &tls.Config{}
	}
	if tc.ServerName == "" {
		tc.ServerName = host
	}
	if tc.MinVersion == 0 {
		tc.MinVersion = tls.VersionTLS12
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	s := &SMTP{
		host:      host,
		addr:      net.JoinHostPort(host, strconv.Itoa(cfg.port())),
		helo:      cfg.HELO,
		user:      cfg.Username,
		pass:      cfg.Password,
		mech:      cfg.Auth,
		mode:      cfg.TLS,
		tlsConfig: tc,
		timeout:   timeout,
		from:      cfg.From,
		now:       now,
	}
	if cfg.Password != "" {
		s.secrets = secretForms(cfg.Username, cfg.Password)
	}
	return s, nil
}

// String describes the mailer without its password.
func (s *SMTP) String() string {
	if s == nil {
		return "smtp://<nil>"
	}
	user := ""
	if s.user != "" {
		user = s.user + ":[redacted]@"
	}
	return "smtp://" + user + s.addr + " (" + s.mode.String() + ")"
}

// Send validates msg, connects, authenticates when configured, sends the
// message and quits, all within SMTPConfig.Timeout and ctx.
//
// Errors start with "mail: smtp:" and the step that failed (connect,
// auth, send). They match ErrInvalidMessage for a message Validate
// refuses or that has no sender, ErrAuth for an authentication failure,
// ErrTimeout when the timeout ran out, and ctx's error when ctx ended.
// IsTemporary tells whether a retry may succeed. Once the server has
// accepted the message, a failing QUIT is ignored: the mail is on its
// way and reporting an error would invite a duplicate.
func (s *SMTP) Send(ctx context.Context, msg Message) error {
	if s == nil {
		return errors.New("mail: smtp: nil mailer (use mail.NewSMTP)")
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mail: smtp: %w", err)
	}
	m, err := s.build(msg)
	if err != nil {
		return err
	}

	ctx, cancel := context.WithTimeoutCause(ctx, s.timeout, ErrTimeout)
	defer cancel()
	sess := &session{ctx: ctx}
	defer sess.close()

	opts := []gomail.Option{
		gomail.WithPort(portOf(s.addr)),
		// go-mail's per-step deadline is set past ctx's, so that the
		// whole-send timeout (which closes the connection) always fires
		// first and is reported as ErrTimeout.
		gomail.WithTimeout(s.timeout + time.Second),
		gomail.WithTLSConfig(s.tlsConfig),
		gomail.WithTLSPolicy(s.policy()),
		gomail.WithDialContextFunc(s.dialer(sess)),
		gomail.WithoutNoop(),
		gomail.WithoutRset(),
	}
	if s.helo != "" {
		opts = append(opts, gomail.WithHELO(s.helo))
	}
	if s.user != "" {
		opts = append(opts, gomail.WithSMTPAuthCustom(&authSelector{
			mech: s.mech, user: s.user, pass: s.pass, started: &sess.authStarted,
		}))
	}
	client, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return s.fail("connect", sess, err)
	}
	conn, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		op := "connect"
		if sess.authStarted.Load() {
			op = "auth"
		}
		return s.fail(op, sess, err)
	}
	if err := client.SendWithSMTPClient(conn, m); err != nil {
		return s.fail("send", sess, err)
	}
	_ = client.CloseWithSMTPClient(conn)
	return nil
}

func (s *SMTP) policy() gomail.TLSPolicy {
	switch s.mode {
	case TLSStartTLS:
		return gomail.TLSMandatory
	case TLSOpportunistic:
		return gomail.TLSOpportunistic
	}
	// TLSImplicit: the dialer already speaks TLS; TLSNone: no TLS.
	return gomail.NoTLS
}

// build validates msg and turns it into a go-mail message.
func (s *SMTP) build(msg Message) (*gomail.Msg, error) {
	if err := msg.Validate(); err != nil {
		return nil, fmt.Errorf("mail: smtp: %w", err)
	}
	from := msg.From
	if from == "" {
		from = s.from
	}
	if from == "" {
		return nil, fmt.Errorf("mail: smtp: no sender (set Message.From or SMTPConfig.From): %w", ErrInvalidMessage)
	}
	m := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP), gomail.WithNoDefaultUserAgent())
	if err := m.From(from); err != nil {
		return nil, fmt.Errorf("mail: smtp: from: not a valid address: %w", ErrInvalidMessage)
	}
	if err := m.To(msg.To...); err != nil {
		return nil, fmt.Errorf("mail: smtp: to: not a valid address: %w", ErrInvalidMessage)
	}
	if msg.ReplyTo != "" {
		if err := m.ReplyTo(msg.ReplyTo); err != nil {
			return nil, fmt.Errorf("mail: smtp: reply_to: not a valid address: %w", ErrInvalidMessage)
		}
	}
	m.Subject(msg.Subject)
	m.SetDateWithValue(s.now())
	m.SetMessageIDWithValue(rand.Text() + "@" + messageIDDomain(from, s.helo))
	for name, value := range msg.Headers {
		m.SetGenHeader(gomail.Header(textproto.CanonicalMIMEHeaderKey(name)), value)
	}
	switch {
	case msg.Text != "" && msg.HTML != "":
		m.SetBodyString(gomail.TypeTextPlain, msg.Text)
		m.AddAlternativeString(gomail.TypeTextHTML, msg.HTML)
	case msg.Text != "":
		m.SetBodyString(gomail.TypeTextPlain, msg.Text)
	default:
		m.SetBodyString(gomail.TypeTextHTML, msg.HTML)
	}
	return m, nil
}

// messageIDDomain picks the right-hand side of the Message-ID: the
// sender's domain, else the HELO name, else "localhost".
func messageIDDomain(from, helo string) string {
	if a, err := netmail.ParseAddress(from); err == nil {
		if i := strings.LastIndexByte(a.Address, '@'); i >= 0 && isDotAtom(a.Address[i+1:]) {
			return strings.ToLower(a.Address[i+1:])
		}
	}
	if isDotAtom(helo) {
		return strings.ToLower(helo)
	}
	return "localhost"
}

func isDotAtom(s string) bool {
	if s == "" || len(s) > 253 || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

func portOf(addr string) int {
	_, p, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(p)
	return n
}

// session is the state of one Send: the connection, so that ctx can
// close it whatever go-mail is blocked on, and how far the dialog got.
type session struct {
	ctx         context.Context
	authStarted atomic.Bool

	mu   sync.Mutex
	conn net.Conn
	stop func() bool
}

func (s *session) attach(conn net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conn = conn
	s.stop = context.AfterFunc(s.ctx, func() { _ = conn.Close() })
}

func (s *session) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		s.stop()
	}
	if s.conn != nil {
		_ = s.conn.Close()
	}
}

// dialer connects to the server for one session, speaking TLS at once
// in TLSImplicit mode. go-mail's own dialer honours ctx only while
// connecting; this one ties the connection's life to ctx.
func (s *SMTP) dialer(sess *session) gomail.DialContextFunc {
	return func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		raw, err := d.DialContext(ctx, "tcp", s.addr)
		if err != nil {
			return nil, err
		}
		sess.attach(raw)
		if s.mode != TLSImplicit {
			return raw, nil
		}
		conn := tls.Client(raw, s.tlsConfig)
		if err := conn.HandshakeContext(ctx); err != nil {
			_ = raw.Close()
			return nil, fmt.Errorf("tls handshake: %w", err)
		}
		return conn, nil
	}
}

// fail turns what go-mail returned into roster's error: the step, a
// sentinel to match, and text that never holds the password.
func (s *SMTP) fail(op string, sess *session, err error) error {
	var kind error
	switch cause := context.Cause(sess.ctx); {
	case cause != nil && errors.Is(cause, ErrTimeout):
		kind = ErrTimeout
	case cause != nil:
		kind = sess.ctx.Err()
	case isTimeout(err):
		kind = ErrTimeout
	case op == "auth" && isAuthFailure(err):
		kind = ErrAuth
	}
	e := newOpError(op, kind, err, s.secrets)
	if kind == ErrAuth {
		e.text = strings.TrimPrefix(e.text, "SMTP AUTH failed: ") // go-mail's wording of the same fact
	}
	return e
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// isAuthFailure reports whether err is the server's answer to AUTH or
// the selector's refusal, as opposed to a broken connection.
func isAuthFailure(err error) bool {
	var te *textproto.Error
	var ae *authError
	return errors.As(err, &te) || errors.As(err, &ae)
}

// opError is what Send returns for a failure past validation.
type opError struct {
	op   string
	kind error  // ErrAuth, ErrTimeout, a context error, or nil
	err  error  // go-mail's error; nil when its text revealed a secret
	text string // go-mail's error text, secrets removed
}

func newOpError(op string, kind, err error, secrets []string) *opError {
	text := err.Error()
	clean := redact(text, secrets)
	e := &opError{op: op, kind: kind, err: err, text: clean}
	if clean != text {
		e.err = nil
	}
	return e
}

// Error reads like "mail: smtp: auth: authentication failed: 535 5.7.8 ...".
func (e *opError) Error() string {
	var b strings.Builder
	b.WriteString("mail: smtp: " + e.op + ": ")
	if e.kind != nil && !strings.Contains(e.text, e.kind.Error()) {
		b.WriteString(e.kind.Error() + ": ")
	}
	b.WriteString(e.text)
	return b.String()
}

// Unwrap exposes the sentinel and, when its text is clean, the
// underlying error.
func (e *opError) Unwrap() []error {
	out := make([]error, 0, 2)
	if e.kind != nil {
		out = append(out, e.kind)
	}
	if e.err != nil {
		out = append(out, e.err)
	}
	return out
}

// secretForms lists what a password may look like in a server reply or
// a library error: the password itself and the base64 of the PLAIN and
// LOGIN exchanges.
func secretForms(user, pass string) []string {
	enc := base64.StdEncoding.EncodeToString
	return []string{
		pass,
		enc([]byte(pass)),
		enc([]byte("\x00" + user + "\x00" + pass)),
	}
}

func redact(text string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" {
			text = strings.ReplaceAll(text, sec, "[redacted]")
		}
	}
	return text
}

// IsTemporary reports whether err is a failure a later retry may cure:
// a 4xx SMTP reply, a timeout, or a network error such as a refused or
// broken connection. It is false for an invalid message, a refused
// login (5xx), a permanent refusal of the sender or a recipient, and a
// cancelled context.
func IsTemporary(err error) bool {
	if err == nil || errors.Is(err, ErrInvalidMessage) || errors.Is(err, context.Canceled) {
		return false
	}
	if errors.Is(err, ErrTimeout) {
		return true
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		return se.IsTemp()
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code >= 400 && te.Code < 500
	}
	var ae *authError
	if errors.As(err, &ae) {
		return false
	}
	var ne net.Error
	return errors.As(err, &ne)
}
