package memstore

import (
	"time"

	"github.com/rosterkit/roster/usermgmt"
)

func (d *db) appendEvent(e *usermgmt.Event) error {
	switch {
	case e.ID == "":
		return required("id")
	case e.AccountID == "":
		return required("account_id")
	}
	if _, ok := d.events[e.ID]; ok {
		return conflict("id")
	}
	v := copyEvent(*e)
	v.At = utc(v.At)
	put(d, d.events, v.ID, v)
	d.indexInsert(indexOf(d.eventIndex, v.AccountID), entry{timeKey(v.At), v.ID})
	e.At = v.At
	return nil
}

func (d *db) listEvents(f usermgmt.EventFilter, p usermgmt.Page) ([]usermgmt.Event, string, error) {
	before, err := decodeCursor(tagEvents, p.After)
	if err != nil {
		return nil, "", err
	}
	x := d.eventIndex[f.AccountID]
	if x == nil {
		return nil, "", nil
	}
	since, until := utc(f.Since), utc(f.Until)
	if before == nil && !f.Until.IsZero() {
		// Start just before Until: every entry with a smaller time key.
		before = &entry{key: timeKey(until), id: ""}
	}
	limit := p.Size()
	out := make([]usermgmt.Event, 0, min(limit, x.Len()))
	var (
		last entry
		more bool
	)
	x.descend(before, func(e entry) bool {
		ev := d.events[e.id]
		if !f.Since.IsZero() && ev.At.Before(since) {
			return false
		}
		switch {
		case !f.Until.IsZero() && !ev.At.Before(until),
			f.UserID != "" && ev.ActorID != f.UserID && !(ev.TargetType == "user" && ev.TargetID == f.UserID),
			f.Action != "" && ev.Action != f.Action:
			return true
		}
		if len(out) == limit {
			more = true
			return false
		}
		out, last = append(out, copyEvent(ev)), e
		return true
	})
	if !more {
		return out, "", nil
	}
	return out, encodeCursor(tagEvents, last), nil
}

func (d *db) hit(key string, now time.Time, window time.Duration) (int64, error) {
	if key == "" {
		return 0, required("key")
	}
	now = utc(now)
	c, ok := d.counters[key]
	if !ok || !now.Before(c.WindowStart.Add(window)) {
		c = usermgmt.Counter{Key: key, WindowStart: now}
	}
	c.Count++
	c.Last = now
	put(d, d.counters, key, c)
	return c.Count, nil
}

func (d *db) getCounter(key string, now time.Time, window time.Duration) usermgmt.Counter {
	c, ok := d.counters[key]
	if !ok || !utc(now).Before(c.WindowStart.Add(window)) {
		return usermgmt.Counter{Key: key}
	}
	return copyCounter(c)
}

func (d *db) purge(before time.Time) int {
	before = utc(before)
	n := 0
	for _, s := range d.sessions {
		if !s.ExpiresAt.IsZero() && s.ExpiresAt.Before(before) {
			d.removeSession(s)
			n++
		}
	}
	for _, t := range d.tokens {
		if t.ExpiresAt.Before(before) || (!t.UsedAt.IsZero() && t.UsedAt.Before(before)) {
			d.removeToken(t)
			n++
		}
	}
	for k, c := range d.counters {
		if c.Last.Before(before) {
			drop(d, d.counters, k)
			n++
		}
	}
	return n
}
