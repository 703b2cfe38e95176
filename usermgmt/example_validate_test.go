package usermgmt_test

import (
	"errors"
	"fmt"

	"github.com/rosterkit/roster/usermgmt"
)

func ExampleCheckUsername() {
	for _, in := range []string{"  Ann.Lee ", "abc", "ann@example.com"} {
		got, err := usermgmt.CheckUsername(in, 0)
		var re *usermgmt.RuleError
		if errors.As(err, &re) {
			fmt.Printf("%q: %s (%s)\n", in, re.Message, re.Code)
			continue
		}
		fmt.Printf("%q: ok %q\n", in, got)
	}
	// Output:
	// "  Ann.Lee ": ok "Ann.Lee"
	// "abc": must be at least 4 characters (too_short)
	// "ann@example.com": may contain only letters, digits, '.', '-', '_' and spaces (invalid_characters)
}

func ExampleCheckMobile() {
	e164, err := usermgmt.CheckMobile("+44 (7400) 123-456", "")
	fmt.Println(e164, err)
	e164, err = usermgmt.CheckMobile("07400 123456", "GB")
	fmt.Println(e164, err)
	_, err = usermgmt.CheckMobile("07400 123456", "")
	fmt.Println(err)
	_, err = usermgmt.CheckMobile("+44 909 879 0000", "")
	fmt.Println(err)
	// Output:
	// +447400123456 <nil>
	// +447400123456 <nil>
	// must start with + and the country code
	// must be a mobile number, not a premium-rate number
}

func ExamplePasswordPolicy_Check() {
	seed := usermgmt.PasswordPolicy{} // the zero value is the seed policy
	fmt.Println(seed.Check("Secret-pw1", "ann.lee"))
	fmt.Println(seed.Check("secret,pw", "ann.lee"))

	nist := usermgmt.NISTPasswordPolicy()
	fmt.Println(nist.Check("correct horse battery staple", "ann.lee"))
	fmt.Println(nist.Check("Password1", "ann.lee"))
	// Output:
	// <nil>
	// must not contain any of " ' , “ ” ‘ ’ and must use at least 3 of: upper case letters (A-Z), lower case letters (a-z), digits (0-9), symbols
	// <nil>
	// is too common
}

func ExampleRules_CheckUser() {
	rules := usermgmt.Rules{DefaultRegion: "GB"}

	u := usermgmt.User{
		Username:    " Ann.Lee ",
		FirstName:   "Ann",
		LastName:    "Lee",
		Email:       "Ann.Lee@Example.COM",
		MobilePhone: "07400 123456",
		Language:    "en_gb",
		Services:    []usermgmt.Channel{"SMS"},
	}
	if err := rules.CheckUser(&u); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(u.Username, u.Email, u.MobilePhone, u.Language, u.ServiceLevel, u.Services)

	bad := usermgmt.User{Username: "abc", FirstName: "Ann", Email: "Ann <ann@example.com>", MobilePhone: "+44 909 879 0000"}
	err := rules.CheckUser(&bad)
	var ve *usermgmt.ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			fmt.Printf("%s %s\n", f.Field, f.Code)
		}
	}
	// Output:
	// Ann.Lee Ann.Lee@example.com +447400123456 en-GB archive [sms]
	// username too_short
	// last_name required
	// email invalid
	// mobile_phone number_type
}

func ExampleCheckEmail() {
	fmt.Println(usermgmt.CheckEmail(" Ann.Lee@Example.COM "))
	_, err := usermgmt.CheckEmail("Ann Lee <ann@example.com>")
	fmt.Println(err)
	// Output:
	// Ann.Lee@example.com <nil>
	// must be a single e-mail address such as name@example.com, without a display name
}

func ExamplePasswordPolicy_Describe() {
	fmt.Println(usermgmt.SeedPasswordPolicy().Describe())
	fmt.Println(usermgmt.NISTPasswordPolicy().Describe())
	// Output:
	// 8 to 20 characters, at least 3 of: upper case letters (A-Z), lower case letters (a-z), digits (0-9), symbols; none of " ' , “ ” ‘ ’
	// 8 to 64 characters; not containing the username; not a commonly used password
}
