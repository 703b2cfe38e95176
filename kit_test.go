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
	"github.com/rosterkit/roster/usermgmt"
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
