package sortedlines

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestContains(t *testing.T) {
	t.Parallel()
	words := []string{"alpha", "beta", "betamax", "delta", "epsilon", "zeta"}
	data := strings.Join(words, "\n") + "\n"
	for _, w := range words {
		assert.True(t, Contains(data, w), w)
	}
	for _, w := range []string{"", "a", "alph", "bet", "betam", "gamma", "zetas", "zz", "alpha\nbeta"} {
		assert.False(t, Contains(data, w), "%q", w)
	}
	assert.False(t, Contains("", "x"))
	assert.True(t, Contains("only", "only"), "a last line without a newline")
}

func FuzzContains(f *testing.F) {
	f.Add("b\nd\nf\n", "d")
	f.Add("a\n", "")
	f.Fuzz(func(t *testing.T, list, key string) {
		lines := strings.Split(strings.TrimSuffix(list, "\n"), "\n")
		slices.Sort(lines)
		lines = slices.Compact(lines)
		data := strings.Join(lines, "\n") + "\n"
		want := !strings.Contains(key, "\n") && slices.Contains(lines, key)
		if got := Contains(data, key); got != want {
			t.Fatalf("Contains(%q, %q) = %v, want %v", data, key, got, want)
		}
	})
}
