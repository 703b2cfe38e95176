package usermgmt

import (
	"slices"
	"time"
)

// Status is a user's lifecycle state.
//
// Transitions: pending → active; active ↔ suspended; active ↔ disabled;
// any → deleted. Only active users log in.
type Status string

// The user statuses.
const (
	StatusPending   Status = "pending"   // created, waiting for a password (activation or invitation)
	StatusActive    Status = "active"    // may log in
	StatusSuspended Status = "suspended" // temporarily blocked, keeps its seat and data
	StatusDisabled  Status = "disabled"  // blocked until enabled again
	StatusDeleted   Status = "deleted"   // a tombstone: id, account and time only
)

// Valid reports whether s is one of the statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusPending, StatusActive, StatusSuspended, StatusDisabled, StatusDeleted:
		return true
	}
	return false
}

// ServiceLevel is the licence a user holds (seed: Archive User, Pro User).
type ServiceLevel string

// The service levels.
const (
	LevelArchive ServiceLevel = "archive" // the default subscriber
	LevelPro     ServiceLevel = "pro"     // adds administrative capabilities and reports
)

// Valid reports whether l is a known service level.
func (l ServiceLevel) Valid() bool { return l == LevelArchive || l == LevelPro }

// UserType says what a user may hold: only owners and admins hold grants.
type UserType string

// The user types.
const (
	TypeOwner   UserType = "owner"    // created the account; holds every permission
	TypeAdmin   UserType = "admin"    // holds grants over part of the account
	TypeEndUser UserType = "end_user" // sends and receives messages
)

// Valid reports whether t is a known user type.
func (t UserType) Valid() bool { return t == TypeOwner || t == TypeAdmin || t == TypeEndUser }

// Kind tells a person from a system (API integration) user.
type Kind string

// The user kinds.
const (
	KindPerson Kind = "person"
	KindSystem Kind = "system" // id a-z0-9, no mobile phone required, authenticates with API keys
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == KindPerson || k == KindSystem }

// Channel is a messaging service a user may use (seed 003: "Services
// (SMS/Fax)").
type Channel string

// The channels.
const (
	ChannelSMS Channel = "sms"
	ChannelFax Channel = "fax"
)

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return c == ChannelSMS || c == ChannelFax }

// Contact names who administers an account (seed 003, "Contact").
type Contact struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// Defaults are what new users of an account inherit.
type Defaults struct {
	Country      string       `json:"country,omitempty"`       // ISO 3166-1 alpha-2, e.g. "GB"
	Language     string       `json:"language,omitempty"`      // BCP 47, e.g. "en-GB"
	TimeZone     string       `json:"time_zone,omitempty"`     // IANA, e.g. "Europe/London"
	ServiceLevel ServiceLevel `json:"service_level,omitempty"` // archive when empty
}

// Account is a company: the unit of licensing and of administration.
type Account struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	OwnerID     string `json:"owner_id"`      // the user who created the account
	RootGroupID string `json:"root_group_id"` // the top of the organisational tree
	// SeatLimit is the number of licensed seats; 0 means unlimited.
	// Every live (not deleted) user of the account holds one seat.
	SeatLimit int `json:"seat_limit"`
	// SeatsUsed is maintained by the store; writes ignore it.
	SeatsUsed int `json:"seats_used"`
	// TwoFactor turns the SMS PIN on login on (the default) or off.
	TwoFactor bool              `json:"two_factor"`
	Contact   Contact           `json:"contact"`
	Defaults  Defaults          `json:"defaults"`
	Settings  map[string]string `json:"settings,omitempty"` // free settings users inherit and may override
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
	// Version is bumped by the store on every update; an update carrying
	// a stale version fails with ErrConflict.
	Version int64 `json:"version"`
}

// Group is a node of an account's organisational tree.
type Group struct {
	ID        string `json:"id"`
	AccountID string `json:"account_id"`
	ParentID  string `json:"parent_id,omitempty"` // empty for the root
	Name      string `json:"name"`
	// Path is "/" followed by the ids from the root to this group, each
	// followed by "/": "/root/child/". The store maintains it; a group's
	// subtree is every group whose path starts with its path.
	Path      string    `json:"path"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Contains reports whether g's subtree contains group other.
func (g Group) Contains(other Group) bool {
	return g.AccountID == other.AccountID && g.Path != "" && len(other.Path) >= len(g.Path) && other.Path[:len(g.Path)] == g.Path
}

// User is a person or a system that uses the account's services.
//
// Numbers and e-mail aliases are separate records (Number, Alias).
// Credentials never appear on a User.
type User struct {
	ID        string   `json:"id"`
	AccountID string   `json:"account_id"`
	GroupID   string   `json:"group_id"`
	Kind      Kind     `json:"kind"`
	Type      UserType `json:"type"`
	Status    Status   `json:"status"`
	// SuspendedUntil, when set on a suspended user, is when the
	// suspension ends by itself.
	SuspendedUntil time.Time `json:"suspended_until,omitzero"`

	// Username identifies the user at login; unique system-wide,
	// case-insensitively, and never changed after creation. For system
	// users it is the API user id.
	Username      string `json:"username"`
	FirstName     string `json:"first_name"`
	LastName      string `json:"last_name"`
	Email         string `json:"email"`                    // unique system-wide among live users, case-insensitively
	MobilePhone   string `json:"mobile_phone,omitempty"`   // E.164; unique system-wide among live users
	BusinessPhone string `json:"business_phone,omitempty"` // E.164
	Company       string `json:"company,omitempty"`
	CustomerCode  string `json:"customer_code,omitempty"` // unique within the account when set
	UDID          string `json:"udid,omitempty"`
	TimeZone      string `json:"time_zone,omitempty"` // IANA
	Language      string `json:"language,omitempty"`  // BCP 47
	Country       string `json:"country,omitempty"`   // default country, ISO 3166-1 alpha-2
	FriendlyName  string `json:"friendly_name,omitempty"`
	Notes         string `json:"notes,omitempty"`

	ServiceLevel  ServiceLevel `json:"service_level"`
	Services      []Channel    `json:"services,omitempty"`
	DefaultNumber string       `json:"default_number,omitempty"` // E.164, one of the user's numbers
	AddressBook   bool         `json:"address_book"`             // listed in the global address book
	// Settings override the account's settings for this user.
	Settings map[string]string `json:"settings,omitempty"`

	LastLoginAt time.Time `json:"last_login_at,omitzero"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	DeletedAt   time.Time `json:"deleted_at,omitzero"`
	// Version is bumped by the store on every update; an update carrying
	// a stale version fails with ErrConflict.
	Version int64 `json:"version"`
}

// Live reports whether u is not a deleted tombstone.
func (u User) Live() bool { return u.Status != StatusDeleted }

// HasService reports whether u may use channel c.
func (u User) HasService(c Channel) bool { return slices.Contains(u.Services, c) }

// Name returns "First Last".
func (u User) Name() string {
	switch {
	case u.FirstName == "":
		return u.LastName
	case u.LastName == "":
		return u.FirstName
	}
	return u.FirstName + " " + u.LastName
}

// Permission names a module an admin may manage.
//
// The built-in permissions cover the seeds' modules; a host may define
// its own (lower-case letters, digits, '_', '.', ':' and '-').
type Permission string

// The built-in permissions.
const (
	PermUsers       Permission = "users"        // create, edit, suspend, delete users; grant access
	PermGroups      Permission = "groups"       // the organisational tree
	PermNumbers     Permission = "numbers"      // SMS numbers
	PermImport      Permission = "import"       // bulk import (with users)
	PermInvitations Permission = "invitations"  // invite users by e-mail
	PermSettings    Permission = "settings"     // account settings and defaults
	PermReports     Permission = "reports"      // reports, statistics and the audit log
	PermMessages    Permission = "messages"     // message logs
	PermMessageBody Permission = "message_body" // view the body of messages
	PermPricing     Permission = "pricing"      // the owner's alone
	PermPayments    Permission = "payments"     // the owner's alone
)

// BuiltinPermissions lists the built-in permissions in a stable order.
func BuiltinPermissions() []Permission {
	return []Permission{PermUsers, PermGroups, PermNumbers, PermImport, PermInvitations,
		PermSettings, PermReports, PermMessages, PermMessageBody, PermPricing, PermPayments}
}

// OwnerOnly reports whether p belongs to the owner alone and cannot be
// granted (pricing and payments).
func (p Permission) OwnerOnly() bool { return p == PermPricing || p == PermPayments }

// Scope is what a grant covers: a group's subtree, or one user.
// Exactly one of the fields is set.
type Scope struct {
	GroupID string `json:"group_id,omitempty"`
	UserID  string `json:"user_id,omitempty"`
}

// Grant gives a user (the holder) permissions over a scope.
type Grant struct {
	ID          string       `json:"id"`
	AccountID   string       `json:"account_id"`
	UserID      string       `json:"user_id"` // the holder
	Scope       Scope        `json:"scope"`
	Permissions []Permission `json:"permissions"`
	CreatedBy   string       `json:"created_by"`
	CreatedAt   time.Time    `json:"created_at"`
}

// Has reports whether g includes p.
func (g Grant) Has(p Permission) bool { return slices.Contains(g.Permissions, p) }

// Number is one of an account's SMS numbers, optionally assigned to a user.
type Number struct {
	E164      string    `json:"number"` // unique system-wide
	AccountID string    `json:"account_id"`
	UserID    string    `json:"user_id,omitempty"` // empty when unassigned
	Label     string    `json:"label,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Alias is an external e-mail address allowed to use the services through
// a user (seed 003, "Email Alias").
type Alias struct {
	Address   string    `json:"address"` // unique system-wide, case-insensitively
	UserID    string    `json:"user_id"`
	AccountID string    `json:"account_id"`
	CreatedAt time.Time `json:"created_at"`
}

// TokenKind says what a one-time token is for.
type TokenKind string

// The token kinds.
const (
	TokenReset      TokenKind = "reset"      // password reset link
	TokenInvite     TokenKind = "invite"     // invitation to join an account
	TokenActivation TokenKind = "activation" // set the first password of an admin-created user
	TokenOwnership  TokenKind = "ownership"  // a request to move a user to another account
	TokenChallenge  TokenKind = "challenge"  // an SMS PIN login challenge
)

// Token is a single-use secret held by someone outside (a link in a mail,
// a login challenge). Only the SHA-256 of the secret is stored.
type Token struct {
	ID        string    `json:"id"`
	Kind      TokenKind `json:"kind"`
	Hash      string    `json:"-"` // hex SHA-256 of the secret; unique
	AccountID string    `json:"account_id,omitempty"`
	UserID    string    `json:"user_id,omitempty"`
	Email     string    `json:"email,omitempty"`
	CreatedBy string    `json:"created_by,omitempty"`
	// Data is kind-specific JSON (an invitation's grant, a challenge's
	// code HMAC). It never holds a secret in clear.
	Data      []byte    `json:"-"`
	Attempts  int       `json:"attempts"`
	Sends     int       `json:"sends"`
	SentAt    time.Time `json:"sent_at,omitzero"`
	SendError string    `json:"send_error,omitempty"` // why the last delivery failed
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// UsedAt is set, with Outcome, when the token is consumed.
	UsedAt  time.Time `json:"used_at,omitzero"`
	Outcome string    `json:"outcome,omitempty"` // e.g. "accepted", "declined", "revoked"
}

// Pending reports whether t is unused and not expired at now.
func (t Token) Pending(now time.Time) bool { return t.UsedAt.IsZero() && now.Before(t.ExpiresAt) }

// SessionKind tells a login session from an API key.
type SessionKind string

// The session kinds.
const (
	SessionLogin  SessionKind = "login"
	SessionAPIKey SessionKind = "api_key"
)

// Session is a login session or an API key. Only the SHA-256 of the
// bearer secret is stored.
type Session struct {
	ID        string      `json:"id"`
	Kind      SessionKind `json:"kind"`
	Hash      string      `json:"-"` // hex SHA-256 of the secret; unique
	UserID    string      `json:"user_id"`
	AccountID string      `json:"account_id"`
	Name      string      `json:"name,omitempty"`       // an API key's label
	ClientKey string      `json:"client_key,omitempty"` // what the host said identifies the client
	CreatedAt time.Time   `json:"created_at"`
	LastSeen  time.Time   `json:"last_seen"`
	// ExpiresAt is the absolute end; zero means none (API keys).
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// Outcome of an audited operation.
const (
	OutcomeOK      = "ok"
	OutcomeRefused = "refused"
)

// Event is one audit record: who did what to whom, when.
// It never holds a secret nor a changed value, only the names of
// changed fields, so that delete leaves no personal data behind.
type Event struct {
	ID         string    `json:"id"`
	AccountID  string    `json:"account_id"`
	ActorID    string    `json:"actor_id,omitempty"` // empty for the system or an anonymous caller
	Action     string    `json:"action"`             // e.g. "user.create", "user.suspend"
	TargetType string    `json:"target_type,omitempty"`
	TargetID   string    `json:"target_id,omitempty"`
	Outcome    string    `json:"outcome"`          // OutcomeOK or OutcomeRefused
	Fields     []string  `json:"fields,omitempty"` // names of changed fields
	Reason     string    `json:"reason,omitempty"` // for refusals: a code such as "forbidden"
	ClientKey  string    `json:"client_key,omitempty"`
	At         time.Time `json:"at"`
}

// Counter is a fixed-window counter (rate limits, login throttling).
type Counter struct {
	Key         string    `json:"key"`
	Count       int64     `json:"count"`
	WindowStart time.Time `json:"window_start"`
	Last        time.Time `json:"last"` // the latest hit
}
