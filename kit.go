package roster

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rosterkit/roster/auth"
	"github.com/rosterkit/roster/httpapi"
	"github.com/rosterkit/roster/importer"
	"github.com/rosterkit/roster/invite"
	"github.com/rosterkit/roster/portal"
	"github.com/rosterkit/roster/sms"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/mail"
	"github.com/rosterkit/roster/usermgmt/sqlitestore"
)

// Config wires every roster service from one place. Store, SMS, Mailer,
// CodeKey and BaseURL are required; everything else has a default.
type Config struct {
	// Store persists everything: sqlitestore, pgstore, memstore, or the
	// host's own (checked with usermgmt/storetest).
	Store usermgmt.Store
	// SMS sends login PINs and login details. The Kit wraps it in an
	// sms.Guard against SMS pumping, counting in Store, unless NoGuard.
	SMS sms.Sender
	// Mailer sends invitations, welcome mails, reset links and reminders.
	Mailer mail.Mailer
	// From is the sender address of roster's mails; empty means the
	// mailer's default.
	From string
	// CodeKey is the secret under which SMS PINs are stored: at least 32
	// random bytes, the same on every instance.
	CodeKey []byte
	// BaseURL is where the host serves roster's pages; links in mails
	// and SMS point below it: <BaseURL>/reset?token=…,
	// <BaseURL>/invite?token=…, <BaseURL>/activate?token=…,
	// <BaseURL>/ownership?token=…, <BaseURL>/login.
	BaseURL string
	// Rules validates input; the zero value is the seeds' rules.
	Rules usermgmt.Rules
	// Hasher hashes passwords; nil means argon2id at OWASP parameters
	// with concurrency bounded by the number of CPUs.
	Hasher *auth.Hasher
	// Auth tunes login throttling, the PIN and session lifetimes.
	Auth AuthOptions
	// NoGuard sends SMS through SMS as given, without roster's guard:
	// only when the host guards its gateway itself.
	NoGuard bool
	// Guard tunes the guard (limits per number, account and in all,
	// allowed regions and number types); its zero value is
	// sms.NewGuard's defaults. Counter, Now and Logger default to the
	// Kit's Store, Now and Logger.
	Guard sms.GuardConfig
	// Invite tunes invitations, activation and ownership requests.
	Invite InviteOptions
	// Import bounds what an imported file may hold; the zero value is
	// importer's defaults (10 MiB, 5,000 data rows).
	Import importer.Limits
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives operational messages; nil discards them.
	Logger *slog.Logger
}

// AuthOptions are the auth settings a Kit passes on (see auth.Config).
type AuthOptions struct {
	LoginBy  auth.LoginBy
	Throttle auth.ThrottleConfig
	PIN      auth.PINConfig
	Sessions auth.SessionConfig
	ResetTTL time.Duration
}

// InviteOptions are the invite settings a Kit passes on (see
// invite.Config).
type InviteOptions struct {
	InviteTTL, ActivationTTL, OwnershipTTL time.Duration
	// Disposable replaces the embedded disposable-domain list.
	Disposable func(domain string) bool
	// OwnershipBySMS also sends ownership requests by SMS.
	OwnershipBySMS bool
}

// Kit is roster, wired: every service over one store.
type Kit struct {
	// Users is the admin core: accounts, groups, users, grants, numbers
	// and the audit log.
	Users *usermgmt.Service
	// Auth signs people in (password, SMS PIN), keeps sessions and API
	// keys and recovers passwords and usernames.
	Auth *auth.Service
	// Invites sends invitations and activation links and moves users
	// between accounts on their confirmation.
	Invites *invite.Service
	// Importer imports users in bulk from CSV, TXT and XLSX files.
	Importer *importer.Service
	// Store is the store every service writes to.
	Store usermgmt.Store
	// Hasher is the password hasher the services share.
	Hasher *auth.Hasher
	// SMS is the sender the services use (guarded unless NoGuard).
	SMS sms.Sender
	// Mailer is the mailer the services use.
	Mailer mail.Mailer

	baseURL string
	closers []io.Closer
}

// New wires a Kit from cfg, or says what is missing and how to fix it.
func New(cfg Config) (*Kit, error) {
	var missing []string
	if cfg.Store == nil {
		missing = append(missing, "Store (sqlitestore.Open, pgstore.Open, or memstore.New for tests)")
	}
	if cfg.SMS == nil {
		missing = append(missing, "SMS (twilio.New, httpgw.New, or sms.NewConsole(os.Stdout) for development)")
	}
	if cfg.Mailer == nil {
		missing = append(missing, "Mailer (mail.NewSMTP, or mail.NewConsole(os.Stdout) for development)")
	}
	if len(cfg.CodeKey) < 32 {
		missing = append(missing, "CodeKey (at least 32 random bytes, the same on every instance)")
	}
	if u, err := url.Parse(cfg.BaseURL); cfg.BaseURL == "" || err != nil || u.Scheme == "" || u.Host == "" {
		missing = append(missing, "BaseURL (where your pages are, e.g. https://app.example.com/roster)")
	}
	if len(missing) > 0 {
		return nil, errors.New("roster: missing Config." + strings.Join(missing, "; Config."))
	}
	k := &Kit{Store: cfg.Store, Mailer: cfg.Mailer, SMS: cfg.SMS, Hasher: cfg.Hasher,
		baseURL: strings.TrimRight(cfg.BaseURL, "/")}
	if k.Hasher == nil {
		h, err := auth.NewHasher(auth.HashConfig{})
		if err != nil {
			return nil, err
		}
		k.Hasher = h
	}
	var err error
	k.Users, err = usermgmt.New(usermgmt.Config{Store: cfg.Store, Rules: cfg.Rules, Hasher: k.Hasher,
		Now: cfg.Now, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	if !cfg.NoGuard {
		if k.SMS, err = guard(cfg); err != nil {
			return nil, err
		}
	}
	k.Auth, err = auth.New(auth.Config{Users: k.Users, Hasher: k.Hasher, SMS: k.SMS, Mailer: cfg.Mailer,
		CodeKey: cfg.CodeKey, LoginBy: cfg.Auth.LoginBy, Throttle: cfg.Auth.Throttle, PIN: cfg.Auth.PIN,
		Sessions: cfg.Auth.Sessions, ResetTTL: cfg.Auth.ResetTTL, ResetURL: k.link("reset"),
		LoginURL: k.baseURL + "/login", Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	k.Invites, err = invite.New(invite.Config{Users: k.Users, Hasher: k.Hasher, Mailer: cfg.Mailer,
		SMS: k.SMS, From: cfg.From, BaseURL: k.baseURL, InviteTTL: cfg.Invite.InviteTTL,
		ActivationTTL: cfg.Invite.ActivationTTL, OwnershipTTL: cfg.Invite.OwnershipTTL,
		Disposable: cfg.Invite.Disposable, OwnershipBySMS: cfg.Invite.OwnershipBySMS,
		Now: cfg.Now, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	k.Importer, err = importer.New(importer.Config{Users: k.Users, Hasher: k.Hasher, Invites: k.Invites,
		Limits: cfg.Import, Now: cfg.Now, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	return k, nil
}

// link returns a function building <BaseURL>/<page>?token=<token>.
func (k *Kit) link(page string) func(string) string {
	base := k.baseURL + "/" + page + "?token="
	return func(tok string) string { return base + url.QueryEscape(tok) }
}

// HTTPHandler returns the JSON API over the Kit's services (see package
// httpapi); cfg's service fields are filled in from the Kit.
func (k *Kit) HTTPHandler(cfg httpapi.Config) (http.Handler, error) {
	cfg.Users, cfg.Auth, cfg.Invites, cfg.Importer = k.Users, k.Auth, k.Invites, k.Importer
	return httpapi.New(cfg)
}

// Portal returns the admin portal over the Kit's services (see package
// portal); cfg's service fields are filled in from the Kit.
func (k *Kit) Portal(cfg portal.Config) (*portal.Portal, error) {
	cfg.Users, cfg.Auth, cfg.Invites, cfg.Importer = k.Users, k.Auth, k.Invites, k.Importer
	return portal.New(cfg)
}

// Close releases what the Kit opened itself (the database of
// OpenDefault). A Kit from New closes nothing: the host owns its store.
func (k *Kit) Close() error {
	var errs []error
	for _, c := range k.closers {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// DefaultOptions tune OpenDefault.
type DefaultOptions struct {
	// BaseURL for links; empty means http://localhost:8080.
	BaseURL string
	// Out receives the console SMS and mails; nil means standard output.
	Out io.Writer
	// WrapSMS and WrapMail, when set, wrap the console adapters (a
	// development outbox that shows messages in the portal, say).
	WrapSMS  func(sms.Sender) sms.Sender
	WrapMail func(mail.Mailer) mail.Mailer
	// Now and Logger as in Config.
	Now    func() time.Time
	Logger *slog.Logger
}

// OpenDefault opens the embedded default: a SQLite database at path
// (created and migrated if needed), SMS and mail printed to the console,
// and a random PIN key (PINs in flight do not survive a restart). It is
// for development, examples and single-machine tools; production hosts
// use New with real adapters.
func OpenDefault(ctx context.Context, path string, opt DefaultOptions) (*Kit, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("roster: %w", err)
		}
	}
	store, err := sqlitestore.Open(ctx, sqlitestore.Config{Path: path, Now: opt.Now})
	if err != nil {
		return nil, err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		store.Close()
		return nil, err
	}
	if opt.BaseURL == "" {
		opt.BaseURL = "http://localhost:8080"
	}
	var sender sms.Sender = sms.NewConsole(opt.Out)
	var mailer mail.Mailer = mail.NewConsole(opt.Out)
	if opt.WrapSMS != nil {
		sender = opt.WrapSMS(sender)
	}
	if opt.WrapMail != nil {
		mailer = opt.WrapMail(mailer)
	}
	k, err := New(Config{Store: store, SMS: sender, Mailer: mailer,
		CodeKey: key, BaseURL: opt.BaseURL, Now: opt.Now, Logger: opt.Logger})
	if err != nil {
		store.Close()
		return nil, err
	}
	k.closers = append(k.closers, store)
	return k, nil
}
