// Package tour is the walk through roster that examples/quickstart
// and examples/postgres print: the same steps on whichever store the Kit
// was built over.
package tour

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"sync"
	"time"

	"github.com/rosterkit/roster"
	"github.com/rosterkit/roster/auth"
	"github.com/rosterkit/roster/usermgmt"
)

// Console is where the console SMS and mail adapters write: it prints
// what they write and keeps the last PIN, so that the tour can type it
// in as a person would.
type Console struct {
	mu  sync.Mutex
	pin string
}

var pinRE = regexp.MustCompile(`code is (\d{6})`)

// Write prints p and remembers a PIN in it.
func (c *Console) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m := pinRE.FindSubmatch(p); m != nil {
		c.pin = string(m[1])
	}
	return os.Stdout.Write(p)
}

// PIN returns the last PIN written.
func (c *Console) PIN() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pin
}

// Run creates a company and its owner, users of both service levels,
// groups and a scoped admin; counts licences; suspends and deletes a
// user; and logs in with the SMS PIN the console sender printed to out.
func Run(ctx context.Context, kit *roster.Kit, out *Console) error {
	users := kit.Users

	// 1. A company with 10 licensed seats, and its owner.
	acct, owner, err := users.CreateAccount(ctx, usermgmt.NewAccount{
		Name: "Northwind Messaging", SeatLimit: 10,
		Owner: usermgmt.NewUser{User: usermgmt.User{
			Username: "olivia.owner", FirstName: "Olivia", LastName: "Owner",
			Email: "olivia@northwind.example", MobilePhone: "+44 7911 123456",
		}, Password: "Northwind-2026"},
	})
	if err != nil {
		return err
	}
	fmt.Printf("Created the company %q with %d seats; %s is its owner.\n", acct.Name, acct.SeatLimit, owner.Username)

	// 2. Groups: the organisational tree.
	sales, err := users.CreateGroup(ctx, owner.ID, acct.RootGroupID, "Sales")
	if err != nil {
		return err
	}
	support, err := users.CreateGroup(ctx, owner.ID, acct.RootGroupID, "Support")
	if err != nil {
		return err
	}
	fmt.Println("Created the groups Sales and Support.")

	// 3. Users of both service levels.
	add := func(group, username, first string, phone string, level usermgmt.ServiceLevel) (usermgmt.User, error) {
		return users.CreateUser(ctx, owner.ID, usermgmt.NewUser{User: usermgmt.User{
			GroupID: group, Username: username, FirstName: first, LastName: "Example",
			Email: username + "@northwind.example", MobilePhone: phone, ServiceLevel: level,
			Services: []usermgmt.Channel{usermgmt.ChannelSMS},
		}, Password: "Welcome-2026"})
	}
	sam, err := add(sales.ID, "sam.sales", "Sam", "+44 7911 123457", usermgmt.LevelArchive)
	if err != nil {
		return err
	}
	pat, err := add(sales.ID, "pat.pro", "Pat", "+44 7911 123458", usermgmt.LevelPro)
	if err != nil {
		return err
	}
	sue, err := add(support.ID, "sue.support", "Sue", "+44 7911 123459", usermgmt.LevelArchive)
	if err != nil {
		return err
	}
	fmt.Printf("Added %s (archive), %s (pro) and %s (archive).\n", sam.Username, pat.Username, sue.Username)

	// 4. Pat administers Sales, and only Sales.
	if _, err := users.Grant(ctx, owner.ID, pat.ID, usermgmt.Scope{GroupID: sales.ID},
		[]usermgmt.Permission{usermgmt.PermUsers, usermgmt.PermGroups}); err != nil {
		return err
	}
	fmt.Println("Made pat.pro an admin of Sales.")
	if _, err := users.GetUser(ctx, pat.ID, sue.ID); err != nil {
		fmt.Printf("pat.pro looks up sue.support in Support: %v (outside Pat's scope).\n", err)
	}
	visible, _, err := users.ListUsers(ctx, pat.ID, usermgmt.UserQuery{}, usermgmt.Page{})
	if err != nil {
		return err
	}
	fmt.Printf("pat.pro sees %d users: ", len(visible))
	for i, u := range visible {
		if i > 0 {
			fmt.Print(", ")
		}
		fmt.Print(u.Username)
	}
	fmt.Println(".")

	// 5. The licence count (seed: "You have XX registered users").
	counts, err := users.CountUsers(ctx, owner.ID)
	if err != nil {
		return err
	}
	fmt.Printf("You have %d registered users (%d of %d seats): %d archive, %d pro.\n", counts.Total, counts.Total,
		counts.SeatLimit, counts.ByLevel[usermgmt.LevelArchive], counts.ByLevel[usermgmt.LevelPro])

	// 6. Suspend Sam for a week, then delete Sue.
	if _, err := users.Suspend(ctx, pat.ID, sam.ID, time.Now().Add(7*24*time.Hour)); err != nil {
		return err
	}
	fmt.Println("pat.pro suspended sam.sales for a week: Sam keeps the seat but cannot log in.")
	if err := users.Delete(ctx, owner.ID, sue.ID); err != nil {
		return err
	}
	counts, err = users.CountUsers(ctx, owner.ID)
	if err != nil {
		return err
	}
	fmt.Printf("Deleted sue.support: the seat is free again (%d of %d used).\n", counts.Total, counts.SeatLimit)

	// 7. Log in with the password, then the PIN sent by SMS.
	fmt.Println("pat.pro logs in with a password; the console SMS sender prints the PIN:")
	res, err := kit.Auth.Login(ctx, auth.Credentials{Login: "pat.pro", Password: "Welcome-2026", ClientKey: "127.0.0.1"})
	if err != nil {
		return err
	}
	if res.Challenge == nil {
		return fmt.Errorf("expected the SMS PIN step")
	}
	pin := out.PIN()
	fmt.Printf("pat.pro types the PIN %s (sent to %s, valid until %s).\n", pin, res.Challenge.Phone,
		res.Challenge.ExpiresAt.Format("15:04"))
	session, err := kit.Auth.VerifyPIN(ctx, res.Challenge.Token, pin, "127.0.0.1")
	if err != nil {
		return err
	}
	who, err := kit.Auth.Authenticate(ctx, session.Token)
	if err != nil {
		return err
	}
	fmt.Printf("Signed in as %s of %s.\n", who.User.Username, who.Account.Name)
	if _, err := kit.Auth.Login(ctx, auth.Credentials{Login: "sam.sales", Password: "Welcome-2026"}); err != nil {
		fmt.Printf("sam.sales tries to log in: %v (suspended).\n", err)
	}
	fmt.Println("Done.")
	return nil
}
