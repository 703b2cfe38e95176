package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/httpapi"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/sqlitestore"
)

// BenchmarkAPI measures what the API adds over the service call it
// makes, for a get-user and a page of 50 users, on SQLite with 10,000
// users in one account (ROSTER_BENCH_USERS changes the number):
//
//	go test -run '^$' -bench BenchmarkAPI -benchmem ./httpapi
//
// Service/* call usermgmt.Service directly; HTTP/* make the same call
// through the handler with an httptest.ResponseRecorder (routing,
// authentication by a host hook, JSON encoding, the access log);
// Parallel50 makes 50 concurrent clients get users over a real loopback
// connection, for requests per second.
func BenchmarkAPI(b *testing.B) {
	ctx := context.Background()
	n := 10_000
	if v := os.Getenv("ROSTER_BENCH_USERS"); v != "" {
		var err error
		n, err = strconv.Atoi(v)
		require.NoError(b, err)
	}
	store, err := sqlitestore.Open(ctx, sqlitestore.Config{Path: filepath.Join(b.TempDir(), "bench.db")})
	require.NoError(b, err)
	b.Cleanup(func() { _ = store.Close() })
	users, err := usermgmt.New(usermgmt.Config{Store: store, Hasher: plainHasher{}})
	require.NoError(b, err)
	_, owner, err := users.CreateAccount(ctx, usermgmt.NewAccount{Name: "Bench",
		Owner: usermgmt.NewUser{User: usermgmt.User{Username: "owner", FirstName: "O", LastName: "W",
			Email: "owner@bench.example", MobilePhone: "+447911000000"}, Password: "Secret-pw1"}})
	require.NoError(b, err)
	var target usermgmt.User
	const batch = 1000
	for lo := 0; lo < n; lo += batch {
		err := users.Run(ctx, owner.ID, "bench.load", func(tx usermgmt.Tx, a *usermgmt.Actor) error {
			for i := lo; i < min(lo+batch, n); i++ {
				u, err := users.PrepareUser(a, usermgmt.NewUser{User: usermgmt.User{
					Username: fmt.Sprintf("user%07d", i), FirstName: "F", LastName: "L",
					Email: fmt.Sprintf("user%07d@bench.example", i), MobilePhone: fmt.Sprintf("+4479%08d", 10_000_000+i)}})
				if err != nil {
					return err
				}
				u, err = users.CreateUserTx(ctx, tx, a, u, "")
				if err != nil {
					return err
				}
				if i == n/2 {
					target = u
				}
			}
			return nil
		})
		require.NoError(b, err)
	}
	api, err := httpapi.New(httpapi.Config{Users: users, Authenticate: func(*http.Request) (string, error) { return owner.ID, nil }})
	require.NoError(b, err)
	serve := func(b *testing.B, path string) {
		req := httptest.NewRequest("GET", path, nil)
		for b.Loop() {
			w := httptest.NewRecorder()
			api.ServeHTTP(w, req)
			if w.Code != 200 {
				b.Fatalf("%s: %d %s", path, w.Code, w.Body)
			}
		}
	}
	b.Run("Service/GetUser", func(b *testing.B) {
		for b.Loop() {
			if _, err := users.GetUser(ctx, owner.ID, target.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("HTTP/GetUser", func(b *testing.B) { serve(b, "/users/"+target.ID) })
	b.Run("Service/ListPage50", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := users.ListUsers(ctx, owner.ID, usermgmt.UserQuery{Statuses: []usermgmt.Status{usermgmt.StatusPending}},
				usermgmt.Page{Limit: 50, After: ""}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("HTTP/ListPage50", func(b *testing.B) { serve(b, "/users?status=pending&limit=50") })
	b.Run("Parallel50/GetUser", func(b *testing.B) {
		srv := httptest.NewServer(api)
		defer srv.Close()
		client := srv.Client()
		client.Transport.(*http.Transport).MaxIdleConnsPerHost = 50
		url := srv.URL + "/users/" + target.ID
		b.SetParallelism(25) // 25 × GOMAXPROCS 2 = 50 clients
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				resp, err := client.Get(url)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Errorf("status %d", resp.StatusCode)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	})
}
