package sms

import (
	"context"
	"errors"
)

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
	// To is the destination in E.164 form, e.g. "+447911123456".
	To string
	// From is the sender: a number in E.164 form or an alphanumeric
	// sender id; empty means the gateway's default.
	From string
	// Body is the text. Its encoding and segments are counted by Analyze.
	Body    string
	Purpose Purpose
	// AccountID and UserID say on whose behalf the message goes out, for
	// per-account budgets and logs; both optional.
	AccountID string
	UserID    string
	// Reference is an idempotency key: a gateway that supports one
	// delivers a message at most once per reference, across retries.
	Reference string
}

// Receipt is what a gateway says about an accepted message.
type Receipt struct {
	// ID is the gateway's message id; empty when the gateway gives none.
	ID       string
	Segments int
	Encoding Encoding
}

// Sender is the port through which roster sends SMS. Implementations
// must be safe for concurrent use.
type Sender interface {
	Send(ctx context.Context, m Message) (Receipt, error)
}

// SenderFunc adapts a function to a Sender, like http.HandlerFunc.
type SenderFunc func(ctx context.Context, m Message) (Receipt, error)

// Send calls f.
func (f SenderFunc) Send(ctx context.Context, m Message) (Receipt, error) { return f(ctx, m) }

// ErrInvalidMessage is returned for a message that cannot be sent as it
// is (no destination, no body, too many segments).
var ErrInvalidMessage = errors.New("sms: invalid message")
