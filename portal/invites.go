package portal

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"sync"
	"time"

	"github.com/rosterkit/roster/importer"
	"github.com/rosterkit/roster/invite"
	"github.com/rosterkit/roster/usermgmt"
)

// inviteRoutes registers the invitation and ownership screens (when
// Config.Invites is set) and the import screens (when Config.Importer
// is set).
func (p *Portal) inviteRoutes() {
	m := p.mux
	if p.cfg.Invites != nil {
		m.HandleFunc("GET /invitations", p.signedIn(p.invitationsPage))
		m.HandleFunc("POST /invitations", p.signedIn(p.invite))
		m.HandleFunc("POST /invitations/{id}/resend", p.signedIn(p.resendInvitation))
		m.HandleFunc("POST /invitations/{id}/revoke", p.signedIn(p.revokeInvitation))
		m.HandleFunc("GET /ownership", p.signedIn(p.ownershipPage))
		m.HandleFunc("POST /ownership", p.signedIn(p.requestOwnership))
		m.HandleFunc("GET /invite", p.acceptPage)
		m.HandleFunc("POST /invite", p.accept)
		m.HandleFunc("GET /activate", p.activatePage)
		m.HandleFunc("POST /activate", p.activate)
		m.HandleFunc("GET /ownership/confirm", p.ownershipConfirmPage)
		m.HandleFunc("POST /ownership/confirm", p.ownershipConfirm)
	}
	if p.cfg.Importer != nil {
		m.HandleFunc("GET /import", p.signedIn(p.importPage))
		m.HandleFunc("POST /import", p.signedIn(p.doImport))
		m.HandleFunc("GET /import/template/{file}", p.signedIn(p.importTemplate))
		m.HandleFunc("GET /import/errors/{id}", p.signedIn(p.importErrors))
	}
}

// invitationsData is the invitations screen.
type invitationsData struct {
	Groups      []groupOption
	Permissions []usermgmt.Permission // those the admin may give
	Result      *invite.Result
	Pending     []invite.Record
	Next        string
}

func (p *Portal) invitationsData(r *http.Request, me *usermgmt.Actor) *invitationsData {
	d := &invitationsData{Groups: p.groupOptions(r, me, usermgmt.PermInvitations)}
	for _, perm := range usermgmt.BuiltinPermissions() {
		if !perm.OwnerOnly() || me.IsOwner() {
			for _, g := range d.Groups {
				if me.CanGroup(perm, g.ID) {
					d.Permissions = append(d.Permissions, perm)
					break
				}
			}
		}
	}
	d.Pending, d.Next, _ = p.cfg.Invites.Pending(r.Context(), me.User.ID, usermgmt.Page{After: r.URL.Query().Get("after"), Limit: 50})
	return d
}

func (p *Portal) invitationsPage(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	pg := p.adminPage(r, me, "Invitations")
	pg.Data = p.invitationsData(r, me)
	p.render(w, r, http.StatusOK, "invitations", pg)
}

func (p *Portal) invite(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	if !form(w, r) {
		return
	}
	req := invite.Request{Emails: invite.SplitAddresses(r.PostForm.Get("emails")), Group: r.PostForm.Get("group")}
	for _, perm := range r.PostForm["permission"] {
		req.Permissions = append(req.Permissions, usermgmt.Permission(perm))
	}
	if len(req.Permissions) > 0 {
		req.Scope = usermgmt.Scope{GroupID: req.Group}
	}
	pg := p.adminPage(r, me, "Invitations")
	pg.Form = r.PostForm
	res, err := p.cfg.Invites.Invite(r.Context(), me.User.ID, req)
	status := http.StatusOK
	if err != nil {
		errs, msg := fieldErrors(err)
		if msg == "" {
			p.fail(w, r, err)
			return
		}
		pg.Errors, pg.Error, status = errs, msg, http.StatusUnprocessableEntity
	} else {
		pg.Notice = notices["invited"]
	}
	d := p.invitationsData(r, me)
	if err == nil {
		d.Result = &res
	}
	pg.Data = d
	p.render(w, r, status, "invitations", pg)
}

func (p *Portal) resendInvitation(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	if _, err := p.cfg.Invites.Resend(r.Context(), me.User.ID, r.PathValue("id")); err != nil {
		p.fail(w, r, err)
		return
	}
	p.redirect(w, "/invitations?done=resent")
}

func (p *Portal) revokeInvitation(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	if err := p.cfg.Invites.Revoke(r.Context(), me.User.ID, r.PathValue("id")); err != nil {
		p.fail(w, r, err)
		return
	}
	p.redirect(w, "/invitations?done=revoked")
}

// ownershipData is the ownership requests screen.
type ownershipData struct {
	Groups   []groupOption
	Requests []invite.OwnershipRecord
	Next     string
}

func (p *Portal) ownershipPage(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	p.renderOwnership(w, r, me, http.StatusOK, p.adminPage(r, me, "Ownership requests"))
}

func (p *Portal) renderOwnership(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor, status int, pg *page) {
	d := &ownershipData{Groups: p.groupOptions(r, me, usermgmt.PermUsers)}
	d.Requests, d.Next, _ = p.cfg.Invites.OwnershipRequests(r.Context(), me.User.ID, usermgmt.Page{After: r.URL.Query().Get("after"), Limit: 50})
	pg.Data = d
	p.render(w, r, status, "ownership", pg)
}

func (p *Portal) requestOwnership(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	if !form(w, r) {
		return
	}
	pg := p.adminPage(r, me, "Ownership requests")
	pg.Form = r.PostForm
	_, err := p.cfg.Invites.RequestOwnership(r.Context(), me.User.ID, invite.OwnershipRequest{
		User: r.PostForm.Get("user"), Group: r.PostForm.Get("group")})
	if err != nil {
		errs, msg := fieldErrors(err)
		if msg == "" {
			p.fail(w, r, err)
			return
		}
		pg.Errors, pg.Error = errs, msg
		p.renderOwnership(w, r, me, http.StatusUnprocessableEntity, pg)
		return
	}
	pg.Notice = "The request is on its way; the user decides."
	p.renderOwnership(w, r, me, http.StatusOK, pg)
}

// linkError answers a link that cannot be used, saying whether it
// expired or is not (or no longer) valid.
func (p *Portal) linkError(w http.ResponseWriter, r *http.Request, name string, pg *page, err error) {
	switch {
	case errors.Is(err, usermgmt.ErrExpired):
		pg.Error = "This link has expired. Ask for a new one."
		p.render(w, r, http.StatusGone, name, pg)
	case errors.Is(err, usermgmt.ErrUsed), errors.Is(err, usermgmt.ErrNotFound):
		pg.Error = "This link is not valid (it may have been used already). Ask for a new one."
		p.render(w, r, http.StatusNotFound, name, pg)
	default:
		errs, msg := fieldErrors(err)
		if msg == "" {
			p.fail(w, r, err)
			return
		}
		pg.Errors, pg.Error = errs, msg
		p.render(w, r, http.StatusUnprocessableEntity, name, pg)
	}
}

// acceptPage shows an invitation. Looking at it consumes nothing, so a
// mail scanner that opens the link leaves it working.
func (p *Portal) acceptPage(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	pg := &page{Title: "Accept the invitation", Data: tokenForm{Token: tok, Kind: "invite"}}
	inv, err := p.cfg.Invites.Lookup(r.Context(), tok)
	if err != nil {
		p.linkError(w, r, "set_password", pg, err)
		return
	}
	pg.Data = tokenForm{Token: tok, Kind: "invite", Email: inv.Email, Account: inv.AccountName}
	p.render(w, r, http.StatusOK, "set_password", pg)
}

func (p *Portal) accept(w http.ResponseWriter, r *http.Request) {
	if !form(w, r) {
		return
	}
	f := r.PostForm
	tok := f.Get("token")
	pg := &page{Title: "Accept the invitation", Form: f, Data: tokenForm{Token: tok, Kind: "invite"}}
	if inv, err := p.cfg.Invites.Lookup(r.Context(), tok); err == nil {
		pg.Data = tokenForm{Token: tok, Kind: "invite", Email: inv.Email, Account: inv.AccountName}
	}
	if f.Get("password") != f.Get("confirm") {
		pg.Errors = map[string]string{"confirm": "The two passwords differ."}
		p.render(w, r, http.StatusUnprocessableEntity, "set_password", pg)
		return
	}
	_, err := p.cfg.Invites.Accept(r.Context(), tok, invite.Acceptance{FirstName: f.Get("first_name"),
		LastName: f.Get("last_name"), Username: f.Get("username"), Password: f.Get("password"),
		MobilePhone: f.Get("mobile_phone")})
	if err != nil {
		p.linkError(w, r, "set_password", pg, err)
		return
	}
	p.redirect(w, "/login?done=accepted")
}

func (p *Portal) activatePage(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	pg := &page{Title: "Choose your password", Data: tokenForm{Token: tok, Kind: "activate"}}
	if _, err := p.cfg.Invites.LookupActivation(r.Context(), tok); err != nil {
		p.linkError(w, r, "set_password", pg, err)
		return
	}
	p.render(w, r, http.StatusOK, "set_password", pg)
}

func (p *Portal) activate(w http.ResponseWriter, r *http.Request) {
	if !form(w, r) {
		return
	}
	tok := r.PostForm.Get("token")
	pg := &page{Title: "Choose your password", Data: tokenForm{Token: tok, Kind: "activate"}}
	if r.PostForm.Get("password") != r.PostForm.Get("confirm") {
		pg.Errors = map[string]string{"confirm": "The two passwords differ."}
		p.render(w, r, http.StatusUnprocessableEntity, "set_password", pg)
		return
	}
	if _, err := p.cfg.Invites.Activate(r.Context(), tok, r.PostForm.Get("password")); err != nil {
		p.linkError(w, r, "set_password", pg, err)
		return
	}
	p.redirect(w, "/login?done=password-reset")
}

func (p *Portal) ownershipConfirmPage(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	pg := &page{Title: "Move your account"}
	inv, err := p.cfg.Invites.LookupOwnership(r.Context(), tok)
	if err != nil {
		p.linkError(w, r, "ownership_confirm", pg, err)
		return
	}
	pg.Data = struct {
		Token string
		Offer invite.Invitation
	}{tok, inv}
	p.render(w, r, http.StatusOK, "ownership_confirm", pg)
}

func (p *Portal) ownershipConfirm(w http.ResponseWriter, r *http.Request) {
	if !form(w, r) {
		return
	}
	tok := r.PostForm.Get("token")
	pg := &page{Title: "Move your account"}
	var err error
	done := "declined"
	if r.PostForm.Get("decision") == "accept" {
		_, err = p.cfg.Invites.AcceptOwnership(r.Context(), tok)
		done = "accepted"
	} else {
		err = p.cfg.Invites.DeclineOwnership(r.Context(), tok)
	}
	if err != nil {
		p.linkError(w, r, "ownership_confirm", pg, err)
		return
	}
	p.redirect(w, "/login?done="+done)
}

// importData is the import screen.
type importData struct {
	Groups  []groupOption
	Notes   []importer.ColumnNote
	Limits  importer.Limits
	Report  *importer.Report
	Errors  string // the id of the errors file, when there is one
	Summary string
}

func (p *Portal) importPage(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	pg := p.adminPage(r, me, "Import users")
	pg.Data = &importData{Groups: p.groupOptions(r, me, usermgmt.PermImport), Notes: importer.TemplateNotes(),
		Limits: p.cfg.Importer.Limits()}
	p.render(w, r, http.StatusOK, "import", pg)
}

func (p *Portal) importTemplate(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	f, err := importer.FormatOf(r.PathValue("file"))
	if err != nil || f == importer.TXT {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	var buf bytes.Buffer
	if err := p.cfg.Importer.WriteTemplate(r.Context(), &buf, f); err != nil {
		p.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", f.ContentType())
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "users-template" + f.Ext()}))
	_, _ = w.Write(buf.Bytes())
}

func (p *Portal) doImport(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	lim := p.cfg.Importer.Limits()
	r.Body = http.MaxBytesReader(w, r.Body, lim.MaxBytes+64<<10)
	pg := p.adminPage(r, me, "Import users")
	d := &importData{Groups: p.groupOptions(r, me, usermgmt.PermImport), Notes: importer.TemplateNotes(), Limits: lim}
	pg.Data = d
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		pg.Error = "The file could not be received: it may be larger than the limit."
		p.render(w, r, http.StatusRequestEntityTooLarge, "import", pg)
		return
	}
	defer r.MultipartForm.RemoveAll()
	pg.Form = r.MultipartForm.Value
	file, header, err := r.FormFile("file")
	if err != nil {
		pg.Errors = map[string]string{"file": "Choose a .csv, .txt or .xlsx file."}
		p.render(w, r, http.StatusUnprocessableEntity, "import", pg)
		return
	}
	defer file.Close()
	data, err := io.ReadAll(file)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	opt := importer.Options{Group: r.FormValue("group"), ServiceLevel: usermgmt.ServiceLevel(r.FormValue("service_level")),
		DryRun: r.FormValue("dry_run") != "", SendWelcome: r.FormValue("send_welcome") != ""}
	rep, err := p.cfg.Importer.Import(r.Context(), me.User.ID, importer.Source{Name: header.Filename, Reader: bytes.NewReader(data)}, opt)
	var ie *importer.ImportError
	switch {
	case err == nil:
		d.Report, d.Summary = rep, rep.Summary()
		pg.Notice = notices["imported"]
		if rep.DryRun {
			pg.Notice = "The file is valid: nothing was written (dry run)."
		}
		p.render(w, r, http.StatusOK, "import", pg)
	case errors.As(err, &ie) && ie.Report != nil:
		d.Report, d.Summary = ie.Report, ie.Report.Summary()
		pg.Error = "Nothing was imported: correct the rows below (or download the errors file) and upload again."
		if ie.Report.Failed() {
			var buf bytes.Buffer
			if werr := ie.Report.WriteErrorsFile(r.Context(), &buf); werr == nil {
				d.Errors = p.errorFiles.put(me.User.ID, ie.Report.ErrorsFileName(), buf.Bytes())
			}
		}
		p.render(w, r, http.StatusUnprocessableEntity, "import", pg)
	case errors.Is(err, importer.ErrFormat), errors.Is(err, importer.ErrLimit), errors.Is(err, importer.ErrColumns):
		pg.Errors = map[string]string{"file": err.Error()}
		pg.Error = "The file cannot be imported."
		p.render(w, r, http.StatusUnprocessableEntity, "import", pg)
	default:
		errs, msg := fieldErrors(err)
		if msg == "" {
			p.fail(w, r, err)
			return
		}
		pg.Errors, pg.Error = errs, msg
		p.render(w, r, http.StatusUnprocessableEntity, "import", pg)
	}
}

func (p *Portal) importErrors(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	f, ok := p.errorFiles.get(me.User.ID, r.PathValue("id"))
	if !ok {
		http.Error(w, "this errors file is gone: import the file again to get a new one", http.StatusNotFound)
		return
	}
	format, _ := importer.FormatOf(f.name)
	w.Header().Set("Content-Type", format.ContentType())
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.name}))
	_, _ = w.Write(f.data)
}

// errorFiles keeps the errors files of recent imports for their
// download, each for the admin who imported, for an hour, at most 32.
type errorFiles struct {
	mu    sync.Mutex
	files map[string]errorFile
}

type errorFile struct {
	owner, name string
	data        []byte
	at          time.Time
}

func (e *errorFiles) put(owner, name string, data []byte) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.files == nil {
		e.files = map[string]errorFile{}
	}
	now := time.Now()
	var oldest string
	for k, f := range e.files {
		if now.Sub(f.at) > time.Hour {
			delete(e.files, k)
		} else if oldest == "" || f.at.Before(e.files[oldest].at) {
			oldest = k
		}
	}
	if len(e.files) >= 32 {
		delete(e.files, oldest)
	}
	e.files[id] = errorFile{owner: owner, name: name, data: data, at: now}
	return id
}

func (e *errorFiles) get(owner, id string) (errorFile, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	f, ok := e.files[id]
	return f, ok && f.owner == owner && time.Since(f.at) <= time.Hour
}
