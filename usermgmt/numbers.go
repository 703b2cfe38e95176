package usermgmt

import (
	"context"
	"strings"
	"time"
)

// AddNumber adds an SMS number to the actor's account, unassigned. It
// needs PermNumbers over the whole account. The number must be a valid
// E.164 number (national numbers are read in the default region) and
// free system-wide.
func (s *Service) AddNumber(ctx context.Context, actor, number, label string) (Number, error) {
	e164, err := CheckPhone(number, s.rules.DefaultRegion)
	ve := &ValidationError{}
	if err != nil {
		addRule(ve, "number", err)
	}
	label = strings.TrimSpace(label)
	checkText(ve, "label", label, 0, 100, false)
	if err := ve.Err(); err != nil {
		return Number{}, err
	}
	var out Number
	err = s.Run(ctx, actor, "number.add", func(tx Tx, a *Actor) error {
		if !a.CanAccount(PermNumbers) {
			return Refusal(forbidden("missing permission numbers on the account"), "account", a.Account.ID)
		}
		n := Number{E164: e164, AccountID: a.Account.ID, Label: label, CreatedAt: s.Now()}
		if err := tx.CreateNumber(ctx, &n); err != nil {
			return err
		}
		out = n
		return s.Record(ctx, tx, Event{AccountID: n.AccountID, ActorID: a.User.ID, Action: "number.add",
			TargetType: "number", TargetID: n.E164})
	})
	return out, err
}

// number loads one of the actor's account's numbers.
func (a *Actor) number(ctx context.Context, tx Tx, e164 string) (Number, error) {
	n, err := tx.GetNumber(ctx, e164)
	if err != nil && !isNotFound(err) {
		return Number{}, err
	}
	if err != nil || n.AccountID != a.Account.ID {
		return Number{}, Refusal(ErrHidden, "number", e164)
	}
	return n, nil
}

// RemoveNumber removes a number from the account. It needs PermNumbers
// over the whole account. A user whose default number it was is left
// without a default.
func (s *Service) RemoveNumber(ctx context.Context, actor, e164 string) error {
	return s.Run(ctx, actor, "number.remove", func(tx Tx, a *Actor) error {
		if !a.CanAccount(PermNumbers) {
			return Refusal(forbidden("missing permission numbers on the account"), "account", a.Account.ID)
		}
		n, err := a.number(ctx, tx, e164)
		if err != nil {
			return err
		}
		if err := s.clearDefault(ctx, tx, n); err != nil {
			return err
		}
		if err := tx.DeleteNumber(ctx, e164); err != nil {
			return err
		}
		return s.Record(ctx, tx, Event{AccountID: n.AccountID, ActorID: a.User.ID, Action: "number.remove",
			TargetType: "number", TargetID: n.E164})
	})
}

// clearDefault unsets n as its user's default number.
func (s *Service) clearDefault(ctx context.Context, tx Tx, n Number) error {
	if n.UserID == "" {
		return nil
	}
	u, err := tx.GetUser(ctx, n.UserID)
	if err != nil || u.DefaultNumber != n.E164 {
		return nil
	}
	u.DefaultNumber, u.UpdatedAt = "", s.Now()
	return tx.UpdateUser(ctx, &u)
}

// AssignNumber gives a number of the account to a user, or with userID
// "" takes it back. It needs PermNumbers over the user, and over the
// user who holds the number now, if any. A user's first number becomes
// its default (seed 001: "Default Number").
func (s *Service) AssignNumber(ctx context.Context, actor, e164, userID string) (Number, error) {
	var out Number
	err := s.Run(ctx, actor, "number.assign", func(tx Tx, a *Actor) error {
		n, err := a.number(ctx, tx, e164)
		if err != nil {
			return err
		}
		if n.UserID != "" {
			if _, err := a.TargetUser(ctx, tx, PermNumbers, n.UserID); err != nil {
				return err
			}
		} else if userID == "" || !a.CanAccount(PermNumbers) {
			// An unassigned number belongs to the account as a whole.
			if userID == "" {
				out = n
				return nil
			}
			if !a.CanAccount(PermNumbers) {
				return Refusal(forbidden("missing permission numbers on the account"), "number", e164)
			}
		}
		var u User
		if userID != "" {
			if u, err = a.TargetUser(ctx, tx, PermNumbers, userID); err != nil {
				return err
			}
		}
		if n.UserID == userID {
			out = n
			return nil
		}
		if err := s.clearDefault(ctx, tx, n); err != nil {
			return err
		}
		if err := tx.AssignNumber(ctx, e164, userID); err != nil {
			return err
		}
		if userID != "" && u.DefaultNumber == "" {
			u.DefaultNumber, u.UpdatedAt = e164, s.Now()
			if err := tx.UpdateUser(ctx, &u); err != nil {
				return err
			}
		}
		n.UserID = userID
		out = n
		return s.Record(ctx, tx, Event{AccountID: n.AccountID, ActorID: a.User.ID, Action: "number.assign",
			TargetType: "number", TargetID: n.E164, Fields: []string{"user_id"}})
	})
	return out, err
}

// ListNumbers lists the account's numbers (userID "") or a user's. The
// account's list needs PermNumbers over the account; a user's needs
// the actor to see the user.
func (s *Service) ListNumbers(ctx context.Context, actor, userID string) ([]Number, error) {
	var out []Number
	err := s.Run(ctx, actor, "number.list", func(tx Tx, a *Actor) error {
		switch {
		case userID == "" && !a.CanAccount(PermNumbers):
			return Refusal(forbidden("missing permission numbers on the account"), "account", a.Account.ID)
		case userID != "" && userID != a.User.ID:
			if _, err := a.TargetUser(ctx, tx, "", userID); err != nil {
				return err
			}
		}
		var err error
		out, err = tx.ListNumbers(ctx, NumberFilter{AccountID: a.Account.ID, UserID: userID})
		return err
	})
	return out, err
}

// AddAlias lets an external e-mail address use the services through a
// user (seed 003, "Email Alias"). It needs PermUsers over the user. An
// alias is unique system-wide.
func (s *Service) AddAlias(ctx context.Context, actor, userID, address string) (Alias, error) {
	addr, err := CheckEmail(address)
	if err != nil {
		ve := &ValidationError{}
		addRule(ve, "address", err)
		return Alias{}, ve
	}
	var out Alias
	err = s.Run(ctx, actor, "alias.add", func(tx Tx, a *Actor) error {
		u, err := a.TargetUser(ctx, tx, PermUsers, userID)
		if err != nil {
			return err
		}
		al := Alias{Address: addr, UserID: u.ID, AccountID: u.AccountID, CreatedAt: s.Now()}
		if err := tx.CreateAlias(ctx, &al); err != nil {
			return err
		}
		out = al
		return s.Record(ctx, tx, Event{AccountID: u.AccountID, ActorID: a.User.ID, Action: "alias.add",
			TargetType: "user", TargetID: u.ID, Fields: []string{"aliases"}})
	})
	return out, err
}

// RemoveAlias removes an alias. It needs PermUsers over its user.
func (s *Service) RemoveAlias(ctx context.Context, actor, address string) error {
	return s.Run(ctx, actor, "alias.remove", func(tx Tx, a *Actor) error {
		al, err := tx.GetAlias(ctx, address)
		if err != nil && !isNotFound(err) {
			return err
		}
		if err != nil || al.AccountID != a.Account.ID {
			return Refusal(ErrHidden, "alias", "")
		}
		if _, err := a.TargetUser(ctx, tx, PermUsers, al.UserID); err != nil {
			return err
		}
		if err := tx.DeleteAlias(ctx, al.Address); err != nil {
			return err
		}
		return s.Record(ctx, tx, Event{AccountID: al.AccountID, ActorID: a.User.ID, Action: "alias.remove",
			TargetType: "user", TargetID: al.UserID, Fields: []string{"aliases"}})
	})
}

// ListAliases lists a user's aliases. The actor must see the user.
func (s *Service) ListAliases(ctx context.Context, actor, userID string) ([]Alias, error) {
	var out []Alias
	err := s.Run(ctx, actor, "alias.list", func(tx Tx, a *Actor) error {
		if userID != a.User.ID {
			if _, err := a.TargetUser(ctx, tx, "", userID); err != nil {
				return err
			}
		}
		var err error
		out, err = tx.ListAliases(ctx, userID)
		return err
	})
	return out, err
}

// ResolveAddress finds the active user an e-mail address belongs to: the
// user whose address it is, or whose alias. It is a host operation (a
// mail-to-SMS gateway deciding who sends), with no actor.
func (s *Service) ResolveAddress(ctx context.Context, address string) (User, error) {
	u, err := s.store.GetUserByEmail(ctx, address)
	if isNotFound(err) {
		var al Alias
		if al, err = s.store.GetAlias(ctx, address); err == nil {
			u, err = s.store.GetUser(ctx, al.UserID)
		}
	}
	if err != nil {
		return User{}, err
	}
	if s.EffectiveStatus(u) != StatusActive {
		return User{}, ErrNotFound
	}
	return u, nil
}

// EventQuery filters ListEvents.
type EventQuery struct {
	// UserID selects one user's log (seed 003, "Logs"): events whose
	// actor or target is the user.
	UserID string    `json:"user_id,omitempty"`
	Action string    `json:"action,omitempty"`
	Since  time.Time `json:"since,omitzero"`
	Until  time.Time `json:"until,omitzero"`
}

// ListEvents reads the audit log, newest first. One user's log needs the
// actor to see the user (any permission); the whole account's needs
// PermReports over the account.
func (s *Service) ListEvents(ctx context.Context, actor string, q EventQuery, p Page) ([]Event, string, error) {
	var out []Event
	var next string
	err := s.Run(ctx, actor, "event.list", func(tx Tx, a *Actor) error {
		switch {
		case q.UserID == "":
			if !a.CanAccount(PermReports) {
				return Refusal(forbidden("missing permission reports on the account"), "account", a.Account.ID)
			}
		case q.UserID != a.User.ID && !a.CanAccount(PermReports):
			if _, err := a.TargetUser(ctx, tx, "", q.UserID); err != nil {
				return err
			}
		}
		var err error
		out, next, err = tx.ListEvents(ctx, EventFilter{AccountID: a.Account.ID, UserID: q.UserID,
			Action: q.Action, Since: q.Since, Until: q.Until}, p)
		return err
	})
	return out, next, err
}
