package usermgmt

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// NewUser describes a user to create. Of the embedded User only the
// fields an admin fills in are read: GroupID, Kind, Type, the names and
// contact fields, Company, CustomerCode, UDID, TimeZone, Language,
// Country, FriendlyName, Notes, ServiceLevel, Services, AddressBook and
// Settings. ID, AccountID, Status, DefaultNumber, times and Version are
// set by the service.
type NewUser struct {
	User
	// Password, when set, is checked against the password policy and
	// hashed; the user is then active. Without a password (and without
	// PasswordHash) a person is created pending, waiting for activation.
	Password string `json:"password,omitempty"`
	// PasswordHash is an already-hashed password (a migration from
	// another system); it is stored as is and upgraded at the next login.
	// It is never accepted together with Password.
	PasswordHash string `json:"-"`
}

func (s *Service) passwordHash(ctx context.Context, in NewUser) (string, error) {
	switch {
	case in.Password != "" && in.PasswordHash != "":
		ve := &ValidationError{}
		ve.Add("password", CodeInvalid, "give a password or a password hash, not both")
		return "", ve
	case in.PasswordHash != "":
		return in.PasswordHash, nil
	case in.Password == "":
		return "", nil
	case s.hasher == nil:
		return "", errors.New("usermgmt: no Config.Hasher to hash the password (try auth.NewHasher)")
	}
	return s.hasher.Hash(ctx, in.Password)
}

// PrepareUser validates and normalises a new user for the actor's
// account without writing anything: account defaults fill empty fields,
// Kind defaults to person and Type to end user, and every failing field
// is reported in one *ValidationError. The importer calls it per row.
func (s *Service) PrepareUser(a *Actor, in NewUser) (User, error) {
	u := in.User
	if u.Kind == "" {
		u.Kind = KindPerson
	}
	if u.Type == "" {
		u.Type = TypeEndUser
	}
	if u.GroupID == "" {
		u.GroupID = a.Account.RootGroupID
	}
	u.ID, u.AccountID, u.Status, u.DefaultNumber = "", a.Account.ID, "", ""
	u.LastLoginAt, u.DeletedAt, u.SuspendedUntil, u.Version = time.Time{}, time.Time{}, time.Time{}, 0
	applyDefaults(&u, a.Account.Defaults)
	ve := &ValidationError{}
	if u.Type == TypeOwner {
		ve.Add("type", CodeInvalid, "an account has one owner, set when it is created")
	}
	if err := s.rules.CheckUser(&u); err != nil {
		mergeValidation(ve, err, "")
	}
	if in.Password != "" {
		if err := s.rules.CheckPassword(in.Password, u.Username); err != nil {
			mergeValidation(ve, err, "")
		}
	}
	return u, ve.Err()
}

// CreateUser creates a user in the actor's account. It needs PermUsers
// over the target group (the root group when GroupID is empty). The
// user takes a seat: ErrSeatLimit when none is left. Username, e-mail
// and mobile phone must be free system-wide (*ConflictError names the
// field). A person without a password is created pending.
func (s *Service) CreateUser(ctx context.Context, actor string, in NewUser) (User, error) {
	// Authorize before the costly hash, so a caller without the right
	// cannot make the host spend a hash.
	a, err := s.LoadActor(ctx, s.store, actor)
	if err != nil {
		return User{}, s.Run(ctx, actor, "user.create", func(Tx, *Actor) error { return err })
	}
	u, err := s.PrepareUser(a, in)
	if err != nil {
		return User{}, err
	}
	if _, err := a.TargetGroup(PermUsers, u.GroupID); err != nil {
		var r *refusal
		errors.As(err, &r)
		return User{}, s.Refuse(ctx, a.Account.ID, actor, "user.create", r.targetType, r.targetID, r.err)
	}
	hash, err := s.passwordHash(ctx, in)
	if err != nil {
		return User{}, err
	}
	err = s.Run(ctx, actor, "user.create", func(tx Tx, a *Actor) error {
		u, err = s.CreateUserTx(ctx, tx, a, u, hash)
		return err
	})
	return u, err
}

// CreateUserTx writes a user prepared by PrepareUser within tx, with an
// optional password hash, and records the event. It checks the actor's
// PermUsers over the user's group. A person without a hash is pending;
// everyone else is active. Packages that create users in bulk
// (importer) or on acceptance (invite) build on it.
func (s *Service) CreateUserTx(ctx context.Context, tx Tx, a *Actor, u User, passwordHash string) (User, error) {
	if _, err := a.TargetGroup(PermUsers, u.GroupID); err != nil {
		return User{}, err
	}
	return s.InsertUser(ctx, tx, a.User.ID, u, passwordHash, "user.create")
}

// InsertUser writes a validated user without an authorization check and
// records action for actorID (which may be empty for the system). It is
// for flows that are authorized by a token instead of an actor, such as
// accepting an invitation. Most callers want CreateUser.
func (s *Service) InsertUser(ctx context.Context, tx Tx, actorID string, u User, passwordHash, action string) (User, error) {
	now := s.Now()
	u.ID = s.newID()
	u.Status = StatusPending
	if passwordHash != "" || u.Kind == KindSystem {
		u.Status = StatusActive
	}
	u.CreatedAt, u.UpdatedAt = now, now
	if err := tx.CreateUser(ctx, &u); err != nil {
		return User{}, err
	}
	if passwordHash != "" {
		if err := tx.SetPassword(ctx, u.ID, passwordHash, now); err != nil {
			return User{}, err
		}
	}
	err := s.Record(ctx, tx, Event{AccountID: u.AccountID, ActorID: actorID, Action: action,
		TargetType: "user", TargetID: u.ID, At: now})
	return u, err
}

// GetUser returns a user the actor may see (any grant covering it).
// A user outside the actor's scope is ErrHidden, as if missing.
func (s *Service) GetUser(ctx context.Context, actor, id string) (User, error) {
	var out User
	err := s.Run(ctx, actor, "user.get", func(tx Tx, a *Actor) error {
		if id == a.User.ID {
			out = a.User
			return nil
		}
		var err error
		out, err = a.TargetUser(ctx, tx, "", id)
		return err
	})
	return out, err
}

// UserUpdate changes a user; nil fields stay as they are. The username
// cannot change (seed 001: "it cannot be changed later").
type UserUpdate struct {
	FirstName     *string            `json:"first_name,omitempty"`
	LastName      *string            `json:"last_name,omitempty"`
	Email         *string            `json:"email,omitempty"`
	MobilePhone   *string            `json:"mobile_phone,omitempty"`
	BusinessPhone *string            `json:"business_phone,omitempty"`
	Company       *string            `json:"company,omitempty"`
	CustomerCode  *string            `json:"customer_code,omitempty"`
	UDID          *string            `json:"udid,omitempty"`
	TimeZone      *string            `json:"time_zone,omitempty"`
	Language      *string            `json:"language,omitempty"`
	Country       *string            `json:"country,omitempty"`
	FriendlyName  *string            `json:"friendly_name,omitempty"`
	Notes         *string            `json:"notes,omitempty"`
	ServiceLevel  *ServiceLevel      `json:"service_level,omitempty"`
	Services      *[]Channel         `json:"services,omitempty"`
	AddressBook   *bool              `json:"address_book,omitempty"`
	Settings      *map[string]string `json:"settings,omitempty"` // replaces the whole map
	// Type changes admin ↔ end user. Demoting an admin removes every
	// grant it holds; the owner's type never changes.
	Type *UserType `json:"type,omitempty"`
	// DefaultNumber must be one of the user's numbers, or "" to clear.
	DefaultNumber *string `json:"default_number,omitempty"`
	// Version, when not 0, must equal the stored version
	// (optimistic concurrency for edit forms).
	Version int64 `json:"version,omitempty"`
}

// UpdateUser edits a user. It needs PermUsers over the user; an admin
// can be edited only by an actor who holds everything the admin holds,
// and the owner only by the owner.
func (s *Service) UpdateUser(ctx context.Context, actor, id string, in UserUpdate) (User, error) {
	var out User
	err := s.Run(ctx, actor, "user.update", func(tx Tx, a *Actor) error {
		var u User
		var err error
		if id == a.User.ID && a.IsOwner() {
			u = a.User
		} else if u, err = a.TargetUser(ctx, tx, PermUsers, id); err != nil {
			return err
		}
		if ok, err := a.dominates(ctx, tx, u); err != nil {
			return err
		} else if !ok {
			return Refusal(forbidden("the user holds access the actor does not"), "user", id)
		}
		if in.Version != 0 && in.Version != u.Version {
			return &ConflictError{Field: "version"}
		}
		before := u
		fields := applyUpdate(&u, in)
		ve := &ValidationError{}
		if in.Type != nil && *in.Type != before.Type {
			switch {
			case before.Type == TypeOwner || *in.Type == TypeOwner:
				ve.Add("type", CodeImmutable, "the owner's type cannot change, and nobody else becomes owner")
			case *in.Type == TypeEndUser && id == a.User.ID:
				return Refusal(forbidden("an admin cannot demote themselves"), "user", id)
			}
		}
		if err := s.rules.CheckUser(&u); err != nil {
			mergeValidation(ve, err, "")
		}
		if in.DefaultNumber != nil && u.DefaultNumber != "" {
			n, err := tx.GetNumber(ctx, u.DefaultNumber)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			if err != nil || n.UserID != u.ID {
				ve.Add("default_number", CodeInvalid, "must be one of the user's numbers")
			}
		}
		if err := ve.Err(); err != nil {
			return err
		}
		if len(fields) == 0 {
			out = u
			return nil
		}
		u.UpdatedAt = s.Now()
		if err := tx.UpdateUser(ctx, &u); err != nil {
			return err
		}
		if before.Type == TypeAdmin && u.Type == TypeEndUser {
			if err := s.dropGrants(ctx, tx, u.ID); err != nil {
				return err
			}
		}
		out = u
		return s.Record(ctx, tx, Event{AccountID: u.AccountID, ActorID: a.User.ID, Action: "user.update",
			TargetType: "user", TargetID: u.ID, Fields: fields})
	})
	return out, err
}

// applyUpdate copies the set fields of in onto u and returns the names of
// the fields whose value changed.
func applyUpdate(u *User, in UserUpdate) []string {
	var fields []string
	str := func(name string, dst *string, src *string) {
		if src != nil && *src != *dst {
			*dst = *src
			fields = append(fields, name)
		}
	}
	str("first_name", &u.FirstName, in.FirstName)
	str("last_name", &u.LastName, in.LastName)
	str("email", &u.Email, in.Email)
	str("mobile_phone", &u.MobilePhone, in.MobilePhone)
	str("business_phone", &u.BusinessPhone, in.BusinessPhone)
	str("company", &u.Company, in.Company)
	str("customer_code", &u.CustomerCode, in.CustomerCode)
	str("udid", &u.UDID, in.UDID)
	str("time_zone", &u.TimeZone, in.TimeZone)
	str("language", &u.Language, in.Language)
	str("country", &u.Country, in.Country)
	str("friendly_name", &u.FriendlyName, in.FriendlyName)
	str("notes", &u.Notes, in.Notes)
	str("default_number", &u.DefaultNumber, in.DefaultNumber)
	if in.ServiceLevel != nil && *in.ServiceLevel != u.ServiceLevel {
		u.ServiceLevel, fields = *in.ServiceLevel, append(fields, "service_level")
	}
	if in.Services != nil && !slices.Equal(*in.Services, u.Services) {
		u.Services, fields = slices.Clone(*in.Services), append(fields, "services")
	}
	if in.AddressBook != nil && *in.AddressBook != u.AddressBook {
		u.AddressBook, fields = *in.AddressBook, append(fields, "address_book")
	}
	if in.Settings != nil && !maps.Equal(*in.Settings, u.Settings) {
		u.Settings, fields = maps.Clone(*in.Settings), append(fields, "settings")
	}
	if in.Type != nil && *in.Type != u.Type {
		u.Type, fields = *in.Type, append(fields, "type")
	}
	return fields
}

// dropGrants removes every grant a user holds.
func (s *Service) dropGrants(ctx context.Context, tx Tx, userID string) error {
	grants, err := tx.ListGrants(ctx, userID)
	if err != nil {
		return err
	}
	for _, g := range grants {
		if err := tx.DeleteGrant(ctx, g.ID); err != nil {
			return err
		}
	}
	return nil
}

// MoveUser places a user in another group of the account. It needs
// PermUsers over the user and over the target group.
func (s *Service) MoveUser(ctx context.Context, actor, id, groupID string) (User, error) {
	var out User
	err := s.Run(ctx, actor, "user.move", func(tx Tx, a *Actor) error {
		u, err := a.TargetUser(ctx, tx, PermUsers, id)
		if err != nil {
			return err
		}
		if _, err := a.TargetGroup(PermUsers, groupID); err != nil {
			return err
		}
		if ok, err := a.dominates(ctx, tx, u); err != nil {
			return err
		} else if !ok {
			return Refusal(forbidden("the user holds access the actor does not"), "user", id)
		}
		if u.GroupID == groupID {
			out = u
			return nil
		}
		u.GroupID, u.UpdatedAt = groupID, s.Now()
		if err := tx.UpdateUser(ctx, &u); err != nil {
			return err
		}
		out = u
		return s.Record(ctx, tx, Event{AccountID: u.AccountID, ActorID: a.User.ID, Action: "user.move",
			TargetType: "user", TargetID: u.ID, Fields: []string{"group_id"}})
	})
	return out, err
}

// UserQuery filters ListUsers. Every set field narrows the result.
type UserQuery struct {
	Group        string       `json:"group,omitempty"` // this group's subtree
	Statuses     []Status     `json:"statuses,omitempty"`
	ServiceLevel ServiceLevel `json:"service_level,omitempty"`
	Type         UserType     `json:"type,omitempty"`
	Kind         Kind         `json:"kind,omitempty"`
	// Query matches a part of the first or last name, username, e-mail or
	// mobile phone, case-insensitively.
	Query string `json:"q,omitempty"`
}

// ListUsers lists the live users the actor may see, ordered by
// username, a page at a time. Any admin may list; each sees only their
// scope.
func (s *Service) ListUsers(ctx context.Context, actor string, q UserQuery, p Page) ([]User, string, error) {
	var out []User
	var next string
	err := s.Run(ctx, actor, "user.list", func(tx Tx, a *Actor) error {
		if !a.IsAdmin() {
			return Refusal(forbidden("not an admin"), "account", a.Account.ID)
		}
		if q.Group != "" && !a.SeesGroup(q.Group) {
			return Refusal(ErrHidden, "group", q.Group)
		}
		if len(q.Query) > 200 {
			ve := &ValidationError{}
			ve.Add("q", CodeTooLong, "must be at most 200 bytes")
			return ve
		}
		var err error
		out, next, err = tx.ListUsers(ctx, UserFilter{
			AccountID: a.Account.ID, Group: q.Group, Within: a.Visibility(), Statuses: q.Statuses,
			ServiceLevel: q.ServiceLevel, Type: q.Type, Kind: q.Kind, Query: q.Query,
		}, p)
		return err
	})
	return out, next, err
}

// AddressBookEntry is what the global address book shows of a user.
type AddressBookEntry struct {
	ID            string `json:"id"`
	FirstName     string `json:"first_name"`
	LastName      string `json:"last_name"`
	Email         string `json:"email"`
	MobilePhone   string `json:"mobile_phone,omitempty"`
	BusinessPhone string `json:"business_phone,omitempty"`
	Company       string `json:"company,omitempty"`
}

// AddressBook lists the account's users who chose to be in the global
// address book (seed 002). Every active user of the account may read it.
func (s *Service) AddressBook(ctx context.Context, actor string, p Page) ([]AddressBookEntry, string, error) {
	var out []AddressBookEntry
	var next string
	err := s.Run(ctx, actor, "user.address_book", func(tx Tx, a *Actor) error {
		users, n, err := tx.ListUsers(ctx, UserFilter{AccountID: a.Account.ID, AddressBook: true,
			Statuses: []Status{StatusActive}}, p)
		if err != nil {
			return err
		}
		next = n
		out = make([]AddressBookEntry, len(users))
		for i, u := range users {
			out[i] = AddressBookEntry{ID: u.ID, FirstName: u.FirstName, LastName: u.LastName, Email: u.Email,
				MobilePhone: u.MobilePhone, BusinessPhone: u.BusinessPhone, Company: u.Company}
		}
		return nil
	})
	return out, next, err
}

// Suspend blocks a user temporarily (seed 000: "leaving it active and
// registered"): the user keeps the seat and its data, cannot log in, and
// every session ends at once. A non-zero until ends the suspension by
// itself at that time.
func (s *Service) Suspend(ctx context.Context, actor, id string, until time.Time) (User, error) {
	if !until.IsZero() {
		until = until.UTC().Truncate(time.Microsecond)
		if !until.After(s.Now()) {
			ve := &ValidationError{}
			ve.Add("suspended_until", CodeInvalid, "must be in the future")
			return User{}, ve
		}
	}
	return s.setStatus(ctx, actor, id, "user.suspend", StatusSuspended, until, StatusActive, StatusSuspended)
}

// Unsuspend lifts a suspension.
func (s *Service) Unsuspend(ctx context.Context, actor, id string) (User, error) {
	return s.setStatus(ctx, actor, id, "user.unsuspend", StatusActive, time.Time{}, StatusSuspended)
}

// Disable blocks an active user until enabled again (seed 001's Active
// / Disabled status); every session ends at once.
func (s *Service) Disable(ctx context.Context, actor, id string) (User, error) {
	return s.setStatus(ctx, actor, id, "user.disable", StatusDisabled, time.Time{}, StatusActive)
}

// Enable makes a disabled user active again.
func (s *Service) Enable(ctx context.Context, actor, id string) (User, error) {
	return s.setStatus(ctx, actor, id, "user.enable", StatusActive, time.Time{}, StatusDisabled)
}

func (s *Service) setStatus(ctx context.Context, actor, id, action string, to Status, until time.Time, from ...Status) (User, error) {
	var out User
	err := s.Run(ctx, actor, action, func(tx Tx, a *Actor) error {
		u, err := s.Manage(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !slices.Contains(from, u.Status) {
			ve := &ValidationError{}
			ve.Add("status", "invalid_transition", fmt.Sprintf("a %s user cannot become %s", u.Status, to))
			return ve
		}
		u.Status, u.SuspendedUntil, u.UpdatedAt = to, until, s.Now()
		if err := tx.UpdateUser(ctx, &u); err != nil {
			return err
		}
		if _, err := tx.DeleteSessions(ctx, u.ID, SessionLogin); err != nil {
			return err
		}
		out = u
		return s.Record(ctx, tx, Event{AccountID: u.AccountID, ActorID: a.User.ID, Action: action,
			TargetType: "user", TargetID: u.ID, Fields: []string{"status"}})
	})
	return out, err
}

// Manage loads, through tx, a user whose standing (status, existence,
// password, access) the actor wants to change, and checks that it may:
// PermUsers over the user, never the actor itself, never the owner, and
// an admin only when the actor holds every grant the admin holds. A
// failed check is a refusal (see Run).
func (s *Service) Manage(ctx context.Context, tx Tx, a *Actor, id string) (User, error) {
	u, err := a.TargetUser(ctx, tx, PermUsers, id)
	if err != nil {
		return User{}, err
	}
	if u.ID == a.User.ID {
		return User{}, Refusal(forbidden("nobody can lock themselves out"), "user", id)
	}
	if ok, err := a.dominates(ctx, tx, u); err != nil {
		return User{}, err
	} else if !ok {
		return User{}, Refusal(forbidden("the owner, or an admin holding access the actor does not"), "user", id)
	}
	return u, nil
}

// Delete deletes users, all or none (seed 000: "Select the user(s) ...
// click Delete"). Each becomes a tombstone keeping only its id, account,
// group and times, so that message history still resolves; personal
// data, password, sessions, API keys, tokens, grants, aliases and number
// assignments are erased, the seat is freed, and username, e-mail and
// phone can be used again at once.
func (s *Service) Delete(ctx context.Context, actor string, ids ...string) error {
	return s.Run(ctx, actor, "user.delete", func(tx Tx, a *Actor) error {
		now := s.Now()
		seen := make(map[string]bool, len(ids))
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			u, err := s.Manage(ctx, tx, a, id)
			if err != nil {
				return err
			}
			if err := tx.DeleteUser(ctx, u.ID, now); err != nil {
				return err
			}
			if err := s.Record(ctx, tx, Event{AccountID: u.AccountID, ActorID: a.User.ID, Action: "user.delete",
				TargetType: "user", TargetID: u.ID, At: now}); err != nil {
				return err
			}
		}
		return nil
	})
}

// ProfileUpdate is what users may change of their own profile (seed 001:
// "Agents can manage their own profile"). Identifiers that reset links
// and logins depend on (e-mail, mobile phone) are an admin's to change.
type ProfileUpdate struct {
	FirstName     *string `json:"first_name,omitempty"`
	LastName      *string `json:"last_name,omitempty"`
	BusinessPhone *string `json:"business_phone,omitempty"`
	TimeZone      *string `json:"time_zone,omitempty"`
	Language      *string `json:"language,omitempty"`
	Country       *string `json:"country,omitempty"`
	FriendlyName  *string `json:"friendly_name,omitempty"`
	AddressBook   *bool   `json:"address_book,omitempty"`
}

// UpdateProfile changes the actor's own profile. Every active user may.
func (s *Service) UpdateProfile(ctx context.Context, actor string, in ProfileUpdate) (User, error) {
	var out User
	err := s.Run(ctx, actor, "user.profile", func(tx Tx, a *Actor) error {
		u := a.User
		fields := applyUpdate(&u, UserUpdate{FirstName: in.FirstName, LastName: in.LastName,
			BusinessPhone: in.BusinessPhone, TimeZone: in.TimeZone, Language: in.Language, Country: in.Country,
			FriendlyName: in.FriendlyName, AddressBook: in.AddressBook})
		if err := s.rules.CheckUser(&u); err != nil {
			return err
		}
		if len(fields) == 0 {
			out = u
			return nil
		}
		u.UpdatedAt = s.Now()
		if err := tx.UpdateUser(ctx, &u); err != nil {
			return err
		}
		out = u
		return s.Record(ctx, tx, Event{AccountID: u.AccountID, ActorID: u.ID, Action: "user.profile",
			TargetType: "user", TargetID: u.ID, Fields: fields})
	})
	return out, err
}
