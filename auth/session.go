package auth

import (
	"context"
	"errors"
	"time"

	"github.com/rosterkit/roster/internal/token"
	"github.com/rosterkit/roster/usermgmt"
)

// Principal is who a session or API key stands for.
type Principal struct {
	User    usermgmt.User
	Account usermgmt.Account
	Session usermgmt.Session
}

// issue starts a session for u in its own transaction.
func (s *Service) issue(ctx context.Context, u usermgmt.User, client, action string) (Issued, error) {
	var iss Issued
	err := s.store.WithTx(ctx, func(tx usermgmt.Tx) error {
		var err error
		iss, err = s.issueTx(ctx, tx, u, client, action)
		return err
	})
	return iss, err
}

// issueTx starts a session for u within tx, records the login and its
// audit event.
func (s *Service) issueTx(ctx context.Context, tx usermgmt.Tx, u usermgmt.User, client, action string) (Issued, error) {
	now := s.users.Now()
	secret, hash, err := token.New()
	if err != nil {
		return Issued{}, err
	}
	sess := usermgmt.Session{ID: s.users.NewID(), Kind: usermgmt.SessionLogin, Hash: hash, UserID: u.ID,
		AccountID: u.AccountID, ClientKey: client, CreatedAt: now, LastSeen: now,
		ExpiresAt: now.Add(s.cfg.Sessions.Absolute)}
	if err := tx.CreateSession(ctx, &sess); err != nil {
		return Issued{}, err
	}
	if err := tx.SetLastLogin(ctx, u.ID, now); err != nil {
		return Issued{}, err
	}
	if err := s.users.Record(ctx, tx, usermgmt.Event{AccountID: u.AccountID, ActorID: u.ID, Action: action,
		TargetType: "user", TargetID: u.ID, ClientKey: client, At: now}); err != nil {
		return Issued{}, err
	}
	return Issued{Token: secret, Session: sess}, nil
}

// Authenticate returns who a session token stands for. A token that is
// malformed, unknown, past its idle or absolute lifetime, or whose user
// is no longer active is usermgmt.ErrInvalidCredentials; an ended
// session is deleted. Use it on every request: a status or password
// change ends sessions at once.
func (s *Service) Authenticate(ctx context.Context, sessionToken string) (Principal, error) {
	return s.authenticate(ctx, sessionToken, usermgmt.SessionLogin)
}

func (s *Service) authenticate(ctx context.Context, secret string, kind usermgmt.SessionKind) (Principal, error) {
	hash, err := token.Parse(secret)
	if err != nil {
		return Principal{}, usermgmt.ErrInvalidCredentials
	}
	sess, err := s.store.GetSessionByHash(ctx, hash)
	if errors.Is(err, usermgmt.ErrNotFound) || (err == nil && sess.Kind != kind) {
		return Principal{}, usermgmt.ErrInvalidCredentials
	}
	if err != nil {
		return Principal{}, err
	}
	now := s.users.Now()
	ended := (!sess.ExpiresAt.IsZero() && !now.Before(sess.ExpiresAt)) ||
		(kind == usermgmt.SessionLogin && !now.Before(sess.LastSeen.Add(s.cfg.Sessions.Idle)))
	u, err := s.store.GetUser(ctx, sess.UserID)
	if err != nil && !errors.Is(err, usermgmt.ErrNotFound) {
		return Principal{}, err
	}
	if ended || err != nil || s.users.EffectiveStatus(u) != usermgmt.StatusActive {
		if ended || err != nil || kind == usermgmt.SessionLogin {
			if derr := s.store.DeleteSession(ctx, sess.ID); derr != nil && !errors.Is(derr, usermgmt.ErrNotFound) {
				s.log.WarnContext(ctx, "delete ended session", "err", derr)
			}
		}
		return Principal{}, usermgmt.ErrInvalidCredentials
	}
	acct, err := s.store.GetAccount(ctx, u.AccountID)
	if err != nil {
		return Principal{}, err
	}
	// Touch at most once a minute: no write on every request.
	if now.Sub(sess.LastSeen) >= time.Minute {
		if err := s.store.TouchSession(ctx, sess.ID, now); err == nil {
			sess.LastSeen = now
		}
	}
	return Principal{User: u, Account: acct, Session: sess}, nil
}

// Logout ends the session of a token. An unknown token is not an error.
func (s *Service) Logout(ctx context.Context, sessionToken string) error {
	hash, err := token.Parse(sessionToken)
	if err != nil {
		return nil
	}
	sess, err := s.store.GetSessionByHash(ctx, hash)
	if errors.Is(err, usermgmt.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if sess.Kind != usermgmt.SessionLogin {
		return nil
	}
	return s.store.WithTx(ctx, func(tx usermgmt.Tx) error {
		if err := tx.DeleteSession(ctx, sess.ID); err != nil && !errors.Is(err, usermgmt.ErrNotFound) {
			return err
		}
		return s.users.Record(ctx, tx, usermgmt.Event{AccountID: sess.AccountID, ActorID: sess.UserID,
			Action: "auth.logout", TargetType: "user", TargetID: sess.UserID})
	})
}

// LogoutEverywhere ends every login session of a user: the actor's own,
// or, for an admin, a user it manages.
func (s *Service) LogoutEverywhere(ctx context.Context, actor, userID string) error {
	return s.users.Run(ctx, actor, "auth.logout_all", func(tx usermgmt.Tx, a *usermgmt.Actor) error {
		if userID != a.User.ID {
			if _, err := a.TargetUser(ctx, tx, usermgmt.PermUsers, userID); err != nil {
				return err
			}
		}
		if _, err := tx.DeleteSessions(ctx, userID, usermgmt.SessionLogin); err != nil {
			return err
		}
		return s.users.Record(ctx, tx, usermgmt.Event{AccountID: a.Account.ID, ActorID: a.User.ID,
			Action: "auth.logout_all", TargetType: "user", TargetID: userID})
	})
}

// Sessions lists a user's login sessions: the actor's own, or a user the
// actor may see.
func (s *Service) Sessions(ctx context.Context, actor, userID string) ([]usermgmt.Session, error) {
	var out []usermgmt.Session
	err := s.users.Run(ctx, actor, "auth.sessions", func(tx usermgmt.Tx, a *usermgmt.Actor) error {
		if userID != a.User.ID {
			if _, err := a.TargetUser(ctx, tx, "", userID); err != nil {
				return err
			}
		}
		var err error
		out, err = tx.ListSessions(ctx, userID, usermgmt.SessionLogin)
		return err
	})
	return out, err
}
