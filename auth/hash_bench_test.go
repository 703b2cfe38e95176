package auth

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkHash hashes one password at the default parameters.
func BenchmarkHash(b *testing.B) {
	h := newTestHasher(b, HashConfig{})
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify verifies one password against a hash at the default
// parameters: the cost of every login.
func BenchmarkVerify(b *testing.B) {
	h := newTestHasher(b, HashConfig{})
	ctx := b.Context()
	enc, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		ok, _, err := h.Verify(ctx, enc, "correct horse battery staple")
		if err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkVerifyRefused verifies against a hostile argon2 hash asking
// for 4 GiB: the refusal's cost.
func BenchmarkVerifyRefused(b *testing.B) {
	h := newTestHasher(b, HashConfig{})
	ctx := b.Context()
	enc := hostileHashes[0].encoded
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := h.Verify(ctx, enc, "password"); err == nil {
			b.Fatal("hostile hash accepted")
		}
	}
}

// BenchmarkHashMany hashes 64 passwords at the default parameters on
// every slot the bound permits (one per CPU) and reports the cost per
// password, which falls with the number of CPUs.
func BenchmarkHashMany(b *testing.B) {
	h := newTestHasher(b, HashConfig{})
	ctx := b.Context()
	passwords := make([]string, 64)
	for i := range passwords {
		passwords[i] = fmt.Sprintf("imported password %d", i)
	}
	b.ReportAllocs()
	start := time.Now()
	n := 0
	for b.Loop() {
		if _, err := h.HashMany(ctx, passwords); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(n*len(passwords)), "ns/password")
	b.ReportMetric(float64(h.Config().Concurrency), "slots")
}
