package httpapi_test

import (
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/auth"
	"github.com/rosterkit/roster/httpapi"
	"github.com/rosterkit/roster/usermgmt"
)

// signIn logs u in over HTTP through the PIN step with a fresh cookie jar.
func (e *env) signIn(t *testing.T, u usermgmt.User) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	e.client = &http.Client{Jar: jar}
	var out httpapi.LoginOutcome
	resp := e.do("", "POST", "/auth/login", httpapi.LoginInput{Login: u.Username, Password: "Secret-pw1"}, &out)
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "pin_required", out.Status)
	assert.NotContains(t, out.Phone, u.MobilePhone[3:], "the phone is masked")
	for _, c := range resp.Cookies() {
		assert.True(t, c.HttpOnly, c.Name)
		assert.Equal(t, http.SameSiteLaxMode, c.SameSite, c.Name)
		assert.Empty(t, c.Domain, "host-only")
	}
	old := e.sms.LastCode(u.MobilePhone)
	resp = e.do("", "POST", "/auth/pin/resend", nil, &out)
	require.Equal(t, 200, resp.StatusCode)
	code := e.sms.LastCode(u.MobilePhone)
	if code != old {
		assert.Equal(t, 401, e.do("", "POST", "/auth/pin", httpapi.PINInput{Code: old}, nil).StatusCode, "a resend voids the old PIN")
	}
	resp = e.do("", "POST", "/auth/pin", httpapi.PINInput{Code: code}, &out)
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "signed_in", out.Status)
	return e.client
}

func TestLoginFlowOverHTTP(t *testing.T) {
	t.Parallel()
	e := newAuthEnv(t)
	resp := e.do("", "GET", "/me", nil, nil)
	assert.Equal(t, 401, resp.StatusCode)

	e.signIn(t, e.endA)
	var me httpapi.MeView
	resp = e.do("", "GET", "/me", nil, &me)
	require.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, e.endA.ID, me.User.ID)

	// A wrong PIN, then the session of a suspended user ends on the next request.
	resp = e.do("", "POST", "/auth/pin", httpapi.PINInput{Code: "000000"}, nil)
	assert.Equal(t, 401, resp.StatusCode, "no challenge left")
	_, err := e.users.Suspend(t.Context(), e.owner.ID, e.endA.ID, time.Time{})
	require.NoError(t, err)
	resp = e.do("", "GET", "/me", nil, nil)
	assert.Equal(t, 401, resp.StatusCode, "a status change ends every session on the next request")

	// Wrong password: 401, same body for an unknown user.
	e.client = nil
	a := problem(t, e.do("", "POST", "/auth/login", httpapi.LoginInput{Login: "enda", Password: "nope"}, nil))
	b := problem(t, e.do("", "POST", "/auth/login", httpapi.LoginInput{Login: "ghost", Password: "nope"}, nil))
	a.RequestID, b.RequestID = "", ""
	assert.Equal(t, a, b)
}

func TestLogoutAndPasswords(t *testing.T) {
	t.Parallel()
	e := newAuthEnv(t)
	e.signIn(t, e.adminA)
	assert.Equal(t, 200, e.do("", "GET", "/users/"+e.endA.ID+"/sessions", nil, nil).StatusCode)
	assert.Equal(t, 204, e.do("", "DELETE", "/users/"+e.endA.ID+"/sessions", nil, nil).StatusCode)
	assert.Equal(t, 204, e.do("", "PUT", "/users/"+e.endA.ID+"/password", httpapi.SetPasswordInput{Password: "Brand-new-pw2"}, nil).StatusCode)
	assert.Equal(t, 422, e.do("", "PUT", "/users/"+e.endA.ID+"/password", httpapi.SetPasswordInput{Password: "weak"}, nil).StatusCode)
	assert.Equal(t, 404, e.do("", "PUT", "/users/"+e.endB.ID+"/password", httpapi.SetPasswordInput{Password: "Brand-new-pw2"}, nil).StatusCode)
	assert.Equal(t, 202, e.do("", "POST", "/users/"+e.endA.ID+"/password-reset", nil, nil).StatusCode)
	assert.NotEmpty(t, e.mails.LastLink(e.endA.Email))
	assert.Equal(t, 404, e.do("", "POST", "/users/"+e.endB.ID+"/password-reset", nil, nil).StatusCode)
	var u usermgmt.User
	assert.Equal(t, 200, e.do("", "PATCH", "/me", usermgmt.ProfileUpdate{FriendlyName: ptr("A-team lead")}, &u).StatusCode)
	assert.Equal(t, "A-team lead", u.FriendlyName)
	assert.Equal(t, 401, e.do("", "POST", "/me/password", httpapi.ChangePasswordInput{OldPassword: "bad", NewPassword: "Brand-new-pw3"}, nil).StatusCode)
	assert.Equal(t, 204, e.do("", "POST", "/me/password", httpapi.ChangePasswordInput{OldPassword: "Secret-pw1", NewPassword: "Brand-new-pw3"}, nil).StatusCode)
	assert.Equal(t, 200, e.do("", "GET", "/me", nil, nil).StatusCode, "the client that changed the password keeps a fresh session")
	assert.Equal(t, 204, e.do("", "POST", "/auth/logout", nil, nil).StatusCode)
	assert.Equal(t, 401, e.do("", "GET", "/me", nil, nil).StatusCode)
}

func TestRecoveryOverHTTP(t *testing.T) {
	t.Parallel()
	e := newAuthEnv(t)
	var known, unknown httpapi.Accepted
	assert.Equal(t, 202, e.do("", "POST", "/auth/password/forgot", httpapi.ForgotPasswordInput{Login: "enda"}, &known).StatusCode)
	assert.Equal(t, 202, e.do("", "POST", "/auth/password/forgot", httpapi.ForgotPasswordInput{Login: "ghost"}, &unknown).StatusCode)
	assert.Equal(t, known, unknown, "the same answer whether or not the user exists")
	link := e.mails.LastLink(e.endA.Email)
	_, tok, _ := strings.Cut(link, "?t=")
	assert.Equal(t, 422, e.do("", "POST", "/auth/password/reset", httpapi.ResetInput{Token: tok, Password: "weak"}, nil).StatusCode)
	assert.Equal(t, 204, e.do("", "POST", "/auth/password/reset", httpapi.ResetInput{Token: tok, Password: "Brand-new-pw4"}, nil).StatusCode)
	assert.Equal(t, 410, e.do("", "POST", "/auth/password/reset", httpapi.ResetInput{Token: tok, Password: "Brand-new-pw4"}, nil).StatusCode)
	assert.Equal(t, 404, e.do("", "POST", "/auth/password/reset", httpapi.ResetInput{Token: "nope", Password: "Brand-new-pw4"}, nil).StatusCode)
	assert.Equal(t, 202, e.do("", "POST", "/auth/username/forgot", httpapi.ForgotUsernameInput{Email: e.endB.Email}, nil).StatusCode)
	m, ok := e.mails.Last(e.endB.Email)
	require.True(t, ok)
	assert.Contains(t, m.Text, "endb")
	resp := e.do("", "POST", "/auth/pin/resend", nil, nil)
	assert.Equal(t, 401, resp.StatusCode, "no challenge to resend")
}

func TestAPIKeysOverHTTP(t *testing.T) {
	t.Parallel()
	e := newAuthEnv(t)
	sys, err := e.users.CreateUser(t.Context(), e.owner.ID, usermgmt.NewUser{User: usermgmt.User{Kind: usermgmt.KindSystem,
		Username: "crm2sms", FirstName: "CRM", LastName: "Link", GroupID: e.groupA.ID}})
	require.NoError(t, err)
	_, err = e.users.Grant(t.Context(), e.owner.ID, sys.ID, usermgmt.Scope{GroupID: e.groupA.ID}, []usermgmt.Permission{usermgmt.PermUsers})
	require.NoError(t, err)
	e.signIn(t, e.adminA)
	var k auth.NewKey
	require.Equal(t, 201, e.do("", "POST", "/users/"+sys.ID+"/api-keys", httpapi.APIKeyInput{Name: "CRM"}, &k).StatusCode)
	assert.Equal(t, 422, e.do("", "POST", "/users/"+sys.ID+"/api-keys", httpapi.APIKeyInput{}, nil).StatusCode)
	var keys []usermgmt.Session
	require.Equal(t, 200, e.do("", "GET", "/users/"+sys.ID+"/api-keys", nil, &keys).StatusCode)
	require.Len(t, keys, 1)

	// The key acts as the system user, with its grants.
	req, err := http.NewRequest("GET", e.srv.URL+"/users/"+e.endA.ID, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+k.Key)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	req.URL.Path = "/users/" + e.endB.ID
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 404, resp.StatusCode, "outside the system user's scope")

	assert.Equal(t, 204, e.do("", "DELETE", "/users/"+sys.ID+"/api-keys/"+keys[0].ID, nil, nil).StatusCode)
	req.URL.Path = "/users/" + e.endA.ID
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 401, resp.StatusCode, "a revoked key")
}
