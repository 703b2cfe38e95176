package importer

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFieldOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header string
		want   Field
	}{
		{"First Name", FieldFirstName},
		{"first_name", FieldFirstName},
		{"FIRSTNAME", FieldFirstName},
		{"  First  Name * ", FieldFirstName},
		{"Given name", FieldFirstName},
		{"\ufeffFirst Name", FieldFirstName},
		{"Last Name", FieldLastName},
		{"Surname", FieldLastName},
		{"Login", FieldUsername},
		{"Username", FieldUsername},
		{"User Name", FieldUsername},
		{"user-name", FieldUsername},
		{"Password", FieldPassword},
		{"Password hash", FieldPassword},
		{"Mobile Phone number", FieldMobilePhone},
		{"Mobile Phone No.", FieldMobilePhone},
		{"Mobile", FieldMobilePhone},
		{"Mobile number", FieldMobilePhone},
		{"Phone", FieldMobilePhone},
		{"Phone Number", FieldMobilePhone},
		{"Phone (+country code)", FieldMobilePhone},
		{"Business Phone number", FieldBusinessPhone},
		{"Business Phone", FieldBusinessPhone},
		{"Work phone", FieldBusinessPhone},
		{"Business number", FieldBusinessPhone},
		{"Email Address", FieldEmail},
		{"Email", FieldEmail},
		{"E-mail", FieldEmail},
		{"e.mail", FieldEmail},
		{"Company", FieldCompany},
		{"Unique Customer Code", FieldCustomerCode},
		{"Customer code", FieldCustomerCode},
		{"UDID", FieldUDID},
		{"udid (optional)", FieldUDID},
		{"Time Zone", FieldTimeZone},
		{"timezone", FieldTimeZone},
		{"Language", FieldLanguage},
		{"Country", FieldCountry},
		{"Country code", FieldCountry},
		{"Friendly Name", FieldFriendlyName},
		{"Notes", FieldNotes},
		{"Service Level", FieldServiceLevel},
		{"Services", FieldServices},
		{"Group", FieldGroup},
		{"Department", FieldGroup},
		{"Ｅｍａｉｌ", FieldEmail}, // full-width, NFKC
		{"Favourite colour", ""},
		{"", ""},
		{"number", ""},
		{"()", ""},
		{"Errors", ""},
	}
	for _, tt := range tests {
		got, ok := FieldOf(tt.header)
		assert.Equal(t, tt.want, got, "%q", tt.header)
		assert.Equal(t, tt.want != "", ok, "%q", tt.header)
	}
}

func TestFieldTable(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []Field{FieldFirstName, FieldLastName, FieldUsername, FieldPassword, FieldMobilePhone,
		FieldBusinessPhone, FieldEmail, FieldCompany, FieldCustomerCode, FieldUDID}, SeedFields())
	assert.Equal(t, []Field{FieldFirstName, FieldLastName, FieldUsername, FieldMobilePhone, FieldEmail}, MandatoryFields())
	assert.Len(t, Fields(), 18)
	seen := map[string]Field{}
	for _, f := range Fields() {
		assert.True(t, f.Valid())
		assert.Equal(t, string(f), f.String())
		got, ok := FieldOf(f.Header())
		assert.True(t, ok, f.Header())
		assert.Equal(t, f, got, "the template header maps back")
		got, ok = FieldOf(string(f))
		assert.True(t, ok, string(f))
		assert.Equal(t, f, got, "the JSON name maps back")
		s, _ := f.spec()
		for _, a := range s.aliases {
			assert.Equal(t, a, normHeader(a), "alias %q is normalised", a)
			prev, dup := seen[a]
			assert.False(t, dup, "alias %q of %s is also %s's", a, f, prev)
			seen[a] = f
		}
	}
	assert.False(t, Field("shoe_size").Valid())
	assert.False(t, Field("shoe_size").Mandatory())
	assert.Equal(t, "shoe_size", Field("shoe_size").Header())
}

func TestMapColumns(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		header   []string
		fields   []Field
		unknown  []Column
		ignored  []Column
		missing  []Field
		dups     []Duplicate
		errorMsg string
	}{
		{
			name:   "seed headers",
			header: seedHeader(),
			fields: SeedFields(),
		},
		{
			name:    "any order, aliases, unknown and errors columns",
			header:  []string{"E-mail", "Shoe size", "Surname", "", "Given Name", "User Name", "Mobile", "Errors", "Group"},
			fields:  []Field{FieldEmail, FieldLastName, FieldFirstName, FieldUsername, FieldMobilePhone, FieldGroup},
			unknown: []Column{{Index: 1, Header: "Shoe size"}},
			ignored: []Column{{Index: 3}, {Index: 7, Header: "Errors"}},
		},
		{
			name:     "missing mandatory columns are all listed",
			header:   []string{"First Name", "Company", "Phone"},
			fields:   []Field{FieldFirstName, FieldCompany, FieldMobilePhone},
			missing:  []Field{FieldLastName, FieldUsername, FieldEmail},
			errorMsg: `importer: missing mandatory columns "Last Name", "Login", "Email Address"`,
		},
		{
			name:   "duplicates",
			header: []string{"First Name", "Last Name", "Login", "Mobile", "Email", "Phone", "Email Address"},
			fields: []Field{FieldFirstName, FieldLastName, FieldUsername, FieldMobilePhone, FieldEmail},
			dups: []Duplicate{
				{FieldMobilePhone, []Column{{3, "Mobile"}, {5, "Phone"}}},
				{FieldEmail, []Column{{4, "Email"}, {6, "Email Address"}}},
			},
			errorMsg: `importer: "Mobile Phone number" is in more than one column: "Mobile", "Phone"; "Email Address" is in more than one column: "Email", "Email Address"`,
		},
		{
			name:     "nothing known",
			header:   []string{"a", "b"},
			unknown:  []Column{{0, "a"}, {1, "b"}},
			missing:  MandatoryFields(),
			errorMsg: `importer: missing mandatory columns "First Name", "Last Name", "Login", "Mobile Phone number", "Email Address"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := MapColumns(tt.header)
			require.NotNil(t, m)
			assert.Equal(t, tt.fields, m.Fields())
			assert.Equal(t, tt.unknown, m.Unknown)
			assert.Equal(t, tt.ignored, m.Ignored)
			assert.False(t, m.Headerless())
			if tt.missing == nil && tt.dups == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrColumns)
			var ce *ColumnsError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.missing, ce.Missing)
			assert.Equal(t, tt.dups, ce.Duplicates)
			assert.Equal(t, tt.errorMsg, err.Error())
		})
	}
}

func TestMappingRecord(t *testing.T) {
	t.Parallel()
	m, err := MapColumns([]string{"Email", "Login", "First Name", "Last Name", "Mobile", "Notes"})
	require.NoError(t, err)
	rec := m.Record([]string{"a@example.com", "ann1", "Ann"})
	assert.Equal(t, Record{FieldEmail: "a@example.com", FieldUsername: "ann1", FieldFirstName: "Ann",
		FieldLastName: "", FieldMobilePhone: "", FieldNotes: ""}, rec)
	assert.True(t, rec.Has(FieldNotes))
	assert.False(t, rec.Has(FieldPassword))
	assert.Equal(t, "", rec.Get(FieldPassword))
	c, ok := m.Column(FieldMobilePhone)
	assert.True(t, ok)
	assert.Equal(t, Column{Index: 4, Header: "Mobile"}, c)
	assert.Equal(t, "Mobile", m.ColumnName(FieldMobilePhone))
	assert.Equal(t, "Password", m.ColumnName(FieldPassword))
	_, ok = m.Column(FieldPassword)
	assert.False(t, ok)
	assert.True(t, m.Has(FieldNotes))
}

func TestHeaderlessMapping(t *testing.T) {
	t.Parallel()
	m, err := HeaderlessMapping(12)
	require.NoError(t, err)
	assert.True(t, m.Headerless())
	assert.Equal(t, SeedFields(), m.Fields())
	assert.Equal(t, []Column{{Index: 10}, {Index: 11}}, m.Unknown)
	assert.Equal(t, "column 11", m.Unknown[0].Name())
	assert.Equal(t, "Mobile Phone number", m.ColumnName(FieldMobilePhone))
	rec := m.Record(userRows(1)[0])
	assert.Equal(t, "user.00000@example.com", rec.Get(FieldEmail))

	_, err = HeaderlessMapping(5)
	var ce *ColumnsError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, []Field{FieldEmail}, ce.Missing)

	_, err = HeaderlessMapping(-1)
	require.ErrorIs(t, err, ErrColumns)
}

func TestLooksLikeHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cells []string
		want  bool
	}{
		{seedHeader(), true},
		{[]string{"John", "Smith", "jsmith", "", "+447911123456"}, false},
		{[]string{"John", "Smith", "jsmith", "john@example.com"}, false},
		{[]string{"John", "Smith", "jsmith", "Sunny-Day1", "447911123456"}, false},
		{[]string{"Name", "Surname", "Phone"}, true},
		{[]string{"a", "b"}, true}, // names nothing, holds no data: a header MapColumns will refuse
		{[]string{"Login", "Email", "x@example.com"}, true},
		{[]string{"Mobile", "Smith", "mobile@example.com", "+447911123456"}, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, looksLikeHeader(tt.cells), "%q", tt.cells)
	}
}
