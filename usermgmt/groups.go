package usermgmt

import (
	"context"
	"strings"
	"time"
)

func checkGroupName(name string) (string, error) {
	name = strings.TrimSpace(name)
	ve := &ValidationError{}
	checkText(ve, "name", name, 1, 100, false)
	return name, ve.Err()
}

// CreateGroup adds a group under parentID. It needs PermGroups over the
// parent.
func (s *Service) CreateGroup(ctx context.Context, actor, parentID, name string) (Group, error) {
	name, err := checkGroupName(name)
	if err != nil {
		return Group{}, err
	}
	var out Group
	err = s.Run(ctx, actor, "group.create", func(tx Tx, a *Actor) error {
		if _, err := a.TargetGroup(PermGroups, parentID); err != nil {
			return err
		}
		now := s.Now()
		g := Group{ID: s.newID(), AccountID: a.Account.ID, ParentID: parentID, Name: name, CreatedAt: now, UpdatedAt: now}
		if err := tx.CreateGroup(ctx, &g); err != nil {
			return err
		}
		out = g
		return s.Record(ctx, tx, Event{AccountID: g.AccountID, ActorID: a.User.ID, Action: "group.create",
			TargetType: "group", TargetID: g.ID, At: now})
	})
	return out, err
}

// RenameGroup renames a group. It needs PermGroups over the group.
func (s *Service) RenameGroup(ctx context.Context, actor, id, name string) (Group, error) {
	name, err := checkGroupName(name)
	if err != nil {
		return Group{}, err
	}
	var out Group
	err = s.Run(ctx, actor, "group.rename", func(tx Tx, a *Actor) error {
		g, err := a.TargetGroup(PermGroups, id)
		if err != nil {
			return err
		}
		now := s.Now()
		if err := tx.RenameGroup(ctx, id, name, now); err != nil {
			return err
		}
		g.Name, g.UpdatedAt = name, now
		out = g
		return s.Record(ctx, tx, Event{AccountID: g.AccountID, ActorID: a.User.ID, Action: "group.rename",
			TargetType: "group", TargetID: g.ID, Fields: []string{"name"}, At: now})
	})
	return out, err
}

// MoveGroup moves a group, with its subtree, under another parent. It
// needs PermGroups over the group and the new parent; the root cannot
// move, and nothing moves under its own subtree (*ConflictError with
// field "group").
func (s *Service) MoveGroup(ctx context.Context, actor, id, parentID string) (Group, error) {
	var out Group
	err := s.Run(ctx, actor, "group.move", func(tx Tx, a *Actor) error {
		g, err := a.TargetGroup(PermGroups, id)
		if err != nil {
			return err
		}
		if _, err := a.TargetGroup(PermGroups, parentID); err != nil {
			return err
		}
		if g.ParentID == "" {
			return &ConflictError{Field: "group"}
		}
		now := s.Now()
		if err := tx.MoveGroup(ctx, id, parentID, now); err != nil {
			return err
		}
		if out, err = tx.GetGroup(ctx, id); err != nil {
			return err
		}
		return s.Record(ctx, tx, Event{AccountID: g.AccountID, ActorID: a.User.ID, Action: "group.move",
			TargetType: "group", TargetID: g.ID, Fields: []string{"parent_id"}, At: now})
	})
	return out, err
}

// DeleteGroupOptions says what happens to what a group contains.
type DeleteGroupOptions struct {
	// MoveToParent moves the group's users and subgroups to its parent
	// before deleting it. When false, a group that is not empty is not
	// deleted (*ConflictError with field "group").
	MoveToParent bool
}

// DeleteGroup deletes a group. It needs PermGroups over the group (and,
// with MoveToParent, PermUsers over its users and PermGroups over the
// parent). The root group cannot be deleted. Grants scoped to the group
// are removed with it.
func (s *Service) DeleteGroup(ctx context.Context, actor, id string, opt DeleteGroupOptions) error {
	return s.Run(ctx, actor, "group.delete", func(tx Tx, a *Actor) error {
		g, err := a.TargetGroup(PermGroups, id)
		if err != nil {
			return err
		}
		if g.ParentID == "" {
			return &ConflictError{Field: "group"}
		}
		now := s.Now()
		if opt.MoveToParent {
			if _, err := a.TargetGroup(PermGroups, g.ParentID); err != nil {
				return err
			}
			for _, child := range a.Groups() {
				if child.ParentID == g.ID {
					if err := tx.MoveGroup(ctx, child.ID, g.ParentID, now); err != nil {
						return err
					}
				}
			}
			if err := s.moveMembers(ctx, tx, a, g, now); err != nil {
				return err
			}
		}
		if err := tx.DeleteGroup(ctx, id); err != nil {
			return err
		}
		return s.Record(ctx, tx, Event{AccountID: g.AccountID, ActorID: a.User.ID, Action: "group.delete",
			TargetType: "group", TargetID: g.ID, At: now})
	})
}

// moveMembers moves the users directly in g to g's parent.
func (s *Service) moveMembers(ctx context.Context, tx Tx, a *Actor, g Group, now time.Time) error {
	var after string
	for {
		// Only direct members: filter the subtree page by GroupID.
		users, next, err := tx.ListUsers(ctx, UserFilter{AccountID: g.AccountID, Group: g.ID}, Page{After: after, Limit: 1000})
		if err != nil {
			return err
		}
		for _, u := range users {
			if u.GroupID != g.ID {
				continue
			}
			if !a.CanUser(PermUsers, u) {
				return Refusal(forbidden("missing permission users over the group's members"), "group", g.ID)
			}
			u.GroupID, u.UpdatedAt = g.ParentID, now
			if err := tx.UpdateUser(ctx, &u); err != nil {
				return err
			}
			if err := s.Record(ctx, tx, Event{AccountID: u.AccountID, ActorID: a.User.ID, Action: "user.move",
				TargetType: "user", TargetID: u.ID, Fields: []string{"group_id"}, At: now}); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		after = next
	}
}

// ListGroups returns the groups of the actor's account the actor may
// see (its subtrees and their ancestors), ordered by path so that a
// parent comes before its children. Any admin may list.
func (s *Service) ListGroups(ctx context.Context, actor string) ([]Group, error) {
	var out []Group
	err := s.Run(ctx, actor, "group.list", func(tx Tx, a *Actor) error {
		if !a.IsAdmin() {
			return Refusal(forbidden("not an admin"), "account", a.Account.ID)
		}
		for _, g := range a.Groups() {
			if a.SeesGroup(g.ID) {
				out = append(out, g)
			}
		}
		return nil
	})
	return out, err
}

// GroupNode is a group with its children, for drawing the tree.
type GroupNode struct {
	Group
	Children []*GroupNode `json:"children,omitempty"`
}

// Tree arranges groups listed parent-first (as ListGroups returns them)
// into trees; a group whose parent is not in the list is a root.
func Tree(groups []Group) []*GroupNode {
	nodes := make(map[string]*GroupNode, len(groups))
	var roots []*GroupNode
	for _, g := range groups {
		n := &GroupNode{Group: g}
		nodes[g.ID] = n
		if p, ok := nodes[g.ParentID]; ok {
			p.Children = append(p.Children, n)
		} else {
			roots = append(roots, n)
		}
	}
	return roots
}
