package importer

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// seedHeader is the seeds' header row.
func seedHeader() []string {
	h := make([]string, numSeedFields)
	for i := range h {
		h[i] = specs[i].header
	}
	return h
}

var (
	firstNames = []string{"John", "Ann", "Zoë", "Björn", "Marie-Claire", "Siobhán", "Oluwaseun", "Chen", "Fatima", "José"}
	lastNames  = []string{"Smith", "O'Neill", "Müller", "García Márquez", "Nguyen", "Kowalski", "Ahmed", "Rossi", "Dubois", "Okafor"}
)

// userRows returns n realistic rows in the seeds' column order, every one
// valid under the default rules and unique in username, e-mail and phone.
func userRows(n int) [][]string {
	rows := make([][]string, n)
	for i := range rows {
		first, last := firstNames[i%len(firstNames)], lastNames[(i/len(firstNames))%len(lastNames)]
		pw := ""
		if i%3 != 0 {
			pw = fmt.Sprintf("Sunny-Day%02d", i%100)
		}
		rows[i] = []string{
			first, last,
			fmt.Sprintf("user.%05d", i),
			pw,
			fmt.Sprintf("+4479111%05d", i),
			"+442071234567",
			fmt.Sprintf("user.%05d@example.com", i),
			"Example Ltd, Sales",
			fmt.Sprintf("CUST-%05d", i),
			"",
		}
	}
	return rows
}

// textFile writes a header (nil for none) and rows as delimited text in
// enc.
func textFile(t testing.TB, header []string, rows [][]string, delim rune, enc Encoding) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma = delim
	w.UseCRLF = true
	if header != nil {
		require.NoError(t, w.Write(header))
	}
	require.NoError(t, w.WriteAll(rows))
	if enc == UTF8 {
		return buf.Bytes()
	}
	return encodeText(buf.String(), enc)
}

// xlsxFile writes a header and rows as a workbook. With numericPhones,
// cells that are all digits after a '+' are stored as numbers, as Excel
// does when someone types a phone without a text format.
func xlsxFile(t testing.TB, sheet string, header []string, rows [][]string, numericPhones bool) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if sheet != "Sheet1" {
		require.NoError(t, f.SetSheetName("Sheet1", sheet))
	}
	sw, err := f.NewStreamWriter(sheet)
	require.NoError(t, err)
	line := 0
	put := func(cells []string) {
		line++
		vals := make([]any, len(cells))
		for i, c := range cells {
			vals[i] = c
			if numericPhones && len(c) > 8 && c[0] == '+' && allDigits(c[1:]) {
				var n int64
				_, err := fmt.Sscan(c[1:], &n)
				require.NoError(t, err)
				vals[i] = n
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, line)
		require.NoError(t, err)
		require.NoError(t, sw.SetRow(cell, vals))
	}
	if header != nil {
		put(header)
	}
	for _, r := range rows {
		put(r)
	}
	require.NoError(t, sw.Flush())
	var buf bytes.Buffer
	_, err = f.WriteTo(&buf)
	require.NoError(t, err)
	return buf.Bytes()
}

// cellsOf returns the cells of a table's rows.
func cellsOf(t *Table) [][]string {
	out := make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		out[i] = r.Cells
	}
	return out
}

// heapPeak runs fn while sampling the live heap, and returns the highest
// heap in use above the level before fn started, in bytes: an
// approximation of fn's peak memory (sampled every 100µs, after a GC).
func heapPeak(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	base := read()
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(100 * time.Microsecond)
		defer tick.Stop()
		for {
			if v := read(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	fn()
	close(done)
	<-stopped
	if v := read(); v > peak.Load() {
		peak.Store(v)
	}
	if p := peak.Load(); p > base {
		return p - base
	}
	return 0
}

// zipOf returns a zip archive of the given files.
func zipOf(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, err = io.WriteString(w, body)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// rezip copies a real workbook, replacing its first worksheet part with
// what put writes.
func rezip(t testing.TB, put func(zw *zip.Writer)) []byte {
	t.Helper()
	base := xlsxFile(t, "Sheet1", seedHeader(), userRows(2), false)
	zr, err := zip.NewReader(bytes.NewReader(base), int64(len(base)))
	require.NoError(t, err)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			put(zw)
			continue
		}
		require.NoError(t, zw.Copy(f))
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// lyingZip is a workbook whose worksheet declares declared bytes once
// inflated (it holds a few).
func lyingZip(t testing.TB, declared uint64) []byte {
	return rezip(t, func(zw *zip.Writer) {
		var comp bytes.Buffer
		fw, err := flate.NewWriter(&comp, flate.DefaultCompression)
		require.NoError(t, err)
		_, err = fw.Write([]byte("<worksheet/>"))
		require.NoError(t, err)
		require.NoError(t, fw.Close())
		w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate,
			CompressedSize64: uint64(comp.Len()), UncompressedSize64: declared})
		require.NoError(t, err)
		_, err = w.Write(comp.Bytes())
		require.NoError(t, err)
	})
}

// bombZip is a workbook whose worksheet really inflates to size bytes of
// white space.
func bombZip(t testing.TB, size int64) []byte {
	return rezip(t, func(zw *zip.Writer) {
		w, err := zw.Create("xl/worksheets/sheet1.xml")
		require.NoError(t, err)
		_, err = io.CopyN(w, spaces{}, size)
		require.NoError(t, err)
	})
}

// lyingSizeZip is a workbook whose worksheet declares 1000 bytes and
// inflates to actual bytes.
func lyingSizeZip(t testing.TB, actual int64) []byte {
	return rezip(t, func(zw *zip.Writer) {
		var comp bytes.Buffer
		fw, err := flate.NewWriter(&comp, flate.BestCompression)
		require.NoError(t, err)
		_, err = io.CopyN(fw, spaces{}, actual)
		require.NoError(t, err)
		require.NoError(t, fw.Close())
		w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate,
			CompressedSize64: uint64(comp.Len()), UncompressedSize64: 1000})
		require.NoError(t, err)
		_, err = w.Write(comp.Bytes())
		require.NoError(t, err)
	})
}

// spaces reads as endless white space.
type spaces struct{}

func (spaces) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

// newWorkbook returns an empty workbook closed at the end of the test.
func newWorkbook(t testing.TB) *excelize.File {
	f := excelize.NewFile()
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// cellName returns the name of a cell ("A1") from 1-based coordinates.
func cellName(col, row int) (string, error) { return excelize.CoordinatesToCellName(col, row) }

// readWorkbook saves f and reads it back with ReadTable.
func readWorkbook(t testing.TB, f *excelize.File, name string) *Table {
	t.Helper()
	var buf bytes.Buffer
	_, err := f.WriteTo(&buf)
	require.NoError(t, err)
	tab, err := ReadTable(context.Background(), &buf, name, Limits{})
	require.NoError(t, err)
	return tab
}
