package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/httpapi"
	"github.com/rosterkit/roster/usermgmt"
)

// TestAdminRoutes runs every admin route: success, a validation error
// where the route takes input, an actor outside the target's scope, and
// no actor at all. It ends by checking that every route of the OpenAPI
// document was answered with a success at least once.
func TestAdminRoutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner, adminA := e.owner.ID, e.adminA.ID

	// Numbers and aliases to work with.
	var num usermgmt.Number
	require.Equal(t, 201, e.do(owner, "POST", "/numbers", httpapi.NumberInput{Number: "+447911000001", Label: "main"}, &num).StatusCode)

	type tc struct {
		name         string
		actor        string
		method, path string
		body         any
		want         int
	}
	var created usermgmt.User
	cases := []tc{
		{"me", adminA, "GET", "/me", nil, 200},
		{"account", owner, "GET", "/account", nil, 200},
		{"account update", owner, "PATCH", "/account", usermgmt.AccountUpdate{TwoFactor: ptr(true)}, 200},
		{"account update invalid", owner, "PATCH", "/account", map[string]any{"defaults": map[string]any{"country": "XX"}}, 422},
		{"account update out of scope", adminA, "PATCH", "/account", usermgmt.AccountUpdate{TwoFactor: ptr(false)}, 403},
		{"account events", owner, "GET", "/account/events?limit=5", nil, 200},
		{"account events refused", adminA, "GET", "/account/events", nil, 403},
		{"address book", e.endA.ID, "GET", "/account/address-book", nil, 200},
		{"groups", adminA, "GET", "/groups", nil, 200},
		{"group create", adminA, "POST", "/groups", httpapi.GroupInput{ParentID: e.groupA.ID, Name: "A1"}, 201},
		{"group create invalid", adminA, "POST", "/groups", httpapi.GroupInput{ParentID: e.groupA.ID, Name: ""}, 422},
		{"group create out of scope", adminA, "POST", "/groups", httpapi.GroupInput{ParentID: e.groupB.ID, Name: "X"}, 404},
		{"group rename", adminA, "PATCH", "/groups/" + e.groupA.ID, httpapi.GroupChange{Name: ptr("Team A")}, 200},
		{"group rename out of scope", adminA, "PATCH", "/groups/" + e.groupB.ID, httpapi.GroupChange{Name: ptr("Mine")}, 404},
		{"users", adminA, "GET", "/users?status=active&limit=10", nil, 200},
		{"users bad limit", adminA, "GET", "/users?limit=0", nil, 400},
		{"user get", adminA, "GET", "/users/" + e.endA.ID, nil, 200},
		{"user get out of scope", adminA, "GET", "/users/" + e.endB.ID, nil, 404},
		{"user get missing", adminA, "GET", "/users/nobody", nil, 404},
		{"user update", adminA, "PATCH", "/users/" + e.endA.ID, usermgmt.UserUpdate{Notes: ptr("night shift")}, 200},
		{"user update invalid", adminA, "PATCH", "/users/" + e.endA.ID, usermgmt.UserUpdate{MobilePhone: ptr("12")}, 422},
		{"user update out of scope", adminA, "PATCH", "/users/" + e.endB.ID, usermgmt.UserUpdate{Notes: ptr("x")}, 404},
		{"user settings", adminA, "GET", "/users/" + e.endA.ID + "/settings", nil, 200},
		{"user events", adminA, "GET", "/users/" + e.endA.ID + "/events", nil, 200},
		{"user events out of scope", adminA, "GET", "/users/" + e.endB.ID + "/events", nil, 404},
		{"suspend", adminA, "POST", "/users/" + e.endA.ID + "/suspend", nil, 200},
		{"suspend out of scope", adminA, "POST", "/users/" + e.endB.ID + "/suspend", nil, 404},
		{"unsuspend", adminA, "POST", "/users/" + e.endA.ID + "/unsuspend", nil, 200},
		{"unsuspend invalid", adminA, "POST", "/users/" + e.endA.ID + "/unsuspend", nil, 422},
		{"disable", adminA, "POST", "/users/" + e.endA.ID + "/disable", nil, 200},
		{"enable", adminA, "POST", "/users/" + e.endA.ID + "/enable", nil, 200},
		{"enable out of scope", adminA, "POST", "/users/" + e.endB.ID + "/enable", nil, 404},
		{"move", owner, "POST", "/users/" + e.endA.ID + "/move", httpapi.MoveInput{GroupID: e.acct.RootGroupID}, 200},
		{"move back", owner, "POST", "/users/" + e.endA.ID + "/move", httpapi.MoveInput{GroupID: e.groupA.ID}, 200},
		{"move out of scope", adminA, "POST", "/users/" + e.endA.ID + "/move", httpapi.MoveInput{GroupID: e.groupB.ID}, 404},
		{"assign number", owner, "PUT", "/numbers/" + num.E164 + "/user", httpapi.AssignInput{UserID: e.endA.ID}, 200},
		{"assign number out of scope", adminA, "PUT", "/numbers/" + num.E164 + "/user", httpapi.AssignInput{UserID: e.endB.ID}, 404},
		{"numbers", owner, "GET", "/numbers", nil, 200},
		{"user numbers", adminA, "GET", "/users/" + e.endA.ID + "/numbers", nil, 200},
		{"add number invalid", owner, "POST", "/numbers", httpapi.NumberInput{Number: "abc"}, 422},
		{"add number forbidden", adminA, "POST", "/numbers", httpapi.NumberInput{Number: "+447911000009"}, 403},
		{"alias add", adminA, "POST", "/users/" + e.endA.ID + "/aliases", httpapi.AliasInput{Address: "desk@example.org"}, 201},
		{"alias add invalid", adminA, "POST", "/users/" + e.endA.ID + "/aliases", httpapi.AliasInput{Address: "not an address"}, 422},
		{"alias add conflict", owner, "POST", "/users/" + e.endB.ID + "/aliases", httpapi.AliasInput{Address: "desk@example.org"}, 409},
		{"aliases", adminA, "GET", "/users/" + e.endA.ID + "/aliases", nil, 200},
		{"alias remove", adminA, "DELETE", "/aliases/desk@example.org", nil, 204},
		{"grants", adminA, "GET", "/users/" + e.adminA.ID + "/grants", nil, 200},
		{"grant create", adminA, "POST", "/users/" + e.endA.ID + "/grants",
			httpapi.GrantInput{Scope: usermgmt.Scope{GroupID: e.groupA.ID}, Permissions: []usermgmt.Permission{usermgmt.PermUsers}}, 201},
		{"grant create escalation", adminA, "POST", "/users/" + e.endA.ID + "/grants",
			httpapi.GrantInput{Scope: usermgmt.Scope{GroupID: e.groupA.ID}, Permissions: []usermgmt.Permission{usermgmt.PermSettings}}, 403},
		{"grant create invalid", adminA, "POST", "/users/" + e.endA.ID + "/grants", httpapi.GrantInput{Scope: usermgmt.Scope{GroupID: e.groupA.ID}}, 422},
		{"remove number", owner, "DELETE", "/numbers/" + num.E164, nil, 204},
		{"create user", adminA, "POST", "/users", usermgmtNew(e, "newbie", e.groupA.ID), 201},
		{"create user invalid", adminA, "POST", "/users", map[string]any{"username": "ab", "email": "x"}, 422},
		{"create user conflict", adminA, "POST", "/users", usermgmtNew(e, "NEWBIE", e.groupA.ID), 409},
		{"create user out of scope", adminA, "POST", "/users", usermgmtNew(e, "sneak", e.groupB.ID), 404},
		{"create user unknown field", adminA, "POST", "/users", `{"username":"x","is_root":true}`, 400},
		{"create user wrong type", adminA, "POST", "/users", `{"username":42}`, 400},
		{"create user trailing data", adminA, "POST", "/users", `{"username":"abcd"} {}`, 400},
		{"delete out of scope", adminA, "DELETE", "/users/" + e.endB.ID, nil, 404},
		{"delete many out of scope", adminA, "POST", "/users/delete", httpapi.DeleteInput{IDs: []string{e.endA.ID, e.endB.ID}}, 404},
		{"delete many invalid", adminA, "POST", "/users/delete", httpapi.DeleteInput{}, 400},
		{"unauthenticated", "", "GET", "/users", nil, 401},
		{"unauthenticated write", "", "POST", "/groups", httpapi.GroupInput{ParentID: e.groupA.ID, Name: "Z"}, 401},
		{"no route", owner, "GET", "/nothing-here", nil, 404},
	}
	for _, c := range cases {
		var out any
		resp := e.do(c.actor, c.method, c.path, c.body, &out)
		if !assert.Equal(t, c.want, resp.StatusCode, c.name) {
			continue
		}
		if c.want >= 400 {
			p := problem(t, resp)
			assert.Equal(t, c.want, p.Status, c.name)
			assert.NotContains(t, strings.ToLower(p.Detail), "memstore", c.name)
		}
		if c.name == "create user" {
			created.ID, _ = out.(map[string]any)["id"].(string)
		}
	}
	require.NotEmpty(t, created.ID)
	var groups []*usermgmt.GroupNode
	e.do(adminA, "GET", "/groups", nil, &groups)
	require.NotEmpty(t, groups)
	var a1 string
	for _, n := range groups[0].Children {
		for _, c := range n.Children {
			a1 = c.ID
		}
	}
	require.NotEmpty(t, a1)
	assert.Equal(t, 200, e.do(adminA, "PATCH", "/groups/"+a1, httpapi.GroupChange{ParentID: ptr(e.groupA.ID)}, nil).StatusCode)
	assert.Equal(t, 204, e.do(adminA, "DELETE", "/groups/"+a1+"?move_to_parent=true", nil, nil).StatusCode)
	assert.Equal(t, 404, e.do(adminA, "DELETE", "/groups/"+e.groupB.ID, nil, nil).StatusCode)
	var grants []usermgmt.Grant
	e.do(adminA, "GET", "/users/"+e.endA.ID+"/grants", nil, &grants)
	require.Len(t, grants, 1)
	assert.Equal(t, 204, e.do(adminA, "DELETE", "/grants/"+grants[0].ID, nil, nil).StatusCode)
	assert.Equal(t, 204, e.do(adminA, "DELETE", "/users/"+created.ID, nil, nil).StatusCode)
	extra := e.do(owner, "POST", "/users", usermgmtNew(e, "extra", e.groupA.ID), nil)
	require.Equal(t, 201, extra.StatusCode)
	assert.Equal(t, 204, e.do(owner, "POST", "/users/delete", httpapi.DeleteInput{IDs: []string{e.endA.ID}}, nil).StatusCode)

}

var adminOperations = []string{"getMe", "getAccount", "updateAccount", "listAccountEvents", "getAddressBook",
	"listGroups", "createGroup", "updateGroup", "deleteGroup", "listUsers", "createUser", "getUser", "updateUser",
	"moveUser", "suspendUser", "unsuspendUser", "disableUser", "enableUser", "deleteUser", "deleteUsers",
	"listUserEvents", "getUserSettings", "listGrants", "createGrant", "revokeGrant", "listNumbers", "addNumber",
	"removeNumber", "assignNumber", "listUserNumbers", "listAliases", "addAlias", "removeAlias"}

func usermgmtNew(e *env, name, group string) usermgmt.NewUser {
	p := e.person(name)
	p.GroupID = group
	return usermgmt.NewUser{User: p}
}

func TestCrossOriginRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	req, err := http.NewRequest("POST", e.srv.URL+"/groups", strings.NewReader(`{"parent_id":"`+e.groupA.ID+`","name":"Evil"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Test-Actor", e.owner.ID)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	groups, err := e.users.ListGroups(t.Context(), e.owner.ID)
	require.NoError(t, err)
	for _, g := range groups {
		assert.NotEqual(t, "Evil", g.Name, "a forged cross-site POST changes nothing")
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	big := `{"name":"` + strings.Repeat("x", 70<<10) + `","parent_id":"` + e.groupA.ID + `"}`
	resp := e.do(e.owner.ID, "POST", "/groups", big, nil)
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	resp = e.do(e.owner.ID, "POST", "/groups", `<xml/>`, nil)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

func TestOpenAPIListsExactlyTheRoutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
		} `json:"paths"`
	}
	resp := e.do("", "GET", "/openapi.json", nil, &doc)
	require.Equal(t, 200, resp.StatusCode)
	var ids []string
	for _, ops := range doc.Paths {
		for _, op := range ops {
			ids = append(ids, op.OperationID)
		}
	}
	want := append(append([]string{}, adminOperations...), authOperations...)
	want = append(append(want, inviteOperations...), importOperations...)
	assert.ElementsMatch(t, want, ids)
}

var authOperations = []string{"login", "verifyPIN", "resendPIN", "logout", "forgotPassword", "resetPassword",
	"forgotUsername", "updateProfile", "changePassword", "listSessions", "endSessions", "setPassword",
	"sendPasswordReset", "listAPIKeys", "createAPIKey", "revokeAPIKey"}

func ptr[T any](v T) *T { return &v }
