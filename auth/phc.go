package auth

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/scrypt"
)

// scheme names a stored-hash algorithm.
type scheme uint8

const (
	schemeArgon2id scheme = iota + 1
	schemeArgon2i
	schemeBcrypt
	schemeScrypt
	schemePBKDF2SHA256
	schemePBKDF2SHA512
)

func (s scheme) String() string {
	switch s {
	case schemeArgon2id:
		return "argon2id"
	case schemeArgon2i:
		return "argon2i"
	case schemeBcrypt:
		return "bcrypt"
	case schemeScrypt:
		return "scrypt"
	case schemePBKDF2SHA256:
		return "pbkdf2-sha256"
	case schemePBKDF2SHA512:
		return "pbkdf2-sha512"
	}
	return "unknown"
}

// parsedHash is a stored hash taken apart. Cost parameters are kept as
// parsed, saturating at math.MaxUint64, so that the limits, not an
// overflow, decide what an absurd value means.
type parsedHash struct {
	scheme scheme
	// argon2: m (KiB), t, p. scrypt: ln, r, p. pbkdf2: t is the
	// iteration count. bcrypt: t is the cost.
	m, t, p, ln, r uint64
	salt, key      []byte
	bcrypt         string // the whole bcrypt hash, for x/crypto/bcrypt
}

// formatError returns an error matching ErrHashFormat. why must never
// quote the hash.
func formatError(s scheme, why string) error {
	if s == 0 {
		return fmt.Errorf("%w: %s", ErrHashFormat, why)
	}
	return fmt.Errorf("%w: %s: %s", ErrHashFormat, s, why)
}

// parseHash recognises and takes apart every stored-hash format the
// hasher verifies. It checks syntax and the algorithms' own minimums, not
// the cost limits (see HashLimits.check). It allocates only in proportion
// to len(encoded), which is at most maxEncodedLen, and never panics.
func parseHash(encoded string) (parsedHash, error) {
	if encoded == "" {
		return parsedHash{}, formatError(0, "empty")
	}
	if len(encoded) > maxEncodedLen {
		return parsedHash{}, formatError(0, fmt.Sprintf("longer than %d bytes", maxEncodedLen))
	}
	switch s := encoded; {
	case strings.HasPrefix(s, "$argon2id$"):
		return parseArgon2(schemeArgon2id, s[len("$argon2id$"):])
	case strings.HasPrefix(s, "$argon2i$"):
		return parseArgon2(schemeArgon2i, s[len("$argon2i$"):])
	case strings.HasPrefix(s, "argon2$argon2id$"): // Django
		return parseArgon2(schemeArgon2id, s[len("argon2$argon2id$"):])
	case strings.HasPrefix(s, "argon2$argon2i$"): // Django
		return parseArgon2(schemeArgon2i, s[len("argon2$argon2i$"):])
	case strings.HasPrefix(s, "$2"):
		return parseBcrypt(s)
	case strings.HasPrefix(s, "bcrypt$$2"): // Django
		return parseBcrypt(s[len("bcrypt$"):])
	case strings.HasPrefix(s, "$scrypt$"):
		return parseScrypt(s[len("$scrypt$"):])
	case strings.HasPrefix(s, "$pbkdf2-sha256$"):
		return parsePasslibPBKDF2(schemePBKDF2SHA256, s[len("$pbkdf2-sha256$"):])
	case strings.HasPrefix(s, "$pbkdf2-sha512$"):
		return parsePasslibPBKDF2(schemePBKDF2SHA512, s[len("$pbkdf2-sha512$"):])
	case strings.HasPrefix(s, "pbkdf2_sha256$"):
		return parseDjangoPBKDF2(s[len("pbkdf2_sha256$"):])
	}
	return parsedHash{}, formatError(0, "unknown scheme")
}

// parseArgon2 parses what follows "$argon2id$" or "$argon2i$" in a PHC
// string: "v=19$m=<m>,t=<t>,p=<p>$<salt>$<key>", parameters in that
// order, decimals without leading zeros, standard base64 without padding.
// Only version 19 (0x13) is supported, as by golang.org/x/crypto/argon2;
// keyid and data parameters are refused.
func parseArgon2(s scheme, rest string) (parsedHash, error) {
	parts := strings.Split(rest, "$")
	if len(parts) == 3 && strings.HasPrefix(parts[0], "m=") {
		return parsedHash{}, formatError(s, "version 16 not supported")
	}
	if len(parts) != 4 {
		return parsedHash{}, formatError(s, "want v=, parameters, salt and hash")
	}
	v, ok := cutUint(parts[0], "v=")
	if !ok {
		return parsedHash{}, formatError(s, "bad version")
	}
	if v != argon2.Version {
		return parsedHash{}, formatError(s, "version "+strconv.FormatUint(v, 10)+" not supported")
	}
	fields := strings.Split(parts[1], ",")
	if len(fields) != 3 {
		return parsedHash{}, formatError(s, "want exactly m, t and p")
	}
	p := parsedHash{scheme: s}
	var okM, okT, okP bool
	p.m, okM = cutUint(fields[0], "m=")
	p.t, okT = cutUint(fields[1], "t=")
	p.p, okP = cutUint(fields[2], "p=")
	switch {
	case !okM || !okT || !okP:
		return parsedHash{}, formatError(s, "bad parameters")
	case p.t < 1:
		return parsedHash{}, formatError(s, "t below 1")
	case p.p < 1:
		return parsedHash{}, formatError(s, "p below 1")
	case p.m/8 < p.p: // m < 8p without overflow
		return parsedHash{}, formatError(s, "m below 8 KiB per lane")
	}
	var err error
	if p.salt, err = decodeB64(base64.RawStdEncoding, parts[2], minSaltLen); err != nil {
		return parsedHash{}, formatError(s, "salt: "+err.Error())
	}
	if p.key, err = decodeB64(base64.RawStdEncoding, parts[3], minKeyLen); err != nil {
		return parsedHash{}, formatError(s, "hash: "+err.Error())
	}
	return p, nil
}

// parseBcrypt parses "$2a$", "$2b$" or "$2y$", a two-digit cost, "$", and
// 53 characters of bcrypt's base64 (22 of salt, 31 of hash). The three
// prefixes compute the same hash for passwords under 256 bytes.
func parseBcrypt(s string) (parsedHash, error) {
	const n = len("$2b$10$") + 53
	if len(s) != n {
		return parsedHash{}, formatError(schemeBcrypt, "want 60 characters")
	}
	if s[0] != '$' || s[1] != '2' || (s[2] != 'a' && s[2] != 'b' && s[2] != 'y') || s[3] != '$' || s[6] != '$' {
		return parsedHash{}, formatError(schemeBcrypt, "want $2a$, $2b$ or $2y$ and a cost")
	}
	if !isDigit(s[4]) || !isDigit(s[5]) {
		return parsedHash{}, formatError(schemeBcrypt, "bad cost")
	}
	cost := uint64(s[4]-'0')*10 + uint64(s[5]-'0')
	if cost < uint64(bcrypt.MinCost) {
		return parsedHash{}, formatError(schemeBcrypt, "cost below 4")
	}
	for i := 7; i < n; i++ {
		if !isBcryptB64(s[i]) {
			return parsedHash{}, formatError(schemeBcrypt, "bad salt or hash encoding")
		}
	}
	return parsedHash{scheme: schemeBcrypt, t: cost, bcrypt: s}, nil
}

// parseScrypt parses what follows "$scrypt$" in passlib's form:
// "ln=<log2 N>,r=<r>,p=<p>$<salt>$<key>", standard base64 without
// padding.
func parseScrypt(rest string) (parsedHash, error) {
	const s = schemeScrypt
	parts := strings.Split(rest, "$")
	if len(parts) != 3 {
		return parsedHash{}, formatError(s, "want parameters, salt and hash")
	}
	fields := strings.Split(parts[0], ",")
	if len(fields) != 3 {
		return parsedHash{}, formatError(s, "want exactly ln, r and p")
	}
	p := parsedHash{scheme: s}
	var okL, okR, okP bool
	p.ln, okL = cutUint(fields[0], "ln=")
	p.r, okR = cutUint(fields[1], "r=")
	p.p, okP = cutUint(fields[2], "p=")
	switch {
	case !okL || !okR || !okP:
		return parsedHash{}, formatError(s, "bad parameters")
	case p.ln < 1:
		return parsedHash{}, formatError(s, "ln below 1")
	case p.r < 1:
		return parsedHash{}, formatError(s, "r below 1")
	case p.p < 1:
		return parsedHash{}, formatError(s, "p below 1")
	}
	var err error
	if p.salt, err = decodeB64(base64.RawStdEncoding, parts[1], 0); err != nil {
		return parsedHash{}, formatError(s, "salt: "+err.Error())
	}
	if p.key, err = decodeB64(base64.RawStdEncoding, parts[2], minKeyLen); err != nil {
		return parsedHash{}, formatError(s, "hash: "+err.Error())
	}
	return p, nil
}

// parsePasslibPBKDF2 parses what follows "$pbkdf2-sha256$" or
// "$pbkdf2-sha512$": "<rounds>$<salt>$<checksum>", salt and checksum in
// passlib's adapted base64 ('.' for '+', no padding), the checksum as
// long as the digest.
func parsePasslibPBKDF2(s scheme, rest string) (parsedHash, error) {
	parts := strings.Split(rest, "$")
	if len(parts) != 3 {
		return parsedHash{}, formatError(s, "want rounds, salt and hash")
	}
	p := parsedHash{scheme: s}
	var ok bool
	if p.t, ok = parseUint(parts[0]); !ok || p.t < 1 {
		return parsedHash{}, formatError(s, "bad rounds")
	}
	var err error
	if p.salt, err = decodeAB64(parts[1]); err != nil {
		return parsedHash{}, formatError(s, "salt: "+err.Error())
	}
	if p.key, err = decodeAB64(parts[2]); err != nil {
		return parsedHash{}, formatError(s, "hash: "+err.Error())
	}
	if len(p.key) != s.digestSize() {
		return parsedHash{}, formatError(s, "hash length is not the digest size")
	}
	return p, nil
}

// parseDjangoPBKDF2 parses what follows "pbkdf2_sha256$":
// "<iterations>$<salt>$<hash>", the salt used as its text, the hash in
// padded standard base64 and 32 bytes long.
func parseDjangoPBKDF2(rest string) (parsedHash, error) {
	const s = schemePBKDF2SHA256
	parts := strings.Split(rest, "$")
	if len(parts) != 3 {
		return parsedHash{}, formatError(s, "want iterations, salt and hash")
	}
	p := parsedHash{scheme: s}
	var ok bool
	if p.t, ok = parseUint(parts[0]); !ok || p.t < 1 {
		return parsedHash{}, formatError(s, "bad iterations")
	}
	if parts[1] == "" {
		return parsedHash{}, formatError(s, "empty salt")
	}
	p.salt = []byte(parts[1])
	var err error
	if p.key, err = decodeB64(base64.StdEncoding, parts[2], minKeyLen); err != nil {
		return parsedHash{}, formatError(s, "hash: "+err.Error())
	}
	if len(p.key) != s.digestSize() {
		return parsedHash{}, formatError(s, "hash length is not the digest size")
	}
	return p, nil
}

func (s scheme) digestSize() int {
	if s == schemePBKDF2SHA512 {
		return sha512.Size
	}
	return sha256.Size
}

// check refuses p with ErrHashRefused when a cost parameter exceeds l.
// It runs before anything is allocated for the hash itself.
func (l *HashLimits) check(p *parsedHash) error {
	refuse := func(what string, got, limit uint64) error {
		return fmt.Errorf("%w: %s %s %d over limit %d", ErrHashRefused, p.scheme, what, got, limit)
	}
	switch p.scheme {
	case schemeArgon2id, schemeArgon2i:
		if p.m > uint64(l.Argon2Memory) {
			return refuse("memory (KiB)", p.m, uint64(l.Argon2Memory))
		}
		if p.t > uint64(l.Argon2Time) {
			return refuse("time", p.t, uint64(l.Argon2Time))
		}
		if p.p > uint64(l.Argon2Threads) {
			return refuse("threads", p.p, uint64(l.Argon2Threads))
		}
	case schemeBcrypt:
		if p.t > uint64(l.BcryptCost) {
			return refuse("cost", p.t, uint64(l.BcryptCost))
		}
	case schemeScrypt:
		if p.ln >= 63 || uint64(1)<<p.ln > uint64(l.ScryptN) {
			return refuse("N (log2)", p.ln, uint64(log2Floor(uint64(l.ScryptN))))
		}
		if p.p > uint64(l.ScryptP) {
			return refuse("p", p.p, uint64(l.ScryptP))
		}
		if need := p.memory(); need > uint64(l.ScryptMemory) {
			return refuse("memory (bytes)", need, uint64(l.ScryptMemory))
		}
		if rp := saturatingMul(p.r, p.p); rp >= 1<<30 { // scrypt's own bound
			return refuse("r×p", rp, 1<<30-1)
		}
	case schemePBKDF2SHA256, schemePBKDF2SHA512:
		if p.t > uint64(l.PBKDF2Iterations) {
			return refuse("iterations", p.t, uint64(l.PBKDF2Iterations))
		}
	default:
		return formatError(0, "unknown scheme")
	}
	return nil
}

// memory is how many bytes verifying p allocates, roughly for argon2 and
// exactly for scrypt (its V array of N×r×128 bytes, its B array of
// p×r×128 and its scratch of 2×r×128). It saturates instead of
// overflowing; argon2's p and scrypt's ln and p must have been checked.
func (p *parsedHash) memory() uint64 {
	switch p.scheme {
	case schemeArgon2id, schemeArgon2i:
		return saturatingMul(p.m, 1024)
	case schemeScrypt:
		return saturatingMul(saturatingMul(128, p.r), (uint64(1)<<p.ln)+p.p+2)
	}
	return 0
}

// matches derives p's key from password and compares in constant time.
// Call it only after check.
func (p *parsedHash) matches(password string) (bool, error) {
	var key []byte
	switch p.scheme {
	case schemeArgon2id:
		key = argon2.IDKey([]byte(password), p.salt, uint32(p.t), uint32(p.m), uint8(p.p), uint32(len(p.key)))
	case schemeArgon2i:
		key = argon2.Key([]byte(password), p.salt, uint32(p.t), uint32(p.m), uint8(p.p), uint32(len(p.key)))
	case schemeBcrypt:
		err := bcrypt.CompareHashAndPassword([]byte(p.bcrypt), []byte(password))
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
			return false, nil
		}
		return false, formatError(schemeBcrypt, "rejected by bcrypt")
	case schemeScrypt:
		var err error
		key, err = scrypt.Key([]byte(password), p.salt, 1<<p.ln, int(p.r), int(p.p), len(p.key))
		if err != nil {
			return false, fmt.Errorf("%w: scrypt parameters rejected", ErrHashRefused)
		}
	case schemePBKDF2SHA256, schemePBKDF2SHA512:
		var err error
		if p.scheme == schemePBKDF2SHA512 {
			key, err = pbkdf2.Key(sha512.New, password, p.salt, int(p.t), len(p.key))
		} else {
			key, err = pbkdf2.Key(sha256.New, password, p.salt, int(p.t), len(p.key))
		}
		if err != nil {
			return false, fmt.Errorf("%w: pbkdf2 parameters rejected", ErrHashRefused)
		}
	default:
		return false, formatError(0, "unknown scheme")
	}
	return subtle.ConstantTimeCompare(key, p.key) == 1, nil
}

// encodeArgon2id returns the PHC string of an argon2id key.
func encodeArgon2id(m, t uint32, p uint8, salt, key []byte) string {
	var b strings.Builder
	b.Grow(len("$argon2id$v=19$m=,t=,p=$$") + 24 + base64.RawStdEncoding.EncodedLen(len(salt)) + base64.RawStdEncoding.EncodedLen(len(key)))
	b.WriteString("$argon2id$v=")
	b.WriteString(strconv.Itoa(argon2.Version))
	b.WriteString("$m=")
	b.WriteString(strconv.FormatUint(uint64(m), 10))
	b.WriteString(",t=")
	b.WriteString(strconv.FormatUint(uint64(t), 10))
	b.WriteString(",p=")
	b.WriteString(strconv.FormatUint(uint64(p), 10))
	b.WriteByte('$')
	b.WriteString(base64.RawStdEncoding.EncodeToString(salt))
	b.WriteByte('$')
	b.WriteString(base64.RawStdEncoding.EncodeToString(key))
	return b.String()
}

// cutUint parses "<name><decimal>".
func cutUint(s, name string) (uint64, bool) {
	rest, ok := strings.CutPrefix(s, name)
	if !ok {
		return 0, false
	}
	return parseUint(rest)
}

// parseUint parses a canonical decimal: digits only, no sign, no leading
// zero. Values beyond math.MaxUint64 saturate.
func parseUint(s string) (uint64, bool) {
	if s == "" || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		d := uint64(s[i] - '0')
		if n > (math.MaxUint64-d)/10 {
			n = math.MaxUint64
		} else {
			n = n*10 + d
		}
	}
	return n, true
}

var (
	errEncoding = errors.New("bad base64")
	errShort    = errors.New("too short")
)

// decodeB64 decodes s with enc and requires at least minLen bytes.
func decodeB64(enc *base64.Encoding, s string, minLen int) ([]byte, error) {
	b, err := enc.DecodeString(s)
	if err != nil {
		return nil, errEncoding
	}
	if len(b) < minLen {
		return nil, errShort
	}
	return b, nil
}

// decodeAB64 decodes passlib's adapted base64: the standard alphabet with
// '.' for '+', no padding.
func decodeAB64(s string) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '+' || c == '=' {
			return nil, errEncoding
		}
	}
	return decodeB64(base64.RawStdEncoding, strings.ReplaceAll(s, ".", "+"), 0)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isBcryptB64(c byte) bool {
	return c == '.' || c == '/' || isDigit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
}

func log2Floor(n uint64) int {
	l := -1
	for n > 0 {
		n >>= 1
		l++
	}
	return l
}

func saturatingMul(a, b uint64) uint64 {
	if a != 0 && b > math.MaxUint64/a {
		return math.MaxUint64
	}
	return a * b
}
