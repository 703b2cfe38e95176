package usermgmt

import (
	_ "embed"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/rosterkit/roster/internal/sortedlines"
)

// SeedForbiddenPasswordChars are the characters the seed policy refuses
// in passwords. The seed writes them as ” ‘ and , in typographic
// quotes, which stand for the ASCII " and '; both the ASCII characters
// and the typographic quotes “ ” ‘ ’ are refused, since a keyboard or a
// word processor may produce either.
const SeedForbiddenPasswordChars = "\"',“”‘’"

// PasswordPolicy says which passwords are accepted.
//
// The zero value is the seed policy (SeedPasswordPolicy). Any other
// value is read literally, except that a MinLength of 0 means 8 and a
// MaxLength of 0 means 64. Lengths count characters (runes), not bytes.
//
// Every policy refuses an empty password, invalid UTF-8 and control
// characters.
type PasswordPolicy struct {
	// MinLength is the shortest password, in characters.
	MinLength int
	// MaxLength is the longest password, in characters.
	MaxLength int
	// MinClasses is how many of the four character classes a password
	// must use: upper case A-Z, lower case a-z, digits 0-9, and symbols
	// (every other character that is not a letter or digit of some
	// script, including the space). 0 means no composition rule.
	MinClasses int
	// Forbidden lists characters a password may not contain.
	Forbidden string
	// Blocklist, when set, reports whether a password is too common
	// (code too_common). CommonPassword is a small built-in list; a host
	// may plug in a larger one, or a breached-password service.
	Blocklist func(password string) bool
	// RejectUsername refuses a password that contains the username,
	// case-insensitively (code contains_username). Usernames shorter
	// than 3 characters are not looked for.
	RejectUsername bool
}

// SeedPasswordPolicy returns the policy of the seeds, the default: 8 to
// 20 characters, at least 3 of upper case, lower case, digits and
// symbols, and none of SeedForbiddenPasswordChars.
func SeedPasswordPolicy() PasswordPolicy {
	return PasswordPolicy{MinLength: 8, MaxLength: 20, MinClasses: 3, Forbidden: SeedForbiddenPasswordChars}
}

// NISTPasswordPolicy returns a policy after NIST SP 800-63B, section
// 5.1.1: 8 to 64 characters, any characters (spaces and Unicode
// included), no composition rule, refused when on the CommonPassword
// list or when it contains the username.
func NISTPasswordPolicy() PasswordPolicy {
	return PasswordPolicy{MinLength: 8, MaxLength: 64, Blocklist: CommonPassword, RejectUsername: true}
}

// effective applies the defaults documented on PasswordPolicy.
func (p PasswordPolicy) effective() PasswordPolicy {
	if p.MinLength == 0 && p.MaxLength == 0 && p.MinClasses == 0 && p.Forbidden == "" && p.Blocklist == nil && !p.RejectUsername {
		return SeedPasswordPolicy()
	}
	if p.MinLength <= 0 {
		p.MinLength = 8
	}
	if p.MaxLength <= 0 {
		p.MaxLength = 64
	}
	if p.MaxLength < p.MinLength {
		p.MaxLength = p.MinLength
	}
	p.MinClasses = min(max(p.MinClasses, 0), 4)
	return p
}

const classNames = "upper case letters (A-Z), lower case letters (a-z), digits (0-9), symbols"

// Check reports whether password obeys the policy for the user named
// username (which may be empty). It returns nil or a *RuleError whose
// code is the first broken rule in this order: required, invalid (not
// UTF-8), too_short, too_long, forbidden_character, too_weak,
// contains_username, too_common; its message names every broken rule,
// e.g. "must be 8 to 20 characters and must use at least 3 of: upper
// case letters (A-Z), lower case letters (a-z), digits (0-9), symbols".
// The message never contains the password.
func (p PasswordPolicy) Check(password, username string) error {
	if password == "" {
		return errRequired()
	}
	if !utf8.ValidString(password) {
		return errNotUTF8()
	}
	p = p.effective()
	const (
		upper = 1 << iota
		lower
		digit
		symbol
	)
	n, classes, control, forbidden := 0, 0, false, false
	for _, r := range password {
		n++
		switch {
		case 'A' <= r && r <= 'Z':
			classes |= upper
		case 'a' <= r && r <= 'z':
			classes |= lower
		case '0' <= r && r <= '9':
			classes |= digit
		case unicode.IsControl(r):
			control = true
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r):
			// a letter or digit of another script is no class of the four
		default:
			classes |= symbol
		}
		if p.Forbidden != "" && strings.ContainsRune(p.Forbidden, r) {
			forbidden = true
		}
	}
	var pr problems
	if n < p.MinLength || n > p.MaxLength {
		code := CodeTooShort
		if n > p.MaxLength {
			code = CodeTooLong
		}
		pr.add(code, "must be "+strconv.Itoa(p.MinLength)+" to "+strconv.Itoa(p.MaxLength)+" characters")
	}
	if control {
		pr.add(CodeForbidden, "must not contain control characters")
	}
	if forbidden {
		pr.add(CodeForbidden, "must not contain any of "+spaced(p.Forbidden))
	}
	if bitsSet(classes) < p.MinClasses {
		pr.add(CodeWeak, "must use at least "+strconv.Itoa(p.MinClasses)+" of: "+classNames)
	}
	// A password past the maximum is refused already; do not spend
	// more work on it.
	tooLong := n > p.MaxLength
	if p.RejectUsername && !tooLong {
		if name := strings.TrimSpace(username); utf8.RuneCountInString(name) >= 3 &&
			strings.Contains(UsernameKey(password), UsernameKey(name)) {
			pr.add(CodeContains, "must not contain the username")
		}
	}
	if p.Blocklist != nil && !tooLong && p.Blocklist(password) {
		pr.add(CodeCommon, "is too common")
	}
	return pr.err()
}

// Describe returns the policy in words, for a form's hint, e.g. "8 to
// 20 characters, at least 3 of: upper case letters (A-Z), lower case
// letters (a-z), digits (0-9), symbols; none of \" ' , “ ” ‘ ’".
func (p PasswordPolicy) Describe() string {
	p = p.effective()
	var b strings.Builder
	b.WriteString(strconv.Itoa(p.MinLength) + " to " + strconv.Itoa(p.MaxLength) + " characters")
	if p.MinClasses > 0 {
		b.WriteString(", at least " + strconv.Itoa(p.MinClasses) + " of: " + classNames)
	}
	if p.Forbidden != "" {
		b.WriteString("; none of " + spaced(p.Forbidden))
	}
	if p.RejectUsername {
		b.WriteString("; not containing the username")
	}
	if p.Blocklist != nil {
		b.WriteString("; not a commonly used password")
	}
	return b.String()
}

// spaced returns the characters of s separated by spaces.
func spaced(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func bitsSet(x int) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// commonPasswords is password_blocklist.txt: one password a line, lower
// case, sorted bytewise, unique.
//
//go:embed password_blocklist.txt
var commonPasswords string

// CommonPassword reports whether password, compared case-insensitively
// (NFC, lower case), is on roster's built-in list of common passwords.
//
// The list is small and honest about what it is: about 1,400 entries,
// being the passwords that top the public frequency lists compiled from
// breaches (123456, password, qwerty, iloveyou, 1q2w3e4r, ...) as
// recalled by roster's authors rather than copied from a corpus, plus
// generated variants of the same kind: common words and names followed
// by 1, 12, 123, 1234, !, 1!, 01, 2024 or 2025; "password" followed by
// a year from 1950 to 2025; keyboard walks; one digit repeated 6 to 12
// times. It stops the most guessed passwords; it is no substitute for a
// breached-password corpus of millions, which a host plugs in through
// PasswordPolicy.Blocklist.
func CommonPassword(password string) bool {
	return sortedlines.Contains(commonPasswords, strings.ToLower(norm.NFC.String(password)))
}
