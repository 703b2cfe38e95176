package usermgmt

import (
	"errors"
	"strings"
)

// Sentinel errors. Match them with errors.Is; every error roster returns
// wraps at most one of them.
var (
	// ErrNotFound: the record does not exist, or is outside what the
	// actor may see (the two are never told apart to an actor).
	ErrNotFound = errors.New("not found")
	// ErrConflict: a uniqueness rule or an optimistic version check failed.
	// Unique violations are reported as *ConflictError, which matches it.
	ErrConflict = errors.New("conflict")
	// ErrForbidden: the actor may not perform the operation.
	ErrForbidden = errors.New("forbidden")
	// ErrSeatLimit: the operation would exceed the account's seat limit.
	ErrSeatLimit = errors.New("seat limit reached")
	// ErrExpired: a token, link or code is past its lifetime.
	ErrExpired = errors.New("expired")
	// ErrInvalid: input failed validation. Validation failures are
	// reported as *ValidationError, which matches it.
	ErrInvalid = errors.New("invalid input")
	// ErrInvalidCredentials: login failed. It is the only answer for an
	// unknown user, a wrong password, a user who may not log in and a
	// throttled login.
	ErrInvalidCredentials = errors.New("invalid credentials")
	// ErrLocked: too many attempts; the challenge or token is dead.
	ErrLocked = errors.New("too many attempts")
	// ErrRateLimited: a rate limit refused the operation for now.
	ErrRateLimited = errors.New("rate limited")
	// ErrUsed: a single-use token has already been used.
	ErrUsed = errors.New("already used")
)

// FieldError describes one failing field.
type FieldError struct {
	// Field is the field's name as it appears in JSON and in import
	// headers' canonical form, e.g. "username", "mobile_phone".
	Field string `json:"field"`
	// Code is stable and machine-readable, e.g. "required", "too_short".
	Code string `json:"code"`
	// Message is a readable sentence fragment in English.
	Message string `json:"message"`
}

func (e FieldError) String() string { return e.Field + ": " + e.Message }

// Stable field error codes.
const (
	CodeRequired  = "required"
	CodeTooShort  = "too_short"
	CodeTooLong   = "too_long"
	CodeInvalid   = "invalid"
	CodeChars     = "invalid_characters"
	CodeWeak      = "too_weak"
	CodeForbidden = "forbidden_character"
	CodeCommon    = "too_common"
	CodeContains  = "contains_username"
	CodeRegion    = "region_required"
	CodeType      = "number_type"
	CodeTaken     = "taken"
	CodeImmutable = "immutable"
	CodeUnknown   = "unknown"
)

// ValidationError lists every failing field of one input. It matches
// ErrInvalid with errors.Is.
type ValidationError struct {
	Fields []FieldError `json:"fields"`
}

// Error joins the field errors, e.g. "invalid input: username: too short".
func (e *ValidationError) Error() string {
	if e == nil || len(e.Fields) == 0 {
		return ErrInvalid.Error()
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.String()
	}
	return ErrInvalid.Error() + ": " + strings.Join(parts, "; ")
}

// Is reports whether target is ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Add records a failing field.
func (e *ValidationError) Add(field, code, message string) {
	e.Fields = append(e.Fields, FieldError{Field: field, Code: code, Message: message})
}

// Has reports whether field has at least one error.
func (e *ValidationError) Has(field string) bool {
	if e == nil {
		return false
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// Err returns e when it holds at least one field error, and nil otherwise,
// so a validator can end with `return v.Err()`.
func (e *ValidationError) Err() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}

// ConflictError reports the field whose uniqueness a write would break.
// It matches ErrConflict with errors.Is.
type ConflictError struct {
	// Field is "username", "email", "mobile_phone", "customer_code",
	// "alias", "number", "group", "version", or a store-specific name.
	Field string
}

func (e *ConflictError) Error() string {
	if e.Field == "version" {
		return "conflict: record was changed by someone else"
	}
	return "conflict: " + e.Field + " already in use"
}

// Is reports whether target is ErrConflict.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }
