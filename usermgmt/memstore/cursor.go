package memstore

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"time"

	"github.com/rosterkit/roster/usermgmt"
)

// Cursor tags keep a cursor of one list from being used on another.
const (
	tagUsers  byte = 'u'
	tagTokens byte = 't'
	tagEvents byte = 'e'
)

// encodeCursor turns the last entry of a page into an opaque cursor:
// base64url of the tag, the key's length as a uvarint, the key and the id.
func encodeCursor(tag byte, e entry) string {
	b := make([]byte, 0, 1+binary.MaxVarintLen64+len(e.key)+len(e.id))
	b = append(b, tag)
	b = binary.AppendUvarint(b, uint64(len(e.key)))
	b = append(b, e.key...)
	b = append(b, e.id...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor parses a cursor encodeCursor made with the same tag. ""
// is the first page and returns nil.
func decodeCursor(tag byte, s string) (*entry, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 2 || b[0] != tag {
		return nil, invalidCursor()
	}
	n, k := binary.Uvarint(b[1:])
	rest := b[1:]
	if k <= 0 || n > uint64(len(rest)-k) {
		return nil, invalidCursor()
	}
	rest = rest[k:]
	e := entry{key: string(rest[:n]), id: string(rest[n:])}
	if e.id == "" {
		return nil, invalidCursor()
	}
	return &e, nil
}

// invalidCursor is the error for a Page.After this store did not return.
func invalidCursor() error {
	return &usermgmt.ValidationError{Fields: []usermgmt.FieldError{{
		Field: "after", Code: usermgmt.CodeInvalid, Message: "is not a cursor returned by this list",
	}}}
}

// timeKey encodes t as 16 hex digits that sort as the times do.
func timeKey(t time.Time) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(t.UnixMicro())^(1<<63))
	return hex.EncodeToString(b[:])
}
