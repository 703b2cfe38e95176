package importer

import (
	"errors"
	"strconv"
	"strings"
)

// ErrColumns matches every *ColumnsError: a file whose columns cannot be
// imported (mandatory ones missing, or one field named twice).
var ErrColumns = errors.New("the file's columns cannot be imported")

// Column is one column of a file.
type Column struct {
	// Index is the 0-based position of the column.
	Index int `json:"index"`
	// Header is the column's header as written in the file ("" for a
	// headerless file).
	Header string `json:"header"`
}

// Name returns the header, or "column N" (1-based) when it has none.
func (c Column) Name() string {
	if c.Header != "" {
		return c.Header
	}
	return "column " + strconv.Itoa(c.Index+1)
}

// Duplicate is a field that more than one column names.
type Duplicate struct {
	Field   Field    `json:"field"`
	Columns []Column `json:"columns"`
}

// ColumnsError reports why a file's columns cannot be imported: every
// mandatory field without a column, and every field named by several
// columns. It matches ErrColumns.
type ColumnsError struct {
	Missing    []Field     `json:"missing,omitempty"`
	Duplicates []Duplicate `json:"duplicates,omitempty"`
}

// Error returns e.g. `importer: missing mandatory columns: "Login",
// "Email Address"`.
func (e *ColumnsError) Error() string {
	var parts []string
	if len(e.Missing) > 0 {
		names := make([]string, len(e.Missing))
		for i, f := range e.Missing {
			names[i] = strconv.Quote(f.Header())
		}
		what := "missing mandatory column "
		if len(names) > 1 {
			what = "missing mandatory columns "
		}
		parts = append(parts, what+strings.Join(names, ", "))
	}
	for _, d := range e.Duplicates {
		names := make([]string, len(d.Columns))
		for i, c := range d.Columns {
			names[i] = strconv.Quote(c.Name())
		}
		parts = append(parts, strconv.Quote(d.Field.Header())+" is in more than one column: "+strings.Join(names, ", "))
	}
	if len(parts) == 0 {
		return "importer: " + ErrColumns.Error()
	}
	return "importer: " + strings.Join(parts, "; ")
}

// Is reports whether target is ErrColumns.
func (e *ColumnsError) Is(target error) bool { return target == ErrColumns }

// Mapping says which column holds which field. Build it with MapColumns,
// HeaderlessMapping or Table.Mapping; it is read-only afterwards and safe
// for concurrent use.
type Mapping struct {
	cols       map[Field]int
	order      []Field  // mapped fields in column order
	headers    []string // per column index, the header as read
	headerless bool
	// Unknown lists columns whose header names no field. They are not
	// imported; a report shows them so a misspelt header is noticed.
	Unknown []Column
	// Ignored lists columns read without a word: an errors file's own
	// "Errors" column, and columns without header nor any use.
	Ignored []Column
}

// MapColumns maps a header row to fields (see FieldOf for how headers
// are matched). Columns that name no field are listed in Unknown and
// not imported. A field named by two columns, or a mandatory field
// without a column, is a *ColumnsError listing every such problem at
// once. The Mapping is returned with the error too, so that a report
// can show the unknown columns alongside.
func MapColumns(header []string) (*Mapping, error) {
	m := &Mapping{cols: make(map[Field]int, len(specs)), headers: make([]string, len(header))}
	var dups map[Field][]Column
	for i, h := range header {
		h = strings.TrimSpace(h)
		m.headers[i] = h
		col := Column{Index: i, Header: h}
		if h == "" || isErrorsHeader(h) {
			m.Ignored = append(m.Ignored, col)
			continue
		}
		f, ok := FieldOf(h)
		if !ok {
			m.Unknown = append(m.Unknown, col)
			continue
		}
		if j, taken := m.cols[f]; taken {
			if dups == nil {
				dups = make(map[Field][]Column)
			}
			if len(dups[f]) == 0 {
				dups[f] = append(dups[f], Column{Index: j, Header: m.headers[j]})
			}
			dups[f] = append(dups[f], col)
			continue
		}
		m.cols[f] = i
		m.order = append(m.order, f)
	}
	return m, m.check(dups)
}

// HeaderlessMapping maps the columns of a file without a header row in
// the seeds' order (SeedFields): First Name, Last Name, Login, Password,
// Mobile Phone number, Business Phone number, Email Address, Company,
// Unique Customer Code, UDID. Columns beyond those are Unknown. A file
// too narrow to hold every mandatory field is a *ColumnsError.
func HeaderlessMapping(columns int) (*Mapping, error) {
	m := &Mapping{cols: make(map[Field]int, numSeedFields), headers: make([]string, max(columns, 0)), headerless: true}
	for i := 0; i < columns; i++ {
		if i < numSeedFields {
			f := specs[i].field
			m.cols[f] = i
			m.order = append(m.order, f)
			continue
		}
		m.Unknown = append(m.Unknown, Column{Index: i})
	}
	return m, m.check(nil)
}

// check reports missing mandatory fields and duplicates.
func (m *Mapping) check(dups map[Field][]Column) error {
	e := &ColumnsError{}
	for i := range specs {
		s := &specs[i]
		if s.mandatory {
			if _, ok := m.cols[s.field]; !ok {
				e.Missing = append(e.Missing, s.field)
			}
		}
		if cols := dups[s.field]; len(cols) > 0 {
			e.Duplicates = append(e.Duplicates, Duplicate{Field: s.field, Columns: cols})
		}
	}
	if len(e.Missing) == 0 && len(e.Duplicates) == 0 {
		return nil
	}
	return e
}

// Headerless reports whether the mapping is the seeds' column order of
// a file without a header row.
func (m *Mapping) Headerless() bool { return m.headerless }

// Has reports whether a column holds f.
func (m *Mapping) Has(f Field) bool {
	_, ok := m.cols[f]
	return ok
}

// Column returns the column that holds f.
func (m *Mapping) Column(f Field) (Column, bool) {
	i, ok := m.cols[f]
	if !ok {
		return Column{}, false
	}
	return Column{Index: i, Header: m.headers[i]}, true
}

// ColumnName returns how a report names f's column: its header as in the
// file, or the template's header for a headerless file or an unmapped
// field.
func (m *Mapping) ColumnName(f Field) string {
	if i, ok := m.cols[f]; ok && m.headers[i] != "" {
		return m.headers[i]
	}
	return f.Header()
}

// Fields returns the mapped fields in column order.
func (m *Mapping) Fields() []Field { return append([]Field(nil), m.order...) }

// Record is one row's values by field. A field whose column the file
// has is present (possibly ""); the others are absent.
type Record map[Field]string

// Get returns the value of f, "" when absent.
func (r Record) Get(f Field) string { return r[f] }

// Has reports whether the file has a column for f.
func (r Record) Has(f Field) bool {
	_, ok := r[f]
	return ok
}

// Record returns the values of one row's cells by field. Cells past the
// row's end are "".
func (m *Mapping) Record(cells []string) Record {
	r := make(Record, len(m.order))
	for _, f := range m.order {
		i := m.cols[f]
		if i < len(cells) {
			r[f] = cells[i]
		} else {
			r[f] = ""
		}
	}
	return r
}

// looksLikeHeader decides whether the first non-empty row of a file is
// its header: its cells name known columns and hold no data (no e-mail
// address, no phone number), or one of them is an errors file's Errors
// column. A row that names nothing and holds no data
// counts as a header too, so that MapColumns can say which columns are
// missing, rather than every row failing.
func looksLikeHeader(cells []string) bool {
	known, data, filled := 0, 0, 0
	for _, c := range cells {
		if c == "" {
			continue
		}
		filled++
		if isErrorsHeader(c) {
			return true // an errors file's header
		}
		if _, ok := FieldOf(c); ok {
			known++
		}
		if isDataLike(c) {
			data++
		}
	}
	switch {
	case data == 0:
		return true
	case known == 0:
		return false
	}
	return known*2 > filled
}
