package httpgw

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rosterkit/roster/sms"
)

// FuzzRender checks that whatever a message holds, the rendered URL and
// bodies decode back to it: no value can break out of its place.
func FuzzRender(f *testing.F) {
	f.Add("+447400123456", "Code: 4829 & 5€ + more", "Acme", "ref/1?x")
	f.Add("+1", "\"}\n\\u0000{to}", "", "")
	f.Add("x&to=+999", "a%20b", "a/b", "#frag")
	f.Fuzz(func(t *testing.T, to, body, from, ref string) {
		m := sms.Message{To: to, Body: body, From: from, Reference: ref}
		u, err := compile("https://gw.example/send/{from}?to={to}&text={body}&ref={reference}", urlEscaper("https://gw.example/send/{from}?to={to}&text={body}&ref={reference}"))
		if err != nil {
			t.Fatal(err)
		}
		vals := values(m, "", "", "")
		parsed, err := url.Parse(u.render(vals))
		if err != nil {
			t.Fatalf("rendered URL does not parse: %v", err)
		}
		q := parsed.Query()
		if len(q) != 3 || q.Get("to") != to || q.Get("text") != body || q.Get("ref") != ref {
			t.Fatalf("query %v does not give back the message", q)
		}
		if parsed.Path != "/send/"+from {
			t.Fatalf("path %q, from %q", parsed.Path, from)
		}

		j, err := compile(`{"to": "{to}", "text": "{body}"}`, func(int) escaper { return jsonEscape })
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]string
		if err := json.Unmarshal([]byte(j.render(vals)), &got); err != nil {
			t.Fatalf("rendered JSON does not parse: %v", err)
		}
		if utf8.ValidString(to) && utf8.ValidString(body) && (got["to"] != to || got["text"] != body) {
			t.Fatalf("JSON %v does not give back the message", got)
		}

		fm, err := compile("to={to}&text={body}", func(int) escaper { return url.QueryEscape })
		if err != nil {
			t.Fatal(err)
		}
		form, err := url.ParseQuery(fm.render(vals))
		if err != nil || form.Get("to") != to || form.Get("text") != body {
			t.Fatalf("form %v, %v", form, err)
		}
	})
}

// FuzzCompile feeds host templates to the compiler.
func FuzzCompile(f *testing.F) {
	f.Add("https://x/{to}?a={body}")
	f.Add(`{"a":{"b":"{to}"}}{`)
	f.Add("{{to}}{unknown}{}{_}")
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := compile(s, urlEscaper(s))
		if err != nil {
			if !strings.Contains(err.Error(), "unknown placeholder") {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		_ = tm.render(values(sms.Message{To: "+1", Body: "b"}, "", "", ""))
	})
}

// FuzzJudge feeds gateway answers to the Kannel preset's judge.
func FuzzJudge(f *testing.F) {
	f.Add(202, "0: Accepted for delivery", "")
	f.Add(403, "Number(s) has/have been denied by white- and/or black-lists.", "")
	f.Add(503, "4: Temporal failure, try again later.", "120")
	f.Add(200, "\x00\xff+447400123456 secret", "Wed, 21 Oct 2015 07:28:00 GMT")
	cfg := Kannel("http://kannel:13013", "u", "secret", "Acme")
	cfg.MessageID = `id=(\w+)`
	s, err := New(cfg)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, body, retryAfter string) {
		rc, err := s.judge(status, retryAfter, []byte(body), nil, sms.Message{To: "+447400123456", Body: "the body"})
		if err == nil {
			if len(rc.ID) > 128 || rc.Segments != 1 {
				t.Fatalf("receipt %+v", rc)
			}
			return
		}
		var pe *sms.ProviderError
		if !errors.As(err, &pe) || pe.RetryAfter < 0 || len(pe.Message) > 200+len("unexpected answer: ")+len("…") {
			t.Fatalf("error %#v", err)
		}
		if strings.Contains(pe.Message, "secret") || strings.Contains(pe.Message, "the body") {
			t.Fatalf("secret in %q", pe.Message)
		}
	})
}
