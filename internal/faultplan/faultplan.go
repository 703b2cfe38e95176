// Package faultplan counts the calls made through a fault-injecting
// wrapper and says which of them fail, and how. The public wrappers
// (usermgmt/storetest.Faulty, sms/smstest.Faulty, usermgmt/mail.Faulty)
// share it; each names its own modes.
package faultplan

import (
	"context"
	"fmt"
	"sync"
)

// Mode is what a faulted call does; its meaning is the wrapper's.
type Mode int

// Plan is the schedule of faults of one wrapper. The zero value injects
// nothing; it is safe for concurrent use.
type Plan struct {
	mu      sync.Mutex
	calls   []string
	pending []pending
}

type pending struct {
	op   string // "" for any call
	left int    // calls still to pass before this one
	mode Mode
}

// Add schedules a fault: the call-th call from now (1-based) that matches
// op ("" matches every call) gets mode. call < 1 is ignored.
func (p *Plan) Add(call int, op string, mode Mode) {
	if call < 1 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pending = append(p.pending, pending{op: op, left: call - 1, mode: mode})
}

// Next records a call of op and returns the mode of the fault scheduled
// for it, if any. Each scheduled fault fires once.
func (p *Plan) Next(op string) (Mode, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, op)
	var (
		mode  Mode
		fired bool
	)
	keep := p.pending[:0]
	for _, f := range p.pending {
		switch {
		case f.op != "" && f.op != op:
		case f.left > 0:
			f.left--
		case !fired:
			mode, fired = f.mode, true
			continue
		}
		keep = append(keep, f)
	}
	p.pending = keep
	return mode, fired
}

// Calls returns the operations called since the last Reset, in order.
func (p *Plan) Calls() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.calls...)
}

// Reset forgets the calls seen and the faults not yet fired.
func (p *Plan) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls, p.pending = nil, nil
}

// Timeout is the error of a call that timed out: it matches
// context.DeadlineExceeded, as a driver's error does when its deadline
// passes, and names the wrapper and the call.
func Timeout(wrapper, op string) error {
	return fmt.Errorf("%s: injected timeout in %s: %w", wrapper, op, context.DeadlineExceeded)
}

// Hang blocks until ctx is done and returns its error, naming the
// wrapper and the call: a peer that never answers.
func Hang(ctx context.Context, wrapper, op string) error {
	<-ctx.Done()
	return fmt.Errorf("%s: %s hung until the context ended: %w", wrapper, op, context.Cause(ctx))
}

// Failed wraps injected, the wrapper's sentinel, naming the call.
func Failed(injected error, op string) error {
	return fmt.Errorf("%w in %s", injected, op)
}
