package auth_test

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/auth"
	"github.com/rosterkit/roster/usermgmt"
)

// TestP4ConcurrentLoginsBoundMemory is SECURITY.md P4 end to end: 200
// concurrent calls of Login (half with the right password and an SMS
// PIN to send, half for unknown usernames, which cost a dummy
// verification) keep the live heap under Concurrency × memory per hash
// plus a small constant above what it was before. The hasher alone is
// measured at the default parameters by TestConcurrentLoginsBoundHeap;
// here each hash takes 8 MiB so that the test runs in seconds under the
// race detector. It is not parallel: it measures the whole process.
func TestP4ConcurrentLoginsBoundMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("200 real hash verifications")
	}
	const (
		logins      = 200
		concurrency = 2
		memKiB      = 8 << 10
		perHash     = memKiB << 10
		slack       = 16 << 20
	)
	ctx := context.Background()
	h, err := auth.NewHasher(auth.HashConfig{Memory: memKiB, Time: 1, Concurrency: concurrency})
	require.NoError(t, err)
	w := setup(t, func(c *auth.Config) { c.Hasher = h })
	require.NoError(t, w.auth.SetPassword(ctx, w.owner.ID, w.alice.ID, "Burst-pass1"))

	runtime.GC()
	samples := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(samples)
	baseLive := samples[0].Value.Uint64()
	var peakLive, peakHeap uint64
	stop, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				metrics.Read(samples)
				peakLive = max(peakLive, samples[0].Value.Uint64())
				peakHeap = max(peakHeap, samples[1].Value.Uint64())
			}
		}
	}()

	start := time.Now()
	var challenges, refused atomic.Int64
	var wg sync.WaitGroup
	for i := range logins {
		wg.Go(func() {
			c := auth.Credentials{Login: "alice", Password: "Burst-pass1", ClientKey: fmt.Sprint("client-", i)}
			if i%2 == 1 {
				c.Login = fmt.Sprint("nobody", i)
			}
			res, err := w.auth.Login(ctx, c)
			switch {
			case err == nil && res.Challenge != nil:
				challenges.Add(1)
			case err == usermgmt.ErrInvalidCredentials:
				refused.Add(1)
			default:
				t.Errorf("login %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stop)
	<-sampled

	assert.EqualValues(t, logins/2, challenges.Load())
	assert.EqualValues(t, logins/2, refused.Load())
	// ×2: a block allocated while the collector marks counts as live at
	// that cycle (see TestConcurrentLoginsBoundHeap).
	bound := baseLive + 2*concurrency*perHash + slack
	t.Logf("P4: %d concurrent logins, Concurrency %d, %d MiB per hash, %v: peak live heap %.1f MiB "+
		"(baseline %.1f MiB, bound %.1f MiB), peak heap with garbage %.1f MiB; unbounded would hold %d MiB",
		logins, concurrency, perHash>>20, elapsed.Round(time.Millisecond), mib(peakLive), mib(baseLive),
		mib(bound), mib(peakHeap), logins*perHash>>20)
	assert.Less(t, peakLive, bound, "live heap over 2 × Concurrency × memory per hash + 16 MiB")
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
