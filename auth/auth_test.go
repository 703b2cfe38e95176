package auth_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/rosterkit/roster/auth"
	"github.com/rosterkit/roster/sms/smstest"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/mail"
	"github.com/rosterkit/roster/usermgmt/memstore"
)

// fixedHasher does a fixed amount of work per hash and per verification,
// so that timing comparisons measure the code around it, and tests run
// fast. Its hashes are "fixed$<hex sha256>".
type fixedHasher struct {
	rounds int
	// latency, when set, is a fixed time every hash and verification
	// takes, as a real KDF's would, whatever the password.
	latency time.Duration
	calls   atomic.Int64 // hashes and verifications
	hashes  atomic.Int64 // hashes only
}

func (h *fixedHasher) work(pw string) string {
	h.calls.Add(1)
	if h.latency > 0 {
		time.Sleep(h.latency)
	}
	sum := sha256.Sum256([]byte(pw))
	for range h.rounds {
		sum = sha256.Sum256(sum[:])
	}
	return hex.EncodeToString(sum[:])
}

// verifications returns how many passwords were verified.
func (h *fixedHasher) verifications() int64 { return h.calls.Load() - h.hashes.Load() }

func (h *fixedHasher) Hash(_ context.Context, pw string) (string, error) {
	h.hashes.Add(1)
	return "fixed$" + h.work(pw), nil
}

func (h *fixedHasher) Verify(_ context.Context, encoded, pw string) (bool, bool, error) {
	want, ok := strings.CutPrefix(encoded, "fixed$")
	got := h.work(pw)
	if !ok {
		return false, false, errors.New("not a fixed hash")
	}
	return want == got, false, nil
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

type world struct {
	auth   *auth.Service
	users  *usermgmt.Service
	store  usermgmt.Store
	clock  *clock
	hasher *fixedHasher
	sms    *smstest.Recorder
	mails  *mail.Recorder
	acct   usermgmt.Account
	owner  usermgmt.User
	alice  usermgmt.User
	bob    usermgmt.User
}

const pw = "Correct-horse1"

func setup(t testing.TB, opts ...func(*auth.Config)) *world {
	t.Helper()
	return setupRules(t, usermgmt.Rules{}, opts...)
}

// setupRules is setup with the admin core's validation rules.
func setupRules(t testing.TB, rules usermgmt.Rules, opts ...func(*auth.Config)) *world {
	t.Helper()
	w := &world{store: memstore.New(), clock: &clock{t: time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)},
		hasher: &fixedHasher{rounds: 50}, sms: &smstest.Recorder{}, mails: &mail.Recorder{}}
	var err error
	w.users, err = usermgmt.New(usermgmt.Config{Store: w.store, Rules: rules, Hasher: w.hasher, Now: w.clock.Now})
	require.NoError(t, err)
	ctx := context.Background()
	w.acct, w.owner, err = w.users.CreateAccount(ctx, usermgmt.NewAccount{Name: "Acme",
		Owner: usermgmt.NewUser{User: person("owner", 1), Password: pw}})
	require.NoError(t, err)
	w.alice = w.mk(t, "alice", 2)
	w.bob = w.mk(t, "bobby", 3)
	cfg := auth.Config{Users: w.users, Hasher: w.hasher, SMS: w.sms, Mailer: w.mails,
		CodeKey:  []byte(strings.Repeat("k", 32)),
		ResetURL: func(tok string) string { return "https://app.example/reset?t=" + tok }}
	for _, o := range opts {
		o(&cfg)
	}
	w.auth, err = auth.New(cfg)
	require.NoError(t, err)
	return w
}

func person(name string, n int) usermgmt.User {
	return usermgmt.User{Username: name, FirstName: strings.ToUpper(name[:1]) + name[1:], LastName: "Smith",
		Email: name + "@example.com", MobilePhone: fmt.Sprintf("+4479111%05d", n)}
}

func (w *world) mk(t testing.TB, name string, n int) usermgmt.User {
	t.Helper()
	u, err := w.users.CreateUser(context.Background(), w.owner.ID, usermgmt.NewUser{User: person(name, n), Password: pw})
	require.NoError(t, err)
	return u
}

// login runs both steps and returns the session token.
func (w *world) login(t testing.TB, u usermgmt.User) string {
	t.Helper()
	ctx := context.Background()
	res, err := w.auth.Login(ctx, auth.Credentials{Login: u.Username, Password: pw, ClientKey: "10.0.0.1"})
	require.NoError(t, err)
	require.NotNil(t, res.Challenge, "2FA is on by default")
	code := w.sms.LastCode(u.MobilePhone)
	require.Len(t, code, 6)
	iss, err := w.auth.VerifyPIN(ctx, res.Challenge.Token, code, "10.0.0.1")
	require.NoError(t, err)
	return iss.Token
}

func TestLoginWithPIN(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()
	tok := w.login(t, w.alice)
	p, err := w.auth.Authenticate(ctx, tok)
	require.NoError(t, err)
	assert.Equal(t, w.alice.ID, p.User.ID)
	assert.Equal(t, w.acct.ID, p.Account.ID)
	u, err := w.store.GetUser(ctx, w.alice.ID)
	require.NoError(t, err)
	assert.Equal(t, w.clock.Now(), u.LastLoginAt, "last login is recorded")
	msgs := w.sms.Messages()
	require.Len(t, msgs, 1)
	assert.Contains(t, msgs[0].Body, w.sms.LastCode(w.alice.MobilePhone))

	// The PIN is stored only as an HMAC.
	tokens, _, err := w.store.ListTokens(ctx, usermgmt.TokenFilter{UserID: w.alice.ID, Kind: usermgmt.TokenChallenge}, usermgmt.Page{})
	require.NoError(t, err)
	require.Len(t, tokens, 1)
	assert.NotContains(t, string(tokens[0].Data), w.sms.LastCode(w.alice.MobilePhone))
}

func TestTwoFactorOff(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()
	_, err := w.users.UpdateAccount(ctx, w.owner.ID, usermgmt.AccountUpdate{TwoFactor: ptr(false)})
	require.NoError(t, err)
	res, err := w.auth.Login(ctx, auth.Credentials{Login: "alice", Password: pw})
	require.NoError(t, err)
	require.NotNil(t, res.Session, "seed 000: unless 2FA has been deactivated")
	assert.Empty(t, w.sms.Messages())
}

// TestLoginFailuresLookAlike: L1 and S3.
func TestLoginFailuresLookAlike(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()
	pending, err := w.users.CreateUser(ctx, w.owner.ID, usermgmt.NewUser{User: person("pending", 10)})
	require.NoError(t, err)
	suspended := w.mk(t, "suspended", 11)
	_, err = w.users.Suspend(ctx, w.owner.ID, suspended.ID, time.Time{})
	require.NoError(t, err)
	disabled := w.mk(t, "disabled", 12)
	_, err = w.users.Disable(ctx, w.owner.ID, disabled.ID)
	require.NoError(t, err)
	deleted := w.mk(t, "deleted", 13)
	require.NoError(t, w.users.Delete(ctx, w.owner.ID, deleted.ID))
	sys, err := w.users.CreateUser(ctx, w.owner.ID, usermgmt.NewUser{User: usermgmt.User{Kind: usermgmt.KindSystem,
		Username: "gateway1", FirstName: "G", LastName: "W"}, Password: pw})
	require.NoError(t, err)

	cases := map[string]auth.Credentials{
		"unknown user":   {Login: "nobody", Password: pw},
		"wrong password": {Login: "alice", Password: "Wrong-pass1"},
		"pending":        {Login: pending.Username, Password: pw},
		"suspended":      {Login: suspended.Username, Password: pw},
		"disabled":       {Login: disabled.Username, Password: pw},
		"deleted":        {Login: "deleted", Password: pw},
		"system user":    {Login: sys.Username, Password: pw},
		"empty":          {},
		"huge password":  {Login: "alice", Password: strings.Repeat("x", 5000)},
	}
	for name, c := range cases {
		before := w.hasher.calls.Load()
		_, err := w.auth.Login(ctx, c)
		assert.Equal(t, usermgmt.ErrInvalidCredentials, err, name)
		assert.GreaterOrEqual(t, w.hasher.calls.Load()-before, int64(1), "%s costs a verification", name)
	}
	assert.Empty(t, w.sms.Messages(), "S3: no SMS before the password is verified")
}

func TestThrottle(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()
	wrong := auth.Credentials{Login: "alice", Password: "Wrong-pass1", ClientKey: "a"}
	for range 10 {
		_, err := w.auth.Login(ctx, wrong)
		require.Equal(t, usermgmt.ErrInvalidCredentials, err)
	}
	// After ten failures every try waits 30 s from the last one: the
	// right password is refused with the same error until then.
	_, err := w.auth.Login(ctx, wrong)
	require.Equal(t, usermgmt.ErrInvalidCredentials, err)
	right := auth.Credentials{Login: "alice", Password: pw, ClientKey: "b"}
	_, err = w.auth.Login(ctx, right)
	assert.Equal(t, usermgmt.ErrInvalidCredentials, err, "a throttled login looks like any failure")
	assert.Empty(t, w.sms.Messages())
	w.clock.Add(61 * time.Second)
	res, err := w.auth.Login(ctx, right)
	require.NoError(t, err, "the delay is over")
	assert.NotNil(t, res.Challenge)
}

// TestGuessesPerHour computes SECURITY.md L4's figure: the most passwords
// an attacker can try against one account, with the default throttle.
func TestGuessesPerHour(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()
	// The best attacker waits out each delay exactly: try every 5 s and
	// count the guesses that reached a comparison (those the store counted).
	guesses := 0
	start := w.clock.Now()
	for w.clock.Now().Sub(start) < 24*time.Hour {
		c, err := w.store.GetCounter(ctx, "auth:fail:user:"+w.bob.ID, w.clock.Now(), 24*time.Hour)
		require.NoError(t, err)
		_, _ = w.auth.Login(ctx, auth.Credentials{Login: "bobby", Password: "Wrong-pass1", ClientKey: fmt.Sprint(guesses)})
		c2, err := w.store.GetCounter(ctx, "auth:fail:user:"+w.bob.ID, w.clock.Now(), 24*time.Hour)
		require.NoError(t, err)
		if c2.Count != c.Count || c2.WindowStart != c.WindowStart {
			guesses++
		}
		w.clock.Add(5 * time.Second)
		if w.clock.Now().Sub(start) == time.Hour {
			t.Logf("L4: %d guesses in the first hour against one account", guesses)
			assert.LessOrEqual(t, guesses, 30)
		}
	}
	t.Logf("L4: %d guesses in 24 hours against one account", guesses)
	assert.LessOrEqual(t, guesses, 120, "NIST 800-63B: at most 100 consecutive failures before a limit, per day about that")
}

func TestPIN(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	start := func(t *testing.T, w *world) (*auth.Challenge, string) {
		res, err := w.auth.Login(ctx, auth.Credentials{Login: "alice", Password: pw, ClientKey: "c"})
		require.NoError(t, err)
		return res.Challenge, w.sms.LastCode(w.alice.MobilePhone)
	}
	t.Run("valid 10 minutes", func(t *testing.T) {
		w := setup(t)
		ch, code := start(t, w)
		w.clock.Add(9*time.Minute + 59*time.Second)
		_, err := w.auth.VerifyPIN(ctx, ch.Token, code, "c")
		require.NoError(t, err, "9:59 is in time")

		ch, code = start(t, w)
		w.clock.Add(10*time.Minute + time.Second)
		_, err = w.auth.VerifyPIN(ctx, ch.Token, code, "c")
		assert.ErrorIs(t, err, usermgmt.ErrExpired, "10:01 is too late")
	})
	t.Run("five wrong then right fails", func(t *testing.T) {
		w := setup(t)
		ch, code := start(t, w)
		for range 5 {
			_, err := w.auth.VerifyPIN(ctx, ch.Token, "000000x", "c")
			require.Equal(t, usermgmt.ErrInvalidCredentials, err)
		}
		_, err := w.auth.VerifyPIN(ctx, ch.Token, code, "c")
		assert.ErrorIs(t, err, usermgmt.ErrLocked, "the challenge is dead")
	})
	t.Run("a million guesses", func(t *testing.T) {
		w := setup(t)
		ch, code := start(t, w)
		wins := 0
		for i := range 1_000_000 {
			guess := fmt.Sprintf("%06d", i)
			if guess == code {
				continue // the attacker does not know it; skip so the figure is about guessing
			}
			if _, err := w.auth.VerifyPIN(ctx, ch.Token, guess, "c"); err == nil {
				wins++
			}
		}
		t.Logf("O3: 1,000,000 guesses against one challenge, %d successes", wins)
		assert.Zero(t, wins)
		_, err := w.auth.VerifyPIN(ctx, ch.Token, code, "c")
		assert.ErrorIs(t, err, usermgmt.ErrLocked)
	})
	t.Run("1000 concurrent wrong guesses", func(t *testing.T) {
		w := setup(t)
		ch, code := start(t, w)
		var wins, wrong atomic.Int64
		var wg sync.WaitGroup
		for i := range 1000 {
			wg.Go(func() {
				g := fmt.Sprintf("%06d", i)
				if g == code {
					g = "999999x"
				}
				_, err := w.auth.VerifyPIN(ctx, ch.Token, g, "c")
				switch {
				case err == nil:
					wins.Add(1)
				case errors.Is(err, usermgmt.ErrInvalidCredentials):
					wrong.Add(1)
				}
			})
		}
		wg.Wait()
		assert.Zero(t, wins.Load())
		assert.EqualValues(t, 5, wrong.Load(), "only five guesses are ever compared")
		_, err := w.auth.VerifyPIN(ctx, ch.Token, code, "c")
		assert.ErrorIs(t, err, usermgmt.ErrLocked)
	})
	t.Run("two concurrent correct submissions give one session", func(t *testing.T) {
		w := setup(t)
		ch, code := start(t, w)
		var ok atomic.Int64
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				if _, err := w.auth.VerifyPIN(ctx, ch.Token, code, "c"); err == nil {
					ok.Add(1)
				}
			})
		}
		wg.Wait()
		assert.EqualValues(t, 1, ok.Load())
		sessions, err := w.store.ListSessions(ctx, w.alice.ID, usermgmt.SessionLogin)
		require.NoError(t, err)
		assert.Len(t, sessions, 1)
	})
	t.Run("resend", func(t *testing.T) {
		w := setup(t)
		ch, old := start(t, w)
		_, err := w.auth.ResendPIN(ctx, ch.Token)
		var re *auth.RetryError
		require.ErrorAs(t, err, &re, "cooldown")
		assert.ErrorIs(t, err, usermgmt.ErrRateLimited)
		for range 3 {
			w.clock.Add(31 * time.Second)
			_, err = w.auth.ResendPIN(ctx, ch.Token)
			require.NoError(t, err)
		}
		w.clock.Add(31 * time.Second)
		_, err = w.auth.ResendPIN(ctx, ch.Token)
		assert.ErrorIs(t, err, usermgmt.ErrLocked, "a cap per challenge")
		fresh := w.sms.LastCode(w.alice.MobilePhone)
		if fresh != old {
			_, err = w.auth.VerifyPIN(ctx, ch.Token, old, "c")
			assert.Equal(t, usermgmt.ErrInvalidCredentials, err, "a resend voids the previous code")
		}
		_, err = w.auth.VerifyPIN(ctx, ch.Token, fresh, "c")
		assert.NoError(t, err)
		assert.Len(t, w.sms.Messages(), 4)
	})
	t.Run("bound to its user and login", func(t *testing.T) {
		w := setup(t)
		chA, codeA := start(t, w)
		res, err := w.auth.Login(ctx, auth.Credentials{Login: "bobby", Password: pw, ClientKey: "c"})
		require.NoError(t, err)
		_, err = w.auth.VerifyPIN(ctx, res.Challenge.Token, codeA, "c")
		assert.Error(t, err, "alice's code never completes bob's login")
		_, err = w.auth.VerifyPIN(ctx, chA.Token, codeA, "another client")
		assert.Error(t, err, "nor a login started by another client")
		_, err = w.auth.VerifyPIN(ctx, "not-a-token", codeA, "c")
		assert.Equal(t, usermgmt.ErrInvalidCredentials, err)
	})
}

func TestSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("idle and absolute lifetimes", func(t *testing.T) {
		w := setup(t)
		tok := w.login(t, w.alice)
		w.clock.Add(29 * time.Minute)
		_, err := w.auth.Authenticate(ctx, tok)
		require.NoError(t, err)
		w.clock.Add(31 * time.Minute)
		_, err = w.auth.Authenticate(ctx, tok)
		assert.Equal(t, usermgmt.ErrInvalidCredentials, err, "idle for 31 minutes")

		tok = w.login(t, w.alice)
		for range 25 {
			w.clock.Add(29 * time.Minute)
			if _, err = w.auth.Authenticate(ctx, tok); err != nil {
				break
			}
		}
		assert.Equal(t, usermgmt.ErrInvalidCredentials, err, "12 hours at most, however busy")
	})
	t.Run("status change ends sessions", func(t *testing.T) {
		w := setup(t)
		tok := w.login(t, w.alice)
		_, err := w.users.Suspend(ctx, w.owner.ID, w.alice.ID, time.Time{})
		require.NoError(t, err)
		_, err = w.auth.Authenticate(ctx, tok)
		assert.Equal(t, usermgmt.ErrInvalidCredentials, err)
	})
	t.Run("logout and logout everywhere", func(t *testing.T) {
		w := setup(t)
		a, b := w.login(t, w.alice), w.login(t, w.alice)
		require.NoError(t, w.auth.Logout(ctx, a))
		_, err := w.auth.Authenticate(ctx, a)
		assert.Equal(t, usermgmt.ErrInvalidCredentials, err)
		list, err := w.auth.Sessions(ctx, w.alice.ID, w.alice.ID)
		require.NoError(t, err)
		assert.Len(t, list, 1)
		require.NoError(t, w.auth.LogoutEverywhere(ctx, w.owner.ID, w.alice.ID))
		_, err = w.auth.Authenticate(ctx, b)
		assert.Equal(t, usermgmt.ErrInvalidCredentials, err)
		assert.NoError(t, w.auth.Logout(ctx, "garbage"))
	})
	t.Run("stored as hashes", func(t *testing.T) {
		w := setup(t)
		tok := w.login(t, w.alice)
		list, err := w.store.ListSessions(ctx, w.alice.ID, "")
		require.NoError(t, err)
		require.Len(t, list, 1)
		sum := sha256.Sum256([]byte(tok))
		assert.Equal(t, hex.EncodeToString(sum[:]), list[0].Hash)
		assert.NotContains(t, list[0].Hash, tok)
	})
}

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	link := func(w *world, to string) string {
		l := w.mails.LastLink(to)
		_, tok, _ := strings.Cut(l, "?t=")
		return tok
	}
	t.Run("uniform answers, mail only to active users", func(t *testing.T) {
		w := setup(t)
		require.NoError(t, w.auth.RequestReset(ctx, "nobody@example.com", "c"))
		require.NoError(t, w.auth.RequestReset(ctx, "nobody", "c"))
		_, err := w.users.Disable(ctx, w.owner.ID, w.bob.ID)
		require.NoError(t, err)
		require.NoError(t, w.auth.RequestReset(ctx, "bobby", "c"))
		assert.Zero(t, w.mails.Len())
		require.NoError(t, w.auth.RequestReset(ctx, "ALICE@example.com", "c"))
		assert.Equal(t, 1, w.mails.Len())
	})
	t.Run("reset works once, ends sessions, voids other links", func(t *testing.T) {
		w := setup(t)
		sess := w.login(t, w.alice)
		require.NoError(t, w.auth.RequestReset(ctx, "alice", "c"))
		first := link(w, w.alice.Email)
		require.NoError(t, w.auth.RequestReset(ctx, "alice", "c"))
		second := link(w, w.alice.Email)
		require.NotEqual(t, first, second)

		err := w.auth.ResetPassword(ctx, second, "short")
		assert.ErrorIs(t, err, usermgmt.ErrInvalid, "the policy applies")
		require.NoError(t, w.auth.ResetPassword(ctx, second, "New-password9"))
		assert.ErrorIs(t, w.auth.ResetPassword(ctx, second, "New-password9"), usermgmt.ErrUsed)
		assert.Error(t, w.auth.ResetPassword(ctx, first, "Other-password9"), "other links are void")
		_, err = w.auth.Authenticate(ctx, sess)
		assert.Equal(t, usermgmt.ErrInvalidCredentials, err, "sessions end")
		res, err := w.auth.Login(ctx, auth.Credentials{Login: "alice", Password: "New-password9"})
		require.NoError(t, err)
		assert.NotNil(t, res.Challenge)
	})
	t.Run("expires after an hour", func(t *testing.T) {
		w := setup(t)
		require.NoError(t, w.auth.RequestReset(ctx, "alice", "c"))
		tok := link(w, w.alice.Email)
		w.clock.Add(time.Hour + time.Second)
		assert.ErrorIs(t, w.auth.ResetPassword(ctx, tok, "New-password9"), usermgmt.ErrExpired)
		assert.ErrorIs(t, w.auth.ResetPassword(ctx, "bogus", "New-password9"), usermgmt.ErrNotFound)
	})
	t.Run("deleted user cannot reset", func(t *testing.T) {
		w := setup(t)
		require.NoError(t, w.auth.RequestReset(ctx, "alice", "c"))
		tok := link(w, w.alice.Email)
		require.NoError(t, w.users.Delete(ctx, w.owner.ID, w.alice.ID))
		assert.Error(t, w.auth.ResetPassword(ctx, tok, "New-password9"))
	})
	t.Run("mail flooding is bounded", func(t *testing.T) {
		w := setup(t)
		for range 10 {
			require.NoError(t, w.auth.RequestReset(ctx, "alice", "c"))
		}
		assert.Equal(t, 3, w.mails.Len())
	})
	t.Run("username reminder", func(t *testing.T) {
		w := setup(t)
		require.NoError(t, w.auth.RemindUsername(ctx, "nobody@example.com", "c"))
		assert.Zero(t, w.mails.Len())
		require.NoError(t, w.auth.RemindUsername(ctx, w.bob.Email, "c"))
		m, ok := w.mails.Last(w.bob.Email)
		require.True(t, ok)
		assert.Contains(t, m.Text, "bobby")
	})
	t.Run("admin-triggered reset", func(t *testing.T) {
		w := setup(t)
		require.NoError(t, w.auth.SendReset(ctx, w.owner.ID, w.alice.ID))
		assert.NotEmpty(t, link(w, w.alice.Email))
		assert.ErrorIs(t, w.auth.SendReset(ctx, w.alice.ID, w.bob.ID), usermgmt.ErrForbidden)
	})
}

func TestChangeAndSetPassword(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	old := w.login(t, w.alice)
	_, err := w.auth.ChangePassword(ctx, w.alice.ID, "Wrong-pass1", "New-password9", "c")
	assert.Equal(t, usermgmt.ErrInvalidCredentials, err)
	iss, err := w.auth.ChangePassword(ctx, w.alice.ID, pw, "New-password9", "c")
	require.NoError(t, err)
	_, err = w.auth.Authenticate(ctx, old)
	assert.Equal(t, usermgmt.ErrInvalidCredentials, err, "a password change ends every other session")
	_, err = w.auth.Authenticate(ctx, iss.Token)
	assert.NoError(t, err)

	require.NoError(t, w.auth.SetPassword(ctx, w.owner.ID, w.bob.ID, "Admin-set-pw9"))
	assert.Zero(t, w.mails.Len(), "seed 003: the new password is not sent to the user")
	assert.ErrorIs(t, w.auth.SetPassword(ctx, w.bob.ID, w.owner.ID, "Admin-set-pw9"), usermgmt.ErrForbidden)
	pending, err := w.users.CreateUser(ctx, w.owner.ID, usermgmt.NewUser{User: person("newbie", 20)})
	require.NoError(t, err)
	require.NoError(t, w.auth.SetPassword(ctx, w.owner.ID, pending.ID, "Admin-set-pw9"))
	got, err := w.store.GetUser(ctx, pending.ID)
	require.NoError(t, err)
	assert.Equal(t, usermgmt.StatusActive, got.Status)
}

func TestRehashOnLogin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, err := auth.NewHasher(auth.HashConfig{})
	require.NoError(t, err)
	w := setup(t, func(c *auth.Config) { c.Hasher = h })
	_, err = w.users.UpdateAccount(ctx, w.owner.ID, usermgmt.AccountUpdate{TwoFactor: ptr(false)})
	require.NoError(t, err)
	// A bcrypt hash imported from another system.
	b, err := bcrypt.GenerateFromPassword([]byte("secret-Pass1"), bcrypt.MinCost)
	require.NoError(t, err)
	legacy := string(b)
	require.NoError(t, w.store.SetPassword(ctx, w.alice.ID, legacy, w.clock.Now()))
	_, err = w.auth.Login(ctx, auth.Credentials{Login: "alice", Password: "secret-Pass1"})
	require.NoError(t, err)
	stored, err := w.store.GetPassword(ctx, w.alice.ID)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(stored, "$argon2id$"), "upgraded at the next successful login")
}

func TestAPIKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	sys, err := w.users.CreateUser(ctx, w.owner.ID, usermgmt.NewUser{User: usermgmt.User{Kind: usermgmt.KindSystem,
		Username: "crm2sms", FirstName: "CRM", LastName: "Link"}})
	require.NoError(t, err)
	_, err = w.auth.CreateAPIKey(ctx, w.owner.ID, w.alice.ID, "k")
	assert.ErrorIs(t, err, usermgmt.ErrInvalid, "only system users hold keys")
	k, err := w.auth.CreateAPIKey(ctx, w.owner.ID, sys.ID, "CRM")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(k.Key, auth.APIKeyPrefix))
	p, err := w.auth.AuthenticateKey(ctx, k.Key)
	require.NoError(t, err)
	assert.Equal(t, sys.ID, p.User.ID)
	_, err = w.auth.Authenticate(ctx, strings.TrimPrefix(k.Key, auth.APIKeyPrefix))
	assert.Error(t, err, "a key is not a session")
	keys, err := w.auth.APIKeys(ctx, w.owner.ID, sys.ID)
	require.NoError(t, err)
	require.Len(t, keys, 1)
	assert.NotContains(t, keys[0].Hash, k.Key)
	assert.ErrorIs(t, w.auth.RevokeAPIKey(ctx, w.alice.ID, sys.ID, keys[0].ID), usermgmt.ErrForbidden)
	require.NoError(t, w.auth.RevokeAPIKey(ctx, w.owner.ID, sys.ID, keys[0].ID))
	_, err = w.auth.AuthenticateKey(ctx, k.Key)
	assert.Equal(t, usermgmt.ErrInvalidCredentials, err)
}

func ptr[T any](v T) *T { return &v }
