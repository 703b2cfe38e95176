// Package smstest provides a recording sms.Sender for tests: every
// message is kept in an inbox a test can read ("the last code sent to
// +44…"), and failures can be injected.
//
//	rec := &smstest.Recorder{}
//	svc := newService(rec)          // anything taking an sms.Sender
//	svc.StartLogin(ctx, "alice", "pw")
//	code := rec.LastCode("+447400123456")
package smstest

import (
	"context"
	"regexp"
	"strconv"
	"sync"

	"github.com/rosterkit/roster/sms"
)

// Recorder is an sms.Sender that keeps what it is asked to send. The
// zero value is ready to use; it is safe for concurrent use.
type Recorder struct {
	mu   sync.Mutex
	msgs []sms.Message
	fail []error
	hook func(sms.Message) error
	seq  int
}

var _ sms.Sender = (*Recorder)(nil)

// Send records m and returns a receipt "rec-<n>" with Analyze's
// segments, or fails: with the context's error, with the next error
// queued by FailNext, or with the error of the FailWhen hook. A failed
// message is not recorded.
func (r *Recorder) Send(ctx context.Context, m sms.Message) (sms.Receipt, error) {
	if err := ctx.Err(); err != nil {
		return sms.Receipt{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.fail) > 0 {
		err := r.fail[0]
		r.fail = r.fail[1:]
		return sms.Receipt{}, err
	}
	if r.hook != nil {
		if err := r.hook(m); err != nil {
			return sms.Receipt{}, err
		}
	}
	r.msgs = append(r.msgs, m)
	r.seq++
	in := sms.Analyze(m.Body)
	return sms.Receipt{ID: "rec-" + strconv.Itoa(r.seq), Segments: in.Segments, Encoding: in.Encoding, Status: "recorded"}, nil
}

// FailNext makes the next Send return err instead of recording; calls
// queue up.
func (r *Recorder) FailNext(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = append(r.fail, err)
}

// FailWhen installs a hook called with every message after the queued
// failures are spent; a non-nil error fails the Send (for example, every
// message to one number). Nil removes the hook. The hook runs under the
// Recorder's lock: it must not call the Recorder.
func (r *Recorder) FailWhen(hook func(sms.Message) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hook = hook
}

// Messages returns a copy of every recorded message, oldest first.
func (r *Recorder) Messages() []sms.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sms.Message(nil), r.msgs...)
}

// Len returns how many messages were recorded.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.msgs)
}

// To returns the messages sent to an E.164 number, oldest first.
func (r *Recorder) To(to string) []sms.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []sms.Message
	for _, m := range r.msgs {
		if m.To == to {
			out = append(out, m)
		}
	}
	return out
}

// Last returns the last message sent to an E.164 number.
func (r *Recorder) Last(to string) (sms.Message, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.msgs) - 1; i >= 0; i-- {
		if r.msgs[i].To == to {
			return r.msgs[i], true
		}
	}
	return sms.Message{}, false
}

var codeRE = regexp.MustCompile(`\b\d{4,8}\b`)

// LastCode returns the last 4- to 8-digit code in the last message to
// an E.164 number, or "" when there is none.
func (r *Recorder) LastCode(to string) string {
	m, ok := r.Last(to)
	if !ok {
		return ""
	}
	codes := codeRE.FindAllString(m.Body, -1)
	if len(codes) == 0 {
		return ""
	}
	return codes[len(codes)-1]
}

// Reset forgets every message, queued failure and hook; receipt ids go
// on counting.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs, r.fail, r.hook = nil, nil, nil
}
