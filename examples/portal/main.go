// Command portal serves roster's admin portal on localhost, on the
// embedded default, with a seeded demo company. The SMS and mails the
// portal sends appear on its Outbox page, so a person can read the PIN
// and the links in the browser.
//
//	go run ./examples/portal            # then open the printed URL
//	go run ./examples/portal -addr 127.0.0.1:9090 -db demo.db
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/rosterkit/roster"
	"github.com/rosterkit/roster/invite"
	"github.com/rosterkit/roster/portal"
	"github.com/rosterkit/roster/usermgmt"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on (loopback only by default)")
	db := flag.String("db", "", "SQLite database file; empty means a fresh one in a temporary directory")
	flag.Parse()
	if err := run(*addr, *db); err != nil {
		log.Fatal(err)
	}
}

// Demo is the seeded company's owner, printed for the person trying it.
const (
	demoUser     = "demo.owner"
	demoPassword = "Demo-portal-1"
)

func run(addr, db string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if db == "" {
		dir, err := os.MkdirTemp("", "roster-portal-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		db = filepath.Join(dir, "roster.db")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	outbox := portal.NewDevOutbox()
	kit, err := roster.OpenDefault(ctx, db, roster.DefaultOptions{BaseURL: base, Out: io.Discard,
		WrapSMS: outbox.SMS, WrapMail: outbox.Mail})
	if err != nil {
		return err
	}
	defer kit.Close()
	if err := Seed(ctx, kit.Users, kit.Invites); err != nil {
		return err
	}
	p, err := kit.Portal(portal.Config{InsecureCookies: true, Outbox: outbox})
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	fmt.Printf("roster portal on %s/login\n", base)
	fmt.Printf("sign in as %s with password %s; the PIN appears on %s/outbox\n", demoUser, demoPassword, base)
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Seed creates the demo company unless the database has it already.
func Seed(ctx context.Context, users *usermgmt.Service, invites *invite.Service) error {
	if _, err := users.Store().GetUserByUsername(ctx, demoUser); err == nil {
		return nil
	}
	acct, owner, err := users.CreateAccount(ctx, usermgmt.NewAccount{Name: "Demo Messaging Ltd", SeatLimit: 25,
		Owner: usermgmt.NewUser{User: usermgmt.User{Username: demoUser, FirstName: "Dana", LastName: "Owner",
			Email: "dana@demo.example", MobilePhone: "+44 7911 123456"}, Password: demoPassword}})
	if err != nil {
		return err
	}
	sales, err := users.CreateGroup(ctx, owner.ID, acct.RootGroupID, "Sales")
	if err != nil {
		return err
	}
	if _, err := users.CreateGroup(ctx, owner.ID, acct.RootGroupID, "Support"); err != nil {
		return err
	}
	people := []struct{ user, first, phone string }{
		{"sam.sales", "Sam", "+44 7911 123457"}, {"pat.pro", "Pat", "+44 7911 123458"}, {"lee.lead", "Lee", "+44 7911 123459"},
	}
	for _, p := range people {
		if _, err := users.CreateUser(ctx, owner.ID, usermgmt.NewUser{User: usermgmt.User{GroupID: sales.ID,
			Username: p.user, FirstName: p.first, LastName: "Demo", Email: p.user + "@demo.example",
			MobilePhone: p.phone, Services: []usermgmt.Channel{usermgmt.ChannelSMS}}, Password: demoPassword}); err != nil {
			return err
		}
	}
	// One pending invitation, so that the Invitations screen shows one.
	_, err = invites.Invite(ctx, owner.ID, invite.Request{Emails: []string{"new.hire@demo.example"}, Group: sales.ID})
	return err
}
