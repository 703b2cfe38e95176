// Package retry holds the retry policy the sms HTTP adapters share:
// bounded exponential backoff with jitter from crypto/rand, Retry-After
// honoured up to a cap, waits that honour the context and can be
// replaced in tests.
package retry

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Policy says how often and how long to retry. Zero fields take the
// defaults documented on each.
type Policy struct {
	// Retries is how many times to retry after the first attempt: 0
	// means none (callers set their own defaults).
	Retries int
	// Min is the first backoff; 0 means 500ms.
	Min time.Duration
	// Max caps each backoff; 0 means 10s.
	Max time.Duration
	// MaxRetryAfter is the longest Retry-After a retry waits for; a
	// longer one ends the retries. 0 means 30s.
	MaxRetryAfter time.Duration
	// Sleep waits d or until ctx ends; nil means a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Backoff returns the wait before retry number attempt (1 for the
// first retry): exponential from Min, capped at Max, with "equal
// jitter" (a uniform draw in [d/2, d]). A positive retryAfter replaces
// it. ok is false when no retry is left or retryAfter is over
// MaxRetryAfter.
func (p Policy) Backoff(attempt int, retryAfter time.Duration) (wait time.Duration, ok bool) {
	if attempt > p.Retries || attempt < 1 {
		return 0, false
	}
	if retryAfter > 0 {
		if retryAfter > orDefault(p.MaxRetryAfter, 30*time.Second) {
			return 0, false
		}
		return retryAfter, true
	}
	lo, hi := orDefault(p.Min, 500*time.Millisecond), orDefault(p.Max, 10*time.Second)
	d := lo
	for i := 1; i < attempt && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	return d/2 + jitter(d/2), true
}

// Wait sleeps d with the policy's Sleep, or a timer.
func (p Policy) Wait(ctx context.Context, d time.Duration) error {
	if p.Sleep != nil {
		return p.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// jitter returns a uniform duration in [0, n] from crypto/rand.
func jitter(n time.Duration) time.Duration {
	if n <= 0 {
		return 0
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return n / 2
	}
	return time.Duration(binary.LittleEndian.Uint64(b[:]) % uint64(n+1))
}

// Retryable reports whether an HTTP status is worth retrying: 429 and
// every 5xx but 501 (not implemented) and 505 (version not supported).
func Retryable(status int) bool {
	return status == http.StatusTooManyRequests ||
		status >= 500 && status <= 599 && status != http.StatusNotImplemented && status != http.StatusHTTPVersionNotSupported
}

// After parses a Retry-After header: delay-seconds or an HTTP date
// (relative to now). It returns 0 when absent, unparsable or past.
func After(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(h, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(24*time.Hour/time.Second) {
			return 24 * time.Hour
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
