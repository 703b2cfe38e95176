package invite

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/rosterkit/roster/sms"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/mail"
)

// outgoing is one link to deliver after the transaction that wrote its
// token has committed: by mail, by SMS, or both.
type outgoing struct {
	tok    usermgmt.Token // as written: ID, Kind and Hash identify it
	secret string

	email    string // "" for no mail
	phone    string // "" for no SMS (E.164)
	lang     string // the reader's language, BCP 47
	name     string // greeting, e.g. the first name
	username string
	account  string // the account named in the message
	sender   string // the admin who asked, "" when unknown
	active   bool   // an activation link to a user who already has a password
}

// Sent is one link handed to the mailer (and the SMS sender): an
// invitation, an activation or an ownership request.
type Sent struct {
	// Email is the address the mail went to ("" for an SMS only).
	Email string `json:"email,omitempty"`
	// ID identifies the invitation (for Resend and Revoke) or the link.
	ID        string    `json:"id"`
	ExpiresAt time.Time `json:"expires_at"`
	// SendError says why the delivery failed, e.g. "mail delivery
	// failed: timed out"; "" when every message was accepted. A failed
	// delivery is recorded on the link, which stays valid and can be
	// sent again.
	SendError string `json:"send_error,omitempty"`
}

// deliver sends every item, at most s.workers at a time, then records
// each result on its token in one transaction (Sends, SentAt,
// SendError) and returns the send errors in order ("" for success).
// A failed delivery is never lost: it stays on the token, visible and
// retryable.
func (s *Service) deliver(ctx context.Context, items []outgoing) []string {
	errs := make([]string, len(items))
	if len(items) == 0 {
		return errs
	}
	var g errgroup.Group
	g.SetLimit(s.workers)
	for i := range items {
		g.Go(func() error {
			errs[i] = s.send(ctx, &items[i])
			return nil
		})
	}
	_ = g.Wait()
	s.recordSends(ctx, items, errs)
	return errs
}

// send delivers one item and returns "" or why it failed.
func (s *Service) send(ctx context.Context, o *outgoing) string {
	link := s.link(o.tok.Kind, o.secret)
	ttl := s.ttl[o.tok.Kind]
	var problems []string
	if o.email != "" {
		var name string
		var data any
		switch o.tok.Kind {
		case usermgmt.TokenInvite:
			name, data = mail.Invitation, mail.InvitationData{AccountName: o.account, InviterName: o.sender, Link: link, ValidFor: ttl}
		case usermgmt.TokenActivation:
			name, data = mail.Welcome, mail.WelcomeData{Name: o.name, Username: o.username, AccountName: o.account, Link: link, ValidFor: ttl, Active: o.active}
		default:
			name, data = mail.OwnershipRequest, mail.OwnershipData{Name: o.name, Username: o.username,
				RequestingAccount: o.account, RequesterName: o.sender, Link: link, ValidFor: ttl}
		}
		msg, err := s.mailTpl.Render(name, o.lang, data)
		if err == nil {
			msg.From, msg.To, msg.Tag = s.from, []string{o.email}, name
			err = s.mailer.Send(ctx, msg)
		}
		if err != nil {
			s.log.WarnContext(ctx, "invite: mail delivery failed", "token", o.tok.ID, "kind", string(o.tok.Kind), "err", err)
			problems = append(problems, "mail "+reason(err, mail.ErrInvalidMessage))
		}
	}
	if o.phone != "" {
		var err error
		if s.sms == nil {
			err = errors.New("no sms sender configured")
		} else {
			var body string
			var purpose sms.Purpose
			switch o.tok.Kind {
			case usermgmt.TokenActivation:
				purpose = sms.PurposeLoginDetails
				body, err = s.smsTpl.Render(sms.TemplateLoginDetails, o.lang,
					sms.LoginDetailsData{AccountName: o.account, Username: o.username, Link: link})
			default:
				purpose = sms.PurposeOwnership
				body, err = s.smsTpl.Render(sms.TemplateOwnership, o.lang, sms.OwnershipData{AccountName: o.account, Link: link})
			}
			if err == nil {
				_, err = s.sms.Send(ctx, sms.Message{To: o.phone, Body: body, Purpose: purpose,
					AccountID: o.tok.AccountID, UserID: o.tok.UserID,
					Reference: fmt.Sprintf("%s-%d", o.tok.ID, o.tok.Sends+1)})
			}
		}
		if err != nil {
			// The sender's text may hold the phone number: only its
			// classification is logged.
			s.log.WarnContext(ctx, "invite: sms delivery failed", "token", o.tok.ID, "kind", string(o.tok.Kind),
				"reason", reason(err, sms.ErrInvalidMessage), "type", fmt.Sprintf("%T", err))
			problems = append(problems, "sms "+reason(err, sms.ErrInvalidMessage))
		}
	}
	return strings.Join(problems, "; ")
}

// reason words a delivery failure without repeating the error's text,
// which may hold anything a transport put there.
func reason(err error, invalidMessage error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "delivery failed: timed out"
	case errors.Is(err, context.Canceled):
		return "delivery failed: cancelled"
	case errors.Is(err, invalidMessage), errors.Is(err, mail.ErrNoTemplate), errors.Is(err, sms.ErrNoTemplate):
		return "delivery failed: invalid message"
	case errors.Is(err, usermgmt.ErrRateLimited):
		return "delivery failed: rate limited"
	}
	return "delivery failed"
}

// recordSends writes the delivery results on the tokens: one more
// send, and SentAt or SendError. A token whose secret was rotated
// meanwhile (a concurrent resend) is left to the newer delivery.
func (s *Service) recordSends(ctx context.Context, items []outgoing, errs []string) {
	now := s.Now()
	ctx = context.WithoutCancel(ctx) // the result must be kept even when the caller gave up
	err := s.store.WithTx(ctx, func(tx usermgmt.Tx) error {
		for i, o := range items {
			cur, err := tx.GetToken(ctx, o.tok.ID)
			if errors.Is(err, usermgmt.ErrNotFound) {
				continue // revoked and deleted, or its user deleted
			}
			if err != nil {
				return err
			}
			if cur.Hash != o.tok.Hash {
				continue
			}
			cur.Sends++
			if errs[i] == "" {
				cur.SentAt, cur.SendError = now, ""
			} else {
				cur.SendError = errs[i]
			}
			if err := tx.UpdateToken(ctx, &cur); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.log.ErrorContext(ctx, "invite: record delivery results", "tokens", len(items), "err", err)
	}
}

// retryGrace is how long a link may wait, written but never sent,
// before RetryFailed counts it as lost (the process stopped between the
// commit and the delivery).
const retryGrace = 5 * time.Minute

// RetryFailed sends again every pending invitation, activation and
// ownership request whose last delivery failed, or that was written
// more than five minutes ago and never sent (the process stopped
// between its commit and its delivery). Each gets a fresh link with a
// full lifetime, as a Resend would. It is a host's maintenance job, to
// run every few minutes; it returns how many links it sent again.
// Deliveries that fail again stay recorded for the next run.
func (s *Service) RetryFailed(ctx context.Context) (int, error) {
	n := 0
	for _, kind := range []usermgmt.TokenKind{usermgmt.TokenInvite, usermgmt.TokenActivation, usermgmt.TokenOwnership} {
		var due []string
		now := s.Now()
		p := usermgmt.Page{Limit: 1000}
		for {
			list, next, err := s.store.ListTokens(ctx, usermgmt.TokenFilter{Kind: kind, Unused: true}, p)
			if err != nil {
				return n, err
			}
			for _, t := range list {
				lost := t.Sends == 0 && t.CreatedAt.Before(now.Add(-retryGrace))
				if !t.Pending(now) || (t.SendError == "" && !lost) {
					continue
				}
				if kind == usermgmt.TokenOwnership && t.UserID == "" {
					continue // a request for nobody is never sent
				}
				due = append(due, t.ID)
			}
			if next == "" {
				break
			}
			p.After = next
		}
		for _, id := range due {
			// An ownership request is not audited in the requesting
			// account: whether it was sent says whether the user exists.
			o, ok, err := s.redeliver(ctx, id, kind != usermgmt.TokenOwnership)
			if errors.Is(err, usermgmt.ErrNotFound) {
				continue // purged or deleted since it was listed
			}
			if err != nil {
				return n, err
			}
			if ok {
				s.deliver(ctx, []outgoing{o})
				n++
			}
		}
	}
	return n, nil
}

// redeliver rotates the secret of a pending token (a new hash, a full
// lifetime, no send error) and returns what to send; with audit it
// records "<kind>.resend" for the system. ok is false when there is
// nothing to send any more: the token is used or expired, or its user
// gone; an unknown id is usermgmt.ErrNotFound.
func (s *Service) redeliver(ctx context.Context, id string, audit bool) (o outgoing, ok bool, err error) {
	err = s.store.WithTx(ctx, func(tx usermgmt.Tx) error {
		ok = false
		t, err := tx.GetToken(ctx, id)
		if err != nil {
			return err
		}
		now := s.Now()
		if !t.Pending(now) {
			return nil
		}
		secret, err := s.rotate(&t, now)
		if err != nil {
			return err
		}
		o, ok, err = s.outgoingFor(ctx, tx, t, secret)
		if err != nil || !ok {
			return err
		}
		if err := tx.UpdateToken(ctx, &t); err != nil {
			return err
		}
		if !audit {
			return nil
		}
		return s.users.Record(ctx, tx, usermgmt.Event{AccountID: t.AccountID, Action: actionPrefix(t.Kind) + ".resend",
			TargetType: targetType(t.Kind), TargetID: t.ID, At: now})
	})
	return o, ok, err
}

// targetType names a token kind in audit events.
func targetType(k usermgmt.TokenKind) string {
	switch k {
	case usermgmt.TokenInvite:
		return "invitation"
	case usermgmt.TokenActivation:
		return "activation"
	}
	return "ownership"
}

// actionPrefix names a token kind in audit actions: "invite",
// "activation", "ownership".
func actionPrefix(k usermgmt.TokenKind) string {
	if k == usermgmt.TokenInvite {
		return "invite"
	}
	return string(k)
}

// outgoingFor builds the delivery of token t with secret, reading what
// the message names through tx. ok is false when there is no one to
// send it to.
func (s *Service) outgoingFor(ctx context.Context, tx usermgmt.Tx, t usermgmt.Token, secret string) (outgoing, bool, error) {
	o := outgoing{tok: t, secret: secret}
	acct, err := tx.GetAccount(ctx, t.AccountID)
	if err != nil {
		return outgoing{}, false, err
	}
	o.account, o.lang, o.sender = acct.Name, acct.Defaults.Language, userName(ctx, tx, t.CreatedBy)
	switch t.Kind {
	case usermgmt.TokenInvite:
		switch _, err := tx.GetUserByEmail(ctx, t.Email); {
		case err == nil:
			return outgoing{}, false, nil // the address has become a user's meanwhile
		case !errors.Is(err, usermgmt.ErrNotFound):
			return outgoing{}, false, err
		}
		o.email = t.Email
		return o, o.email != "", nil
	case usermgmt.TokenActivation:
		var d activationData
		if len(t.Data) > 0 {
			if err := decode(t, &d); err != nil {
				return outgoing{}, false, err
			}
		} else {
			d.Mail = true
		}
		u, err := tx.GetUser(ctx, t.UserID)
		if errors.Is(err, usermgmt.ErrNotFound) ||
			(err == nil && u.Status != usermgmt.StatusPending && u.Status != usermgmt.StatusActive) {
			return outgoing{}, false, nil // gone, or blocked since
		}
		if err != nil {
			return outgoing{}, false, err
		}
		o.name, o.username, o.lang = u.FirstName, u.Username, or(u.Language, o.lang)
		o.active = u.Status == usermgmt.StatusActive
		if d.Mail {
			o.email = u.Email
		}
		if d.SMS && s.sms != nil {
			o.phone = u.MobilePhone
		}
	case usermgmt.TokenOwnership:
		if t.UserID == "" {
			return outgoing{}, false, nil
		}
		u, err := tx.GetUser(ctx, t.UserID)
		if errors.Is(err, usermgmt.ErrNotFound) || (err == nil && (!u.Live() || u.AccountID == t.AccountID)) {
			return outgoing{}, false, nil
		}
		if err != nil {
			return outgoing{}, false, err
		}
		o.name, o.username, o.email, o.lang = u.FirstName, u.Username, u.Email, or(u.Language, o.lang)
		if s.ownSMS {
			o.phone = u.MobilePhone
		}
	default:
		return outgoing{}, false, nil
	}
	return o, o.email != "" || o.phone != "", nil
}
