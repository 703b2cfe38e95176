package pgstore_test

import (
	"context"
	"fmt"
	"io/fs"
	"log"
	"os"

	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/pgstore"
)

// ExampleOpen needs a PostgreSQL server, so it is compiled but not run.
func ExampleOpen() {
	ctx := context.Background()
	store, err := pgstore.Open(ctx, os.Getenv("DATABASE_URL"), pgstore.Config{TablePrefix: "roster_"})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	svc, err := usermgmt.New(usermgmt.Config{Store: store})
	if err != nil {
		log.Fatal(err)
	}
	_ = svc
}

func ExampleMigrations() {
	fsys, err := pgstore.Migrations("")
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			fmt.Println(path)
		}
		return err
	})
	// Output: 0001_init.sql
}
