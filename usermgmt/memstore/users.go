package memstore

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/rosterkit/roster/usermgmt"
)

// checkUnique returns the *ConflictError for the first identifier of u
// that a live user other than self holds.
func (d *db) checkUnique(u *usermgmt.User, self string) error {
	taken := func(m map[string]string, k string) bool {
		id, ok := m[k]
		return ok && id != self
	}
	if taken(d.byUsername, usermgmt.UsernameKey(u.Username)) {
		return conflict("username")
	}
	if u.Email != "" && taken(d.byEmail, usermgmt.EmailKey(u.Email)) {
		return conflict("email")
	}
	if u.MobilePhone != "" && taken(d.byPhone, u.MobilePhone) {
		return conflict("mobile_phone")
	}
	if u.CustomerCode != "" {
		if id, ok := d.byCode[codeKey{u.AccountID, u.CustomerCode}]; ok && id != self {
			return conflict("customer_code")
		}
	}
	return nil
}

// checkPlace returns ErrNotFound unless u's account exists and its group
// belongs to it.
func (d *db) checkPlace(u *usermgmt.User) error {
	if _, ok := d.accounts[u.AccountID]; !ok {
		return notFound("account")
	}
	if g, ok := d.groups[u.GroupID]; !ok || g.AccountID != u.AccountID {
		return notFound("group")
	}
	return nil
}

// enter records live user u in every lookup, the index, the tally and
// the seats of its account.
func (d *db) enter(u usermgmt.User) {
	put(d, d.byUsername, usermgmt.UsernameKey(u.Username), u.ID)
	if u.Email != "" {
		put(d, d.byEmail, usermgmt.EmailKey(u.Email), u.ID)
	}
	if u.MobilePhone != "" {
		put(d, d.byPhone, u.MobilePhone, u.ID)
	}
	if u.CustomerCode != "" {
		put(d, d.byCode, codeKey{u.AccountID, u.CustomerCode}, u.ID)
	}
	d.indexInsert(indexOf(d.userIndex, u.AccountID), entry{usermgmt.UsernameKey(u.Username), u.ID})
	d.count(u.AccountID, u.Status, u.ServiceLevel, 1)
	d.addSeats(u.AccountID, 1)
}

// leave undoes enter.
func (d *db) leave(u usermgmt.User) {
	drop(d, d.byUsername, usermgmt.UsernameKey(u.Username))
	if u.Email != "" {
		drop(d, d.byEmail, usermgmt.EmailKey(u.Email))
	}
	if u.MobilePhone != "" {
		drop(d, d.byPhone, u.MobilePhone)
	}
	if u.CustomerCode != "" {
		drop(d, d.byCode, codeKey{u.AccountID, u.CustomerCode})
	}
	d.indexRemove(indexOf(d.userIndex, u.AccountID), entry{usermgmt.UsernameKey(u.Username), u.ID})
	d.count(u.AccountID, u.Status, u.ServiceLevel, -1)
	d.addSeats(u.AccountID, -1)
}

func (d *db) createUser(u *usermgmt.User) error {
	switch {
	case u.ID == "":
		return required("id")
	case usermgmt.UsernameKey(u.Username) == "":
		return required("username")
	case u.Status == usermgmt.StatusDeleted:
		return invalid("status", "a new user cannot be deleted")
	}
	if _, ok := d.users[u.ID]; ok {
		return conflict("id")
	}
	if err := d.checkPlace(u); err != nil {
		return err
	}
	if err := d.checkUnique(u, ""); err != nil {
		return err
	}
	if full(d.accounts[u.AccountID]) {
		return seatLimit()
	}
	v := copyUser(*u)
	v.Version = 1
	put(d, d.users, v.ID, v)
	d.enter(v)
	u.Version = v.Version
	return nil
}

func seatLimit() error { return wrap("account", usermgmt.ErrSeatLimit) }

// live returns the live user id.
func (d *db) live(id string) (usermgmt.User, bool) {
	u, ok := d.users[id]
	return u, ok && u.Live()
}

func (d *db) getUser(id string) (usermgmt.User, error) {
	u, ok := d.users[id]
	if !ok {
		return usermgmt.User{}, notFound("user")
	}
	return copyUser(u), nil
}

func (d *db) getUserBy(m map[string]string, key string) (usermgmt.User, error) {
	id, ok := m[key]
	if !ok || key == "" {
		return usermgmt.User{}, notFound("user")
	}
	return copyUser(d.users[id]), nil
}

func (d *db) updateUser(u *usermgmt.User) error {
	cur, ok := d.live(u.ID)
	if !ok {
		return notFound("user")
	}
	if u.Version != cur.Version {
		return conflict("version")
	}
	if u.Status == usermgmt.StatusDeleted {
		return invalid("status", "delete a user with DeleteUser")
	}
	if err := d.checkPlace(u); err != nil {
		return err
	}
	v := copyUser(*u)
	v.Username, v.CreatedAt, v.DeletedAt, v.LastLoginAt = cur.Username, cur.CreatedAt, cur.DeletedAt, cur.LastLoginAt
	v.Version = cur.Version + 1
	if err := d.checkUnique(&v, v.ID); err != nil {
		return err
	}
	if v.AccountID != cur.AccountID && full(d.accounts[v.AccountID]) {
		return seatLimit()
	}
	d.leave(cur)
	d.enter(v)
	put(d, d.users, v.ID, v)
	u.Version = v.Version
	return nil
}

func (d *db) setLastLogin(id string, at time.Time) error {
	u, ok := d.live(id)
	if !ok {
		return notFound("user")
	}
	u.LastLoginAt = utc(at)
	put(d, d.users, id, u)
	return nil
}

func (d *db) deleteUser(id string, at time.Time) error {
	u, ok := d.live(id)
	if !ok {
		return notFound("user")
	}
	drop(d, d.passwords, id)
	for _, sid := range members(d.sessionsOf, id) {
		d.removeSession(d.sessions[sid])
	}
	for _, tid := range members(d.tokensOf, id) {
		d.removeToken(d.tokens[tid])
	}
	for _, gid := range members(d.grantsHeld, id) {
		d.removeGrant(d.grants[gid])
	}
	for _, gid := range members(d.grantsOnUser, id) {
		d.removeGrant(d.grants[gid])
	}
	for _, key := range members(d.aliasesOf, id) {
		d.removeAlias(d.aliases[key])
	}
	for _, e164 := range members(d.numbersAt, id) {
		d.unassign(d.numbers[e164])
	}
	d.leave(u)
	at = utc(at)
	put(d, d.users, id, usermgmt.User{
		ID: u.ID, AccountID: u.AccountID, GroupID: u.GroupID, Kind: u.Kind, Type: u.Type,
		Status: usermgmt.StatusDeleted, CreatedAt: u.CreatedAt, UpdatedAt: at, DeletedAt: at,
		Version: u.Version + 1,
	})
	return nil
}

// userMatcher returns the predicate of every filter of f but AccountID,
// or nil when f matches nobody.
func (d *db) userMatcher(f usermgmt.UserFilter) func(u *usermgmt.User) bool {
	var inGroup set
	if f.Group != "" {
		g, ok := d.groups[f.Group]
		if !ok || g.AccountID != f.AccountID {
			return nil
		}
		inGroup = d.subtree(f.AccountID, []string{g.ID})
	}
	var visibleGroups, visibleUsers set
	if f.Within != nil {
		visibleGroups = d.subtree(f.AccountID, f.Within.Groups)
		visibleUsers = make(set, len(f.Within.Users))
		for _, id := range f.Within.Users {
			visibleUsers[id] = struct{}{}
		}
		if len(visibleGroups) == 0 && len(visibleUsers) == 0 {
			return nil
		}
	}
	query := strings.ToLower(f.Query)
	return func(u *usermgmt.User) bool {
		if inGroup != nil {
			if _, ok := inGroup[u.GroupID]; !ok {
				return false
			}
		}
		if f.Within != nil {
			_, okGroup := visibleGroups[u.GroupID]
			_, okUser := visibleUsers[u.ID]
			if !okGroup && !okUser {
				return false
			}
		}
		switch {
		case len(f.Statuses) > 0 && !slices.Contains(f.Statuses, u.Status),
			f.ServiceLevel != "" && u.ServiceLevel != f.ServiceLevel,
			f.Type != "" && u.Type != f.Type,
			f.Kind != "" && u.Kind != f.Kind,
			f.AddressBook && !u.AddressBook:
			return false
		}
		if query == "" {
			return true
		}
		for _, s := range [...]string{u.FirstName, u.LastName, u.Username, u.Email, u.MobilePhone} {
			if strings.Contains(strings.ToLower(s), query) {
				return true
			}
		}
		return false
	}
}

// subtree returns the ids of the groups of an account inside any of the
// subtrees of roots.
func (d *db) subtree(accountID string, roots []string) set {
	var paths []string
	for _, id := range roots {
		if g, ok := d.groups[id]; ok && g.AccountID == accountID {
			paths = append(paths, g.Path)
		}
	}
	out := set{}
	if len(paths) == 0 {
		return out
	}
	for id := range d.groupsOf[accountID] {
		p := d.groups[id].Path
		for _, root := range paths {
			if strings.HasPrefix(p, root) {
				out[id] = struct{}{}
				break
			}
		}
	}
	return out
}

func (d *db) listUsers(f usermgmt.UserFilter, p usermgmt.Page) ([]usermgmt.User, string, error) {
	after, err := decodeCursor(tagUsers, p.After)
	if err != nil {
		return nil, "", err
	}
	x := d.userIndex[f.AccountID]
	match := d.userMatcher(f)
	if x == nil || match == nil {
		return nil, "", nil
	}
	limit := p.Size()
	out := make([]usermgmt.User, 0, min(limit, x.Len()))
	var (
		last entry
		more bool
	)
	x.ascend(after, func(e entry) bool {
		u := d.users[e.id]
		if !match(&u) {
			return true
		}
		if len(out) == limit {
			more = true
			return false
		}
		out, last = append(out, copyUser(u)), e
		return true
	})
	if !more {
		return out, "", nil
	}
	return out, encodeCursor(tagUsers, last), nil
}

func (d *db) countUsers(accountID string) (usermgmt.UserCounts, error) {
	a, ok := d.accounts[accountID]
	if !ok {
		return usermgmt.UserCounts{}, notFound("account")
	}
	c := usermgmt.UserCounts{
		Total: a.SeatsUsed, SeatLimit: a.SeatLimit,
		ByStatus: map[usermgmt.Status]int{}, ByLevel: map[usermgmt.ServiceLevel]int{},
	}
	if t := d.tallies[accountID]; t != nil {
		c.ByStatus, c.ByLevel = maps.Clone(t.byStatus), maps.Clone(t.byLevel)
	}
	return c, nil
}

func (d *db) setPassword(userID, hash string) error {
	if _, ok := d.live(userID); !ok {
		return notFound("user")
	}
	put(d, d.passwords, userID, hash)
	return nil
}

func (d *db) getPassword(userID string) (string, error) {
	h, ok := d.passwords[userID]
	if !ok {
		return "", notFound("password")
	}
	return h, nil
}
