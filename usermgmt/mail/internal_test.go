package mail

import (
	"errors"
	"net/textproto"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	gosmtp "github.com/wneessen/go-mail/smtp"
)

func TestFormatDuration(t *testing.T) {
	t.Parallel()
	en, pt := unitWords("en"), unitWords("pt-BR")
	tests := []struct {
		d    time.Duration
		w    durationWords
		want string
	}{
		{7 * 24 * time.Hour, en, "7 days"},
		{24 * time.Hour, en, "1 day"},
		{time.Hour, en, "1 hour"},
		{36 * time.Hour, en, "36 hours"},
		{90 * time.Minute, en, "90 minutes"},
		{10 * time.Minute, en, "10 minutes"},
		{time.Minute, en, "1 minute"},
		{61 * time.Second, en, "2 minutes"},
		{time.Nanosecond, en, "1 minute"},
		{0, en, "0 minutes"},
		{-time.Hour, en, "0 minutes"},
		{7 * 24 * time.Hour, pt, "7 dias"},
		{time.Hour, pt, "1 hora"},
		{2 * time.Hour, unitWords("sv"), "2 timmar"},
		{2 * time.Hour, unitWords("xx"), "2 hours"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, formatDuration(tt.d, tt.w), "%v", tt.d)
	}
}

func TestLangKeyAndChain(t *testing.T) {
	t.Parallel()
	keys := []struct {
		in, want string
		ok       bool
	}{
		{"en", "en", true},
		{"EN", "en", true},
		{"pt_br", "pt-BR", true},
		{"pt-BR", "pt-BR", true},
		{"zh-hant-tw", "zh-Hant-TW", true},
		{"en-US-u-ca-gregory", "en-US", true},
		{"es-419", "es-419", true},
		{" sv ", "sv", true},
		{"", "", false},
		{"und", "", false},
		{"not a tag", "", false},
		{"\xff", "", false},
	}
	for _, k := range keys {
		got, ok := langKey(k.in)
		assert.Equal(t, k.ok, ok, "%q", k.in)
		assert.Equal(t, k.want, got, "%q", k.in)
	}
	assert.Equal(t, []string{"pt-BR", "pt"}, langChain("pt-BR"))
	assert.Equal(t, []string{"zh-Hant-TW", "zh-Hant", "zh-TW", "zh"}, langChain("zh-Hant-TW"))
	assert.Equal(t, []string{"sr-Latn", "sr"}, langChain("sr-Latn"))
	assert.Equal(t, []string{"en"}, langChain("en"))
}

func TestTidyText(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "a\n\nb\n", tidyText("\n\na  \n\n\n\nb\n\n"))
	assert.Equal(t, "x\n", tidyText("x"))
	assert.Equal(t, "\n", tidyText(""))
	assert.Equal(t, "a\n\nb\n", tidyText("a\r\n\r\n\r\nb"))
}

func TestChooseMechanism(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		want   AuthMechanism
		server gosmtp.ServerInfo
		got    AuthMechanism
		err    string
	}{
		{"auto prefers scram", AuthAuto, gosmtp.ServerInfo{Name: "smtp.example.com", TLS: true, Auth: []string{"PLAIN", "LOGIN", "SCRAM-SHA-256", "CRAM-MD5"}}, AuthSCRAMSHA256, ""},
		{"auto plain over tls", AuthAuto, gosmtp.ServerInfo{Name: "smtp.example.com", TLS: true, Auth: []string{"LOGIN", "plain"}}, AuthPlain, ""},
		{"auto cram-md5 in clear", AuthAuto, gosmtp.ServerInfo{Name: "smtp.example.com", Auth: []string{"PLAIN", "CRAM-MD5"}}, AuthCRAMMD5, ""},
		{"auto plain to loopback in clear", AuthAuto, gosmtp.ServerInfo{Name: "127.0.0.1", Auth: []string{"PLAIN"}}, AuthPlain, ""},
		{"auto plain to localhost in clear", AuthAuto, gosmtp.ServerInfo{Name: "localhost", Auth: []string{"PLAIN"}}, AuthPlain, ""},
		{"auto refuses plain in clear", AuthAuto, gosmtp.ServerInfo{Name: "smtp.example.com", Auth: []string{"PLAIN", "LOGIN"}}, "", "no mechanism safe over an unencrypted connection"},
		{"auto nothing known", AuthAuto, gosmtp.ServerInfo{Name: "smtp.example.com", TLS: true, Auth: []string{"GSSAPI"}}, "", "no supported mechanism (server offers GSSAPI)"},
		{"no auth offered", AuthAuto, gosmtp.ServerInfo{Name: "smtp.example.com", TLS: true}, "", "server does not offer smtp auth"},
		{"explicit login", AuthLogin, gosmtp.ServerInfo{Name: "smtp.example.com", TLS: true, Auth: []string{"PLAIN", "LOGIN"}}, AuthLogin, ""},
		{"explicit not offered", AuthXOAUTH2, gosmtp.ServerInfo{Name: "smtp.example.com", TLS: true, Auth: []string{"PLAIN"}}, "", "server does not offer XOAUTH2 (it offers PLAIN)"},
		{"explicit plain in clear", AuthPlain, gosmtp.ServerInfo{Name: "10.0.0.5", Auth: []string{"PLAIN"}}, "", "refusing to send PLAIN credentials over an unencrypted connection"},
		{"explicit scram in clear", AuthSCRAMSHA1, gosmtp.ServerInfo{Name: "10.0.0.5", Auth: []string{"SCRAM-SHA-1"}}, AuthSCRAMSHA1, ""},
	}
	for _, tt := range tests {
		got, err := chooseMechanism(tt.want, &tt.server)
		if tt.err != "" {
			require.Error(t, err, tt.name)
			assert.ErrorIs(t, err, ErrAuth, tt.name)
			assert.Contains(t, err.Error(), tt.err, tt.name)
			continue
		}
		require.NoError(t, err, tt.name)
		assert.Equal(t, tt.got, got, tt.name)
	}
}

func TestOpErrorRedacts(t *testing.T) {
	t.Parallel()
	secrets := secretForms("mailer", "hunter2!")
	inner := &textproto.Error{Code: 535, Msg: "5.7.8 bad password hunter2! for AG1haWxlcgBodW50ZXIyIQ=="}
	err := newOpError("auth", ErrAuth, inner, secrets)
	assert.Equal(t, "mail: smtp: auth: authentication failed: 535 \"5.7.8 bad password [redacted] for [redacted]\"", err.Error())
	assert.ErrorIs(t, err, ErrAuth)
	var te *textproto.Error
	assert.False(t, errors.As(err, &te), "an error whose text held the secret leaves the chain")

	clean := newOpError("send", nil, &textproto.Error{Code: 451, Msg: "try later"}, secrets)
	assert.True(t, errors.As(clean, &te))
	assert.True(t, IsTemporary(clean))
}

func TestMessageIDDomain(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "example.com", messageIDDomain("Roster <no-reply@Example.COM>", "helo.test"))
	assert.Equal(t, "helo.test", messageIDDomain("bad", "helo.test"))
	assert.Equal(t, "helo.test", messageIDDomain("a@bücher.example", "helo.test"))
	assert.Equal(t, "localhost", messageIDDomain("", ""))
}
