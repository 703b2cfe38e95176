package invite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/rosterkit/roster/auth"
	"github.com/rosterkit/roster/internal/token"
	"github.com/rosterkit/roster/sms"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/mail"
)

// DefaultTTL is the lifetime of an invitation, activation or ownership
// link when the Config leaves it zero (DESIGN.md: "invitation link:
// valid 7 days").
const DefaultTTL = 7 * 24 * time.Hour

// DefaultSendConcurrency is how many messages are handed to the mailer
// and the SMS sender at once when Config.SendConcurrency is zero.
const DefaultSendConcurrency = 8

// MaxAddresses is the most addresses one Invite call takes.
const MaxAddresses = 5000

// Links build the links carried by the messages from their secret
// tokens. Each returns an absolute URL, e.g.
// func(t string) string { return "https://app.example/invite?token=" + t }.
type Links struct {
	// Invite opens the page where an invitee looks at the invitation
	// (Lookup) and accepts it (Accept).
	Invite func(token string) string
	// Activate opens the page where a user created by an admin sets a
	// password (LookupActivation, Activate).
	Activate func(token string) string
	// Ownership opens the page where a user reviews an ownership request
	// and accepts or declines it (LookupOwnership, AcceptOwnership,
	// DeclineOwnership).
	Ownership func(token string) string
}

// Config configures a Service. Users and Mailer are required, and
// either BaseURL or the three Links; every other field has a default.
type Config struct {
	// Users is the admin core: users, accounts, authorization, audit and
	// the store. Required.
	Users *usermgmt.Service
	// Hasher hashes the passwords invitees and activating users choose.
	// Nil means auth.NewHasher's defaults (argon2id, m=19456 KiB, t=2,
	// p=1).
	Hasher auth.PasswordHasher
	// Mailer sends invitations, welcome (activation) mails and ownership
	// requests. Required.
	Mailer mail.Mailer
	// MailTemplates words the mails; nil means the built-in ones.
	MailTemplates *mail.Templates
	// SMS sends login details (seed 002) and, with OwnershipBySMS,
	// ownership requests. Pass the guarded sender (roster.Kit.SMS), so
	// that the anti-pumping limits apply. Nil means no SMS: asking for
	// login details by SMS is then an error.
	SMS sms.Sender
	// SMSTemplates words the SMS; nil means the built-in ones.
	SMSTemplates *sms.Templates
	// From is the sender address of the mails; "" means the mailer's
	// default.
	From string
	// BaseURL, when set, gives the links not set in Links:
	// <BaseURL>/invite?token=…, <BaseURL>/activate?token=… and
	// <BaseURL>/ownership?token=… (the pages roster.Kit documents).
	BaseURL string
	// Links overrides the links built from BaseURL, one by one.
	Links Links
	// InviteTTL, ActivationTTL and OwnershipTTL are the lifetimes of the
	// three kinds of link; 0 means DefaultTTL (7 days).
	InviteTTL     time.Duration
	ActivationTTL time.Duration
	OwnershipTTL  time.Duration
	// Disposable reports whether an e-mail domain (lower case, such as
	// "mailinator.com") belongs to a disposable-address service; such
	// addresses are not invited. Nil means IsDisposable, the embedded
	// list. A host that keeps its own list, or asks a service, plugs it
	// in here, and may call IsDisposable too.
	Disposable func(domain string) bool
	// OwnershipBySMS also sends ownership requests by SMS to the user's
	// mobile phone, besides the mail. It needs SMS.
	OwnershipBySMS bool
	// SendConcurrency bounds how many messages are sent at once after a
	// bulk invitation; 0 means DefaultSendConcurrency.
	SendConcurrency int
	// Now is the clock; nil means the clock of Users. Times are used in
	// UTC at microsecond precision, as the store keeps them.
	Now func() time.Time
	// Logger receives operational messages (delivery failures); nil
	// discards them. No token, password or full phone number is logged.
	Logger *slog.Logger
}

// Service invites people by e-mail, activates users created by an
// admin, sends login details by SMS and moves users between accounts on
// their own confirmation. It is safe for concurrent use.
type Service struct {
	users      *usermgmt.Service
	store      usermgmt.Store
	hasher     auth.PasswordHasher
	mailer     mail.Mailer
	mailTpl    *mail.Templates
	sms        sms.Sender
	smsTpl     *sms.Templates
	from       string
	links      Links
	ttl        map[usermgmt.TokenKind]time.Duration
	disposable func(string) bool
	ownSMS     bool
	workers    int
	now        func() time.Time
	log        *slog.Logger
}

// New returns a Service, or an error saying what to fix.
func New(cfg Config) (*Service, error) {
	if cfg.Users == nil {
		return nil, errors.New("invite: missing Config.Users (the usermgmt.Service holding the users)")
	}
	if cfg.Mailer == nil {
		return nil, errors.New("invite: missing Config.Mailer (a mail.Mailer for invitations; mail.NewConsole for development)")
	}
	if cfg.OwnershipBySMS && cfg.SMS == nil {
		return nil, errors.New("invite: Config.OwnershipBySMS needs Config.SMS (an sms.Sender; sms.NewConsole for development)")
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"InviteTTL", cfg.InviteTTL}, {"ActivationTTL", cfg.ActivationTTL}, {"OwnershipTTL", cfg.OwnershipTTL}} {
		if d.v < 0 {
			return nil, fmt.Errorf("invite: Config.%s must be positive, or 0 for 7 days", d.name)
		}
	}
	if cfg.SendConcurrency < 0 {
		return nil, errors.New("invite: Config.SendConcurrency must be positive, or 0 for the default")
	}
	links, err := buildLinks(cfg.BaseURL, cfg.Links)
	if err != nil {
		return nil, err
	}
	s := &Service{users: cfg.Users, store: cfg.Users.Store(), hasher: cfg.Hasher, mailer: cfg.Mailer,
		mailTpl: cfg.MailTemplates, sms: cfg.SMS, smsTpl: cfg.SMSTemplates, from: cfg.From, links: links,
		disposable: cfg.Disposable, ownSMS: cfg.OwnershipBySMS, workers: cfg.SendConcurrency, now: cfg.Now,
		log: cfg.Logger}
	s.ttl = map[usermgmt.TokenKind]time.Duration{
		usermgmt.TokenInvite:     or(cfg.InviteTTL, DefaultTTL),
		usermgmt.TokenActivation: or(cfg.ActivationTTL, DefaultTTL),
		usermgmt.TokenOwnership:  or(cfg.OwnershipTTL, DefaultTTL),
	}
	if s.from != "" {
		if err := (mail.Message{From: s.from, To: []string{"a@example.com"}, Text: "x"}).Validate(); err != nil {
			return nil, fmt.Errorf("invite: Config.From is not a valid address (try \"Example <no-reply@example.com>\")")
		}
	}
	if s.hasher == nil {
		h, err := auth.NewHasher(auth.HashConfig{})
		if err != nil {
			return nil, err
		}
		s.hasher = h
	}
	if s.mailTpl == nil {
		if s.mailTpl, err = mail.NewTemplates(mail.TemplateConfig{}); err != nil {
			return nil, err
		}
	}
	if s.smsTpl == nil {
		if s.smsTpl, err = sms.NewTemplates(sms.TemplateConfig{}); err != nil {
			return nil, err
		}
	}
	if s.disposable == nil {
		s.disposable = IsDisposable
	}
	if s.workers == 0 {
		s.workers = DefaultSendConcurrency
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// buildLinks fills the links BaseURL gives and checks none is missing.
func buildLinks(base string, l Links) (Links, error) {
	if base != "" {
		u, err := url.Parse(base)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return Links{}, errors.New("invite: Config.BaseURL must be an absolute URL such as https://app.example.com/roster")
		}
		base = strings.TrimRight(base, "/")
		page := func(name string) func(string) string {
			prefix := base + "/" + name + "?token="
			return func(t string) string { return prefix + url.QueryEscape(t) }
		}
		l.Invite = orFunc(l.Invite, page("invite"))
		l.Activate = orFunc(l.Activate, page("activate"))
		l.Ownership = orFunc(l.Ownership, page("ownership"))
	}
	var missing []string
	if l.Invite == nil {
		missing = append(missing, "Links.Invite")
	}
	if l.Activate == nil {
		missing = append(missing, "Links.Activate")
	}
	if l.Ownership == nil {
		missing = append(missing, "Links.Ownership")
	}
	if len(missing) > 0 {
		return Links{}, fmt.Errorf("invite: missing Config.BaseURL, or Config.%s (builds a link from its token)", strings.Join(missing, " and Config."))
	}
	return l, nil
}

func orFunc(f, def func(string) string) func(string) string {
	if f != nil {
		return f
	}
	return def
}

// Now returns the service's current time in UTC at microsecond
// precision, the form every stored time takes.
func (s *Service) Now() time.Time {
	if s.now == nil {
		return s.users.Now()
	}
	return s.now().UTC().Truncate(time.Microsecond)
}

// TTL returns the lifetime of links of a kind (invite, activation or
// ownership).
func (s *Service) TTL(kind usermgmt.TokenKind) time.Duration { return s.ttl[kind] }

// link returns the link for a token secret of a kind.
func (s *Service) link(kind usermgmt.TokenKind, secret string) string {
	switch kind {
	case usermgmt.TokenInvite:
		return s.links.Invite(secret)
	case usermgmt.TokenActivation:
		return s.links.Activate(secret)
	}
	return s.links.Ownership(secret)
}

// newToken makes a token of kind with a fresh secret, its lifetime
// starting at now. The caller fills the rest and writes it.
func (s *Service) newToken(kind usermgmt.TokenKind, now time.Time) (usermgmt.Token, string, error) {
	secret, hash, err := token.New()
	if err != nil {
		return usermgmt.Token{}, "", err
	}
	return usermgmt.Token{ID: s.users.NewID(), Kind: kind, Hash: hash, CreatedAt: now,
		ExpiresAt: now.Add(s.ttl[kind])}, secret, nil
}

// rotate gives t a fresh secret and restarts its lifetime at now.
func (s *Service) rotate(t *usermgmt.Token, now time.Time) (string, error) {
	secret, hash, err := token.New()
	if err != nil {
		return "", err
	}
	t.Hash, t.ExpiresAt, t.SendError = hash, now.Add(s.ttl[t.Kind]), ""
	return secret, nil
}

// ErrRevoked is returned for an invitation an admin revoked. It also
// matches usermgmt.ErrUsed, since a revoked link can never be used.
var ErrRevoked error = revokedError{}

type revokedError struct{}

func (revokedError) Error() string { return "revoked" }

// Is reports whether target is usermgmt.ErrUsed.
func (revokedError) Is(target error) bool { return target == usermgmt.ErrUsed }

// ErrDelivery matches (with errors.Is) the error of the calls whose only
// job is to deliver one message (Welcome, SendOwnership) when the
// mailer or the SMS sender refused it; the error's text says which,
// e.g. "mail delivery failed: timed out". The link was written all the
// same: its failure is recorded and it can be sent again.
var ErrDelivery = errors.New("delivery failed")

// deliveryError is a failed delivery: its text is the recorded reason.
type deliveryError struct{ reason string }

func (e *deliveryError) Error() string { return e.reason }

// Is reports whether target is ErrDelivery.
func (e *deliveryError) Is(target error) bool { return target == ErrDelivery }

// peek finds the token a link holder presents, without consuming it:
// usermgmt.ErrNotFound for a malformed or unknown token or one of
// another kind ("invalid"), ErrRevoked, usermgmt.ErrUsed, or
// usermgmt.ErrExpired.
func (s *Service) peek(ctx context.Context, kind usermgmt.TokenKind, secret string) (usermgmt.Token, error) {
	hash, err := token.Parse(secret)
	if err != nil {
		return usermgmt.Token{}, usermgmt.ErrNotFound
	}
	t, err := s.store.GetTokenByHash(ctx, hash)
	if err != nil {
		return usermgmt.Token{}, err
	}
	if t.Kind != kind {
		return usermgmt.Token{}, usermgmt.ErrNotFound
	}
	if err := tokenState(t, s.Now()); err != nil {
		return usermgmt.Token{}, err
	}
	return t, nil
}

// tokenState returns nil for a pending token and the error its holder
// gets otherwise.
func tokenState(t usermgmt.Token, now time.Time) error {
	switch {
	case t.Outcome == outcomeRevoked:
		return ErrRevoked
	case !t.UsedAt.IsZero():
		return usermgmt.ErrUsed
	case !now.Before(t.ExpiresAt):
		return usermgmt.ErrExpired
	}
	return nil
}

// consume consumes a token inside tx, telling a revoked token from a
// used one.
func consume(ctx context.Context, tx usermgmt.Tx, kind usermgmt.TokenKind, hash string, now time.Time, outcome string) (usermgmt.Token, error) {
	t, err := tx.ConsumeToken(ctx, kind, hash, now, outcome)
	if errors.Is(err, usermgmt.ErrUsed) {
		if cur, gerr := tx.GetTokenByHash(ctx, hash); gerr == nil && cur.Outcome == outcomeRevoked {
			return usermgmt.Token{}, ErrRevoked
		}
	}
	return t, err
}

// Token outcomes this package writes.
const (
	outcomeAccepted  = "accepted"
	outcomeDeclined  = "declined"
	outcomeRevoked   = "revoked"
	outcomeActivated = "activated"
)

// State is where an invitation or an ownership request stands.
type State string

// The states.
const (
	StatePending  State = "pending"  // waiting for its holder
	StateExpired  State = "expired"  // unused past its lifetime
	StateAccepted State = "accepted" // accepted (or, for an activation, used)
	StateDeclined State = "declined" // declined by the user (ownership requests)
	StateRevoked  State = "revoked"  // withdrawn by an admin
)

// stateOf reads a token's state at now.
func stateOf(t usermgmt.Token, now time.Time) State {
	switch {
	case t.UsedAt.IsZero() && now.Before(t.ExpiresAt):
		return StatePending
	case t.UsedAt.IsZero():
		return StateExpired
	case t.Outcome == outcomeDeclined:
		return StateDeclined
	case t.Outcome == outcomeRevoked:
		return StateRevoked
	}
	return StateAccepted
}

// forbidden makes an error matching usermgmt.ErrForbidden with a reason.
func forbidden(why string) error { return fmt.Errorf("%w: %s", usermgmt.ErrForbidden, why) }

// invalid makes a *usermgmt.ValidationError for one field.
func invalid(field, code, message string) error {
	ve := &usermgmt.ValidationError{}
	ve.Add(field, code, message)
	return ve
}

// decode reads a token's Data into v; a token whose data cannot be read
// is reported as missing rather than crashing anything.
func decode(t usermgmt.Token, v any) error {
	if err := json.Unmarshal(t.Data, v); err != nil {
		return fmt.Errorf("invite: token %s: unreadable data: %w", t.ID, usermgmt.ErrNotFound)
	}
	return nil
}

// refusedError carries a refusal of a link holder's request out of a
// transaction, so that it is audited after the rollback: in accountID,
// or when that is "" in the token's account.
type refusedError struct {
	err       error
	accountID string
	userID    string // the target user, with accountID
}

func (e *refusedError) Error() string { return e.err.Error() }
func (e *refusedError) Unwrap() error { return e.err }

// refuseAfter audits a refusal a token flow's transaction returned (a
// refusedError, or a seat limit) in the token's account, and returns
// the error to give the caller.
func (s *Service) refuseAfter(ctx context.Context, err error, accountID, action, targetType, targetID string) error {
	var r *refusedError
	switch {
	case errors.As(err, &r) && r.accountID != "":
		return s.users.Refuse(ctx, r.accountID, "", action, "user", r.userID, r.err)
	case errors.As(err, &r):
		return s.users.Refuse(ctx, accountID, "", action, targetType, targetID, r.err)
	case errors.Is(err, usermgmt.ErrSeatLimit):
		return s.users.Refuse(ctx, accountID, "", action, targetType, targetID, err)
	}
	return err
}

// userName returns a user's display name, or "" when the user is gone.
func userName(ctx context.Context, tx usermgmt.Tx, id string) string {
	if id == "" {
		return ""
	}
	u, err := tx.GetUser(ctx, id)
	if err != nil || !u.Live() {
		return ""
	}
	return u.Name()
}

// accountName returns an account's name, or "" when it cannot be read.
func accountName(ctx context.Context, tx usermgmt.Tx, id string) string {
	a, err := tx.GetAccount(ctx, id)
	if err != nil {
		return ""
	}
	return a.Name
}
