package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/rosterkit/roster/auth"
	"github.com/rosterkit/roster/usermgmt"
)

// The fuzz targets feed what clients send (login forms, PINs, cookies,
// API keys, reset links, recovery forms) to the service: nothing panics,
// and every answer is one of the documented errors.

func FuzzLogin(f *testing.F) {
	w := setup(f)
	f.Add("alice", pw, "10.0.0.1")
	f.Add("alice", "Wrong-pass1", "")
	f.Add("nobody", "", "::1")
	f.Add("alice@example.com", pw, strings.Repeat("k", 500))
	f.Add(" ALICE ", "\x00\xff", "\n")
	f.Fuzz(func(t *testing.T, login, password, client string) {
		res, err := w.auth.Login(context.Background(), auth.Credentials{Login: login, Password: password, ClientKey: client})
		if err == nil && (res.Challenge == nil) == (res.Session == nil) {
			t.Fatalf("a login result holds one of challenge and session: %+v", res)
		}
		if err != nil && err != usermgmt.ErrInvalidCredentials {
			t.Fatalf("login %q: %v", login, err)
		}
	})
}

func FuzzVerifyPIN(f *testing.F) {
	w := setup(f)
	res, err := w.auth.Login(context.Background(), auth.Credentials{Login: "alice", Password: pw})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(res.Challenge.Token, "123456", "")
	f.Add(res.Challenge.Token, "", "c")
	f.Add("", "000000", "")
	f.Add(strings.Repeat("A", 43), "999999", "")
	f.Add("%%%", "\x00", "\xff")
	f.Fuzz(func(t *testing.T, challenge, code, client string) {
		_, err := w.auth.VerifyPIN(context.Background(), challenge, code, client)
		if err != nil && !errors.Is(err, usermgmt.ErrInvalidCredentials) && !errors.Is(err, usermgmt.ErrLocked) &&
			!errors.Is(err, usermgmt.ErrExpired) {
			t.Fatalf("verify pin: %v", err)
		}
		_, err = w.auth.ResendPIN(context.Background(), challenge)
		if err != nil && !errors.Is(err, usermgmt.ErrInvalidCredentials) && !errors.Is(err, usermgmt.ErrLocked) &&
			!errors.Is(err, usermgmt.ErrExpired) && !errors.Is(err, usermgmt.ErrRateLimited) {
			t.Fatalf("resend pin: %v", err)
		}
	})
}

func FuzzAuthenticate(f *testing.F) {
	w := setup(f)
	f.Add(w.login(f, w.alice))
	f.Add("")
	f.Add(strings.Repeat("_", 43))
	f.Add(auth.APIKeyPrefix + strings.Repeat("a", 43))
	f.Add("\x00\xff")
	f.Fuzz(func(t *testing.T, secret string) {
		for _, check := range []func(context.Context, string) (auth.Principal, error){w.auth.Authenticate, w.auth.AuthenticateKey} {
			p, err := check(context.Background(), secret)
			if err != nil && err != usermgmt.ErrInvalidCredentials {
				t.Fatalf("authenticate: %v", err)
			}
			if err == nil && p.User.ID == "" {
				t.Fatal("a principal without a user")
			}
		}
		if err := w.auth.Logout(context.Background(), secret); err != nil {
			t.Fatalf("logout: %v", err)
		}
	})
}

func FuzzResetPassword(f *testing.F) {
	w := setup(f)
	if err := w.auth.RequestReset(context.Background(), "alice", ""); err != nil {
		f.Fatal(err)
	}
	f.Add(w.resetToken(w.alice.Email), "New-password9")
	f.Add(w.resetToken(w.alice.Email), "short")
	f.Add("", "")
	f.Add(strings.Repeat("-", 43), strings.Repeat("Ab1!", 300))
	f.Fuzz(func(t *testing.T, tok, password string) {
		err := w.auth.ResetPassword(context.Background(), tok, password)
		var ve *usermgmt.ValidationError
		if err != nil && !errors.Is(err, usermgmt.ErrNotFound) && !errors.Is(err, usermgmt.ErrUsed) &&
			!errors.Is(err, usermgmt.ErrExpired) && !errors.As(err, &ve) {
			t.Fatalf("reset: %v", err)
		}
		if ve != nil && strings.Contains(ve.Error(), password) && len(password) > 3 {
			t.Fatalf("the error shows the password: %v", ve)
		}
	})
}

func FuzzRecovery(f *testing.F) {
	w := setup(f)
	f.Add("alice", "c")
	f.Add("alice@example.com", "")
	f.Add("nobody@example.com", "x")
	f.Add("", "\x00")
	f.Add(strings.Repeat("@", 400), "k")
	f.Fuzz(func(t *testing.T, login, client string) {
		if err := w.auth.RequestReset(context.Background(), login, client); err != nil {
			t.Fatalf("reset request %q: %v", login, err)
		}
		if err := w.auth.RemindUsername(context.Background(), login, client); err != nil {
			t.Fatalf("username reminder %q: %v", login, err)
		}
	})
}
