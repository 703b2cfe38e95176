// Command invite walks through e-mail invitations (seed 004) on the
// embedded default, SQLite in a temporary directory, with mail printed
// here: an admin invites a batch of addresses, some of which are not
// invited (and the answer says why), one invitee looks at the link and
// accepts it, and the admin lists who is still pending.
//
//	go run ./examples/invite
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/rosterkit/roster"
	"github.com/rosterkit/roster/invite"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/mail"
)

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "roster-invite-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	// The console mailer prints every mail; the recorder beside it keeps
	// them, so that this program can click a link as the invitee would.
	mails := &mail.Recorder{}
	kit, err := roster.OpenDefault(ctx, filepath.Join(dir, "roster.db"), roster.DefaultOptions{
		Out:     io.Discard,
		BaseURL: "https://portal.example",
		WrapMail: func(m mail.Mailer) mail.Mailer {
			return mail.MailerFunc(func(ctx context.Context, msg mail.Message) error {
				fmt.Printf("  mail to %s: %s\n", strings.Join(msg.To, ", "), msg.Subject)
				return mails.Send(ctx, msg)
			})
		},
	})
	if err != nil {
		return err
	}
	defer kit.Close()

	_, owner, err := kit.Users.CreateAccount(ctx, usermgmt.NewAccount{
		Name: "Northwind Messaging", SeatLimit: 10,
		Owner: usermgmt.NewUser{User: usermgmt.User{Username: "olivia.owner", FirstName: "Olivia", LastName: "Owner",
			Email: "olivia@northwind.example", MobilePhone: "+447911000001"}, Password: "Northwind-2026"},
	})
	if err != nil {
		return err
	}
	fmt.Println("Olivia owns Northwind Messaging (10 seats).")

	// 1. A batch as an admin pastes it: two good addresses, one typo,
	//    a disposable address, Olivia's own address, and a repeat.
	pasted := "ada@example.org, bob@example.org; not-an-address\nsomeone@mailinator.com olivia@northwind.example ada@example.org"
	fmt.Println("\nOlivia pastes a batch, inviting them as admins holding the users permission:")
	fmt.Printf("  %q\n", pasted)
	res, err := kit.Invites.Invite(ctx, owner.ID, invite.Request{
		Emails:      invite.SplitAddresses(pasted),
		Permissions: []usermgmt.Permission{usermgmt.PermUsers},
	})
	if err != nil {
		return err
	}
	for _, s := range res.Invited {
		fmt.Printf("  Invited %s (link valid until %s)\n", s.Email, s.ExpiresAt.Format("2 Jan"))
	}
	for _, s := range res.Skipped {
		fmt.Printf("  Not invited %s: %s (%s)\n", s.Email, s.Message, s.Reason)
	}

	// 2. A second batch with an address already pending.
	again, err := kit.Invites.Invite(ctx, owner.ID, invite.Request{Emails: []string{"bob@example.org"}})
	if err != nil {
		return err
	}
	for _, s := range again.Skipped {
		fmt.Printf("  Inviting %s again: %s (%s)\n", s.Email, s.Message, s.Reason)
	}

	// 3. Ada opens the link: looking it up consumes nothing (a mail
	//    scanner may open it first), then she accepts.
	link := mails.LastLink("ada@example.org")
	u, err := url.Parse(link)
	if err != nil {
		return err
	}
	token := u.Query().Get("token")
	offer, err := kit.Invites.Lookup(ctx, token)
	if err != nil {
		return err
	}
	fmt.Printf("\nAda opens %s://%s%s?token=…: an invitation from %s to %s.\n", u.Scheme, u.Host, u.Path,
		offer.InviterName, offer.AccountName)
	ada, err := kit.Invites.Accept(ctx, token, invite.Acceptance{FirstName: "Ada", LastName: "Lovelace",
		Username: "ada.lovelace", Password: "Analytical-1843", MobilePhone: "+447911000002"})
	if err != nil {
		return err
	}
	fmt.Printf("Ada accepted: user %s is %s, an %s.\n", ada.Username, ada.Status, ada.Type)
	if _, err := kit.Invites.Accept(ctx, token, invite.Acceptance{}); err != nil {
		fmt.Printf("Using the link again: %v.\n", err)
	}

	// 4. Who is still pending.
	pending, _, err := kit.Invites.Pending(ctx, owner.ID, usermgmt.Page{})
	if err != nil {
		return err
	}
	fmt.Printf("\nPending invitations: %d\n", len(pending))
	for _, p := range pending {
		fmt.Printf("  %s, %s, sent %d time(s)\n", p.Email, p.State, p.Sends)
	}
	counts, err := kit.Users.CountUsers(ctx, owner.ID)
	if err != nil {
		return err
	}
	fmt.Printf("Northwind now has %d of %d seats used.\nDone.\n", counts.Total, counts.SeatLimit)
	return nil
}
