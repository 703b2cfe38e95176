package invite

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rosterkit/roster/usermgmt"
)

// Invitation is what the holder of a link sees before acting on it:
// enough to recognise the invitation, activation or ownership request,
// and nothing secret.
type Invitation struct {
	// Kind is usermgmt.TokenInvite, TokenActivation or TokenOwnership.
	Kind usermgmt.TokenKind `json:"kind"`
	// ID identifies the link's record.
	ID string `json:"id"`
	// Email is the invited address, or the address of the user the link
	// was sent to.
	Email string `json:"email,omitempty"`
	// Username is the user's login name (activation and ownership).
	Username string `json:"username,omitempty"`
	// AccountName is the account to join (for an ownership request, the
	// account asking for the user).
	AccountName string `json:"account_name"`
	// InviterName is the admin who sent it; "" when unknown.
	InviterName string    `json:"inviter_name,omitempty"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// Lookup returns the invitation a link carries without consuming it, so
// that a mail scanner opening the link spends nothing (SECURITY.md T3):
// acceptance is a separate step (Accept), to be called from a form the
// invitee submits.
//
// Errors tell the holder what happened: usermgmt.ErrNotFound for a link
// that is malformed or unknown ("invalid"), usermgmt.ErrExpired past its
// lifetime ("expired", ask for a new one), ErrRevoked when an admin
// withdrew it, usermgmt.ErrUsed once accepted.
func (s *Service) Lookup(ctx context.Context, secret string) (Invitation, error) {
	t, err := s.peek(ctx, usermgmt.TokenInvite, secret)
	if err != nil {
		return Invitation{}, fmt.Errorf("invite: lookup: %w", err)
	}
	return Invitation{Kind: t.Kind, ID: t.ID, Email: t.Email, AccountName: accountName(ctx, s.store, t.AccountID),
		InviterName: userName(ctx, s.store, t.CreatedBy), ExpiresAt: t.ExpiresAt}, nil
}

// Acceptance is what an invitee fills in to accept (seed 004: "the user
// will be asked to enter his password"). The e-mail address is the
// invitation's.
type Acceptance struct {
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	Username    string `json:"username"`
	Password    string `json:"password"`
	MobilePhone string `json:"mobile_phone"`
	// Optional; empty fields take the account's defaults.
	TimeZone string `json:"time_zone,omitempty"`
	Language string `json:"language,omitempty"`
	Country  string `json:"country,omitempty"`
}

// Accept accepts an invitation: it creates an active user with the
// invitation's address, group, service level and access, in one
// transaction that consumes the link (single use: of concurrent
// acceptances exactly one succeeds, the others get usermgmt.ErrUsed).
//
// Input is checked with the rules of an admin's create and the password
// policy first (*usermgmt.ValidationError naming every failing field);
// a username, mobile phone or address already taken is a
// *usermgmt.ConflictError. The seat limit holds atomically: a full
// account is usermgmt.ErrSeatLimit. In every failing case the link stays
// valid, so the invitee can correct and retry.
//
// The invitation is only as good as its sender's current rights: the
// sender must still be an active admin of the account holding what
// Invite required (PermInvitations over the group and the granted
// access over its scope). Otherwise Accept fails with an error matching
// usermgmt.ErrForbidden, audited, and the invitee needs a new
// invitation; this stops a departed or demoted admin's invitations from
// handing out access nobody holds any more.
//
// Accept does not sign the user in: the new user logs in as every user
// does, with the SMS PIN. Link errors are Lookup's.
func (s *Service) Accept(ctx context.Context, secret string, in Acceptance) (usermgmt.User, error) {
	t, err := s.peek(ctx, usermgmt.TokenInvite, secret)
	if err != nil {
		return usermgmt.User{}, fmt.Errorf("invite: accept: %w", err)
	}
	var d inviteData
	if err := decode(t, &d); err != nil {
		return usermgmt.User{}, err
	}
	acct, err := s.store.GetAccount(ctx, t.AccountID)
	if err != nil {
		return usermgmt.User{}, fmt.Errorf("invite: accept: %w", err)
	}
	u, err := s.users.PrepareUser(&usermgmt.Actor{Account: acct}, usermgmt.NewUser{
		User: usermgmt.User{GroupID: d.Group, Kind: usermgmt.KindPerson, Type: d.Type, Username: in.Username,
			FirstName: in.FirstName, LastName: in.LastName, Email: t.Email, MobilePhone: in.MobilePhone,
			TimeZone: in.TimeZone, Language: in.Language, Country: in.Country, ServiceLevel: d.ServiceLevel},
		Password: in.Password,
	})
	if err == nil && in.Password == "" {
		err = invalid("password", usermgmt.CodeRequired, "is required")
	}
	if err != nil {
		return usermgmt.User{}, err
	}
	pwHash, err := s.hasher.Hash(ctx, in.Password)
	if err != nil {
		return usermgmt.User{}, fmt.Errorf("invite: accept: %w", err)
	}
	var out usermgmt.User
	err = s.store.WithTx(ctx, func(tx usermgmt.Tx) error {
		now := s.Now()
		ct, err := consume(ctx, tx, usermgmt.TokenInvite, t.Hash, now, outcomeAccepted)
		if err != nil {
			return err
		}
		a, err := s.sender(ctx, tx, ct)
		if err != nil {
			return err
		}
		if err := authorizeGrant(ctx, tx, a, d); err != nil {
			if errors.Is(err, usermgmt.ErrForbidden) || errors.Is(err, usermgmt.ErrNotFound) {
				return &refusedError{err: forbidden("the sender no longer holds the access this invitation grants; ask for a new invitation")}
			}
			return err
		}
		created, err := s.users.InsertUser(ctx, tx, a.User.ID, u, pwHash, "user.create")
		if err != nil {
			return err
		}
		if len(d.Permissions) > 0 {
			g := usermgmt.Grant{ID: s.users.NewID(), AccountID: created.AccountID, UserID: created.ID, Scope: d.Scope,
				Permissions: d.Permissions, CreatedBy: a.User.ID, CreatedAt: now}
			if err := tx.CreateGrant(ctx, &g); err != nil {
				return err
			}
			if err := s.users.Record(ctx, tx, usermgmt.Event{AccountID: g.AccountID, ActorID: a.User.ID,
				Action: "grant.create", TargetType: "user", TargetID: created.ID, Fields: permNames(d.Permissions), At: now}); err != nil {
				return err
			}
		}
		out = created
		return s.users.Record(ctx, tx, usermgmt.Event{AccountID: created.AccountID, ActorID: created.ID,
			Action: "invite.accept", TargetType: "invitation", TargetID: ct.ID, At: now})
	})
	if err != nil {
		err = s.refuseAfter(ctx, err, t.AccountID, "invite.accept", "invitation", t.ID)
		return usermgmt.User{}, fmt.Errorf("invite: accept: %w", err)
	}
	return out, nil
}

// sender loads, through tx, the admin who sent a token, as an actor of
// the token's account. An admin who is no longer active, or no longer
// in that account, is a refusal.
func (s *Service) sender(ctx context.Context, tx usermgmt.Tx, t usermgmt.Token) (*usermgmt.Actor, error) {
	a, err := s.users.LoadActor(ctx, tx, t.CreatedBy)
	if err != nil {
		if errors.Is(err, usermgmt.ErrForbidden) {
			return nil, &refusedError{err: forbidden("the admin who sent it is no longer active; ask for a new one")}
		}
		return nil, err
	}
	if a.Account.ID != t.AccountID {
		return nil, &refusedError{err: forbidden("the admin who sent it is no longer in the account; ask for a new one")}
	}
	return a, nil
}

func permNames(perms []usermgmt.Permission) []string {
	out := make([]string, len(perms))
	for i, p := range perms {
		out[i] = string(p)
	}
	return out
}
