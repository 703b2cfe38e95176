package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
)

func testUsers(t *testing.T, r *runner) {
	s := r.store(t)
	testUsersConcurrent(t, r, s)
	ctx := context.Background()

	// CreateUser

	parallel(t, "CreateUser/RoundTrip", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.newUser(func(u *usermgmt.User) {
			u.Version = 5
			u.SuspendedUntil = at(72 * time.Hour)
			u.Status = usermgmt.StatusSuspended
			u.Services = []usermgmt.Channel{usermgmt.ChannelFax, usermgmt.ChannelSMS}
			u.DefaultNumber = "+15550199999"
		})
		require.NoError(t, s.CreateUser(ctx, &u))
		assert.Equal(t, int64(1), u.Version, "Version starts at 1 and is written back")
		assert.Equal(t, want(u), got(f.getUser(u.ID)))
	})
	parallel(t, "CreateUser/DuplicateIDConflict", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		first := f.user()
		dup := f.newUser(func(u *usermgmt.User) { u.ID = first.ID })
		require.ErrorIs(t, s.CreateUser(ctx, &dup), usermgmt.ErrConflict)
		assert.Equal(t, first.Username, f.getUser(first.ID).Username, "the first user is kept")
		assert.Equal(t, 1, f.getAccount().SeatsUsed)
	})
	parallel(t, "CreateUser/UsernameCaseInsensitiveConflict", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		first := f.user()
		for _, name := range []string{first.Username, strings.ToUpper(first.Username), strings.ToLower(first.Username)} {
			u := f.newUser(func(u *usermgmt.User) { u.Username = name })
			requireConflict(t, s.CreateUser(ctx, &u), "username")
		}
	})
	parallel(t, "CreateUser/UsernameNormalisedConflict", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		composed := "Zo\u00eb." + f.ID         // ë as one code point (NFC)
		decomposed := "ZO\u0045\u0308." + f.ID // E followed by a combining diaeresis (NFD), upper case
		require.Equal(t, usermgmt.UsernameKey(composed), usermgmt.UsernameKey(decomposed))
		f.user(func(u *usermgmt.User) { u.Username = composed })
		u := f.newUser(func(u *usermgmt.User) { u.Username = decomposed })
		requireConflict(t, s.CreateUser(ctx, &u), "username")
	})
	parallel(t, "CreateUser/EmailCaseInsensitiveConflict", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		first := f.user()
		for _, email := range []string{first.Email, strings.ToUpper(first.Email), strings.ToLower(first.Email)} {
			u := f.newUser(func(u *usermgmt.User) { u.Email = email })
			requireConflict(t, s.CreateUser(ctx, &u), "email")
		}
	})
	parallel(t, "CreateUser/MobilePhoneConflict", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		first := f.user()
		u := f.newUser(func(u *usermgmt.User) { u.MobilePhone = first.MobilePhone })
		requireConflict(t, s.CreateUser(ctx, &u), "mobile_phone")
	})
	parallel(t, "CreateUser/CustomerCodeConflictWithinAccount", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		other := r.fixture(t, s, 0)
		first := f.user()
		u := f.newUser(func(u *usermgmt.User) { u.CustomerCode = first.CustomerCode })
		requireConflict(t, s.CreateUser(ctx, &u), "customer_code")
		elsewhere := other.newUser(func(u *usermgmt.User) { u.CustomerCode = first.CustomerCode })
		require.NoError(t, s.CreateUser(ctx, &elsewhere), "the same code in another account")
	})
	parallel(t, "CreateUser/UniqueAcrossAccounts", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		other := r.fixture(t, s, 0)
		first := f.user()
		for field, opt := range map[string]func(u *usermgmt.User){
			"username":     func(u *usermgmt.User) { u.Username = strings.ToUpper(first.Username) },
			"email":        func(u *usermgmt.User) { u.Email = strings.ToUpper(first.Email) },
			"mobile_phone": func(u *usermgmt.User) { u.MobilePhone = first.MobilePhone },
		} {
			u := other.newUser(opt)
			requireConflict(t, s.CreateUser(ctx, &u), field)
		}
		assert.Zero(t, other.getAccount().SeatsUsed)
	})
	parallel(t, "CreateUser/ConflictNamesFirstField", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		first := f.user()
		cases := []struct {
			field string
			opt   func(u *usermgmt.User)
		}{
			{"username", func(u *usermgmt.User) {
				u.Username, u.Email, u.MobilePhone, u.CustomerCode = first.Username, first.Email, first.MobilePhone, first.CustomerCode
			}},
			{"email", func(u *usermgmt.User) {
				u.Email, u.MobilePhone, u.CustomerCode = first.Email, first.MobilePhone, first.CustomerCode
			}},
			{"mobile_phone", func(u *usermgmt.User) { u.MobilePhone, u.CustomerCode = first.MobilePhone, first.CustomerCode }},
			{"customer_code", func(u *usermgmt.User) { u.CustomerCode = first.CustomerCode }},
		}
		for _, tc := range cases {
			u := f.newUser(tc.opt)
			requireConflict(t, s.CreateUser(ctx, &u), tc.field)
		}
	})
	parallel(t, "CreateUser/EmptyPhoneAndCodeNeverConflict", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		for range 3 {
			f.user(func(u *usermgmt.User) {
				u.Kind, u.MobilePhone, u.CustomerCode = usermgmt.KindSystem, "", ""
			})
		}
		assert.Equal(t, 3, f.getAccount().SeatsUsed)
	})
	parallel(t, "CreateUser/FailureWritesNothing", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		first := f.user()
		u := f.newUser(func(u *usermgmt.User) { u.CustomerCode = first.CustomerCode })
		requireConflict(t, s.CreateUser(ctx, &u), "customer_code")
		_, err := s.GetUser(ctx, u.ID)
		require.ErrorIs(t, err, usermgmt.ErrNotFound, "no user")
		_, err = s.GetUserByUsername(ctx, u.Username)
		require.ErrorIs(t, err, usermgmt.ErrNotFound, "no username")
		_, err = s.GetUserByEmail(ctx, u.Email)
		require.ErrorIs(t, err, usermgmt.ErrNotFound, "no email")
		_, err = s.GetUserByPhone(ctx, u.MobilePhone)
		require.ErrorIs(t, err, usermgmt.ErrNotFound, "no phone")
		assert.Equal(t, 1, f.getAccount().SeatsUsed, "no seat")
		u.CustomerCode = "fresh"
		require.NoError(t, s.CreateUser(ctx, &u), "its identifiers stay free")
	})
	parallel(t, "CreateUser/MissingAccountOrGroupNotFound", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		other := r.fixture(t, s, 0)
		cases := map[string]func(u *usermgmt.User){
			"missing account":          func(u *usermgmt.User) { u.AccountID = f.ID + "-nope" },
			"missing group":            func(u *usermgmt.User) { u.GroupID = f.ID + "-nope" },
			"group of another account": func(u *usermgmt.User) { u.GroupID = other.Root.ID },
		}
		for name, opt := range cases {
			u := f.newUser(opt)
			require.ErrorIs(t, s.CreateUser(ctx, &u), usermgmt.ErrNotFound, name)
			_, err := s.GetUser(ctx, u.ID)
			require.ErrorIs(t, err, usermgmt.ErrNotFound, "%s: nothing is written", name)
		}
		assert.Zero(t, f.getAccount().SeatsUsed)
		assert.Zero(t, other.getAccount().SeatsUsed)
	})
	concurrentSame := func(field string, same func(u *usermgmt.User, i int)) func(t *testing.T) {
		return func(t *testing.T) {
			f := r.fixture(t, s, 0)
			for round := range 10 {
				users := []usermgmt.User{f.newUser(), f.newUser()}
				for i := range users {
					same(&users[i], round*2+i)
				}
				errs := race(len(users), func(i int) error { return s.CreateUser(ctx, &users[i]) })
				ok, conflicts := tally(t, errs, usermgmt.ErrConflict)
				require.Equal(t, 1, ok, "round %d: exactly one wins", round)
				require.Equal(t, 1, conflicts, "round %d: the other conflicts", round)
				for _, err := range errs {
					if err != nil {
						requireConflict(t, err, field)
					}
				}
			}
			assert.Equal(t, 10, f.getAccount().SeatsUsed)
		}
	}
	parallel(t, "CreateUser/ConcurrentSameUsername", concurrentSame("username", func(u *usermgmt.User, i int) {
		u.Username = "Same." + u.AccountID + "." + string(rune('a'+i/2))
		if i%2 == 1 {
			u.Username = strings.ToUpper(u.Username)
		}
	}))
	parallel(t, "CreateUser/ConcurrentSameEmail", concurrentSame("email", func(u *usermgmt.User, i int) {
		u.Email = "same" + string(rune('a'+i/2)) + "@" + u.AccountID + ".example.com"
		if i%2 == 1 {
			u.Email = strings.ToUpper(u.Email)
		}
	}))
	parallel(t, "CreateUser/ConcurrentSameMobilePhone", concurrentSame("mobile_phone", func(u *usermgmt.User, i int) {
		u.MobilePhone = fmt.Sprintf("%s9%02d", u.MobilePhone[:len(u.MobilePhone)-3], i/2)
	}))

	// Lookups

	parallel(t, "GetUserByUsername/CaseInsensitive", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.user(func(u *usermgmt.User) { u.Username = "Zo\u00eb." + f.ID })
		for _, name := range []string{u.Username, strings.ToUpper(u.Username), "zoe\u0308." + f.ID} {
			found, err := s.GetUserByUsername(ctx, name)
			require.NoError(t, err, name)
			assert.Equal(t, want(u), got(found))
		}
		_, err := s.GetUserByUsername(ctx, "zoe."+f.ID)
		require.ErrorIs(t, err, usermgmt.ErrNotFound)
	})
	parallel(t, "GetUserByEmail/CaseInsensitive", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.user()
		for _, email := range []string{u.Email, strings.ToUpper(u.Email), strings.ToLower(u.Email)} {
			found, err := s.GetUserByEmail(ctx, email)
			require.NoError(t, err, email)
			assert.Equal(t, u.ID, found.ID)
		}
		_, err := s.GetUserByEmail(ctx, "x"+u.Email)
		require.ErrorIs(t, err, usermgmt.ErrNotFound)
	})
	parallel(t, "GetUserByPhone/Exact", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.user()
		found, err := s.GetUserByPhone(ctx, u.MobilePhone)
		require.NoError(t, err)
		assert.Equal(t, u.ID, found.ID)
		_, err = s.GetUserByPhone(ctx, strings.TrimPrefix(u.MobilePhone, "+"))
		require.ErrorIs(t, err, usermgmt.ErrNotFound, "another spelling is another phone")
		_, err = s.GetUserByPhone(ctx, "")
		require.ErrorIs(t, err, usermgmt.ErrNotFound, "no phone finds nobody")
	})

	// UpdateUser

	parallel(t, "UpdateUser/WritesEveryFieldButImmutables", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.user()
		require.NoError(t, s.SetLastLogin(ctx, u.ID, at(time.Minute)))
		u = f.getUser(u.ID)
		sent := f.newUser(func(n *usermgmt.User) {
			n.ID, n.Version = u.ID, u.Version
			n.GroupID, n.Kind, n.Type, n.Status = f.Child.ID, usermgmt.KindSystem, usermgmt.TypeAdmin, usermgmt.StatusSuspended
			n.SuspendedUntil = at(96 * time.Hour)
			n.Username = "Renamed." + f.ID // ignored
			n.ServiceLevel, n.AddressBook = usermgmt.LevelPro, false
			n.Services = []usermgmt.Channel{usermgmt.ChannelSMS, usermgmt.ChannelFax}
			n.DefaultNumber = "+15550199998"
			n.Settings = map[string]string{"lang": "fr"}
			n.LastLoginAt = at(99 * time.Hour) // ignored
			n.CreatedAt = at(98 * time.Hour)   // ignored
			n.DeletedAt = at(97 * time.Hour)   // ignored
			n.UpdatedAt = at(2 * time.Hour)
		})
		upd := sent
		require.NoError(t, s.UpdateUser(ctx, &upd))
		assert.Equal(t, u.Version+1, upd.Version, "the version is bumped and written back")

		w := sent
		w.Username, w.LastLoginAt, w.CreatedAt, w.DeletedAt, w.Version = u.Username, u.LastLoginAt, u.CreatedAt, time.Time{}, u.Version+1
		assert.Equal(t, want(w), got(f.getUser(u.ID)))

		_, err := s.GetUserByUsername(ctx, sent.Username)
		require.ErrorIs(t, err, usermgmt.ErrNotFound, "the username never changes")
		for name, lookup := range map[string]func() (usermgmt.User, error){
			"old email": func() (usermgmt.User, error) { return s.GetUserByEmail(ctx, u.Email) },
			"old phone": func() (usermgmt.User, error) { return s.GetUserByPhone(ctx, u.MobilePhone) },
		} {
			_, err := lookup()
			require.ErrorIs(t, err, usermgmt.ErrNotFound, name)
		}
		for name, lookup := range map[string]func() (usermgmt.User, error){
			"username":  func() (usermgmt.User, error) { return s.GetUserByUsername(ctx, u.Username) },
			"new email": func() (usermgmt.User, error) { return s.GetUserByEmail(ctx, sent.Email) },
			"new phone": func() (usermgmt.User, error) { return s.GetUserByPhone(ctx, sent.MobilePhone) },
		} {
			found, err := lookup()
			require.NoError(t, err, name)
			assert.Equal(t, u.ID, found.ID, name)
		}
		// The old identifiers are free for others.
		taker := f.newUser(func(n *usermgmt.User) {
			n.Email, n.MobilePhone, n.CustomerCode = u.Email, u.MobilePhone, u.CustomerCode
		})
		require.NoError(t, s.CreateUser(ctx, &taker), "the old e-mail, phone and customer code are free")
	})
	parallel(t, "UpdateUser/StaleVersionConflict", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.user()
		first, second := u, u
		first.FirstName = "First"
		require.NoError(t, s.UpdateUser(ctx, &first))
		second.FirstName = "Second"
		requireConflict(t, s.UpdateUser(ctx, &second), "version")
		stored := f.getUser(u.ID)
		assert.Equal(t, "First", stored.FirstName, "a stale update writes nothing")
		assert.Equal(t, first.Version, stored.Version)
	})
	parallel(t, "UpdateUser/ConcurrentOneWins", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.user()
		errs := race(10, func(i int) error {
			c := u
			c.Services = []usermgmt.Channel{usermgmt.ChannelFax}
			c.FirstName = "Writer " + string(rune('A'+i))
			return s.UpdateUser(ctx, &c)
		})
		ok, conflicts := tally(t, errs, usermgmt.ErrConflict)
		assert.Equal(t, 1, ok, "exactly one update of the same version wins")
		assert.Equal(t, 9, conflicts)
		assert.Equal(t, u.Version+1, f.getUser(u.ID).Version)
	})
	parallel(t, "UpdateUser/UniquenessConflicts", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		other := r.fixture(t, s, 0)
		u, v := f.user(), f.user()
		elsewhere := other.user()
		cases := []struct {
			field string
			opt   func(c *usermgmt.User)
		}{
			{"email", func(c *usermgmt.User) { c.Email = strings.ToUpper(v.Email) }},
			{"email", func(c *usermgmt.User) { c.Email = strings.ToLower(elsewhere.Email) }},
			{"mobile_phone", func(c *usermgmt.User) { c.MobilePhone = v.MobilePhone }},
			{"mobile_phone", func(c *usermgmt.User) { c.MobilePhone = elsewhere.MobilePhone }},
			{"customer_code", func(c *usermgmt.User) { c.CustomerCode = v.CustomerCode }},
		}
		for _, tc := range cases {
			c := u
			c.FirstName = "Changed"
			tc.opt(&c)
			requireConflict(t, s.UpdateUser(ctx, &c), tc.field)
		}
		assert.Equal(t, want(u), got(f.getUser(u.ID)), "a refused update writes nothing")

		c := u
		c.CustomerCode = elsewhere.CustomerCode
		c.Email = strings.ToUpper(u.Email)
		require.NoError(t, s.UpdateUser(ctx, &c), "its own identifiers, another account's customer code")
		found, err := s.GetUserByEmail(ctx, u.Email)
		require.NoError(t, err)
		assert.Equal(t, c.Email, found.Email, "the new spelling is stored")
	})
	parallel(t, "UpdateUser/AccountChangeMovesSeat", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		to := r.fixture(t, s, 2)
		to.user()
		u := f.user()
		u.AccountID, u.GroupID = to.ID, to.Child.ID
		require.NoError(t, s.UpdateUser(ctx, &u))
		assert.Equal(t, 0, f.getAccount().SeatsUsed, "the old account frees the seat")
		assert.Equal(t, 2, to.getAccount().SeatsUsed, "the new account takes it")
		moved := f.getUser(u.ID)
		assert.Equal(t, to.ID, moved.AccountID)
		fromCount, err := s.CountUsers(ctx, f.ID)
		require.NoError(t, err)
		assert.Zero(t, fromCount.Total)
		assert.Empty(t, listAll(t, s, usermgmt.UserFilter{AccountID: f.ID}, 0), "not listed in the old account")
		assert.Len(t, listAll(t, s, usermgmt.UserFilter{AccountID: to.ID}, 0), 2, "listed in the new account")
	})
	parallel(t, "UpdateUser/AccountChangeSeatLimit", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		to := r.fixture(t, s, 1)
		to.user()
		u := f.user()
		moving := u
		moving.AccountID, moving.GroupID, moving.FirstName = to.ID, to.Root.ID, "Moved"
		require.ErrorIs(t, s.UpdateUser(ctx, &moving), usermgmt.ErrSeatLimit)
		assert.Equal(t, want(u), got(f.getUser(u.ID)), "a refused move writes nothing")
		assert.Equal(t, 1, f.getAccount().SeatsUsed)
		assert.Equal(t, 1, to.getAccount().SeatsUsed)
	})
	parallel(t, "UpdateUser/AccountChangeCustomerCodeConflict", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		to := r.fixture(t, s, 0)
		u := f.user()
		to.user(func(n *usermgmt.User) { n.CustomerCode = u.CustomerCode })
		u.AccountID, u.GroupID = to.ID, to.Root.ID
		requireConflict(t, s.UpdateUser(ctx, &u), "customer_code")
	})
	parallel(t, "UpdateUser/MissingGroupNotFound", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		other := r.fixture(t, s, 0)
		u := f.user()
		for name, group := range map[string]string{"missing": f.ID + "-nope", "other account": other.Root.ID} {
			c := u
			c.GroupID = group
			require.ErrorIs(t, s.UpdateUser(ctx, &c), usermgmt.ErrNotFound, name)
		}
		assert.Equal(t, want(u), got(f.getUser(u.ID)))
	})
	parallel(t, "UpdateUser/DeletedNotFound", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.user()
		require.NoError(t, s.DeleteUser(ctx, u.ID, at(time.Hour)))
		tomb := f.getUser(u.ID)
		tomb.FirstName = "Zombie"
		require.ErrorIs(t, s.UpdateUser(ctx, &tomb), usermgmt.ErrNotFound, "with the tombstone's version")
		u.FirstName = "Zombie"
		require.ErrorIs(t, s.UpdateUser(ctx, &u), usermgmt.ErrNotFound, "with the live version")
		assert.Empty(t, f.getUser(u.ID).FirstName)
	})

	// SetLastLogin

	parallel(t, "SetLastLogin/NoVersionBump", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.user()
		require.NoError(t, s.SetLastLogin(ctx, u.ID, at(time.Hour)))
		w := u
		w.LastLoginAt = at(time.Hour)
		assert.Equal(t, want(w), got(f.getUser(u.ID)), "only LastLoginAt changes")
		u.FirstName = "After login"
		require.NoError(t, s.UpdateUser(ctx, &u), "the version the caller holds is still current")
		assert.Equal(t, us(at(time.Hour)), f.getUser(u.ID).LastLoginAt, "UpdateUser keeps LastLoginAt")
	})

	// DeleteUser

	parallel(t, "DeleteUser/Tombstone", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.user(func(u *usermgmt.User) {
			u.GroupID, u.Type, u.Kind = f.Child.ID, usermgmt.TypeAdmin, usermgmt.KindSystem
			u.Status, u.SuspendedUntil = usermgmt.StatusSuspended, at(time.Hour)
			u.DefaultNumber, u.ServiceLevel = "+15550199997", usermgmt.LevelPro
		})
		require.NoError(t, s.SetLastLogin(ctx, u.ID, at(time.Minute)))
		require.NoError(t, s.DeleteUser(ctx, u.ID, at(2*time.Hour)))
		tomb := f.getUser(u.ID)
		w := usermgmt.User{
			ID: u.ID, AccountID: u.AccountID, GroupID: u.GroupID, Kind: u.Kind, Type: u.Type,
			Status: usermgmt.StatusDeleted, CreatedAt: u.CreatedAt, DeletedAt: at(2 * time.Hour),
			// The contract leaves these two to the store.
			UpdatedAt: tomb.UpdatedAt, Version: tomb.Version,
		}
		assert.Equal(t, want(w), got(tomb), "only ID, AccountID, GroupID, Kind, Type, CreatedAt and DeletedAt remain")
		assert.False(t, tomb.Live())
	})
	parallel(t, "DeleteUser/DeletedInvisible", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		u := f.user()
		require.NoError(t, s.DeleteUser(ctx, u.ID, at(time.Hour)))
		_, err := s.GetUserByUsername(ctx, u.Username)
		require.ErrorIs(t, err, usermgmt.ErrNotFound, "by username")
		_, err = s.GetUserByEmail(ctx, u.Email)
		require.ErrorIs(t, err, usermgmt.ErrNotFound, "by email")
		_, err = s.GetUserByPhone(ctx, u.MobilePhone)
		require.ErrorIs(t, err, usermgmt.ErrNotFound, "by phone")
		assert.Empty(t, listAll(t, s, usermgmt.UserFilter{AccountID: f.ID}, 0), "never listed")
		assert.Empty(t, listAll(t, s, usermgmt.UserFilter{AccountID: f.ID, Statuses: []usermgmt.Status{usermgmt.StatusDeleted}}, 0),
			"not even when asked for")
		require.ErrorIs(t, s.DeleteUser(ctx, u.ID, at(2*time.Hour)), usermgmt.ErrNotFound, "deleting twice")
		require.ErrorIs(t, s.SetLastLogin(ctx, u.ID, at(2*time.Hour)), usermgmt.ErrNotFound, "a tombstone does not log in")
		assert.Equal(t, us(at(time.Hour)), f.getUser(u.ID).DeletedAt, "the first deletion stands")
	})
	parallel(t, "DeleteUser/FreesIdentifiers", func(t *testing.T) {
		f := r.fixture(t, s, 1)
		u := f.user()
		require.NoError(t, s.DeleteUser(ctx, u.ID, at(time.Hour)))
		assert.Zero(t, f.getAccount().SeatsUsed, "the seat is freed")
		again := f.newUser(func(n *usermgmt.User) {
			n.Username, n.Email = strings.ToUpper(u.Username), strings.ToLower(u.Email)
			n.MobilePhone, n.CustomerCode = u.MobilePhone, u.CustomerCode
		})
		require.NoError(t, s.CreateUser(ctx, &again), "username, e-mail, phone, customer code and seat are free at once")
		found, err := s.GetUserByUsername(ctx, u.Username)
		require.NoError(t, err)
		assert.Equal(t, again.ID, found.ID)
	})
	parallel(t, "DeleteUser/Cascades", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		admin := f.user(func(u *usermgmt.User) { u.Type = usermgmt.TypeAdmin })
		u := f.user(func(u *usermgmt.User) { u.Type = usermgmt.TypeAdmin })
		keep := f.user()

		require.NoError(t, s.SetPassword(ctx, u.ID, "$argon2id$v=19$m=65536,t=1,p=2$c2FsdA$aGFzaA", at(0)))
		require.NoError(t, s.SetPassword(ctx, keep.ID, "$argon2id$v=19$m=65536,t=1,p=2$c2FsdA$a2VlcA", at(0)))
		login := f.session(usermgmt.SessionLogin, u.ID)
		apiKey := f.session(usermgmt.SessionAPIKey, u.ID)
		keepSession := f.session(usermgmt.SessionLogin, keep.ID)
		reset := f.token(usermgmt.TokenReset, u.ID)
		used := f.token(usermgmt.TokenChallenge, u.ID)
		_, err := s.ConsumeToken(ctx, used.Kind, used.Hash, at(time.Minute), "ok")
		require.NoError(t, err)
		keepToken := f.token(usermgmt.TokenReset, keep.ID)
		held := f.grant(u.ID, usermgmt.Scope{GroupID: f.Child.ID})
		onU := f.grant(admin.ID, usermgmt.Scope{UserID: u.ID})
		keepGrant := f.grant(admin.ID, usermgmt.Scope{UserID: keep.ID})
		alias := f.alias(u.ID)
		keepAlias := f.alias(keep.ID)
		num := f.number()
		require.NoError(t, s.AssignNumber(ctx, num.E164, u.ID))
		keepNum := f.number()
		require.NoError(t, s.AssignNumber(ctx, keepNum.E164, keep.ID))

		require.NoError(t, s.DeleteUser(ctx, u.ID, at(time.Hour)))

		_, err = s.GetPassword(ctx, u.ID)
		require.ErrorIs(t, err, usermgmt.ErrNotFound, "password")
		for _, ses := range []usermgmt.Session{login, apiKey} {
			_, err = s.GetSessionByHash(ctx, ses.Hash)
			require.ErrorIs(t, err, usermgmt.ErrNotFound, "session of kind %s", ses.Kind)
		}
		sessions, err := s.ListSessions(ctx, u.ID, "")
		require.NoError(t, err)
		assert.Empty(t, sessions, "sessions of both kinds")
		for _, tok := range []usermgmt.Token{reset, used} {
			_, err = s.GetToken(ctx, tok.ID)
			require.ErrorIs(t, err, usermgmt.ErrNotFound, "token of kind %s", tok.Kind)
		}
		for _, g := range []usermgmt.Grant{held, onU} {
			_, err = s.GetGrant(ctx, g.ID)
			require.ErrorIs(t, err, usermgmt.ErrNotFound, "grant %s", g.ID)
		}
		grants, err := s.ListAccountGrants(ctx, f.ID)
		require.NoError(t, err)
		require.Len(t, grants, 1, "grants held by and scoped to the user")
		assert.Equal(t, keepGrant.ID, grants[0].ID)
		_, err = s.GetAlias(ctx, alias.Address)
		require.ErrorIs(t, err, usermgmt.ErrNotFound, "alias")
		n, err := s.GetNumber(ctx, num.E164)
		require.NoError(t, err, "the number stays with the account")
		assert.Empty(t, n.UserID, "its assignment is removed")
		mine, err := s.ListNumbers(ctx, usermgmt.NumberFilter{AccountID: f.ID, UserID: u.ID})
		require.NoError(t, err)
		assert.Empty(t, mine)

		// Another user's records are untouched.
		_, err = s.GetPassword(ctx, keep.ID)
		require.NoError(t, err)
		_, err = s.GetSessionByHash(ctx, keepSession.Hash)
		require.NoError(t, err)
		_, err = s.GetToken(ctx, keepToken.ID)
		require.NoError(t, err)
		_, err = s.GetAlias(ctx, keepAlias.Address)
		require.NoError(t, err)
		kn, err := s.GetNumber(ctx, keepNum.E164)
		require.NoError(t, err)
		assert.Equal(t, keep.ID, kn.UserID)

		// The alias address is free again.
		again := usermgmt.Alias{Address: alias.Address, UserID: keep.ID, AccountID: f.ID, CreatedAt: epoch()}
		require.NoError(t, s.CreateAlias(ctx, &again), "the alias address is free")
	})

	// CountUsers

	parallel(t, "CountUsers/ByStatusAndLevel", func(t *testing.T) {
		f := r.fixture(t, s, 20)
		mk := func(st usermgmt.Status, lvl usermgmt.ServiceLevel) usermgmt.User {
			return f.user(func(u *usermgmt.User) { u.Status, u.ServiceLevel = st, lvl })
		}
		mk(usermgmt.StatusPending, usermgmt.LevelArchive)
		mk(usermgmt.StatusActive, usermgmt.LevelArchive)
		mk(usermgmt.StatusActive, usermgmt.LevelPro)
		sus := mk(usermgmt.StatusActive, usermgmt.LevelArchive)
		mk(usermgmt.StatusDisabled, usermgmt.LevelPro)
		gone := mk(usermgmt.StatusActive, usermgmt.LevelPro)
		require.NoError(t, s.DeleteUser(ctx, gone.ID, at(time.Hour)))
		sus.Status, sus.ServiceLevel = usermgmt.StatusSuspended, usermgmt.LevelPro
		require.NoError(t, s.UpdateUser(ctx, &sus))

		c, err := s.CountUsers(ctx, f.ID)
		require.NoError(t, err)
		assert.Equal(t, 5, c.Total, "live users")
		assert.Equal(t, 20, c.SeatLimit)
		for st, n := range map[usermgmt.Status]int{
			usermgmt.StatusPending: 1, usermgmt.StatusActive: 2, usermgmt.StatusSuspended: 1,
			usermgmt.StatusDisabled: 1, usermgmt.StatusDeleted: 0,
		} {
			assert.Equal(t, n, c.ByStatus[st], "status %s", st)
		}
		for lvl, n := range map[usermgmt.ServiceLevel]int{usermgmt.LevelArchive: 2, usermgmt.LevelPro: 3} {
			assert.Equal(t, n, c.ByLevel[lvl], "level %s", lvl)
		}
		assert.Equal(t, f.getAccount().SeatsUsed, c.Total, "Total is the seats used")

		empty := r.fixture(t, s, 0)
		c, err = s.CountUsers(ctx, empty.ID)
		require.NoError(t, err)
		assert.Zero(t, c.Total)
		for _, n := range c.ByStatus {
			assert.Zero(t, n)
		}
	})
}
