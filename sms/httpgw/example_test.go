package httpgw_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/rosterkit/roster/sms"
	"github.com/rosterkit/roster/sms/httpgw"
)

func ExampleKannel() {
	// A stand-in for Kannel's smsbox.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.URL.Path + "?" + r.URL.RawQuery)
		if r.URL.Query().Get("to") == "+449098790123" {
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, "Number(s) has/have been denied by white- and/or black-lists.")
			return
		}
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, "0: Accepted for delivery")
	}))
	defer srv.Close()

	gw, err := httpgw.New(httpgw.Kannel(srv.URL, "roster", "secret", "Acme"))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	rc, err := gw.Send(ctx, sms.Message{To: "+447400123456", Body: "Your code is 482913"})
	fmt.Println(rc.Encoding, rc.Segments, err)
	_, err = gw.Send(ctx, sms.Message{To: "+447400123456", Body: "Ваш код 482913"})
	fmt.Println(err)
	_, err = gw.Send(ctx, sms.Message{To: "+449098790123", Body: "hi"})
	fmt.Println(errors.Is(err, sms.ErrRefused), err)
	// Output:
	// /cgi-bin/sendsms?username=roster&password=secret&to=%2B447400123456&text=Your+code+is+482913&charset=UTF-8&coding=0&from=Acme
	// gsm7 1 <nil>
	// /cgi-bin/sendsms?username=roster&password=secret&to=%2B447400123456&text=%D0%92%D0%B0%D1%88+%D0%BA%D0%BE%D0%B4+482913&charset=UTF-8&coding=2&from=Acme
	// <nil>
	// /cgi-bin/sendsms?username=roster&password=secret&to=%2B449098790123&text=hi&charset=UTF-8&coding=0&from=Acme
	// true sms: kannel: status 403: Number(s) has/have been denied by white- and/or black-lists.
}

func ExampleNew() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Println(r.Method, r.URL.Path, r.Header.Get("Content-Type"))
		fmt.Println(string(b))
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"id": "m-1001", "status": "queued"}`)
	}))
	defer srv.Close()

	gw, err := httpgw.New(httpgw.Config{
		Name:          "acme",
		URL:           srv.URL + "/v1/messages",
		Body:          `{"to": "{to}", "text": "{body}", "ref": "{reference}"}`,
		BodyFormat:    httpgw.FormatJSON,
		BearerToken:   "token",
		SuccessStatus: []int{http.StatusCreated},
		MessageID:     `"id"\s*:\s*"([^"]+)"`,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	rc, err := gw.Send(context.Background(), sms.Message{To: "+46701234567", Body: `Say "hej"`, Reference: "r-1"})
	fmt.Println(rc.ID, err)
	// Output:
	// POST /v1/messages application/json
	// {"to": "+46701234567", "text": "Say \"hej\"", "ref": "r-1"}
	// m-1001 <nil>
}
