package usermgmt_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
)

// pwCase is one row of a password table: code "" means accepted.
type pwCase struct {
	name     string
	password string
	username string
	code     string
}

func runPolicy(t *testing.T, p usermgmt.PasswordPolicy, cases []pwCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := p.Check(tc.password, tc.username)
			if tc.code == "" {
				require.NoError(t, err)
				return
			}
			assertRuleCode(t, err, tc.code)
			if len(tc.password) >= 5 {
				assert.NotContains(t, err.Error(), tc.password, "the message never holds the password")
			}
		})
	}
}

func TestSeedPasswordPolicy(t *testing.T) {
	t.Parallel()
	cases := []pwCase{
		{name: "7 characters", password: "Abcde1!", code: usermgmt.CodeTooShort},
		{name: "8 characters", password: "Abcdef1!"},
		{name: "20 characters", password: "Abcdefghijklmnopq1!x"},
		{name: "21 characters", password: "Abcdefghijklmnopq1!xy", code: usermgmt.CodeTooLong},
		{name: "length counts characters, not bytes", password: "Ab1éééééééééééééééé"},
		{name: "2 classes: lower and digit", password: "abcdefgh1", code: usermgmt.CodeWeak},
		{name: "2 classes: upper and lower", password: "Abcdefghij", code: usermgmt.CodeWeak},
		{name: "2 classes: digit and symbol", password: "12345678!", code: usermgmt.CodeWeak},
		{name: "1 class", password: "abcdefghij", code: usermgmt.CodeWeak},
		{name: "3 classes: upper lower digit", password: "Abcdefgh1"},
		{name: "3 classes: lower digit symbol", password: "abcdefg1!"},
		{name: "3 classes: upper digit symbol", password: "ABCDEFG1!"},
		{name: "3 classes: upper lower symbol", password: "Abcdefgh#"},
		{name: "4 classes", password: "Abcdef1#"},
		{name: "space is a symbol", password: "abcd efg1"},
		{name: "other scripts are no class", password: "пароль12345", code: usermgmt.CodeWeak},
		{name: "ascii double quote", password: `Abcdef1"`, code: usermgmt.CodeForbidden},
		{name: "ascii single quote", password: "Abcdef1'", code: usermgmt.CodeForbidden},
		{name: "comma", password: "Abcdef1,", code: usermgmt.CodeForbidden},
		{name: "left double quote", password: "Abcdef1“", code: usermgmt.CodeForbidden},
		{name: "right double quote", password: "Abcdef1”", code: usermgmt.CodeForbidden},
		{name: "left single quote", password: "Abcdef1‘", code: usermgmt.CodeForbidden},
		{name: "right single quote", password: "Abcdef1’", code: usermgmt.CodeForbidden},
		{name: "other symbols allowed", password: "Ab1!@#$%^&*()-_=+[]{};:.<>/?\\|`~"[:20]},
		{name: "control character", password: "Abcdef1!\x00", code: usermgmt.CodeForbidden},
		{name: "tab", password: "Abcdef1!\t", code: usermgmt.CodeForbidden},
		{name: "empty", password: "", code: usermgmt.CodeRequired},
		{name: "invalid utf-8", password: "Abcdef1!\xff", code: usermgmt.CodeInvalid},
		{name: "common passwords are not looked for", password: "Password1"},
		{name: "username is not looked for", password: "xxAnnLee1", username: "annlee"},
		{name: "length first", password: "ab,", code: usermgmt.CodeTooShort},
	}
	runPolicy(t, usermgmt.SeedPasswordPolicy(), cases)
	t.Run("zero value is the seed policy", func(t *testing.T) {
		t.Parallel()
		runPolicy(t, usermgmt.PasswordPolicy{}, cases)
	})
	t.Run("message names every problem", func(t *testing.T) {
		t.Parallel()
		err := usermgmt.SeedPasswordPolicy().Check("ab,", "")
		require.Error(t, err)
		assert.Equal(t, "must be 8 to 20 characters and must not contain any of \" ' , “ ” ‘ ’ and "+
			"must use at least 3 of: upper case letters (A-Z), lower case letters (a-z), digits (0-9), symbols", err.Error())
	})
}

func TestNISTPasswordPolicy(t *testing.T) {
	t.Parallel()
	runPolicy(t, usermgmt.NISTPasswordPolicy(), []pwCase{
		{name: "7 characters", password: "zq8vnwx", code: usermgmt.CodeTooShort},
		{name: "8 characters, one class", password: "zqvnwxkt"},
		{name: "64 characters", password: strings.Repeat("zqvnwxkt", 8)},
		{name: "65 characters", password: strings.Repeat("zqvnwxkt", 8) + "z", code: usermgmt.CodeTooLong},
		{name: "passphrase with spaces", password: "correct horse battery staple"},
		{name: "quotes and commas allowed", password: `she said "hi", didn't she`},
		{name: "unicode", password: "пароль-на-русском"},
		{name: "common", password: "password", code: usermgmt.CodeCommon},
		{name: "common, any case", password: "PassWord1", code: usermgmt.CodeCommon},
		{name: "common keyboard walk", password: "1q2w3e4r5t", code: usermgmt.CodeCommon},
		{name: "common with year", password: "Summer2024", code: usermgmt.CodeCommon},
		{name: "contains username", password: "xx-annlee-99", username: "AnnLee", code: usermgmt.CodeContains},
		{name: "contains nfc username", password: "xx-\u00c5sa-99", username: "A\u030asa", code: usermgmt.CodeContains},
		{name: "short usernames not looked for", password: "xx-ab-cd-99", username: "ab"},
		{name: "control character", password: "zqvnwxkt\n", code: usermgmt.CodeForbidden},
		{name: "empty", password: "", code: usermgmt.CodeRequired},
	})
}

func TestCustomPasswordPolicy(t *testing.T) {
	t.Parallel()
	p := usermgmt.PasswordPolicy{MinLength: 12}
	runPolicy(t, p, []pwCase{
		{name: "11", password: "zqvnwxktzqv", code: usermgmt.CodeTooShort},
		{name: "12, no composition", password: "zqvnwxktzqvn"},
		{name: "max defaults to 64", password: strings.Repeat("z", 65), code: usermgmt.CodeTooLong},
	})
	runPolicy(t, usermgmt.PasswordPolicy{MinLength: 10, MaxLength: 5}, []pwCase{
		{name: "max below min is min", password: "zqvnwxktzq"},
	})
	runPolicy(t, usermgmt.PasswordPolicy{MinClasses: 9}, []pwCase{
		{name: "classes capped at 4", password: "Abcdef1!"},
		{name: "4 needed", password: "Abcdefg1", code: usermgmt.CodeWeak},
	})
	blocked := usermgmt.PasswordPolicy{Blocklist: func(pw string) bool { return pw == "hunter2hunter2" }}
	runPolicy(t, blocked, []pwCase{
		{name: "host blocklist", password: "hunter2hunter2", code: usermgmt.CodeCommon},
		{name: "not on it", password: "hunter3hunter3"},
	})
}

func TestPasswordPolicyDescribe(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "8 to 20 characters, at least 3 of: upper case letters (A-Z), lower case letters (a-z), digits (0-9), symbols; none of \" ' , “ ” ‘ ’",
		usermgmt.PasswordPolicy{}.Describe())
	assert.Equal(t, "8 to 64 characters; not containing the username; not a commonly used password",
		usermgmt.NISTPasswordPolicy().Describe())
}

func TestCommonPassword(t *testing.T) {
	t.Parallel()
	for _, pw := range []string{"123456", "password", "PASSWORD", "qwerty", "iloveyou", "1q2w3e4r", "P@ssw0rd", "letmein", "!@#$%^&*", "zxcvbnm", "00000000", "welcome2025", "password1987"} {
		assert.True(t, usermgmt.CommonPassword(pw), pw)
	}
	for _, pw := range []string{"", "passwor", "password!x", "zqvnwxkt", "correct horse battery staple", "\xff", "~~~~~~~~~~~~"} {
		assert.False(t, usermgmt.CommonPassword(pw), pw)
	}
}

// TestCommonPasswordList checks the embedded list's format, on which
// the bisection in CommonPassword relies, and finds every entry.
func TestCommonPasswordList(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("password_blocklist.txt")
	require.NoError(t, err)
	require.True(t, strings.HasSuffix(string(data), "\n"))
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	assert.Greater(t, len(lines), 1000)
	assert.True(t, slices.IsSorted(lines), "sorted bytewise")
	assert.Len(t, slices.Compact(slices.Clone(lines)), len(lines), "unique")
	for _, l := range lines {
		require.NotEmpty(t, l)
		require.Equal(t, strings.ToLower(l), l)
		require.False(t, strings.ContainsAny(l, " \t\r"), "%q", l)
		require.True(t, usermgmt.CommonPassword(l), "%q is found", l)
		require.True(t, usermgmt.CommonPassword(strings.ToUpper(l)), "%q is found in upper case", l)
		require.False(t, usermgmt.CommonPassword(l+"~"), "%q~ is not", l)
	}
}

func BenchmarkSeedPasswordPolicy(b *testing.B) {
	p := usermgmt.SeedPasswordPolicy()
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Check("Secret-pw1", "ann.lee"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNISTPasswordPolicy(b *testing.B) {
	p := usermgmt.NISTPasswordPolicy()
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Check("correct horse battery staple", "ann.lee"); err != nil {
			b.Fatal(err)
		}
	}
}

// passwordMessageParts are the only fragments a password error message
// is made of, so no message can carry the password.
var passwordMessageParts = []string{
	"is required",
	"must be valid UTF-8 text",
	"must be 8 to 20 characters",
	"must be 8 to 64 characters",
	"must not contain control characters",
	"must not contain any of \" ' , “ ” ‘ ’",
	"must use at least 3 of: upper case letters (A-Z), lower case letters (a-z), digits (0-9), symbols",
	"must not contain the username",
	"is too common",
}

func FuzzPasswordPolicy(f *testing.F) {
	for _, pw := range []string{"Abcdef1!", "Abcde1!", "abcdefgh1", `Abcdef1"`, "Abcdef1’", "password", "xx-annlee-99", "\xff", "Abcdef1!\x00"} {
		f.Add(pw, "annlee")
	}
	f.Fuzz(func(t *testing.T, pw, username string) {
		for _, p := range []usermgmt.PasswordPolicy{{}, usermgmt.NISTPasswordPolicy()} {
			err := p.Check(pw, username)
			if err == nil {
				continue
			}
			var re *usermgmt.RuleError
			require.ErrorAs(t, err, &re)
			require.Contains(t, []string{usermgmt.CodeRequired, usermgmt.CodeInvalid, usermgmt.CodeTooShort,
				usermgmt.CodeTooLong, usermgmt.CodeForbidden, usermgmt.CodeWeak, usermgmt.CodeContains,
				usermgmt.CodeCommon}, re.Code)
			for part := range strings.SplitSeq(re.Message, " and ") {
				require.Contains(t, passwordMessageParts, part, "message %q", re.Message)
			}
		}
	})
}
