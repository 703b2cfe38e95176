package memstore

import (
	"cmp"
	"slices"
	"strings"

	"github.com/rosterkit/roster/usermgmt"
)

// liveIn reports whether id is a live user of an account.
func (d *db) liveIn(id, accountID string) bool {
	u, ok := d.live(id)
	return ok && u.AccountID == accountID
}

func (d *db) createGrant(g *usermgmt.Grant) error {
	switch {
	case g.ID == "":
		return required("id")
	case (g.Scope.GroupID == "") == (g.Scope.UserID == ""):
		return invalid("scope", "must name exactly one group or one user")
	}
	if _, ok := d.grants[g.ID]; ok {
		return conflict("id")
	}
	if !d.liveIn(g.UserID, g.AccountID) {
		return notFound("holder")
	}
	if g.Scope.GroupID != "" {
		if sg, ok := d.groups[g.Scope.GroupID]; !ok || sg.AccountID != g.AccountID {
			return notFound("scope group")
		}
	} else if !d.liveIn(g.Scope.UserID, g.AccountID) {
		return notFound("scope user")
	}
	v := copyGrant(*g)
	put(d, d.grants, v.ID, v)
	d.link(d.grantsOf, v.AccountID, v.ID)
	d.link(d.grantsHeld, v.UserID, v.ID)
	if v.Scope.GroupID != "" {
		d.link(d.grantsOnGroup, v.Scope.GroupID, v.ID)
	} else {
		d.link(d.grantsOnUser, v.Scope.UserID, v.ID)
	}
	return nil
}

// removeGrant deletes a stored grant and its links.
func (d *db) removeGrant(g usermgmt.Grant) {
	d.unlink(d.grantsOf, g.AccountID, g.ID)
	d.unlink(d.grantsHeld, g.UserID, g.ID)
	d.unlink(d.grantsOnGroup, g.Scope.GroupID, g.ID)
	d.unlink(d.grantsOnUser, g.Scope.UserID, g.ID)
	drop(d, d.grants, g.ID)
}

func (d *db) getGrant(id string) (usermgmt.Grant, error) {
	g, ok := d.grants[id]
	if !ok {
		return usermgmt.Grant{}, notFound("grant")
	}
	return copyGrant(g), nil
}

func (d *db) deleteGrant(id string) error {
	g, ok := d.grants[id]
	if !ok {
		return notFound("grant")
	}
	d.removeGrant(g)
	return nil
}

// grantList returns the grants whose ids are in s, oldest first.
func (d *db) grantList(s set) []usermgmt.Grant {
	out := make([]usermgmt.Grant, 0, len(s))
	for id := range s {
		out = append(out, copyGrant(d.grants[id]))
	}
	slices.SortFunc(out, func(a, b usermgmt.Grant) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return out
}

func (d *db) createNumber(n *usermgmt.Number) error {
	if n.E164 == "" {
		return required("number")
	}
	if _, ok := d.numbers[n.E164]; ok {
		return conflict("number")
	}
	if _, ok := d.accounts[n.AccountID]; !ok {
		return notFound("account")
	}
	if n.UserID != "" && !d.liveIn(n.UserID, n.AccountID) {
		return notFound("user")
	}
	v := copyNumber(*n)
	put(d, d.numbers, v.E164, v)
	d.link(d.numbersOf, v.AccountID, v.E164)
	if v.UserID != "" {
		d.link(d.numbersAt, v.UserID, v.E164)
	}
	return nil
}

func (d *db) getNumber(e164 string) (usermgmt.Number, error) {
	n, ok := d.numbers[e164]
	if !ok {
		return usermgmt.Number{}, notFound("number")
	}
	return copyNumber(n), nil
}

func (d *db) assignNumber(e164, userID string) error {
	n, ok := d.numbers[e164]
	if !ok {
		return notFound("number")
	}
	if userID != "" && !d.liveIn(userID, n.AccountID) {
		return notFound("user")
	}
	d.unassign(n)
	if userID != "" {
		n.UserID = userID
		put(d, d.numbers, e164, n)
		d.link(d.numbersAt, userID, e164)
	}
	return nil
}

// unassign clears the user of a stored number.
func (d *db) unassign(n usermgmt.Number) {
	if n.UserID == "" {
		return
	}
	d.unlink(d.numbersAt, n.UserID, n.E164)
	n.UserID = ""
	put(d, d.numbers, n.E164, n)
}

func (d *db) deleteNumber(e164 string) error {
	n, ok := d.numbers[e164]
	if !ok {
		return notFound("number")
	}
	d.unlink(d.numbersAt, n.UserID, e164)
	d.unlink(d.numbersOf, n.AccountID, e164)
	drop(d, d.numbers, e164)
	return nil
}

func (d *db) listNumbers(f usermgmt.NumberFilter) []usermgmt.Number {
	var out []usermgmt.Number
	for e164 := range d.numbersOf[f.AccountID] {
		n := d.numbers[e164]
		if f.UserID == "" || n.UserID == f.UserID {
			out = append(out, copyNumber(n))
		}
	}
	slices.SortFunc(out, func(a, b usermgmt.Number) int { return strings.Compare(a.E164, b.E164) })
	return out
}

func (d *db) createAlias(a *usermgmt.Alias) error {
	key := usermgmt.EmailKey(a.Address)
	if key == "" {
		return required("address")
	}
	u, ok := d.live(a.UserID)
	if !ok || u.AccountID != a.AccountID {
		return notFound("user")
	}
	if _, ok := d.aliases[key]; ok {
		return conflict("alias")
	}
	v := copyAlias(*a)
	put(d, d.aliases, key, v)
	d.link(d.aliasesOf, v.UserID, key)
	return nil
}

func (d *db) getAlias(address string) (usermgmt.Alias, error) {
	a, ok := d.aliases[usermgmt.EmailKey(address)]
	if !ok {
		return usermgmt.Alias{}, notFound("alias")
	}
	return copyAlias(a), nil
}

// removeAlias deletes a stored alias.
func (d *db) removeAlias(a usermgmt.Alias) {
	key := usermgmt.EmailKey(a.Address)
	d.unlink(d.aliasesOf, a.UserID, key)
	drop(d, d.aliases, key)
}

func (d *db) deleteAlias(address string) error {
	a, ok := d.aliases[usermgmt.EmailKey(address)]
	if !ok {
		return notFound("alias")
	}
	d.removeAlias(a)
	return nil
}

func (d *db) listAliases(userID string) []usermgmt.Alias {
	var out []usermgmt.Alias
	for key := range d.aliasesOf[userID] {
		out = append(out, copyAlias(d.aliases[key]))
	}
	slices.SortFunc(out, func(a, b usermgmt.Alias) int {
		return cmp.Or(strings.Compare(usermgmt.EmailKey(a.Address), usermgmt.EmailKey(b.Address)),
			strings.Compare(a.Address, b.Address))
	})
	return out
}
