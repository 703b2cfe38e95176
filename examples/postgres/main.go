// Command postgres walks through the same steps as examples/quickstart,
// on PostgreSQL: a company and its owner, users of both service levels,
// groups and a scoped admin, the licence count, suspend and delete, and
// a login with the SMS PIN (SMS and mail are printed here).
//
//	ROSTER_POSTGRES_URL=postgres://user:pass@localhost:5432/db go run ./examples/postgres
//
// It works in a schema of its own, roster_example_<random>, and drops it
// at the end, so it leaves the database as it found it. The PostgreSQL
// role needs the right to create schemas in the database.
// scripts/with-postgres starts a throwaway server and sets
// ROSTER_TEST_POSTGRES_URL, so this also works:
//
//	scripts/with-postgres sh -c 'ROSTER_POSTGRES_URL=$ROSTER_TEST_POSTGRES_URL go run ./examples/postgres'
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log"
	"net/url"
	"os"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/rosterkit/roster"
	"github.com/rosterkit/roster/examples/internal/tour"
	"github.com/rosterkit/roster/sms"
	"github.com/rosterkit/roster/usermgmt/mail"
	"github.com/rosterkit/roster/usermgmt/pgstore"
)

func main() {
	dsn := os.Getenv("ROSTER_POSTGRES_URL")
	if dsn == "" {
		fmt.Fprintln(os.Stderr, "Set ROSTER_POSTGRES_URL to a PostgreSQL URL, e.g. postgres://user:pass@localhost:5432/db")
		fmt.Fprintln(os.Stderr, "(or run: scripts/with-postgres sh -c 'ROSTER_POSTGRES_URL=$ROSTER_TEST_POSTGRES_URL go run ./examples/postgres')")
		os.Exit(2)
	}
	if err := run(dsn); err != nil {
		log.Fatal(err)
	}
}

func run(dsn string) error {
	ctx := context.Background()
	schema, cleanup, err := freshSchema(ctx, dsn)
	if err != nil {
		return err
	}
	defer cleanup()
	store, err := pgstore.Open(ctx, withSearchPath(dsn, schema), pgstore.Config{})
	if err != nil {
		return err
	}
	defer store.Close()
	fmt.Printf("Connected to PostgreSQL; roster's tables are in the schema %s.\n", schema)

	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	out := &tour.Console{}
	kit, err := roster.New(roster.Config{Store: store, SMS: sms.NewConsole(out), Mailer: mail.NewConsole(out),
		CodeKey: key, BaseURL: "http://localhost:8080"})
	if err != nil {
		return err
	}
	return tour.Run(ctx, kit, out)
}

// freshSchema creates a schema for this run and returns a function that
// drops it.
func freshSchema(ctx context.Context, dsn string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return "", nil, err
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	schema := "roster_example_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		conn.Close(ctx)
		return "", nil, err
	}
	return schema, func() {
		if _, err := conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			log.Printf("dropping %s: %v", schema, err)
		}
		conn.Close(context.Background())
	}, nil
}

// withSearchPath points a URL or key=value DSN at schema.
func withSearchPath(dsn, schema string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		if u, err := url.Parse(dsn); err == nil {
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return dsn + " search_path=" + schema
}
