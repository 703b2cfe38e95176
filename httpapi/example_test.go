package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/rosterkit/roster/httpapi"
	"github.com/rosterkit/roster/usermgmt"
	"github.com/rosterkit/roster/usermgmt/memstore"
)

// Example mounts the API under /api in a host's server, with the host's
// own login identifying the actor (Config.Authenticate), and creates a
// user with a JSON POST.
func Example() {
	ctx := context.Background()
	users, _ := usermgmt.New(usermgmt.Config{Store: memstore.New(), Hasher: plainHasher{}})
	_, owner, _ := users.CreateAccount(ctx, usermgmt.NewAccount{Name: "Acme", Owner: usermgmt.NewUser{
		User: usermgmt.User{Username: "owner", FirstName: "O", LastName: "W", Email: "o@example.com",
			MobilePhone: "+447911123456"}, Password: "Secret-pw1"}})

	api, err := httpapi.New(httpapi.Config{Users: users,
		Authenticate: func(r *http.Request) (string, error) { return owner.ID, nil }})
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("/api/", http.StripPrefix("/api", api))

	req := httptest.NewRequest("POST", "/api/users", strings.NewReader(
		`{"username":"ada.l","first_name":"Ada","last_name":"Lovelace","email":"ada@example.com","mobile_phone":"+44 7911 123457"}`))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, req)
	var u usermgmt.User
	_ = json.Unmarshal(w.Body.Bytes(), &u)
	fmt.Println(w.Code, u.Username, u.Status, u.MobilePhone)

	req = httptest.NewRequest("POST", "/api/users", strings.NewReader(`{"username":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	w = httptest.NewRecorder()
	mux.ServeHTTP(w, req)
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	// Output:
	// 201 ada.l pending +447911123457
	// 422 application/problem+json
}
