package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/rosterkit/roster/usermgmt"
)

// route is one operation of the API: how it is served and how the
// OpenAPI document describes it. The document is built from this table,
// so it lists exactly the registered routes.
type route struct {
	method  string
	path    string // a net/http pattern path, e.g. "/users/{id}"
	id      string // the OpenAPI operationId
	tag     string
	summary string
	// public routes need no actor (login, recovery, invitation links).
	public bool
	// in is the JSON request body type (nil: no body).
	in any
	// out is the JSON response type (nil: 204 No Content).
	out any
	// status is the success status; 0 means 200, or 204 when out is nil.
	status int
	// query documents the query parameters.
	query []param
	// limit bounds the body; 0 means Config.MaxBodyBytes.
	limit int64
	// raw routes write their own response (files); out documents nothing.
	raw   bool
	mime  string   // the content type a raw route answers with
	mimes []string // further content types a raw route may answer with
	// upload routes take a file: multipart/form-data or the raw body.
	upload bool
	h      func(c *call) (any, error)
}

type param struct {
	name, desc string
	array      bool
	integer    bool
}

// call is one request in flight.
type call struct {
	api   *API
	w     http.ResponseWriter
	r     *http.Request
	actor string
}

// decode reads the JSON body into v.
func (c *call) decode(v any) error { return decodeJSON(c.r, v) }

// q returns a query parameter.
func (c *call) q(name string) string { return c.r.URL.Query().Get(name) }

// page reads the paging parameters "after" and "limit".
func (c *call) page() (usermgmt.Page, error) {
	p := usermgmt.Page{After: c.q("after")}
	if s := c.q("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return p, badRequest("limit must be a whole number from 1 to 1000")
		}
		p.Limit = n
	}
	return p, nil
}

// Page is a list response: the items and the cursor of the next page
// ("" on the last).
type Page[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"`
}

func pageOf[T any](items []T, next string) Page[T] {
	if items == nil {
		items = []T{}
	}
	return Page[T]{Items: items, Next: next}
}

// handle registers r.
func (a *API) handle(r *route) {
	a.routes = append(a.routes, r)
	limit := r.limit
	if limit == 0 {
		limit = a.cfg.MaxBodyBytes
	}
	status := r.status
	if status == 0 {
		status = http.StatusOK
		if r.out == nil && !r.raw {
			status = http.StatusNoContent
		}
	}
	a.mux.HandleFunc(r.method+" "+r.path, func(w http.ResponseWriter, req *http.Request) {
		req.Body = http.MaxBytesReader(w, req.Body, limit)
		c := &call{api: a, w: w, r: req}
		if !r.public {
			actor, err := a.actor(req)
			if err != nil {
				a.writeProblem(w, req, err)
				return
			}
			c.actor = actor
		}
		out, err := r.h(c)
		if err != nil {
			a.writeProblem(w, req, err)
			return
		}
		if r.raw {
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		if status == http.StatusNoContent {
			w.WriteHeader(status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if err := json.NewEncoder(w).Encode(out); err != nil {
			a.log.DebugContext(req.Context(), "write response", "err", err)
		}
	})
}

// actor identifies who makes the request: the host's Authenticate when
// set; otherwise an API key in "Authorization: Bearer", or roster's
// session cookie.
func (a *API) actor(r *http.Request) (string, error) {
	if a.cfg.Authenticate != nil {
		id, err := a.cfg.Authenticate(r)
		if err != nil || id == "" {
			return "", errUnauthenticated
		}
		return id, nil
	}
	if key := bearer(r); key != "" {
		p, err := a.cfg.Auth.AuthenticateKey(r.Context(), key)
		if err != nil {
			return "", unauthenticated(err)
		}
		return p.User.ID, nil
	}
	c, err := r.Cookie(a.cfg.CookieName)
	if err != nil || c.Value == "" {
		return "", errUnauthenticated
	}
	p, err := a.cfg.Auth.Authenticate(r.Context(), c.Value)
	if err != nil {
		return "", unauthenticated(err)
	}
	return p.User.ID, nil
}

// unauthenticated keeps infrastructure errors (a 500) apart from a bad
// credential (a 401).
func unauthenticated(err error) error {
	if errors.Is(err, usermgmt.ErrInvalidCredentials) {
		return errUnauthenticated
	}
	return err
}
