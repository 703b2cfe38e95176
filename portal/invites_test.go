package portal_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
)

// tokenOf returns the token of the last link mailed to addr.
func (e *env) tokenOf(addr string) string {
	e.t.Helper()
	link := e.mails.LastLink(addr)
	require.NotEmpty(e.t, link, "no mail to %s", addr)
	u, err := url.Parse(link)
	require.NoError(e.t, err)
	return u.Query().Get("token")
}

func TestInvitationScreens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signIn(e.owner)
	code, body := e.get("/invitations")
	require.Equal(t, 200, code)
	assert.Contains(t, body, `<label for="f-emails">`)
	assert.Contains(t, body, "No pending invitations")

	code, body = e.post("/invitations", url.Values{"emails": {"ada@example.org, bob@example.org\nx@mailinator.com nope enda@example.com"},
		"group": {e.groupA.ID}})
	require.Equal(t, 200, code)
	assert.Contains(t, body, "Invitations sent.")
	assert.Contains(t, body, "disposable")
	assert.Contains(t, body, "already belongs to a user")
	assert.Contains(t, body, "nope")
	assert.Contains(t, body, "Resend")

	code, body = e.post("/invitations", url.Values{"emails": {""}})
	assert.Equal(t, 422, code)
	assert.Contains(t, body, "Please correct")

	// The invitee's page: looking does not consume; accepting does.
	tok := e.tokenOf("ada@example.org")
	anon := &env{t: t, srv: e.srv, client: &http.Client{}}
	for range 2 {
		code, body = anon.get("/invite?token=" + url.QueryEscape(tok))
		require.Equal(t, 200, code)
		assert.Contains(t, body, "ada@example.org")
	}
	form := url.Values{"token": {tok}, "first_name": {"Ada"}, "last_name": {"Lovelace"}, "username": {"ada.l"},
		"mobile_phone": {"+447911199999"}, "password": {"Secret-pw1"}, "confirm": {"Secret-pw2"}}
	code, body = anon.post("/invite", form)
	assert.Equal(t, 422, code)
	assert.Contains(t, body, `aria-describedby="e-confirm"`)
	form.Set("confirm", "Secret-pw1")
	code, body = anon.post("/invite", form)
	require.Equal(t, 200, code, body)
	assert.Contains(t, body, "Accepted.")
	code, body = anon.get("/invite?token=" + url.QueryEscape(tok))
	assert.Equal(t, 404, code)
	assert.Contains(t, body, "not valid")

	// Resend and remove what is still pending (bob).
	pending, _, err := e.inv.Pending(context.Background(), e.owner.ID, usermgmt.Page{})
	require.NoError(t, err)
	require.Len(t, pending, 1)
	code, body = e.post("/invitations/"+pending[0].ID+"/resend", nil)
	require.Equal(t, 200, code)
	assert.Contains(t, body, "Sent again.")
	code, body = e.post("/invitations/"+pending[0].ID+"/revoke", nil)
	require.Equal(t, 200, code)
	assert.Contains(t, body, "No pending invitations")

	// Admin A holds no invitations permission: the screen offers nothing
	// and a forged post is refused.
	a := &env{t: t, srv: e.srv, sms: e.sms, client: newClient()}
	a.signIn(e.admin)
	code, _ = a.post("/invitations", url.Values{"emails": {"c@example.org"}, "group": {e.groupA.ID}})
	assert.NotEqual(t, 200, code)
}

func TestActivationScreen(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.person("newbie")
	u, err := e.users.CreateUser(context.Background(), e.owner.ID, usermgmt.NewUser{User: p})
	require.NoError(t, err)
	_, err = e.inv.SendActivation(context.Background(), e.owner.ID, u.ID)
	require.NoError(t, err)
	tok := e.tokenOf(u.Email)
	code, body := e.get("/activate?token=" + url.QueryEscape(tok))
	require.Equal(t, 200, code)
	assert.Contains(t, body, "Choose your password")
	code, _ = e.post("/activate", url.Values{"token": {tok}, "password": {"short"}, "confirm": {"short"}})
	assert.Equal(t, 422, code)
	code, body = e.post("/activate", url.Values{"token": {tok}, "password": {"Secret-pw1"}, "confirm": {"Secret-pw1"}})
	require.Equal(t, 200, code)
	assert.Contains(t, body, "Your password is set")
	code, _ = e.get("/activate?token=garbage")
	assert.Equal(t, 404, code)
}

func TestOwnershipScreens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	_, other, err := e.users.CreateAccount(ctx, usermgmt.NewAccount{Name: "Other",
		Owner: usermgmt.NewUser{User: e.person("otherboss"), Password: "Secret-pw1"}})
	require.NoError(t, err)
	mover, err := e.users.CreateUser(ctx, other.ID, usermgmt.NewUser{User: e.person("mover"), Password: "Secret-pw1"})
	require.NoError(t, err)
	e.signIn(e.owner)
	code, body := e.get("/ownership")
	require.Equal(t, 200, code)
	assert.Contains(t, body, "No ownership requests")
	code, body = e.post("/ownership", url.Values{"user": {"mover"}, "group": {e.groupA.ID}})
	require.Equal(t, 200, code)
	assert.Contains(t, body, "pending")
	code, _ = e.post("/ownership", url.Values{"user": {""}})
	assert.Equal(t, 422, code)

	anon := &env{t: t, srv: e.srv, client: &http.Client{}}
	tok := e.tokenOf(mover.Email)
	code, body = anon.get("/ownership/confirm?token=" + url.QueryEscape(tok))
	require.Equal(t, 200, code)
	assert.Contains(t, body, "Acme")
	code, body = anon.post("/ownership/confirm", url.Values{"token": {tok}, "decision": {"accept"}})
	require.Equal(t, 200, code)
	assert.Contains(t, body, "Accepted.")
	code, body = e.get("/ownership")
	require.Equal(t, 200, code)
	assert.Contains(t, body, "accepted")
}

// upload posts a file to the import screen.
func (e *env) upload(name string, data []byte, fields map[string]string) (int, string) {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	require.NoError(e.t, err)
	_, _ = fw.Write(data)
	for k, v := range fields {
		require.NoError(e.t, mw.WriteField(k, v))
	}
	require.NoError(e.t, mw.Close())
	resp, err := e.client.Post(e.srv.URL+"/admin/import", mw.FormDataContentType(), &body)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestImportScreens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signIn(e.owner)
	code, body := e.get("/import")
	require.Equal(t, 200, code)
	assert.Contains(t, body, "Download Example")
	assert.Contains(t, body, `<label for="f-file">`)

	resp, err := e.client.Get(e.srv.URL + "/admin/import/template/users-template.csv")
	require.NoError(t, err)
	tpl, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	assert.Contains(t, string(tpl), "First Name")

	file := "First Name,Last Name,Login,Mobile Phone number,Email Address\n" +
		"Grace,Hopper,grace.h,+44 7911 000001,grace@example.net\n" +
		"=HYPERLINK(\"x\"),Turing,al,12,not-an-address\n"
	code, body = e.upload("people.csv", []byte(file), map[string]string{"group": e.groupA.ID})
	assert.Equal(t, 422, code)
	assert.Contains(t, body, "Nothing was imported")
	assert.Contains(t, body, "Download the errors file")
	i := strings.Index(body, "/admin/import/errors/")
	require.Positive(t, i)
	link := body[i : i+strings.Index(body[i:], `"`)]
	resp, err = e.client.Get(e.srv.URL + link)
	require.NoError(t, err)
	errs, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	assert.Contains(t, string(errs), "Errors")
	assert.Contains(t, string(errs), `'=HYPERLINK`, "formulas neutralised")

	good := "First Name,Last Name,Login,Mobile Phone number,Email Address\n" +
		"Grace,Hopper,grace.h,+44 7911 000001,grace@example.net\n"
	code, body = e.upload("people.csv", []byte(good), map[string]string{"group": e.groupA.ID, "dry_run": "1"})
	require.Equal(t, 200, code)
	assert.Contains(t, body, "dry run")
	code, body = e.upload("people.csv", []byte(good), map[string]string{"group": e.groupA.ID})
	require.Equal(t, 200, code)
	assert.Contains(t, body, "Users created: 1")
	code, body = e.upload("people.xls", []byte(good), nil)
	assert.Equal(t, 422, code)
	assert.Contains(t, body, "save the file as .xlsx or .csv")
}

func newClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}
