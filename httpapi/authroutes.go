package httpapi

import (
	"net/http"
	"time"

	"github.com/rosterkit/roster/auth"
	"github.com/rosterkit/roster/usermgmt"
)

// LoginInput is the first step of a login.
type LoginInput struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

// LoginOutcome says what a login step led to: "signed_in" (the session
// cookie is set) or "pin_required" (a PIN went to Phone; send it to
// /auth/pin). Tokens travel in HttpOnly cookies, never in bodies.
type LoginOutcome struct {
	Status    string    `json:"status"`
	Phone     string    `json:"phone,omitempty"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// PINInput is the second step of a login.
type PINInput struct {
	Code string `json:"code"`
}

// ForgotPasswordInput asks for a reset link.
type ForgotPasswordInput struct {
	Login string `json:"login"`
}

// ResetInput sets a new password with a reset link's token.
type ResetInput struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// ForgotUsernameInput asks for a username reminder.
type ForgotUsernameInput struct {
	Email string `json:"email"`
}

// Accepted is the uniform answer of the recovery forms, the same whether
// or not the address is known.
type Accepted struct {
	Message string `json:"message"`
}

// ChangePasswordInput changes the signed-in user's password.
type ChangePasswordInput struct {
	OldPassword string `json:"old_password"`
	NewPassword string `json:"new_password"`
}

// SetPasswordInput sets a user's password as an admin.
type SetPasswordInput struct {
	Password string `json:"password"`
}

// APIKeyInput names a new API key.
type APIKeyInput struct {
	Name string `json:"name"`
}

const challengeCookie = "roster_challenge"

// cookie builds one of roster's cookies: HttpOnly, SameSite=Lax,
// host-only (no Domain), Secure unless InsecureCookies.
func (a *API) cookie(name, value string, maxAge time.Duration, path string) *http.Cookie {
	c := &http.Cookie{Name: name, Value: value, Path: path, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: !a.cfg.InsecureCookies}
	switch {
	case value == "":
		c.MaxAge = -1
	case maxAge > 0:
		c.MaxAge = int(maxAge / time.Second)
	}
	return c
}

func (a *API) setSession(c *call, iss auth.Issued) {
	http.SetCookie(c.w, a.cookie(a.cfg.CookieName, iss.Token, 0, "/"))
}

func (a *API) authRoutes() {
	au := a.cfg.Auth
	a.handle(&route{method: "POST", path: "/auth/login", id: "login", tag: "sign-in", public: true,
		summary: "Log in with a password; answers pin_required when the account uses the SMS PIN",
		in:      LoginInput{}, out: LoginOutcome{}, h: func(c *call) (any, error) {
			var in LoginInput
			if err := c.decode(&in); err != nil {
				return nil, err
			}
			res, err := au.Login(c.r.Context(), auth.Credentials{Login: in.Login, Password: in.Password, ClientKey: a.clientKey(c.r)})
			if err != nil {
				return nil, err
			}
			if res.Session != nil {
				a.setSession(c, *res.Session)
				return LoginOutcome{Status: "signed_in"}, nil
			}
			http.SetCookie(c.w, a.cookie(challengeCookie, res.Challenge.Token, time.Until(res.Challenge.ExpiresAt), "/"))
			return LoginOutcome{Status: "pin_required", Phone: res.Challenge.Phone, ExpiresAt: res.Challenge.ExpiresAt}, nil
		}})
	a.handle(&route{method: "POST", path: "/auth/pin", id: "verifyPIN", tag: "sign-in", public: true,
		summary: "Complete a login with the SMS PIN", in: PINInput{}, out: LoginOutcome{},
		h: func(c *call) (any, error) {
			var in PINInput
			if err := c.decode(&in); err != nil {
				return nil, err
			}
			ch, err := c.r.Cookie(challengeCookie)
			if err != nil {
				return nil, usermgmt.ErrInvalidCredentials
			}
			iss, err := au.VerifyPIN(c.r.Context(), ch.Value, in.Code, a.clientKey(c.r))
			if err != nil {
				return nil, err
			}
			http.SetCookie(c.w, a.cookie(challengeCookie, "", 0, "/"))
			a.setSession(c, iss)
			return LoginOutcome{Status: "signed_in"}, nil
		}})
	a.handle(&route{method: "POST", path: "/auth/pin/resend", id: "resendPIN", tag: "sign-in", public: true,
		summary: "Send a new PIN (the previous one stops working)", out: LoginOutcome{},
		h: func(c *call) (any, error) {
			ch, err := c.r.Cookie(challengeCookie)
			if err != nil {
				return nil, usermgmt.ErrInvalidCredentials
			}
			res, err := au.ResendPIN(c.r.Context(), ch.Value)
			if err != nil {
				return nil, err
			}
			return LoginOutcome{Status: "pin_required", Phone: res.Phone, ExpiresAt: res.ExpiresAt}, nil
		}})
	a.handle(&route{method: "POST", path: "/auth/logout", id: "logout", tag: "sign-in", public: true,
		summary: "End the current session", h: func(c *call) (any, error) {
			if ck, err := c.r.Cookie(a.cfg.CookieName); err == nil {
				if err := au.Logout(c.r.Context(), ck.Value); err != nil {
					return nil, err
				}
			}
			http.SetCookie(c.w, a.cookie(a.cfg.CookieName, "", 0, "/"))
			return nil, nil
		}})
	a.handle(&route{method: "POST", path: "/auth/password/forgot", id: "forgotPassword", tag: "recovery", public: true,
		summary: "Ask for a reset link (the answer is the same for unknown users)", in: ForgotPasswordInput{},
		out: Accepted{}, status: http.StatusAccepted, h: func(c *call) (any, error) {
			var in ForgotPasswordInput
			if err := c.decode(&in); err != nil {
				return nil, err
			}
			if err := au.RequestReset(c.r.Context(), in.Login, a.clientKey(c.r)); err != nil {
				a.log.ErrorContext(c.r.Context(), "reset request", "err", err)
			}
			return Accepted{Message: "if the account exists, a reset link is on its way"}, nil
		}})
	a.handle(&route{method: "POST", path: "/auth/password/reset", id: "resetPassword", tag: "recovery", public: true,
		summary: "Set a new password with a reset link's token", in: ResetInput{}, h: func(c *call) (any, error) {
			var in ResetInput
			if err := c.decode(&in); err != nil {
				return nil, err
			}
			return nil, au.ResetPassword(c.r.Context(), in.Token, in.Password)
		}})
	a.handle(&route{method: "POST", path: "/auth/username/forgot", id: "forgotUsername", tag: "recovery", public: true,
		summary: "Ask for a username reminder (the answer is the same for unknown addresses)", in: ForgotUsernameInput{},
		out: Accepted{}, status: http.StatusAccepted, h: func(c *call) (any, error) {
			var in ForgotUsernameInput
			if err := c.decode(&in); err != nil {
				return nil, err
			}
			if err := au.RemindUsername(c.r.Context(), in.Email, a.clientKey(c.r)); err != nil {
				a.log.ErrorContext(c.r.Context(), "username reminder", "err", err)
			}
			return Accepted{Message: "if the address is known, a reminder is on its way"}, nil
		}})

	a.handle(&route{method: "PATCH", path: "/me", id: "updateProfile", tag: "account", summary: "Change your own profile",
		in: usermgmt.ProfileUpdate{}, out: usermgmt.User{}, h: func(c *call) (any, error) {
			var in usermgmt.ProfileUpdate
			if err := c.decode(&in); err != nil {
				return nil, err
			}
			return a.users.UpdateProfile(c.r.Context(), c.actor, in)
		}})
	a.handle(&route{method: "POST", path: "/me/password", id: "changePassword", tag: "account",
		summary: "Change your own password; every other session ends", in: ChangePasswordInput{},
		h: func(c *call) (any, error) {
			var in ChangePasswordInput
			if err := c.decode(&in); err != nil {
				return nil, err
			}
			iss, err := au.ChangePassword(c.r.Context(), c.actor, in.OldPassword, in.NewPassword, a.clientKey(c.r))
			if err != nil {
				return nil, err
			}
			if a.cfg.Authenticate == nil && bearer(c.r) == "" {
				a.setSession(c, iss)
			}
			return nil, nil
		}})
	a.handle(&route{method: "GET", path: "/users/{id}/sessions", id: "listSessions", tag: "sessions",
		summary: "A user's login sessions", out: []usermgmt.Session{}, h: func(c *call) (any, error) {
			s, err := au.Sessions(c.r.Context(), c.actor, c.r.PathValue("id"))
			if s == nil {
				s = []usermgmt.Session{}
			}
			return s, err
		}})
	a.handle(&route{method: "DELETE", path: "/users/{id}/sessions", id: "endSessions", tag: "sessions",
		summary: "End every login session of a user", h: func(c *call) (any, error) {
			return nil, au.LogoutEverywhere(c.r.Context(), c.actor, c.r.PathValue("id"))
		}})
	a.handle(&route{method: "PUT", path: "/users/{id}/password", id: "setPassword", tag: "users",
		summary: "Set a user's password (not sent to the user)", in: SetPasswordInput{}, h: func(c *call) (any, error) {
			var in SetPasswordInput
			if err := c.decode(&in); err != nil {
				return nil, err
			}
			return nil, au.SetPassword(c.r.Context(), c.actor, c.r.PathValue("id"), in.Password)
		}})
	a.handle(&route{method: "POST", path: "/users/{id}/password-reset", id: "sendPasswordReset", tag: "users",
		summary: "Mail a user a reset link", out: Accepted{}, status: http.StatusAccepted, h: func(c *call) (any, error) {
			if err := au.SendReset(c.r.Context(), c.actor, c.r.PathValue("id")); err != nil {
				return nil, err
			}
			return Accepted{Message: "a reset link is on its way"}, nil
		}})
	a.handle(&route{method: "GET", path: "/users/{id}/api-keys", id: "listAPIKeys", tag: "api-keys",
		summary: "A system user's API keys (never the keys themselves)", out: []usermgmt.Session{},
		h: func(c *call) (any, error) {
			k, err := au.APIKeys(c.r.Context(), c.actor, c.r.PathValue("id"))
			if k == nil {
				k = []usermgmt.Session{}
			}
			return k, err
		}})
	a.handle(&route{method: "POST", path: "/users/{id}/api-keys", id: "createAPIKey", tag: "api-keys",
		summary: "Create an API key for a system user; the key is shown once", in: APIKeyInput{}, out: auth.NewKey{},
		status: http.StatusCreated, h: func(c *call) (any, error) {
			var in APIKeyInput
			if err := c.decode(&in); err != nil {
				return nil, err
			}
			return au.CreateAPIKey(c.r.Context(), c.actor, c.r.PathValue("id"), in.Name)
		}})
	a.handle(&route{method: "DELETE", path: "/users/{id}/api-keys/{key}", id: "revokeAPIKey", tag: "api-keys",
		summary: "Revoke an API key", h: func(c *call) (any, error) {
			return nil, au.RevokeAPIKey(c.r.Context(), c.actor, c.r.PathValue("id"), c.r.PathValue("key"))
		}})
}
