package httpapi_test

import (
	"context"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/httpapi"
	"github.com/rosterkit/roster/invite"
	"github.com/rosterkit/roster/usermgmt"
)

var inviteOperations = []string{"createInvitations", "listInvitations", "resendInvitation", "revokeInvitation",
	"createUserWithWelcome", "sendActivation", "sendLoginDetails", "requestOwnership", "listOwnershipRequests",
	"lookupInvitation", "lookupActivation", "lookupOwnership", "acceptInvitation", "activateUser",
	"acceptOwnership", "declineOwnership"}

// token returns the token of the last link mailed to addr.
func (e *env) token(addr string) string {
	e.t.Helper()
	link := e.mails.LastLink(addr)
	require.NotEmpty(e.t, link, "no mail to %s", addr)
	u, err := url.Parse(link)
	require.NoError(e.t, err)
	tok := u.Query().Get("token")
	require.NotEmpty(e.t, tok)
	return tok
}

func TestInvitations(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner, adminA := e.owner.ID, e.adminA.ID

	var res invite.Result
	resp := e.do(owner, "POST", "/invitations", invite.Request{
		Emails: []string{"ada@example.org", "bob@example.org", "x@mailinator.com", "enda@example.com", "nope"}}, &res)
	require.Equal(t, 200, resp.StatusCode)
	require.Len(t, res.Invited, 2)
	reasons := map[string]invite.Reason{}
	for _, s := range res.Skipped {
		reasons[s.Email] = s.Reason
	}
	assert.Equal(t, map[string]invite.Reason{"x@mailinator.com": invite.ReasonDisposable,
		"enda@example.com": invite.ReasonExistingUser, "nope": invite.ReasonInvalid}, reasons)

	assert.Equal(t, 422, e.do(owner, "POST", "/invitations", invite.Request{}, nil).StatusCode, "no address")
	assert.Equal(t, 400, e.do(owner, "POST", "/invitations", map[string]any{"emails": []string{"a@b.c"}, "extra": 1}, nil).StatusCode)
	assert.Equal(t, 404, e.do(adminA, "POST", "/invitations", invite.Request{Emails: []string{"c@example.org"}, Group: e.groupB.ID}, nil).StatusCode,
		"a group outside the admin's scope")
	assert.Equal(t, 401, e.do("", "POST", "/invitations", invite.Request{Emails: []string{"c@example.org"}}, nil).StatusCode)

	var pending httpapi.Page[invite.Record]
	require.Equal(t, 200, e.do(owner, "GET", "/invitations?limit=10", nil, &pending).StatusCode)
	require.Len(t, pending.Items, 2)
	assert.Equal(t, 401, e.do("", "GET", "/invitations", nil, nil).StatusCode)

	ada := res.Invited[0]
	first := e.token(ada.Email)
	var rec invite.Record
	require.Equal(t, 200, e.do(owner, "POST", "/invitations/"+ada.ID+"/resend", nil, &rec).StatusCode)
	assert.Equal(t, 2, rec.Sends)
	assert.Equal(t, 404, e.do(owner, "POST", "/invitations/nothing/resend", nil, nil).StatusCode)
	second := e.token(ada.Email)
	assert.NotEqual(t, first, second, "a resend rotates the link")

	// The link: looked up (mail scanners) without being consumed, then
	// accepted once.
	var inv invite.Invitation
	require.Equal(t, 200, e.do("", "POST", "/links/invitation", httpapi.TokenInput{Token: second}, &inv).StatusCode)
	assert.Equal(t, "ada@example.org", inv.Email)
	require.Equal(t, 200, e.do("", "POST", "/links/invitation", httpapi.TokenInput{Token: second}, &inv).StatusCode)
	assert.Equal(t, 404, e.do("", "POST", "/links/invitation", httpapi.TokenInput{Token: first}, nil).StatusCode, "the old link")
	acc := httpapi.AcceptInput{Token: second, Acceptance: invite.Acceptance{FirstName: "Ada", LastName: "Lovelace",
		Username: "ada.l", Password: "Secret-pw1", MobilePhone: "+447911199999"}}
	bad := acc
	bad.Username = "x"
	assert.Equal(t, 422, e.do("", "POST", "/links/invitation/accept", bad, nil).StatusCode)
	var user usermgmt.User
	require.Equal(t, 201, e.do("", "POST", "/links/invitation/accept", acc, &user).StatusCode)
	assert.Equal(t, usermgmt.StatusActive, user.Status)
	assert.Equal(t, 410, e.do("", "POST", "/links/invitation/accept", acc, nil).StatusCode, "used")

	bob := res.Invited[1]
	assert.Equal(t, 403, e.do(adminA, "DELETE", "/invitations/"+bob.ID, nil, nil).StatusCode, "admin A holds no invitations permission")
	require.Equal(t, 204, e.do(owner, "DELETE", "/invitations/"+bob.ID, nil, nil).StatusCode)
	assert.Equal(t, 410, e.do("", "POST", "/links/invitation", httpapi.TokenInput{Token: e.token(bob.Email)}, nil).StatusCode,
		"a revoked link is gone")
}

func TestActivationAndLoginDetails(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	adminA := e.adminA.ID
	p := e.person("newbie")
	p.GroupID = e.groupA.ID
	var created invite.Created
	require.Equal(t, 201, e.do(adminA, "POST", "/users/invite", httpapi.CreateUserInvite{NewUser: usermgmt.NewUser{User: p},
		CreateOptions: invite.CreateOptions{SendWelcome: true}}, &created).StatusCode)
	assert.Equal(t, usermgmt.StatusPending, created.User.Status)
	require.NotNil(t, created.Link)
	bad := p
	bad.Username = "nb"
	assert.Equal(t, 422, e.do(adminA, "POST", "/users/invite", httpapi.CreateUserInvite{NewUser: usermgmt.NewUser{User: bad}}, nil).StatusCode)
	out := e.person("outsider")
	out.GroupID = e.groupB.ID
	assert.Equal(t, 404, e.do(adminA, "POST", "/users/invite", httpapi.CreateUserInvite{NewUser: usermgmt.NewUser{User: out}}, nil).StatusCode)

	var sent invite.Sent
	require.Equal(t, 200, e.do(adminA, "POST", "/users/"+created.User.ID+"/activation", nil, &sent).StatusCode)
	assert.Equal(t, 404, e.do(adminA, "POST", "/users/"+e.endB.ID+"/activation", nil, nil).StatusCode)
	assert.Equal(t, 401, e.do("", "POST", "/users/"+created.User.ID+"/activation", nil, nil).StatusCode)
	require.Equal(t, 200, e.do(adminA, "POST", "/users/"+created.User.ID+"/login-details", nil, &sent).StatusCode)
	msg, ok := e.sms.Last(created.User.MobilePhone)
	require.True(t, ok)
	assert.Contains(t, msg.Body, created.User.Username)
	assert.NotContains(t, msg.Body, "Secret")
	assert.Equal(t, 404, e.do(adminA, "POST", "/users/"+e.endB.ID+"/login-details", nil, nil).StatusCode)

	// The SMS replaced the mailed link: a user has one set-password link.
	m := regexp.MustCompile(`token=([A-Za-z0-9_-]+)`).FindStringSubmatch(msg.Body)
	require.Len(t, m, 2, msg.Body)
	tok := m[1]
	assert.Equal(t, 404, e.do("", "POST", "/links/activation", httpapi.TokenInput{Token: e.token(created.User.Email)}, nil).StatusCode)
	var look invite.Invitation
	require.Equal(t, 200, e.do("", "POST", "/links/activation", httpapi.TokenInput{Token: tok}, &look).StatusCode)
	assert.Equal(t, created.User.Username, look.Username)
	assert.Equal(t, 422, e.do("", "POST", "/links/activation/accept", httpapi.ActivateInput{Token: tok, Password: "short"}, nil).StatusCode)
	var user usermgmt.User
	require.Equal(t, 200, e.do("", "POST", "/links/activation/accept", httpapi.ActivateInput{Token: tok, Password: "Secret-pw1"}, &user).StatusCode)
	assert.Equal(t, usermgmt.StatusActive, user.Status)
	assert.Equal(t, 410, e.do("", "POST", "/links/activation/accept", httpapi.ActivateInput{Token: tok, Password: "Secret-pw1"}, nil).StatusCode)
}

func TestOwnershipRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	_, other, err := e.users.CreateAccount(ctx, usermgmt.NewAccount{Name: "Other",
		Owner: usermgmt.NewUser{User: e.person("otherboss"), Password: "Secret-pw1"}})
	require.NoError(t, err)
	mk := func(name string) usermgmt.User {
		u, err := e.users.CreateUser(ctx, other.ID, usermgmt.NewUser{User: e.person(name), Password: "Secret-pw1"})
		require.NoError(t, err)
		return u
	}
	stays, moves := mk("stays"), mk("moves")

	var rec invite.OwnershipRecord
	require.Equal(t, 201, e.do(e.owner.ID, "POST", "/ownership-requests", invite.OwnershipRequest{User: moves.Username, Group: e.groupA.ID}, &rec).StatusCode)
	assert.Equal(t, invite.StatePending, rec.State)
	require.Equal(t, 201, e.do(e.owner.ID, "POST", "/ownership-requests", invite.OwnershipRequest{User: stays.Email}, nil).StatusCode)
	assert.Equal(t, 422, e.do(e.owner.ID, "POST", "/ownership-requests", invite.OwnershipRequest{}, nil).StatusCode)
	assert.Equal(t, 404, e.do(e.adminA.ID, "POST", "/ownership-requests", invite.OwnershipRequest{User: "nobody-here", Group: e.groupB.ID}, nil).StatusCode)
	assert.Equal(t, 401, e.do("", "GET", "/ownership-requests", nil, nil).StatusCode)

	var look invite.Invitation
	require.Equal(t, 200, e.do("", "POST", "/links/ownership", httpapi.TokenInput{Token: e.token(moves.Email)}, &look).StatusCode)
	assert.Equal(t, "Acme", look.AccountName)
	var moved usermgmt.User
	require.Equal(t, 200, e.do("", "POST", "/links/ownership/accept", httpapi.TokenInput{Token: e.token(moves.Email)}, &moved).StatusCode)
	assert.Equal(t, e.acct.ID, moved.AccountID)
	require.Equal(t, 204, e.do("", "POST", "/links/ownership/decline", httpapi.TokenInput{Token: e.token(stays.Email)}, nil).StatusCode)
	assert.Equal(t, 404, e.do("", "POST", "/links/ownership/decline", httpapi.TokenInput{Token: "garbage"}, nil).StatusCode)

	var list httpapi.Page[invite.OwnershipRecord]
	require.Equal(t, 200, e.do(e.owner.ID, "GET", "/ownership-requests", nil, &list).StatusCode)
	states := map[string]invite.State{}
	for _, r := range list.Items {
		states[r.Label] = r.State
	}
	assert.ElementsMatch(t, []invite.State{invite.StateAccepted, invite.StateDeclined}, mapValues(states))
}

func mapValues[K comparable, V any](m map[K]V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
