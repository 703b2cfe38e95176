package auth_test

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/auth"
)

// TestEnumerationTiming is SECURITY.md L2: with a hasher of fixed cost
// (every verification takes 2 ms, as a KDF takes its cost whatever the
// input), the time of a login for an unknown username and for a known
// username with a wrong password come from the same distribution. An
// unknown user that skipped the verification would answer in
// microseconds and fail at once. Samples are interleaved so that machine
// noise hits both alike, and compared with a Mann–Whitney U test: the
// test fails when the difference is significant at p < 0.0001 in three
// runs out of three. TestLoginFailuresLookAlike checks, by count, that
// every kind of failure costs a verification.
func TestEnumerationTiming(t *testing.T) {
	if testing.Short() {
		t.Skip("statistical timing test")
	}
	w := setup(t)
	// A verification takes a fixed 2 ms, as a KDF takes its fixed cost;
	// what remains to compare is everything else the two paths do.
	w.hasher.rounds, w.hasher.latency = 0, 2*time.Millisecond
	ctx := context.Background()
	const n = 150
	var lastP float64
	for run := range 3 {
		var known, unknown []float64
		for i := range 2 * n {
			c := auth.Credentials{Login: "alice", Password: "Wrong-pass1", ClientKey: "k"}
			if i%2 == 1 {
				c.Login = "nobody"
			}
			start := time.Now()
			_, err := w.auth.Login(ctx, c)
			d := float64(time.Since(start))
			require.Error(t, err)
			if i%2 == 1 {
				unknown = append(unknown, d)
			} else {
				known = append(known, d)
			}
			// Keep alice under the throttle threshold.
			require.NoError(t, w.store.ResetCounter(ctx, "auth:fail:user:"+w.alice.ID))
			require.NoError(t, w.store.ResetCounter(ctx, "auth:fail:client:k"))
		}
		lastP = mannWhitneyP(known, unknown)
		t.Logf("run %d: median known %.3f ms, unknown %.3f ms, p = %.4f", run,
			median(known)/1e6, median(unknown)/1e6, lastP)
		if lastP >= 1e-4 {
			return
		}
	}
	t.Fatalf("login time tells known from unknown usernames (p = %g)", lastP)
}

func median(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	return s[len(s)/2]
}

// mannWhitneyP returns the two-sided p-value of the Mann–Whitney U test
// (normal approximation, ties averaged).
func mannWhitneyP(a, b []float64) float64 {
	type obs struct {
		v float64
		a bool
	}
	all := make([]obs, 0, len(a)+len(b))
	for _, v := range a {
		all = append(all, obs{v, true})
	}
	for _, v := range b {
		all = append(all, obs{v, false})
	}
	slices.SortFunc(all, func(x, y obs) int {
		switch {
		case x.v < y.v:
			return -1
		case x.v > y.v:
			return 1
		}
		return 0
	})
	var rankA float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		r := float64(i+j+1) / 2 // average rank, 1-based
		for k := i; k < j; k++ {
			if all[k].a {
				rankA += r
			}
		}
		i = j
	}
	n1, n2 := float64(len(a)), float64(len(b))
	u := rankA - n1*(n1+1)/2
	mu := n1 * n2 / 2
	sigma := math.Sqrt(n1 * n2 * (n1 + n2 + 1) / 12)
	z := math.Abs(u-mu) / sigma
	return math.Erfc(z / math.Sqrt2)
}
