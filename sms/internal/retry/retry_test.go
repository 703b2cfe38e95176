package retry

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBackoff(t *testing.T) {
	t.Parallel()
	p := Policy{Retries: 5, Min: 100 * time.Millisecond, Max: time.Second, MaxRetryAfter: 5 * time.Second}
	for attempt, base := range map[int]time.Duration{1: 100, 2: 200, 3: 400, 4: 800, 5: 1000} {
		base *= time.Millisecond
		for range 50 {
			d, ok := p.Backoff(attempt, 0)
			assert.True(t, ok)
			assert.GreaterOrEqual(t, d, base/2, "attempt %d", attempt)
			assert.LessOrEqual(t, d, base, "attempt %d", attempt)
		}
	}
	_, ok := p.Backoff(6, 0)
	assert.False(t, ok, "retries spent")
	_, ok = p.Backoff(0, 0)
	assert.False(t, ok)
	d, ok := p.Backoff(1, 3*time.Second)
	assert.True(t, ok)
	assert.Equal(t, 3*time.Second, d, "Retry-After replaces the backoff")
	_, ok = p.Backoff(1, 6*time.Second)
	assert.False(t, ok, "a Retry-After over the cap ends the retries")
	_, ok = Policy{}.Backoff(1, 0)
	assert.False(t, ok, "no retries by default")
	d, ok = Policy{Retries: 1}.Backoff(1, 0)
	assert.True(t, ok)
	assert.LessOrEqual(t, d, 500*time.Millisecond)
}

func TestWait(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, Policy{}.Wait(ctx, time.Hour), context.Canceled)
	assert.NoError(t, Policy{}.Wait(context.Background(), time.Microsecond))
	var slept time.Duration
	p := Policy{Sleep: func(_ context.Context, d time.Duration) error { slept = d; return nil }}
	assert.NoError(t, p.Wait(context.Background(), time.Minute))
	assert.Equal(t, time.Minute, slept)
}

func TestRetryable(t *testing.T) {
	t.Parallel()
	for _, s := range []int{429, 500, 502, 503, 504} {
		assert.True(t, Retryable(s), s)
	}
	for _, s := range []int{200, 201, 400, 401, 403, 404, 409, 422, 501, 505} {
		assert.False(t, Retryable(s), s)
	}
}

func TestAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := map[string]time.Duration{
		"":             0,
		"3":            3 * time.Second,
		" 10 ":         10 * time.Second,
		"0":            0,
		"-5":           0,
		"soon":         0,
		"999999999999": 24 * time.Hour,
		now.Add(7 * time.Second).Format(http.TimeFormat): 7 * time.Second,
		now.Add(-time.Hour).Format(http.TimeFormat):      0,
	}
	for h, want := range tests {
		assert.Equal(t, want, After(h, now), "%q", h)
	}
}

func FuzzAfter(f *testing.F) {
	f.Add("120")
	f.Add("Wed, 21 Oct 2015 07:28:00 GMT")
	f.Add("-1")
	f.Fuzz(func(t *testing.T, h string) {
		if d := After(h, time.Unix(0, 0)); d < 0 {
			t.Fatalf("negative %v", d)
		}
	})
}
