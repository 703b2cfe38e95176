package sms_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/rosterkit/roster/sms"
)

func ExampleAnalyze() {
	for _, body := range []string{
		"Your code is 123456",
		"Total: 5€ [paid]",
		"Ваш код 123456",
		"Ok 👍",
	} {
		in := sms.Analyze(body)
		fmt.Printf("%s: %d chars, %d units, %d segment(s), %d left\n", in.Encoding, in.Chars, in.Units, in.Segments, in.Remaining)
	}
	// Output:
	// gsm7: 19 chars, 19 units, 1 segment(s), 141 left
	// gsm7: 16 chars, 19 units, 1 segment(s), 141 left
	// ucs2: 14 chars, 14 units, 1 segment(s), 56 left
	// ucs2: 4 chars, 5 units, 1 segment(s), 65 left
}

func ExampleNewGuard() {
	ctx := context.Background()
	gateway := sms.NewConsole(os.Stdout) // twilio.New or httpgw.New in production
	guard, err := sms.NewGuard(gateway, sms.GuardConfig{
		// Counter: store, // the host's usermgmt.Store: limits across instances
		AllowedRegions: []string{"GB", "SE"},
		Now:            func() time.Time { return time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, to := range []string{"+447400123456", "+447400123456", "+449098790123", "+12025550123"} {
		_, err := guard.Send(ctx, sms.Message{To: to, Body: fmt.Sprintf("Code %d", 100+i%2), Purpose: sms.PurposeCode})
		var le *sms.LimitError
		switch {
		case errors.As(err, &le):
			fmt.Println("limited by", le.Rule)
		case errors.Is(err, sms.ErrRefused):
			fmt.Println(err)
		}
	}
	_, err = guard.Send(ctx, sms.Message{To: "+447400123456", Body: "Code 100"})
	fmt.Println(errors.Is(err, sms.ErrRateLimited), err)
	// Output:
	// [sms to +447400123456, code, 1 segment(s)] Code 100
	// [sms to +447400123456, code, 1 segment(s)] Code 101
	// sms: destination refused: number type premium_rate not allowed (+*********123)
	// sms: destination refused: region US not allowed (+********123)
	// true sms: rate limited by rule duplicate (1 per 1m0s), retry after 1m0s
}

func ExampleTemplates() {
	tpl, err := sms.NewTemplates(sms.TemplateConfig{
		Texts: map[string]map[string]string{
			"en": {sms.TemplateLoginCode: "{{.Code}} is your Acme code. It expires in {{.Minutes}} min."},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	data := sms.LoginCodeData{Code: "482913", ValidFor: 10 * time.Minute}
	for _, lang := range []string{"en-GB", "es-MX", "de"} {
		body, err := tpl.Render(sms.TemplateLoginCode, lang, data)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(body)
	}
	// Output:
	// 482913 is your Acme code. It expires in 10 min.
	// Su código de verificación es 482913. Es válido durante 10 minutos. No lo comparta.
	// Ihr Bestätigungscode lautet 482913. Er ist 10 Minuten gültig. Geben Sie ihn nicht weiter.
}

func ExampleLookup() {
	for _, n := range []string{"+46701234567", "+33810123456", "+447700900123"} {
		d, err := sms.Lookup(n)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(sms.Mask(d.Number), d.Region, d.Type)
	}
	// Output:
	// +********567 SE mobile
	// +********456 FR shared_cost
	// sms: destination refused: not a valid phone number (+*********123)
}

func ExampleSenderFunc() {
	var sender sms.Sender = sms.SenderFunc(func(_ context.Context, m sms.Message) (sms.Receipt, error) {
		in := sms.Analyze(m.Body)
		return sms.Receipt{ID: "local-1", Segments: in.Segments, Encoding: in.Encoding}, nil
	})
	rc, err := sender.Send(context.Background(), sms.Message{To: "+46701234567", Body: "hej"})
	fmt.Println(rc.ID, rc.Segments, rc.Encoding, err)
	// Output: local-1 1 gsm7 <nil>
}
