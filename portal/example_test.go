package portal_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/rosterkit/roster/auth"
	"github.com/rosterkit/roster/portal"
	"github.com/rosterkit/roster/sms/smstest"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/mail"
	"github.com/rosterkit/roster/usermgmt/memstore"
)

// Example mounts the portal under /admin; an unauthenticated visit to a
// screen is sent to the sign-in page, which carries a strict
// Content-Security-Policy.
func Example() {
	users, _ := usermgmt.New(usermgmt.Config{Store: memstore.New(), Hasher: plain{}})
	au, _ := auth.New(auth.Config{Users: users, Hasher: plain{}, SMS: &smstest.Recorder{}, Mailer: &mail.Recorder{},
		CodeKey: []byte(strings.Repeat("k", 32)), ResetURL: func(tok string) string { return "https://app.example/admin/reset?token=" + tok }})
	p, err := portal.New(portal.Config{Users: users, Auth: au, Prefix: "/admin"})
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("/admin/", http.StripPrefix("/admin", p))

	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest("GET", "/admin/users", nil))
	fmt.Println(w.Code, w.Header().Get("Location"))
	w = httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest("GET", "/admin/login", nil))
	fmt.Println(w.Code, w.Header().Get("Content-Security-Policy"))
	// Output:
	// 303 /admin/login
	// 200 default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'
}
