package twilio_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/rosterkit/roster/sms"
	"github.com/rosterkit/roster/sms/twilio"
)

func Example() {
	// A stand-in for api.twilio.com; in production leave BaseURL empty.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("To") == "+15005550001" { // Twilio's magic invalid number
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"code": 21211, "message": "The 'To' number +15005550001 is not a valid phone number.", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}`)
			return
		}
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"sid": "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "status": "queued", "num_segments": "1"}`)
	}))
	defer srv.Close()

	gw, err := twilio.New(twilio.Config{
		AccountSID: "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
		AuthToken:  "your_auth_token",
		From:       "+15005550006",
		BaseURL:    srv.URL,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	rc, err := gw.Send(ctx, sms.Message{To: "+447400123456", Body: "Your code is 482913", Reference: "login-1"})
	fmt.Println(rc.ID, rc.Status, rc.Segments, err)

	_, err = gw.Send(ctx, sms.Message{To: "+15005550001", Body: "Your code is 482913"})
	fmt.Println(errors.Is(err, sms.ErrRefused), err)
	// Output:
	// SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa queued 1 <nil>
	// true sms: twilio: status 400: code 21211: The 'To' number +********001 is not a valid phone number.
}
