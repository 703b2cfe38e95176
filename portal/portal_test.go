package portal_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/auth"
	"github.com/rosterkit/roster/importer"
	"github.com/rosterkit/roster/invite"
	"github.com/rosterkit/roster/portal"
	"github.com/rosterkit/roster/sms/smstest"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/mail"
	"github.com/rosterkit/roster/usermgmt/memstore"
)

type plain struct{}

func (plain) Hash(_ context.Context, pw string) (string, error) { return "plain$" + pw, nil }
func (plain) Verify(_ context.Context, enc, pw string) (bool, bool, error) {
	return enc == "plain$"+pw, false, nil
}

type env struct {
	t      *testing.T
	srv    *httptest.Server
	users  *usermgmt.Service
	inv    *invite.Service
	sms    *smstest.Recorder
	mails  *mail.Recorder
	client *http.Client
	owner  usermgmt.User
	admin  usermgmt.User
	end    usermgmt.User
	other  usermgmt.User
	acct   usermgmt.Account
	groupA usermgmt.Group
	seq    atomic.Int64
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, sms: &smstest.Recorder{}, mails: &mail.Recorder{}}
	var err error
	e.users, err = usermgmt.New(usermgmt.Config{Store: memstore.New(), Hasher: plain{}})
	require.NoError(t, err)
	ctx := context.Background()
	e.acct, e.owner, err = e.users.CreateAccount(ctx, usermgmt.NewAccount{Name: "Acme", SeatLimit: 20,
		Owner: usermgmt.NewUser{User: e.person("owner"), Password: "Secret-pw1"}})
	require.NoError(t, err)
	e.groupA, err = e.users.CreateGroup(ctx, e.owner.ID, e.acct.RootGroupID, "Team A")
	require.NoError(t, err)
	groupB, err := e.users.CreateGroup(ctx, e.owner.ID, e.acct.RootGroupID, "Team B")
	require.NoError(t, err)
	mk := func(name, group string) usermgmt.User {
		p := e.person(name)
		p.GroupID = group
		u, err := e.users.CreateUser(ctx, e.owner.ID, usermgmt.NewUser{User: p, Password: "Secret-pw1"})
		require.NoError(t, err)
		return u
	}
	e.admin, e.end, e.other = mk("admina", e.groupA.ID), mk("enda", e.groupA.ID), mk("endb", groupB.ID)
	_, err = e.users.Grant(ctx, e.owner.ID, e.admin.ID, usermgmt.Scope{GroupID: e.groupA.ID},
		[]usermgmt.Permission{usermgmt.PermUsers, usermgmt.PermGroups})
	require.NoError(t, err)
	au, err := auth.New(auth.Config{Users: e.users, Hasher: plain{}, SMS: e.sms, Mailer: e.mails,
		CodeKey: []byte(strings.Repeat("k", 32)), ResetURL: func(tok string) string { return "http://portal/reset?token=" + tok }})
	require.NoError(t, err)
	e.inv, err = invite.New(invite.Config{Users: e.users, Hasher: plain{}, Mailer: e.mails, SMS: e.sms, BaseURL: "http://portal"})
	require.NoError(t, err)
	imp, err := importer.New(importer.Config{Users: e.users, Invites: e.inv})
	require.NoError(t, err)
	p, err := portal.New(portal.Config{Users: e.users, Auth: au, Invites: e.inv, Importer: imp, InsecureCookies: true, Prefix: "/admin"})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/admin/", http.StripPrefix("/admin", p))
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	jar, _ := cookiejar.New(nil)
	e.client = &http.Client{Jar: jar}
	return e
}

func (e *env) person(name string) usermgmt.User {
	n := e.seq.Add(1)
	return usermgmt.User{Username: name, FirstName: "F" + name, LastName: "L", Email: name + "@example.com",
		MobilePhone: fmt.Sprintf("+4479111%05d", n)}
}

func (e *env) get(path string) (int, string) {
	e.t.Helper()
	resp, err := e.client.Get(e.srv.URL + "/admin" + path)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (e *env) post(path string, form url.Values) (int, string) {
	e.t.Helper()
	resp, err := e.client.PostForm(e.srv.URL+"/admin"+path, form)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (e *env) signIn(u usermgmt.User) {
	e.t.Helper()
	code, body := e.post("/login", url.Values{"username": {u.Username}, "password": {"Secret-pw1"}})
	require.Equal(e.t, 200, code)
	require.Contains(e.t, body, "Enter Verification Code")
	code, body = e.post("/login/pin", url.Values{"code": {e.sms.LastCode(u.MobilePhone)}})
	require.Equal(e.t, 200, code)
	require.Contains(e.t, body, "registered users")
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	code, body := e.get("/users")
	assert.Equal(t, 200, code)
	assert.Contains(t, body, `<label for="f-username">Username`, "an anonymous visitor lands on sign in")
	code, body = e.post("/login", url.Values{"username": {"admina"}, "password": {"wrong"}})
	assert.Equal(t, 401, code)
	assert.Contains(t, body, "not right")
	e.post("/login", url.Values{"username": {"admina"}, "password": {"Secret-pw1"}})
	code, body = e.post("/login/pin", url.Values{"code": {"000000x"}})
	assert.Equal(t, 401, code)
	assert.Contains(t, body, `aria-describedby="e-code"`, "the error is tied to its input")
	code, _ = e.post("/login/pin", url.Values{"code": {e.sms.LastCode(e.admin.MobilePhone)}})
	assert.Equal(t, 200, code)
	code, body = e.get("/users")
	assert.Equal(t, 200, code)
	assert.Contains(t, body, "4 of 20</strong> licences used", "the licence count is always in view")
	assert.Contains(t, body, "enda")
	assert.NotContains(t, body, "endb", "only the admin's subtree")
	code, body = e.post("/logout", nil)
	assert.Equal(t, 200, code)
	assert.Contains(t, body, "You are signed out")
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	resp, err := e.client.Get(e.srv.URL + "/admin/login")
	require.NoError(t, err)
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	assert.Contains(t, csp, "script-src 'self'")
	assert.NotContains(t, csp, "unsafe-inline")
	assert.Contains(t, csp, "frame-ancestors 'none'")
	assert.Equal(t, "DENY", resp.Header.Get("X-Frame-Options"))

	e.signIn(e.owner)
	req, _ := http.NewRequest("POST", e.srv.URL+"/admin/users/"+e.end.ID+"/status", strings.NewReader("action=disable"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	resp, err = e.client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	u, err := e.users.GetUser(t.Context(), e.owner.ID, e.end.ID)
	require.NoError(t, err)
	assert.Equal(t, usermgmt.StatusActive, u.Status, "a forged cross-site POST changes nothing")
}

func TestUserScreens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signIn(e.admin)
	code, body := e.get("/users/new")
	assert.Equal(t, 200, code)
	for _, f := range []string{"first_name", "last_name", "username", "password", "mobile_phone", "email",
		"business_phone", "company", "customer_code", "udid"} {
		assert.Contains(t, body, `<label for="f-`+f+`"`, "every seed field has a label: %s", f)
	}
	form := url.Values{"first_name": {"New"}, "last_name": {"Person"}, "username": {"newbie"}, "password": {"Secret-pw9"},
		"mobile_phone": {"12"}, "email": {"newbie@example.com"}, "group": {e.groupA.ID}, "service_level": {"pro"}}
	code, body = e.post("/users/new", form)
	assert.Equal(t, 422, code)
	assert.Contains(t, body, `id="e-mobile_phone"`, "the error stands beside the bad phone")
	assert.Contains(t, body, `aria-describedby="e-mobile_phone"`)
	assert.Contains(t, body, `value="newbie"`, "the form keeps what was typed")
	form.Set("mobile_phone", "+44 7911 123999")
	code, body = e.post("/users/new", form)
	require.Equal(t, 200, code, body)
	assert.Contains(t, body, "Saved.")
	assert.Contains(t, body, "447911123999")
	list, _, err := e.users.ListUsers(t.Context(), e.admin.ID, usermgmt.UserQuery{Query: "newbie"}, usermgmt.Page{})
	require.NoError(t, err)
	require.Len(t, list, 1)
	id := list[0].ID

	// Edit, including the mobile number.
	edit := url.Values{"first_name": {"Renamed"}, "last_name": {"Person"}, "email": {"newbie@example.com"},
		"mobile_phone": {"+44 7911 123998"}, "service_level": {"archive"}, "group": {e.groupA.ID}, "type": {"end_user"}}
	code, body = e.post("/users/"+id, edit)
	require.Equal(t, 200, code, body)
	assert.Contains(t, body, `value="Renamed"`)
	assert.Contains(t, body, "447911123998")

	code, body = e.post("/users/"+id+"/status", url.Values{"action": {"suspend"}})
	require.Equal(t, 200, code)
	assert.Contains(t, body, "The user is suspended.")
	code, _ = e.post("/users/"+id+"/status", url.Values{"action": {"unsuspend"}})
	require.Equal(t, 200, code)
	code, body = e.post("/users/"+id+"/status", url.Values{"action": {"disable"}})
	require.Equal(t, 200, code)
	assert.Contains(t, body, "disabled")
	code, _ = e.post("/users/"+id+"/status", url.Values{"action": {"enable"}})
	require.Equal(t, 200, code)

	code, body = e.get("/users/" + id + "/delete")
	require.Equal(t, 200, code)
	assert.Contains(t, body, "Delete erases")
	assert.Contains(t, body, "Delete keeps")
	code, body = e.post("/users/"+id+"/delete", url.Values{"confirm": {"yes"}})
	require.Equal(t, 200, code)
	assert.Contains(t, body, "Deleted.")

	code, _ = e.get("/users/" + e.other.ID)
	assert.Equal(t, 404, code, "outside the admin's scope reads as missing")

	code, body = e.get("/users/" + e.end.ID + "/log")
	assert.Equal(t, 200, code)
	assert.Contains(t, body, "user.create")

	// Bulk delete asks first.
	code, body = e.post("/users/delete", url.Values{"id": {e.end.ID}})
	require.Equal(t, 200, code)
	assert.Contains(t, body, "You are about to delete permanently")
	code, _ = e.post("/users/delete", url.Values{"id": {e.end.ID}, "confirm": {"yes"}})
	require.Equal(t, 200, code)
}

func TestAccessEditorOffersOnlyWhatIsHeld(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signIn(e.admin)
	code, body := e.get("/users/" + e.end.ID + "/access")
	require.Equal(t, 200, code)
	assert.Contains(t, body, `value="users"`)
	assert.Contains(t, body, `value="groups"`)
	assert.NotContains(t, body, `value="settings"`, "adminA does not hold settings")
	assert.NotContains(t, body, `value="pricing"`)
	code, body = e.post("/users/"+e.end.ID+"/access", url.Values{"group": {e.groupA.ID}, "permission": {"users"}})
	require.Equal(t, 200, code)
	assert.Contains(t, body, "Access granted.")
	code, body = e.post("/users/"+e.end.ID+"/access", url.Values{"group": {e.groupA.ID}, "permission": {"settings"}})
	assert.Equal(t, 422, code, "a forged form asking for more is refused")
	assert.Contains(t, body, "You may not do that")
}

func TestGroupsAndAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signIn(e.owner)
	code, body := e.post("/groups", url.Values{"parent": {e.groupA.ID}, "name": {"Night shift"}})
	require.Equal(t, 200, code)
	assert.Contains(t, body, "Night shift")
	code, body = e.post("/groups", url.Values{"parent": {e.groupA.ID}, "name": {""}})
	assert.Equal(t, 422, code)
	assert.Contains(t, body, "name")
	code, _ = e.post("/groups/"+e.groupA.ID+"/delete", nil)
	assert.Equal(t, 422, code, "not empty")

	code, body = e.get("/account")
	require.Equal(t, 200, code)
	assert.Contains(t, body, `name="two_factor" checked`)
	code, body = e.post("/account", url.Values{"name": {"Acme Ltd"}, "country": {"gb"}, "service_level": {"pro"}})
	require.Equal(t, 200, code)
	assert.Contains(t, body, `value="GB"`)
	assert.NotContains(t, body, `name="two_factor" checked`, "the SMS PIN is switched off")
	code, body = e.post("/account", url.Values{"name": {"Acme Ltd"}, "country": {"Atlantis"}})
	assert.Equal(t, 422, code)
	assert.Contains(t, body, `id="e-country"`)
}

func TestRecoveryScreens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	code, body := e.post("/forgot-password", url.Values{"login": {"enda"}})
	assert.Equal(t, 200, code)
	assert.Contains(t, body, "If the account exists")
	_, body2 := e.post("/forgot-password", url.Values{"login": {"ghost"}})
	assert.Equal(t, body, body2, "the same page whether or not the user exists")
	link := e.mails.LastLink(e.end.Email)
	u, err := url.Parse(link)
	require.NoError(t, err)
	tok := u.Query().Get("token")
	code, body = e.get("/reset?token=" + url.QueryEscape(tok))
	require.Equal(t, 200, code)
	assert.Contains(t, body, `type="hidden" name="token"`)
	code, _ = e.post("/reset", url.Values{"token": {tok}, "password": {"New-pass-99"}, "confirm": {"Other-pass-99"}})
	assert.Equal(t, 422, code)
	code, body = e.post("/reset", url.Values{"token": {tok}, "password": {"New-pass-99"}, "confirm": {"New-pass-99"}})
	require.Equal(t, 200, code)
	assert.Contains(t, body, "Your password is set")
	code, _ = e.post("/reset", url.Values{"token": {tok}, "password": {"New-pass-99"}, "confirm": {"New-pass-99"}})
	assert.Equal(t, 404, code, "a used link")
	code, body = e.post("/forgot-username", url.Values{"email": {e.other.Email}})
	assert.Equal(t, 200, code)
	assert.Contains(t, body, "If the address is known")
}
