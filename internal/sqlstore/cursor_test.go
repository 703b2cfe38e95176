package sqlstore

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
)

func TestCursorRoundTrip(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		tag  byte
		c    Cursor
	}{
		{"users", tagUsers, Cursor{Key: "alice", ID: "u-1"}},
		{"empty key", tagUsers, Cursor{Key: "", ID: "x"}},
		{"unicode", tagUsers, Cursor{Key: "zoë ünïcode", ID: "0192f0e4-7c1a-7b3e-9a1d-2f8e4c6b9a10"}},
		{"events", tagEvents, Cursor{Key: timeKey(time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC)), ID: "e"}},
		{"binary key", tagTokens, Cursor{Key: "\x00\xff\x10", ID: "t"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := EncodeCursor(c.tag, c.c)
			got, ok, err := DecodeCursor(c.tag, s)
			require.NoError(t, err)
			assert.True(t, ok)
			assert.Equal(t, c.c, got)
			_, _, err = DecodeCursor(c.tag+1, s)
			assert.ErrorIs(t, err, usermgmt.ErrInvalid, "a cursor of another list is refused")
		})
	}
}

func TestDecodeCursorRejects(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"not base64":      "!!!",
		"too short":       "AQ",
		"wrong version":   EncodeCursor(tagUsers, Cursor{Key: "k", ID: "i"})[:0] + "AlUBa2k",
		"no id":           EncodeCursor(tagUsers, Cursor{Key: "k"}),
		"length too long": "AVUKaw",
		"huge":            string(make([]byte, 5000)),
	}
	for name, s := range cases {
		_, ok, err := DecodeCursor(tagUsers, s)
		assert.ErrorIs(t, err, usermgmt.ErrInvalid, name)
		assert.False(t, ok, name)
	}
	_, ok, err := DecodeCursor(tagUsers, "")
	assert.NoError(t, err)
	assert.False(t, ok, "the first page has no cursor")
}

func TestTimeKeyOrder(t *testing.T) {
	t.Parallel()
	times := []time.Time{
		{}, time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC), time.Unix(0, 0),
		time.Date(2025, 1, 1, 0, 0, 0, 1000, time.UTC), time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for i := 1; i < len(times); i++ {
		assert.Less(t, timeKey(times[i-1]), timeKey(times[i]))
	}
	for _, tm := range times {
		got, ok := keyTime(timeKey(tm))
		require.True(t, ok)
		assert.Equal(t, tm.UTC().Truncate(time.Microsecond), got)
	}
	_, ok := keyTime("short")
	assert.False(t, ok)
}

// FuzzDecodeCursor checks that no string makes DecodeCursor panic and
// that whatever it accepts encodes back to the same cursor.
func FuzzDecodeCursor(f *testing.F) {
	f.Add("")
	f.Add(EncodeCursor(tagUsers, Cursor{Key: "alice", ID: "u1"}))
	f.Add(EncodeCursor(tagEvents, Cursor{Key: timeKey(time.Unix(1, 0)), ID: "e"}))
	f.Add("AVUF")
	f.Add("////")
	f.Fuzz(func(t *testing.T, s string) {
		for _, tag := range []byte{tagUsers, tagTokens, tagEvents} {
			c, ok, err := DecodeCursor(tag, s)
			if err != nil {
				if !assert.ErrorIs(t, err, usermgmt.ErrInvalid) {
					return
				}
				continue
			}
			if ok {
				again, ok2, err := DecodeCursor(tag, EncodeCursor(tag, c))
				if err != nil || !ok2 || again != c {
					t.Fatalf("re-encoding %q changed it: %+v %v", s, again, err)
				}
			}
		}
	})
}
