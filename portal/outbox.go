package portal

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/rosterkit/roster/sms"
	"github.com/rosterkit/roster/usermgmt/mail"
)

// DevOutbox keeps the SMS and mails sent through the senders it wraps,
// for the development outbox page, where a person reads the PIN and the
// invitation link in the browser. It keeps the last 200 messages. Never
// use it in production.
type DevOutbox struct {
	mu   sync.Mutex
	msgs []Message
	now  func() time.Time
}

// NewDevOutbox returns an empty outbox.
func NewDevOutbox() *DevOutbox { return &DevOutbox{now: time.Now} }

func (o *DevOutbox) add(m Message) {
	o.mu.Lock()
	defer o.mu.Unlock()
	m.At = o.now()
	o.msgs = append(o.msgs, m)
	if len(o.msgs) > 200 {
		o.msgs = o.msgs[len(o.msgs)-200:]
	}
}

// Messages returns the kept messages, newest first.
func (o *DevOutbox) Messages() []Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]Message, len(o.msgs))
	for i, m := range o.msgs {
		out[len(o.msgs)-1-i] = m
	}
	return out
}

// SMS returns a sender that keeps each message and then sends it
// through next (nil: keep only).
func (o *DevOutbox) SMS(next sms.Sender) sms.Sender {
	return sms.SenderFunc(func(ctx context.Context, m sms.Message) (sms.Receipt, error) {
		o.add(Message{Kind: "sms", To: m.To, Body: m.Body})
		if next == nil {
			in := sms.Analyze(m.Body)
			return sms.Receipt{Segments: in.Segments, Encoding: in.Encoding}, nil
		}
		return next.Send(ctx, m)
	})
}

// Mail returns a mailer that keeps each mail and then sends it through
// next (nil: keep only).
func (o *DevOutbox) Mail(next mail.Mailer) mail.Mailer {
	return mail.MailerFunc(func(ctx context.Context, m mail.Message) error {
		o.add(Message{Kind: "mail", To: strings.Join(m.To, ", "), Subject: m.Subject, Body: m.Text})
		if next == nil {
			return nil
		}
		return next.Send(ctx, m)
	})
}
