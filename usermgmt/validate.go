package usermgmt

import (
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // CheckTimeZone must work on machines without a zoneinfo database
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

// Limits of the validation rules (DESIGN.md, "The rules").
const (
	// DefaultUsernameMinLen is the shortest username, in characters,
	// when Rules.UsernameMinLen is zero (seed: "at least four
	// characters").
	DefaultUsernameMinLen = 4
	// MaxUsernameLen is the longest username or system user id, in
	// characters.
	MaxUsernameLen = 64
	// MaxEmailLen is the longest e-mail address, in bytes (RFC 5321's
	// limit on a forward path, less the angle brackets).
	MaxEmailLen = 254
	// MaxNameLen is the longest first or last name, in characters.
	MaxNameLen = 100
	// MaxCompanyLen is the longest company name, in characters.
	MaxCompanyLen = 200
	// MaxFriendlyNameLen is the longest friendly name, in characters.
	MaxFriendlyNameLen = 200
	// MaxCodeLen is the longest customer code or UDID, in characters.
	MaxCodeLen = 100
	// MaxNotesLen is the longest note, in characters.
	MaxNotesLen = 4000
)

// RuleError is the error a single rule returns: a stable Code (one of
// the Code constants, such as CodeTooShort) and a readable, lower-case
// Message that does not repeat the field's name nor any secret. It
// matches ErrInvalid with errors.Is.
//
// Every Check function returns either nil or a *RuleError, so a caller
// can record it on a ValidationError under the field it checked.
type RuleError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error returns the message, e.g. "must be at least 4 characters". The
// caller names the field.
func (e *RuleError) Error() string { return e.Message }

// Is reports whether target is ErrInvalid.
func (e *RuleError) Is(target error) bool { return target == ErrInvalid }

func ruleErr(code, message string) error { return &RuleError{Code: code, Message: message} }

// problems gathers what is wrong with one value: the first code found
// is the error's code, and the message names every problem.
type problems struct {
	code string
	msgs []string
}

func (p *problems) add(code, message string) {
	if p.code == "" {
		p.code = code
	}
	p.msgs = append(p.msgs, message)
}

func (p *problems) err() error {
	if p.code == "" {
		return nil
	}
	return ruleErr(p.code, strings.Join(p.msgs, " and "))
}

// Messages shared by several rules. Each error is a new value, so a
// caller who changes one changes nobody else's.
const (
	msgNotUTF8   = "must be valid UTF-8 text"
	msgRequired  = "is required"
	msgTimeZone  = "must be an IANA time zone name such as Europe/London"
	msgLanguage  = "must be a BCP 47 language tag such as en-GB"
	msgCountry   = "must be an ISO 3166-1 two-letter country code such as GB"
	msgEmail     = "must be a single e-mail address such as name@example.com, without a display name"
	msgEmailLong = "must be at most 254 bytes"
)

func errNotUTF8() error  { return ruleErr(CodeInvalid, msgNotUTF8) }
func errRequired() error { return ruleErr(CodeRequired, msgRequired) }

// CheckUsername checks a person's username and returns it normalised:
// NFC, with surrounding white space removed. Letters of any script
// (with their combining marks), digits, '.', '-', '_' and spaces are
// allowed; the result is at least minLen characters long (0 means
// DefaultUsernameMinLen) and at most MaxUsernameLen. Case is kept;
// uniqueness is decided on UsernameKey.
//
// Codes: required, invalid (not UTF-8), invalid_characters, too_short,
// too_long.
func CheckUsername(s string, minLen int) (string, error) {
	if minLen <= 0 {
		minLen = DefaultUsernameMinLen
	}
	if !utf8.ValidString(s) {
		return "", errNotUTF8()
	}
	s = strings.TrimSpace(norm.NFC.String(s))
	if s == "" {
		return "", errRequired()
	}
	n, bad, afterLetter := 0, false, false
	for _, r := range s {
		n++
		switch {
		case unicode.IsLetter(r):
			afterLetter = true
		case unicode.Is(unicode.M, r) && afterLetter:
			// a combining mark belongs to the letter before it
		case unicode.IsDigit(r) || r == '.' || r == '-' || r == '_' || r == ' ':
			afterLetter = false
		default:
			bad = true
			afterLetter = false
		}
	}
	var p problems
	if bad {
		p.add(CodeChars, "may contain only letters, digits, '.', '-', '_' and spaces")
	}
	switch {
	case n < minLen:
		p.add(CodeTooShort, "must be at least "+strconv.Itoa(minLen)+" characters")
	case n > MaxUsernameLen:
		p.add(CodeTooLong, "must be at most "+strconv.Itoa(MaxUsernameLen)+" characters")
	}
	if err := p.err(); err != nil {
		return "", err
	}
	return s, nil
}

// CheckSystemID checks the user id of a system (API integration) user,
// seed 003: "a-z, 0-9, no special characters or spaces". ASCII upper
// case is folded to lower case before the check, since ids are compared
// case-insensitively anyway (UsernameKey), so "CRM2SMS" becomes
// "crm2sms"; any other character is refused. The id is 4 to 64
// characters long.
//
// Codes: required, invalid_characters, too_short, too_long.
func CheckSystemID(s string) (string, error) {
	return checkSystemID(s, DefaultUsernameMinLen)
}

func checkSystemID(s string, minLen int) (string, error) {
	if minLen <= 0 {
		minLen = DefaultUsernameMinLen
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errRequired()
	}
	var p problems
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case 'A' <= c && c <= 'Z':
			upper = true
		default:
			p.add(CodeChars, "may contain only a-z and 0-9, without spaces or symbols")
			i = len(s)
		}
	}
	n := utf8.RuneCountInString(s)
	switch {
	case n < minLen:
		p.add(CodeTooShort, "must be at least "+strconv.Itoa(minLen)+" characters")
	case n > MaxUsernameLen:
		p.add(CodeTooLong, "must be at most "+strconv.Itoa(MaxUsernameLen)+" characters")
	}
	if err := p.err(); err != nil {
		return "", err
	}
	if upper {
		s = strings.ToLower(s) // ASCII only at this point
	}
	return s, nil
}

// CheckEmail checks an e-mail address and returns it normalised: NFC,
// trimmed, with the domain in lower case. The local part keeps its
// case; uniqueness is decided on EmailKey.
//
// The input must be exactly one addr-spec as net/mail reads it, and
// nothing else: no display name ("Ann <ann@example.com>"), no comment,
// no quoted local part, no white space, no list. The local part is at
// most 64 bytes, the whole address at most MaxEmailLen bytes, and the
// domain a host name of at least two labels (letters of any script,
// digits and '-', not starting or ending with '-', the last label not
// all digits), so address literals such as "a@[192.0.2.1]" and
// single-label domains such as "root@localhost" are refused.
//
// Codes: required, invalid, too_long.
func CheckEmail(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", errNotUTF8()
	}
	s = strings.TrimSpace(norm.NFC.String(s))
	if s == "" {
		return "", errRequired()
	}
	if len(s) > MaxEmailLen {
		return "", ruleErr(CodeTooLong, msgEmailLong)
	}
	if strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(`<>"(),;:\[]`, r)
	}) {
		return "", ruleErr(CodeInvalid, msgEmail)
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return "", ruleErr(CodeInvalid, msgEmail)
	}
	local, domain := s[:at], s[at+1:]
	if len(local) > 64 {
		return "", &RuleError{Code: CodeTooLong, Message: "must have at most 64 bytes before the @"}
	}
	if !hostName(domain) {
		return "", ruleErr(CodeInvalid, msgEmail)
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", ruleErr(CodeInvalid, msgEmail)
	}
	if lower := strings.ToLower(domain); lower != domain {
		s = local + "@" + lower
	}
	return s, nil
}

// hostName reports whether d is a domain name of two labels or more.
func hostName(d string) bool {
	if len(d) > 253 {
		return false
	}
	labels := 0
	for d != "" {
		label := d
		if i := strings.IndexByte(d, '.'); i >= 0 {
			label, d = d[:i], d[i+1:]
			if d == "" {
				return false // trailing dot
			}
		} else {
			d = ""
		}
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		digits := true
		for _, r := range label {
			switch {
			case '0' <= r && r <= '9':
			case r == '-' || unicode.IsLetter(r) || unicode.Is(unicode.M, r) || (r > 0x7f && unicode.IsDigit(r)):
				digits = false
			default:
				return false
			}
		}
		labels++
		if d == "" && digits {
			return false // the top-level label is never numeric
		}
	}
	return labels >= 2
}

// CheckTimeZone checks an IANA time zone name such as "Europe/London"
// or "UTC" and returns it trimmed. The package embeds time/tzdata, so
// every name of the IANA database is known on any machine. "Local" is
// refused: it names the server's zone, not the user's.
//
// Codes: required, invalid.
func CheckTimeZone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errRequired()
	}
	if len(s) > 64 || s == "Local" || s[0] == '/' {
		return "", ruleErr(CodeInvalid, msgTimeZone)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '/' || c == '_' || c == '-' || c == '+') {
			return "", ruleErr(CodeInvalid, msgTimeZone)
		}
	}
	if _, err := time.LoadLocation(s); err != nil {
		return "", ruleErr(CodeInvalid, msgTimeZone)
	}
	return s, nil
}

// CheckLanguage checks a BCP 47 language tag and returns its canonical
// form: "en-gb" and "EN_GB" become "en-GB", the deprecated "iw" becomes
// "he". A tag without a known language ("und", "x-private") is refused.
//
// Codes: required, invalid.
func CheckLanguage(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errRequired()
	}
	if len(s) > 64 {
		return "", ruleErr(CodeInvalid, msgLanguage)
	}
	tag, err := language.Parse(s)
	if err != nil {
		return "", ruleErr(CodeInvalid, msgLanguage)
	}
	if _, conf := tag.Base(); conf != language.Exact {
		return "", ruleErr(CodeInvalid, msgLanguage)
	}
	return tag.String(), nil
}

// CheckCountry checks an ISO 3166-1 alpha-2 country code and returns it
// in upper case. The code must be one libphonenumber knows, since a
// user's country is also the default region for reading national phone
// numbers (seed 003: "the user's default country code"). "UK", which
// ISO reserves for the United Kingdom, is read as "GB".
//
// Codes: required, invalid.
func CheckCountry(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errRequired()
	}
	if len(s) != 2 {
		return "", ruleErr(CodeInvalid, msgCountry)
	}
	b := [2]byte{s[0], s[1]}
	for i, c := range b {
		switch {
		case 'a' <= c && c <= 'z':
			b[i] = c - 'a' + 'A'
		case 'A' <= c && c <= 'Z':
		default:
			return "", ruleErr(CodeInvalid, msgCountry)
		}
	}
	s = string(b[:])
	if s == "UK" {
		s = "GB"
	}
	if phonenumbers.GetCountryCodeForRegion(s) == 0 {
		return "", ruleErr(CodeInvalid, msgCountry)
	}
	return s, nil
}

// TextRule checks a free-text field. Every rule refuses invalid UTF-8,
// control characters (tab and line breaks are allowed when Multiline is
// set), and bidirectional embedding, override and isolate controls,
// which can make text display as something it is not.
type TextRule struct {
	// Required refuses an empty (or all white space) value.
	Required bool
	// MaxRunes is the longest value in characters; 0 means 100.
	MaxRunes int
	// Multiline allows line breaks and tabs (notes).
	Multiline bool
	// Printable allows only printable characters (letters, marks,
	// numbers, punctuation, symbols and the ASCII space, per
	// unicode.IsPrint), for codes and identifiers rather than names.
	Printable bool
	// NoSpaces refuses white space anywhere (an identifier such as a
	// UDID).
	NoSpaces bool
}

// Check returns s normalised (NFC, surrounding white space removed) or
// a *RuleError. Codes: required, invalid (not UTF-8), too_long,
// invalid_characters.
func (t TextRule) Check(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", errNotUTF8()
	}
	s = strings.TrimSpace(norm.NFC.String(s))
	if s == "" {
		if t.Required {
			return "", errRequired()
		}
		return "", nil
	}
	maxRunes := t.MaxRunes
	if maxRunes <= 0 {
		maxRunes = 100
	}
	n := 0
	var bad string
	for _, r := range s {
		n++
		if bad != "" {
			continue
		}
		switch {
		case r == '\n' || r == '\r' || r == '\t' || r == '\u2028' || r == '\u2029':
			if !t.Multiline {
				bad = "must be a single line"
			}
		case unicode.IsControl(r):
			bad = "must not contain control characters"
		case '\u202a' <= r && r <= '\u202e', '\u2066' <= r && r <= '\u2069':
			bad = "must not contain bidirectional control characters"
		case t.NoSpaces && unicode.IsSpace(r):
			bad = "must not contain spaces"
		case t.Printable && !unicode.IsPrint(r):
			bad = "must contain only printable characters"
		}
	}
	var p problems
	if bad != "" {
		p.add(CodeChars, bad)
	}
	if n > maxRunes {
		p.add(CodeTooLong, "must be at most "+strconv.Itoa(maxRunes)+" characters")
	}
	if err := p.err(); err != nil {
		return "", err
	}
	return s, nil
}

// CheckName checks a first or last name: required, at most MaxNameLen
// characters, no control characters; returned NFC and trimmed.
func CheckName(s string) (string, error) {
	return TextRule{Required: true, MaxRunes: MaxNameLen}.Check(s)
}

// Rules validates and normalises what users and admins type in. The
// zero value applies the defaults of DESIGN.md: the seed password
// policy, usernames of at least 4 characters, phone numbers in
// international form only (no default region), VoIP numbers refused as
// mobile phones.
//
// Rules is a plain value, safe to copy and to use concurrently.
type Rules struct {
	// Password is the password policy; the zero value is
	// SeedPasswordPolicy. NISTPasswordPolicy is the alternative.
	Password PasswordPolicy
	// UsernameMinLen is the shortest username (and system user id) in
	// characters; 0 means DefaultUsernameMinLen.
	UsernameMinLen int
	// DefaultRegion is the ISO 3166-1 alpha-2 region in which phone
	// numbers typed without '+' and country code are read, e.g. "GB".
	// Empty means such numbers are refused (code region_required). A
	// user's own Country, when set and valid, takes precedence for the
	// user's phones.
	DefaultRegion string
	// AllowVoIPMobile accepts VoIP numbers as mobile phones. They are
	// refused by default: the SMS PIN of the login goes to the mobile
	// phone, and many VoIP numbers cannot receive SMS.
	AllowVoIPMobile bool
}

// CheckUsername checks a username for a user of kind k: CheckSystemID
// for system users, CheckUsername with r.UsernameMinLen otherwise.
func (r Rules) CheckUsername(s string, k Kind) (string, error) {
	if k == KindSystem {
		return checkSystemID(s, r.UsernameMinLen)
	}
	return CheckUsername(s, r.UsernameMinLen)
}

// CheckMobile checks a mobile phone number with r's default region and
// VoIP setting, and returns it in E.164.
func (r Rules) CheckMobile(s string) (string, error) {
	return checkPhone(s, r.DefaultRegion, r.mobileTypes())
}

// CheckPhone checks a business phone (or any phone that need not
// receive SMS) with r's default region, and returns it in E.164.
func (r Rules) CheckPhone(s string) (string, error) {
	return checkPhone(s, r.DefaultRegion, businessTypes)
}

func (r Rules) mobileTypes() typeMask {
	if r.AllowVoIPMobile {
		return mobileTypes | maskOf(phonenumbers.VOIP)
	}
	return mobileTypes
}

// CheckPassword checks a password against r.Password for the user
// named username, and returns a *ValidationError on field "password",
// or nil.
func (r Rules) CheckPassword(password, username string) error {
	if err := r.Password.Check(password, username); err != nil {
		ve := &ValidationError{}
		recordRule(ve, "password", err)
		return ve
	}
	return nil
}

// CheckUser validates u for a create or an update and normalises it in
// place. It returns a *ValidationError listing every failing field, in
// the order of User's fields, or nil. Field names are User's JSON
// names. A failing field keeps the value it had.
//
// Defaults: an empty Kind becomes person, an empty Type end user, an
// empty ServiceLevel archive. An empty Status is accepted (the service
// sets it). Immutability (username, owner) and uniqueness are the
// caller's to enforce.
//
// People need a username (CheckUsername), first and last names, an
// e-mail address and a mobile phone. System users need a system id
// (CheckSystemID); everything else is optional for them, and checked
// when present. National phone numbers are read in the user's Country
// when it is set and valid, and in r.DefaultRegion otherwise.
func (r Rules) CheckUser(u *User) error {
	var ve ValidationError
	if u == nil {
		ve.Add("user", CodeRequired, "is required")
		return &ve
	}
	if u.Kind == "" {
		u.Kind = KindPerson
	}
	if !u.Kind.Valid() {
		ve.Add("kind", CodeInvalid, "must be person or system")
	}
	if u.Type == "" {
		u.Type = TypeEndUser
	}
	if !u.Type.Valid() {
		ve.Add("type", CodeInvalid, "must be owner, admin or end_user")
	}
	if u.Status != "" && !u.Status.Valid() {
		ve.Add("status", CodeInvalid, "must be pending, active, suspended, disabled or deleted")
	}
	person := u.Kind != KindSystem

	set(&ve, "username", &u.Username, func(s string) (string, error) { return r.CheckUsername(s, u.Kind) })
	names := TextRule{Required: person, MaxRunes: MaxNameLen}
	setText(&ve, "first_name", &u.FirstName, names)
	setText(&ve, "last_name", &u.LastName, names)
	if person || strings.TrimSpace(u.Email) != "" {
		set(&ve, "email", &u.Email, CheckEmail)
	} else {
		u.Email = ""
	}

	// The country is reported in its place below, but read first: it
	// is the region of the user's national phone numbers.
	region, country, countryErr := r.DefaultRegion, "", error(nil)
	if strings.TrimSpace(u.Country) != "" {
		if country, countryErr = CheckCountry(u.Country); countryErr == nil {
			region = country
		}
	}
	if person || strings.TrimSpace(u.MobilePhone) != "" {
		mobile := r.mobileTypes()
		set(&ve, "mobile_phone", &u.MobilePhone, func(s string) (string, error) { return checkPhone(s, region, mobile) })
	} else {
		u.MobilePhone = ""
	}
	setOptional(&ve, "business_phone", &u.BusinessPhone, func(s string) (string, error) { return checkPhone(s, region, businessTypes) })
	setText(&ve, "company", &u.Company, TextRule{MaxRunes: MaxCompanyLen})
	setText(&ve, "customer_code", &u.CustomerCode, TextRule{MaxRunes: MaxCodeLen, Printable: true})
	setText(&ve, "udid", &u.UDID, TextRule{MaxRunes: MaxCodeLen, Printable: true, NoSpaces: true})
	setOptional(&ve, "time_zone", &u.TimeZone, CheckTimeZone)
	setOptional(&ve, "language", &u.Language, CheckLanguage)
	if countryErr != nil {
		recordRule(&ve, "country", countryErr)
	} else {
		u.Country = country
	}
	setText(&ve, "friendly_name", &u.FriendlyName, TextRule{MaxRunes: MaxFriendlyNameLen})
	setText(&ve, "notes", &u.Notes, TextRule{MaxRunes: MaxNotesLen, Multiline: true})

	switch l := ServiceLevel(strings.ToLower(strings.TrimSpace(string(u.ServiceLevel)))); {
	case l == "":
		u.ServiceLevel = LevelArchive
	case l.Valid():
		u.ServiceLevel = l
	default:
		ve.Add("service_level", CodeInvalid, "must be archive or pro")
	}
	checkServices(&ve, u)
	setOptional(&ve, "default_number", &u.DefaultNumber, func(s string) (string, error) { return checkPhone(s, r.DefaultRegion, businessTypes) })

	if len(ve.Fields) == 0 {
		return nil
	}
	out := ve
	return &out
}

// checkServices folds the channels to lower case and refuses unknown
// ones and duplicates. The slice is copied before it is changed, since
// it may be shared with the caller's input.
func checkServices(ve *ValidationError, u *User) {
	var sms, fax, copied bool
	for i, c := range u.Services {
		c = Channel(strings.ToLower(strings.TrimSpace(string(c))))
		var seen *bool
		switch c {
		case ChannelSMS:
			seen = &sms
		case ChannelFax:
			seen = &fax
		default:
			ve.Add("services", CodeInvalid, "must be sms or fax")
			return
		}
		if *seen {
			ve.Add("services", CodeInvalid, "must not list "+string(c)+" twice")
			return
		}
		*seen = true
		if u.Services[i] != c {
			if !copied {
				u.Services, copied = slices.Clone(u.Services), true
			}
			u.Services[i] = c
		}
	}
}

// set runs check on *field and stores the result, or records the error.
func set(ve *ValidationError, name string, field *string, check func(string) (string, error)) {
	v, err := check(*field)
	if err != nil {
		recordRule(ve, name, err)
		return
	}
	*field = v
}

// setOptional is set for a field that may be empty.
func setOptional(ve *ValidationError, name string, field *string, check func(string) (string, error)) {
	if strings.TrimSpace(*field) == "" {
		*field = ""
		return
	}
	set(ve, name, field, check)
}

func setText(ve *ValidationError, name string, field *string, rule TextRule) {
	v, err := rule.Check(*field)
	if err != nil {
		recordRule(ve, name, err)
		return
	}
	*field = v
}

// recordRule records a rule's error on a field.
func recordRule(ve *ValidationError, field string, err error) {
	if re, ok := err.(*RuleError); ok {
		ve.Add(field, re.Code, re.Message)
		return
	}
	ve.Add(field, CodeInvalid, err.Error())
}
