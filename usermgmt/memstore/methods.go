// Code below forwards every usermgmt.Tx method of Store and tx to the
// functions above.

package memstore

import (
	"context"
	"time"

	"github.com/rosterkit/roster/usermgmt"
)

// CreateAccount implements usermgmt.Tx.
func (st *Store) CreateAccount(ctx context.Context, a *usermgmt.Account) error {
	return createAccount(st, ctx, a)
}

// GetAccount implements usermgmt.Tx.
func (st *Store) GetAccount(ctx context.Context, id string) (usermgmt.Account, error) {
	return getAccount(st, ctx, id)
}

// UpdateAccount implements usermgmt.Tx.
func (st *Store) UpdateAccount(ctx context.Context, a *usermgmt.Account) error {
	return updateAccount(st, ctx, a)
}

// CreateGroup implements usermgmt.Tx.
func (st *Store) CreateGroup(ctx context.Context, g *usermgmt.Group) error {
	return createGroup(st, ctx, g)
}

// GetGroup implements usermgmt.Tx.
func (st *Store) GetGroup(ctx context.Context, id string) (usermgmt.Group, error) {
	return getGroup(st, ctx, id)
}

// ListGroups implements usermgmt.Tx.
func (st *Store) ListGroups(ctx context.Context, accountID string) ([]usermgmt.Group, error) {
	return listGroups(st, ctx, accountID)
}

// RenameGroup implements usermgmt.Tx.
func (st *Store) RenameGroup(ctx context.Context, id, name string, at time.Time) error {
	return renameGroup(st, ctx, id, name, at)
}

// MoveGroup implements usermgmt.Tx.
func (st *Store) MoveGroup(ctx context.Context, id, parentID string, at time.Time) error {
	return moveGroup(st, ctx, id, parentID, at)
}

// DeleteGroup implements usermgmt.Tx.
func (st *Store) DeleteGroup(ctx context.Context, id string) error {
	return deleteGroup(st, ctx, id)
}

// CreateUser implements usermgmt.Tx.
func (st *Store) CreateUser(ctx context.Context, u *usermgmt.User) error {
	return createUser(st, ctx, u)
}

// GetUser implements usermgmt.Tx.
func (st *Store) GetUser(ctx context.Context, id string) (usermgmt.User, error) {
	return getUser(st, ctx, id)
}

// GetUserByUsername implements usermgmt.Tx.
func (st *Store) GetUserByUsername(ctx context.Context, username string) (usermgmt.User, error) {
	return getUserByUsername(st, ctx, username)
}

// GetUserByEmail implements usermgmt.Tx.
func (st *Store) GetUserByEmail(ctx context.Context, email string) (usermgmt.User, error) {
	return getUserByEmail(st, ctx, email)
}

// GetUserByPhone implements usermgmt.Tx.
func (st *Store) GetUserByPhone(ctx context.Context, e164 string) (usermgmt.User, error) {
	return getUserByPhone(st, ctx, e164)
}

// UpdateUser implements usermgmt.Tx.
func (st *Store) UpdateUser(ctx context.Context, u *usermgmt.User) error {
	return updateUser(st, ctx, u)
}

// SetLastLogin implements usermgmt.Tx.
func (st *Store) SetLastLogin(ctx context.Context, id string, at time.Time) error {
	return setLastLogin(st, ctx, id, at)
}

// DeleteUser implements usermgmt.Tx.
func (st *Store) DeleteUser(ctx context.Context, id string, at time.Time) error {
	return deleteUser(st, ctx, id, at)
}

// ListUsers implements usermgmt.Tx.
func (st *Store) ListUsers(ctx context.Context, f usermgmt.UserFilter, p usermgmt.Page) ([]usermgmt.User, string, error) {
	return listUsers(st, ctx, f, p)
}

// CountUsers implements usermgmt.Tx.
func (st *Store) CountUsers(ctx context.Context, accountID string) (usermgmt.UserCounts, error) {
	return countUsers(st, ctx, accountID)
}

// SetPassword implements usermgmt.Tx.
func (st *Store) SetPassword(ctx context.Context, userID, hash string, at time.Time) error {
	return setPassword(st, ctx, userID, hash, at)
}

// GetPassword implements usermgmt.Tx.
func (st *Store) GetPassword(ctx context.Context, userID string) (string, error) {
	return getPassword(st, ctx, userID)
}

// CreateGrant implements usermgmt.Tx.
func (st *Store) CreateGrant(ctx context.Context, g *usermgmt.Grant) error {
	return createGrant(st, ctx, g)
}

// GetGrant implements usermgmt.Tx.
func (st *Store) GetGrant(ctx context.Context, id string) (usermgmt.Grant, error) {
	return getGrant(st, ctx, id)
}

// DeleteGrant implements usermgmt.Tx.
func (st *Store) DeleteGrant(ctx context.Context, id string) error {
	return deleteGrant(st, ctx, id)
}

// ListGrants implements usermgmt.Tx.
func (st *Store) ListGrants(ctx context.Context, userID string) ([]usermgmt.Grant, error) {
	return listGrants(st, ctx, userID)
}

// ListAccountGrants implements usermgmt.Tx.
func (st *Store) ListAccountGrants(ctx context.Context, accountID string) ([]usermgmt.Grant, error) {
	return listAccountGrants(st, ctx, accountID)
}

// CreateNumber implements usermgmt.Tx.
func (st *Store) CreateNumber(ctx context.Context, n *usermgmt.Number) error {
	return createNumber(st, ctx, n)
}

// GetNumber implements usermgmt.Tx.
func (st *Store) GetNumber(ctx context.Context, e164 string) (usermgmt.Number, error) {
	return getNumber(st, ctx, e164)
}

// AssignNumber implements usermgmt.Tx.
func (st *Store) AssignNumber(ctx context.Context, e164, userID string) error {
	return assignNumber(st, ctx, e164, userID)
}

// DeleteNumber implements usermgmt.Tx.
func (st *Store) DeleteNumber(ctx context.Context, e164 string) error {
	return deleteNumber(st, ctx, e164)
}

// ListNumbers implements usermgmt.Tx.
func (st *Store) ListNumbers(ctx context.Context, f usermgmt.NumberFilter) ([]usermgmt.Number, error) {
	return listNumbers(st, ctx, f)
}

// CreateAlias implements usermgmt.Tx.
func (st *Store) CreateAlias(ctx context.Context, a *usermgmt.Alias) error {
	return createAlias(st, ctx, a)
}

// GetAlias implements usermgmt.Tx.
func (st *Store) GetAlias(ctx context.Context, address string) (usermgmt.Alias, error) {
	return getAlias(st, ctx, address)
}

// DeleteAlias implements usermgmt.Tx.
func (st *Store) DeleteAlias(ctx context.Context, address string) error {
	return deleteAlias(st, ctx, address)
}

// ListAliases implements usermgmt.Tx.
func (st *Store) ListAliases(ctx context.Context, userID string) ([]usermgmt.Alias, error) {
	return listAliases(st, ctx, userID)
}

// CreateToken implements usermgmt.Tx.
func (st *Store) CreateToken(ctx context.Context, t *usermgmt.Token) error {
	return createToken(st, ctx, t)
}

// GetToken implements usermgmt.Tx.
func (st *Store) GetToken(ctx context.Context, id string) (usermgmt.Token, error) {
	return getToken(st, ctx, id)
}

// GetTokenByHash implements usermgmt.Tx.
func (st *Store) GetTokenByHash(ctx context.Context, hash string) (usermgmt.Token, error) {
	return getTokenByHash(st, ctx, hash)
}

// UpdateToken implements usermgmt.Tx.
func (st *Store) UpdateToken(ctx context.Context, t *usermgmt.Token) error {
	return updateToken(st, ctx, t)
}

// ConsumeToken implements usermgmt.Tx.
func (st *Store) ConsumeToken(ctx context.Context, kind usermgmt.TokenKind, hash string, now time.Time, outcome string) (usermgmt.Token, error) {
	return consumeToken(st, ctx, kind, hash, now, outcome)
}

// AddTokenAttempt implements usermgmt.Tx.
func (st *Store) AddTokenAttempt(ctx context.Context, id string, max int) (int, error) {
	return addTokenAttempt(st, ctx, id, max)
}

// DeleteToken implements usermgmt.Tx.
func (st *Store) DeleteToken(ctx context.Context, id string) error {
	return deleteToken(st, ctx, id)
}

// ListTokens implements usermgmt.Tx.
func (st *Store) ListTokens(ctx context.Context, f usermgmt.TokenFilter, p usermgmt.Page) ([]usermgmt.Token, string, error) {
	return listTokens(st, ctx, f, p)
}

// DeleteTokens implements usermgmt.Tx.
func (st *Store) DeleteTokens(ctx context.Context, userID string, kind usermgmt.TokenKind) (int, error) {
	return deleteTokens(st, ctx, userID, kind)
}

// CreateSession implements usermgmt.Tx.
func (st *Store) CreateSession(ctx context.Context, s *usermgmt.Session) error {
	return createSession(st, ctx, s)
}

// GetSessionByHash implements usermgmt.Tx.
func (st *Store) GetSessionByHash(ctx context.Context, hash string) (usermgmt.Session, error) {
	return getSessionByHash(st, ctx, hash)
}

// TouchSession implements usermgmt.Tx.
func (st *Store) TouchSession(ctx context.Context, id string, at time.Time) error {
	return touchSession(st, ctx, id, at)
}

// DeleteSession implements usermgmt.Tx.
func (st *Store) DeleteSession(ctx context.Context, id string) error {
	return deleteSession(st, ctx, id)
}

// DeleteSessions implements usermgmt.Tx.
func (st *Store) DeleteSessions(ctx context.Context, userID string, kind usermgmt.SessionKind) (int, error) {
	return deleteSessions(st, ctx, userID, kind)
}

// ListSessions implements usermgmt.Tx.
func (st *Store) ListSessions(ctx context.Context, userID string, kind usermgmt.SessionKind) ([]usermgmt.Session, error) {
	return listSessions(st, ctx, userID, kind)
}

// AppendEvent implements usermgmt.Tx.
func (st *Store) AppendEvent(ctx context.Context, e *usermgmt.Event) error {
	return appendEvent(st, ctx, e)
}

// ListEvents implements usermgmt.Tx.
func (st *Store) ListEvents(ctx context.Context, f usermgmt.EventFilter, p usermgmt.Page) ([]usermgmt.Event, string, error) {
	return listEvents(st, ctx, f, p)
}

// Hit implements usermgmt.Tx.
func (st *Store) Hit(ctx context.Context, key string, now time.Time, window time.Duration) (int64, error) {
	return hit(st, ctx, key, now, window)
}

// GetCounter implements usermgmt.Tx.
func (st *Store) GetCounter(ctx context.Context, key string, now time.Time, window time.Duration) (usermgmt.Counter, error) {
	return getCounter(st, ctx, key, now, window)
}

// ResetCounter implements usermgmt.Tx.
func (st *Store) ResetCounter(ctx context.Context, key string) error {
	return resetCounter(st, ctx, key)
}

// Purge implements usermgmt.Tx.
func (st *Store) Purge(ctx context.Context, before time.Time) (int, error) {
	return purge(st, ctx, before)
}

// CreateAccount implements usermgmt.Tx.
func (x *tx) CreateAccount(ctx context.Context, a *usermgmt.Account) error {
	return createAccount(x, ctx, a)
}

// GetAccount implements usermgmt.Tx.
func (x *tx) GetAccount(ctx context.Context, id string) (usermgmt.Account, error) {
	return getAccount(x, ctx, id)
}

// UpdateAccount implements usermgmt.Tx.
func (x *tx) UpdateAccount(ctx context.Context, a *usermgmt.Account) error {
	return updateAccount(x, ctx, a)
}

// CreateGroup implements usermgmt.Tx.
func (x *tx) CreateGroup(ctx context.Context, g *usermgmt.Group) error {
	return createGroup(x, ctx, g)
}

// GetGroup implements usermgmt.Tx.
func (x *tx) GetGroup(ctx context.Context, id string) (usermgmt.Group, error) {
	return getGroup(x, ctx, id)
}

// ListGroups implements usermgmt.Tx.
func (x *tx) ListGroups(ctx context.Context, accountID string) ([]usermgmt.Group, error) {
	return listGroups(x, ctx, accountID)
}

// RenameGroup implements usermgmt.Tx.
func (x *tx) RenameGroup(ctx context.Context, id, name string, at time.Time) error {
	return renameGroup(x, ctx, id, name, at)
}

// MoveGroup implements usermgmt.Tx.
func (x *tx) MoveGroup(ctx context.Context, id, parentID string, at time.Time) error {
	return moveGroup(x, ctx, id, parentID, at)
}

// DeleteGroup implements usermgmt.Tx.
func (x *tx) DeleteGroup(ctx context.Context, id string) error {
	return deleteGroup(x, ctx, id)
}

// CreateUser implements usermgmt.Tx.
func (x *tx) CreateUser(ctx context.Context, u *usermgmt.User) error {
	return createUser(x, ctx, u)
}

// GetUser implements usermgmt.Tx.
func (x *tx) GetUser(ctx context.Context, id string) (usermgmt.User, error) {
	return getUser(x, ctx, id)
}

// GetUserByUsername implements usermgmt.Tx.
func (x *tx) GetUserByUsername(ctx context.Context, username string) (usermgmt.User, error) {
	return getUserByUsername(x, ctx, username)
}

// GetUserByEmail implements usermgmt.Tx.
func (x *tx) GetUserByEmail(ctx context.Context, email string) (usermgmt.User, error) {
	return getUserByEmail(x, ctx, email)
}

// GetUserByPhone implements usermgmt.Tx.
func (x *tx) GetUserByPhone(ctx context.Context, e164 string) (usermgmt.User, error) {
	return getUserByPhone(x, ctx, e164)
}

// UpdateUser implements usermgmt.Tx.
func (x *tx) UpdateUser(ctx context.Context, u *usermgmt.User) error {
	return updateUser(x, ctx, u)
}

// SetLastLogin implements usermgmt.Tx.
func (x *tx) SetLastLogin(ctx context.Context, id string, at time.Time) error {
	return setLastLogin(x, ctx, id, at)
}

// DeleteUser implements usermgmt.Tx.
func (x *tx) DeleteUser(ctx context.Context, id string, at time.Time) error {
	return deleteUser(x, ctx, id, at)
}

// ListUsers implements usermgmt.Tx.
func (x *tx) ListUsers(ctx context.Context, f usermgmt.UserFilter, p usermgmt.Page) ([]usermgmt.User, string, error) {
	return listUsers(x, ctx, f, p)
}

// CountUsers implements usermgmt.Tx.
func (x *tx) CountUsers(ctx context.Context, accountID string) (usermgmt.UserCounts, error) {
	return countUsers(x, ctx, accountID)
}

// SetPassword implements usermgmt.Tx.
func (x *tx) SetPassword(ctx context.Context, userID, hash string, at time.Time) error {
	return setPassword(x, ctx, userID, hash, at)
}

// GetPassword implements usermgmt.Tx.
func (x *tx) GetPassword(ctx context.Context, userID string) (string, error) {
	return getPassword(x, ctx, userID)
}

// CreateGrant implements usermgmt.Tx.
func (x *tx) CreateGrant(ctx context.Context, g *usermgmt.Grant) error {
	return createGrant(x, ctx, g)
}

// GetGrant implements usermgmt.Tx.
func (x *tx) GetGrant(ctx context.Context, id string) (usermgmt.Grant, error) {
	return getGrant(x, ctx, id)
}

// DeleteGrant implements usermgmt.Tx.
func (x *tx) DeleteGrant(ctx context.Context, id string) error {
	return deleteGrant(x, ctx, id)
}

// ListGrants implements usermgmt.Tx.
func (x *tx) ListGrants(ctx context.Context, userID string) ([]usermgmt.Grant, error) {
	return listGrants(x, ctx, userID)
}

// ListAccountGrants implements usermgmt.Tx.
func (x *tx) ListAccountGrants(ctx context.Context, accountID string) ([]usermgmt.Grant, error) {
	return listAccountGrants(x, ctx, accountID)
}

// CreateNumber implements usermgmt.Tx.
func (x *tx) CreateNumber(ctx context.Context, n *usermgmt.Number) error {
	return createNumber(x, ctx, n)
}

// GetNumber implements usermgmt.Tx.
func (x *tx) GetNumber(ctx context.Context, e164 string) (usermgmt.Number, error) {
	return getNumber(x, ctx, e164)
}

// AssignNumber implements usermgmt.Tx.
func (x *tx) AssignNumber(ctx context.Context, e164, userID string) error {
	return assignNumber(x, ctx, e164, userID)
}

// DeleteNumber implements usermgmt.Tx.
func (x *tx) DeleteNumber(ctx context.Context, e164 string) error {
	return deleteNumber(x, ctx, e164)
}

// ListNumbers implements usermgmt.Tx.
func (x *tx) ListNumbers(ctx context.Context, f usermgmt.NumberFilter) ([]usermgmt.Number, error) {
	return listNumbers(x, ctx, f)
}

// CreateAlias implements usermgmt.Tx.
func (x *tx) CreateAlias(ctx context.Context, a *usermgmt.Alias) error {
	return createAlias(x, ctx, a)
}

// GetAlias implements usermgmt.Tx.
func (x *tx) GetAlias(ctx context.Context, address string) (usermgmt.Alias, error) {
	return getAlias(x, ctx, address)
}

// DeleteAlias implements usermgmt.Tx.
func (x *tx) DeleteAlias(ctx context.Context, address string) error {
	return deleteAlias(x, ctx, address)
}

// ListAliases implements usermgmt.Tx.
func (x *tx) ListAliases(ctx context.Context, userID string) ([]usermgmt.Alias, error) {
	return listAliases(x, ctx, userID)
}

// CreateToken implements usermgmt.Tx.
func (x *tx) CreateToken(ctx context.Context, t *usermgmt.Token) error {
	return createToken(x, ctx, t)
}

// GetToken implements usermgmt.Tx.
func (x *tx) GetToken(ctx context.Context, id string) (usermgmt.Token, error) {
	return getToken(x, ctx, id)
}

// GetTokenByHash implements usermgmt.Tx.
func (x *tx) GetTokenByHash(ctx context.Context, hash string) (usermgmt.Token, error) {
	return getTokenByHash(x, ctx, hash)
}

// UpdateToken implements usermgmt.Tx.
func (x *tx) UpdateToken(ctx context.Context, t *usermgmt.Token) error {
	return updateToken(x, ctx, t)
}

// ConsumeToken implements usermgmt.Tx.
func (x *tx) ConsumeToken(ctx context.Context, kind usermgmt.TokenKind, hash string, now time.Time, outcome string) (usermgmt.Token, error) {
	return consumeToken(x, ctx, kind, hash, now, outcome)
}

// AddTokenAttempt implements usermgmt.Tx.
func (x *tx) AddTokenAttempt(ctx context.Context, id string, max int) (int, error) {
	return addTokenAttempt(x, ctx, id, max)
}

// DeleteToken implements usermgmt.Tx.
func (x *tx) DeleteToken(ctx context.Context, id string) error {
	return deleteToken(x, ctx, id)
}

// ListTokens implements usermgmt.Tx.
func (x *tx) ListTokens(ctx context.Context, f usermgmt.TokenFilter, p usermgmt.Page) ([]usermgmt.Token, string, error) {
	return listTokens(x, ctx, f, p)
}

// DeleteTokens implements usermgmt.Tx.
func (x *tx) DeleteTokens(ctx context.Context, userID string, kind usermgmt.TokenKind) (int, error) {
	return deleteTokens(x, ctx, userID, kind)
}

// CreateSession implements usermgmt.Tx.
func (x *tx) CreateSession(ctx context.Context, s *usermgmt.Session) error {
	return createSession(x, ctx, s)
}

// GetSessionByHash implements usermgmt.Tx.
func (x *tx) GetSessionByHash(ctx context.Context, hash string) (usermgmt.Session, error) {
	return getSessionByHash(x, ctx, hash)
}

// TouchSession implements usermgmt.Tx.
func (x *tx) TouchSession(ctx context.Context, id string, at time.Time) error {
	return touchSession(x, ctx, id, at)
}

// DeleteSession implements usermgmt.Tx.
func (x *tx) DeleteSession(ctx context.Context, id string) error {
	return deleteSession(x, ctx, id)
}

// DeleteSessions implements usermgmt.Tx.
func (x *tx) DeleteSessions(ctx context.Context, userID string, kind usermgmt.SessionKind) (int, error) {
	return deleteSessions(x, ctx, userID, kind)
}

// ListSessions implements usermgmt.Tx.
func (x *tx) ListSessions(ctx context.Context, userID string, kind usermgmt.SessionKind) ([]usermgmt.Session, error) {
	return listSessions(x, ctx, userID, kind)
}

// AppendEvent implements usermgmt.Tx.
func (x *tx) AppendEvent(ctx context.Context, e *usermgmt.Event) error {
	return appendEvent(x, ctx, e)
}

// ListEvents implements usermgmt.Tx.
func (x *tx) ListEvents(ctx context.Context, f usermgmt.EventFilter, p usermgmt.Page) ([]usermgmt.Event, string, error) {
	return listEvents(x, ctx, f, p)
}

// Hit implements usermgmt.Tx.
func (x *tx) Hit(ctx context.Context, key string, now time.Time, window time.Duration) (int64, error) {
	return hit(x, ctx, key, now, window)
}

// GetCounter implements usermgmt.Tx.
func (x *tx) GetCounter(ctx context.Context, key string, now time.Time, window time.Duration) (usermgmt.Counter, error) {
	return getCounter(x, ctx, key, now, window)
}

// ResetCounter implements usermgmt.Tx.
func (x *tx) ResetCounter(ctx context.Context, key string) error {
	return resetCounter(x, ctx, key)
}

// Purge implements usermgmt.Tx.
func (x *tx) Purge(ctx context.Context, before time.Time) (int, error) {
	return purge(x, ctx, before)
}
