package mail_test

import (
	"context"
	"fmt"
	"os"
	"testing/fstest"
	"time"

	"github.com/rosterkit/roster/usermgmt/mail"
)

// A test reads the reset link out of the last mail to an address.
func ExampleRecorder() {
	ctx := context.Background()
	tpl, err := mail.NewTemplates(mail.TemplateConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	var rec mail.Recorder

	msg, err := tpl.Render(mail.PasswordReset, "en", mail.ResetData{
		Name: "Ada", Link: "https://portal.example.com/reset?token=Zm9v", ValidFor: time.Hour,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	msg.To = []string{"ada@example.com"}
	if err := rec.Send(ctx, msg); err != nil {
		fmt.Println(err)
		return
	}

	fmt.Println(rec.LastLink("Ada@example.com"))
	last, _ := rec.Last("ada@example.com")
	fmt.Println(last.Tag, "|", last.Subject)
	// Output:
	// https://portal.example.com/reset?token=Zm9v
	// reset | Reset your password
}

// Fault injection: the next send fails, then delivery works again.
func ExampleRecorder_FailNext() {
	ctx := context.Background()
	var rec mail.Recorder
	rec.FailNext(fmt.Errorf("smtp: 451 try again later"))
	msg := mail.Message{To: []string{"ada@example.com"}, Subject: "Hi", Text: "Hello"}

	fmt.Println(rec.Send(ctx, msg))
	fmt.Println(rec.Send(ctx, msg), rec.Len())
	// Output:
	// smtp: 451 try again later
	// <nil> 1
}

func ExampleTemplates_Render() {
	tpl, err := mail.NewTemplates(mail.TemplateConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	msg, err := tpl.Render(mail.Invitation, "en-GB", mail.InvitationData{
		AccountName: "Acme Ltd",
		InviterName: "Grace Hopper",
		Link:        "https://portal.example.com/invite/abc",
		ValidFor:    7 * 24 * time.Hour,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(msg.Subject)
	fmt.Print(msg.Text)
	// Output:
	// Grace Hopper invited you to join Acme Ltd
	// Hello,
	//
	// Grace Hopper has invited you to join Acme Ltd.
	//
	// To accept, open this link and choose your username and password:
	//
	// https://portal.example.com/invite/abc
	//
	// The invitation is valid for 7 days. If you do not want to join, you can ignore this email.
}

// A Brazilian user gets the Portuguese mail; a language without its own
// templates falls back to English.
func ExampleTemplates_Lookup() {
	tpl, err := mail.NewTemplates(mail.TemplateConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, lang := range []string{"pt-BR", "fr-CA", ""} {
		got, _ := tpl.Lookup(mail.Welcome, lang)
		fmt.Printf("%q -> %s\n", lang, got)
	}
	msg, _ := tpl.Render(mail.Welcome, "pt-BR", mail.WelcomeData{Name: "Zoë", Link: "https://x.test/a"})
	fmt.Println(msg.Subject)
	// Output:
	// "pt-BR" -> pt
	// "fr-CA" -> en
	// "" -> en
	// Sua nova conta: escolha sua senha
}

// A host rewords one file and keeps the rest.
func ExampleNewTemplates_override() {
	host := fstest.MapFS{
		"en/reset.subject.txt": {Data: []byte("Your Example Portal password reset")},
	}
	tpl, err := mail.NewTemplates(mail.TemplateConfig{FS: host})
	if err != nil {
		fmt.Println(err)
		return
	}
	msg, err := tpl.Render(mail.PasswordReset, "en", mail.ResetData{Link: "https://x.test/r", ValidFor: time.Hour})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(msg.Subject)
	fmt.Println(msg.HTML != "")
	// Output:
	// Your Example Portal password reset
	// true
}

func ExampleNewConsole() {
	console := mail.NewConsole(os.Stdout)
	err := console.Send(context.Background(), mail.Message{
		To:      []string{"ada@example.com"},
		Subject: "Choose your password",
		Text:    "https://portal.example.com/activate/abc\n",
		Tag:     mail.Welcome,
	})
	fmt.Println(err)
	// Output:
	// ==== mail (welcome) ====
	// From:     (default sender)
	// To:       ada@example.com
	// Subject:  Choose your password
	//
	// https://portal.example.com/activate/abc
	// ==== end ====
	// <nil>
}

func ExampleNewSMTP() {
	m, err := mail.NewSMTP(mail.SMTPConfig{
		Host:     "smtp.example.com",
		Username: "roster",
		Password: "not printed",
		From:     "Example <no-reply@example.com>",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m)

	_, err = mail.NewSMTP(mail.SMTPConfig{Username: "roster"})
	fmt.Println(err)
	// Output:
	// smtp://roster:[redacted]@smtp.example.com:587 (starttls)
	// mail: smtp config: missing host (set SMTPConfig.Host, e.g. "smtp.example.com"); password: required when a username is set
}

func ExampleMessage_Validate() {
	msg := mail.Message{
		To:      []string{"ada@example.com\r\nBcc: eve@example.net"},
		Subject: "Hello",
	}
	fmt.Println(msg.Validate())
	// Output:
	// mail: invalid message: to[0]: contains a line break or a control character; body: a text or an html body is required
}

// MailerFunc turns a function into a Mailer, e.g. to count or log sends
// around another mailer.
func ExampleMailerFunc() {
	var rec mail.Recorder
	sent := 0
	counting := mail.MailerFunc(func(ctx context.Context, msg mail.Message) error {
		sent++
		return rec.Send(ctx, msg)
	})
	_ = counting.Send(context.Background(), mail.Message{To: []string{"a@example.com"}, Text: "hi"})
	fmt.Println(sent, rec.Len())
	// Output:
	// 1 1
}
