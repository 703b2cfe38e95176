package importer

import (
	"bytes"
	"context"
	"testing"
)

// BenchmarkRead5000 reads and maps 5,000 realistic rows per format: the
// file side of an import. Besides time and allocations it reports
// peak-heap-MiB, the highest live heap above the starting level during
// one extra read (sampled, see heapPeak).
//
//	go test -run '^$' -bench Read5000 -benchmem ./importer
func BenchmarkRead5000(b *testing.B) {
	rows := userRows(5000)
	files := []struct {
		name string
		file string
		data []byte
	}{
		{"csv", "users.csv", textFile(b, seedHeader(), rows, ',', UTF8BOM)},
		{"txt", "users.txt", textFile(b, seedHeader(), rows, '\t', UTF16LE)},
		{"xlsx", "users.xlsx", xlsxFile(b, "Sheet1", seedHeader(), rows, false)},
	}
	for _, f := range files {
		b.Run(f.name, func(b *testing.B) {
			ctx := context.Background()
			read := func() {
				t, err := ReadTable(ctx, bytes.NewReader(f.data), f.file, Limits{})
				if err != nil {
					b.Fatal(err)
				}
				m, err := t.Mapping()
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for _, r := range t.Rows {
					n += len(m.Record(r.Cells))
				}
				if len(t.Rows) != 5000 || n != 5000*numSeedFields {
					b.Fatalf("%d rows, %d values", len(t.Rows), n)
				}
			}
			b.SetBytes(int64(len(f.data)))
			b.ReportAllocs()
			for b.Loop() {
				read()
			}
			b.StopTimer()
			b.ReportMetric(float64(heapPeak(read))/(1<<20), "peak-heap-MiB")
		})
	}
}

// BenchmarkWriteErrors5000 writes the errors file of 5,000 rows per
// format.
func BenchmarkWriteErrors5000(b *testing.B) {
	rows := userRows(5000)
	for _, f := range []struct {
		name, file string
		data       []byte
	}{
		{"csv", "users.csv", textFile(b, seedHeader(), rows, ',', UTF8BOM)},
		{"xlsx", "users.xlsx", xlsxFile(b, "Sheet1", seedHeader(), rows, false)},
	} {
		b.Run(f.name, func(b *testing.B) {
			t, err := ReadTable(context.Background(), bytes.NewReader(f.data), f.file, Limits{})
			if err != nil {
				b.Fatal(err)
			}
			errs := map[int][]string{17: {"Mobile Phone number: is not a valid phone number"}}
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := WriteErrors(context.Background(), &buf, t, errs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
