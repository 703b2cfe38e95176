package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
)

// Hash strings as the hashers write them: a PHC string and a bcrypt one.
const (
	phcHash    = "$argon2id$v=19$m=65536,t=1,p=2$c3RvcmV0ZXN0$3YvP9p1u0c2lJ3m8D4m8x0x4n2S5lH6kX9Q0R1t2U3w"
	bcryptHash = "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"
)

func testPasswords(t *testing.T, r *runner) {
	s := r.store(t)
	ctx := context.Background()

	parallel(t, "SetPassword/RoundTripAndReplace", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.user()
		require.NoError(t, s.SetPassword(ctx, u.ID, phcHash, at(0)))
		h, err := s.GetPassword(ctx, u.ID)
		require.NoError(t, err)
		assert.Equal(t, phcHash, h)
		require.NoError(t, s.SetPassword(ctx, u.ID, bcryptHash, at(time.Hour)))
		h, err = s.GetPassword(ctx, u.ID)
		require.NoError(t, err)
		assert.Equal(t, bcryptHash, h, "the new hash replaces the old")
		assert.Equal(t, u.Version, f.getUser(u.ID).Version, "a password is not a user field")
	})
	parallel(t, "GetPassword/NoneNotFound", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.user(func(u *usermgmt.User) { u.Status = usermgmt.StatusPending })
		_, err := s.GetPassword(ctx, u.ID)
		require.ErrorIs(t, err, usermgmt.ErrNotFound)
	})
	parallel(t, "SetPassword/NotLiveNotFound", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.user()
		require.ErrorIs(t, s.SetPassword(ctx, f.ID+"-nope", phcHash, at(0)), usermgmt.ErrNotFound, "missing user")
		require.NoError(t, s.DeleteUser(ctx, u.ID, at(0)))
		require.ErrorIs(t, s.SetPassword(ctx, u.ID, phcHash, at(time.Hour)), usermgmt.ErrNotFound, "deleted user")
		_, err := s.GetPassword(ctx, u.ID)
		require.ErrorIs(t, err, usermgmt.ErrNotFound, "nothing is written")
	})
}

func testSessions(t *testing.T, r *runner) {
	s := r.store(t)
	ctx := context.Background()

	parallel(t, "CreateSession/RoundTrip", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.user()
		for _, kind := range []usermgmt.SessionKind{usermgmt.SessionLogin, usermgmt.SessionAPIKey} {
			ses := f.session(kind, u.ID)
			found, err := s.GetSessionByHash(ctx, ses.Hash)
			require.NoError(t, err, kind)
			assert.Equal(t, want(ses), got(found), kind)
		}
		_, err := s.GetSessionByHash(ctx, "0000")
		require.ErrorIs(t, err, usermgmt.ErrNotFound)
	})
	parallel(t, "CreateSession/DuplicateConflict", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.user()
		ses := f.session(usermgmt.SessionLogin, u.ID)
		sameHash := ses
		sameHash.ID = f.next("ses")
		require.ErrorIs(t, s.CreateSession(ctx, &sameHash), usermgmt.ErrConflict, "hash")
		sameID := ses
		sameID.Hash = "ff" + ses.Hash[2:]
		require.ErrorIs(t, s.CreateSession(ctx, &sameID), usermgmt.ErrConflict, "id")
		list, err := s.ListSessions(ctx, u.ID, "")
		require.NoError(t, err)
		assert.Len(t, list, 1)
	})
	parallel(t, "CreateSession/NotLiveNotFound", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.user()
		require.NoError(t, s.DeleteUser(ctx, u.ID, at(0)))
		for name, user := range map[string]string{"missing": f.ID + "-nope", "deleted": u.ID} {
			ses := usermgmt.Session{ID: f.next("ses"), Kind: usermgmt.SessionLogin, Hash: f.next("hash"),
				UserID: user, AccountID: f.ID, CreatedAt: epoch(), LastSeen: epoch()}
			require.ErrorIs(t, s.CreateSession(ctx, &ses), usermgmt.ErrNotFound, name)
		}
	})
	parallel(t, "TouchSession/SetsLastSeen", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.user()
		ses := f.session(usermgmt.SessionLogin, u.ID)
		require.NoError(t, s.TouchSession(ctx, ses.ID, at(time.Hour)))
		found, err := s.GetSessionByHash(ctx, ses.Hash)
		require.NoError(t, err)
		w := ses
		w.LastSeen = at(time.Hour)
		assert.Equal(t, want(w), got(found), "only LastSeen changes")
	})
	parallel(t, "DeleteSession", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.user()
		ses := f.session(usermgmt.SessionLogin, u.ID)
		other := f.session(usermgmt.SessionLogin, u.ID)
		require.NoError(t, s.DeleteSession(ctx, ses.ID))
		_, err := s.GetSessionByHash(ctx, ses.Hash)
		require.ErrorIs(t, err, usermgmt.ErrNotFound)
		_, err = s.GetSessionByHash(ctx, other.Hash)
		require.NoError(t, err, "other sessions stay")
		require.ErrorIs(t, s.DeleteSession(ctx, ses.ID), usermgmt.ErrNotFound, "deleting twice")
	})
	parallel(t, "DeleteSessions/ByKind", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u, v := f.user(), f.user()
		f.session(usermgmt.SessionLogin, u.ID)
		f.session(usermgmt.SessionLogin, u.ID)
		key := f.session(usermgmt.SessionAPIKey, u.ID)
		vs := f.session(usermgmt.SessionLogin, v.ID)

		n, err := s.DeleteSessions(ctx, u.ID, usermgmt.SessionLogin)
		require.NoError(t, err)
		assert.Equal(t, 2, n, "login sessions")
		left, err := s.ListSessions(ctx, u.ID, "")
		require.NoError(t, err)
		require.Len(t, left, 1)
		assert.Equal(t, key.ID, left[0].ID, "the API key stays")

		f.session(usermgmt.SessionLogin, u.ID)
		n, err = s.DeleteSessions(ctx, u.ID, "")
		require.NoError(t, err)
		assert.Equal(t, 2, n, "both kinds")
		left, err = s.ListSessions(ctx, u.ID, "")
		require.NoError(t, err)
		assert.Empty(t, left)

		n, err = s.DeleteSessions(ctx, u.ID, "")
		require.NoError(t, err)
		assert.Zero(t, n, "none left")
		_, err = s.GetSessionByHash(ctx, vs.Hash)
		require.NoError(t, err, "another user's session stays")
	})
	parallel(t, "ListSessions/NewestFirstByKind", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.user()
		var logins, keys, all []string
		for i := range 6 {
			kind := usermgmt.SessionLogin
			if i%2 == 1 {
				kind = usermgmt.SessionAPIKey
			}
			ses := f.session(kind, u.ID, func(ses *usermgmt.Session) { ses.CreatedAt = at(time.Duration(5-i) * time.Minute) })
			all = append(all, ses.ID)
			if kind == usermgmt.SessionLogin {
				logins = append(logins, ses.ID)
			} else {
				keys = append(keys, ses.ID)
			}
		}
		for kind, wantIDs := range map[usermgmt.SessionKind][]string{"": all, usermgmt.SessionLogin: logins, usermgmt.SessionAPIKey: keys} {
			list, err := s.ListSessions(ctx, u.ID, kind)
			require.NoError(t, err)
			var gotIDs []string
			for _, ses := range list {
				gotIDs = append(gotIDs, ses.ID)
			}
			assert.Equal(t, wantIDs, gotIDs, "kind %q", kind)
		}
	})
}
