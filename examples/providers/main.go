// Command providers plugs real providers into roster from environment
// variables, and sends one test SMS and one test mail through them:
//
//	SMS through Twilio:
//	  ROSTER_TWILIO_ACCOUNT_SID, ROSTER_TWILIO_AUTH_TOKEN, ROSTER_TWILIO_FROM
//	or SMS through a Kannel smsbox (any HTTP gateway works with sms/httpgw):
//	  ROSTER_KANNEL_URL, ROSTER_KANNEL_USERNAME, ROSTER_KANNEL_PASSWORD, ROSTER_KANNEL_FROM
//	Mail through SMTP:
//	  ROSTER_SMTP_HOST, ROSTER_SMTP_PORT (587), ROSTER_SMTP_USERNAME, ROSTER_SMTP_PASSWORD,
//	  ROSTER_SMTP_FROM, ROSTER_SMTP_TLS (starttls, implicit, opportunistic or none)
//	Where the tests go:
//	  ROSTER_TEST_PHONE (E.164, e.g. +447400123456), ROSTER_TEST_EMAIL
//
//	go run ./examples/providers
//
// With nothing set it says what to set and exits without sending. It
// never prints a secret. The SMS goes through sms.Guard, as roster.Kit
// sends it.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rosterkit/roster/sms"
	"github.com/rosterkit/roster/sms/httpgw"
	"github.com/rosterkit/roster/sms/twilio"
	"github.com/rosterkit/roster/usermgmt/mail"
)

func main() {
	if err := run(os.Getenv); err != nil {
		log.Fatal(err)
	}
}

// run configures the providers from getenv and sends through them.
func run(getenv func(string) string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sender, smsDesc, err := smsFromEnv(getenv)
	if err != nil {
		return err
	}
	mailer, mailDesc, err := mailFromEnv(getenv)
	if err != nil {
		return err
	}
	if sender == nil && mailer == nil {
		fmt.Println("No provider configured. Set the variables listed in `go doc ./examples/providers`,")
		fmt.Println("e.g. ROSTER_SMTP_HOST=smtp.example.com ROSTER_TEST_EMAIL=you@example.com go run ./examples/providers")
		fmt.Println("Done.")
		return nil
	}
	var errs []error
	if sender != nil {
		to := getenv("ROSTER_TEST_PHONE")
		fmt.Printf("SMS: %s\n", smsDesc)
		if to == "" {
			fmt.Println("  set ROSTER_TEST_PHONE to send a test SMS")
		} else {
			guard, err := sms.NewGuard(sender, sms.GuardConfig{})
			if err != nil {
				return err
			}
			r, err := guard.Send(ctx, sms.Message{To: to, Body: "roster: a test message from examples/providers", Purpose: sms.PurposeNotice})
			if err != nil {
				errs = append(errs, fmt.Errorf("sms: %w", err))
			} else {
				fmt.Printf("  sent to %s, provider id %s\n", sms.Redact(to, 0), r.ID)
			}
		}
	}
	if mailer != nil {
		to := getenv("ROSTER_TEST_EMAIL")
		fmt.Printf("Mail: %s\n", mailDesc)
		if to == "" {
			fmt.Println("  set ROSTER_TEST_EMAIL to send a test mail")
		} else if err := mailer.Send(ctx, mail.Message{To: []string{to}, Subject: "roster: test",
			Text: "A test message from roster's examples/providers.\n"}); err != nil {
			errs = append(errs, fmt.Errorf("mail: %w", err))
		} else {
			fmt.Printf("  sent to %s\n", to)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	fmt.Println("Done.")
	return nil
}

// smsFromEnv returns the configured SMS sender, or nil.
func smsFromEnv(getenv func(string) string) (sms.Sender, string, error) {
	switch {
	case getenv("ROSTER_TWILIO_ACCOUNT_SID") != "":
		s, err := twilio.New(twilio.Config{AccountSID: getenv("ROSTER_TWILIO_ACCOUNT_SID"),
			AuthToken: getenv("ROSTER_TWILIO_AUTH_TOKEN"), From: getenv("ROSTER_TWILIO_FROM")})
		if err != nil {
			return nil, "", err
		}
		return s, "Twilio, account " + getenv("ROSTER_TWILIO_ACCOUNT_SID") + ", from " + getenv("ROSTER_TWILIO_FROM"), nil
	case getenv("ROSTER_KANNEL_URL") != "":
		s, err := httpgw.New(httpgw.Kannel(getenv("ROSTER_KANNEL_URL"), getenv("ROSTER_KANNEL_USERNAME"),
			getenv("ROSTER_KANNEL_PASSWORD"), getenv("ROSTER_KANNEL_FROM")))
		if err != nil {
			return nil, "", err
		}
		return s, "Kannel at " + getenv("ROSTER_KANNEL_URL"), nil
	}
	return nil, "", nil
}

// mailFromEnv returns the configured SMTP mailer, or nil.
func mailFromEnv(getenv func(string) string) (mail.Mailer, string, error) {
	host := getenv("ROSTER_SMTP_HOST")
	if host == "" {
		return nil, "", nil
	}
	cfg := mail.SMTPConfig{Host: host, Username: getenv("ROSTER_SMTP_USERNAME"),
		Password: getenv("ROSTER_SMTP_PASSWORD"), From: getenv("ROSTER_SMTP_FROM")}
	if p := getenv("ROSTER_SMTP_PORT"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, "", fmt.Errorf("ROSTER_SMTP_PORT: %q is not a port number", p)
		}
		cfg.Port = n
	}
	switch strings.ToLower(getenv("ROSTER_SMTP_TLS")) {
	case "", "starttls":
		cfg.TLS = mail.TLSStartTLS
	case "implicit":
		cfg.TLS = mail.TLSImplicit
	case "opportunistic":
		cfg.TLS = mail.TLSOpportunistic
	case "none":
		cfg.TLS = mail.TLSNone
	default:
		return nil, "", fmt.Errorf("ROSTER_SMTP_TLS: use starttls, implicit, opportunistic or none")
	}
	m, err := mail.NewSMTP(cfg)
	if err != nil {
		return nil, "", err
	}
	desc := "SMTP " + host
	if cfg.Port != 0 {
		desc += ":" + strconv.Itoa(cfg.Port)
	}
	if cfg.Username != "" {
		desc += " as " + cfg.Username
	}
	return m, desc, nil
}
