package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"
)

// PasswordHasher is the port the login, reset and import code depend on.
// *Hasher implements it; tests plug in a fixed-cost fake.
type PasswordHasher interface {
	// Hash returns an encoded hash of password to store.
	Hash(ctx context.Context, password string) (string, error)
	// Verify reports whether password matches encoded, and whether encoded
	// should be replaced by a fresh Hash (old algorithm or parameters).
	Verify(ctx context.Context, encoded, password string) (ok, rehash bool, err error)
}

// Errors returned by the hasher. Match them with errors.Is; the returned
// errors wrap them with details that never include a password, a salt or
// a hash.
var (
	// ErrHashFormat: the stored hash is malformed, or uses a scheme or
	// variant the hasher does not verify.
	ErrHashFormat = errors.New("malformed password hash")
	// ErrHashRefused: the stored hash asks for more memory or work than
	// the hasher's limits allow; nothing was computed.
	ErrHashRefused = errors.New("password hash refused")
	// ErrPasswordTooLong: the password is longer than
	// HashConfig.MaxPasswordBytes; nothing was computed.
	ErrPasswordTooLong = errors.New("password too long")
)

// Default parameters: argon2id at the OWASP Password Storage Cheat Sheet's
// settings (m=19456 KiB, t=2, p=1), a 16-byte salt and a 32-byte key.
const (
	DefaultMemory           = 19456 // KiB
	DefaultTime             = 2
	DefaultThreads          = 1
	DefaultSaltLen          = 16
	DefaultKeyLen           = 32
	DefaultMaxPasswordBytes = 1024
)

// Bounds on the shape of hashes the hasher makes and accepts.
const (
	minSaltLen    = 8    // argon2's minimum salt
	minKeyLen     = 16   // shorter tags would match wrong passwords too often
	maxSaltLen    = 512  // also bounded by maxEncodedLen
	maxKeyLen     = 512  // also bounded by maxEncodedLen
	maxEncodedLen = 1024 // longest stored hash parsed at all
)

// HashConfig configures a Hasher. The zero value is ready to use:
// argon2id at m=19456 KiB, t=2, p=1, one hash per CPU at a time, and the
// default HashLimits.
type HashConfig struct {
	// Memory is argon2id's memory cost in KiB for new hashes. Zero means
	// DefaultMemory (19456 KiB, 19 MiB).
	Memory uint32
	// Time is argon2id's number of passes. Zero means DefaultTime (2).
	Time uint32
	// Threads is argon2id's degree of parallelism. Zero means
	// DefaultThreads (1).
	Threads uint8
	// SaltLen is the salt length in bytes, 8–512. Zero means
	// DefaultSaltLen (16).
	SaltLen int
	// KeyLen is the derived key length in bytes, 16–512. Zero means
	// DefaultKeyLen (32).
	KeyLen int
	// Concurrency bounds how many hashes are computed at once across
	// Hash, Verify, HashMany and Dummy, so that a flood of logins cannot
	// exhaust memory: live hashing memory stays near Concurrency × Memory.
	// An imported hash needing more memory than Memory takes as many
	// slots as it needs (at most all of them). Waiting for a slot honours
	// the context. Zero means runtime.NumCPU().
	Concurrency int
	// MaxPasswordBytes refuses longer passwords before any hashing with
	// ErrPasswordTooLong. It is the hasher's own guard against denial of
	// service; the password policy (8–20 or 8–64 characters) is enforced
	// by validation before the hasher is called. Zero means
	// DefaultMaxPasswordBytes (1024).
	MaxPasswordBytes int
	// Limits caps the cost of imported hashes. Zero fields take their
	// defaults.
	Limits HashLimits
}

// HashLimits caps the parameters of stored hashes the hasher agrees to
// verify, so that a hostile or corrupt hash cannot exhaust memory or CPU.
// A hash over a limit fails with ErrHashRefused before anything is
// allocated or computed. Zero fields take the defaults shown.
type HashLimits struct {
	// Argon2Memory is the largest argon2 m, in KiB. Default 262144
	// (256 MiB).
	Argon2Memory uint32
	// Argon2Time is the largest argon2 t. Default 10.
	Argon2Time uint32
	// Argon2Threads is the largest argon2 p. Default 16.
	Argon2Threads uint8
	// BcryptCost is the largest bcrypt cost, at most 31. Default 14.
	BcryptCost int
	// ScryptN is the largest scrypt N (2^ln). Default 1<<20.
	ScryptN int
	// ScryptMemory is the most memory, in bytes, a scrypt hash may
	// need: (N + p + 2) × r × 128, its whole allocation, not only the
	// N × r × 128 of its main array (a large p with a small N would
	// otherwise allocate p × r × 128 unchecked). Default 256 MiB.
	ScryptMemory int
	// ScryptP is the largest scrypt p. Default 16.
	ScryptP int
	// PBKDF2Iterations is the largest PBKDF2 iteration count. Default
	// 2,000,000.
	PBKDF2Iterations int
}

// Default limits for imported hashes.
const (
	DefaultLimitArgon2Memory     = 256 << 10 // KiB
	DefaultLimitArgon2Time       = 10
	DefaultLimitArgon2Threads    = 16
	DefaultLimitBcryptCost       = 14
	DefaultLimitScryptN          = 1 << 20
	DefaultLimitScryptMemory     = 256 << 20 // bytes
	DefaultLimitScryptP          = 16
	DefaultLimitPBKDF2Iterations = 2_000_000
)

// maxBcryptCost is the largest cost bcrypt defines.
const maxBcryptCost = 31

// Hasher hashes passwords with argon2id and verifies argon2id, argon2i,
// bcrypt, scrypt and PBKDF2 hashes, bounded in concurrency and cost. It
// is safe for concurrent use; share one per process so that its bound
// holds process-wide.
//
// Stored hashes it verifies:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>      PHC string (also $argon2i$)
//	$2a$10$<22-char salt><31-char hash>              bcrypt ($2a$, $2b$, $2y$)
//	$scrypt$ln=16,r=8,p=1$<salt>$<key>               passlib's scrypt
//	$pbkdf2-sha256$29000$<salt>$<key>                passlib's PBKDF2 (also -sha512)
//	pbkdf2_sha256$870000$<salt>$<key>                Django's PBKDF2
//	argon2$argon2id$v=19$..., bcrypt$$2b$...         Django's argon2 and bcrypt
//
// PHC and passlib's scrypt use standard base64 without padding; passlib's
// PBKDF2 uses its "adapted" base64 ('.' for '+', no padding); Django uses
// the salt's text as bytes and padded standard base64 for the key.
type Hasher struct {
	cfg  HashConfig
	sem  *semaphore.Weighted
	unit uint64 // bytes one hash at the current parameters uses

	dummyOnce sync.Once
	dummy     string
}

var _ PasswordHasher = (*Hasher)(nil)

// NewHasher validates cfg, fills in its defaults and returns a Hasher.
func NewHasher(cfg HashConfig) (*Hasher, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, fmt.Errorf("auth: new hasher: %w", err)
	}
	return &Hasher{
		cfg:  cfg,
		sem:  semaphore.NewWeighted(int64(cfg.Concurrency)),
		unit: uint64(cfg.Memory) * 1024,
	}, nil
}

func (c *HashConfig) setDefaults() error {
	if c.Memory == 0 {
		c.Memory = DefaultMemory
	}
	if c.Time == 0 {
		c.Time = DefaultTime
	}
	if c.Threads == 0 {
		c.Threads = DefaultThreads
	}
	if c.SaltLen == 0 {
		c.SaltLen = DefaultSaltLen
	}
	if c.KeyLen == 0 {
		c.KeyLen = DefaultKeyLen
	}
	if c.Concurrency == 0 {
		c.Concurrency = runtime.NumCPU()
	}
	if c.MaxPasswordBytes == 0 {
		c.MaxPasswordBytes = DefaultMaxPasswordBytes
	}
	if err := c.Limits.setDefaults(); err != nil {
		return err
	}
	switch {
	case c.Memory < 8*uint32(c.Threads):
		return fmt.Errorf("memory %d KiB is below argon2's minimum of 8 KiB per thread (%d KiB)", c.Memory, 8*uint32(c.Threads))
	case c.SaltLen < minSaltLen || c.SaltLen > maxSaltLen:
		return fmt.Errorf("salt length %d out of range %d–%d bytes", c.SaltLen, minSaltLen, maxSaltLen)
	case c.KeyLen < minKeyLen || c.KeyLen > maxKeyLen:
		return fmt.Errorf("key length %d out of range %d–%d bytes", c.KeyLen, minKeyLen, maxKeyLen)
	case c.Concurrency < 0:
		return fmt.Errorf("concurrency %d is negative (use 0 for one per CPU)", c.Concurrency)
	case c.MaxPasswordBytes < 0:
		return fmt.Errorf("max password bytes %d is negative (use 0 for %d)", c.MaxPasswordBytes, DefaultMaxPasswordBytes)
	case c.Memory > c.Limits.Argon2Memory:
		return fmt.Errorf("memory %d KiB exceeds Limits.Argon2Memory %d KiB (raise the limit, or the hasher would refuse its own hashes)", c.Memory, c.Limits.Argon2Memory)
	case c.Time > c.Limits.Argon2Time:
		return fmt.Errorf("time %d exceeds Limits.Argon2Time %d (raise the limit, or the hasher would refuse its own hashes)", c.Time, c.Limits.Argon2Time)
	case c.Threads > c.Limits.Argon2Threads:
		return fmt.Errorf("threads %d exceed Limits.Argon2Threads %d (raise the limit, or the hasher would refuse its own hashes)", c.Threads, c.Limits.Argon2Threads)
	}
	return nil
}

func (l *HashLimits) setDefaults() error {
	if l.Argon2Memory == 0 {
		l.Argon2Memory = DefaultLimitArgon2Memory
	}
	if l.Argon2Time == 0 {
		l.Argon2Time = DefaultLimitArgon2Time
	}
	if l.Argon2Threads == 0 {
		l.Argon2Threads = DefaultLimitArgon2Threads
	}
	if l.BcryptCost == 0 {
		l.BcryptCost = DefaultLimitBcryptCost
	}
	if l.ScryptN == 0 {
		l.ScryptN = DefaultLimitScryptN
	}
	if l.ScryptMemory == 0 {
		l.ScryptMemory = DefaultLimitScryptMemory
	}
	if l.ScryptP == 0 {
		l.ScryptP = DefaultLimitScryptP
	}
	if l.PBKDF2Iterations == 0 {
		l.PBKDF2Iterations = DefaultLimitPBKDF2Iterations
	}
	switch {
	case l.BcryptCost < 4 || l.BcryptCost > maxBcryptCost:
		return fmt.Errorf("Limits.BcryptCost %d out of range 4–%d", l.BcryptCost, maxBcryptCost)
	case l.ScryptN < 2:
		return fmt.Errorf("Limits.ScryptN %d is below scrypt's minimum of 2", l.ScryptN)
	case l.ScryptMemory < 0:
		return fmt.Errorf("Limits.ScryptMemory %d is negative", l.ScryptMemory)
	case l.ScryptP < 0:
		return fmt.Errorf("Limits.ScryptP %d is negative", l.ScryptP)
	case l.PBKDF2Iterations < 0:
		return fmt.Errorf("Limits.PBKDF2Iterations %d is negative", l.PBKDF2Iterations)
	}
	return nil
}

// Config returns the effective configuration, defaults filled in.
func (h *Hasher) Config() HashConfig { return h.cfg }

// Hash returns the argon2id PHC string of password at the configured
// parameters, with a fresh salt from crypto/rand. It waits for a hashing
// slot, giving up with ctx's error if ctx ends first. A password longer
// than MaxPasswordBytes is refused with ErrPasswordTooLong before any
// work.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.checkLen(password); err != nil {
		return "", fmt.Errorf("auth: hash: %w", err)
	}
	s, err := h.hash(ctx, password)
	if err != nil {
		return "", fmt.Errorf("auth: hash: %w", err)
	}
	return s, nil
}

// hash hashes one password whose length has been checked.
func (h *Hasher) hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, h.cfg.SaltLen)
	_, _ = rand.Read(salt) // never fails: crypto/rand crashes the program instead
	if err := h.acquire(ctx, 1); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, h.cfg.Time, h.cfg.Memory, h.cfg.Threads, uint32(h.cfg.KeyLen))
	h.sem.Release(1)
	return encodeArgon2id(h.cfg.Memory, h.cfg.Time, h.cfg.Threads, salt, key), nil
}

// Verify reports whether password matches the stored hash encoded, and
// whether encoded should be replaced by a fresh Hash of password: rehash
// is true only when ok is true and encoded is not argon2id at exactly the
// configured parameters (imported bcrypt, scrypt, PBKDF2 or argon2i, or
// older argon2id settings).
//
// The order of the checks is part of the contract: a password longer than
// MaxPasswordBytes fails with ErrPasswordTooLong, then a malformed or
// unknown encoded fails with ErrHashFormat, then one over the limits fails
// with ErrHashRefused, all before any hashing and without taking a slot.
// Only then does Verify wait for a hashing slot (giving up with ctx's
// error) and compare in constant time. A wrong password is ok == false
// with a nil error.
//
// Login should answer every error like a wrong password, and spend the
// time of one (see Dummy) when Verify failed before hashing, so that a
// corrupt stored hash does not stand out by its speed. bcrypt reads only
// the first 72 bytes of a password, as everywhere; the rehash after a
// successful login removes that limit. Passwords are hashed as the bytes
// given: normalise them (NFC) the same way before Hash and Verify.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) (ok, rehash bool, err error) {
	ok, rehash, err = h.verify(ctx, encoded, password)
	if err != nil {
		return false, false, fmt.Errorf("auth: verify: %w", err)
	}
	return ok, rehash, nil
}

func (h *Hasher) verify(ctx context.Context, encoded, password string) (ok, rehash bool, err error) {
	if err := h.checkLen(password); err != nil {
		return false, false, err
	}
	p, err := h.parse(encoded)
	if err != nil {
		return false, false, err
	}
	w := h.weight(&p)
	if err := h.acquire(ctx, w); err != nil {
		return false, false, err
	}
	ok, err = p.matches(password)
	h.sem.Release(w)
	if err != nil || !ok {
		return false, false, err
	}
	return true, !h.current(&p), nil
}

// Check reports whether Verify can check encoded: nil, or an error
// matching ErrHashFormat or ErrHashRefused. It computes nothing, so the
// importer can vet pre-hashed passwords row by row before committing them.
func (h *Hasher) Check(encoded string) error {
	if _, err := h.parse(encoded); err != nil {
		return fmt.Errorf("auth: check: %w", err)
	}
	return nil
}

// NeedsRehash reports whether encoded, if it verifies, would be replaced
// by a fresh hash: it is not argon2id at the configured parameters. A
// hash Check refuses needs rehashing too.
func (h *Hasher) NeedsRehash(encoded string) bool {
	p, err := h.parse(encoded)
	return err != nil || !h.current(&p)
}

// HashMany hashes passwords in parallel on every slot the concurrency
// bound permits, sharing the bound with concurrent logins, and returns
// the hashes in the same order. Every length is checked before any
// hashing: the first password over MaxPasswordBytes fails the call with
// ErrPasswordTooLong, naming its index. When ctx ends, HashMany stops
// starting hashes, waits for those under way and returns ctx's error and
// no hashes.
func (h *Hasher) HashMany(ctx context.Context, passwords []string) ([]string, error) {
	for i, pw := range passwords {
		if err := h.checkLen(pw); err != nil {
			return nil, fmt.Errorf("auth: hash many: password %d: %w", i, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("auth: hash many: %w", err)
	}
	out := make([]string, len(passwords))
	workers := min(h.cfg.Concurrency, len(passwords))
	g, gctx := errgroup.WithContext(ctx)
	var next atomic.Int64
	for range workers {
		g.Go(func() error {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(passwords) {
					return nil
				}
				s, err := h.hash(gctx, passwords[i])
				if err != nil {
					return err
				}
				out[i] = s
			}
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("auth: hash many: %w", err)
	}
	return out, nil
}

// Dummy spends exactly one verification's cost at the configured
// parameters on password and discards the result, so that login answers
// an unknown user, or a user without a password, in the time a wrong
// password takes. It verifies against a hash no password matches (a
// random key under a random salt, made once per Hasher), takes a slot
// like Verify, and fails only as Verify does: ErrPasswordTooLong or
// ctx's error.
func (h *Hasher) Dummy(ctx context.Context, password string) error {
	h.dummyOnce.Do(func() {
		salt := make([]byte, h.cfg.SaltLen)
		key := make([]byte, h.cfg.KeyLen)
		_, _ = rand.Read(salt) // never fails: crypto/rand crashes the program instead
		_, _ = rand.Read(key)
		h.dummy = encodeArgon2id(h.cfg.Memory, h.cfg.Time, h.cfg.Threads, salt, key)
	})
	if _, _, err := h.verify(ctx, h.dummy, password); err != nil {
		return fmt.Errorf("auth: dummy: %w", err)
	}
	return nil
}

func (h *Hasher) checkLen(password string) error {
	if len(password) > h.cfg.MaxPasswordBytes {
		return fmt.Errorf("%w (limit %d bytes)", ErrPasswordTooLong, h.cfg.MaxPasswordBytes)
	}
	return nil
}

// parse parses encoded and applies the limits.
func (h *Hasher) parse(encoded string) (parsedHash, error) {
	p, err := parseHash(encoded)
	if err != nil {
		return parsedHash{}, err
	}
	if err := h.cfg.Limits.check(&p); err != nil {
		return parsedHash{}, err
	}
	return p, nil
}

// acquire waits for w hashing slots. It fails at once if ctx has ended,
// even when slots are free.
func (h *Hasher) acquire(ctx context.Context, w int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return h.sem.Acquire(ctx, w)
}

// weight is the number of slots a verification of p takes: one per hash
// at the current parameters' memory, at least one and at most all. A
// 256 MiB imported hash thus waits until it can run alone, and peak
// hashing memory stays near Concurrency × Memory whatever is verified.
func (h *Hasher) weight(p *parsedHash) int64 {
	n := int64(1)
	if mem := p.memory(); mem > h.unit {
		q := mem / h.unit
		if mem%h.unit != 0 {
			q++
		}
		n = int64(min(q, uint64(h.cfg.Concurrency)))
	}
	return min(n, int64(h.cfg.Concurrency))
}

// current reports whether p is argon2id at exactly the configured
// parameters.
func (h *Hasher) current(p *parsedHash) bool {
	return p.scheme == schemeArgon2id &&
		p.m == uint64(h.cfg.Memory) &&
		p.t == uint64(h.cfg.Time) &&
		p.p == uint64(h.cfg.Threads) &&
		len(p.salt) == h.cfg.SaltLen &&
		len(p.key) == h.cfg.KeyLen
}
