package roster_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster"
	"github.com/rosterkit/roster/auth"
	"github.com/rosterkit/roster/importer"
	"github.com/rosterkit/roster/invite"
	"github.com/rosterkit/roster/sms/smstest"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/mail"
	"github.com/rosterkit/roster/usermgmt/memstore"
)

func TestNewSaysWhatIsMissing(t *testing.T) {
	t.Parallel()
	_, err := roster.New(roster.Config{})
	require.Error(t, err)
	for _, want := range []string{"Store", "SMS", "Mailer", "CodeKey", "BaseURL"} {
		assert.Contains(t, err.Error(), "Config."+want)
	}
	_, err = roster.New(roster.Config{Store: memstore.New(), BaseURL: "not a url"})
	assert.Contains(t, err.Error(), "BaseURL")
}

func TestOpenDefault(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var out strings.Builder
	kit, err := roster.OpenDefault(ctx, filepath.Join(t.TempDir(), "sub", "roster.db"), roster.DefaultOptions{Out: &out})
	require.NoError(t, err)
	defer kit.Close()
	_, owner, err := kit.Users.CreateAccount(ctx, usermgmt.NewAccount{Name: "Acme", Owner: usermgmt.NewUser{
		User: usermgmt.User{Username: "owner", FirstName: "O", LastName: "W", Email: "o@example.com",
			MobilePhone: "+447911123456"}, Password: "Secret-pw1"}})
	require.NoError(t, err)
	require.NoError(t, kit.Auth.RequestReset(ctx, owner.Email, ""))
	assert.Contains(t, out.String(), "http://localhost:8080/reset?token=", "the console mailer prints the link")
}

// ExampleOpenDefault opens the embedded default (SQLite, console SMS and
// mail) and creates a company.
func ExampleOpenDefault() {
	ctx := context.Background()
	dir := tempDir()
	defer os.RemoveAll(dir)
	kit, err := roster.OpenDefault(ctx, filepath.Join(dir, "roster.db"), roster.DefaultOptions{Out: io.Discard})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer kit.Close()
	acct, owner, err := kit.Users.CreateAccount(ctx, usermgmt.NewAccount{Name: "Northwind", SeatLimit: 25,
		Owner: usermgmt.NewUser{User: usermgmt.User{Username: "olivia", FirstName: "Olivia", LastName: "Owner",
			Email: "olivia@northwind.example", MobilePhone: "+44 7911 123456"}, Password: "Northwind-2026"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	counts, _ := kit.Users.CountUsers(ctx, owner.ID)
	fmt.Printf("%s: %d of %d seats used; owner %s, phone %s\n", acct.Name, counts.Total, counts.SeatLimit,
		owner.Username, owner.MobilePhone)
	// Output: Northwind: 1 of 25 seats used; owner olivia, phone +447911123456
}

// TestKitGuardsSMS shows the Kit sends through sms.Guard by default: a
// fourth PIN to one phone within ten minutes is refused as rate limited,
// and with NoGuard it is not.
func TestKitGuardsSMS(t *testing.T) {
	t.Parallel()
	for _, noGuard := range []bool{false, true} {
		ctx := context.Background()
		rec := &smstest.Recorder{}
		kit, err := roster.New(roster.Config{Store: memstore.New(), SMS: rec, Mailer: &mail.Recorder{},
			CodeKey: make([]byte, 32), BaseURL: "https://app.example.com", NoGuard: noGuard})
		require.NoError(t, err)
		_, _, err = kit.Users.CreateAccount(ctx, usermgmt.NewAccount{Name: "Acme", Owner: usermgmt.NewUser{
			User: usermgmt.User{Username: "owner", FirstName: "O", LastName: "W", Email: "o@example.com",
				MobilePhone: "+447911123456"}, Password: "Secret-pw1"}})
		require.NoError(t, err)
		var last error
		for range 4 {
			_, last = kit.Auth.Login(ctx, auth.Credentials{Login: "owner", Password: "Secret-pw1"})
		}
		if noGuard {
			require.NoError(t, last)
			assert.Equal(t, 4, rec.Len())
			continue
		}
		require.ErrorIs(t, last, usermgmt.ErrRateLimited)
		var re *auth.RetryError
		require.ErrorAs(t, last, &re)
		assert.Positive(t, re.After)
		assert.Equal(t, 3, rec.Len(), "the guard refused the fourth before the gateway saw it")
	}
}

// ExampleNew wires roster over a host's own adapters (here the in-memory
// store and the recording SMS sender and mailer a test would use),
// invites people and imports a file.
func ExampleNew() {
	ctx := context.Background()
	mails := &mail.Recorder{}
	kit, err := roster.New(roster.Config{
		Store:   memstore.New(),
		SMS:     &smstest.Recorder{},
		Mailer:  mails,
		CodeKey: []byte("an example key of at least 32 bytes; use crypto/rand"),
		BaseURL: "https://app.example.com/admin",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, owner, err := kit.Users.CreateAccount(ctx, usermgmt.NewAccount{Name: "Northwind", SeatLimit: 10,
		Owner: usermgmt.NewUser{User: usermgmt.User{Username: "olivia", FirstName: "Olivia", LastName: "Owner",
			Email: "olivia@northwind.example", MobilePhone: "+44 7911 123456"}, Password: "Northwind-2026"}})
	if err != nil {
		fmt.Println(err)
		return
	}

	res, err := kit.Invites.Invite(ctx, owner.ID, invite.Request{
		Emails: []string{"ada@example.com", "olivia@northwind.example", "x@mailinator.com", "not an address"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range res.Invited {
		fmt.Println("invited", s.Email)
	}
	for _, s := range res.Skipped {
		fmt.Println("not invited", s.Email+":", s.Reason)
	}

	file := "First Name,Last Name,Login,Mobile Phone number,Email Address\n" +
		"Grace,Hopper,grace.h,+44 7911 000001,grace@northwind.example\n" +
		"Alan,Turing,alan.t,+44 7911 000002,alan@northwind.example\n"
	rep, err := kit.Importer.Import(ctx, owner.ID, importer.Source{Name: "users.csv", Reader: strings.NewReader(file)},
		importer.Options{SendWelcome: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("imported %d of %d rows; %d welcome mails; %d mails sent in all\n", rep.Created, rep.Rows, rep.Welcomed, mails.Len())
	// Output:
	// invited ada@example.com
	// not invited olivia@northwind.example: existing_user
	// not invited x@mailinator.com: disposable
	// not invited not an address: invalid
	// imported 2 of 2 rows; 2 welcome mails; 3 mails sent in all
}
