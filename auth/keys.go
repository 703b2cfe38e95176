package auth

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rosterkit/roster/internal/token"
	"github.com/rosterkit/roster/usermgmt"
)

// APIKeyPrefix starts every API key, so that a leaked key is easy to
// recognise (and to scan for).
const APIKeyPrefix = "rsk_"

// NewKey is a freshly created API key: Key is shown once and never
// again; only its SHA-256 is stored.
type NewKey struct {
	Key  string           `json:"key"`
	Info usermgmt.Session `json:"info"`
}

// CreateAPIKey creates an API key for a system user (seed 003: "any
// system that should be able to send SMS/fax must have its own User").
// The key acts as that user, with its grants. It needs PermUsers over the
// user.
func (s *Service) CreateAPIKey(ctx context.Context, actor, userID, name string) (NewKey, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		ve := &usermgmt.ValidationError{}
		ve.Add("name", usermgmt.CodeInvalid, "name the key in 1 to 100 characters")
		return NewKey{}, ve
	}
	var out NewKey
	err := s.users.Run(ctx, actor, "auth.api_key_create", func(tx usermgmt.Tx, a *usermgmt.Actor) error {
		u, err := s.users.Manage(ctx, tx, a, userID)
		if err != nil {
			return err
		}
		if u.Kind != usermgmt.KindSystem {
			ve := &usermgmt.ValidationError{}
			ve.Add("user_id", usermgmt.CodeInvalid, "API keys belong to system users")
			return ve
		}
		secret, _, err := token.New()
		if err != nil {
			return err
		}
		key := APIKeyPrefix + secret
		now := s.users.Now()
		sess := usermgmt.Session{ID: s.users.NewID(), Kind: usermgmt.SessionAPIKey, Hash: token.Hash(key),
			UserID: u.ID, AccountID: u.AccountID, Name: name, CreatedAt: now, LastSeen: now}
		if err := tx.CreateSession(ctx, &sess); err != nil {
			return err
		}
		out = NewKey{Key: key, Info: sess}
		return s.users.Record(ctx, tx, usermgmt.Event{AccountID: u.AccountID, ActorID: a.User.ID,
			Action: "auth.api_key_create", TargetType: "user", TargetID: u.ID, At: now})
	})
	return out, err
}

// APIKeys lists a system user's keys (never the keys themselves).
func (s *Service) APIKeys(ctx context.Context, actor, userID string) ([]usermgmt.Session, error) {
	var out []usermgmt.Session
	err := s.users.Run(ctx, actor, "auth.api_key_list", func(tx usermgmt.Tx, a *usermgmt.Actor) error {
		if _, err := a.TargetUser(ctx, tx, usermgmt.PermUsers, userID); err != nil {
			return err
		}
		var err error
		out, err = tx.ListSessions(ctx, userID, usermgmt.SessionAPIKey)
		return err
	})
	return out, err
}

// RevokeAPIKey deletes a key of a system user the actor manages.
func (s *Service) RevokeAPIKey(ctx context.Context, actor, userID, keyID string) error {
	return s.users.Run(ctx, actor, "auth.api_key_revoke", func(tx usermgmt.Tx, a *usermgmt.Actor) error {
		u, err := s.users.Manage(ctx, tx, a, userID)
		if err != nil {
			return err
		}
		keys, err := tx.ListSessions(ctx, u.ID, usermgmt.SessionAPIKey)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if k.ID == keyID {
				if err := tx.DeleteSession(ctx, k.ID); err != nil {
					return err
				}
				return s.users.Record(ctx, tx, usermgmt.Event{AccountID: u.AccountID, ActorID: a.User.ID,
					Action: "auth.api_key_revoke", TargetType: "user", TargetID: u.ID})
			}
		}
		return usermgmt.Refusal(usermgmt.ErrHidden, "api_key", keyID)
	})
}

// AuthenticateKey returns the system user an API key stands for. A key
// that is malformed, unknown or revoked, or whose user is not active, is
// usermgmt.ErrInvalidCredentials.
func (s *Service) AuthenticateKey(ctx context.Context, key string) (Principal, error) {
	secret, ok := strings.CutPrefix(key, APIKeyPrefix)
	if !ok {
		return Principal{}, usermgmt.ErrInvalidCredentials
	}
	if _, err := token.Parse(secret); err != nil {
		return Principal{}, usermgmt.ErrInvalidCredentials
	}
	hash := token.Hash(key)
	sess, err := s.store.GetSessionByHash(ctx, hash)
	if errors.Is(err, usermgmt.ErrNotFound) || (err == nil && sess.Kind != usermgmt.SessionAPIKey) {
		return Principal{}, usermgmt.ErrInvalidCredentials
	}
	if err != nil {
		return Principal{}, err
	}
	u, err := s.store.GetUser(ctx, sess.UserID)
	if err != nil || s.users.EffectiveStatus(u) != usermgmt.StatusActive || u.Kind != usermgmt.KindSystem {
		return Principal{}, usermgmt.ErrInvalidCredentials
	}
	acct, err := s.store.GetAccount(ctx, u.AccountID)
	if err != nil {
		return Principal{}, err
	}
	now := s.users.Now()
	if now.Sub(sess.LastSeen) >= time.Minute {
		if err := s.store.TouchSession(ctx, sess.ID, now); err == nil {
			sess.LastSeen = now
		}
	}
	return Principal{User: u, Account: acct, Session: sess}, nil
}
