package mail_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt/mail"
)

// ---- an in-process SMTP server on the loopback interface ----

// received is one message as the test server got it.
type received struct {
	From string
	To   []string
	Data []byte
	User string // the authenticated user, "" without AUTH
	TLS  bool   // whether the session was encrypted
}

type serverOptions struct {
	startTLS     bool   // offer STARTTLS
	implicit     bool   // speak TLS from the first byte
	user, pass   string // when set, AUTH PLAIN is offered and required
	insecureAuth bool   // offer AUTH without TLS
	echoPassword bool   // a refused AUTH answers with the password it got
	rcptReply    map[string]*gosmtp.SMTPError
	hangData     chan struct{} // when set, DATA waits until it is closed
}

type testServer struct {
	opts  serverOptions
	host  string
	port  int
	roots *x509.CertPool

	mu   sync.Mutex
	msgs []received
}

func (s *testServer) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.msgs...)
}

func (s *testServer) NewSession(c *gosmtp.Conn) (gosmtp.Session, error) {
	return &testSession{srv: s, conn: c}, nil
}

type testSession struct {
	srv  *testServer
	conn *gosmtp.Conn
	user string
	from string
	to   []string
}

func (s *testSession) AuthMechanisms() []string {
	if s.srv.opts.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *testSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username == s.srv.opts.user && password == s.srv.opts.pass {
			s.user = username
			return nil
		}
		if s.srv.opts.echoPassword {
			return &gosmtp.SMTPError{Code: 535, EnhancedCode: gosmtp.EnhancedCode{5, 7, 8}, Message: "bad password " + password}
		}
		return gosmtp.ErrAuthFailed
	}), nil
}

func (s *testSession) Mail(from string, _ *gosmtp.MailOptions) error {
	if s.srv.opts.user != "" && s.user == "" {
		return gosmtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *testSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if e, ok := s.srv.opts.rcptReply[to]; ok {
		return e
	}
	s.to = append(s.to, to)
	return nil
}

func (s *testSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.srv.opts.hangData != nil {
		<-s.srv.opts.hangData
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	s.srv.msgs = append(s.srv.msgs, received{From: s.from, To: s.to, Data: data, User: s.user, TLS: isTLS})
	return nil
}

func (s *testSession) Reset()        { s.from, s.to = "", nil }
func (s *testSession) Logout() error { return nil }

// startServer runs an SMTP server on 127.0.0.1 for the test's lifetime.
func startServer(t testing.TB, opts serverOptions) *testServer {
	t.Helper()
	cert, roots := selfSigned(t)
	ts := &testServer{opts: opts, roots: roots}
	srv := gosmtp.NewServer(ts)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = opts.insecureAuth
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	tlsConf := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if opts.startTLS {
		srv.TLSConfig = tlsConf
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	if opts.implicit {
		ln = tls.NewListener(ln, tlsConf)
	}
	host, port, err := net.SplitHostPort(ln.Addr().String())
	require.NoError(t, err)
	ts.host = host
	ts.port, err = strconv.Atoi(port)
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		if opts.hangData != nil {
			select {
			case <-opts.hangData:
			default:
				close(opts.hangData)
			}
		}
		_ = srv.Close()
	})
	return ts
}

// selfSigned makes a certificate for 127.0.0.1 and localhost, and the
// pool a client needs to trust it.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "roster test smtp"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// config returns a client config for ts: trusting its certificate,
// with a fixed clock.
func (s *testServer) config(mode mail.TLSMode) mail.SMTPConfig {
	return mail.SMTPConfig{
		Host:      s.host,
		Port:      s.port,
		TLS:       mode,
		TLSConfig: &tls.Config{RootCAs: s.roots},
		Timeout:   10 * time.Second,
		From:      "Roster <no-reply@example.com>",
		HELO:      "client.test",
		Now:       func() time.Time { return time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC) },
	}
}

func newSMTP(t testing.TB, cfg mail.SMTPConfig) *mail.SMTP {
	t.Helper()
	m, err := mail.NewSMTP(cfg)
	require.NoError(t, err)
	return m
}

// ---- reading a message back ----

type parsedPart struct {
	ContentType string
	Charset     string
	Body        string
}

type parsedMessage struct {
	Header    netmail.Header
	Subject   string
	MediaType string
	Parts     []parsedPart
}

func parseMessage(t *testing.T, data []byte) parsedMessage {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(data))
	require.NoError(t, err)
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(m.Header.Get("Subject"))
	require.NoError(t, err)
	out := parsedMessage{Header: m.Header, Subject: subject}
	mediaType, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	require.NoError(t, err)
	out.MediaType = mediaType
	if !strings.HasPrefix(mediaType, "multipart/") {
		body := decodeBody(t, m.Header.Get("Content-Transfer-Encoding"), m.Body)
		out.Parts = []parsedPart{{ContentType: mediaType, Charset: params["charset"], Body: body}}
		return out
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		ct, cp, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		require.NoError(t, err)
		body, err := io.ReadAll(p) // multipart decodes quoted-printable itself
		require.NoError(t, err)
		out.Parts = append(out.Parts, parsedPart{ContentType: ct, Charset: cp["charset"], Body: string(body)})
	}
	return out
}

func decodeBody(t *testing.T, cte string, r io.Reader) string {
	t.Helper()
	if strings.EqualFold(cte, "quoted-printable") {
		// Reuse multipart's decoder through a one-part wrapper.
		raw, err := io.ReadAll(r)
		require.NoError(t, err)
		wrapped := "--b\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + string(raw) + "\r\n--b--\r\n"
		p, err := multipart.NewReader(strings.NewReader(wrapped), "b").NextPart()
		require.NoError(t, err)
		body, err := io.ReadAll(p)
		require.NoError(t, err)
		return string(body)
	}
	b, err := io.ReadAll(r)
	require.NoError(t, err)
	return string(b)
}

func testMessage() mail.Message {
	return mail.Message{
		To:      []string{"Zoë Ångström <zoe@example.org>", "ops@example.org"},
		ReplyTo: "support@example.com",
		Subject: "Olá Zoë — 欢迎 ✓ your account",
		Text:    "Hello Zoë,\n\nChoose your password: https://x.test/activate?t=abc&u=1\n\nA long line " + strings.Repeat("é", 120) + "\n",
		HTML:    "<p>Hello Zoë,</p>\n<p><a href=\"https://x.test/activate?t=abc&amp;u=1\">Choose your password</a></p>\n",
		Headers: map[string]string{"X-Roster-Tag": "welcome", "List-Unsubscribe": "<mailto:unsub@example.com>"},
		Tag:     mail.Welcome,
	}
}

// ---- tests ----

func TestSMTPDelivery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		server   serverOptions
		mode     mail.TLSMode
		auth     bool
		wantTLS  bool
		wantUser string
	}{
		{name: "starttls", server: serverOptions{startTLS: true}, mode: mail.TLSStartTLS, wantTLS: true},
		{name: "starttls with auth", server: serverOptions{startTLS: true, user: "mailer", pass: "s3cret-pw"}, mode: mail.TLSStartTLS, auth: true, wantTLS: true, wantUser: "mailer"},
		{name: "implicit tls", server: serverOptions{implicit: true}, mode: mail.TLSImplicit, wantTLS: true},
		{name: "implicit tls with auth", server: serverOptions{implicit: true, user: "mailer", pass: "s3cret-pw"}, mode: mail.TLSImplicit, auth: true, wantTLS: true, wantUser: "mailer"},
		{name: "no tls", server: serverOptions{}, mode: mail.TLSNone},
		{name: "no tls with auth on loopback", server: serverOptions{user: "mailer", pass: "s3cret-pw", insecureAuth: true}, mode: mail.TLSNone, auth: true, wantUser: "mailer"},
		{name: "no tls ignores an offered starttls", server: serverOptions{startTLS: true}, mode: mail.TLSNone},
		{name: "opportunistic upgrades", server: serverOptions{startTLS: true}, mode: mail.TLSOpportunistic, wantTLS: true},
		{name: "opportunistic falls back to clear text", server: serverOptions{}, mode: mail.TLSOpportunistic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, tt.server)
			cfg := srv.config(tt.mode)
			if tt.auth {
				cfg.Username, cfg.Password = tt.server.user, tt.server.pass
			}
			m := newSMTP(t, cfg)
			msg := testMessage()
			require.NoError(t, m.Send(context.Background(), msg))

			got := srv.messages()
			require.Len(t, got, 1)
			r := got[0]
			assert.Equal(t, "no-reply@example.com", r.From)
			assert.Equal(t, []string{"zoe@example.org", "ops@example.org"}, r.To)
			assert.Equal(t, tt.wantTLS, r.TLS)
			assert.Equal(t, tt.wantUser, r.User)

			p := parseMessage(t, r.Data)
			from, err := p.Header.AddressList("From")
			require.NoError(t, err)
			assert.Equal(t, []*netmail.Address{{Name: "Roster", Address: "no-reply@example.com"}}, from)
			to, err := p.Header.AddressList("To")
			require.NoError(t, err)
			require.Len(t, to, 2)
			assert.Equal(t, "Zoë Ångström", to[0].Name, "display name decoded back")
			assert.Equal(t, "zoe@example.org", to[0].Address)
			replyTo, err := p.Header.AddressList("Reply-To")
			require.NoError(t, err)
			assert.Equal(t, "support@example.com", replyTo[0].Address)
			assert.Equal(t, msg.Subject, p.Subject, "non-ascii subject decoded back")
			assert.NotEqual(t, msg.Subject, p.Header.Get("Subject"), "subject is encoded on the wire")
			date, err := p.Header.Date()
			require.NoError(t, err)
			assert.True(t, date.Equal(time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)), "date from the injected clock: %v", date)
			assert.Regexp(t, `^<[A-Z2-7]{26}@example\.com>$`, p.Header.Get("Message-Id"))
			assert.Equal(t, "1.0", p.Header.Get("Mime-Version"))
			assert.Equal(t, "welcome", p.Header.Get("X-Roster-Tag"))
			assert.Equal(t, "<mailto:unsub@example.com>", p.Header.Get("List-Unsubscribe"))
			assert.Empty(t, p.Header.Get("User-Agent"), "no library banner")
			assert.Empty(t, p.Header.Get("Bcc"))

			assert.Equal(t, "multipart/alternative", p.MediaType)
			require.Len(t, p.Parts, 2)
			assert.Equal(t, parsedPart{ContentType: "text/plain", Charset: "UTF-8", Body: msg.Text}, normalise(p.Parts[0]))
			assert.Equal(t, parsedPart{ContentType: "text/html", Charset: "UTF-8", Body: msg.HTML}, normalise(p.Parts[1]))
			for _, line := range strings.Split(string(r.Data), "\r\n") {
				assert.LessOrEqual(t, len(line), 998, "line length limit")
			}
			assert.Regexp(t, `^[\x00-\x7f]*$`, string(r.Data), "the wire form is 7-bit")
		})
	}
}

// normalise turns the CRLF line ends of a received part back into LF.
func normalise(p parsedPart) parsedPart {
	p.Body = strings.ReplaceAll(p.Body, "\r\n", "\n")
	return p
}

func TestSMTPSinglePart(t *testing.T) {
	t.Parallel()
	srv := startServer(t, serverOptions{startTLS: true})
	m := newSMTP(t, srv.config(mail.TLSStartTLS))

	require.NoError(t, m.Send(context.Background(), mail.Message{
		From: "other@example.net", To: []string{"a@example.org"}, Subject: "plain", Text: "only text\n",
	}))
	require.NoError(t, m.Send(context.Background(), mail.Message{
		To: []string{"a@example.org"}, Subject: "html", HTML: "<p>only html</p>\n",
	}))
	got := srv.messages()
	require.Len(t, got, 2)

	assert.Equal(t, "other@example.net", got[0].From, "Message.From beats the default sender")
	p := parseMessage(t, got[0].Data)
	assert.Equal(t, "text/plain", p.MediaType)
	require.Len(t, p.Parts, 1)
	assert.Equal(t, "UTF-8", p.Parts[0].Charset)
	assert.Equal(t, "only text\n", strings.ReplaceAll(p.Parts[0].Body, "\r\n", "\n"))
	assert.Regexp(t, `@example\.net>$`, p.Header.Get("Message-Id"))

	p = parseMessage(t, got[1].Data)
	assert.Equal(t, "text/html", p.MediaType)
	assert.Equal(t, "<p>only html</p>\n", strings.ReplaceAll(p.Parts[0].Body, "\r\n", "\n"))
}

func TestSMTPWrongPassword(t *testing.T) {
	t.Parallel()
	for _, mode := range []mail.TLSMode{mail.TLSStartTLS, mail.TLSImplicit} {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, serverOptions{startTLS: mode == mail.TLSStartTLS, implicit: mode == mail.TLSImplicit, user: "mailer", pass: "right-password"})
			cfg := srv.config(mode)
			cfg.Username, cfg.Password = "mailer", "wrong-Pa55word"
			err := newSMTP(t, cfg).Send(context.Background(), testMessage())
			require.Error(t, err)
			assert.ErrorIs(t, err, mail.ErrAuth)
			assert.False(t, mail.IsTemporary(err))
			assert.True(t, strings.HasPrefix(err.Error(), "mail: smtp: auth: "), err.Error())
			assert.Contains(t, err.Error(), "535")
			assert.NotContains(t, err.Error(), "wrong-Pa55word")
			assert.Empty(t, srv.messages())
		})
	}
}

func TestSMTPPasswordNeverInError(t *testing.T) {
	t.Parallel()
	srv := startServer(t, serverOptions{startTLS: true, user: "mailer", pass: "right", echoPassword: true})
	cfg := srv.config(mail.TLSStartTLS)
	cfg.Username, cfg.Password = "mailer", "Tr0ub4dor&3"
	err := newSMTP(t, cfg).Send(context.Background(), testMessage())
	require.Error(t, err)
	assert.ErrorIs(t, err, mail.ErrAuth)
	assert.Contains(t, err.Error(), "bad password [redacted]", "the server echoed it; we removed it")
	assert.NotContains(t, err.Error(), "Tr0ub4dor&3")
	for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
		assert.NotContains(t, e.Error(), "Tr0ub4dor&3")
	}
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg), "Tr0ub4dor&3")
	assert.NotContains(t, newSMTP(t, cfg).String(), "Tr0ub4dor&3")
}

func TestSMTPServerWithoutAuth(t *testing.T) {
	t.Parallel()
	srv := startServer(t, serverOptions{startTLS: true})
	cfg := srv.config(mail.TLSStartTLS)
	cfg.Username, cfg.Password = "mailer", "pw"
	err := newSMTP(t, cfg).Send(context.Background(), testMessage())
	require.Error(t, err)
	assert.ErrorIs(t, err, mail.ErrAuth, "credentials configured but not usable: fail closed")
	assert.Contains(t, err.Error(), "server does not offer smtp auth")
	assert.Empty(t, srv.messages())
}

func TestSMTPStartTLSRequired(t *testing.T) {
	t.Parallel()
	srv := startServer(t, serverOptions{user: "mailer", pass: "pw", insecureAuth: true})
	cfg := srv.config(mail.TLSStartTLS)
	cfg.Username, cfg.Password = "mailer", "pw"
	err := newSMTP(t, cfg).Send(context.Background(), testMessage())
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "mail: smtp: connect: "), err.Error())
	assert.Contains(t, err.Error(), "STARTTLS")
	assert.Empty(t, srv.messages(), "nothing is sent in clear text")
}

func TestSMTPUntrustedCertificate(t *testing.T) {
	t.Parallel()
	for _, mode := range []mail.TLSMode{mail.TLSStartTLS, mail.TLSImplicit} {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, serverOptions{startTLS: mode == mail.TLSStartTLS, implicit: mode == mail.TLSImplicit})
			cfg := srv.config(mode)
			cfg.TLSConfig = nil // the system roots do not know the test CA
			err := newSMTP(t, cfg).Send(context.Background(), testMessage())
			require.Error(t, err)
			assert.Contains(t, err.Error(), "mail: smtp: connect: ")
			assert.Contains(t, err.Error(), "certificate")
			assert.False(t, mail.IsTemporary(err))
			assert.Empty(t, srv.messages())
		})
	}
}

// hangingListener accepts connections and never answers.
func hangingListener(t *testing.T) (host string, port int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	h, p, _ := net.SplitHostPort(ln.Addr().String())
	n, _ := strconv.Atoi(p)
	return h, n
}

func TestSMTPTimeout(t *testing.T) {
	t.Parallel()
	t.Run("silent server", func(t *testing.T) {
		t.Parallel()
		host, port := hangingListener(t)
		m := newSMTP(t, mail.SMTPConfig{Host: host, Port: port, TLS: mail.TLSNone, From: "a@example.com", Timeout: 200 * time.Millisecond})
		start := time.Now()
		err := m.Send(context.Background(), testMessage())
		elapsed := time.Since(start)
		require.Error(t, err)
		assert.ErrorIs(t, err, mail.ErrTimeout)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.True(t, mail.IsTemporary(err))
		assert.Less(t, elapsed, 5*time.Second)
	})
	t.Run("server hangs in data", func(t *testing.T) {
		t.Parallel()
		srv := startServer(t, serverOptions{startTLS: true, hangData: make(chan struct{})})
		cfg := srv.config(mail.TLSStartTLS)
		cfg.Timeout = 300 * time.Millisecond
		start := time.Now()
		err := newSMTP(t, cfg).Send(context.Background(), testMessage())
		require.Error(t, err)
		assert.ErrorIs(t, err, mail.ErrTimeout)
		assert.True(t, strings.HasPrefix(err.Error(), "mail: smtp: send: "), err.Error())
		assert.Less(t, time.Since(start), 5*time.Second)
	})
}

func TestSMTPContextCancel(t *testing.T) {
	t.Parallel()
	t.Run("while waiting for the greeting", func(t *testing.T) {
		t.Parallel()
		host, port := hangingListener(t)
		m := newSMTP(t, mail.SMTPConfig{Host: host, Port: port, TLS: mail.TLSNone, From: "a@example.com", Timeout: time.Minute})
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		err := m.Send(ctx, testMessage())
		require.Error(t, err)
		assert.ErrorIs(t, err, context.Canceled)
		assert.NotErrorIs(t, err, mail.ErrTimeout)
		assert.False(t, mail.IsTemporary(err))
		assert.Less(t, time.Since(start), 5*time.Second, "the one-minute timeout did not apply")
	})
	t.Run("during data", func(t *testing.T) {
		t.Parallel()
		srv := startServer(t, serverOptions{startTLS: true, hangData: make(chan struct{})})
		cfg := srv.config(mail.TLSStartTLS)
		cfg.Timeout = time.Minute
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := newSMTP(t, cfg).Send(ctx, testMessage())
		require.Error(t, err)
		assert.ErrorIs(t, err, context.DeadlineExceeded, "the caller's deadline")
		assert.Less(t, time.Since(start), 5*time.Second)
	})
	t.Run("already cancelled", func(t *testing.T) {
		t.Parallel()
		srv := startServer(t, serverOptions{startTLS: true})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := newSMTP(t, srv.config(mail.TLSStartTLS)).Send(ctx, testMessage())
		assert.ErrorIs(t, err, context.Canceled)
		assert.Empty(t, srv.messages())
	})
}

func TestSMTPRecipientRefused(t *testing.T) {
	t.Parallel()
	srv := startServer(t, serverOptions{startTLS: true, rcptReply: map[string]*gosmtp.SMTPError{
		"gone@example.org": {Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "no such user"},
		"full@example.org": {Code: 452, EnhancedCode: gosmtp.EnhancedCode{4, 2, 2}, Message: "mailbox full"},
	}})
	m := newSMTP(t, srv.config(mail.TLSStartTLS))
	msg := testMessage()

	msg.To = []string{"gone@example.org"}
	err := m.Send(context.Background(), msg)
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "mail: smtp: send: "), err.Error())
	assert.Contains(t, err.Error(), "550")
	assert.False(t, mail.IsTemporary(err))

	msg.To = []string{"full@example.org"}
	err = m.Send(context.Background(), msg)
	require.Error(t, err)
	assert.True(t, mail.IsTemporary(err))
	assert.Empty(t, srv.messages())
}

func TestSMTPConnectionRefused(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	require.NoError(t, ln.Close())
	p, _ := strconv.Atoi(port)
	m := newSMTP(t, mail.SMTPConfig{Host: "127.0.0.1", Port: p, From: "a@example.com", Username: "u", Password: "pw-123"})
	err = m.Send(context.Background(), testMessage())
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "mail: smtp: connect: "), err.Error())
	assert.True(t, mail.IsTemporary(err))
	assert.NotContains(t, err.Error(), "pw-123")
}

func TestSMTPInvalidMessage(t *testing.T) {
	t.Parallel()
	// No server: an invalid message must fail before any network I/O.
	m := newSMTP(t, mail.SMTPConfig{Host: "192.0.2.1", Timeout: time.Minute})
	tests := []struct {
		name string
		msg  mail.Message
		want string
	}{
		{"no sender", mail.Message{To: []string{"a@example.org"}, Text: "x"}, "no sender"},
		{"header injection", mail.Message{From: "a@example.com", To: []string{"a@example.org\r\nBcc: b@example.org"}, Text: "x"}, "to[0]"},
		{"no body", mail.Message{From: "a@example.com", To: []string{"a@example.org"}}, "body"},
	}
	for _, tt := range tests {
		start := time.Now()
		err := m.Send(context.Background(), tt.msg)
		require.Error(t, err, tt.name)
		assert.ErrorIs(t, err, mail.ErrInvalidMessage, tt.name)
		assert.Contains(t, err.Error(), tt.want, tt.name)
		assert.False(t, mail.IsTemporary(err), tt.name)
		assert.Less(t, time.Since(start), time.Second, tt.name)
	}
}

func TestSMTPConcurrentSends(t *testing.T) {
	t.Parallel()
	srv := startServer(t, serverOptions{startTLS: true, user: "mailer", pass: "pw"})
	cfg := srv.config(mail.TLSStartTLS)
	cfg.Username, cfg.Password = "mailer", "pw"
	m := newSMTP(t, cfg)
	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := testMessage()
			msg.To = []string{fmt.Sprintf("user%d@example.org", i)}
			errs <- m.Send(context.Background(), msg)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	got := srv.messages()
	require.Len(t, got, n)
	ids := map[string]bool{}
	for _, r := range got {
		ids[parseMessage(t, r.Data).Header.Get("Message-Id")] = true
	}
	assert.Len(t, ids, n, "every message has its own Message-ID")
}

func TestNewSMTPConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  mail.SMTPConfig
		want string
	}{
		{"missing host", mail.SMTPConfig{}, "missing host"},
		{"url as host", mail.SMTPConfig{Host: "smtp://mail.example.com:587"}, "bare host name"},
		{"bad port", mail.SMTPConfig{Host: "h", Port: 70000}, "port"},
		{"bad mode", mail.SMTPConfig{Host: "h", TLS: mail.TLSMode(9)}, "tls: unknown mode"},
		{"negative timeout", mail.SMTPConfig{Host: "h", Timeout: -1}, "timeout"},
		{"password without user", mail.SMTPConfig{Host: "h", Password: "Sekr1t!x"}, "username: required"},
		{"user without password", mail.SMTPConfig{Host: "h", Username: "u"}, "password: required"},
		{"mechanism without user", mail.SMTPConfig{Host: "h", Auth: mail.AuthPlain}, "auth: a mechanism needs"},
		{"unknown mechanism", mail.SMTPConfig{Host: "h", Username: "u", Password: "Sekr1t!x", Auth: "GSSAPI"}, "auth: unknown mechanism"},
		{"bad from", mail.SMTPConfig{Host: "h", From: "nope"}, "from: not a valid address"},
		{"bad helo", mail.SMTPConfig{Host: "h", HELO: "a b"}, "helo"},
		{"control in password", mail.SMTPConfig{Host: "h", Username: "u", Password: "Sekr1t!x\r\n"}, "control characters"},
	}
	for _, tt := range tests {
		_, err := mail.NewSMTP(tt.cfg)
		require.Error(t, err, tt.name)
		assert.Contains(t, err.Error(), tt.want, tt.name)
		assert.NotContains(t, err.Error(), "Sekr1t!x", tt.name)
	}

	for _, c := range []struct {
		mode mail.TLSMode
		want string
	}{
		{mail.TLSStartTLS, "smtp://u:[redacted]@smtp.example.com:587 (starttls)"},
		{mail.TLSImplicit, "smtp://u:[redacted]@smtp.example.com:465 (implicit)"},
		{mail.TLSOpportunistic, "smtp://u:[redacted]@smtp.example.com:587 (opportunistic)"},
		{mail.TLSNone, "smtp://u:[redacted]@smtp.example.com:25 (none)"},
	} {
		cfg := mail.SMTPConfig{Host: "smtp.example.com", Username: "u", Password: "Sekr1t!x", TLS: c.mode}
		assert.Equal(t, c.want, cfg.String())
		m, err := mail.NewSMTP(cfg)
		require.NoError(t, err)
		assert.Equal(t, c.want, m.String())
	}
	m, err := mail.NewSMTP(mail.SMTPConfig{Host: "::1", TLS: mail.TLSNone})
	require.NoError(t, err)
	assert.Equal(t, "smtp://[::1]:25 (none)", m.String())
}

func TestParseTLSMode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]mail.TLSMode{
		"": mail.TLSStartTLS, "STARTTLS": mail.TLSStartTLS, "implicit": mail.TLSImplicit, "smtps": mail.TLSImplicit,
		"tls": mail.TLSImplicit, "opportunistic": mail.TLSOpportunistic, " none ": mail.TLSNone,
	} {
		got, err := mail.ParseTLSMode(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := mail.ParseTLSMode("ssl3")
	assert.ErrorContains(t, err, "unknown tls mode")
	assert.Equal(t, "TLSMode(9)", mail.TLSMode(9).String())
}

func TestSMTPNil(t *testing.T) {
	t.Parallel()
	var m *mail.SMTP
	assert.Error(t, m.Send(context.Background(), testMessage()))
	assert.Equal(t, "smtp://<nil>", m.String())
}
