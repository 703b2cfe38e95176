package mail

import (
	"context"
	"fmt"
	"html"
	netmail "net/mail"
	"regexp"
	"strings"
	"sync"
)

// Recorder is a Mailer for tests: it keeps every message it accepts so
// that a test can read them back ("the link in the last mail to
// ada@example.com"), and it can be told to fail.
//
// The zero value is ready to use. A Recorder is safe for concurrent use;
// the messages it returns are copies.
type Recorder struct {
	mu   sync.Mutex
	msgs []Message
	fail []error
}

// Send validates msg as a real mailer would, then either returns the
// next error queued by FailNext (recording nothing) or records a copy of
// msg. A cancelled ctx is reported and nothing is recorded.
func (r *Recorder) Send(ctx context.Context, msg Message) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mail: recorder: %w", err)
	}
	if err := msg.Validate(); err != nil {
		return fmt.Errorf("mail: recorder: %w", err)
	}
	msg = msg.clone()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.fail) > 0 {
		err := r.fail[0]
		r.fail = r.fail[1:]
		return err
	}
	r.msgs = append(r.msgs, msg)
	return nil
}

// FailNext makes the next Send return err without recording the
// message. Calls queue up: two calls fail the next two sends, in order.
// A nil err is ignored.
func (r *Recorder) FailNext(err error) {
	if err == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = append(r.fail, err)
}

// Messages returns copies of the recorded messages, oldest first.
func (r *Recorder) Messages() []Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Message, len(r.msgs))
	for i, m := range r.msgs {
		out[i] = m.clone()
	}
	return out
}

// Len returns how many messages were recorded.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.msgs)
}

// Last returns the most recent message with to among its recipients.
// Addresses are compared by their addr-spec, case-insensitively, so
// "Ada <ADA@example.com>" matches "ada@example.com". ok is false when no
// message went to that address.
func (r *Recorder) Last(to string) (msg Message, ok bool) {
	want := addrKey(to)
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.msgs) - 1; i >= 0; i-- {
		for _, rcpt := range r.msgs[i].To {
			if addrKey(rcpt) == want {
				return r.msgs[i].clone(), true
			}
		}
	}
	return Message{}, false
}

// LastLink returns the first http or https URL in the text body of the
// last message to to (the HTML body's when there is no text body), or
// "" when there is no such message or link. Trailing punctuation that
// ends a sentence is not part of the link.
func (r *Recorder) LastLink(to string) string {
	msg, ok := r.Last(to)
	if !ok {
		return ""
	}
	return FirstLink(msg)
}

// Reset forgets every recorded message and every queued failure.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = nil
	r.fail = nil
}

var linkPattern = regexp.MustCompile(`https?://[^\s<>"'` + "`" + `]+`)

// FirstLink returns the first http or https URL in msg's text body, or
// in its HTML body (unescaped) when there is no text body; "" if none.
func FirstLink(msg Message) string {
	body, isHTML := msg.Text, false
	if strings.TrimSpace(body) == "" {
		body, isHTML = msg.HTML, true
	}
	link := linkPattern.FindString(body)
	link = strings.TrimRight(link, ".,;:!?)]}")
	if isHTML {
		link = html.UnescapeString(link)
	}
	return link
}

// addrKey is the comparable form of an address: its addr-spec, lower
// case.
func addrKey(addr string) string {
	if a, err := netmail.ParseAddress(addr); err == nil {
		return strings.ToLower(a.Address)
	}
	return strings.ToLower(strings.TrimSpace(addr))
}
