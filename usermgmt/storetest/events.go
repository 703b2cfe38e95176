package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
)

func eventIDs(events []usermgmt.Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.ID
	}
	return out
}

// allEvents returns every event ListEvents returns for f, following
// cursors with pages of size limit.
func allEvents(t *testing.T, s usermgmt.Tx, f usermgmt.EventFilter, limit int) []usermgmt.Event {
	t.Helper()
	var out []usermgmt.Event
	after := ""
	for range 1000 {
		page, next, err := s.ListEvents(context.Background(), f, usermgmt.Page{After: after, Limit: limit})
		require.NoError(t, err, "list events")
		out = append(out, page...)
		if next == "" {
			return out
		}
		after = next
	}
	t.Fatal("list events: the cursors never ended")
	return nil
}

func testEvents(t *testing.T, r *runner) {
	s := r.store(t)
	ctx := context.Background()

	parallel(t, "AppendEvent/RoundTrip", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		e := f.event("user.suspend", at(time.Minute), func(e *usermgmt.Event) {
			e.Outcome, e.Reason, e.Fields = usermgmt.OutcomeRefused, "forbidden", []string{"status", "suspended_until"}
		})
		bare := f.event("account.update", at(2*time.Minute), func(e *usermgmt.Event) {
			e.ActorID, e.TargetType, e.TargetID, e.Fields, e.ClientKey = "", "", "", nil, ""
		})
		list := allEvents(t, s, usermgmt.EventFilter{AccountID: f.ID}, 0)
		require.Len(t, list, 2)
		assert.Equal(t, want(bare), got(list[0]))
		assert.Equal(t, want(e), got(list[1]))
	})
	parallel(t, "AppendEvent/DuplicateIDConflict", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		e := f.event("user.create", at(0))
		dup := e
		dup.Action = "user.delete"
		require.ErrorIs(t, s.AppendEvent(ctx, &dup), usermgmt.ErrConflict)
		list := allEvents(t, s, usermgmt.EventFilter{AccountID: f.ID}, 0)
		require.Len(t, list, 1)
		assert.Equal(t, "user.create", list[0].Action)
	})
	parallel(t, "ListEvents/Filters", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		other := r.fixture(t, s, 0)
		userID := f.ID + "-u7"
		// Times aligned to the microsecond, so that the bounds are exact.
		tick := func(m int) time.Time { return us(at(time.Duration(m) * time.Minute)) }
		byActor := f.event("user.update", tick(1), func(e *usermgmt.Event) { e.ActorID = userID })
		onTarget := f.event("user.suspend", tick(2), func(e *usermgmt.Event) { e.TargetID = userID })
		onGroup := f.event("group.create", tick(3), func(e *usermgmt.Event) { e.TargetType, e.TargetID = "group", f.Child.ID })
		later := f.event("user.update", tick(4))
		last := f.event("user.delete", tick(5), func(e *usermgmt.Event) { e.TargetID = userID })
		other.event("user.update", tick(3), func(e *usermgmt.Event) { e.ActorID = userID })

		cases := []struct {
			name   string
			filter usermgmt.EventFilter
			want   []string
		}{
			{"Account", usermgmt.EventFilter{}, []string{last.ID, later.ID, onGroup.ID, onTarget.ID, byActor.ID}},
			{"UserActorOrTarget", usermgmt.EventFilter{UserID: userID}, []string{last.ID, onTarget.ID, byActor.ID}},
			{"Action", usermgmt.EventFilter{Action: "user.update"}, []string{later.ID, byActor.ID}},
			{"SinceInclusive", usermgmt.EventFilter{Since: tick(3)}, []string{last.ID, later.ID, onGroup.ID}},
			{"UntilExclusive", usermgmt.EventFilter{Until: tick(3)}, []string{onTarget.ID, byActor.ID}},
			{"SinceAndUntil", usermgmt.EventFilter{Since: tick(2), Until: tick(5)}, []string{later.ID, onGroup.ID, onTarget.ID}},
			{"SinceInAnotherZone", usermgmt.EventFilter{Since: tick(4).In(time.FixedZone("PST", -8*3600))}, []string{last.ID, later.ID}},
			{"Combined", usermgmt.EventFilter{UserID: userID, Action: "user.delete", Since: tick(1)}, []string{last.ID}},
			{"NoMatch", usermgmt.EventFilter{Action: "nothing"}, nil},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				filter := tc.filter
				filter.AccountID = f.ID
				for _, limit := range []int{0, 1} {
					gotIDs := eventIDs(allEvents(t, s, filter, limit))
					if len(gotIDs) == 0 {
						gotIDs = nil
					}
					assert.Equal(t, tc.want, gotIDs, "limit %d", limit)
				}
			})
		}
	})
}

func testCounters(t *testing.T, r *runner) {
	s := r.store(t)
	ctx := context.Background()
	const window = time.Minute

	hit := func(t *testing.T, key string, now time.Time) int64 {
		t.Helper()
		n, err := s.Hit(ctx, key, now, window)
		require.NoError(t, err)
		return n
	}

	parallel(t, "Hit/CountsInWindow", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		key, otherKey := "login:"+f.ID, "login:"+f.ID+":other"
		assert.Equal(t, int64(1), hit(t, key, at(0)))
		assert.Equal(t, int64(2), hit(t, key, at(time.Second)))
		assert.Equal(t, int64(1), hit(t, otherKey, at(time.Second)), "counters are per key")
		assert.Equal(t, int64(3), hit(t, key, at(59*time.Second)))
		c, err := s.GetCounter(ctx, key, at(59*time.Second), window)
		require.NoError(t, err)
		assert.Equal(t, usermgmt.Counter{Key: key, Count: 3, WindowStart: us(at(0)), Last: us(at(59 * time.Second))}, c)
	})
	parallel(t, "Hit/NewWindowAfterEnd", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		key := "pin:" + f.ID
		start := us(at(0))
		assert.Equal(t, int64(1), hit(t, key, start))
		assert.Equal(t, int64(2), hit(t, key, start.Add(window-time.Microsecond)), "still in the window")
		assert.Equal(t, int64(1), hit(t, key, start.Add(window)), "the window has ended")
		assert.Equal(t, int64(2), hit(t, key, start.Add(window+30*time.Second)), "the new window starts at its first hit")
		assert.Equal(t, int64(1), hit(t, key, start.Add(2*window)), "and ends a window later")
		c, err := s.GetCounter(ctx, key, start.Add(2*window), window)
		require.NoError(t, err)
		assert.Equal(t, start.Add(2*window), c.WindowStart)
	})
	parallel(t, "GetCounter/EndedOrNeverHitIsZero", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		key := "reset:" + f.ID
		c, err := s.GetCounter(ctx, key, at(0), window)
		require.NoError(t, err, "a counter never hit")
		assert.Zero(t, c.Count)
		hit(t, key, at(0))
		c, err = s.GetCounter(ctx, key, at(window), window)
		require.NoError(t, err)
		assert.Zero(t, c.Count, "a counter whose window has ended")
		c, err = s.GetCounter(ctx, key, at(window-time.Second), window)
		require.NoError(t, err)
		assert.Equal(t, int64(1), c.Count, "GetCounter does not count")
	})
	parallel(t, "ResetCounter", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		key := "sms:" + f.ID
		hit(t, key, at(0))
		hit(t, key, at(0))
		require.NoError(t, s.ResetCounter(ctx, key))
		c, err := s.GetCounter(ctx, key, at(time.Second), window)
		require.NoError(t, err)
		assert.Zero(t, c.Count)
		assert.Equal(t, int64(1), hit(t, key, at(2*time.Second)), "counting starts again")
	})
	parallel(t, "Hit/Concurrent", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		key := "burst:" + f.ID
		counts := make([]int64, 50)
		errs := race(len(counts), func(i int) error {
			n, err := s.Hit(ctx, key, at(time.Duration(i)*time.Millisecond), window)
			counts[i] = n
			return err
		})
		for _, err := range errs {
			require.NoError(t, err)
		}
		seen := map[int64]bool{}
		for _, n := range counts {
			assert.False(t, seen[n], "count %d returned twice", n)
			seen[n] = true
		}
		for n := int64(1); n <= 50; n++ {
			assert.True(t, seen[n], "count %d returned", n)
		}
		c, err := s.GetCounter(ctx, key, at(time.Second), window)
		require.NoError(t, err)
		assert.Equal(t, int64(50), c.Count, "every hit is counted")
	})
}

func testPurge(t *testing.T, r *runner) {
	s := r.store(t)
	ctx := context.Background()
	f := r.fixture(t, s, 0)
	u := f.user()
	cut := us(at(10 * time.Hour))
	mins := func(m int) time.Time { return cut.Add(time.Duration(m) * time.Minute) }

	goneSession := f.session(usermgmt.SessionLogin, u.ID, func(x *usermgmt.Session) { x.ExpiresAt = mins(-1) })
	edgeSession := f.session(usermgmt.SessionLogin, u.ID, func(x *usermgmt.Session) { x.ExpiresAt = cut })
	liveSession := f.session(usermgmt.SessionLogin, u.ID, func(x *usermgmt.Session) { x.ExpiresAt = mins(60) })
	apiKey := f.session(usermgmt.SessionAPIKey, u.ID, func(x *usermgmt.Session) { x.CreatedAt, x.LastSeen = mins(-600), mins(-600) })

	expired := f.token(usermgmt.TokenReset, u.ID, func(x *usermgmt.Token) { x.ExpiresAt = mins(-1) })
	edgeToken := f.token(usermgmt.TokenReset, u.ID, func(x *usermgmt.Token) { x.ExpiresAt = cut })
	usedBefore := f.token(usermgmt.TokenInvite, "", func(x *usermgmt.Token) { x.ExpiresAt = mins(600) })
	_, err := s.ConsumeToken(ctx, usedBefore.Kind, usedBefore.Hash, mins(-5), "accepted")
	require.NoError(t, err)
	usedAfter := f.token(usermgmt.TokenInvite, "", func(x *usermgmt.Token) { x.ExpiresAt = mins(600) })
	_, err = s.ConsumeToken(ctx, usedAfter.Kind, usedAfter.Hash, mins(5), "accepted")
	require.NoError(t, err)
	pending := f.token(usermgmt.TokenInvite, "", func(x *usermgmt.Token) { x.ExpiresAt = mins(600) })

	_, err = s.Hit(ctx, "old:"+f.ID, mins(-120), time.Hour)
	require.NoError(t, err)
	_, err = s.Hit(ctx, "renewed:"+f.ID, mins(-120), 24*time.Hour)
	require.NoError(t, err)
	_, err = s.Hit(ctx, "renewed:"+f.ID, mins(1), 24*time.Hour)
	require.NoError(t, err)

	n, err := s.Purge(ctx, cut)
	require.NoError(t, err)
	assert.Equal(t, 4, n, "one session, two tokens and one counter ended before the time")

	t.Run("RemovesEndedSessions", func(t *testing.T) {
		_, err := s.GetSessionByHash(ctx, goneSession.Hash)
		require.ErrorIs(t, err, usermgmt.ErrNotFound)
		for _, kept := range []usermgmt.Session{edgeSession, liveSession, apiKey} {
			_, err := s.GetSessionByHash(ctx, kept.Hash)
			require.NoError(t, err, "session %s is kept", kept.ID)
		}
	})
	t.Run("RemovesExpiredAndUsedTokens", func(t *testing.T) {
		for _, gone := range []usermgmt.Token{expired, usedBefore} {
			_, err := s.GetToken(ctx, gone.ID)
			require.ErrorIs(t, err, usermgmt.ErrNotFound, "token %s", gone.ID)
		}
		for _, kept := range []usermgmt.Token{edgeToken, usedAfter, pending} {
			_, err := s.GetToken(ctx, kept.ID)
			require.NoError(t, err, "token %s is kept", kept.ID)
		}
	})
	t.Run("RemovesCountersLastHitBefore", func(t *testing.T) {
		c, err := s.GetCounter(ctx, "renewed:"+f.ID, mins(2), 24*time.Hour)
		require.NoError(t, err)
		assert.Equal(t, int64(2), c.Count, "a counter hit after the time is kept")
		n, err := s.Hit(ctx, "old:"+f.ID, mins(1), 24*time.Hour)
		require.NoError(t, err)
		assert.Equal(t, int64(1), n, "the old counter was removed")
	})
	t.Run("SecondPurgeRemovesNothing", func(t *testing.T) {
		n, err := s.Purge(ctx, cut)
		require.NoError(t, err)
		assert.Zero(t, n)
	})
}
