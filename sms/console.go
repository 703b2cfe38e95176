package sms

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
)

// Console is a Sender for development: it prints every message, body
// included, to a writer instead of sending it, so that a developer can
// read a login PIN in the terminal. It is the embedded default; never
// use it in production, where it would print codes into logs.
type Console struct {
	mu  sync.Mutex
	w   io.Writer
	seq atomic.Int64
}

// NewConsole returns a Console writing to w; nil means standard output.
func NewConsole(w io.Writer) *Console {
	if w == nil {
		w = os.Stdout
	}
	return &Console{w: w}
}

// Send prints m.
func (c *Console) Send(ctx context.Context, m Message) (Receipt, error) {
	if err := ctx.Err(); err != nil {
		return Receipt{}, err
	}
	in := Analyze(m.Body)
	id := "console-" + strconv.FormatInt(c.seq.Add(1), 10)
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := fmt.Fprintf(c.w, "[sms to %s, %s, %d segment(s)] %s\n", m.To, m.Purpose, in.Segments, m.Body)
	if err != nil {
		return Receipt{}, fmt.Errorf("sms: console: %w", err)
	}
	return Receipt{ID: id, Segments: in.Segments, Encoding: in.Encoding, Status: "printed"}, nil
}
