package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
)

// population is a fixture with one user of each kind in a small tree:
//
//	root  ─┬─ child ─── grand        root:  alice, eve (deleted)
//	       └─ side                    child: bob   grand: carol   side: dave
type population struct {
	*fixture
	grand, side                  usermgmt.Group
	alice, bob, carol, dave, eve usermgmt.User
}

func (r *runner) population(t *testing.T, s usermgmt.Store) *population {
	t.Helper()
	f := r.fixture(t, s, 0)
	p := &population{fixture: f}
	p.grand = f.group(f.Child.ID)
	p.side = f.group(f.Root.ID)
	p.alice = f.user(func(u *usermgmt.User) {
		u.Username, u.FirstName, u.LastName = "alice."+f.ID, "Alice", "Archer"
		u.Email = "Wonder.Land@" + f.ID + ".example.com"
	})
	p.bob = f.user(func(u *usermgmt.User) {
		u.Username, u.FirstName, u.LastName = "Bob."+f.ID, "Robert", "Bobbington"
		u.GroupID, u.Status, u.ServiceLevel, u.Type, u.AddressBook = f.Child.ID, usermgmt.StatusSuspended, usermgmt.LevelPro, usermgmt.TypeAdmin, false
	})
	p.carol = f.user(func(u *usermgmt.User) {
		u.Username, u.FirstName, u.LastName = "carol."+f.ID, "Carolyn", "\u00c9luard"
		u.GroupID, u.Status, u.Kind = p.grand.ID, usermgmt.StatusPending, usermgmt.KindSystem
	})
	p.dave = f.user(func(u *usermgmt.User) {
		u.Username, u.FirstName, u.LastName = "DAVE."+f.ID, "David", "Doe"
		u.GroupID, u.Status, u.ServiceLevel, u.Type, u.AddressBook = p.side.ID, usermgmt.StatusDisabled, usermgmt.LevelPro, usermgmt.TypeOwner, false
		u.MobilePhone = "+1" + f.phone(0)[2:7] + "867530"
	})
	p.eve = f.user(func(u *usermgmt.User) { u.Username, u.FirstName = "eve."+f.ID, "Eve" })
	require.NoError(t, s.DeleteUser(context.Background(), p.eve.ID, at(time.Hour)))
	return p
}

func testListUsers(t *testing.T, r *runner) {
	s := r.store(t)
	ctx := context.Background()

	parallel(t, "Filters", func(t *testing.T) {
		p := r.population(t, s)
		other := r.population(t, s)
		a, b, c, d := p.alice.ID, p.bob.ID, p.carol.ID, p.dave.ID
		cases := []struct {
			name   string
			filter usermgmt.UserFilter
			want   []string
		}{
			{"AccountOnly", usermgmt.UserFilter{}, []string{a, b, c, d}},
			{"Group/Root", usermgmt.UserFilter{Group: p.Root.ID}, []string{a, b, c, d}},
			{"Group/Subtree", usermgmt.UserFilter{Group: p.Child.ID}, []string{b, c}},
			{"Group/Leaf", usermgmt.UserFilter{Group: p.grand.ID}, []string{c}},
			{"Group/Missing", usermgmt.UserFilter{Group: p.ID + "-nope"}, nil},
			{"Group/OtherAccount", usermgmt.UserFilter{Group: other.Root.ID}, nil},
			{"Within/Nil", usermgmt.UserFilter{Within: nil}, []string{a, b, c, d}},
			{"Within/EmptyNonNilMatchesNobody", usermgmt.UserFilter{Within: &usermgmt.Visibility{}}, nil},
			{"Within/EmptySlicesMatchNobody", usermgmt.UserFilter{Within: &usermgmt.Visibility{Groups: []string{}, Users: []string{}}}, nil},
			{"Within/GroupSubtree", usermgmt.UserFilter{Within: &usermgmt.Visibility{Groups: []string{p.Child.ID}}}, []string{b, c}},
			{"Within/Users", usermgmt.UserFilter{Within: &usermgmt.Visibility{Users: []string{d, p.eve.ID}}}, []string{d}},
			{"Within/Union", usermgmt.UserFilter{Within: &usermgmt.Visibility{Groups: []string{p.grand.ID, p.side.ID}, Users: []string{a, c}}}, []string{a, c, d}},
			{"Within/OtherAccountGroup", usermgmt.UserFilter{Within: &usermgmt.Visibility{Groups: []string{other.Root.ID}}}, nil},
			{"Within/OtherAccountUser", usermgmt.UserFilter{Within: &usermgmt.Visibility{Users: []string{other.alice.ID}}}, nil},
			{"Within/AndGroup", usermgmt.UserFilter{Group: p.Child.ID, Within: &usermgmt.Visibility{Users: []string{a, b}}}, []string{b}},
			{"Statuses/One", usermgmt.UserFilter{Statuses: []usermgmt.Status{usermgmt.StatusActive}}, []string{a}},
			{"Statuses/Any", usermgmt.UserFilter{Statuses: []usermgmt.Status{usermgmt.StatusPending, usermgmt.StatusDisabled}}, []string{c, d}},
			{"Statuses/DeletedNeverListed", usermgmt.UserFilter{Statuses: []usermgmt.Status{usermgmt.StatusDeleted}}, nil},
			{"ServiceLevel", usermgmt.UserFilter{ServiceLevel: usermgmt.LevelPro}, []string{b, d}},
			{"Type", usermgmt.UserFilter{Type: usermgmt.TypeEndUser}, []string{a, c}},
			{"Kind", usermgmt.UserFilter{Kind: usermgmt.KindSystem}, []string{c}},
			{"AddressBook", usermgmt.UserFilter{AddressBook: true}, []string{a, c}},
			{"Query/FirstName", usermgmt.UserFilter{Query: "ROLY"}, []string{c}},
			{"Query/LastName", usermgmt.UserFilter{Query: "bBINGt"}, []string{b}},
			{"Query/Username", usermgmt.UserFilter{Query: "dAVe."}, []string{d}},
			{"Query/Email", usermgmt.UserFilter{Query: "wonder.LAND@"}, []string{a}},
			{"Query/MobilePhone", usermgmt.UserFilter{Query: "867530"}, []string{d}},
			{"Query/NonASCIICaseFolded", usermgmt.UserFilter{Query: "\u00e9LUA"}, []string{c}},
			{"Query/DeletedNeverListed", usermgmt.UserFilter{Query: "Eve"}, nil},
			{"Query/NoMatch", usermgmt.UserFilter{Query: "zzz-nobody"}, nil},
			{"Combined", usermgmt.UserFilter{Group: p.Root.ID, ServiceLevel: usermgmt.LevelPro, AddressBook: false,
				Statuses: []usermgmt.Status{usermgmt.StatusSuspended, usermgmt.StatusDisabled}, Type: usermgmt.TypeOwner, Query: "david"}, []string{d}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				filter := tc.filter
				filter.AccountID = p.ID
				gotIDs := ids(listAll(t, s, filter, 0))
				if len(gotIDs) == 0 {
					gotIDs = nil
				}
				assert.Equal(t, tc.want, gotIDs)
			})
		}
	})
	parallel(t, "OrderedByUsernameKey", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		// Byte order of the keys, which a locale collation would not give:
		// punctuation counts, upper case folds, accents sort after z.
		names := []string{"\u00c9clair", "a_c", "zed", "A.B", "aB", "a2"}
		wantOrder := []string{"a.b", "a2", "a_c", "ab", "zed", "\u00e9clair"}
		for _, n := range names {
			f.user(func(u *usermgmt.User) { u.Username = n + "-" + f.ID })
		}
		list := listAll(t, s, usermgmt.UserFilter{AccountID: f.ID}, 0)
		var keys []string
		for _, u := range list {
			keys = append(keys, usermgmt.UsernameKey(u.Username))
		}
		var wantKeys []string
		for _, k := range wantOrder {
			wantKeys = append(wantKeys, k+"-"+f.ID)
		}
		assert.Equal(t, wantKeys, keys)
		assert.Equal(t, keys, keysOf(listAll(t, s, usermgmt.UserFilter{AccountID: f.ID}, 2)), "the same order in pages of two")
	})
	parallel(t, "Query/WildcardsAreLiteral", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		under := f.user(func(u *usermgmt.User) { u.Username = "a_b-" + f.ID })
		f.user(func(u *usermgmt.User) { u.Username = "axb-" + f.ID })
		pct := f.user(func(u *usermgmt.User) { u.FirstName = "100%" })
		f.user(func(u *usermgmt.User) { u.FirstName = "1000" })
		for query, wantIDs := range map[string][]string{
			"a_b":    {under.ID},
			"0%":     {pct.ID},
			"%":      {pct.ID},
			"_":      {under.ID},
			`\`:      nil,
			"[a-z]b": nil,
		} {
			gotIDs := ids(listAll(t, s, usermgmt.UserFilter{AccountID: f.ID, Query: query}, 0))
			if len(gotIDs) == 0 {
				gotIDs = nil
			}
			assert.Equal(t, wantIDs, gotIDs, "query %q", query)
		}
	})
	parallel(t, "ReturnsWholeUsers", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.user()
		require.NoError(t, s.SetLastLogin(ctx, u.ID, at(time.Hour)))
		u.LastLoginAt = at(time.Hour)
		list, next, err := s.ListUsers(ctx, usermgmt.UserFilter{AccountID: f.ID}, usermgmt.Page{})
		require.NoError(t, err)
		assert.Empty(t, next, "one page")
		require.Len(t, list, 1)
		assert.Equal(t, want(u), got(list[0]))
	})
	parallel(t, "MissingAccountEmpty", func(t *testing.T) {
		list, next, err := s.ListUsers(ctx, usermgmt.UserFilter{AccountID: "storetest-no-such-account"}, usermgmt.Page{})
		require.NoError(t, err)
		assert.Empty(t, list)
		assert.Empty(t, next)
	})
}

// keysOf returns the UsernameKeys of users, in order.
func keysOf(users []usermgmt.User) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = usermgmt.UsernameKey(u.Username)
	}
	return out
}
