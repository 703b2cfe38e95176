package token

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewAndParse(t *testing.T) {
	t.Parallel()
	secret, hash, err := New()
	require.NoError(t, err)
	assert.Len(t, secret, encodedLen)
	assert.Len(t, hash, 64)
	got, err := Parse(secret)
	require.NoError(t, err)
	assert.Equal(t, hash, got)

	other, _, err := New()
	require.NoError(t, err)
	assert.NotEqual(t, secret, other)

	for _, bad := range []string{"", "short", strings.Repeat("!", encodedLen), secret + "A"} {
		_, err := Parse(bad)
		assert.ErrorIs(t, err, ErrMalformed, bad)
	}
}

func TestCode(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 200 {
		c, err := Code(6)
		require.NoError(t, err)
		require.Len(t, c, 6)
		for _, r := range c {
			require.True(t, r >= '0' && r <= '9')
		}
		seen[c] = true
	}
	assert.Greater(t, len(seen), 190, "codes repeat far more than chance allows")
	_, err := Code(0)
	assert.Error(t, err)
	_, err = Code(19)
	assert.Error(t, err)
}

func TestMAC(t *testing.T) {
	t.Parallel()
	k := []byte("key")
	assert.Equal(t, MAC(k, "a", "bc"), MAC(k, "a", "bc"))
	assert.NotEqual(t, MAC(k, "ab", "c"), MAC(k, "a", "bc"), "length prefix separates parts")
	assert.NotEqual(t, MAC(k, "a"), MAC([]byte("other"), "a"))
	assert.True(t, Equal("x", "x"))
	assert.False(t, Equal("x", "y"))
}

func TestID(t *testing.T) {
	t.Parallel()
	a, b := ID(), ID()
	assert.Len(t, a, 36)
	assert.NotEqual(t, a, b)
}

func FuzzParse(f *testing.F) {
	s, _, _ := New()
	f.Add(s)
	f.Add("")
	f.Add("ÿÿÿ")
	f.Fuzz(func(t *testing.T, in string) {
		h, err := Parse(in)
		if err == nil && len(h) != 64 {
			t.Fatalf("hash %q", h)
		}
	})
}
