package sms_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/sms"
)

// clock is a settable clock for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// sink is a Sender that counts what reaches it.
type sink struct{ sent atomic.Int64 }

func (s *sink) Send(ctx context.Context, _ sms.Message) (sms.Receipt, error) {
	if err := ctx.Err(); err != nil {
		return sms.Receipt{}, err
	}
	return sms.Receipt{ID: "id-" + string(rune('0'+s.sent.Add(1)%10))}, nil
}

const (
	alice = "+447400123456" // GB mobile
	bob   = "+46701234567"  // SE mobile
	carol = "+12025550123"  // US fixed line or mobile
)

// setup returns a Guard over a sink with cfg on a test clock.
func setup(t *testing.T, cfg sms.GuardConfig) (*sms.Guard, *sink, *clock) {
	t.Helper()
	clk := newClock()
	if cfg.Now == nil {
		cfg.Now = clk.Now
	}
	s := &sink{}
	g, err := sms.NewGuard(s, cfg)
	require.NoError(t, err)
	return g, s, clk
}

func msg(to, body string) sms.Message {
	return sms.Message{To: to, Body: body, Purpose: sms.PurposeCode}
}

func limitRule(t *testing.T, err error) *sms.LimitError {
	t.Helper()
	var le *sms.LimitError
	require.ErrorAs(t, err, &le)
	require.ErrorIs(t, err, sms.ErrRateLimited)
	return le
}

func TestGuardDestinationLimit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g, s, clk := setup(t, sms.GuardConfig{})
	for i := range 3 {
		_, err := g.Send(ctx, msg(alice, "code "+string(rune('a'+i))))
		require.NoError(t, err)
		clk.Advance(time.Minute)
	}
	_, err := g.Send(ctx, msg(alice, "code d"))
	le := limitRule(t, err)
	assert.Equal(t, &sms.LimitError{Rule: sms.RuleDestination, Limit: 3, Window: 10 * time.Minute, RetryAfter: 7 * time.Minute}, le)
	assert.NotContains(t, err.Error(), "7400123456", "no phone number in errors")
	_, err = g.Send(ctx, msg(bob, "code d"))
	assert.NoError(t, err, "another destination has its own budget")
	clk.Advance(7 * time.Minute)
	_, err = g.Send(ctx, msg(alice, "code e"))
	assert.NoError(t, err, "the window ended")
	assert.EqualValues(t, 5, s.sent.Load())
}

func TestGuardDestinationDailyLimit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g, s, clk := setup(t, sms.GuardConfig{})
	sent := 0
	for i := range 30 {
		_, err := g.Send(ctx, msg(alice, "code "+time.Duration(i).String()))
		if err == nil {
			sent++
		} else {
			le := limitRule(t, err)
			if le.Rule == sms.RuleDestinationDaily {
				assert.Equal(t, 10, le.Limit)
				assert.Equal(t, 24*time.Hour, le.Window)
				break
			}
			assert.Equal(t, sms.RuleDestination, le.Rule)
		}
		clk.Advance(4 * time.Minute)
	}
	assert.Equal(t, 10, sent, "S1: at most 10 SMS to one number per day")
	assert.EqualValues(t, 10, s.sent.Load())
	clk.Advance(24 * time.Hour)
	_, err := g.Send(ctx, msg(alice, "next day"))
	assert.NoError(t, err)
}

func TestGuardAccountLimit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g, _, clk := setup(t, sms.GuardConfig{Account: sms.Limit{Max: 2}})
	to := []string{alice, bob, carol}
	for i, n := range to[:2] {
		m := msg(n, "hello")
		m.AccountID = "acct-1"
		_, err := g.Send(ctx, m)
		require.NoError(t, err, i)
	}
	m := msg(carol, "hello")
	m.AccountID = "acct-1"
	_, err := g.Send(ctx, m)
	le := limitRule(t, err)
	assert.Equal(t, sms.RuleAccount, le.Rule)
	assert.Equal(t, time.Hour, le.Window, "default window kept when only Max is set")

	m.AccountID, m.Body = "acct-2", "hello again" // the same body would be a duplicate
	_, err = g.Send(ctx, m)
	assert.NoError(t, err, "another account has its own budget")
	m.AccountID = ""
	m.Body = "no account"
	_, err = g.Send(ctx, m)
	assert.NoError(t, err, "messages without an account are not counted per account")
	clk.Advance(time.Hour)
	m.AccountID, m.Body = "acct-1", "later"
	_, err = g.Send(ctx, m)
	assert.NoError(t, err)
}

func TestGuardGlobalLimit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g, s, _ := setup(t, sms.GuardConfig{Global: sms.Limit{Max: 2, Window: time.Minute}})
	for _, n := range []string{alice, bob} {
		_, err := g.Send(ctx, msg(n, "x"))
		require.NoError(t, err)
	}
	_, err := g.Send(ctx, msg(carol, "x"))
	assert.Equal(t, sms.RuleGlobal, limitRule(t, err).Rule)
	assert.EqualValues(t, 2, s.sent.Load())
}

func TestGuardDuplicate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g, s, clk := setup(t, sms.GuardConfig{})
	_, err := g.Send(ctx, msg(alice, "Your code is 123456"))
	require.NoError(t, err)
	_, err = g.Send(ctx, msg(alice, "Your code is 123456"))
	le := limitRule(t, err)
	assert.Equal(t, sms.RuleDuplicate, le.Rule)
	assert.Equal(t, time.Minute, le.RetryAfter)
	_, err = g.Send(ctx, msg(bob, "Your code is 123456"))
	assert.NoError(t, err, "the same body to another number is no duplicate")
	_, err = g.Send(ctx, msg(alice, "Your code is 654321"))
	assert.NoError(t, err, "another body is no duplicate")
	clk.Advance(time.Minute)
	_, err = g.Send(ctx, msg(alice, "Your code is 123456"))
	assert.NoError(t, err, "after the window")
	assert.EqualValues(t, 4, s.sent.Load())

	off, _, _ := setup(t, sms.GuardConfig{Duplicate: -1})
	for range 2 {
		_, err = off.Send(ctx, msg(alice, "same"))
		assert.NoError(t, err, "duplicate suppression off")
	}
}

func TestGuardLimitsOff(t *testing.T) {
	t.Parallel()
	g, s, _ := setup(t, sms.GuardConfig{Destination: sms.Limit{Max: -1}, DestinationDaily: sms.Limit{Max: -1},
		Account: sms.Limit{Max: -1}, Global: sms.Limit{Max: -1}, Duplicate: -1})
	for range 50 {
		m := msg(alice, "same")
		m.AccountID = "a"
		_, err := g.Send(context.Background(), m)
		require.NoError(t, err)
	}
	assert.EqualValues(t, 50, s.sent.Load())
}

func TestGuardNumberTypes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g, s, _ := setup(t, sms.GuardConfig{})
	allowed := 0
	for _, tt := range numbersByType {
		_, err := g.Send(ctx, msg(tt.number, "hi"))
		switch tt.typ {
		case sms.NumberMobile, sms.NumberFixedLineOrMobile:
			assert.NoError(t, err, tt.number)
			allowed++
		default:
			var re *sms.RefusedError
			require.ErrorAs(t, err, &re, tt.number)
			assert.ErrorIs(t, err, sms.ErrRefused)
			assert.Equal(t, sms.ReasonNumberType, re.Reason)
			assert.Equal(t, tt.typ, re.Type)
			assert.Equal(t, tt.region, re.Region)
			assert.Equal(t, sms.Mask(tt.number), re.To)
			assert.NotContains(t, err.Error(), tt.number[1:len(tt.number)-3])
		}
	}
	assert.EqualValues(t, allowed, s.sent.Load(), "refused numbers never reach the gateway")

	fixed, _, _ := setup(t, sms.GuardConfig{AllowedTypes: []sms.NumberType{sms.NumberMobile, sms.NumberFixedLine}})
	_, err := fixed.Send(ctx, msg("+442079460958", "hi"))
	assert.NoError(t, err, "fixed lines allowed when configured")
	_, err = fixed.Send(ctx, msg(carol, "hi"))
	assert.ErrorIs(t, err, sms.ErrRefused, "fixed-line-or-mobile no longer listed")
}

func TestGuardRegions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g, _, _ := setup(t, sms.GuardConfig{AllowedRegions: []string{"se", "+1"}})
	tests := []struct {
		to     string
		region string // "" when allowed
	}{
		{bob, ""},
		{carol, ""},
		{alice, "GB"},
		{"+34612345678", "ES"},
		{"+881234567890", ""}, // refused: a satellite number is in no region
	}
	for _, tt := range tests {
		_, err := g.Send(ctx, msg(tt.to, "hi"))
		if tt.to == "+881234567890" {
			var re *sms.RefusedError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, sms.ReasonRegion, re.Reason)
			continue
		}
		if tt.region == "" {
			assert.NoError(t, err, tt.to)
			continue
		}
		var re *sms.RefusedError
		require.ErrorAs(t, err, &re, tt.to)
		assert.Equal(t, sms.ReasonRegion, re.Reason)
		assert.Equal(t, tt.region, re.Region)
	}
}

func TestGuardInvalidMessages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g, s, _ := setup(t, sms.GuardConfig{})
	tests := []struct {
		name string
		m    sms.Message
		want error
	}{
		{"no destination", msg("", "hi"), sms.ErrInvalidMessage},
		{"national form", msg("07400123456", "hi"), sms.ErrInvalidMessage},
		{"no body", msg(alice, ""), sms.ErrInvalidMessage},
		{"not utf-8", msg(alice, "a\xff"), sms.ErrInvalidMessage},
		{"7 segments", msg(alice, strings.Repeat("a", 153*6+1)), sms.ErrInvalidMessage},
		{"unassigned number", msg("+447700900123", "hi"), sms.ErrRefused},
	}
	for _, tt := range tests {
		_, err := g.Send(ctx, tt.m)
		assert.ErrorIs(t, err, tt.want, tt.name)
	}
	_, err := g.Send(ctx, msg(alice, strings.Repeat("a", 153*6)))
	assert.NoError(t, err, "6 segments pass")
	assert.EqualValues(t, 1, s.sent.Load())

	uncapped, _, _ := setup(t, sms.GuardConfig{MaxSegments: -1})
	_, err = uncapped.Send(ctx, msg(alice, strings.Repeat("ж", 67*20)))
	assert.NoError(t, err, "no cap")
	two, _, _ := setup(t, sms.GuardConfig{MaxSegments: 1})
	_, err = two.Send(ctx, msg(alice, strings.Repeat("ж", 71)))
	assert.ErrorContains(t, err, "body takes 2 segments, at most 1 allowed")
}

func TestGuardRefusalsCostNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g, s, _ := setup(t, sms.GuardConfig{})
	// Policy refusals are not counted: a premium-rate flood does not
	// spend the global budget.
	for range 20 {
		_, err := g.Send(ctx, msg("+449098790123", "x"))
		require.ErrorIs(t, err, sms.ErrRefused)
	}
	// Limit refusals never reach the gateway.
	for range 20 {
		_, _ = g.Send(ctx, msg(alice, time.Now().String()))
	}
	assert.EqualValues(t, 3, s.sent.Load())
}

func TestGuardConcurrent(t *testing.T) {
	t.Parallel()
	g, s, _ := setup(t, sms.GuardConfig{})
	var wg sync.WaitGroup
	var ok, limited atomic.Int64
	for i := range 50 {
		wg.Go(func() {
			_, err := g.Send(context.Background(), msg(alice, "n"+time.Duration(i).String()))
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, sms.ErrRateLimited):
				limited.Add(1)
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 3, ok.Load(), "exactly the limit passes under concurrency")
	assert.EqualValues(t, 47, limited.Load())
	assert.EqualValues(t, 3, s.sent.Load())
}

func TestGuardSharedCounter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// Two instances over one counter (a store, in production) share
	// their limits. A counter that is not a MemoryCounter cannot say
	// when its window started: RetryAfter is then the whole window.
	mc := sms.NewMemoryCounter()
	shared := sms.CounterFunc(mc.Hit)
	a, _, _ := setup(t, sms.GuardConfig{Counter: shared})
	b, _, _ := setup(t, sms.GuardConfig{Counter: shared})
	for i, g := range []*sms.Guard{a, b, a} {
		_, err := g.Send(ctx, msg(alice, string(rune('a'+i))))
		require.NoError(t, err)
	}
	_, err := b.Send(ctx, msg(alice, "d"))
	le := limitRule(t, err)
	assert.Equal(t, 10*time.Minute, le.RetryAfter)
}

func TestGuardCounterFailureFailsClosed(t *testing.T) {
	t.Parallel()
	boom := errors.New("database is down")
	g, s, _ := setup(t, sms.GuardConfig{Counter: sms.CounterFunc(func(context.Context, string, time.Time, time.Duration) (int64, error) {
		return 0, boom
	})})
	_, err := g.Send(context.Background(), msg(alice, "x"))
	assert.ErrorIs(t, err, boom)
	assert.ErrorContains(t, err, "sms: guard: count duplicate")
	assert.Zero(t, s.sent.Load())
}

func TestGuardCounterKeys(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var keys []string
	c := sms.CounterFunc(func(_ context.Context, key string, _ time.Time, _ time.Duration) (int64, error) {
		mu.Lock()
		defer mu.Unlock()
		keys = append(keys, key)
		return 1, nil
	})
	g, _, _ := setup(t, sms.GuardConfig{Counter: c, KeyPrefix: "roster:sms:"})
	m := msg(alice, "Your code is 123456")
	m.AccountID = "acct-1"
	_, err := g.Send(context.Background(), m)
	require.NoError(t, err)
	require.Len(t, keys, 5)
	assert.Regexp(t, `^roster:sms:duplicate:\+447400123456:[0-9a-f]{32}$`, keys[0])
	assert.Equal(t, []string{"roster:sms:destination:+447400123456", "roster:sms:destination_daily:+447400123456",
		"roster:sms:account:acct-1", "roster:sms:global"}, keys[1:])
	for _, k := range keys {
		assert.NotContains(t, k, "123456 ", "never the body")
	}
}

func TestGuardLogsWithoutNumberOrBody(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	g, _, _ := setup(t, sms.GuardConfig{Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	ctx := context.Background()
	_, _ = g.Send(ctx, msg("+449098790123", "Your code is 314159"))
	for range 4 {
		_, _ = g.Send(ctx, msg(alice, "Your code is 271828"))
	}
	out := buf.String()
	assert.Contains(t, out, "reason=number_type")
	assert.Contains(t, out, "rule=duplicate")
	assert.Contains(t, out, "to=+*********456")
	assert.NotContains(t, out, "7400123456")
	assert.NotContains(t, out, "314159")
	assert.NotContains(t, out, "271828")
}

func TestGuardReceipt(t *testing.T) {
	t.Parallel()
	g, _, _ := setup(t, sms.GuardConfig{})
	rc, err := g.Send(context.Background(), msg(alice, strings.Repeat("ж", 71)))
	require.NoError(t, err)
	assert.Equal(t, 2, rc.Segments, "filled in from Analyze when the gateway gives none")
	assert.Equal(t, sms.UCS2, rc.Encoding)
	assert.NotEmpty(t, rc.ID)

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = g.Send(cancelled, msg(bob, "x"))
	assert.ErrorIs(t, err, context.Canceled)
}

func TestNewGuardErrors(t *testing.T) {
	t.Parallel()
	s := &sink{}
	tests := []struct {
		name string
		next sms.Sender
		cfg  sms.GuardConfig
		want string
	}{
		{"no next", nil, sms.GuardConfig{}, "missing next sender"},
		{"unknown region", s, sms.GuardConfig{AllowedRegions: []string{"XX"}}, `unknown region "XX"`},
		{"unknown calling code", s, sms.GuardConfig{AllowedRegions: []string{"+999"}}, `unknown calling code "+999"`},
		{"bad calling code", s, sms.GuardConfig{AllowedRegions: []string{"+x"}}, `unknown calling code "+x"`},
		{"unknown type", s, sms.GuardConfig{AllowedTypes: []sms.NumberType{"landline"}}, `unknown number type "landline"`},
		{"negative window", s, sms.GuardConfig{Account: sms.Limit{Window: -time.Second}}, "negative window for rule account"},
	}
	for _, tt := range tests {
		_, err := sms.NewGuard(tt.next, tt.cfg)
		assert.ErrorContains(t, err, tt.want, tt.name)
	}
}
