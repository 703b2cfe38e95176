package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
)

func testGroups(t *testing.T, r *runner) {
	s := r.store(t)
	testGroupsConcurrent(t, r, s)
	ctx := context.Background()

	getGroup := func(t *testing.T, id string) usermgmt.Group {
		t.Helper()
		g, err := s.GetGroup(ctx, id)
		require.NoError(t, err, "get group %s", id)
		return g
	}

	parallel(t, "CreateGroup/SetsPath", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		assert.Equal(t, "/"+f.Root.ID+"/", f.Root.Path, "a root's path is written back")
		assert.Equal(t, "/"+f.Root.ID+"/"+f.Child.ID+"/", f.Child.Path, "a child's path is written back")
		g := usermgmt.Group{ID: f.next("grp"), AccountID: f.ID, ParentID: f.Child.ID, Name: "Deep",
			Path: "/made/up/", CreatedAt: epoch(), UpdatedAt: epoch()}
		require.NoError(t, s.CreateGroup(ctx, &g))
		assert.Equal(t, f.Child.Path+g.ID+"/", g.Path, "the caller's path is replaced")
		assert.Equal(t, want(g), got(getGroup(t, g.ID)))
		assert.Equal(t, want(f.Root), got(getGroup(t, f.Root.ID)))
	})
	parallel(t, "CreateGroup/MissingParentNotFound", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		other := r.fixture(t, s, 0)
		for name, parent := range map[string]string{"missing": f.ID + "-nope", "other account": other.Root.ID} {
			g := usermgmt.Group{ID: f.next("grp"), AccountID: f.ID, ParentID: parent, Name: "X", CreatedAt: epoch(), UpdatedAt: epoch()}
			require.ErrorIs(t, s.CreateGroup(ctx, &g), usermgmt.ErrNotFound, name)
			_, err := s.GetGroup(ctx, g.ID)
			require.ErrorIs(t, err, usermgmt.ErrNotFound, "%s: nothing is written", name)
		}
	})
	parallel(t, "CreateGroup/DuplicateIDConflict", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		dup := usermgmt.Group{ID: f.Child.ID, AccountID: f.ID, ParentID: f.Root.ID, Name: "Impostor", CreatedAt: epoch(), UpdatedAt: epoch()}
		require.ErrorIs(t, s.CreateGroup(ctx, &dup), usermgmt.ErrConflict)
		assert.Equal(t, f.Child.Name, getGroup(t, f.Child.ID).Name)
	})
	parallel(t, "ListGroups/OrderedByPath", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		other := r.fixture(t, s, 0)
		other.group(other.Root.ID)
		// Ids chosen so that id order and path order differ.
		z := usermgmt.Group{ID: f.ID + "-a-z", AccountID: f.ID, ParentID: f.Child.ID, Name: "Z", CreatedAt: epoch(), UpdatedAt: epoch()}
		a := usermgmt.Group{ID: f.ID + "-z-a", AccountID: f.ID, ParentID: f.Root.ID, Name: "A", CreatedAt: epoch(), UpdatedAt: epoch()}
		require.NoError(t, s.CreateGroup(ctx, &z))
		require.NoError(t, s.CreateGroup(ctx, &a))
		list, err := s.ListGroups(ctx, f.ID)
		require.NoError(t, err)
		var paths []string
		for _, g := range list {
			assert.Equal(t, f.ID, g.AccountID, "only the account's groups")
			paths = append(paths, g.Path)
		}
		assert.Equal(t, []string{f.Root.Path, f.Child.Path, z.Path, a.Path}, paths)
		assert.Equal(t, want(z), got(list[2]))
	})
	parallel(t, "RenameGroup/SetsNameAndUpdatedAt", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		require.NoError(t, s.RenameGroup(ctx, f.Child.ID, "Marketing", at(time.Hour)))
		g := f.Child
		g.Name, g.UpdatedAt = "Marketing", at(time.Hour)
		assert.Equal(t, want(g), got(getGroup(t, f.Child.ID)))
	})
	parallel(t, "MoveGroup/RewritesSubtreePaths", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		// root ─┬─ child
		//       └─ a ─ b ─ c      and a sibling "a0" whose id shares a's prefix
		a := f.group(f.Root.ID)
		b := f.group(a.ID)
		c := f.group(b.ID)
		sib := usermgmt.Group{ID: a.ID + "0", AccountID: f.ID, ParentID: f.Root.ID, Name: "Sibling", CreatedAt: epoch(), UpdatedAt: epoch()}
		require.NoError(t, s.CreateGroup(ctx, &sib))
		u := f.user(func(u *usermgmt.User) { u.GroupID = c.ID })

		require.NoError(t, s.MoveGroup(ctx, a.ID, f.Child.ID, at(time.Hour)))
		movedA := getGroup(t, a.ID)
		assert.Equal(t, f.Child.ID, movedA.ParentID)
		assert.Equal(t, f.Child.Path+a.ID+"/", movedA.Path)
		assert.Equal(t, us(at(time.Hour)), movedA.UpdatedAt, "the moved group's UpdatedAt")
		assert.Equal(t, f.Child.Path+a.ID+"/"+b.ID+"/", getGroup(t, b.ID).Path)
		assert.Equal(t, f.Child.Path+a.ID+"/"+b.ID+"/"+c.ID+"/", getGroup(t, c.ID).Path)
		assert.Equal(t, b.ID, getGroup(t, c.ID).ParentID, "parents inside the subtree are kept")
		assert.Equal(t, sib.Path, getGroup(t, sib.ID).Path, "a group outside the subtree keeps its path")
		assert.Equal(t, f.Root.Path, getGroup(t, f.Root.ID).Path)

		inChild := listAll(t, s, usermgmt.UserFilter{AccountID: f.ID, Group: f.Child.ID}, 0)
		assert.Equal(t, []string{u.ID}, ids(inChild), "users of the subtree follow it")
	})
	parallel(t, "MoveGroup/CycleConflict", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		a := f.group(f.Child.ID)
		b := f.group(a.ID)
		for name, tc := range map[string]struct{ id, parent string }{
			"onto itself":      {f.Child.ID, f.Child.ID},
			"into its child":   {f.Child.ID, a.ID},
			"into its subtree": {f.Child.ID, b.ID},
			"a root":           {f.Root.ID, f.Child.ID},
		} {
			requireConflict(t, s.MoveGroup(ctx, tc.id, tc.parent, at(time.Hour)), "group")
			assert.Equal(t, want(f.Child), got(getGroup(t, f.Child.ID)), "%s: nothing is written", name)
		}
		assert.Equal(t, want(b), got(getGroup(t, b.ID)))
		assert.Equal(t, want(f.Root), got(getGroup(t, f.Root.ID)))
	})
	parallel(t, "MoveGroup/MissingParentNotFound", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		other := r.fixture(t, s, 0)
		a := f.group(f.Child.ID)
		require.ErrorIs(t, s.MoveGroup(ctx, a.ID, f.ID+"-nope", at(time.Hour)), usermgmt.ErrNotFound, "missing parent")
		require.ErrorIs(t, s.MoveGroup(ctx, a.ID, other.Root.ID, at(time.Hour)), usermgmt.ErrNotFound, "parent of another account")
		assert.Equal(t, want(a), got(getGroup(t, a.ID)), "nothing is written")
	})
	parallel(t, "DeleteGroup/RemovesEmptyGroup", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		g := f.group(f.Child.ID)
		require.NoError(t, s.DeleteGroup(ctx, g.ID))
		_, err := s.GetGroup(ctx, g.ID)
		require.ErrorIs(t, err, usermgmt.ErrNotFound)
		list, err := s.ListGroups(ctx, f.ID)
		require.NoError(t, err)
		assert.Len(t, list, 2)
		require.ErrorIs(t, s.DeleteGroup(ctx, g.ID), usermgmt.ErrNotFound, "deleting twice")
	})
	parallel(t, "DeleteGroup/SubgroupsConflict", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		f.group(f.Child.ID)
		requireConflict(t, s.DeleteGroup(ctx, f.Child.ID), "group")
		getGroup(t, f.Child.ID)
	})
	parallel(t, "DeleteGroup/LiveUsersConflict", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.user(func(u *usermgmt.User) { u.GroupID = f.Child.ID; u.Status = usermgmt.StatusSuspended })
		requireConflict(t, s.DeleteGroup(ctx, f.Child.ID), "group")
		getGroup(t, f.Child.ID)
		require.NoError(t, s.DeleteUser(ctx, u.ID, at(time.Hour)))
		require.NoError(t, s.DeleteGroup(ctx, f.Child.ID), "tombstones do not keep a group")
		tomb := f.getUser(u.ID)
		assert.Equal(t, f.Child.ID, tomb.GroupID, "the tombstone keeps its group id")
	})
	parallel(t, "DeleteGroup/RootConflict", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		require.NoError(t, s.DeleteGroup(ctx, f.Child.ID))
		requireConflict(t, s.DeleteGroup(ctx, f.Root.ID), "group")
		getGroup(t, f.Root.ID)
	})
	parallel(t, "DeleteGroup/RemovesScopedGrants", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		g := f.group(f.Child.ID)
		admin := f.user(func(u *usermgmt.User) { u.Type = usermgmt.TypeAdmin })
		onG := f.grant(admin.ID, usermgmt.Scope{GroupID: g.ID})
		onChild := f.grant(admin.ID, usermgmt.Scope{GroupID: f.Child.ID})
		require.NoError(t, s.DeleteGroup(ctx, g.ID))
		_, err := s.GetGrant(ctx, onG.ID)
		require.ErrorIs(t, err, usermgmt.ErrNotFound, "the grant scoped to the group goes with it")
		_, err = s.GetGrant(ctx, onChild.ID)
		require.NoError(t, err, "other grants stay")
		held, err := s.ListGrants(ctx, admin.ID)
		require.NoError(t, err)
		require.Len(t, held, 1)
		assert.Equal(t, onChild.ID, held[0].ID)
	})
}
