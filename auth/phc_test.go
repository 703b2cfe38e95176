package auth

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	refSaltKey = "c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
	refBcrypt  = "XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga"
	refScrypt  = "aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E"
	refPasslib = "0ZrzXitFSGltTQnBWOsdAw$Y11AchqV4b0sUisdZd0Xr97KWoymNE0LNNrnEgY4H9M"
	refDjango  = "FQCNpiZpTb0zub+HBsH6TOwyRxJ19FwvjbweatNmK/Y="
)

// malformedHashes must each fail with ErrHashFormat.
var malformedHashes = []struct{ name, encoded string }{
	{"empty", ""},
	{"plaintext", "correct horse battery staple"},
	{"dollars only", "$$$$"},
	{"scheme only", "$argon2id"},
	{"scheme and dollar", "$argon2id$"},
	{"argon2d", "$argon2d$v=19$m=65536,t=2,p=1$" + refSaltKey},
	{"argon2 without version", "$argon2id$m=65536,t=2,p=1$" + refSaltKey},
	{"argon2 version 16", "$argon2id$v=16$m=65536,t=2,p=1$" + refSaltKey},
	{"argon2 version leading zero", "$argon2id$v=019$m=65536,t=2,p=1$" + refSaltKey},
	{"argon2 empty version", "$argon2id$v=$m=65536,t=2,p=1$" + refSaltKey},
	{"argon2 leading zero", "$argon2id$v=19$m=065536,t=2,p=1$" + refSaltKey},
	{"argon2 parameters out of order", "$argon2id$v=19$t=2,m=65536,p=1$" + refSaltKey},
	{"argon2 missing p", "$argon2id$v=19$m=65536,t=2$" + refSaltKey},
	{"argon2 duplicate m", "$argon2id$v=19$m=65536,m=65536,p=1$" + refSaltKey},
	{"argon2 keyid", "$argon2id$v=19$m=65536,t=2,p=1,keyid=abc$" + refSaltKey},
	{"argon2 data", "$argon2id$v=19$m=65536,t=2,p=1,data=abc$" + refSaltKey},
	{"argon2 negative", "$argon2id$v=19$m=-1,t=2,p=1$" + refSaltKey},
	{"argon2 plus sign", "$argon2id$v=19$m=+65536,t=2,p=1$" + refSaltKey},
	{"argon2 space", "$argon2id$v=19$m= 65536,t=2,p=1$" + refSaltKey},
	{"argon2 t=0", "$argon2id$v=19$m=65536,t=0,p=1$" + refSaltKey},
	{"argon2 p=0", "$argon2id$v=19$m=65536,t=2,p=0$" + refSaltKey},
	{"argon2 m below 8", "$argon2id$v=19$m=7,t=2,p=1$" + refSaltKey},
	{"argon2 m below 8 per lane", "$argon2id$v=19$m=15,t=2,p=2$" + refSaltKey},
	{"argon2 padded salt", "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ=$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"argon2 bad salt char", "$argon2id$v=19$m=65536,t=2,p=1$c29t!XNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"argon2 short salt", "$argon2id$v=19$m=65536,t=2,p=1$c29tZQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"argon2 short key", "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMa"},
	{"argon2 url alphabet", "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRP-_"},
	{"argon2 missing key", "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ"},
	{"argon2 trailing dollar", "$argon2id$v=19$m=65536,t=2,p=1$" + refSaltKey + "$"},
	{"argon2 too long", "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$" + strings.Repeat("A", 2000)},
	{"argon2 invalid utf-8", "$argon2id$v=19$m=65536,t=2,p=1$\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"django argon2 without version", "argon2$argon2id$m=65536,t=2,p=1$" + refSaltKey},
	{"bcrypt 59 characters", "$2a$10$" + refBcrypt[:52]},
	{"bcrypt 61 characters", "$2a$10$" + refBcrypt + "a"},
	{"bcrypt 2x", "$2x$10$" + refBcrypt},
	{"bcrypt 2 without minor", "$2$10$" + refBcrypt + "a"},
	{"bcrypt 3", "$3a$10$" + refBcrypt},
	{"bcrypt cost letter", "$2a$1a$" + refBcrypt},
	{"bcrypt cost 3", "$2a$03$" + refBcrypt},
	{"bcrypt one-digit cost", "$2a$4$" + refBcrypt + "a"},
	{"bcrypt bad character", "$2a$10$" + refBcrypt[:20] + "!" + refBcrypt[21:]},
	{"bcrypt NUL", "$2a$10$" + refBcrypt[:20] + "\x00" + refBcrypt[21:]},
	{"bcrypt missing dollar", "$2a$10" + refBcrypt + "a"},
	{"django bcrypt one dollar", "bcrypt$2b$10$" + refBcrypt},
	{"scrypt ln=0", "$scrypt$ln=0,r=8,p=1$" + refScrypt},
	{"scrypt r=0", "$scrypt$ln=16,r=0,p=1$" + refScrypt},
	{"scrypt p=0", "$scrypt$ln=16,r=8,p=0$" + refScrypt},
	{"scrypt missing p", "$scrypt$ln=16,r=8$" + refScrypt},
	{"scrypt extra parameter", "$scrypt$ln=16,r=8,p=1,x=1$" + refScrypt},
	{"scrypt N instead of ln", "$scrypt$N=65536,r=8,p=1$" + refScrypt},
	{"scrypt missing hash", "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q"},
	{"scrypt short hash", "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVK"},
	{"scrypt bad hash", "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD.iCs5E"},
	{"scrypt colin percival's $7$", "$7$C6..../....SodiumChloride$kBGj9fHznVYFQMEn/qDCfrDevf9YDtcDdKvEqHJLV8D"},
	{"passlib rounds 0", "$pbkdf2-sha256$0$" + refPasslib},
	{"passlib rounds leading zero", "$pbkdf2-sha256$06400$" + refPasslib},
	{"passlib rounds missing", "$pbkdf2-sha256$$" + refPasslib},
	{"passlib plus in salt", "$pbkdf2-sha256$6400$0Zrz+itFSGltTQnBWOsdAw$Y11AchqV4b0sUisdZd0Xr97KWoymNE0LNNrnEgY4H9M"},
	{"passlib padded checksum", "$pbkdf2-sha256$6400$" + refPasslib + "="},
	{"passlib sha512 checksum on sha256", "$pbkdf2-sha256$1212$RHY0Fr3IDMSVO/RSZyb5ow$eNLfBK.eVozomMr.1gYa17k9B7KIK25NOEshvhrSX.esqY3s.FvWZViXz4KoLlQI.BzY/YTNJOiKc5gBYFYGww"},
	{"passlib sha256 checksum on sha512", "$pbkdf2-sha512$6400$" + refPasslib},
	{"passlib missing checksum", "$pbkdf2-sha256$6400$0ZrzXitFSGltTQnBWOsdAw"},
	{"passlib sha1", "$pbkdf2$6400$" + refPasslib},
	{"django empty salt", "pbkdf2_sha256$10000$$" + refDjango},
	{"django unpadded hash", "pbkdf2_sha256$10000$seasalt$" + strings.TrimSuffix(refDjango, "=")},
	{"django iterations not a number", "pbkdf2_sha256$ten$seasalt$" + refDjango},
	{"django iterations 0", "pbkdf2_sha256$0$seasalt$" + refDjango},
	{"django missing hash", "pbkdf2_sha256$10000$seasalt"},
	{"django sha1", "pbkdf2_sha1$10000$wz5B6WkasRoF$atJmJ1o+XfJxKq1+Nu1f1i57Z5I="},
	{"django md5", "md5$seasalt$f5531bef9f3687d0ccf0f617f0e25573"},
	{"django unusable password", "!Aq5PvM6tAzM8Fp3nq9Hz8eFqYmwqrdLNk2xJqdHE"},
}

func TestParseHashMalformed(t *testing.T) {
	t.Parallel()
	for _, tt := range malformedHashes {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseHash(tt.encoded)
			require.ErrorIs(t, err, ErrHashFormat)
			assert.True(t, strings.HasPrefix(err.Error(), "malformed password hash: "), err.Error())
		})
	}
}

func TestParseHash(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, encoded string
		want          parsedHash
	}{
		{
			"argon2id", "$argon2id$v=19$m=65536,t=2,p=1$" + refSaltKey,
			parsedHash{scheme: schemeArgon2id, m: 65536, t: 2, p: 1},
		},
		{
			"argon2i", "$argon2i$v=19$m=512,t=2,p=2$aI2R0hpDyLm3ltLa+1/rvQ$LqPKjd6n8yniKtAithoR7A",
			parsedHash{scheme: schemeArgon2i, m: 512, t: 2, p: 2},
		},
		{
			"django argon2", "argon2$argon2id$v=19$m=102400,t=2,p=8$" + refSaltKey,
			parsedHash{scheme: schemeArgon2id, m: 102400, t: 2, p: 8},
		},
		{
			"argon2 saturating m", "$argon2id$v=19$m=99999999999999999999999,t=2,p=1$" + refSaltKey,
			parsedHash{scheme: schemeArgon2id, m: math.MaxUint64, t: 2, p: 1},
		},
		{"bcrypt 2a", "$2a$10$" + refBcrypt, parsedHash{scheme: schemeBcrypt, t: 10}},
		{"bcrypt 2b", "$2b$04$" + refBcrypt, parsedHash{scheme: schemeBcrypt, t: 4}},
		{"bcrypt 2y", "$2y$31$" + refBcrypt, parsedHash{scheme: schemeBcrypt, t: 31}},
		{"django bcrypt", "bcrypt$$2b$12$" + refBcrypt, parsedHash{scheme: schemeBcrypt, t: 12}},
		{"scrypt", "$scrypt$ln=16,r=8,p=1$" + refScrypt, parsedHash{scheme: schemeScrypt, ln: 16, r: 8, p: 1}},
		{"passlib sha256", "$pbkdf2-sha256$6400$" + refPasslib, parsedHash{scheme: schemePBKDF2SHA256, t: 6400}},
		{"passlib empty salt", "$pbkdf2-sha256$1$$Y11AchqV4b0sUisdZd0Xr97KWoymNE0LNNrnEgY4H9M", parsedHash{scheme: schemePBKDF2SHA256, t: 1}},
		{"django", "pbkdf2_sha256$10000$seasalt$" + refDjango, parsedHash{scheme: schemePBKDF2SHA256, t: 10000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseHash(tt.encoded)
			require.NoError(t, err)
			assert.Equal(t, tt.want.scheme, got.scheme)
			assert.Equal(t, tt.want.m, got.m, "m")
			assert.Equal(t, tt.want.t, got.t, "t")
			assert.Equal(t, tt.want.p, got.p, "p")
			assert.Equal(t, tt.want.ln, got.ln, "ln")
			assert.Equal(t, tt.want.r, got.r, "r")
			if got.scheme == schemeBcrypt {
				assert.Equal(t, strings.TrimPrefix(tt.encoded, "bcrypt$"), got.bcrypt)
			} else {
				assert.NotEmpty(t, got.key)
			}
		})
	}

	p, err := parseHash("pbkdf2_sha256$10000$seasalt$" + refDjango)
	require.NoError(t, err)
	assert.Equal(t, []byte("seasalt"), p.salt, "django uses the salt's text")
	p, err = parseHash("$argon2id$v=19$m=65536,t=2,p=1$" + refSaltKey)
	require.NoError(t, err)
	assert.Equal(t, []byte("somesalt"), p.salt)
	assert.Len(t, p.key, 32)
}

func TestParseUint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true},
		{"7", 7, true},
		{"19456", 19456, true},
		{"18446744073709551615", math.MaxUint64, true},
		{"18446744073709551616", math.MaxUint64, true},
		{"99999999999999999999999999999999999999", math.MaxUint64, true},
		{"", 0, false},
		{"00", 0, false},
		{"01", 0, false},
		{"-1", 0, false},
		{"+1", 0, false},
		{"1e3", 0, false},
		{"1 ", 0, false},
		{"１", 0, false}, // fullwidth digit
	}
	for _, tt := range tests {
		got, ok := parseUint(tt.in)
		assert.Equal(t, tt.ok, ok, "%q", tt.in)
		assert.Equal(t, tt.want, got, "%q", tt.in)
	}
}

func TestSchemeString(t *testing.T) {
	t.Parallel()
	for s, want := range map[scheme]string{
		schemeArgon2id: "argon2id", schemeArgon2i: "argon2i", schemeBcrypt: "bcrypt",
		schemeScrypt: "scrypt", schemePBKDF2SHA256: "pbkdf2-sha256", schemePBKDF2SHA512: "pbkdf2-sha512", 0: "unknown",
	} {
		assert.Equal(t, want, s.String())
	}
}

// FuzzParseHash feeds arbitrary stored hashes to the parser and the
// limit check (never to the key derivation functions). Neither may
// panic; every refusal matches ErrHashFormat or ErrHashRefused; whatever
// passes both is within the default limits.
func FuzzParseHash(f *testing.F) {
	for _, v := range publishedVectors {
		f.Add(v.encoded)
	}
	for _, v := range hostileHashes {
		f.Add(v.encoded)
	}
	for _, v := range malformedHashes {
		f.Add(v.encoded)
	}
	var lim HashLimits
	if err := lim.setDefaults(); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, encoded string) {
		p, err := parseHash(encoded)
		if err != nil {
			if !errors.Is(err, ErrHashFormat) {
				t.Fatalf("parse error %v does not match ErrHashFormat", err)
			}
			return
		}
		if p.scheme == 0 {
			t.Fatal("parsed without a scheme")
		}
		if err := lim.check(&p); err != nil {
			if !errors.Is(err, ErrHashRefused) {
				t.Fatalf("limit error %v does not match ErrHashRefused", err)
			}
			return
		}
		if mem := p.memory(); mem > 256<<20 {
			t.Fatalf("%s accepted needing %d bytes", p.scheme, mem)
		}
		switch p.scheme {
		case schemeArgon2id, schemeArgon2i:
			if p.t < 1 || p.t > 10 || p.p < 1 || p.p > 16 || p.m < 8*p.p || len(p.salt) < minSaltLen || len(p.key) < minKeyLen {
				t.Fatalf("argon2 parameters m=%d t=%d p=%d accepted", p.m, p.t, p.p)
			}
		case schemeBcrypt:
			if p.t < 4 || p.t > 14 || len(p.bcrypt) != 60 {
				t.Fatalf("bcrypt cost %d accepted", p.t)
			}
		case schemeScrypt:
			if p.ln < 1 || p.ln > 20 || p.r < 1 || p.p < 1 || p.p > 16 || len(p.key) < minKeyLen {
				t.Fatalf("scrypt parameters ln=%d r=%d p=%d accepted", p.ln, p.r, p.p)
			}
		case schemePBKDF2SHA256, schemePBKDF2SHA512:
			if p.t < 1 || p.t > 2_000_000 || len(p.key) != p.scheme.digestSize() {
				t.Fatalf("pbkdf2 iterations %d accepted", p.t)
			}
		}
	})
}
