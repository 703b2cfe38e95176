package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/auth"
	"github.com/rosterkit/roster/httpapi"
	"github.com/rosterkit/roster/importer"
	"github.com/rosterkit/roster/invite"
	"github.com/rosterkit/roster/sms/smstest"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/mail"
	"github.com/rosterkit/roster/usermgmt/memstore"
)

type plainHasher struct{}

func (plainHasher) Hash(_ context.Context, pw string) (string, error) { return "plain$" + pw, nil }

// plainVerifier is plainHasher for auth: fast, for tests only.
type plainVerifier struct{ plainHasher }

func (plainVerifier) Verify(_ context.Context, encoded, pw string) (bool, bool, error) {
	return encoded == "plain$"+pw, false, nil
}

// env is an API over memstore with an account:
//
//	root ─┬─ A (adminA: users, groups over A) ── endA
//	      └─ B (endB)
type env struct {
	t      *testing.T
	api    *httpapi.API
	srv    *httptest.Server
	users  *usermgmt.Service
	auth   *auth.Service
	inv    *invite.Service
	imp    *importer.Service
	sms    *smstest.Recorder
	mails  *mail.Recorder
	client *http.Client
	store  usermgmt.Store
	router routers.Router
	owner  usermgmt.User
	adminA usermgmt.User
	endA   usermgmt.User
	endB   usermgmt.User
	acct   usermgmt.Account
	groupA usermgmt.Group
	groupB usermgmt.Group
	seq    atomic.Int64
}

// seen records, across every test of the package, the operations that
// were answered with a success; TestMain fails the run when a documented
// operation never was.
var (
	seenMu sync.Mutex
	seen   = map[string]bool{}
	docOps []string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" && !testing.Short() {
		seenMu.Lock()
		for _, op := range docOps {
			if !seen[op] {
				fmt.Fprintf(os.Stderr, "FAIL: operation %s was never answered with a success by any test\n", op)
				code = 1
			}
		}
		seenMu.Unlock()
	}
	os.Exit(code)
}

func newEnv(t *testing.T) *env { return build(t, false) }

// newAuthEnv identifies actors by roster's own session cookie and API
// keys instead of a test header.
func newAuthEnv(t *testing.T) *env { return build(t, true) }

func build(t *testing.T, realAuth bool) *env {
	t.Helper()
	e := &env{t: t, store: memstore.New()}
	var err error
	e.users, err = usermgmt.New(usermgmt.Config{Store: e.store, Hasher: plainHasher{}})
	require.NoError(t, err)
	ctx := context.Background()
	e.acct, e.owner, err = e.users.CreateAccount(ctx, usermgmt.NewAccount{Name: "Acme", SeatLimit: 50,
		Owner: usermgmt.NewUser{User: e.person("owner"), Password: "Secret-pw1"}})
	require.NoError(t, err)
	e.groupA, err = e.users.CreateGroup(ctx, e.owner.ID, e.acct.RootGroupID, "A")
	require.NoError(t, err)
	e.groupB, err = e.users.CreateGroup(ctx, e.owner.ID, e.acct.RootGroupID, "B")
	require.NoError(t, err)
	mk := func(name, group string) usermgmt.User {
		p := e.person(name)
		p.GroupID = group
		u, err := e.users.CreateUser(ctx, e.owner.ID, usermgmt.NewUser{User: p, Password: "Secret-pw1"})
		require.NoError(t, err)
		return u
	}
	e.adminA, e.endA, e.endB = mk("admina", e.groupA.ID), mk("enda", e.groupA.ID), mk("endb", e.groupB.ID)
	_, err = e.users.Grant(ctx, e.owner.ID, e.adminA.ID, usermgmt.Scope{GroupID: e.groupA.ID},
		[]usermgmt.Permission{usermgmt.PermUsers, usermgmt.PermGroups, usermgmt.PermNumbers})
	require.NoError(t, err)

	e.sms, e.mails = &smstest.Recorder{}, &mail.Recorder{}
	e.auth, err = auth.New(auth.Config{Users: e.users, Hasher: plainVerifier{}, SMS: e.sms, Mailer: e.mails,
		PIN:     auth.PINConfig{ResendCooldown: time.Nanosecond},
		CodeKey: []byte(strings.Repeat("k", 32)), ResetURL: func(tok string) string { return "https://app.example/reset?t=" + tok }})
	require.NoError(t, err)
	e.inv, err = invite.New(invite.Config{Users: e.users, Hasher: plainVerifier{}, Mailer: e.mails, SMS: e.sms,
		BaseURL: "https://app.example"})
	require.NoError(t, err)
	hasher, err := auth.NewHasher(auth.HashConfig{Memory: 64, Time: 1})
	require.NoError(t, err)
	e.imp, err = importer.New(importer.Config{Users: e.users, Invites: e.inv, Hasher: hasher})
	require.NoError(t, err)
	cfg := httpapi.Config{Users: e.users, Auth: e.auth, Invites: e.inv, Importer: e.imp, InsecureCookies: true}
	if !realAuth {
		cfg.Authenticate = func(r *http.Request) (string, error) {
			if id := r.Header.Get("X-Test-Actor"); id != "" {
				return id, nil
			}
			return "", usermgmt.ErrInvalidCredentials
		}
	}
	e.api, err = httpapi.New(cfg)
	require.NoError(t, err)
	e.srv = httptest.NewServer(e.api)
	t.Cleanup(e.srv.Close)

	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(e.api.OpenAPI())
	require.NoError(t, err)
	require.NoError(t, doc.Validate(loader.Context), "the OpenAPI document is valid")
	doc.Servers = openapi3.Servers{{URL: e.srv.URL}}
	seenMu.Lock()
	if docOps == nil {
		for _, item := range doc.Paths.Map() {
			for _, op := range item.Operations() {
				docOps = append(docOps, op.OperationID)
			}
		}
	}
	seenMu.Unlock()
	e.router, err = gorillamux.NewRouter(doc)
	require.NoError(t, err)
	return e
}

func (e *env) person(name string) usermgmt.User {
	n := e.seq.Add(1)
	return usermgmt.User{Username: name, FirstName: "F" + name, LastName: "L", Email: name + "@example.com",
		MobilePhone: fmt.Sprintf("+4479111%05d", n)}
}

// do sends a request as actor ("" for none), checks the answer against
// the OpenAPI document, and decodes a JSON body into out when not nil.
func (e *env) do(actor, method, path string, body any, out any) *http.Response {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			rd = strings.NewReader(s)
		} else {
			b, err := json.Marshal(body)
			require.NoError(e.t, err)
			rd = bytes.NewReader(b)
		}
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	require.NoError(e.t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if actor != "" {
		req.Header.Set("X-Test-Actor", actor)
	}
	client := e.client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	require.NoError(e.t, err)
	data, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	resp.Body.Close()
	e.validate(req, resp, data)
	if out != nil && len(data) > 0 && resp.StatusCode < 300 {
		require.NoError(e.t, json.Unmarshal(data, out), string(data))
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	return resp
}

func (e *env) validate(req *http.Request, resp *http.Response, body []byte) {
	e.t.Helper()
	if req.URL.Path == "/openapi.json" {
		return
	}
	route, params, err := e.router.FindRoute(req)
	if err != nil {
		assert.Equal(e.t, http.StatusNotFound, resp.StatusCode, "unrouted %s %s", req.Method, req.URL.Path)
		return
	}
	if resp.StatusCode < 300 {
		seenMu.Lock()
		seen[route.Operation.OperationID] = true
		seenMu.Unlock()
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, ExcludeRequestBody: true}}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode,
		Header: resp.Header, Body: io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	assert.NoError(e.t, openapi3filter.ValidateResponse(context.Background(), out),
		"%s %s → %d %s", req.Method, req.URL.Path, resp.StatusCode, body)
}

func problem(t *testing.T, resp *http.Response) httpapi.Problem {
	t.Helper()
	var p httpapi.Problem
	require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&p))
	return p
}
