package portal

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/rosterkit/roster/usermgmt"
)

func (p *Portal) adminRoutes() {
	m := p.mux
	m.HandleFunc("GET /users", p.signedIn(p.usersPage))
	m.HandleFunc("GET /users/new", p.signedIn(p.newUserPage))
	m.HandleFunc("POST /users/new", p.signedIn(p.createUser))
	m.HandleFunc("POST /users/delete", p.signedIn(p.deleteMany))
	m.HandleFunc("GET /users/{id}", p.signedIn(p.userPage))
	m.HandleFunc("POST /users/{id}", p.signedIn(p.updateUser))
	m.HandleFunc("POST /users/{id}/status", p.signedIn(p.setStatus))
	m.HandleFunc("GET /users/{id}/delete", p.signedIn(p.deletePage))
	m.HandleFunc("POST /users/{id}/delete", p.signedIn(p.deleteUser))
	m.HandleFunc("POST /users/{id}/password", p.signedIn(p.setPassword))
	m.HandleFunc("POST /users/{id}/reset", p.signedIn(p.sendReset))
	m.HandleFunc("GET /users/{id}/access", p.signedIn(p.accessPage))
	m.HandleFunc("POST /users/{id}/access", p.signedIn(p.grant))
	m.HandleFunc("POST /users/{id}/access/{grant}/revoke", p.signedIn(p.revoke))
	m.HandleFunc("GET /users/{id}/log", p.signedIn(p.logPage))
	m.HandleFunc("GET /groups", p.signedIn(p.groupsPage))
	m.HandleFunc("POST /groups", p.signedIn(p.createGroup))
	m.HandleFunc("POST /groups/{id}", p.signedIn(p.changeGroup))
	m.HandleFunc("POST /groups/{id}/delete", p.signedIn(p.deleteGroup))
	m.HandleFunc("GET /account", p.signedIn(p.accountPage))
	m.HandleFunc("POST /account", p.signedIn(p.updateAccount))
}

// form parses a bounded form body.
func form(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "the form could not be read", http.StatusBadRequest)
		return false
	}
	return true
}

// adminPage fills what every admin page shows: the licence count.
func (p *Portal) adminPage(r *http.Request, me *usermgmt.Actor, title string) *page {
	pg := &page{Title: title, Me: me}
	if me.IsAdmin() {
		if c, err := p.users.CountUsers(r.Context(), me.User.ID); err == nil {
			pg.Counts = &c
		}
	}
	return pg
}

// groupOption is a group in a select, indented by depth.
type groupOption struct {
	ID, Name string
	Depth    int
}

func (p *Portal) groupOptions(r *http.Request, me *usermgmt.Actor, perm usermgmt.Permission) []groupOption {
	groups, err := p.users.ListGroups(r.Context(), me.User.ID)
	if err != nil {
		return nil
	}
	var out []groupOption
	for _, g := range groups {
		if perm != "" && !me.CanGroup(perm, g.ID) {
			continue
		}
		out = append(out, groupOption{ID: g.ID, Name: g.Name, Depth: strings.Count(g.Path, "/") - 2})
	}
	return out
}

// usersData is the users list.
type usersData struct {
	Users  []usermgmt.User
	Next   string
	Groups []groupOption
	Query  url.Values
}

func (p *Portal) usersPage(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	q := r.URL.Query()
	pg := p.adminPage(r, me, "Users")
	if !me.IsAdmin() {
		p.render(w, r, http.StatusOK, "home", pg)
		return
	}
	uq := usermgmt.UserQuery{Query: q.Get("q"), Group: q.Get("group"),
		ServiceLevel: usermgmt.ServiceLevel(q.Get("level")), Type: usermgmt.UserType(q.Get("type"))}
	if s := q.Get("status"); s != "" {
		uq.Statuses = []usermgmt.Status{usermgmt.Status(s)}
	}
	users, next, err := p.users.ListUsers(r.Context(), me.User.ID, uq, usermgmt.Page{After: q.Get("after"), Limit: 50})
	if err != nil {
		_, msg := fieldErrors(err)
		if msg == "" {
			p.fail(w, r, err)
			return
		}
		pg.Error = msg
	}
	pg.Data = usersData{Users: users, Next: next, Groups: p.groupOptions(r, me, ""), Query: q}
	p.render(w, r, http.StatusOK, "users", pg)
}

// userForm is the add and edit form.
type userForm struct {
	New     bool
	User    usermgmt.User
	Groups  []groupOption
	Numbers []usermgmt.Number
}

func (p *Portal) newUserPage(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	pg := p.adminPage(r, me, "Add user")
	pg.Form = url.Values{"service_level": {string(me.Account.Defaults.ServiceLevel)}}
	pg.Data = userForm{New: true, Groups: p.groupOptions(r, me, usermgmt.PermUsers)}
	p.render(w, r, http.StatusOK, "user_form", pg)
}

// userFrom reads the user fields of a form.
func userFrom(f url.Values) usermgmt.User {
	u := usermgmt.User{
		GroupID: f.Get("group"), Username: f.Get("username"), FirstName: f.Get("first_name"),
		LastName: f.Get("last_name"), Email: f.Get("email"), MobilePhone: f.Get("mobile_phone"),
		BusinessPhone: f.Get("business_phone"), Company: f.Get("company"), CustomerCode: f.Get("customer_code"),
		UDID: f.Get("udid"), TimeZone: f.Get("time_zone"), Language: f.Get("language"), Country: f.Get("country"),
		FriendlyName: f.Get("friendly_name"), Notes: f.Get("notes"),
		ServiceLevel: usermgmt.ServiceLevel(f.Get("service_level")), Type: usermgmt.UserType(f.Get("type")),
		AddressBook: f.Get("address_book") == "on",
	}
	if f.Get("kind") == string(usermgmt.KindSystem) {
		u.Kind = usermgmt.KindSystem
	}
	for _, s := range f["services"] {
		u.Services = append(u.Services, usermgmt.Channel(s))
	}
	return u
}

func (p *Portal) createUser(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	if !form(w, r) {
		return
	}
	u, err := p.users.CreateUser(r.Context(), me.User.ID, usermgmt.NewUser{User: userFrom(r.PostForm), Password: r.PostForm.Get("password")})
	if err != nil {
		errs, msg := fieldErrors(err)
		if msg == "" {
			p.fail(w, r, err)
			return
		}
		pg := p.adminPage(r, me, "Add user")
		pg.Errors, pg.Error, pg.Form = errs, msg, r.PostForm
		pg.Form.Del("password")
		pg.Data = userForm{New: true, Groups: p.groupOptions(r, me, usermgmt.PermUsers)}
		p.render(w, r, http.StatusUnprocessableEntity, "user_form", pg)
		return
	}
	p.redirect(w, "/users/"+u.ID+"?done=created")
}

func (p *Portal) userPage(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	u, err := p.users.GetUser(r.Context(), me.User.ID, r.PathValue("id"))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.renderUser(w, r, me, u, http.StatusOK, nil, "")
}

func (p *Portal) renderUser(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor, u usermgmt.User, status int, errs map[string]string, msg string) {
	pg := p.adminPage(r, me, u.Name())
	pg.Errors, pg.Error = errs, msg
	pg.Form = valuesOf(u)
	if errs != nil {
		pg.Form = r.PostForm
	}
	nums, _ := p.users.ListNumbers(r.Context(), me.User.ID, u.ID)
	pg.Data = userForm{User: u, Groups: p.groupOptions(r, me, usermgmt.PermUsers), Numbers: nums}
	p.render(w, r, status, "user_form", pg)
}

// valuesOf fills a form from a user.
func valuesOf(u usermgmt.User) url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("group", u.GroupID)
	set("username", u.Username)
	set("first_name", u.FirstName)
	set("last_name", u.LastName)
	set("email", u.Email)
	set("mobile_phone", u.MobilePhone)
	set("business_phone", u.BusinessPhone)
	set("company", u.Company)
	set("customer_code", u.CustomerCode)
	set("udid", u.UDID)
	set("time_zone", u.TimeZone)
	set("language", u.Language)
	set("country", u.Country)
	set("friendly_name", u.FriendlyName)
	set("notes", u.Notes)
	set("service_level", string(u.ServiceLevel))
	set("type", string(u.Type))
	set("kind", string(u.Kind))
	set("default_number", u.DefaultNumber)
	if u.AddressBook {
		v.Set("address_book", "on")
	}
	for _, s := range u.Services {
		v.Add("services", string(s))
	}
	return v
}

func (p *Portal) updateUser(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	if !form(w, r) {
		return
	}
	id := r.PathValue("id")
	f := r.PostForm
	in := userFrom(f)
	str := func(s string) *string { return &s }
	up := usermgmt.UserUpdate{FirstName: str(in.FirstName), LastName: str(in.LastName), Email: str(in.Email),
		MobilePhone: str(in.MobilePhone), BusinessPhone: str(in.BusinessPhone), Company: str(in.Company),
		CustomerCode: str(in.CustomerCode), UDID: str(in.UDID), TimeZone: str(in.TimeZone), Language: str(in.Language),
		Country: str(in.Country), FriendlyName: str(in.FriendlyName), Notes: str(in.Notes),
		ServiceLevel: &in.ServiceLevel, Services: &in.Services, AddressBook: &in.AddressBook,
		DefaultNumber: str(f.Get("default_number"))}
	if in.Services == nil {
		up.Services = &[]usermgmt.Channel{}
	}
	if in.Type != "" {
		up.Type = &in.Type
	}
	u, err := p.users.UpdateUser(r.Context(), me.User.ID, id, up)
	if err == nil && in.GroupID != "" && in.GroupID != u.GroupID {
		u, err = p.users.MoveUser(r.Context(), me.User.ID, id, in.GroupID)
	}
	if err != nil {
		errs, msg := fieldErrors(err)
		cur, gerr := p.users.GetUser(r.Context(), me.User.ID, id)
		if msg == "" || gerr != nil {
			p.fail(w, r, err)
			return
		}
		if errs == nil {
			errs = map[string]string{}
		}
		p.renderUser(w, r, me, cur, http.StatusUnprocessableEntity, errs, msg)
		return
	}
	p.redirect(w, "/users/"+id+"?done=saved")
}

func (p *Portal) setStatus(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	if !form(w, r) {
		return
	}
	id := r.PathValue("id")
	ctx, actor := r.Context(), me.User.ID
	var err error
	action := r.PostForm.Get("action")
	switch action {
	case "suspend":
		var until time.Time
		if d := r.PostForm.Get("until"); d != "" {
			until, err = time.Parse("2006-01-02", d)
			if err != nil {
				http.Error(w, "until must be a date", http.StatusBadRequest)
				return
			}
		}
		_, err = p.users.Suspend(ctx, actor, id, until)
		action = "suspended"
	case "unsuspend":
		_, err = p.users.Unsuspend(ctx, actor, id)
		action = "unsuspended"
	case "disable":
		_, err = p.users.Disable(ctx, actor, id)
		action = "disabled"
	case "enable":
		_, err = p.users.Enable(ctx, actor, id)
		action = "enabled"
	default:
		http.Error(w, "unknown action", http.StatusBadRequest)
		return
	}
	if err != nil {
		p.userError(w, r, me, id, err)
		return
	}
	p.redirect(w, "/users/"+id+"?done="+action)
}

// userError shows an error on a user's page.
func (p *Portal) userError(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor, id string, err error) {
	errs, msg := fieldErrors(err)
	u, gerr := p.users.GetUser(r.Context(), me.User.ID, id)
	if msg == "" || gerr != nil {
		p.fail(w, r, err)
		return
	}
	for _, m := range errs {
		msg += " " + m
	}
	p.renderUser(w, r, me, u, http.StatusUnprocessableEntity, nil, msg)
}

// deleteData is the delete confirmation.
type deleteData struct {
	Users []usermgmt.User
}

func (p *Portal) deletePage(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	u, err := p.users.GetUser(r.Context(), me.User.ID, r.PathValue("id"))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	pg := p.adminPage(r, me, "Delete "+u.Name())
	pg.Data = deleteData{Users: []usermgmt.User{u}}
	p.render(w, r, http.StatusOK, "delete", pg)
}

func (p *Portal) deleteUser(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	if err := p.users.Delete(r.Context(), me.User.ID, r.PathValue("id")); err != nil {
		p.userError(w, r, me, r.PathValue("id"), err)
		return
	}
	p.redirect(w, "/users?done=deleted")
}

// deleteMany deletes the users ticked in the list, after a confirmation.
func (p *Portal) deleteMany(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	if !form(w, r) {
		return
	}
	ids := slices.Compact(r.PostForm["id"])
	if len(ids) == 0 {
		p.redirect(w, "/users")
		return
	}
	if r.PostForm.Get("confirm") != "yes" {
		var users []usermgmt.User
		for _, id := range ids {
			u, err := p.users.GetUser(r.Context(), me.User.ID, id)
			if err != nil {
				p.fail(w, r, err)
				return
			}
			users = append(users, u)
		}
		pg := p.adminPage(r, me, "Delete users")
		pg.Data = deleteData{Users: users}
		p.render(w, r, http.StatusOK, "delete", pg)
		return
	}
	if err := p.users.Delete(r.Context(), me.User.ID, ids...); err != nil {
		p.fail(w, r, err)
		return
	}
	p.redirect(w, "/users?done=deleted")
}

func (p *Portal) setPassword(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	if !form(w, r) {
		return
	}
	id := r.PathValue("id")
	if err := p.auth.SetPassword(r.Context(), me.User.ID, id, r.PostForm.Get("password")); err != nil {
		p.userError(w, r, me, id, err)
		return
	}
	p.redirect(w, "/users/"+id+"?done=password")
}

func (p *Portal) sendReset(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	id := r.PathValue("id")
	if err := p.auth.SendReset(r.Context(), me.User.ID, id); err != nil {
		p.userError(w, r, me, id, err)
		return
	}
	p.redirect(w, "/users/"+id+"?done=reset-sent")
}

// accessData is the access editor.
type accessData struct {
	User   usermgmt.User
	Grants []grantView
	// Offer lists only what the actor holds and so may grant.
	Offer  []usermgmt.Permission
	Groups []groupOption
}

type grantView struct {
	usermgmt.Grant
	Where string
}

func (p *Portal) accessPage(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	p.renderAccess(w, r, me, http.StatusOK, "")
}

func (p *Portal) renderAccess(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor, status int, msg string) {
	id := r.PathValue("id")
	u, err := p.users.GetUser(r.Context(), me.User.ID, id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	grants, err := p.users.ListGrants(r.Context(), me.User.ID, id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	views := make([]grantView, len(grants))
	for i, g := range grants {
		views[i] = grantView{Grant: g, Where: "one user"}
		if grp, ok := me.Group(g.Scope.GroupID); ok {
			views[i].Where = grp.Name + " and below"
		}
	}
	var offer []usermgmt.Permission
	for _, perm := range me.Permissions() {
		if !perm.OwnerOnly() {
			offer = append(offer, perm)
		}
	}
	pg := p.adminPage(r, me, "Access of "+u.Name())
	pg.Error = msg
	pg.Data = accessData{User: u, Grants: views, Offer: offer, Groups: p.groupOptions(r, me, "")}
	p.render(w, r, status, "access", pg)
}

func (p *Portal) grant(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	if !form(w, r) {
		return
	}
	id := r.PathValue("id")
	var perms []usermgmt.Permission
	for _, s := range r.PostForm["permission"] {
		perms = append(perms, usermgmt.Permission(s))
	}
	scope := usermgmt.Scope{GroupID: r.PostForm.Get("group")}
	if scope.GroupID == "" {
		scope = usermgmt.Scope{UserID: r.PostForm.Get("scope_user")}
	}
	if _, err := p.users.Grant(r.Context(), me.User.ID, id, scope, perms); err != nil {
		errs, msg := fieldErrors(err)
		if msg == "" {
			p.fail(w, r, err)
			return
		}
		for _, m := range errs {
			msg += " " + m
		}
		p.renderAccess(w, r, me, http.StatusUnprocessableEntity, msg)
		return
	}
	p.redirect(w, "/users/"+id+"/access?done=granted")
}

func (p *Portal) revoke(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	id := r.PathValue("id")
	if err := p.users.Revoke(r.Context(), me.User.ID, r.PathValue("grant")); err != nil {
		_, msg := fieldErrors(err)
		if msg == "" {
			p.fail(w, r, err)
			return
		}
		p.renderAccess(w, r, me, http.StatusForbidden, msg)
		return
	}
	p.redirect(w, "/users/"+id+"/access?done=revoked")
}

// logData is a user's audit log.
type logData struct {
	User   usermgmt.User
	Events []usermgmt.Event
	Next   string
}

func (p *Portal) logPage(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	id := r.PathValue("id")
	u, err := p.users.GetUser(r.Context(), me.User.ID, id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	events, next, err := p.users.ListEvents(r.Context(), me.User.ID, usermgmt.EventQuery{UserID: id},
		usermgmt.Page{After: r.URL.Query().Get("after"), Limit: 100})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	pg := p.adminPage(r, me, "Log of "+u.Name())
	pg.Data = logData{User: u, Events: events, Next: next}
	p.render(w, r, http.StatusOK, "log", pg)
}

// groupsData is the groups tree.
type groupsData struct {
	Tree    []groupOption
	Targets []groupOption
}

func (p *Portal) groupsPage(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	p.renderGroups(w, r, me, http.StatusOK, "")
}

func (p *Portal) renderGroups(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor, status int, msg string) {
	pg := p.adminPage(r, me, "Groups")
	pg.Error = msg
	pg.Data = groupsData{Tree: p.groupOptions(r, me, ""), Targets: p.groupOptions(r, me, usermgmt.PermGroups)}
	p.render(w, r, status, "groups", pg)
}

func (p *Portal) groupResult(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor, err error) {
	if err != nil {
		errs, msg := fieldErrors(err)
		if msg == "" {
			if errs == nil {
				p.fail(w, r, err)
				return
			}
		}
		for f, m := range errs {
			msg += " " + f + " " + m + "."
		}
		if msg == "" {
			msg = "That cannot be done: a group cannot move under itself, the top group stays, and only empty groups are deleted."
		}
		p.renderGroups(w, r, me, http.StatusUnprocessableEntity, msg)
		return
	}
	p.redirect(w, "/groups?done=saved")
}

func (p *Portal) createGroup(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	if !form(w, r) {
		return
	}
	_, err := p.users.CreateGroup(r.Context(), me.User.ID, r.PostForm.Get("parent"), r.PostForm.Get("name"))
	p.groupResult(w, r, me, err)
}

func (p *Portal) changeGroup(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	if !form(w, r) {
		return
	}
	id := r.PathValue("id")
	var err error
	if name := r.PostForm.Get("name"); name != "" {
		_, err = p.users.RenameGroup(r.Context(), me.User.ID, id, name)
	}
	if parent := r.PostForm.Get("parent"); err == nil && parent != "" {
		_, err = p.users.MoveGroup(r.Context(), me.User.ID, id, parent)
	}
	p.groupResult(w, r, me, err)
}

func (p *Portal) deleteGroup(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	if !form(w, r) {
		return
	}
	err := p.users.DeleteGroup(r.Context(), me.User.ID, r.PathValue("id"),
		usermgmt.DeleteGroupOptions{MoveToParent: r.PostForm.Get("move_to_parent") == "on"})
	p.groupResult(w, r, me, err)
}

func (p *Portal) accountPage(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	pg := p.adminPage(r, me, "Account settings")
	pg.Form = accountValues(me.Account)
	p.render(w, r, http.StatusOK, "account", pg)
}

func accountValues(a usermgmt.Account) url.Values {
	v := url.Values{"name": {a.Name}, "contact_name": {a.Contact.Name}, "contact_email": {a.Contact.Email},
		"contact_phone": {a.Contact.Phone}, "country": {a.Defaults.Country}, "language": {a.Defaults.Language},
		"time_zone": {a.Defaults.TimeZone}, "service_level": {string(a.Defaults.ServiceLevel)}}
	if a.TwoFactor {
		v.Set("two_factor", "on")
	}
	return v
}

func (p *Portal) updateAccount(w http.ResponseWriter, r *http.Request, me *usermgmt.Actor) {
	if !form(w, r) {
		return
	}
	f := r.PostForm
	name, twoFactor := f.Get("name"), f.Get("two_factor") == "on"
	_, err := p.users.UpdateAccount(r.Context(), me.User.ID, usermgmt.AccountUpdate{Name: &name, TwoFactor: &twoFactor,
		Contact: &usermgmt.Contact{Name: f.Get("contact_name"), Email: f.Get("contact_email"), Phone: f.Get("contact_phone")},
		Defaults: &usermgmt.Defaults{Country: f.Get("country"), Language: f.Get("language"), TimeZone: f.Get("time_zone"),
			ServiceLevel: usermgmt.ServiceLevel(f.Get("service_level"))}})
	if err != nil {
		errs, msg := fieldErrors(err)
		if msg == "" {
			p.fail(w, r, err)
			return
		}
		pg := p.adminPage(r, me, "Account settings")
		pg.Errors, pg.Error, pg.Form = map[string]string{}, msg, f
		for k, m := range errs {
			pg.Errors[strings.TrimPrefix(strings.TrimPrefix(k, "defaults."), "contact.")] = m
			if strings.HasPrefix(k, "contact.") {
				pg.Errors["contact_"+strings.TrimPrefix(k, "contact.")] = m
			}
		}
		p.render(w, r, http.StatusUnprocessableEntity, "account", pg)
		return
	}
	p.redirect(w, "/account?done=saved")
}
