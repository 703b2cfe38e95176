package usermgmt

import (
	"context"
	"time"
)

// Store is the persistence port. roster ships memstore (in memory),
// sqlitestore and pgstore; a host may write its own and check it with
// usermgmt/storetest, whose suite tests every sentence of this contract.
//
// # Shape
//
// Store is a Tx (every read and write, each atomic on its own) plus
// WithTx, which runs several of them atomically. The services put every
// change and its audit event in one WithTx. We chose a transaction
// function over whole-invariant methods because the services combine
// writes freely (a status change revokes sessions and appends an event;
// an import creates 5,000 users and their events), and every engine we
// target has transactions; the invariants a host cannot be trusted to
// keep by hand (uniqueness, seats, single use, version checks) are still
// enforced by the individual methods.
//
// # Contract shared by every method
//
//   - Every method honours ctx: a cancelled context returns its error and
//     writes nothing.
//   - Times are stored in UTC at microsecond precision and returned so:
//     a value read back equals the value written after
//     t.UTC().Truncate(time.Microsecond).
//   - A missing record returns an error matching ErrNotFound. Deleted
//     users are returned by GetUser only, as tombstones.
//   - Uniqueness violations return *ConflictError naming the field.
//   - Lists use keyset pagination: Page.After is the cursor returned as
//     next by the previous call ("" for the first page); next is "" on
//     the last page. The cost of a page does not grow with its position.
//   - Slices and maps are returned as copies the caller owns.
//   - A cursor the list did not return is an error matching ErrInvalid,
//     never a panic nor a wrong page.
//   - A duplicate caller-set id is an error matching ErrConflict for
//     every Create method, and so is a reused session hash.
//   - A record naming a missing or deleted user, group or account is
//     ErrNotFound for every Create method that takes one, and so is
//     UpdateUser into a missing group or a group of another account.
//
// # Transactions
//
//   - An error returned by one method inside WithTx (a conflict, the
//     seat limit) does not poison the transaction: that method's own
//     writes are undone, and the transaction's other writes still commit
//     if fn returns nil. The importer and the services rely on it.
//   - A context that ends while WithTx runs makes it return an error
//     matching the context's, and nothing of fn is kept.
//   - Calls racing each other leave the store as some serial order of
//     them would: crossed MoveGroup calls never make a cycle, a group
//     deleted while a user is created in it is never left with a live
//     user, and nothing of a deleted user (password, session, alias,
//     grant, number assignment) outlives a DeleteUser racing the write
//     that adds it. Engines shared by several processes keep this with
//     row locks and constraints, never an in-process mutex.
//
// # Ordering
//
//   - ListUsers orders by the bytes of UsernameKey (not a locale
//     collation); its Query is a literal substring ("_" and "%" match
//     only themselves), case-folded for non-ASCII letters too.
//   - Events are listed newest first; events of the same At by ID,
//     descending.
//   - A tombstone may carry any UpdatedAt and Version; every other field
//     but those DeleteUser names is empty.
type Store interface {
	Tx
	// WithTx runs fn in one transaction: every write fn makes through tx
	// is kept if fn returns nil, and none is if fn returns an error or
	// panics (the panic is re-raised after rollback). The error fn
	// returns is returned as is. fn may be called more than once when
	// the engine reports a serialization failure, so it must have no
	// effect outside tx. tx must not be used after fn returns.
	WithTx(ctx context.Context, fn func(tx Tx) error) error
}

// Page asks for one page of a list.
type Page struct {
	// After is the cursor from the previous page; "" for the first.
	After string
	// Limit is the page size; 0 means 50; values above 1000 are 1000.
	Limit int
}

// Size returns the effective page size.
func (p Page) Size() int {
	switch {
	case p.Limit <= 0:
		return 50
	case p.Limit > 1000:
		return 1000
	}
	return p.Limit
}

// UserFilter selects users of one account for ListUsers. Deleted users
// are never listed. Every set field narrows the result.
type UserFilter struct {
	AccountID string // required
	// Group restricts to the subtree of this group.
	Group string
	// Within, when non-nil, restricts to users visible through a set of
	// grants: users in any of Within.Groups' subtrees, or whose id is in
	// Within.Users. An empty non-nil Within matches nobody.
	Within       *Visibility
	Statuses     []Status // any of these
	ServiceLevel ServiceLevel
	Type         UserType
	Kind         Kind
	AddressBook  bool // only users in the global address book
	// Query matches, case-insensitively, a substring of the first name,
	// last name, username, e-mail or mobile phone.
	Query string
}

// Visibility is the union of group subtrees and single users an actor
// may see.
type Visibility struct {
	Groups []string // group ids; each includes its subtree
	Users  []string // user ids
}

// UserCounts counts an account's live users (seed: "You have XX
// registered users").
type UserCounts struct {
	Total     int                  `json:"total"` // live users: the seats used
	SeatLimit int                  `json:"seat_limit"`
	ByStatus  map[Status]int       `json:"by_status"`
	ByLevel   map[ServiceLevel]int `json:"by_service_level"`
}

// TokenFilter selects tokens for ListTokens.
type TokenFilter struct {
	AccountID string
	UserID    string
	Kind      TokenKind
	Email     string // compared case-insensitively
	// Unused restricts to tokens not yet used (expired ones included).
	Unused bool
}

// NumberFilter selects numbers for ListNumbers.
type NumberFilter struct {
	AccountID string // required
	UserID    string // only numbers assigned to this user
}

// EventFilter selects audit events for ListEvents, newest first.
type EventFilter struct {
	AccountID string // required
	// UserID matches events whose actor or target is this user.
	UserID string
	Action string
	Since  time.Time // inclusive
	Until  time.Time // exclusive
}

// Tx is every operation of a Store. Inside WithTx it acts within the
// transaction; on a Store each call is atomic on its own.
type Tx interface {
	// CreateAccount inserts a, with a.ID set by the caller. SeatsUsed is
	// ignored and starts at 0; Version starts at 1 and is written back.
	// ErrConflict if the id exists.
	CreateAccount(ctx context.Context, a *Account) error
	// GetAccount returns the account with SeatsUsed current.
	GetAccount(ctx context.Context, id string) (Account, error)
	// UpdateAccount writes every field but ID, SeatsUsed and CreatedAt
	// when a.Version equals the stored version, then bumps the version
	// and writes it back into a. A stale version is a *ConflictError
	// with Field "version". Lowering SeatLimit below SeatsUsed is
	// allowed; it blocks new seats only.
	UpdateAccount(ctx context.Context, a *Account) error

	// CreateGroup inserts g, with g.ID set by the caller, and sets g.Path
	// from its parent ("/"+ID+"/" for a root). ErrNotFound if ParentID
	// names no group of the same account.
	CreateGroup(ctx context.Context, g *Group) error
	GetGroup(ctx context.Context, id string) (Group, error)
	// ListGroups returns an account's groups ordered by Path.
	ListGroups(ctx context.Context, accountID string) ([]Group, error)
	// RenameGroup sets the name and UpdatedAt of a group.
	RenameGroup(ctx context.Context, id, name string, at time.Time) error
	// MoveGroup makes parentID the parent of id and rewrites the Path of
	// id and of its whole subtree. A *ConflictError with Field "group"
	// if parentID is id or inside its subtree, or id is a root;
	// ErrNotFound if parentID is not a group of the same account.
	MoveGroup(ctx context.Context, id, parentID string, at time.Time) error
	// DeleteGroup removes an empty group: a *ConflictError with Field
	// "group" if it has subgroups or live users, or is a root. Grants
	// scoped to it are removed with it.
	DeleteGroup(ctx context.Context, id string) error

	// CreateUser inserts u, with u.ID set by the caller; Version starts at
	// 1 and is written back. It takes one seat of u.AccountID atomically:
	// ErrSeatLimit if SeatLimit > 0 and SeatsUsed == SeatLimit, also
	// under concurrent calls. A *ConflictError names the first of
	// "username", "email", "mobile_phone", "customer_code" that a live
	// user already holds (username and email case-insensitively, by
	// UsernameKey and EmailKey; mobile phone exactly; customer code
	// within the account). ErrNotFound if the account or group is missing
	// or the group is of another account.
	CreateUser(ctx context.Context, u *User) error
	// GetUser returns a user, or its tombstone if deleted.
	GetUser(ctx context.Context, id string) (User, error)
	// GetUserByUsername finds a live user by UsernameKey(username).
	GetUserByUsername(ctx context.Context, username string) (User, error)
	// GetUserByEmail finds a live user by EmailKey(email).
	GetUserByEmail(ctx context.Context, email string) (User, error)
	// GetUserByPhone finds a live user by exact E.164 mobile phone.
	GetUserByPhone(ctx context.Context, e164 string) (User, error)
	// UpdateUser writes every field but ID, Username, CreatedAt,
	// DeletedAt and LastLoginAt when u.Version equals the stored version,
	// then bumps the version and writes it back into u. A stale version
	// is a *ConflictError with Field "version"; uniqueness as for
	// CreateUser. When AccountID changes (an accepted ownership request)
	// the seat moves with the user: ErrSeatLimit if the new account is
	// full. ErrNotFound for a deleted user.
	UpdateUser(ctx context.Context, u *User) error
	// SetLastLogin records a login without bumping the version.
	SetLastLogin(ctx context.Context, userID string, at time.Time) error
	// DeleteUser turns a live user into a tombstone: status deleted,
	// DeletedAt at, every personal field emptied (only ID, AccountID,
	// GroupID, Kind, Type, CreatedAt and DeletedAt remain), the seat
	// freed, and its password, sessions, API keys, tokens, grants (held,
	// and scoped to it), aliases and number assignments removed.
	// Username, e-mail and phone are free for reuse at once. ErrNotFound
	// if missing or already deleted.
	DeleteUser(ctx context.Context, id string, at time.Time) error
	// ListUsers returns live users matching f ordered by UsernameKey.
	ListUsers(ctx context.Context, f UserFilter, p Page) (users []User, next string, err error)
	// CountUsers counts an account's live users.
	CountUsers(ctx context.Context, accountID string) (UserCounts, error)

	// SetPassword stores a password hash (a PHC or bcrypt string) for a
	// live user, replacing any previous one.
	SetPassword(ctx context.Context, userID, hash string, at time.Time) error
	// GetPassword returns a user's password hash; ErrNotFound if none.
	GetPassword(ctx context.Context, userID string) (string, error)

	// CreateGrant inserts g with g.ID set by the caller. ErrNotFound if
	// the holder, or the scope's group or user, is missing or of another
	// account.
	CreateGrant(ctx context.Context, g *Grant) error
	GetGrant(ctx context.Context, id string) (Grant, error)
	DeleteGrant(ctx context.Context, id string) error
	// ListGrants returns the grants a user holds, oldest first.
	ListGrants(ctx context.Context, userID string) ([]Grant, error)
	// ListAccountGrants returns every grant of an account, oldest first.
	ListAccountGrants(ctx context.Context, accountID string) ([]Grant, error)

	// CreateNumber adds an account number. A *ConflictError with Field
	// "number" if the E.164 number exists anywhere.
	CreateNumber(ctx context.Context, n *Number) error
	GetNumber(ctx context.Context, e164 string) (Number, error)
	// AssignNumber sets (or, with userID "", clears) the user of a number.
	// ErrNotFound if the user is not a live user of the number's account.
	AssignNumber(ctx context.Context, e164, userID string) error
	DeleteNumber(ctx context.Context, e164 string) error
	// ListNumbers returns numbers ordered by E164.
	ListNumbers(ctx context.Context, f NumberFilter) ([]Number, error)

	// CreateAlias adds an e-mail alias to a live user. A *ConflictError
	// with Field "alias" if EmailKey(address) is taken by another alias.
	CreateAlias(ctx context.Context, a *Alias) error
	// GetAlias finds an alias by EmailKey(address).
	GetAlias(ctx context.Context, address string) (Alias, error)
	DeleteAlias(ctx context.Context, address string) error
	// ListAliases returns a user's aliases ordered by address.
	ListAliases(ctx context.Context, userID string) ([]Alias, error)

	// CreateToken inserts t with t.ID and t.Hash set by the caller.
	// A *ConflictError with Field "token" if the hash exists.
	CreateToken(ctx context.Context, t *Token) error
	GetToken(ctx context.Context, id string) (Token, error)
	// GetTokenByHash finds a token without consuming it.
	GetTokenByHash(ctx context.Context, hash string) (Token, error)
	// UpdateToken writes Hash, Data, Sends, SentAt, SendError and
	// ExpiresAt (a resend rotates the hash and restarts the lifetime).
	UpdateToken(ctx context.Context, t *Token) error
	// ConsumeToken atomically marks the token of this kind and hash used,
	// with UsedAt now and the outcome, and returns it. Of two concurrent
	// calls exactly one succeeds. ErrNotFound if no such token, ErrUsed
	// if already used, ErrExpired (nothing written) if now is not before
	// ExpiresAt.
	ConsumeToken(ctx context.Context, kind TokenKind, hash string, now time.Time, outcome string) (Token, error)
	// AddTokenAttempt atomically counts one attempt against a token and
	// returns the new count, only while Attempts < max: ErrLocked when
	// the token already has max attempts. Of n concurrent calls at most
	// max - Attempts succeed.
	AddTokenAttempt(ctx context.Context, id string, max int) (int, error)
	// DeleteToken removes a token.
	DeleteToken(ctx context.Context, id string) error
	// ListTokens returns matching tokens, newest first.
	ListTokens(ctx context.Context, f TokenFilter, p Page) (tokens []Token, next string, err error)
	// DeleteTokens removes every unused token of a user of one kind ("" for
	// every kind) and returns how many.
	DeleteTokens(ctx context.Context, userID string, kind TokenKind) (int, error)

	// CreateSession inserts s with s.ID and s.Hash set by the caller.
	CreateSession(ctx context.Context, s *Session) error
	// GetSessionByHash finds a session or API key by the hash of its
	// secret.
	GetSessionByHash(ctx context.Context, hash string) (Session, error)
	// TouchSession sets LastSeen.
	TouchSession(ctx context.Context, id string, at time.Time) error
	DeleteSession(ctx context.Context, id string) error
	// DeleteSessions removes every session of a user of one kind ("" for
	// both kinds) and returns how many.
	DeleteSessions(ctx context.Context, userID string, kind SessionKind) (int, error)
	// ListSessions returns a user's sessions of one kind ("" for both),
	// newest first.
	ListSessions(ctx context.Context, userID string, kind SessionKind) ([]Session, error)

	// AppendEvent records an audit event with e.ID set by the caller.
	AppendEvent(ctx context.Context, e *Event) error
	// ListEvents returns matching events, newest first (by At, then ID).
	ListEvents(ctx context.Context, f EventFilter, p Page) (events []Event, next string, err error)

	// Hit counts one hit on a fixed-window counter and returns the count
	// in the current window, this hit included. A window starts at the
	// first hit after the previous window (of length window) ended.
	// Concurrent hits are all counted.
	Hit(ctx context.Context, key string, now time.Time, window time.Duration) (int64, error)
	// GetCounter returns a counter as it stands at now; a counter whose
	// window has ended, or that never was hit, has Count 0.
	GetCounter(ctx context.Context, key string, now time.Time, window time.Duration) (Counter, error)
	// ResetCounter removes a counter.
	ResetCounter(ctx context.Context, key string) error

	// Purge removes what ended before the given time: sessions whose
	// ExpiresAt is set and before it, tokens that expired or were used
	// before it, and counters last hit before it. It returns how many
	// records it removed.
	Purge(ctx context.Context, before time.Time) (int, error)
}
