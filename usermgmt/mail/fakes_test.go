package mail_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt/mail"
)

func TestConsole(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	c := mail.NewConsole(&buf)
	msg := validMessage()
	msg.Text = "Choose your password: https://x.test/a\n"
	require.NoError(t, c.Send(context.Background(), msg))
	want := "==== mail (welcome) ====\n" +
		"From:     Roster <no-reply@example.com>\n" +
		"To:       ada@example.com\n" +
		"Reply-To: support@example.com\n" +
		"Subject:  Hello\n" +
		"X-Campaign: welcome\n" +
		"\n" +
		"Choose your password: https://x.test/a\n" +
		"(and an html alternative, 14 bytes)\n" +
		"==== end ====\n"
	assert.Equal(t, want, buf.String())

	buf.Reset()
	require.NoError(t, c.Send(context.Background(), mail.Message{To: []string{"a@example.com", "b@example.com"}, HTML: "<p>x</p>"}))
	assert.Contains(t, buf.String(), "==== mail ====\nFrom:     (default sender)\nTo:       a@example.com, b@example.com\n")
	assert.Contains(t, buf.String(), "(html body only, 8 bytes)\n")

	buf.Reset()
	err := c.Send(context.Background(), mail.Message{To: []string{"a@example.com"}})
	assert.ErrorIs(t, err, mail.ErrInvalidMessage)
	assert.Empty(t, buf.String())

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, c.Send(ctx, validMessage()), context.Canceled)
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestConsoleWriteError(t *testing.T) {
	t.Parallel()
	err := mail.NewConsole(failingWriter{}).Send(context.Background(), validMessage())
	assert.ErrorContains(t, err, "mail: console: write: disk full")
}

func TestConsoleConcurrent(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	c := mail.NewConsole(&buf)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := validMessage()
			msg.Subject = fmt.Sprintf("n%d", i)
			assert.NoError(t, c.Send(context.Background(), msg))
		}()
	}
	wg.Wait()
	blocks := strings.Split(strings.TrimSuffix(buf.String(), "==== end ====\n"), "==== end ====\n")
	require.Len(t, blocks, 20)
	for _, b := range blocks {
		assert.True(t, strings.HasPrefix(b, "==== mail (welcome) ====\n"), "no interleaving: %q", b)
	}
}

func TestRecorder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var r mail.Recorder
	assert.Equal(t, "", r.LastLink("ada@example.com"))
	_, ok := r.Last("ada@example.com")
	assert.False(t, ok)

	send := func(to, text string) {
		t.Helper()
		require.NoError(t, r.Send(ctx, mail.Message{To: []string{to}, Subject: "s", Text: text, Tag: mail.PasswordReset}))
	}
	send("Ada <Ada@Example.com>", "Reset: https://x.test/reset?t=first.\n")
	send("grace@example.com", "Reset: https://x.test/reset?t=grace\n")
	send("ada@example.com", "Open (https://x.test/reset?t=second&u=1), then https://x.test/other\n")

	assert.Equal(t, 3, r.Len())
	assert.Equal(t, "https://x.test/reset?t=second&u=1", r.LastLink("ADA@example.com"))
	assert.Equal(t, "https://x.test/reset?t=grace", r.LastLink("Grace Hopper <grace@example.com>"))
	assert.Equal(t, "", r.LastLink("nobody@example.com"))
	last, ok := r.Last("ada@example.com")
	require.True(t, ok)
	assert.Equal(t, mail.PasswordReset, last.Tag)

	// Returned messages are copies.
	msgs := r.Messages()
	require.Len(t, msgs, 3)
	msgs[0].To[0] = "changed@example.com"
	assert.Equal(t, "Ada <Ada@Example.com>", r.Messages()[0].To[0])

	// HTML-only: the link comes from the HTML body, unescaped.
	require.NoError(t, r.Send(ctx, mail.Message{To: []string{"h@example.com"}, HTML: `<a href="https://x.test/a?b=1&amp;c=2">go</a>`}))
	assert.Equal(t, "https://x.test/a?b=1&c=2", r.LastLink("h@example.com"))

	// Invalid messages are refused, as a real mailer would.
	err := r.Send(ctx, mail.Message{To: []string{"x@example.com"}, Subject: "a\nb", Text: "x"})
	assert.ErrorIs(t, err, mail.ErrInvalidMessage)
	assert.Equal(t, 4, r.Len())

	r.Reset()
	assert.Equal(t, 0, r.Len())
	assert.Empty(t, r.Messages())
}

func TestRecorderFailNext(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var r mail.Recorder
	first, second := errors.New("first"), errors.New("second")
	r.FailNext(first)
	r.FailNext(second)
	r.FailNext(nil)
	msg := validMessage()
	assert.ErrorIs(t, r.Send(ctx, msg), first)
	assert.ErrorIs(t, r.Send(ctx, msg), second)
	assert.NoError(t, r.Send(ctx, msg))
	assert.Equal(t, 1, r.Len(), "failed sends record nothing")

	r.FailNext(first)
	r.Reset()
	assert.NoError(t, r.Send(ctx, msg), "Reset drops queued failures")

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, r.Send(canceled, msg), context.Canceled)
}

func TestRecorderConcurrent(t *testing.T) {
	t.Parallel()
	var r mail.Recorder
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			to := fmt.Sprintf("u%d@example.com", i)
			assert.NoError(t, r.Send(context.Background(), mail.Message{To: []string{to}, Text: fmt.Sprintf("https://x.test/%d", i)}))
			assert.Equal(t, fmt.Sprintf("https://x.test/%d", i), r.LastLink(to))
			_ = r.Messages()
		}()
	}
	wg.Wait()
	assert.Equal(t, 50, r.Len())
}

func TestFirstLink(t *testing.T) {
	t.Parallel()
	tests := []struct{ text, want string }{
		{"go to https://x.test/a.", "https://x.test/a"},
		{"<https://x.test/a>", "https://x.test/a"},
		{"\"https://x.test/a\"", "https://x.test/a"},
		{"http://x.test/a?b=c;", "http://x.test/a?b=c"},
		{"ftp://x.test/a and mailto:a@b", ""},
		{"first http://one.test then https://two.test", "http://one.test"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, mail.FirstLink(mail.Message{Text: tt.text}), tt.text)
	}
}
