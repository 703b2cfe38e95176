package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/httpapi"
	"github.com/rosterkit/roster/importer"
	"github.com/rosterkit/roster/usermgmt"
)

var importOperations = []string{"startImport", "getImport", "getImportErrors", "getImportTemplate"}

// upload posts a file as multipart/form-data (or, with raw, as the body)
// and returns the job.
func (e *env) upload(actor, query, name string, data []byte, raw bool) (*http.Response, httpapi.ImportJob) {
	e.t.Helper()
	var body bytes.Buffer
	ct := "text/csv"
	path := "/imports?" + query
	if raw {
		body.Write(data)
		path += "&filename=" + name
	} else {
		mw := multipart.NewWriter(&body)
		fw, err := mw.CreateFormFile("file", name)
		require.NoError(e.t, err)
		_, _ = fw.Write(data)
		require.NoError(e.t, mw.Close())
		ct = mw.FormDataContentType()
	}
	req, err := http.NewRequest("POST", e.srv.URL+path, &body)
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", ct)
	if actor != "" {
		req.Header.Set("X-Test-Actor", actor)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	got, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	resp.Body.Close()
	e.validate(req, resp, got)
	var job httpapi.ImportJob
	if resp.StatusCode == 202 {
		require.NoError(e.t, jsonUnmarshal(got, &job))
	}
	resp.Body = io.NopCloser(bytes.NewReader(got))
	return resp, job
}

// get fetches a file route.
func (e *env) get(actor, path string) (*http.Response, []byte) {
	e.t.Helper()
	req, err := http.NewRequest("GET", e.srv.URL+path, nil)
	require.NoError(e.t, err)
	req.Header.Set("X-Test-Actor", actor)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	b, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	resp.Body.Close()
	e.validate(req, resp, b)
	return resp, b
}

// TestImportTheTemplate downloads the example template, fills it as a
// person would, uploads it, and finds the users imported.
func TestImportTheTemplate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.owner.ID
	resp, tpl := e.get(owner, "/imports/template")
	require.Equal(t, 200, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Content-Disposition"), "users-template.csv")
	resp, xlsx := e.get(owner, "/imports/template?format=xlsx")
	require.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "PK", string(xlsx[:2]), "a zip: an xlsx workbook")
	resp, _ = e.get(owner, "/imports/template?format=xls")
	assert.Equal(t, 400, resp.StatusCode)

	// The template's example row imports as it is.
	resp, job := e.upload(owner, "wait=true&dry_run=true", "users-template.csv", tpl, false)
	require.Equal(t, 202, resp.StatusCode)
	require.Equal(t, httpapi.ImportDone, job.State, "%+v", job.Problem)
	assert.True(t, job.DryRun)

	file := "First Name,Last Name,Login,Mobile Phone number,Email Address\n" +
		"Grace,Hopper,grace.h,+44 7911 000001,grace@example.net\n" +
		"Alan,Turing,alan.t,+44 7911 000002,alan@example.net\n"
	resp, job = e.upload(owner, "wait=true&group="+e.groupA.ID+"&send_welcome=true", "people.csv", []byte(file), true)
	require.Equal(t, 202, resp.StatusCode)
	require.Equal(t, httpapi.ImportDone, job.State)
	require.NotNil(t, job.Report)
	assert.Equal(t, 2, job.Report.Created)
	assert.Equal(t, 2, job.Report.Welcomed)
	var polled httpapi.ImportJob
	require.Equal(t, 200, e.do(owner, "GET", "/imports/"+job.ID, nil, &polled).StatusCode)
	assert.Equal(t, importer.StageNotify, polled.Progress.Stage, "the last step: the welcome mails")
	assert.Equal(t, polled.Progress.Total, polled.Progress.Done)
	assert.Equal(t, 404, e.do(e.adminA.ID, "GET", "/imports/"+job.ID, nil, nil).StatusCode, "another actor's job")
	assert.Equal(t, 401, e.do("", "GET", "/imports/"+job.ID, nil, nil).StatusCode)

	var users httpapi.Page[usermgmt.User]
	require.Equal(t, 200, e.do(owner, "GET", "/users?q=example.net", nil, &users).StatusCode)
	assert.Len(t, users.Items, 2)
}

func TestImportErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.owner.ID
	file := "First Name,Last Name,Login,Mobile Phone number,Email Address\n" +
		"Grace,Hopper,grace.h,+44 7911 000001,grace@example.net\n" +
		"=cmd|' /C calc'!A0,Turing,al,12,not-an-address\n"
	resp, job := e.upload(owner, "wait=true", "people.csv", []byte(file), false)
	require.Equal(t, 202, resp.StatusCode)
	require.Equal(t, httpapi.ImportFailed, job.State)
	require.NotEmpty(t, job.Report.Errors)
	assert.Zero(t, job.Report.Created)
	for _, re := range job.Report.Errors {
		assert.Equal(t, 3, re.Row)
	}
	resp, errs := e.get(owner, "/"+job.ErrorsFile)
	require.Equal(t, 200, resp.StatusCode)
	assert.Contains(t, string(errs), "Errors")
	assert.Contains(t, string(errs), "'=cmd", "a formula is neutralised")
	resp, _ = e.get(e.adminA.ID, "/"+job.ErrorsFile)
	assert.Equal(t, 404, resp.StatusCode)

	var users httpapi.Page[usermgmt.User]
	require.Equal(t, 200, e.do(owner, "GET", "/users?q=example.net", nil, &users).StatusCode)
	assert.Empty(t, users.Items, "all or nothing")

	// A file that is not what its name says; a missing column; no name.
	resp, job = e.upload(owner, "wait=true", "people.xlsx", []byte(file), false)
	require.Equal(t, 202, resp.StatusCode)
	require.NotEqual(t, httpapi.ImportDone, job.State)
	if job.Problem != nil {
		assert.Equal(t, 422, job.Problem.Status)
	} else {
		require.NotEmpty(t, job.Report.Errors, "a fake .xlsx is reported")
	}
	_, job = e.upload(owner, "wait=true", "people.csv", []byte("First Name\nAda\n"), false)
	require.Equal(t, httpapi.ImportFailed, job.State)
	require.NotEmpty(t, job.Report.Errors)
	var missing []string
	for _, re := range job.Report.Errors {
		missing = append(missing, re.Column)
	}
	assert.Contains(t, missing, "Login", "each missing column is named")
	resp, _ = e.upload(owner, "", "people.xls", []byte(file), false)
	assert.Equal(t, 422, resp.StatusCode)
	resp, _ = e.upload(owner, "dry_run=maybe", "people.csv", []byte(file), false)
	assert.Equal(t, 400, resp.StatusCode)

	// Scope and authentication.
	resp, _ = e.upload(e.adminA.ID, "group="+e.groupB.ID, "people.csv", []byte(file), false)
	assert.Equal(t, 404, resp.StatusCode)
	resp, _ = e.upload(e.adminA.ID, "group="+e.groupA.ID, "people.csv", []byte(file), false)
	assert.Equal(t, 403, resp.StatusCode, "admin A may manage users but not import")
	resp, _ = e.upload("", "", "people.csv", []byte(file), false)
	assert.Equal(t, 401, resp.StatusCode)
	big := strings.Repeat("x", 11<<20)
	resp, _ = e.upload(owner, "", "people.csv", []byte(big), true)
	assert.Equal(t, 413, resp.StatusCode)
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
