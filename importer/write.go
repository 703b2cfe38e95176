package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// textNumFmt is Excel's built-in "@" (Text) number format: what a user
// types in such a cell stays text, so +447911123456 is not turned into a
// number.
const textNumFmt = 49

// sheetWriter receives the rows of a file to write, in any format.
type sheetWriter interface {
	// header writes the first row; errCol is the index of the Errors
	// column, or -1.
	header(cells []string, errCol int) error
	row(cells []string, errCol int) error
	close(w io.Writer) error
}

// WriteErrors writes the errors file of a failed import (seed 002: "Open
// the errors file to view the error. The Errors column in the file
// displays the errors (if any) against each user"): every row of t, in
// t's format, with an Errors column appended that holds the messages of
// errs for that row, joined by "; ". errs is keyed by the row's index in
// t.Rows; rows without messages have an empty Errors cell, so the whole
// file can be corrected and imported again.
//
// The header is t's header (a previous Errors column is replaced, not
// repeated); a headerless file gets the template's headers. Every cell a
// spreadsheet would run as a formula (starting with '=', '+', '-', '@',
// tab or CR, user data included) is neutralised by a leading "'"
// (OWASP's advice against CSV injection); ReadTable drops that "'" again,
// so +447911123456 reads back as it was.
//
// Text files are written with t's delimiter and in t's encoding (UTF-16
// with its byte order mark when the input was UTF-16, as Excel's
// "Unicode Text" is), except that a Windows-1252 input gets UTF-8 with a
// byte order mark back, which every current Excel reads. Line ends are
// CRLF. An xlsx errors file holds one worksheet of text cells (never a
// formula), the Errors column in red.
func WriteErrors(ctx context.Context, w io.Writer, t *Table, errs map[int][]string) error {
	if t == nil {
		return errors.New("importer: write errors: no table")
	}
	sw, err := newSheetWriter(t.Format, t.Delimiter, t.Encoding, t.Sheet)
	if err != nil {
		return err
	}
	ncols := t.Columns()
	old := -1 // a previous Errors column, dropped
	header := make([]string, 0, ncols+1)
	if t.Header != nil {
		for i, h := range t.Header {
			if old < 0 && isErrorsHeader(h) {
				old = i
				continue
			}
			header = append(header, h)
		}
		for len(header) < ncols-boolInt(old >= 0) {
			header = append(header, "")
		}
	} else {
		for i := 0; i < ncols; i++ {
			if i < numSeedFields {
				header = append(header, specs[i].header)
			} else {
				header = append(header, "")
			}
		}
	}
	width := len(header)
	header = append(header, errorsHeader)
	if err := sw.header(neutraliseAll(header), width); err != nil {
		return err
	}
	cells := make([]string, width+1)
	for i, r := range t.Rows {
		if i&255 == 255 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		k := 0
		for j, c := range r.Cells {
			if j == old {
				continue
			}
			if k < width {
				cells[k] = neutralise(c)
				k++
			}
		}
		for ; k < width; k++ {
			cells[k] = ""
		}
		cells[width] = neutralise(strings.Join(errs[i], "; "))
		if err := sw.row(cells, width); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return sw.close(w)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func neutraliseAll(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = neutralise(c)
	}
	return out
}

// newSheetWriter returns a writer for format f. For text, delim 0 means
// the format's default and enc "" UTF-8 with a byte order mark.
func newSheetWriter(f Format, delim rune, enc Encoding, sheet string) (sheetWriter, error) {
	switch f {
	case CSV, TXT:
		if delim == 0 {
			delim = ','
			if f == TXT {
				delim = '\t'
			}
		}
		if enc == "" || enc == Windows1252 {
			enc = UTF8BOM
		}
		tw := &textWriter{enc: enc}
		tw.cw = csv.NewWriter(&tw.buf)
		tw.cw.Comma = delim
		tw.cw.UseCRLF = true
		return tw, nil
	case XLSX:
		return newXLSXWriter(sheet)
	}
	return nil, fmt.Errorf("importer: cannot write format %q: use csv, txt or xlsx", string(f))
}

// textWriter writes delimited text.
type textWriter struct {
	buf bytes.Buffer
	cw  *csv.Writer
	enc Encoding
}

func (tw *textWriter) header(cells []string, _ int) error { return tw.cw.Write(cells) }
func (tw *textWriter) row(cells []string, _ int) error    { return tw.cw.Write(cells) }

func (tw *textWriter) close(w io.Writer) error {
	tw.cw.Flush()
	if err := tw.cw.Error(); err != nil {
		return fmt.Errorf("importer: write: %w", err)
	}
	var out []byte
	if tw.enc == UTF8 {
		out = tw.buf.Bytes()
	} else {
		out = encodeText(tw.buf.String(), tw.enc)
	}
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("importer: write: %w", err)
	}
	return nil
}

// xlsxWriter writes one worksheet of text cells through excelize's
// stream writer.
type xlsxWriter struct {
	f     *excelize.File
	sw    *excelize.StreamWriter
	sheet string
	line  int
	text  int // style: text format
	bold  int // style: text format, bold (the header)
	red   int // style: text format, red (the Errors column)
	// extra, when set, adds to the workbook after the stream is flushed.
	extra func() error
}

func newXLSXWriter(sheet string) (*xlsxWriter, error) {
	f := excelize.NewFile()
	fail := func(err error) (*xlsxWriter, error) {
		_ = f.Close()
		return nil, fmt.Errorf("importer: write xlsx: %w", err)
	}
	if sheet == "" || f.SetSheetName("Sheet1", sheet) != nil {
		sheet = "Users"
		if err := f.SetSheetName("Sheet1", sheet); err != nil {
			return fail(err)
		}
	}
	x := &xlsxWriter{f: f, sheet: sheet}
	var err error
	if x.text, err = f.NewStyle(&excelize.Style{NumFmt: textNumFmt}); err != nil {
		return fail(err)
	}
	if x.bold, err = f.NewStyle(&excelize.Style{NumFmt: textNumFmt, Font: &excelize.Font{Bold: true}}); err != nil {
		return fail(err)
	}
	if x.red, err = f.NewStyle(&excelize.Style{NumFmt: textNumFmt, Font: &excelize.Font{Color: "C00000"}}); err != nil {
		return fail(err)
	}
	if x.sw, err = f.NewStreamWriter(sheet); err != nil {
		return fail(err)
	}
	return x, nil
}

func (x *xlsxWriter) header(cells []string, errCol int) error {
	// Column widths and styles must precede the first row.
	for i, c := range cells {
		width := float64(min(max(len(c)+4, 14), 40))
		if i == errCol {
			width = 60
		}
		if err := x.sw.SetColWidth(i+1, i+1, width); err != nil {
			return fmt.Errorf("importer: write xlsx: %w", err)
		}
	}
	if err := x.sw.SetColStyle(1, max(len(cells), 1), x.text); err != nil {
		return fmt.Errorf("importer: write xlsx: %w", err)
	}
	if err := x.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("importer: write xlsx: %w", err)
	}
	return x.write(cells, x.bold, -1)
}

func (x *xlsxWriter) row(cells []string, errCol int) error { return x.write(cells, x.text, errCol) }

func (x *xlsxWriter) write(cells []string, style, errCol int) error {
	x.line++
	vals := make([]any, len(cells))
	for i, c := range cells {
		s := style
		if i == errCol {
			s = x.red
		}
		if c == "" {
			vals[i] = excelize.Cell{StyleID: s}
		} else {
			vals[i] = excelize.Cell{StyleID: s, Value: c}
		}
	}
	cell, err := excelize.CoordinatesToCellName(1, x.line)
	if err != nil {
		return fmt.Errorf("importer: write xlsx: %w", err)
	}
	if err := x.sw.SetRow(cell, vals); err != nil {
		return fmt.Errorf("importer: write xlsx: %w", err)
	}
	return nil
}

func (x *xlsxWriter) close(w io.Writer) error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return fmt.Errorf("importer: write xlsx: %w", err)
	}
	if x.extra != nil {
		if err := x.extra(); err != nil {
			return err
		}
	}
	if _, err := x.f.WriteTo(w); err != nil {
		return fmt.Errorf("importer: write xlsx: %w", err)
	}
	return nil
}
