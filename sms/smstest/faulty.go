package smstest

import (
	"context"
	"errors"
	"strings"

	"github.com/rosterkit/roster/internal/faultplan"
	"github.com/rosterkit/roster/sms"
)

// ErrInjected is the error of a send a Faulty sender was told to fail.
var ErrInjected = errors.New("smstest: injected gateway failure")

// Mode is what a faulted Send of a Faulty sender does.
type Mode int

const (
	// Fail returns an error matching ErrInjected; nothing is sent.
	Fail Mode = iota + 1
	// Timeout returns an error matching context.DeadlineExceeded;
	// nothing is sent.
	Timeout
	// Hang blocks until the context ends and returns its error; nothing
	// is sent.
	Hang
	// Lost sends the message, then returns an error matching
	// context.DeadlineExceeded: the gateway took it but its answer never
	// came.
	Lost
	// Garbage sends the message and returns no error with a receipt that
	// makes no sense (a binary id, negative segments, an unknown
	// encoding, a status of control characters): a gateway answering
	// nonsense.
	Garbage
)

// Faulty is an sms.Sender that fails chosen sends of the sender it wraps
// (a Recorder, say), to check what is built on a gateway that breaks.
// It is safe for concurrent use.
type Faulty struct {
	next sms.Sender
	plan faultplan.Plan
}

var _ sms.Sender = (*Faulty)(nil)

// NewFaulty wraps next; it injects nothing until told to.
func NewFaulty(next sms.Sender) *Faulty { return &Faulty{next: next} }

// Inject makes the call-th Send from now (1-based) do what mode says.
// Each injected fault fires once; several may be pending.
func (f *Faulty) Inject(call int, mode Mode) { f.plan.Add(call, "", faultplan.Mode(mode)) }

// Sends returns how many sends were asked for since NewFaulty or Reset.
func (f *Faulty) Sends() int { return len(f.plan.Calls()) }

// Reset forgets the sends seen and every fault not yet fired.
func (f *Faulty) Reset() { f.plan.Reset() }

// Send forwards m to the wrapped sender unless a fault says otherwise.
func (f *Faulty) Send(ctx context.Context, m sms.Message) (sms.Receipt, error) {
	mode, ok := f.plan.Next("Send")
	if !ok {
		return f.next.Send(ctx, m)
	}
	switch Mode(mode) {
	case Timeout:
		return sms.Receipt{}, faultplan.Timeout("smstest", "Send")
	case Hang:
		return sms.Receipt{}, faultplan.Hang(ctx, "smstest", "Send")
	case Lost:
		if _, err := f.next.Send(ctx, m); err != nil {
			return sms.Receipt{}, err
		}
		return sms.Receipt{}, faultplan.Timeout("smstest", "Send")
	case Garbage:
		if _, err := f.next.Send(ctx, m); err != nil {
			return sms.Receipt{}, err
		}
		return sms.Receipt{ID: "\x00\xff\xfe" + strings.Repeat("\u202e", 64), Segments: -7,
			Encoding: sms.Encoding("\x7f?"), Status: "\r\n\x1b[2J"}, nil
	}
	return sms.Receipt{}, faultplan.Failed(ErrInjected, "Send")
}
