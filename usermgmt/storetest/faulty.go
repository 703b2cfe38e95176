package storetest

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/rosterkit/roster/internal/faultplan"
	"github.com/rosterkit/roster/usermgmt"
)

// ErrInjected is the error of a call a Faulty store was told to fail.
var ErrInjected = errors.New("storetest: injected store failure")

// Mode is what a faulted call of a Faulty store does.
type Mode int

const (
	// Fail returns an error matching ErrInjected without calling the
	// store, as a database that refused the statement.
	Fail Mode = iota + 1
	// Timeout returns an error matching context.DeadlineExceeded without
	// calling the store, as a driver whose deadline passed.
	Timeout
	// Hang blocks until the call's context ends, then returns its error:
	// a database that never answers.
	Hang
)

// String names the mode: "fail", "timeout" or "hang".
func (m Mode) String() string {
	switch m {
	case Fail:
		return "fail"
	case Timeout:
		return "timeout"
	case Hang:
		return "hang"
	}
	return "mode(" + strconv.Itoa(int(m)) + ")"
}

// Faulty is a usermgmt.Store that fails chosen calls of the store it
// wraps, to check what is built on a Store under a database that breaks:
// that nothing is half written, no audit event is lost, the error says
// what happened and a retry succeeds. Every method of the Store is one
// call, inside a transaction too; the commit of WithTx is one more,
// named "Commit": faulting it rolls the transaction back.
//
// A test learns the steps of an operation from Calls, then runs it again
// with a fault at each step:
//
//	fs := storetest.NewFaulty(store)
//	svc := newService(fs)
//	_ = svc.CreateUser(ctx, …) // clean run
//	steps := fs.Calls()
//	for i := range steps {
//		fs.Reset()
//		fs.Inject(i+1, "", storetest.Fail)
//		err := svc.CreateUser(ctx, …) // must fail cleanly
//	}
//
// A Faulty store is safe for concurrent use.
type Faulty struct {
	faultyTx
	store usermgmt.Store
	plan  faultplan.Plan
}

var _ usermgmt.Store = (*Faulty)(nil)

// NewFaulty wraps s; it injects nothing until told to.
func NewFaulty(s usermgmt.Store) *Faulty {
	f := &Faulty{store: s}
	f.faultyTx = faultyTx{f: f, tx: s}
	return f
}

// Inject schedules a fault: the call-th call from now (1-based) whose
// method is op ("" for any method, "Commit" for a WithTx commit) does
// what mode says. Each injected fault fires once; several may be
// pending.
func (f *Faulty) Inject(call int, op string, mode Mode) {
	f.plan.Add(call, op, faultplan.Mode(mode))
}

// Calls returns the methods called since NewFaulty or Reset, in order,
// with "WithTx" where a transaction began and "Commit" where it was to
// commit.
func (f *Faulty) Calls() []string { return f.plan.Calls() }

// Reset forgets the calls seen and every fault not yet fired.
func (f *Faulty) Reset() { f.plan.Reset() }

// Unwrap returns the wrapped store.
func (f *Faulty) Unwrap() usermgmt.Store { return f.store }

// WithTx runs fn in a transaction of the wrapped store through a Tx that
// injects faults too. Beginning counts as the call "WithTx" and
// committing as "Commit"; a fault at either rolls back and returns the
// fault's error.
func (f *Faulty) WithTx(ctx context.Context, fn func(tx usermgmt.Tx) error) error {
	if err := f.step(ctx, "WithTx"); err != nil {
		return err
	}
	return f.store.WithTx(ctx, func(tx usermgmt.Tx) error {
		if err := fn(faultyTx{f: f, tx: tx}); err != nil {
			return err
		}
		return f.step(ctx, "Commit")
	})
}

// step records a call and returns the error of its fault, if any.
func (f *Faulty) step(ctx context.Context, op string) error {
	mode, ok := f.plan.Next(op)
	if !ok {
		return nil
	}
	switch Mode(mode) {
	case Timeout:
		return faultplan.Timeout("storetest", op)
	case Hang:
		return faultplan.Hang(ctx, "storetest", op)
	}
	return faultplan.Failed(ErrInjected, op)
}

// faultyTx forwards every call to tx after asking f whether it fails.
type faultyTx struct {
	f  *Faulty
	tx usermgmt.Tx
}

func (w faultyTx) CreateAccount(ctx context.Context, a *usermgmt.Account) error {
	if err := w.f.step(ctx, "CreateAccount"); err != nil {
		return err
	}
	return w.tx.CreateAccount(ctx, a)
}

func (w faultyTx) GetAccount(ctx context.Context, id string) (usermgmt.Account, error) {
	if err := w.f.step(ctx, "GetAccount"); err != nil {
		return usermgmt.Account{}, err
	}
	return w.tx.GetAccount(ctx, id)
}

func (w faultyTx) UpdateAccount(ctx context.Context, a *usermgmt.Account) error {
	if err := w.f.step(ctx, "UpdateAccount"); err != nil {
		return err
	}
	return w.tx.UpdateAccount(ctx, a)
}

func (w faultyTx) CreateGroup(ctx context.Context, g *usermgmt.Group) error {
	if err := w.f.step(ctx, "CreateGroup"); err != nil {
		return err
	}
	return w.tx.CreateGroup(ctx, g)
}

func (w faultyTx) GetGroup(ctx context.Context, id string) (usermgmt.Group, error) {
	if err := w.f.step(ctx, "GetGroup"); err != nil {
		return usermgmt.Group{}, err
	}
	return w.tx.GetGroup(ctx, id)
}

func (w faultyTx) ListGroups(ctx context.Context, accountID string) ([]usermgmt.Group, error) {
	if err := w.f.step(ctx, "ListGroups"); err != nil {
		return nil, err
	}
	return w.tx.ListGroups(ctx, accountID)
}

func (w faultyTx) RenameGroup(ctx context.Context, id, name string, at time.Time) error {
	if err := w.f.step(ctx, "RenameGroup"); err != nil {
		return err
	}
	return w.tx.RenameGroup(ctx, id, name, at)
}

func (w faultyTx) MoveGroup(ctx context.Context, id, parentID string, at time.Time) error {
	if err := w.f.step(ctx, "MoveGroup"); err != nil {
		return err
	}
	return w.tx.MoveGroup(ctx, id, parentID, at)
}

func (w faultyTx) DeleteGroup(ctx context.Context, id string) error {
	if err := w.f.step(ctx, "DeleteGroup"); err != nil {
		return err
	}
	return w.tx.DeleteGroup(ctx, id)
}

func (w faultyTx) CreateUser(ctx context.Context, u *usermgmt.User) error {
	if err := w.f.step(ctx, "CreateUser"); err != nil {
		return err
	}
	return w.tx.CreateUser(ctx, u)
}

func (w faultyTx) GetUser(ctx context.Context, id string) (usermgmt.User, error) {
	if err := w.f.step(ctx, "GetUser"); err != nil {
		return usermgmt.User{}, err
	}
	return w.tx.GetUser(ctx, id)
}

func (w faultyTx) GetUserByUsername(ctx context.Context, username string) (usermgmt.User, error) {
	if err := w.f.step(ctx, "GetUserByUsername"); err != nil {
		return usermgmt.User{}, err
	}
	return w.tx.GetUserByUsername(ctx, username)
}

func (w faultyTx) GetUserByEmail(ctx context.Context, email string) (usermgmt.User, error) {
	if err := w.f.step(ctx, "GetUserByEmail"); err != nil {
		return usermgmt.User{}, err
	}
	return w.tx.GetUserByEmail(ctx, email)
}

func (w faultyTx) GetUserByPhone(ctx context.Context, e164 string) (usermgmt.User, error) {
	if err := w.f.step(ctx, "GetUserByPhone"); err != nil {
		return usermgmt.User{}, err
	}
	return w.tx.GetUserByPhone(ctx, e164)
}

func (w faultyTx) UpdateUser(ctx context.Context, u *usermgmt.User) error {
	if err := w.f.step(ctx, "UpdateUser"); err != nil {
		return err
	}
	return w.tx.UpdateUser(ctx, u)
}

func (w faultyTx) SetLastLogin(ctx context.Context, userID string, at time.Time) error {
	if err := w.f.step(ctx, "SetLastLogin"); err != nil {
		return err
	}
	return w.tx.SetLastLogin(ctx, userID, at)
}

func (w faultyTx) DeleteUser(ctx context.Context, id string, at time.Time) error {
	if err := w.f.step(ctx, "DeleteUser"); err != nil {
		return err
	}
	return w.tx.DeleteUser(ctx, id, at)
}

func (w faultyTx) ListUsers(ctx context.Context, f usermgmt.UserFilter, p usermgmt.Page) (users []usermgmt.User, next string, err error) {
	if err := w.f.step(ctx, "ListUsers"); err != nil {
		return nil, "", err
	}
	return w.tx.ListUsers(ctx, f, p)
}

func (w faultyTx) CountUsers(ctx context.Context, accountID string) (usermgmt.UserCounts, error) {
	if err := w.f.step(ctx, "CountUsers"); err != nil {
		return usermgmt.UserCounts{}, err
	}
	return w.tx.CountUsers(ctx, accountID)
}

func (w faultyTx) SetPassword(ctx context.Context, userID, hash string, at time.Time) error {
	if err := w.f.step(ctx, "SetPassword"); err != nil {
		return err
	}
	return w.tx.SetPassword(ctx, userID, hash, at)
}

func (w faultyTx) GetPassword(ctx context.Context, userID string) (string, error) {
	if err := w.f.step(ctx, "GetPassword"); err != nil {
		return "", err
	}
	return w.tx.GetPassword(ctx, userID)
}

func (w faultyTx) CreateGrant(ctx context.Context, g *usermgmt.Grant) error {
	if err := w.f.step(ctx, "CreateGrant"); err != nil {
		return err
	}
	return w.tx.CreateGrant(ctx, g)
}

func (w faultyTx) GetGrant(ctx context.Context, id string) (usermgmt.Grant, error) {
	if err := w.f.step(ctx, "GetGrant"); err != nil {
		return usermgmt.Grant{}, err
	}
	return w.tx.GetGrant(ctx, id)
}

func (w faultyTx) DeleteGrant(ctx context.Context, id string) error {
	if err := w.f.step(ctx, "DeleteGrant"); err != nil {
		return err
	}
	return w.tx.DeleteGrant(ctx, id)
}

func (w faultyTx) ListGrants(ctx context.Context, userID string) ([]usermgmt.Grant, error) {
	if err := w.f.step(ctx, "ListGrants"); err != nil {
		return nil, err
	}
	return w.tx.ListGrants(ctx, userID)
}

func (w faultyTx) ListAccountGrants(ctx context.Context, accountID string) ([]usermgmt.Grant, error) {
	if err := w.f.step(ctx, "ListAccountGrants"); err != nil {
		return nil, err
	}
	return w.tx.ListAccountGrants(ctx, accountID)
}

func (w faultyTx) CreateNumber(ctx context.Context, n *usermgmt.Number) error {
	if err := w.f.step(ctx, "CreateNumber"); err != nil {
		return err
	}
	return w.tx.CreateNumber(ctx, n)
}

func (w faultyTx) GetNumber(ctx context.Context, e164 string) (usermgmt.Number, error) {
	if err := w.f.step(ctx, "GetNumber"); err != nil {
		return usermgmt.Number{}, err
	}
	return w.tx.GetNumber(ctx, e164)
}

func (w faultyTx) AssignNumber(ctx context.Context, e164, userID string) error {
	if err := w.f.step(ctx, "AssignNumber"); err != nil {
		return err
	}
	return w.tx.AssignNumber(ctx, e164, userID)
}

func (w faultyTx) DeleteNumber(ctx context.Context, e164 string) error {
	if err := w.f.step(ctx, "DeleteNumber"); err != nil {
		return err
	}
	return w.tx.DeleteNumber(ctx, e164)
}

func (w faultyTx) ListNumbers(ctx context.Context, f usermgmt.NumberFilter) ([]usermgmt.Number, error) {
	if err := w.f.step(ctx, "ListNumbers"); err != nil {
		return nil, err
	}
	return w.tx.ListNumbers(ctx, f)
}

func (w faultyTx) CreateAlias(ctx context.Context, a *usermgmt.Alias) error {
	if err := w.f.step(ctx, "CreateAlias"); err != nil {
		return err
	}
	return w.tx.CreateAlias(ctx, a)
}

func (w faultyTx) GetAlias(ctx context.Context, address string) (usermgmt.Alias, error) {
	if err := w.f.step(ctx, "GetAlias"); err != nil {
		return usermgmt.Alias{}, err
	}
	return w.tx.GetAlias(ctx, address)
}

func (w faultyTx) DeleteAlias(ctx context.Context, address string) error {
	if err := w.f.step(ctx, "DeleteAlias"); err != nil {
		return err
	}
	return w.tx.DeleteAlias(ctx, address)
}

func (w faultyTx) ListAliases(ctx context.Context, userID string) ([]usermgmt.Alias, error) {
	if err := w.f.step(ctx, "ListAliases"); err != nil {
		return nil, err
	}
	return w.tx.ListAliases(ctx, userID)
}

func (w faultyTx) CreateToken(ctx context.Context, t *usermgmt.Token) error {
	if err := w.f.step(ctx, "CreateToken"); err != nil {
		return err
	}
	return w.tx.CreateToken(ctx, t)
}

func (w faultyTx) GetToken(ctx context.Context, id string) (usermgmt.Token, error) {
	if err := w.f.step(ctx, "GetToken"); err != nil {
		return usermgmt.Token{}, err
	}
	return w.tx.GetToken(ctx, id)
}

func (w faultyTx) GetTokenByHash(ctx context.Context, hash string) (usermgmt.Token, error) {
	if err := w.f.step(ctx, "GetTokenByHash"); err != nil {
		return usermgmt.Token{}, err
	}
	return w.tx.GetTokenByHash(ctx, hash)
}

func (w faultyTx) UpdateToken(ctx context.Context, t *usermgmt.Token) error {
	if err := w.f.step(ctx, "UpdateToken"); err != nil {
		return err
	}
	return w.tx.UpdateToken(ctx, t)
}

func (w faultyTx) ConsumeToken(ctx context.Context, kind usermgmt.TokenKind, hash string, now time.Time, outcome string) (usermgmt.Token, error) {
	if err := w.f.step(ctx, "ConsumeToken"); err != nil {
		return usermgmt.Token{}, err
	}
	return w.tx.ConsumeToken(ctx, kind, hash, now, outcome)
}

func (w faultyTx) AddTokenAttempt(ctx context.Context, id string, max int) (int, error) {
	if err := w.f.step(ctx, "AddTokenAttempt"); err != nil {
		return 0, err
	}
	return w.tx.AddTokenAttempt(ctx, id, max)
}

func (w faultyTx) DeleteToken(ctx context.Context, id string) error {
	if err := w.f.step(ctx, "DeleteToken"); err != nil {
		return err
	}
	return w.tx.DeleteToken(ctx, id)
}

func (w faultyTx) ListTokens(ctx context.Context, f usermgmt.TokenFilter, p usermgmt.Page) (tokens []usermgmt.Token, next string, err error) {
	if err := w.f.step(ctx, "ListTokens"); err != nil {
		return nil, "", err
	}
	return w.tx.ListTokens(ctx, f, p)
}

func (w faultyTx) DeleteTokens(ctx context.Context, userID string, kind usermgmt.TokenKind) (int, error) {
	if err := w.f.step(ctx, "DeleteTokens"); err != nil {
		return 0, err
	}
	return w.tx.DeleteTokens(ctx, userID, kind)
}

func (w faultyTx) CreateSession(ctx context.Context, s *usermgmt.Session) error {
	if err := w.f.step(ctx, "CreateSession"); err != nil {
		return err
	}
	return w.tx.CreateSession(ctx, s)
}

func (w faultyTx) GetSessionByHash(ctx context.Context, hash string) (usermgmt.Session, error) {
	if err := w.f.step(ctx, "GetSessionByHash"); err != nil {
		return usermgmt.Session{}, err
	}
	return w.tx.GetSessionByHash(ctx, hash)
}

func (w faultyTx) TouchSession(ctx context.Context, id string, at time.Time) error {
	if err := w.f.step(ctx, "TouchSession"); err != nil {
		return err
	}
	return w.tx.TouchSession(ctx, id, at)
}

func (w faultyTx) DeleteSession(ctx context.Context, id string) error {
	if err := w.f.step(ctx, "DeleteSession"); err != nil {
		return err
	}
	return w.tx.DeleteSession(ctx, id)
}

func (w faultyTx) DeleteSessions(ctx context.Context, userID string, kind usermgmt.SessionKind) (int, error) {
	if err := w.f.step(ctx, "DeleteSessions"); err != nil {
		return 0, err
	}
	return w.tx.DeleteSessions(ctx, userID, kind)
}

func (w faultyTx) ListSessions(ctx context.Context, userID string, kind usermgmt.SessionKind) ([]usermgmt.Session, error) {
	if err := w.f.step(ctx, "ListSessions"); err != nil {
		return nil, err
	}
	return w.tx.ListSessions(ctx, userID, kind)
}

func (w faultyTx) AppendEvent(ctx context.Context, e *usermgmt.Event) error {
	if err := w.f.step(ctx, "AppendEvent"); err != nil {
		return err
	}
	return w.tx.AppendEvent(ctx, e)
}

func (w faultyTx) ListEvents(ctx context.Context, f usermgmt.EventFilter, p usermgmt.Page) (events []usermgmt.Event, next string, err error) {
	if err := w.f.step(ctx, "ListEvents"); err != nil {
		return nil, "", err
	}
	return w.tx.ListEvents(ctx, f, p)
}

func (w faultyTx) Hit(ctx context.Context, key string, now time.Time, window time.Duration) (int64, error) {
	if err := w.f.step(ctx, "Hit"); err != nil {
		return 0, err
	}
	return w.tx.Hit(ctx, key, now, window)
}

func (w faultyTx) GetCounter(ctx context.Context, key string, now time.Time, window time.Duration) (usermgmt.Counter, error) {
	if err := w.f.step(ctx, "GetCounter"); err != nil {
		return usermgmt.Counter{}, err
	}
	return w.tx.GetCounter(ctx, key, now, window)
}

func (w faultyTx) ResetCounter(ctx context.Context, key string) error {
	if err := w.f.step(ctx, "ResetCounter"); err != nil {
		return err
	}
	return w.tx.ResetCounter(ctx, key)
}

func (w faultyTx) Purge(ctx context.Context, before time.Time) (int, error) {
	if err := w.f.step(ctx, "Purge"); err != nil {
		return 0, err
	}
	return w.tx.Purge(ctx, before)
}
