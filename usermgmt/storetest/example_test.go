package storetest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/memstore"
	"github.com/rosterkit/roster/usermgmt/storetest"
)

// loggingStore stands for a host's own Store: here a wrapper that would
// add logging or metrics around memstore.
type loggingStore struct{ usermgmt.Store }

// ExampleRun shows the test a host writes for its own Store: Run gets a
// function returning a fresh, empty store for each group of subtests.
func ExampleRun() {
	// In the host's store package, in a _test.go file:
	_ = func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) usermgmt.Store {
			return loggingStore{Store: memstore.New()}
		})
	}
}

// TestExampleWrapper runs the example's test for real.
func TestExampleWrapper(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) usermgmt.Store { return loggingStore{Store: memstore.New()} })
}

// ExampleFaulty fails the commit of an account's creation: the service
// reports the injected failure, nothing of the account is kept, and the
// retry succeeds.
func ExampleFaulty() {
	ctx := context.Background()
	store := storetest.NewFaulty(memstore.New())
	users, err := usermgmt.New(usermgmt.Config{Store: store})
	if err != nil {
		fmt.Println(err)
		return
	}
	in := usermgmt.NewAccount{Name: "Northwind", Owner: usermgmt.NewUser{User: usermgmt.User{Username: "olivia",
		FirstName: "Olivia", LastName: "Owner", Email: "olivia@northwind.example", MobilePhone: "+447911123456"}}}

	store.Inject(1, "Commit", storetest.Fail)
	_, _, err = users.CreateAccount(ctx, in)
	fmt.Println("first try fails:", errors.Is(err, storetest.ErrInjected))
	_, err = store.GetUserByUsername(ctx, "olivia")
	fmt.Println("owner kept:", err == nil)

	_, owner, err := users.CreateAccount(ctx, in)
	fmt.Println("retry:", err, owner.Username)
	// Output:
	// first try fails: true
	// owner kept: false
	// retry: <nil> olivia
}
