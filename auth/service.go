package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/rosterkit/roster/internal/token"
	"github.com/rosterkit/roster/sms"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/mail"
)

// LoginBy says what a user types in the login field.
type LoginBy int

// The login identifiers.
const (
	LoginByUsername LoginBy = iota // the default (seed 000: "Username and Password")
	LoginByEmail
	LoginByEither // a value with an @ is an e-mail address, anything else a username
)

// ThrottleConfig bounds password guessing. Failures are counted in the
// store, so the limits hold across application instances.
type ThrottleConfig struct {
	// Threshold is how many consecutive failures a user may have before
	// each further try must wait; 0 means 10.
	Threshold int
	// BaseDelay is the wait after the first failure past the threshold;
	// it doubles with each further failure. 0 means 30 seconds.
	BaseDelay time.Duration
	// MaxDelay caps the wait; 0 means 15 minutes. Nothing locks an
	// account for longer, so an attacker cannot lock a user out cheaply.
	MaxDelay time.Duration
	// Window is how long failures are remembered; 0 means 24 hours.
	Window time.Duration
	// ClientThreshold is how many failures one client key (an IP
	// address, say) may have in an hour, across all users, before its
	// tries wait the same way; 0 means 50.
	ClientThreshold int
}

// PINConfig configures the SMS second factor.
type PINConfig struct {
	Digits         int           // 0 means 6
	TTL            time.Duration // 0 means 10 minutes (seed 000)
	MaxAttempts    int           // wrong codes before the challenge dies; 0 means 5
	ResendCooldown time.Duration // 0 means 30 seconds
	MaxResends     int           // 0 means 3
}

// SessionConfig sets session lifetimes.
type SessionConfig struct {
	Idle     time.Duration // a session unused this long ends; 0 means 30 minutes
	Absolute time.Duration // a session ends this long after login; 0 means 12 hours
}

// Config configures a Service.
type Config struct {
	// Users is the admin core: users, accounts, audit. Required.
	Users *usermgmt.Service
	// Hasher hashes and verifies passwords; nil means NewHasher's
	// defaults (argon2id, m=19456 KiB, t=2, p=1).
	Hasher PasswordHasher
	// SMS sends the login PIN. Wrap your sender in an sms.Guard so that
	// nobody can pump SMS through the login form. Required.
	SMS sms.Sender
	// SMSTemplates words the PIN message; nil means the built-in ones.
	SMSTemplates *sms.Templates
	// Mailer sends reset links and username reminders. Required.
	Mailer mail.Mailer
	// MailTemplates words the mails; nil means the built-in ones.
	MailTemplates *mail.Templates
	// CodeKey is the secret under which PINs are stored (HMAC-SHA256):
	// at least 32 random bytes, the same on every instance. Required.
	CodeKey []byte
	// LoginBy says what users type to log in; the default is the username.
	LoginBy LoginBy
	// ResetURL builds the link of a password reset mail from its token,
	// e.g. func(t string) string { return "https://app.example/reset?t=" + t }.
	// Required.
	ResetURL func(token string) string
	// LoginURL is the login page linked from username reminders; optional.
	LoginURL string
	// Throttle bounds password guessing.
	Throttle ThrottleConfig
	// PIN configures the SMS second factor.
	PIN PINConfig
	// Sessions sets session lifetimes.
	Sessions SessionConfig
	// ResetTTL is how long a reset link works; 0 means 1 hour.
	ResetTTL time.Duration
	// Logger receives operational messages; nil discards them. No
	// password, token, code or full phone number is ever logged.
	Logger *slog.Logger
}

// Service logs users in with a password and an SMS PIN, keeps their
// sessions, recovers forgotten passwords and usernames, and manages API
// keys of system users. It is safe for concurrent use.
type Service struct {
	users   *usermgmt.Service
	store   usermgmt.Store
	hasher  PasswordHasher
	sms     sms.Sender
	smsTpl  *sms.Templates
	mailer  mail.Mailer
	mailTpl *mail.Templates
	key     []byte
	cfg     Config
	log     *slog.Logger

	dummyOnce sync.Once
	dummy     string
	dummyErr  error
}

// New returns a Service, or an error saying what to fix.
func New(cfg Config) (*Service, error) {
	switch {
	case cfg.Users == nil:
		return nil, errors.New("auth: missing Config.Users (the usermgmt.Service holding the users)")
	case cfg.SMS == nil:
		return nil, errors.New("auth: missing Config.SMS (an sms.Sender for the login PIN; sms.NewConsole for development)")
	case cfg.Mailer == nil:
		return nil, errors.New("auth: missing Config.Mailer (a mail.Mailer for reset links; mail.NewConsole for development)")
	case len(cfg.CodeKey) < 32:
		return nil, errors.New("auth: Config.CodeKey must be at least 32 random bytes, the same on every instance")
	case cfg.ResetURL == nil:
		return nil, errors.New("auth: missing Config.ResetURL (builds the link of a password reset mail from its token)")
	}
	s := &Service{users: cfg.Users, store: cfg.Users.Store(), hasher: cfg.Hasher, sms: cfg.SMS, smsTpl: cfg.SMSTemplates,
		mailer: cfg.Mailer, mailTpl: cfg.MailTemplates, key: append([]byte(nil), cfg.CodeKey...), log: cfg.Logger}
	if s.hasher == nil {
		h, err := NewHasher(HashConfig{})
		if err != nil {
			return nil, err
		}
		s.hasher = h
	}
	if s.mailTpl == nil {
		t, err := mail.NewTemplates(mail.TemplateConfig{})
		if err != nil {
			return nil, err
		}
		s.mailTpl = t
	}
	if s.smsTpl == nil {
		t, err := sms.NewTemplates(sms.TemplateConfig{})
		if err != nil {
			return nil, err
		}
		s.smsTpl = t
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	t := &cfg.Throttle
	t.Threshold = or(t.Threshold, 10)
	t.BaseDelay = or(t.BaseDelay, 30*time.Second)
	t.MaxDelay = or(t.MaxDelay, 15*time.Minute)
	t.Window = or(t.Window, 24*time.Hour)
	t.ClientThreshold = or(t.ClientThreshold, 50)
	p := &cfg.PIN
	p.Digits = or(p.Digits, 6)
	p.TTL = or(p.TTL, 10*time.Minute)
	p.MaxAttempts = or(p.MaxAttempts, 5)
	p.ResendCooldown = or(p.ResendCooldown, 30*time.Second)
	p.MaxResends = or(p.MaxResends, 3)
	cfg.Sessions.Idle = or(cfg.Sessions.Idle, 30*time.Minute)
	cfg.Sessions.Absolute = or(cfg.Sessions.Absolute, 12*time.Hour)
	cfg.ResetTTL = or(cfg.ResetTTL, time.Hour)
	if p.Digits < 6 || p.Digits > 10 {
		return nil, fmt.Errorf("auth: Config.PIN.Digits must be 6 to 10, not %d", p.Digits)
	}
	s.cfg = cfg
	return s, nil
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Hasher returns the password hasher in use (the importer hashes with it).
func (s *Service) Hasher() PasswordHasher { return s.hasher }

// dummyHash is a hash of a random password at the current parameters,
// made once: verifying against it costs what a real verification costs.
func (s *Service) dummyHash(ctx context.Context) (string, error) {
	s.dummyOnce.Do(func() {
		secret, _, err := token.New()
		if err != nil {
			s.dummyErr = err
			return
		}
		s.dummy, s.dummyErr = s.hasher.Hash(ctx, secret)
	})
	return s.dummy, s.dummyErr
}

// spend verifies password against the dummy hash: the cost of a real
// verification, for an unknown or refused user.
func (s *Service) spend(ctx context.Context, password string) {
	if d, ok := s.hasher.(interface {
		Dummy(context.Context, string) error
	}); ok {
		_ = d.Dummy(ctx, password)
		return
	}
	if h, err := s.dummyHash(ctx); err == nil {
		_, _, _ = s.hasher.Verify(ctx, h, password)
	}
}

// maskPhone shows only the last three digits of a number.
func maskPhone(e164 string) string {
	if len(e164) <= 6 {
		return "•••"
	}
	out := []byte(e164[:3])
	for range len(e164) - 6 {
		out = append(out, "•"...)
	}
	return string(out) + e164[len(e164)-3:]
}

// record appends an audit event on its own, even when the caller has
// gone. An event that cannot be written fails the operation that it
// records: a refusal then reports the store's error rather than go
// unaudited.
func (s *Service) record(ctx context.Context, e usermgmt.Event) error {
	if e.AccountID == "" {
		return nil
	}
	if err := s.users.Record(context.WithoutCancel(ctx), s.store, e); err != nil {
		return fmt.Errorf("auth: audit %s: %w", e.Action, err)
	}
	return nil
}
