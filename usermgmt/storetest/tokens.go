package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
)

func tokenIDs(tokens []usermgmt.Token) []string {
	out := make([]string, len(tokens))
	for i, t := range tokens {
		out[i] = t.ID
	}
	return out
}

func testTokens(t *testing.T, r *runner) {
	s := r.store(t)
	ctx := context.Background()

	getToken := func(t *testing.T, id string) usermgmt.Token {
		t.Helper()
		tok, err := s.GetToken(ctx, id)
		require.NoError(t, err)
		return tok
	}

	parallel(t, "CreateToken/RoundTrip", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.user()
		tok := f.token(usermgmt.TokenActivation, u.ID, func(tok *usermgmt.Token) {
			tok.Attempts, tok.SendError = 2, "smtp: 450 mailbox busy"
		})
		assert.Equal(t, want(tok), got(getToken(t, tok.ID)))
		byHash, err := s.GetTokenByHash(ctx, tok.Hash)
		require.NoError(t, err)
		assert.Equal(t, want(tok), got(byHash))
		invite := f.token(usermgmt.TokenInvite, "", func(tok *usermgmt.Token) { tok.Data = nil })
		assert.Equal(t, want(invite), got(getToken(t, invite.ID)), "a token without user or data")
	})
	parallel(t, "CreateToken/HashExistsConflict", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		tok := f.token(usermgmt.TokenReset, "")
		dup := f.newToken(usermgmt.TokenInvite, "")
		dup.Hash = tok.Hash
		requireConflict(t, s.CreateToken(ctx, &dup), "token")
		_, err := s.GetToken(ctx, dup.ID)
		require.ErrorIs(t, err, usermgmt.ErrNotFound, "nothing is written")
		sameID := f.newToken(usermgmt.TokenInvite, "")
		sameID.ID = tok.ID
		require.ErrorIs(t, s.CreateToken(ctx, &sameID), usermgmt.ErrConflict, "a duplicate id")
		assert.Equal(t, tok.Hash, getToken(t, tok.ID).Hash)
	})
	parallel(t, "GetTokenByHash/DoesNotConsume", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		tok := f.token(usermgmt.TokenReset, "")
		for range 2 {
			found, err := s.GetTokenByHash(ctx, tok.Hash)
			require.NoError(t, err)
			assert.True(t, found.UsedAt.IsZero())
		}
		_, err := s.ConsumeToken(ctx, tok.Kind, tok.Hash, at(time.Minute), "ok")
		require.NoError(t, err, "still consumable")
		_, err = s.GetTokenByHash(ctx, "ab"+tok.Hash[2:])
		require.ErrorIs(t, err, usermgmt.ErrNotFound)
	})
	parallel(t, "UpdateToken/WritesDeliveryFieldsOnly", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		tok := f.token(usermgmt.TokenInvite, "")
		_, err := s.AddTokenAttempt(ctx, tok.ID, 5)
		require.NoError(t, err)
		upd := tok
		upd.Hash = "cd" + tok.Hash[2:]
		upd.Data, upd.Sends, upd.SentAt, upd.SendError, upd.ExpiresAt = []byte(`{"resent":true}`), 2, at(time.Hour), "bounced", at(170*time.Hour)
		// Not the delivery's: these must not be written.
		upd.Kind, upd.Email, upd.AccountID, upd.UserID, upd.CreatedBy = usermgmt.TokenReset, "x@example.com", "x", "x", "x"
		upd.Attempts, upd.CreatedAt, upd.UsedAt, upd.Outcome = 0, at(time.Hour), at(time.Hour), "forged"
		require.NoError(t, s.UpdateToken(ctx, &upd))

		w := tok
		w.Hash, w.Data, w.Sends, w.SentAt, w.SendError, w.ExpiresAt = upd.Hash, upd.Data, upd.Sends, upd.SentAt, upd.SendError, upd.ExpiresAt
		w.Attempts = 1
		assert.Equal(t, want(w), got(getToken(t, tok.ID)))
		_, err = s.GetTokenByHash(ctx, tok.Hash)
		require.ErrorIs(t, err, usermgmt.ErrNotFound, "the old hash is gone")
		found, err := s.GetTokenByHash(ctx, upd.Hash)
		require.NoError(t, err, "the new hash finds it")
		assert.Equal(t, tok.ID, found.ID)
		reuse := f.newToken(usermgmt.TokenInvite, "")
		reuse.Hash = tok.Hash
		require.NoError(t, s.CreateToken(ctx, &reuse), "the old hash is free")
	})
	parallel(t, "UpdateToken/HashExistsConflict", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		a, b := f.token(usermgmt.TokenInvite, ""), f.token(usermgmt.TokenInvite, "")
		upd := a
		upd.Hash = b.Hash
		requireConflict(t, s.UpdateToken(ctx, &upd), "token")
		assert.Equal(t, a.Hash, getToken(t, a.ID).Hash)
	})
	parallel(t, "ConsumeToken/MarksUsed", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		tok := f.token(usermgmt.TokenInvite, "")
		now := tok.ExpiresAt.Add(-time.Microsecond)
		used, err := s.ConsumeToken(ctx, tok.Kind, tok.Hash, now, "accepted")
		require.NoError(t, err, "just before ExpiresAt")
		w := tok
		w.UsedAt, w.Outcome = now, "accepted"
		assert.Equal(t, want(w), got(used), "the returned token")
		assert.Equal(t, want(w), got(getToken(t, tok.ID)), "the stored token")
	})
	parallel(t, "ConsumeToken/UsedErrUsed", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		tok := f.token(usermgmt.TokenReset, "")
		_, err := s.ConsumeToken(ctx, tok.Kind, tok.Hash, at(time.Minute), "ok")
		require.NoError(t, err)
		_, err = s.ConsumeToken(ctx, tok.Kind, tok.Hash, at(2*time.Minute), "again")
		require.ErrorIs(t, err, usermgmt.ErrUsed)
		stored := getToken(t, tok.ID)
		assert.Equal(t, us(at(time.Minute)), stored.UsedAt, "the first use stands")
		assert.Equal(t, "ok", stored.Outcome)
	})
	parallel(t, "ConsumeToken/ExpiredWritesNothing", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		tok := f.token(usermgmt.TokenReset, "")
		// Exactly ExpiresAt as stored, the same with its nanoseconds, later.
		for _, now := range []time.Time{us(tok.ExpiresAt), tok.ExpiresAt, tok.ExpiresAt.Add(time.Hour)} {
			_, err := s.ConsumeToken(ctx, tok.Kind, tok.Hash, now, "late")
			require.ErrorIs(t, err, usermgmt.ErrExpired, "at %s", now)
		}
		assert.Equal(t, want(tok), got(getToken(t, tok.ID)), "nothing is written")
	})
	parallel(t, "ConsumeToken/WrongKindOrHashNotFound", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		tok := f.token(usermgmt.TokenReset, "")
		_, err := s.ConsumeToken(ctx, usermgmt.TokenInvite, tok.Hash, at(time.Minute), "ok")
		require.ErrorIs(t, err, usermgmt.ErrNotFound, "another kind")
		_, err = s.ConsumeToken(ctx, tok.Kind, "ef"+tok.Hash[2:], at(time.Minute), "ok")
		require.ErrorIs(t, err, usermgmt.ErrNotFound, "another hash")
		assert.True(t, getToken(t, tok.ID).UsedAt.IsZero(), "nothing is written")
	})
	parallel(t, "ConsumeToken/ConcurrentExactlyOne", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		for round := range 5 {
			tok := f.token(usermgmt.TokenChallenge, "")
			outcomes := make([]string, 20)
			errs := race(len(outcomes), func(i int) error {
				used, err := s.ConsumeToken(ctx, tok.Kind, tok.Hash, at(time.Minute), "caller-"+string(rune('a'+i)))
				outcomes[i] = used.Outcome
				return err
			})
			ok, usedErrs := tally(t, errs, usermgmt.ErrUsed)
			require.Equal(t, 1, ok, "round %d: exactly one consumes", round)
			require.Equal(t, 19, usedErrs, "round %d: the others get ErrUsed", round)
			for i, err := range errs {
				if err == nil {
					assert.Equal(t, outcomes[i], getToken(t, tok.ID).Outcome, "the winner's outcome is stored")
				}
			}
		}
	})
	parallel(t, "AddTokenAttempt/CountsUntilMax", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		tok := f.token(usermgmt.TokenChallenge, "", func(tok *usermgmt.Token) { tok.Attempts = 1 })
		for want := 2; want <= 3; want++ {
			n, err := s.AddTokenAttempt(ctx, tok.ID, 3)
			require.NoError(t, err)
			assert.Equal(t, want, n, "the new count")
		}
		_, err := s.AddTokenAttempt(ctx, tok.ID, 3)
		require.ErrorIs(t, err, usermgmt.ErrLocked, "at max")
		assert.Equal(t, 3, getToken(t, tok.ID).Attempts, "a refused attempt is not counted")
		n, err := s.AddTokenAttempt(ctx, tok.ID, 5)
		require.NoError(t, err, "a higher max allows more")
		assert.Equal(t, 4, n)
		_, err = s.AddTokenAttempt(ctx, f.ID+"-nope", 3)
		require.ErrorIs(t, err, usermgmt.ErrNotFound)
	})
	parallel(t, "AddTokenAttempt/ConcurrentCap", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		tok := f.token(usermgmt.TokenChallenge, "", func(tok *usermgmt.Token) { tok.Attempts = 2 })
		counts := make([]int, 30)
		errs := race(len(counts), func(i int) error {
			n, err := s.AddTokenAttempt(ctx, tok.ID, 7)
			counts[i] = n
			return err
		})
		ok, locked := tally(t, errs, usermgmt.ErrLocked)
		assert.Equal(t, 5, ok, "max - Attempts succeed")
		assert.Equal(t, 25, locked)
		seen := map[int]bool{}
		for i, err := range errs {
			if err == nil {
				assert.False(t, seen[counts[i]], "count %d returned twice", counts[i])
				seen[counts[i]] = true
			}
		}
		assert.Equal(t, map[int]bool{3: true, 4: true, 5: true, 6: true, 7: true}, seen, "each success returns its own count")
		assert.Equal(t, 7, getToken(t, tok.ID).Attempts)
	})
	parallel(t, "DeleteToken", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		tok := f.token(usermgmt.TokenReset, "")
		require.NoError(t, s.DeleteToken(ctx, tok.ID))
		_, err := s.GetToken(ctx, tok.ID)
		require.ErrorIs(t, err, usermgmt.ErrNotFound)
		_, err = s.GetTokenByHash(ctx, tok.Hash)
		require.ErrorIs(t, err, usermgmt.ErrNotFound)
		require.ErrorIs(t, s.DeleteToken(ctx, tok.ID), usermgmt.ErrNotFound, "deleting twice")
	})
	parallel(t, "DeleteTokens/UnusedOfKind", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u, v := f.user(), f.user()
		f.token(usermgmt.TokenReset, u.ID)
		f.token(usermgmt.TokenReset, u.ID)
		expired := f.token(usermgmt.TokenReset, u.ID, func(tok *usermgmt.Token) { tok.ExpiresAt = at(-time.Hour) })
		used := f.token(usermgmt.TokenReset, u.ID)
		_, err := s.ConsumeToken(ctx, used.Kind, used.Hash, at(time.Minute), "ok")
		require.NoError(t, err)
		challenge := f.token(usermgmt.TokenChallenge, u.ID)
		vs := f.token(usermgmt.TokenReset, v.ID)

		n, err := s.DeleteTokens(ctx, u.ID, usermgmt.TokenReset)
		require.NoError(t, err)
		assert.Equal(t, 3, n, "unused reset tokens, expired included")
		_, err = s.GetToken(ctx, expired.ID)
		require.ErrorIs(t, err, usermgmt.ErrNotFound)
		getToken(t, used.ID)
		getToken(t, challenge.ID)
		getToken(t, vs.ID)

		f.token(usermgmt.TokenActivation, u.ID)
		n, err = s.DeleteTokens(ctx, u.ID, "")
		require.NoError(t, err)
		assert.Equal(t, 2, n, "every kind")
		getToken(t, used.ID)
		getToken(t, vs.ID)
	})
	parallel(t, "ListTokens/Filters", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		other := r.fixture(t, s, 0)
		u := f.user()
		minute := func(m int) func(tok *usermgmt.Token) {
			return func(tok *usermgmt.Token) { tok.CreatedAt = at(time.Duration(m) * time.Minute) }
		}
		inv1 := f.token(usermgmt.TokenInvite, "", minute(1), func(tok *usermgmt.Token) { tok.Email = "Bea@Example.com" })
		inv2 := f.token(usermgmt.TokenInvite, "", minute(2), func(tok *usermgmt.Token) { tok.Email = "bea@example.COM" })
		inv3 := f.token(usermgmt.TokenInvite, "", minute(3), func(tok *usermgmt.Token) { tok.ExpiresAt = at(-time.Hour) })
		rst := f.token(usermgmt.TokenReset, u.ID, minute(4))
		usedTok := f.token(usermgmt.TokenInvite, "", minute(5))
		_, err := s.ConsumeToken(ctx, usedTok.Kind, usedTok.Hash, at(time.Minute), "declined")
		require.NoError(t, err)
		elsewhere := other.token(usermgmt.TokenInvite, "", minute(6), func(tok *usermgmt.Token) { tok.Email = "bea@example.com" })

		cases := []struct {
			name   string
			filter usermgmt.TokenFilter
			want   []string
		}{
			{"Account", usermgmt.TokenFilter{AccountID: f.ID}, []string{usedTok.ID, rst.ID, inv3.ID, inv2.ID, inv1.ID}},
			{"User", usermgmt.TokenFilter{UserID: u.ID}, []string{rst.ID}},
			{"Kind", usermgmt.TokenFilter{AccountID: f.ID, Kind: usermgmt.TokenInvite}, []string{usedTok.ID, inv3.ID, inv2.ID, inv1.ID}},
			{"EmailCaseInsensitive", usermgmt.TokenFilter{AccountID: f.ID, Email: "BEA@example.com"}, []string{inv2.ID, inv1.ID}},
			{"EmailAcrossAccounts", usermgmt.TokenFilter{Email: "bea@EXAMPLE.com"}, []string{elsewhere.ID, inv2.ID, inv1.ID}},
			{"UnusedIncludesExpired", usermgmt.TokenFilter{AccountID: f.ID, Unused: true}, []string{rst.ID, inv3.ID, inv2.ID, inv1.ID}},
			{"Combined", usermgmt.TokenFilter{AccountID: f.ID, Kind: usermgmt.TokenInvite, Unused: true, Email: strings.ToUpper(inv1.Email)}, []string{inv2.ID, inv1.ID}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				list, next, err := s.ListTokens(ctx, tc.filter, usermgmt.Page{})
				require.NoError(t, err)
				assert.Empty(t, next)
				assert.Equal(t, tc.want, tokenIDs(list))
			})
		}
		list, _, err := s.ListTokens(ctx, usermgmt.TokenFilter{UserID: u.ID}, usermgmt.Page{})
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, want(rst), got(list[0]), "whole tokens")
	})
}
