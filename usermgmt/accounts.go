package usermgmt

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"unicode/utf8"
)

// NewAccount describes a company to create, with its owner.
type NewAccount struct {
	Name      string `json:"name"`
	SeatLimit int    `json:"seat_limit"` // 0 means unlimited
	// TwoFactor turns the SMS PIN on login on or off; nil means on.
	TwoFactor *bool             `json:"two_factor,omitempty"`
	Contact   Contact           `json:"contact"`
	Defaults  Defaults          `json:"defaults"`
	Settings  map[string]string `json:"settings,omitempty"`
	// Owner is the account's creator and first admin. GroupID, Type and
	// Kind are ignored: the owner is a person at the root group.
	Owner NewUser `json:"owner"`
}

// CreateAccount creates an account, its root group (named after the
// account) and its owner, in one transaction. It is a host operation:
// there is no actor yet. The owner is active when a password is given
// and pending otherwise (activate them with package invite).
func (s *Service) CreateAccount(ctx context.Context, in NewAccount) (Account, User, error) {
	now := s.Now()
	ve := &ValidationError{}
	name := strings.TrimSpace(in.Name)
	checkText(ve, "name", name, 1, 200, false)
	if in.SeatLimit < 0 {
		ve.Add("seat_limit", CodeInvalid, "must be 0 (unlimited) or more")
	}
	s.checkContact(ve, &in.Contact)
	s.checkDefaults(ve, &in.Defaults)
	checkSettings(ve, "settings", in.Settings)

	owner := in.Owner.User
	owner.Kind, owner.Type, owner.GroupID = KindPerson, TypeOwner, ""
	applyDefaults(&owner, in.Defaults)
	if err := s.rules.CheckUser(&owner); err != nil {
		mergeValidation(ve, err, "owner.")
	}
	if in.Owner.Password != "" {
		if err := s.rules.CheckPassword(in.Owner.Password, owner.Username); err != nil {
			mergeValidation(ve, err, "owner.")
		}
	}
	if err := ve.Err(); err != nil {
		return Account{}, User{}, err
	}
	hash, err := s.passwordHash(ctx, in.Owner)
	if err != nil {
		return Account{}, User{}, err
	}

	acct := Account{
		ID: s.newID(), Name: name, SeatLimit: in.SeatLimit, TwoFactor: in.TwoFactor == nil || *in.TwoFactor,
		Contact: in.Contact, Defaults: in.Defaults, Settings: maps.Clone(in.Settings),
		CreatedAt: now, UpdatedAt: now,
	}
	root := Group{ID: s.newID(), AccountID: acct.ID, Name: name, CreatedAt: now, UpdatedAt: now}
	owner.ID, owner.AccountID, owner.GroupID = s.newID(), acct.ID, root.ID
	owner.Status = StatusPending
	if hash != "" {
		owner.Status = StatusActive
	}
	owner.CreatedAt, owner.UpdatedAt = now, now
	acct.OwnerID, acct.RootGroupID = owner.ID, root.ID

	err = s.tx(ctx, func(tx Tx) error {
		if err := tx.CreateAccount(ctx, &acct); err != nil {
			return err
		}
		if err := tx.CreateGroup(ctx, &root); err != nil {
			return err
		}
		if err := tx.CreateUser(ctx, &owner); err != nil {
			return err
		}
		if hash != "" {
			if err := tx.SetPassword(ctx, owner.ID, hash, now); err != nil {
				return err
			}
		}
		if err := s.Record(ctx, tx, Event{AccountID: acct.ID, Action: "account.create", TargetType: "account", TargetID: acct.ID, At: now}); err != nil {
			return err
		}
		if err := s.Record(ctx, tx, Event{AccountID: acct.ID, Action: "user.create", TargetType: "user", TargetID: owner.ID, At: now}); err != nil {
			return err
		}
		var err error
		acct, err = tx.GetAccount(ctx, acct.ID)
		return err
	})
	if err != nil {
		return Account{}, User{}, fmt.Errorf("create account: %w", err)
	}
	return acct, owner, nil
}

// GetAccount returns the actor's own account. Every active user may read it.
func (s *Service) GetAccount(ctx context.Context, actor string) (Account, error) {
	var out Account
	err := s.Run(ctx, actor, "account.get", func(tx Tx, a *Actor) error {
		out = a.Account
		return nil
	})
	return out, err
}

// AccountUpdate changes an account's settings; nil fields stay as they
// are.
type AccountUpdate struct {
	Name      *string            `json:"name,omitempty"`
	TwoFactor *bool              `json:"two_factor,omitempty"`
	Contact   *Contact           `json:"contact,omitempty"`
	Defaults  *Defaults          `json:"defaults,omitempty"`
	Settings  *map[string]string `json:"settings,omitempty"` // replaces the whole map
	// Version, when not 0, must equal the stored version.
	Version int64 `json:"version,omitempty"`
}

// UpdateAccount changes the actor's account. It needs PermSettings over
// the whole account (a grant on the root group).
func (s *Service) UpdateAccount(ctx context.Context, actor string, in AccountUpdate) (Account, error) {
	var out Account
	err := s.Run(ctx, actor, "account.update", func(tx Tx, a *Actor) error {
		if !a.CanAccount(PermSettings) {
			return Refusal(forbidden("missing permission settings on the account"), "account", a.Account.ID)
		}
		acct := a.Account
		if in.Version != 0 && in.Version != acct.Version {
			return &ConflictError{Field: "version"}
		}
		ve := &ValidationError{}
		var fields []string
		if in.Name != nil {
			name := strings.TrimSpace(*in.Name)
			checkText(ve, "name", name, 1, 200, false)
			acct.Name, fields = name, append(fields, "name")
		}
		if in.TwoFactor != nil {
			acct.TwoFactor, fields = *in.TwoFactor, append(fields, "two_factor")
		}
		if in.Contact != nil {
			c := *in.Contact
			s.checkContact(ve, &c)
			acct.Contact, fields = c, append(fields, "contact")
		}
		if in.Defaults != nil {
			d := *in.Defaults
			s.checkDefaults(ve, &d)
			acct.Defaults, fields = d, append(fields, "defaults")
		}
		if in.Settings != nil {
			checkSettings(ve, "settings", *in.Settings)
			acct.Settings, fields = maps.Clone(*in.Settings), append(fields, "settings")
		}
		if err := ve.Err(); err != nil {
			return err
		}
		acct.UpdatedAt = s.Now()
		if err := tx.UpdateAccount(ctx, &acct); err != nil {
			return err
		}
		out = acct
		return s.Record(ctx, tx, Event{AccountID: acct.ID, ActorID: a.User.ID, Action: "account.update",
			TargetType: "account", TargetID: acct.ID, Fields: fields})
	})
	return out, err
}

// SetSeatLimit sets the number of licensed seats of an account (0 for
// unlimited). It is a host operation, for the provider's billing, not
// an admin's: no actor. Lowering the limit below the seats in use
// blocks new users only.
func (s *Service) SetSeatLimit(ctx context.Context, accountID string, limit int) (Account, error) {
	if limit < 0 {
		ve := &ValidationError{}
		ve.Add("seat_limit", CodeInvalid, "must be 0 (unlimited) or more")
		return Account{}, ve
	}
	var out Account
	err := s.tx(ctx, func(tx Tx) error {
		acct, err := tx.GetAccount(ctx, accountID)
		if err != nil {
			return err
		}
		acct.SeatLimit, acct.UpdatedAt = limit, s.Now()
		if err := tx.UpdateAccount(ctx, &acct); err != nil {
			return err
		}
		out = acct
		return s.Record(ctx, tx, Event{AccountID: acct.ID, Action: "account.seat_limit",
			TargetType: "account", TargetID: acct.ID, Fields: []string{"seat_limit"}})
	})
	return out, err
}

// CountUsers counts the account's live users by status and service
// level, against the seat limit (seed: "You have XX registered users").
// Any admin may read it.
func (s *Service) CountUsers(ctx context.Context, actor string) (UserCounts, error) {
	var out UserCounts
	err := s.Run(ctx, actor, "user.count", func(tx Tx, a *Actor) error {
		if !a.IsAdmin() {
			return Refusal(forbidden("not an admin"), "account", a.Account.ID)
		}
		var err error
		out, err = tx.CountUsers(ctx, a.Account.ID)
		return err
	})
	return out, err
}

// EffectiveSettings returns a user's settings: the account's, overridden
// by the user's own.
func (s *Service) EffectiveSettings(ctx context.Context, actor, userID string) (map[string]string, error) {
	var out map[string]string
	err := s.Run(ctx, actor, "user.settings", func(tx Tx, a *Actor) error {
		u := a.User
		if userID != a.User.ID {
			var err error
			if u, err = a.TargetUser(ctx, tx, "", userID); err != nil {
				return err
			}
		}
		out = Effective(a.Account, u)
		return nil
	})
	return out, err
}

// Effective merges an account's settings with a user's overrides.
func Effective(a Account, u User) map[string]string {
	out := make(map[string]string, len(a.Settings)+len(u.Settings))
	maps.Copy(out, a.Settings)
	maps.Copy(out, u.Settings)
	return out
}

func (s *Service) checkContact(ve *ValidationError, c *Contact) {
	c.Name = strings.TrimSpace(c.Name)
	checkText(ve, "contact.name", c.Name, 0, 200, false)
	if c.Email != "" {
		if e, err := CheckEmail(c.Email); err != nil {
			addRule(ve, "contact.email", err)
		} else {
			c.Email = e
		}
	}
	if c.Phone != "" {
		if p, err := CheckPhone(c.Phone, s.rules.DefaultRegion); err != nil {
			addRule(ve, "contact.phone", err)
		} else {
			c.Phone = p
		}
	}
}

func (s *Service) checkDefaults(ve *ValidationError, d *Defaults) {
	if d.Country != "" {
		if v, err := CheckCountry(d.Country); err != nil {
			addRule(ve, "defaults.country", err)
		} else {
			d.Country = v
		}
	}
	if d.Language != "" {
		if v, err := CheckLanguage(d.Language); err != nil {
			addRule(ve, "defaults.language", err)
		} else {
			d.Language = v
		}
	}
	if d.TimeZone != "" {
		if v, err := CheckTimeZone(d.TimeZone); err != nil {
			addRule(ve, "defaults.time_zone", err)
		} else {
			d.TimeZone = v
		}
	}
	if d.ServiceLevel != "" && !d.ServiceLevel.Valid() {
		ve.Add("defaults.service_level", CodeInvalid, "must be archive or pro")
	}
}

// checkSettings bounds a free settings map.
func checkSettings(ve *ValidationError, field string, m map[string]string) {
	if len(m) > 200 {
		ve.Add(field, CodeTooLong, "at most 200 settings")
		return
	}
	for k, v := range m {
		if k == "" || len(k) > 100 || !utf8.ValidString(k) || hasControl(k) {
			ve.Add(field, CodeInvalid, "setting names are 1 to 100 printable characters")
			return
		}
		if len(v) > 4000 || !utf8.ValidString(v) {
			ve.Add(field, CodeTooLong, "setting values are at most 4000 bytes of text")
			return
		}
	}
}

// checkText checks a free-text field: valid UTF-8, between min and max
// runes, no control characters unless multiline allows newlines and tabs.
func checkText(ve *ValidationError, field, v string, minRunes, maxRunes int, multiline bool) {
	n := utf8.RuneCountInString(v)
	switch {
	case !utf8.ValidString(v):
		ve.Add(field, CodeInvalid, "must be valid UTF-8 text")
	case n < minRunes && n == 0:
		ve.Add(field, CodeRequired, "is required")
	case n < minRunes:
		ve.Add(field, CodeTooShort, fmt.Sprintf("must be at least %d characters", minRunes))
	case n > maxRunes:
		ve.Add(field, CodeTooLong, fmt.Sprintf("must be at most %d characters", maxRunes))
	case multiline && strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\r' && r != '\t' || r == 0x7f }):
		ve.Add(field, CodeChars, "must not contain control characters")
	case !multiline && hasControl(v):
		ve.Add(field, CodeChars, "must not contain control characters")
	}
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || (r >= 0x7f && r < 0xa0) })
}

// addRule records a rule's error on a field.
func addRule(ve *ValidationError, field string, err error) {
	if re, ok := err.(*RuleError); ok {
		ve.Add(field, re.Code, re.Message)
		return
	}
	ve.Add(field, CodeInvalid, err.Error())
}

// mergeValidation copies the field errors of err into ve, prefixing
// their field names.
func mergeValidation(ve *ValidationError, err error, prefix string) {
	if v, ok := err.(*ValidationError); ok {
		for _, f := range v.Fields {
			ve.Add(prefix+f.Field, f.Code, f.Message)
		}
		return
	}
	ve.Add(strings.TrimSuffix(prefix, "."), CodeInvalid, err.Error())
}

// applyDefaults fills a new user's empty fields from the account.
func applyDefaults(u *User, d Defaults) {
	if u.Country == "" {
		u.Country = d.Country
	}
	if u.Language == "" {
		u.Language = d.Language
	}
	if u.TimeZone == "" {
		u.TimeZone = d.TimeZone
	}
	if u.ServiceLevel == "" {
		u.ServiceLevel = d.ServiceLevel
	}
	if u.ServiceLevel == "" {
		u.ServiceLevel = LevelArchive
	}
}
