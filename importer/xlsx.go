package importer

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"strings"

	"github.com/xuri/excelize/v2"
)

// ratioFloor is the size under which a zip part's compression ratio is
// not checked: small, repetitive XML parts (styles, an empty sheet)
// compress well and cannot hold a bomb.
const ratioFloor = 1 << 20

// xlsxXMLLimit bounds the worksheet and shared string XML excelize keeps
// in memory; bigger parts go to a temporary file.
const xlsxXMLLimit = 16 << 20

// checkZip vets an xlsx archive's directory before anything is inflated:
// the number of parts, their declared sizes and compression ratios, and
// the presence of a workbook. The zip reader refuses a part that inflates
// beyond its declared size, so these checks bound what excelize inflates.
func checkZip(name string, data []byte, lim Limits) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return &FormatError{Name: name, Reason: "the workbook is damaged: it is not a readable zip archive", Err: err}
	}
	if len(zr.File) > lim.MaxZipEntries {
		return &LimitError{Limit: "zip entries", Max: int64(lim.MaxZipEntries)}
	}
	var total uint64
	workbook := false
	kind := ""
	for _, zf := range zr.File {
		size := zf.UncompressedSize64
		total += size
		if size > uint64(lim.MaxUncompressed) || total > uint64(lim.MaxUncompressed) {
			return &LimitError{Limit: "uncompressed bytes", Max: lim.MaxUncompressed}
		}
		if size >= ratioFloor && (zf.CompressedSize64 == 0 || size/zf.CompressedSize64 > uint64(lim.MaxRatio)) {
			return &LimitError{Limit: "compression ratio", Max: int64(lim.MaxRatio)}
		}
		switch n := strings.ToLower(strings.ReplaceAll(zf.Name, `\`, "/")); {
		case n == "xl/workbook.xml":
			workbook = true
		case n == "mimetype" || strings.HasPrefix(n, "content.xml"):
			kind = "an OpenDocument file: save it as .xlsx or .csv"
		case strings.HasPrefix(n, "word/"):
			kind = "a Word document, not a workbook"
		case strings.HasPrefix(n, "ppt/"):
			kind = "a PowerPoint presentation, not a workbook"
		case n == "xl/workbook.bin":
			kind = "an Excel binary (.xlsb) workbook: save it as .xlsx or .csv"
		}
	}
	if !workbook {
		if kind == "" {
			kind = "a zip archive without a workbook (no xl/workbook.xml)"
		}
		return &FormatError{Name: name, Reason: "the file is " + kind}
	}
	return nil
}

// readXLSX reads the first visible worksheet (or the one named "Users")
// of an xlsx workbook into c.
func readXLSX(ctx context.Context, data []byte, c *collector) (err error) {
	t, lim := c.t, c.lim
	defer func() {
		// No upload may crash the host, whatever excelize makes of it.
		if p := recover(); p != nil {
			err = &FormatError{Name: t.Name, Reason: "the workbook's structure is invalid"}
		}
	}()
	if err := checkZip(t.Name, data, lim); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	xmlLimit := min(lim.MaxUncompressed, xlsxXMLLimit)
	f, err := openWorkbook(data, excelize.Options{
		RawCellValue:      true,
		UnzipSizeLimit:    lim.MaxUncompressed,
		UnzipXMLSizeLimit: xmlLimit,
	})
	if err != nil {
		return &FormatError{Name: t.Name, Reason: "the workbook is damaged or cannot be read", Err: err}
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = &FormatError{Name: t.Name, Reason: "the workbook cannot be read", Err: cerr}
		}
	}()
	sheet, err := pickSheet(f)
	if err != nil {
		return &FormatError{Name: t.Name, Reason: err.Error()}
	}
	t.Sheet = sheet
	rows, err := f.Rows(sheet)
	if err != nil {
		return &FormatError{Name: t.Name, Reason: "the worksheet " + quoteName(sheet) + " cannot be read", Err: err}
	}
	defer rows.Close()
	opt := excelize.Options{RawCellValue: true}
	line := 0
	for rows.Next() {
		line++
		cells, err := rows.Columns(opt)
		if err != nil {
			return &FormatError{Name: t.Name, Line: line, Reason: "the worksheet is damaged", Err: err}
		}
		if len(cells) == 0 {
			if line&1023 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			continue
		}
		for i, s := range cells {
			cells[i] = plainNumber(s)
		}
		if err := c.add(line, cells); err != nil {
			return err
		}
	}
	if err := rows.Error(); err != nil {
		return &FormatError{Name: t.Name, Line: line, Reason: "the worksheet is damaged", Err: err}
	}
	return ctx.Err()
}

// openWorkbook opens an xlsx workbook with excelize, turning a panic deep
// in a damaged file's parsing into an error: no upload may crash the host.
func openWorkbook(data []byte, opt excelize.Options) (f *excelize.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, errors.New("the workbook's structure is invalid")
		}
	}()
	f, err = excelize.OpenReader(bytes.NewReader(data), opt)
	if err != nil && f != nil {
		_ = f.Close()
		f = nil
	}
	return f, err
}

// pickSheet returns the worksheet named "Users" (ignoring case and
// surrounding spaces) if there is one, else the first visible one.
func pickSheet(f *excelize.File) (string, error) {
	names := f.GetSheetList()
	first := ""
	for _, n := range names {
		if strings.EqualFold(strings.TrimSpace(n), "users") {
			return n, nil
		}
		if first == "" {
			if visible, err := f.GetSheetVisible(n); err == nil && visible {
				first = n
			}
		}
	}
	if first == "" && len(names) > 0 {
		first = names[0]
	}
	if first == "" {
		return "", errors.New("the workbook has no worksheet")
	}
	return first, nil
}

// quoteName quotes a sheet name for a message.
func quoteName(s string) string { return `"` + s + `"` }

// plainNumber turns a number stored in scientific notation or with a
// zero fraction ("4.47911123456E+11", "447911123456.0") into its plain
// integer text when it is integral, with exact decimal arithmetic. Only
// the forms spreadsheet programs store numbers in are changed (an
// exponent carries its sign), so a text cell such as a code "12e5" is
// left alone. Any other text is returned as is.
func plainNumber(s string) string {
	if len(s) < 3 || len(s) > 40 || !strings.ContainsAny(s, ".eE") {
		return s
	}
	neg := false
	body := s
	if body[0] == '-' || body[0] == '+' {
		neg, body = body[0] == '-', body[1:]
	}
	mant, exp := body, 0
	if i := strings.IndexAny(body, "eE"); i >= 0 {
		mant = body[:i]
		e := body[i+1:]
		eneg := false
		if e == "" || e[0] != '+' && e[0] != '-' {
			return s
		}
		eneg, e = e[0] == '-', e[1:]
		if e == "" || len(e) > 3 {
			return s
		}
		for _, ch := range []byte(e) {
			if ch < '0' || ch > '9' {
				return s
			}
			exp = exp*10 + int(ch-'0')
		}
		if eneg {
			exp = -exp
		}
	}
	intPart, frac := mant, ""
	if i := strings.IndexByte(mant, '.'); i >= 0 {
		intPart, frac = mant[:i], mant[i+1:]
	}
	if intPart == "" || !allDigits(intPart) || !allDigits(frac) {
		return s
	}
	digits := intPart + frac
	point := len(intPart) + exp // digits before the decimal point
	if point < 0 || point > 30 {
		return s
	}
	for point > len(digits) {
		digits += "0"
	}
	if strings.Trim(digits[point:], "0") != "" {
		return s // not integral
	}
	out := strings.TrimLeft(digits[:point], "0")
	if out == "" {
		return "0"
	}
	if neg {
		return "-" + out
	}
	return out
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
