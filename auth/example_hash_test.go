package auth_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/rosterkit/roster/auth"
)

// A Hasher with the zero configuration hashes with argon2id at the OWASP
// parameters and verifies what it made.
func ExampleHasher() {
	ctx := context.Background()
	h, err := auth.NewHasher(auth.HashConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	stored, err := h.Hash(ctx, "Tr0ub4dor&3")
	if err != nil {
		fmt.Println(err)
		return
	}
	ok, rehash, err := h.Verify(ctx, stored, "Tr0ub4dor&3")
	fmt.Println(ok, rehash, err)
	ok, rehash, err = h.Verify(ctx, stored, "tr0ub4dor&3")
	fmt.Println(ok, rehash, err)
	// Output:
	// true false <nil>
	// false false <nil>
}

// An imported bcrypt hash verifies and asks to be replaced by a fresh
// argon2id hash, which login stores in its place.
func ExampleHasher_Verify_imported() {
	ctx := context.Background()
	h, err := auth.NewHasher(auth.HashConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	stored := "$2a$10$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga"
	ok, rehash, err := h.Verify(ctx, stored, "allmine")
	fmt.Println(ok, rehash, err)
	if ok && rehash {
		if stored, err = h.Hash(ctx, "allmine"); err != nil {
			fmt.Println(err)
			return
		}
	}
	ok, rehash, err = h.Verify(ctx, stored, "allmine")
	fmt.Println(ok, rehash, err)
	// Output:
	// true true <nil>
	// true false <nil>
}

// A stored hash asking for 4 GiB of memory is refused before anything is
// allocated.
func ExampleHasher_Verify_hostile() {
	h, err := auth.NewHasher(auth.HashConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	hostile := "$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
	_, _, err = h.Verify(context.Background(), hostile, "password")
	fmt.Println(errors.Is(err, auth.ErrHashRefused))
	fmt.Println(err)
	// Output:
	// true
	// auth: verify: password hash refused: argon2id memory (KiB) 4194304 over limit 262144
}

// Login spends one verification on an unknown user, so that its answer
// takes as long as a wrong password's.
func ExampleHasher_Dummy() {
	ctx := context.Background()
	h, err := auth.NewHasher(auth.HashConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	users := map[string]string{} // username → stored hash
	check := func(username, password string) bool {
		stored, found := users[username]
		if !found {
			_ = h.Dummy(ctx, password) // the cost of a wrong password
			return false
		}
		ok, _, err := h.Verify(ctx, stored, password)
		return err == nil && ok
	}
	if users["alice"], err = h.Hash(ctx, "alice's Passw0rd"); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(check("alice", "alice's Passw0rd"), check("alice", "guess"), check("mallory", "guess"))
	// Output:
	// true false false
}

// The importer vets pre-hashed passwords without computing anything, then
// hashes plaintext ones on every permitted slot.
func ExampleHasher_HashMany() {
	ctx := context.Background()
	h, err := auth.NewHasher(auth.HashConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(h.Check("pbkdf2_sha256$870000$seasalt$wJSpLMQRQz0Dhj/pFpbyjMj71B2gUYp6HJS5AU+32Ac="))
	fmt.Println(errors.Is(h.Check("md5$seasalt$f5531bef9f3687d0ccf0f617f0e25573"), auth.ErrHashFormat))

	hashes, err := h.HashMany(ctx, []string{"first Passw0rd", "second Passw0rd", "third Passw0rd"})
	if err != nil {
		fmt.Println(err)
		return
	}
	ok, _, _ := h.Verify(ctx, hashes[1], "second Passw0rd")
	fmt.Println(len(hashes), ok)
	// Output:
	// <nil>
	// true
	// 3 true
}
