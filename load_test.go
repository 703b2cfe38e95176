package roster_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster"
	"github.com/rosterkit/roster/auth"
	"github.com/rosterkit/roster/sms/smstest"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/mail"
)

// loadWorkers is how many goroutines share the load.
const loadWorkers = 8

// loadDuration is how long each store is loaded: ROSTER_LOAD_SECONDS, or
// two seconds.
func loadDuration(t *testing.T) time.Duration {
	if s := os.Getenv("ROSTER_LOAD_SECONDS"); s != "" {
		n, err := strconv.ParseFloat(s, 64)
		require.NoError(t, err, "ROSTER_LOAD_SECONDS")
		return time.Duration(n * float64(time.Second))
	}
	return 2 * time.Second
}

// loadTally is what the workers did, to hold the store to afterwards.
type loadTally struct {
	mu        sync.Mutex
	ok        map[string]int // successful operations by the audit action they record
	latencies map[string][]time.Duration
	deleted   []string
	sessions  map[string]int // sessions issued by user id
	expected  map[string]int // refusals the load provokes on purpose, by kind
}

func (l *loadTally) add(op string, d time.Duration, actions ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.latencies[op] = append(l.latencies[op], d)
	for _, a := range actions {
		l.ok[a]++
	}
}

// TestLoad is D4 of SECURITY.md: eight goroutines create users (some
// colliding on purpose with live usernames, some past the seat limit),
// suspend and unsuspend them, grant them access, delete them, and log in
// with the SMS PIN, for a bounded time on each store. Afterwards the
// store's invariants hold: identifiers unique among live users, the seat
// count equal to the live users and within the limit, nothing left of a
// deleted user (password, sessions, tokens, grants, aliases), no grant
// naming a deleted user, one session per PIN verified, and one audit
// event per successful mutation. It logs operations per second and p99
// latencies; run with -v to see them (scripts/bench copies them into
// BENCHMARKS.md).
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test skipped in -short mode")
	}
	for _, eng := range engines() {
		t.Run(eng.name, func(t *testing.T) {
			runLoad(t, eng.open(t), loadDuration(t))
		})
	}
}

func runLoad(t *testing.T, st usermgmt.Store, dur time.Duration) {
	ctx := context.Background()
	texts := &smstest.Recorder{}
	kit := suiteKit(t, st, texts, &mail.Recorder{})
	const seats = 120
	acct, owner, err := kit.Users.CreateAccount(ctx, usermgmt.NewAccount{Name: "Load Ltd", SeatLimit: seats,
		Owner: usermgmt.NewUser{User: usermgmt.User{Username: "owner", FirstName: "Olivia", LastName: "Owner",
			Email: "owner@load.example", MobilePhone: "+447911123000"}, Password: fixturePassword}})
	require.NoError(t, err)
	// One user per worker logs in again and again: its PIN is its own.
	logins := make([]usermgmt.User, loadWorkers)
	for i := range logins {
		logins[i], err = kit.Users.CreateUser(ctx, owner.ID, usermgmt.NewUser{User: usermgmt.User{
			Username: fmt.Sprintf("login%d", i), FirstName: "Lou", LastName: "Login", Email: fmt.Sprintf("login%d@load.example", i),
			MobilePhone: fmt.Sprintf("+447911123%03d", 1+i)}, Password: fixturePassword})
		require.NoError(t, err)
	}
	countsBefore, err := eventCounts(ctx, st, acct.ID)
	require.NoError(t, err)

	tally := &loadTally{ok: map[string]int{}, latencies: map[string][]time.Duration{},
		sessions: map[string]int{}, expected: map[string]int{}}
	deadline := time.Now().Add(dur)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range loadWorkers {
		wg.Go(func() {
			loadWorker(t, kit, owner.ID, logins[w], w, deadline, texts, tally)
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if t.Failed() {
		return
	}

	checkLoadInvariants(t, st, acct.ID, seats, logins, tally, countsBefore)
	reportLoad(t, tally, elapsed)
}

// loadWorker runs mixed operations until the deadline. Unexpected errors
// fail the test; the refusals it provokes on purpose are counted.
func loadWorker(t *testing.T, kit *roster.Kit, owner string, login usermgmt.User, w int, deadline time.Time,
	texts *smstest.Recorder, tally *loadTally) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(uint64(w), 42))
	var mine []usermgmt.User // live users this worker created
	suspended := map[string]bool{}
	client := fmt.Sprintf("198.51.100.%d", w+1)
	n := 0
	for time.Now().Before(deadline) && !t.Failed() {
		n++
		start := time.Now()
		switch p := rng.IntN(100); {
		case p < 30: // create; one in ten reuses a live username
			name := fmt.Sprintf("w%du%d", w, n)
			if len(mine) > 0 && rng.IntN(10) == 0 {
				name = mine[rng.IntN(len(mine))].Username
			}
			u, err := kit.Users.CreateUser(ctx, owner, usermgmt.NewUser{User: usermgmt.User{Username: name,
				FirstName: "Load", LastName: "User", Email: fmt.Sprintf("w%du%d@load.example", w, n),
				MobilePhone: fmt.Sprintf("+44791%d%06d", w, n)}, Password: fixturePassword})
			var ce *usermgmt.ConflictError
			switch {
			case errors.As(err, &ce) && ce.Field == "username":
				tally.count("conflict")
			case errors.Is(err, usermgmt.ErrSeatLimit):
				tally.count("seat_limit")
			case assert.NoError(t, err, "create"):
				mine = append(mine, u)
				tally.add("create", time.Since(start), "user.create")
			}
		case p < 40 && len(mine) > 0: // delete
			i := rng.IntN(len(mine))
			if assert.NoError(t, kit.Users.Delete(ctx, owner, mine[i].ID), "delete") {
				tally.add("delete", time.Since(start), "user.delete")
				tally.mu.Lock()
				tally.deleted = append(tally.deleted, mine[i].ID)
				tally.mu.Unlock()
				delete(suspended, mine[i].ID)
				mine = slices.Delete(mine, i, i+1)
			}
		case p < 55 && len(mine) > 0: // suspend or unsuspend
			u := mine[rng.IntN(len(mine))]
			if suspended[u.ID] {
				_, err := kit.Users.Unsuspend(ctx, owner, u.ID)
				if assert.NoError(t, err, "unsuspend") {
					suspended[u.ID] = false
					tally.add("unsuspend", time.Since(start), "user.unsuspend")
				}
			} else {
				_, err := kit.Users.Suspend(ctx, owner, u.ID, time.Time{})
				if assert.NoError(t, err, "suspend") {
					suspended[u.ID] = true
					tally.add("suspend", time.Since(start), "user.suspend")
				}
			}
		case p < 60 && len(mine) > 0: // grant access over the user's own record
			u := mine[rng.IntN(len(mine))]
			_, err := kit.Users.Grant(ctx, owner, u.ID, usermgmt.Scope{UserID: u.ID}, []usermgmt.Permission{usermgmt.PermReports})
			if assert.NoError(t, err, "grant") {
				tally.add("grant", time.Since(start), "grant.create")
			}
		default: // log in with the PIN
			res, err := kit.Auth.Login(ctx, auth.Credentials{Login: login.Username, Password: fixturePassword, ClientKey: client})
			if !assert.NoError(t, err, "login") || !assert.NotNil(t, res.Challenge, "a PIN challenge") {
				continue
			}
			_, err = kit.Auth.VerifyPIN(ctx, res.Challenge.Token, texts.LastCode(login.MobilePhone), client)
			if assert.NoError(t, err, "PIN") {
				tally.add("login+pin", time.Since(start), "auth.challenge", "auth.login")
				tally.mu.Lock()
				tally.sessions[login.ID]++
				tally.mu.Unlock()
			}
		}
	}
}

func (l *loadTally) count(kind string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.expected[kind]++
}

// eventCounts counts an account's successful audit events by action.
func eventCounts(ctx context.Context, st usermgmt.Store, accountID string) (map[string]int, error) {
	out := map[string]int{}
	for p := (usermgmt.Page{Limit: 1000}); ; {
		events, next, err := st.ListEvents(ctx, usermgmt.EventFilter{AccountID: accountID}, p)
		if err != nil {
			return nil, err
		}
		for _, e := range events {
			if e.Outcome == usermgmt.OutcomeOK {
				out[e.Action]++
			}
		}
		if next == "" {
			return out, nil
		}
		p.After = next
	}
}

func checkLoadInvariants(t *testing.T, st usermgmt.Store, accountID string, seats int, logins []usermgmt.User,
	tally *loadTally, before map[string]int) {
	ctx := context.Background()
	var live []usermgmt.User
	for p := (usermgmt.Page{Limit: 1000}); ; {
		users, next, err := st.ListUsers(ctx, usermgmt.UserFilter{AccountID: accountID}, p)
		require.NoError(t, err)
		live = append(live, users...)
		if next == "" {
			break
		}
		p.After = next
	}
	// Identifiers are unique among live users.
	names, emails, phones := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, u := range live {
		for _, id := range []struct {
			seen map[string]bool
			key  string
		}{{names, usermgmt.UsernameKey(u.Username)}, {emails, usermgmt.EmailKey(u.Email)}, {phones, u.MobilePhone}} {
			assert.False(t, id.seen[id.key], "%q is held by two live users", id.key)
			id.seen[id.key] = true
		}
	}
	// Seats: the count, the account's seats used and the live users agree.
	counts, err := st.CountUsers(ctx, accountID)
	require.NoError(t, err)
	acct, err := st.GetAccount(ctx, accountID)
	require.NoError(t, err)
	assert.Equal(t, len(live), counts.Total, "counted users")
	assert.Equal(t, len(live), acct.SeatsUsed, "seats used")
	assert.LessOrEqual(t, acct.SeatsUsed, seats, "within the seat limit")
	byStatus := 0
	for _, n := range counts.ByStatus {
		byStatus += n
	}
	assert.Equal(t, counts.Total, byStatus, "counts by status add up")
	// Nothing is left of a deleted user.
	for _, id := range tally.deleted {
		u, err := st.GetUser(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, usermgmt.StatusDeleted, u.Status)
		_, err = st.GetPassword(ctx, id)
		assert.ErrorIs(t, err, usermgmt.ErrNotFound, "password of a deleted user")
		grants, err := st.ListGrants(ctx, id)
		require.NoError(t, err)
		sessions, err := st.ListSessions(ctx, id, "")
		require.NoError(t, err)
		aliases, err := st.ListAliases(ctx, id)
		require.NoError(t, err)
		tokens, _, err := st.ListTokens(ctx, usermgmt.TokenFilter{UserID: id}, usermgmt.Page{})
		require.NoError(t, err)
		assert.Empty(t, grants, "grants of a deleted user")
		assert.Empty(t, sessions, "sessions of a deleted user")
		assert.Empty(t, aliases, "aliases of a deleted user")
		assert.Empty(t, tokens, "tokens of a deleted user")
	}
	// No grant names a user who is gone.
	grants, err := st.ListAccountGrants(ctx, accountID)
	require.NoError(t, err)
	for _, g := range grants {
		for _, id := range []string{g.UserID, g.Scope.UserID} {
			if id == "" {
				continue
			}
			u, err := st.GetUser(ctx, id)
			require.NoError(t, err)
			assert.NotEqual(t, usermgmt.StatusDeleted, u.Status, "grant %s names deleted user %s", g.ID, id)
		}
	}
	// One session per PIN verified.
	for _, u := range logins {
		sessions, err := st.ListSessions(ctx, u.ID, usermgmt.SessionLogin)
		require.NoError(t, err)
		assert.Len(t, sessions, tally.sessions[u.ID], "sessions of %s", u.Username)
	}
	// One audit event per successful mutation.
	after, err := eventCounts(ctx, st, accountID)
	require.NoError(t, err)
	for action, n := range tally.ok {
		assert.Equal(t, n, after[action]-before[action], "audit events %s", action)
	}
	assert.Positive(t, tally.ok["user.create"], "the load created users")
	assert.Positive(t, tally.ok["auth.login"], "the load logged in")
}

// reportLoad logs throughput and latency percentiles, one line per
// operation and one in all.
func reportLoad(t *testing.T, tally *loadTally, elapsed time.Duration) {
	var all []time.Duration
	ops := make([]string, 0, len(tally.latencies))
	for op, ds := range tally.latencies {
		ops = append(ops, op)
		all = append(all, ds...)
	}
	slices.Sort(ops)
	line := func(name string, ds []time.Duration) {
		slices.Sort(ds)
		t.Logf("load %-10s %6d ops %8.0f ops/s  p50 %8s  p99 %8s", name, len(ds),
			float64(len(ds))/elapsed.Seconds(), pct(ds, 50), pct(ds, 99))
	}
	for _, op := range ops {
		line(op, tally.latencies[op])
	}
	line("all", all)
	t.Logf("load refusals provoked: %v; %d workers for %s", tally.expected, loadWorkers, elapsed.Round(time.Millisecond))
}

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[min(max(i-1, 0), len(sorted)-1)].Round(time.Microsecond)
}
