package importer

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// ColumnNote describes one column of an import file for an admin: the
// template's Notes sheet lists them, and a host shows them beside a
// .csv or .txt template, which cannot carry notes outside its data.
type ColumnNote struct {
	Field     Field  `json:"field"`
	Header    string `json:"header"`
	Mandatory bool   `json:"mandatory"`
	// Rule says what the column accepts, e.g. "mandatory; at least 4
	// characters: letters, digits, '.', '-', '_' and spaces; unique".
	Rule string `json:"rule"`
	// Example is a value that passes the default rules ("" when the
	// column is usually left empty).
	Example string `json:"example,omitempty"`
}

// TemplateNotes returns a note for every column an import file may have:
// the seeds' ten columns, then the optional other user fields. The rules
// are the defaults of DESIGN.md; a host that changes the rules (a NIST
// password policy, a default region) says so beside them.
func TemplateNotes() []ColumnNote {
	out := make([]ColumnNote, len(specs))
	for i := range specs {
		s := &specs[i]
		out[i] = ColumnNote{Field: s.field, Header: s.header, Mandatory: s.mandatory, Rule: s.rule, Example: s.example}
	}
	return out
}

// FileNotes returns the notes on the file as a whole, for an import
// limited to maxRows data rows (0 means DefaultMaxRows).
func FileNotes(maxRows int) []string {
	if maxRows <= 0 {
		maxRows = DefaultMaxRows
	}
	return []string{
		"Keep the header row; the columns may come in any order, and optional columns may be left out.",
		"Up to " + thousands(maxRows) + " users per file, one per row.",
		"If any row has an error, no user is imported: the errors file shows each error in its Errors column; correct the rows and import the file again.",
		"A user who already exists in another company gets an ownership request instead, which they must confirm.",
		"Type phone numbers in international format, with + and the country code; in .csv files opened in Excel, check they did not turn into numbers like 4.47911E+11 (use .xlsx to be safe).",
		"Optional columns you may add: Time Zone, Language, Country, Friendly Name, Notes, Service Level, Services, Group.",
	}
}

// thousands writes n with comma thousands separators: 5,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// WriteTemplate writes the example file an admin downloads before an
// import (seed 002: "Import Users > Download Example"): the header row of
// the seeds' ten columns in their order and one example row that imports
// cleanly under the default rules.
//
// XLSX: a "Users" worksheet whose cells are formatted as text (so phone
// numbers typed in stay text), and a "Notes" worksheet with each column's
// rule (TemplateNotes) and the file's notes (FileNotes). CSV: UTF-8 with
// a byte order mark, comma-delimited, CRLF. TXT: UTF-16 little-endian
// with a byte order mark, tab-delimited, as Excel's "Unicode Text". Text
// formats cannot hold notes outside their data: show TemplateNotes beside
// the download.
func WriteTemplate(ctx context.Context, w io.Writer, f Format) error {
	return writeTemplate(ctx, w, f, DefaultMaxRows)
}

// WriteTemplate writes the example file as the package's WriteTemplate
// does, its notes stating the service's row limit.
func (s *Service) WriteTemplate(ctx context.Context, w io.Writer, f Format) error {
	return writeTemplate(ctx, w, f, s.lim.MaxRows)
}

func writeTemplate(ctx context.Context, w io.Writer, f Format, maxRows int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	enc := UTF8BOM
	if f == TXT {
		enc = UTF16LE
	}
	sw, err := newSheetWriter(f, 0, enc, "Users")
	if err != nil {
		return err
	}
	header := make([]string, numSeedFields)
	example := make([]string, numSeedFields)
	for i := 0; i < numSeedFields; i++ {
		header[i], example[i] = specs[i].header, specs[i].example
	}
	if err := sw.header(header, -1); err != nil {
		return err
	}
	if err := sw.row(example, -1); err != nil {
		return err
	}
	if x, ok := sw.(*xlsxWriter); ok {
		x.extra = func() error { return x.notes(maxRows) }
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return sw.close(w)
}

// notes adds the "Notes" worksheet to a template.
func (x *xlsxWriter) notes(maxRows int) error {
	const sheet = "Notes"
	f := x.f
	if _, err := f.NewSheet(sheet); err != nil {
		return fmt.Errorf("importer: write xlsx: %w", err)
	}
	set := func(cell string, v any, style int) error {
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			return err
		}
		return f.SetCellStyle(sheet, cell, cell, style)
	}
	row := 1
	for i, h := range []string{"Column", "Required", "Rule", "Example"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, row)
		if err := set(cell, h, x.bold); err != nil {
			return fmt.Errorf("importer: write xlsx: %w", err)
		}
	}
	for _, n := range TemplateNotes() {
		row++
		req := "optional"
		if n.Mandatory {
			req = "mandatory"
		}
		for i, v := range []string{n.Header, req, n.Rule, n.Example} {
			cell, _ := excelize.CoordinatesToCellName(i+1, row)
			if err := set(cell, v, x.text); err != nil {
				return fmt.Errorf("importer: write xlsx: %w", err)
			}
		}
	}
	row++
	for _, line := range FileNotes(maxRows) {
		row++
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := set(cell, line, x.text); err != nil {
			return fmt.Errorf("importer: write xlsx: %w", err)
		}
	}
	for col, width := range map[string]float64{"A": 24, "B": 11, "C": 90, "D": 24} {
		if err := f.SetColWidth(sheet, col, col, width); err != nil {
			return fmt.Errorf("importer: write xlsx: %w", err)
		}
	}
	return nil
}
