package mail_test

import (
	"context"
	"testing"
	"time"

	"github.com/rosterkit/roster/usermgmt/mail"
)

func BenchmarkRenderInvitation(b *testing.B) {
	tpl := newTemplates(b, mail.TemplateConfig{})
	data := mail.InvitationData{
		AccountName: "Acme Ltd", InviterName: "Grace Hopper",
		Link: "https://portal.example.com/invite/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", ValidFor: 7 * 24 * time.Hour,
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tpl.Render(mail.Invitation, "pt-BR", data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewTemplates(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := mail.NewTemplates(mail.TemplateConfig{}); err != nil {
			b.Fatal(err)
		}
	}
}

func benchMessage(b *testing.B) mail.Message {
	b.Helper()
	tpl := newTemplates(b, mail.TemplateConfig{})
	msg, err := tpl.Render(mail.Invitation, "en", mail.InvitationData{AccountName: "Acme", Link: "https://x.test/i"})
	if err != nil {
		b.Fatal(err)
	}
	msg.To = []string{"invitee@example.com"}
	return msg
}

func BenchmarkRecorderSend(b *testing.B) {
	msg := benchMessage(b)
	ctx := context.Background()
	var rec mail.Recorder
	b.ReportAllocs()
	for b.Loop() {
		if err := rec.Send(ctx, msg); err != nil {
			b.Fatal(err)
		}
		if rec.Len() >= 10000 {
			rec.Reset()
		}
	}
}

// One Recorder shared by every goroutine, as in invite's bounded
// parallel sending.
func BenchmarkRecorderSendParallel(b *testing.B) {
	msg := benchMessage(b)
	ctx := context.Background()
	var rec mail.Recorder
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := rec.Send(ctx, msg); err != nil {
				b.Error(err)
				return
			}
			if rec.Len() >= 10000 {
				rec.Reset()
			}
		}
	})
}

// A whole SMTP send over loopback: dial, STARTTLS, AUTH PLAIN, message,
// QUIT, against the in-process go-smtp server.
func BenchmarkSMTPSend(b *testing.B) {
	srv := startServer(b, serverOptions{startTLS: true, user: "mailer", pass: "pw"})
	cfg := srv.config(mail.TLSStartTLS)
	cfg.Username, cfg.Password = "mailer", "pw"
	m := newSMTP(b, cfg)
	msg := benchMessage(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Send(ctx, msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidate(b *testing.B) {
	msg := validMessage()
	b.ReportAllocs()
	for b.Loop() {
		if err := msg.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}
