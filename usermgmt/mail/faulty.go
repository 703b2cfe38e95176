package mail

import (
	"context"
	"errors"

	"github.com/rosterkit/roster/internal/faultplan"
)

// ErrInjected is the error of a send a Faulty mailer was told to fail.
var ErrInjected = errors.New("mail: injected mail server failure")

// FaultMode is what a faulted Send of a Faulty mailer does.
type FaultMode int

const (
	// FaultFail returns an error matching ErrInjected; nothing is sent.
	FaultFail FaultMode = iota + 1
	// FaultTimeout returns an error matching context.DeadlineExceeded;
	// nothing is sent.
	FaultTimeout
	// FaultHang blocks until the context ends and returns its error;
	// nothing is sent.
	FaultHang
	// FaultLost sends the message, then returns an error matching
	// context.DeadlineExceeded: the server took the mail but its reply
	// never came.
	FaultLost
)

// Faulty is a Mailer that fails chosen sends of the mailer it wraps (a
// Recorder, say), to check what is built on a mail server that breaks.
// It is safe for concurrent use.
type Faulty struct {
	next Mailer
	plan faultplan.Plan
}

var _ Mailer = (*Faulty)(nil)

// NewFaulty wraps next; it injects nothing until told to.
func NewFaulty(next Mailer) *Faulty { return &Faulty{next: next} }

// Inject makes the call-th Send from now (1-based) do what mode says.
// Each injected fault fires once; several may be pending.
func (f *Faulty) Inject(call int, mode FaultMode) { f.plan.Add(call, "", faultplan.Mode(mode)) }

// Sends returns how many sends were asked for since NewFaulty or Reset.
func (f *Faulty) Sends() int { return len(f.plan.Calls()) }

// Reset forgets the sends seen and every fault not yet fired.
func (f *Faulty) Reset() { f.plan.Reset() }

// Send forwards msg to the wrapped mailer unless a fault says otherwise.
func (f *Faulty) Send(ctx context.Context, msg Message) error {
	mode, ok := f.plan.Next("Send")
	if !ok {
		return f.next.Send(ctx, msg)
	}
	switch FaultMode(mode) {
	case FaultTimeout:
		return faultplan.Timeout("mail", "Send")
	case FaultHang:
		return faultplan.Hang(ctx, "mail", "Send")
	case FaultLost:
		if err := f.next.Send(ctx, msg); err != nil {
			return err
		}
		return faultplan.Timeout("mail", "Send")
	}
	return faultplan.Failed(ErrInjected, "Send")
}
