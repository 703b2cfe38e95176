package sqlstore

import (
	"encoding/base64"
	"encoding/binary"
	"time"

	"github.com/rosterkit/roster/usermgmt"
)

// Cursor tags keep a cursor of one list from being used on another.
const (
	tagUsers  byte = 'U'
	tagTokens byte = 'T'
	tagEvents byte = 'E'
)

// cursorVersion lets a later release change the layout and still refuse
// old cursors cleanly.
const cursorVersion byte = 1

// Cursor is the position after the last row of a page: its sort key and
// id.
type Cursor struct {
	Key string
	ID  string
}

// EncodeCursor returns the opaque form of c for the list tag: base64url
// of the version, the tag, the key's length as a uvarint, the key and the
// id.
func EncodeCursor(tag byte, c Cursor) string {
	b := make([]byte, 0, 2+binary.MaxVarintLen64+len(c.Key)+len(c.ID))
	b = append(b, cursorVersion, tag)
	b = binary.AppendUvarint(b, uint64(len(c.Key)))
	b = append(b, c.Key...)
	b = append(b, c.ID...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses a cursor EncodeCursor made with the same tag. ""
// (the first page) returns ok false and no error. Anything else that is
// not such a cursor is an error matching usermgmt.ErrInvalid; it never
// panics.
func DecodeCursor(tag byte, s string) (c Cursor, ok bool, err error) {
	if s == "" {
		return Cursor{}, false, nil
	}
	if len(s) > 4096 {
		return Cursor{}, false, badCursor()
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 3 || b[0] != cursorVersion || b[1] != tag {
		return Cursor{}, false, badCursor()
	}
	rest := b[2:]
	n, k := binary.Uvarint(rest)
	if k <= 0 || n > uint64(len(rest)-k) {
		return Cursor{}, false, badCursor()
	}
	rest = rest[k:]
	c = Cursor{Key: string(rest[:n]), ID: string(rest[n:])}
	if c.ID == "" {
		return Cursor{}, false, badCursor()
	}
	return c, true, nil
}

// badCursor is the error for a Page.After this store did not return.
func badCursor() error {
	return &usermgmt.ValidationError{Fields: []usermgmt.FieldError{{
		Field: "after", Code: usermgmt.CodeInvalid, Message: "is not a cursor returned by this list",
	}}}
}

// UserCursor returns the ListUsers cursor that continues after the live
// user with this UsernameKey and id (benchmarks use it to start deep in a
// list).
func UserCursor(usernameKey, id string) string {
	return EncodeCursor(tagUsers, Cursor{Key: usernameKey, ID: id})
}

// timeKey encodes t as 8 bytes that sort as the times do.
func timeKey(t time.Time) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(t.UnixMicro())^(1<<63))
	return string(b[:])
}

// keyTime decodes timeKey; ok is false for a key timeKey did not make.
func keyTime(k string) (time.Time, bool) {
	if len(k) != 8 {
		return time.Time{}, false
	}
	v := int64(binary.BigEndian.Uint64([]byte(k)) ^ (1 << 63))
	return time.UnixMicro(v).UTC(), true
}
