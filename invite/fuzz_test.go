package invite_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode"

	"github.com/rosterkit/roster/invite"
	"github.com/rosterkit/roster/usermgmt"
)

func FuzzSplitAddresses(f *testing.F) {
	for _, s := range []string{"", "a@example.com", "a@x.org, b@y.org;c@z.org\nd@w.org", "Ann <ann@x.org>", "\xff,\xfe", ",,;\u00a0\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		total := 0
		for _, item := range invite.SplitAddresses(text) {
			if item == "" {
				t.Fatalf("empty item from %q", text)
			}
			if strings.ContainsAny(item, ",;") || strings.ContainsFunc(item, unicode.IsSpace) {
				t.Fatalf("item %q holds a separator", item)
			}
			total += len(item)
		}
		if total > len(text) {
			t.Fatalf("items longer than the input")
		}
	})
}

func FuzzIsDisposable(f *testing.F) {
	for _, s := range []string{"mailinator.com", "sub.yopmail.fr", "example.com", "", ".", "com", "a@trashmail.com", "\xff", "MAILINATOR.COM."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, domain string) {
		got := invite.IsDisposable(domain)
		if isASCII(domain) && invite.IsDisposable(strings.ToUpper(domain)) != got {
			t.Fatalf("case changes the answer for %q", domain)
		}
		if got && !strings.Contains(domain, "@") && len(domain) < invite.MaxDomainLen-4 &&
			!invite.IsDisposable("sub."+strings.TrimSpace(domain)) {
			t.Fatalf("%q is disposable but a subdomain is not", domain)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// FuzzLinks presents arbitrary tokens to every link-holder call: none
// panics, and since no such link exists, each says "invalid".
func FuzzLinks(f *testing.F) {
	w := setup(f)
	for _, s := range []string{"", "x", strings.Repeat("A", 43), strings.Repeat("-", 43), "%00", "\xff\xfe\xfd"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, secret string) {
		ctx := context.Background()
		_, e1 := w.inv.Lookup(ctx, secret)
		_, e2 := w.inv.LookupActivation(ctx, secret)
		_, e3 := w.inv.LookupOwnership(ctx, secret)
		_, e4 := w.inv.Accept(ctx, secret, accept("fuzzy", 1))
		_, e5 := w.inv.Activate(ctx, secret, pw)
		_, e6 := w.inv.AcceptOwnership(ctx, secret)
		e7 := w.inv.DeclineOwnership(ctx, secret)
		for i, err := range []error{e1, e2, e3, e4, e5, e6, e7} {
			if !errors.Is(err, usermgmt.ErrNotFound) {
				t.Fatalf("call %d with %q: %v", i+1, secret, err)
			}
		}
	})
}

// FuzzInvite invites one arbitrary address: every address is either
// invited or skipped with a reason, and nothing panics.
func FuzzInvite(f *testing.F) {
	w := setup(f)
	for _, s := range []string{"ann@example.org", "Ann <ann@example.org>", "a@mailinator.com", "owner@example.com",
		"\"quoted\"@example.org", "a@[192.0.2.1]", "a@b", "a@xn--bcher-kva.example", "ü@exämple.org", "\x00@x.org"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		res, err := w.inv.Invite(context.Background(), w.owner.ID, invite.Request{Emails: []string{addr}})
		if strings.TrimSpace(addr) == "" {
			if !errors.Is(err, usermgmt.ErrInvalid) {
				t.Fatalf("blank address: %v", err)
			}
			return
		}
		if err != nil {
			t.Fatalf("%q: %v", addr, err)
		}
		if len(res.Invited)+len(res.Skipped) != 1 {
			t.Fatalf("%q: %d invited, %d skipped", addr, len(res.Invited), len(res.Skipped))
		}
		if len(res.Skipped) == 1 && (res.Skipped[0].Reason == "" || res.Skipped[0].Message == "") {
			t.Fatalf("%q: a skip without a reason", addr)
		}
		if len(res.Invited) == 1 {
			if _, err := usermgmt.CheckEmail(res.Invited[0].Email); err != nil {
				t.Fatalf("%q: invited an invalid address: %v", addr, err)
			}
		}
	})
}

// FuzzAccept accepts a fresh invitation with arbitrary details: the
// answer is a user or an error saying what is wrong, never a panic.
func FuzzAccept(f *testing.F) {
	w := setup(f)
	f.Add("New", "Person", "newbie", pw, "+447922200001")
	f.Add("", "", "", "", "")
	f.Add("A\x00", "B\u202e", "ab", "short", "12345")
	f.Add("Ann", "Lee", "owner", pw, "+447911100001")
	n := 0
	f.Fuzz(func(t *testing.T, first, last, username, password, phone string) {
		ctx := context.Background()
		n++
		addr := fmt.Sprintf("fuzz%d@example.org", n)
		if _, err := w.inv.Invite(ctx, w.owner.ID, invite.Request{Emails: []string{addr}}); err != nil {
			t.Fatal(err)
		}
		tok := w.mails.LastLink(addr)
		tok = tok[strings.Index(tok, "token=")+len("token="):]
		u, err := w.inv.Accept(ctx, tok, invite.Acceptance{FirstName: first, LastName: last, Username: username,
			Password: password, MobilePhone: phone})
		switch {
		case err == nil:
			if u.Status != usermgmt.StatusActive || u.Email != addr {
				t.Fatalf("accepted user %+v", u)
			}
		case errors.Is(err, usermgmt.ErrInvalid), errors.Is(err, usermgmt.ErrConflict):
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	})
}
