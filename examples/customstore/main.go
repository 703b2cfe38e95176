// Command customstore plugs a host's own Store into roster: here
// CountingStore (store.go), a thin wrapper over the in-memory store that
// counts transactions and created users, as a host might for metrics.
// Any Store, a wrapper or a new engine, is checked with the conformance
// suite of usermgmt/storetest, which store_test.go runs:
//
//	go run ./examples/customstore    # use it
//	go test ./examples/customstore   # check it against the contract
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/rosterkit/roster"
	"github.com/rosterkit/roster/sms/smstest"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/mail"
	"github.com/rosterkit/roster/usermgmt/memstore"
)

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	ctx := context.Background()
	store := &CountingStore{Store: memstore.New()}
	kit, err := roster.New(roster.Config{Store: store, SMS: &smstest.Recorder{}, Mailer: mail.NewConsole(os.Stdout),
		CodeKey: []byte("a development key of at least 32 bytes"), BaseURL: "http://localhost:8080"})
	if err != nil {
		return err
	}
	_, owner, err := kit.Users.CreateAccount(ctx, usermgmt.NewAccount{Name: "Northwind Messaging", SeatLimit: 5,
		Owner: usermgmt.NewUser{User: usermgmt.User{Username: "olivia.owner", FirstName: "Olivia", LastName: "Owner",
			Email: "olivia@northwind.example", MobilePhone: "+447911000001"}, Password: "Northwind-2026"}})
	if err != nil {
		return err
	}
	for i, name := range []string{"ada", "bob", "cy"} {
		if _, err := kit.Users.CreateUser(ctx, owner.ID, usermgmt.NewUser{User: usermgmt.User{Username: name + ".example",
			FirstName: name, LastName: "Example", Email: name + "@northwind.example",
			MobilePhone: fmt.Sprintf("+4479110000%02d", 10+i)}, Password: "Welcome-2026"}); err != nil {
			return err
		}
	}
	fmt.Printf("Through CountingStore: %d transactions, %d users created.\n", store.Txs.Load(), store.Created.Load())
	counts, err := kit.Users.CountUsers(ctx, owner.ID)
	if err != nil {
		return err
	}
	fmt.Printf("The account reads back %d of %d seats used.\n", counts.Total, counts.SeatLimit)
	fmt.Println("Check the wrapper against the Store contract with: go test ./examples/customstore")
	fmt.Println("Done.")
	return nil
}
