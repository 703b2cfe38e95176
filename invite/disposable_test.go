package invite_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/invite"
	"github.com/rosterkit/roster/usermgmt"
)

// TestDisposableList checks the embedded file's format: a header of '#'
// lines, then lower-case domains, sorted bytewise, unique, each a valid
// host name of two labels or more.
func TestDisposableList(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("disposable_domains.txt")
	require.NoError(t, err)
	text := string(data)
	require.True(t, strings.HasSuffix(text, "\n"), "the file ends with a line break")
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	i := 0
	for i < len(lines) && strings.HasPrefix(lines[i], "#") {
		i++
	}
	domains := lines[i:]
	require.Greater(t, len(domains), 300, "a few hundred domains")
	for j, d := range domains {
		assert.Equal(t, strings.ToLower(strings.TrimSpace(d)), d, "line %d: lower case, no spaces", i+j+1)
		assert.False(t, strings.HasPrefix(d, "#"), "line %d: comments only in the header", i+j+1)
		_, err := usermgmt.CheckEmail("x@" + d)
		assert.NoError(t, err, "line %d: %q is not a domain", i+j+1, d)
		if j > 0 {
			assert.Less(t, domains[j-1], d, "line %d: sorted and unique", i+j+1)
		}
		assert.True(t, invite.IsDisposable(d), "every listed domain is found: %s", d)
	}
}

func TestIsDisposable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"mailinator.com", true},
		{"guerrillamail.com", true},
		{"10minutemail.com", true},
		{"yopmail.com", true},
		{"trashmail.com", true},
		{"temp-mail.org", true},
		{"0-mail.com", true},  // the first line
		{"zoemail.org", true}, // near the end
		{"MAILINATOR.COM", true},
		{"mailinator.com.", true},
		{"sub.mailinator.com", true},
		{"a.b.c.yopmail.fr", true},
		{"someone@mailinator.com", true},
		{"10minutemail.co.uk", true},
		{"example.com", false},
		{"gmail.com", false},
		{"outlook.com", false},
		{"notmailinator.com.example", false},
		{"mailinator.co", false},
		{"xmailinator.com", false},
		{"com", false},
		{"co.uk", false},
		{"", false},
		{".", false},
		{"@", false},
		{"\xff\xfe", false},
		{strings.Repeat("a.", 200) + "mailinator.com", false}, // longer than a domain can be
		{"ｍａｉｌｉｎａｔｏｒ.com", false},                             // full-width letters are other letters
	} {
		assert.Equal(t, tc.want, invite.IsDisposable(tc.in), "%q", tc.in)
	}
}

func TestSplitAddresses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", []string{}},
		{" \n\t", []string{}},
		{"a@example.com", []string{"a@example.com"}},
		{"a@example.com, b@example.com;c@example.com\nd@example.com\r\ne@example.com  f@example.com",
			[]string{"a@example.com", "b@example.com", "c@example.com", "d@example.com", "e@example.com", "f@example.com"}},
		{",,;;a@x.org,,", []string{"a@x.org"}},
		{"Ann <ann@x.org>", []string{"Ann", "<ann@x.org>"}},
		{"a@x.org\u00a0b@x.org", []string{"a@x.org", "b@x.org"}}, // a no-break space separates too
	} {
		assert.Equal(t, tc.want, invite.SplitAddresses(tc.in), "%q", tc.in)
	}
}
