package auth_test

// The tests of this file are named after the properties of SECURITY.md
// they show (see the list in doc.go).

import (
	"bytes"
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/scrypt"

	"github.com/rosterkit/roster/auth"
	"github.com/rosterkit/roster/internal/token"
	"github.com/rosterkit/roster/usermgmt"
)

// events returns every audit event of the world's account.
func (w *world) events(t testing.TB) []usermgmt.Event {
	t.Helper()
	var out []usermgmt.Event
	p := usermgmt.Page{Limit: 1000}
	for {
		evs, next, err := w.store.ListEvents(context.Background(), usermgmt.EventFilter{AccountID: w.acct.ID}, p)
		require.NoError(t, err)
		out = append(out, evs...)
		if next == "" {
			return out
		}
		p.After = next
	}
}

// actions returns the action and outcome of every event, as
// "auth.login:ok".
func (w *world) actions(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, e := range w.events(t) {
		out = append(out, e.Action+":"+string(e.Outcome))
	}
	return out
}

// resetToken returns the token of the last reset link mailed to addr.
func (w *world) resetToken(addr string) string {
	_, tok, _ := strings.Cut(w.mails.LastLink(addr), "?t=")
	return tok
}

// twoFactorOff switches the account's SMS PIN off.
func (w *world) twoFactorOff(t testing.TB) {
	t.Helper()
	_, err := w.users.UpdateAccount(context.Background(), w.owner.ID, usermgmt.AccountUpdate{TwoFactor: ptr(false)})
	require.NoError(t, err)
}

// lockedBuffer is an io.Writer safe for concurrent use.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestP1PasswordsStoredAsArgon2idNeverLeak: passwords are stored as
// argon2id PHC strings at the default parameters, and no password shows
// in an error, an audit event, a mail, an SMS or a log line.
func TestP1PasswordsStoredAsArgon2idNeverLeak(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, err := auth.NewHasher(auth.HashConfig{})
	require.NoError(t, err)
	logs := &lockedBuffer{}
	w := setup(t, func(c *auth.Config) {
		c.Hasher = h
		c.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	secrets := []string{"Admin-Set-Pw1", "Wrong-Guess-7", "Changed-Pw-42", "Reset-Pw-Nine9", "bad,pass'Word9"}
	var errs []error
	keep := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}

	require.NoError(t, w.auth.SetPassword(ctx, w.owner.ID, w.alice.ID, secrets[0]))
	stored, err := w.store.GetPassword(ctx, w.alice.ID)
	require.NoError(t, err)
	assert.Regexp(t, `^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`, stored,
		"argon2id PHC string, m=19456 KiB, t=2, p=1, 16-byte salt, 32-byte key")

	_, err = w.auth.Login(ctx, auth.Credentials{Login: "alice", Password: secrets[1], ClientKey: "c"})
	keep(err)
	res, err := w.auth.Login(ctx, auth.Credentials{Login: "alice", Password: secrets[0], ClientKey: "c"})
	require.NoError(t, err)
	_, err = w.auth.VerifyPIN(ctx, res.Challenge.Token, w.sms.LastCode(w.alice.MobilePhone), "c")
	require.NoError(t, err)
	_, err = w.auth.ChangePassword(ctx, w.alice.ID, secrets[1], secrets[2], "c")
	keep(err)
	_, err = w.auth.ChangePassword(ctx, w.alice.ID, secrets[0], secrets[2], "c")
	require.NoError(t, err)
	require.NoError(t, w.auth.RequestReset(ctx, "alice", "c"))
	tok := w.resetToken(w.alice.Email)
	keep(w.auth.ResetPassword(ctx, tok, secrets[4]))
	require.NoError(t, w.auth.ResetPassword(ctx, tok, secrets[3]))
	keep(w.auth.SetPassword(ctx, w.owner.ID, w.bob.ID, secrets[4]))
	require.NoError(t, w.auth.RemindUsername(ctx, w.alice.Email, "c"))
	require.NotEmpty(t, errs)

	var seen strings.Builder
	for _, e := range errs {
		seen.WriteString(e.Error() + "\n")
	}
	fmt.Fprintf(&seen, "%+v\n%+v\n%+v\n", w.events(t), w.mails.Messages(), w.sms.Messages())
	seen.WriteString(logs.String())
	for _, s := range secrets {
		assert.NotContains(t, seen.String(), s)
	}
}

// TestP2PasswordPolicyBeforeHashing: a password the policy refuses is a
// *usermgmt.ValidationError on every path that sets one, and nothing is
// hashed; the NIST profile is available.
func TestP2PasswordPolicyBeforeHashing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bad := map[string]string{
		"too short":        "Ab1!xyz",
		"too long":         "Abcdefghij1!Abcdefghi",
		"two classes":      "abcdefgh12",
		"double quote":     `Abc"defg1`,
		"single quote":     "Abc'defg1",
		"comma":            "Abc,defg1",
		"far too long":     strings.Repeat("Ab1!", 2000),
		"empty":            "",
		"control":          "Abcdefg1\x00",
		"invalid encoding": "Abcdefg1\xff",
	}
	w := setup(t)
	for name, p := range bad {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, w.auth.RequestReset(ctx, "bobby", fmt.Sprint(time.Now().UnixNano())))
			tok := w.resetToken(w.bob.Email)
			before, calls := w.hasher.hashes.Load(), w.hasher.calls.Load()
			var ve *usermgmt.ValidationError
			assert.ErrorAs(t, w.auth.ResetPassword(ctx, tok, p), &ve, "reset")
			assert.ErrorAs(t, w.auth.SetPassword(ctx, w.owner.ID, w.bob.ID, p), &ve, "admin set")
			_, err := w.auth.ChangePassword(ctx, w.bob.ID, pw, p, "c")
			require.ErrorAs(t, err, &ve, "change")
			assert.Equal(t, "password", ve.Fields[0].Field)
			assert.Equal(t, before, w.hasher.hashes.Load(), "refused before hashing")
			assert.Equal(t, calls+1, w.hasher.calls.Load(), "only the old password was verified")
		})
	}

	t.Run("NIST profile", func(t *testing.T) {
		w := setupRules(t, usermgmt.Rules{Password: usermgmt.NISTPasswordPolicy()})
		assert.NoError(t, w.auth.SetPassword(ctx, w.owner.ID, w.bob.ID, "a long passphrase, no rules"), "no composition rule")
		assert.NoError(t, w.auth.SetPassword(ctx, w.owner.ID, w.bob.ID, strings.Repeat("x", 60)+"yz!"), "up to 64")
		for _, p := range []string{"password1234", "my name is bobby ok", strings.Repeat("x", 65), "short"} {
			assert.ErrorIs(t, w.auth.SetPassword(ctx, w.owner.ID, w.bob.ID, p), usermgmt.ErrInvalid, p)
		}
	})
}

// importedHashes returns hashes of password in every foreign format the
// hasher verifies, made with the formats' own libraries.
func importedHashes(t *testing.T, password string) map[string]string {
	t.Helper()
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	b64 := base64.RawStdEncoding.EncodeToString
	ab64 := func(b []byte) string { return strings.ReplaceAll(b64(b), "+", ".") }
	bc, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	require.NoError(t, err)
	sc, err := scrypt.Key([]byte(password), salt, 1<<10, 8, 1, 32)
	require.NoError(t, err)
	p256, err := pbkdf2.Key(sha256.New, password, salt, 1000, 32)
	require.NoError(t, err)
	p512, err := pbkdf2.Key(sha512.New, password, salt, 1000, 64)
	require.NoError(t, err)
	dj, err := pbkdf2.Key(sha256.New, password, []byte("djangosalt"), 1000, 32)
	require.NoError(t, err)
	return map[string]string{
		"bcrypt":           string(bc),
		"django bcrypt":    "bcrypt$" + string(bc),
		"argon2i":          "$argon2i$v=19$m=4096,t=3,p=1$" + b64(salt) + "$" + b64(argon2.Key([]byte(password), salt, 3, 4096, 1, 32)),
		"argon2id old":     "$argon2id$v=19$m=8192,t=1,p=1$" + b64(salt) + "$" + b64(argon2.IDKey([]byte(password), salt, 1, 8192, 1, 32)),
		"scrypt":           "$scrypt$ln=10,r=8,p=1$" + b64(salt) + "$" + b64(sc),
		"pbkdf2-sha256":    "$pbkdf2-sha256$1000$" + ab64(salt) + "$" + ab64(p256),
		"pbkdf2-sha512":    "$pbkdf2-sha512$1000$" + ab64(salt) + "$" + ab64(p512),
		"django pbkdf2":    "pbkdf2_sha256$1000$djangosalt$" + base64.StdEncoding.EncodeToString(dj),
		"django argon2id":  "argon2$argon2id$v=19$m=8192,t=1,p=1$" + b64(salt) + "$" + b64(argon2.IDKey([]byte(password), salt, 1, 8192, 1, 32)),
		"argon2id current": "", // filled by the caller
	}
}

// TestP3ImportedHashesVerifyAndUpgrade: a user imported with a bcrypt,
// argon2, scrypt or PBKDF2 hash logs in with their password, and the
// stored hash is then replaced with argon2id at the current parameters;
// a hash asking for more than the limits is refused and answers as a
// wrong password.
func TestP3ImportedHashesVerifyAndUpgrade(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// Small current parameters keep the test fast; the upgrade goes to
	// whatever they are.
	h, err := auth.NewHasher(auth.HashConfig{Memory: 2048, Time: 1})
	require.NoError(t, err)
	const secret = "Imported-Pw1"
	hashes := importedHashes(t, secret)
	delete(hashes, "argon2id current")
	for name, legacy := range hashes {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := setup(t, func(c *auth.Config) { c.Hasher = h })
			w.twoFactorOff(t)
			ok, rehash, err := h.Verify(ctx, legacy, secret)
			require.NoError(t, err)
			require.True(t, ok)
			require.True(t, rehash)
			require.NoError(t, w.store.SetPassword(ctx, w.alice.ID, legacy, w.clock.Now()))

			_, err = w.auth.Login(ctx, auth.Credentials{Login: "alice", Password: "Imported-Pw2"})
			assert.Equal(t, usermgmt.ErrInvalidCredentials, err)
			stored, err := w.store.GetPassword(ctx, w.alice.ID)
			require.NoError(t, err)
			assert.Equal(t, legacy, stored, "a failed login changes nothing")

			res, err := w.auth.Login(ctx, auth.Credentials{Login: "alice", Password: secret})
			require.NoError(t, err)
			require.NotNil(t, res.Session)
			stored, err = w.store.GetPassword(ctx, w.alice.ID)
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(stored, "$argon2id$v=19$m=2048,t=1,p=1$"), "upgraded: %s", stored)
			_, rehash, err = h.Verify(ctx, stored, secret)
			require.NoError(t, err)
			assert.False(t, rehash)
			_, err = w.auth.Login(ctx, auth.Credentials{Login: "alice", Password: secret})
			assert.NoError(t, err, "the upgraded hash verifies")
		})
	}
	t.Run("hostile hash", func(t *testing.T) {
		t.Parallel()
		w := setup(t, func(c *auth.Config) { c.Hasher = h })
		w.twoFactorOff(t)
		salt := base64.RawStdEncoding.EncodeToString(make([]byte, 16))
		key := base64.RawStdEncoding.EncodeToString(make([]byte, 32))
		for _, hostile := range []string{
			"$argon2id$v=19$m=4194304,t=1,p=1$" + salt + "$" + key, // 4 GiB
			"$pbkdf2-sha256$1073741824$" + salt + "$" + key,        // 2^30 iterations
			"$2a$31$" + strings.Repeat("a", 53),                    // bcrypt cost 31
			"$scrypt$ln=30,r=8,p=1$" + salt + "$" + key,            // 128 GiB
			"not a hash at all",
		} {
			require.NoError(t, w.store.SetPassword(ctx, w.alice.ID, hostile, w.clock.Now()))
			start := time.Now()
			_, err := w.auth.Login(ctx, auth.Credentials{Login: "alice", Password: secret})
			assert.Equal(t, usermgmt.ErrInvalidCredentials, err, hostile)
			t.Logf("P3: hostile hash %.30s… refused in %v", hostile, time.Since(start))
		}
	})
}

// TestL1AllFailuresAlike is in auth_test.go (TestLoginFailuresLookAlike);
// this one adds the throttled login: same error, same message, and the
// cost of a verification.
func TestL1ThrottledLooksLikeWrongPassword(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	var wrongErr error
	for range 10 {
		_, wrongErr = w.auth.Login(ctx, auth.Credentials{Login: "alice", Password: "Wrong-pass1", ClientKey: "x"})
	}
	before := w.hasher.verifications()
	_, err := w.auth.Login(ctx, auth.Credentials{Login: "alice", Password: pw, ClientKey: "y"})
	assert.Equal(t, wrongErr, err)
	assert.Equal(t, wrongErr.Error(), err.Error())
	assert.Equal(t, before+1, w.hasher.verifications(), "a throttled login costs one verification")
	_, unknown := w.auth.Login(ctx, auth.Credentials{Login: "nobody", Password: pw, ClientKey: "z"})
	assert.Equal(t, err, unknown)
}

// TestL3RecoveryAnswersUniformly: password reset and username reminder
// answer nil for every address, and mail only existing, active users.
func TestL3RecoveryAnswersUniformly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
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

	quiet := []string{"nobody", "nobody@example.com", pending.Username, pending.Email, suspended.Username,
		suspended.Email, disabled.Email, deleted.Username, deleted.Email, "", strings.Repeat("a", 10000), "\x00@\xff"}
	for i, login := range quiet {
		assert.NoError(t, w.auth.RequestReset(ctx, login, fmt.Sprint("r", i)), "reset %q", login)
		assert.NoError(t, w.auth.RemindUsername(ctx, login, fmt.Sprint("u", i)), "reminder %q", login)
	}
	assert.Zero(t, w.mails.Len(), "no mail to a missing or inactive user")

	assert.NoError(t, w.auth.RequestReset(ctx, "alice", "r"))
	assert.NoError(t, w.auth.RemindUsername(ctx, w.alice.Email, "u"))
	assert.Equal(t, 2, w.mails.Len())
	for _, m := range w.mails.Messages() {
		assert.Equal(t, []string{w.alice.Email}, m.To)
	}
}

// failures returns the user's counted login failures.
func (w *world) failures(t testing.TB, userID string) int64 {
	t.Helper()
	c, err := w.store.GetCounter(context.Background(), "auth:fail:user:"+userID, w.clock.Now(), 24*time.Hour)
	require.NoError(t, err)
	return c.Count
}

// TestL4DelayGrowsAndEnds: past the threshold the wait doubles from
// BaseDelay up to MaxDelay, never more; after the wait the right
// password works and clears the count.
func TestL4DelayGrowsAndEnds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	wrong := func(i int) {
		_, err := w.auth.Login(ctx, auth.Credentials{Login: "bobby", Password: "Wrong-pass1", ClientKey: fmt.Sprint(i)})
		require.Equal(t, usermgmt.ErrInvalidCredentials, err)
	}
	for i := range 10 {
		wrong(i)
	}
	require.EqualValues(t, 10, w.failures(t, w.bob.ID), "no wait below the threshold")
	// Probe every second with a wrong password: a probe that reaches the
	// comparison is counted; a throttled one is not.
	var delays []time.Duration
	last := w.clock.Now()
	for i := 0; len(delays) < 8; i++ {
		w.clock.Add(time.Second)
		before := w.failures(t, w.bob.ID)
		wrong(100 + i)
		if w.failures(t, w.bob.ID) > before {
			delays = append(delays, w.clock.Now().Sub(last))
			last = w.clock.Now()
		}
	}
	m := time.Minute
	assert.Equal(t, []time.Duration{30 * time.Second, m, 2 * m, 4 * m, 8 * m, 15 * m, 15 * m, 15 * m}, delays)

	// The right password within the wait fails, after it works.
	w.clock.Add(15*m - time.Second)
	_, err := w.auth.Login(ctx, auth.Credentials{Login: "bobby", Password: pw})
	assert.Equal(t, usermgmt.ErrInvalidCredentials, err)
	w.clock.Add(time.Second)
	_, err = w.auth.Login(ctx, auth.Credentials{Login: "bobby", Password: pw})
	require.NoError(t, err, "no lock lasts longer than MaxDelay")
	assert.Zero(t, w.failures(t, w.bob.ID), "success clears the count")
}

// TestL4ClientKeySpray: one client spraying passwords across users is
// throttled on its own key, whoever it targets, while other clients go
// on.
func TestL4ClientKeySpray(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t, func(c *auth.Config) { c.Throttle.ClientThreshold = 5 })
	targets := []string{"alice", "owner", "nobody", "bobby", "someone"}
	for _, login := range targets {
		_, err := w.auth.Login(ctx, auth.Credentials{Login: login, Password: "Spray-pass1", ClientKey: "198.51.100.9"})
		require.Equal(t, usermgmt.ErrInvalidCredentials, err)
	}
	for _, u := range []usermgmt.User{w.alice, w.bob, w.owner} {
		require.Less(t, w.failures(t, u.ID), int64(10), "no user is throttled on its own")
	}
	before := w.hasher.verifications()
	_, err := w.auth.Login(ctx, auth.Credentials{Login: "bobby", Password: pw, ClientKey: "198.51.100.9"})
	assert.Equal(t, usermgmt.ErrInvalidCredentials, err, "the spraying client is throttled, even with a right password")
	assert.Equal(t, before+1, w.hasher.verifications())
	_, err = w.auth.Login(ctx, auth.Credentials{Login: "bobby", Password: pw, ClientKey: "203.0.113.1"})
	assert.NoError(t, err, "another client is not")
	w.clock.Add(time.Hour)
	_, err = w.auth.Login(ctx, auth.Credentials{Login: "alice", Password: pw, ClientKey: "198.51.100.9"})
	assert.NoError(t, err, "the client's count lasts an hour")
}

// TestL4CountersHoldAcrossInstances: two Services on one store (two
// application instances) share the failure counts.
func TestL4CountersHoldAcrossInstances(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	other, err := auth.New(auth.Config{Users: w.users, Hasher: w.hasher, SMS: w.sms, Mailer: w.mails,
		CodeKey: []byte(strings.Repeat("k", 32)), ResetURL: func(s string) string { return s }})
	require.NoError(t, err)
	for i := range 10 {
		a := w.auth
		if i%2 == 1 {
			a = other
		}
		_, err := a.Login(ctx, auth.Credentials{Login: "alice", Password: "Wrong-pass1", ClientKey: fmt.Sprint(i)})
		require.Equal(t, usermgmt.ErrInvalidCredentials, err)
	}
	for _, a := range []*auth.Service{w.auth, other} {
		_, err := a.Login(ctx, auth.Credentials{Login: "alice", Password: pw, ClientKey: "fresh"})
		assert.Equal(t, usermgmt.ErrInvalidCredentials, err, "throttled on both instances")
	}
}

// TestO1CodesAreSixRandomDigits: PINs are 6 digits (or as configured),
// drawn afresh each time.
func TestO1CodesAreSixRandomDigits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, digits := range []int{6, 8} {
		t.Run(fmt.Sprint(digits), func(t *testing.T) {
			t.Parallel()
			w := setup(t, func(c *auth.Config) { c.PIN.Digits = digits })
			re := regexp.MustCompile(fmt.Sprintf(`^[0-9]{%d}$`, digits))
			seen := map[string]bool{}
			for range 200 {
				_, err := w.auth.Login(ctx, auth.Credentials{Login: "alice", Password: pw})
				require.NoError(t, err)
				code := w.sms.LastCode(w.alice.MobilePhone)
				assert.Regexp(t, re, code)
				seen[code] = true
			}
			assert.Greater(t, len(seen), 195, "codes repeat no more than chance allows")
		})
	}
	w := setup(t)
	_, err := auth.New(auth.Config{Users: w.users, SMS: w.sms, Mailer: w.mails, CodeKey: make([]byte, 32),
		ResetURL: func(s string) string { return s }, PIN: auth.PINConfig{Digits: 4}})
	assert.ErrorContains(t, err, "PIN.Digits", "fewer than 6 digits is refused")
}

// TestO2CodeStoredAsHMACUnderHostKey: the challenge keeps only an
// HMAC-SHA256 of the PIN under Config.CodeKey, bound to the challenge and
// the user; an instance with another key cannot use it, one with the same
// key can.
func TestO2CodeStoredAsHMACUnderHostKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	key := []byte(strings.Repeat("k", 32))
	w := setup(t)
	res, err := w.auth.Login(ctx, auth.Credentials{Login: "alice", Password: pw, ClientKey: "c"})
	require.NoError(t, err)
	code := w.sms.LastCode(w.alice.MobilePhone)
	ch, err := w.store.GetTokenByHash(ctx, token.Hash(res.Challenge.Token))
	require.NoError(t, err)
	assert.NotContains(t, string(ch.Data), code)
	var data map[string]string
	require.NoError(t, json.Unmarshal(ch.Data, &data))
	assert.Equal(t, token.MAC(key, "pin", ch.ID, w.alice.ID, code), data["mac"], "HMAC-SHA256 of the code, challenge and user")
	assert.Len(t, data["mac"], 64)

	mk := func(k []byte) *auth.Service {
		a, err := auth.New(auth.Config{Users: w.users, Hasher: w.hasher, SMS: w.sms, Mailer: w.mails,
			CodeKey: k, ResetURL: func(s string) string { return s }})
		require.NoError(t, err)
		return a
	}
	_, err = mk([]byte(strings.Repeat("q", 32))).VerifyPIN(ctx, res.Challenge.Token, code, "c")
	assert.Equal(t, usermgmt.ErrInvalidCredentials, err, "another key cannot check the code")
	_, err = mk(key).VerifyPIN(ctx, res.Challenge.Token, code, "c")
	assert.NoError(t, err, "another instance with the same key can")
}

// TestO5ConcurrentResendsKeepTheCap: concurrent resends send one PIN per
// cooldown and never more than the cap per challenge.
func TestO5ConcurrentResendsKeepTheCap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	res, err := w.auth.Login(ctx, auth.Credentials{Login: "alice", Password: pw, ClientKey: "c"})
	require.NoError(t, err)
	var sent atomic.Int64
	for range 6 {
		w.clock.Add(31 * time.Second)
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				_, err := w.auth.ResendPIN(ctx, res.Challenge.Token)
				switch {
				case err == nil:
					sent.Add(1)
				case errors.Is(err, usermgmt.ErrRateLimited), errors.Is(err, usermgmt.ErrLocked):
				default:
					t.Errorf("resend: %v", err)
				}
			})
		}
		wg.Wait()
	}
	assert.EqualValues(t, 3, sent.Load(), "MaxResends")
	assert.Len(t, w.sms.Messages(), 4, "the first PIN and three resends")
	_, err = w.auth.VerifyPIN(ctx, res.Challenge.Token, w.sms.LastCode(w.alice.MobilePhone), "c")
	assert.NoError(t, err, "the last PIN sent is the one that works")
}

// TestO5ResendRefusedForInactiveUser: a challenge whose user was
// suspended since sends nothing more.
func TestO5ResendRefusedForInactiveUser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	res, err := w.auth.Login(ctx, auth.Credentials{Login: "alice", Password: pw})
	require.NoError(t, err)
	_, err = w.users.Suspend(ctx, w.owner.ID, w.alice.ID, time.Time{})
	require.NoError(t, err)
	w.clock.Add(time.Minute)
	_, err = w.auth.ResendPIN(ctx, res.Challenge.Token)
	assert.Equal(t, usermgmt.ErrInvalidCredentials, err)
	_, err = w.auth.VerifyPIN(ctx, res.Challenge.Token, w.sms.LastCode(w.alice.MobilePhone), "")
	assert.Equal(t, usermgmt.ErrInvalidCredentials, err, "nor completes the login")
	assert.Len(t, w.sms.Messages(), 1)
}

// TestS3NoSMSBeforePassword: only a verified password of an active,
// unthrottled user costs the host an SMS.
func TestS3NoSMSBeforePassword(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	suspended := w.mk(t, "suspended", 11)
	_, err := w.users.Suspend(ctx, w.owner.ID, suspended.ID, time.Time{})
	require.NoError(t, err)
	tries := []auth.Credentials{
		{Login: "nobody", Password: pw},
		{Login: "suspended", Password: pw},
		{Login: "alice", Password: "", ClientKey: "c"},
	}
	for range 12 {
		tries = append(tries, auth.Credentials{Login: "alice", Password: "Wrong-pass1", ClientKey: "c"})
	}
	tries = append(tries, auth.Credentials{Login: "alice", Password: pw, ClientKey: "d"}) // throttled now
	for _, c := range tries {
		_, err := w.auth.Login(ctx, c)
		assert.Equal(t, usermgmt.ErrInvalidCredentials, err)
	}
	assert.Empty(t, w.sms.Messages())
	_, err = w.auth.Login(ctx, auth.Credentials{Login: "bobby", Password: pw})
	require.NoError(t, err)
	assert.Len(t, w.sms.Messages(), 1)
}

// secret256 reports whether s encodes exactly 32 bytes of base64url.
func secret256(t *testing.T, s string) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	require.NoError(t, err)
	assert.Len(t, b, 32)
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestT1TokensAre256BitAndStoredHashed: session tokens, challenge
// tokens, reset tokens and API keys are 256-bit secrets; the store keeps
// their SHA-256 and never the secret.
func TestT1TokensAre256BitAndStoredHashed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	res, err := w.auth.Login(ctx, auth.Credentials{Login: "alice", Password: pw})
	require.NoError(t, err)
	challenge := res.Challenge.Token
	iss, err := w.auth.VerifyPIN(ctx, challenge, w.sms.LastCode(w.alice.MobilePhone), "")
	require.NoError(t, err)
	require.NoError(t, w.auth.RequestReset(ctx, "bobby", "c"))
	reset := w.resetToken(w.bob.Email)
	sys, err := w.users.CreateUser(ctx, w.owner.ID, usermgmt.NewUser{User: usermgmt.User{Kind: usermgmt.KindSystem,
		Username: "crm2sms", FirstName: "CRM", LastName: "Link"}})
	require.NoError(t, err)
	key, err := w.auth.CreateAPIKey(ctx, w.owner.ID, sys.ID, "CRM")
	require.NoError(t, err)

	secret256(t, challenge)
	secret256(t, iss.Token)
	secret256(t, reset)
	secret256(t, strings.TrimPrefix(key.Key, auth.APIKeyPrefix))

	sess, err := w.store.GetSessionByHash(ctx, sha(iss.Token))
	require.NoError(t, err)
	assert.Equal(t, sha(iss.Token), sess.Hash)
	k, err := w.store.GetSessionByHash(ctx, sha(key.Key))
	require.NoError(t, err)
	assert.Equal(t, usermgmt.SessionAPIKey, k.Kind)
	for _, tok := range []string{challenge, reset} {
		got, err := w.store.GetTokenByHash(ctx, sha(tok))
		require.NoError(t, err)
		assert.Equal(t, sha(tok), got.Hash)
	}

	// Nothing the store holds, nor the audit log, contains a secret.
	var dump strings.Builder
	for _, u := range []usermgmt.User{w.alice, w.bob, sys} {
		s, err := w.store.ListSessions(ctx, u.ID, "")
		require.NoError(t, err)
		toks, _, err := w.store.ListTokens(ctx, usermgmt.TokenFilter{UserID: u.ID}, usermgmt.Page{})
		require.NoError(t, err)
		fmt.Fprintf(&dump, "%+v %+v\n", s, toks)
		for _, tk := range toks {
			dump.Write(tk.Data)
		}
	}
	fmt.Fprintf(&dump, "%+v", w.events(t))
	for _, s := range []string{challenge, iss.Token, reset, key.Key, strings.TrimPrefix(key.Key, auth.APIKeyPrefix)} {
		assert.NotContains(t, dump.String(), s)
	}
}

// TestT2ResetTokenSingleUseAndExpiry: a reset link works once (also
// under concurrent use) and for an hour; expired, used and invalid links
// are told apart. A used or expired challenge is refused too.
func TestT2ResetTokenSingleUseAndExpiry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	require.NoError(t, w.auth.RequestReset(ctx, "alice", "c"))
	tok := w.resetToken(w.alice.Email)
	w.clock.Add(59*time.Minute + 59*time.Second)
	var ok, used atomic.Int64
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() {
			err := w.auth.ResetPassword(ctx, tok, fmt.Sprintf("Concurrent-%d", i))
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, usermgmt.ErrUsed):
				used.Add(1)
			default:
				t.Errorf("reset: %v", err)
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 1, ok.Load(), "59:59 is in time, and the link works once")
	assert.EqualValues(t, 9, used.Load())

	require.NoError(t, w.auth.RequestReset(ctx, "bobby", "c"))
	tok = w.resetToken(w.bob.Email)
	w.clock.Add(time.Hour)
	assert.ErrorIs(t, w.auth.ResetPassword(ctx, tok, "New-password9"), usermgmt.ErrExpired, "1:00:00 is too late")
	assert.ErrorIs(t, w.auth.ResetPassword(ctx, sha("x")[:43], "New-password9"), usermgmt.ErrNotFound, "invalid")

	res, err := w.auth.Login(ctx, auth.Credentials{Login: "bobby", Password: pw})
	require.NoError(t, err)
	code := w.sms.LastCode(w.bob.MobilePhone)
	_, err = w.auth.VerifyPIN(ctx, res.Challenge.Token, code, "")
	require.NoError(t, err)
	_, err = w.auth.VerifyPIN(ctx, res.Challenge.Token, code, "")
	assert.Equal(t, usermgmt.ErrInvalidCredentials, err, "a challenge works once")
	assert.ErrorIs(t, w.auth.ResetPassword(ctx, res.Challenge.Token, "New-password9"), usermgmt.ErrNotFound,
		"a challenge is no reset link")
}

// TestT4SessionsEnd: every session of a user ends at once on logout
// everywhere, password change, reset and admin set, suspend, disable
// and delete.
func TestT4SessionsEnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := map[string]func(t *testing.T, w *world){
		"logout everywhere": func(t *testing.T, w *world) {
			require.NoError(t, w.auth.LogoutEverywhere(ctx, w.alice.ID, w.alice.ID))
		},
		"password change": func(t *testing.T, w *world) {
			fresh, err := w.auth.ChangePassword(ctx, w.alice.ID, pw, "Changed-pw9", "c")
			require.NoError(t, err)
			_, err = w.auth.Authenticate(ctx, fresh.Token)
			require.NoError(t, err, "the one who changed it gets a new session")
			require.NoError(t, w.auth.Logout(ctx, fresh.Token))
		},
		"password set by an admin": func(t *testing.T, w *world) {
			require.NoError(t, w.auth.SetPassword(ctx, w.owner.ID, w.alice.ID, "Admin-set-pw9"))
		},
		"password reset": func(t *testing.T, w *world) {
			require.NoError(t, w.auth.RequestReset(ctx, "alice", "c"))
			require.NoError(t, w.auth.ResetPassword(ctx, w.resetToken(w.alice.Email), "Reset-pw99"))
		},
		"suspend": func(t *testing.T, w *world) {
			_, err := w.users.Suspend(ctx, w.owner.ID, w.alice.ID, time.Time{})
			require.NoError(t, err)
		},
		"disable": func(t *testing.T, w *world) {
			_, err := w.users.Disable(ctx, w.owner.ID, w.alice.ID)
			require.NoError(t, err)
		},
		"delete": func(t *testing.T, w *world) {
			require.NoError(t, w.users.Delete(ctx, w.owner.ID, w.alice.ID))
		},
	}
	for name, end := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := setup(t)
			a, b := w.login(t, w.alice), w.login(t, w.alice)
			keep := w.login(t, w.bob)
			end(t, w)
			for _, tok := range []string{a, b} {
				_, err := w.auth.Authenticate(ctx, tok)
				assert.Equal(t, usermgmt.ErrInvalidCredentials, err)
			}
			left, err := w.store.ListSessions(ctx, w.alice.ID, "")
			require.NoError(t, err)
			assert.Empty(t, left, "the sessions are gone from the store")
			_, err = w.auth.Authenticate(ctx, keep)
			assert.NoError(t, err, "other users keep theirs")
		})
	}
}

// TestT4APIKeysEnd: an API key stops working when revoked and when its
// system user is suspended, disabled or deleted; keys and sessions are
// not interchangeable.
func TestT4APIKeysEnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := map[string]func(t *testing.T, w *world, sys usermgmt.User, keyID string){
		"revoke": func(t *testing.T, w *world, sys usermgmt.User, keyID string) {
			require.NoError(t, w.auth.RevokeAPIKey(ctx, w.owner.ID, sys.ID, keyID))
		},
		"suspend": func(t *testing.T, w *world, sys usermgmt.User, _ string) {
			_, err := w.users.Suspend(ctx, w.owner.ID, sys.ID, time.Time{})
			require.NoError(t, err)
		},
		"disable": func(t *testing.T, w *world, sys usermgmt.User, _ string) {
			_, err := w.users.Disable(ctx, w.owner.ID, sys.ID)
			require.NoError(t, err)
		},
		"delete": func(t *testing.T, w *world, sys usermgmt.User, _ string) {
			require.NoError(t, w.users.Delete(ctx, w.owner.ID, sys.ID))
		},
	}
	for name, end := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := setup(t)
			sys, err := w.users.CreateUser(ctx, w.owner.ID, usermgmt.NewUser{User: usermgmt.User{Kind: usermgmt.KindSystem,
				Username: "gateway1", FirstName: "G", LastName: "W"}})
			require.NoError(t, err)
			k, err := w.auth.CreateAPIKey(ctx, w.owner.ID, sys.ID, "gateway")
			require.NoError(t, err)
			_, err = w.auth.AuthenticateKey(ctx, k.Key)
			require.NoError(t, err)
			end(t, w, sys, k.Info.ID)
			_, err = w.auth.AuthenticateKey(ctx, k.Key)
			assert.Equal(t, usermgmt.ErrInvalidCredentials, err)
		})
	}
	t.Run("not interchangeable", func(t *testing.T) {
		t.Parallel()
		w := setup(t)
		sess := w.login(t, w.alice)
		_, err := w.auth.AuthenticateKey(ctx, auth.APIKeyPrefix+sess)
		assert.Equal(t, usermgmt.ErrInvalidCredentials, err, "a session is no API key")
		_, err = w.auth.AuthenticateKey(ctx, sess)
		assert.Equal(t, usermgmt.ErrInvalidCredentials, err)
	})
}

// TestAuditTrail: logins (made and refused), PIN failures, resets,
// password changes and API keys leave events in the user's account;
// a failure for an unknown username leaves none anywhere.
func TestAuditTrail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := setup(t)
	before := len(w.events(t))
	_, _ = w.auth.Login(ctx, auth.Credentials{Login: "nobody", Password: pw})
	assert.Len(t, w.events(t), before, "an unknown user leaves no event")

	_, _ = w.auth.Login(ctx, auth.Credentials{Login: "alice", Password: "Wrong-pass1"})
	res, err := w.auth.Login(ctx, auth.Credentials{Login: "alice", Password: pw})
	require.NoError(t, err)
	_, _ = w.auth.VerifyPIN(ctx, res.Challenge.Token, "x", "")
	tok := w.login(t, w.alice)
	require.NoError(t, w.auth.Logout(ctx, tok))
	_, err = w.auth.ChangePassword(ctx, w.alice.ID, pw, "Changed-pw9", "")
	require.NoError(t, err)
	require.NoError(t, w.auth.SetPassword(ctx, w.owner.ID, w.bob.ID, "Admin-set-pw9"))
	require.NoError(t, w.auth.RequestReset(ctx, "bobby", ""))
	require.NoError(t, w.auth.ResetPassword(ctx, w.resetToken(w.bob.Email), "Reset-pw99"))
	sys, err := w.users.CreateUser(ctx, w.owner.ID, usermgmt.NewUser{User: usermgmt.User{Kind: usermgmt.KindSystem,
		Username: "gateway1", FirstName: "G", LastName: "W"}})
	require.NoError(t, err)
	k, err := w.auth.CreateAPIKey(ctx, w.owner.ID, sys.ID, "gw")
	require.NoError(t, err)
	require.NoError(t, w.auth.RevokeAPIKey(ctx, w.owner.ID, sys.ID, k.Info.ID))
	require.ErrorIs(t, w.auth.SetPassword(ctx, w.alice.ID, w.owner.ID, "Admin-set-pw9"), usermgmt.ErrForbidden)

	got := w.actions(t)
	for _, want := range []string{"auth.login:refused", "auth.challenge:ok", "auth.pin:refused", "auth.login:ok",
		"auth.logout:ok", "auth.password_change:ok", "auth.password_set:ok", "auth.reset_request:ok", "auth.reset:ok",
		"auth.api_key_create:ok", "auth.api_key_revoke:ok", "auth.password_set:refused"} {
		assert.Contains(t, got, want)
	}
	for _, e := range w.events(t) {
		if e.Action == "auth.login" && e.Outcome == usermgmt.OutcomeRefused {
			assert.Equal(t, w.alice.ID, e.TargetID)
			assert.Equal(t, "wrong_password", e.Reason)
		}
	}
}
