package mail

import (
	"net"
	"slices"
	"strings"
	"sync/atomic"

	gosmtp "github.com/wneessen/go-mail/smtp"
)

// AuthMechanism names an SMTP AUTH (SASL) mechanism.
type AuthMechanism string

// The mechanisms the SMTP mailer speaks.
const (
	// AuthAuto picks the strongest mechanism the server offers, in this
	// order: SCRAM-SHA-256, SCRAM-SHA-1, PLAIN, LOGIN, CRAM-MD5. PLAIN
	// and LOGIN, which show the password to whoever reads the
	// connection, are chosen only over TLS or to a loopback host.
	AuthAuto AuthMechanism = ""
	// AuthPlain is PLAIN (RFC 4616); TLS or a loopback host required.
	AuthPlain AuthMechanism = "PLAIN"
	// AuthLogin is the legacy LOGIN; TLS or a loopback host required.
	AuthLogin AuthMechanism = "LOGIN"
	// AuthCRAMMD5 is CRAM-MD5 (RFC 2195).
	AuthCRAMMD5 AuthMechanism = "CRAM-MD5"
	// AuthSCRAMSHA1 is SCRAM-SHA-1 (RFC 5802).
	AuthSCRAMSHA1 AuthMechanism = "SCRAM-SHA-1"
	// AuthSCRAMSHA256 is SCRAM-SHA-256 (RFC 7677).
	AuthSCRAMSHA256 AuthMechanism = "SCRAM-SHA-256"
	// AuthXOAUTH2 is Google's and Microsoft's XOAUTH2: Password holds
	// the OAuth 2 access token. TLS or a loopback host required.
	AuthXOAUTH2 AuthMechanism = "XOAUTH2"
)

func (m AuthMechanism) valid() bool {
	switch m {
	case AuthAuto, AuthPlain, AuthLogin, AuthCRAMMD5, AuthSCRAMSHA1, AuthSCRAMSHA256, AuthXOAUTH2:
		return true
	}
	return false
}

// cleartext reports whether the mechanism reveals the secret to anyone
// who reads the connection.
func (m AuthMechanism) cleartext() bool {
	return m == AuthPlain || m == AuthLogin || m == AuthXOAUTH2
}

// authError is the selector's refusal to authenticate.
type authError struct{ reason string }

func (e *authError) Error() string { return e.reason }

func (e *authError) Is(target error) bool { return target == ErrAuth }

var _ gosmtp.Auth = (*authSelector)(nil)

// authSelector is an smtp.Auth that chooses the mechanism once it sees
// what the server offers and whether the connection is encrypted, then
// hands over to go-mail's implementation of that mechanism. One
// selector serves one session.
type authSelector struct {
	mech     AuthMechanism
	user     string
	pass     string
	started  *atomic.Bool
	delegate gosmtp.Auth
}

// Start picks the mechanism and begins the exchange.
func (a *authSelector) Start(server *gosmtp.ServerInfo) (string, []byte, error) {
	if a.started != nil {
		a.started.Store(true)
	}
	mech, err := chooseMechanism(a.mech, server)
	if err != nil {
		return "", nil, err
	}
	switch mech {
	case AuthPlain:
		a.delegate = gosmtp.PlainAuth("", a.user, a.pass, server.Name, true)
	case AuthLogin:
		a.delegate = gosmtp.LoginAuth(a.user, a.pass, server.Name, true)
	case AuthCRAMMD5:
		a.delegate = gosmtp.CRAMMD5Auth(a.user, a.pass)
	case AuthSCRAMSHA1:
		a.delegate = gosmtp.ScramSHA1Auth(a.user, a.pass)
	case AuthSCRAMSHA256:
		a.delegate = gosmtp.ScramSHA256Auth(a.user, a.pass)
	case AuthXOAUTH2:
		a.delegate = gosmtp.XOAuth2Auth(a.user, a.pass)
	default:
		return "", nil, &authError{reason: "unsupported mechanism"}
	}
	return a.delegate.Start(server)
}

// Next continues the exchange with the chosen mechanism.
func (a *authSelector) Next(fromServer []byte, more bool) ([]byte, error) {
	if a.delegate == nil {
		return nil, &authError{reason: "authentication not started"}
	}
	return a.delegate.Next(fromServer, more)
}

// chooseMechanism applies want (AuthAuto or one mechanism) to what the
// server offers, refusing to expose a password on a clear-text
// connection to anything but a loopback host.
func chooseMechanism(want AuthMechanism, server *gosmtp.ServerInfo) (AuthMechanism, error) {
	offered := make([]AuthMechanism, 0, len(server.Auth))
	for _, m := range server.Auth {
		if m = strings.TrimSpace(m); m != "" {
			offered = append(offered, AuthMechanism(strings.ToUpper(m)))
		}
	}
	if len(offered) == 0 {
		return "", &authError{reason: "server does not offer smtp auth (check the port and tls mode, or drop the username)"}
	}
	safe := server.TLS || isLoopback(server.Name)
	if want != AuthAuto {
		if !slices.Contains(offered, want) {
			return "", &authError{reason: "server does not offer " + string(want) + " (it offers " + joinMechs(offered) + ")"}
		}
		if want.cleartext() && !safe {
			return "", &authError{reason: "refusing to send " + string(want) + " credentials over an unencrypted connection"}
		}
		return want, nil
	}
	// AuthAuto's preference, strongest first.
	for _, m := range []AuthMechanism{AuthSCRAMSHA256, AuthSCRAMSHA1, AuthPlain, AuthLogin, AuthCRAMMD5} {
		if slices.Contains(offered, m) && (safe || !m.cleartext()) {
			return m, nil
		}
	}
	if !safe {
		return "", &authError{reason: "no mechanism safe over an unencrypted connection (server offers " + joinMechs(offered) + "; use tls)"}
	}
	return "", &authError{reason: "no supported mechanism (server offers " + joinMechs(offered) + ")"}
}

func joinMechs(ms []AuthMechanism) string {
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = sanitize(string(m))
	}
	return strings.Join(s, " ")
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
