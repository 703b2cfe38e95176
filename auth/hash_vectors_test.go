package auth

import (
	"context"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/scrypt"
)

// publishedVectors are hashes printed by the algorithms' authors or by
// the libraries whose formats the hasher imports, copied verbatim.
var publishedVectors = []struct {
	name, source, password, encoded string
}{
	{
		name:     "argon2id reference",
		source:   "P-H-C/phc-winner-argon2 README and src/test.c",
		password: "password",
		encoded:  "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
	},
	{
		name:     "argon2id small two lanes",
		source:   "libar2 test.c, reproducing the reference implementation's vectors",
		password: "password",
		encoded:  "$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc",
	},
	{
		name:     "argon2i small two lanes",
		source:   "libar2 test.c, reproducing the reference implementation's vectors",
		password: "password",
		encoded:  "$argon2i$v=19$m=256,t=2,p=2$c29tZXNhbHQ$T/XOJ2mh1/TIpJHfCdQan76Q5esCFVoT5MAeIM1Oq2E",
	},
	{
		name:     "argon2i passlib",
		source:   "passlib documentation, passlib.hash.argon2",
		password: "password",
		encoded:  "$argon2i$v=19$m=512,t=2,p=2$aI2R0hpDyLm3ltLa+1/rvQ$LqPKjd6n8yniKtAithoR7A",
	},
	{
		name:     "bcrypt 2a",
		source:   "golang.org/x/crypto/bcrypt TestBcryptingIsCorrect",
		password: "allmine",
		encoded:  "$2a$10$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga",
	},
	{
		name:     "scrypt passlib ln=16",
		source:   "passlib documentation, passlib.hash.scrypt",
		password: "password",
		encoded:  "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E",
	},
	{
		name:     "scrypt passlib ln=8",
		source:   "passlib documentation, passlib.hash.scrypt",
		password: "password",
		encoded:  "$scrypt$ln=8,r=8,p=1$WKs1xljLudd6z9kbY0wpJQ$yCR4iDZYDKv+iEJj6yHY0lv/epnfB6f/w1EbXrsJOuQ",
	},
	{
		name:     "pbkdf2-sha256 passlib",
		source:   "passlib documentation, passlib.hash.pbkdf2_digest",
		password: "password",
		encoded:  "$pbkdf2-sha256$6400$0ZrzXitFSGltTQnBWOsdAw$Y11AchqV4b0sUisdZd0Xr97KWoymNE0LNNrnEgY4H9M",
	},
	{
		name:     "pbkdf2-sha256 passlib 10-byte salt",
		source:   "passlib documentation, passlib.hash.pbkdf2_digest",
		password: "password",
		encoded:  "$pbkdf2-sha256$8000$XAuBMIYQQogxRg$tRRlz8hYn63B9LYiCd6PRo6FMiunY9ozmMMI3srxeRE",
	},
	{
		name:     "pbkdf2-sha512 passlib",
		source:   "passlib test suite, pbkdf2_sha512_test.known_correct_hashes",
		password: "password",
		encoded:  "$pbkdf2-sha512$1212$RHY0Fr3IDMSVO/RSZyb5ow$eNLfBK.eVozomMr.1gYa17k9B7KIK25NOEshvhrSX.esqY3s.FvWZViXz4KoLlQI.BzY/YTNJOiKc5gBYFYGww",
	},
	{
		name:     "django pbkdf2_sha256 1.4",
		source:   "Django 1.4 django/contrib/auth/tests/hashers.py test_pbkdf2",
		password: "letmein",
		encoded:  "pbkdf2_sha256$10000$seasalt$FQCNpiZpTb0zub+HBsH6TOwyRxJ19FwvjbweatNmK/Y=",
	},
	{
		name:     "django pbkdf2_sha256 5.1",
		source:   "Django 5.1 tests/auth_tests/test_hashers.py test_pbkdf2",
		password: "lètmein",
		encoded:  "pbkdf2_sha256$870000$seasalt$wJSpLMQRQz0Dhj/pFpbyjMj71B2gUYp6HJS5AU+32Ac=",
	},
}

func TestVerifyPublishedVectors(t *testing.T) {
	t.Parallel()
	h := newTestHasher(t, HashConfig{})
	for _, v := range publishedVectors {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			ok, rehash, err := h.Verify(ctx, v.encoded, v.password)
			require.NoError(t, err, v.source)
			assert.True(t, ok, "right password must verify (%s)", v.source)
			assert.True(t, rehash, "imported hash must be rehashed")

			ok, rehash, err = h.Verify(ctx, v.encoded, v.password+"x")
			require.NoError(t, err)
			assert.False(t, ok, "wrong password must not verify")
			assert.False(t, rehash, "no rehash without a match")
		})
	}
}

// importedVector is a hash made in the test with the primitive itself,
// encoded by the test's own code in the exporting system's format.
type importedVector struct {
	name, encoded string
}

const importedPassword = "Tr0ub4dor&3 ünïcode"

func testSalt(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*37 + 11)
	}
	return b
}

func phcB64(b []byte) string { return base64.RawStdEncoding.EncodeToString(b) }

func passlibAB64(b []byte) string {
	return strings.ReplaceAll(base64.RawStdEncoding.EncodeToString(b), "+", ".")
}

func importedVectors(t testing.TB) []importedVector {
	t.Helper()
	pw := []byte(importedPassword)
	salt := testSalt(16)
	var out []importedVector
	add := func(name, enc string) { out = append(out, importedVector{name, enc}) }

	add("argon2id other parameters", fmt.Sprintf("$argon2id$v=19$m=64,t=3,p=2$%s$%s",
		phcB64(salt), phcB64(argon2.IDKey(pw, salt, 3, 64, 2, 32))))
	add("argon2id default cost but 16-byte key", fmt.Sprintf("$argon2id$v=19$m=19456,t=2,p=1$%s$%s",
		phcB64(salt), phcB64(argon2.IDKey(pw, salt, 2, 19456, 1, 16))))
	add("argon2i", fmt.Sprintf("$argon2i$v=19$m=128,t=2,p=1$%s$%s",
		phcB64(salt), phcB64(argon2.Key(pw, salt, 2, 128, 1, 32))))
	argonDjango := fmt.Sprintf("$argon2id$v=19$m=102,t=2,p=8$%s$%s",
		phcB64(salt), phcB64(argon2.IDKey(pw, salt, 2, 102, 8, 32)))
	add("django argon2", "argon2"+argonDjango)

	bc, err := bcrypt.GenerateFromPassword(pw, bcrypt.MinCost)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(bc), "$2a$"))
	add("bcrypt 2a", string(bc))
	add("bcrypt 2b", "$2b$"+string(bc[4:]))
	add("bcrypt 2y", "$2y$"+string(bc[4:]))
	add("django bcrypt", "bcrypt$$2b$"+string(bc[4:]))

	sk, err := scrypt.Key(pw, salt, 1<<10, 8, 2, 32)
	require.NoError(t, err)
	add("scrypt", fmt.Sprintf("$scrypt$ln=10,r=8,p=2$%s$%s", phcB64(salt), phcB64(sk)))

	k256, err := pbkdf2.Key(sha256.New, importedPassword, salt, 1000, 32)
	require.NoError(t, err)
	add("pbkdf2-sha256 passlib", fmt.Sprintf("$pbkdf2-sha256$1000$%s$%s", passlibAB64(salt), passlibAB64(k256)))
	k512, err := pbkdf2.Key(sha512.New, importedPassword, salt, 1000, 64)
	require.NoError(t, err)
	add("pbkdf2-sha512 passlib", fmt.Sprintf("$pbkdf2-sha512$1000$%s$%s", passlibAB64(salt), passlibAB64(k512)))
	kdj, err := pbkdf2.Key(sha256.New, importedPassword, []byte("Qw9xZl3rT7pYbN2c"), 1200, 32)
	require.NoError(t, err)
	add("django pbkdf2_sha256", "pbkdf2_sha256$1200$Qw9xZl3rT7pYbN2c$"+base64.StdEncoding.EncodeToString(kdj))
	return out
}

func TestVerifyImportedFormats(t *testing.T) {
	t.Parallel()
	h := newTestHasher(t, HashConfig{})
	for _, v := range importedVectors(t) {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			require.NoError(t, h.Check(v.encoded))
			assert.True(t, h.NeedsRehash(v.encoded))

			ok, rehash, err := h.Verify(ctx, v.encoded, importedPassword)
			require.NoError(t, err)
			assert.True(t, ok, "right password")
			assert.True(t, rehash, "imported hash is not argon2id at the current parameters")

			for _, wrong := range []string{"", "tr0ub4dor&3 ünïcode", importedPassword + " ", importedPassword[:len(importedPassword)-1]} {
				ok, rehash, err := h.Verify(ctx, v.encoded, wrong)
				require.NoError(t, err)
				assert.False(t, ok, "wrong password %q", wrong)
				assert.False(t, rehash)
			}
		})
	}
}

// TestVerifyUpgradesImported is the login flow of P3: an imported hash
// verifies, asks for a rehash, and the fresh hash verifies without one.
func TestVerifyUpgradesImported(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newTestHasher(t, HashConfig{})
	type account struct{ password, stored string }
	accounts := map[string]*account{}
	for _, v := range importedVectors(t) {
		accounts["imported "+v.name] = &account{importedPassword, v.encoded}
	}
	for _, v := range publishedVectors[:2] {
		accounts["published "+v.name] = &account{v.password, v.encoded}
	}
	for name, a := range accounts {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ok, rehash, err := h.Verify(ctx, a.stored, a.password)
			require.NoError(t, err)
			require.True(t, ok)
			require.True(t, rehash)
			fresh, err := h.Hash(ctx, a.password)
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(fresh, "$argon2id$v=19$m=19456,t=2,p=1$"), fresh)

			ok, rehash, err = h.Verify(ctx, fresh, a.password)
			require.NoError(t, err)
			assert.True(t, ok)
			assert.False(t, rehash, "upgraded hash is current")
		})
	}
}
