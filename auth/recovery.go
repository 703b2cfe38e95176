package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rosterkit/roster/internal/token"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/mail"
)

// Limits on recovery requests, per client key and per address, so that
// nobody can flood a user's mailbox through the forgot forms.
const (
	recoveryPerClient  = 20 // an hour
	recoveryPerAddress = 3  // an hour
)

// recoveryAllowed counts a recovery request and reports whether it may
// go ahead. A refused request is answered like any other.
func (s *Service) recoveryAllowed(ctx context.Context, kind, login, client string) (bool, error) {
	now := s.users.Now()
	if client != "" {
		n, err := s.store.Hit(ctx, resetKey(kind+":client", client), now, time.Hour)
		if err != nil || n > recoveryPerClient {
			return false, err
		}
	}
	n, err := s.store.Hit(ctx, resetKey(kind+":login", strings.ToLower(strings.TrimSpace(login))), now, time.Hour)
	return err == nil && n <= recoveryPerAddress, err
}

// RequestReset asks for a password reset link by username or e-mail
// address (seed 001: "request a reset link from the login screen"). It
// answers nil whether or not the user exists; only an existing, active
// user gets the mail, with a single-use link valid for Config.ResetTTL.
func (s *Service) RequestReset(ctx context.Context, login, clientKey string) error {
	if len(login) > maxLogin {
		return nil
	}
	ok, err := s.recoveryAllowed(ctx, "reset", login, clientKey)
	if err != nil || !ok {
		return err
	}
	login = strings.TrimSpace(login)
	var u usermgmt.User
	if strings.Contains(login, "@") {
		u, err = s.store.GetUserByEmail(ctx, login)
	} else {
		u, err = s.store.GetUserByUsername(ctx, login)
	}
	if errors.Is(err, usermgmt.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if s.users.EffectiveStatus(u) != usermgmt.StatusActive || u.Email == "" {
		return nil
	}
	return s.sendReset(ctx, u, "")
}

// sendReset writes a reset token and mails its link.
func (s *Service) sendReset(ctx context.Context, u usermgmt.User, actorID string) error {
	now := s.users.Now()
	secret, hash, err := token.New()
	if err != nil {
		return err
	}
	t := usermgmt.Token{ID: s.users.NewID(), Kind: usermgmt.TokenReset, Hash: hash, AccountID: u.AccountID,
		UserID: u.ID, Email: u.Email, CreatedBy: actorID, CreatedAt: now, ExpiresAt: now.Add(s.cfg.ResetTTL),
		SentAt: now, Sends: 1}
	err = s.store.WithTx(ctx, func(tx usermgmt.Tx) error {
		if err := tx.CreateToken(ctx, &t); err != nil {
			return err
		}
		return s.users.Record(ctx, tx, usermgmt.Event{AccountID: u.AccountID, ActorID: actorID,
			Action: "auth.reset_request", TargetType: "user", TargetID: u.ID, At: now})
	})
	if err != nil {
		return err
	}
	msg, err := s.mailTpl.Render(mail.PasswordReset, u.Language, mail.ResetData{Name: u.FirstName,
		Username: u.Username, Link: s.cfg.ResetURL(secret), ValidFor: s.cfg.ResetTTL})
	if err != nil {
		return fmt.Errorf("auth: reset mail: %w", err)
	}
	msg.To, msg.Tag = []string{u.Email}, mail.PasswordReset
	if err := s.mailer.Send(ctx, msg); err != nil {
		t.SendError = "delivery failed"
		if uerr := s.store.UpdateToken(context.WithoutCancel(ctx), &t); uerr != nil {
			s.log.WarnContext(ctx, "record reset send failure", "err", uerr)
		}
		return fmt.Errorf("auth: send reset mail: %w", err)
	}
	return nil
}

// ResetPassword sets a new password with a reset link's token. The
// password must meet the policy (*usermgmt.ValidationError). A token
// that is unknown is usermgmt.ErrNotFound ("invalid link"), used is
// usermgmt.ErrUsed, past its lifetime usermgmt.ErrExpired. Success ends
// every session of the user and voids their other reset links.
func (s *Service) ResetPassword(ctx context.Context, resetToken, password string) error {
	hash, err := token.Parse(resetToken)
	if err != nil {
		return usermgmt.ErrNotFound
	}
	t, err := s.store.GetTokenByHash(ctx, hash)
	if err != nil {
		return err
	}
	if t.Kind != usermgmt.TokenReset {
		return usermgmt.ErrNotFound
	}
	if !t.UsedAt.IsZero() {
		return usermgmt.ErrUsed
	}
	if !s.users.Now().Before(t.ExpiresAt) {
		return usermgmt.ErrExpired
	}
	u, err := s.store.GetUser(ctx, t.UserID)
	if err != nil {
		return err
	}
	if err := s.users.Rules().CheckPassword(password, u.Username); err != nil {
		return err
	}
	fresh, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	return s.store.WithTx(ctx, func(tx usermgmt.Tx) error {
		now := s.users.Now()
		if _, err := tx.ConsumeToken(ctx, usermgmt.TokenReset, hash, now, "reset"); err != nil {
			return err
		}
		u, err := tx.GetUser(ctx, t.UserID)
		if err != nil {
			return err
		}
		if s.users.EffectiveStatus(u) != usermgmt.StatusActive {
			return usermgmt.ErrNotFound
		}
		return s.setPasswordTx(ctx, tx, u, fresh, "", "auth.reset")
	})
}

// setPasswordTx stores a new hash, ends every login session and voids
// reset links, and records the change.
func (s *Service) setPasswordTx(ctx context.Context, tx usermgmt.Tx, u usermgmt.User, hash, actorID, action string) error {
	now := s.users.Now()
	if err := tx.SetPassword(ctx, u.ID, hash, now); err != nil {
		return err
	}
	if _, err := tx.DeleteSessions(ctx, u.ID, usermgmt.SessionLogin); err != nil {
		return err
	}
	if _, err := tx.DeleteTokens(ctx, u.ID, usermgmt.TokenReset); err != nil {
		return err
	}
	if u.Status == usermgmt.StatusPending {
		u.Status, u.UpdatedAt = usermgmt.StatusActive, now
		if err := tx.UpdateUser(ctx, &u); err != nil {
			return err
		}
	}
	return s.users.Record(ctx, tx, usermgmt.Event{AccountID: u.AccountID, ActorID: actorID, Action: action,
		TargetType: "user", TargetID: u.ID, Fields: []string{"password"}, At: now})
}

// RemindUsername mails the username tied to an e-mail address (seed
// 001: "Forgot Username"). It answers nil whether or not the address is
// known; only an active user gets the mail.
func (s *Service) RemindUsername(ctx context.Context, email, clientKey string) error {
	if len(email) > maxLogin {
		return nil
	}
	ok, err := s.recoveryAllowed(ctx, "username", email, clientKey)
	if err != nil || !ok {
		return err
	}
	u, err := s.store.GetUserByEmail(ctx, strings.TrimSpace(email))
	if errors.Is(err, usermgmt.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if s.users.EffectiveStatus(u) != usermgmt.StatusActive {
		return nil
	}
	msg, err := s.mailTpl.Render(mail.UsernameReminder, u.Language, mail.UsernameData{Name: u.FirstName,
		Usernames: []string{u.Username}, LoginLink: s.cfg.LoginURL})
	if err != nil {
		return fmt.Errorf("auth: username mail: %w", err)
	}
	msg.To, msg.Tag = []string{u.Email}, mail.UsernameReminder
	if err := s.record(ctx, usermgmt.Event{AccountID: u.AccountID, Action: "auth.username_reminder", TargetType: "user",
		TargetID: u.ID, ClientKey: clientKey}); err != nil {
		return err
	}
	if err := s.mailer.Send(ctx, msg); err != nil {
		return fmt.Errorf("auth: send username mail: %w", err)
	}
	return nil
}

// ChangePassword changes the signed-in user's own password; the old one
// is required. Every session of the user ends, and a fresh one is
// returned for the client that asked.
func (s *Service) ChangePassword(ctx context.Context, userID, oldPassword, newPassword, clientKey string) (Issued, error) {
	u, err := s.store.GetUser(ctx, userID)
	if err != nil {
		return Issued{}, err
	}
	now := s.users.Now()
	if wait, err := s.throttled(ctx, u.ID, clientKey, now); err != nil {
		return Issued{}, err
	} else if wait > 0 {
		s.spend(ctx, oldPassword)
		return Issued{}, usermgmt.ErrInvalidCredentials
	}
	ok, err := s.checkPassword(ctx, u, oldPassword)
	if err != nil {
		return Issued{}, err
	}
	if !ok || s.users.EffectiveStatus(u) != usermgmt.StatusActive {
		if err := s.fail(ctx, u, clientKey, now); err != nil {
			return Issued{}, err
		}
		return Issued{}, usermgmt.ErrInvalidCredentials
	}
	if err := s.users.Rules().CheckPassword(newPassword, u.Username); err != nil {
		return Issued{}, err
	}
	fresh, err := s.hasher.Hash(ctx, newPassword)
	if err != nil {
		return Issued{}, err
	}
	var iss Issued
	err = s.store.WithTx(ctx, func(tx usermgmt.Tx) error {
		if err := s.setPasswordTx(ctx, tx, u, fresh, u.ID, "auth.password_change"); err != nil {
			return err
		}
		var err error
		iss, err = s.issueTx(ctx, tx, u, clientKey, "auth.login")
		return err
	})
	return iss, err
}

// SetPassword sets another user's password as an admin (seed 003: "The
// new password is NOT automatically sent to the user"). It needs
// PermUsers over the user, who must not hold access the actor lacks.
// A pending user becomes active. Every session of the user ends.
func (s *Service) SetPassword(ctx context.Context, actor, userID, password string) error {
	var target usermgmt.User
	err := s.users.Run(ctx, actor, "auth.password_set", func(tx usermgmt.Tx, a *usermgmt.Actor) error {
		var err error
		target, err = s.users.Manage(ctx, tx, a, userID)
		return err
	})
	if err != nil {
		return err
	}
	if err := s.users.Rules().CheckPassword(password, target.Username); err != nil {
		return err
	}
	fresh, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	return s.users.Run(ctx, actor, "auth.password_set", func(tx usermgmt.Tx, a *usermgmt.Actor) error {
		u, err := s.users.Manage(ctx, tx, a, userID)
		if err != nil {
			return err
		}
		return s.setPasswordTx(ctx, tx, u, fresh, a.User.ID, "auth.password_set")
	})
}

// SendReset mails a user a reset link on an admin's request (seed 001:
// "an Admin can click [Reset Password]"). It needs PermUsers over the
// user.
func (s *Service) SendReset(ctx context.Context, actor, userID string) error {
	var target usermgmt.User
	err := s.users.Run(ctx, actor, "auth.reset_request", func(tx usermgmt.Tx, a *usermgmt.Actor) error {
		var err error
		target, err = s.users.Manage(ctx, tx, a, userID)
		return err
	})
	if err != nil {
		return err
	}
	if target.Email == "" {
		ve := &usermgmt.ValidationError{}
		ve.Add("email", usermgmt.CodeRequired, "the user has no e-mail address")
		return ve
	}
	return s.sendReset(ctx, target, actor)
}
