package sms

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// Limit is a fixed-window rate: at most Max messages per Window.
type Limit struct {
	// Max is how many messages a window allows: 0 means the rule's
	// default, a negative number turns the rule off.
	Max int
	// Window is the window's length; 0 means the rule's default.
	Window time.Duration
}

// The Guard's defaults, used for zero fields of GuardConfig.
const (
	// DefaultDestinationMax messages per destination per
	// DefaultDestinationWindow.
	DefaultDestinationMax    = 3
	DefaultDestinationWindow = 10 * time.Minute
	// DefaultDestinationDailyMax messages per destination per
	// DefaultDestinationDailyWindow.
	DefaultDestinationDailyMax    = 10
	DefaultDestinationDailyWindow = 24 * time.Hour
	// DefaultAccountMax messages per account per DefaultAccountWindow.
	DefaultAccountMax    = 100
	DefaultAccountWindow = time.Hour
	// DefaultGlobalMax messages through the Guard per
	// DefaultGlobalWindow.
	DefaultGlobalMax    = 1000
	DefaultGlobalWindow = time.Hour

	// DefaultDuplicateWindow is how long the same body to the same
	// destination is refused after it was sent.
	DefaultDuplicateWindow = time.Minute
	// DefaultMaxSegments caps the segments of one message.
	DefaultMaxSegments = 6
)

// GuardConfig configures NewGuard. Its zero value is a safe default:
// counting in a MemoryCounter, 3 messages per destination per 10
// minutes and 10 per day, 100 per account per hour, 1000 in all per
// hour, the same body to the same destination at most once a minute,
// every country, mobile and fixed-line-or-mobile numbers only, at most 6
// segments a message.
type GuardConfig struct {
	// Counter counts the messages. Pass the host's usermgmt.Store (or any
	// shared counter) so that limits hold across instances; nil means a
	// new MemoryCounter, which counts in this process only.
	Counter Counter
	// Destination limits the messages to one number in a short window;
	// zero fields mean DefaultDestinationMax and
	// DefaultDestinationWindow.
	Destination Limit
	// DestinationDaily limits the messages to one number in a long
	// window; zero fields mean DefaultDestinationDailyMax
	// and DefaultDestinationDailyWindow.
	DestinationDaily Limit
	// Account limits the messages sent on behalf of one account
	// (Message.AccountID; messages without one are not counted here);
	// zero fields mean DefaultAccountMax and
	// DefaultAccountWindow.
	Account Limit
	// Global limits every message through the Guard; zero fields mean
	// DefaultGlobalMax and DefaultGlobalWindow.
	Global Limit
	// Duplicate is how long the same body to the same destination is
	// refused after a first try; 0 means DefaultDuplicateWindow, a
	// negative value turns duplicate suppression off. Only a hash of the
	// body is kept.
	Duplicate time.Duration
	// AllowedRegions lists where messages may go, each an ISO 3166-1
	// alpha-2 region ("GB", "SE") or a country calling code ("+44",
	// "+1"); empty means everywhere.
	AllowedRegions []string
	// AllowedTypes lists the number types messages may go to; empty
	// means NumberMobile and NumberFixedLineOrMobile. Premium-rate,
	// shared-cost, toll-free, VoIP, UAN, pager, personal, voicemail and
	// unknown numbers are where pumping goes: allow them knowingly.
	AllowedTypes []NumberType
	// MaxSegments refuses a body of more segments (see Analyze); 0 means
	// DefaultMaxSegments, a negative value means no cap.
	MaxSegments int
	// KeyPrefix namespaces the counter keys; empty means "sms:". Keys
	// are <prefix><rule>:<destination or account>, the duplicate rule's
	// adding a hash of the body.
	KeyPrefix string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives a warning for every refusal, with the rule and the
	// masked destination (never the body); nil discards them.
	Logger *slog.Logger
}

// Guard is a Sender that protects the Sender it wraps against SMS
// pumping (artificially inflated traffic): it refuses destinations
// outside the allowed countries and number types, bodies over the
// segment cap, duplicates, and messages over the per-destination,
// per-account and global limits. Every check and count happens before
// the wrapped Sender is called, so a refused message costs nothing.
//
// A message that passes the policy checks counts against each limit in
// turn (duplicate, destination, daily destination, account, global)
// until one refuses it; attempts count whether or not they are sent, so
// an attacker hammering one number exhausts that number's budget first
// and not the global one.
//
// A Guard is safe for concurrent use; with a shared Counter its limits
// hold across every instance.
type Guard struct {
	next         Sender
	counter      Counter
	rules        []rule
	duplicate    time.Duration
	regions      map[string]bool
	callingCodes map[int]bool
	types        map[NumberType]bool
	maxSegments  int
	prefix       string
	now          func() time.Time
	log          *slog.Logger
	lookups      lookupCache
}

// lookupCache keeps what Lookup said about recent destinations: the
// numbering plan is fixed for the life of the process, and parsing is
// most of a Guard's cost. It holds at most lookupCacheSize entries and
// starts over when full, so a flood of distinct numbers cannot grow it.
type lookupCache struct {
	mu sync.Mutex
	m  map[string]lookupResult
}

type lookupResult struct {
	d   Destination
	err error
}

const lookupCacheSize = 4096

func (c *lookupCache) lookup(number string) (Destination, error) {
	c.mu.Lock()
	r, ok := c.m[number]
	c.mu.Unlock()
	if ok {
		if re, isRefusal := r.err.(*RefusedError); isRefusal {
			cp := *re // each caller gets its own error to keep
			return r.d, &cp
		}
		return r.d, r.err
	}
	d, err := Lookup(number)
	if err != nil && !errors.Is(err, ErrRefused) {
		return d, err // malformed input is not worth a cache entry
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= lookupCacheSize {
		c.m = make(map[string]lookupResult, 256)
	}
	c.m[number] = lookupResult{d, err}
	return d, err
}

type rule struct {
	name string
	lim  Limit
	key  func(prefix string, m Message) string // "" skips the rule
}

var _ Sender = (*Guard)(nil)

// NewGuard wraps next in a Guard configured by cfg.
func NewGuard(next Sender, cfg GuardConfig) (*Guard, error) {
	if next == nil {
		return nil, errors.New("sms: guard: missing next sender (the gateway adapter to protect)")
	}
	g := &Guard{next: next, counter: cfg.Counter, duplicate: cfg.Duplicate, maxSegments: cfg.MaxSegments,
		prefix: cfg.KeyPrefix, now: cfg.Now, log: cfg.Logger}
	if g.counter == nil {
		g.counter = NewMemoryCounter()
	}
	if g.duplicate == 0 {
		g.duplicate = DefaultDuplicateWindow
	}
	if g.maxSegments == 0 {
		g.maxSegments = DefaultMaxSegments
	}
	if g.prefix == "" {
		g.prefix = "sms:"
	}
	if g.now == nil {
		g.now = time.Now
	}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	specs := []struct {
		name string
		lim  Limit
		def  Limit
		key  func(prefix string, m Message) string
	}{
		{RuleDestination, cfg.Destination, Limit{DefaultDestinationMax, DefaultDestinationWindow},
			func(p string, m Message) string { return p + RuleDestination + ":" + m.To }},
		{RuleDestinationDaily, cfg.DestinationDaily, Limit{DefaultDestinationDailyMax, DefaultDestinationDailyWindow},
			func(p string, m Message) string { return p + RuleDestinationDaily + ":" + m.To }},
		{RuleAccount, cfg.Account, Limit{DefaultAccountMax, DefaultAccountWindow}, func(p string, m Message) string {
			if m.AccountID == "" {
				return ""
			}
			return p + RuleAccount + ":" + m.AccountID
		}},
		{RuleGlobal, cfg.Global, Limit{DefaultGlobalMax, DefaultGlobalWindow}, func(p string, _ Message) string { return p + RuleGlobal }},
	}
	for _, s := range specs {
		if s.lim.Window < 0 {
			return nil, fmt.Errorf("sms: guard: negative window for rule %s", s.name)
		}
		if s.lim.Max < 0 {
			continue
		}
		if s.lim.Max == 0 {
			s.lim.Max = s.def.Max
		}
		if s.lim.Window == 0 {
			s.lim.Window = s.def.Window
		}
		g.rules = append(g.rules, rule{name: s.name, lim: s.lim, key: s.key})
	}
	for _, r := range cfg.AllowedRegions {
		r = strings.TrimSpace(r)
		if cc, ok := strings.CutPrefix(r, "+"); ok {
			n, err := strconv.Atoi(cc)
			if err != nil || n <= 0 || phonenumbers.GetRegionCodeForCountryCode(n) == "ZZ" {
				return nil, fmt.Errorf("sms: guard: unknown calling code %q in AllowedRegions", r)
			}
			if g.callingCodes == nil {
				g.callingCodes = map[int]bool{}
			}
			g.callingCodes[n] = true
			continue
		}
		r = strings.ToUpper(r)
		if phonenumbers.GetCountryCodeForRegion(r) == 0 {
			return nil, fmt.Errorf("sms: guard: unknown region %q in AllowedRegions (want ISO 3166-1 alpha-2 like \"GB\", or a calling code like \"+44\")", r)
		}
		if g.regions == nil {
			g.regions = map[string]bool{}
		}
		g.regions[r] = true
	}
	types := cfg.AllowedTypes
	if len(types) == 0 {
		types = []NumberType{NumberMobile, NumberFixedLineOrMobile}
	}
	g.types = map[NumberType]bool{}
	for _, t := range types {
		if numberTypeRank(t) < 0 {
			return nil, fmt.Errorf("sms: guard: unknown number type %q in AllowedTypes", t)
		}
		g.types[t] = true
	}
	return g, nil
}

// numberTypeRank returns t's position among the known types, or -1.
func numberTypeRank(t NumberType) int {
	for i, k := range []NumberType{NumberMobile, NumberFixedLineOrMobile, NumberFixedLine, NumberTollFree,
		NumberPremiumRate, NumberSharedCost, NumberVoIP, NumberPersonal, NumberPager, NumberUAN,
		NumberVoicemail, NumberUnknown} {
		if k == t {
			return i
		}
	}
	return -1
}

// Send checks m against the policy and the limits, counts it, and only
// then passes it to the wrapped Sender. It returns ErrInvalidMessage
// (wrapped) for a message that cannot go as it is, a *RefusedError
// (matching ErrRefused) for a destination the policy refuses, a
// *LimitError (matching ErrRateLimited) for a limit reached, and the
// counter's error, wrapped, when counting fails: the Guard fails closed.
func (g *Guard) Send(ctx context.Context, m Message) (Receipt, error) {
	if err := ctx.Err(); err != nil {
		return Receipt{}, err
	}
	in, err := g.check(m)
	if err != nil {
		g.refused(ctx, m, err)
		return Receipt{}, err
	}
	now := g.now()
	if g.duplicate > 0 {
		sum := sha256.Sum256([]byte(m.Body))
		key := g.prefix + RuleDuplicate + ":" + m.To + ":" + hex.EncodeToString(sum[:16])
		if err := g.hit(ctx, key, RuleDuplicate, Limit{Max: 1, Window: g.duplicate}, now); err != nil {
			g.refused(ctx, m, err)
			return Receipt{}, err
		}
	}
	for _, r := range g.rules {
		key := r.key(g.prefix, m)
		if key == "" {
			continue
		}
		if err := g.hit(ctx, key, r.name, r.lim, now); err != nil {
			g.refused(ctx, m, err)
			return Receipt{}, err
		}
	}
	rc, err := g.next.Send(ctx, m)
	if err != nil {
		return rc, err
	}
	if rc.Segments == 0 {
		rc.Segments = in.Segments
	}
	if rc.Encoding == "" {
		rc.Encoding = in.Encoding
	}
	return rc, nil
}

// check applies the policy: the message's form, the destination's
// region and type.
func (g *Guard) check(m Message) (Info, error) {
	if m.Body == "" {
		return Info{}, fmt.Errorf("%w: empty body", ErrInvalidMessage)
	}
	if !utf8.ValidString(m.Body) {
		return Info{}, fmt.Errorf("%w: body is not utf-8", ErrInvalidMessage)
	}
	in := Analyze(m.Body)
	if g.maxSegments > 0 && in.Segments > g.maxSegments {
		return in, fmt.Errorf("%w: body takes %d segments, at most %d allowed", ErrInvalidMessage, in.Segments, g.maxSegments)
	}
	d, err := g.lookups.lookup(m.To)
	if err != nil {
		return in, err
	}
	if (g.regions != nil || g.callingCodes != nil) && !g.regions[d.Region] && !g.callingCodes[d.CallingCode] {
		return in, &RefusedError{Reason: ReasonRegion, To: Mask(m.To), Region: d.Region, Type: d.Type}
	}
	if !g.types[d.Type] {
		return in, &RefusedError{Reason: ReasonNumberType, To: Mask(m.To), Region: d.Region, Type: d.Type}
	}
	return in, nil
}

// hit counts one message against a rule and returns a *LimitError when
// the rule's limit is passed.
func (g *Guard) hit(ctx context.Context, key, name string, lim Limit, now time.Time) error {
	var (
		n    int64
		ends time.Time
	)
	if wc, ok := g.counter.(windowCounter); ok {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, ends = wc.hitUntil(key, now, lim.Window)
	} else {
		var err error
		if n, err = g.counter.Hit(ctx, key, now, lim.Window); err != nil {
			return fmt.Errorf("sms: guard: count %s: %w", name, err)
		}
	}
	if n <= int64(lim.Max) {
		return nil
	}
	retry := lim.Window
	if !ends.IsZero() {
		retry = max(ends.Sub(now), 0)
	}
	return &LimitError{Rule: name, Limit: lim.Max, Window: lim.Window, RetryAfter: retry}
}

// refused logs a refusal: the rule or reason, the masked destination,
// never the body.
func (g *Guard) refused(ctx context.Context, m Message, err error) {
	if !g.log.Enabled(ctx, slog.LevelWarn) {
		return
	}
	attrs := []slog.Attr{slog.String("to", Mask(m.To)), slog.String("purpose", string(m.Purpose))}
	if m.AccountID != "" {
		attrs = append(attrs, slog.String("account", m.AccountID))
	}
	var le *LimitError
	var re *RefusedError
	switch {
	case errors.As(err, &le):
		attrs = append(attrs, slog.String("rule", le.Rule))
	case errors.As(err, &re):
		attrs = append(attrs, slog.String("reason", re.Reason))
	default:
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	g.log.LogAttrs(ctx, slog.LevelWarn, "sms refused", attrs...)
}
