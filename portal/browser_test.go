package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/auth"
	"github.com/rosterkit/roster/importer"
	"github.com/rosterkit/roster/invite"
	"github.com/rosterkit/roster/portal"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/memstore"
)

// chromium finds a headless browser, or skips: CI installs Debian's
// chromium (scripts/install-chromium, from .ci/run), so there the test always runs.
func chromium(t *testing.T) string {
	for _, name := range []string{os.Getenv("ROSTER_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("ROSTER_REQUIRE_BROWSER") != "" {
		t.Fatal("no chromium found, and ROSTER_REQUIRE_BROWSER is set")
	}
	t.Skip("no chromium on PATH: install Debian's chromium to run the browser test")
	return ""
}

// browser is a headless Chromium session against a portal, saving a
// screenshot of the page whenever a step fails.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	n    int
}

func (b *browser) run(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.shot(step)
		b.t.Fatalf("%s: %v", step, err)
	}
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.shot("read " + sel)
		b.t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

// expect fails, with a screenshot, unless the page's main text holds want.
func (b *browser) expect(step, want string) {
	b.t.Helper()
	if got := b.text("body"); !strings.Contains(got, want) {
		b.shot(step)
		b.t.Fatalf("%s: the page does not say %q:\n%s", step, want, got)
	}
}

func (b *browser) shot(step string) {
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return
	}
	dir := os.Getenv("ROSTER_SCREENSHOTS")
	if dir == "" {
		dir = os.TempDir()
	}
	b.n++
	name := filepath.Join(dir, fmt.Sprintf("roster-browser-%d-%s.png", b.n, regexp.MustCompile(`\W+`).ReplaceAllString(step, "-")))
	if err := os.WriteFile(name, png, 0o644); err == nil {
		b.t.Logf("screenshot of the failing step: %s", name)
	}
}

// signIn signs in with the PIN read from the outbox page, as a person would.
func (b *browser) signIn(username, password string) {
	b.t.Helper()
	b.run("open sign in", chromedp.Navigate(b.base+"/login"), chromedp.WaitVisible(chromedp.ID("f-username")))
	b.run("type credentials", chromedp.SendKeys(chromedp.ID("f-username"), username),
		chromedp.SendKeys(chromedp.ID("f-password"), password), chromedp.Submit(chromedp.ID("f-password")),
		chromedp.WaitVisible(chromedp.ID("f-code")))
	b.run("open outbox", chromedp.Navigate(b.base+"/outbox"), chromedp.WaitVisible(chromedp.CSS("table")))
	pin := regexp.MustCompile(`code is (\d{6})`).FindStringSubmatch(b.text("tbody"))
	if pin == nil {
		b.shot("read pin")
		b.t.Fatal("no PIN in the outbox")
	}
	b.run("type the PIN", chromedp.Navigate(b.base+"/login/pin"), chromedp.WaitVisible(chromedp.ID("f-code")),
		chromedp.SendKeys(chromedp.ID("f-code"), pin[1]), chromedp.Submit(chromedp.ID("f-code")),
		chromedp.WaitVisible(chromedp.CSS(".licences")))
}

func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	path := chromium(t)
	ctx := context.Background()
	users, err := usermgmt.New(usermgmt.Config{Store: memstore.New(), Hasher: plain{}})
	require.NoError(t, err)
	outbox := portal.NewDevOutbox()
	au, err := auth.New(auth.Config{Users: users, Hasher: plain{}, SMS: outbox.SMS(nil), Mailer: outbox.Mail(nil),
		CodeKey: []byte(strings.Repeat("k", 32)), ResetURL: func(s string) string { return "http://x/reset?token=" + s }})
	require.NoError(t, err)
	acct, owner, err := users.CreateAccount(ctx, usermgmt.NewAccount{Name: "Browser Co", SeatLimit: 10,
		Owner: usermgmt.NewUser{User: usermgmt.User{Username: "owner", FirstName: "Olga", LastName: "Owner",
			Email: "owner@example.com", MobilePhone: "+447911123450"}, Password: "Secret-pw1"}})
	require.NoError(t, err)
	sam, err := users.CreateUser(ctx, owner.ID, usermgmt.NewUser{User: usermgmt.User{Username: "sam.sales",
		FirstName: "Sam", LastName: "Sales", Email: "sam@example.com", MobilePhone: "+447911123457",
		GroupID: acct.RootGroupID}, Password: "Secret-pw1"})
	require.NoError(t, err)
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	defer srv.Close()
	inv, err := invite.New(invite.Config{Users: users, Hasher: plain{}, Mailer: outbox.Mail(nil), SMS: outbox.SMS(nil), BaseURL: srv.URL})
	require.NoError(t, err)
	hasher, err := auth.NewHasher(auth.HashConfig{Memory: 64, Time: 1})
	require.NoError(t, err)
	imp, err := importer.New(importer.Config{Users: users, Hasher: hasher, Invites: inv})
	require.NoError(t, err)
	p, err := portal.New(portal.Config{Users: users, Auth: au, Invites: inv, Importer: imp, InsecureCookies: true, Outbox: outbox})
	require.NoError(t, err)
	handler = p

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true))
	actx, cancel := chromedp.NewExecAllocator(ctx, opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	bctx, cancel = context.WithTimeout(bctx, 90*time.Second)
	defer cancel()
	b := &browser{t: t, ctx: bctx, base: srv.URL}

	b.signIn("owner", "Secret-pw1")
	b.expect("users list", "2 of 10")
	if out := os.Getenv("ROSTER_README_SCREENSHOT"); out != "" {
		// docs/users.png in the README: go test -run TestBrowser ./portal with this set.
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(out, png, 0o644))
	}

	// Add a user with a bad phone: the error stands beside the field.
	b.run("open add user", chromedp.Navigate(srv.URL+"/users/new"), chromedp.WaitVisible(chromedp.ID("f-first_name")))
	b.run("fill the form",
		chromedp.SendKeys(chromedp.ID("f-first_name"), "Nia"), chromedp.SendKeys(chromedp.ID("f-last_name"), "New"),
		chromedp.SendKeys(chromedp.ID("f-username"), "nia.new"), chromedp.SendKeys(chromedp.ID("f-password"), "Secret-pw1"),
		chromedp.SendKeys(chromedp.ID("f-mobile_phone"), "12345"), chromedp.SendKeys(chromedp.ID("f-email"), "nia@example.com"),
		chromedp.Submit(chromedp.ID("f-email")), chromedp.WaitVisible(chromedp.ID("e-mobile_phone")))
	b.expect("phone error", "must start with + and the country code")
	b.run("fix the phone", chromedp.SetValue(chromedp.ID("f-mobile_phone"), "+44 7911 123458"),
		chromedp.SendKeys(chromedp.ID("f-password"), "Secret-pw1"),
		chromedp.Submit(chromedp.ID("f-email")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	b.expect("user saved", "Saved.")

	// Import the example template (the file the Download Example link
	// gives) through the upload form.
	tpl := filepath.Join(t.TempDir(), "users-template.xlsx")
	f, err := os.Create(tpl)
	require.NoError(t, err)
	require.NoError(t, importer.WriteTemplate(ctx, f, importer.XLSX))
	require.NoError(t, f.Close())
	b.run("open import", chromedp.Navigate(srv.URL+"/import"), chromedp.WaitVisible(chromedp.ID("f-file")))
	b.expect("template link", "Download Example")
	b.run("upload the template", chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{tpl}),
		chromedp.Submit(chromedp.ID("f-file")), chromedp.WaitVisible(chromedp.CSS(".summary")))
	b.expect("imported", "Users created: 1")

	// Invite two addresses; accept one through the link in the outbox.
	b.run("open invitations", chromedp.Navigate(srv.URL+"/invitations"), chromedp.WaitVisible(chromedp.ID("f-emails")))
	b.run("invite two", chromedp.SendKeys(chromedp.ID("f-emails"), "ada@example.org, bob@example.org"),
		chromedp.Submit(chromedp.ID("f-emails")), chromedp.WaitVisible(chromedp.CSS(".invited")))
	b.expect("invited", "bob@example.org")
	b.run("open outbox for the invitation", chromedp.Navigate(srv.URL+"/outbox"), chromedp.WaitVisible(chromedp.CSS("table")))
	link := regexp.MustCompile(`/invite\?token=[A-Za-z0-9_-]+`).FindString(b.text("tbody"))
	if link == "" {
		b.shot("invitation link")
		t.Fatal("no invitation link in the outbox")
	}
	b.run("sign out to accept", chromedp.Navigate(srv.URL+"/users"), chromedp.Click(`//button[text()="Sign out"]`),
		chromedp.WaitVisible(chromedp.ID("f-username")))
	b.run("open the invitation", chromedp.Navigate(srv.URL+link), chromedp.WaitVisible(chromedp.ID("f-first_name")))
	b.run("accept it", chromedp.SendKeys(chromedp.ID("f-first_name"), "Bob"), chromedp.SendKeys(chromedp.ID("f-last_name"), "Builder"),
		chromedp.SendKeys(chromedp.ID("f-username"), "bob.builder"), chromedp.SendKeys(chromedp.ID("f-mobile_phone"), "+447911123459"),
		chromedp.SendKeys(chromedp.ID("f-password"), "Secret-pw1"), chromedp.SendKeys(chromedp.ID("f-confirm"), "Secret-pw1"),
		chromedp.Submit(chromedp.ID("f-confirm")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	b.expect("accepted", "Accepted.")
	b.signIn("owner", "Secret-pw1")

	// Suspend Sam, sign out, and see that Sam cannot sign in.
	b.run("open sam", chromedp.Navigate(srv.URL+"/users/"+sam.ID), chromedp.WaitVisible(chromedp.ID("f-until")))
	b.run("suspend sam", chromedp.Click(`//button[text()="Suspend"]`), chromedp.WaitVisible(chromedp.CSS(".notice")))
	b.expect("suspended", "The user is suspended.")
	b.run("sign out", chromedp.Click(`//button[text()="Sign out"]`), chromedp.WaitVisible(chromedp.ID("f-username")))
	b.run("sam signs in", chromedp.SendKeys(chromedp.ID("f-username"), "sam.sales"),
		chromedp.SendKeys(chromedp.ID("f-password"), "Secret-pw1"), chromedp.Submit(chromedp.ID("f-password")),
		chromedp.WaitVisible(chromedp.CSS(".error")))
	b.expect("sam refused", "cannot sign in now")
}
