package portal

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/rosterkit/roster/auth"
	"github.com/rosterkit/roster/importer"
	"github.com/rosterkit/roster/invite"
	"github.com/rosterkit/roster/usermgmt"
)

//go:embed templates/*.html static/*
var embedded embed.FS

// Message is one SMS or mail the development outbox shows.
type Message struct {
	At      time.Time
	Kind    string // "sms" or "mail"
	To      string
	Subject string
	Body    string
}

// Outbox lists what the development adapters sent, newest first, for
// the outbox page. Never configure one in production: it shows PINs and
// links.
type Outbox interface {
	Messages() []Message
}

// Config configures the portal. Users and Auth are required; the
// invitation, import and ownership screens appear when their services
// are set.
type Config struct {
	// Users serves the admin screens. Required.
	Users *usermgmt.Service
	// Auth serves sign-in, the PIN step, recovery and sessions. Required.
	Auth *auth.Service
	// Invites adds the invitations and ownership-request screens and the
	// pages behind the links in their mails (/invite, /activate,
	// /ownership/confirm). Nil leaves them out.
	Invites *invite.Service
	// Importer adds the import screen (template, upload, errors per row
	// and the errors file). Nil leaves it out.
	Importer *importer.Service
	// Prefix is the path the portal is mounted under (with
	// http.StripPrefix), e.g. "/admin"; links and redirects start with
	// it. Empty means the root.
	Prefix string
	// Templates overrides the portal's templates: a file with the same
	// name as an embedded one (e.g. "users.html", "layout.html")
	// replaces it. Nil keeps the built-in ones.
	Templates fs.FS
	// Static overrides files served under /static/ (e.g. "portal.css").
	Static fs.FS
	// CookieName is the session cookie; "" means "roster_session", the
	// same as package httpapi, so that both can be mounted side by side.
	CookieName string
	// InsecureCookies drops the Secure flag: development over HTTP only.
	InsecureCookies bool
	// ClientKey identifies the client for throttling; nil means the
	// connection's IP address (X-Forwarded-For is not trusted).
	ClientKey func(*http.Request) string
	// TrustedOrigins may post forms across origins.
	TrustedOrigins []string
	// Outbox, in development, adds a page showing the SMS and mails the
	// console adapters sent.
	Outbox Outbox
	// Logger receives errors; nil discards them.
	Logger *slog.Logger
}

// Portal is the mountable admin portal. Mount it under a prefix with
// http.StripPrefix; links are relative to where it is mounted.
type Portal struct {
	cfg    Config
	users  *usermgmt.Service
	auth   *auth.Service
	pages  map[string]*template.Template
	static fs.FS
	mux    *http.ServeMux
	cop    *http.CrossOriginProtection
	log    *slog.Logger
	// errorFiles keeps recent imports' errors files for download.
	errorFiles errorFiles
}

// New returns the portal, or says what is missing.
func New(cfg Config) (*Portal, error) {
	if cfg.Users == nil || cfg.Auth == nil {
		return nil, errors.New("portal: Config.Users and Config.Auth are required (the usermgmt and auth services)")
	}
	if cfg.CookieName == "" {
		cfg.CookieName = "roster_session"
	}
	cfg.Prefix = strings.TrimRight(cfg.Prefix, "/")
	p := &Portal{cfg: cfg, users: cfg.Users, auth: cfg.Auth, mux: http.NewServeMux(),
		cop: http.NewCrossOriginProtection(), log: cfg.Logger}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	for _, o := range cfg.TrustedOrigins {
		if err := p.cop.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("portal: trusted origin %s: %w", o, err)
		}
	}
	p.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "cross-origin form refused", http.StatusForbidden)
	}))
	var err error
	if p.pages, err = p.parse(); err != nil {
		return nil, err
	}
	static, _ := fs.Sub(embedded, "static")
	p.static = static
	if cfg.Static != nil {
		p.static = overlay{top: cfg.Static, base: static}
	}
	p.routes()
	return p, nil
}

// ServeHTTP serves the portal with its security headers: a
// Content-Security-Policy without inline script, no framing, no
// sniffing, no referrer leaking tokens in links.
func (p *Portal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	p.cop.Handler(p.mux).ServeHTTP(w, r)
}

// overlay serves files from top, falling back to base.
type overlay struct{ top, base fs.FS }

func (o overlay) Open(name string) (fs.File, error) {
	if f, err := o.top.Open(name); err == nil {
		return f, nil
	}
	return o.base.Open(name)
}

// parse builds one template set per page: the layout plus the page,
// each file taken from Config.Templates when it has one.
func (p *Portal) parse() (map[string]*template.Template, error) {
	read := func(name string) (string, error) {
		if p.cfg.Templates != nil {
			if b, err := fs.ReadFile(p.cfg.Templates, name); err == nil {
				return string(b), nil
			}
		}
		b, err := embedded.ReadFile("templates/" + name)
		return string(b), err
	}
	layout, err := read("layout.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(embedded, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := path.Base(n)
		if name == "layout.html" {
			continue
		}
		src, err := read(name)
		if err != nil {
			return nil, err
		}
		t, err := template.New("layout.html").Funcs(funcs).Parse(layout)
		if err != nil {
			return nil, fmt.Errorf("portal: layout.html: %w", err)
		}
		if _, err := t.New(name).Parse(src); err != nil {
			return nil, fmt.Errorf("portal: %s: %w", name, err)
		}
		pages[strings.TrimSuffix(name, ".html")] = t
	}
	return pages, nil
}

var linkRE = regexp.MustCompile(`https?://[^\s<>"']+`)

var funcs = template.FuncMap{
	"date": func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"has": func(list any, v string) bool {
		switch l := list.(type) {
		case []usermgmt.Permission:
			for _, x := range l {
				if string(x) == v {
					return true
				}
			}
		case []usermgmt.Channel:
			for _, x := range l {
				if string(x) == v {
					return true
				}
			}
		case []string:
			for _, x := range l {
				if x == v {
					return true
				}
			}
		}
		return false
	},
	"join": strings.Join,
	"list": func(s ...string) []string { return s },
	// links finds the web links in a message, for the outbox.
	"links": func(s string) []string { return linkRE.FindAllString(s, -1) },
	// field describes one input for the "input" template: its label,
	// type, whether it is required, its value and its error.
	"field": func(pg *page, name, label, typ string, required bool) fieldView {
		return fieldView{Name: name, Label: label, Type: typ, Required: required, Value: pg.Value(name), Error: pg.Err(name)}
	},
	"indent": func(depth int) string { return strings.Repeat("— ", depth) },
}

// fieldView is one form input with its label and error, rendered with
// aria-describedby pointing at the error.
type fieldView struct {
	Name, Label, Type, Value, Error string
	Required                        bool
	Hint                            string
}

// page is what every template receives.
type page struct {
	Title  string
	Me     *usermgmt.Actor
	Counts *usermgmt.UserCounts
	Notice string
	Error  string
	// Errors maps a field to its message, shown beside the field.
	Errors map[string]string
	Form   url.Values
	Data   any
	// Base is the mount prefix, for links.
	Base string
	// Features says which optional screens exist.
	Invites, Import, Outbox bool
}

// err returns the message of a field error, for templates.
func (pg *page) Err(field string) string { return pg.Errors[field] }

// Value returns a submitted form value, for refilling a form.
func (pg *page) Value(field string) string { return pg.Form.Get(field) }

// render writes a page.
func (p *Portal) render(w http.ResponseWriter, r *http.Request, status int, name string, pg *page) {
	t, ok := p.pages[name]
	if !ok {
		http.Error(w, "no such page", http.StatusInternalServerError)
		return
	}
	pg.Outbox = p.cfg.Outbox != nil
	pg.Invites, pg.Import = p.cfg.Invites != nil, p.cfg.Importer != nil
	pg.Base = p.cfg.Prefix
	if pg.Notice == "" {
		pg.Notice = notices[r.URL.Query().Get("done")]
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout.html", pg); err != nil {
		p.log.ErrorContext(r.Context(), "render", "page", name, "err", err)
		http.Error(w, "the page could not be shown", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// notices are the confirmations a redirect may ask for with ?done=…:
// fixed texts, so that nothing a user typed travels in a URL.
var notices = map[string]string{
	"created": "Saved.", "saved": "Saved.", "suspended": "The user is suspended.", "unsuspended": "The suspension is lifted.",
	"disabled": "The user is disabled.", "enabled": "The user is active again.", "deleted": "Deleted.",
	"invited": "Invitations sent.", "resent": "Sent again.", "revoked": "Removed.", "reset-sent": "A reset link is on its way.",
	"password": "The password is set. It was not sent to the user.", "signed-out": "You are signed out.",
	"password-reset": "Your password is set. Sign in with it.", "granted": "Access granted.", "imported": "Imported.",
	"accepted": "Accepted.", "declined": "Declined.",
}

func (p *Portal) clientKey(r *http.Request) string {
	if p.cfg.ClientKey != nil {
		return p.cfg.ClientKey(r)
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (p *Portal) cookie(name, value string, maxAge time.Duration) *http.Cookie {
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: !p.cfg.InsecureCookies}
	switch {
	case value == "":
		c.MaxAge = -1
	case maxAge > 0:
		c.MaxAge = int(maxAge / time.Second)
	}
	return c
}

type actorKey struct{}

// signedIn wraps a handler that needs a signed-in user: without one, it
// sends the browser to the sign-in page.
func (p *Portal) signedIn(h func(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(p.cfg.CookieName)
		if err != nil {
			p.toLogin(w, r)
			return
		}
		pr, err := p.auth.Authenticate(r.Context(), c.Value)
		if err != nil {
			if !errors.Is(err, usermgmt.ErrInvalidCredentials) {
				p.fail(w, r, err)
				return
			}
			http.SetCookie(w, p.cookie(p.cfg.CookieName, "", 0))
			p.toLogin(w, r)
			return
		}
		me, err := p.users.Me(r.Context(), pr.User.ID)
		if err != nil {
			p.toLogin(w, r)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), actorKey{}, me)), me)
	}
}

func (p *Portal) toLogin(w http.ResponseWriter, r *http.Request) { p.redirect(w, "/login") }

// redirect sends the browser to a portal path (after a form, 303).
func (p *Portal) redirect(w http.ResponseWriter, target string) {
	w.Header().Set("Location", p.cfg.Prefix+target)
	w.WriteHeader(http.StatusSeeOther)
}

// fail answers an unexpected error without its text.
func (p *Portal) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, usermgmt.ErrNotFound):
		http.Error(w, "not found", http.StatusNotFound)
		return
	case errors.Is(err, usermgmt.ErrForbidden):
		http.Error(w, "you may not do that", http.StatusForbidden)
		return
	}
	p.log.ErrorContext(r.Context(), "portal", "path", r.URL.Path, "err", err)
	http.Error(w, "something went wrong; try again", http.StatusInternalServerError)
}

// fieldErrors turns a service error into messages beside fields, and a
// message for the top of the form.
func fieldErrors(err error) (map[string]string, string) {
	var ve *usermgmt.ValidationError
	var ce *usermgmt.ConflictError
	switch {
	case errors.As(err, &ve):
		m := map[string]string{}
		for _, f := range ve.Fields {
			if _, ok := m[f.Field]; !ok {
				m[f.Field] = f.Message
			}
		}
		return m, "Please correct the fields marked below."
	case errors.As(err, &ce):
		return map[string]string{ce.Field: "is already in use"}, "Please correct the fields marked below."
	case errors.Is(err, usermgmt.ErrSeatLimit):
		return nil, "All licensed seats are in use: delete a user or ask for more seats."
	case errors.Is(err, usermgmt.ErrNotFound):
		return nil, "That no longer exists, or is outside what you manage."
	case errors.Is(err, usermgmt.ErrForbidden):
		return nil, "You may not do that."
	}
	return nil, ""
}
