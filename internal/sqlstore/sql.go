package sqlstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultPrefix is the table prefix when the host sets none.
const DefaultPrefix = "roster_"

// maxPrefix keeps every index name under PostgreSQL's 63-byte limit.
const maxPrefix = 24

// CheckPrefix reports whether p can prefix table names: 1 to 24 lower-case
// ASCII letters, digits and underscores, starting with a letter or an
// underscore.
func CheckPrefix(p string) error {
	if p == "" || len(p) > maxPrefix {
		return fmt.Errorf("table prefix must be 1 to %d characters", maxPrefix)
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c >= 'a' && c <= 'z', c == '_':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return errors.New("table prefix may hold only a-z, 0-9 and _, and must not start with a digit")
		}
	}
	return nil
}

// sql returns the text of a query template for this store, rewriting it
// on first use.
func (s *Store) sql(q string) string {
	if v, ok := s.queries.Load(q); ok {
		return v.(string)
	}
	out := Rewrite(q, s.cfg.Prefix, s.cfg.Flavor == Postgres)
	s.queries.Store(q, out)
	return out
}

// Rewrite replaces "{p}" with prefix and, when numbered, each "?"
// placeholder with "$1", "$2", …. Question marks inside single-quoted
// literals and double-quoted identifiers are left alone.
func Rewrite(q, prefix string, numbered bool) string {
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
			b.WriteByte(c)
		case c == '\'' || c == '"':
			quote = c
			b.WriteByte(c)
		case c == '{' && strings.HasPrefix(q[i:], "{p}"):
			b.WriteString(prefix)
			i += 2
		case c == '?' && numbered:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// at encodes a time for a NOT NULL column: microseconds since the epoch
// on SQLite, a UTC time.Time truncated to the microsecond on PostgreSQL.
func (s *Store) at(t time.Time) any {
	if s.cfg.Flavor == SQLite {
		return t.UnixMicro()
	}
	return t.UTC().Truncate(time.Microsecond)
}

// opt encodes a time for a nullable column: NULL when zero.
func (s *Store) opt(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return s.at(t)
}

// timeCol scans a time column of either flavor into a UTC time; NULL is
// the zero time.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.t = time.Time{}
	case int64:
		*c.t = time.UnixMicro(v).UTC()
	case time.Time:
		*c.t = v.UTC().Truncate(time.Microsecond)
	default:
		return fmt.Errorf("cannot scan %T into a time", src)
	}
	return nil
}

// textCol scans a nullable text column; NULL is "".
type textCol struct{ s *string }

func (c textCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.s = ""
	case string:
		*c.s = v
	case []byte:
		*c.s = string(v)
	default:
		return fmt.Errorf("cannot scan %T into a string", src)
	}
	return nil
}

// jsonCol scans a JSON text column into v.
type jsonCol struct{ v any }

func (c jsonCol) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("cannot scan %T into JSON", src)
	}
	return json.Unmarshal(b, c.v)
}

// bytesCol scans a nullable blob, keeping nil (NULL) apart from empty.
type bytesCol struct{ b *[]byte }

func (c bytesCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.b = nil
	case []byte:
		*c.b = append([]byte{}, v...)
	case string:
		*c.b = []byte(v)
	default:
		return fmt.Errorf("cannot scan %T into bytes", src)
	}
	return nil
}

// blob encodes a byte slice, nil as NULL.
func blob(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

// jsonText encodes v as JSON text. Every value stored this way is a map
// or slice of strings, which always marshals.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

// null encodes "" as NULL, for columns under unique indexes.
func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// lock is the row-lock clause for a SELECT that precedes a write: FOR
// UPDATE on PostgreSQL; SQLite has one writer and needs none.
func (s *Store) lock() string {
	if s.cfg.Flavor == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// keyShare is the clause that keeps a row from being deleted or having
// its key changed until the transaction ends (PostgreSQL's FOR KEY
// SHARE): what a write that refers to the row needs.
func (s *Store) keyShare() string {
	if s.cfg.Flavor == Postgres {
		return " FOR KEY SHARE"
	}
	return ""
}

// noKeyUpdate is the clause that locks a row against other writers but
// not against foreign-key checks (PostgreSQL's FOR NO KEY UPDATE).
func (s *Store) noKeyUpdate() string {
	if s.cfg.Flavor == Postgres {
		return " FOR NO KEY UPDATE"
	}
	return ""
}

// contains returns SQL true when column holds the next parameter as a
// substring.
func (s *Store) contains(column string) string {
	if s.cfg.Flavor == Postgres {
		return "strpos(" + column + ", ?) > 0"
	}
	return "instr(" + column + ", ?) > 0"
}

// inJSON returns SQL true when expr is one of the strings of the next
// parameter, a JSON array; one query text serves lists of any length.
func (s *Store) inJSON(expr string) string {
	if s.cfg.Flavor == Postgres {
		return expr + " IN (SELECT jsonb_array_elements_text(?::jsonb))"
	}
	return expr + " IN (SELECT value FROM json_each(?))"
}

// noIndex keeps SQLite from using an index for a term, so that it walks
// the index that yields the wanted order instead (PostgreSQL plans by
// statistics and needs no hint).
func (s *Store) noIndex(column string) string {
	if s.cfg.Flavor == SQLite {
		return "+" + column
	}
	return column
}

// uniqueField maps a unique constraint to the field a *ConflictError
// names. name is the index name without prefix (PostgreSQL reports the
// constraint) or the "table.column, …" list SQLite reports.
func uniqueField(name string) (string, bool) {
	switch name {
	case "accounts_pkey", "accounts.id", "groups_pkey", "groups.id", "users_pkey", "users.id",
		"grants_pkey", "grants.id", "tokens_pkey", "tokens.id", "sessions_pkey", "sessions.id",
		"events_pkey", "events.id":
		return "id", true
	case "users_username_key", "users.username_key":
		return "username", true
	case "users_email_key", "users.email_key":
		return "email", true
	case "users_mobile_phone_key", "users.mobile_phone":
		return "mobile_phone", true
	case "users_customer_code_key", "users.account_id, users.customer_code":
		return "customer_code", true
	case "numbers_pkey", "numbers.e164":
		return "number", true
	case "aliases_pkey", "aliases.address_key":
		return "alias", true
	case "tokens_hash_key", "tokens.hash":
		return "token", true
	case "sessions_hash_key", "sessions.hash":
		return "session", true
	}
	return "", false
}

// conflictField returns the field of a unique constraint reported by the
// driver, or the constraint itself (without prefix) when unknown.
func (s *Store) conflictField(name string) string {
	parts := strings.Split(name, ", ")
	for i, p := range parts {
		parts[i] = strings.TrimPrefix(p, s.cfg.Prefix)
	}
	stripped := strings.Join(parts, ", ")
	if f, ok := uniqueField(stripped); ok {
		return f
	}
	if stripped == "" {
		return "unknown"
	}
	return stripped
}
