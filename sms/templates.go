package sms

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"text/template"
	"time"

	"golang.org/x/text/language"
)

// The messages roster sends by SMS, by template name.
const (
	// TemplateLoginCode carries the PIN of a login (LoginCodeData).
	TemplateLoginCode = "login_code"
	// TemplateLoginDetails carries a username and a set-password link,
	// never a password (LoginDetailsData; seed 002).
	TemplateLoginDetails = "login_details"
	// TemplateOwnership asks a user to review an ownership request
	// (OwnershipData; seed 000).
	TemplateOwnership = "ownership"
)

// LoginCodeData is the data of TemplateLoginCode.
type LoginCodeData struct {
	Code     string
	ValidFor time.Duration
}

// Minutes returns ValidFor in whole minutes, for templates.
func (d LoginCodeData) Minutes() int { return int(d.ValidFor / time.Minute) }

// LoginDetailsData is the data of TemplateLoginDetails.
type LoginDetailsData struct {
	AccountName string
	Username    string
	Link        string // opens the set-password page
}

// OwnershipData is the data of TemplateOwnership.
type OwnershipData struct {
	AccountName string // the account asking to take the user over
	Link        string // opens the page to accept or decline
}

// builtin holds roster's own texts: language → name → template.
var builtin = map[string]map[string]string{
	"en": {
		TemplateLoginCode:    "Your verification code is {{.Code}}. It is valid for {{.Minutes}} minutes. Never share it.",
		TemplateLoginDetails: "{{if .AccountName}}{{.AccountName}}: {{end}}your username is {{.Username}}. Set your password here: {{.Link}}",
		TemplateOwnership:    "{{.AccountName}} asks to add your user to its account. Review the request: {{.Link}}",
	},
	"es": {
		TemplateLoginCode:    "Su código de verificación es {{.Code}}. Es válido durante {{.Minutes}} minutos. No lo comparta.",
		TemplateLoginDetails: "{{if .AccountName}}{{.AccountName}}: {{end}}su usuario es {{.Username}}. Elija su contraseña aquí: {{.Link}}",
	},
	"de": {
		TemplateLoginCode: "Ihr Bestätigungscode lautet {{.Code}}. Er ist {{.Minutes}} Minuten gültig. Geben Sie ihn nicht weiter.",
	},
}

// TemplateConfig configures NewTemplates. The zero value gives the
// built-in texts.
type TemplateConfig struct {
	// FS holds the host's texts as "<language>/<name>.txt" (for example
	// "en/login_code.txt"); a host text replaces the built-in one of the
	// same language and name. Nil means built-ins only.
	FS fs.FS
	// DefaultLanguage is tried after the requested language and before
	// English. Empty means English.
	DefaultLanguage string
}

// Templates words the SMS roster sends, per language, with text/template.
// A language falls back along its BCP 47 parents ("pt-BR" → "pt"), then
// to TemplateConfig.DefaultLanguage, then to English. Missing fields are
// errors, never "<no value>". A Templates is safe for concurrent use.
type Templates struct {
	byLang   map[string]map[string]*template.Template
	fallback string
}

// ErrNoTemplate is returned by Render for a name no language has.
var ErrNoTemplate = errors.New("sms: no such template")

// NewTemplates parses the built-in texts and the host's.
func NewTemplates(cfg TemplateConfig) (*Templates, error) {
	t := &Templates{byLang: map[string]map[string]*template.Template{}, fallback: canonical(cfg.DefaultLanguage)}
	add := func(lang, name, text string) error {
		tpl, err := template.New(name).Option("missingkey=error").Parse(text)
		if err != nil {
			return fmt.Errorf("sms: template %s/%s: %w", lang, name, err)
		}
		if t.byLang[lang] == nil {
			t.byLang[lang] = map[string]*template.Template{}
		}
		t.byLang[lang][name] = tpl
		return nil
	}
	for lang, texts := range builtin {
		for name, text := range texts {
			if err := add(lang, name, text); err != nil {
				return nil, err
			}
		}
	}
	if cfg.FS != nil {
		err := fs.WalkDir(cfg.FS, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || path.Ext(p) != ".txt" {
				return err
			}
			dir, file := path.Split(p)
			lang := canonical(strings.Trim(dir, "/"))
			if lang == "" || strings.Contains(strings.Trim(dir, "/"), "/") {
				return nil
			}
			b, err := fs.ReadFile(cfg.FS, p)
			if err != nil {
				return err
			}
			if len(b) > 4096 {
				return fmt.Errorf("sms: template %s is over 4096 bytes", p)
			}
			return add(lang, strings.TrimSuffix(file, ".txt"), strings.TrimSpace(string(b)))
		})
		if err != nil {
			return nil, err
		}
	}
	return t, nil
}

// canonical returns the BCP 47 form of a tag, or "" when it is none.
func canonical(tag string) string {
	if tag == "" {
		return ""
	}
	t, err := language.Parse(tag)
	if err != nil {
		return ""
	}
	return t.String()
}

// chain returns the languages to try for tag, most specific first.
func (t *Templates) chain(tag string) []string {
	var out []string
	if tg, err := language.Parse(tag); err == nil {
		for ; !tg.IsRoot(); tg = tg.Parent() {
			out = append(out, tg.String())
		}
	}
	if t.fallback != "" {
		out = append(out, t.fallback)
	}
	return append(out, "en")
}

// Render words the message name in language lang with data.
func (t *Templates) Render(name, lang string, data any) (string, error) {
	for _, l := range t.chain(lang) {
		tpl, ok := t.byLang[l][name]
		if !ok {
			continue
		}
		var b bytes.Buffer
		if err := tpl.Execute(&b, data); err != nil {
			return "", fmt.Errorf("sms: render %s/%s: %w", l, name, err)
		}
		return b.String(), nil
	}
	return "", fmt.Errorf("%w: %q", ErrNoTemplate, name)
}
