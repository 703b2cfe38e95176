package importer

import (
	"archive/zip"
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzLimits keep each fuzz execution small.
var fuzzLimits = Limits{MaxBytes: 64 << 10, MaxRows: 200, MaxColumns: 32, MaxCellBytes: 512,
	MaxUncompressed: 4 << 20, MaxZipEntries: 64}

// checkTable checks what every successful read promises.
func checkTable(t *testing.T, tab *Table, err error) {
	t.Helper()
	if err != nil {
		if tab != nil {
			t.Fatalf("table returned with error %v", err)
		}
		if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrLimit) && !errors.Is(err, ErrEmpty) {
			t.Fatalf("unexpected error kind: %v", err)
		}
		if msg := err.Error(); msg == "" || strings.HasSuffix(msg, ".") {
			t.Fatalf("bad error message %q", msg)
		}
		return
	}
	if len(tab.Rows) > fuzzLimits.MaxRows {
		t.Fatalf("%d rows over the limit", len(tab.Rows))
	}
	if len(tab.Header) == 0 && len(tab.Rows) == 0 {
		t.Fatal("empty table without ErrEmpty")
	}
	last := tab.HeaderLine
	for _, r := range tab.Rows {
		if r.Line <= last {
			t.Fatalf("line %d after %d", r.Line, last)
		}
		last = r.Line
		if len(r.Cells) > fuzzLimits.MaxColumns {
			t.Fatalf("%d columns", len(r.Cells))
		}
		empty := true
		for _, c := range r.Cells {
			if !utf8.ValidString(c) {
				t.Fatalf("cell %q is not UTF-8", c)
			}
			if c != strings.TrimSpace(c) {
				t.Fatalf("cell %q not trimmed", c)
			}
			if c != "" {
				empty = false
			}
		}
		if empty {
			t.Fatal("empty row kept")
		}
	}
	m, _ := tab.Mapping()
	if m == nil {
		t.Fatal("nil mapping")
	}
	for _, r := range tab.Rows {
		_ = m.Record(r.Cells)
	}
	// Whatever was read can be written as an errors file and read again.
	var buf bytes.Buffer
	if err := WriteErrors(t.Context(), &buf, tab, map[int][]string{0: {"=x"}}); err != nil {
		t.Fatalf("write errors: %v", err)
	}
	back, err := ReadTable(t.Context(), bytes.NewReader(buf.Bytes()), "again"+tab.Format.Ext(), Limits{})
	if err != nil {
		t.Fatalf("errors file unreadable: %v", err)
	}
	if len(back.Rows) != len(tab.Rows) {
		t.Fatalf("errors file has %d rows, want %d", len(back.Rows), len(tab.Rows))
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("First Name,Last Name,Login,Password,Mobile Phone number,Business Phone number,Email Address,Company,Unique Customer Code,UDID\r\nJohn,Smith,jsmith,Sunny-Day42,+447911123456,,john@example.com,\"Example, Ltd\",CUST-001,\r\n"))
	f.Add([]byte("sep=;\nLogin;Email\nann1;a@example.com\n"))
	f.Add([]byte("\xEF\xBB\xBFLogin,Notes\n\"a\"\"b\",\"line\nbreak\"\n"))
	f.Add([]byte("Login,Last\nann,O\"Brien\nbob,\"unclosed\n"))
	f.Add([]byte("M\xfcller,Bj\xf6rn,bm,,+46701234567,,b@example.com\n"))
	f.Add([]byte("\xFF\xFEL\x00o\x00g\x00i\x00n\x00\n\x00"))
	f.Add([]byte("'=1+2,'+44\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := ReadTable(t.Context(), bytes.NewReader(data), "fuzz.csv", fuzzLimits)
		checkTable(t, tab, err)
	})
}

func FuzzReadTXT(f *testing.F) {
	f.Add(encodeText("First Name\tLast Name\tLogin\tMobile Phone number\tEmail Address\r\nJohn\tSmith\tjsmith\t+447911123456\tjohn@example.com\r\n", UTF16LE))
	f.Add(encodeText("Login\tNotes\n\"a\tb\"\tc\n", UTF16BE))
	f.Add([]byte("Login\tEmail\nann1\ta@example.com\n"))
	f.Add([]byte("L\x00o\x00g\x00i\x00n\x00"))
	f.Add([]byte("\xFE\xFF\xD8\x00\x00A"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := ReadTable(t.Context(), bytes.NewReader(data), "fuzz.txt", fuzzLimits)
		checkTable(t, tab, err)
	})
}

// FuzzReadXLSX mutates small workbooks. Most mutations break the zip
// checksums, so it mostly exercises the zip vetting and excelize's
// handling of damaged parts; the limits keep every execution bounded.
func FuzzReadXLSX(f *testing.F) {
	f.Add(xlsxFile(f, "Sheet1", seedHeader(), userRows(2), true))
	f.Add(zipOf(f, map[string]string{"xl/workbook.xml": "<workbook/>", "[Content_Types].xml": "<Types/>"}))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := ReadTable(t.Context(), bytes.NewReader(data), "fuzz.xlsx", fuzzLimits)
		checkTable(t, tab, err)
	})
}

// FuzzMapColumns maps header rows (cells separated by '|') and records.
func FuzzMapColumns(f *testing.F) {
	f.Add(strings.Join(seedHeader(), "|"), "John|Smith|jsmith")
	f.Add("E-mail|Mobile|Phone|Errors||(x)", "a")
	f.Add("number|No.|Login Number|user name", "")
	f.Fuzz(func(t *testing.T, header, row string) {
		cells := strings.Split(header, "|")
		m, err := MapColumns(cells)
		if m == nil {
			t.Fatal("nil mapping")
		}
		if err != nil && !errors.Is(err, ErrColumns) {
			t.Fatalf("unexpected error %v", err)
		}
		mapped := len(m.Fields()) + len(m.Unknown) + len(m.Ignored)
		dups := 0
		var ce *ColumnsError
		if errors.As(err, &ce) {
			for _, d := range ce.Duplicates {
				dups += len(d.Columns) - 1
			}
		}
		if mapped+dups != len(cells) {
			t.Fatalf("%d columns accounted for, %d given", mapped+dups, len(cells))
		}
		rec := m.Record(strings.Split(row, "|"))
		for _, f := range m.Fields() {
			if !rec.Has(f) {
				t.Fatalf("mapped field %s missing from record", f)
			}
		}
		for _, c := range cells {
			FieldOf(c)
			looksLikeHeader([]string{c})
		}
	})
}

func FuzzPlainNumber(f *testing.F) {
	for _, s := range []string{"4.47911123456E+11", "447911123456.0", "1.5", "-1E+2", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := plainNumber(s)
		if out != s && !allDigits(strings.TrimPrefix(out, "-")) {
			t.Fatalf("plainNumber(%q) = %q", s, out)
		}
	})
}

// FuzzXLSXSheet puts fuzzed worksheet XML (and shared strings) into an
// otherwise valid workbook, so that excelize's row streaming, not the
// zip layer, meets the damaged input.
func FuzzXLSXSheet(f *testing.F) {
	base := xlsxFile(f, "Sheet1", seedHeader(), userRows(2), true)
	zr, err := zip.NewReader(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`+
		`<row r="1"><c r="A1" t="inlineStr"><is><t>Login</t></is></c><c r="B1" t="s"><v>0</v></c></row>`+
		`<row r="3"><c r="A3" t="inlineStr"><is><t>ann1</t></is></c><c r="B3"><v>4.47911123456E+11</v></c></row>`+
		`</sheetData></worksheet>`), []byte(`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>Mobile</t></si></sst>`))
	f.Add([]byte(`<worksheet><sheetData><row r="1048577"><c r="XFD1"><v>1</v></c></row></sheetData></worksheet>`), []byte(`<sst/>`))
	f.Add([]byte(`<worksheet><sheetData><row><c t="s"><v>99</v></c></row></sheetData></worksheet>`), []byte(``))
	f.Fuzz(func(t *testing.T, sheet, sst []byte) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, zf := range zr.File {
			switch zf.Name {
			case "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml":
				continue
			}
			if err := zw.Copy(zf); err != nil {
				t.Fatal(err)
			}
		}
		for name, body := range map[string][]byte{"xl/worksheets/sheet1.xml": sheet, "xl/sharedStrings.xml": sst} {
			w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(body); err != nil {
				t.Fatal(err)
			}
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		tab, err := ReadTable(t.Context(), bytes.NewReader(buf.Bytes()), "fuzz.xlsx", fuzzLimits)
		checkTable(t, tab, err)
	})
}
