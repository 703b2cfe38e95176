package invite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rosterkit/roster/usermgmt"
)

// Request asks to invite addresses into the actor's account (seed 004:
// "Invite users" then "Set Permission").
type Request struct {
	// Emails are the addresses to invite, one per item (SplitAddresses
	// splits a pasted list). Blank items are ignored; at most
	// MaxAddresses.
	Emails []string `json:"emails"`
	// Group is where the invitees land; "" means the account's root
	// group. The actor needs PermInvitations over it.
	Group string `json:"group,omitempty"`
	// Permissions, when not empty, make the invitees admins holding
	// them over Scope (seed 004's modules; "Admin" is every built-in
	// permission but pricing and payments). Empty means end users.
	// Nobody invites with more than they hold: the actor must hold every
	// permission over the whole scope.
	Permissions []usermgmt.Permission `json:"permissions,omitempty"`
	// Scope is what the invitees' grant covers; the zero value means the
	// subtree of Group (seed 004: "by default, your users have access to
	// all your sub-accounts"). Only with Permissions.
	Scope usermgmt.Scope `json:"scope,omitzero"`
	// ServiceLevel is the invitees' licence; "" means the account's
	// default.
	ServiceLevel usermgmt.ServiceLevel `json:"service_level,omitempty"`
}

// Reason says why an address was not invited.
type Reason string

// The reasons an address is skipped (seed 004: "Previously-invited
// users, existing users and users with disposable email addresses will
// not be shown").
const (
	// ReasonInvalid: not one plain e-mail address (usermgmt.CheckEmail).
	ReasonInvalid Reason = "invalid"
	// ReasonDuplicateInRequest: the same address (case-insensitively)
	// appears earlier in the same request.
	ReasonDuplicateInRequest Reason = "duplicate_in_request"
	// ReasonPending: the account has already invited the address, and
	// the invitation is still pending (resend it instead).
	ReasonPending Reason = "pending"
	// ReasonExistingUser: a user with this address already exists.
	ReasonExistingUser Reason = "existing_user"
	// ReasonDisposable: the address belongs to a disposable-mail service
	// (Config.Disposable).
	ReasonDisposable Reason = "disposable"
)

// Skip is an address that was not invited, and why.
type Skip struct {
	Email  string `json:"email"`
	Reason Reason `json:"reason"`
	// Message is a readable, lower-case explanation, e.g. "already has
	// a pending invitation".
	Message string `json:"message"`
}

// Result says, per address, what Invite did: every address of the
// request is in exactly one of the two lists, each in request order.
type Result struct {
	Invited []Sent `json:"invited"`
	Skipped []Skip `json:"skipped"`
}

// inviteData is the Data of an invitation token: what the invitee gets.
type inviteData struct {
	Group        string                `json:"group"`
	Scope        usermgmt.Scope        `json:"scope,omitzero"`
	Permissions  []usermgmt.Permission `json:"permissions,omitempty"`
	Type         usermgmt.UserType     `json:"type"`
	ServiceLevel usermgmt.ServiceLevel `json:"service_level,omitempty"`
}

// checkRequest validates what can be checked without the store and
// returns the normalised request.
func checkRequest(req Request) (Request, error) {
	ve := &usermgmt.ValidationError{}
	emails := make([]string, 0, len(req.Emails))
	for _, e := range req.Emails {
		if strings.TrimSpace(e) != "" {
			emails = append(emails, e)
		}
	}
	switch {
	case len(emails) == 0:
		ve.Add("emails", usermgmt.CodeRequired, "name at least one address")
	case len(emails) > MaxAddresses:
		ve.Add("emails", usermgmt.CodeTooLong, "at most "+strconv.Itoa(MaxAddresses)+" addresses at once")
	}
	req.Emails = emails
	if len(req.Permissions) > 0 {
		perms, err := usermgmt.CheckPermissions(req.Permissions)
		if err != nil {
			var pe *usermgmt.ValidationError
			if errors.As(err, &pe) {
				ve.Fields = append(ve.Fields, pe.Fields...)
			}
		}
		req.Permissions = perms
	} else if req.Scope != (usermgmt.Scope{}) {
		ve.Add("scope", usermgmt.CodeInvalid, "a scope goes with permissions; end users get none")
	}
	if req.Scope.GroupID != "" && req.Scope.UserID != "" {
		ve.Add("scope", usermgmt.CodeInvalid, "name either a group or a user")
	}
	req.ServiceLevel = usermgmt.ServiceLevel(strings.ToLower(strings.TrimSpace(string(req.ServiceLevel))))
	if req.ServiceLevel != "" && !req.ServiceLevel.Valid() {
		ve.Add("service_level", usermgmt.CodeInvalid, "must be archive or pro")
	}
	return req, ve.Err()
}

// authorizeGrant checks that the actor may invite into group with the
// grant the data describes: PermInvitations over the group, and every
// permission over the whole scope (usermgmt.Actor.Covers). It returns
// refusals for usermgmt.Service.Run to audit.
func authorizeGrant(ctx context.Context, tx usermgmt.Tx, a *usermgmt.Actor, d inviteData) error {
	if _, err := a.TargetGroup(usermgmt.PermInvitations, d.Group); err != nil {
		return err
	}
	if len(d.Permissions) == 0 {
		return nil
	}
	var scopeUser usermgmt.User
	switch {
	case d.Scope.GroupID != "":
		if _, ok := a.Group(d.Scope.GroupID); !ok || !a.SeesGroup(d.Scope.GroupID) {
			return usermgmt.Refusal(usermgmt.ErrHidden, "group", d.Scope.GroupID)
		}
	case d.Scope.UserID != "":
		u, err := tx.GetUser(ctx, d.Scope.UserID)
		if err != nil && !errors.Is(err, usermgmt.ErrNotFound) {
			return err
		}
		if err != nil || !a.CanUser("", u) {
			return usermgmt.Refusal(usermgmt.ErrHidden, "user", d.Scope.UserID)
		}
		scopeUser = u
	default:
		return invalid("scope", usermgmt.CodeInvalid, "name either a group or a user")
	}
	g := usermgmt.Grant{Scope: d.Scope, Permissions: d.Permissions}
	if !a.Covers(g, scopeUser) {
		return usermgmt.Refusal(forbidden("nobody invites with access they do not hold"), "group", d.Group)
	}
	return nil
}

// Invite invites every address of req into the actor's account with
// the access req describes (seed 004). The actor needs PermInvitations
// over req.Group and must hold every one of req.Permissions over the
// whole scope; otherwise nothing is written and the error matches
// usermgmt.ErrForbidden (audited as a refusal).
//
// Every address is classified, in request order: invalid, a repeat
// within the request, already invited by the account and still pending,
// the address of an existing user, or on a disposable-mail domain, in
// that order of precedence; the others are invited. The invitations
// (tokens valid for Config.InviteTTL, seven days by default, single
// use) and one "invite.create" audit event each are written in one
// transaction; an expired, unused invitation to a re-invited address is
// replaced. Then, outside the transaction, the mails go out, at most
// Config.SendConcurrency at a time; a mail the mailer refuses leaves
// its invitation pending with Sent.SendError set, visible in Pending
// and retried by Resend or RetryFailed.
//
// Invite returns an error only when nothing was invited: bad input
// (*usermgmt.ValidationError), a refusal, or a store failure.
func (s *Service) Invite(ctx context.Context, actor string, req Request) (Result, error) {
	req, err := checkRequest(req)
	if err != nil {
		return Result{}, err
	}
	var (
		res   Result
		items []outgoing
	)
	err = s.users.Run(ctx, actor, "invite.create", func(tx usermgmt.Tx, a *usermgmt.Actor) error {
		res, items = Result{}, nil // Run may retry this function
		d := inviteData{Group: req.Group, Scope: req.Scope, Permissions: req.Permissions,
			Type: usermgmt.TypeEndUser, ServiceLevel: req.ServiceLevel}
		if d.Group == "" {
			d.Group = a.Account.RootGroupID
		}
		if len(d.Permissions) > 0 {
			d.Type = usermgmt.TypeAdmin
			if d.Scope == (usermgmt.Scope{}) {
				d.Scope.GroupID = d.Group
			}
		}
		if err := authorizeGrant(ctx, tx, a, d); err != nil {
			return err
		}
		data, err := json.Marshal(d)
		if err != nil {
			return err
		}
		now := s.Now()
		pending, stale, err := s.invitedAddresses(ctx, tx, a.Account.ID, now)
		if err != nil {
			return err
		}
		seen := make(map[string]bool, len(req.Emails))
		account, inviter := a.Account.Name, a.User.Name()
		for _, raw := range req.Emails {
			addr := strings.TrimSpace(raw)
			skip, err := s.classify(ctx, tx, addr, seen, pending)
			if err != nil {
				return err
			}
			if skip != nil {
				res.Skipped = append(res.Skipped, *skip)
				continue
			}
			addr, _ = usermgmt.CheckEmail(addr)
			if old, ok := stale[usermgmt.EmailKey(addr)]; ok {
				for _, id := range old {
					if err := tx.DeleteToken(ctx, id); err != nil && !errors.Is(err, usermgmt.ErrNotFound) {
						return err
					}
				}
			}
			t, secret, err := s.newToken(usermgmt.TokenInvite, now)
			if err != nil {
				return err
			}
			t.AccountID, t.Email, t.CreatedBy, t.Data = a.Account.ID, addr, a.User.ID, data
			if err := tx.CreateToken(ctx, &t); err != nil {
				return err
			}
			if err := s.users.Record(ctx, tx, usermgmt.Event{AccountID: a.Account.ID, ActorID: a.User.ID,
				Action: "invite.create", TargetType: "invitation", TargetID: t.ID, Fields: permFields(d), At: now}); err != nil {
				return err
			}
			res.Invited = append(res.Invited, Sent{Email: addr, ID: t.ID, ExpiresAt: t.ExpiresAt})
			items = append(items, outgoing{tok: t, secret: secret, email: addr, lang: a.Account.Defaults.Language,
				account: account, sender: inviter})
		}
		return nil
	})
	if err != nil {
		return Result{}, fmt.Errorf("invite: %w", err)
	}
	for i, e := range s.deliver(ctx, items) {
		res.Invited[i].SendError = e
	}
	return res, nil
}

// permFields names what an invitation grants, for its audit event.
func permFields(d inviteData) []string {
	out := []string{"email", "group"}
	for _, p := range d.Permissions {
		out = append(out, "permission:"+string(p))
	}
	return out
}

// invitedAddresses reads the account's unused invitations once: the
// e-mail keys of pending ones, and the ids of expired ones by e-mail
// key (replaced when their address is invited again).
func (s *Service) invitedAddresses(ctx context.Context, tx usermgmt.Tx, accountID string, now time.Time) (map[string]bool, map[string][]string, error) {
	pending, stale := map[string]bool{}, map[string][]string{}
	p := usermgmt.Page{Limit: 1000}
	for {
		list, next, err := tx.ListTokens(ctx, usermgmt.TokenFilter{AccountID: accountID, Kind: usermgmt.TokenInvite, Unused: true}, p)
		if err != nil {
			return nil, nil, err
		}
		for _, t := range list {
			key := usermgmt.EmailKey(t.Email)
			if t.Pending(now) {
				pending[key] = true
			} else {
				stale[key] = append(stale[key], t.ID)
			}
		}
		if next == "" {
			return pending, stale, nil
		}
		p.After = next
	}
}

// classify returns why addr is not invited, or nil.
func (s *Service) classify(ctx context.Context, tx usermgmt.Tx, addr string, seen, pending map[string]bool) (*Skip, error) {
	norm, err := usermgmt.CheckEmail(addr)
	if err != nil {
		msg := "is not a valid e-mail address"
		var re *usermgmt.RuleError
		if errors.As(err, &re) {
			msg = re.Message
		}
		return &Skip{Email: addr, Reason: ReasonInvalid, Message: msg}, nil
	}
	key := usermgmt.EmailKey(norm)
	switch {
	case seen[key]:
		return &Skip{Email: addr, Reason: ReasonDuplicateInRequest, Message: "appears earlier in the same request"}, nil
	case pending[key]:
		seen[key] = true
		return &Skip{Email: addr, Reason: ReasonPending, Message: "already has a pending invitation; resend it instead"}, nil
	}
	seen[key] = true
	_, err = tx.GetUserByEmail(ctx, norm)
	switch {
	case err == nil:
		return &Skip{Email: addr, Reason: ReasonExistingUser, Message: "already belongs to a user"}, nil
	case !errors.Is(err, usermgmt.ErrNotFound):
		return nil, err
	}
	if s.disposable(norm[strings.LastIndexByte(norm, '@')+1:]) {
		return &Skip{Email: addr, Reason: ReasonDisposable, Message: "is on a disposable e-mail domain"}, nil
	}
	return nil, nil
}

// Record is an invitation as its account's admins see it.
type Record struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	// GroupID is where the invitee lands.
	GroupID string `json:"group_id"`
	// Type is admin when Permissions is not empty, end_user otherwise.
	Type         usermgmt.UserType     `json:"type"`
	Permissions  []usermgmt.Permission `json:"permissions,omitempty"`
	Scope        usermgmt.Scope        `json:"scope,omitzero"`
	ServiceLevel usermgmt.ServiceLevel `json:"service_level,omitempty"`
	CreatedBy    string                `json:"created_by"`
	CreatedAt    time.Time             `json:"created_at"`
	ExpiresAt    time.Time             `json:"expires_at"`
	// State is StatePending or StateExpired in Pending's list.
	State State `json:"state"`
	// Sends counts delivery attempts; SentAt is the last successful
	// one; SendError says why the last attempt failed.
	Sends     int       `json:"sends"`
	SentAt    time.Time `json:"sent_at,omitzero"`
	SendError string    `json:"send_error,omitempty"`
}

func recordOf(t usermgmt.Token, d inviteData, now time.Time) Record {
	return Record{ID: t.ID, Email: t.Email, GroupID: d.Group, Type: d.Type, Permissions: slices.Clone(d.Permissions),
		Scope: d.Scope, ServiceLevel: d.ServiceLevel, CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt,
		ExpiresAt: t.ExpiresAt, State: stateOf(t, now), Sends: t.Sends, SentAt: t.SentAt, SendError: t.SendError}
}

// Pending lists the account's invitations not yet accepted nor revoked
// (seed 004's "Pending Invitations"), newest first, expired ones
// included and marked StateExpired, so that they can be resent. The
// actor sees the invitations into groups it holds PermInvitations over,
// and those it sent. A page may hold fewer than p's limit when some
// invitations are outside the actor's scope: follow next until it is "".
func (s *Service) Pending(ctx context.Context, actor string, p usermgmt.Page) ([]Record, string, error) {
	var (
		out  []Record
		next string
	)
	err := s.users.Run(ctx, actor, "invite.list", func(tx usermgmt.Tx, a *usermgmt.Actor) error {
		out = nil
		if !slices.Contains(a.Permissions(), usermgmt.PermInvitations) {
			return usermgmt.Refusal(forbidden("missing permission invitations"), "account", a.Account.ID)
		}
		list, n, err := tx.ListTokens(ctx, usermgmt.TokenFilter{AccountID: a.Account.ID, Kind: usermgmt.TokenInvite, Unused: true}, p)
		if err != nil {
			return err
		}
		next = n
		now := s.Now()
		for _, t := range list {
			var d inviteData
			if decode(t, &d) != nil {
				continue
			}
			if t.CreatedBy == a.User.ID || a.CanGroup(usermgmt.PermInvitations, d.Group) {
				out = append(out, recordOf(t, d, now))
			}
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("invite: pending: %w", err)
	}
	return out, next, nil
}

// target loads invitation id for an admin operation: it must be an
// invitation of the actor's account, and the actor must hold
// PermInvitations over its group and every permission it grants. An
// invitation the actor may not see is usermgmt.ErrHidden.
func target(ctx context.Context, tx usermgmt.Tx, a *usermgmt.Actor, id string) (usermgmt.Token, inviteData, error) {
	t, err := tx.GetToken(ctx, id)
	if err != nil && !errors.Is(err, usermgmt.ErrNotFound) {
		return usermgmt.Token{}, inviteData{}, err
	}
	var d inviteData
	if err != nil || t.Kind != usermgmt.TokenInvite || t.AccountID != a.Account.ID || decode(t, &d) != nil ||
		!(a.SeesGroup(d.Group) || t.CreatedBy == a.User.ID) {
		return usermgmt.Token{}, inviteData{}, usermgmt.Refusal(usermgmt.ErrHidden, "invitation", id)
	}
	if err := authorizeGrant(ctx, tx, a, d); err != nil {
		var ve *usermgmt.ValidationError
		if errors.As(err, &ve) {
			return usermgmt.Token{}, inviteData{}, err
		}
		return usermgmt.Token{}, inviteData{}, usermgmt.Refusal(forbidden("the invitation grants access the actor does not hold"), "invitation", id)
	}
	return t, d, nil
}

// Resend sends an invitation again (seed 004: "to resend an invitation,
// click on the particular user"): a fresh link replaces the old one,
// which stops working, and the lifetime restarts; an expired
// invitation can be resent. It needs what Invite needs for the
// invitation's access. A used or revoked invitation is usermgmt.ErrUsed
// (ErrRevoked); an address that has meanwhile become a user's is a
// *usermgmt.ValidationError. A failed delivery is recorded and reported
// in the returned Record's SendError, with a nil error.
func (s *Service) Resend(ctx context.Context, actor, id string) (Record, error) {
	var (
		rec  Record
		item outgoing
	)
	err := s.users.Run(ctx, actor, "invite.resend", func(tx usermgmt.Tx, a *usermgmt.Actor) error {
		t, d, err := target(ctx, tx, a, id)
		if err != nil {
			return err
		}
		now := s.Now()
		if err := tokenState(t, now); err != nil && !errors.Is(err, usermgmt.ErrExpired) {
			return err
		}
		switch _, err := tx.GetUserByEmail(ctx, t.Email); {
		case err == nil:
			return invalid("email", usermgmt.CodeTaken, "already belongs to a user; revoke the invitation")
		case !errors.Is(err, usermgmt.ErrNotFound):
			return err
		}
		secret, err := s.rotate(&t, now)
		if err != nil {
			return err
		}
		if err := tx.UpdateToken(ctx, &t); err != nil {
			return err
		}
		rec = recordOf(t, d, now)
		item = outgoing{tok: t, secret: secret, email: t.Email, lang: a.Account.Defaults.Language,
			account: a.Account.Name, sender: userName(ctx, tx, t.CreatedBy)}
		return s.users.Record(ctx, tx, usermgmt.Event{AccountID: a.Account.ID, ActorID: a.User.ID,
			Action: "invite.resend", TargetType: "invitation", TargetID: t.ID, At: now})
	})
	if err != nil {
		return Record{}, fmt.Errorf("invite: resend: %w", err)
	}
	rec.SendError = s.deliver(ctx, []outgoing{item})[0]
	rec.Sends++
	if rec.SendError == "" {
		rec.SentAt = s.Now()
	}
	return rec, nil
}

// Revoke withdraws an invitation: its link stops working at once
// (Lookup and Accept then return ErrRevoked) and it leaves the pending
// list. It needs what Invite needs for the invitation's access. A used
// invitation is usermgmt.ErrUsed; an expired one is deleted.
func (s *Service) Revoke(ctx context.Context, actor, id string) error {
	err := s.users.Run(ctx, actor, "invite.revoke", func(tx usermgmt.Tx, a *usermgmt.Actor) error {
		t, _, err := target(ctx, tx, a, id)
		if err != nil {
			return err
		}
		now := s.Now()
		switch err := tokenState(t, now); {
		case errors.Is(err, usermgmt.ErrExpired):
			if err := tx.DeleteToken(ctx, t.ID); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if _, err := tx.ConsumeToken(ctx, usermgmt.TokenInvite, t.Hash, now, outcomeRevoked); err != nil {
				return err
			}
		}
		return s.users.Record(ctx, tx, usermgmt.Event{AccountID: a.Account.ID, ActorID: a.User.ID,
			Action: "invite.revoke", TargetType: "invitation", TargetID: t.ID, At: now})
	})
	if err != nil {
		return fmt.Errorf("invite: revoke: %w", err)
	}
	return nil
}
