package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/rosterkit/roster/usermgmt"
)

const eventCols = `id, account_id, actor_id, action, target_type, target_id, outcome, fields, reason,
	client_key, occurred_at`

func scanEvent(scan func(...any) error) (usermgmt.Event, error) {
	var e usermgmt.Event
	err := scan(&e.ID, &e.AccountID, &e.ActorID, &e.Action, &e.TargetType, &e.TargetID, &e.Outcome,
		jsonCol{&e.Fields}, &e.Reason, &e.ClientKey, timeCol{&e.At})
	return e, err
}

// AppendEvent implements usermgmt.Tx.
func (o *ops) AppendEvent(ctx context.Context, e *usermgmt.Event) error {
	if err := o.start(ctx); err != nil {
		return err
	}
	if e == nil {
		return required("event")
	}
	switch {
	case e.ID == "":
		return required("id")
	case e.AccountID == "":
		return required("account_id")
	}
	n, err := o.affected(ctx, "append event", `INSERT INTO {p}events (`+eventCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		e.ID, e.AccountID, e.ActorID, e.Action, e.TargetType, e.TargetID, e.Outcome, jsonText(e.Fields),
		e.Reason, e.ClientKey, o.s.at(e.At))
	if err != nil {
		return err
	}
	if n == 0 {
		return conflict("id")
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	return nil
}

// ListEvents implements usermgmt.Tx, newest first by (At, ID), walking
// the (account, time, id) index from the cursor.
func (o *ops) ListEvents(ctx context.Context, f usermgmt.EventFilter, p usermgmt.Page) ([]usermgmt.Event, string, error) {
	if err := o.start(ctx); err != nil {
		return nil, "", err
	}
	before, ok, err := DecodeCursor(tagEvents, p.After)
	if err != nil {
		return nil, "", err
	}
	var q strings.Builder
	q.WriteString(`SELECT ` + eventCols + ` FROM {p}events WHERE account_id = ?`)
	args := []any{f.AccountID}
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
		and("(occurred_at, id) < (?, ?)", o.s.at(at), before.ID)
	}
	if f.UserID != "" {
		and("(actor_id = ? OR (target_type = 'user' AND target_id = ?))", f.UserID, f.UserID)
	}
	if f.Action != "" {
		and("action = ?", f.Action)
	}
	if !f.Since.IsZero() {
		and("occurred_at >= ?", o.s.at(f.Since))
	}
	if !f.Until.IsZero() {
		and("occurred_at < ?", o.s.at(f.Until))
	}
	limit := p.Size()
	q.WriteString(" ORDER BY occurred_at DESC, id DESC LIMIT ?")
	args = append(args, limit+1)
	out := make([]usermgmt.Event, 0, min(limit, 64))
	err = o.list(ctx, "list events", q.String(), args, func(r rowScanner) error {
		e, err := scanEvent(r.Scan)
		out = append(out, e)
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
	return out, EncodeCursor(tagEvents, Cursor{Key: timeKey(last.At), ID: last.ID}), nil
}

// Hit implements usermgmt.Tx with one upsert: concurrent hits serialise on
// the counter's row and each sees the count its own hit made.
func (o *ops) Hit(ctx context.Context, key string, now time.Time, window time.Duration) (int64, error) {
	if err := o.start(ctx); err != nil {
		return 0, err
	}
	if key == "" {
		return 0, required("key")
	}
	ended := o.s.at(now.Add(-window))
	var n int64
	_, err := o.row(ctx, "hit", true, `INSERT INTO {p}counters (counter_key, hits, window_start, last_hit)
		VALUES (?, 1, ?, ?) ON CONFLICT (counter_key) DO UPDATE SET
		hits = CASE WHEN {p}counters.window_start <= ? THEN 1 ELSE {p}counters.hits + 1 END,
		window_start = CASE WHEN {p}counters.window_start <= ? THEN excluded.window_start
			ELSE {p}counters.window_start END,
		last_hit = excluded.last_hit
		RETURNING hits`, []any{key, o.s.at(now), o.s.at(now), ended, ended}, &n)
	return n, err
}

// GetCounter implements usermgmt.Tx. A counter whose window has ended
// reads as never hit: only Key is set.
func (o *ops) GetCounter(ctx context.Context, key string, now time.Time, window time.Duration) (usermgmt.Counter, error) {
	if err := o.start(ctx); err != nil {
		return usermgmt.Counter{}, err
	}
	c := usermgmt.Counter{Key: key}
	ok, err := o.row(ctx, "get counter", false, `SELECT hits, window_start, last_hit FROM {p}counters
		WHERE counter_key = ?`, []any{key}, &c.Count, timeCol{&c.WindowStart}, timeCol{&c.Last})
	switch {
	case err != nil:
		return usermgmt.Counter{}, err
	case !ok:
		return usermgmt.Counter{Key: key}, nil
	}
	if !now.Before(c.WindowStart.Add(window)) {
		return usermgmt.Counter{Key: key}, nil
	}
	return c, nil
}

// ResetCounter implements usermgmt.Tx.
func (o *ops) ResetCounter(ctx context.Context, key string) error {
	if err := o.start(ctx); err != nil {
		return err
	}
	_, err := o.exec(ctx, "reset counter", `DELETE FROM {p}counters WHERE counter_key = ?`, key)
	return err
}

// Purge implements usermgmt.Tx.
func (o *ops) Purge(ctx context.Context, before time.Time) (int, error) {
	if err := o.start(ctx); err != nil {
		return 0, err
	}
	total := 0
	err := o.atomic(ctx, func(o *ops) error {
		total = 0
		b := o.s.at(before)
		for _, q := range [...]struct {
			query string
			args  []any
		}{
			{`DELETE FROM {p}sessions WHERE expires_at IS NOT NULL AND expires_at < ?`, []any{b}},
			{`DELETE FROM {p}tokens WHERE expires_at < ?`, []any{b}},
			{`DELETE FROM {p}tokens WHERE used_at < ?`, []any{b}},
			{`DELETE FROM {p}counters WHERE last_hit < ?`, []any{b}},
		} {
			n, err := o.affected(ctx, "purge", q.query, q.args...)
			if err != nil {
				return err
			}
			total += int(n)
		}
		return nil
	})
	return total, err
}
