package memstore

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/rosterkit/roster/usermgmt"
)

func (d *db) createAccount(a *usermgmt.Account) error {
	if a.ID == "" {
		return required("id")
	}
	if _, ok := d.accounts[a.ID]; ok {
		return conflict("id")
	}
	v := copyAccount(*a)
	v.SeatsUsed, v.Version = 0, 1
	put(d, d.accounts, v.ID, v)
	a.Version = v.Version
	return nil
}

func (d *db) getAccount(id string) (usermgmt.Account, error) {
	a, ok := d.accounts[id]
	if !ok {
		return usermgmt.Account{}, notFound("account")
	}
	return copyAccount(a), nil
}

func (d *db) updateAccount(a *usermgmt.Account) error {
	cur, ok := d.accounts[a.ID]
	if !ok {
		return notFound("account")
	}
	if a.Version != cur.Version {
		return conflict("version")
	}
	v := copyAccount(*a)
	v.SeatsUsed, v.CreatedAt, v.Version = cur.SeatsUsed, cur.CreatedAt, cur.Version+1
	put(d, d.accounts, v.ID, v)
	a.Version = v.Version
	return nil
}

// addSeats changes the seats an account uses.
func (d *db) addSeats(accountID string, delta int) {
	a, ok := d.accounts[accountID]
	if !ok {
		return
	}
	a.SeatsUsed += delta
	put(d, d.accounts, accountID, a)
}

// full reports whether an account has no seat left.
func full(a usermgmt.Account) bool { return a.SeatLimit > 0 && a.SeatsUsed >= a.SeatLimit }

func (d *db) createGroup(g *usermgmt.Group) error {
	switch {
	case g.ID == "":
		return required("id")
	case strings.Contains(g.ID, "/"):
		return invalid("id", "must not contain a slash")
	}
	if _, ok := d.groups[g.ID]; ok {
		return conflict("id")
	}
	if _, ok := d.accounts[g.AccountID]; !ok {
		return notFound("account")
	}
	path := "/" + g.ID + "/"
	if g.ParentID != "" {
		p, ok := d.groups[g.ParentID]
		if !ok || p.AccountID != g.AccountID {
			return notFound("parent group")
		}
		path = p.Path + g.ID + "/"
	}
	v := copyGroup(*g)
	v.Path = path
	put(d, d.groups, v.ID, v)
	d.link(d.groupsOf, v.AccountID, v.ID)
	g.Path = path
	return nil
}

func (d *db) getGroup(id string) (usermgmt.Group, error) {
	g, ok := d.groups[id]
	if !ok {
		return usermgmt.Group{}, notFound("group")
	}
	return copyGroup(g), nil
}

func (d *db) listGroups(accountID string) []usermgmt.Group {
	out := make([]usermgmt.Group, 0, len(d.groupsOf[accountID]))
	for id := range d.groupsOf[accountID] {
		out = append(out, copyGroup(d.groups[id]))
	}
	slices.SortFunc(out, func(a, b usermgmt.Group) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), strings.Compare(a.ID, b.ID))
	})
	return out
}

func (d *db) renameGroup(id, name string, at time.Time) error {
	g, ok := d.groups[id]
	if !ok {
		return notFound("group")
	}
	g.Name, g.UpdatedAt = name, utc(at)
	put(d, d.groups, id, g)
	return nil
}

func (d *db) moveGroup(id, parentID string, at time.Time) error {
	g, ok := d.groups[id]
	if !ok {
		return notFound("group")
	}
	p, ok := d.groups[parentID]
	if !ok || p.AccountID != g.AccountID {
		return notFound("parent group")
	}
	if g.ParentID == "" || strings.HasPrefix(p.Path, g.Path) {
		return conflict("group")
	}
	oldPath, newPath := g.Path, p.Path+g.ID+"/"
	for gid := range d.groupsOf[g.AccountID] {
		sub := d.groups[gid]
		if gid == id || !strings.HasPrefix(sub.Path, oldPath) {
			continue
		}
		sub.Path = newPath + sub.Path[len(oldPath):]
		put(d, d.groups, gid, sub)
	}
	g.ParentID, g.Path, g.UpdatedAt = parentID, newPath, utc(at)
	put(d, d.groups, id, g)
	return nil
}

func (d *db) deleteGroup(id string) error {
	g, ok := d.groups[id]
	if !ok {
		return notFound("group")
	}
	if g.ParentID == "" {
		return conflict("group")
	}
	for gid := range d.groupsOf[g.AccountID] {
		if d.groups[gid].ParentID == id {
			return conflict("group")
		}
	}
	busy := false
	if x := d.userIndex[g.AccountID]; x != nil {
		x.ascend(nil, func(e entry) bool {
			busy = d.users[e.id].GroupID == id
			return !busy
		})
	}
	if busy {
		return conflict("group")
	}
	for _, gid := range members(d.grantsOnGroup, id) {
		d.removeGrant(d.grants[gid])
	}
	d.unlink(d.groupsOf, g.AccountID, id)
	drop(d, d.groups, id)
	return nil
}
