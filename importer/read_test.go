package importer

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadTableSeedLayout reads the seeds' column layout in every format
// and encoding a spreadsheet program writes, and maps it cleanly.
func TestReadTableSeedLayout(t *testing.T) {
	t.Parallel()
	rows := userRows(25)
	rows[3][7] = "Smith; Jones\tand \"Partners\"\r\nLondon" // delimiters, quotes and a line break in one cell
	tests := []struct {
		name      string
		file      string
		data      []byte
		delim     rune
		enc       Encoding
		numbersOK bool
	}{
		{"csv comma utf-8", "users.csv", textFile(t, seedHeader(), rows, ',', UTF8), ',', UTF8, false},
		{"csv comma utf-8 bom", "users.csv", textFile(t, seedHeader(), rows, ',', UTF8BOM), ',', UTF8BOM, false},
		{"csv semicolon", "users.CSV", textFile(t, seedHeader(), rows, ';', UTF8BOM), ';', UTF8BOM, false},
		{"csv tab", "users.csv", textFile(t, seedHeader(), rows, '\t', UTF8), '\t', UTF8, false},
		{"csv pipe", "users.csv", textFile(t, seedHeader(), rows, '|', UTF8), '|', UTF8, false},
		{"txt unicode text (utf-16le)", "users.txt", textFile(t, seedHeader(), rows, '\t', UTF16LE), '\t', UTF16LE, false},
		{"txt utf-16be", "users.txt", textFile(t, seedHeader(), rows, '\t', UTF16BE), '\t', UTF16BE, false},
		{"txt tab utf-8", "users.txt", textFile(t, seedHeader(), rows, '\t', UTF8), '\t', UTF8, false},
		{"txt comma", "users.txt", textFile(t, seedHeader(), rows, ',', UTF8), ',', UTF8, false},
		{"xlsx", "users.xlsx", xlsxFile(t, "Sheet1", seedHeader(), rows, false), 0, "", false},
		{"xlsx phones as numbers", "Users.XLSX", xlsxFile(t, "Sheet1", seedHeader(), rows, true), 0, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tab, err := ReadTable(t.Context(), bytes.NewReader(tt.data), tt.file, Limits{})
			require.NoError(t, err)
			assert.Equal(t, tt.delim, tab.Delimiter)
			assert.Equal(t, tt.enc, tab.Encoding)
			assert.Equal(t, seedHeader(), tab.Header)
			assert.Equal(t, 1, tab.HeaderLine)
			require.Len(t, tab.Rows, len(rows))
			m, err := tab.Mapping()
			require.NoError(t, err)
			assert.Empty(t, m.Unknown)
			assert.Equal(t, SeedFields(), m.Fields())
			for i, r := range tab.Rows {
				want := rows[i]
				if tt.numbersOK {
					// A phone stored as a number has lost its '+' but
					// none of its digits.
					want = append([]string(nil), want...)
					want[4], want[5] = strings.TrimPrefix(want[4], "+"), strings.TrimPrefix(want[5], "+")
				}
				{
					// Line breaks in cells read as LF in every format.
					want = append([]string(nil), want...)
					want[7] = strings.ReplaceAll(want[7], "\r\n", "\n")
				}
				rec := m.Record(r.Cells)
				for j, f := range SeedFields() {
					assert.Equal(t, strings.TrimSpace(want[j]), rec.Get(f), "row %d field %s", i, f)
				}
			}
			// Rows know their line: the header is line 1, and the
			// record with a line break spans two lines in text files.
			assert.Equal(t, 2, tab.Rows[0].Line)
			assert.Equal(t, 5, tab.Rows[3].Line)
			if tt.enc != "" {
				assert.Equal(t, 7, tab.Rows[4].Line)
				assert.Equal(t, 8, tab.Rows[5].Line)
			} else {
				assert.Equal(t, 6, tab.Rows[4].Line)
			}
		})
	}
}

func TestReadTableEncodings(t *testing.T) {
	t.Parallel()
	const csvText = "First Name,Last Name,Login,Mobile Phone number,Email Address\r\nBjörn,Müller,bmuller,+447911123456,b@example.com\r\n"
	latin1 := []byte(strings.NewReplacer("ö", "\xf6", "ü", "\xfc").Replace(csvText))
	tests := []struct {
		name    string
		data    []byte
		enc     Encoding
		wantErr string
		line    int
	}{
		{"utf-8", []byte(csvText), UTF8, "", 0},
		{"utf-8 bom", append([]byte("\xEF\xBB\xBF"), csvText...), UTF8BOM, "", 0},
		{"utf-16le bom", encodeText(csvText, UTF16LE), UTF16LE, "", 0},
		{"utf-16be bom", encodeText(csvText, UTF16BE), UTF16BE, "", 0},
		{"utf-16le without bom", encodeText(csvText, UTF16LE)[2:], UTF16LE, "", 0},
		{"utf-16be without bom", encodeText(csvText, UTF16BE)[2:], UTF16BE, "", 0},
		{"windows-1252", latin1, Windows1252, "", 0},
		{"windows-1252 euro sign", append(append([]byte(nil), latin1...), "Ann,Eur\x80,ann1,+447911123457,a@example.com\r\n"...), Windows1252, "", 0},
		{"utf-8 mixed with invalid bytes", []byte(csvText + "Ann,Caf\xe9,ann1,+447911123457,a@example.com\r\n"), "", "not valid UTF-8", 3},
		{"utf-8 bom but invalid", append([]byte("\xEF\xBB\xBF"), latin1...), "", "not valid UTF-8", 2},
		{"undefined windows-1252 byte", []byte(csvText[:60] + "\x81"), "", "neither UTF-8 nor Windows-1252", 1},
		{"nul bytes", []byte(csvText + "Ann,\x00\x00,x,y,z\r\n"), "", "binary data", 3},
		{"odd utf-16", encodeText(csvText, UTF16LE)[:31], "", "truncated", 0},
		{"broken surrogate", append(encodeText(csvText, UTF16LE), 0x00, 0xD8, 'A', 0), "", "surrogate", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tab, err := ReadTable(t.Context(), bytes.NewReader(tt.data), "users.csv", Limits{})
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrFormat)
				assert.Contains(t, err.Error(), tt.wantErr)
				var fe *FormatError
				require.ErrorAs(t, err, &fe)
				assert.Equal(t, tt.line, fe.Line)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.enc, tab.Encoding)
			require.NotEmpty(t, tab.Rows)
			assert.Equal(t, []string{"Björn", "Müller", "bmuller", "+447911123456", "b@example.com"}, tab.Rows[0].Cells)
		})
	}
}

func TestReadTableText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		file   string
		text   string
		delim  rune
		header []string
		rows   [][]string
		lines  []int
	}{
		{
			name:   "crlf, quotes, embedded delimiters and line breaks, empty rows counted",
			file:   "a.csv",
			text:   "Login,Notes\r\n\r\nann1,\"one, two\"\r\n,\r\nbob1,\"line 1\r\nline \"\"2\"\"\"\r\ncid1,x\r\n",
			delim:  ',',
			header: []string{"Login", "Notes"},
			rows:   [][]string{{"ann1", "one, two"}, {"bob1", "line 1\nline \"2\""}, {"cid1", "x"}},
			lines:  []int{3, 5, 7},
		},
		{
			name:   "semicolons win over commas inside values",
			file:   "a.csv",
			text:   "Login;Company\nann1;Smith, Jones and Co\nbob1;Acme, Inc\n",
			delim:  ';',
			header: []string{"Login", "Company"},
			rows:   [][]string{{"ann1", "Smith, Jones and Co"}, {"bob1", "Acme, Inc"}},
			lines:  []int{2, 3},
		},
		{
			name:   "excel sep line",
			file:   "a.csv",
			text:   "sep=;\r\nLogin;Company\r\nann1;A,B\r\n",
			delim:  ';',
			header: []string{"Login", "Company"},
			rows:   [][]string{{"ann1", "A,B"}},
			lines:  []int{3},
		},
		{
			name:   "a stray quote inside a cell is literal",
			file:   "a.csv",
			text:   "Login,Last Name\nann1,O\"Brien\n",
			delim:  ',',
			header: []string{"Login", "Last Name"},
			rows:   [][]string{{"ann1", "O\"Brien"}},
			lines:  []int{2},
		},
		{
			name:   "single column txt defaults to tab",
			file:   "a.txt",
			text:   "Login\nann, the first\n",
			delim:  '\t',
			header: []string{"Login"},
			rows:   [][]string{{"ann, the first"}},
			lines:  []int{2},
		},
		{
			name:   "surrounding spaces trimmed, inner kept, neutralised cells restored",
			file:   "a.csv",
			text:   "Login , Mobile\n  ann  smith , '+447911123456\n",
			delim:  ',',
			header: []string{"Login", "Mobile"},
			rows:   [][]string{{"ann  smith", "+447911123456"}},
			lines:  []int{2},
		},
		{
			name:   "headerless",
			file:   "a.csv",
			text:   "John,Smith,jsmith,,+447911123456,,john@example.com\n",
			delim:  ',',
			header: nil,
			rows:   [][]string{{"John", "Smith", "jsmith", "", "+447911123456", "", "john@example.com"}},
			lines:  []int{1},
		},
		{
			name:   "lf only, no final line break",
			file:   "a.csv",
			text:   "Login,Email\nann1,a@example.com",
			delim:  ',',
			header: []string{"Login", "Email"},
			rows:   [][]string{{"ann1", "a@example.com"}},
			lines:  []int{2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tab, err := ReadTable(t.Context(), strings.NewReader(tt.text), tt.file, Limits{})
			require.NoError(t, err)
			assert.Equal(t, tt.delim, tab.Delimiter)
			assert.Equal(t, tt.header, tab.Header)
			assert.Equal(t, tt.rows, cellsOf(tab))
			var lines []int
			for _, r := range tab.Rows {
				lines = append(lines, r.Line)
			}
			assert.Equal(t, tt.lines, lines)
		})
	}
}

func TestReadTableBadQuotes(t *testing.T) {
	t.Parallel()
	_, err := ReadTable(t.Context(), strings.NewReader("Login,Notes\nann1,ok\nbob1,\"never closed\nx,y\n"), "a.csv", Limits{})
	require.ErrorIs(t, err, ErrFormat)
	var fe *FormatError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, 3, fe.Line)
	assert.Contains(t, err.Error(), "quoted cell is not closed")
}

func TestReadTableFormats(t *testing.T) {
	t.Parallel()
	ole := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 504)...)
	good := xlsxFile(t, "Sheet1", seedHeader(), userRows(2), false)
	tests := []struct {
		name   string
		file   string
		data   []byte
		is     error
		reason string
	}{
		{"xls by name", "users.xls", ole, ErrLegacyXLS, "save the file as .xlsx or .csv"},
		{"xls content named xlsx", "users.xlsx", ole, ErrLegacyXLS, "save it as .xlsx"},
		{"xls content named csv", "users.csv", ole, ErrLegacyXLS, "old excel .xls"},
		{"text named xlsx", "users.xlsx", []byte("First Name,Last Name\nJohn,Smith\n"), ErrFormat, "not a zip archive"},
		{"pdf named xlsx", "users.xlsx", []byte("%PDF-1.7\n..."), ErrFormat, "pdf document"},
		{"pdf named csv", "users.csv", []byte("%PDF-1.7\n..."), ErrFormat, "pdf document"},
		{"png named txt", "users.txt", []byte("\x89PNG\r\n\x1a\n...."), ErrFormat, "png image"},
		{"xlsx named csv", "users.csv", good, ErrFormat, "give it the .xlsx extension"},
		{"zip without workbook", "users.xlsx", zipOf(t, map[string]string{"readme.txt": "hello"}), ErrFormat, "no xl/workbook.xml"},
		{"word document", "users.xlsx", zipOf(t, map[string]string{"word/document.xml": "<w/>", "[Content_Types].xml": "<Types/>"}), ErrFormat, "Word document"},
		{"opendocument", "users.xlsx", zipOf(t, map[string]string{"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"}), ErrFormat, "OpenDocument"},
		{"truncated xlsx", "users.xlsx", good[:len(good)/2], ErrFormat, "not a readable zip archive"},
		{"damaged workbook xml", "users.xlsx", zipOf(t, map[string]string{"xl/workbook.xml": "<workbook><sheets><sheet", "[Content_Types].xml": "<Types/>"}), ErrFormat, ""},
		{"unknown extension", "users.pdf", []byte("x"), ErrFormat, "files of type .pdf cannot be imported"},
		{"no extension", "users", []byte("x"), ErrFormat, "no extension"},
		{"empty csv", "users.csv", nil, ErrEmpty, ""},
		{"blank csv", "users.csv", []byte("\r\n ,, \r\n\r\n"), ErrEmpty, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ReadTable(t.Context(), bytes.NewReader(tt.data), tt.file, Limits{})
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.is)
			assert.Contains(t, err.Error(), tt.reason)
			assert.Equal(t, strings.ToLower(err.Error()[:1]), err.Error()[:1], "lower-case message")
			assert.False(t, strings.HasSuffix(err.Error(), "."), "no trailing punctuation")
		})
	}
}

func TestReadTableLimits(t *testing.T) {
	t.Parallel()
	rows5000 := userRows(5000)
	rows5001 := userRows(5001)
	wide := strings.Repeat("a,", 70) + "a\n"
	tests := []struct {
		name  string
		file  string
		data  []byte
		lim   Limits
		limit string
		line  int
	}{
		{"5,001 csv rows", "u.csv", textFile(t, seedHeader(), rows5001, ',', UTF8), Limits{}, "rows", 5002},
		{"5,001 headerless csv rows", "u.csv", textFile(t, nil, rows5001, ',', UTF8), Limits{}, "rows", 5001},
		{"5,001 txt rows", "u.txt", textFile(t, seedHeader(), rows5001, '\t', UTF16LE), Limits{}, "rows", 5002},
		{"5,001 xlsx rows", "u.xlsx", xlsxFile(t, "Sheet1", seedHeader(), rows5001, false), Limits{}, "rows", 5002},
		{"configured row limit", "u.csv", textFile(t, seedHeader(), userRows(11), ',', UTF8), Limits{MaxRows: 10}, "rows", 12},
		{"bytes", "u.csv", textFile(t, seedHeader(), userRows(100), ',', UTF8), Limits{MaxBytes: 1000}, "bytes", 0},
		{"columns", "u.csv", []byte("Login\n" + wide), Limits{}, "columns", 2},
		{"cell bytes", "u.csv", []byte("Login,Notes\nann1," + strings.Repeat("x", 5000) + "\n"), Limits{}, "cell bytes", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ReadTable(t.Context(), bytes.NewReader(tt.data), tt.file, tt.lim)
			require.ErrorIs(t, err, ErrLimit)
			var le *LimitError
			require.ErrorAs(t, err, &le)
			assert.Equal(t, tt.limit, le.Limit)
			assert.Equal(t, tt.line, le.Line)
		})
	}
	t.Run("5,000 rows pass in every format", func(t *testing.T) {
		t.Parallel()
		for name, data := range map[string][]byte{
			"u.csv":  textFile(t, seedHeader(), rows5000, ',', UTF8),
			"u.txt":  textFile(t, seedHeader(), rows5000, '\t', UTF16LE),
			"u.xlsx": xlsxFile(t, "Sheet1", seedHeader(), rows5000, false),
			"h.csv":  textFile(t, nil, rows5000, ',', UTF8),
		} {
			tab, err := ReadTable(t.Context(), bytes.NewReader(data), name, Limits{})
			require.NoError(t, err, name)
			assert.Len(t, tab.Rows, 5000, name)
		}
	})
	t.Run("trailing empty cells do not count as columns", func(t *testing.T) {
		t.Parallel()
		tab, err := ReadTable(t.Context(), strings.NewReader("Login"+strings.Repeat(",", 100)+"\nann1\n"), "u.csv", Limits{})
		require.NoError(t, err)
		assert.Equal(t, []string{"Login"}, tab.Header)
	})
}

func TestReadTableCancel(t *testing.T) {
	t.Parallel()
	files := map[string][]byte{
		"u.csv":  textFile(t, seedHeader(), userRows(1000), ',', UTF8),
		"u.txt":  textFile(t, seedHeader(), userRows(1000), '\t', UTF16LE),
		"u.xlsx": xlsxFile(t, "Sheet1", seedHeader(), userRows(1000), false),
	}
	for name, data := range files {
		// Count how often the read looks at its context, then cancel it
		// at each of those points in turn: every stage stops.
		counting := &countdownCtx{Context: t.Context()}
		counting.left.Store(1 << 30)
		_, err := ReadTable(counting, bytes.NewReader(data), name, Limits{})
		require.NoError(t, err)
		checks := int(1<<30 - counting.left.Load())
		require.Greater(t, checks, 8, name)
		for k := 0; k < checks; k++ {
			ctx := &countdownCtx{Context: t.Context()}
			ctx.left.Store(int64(k))
			_, err := ReadTable(ctx, bytes.NewReader(data), name, Limits{})
			require.ErrorIs(t, err, context.Canceled, "%s, cancelled at check %d of %d", name, k, checks)
		}
	}

	// Cancelled while the upload is still arriving.
	ctx, cancel := context.WithCancel(t.Context())
	r := &cancelAfter{r: bytes.NewReader(files["u.csv"]), n: 4096, cancel: cancel}
	_, err := ReadTable(ctx, r, "u.csv", Limits{})
	require.ErrorIs(t, err, context.Canceled)
}

// countdownCtx reports itself cancelled once Err has been called left
// times.
type countdownCtx struct {
	context.Context
	left atomic.Int64
}

func (c *countdownCtx) Err() error {
	if c.left.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

// cancelAfter cancels its context once n bytes have been read.
type cancelAfter struct {
	r      *bytes.Reader
	n      int
	read   int
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	if c.read >= c.n {
		c.cancel()
	}
	n, err := c.r.Read(p[:min(len(p), 1024)])
	c.read += n
	return n, err
}

func TestPlainNumber(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"4.47911123456E+11":      "447911123456",
		"4.47911123456e+11":      "447911123456",
		"447911123456":           "447911123456",
		"447911123456.0":         "447911123456",
		"447911123456.000":       "447911123456",
		"-1.5E+1":                "-15",
		"1.5E+0":                 "1.5E+0",
		"1.23456789012E+14":      "123456789012000",
		"4.4791112345600003E+17": "447911123456000030",
		"1.5":                    "1.5",
		"0.0":                    "0",
		"12e5":                   "12e5",
		"12E5":                   "12E5",
		"1E+300":                 "1E+300",
		"1.0E-2":                 "1.0E-2",
		"CUST-1.0":               "CUST-1.0",
		".5":                     ".5",
		"1.":                     "1.",
		"+44.0":                  "44",
		"abc":                    "abc",
		"":                       "",
		"E+11":                   "E+11",
		"1.2.3":                  "1.2.3",
		"00123.0":                "123",
		"jsmith@example.com":     "jsmith@example.com",
	}
	for in, want := range tests {
		assert.Equal(t, want, plainNumber(in), in)
	}
}

func TestReadXLSXCells(t *testing.T) {
	t.Parallel()
	f := newWorkbook(t)
	set := func(cell string, v any) { require.NoError(t, f.SetCellValue("Sheet1", cell, v)) }
	for i, h := range []string{"First Name", "Last Name", "Login", "Mobile Phone number", "Email Address", "Unique Customer Code", "Notes"} {
		cell, _ := cellName(i+1, 1)
		set(cell, h)
	}
	set("A3", "John")
	set("B3", "Smith")
	set("C3", "jsmith")
	set("D3", int64(447911123456))
	set("E3", "john@example.com")
	require.NoError(t, f.SetCellDefault("Sheet1", "F3", "1.23456789012E+14"))
	require.NoError(t, f.SetCellFormula("Sheet1", "G3", `"=danger"`))
	require.NoError(t, f.SetCellValue("Sheet1", "A5", "Ann"))
	require.NoError(t, f.SetCellValue("Sheet1", "B5", "Lee"))
	require.NoError(t, f.SetCellValue("Sheet1", "C5", "alee"))
	require.NoError(t, f.SetCellDefault("Sheet1", "D5", "4.47911123457E+11"))
	require.NoError(t, f.SetCellValue("Sheet1", "E5", "ann@example.com"))
	// A second sheet named Users wins over the first.
	tab := readWorkbook(t, f, "u.xlsx")
	assert.Equal(t, "Sheet1", tab.Sheet)
	require.Len(t, tab.Rows, 2)
	assert.Equal(t, 3, tab.Rows[0].Line)
	assert.Equal(t, 5, tab.Rows[1].Line)
	assert.Equal(t, []string{"John", "Smith", "jsmith", "447911123456", "john@example.com", "123456789012000"}, tab.Rows[0].Cells[:6])
	assert.Equal(t, "447911123457", tab.Rows[1].Cells[3])

	_, err := f.NewSheet("Users")
	require.NoError(t, err)
	require.NoError(t, f.SetCellValue("Users", "A1", "Login"))
	require.NoError(t, f.SetCellValue("Users", "A2", "bob1"))
	tab = readWorkbook(t, f, "u.xlsx")
	assert.Equal(t, "Users", tab.Sheet)
	assert.Equal(t, [][]string{{"bob1"}}, cellsOf(tab))
}

// TestReadTableZipBomb builds two bombs: one that declares 8 GiB, and a
// real one of 24 MiB compressed over 1000 times. Both are refused from
// the zip directory, at once and without inflating them.
func TestReadTableZipBomb(t *testing.T) {
	t.Parallel()
	declared := lyingZip(t, 8<<30)
	real := bombZip(t, 24<<20)
	require.Less(t, len(real), 1<<20)

	for name, data := range map[string][]byte{"declared 8 GiB": declared, "real 24 MiB": real} {
		var err error
		start := time.Now()
		peak := heapPeak(func() {
			_, err = ReadTable(t.Context(), bytes.NewReader(data), "bomb.xlsx", Limits{})
		})
		elapsed := time.Since(start)
		require.ErrorIs(t, err, ErrLimit, name)
		assert.Less(t, elapsed.Seconds(), 1.0, name)
		assert.Less(t, peak, uint64(16<<20), name)
		t.Logf("%s: refused in %v, heap peak %d KiB: %v", name, elapsed, peak>>10, err)
	}

	// A part that inflates beyond its declared size is cut off by the
	// zip reader: the read fails without holding the inflated bytes.
	liar := lyingSizeZip(t, 16<<20)
	var err error
	peak := heapPeak(func() {
		_, err = ReadTable(t.Context(), bytes.NewReader(liar), "liar.xlsx", Limits{})
	})
	require.Error(t, err)
	assert.Less(t, peak, uint64(32<<20))
	t.Logf("lying sizes: heap peak %d KiB: %v", peak>>10, err)
}

func TestReadTableNilReader(t *testing.T) {
	t.Parallel()
	_, err := ReadTable(t.Context(), nil, "a.csv", Limits{})
	require.ErrorIs(t, err, ErrEmpty)
	_, err = ReadTable(t.Context(), errReader{}, "a.csv", Limits{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "importer: read")
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }
