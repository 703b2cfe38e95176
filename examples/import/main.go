// Command import walks through a bulk import (seeds 000 and 002) on the
// embedded default, SQLite in a temporary directory: it writes the
// example template an admin downloads, fills it in as a spreadsheet
// would, imports it (a dry run first), shows the summary with an
// ownership request for a user who already exists in another company,
// then imports a broken file and shows its errors file.
//
//	go run ./examples/import
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/rosterkit/roster/auth"
	"github.com/rosterkit/roster/importer"
	"github.com/rosterkit/roster/invite"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/mail"
	"github.com/rosterkit/roster/usermgmt/sqlitestore"
)

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "roster-import-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	store, err := sqlitestore.Open(ctx, sqlitestore.Config{Path: filepath.Join(dir, "roster.db")})
	if err != nil {
		return err
	}
	defer store.Close()
	hasher, err := auth.NewHasher(auth.HashConfig{})
	if err != nil {
		return err
	}
	users, err := usermgmt.New(usermgmt.Config{Store: store, Hasher: hasher})
	if err != nil {
		return err
	}
	// Package invite makes the ownership requests and sends the welcome
	// mails; here its mails are printed, one line each.
	printMail := mail.MailerFunc(func(_ context.Context, m mail.Message) error {
		fmt.Printf("  mail to %s: %s\n", strings.Join(m.To, ", "), m.Subject)
		return nil
	})
	inv, err := invite.New(invite.Config{Users: users, Hasher: hasher, Mailer: printMail, BaseURL: "https://portal.example"})
	if err != nil {
		return err
	}
	imp, err := importer.New(importer.Config{Users: users, Hasher: hasher, Invites: inv})
	if err != nil {
		return err
	}

	// 1. Two companies: ours, with 20 seats, and another whose user
	//    Carol will appear in our file.
	acct, owner, err := users.CreateAccount(ctx, usermgmt.NewAccount{
		Name: "Northwind Messaging", SeatLimit: 20,
		Owner: usermgmt.NewUser{User: usermgmt.User{Username: "olivia.owner", FirstName: "Olivia", LastName: "Owner",
			Email: "olivia@northwind.example", MobilePhone: "+447911000001"}, Password: "Northwind-2026"},
	})
	if err != nil {
		return err
	}
	sales, err := users.CreateGroup(ctx, owner.ID, acct.RootGroupID, "Sales")
	if err != nil {
		return err
	}
	_, contosoOwner, err := users.CreateAccount(ctx, usermgmt.NewAccount{
		Name: "Contoso",
		Owner: usermgmt.NewUser{User: usermgmt.User{Username: "carl.contoso", FirstName: "Carl", LastName: "Contoso",
			Email: "carl@contoso.example", MobilePhone: "+46701000001"}, Password: "Contoso-2026x"},
	})
	if err != nil {
		return err
	}
	if _, err := users.CreateUser(ctx, contosoOwner.ID, usermgmt.NewUser{User: usermgmt.User{Username: "carol.jones",
		FirstName: "Carol", LastName: "Jones", Email: "carol@contoso.example", MobilePhone: "+46701000002"}}); err != nil {
		return err
	}
	fmt.Printf("Company %q has %d seats; Contoso already has the user carol.jones.\n", acct.Name, acct.SeatLimit)

	// 2. Import Users > Download Example.
	template := filepath.Join(dir, "example.xlsx")
	var buf bytes.Buffer
	if err := importer.WriteTemplate(ctx, &buf, importer.XLSX); err != nil {
		return err
	}
	if err := os.WriteFile(template, buf.Bytes(), 0o600); err != nil {
		return err
	}
	fmt.Printf("Wrote the template %s (%d bytes): columns %s\n", filepath.Base(template), buf.Len(),
		strings.Join(headers(), ", "))

	// 3. The admin fills it in: the example row stays, five users are
	//    added, one of whom (Carol) exists in Contoso; two have no
	//    password and will be activated by e-mail.
	filled := filepath.Join(dir, "users.xlsx")
	if err := fill(template, filled, [][]string{
		{"Amir", "Khan", "amir.khan", "Blue-Sky-77", "+447911000002", "", "amir@northwind.example", "Northwind", "NW-002", ""},
		{"Beatriz", "Souza", "beatriz.souza", "", "+447911000003", "+442071234568", "beatriz@northwind.example", "Northwind", "NW-003", ""},
		{"Chen", "Wei", "chen.wei", "Green-Tea-88", "+46701000003", "", "chen@northwind.example", "Northwind", "NW-004", ""},
		{"Dara", "Byrne", "dara.byrne", "", "+447911000004", "", "dara@northwind.example", "Northwind", "NW-005", ""},
		{"Carol", "Jones", "carol.jones", "", "+46701000002", "", "carol@contoso.example", "", "", ""},
	}); err != nil {
		return err
	}

	// 4. A dry run, then the import.
	progress := func(p importer.Progress) {
		if p.Done == p.Total && p.Total > 0 {
			fmt.Printf("  %-8s %d/%d\n", p.Stage, p.Done, p.Total)
		}
	}
	for _, dry := range []bool{true, false} {
		f, err := os.Open(filled)
		if err != nil {
			return err
		}
		rep, err := imp.Import(ctx, owner.ID, importer.Source{Name: filepath.Base(filled), Reader: f},
			importer.Options{Group: sales.ID, ServiceLevel: usermgmt.LevelArchive, DryRun: dry, SendWelcome: true, Progress: progress})
		f.Close()
		if err != nil {
			return fmt.Errorf("import: %w (%v)", err, rep.Errors)
		}
		if dry {
			fmt.Println("Dry run:", rep.Summary())
			continue
		}
		fmt.Println("Imported:", rep.Summary())
		for _, u := range rep.Users {
			fmt.Printf("  row %d: %-14s %s\n", u.Row, u.Username, u.Status)
		}
		for _, o := range rep.Ownership {
			fmt.Printf("  row %d: %-14s exists in another company: ownership request sent\n", o.Row, o.Username)
		}
	}
	counts, err := users.CountUsers(ctx, owner.ID)
	if err != nil {
		return err
	}
	fmt.Printf("You have %d registered users (%d seats).\n", counts.Total, counts.SeatLimit)

	// 5. A broken file: nothing is imported, and the errors file says why.
	broken := "First Name;Last Name;Login;Password;Mobile Phone number;Email Address\r\n" +
		"Eve;Adams;eve.adams;Purple-Rain-9;+447911000010;eve@northwind.example\r\n" +
		"Finn;;fb;password;07911000011;finn@northwind\r\n" +
		"=HYPERLINK(\"http://evil.example\");Grey;gina.grey;;+447700900123;EVE@northwind.example\r\n" +
		"Amir;Khan;amir.khan;;+447911000012;amir2@northwind.example\r\n"
	rep, err := imp.Import(ctx, owner.ID, importer.Source{Name: "broken.csv", Reader: strings.NewReader(broken)},
		importer.Options{Group: sales.ID})
	if !errors.Is(err, usermgmt.ErrInvalid) {
		return fmt.Errorf("the broken file: want an invalid-input error, got %v", err)
	}
	fmt.Println("Broken file:", err)
	for _, e := range rep.Errors {
		fmt.Println("  " + e.String())
	}
	var ef bytes.Buffer
	if err := rep.WriteErrorsFile(ctx, &ef); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, rep.ErrorsFileName()), ef.Bytes(), 0o600); err != nil {
		return err
	}
	fmt.Printf("Errors file %s:\n", rep.ErrorsFileName())
	for _, line := range strings.Split(strings.TrimSpace(strings.TrimPrefix(ef.String(), "\ufeff")), "\r\n") {
		fmt.Println("  " + line)
	}
	after, err := users.CountUsers(ctx, owner.ID)
	if err != nil {
		return err
	}
	fmt.Printf("Still %d registered users: nothing of the broken file was imported.\n", after.Total)
	fmt.Println("Done.")
	return nil
}

// headers returns the template's column headers.
func headers() []string {
	var out []string
	for _, f := range importer.SeedFields() {
		out = append(out, f.Header())
	}
	return out
}

// fill opens the template, adds rows below its example row as text cells
// (the template's columns are formatted as text), and saves it as out.
func fill(template, out string, rows [][]string) error {
	f, err := excelize.OpenFile(template)
	if err != nil {
		return err
	}
	defer f.Close()
	for i, r := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+3)
		if err != nil {
			return err
		}
		vals := make([]string, len(r))
		copy(vals, r)
		if err := f.SetSheetRow("Users", cell, &vals); err != nil {
			return err
		}
	}
	return f.SaveAs(out)
}
