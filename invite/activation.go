package invite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/rosterkit/roster/usermgmt"
)

// activationData is the Data of an activation token: the channels its
// link went by, so that a retry uses the same ones.
type activationData struct {
	Mail bool `json:"mail,omitempty"`
	SMS  bool `json:"sms,omitempty"`
}

// CreateOptions say which messages CreateUser sends the new user.
type CreateOptions struct {
	// SendWelcome mails the welcome message with a set-password link
	// (seed 001: "A Welcome email will be sent to the new user with a
	// link to create their login password").
	SendWelcome bool `json:"send_welcome,omitempty"`
	// SendLoginDetailsBySMS texts the username and a set-password link
	// to the user's mobile phone (seed 002: "Send the user login details
	// via text message (SMS)"). It never carries a password, not even
	// one the admin typed: the user sets their own through the link.
	SendLoginDetailsBySMS bool `json:"send_login_details_by_sms,omitempty"`
}

// Created is the outcome of CreateUser.
type Created struct {
	User usermgmt.User `json:"user"`
	// Link is the set-password link sent, nil when none was asked for.
	Link *Sent `json:"link,omitempty"`
}

// CreateUser is the seeds' Add User screen in one call: it creates the
// user through usermgmt.Service.CreateUser (same authorization, rules,
// seat limit and audit), then sends what opt asks for in one
// set-password link, by mail and/or SMS (see SendActivation).
//
// A user created without a password is pending until they set one
// through the link. A user created with a password is active at once;
// a link sent to them lets them replace the password the admin chose
// with their own (the SMS then says "set your password here" and
// carries no password: the admin hands over the chosen password, if at
// all, by other means, as seed 003 says: "the new password is NOT
// automatically sent to the user").
//
// When the user was created but the link could not be written, the
// returned Created holds the user and the error says so; a failed
// delivery is not an error but Link.SendError.
func (s *Service) CreateUser(ctx context.Context, actor string, in usermgmt.NewUser, opt CreateOptions) (Created, error) {
	if opt.SendLoginDetailsBySMS && s.sms == nil {
		return Created{}, errNoSMS
	}
	if in.Kind == usermgmt.KindSystem && (opt.SendWelcome || opt.SendLoginDetailsBySMS) {
		return Created{}, invalid("kind", usermgmt.CodeInvalid, "a system user has no password to set; it uses API keys")
	}
	u, err := s.users.CreateUser(ctx, actor, in)
	if err != nil {
		return Created{}, fmt.Errorf("invite: create user: %w", err)
	}
	out := Created{User: u}
	if !opt.SendWelcome && !opt.SendLoginDetailsBySMS {
		return out, nil
	}
	sent, err := s.setPasswordLink(ctx, actor, u.ID, opt.SendWelcome, opt.SendLoginDetailsBySMS)
	if err != nil {
		return out, fmt.Errorf("invite: create user: the user was created, but not the set-password link: %w", err)
	}
	out.Link = &sent
	return out, nil
}

var errNoSMS = errors.New("invite: no Config.SMS to send login details by (pass the guarded sender; sms.NewConsole for development)")

// SendActivation mails a user the welcome message with a set-password
// link (seed 001), valid for Config.ActivationTTL (seven days) and
// single use. It serves both the first send and every resend: a new
// link replaces the user's older activation links, which stop working.
// The actor needs PermUsers over the user and must hold every access the
// user holds. The user must be pending or active and have an e-mail
// address. A failed delivery is recorded and reported in
// Sent.SendError, with a nil error.
func (s *Service) SendActivation(ctx context.Context, actor, userID string) (Sent, error) {
	return s.setPasswordLink(ctx, actor, userID, true, false)
}

// SendLoginDetails texts a user their username and a set-password link
// (seed 002's check box) through Config.SMS, which should be the
// guarded sender. It never sends a password. Otherwise it is
// SendActivation by SMS: the same link lifetime, replacement of older
// links, authorization and delivery reporting.
func (s *Service) SendLoginDetails(ctx context.Context, actor, userID string) (Sent, error) {
	if s.sms == nil {
		return Sent{}, errNoSMS
	}
	return s.setPasswordLink(ctx, actor, userID, false, true)
}

// Welcome tells a user an import created about their account (the
// importer's Invites port): the welcome mail with a set-password link,
// which activates a pending user and lets an active one choose their
// own password. A failed delivery is an error wrapping ErrDelivery; the
// link stays recorded and can be sent again (SendActivation,
// RetryFailed).
func (s *Service) Welcome(ctx context.Context, actorID string, user usermgmt.User) error {
	sent, err := s.setPasswordLink(ctx, actorID, user.ID, true, false)
	if err != nil {
		return err
	}
	if sent.SendError != "" {
		return fmt.Errorf("invite: welcome: %w", &deliveryError{sent.SendError})
	}
	return nil
}

// setPasswordLink writes a new activation link for a user, replacing
// older ones, and sends it by mail and/or SMS.
func (s *Service) setPasswordLink(ctx context.Context, actor, userID string, byMail, bySMS bool) (Sent, error) {
	var item outgoing
	err := s.users.Run(ctx, actor, "activation.send", func(tx usermgmt.Tx, a *usermgmt.Actor) error {
		u, err := s.users.Manage(ctx, tx, a, userID)
		if err != nil {
			return err
		}
		ve := &usermgmt.ValidationError{}
		if u.Kind == usermgmt.KindSystem {
			ve.Add("kind", usermgmt.CodeInvalid, "a system user has no password to set; it uses API keys")
		}
		if u.Status != usermgmt.StatusPending && u.Status != usermgmt.StatusActive {
			ve.Add("status", usermgmt.CodeInvalid, "only a pending or active user gets a set-password link")
		}
		if byMail && u.Email == "" {
			ve.Add("email", usermgmt.CodeRequired, "the user has no e-mail address")
		}
		if bySMS && u.MobilePhone == "" {
			ve.Add("mobile_phone", usermgmt.CodeRequired, "the user has no mobile phone")
		}
		if err := ve.Err(); err != nil {
			return err
		}
		if _, err := tx.DeleteTokens(ctx, u.ID, usermgmt.TokenActivation); err != nil {
			return err
		}
		now := s.Now()
		t, secret, err := s.newToken(usermgmt.TokenActivation, now)
		if err != nil {
			return err
		}
		t.AccountID, t.UserID, t.Email, t.CreatedBy = u.AccountID, u.ID, u.Email, a.User.ID
		if t.Data, err = json.Marshal(activationData{Mail: byMail, SMS: bySMS}); err != nil {
			return err
		}
		if err := tx.CreateToken(ctx, &t); err != nil {
			return err
		}
		var ok bool
		if item, ok, err = s.outgoingFor(ctx, tx, t, secret); err != nil {
			return err
		} else if !ok {
			return fmt.Errorf("invite: user %s has nowhere to send the link to: %w", u.ID, usermgmt.ErrInvalid)
		}
		var fields []string
		if byMail {
			fields = append(fields, "email")
		}
		if bySMS {
			fields = append(fields, "sms")
		}
		return s.users.Record(ctx, tx, usermgmt.Event{AccountID: u.AccountID, ActorID: a.User.ID,
			Action: "activation.send", TargetType: "user", TargetID: u.ID, Fields: fields, At: now})
	})
	if err != nil {
		return Sent{}, fmt.Errorf("invite: send activation: %w", err)
	}
	sent := Sent{Email: item.email, ID: item.tok.ID, ExpiresAt: item.tok.ExpiresAt}
	sent.SendError = s.deliver(ctx, []outgoing{item})[0]
	return sent, nil
}

// LookupActivation returns what a set-password link is for (the user's
// username and address, the account) without consuming it. Errors as
// for Lookup.
func (s *Service) LookupActivation(ctx context.Context, secret string) (Invitation, error) {
	t, err := s.peek(ctx, usermgmt.TokenActivation, secret)
	if err != nil {
		return Invitation{}, fmt.Errorf("invite: lookup activation: %w", err)
	}
	u, err := s.store.GetUser(ctx, t.UserID)
	if err != nil || !u.Live() {
		return Invitation{}, fmt.Errorf("invite: lookup activation: %w", usermgmt.ErrNotFound)
	}
	return Invitation{Kind: t.Kind, ID: t.ID, Email: u.Email, Username: u.Username,
		AccountName: accountName(ctx, s.store, u.AccountID), InviterName: userName(ctx, s.store, t.CreatedBy),
		ExpiresAt: t.ExpiresAt}, nil
}

// Activate sets a user's password through a set-password link: a
// pending user becomes active (seed 001: "The account will be in
// pending status until a password is created"), an active one just
// gets the new password. The password must meet the policy
// (*usermgmt.ValidationError). The link is consumed in the same
// transaction; every session of the user ends and reset links die. A
// suspended or disabled user cannot use the link (an error matching
// usermgmt.ErrForbidden, audited), and the link stays unused. Link
// errors are Lookup's.
func (s *Service) Activate(ctx context.Context, secret, password string) (usermgmt.User, error) {
	t, err := s.peek(ctx, usermgmt.TokenActivation, secret)
	if err != nil {
		return usermgmt.User{}, fmt.Errorf("invite: activate: %w", err)
	}
	u, err := s.store.GetUser(ctx, t.UserID)
	if err != nil || !u.Live() {
		return usermgmt.User{}, fmt.Errorf("invite: activate: %w", usermgmt.ErrNotFound)
	}
	if err := s.users.Rules().CheckPassword(password, u.Username); err != nil {
		return usermgmt.User{}, err
	}
	pwHash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return usermgmt.User{}, fmt.Errorf("invite: activate: %w", err)
	}
	var out usermgmt.User
	err = s.store.WithTx(ctx, func(tx usermgmt.Tx) error {
		now := s.Now()
		if _, err := consume(ctx, tx, usermgmt.TokenActivation, t.Hash, now, outcomeActivated); err != nil {
			return err
		}
		u, err := tx.GetUser(ctx, t.UserID)
		if err != nil {
			return err
		}
		if !u.Live() {
			return usermgmt.ErrNotFound
		}
		if u.Status != usermgmt.StatusPending && u.Status != usermgmt.StatusActive {
			return &refusedError{err: forbidden("the user is " + string(u.Status) + "; ask an admin")}
		}
		if err := tx.SetPassword(ctx, u.ID, pwHash, now); err != nil {
			return err
		}
		if _, err := tx.DeleteSessions(ctx, u.ID, usermgmt.SessionLogin); err != nil {
			return err
		}
		if _, err := tx.DeleteTokens(ctx, u.ID, usermgmt.TokenReset); err != nil {
			return err
		}
		fields := []string{"password"}
		if u.Status == usermgmt.StatusPending {
			u.Status, u.UpdatedAt = usermgmt.StatusActive, now
			if err := tx.UpdateUser(ctx, &u); err != nil {
				return err
			}
			fields = append(fields, "status")
		}
		out = u
		return s.users.Record(ctx, tx, usermgmt.Event{AccountID: u.AccountID, ActorID: u.ID, Action: "user.activate",
			TargetType: "user", TargetID: u.ID, Fields: fields, At: now})
	})
	if err != nil {
		err = s.refuseAfter(ctx, err, t.AccountID, "user.activate", "user", t.UserID)
		return usermgmt.User{}, fmt.Errorf("invite: activate: %w", err)
	}
	return out, nil
}
