package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
)

func testCopies(t *testing.T, r *runner) {
	s := r.store(t)
	ctx := context.Background()

	parallel(t, "ReturnedValuesAreCopies", func(t *testing.T) {
		w := r.world(t, s)
		f := w.fixture
		w.event("user.update", at(time.Minute))
		before := w.snap(t)

		a := f.getAccount()
		a.Settings["signature"] = "mutated"
		u := f.getUser(w.u.ID)
		u.Services[0] = usermgmt.ChannelFax
		u.Settings["signature"] = "mutated"
		for _, lookup := range []func() (usermgmt.User, error){
			func() (usermgmt.User, error) { return s.GetUserByUsername(ctx, w.u.Username) },
			func() (usermgmt.User, error) { return s.GetUserByEmail(ctx, w.u.Email) },
			func() (usermgmt.User, error) { return s.GetUserByPhone(ctx, w.u.MobilePhone) },
		} {
			x, err := lookup()
			require.NoError(t, err)
			x.Services[0] = usermgmt.ChannelFax
			x.Settings["signature"] = "mutated"
		}
		users, _, err := s.ListUsers(ctx, usermgmt.UserFilter{AccountID: f.ID}, usermgmt.Page{})
		require.NoError(t, err)
		users[0].Services[0] = usermgmt.ChannelFax
		users[0].Settings["signature"] = "mutated"
		users[1].ID = "mutated"
		counts, err := s.CountUsers(ctx, f.ID)
		require.NoError(t, err)
		counts.ByStatus[usermgmt.StatusActive] = 99
		counts.ByLevel[usermgmt.LevelPro] = 99
		g, err := s.GetGrant(ctx, w.grant.ID)
		require.NoError(t, err)
		g.Permissions[0] = usermgmt.PermPayments
		grants, err := s.ListGrants(ctx, w.admin.ID)
		require.NoError(t, err)
		grants[0].Permissions[0] = usermgmt.PermPayments
		grants, err = s.ListAccountGrants(ctx, f.ID)
		require.NoError(t, err)
		grants[0].Permissions[0] = usermgmt.PermPayments
		tok, err := s.GetToken(ctx, w.token.ID)
		require.NoError(t, err)
		tok.Data[0] = 'X'
		tok, err = s.GetTokenByHash(ctx, w.token.Hash)
		require.NoError(t, err)
		tok.Data[0] = 'X'
		tokens, _, err := s.ListTokens(ctx, usermgmt.TokenFilter{AccountID: f.ID}, usermgmt.Page{})
		require.NoError(t, err)
		tokens[0].Data[0] = 'X'
		events, _, err := s.ListEvents(ctx, usermgmt.EventFilter{AccountID: f.ID}, usermgmt.Page{})
		require.NoError(t, err)
		events[0].Fields[0] = "mutated"
		groups, err := s.ListGroups(ctx, f.ID)
		require.NoError(t, err)
		groups[0].Path = "/mutated/"

		assert.Equal(t, before, w.snap(t), "changing what a store returned changes nothing stored")
		c2, err := s.CountUsers(ctx, f.ID)
		require.NoError(t, err)
		assert.Equal(t, 2, c2.ByStatus[usermgmt.StatusActive])
		assert.Zero(t, c2.ByLevel[usermgmt.LevelPro])
		g2, err := s.GetGrant(ctx, w.grant.ID)
		require.NoError(t, err)
		assert.Equal(t, want(w.grant), got(g2))
		t2, err := s.GetToken(ctx, w.token.ID)
		require.NoError(t, err)
		assert.Equal(t, w.token.Data, t2.Data)
	})
	parallel(t, "InputsAreNotRetained", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		a := usermgmt.Account{ID: f.next("acct"), Name: "In", Settings: map[string]string{"k": "v"}, CreatedAt: epoch(), UpdatedAt: epoch()}
		require.NoError(t, s.CreateAccount(ctx, &a))
		a.Settings["k"] = "mutated"
		u := f.newUser()
		require.NoError(t, s.CreateUser(ctx, &u))
		u.Services[0] = usermgmt.ChannelFax
		u.Settings["signature"] = "mutated"
		g := usermgmt.Grant{ID: f.next("grant"), AccountID: f.ID, UserID: u.ID, Scope: usermgmt.Scope{GroupID: f.Root.ID},
			Permissions: []usermgmt.Permission{usermgmt.PermUsers}, CreatedAt: epoch()}
		require.NoError(t, s.CreateGrant(ctx, &g))
		g.Permissions[0] = usermgmt.PermPayments
		tok := f.newToken(usermgmt.TokenInvite, "")
		require.NoError(t, s.CreateToken(ctx, &tok))
		tok.Data[0] = 'X'
		e := usermgmt.Event{ID: f.next("ev"), AccountID: f.ID, Action: "x", Outcome: usermgmt.OutcomeOK, Fields: []string{"a"}, At: epoch()}
		require.NoError(t, s.AppendEvent(ctx, &e))
		e.Fields[0] = "mutated"

		ga, err := s.GetAccount(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, "v", ga.Settings["k"], "account settings")
		gu := f.getUser(u.ID)
		assert.Equal(t, []usermgmt.Channel{usermgmt.ChannelSMS}, gu.Services, "user services")
		assert.NotEqual(t, "mutated", gu.Settings["signature"], "user settings")
		gg, err := s.GetGrant(ctx, g.ID)
		require.NoError(t, err)
		assert.Equal(t, []usermgmt.Permission{usermgmt.PermUsers}, gg.Permissions, "grant permissions")
		gt, err := s.GetToken(ctx, tok.ID)
		require.NoError(t, err)
		assert.NotEqual(t, byte('X'), gt.Data[0], "token data")
		evs := allEvents(t, s, usermgmt.EventFilter{AccountID: f.ID}, 0)
		require.Len(t, evs, 1)
		assert.Equal(t, []string{"a"}, evs[0].Fields, "event fields")

		// The same after updates.
		upd := gu
		upd.Services = []usermgmt.Channel{usermgmt.ChannelSMS}
		require.NoError(t, s.UpdateUser(ctx, &upd))
		upd.Services[0] = usermgmt.ChannelFax
		assert.Equal(t, []usermgmt.Channel{usermgmt.ChannelSMS}, f.getUser(u.ID).Services, "after UpdateUser")
		ga.Settings = map[string]string{"k": "w"}
		require.NoError(t, s.UpdateAccount(ctx, &ga))
		ga.Settings["k"] = "mutated"
		ga2, err := s.GetAccount(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, "w", ga2.Settings["k"], "after UpdateAccount")
		gt.Data = []byte("{}")
		require.NoError(t, s.UpdateToken(ctx, &gt))
		gt.Data[0] = 'X'
		gt2, err := s.GetToken(ctx, tok.ID)
		require.NoError(t, err)
		assert.Equal(t, []byte("{}"), gt2.Data, "after UpdateToken")
	})
}
