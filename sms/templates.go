package sms

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
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
	// Code is the PIN.
	Code string
	// ValidFor is how long the PIN lasts.
	ValidFor time.Duration
}

// Minutes returns ValidFor in whole minutes, at least 1, for templates.
func (d LoginCodeData) Minutes() int { return max(int(d.ValidFor/time.Minute), 1) }

// LoginDetailsData is the data of TemplateLoginDetails.
type LoginDetailsData struct {
	// AccountName is the company the user belongs to; may be empty.
	AccountName string
	// Username is the user's login name.
	Username string
	// Link opens the set-password page.
	Link string
}

// OwnershipData is the data of TemplateOwnership.
type OwnershipData struct {
	// AccountName is the account asking to take the user over.
	AccountName string
	// Link opens the page to accept or decline.
	Link string
}

// builtin returns roster's own texts: language → name → text.
func builtin() map[string]map[string]string {
	return map[string]map[string]string{
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
		"sv": {
			TemplateLoginCode: "Din verifieringskod är {{.Code}}. Den gäller i {{.Minutes}} minuter. Dela den aldrig.",
		},
	}
}

// sampleData returns data to try a host's text of a known template on.
func sampleData(name string) (any, bool) {
	switch name {
	case TemplateLoginCode:
		return LoginCodeData{Code: "123456", ValidFor: 10 * time.Minute}, true
	case TemplateLoginDetails:
		return LoginDetailsData{AccountName: "Acme", Username: "alice", Link: "https://example.com/reset?token=x"}, true
	case TemplateOwnership:
		return OwnershipData{AccountName: "Acme", Link: "https://example.com/ownership?token=x"}, true
	}
	return nil, false
}

// MaxRendered is the most bytes Render produces; a longer text is an
// error. It is ten full UCS-2 segments' worth and more.
const MaxRendered = 4096

// TemplateConfig configures NewTemplates. The zero value gives the
// built-in texts.
type TemplateConfig struct {
	// Texts holds the host's texts, language (BCP 47) → name → text in
	// text/template syntax; a host text replaces the built-in one of the
	// same language and name. Texts wins over FS.
	Texts map[string]map[string]string
	// FS holds more host texts as "<language>/<name>.txt" (for example
	// "en/login_code.txt", "pt-BR/login_code.txt"); files elsewhere are
	// ignored. Nil means none.
	FS fs.FS
	// DefaultLanguage is tried after the requested language and before
	// English. Empty means English.
	DefaultLanguage string
}

// Templates words the SMS roster sends, per language, with text/template.
// A language falls back along its BCP 47 parents ("en-GB" → "en",
// "pt-BR" → "pt"), then to TemplateConfig.DefaultLanguage, then to
// English. A missing field or map key is an error, never "<no value>".
// A Templates is safe for concurrent use.
type Templates struct {
	byLang   map[string]map[string]*template.Template
	fallback string
}

// ErrNoTemplate is returned by Render for a name no language has.
var ErrNoTemplate = errors.New("sms: no such template")

// NewTemplates parses the built-in texts and the host's. A host text of
// a roster template (TemplateLoginCode...) is tried on sample data, so
// that a misspelt field fails here rather than at the first login.
func NewTemplates(cfg TemplateConfig) (*Templates, error) {
	t := &Templates{byLang: map[string]map[string]*template.Template{}}
	if cfg.DefaultLanguage != "" {
		tag, err := language.Parse(cfg.DefaultLanguage)
		if err != nil {
			return nil, fmt.Errorf("sms: default language %q is not a bcp 47 tag", cfg.DefaultLanguage)
		}
		t.fallback = tag.String()
	}
	for lang, texts := range builtin() {
		for name, text := range texts {
			if err := t.add(lang, name, text, false); err != nil {
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
			dir = strings.TrimSuffix(dir, "/")
			if dir == "" || strings.Contains(dir, "/") {
				return nil
			}
			b, err := fs.ReadFile(cfg.FS, p)
			if err != nil {
				return fmt.Errorf("sms: template %s: %w", p, err)
			}
			if len(b) > MaxRendered {
				return fmt.Errorf("sms: template %s is over %d bytes", p, MaxRendered)
			}
			return t.add(dir, strings.TrimSuffix(file, ".txt"), strings.TrimSpace(string(b)), true)
		})
		if err != nil {
			return nil, err
		}
	}
	langs := make([]string, 0, len(cfg.Texts))
	for lang := range cfg.Texts {
		langs = append(langs, lang)
	}
	sort.Strings(langs) // the same error first on every run
	for _, lang := range langs {
		names := make([]string, 0, len(cfg.Texts[lang]))
		for name := range cfg.Texts[lang] {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if err := t.add(lang, name, cfg.Texts[lang][name], true); err != nil {
				return nil, err
			}
		}
	}
	return t, nil
}

// add parses one text; host texts of roster's templates are tried.
func (t *Templates) add(lang, name, text string, host bool) error {
	tag, err := language.Parse(lang)
	if err != nil {
		return fmt.Errorf("sms: template language %q is not a bcp 47 tag", lang)
	}
	lang = tag.String()
	if name == "" {
		return fmt.Errorf("sms: template %s: empty name", lang)
	}
	tpl, err := template.New(name).Option("missingkey=error").Parse(text)
	if err != nil {
		return fmt.Errorf("sms: template %s/%s: %w", lang, name, err)
	}
	if data, ok := sampleData(name); ok && host {
		if err := execute(tpl, data); err != nil {
			return fmt.Errorf("sms: template %s/%s: %w", lang, name, err)
		}
	}
	if t.byLang[lang] == nil {
		t.byLang[lang] = map[string]*template.Template{}
	}
	t.byLang[lang][name] = tpl
	return nil
}

// chain returns the languages to try for tag, most specific first.
func (t *Templates) chain(tag string) []string {
	out := make([]string, 0, 4)
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

// Render words the message name in language lang (a BCP 47 tag; empty
// or unparsable means the default) with data. It returns ErrNoTemplate
// (wrapped) when no language in the fallback chain has name, and an
// error when data lacks a field the text uses or the text renders to
// more than MaxRendered bytes. Errors never contain data.
func (t *Templates) Render(name, lang string, data any) (string, error) {
	for _, l := range t.chain(lang) {
		tpl, ok := t.byLang[l][name]
		if !ok {
			continue
		}
		var b limitedBuffer
		if err := tpl.Execute(&b, data); err != nil {
			if errors.Is(err, errTooLong) {
				return "", fmt.Errorf("sms: render %s/%s: %w", l, name, errTooLong)
			}
			return "", fmt.Errorf("sms: render %s/%s: %w", l, name, err)
		}
		return b.String(), nil
	}
	return "", fmt.Errorf("%w: %q", ErrNoTemplate, name)
}

// Has reports whether name exists in lang or its fallbacks.
func (t *Templates) Has(name, lang string) bool {
	for _, l := range t.chain(lang) {
		if _, ok := t.byLang[l][name]; ok {
			return true
		}
	}
	return false
}

func execute(tpl *template.Template, data any) error {
	var b limitedBuffer
	return tpl.Execute(&b, data)
}

var errTooLong = fmt.Errorf("text over %d bytes", MaxRendered)

// limitedBuffer refuses to grow past MaxRendered, which stops a runaway
// template.
type limitedBuffer struct{ bytes.Buffer }

// Write appends p, or fails with errTooLong past MaxRendered.
func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > MaxRendered {
		return 0, errTooLong
	}
	return b.Buffer.Write(p)
}
