package sms

import (
	"fmt"

	"github.com/nyaruka/phonenumbers"
)

// NumberType is the kind of a phone number, as libphonenumber tells it
// from the number alone.
type NumberType string

// The number types. Only mobile numbers (and, where the numbering plan
// cannot tell them apart, fixed-line-or-mobile ones) receive SMS
// reliably; the others are where SMS pumping sends traffic.
const (
	NumberMobile            NumberType = "mobile"
	NumberFixedLineOrMobile NumberType = "fixed_line_or_mobile"
	NumberFixedLine         NumberType = "fixed_line"
	NumberTollFree          NumberType = "toll_free"
	NumberPremiumRate       NumberType = "premium_rate"
	NumberSharedCost        NumberType = "shared_cost"
	NumberVoIP              NumberType = "voip"
	NumberPersonal          NumberType = "personal"
	NumberPager             NumberType = "pager"
	NumberUAN               NumberType = "uan"
	NumberVoicemail         NumberType = "voicemail"
	NumberUnknown           NumberType = "unknown"
)

// numberType maps libphonenumber's types to ours.
func numberType(t phonenumbers.PhoneNumberType) NumberType {
	switch t {
	case phonenumbers.MOBILE:
		return NumberMobile
	case phonenumbers.FIXED_LINE_OR_MOBILE:
		return NumberFixedLineOrMobile
	case phonenumbers.FIXED_LINE:
		return NumberFixedLine
	case phonenumbers.TOLL_FREE:
		return NumberTollFree
	case phonenumbers.PREMIUM_RATE:
		return NumberPremiumRate
	case phonenumbers.SHARED_COST:
		return NumberSharedCost
	case phonenumbers.VOIP:
		return NumberVoIP
	case phonenumbers.PERSONAL_NUMBER:
		return NumberPersonal
	case phonenumbers.PAGER:
		return NumberPager
	case phonenumbers.UAN:
		return NumberUAN
	case phonenumbers.VOICEMAIL:
		return NumberVoicemail
	}
	return NumberUnknown
}

// Destination is what the numbering plan says about a number.
type Destination struct {
	// Number is the number in E.164 form.
	Number string
	// CallingCode is the country calling code (44 for "+44...").
	CallingCode int
	// Region is the ISO 3166-1 alpha-2 region ("GB"), or "" when the
	// calling code is shared and the number fits no region's plan.
	Region string
	// Type is the number type.
	Type NumberType
}

// IsE164 reports whether s is in E.164 form: "+", a first digit 1-9 and
// up to 14 more digits, at least 7 in all.
func IsE164(s string) bool {
	if len(s) < 8 || len(s) > 16 || s[0] != '+' || s[1] < '1' || s[1] > '9' {
		return false
	}
	for i := 2; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// Lookup tells the region and type of an E.164 number. A string not in
// E.164 form is ErrInvalidMessage; a number the numbering plan does not
// know is a *RefusedError with ReasonInvalidNumber (matching ErrRefused).
func Lookup(number string) (Destination, error) {
	if !IsE164(number) {
		if len(number) > 20 || !printableASCII(number) {
			return Destination{}, fmt.Errorf("%w: destination not in e.164 form", ErrInvalidMessage)
		}
		return Destination{}, fmt.Errorf("%w: destination %q not in e.164 form", ErrInvalidMessage, Mask(number))
	}
	n, err := phonenumbers.Parse(number, "")
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return Destination{}, &RefusedError{Reason: ReasonInvalidNumber, To: Mask(number)}
	}
	region := phonenumbers.GetRegionCodeForNumber(n)
	if region == "ZZ" || region == "001" {
		region = ""
	}
	return Destination{
		Number:      number,
		CallingCode: int(n.GetCountryCode()),
		Region:      region,
		Type:        numberType(phonenumbers.GetNumberType(n)),
	}, nil
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}
