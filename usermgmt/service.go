package usermgmt

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
)

// PasswordHasher turns a plaintext password into the string a store
// keeps. auth.Hasher implements it (argon2id by default).
type PasswordHasher interface {
	Hash(ctx context.Context, password string) (string, error)
}

// Config configures a Service. Only Store is required.
type Config struct {
	// Store persists everything. Required.
	Store Store
	// Rules validates and normalises input; the zero value applies the
	// defaults in DESIGN.md (seed password policy, 4-character usernames,
	// E.164 phones with no default region).
	Rules Rules
	// Hasher hashes passwords given to CreateUser. When nil, creating a
	// user with a plaintext password fails; users without one are
	// created pending (see package invite for activation).
	Hasher PasswordHasher
	// Now is the clock. If nil, time.Now is used. Times are stored in
	// UTC at microsecond precision.
	Now func() time.Time
	// NewID makes record ids. If nil, UUIDv7 strings are used.
	NewID func() string
	// Logger receives operational messages. If nil, nothing is logged.
	// No secret and no full phone number is ever logged.
	Logger *slog.Logger
}

// Service performs the administrative operations of an account: what an
// admin does in the seeds' User Management screens. Every operation
// names its acting user (the actor) and is authorized before it reads or
// writes; every change and every refusal is audited.
//
// A Service is safe for concurrent use.
type Service struct {
	store  Store
	rules  Rules
	hasher PasswordHasher
	now    func() time.Time
	newID  func() string
	log    *slog.Logger
}

// New returns a Service. It fails only when the configuration cannot
// work, and says how to fix it.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("usermgmt: missing Config.Store (try memstore.New() for tests, or sqlitestore.Open for the embedded default)")
	}
	s := &Service{store: cfg.Store, rules: cfg.Rules, hasher: cfg.Hasher, now: cfg.Now, newID: cfg.NewID, log: cfg.Logger}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = func() string { return uuid.Must(uuid.NewV7()).String() }
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// Store returns the store the service writes to, for packages that
// compose their own transactions (auth, invite, importer).
func (s *Service) Store() Store { return s.store }

// Rules returns the validation rules in force.
func (s *Service) Rules() Rules { return s.rules }

// Now returns the current time from the configured clock, in UTC at
// microsecond precision: the form every stored time takes.
func (s *Service) Now() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// NewID returns a fresh record id from the configured generator.
func (s *Service) NewID() string { return s.newID() }

// Record appends an audit event through tx, filling its ID and, when
// zero, its time and outcome. Call it inside the transaction that makes
// the change it records.
func (s *Service) Record(ctx context.Context, tx Tx, e Event) error {
	if e.ID == "" {
		e.ID = s.newID()
	}
	if e.At.IsZero() {
		e.At = s.Now()
	}
	if e.Outcome == "" {
		e.Outcome = OutcomeOK
	}
	if err := tx.AppendEvent(ctx, &e); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// Refuse records that actor was refused action on a target, in its own
// transaction, and returns err so callers can write
// `return s.Refuse(ctx, ...)`. When the refusal cannot be recorded, the
// error returned still matches err and carries the store's error too:
// no refusal goes unaudited in silence. Refusals outside any account (an
// unknown actor) are logged but not stored, since an event belongs to an
// account.
func (s *Service) Refuse(ctx context.Context, accountID, actorID, action, targetType, targetID string, err error) error {
	if accountID == "" {
		s.log.WarnContext(ctx, "refused", "action", action, "reason", reason(err))
		return err
	}
	e := Event{AccountID: accountID, ActorID: actorID, Action: action, TargetType: targetType,
		TargetID: targetID, Outcome: OutcomeRefused, Reason: reason(err)}
	// A cancelled request still leaves its refusal on record.
	if rerr := s.Record(context.WithoutCancel(ctx), s.store, e); rerr != nil {
		return fmt.Errorf("%w (not audited: %w)", err, rerr)
	}
	return err
}

// reason gives the stable code recorded for a refusal.
func reason(err error) string {
	switch {
	case errors.Is(err, ErrNotFound):
		return "not_found"
	case errors.Is(err, ErrForbidden):
		return "forbidden"
	case errors.Is(err, ErrSeatLimit):
		return "seat_limit"
	case errors.Is(err, ErrInvalid):
		return "invalid"
	case errors.Is(err, ErrConflict):
		return "conflict"
	}
	return "error"
}

// tx runs fn in a transaction of the service's store.
func (s *Service) tx(ctx context.Context, fn func(tx Tx) error) error {
	return s.store.WithTx(ctx, fn)
}
