package sms

import "context"

// Purpose says why roster sends a message; gateways and guards may
// treat purposes differently (a login code is urgent, a notice is not).
type Purpose string

// The purposes of the messages roster sends.
const (
	PurposeCode         Purpose = "code"          // a one-time login code
	PurposeLoginDetails Purpose = "login_details" // username and set-password link (seed 002)
	PurposeOwnership    Purpose = "ownership"     // an ownership request (seed 000)
	PurposeNotice       Purpose = "notice"        // anything else
)

// Message is one SMS to send.
type Message struct {
	// To is the destination in E.164 form, e.g. "+447400123456".
	To string
	// From is the sender: a number in E.164 form or an alphanumeric
	// sender id; empty means the gateway's default.
	From string
	// Body is the text. Its encoding and segments are counted by Analyze.
	Body string
	// Purpose says why the message is sent.
	Purpose Purpose
	// AccountID is the account on whose behalf the message goes out,
	// for per-account budgets and logs; optional.
	AccountID string
	// UserID is the user the message is for, for logs; optional.
	UserID string
	// Reference is an idempotency key: a gateway that supports one
	// delivers a message at most once per reference, across retries.
	Reference string
}

// Receipt is what a gateway says about an accepted message.
type Receipt struct {
	// ID is the gateway's message id; empty when the gateway gives none.
	ID string
	// Segments is how many segments the message takes (the gateway's
	// count when it gives one, else Analyze's).
	Segments int
	// Encoding is how the body travels.
	Encoding Encoding
	// Status is the gateway's status for the message ("queued",
	// "accepted"...); empty when it gives none.
	Status string
}

// Sender is the port through which roster sends SMS. Implementations
// must be safe for concurrent use.
type Sender interface {
	// Send sends m, or fails with an error matching ErrInvalidMessage
	// (the message cannot go as it is), ErrRefused (the destination is
	// refused), ErrRateLimited (a limit was reached), a *ProviderError
	// (the gateway failed) or the context's error.
	Send(ctx context.Context, m Message) (Receipt, error)
}

// SenderFunc adapts a function to a Sender, like http.HandlerFunc.
type SenderFunc func(ctx context.Context, m Message) (Receipt, error)

// Send calls f.
func (f SenderFunc) Send(ctx context.Context, m Message) (Receipt, error) { return f(ctx, m) }
