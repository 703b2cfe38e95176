package usermgmt

import (
	"context"
	"errors"
	"slices"
	"strings"
)

// Actor is a user acting in their own account, with the grants they
// hold. Services load it at the start of every operation, inside the
// operation's transaction, so a status change or a revoked grant takes
// effect on the very next call.
type Actor struct {
	User    User
	Account Account
	Grants  []Grant
	groups  map[string]Group
}

// hiddenError is returned for a target the actor may not see: missing,
// in another account, or outside every scope the actor holds. It
// matches both ErrNotFound and ErrForbidden, and its message does not
// say which, so nobody can map what lies outside their scope.
type hiddenError struct{}

func (hiddenError) Error() string { return "not found" }

func (hiddenError) Is(target error) bool { return target == ErrNotFound || target == ErrForbidden }

// ErrHidden is the error for a target the actor may not see (missing,
// in another account, or out of scope). It matches both ErrNotFound and
// ErrForbidden.
var ErrHidden error = hiddenError{}

// refusal carries an authorization failure out of a transaction so that
// it can be audited after the rollback.
type refusal struct {
	err        error
	targetType string
	targetID   string
}

func (r *refusal) Error() string { return r.err.Error() }
func (r *refusal) Unwrap() error { return r.err }

// Refusal marks err as an authorization refusal of an operation on a
// target, for Run to audit after rolling the transaction back. Packages
// that build authorized operations on Run use it for their own checks.
func Refusal(err error, targetType, targetID string) error {
	return &refusal{err: err, targetType: targetType, targetID: targetID}
}

// forbidden makes an ErrForbidden with a readable reason.
func forbidden(why string) error { return &forbiddenError{why: why} }

type forbiddenError struct{ why string }

func (e *forbiddenError) Error() string   { return "forbidden: " + e.why }
func (e *forbiddenError) Is(t error) bool { return t == ErrForbidden }

// LoadActor reads the actor, its account, grants and the account's
// groups through tx. The actor must exist and be active (a suspension
// whose end has passed counts as over); anything else is ErrForbidden.
func (s *Service) LoadActor(ctx context.Context, tx Tx, actorID string) (*Actor, error) {
	if actorID == "" {
		return nil, forbidden("no actor")
	}
	u, err := tx.GetUser(ctx, actorID)
	if errors.Is(err, ErrNotFound) {
		return nil, forbidden("unknown actor")
	}
	if err != nil {
		return nil, err
	}
	if s.EffectiveStatus(u) != StatusActive {
		return nil, &actorError{accountID: u.AccountID, err: forbidden("actor is not active")}
	}
	acct, err := tx.GetAccount(ctx, u.AccountID)
	if err != nil {
		return nil, err
	}
	a := &Actor{User: u, Account: acct}
	if !a.IsOwner() {
		if a.Grants, err = tx.ListGrants(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	groups, err := tx.ListGroups(ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	a.groups = make(map[string]Group, len(groups))
	for _, g := range groups {
		a.groups[g.ID] = g
	}
	return a, nil
}

// actorError lets a refusal of an inactive actor be audited in the
// actor's account.
type actorError struct {
	accountID string
	err       error
}

func (e *actorError) Error() string { return e.err.Error() }
func (e *actorError) Unwrap() error { return e.err }

// EffectiveStatus is u's status at the service's current time: a
// suspension with an end that has passed counts as active.
func (s *Service) EffectiveStatus(u User) Status {
	if u.Status == StatusSuspended && !u.SuspendedUntil.IsZero() && !s.Now().Before(u.SuspendedUntil) {
		return StatusActive
	}
	return u.Status
}

// IsOwner reports whether the actor owns the account: the owner holds
// every permission over the whole account, pricing and payments included.
func (a *Actor) IsOwner() bool {
	return a.User.Type == TypeOwner && a.Account.OwnerID == a.User.ID
}

// Group returns a group of the actor's account.
func (a *Actor) Group(id string) (Group, bool) {
	g, ok := a.groups[id]
	return g, ok
}

// Groups returns the account's groups ordered by path.
func (a *Actor) Groups() []Group {
	out := make([]Group, 0, len(a.groups))
	for _, g := range a.groups {
		out = append(out, g)
	}
	slices.SortFunc(out, func(x, y Group) int { return strings.Compare(x.Path, y.Path) })
	return out
}

// groupWithin reports whether group id lies in the subtree of group root.
func (a *Actor) groupWithin(id, root string) bool {
	g, ok1 := a.groups[id]
	r, ok2 := a.groups[root]
	return ok1 && ok2 && r.Contains(g)
}

// grantCovers reports whether one grant's scope contains user u (with
// perm, or any permission when perm is "").
func (a *Actor) grantCoversUser(g Grant, perm Permission, u User) bool {
	if perm != "" && !g.Has(perm) {
		return false
	}
	if g.Scope.UserID != "" {
		return g.Scope.UserID == u.ID
	}
	return a.groupWithin(u.GroupID, g.Scope.GroupID)
}

// CanUser reports whether the actor holds perm over user u. An empty
// perm asks whether any grant covers u (whether the actor may see u).
func (a *Actor) CanUser(perm Permission, u User) bool {
	if u.AccountID != a.Account.ID || !u.Live() {
		return false
	}
	if a.IsOwner() {
		return true
	}
	if perm.OwnerOnly() {
		return false
	}
	for _, g := range a.Grants {
		if a.grantCoversUser(g, perm, u) {
			return true
		}
	}
	return false
}

// CanGroup reports whether the actor holds perm over group id's whole
// subtree (any permission when perm is "").
func (a *Actor) CanGroup(perm Permission, id string) bool {
	if _, ok := a.groups[id]; !ok {
		return false
	}
	if a.IsOwner() {
		return true
	}
	if perm.OwnerOnly() {
		return false
	}
	for _, g := range a.Grants {
		if (perm == "" || g.Has(perm)) && g.Scope.GroupID != "" && a.groupWithin(id, g.Scope.GroupID) {
			return true
		}
	}
	return false
}

// SeesGroup reports whether the actor may see group id: it lies in, or
// above, a group the actor holds a grant on. Ancestors are visible so
// that the tree can be drawn down to the actor's groups.
func (a *Actor) SeesGroup(id string) bool {
	if a.CanGroup("", id) {
		return true
	}
	g, ok := a.groups[id]
	if !ok {
		return false
	}
	for _, gr := range a.Grants {
		if gr.Scope.GroupID == "" {
			continue
		}
		if held, ok := a.groups[gr.Scope.GroupID]; ok && g.Contains(held) {
			return true
		}
	}
	return false
}

// CanAccount reports whether the actor holds perm over the whole account
// (a grant on the root group).
func (a *Actor) CanAccount(perm Permission) bool { return a.CanGroup(perm, a.Account.RootGroupID) }

// IsAdmin reports whether the actor owns the account or holds any grant.
func (a *Actor) IsAdmin() bool { return a.IsOwner() || len(a.Grants) > 0 }

// Covers reports whether the actor could grant g: it holds every one of
// g's permissions over g's whole scope, and none of them is the owner's
// alone. scopeUser is the user a user-scoped grant covers (ignored for a
// group scope). Nobody grants — or revokes — what they do not hold.
func (a *Actor) Covers(g Grant, scopeUser User) bool {
	for _, p := range g.Permissions {
		if p.OwnerOnly() {
			return false
		}
		switch {
		case g.Scope.GroupID != "":
			if !a.CanGroup(p, g.Scope.GroupID) {
				return false
			}
		case g.Scope.UserID != "":
			if scopeUser.ID != g.Scope.UserID || !a.CanUser(p, scopeUser) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// Visibility returns the part of the account the actor may see, for
// UserFilter.Within: nil for the owner (everything).
func (a *Actor) Visibility() *Visibility {
	if a.IsOwner() {
		return nil
	}
	v := &Visibility{Groups: []string{}, Users: []string{}}
	for _, g := range a.Grants {
		if g.Scope.GroupID != "" {
			v.Groups = append(v.Groups, g.Scope.GroupID)
		} else if g.Scope.UserID != "" {
			v.Users = append(v.Users, g.Scope.UserID)
		}
	}
	return v
}

// Permissions returns the permissions the actor holds anywhere, sorted.
func (a *Actor) Permissions() []Permission {
	if a.IsOwner() {
		return BuiltinPermissions()
	}
	var out []Permission
	for _, g := range a.Grants {
		for _, p := range g.Permissions {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	slices.Sort(out)
	return out
}

// TargetUser loads user id through tx and checks that the actor holds
// perm over it. A user the actor may not see at all is ErrHidden; one it
// sees but lacks perm on is ErrForbidden. Both come back as refusals.
func (a *Actor) TargetUser(ctx context.Context, tx Tx, perm Permission, id string) (User, error) {
	u, err := tx.GetUser(ctx, id)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return User{}, err
	}
	if err != nil || !a.CanUser("", u) {
		return User{}, Refusal(ErrHidden, "user", id)
	}
	if !a.CanUser(perm, u) {
		return User{}, Refusal(forbidden("missing permission "+string(perm)), "user", id)
	}
	return u, nil
}

// TargetGroup checks that the actor holds perm over group id.
func (a *Actor) TargetGroup(perm Permission, id string) (Group, error) {
	g, ok := a.groups[id]
	if !ok || !a.SeesGroup(id) {
		return Group{}, Refusal(ErrHidden, "group", id)
	}
	if !a.CanGroup(perm, id) {
		return Group{}, Refusal(forbidden("missing permission "+string(perm)), "group", id)
	}
	return g, nil
}

// dominates reports whether the actor may act on target's standing: the
// owner can be managed by nobody but themselves, and an admin can be
// managed only by an actor who covers every grant the admin holds.
func (a *Actor) dominates(ctx context.Context, tx Tx, target User) (bool, error) {
	if target.ID == a.Account.OwnerID || target.Type == TypeOwner {
		return a.User.ID == target.ID, nil
	}
	if a.IsOwner() {
		return true, nil
	}
	grants, err := tx.ListGrants(ctx, target.ID)
	if err != nil {
		return false, err
	}
	for _, g := range grants {
		scopeUser := User{}
		if g.Scope.UserID != "" {
			if scopeUser, err = tx.GetUser(ctx, g.Scope.UserID); err != nil {
				return false, err
			}
		}
		if !a.Covers(g, scopeUser) {
			return false, nil
		}
	}
	return true, nil
}

// Run loads the actor and runs fn in one transaction, then audits any
// refusal fn returned (see Refusal) after the rollback, in the actor's
// account, and returns the refusal's error. Every operation of this
// package is built on it; auth, invite and importer build theirs on it
// too.
func (s *Service) Run(ctx context.Context, actorID, action string, fn func(tx Tx, a *Actor) error) error {
	var accountID string
	err := s.tx(ctx, func(tx Tx) error {
		a, err := s.LoadActor(ctx, tx, actorID)
		if err != nil {
			var ae *actorError
			if errors.As(err, &ae) {
				accountID = ae.accountID
				return Refusal(ae.err, "user", actorID)
			}
			if errors.Is(err, ErrForbidden) {
				return Refusal(err, "user", actorID)
			}
			return err
		}
		accountID = a.Account.ID
		return fn(tx, a)
	})
	var r *refusal
	if errors.As(err, &r) {
		return s.Refuse(ctx, accountID, actorID, action, r.targetType, r.targetID, r.err)
	}
	return err
}
