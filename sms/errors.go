package sms

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrInvalidMessage is returned for a message that cannot be sent as it
// is: no destination, a destination not in E.164 form, no body, a body
// that is not UTF-8, or more segments than allowed.
var ErrInvalidMessage = errors.New("sms: invalid message")

// ErrRateLimited is matched (errors.Is) by a *LimitError: a Guard refused
// a message because a limit was reached. A gateway's own 429, once
// retries are spent, matches it too (a *ProviderError).
var ErrRateLimited = errors.New("sms: rate limited")

// ErrRefused is matched (errors.Is) by a *RefusedError: a Guard refused
// the destination by policy (not a valid number, a number type or a
// country it does not send to). A *ProviderError whose gateway refused
// the destination for good matches it too.
var ErrRefused = errors.New("sms: destination refused")

// The rules a Guard applies, as named in LimitError.Rule.
const (
	RuleDestination      = "destination"       // per destination, short window
	RuleDestinationDaily = "destination_daily" // per destination, long window
	RuleAccount          = "account"           // per account
	RuleGlobal           = "global"            // every message through the Guard
	RuleDuplicate        = "duplicate"         // the same body to the same destination
)

// LimitError says which Guard limit refused a message. It matches
// ErrRateLimited.
type LimitError struct {
	// Rule is one of the Rule... constants.
	Rule string
	// Limit is how many messages the rule allows per Window.
	Limit int
	// Window is the rule's window.
	Window time.Duration
	// RetryAfter is how long until the window ends: exact with a
	// MemoryCounter, an upper bound (the whole window) with other
	// counters, which do not tell when their window started.
	RetryAfter time.Duration
}

// Error says which rule refused, never to whom.
func (e *LimitError) Error() string {
	return fmt.Sprintf("sms: rate limited by rule %s (%d per %s), retry after %s",
		e.Rule, e.Limit, e.Window, e.RetryAfter)
}

// Is reports whether target is ErrRateLimited.
func (e *LimitError) Is(target error) bool { return target == ErrRateLimited }

// The reasons a Guard refuses a destination, as named in
// RefusedError.Reason.
const (
	ReasonInvalidNumber = "invalid_number" // not a valid number per libphonenumber
	ReasonRegion        = "region"         // a country outside GuardConfig.AllowedRegions
	ReasonNumberType    = "number_type"    // a number type outside GuardConfig.AllowedTypes
)

// RefusedError says why a destination was refused. It matches ErrRefused.
type RefusedError struct {
	// Reason is one of the Reason... constants.
	Reason string
	// To is the destination, masked (see Mask).
	To string
	// Region is the destination's ISO 3166-1 region ("GB"), when known.
	Region string
	// Type is the destination's number type, when known.
	Type NumberType
}

// Error names the reason and the masked destination.
func (e *RefusedError) Error() string {
	var b strings.Builder
	b.WriteString("sms: destination refused: ")
	switch e.Reason {
	case ReasonRegion:
		b.WriteString("region " + e.Region + " not allowed")
	case ReasonNumberType:
		b.WriteString("number type " + string(e.Type) + " not allowed")
	case ReasonInvalidNumber:
		b.WriteString("not a valid phone number")
	default:
		b.WriteString(e.Reason)
	}
	if e.To != "" {
		b.WriteString(" (" + e.To + ")")
	}
	return b.String()
}

// Is reports whether target is ErrRefused.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

// ProviderError is a gateway's failure, as adapters report it. It never
// holds a credential or a full phone number: adapters mask numbers in
// the provider's message (see Redact).
type ProviderError struct {
	// Provider names the adapter ("twilio", "kannel", "httpgw").
	Provider string
	// Status is the HTTP status, 0 when no response came.
	Status int
	// Code is the provider's error code ("21211"), when it gives one.
	Code string
	// Message is the provider's message, numbers masked, shortened.
	Message string
	// MoreInfo is the provider's link about the error, when it gives one.
	MoreInfo string
	// Retryable says the failure is transient: a later try may succeed.
	Retryable bool
	// Refused says the provider refused the destination for good (not a
	// mobile number, unsubscribed, unreachable); the error then matches
	// ErrRefused.
	Refused bool
	// RetryAfter is the wait the provider asked for, if any.
	RetryAfter time.Duration
	// Err is the transport error when no response came.
	Err error
}

// Error describes the failure without secrets.
func (e *ProviderError) Error() string {
	var b strings.Builder
	b.WriteString("sms: ")
	b.WriteString(e.Provider)
	if e.Status != 0 {
		b.WriteString(": status " + strconv.Itoa(e.Status))
	}
	if e.Code != "" {
		b.WriteString(": code " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the transport error, if any.
func (e *ProviderError) Unwrap() error { return e.Err }

// Is matches ErrRefused when the provider refused the destination, and
// ErrRateLimited for a 429.
func (e *ProviderError) Is(target error) bool {
	return (target == ErrRefused && e.Refused) || (target == ErrRateLimited && e.Status == 429)
}

// Mask hides all digits of a phone number but the last three, for logs
// and errors: "+447911123456" becomes "+*********456". Anything that is
// not a digit is kept; letters (an alphanumeric sender id) are kept too.
func Mask(number string) string {
	digits := 0
	for i := 0; i < len(number); i++ {
		if isDigit(number[i]) {
			digits++
		}
	}
	b := []byte(number)
	for i := range b {
		if isDigit(b[i]) && digits > 3 {
			b[i] = '*'
			digits--
		}
	}
	return string(b)
}

// Redact masks, in free text such as a gateway's error message, every run
// of six or more digits (optionally after a "+", and allowing spaces,
// dots, dashes and parentheses inside), which may be a phone number, and
// shortens the text to at most max bytes (max <= 0 means 512) on a
// character boundary.
func Redact(text string, max int) string {
	if max <= 0 {
		max = 512
	}
	out := []byte(text)
	for i := 0; i < len(out); {
		if !isDigit(out[i]) {
			i++
			continue
		}
		// A run: digits with separators inside, ending on a digit.
		j, digits, last := i, 0, i
		for j < len(out) && (isDigit(out[j]) || isSep(out[j])) {
			if isDigit(out[j]) {
				digits++
				last = j
			}
			j++
		}
		if digits >= 6 {
			keep := 3
			for k := last; k >= i; k-- {
				if !isDigit(out[k]) {
					continue
				}
				if keep > 0 {
					keep--
					continue
				}
				out[k] = '*'
			}
		}
		i = last + 1
	}
	s := string(out)
	if len(s) > max {
		cut := max
		for cut > 0 && cut < len(s) && s[cut]&0xC0 == 0x80 {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isSep(c byte) bool { return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' }
