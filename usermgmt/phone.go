package usermgmt

import (
	"errors"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// MaxPhoneInputLen is the longest phone number input, in bytes,
// formatting included.
const MaxPhoneInputLen = 64

// PhoneRule checks a phone number and returns it in E.164
// ("+447400123456"), the only form roster stores.
//
// Input may be formatted with spaces, dashes, dots, slashes and
// parentheses ("+44 (7400) 123-456"); it holds ASCII digits and at most
// one '+', before the first digit. A leading "00" is read as the
// international prefix ("0044 7400 123456"). A number without '+' or
// "00" is read as a national number of DefaultRegion, and refused with
// code region_required when there is none. Letters, extensions and any
// other character are refused: the seeds ask for "numbers only,
// including country and area code".
//
// The number must be valid per libphonenumber's metadata
// (github.com/nyaruka/phonenumbers), and of one of the accepted types.
type PhoneRule struct {
	// DefaultRegion is the ISO 3166-1 alpha-2 region of national
	// numbers, e.g. "GB". Empty, or a region libphonenumber does not
	// know, means national numbers are refused.
	DefaultRegion string
	// Types lists the accepted number types. Nil accepts every valid
	// number except premium-rate and shared-cost numbers, like
	// CheckPhone; CheckMobile accepts MOBILE and FIXED_LINE_OR_MOBILE.
	Types []phonenumbers.PhoneNumberType
}

// Check returns s in E.164, or a *RuleError with code required,
// too_long, invalid, region_required or number_type.
func (r PhoneRule) Check(s string) (string, error) {
	accept := businessTypes
	if r.Types != nil {
		accept = 0
		for _, t := range r.Types {
			accept |= maskOf(t)
		}
	}
	return checkPhone(s, r.DefaultRegion, accept)
}

// CheckMobile checks a mobile phone number, the one that receives the
// login's SMS PIN, and returns it in E.164. It accepts libphonenumber's
// MOBILE and FIXED_LINE_OR_MOBILE types (the latter covers the United
// States and other regions whose mobile and fixed numbers share ranges)
// and refuses every other type with code number_type: fixed-line,
// premium-rate, shared-cost, toll-free, VoIP, personal, pager, UAN and
// voicemail numbers. VoIP numbers are refused because many cannot
// receive SMS; Rules.AllowVoIPMobile accepts them. defaultRegion reads
// national numbers, as in PhoneRule.
func CheckMobile(s, defaultRegion string) (string, error) {
	return checkPhone(s, defaultRegion, mobileTypes)
}

// CheckPhone checks a phone number that need not receive SMS (a business
// phone, a contact's phone, an account's SMS number) and returns it in
// E.164. Every valid number is accepted except premium-rate and
// shared-cost numbers (code number_type), which cost their caller
// money. defaultRegion reads national numbers, as in PhoneRule.
func CheckPhone(s, defaultRegion string) (string, error) {
	return checkPhone(s, defaultRegion, businessTypes)
}

// typeMask is a set of phonenumbers.PhoneNumberType.
type typeMask uint32

func maskOf(t phonenumbers.PhoneNumberType) typeMask {
	if t < 0 || t > phonenumbers.UNKNOWN {
		return 0
	}
	return 1 << uint(t)
}

const (
	mobileTypes   = typeMask(1<<phonenumbers.MOBILE | 1<<phonenumbers.FIXED_LINE_OR_MOBILE)
	businessTypes = typeMask(1<<phonenumbers.FIXED_LINE | 1<<phonenumbers.MOBILE | 1<<phonenumbers.FIXED_LINE_OR_MOBILE |
		1<<phonenumbers.TOLL_FREE | 1<<phonenumbers.VOIP | 1<<phonenumbers.PERSONAL_NUMBER |
		1<<phonenumbers.PAGER | 1<<phonenumbers.UAN | 1<<phonenumbers.VOICEMAIL)
)

// typeName names the number types in messages.
func typeName(t phonenumbers.PhoneNumberType) string {
	switch t {
	case phonenumbers.FIXED_LINE:
		return "fixed-line"
	case phonenumbers.MOBILE:
		return "mobile"
	case phonenumbers.FIXED_LINE_OR_MOBILE:
		return "fixed-line or mobile"
	case phonenumbers.TOLL_FREE:
		return "toll-free"
	case phonenumbers.PREMIUM_RATE:
		return "premium-rate"
	case phonenumbers.SHARED_COST:
		return "shared-cost"
	case phonenumbers.VOIP:
		return "VoIP"
	case phonenumbers.PERSONAL_NUMBER:
		return "personal"
	case phonenumbers.PAGER:
		return "pager"
	case phonenumbers.UAN:
		return "universal access"
	case phonenumbers.VOICEMAIL:
		return "voicemail"
	}
	return "unknown"
}

const msgPhoneChars = "must contain only digits, spaces, dashes, dots and parentheses, after an optional +"

// checkPhone parses s once and returns it in E.164 when its type is in
// accept.
func checkPhone(s, defaultRegion string, accept typeMask) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errRequired()
	}
	if len(s) > MaxPhoneInputLen {
		return "", ruleErr(CodeTooLong, "must be at most "+strconv.Itoa(MaxPhoneInputLen)+" characters")
	}
	// Keep the digits; at most 17 of them (15 for E.164, plus "00" or
	// a trunk prefix).
	var buf [1 + 17]byte
	n, plus := 1, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			if n == len(buf) {
				return "", ruleErr(CodeInvalid, "has too many digits to be a phone number")
			}
			buf[n] = c
			n++
		case c == '+':
			if plus || n > 1 {
				return "", ruleErr(CodeInvalid, msgPhoneChars)
			}
			plus = true
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/':
		default:
			return "", ruleErr(CodeInvalid, msgPhoneChars)
		}
	}
	start := 1 // buf[start:n] is what libphonenumber reads
	if n == start {
		return "", ruleErr(CodeInvalid, "must contain digits")
	}
	if !plus && n-start > 2 && buf[1] == '0' && buf[2] == '0' {
		plus, start = true, 3
	}
	region := ""
	if plus {
		start--
		buf[start] = '+'
	} else {
		region = upperRegion(defaultRegion)
		if region == "" || phonenumbers.GetCountryCodeForRegion(region) == 0 {
			return "", ruleErr(CodeRegion, "must start with + and the country code")
		}
	}
	in := string(buf[start:n])
	num, err := phonenumbers.Parse(in, region)
	if err != nil {
		return "", phoneInvalid(num, err)
	}
	// GetNumberType is UNKNOWN exactly when IsValidNumber is false (both
	// match the national number against the region's patterns), so one
	// call answers both questions.
	t := phonenumbers.GetNumberType(num)
	if t == phonenumbers.UNKNOWN {
		return "", phoneInvalid(num, nil)
	}
	e164 := phonenumbers.Format(num, phonenumbers.E164)
	if len(e164) > 16 {
		// libphonenumber knows a few longer ranges (German fixed lines),
		// but E.164, and many SMS gateways, stop at 15 digits.
		return "", ruleErr(CodeInvalid, "has more than 15 digits")
	}
	if accept&maskOf(t) == 0 {
		if accept == mobileTypes || accept == mobileTypes|maskOf(phonenumbers.VOIP) {
			return "", ruleErr(CodeType, "must be a mobile number, not a "+typeName(t)+" number")
		}
		return "", ruleErr(CodeType, typeName(t)+" numbers are not accepted")
	}
	return e164, nil
}

// phoneInvalid explains why a number is not valid, as far as
// libphonenumber can tell.
func phoneInvalid(num *phonenumbers.PhoneNumber, err error) error {
	if errors.Is(err, phonenumbers.ErrNotANumber) || errors.Is(err, phonenumbers.ErrTooShortNSN) || errors.Is(err, phonenumbers.ErrTooShortAfterIDD) {
		return ruleErr(CodeInvalid, "is too short to be a phone number")
	}
	if errors.Is(err, phonenumbers.ErrInvalidCountryCode) {
		return ruleErr(CodeInvalid, "has an unknown country code")
	}
	if err == nil && num != nil {
		switch phonenumbers.IsPossibleNumberWithReason(num) {
		case phonenumbers.TOO_SHORT:
			return ruleErr(CodeInvalid, "is too short for its country")
		case phonenumbers.TOO_LONG:
			return ruleErr(CodeInvalid, "is too long for its country")
		case phonenumbers.INVALID_COUNTRY_CODE:
			return ruleErr(CodeInvalid, "has an unknown country code")
		}
	}
	return ruleErr(CodeInvalid, "is not a valid phone number")
}

// upperRegion returns a two-letter region in upper case, or "".
func upperRegion(r string) string {
	r = strings.TrimSpace(r)
	if len(r) != 2 {
		return ""
	}
	b := [2]byte{r[0], r[1]}
	for i, c := range b {
		switch {
		case 'a' <= c && c <= 'z':
			b[i] = c - 'a' + 'A'
		case 'A' <= c && c <= 'Z':
		default:
			return ""
		}
	}
	if b == [2]byte{r[0], r[1]} {
		return r
	}
	return string(b[:])
}
