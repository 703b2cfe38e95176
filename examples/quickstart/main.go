// Command quickstart walks through roster on the embedded default
// (SQLite in a temporary directory, SMS and mail printed here): a company
// and its owner, users of both service levels, groups and a scoped
// admin, the licence count, suspend and delete, and a login with the SMS
// PIN printed by the console sender.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"log"
	"os"
	"path/filepath"

	"github.com/rosterkit/roster"
	"github.com/rosterkit/roster/examples/internal/tour"
)

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "roster-quickstart-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	out := &tour.Console{}
	kit, err := roster.OpenDefault(ctx, filepath.Join(dir, "roster.db"), roster.DefaultOptions{Out: out})
	if err != nil {
		return err
	}
	defer kit.Close()
	return tour.Run(ctx, kit, out)
}
