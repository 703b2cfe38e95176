package mail

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	"golang.org/x/text/language"
)

//go:embed templates
var embedded embed.FS

// DefaultFS returns the built-in templates, laid out as TemplateConfig.FS
// expects: one directory per language, three files per mail. A host
// that wants to reword a mail copies a file from here into its own FS.
func DefaultFS() fs.FS {
	sub, err := fs.Sub(embedded, "templates")
	if err != nil { // cannot happen: the directory is embedded
		return embedded
	}
	return sub
}

// ErrNoTemplate matches (with errors.Is) a Render for a mail no
// template exists for, in any language of the fallback chain.
var ErrNoTemplate = errors.New("no such template")

// MaxTemplateBytes bounds one template file.
const MaxTemplateBytes = 256 << 10

// TemplateConfig configures NewTemplates. The zero value gives the
// built-in templates with English as the last fallback.
type TemplateConfig struct {
	// FS holds the host's templates, laid out like DefaultFS: a
	// directory per BCP 47 language ("en", "pt", "pt-BR", "zh-Hant"),
	// and in it, per mail, "<name>.subject.txt", "<name>.txt" and
	// "<name>.html". A host file replaces the built-in file of the same
	// language and name; a host mail may leave out files the built-in
	// set has in that language, and a new name adds a mail. The subject
	// and one body are required. Files other than .txt and .html, and
	// files at the root, are ignored. Nil means built-ins only.
	FS fs.FS
	// DefaultLanguage is tried after the requested language's chain and
	// before English, which always ends the chain. Empty means English.
	DefaultLanguage string
}

// Templates renders the mails roster sends, per language: the subject
// and the text body with text/template, the HTML body with
// html/template (so names and links are escaped for HTML). Missing map
// keys are errors, never "<no value>".
//
// A language is looked up along a BCP 47 fallback chain: "pt-BR" tries
// pt-BR, then pt, then TemplateConfig.DefaultLanguage, then en. At each
// step a host template beats a built-in one, so a host that rewrites the
// English welcome mail still gets the built-in Portuguese one for a
// Portuguese user.
//
// The built-in mails and the data they expect: Welcome (WelcomeData),
// Invitation (InvitationData), PasswordReset (ResetData),
// UsernameReminder (UsernameData), OwnershipRequest (OwnershipData).
// Built-in English versions of all five exist; Portuguese ("pt") of the
// first three.
//
// Every template is parsed by NewTemplates, and every template for one
// of those five names is executed there once with sample data, so that a
// typo in a host template ({{.Lnik}}) fails at start-up, not when the
// first user asks for a reset. A Templates is immutable and safe for
// concurrent use.
type Templates struct {
	def  []string
	host map[string]map[string]*unit // language -> name -> templates
	base map[string]map[string]*unit
}

// unit is one mail in one language.
type unit struct {
	lang    string
	subject *texttemplate.Template
	text    *texttemplate.Template // nil when the mail has no text body
	html    *htmltemplate.Template // nil when the mail has no HTML body
}

// WelcomeData is the data of the Welcome mail, sent to a user an admin
// created without a password.
type WelcomeData struct {
	// Name greets the user, e.g. the first name; optional.
	Name string
	// Username is the user's login name.
	Username string
	// AccountName is the company the account belongs to; optional.
	AccountName string
	// Link opens the set-password (activation) page.
	Link string
	// ValidFor is the link's lifetime (7 days by default); zero leaves
	// the sentence out.
	ValidFor time.Duration
	// Active says the account is already active (its password was set
	// by an admin or an import): the mail welcomes the user and offers
	// the link to choose a new password instead of asking them to
	// activate.
	Active bool
}

// InvitationData is the data of the Invitation mail.
type InvitationData struct {
	// AccountName is the company the invitee is asked to join.
	AccountName string
	// InviterName is the admin who sent the invitation; optional.
	InviterName string
	// Link opens the acceptance page, where the invitee chooses a
	// username and a password.
	Link string
	// ValidFor is the invitation's lifetime (7 days by default); zero
	// leaves the sentence out.
	ValidFor time.Duration
}

// ResetData is the data of the PasswordReset mail.
type ResetData struct {
	// Name greets the user; optional.
	Name string
	// Username is the user whose password may be reset; optional.
	Username string
	// Link opens the page where the user chooses a new password.
	Link string
	// ValidFor is the link's lifetime (1 hour by default); zero leaves
	// the sentence out.
	ValidFor time.Duration
}

// UsernameData is the data of the UsernameReminder mail.
type UsernameData struct {
	// Name greets the user; optional.
	Name string
	// Usernames lists the usernames tied to the address, at least one.
	Usernames []string
	// LoginLink opens the login page; optional.
	LoginLink string
}

// OwnershipData is the data of the OwnershipRequest mail, sent to a user
// of one account that another account asks to take over (the seeds'
// bulk import of an existing user).
type OwnershipData struct {
	// Name greets the user; optional.
	Name string
	// Username is the user being asked for; optional.
	Username string
	// RequestingAccount is the account asking to take the user over.
	RequestingAccount string
	// RequesterName is the admin who asked; optional.
	RequesterName string
	// Link opens a page where the user reviews the request and accepts
	// or declines it. It is one page with two buttons rather than two
	// one-click links, because mail scanners open links.
	Link string
	// ValidFor is the request's lifetime; zero leaves the sentence out.
	ValidFor time.Duration
}

// sample returns the data the templates of a built-in mail are executed
// with at load time. Every optional field is set, so every branch runs.
func sample(name string) (any, bool) {
	const week = 7 * 24 * time.Hour
	switch name {
	case Welcome:
		return WelcomeData{
			Name: "Ada", Username: "ada.l", AccountName: "Example Ltd",
			Link: "https://example.com/activate/t", ValidFor: week,
		}, true
	case Invitation:
		return InvitationData{
			AccountName: "Example Ltd", InviterName: "Grace",
			Link: "https://example.com/invite/t", ValidFor: week,
		}, true
	case PasswordReset:
		return ResetData{
			Name: "Ada", Username: "ada.l", Link: "https://example.com/reset/t", ValidFor: time.Hour,
		}, true
	case UsernameReminder:
		return UsernameData{
			Name: "Ada", Usernames: []string{"ada.l", "ada.admin"}, LoginLink: "https://example.com/login",
		}, true
	case OwnershipRequest:
		return OwnershipData{
			Name: "Ada", Username: "ada.l", RequestingAccount: "Example Ltd", RequesterName: "Grace",
			Link: "https://example.com/ownership/t", ValidFor: week,
		}, true
	}
	return nil, false
}

// NewTemplates parses the built-in templates and cfg.FS. Errors name
// the file and say what is wrong.
func NewTemplates(cfg TemplateConfig) (*Templates, error) {
	t := &Templates{}
	def := "en"
	if cfg.DefaultLanguage != "" {
		k, ok := langKey(cfg.DefaultLanguage)
		if !ok {
			return nil, fmt.Errorf("mail: templates: default language %q is not a bcp 47 tag (e.g. \"en\", \"pt-BR\")", sanitize(cfg.DefaultLanguage))
		}
		def = k
	}
	t.def = appendUnique(langChain(def), "en")

	baseSrc, err := readTree(DefaultFS(), "built-in")
	if err != nil {
		return nil, err
	}
	if t.base, err = parseTree(baseSrc, nil); err != nil {
		return nil, err
	}
	if cfg.FS != nil {
		hostSrc, err := readTree(cfg.FS, "host")
		if err != nil {
			return nil, err
		}
		if t.host, err = parseTree(hostSrc, baseSrc); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Render renders mail name for a reader of language lang (a BCP 47 tag;
// empty or malformed means the default chain) and returns a Message with
// Subject, Text, HTML and Tag set; the caller adds the addresses. The
// subject's white space, line breaks included, is collapsed to single
// spaces; the text body's runs of blank lines are collapsed to one.
func (t *Templates) Render(name, lang string, data any) (Message, error) {
	if t == nil {
		return Message{}, errors.New("mail: render: nil templates (use mail.NewTemplates)")
	}
	u := t.find(name, lang)
	if u == nil {
		return Message{}, fmt.Errorf("mail: render %q: %w", sanitize(name), ErrNoTemplate)
	}
	msg, err := u.execute(data)
	if err != nil {
		return Message{}, fmt.Errorf("mail: render %s/%s: %w", u.lang, name, err)
	}
	msg.Tag = name
	return msg, nil
}

// Lookup reports which language's template Render would use for name
// and lang, e.g. "pt" for ("welcome", "pt-BR").
func (t *Templates) Lookup(name, lang string) (string, bool) {
	if t == nil {
		return "", false
	}
	if u := t.find(name, lang); u != nil {
		return u.lang, true
	}
	return "", false
}

func (t *Templates) find(name, lang string) *unit {
	chain := t.def
	if k, ok := langKey(lang); ok {
		chain = appendUnique(langChain(k), t.def...)
	}
	for _, l := range chain {
		if u := t.host[l][name]; u != nil {
			return u
		}
		if u := t.base[l][name]; u != nil {
			return u
		}
	}
	return nil
}

func (u *unit) execute(data any) (Message, error) {
	var b bytes.Buffer
	if err := u.subject.Execute(&b, data); err != nil {
		return Message{}, err
	}
	msg := Message{Subject: strings.Join(strings.Fields(b.String()), " ")}
	if u.text != nil {
		b.Reset()
		if err := u.text.Execute(&b, data); err != nil {
			return Message{}, err
		}
		msg.Text = tidyText(b.String())
	}
	if u.html != nil {
		b.Reset()
		if err := u.html.Execute(&b, data); err != nil {
			return Message{}, err
		}
		msg.HTML = strings.TrimSpace(b.String()) + "\n"
	}
	return msg, nil
}

// tidyText trims trailing spaces from lines, collapses runs of blank
// lines to one and ends the text with exactly one line break.
func tidyText(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	out := make([]string, 0, len(lines))
	blank := true // drops leading blank lines
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			if blank {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, l)
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n") + "\n"
}

// source is one mail's files in one language, before parsing.
type source struct {
	origin string // "built-in" or "host"
	lang   string
	name   string
	parts  map[string]string // part ("subject", "text", "html") -> source text
	paths  map[string]string // part -> file path, for errors
}

// readTree reads a template tree into language -> name -> source.
func readTree(fsys fs.FS, origin string) (map[string]map[string]*source, error) {
	dirs, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("mail: templates: read %s root: %w", origin, err)
	}
	tree := map[string]map[string]*source{}
	for _, d := range dirs {
		if !d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			continue
		}
		lang, ok := langKey(d.Name())
		if !ok {
			return nil, fmt.Errorf("mail: templates: %s directory %q is not a bcp 47 language tag (e.g. \"en\", \"pt-BR\")", origin, sanitize(d.Name()))
		}
		files, err := fs.ReadDir(fsys, d.Name())
		if err != nil {
			return nil, fmt.Errorf("mail: templates: read %s/%s: %w", origin, d.Name(), err)
		}
		for _, f := range files {
			if f.IsDir() || strings.HasPrefix(f.Name(), ".") {
				continue
			}
			name, part, ok := splitFileName(f.Name())
			if !ok {
				continue
			}
			p := path.Join(d.Name(), f.Name())
			if !validName(name) {
				return nil, fmt.Errorf("mail: templates: %s %s: mail names use a-z, 0-9, '_' and '-'", origin, sanitize(p))
			}
			text, err := readLimited(fsys, p)
			if err != nil {
				return nil, fmt.Errorf("mail: templates: %s %s: %w", origin, sanitize(p), err)
			}
			if tree[lang] == nil {
				tree[lang] = map[string]*source{}
			}
			s := tree[lang][name]
			if s == nil {
				s = &source{origin: origin, lang: lang, name: name, parts: map[string]string{}, paths: map[string]string{}}
				tree[lang][name] = s
			}
			if prev, dup := s.paths[part]; dup {
				return nil, fmt.Errorf("mail: templates: %s %s and %s are the same template", origin, sanitize(prev), sanitize(p))
			}
			s.parts[part] = text
			s.paths[part] = p
		}
	}
	return tree, nil
}

// splitFileName maps "welcome.subject.txt" to ("welcome", "subject"),
// "welcome.txt" to ("welcome", "text") and "welcome.html" to
// ("welcome", "html").
func splitFileName(file string) (name, part string, ok bool) {
	switch {
	case strings.HasSuffix(file, ".subject.txt"):
		return strings.TrimSuffix(file, ".subject.txt"), "subject", true
	case strings.HasSuffix(file, ".txt"):
		return strings.TrimSuffix(file, ".txt"), "text", true
	case strings.HasSuffix(file, ".html"):
		return strings.TrimSuffix(file, ".html"), "html", true
	}
	return "", "", false
}

func validName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func readLimited(fsys fs.FS, p string) (string, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxTemplateBytes+1))
	if err != nil {
		return "", err
	}
	if len(b) > MaxTemplateBytes {
		return "", fmt.Errorf("larger than %d bytes", MaxTemplateBytes)
	}
	return string(b), nil
}

// parseTree parses every source of tree; fill, when not nil, supplies
// the parts a host mail leaves out (the built-in files of the same
// language and name).
func parseTree(tree, fill map[string]map[string]*source) (map[string]map[string]*unit, error) {
	out := make(map[string]map[string]*unit, len(tree))
	langs := make([]string, 0, len(tree))
	for l := range tree {
		langs = append(langs, l)
	}
	slices.Sort(langs)
	for _, lang := range langs {
		names := make([]string, 0, len(tree[lang]))
		for n := range tree[lang] {
			names = append(names, n)
		}
		slices.Sort(names)
		out[lang] = make(map[string]*unit, len(names))
		for _, name := range names {
			src := tree[lang][name]
			if base := fill[lang][name]; base != nil {
				for part, text := range base.parts {
					if _, ok := src.parts[part]; !ok {
						src.parts[part] = text
						src.paths[part] = "built-in " + base.paths[part]
					}
				}
			}
			u, err := parseUnit(src)
			if err != nil {
				return nil, err
			}
			out[lang][name] = u
		}
	}
	return out, nil
}

func parseUnit(src *source) (*unit, error) {
	where := src.origin + " " + src.lang + "/" + src.name
	subject, ok := src.parts["subject"]
	if !ok {
		return nil, fmt.Errorf("mail: templates: %s: missing %s.subject.txt", where, src.name)
	}
	_, hasText := src.parts["text"]
	_, hasHTML := src.parts["html"]
	if !hasText && !hasHTML {
		return nil, fmt.Errorf("mail: templates: %s: missing a body (%s.txt or %s.html)", where, src.name, src.name)
	}
	funcs := templateFuncs(src.lang)
	u := &unit{lang: src.lang}
	var err error
	if u.subject, err = texttemplate.New(src.paths["subject"]).Option("missingkey=error").Funcs(funcs).Parse(subject); err != nil {
		return nil, fmt.Errorf("mail: templates: %s: %w", src.origin, err)
	}
	if hasText {
		if u.text, err = texttemplate.New(src.paths["text"]).Option("missingkey=error").Funcs(funcs).Parse(src.parts["text"]); err != nil {
			return nil, fmt.Errorf("mail: templates: %s: %w", src.origin, err)
		}
	}
	if hasHTML {
		if u.html, err = htmltemplate.New(src.paths["html"]).Option("missingkey=error").Funcs(htmltemplate.FuncMap(funcs)).Parse(src.parts["html"]); err != nil {
			return nil, fmt.Errorf("mail: templates: %s: %w", src.origin, err)
		}
	}
	if sample, ok := sample(src.name); ok {
		if _, err := u.execute(sample); err != nil {
			return nil, fmt.Errorf("mail: templates: %s does not render with %T: %w", where, sample, err)
		}
	}
	return u, nil
}

// templateFuncs are the functions every template may call. validFor
// writes a duration in the template's language ("7 days", "7 dias");
// days and hours give whole numbers for templates in languages validFor
// does not know.
func templateFuncs(lang string) texttemplate.FuncMap {
	words := unitWords(lang)
	return texttemplate.FuncMap{
		"validFor": func(d time.Duration) string { return formatDuration(d, words) },
		"days":     func(d time.Duration) int { return int(d / (24 * time.Hour)) },
		"hours":    func(d time.Duration) int { return int(d / time.Hour) },
		"join":     func(sep string, items []string) string { return strings.Join(items, sep) },
	}
}

// durationWords holds singular and plural unit names.
type durationWords struct{ minute, minutes, hour, hours, day, days string }

// unitWords returns the unit names of lang's base language; English
// for a language it does not know.
func unitWords(lang string) durationWords {
	base, _, _ := strings.Cut(lang, "-")
	switch base {
	case "pt":
		return durationWords{"minuto", "minutos", "hora", "horas", "dia", "dias"}
	case "es":
		return durationWords{"minuto", "minutos", "hora", "horas", "día", "días"}
	case "fr":
		return durationWords{"minute", "minutes", "heure", "heures", "jour", "jours"}
	case "de":
		return durationWords{"Minute", "Minuten", "Stunde", "Stunden", "Tag", "Tage"}
	case "it":
		return durationWords{"minuto", "minuti", "ora", "ore", "giorno", "giorni"}
	case "nl":
		return durationWords{"minuut", "minuten", "uur", "uur", "dag", "dagen"}
	case "sv":
		return durationWords{"minut", "minuter", "timme", "timmar", "dag", "dagar"}
	}
	return durationWords{"minute", "minutes", "hour", "hours", "day", "days"}
}

// formatDuration writes d in whole days when it is a whole number of
// days, else in whole hours, else in minutes (rounded up).
func formatDuration(d time.Duration, w durationWords) string {
	plural := func(n int64, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return strconv.FormatInt(n, 10) + " " + many
	}
	switch {
	case d <= 0:
		return plural(0, w.minute, w.minutes)
	case d%(24*time.Hour) == 0:
		return plural(int64(d/(24*time.Hour)), w.day, w.days)
	case d%time.Hour == 0:
		return plural(int64(d/time.Hour), w.hour, w.hours)
	}
	return plural(int64((d+time.Minute-1)/time.Minute), w.minute, w.minutes)
}

// langKey canonicalises a BCP 47 tag to the explicit language, script
// and region subtags, e.g. "PT_br" -> "pt-BR"; ok is false for
// something that is not a tag.
func langKey(tag string) (string, bool) {
	tag = strings.TrimSpace(tag)
	if tag == "" || len(tag) > 64 {
		return "", false
	}
	t, err := language.Parse(tag)
	if err != nil {
		return "", false
	}
	b, s, r := t.Raw()
	key := b.String()
	if key == "und" {
		return "", false
	}
	if s != (language.Script{}) {
		key += "-" + s.String()
	}
	if r != (language.Region{}) {
		key += "-" + r.String()
	}
	return key, true
}

// langChain lists a canonical key and its parents, most specific first:
// "zh-Hant-TW" gives zh-Hant-TW, zh-Hant, zh-TW, zh.
func langChain(key string) []string {
	parts := strings.Split(key, "-")
	base := parts[0]
	var script, region string
	for _, p := range parts[1:] {
		if len(p) == 4 {
			script = p
		} else {
			region = p
		}
	}
	chain := []string{key}
	if script != "" && region != "" {
		chain = append(chain, base+"-"+script, base+"-"+region)
	}
	return appendUnique(chain, base)
}

func appendUnique(list []string, more ...string) []string {
	out := slices.Clone(list)
	for _, m := range more {
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}
