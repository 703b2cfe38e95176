package sms_test

import (
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/rosterkit/roster/sms"
)

func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{"", "hello", "5€ [x]", "😀😀", "สวัสดี", strings.Repeat("a", 161),
		strings.Repeat("a", 152) + "€", "a\xffb", "\x1b", "ç`\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		in := sms.Analyze(body)
		if in.Chars != utf8.RuneCountInString(body) {
			t.Fatalf("chars %d, want %d", in.Chars, utf8.RuneCountInString(body))
		}
		if in.Segments < 1 || in.Remaining < 0 || in.Remaining >= in.PerSegment+1 {
			t.Fatalf("bad info %+v", in)
		}
		switch in.Encoding {
		case sms.GSM7:
			if !sms.IsGSM7(body) || in.Units < in.Chars || in.Units > 2*in.Chars {
				t.Fatalf("bad gsm info %+v", in)
			}
			if in.Units <= 160 && in.Segments != 1 || in.Units > 160 && in.PerSegment != 153 {
				t.Fatalf("bad gsm segments %+v", in)
			}
		case sms.UCS2:
			if sms.IsGSM7(body) || in.Units != len(utf16.Encode([]rune(body))) {
				t.Fatalf("bad ucs2 info %+v", in)
			}
			if in.Units <= 70 && in.Segments != 1 || in.Units > 70 && in.PerSegment != 67 {
				t.Fatalf("bad ucs2 segments %+v", in)
			}
		default:
			t.Fatalf("encoding %q", in.Encoding)
		}
		// Segments hold at least the naive count, and no split adds more
		// than one segment per two.
		naive := (in.Units + in.PerSegment - 1) / in.PerSegment
		if in.Units > 0 && (in.Segments < naive || in.Segments > naive+naive/2+1) {
			t.Fatalf("segments %d, naive %d", in.Segments, naive)
		}
	})
}

func FuzzTemplates(f *testing.F) {
	f.Add("{{.Code}} is your code", "en-GB", "123456", "alice")
	f.Add("{{if .Code}}{{.Code}}{{else}}none{{end}}", "pt-BR", "", "")
	f.Add("{{.Missing}}", "", "1", "x")
	f.Add("{{", "xx", "1", "x")
	f.Add("{{printf \"%s%s\" .Code .Code}}", "de-CH-1996", "{{.Code}}", "\x00")
	f.Fuzz(func(t *testing.T, text, lang, code, user string) {
		if strings.Contains(text, "range") || strings.Contains(text, "template") || strings.Contains(text, "block") {
			t.Skip("host texts are trusted configuration; loops are bounded by output size only")
		}
		tpl, err := sms.NewTemplates(sms.TemplateConfig{Texts: map[string]map[string]string{"en": {"host": text}}})
		if err != nil {
			return
		}
		for _, name := range []string{"host", sms.TemplateLoginCode, sms.TemplateLoginDetails} {
			out, err := tpl.Render(name, lang, sms.LoginDetailsData{Username: user, Link: code})
			if err == nil && len(out) > sms.MaxRendered {
				t.Fatalf("rendered %d bytes", len(out))
			}
			out, err = tpl.Render(name, lang, map[string]any{"Code": code, "Minutes": 10, "Username": user, "Link": code})
			if err == nil && len(out) > sms.MaxRendered {
				t.Fatalf("rendered %d bytes", len(out))
			}
		}
		out, err := tpl.Render(sms.TemplateLoginCode, lang, sms.LoginCodeData{Code: code})
		if err != nil || !strings.Contains(out, code) {
			t.Fatalf("built-in login code: %q, %v", out, err)
		}
	})
}

func FuzzLookup(f *testing.F) {
	for _, s := range []string{"+447400123456", "+12025550123", "+881234567890", "", "+", "+0", "+4474001234567890", "07400123456"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, number string) {
		d, err := sms.Lookup(number)
		if err != nil {
			if runOfDigits(err.Error()) > 3 {
				t.Fatalf("error %q carries digits of the number", err)
			}
			return
		}
		if d.Number != number || d.CallingCode <= 0 || d.Type == "" {
			t.Fatalf("bad destination %+v", d)
		}
	})
}

func FuzzRedact(f *testing.F) {
	f.Add("The 'To' number +15005550001 is not a valid phone number.", 0)
	f.Add("åäö 123 456 789", 5)
	f.Add("\xff\xfe12345678", 3)
	f.Fuzz(func(t *testing.T, text string, max int) {
		out := sms.Redact(text, max)
		if max <= 0 {
			max = 512
		}
		if len(out) > max+len("…") {
			t.Fatalf("%d bytes out, max %d", len(out), max)
		}
		if runOfDigits(out) > 5 {
			t.Fatalf("a run of 6 digits in %q", out)
		}
		if runOfDigits(sms.Mask(text)) > 3 {
			t.Fatalf("mask leaves more than 3 digits together: %q", sms.Mask(text))
		}
	})
}

// runOfDigits returns the length of the longest run of ASCII digits in s.
func runOfDigits(s string) int {
	longest, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
			longest = max(longest, n)
		} else {
			n = 0
		}
	}
	return longest
}
