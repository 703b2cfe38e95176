package importer

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/invite"
	"github.com/rosterkit/roster/usermgmt/mail"
)

// The real package invite satisfies Invites.
var _ Invites = (*invite.Service)(nil)

// TestImportWithInvite wires package invite: the ownership request is
// made in the import's transaction and mailed after the commit, pending
// users get their activation mail, and the other account's user can
// accept the request.
func TestImportWithInvite(t *testing.T) {
	t.Parallel()
	w := setup(t, nil, 0)
	mails := &mail.Recorder{}
	inv, err := invite.New(invite.Config{Users: w.users, Hasher: w.hasher, Mailer: mails, BaseURL: "https://portal.example"})
	require.NoError(t, err)
	w.imp, err = New(Config{Users: w.users, Hasher: w.hasher, Invites: inv})
	require.NoError(t, err)

	rows := goodRows(3, 0)
	rows[0][2] = w.otherUser.Username
	rows[1][3] = "Sunny-Day42"
	rep, err := w.imp.Import(t.Context(), w.admin.ID, csvSource(t, seedHeader(), rows), Options{Group: w.north.ID, SendWelcome: true})
	require.NoError(t, err, "%v", rep.Errors)
	assert.Equal(t, 2, rep.Created)
	require.Len(t, rep.Ownership, 1)
	assert.Empty(t, rep.Ownership[0].SendError)
	assert.Equal(t, 2, rep.Welcomed)

	msg, ok := mails.Last(w.otherUser.Email)
	require.True(t, ok, "the ownership request was mailed")
	assert.Equal(t, "ownership", msg.Tag)
	for _, u := range rep.Users {
		m, ok := mails.Last(u.Username + "@example.com")
		require.True(t, ok, u.Username)
		assert.Equal(t, "welcome", m.Tag)
	}

	link, err := url.Parse(mails.LastLink(w.otherUser.Email))
	require.NoError(t, err)
	moved, err := inv.AcceptOwnership(t.Context(), link.Query().Get("token"))
	require.NoError(t, err)
	assert.Equal(t, w.acct.ID, moved.AccountID)
	assert.Equal(t, w.north.ID, moved.GroupID, "into the import's group")

	// A dry run with the real invite writes nothing and mails nothing.
	before, sent := w.snapshot(t), mails.Len()
	rows = goodRows(2, 10)
	rows[1][2] = w.otherUser2.Username
	rep, err = w.imp.Import(t.Context(), w.admin.ID, csvSource(t, seedHeader(), rows), Options{Group: w.north.ID, DryRun: true, SendWelcome: true})
	require.NoError(t, err)
	assert.Len(t, rep.Ownership, 1)
	assert.Equal(t, before, w.snapshot(t))
	assert.Equal(t, sent, mails.Len())
}
