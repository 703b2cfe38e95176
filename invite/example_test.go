package invite_test

import (
	"context"
	"fmt"
	"log"
	"regexp"

	"github.com/rosterkit/roster/auth"
	"github.com/rosterkit/roster/invite"
	"github.com/rosterkit/roster/sms/smstest"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/mail"
	"github.com/rosterkit/roster/usermgmt/memstore"
)

// exampleWorld wires an account "Acme" with its owner, an in-memory
// store, and recording mail and SMS fakes.
func exampleWorld() (*invite.Service, usermgmt.User, *mail.Recorder, *smstest.Recorder) {
	ctx := context.Background()
	hasher, err := auth.NewHasher(auth.HashConfig{})
	if err != nil {
		log.Fatal(err)
	}
	users, err := usermgmt.New(usermgmt.Config{Store: memstore.New(), Hasher: hasher})
	if err != nil {
		log.Fatal(err)
	}
	_, owner, err := users.CreateAccount(ctx, usermgmt.NewAccount{Name: "Acme", Owner: usermgmt.NewUser{
		User: usermgmt.User{Username: "grace", FirstName: "Grace", LastName: "Hopper", Email: "grace@acme.example",
			MobilePhone: "+447911100001"},
		Password: "Correct-horse1"}})
	if err != nil {
		log.Fatal(err)
	}
	mails, texts := &mail.Recorder{}, &smstest.Recorder{}
	inv, err := invite.New(invite.Config{Users: users, Hasher: hasher, Mailer: mails, SMS: texts,
		BaseURL: "https://app.example"})
	if err != nil {
		log.Fatal(err)
	}
	return inv, owner, mails, texts
}

func ExampleService_Invite() {
	ctx := context.Background()
	inv, owner, mails, _ := exampleWorld()

	pasted := "ann@example.org, bob@mailinator.com\nnot-an-address; ANN@example.org"
	res, err := inv.Invite(ctx, owner.ID, invite.Request{
		Emails:      invite.SplitAddresses(pasted),
		Permissions: []usermgmt.Permission{usermgmt.PermUsers, usermgmt.PermReports},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range res.Invited {
		fmt.Println("invited:", s.Email)
	}
	for _, s := range res.Skipped {
		fmt.Printf("skipped: %s (%s)\n", s.Email, s.Reason)
	}
	fmt.Println("mails sent:", mails.Len())
	// Output:
	// invited: ann@example.org
	// skipped: bob@mailinator.com (disposable)
	// skipped: not-an-address (invalid)
	// skipped: ANN@example.org (duplicate_in_request)
	// mails sent: 1
}

func ExampleService_Accept() {
	ctx := context.Background()
	inv, owner, mails, _ := exampleWorld()
	if _, err := inv.Invite(ctx, owner.ID, invite.Request{Emails: []string{"ann@example.org"}}); err != nil {
		log.Fatal(err)
	}
	// The invitee opens the link: the page looks the invitation up,
	// which consumes nothing.
	link := mails.LastLink("ann@example.org")
	token := regexp.MustCompile(`token=([^&]+)`).FindStringSubmatch(link)[1]
	info, err := inv.Lookup(ctx, token)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s invites %s to join %s\n", info.InviterName, info.Email, info.AccountName)

	// The invitee submits the form.
	u, err := inv.Accept(ctx, token, invite.Acceptance{FirstName: "Ann", LastName: "Lee", Username: "ann.lee",
		Password: "Sunny-days-42", MobilePhone: "+447911100002"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(u.Username, u.Status, u.Type)

	_, err = inv.Accept(ctx, token, invite.Acceptance{})
	fmt.Println(err)
	// Output:
	// Grace Hopper invites ann@example.org to join Acme
	// ann.lee active end_user
	// invite: accept: already used
}

func ExampleService_CreateUser() {
	ctx := context.Background()
	inv, owner, _, texts := exampleWorld()
	// Seed 002's Add User screen with "Send the user login details via
	// text message (SMS)" ticked.
	c, err := inv.CreateUser(ctx, owner.ID, usermgmt.NewUser{
		User: usermgmt.User{Username: "dmitri", FirstName: "Dmitri", LastName: "Ivanov",
			Email: "dmitri@example.org", MobilePhone: "+447911100003"},
		Password: "Chosen-by-admin1",
	}, invite.CreateOptions{SendLoginDetailsBySMS: true})
	if err != nil {
		log.Fatal(err)
	}
	msg, _ := texts.Last(c.User.MobilePhone)
	body := regexp.MustCompile(`token=\S+`).ReplaceAllString(msg.Body, "token=…")
	fmt.Println(c.User.Status)
	fmt.Println(body)
	// Output:
	// active
	// Acme: your username is dmitri. Set your password here: https://app.example/activate?token=…
}

func ExampleIsDisposable() {
	for _, d := range []string{"mailinator.com", "inbox.guerrillamail.com", "example.com"} {
		fmt.Println(d, invite.IsDisposable(d))
	}
	// Output:
	// mailinator.com true
	// inbox.guerrillamail.com true
	// example.com false
}

func ExampleSplitAddresses() {
	fmt.Printf("%q\n", invite.SplitAddresses("ann@example.org, bob@example.org;\ncat@example.org  "))
	// Output:
	// ["ann@example.org" "bob@example.org" "cat@example.org"]
}
