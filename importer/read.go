package importer

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// Row is one non-empty row of an uploaded file.
type Row struct {
	// Line is where the row is in the file, 1-based, so that errors can
	// say "row 17": the line a text record starts on (a record with an
	// embedded line break spans several), or the worksheet row number.
	Line int
	// Cells are the row's values as text, surrounding white space
	// removed. Rows may be shorter or longer than the header.
	Cells []string
}

// Cell returns the cell at 0-based column i, or "" past the row's end.
func (r Row) Cell(i int) string {
	if i < 0 || i >= len(r.Cells) {
		return ""
	}
	return r.Cells[i]
}

// Table is an uploaded file read into memory: what ReadTable returns and
// what WriteErrors writes back with an Errors column.
type Table struct {
	// Name is the file name given to ReadTable.
	Name string
	// Format is the file's format.
	Format Format
	// Encoding is the character encoding of a text file ("" for xlsx).
	Encoding Encoding
	// Delimiter is the cell delimiter of a text file (0 for xlsx).
	Delimiter rune
	// Sheet is the worksheet an xlsx file was read from.
	Sheet string
	// Header is the header row as read, or nil when the file has none
	// and its columns are in the seeds' order (see Headerless).
	Header []string
	// HeaderLine is the line of the header row (0 when headerless).
	HeaderLine int
	// Rows are the data rows, in file order, empty rows left out.
	Rows []Row
}

// Headerless reports whether the file has no header row, its columns
// being read in the seeds' order (SeedFields).
func (t *Table) Headerless() bool { return t.Header == nil }

// Columns returns the number of columns: the longest of the header and
// the rows.
func (t *Table) Columns() int {
	n := len(t.Header)
	for _, r := range t.Rows {
		n = max(n, len(r.Cells))
	}
	return n
}

// Mapping maps the table's columns to fields: MapColumns over the header,
// or the seeds' order for a headerless file (HeaderlessMapping). As with
// MapColumns, the mapping is returned with any error.
func (t *Table) Mapping() (*Mapping, error) {
	if t.Header == nil {
		return HeaderlessMapping(t.Columns())
	}
	return MapColumns(t.Header)
}

// ReadTable reads an uploaded .csv, .txt or .xlsx file from r, whose name
// (only its extension matters) says which format it claims to be, and
// checks that claim against the content: an old .xls workbook is an
// error matching ErrLegacyXLS; a file of another kind, or damaged, is a
// *FormatError; input over a limit is a *LimitError. Nothing panics on
// any input, and ctx cancels the read at any stage.
//
// # Text files (.csv, .txt)
//
// The encoding is detected: UTF-8 with or without a byte order mark,
// UTF-16 little- or big-endian with a byte order mark (Excel's "Unicode
// Text"), or without one when the pattern of zero bytes makes it plain.
// A file without a byte order mark that is not valid UTF-8 and holds no
// valid multi-byte UTF-8 sequence is read as Windows-1252, which Excel
// on Windows writes for "CSV (Comma delimited)"; a file mixing UTF-8 with
// invalid bytes, or holding control characters (binary data), is a
// *FormatError naming the line.
//
// The delimiter is the one of ',', ';', tab and '|' that splits the first
// lines (outside quotes) most consistently; without any, ',' for .csv and
// tab for .txt. A first line "sep=;" (which Excel reads and writes)
// names it. Quoted cells may hold delimiters, quotes (doubled) and line
// breaks; CRLF and LF line ends are both read. A stray quote inside an
// unquoted cell is read literally.
//
// # Workbooks (.xlsx)
//
// Before the workbook is opened, its zip directory is checked: at most
// MaxZipEntries parts, at most MaxUncompressed bytes in all once
// inflated, no sizeable part compressed more than MaxRatio times, and an
// xl/workbook.xml present. So a zip bomb is refused at once, without
// inflating anything, and what is inflated later is bounded (the zip
// reader refuses any part that inflates beyond its declared size). The
// first visible worksheet is read, or the one named "Users" when there
// is one, row by row as a stream. Every cell is read as text: a number
// is read from its stored value, not its display format, and written
// plainly when integral, so a phone stored as a number reads
// 447911123456, never 4.47911123456E+11. (Excel keeps 15 significant
// digits: a longer number stored as a number has already lost digits.)
// Dates arrive as their serial number; no user field is a date.
//
// # Rows
//
// Cells are trimmed of surrounding white space, and line breaks inside
// them become "\n"; a cell that an errors
// file neutralised (a "'" before '=', '+', '-', '@', tab or CR) is read
// without the "'", so a corrected errors file imports as it is. Rows
// whose cells are all empty are skipped, but Row.Line still counts them.
// The first non-empty row is the header when its cells name known
// columns and hold no data (no '@', no phone number); otherwise the file
// is headerless. At most MaxRows data rows are read: one more is a
// *LimitError, found without reading the rest of the file.
func ReadTable(ctx context.Context, r io.Reader, name string, lim Limits) (*Table, error) {
	lim = lim.withDefaults()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := FormatOf(name)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, fmt.Errorf("importer: %s: %w", name, ErrEmpty)
	}
	data, err := readLimited(ctx, r, lim.MaxBytes)
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("importer: %s: %w", name, ErrEmpty)
	}
	if err := sniff(name, f, data[:min(len(data), 16)]); err != nil {
		return nil, err
	}
	t := &Table{Name: name, Format: f}
	c := &collector{ctx: ctx, lim: lim, t: t}
	if f == XLSX {
		err = readXLSX(ctx, data, c)
	} else {
		err = readText(ctx, data, c)
	}
	if err != nil {
		return nil, err
	}
	if t.Header == nil && len(t.Rows) == 0 {
		return nil, fmt.Errorf("importer: %s: %w", name, ErrEmpty)
	}
	return t, nil
}

// readLimited reads all of r, at most max bytes, honouring ctx between
// reads.
func readLimited(ctx context.Context, r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(ctxReader{ctx: ctx, r: r}, max+1))
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		return nil, fmt.Errorf("importer: read: %w", err)
	}
	if int64(len(data)) > max {
		return nil, &LimitError{Limit: "bytes", Max: max}
	}
	return data, nil
}

// ctxReader stops reading once its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// collector gathers rows from a format's reader, applying the limits and
// the rules shared by every format.
type collector struct {
	ctx      context.Context
	lim      Limits
	t        *Table
	seen     bool // the first non-empty row has been seen
	sinceCtx int
}

// reset forgets every row collected so far (a text reader starting over).
func (c *collector) reset() {
	c.t.Header, c.t.HeaderLine, c.t.Rows, c.seen = nil, 0, nil, false
}

// add takes one row as read; cells may be modified in place and are kept.
func (c *collector) add(line int, cells []string) error {
	if c.sinceCtx++; c.sinceCtx >= 128 {
		c.sinceCtx = 0
		if err := c.ctx.Err(); err != nil {
			return err
		}
	}
	if len(cells) > c.lim.MaxColumns {
		// Trailing empty cells (a sheet formatted far to the right) do
		// not count.
		n := len(cells)
		for n > 0 && strings.TrimSpace(cells[n-1]) == "" {
			n--
		}
		if n > c.lim.MaxColumns {
			return &LimitError{Limit: "columns", Max: int64(c.lim.MaxColumns), Line: line}
		}
		cells = cells[:n]
	}
	empty := true
	for i, s := range cells {
		if len(s) > c.lim.MaxCellBytes {
			return &LimitError{Limit: "cell bytes", Max: int64(c.lim.MaxCellBytes), Line: line, Column: i + 1}
		}
		s = strings.TrimSpace(s)
		if u := unneutralise(s); len(u) != len(s) {
			s = strings.TrimSpace(u)
		}
		if strings.IndexByte(s, '\r') >= 0 {
			s = crlf.Replace(s)
		}
		cells[i] = s
		if s != "" {
			empty = false
		}
	}
	if empty {
		return nil
	}
	if !c.seen {
		c.seen = true
		if looksLikeHeader(cells) {
			c.t.Header, c.t.HeaderLine = cells, line
			return nil
		}
	}
	if len(c.t.Rows) >= c.lim.MaxRows {
		return &LimitError{Limit: "rows", Max: int64(c.lim.MaxRows), Line: line}
	}
	if c.t.Rows == nil {
		c.t.Rows = make([]Row, 0, 64)
	}
	c.t.Rows = append(c.t.Rows, Row{Line: line, Cells: cells})
	return nil
}

// crlf turns the line breaks inside a cell into "\n", as encoding/csv
// does for quoted CRLF, so that every format and every round trip
// through an errors file gives the same text.
var crlf = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// formulaStart reports whether a spreadsheet would read s as a formula
// (OWASP, CSV injection): it starts with '=', '+', '-', '@', tab or CR.
func formulaStart(s string) bool {
	return s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0
}

// neutralise prefixes a cell a spreadsheet would run as a formula with
// "'", which makes it text.
func neutralise(s string) string {
	if formulaStart(s) {
		return "'" + s
	}
	return s
}

// unneutralise undoes neutralise.
func unneutralise(s string) string {
	if len(s) >= 2 && s[0] == '\'' && formulaStart(s[1:]) {
		return s[1:]
	}
	return s
}
