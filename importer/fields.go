package importer

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Field is a user field an import column maps to. Its value is the
// field's JSON name in package usermgmt ("first_name", "mobile_phone"),
// so a *usermgmt.ValidationError's field names lead straight back to a
// column.
type Field string

// The fields of an import. The first ten are the seeds' columns, in the
// seeds' order (seed 002); the rest are the other user fields, optional.
const (
	FieldFirstName     Field = "first_name"     // "First Name", mandatory
	FieldLastName      Field = "last_name"      // "Last Name", mandatory
	FieldUsername      Field = "username"       // "Login", mandatory
	FieldPassword      Field = "password"       // "Password": plaintext, or a PHC/bcrypt hash; empty means activation by e-mail
	FieldMobilePhone   Field = "mobile_phone"   // "Mobile Phone number", mandatory
	FieldBusinessPhone Field = "business_phone" // "Business Phone number"
	FieldEmail         Field = "email"          // "Email Address", mandatory
	FieldCompany       Field = "company"        // "Company"
	FieldCustomerCode  Field = "customer_code"  // "Unique Customer Code"
	FieldUDID          Field = "udid"           // "UDID"
	FieldTimeZone      Field = "time_zone"      // "Time Zone": IANA name
	FieldLanguage      Field = "language"       // "Language": BCP 47 tag
	FieldCountry       Field = "country"        // "Country": ISO 3166-1 alpha-2
	FieldFriendlyName  Field = "friendly_name"  // "Friendly Name"
	FieldNotes         Field = "notes"          // "Notes"
	FieldServiceLevel  Field = "service_level"  // "Service Level": archive or pro
	FieldServices      Field = "services"       // "Services": sms, fax or both
	FieldGroup         Field = "group"          // "Group": a group's name
)

// fieldSpec describes one field: its header in templates, whether a
// file must have its column, the header spellings it is recognised by
// (normalised, see normHeader) and its rule for the template's notes.
type fieldSpec struct {
	field     Field
	header    string
	mandatory bool
	aliases   []string
	rule      string
	example   string
}

// specs is the field table, in template order. It is never modified.
var specs = [...]fieldSpec{
	{FieldFirstName, "First Name", true,
		[]string{"firstname", "first", "givenname", "forename", "fname"},
		"mandatory; up to 100 characters", "John"},
	{FieldLastName, "Last Name", true,
		[]string{"lastname", "last", "surname", "familyname", "lname"},
		"mandatory; up to 100 characters", "Smith"},
	{FieldUsername, "Login", true,
		[]string{"login", "username", "user", "loginname", "userid", "loginid"},
		"mandatory; at least 4 characters: letters, digits, '.', '-', '_' and spaces; unique; cannot be changed later", "jsmith"},
	{FieldPassword, "Password", false,
		[]string{"password", "passwd", "pwd", "pass", "passwordhash", "initialpassword"},
		`optional; 8 to 20 characters with at least 3 of: uppercase letter, lowercase letter, digit, symbol; " ' and , are not allowed. Leave it empty and the user gets an e-mail to set a password. A bcrypt or argon2 hash is accepted when moving users from another system`,
		"Sunny-Day42"},
	{FieldMobilePhone, "Mobile Phone number", true,
		[]string{"mobilephone", "mobile", "phone", "cellphone", "cell", "mobiletelephone", "msisdn"},
		"mandatory; international format +[country code][number including area code], e.g. +447911123456; unique", "+447911123456"},
	{FieldBusinessPhone, "Business Phone number", false,
		[]string{"businessphone", "businessnumber", "workphone", "worknumber", "officephone", "officenumber", "businesstelephone"},
		"optional; international format +[country code][number including area code]", "+442071234567"},
	{FieldEmail, "Email Address", true,
		[]string{"emailaddress", "email", "mail", "mailaddress", "emailid"},
		"mandatory; one address such as john.smith@example.com; unique", "john.smith@example.com"},
	{FieldCompany, "Company", false,
		[]string{"company", "companyname", "organisation", "organization", "employer"},
		"optional; up to 200 characters", "Example Ltd"},
	{FieldCustomerCode, "Unique Customer Code", false,
		[]string{"uniquecustomercode", "customercode", "customerid", "uniquecode"},
		"optional; free text up to 100 characters, unique within the account", "CUST-001"},
	{FieldUDID, "UDID", false,
		[]string{"udid", "deviceudid", "deviceid"},
		"optional; the device identifier, up to 100 characters without spaces", ""},
	{FieldTimeZone, "Time Zone", false,
		[]string{"timezone", "tz", "zone"},
		"optional; an IANA time zone such as Europe/London (default: the account's)", "Europe/London"},
	{FieldLanguage, "Language", false,
		[]string{"language", "lang", "locale"},
		"optional; a language tag such as en-GB (default: the account's)", "en-GB"},
	{FieldCountry, "Country", false,
		[]string{"country", "countrycode", "defaultcountry", "defaultcountrycode"},
		"optional; a two-letter country code such as GB, also used to read phone numbers written without +", "GB"},
	{FieldFriendlyName, "Friendly Name", false,
		[]string{"friendlyname", "displayname", "nickname"},
		"optional; up to 200 characters", "John (Sales)"},
	{FieldNotes, "Notes", false,
		[]string{"notes", "note", "comment", "comments", "remarks"},
		"optional; up to 4000 characters", ""},
	{FieldServiceLevel, "Service Level", false,
		[]string{"servicelevel", "level", "licence", "license", "licencetype", "licensetype"},
		"optional; archive or pro (default: the level chosen for the import)", "archive"},
	{FieldServices, "Services", false,
		[]string{"services", "service", "channels"},
		"optional; sms, fax or both, separated by a space, ';' or '/'", "sms"},
	{FieldGroup, "Group", false,
		[]string{"group", "groupname", "orggroup", "organisationalgroup", "organizationalgroup", "department", "team"},
		"optional; the name of a group of the organisation (default: the group chosen for the import)", ""},
}

// numSeedFields is how many of specs are the seeds' columns.
const numSeedFields = 10

// errorsHeader is the column an errors file adds; a file that has it is
// read without reporting it.
const errorsHeader = "Errors"

// spec returns f's entry of the field table.
func (f Field) spec() (*fieldSpec, bool) {
	for i := range specs {
		if specs[i].field == f {
			return &specs[i], true
		}
	}
	return nil, false
}

// Valid reports whether f is one of the fields.
func (f Field) Valid() bool {
	_, ok := f.spec()
	return ok
}

// Header returns the field's column header in templates: "Mobile Phone
// number" for FieldMobilePhone; the field's name for an unknown field.
func (f Field) Header() string {
	if s, ok := f.spec(); ok {
		return s.header
	}
	return string(f)
}

// Mandatory reports whether a file must have f's column: first and last
// name, login, mobile phone and e-mail address (seed 002). The password
// column is optional: a user without a password is activated by e-mail.
func (f Field) Mandatory() bool {
	s, ok := f.spec()
	return ok && s.mandatory
}

// String returns the field's name.
func (f Field) String() string { return string(f) }

// Fields returns every field, the seeds' ten first, in template order.
func Fields() []Field {
	out := make([]Field, len(specs))
	for i := range specs {
		out[i] = specs[i].field
	}
	return out
}

// SeedFields returns the seeds' ten columns in their order: the column
// order of a headerless file and of the example template.
func SeedFields() []Field { return Fields()[:numSeedFields] }

// MandatoryFields returns the fields a file must have columns for.
func MandatoryFields() []Field {
	var out []Field
	for i := range specs {
		if specs[i].mandatory {
			out = append(out, specs[i].field)
		}
	}
	return out
}

// FieldOf returns the field a column header names, matching case- and
// space-insensitively the template's headers and common alternatives:
// "First Name", "first_name", "FIRSTNAME", "Login", "User Name",
// "E-mail", "Mobile", "Phone No.", "Unique Customer Code (optional)".
// Text in parentheses or brackets is ignored, and so is a trailing
// "number", "no" or "nr" when the rest names a field.
func FieldOf(header string) (Field, bool) {
	key := normHeader(header)
	if f, ok := lookupAlias(key); ok {
		return f, true
	}
	for _, suffix := range []string{"number", "num", "nr", "no"} {
		if k, ok := strings.CutSuffix(key, suffix); ok && k != "" {
			if f, ok := lookupAlias(k); ok {
				return f, true
			}
		}
	}
	return "", false
}

// lookupAlias finds the field one of whose aliases is key.
func lookupAlias(key string) (Field, bool) {
	if key == "" {
		return "", false
	}
	for i := range specs {
		for _, a := range specs[i].aliases {
			if a == key {
				return specs[i].field, true
			}
		}
	}
	return "", false
}

// normHeader reduces a header to the form aliases are written in: NFKC,
// lower case, without text in parentheses or brackets, letters and
// digits only.
func normHeader(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	depth := 0
	for _, r := range s {
		switch {
		case r == '(' || r == '[' || r == '{':
			depth++
		case r == ')' || r == ']' || r == '}':
			if depth > 0 {
				depth--
			}
		case depth > 0:
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// isErrorsHeader reports whether a header is an errors file's own column.
func isErrorsHeader(s string) bool {
	k := normHeader(s)
	return k == "errors" || k == "error"
}
