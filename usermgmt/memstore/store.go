package memstore

import (
	"context"
	"errors"
	"time"

	"github.com/rosterkit/roster/usermgmt"
)

// Store is an in-memory usermgmt.Store. It has every method of
// usermgmt.Store, each documented there with its whole contract. The zero
// value is not ready; use New.
type Store struct {
	lock chan struct{} // one token: held by a call or a transaction
	d    *db
}

var _ usermgmt.Store = (*Store)(nil)

// New returns an empty Store.
func New() *Store {
	return &Store{lock: make(chan struct{}, 1), d: newDB()}
}

// acquire takes the store's lock, giving up when ctx ends.
func (s *Store) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case s.lock <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Store) release() { <-s.lock }

// errTxDone is returned by a transaction used after WithTx returned.
var errTxDone = errors.New("memstore: transaction has ended")

// tx is the usermgmt.Tx WithTx hands to its function.
type tx struct {
	d    *db
	done bool
}

// WithTx runs fn with the store locked; every write fn makes is undone
// if fn returns an error or panics, or if ctx ends before fn returns (then
// WithTx returns ctx's error).
func (s *Store) WithTx(ctx context.Context, fn func(usermgmt.Tx) error) (err error) {
	if err := s.acquire(ctx); err != nil {
		return err
	}
	defer s.release()
	t := &tx{d: s.d}
	mark := len(s.d.undo)
	defer func() {
		t.done = true
		if p := recover(); p != nil {
			s.d.rollbackTo(mark)
			panic(p)
		}
		if err == nil {
			err = ctx.Err()
		}
		if err != nil {
			s.d.rollbackTo(mark)
			return
		}
		s.d.commit()
	}()
	return fn(t)
}

// do runs one operation atomically: with the lock held (outside a
// transaction) and undone entirely if it fails.
func do[T any](s *Store, ctx context.Context, op func(d *db) (T, error)) (T, error) {
	var zero T
	if err := s.acquire(ctx); err != nil {
		return zero, err
	}
	defer s.release()
	mark := len(s.d.undo)
	v, err := op(s.d)
	if err != nil {
		s.d.rollbackTo(mark)
		return zero, err
	}
	s.d.commit()
	return v, nil
}

// txDo runs one operation inside a transaction: a failing operation
// undoes its own writes, so the transaction can go on.
func txDo[T any](t *tx, ctx context.Context, op func(d *db) (T, error)) (T, error) {
	var zero T
	if t.done {
		return zero, errTxDone
	}
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	mark := len(t.d.undo)
	v, err := op(t.d)
	if err != nil {
		t.d.rollbackTo(mark)
		return zero, err
	}
	return v, nil
}

// runner is how the methods below reach the data, shared by Store and tx.
type runner interface {
	run(ctx context.Context, op func(d *db) (any, error)) (any, error)
}

func (s *Store) run(ctx context.Context, op func(d *db) (any, error)) (any, error) {
	return do(s, ctx, op)
}
func (t *tx) run(ctx context.Context, op func(d *db) (any, error)) (any, error) {
	return txDo(t, ctx, op)
}

// call runs op through r and converts the result.
func call[T any](r runner, ctx context.Context, op func(d *db) (T, error)) (T, error) {
	v, err := r.run(ctx, func(d *db) (any, error) { return op(d) })
	if err != nil {
		var zero T
		return zero, err
	}
	return v.(T), nil
}

func exec(r runner, ctx context.Context, op func(d *db) error) error {
	_, err := r.run(ctx, func(d *db) (any, error) { return nil, op(d) })
	return err
}

type list[T any] struct {
	items []T
	next  string
}

// The methods, written once over runner.

func createAccount(r runner, ctx context.Context, a *usermgmt.Account) error {
	return exec(r, ctx, func(d *db) error { return d.createAccount(a) })
}
func getAccount(r runner, ctx context.Context, id string) (usermgmt.Account, error) {
	return call(r, ctx, func(d *db) (usermgmt.Account, error) { return d.getAccount(id) })
}
func updateAccount(r runner, ctx context.Context, a *usermgmt.Account) error {
	return exec(r, ctx, func(d *db) error { return d.updateAccount(a) })
}
func createGroup(r runner, ctx context.Context, g *usermgmt.Group) error {
	return exec(r, ctx, func(d *db) error { return d.createGroup(g) })
}
func getGroup(r runner, ctx context.Context, id string) (usermgmt.Group, error) {
	return call(r, ctx, func(d *db) (usermgmt.Group, error) { return d.getGroup(id) })
}
func listGroups(r runner, ctx context.Context, accountID string) ([]usermgmt.Group, error) {
	return call(r, ctx, func(d *db) ([]usermgmt.Group, error) { return d.listGroups(accountID), nil })
}
func renameGroup(r runner, ctx context.Context, id, name string, at time.Time) error {
	return exec(r, ctx, func(d *db) error { return d.renameGroup(id, name, at) })
}
func moveGroup(r runner, ctx context.Context, id, parentID string, at time.Time) error {
	return exec(r, ctx, func(d *db) error { return d.moveGroup(id, parentID, at) })
}
func deleteGroup(r runner, ctx context.Context, id string) error {
	return exec(r, ctx, func(d *db) error { return d.deleteGroup(id) })
}
func createUser(r runner, ctx context.Context, u *usermgmt.User) error {
	return exec(r, ctx, func(d *db) error { return d.createUser(u) })
}
func getUser(r runner, ctx context.Context, id string) (usermgmt.User, error) {
	return call(r, ctx, func(d *db) (usermgmt.User, error) { return d.getUser(id) })
}
func getUserByUsername(r runner, ctx context.Context, username string) (usermgmt.User, error) {
	return call(r, ctx, func(d *db) (usermgmt.User, error) {
		return d.getUserBy(d.byUsername, usermgmt.UsernameKey(username))
	})
}
func getUserByEmail(r runner, ctx context.Context, email string) (usermgmt.User, error) {
	return call(r, ctx, func(d *db) (usermgmt.User, error) { return d.getUserBy(d.byEmail, usermgmt.EmailKey(email)) })
}
func getUserByPhone(r runner, ctx context.Context, e164 string) (usermgmt.User, error) {
	return call(r, ctx, func(d *db) (usermgmt.User, error) { return d.getUserBy(d.byPhone, e164) })
}
func updateUser(r runner, ctx context.Context, u *usermgmt.User) error {
	return exec(r, ctx, func(d *db) error { return d.updateUser(u) })
}
func setLastLogin(r runner, ctx context.Context, id string, at time.Time) error {
	return exec(r, ctx, func(d *db) error { return d.setLastLogin(id, at) })
}
func deleteUser(r runner, ctx context.Context, id string, at time.Time) error {
	return exec(r, ctx, func(d *db) error { return d.deleteUser(id, at) })
}
func listUsers(r runner, ctx context.Context, f usermgmt.UserFilter, p usermgmt.Page) ([]usermgmt.User, string, error) {
	l, err := call(r, ctx, func(d *db) (list[usermgmt.User], error) {
		items, next, err := d.listUsers(f, p)
		return list[usermgmt.User]{items, next}, err
	})
	return l.items, l.next, err
}
func countUsers(r runner, ctx context.Context, accountID string) (usermgmt.UserCounts, error) {
	return call(r, ctx, func(d *db) (usermgmt.UserCounts, error) { return d.countUsers(accountID) })
}
func setPassword(r runner, ctx context.Context, userID, hash string, _ time.Time) error {
	return exec(r, ctx, func(d *db) error { return d.setPassword(userID, hash) })
}
func getPassword(r runner, ctx context.Context, userID string) (string, error) {
	return call(r, ctx, func(d *db) (string, error) { return d.getPassword(userID) })
}
func createGrant(r runner, ctx context.Context, g *usermgmt.Grant) error {
	return exec(r, ctx, func(d *db) error { return d.createGrant(g) })
}
func getGrant(r runner, ctx context.Context, id string) (usermgmt.Grant, error) {
	return call(r, ctx, func(d *db) (usermgmt.Grant, error) { return d.getGrant(id) })
}
func deleteGrant(r runner, ctx context.Context, id string) error {
	return exec(r, ctx, func(d *db) error { return d.deleteGrant(id) })
}
func listGrants(r runner, ctx context.Context, userID string) ([]usermgmt.Grant, error) {
	return call(r, ctx, func(d *db) ([]usermgmt.Grant, error) { return d.grantList(d.grantsHeld[userID]), nil })
}
func listAccountGrants(r runner, ctx context.Context, accountID string) ([]usermgmt.Grant, error) {
	return call(r, ctx, func(d *db) ([]usermgmt.Grant, error) { return d.grantList(d.grantsOf[accountID]), nil })
}
func createNumber(r runner, ctx context.Context, n *usermgmt.Number) error {
	return exec(r, ctx, func(d *db) error { return d.createNumber(n) })
}
func getNumber(r runner, ctx context.Context, e164 string) (usermgmt.Number, error) {
	return call(r, ctx, func(d *db) (usermgmt.Number, error) { return d.getNumber(e164) })
}
func assignNumber(r runner, ctx context.Context, e164, userID string) error {
	return exec(r, ctx, func(d *db) error { return d.assignNumber(e164, userID) })
}
func deleteNumber(r runner, ctx context.Context, e164 string) error {
	return exec(r, ctx, func(d *db) error { return d.deleteNumber(e164) })
}
func listNumbers(r runner, ctx context.Context, f usermgmt.NumberFilter) ([]usermgmt.Number, error) {
	return call(r, ctx, func(d *db) ([]usermgmt.Number, error) { return d.listNumbers(f), nil })
}
func createAlias(r runner, ctx context.Context, a *usermgmt.Alias) error {
	return exec(r, ctx, func(d *db) error { return d.createAlias(a) })
}
func getAlias(r runner, ctx context.Context, address string) (usermgmt.Alias, error) {
	return call(r, ctx, func(d *db) (usermgmt.Alias, error) { return d.getAlias(address) })
}
func deleteAlias(r runner, ctx context.Context, address string) error {
	return exec(r, ctx, func(d *db) error { return d.deleteAlias(address) })
}
func listAliases(r runner, ctx context.Context, userID string) ([]usermgmt.Alias, error) {
	return call(r, ctx, func(d *db) ([]usermgmt.Alias, error) { return d.listAliases(userID), nil })
}
func createToken(r runner, ctx context.Context, t *usermgmt.Token) error {
	return exec(r, ctx, func(d *db) error { return d.createToken(t) })
}
func getToken(r runner, ctx context.Context, id string) (usermgmt.Token, error) {
	return call(r, ctx, func(d *db) (usermgmt.Token, error) { return d.getToken(id) })
}
func getTokenByHash(r runner, ctx context.Context, hash string) (usermgmt.Token, error) {
	return call(r, ctx, func(d *db) (usermgmt.Token, error) { return d.getTokenByHash(hash) })
}
func updateToken(r runner, ctx context.Context, t *usermgmt.Token) error {
	return exec(r, ctx, func(d *db) error { return d.updateToken(t) })
}
func consumeToken(r runner, ctx context.Context, kind usermgmt.TokenKind, hash string, now time.Time, outcome string) (usermgmt.Token, error) {
	return call(r, ctx, func(d *db) (usermgmt.Token, error) { return d.consumeToken(kind, hash, now, outcome) })
}
func addTokenAttempt(r runner, ctx context.Context, id string, max int) (int, error) {
	return call(r, ctx, func(d *db) (int, error) { return d.addTokenAttempt(id, max) })
}
func deleteToken(r runner, ctx context.Context, id string) error {
	return exec(r, ctx, func(d *db) error { return d.deleteToken(id) })
}
func listTokens(r runner, ctx context.Context, f usermgmt.TokenFilter, p usermgmt.Page) ([]usermgmt.Token, string, error) {
	l, err := call(r, ctx, func(d *db) (list[usermgmt.Token], error) {
		items, next, err := d.listTokens(f, p)
		return list[usermgmt.Token]{items, next}, err
	})
	return l.items, l.next, err
}
func deleteTokens(r runner, ctx context.Context, userID string, kind usermgmt.TokenKind) (int, error) {
	return call(r, ctx, func(d *db) (int, error) { return d.deleteTokens(userID, kind), nil })
}
func createSession(r runner, ctx context.Context, s *usermgmt.Session) error {
	return exec(r, ctx, func(d *db) error { return d.createSession(s) })
}
func getSessionByHash(r runner, ctx context.Context, hash string) (usermgmt.Session, error) {
	return call(r, ctx, func(d *db) (usermgmt.Session, error) { return d.getSessionByHash(hash) })
}
func touchSession(r runner, ctx context.Context, id string, at time.Time) error {
	return exec(r, ctx, func(d *db) error { return d.touchSession(id, at) })
}
func deleteSession(r runner, ctx context.Context, id string) error {
	return exec(r, ctx, func(d *db) error { return d.deleteSession(id) })
}
func deleteSessions(r runner, ctx context.Context, userID string, kind usermgmt.SessionKind) (int, error) {
	return call(r, ctx, func(d *db) (int, error) { return d.deleteSessions(userID, kind), nil })
}
func listSessions(r runner, ctx context.Context, userID string, kind usermgmt.SessionKind) ([]usermgmt.Session, error) {
	return call(r, ctx, func(d *db) ([]usermgmt.Session, error) { return d.listSessions(userID, kind), nil })
}
func appendEvent(r runner, ctx context.Context, e *usermgmt.Event) error {
	return exec(r, ctx, func(d *db) error { return d.appendEvent(e) })
}
func listEvents(r runner, ctx context.Context, f usermgmt.EventFilter, p usermgmt.Page) ([]usermgmt.Event, string, error) {
	l, err := call(r, ctx, func(d *db) (list[usermgmt.Event], error) {
		items, next, err := d.listEvents(f, p)
		return list[usermgmt.Event]{items, next}, err
	})
	return l.items, l.next, err
}
func hit(r runner, ctx context.Context, key string, now time.Time, window time.Duration) (int64, error) {
	return call(r, ctx, func(d *db) (int64, error) { return d.hit(key, now, window) })
}
func getCounter(r runner, ctx context.Context, key string, now time.Time, window time.Duration) (usermgmt.Counter, error) {
	return call(r, ctx, func(d *db) (usermgmt.Counter, error) { return d.getCounter(key, now, window), nil })
}
func resetCounter(r runner, ctx context.Context, key string) error {
	return exec(r, ctx, func(d *db) error { drop(d, d.counters, key); return nil })
}
func purge(r runner, ctx context.Context, before time.Time) (int, error) {
	return call(r, ctx, func(d *db) (int, error) { return d.purge(before), nil })
}
