package sqlitestore_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/sqlitestore"
)

func ExampleOpen() {
	ctx := context.Background()
	store, err := sqlitestore.Open(ctx, sqlitestore.Config{Path: ":memory:"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()

	now := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	acct := usermgmt.Account{ID: "acme", Name: "Acme", SeatLimit: 1, CreatedAt: now, UpdatedAt: now}
	root := usermgmt.Group{ID: "acme-root", AccountID: "acme", Name: "Acme", CreatedAt: now, UpdatedAt: now}
	ann := usermgmt.User{ID: "u1", AccountID: "acme", GroupID: "acme-root", Username: "Ann.Lee",
		Email: "ann@acme.example", Status: usermgmt.StatusActive, ServiceLevel: usermgmt.LevelPro, CreatedAt: now}
	err = store.WithTx(ctx, func(tx usermgmt.Tx) error {
		if err := tx.CreateAccount(ctx, &acct); err != nil {
			return err
		}
		if err := tx.CreateGroup(ctx, &root); err != nil {
			return err
		}
		return tx.CreateUser(ctx, &ann)
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	u, err := store.GetUserByUsername(ctx, "ann.lee")
	fmt.Println(u.ID, u.Username, err)

	bob := usermgmt.User{ID: "u2", AccountID: "acme", GroupID: "acme-root", Username: "bob", Status: usermgmt.StatusActive}
	err = store.CreateUser(ctx, &bob)
	fmt.Println(errors.Is(err, usermgmt.ErrSeatLimit))
	// Output:
	// u1 Ann.Lee <nil>
	// true
}

func ExampleMigrations() {
	fsys, err := sqlitestore.Migrations("app_roster_")
	if err != nil {
		fmt.Println(err)
		return
	}
	files, _ := fs.Glob(fsys, "*.sql")
	fmt.Println(files)
	// Output: [0001_init.sql]
}
