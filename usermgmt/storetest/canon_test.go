package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/rosterkit/roster/usermgmt"
)

func TestCanon(t *testing.T) {
	t.Parallel()
	zone := time.FixedZone("X", 3600)
	in := time.Date(2025, 1, 2, 3, 4, 5, 123456789, zone)
	out := time.Date(2025, 1, 2, 2, 4, 5, 123456000, time.UTC)
	cases := []struct {
		name      string
		in, wantV any
		gotV      any
	}{
		{"User", usermgmt.User{CreatedAt: in, Services: []usermgmt.Channel{}, Settings: map[string]string{}},
			usermgmt.User{CreatedAt: out}, usermgmt.User{CreatedAt: in}},
		{"TokenData", usermgmt.Token{Data: []byte{}, ExpiresAt: in}, usermgmt.Token{ExpiresAt: out}, usermgmt.Token{ExpiresAt: in}},
		{"Slice", []usermgmt.Event{{At: in, Fields: []string{}}}, []usermgmt.Event{{At: out}}, []usermgmt.Event{{At: in}}},
		{"EmptySlice", []usermgmt.Grant{}, []usermgmt.Grant(nil), []usermgmt.Grant(nil)},
		{"Nested", usermgmt.Grant{Permissions: []usermgmt.Permission{}, Scope: usermgmt.Scope{GroupID: "g"}},
			usermgmt.Grant{Scope: usermgmt.Scope{GroupID: "g"}}, usermgmt.Grant{Scope: usermgmt.Scope{GroupID: "g"}}},
		{"ZeroTime", usermgmt.Counter{}, usermgmt.Counter{}, usermgmt.Counter{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.wantV, want(tc.in))
			assert.Equal(t, tc.gotV, got(tc.in))
		})
	}
}

func TestRace(t *testing.T) {
	t.Parallel()
	var hits [20]int
	errs := race(len(hits), func(i int) error { hits[i]++; return nil })
	assert.Len(t, errs, 20)
	for i, n := range hits {
		assert.Equal(t, 1, n, "call %d", i)
	}
}

func TestCanonLeavesInputAlone(t *testing.T) {
	t.Parallel()
	in := []usermgmt.User{{Services: []usermgmt.Channel{}, CreatedAt: time.Date(2025, 1, 2, 3, 4, 5, 999, time.UTC)}}
	_ = want(in)
	assert.NotNil(t, in[0].Services)
	assert.Equal(t, 999, in[0].CreatedAt.Nanosecond())
}
