package httpgw

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rosterkit/roster/sms"
)

// The placeholders a URL or body template may use. Each is replaced by
// its value escaped for where it stands.
const (
	PlaceholderTo        = "{to}"        // destination, E.164 ("+447400123456")
	PlaceholderToDigits  = "{to_digits}" // destination without the "+" ("447400123456")
	PlaceholderFrom      = "{from}"      // Message.From, else Config.From
	PlaceholderBody      = "{body}"      // the text, UTF-8
	PlaceholderReference = "{reference}" // Message.Reference (idempotency key)
	PlaceholderPurpose   = "{purpose}"   // Message.Purpose ("code")
	PlaceholderAccount   = "{account}"   // Message.AccountID
	PlaceholderUser      = "{user}"      // Message.UserID
	PlaceholderEncoding  = "{encoding}"  // "gsm7" or "ucs2"
	PlaceholderCoding    = "{coding}"    // Kannel's coding: "0" for GSM-7, "2" for UCS-2
	PlaceholderSegments  = "{segments}"  // how many segments the body takes
	PlaceholderUsername  = "{username}"  // Config.Username (then not sent as basic auth)
	PlaceholderPassword  = "{password}"  // Config.Password (then not sent as basic auth)
)

// escaper escapes a value for its place in a template.
type escaper func(string) string

// part is a literal or a placeholder of a compiled template.
type part struct {
	lit  string
	name string // placeholder name without braces; "" for a literal
	esc  escaper
}

type tmpl []part

// compile splits s into literals and placeholders; esc gives the
// escaper for a placeholder at byte offset i. A "{" that does not open a
// known-shaped placeholder ("{" + lower-case letters and "_" + "}") is a
// literal, so JSON bodies need no quoting; a well-shaped but unknown
// name is an error.
func compile(s string, esc func(i int) escaper) (tmpl, error) {
	var t tmpl
	lit := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '{' {
			continue
		}
		j := i + 1
		for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] == '_') {
			j++
		}
		if j == i+1 || j >= len(s) || s[j] != '}' {
			continue
		}
		name := s[i+1 : j]
		if !known(name) {
			return nil, fmt.Errorf("unknown placeholder {%s}", name)
		}
		if lit < i {
			t = append(t, part{lit: s[lit:i]})
		}
		t = append(t, part{name: name, esc: esc(i)})
		lit = j + 1
		i = j
	}
	if lit < len(s) {
		t = append(t, part{lit: s[lit:]})
	}
	return t, nil
}

func known(name string) bool {
	switch "{" + name + "}" {
	case PlaceholderTo, PlaceholderToDigits, PlaceholderFrom, PlaceholderBody, PlaceholderReference,
		PlaceholderPurpose, PlaceholderAccount, PlaceholderUser, PlaceholderEncoding, PlaceholderCoding,
		PlaceholderSegments, PlaceholderUsername, PlaceholderPassword:
		return true
	}
	return false
}

// uses reports whether t has the placeholder name (without braces).
func (t tmpl) uses(name string) bool {
	for _, p := range t {
		if p.name == name {
			return true
		}
	}
	return false
}

// render fills t with vals.
func (t tmpl) render(vals func(name string) string) string {
	var b strings.Builder
	for _, p := range t {
		if p.name == "" {
			b.WriteString(p.lit)
		} else {
			b.WriteString(p.esc(vals(p.name)))
		}
	}
	return b.String()
}

// urlEscaper escapes placeholders before the template's first "?" as
// a path segment and after it as a query component ("+" becomes "%2B",
// a space "+").
func urlEscaper(s string) func(int) escaper {
	q := strings.IndexByte(s, '?')
	return func(i int) escaper {
		if q >= 0 && i > q {
			return url.QueryEscape
		}
		return url.PathEscape
	}
}

// Format says how a body template's placeholders are escaped and which
// Content-Type the body gets by default.
type Format string

// The body formats.
const (
	// FormatForm: application/x-www-form-urlencoded, values query-escaped.
	FormatForm Format = "form"
	// FormatJSON: application/json, values escaped as the inside of a
	// JSON string (write "to": "{to}", quotes in the template).
	FormatJSON Format = "json"
	// FormatText: text/plain; charset=utf-8, values as they are.
	FormatText Format = "text"
)

func (f Format) escaper() (escaper, string, error) {
	switch f {
	case FormatForm, "":
		return url.QueryEscape, "application/x-www-form-urlencoded", nil
	case FormatJSON:
		return jsonEscape, "application/json", nil
	case FormatText:
		return func(s string) string { return s }, "text/plain; charset=utf-8", nil
	}
	return nil, "", fmt.Errorf("unknown body format %q (want form, json or text)", string(f))
}

// jsonEscape escapes s as the inside of a JSON string: quotes,
// backslashes, control characters, and U+2028/U+2029 (which some
// JavaScript parsers take for line ends); invalid UTF-8 becomes U+FFFD.
func jsonEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x2028 || r == 0x2029 || r == 0x7f:
			b.WriteString(`\u`)
			h := strconv.FormatInt(int64(r), 16)
			b.WriteString(strings.Repeat("0", 4-len(h)) + h)
		case r == utf8.RuneError && size == 1:
			b.WriteString("\ufffd")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// values returns the placeholder values for m.
func values(m sms.Message, from, user, pass string) func(string) string {
	in := sms.Analyze(m.Body)
	return func(name string) string {
		switch "{" + name + "}" {
		case PlaceholderTo:
			return m.To
		case PlaceholderToDigits:
			return strings.TrimPrefix(m.To, "+")
		case PlaceholderFrom:
			if m.From != "" {
				return m.From
			}
			return from
		case PlaceholderBody:
			return m.Body
		case PlaceholderReference:
			return m.Reference
		case PlaceholderPurpose:
			return string(m.Purpose)
		case PlaceholderAccount:
			return m.AccountID
		case PlaceholderUser:
			return m.UserID
		case PlaceholderEncoding:
			return string(in.Encoding)
		case PlaceholderCoding:
			if in.Encoding == sms.UCS2 {
				return "2"
			}
			return "0"
		case PlaceholderSegments:
			return strconv.Itoa(in.Segments)
		case PlaceholderUsername:
			return user
		case PlaceholderPassword:
			return pass
		}
		return ""
	}
}
