package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rosterkit/roster/internal/token"
	"github.com/rosterkit/roster/sms"
	"github.com/rosterkit/roster/usermgmt"
)

// Credentials is what a user submits on the login page.
type Credentials struct {
	// Login is the username (or e-mail address, per Config.LoginBy).
	Login    string
	Password string
	// ClientKey identifies the client (an IP address, say) for
	// throttling; the host chooses it. Optional but recommended.
	ClientKey string
}

// Issued is a new session: Token is shown to the client once (in a
// cookie); only its SHA-256 is stored.
type Issued struct {
	Token   string           `json:"-"`
	Session usermgmt.Session `json:"session"`
}

// Challenge is the second step of a login with the SMS PIN (seed 000:
// "Enter Verification Code"). Token identifies the challenge to the
// client that started the login; the PIN went to Phone.
type Challenge struct {
	Token     string    `json:"-"`
	ExpiresAt time.Time `json:"expires_at"`
	Phone     string    `json:"phone"` // masked: "+44•••••••456"
}

// LoginResult holds either a session (2FA off) or a challenge.
type LoginResult struct {
	Session   *Issued
	Challenge *Challenge
}

// RetryError says an operation was refused for now and when to try
// again. It matches usermgmt.ErrRateLimited.
type RetryError struct{ After time.Duration }

func (e *RetryError) Error() string {
	return fmt.Sprintf("rate limited: try again in %s", e.After.Round(time.Second))
}

// Is reports whether target is usermgmt.ErrRateLimited.
func (e *RetryError) Is(target error) bool { return target == usermgmt.ErrRateLimited }

// RetryAfter returns how long to wait.
func (e *RetryError) RetryAfter() time.Duration { return e.After }

// challengeData is what a challenge token keeps: the PIN's MAC, never
// the PIN.
type challengeData struct {
	MAC    string `json:"mac"`
	Client string `json:"client,omitempty"`
}

// Login checks a password. With the account's SMS PIN on (the default)
// it sends a PIN to the user's mobile phone and returns a challenge;
// otherwise it returns a session.
//
// Every failure is usermgmt.ErrInvalidCredentials: an unknown user, a
// wrong password, a user who is not active, a system user (they use API
// keys) and a throttled login all look the same, and all cost one
// password verification, so neither the answer nor its time tells
// whether a username exists. No SMS is sent before the password is
// verified.
func (s *Service) Login(ctx context.Context, c Credentials) (LoginResult, error) {
	if len(c.Password) > maxLoginPassword || c.Password == "" || len(c.Login) > maxLogin {
		s.spend(ctx, "")
		return LoginResult{}, usermgmt.ErrInvalidCredentials
	}
	now := s.users.Now()
	u, err := s.findLogin(ctx, c.Login)
	if err != nil {
		if !errors.Is(err, usermgmt.ErrNotFound) {
			return LoginResult{}, err
		}
		// Do what a known user's failure does, so that the time taken
		// does not tell: the throttle reads, the password read, one
		// verification and the failure counts.
		if _, err := s.throttled(ctx, unknownUser, c.ClientKey, now); err != nil {
			return LoginResult{}, err
		}
		_, _ = s.store.GetPassword(ctx, unknownUser)
		s.spend(ctx, c.Password)
		if err := s.fail(ctx, usermgmt.User{ID: unknownUser}, c.ClientKey, now); err != nil {
			return LoginResult{}, err
		}
		return LoginResult{}, usermgmt.ErrInvalidCredentials
	}
	if wait, err := s.throttled(ctx, u.ID, c.ClientKey, now); err != nil {
		return LoginResult{}, err
	} else if wait > 0 {
		s.spend(ctx, c.Password)
		if err := s.record(ctx, usermgmt.Event{AccountID: u.AccountID, Action: "auth.login", TargetType: "user",
			TargetID: u.ID, Outcome: usermgmt.OutcomeRefused, Reason: "throttled", ClientKey: c.ClientKey}); err != nil {
			return LoginResult{}, err
		}
		return LoginResult{}, usermgmt.ErrInvalidCredentials
	}
	ok, err := s.checkPassword(ctx, u, c.Password)
	if err != nil {
		return LoginResult{}, err
	}
	if !ok || s.users.EffectiveStatus(u) != usermgmt.StatusActive || u.Kind != usermgmt.KindPerson {
		reason := "wrong_password"
		if ok {
			reason = "not_active"
		}
		if err := errors.Join(s.fail(ctx, u, c.ClientKey, now),
			s.record(ctx, usermgmt.Event{AccountID: u.AccountID, Action: "auth.login", TargetType: "user",
				TargetID: u.ID, Outcome: usermgmt.OutcomeRefused, Reason: reason, ClientKey: c.ClientKey})); err != nil {
			return LoginResult{}, err
		}
		return LoginResult{}, usermgmt.ErrInvalidCredentials
	}
	if err := s.store.ResetCounter(ctx, userKey(u.ID)); err != nil {
		return LoginResult{}, err
	}
	acct, err := s.store.GetAccount(ctx, u.AccountID)
	if err != nil {
		return LoginResult{}, err
	}
	if acct.TwoFactor && u.MobilePhone != "" {
		ch, err := s.challenge(ctx, u, c.ClientKey)
		if err != nil {
			return LoginResult{}, err
		}
		return LoginResult{Challenge: &ch}, nil
	}
	iss, err := s.issue(ctx, u, c.ClientKey, "auth.login")
	if err != nil {
		return LoginResult{}, err
	}
	return LoginResult{Session: &iss}, nil
}

// Bounds on what Login reads. They are wider than any password policy
// (a user imported with a longer password must still log in) and
// narrow enough that nothing long is hashed or looked up.
const (
	maxLoginPassword = DefaultMaxPasswordBytes
	maxLogin         = 320 // the longest e-mail address a store keeps, with room
)

// findLogin resolves what the user typed.
func (s *Service) findLogin(ctx context.Context, login string) (usermgmt.User, error) {
	login = strings.TrimSpace(login)
	if login == "" {
		return usermgmt.User{}, usermgmt.ErrNotFound
	}
	byEmail := s.cfg.LoginBy == LoginByEmail || (s.cfg.LoginBy == LoginByEither && strings.Contains(login, "@"))
	if byEmail {
		return s.store.GetUserByEmail(ctx, login)
	}
	return s.store.GetUserByUsername(ctx, login)
}

// checkPassword verifies a password, spending a verification's cost when
// the user has none or the stored hash is refused, and upgrades an old
// hash after a match.
func (s *Service) checkPassword(ctx context.Context, u usermgmt.User, password string) (bool, error) {
	stored, err := s.store.GetPassword(ctx, u.ID)
	if errors.Is(err, usermgmt.ErrNotFound) {
		s.spend(ctx, password)
		return false, nil
	}
	if err != nil {
		return false, err
	}
	ok, rehash, err := s.hasher.Verify(ctx, stored, password)
	if err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		// A corrupt or hostile stored hash: log it, answer as a wrong
		// password, and spend the time a verification takes.
		s.log.WarnContext(ctx, "stored password hash refused", "user", u.ID, "err", err)
		s.spend(ctx, password)
		return false, nil
	}
	if ok && rehash {
		if fresh, err := s.hasher.Hash(ctx, password); err == nil {
			if err := s.store.SetPassword(ctx, u.ID, fresh, s.users.Now()); err != nil {
				s.log.WarnContext(ctx, "rehash", "user", u.ID, "err", err)
			}
		}
	}
	return ok, nil
}

// unknownUser stands in for a user that does not exist: its failures are
// counted on one shared key, which throttles nobody real.
const unknownUser = "-"

func userKey(id string) string         { return "auth:fail:user:" + id }
func clientKey(key string) string      { return "auth:fail:client:" + key }
func resetKey(kind, key string) string { return "auth:" + kind + ":" + key }

// fail counts a failure against the user (when known) and the client.
func (s *Service) fail(ctx context.Context, u usermgmt.User, client string, now time.Time) error {
	ctx = context.WithoutCancel(ctx) // a guess counts even when the guesser hangs up
	if u.ID != "" {
		if _, err := s.store.Hit(ctx, userKey(u.ID), now, s.cfg.Throttle.Window); err != nil {
			return fmt.Errorf("auth: count login failure: %w", err)
		}
	}
	if client != "" {
		if _, err := s.store.Hit(ctx, clientKey(client), now, time.Hour); err != nil {
			return fmt.Errorf("auth: count login failure: %w", err)
		}
	}
	return nil
}

// throttled returns how long the user or client must still wait.
func (s *Service) throttled(ctx context.Context, userID, client string, now time.Time) (time.Duration, error) {
	t := s.cfg.Throttle
	c, err := s.store.GetCounter(ctx, userKey(userID), now, t.Window)
	if err != nil {
		return 0, err
	}
	wait := s.delay(c, t.Threshold, now)
	if client != "" {
		cc, err := s.store.GetCounter(ctx, clientKey(client), now, time.Hour)
		if err != nil {
			return 0, err
		}
		wait = max(wait, s.delay(cc, t.ClientThreshold, now))
	}
	return wait, nil
}

// delay is the wait a counter imposes: none up to the threshold, then
// BaseDelay doubling with every further failure, capped at MaxDelay,
// counted from the last failure.
func (s *Service) delay(c usermgmt.Counter, threshold int, now time.Time) time.Duration {
	over := c.Count - int64(threshold)
	if over < 0 {
		return 0
	}
	d := s.cfg.Throttle.BaseDelay
	for i := int64(0); i < over && d < s.cfg.Throttle.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, s.cfg.Throttle.MaxDelay)
	if wait := c.Last.Add(d).Sub(now); wait > 0 {
		return wait
	}
	return 0
}

// challenge starts the PIN step: a challenge token bound to the user and
// the client, and the PIN by SMS. The challenge is written before the
// SMS goes out, so a failed send leaves a challenge that can be resent.
func (s *Service) challenge(ctx context.Context, u usermgmt.User, client string) (Challenge, error) {
	now := s.users.Now()
	secret, hash, err := token.New()
	if err != nil {
		return Challenge{}, err
	}
	t := usermgmt.Token{ID: s.users.NewID(), Kind: usermgmt.TokenChallenge, Hash: hash, AccountID: u.AccountID,
		UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.cfg.PIN.TTL), SentAt: now, Sends: 1}
	code, data, err := s.newCode(t.ID, u.ID, client)
	if err != nil {
		return Challenge{}, err
	}
	t.Data = data
	err = s.store.WithTx(ctx, func(tx usermgmt.Tx) error {
		if err := tx.CreateToken(ctx, &t); err != nil {
			return err
		}
		return s.users.Record(ctx, tx, usermgmt.Event{AccountID: u.AccountID, ActorID: u.ID, Action: "auth.challenge",
			TargetType: "user", TargetID: u.ID, ClientKey: client, At: now})
	})
	if err != nil {
		return Challenge{}, err
	}
	if err := s.sendPIN(ctx, u, t, code); err != nil {
		return Challenge{}, err
	}
	return Challenge{Token: secret, ExpiresAt: t.ExpiresAt, Phone: maskPhone(u.MobilePhone)}, nil
}

// newCode makes a PIN and the challenge data keeping its MAC, bound to
// the challenge and the user.
func (s *Service) newCode(challengeID, userID, client string) (string, []byte, error) {
	code, err := token.Code(s.cfg.PIN.Digits)
	if err != nil {
		return "", nil, err
	}
	data, err := json.Marshal(challengeData{MAC: token.MAC(s.key, "pin", challengeID, userID, code), Client: client})
	return code, data, err
}

func (s *Service) sendPIN(ctx context.Context, u usermgmt.User, t usermgmt.Token, code string) error {
	body, err := s.smsTpl.Render(sms.TemplateLoginCode, u.Language, sms.LoginCodeData{Code: code, ValidFor: s.cfg.PIN.TTL})
	if err != nil {
		return fmt.Errorf("auth: pin message: %w", err)
	}
	_, err = s.sms.Send(ctx, sms.Message{To: u.MobilePhone, Body: body, Purpose: sms.PurposeCode,
		AccountID: u.AccountID, UserID: u.ID, Reference: t.ID + ":" + fmt.Sprint(t.Sends)})
	if le := (*sms.LimitError)(nil); errors.As(err, &le) {
		// The guard's limits are the caller's to wait out: a 429 with
		// Retry-After, not a failure of the server.
		return fmt.Errorf("auth: send pin: %w: %w", &RetryError{After: le.RetryAfter}, err)
	}
	if err != nil {
		return fmt.Errorf("auth: send pin: %w", err)
	}
	return nil
}

// lookChallenge finds a live challenge by its token.
func (s *Service) lookChallenge(ctx context.Context, challengeToken string) (usermgmt.Token, challengeData, error) {
	hash, err := token.Parse(challengeToken)
	if err != nil {
		return usermgmt.Token{}, challengeData{}, usermgmt.ErrInvalidCredentials
	}
	t, err := s.store.GetTokenByHash(ctx, hash)
	if errors.Is(err, usermgmt.ErrNotFound) || (err == nil && (t.Kind != usermgmt.TokenChallenge || !t.UsedAt.IsZero())) {
		return usermgmt.Token{}, challengeData{}, usermgmt.ErrInvalidCredentials
	}
	if err != nil {
		return usermgmt.Token{}, challengeData{}, err
	}
	if !s.users.Now().Before(t.ExpiresAt) {
		return usermgmt.Token{}, challengeData{}, usermgmt.ErrExpired
	}
	var d challengeData
	if err := json.Unmarshal(t.Data, &d); err != nil {
		return usermgmt.Token{}, challengeData{}, usermgmt.ErrInvalidCredentials
	}
	return t, d, nil
}

// VerifyPIN completes a login with the PIN the user received. A wrong
// PIN is usermgmt.ErrInvalidCredentials; after PIN.MaxAttempts wrong
// tries the challenge is dead (usermgmt.ErrLocked), whatever comes next;
// a challenge past its lifetime is usermgmt.ErrExpired (log in again).
// A challenge works once: of two concurrent correct submissions, one
// gets the session. clientKey must match the one the login gave.
func (s *Service) VerifyPIN(ctx context.Context, challengeToken, code, clientKey string) (Issued, error) {
	t, d, err := s.lookChallenge(ctx, challengeToken)
	if err != nil {
		return Issued{}, err
	}
	// Reserve the attempt before comparing, so that concurrent guesses
	// cannot exceed the limit.
	if _, err := s.store.AddTokenAttempt(ctx, t.ID, s.cfg.PIN.MaxAttempts); err != nil {
		if errors.Is(err, usermgmt.ErrLocked) {
			return Issued{}, usermgmt.ErrLocked
		}
		return Issued{}, err
	}
	want := token.MAC(s.key, "pin", t.ID, t.UserID, code)
	if !token.Equal(want, d.MAC) || (d.Client != "" && !token.Equal(d.Client, clientKey)) {
		if err := s.record(ctx, usermgmt.Event{AccountID: t.AccountID, Action: "auth.pin", TargetType: "user", TargetID: t.UserID,
			Outcome: usermgmt.OutcomeRefused, Reason: "wrong_code", ClientKey: clientKey}); err != nil {
			return Issued{}, err
		}
		return Issued{}, usermgmt.ErrInvalidCredentials
	}
	var iss Issued
	err = s.store.WithTx(ctx, func(tx usermgmt.Tx) error {
		if _, err := tx.ConsumeToken(ctx, usermgmt.TokenChallenge, t.Hash, s.users.Now(), "verified"); err != nil {
			if errors.Is(err, usermgmt.ErrUsed) || errors.Is(err, usermgmt.ErrNotFound) {
				return usermgmt.ErrInvalidCredentials
			}
			return err
		}
		u, err := tx.GetUser(ctx, t.UserID)
		if err != nil {
			return err
		}
		if s.users.EffectiveStatus(u) != usermgmt.StatusActive {
			return usermgmt.ErrInvalidCredentials
		}
		iss, err = s.issueTx(ctx, tx, u, clientKey, "auth.login")
		return err
	})
	return iss, err
}

// ResendPIN sends a new PIN for a challenge; the previous PIN stops
// working, and the wrong tries already made still count. It is refused
// (*RetryError, matching ErrRateLimited) within PIN.ResendCooldown of the
// last send, and after PIN.MaxResends resends (usermgmt.ErrLocked: log in
// again). Both limits hold under concurrent calls: each send reserves its
// turn with an atomic counter in the store, so of several concurrent
// resends one sends and the others wait. A challenge whose user is no
// longer active is usermgmt.ErrInvalidCredentials, and nothing is sent.
func (s *Service) ResendPIN(ctx context.Context, challengeToken string) (Challenge, error) {
	t, d, err := s.lookChallenge(ctx, challengeToken)
	if err != nil {
		return Challenge{}, err
	}
	now := s.users.Now()
	if t.Sends > s.cfg.PIN.MaxResends {
		return Challenge{}, usermgmt.ErrLocked
	}
	if wait := t.SentAt.Add(s.cfg.PIN.ResendCooldown).Sub(now); wait > 0 {
		return Challenge{}, &RetryError{After: wait}
	}
	u, err := s.store.GetUser(ctx, t.UserID)
	if errors.Is(err, usermgmt.ErrNotFound) || (err == nil && s.users.EffectiveStatus(u) != usermgmt.StatusActive) {
		return Challenge{}, usermgmt.ErrInvalidCredentials
	}
	if err != nil {
		return Challenge{}, err
	}
	// Reserve this send: one caller per generation of the challenge (its
	// Sends count) wins; concurrent callers that read the same
	// generation are told to wait.
	turn := resendKey(t.ID, t.Sends)
	if n, err := s.store.Hit(ctx, turn, now, s.cfg.PIN.TTL); err != nil {
		return Challenge{}, err
	} else if n > 1 {
		return Challenge{}, &RetryError{After: s.cfg.PIN.ResendCooldown}
	}
	code, data, err := s.newCode(t.ID, u.ID, d.Client)
	if err != nil {
		s.releaseTurn(ctx, turn)
		return Challenge{}, err
	}
	t.Data, t.Sends, t.SentAt = data, t.Sends+1, now
	if err := s.store.UpdateToken(ctx, &t); err != nil {
		s.releaseTurn(ctx, turn)
		return Challenge{}, err
	}
	if err := s.sendPIN(ctx, u, t, code); err != nil {
		return Challenge{}, err
	}
	return Challenge{Token: challengeToken, ExpiresAt: t.ExpiresAt, Phone: maskPhone(u.MobilePhone)}, nil
}

// resendKey names the counter that reserves the send following the
// sends-th of a challenge.
func resendKey(challengeID string, sends int) string {
	return "auth:resend:" + challengeID + ":" + strconv.Itoa(sends)
}

// releaseTurn frees a reserved resend that sent nothing.
func (s *Service) releaseTurn(ctx context.Context, key string) {
	if err := s.store.ResetCounter(context.WithoutCancel(ctx), key); err != nil {
		s.log.WarnContext(ctx, "release resend turn", "err", err)
	}
}
