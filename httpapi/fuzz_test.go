package httpapi

import (
	"errors"
	"net/http"
	"testing"

	"github.com/rosterkit/roster/invite"
	"github.com/rosterkit/roster/usermgmt"
)

// FuzzDecodeStrict feeds arbitrary bodies to the strict JSON decoder for
// the request types of the API: it never panics, and a refusal is always
// a 400 with a message.
func FuzzDecodeStrict(f *testing.F) {
	for _, seed := range []string{
		`{"username":"ada","first_name":"Ada","last_name":"L","email":"a@b.c","mobile_phone":"+447911123456"}`,
		`{"emails":["a@b.c"],"permissions":["users"],"scope":{"group_id":"g"}}`,
		`{"token":"x","first_name":"A","password":"p"}`,
		`{"username":1}`, `{"unknown":true}`, `{} {}`, `[`, `null`, `"\ud800"`, `{"services":["sms","fax",null]}`,
		`{"settings":{"a":"b"},"until":"2026-13-01T00:00:00Z"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, v := range []any{&usermgmt.NewUser{}, &usermgmt.UserUpdate{}, &invite.Request{}, &AcceptInput{},
			&GrantInput{}, &SuspendInput{}, &usermgmt.AccountUpdate{}, &CreateUserInvite{}} {
			err := decodeStrict(body, v)
			if err == nil {
				continue
			}
			var re *requestError
			if !errors.As(err, &re) || re.status != http.StatusBadRequest || re.detail == "" {
				t.Fatalf("decode %T of %q: %v, want a 400 with a message", v, body, err)
			}
		}
	})
}
