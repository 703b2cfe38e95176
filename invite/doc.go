// Package invite brings people into an account by link: bulk e-mail
// invitations (seed 004), activation of users an admin created without
// a password (seed 001's welcome mail), login details by SMS (seed
// 002's check box) and ownership requests for users who already exist
// in another account (seed 000).
//
// It builds on usermgmt (authorization, audit, the store), auth (the
// password hasher), usermgmt/mail and sms (the ports every message goes
// through, and their templates).
//
// # Quick start
//
//	inv, err := invite.New(invite.Config{
//		Users:   users,              // *usermgmt.Service
//		Mailer:  mailer,             // mail.Mailer
//		SMS:     kit.SMS,            // the guarded sender, for login details
//		BaseURL: "https://app.example.com/roster",
//	})
//	if err != nil { ... }
//	res, err := inv.Invite(ctx, adminID, invite.Request{
//		Emails:      invite.SplitAddresses(pasted),
//		Permissions: []usermgmt.Permission{usermgmt.PermUsers, usermgmt.PermReports},
//	})
//	// res.Invited and res.Skipped say, per address, what happened.
//
// The invitee's page calls Lookup when the link is opened (it consumes
// nothing, so mail scanners that open links do no harm) and Accept when
// the form is submitted.
//
// # Links
//
// Every link carries a 256-bit secret from crypto/rand; the store keeps
// only its SHA-256. Links are single use, consumed atomically in the
// transaction that acts on them, and expire after seven days by default
// (Config.InviteTTL, ActivationTTL, OwnershipTTL). Their holders are
// told apart: usermgmt.ErrNotFound for an invalid link,
// usermgmt.ErrExpired for an expired one, usermgmt.ErrUsed once used,
// ErrRevoked once an admin withdrew it. Resending makes a fresh link,
// restarts the lifetime and kills the old link.
//
// # Invitations
//
// Invite takes any number of addresses (up to MaxAddresses) with the
// group, permissions and scope the invitees will get, never more than
// the inviting admin holds. Invalid addresses, repeats within the
// request, addresses with a pending invitation, addresses of existing
// users and addresses on disposable-mail domains are skipped, each with
// its Reason. The invitations and their audit events are written in one
// transaction; the mails go out afterwards, a few at a time. Pending,
// Resend and Revoke manage what was sent. Accept creates an active user
// with the granted access; the seat limit holds atomically, and the
// link is consumed only if the user is created.
//
// An invitation is only as good as its sender's current rights: Accept
// checks again that the admin who sent it is active in the account and
// still holds what the invitation grants, and refuses otherwise.
//
// # Disposable domains
//
// IsDisposable checks a domain and its parent domains against an
// embedded, curated list of a few hundred well-known disposable-mail
// services (disposable_domains.txt, which documents its origin). A host
// replaces or extends the check through Config.Disposable.
//
// # Activation and login details
//
// CreateUser is the Add User screen in one call: it creates the user
// through usermgmt and sends a set-password link by mail (the welcome
// message), by SMS (the username and the link, never a password), or
// both. SendActivation and SendLoginDetails send a fresh link later;
// Activate sets the password and makes a pending user active.
//
// # Ownership requests
//
// RequestOwnership asks a user of another account to move into the
// actor's account. The requester learns nothing about that user: the
// answer is the same whether or not the user exists. Only the user's
// confirmation (AcceptOwnership) moves them; their identity and data
// stay theirs, their old grants, sessions and number assignments end,
// and their seat moves. They may decline; unanswered, the request
// expires. OwnershipRequests shows the requesting admins where each
// request stands. The importer uses RequestOwnershipTx inside its own
// transaction, then SendOwnership after the commit.
//
// # Delivery
//
// Messages are sent after the transaction that wrote their link has
// committed, never inside it. A failed delivery is never lost: its
// reason is recorded on the link (SendError, shown by Pending), the link
// stays valid, and it can be sent again (Resend, SendActivation) or
// by the host's periodic RetryFailed, which also picks up links that
// were written but never sent because the process stopped.
//
// # Audit
//
// Every step is audited in the transaction that makes it:
// invite.create, invite.resend, invite.revoke, invite.accept,
// activation.send, user.activate, ownership.request, ownership.accept,
// ownership.decline; refusals are audited too.
package invite
