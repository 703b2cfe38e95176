package sqltest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
)

// RunFaults runs the fault tests: each fault gives a clear error and
// leaves no partial write.
func RunFaults(t *testing.T, h Harness) {
	t.Run("ClosedStore", func(t *testing.T) { t.Parallel(); testClosed(t, h) })
	t.Run("CancelledContext", func(t *testing.T) { t.Parallel(); testCancelled(t, h) })
	t.Run("ConcurrentUniqueViolation", func(t *testing.T) { t.Parallel(); testConcurrentUnique(t, h) })
	t.Run("SeatRace", func(t *testing.T) { t.Parallel(); testSeatRace(t, h) })
	t.Run("ConsumeRace", func(t *testing.T) { t.Parallel(); testConsumeRace(t, h) })
	t.Run("AttemptRace", func(t *testing.T) { t.Parallel(); testAttemptRace(t, h) })
	t.Run("HitRace", func(t *testing.T) { t.Parallel(); testHitRace(t, h) })
	t.Run("TxSurvivesCaughtErrors", func(t *testing.T) { t.Parallel(); testTxSurvives(t, h) })
	t.Run("TxRollsBackOnError", func(t *testing.T) { t.Parallel(); testTxRollback(t, h) })
	t.Run("TxRollsBackOnPanic", func(t *testing.T) { t.Parallel(); testTxPanic(t, h) })
	t.Run("TxFailedStatement", func(t *testing.T) { t.Parallel(); testTxFailedStatement(t, h) })
	t.Run("TxUsedAfterEnd", func(t *testing.T) { t.Parallel(); testTxAfterEnd(t, h) })
	t.Run("ConcurrentTransactions", func(t *testing.T) { t.Parallel(); testConcurrentTx(t, h) })
}

func testClosed(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	w := NewWorld(t, s, "closed", 0)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "closing twice is harmless")

	u := w.User("a")
	calls := map[string]error{
		"CreateUser": s.CreateUser(ctx, &u),
		"WithTx":     s.WithTx(ctx, func(usermgmt.Tx) error { return nil }),
	}
	_, calls["GetAccount"] = s.GetAccount(ctx, w.Account.ID)
	_, _, calls["ListUsers"] = s.ListUsers(ctx, usermgmt.UserFilter{AccountID: w.Account.ID}, usermgmt.Page{})
	_, calls["Hit"] = s.Hit(ctx, "k", Epoch(), time.Minute)
	for name, err := range calls {
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), "closed", name)
	}
}

func testCancelled(t *testing.T, h Harness) {
	s := h.New(t)
	w := NewWorld(t, s, "cancel", 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	u := w.User("a")
	err := s.CreateUser(ctx, &u)
	require.ErrorIs(t, err, context.Canceled)
	_, err = s.GetUser(ctx, u.ID)
	require.ErrorIs(t, err, context.Canceled)
	_, err = s.Hit(ctx, "k", Epoch(), time.Minute)
	require.ErrorIs(t, err, context.Canceled)
	called := false
	err = s.WithTx(ctx, func(usermgmt.Tx) error { called = true; return nil })
	require.ErrorIs(t, err, context.Canceled)
	assert.False(t, called, "fn must not run on a cancelled context")

	// A context cancelled in the middle of a transaction: nothing is kept.
	ctx2, cancel2 := context.WithCancel(context.Background())
	err = s.WithTx(ctx2, func(tx usermgmt.Tx) error {
		u := w.User("b")
		if err := tx.CreateUser(ctx2, &u); err != nil {
			return err
		}
		cancel2()
		v := w.User("c")
		return tx.CreateUser(ctx2, &v)
	})
	require.ErrorIs(t, err, context.Canceled)

	bg := context.Background()
	for _, id := range []string{w.User("a").ID, w.User("b").ID, w.User("c").ID} {
		_, err := s.GetUser(bg, id)
		require.ErrorIs(t, err, usermgmt.ErrNotFound, id)
	}
	c, err := s.CountUsers(bg, w.Account.ID)
	require.NoError(t, err)
	assert.Equal(t, 0, c.Total)
}

func testConcurrentUnique(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	w := NewWorld(t, s, "uniq", 0)
	const n = 16
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := w.User(fmt.Sprint(i))
			u.Username = "Same Name" // every writer wants the same username
			errs[i] = s.CreateUser(ctx, &u)
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		var ce *usermgmt.ConflictError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, "username", ce.Field)
	}
	assert.Equal(t, 1, won)
	c, err := s.CountUsers(ctx, w.Account.ID)
	require.NoError(t, err)
	assert.Equal(t, 1, c.Total, "losers must not keep a seat")
	assert.Equal(t, 1, c.ByStatus[usermgmt.StatusActive])

	// The same race inside transactions that go on after the conflict.
	errs = make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.WithTx(ctx, func(tx usermgmt.Tx) error {
				u := w.User(fmt.Sprint("tx", i))
				u.Email = "shared@uniq.example"
				err := tx.CreateUser(ctx, &u)
				if err != nil && !errors.Is(err, usermgmt.ErrConflict) {
					return err
				}
				return tx.AppendEvent(ctx, &usermgmt.Event{ID: fmt.Sprint("ev", i), AccountID: w.Account.ID,
					Action: "race", Outcome: usermgmt.OutcomeOK, At: Epoch()})
			})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	events, _, err := s.ListEvents(ctx, usermgmt.EventFilter{AccountID: w.Account.ID, Action: "race"}, usermgmt.Page{Limit: 100})
	require.NoError(t, err)
	assert.Len(t, events, n, "every transaction commits its event after a caught conflict")
	c, err = s.CountUsers(ctx, w.Account.ID)
	require.NoError(t, err)
	assert.Equal(t, 2, c.Total)
}

func testSeatRace(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	w := NewWorld(t, s, "seats", 10)
	const n = 50
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		ok, full int
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := w.User(fmt.Sprint(i))
			err := s.CreateUser(ctx, &u)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, usermgmt.ErrSeatLimit):
				full++
			default:
				t.Errorf("create %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 10, ok)
	assert.Equal(t, n-10, full)
	a, err := s.GetAccount(ctx, w.Account.ID)
	require.NoError(t, err)
	assert.Equal(t, 10, a.SeatsUsed)
	users, _, err := s.ListUsers(ctx, usermgmt.UserFilter{AccountID: w.Account.ID}, usermgmt.Page{Limit: 100})
	require.NoError(t, err)
	assert.Len(t, users, 10)
}

func testConsumeRace(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	tok := usermgmt.Token{ID: "t1", Kind: usermgmt.TokenChallenge, Hash: "hash-1", CreatedAt: Epoch(), ExpiresAt: Epoch().Add(10 * time.Minute)}
	require.NoError(t, s.CreateToken(ctx, &tok))
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.ConsumeToken(ctx, usermgmt.TokenChallenge, "hash-1", Epoch().Add(time.Minute), "accepted")
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
		} else {
			require.ErrorIs(t, err, usermgmt.ErrUsed)
		}
	}
	assert.Equal(t, 1, won)
}

func testAttemptRace(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	tok := usermgmt.Token{ID: "t1", Kind: usermgmt.TokenChallenge, Hash: "hash-1", Attempts: 1, CreatedAt: Epoch(), ExpiresAt: Epoch().Add(time.Hour)}
	require.NoError(t, s.CreateToken(ctx, &tok))
	const n, max = 30, 5
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		counts []int
		locked int
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := s.AddTokenAttempt(ctx, "t1", max)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				require.ErrorIs(t, err, usermgmt.ErrLocked)
				locked++
				return
			}
			counts = append(counts, c)
		}()
	}
	wg.Wait()
	assert.ElementsMatch(t, []int{2, 3, 4, 5}, counts)
	assert.Equal(t, n-4, locked)
}

func testHitRace(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	const n = 40
	seen := make([]int64, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := s.Hit(ctx, "login:alice", Epoch(), time.Hour)
			assert.NoError(t, err)
			seen[i] = c
		}()
	}
	wg.Wait()
	want := make([]int64, n)
	for i := range want {
		want[i] = int64(i + 1)
	}
	assert.ElementsMatch(t, want, seen, "every concurrent hit is counted once")
}

func testTxSurvives(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	w := NewWorld(t, s, "survive", 3)
	taken := w.User("taken")
	require.NoError(t, s.CreateUser(ctx, &taken))
	tok := usermgmt.Token{ID: "tk", Kind: usermgmt.TokenReset, Hash: "h", CreatedAt: Epoch(), ExpiresAt: Epoch().Add(time.Minute)}
	require.NoError(t, s.CreateToken(ctx, &tok))

	err := s.WithTx(ctx, func(tx usermgmt.Tx) error {
		a := w.User("a")
		require.NoError(t, tx.CreateUser(ctx, &a))

		// Each of these fails with an error the caller may catch.
		dup := w.User("dup")
		dup.Email = taken.Email
		var ce *usermgmt.ConflictError
		require.ErrorAs(t, tx.CreateUser(ctx, &dup), &ce)
		assert.Equal(t, "email", ce.Field)
		stale := a
		stale.Version = 99
		require.ErrorAs(t, tx.UpdateUser(ctx, &stale), &ce)
		assert.Equal(t, "version", ce.Field)
		moved := a
		moved.Email = taken.Email
		require.ErrorAs(t, tx.UpdateUser(ctx, &moved), &ce)
		assert.Equal(t, "email", ce.Field)
		require.ErrorIs(t, tx.CreateToken(ctx, &tok), usermgmt.ErrConflict)
		_, err := tx.ConsumeToken(ctx, usermgmt.TokenReset, "h", Epoch().Add(time.Hour), "x")
		require.ErrorIs(t, err, usermgmt.ErrExpired)
		_, err = tx.GetUser(ctx, "nobody")
		require.ErrorIs(t, err, usermgmt.ErrNotFound)
		third := w.User("third")
		require.NoError(t, tx.CreateUser(ctx, &third))
		fourth := w.User("fourth")
		require.ErrorIs(t, tx.CreateUser(ctx, &fourth), usermgmt.ErrSeatLimit)
		require.ErrorAs(t, tx.CreateNumber(ctx, &usermgmt.Number{E164: Phone(1), AccountID: "nope"}), new(error))

		// The transaction goes on and commits.
		return tx.AppendEvent(ctx, &usermgmt.Event{ID: "e1", AccountID: w.Account.ID, Action: "after", Outcome: usermgmt.OutcomeOK, At: Epoch()})
	})
	require.NoError(t, err)
	for _, id := range []string{w.User("a").ID, w.User("third").ID} {
		_, err := s.GetUser(ctx, id)
		require.NoError(t, err, id)
	}
	for _, id := range []string{w.User("dup").ID, w.User("fourth").ID} {
		_, err := s.GetUser(ctx, id)
		require.ErrorIs(t, err, usermgmt.ErrNotFound, id)
	}
	a, err := s.GetAccount(ctx, w.Account.ID)
	require.NoError(t, err)
	assert.Equal(t, 3, a.SeatsUsed)
	got, err := s.GetToken(ctx, "tk")
	require.NoError(t, err)
	assert.True(t, got.UsedAt.IsZero(), "an expired token is not consumed")
}

func testTxRollback(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	w := NewWorld(t, s, "rollback", 0)
	boom := errors.New("boom")
	err := s.WithTx(ctx, func(tx usermgmt.Tx) error {
		u := w.User("a")
		require.NoError(t, tx.CreateUser(ctx, &u))
		require.NoError(t, tx.SetPassword(ctx, u.ID, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", Epoch()))
		require.NoError(t, tx.AppendEvent(ctx, &usermgmt.Event{ID: "e1", AccountID: w.Account.ID, Action: "user.create", At: Epoch()}))
		_, err := tx.Hit(ctx, "k", Epoch(), time.Minute)
		require.NoError(t, err)
		return boom
	})
	require.ErrorIs(t, err, boom)
	assert.Same(t, boom, err, "WithTx returns fn's error as is")
	assertEmpty(t, s, w)
}

func testTxPanic(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	w := NewWorld(t, s, "panic", 0)
	require.PanicsWithValue(t, "boom", func() {
		_ = s.WithTx(ctx, func(tx usermgmt.Tx) error {
			u := w.User("a")
			require.NoError(t, tx.CreateUser(ctx, &u))
			panic("boom")
		})
	})
	assertEmpty(t, s, w)
	// The store still works after the panic released its connection.
	u := w.User("b")
	require.NoError(t, s.CreateUser(ctx, &u))
}

// assertEmpty checks that w's account has no user, seat, event or counter.
func assertEmpty(t *testing.T, s usermgmt.Store, w World) {
	t.Helper()
	ctx := context.Background()
	_, err := s.GetUser(ctx, w.User("a").ID)
	require.ErrorIs(t, err, usermgmt.ErrNotFound)
	c, err := s.CountUsers(ctx, w.Account.ID)
	require.NoError(t, err)
	assert.Equal(t, 0, c.Total)
	assert.Empty(t, c.ByStatus)
	events, _, err := s.ListEvents(ctx, usermgmt.EventFilter{AccountID: w.Account.ID}, usermgmt.Page{})
	require.NoError(t, err)
	assert.Empty(t, events)
	k, err := s.GetCounter(ctx, "k", Epoch(), time.Minute)
	require.NoError(t, err)
	assert.Zero(t, k.Count)
}

func testTxFailedStatement(t *testing.T, h Harness) {
	if h.BadText == "" {
		t.Skip("this engine stores any text; the internal tests cover failed statements")
	}
	ctx := context.Background()
	s := h.New(t)
	w := NewWorld(t, s, "failed", 0)
	// The database refuses a statement half-way through a method; fn
	// ignores the error and returns nil. WithTx must not commit.
	err := s.WithTx(ctx, func(tx usermgmt.Tx) error {
		a := w.User("a")
		require.NoError(t, tx.CreateUser(ctx, &a))
		b := w.User("b")
		b.FirstName = h.BadText
		require.Error(t, tx.CreateUser(ctx, &b))
		return nil
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "rolled back")
	assertEmpty(t, s, w)

	// Outside a transaction the method's own transaction rolls back.
	b := w.User("b")
	b.FirstName = h.BadText
	err = s.CreateUser(ctx, &b)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "\x00")
	assertEmpty(t, s, w)
	a := w.User("a")
	require.NoError(t, s.CreateUser(ctx, &a), "the store works after the failure")
}

func testTxAfterEnd(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	w := NewWorld(t, s, "after", 0)
	var kept usermgmt.Tx
	require.NoError(t, s.WithTx(ctx, func(tx usermgmt.Tx) error { kept = tx; return nil }))
	u := w.User("a")
	err := kept.CreateUser(ctx, &u)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "transaction has already ended")
	_, err = s.GetUser(ctx, u.ID)
	require.ErrorIs(t, err, usermgmt.ErrNotFound)
}

func testConcurrentTx(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	w := NewWorld(t, s, "many", 0)
	const n = 12
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.WithTx(ctx, func(tx usermgmt.Tx) error {
				u := w.User(fmt.Sprint(i))
				u.MobilePhone = Phone(i)
				if err := tx.CreateUser(ctx, &u); err != nil {
					return err
				}
				u.Status = usermgmt.StatusSuspended
				if err := tx.UpdateUser(ctx, &u); err != nil {
					return err
				}
				return tx.AppendEvent(ctx, &usermgmt.Event{ID: fmt.Sprint("e", i), AccountID: w.Account.ID,
					ActorID: u.ID, Action: "user.suspend", Outcome: usermgmt.OutcomeOK, At: Epoch()})
			})
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	c, err := s.CountUsers(ctx, w.Account.ID)
	require.NoError(t, err)
	assert.Equal(t, n, c.Total)
	assert.Equal(t, map[usermgmt.Status]int{usermgmt.StatusSuspended: n}, c.ByStatus)
	assert.Equal(t, map[usermgmt.ServiceLevel]int{usermgmt.LevelArchive: n}, c.ByLevel)
}
