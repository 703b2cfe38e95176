package invite

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/rosterkit/roster/internal/sortedlines"
)

// disposableFile is disposable_domains.txt: a header of '#' lines, then
// one lower-case domain a line, sorted bytewise, unique.
//
//go:embed disposable_domains.txt
var disposableFile string

// disposableDomains returns the sorted domain lines of the embedded
// list, without its header.
func disposableDomains() string {
	data := disposableFile
	for strings.HasPrefix(data, "#") {
		i := strings.IndexByte(data, '\n')
		if i < 0 {
			return ""
		}
		data = data[i+1:]
	}
	return data
}

// MaxDomainLen is the longest domain IsDisposable looks at; longer
// input is not a domain and is reported as not disposable.
const MaxDomainLen = 253

// IsDisposable reports whether domain, or one of its parent domains,
// is on roster's embedded list of disposable-mail services
// (disposable_domains.txt: a few hundred of the best-known ones, such
// as mailinator.com, guerrillamail.com, 10minutemail.com, yopmail.com
// and trashmail.com). "inbox.mailinator.com" is disposable because
// "mailinator.com" is. The domain is compared in lower case, NFC, with
// any trailing dot removed; it may also be a whole address, whose
// domain is then used.
//
// The list is a curated snapshot, not a feed: a host that needs a
// complete, maintained list passes its own check as Config.Disposable
// (and may call IsDisposable from it). IsDisposable allocates nothing
// for ASCII lower-case input and is safe for concurrent use.
func IsDisposable(domain string) bool {
	if i := strings.LastIndexByte(domain, '@'); i >= 0 {
		domain = domain[i+1:]
	}
	domain = strings.TrimSuffix(strings.TrimSpace(domain), ".")
	if domain == "" || len(domain) > MaxDomainLen || !utf8.ValidString(domain) {
		return false
	}
	if !isLowerASCII(domain) {
		domain = strings.ToLower(norm.NFC.String(domain))
	}
	list := disposableDomains()
	for {
		if sortedlines.Contains(list, domain) {
			return true
		}
		i := strings.IndexByte(domain, '.')
		if i < 0 {
			return false
		}
		domain = domain[i+1:]
		if strings.IndexByte(domain, '.') < 0 {
			return false // a top-level domain alone is never on the list
		}
	}
}

func isLowerASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// SplitAddresses splits what an admin typed or pasted into the
// invitation box into addresses: items are separated by commas,
// semicolons, white space or line breaks, and empty items are dropped.
// Display names ("Ann <ann@example.com>") are not supported: each item
// should be a bare address, and Invite reports anything else as invalid.
// Input that is not valid UTF-8 is split all the same; the bad bytes
// stay inside their item, for Invite to refuse.
func SplitAddresses(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return r == ',' || r == ';' || unicode.IsSpace(r)
	})
}
