package sqlstore

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRewrite(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, prefix string
		numbered         bool
		want             string
	}{
		{"sqlite", "SELECT a FROM {p}users WHERE id = ? AND b = ?", "roster_", false, "SELECT a FROM roster_users WHERE id = ? AND b = ?"},
		{"postgres", "SELECT a FROM {p}users WHERE id = ? AND b = ?", "x_", true, "SELECT a FROM x_users WHERE id = $1 AND b = $2"},
		{"quoted", "SELECT '?', \"a?\" FROM {p}t WHERE c = ? AND d = '{p}'", "p_", true, "SELECT '?', \"a?\" FROM p_t WHERE c = $1 AND d = '{p}'"},
		{"escaped quote", "SELECT 'it''s ?' , ?", "p_", true, "SELECT 'it''s ?' , $1"},
		{"cast", "x IN (SELECT jsonb_array_elements_text(?::jsonb))", "p_", true, "x IN (SELECT jsonb_array_elements_text($1::jsonb))"},
		{"many", strings.Repeat("?,", 11) + "?", "p_", true, "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12"},
		{"unterminated quote", "SELECT 'abc ?", "p_", true, "SELECT 'abc ?"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, c.want, Rewrite(c.in, c.prefix, c.numbered))
		})
	}
}

// FuzzRewrite checks that Rewrite never panics and that, outside quotes,
// every "?" becomes a numbered placeholder.
func FuzzRewrite(f *testing.F) {
	f.Add("SELECT ? FROM {p}x WHERE a = '?'")
	f.Add("{p}{p}{p")
	f.Add("\"?\"'?'?")
	f.Fuzz(func(t *testing.T, q string) {
		out := Rewrite(q, "roster_", true)
		if !strings.Contains(q, "'") && !strings.Contains(q, "\"") && strings.Contains(out, "?") {
			t.Fatalf("placeholder left in %q → %q", q, out)
		}
		if !strings.Contains(q, "{") && !strings.Contains(q, "?") && out != q {
			t.Fatalf("changed %q → %q", q, out)
		}
	})
}

func TestCheckPrefix(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"roster_", "a", "_x", "app2_roster_", strings.Repeat("a", 24)} {
		assert.NoError(t, CheckPrefix(ok), ok)
	}
	for _, bad := range []string{"", "Roster_", "1x", "a-b", "a b", "a;drop", "ü", strings.Repeat("a", 25)} {
		assert.Error(t, CheckPrefix(bad), bad)
	}
}

func TestConflictField(t *testing.T) {
	t.Parallel()
	s := &Store{cfg: Config{Prefix: "roster_"}}
	cases := map[string]string{
		"roster_users_username_key":                           "username",
		"roster_users.username_key":                           "username",
		"roster_users.email_key":                              "email",
		"roster_users_mobile_phone_key":                       "mobile_phone",
		"roster_users.account_id, roster_users.customer_code": "customer_code",
		"roster_users_customer_code_key":                      "customer_code",
		"roster_tokens.hash":                                  "token",
		"roster_sessions_hash_key":                            "session",
		"roster_numbers_pkey":                                 "number",
		"roster_aliases.address_key":                          "alias",
		"roster_events.id":                                    "id",
		"roster_something_else":                               "something_else",
		"":                                                    "unknown",
	}
	for name, want := range cases {
		assert.Equal(t, want, s.conflictField(name), name)
	}
	// A prefix that is also a substring elsewhere is only cut at the start.
	s = &Store{cfg: Config{Prefix: "u"}}
	assert.Equal(t, "username", s.conflictField("uusers.username_key"))
}

func TestPathEnd(t *testing.T) {
	t.Parallel()
	p := "/a/b/"
	end := pathEnd(p)
	for _, in := range []string{"/a/b/", "/a/b/c/", "/a/b/\xff/"} {
		assert.True(t, in >= p && in < end, in)
	}
	for _, out := range []string{"/a/b0/", "/a/bc/", "/a/", "/a/c/"} {
		assert.False(t, out >= p && out < end, out)
	}
}
