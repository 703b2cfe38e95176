package importer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rosterkit/roster/importer"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/memstore"
)

// exampleAccount creates an account on a memstore and returns the
// services and the owner's id.
func exampleAccount() (*usermgmt.Service, string) {
	users, _ := usermgmt.New(usermgmt.Config{Store: memstore.New(),
		Now: func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }})
	_, owner, err := users.CreateAccount(context.Background(), usermgmt.NewAccount{
		Name: "Northwind", SeatLimit: 100,
		Owner: usermgmt.NewUser{User: usermgmt.User{Username: "nw.owner", FirstName: "Nora", LastName: "West",
			Email: "nora@northwind.example", MobilePhone: "+46701234567"}, PasswordHash: "$example$"},
	})
	if err != nil {
		panic(err)
	}
	return users, owner.ID
}

// An import without passwords: every user is created pending, to be
// activated by e-mail.
func ExampleService_Import() {
	users, owner := exampleAccount()
	imp, err := importer.New(importer.Config{Users: users})
	if err != nil {
		fmt.Println(err)
		return
	}
	file := "First Name,Last Name,Login,Mobile Phone number,Email Address\r\n" +
		"Ann,Lee,ann.lee,+447911123456,ann@northwind.example\r\n" +
		"Bob,Ray,bob.ray,+447911123457,bob@northwind.example\r\n"
	rep, err := imp.Import(context.Background(), owner,
		importer.Source{Name: "users.csv", Reader: strings.NewReader(file)},
		importer.Options{ServiceLevel: usermgmt.LevelPro})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Summary())
	for _, u := range rep.Users {
		fmt.Println("row", u.Row, u.Username, u.Status)
	}
	// Output:
	// 2 rows read, 2 users created, 0 ownership requests sent, 0 welcome messages queued, 0 errors
	// row 2 ann.lee pending
	// row 3 bob.ray pending
}

// A file with errors imports nothing; the report names every problem
// and writes the errors file.
func ExampleService_Import_errors() {
	users, owner := exampleAccount()
	imp, _ := importer.New(importer.Config{Users: users})
	file := "First Name,Last Name,Login,Mobile Phone number,Email Address\r\n" +
		"Ann,Lee,ann.lee,+447911123456,ann@northwind.example\r\n" +
		"Bob,Ray,bob,+447700900123,ANN@northwind.example\r\n"
	rep, err := imp.Import(context.Background(), owner,
		importer.Source{Name: "users.csv", Reader: strings.NewReader(file)}, importer.Options{})
	fmt.Println(errors.Is(err, usermgmt.ErrInvalid), err)
	for _, e := range rep.Errors {
		fmt.Println(e)
	}
	var buf bytes.Buffer
	_ = rep.WriteErrorsFile(context.Background(), &buf)
	fmt.Println(rep.ErrorsFileName())
	fmt.Print(strings.ReplaceAll(buf.String(), "\r\n", "\n"))
	// Output:
	// true importer: 3 errors in 1 row, nothing was imported
	// row 3: Login: must be at least 4 characters
	// row 3: Mobile Phone number: is not a valid phone number
	// row 3: Email Address: is also in row 2
	// users-errors.csv
	// First Name,Last Name,Login,Mobile Phone number,Email Address,Errors
	// Ann,Lee,ann.lee,'+447911123456,ann@northwind.example,
	// Bob,Ray,bob,'+447700900123,ANN@northwind.example,Login: must be at least 4 characters; Mobile Phone number: is not a valid phone number; Email Address: is also in row 2
}
