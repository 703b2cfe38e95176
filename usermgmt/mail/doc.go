// Package mail is roster's outgoing e-mail: the Mailer port every
// service writes to, the Message it sends, an SMTP adapter, a console
// mailer (the embedded default), a recording fake for tests, and the
// templates of every mail roster sends.
//
// It imports nothing else of roster, so a host can use it on its own.
//
// # Quick start
//
//	tpl, err := mail.NewTemplates(mail.TemplateConfig{})
//	if err != nil { ... }
//	msg, err := tpl.Render(mail.PasswordReset, user.Language, mail.ResetData{
//		Name: user.FirstName, Username: user.Username,
//		Link: resetURL, ValidFor: time.Hour,
//	})
//	if err != nil { ... }
//	msg.To = []string{user.Email}
//
//	mailer, err := mail.NewSMTP(mail.SMTPConfig{
//		Host: "smtp.example.com", Username: "roster", Password: secret,
//		From: "Example <no-reply@example.com>",
//	})
//	if err != nil { ... }
//	err = mailer.Send(ctx, msg)
//
// # Mailers
//
// Mailer has one method, Send(ctx, Message) error; MailerFunc adapts a
// function. Shipped implementations:
//
//   - SMTP (NewSMTP): delivery through an SMTP submission server with
//     STARTTLS (the default), implicit TLS, opportunistic TLS or none (for
//     a local mail catcher), SMTP AUTH (SCRAM, PLAIN, LOGIN, CRAM-MD5,
//     XOAUTH2), one timeout for the whole send, and errors that never
//     contain the password. Messages are built with
//     github.com/wneessen/go-mail.
//   - Console (NewConsole): prints each message; for development only,
//     since it prints the secret links.
//   - Recorder: keeps messages for tests, reads the link out of the last
//     mail to an address, and fails on demand.
//
// # Messages
//
// A Message carries From (optional: the mailer's default sender), To,
// ReplyTo, Subject, a Text and/or an HTML body, extra Headers and a Tag
// naming what roster sent. Message.Validate refuses anything that could
// inject a header (a line break in any address, the subject or a header)
// and a message without a body; every mailer here validates before it
// sends.
//
// # Templates
//
// Templates renders the five mails roster sends (Welcome, Invitation,
// PasswordReset, UsernameReminder, OwnershipRequest) into a Message, per
// language with BCP 47 fallback (pt-BR, then pt, then the default, then
// en). Subjects and text bodies use text/template, HTML bodies
// html/template. A host rewords a mail or adds a language by passing an
// fs.FS laid out like DefaultFS; its templates are checked at start-up.
package mail
