package sms

import (
	"context"
	"sync"
	"time"
)

// Counter is the port through which a Guard counts: a fixed-window
// counter keyed by string. usermgmt.Store satisfies it, so limits hold
// across every instance of the host that shares the store.
type Counter interface {
	// Hit counts one hit on key and returns the count in the current
	// window, this hit included. A window starts at the first hit after
	// the previous window (of length window) ended.
	Hit(ctx context.Context, key string, now time.Time, window time.Duration) (int64, error)
}

// CounterFunc adapts a function to a Counter.
type CounterFunc func(ctx context.Context, key string, now time.Time, window time.Duration) (int64, error)

// Hit calls f.
func (f CounterFunc) Hit(ctx context.Context, key string, now time.Time, window time.Duration) (int64, error) {
	return f(ctx, key, now, window)
}

// windowCounter is implemented by counters that can tell when their
// window ends; a Guard then reports an exact LimitError.RetryAfter.
type windowCounter interface {
	hitUntil(key string, now time.Time, window time.Duration) (count int64, ends time.Time)
}

// MemoryCounter is an in-process Counter: concurrency-safe, but its
// counts live in one process only, so limits multiply by the number of
// instances of the host. Use it for tests, development and single-
// instance hosts; use the store (usermgmt.Store) otherwise. The zero
// value is ready to use. Windows that have ended are forgotten as the
// counter grows, so memory stays proportional to the keys hit in the
// longest live window.
type MemoryCounter struct {
	mu        sync.Mutex
	windows   map[string]memoryWindow
	nextSweep int
}

type memoryWindow struct {
	start time.Time
	ends  time.Time
	count int64
}

var (
	_ Counter       = (*MemoryCounter)(nil)
	_ windowCounter = (*MemoryCounter)(nil)
)

// NewMemoryCounter returns an empty MemoryCounter.
func NewMemoryCounter() *MemoryCounter { return &MemoryCounter{} }

// Hit counts one hit on key at now in a window of the given length.
func (c *MemoryCounter) Hit(ctx context.Context, key string, now time.Time, window time.Duration) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n, _ := c.hitUntil(key, now, window)
	return n, nil
}

func (c *MemoryCounter) hitUntil(key string, now time.Time, window time.Duration) (int64, time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.windows == nil {
		c.windows = map[string]memoryWindow{}
	}
	w, ok := c.windows[key]
	if !ok || !now.Before(w.start.Add(window)) {
		w = memoryWindow{start: now}
	}
	w.count++
	w.ends = w.start.Add(window)
	c.windows[key] = w
	if len(c.windows) >= c.nextSweep {
		c.sweep(now)
	}
	return w.count, w.ends
}

// sweep forgets windows that ended by now; the next sweep comes when
// the map has doubled, so sweeping is amortised constant time per hit.
func (c *MemoryCounter) sweep(now time.Time) {
	for k, w := range c.windows {
		if !now.Before(w.ends) {
			delete(c.windows, k)
		}
	}
	c.nextSweep = max(1024, 2*len(c.windows))
}

// Len returns how many live windows the counter holds.
func (c *MemoryCounter) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.windows)
}
