package sqltest

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rosterkit/roster/internal/sqlstore"
	"github.com/rosterkit/roster/usermgmt"
)

// BenchUsersEnv names the variable that sets how many users the
// benchmarks load (default 10,000).
const BenchUsersEnv = "ROSTER_BENCH_USERS"

// BenchUsers returns the user count for the benchmarks: ROSTER_BENCH_USERS
// or 10,000.
func BenchUsers(b *testing.B) int {
	v := os.Getenv(BenchUsersEnv)
	if v == "" {
		return 10_000
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1000 {
		b.Fatalf("%s=%q: want a number of users, at least 1000", BenchUsersEnv, v)
	}
	return n
}

// BenchHarness makes the store the benchmarks run on.
type BenchHarness struct {
	// New returns an empty, migrated store that b's cleanup closes.
	New func(b *testing.B) Store
	// Load bulk-inserts n users into the account and group with the
	// engine's fastest path, keeping seats and counts right. User i has
	// username and id BenchName(i), e-mail BenchName(i)+"@bench.example",
	// phone Phone-like "+1555" and 7 digits, status BenchStatus(i) and
	// level BenchLevel(i).
	Load func(b *testing.B, s Store, accountID, groupID string, n int)
}

// BenchName is the username and id of loaded user i.
func BenchName(i int) string { return fmt.Sprintf("user%07d", i) }

// BenchStatus is the status of loaded user i: one in ten is suspended.
func BenchStatus(i int) usermgmt.Status {
	if i%10 == 9 {
		return usermgmt.StatusSuspended
	}
	return usermgmt.StatusActive
}

// BenchLevel is the service level of loaded user i: one in three is pro.
func BenchLevel(i int) usermgmt.ServiceLevel {
	if i%3 == 2 {
		return usermgmt.LevelPro
	}
	return usermgmt.LevelArchive
}

// Bench runs the store benchmarks on n loaded users of one account:
// CreateUser, GetByUsername, GetByEmail, ListPage50Filter (first page of
// active users), ListPage50Deep (the same page size near the end of the
// list: its cost must match the first page's), Count, and
// Insert5000InTx (the import path: 5,000 users and their audit events in
// one transaction).
func Bench(b *testing.B, h BenchHarness, n int) {
	ctx := context.Background()
	s := h.New(b)
	w := NewWorld(b, s, "bench", 0)
	start := time.Now()
	h.Load(b, s, w.Account.ID, w.Root.ID, n)
	b.Logf("loaded %d users in %v", n, time.Since(start).Round(time.Millisecond))
	c, err := s.CountUsers(ctx, w.Account.ID)
	if err != nil || c.Total != n {
		b.Fatalf("after load: count %+v, %v; want %d users", c, err, n)
	}

	var seq atomic.Int64
	run := func(name string, fn func(b *testing.B)) {
		b.Run(name, func(b *testing.B) {
			fn(b)
			b.ReportMetric(float64(n), "users")
		})
	}
	run("CreateUser", func(b *testing.B) {
		for b.Loop() {
			i := seq.Add(1)
			u := w.User(fmt.Sprintf("new%09d", i))
			if err := s.CreateUser(ctx, &u); err != nil {
				b.Fatal(err)
			}
		}
	})
	run("GetByUsername", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i = (i + 7919) % n
			if _, err := s.GetUserByUsername(ctx, BenchName(i)); err != nil {
				b.Fatal(err)
			}
		}
	})
	run("GetByEmail", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i = (i + 7919) % n
			if _, err := s.GetUserByEmail(ctx, BenchName(i)+"@bench.example"); err != nil {
				b.Fatal(err)
			}
		}
	})
	filter := usermgmt.UserFilter{AccountID: w.Account.ID, Statuses: []usermgmt.Status{usermgmt.StatusActive}}
	page := func(b *testing.B, after string) {
		for b.Loop() {
			users, _, err := s.ListUsers(ctx, filter, usermgmt.Page{After: after, Limit: 50})
			if err != nil || len(users) != 50 {
				b.Fatalf("page: %d users, %v", len(users), err)
			}
		}
	}
	run("ListPage50Filter", func(b *testing.B) { page(b, "") })
	run("ListPage50Deep", func(b *testing.B) {
		last := BenchName(n - 200)
		page(b, sqlstore.UserCursor(last, last))
	})
	run("Count", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.CountUsers(ctx, w.Account.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	run("Insert5000InTx", func(b *testing.B) {
		for b.Loop() {
			batch := seq.Add(1)
			err := s.WithTx(ctx, func(tx usermgmt.Tx) error {
				for i := range 5000 {
					u := w.User(fmt.Sprintf("imp%06d-%04d", batch, i))
					u.MobilePhone = fmt.Sprintf("+1666%05d%04d", batch%100000, i)
					if err := tx.CreateUser(ctx, &u); err != nil {
						return err
					}
					if err := tx.AppendEvent(ctx, &usermgmt.Event{ID: "ev-" + u.ID, AccountID: u.AccountID,
						ActorID: w.Account.OwnerID, Action: "user.import", TargetType: "user", TargetID: u.ID,
						Outcome: usermgmt.OutcomeOK, At: Epoch()}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
