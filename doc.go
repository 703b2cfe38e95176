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
