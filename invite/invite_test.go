package invite_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/invite"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/mail"
	"github.com/rosterkit/roster/usermgmt/sqlitestore"
)

func TestNewConfig(t *testing.T) {
	t.Parallel()
	users, err := usermgmt.New(usermgmt.Config{Store: memstoreNew()})
	require.NoError(t, err)
	link := func(s string) string { return "https://x.example/" + s }
	for _, tc := range []struct {
		name string
		cfg  invite.Config
		want string // "" for success
	}{
		{"no users", invite.Config{Mailer: &mail.Recorder{}, BaseURL: "https://x.example"}, "Config.Users"},
		{"no mailer", invite.Config{Users: users, BaseURL: "https://x.example"}, "Config.Mailer"},
		{"no links", invite.Config{Users: users, Mailer: &mail.Recorder{}}, "Config.BaseURL"},
		{"relative base", invite.Config{Users: users, Mailer: &mail.Recorder{}, BaseURL: "/roster"}, "absolute URL"},
		{"one link missing", invite.Config{Users: users, Mailer: &mail.Recorder{},
			Links: invite.Links{Invite: link, Activate: link}}, "Links.Ownership"},
		{"negative ttl", invite.Config{Users: users, Mailer: &mail.Recorder{}, BaseURL: "https://x.example",
			InviteTTL: -time.Hour}, "InviteTTL"},
		{"sms ownership without sms", invite.Config{Users: users, Mailer: &mail.Recorder{},
			BaseURL: "https://x.example", OwnershipBySMS: true}, "Config.SMS"},
		{"bad from", invite.Config{Users: users, Mailer: &mail.Recorder{}, BaseURL: "https://x.example",
			From: "not an address\r\nBcc: x@y.z"}, "Config.From"},
		{"links only", invite.Config{Users: users, Mailer: &mail.Recorder{}, Hasher: fakeHasher{},
			Links: invite.Links{Invite: link, Activate: link, Ownership: link}}, ""},
		{"base url", invite.Config{Users: users, Mailer: &mail.Recorder{}, Hasher: fakeHasher{},
			BaseURL: "https://x.example/roster/"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := invite.New(tc.cfg)
			if tc.want == "" {
				require.NoError(t, err)
				assert.Equal(t, invite.DefaultTTL, s.TTL(usermgmt.TokenInvite))
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Nil(t, s)
		})
	}
}

func TestInviteReasons(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, w *world) // makes the address special
		emails  []string
		want    invite.Reason // "" means invited
	}{
		{"plain address is invited", nil, []string{"ann@example.org"}, ""},
		{"upper-case domain is invited", nil, []string{"Ann@Example.ORG"}, ""},
		{"invalid: no at", nil, []string{"ann.example.org"}, invite.ReasonInvalid},
		{"invalid: display name", nil, []string{"Ann <ann@example.org>"}, invite.ReasonInvalid},
		{"invalid: single-label domain", nil, []string{"root@localhost"}, invite.ReasonInvalid},
		{"invalid: not utf-8", nil, []string{"ann@exa\xffmple.org"}, invite.ReasonInvalid},
		{"invalid: too long", nil, []string{strings.Repeat("a", 60) + "@" + strings.Repeat("b", 250) + ".org"}, invite.ReasonInvalid},
		{"duplicate within the request", nil, []string{"bob@example.org", "BOB@example.org"}, invite.ReasonDuplicateInRequest},
		{"pending invitation", func(t *testing.T, w *world) {
			_, err := w.inv.Invite(ctx, w.owner.ID, invite.Request{Emails: []string{"cat@example.org"}})
			require.NoError(t, err)
		}, []string{"Cat@example.org"}, invite.ReasonPending},
		{"existing user", func(t *testing.T, w *world) { w.mk(t, "dora", 7) }, []string{"DORA@example.com"}, invite.ReasonExistingUser},
		{"existing user of another account", func(t *testing.T, w *world) { w.otherAccount(t, "Globex", 0) },
			[]string{"globexboss@example.com"}, invite.ReasonExistingUser},
		{"disposable domain", nil, []string{"eve@mailinator.com"}, invite.ReasonDisposable},
		{"disposable parent domain", nil, []string{"eve@inbox.guerrillamail.com"}, invite.ReasonDisposable},
		{"disposable, upper case", nil, []string{"eve@YOPMAIL.COM"}, invite.ReasonDisposable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := setup(t)
			if tc.prepare != nil {
				tc.prepare(t, w)
			}
			res, err := w.inv.Invite(ctx, w.owner.ID, invite.Request{Emails: tc.emails})
			require.NoError(t, err)
			last := tc.emails[len(tc.emails)-1]
			if tc.want == "" {
				require.Len(t, res.Invited, 1)
				assert.Empty(t, res.Skipped)
				assert.Equal(t, strings.ToLower(last[strings.LastIndexByte(last, '@'):]),
					res.Invited[0].Email[strings.LastIndexByte(res.Invited[0].Email, '@'):], "domain lower-cased")
				assert.NotEmpty(t, w.mails.LastLink(last))
				return
			}
			require.NotEmpty(t, res.Skipped)
			skip := res.Skipped[len(res.Skipped)-1]
			assert.Equal(t, last, skip.Email)
			assert.Equal(t, tc.want, skip.Reason)
			assert.NotEmpty(t, skip.Message)
			assert.Equal(t, strings.ToLower(skip.Message[:1]), skip.Message[:1], "messages start lower case")
		})
	}
}

func TestInviteHostDisposableCheck(t *testing.T) {
	t.Parallel()
	w := setup(t, func(c *invite.Config) {
		c.Disposable = func(domain string) bool { return domain == "throwaway.example" || invite.IsDisposable(domain) }
	})
	res, err := w.inv.Invite(context.Background(), w.owner.ID, invite.Request{
		Emails: []string{"a@throwaway.example", "b@mailinator.com", "c@example.org"}})
	require.NoError(t, err)
	require.Len(t, res.Skipped, 2)
	assert.Equal(t, invite.ReasonDisposable, res.Skipped[0].Reason)
	assert.Equal(t, invite.ReasonDisposable, res.Skipped[1].Reason)
	require.Len(t, res.Invited, 1)
}

// TestInvite500Mixed invites 500 addresses in one call with every
// reason represented, and checks the accounting of each.
func TestInvite500Mixed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	for i := range 5 {
		w.mk(t, fmt.Sprintf("user%02d", i), 100+i)
	}
	_, err := w.inv.Invite(ctx, w.owner.ID, invite.Request{Emails: []string{"p0@example.org", "p1@example.org", "p2@example.org"}})
	require.NoError(t, err)
	w.mails.Reset()

	var emails []string
	for i := range 500 {
		var e string
		switch i % 10 {
		case 0: // 50 invalid
			e = fmt.Sprintf("bad%d.example.org", i)
		case 1: // 50 disposable
			e = fmt.Sprintf("d%d@trashmail.com", i)
		case 2: // 3 pending, then 47 users' addresses: 5 first seen, 42 repeats
			if i < 30 {
				e = fmt.Sprintf("p%d@example.org", i/10)
			} else {
				e = fmt.Sprintf("USER%02d@example.com", (i/10)%5)
			}
		case 9: // 50 repeats of case 8, in another case
			e = fmt.Sprintf("N%d@Example.org", i-1)
		default: // 300 new
			e = fmt.Sprintf("n%d@example.org", i)
		}
		emails = append(emails, e)
	}
	res, err := w.inv.Invite(ctx, w.owner.ID, invite.Request{Emails: emails})
	require.NoError(t, err)
	got := map[invite.Reason]int{}
	for _, s := range res.Skipped {
		got[s.Reason]++
	}
	assert.Equal(t, map[invite.Reason]int{invite.ReasonInvalid: 50, invite.ReasonDisposable: 50, invite.ReasonPending: 3,
		invite.ReasonExistingUser: 5, invite.ReasonDuplicateInRequest: 92}, got)
	assert.Equal(t, 300, len(res.Invited))
	assert.Equal(t, 500, len(res.Invited)+len(res.Skipped), "every address is accounted for once")
	assert.Equal(t, len(res.Invited), w.mails.Len(), "one mail per invitation")
	for _, s := range res.Invited {
		assert.Empty(t, s.SendError)
	}
	creates := 0
	for _, e := range w.events(t, w.acct.ID) {
		if e == "invite.create:ok" {
			creates++
		}
	}
	assert.Equal(t, len(res.Invited)+3, creates, "one audit event per invitation")
}

func TestInviteInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	for _, tc := range []struct {
		name  string
		req   invite.Request
		field string
	}{
		{"no address", invite.Request{Emails: []string{" ", ""}}, "emails"},
		{"too many", invite.Request{Emails: make([]string, invite.MaxAddresses+1)}, "emails"},
		{"bad permission", invite.Request{Emails: []string{"a@example.org"}, Permissions: []usermgmt.Permission{"Users!"}}, "permissions"},
		{"scope without permissions", invite.Request{Emails: []string{"a@example.org"}, Scope: usermgmt.Scope{GroupID: "g"}}, "scope"},
		{"bad level", invite.Request{Emails: []string{"a@example.org"}, ServiceLevel: "gold"}, "service_level"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "too many" {
				for i := range tc.req.Emails {
					tc.req.Emails[i] = fmt.Sprintf("u%d@example.org", i)
				}
			}
			_, err := w.inv.Invite(ctx, w.owner.ID, tc.req)
			var ve *usermgmt.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.True(t, ve.Has(tc.field), ve.Error())
		})
	}
	assert.Zero(t, w.mails.Len())
}

func TestInviteForbidden(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	// Sales admin: invitations and users over Sales only.
	sam := w.admin(t, "samuel", 10, w.sales.ID, usermgmt.PermInvitations, usermgmt.PermUsers)
	end := w.mk(t, "endy", 11)
	for _, tc := range []struct {
		name  string
		actor string
		req   invite.Request
	}{
		{"permission the admin lacks", sam.ID, invite.Request{Group: w.sales.ID,
			Permissions: []usermgmt.Permission{usermgmt.PermUsers, usermgmt.PermReports}}},
		{"scope above the admin", sam.ID, invite.Request{Group: w.sales.ID,
			Permissions: []usermgmt.Permission{usermgmt.PermUsers}, Scope: usermgmt.Scope{GroupID: w.acct.RootGroupID}}},
		{"group outside the admin's", sam.ID, invite.Request{}},
		{"owner-only permission", w.owner.ID, invite.Request{Permissions: []usermgmt.Permission{usermgmt.PermPricing}}},
		{"end user", end.ID, invite.Request{}},
		{"unknown actor", "nobody", invite.Request{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.Emails = []string{"target@example.org"}
			res, err := w.inv.Invite(ctx, tc.actor, tc.req)
			require.ErrorIs(t, err, usermgmt.ErrForbidden)
			assert.Empty(t, res.Invited)
		})
	}
	assert.Zero(t, w.mails.Len(), "nothing was sent")
	pending, _, err := w.inv.Pending(ctx, w.owner.ID, usermgmt.Page{})
	require.NoError(t, err)
	assert.Empty(t, pending, "nothing was written")
	assert.Contains(t, w.events(t, w.acct.ID), "invite.create:refused", "refusals are audited")

	// Within what Sam holds, the same call works.
	res, err := w.inv.Invite(ctx, sam.ID, invite.Request{Emails: []string{"target@example.org"}, Group: w.sales.ID,
		Permissions: []usermgmt.Permission{usermgmt.PermUsers}})
	require.NoError(t, err)
	require.Len(t, res.Invited, 1)
}

func TestLookupDoesNotConsume(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	_, err := w.inv.Invite(ctx, w.owner.ID, invite.Request{Emails: []string{"ann@example.org"}})
	require.NoError(t, err)
	tok := w.link(t, "ann@example.org")
	for range 5 { // a mail scanner, a preview, the invitee: all look
		inv, err := w.inv.Lookup(ctx, tok)
		require.NoError(t, err)
		assert.Equal(t, "ann@example.org", inv.Email)
		assert.Equal(t, "Acme", inv.AccountName)
		assert.Equal(t, "Owner Smith", inv.InviterName)
		assert.Equal(t, usermgmt.TokenInvite, inv.Kind)
		assert.Equal(t, w.clock.Now().Add(invite.DefaultTTL), inv.ExpiresAt)
	}
	u, err := w.inv.Accept(ctx, tok, accept("annie", 1))
	require.NoError(t, err)
	assert.Equal(t, usermgmt.StatusActive, u.Status)
	_, err = w.inv.Lookup(ctx, tok)
	assert.ErrorIs(t, err, usermgmt.ErrUsed)
}

func TestLinkErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	_, err := w.inv.Invite(ctx, w.owner.ID, invite.Request{Emails: []string{"ann@example.org", "bob@example.org"}})
	require.NoError(t, err)
	ann, bob := w.link(t, "ann@example.org"), w.link(t, "bob@example.org")
	_, err = w.inv.Accept(ctx, bob, accept("bobby", 2))
	require.NoError(t, err)
	w.clock.Advance(invite.DefaultTTL)

	for _, tc := range []struct {
		name, token string
		want        error
	}{
		{"empty", "", usermgmt.ErrNotFound},
		{"garbage", "not-a-token", usermgmt.ErrNotFound},
		{"well formed, unknown", strings.Repeat("A", 43), usermgmt.ErrNotFound},
		{"expired at exactly its lifetime", ann, usermgmt.ErrExpired},
		{"used", bob, usermgmt.ErrUsed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.inv.Lookup(ctx, tc.token)
			assert.ErrorIs(t, err, tc.want)
			_, err = w.inv.Accept(ctx, tc.token, accept("someone", 3))
			assert.ErrorIs(t, err, tc.want)
			// Expired is not invalid, and neither is used.
			if tc.want != usermgmt.ErrNotFound {
				assert.NotErrorIs(t, err, usermgmt.ErrNotFound)
			}
		})
	}
	// A link of one kind is invalid for another.
	_, err = w.inv.LookupActivation(ctx, ann)
	assert.ErrorIs(t, err, usermgmt.ErrNotFound)
}

func TestAcceptGrantsInvitedAccess(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	perms := []usermgmt.Permission{usermgmt.PermUsers, usermgmt.PermReports}
	_, err := w.inv.Invite(ctx, w.owner.ID, invite.Request{Emails: []string{"Ann@Example.org"}, Group: w.sales.ID,
		Permissions: perms, ServiceLevel: usermgmt.LevelPro})
	require.NoError(t, err)
	u, err := w.inv.Accept(ctx, w.link(t, "ann@example.org"), accept("annie", 1))
	require.NoError(t, err)
	assert.Equal(t, "Ann@example.org", u.Email, "the invitation's address")
	assert.Equal(t, w.sales.ID, u.GroupID)
	assert.Equal(t, usermgmt.TypeAdmin, u.Type)
	assert.Equal(t, usermgmt.LevelPro, u.ServiceLevel)
	assert.Equal(t, usermgmt.StatusActive, u.Status)
	grants, err := w.store.ListGrants(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, grants, 1)
	assert.Equal(t, usermgmt.Scope{GroupID: w.sales.ID}, grants[0].Scope, "the scope defaults to the landing group")
	assert.ElementsMatch(t, perms, grants[0].Permissions)
	hash, err := w.store.GetPassword(ctx, u.ID)
	require.NoError(t, err)
	want, _ := fakeHasher{}.Hash(ctx, pw)
	assert.Equal(t, want, hash, "the password is stored hashed")
	ev := w.events(t, w.acct.ID)
	assert.Contains(t, ev, "invite.accept:ok")
	assert.Contains(t, ev, "grant.create:ok")

	// End users get no grant.
	_, err = w.inv.Invite(ctx, w.owner.ID, invite.Request{Emails: []string{"ed@example.org"}})
	require.NoError(t, err)
	ed, err := w.inv.Accept(ctx, w.link(t, "ed@example.org"), accept("eddie", 2))
	require.NoError(t, err)
	assert.Equal(t, usermgmt.TypeEndUser, ed.Type)
	assert.Equal(t, w.acct.RootGroupID, ed.GroupID)
	grants, err = w.store.ListGrants(ctx, ed.ID)
	require.NoError(t, err)
	assert.Empty(t, grants)
}

func TestAcceptValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	w.mk(t, "taken", 5)
	_, err := w.inv.Invite(ctx, w.owner.ID, invite.Request{Emails: []string{"ann@example.org"}})
	require.NoError(t, err)
	tok := w.link(t, "ann@example.org")

	_, err = w.inv.Accept(ctx, tok, invite.Acceptance{Username: "ab", Password: "short"})
	var ve *usermgmt.ValidationError
	require.ErrorAs(t, err, &ve)
	for _, f := range []string{"username", "first_name", "last_name", "mobile_phone", "password"} {
		assert.True(t, ve.Has(f), "%s: %v", f, ve)
	}
	assert.NotContains(t, err.Error(), "short", "no password in an error")
	_, err = w.inv.Accept(ctx, tok, invite.Acceptance{FirstName: "A", LastName: "B", Username: "abcd",
		MobilePhone: "+447911100001"})
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("password"), "a password is required")

	a := accept("TAKEN", 6)
	_, err = w.inv.Accept(ctx, tok, a)
	var ce *usermgmt.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "username", ce.Field)

	// Nothing was consumed: the invitee corrects and succeeds.
	_, err = w.inv.Accept(ctx, tok, accept("annie", 6))
	require.NoError(t, err)
}

func TestAcceptTwiceConcurrently(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(t *testing.T) usermgmt.Store{
		"memstore": func(*testing.T) usermgmt.Store { return memstoreNew() },
		"sqlite": func(t *testing.T) usermgmt.Store {
			s, err := sqlitestore.Open(context.Background(), sqlitestore.Config{Path: t.TempDir() + "/r.db"})
			require.NoError(t, err)
			t.Cleanup(func() { _ = s.Close() })
			return s
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			w := setupStore(t, open(t))
			_, err := w.inv.Invite(ctx, w.owner.ID, invite.Request{Emails: []string{"ann@example.org"}})
			require.NoError(t, err)
			tok := w.link(t, "ann@example.org")
			before := w.seats(t, w.acct.ID)
			const n = 8
			var wg sync.WaitGroup
			errs := make([]error, n)
			for i := range n {
				wg.Go(func() {
					_, errs[i] = w.inv.Accept(ctx, tok, accept(fmt.Sprintf("annie%d", i), 10+i))
				})
			}
			wg.Wait()
			ok := 0
			for _, err := range errs {
				if err == nil {
					ok++
				} else {
					assert.ErrorIs(t, err, usermgmt.ErrUsed)
				}
			}
			assert.Equal(t, 1, ok, "exactly one acceptance wins")
			assert.Equal(t, before+1, w.seats(t, w.acct.ID), "exactly one user")
		})
	}
}

func TestAcceptAfterRevoke(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	res, err := w.inv.Invite(ctx, w.owner.ID, invite.Request{Emails: []string{"ann@example.org", "old@example.org"}})
	require.NoError(t, err)
	tok := w.link(t, "ann@example.org")
	require.NoError(t, w.inv.Revoke(ctx, w.owner.ID, res.Invited[0].ID))

	_, err = w.inv.Lookup(ctx, tok)
	assert.ErrorIs(t, err, invite.ErrRevoked)
	_, err = w.inv.Accept(ctx, tok, accept("annie", 1))
	assert.ErrorIs(t, err, invite.ErrRevoked)
	assert.ErrorIs(t, err, usermgmt.ErrUsed, "a revoked link is a used link too")
	assert.ErrorIs(t, w.inv.Revoke(ctx, w.owner.ID, res.Invited[0].ID), usermgmt.ErrUsed)

	pending, _, err := w.inv.Pending(ctx, w.owner.ID, usermgmt.Page{})
	require.NoError(t, err)
	require.Len(t, pending, 1)
	assert.Equal(t, "old@example.org", pending[0].Email)

	// An expired invitation is deleted by Revoke.
	w.clock.Advance(invite.DefaultTTL + time.Second)
	require.NoError(t, w.inv.Revoke(ctx, w.owner.ID, res.Invited[1].ID))
	pending, _, err = w.inv.Pending(ctx, w.owner.ID, usermgmt.Page{})
	require.NoError(t, err)
	assert.Empty(t, pending)
	assert.Contains(t, w.events(t, w.acct.ID), "invite.revoke:ok")
}

func TestAcceptBeyondSeatLimit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	_, err := w.users.SetSeatLimit(ctx, w.acct.ID, w.seats(t, w.acct.ID)+1)
	require.NoError(t, err)
	_, err = w.inv.Invite(ctx, w.owner.ID, invite.Request{Emails: []string{"ann@example.org", "bob@example.org"}})
	require.NoError(t, err)
	ann, bob := w.link(t, "ann@example.org"), w.link(t, "bob@example.org")
	_, err = w.inv.Accept(ctx, ann, accept("annie", 1))
	require.NoError(t, err)
	_, err = w.inv.Accept(ctx, bob, accept("bobby", 2))
	require.ErrorIs(t, err, usermgmt.ErrSeatLimit)
	assert.Contains(t, w.events(t, w.acct.ID), "invite.accept:refused", "the seat limit refusal is audited")

	_, err = w.inv.Lookup(ctx, bob)
	require.NoError(t, err, "the link was not consumed")
	_, err = w.users.SetSeatLimit(ctx, w.acct.ID, 0)
	require.NoError(t, err)
	_, err = w.inv.Accept(ctx, bob, accept("bobby", 2))
	require.NoError(t, err)
}

func TestResendAfterExpiry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	res, err := w.inv.Invite(ctx, w.owner.ID, invite.Request{Emails: []string{"ann@example.org"}})
	require.NoError(t, err)
	old := w.link(t, "ann@example.org")
	w.clock.Advance(8 * 24 * time.Hour)
	_, err = w.inv.Lookup(ctx, old)
	require.ErrorIs(t, err, usermgmt.ErrExpired)

	pending, _, err := w.inv.Pending(ctx, w.owner.ID, usermgmt.Page{})
	require.NoError(t, err)
	require.Len(t, pending, 1)
	assert.Equal(t, invite.StateExpired, pending[0].State)

	rec, err := w.inv.Resend(ctx, w.owner.ID, res.Invited[0].ID)
	require.NoError(t, err)
	assert.Equal(t, invite.StatePending, rec.State)
	assert.Equal(t, w.clock.Now().Add(invite.DefaultTTL), rec.ExpiresAt, "the lifetime restarts")
	assert.Equal(t, 2, rec.Sends)
	fresh := w.link(t, "ann@example.org")
	assert.NotEqual(t, old, fresh)
	_, err = w.inv.Lookup(ctx, old)
	assert.ErrorIs(t, err, usermgmt.ErrNotFound, "the old link is dead")
	_, err = w.inv.Accept(ctx, fresh, accept("annie", 1))
	require.NoError(t, err)
	assert.Contains(t, w.events(t, w.acct.ID), "invite.resend:ok")

	// Re-inviting an expired address replaces the old invitation.
	_, err = w.inv.Invite(ctx, w.owner.ID, invite.Request{Emails: []string{"zed@example.org"}})
	require.NoError(t, err)
	w.clock.Advance(8 * 24 * time.Hour)
	again, err := w.inv.Invite(ctx, w.owner.ID, invite.Request{Emails: []string{"zed@example.org"}})
	require.NoError(t, err)
	require.Len(t, again.Invited, 1)
	pending, _, err = w.inv.Pending(ctx, w.owner.ID, usermgmt.Page{})
	require.NoError(t, err)
	require.Len(t, pending, 1)
	assert.Equal(t, again.Invited[0].ID, pending[0].ID)
}

func TestSendFailureThenRetry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	w.mails.FailNext(errors.New("smtp: 451 try again later, token=secret"))
	res, err := w.inv.Invite(ctx, w.owner.ID, invite.Request{Emails: []string{"ann@example.org"}})
	require.NoError(t, err, "a failed delivery does not fail the invitation")
	require.Len(t, res.Invited, 1)
	assert.Equal(t, "mail delivery failed", res.Invited[0].SendError)
	assert.NotContains(t, res.Invited[0].SendError, "secret", "transport text is not repeated")
	assert.Zero(t, w.mails.Len())

	pending, _, err := w.inv.Pending(ctx, w.owner.ID, usermgmt.Page{})
	require.NoError(t, err)
	require.Len(t, pending, 1)
	assert.Equal(t, invite.StatePending, pending[0].State)
	assert.Equal(t, "mail delivery failed", pending[0].SendError, "the failure is visible")
	assert.Equal(t, 1, pending[0].Sends)
	assert.True(t, pending[0].SentAt.IsZero())

	rec, err := w.inv.Resend(ctx, w.owner.ID, res.Invited[0].ID)
	require.NoError(t, err)
	assert.Empty(t, rec.SendError)
	_, err = w.inv.Accept(ctx, w.link(t, "ann@example.org"), accept("annie", 1))
	require.NoError(t, err)

	// The host's retry job does the same without an admin.
	w.mails.FailNext(context.DeadlineExceeded)
	res, err = w.inv.Invite(ctx, w.owner.ID, invite.Request{Emails: []string{"bob@example.org"}})
	require.NoError(t, err)
	assert.Equal(t, "mail delivery failed: timed out", res.Invited[0].SendError)
	n, err := w.inv.RetryFailed(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	pending, _, err = w.inv.Pending(ctx, w.owner.ID, usermgmt.Page{})
	require.NoError(t, err)
	require.Len(t, pending, 1)
	assert.Empty(t, pending[0].SendError)
	assert.Equal(t, 2, pending[0].Sends)
	_, err = w.inv.Lookup(ctx, w.link(t, "bob@example.org"))
	require.NoError(t, err)
	n, err = w.inv.RetryFailed(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing left to retry")
}

func TestRetryFailedFindsUnsentLinks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	// A link written but never handed to the mailer (the process stopped).
	now := w.clock.Now()
	tok := usermgmt.Token{ID: "lost", Kind: usermgmt.TokenInvite, Hash: strings.Repeat("ab", 32), AccountID: w.acct.ID,
		Email: "lost@example.org", CreatedBy: w.owner.ID, Data: []byte(`{"group":"` + w.acct.RootGroupID + `","type":"end_user"}`),
		CreatedAt: now, ExpiresAt: now.Add(invite.DefaultTTL)}
	require.NoError(t, w.store.CreateToken(ctx, &tok))
	n, err := w.inv.RetryFailed(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "too recent: maybe still being sent")
	w.clock.Advance(10 * time.Minute)
	n, err = w.inv.RetryFailed(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	_, err = w.inv.Lookup(ctx, w.link(t, "lost@example.org"))
	require.NoError(t, err)
}

func TestAcceptWhenInviterLostRights(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	sam := w.admin(t, "samuel", 10, w.sales.ID, usermgmt.PermInvitations, usermgmt.PermUsers)
	_, err := w.inv.Invite(ctx, sam.ID, invite.Request{Emails: []string{"ann@example.org", "bob@example.org"},
		Group: w.sales.ID, Permissions: []usermgmt.Permission{usermgmt.PermUsers}})
	require.NoError(t, err)
	grants, err := w.store.ListGrants(ctx, sam.ID)
	require.NoError(t, err)
	require.NoError(t, w.users.Revoke(ctx, w.owner.ID, grants[0].ID))
	_, err = w.users.Grant(ctx, w.owner.ID, sam.ID, usermgmt.Scope{GroupID: w.sales.ID}, []usermgmt.Permission{usermgmt.PermInvitations})
	require.NoError(t, err)

	_, err = w.inv.Accept(ctx, w.link(t, "ann@example.org"), accept("annie", 1))
	require.ErrorIs(t, err, usermgmt.ErrForbidden, "Sam no longer holds PermUsers: the invitation cannot grant it")
	assert.Contains(t, w.events(t, w.acct.ID), "invite.accept:refused")
	_, err = w.inv.Lookup(ctx, w.link(t, "ann@example.org"))
	require.NoError(t, err, "the link is not consumed by a refusal")

	_, err = w.users.Suspend(ctx, w.owner.ID, sam.ID, time.Time{})
	require.NoError(t, err)
	_, err = w.inv.Accept(ctx, w.link(t, "bob@example.org"), accept("bobby", 2))
	require.ErrorIs(t, err, usermgmt.ErrForbidden, "a suspended sender's invitations do not work")
}

func TestPendingVisibility(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	sam := w.admin(t, "samuel", 10, w.sales.ID, usermgmt.PermInvitations)
	end := w.mk(t, "endy", 11)
	_, err := w.inv.Invite(ctx, w.owner.ID, invite.Request{Emails: []string{"root@example.org"}})
	require.NoError(t, err)
	res, err := w.inv.Invite(ctx, w.owner.ID, invite.Request{Emails: []string{"sales@example.org"}, Group: w.sales.ID})
	require.NoError(t, err)

	all, _, err := w.inv.Pending(ctx, w.owner.ID, usermgmt.Page{})
	require.NoError(t, err)
	assert.Len(t, all, 2)
	mine, _, err := w.inv.Pending(ctx, sam.ID, usermgmt.Page{})
	require.NoError(t, err)
	require.Len(t, mine, 1)
	assert.Equal(t, "sales@example.org", mine[0].Email)
	_, _, err = w.inv.Pending(ctx, end.ID, usermgmt.Page{})
	assert.ErrorIs(t, err, usermgmt.ErrForbidden)

	// Sam may manage the Sales invitation, not the root one.
	_, err = w.inv.Resend(ctx, sam.ID, res.Invited[0].ID)
	require.NoError(t, err)
	rootID := all[0].ID
	if rootID == res.Invited[0].ID {
		rootID = all[1].ID
	}
	assert.ErrorIs(t, w.inv.Revoke(ctx, sam.ID, rootID), usermgmt.ErrForbidden)
	_, err = w.inv.Resend(ctx, sam.ID, rootID)
	assert.ErrorIs(t, err, usermgmt.ErrForbidden)
	assert.ErrorIs(t, w.inv.Revoke(ctx, sam.ID, "no-such-id"), usermgmt.ErrNotFound)

	// Pages follow the store's cursor.
	for i := range 5 {
		_, err := w.inv.Invite(ctx, w.owner.ID, invite.Request{Emails: []string{fmt.Sprintf("p%d@example.org", i)}})
		require.NoError(t, err)
	}
	seen, after := 0, ""
	for {
		page, next, err := w.inv.Pending(ctx, w.owner.ID, usermgmt.Page{After: after, Limit: 2})
		require.NoError(t, err)
		seen += len(page)
		if next == "" {
			break
		}
		after = next
	}
	assert.Equal(t, 7, seen)
}

func TestResendRefusesUsedOrTaken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	res, err := w.inv.Invite(ctx, w.owner.ID, invite.Request{Emails: []string{"ann@example.org", "bob@example.org"}})
	require.NoError(t, err)
	_, err = w.inv.Accept(ctx, w.link(t, "ann@example.org"), accept("annie", 1))
	require.NoError(t, err)
	_, err = w.inv.Resend(ctx, w.owner.ID, res.Invited[0].ID)
	assert.ErrorIs(t, err, usermgmt.ErrUsed)

	// bob@ joins by another road; his invitation cannot be resent.
	u := person("bobby", 2)
	u.Email = "bob@example.org"
	_, err = w.users.CreateUser(ctx, w.owner.ID, usermgmt.NewUser{User: u, Password: pw})
	require.NoError(t, err)
	_, err = w.inv.Resend(ctx, w.owner.ID, res.Invited[1].ID)
	var ve *usermgmt.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("email"))
}
