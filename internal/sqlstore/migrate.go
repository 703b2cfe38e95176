package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// PrefixPlaceholder stands for the table prefix in migration files.
const PrefixPlaceholder = "{{prefix}}"

// Migration is one numbered SQL file: "0001_init.sql" is version 1,
// named "init".
type Migration struct {
	Version int
	Name    string
	File    string
	SQL     string // with PrefixPlaceholder
}

// LoadMigrations reads the *.sql files of dir in fsys. Their names must
// be "NNNN_name.sql" and their versions 1, 2, 3, … without gaps.
func LoadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 || name == "" {
			return nil, fmt.Errorf("migration %q: name must be NNNN_name.sql", e.Name())
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration: %w", err)
		}
		out = append(out, Migration{Version: v, Name: name, File: e.Name(), SQL: string(b)})
	}
	slices.SortFunc(out, func(a, b Migration) int { return a.Version - b.Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %q: expected version %d", m.File, i+1)
		}
	}
	return out, nil
}

// Substitute returns a migration's SQL for a table prefix.
func Substitute(sqlText, prefix string) string {
	return strings.ReplaceAll(sqlText, PrefixPlaceholder, prefix)
}

// MigrationsFS returns the migrations as a read-only fs.FS of flat
// "NNNN_name.sql" files with prefix substituted, for hosts that run their
// own migration tool.
func MigrationsFS(ms []Migration, prefix string) (fs.FS, error) {
	if err := CheckPrefix(prefix); err != nil {
		return nil, err
	}
	files := make([]memFile, len(ms))
	for i, m := range ms {
		files[i] = memFile{name: m.File, data: []byte(Substitute(m.SQL, prefix))}
	}
	return memFS(files), nil
}

// Migrator applies migrations to one database.
type Migrator struct {
	DB         *sql.DB
	Flavor     Flavor
	Name       string // for error messages, e.g. "pgstore"
	Prefix     string
	Migrations []Migration
	// Now stamps applied_at; nil means time.Now.
	Now func() time.Time
}

// Latest is the newest version the Migrator knows.
func (m *Migrator) Latest() int { return len(m.Migrations) }

// Migrate applies every pending migration in order, each in its own
// transaction together with its row in the "schema_migrations" table. Two
// processes may migrate at once: on PostgreSQL they take turns through a
// session advisory lock named after the schema and prefix; on SQLite each step runs
// under BEGIN IMMEDIATE and re-reads the applied versions. A database
// with a version this release does not know returns an error matching
// ErrNewerSchema and changes nothing.
func (m *Migrator) Migrate(ctx context.Context) error {
	if err := CheckPrefix(m.Prefix); err != nil {
		return fmt.Errorf("%s: migrate: %w", m.Name, err)
	}
	conn, err := m.DB.Conn(ctx)
	if err != nil {
		return m.wrap(err)
	}
	defer conn.Close()
	if m.Flavor == Postgres {
		var schema sql.NullString
		if err := conn.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
			return m.wrap(err)
		}
		key := m.lockKey(schema.String)
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
			// The connection may hold the lock if only the reply was lost.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			return m.wrap(err)
		}
		defer func() {
			uctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if _, err := conn.ExecContext(uctx, `SELECT pg_advisory_unlock($1)`, key); err != nil {
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			}
		}()
	}
	for {
		done, err := m.step(ctx, conn)
		if err != nil || done {
			return err
		}
	}
}

// Version returns the newest applied version, 0 for a fresh database.
func (m *Migrator) Version(ctx context.Context) (int, error) {
	var exists bool
	var q string
	if m.Flavor == Postgres {
		q = `SELECT to_regclass(current_schema() || '.' || $1) IS NOT NULL`
	} else {
		q = `SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?`
	}
	if err := m.DB.QueryRowContext(ctx, q, m.Prefix+"schema_migrations").Scan(&exists); err != nil {
		return 0, m.wrap(err)
	}
	if !exists {
		return 0, nil
	}
	var v sql.NullInt64
	if err := m.DB.QueryRowContext(ctx, Rewrite(`SELECT max(version) FROM {p}schema_migrations`, m.Prefix, false)).Scan(&v); err != nil {
		return 0, m.wrap(err)
	}
	return int(v.Int64), nil
}

// step applies the next pending migration in one transaction; done is
// true when none was pending.
func (m *Migrator) step(ctx context.Context, conn *sql.Conn) (done bool, err error) {
	begin := "BEGIN"
	if m.Flavor == SQLite {
		begin = "BEGIN IMMEDIATE"
	}
	if _, err := conn.ExecContext(ctx, begin); err != nil {
		return false, m.wrap(err)
	}
	committed := false
	defer func() {
		if committed {
			return
		}
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, rerr := conn.ExecContext(rctx, "ROLLBACK"); rerr != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	timeType := "INTEGER"
	if m.Flavor == Postgres {
		timeType = "TIMESTAMPTZ"
	}
	if _, err := conn.ExecContext(ctx, Rewrite(`CREATE TABLE IF NOT EXISTS {p}schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at `+timeType+` NOT NULL)`, m.Prefix, false)); err != nil {
		return false, m.wrap(err)
	}
	rows, err := conn.QueryContext(ctx, Rewrite(`SELECT version FROM {p}schema_migrations ORDER BY version`, m.Prefix, false))
	if err != nil {
		return false, m.wrap(err)
	}
	applied := map[int]bool{}
	newest := 0
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return false, m.wrap(err)
		}
		applied[v] = true
		newest = max(newest, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, m.wrap(err)
	}
	if newest > m.Latest() {
		return false, fmt.Errorf("%s: migrate: database is at version %d, this release knows up to %d: %w",
			m.Name, newest, m.Latest(), ErrNewerSchema)
	}
	var next *Migration
	for i := range m.Migrations {
		if !applied[m.Migrations[i].Version] {
			next = &m.Migrations[i]
			break
		}
	}
	if next == nil {
		if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
			return false, m.wrap(err)
		}
		committed = true
		return true, nil
	}
	if _, err := conn.ExecContext(ctx, Substitute(next.SQL, m.Prefix)); err != nil {
		return false, fmt.Errorf("%s: migrate: %s: %w", m.Name, next.File, m.plain(err))
	}
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	var at any = now().UTC().Truncate(time.Microsecond)
	if m.Flavor == SQLite {
		at = now().UnixMicro()
	}
	if _, err := conn.ExecContext(ctx, Rewrite(`INSERT INTO {p}schema_migrations (version, name, applied_at)
		VALUES (?, ?, ?)`, m.Prefix, m.Flavor == Postgres), next.Version, next.Name, at); err != nil {
		return false, m.wrap(err)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return false, m.wrap(err)
	}
	committed = true
	return false, nil
}

// lockKey is the advisory lock of the migrations of this prefix in this
// schema.
func (m *Migrator) lockKey(schema string) int64 {
	h := fnv.New64a()
	_, _ = io.WriteString(h, "roster:migrate:"+schema+"."+m.Prefix)
	return int64(h.Sum64())
}

func (m *Migrator) wrap(err error) error {
	return fmt.Errorf("%s: migrate: %w", m.Name, m.plain(err))
}

// plain keeps context errors for errors.Is and turns the rest into
// messages without the driver's type.
func (m *Migrator) plain(err error) error {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return contextErr(err)
	}
	return &dbError{msg: err.Error()}
}

// memFS is a flat, read-only file system of migration files.
type memFS []memFile

type memFile struct {
	name string
	data []byte
}

// Open implements fs.FS.
func (f memFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		return &memDir{fs: f}, nil
	}
	for _, file := range f {
		if file.name == name {
			return &openFile{memFile: file, r: strings.NewReader(string(file.data))}, nil
		}
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// ReadFile implements fs.ReadFileFS.
func (f memFS) ReadFile(name string) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrInvalid}
	}
	for _, file := range f {
		if file.name == name {
			return slices.Clone(file.data), nil
		}
	}
	return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
}

// ReadDir implements fs.ReadDirFS.
func (f memFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name != "." {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	out := make([]fs.DirEntry, len(f))
	for i, file := range f {
		out[i] = fs.FileInfoToDirEntry(fileInfo{file})
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

type fileInfo struct{ f memFile }

func (i fileInfo) Name() string       { return i.f.name }
func (i fileInfo) Size() int64        { return int64(len(i.f.data)) }
func (i fileInfo) Mode() fs.FileMode  { return 0o444 }
func (i fileInfo) ModTime() time.Time { return time.Time{} }
func (i fileInfo) IsDir() bool        { return false }
func (i fileInfo) Sys() any           { return nil }

type dirInfo struct{}

func (dirInfo) Name() string       { return "." }
func (dirInfo) Size() int64        { return 0 }
func (dirInfo) Mode() fs.FileMode  { return fs.ModeDir | 0o555 }
func (dirInfo) ModTime() time.Time { return time.Time{} }
func (dirInfo) IsDir() bool        { return true }
func (dirInfo) Sys() any           { return nil }

type openFile struct {
	memFile
	r *strings.Reader
}

func (f *openFile) Stat() (fs.FileInfo, error) { return fileInfo{f.memFile}, nil }
func (f *openFile) Read(b []byte) (int, error) { return f.r.Read(b) }
func (f *openFile) Close() error               { return nil }

type memDir struct {
	fs  memFS
	pos int
}

func (d *memDir) Stat() (fs.FileInfo, error) { return dirInfo{}, nil }
func (d *memDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: ".", Err: fs.ErrInvalid}
}
func (d *memDir) Close() error { return nil }

// ReadDir implements fs.ReadDirFile.
func (d *memDir) ReadDir(n int) ([]fs.DirEntry, error) {
	all, _ := d.fs.ReadDir(".")
	rest := all[d.pos:]
	if n <= 0 {
		d.pos = len(all)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	rest = rest[:min(n, len(rest))]
	d.pos += len(rest)
	return rest, nil
}
