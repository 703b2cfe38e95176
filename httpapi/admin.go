package httpapi

import (
	"context"
	"strings"
	"time"

	"github.com/rosterkit/roster/usermgmt"
)

// AccountView is the account with its licence count (seed 000: "You
// have XX registered users").
type AccountView struct {
	Account usermgmt.Account    `json:"account"`
	Counts  usermgmt.UserCounts `json:"counts"`
}

// MeView is the signed-in user with what they hold.
type MeView struct {
	User        usermgmt.User         `json:"user"`
	Account     usermgmt.Account      `json:"account"`
	Grants      []usermgmt.Grant      `json:"grants"`
	Permissions []usermgmt.Permission `json:"permissions"`
	Owner       bool                  `json:"owner"`
}

// GroupInput creates a group.
type GroupInput struct {
	ParentID string `json:"parent_id"`
	Name     string `json:"name"`
}

// GroupChange renames and/or moves a group.
type GroupChange struct {
	Name     *string `json:"name,omitempty"`
	ParentID *string `json:"parent_id,omitempty"`
}

// MoveInput moves a user to a group.
type MoveInput struct {
	GroupID string `json:"group_id"`
}

// SuspendInput suspends a user, optionally until a time.
type SuspendInput struct {
	Until time.Time `json:"until,omitzero"`
}

// DeleteInput deletes several users at once, all or none.
type DeleteInput struct {
	IDs []string `json:"ids"`
}

// GrantInput gives a user permissions over a scope.
type GrantInput struct {
	Scope       usermgmt.Scope        `json:"scope"`
	Permissions []usermgmt.Permission `json:"permissions"`
}

// NumberInput adds a number to the account.
type NumberInput struct {
	Number string `json:"number"`
	Label  string `json:"label,omitempty"`
}

// AssignInput assigns a number to a user ("" takes it back).
type AssignInput struct {
	UserID string `json:"user_id"`
}

// AliasInput adds an e-mail alias to a user.
type AliasInput struct {
	Address string `json:"address"`
}

// Settings is a user's effective settings.
type Settings struct {
	Settings map[string]string `json:"settings"`
}

func userQueryParams() []param {
	return []param{
		{name: "status", desc: "pending, active, suspended or disabled; repeat for several", array: true},
		{name: "group", desc: "a group id: only its subtree"},
		{name: "type", desc: "owner, admin or end_user"},
		{name: "service_level", desc: "archive or pro"},
		{name: "kind", desc: "person or system"},
		{name: "q", desc: "a part of a name, username, e-mail or mobile phone"},
		{name: "after", desc: "the cursor of the previous page"},
		{name: "limit", desc: "page size, 1 to 1000 (50 by default)", integer: true},
	}
}

func pageParams() []param {
	return []param{
		{name: "after", desc: "the cursor of the previous page"},
		{name: "limit", desc: "page size, 1 to 1000 (50 by default)", integer: true},
	}
}

func eventParams() []param {
	return append([]param{
		{name: "action", desc: "only this action, e.g. user.update"},
		{name: "since", desc: "RFC 3339 time, inclusive"},
		{name: "until", desc: "RFC 3339 time, exclusive"},
	}, pageParams()...)
}

func (a *API) adminRoutes() {
	u := a.users
	a.handle(&route{method: "GET", path: "/me", id: "getMe", tag: "account", summary: "The signed-in user, its account and what it holds",
		out: MeView{}, h: func(c *call) (any, error) {
			me, err := u.Me(c.r.Context(), c.actor)
			if err != nil {
				return nil, err
			}
			g := me.Grants
			if g == nil {
				g = []usermgmt.Grant{}
			}
			perms := me.Permissions()
			if perms == nil {
				perms = []usermgmt.Permission{}
			}
			return MeView{User: me.User, Account: me.Account, Grants: g, Permissions: perms, Owner: me.IsOwner()}, nil
		}})
	a.handle(&route{method: "GET", path: "/account", id: "getAccount", tag: "account", summary: "The account with seats used and total",
		out: AccountView{}, h: func(c *call) (any, error) {
			acct, err := u.GetAccount(c.r.Context(), c.actor)
			if err != nil {
				return nil, err
			}
			counts, err := u.CountUsers(c.r.Context(), c.actor)
			if err != nil {
				return nil, err
			}
			return AccountView{Account: acct, Counts: counts}, nil
		}})
	a.handle(&route{method: "PATCH", path: "/account", id: "updateAccount", tag: "account", summary: "Change the account's settings, SMS PIN switch and defaults",
		in: usermgmt.AccountUpdate{}, out: usermgmt.Account{}, h: func(c *call) (any, error) {
			var in usermgmt.AccountUpdate
			if err := c.decode(&in); err != nil {
				return nil, err
			}
			return u.UpdateAccount(c.r.Context(), c.actor, in)
		}})
	a.handle(&route{method: "GET", path: "/account/events", id: "listAccountEvents", tag: "audit", summary: "The account's audit log, newest first",
		query: eventParams(), out: Page[usermgmt.Event]{}, h: func(c *call) (any, error) {
			return c.events("")
		}})
	a.handle(&route{method: "GET", path: "/account/address-book", id: "getAddressBook", tag: "users", summary: "The global address book",
		query: pageParams(), out: Page[usermgmt.AddressBookEntry]{}, h: func(c *call) (any, error) {
			p, err := c.page()
			if err != nil {
				return nil, err
			}
			items, next, err := u.AddressBook(c.r.Context(), c.actor, p)
			return pageOf(items, next), err
		}})

	a.handle(&route{method: "GET", path: "/groups", id: "listGroups", tag: "groups", summary: "The groups the actor sees, as a tree",
		out: []*usermgmt.GroupNode{}, h: func(c *call) (any, error) {
			groups, err := u.ListGroups(c.r.Context(), c.actor)
			tree := usermgmt.Tree(groups)
			if tree == nil {
				tree = []*usermgmt.GroupNode{}
			}
			return tree, err
		}})
	a.handle(&route{method: "POST", path: "/groups", id: "createGroup", tag: "groups", summary: "Create a group under a parent",
		in: GroupInput{}, out: usermgmt.Group{}, status: 201, h: func(c *call) (any, error) {
			var in GroupInput
			if err := c.decode(&in); err != nil {
				return nil, err
			}
			return u.CreateGroup(c.r.Context(), c.actor, in.ParentID, in.Name)
		}})
	a.handle(&route{method: "PATCH", path: "/groups/{id}", id: "updateGroup", tag: "groups", summary: "Rename and/or move a group",
		in: GroupChange{}, out: usermgmt.Group{}, h: func(c *call) (any, error) {
			var in GroupChange
			if err := c.decode(&in); err != nil {
				return nil, err
			}
			id := c.r.PathValue("id")
			var g usermgmt.Group
			var err error
			if in.Name == nil && in.ParentID == nil {
				return nil, badRequest("give a name, a parent_id or both")
			}
			if in.Name != nil {
				if g, err = u.RenameGroup(c.r.Context(), c.actor, id, *in.Name); err != nil {
					return nil, err
				}
			}
			if in.ParentID != nil {
				g, err = u.MoveGroup(c.r.Context(), c.actor, id, *in.ParentID)
			}
			return g, err
		}})
	a.handle(&route{method: "DELETE", path: "/groups/{id}", id: "deleteGroup", tag: "groups", summary: "Delete a group (move_to_parent=true moves its users and subgroups up)",
		query: []param{{name: "move_to_parent", desc: "true to move what the group holds to its parent"}},
		h: func(c *call) (any, error) {
			return nil, u.DeleteGroup(c.r.Context(), c.actor, c.r.PathValue("id"),
				usermgmt.DeleteGroupOptions{MoveToParent: c.q("move_to_parent") == "true"})
		}})

	a.handle(&route{method: "GET", path: "/users", id: "listUsers", tag: "users", summary: "List users, a page at a time",
		query: userQueryParams(), out: Page[usermgmt.User]{}, h: func(c *call) (any, error) {
			p, err := c.page()
			if err != nil {
				return nil, err
			}
			q := usermgmt.UserQuery{Group: c.q("group"), Type: usermgmt.UserType(c.q("type")),
				ServiceLevel: usermgmt.ServiceLevel(c.q("service_level")), Kind: usermgmt.Kind(c.q("kind")), Query: c.q("q")}
			for _, s := range c.r.URL.Query()["status"] {
				for _, part := range strings.Split(s, ",") {
					q.Statuses = append(q.Statuses, usermgmt.Status(part))
				}
			}
			items, next, err := u.ListUsers(c.r.Context(), c.actor, q, p)
			return pageOf(items, next), err
		}})
	a.handle(&route{method: "POST", path: "/users", id: "createUser", tag: "users", summary: "Create a user (pending without a password)",
		in: usermgmt.NewUser{}, out: usermgmt.User{}, status: 201, h: func(c *call) (any, error) {
			var in usermgmt.NewUser
			if err := c.decode(&in); err != nil {
				return nil, err
			}
			in.PasswordHash = ""
			return u.CreateUser(c.r.Context(), c.actor, in)
		}})
	a.handle(&route{method: "GET", path: "/users/{id}", id: "getUser", tag: "users", summary: "One user",
		out: usermgmt.User{}, h: func(c *call) (any, error) {
			return u.GetUser(c.r.Context(), c.actor, c.r.PathValue("id"))
		}})
	a.handle(&route{method: "PATCH", path: "/users/{id}", id: "updateUser", tag: "users", summary: "Edit a user (also: change mobile, notes, type, default number)",
		in: usermgmt.UserUpdate{}, out: usermgmt.User{}, h: func(c *call) (any, error) {
			var in usermgmt.UserUpdate
			if err := c.decode(&in); err != nil {
				return nil, err
			}
			return u.UpdateUser(c.r.Context(), c.actor, c.r.PathValue("id"), in)
		}})
	a.handle(&route{method: "POST", path: "/users/{id}/move", id: "moveUser", tag: "users", summary: "Place a user in another group",
		in: MoveInput{}, out: usermgmt.User{}, h: func(c *call) (any, error) {
			var in MoveInput
			if err := c.decode(&in); err != nil {
				return nil, err
			}
			return u.MoveUser(c.r.Context(), c.actor, c.r.PathValue("id"), in.GroupID)
		}})
	a.handle(&route{method: "POST", path: "/users/{id}/suspend", id: "suspendUser", tag: "users", summary: "Suspend a user, optionally until a time",
		in: SuspendInput{}, out: usermgmt.User{}, h: func(c *call) (any, error) {
			var in SuspendInput
			if c.r.ContentLength != 0 {
				if err := c.decode(&in); err != nil {
					return nil, err
				}
			}
			return u.Suspend(c.r.Context(), c.actor, c.r.PathValue("id"), in.Until)
		}})
	status := func(path, id, summary string, fn func(*usermgmt.Service) func(ctx context.Context, actor, id string) (usermgmt.User, error)) {
		a.handle(&route{method: "POST", path: path, id: id, tag: "users", summary: summary, out: usermgmt.User{},
			h: func(c *call) (any, error) { return fn(u)(c.r.Context(), c.actor, c.r.PathValue("id")) }})
	}
	status("/users/{id}/unsuspend", "unsuspendUser", "Lift a suspension", func(s *usermgmt.Service) func(context.Context, string, string) (usermgmt.User, error) {
		return s.Unsuspend
	})
	status("/users/{id}/disable", "disableUser", "Disable a user", func(s *usermgmt.Service) func(context.Context, string, string) (usermgmt.User, error) {
		return s.Disable
	})
	status("/users/{id}/enable", "enableUser", "Activate a disabled user again", func(s *usermgmt.Service) func(context.Context, string, string) (usermgmt.User, error) {
		return s.Enable
	})
	a.handle(&route{method: "DELETE", path: "/users/{id}", id: "deleteUser", tag: "users", summary: "Delete a user, keeping a tombstone",
		h: func(c *call) (any, error) { return nil, u.Delete(c.r.Context(), c.actor, c.r.PathValue("id")) }})
	a.handle(&route{method: "POST", path: "/users/delete", id: "deleteUsers", tag: "users", summary: "Delete several users, all or none",
		in: DeleteInput{}, h: func(c *call) (any, error) {
			var in DeleteInput
			if err := c.decode(&in); err != nil {
				return nil, err
			}
			if len(in.IDs) == 0 || len(in.IDs) > 5000 {
				return nil, badRequest("ids must list 1 to 5000 users")
			}
			return nil, u.Delete(c.r.Context(), c.actor, in.IDs...)
		}})
	a.handle(&route{method: "GET", path: "/users/{id}/events", id: "listUserEvents", tag: "audit", summary: "A user's log, newest first",
		query: eventParams(), out: Page[usermgmt.Event]{}, h: func(c *call) (any, error) {
			return c.events(c.r.PathValue("id"))
		}})
	a.handle(&route{method: "GET", path: "/users/{id}/settings", id: "getUserSettings", tag: "users", summary: "A user's effective settings",
		out: Settings{}, h: func(c *call) (any, error) {
			m, err := u.EffectiveSettings(c.r.Context(), c.actor, c.r.PathValue("id"))
			return Settings{Settings: m}, err
		}})

	a.handle(&route{method: "GET", path: "/users/{id}/grants", id: "listGrants", tag: "access", summary: "The grants a user holds",
		out: []usermgmt.Grant{}, h: func(c *call) (any, error) {
			g, err := u.ListGrants(c.r.Context(), c.actor, c.r.PathValue("id"))
			if g == nil {
				g = []usermgmt.Grant{}
			}
			return g, err
		}})
	a.handle(&route{method: "POST", path: "/users/{id}/grants", id: "createGrant", tag: "access", summary: "Give a user permissions over a group subtree or one user",
		in: GrantInput{}, out: usermgmt.Grant{}, status: 201, h: func(c *call) (any, error) {
			var in GrantInput
			if err := c.decode(&in); err != nil {
				return nil, err
			}
			return u.Grant(c.r.Context(), c.actor, c.r.PathValue("id"), in.Scope, in.Permissions)
		}})
	a.handle(&route{method: "DELETE", path: "/grants/{id}", id: "revokeGrant", tag: "access", summary: "Revoke a grant",
		h: func(c *call) (any, error) { return nil, u.Revoke(c.r.Context(), c.actor, c.r.PathValue("id")) }})

	a.handle(&route{method: "GET", path: "/numbers", id: "listNumbers", tag: "numbers", summary: "The account's SMS numbers",
		out: []usermgmt.Number{}, h: func(c *call) (any, error) { return numbers(u.ListNumbers(c.r.Context(), c.actor, "")) }})
	a.handle(&route{method: "POST", path: "/numbers", id: "addNumber", tag: "numbers", summary: "Add an SMS number to the account",
		in: NumberInput{}, out: usermgmt.Number{}, status: 201, h: func(c *call) (any, error) {
			var in NumberInput
			if err := c.decode(&in); err != nil {
				return nil, err
			}
			return u.AddNumber(c.r.Context(), c.actor, in.Number, in.Label)
		}})
	a.handle(&route{method: "DELETE", path: "/numbers/{number}", id: "removeNumber", tag: "numbers", summary: "Remove a number from the account",
		h: func(c *call) (any, error) {
			return nil, u.RemoveNumber(c.r.Context(), c.actor, c.r.PathValue("number"))
		}})
	a.handle(&route{method: "PUT", path: "/numbers/{number}/user", id: "assignNumber", tag: "numbers", summary: "Assign a number to a user (user_id \"\" takes it back)",
		in: AssignInput{}, out: usermgmt.Number{}, h: func(c *call) (any, error) {
			var in AssignInput
			if err := c.decode(&in); err != nil {
				return nil, err
			}
			return u.AssignNumber(c.r.Context(), c.actor, c.r.PathValue("number"), in.UserID)
		}})
	a.handle(&route{method: "GET", path: "/users/{id}/numbers", id: "listUserNumbers", tag: "numbers", summary: "A user's numbers",
		out: []usermgmt.Number{}, h: func(c *call) (any, error) {
			return numbers(u.ListNumbers(c.r.Context(), c.actor, c.r.PathValue("id")))
		}})

	a.handle(&route{method: "GET", path: "/users/{id}/aliases", id: "listAliases", tag: "users", summary: "A user's e-mail aliases",
		out: []usermgmt.Alias{}, h: func(c *call) (any, error) {
			al, err := u.ListAliases(c.r.Context(), c.actor, c.r.PathValue("id"))
			if al == nil {
				al = []usermgmt.Alias{}
			}
			return al, err
		}})
	a.handle(&route{method: "POST", path: "/users/{id}/aliases", id: "addAlias", tag: "users", summary: "Add an e-mail alias to a user",
		in: AliasInput{}, out: usermgmt.Alias{}, status: 201, h: func(c *call) (any, error) {
			var in AliasInput
			if err := c.decode(&in); err != nil {
				return nil, err
			}
			return u.AddAlias(c.r.Context(), c.actor, c.r.PathValue("id"), in.Address)
		}})
	a.handle(&route{method: "DELETE", path: "/aliases/{address}", id: "removeAlias", tag: "users", summary: "Remove an e-mail alias",
		h: func(c *call) (any, error) {
			return nil, u.RemoveAlias(c.r.Context(), c.actor, c.r.PathValue("address"))
		}})
}

func numbers(n []usermgmt.Number, err error) (any, error) {
	if n == nil {
		n = []usermgmt.Number{}
	}
	return n, err
}

// events lists the audit log of the account ("") or of one user.
func (c *call) events(userID string) (any, error) {
	p, err := c.page()
	if err != nil {
		return nil, err
	}
	q := usermgmt.EventQuery{UserID: userID, Action: c.q("action")}
	for name, dst := range map[string]*time.Time{"since": &q.Since, "until": &q.Until} {
		if s := c.q(name); s != "" {
			if *dst, err = time.Parse(time.RFC3339, s); err != nil {
				return nil, badRequest("%s must be an RFC 3339 time", name)
			}
		}
	}
	items, next, err := c.api.users.ListEvents(c.r.Context(), c.actor, q, p)
	return pageOf(items, next), err
}
