package mail

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
)

// Console is a Mailer that prints each message in a readable form
// instead of delivering it: the embedded default, so that a developer
// running roster with no mail server can still follow the set-password
// and reset links.
//
// It prints the links, which are secrets: never use it in production.
// A Console is safe for concurrent use; messages do not interleave.
type Console struct {
	mu sync.Mutex
	w  io.Writer
}

// NewConsole returns a Console writing to w; nil means os.Stdout.
func NewConsole(w io.Writer) *Console {
	if w == nil {
		w = os.Stdout
	}
	return &Console{w: w}
}

// Send validates msg and prints it: tag, addresses, subject, extra
// headers and the text body (or, for an HTML-only message, the size of
// the HTML body). It returns ctx's error if ctx has ended and the
// writer's error if printing failed.
func (c *Console) Send(ctx context.Context, msg Message) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mail: console: %w", err)
	}
	if err := msg.Validate(); err != nil {
		return fmt.Errorf("mail: console: %w", err)
	}
	text := render(msg)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := io.WriteString(c.w, text); err != nil {
		return fmt.Errorf("mail: console: write: %w", err)
	}
	return nil
}

// render lays msg out as Console prints it.
func render(msg Message) string {
	var b strings.Builder
	title := "mail"
	if msg.Tag != "" {
		title += " (" + msg.Tag + ")"
	}
	b.WriteString("==== " + title + " ====\n")
	from := msg.From
	if from == "" {
		from = "(default sender)"
	}
	field := func(name, value string) {
		if value != "" {
			fmt.Fprintf(&b, "%-9s %s\n", name+":", value)
		}
	}
	field("From", from)
	field("To", strings.Join(msg.To, ", "))
	field("Reply-To", msg.ReplyTo)
	field("Subject", msg.Subject)
	names := make([]string, 0, len(msg.Headers))
	for name := range msg.Headers {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		field(name, msg.Headers[name])
	}
	b.WriteString("\n")
	if msg.Text != "" {
		b.WriteString(strings.TrimRight(msg.Text, "\n"))
		b.WriteString("\n")
		if msg.HTML != "" {
			fmt.Fprintf(&b, "(and an html alternative, %d bytes)\n", len(msg.HTML))
		}
	} else {
		fmt.Fprintf(&b, "(html body only, %d bytes)\n", len(msg.HTML))
	}
	b.WriteString("==== end ====\n")
	return b.String()
}
