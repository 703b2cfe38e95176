package usermgmt

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// UsernameKey is the form in which usernames are compared: NFC
// normalised, lower case. Stores index and compare this key, so "Alice"
// and "alice" are the same user.
func UsernameKey(username string) string {
	return strings.ToLower(norm.NFC.String(username))
}

// EmailKey is the form in which e-mail addresses and aliases are
// compared: NFC normalised, lower case.
func EmailKey(address string) string {
	return strings.ToLower(norm.NFC.String(address))
}
