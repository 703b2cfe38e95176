package memstore

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/rosterkit/roster/usermgmt"
)

// set is a set of ids.
type set = map[string]struct{}

// codeKey identifies a customer code within an account.
type codeKey struct{ account, code string }

// tally counts an account's live users by status and service level.
type tally struct {
	byStatus map[usermgmt.Status]int
	byLevel  map[usermgmt.ServiceLevel]int
}

// db is the data of a Store. Every write goes through the helpers below,
// which append to undo the action that reverses it; rollbackTo replays
// them backwards. Stored values are never changed in place: a write
// replaces the whole value with a fresh deep copy, so an undo action can
// keep the old value.
type db struct {
	undo []func()

	accounts map[string]usermgmt.Account
	groups   map[string]usermgmt.Group
	groupsOf map[string]set // account id → group ids

	users      map[string]usermgmt.User // live users and tombstones
	byUsername map[string]string        // UsernameKey → live user id
	byEmail    map[string]string        // EmailKey → live user id
	byPhone    map[string]string        // E.164 → live user id
	byCode     map[codeKey]string       // account and customer code → live user id
	userIndex  map[string]*index        // account id → (UsernameKey, id) of live users
	tallies    map[string]*tally        // account id → live users by status and level

	passwords map[string]string // user id → hash

	grants        map[string]usermgmt.Grant
	grantsOf      map[string]set // account id → grant ids
	grantsHeld    map[string]set // holder id → grant ids
	grantsOnUser  map[string]set // scope user id → grant ids
	grantsOnGroup map[string]set // scope group id → grant ids

	numbers   map[string]usermgmt.Number // E.164 → number
	numbersOf map[string]set             // account id → E.164
	numbersAt map[string]set             // user id → E.164

	aliases   map[string]usermgmt.Alias // EmailKey → alias
	aliasesOf map[string]set            // user id → EmailKey

	tokens      map[string]usermgmt.Token
	tokenByHash map[string]string // hash → token id
	tokensOf    map[string]set    // user id → token ids
	tokenIndex  *index            // (timeKey(CreatedAt), id)

	sessions      map[string]usermgmt.Session
	sessionByHash map[string]string // hash → session id
	sessionsOf    map[string]set    // user id → session ids

	events     map[string]usermgmt.Event
	eventIndex map[string]*index // account id → (timeKey(At), id)

	counters map[string]usermgmt.Counter
}

func newDB() *db {
	return &db{
		accounts: map[string]usermgmt.Account{},
		groups:   map[string]usermgmt.Group{},
		groupsOf: map[string]set{},

		users:      map[string]usermgmt.User{},
		byUsername: map[string]string{},
		byEmail:    map[string]string{},
		byPhone:    map[string]string{},
		byCode:     map[codeKey]string{},
		userIndex:  map[string]*index{},
		tallies:    map[string]*tally{},

		passwords: map[string]string{},

		grants:        map[string]usermgmt.Grant{},
		grantsOf:      map[string]set{},
		grantsHeld:    map[string]set{},
		grantsOnUser:  map[string]set{},
		grantsOnGroup: map[string]set{},

		numbers:   map[string]usermgmt.Number{},
		numbersOf: map[string]set{},
		numbersAt: map[string]set{},

		aliases:   map[string]usermgmt.Alias{},
		aliasesOf: map[string]set{},

		tokens:      map[string]usermgmt.Token{},
		tokenByHash: map[string]string{},
		tokensOf:    map[string]set{},
		tokenIndex:  &index{},

		sessions:      map[string]usermgmt.Session{},
		sessionByHash: map[string]string{},
		sessionsOf:    map[string]set{},

		events:     map[string]usermgmt.Event{},
		eventIndex: map[string]*index{},

		counters: map[string]usermgmt.Counter{},
	}
}

// rollbackTo undoes every write recorded after mark, newest first.
func (d *db) rollbackTo(mark int) {
	for i := len(d.undo) - 1; i >= mark; i-- {
		d.undo[i]()
		d.undo[i] = nil
	}
	d.undo = d.undo[:mark]
}

// commit forgets the recorded writes.
func (d *db) commit() {
	clear(d.undo)
	d.undo = d.undo[:0]
}

// put sets m[k] = v, recording how to undo it.
func put[K comparable, V any](d *db, m map[K]V, k K, v V) {
	old, had := m[k]
	m[k] = v
	d.undo = append(d.undo, func() {
		if had {
			m[k] = old
		} else {
			delete(m, k)
		}
	})
}

// drop deletes m[k], recording how to undo it.
func drop[K comparable, V any](d *db, m map[K]V, k K) {
	old, had := m[k]
	if !had {
		return
	}
	delete(m, k)
	d.undo = append(d.undo, func() { m[k] = old })
}

func addTo(m map[string]set, k, v string) bool {
	s := m[k]
	if s == nil {
		s = set{}
		m[k] = s
	}
	if _, ok := s[v]; ok {
		return false
	}
	s[v] = struct{}{}
	return true
}

func removeFrom(m map[string]set, k, v string) bool {
	s := m[k]
	if _, ok := s[v]; !ok {
		return false
	}
	delete(s, v)
	if len(s) == 0 {
		delete(m, k)
	}
	return true
}

// link adds v to the set m[k], recording how to undo it.
func (d *db) link(m map[string]set, k, v string) {
	if addTo(m, k, v) {
		d.undo = append(d.undo, func() { removeFrom(m, k, v) })
	}
}

// unlink removes v from the set m[k], recording how to undo it.
func (d *db) unlink(m map[string]set, k, v string) {
	if removeFrom(m, k, v) {
		d.undo = append(d.undo, func() { addTo(m, k, v) })
	}
}

// members returns the ids in m[k] as a new slice, so that the caller may
// change the set while it walks them.
func members(m map[string]set, k string) []string {
	return slices.Collect(maps.Keys(m[k]))
}

// indexInsert adds e to x, recording how to undo it.
func (d *db) indexInsert(x *index, e entry) {
	if x.insert(e) {
		d.undo = append(d.undo, func() { x.remove(e) })
	}
}

// indexRemove removes e from x, recording how to undo it.
func (d *db) indexRemove(x *index, e entry) {
	if x.remove(e) {
		d.undo = append(d.undo, func() { x.insert(e) })
	}
}

// indexOf returns m[k], creating it when missing. An empty index is
// harmless, so its creation is not undone.
func indexOf(m map[string]*index, k string) *index {
	x := m[k]
	if x == nil {
		x = &index{}
		m[k] = x
	}
	return x
}

// count adds delta to the tally of one status and level of an account,
// recording how to undo it.
func (d *db) count(account string, st usermgmt.Status, lvl usermgmt.ServiceLevel, delta int) {
	apply := func(delta int) {
		t := d.tallies[account]
		if t == nil {
			t = &tally{byStatus: map[usermgmt.Status]int{}, byLevel: map[usermgmt.ServiceLevel]int{}}
			d.tallies[account] = t
		}
		if t.byStatus[st] += delta; t.byStatus[st] == 0 {
			delete(t.byStatus, st)
		}
		if t.byLevel[lvl] += delta; t.byLevel[lvl] == 0 {
			delete(t.byLevel, lvl)
		}
	}
	apply(delta)
	d.undo = append(d.undo, func() { apply(-delta) })
}

// utc is the form in which every time is stored.
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func notFound(what string) error {
	return fmt.Errorf("memstore: %s %w", what, usermgmt.ErrNotFound)
}

func conflict(field string) error { return &usermgmt.ConflictError{Field: field} }

// required is the error for a missing key field the caller must set.
func required(field string) error {
	return &usermgmt.ValidationError{Fields: []usermgmt.FieldError{{
		Field: field, Code: usermgmt.CodeRequired, Message: "is required",
	}}}
}

// invalid is the error for a value a store cannot hold.
func invalid(field, message string) error {
	return &usermgmt.ValidationError{Fields: []usermgmt.FieldError{{
		Field: field, Code: usermgmt.CodeInvalid, Message: message,
	}}}
}

func copyAccount(a usermgmt.Account) usermgmt.Account {
	a.Settings = maps.Clone(a.Settings)
	a.CreatedAt, a.UpdatedAt = utc(a.CreatedAt), utc(a.UpdatedAt)
	return a
}

func copyGroup(g usermgmt.Group) usermgmt.Group {
	g.CreatedAt, g.UpdatedAt = utc(g.CreatedAt), utc(g.UpdatedAt)
	return g
}

func copyUser(u usermgmt.User) usermgmt.User {
	u.Services = slices.Clone(u.Services)
	u.Settings = maps.Clone(u.Settings)
	u.SuspendedUntil = utc(u.SuspendedUntil)
	u.LastLoginAt = utc(u.LastLoginAt)
	u.CreatedAt, u.UpdatedAt, u.DeletedAt = utc(u.CreatedAt), utc(u.UpdatedAt), utc(u.DeletedAt)
	return u
}

func copyGrant(g usermgmt.Grant) usermgmt.Grant {
	g.Permissions = slices.Clone(g.Permissions)
	g.CreatedAt = utc(g.CreatedAt)
	return g
}

func copyNumber(n usermgmt.Number) usermgmt.Number {
	n.CreatedAt = utc(n.CreatedAt)
	return n
}

func copyAlias(a usermgmt.Alias) usermgmt.Alias {
	a.CreatedAt = utc(a.CreatedAt)
	return a
}

func copyToken(t usermgmt.Token) usermgmt.Token {
	t.Data = bytes.Clone(t.Data)
	t.SentAt, t.CreatedAt, t.ExpiresAt, t.UsedAt = utc(t.SentAt), utc(t.CreatedAt), utc(t.ExpiresAt), utc(t.UsedAt)
	return t
}

func copySession(s usermgmt.Session) usermgmt.Session {
	s.CreatedAt, s.LastSeen, s.ExpiresAt = utc(s.CreatedAt), utc(s.LastSeen), utc(s.ExpiresAt)
	return s
}

func copyEvent(e usermgmt.Event) usermgmt.Event {
	e.Fields = slices.Clone(e.Fields)
	e.At = utc(e.At)
	return e
}

func copyCounter(c usermgmt.Counter) usermgmt.Counter {
	c.WindowStart, c.Last = utc(c.WindowStart), utc(c.Last)
	return c
}

// wrap prefixes err with the package and what it concerns.
func wrap(what string, err error) error { return fmt.Errorf("memstore: %s: %w", what, err) }
