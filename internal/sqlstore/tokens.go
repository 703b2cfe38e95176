package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/rosterkit/roster/usermgmt"
)

const tokenCols = `id, kind, hash, account_id, user_id, email, created_by, data, attempts, sends,
	sent_at, send_error, created_at, expires_at, used_at, outcome`

func scanToken(scan func(...any) error) (usermgmt.Token, error) {
	var t usermgmt.Token
	err := scan(&t.ID, &t.Kind, &t.Hash, &t.AccountID, &t.UserID, &t.Email, &t.CreatedBy, bytesCol{&t.Data},
		&t.Attempts, &t.Sends, timeCol{&t.SentAt}, &t.SendError, timeCol{&t.CreatedAt}, timeCol{&t.ExpiresAt},
		timeCol{&t.UsedAt}, &t.Outcome)
	return t, err
}

// CreateToken implements usermgmt.Tx.
func (o *ops) CreateToken(ctx context.Context, t *usermgmt.Token) error {
	if err := o.start(ctx); err != nil {
		return err
	}
	if t == nil {
		return required("token")
	}
	switch {
	case t.ID == "":
		return required("id")
	case t.Hash == "":
		return required("hash")
	}
	const op = "create token"
	n, err := o.affected(ctx, op, `INSERT INTO {p}tokens (`+tokenCols+`, email_key)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		t.ID, string(t.Kind), t.Hash, t.AccountID, t.UserID, t.Email, t.CreatedBy, blob(t.Data), t.Attempts,
		t.Sends, o.s.opt(t.SentAt), t.SendError, o.s.at(t.CreatedAt), o.s.at(t.ExpiresAt), o.s.opt(t.UsedAt),
		t.Outcome, usermgmt.EmailKey(t.Email))
	if err != nil {
		return err
	}
	if n == 0 {
		return o.takenBy(ctx, op, "tokens", "token", t.ID, t.Hash)
	}
	return nil
}

// takenBy tells which of id and hash a row of table already holds: a
// *ConflictError for "id" or for hashField.
func (o *ops) takenBy(ctx context.Context, op, table, hashField, id, hash string) error {
	byID, err := o.exists(ctx, op, `SELECT 1 FROM {p}`+table+` WHERE id = ?`, id)
	switch {
	case err != nil:
		return err
	case byID:
		return conflict("id")
	}
	return conflict(hashField)
}

// getToken returns the one token matching a condition.
func (o *ops) getToken(ctx context.Context, op, cond, arg string) (usermgmt.Token, error) {
	var out []usermgmt.Token
	err := o.list(ctx, op, `SELECT `+tokenCols+` FROM {p}tokens WHERE `+cond, []any{arg},
		func(r rowScanner) error {
			t, err := scanToken(r.Scan)
			out = append(out, t)
			return err
		})
	switch {
	case err != nil:
		return usermgmt.Token{}, err
	case len(out) == 0:
		return usermgmt.Token{}, o.notFound("token")
	}
	return out[0], nil
}

// GetToken implements usermgmt.Tx.
func (o *ops) GetToken(ctx context.Context, id string) (usermgmt.Token, error) {
	if err := o.start(ctx); err != nil {
		return usermgmt.Token{}, err
	}
	return o.getToken(ctx, "get token", "id = ?", id)
}

// GetTokenByHash implements usermgmt.Tx.
func (o *ops) GetTokenByHash(ctx context.Context, hash string) (usermgmt.Token, error) {
	if err := o.start(ctx); err != nil {
		return usermgmt.Token{}, err
	}
	return o.getToken(ctx, "get token", "hash = ?", hash)
}

// UpdateToken implements usermgmt.Tx.
func (o *ops) UpdateToken(ctx context.Context, t *usermgmt.Token) error {
	if err := o.start(ctx); err != nil {
		return err
	}
	if t == nil {
		return required("token")
	}
	const op = "update token"
	return o.atomic(ctx, func(o *ops) error {
		var hash string
		ok, err := o.row(ctx, op, false, `SELECT hash FROM {p}tokens WHERE id = ?`+o.s.lock(), []any{t.ID}, &hash)
		switch {
		case err != nil:
			return err
		case !ok:
			return o.notFound("token")
		case t.Hash == "":
			return required("hash")
		}
		query := `UPDATE {p}tokens SET hash = ?, data = ?, sends = ?, sent_at = ?, send_error = ?, expires_at = ?
			WHERE id = ?`
		args := []any{t.Hash, blob(t.Data), t.Sends, o.s.opt(t.SentAt), t.SendError, o.s.at(t.ExpiresAt), t.ID}
		if t.Hash == hash {
			_, err = o.exec(ctx, op, query, args...)
			return err
		}
		taken, err := o.exists(ctx, op, `SELECT 1 FROM {p}tokens WHERE hash = ?`, t.Hash)
		switch {
		case err != nil:
			return err
		case taken:
			return conflict("token")
		}
		_, err = o.guard(ctx, op, query, args...)
		return err
	})
}

// ConsumeToken implements usermgmt.Tx: one conditional UPDATE marks the
// token used, so of two concurrent calls exactly one changes the row;
// a miss is then explained by a read.
func (o *ops) ConsumeToken(ctx context.Context, kind usermgmt.TokenKind, hash string, now time.Time, outcome string) (usermgmt.Token, error) {
	if err := o.start(ctx); err != nil {
		return usermgmt.Token{}, err
	}
	const op = "consume token"
	var t usermgmt.Token
	ok, err := o.row(ctx, op, true, `UPDATE {p}tokens SET used_at = ?, outcome = ?
		WHERE hash = ? AND kind = ? AND used_at IS NULL AND expires_at > ? RETURNING `+tokenCols,
		[]any{o.s.at(now), outcome, hash, string(kind), o.s.at(now)},
		scanDest(&t)...)
	switch {
	case err != nil:
		return usermgmt.Token{}, err
	case ok:
		return t, nil
	}
	var (
		storedKind usermgmt.TokenKind
		usedAt     time.Time
	)
	ok, err = o.row(ctx, op, false, `SELECT kind, used_at FROM {p}tokens WHERE hash = ?`, []any{hash},
		&storedKind, timeCol{&usedAt})
	switch {
	case err != nil:
		return usermgmt.Token{}, err
	case !ok || storedKind != kind:
		return usermgmt.Token{}, o.notFound("token")
	case !usedAt.IsZero():
		return usermgmt.Token{}, o.wrap("token", usermgmt.ErrUsed)
	}
	return usermgmt.Token{}, o.wrap("token", usermgmt.ErrExpired)
}

// scanDest returns the scan destinations of tokenCols for t.
func scanDest(t *usermgmt.Token) []any {
	return []any{&t.ID, &t.Kind, &t.Hash, &t.AccountID, &t.UserID, &t.Email, &t.CreatedBy, bytesCol{&t.Data},
		&t.Attempts, &t.Sends, timeCol{&t.SentAt}, &t.SendError, timeCol{&t.CreatedAt}, timeCol{&t.ExpiresAt},
		timeCol{&t.UsedAt}, &t.Outcome}
}

// AddTokenAttempt implements usermgmt.Tx with one conditional UPDATE.
func (o *ops) AddTokenAttempt(ctx context.Context, id string, max int) (int, error) {
	if err := o.start(ctx); err != nil {
		return 0, err
	}
	const op = "add token attempt"
	var n int
	ok, err := o.row(ctx, op, true, `UPDATE {p}tokens SET attempts = attempts + 1
		WHERE id = ? AND attempts < ? RETURNING attempts`, []any{id, max}, &n)
	switch {
	case err != nil:
		return 0, err
	case ok:
		return n, nil
	}
	ok, err = o.row(ctx, op, false, `SELECT attempts FROM {p}tokens WHERE id = ?`, []any{id}, &n)
	switch {
	case err != nil:
		return 0, err
	case !ok:
		return 0, o.notFound("token")
	}
	return n, o.wrap("token", usermgmt.ErrLocked)
}

// DeleteToken implements usermgmt.Tx.
func (o *ops) DeleteToken(ctx context.Context, id string) error {
	if err := o.start(ctx); err != nil {
		return err
	}
	return o.deleteOne(ctx, "delete token", "token", `DELETE FROM {p}tokens WHERE id = ?`, id)
}

// ListTokens implements usermgmt.Tx, newest first by (CreatedAt, ID).
func (o *ops) ListTokens(ctx context.Context, f usermgmt.TokenFilter, p usermgmt.Page) ([]usermgmt.Token, string, error) {
	if err := o.start(ctx); err != nil {
		return nil, "", err
	}
	before, ok, err := DecodeCursor(tagTokens, p.After)
	if err != nil {
		return nil, "", err
	}
	var q strings.Builder
	q.WriteString(`SELECT ` + tokenCols + ` FROM {p}tokens WHERE 1 = 1`)
	var args []any
	and := func(cond string, a ...any) {
		q.WriteString(" AND ")
		q.WriteString(cond)
		args = append(args, a...)
	}
	if ok {
		at, valid := keyTime(before.Key)
		if !valid {
			return nil, "", badCursor()
		}
		and("(created_at, id) < (?, ?)", o.s.at(at), before.ID)
	}
	if f.AccountID != "" {
		and("account_id = ?", f.AccountID)
	}
	if f.UserID != "" {
		and("user_id = ?", f.UserID)
	}
	if f.Kind != "" {
		and("kind = ?", string(f.Kind))
	}
	if f.Email != "" {
		and("email_key = ?", usermgmt.EmailKey(f.Email))
	}
	if f.Unused {
		and("used_at IS NULL")
	}
	limit := p.Size()
	q.WriteString(" ORDER BY created_at DESC, id DESC LIMIT ?")
	args = append(args, limit+1)
	out := make([]usermgmt.Token, 0, min(limit, 64))
	err = o.list(ctx, "list tokens", q.String(), args, func(r rowScanner) error {
		t, err := scanToken(r.Scan)
		out = append(out, t)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	if len(out) <= limit {
		return out, "", nil
	}
	out = out[:limit]
	last := out[limit-1]
	return out, EncodeCursor(tagTokens, Cursor{Key: timeKey(last.CreatedAt), ID: last.ID}), nil
}

// DeleteTokens implements usermgmt.Tx.
func (o *ops) DeleteTokens(ctx context.Context, userID string, kind usermgmt.TokenKind) (int, error) {
	if err := o.start(ctx); err != nil {
		return 0, err
	}
	var (
		n   int64
		err error
	)
	if kind == "" {
		n, err = o.affected(ctx, "delete tokens", `DELETE FROM {p}tokens WHERE user_id = ? AND used_at IS NULL`, userID)
	} else {
		n, err = o.affected(ctx, "delete tokens", `DELETE FROM {p}tokens WHERE user_id = ? AND kind = ?
			AND used_at IS NULL`, userID, string(kind))
	}
	return int(n), err
}

const sessionCols = `id, kind, hash, user_id, account_id, name, client_key, created_at, last_seen, expires_at`

func scanSession(scan func(...any) error) (usermgmt.Session, error) {
	var s usermgmt.Session
	err := scan(&s.ID, &s.Kind, &s.Hash, &s.UserID, &s.AccountID, &s.Name, &s.ClientKey,
		timeCol{&s.CreatedAt}, timeCol{&s.LastSeen}, timeCol{&s.ExpiresAt})
	return s, err
}

// CreateSession implements usermgmt.Tx.
func (o *ops) CreateSession(ctx context.Context, s *usermgmt.Session) error {
	if err := o.start(ctx); err != nil {
		return err
	}
	if s == nil {
		return required("session")
	}
	switch {
	case s.ID == "":
		return required("id")
	case s.Hash == "":
		return required("hash")
	}
	const op = "create session"
	return o.atomic(ctx, func(o *ops) error {
		var byID int
		taken, err := o.row(ctx, op, false, `SELECT CASE WHEN id = ? THEN 1 ELSE 0 END AS r FROM {p}sessions
			WHERE id = ? OR hash = ? ORDER BY r DESC LIMIT 1`, []any{s.ID, s.ID, s.Hash}, &byID)
		switch {
		case err != nil:
			return err
		case taken && byID == 1:
			return conflict("id")
		case taken:
			return conflict("session")
		}
		lock := o.s.keyShare()
		live, err := o.exists(ctx, op, `SELECT 1 FROM {p}users WHERE id = ? AND username_key IS NOT NULL`+lock, s.UserID)
		switch {
		case err != nil:
			return err
		case !live:
			return o.notFound("user")
		}
		n, err := o.affected(ctx, op, `INSERT INTO {p}sessions (`+sessionCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, s.ID, string(s.Kind), s.Hash, s.UserID, s.AccountID, s.Name, s.ClientKey,
			o.s.at(s.CreatedAt), o.s.at(s.LastSeen), o.s.opt(s.ExpiresAt))
		if err != nil {
			return err
		}
		if n == 0 {
			return o.takenBy(ctx, op, "sessions", "session", s.ID, s.Hash)
		}
		return nil
	})
}

// listSessions returns the sessions a condition selects, newest first.
func (o *ops) listSessions(ctx context.Context, op, cond string, args ...any) ([]usermgmt.Session, error) {
	out := []usermgmt.Session{}
	err := o.list(ctx, op, `SELECT `+sessionCols+` FROM {p}sessions WHERE `+cond+` ORDER BY created_at DESC, id DESC`,
		args, func(r rowScanner) error {
			s, err := scanSession(r.Scan)
			out = append(out, s)
			return err
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetSessionByHash implements usermgmt.Tx.
func (o *ops) GetSessionByHash(ctx context.Context, hash string) (usermgmt.Session, error) {
	if err := o.start(ctx); err != nil {
		return usermgmt.Session{}, err
	}
	out, err := o.listSessions(ctx, "get session", "hash = ?", hash)
	switch {
	case err != nil:
		return usermgmt.Session{}, err
	case len(out) == 0:
		return usermgmt.Session{}, o.notFound("session")
	}
	return out[0], nil
}

// TouchSession implements usermgmt.Tx.
func (o *ops) TouchSession(ctx context.Context, id string, at time.Time) error {
	if err := o.start(ctx); err != nil {
		return err
	}
	n, err := o.affected(ctx, "touch session", `UPDATE {p}sessions SET last_seen = ? WHERE id = ?`, o.s.at(at), id)
	if err != nil {
		return err
	}
	if n == 0 {
		return o.notFound("session")
	}
	return nil
}

// DeleteSession implements usermgmt.Tx.
func (o *ops) DeleteSession(ctx context.Context, id string) error {
	if err := o.start(ctx); err != nil {
		return err
	}
	return o.deleteOne(ctx, "delete session", "session", `DELETE FROM {p}sessions WHERE id = ?`, id)
}

// DeleteSessions implements usermgmt.Tx.
func (o *ops) DeleteSessions(ctx context.Context, userID string, kind usermgmt.SessionKind) (int, error) {
	if err := o.start(ctx); err != nil {
		return 0, err
	}
	var (
		n   int64
		err error
	)
	if kind == "" {
		n, err = o.affected(ctx, "delete sessions", `DELETE FROM {p}sessions WHERE user_id = ?`, userID)
	} else {
		n, err = o.affected(ctx, "delete sessions", `DELETE FROM {p}sessions WHERE user_id = ? AND kind = ?`,
			userID, string(kind))
	}
	return int(n), err
}

// ListSessions implements usermgmt.Tx.
func (o *ops) ListSessions(ctx context.Context, userID string, kind usermgmt.SessionKind) ([]usermgmt.Session, error) {
	if err := o.start(ctx); err != nil {
		return nil, err
	}
	if kind == "" {
		return o.listSessions(ctx, "list sessions", "user_id = ?", userID)
	}
	return o.listSessions(ctx, "list sessions", "user_id = ? AND kind = ?", userID, string(kind))
}
