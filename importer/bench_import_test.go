package importer

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/rosterkit/roster/auth"
)

// upload is a file to import again and again.
type upload struct {
	name string
	data []byte
}

// source returns a fresh Source over the file.
func (u upload) source() Source { return Source{Name: u.name, Reader: bytes.NewReader(u.data)} }

// benchFiles returns rows in each format.
func benchFiles(b *testing.B, rows [][]string) map[string]upload {
	return map[string]upload{
		"csv":  {"users.csv", textFile(b, seedHeader(), rows, ',', UTF8BOM)},
		"txt":  {"users.txt", textFile(b, seedHeader(), rows, '\t', UTF16LE)},
		"xlsx": {"users.xlsx", xlsxFile(b, "Sheet1", seedHeader(), rows, false)},
	}
}

// BenchmarkValidate5000 is an import's work before the store: read, map
// and validate 5,000 rows (parallel on every core), per format.
//
//	go test -run '^$' -bench Validate5000 -benchmem ./importer
func BenchmarkValidate5000(b *testing.B) {
	w := setup(b, nil, 0)
	files := benchFiles(b, goodRows(5000, 0))
	for _, format := range []string{"csv", "txt", "xlsx"} {
		b.Run(format, func(b *testing.B) {
			ctx := context.Background()
			once := func() {
				r := &run{s: w.imp, actor: w.owner.ID, rep: &Report{}}
				a, err := r.authorize(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if err := r.read(ctx, files[format].source()); err != nil {
					b.Fatal(err)
				}
				if err := r.validate(ctx, a); err != nil {
					b.Fatal(err)
				}
				if err := r.failed(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				once()
			}
			b.StopTimer()
			b.ReportMetric(float64(heapPeak(once))/(1<<20), "peak-heap-MiB")
		})
	}
}

// BenchmarkImport5000 is a whole import of 5,000 users on SQLite (a file
// in a temporary directory): read, validate, one transaction creating
// the users and their audit events. "nopw" rows have no password
// (pending users); "prehashed" rows carry a bcrypt hash, vetted and
// stored as is.
//
//	go test -run '^$' -bench Import5000 -benchmem ./importer
func BenchmarkImport5000(b *testing.B) {
	hash, err := bcrypt.GenerateFromPassword([]byte("Migrated-1"), 10)
	if err != nil {
		b.Fatal(err)
	}
	plain := goodRows(5000, 0)
	hashed := goodRows(5000, 0)
	for _, r := range hashed {
		r[3] = string(hash)
	}
	for _, kind := range []struct {
		name string
		rows [][]string
	}{{"nopw", plain}, {"prehashed", hashed}} {
		files := benchFiles(b, kind.rows)
		for _, format := range []string{"csv", "txt", "xlsx"} {
			b.Run(kind.name+"/"+format, func(b *testing.B) {
				benchImport(b, files[format], nil)
			})
		}
	}
}

// benchImport imports src into a fresh SQLite world per iteration, the
// setup untimed, and reports the peak heap of one more import.
func benchImport(b *testing.B, src upload, hasher Hasher) (wall, cpu time.Duration) {
	ctx := context.Background()
	fresh := func() *world {
		w := setup(b, newStore(b, "sqlite"), 0)
		if hasher != nil {
			var err error
			if w.imp, err = New(Config{Users: w.users, Hasher: hasher, Invites: w.invites}); err != nil {
				b.Fatal(err)
			}
		}
		return w
	}
	once := func(w *world) {
		rep, err := w.imp.Import(ctx, w.owner.ID, src.source(), Options{})
		if err != nil {
			b.Fatalf("%v: %v", err, rep.Errors)
		}
		if rep.Created != 5000 {
			b.Fatalf("created %d", rep.Created)
		}
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		w := fresh()
		runtime.GC()
		b.StartTimer()
		start, startCPU := time.Now(), cpuTime()
		once(w)
		wall += time.Since(start)
		cpu += cpuTime() - startCPU
	}
	b.StopTimer()
	w := fresh()
	b.ReportMetric(float64(heapPeak(func() { once(w) }))/(1<<20), "peak-heap-MiB")
	return wall / time.Duration(b.N), cpu / time.Duration(b.N)
}

// cpuTime returns the CPU time the process has used, user and system:
// unlike wall time, it does not grow when other processes compete for
// the cores.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkImport5000Passwords imports 5,000 users with plaintext
// passwords, hashed with the default argon2id parameters on every core,
// and reports the import's time as a ratio to the hashing floor: 5,000
// times one hash (timed alone, in the same run) divided by the hasher's
// concurrency (x-floor, wall time), and the import's CPU time as a ratio
// to 5,000 hashes' CPU time (cpu-x-floor), which other processes on the
// machine do not skew. It takes minutes: run it alone, once.
//
//	go test -run '^$' -bench Import5000Passwords -benchtime 1x ./importer
func BenchmarkImport5000Passwords(b *testing.B) {
	h, err := auth.NewHasher(auth.HashConfig{})
	if err != nil {
		b.Fatal(err)
	}
	rows := goodRows(5000, 0)
	for i, r := range rows {
		r[3] = fmt.Sprintf("Sunny-Day%02d", i%100)
	}
	src := benchFiles(b, rows)["csv"]

	// The floor: one hash at a time, then 5,000 of them spread over
	// every slot.
	ctx := context.Background()
	const samples = 32
	start, startCPU := time.Now(), cpuTime()
	for range samples {
		if _, err := h.Hash(ctx, "Sunny-Day42"); err != nil {
			b.Fatal(err)
		}
	}
	one, oneCPU := time.Since(start)/samples, (cpuTime()-startCPU)/samples
	slots := h.Config().Concurrency
	floor := one * 5000 / time.Duration(slots)

	wall, cpu := benchImport(b, src, h)
	b.ReportMetric(float64(one.Microseconds())/1000, "ms/hash")
	b.ReportMetric(floor.Seconds(), "floor-s")
	b.ReportMetric(float64(wall)/float64(floor), "x-floor")
	b.ReportMetric(float64(cpu)/float64(oneCPU*5000), "cpu-x-floor")
}
