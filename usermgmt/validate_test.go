package usermgmt_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"

	"github.com/rosterkit/roster/usermgmt"
)

// ruleCase is one row of a rule's table: the input, and either the
// normalised output (code "") or the stable code of the error.
type ruleCase struct {
	name string
	in   string
	want string
	code string
}

// runRule runs a table against one rule.
func runRule(t *testing.T, check func(string) (string, error), cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := check(tc.in)
			if tc.code == "" {
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
				again, err := check(got)
				require.NoError(t, err, "a normalised value is accepted again")
				assert.Equal(t, got, again, "normalising is idempotent")
				return
			}
			require.Error(t, err)
			assert.Empty(t, got)
			assertRuleCode(t, err, tc.code)
		})
	}
}

// assertRuleCode checks that err is a well-formed *RuleError with code.
func assertRuleCode(t *testing.T, err error, code string) {
	t.Helper()
	var re *usermgmt.RuleError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, code, re.Code, "message: %s", re.Message)
	assert.ErrorIs(t, err, usermgmt.ErrInvalid)
	assertMessage(t, re.Message)
}

// assertMessage checks the style of an error message.
func assertMessage(t *testing.T, msg string) {
	t.Helper()
	require.NotEmpty(t, msg)
	assert.Equal(t, strings.ToLower(msg[:1]), msg[:1], "messages start in lower case: %q", msg)
	assert.False(t, strings.HasSuffix(msg, ".") || strings.HasSuffix(msg, "!"), "no trailing punctuation: %q", msg)
}

func TestRuleError(t *testing.T) {
	t.Parallel()
	var err error = &usermgmt.RuleError{Code: usermgmt.CodeTooShort, Message: "must be at least 4 characters"}
	assert.ErrorIs(t, err, usermgmt.ErrInvalid)
	assert.NotErrorIs(t, err, usermgmt.ErrConflict)
	assert.Equal(t, "must be at least 4 characters", err.Error())
}

func TestCheckUsername(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", usermgmt.MaxUsernameLen)
	runRule(t, func(s string) (string, error) { return usermgmt.CheckUsername(s, 0) }, []ruleCase{
		{name: "3 characters", in: "abc", code: usermgmt.CodeTooShort},
		{name: "4 characters", in: "abcd", want: "abcd"},
		{name: "trimmed before counting", in: "  abc  ", code: usermgmt.CodeTooShort},
		{name: "trimmed", in: "  abcd \t", want: "abcd"},
		{name: "empty", in: "", code: usermgmt.CodeRequired},
		{name: "blank", in: "   ", code: usermgmt.CodeRequired},
		{name: "seed characters", in: "John.Smith-2_x y", want: "John.Smith-2_x y"},
		{name: "case kept", in: "Alice", want: "Alice"},
		{name: "digits only", in: "1234", want: "1234"},
		{name: "other scripts", in: "Иван Петров", want: "Иван Петров"},
		{name: "cjk", in: "山田太郎", want: "山田太郎"},
		{name: "combining marks", in: "हिन्दी", want: "हिन्दी"},
		{name: "nfc before counting", in: "A\u030asa", code: usermgmt.CodeTooShort},
		{name: "nfc result", in: "A\u030asab", want: "\u00c5sab"},
		{name: "mark first", in: "\u0301abcd", code: usermgmt.CodeChars},
		{name: "at sign", in: "ann@example.com", code: usermgmt.CodeChars},
		{name: "symbols", in: "ab!cd", code: usermgmt.CodeChars},
		{name: "chars before length", in: "ab!", code: usermgmt.CodeChars},
		{name: "tab inside", in: "ab\tcd", code: usermgmt.CodeChars},
		{name: "nul", in: "ab\x00cd", code: usermgmt.CodeChars},
		{name: "newline", in: "ab\ncd", code: usermgmt.CodeChars},
		{name: "del", in: "ab\x7fcd", code: usermgmt.CodeChars},
		{name: "no-break space", in: "ab\u00a0cd", code: usermgmt.CodeChars},
		{name: "bidi override", in: "abcd\u202e", code: usermgmt.CodeChars},
		{name: "zero width space", in: "ab\u200bcd", code: usermgmt.CodeChars},
		{name: "emoji", in: "abcd😀", code: usermgmt.CodeChars},
		{name: "invalid utf-8", in: "abc\xffd", code: usermgmt.CodeInvalid},
		{name: "64 characters", in: long, want: long},
		{name: "65 characters", in: long + "b", code: usermgmt.CodeTooLong},
		{name: "64 runes of 2 bytes", in: strings.Repeat("é", 64), want: strings.Repeat("é", 64)},
	})
	t.Run("minimum length is configurable", func(t *testing.T) {
		t.Parallel()
		got, err := usermgmt.CheckUsername("abc", 3)
		require.NoError(t, err)
		assert.Equal(t, "abc", got)
		_, err = usermgmt.CheckUsername("abcde", 6)
		assertRuleCode(t, err, usermgmt.CodeTooShort)
		assert.Contains(t, err.Error(), "at least 6")
	})
	t.Run("message names every problem", func(t *testing.T) {
		t.Parallel()
		_, err := usermgmt.CheckUsername("a!", 0)
		require.Error(t, err)
		assert.Equal(t, "may contain only letters, digits, '.', '-', '_' and spaces and must be at least 4 characters", err.Error())
	})
}

func TestCheckSystemID(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a1", 32)
	runRule(t, usermgmt.CheckSystemID, []ruleCase{
		{name: "seed example", in: "crm2sms", want: "crm2sms"},
		{name: "upper case folded", in: "CRM2SMS", want: "crm2sms"},
		{name: "trimmed", in: " crm2sms ", want: "crm2sms"},
		{name: "3 characters", in: "abc", code: usermgmt.CodeTooShort},
		{name: "4 characters", in: "abcd", want: "abcd"},
		{name: "64 characters", in: long, want: long},
		{name: "65 characters", in: long + "x", code: usermgmt.CodeTooLong},
		{name: "empty", in: "", code: usermgmt.CodeRequired},
		{name: "space", in: "crm sms", code: usermgmt.CodeChars},
		{name: "underscore", in: "crm_sms", code: usermgmt.CodeChars},
		{name: "dot", in: "crm.sms", code: usermgmt.CodeChars},
		{name: "symbols", in: "Bad Id!", code: usermgmt.CodeChars},
		{name: "email", in: "crm@example.com", code: usermgmt.CodeChars},
		{name: "kelvin sign is not k", in: "\u212abcd", code: usermgmt.CodeChars},
		{name: "accented", in: "crmé", code: usermgmt.CodeChars},
		{name: "invalid utf-8", in: "crm\xff", code: usermgmt.CodeChars},
	})
}

func TestCheckEmail(t *testing.T) {
	t.Parallel()
	label := strings.Repeat("d", 63)
	// 64 + 1 + 189 = 254 bytes.
	domain254 := label + "." + label + "." + strings.Repeat("d", 57) + ".com"
	local64 := strings.Repeat("l", 64)
	require.Len(t, local64+"@"+domain254, 254)
	runRule(t, usermgmt.CheckEmail, []ruleCase{
		{name: "plain", in: "ann@example.com", want: "ann@example.com"},
		{name: "trimmed, domain lower-cased, local part kept", in: "  Ann.Lee@Example.COM ", want: "Ann.Lee@example.com"},
		{name: "plus and dots", in: "ann.lee+tag@mail.example.co.uk", want: "ann.lee+tag@mail.example.co.uk"},
		{name: "atext symbols", in: "a!#$%&'*+/=?^_`{|}~-b@example.com", want: "a!#$%&'*+/=?^_`{|}~-b@example.com"},
		{name: "internationalised", in: "josé@exämple.com", want: "josé@exämple.com"},
		{name: "nfc", in: "jose\u0301@example.com", want: "jos\u00e9@example.com"},
		{name: "254 bytes", in: local64 + "@" + domain254, want: local64 + "@" + domain254},
		{name: "255 bytes", in: local64 + "@x" + domain254, code: usermgmt.CodeTooLong},
		{name: "local part 65 bytes", in: local64 + "l@example.com", code: usermgmt.CodeTooLong},
		{name: "empty", in: "", code: usermgmt.CodeRequired},
		{name: "blank", in: " \t ", code: usermgmt.CodeRequired},
		{name: "display name", in: "Ann Lee <ann@example.com>", code: usermgmt.CodeInvalid},
		{name: "angle brackets only", in: "<ann@example.com>", code: usermgmt.CodeInvalid},
		{name: "quoted display name", in: `"Ann Lee" <ann@example.com>`, code: usermgmt.CodeInvalid},
		{name: "encoded word display name", in: "=?utf-8?q?Ann?= <ann@example.com>", code: usermgmt.CodeInvalid},
		{name: "trailing comment", in: "ann@example.com (Ann)", code: usermgmt.CodeInvalid},
		{name: "two at signs", in: "ann@@example.com", code: usermgmt.CodeInvalid},
		{name: "two addresses in one", in: "ann@bob@example.com", code: usermgmt.CodeInvalid},
		{name: "list", in: "ann@example.com, bob@example.com", code: usermgmt.CodeInvalid},
		{name: "group", in: "team: ann@example.com;", code: usermgmt.CodeInvalid},
		{name: "quoted local part", in: `"ann lee"@example.com`, code: usermgmt.CodeInvalid},
		{name: "space inside", in: "ann lee@example.com", code: usermgmt.CodeInvalid},
		{name: "no at", in: "ann.example.com", code: usermgmt.CodeInvalid},
		{name: "no local part", in: "@example.com", code: usermgmt.CodeInvalid},
		{name: "no domain", in: "ann@", code: usermgmt.CodeInvalid},
		{name: "single label domain", in: "root@localhost", code: usermgmt.CodeInvalid},
		{name: "address literal", in: "ann@[192.0.2.1]", code: usermgmt.CodeInvalid},
		{name: "numeric domain", in: "ann@192.0.2.1", code: usermgmt.CodeInvalid},
		{name: "underscore in domain", in: "ann@exa_mple.com", code: usermgmt.CodeInvalid},
		{name: "hyphen at label start", in: "ann@-example.com", code: usermgmt.CodeInvalid},
		{name: "trailing dot", in: "ann@example.com.", code: usermgmt.CodeInvalid},
		{name: "empty label", in: "ann@example..com", code: usermgmt.CodeInvalid},
		{name: "leading dot", in: ".ann@example.com", code: usermgmt.CodeInvalid},
		{name: "double dot", in: "ann..lee@example.com", code: usermgmt.CodeInvalid},
		{name: "mailto", in: "mailto:ann@example.com", code: usermgmt.CodeInvalid},
		{name: "newline injection", in: "ann@example.com\nBcc: eve@example.com", code: usermgmt.CodeInvalid},
		{name: "nul", in: "ann\x00@example.com", code: usermgmt.CodeInvalid},
		{name: "invalid utf-8", in: "ann\xff@example.com", code: usermgmt.CodeInvalid},
	})
}

func TestCheckTimeZone(t *testing.T) {
	t.Parallel()
	runRule(t, usermgmt.CheckTimeZone, []ruleCase{
		{name: "city", in: "Europe/London", want: "Europe/London"},
		{name: "trimmed", in: " America/New_York ", want: "America/New_York"},
		{name: "hyphens", in: "America/Port-au-Prince", want: "America/Port-au-Prince"},
		{name: "three levels", in: "America/Argentina/Buenos_Aires", want: "America/Argentina/Buenos_Aires"},
		{name: "etc offset", in: "Etc/GMT+5", want: "Etc/GMT+5"},
		{name: "utc", in: "UTC", want: "UTC"},
		{name: "link", in: "Asia/Calcutta", want: "Asia/Calcutta"},
		{name: "empty", in: "", code: usermgmt.CodeRequired},
		{name: "local", in: "Local", code: usermgmt.CodeInvalid},
		{name: "wrong case", in: "europe/london", code: usermgmt.CodeInvalid},
		{name: "unknown", in: "Mars/Olympus_Mons", code: usermgmt.CodeInvalid},
		{name: "path traversal", in: "../../etc/passwd", code: usermgmt.CodeInvalid},
		{name: "absolute path", in: "/etc/localtime", code: usermgmt.CodeInvalid},
		{name: "trailing slash", in: "Europe/London/", code: usermgmt.CodeInvalid},
		{name: "directory", in: "Europe", code: usermgmt.CodeInvalid},
		{name: "offset", in: "+02:00", code: usermgmt.CodeInvalid},
		{name: "too long", in: strings.Repeat("A", 65), code: usermgmt.CodeInvalid},
		{name: "nul", in: "UTC\x00", code: usermgmt.CodeInvalid},
	})
}

func TestCheckLanguage(t *testing.T) {
	t.Parallel()
	runRule(t, usermgmt.CheckLanguage, []ruleCase{
		{name: "language", in: "en", want: "en"},
		{name: "canonical case", in: "en-gb", want: "en-GB"},
		{name: "underscore", in: "EN_us", want: "en-US"},
		{name: "script", in: "zh-hant-tw", want: "zh-Hant-TW"},
		{name: "deprecated code", in: "iw", want: "he"},
		{name: "trimmed", in: " fr-CA ", want: "fr-CA"},
		{name: "extension", in: "en-u-ca-gregory", want: "en-u-ca-gregory"},
		{name: "empty", in: "", code: usermgmt.CodeRequired},
		{name: "undetermined", in: "und", code: usermgmt.CodeInvalid},
		{name: "private use only", in: "x-private", code: usermgmt.CodeInvalid},
		{name: "unknown language", in: "zz", code: usermgmt.CodeInvalid},
		{name: "a word", in: "english", code: usermgmt.CodeInvalid},
		{name: "too long", in: "en-" + strings.Repeat("a-", 40), code: usermgmt.CodeInvalid},
		{name: "nul", in: "en\x00", code: usermgmt.CodeInvalid},
	})
}

func TestCheckCountry(t *testing.T) {
	t.Parallel()
	runRule(t, usermgmt.CheckCountry, []ruleCase{
		{name: "upper", in: "GB", want: "GB"},
		{name: "lower", in: "de", want: "DE"},
		{name: "trimmed", in: " us ", want: "US"},
		{name: "uk means gb", in: "uk", want: "GB"},
		{name: "empty", in: "", code: usermgmt.CodeRequired},
		{name: "not a country", in: "EU", code: usermgmt.CodeInvalid},
		{name: "unassigned", in: "ZZ", code: usermgmt.CodeInvalid},
		{name: "alpha-3", in: "GBR", code: usermgmt.CodeInvalid},
		{name: "numeric", in: "826", code: usermgmt.CodeInvalid},
		{name: "digit", in: "G1", code: usermgmt.CodeInvalid},
		{name: "non-ascii", in: "ÜS", code: usermgmt.CodeInvalid},
	})
}

func TestTextRule(t *testing.T) {
	t.Parallel()
	name := func(s string) (string, error) { return usermgmt.CheckName(s) }
	runRule(t, name, []ruleCase{
		{name: "name", in: "Ann", want: "Ann"},
		{name: "one character", in: "A", want: "A"},
		{name: "trimmed", in: "  O'Brien ", want: "O'Brien"},
		{name: "nfc", in: "Zoe\u0308", want: "Zo\u00eb"},
		{name: "persian zero width non-joiner", in: "می\u200cخواهم", want: "می\u200cخواهم"},
		{name: "100 characters", in: strings.Repeat("n", 100), want: strings.Repeat("n", 100)},
		{name: "101 characters", in: strings.Repeat("n", 101), code: usermgmt.CodeTooLong},
		{name: "empty", in: "", code: usermgmt.CodeRequired},
		{name: "blank", in: " ", code: usermgmt.CodeRequired},
		{name: "newline", in: "Ann\nLee", code: usermgmt.CodeChars},
		{name: "line separator", in: "Ann\u2028Lee", code: usermgmt.CodeChars},
		{name: "nul", in: "Ann\x00", code: usermgmt.CodeChars},
		{name: "escape", in: "Ann\x1b[31m", code: usermgmt.CodeChars},
		{name: "c1 control", in: "Ann\u0085Lee", code: usermgmt.CodeChars},
		{name: "bidi override", in: "Ann\u202eeeL", code: usermgmt.CodeChars},
		{name: "bidi isolate", in: "Ann\u2067Lee", code: usermgmt.CodeChars},
		{name: "invalid utf-8", in: "Ann\xc3", code: usermgmt.CodeInvalid},
	})
	notes := usermgmt.TextRule{MaxRunes: 4000, Multiline: true}
	runRule(t, notes.Check, []ruleCase{
		{name: "lines", in: "line 1\nline 2\r\n\tline 3", want: "line 1\nline 2\r\n\tline 3"},
		{name: "empty allowed", in: "", want: ""},
		{name: "4000", in: strings.Repeat("x", 4000), want: strings.Repeat("x", 4000)},
		{name: "4001", in: strings.Repeat("x", 4001), code: usermgmt.CodeTooLong},
		{name: "bell", in: "ding\a", code: usermgmt.CodeChars},
	})
	udid := usermgmt.TextRule{MaxRunes: 100, Printable: true, NoSpaces: true}
	runRule(t, udid.Check, []ruleCase{
		{name: "hex udid", in: "00008030-001A2D3E0C21802E", want: "00008030-001A2D3E0C21802E"},
		{name: "space", in: "0000 8030", code: usermgmt.CodeChars},
		{name: "no-break space", in: "0000\u00a08030", code: usermgmt.CodeChars},
		{name: "zero width joiner", in: "0000\u200d8030", code: usermgmt.CodeChars},
	})
	code := usermgmt.TextRule{MaxRunes: 100, Printable: true}
	runRule(t, code.Check, []ruleCase{
		{name: "free form with spaces", in: "ACME / north #12", want: "ACME / north #12"},
		{name: "soft hyphen", in: "AC\u00adME", code: usermgmt.CodeChars},
	})
	t.Run("zero max means 100", func(t *testing.T) {
		t.Parallel()
		_, err := usermgmt.TextRule{}.Check(strings.Repeat("x", 101))
		assertRuleCode(t, err, usermgmt.CodeTooLong)
	})
}

// fullUser returns a valid person, as a host would type it in.
func fullUser() usermgmt.User {
	return usermgmt.User{
		Username:      " Ann.Lee ",
		FirstName:     "Ann",
		LastName:      "Lee",
		Email:         "Ann.Lee@Example.COM",
		MobilePhone:   "07400 123456",
		BusinessPhone: "+44 121 234 5678",
		Company:       "Acme Ltd",
		CustomerCode:  "ACME-42",
		UDID:          "00008030-001A2D3E0C21802E",
		TimeZone:      "Europe/London",
		Language:      "en_gb",
		Country:       "gb",
		FriendlyName:  "Ann (sales)",
		Notes:         "Prefers SMS.\nOn leave in August.",
		Services:      []usermgmt.Channel{"SMS", "fax"},
		DefaultNumber: "+447400123999",
	}
}

func TestRulesCheckUser(t *testing.T) {
	t.Parallel()

	t.Run("normalises a valid user", func(t *testing.T) {
		t.Parallel()
		u := fullUser()
		services := u.Services
		require.NoError(t, usermgmt.Rules{}.CheckUser(&u))
		assert.Equal(t, usermgmt.KindPerson, u.Kind)
		assert.Equal(t, usermgmt.TypeEndUser, u.Type)
		assert.Equal(t, usermgmt.Status(""), u.Status, "the service sets the status")
		assert.Equal(t, "Ann.Lee", u.Username)
		assert.Equal(t, "Ann.Lee@example.com", u.Email)
		assert.Equal(t, "+447400123456", u.MobilePhone, "read in the user's country")
		assert.Equal(t, "+441212345678", u.BusinessPhone)
		assert.Equal(t, "en-GB", u.Language)
		assert.Equal(t, "GB", u.Country)
		assert.Equal(t, usermgmt.LevelArchive, u.ServiceLevel)
		assert.Equal(t, []usermgmt.Channel{usermgmt.ChannelSMS, usermgmt.ChannelFax}, u.Services)
		assert.Equal(t, usermgmt.Channel("SMS"), services[0], "the caller's slice is not changed")
		assert.NoError(t, usermgmt.Rules{}.CheckUser(&u), "a checked user checks again")
	})

	t.Run("reports every missing mandatory field", func(t *testing.T) {
		t.Parallel()
		u := usermgmt.User{}
		err := usermgmt.Rules{}.CheckUser(&u)
		assertFields(t, err, map[string]string{
			"username":     usermgmt.CodeRequired,
			"first_name":   usermgmt.CodeRequired,
			"last_name":    usermgmt.CodeRequired,
			"email":        usermgmt.CodeRequired,
			"mobile_phone": usermgmt.CodeRequired,
		})
	})

	t.Run("reports every failing field in field order", func(t *testing.T) {
		t.Parallel()
		u := usermgmt.User{
			Kind: "robot", Type: "boss", Status: "asleep",
			Username: "abc", FirstName: "Ann\x00", LastName: strings.Repeat("x", 101),
			Email: "Ann <ann@example.com>", MobilePhone: "+449012345678", BusinessPhone: "12345",
			Company: strings.Repeat("c", 201), CustomerCode: "a\tb", UDID: "has space",
			TimeZone: "Mars/Base", Language: "klingonese", Country: "XX",
			FriendlyName: "\u202eevil", Notes: "bell\a", ServiceLevel: "gold",
			Services: []usermgmt.Channel{"sms", "pigeon"}, DefaultNumber: "+1",
		}
		before := u
		err := usermgmt.Rules{}.CheckUser(&u)
		var ve *usermgmt.ValidationError
		require.ErrorAs(t, err, &ve)
		var fields []string
		for _, f := range ve.Fields {
			fields = append(fields, f.Field)
			assertMessage(t, f.Message)
		}
		assert.Equal(t, []string{"kind", "type", "status", "username", "first_name", "last_name",
			"email", "mobile_phone", "business_phone", "company", "customer_code", "udid",
			"time_zone", "language", "country", "friendly_name", "notes", "service_level",
			"services", "default_number"}, fields)
		assert.Equal(t, before.Email, u.Email, "failing fields keep their value")
		assertSomeFields(t, err, map[string]string{
			"mobile_phone":   usermgmt.CodeType,
			"business_phone": usermgmt.CodeRegion,
			"username":       usermgmt.CodeTooShort,
			"last_name":      usermgmt.CodeTooLong,
			"udid":           usermgmt.CodeChars,
		})
	})

	t.Run("system users", func(t *testing.T) {
		t.Parallel()
		u := usermgmt.User{Kind: usermgmt.KindSystem, Username: "CRM2SMS"}
		require.NoError(t, usermgmt.Rules{}.CheckUser(&u), "names, e-mail and mobile are optional")
		assert.Equal(t, "crm2sms", u.Username)

		u = usermgmt.User{Kind: usermgmt.KindSystem, Username: "Bad Id!", Email: "nope", MobilePhone: "+441212345678"}
		assertFields(t, usermgmt.Rules{}.CheckUser(&u), map[string]string{
			"username":     usermgmt.CodeChars,
			"email":        usermgmt.CodeInvalid,
			"mobile_phone": usermgmt.CodeType,
		})
	})

	t.Run("default region", func(t *testing.T) {
		t.Parallel()
		u := fullUser()
		u.Country = ""
		assertFields(t, usermgmt.Rules{}.CheckUser(&u), map[string]string{"mobile_phone": usermgmt.CodeRegion})
		u = fullUser()
		u.Country = ""
		require.NoError(t, usermgmt.Rules{DefaultRegion: "GB"}.CheckUser(&u))
		assert.Equal(t, "+447400123456", u.MobilePhone)
		assert.Empty(t, u.Country)
	})

	t.Run("voip mobile is an option", func(t *testing.T) {
		t.Parallel()
		u := fullUser()
		u.MobilePhone = "+44 56 1234 5678"
		assertFields(t, usermgmt.Rules{}.CheckUser(&u), map[string]string{"mobile_phone": usermgmt.CodeType})
		u = fullUser()
		u.MobilePhone = "+44 56 1234 5678"
		require.NoError(t, usermgmt.Rules{AllowVoIPMobile: true}.CheckUser(&u))
		assert.Equal(t, "+445612345678", u.MobilePhone)
	})

	t.Run("username length is configurable", func(t *testing.T) {
		t.Parallel()
		u := fullUser()
		u.Username = "abc"
		assertFields(t, usermgmt.Rules{}.CheckUser(&u), map[string]string{"username": usermgmt.CodeTooShort})
		u = fullUser()
		u.Username = "abc"
		require.NoError(t, usermgmt.Rules{UsernameMinLen: 3}.CheckUser(&u))
	})

	t.Run("services", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			in   []usermgmt.Channel
			want []usermgmt.Channel
			ok   bool
		}{
			{in: nil, want: nil, ok: true},
			{in: []usermgmt.Channel{}, want: []usermgmt.Channel{}, ok: true},
			{in: []usermgmt.Channel{"fax"}, want: []usermgmt.Channel{"fax"}, ok: true},
			{in: []usermgmt.Channel{" Fax ", "SMS"}, want: []usermgmt.Channel{"fax", "sms"}, ok: true},
			{in: []usermgmt.Channel{"sms", "SMS"}},
			{in: []usermgmt.Channel{"email"}},
			{in: []usermgmt.Channel{""}},
		} {
			u := fullUser()
			u.Services = tc.in
			err := usermgmt.Rules{}.CheckUser(&u)
			if !tc.ok {
				assertFields(t, err, map[string]string{"services": usermgmt.CodeInvalid})
				continue
			}
			require.NoError(t, err, "%q", tc.in)
			assert.Equal(t, tc.want, u.Services)
		}
	})

	t.Run("optional fields may be blank", func(t *testing.T) {
		t.Parallel()
		u := fullUser()
		u.BusinessPhone, u.TimeZone, u.Language, u.Country, u.DefaultNumber = " ", " ", "", "  ", ""
		u.MobilePhone = "+447400123456"
		require.NoError(t, usermgmt.Rules{}.CheckUser(&u))
		assert.Empty(t, u.BusinessPhone)
		assert.Empty(t, u.TimeZone)
		assert.Empty(t, u.Country)
	})

	t.Run("service level", func(t *testing.T) {
		t.Parallel()
		u := fullUser()
		u.ServiceLevel = "PRO"
		require.NoError(t, usermgmt.Rules{}.CheckUser(&u))
		assert.Equal(t, usermgmt.LevelPro, u.ServiceLevel)
	})

	t.Run("nil user", func(t *testing.T) {
		t.Parallel()
		assertFields(t, usermgmt.Rules{}.CheckUser(nil), map[string]string{"user": usermgmt.CodeRequired})
	})
}

func TestRulesCheckPassword(t *testing.T) {
	t.Parallel()
	require.NoError(t, usermgmt.Rules{}.CheckPassword("Secret-pw1", "ann"))
	err := usermgmt.Rules{}.CheckPassword("short", "ann")
	assertFields(t, err, map[string]string{"password": usermgmt.CodeTooShort})
	assert.NotContains(t, err.Error(), "short")

	nist := usermgmt.Rules{Password: usermgmt.NISTPasswordPolicy()}
	require.NoError(t, nist.CheckPassword("correct horse battery staple", "ann"))
	assertFields(t, nist.CheckPassword("xxAnn.Leexx", "ann.lee"), map[string]string{"password": usermgmt.CodeContains})
}

func TestRulesHelpers(t *testing.T) {
	t.Parallel()
	r := usermgmt.Rules{DefaultRegion: "GB", UsernameMinLen: 5}
	got, err := r.CheckMobile("07400 123456")
	require.NoError(t, err)
	assert.Equal(t, "+447400123456", got)
	got, err = r.CheckPhone("0121 234 5678")
	require.NoError(t, err)
	assert.Equal(t, "+441212345678", got)
	_, err = r.CheckUsername("abcd", usermgmt.KindPerson)
	assertRuleCode(t, err, usermgmt.CodeTooShort)
	got, err = r.CheckUsername("ABCDE", usermgmt.KindSystem)
	require.NoError(t, err)
	assert.Equal(t, "abcde", got)
}

// assertFields checks that err is a *ValidationError holding one error
// on each named field with the given code, on no other field, and with
// well-formed messages.
func assertFields(t *testing.T, err error, want map[string]string) {
	t.Helper()
	got := assertSomeFields(t, err, want)
	assert.Len(t, got, len(want), "fields: %v", err)
}

// assertSomeFields is assertFields allowing errors on other fields too;
// it returns every field's code.
func assertSomeFields(t *testing.T, err error, want map[string]string) map[string]string {
	t.Helper()
	var ve *usermgmt.ValidationError
	require.ErrorAs(t, err, &ve)
	require.ErrorIs(t, err, usermgmt.ErrInvalid)
	got := map[string]string{}
	for _, f := range ve.Fields {
		_, dup := got[f.Field]
		assert.False(t, dup, "one error per field: %s", f.Field)
		got[f.Field] = f.Code
		assertMessage(t, f.Message)
	}
	for field, code := range want {
		assert.Equal(t, code, got[field], "field %s in %v", field, ve)
	}
	return got
}

// checkUserInvariants is what FuzzCheckUser asserts about any user.
func checkUserInvariants(t *testing.T, r usermgmt.Rules, u usermgmt.User) {
	err := r.CheckUser(&u)
	if err != nil {
		var ve *usermgmt.ValidationError
		require.True(t, errors.As(err, &ve), "error is a *ValidationError: %v", err)
		require.NotEmpty(t, ve.Fields)
		for _, f := range ve.Fields {
			require.NotEmpty(t, f.Field)
			require.NotEmpty(t, f.Code)
			require.NotEmpty(t, f.Message)
		}
		return
	}
	for _, s := range []string{u.Username, u.FirstName, u.LastName, u.Email, u.Company, u.Notes, u.FriendlyName} {
		require.True(t, utf8.ValidString(s))
		require.True(t, norm.NFC.IsNormalString(s), "%q is NFC", s)
	}
	again := u
	require.NoError(t, r.CheckUser(&again), "an accepted user is accepted again")
	require.Equal(t, u, again, "CheckUser is idempotent")
}

func FuzzCheckUser(f *testing.F) {
	u := fullUser()
	f.Add(u.Username, u.FirstName, u.LastName, u.Email, u.MobilePhone, u.BusinessPhone, u.TimeZone, u.Language, u.Country, u.Notes, "", "SMS")
	f.Add("crm2sms", "", "", "", "", "", "", "", "", "", "system", "")
	f.Add("abc", "A\u030a", "\x00", "a@b", "+449012345678", "0044", "Local", "und", "UK", "\a", "robot", "sms,sms")
	f.Fuzz(func(t *testing.T, username, first, last, email, mobile, business, tz, lang, country, notes, kind, services string) {
		u := usermgmt.User{
			Kind: usermgmt.Kind(kind), Username: username, FirstName: first, LastName: last, Email: email,
			MobilePhone: mobile, BusinessPhone: business, TimeZone: tz, Language: lang, Country: country,
			Notes: notes, FriendlyName: first + " " + last, CustomerCode: last, UDID: first,
		}
		if services != "" {
			for _, s := range strings.Split(services, ",") {
				u.Services = append(u.Services, usermgmt.Channel(s))
			}
		}
		checkUserInvariants(t, usermgmt.Rules{}, u)
		checkUserInvariants(t, usermgmt.Rules{DefaultRegion: "US", AllowVoIPMobile: true, UsernameMinLen: 1}, u)
	})
}

func FuzzCheckUsername(f *testing.F) {
	for _, s := range []string{"abcd", " Ann.Lee ", "A\u030asab", "हिन्दी", "ab!", "\u0301abcd", "abc\xffd"} {
		f.Add(s, 0)
	}
	f.Add("abc", 3)
	f.Fuzz(func(t *testing.T, s string, minLen int) {
		got, err := usermgmt.CheckUsername(s, minLen%100)
		if err != nil {
			var re *usermgmt.RuleError
			require.ErrorAs(t, err, &re)
			require.NotEmpty(t, re.Code)
			return
		}
		require.True(t, utf8.ValidString(got))
		require.True(t, norm.NFC.IsNormalString(got))
		require.Equal(t, strings.TrimSpace(got), got)
		n := utf8.RuneCountInString(got)
		require.True(t, n >= 1 && n <= usermgmt.MaxUsernameLen)
		again, err := usermgmt.CheckUsername(got, minLen%100)
		require.NoError(t, err, "accepted once, accepted again")
		require.Equal(t, got, again)
	})
}

func FuzzCheckSystemID(f *testing.F) {
	for _, s := range []string{"crm2sms", "CRM2SMS", "abc", "Bad Id!", "\u212abcd", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := usermgmt.CheckSystemID(s)
		if err != nil {
			require.ErrorIs(t, err, usermgmt.ErrInvalid)
			return
		}
		require.GreaterOrEqual(t, len(got), 4)
		require.LessOrEqual(t, len(got), 64)
		for _, c := range []byte(got) {
			require.True(t, 'a' <= c && c <= 'z' || '0' <= c && c <= '9', "%q", got)
		}
		again, err := usermgmt.CheckSystemID(got)
		require.NoError(t, err)
		require.Equal(t, got, again)
	})
}

func FuzzCheckEmail(f *testing.F) {
	for _, s := range []string{"ann@example.com", " Ann@Example.COM ", "Ann <ann@example.com>", "a@b@c.d", "josé@exämple.com", "ann@[192.0.2.1]", "\"a b\"@example.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := usermgmt.CheckEmail(s)
		if err != nil {
			require.ErrorIs(t, err, usermgmt.ErrInvalid)
			return
		}
		require.LessOrEqual(t, len(got), usermgmt.MaxEmailLen)
		require.Equal(t, 1, strings.Count(got, "@"))
		require.False(t, strings.ContainsAny(got, " \t\r\n<>\""))
		again, err := usermgmt.CheckEmail(got)
		require.NoError(t, err)
		require.Equal(t, got, again)
		require.Equal(t, usermgmt.EmailKey(got), usermgmt.EmailKey(again))
	})
}

func FuzzCheckLanguage(f *testing.F) {
	for _, s := range []string{"en-gb", "EN_us", "iw", "und", "x-private", "zh-hant-tw", "en-u-ca-gregory", "de-DE-1996"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := usermgmt.CheckLanguage(s)
		if err != nil {
			require.ErrorIs(t, err, usermgmt.ErrInvalid)
			return
		}
		_, err = usermgmt.CheckLanguage(got)
		require.NoError(t, err, "the canonical form %q of %q is accepted", got, s)
	})
}

func FuzzCheckTimeZone(f *testing.F) {
	for _, s := range []string{"Europe/London", "UTC", "Local", "../../etc/passwd", "Etc/GMT+5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := usermgmt.CheckTimeZone(s)
		if err != nil {
			require.ErrorIs(t, err, usermgmt.ErrInvalid)
			return
		}
		require.NotEqual(t, "Local", got)
		require.NotContains(t, got, "..")
	})
}

func FuzzCheckCountry(f *testing.F) {
	for _, s := range []string{"GB", "uk", "EU", "ZZ", "GBR"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := usermgmt.CheckCountry(s)
		if err != nil {
			require.ErrorIs(t, err, usermgmt.ErrInvalid)
			return
		}
		require.Len(t, got, 2)
		require.Equal(t, strings.ToUpper(got), got)
	})
}

func FuzzTextRule(f *testing.F) {
	for _, s := range []string{"Ann", "Zoe\u0308", "line\nline", "\u202eevil", "a\x00b", "\xc3"} {
		f.Add(s, true, 100)
	}
	f.Fuzz(func(t *testing.T, s string, multiline bool, maxRunes int) {
		rule := usermgmt.TextRule{MaxRunes: maxRunes % 5000, Multiline: multiline}
		got, err := rule.Check(s)
		if err != nil {
			require.ErrorIs(t, err, usermgmt.ErrInvalid)
			return
		}
		require.True(t, utf8.ValidString(got))
		require.True(t, norm.NFC.IsNormalString(got))
		again, err := rule.Check(got)
		require.NoError(t, err)
		require.Equal(t, got, again)
	})
}

func BenchmarkCheckUser(b *testing.B) {
	tmpl := fullUser()
	tmpl.Services = []usermgmt.Channel{usermgmt.ChannelSMS, usermgmt.ChannelFax}
	r := usermgmt.Rules{}
	b.ReportAllocs()
	for b.Loop() {
		u := tmpl
		if err := r.CheckUser(&u); err != nil {
			b.Fatal(err)
		}
	}
}
