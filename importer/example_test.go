package importer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rosterkit/roster/importer"
)

// A semicolon-delimited file with a header in another order: the reader
// finds the delimiter, the mapping finds the columns.
func ExampleReadTable() {
	upload := strings.NewReader("Email;Login;First Name;Last Name;Mobile;Shoe size\r\n" +
		"ann@example.com;ann.lee;Ann;Lee;+447911123456;38\r\n" +
		"\r\n" +
		"bob@example.com;bob.ray;Bob;Ray;+46701234567;44\r\n")
	t, err := importer.ReadTable(context.Background(), upload, "users.csv", importer.Limits{})
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := t.Mapping()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("delimiter %q, %d rows, unknown column %q\n", t.Delimiter, len(t.Rows), m.Unknown[0].Header)
	for _, row := range t.Rows {
		rec := m.Record(row.Cells)
		fmt.Println("line", row.Line, rec.Get(importer.FieldUsername), rec.Get(importer.FieldMobilePhone))
	}
	// Output:
	// delimiter ';', 2 rows, unknown column "Shoe size"
	// line 2 ann.lee +447911123456
	// line 4 bob.ray +46701234567
}

// Files of the wrong kind get errors an admin can act on.
func ExampleReadTable_wrongFile() {
	ole := []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0}
	_, err := importer.ReadTable(context.Background(), bytes.NewReader(ole), "users.xls", importer.Limits{})
	fmt.Println(errors.Is(err, importer.ErrLegacyXLS), err)

	_, err = importer.ReadTable(context.Background(), strings.NewReader("John,Smith"), "users.xlsx", importer.Limits{})
	fmt.Println(errors.Is(err, importer.ErrFormat), err)
	// Output:
	// true importer: users.xls: old excel .xls workbooks cannot be read: save the file as .xlsx or .csv
	// true importer: users.xlsx: the file is not an xlsx workbook (it is not a zip archive): save it from the spreadsheet program as .xlsx, or as .csv
}

// Every missing mandatory column is named at once.
func ExampleMapColumns() {
	_, err := importer.MapColumns([]string{"First Name", "Surname", "E-mail", "Favourite colour"})
	fmt.Println(err)
	// Output:
	// importer: missing mandatory columns "Login", "Mobile Phone number"
}

func ExampleFieldOf() {
	for _, h := range []string{"User Name", "Mobile Phone No.", "E-mail address", "UDID (optional)"} {
		f, _ := importer.FieldOf(h)
		fmt.Printf("%-18s -> %s\n", h, f)
	}
	// Output:
	// User Name          -> username
	// Mobile Phone No.   -> mobile_phone
	// E-mail address     -> email
	// UDID (optional)    -> udid
}

// The errors file: the rows as uploaded, with an Errors column, and
// every cell a spreadsheet would run as a formula neutralised.
func ExampleWriteErrors() {
	upload := strings.NewReader("Login,Mobile,Notes\r\nann.lee,+447911123456,=1+2\r\nbob,+46701234567,\r\n")
	t, _ := importer.ReadTable(context.Background(), upload, "users.csv", importer.Limits{})
	errs := map[int][]string{1: {"Login: must be at least 4 characters"}}
	var buf bytes.Buffer
	_ = importer.WriteErrors(context.Background(), &buf, t, errs)
	fmt.Print(strings.ReplaceAll(buf.String(), "\r\n", "\n")) // files end lines with CRLF
	// Output:
	// Login,Mobile,Notes,Errors
	// ann.lee,'+447911123456,'=1+2,
	// bob,'+46701234567,,Login: must be at least 4 characters
}

// The example file of "Import Users > Download Example".
func ExampleWriteTemplate() {
	var buf bytes.Buffer
	_ = importer.WriteTemplate(context.Background(), &buf, importer.CSV)
	fmt.Print(strings.ReplaceAll(strings.TrimPrefix(buf.String(), "\ufeff"), "\r\n", "\n"))
	for _, n := range importer.TemplateNotes()[:3] {
		fmt.Printf("%s: %s\n", n.Header, n.Rule)
	}
	// Output:
	// First Name,Last Name,Login,Password,Mobile Phone number,Business Phone number,Email Address,Company,Unique Customer Code,UDID
	// John,Smith,jsmith,Sunny-Day42,+447911123456,+442071234567,john.smith@example.com,Example Ltd,CUST-001,
	// First Name: mandatory; up to 100 characters
	// Last Name: mandatory; up to 100 characters
	// Login: mandatory; at least 4 characters: letters, digits, '.', '-', '_' and spaces; unique; cannot be changed later
}
