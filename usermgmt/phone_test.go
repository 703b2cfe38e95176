package usermgmt_test

import (
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
)

// phoneCase is one row of a phone table; code "" means accepted as want.
type phoneCase struct {
	name   string
	in     string
	region string
	want   string
	code   string
}

func runPhone(t *testing.T, check func(s, region string) (string, error), cases []phoneCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := check(tc.in, tc.region)
			if tc.code == "" {
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
				again, err := check(got, "")
				require.NoError(t, err, "E.164 output is accepted again without a region")
				assert.Equal(t, got, again)
				return
			}
			assert.Empty(t, got)
			assertRuleCode(t, err, tc.code)
		})
	}
}

func TestCheckMobile(t *testing.T) {
	t.Parallel()
	runPhone(t, usermgmt.CheckMobile, []phoneCase{
		{name: "e164", in: "+447400123456", want: "+447400123456"},
		{name: "spaces", in: "+44 7400 123456", want: "+447400123456"},
		{name: "dashes", in: "+44-7400-123-456", want: "+447400123456"},
		{name: "dots", in: "+44.7400.123.456", want: "+447400123456"},
		{name: "parentheses", in: "+44 (7400) 123456", want: "+447400123456"},
		{name: "plus in parentheses", in: "(+44) 7400 123456", want: "+447400123456"},
		{name: "surrounding space", in: "  +447400123456\t", want: "+447400123456"},
		{name: "00 prefix", in: "0044 7400 123456", want: "+447400123456"},
		{name: "00 prefix with a region", in: "0044 7400 123456", region: "US", want: "+447400123456"},
		{name: "national with region", in: "07400 123456", region: "GB", want: "+447400123456"},
		{name: "region in lower case", in: "07400-123456", region: "gb", want: "+447400123456"},
		{name: "another region's idd", in: "011 44 7400 123456", region: "US", want: "+447400123456"},
		{name: "us mobile or fixed", in: "+1 (201) 555-0123", want: "+12015550123"},
		{name: "germany", in: "+49 1512 3456789", want: "+4915123456789"},
		{name: "france", in: "+33 6 12 34 56 78", want: "+33612345678"},
		{name: "no plus, no region", in: "447400123456", code: usermgmt.CodeRegion},
		{name: "national, no region", in: "07400 123456", code: usermgmt.CodeRegion},
		{name: "unknown region", in: "07400 123456", region: "XX", code: usermgmt.CodeRegion},
		{name: "bad region", in: "07400 123456", region: "GBR", code: usermgmt.CodeRegion},
		{name: "too short", in: "+44 7400", code: usermgmt.CodeInvalid},
		{name: "too short national", in: "0740", region: "GB", code: usermgmt.CodeInvalid},
		{name: "one digit too many", in: "+44 7400 1234567", code: usermgmt.CodeInvalid},
		{name: "unassigned range", in: "+44 7700 900123", code: usermgmt.CodeInvalid},
		{name: "unknown country code", in: "+999 1234 5678", code: usermgmt.CodeInvalid},
		{name: "plus alone", in: "+", code: usermgmt.CodeInvalid},
		{name: "just punctuation", in: "--", code: usermgmt.CodeInvalid},
		{name: "two pluses", in: "++447400123456", code: usermgmt.CodeInvalid},
		{name: "plus inside", in: "44+7400123456", code: usermgmt.CodeInvalid},
		{name: "18 digits", in: "+44740012345612345", code: usermgmt.CodeInvalid},
		{name: "16 digits, valid for libphonenumber", in: "+49 201 00000000000", code: usermgmt.CodeInvalid},
		{name: "letters", in: "+44 7400 CALL ME", code: usermgmt.CodeInvalid},
		{name: "vanity", in: "+1-800-FLOWERS", code: usermgmt.CodeInvalid},
		{name: "extension", in: "+44 7400 123456 ext. 12", code: usermgmt.CodeInvalid},
		{name: "tel uri", in: "tel:+447400123456", code: usermgmt.CodeInvalid},
		{name: "fullwidth digits", in: "＋４４７４００１２３４５６", code: usermgmt.CodeInvalid},
		{name: "empty", in: "", code: usermgmt.CodeRequired},
		{name: "blank", in: "   ", code: usermgmt.CodeRequired},
		{name: "too long input", in: "+44" + strings.Repeat(" ", 62) + "7", code: usermgmt.CodeTooLong},
		{name: "premium rate", in: "+44 909 879 0000", code: usermgmt.CodeType},
		{name: "us premium rate", in: "+1 900 234 5678", code: usermgmt.CodeType},
		{name: "shared cost", in: "+49 180 12345", code: usermgmt.CodeType},
		{name: "toll free", in: "+1 800 234 5678", code: usermgmt.CodeType},
		{name: "fixed line", in: "+44 121 234 5678", code: usermgmt.CodeType},
		{name: "voip refused by default", in: "+44 56 1234 5678", code: usermgmt.CodeType},
		{name: "personal number", in: "+44 70 1234 5678", code: usermgmt.CodeType},
		{name: "pager", in: "+44 76 4012 3456", code: usermgmt.CodeType},
		{name: "uan", in: "+44 55 1234 5678", code: usermgmt.CodeType},
	})
	t.Run("type message", func(t *testing.T) {
		t.Parallel()
		_, err := usermgmt.CheckMobile("+449098790000", "")
		require.Error(t, err)
		assert.Equal(t, "must be a mobile number, not a premium-rate number", err.Error())
		_, err = usermgmt.CheckMobile("00", "")
		assertRuleCode(t, err, usermgmt.CodeRegion)
		_, err = usermgmt.CheckMobile("0044", "")
		assertRuleCode(t, err, usermgmt.CodeInvalid)
	})
}

func TestCheckPhone(t *testing.T) {
	t.Parallel()
	runPhone(t, usermgmt.CheckPhone, []phoneCase{
		{name: "mobile", in: "+44 7400 123456", want: "+447400123456"},
		{name: "fixed line", in: "+44 121 234 5678", want: "+441212345678"},
		{name: "national fixed line", in: "0121 234 5678", region: "GB", want: "+441212345678"},
		{name: "toll free", in: "+1 800 234 5678", want: "+18002345678"},
		{name: "voip", in: "+44 56 1234 5678", want: "+445612345678"},
		{name: "uan", in: "+44 55 1234 5678", want: "+445512345678"},
		{name: "premium rate", in: "+44 909 879 0000", code: usermgmt.CodeType},
		{name: "shared cost", in: "+33 884 012 345", code: usermgmt.CodeType},
		{name: "invalid", in: "+44 121", code: usermgmt.CodeInvalid},
		{name: "no region", in: "0121 234 5678", code: usermgmt.CodeRegion},
	})
	_, err := usermgmt.CheckPhone("+449098790000", "")
	require.Error(t, err)
	assert.Equal(t, "premium-rate numbers are not accepted", err.Error())
}

func TestPhoneRule(t *testing.T) {
	t.Parallel()
	fixedOnly := usermgmt.PhoneRule{DefaultRegion: "GB", Types: []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE}}
	got, err := fixedOnly.Check("0121 234 5678")
	require.NoError(t, err)
	assert.Equal(t, "+441212345678", got)
	_, err = fixedOnly.Check("07400 123456")
	assertRuleCode(t, err, usermgmt.CodeType)
	assert.Equal(t, "mobile numbers are not accepted", err.Error())

	got, err = usermgmt.PhoneRule{}.Check("+44 909 879 0000")
	assert.Empty(t, got)
	assertRuleCode(t, err, usermgmt.CodeType)

	none := usermgmt.PhoneRule{Types: []phonenumbers.PhoneNumberType{}}
	_, err = none.Check("+447400123456")
	assertRuleCode(t, err, usermgmt.CodeType)

	odd := usermgmt.PhoneRule{Types: []phonenumbers.PhoneNumberType{-1, 99, phonenumbers.MOBILE}}
	got, err = odd.Check("+447400123456")
	require.NoError(t, err, "unknown types are ignored")
	assert.Equal(t, "+447400123456", got)
}

// TestNumberTypeIsValidity pins the assumption that lets checkPhone ask
// libphonenumber once: a number's type is UNKNOWN exactly when it is
// not valid.
func TestNumberTypeIsValidity(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"+447400123456", "+447700900123", "+12015550123", "+19995550123", "+4930123456",
		"+883510012345", "+80012345678", "+8001234", "+972501234567", "+61412345678", "+14155552671"} {
		n, err := phonenumbers.Parse(s, "")
		require.NoError(t, err, s)
		assert.Equal(t, phonenumbers.IsValidNumber(n), phonenumbers.GetNumberType(n) != phonenumbers.UNKNOWN, s)
	}
}

func FuzzCheckMobile(f *testing.F) {
	for _, s := range [][2]string{{"+447400123456", ""}, {"0044 7400 123456", ""}, {"07400 123456", "GB"},
		{"(+44) 7400-123.456", ""}, {"+449098790000", ""}, {"011 44 7400 123456", "US"}, {"+1-800-FLOWERS", ""}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, s, region string) {
		checkPhoneInvariants(t, usermgmt.CheckMobile, s, region)
	})
}

func FuzzCheckPhone(f *testing.F) {
	for _, s := range [][2]string{{"+441212345678", ""}, {"0121 234 5678", "GB"}, {"+18002345678", ""}, {"+4918012345", ""}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, s, region string) {
		checkPhoneInvariants(t, usermgmt.CheckPhone, s, region)
	})
}

// checkPhoneInvariants: no panic; errors are *RuleError; an accepted
// number is E.164 and re-parses to itself with no region.
func checkPhoneInvariants(t *testing.T, check func(s, region string) (string, error), s, region string) {
	got, err := check(s, region)
	if err != nil {
		var re *usermgmt.RuleError
		require.ErrorAs(t, err, &re)
		require.Contains(t, []string{usermgmt.CodeRequired, usermgmt.CodeTooLong, usermgmt.CodeInvalid,
			usermgmt.CodeRegion, usermgmt.CodeType}, re.Code)
		return
	}
	require.True(t, strings.HasPrefix(got, "+"), got)
	require.LessOrEqual(t, len(got), 16, "at most 15 digits: %s", got)
	for _, c := range got[1:] {
		require.True(t, '0' <= c && c <= '9', got)
	}
	again, err := check(got, "")
	require.NoError(t, err, "E.164 %s re-parses", got)
	require.Equal(t, got, again)
}

func BenchmarkCheckMobile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := usermgmt.CheckMobile("+44 7400 123456", ""); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckMobileNational(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := usermgmt.CheckMobile("07400 123456", "GB"); err != nil {
			b.Fatal(err)
		}
	}
}
