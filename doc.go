// Package roster is an embeddable SDK for the user-management side of a
// business-messaging (SMS and fax) admin portal: companies with licensed
// seats, users, an organisational tree with admins who manage only their
// own subtree, per-module permissions, e-mail invitations, bulk import
// from CSV, TXT and XLSX, login with an SMS PIN as second factor,
// password and username recovery, and suspend, disable and delete.
//
// The host application plugs in its database, SMS gateway and mail
// server through small interfaces; roster ships working adapters for
// each, and an embedded default (SQLite, console SMS, console mail).
//
// # Getting started
//
// A Kit wires every service over one store. OpenDefault opens the
// embedded default, for development and single-machine tools:
//
//	kit, err := roster.OpenDefault(ctx, "data/roster.db", roster.DefaultOptions{})
//	defer kit.Close()
//	acct, owner, err := kit.Users.CreateAccount(ctx, usermgmt.NewAccount{...})
//
// New wires the host's own adapters (pgstore, twilio or httpgw, SMTP) and
// names whatever is missing. The Kit's fields are the services: Users
// (usermgmt: accounts, groups, users, grants, audit), Auth (login with
// the SMS PIN, sessions, recovery, API keys), Invites (invitations,
// activation, ownership requests) and Importer (bulk import).
// HTTPHandler and Portal mount the JSON API and the admin portal.
//
// Every operation takes the id of the acting user first and checks what
// that user may do: an admin acts only within the groups their grants
// cover, and anything outside reads as not found.
//
// # Packages
//
//   - usermgmt: the domain (accounts, groups, users, grants, audit
//     events), the validation rules, the admin Service and the Store port.
//   - usermgmt/memstore, usermgmt/sqlitestore, usermgmt/pgstore: stores;
//     usermgmt/storetest is the conformance suite every store passes.
//   - usermgmt/mail: the Mailer port, SMTP, console and recording mailers.
//   - auth: password hashing, login with the SMS PIN, sessions, lockout,
//     password reset, username reminder, API keys.
//   - invite: invitations, activation of admin-created users, ownership
//     requests.
//   - importer: bulk import from spreadsheets, all or nothing.
//   - sms: the Sender port, segment counting, the anti-pumping Guard, and
//     adapters (sms/twilio, sms/httpgw, sms/smstest).
//   - httpapi and portal: a mountable JSON API and admin portal.
package roster
