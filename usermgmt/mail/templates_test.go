package mail_test

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt/mail"
)

func newTemplates(t testing.TB, cfg mail.TemplateConfig) *mail.Templates {
	t.Helper()
	tpl, err := mail.NewTemplates(cfg)
	require.NoError(t, err)
	return tpl
}

func TestTemplatesBuiltIn(t *testing.T) {
	t.Parallel()
	tpl := newTemplates(t, mail.TemplateConfig{})
	const week = 7 * 24 * time.Hour
	tests := []struct {
		name     string
		data     any
		subject  string
		link     string
		contains []string // in both bodies
	}{
		{
			name:     mail.Welcome,
			data:     mail.WelcomeData{Name: "Ada", Username: "ada.l", AccountName: "Acme", Link: "https://x.test/activate?t=abc&u=1", ValidFor: week},
			subject:  "Your Acme account: choose your password",
			link:     "https://x.test/activate?t=abc&u=1",
			contains: []string{"Hello Ada,", "ada.l", "valid for 7 days", "stays pending"},
		},
		{
			name:     mail.Invitation,
			data:     mail.InvitationData{AccountName: "Acme", InviterName: "Grace Hopper", Link: "https://x.test/invite/tok", ValidFor: week},
			subject:  "Grace Hopper invited you to join Acme",
			link:     "https://x.test/invite/tok",
			contains: []string{"Grace Hopper", "Acme", "valid for 7 days"},
		},
		{
			name:     mail.PasswordReset,
			data:     mail.ResetData{Name: "Ada", Username: "ada.l", Link: "https://x.test/reset/tok", ValidFor: time.Hour},
			subject:  "Reset your password",
			link:     "https://x.test/reset/tok",
			contains: []string{"valid for 1 hour", "If you did not ask for this, ignore this email"},
		},
		{
			name:     mail.UsernameReminder,
			data:     mail.UsernameData{Name: "Ada", Usernames: []string{"ada.l", "ada.admin"}, LoginLink: "https://x.test/login"},
			subject:  "Your usernames",
			link:     "https://x.test/login",
			contains: []string{"ada.l", "ada.admin", "usernames linked to this email address"},
		},
		{
			name:     mail.OwnershipRequest,
			data:     mail.OwnershipData{Name: "Ada", Username: "ada.l", RequestingAccount: "Globex", RequesterName: "Hank", Link: "https://x.test/own/tok", ValidFor: week},
			subject:  "Globex asks to take over your user account",
			link:     "https://x.test/own/tok",
			contains: []string{"Hank", "Globex", "accept or decline", "expires in 7 days"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msg, err := tpl.Render(tt.name, "en", tt.data)
			require.NoError(t, err)
			assert.Equal(t, tt.subject, msg.Subject)
			assert.Equal(t, tt.name, msg.Tag)
			assert.Equal(t, tt.link, mail.FirstLink(msg))
			assert.Contains(t, msg.HTML, `href="`+strings.ReplaceAll(tt.link, "&", "&amp;")+`"`)
			assert.True(t, strings.HasSuffix(msg.Text, ".\n"), "text ends with one line break: %q", msg.Text)
			assert.NotContains(t, msg.Text, "\n\n\n")
			assert.NotContains(t, msg.Text+msg.HTML, "<no value>")
			for _, c := range tt.contains {
				assert.Contains(t, msg.Text, c)
				assert.Contains(t, msg.HTML, c)
			}
			msg.To = []string{"ada@example.com"}
			require.NoError(t, msg.Validate())
		})
	}
}

func TestTemplatesOptionalFields(t *testing.T) {
	t.Parallel()
	tpl := newTemplates(t, mail.TemplateConfig{})
	msg, err := tpl.Render(mail.Welcome, "en", mail.WelcomeData{Link: "https://x.test/a"})
	require.NoError(t, err)
	assert.Equal(t, "Your new account: choose your password", msg.Subject)
	assert.Contains(t, msg.Text, "Hello,\n")
	assert.NotContains(t, msg.Text, "valid for")
	assert.NotContains(t, msg.Text, "Username:")

	msg, err = tpl.Render(mail.UsernameReminder, "en", mail.UsernameData{Usernames: []string{"solo"}})
	require.NoError(t, err)
	assert.Equal(t, "Your username", msg.Subject)
	assert.Contains(t, msg.Text, "    solo\n")
	assert.Empty(t, mail.FirstLink(msg))
}

func TestWelcomeActiveUser(t *testing.T) {
	t.Parallel()
	tpl := newTemplates(t, mail.TemplateConfig{})
	for _, lang := range []string{"en", "pt"} {
		pending, err := tpl.Render(mail.Welcome, lang, mail.WelcomeData{Link: "https://x.test/a"})
		require.NoError(t, err)
		active, err := tpl.Render(mail.Welcome, lang, mail.WelcomeData{Link: "https://x.test/a", Active: true})
		require.NoError(t, err)
		for _, m := range []string{pending.Text, pending.HTML} {
			assert.Regexp(t, "pending|pendente", m, lang)
		}
		for _, m := range []string{active.Text, active.HTML} {
			assert.NotRegexp(t, "pending|pendente", m, "%s: an active user is not told the account is pending", lang)
			assert.Contains(t, m, "https://x.test/a", lang)
		}
	}
}

func TestTemplatesLanguageFallback(t *testing.T) {
	t.Parallel()
	tpl := newTemplates(t, mail.TemplateConfig{})
	ptDefault := newTemplates(t, mail.TemplateConfig{DefaultLanguage: "pt"})
	tests := []struct {
		tpl  *mail.Templates
		name string
		lang string
		want string
	}{
		{tpl, mail.Welcome, "pt-BR", "pt"},
		{tpl, mail.Welcome, "pt", "pt"},
		{tpl, mail.Welcome, "PT_br", "pt"},
		{tpl, mail.Welcome, "pt-Latn-BR", "pt"},
		{tpl, mail.Invitation, "pt-PT", "pt"},
		{tpl, mail.UsernameReminder, "pt-BR", "en"},
		{tpl, mail.Welcome, "en-GB", "en"},
		{tpl, mail.Welcome, "de-CH", "en"},
		{tpl, mail.Welcome, "", "en"},
		{tpl, mail.Welcome, "not a language!", "en"},
		{tpl, mail.Welcome, "und", "en"},
		{ptDefault, mail.Welcome, "de", "pt"},
		{ptDefault, mail.Welcome, "", "pt"},
		{ptDefault, mail.OwnershipRequest, "de", "en"},
		{ptDefault, mail.Welcome, "en-US", "en"},
	}
	for _, tt := range tests {
		got, ok := tt.tpl.Lookup(tt.name, tt.lang)
		require.True(t, ok, "%s %q", tt.name, tt.lang)
		assert.Equal(t, tt.want, got, "%s %q", tt.name, tt.lang)
	}

	msg, err := tpl.Render(mail.Welcome, "pt-BR", mail.WelcomeData{Name: "Zoë", Link: "https://x.test/a", ValidFor: 7 * 24 * time.Hour})
	require.NoError(t, err)
	assert.Equal(t, "Sua nova conta: escolha sua senha", msg.Subject)
	assert.Contains(t, msg.Text, "Olá Zoë,")
	assert.Contains(t, msg.Text, "válido por 7 dias")
	assert.Contains(t, msg.HTML, `<html lang="pt">`)

	msg, err = tpl.Render(mail.PasswordReset, "pt", mail.ResetData{Link: "https://x.test/r", ValidFor: time.Hour})
	require.NoError(t, err)
	assert.Contains(t, msg.Text, "válido por 1 hora")
}

func TestTemplatesEscaping(t *testing.T) {
	t.Parallel()
	tpl := newTemplates(t, mail.TemplateConfig{})
	msg, err := tpl.Render(mail.Invitation, "en", mail.InvitationData{
		AccountName: `Acme & "Sons"`,
		InviterName: `<script>alert("x")</script>`,
		Link:        "javascript:alert(1)",
	})
	require.NoError(t, err)
	assert.NotContains(t, msg.HTML, "<script>")
	assert.Contains(t, msg.HTML, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;")
	assert.Contains(t, msg.HTML, "Acme &amp; &#34;Sons&#34;")
	assert.NotContains(t, msg.HTML, `href="javascript:`, "unsafe URL schemes are neutralised")
	assert.Contains(t, msg.HTML, `href="#ZgotmplZ"`)
	// Plain text is not HTML: it carries the name as written.
	assert.Contains(t, msg.Text, `<script>alert("x")</script> has invited you`)
}

func TestTemplatesSubjectIsOneLine(t *testing.T) {
	t.Parallel()
	tpl := newTemplates(t, mail.TemplateConfig{})
	msg, err := tpl.Render(mail.Invitation, "en", mail.InvitationData{AccountName: "Acme\r\nBcc: eve@evil.test", Link: "https://x.test/i"})
	require.NoError(t, err)
	assert.Equal(t, "You are invited to join Acme Bcc: eve@evil.test", msg.Subject)
	msg.To = []string{"ada@example.com"}
	assert.NoError(t, msg.Validate())
}

func TestTemplatesErrors(t *testing.T) {
	t.Parallel()
	tpl := newTemplates(t, mail.TemplateConfig{})

	_, err := tpl.Render("nope", "en", nil)
	assert.ErrorIs(t, err, mail.ErrNoTemplate)
	_, err = tpl.Render("../en/welcome", "en", nil)
	assert.ErrorIs(t, err, mail.ErrNoTemplate)

	_, err = tpl.Render(mail.Welcome, "en", map[string]any{"Name": "Ada"})
	require.Error(t, err, "a missing map key is an error, not <no value>")
	assert.Contains(t, err.Error(), "mail: render en/welcome")

	_, err = tpl.Render(mail.Welcome, "en", mail.ResetData{})
	require.Error(t, err, "a struct without the field is an error")

	_, err = tpl.Render(mail.Welcome, "en", nil)
	require.Error(t, err)

	var nilTpl *mail.Templates
	_, err = nilTpl.Render(mail.Welcome, "en", nil)
	require.Error(t, err)

	_, err = mail.NewTemplates(mail.TemplateConfig{DefaultLanguage: "!!"})
	assert.ErrorContains(t, err, "default language")
}

func TestTemplatesHostOverrides(t *testing.T) {
	t.Parallel()
	host := fstest.MapFS{
		// Only the English subject: the bodies stay built-in.
		"en/welcome.subject.txt": {Data: []byte("Welcome aboard, {{.Name}}\n")},
		// A new language for one mail.
		"de/welcome.subject.txt": {Data: []byte("Willkommen{{with .AccountName}} bei {{.}}{{end}}")},
		"de/welcome.txt":         {Data: []byte("Hallo {{.Name}},\n\nPasswort festlegen: {{.Link}}\n\nGültig für {{validFor .ValidFor}}.\n")},
		// A new mail, text only.
		"en/notice.subject.txt": {Data: []byte("Notice: {{.Title}}")},
		"en/notice.txt":         {Data: []byte("{{.Body}}")},
		// Ignored: not a template, a root file, a dotfile.
		"en/README.md":  {Data: []byte("notes")},
		"README.txt":    {Data: []byte("root")},
		"en/.swp.html":  {Data: []byte("{{")},
		".git/HEAD.txt": {Data: []byte("{{")},
	}
	tpl := newTemplates(t, mail.TemplateConfig{FS: host})
	data := mail.WelcomeData{Name: "Ada", AccountName: "Acme", Link: "https://x.test/a", ValidFor: 48 * time.Hour}

	msg, err := tpl.Render(mail.Welcome, "en", data)
	require.NoError(t, err)
	assert.Equal(t, "Welcome aboard, Ada", msg.Subject)
	assert.Contains(t, msg.Text, "valid for 2 days", "built-in body kept")
	assert.NotEmpty(t, msg.HTML)

	msg, err = tpl.Render(mail.Welcome, "pt-BR", data)
	require.NoError(t, err)
	assert.Equal(t, "Sua conta em Acme: escolha sua senha", msg.Subject, "a language-specific built-in beats a host English override")

	msg, err = tpl.Render(mail.Welcome, "de-AT", data)
	require.NoError(t, err)
	assert.Equal(t, "Willkommen bei Acme", msg.Subject)
	assert.Contains(t, msg.Text, "Gültig für 2 Tage.")
	assert.Empty(t, msg.HTML, "host mail without html")

	msg, err = tpl.Render("notice", "fr", map[string]string{"Title": "Maintenance", "Body": "Tonight."})
	require.NoError(t, err)
	assert.Equal(t, "Notice: Maintenance", msg.Subject)
	assert.Equal(t, "Tonight.\n", msg.Text)
	assert.Equal(t, "notice", msg.Tag)
}

func TestTemplatesHostErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fs   fstest.MapFS
		want string
	}{
		{"typo in a built-in mail", fstest.MapFS{"en/welcome.txt": {Data: []byte("Hi {{.Lnik}}")}}, "host en/welcome does not render with mail.WelcomeData"},
		{"parse error", fstest.MapFS{"en/reset.html": {Data: []byte("<p>{{.Link</p>")}}, "en/reset.html"},
		{"bad language directory", fstest.MapFS{"english!/welcome.txt": {Data: []byte("x")}}, `directory "english!" is not a bcp 47 language tag`},
		{"missing subject", fstest.MapFS{"en/notice.txt": {Data: []byte("x")}}, "host en/notice: missing notice.subject.txt"},
		{"missing body", fstest.MapFS{"en/notice.subject.txt": {Data: []byte("x")}}, "host en/notice: missing a body"},
		{"bad mail name", fstest.MapFS{"en/Wel come.txt": {Data: []byte("x")}}, "mail names use a-z"},
		{"too large", fstest.MapFS{"en/welcome.txt": {Data: []byte(strings.Repeat("a", mail.MaxTemplateBytes+1))}}, "larger than"},
		{"same template twice", fstest.MapFS{"pt/welcome.txt": {Data: []byte("{{.Link}}")}, "pt-pt/welcome.txt": {Data: []byte("{{.Link}}")}, "PT/welcome.txt": {Data: []byte("x")}}, "are the same template"},
		{"unsafe html context", fstest.MapFS{"en/reset.html": {Data: []byte("<a href='{{.Link}}>x")}}, "en/reset.html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := mail.NewTemplates(mail.TemplateConfig{FS: tt.fs})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestDefaultFS(t *testing.T) {
	t.Parallel()
	names, err := fs.Glob(mail.DefaultFS(), "*/*")
	require.NoError(t, err)
	for _, lang := range []string{"en"} {
		for _, name := range []string{mail.Welcome, mail.Invitation, mail.PasswordReset, mail.UsernameReminder, mail.OwnershipRequest} {
			for _, ext := range []string{".subject.txt", ".txt", ".html"} {
				assert.Contains(t, names, lang+"/"+name+ext)
			}
		}
	}
	assert.Contains(t, names, "pt/welcome.txt")
	// The tree a host copies from is accepted as a host tree.
	_, err = mail.NewTemplates(mail.TemplateConfig{FS: mail.DefaultFS()})
	require.NoError(t, err)
}

func FuzzRender(f *testing.F) {
	tpl, err := mail.NewTemplates(mail.TemplateConfig{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(mail.Invitation, "en", "Acme", "Grace", "https://x.test/i?t=1", int64(7*24*time.Hour))
	f.Add(mail.Welcome, "pt-BR", "Zoë & Co", "<script>alert(1)</script>", "javascript:alert(1)", int64(time.Hour))
	f.Add(mail.OwnershipRequest, "zh-Hant-TW", "\r\nBcc: x", "{{.Link}}", "", int64(-1))
	f.Add(mail.UsernameReminder, "\xff", "", "", "https://x.test/\"><b>", int64(90*time.Minute))
	f.Fuzz(func(t *testing.T, name, lang, account, person, link string, validFor int64) {
		var data any
		d := time.Duration(validFor)
		switch name {
		case mail.Welcome:
			data = mail.WelcomeData{Name: person, Username: person, AccountName: account, Link: link, ValidFor: d}
		case mail.Invitation:
			data = mail.InvitationData{AccountName: account, InviterName: person, Link: link, ValidFor: d}
		case mail.PasswordReset:
			data = mail.ResetData{Name: person, Username: person, Link: link, ValidFor: d}
		case mail.UsernameReminder:
			data = mail.UsernameData{Name: person, Usernames: []string{person, account}, LoginLink: link}
		case mail.OwnershipRequest:
			data = mail.OwnershipData{Name: person, RequestingAccount: account, RequesterName: person, Link: link, ValidFor: d}
		default:
			data = map[string]string{"Name": person}
		}
		msg, err := tpl.Render(name, lang, data)
		if err != nil {
			if !errors.Is(err, mail.ErrNoTemplate) {
				t.Fatalf("render %q: %v", name, err)
			}
			return
		}
		if strings.ContainsAny(msg.Subject, "\r\n") {
			t.Fatalf("subject with a line break: %q", msg.Subject)
		}
		for _, s := range []string{account, person, link} {
			if strings.Contains(strings.ToLower(s), "<script") && strings.Contains(strings.ToLower(msg.HTML), "<script") {
				t.Fatalf("unescaped script in html: %q", msg.HTML)
			}
		}
	})
}

func FuzzTemplatesHost(f *testing.F) {
	f.Add("en", "welcome", "Hi {{.Name}}", "{{.Link}}", "<a href=\"{{.Link}}\">x</a>")
	f.Add("pt-BR", "notice", "{{", "{{end}}", "<script>{{.}}</script>")
	f.Add("x", "reset", "{{template \"x\"}}", "{{define \"a\"}}{{end}}", "<a href='{{.Link}}")
	f.Fuzz(func(t *testing.T, lang, name, subject, text, html string) {
		host := fstest.MapFS{
			lang + "/" + name + ".subject.txt": {Data: []byte(subject)},
			lang + "/" + name + ".txt":         {Data: []byte(text)},
			lang + "/" + name + ".html":        {Data: []byte(html)},
		}
		tpl, err := mail.NewTemplates(mail.TemplateConfig{FS: host})
		if err != nil {
			return
		}
		_, _ = tpl.Render(name, lang, map[string]any{"Name": "Ada", "Link": "https://x.test"})
	})
}
