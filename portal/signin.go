package portal

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/rosterkit/roster/auth"
	"github.com/rosterkit/roster/usermgmt"
)

const challengeCookie = "roster_challenge"

func (p *Portal) routes() {
	m := p.mux
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(p.static)))
	m.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { p.redirect(w, "/users") })
	m.HandleFunc("GET /login", p.loginPage)
	m.HandleFunc("POST /login", p.login)
	m.HandleFunc("GET /login/pin", p.pinPage)
	m.HandleFunc("POST /login/pin", p.pin)
	m.HandleFunc("POST /login/pin/resend", p.resend)
	m.HandleFunc("POST /logout", p.logout)
	m.HandleFunc("GET /forgot-password", p.simple("forgot_password", "Forgot password"))
	m.HandleFunc("POST /forgot-password", p.forgotPassword)
	m.HandleFunc("GET /forgot-username", p.simple("forgot_username", "Forgot username"))
	m.HandleFunc("POST /forgot-username", p.forgotUsername)
	m.HandleFunc("GET /reset", p.resetPage)
	m.HandleFunc("POST /reset", p.reset)
	p.adminRoutes()
	p.inviteRoutes()
	if p.cfg.Outbox != nil {
		m.HandleFunc("GET /outbox", p.outbox)
	}
}

// simple serves a page with no data.
func (p *Portal) simple(name, title string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p.render(w, r, http.StatusOK, name, &page{Title: title})
	}
}

func (p *Portal) loginPage(w http.ResponseWriter, r *http.Request) {
	p.render(w, r, http.StatusOK, "login", &page{Title: "Sign in"})
}

func (p *Portal) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	res, err := p.auth.Login(r.Context(), auth.Credentials{Login: r.PostForm.Get("username"),
		Password: r.PostForm.Get("password"), ClientKey: p.clientKey(r)})
	if err != nil {
		if !errors.Is(err, usermgmt.ErrInvalidCredentials) {
			p.fail(w, r, err)
			return
		}
		form := url.Values{"username": {r.PostForm.Get("username")}}
		p.render(w, r, http.StatusUnauthorized, "login", &page{Title: "Sign in", Form: form,
			Error: "The username or password is not right, or the account cannot sign in now."})
		return
	}
	if res.Session != nil {
		http.SetCookie(w, p.cookie(p.cfg.CookieName, res.Session.Token, 0))
		p.redirect(w, "/users")
		return
	}
	http.SetCookie(w, p.cookie(challengeCookie, res.Challenge.Token, time.Until(res.Challenge.ExpiresAt)))
	p.redirect(w, "/login/pin")
}

func (p *Portal) pinPage(w http.ResponseWriter, r *http.Request) {
	if _, err := r.Cookie(challengeCookie); err != nil {
		p.toLogin(w, r)
		return
	}
	p.render(w, r, http.StatusOK, "pin", &page{Title: "Enter verification code"})
}

func (p *Portal) pin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	c, err := r.Cookie(challengeCookie)
	if err != nil || r.ParseForm() != nil {
		p.toLogin(w, r)
		return
	}
	iss, err := p.auth.VerifyPIN(r.Context(), c.Value, r.PostForm.Get("code"), p.clientKey(r))
	switch {
	case err == nil:
		http.SetCookie(w, p.cookie(challengeCookie, "", 0))
		http.SetCookie(w, p.cookie(p.cfg.CookieName, iss.Token, 0))
		p.redirect(w, "/users")
	case errors.Is(err, usermgmt.ErrExpired), errors.Is(err, usermgmt.ErrLocked):
		http.SetCookie(w, p.cookie(challengeCookie, "", 0))
		p.render(w, r, http.StatusUnauthorized, "login", &page{Title: "Sign in",
			Error: "The code has expired or was mistyped too often. Sign in again for a new code."})
	case errors.Is(err, usermgmt.ErrInvalidCredentials):
		p.render(w, r, http.StatusUnauthorized, "pin", &page{Title: "Enter verification code",
			Errors: map[string]string{"code": "That code is not right."}})
	default:
		p.fail(w, r, err)
	}
}

func (p *Portal) resend(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(challengeCookie)
	if err != nil {
		p.toLogin(w, r)
		return
	}
	_, err = p.auth.ResendPIN(r.Context(), c.Value)
	switch {
	case err == nil:
		p.render(w, r, http.StatusOK, "pin", &page{Title: "Enter verification code", Notice: "A new code is on its way."})
	case errors.Is(err, usermgmt.ErrRateLimited):
		p.render(w, r, http.StatusTooManyRequests, "pin", &page{Title: "Enter verification code",
			Error: "Wait a little before asking for another code."})
	default:
		http.SetCookie(w, p.cookie(challengeCookie, "", 0))
		p.render(w, r, http.StatusUnauthorized, "login", &page{Title: "Sign in", Error: "Sign in again for a new code."})
	}
}

func (p *Portal) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(p.cfg.CookieName); err == nil {
		if err := p.auth.Logout(r.Context(), c.Value); err != nil {
			p.fail(w, r, err)
			return
		}
	}
	http.SetCookie(w, p.cookie(p.cfg.CookieName, "", 0))
	p.redirect(w, "/login?done=signed-out")
}

func (p *Portal) forgotPassword(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err == nil {
		if err := p.auth.RequestReset(r.Context(), r.PostForm.Get("login"), p.clientKey(r)); err != nil {
			p.log.ErrorContext(r.Context(), "reset request", "err", err)
		}
	}
	p.render(w, r, http.StatusOK, "forgot_password", &page{Title: "Forgot password",
		Notice: "If the account exists, a reset link is on its way to its e-mail address."})
}

func (p *Portal) forgotUsername(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err == nil {
		if err := p.auth.RemindUsername(r.Context(), r.PostForm.Get("email"), p.clientKey(r)); err != nil {
			p.log.ErrorContext(r.Context(), "username reminder", "err", err)
		}
	}
	p.render(w, r, http.StatusOK, "forgot_username", &page{Title: "Forgot username",
		Notice: "If the address is known, your username is on its way to it."})
}

// tokenForm carries a link's token into its form as a hidden field, so
// that it is posted, not logged in a URL again.
type tokenForm struct {
	Token string
	// Kind says what the form does: "reset", "activate" or "invite".
	Kind string
	// Email and Account describe an invitation.
	Email, Account string
}

func (p *Portal) resetPage(w http.ResponseWriter, r *http.Request) {
	p.render(w, r, http.StatusOK, "set_password", &page{Title: "Choose a new password",
		Data: tokenForm{Token: r.URL.Query().Get("token"), Kind: "reset"}})
}

func (p *Portal) reset(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	tok := r.PostForm.Get("token")
	pw := r.PostForm.Get("password")
	pg := &page{Title: "Choose a new password", Data: tokenForm{Token: tok, Kind: "reset"}}
	if pw != r.PostForm.Get("confirm") {
		pg.Errors = map[string]string{"confirm": "The two passwords differ."}
		p.render(w, r, http.StatusUnprocessableEntity, "set_password", pg)
		return
	}
	err := p.auth.ResetPassword(r.Context(), tok, pw)
	switch {
	case err == nil:
		p.redirect(w, "/login?done=password-reset")
	case errors.Is(err, usermgmt.ErrExpired):
		pg.Error = "This link has expired. Ask for a new one."
		p.render(w, r, http.StatusGone, "set_password", pg)
	case errors.Is(err, usermgmt.ErrUsed), errors.Is(err, usermgmt.ErrNotFound):
		pg.Error = "This link is not valid (it may have been used already). Ask for a new one."
		p.render(w, r, http.StatusNotFound, "set_password", pg)
	default:
		errs, msg := fieldErrors(err)
		if msg == "" {
			p.fail(w, r, err)
			return
		}
		pg.Errors, pg.Error = errs, msg
		p.render(w, r, http.StatusUnprocessableEntity, "set_password", pg)
	}
}

func (p *Portal) outbox(w http.ResponseWriter, r *http.Request) {
	p.render(w, r, http.StatusOK, "outbox", &page{Title: "Outbox (development)", Data: p.cfg.Outbox.Messages()})
}
