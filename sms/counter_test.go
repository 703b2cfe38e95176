package sms_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/sms"
)

func TestMemoryCounter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var c sms.MemoryCounter // the zero value works
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	hit := func(key string, at time.Time) int64 {
		n, err := c.Hit(ctx, key, at, time.Minute)
		require.NoError(t, err)
		return n
	}
	assert.EqualValues(t, 1, hit("a", t0))
	assert.EqualValues(t, 2, hit("a", t0.Add(30*time.Second)))
	assert.EqualValues(t, 1, hit("b", t0.Add(30*time.Second)), "keys are apart")
	assert.EqualValues(t, 3, hit("a", t0.Add(59*time.Second)))
	assert.EqualValues(t, 1, hit("a", t0.Add(time.Minute)), "the window ends a minute after its first hit")
	assert.EqualValues(t, 2, hit("a", t0.Add(time.Minute+59*time.Second)))
	assert.EqualValues(t, 1, hit("a", t0.Add(2*time.Minute)))

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err := c.Hit(cancelled, "a", t0, time.Minute)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestMemoryCounterConcurrent(t *testing.T) {
	t.Parallel()
	c := sms.NewMemoryCounter()
	now := time.Now()
	var wg sync.WaitGroup
	seen := make([]bool, 201)
	var mu sync.Mutex
	for range 200 {
		wg.Go(func() {
			n, err := c.Hit(context.Background(), "k", now, time.Hour)
			assert.NoError(t, err)
			mu.Lock()
			defer mu.Unlock()
			assert.False(t, seen[n], "count %d returned twice", n)
			seen[n] = true
		})
	}
	wg.Wait()
	n, err := c.Hit(context.Background(), "k", now, time.Hour)
	require.NoError(t, err)
	assert.EqualValues(t, 201, n, "every concurrent hit counted")
}

func TestMemoryCounterForgets(t *testing.T) {
	t.Parallel()
	c := sms.NewMemoryCounter()
	t0 := time.Now()
	for i := range 5000 {
		_, err := c.Hit(context.Background(), fmt.Sprint("k", i), t0, time.Second)
		require.NoError(t, err)
	}
	// An hour later, new hits sweep the ended windows away once the map
	// has doubled since the last sweep (at 4096 keys).
	for i := range 3500 {
		_, err := c.Hit(context.Background(), fmt.Sprint("new", i), t0.Add(time.Hour), time.Second)
		require.NoError(t, err)
	}
	assert.Less(t, c.Len(), 5000, "ended windows are forgotten")
}

func TestCounterFunc(t *testing.T) {
	t.Parallel()
	var got string
	c := sms.CounterFunc(func(_ context.Context, key string, _ time.Time, _ time.Duration) (int64, error) {
		got = key
		return 7, nil
	})
	n, err := c.Hit(context.Background(), "x", time.Now(), time.Minute)
	require.NoError(t, err)
	assert.EqualValues(t, 7, n)
	assert.Equal(t, "x", got)
}
