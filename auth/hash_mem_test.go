package auth

import (
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConcurrentLoginsBoundHeap is property P4: 200 concurrent logins
// verified at the default parameters with Concurrency 2 keep the live
// heap under 2 × 2 × 19 MiB + 16 MiB (each slot's block, and the next
// one allocated while the collector marks), where an unbounded server
// would hold 200 × 19 MiB (3.8 GiB) at once.
//
// The bound on hashing governs live memory. The heap also holds the
// blocks of finished hashes until the collector reclaims them: it may
// grow to live × (1 + GOGC/100) before a cycle starts, plus one block
// allocated while the cycle runs; the test checks that too and reports
// the peak RSS. Hosts wanting a hard ceiling set GOMEMLIMIT. The test is
// not parallel: it measures the whole process.
func TestConcurrentLoginsBoundHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("200 verifications at the default parameters take a few seconds")
	}
	const (
		logins      = 200
		concurrency = 2
		perHash     = 19 << 20 // DefaultMemory KiB
		slack       = 16 << 20
		// The collector marks concurrently: a block allocated while it
		// marks is counted live at that cycle's end even when its hash
		// has finished by then, so each hashing slot may be counted
		// twice (the block it held when marking began and the next).
		liveBound = 2*concurrency*perHash + slack
	)
	ctx := t.Context()
	h := newTestHasher(t, HashConfig{Concurrency: concurrency})
	enc, err := h.Hash(ctx, "correct horse battery staple")
	require.NoError(t, err)
	runtime.GC()

	samples := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"}, // live and not yet reclaimed
		{Name: "/gc/heap/live:bytes"},                // live at the last collection
		{Name: "/gc/gogc:percent"},
	}
	metrics.Read(samples)
	baseHeap, baseRSS := samples[0].Value.Uint64(), readRSS()
	gogc := samples[2].Value.Uint64()

	stop := make(chan struct{})
	var peakHeap, peakLive, peakRSS uint64
	var nSamples int
	sampled := make(chan struct{})
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
				peakHeap = max(peakHeap, samples[0].Value.Uint64())
				peakLive = max(peakLive, samples[1].Value.Uint64())
				peakRSS = max(peakRSS, readRSS())
				nSamples++
			}
		}
	}()

	start := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []error
	wrong := 0
	for i := range logins {
		wg.Go(func() {
			pw := "correct horse battery staple"
			if i%2 == 1 {
				pw = "wrong horse battery staple"
			}
			ok, _, err := h.Verify(ctx, enc, pw)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failures = append(failures, err)
			}
			if ok != (i%2 == 0) {
				wrong++
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stop)
	<-sampled

	require.Empty(t, failures)
	assert.Zero(t, wrong, "every login got the right answer")
	t.Logf("%d concurrent logins, Concurrency %d, %v, %d samples: peak live heap %.1f MiB (bound %.0f MiB); "+
		"peak heap with unreclaimed garbage %.1f MiB (baseline %.1f MiB, GOGC %d); peak RSS %.1f MiB (baseline %.1f MiB)",
		logins, concurrency, elapsed.Round(time.Millisecond), nSamples, mib(peakLive), mib(liveBound),
		mib(peakHeap), mib(baseHeap), gogc, mib(peakRSS), mib(baseRSS))
	assert.Less(t, peakLive, uint64(liveBound), "peak live heap over 2 × Concurrency × 19 MiB + 16 MiB")
	if gogc > 0 && gogc < 1000 {
		heapBound := liveBound*(100+gogc)/100 + perHash
		assert.Less(t, peakHeap, heapBound, "peak heap over the live bound plus the collector's slack")
	}
}

// readRSS returns the process's resident set in bytes, or 0 where
// /proc is not available.
func readRSS() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseUint(f[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * uint64(os.Getpagesize())
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
