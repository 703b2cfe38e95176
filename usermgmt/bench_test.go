package usermgmt_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/memstore"
)

// benchWorld is an account of n users on memstore, created through the
// store directly (setup is not what is measured).
func benchWorld(b *testing.B, n int) (*usermgmt.Service, usermgmt.Account, usermgmt.User) {
	b.Helper()
	ctx := context.Background()
	store := memstore.New()
	svc, err := usermgmt.New(usermgmt.Config{Store: store, Hasher: plainHasher{}})
	if err != nil {
		b.Fatal(err)
	}
	acct, owner, err := svc.CreateAccount(ctx, usermgmt.NewAccount{Name: "Bench", Owner: usermgmt.NewUser{
		User:     usermgmt.User{Username: "owner", FirstName: "O", LastName: "W", Email: "owner@example.com", MobilePhone: "+447911000000"},
		Password: "Secret-pw1"}})
	if err != nil {
		b.Fatal(err)
	}
	err = store.WithTx(ctx, func(tx usermgmt.Tx) error {
		for i := range n {
			u := usermgmt.User{ID: fmt.Sprintf("u%07d", i), AccountID: acct.ID, GroupID: acct.RootGroupID,
				Kind: usermgmt.KindPerson, Type: usermgmt.TypeEndUser, Status: usermgmt.StatusActive,
				Username: fmt.Sprintf("user%07d", i), FirstName: "F", LastName: "L",
				Email: fmt.Sprintf("user%07d@example.com", i), MobilePhone: fmt.Sprintf("+4479%08d", i),
				ServiceLevel: usermgmt.LevelArchive}
			if err := tx.CreateUser(ctx, &u); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return svc, acct, owner
}

// BenchmarkService measures the admin operations on memstore in an
// account of 100,000 users: go test -run '^$' -bench Service ./usermgmt/
func BenchmarkService(b *testing.B) {
	svc, _, owner := benchWorld(b, 100_000)
	ctx := context.Background()
	b.Run("CreateUser", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			_, err := svc.CreateUser(ctx, owner.ID, usermgmt.NewUser{User: usermgmt.User{
				Username: fmt.Sprintf("new%07d", i), FirstName: "New", LastName: "User",
				Email: fmt.Sprintf("new%07d@example.com", i), MobilePhone: fmt.Sprintf("+4478%08d", i)}})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("GetUser", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := svc.GetUser(ctx, owner.ID, "u0050000"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ListPage50", func(b *testing.B) {
		b.ReportAllocs()
		users, _, err := svc.ListUsers(ctx, owner.ID, usermgmt.UserQuery{}, usermgmt.Page{Limit: 50})
		if err != nil || len(users) != 50 {
			b.Fatal(err, len(users))
		}
		for b.Loop() {
			if _, _, err := svc.ListUsers(ctx, owner.ID, usermgmt.UserQuery{Statuses: []usermgmt.Status{usermgmt.StatusActive}}, usermgmt.Page{Limit: 50}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Count", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := svc.CountUsers(ctx, owner.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
}
