package roster_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster"
	"github.com/rosterkit/roster/auth"
	"github.com/rosterkit/roster/importer"
	"github.com/rosterkit/roster/invite"
	"github.com/rosterkit/roster/sms/smstest"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/mail"
	"github.com/rosterkit/roster/usermgmt/storetest"
)

// faultEnv is a Kit whose store, SMS sender and mailer fail on demand.
type faultEnv struct {
	kit    *roster.Kit
	store  *storetest.Faulty
	sms    *smstest.Faulty
	texts  *smstest.Recorder
	mailer *mail.Faulty
	mails  *mail.Recorder
	seq    atomic.Int64
}

func newFaultEnv(t *testing.T, st usermgmt.Store) *faultEnv {
	t.Helper()
	e := &faultEnv{store: storetest.NewFaulty(st), texts: &smstest.Recorder{}, mails: &mail.Recorder{}}
	e.sms, e.mailer = smstest.NewFaulty(e.texts), mail.NewFaulty(e.mails)
	e.kit = suiteKit(t, e.store, e.sms, e.mailer)
	return e
}

// fixture is what one run of an operation needs: an account of its own,
// so that runs never meet.
type fixture struct {
	n       int64
	account string
	owner   string
	user    usermgmt.User // the user the operation acts on, if any
	secret  string        // an invitation link's secret, for accept
	runs    int
}

func (f *fixture) phone(i int) string { return fmt.Sprintf("+447911%03d%03d", f.n%1000, i) }

func (f *fixture) name(s string) string { return fmt.Sprintf("%s%d", s, f.n) }

const fixturePassword = "Correct-Horse-2026"

// newFixture makes an account (2FA on, as by default) and, with user, one
// active user with a password.
func (e *faultEnv) newFixture(t *testing.T, user bool) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{n: 1000 + e.seq.Add(1)} // never a version or a count
	acct, owner, err := e.kit.Users.CreateAccount(ctx, usermgmt.NewAccount{Name: f.name("Account "), SeatLimit: 20,
		Owner: usermgmt.NewUser{User: usermgmt.User{Username: f.name("owner"), FirstName: "Olivia", LastName: "Owner",
			Email: f.name("owner") + "@northwind.example", MobilePhone: f.phone(0)}, Password: fixturePassword}})
	require.NoError(t, err)
	f.account, f.owner = acct.ID, owner.ID
	if user {
		f.user, err = e.kit.Users.CreateUser(ctx, owner.ID, usermgmt.NewUser{User: usermgmt.User{
			Username: f.name("uma"), FirstName: "Uma", LastName: "User", Email: f.name("uma") + "@northwind.example",
			MobilePhone: f.phone(1)}, Password: fixturePassword})
		require.NoError(t, err)
	}
	return f
}

// errNotDelivered stands for a delivery that failed where the operation,
// by design, does not tell the caller (a reset link must not reveal
// whether an account exists).
var errNotDelivered = errors.New("the link never arrived")

// faultScenario is one operation of the suite.
type faultScenario struct {
	name string
	// user says whether the fixture needs a user to act on.
	user bool
	// prepare finishes the fixture before the faults, if needed.
	prepare func(t *testing.T, e *faultEnv, f *fixture)
	// run performs the operation; the suite calls it again to retry.
	run func(ctx context.Context, e *faultEnv, f *fixture) error
	// resumable lists the records (snapshot line prefixes) a failed run
	// may leave by design, because they let the operation resume: a PIN
	// challenge or a reset link written before its message went out.
	resumable []string
	// undelivered lists, likewise, what a failed delivery leaves for a
	// resend: an invitation stays pending with its send error.
	undelivered []string
}

func faultScenarios() []faultScenario {
	return []faultScenario{
		{name: "create", run: func(ctx context.Context, e *faultEnv, f *fixture) error {
			_, err := e.kit.Users.CreateUser(ctx, f.owner, usermgmt.NewUser{User: usermgmt.User{
				Username: f.name("ada"), FirstName: "Ada", LastName: "Lovelace", Email: f.name("ada") + "@example.com",
				MobilePhone: f.phone(2)}, Password: fixturePassword})
			return err
		}},
		{name: "import", run: func(ctx context.Context, e *faultEnv, f *fixture) error {
			var b strings.Builder
			b.WriteString("First Name,Last Name,Login,Mobile Phone number,Email Address\n")
			for i, n := range []string{"grace", "alan", "edsger"} {
				fmt.Fprintf(&b, "%s,Example,%s,%s,%s@example.com\n", n, f.name(n), f.phone(10+i), f.name(n))
			}
			rep, err := e.kit.Importer.Import(ctx, f.owner, importer.Source{Name: "users.csv",
				Reader: strings.NewReader(b.String())}, importer.Options{})
			if err != nil {
				return err
			}
			if rep.Failed() || rep.Created != 3 {
				return fmt.Errorf("import created %d of 3: %v", rep.Created, rep.Errors)
			}
			return nil
		}},
		{name: "invite", undelivered: []string{"token invite", "event invite.create"}, run: func(ctx context.Context, e *faultEnv, f *fixture) error {
			if f.runs++; f.runs > 1 {
				// The retry: invite whoever was not invited, then send
				// again what failed, as the host's maintenance job does.
				if _, err := e.kit.Invites.Invite(ctx, f.owner, invite.Request{Emails: inviteesOf(f)}); err != nil {
					return err
				}
				if _, err := e.kit.Invites.RetryFailed(ctx); err != nil {
					return err
				}
				return nil
			}
			res, err := e.kit.Invites.Invite(ctx, f.owner, invite.Request{Emails: inviteesOf(f)})
			if err != nil {
				return err
			}
			for _, s := range res.Invited {
				if s.SendError != "" {
					return fmt.Errorf("invitation to %s: %s: %w", s.Email, s.SendError, errNotDelivered)
				}
			}
			return nil
		}},
		{name: "accept", prepare: func(t *testing.T, e *faultEnv, f *fixture) {
			addr := f.name("ivy") + "@example.com"
			_, err := e.kit.Invites.Invite(context.Background(), f.owner, invite.Request{Emails: []string{addr}})
			require.NoError(t, err)
			f.secret = linkSecret(e.mails.LastLink(addr))
			require.NotEmpty(t, f.secret, "the invitation's link")
		}, run: func(ctx context.Context, e *faultEnv, f *fixture) error {
			_, err := e.kit.Invites.Accept(ctx, f.secret, invite.Acceptance{FirstName: "Ivy", LastName: "Invitee",
				Username: f.name("ivy"), Password: fixturePassword, MobilePhone: f.phone(3)})
			return err
		}},
		{name: "login", user: true, resumable: []string{"token challenge", "event auth.challenge", "event auth.pin refused"},
			run: func(ctx context.Context, e *faultEnv, f *fixture) error {
				client := fmt.Sprintf("198.51.100.%d", f.n%250)
				res, err := e.kit.Auth.Login(ctx, auth.Credentials{Login: f.user.Username, Password: fixturePassword, ClientKey: client})
				if err != nil {
					return err
				}
				if res.Challenge == nil {
					return errors.New("no PIN challenge")
				}
				_, err = e.kit.Auth.VerifyPIN(ctx, res.Challenge.Token, e.texts.LastCode(f.user.MobilePhone), client)
				return err
			}},
		{name: "reset", user: true, resumable: []string{"token reset", "event auth.reset_request"},
			run: func(ctx context.Context, e *faultEnv, f *fixture) error {
				f.runs++
				before := len(e.mails.Messages())
				if err := e.kit.Auth.RequestReset(ctx, f.user.Username, fmt.Sprintf("203.0.113.%d", f.n%250)); err != nil {
					return err
				}
				if len(e.mails.Messages()) == before {
					return errNotDelivered
				}
				return e.kit.Auth.ResetPassword(ctx, linkSecret(e.mails.LastLink(f.user.Email)),
					fmt.Sprintf("Fresh-pw-%d-%d", f.n, f.runs))
			}},
		{name: "delete", user: true, run: func(ctx context.Context, e *faultEnv, f *fixture) error {
			return e.kit.Users.Delete(ctx, f.owner, f.user.ID)
		}},
	}
}

func inviteesOf(f *fixture) []string {
	return []string{f.name("kim") + "@example.com", f.name("lee") + "@example.com"}
}

// linkSecret returns the token of a link in a mail, or "" (which no
// operation accepts).
func linkSecret(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	return u.Query().Get("token")
}

// TestFaults is D3 of SECURITY.md: every operation a host exposes
// (create, import, invite, accept, login with its PIN, password reset,
// delete) is run with a fault at each step it takes, in turn: each store
// call failing or timing out, and each SMS and mail failing, timing
// out, losing its answer after sending, or answering garbage. After
// each faulted run the operation returned a clear error (matching the
// injected cause) and left the account as it was, save the records it
// keeps by design to resume, or it absorbed the fault and did all its
// work; either way a retry then succeeds and leaves the account as a
// clean run does, with every audit event of a clean run.
func TestFaults(t *testing.T) {
	t.Parallel()
	for _, eng := range engines() {
		t.Run(eng.name, func(t *testing.T) {
			t.Parallel()
			for _, sc := range faultScenarios() {
				t.Run(sc.name, func(t *testing.T) {
					e := newFaultEnv(t, eng.open(t))
					runFaults(t, e, sc)
				})
			}
		})
	}
}

// faultCase is one fault to inject in a run.
type faultCase struct {
	name   string
	inject func(e *faultEnv)
	send   bool // a delivery fault: the operation may keep what it wrote
}

func runFaults(t *testing.T, e *faultEnv, sc faultScenario) {
	ctx := context.Background()

	// A clean run tells the steps and what the operation writes.
	f := e.prepared(t, sc)
	before := e.snapshot(t, f)
	e.resetFaults()
	require.NoError(t, sc.run(ctx, e, f), "clean run")
	steps, texts, mails := e.store.Calls(), e.sms.Sends(), e.mailer.Sends()
	clean := diff(before, e.snapshot(t, f))
	require.NotEmpty(t, clean.added, "a clean run writes something")
	t.Logf("%s: %d store calls, %d SMS, %d mails; writes %d records", sc.name, len(steps), texts, mails, len(clean.added))

	var cases []faultCase
	for i, op := range steps {
		for _, m := range []storetest.Mode{storetest.Fail, storetest.Timeout} {
			cases = append(cases, faultCase{name: fmt.Sprintf("store%02d-%s-%s", i+1, op, m),
				inject: func(e *faultEnv) { e.store.Inject(i+1, "", m) }})
		}
	}
	for i := range texts {
		for _, m := range []smstest.Mode{smstest.Fail, smstest.Timeout, smstest.Lost, smstest.Garbage} {
			cases = append(cases, faultCase{name: fmt.Sprintf("sms%d-mode%d", i+1, m), send: true,
				inject: func(e *faultEnv) { e.sms.Inject(i+1, m) }})
		}
	}
	for i := range mails {
		for _, m := range []mail.FaultMode{mail.FaultFail, mail.FaultTimeout, mail.FaultLost} {
			cases = append(cases, faultCase{name: fmt.Sprintf("mail%d-mode%d", i+1, m), send: true,
				inject: func(e *faultEnv) { e.mailer.Inject(i+1, m) }})
		}
	}
	for _, fc := range cases {
		t.Run(fc.name, func(t *testing.T) {
			f := e.prepared(t, sc)
			before := e.snapshot(t, f)
			e.resetFaults()
			fc.inject(e)
			err := sc.run(ctx, e, f)
			e.resetFaults()
			got := diff(before, e.snapshot(t, f))
			keep := sc.resumable
			if fc.send {
				keep = append(slices.Clone(keep), sc.undelivered...)
			}
			if err != nil {
				assert.True(t, clearError(err, fc.send), "the error carries its cause: %v", err)
				assert.Empty(t, got.removed, "a failed run removed records")
				for _, line := range got.added {
					assert.True(t, hasPrefix(line, keep), "a failed run left %q (wrote %v)", line, got.added)
				}
			} else {
				assert.ElementsMatch(t, clean.added, got.added, "a run that absorbed the fault did all its work")
				assert.ElementsMatch(t, clean.removed, got.removed)
			}
			if err == nil {
				return
			}
			require.NoError(t, sc.run(ctx, e, f), "the retry after %v", err)
			final := diff(before, e.snapshot(t, f))
			assertCovers(t, final, clean, keep)
		})
	}
}

// prepared makes a fixture for sc with no fault pending.
func (e *faultEnv) prepared(t *testing.T, sc faultScenario) *fixture {
	e.resetFaults()
	f := e.newFixture(t, sc.user)
	if sc.prepare != nil {
		sc.prepare(t, e, f)
	}
	return f
}

func (e *faultEnv) resetFaults() {
	e.store.Reset()
	e.sms.Reset()
	e.mailer.Reset()
}

// assertCovers checks that final holds every change of a clean run, and
// beyond it only records a retry leaves by design (a spent challenge, a
// resend's audit event).
func assertCovers(t *testing.T, final, clean change, resumable []string) {
	t.Helper()
	extra := slices.Clone(final.added)
	for _, line := range clean.added {
		i := slices.Index(extra, line)
		if !assert.GreaterOrEqual(t, i, 0, "after the retry %q is missing; got %v", line, final.added) {
			continue
		}
		extra = slices.Delete(extra, i, i+1)
	}
	for _, line := range extra {
		assert.True(t, hasPrefix(line, append([]string{"event invite.resend", "token invite"}, resumable...)),
			"after the retry, %q is more than a clean run writes", line)
	}
	assert.ElementsMatch(t, clean.removed, final.removed)
}

// clearError says whether err carries the injected cause. A delivery
// that failed where the operation does not tell (errNotDelivered) counts
// only for a delivery fault: a store fault is always reported.
func clearError(err error, send bool) bool {
	return err.Error() != "" && (errors.Is(err, storetest.ErrInjected) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, smstest.ErrInjected) || errors.Is(err, mail.ErrInjected) || (send && errors.Is(err, errNotDelivered)))
}

func hasPrefix(line string, prefixes []string) bool {
	return slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(line, p) })
}

// change is how an account's records differ between two snapshots.
type change struct{ added, removed []string }

func diff(before, after []string) change {
	var c change
	rest := slices.Clone(before)
	for _, line := range after {
		if i := slices.Index(rest, line); i >= 0 {
			rest = slices.Delete(rest, i, i+1)
			continue
		}
		c.added = append(c.added, line)
	}
	c.removed = rest
	return c
}

// snapshot describes an account's records, one line each, without ids,
// secrets or times, read past the fault injector: the account and its
// seats, groups, live users with their password, grants, sessions and
// aliases, tokens (links, challenges) and audit events. Counters (rate
// limits) are left out: they count attempts, failed ones too.
func (e *faultEnv) snapshot(t *testing.T, f *fixture) []string {
	t.Helper()
	ctx := context.Background()
	st := e.store.Unwrap()
	var out []string
	a, err := st.GetAccount(ctx, f.account)
	require.NoError(t, err)
	out = append(out, fmt.Sprintf("account seats=%d limit=%d v%d", a.SeatsUsed, a.SeatLimit, a.Version))
	groups, err := st.ListGroups(ctx, f.account)
	require.NoError(t, err)
	for _, g := range groups {
		out = append(out, "group "+g.Name)
	}
	for p := (usermgmt.Page{Limit: 1000}); ; {
		users, next, err := st.ListUsers(ctx, usermgmt.UserFilter{AccountID: f.account}, p)
		require.NoError(t, err)
		for _, u := range users {
			_, perr := st.GetPassword(ctx, u.ID)
			grants, err := st.ListGrants(ctx, u.ID)
			require.NoError(t, err)
			sessions, err := st.ListSessions(ctx, u.ID, "")
			require.NoError(t, err)
			aliases, err := st.ListAliases(ctx, u.ID)
			require.NoError(t, err)
			out = append(out, fmt.Sprintf("user %s %s %s v%d password=%t grants=%d sessions=%d aliases=%d last_login=%t",
				u.Username, u.Status, u.Type, u.Version, perr == nil, len(grants), len(sessions), len(aliases), !u.LastLoginAt.IsZero()))
		}
		if next == "" {
			break
		}
		p.After = next
	}
	for p := (usermgmt.Page{Limit: 1000}); ; {
		tokens, next, err := st.ListTokens(ctx, usermgmt.TokenFilter{AccountID: f.account}, p)
		require.NoError(t, err)
		for _, tk := range tokens {
			out = append(out, fmt.Sprintf("token %s %s used=%t outcome=%s", tk.Kind, tk.Email, !tk.UsedAt.IsZero(), tk.Outcome))
		}
		if next == "" {
			break
		}
		p.After = next
	}
	for p := (usermgmt.Page{Limit: 1000}); ; {
		events, next, err := st.ListEvents(ctx, usermgmt.EventFilter{AccountID: f.account}, p)
		require.NoError(t, err)
		for _, ev := range events {
			out = append(out, strings.TrimSpace(fmt.Sprintf("event %s %s %s %s", ev.Action, ev.Outcome, ev.TargetType, ev.Reason)))
		}
		if next == "" {
			break
		}
		p.After = next
	}
	// Name the fixture's own users and addresses alike across fixtures.
	own := regexp.MustCompile(`([A-Za-z ])` + strconv.FormatInt(f.n, 10) + `\b`)
	for i := range out {
		out[i] = own.ReplaceAllString(out[i], "${1}#")
	}
	sort.Strings(out)
	return out
}
