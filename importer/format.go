package importer

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// Format is the kind of file an import reads and an errors file is
// written in.
type Format string

// The formats the importer reads (seed 000: ".txt, .csv, .xlsx").
const (
	// CSV is delimited text: comma, semicolon, tab or '|', detected.
	CSV Format = "csv"
	// TXT is delimited text as Excel's "Unicode Text" and "Text (Tab
	// delimited)" write it: tab by default, other delimiters detected.
	TXT Format = "txt"
	// XLSX is an Office Open XML workbook (Excel 2007 and later).
	XLSX Format = "xlsx"
)

// Valid reports whether f is one of the formats.
func (f Format) Valid() bool { return f == CSV || f == TXT || f == XLSX }

// Ext returns the file name extension of f, with its dot: ".csv".
func (f Format) Ext() string { return "." + string(f) }

// ContentType returns the media type of f, for a download.
func (f Format) ContentType() string {
	switch f {
	case CSV:
		return "text/csv; charset=utf-8"
	case TXT:
		return "text/plain"
	case XLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "application/octet-stream"
}

// Encoding is the character encoding a text file was read in; the errors
// file of a text import is written back in it (see WriteErrors).
type Encoding string

// The encodings the text readers recognise.
const (
	// UTF8 is UTF-8 without a byte order mark.
	UTF8 Encoding = "utf-8"
	// UTF8BOM is UTF-8 with a byte order mark (Excel's "CSV UTF-8").
	UTF8BOM Encoding = "utf-8-bom"
	// UTF16LE is little-endian UTF-16 with a byte order mark (Excel's
	// "Unicode Text" on Windows and macOS).
	UTF16LE Encoding = "utf-16le"
	// UTF16BE is big-endian UTF-16 with a byte order mark.
	UTF16BE Encoding = "utf-16be"
	// Windows1252 is the Western European ANSI code page that Excel on
	// Windows uses for "CSV (Comma delimited)" and "Text (Tab
	// delimited)". A file without a byte order mark that is not valid
	// UTF-8 is read in it (see ReadTable).
	Windows1252 Encoding = "windows-1252"
)

// ErrFormat matches every error about a file that is not what its name
// says, is damaged, or is of a kind the importer does not read. Such
// errors are *FormatError values.
var ErrFormat = errors.New("unsupported or damaged file")

// ErrLegacyXLS is the error for an Excel 97–2003 .xls workbook, which the
// importer does not read. It matches ErrFormat too.
var ErrLegacyXLS = errors.New("old excel .xls workbooks cannot be read: save the file as .xlsx or .csv")

// ErrEmpty is the error for a file without a single non-empty row.
var ErrEmpty = errors.New("the file has no rows")

// ErrLimit matches every *LimitError.
var ErrLimit = errors.New("limit exceeded")

// FormatError reports a file the importer cannot read: a wrong or
// unsupported type, damaged content, or text that is not text. It
// matches ErrFormat with errors.Is, and ErrLegacyXLS for an old .xls
// workbook.
type FormatError struct {
	// Name is the file name as given to ReadTable.
	Name string
	// Line is the 1-based line (text) or row (xlsx) the problem was
	// found on, or 0 when it concerns the whole file.
	Line int
	// Reason says what is wrong and, where it can, how to fix it.
	Reason string
	// Err is the underlying cause, if any (ErrLegacyXLS, or an error of
	// the zip or csv reader).
	Err error
}

// Error returns e.g. "importer: users.csv: line 17: not valid text".
func (e *FormatError) Error() string {
	var b strings.Builder
	b.WriteString("importer: ")
	if e.Name != "" {
		b.WriteString(e.Name)
		b.WriteString(": ")
	}
	if e.Line > 0 {
		b.WriteString("line ")
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	return b.String()
}

// Is reports whether target is ErrFormat.
func (e *FormatError) Is(target error) bool { return target == ErrFormat }

// Unwrap returns the underlying cause.
func (e *FormatError) Unwrap() error { return e.Err }

// LimitError reports input over one of the Limits. It matches ErrLimit.
type LimitError struct {
	// Limit names the limit: "bytes", "rows", "columns", "cell bytes",
	// "uncompressed bytes", "compression ratio" or "zip entries".
	Limit string
	// Max is the limit's value.
	Max int64
	// Line is the 1-based line or row where the limit was crossed, or 0.
	Line int
	// Column is the 1-based column of a cell over MaxCellBytes, or 0.
	Column int
}

// Error returns a readable message, e.g. "importer: the file has more
// than 5000 data rows".
func (e *LimitError) Error() string {
	where := ""
	if e.Line > 0 {
		where = "line " + strconv.Itoa(e.Line) + ": "
	}
	if e.Column > 0 {
		where += "column " + strconv.Itoa(e.Column) + ": "
	}
	var what string
	switch e.Limit {
	case "bytes":
		what = fmt.Sprintf("the file is larger than %d bytes", e.Max)
	case "rows":
		what = fmt.Sprintf("the file has more than %d data rows", e.Max)
	case "columns":
		what = fmt.Sprintf("more than %d columns", e.Max)
	case "cell bytes":
		what = fmt.Sprintf("a cell is longer than %d bytes", e.Max)
	case "uncompressed bytes":
		what = fmt.Sprintf("the workbook expands to more than %d bytes", e.Max)
	case "compression ratio":
		what = fmt.Sprintf("the workbook is compressed more than %d times (a zip bomb?)", e.Max)
	case "zip entries":
		what = fmt.Sprintf("the workbook has more than %d parts", e.Max)
	default:
		what = fmt.Sprintf("%s over %d", e.Limit, e.Max)
	}
	return "importer: " + where + what
}

// Is reports whether target is ErrLimit.
func (e *LimitError) Is(target error) bool { return target == ErrLimit }

// Default limits (DESIGN.md: "at most 5,000 rows").
const (
	DefaultMaxBytes        = 10 << 20
	DefaultMaxRows         = 5000
	DefaultMaxColumns      = 64
	DefaultMaxCellBytes    = 4096
	DefaultMaxUncompressed = 100 << 20
	DefaultMaxRatio        = 100
	DefaultMaxZipEntries   = 1000
)

// Limits bound what ReadTable accepts, so that no upload can make it use
// much time or memory. The zero value, and every zero or negative field,
// means the default.
type Limits struct {
	// MaxBytes is the largest file, in bytes (default 10 MiB).
	MaxBytes int64
	// MaxRows is the most data rows, header excluded (default 5,000).
	// Empty rows are not counted.
	MaxRows int
	// MaxColumns is the most cells in a row (default 64).
	MaxColumns int
	// MaxCellBytes is the longest cell, in bytes of UTF-8 (default 4096).
	MaxCellBytes int
	// MaxUncompressed is the most bytes an xlsx workbook may declare
	// across all its parts once inflated (default 100 MiB).
	MaxUncompressed int64
	// MaxRatio is the highest compression ratio of any sizeable part of
	// an xlsx workbook (default 100; real workbooks stay under 20).
	MaxRatio int
	// MaxZipEntries is the most parts an xlsx workbook may have
	// (default 1000; Excel writes about a dozen).
	MaxZipEntries int
}

// withDefaults returns l with every unset field at its default.
func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxRows <= 0 {
		l.MaxRows = DefaultMaxRows
	}
	if l.MaxColumns <= 0 {
		l.MaxColumns = DefaultMaxColumns
	}
	if l.MaxCellBytes <= 0 {
		l.MaxCellBytes = DefaultMaxCellBytes
	}
	if l.MaxUncompressed <= 0 {
		l.MaxUncompressed = DefaultMaxUncompressed
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = DefaultMaxRatio
	}
	if l.MaxZipEntries <= 0 {
		l.MaxZipEntries = DefaultMaxZipEntries
	}
	return l
}

// Effective returns l with the defaults filled in.
func (l Limits) Effective() Limits { return l.withDefaults() }

// Magic numbers of the containers the importer meets.
var (
	magicZip = []byte("PK\x03\x04")
	// magicZipEmpty starts an empty zip archive.
	magicZipEmpty = []byte("PK\x05\x06")
	// magicOLE starts an OLE compound file: an Excel 97–2003 workbook, or
	// an encrypted (password-protected) xlsx.
	magicOLE = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// FormatOf returns the format a file name's extension promises, case
// ignored: .csv, .txt (also .tsv and .tab, read as TXT) or .xlsx. An old
// ".xls" name is an error matching ErrLegacyXLS; any other extension is a
// *FormatError naming the ones accepted.
func FormatOf(name string) (Format, error) {
	ext := strings.ToLower(path.Ext(strings.ReplaceAll(strings.TrimSpace(name), `\`, "/")))
	switch ext {
	case ".csv":
		return CSV, nil
	case ".txt", ".tsv", ".tab":
		return TXT, nil
	case ".xlsx":
		return XLSX, nil
	case ".xls":
		return "", &FormatError{Name: name, Reason: ErrLegacyXLS.Error(), Err: ErrLegacyXLS}
	case "":
		return "", &FormatError{Name: name, Reason: "the file name has no extension: use a .csv, .txt or .xlsx file"}
	}
	return "", &FormatError{Name: name, Reason: "files of type " + ext + " cannot be imported: use a .csv, .txt or .xlsx file"}
}

// sniff checks the first bytes of a file against the format its name
// promises, and names what the file really is when it is something else.
func sniff(name string, f Format, head []byte) error {
	switch {
	case bytes.HasPrefix(head, magicOLE):
		return &FormatError{Name: name, Err: ErrLegacyXLS,
			Reason: "the file is an old excel .xls workbook or a password-protected workbook: save it as .xlsx (without a password) or .csv"}
	case bytes.HasPrefix(head, magicZip) || bytes.HasPrefix(head, magicZipEmpty):
		if f != XLSX {
			return &FormatError{Name: name, Reason: "the file is a zip archive or an xlsx workbook, not text: give it the .xlsx extension, or save it as .csv"}
		}
		return nil
	case f == XLSX:
		if kind := binaryKind(head); kind != "" {
			return &FormatError{Name: name, Reason: "the file is " + kind + ", not an xlsx workbook"}
		}
		return &FormatError{Name: name, Reason: "the file is not an xlsx workbook (it is not a zip archive): save it from the spreadsheet program as .xlsx, or as .csv"}
	}
	if kind := binaryKind(head); kind != "" {
		return &FormatError{Name: name, Reason: "the file is " + kind + ", not a " + string(f) + " text file"}
	}
	return nil
}

// binaryKind names common non-spreadsheet files by their magic number.
func binaryKind(head []byte) string {
	kinds := []struct {
		magic string
		kind  string
	}{
		{"%PDF-", "a pdf document"},
		{"\x89PNG", "a png image"},
		{"\xFF\xD8\xFF", "a jpeg image"},
		{"GIF8", "a gif image"},
		{"\x1F\x8B", "a gzip archive"},
		{"Rar!", "a rar archive"},
		{"7z\xBC\xAF", "a 7-zip archive"},
		{"{\\rtf", "an rtf document"},
		{"\x7FELF", "a program"},
		{"MZ\x90\x00", "a windows program"},
	}
	for _, k := range kinds {
		if bytes.HasPrefix(head, []byte(k.magic)) {
			return k.kind
		}
	}
	return ""
}
