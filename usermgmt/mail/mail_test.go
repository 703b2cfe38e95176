package mail_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt/mail"
)

func validMessage() mail.Message {
	return mail.Message{
		From:    "Roster <no-reply@example.com>",
		To:      []string{"ada@example.com"},
		ReplyTo: "support@example.com",
		Subject: "Hello",
		Text:    "Hi Ada\n",
		HTML:    "<p>Hi Ada</p>\n",
		Headers: map[string]string{"X-Campaign": "welcome"},
		Tag:     mail.Welcome,
	}
}

func TestMessageValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		modify func(*mail.Message)
		want   []string // substrings of the error; nil means valid
	}{
		{name: "valid", modify: func(*mail.Message) {}},
		{name: "display names and no from", modify: func(m *mail.Message) {
			m.From = ""
			m.To = []string{"Ada Lovelace <ada@example.com>", "\"Grace, H.\" <grace@example.com>"}
		}},
		{name: "non-ascii subject and display name", modify: func(m *mail.Message) {
			m.To = []string{"Zoë Ångström <zoe@example.com>"}
			m.Subject = "Bem-vinda, Zoë — 欢迎"
		}},
		{name: "text only", modify: func(m *mail.Message) { m.HTML = "" }},
		{name: "html only", modify: func(m *mail.Message) { m.Text = "" }},
		{name: "no recipients", modify: func(m *mail.Message) { m.To = nil }, want: []string{"to: at least one recipient"}},
		{name: "too many recipients", modify: func(m *mail.Message) {
			m.To = make([]string, mail.MaxRecipients+1)
			for i := range m.To {
				m.To[i] = "a@example.com"
			}
		}, want: []string{"to: more than 100 recipients"}},
		{name: "bad recipient", modify: func(m *mail.Message) { m.To = []string{"ada@example.com", "not an address"} }, want: []string{"to[1]: not a valid address"}},
		{name: "crlf in recipient", modify: func(m *mail.Message) { m.To = []string{"ada@example.com\r\nBcc: eve@evil.test"} }, want: []string{"to[0]: contains a line break"}},
		{name: "lf in from", modify: func(m *mail.Message) { m.From = "a@example.com\nBcc: eve@evil.test" }, want: []string{"from: contains a line break"}},
		{name: "crlf in reply-to", modify: func(m *mail.Message) { m.ReplyTo = "a@example.com\r\n" }, want: []string{"reply_to: contains a line break"}},
		{name: "crlf in subject", modify: func(m *mail.Message) { m.Subject = "Hi\r\nBcc: eve@evil.test" }, want: []string{"subject: contains a line break"}},
		{name: "nul in subject", modify: func(m *mail.Message) { m.Subject = "Hi\x00" }, want: []string{"subject: contains a line break or a control character"}},
		{name: "bad utf-8 subject", modify: func(m *mail.Message) { m.Subject = "Hi \xff" }, want: []string{"subject: not valid utf-8"}},
		{name: "long subject", modify: func(m *mail.Message) { m.Subject = strings.Repeat("a", 999) }, want: []string{"subject: longer than 998 bytes"}},
		{name: "no body", modify: func(m *mail.Message) { m.Text, m.HTML = " \n", "" }, want: []string{"body: a text or an html body is required"}},
		{name: "nul in body", modify: func(m *mail.Message) { m.Text = "a\x00b" }, want: []string{"text: contains a nul byte"}},
		{name: "bad utf-8 html", modify: func(m *mail.Message) { m.HTML = "<p>\xc3\x28</p>" }, want: []string{"html: not valid utf-8"}},
		{name: "crlf in header value", modify: func(m *mail.Message) { m.Headers = map[string]string{"X-Tag": "a\r\nBcc: eve@evil.test"} }, want: []string{`headers: "X-Tag": contains a line break`}},
		{name: "bad header name", modify: func(m *mail.Message) { m.Headers = map[string]string{"X Tag:": "a"} }, want: []string{`headers: "X Tag:": not a valid header name`}},
		{name: "reserved header", modify: func(m *mail.Message) { m.Headers = map[string]string{"bcc": "eve@evil.test"} }, want: []string{`headers: "bcc": set through the message's own fields`}},
		{name: "bad tag", modify: func(m *mail.Message) { m.Tag = "Welcome!" }, want: []string{"tag: use 1 to 64"}},
		{name: "every problem at once", modify: func(m *mail.Message) {
			m.To, m.Subject, m.Text, m.HTML = nil, "a\nb", "", ""
		}, want: []string{"to: at least one recipient", "subject: contains a line break", "body: a text or an html body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := validMessage()
			tt.modify(&m)
			err := m.Validate()
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, mail.ErrInvalidMessage)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), "eve@evil.test", "errors name fields, not values")
		})
	}
}

func TestMailerFunc(t *testing.T) {
	t.Parallel()
	var got mail.Message
	boom := errors.New("boom")
	var m mail.Mailer = mail.MailerFunc(func(_ context.Context, msg mail.Message) error {
		got = msg
		return boom
	})
	err := m.Send(context.Background(), validMessage())
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, "Hello", got.Subject)
}

func FuzzMessageValidate(f *testing.F) {
	f.Add("no-reply@example.com", "ada@example.com", "", "Hello", "text", "<p>x</p>", "X-Tag", "v", "welcome")
	f.Add("", "Ada <ada@example.com>", "r@example.com", "Zoë", "", "<b>", "List-Unsubscribe", "<mailto:u@example.com>", "")
	f.Add("a@b\r\nBcc: x@y", "x\n", "\x00", "s\r\n", "\xff", "", "Bcc", "\r\n", "T")
	f.Fuzz(func(t *testing.T, from, to, replyTo, subject, text, html, hname, hvalue, tag string) {
		m := mail.Message{
			From: from, To: []string{to}, ReplyTo: replyTo, Subject: subject,
			Text: text, HTML: html, Headers: map[string]string{hname: hvalue}, Tag: tag,
		}
		err := m.Validate()
		if err != nil {
			if !errors.Is(err, mail.ErrInvalidMessage) {
				t.Fatalf("error does not match ErrInvalidMessage: %v", err)
			}
			return
		}
		// A valid message cannot carry a line break into a header.
		for _, s := range []string{from, to, replyTo, subject, hname, hvalue} {
			if strings.ContainsAny(s, "\r\n") {
				t.Fatalf("valid message with a line break in a header field: %q", s)
			}
		}
		// Every fake accepts what Validate accepts.
		var rec mail.Recorder
		if err := rec.Send(context.Background(), m); err != nil {
			t.Fatalf("recorder refused a valid message: %v", err)
		}
	})
}
