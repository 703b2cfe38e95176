package usermgmt

import (
	"context"
	"errors"
	"regexp"
	"slices"
)

var permPattern = regexp.MustCompile(`^[a-z][a-z0-9_.:-]{0,63}$`)

// CheckPermissions validates a permission set: at least one, each a
// built-in or a host-defined name (lower-case letters, digits, '_', '.',
// ':' and '-'), no repeats. It returns the set sorted.
func CheckPermissions(perms []Permission) ([]Permission, error) {
	ve := &ValidationError{}
	if len(perms) == 0 {
		ve.Add("permissions", CodeRequired, "name at least one permission")
		return nil, ve
	}
	out := slices.Clone(perms)
	slices.Sort(out)
	for i, p := range out {
		switch {
		case !permPattern.MatchString(string(p)):
			ve.Add("permissions", CodeInvalid, "a permission is 1 to 64 lower-case letters, digits, '_', '.', ':' or '-', starting with a letter")
			return nil, ve
		case i > 0 && out[i-1] == p:
			ve.Add("permissions", CodeInvalid, "a permission is named twice")
			return nil, ve
		}
	}
	return out, nil
}

// checkScope validates a grant's scope against the actor's account and
// returns the scoped user for a user scope.
func (a *Actor) checkScope(ctx context.Context, tx Tx, sc Scope) (User, error) {
	switch {
	case (sc.GroupID == "") == (sc.UserID == ""):
		ve := &ValidationError{}
		ve.Add("scope", CodeInvalid, "name either a group or a user")
		return User{}, ve
	case sc.GroupID != "":
		if !a.SeesGroup(sc.GroupID) {
			return User{}, Refusal(ErrHidden, "group", sc.GroupID)
		}
		return User{}, nil
	}
	u, err := tx.GetUser(ctx, sc.UserID)
	if err != nil && !isNotFound(err) {
		return User{}, err
	}
	if err != nil || !a.CanUser("", u) {
		return User{}, Refusal(ErrHidden, "user", sc.UserID)
	}
	return u, nil
}

func isNotFound(err error) bool { return err != nil && errors.Is(err, ErrNotFound) }

// Grant gives holder the permissions over a scope: a group's subtree, or
// one user (seed 003: "put another user's email here and he has
// administrative rights to this user"). The actor needs PermUsers over
// the holder and must itself hold every permission over the whole scope:
// nobody grants what they do not hold, and pricing and payments are the
// owner's alone. An end user who receives a grant becomes an admin.
func (s *Service) Grant(ctx context.Context, actor, holderID string, scope Scope, perms []Permission) (Grant, error) {
	perms, err := CheckPermissions(perms)
	if err != nil {
		return Grant{}, err
	}
	var out Grant
	err = s.Run(ctx, actor, "grant.create", func(tx Tx, a *Actor) error {
		holder, err := a.TargetUser(ctx, tx, PermUsers, holderID)
		if err != nil {
			return err
		}
		if holder.ID == a.Account.OwnerID {
			ve := &ValidationError{}
			ve.Add("user_id", CodeInvalid, "the owner holds every permission already")
			return ve
		}
		scopeUser, err := a.checkScope(ctx, tx, scope)
		if err != nil {
			return err
		}
		now := s.Now()
		g := Grant{ID: s.newID(), AccountID: a.Account.ID, UserID: holder.ID, Scope: scope,
			Permissions: perms, CreatedBy: a.User.ID, CreatedAt: now}
		if !a.Covers(g, scopeUser) {
			return Refusal(forbidden("nobody grants what they do not hold"), "user", holder.ID)
		}
		if holder.Type == TypeEndUser {
			holder.Type, holder.UpdatedAt = TypeAdmin, now
			if err := tx.UpdateUser(ctx, &holder); err != nil {
				return err
			}
			if err := s.Record(ctx, tx, Event{AccountID: holder.AccountID, ActorID: a.User.ID, Action: "user.update",
				TargetType: "user", TargetID: holder.ID, Fields: []string{"type"}, At: now}); err != nil {
				return err
			}
		}
		if err := tx.CreateGrant(ctx, &g); err != nil {
			return err
		}
		out = g
		return s.Record(ctx, tx, Event{AccountID: g.AccountID, ActorID: a.User.ID, Action: "grant.create",
			TargetType: "user", TargetID: holder.ID, Fields: permNames(perms), At: now})
	})
	return out, err
}

func permNames(perms []Permission) []string {
	out := make([]string, len(perms))
	for i, p := range perms {
		out[i] = string(p)
	}
	return out
}

// Revoke removes a grant. The actor must be able to grant it (hold its
// permissions over its scope) and cannot revoke its own grants.
func (s *Service) Revoke(ctx context.Context, actor, grantID string) error {
	return s.Run(ctx, actor, "grant.revoke", func(tx Tx, a *Actor) error {
		g, err := tx.GetGrant(ctx, grantID)
		if err != nil && !isNotFound(err) {
			return err
		}
		if err != nil || g.AccountID != a.Account.ID {
			return Refusal(ErrHidden, "grant", grantID)
		}
		if _, err := a.TargetUser(ctx, tx, PermUsers, g.UserID); err != nil {
			return err
		}
		if g.UserID == a.User.ID {
			return Refusal(forbidden("nobody can lock themselves out"), "grant", grantID)
		}
		var scopeUser User
		if g.Scope.UserID != "" {
			if scopeUser, err = tx.GetUser(ctx, g.Scope.UserID); err != nil {
				return err
			}
		}
		if !a.Covers(g, scopeUser) {
			return Refusal(forbidden("nobody revokes what they do not hold"), "grant", grantID)
		}
		if err := tx.DeleteGrant(ctx, g.ID); err != nil {
			return err
		}
		return s.Record(ctx, tx, Event{AccountID: g.AccountID, ActorID: a.User.ID, Action: "grant.revoke",
			TargetType: "user", TargetID: g.UserID, Fields: permNames(g.Permissions)})
	})
}

// ListGrants returns the grants a user holds. The actor must see the
// user; everyone may list their own.
func (s *Service) ListGrants(ctx context.Context, actor, holderID string) ([]Grant, error) {
	var out []Grant
	err := s.Run(ctx, actor, "grant.list", func(tx Tx, a *Actor) error {
		if holderID != a.User.ID {
			if _, err := a.TargetUser(ctx, tx, "", holderID); err != nil {
				return err
			}
		}
		var err error
		out, err = tx.ListGrants(ctx, holderID)
		return err
	})
	return out, err
}

// Me returns the actor as loaded for an operation: its user, account,
// grants and the permissions it holds. Portals use it to offer only what
// the actor may do.
func (s *Service) Me(ctx context.Context, actor string) (*Actor, error) {
	var out *Actor
	err := s.Run(ctx, actor, "user.me", func(tx Tx, a *Actor) error {
		out = a
		return nil
	})
	return out, err
}
