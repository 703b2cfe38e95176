package memstore

import (
	"bytes"
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/rosterkit/roster/usermgmt"
)

func (d *db) createToken(t *usermgmt.Token) error {
	switch {
	case t.ID == "":
		return required("id")
	case t.Hash == "":
		return required("hash")
	}
	if _, ok := d.tokens[t.ID]; ok {
		return conflict("id")
	}
	if _, ok := d.tokenByHash[t.Hash]; ok {
		return conflict("token")
	}
	v := copyToken(*t)
	put(d, d.tokens, v.ID, v)
	put(d, d.tokenByHash, v.Hash, v.ID)
	if v.UserID != "" {
		d.link(d.tokensOf, v.UserID, v.ID)
	}
	d.indexInsert(d.tokenIndex, entry{timeKey(v.CreatedAt), v.ID})
	return nil
}

// removeToken deletes a stored token and its links.
func (d *db) removeToken(t usermgmt.Token) {
	d.indexRemove(d.tokenIndex, entry{timeKey(t.CreatedAt), t.ID})
	d.unlink(d.tokensOf, t.UserID, t.ID)
	drop(d, d.tokenByHash, t.Hash)
	drop(d, d.tokens, t.ID)
}

func (d *db) getToken(id string) (usermgmt.Token, error) {
	t, ok := d.tokens[id]
	if !ok {
		return usermgmt.Token{}, notFound("token")
	}
	return copyToken(t), nil
}

func (d *db) getTokenByHash(hash string) (usermgmt.Token, error) {
	id, ok := d.tokenByHash[hash]
	if !ok {
		return usermgmt.Token{}, notFound("token")
	}
	return copyToken(d.tokens[id]), nil
}

func (d *db) updateToken(t *usermgmt.Token) error {
	cur, ok := d.tokens[t.ID]
	if !ok {
		return notFound("token")
	}
	if t.Hash == "" {
		return required("hash")
	}
	if t.Hash != cur.Hash {
		if _, ok := d.tokenByHash[t.Hash]; ok {
			return conflict("token")
		}
		drop(d, d.tokenByHash, cur.Hash)
		put(d, d.tokenByHash, t.Hash, cur.ID)
	}
	cur.Hash, cur.Data, cur.Sends = t.Hash, bytes.Clone(t.Data), t.Sends
	cur.SentAt, cur.SendError, cur.ExpiresAt = utc(t.SentAt), t.SendError, utc(t.ExpiresAt)
	put(d, d.tokens, cur.ID, cur)
	return nil
}

func (d *db) consumeToken(kind usermgmt.TokenKind, hash string, now time.Time, outcome string) (usermgmt.Token, error) {
	id, ok := d.tokenByHash[hash]
	t := d.tokens[id]
	if !ok || t.Kind != kind {
		return usermgmt.Token{}, notFound("token")
	}
	if !t.UsedAt.IsZero() {
		return usermgmt.Token{}, wrap("token", usermgmt.ErrUsed)
	}
	if !now.Before(t.ExpiresAt) {
		return usermgmt.Token{}, wrap("token", usermgmt.ErrExpired)
	}
	t.UsedAt, t.Outcome = utc(now), outcome
	put(d, d.tokens, id, t)
	return copyToken(t), nil
}

func (d *db) addTokenAttempt(id string, max int) (int, error) {
	t, ok := d.tokens[id]
	if !ok {
		return 0, notFound("token")
	}
	if t.Attempts >= max {
		return t.Attempts, wrap("token", usermgmt.ErrLocked)
	}
	t.Attempts++
	put(d, d.tokens, id, t)
	return t.Attempts, nil
}

func (d *db) deleteToken(id string) error {
	t, ok := d.tokens[id]
	if !ok {
		return notFound("token")
	}
	d.removeToken(t)
	return nil
}

func (d *db) deleteTokens(userID string, kind usermgmt.TokenKind) int {
	n := 0
	for _, id := range members(d.tokensOf, userID) {
		t := d.tokens[id]
		if t.UsedAt.IsZero() && (kind == "" || t.Kind == kind) {
			d.removeToken(t)
			n++
		}
	}
	return n
}

func (d *db) listTokens(f usermgmt.TokenFilter, p usermgmt.Page) ([]usermgmt.Token, string, error) {
	before, err := decodeCursor(tagTokens, p.After)
	if err != nil {
		return nil, "", err
	}
	email := usermgmt.EmailKey(f.Email)
	match := func(t *usermgmt.Token) bool {
		switch {
		case f.AccountID != "" && t.AccountID != f.AccountID,
			f.UserID != "" && t.UserID != f.UserID,
			f.Kind != "" && t.Kind != f.Kind,
			f.Email != "" && usermgmt.EmailKey(t.Email) != email,
			f.Unused && !t.UsedAt.IsZero():
			return false
		}
		return true
	}
	limit := p.Size()
	out := make([]usermgmt.Token, 0, min(limit, d.tokenIndex.Len()))
	var (
		last entry
		more bool
	)
	d.tokenIndex.descend(before, func(e entry) bool {
		t := d.tokens[e.id]
		if !match(&t) {
			return true
		}
		if len(out) == limit {
			more = true
			return false
		}
		out, last = append(out, copyToken(t)), e
		return true
	})
	if !more {
		return out, "", nil
	}
	return out, encodeCursor(tagTokens, last), nil
}

func (d *db) createSession(s *usermgmt.Session) error {
	switch {
	case s.ID == "":
		return required("id")
	case s.Hash == "":
		return required("hash")
	}
	if _, ok := d.sessions[s.ID]; ok {
		return conflict("id")
	}
	if _, ok := d.sessionByHash[s.Hash]; ok {
		return conflict("session")
	}
	if _, ok := d.live(s.UserID); !ok {
		return notFound("user")
	}
	v := copySession(*s)
	put(d, d.sessions, v.ID, v)
	put(d, d.sessionByHash, v.Hash, v.ID)
	d.link(d.sessionsOf, v.UserID, v.ID)
	return nil
}

// removeSession deletes a stored session and its links.
func (d *db) removeSession(s usermgmt.Session) {
	d.unlink(d.sessionsOf, s.UserID, s.ID)
	drop(d, d.sessionByHash, s.Hash)
	drop(d, d.sessions, s.ID)
}

func (d *db) getSessionByHash(hash string) (usermgmt.Session, error) {
	id, ok := d.sessionByHash[hash]
	if !ok {
		return usermgmt.Session{}, notFound("session")
	}
	return copySession(d.sessions[id]), nil
}

func (d *db) touchSession(id string, at time.Time) error {
	s, ok := d.sessions[id]
	if !ok {
		return notFound("session")
	}
	s.LastSeen = utc(at)
	put(d, d.sessions, id, s)
	return nil
}

func (d *db) deleteSession(id string) error {
	s, ok := d.sessions[id]
	if !ok {
		return notFound("session")
	}
	d.removeSession(s)
	return nil
}

// userSessions returns a user's sessions of one kind ("" for both).
func (d *db) userSessions(userID string, kind usermgmt.SessionKind) []usermgmt.Session {
	var out []usermgmt.Session
	for id := range d.sessionsOf[userID] {
		if s := d.sessions[id]; kind == "" || s.Kind == kind {
			out = append(out, s)
		}
	}
	return out
}

func (d *db) deleteSessions(userID string, kind usermgmt.SessionKind) int {
	list := d.userSessions(userID, kind)
	for _, s := range list {
		d.removeSession(s)
	}
	return len(list)
}

func (d *db) listSessions(userID string, kind usermgmt.SessionKind) []usermgmt.Session {
	list := d.userSessions(userID, kind)
	for i := range list {
		list[i] = copySession(list[i])
	}
	slices.SortFunc(list, func(a, b usermgmt.Session) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(b.ID, a.ID))
	})
	return list
}
