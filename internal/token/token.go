// Package token makes and checks the secrets roster hands out: link and
// session tokens (256-bit, stored as SHA-256), short numeric codes
// (stored as HMAC-SHA256 under a host key) and record ids.
//
// Randomness comes from crypto/rand only. Comparisons are constant-time.
package token

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// Bytes is the entropy of a token: 256 bits.
const Bytes = 32

// encodedLen is the length of an encoded token: unpadded base64url of 32 bytes.
const encodedLen = 43

// ErrMalformed is returned for a token that cannot have been made by New.
var ErrMalformed = errors.New("malformed token")

// New returns a fresh token for the holder and the hash to store.
func New() (secret, hash string, err error) {
	var b [Bytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", fmt.Errorf("token: %w", err)
	}
	secret = base64.RawURLEncoding.EncodeToString(b[:])
	return secret, Hash(secret), nil
}

// Hash returns the hex SHA-256 of a secret: what stores keep.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Parse checks the shape of a secret presented by a client and returns its
// hash. It never looks anything up, so it is safe on any input.
func Parse(secret string) (string, error) {
	if len(secret) != encodedLen {
		return "", ErrMalformed
	}
	if _, err := base64.RawURLEncoding.DecodeString(secret); err != nil {
		return "", ErrMalformed
	}
	return Hash(secret), nil
}

// Code returns a uniformly random numeric code of n digits (1–18),
// leading zeros kept.
func Code(n int) (string, error) {
	if n < 1 || n > 18 {
		return "", fmt.Errorf("token: code length %d out of range", n)
	}
	limit := uint64(1)
	for range n {
		limit *= 10
	}
	// Rejection sampling removes modulo bias.
	maxOK := (^uint64(0) / limit) * limit
	var b [8]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			return "", fmt.Errorf("token: %w", err)
		}
		v := binary.BigEndian.Uint64(b[:])
		if v < maxOK {
			return fmt.Sprintf("%0*d", n, v%limit), nil
		}
	}
}

// MAC returns the hex HMAC-SHA256 of msg under key: how short codes are
// stored. The context strings bind a code to what it was issued for.
func MAC(key []byte, msg ...string) string {
	m := hmac.New(sha256.New, key)
	for _, s := range msg {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		m.Write(n[:])
		m.Write([]byte(s))
	}
	return hex.EncodeToString(m.Sum(nil))
}

// Equal compares two strings in constant time (for equal lengths).
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// ID returns a new record id: a UUIDv7 string, time-ordered so that
// indexes stay compact.
func ID() string {
	return uuid.Must(uuid.NewV7()).String()
}
