package auth

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/argon2"
)

func newTestHasher(t testing.TB, cfg HashConfig) *Hasher {
	t.Helper()
	h, err := NewHasher(cfg)
	require.NoError(t, err)
	return h
}

// cheap is a configuration fast enough for tests that hash many times.
var cheap = HashConfig{Memory: 64, Time: 1}

// argon2Hash encodes an argon2id hash with the given parameters without
// going through the Hasher.
func argon2Hash(password string, m, tm uint32, p uint8) string {
	salt := testSalt(16)
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", m, tm, p,
		phcB64(salt), phcB64(argon2.IDKey([]byte(password), salt, tm, m, p, 32)))
}

func TestNewHasherDefaults(t *testing.T) {
	t.Parallel()
	h := newTestHasher(t, HashConfig{})
	assert.Equal(t, HashConfig{
		Memory:           19456,
		Time:             2,
		Threads:          1,
		SaltLen:          16,
		KeyLen:           32,
		Concurrency:      runtime.NumCPU(),
		MaxPasswordBytes: 1024,
		Limits: HashLimits{
			Argon2Memory:     256 << 10,
			Argon2Time:       10,
			Argon2Threads:    16,
			BcryptCost:       14,
			ScryptN:          1 << 20,
			ScryptMemory:     256 << 20,
			ScryptP:          16,
			PBKDF2Iterations: 2_000_000,
		},
	}, h.Config())

	enc, err := h.Hash(t.Context(), "correct horse battery staple")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$"), enc)
	p, err := parseHash(enc)
	require.NoError(t, err)
	assert.Len(t, p.salt, 16)
	assert.Len(t, p.key, 32)
	assert.False(t, h.NeedsRehash(enc))
}

func TestNewHasherRejectsBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  HashConfig
		want string
	}{
		{"memory below 8 KiB per thread", HashConfig{Memory: 15, Threads: 2}, "below argon2's minimum"},
		{"salt too short", HashConfig{SaltLen: 4}, "salt length 4 out of range"},
		{"salt too long", HashConfig{SaltLen: 513}, "salt length 513 out of range"},
		{"key too short", HashConfig{KeyLen: 8}, "key length 8 out of range"},
		{"negative concurrency", HashConfig{Concurrency: -1}, "concurrency -1 is negative"},
		{"negative max password", HashConfig{MaxPasswordBytes: -1}, "max password bytes -1 is negative"},
		{"memory over its own limit", HashConfig{Memory: 300_000}, "exceeds Limits.Argon2Memory"},
		{"time over its own limit", HashConfig{Time: 11}, "exceeds Limits.Argon2Time"},
		{"threads over their own limit", HashConfig{Threads: 17}, "exceed Limits.Argon2Threads"},
		{"bcrypt cost limit above 31", HashConfig{Limits: HashLimits{BcryptCost: 32}}, "Limits.BcryptCost 32 out of range"},
		{"bcrypt cost limit below 4", HashConfig{Limits: HashLimits{BcryptCost: 3}}, "Limits.BcryptCost 3 out of range"},
		{"scrypt N limit below 2", HashConfig{Limits: HashLimits{ScryptN: 1}}, "Limits.ScryptN 1"},
		{"negative scrypt memory", HashConfig{Limits: HashLimits{ScryptMemory: -1}}, "Limits.ScryptMemory -1"},
		{"negative scrypt p", HashConfig{Limits: HashLimits{ScryptP: -1}}, "Limits.ScryptP -1"},
		{"negative pbkdf2 iterations", HashConfig{Limits: HashLimits{PBKDF2Iterations: -1}}, "Limits.PBKDF2Iterations -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, err := NewHasher(tt.cfg)
			require.Error(t, err)
			assert.Nil(t, h)
			assert.Contains(t, err.Error(), tt.want)
			assert.True(t, strings.HasPrefix(err.Error(), "auth: new hasher: "), err.Error())
		})
	}

	t.Run("raising the limit allows stronger parameters", func(t *testing.T) {
		t.Parallel()
		_, err := NewHasher(HashConfig{Memory: 300_000, Limits: HashLimits{Argon2Memory: 300_000}})
		require.NoError(t, err)
	})
}

func TestHashVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newTestHasher(t, HashConfig{})
	for _, pw := range []string{"Secr3t!pass", "", "pässwörd-ユニコード", strings.Repeat("x", 1024)} {
		a, err := h.Hash(ctx, pw)
		require.NoError(t, err)
		b, err := h.Hash(ctx, pw)
		require.NoError(t, err)
		assert.NotEqual(t, a, b, "each hash has its own salt")

		ok, rehash, err := h.Verify(ctx, a, pw)
		require.NoError(t, err)
		assert.True(t, ok)
		assert.False(t, rehash, "fresh hash at the current parameters")

		wrong := pw + "!"
		if len(pw) == 1024 {
			wrong = pw[:1023] + "y"
		}
		ok, rehash, err = h.Verify(ctx, a, wrong)
		require.NoError(t, err)
		assert.False(t, ok)
		assert.False(t, rehash)
	}
}

func TestRehashWhenParametersChange(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	base := newTestHasher(t, cheap)
	for _, tt := range []struct {
		name string
		cfg  HashConfig
	}{
		{"memory", HashConfig{Memory: 128, Time: 1}},
		{"time", HashConfig{Memory: 64, Time: 2}},
		{"threads", HashConfig{Memory: 64, Time: 1, Threads: 2}},
		{"salt length", HashConfig{Memory: 64, Time: 1, SaltLen: 32}},
		{"key length", HashConfig{Memory: 64, Time: 1, KeyLen: 64}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			other := newTestHasher(t, tt.cfg)
			enc, err := other.Hash(ctx, "pw")
			require.NoError(t, err)

			ok, rehash, err := other.Verify(ctx, enc, "pw")
			require.NoError(t, err)
			assert.True(t, ok)
			assert.False(t, rehash, "its own parameters")

			ok, rehash, err = base.Verify(ctx, enc, "pw")
			require.NoError(t, err)
			assert.True(t, ok)
			assert.True(t, rehash, "parameters differ from the current ones")
			assert.True(t, base.NeedsRehash(enc))
		})
	}
}

// hostileHashes are well-formed hashes whose costs exceed the default
// limits.
var hostileHashes = []struct{ name, encoded string }{
	{"argon2id m=4 GiB", "$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"argon2i m=4 GiB", "$argon2i$v=19$m=4194304,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"argon2id m beyond uint64", "$argon2id$v=19$m=999999999999999999999999999,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"argon2id t=2^30", "$argon2id$v=19$m=19456,t=1073741824,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"argon2id p=255", "$argon2id$v=19$m=4096,t=1,p=255$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"argon2id p=2^40 m=2^50", "$argon2id$v=19$m=1125899906842624,t=1,p=1099511627776$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"django argon2 m=4 GiB", "argon2$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"bcrypt cost 31", "$2b$31$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga"},
	{"bcrypt cost 15", "$2a$15$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga"},
	{"django bcrypt cost 31", "bcrypt$$2y$31$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga"},
	{"scrypt ln=30", "$scrypt$ln=30,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E"},
	{"scrypt ln=63", "$scrypt$ln=63,r=1,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E"},
	{"scrypt ln=200", "$scrypt$ln=200,r=1,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E"},
	{"scrypt 1 GiB at N=2^20 r=8", "$scrypt$ln=20,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E"},
	{"scrypt r=2^40", "$scrypt$ln=4,r=1099511627776,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E"},
	{"scrypt 2 GiB in p×r×128 at N=2", "$scrypt$ln=1,r=1048576,p=16$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E"},
	{"scrypt p=1000", "$scrypt$ln=14,r=8,p=1000$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E"},
	{"pbkdf2-sha256 i=2^30", "$pbkdf2-sha256$1073741824$0ZrzXitFSGltTQnBWOsdAw$Y11AchqV4b0sUisdZd0Xr97KWoymNE0LNNrnEgY4H9M"},
	{"pbkdf2-sha512 i=2000001", "$pbkdf2-sha512$2000001$RHY0Fr3IDMSVO/RSZyb5ow$eNLfBK.eVozomMr.1gYa17k9B7KIK25NOEshvhrSX.esqY3s.FvWZViXz4KoLlQI.BzY/YTNJOiKc5gBYFYGww"},
	{"django pbkdf2 i=2^30", "pbkdf2_sha256$1073741824$seasalt$FQCNpiZpTb0zub+HBsH6TOwyRxJ19FwvjbweatNmK/Y="},
}

func TestVerifyRefusesOverLimits(t *testing.T) {
	t.Parallel()
	h := newTestHasher(t, HashConfig{})
	for _, tt := range hostileHashes {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ok, rehash, err := h.Verify(t.Context(), tt.encoded, "password")
			require.ErrorIs(t, err, ErrHashRefused)
			assert.False(t, ok)
			assert.False(t, rehash)
			assert.True(t, strings.HasPrefix(err.Error(), "auth: verify: password hash refused: "), err.Error())
			assertNoSecret(t, err, tt.encoded)

			require.ErrorIs(t, h.Check(tt.encoded), ErrHashRefused)
			assert.True(t, h.NeedsRehash(tt.encoded))
		})
	}
}

func TestVerifyHonoursCustomLimits(t *testing.T) {
	t.Parallel()
	strict := newTestHasher(t, HashConfig{Limits: HashLimits{
		Argon2Memory:     32768,
		Argon2Time:       2,
		Argon2Threads:    1,
		BcryptCost:       9,
		ScryptN:          1 << 8,
		ScryptMemory:     1 << 20,
		ScryptP:          1,
		PBKDF2Iterations: 5000,
	}})
	allowed := map[string]bool{"scrypt passlib ln=8": true, "pbkdf2-sha512 passlib": true}
	for _, v := range publishedVectors {
		err := strict.Check(v.encoded)
		if allowed[v.name] {
			require.NoError(t, err, v.name)
			continue
		}
		require.ErrorIs(t, err, ErrHashRefused, v.name)
	}
}

// TestRefusedHashAllocatesNothing shows that a hostile hash is refused
// before its memory is allocated. It is not parallel: it reads the
// process's allocation counter.
func TestRefusedHashAllocatesNothing(t *testing.T) {
	h := newTestHasher(t, HashConfig{})
	ctx := t.Context()
	for _, tt := range hostileHashes {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range 10 {
			_, _, err := h.Verify(ctx, tt.encoded, "password")
			require.ErrorIs(t, err, ErrHashRefused)
		}
		runtime.ReadMemStats(&after)
		assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(64<<10),
			"%s: 10 refusals allocated %d bytes", tt.name, after.TotalAlloc-before.TotalAlloc)
	}
	allocs := testing.AllocsPerRun(20, func() {
		_, _, _ = h.Verify(ctx, hostileHashes[0].encoded, "password")
	})
	t.Logf("allocations per refused argon2 m=4 GiB verification: %.0f", allocs)
	assert.LessOrEqual(t, allocs, 20.0)
}

func TestVerifyRejectsMalformed(t *testing.T) {
	t.Parallel()
	h := newTestHasher(t, HashConfig{})
	for _, tt := range malformedHashes {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ok, rehash, err := h.Verify(t.Context(), tt.encoded, "password")
			require.ErrorIs(t, err, ErrHashFormat)
			assert.False(t, ok)
			assert.False(t, rehash)
			assertNoSecret(t, err, tt.encoded)
			require.ErrorIs(t, h.Check(tt.encoded), ErrHashFormat)
			assert.True(t, h.NeedsRehash(tt.encoded))
		})
	}
}

// assertNoSecret checks that err quotes neither the salt nor the hash of
// encoded: its last two '$'-separated segments (for bcrypt, the last one
// holds both).
func assertNoSecret(t *testing.T, err error, encoded string) {
	t.Helper()
	parts := strings.Split(encoded, "$")
	for _, part := range parts[max(0, len(parts)-2):] {
		if len(part) >= 8 && !strings.HasPrefix(part, "argon2") && !strings.HasPrefix(part, "pbkdf2") {
			assert.NotContains(t, err.Error(), part)
		}
	}
}

func TestPasswordTooLongIsRefusedFirst(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newTestHasher(t, HashConfig{Memory: 64, Time: 1, MaxPasswordBytes: 32})
	fits := strings.Repeat("a", 32)
	long := strings.Repeat("b", 33)
	enc, err := h.Hash(ctx, fits)
	require.NoError(t, err)

	_, err = h.Hash(ctx, long)
	require.ErrorIs(t, err, ErrPasswordTooLong)
	assert.Equal(t, "auth: hash: password too long (limit 32 bytes)", err.Error())

	ok, _, err := h.Verify(ctx, enc, long)
	require.ErrorIs(t, err, ErrPasswordTooLong)
	assert.False(t, ok)
	assert.NotContains(t, err.Error(), long)

	_, _, err = h.Verify(ctx, "not a hash", long)
	require.ErrorIs(t, err, ErrPasswordTooLong, "length is checked before the hash is parsed")
	_, _, err = h.Verify(ctx, hostileHashes[0].encoded, long)
	require.ErrorIs(t, err, ErrPasswordTooLong, "length is checked before the limits")

	out, err := h.HashMany(ctx, []string{fits, fits, long, fits})
	require.ErrorIs(t, err, ErrPasswordTooLong)
	assert.Contains(t, err.Error(), "password 2")
	assert.Nil(t, out)

	require.ErrorIs(t, h.Dummy(ctx, long), ErrPasswordTooLong)

	// Multi-byte characters count in bytes.
	_, err = h.Hash(ctx, strings.Repeat("é", 17))
	require.ErrorIs(t, err, ErrPasswordTooLong)
}

func TestWaitingForSlotHonoursContext(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h := newTestHasher(t, HashConfig{Memory: 64, Time: 1, Concurrency: 1})
		enc, err := h.Hash(t.Context(), "pw")
		require.NoError(t, err)

		// Hold the only slot, as a long verification would.
		require.NoError(t, h.sem.Acquire(context.Background(), 1))

		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		start := time.Now()
		_, _, err = h.Verify(ctx, enc, "pw")
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, 5*time.Second, time.Since(start), "waited for the slot until the deadline")

		_, err = h.Hash(ctx, "pw")
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.ErrorIs(t, h.Dummy(ctx, "pw"), context.DeadlineExceeded)
		_, err = h.HashMany(ctx, []string{"a", "b"})
		require.ErrorIs(t, err, context.DeadlineExceeded)

		// Cancelled while waiting.
		ctx2, cancel2 := context.WithCancel(t.Context())
		errc := make(chan error, 1)
		go func() {
			_, _, err := h.Verify(ctx2, enc, "pw")
			errc <- err
		}()
		synctest.Wait()
		cancel2()
		require.ErrorIs(t, <-errc, context.Canceled)

		// The slot comes back: work resumes.
		h.sem.Release(1)
		ok, _, err := h.Verify(t.Context(), enc, "pw")
		require.NoError(t, err)
		assert.True(t, ok)
	})
}

func TestEndedContextRefusedEvenWithFreeSlots(t *testing.T) {
	t.Parallel()
	h := newTestHasher(t, cheap)
	enc, err := h.Hash(t.Context(), "pw")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, _, err = h.Verify(ctx, enc, "pw")
	require.ErrorIs(t, err, context.Canceled)
	_, err = h.Hash(ctx, "pw")
	require.ErrorIs(t, err, context.Canceled)
	_, err = h.HashMany(ctx, []string{"pw"})
	require.ErrorIs(t, err, context.Canceled)
}

// TestLargeImportedHashTakesMoreSlots shows the bound is on memory, not
// only on count: a hash needing twice the current memory waits for two
// slots.
func TestLargeImportedHashTakesMoreSlots(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h := newTestHasher(t, HashConfig{Memory: 64, Time: 1, Concurrency: 2})
		small := argon2Hash("pw", 64, 1, 1)
		large := argon2Hash("pw", 128, 1, 1)

		require.NoError(t, h.sem.Acquire(context.Background(), 1)) // one slot busy

		ok, _, err := h.Verify(t.Context(), small, "pw")
		require.NoError(t, err, "one free slot is enough for a hash at the current memory")
		assert.True(t, ok)

		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		_, _, err = h.Verify(ctx, large, "pw")
		require.ErrorIs(t, err, context.DeadlineExceeded, "twice the memory needs both slots")

		h.sem.Release(1)
		ok, _, err = h.Verify(t.Context(), large, "pw")
		require.NoError(t, err)
		assert.True(t, ok)
	})
}

func TestWeight(t *testing.T) {
	t.Parallel()
	h := newTestHasher(t, HashConfig{Memory: 64, Time: 1, Concurrency: 4})
	shape := func(m int) string { return fmt.Sprintf("$argon2id$v=19$m=%d,t=1,p=1$%s", m, refSaltKey) }
	tests := []struct {
		encoded string
		want    int64
	}{
		{shape(64), 1},
		{shape(8), 1},
		{shape(65), 2},
		{shape(128), 2},
		{shape(192), 3},
		{shape(100_000), 4},
		{"$2a$10$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga", 1},
		{"$pbkdf2-sha256$6400$0ZrzXitFSGltTQnBWOsdAw$Y11AchqV4b0sUisdZd0Xr97KWoymNE0LNNrnEgY4H9M", 1},
		{"$scrypt$ln=8,r=8,p=1$WKs1xljLudd6z9kbY0wpJQ$yCR4iDZYDKv+iEJj6yHY0lv/epnfB6f/w1EbXrsJOuQ", 4},
	}
	for _, tt := range tests {
		p, err := h.parse(tt.encoded)
		require.NoError(t, err)
		assert.Equal(t, tt.want, h.weight(&p), tt.encoded)
	}
}

func TestHashMany(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newTestHasher(t, HashConfig{Memory: 64, Time: 1, Concurrency: 3})
	passwords := make([]string, 50)
	for i := range passwords {
		passwords[i] = fmt.Sprintf("password-%02d", i)
	}
	hashes, err := h.HashMany(ctx, passwords)
	require.NoError(t, err)
	require.Len(t, hashes, len(passwords))
	seen := map[string]bool{}
	for i, enc := range hashes {
		assert.False(t, seen[enc])
		seen[enc] = true
		ok, rehash, err := h.Verify(ctx, enc, passwords[i])
		require.NoError(t, err)
		assert.True(t, ok, "hash %d is in the order of its password", i)
		assert.False(t, rehash)
		ok, _, err = h.Verify(ctx, enc, passwords[(i+1)%len(passwords)])
		require.NoError(t, err)
		assert.False(t, ok)
	}

	empty, err := h.HashMany(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, empty)
}

// TestHashManyStopsOnCancel cancels an import of many passwords while
// the only slot is taken (by logins, say): HashMany returns at once with
// the context's error instead of hashing the rest.
func TestHashManyStopsOnCancel(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h := newTestHasher(t, HashConfig{Memory: 64, Time: 1, Concurrency: 1})
		passwords := make([]string, 5000)
		for i := range passwords {
			passwords[i] = fmt.Sprint("pw", i)
		}
		require.NoError(t, h.sem.Acquire(context.Background(), 1))

		ctx, cancel := context.WithCancel(t.Context())
		type result struct {
			out []string
			err error
		}
		done := make(chan result, 1)
		go func() {
			out, err := h.HashMany(ctx, passwords)
			done <- result{out, err}
		}()
		// Let the import hash a few passwords, one slot at a time.
		for range 3 {
			h.sem.Release(1)
			require.NoError(t, h.sem.Acquire(context.Background(), 1))
		}
		synctest.Wait() // the import waits for the slot we hold
		cancel()
		r := <-done
		require.ErrorIs(t, r.err, context.Canceled)
		assert.Nil(t, r.out)
		assert.Equal(t, "auth: hash many: context canceled", r.err.Error())
		h.sem.Release(1)
	})
}

func TestDummy(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newTestHasher(t, cheap)
	require.NoError(t, h.Dummy(ctx, "anything"))
	require.NoError(t, h.Dummy(ctx, ""))
	first := h.dummy
	require.NoError(t, h.Dummy(ctx, "again"))
	assert.Equal(t, first, h.dummy, "made once per hasher")
	assert.False(t, h.NeedsRehash(h.dummy), "costs exactly what a current hash costs")

	other := newTestHasher(t, cheap)
	require.NoError(t, other.Dummy(ctx, "x"))
	assert.NotEqual(t, h.dummy, other.dummy, "random per hasher")

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	err := h.Dummy(cancelled, "x")
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, "auth: dummy: context canceled", err.Error())
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newTestHasher(t, HashConfig{Memory: 64, Time: 1, Concurrency: 2})
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 32 {
		wg.Go(func() {
			pw := fmt.Sprint("user", i)
			enc, err := h.Hash(ctx, pw)
			if err != nil {
				errs <- err
				return
			}
			ok, _, err := h.Verify(ctx, enc, pw)
			if err == nil && !ok {
				err = errors.New("own hash did not verify")
			}
			if err == nil {
				err = h.Dummy(ctx, pw)
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
