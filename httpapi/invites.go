package httpapi

import (
	"net/http"

	"github.com/rosterkit/roster/invite"
	"github.com/rosterkit/roster/usermgmt"
)

// TokenInput carries the token of a link from a mail or SMS. Links are
// looked up with a POST, not a GET, so that a mail scanner that opens
// every link consumes nothing and the token stays out of URLs and logs.
type TokenInput struct {
	Token string `json:"token"`
}

// AcceptInput accepts an invitation: the token and who the invitee is.
type AcceptInput struct {
	Token string `json:"token"`
	invite.Acceptance
}

// ActivateInput activates a pending user with the token of its welcome
// link and the password chosen.
type ActivateInput struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// CreateUserInvite creates a user as the seeds' Add User screen does,
// optionally sending the welcome mail or the login details by SMS.
type CreateUserInvite struct {
	usermgmt.NewUser
	invite.CreateOptions
}

// inviteRoutes registers the invitation, activation and ownership routes
// (package invite); only when Config.Invites is set.
func (a *API) inviteRoutes() {
	inv := a.cfg.Invites
	a.handle(&route{method: "POST", path: "/invitations", id: "createInvitations", tag: "invitations",
		summary: "Invite e-mail addresses with the permissions they will get; the answer says, per address, who was invited and why not",
		in:      invite.Request{}, out: invite.Result{}, h: func(c *call) (any, error) {
			var in invite.Request
			if err := c.decode(&in); err != nil {
				return nil, err
			}
			res, err := inv.Invite(c.r.Context(), c.actor, in)
			if res.Invited == nil {
				res.Invited = []invite.Sent{}
			}
			if res.Skipped == nil {
				res.Skipped = []invite.Skip{}
			}
			return res, err
		}})
	a.handle(&route{method: "GET", path: "/invitations", id: "listInvitations", tag: "invitations",
		summary: "Pending (and expired, not yet removed) invitations the actor may see", query: pageParams(),
		out: Page[invite.Record]{}, h: func(c *call) (any, error) {
			p, err := c.page()
			if err != nil {
				return nil, err
			}
			items, next, err := inv.Pending(c.r.Context(), c.actor, p)
			return pageOf(items, next), err
		}})
	a.handle(&route{method: "POST", path: "/invitations/{id}/resend", id: "resendInvitation", tag: "invitations",
		summary: "Send an invitation again with a new link, valid for a new period (an expired one too)",
		out:     invite.Record{}, h: func(c *call) (any, error) {
			return inv.Resend(c.r.Context(), c.actor, c.r.PathValue("id"))
		}})
	a.handle(&route{method: "DELETE", path: "/invitations/{id}", id: "revokeInvitation", tag: "invitations",
		summary: "Revoke an invitation: its link stops working", h: func(c *call) (any, error) {
			return nil, inv.Revoke(c.r.Context(), c.actor, c.r.PathValue("id"))
		}})

	a.handle(&route{method: "POST", path: "/users/invite", id: "createUserWithWelcome", tag: "users",
		summary: "Create a user and send the welcome mail with a set-password link and/or the login details by SMS (seed 002)",
		in:      CreateUserInvite{}, out: invite.Created{}, status: http.StatusCreated, h: func(c *call) (any, error) {
			var in CreateUserInvite
			if err := c.decode(&in); err != nil {
				return nil, err
			}
			in.PasswordHash = ""
			return inv.CreateUser(c.r.Context(), c.actor, in.NewUser, in.CreateOptions)
		}})
	a.handle(&route{method: "POST", path: "/users/{id}/activation", id: "sendActivation", tag: "users",
		summary: "Send a pending user the welcome mail with a new set-password link",
		out:     invite.Sent{}, h: func(c *call) (any, error) {
			return inv.SendActivation(c.r.Context(), c.actor, c.r.PathValue("id"))
		}})
	a.handle(&route{method: "POST", path: "/users/{id}/login-details", id: "sendLoginDetails", tag: "users",
		summary: "Send the username and a set-password link by SMS (never a password)",
		out:     invite.Sent{}, h: func(c *call) (any, error) {
			return inv.SendLoginDetails(c.r.Context(), c.actor, c.r.PathValue("id"))
		}})

	a.handle(&route{method: "POST", path: "/ownership-requests", id: "requestOwnership", tag: "ownership",
		summary: "Ask a user of another account to move into this one (seed 000); only their confirmation moves them",
		in:      invite.OwnershipRequest{}, out: invite.OwnershipRecord{}, status: http.StatusCreated, h: func(c *call) (any, error) {
			var in invite.OwnershipRequest
			if err := c.decode(&in); err != nil {
				return nil, err
			}
			return inv.RequestOwnership(c.r.Context(), c.actor, in)
		}})
	a.handle(&route{method: "GET", path: "/ownership-requests", id: "listOwnershipRequests", tag: "ownership",
		summary: "The account's ownership requests and their state", query: pageParams(),
		out: Page[invite.OwnershipRecord]{}, h: func(c *call) (any, error) {
			p, err := c.page()
			if err != nil {
				return nil, err
			}
			items, next, err := inv.OwnershipRequests(c.r.Context(), c.actor, p)
			return pageOf(items, next), err
		}})

	// The pages behind the links, for whoever holds the link.
	lookup := func(path, id, summary string, fn func(c *call, token string) (invite.Invitation, error)) {
		a.handle(&route{method: "POST", path: path, id: id, tag: "links", public: true, summary: summary,
			in: TokenInput{}, out: invite.Invitation{}, h: func(c *call) (any, error) {
				var in TokenInput
				if err := c.decode(&in); err != nil {
					return nil, err
				}
				return fn(c, in.Token)
			}})
	}
	lookup("/links/invitation", "lookupInvitation", "What an invitation link offers; consumes nothing",
		func(c *call, tok string) (invite.Invitation, error) { return inv.Lookup(c.r.Context(), tok) })
	lookup("/links/activation", "lookupActivation", "Whose set-password link this is; consumes nothing",
		func(c *call, tok string) (invite.Invitation, error) { return inv.LookupActivation(c.r.Context(), tok) })
	lookup("/links/ownership", "lookupOwnership", "What an ownership request asks; consumes nothing",
		func(c *call, tok string) (invite.Invitation, error) { return inv.LookupOwnership(c.r.Context(), tok) })

	a.handle(&route{method: "POST", path: "/links/invitation/accept", id: "acceptInvitation", tag: "links", public: true,
		summary: "Accept an invitation: the new user, active, with the permissions the invitation grants",
		in:      AcceptInput{}, out: usermgmt.User{}, status: http.StatusCreated, h: func(c *call) (any, error) {
			var in AcceptInput
			if err := c.decode(&in); err != nil {
				return nil, err
			}
			return inv.Accept(c.r.Context(), in.Token, in.Acceptance)
		}})
	a.handle(&route{method: "POST", path: "/links/activation/accept", id: "activateUser", tag: "links", public: true,
		summary: "Set the password of a pending user from its welcome link; the user becomes active",
		in:      ActivateInput{}, out: usermgmt.User{}, h: func(c *call) (any, error) {
			var in ActivateInput
			if err := c.decode(&in); err != nil {
				return nil, err
			}
			return inv.Activate(c.r.Context(), in.Token, in.Password)
		}})
	a.handle(&route{method: "POST", path: "/links/ownership/accept", id: "acceptOwnership", tag: "links", public: true,
		summary: "Confirm an ownership request: the user moves to the requesting account; old grants and sessions end",
		in:      TokenInput{}, out: usermgmt.User{}, h: func(c *call) (any, error) {
			var in TokenInput
			if err := c.decode(&in); err != nil {
				return nil, err
			}
			return inv.AcceptOwnership(c.r.Context(), in.Token)
		}})
	a.handle(&route{method: "POST", path: "/links/ownership/decline", id: "declineOwnership", tag: "links", public: true,
		summary: "Decline an ownership request", in: TokenInput{}, h: func(c *call) (any, error) {
			var in TokenInput
			if err := c.decode(&in); err != nil {
				return nil, err
			}
			return nil, inv.DeclineOwnership(c.r.Context(), in.Token)
		}})
}
