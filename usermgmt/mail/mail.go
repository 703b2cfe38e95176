package mail

import (
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mailer sends one message. It is the port every roster service writes
// to; the host plugs in SMTP, its own provider, or a fake.
//
// Send honours ctx: a cancelled or expired context stops the delivery
// and the error wraps ctx's error. Implementations validate the message
// (see Message.Validate) before they touch the network, and are safe for
// concurrent use.
type Mailer interface {
	Send(ctx context.Context, msg Message) error
}

// MailerFunc adapts an ordinary function to the Mailer interface, as
// http.HandlerFunc does for handlers.
type MailerFunc func(ctx context.Context, msg Message) error

// Send calls f(ctx, msg).
func (f MailerFunc) Send(ctx context.Context, msg Message) error { return f(ctx, msg) }

// The tags of the mails roster sends. Each is also the name of the
// template that renders the mail (see Templates).
const (
	// Welcome goes to a user an admin created without a password: it
	// carries the set-password (activation) link.
	Welcome = "welcome"
	// Invitation goes to an invited address: it carries the accept link.
	Invitation = "invitation"
	// PasswordReset carries a password reset link.
	PasswordReset = "reset"
	// UsernameReminder lists the usernames tied to an email address.
	UsernameReminder = "username"
	// OwnershipRequest asks a user of another account to move to the
	// requesting account.
	OwnershipRequest = "ownership"
)

// Limits Validate enforces.
const (
	// MaxRecipients is the most addresses one Message may carry in To.
	MaxRecipients = 100
	// MaxSubjectBytes bounds the subject (RFC 5322's line limit).
	MaxSubjectBytes = 998
)

// ErrInvalidMessage matches (with errors.Is) every error Validate
// returns, and every Send error caused by a message that is not valid.
var ErrInvalidMessage = errors.New("invalid message")

// Message is one mail. Addresses are RFC 5322 mailboxes as net/mail
// parses them: "ada@example.com" or "Ada Lovelace <ada@example.com>".
type Message struct {
	// From is the sender. Empty means the mailer's default sender
	// (SMTPConfig.From for the SMTP mailer).
	From string
	// To lists the recipients; at least one, at most MaxRecipients.
	To []string
	// ReplyTo is an optional address for replies.
	ReplyTo string
	// Subject is one line of UTF-8 text; it is encoded (RFC 2047) on the
	// wire when it is not plain ASCII.
	Subject string
	// Text is the plain-text body.
	Text string
	// HTML is the HTML body. With Text it makes a multipart/alternative
	// message; at least one of the two is required.
	HTML string
	// Headers are optional extra header fields, e.g. "List-Unsubscribe"
	// or a provider's tag header. Names are RFC 5322 field names and may
	// not be one the mailer sets itself (From, To, Subject, Date, ...);
	// values are one line.
	Headers map[string]string
	// Tag says what roster sent ("welcome", "invitation", "reset",
	// "username", "ownership"; see the constants). It is metadata for
	// fakes, logs and metrics, and is not sent as a header; use Headers
	// for that. Lower-case letters, digits, '.', '_' and '-'.
	Tag string
}

// reserved reports whether the mailer sets header name itself, from a
// Message field or as the transport; Headers may not override it.
func reserved(name string) bool {
	switch strings.ToLower(name) {
	case "bcc", "cc", "content-transfer-encoding", "content-type", "date",
		"from", "message-id", "mime-version", "reply-to", "return-path",
		"sender", "subject", "to":
		return true
	}
	return false
}

// Validate reports every problem with m at once. The error matches
// ErrInvalidMessage; its text names the fields (never their values, so
// a token in a body or an address cannot leak into a log).
//
// It checks that To holds 1 to MaxRecipients addresses and that From,
// ReplyTo and every recipient parse with net/mail; that no header-bound
// field (addresses, Subject, Headers) carries a line break or any other
// control character, so nothing can inject a header; that there is a
// Text or an HTML body; that all text is valid UTF-8 without NUL bytes;
// and that Tag and header names are well formed.
func (m Message) Validate() error {
	var p problems
	if m.From != "" {
		p.address("from", m.From)
	}
	switch {
	case len(m.To) == 0:
		p.add("to: at least one recipient is required")
	case len(m.To) > MaxRecipients:
		p.add(fmt.Sprintf("to: more than %d recipients", MaxRecipients))
	default:
		for i, to := range m.To {
			p.address(fmt.Sprintf("to[%d]", i), to)
		}
	}
	if m.ReplyTo != "" {
		p.address("reply_to", m.ReplyTo)
	}
	p.headerText("subject", m.Subject)
	if len(m.Subject) > MaxSubjectBytes {
		p.add(fmt.Sprintf("subject: longer than %d bytes", MaxSubjectBytes))
	}
	if strings.TrimSpace(m.Text) == "" && strings.TrimSpace(m.HTML) == "" {
		p.add("body: a text or an html body is required")
	}
	p.body("text", m.Text)
	p.body("html", m.HTML)
	names := make([]string, 0, len(m.Headers))
	for name := range m.Headers {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		p.header(name, m.Headers[name])
	}
	if m.Tag != "" && !validTag(m.Tag) {
		p.add("tag: use 1 to 64 lower-case letters, digits, '.', '_' or '-'")
	}
	return p.err()
}

// clone returns a deep copy of m, so that a fake can keep it safely.
func (m Message) clone() Message {
	m.To = slices.Clone(m.To)
	if m.Headers != nil {
		h := make(map[string]string, len(m.Headers))
		for k, v := range m.Headers {
			h[k] = v
		}
		m.Headers = h
	}
	return m
}

// problems collects validation failures.
type problems struct{ list []string }

func (p *problems) add(s string) { p.list = append(p.list, s) }

func (p *problems) address(field, addr string) {
	if hasControl(addr) || !utf8.ValidString(addr) {
		p.add(field + ": contains a line break or a control character")
		return
	}
	if _, err := netmail.ParseAddress(addr); err != nil {
		p.add(field + ": not a valid address")
	}
}

func (p *problems) headerText(field, s string) {
	if !utf8.ValidString(s) {
		p.add(field + ": not valid utf-8")
		return
	}
	if hasControl(s) {
		p.add(field + ": contains a line break or a control character")
	}
}

func (p *problems) body(field, s string) {
	if !utf8.ValidString(s) {
		p.add(field + ": not valid utf-8")
		return
	}
	if strings.IndexByte(s, 0) >= 0 {
		p.add(field + ": contains a nul byte")
	}
}

func (p *problems) header(name, value string) {
	if !validFieldName(name) {
		p.add(fmt.Sprintf("headers: %q: not a valid header name", sanitize(name)))
		return
	}
	if reserved(name) {
		p.add(fmt.Sprintf("headers: %q: set through the message's own fields", name))
		return
	}
	p.headerText(fmt.Sprintf("headers: %q", name), value)
}

func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	return &invalidError{problems: p.list}
}

// invalidError lists every problem of one message.
type invalidError struct{ problems []string }

func (e *invalidError) Error() string {
	return "mail: invalid message: " + strings.Join(e.problems, "; ")
}

func (e *invalidError) Is(target error) bool { return target == ErrInvalidMessage }

// hasControl reports whether s holds a C0 or C1 control character or DEL
// (tab included: a header value has no use for it).
func hasControl(s string) bool {
	return strings.ContainsFunc(s, unicode.IsControl)
}

// validFieldName reports whether name is an RFC 5322 field name: 1 to 76
// printable ASCII characters other than ':'.
func validFieldName(name string) bool {
	if name == "" || len(name) > 76 {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 33 || c > 126 || c == ':' {
			return false
		}
	}
	return true
}

func validTag(tag string) bool {
	if len(tag) > 64 {
		return false
	}
	for i := 0; i < len(tag); i++ {
		c := tag[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// sanitize shortens s and drops what is not printable, for use in an
// error message.
func sanitize(s string) string {
	if len(s) > 40 {
		s = s[:40]
	}
	return strings.Map(func(r rune) rune {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			return '?'
		}
		return r
	}, s)
}
