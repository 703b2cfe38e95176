package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/rosterkit/roster/auth"
	"github.com/rosterkit/roster/importer"
	"github.com/rosterkit/roster/invite"
	"github.com/rosterkit/roster/usermgmt"
)

// Config configures the API. Users is required; every other service is
// optional, and the routes of a missing service are not registered.
type Config struct {
	// Users serves the admin operations. Required.
	Users *usermgmt.Service
	// Auth serves login, sessions, recovery and API keys, and identifies
	// the actor of each request from roster's session cookie or an
	// "Authorization: Bearer" API key. Without it, Authenticate is
	// required and the end-user routes are not registered.
	Auth *auth.Service
	// Invites serves invitations, activation links, login details by SMS
	// and ownership requests (package invite). Nil leaves those routes
	// out.
	Invites *invite.Service
	// Importer serves bulk imports (package importer). Nil leaves the
	// import routes out.
	Importer *importer.Service
	// Authenticate, when set, identifies the actor of a request instead
	// of roster's session cookie and API keys: a host with its own login
	// returns the acting user's id, or an error matching
	// usermgmt.ErrInvalidCredentials when the request has no actor.
	Authenticate func(*http.Request) (actorID string, err error)
	// ClientKey identifies the client for throttling (login failures,
	// reset requests). Nil means the IP address of the connection
	// (RemoteAddr): X-Forwarded-For is never trusted by default; behind a
	// proxy, supply a function that reads what your proxy sets.
	ClientKey func(*http.Request) string
	// CookieName is the session cookie's name; "" means "roster_session".
	CookieName string
	// InsecureCookies drops the Secure flag from the session cookie, for
	// development over plain HTTP only.
	InsecureCookies bool
	// TrustedOrigins are origins allowed to make cross-origin unsafe
	// requests (e.g. "https://admin.example.com"). Same-origin requests
	// and non-browser clients need no entry.
	TrustedOrigins []string
	// MaxBodyBytes bounds JSON request bodies; 0 means 64 KiB.
	MaxBodyBytes int64
	// MaxUploadBytes bounds import uploads; 0 means 10 MiB.
	MaxUploadBytes int64
	// Logger receives the access log and errors; nil discards them.
	// Bodies, passwords, PINs, tokens and cookies are never logged.
	Logger *slog.Logger
	// Now is the clock for the access log's durations; nil means time.Now.
	Now func() time.Time
}

// API is the mountable HTTP handler. Routes are relative to where it is
// mounted: mount it under a prefix with http.StripPrefix.
type API struct {
	cfg    Config
	users  *usermgmt.Service
	log    *slog.Logger
	now    func() time.Time
	mux    *http.ServeMux
	routes []*route
	cop    *http.CrossOriginProtection
	doc    []byte
}

// New returns the API over the given services. It fails when the
// configuration cannot work and says how to fix it.
func New(cfg Config) (*API, error) {
	if cfg.Users == nil {
		return nil, errors.New("httpapi: missing Config.Users (the usermgmt.Service the API serves)")
	}
	if cfg.Auth == nil && cfg.Authenticate == nil {
		return nil, errors.New("httpapi: no way to identify the actor: set Config.Auth (roster's sessions and API keys) or Config.Authenticate (your own login)")
	}
	if cfg.CookieName == "" {
		cfg.CookieName = "roster_session"
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 64 << 10
	}
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = 10 << 20
	}
	a := &API{cfg: cfg, users: cfg.Users, log: cfg.Logger, now: cfg.Now, mux: http.NewServeMux(),
		cop: http.NewCrossOriginProtection()}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.now == nil {
		a.now = time.Now
	}
	for _, o := range cfg.TrustedOrigins {
		if err := a.cop.AddTrustedOrigin(o); err != nil {
			return nil, errors.New("httpapi: trusted origin " + o + ": " + err.Error())
		}
	}
	a.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.writeProblem(w, r, &requestError{status: http.StatusForbidden, typ: ProblemForbidden,
			detail: "cross-origin request refused"})
	}))
	a.adminRoutes()
	if cfg.Invites != nil {
		a.inviteRoutes()
	}
	if cfg.Importer != nil {
		a.importRoutes()
	}
	if cfg.Auth != nil {
		a.authRoutes()
	}
	doc, err := json.MarshalIndent(a.openAPI(), "", "  ")
	if err != nil {
		return nil, err
	}
	a.doc = doc
	a.mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(a.doc)
	})
	a.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		a.writeProblem(w, r, &requestError{status: http.StatusNotFound, typ: ProblemNotFound, detail: "no such route"})
	})
	return a, nil
}

// OpenAPI returns the OpenAPI 3.1 document describing every route.
func (a *API) OpenAPI() []byte { return append([]byte(nil), a.doc...) }

// ServeHTTP serves a request: cross-origin protection on unsafe
// methods, a request id, the route, and one access log line.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := a.now()
	id := newRequestID()
	r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	sw.Header().Set("X-Request-Id", id)
	sw.Header().Set("X-Content-Type-Options", "nosniff")
	a.cop.Handler(a.mux).ServeHTTP(sw, r)
	_, pattern := a.mux.Handler(r)
	a.log.LogAttrs(r.Context(), slog.LevelInfo, "http",
		slog.String("request_id", id), slog.String("method", r.Method), slog.String("route", pattern),
		slog.Int("status", sw.status), slog.Duration("duration", a.now().Sub(start)))
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

type requestIDKey struct{}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// clientKey identifies the client for throttling.
func (a *API) clientKey(r *http.Request) string {
	if a.cfg.ClientKey != nil {
		return a.cfg.ClientKey(r)
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// bearer returns the token of an "Authorization: Bearer" header.
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}
