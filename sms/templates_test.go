package sms_test

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/sms"
)

func TestTemplatesBuiltin(t *testing.T) {
	t.Parallel()
	tpl, err := sms.NewTemplates(sms.TemplateConfig{})
	require.NoError(t, err)
	code := sms.LoginCodeData{Code: "123456", ValidFor: 10 * time.Minute}
	details := sms.LoginDetailsData{AccountName: "Acme", Username: "alice", Link: "https://x.example/reset?token=t"}
	tests := []struct {
		name, lang string
		data       any
		want       string
	}{
		{sms.TemplateLoginCode, "en", code, "Your verification code is 123456. It is valid for 10 minutes. Never share it."},
		{sms.TemplateLoginCode, "", code, "Your verification code is 123456. It is valid for 10 minutes. Never share it."},
		{sms.TemplateLoginCode, "en-GB", code, "Your verification code is 123456. It is valid for 10 minutes. Never share it."},
		{sms.TemplateLoginCode, "es-MX", code, "Su código de verificación es 123456. Es válido durante 10 minutos. No lo comparta."},
		{sms.TemplateLoginCode, "de-AT", code, "Ihr Bestätigungscode lautet 123456. Er ist 10 Minuten gültig. Geben Sie ihn nicht weiter."},
		{sms.TemplateLoginCode, "sv", code, "Din verifieringskod är 123456. Den gäller i 10 minuter. Dela den aldrig."},
		{sms.TemplateLoginCode, "fr", code, "Your verification code is 123456. It is valid for 10 minutes. Never share it."},
		{sms.TemplateLoginCode, "not a tag!", code, "Your verification code is 123456. It is valid for 10 minutes. Never share it."},
		{sms.TemplateLoginDetails, "en", details, "Acme: your username is alice. Set your password here: https://x.example/reset?token=t"},
		{sms.TemplateLoginDetails, "en", sms.LoginDetailsData{Username: "bob", Link: "L"}, "your username is bob. Set your password here: L"},
		{sms.TemplateLoginDetails, "es", details, "Acme: su usuario es alice. Elija su contraseña aquí: https://x.example/reset?token=t"},
		{sms.TemplateLoginDetails, "de", details, "Acme: your username is alice. Set your password here: https://x.example/reset?token=t"},
		{sms.TemplateOwnership, "es", sms.OwnershipData{AccountName: "Acme", Link: "L"}, "Acme asks to add your user to its account. Review the request: L"},
		{sms.TemplateLoginCode, "en", map[string]any{"Code": "42", "Minutes": 5}, "Your verification code is 42. It is valid for 5 minutes. Never share it."},
	}
	for _, tt := range tests {
		got, err := tpl.Render(tt.name, tt.lang, tt.data)
		require.NoError(t, err, "%s/%s", tt.lang, tt.name)
		assert.Equal(t, tt.want, got, "%s/%s", tt.lang, tt.name)
	}
	assert.Equal(t, 1, sms.LoginCodeData{ValidFor: 30 * time.Second}.Minutes(), "never 0 minutes")
}

func TestTemplatesErrors(t *testing.T) {
	t.Parallel()
	tpl, err := sms.NewTemplates(sms.TemplateConfig{})
	require.NoError(t, err)
	_, err = tpl.Render("nope", "en", nil)
	assert.ErrorIs(t, err, sms.ErrNoTemplate)
	_, err = tpl.Render(sms.TemplateLoginCode, "en", map[string]any{"Minutes": 5})
	assert.ErrorContains(t, err, `map has no entry for key "Code"`, "a missing key is an error, not <no value>")
	_, err = tpl.Render(sms.TemplateLoginCode, "en", struct{ Code string }{"secret-654321"})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "654321", "errors never carry data")
	assert.True(t, tpl.Has(sms.TemplateOwnership, "pt-BR"))
	assert.False(t, tpl.Has("nope", "en"))
}

func TestTemplatesHost(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"en/login_code.txt":    {Data: []byte("  {{.Code}} is your Acme code\n")},
		"pt-BR/login_code.txt": {Data: []byte("Seu código: {{.Code}}")},
		"pt/welcome.txt":       {Data: []byte("Olá {{.Name}}")},
		"README.md":            {Data: []byte("ignored")},
		"en/deep/x.txt":        {Data: []byte("ignored")},
		"notes.txt":            {Data: []byte("ignored: not in a language folder")},
	}
	tpl, err := sms.NewTemplates(sms.TemplateConfig{
		FS: fsys,
		Texts: map[string]map[string]string{
			"de":    {sms.TemplateLoginCode: "Code: {{.Code}}"},
			"en-GB": {sms.TemplateOwnership: "{{.AccountName}} would like to add you: {{.Link}}"},
		},
		DefaultLanguage: "es",
	})
	require.NoError(t, err)
	code := sms.LoginCodeData{Code: "123456", ValidFor: 10 * time.Minute}
	tests := []struct {
		name, lang string
		data       any
		want       string
	}{
		{sms.TemplateLoginCode, "en", code, "123456 is your Acme code"},
		{sms.TemplateLoginCode, "pt-BR", code, "Seu código: 123456"},
		{sms.TemplateLoginCode, "pt-PT", code, "Su código de verificación es 123456. Es válido durante 10 minutos. No lo comparta."},
		{sms.TemplateLoginCode, "de-CH", code, "Code: 123456"},
		{sms.TemplateLoginCode, "", code, "Su código de verificación es 123456. Es válido durante 10 minutos. No lo comparta."},
		{sms.TemplateOwnership, "en-GB", sms.OwnershipData{AccountName: "Acme", Link: "L"}, "Acme would like to add you: L"},
		{sms.TemplateOwnership, "en-US", sms.OwnershipData{AccountName: "Acme", Link: "L"}, "Acme asks to add your user to its account. Review the request: L"},
		{"welcome", "pt-BR", map[string]string{"Name": "Ana"}, "Olá Ana"},
	}
	for _, tt := range tests {
		got, err := tpl.Render(tt.name, tt.lang, tt.data)
		require.NoError(t, err, "%s/%s", tt.lang, tt.name)
		assert.Equal(t, tt.want, got, "%s/%s", tt.lang, tt.name)
	}
}

func TestTemplatesHostErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  sms.TemplateConfig
		want string
	}{
		{"syntax", sms.TemplateConfig{Texts: map[string]map[string]string{"en": {"x": "{{.Code"}}}, "sms: template en/x:"},
		{"misspelt field", sms.TemplateConfig{Texts: map[string]map[string]string{"en": {sms.TemplateLoginCode: "{{.Pin}}"}}},
			"can't evaluate field Pin"},
		{"bad language", sms.TemplateConfig{Texts: map[string]map[string]string{"english!": {"x": "y"}}}, `template language "english!" is not a bcp 47 tag`},
		{"empty name", sms.TemplateConfig{Texts: map[string]map[string]string{"en": {"": "y"}}}, "empty name"},
		{"bad default", sms.TemplateConfig{DefaultLanguage: "??"}, `default language "??" is not a bcp 47 tag`},
		{"runaway", sms.TemplateConfig{Texts: map[string]map[string]string{"en": {sms.TemplateLoginCode: "{{range 100000}}{{$.Code}}{{end}}"}}},
			"text over 4096 bytes"},
		{"big file", sms.TemplateConfig{FS: fstest.MapFS{"en/x.txt": {Data: []byte(strings.Repeat("x", 5000))}}}, "over 4096 bytes"},
		{"bad folder", sms.TemplateConfig{FS: fstest.MapFS{"xx-!!/x.txt": {Data: []byte("x")}}}, "not a bcp 47 tag"},
	}
	for _, tt := range tests {
		_, err := sms.NewTemplates(tt.cfg)
		assert.ErrorContains(t, err, tt.want, tt.name)
	}
	tpl, err := sms.NewTemplates(sms.TemplateConfig{Texts: map[string]map[string]string{"en": {"loop": "{{range .}}{{.}}{{end}}"}}})
	require.NoError(t, err)
	_, err = tpl.Render("loop", "en", make([]string, 5000))
	assert.NoError(t, err, "empty strings: short output")
	_, err = tpl.Render("loop", "en", strings.Split(strings.Repeat("ab,", 3000), ","))
	assert.ErrorContains(t, err, "text over 4096 bytes")
}
