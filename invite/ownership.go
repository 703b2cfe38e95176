package invite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rosterkit/roster/usermgmt"
)

// OwnershipRequest asks for a user who exists in another account (seed
// 000: "if any of the users in the file already exists in the system,
// an ownership request will be sent to the user").
type OwnershipRequest struct {
	// User is the e-mail address (anything with an '@') or the username
	// of the user asked for.
	User string `json:"user"`
	// Group is where the user lands on acceptance; "" means the
	// account's root group. The actor needs PermUsers over it.
	Group string `json:"group,omitempty"`
	// ServiceLevel is the user's licence in the new account; "" keeps
	// the user's current one.
	ServiceLevel usermgmt.ServiceLevel `json:"service_level,omitempty"`
}

// ownershipData is the Data of an ownership token.
type ownershipData struct {
	Group        string                `json:"group"`
	ServiceLevel usermgmt.ServiceLevel `json:"service_level,omitempty"`
	// Label is how the requester named the user: what they typed, or
	// for an import the user's e-mail address.
	Label string `json:"label"`
}

// OwnershipRecord is an ownership request as the requesting account's
// admins see it. It says how the request stands, and nothing of the
// user asked for beyond what the requester typed: whether such a user
// exists, and whether the request could be delivered, stay hidden until
// the user accepts.
type OwnershipRecord struct {
	ID string `json:"id"`
	// Label is the address or username the requester gave.
	Label        string                `json:"label"`
	GroupID      string                `json:"group_id"`
	ServiceLevel usermgmt.ServiceLevel `json:"service_level,omitempty"`
	CreatedBy    string                `json:"created_by"`
	CreatedAt    time.Time             `json:"created_at"`
	ExpiresAt    time.Time             `json:"expires_at"`
	// State is pending, accepted, declined or expired.
	State State `json:"state"`
	// DecidedAt is when the user accepted or declined.
	DecidedAt time.Time `json:"decided_at,omitzero"`
	// UserID is the user's id once they accepted (they are then a user
	// of the requesting account); "" before.
	UserID string `json:"user_id,omitempty"`
}

func ownershipRecordOf(t usermgmt.Token, d ownershipData, now time.Time) OwnershipRecord {
	r := OwnershipRecord{ID: t.ID, Label: d.Label, GroupID: d.Group, ServiceLevel: d.ServiceLevel,
		CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, State: stateOf(t, now),
		DecidedAt: t.UsedAt}
	if r.State == StateAccepted {
		r.UserID = t.UserID
	}
	return r
}

// maxLabel bounds what RequestOwnership takes as the user's name.
const maxLabel = usermgmt.MaxEmailLen

// RequestOwnership asks a user of another account, named by e-mail
// address or username, to move into the actor's account (seed 000).
// The actor needs PermUsers over req.Group.
//
// The answer is the same whether or not such a user exists, and
// whichever account they are in: the request is recorded (audited as
// "ownership.request") and listed by OwnershipRequests as pending, and
// nothing about the user comes back, so that no admin learns of users
// outside their account. Only a live user of another account actually
// receives it, by mail (and by SMS with Config.OwnershipBySMS), with a
// link valid for Config.OwnershipTTL; their own account's audit log
// records it too. Only the user's confirmation moves them
// (AcceptOwnership); they may decline (DeclineOwnership); unanswered,
// the request expires.
func (s *Service) RequestOwnership(ctx context.Context, actor string, req OwnershipRequest) (OwnershipRecord, error) {
	label := strings.TrimSpace(req.User)
	ve := &usermgmt.ValidationError{}
	switch {
	case label == "":
		ve.Add("user", usermgmt.CodeRequired, "give the user's e-mail address or username")
	case len(label) > maxLabel:
		ve.Add("user", usermgmt.CodeTooLong, "must be at most 254 bytes")
	case !utf8.ValidString(label) || strings.ContainsFunc(label, unicode.IsControl):
		ve.Add("user", usermgmt.CodeInvalid, "must be an e-mail address or a username")
	}
	level := usermgmt.ServiceLevel(strings.ToLower(strings.TrimSpace(string(req.ServiceLevel))))
	if level != "" && !level.Valid() {
		ve.Add("service_level", usermgmt.CodeInvalid, "must be archive or pro")
	}
	if err := ve.Err(); err != nil {
		return OwnershipRecord{}, err
	}
	var (
		rec   OwnershipRecord
		items []outgoing
	)
	err := s.users.Run(ctx, actor, "ownership.request", func(tx usermgmt.Tx, a *usermgmt.Actor) error {
		items = nil
		group := req.Group
		if group == "" {
			group = a.Account.RootGroupID
		}
		if _, err := a.TargetGroup(usermgmt.PermUsers, group); err != nil {
			return err
		}
		var (
			u   usermgmt.User
			err error
		)
		if strings.Contains(label, "@") {
			u, err = tx.GetUserByEmail(ctx, label)
		} else {
			u, err = tx.GetUserByUsername(ctx, label)
		}
		var target *usermgmt.User
		switch {
		case err == nil && u.Live() && u.AccountID != a.Account.ID:
			target = &u
		case err != nil && !errors.Is(err, usermgmt.ErrNotFound):
			return err
		}
		t, secret, err := s.ownershipTx(ctx, tx, a, target, ownershipData{Group: group, ServiceLevel: level, Label: label})
		if err != nil {
			return err
		}
		rec = ownershipRecordOf(t, ownershipData{Group: group, ServiceLevel: level, Label: label}, t.CreatedAt)
		if target == nil {
			return nil
		}
		o, ok, err := s.outgoingFor(ctx, tx, t, secret)
		if ok {
			items = append(items, o)
		}
		return err
	})
	if err != nil {
		return OwnershipRecord{}, fmt.Errorf("invite: request ownership: %w", err)
	}
	s.deliver(ctx, items) // a failure is recorded on the request, for RetryFailed
	return rec, nil
}

// ownershipTx writes an ownership request of the actor's account for
// target (nil for nobody: the request is recorded but never sent) and
// its audit events.
func (s *Service) ownershipTx(ctx context.Context, tx usermgmt.Tx, a *usermgmt.Actor, target *usermgmt.User, d ownershipData) (usermgmt.Token, string, error) {
	now := s.Now()
	t, secret, err := s.newToken(usermgmt.TokenOwnership, now)
	if err != nil {
		return usermgmt.Token{}, "", err
	}
	t.AccountID, t.CreatedBy = a.Account.ID, a.User.ID
	if target != nil {
		t.UserID = target.ID
	}
	if t.Data, err = json.Marshal(d); err != nil {
		return usermgmt.Token{}, "", err
	}
	if err := tx.CreateToken(ctx, &t); err != nil {
		return usermgmt.Token{}, "", err
	}
	if err := s.users.Record(ctx, tx, usermgmt.Event{AccountID: a.Account.ID, ActorID: a.User.ID,
		Action: "ownership.request", TargetType: "ownership", TargetID: t.ID, At: now}); err != nil {
		return usermgmt.Token{}, "", err
	}
	if target != nil {
		if err := s.users.Record(ctx, tx, usermgmt.Event{AccountID: target.AccountID, Action: "ownership.request",
			TargetType: "user", TargetID: target.ID, At: now}); err != nil {
			return usermgmt.Token{}, "", err
		}
	}
	return t, secret, nil
}

// RequestOwnershipTx records, within tx, a request that user (a live
// user of another account, found by the caller) move into the actor's
// account in group groupID ("" for the root group), and returns the
// request's id. It sends nothing: call SendOwnership with the id once
// tx has committed. It is the building block of the importer, which
// makes the requests inside its all-or-nothing transaction; a caller
// whose transaction function may run more than once must keep only the
// ids of the run that committed.
//
// The actor needs PermUsers over the group; a refusal is returned as
// usermgmt.Refusal for usermgmt.Service.Run to audit. A user who is not
// live, or already in the actor's account, is a
// *usermgmt.ValidationError.
func (s *Service) RequestOwnershipTx(ctx context.Context, tx usermgmt.Tx, a *usermgmt.Actor, user usermgmt.User, groupID string) (string, error) {
	if groupID == "" {
		groupID = a.Account.RootGroupID
	}
	if _, err := a.TargetGroup(usermgmt.PermUsers, groupID); err != nil {
		return "", err
	}
	u, err := tx.GetUser(ctx, user.ID)
	if err != nil && !errors.Is(err, usermgmt.ErrNotFound) {
		return "", err
	}
	if err != nil || !u.Live() || u.AccountID == a.Account.ID {
		return "", invalid("user", usermgmt.CodeInvalid, "must be a live user of another account")
	}
	t, _, err := s.ownershipTx(ctx, tx, a, &u, ownershipData{Group: groupID, Label: u.Email})
	if err != nil {
		return "", err
	}
	return t.ID, nil
}

// SendOwnership delivers an ownership request RequestOwnershipTx made,
// once its transaction has committed, with a fresh link (the secret was
// never kept) valid for Config.OwnershipTTL. A request that is no
// longer pending, or whose user is gone, is not sent and is no error;
// an unknown id is usermgmt.ErrNotFound. A failed delivery is an error
// wrapping ErrDelivery, recorded on the request for RetryFailed.
func (s *Service) SendOwnership(ctx context.Context, requestID string) error {
	o, ok, err := s.redeliver(ctx, requestID, false)
	if err != nil {
		return fmt.Errorf("invite: send ownership: %w", err)
	}
	if !ok || o.tok.Kind != usermgmt.TokenOwnership {
		return nil
	}
	if e := s.deliver(ctx, []outgoing{o})[0]; e != "" {
		return fmt.Errorf("invite: send ownership: %w", &deliveryError{e})
	}
	return nil
}

// LookupOwnership returns an ownership request for the user it was sent
// to (their username and address, the requesting account and admin)
// without consuming it, so that the user can review it before accepting
// or declining, and a mail scanner opening the link changes nothing.
// Errors as for Lookup.
func (s *Service) LookupOwnership(ctx context.Context, secret string) (Invitation, error) {
	t, err := s.peek(ctx, usermgmt.TokenOwnership, secret)
	if err != nil {
		return Invitation{}, fmt.Errorf("invite: lookup ownership: %w", err)
	}
	u, err := s.store.GetUser(ctx, t.UserID)
	if t.UserID == "" || err != nil || !u.Live() {
		return Invitation{}, fmt.Errorf("invite: lookup ownership: %w", usermgmt.ErrNotFound)
	}
	return Invitation{Kind: t.Kind, ID: t.ID, Email: u.Email, Username: u.Username,
		AccountName: accountName(ctx, s.store, t.AccountID), InviterName: userName(ctx, s.store, t.CreatedBy),
		ExpiresAt: t.ExpiresAt}, nil
}

// AcceptOwnership moves the user an ownership request was sent to into
// the requesting account, on the user's own confirmation, in one
// transaction that consumes the link.
//
// The user keeps their identity and data: id, username, password,
// names, contact details, settings, status and e-mail aliases. What
// belonged to the old account ends: grants the user held there and
// grants others held over the user, number assignments, the customer
// code, every session and API key, and pending reset and activation
// links. The user lands in the request's group as an end user, with the
// request's service level if it named one; their seat moves with them
// (usermgmt.ErrSeatLimit when the requesting account is full, and the
// link stays valid). Both accounts' audit logs record the move.
//
// The owner of an account cannot move (usermgmt.ErrForbidden): their
// account would be left without one. As with invitations, the
// requesting admin must still be active in their account with PermUsers
// over the group (usermgmt.ErrForbidden otherwise). Link errors are
// Lookup's.
func (s *Service) AcceptOwnership(ctx context.Context, secret string) (usermgmt.User, error) {
	t, err := s.peek(ctx, usermgmt.TokenOwnership, secret)
	if err != nil {
		return usermgmt.User{}, fmt.Errorf("invite: accept ownership: %w", err)
	}
	var d ownershipData
	if err := decode(t, &d); err != nil {
		return usermgmt.User{}, err
	}
	var out usermgmt.User
	err = s.store.WithTx(ctx, func(tx usermgmt.Tx) error {
		now := s.Now()
		ct, err := consume(ctx, tx, usermgmt.TokenOwnership, t.Hash, now, outcomeAccepted)
		if err != nil {
			return err
		}
		u, err := tx.GetUser(ctx, ct.UserID)
		if ct.UserID == "" || errors.Is(err, usermgmt.ErrNotFound) || (err == nil && !u.Live()) {
			return usermgmt.ErrNotFound
		}
		if err != nil {
			return err
		}
		if u.AccountID == ct.AccountID { // already there: nothing to move
			out = u
			return s.users.Record(ctx, tx, usermgmt.Event{AccountID: u.AccountID, ActorID: u.ID,
				Action: "ownership.accept", TargetType: "user", TargetID: u.ID, At: now})
		}
		old, err := tx.GetAccount(ctx, u.AccountID)
		if err != nil {
			return err
		}
		if old.OwnerID == u.ID || u.Type == usermgmt.TypeOwner {
			return &refusedError{err: forbidden("the owner of an account cannot move to another account"), accountID: old.ID, userID: u.ID}
		}
		a, err := s.sender(ctx, tx, ct)
		if err != nil {
			return err
		}
		if _, err := a.TargetGroup(usermgmt.PermUsers, d.Group); err != nil {
			return &refusedError{err: forbidden("the requesting admin may no longer add users to that group")}
		}
		if err := s.leave(ctx, tx, u, now); err != nil {
			return err
		}
		aliases, err := tx.ListAliases(ctx, u.ID)
		if err != nil {
			return err
		}
		for _, al := range aliases {
			if err := tx.DeleteAlias(ctx, al.Address); err != nil {
				return err
			}
		}
		u.AccountID, u.GroupID, u.Type = ct.AccountID, d.Group, usermgmt.TypeEndUser
		if d.ServiceLevel != "" {
			u.ServiceLevel = d.ServiceLevel
		}
		u.DefaultNumber, u.CustomerCode, u.UpdatedAt = "", "", now
		if err := tx.UpdateUser(ctx, &u); err != nil {
			return err
		}
		for _, al := range aliases {
			al.AccountID = u.AccountID
			if err := tx.CreateAlias(ctx, &al); err != nil {
				return err
			}
		}
		fields := []string{"account_id", "group_id", "type"}
		for _, acct := range []string{old.ID, u.AccountID} {
			if err := s.users.Record(ctx, tx, usermgmt.Event{AccountID: acct, ActorID: u.ID, Action: "ownership.accept",
				TargetType: "user", TargetID: u.ID, Fields: fields, At: now}); err != nil {
				return err
			}
		}
		out = u
		return nil
	})
	if err != nil {
		err = s.refuseAfter(ctx, err, t.AccountID, "ownership.accept", "ownership", t.ID)
		return usermgmt.User{}, fmt.Errorf("invite: accept ownership: %w", err)
	}
	return out, nil
}

// leave ends what tied user u to their old account: grants held and
// grants over u (each audited there), number assignments, sessions and
// API keys, and pending reset, activation and login links.
func (s *Service) leave(ctx context.Context, tx usermgmt.Tx, u usermgmt.User, now time.Time) error {
	held, err := tx.ListGrants(ctx, u.ID)
	if err != nil {
		return err
	}
	all, err := tx.ListAccountGrants(ctx, u.AccountID)
	if err != nil {
		return err
	}
	over := slices.DeleteFunc(all, func(g usermgmt.Grant) bool { return g.Scope.UserID != u.ID || g.UserID == u.ID })
	for _, g := range append(held, over...) {
		if err := tx.DeleteGrant(ctx, g.ID); err != nil {
			return err
		}
		if err := s.users.Record(ctx, tx, usermgmt.Event{AccountID: u.AccountID, ActorID: u.ID, Action: "grant.revoke",
			TargetType: "user", TargetID: g.UserID, Fields: permNames(g.Permissions), At: now}); err != nil {
			return err
		}
	}
	numbers, err := tx.ListNumbers(ctx, usermgmt.NumberFilter{AccountID: u.AccountID, UserID: u.ID})
	if err != nil {
		return err
	}
	for _, n := range numbers {
		if err := tx.AssignNumber(ctx, n.E164, ""); err != nil {
			return err
		}
	}
	if _, err := tx.DeleteSessions(ctx, u.ID, ""); err != nil {
		return err
	}
	for _, k := range []usermgmt.TokenKind{usermgmt.TokenReset, usermgmt.TokenActivation, usermgmt.TokenChallenge} {
		if _, err := tx.DeleteTokens(ctx, u.ID, k); err != nil {
			return err
		}
	}
	return nil
}

// DeclineOwnership declines an ownership request: nothing changes for
// the user, and the requesting account sees the request as declined.
// Both accounts' audit logs record it. Link errors are Lookup's.
func (s *Service) DeclineOwnership(ctx context.Context, secret string) error {
	t, err := s.peek(ctx, usermgmt.TokenOwnership, secret)
	if err != nil {
		return fmt.Errorf("invite: decline ownership: %w", err)
	}
	err = s.store.WithTx(ctx, func(tx usermgmt.Tx) error {
		now := s.Now()
		ct, err := consume(ctx, tx, usermgmt.TokenOwnership, t.Hash, now, outcomeDeclined)
		if err != nil {
			return err
		}
		if err := s.users.Record(ctx, tx, usermgmt.Event{AccountID: ct.AccountID, Action: "ownership.decline",
			TargetType: "ownership", TargetID: ct.ID, At: now}); err != nil {
			return err
		}
		if u, err := tx.GetUser(ctx, ct.UserID); err == nil && u.Live() && u.AccountID != ct.AccountID {
			return s.users.Record(ctx, tx, usermgmt.Event{AccountID: u.AccountID, ActorID: u.ID,
				Action: "ownership.decline", TargetType: "user", TargetID: u.ID, At: now})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("invite: decline ownership: %w", err)
	}
	return nil
}

// OwnershipRequests lists the ownership requests of the actor's account,
// newest first, with their state: pending, accepted, declined or
// expired (seed 000: the requesting admin follows them). The actor sees
// the requests into groups it holds PermUsers over, and those it made.
// A page may hold fewer than p's limit when some requests are outside
// the actor's scope: follow next until it is "". Requests the store
// has purged are no longer listed.
func (s *Service) OwnershipRequests(ctx context.Context, actor string, p usermgmt.Page) ([]OwnershipRecord, string, error) {
	var (
		out  []OwnershipRecord
		next string
	)
	err := s.users.Run(ctx, actor, "ownership.list", func(tx usermgmt.Tx, a *usermgmt.Actor) error {
		out = nil
		if !slices.Contains(a.Permissions(), usermgmt.PermUsers) {
			return usermgmt.Refusal(forbidden("missing permission users"), "account", a.Account.ID)
		}
		list, n, err := tx.ListTokens(ctx, usermgmt.TokenFilter{AccountID: a.Account.ID, Kind: usermgmt.TokenOwnership}, p)
		if err != nil {
			return err
		}
		next = n
		now := s.Now()
		for _, t := range list {
			var d ownershipData
			if decode(t, &d) != nil {
				continue
			}
			if t.CreatedBy == a.User.ID || a.CanGroup(usermgmt.PermUsers, d.Group) {
				out = append(out, ownershipRecordOf(t, d, now))
			}
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("invite: ownership requests: %w", err)
	}
	return out, next, nil
}
