package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
)

// Concurrent cases: each races calls whose every serial order leaves the
// store consistent, and checks that the store is consistent afterwards.
// They run several rounds, since a race is not lost every time.

const rounds = 16

// requireTree checks that every group of f's account has the path its
// parent gives it, and that no group is its own ancestor.
func requireTree(t *testing.T, s usermgmt.Tx, accountID string) {
	t.Helper()
	groups, err := s.ListGroups(context.Background(), accountID)
	require.NoError(t, err)
	byID := map[string]usermgmt.Group{}
	for _, g := range groups {
		byID[g.ID] = g
	}
	for _, g := range groups {
		if g.ParentID == "" {
			assert.Equal(t, "/"+g.ID+"/", g.Path, "root %s", g.ID)
			continue
		}
		p, ok := byID[g.ParentID]
		if !assert.True(t, ok, "the parent of %s exists", g.ID) {
			continue
		}
		assert.Equal(t, p.Path+g.ID+"/", g.Path, "the path of %s follows its parent's", g.ID)
		assert.Equal(t, 1, strings.Count(g.Path, "/"+g.ID+"/"), "%s is not its own ancestor", g.ID)
	}
}

func testGroupsConcurrent(t *testing.T, r *runner, s usermgmt.Store) {
	ctx := context.Background()

	parallel(t, "MoveGroup/ConcurrentNoCycle", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		for round := range rounds {
			a, b := f.group(f.Child.ID), f.group(f.Child.ID)
			errs := race(2, func(i int) error {
				if i == 0 {
					return s.MoveGroup(ctx, a.ID, b.ID, at(time.Hour))
				}
				return s.MoveGroup(ctx, b.ID, a.ID, at(time.Hour))
			})
			ok, conflicts := tally(t, errs, usermgmt.ErrConflict)
			require.Equal(t, 1, ok, "round %d: exactly one of two crossed moves wins", round)
			require.Equal(t, 1, conflicts, "round %d: the other would make a cycle", round)
			requireTree(t, s, f.ID)
		}
	})
	parallel(t, "DeleteGroup/ConcurrentWithCreateUser", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		for round := range rounds {
			g := f.group(f.Child.ID)
			u := f.newUser(func(u *usermgmt.User) { u.GroupID = g.ID })
			errs := race(2, func(i int) error {
				if i == 0 {
					return s.DeleteGroup(ctx, g.ID)
				}
				return s.CreateUser(ctx, &u)
			})
			deleteErr, createErr := errs[0], errs[1]
			switch {
			case deleteErr == nil:
				_, err := s.GetUser(ctx, u.ID)
				assert.ErrorIs(t, err, usermgmt.ErrNotFound, "round %d: no live user is left in a deleted group", round)
				require.ErrorIs(t, createErr, usermgmt.ErrNotFound,
					"round %d: DeleteGroup succeeded, so CreateUser in that group must fail", round)
			case createErr == nil:
				requireConflict(t, deleteErr, "group")
				_, err := s.GetGroup(ctx, g.ID)
				require.NoError(t, err, "round %d: a group with a user stays", round)
			default:
				t.Fatalf("round %d: both failed: %v; %v", round, deleteErr, createErr)
			}
		}
	})
	parallel(t, "DeleteGroup/ConcurrentWithCreateGroup", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		for round := range rounds {
			g := f.group(f.Child.ID)
			sub := usermgmt.Group{ID: f.next("sub"), AccountID: f.ID, ParentID: g.ID, Name: "Sub", CreatedAt: epoch(), UpdatedAt: epoch()}
			errs := race(2, func(i int) error {
				if i == 0 {
					return s.DeleteGroup(ctx, g.ID)
				}
				return s.CreateGroup(ctx, &sub)
			})
			require.True(t, (errs[0] == nil) != (errs[1] == nil), "round %d: exactly one wins: %v; %v", round, errs[0], errs[1])
			requireTree(t, s, f.ID)
		}
	})
}

func testUsersConcurrent(t *testing.T, r *runner, s usermgmt.Store) {
	ctx := context.Background()

	parallel(t, "DeleteUser/ConcurrentOnce", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		for round := range rounds {
			u := f.user()
			errs := race(4, func(int) error { return s.DeleteUser(ctx, u.ID, at(time.Hour)) })
			ok, missing := tally(t, errs, usermgmt.ErrNotFound)
			require.Equal(t, 1, ok, "round %d: exactly one deletion", round)
			require.Equal(t, 3, missing, "round %d", round)
		}
		assert.Zero(t, f.getAccount().SeatsUsed, "each seat is freed once")
		c, err := s.CountUsers(ctx, f.ID)
		require.NoError(t, err)
		assert.Zero(t, c.Total)
	})
	parallel(t, "DeleteUser/ConcurrentWithWrites", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		admin := f.user()
		for round := range rounds {
			u := f.user()
			num := f.number()
			writes := []func() error{
				func() error { return s.DeleteUser(ctx, u.ID, at(time.Hour)) },
				func() error { return s.SetPassword(ctx, u.ID, phcHash, at(0)) },
				func() error {
					ses := usermgmt.Session{ID: u.ID + "-ses", Kind: usermgmt.SessionLogin, Hash: u.ID + "-hash",
						UserID: u.ID, AccountID: f.ID, CreatedAt: epoch(), LastSeen: epoch(), ExpiresAt: at(time.Hour)}
					return s.CreateSession(ctx, &ses)
				},
				func() error {
					a := usermgmt.Alias{Address: u.ID + "@alias.example.com", UserID: u.ID, AccountID: f.ID, CreatedAt: epoch()}
					return s.CreateAlias(ctx, &a)
				},
				func() error { return s.AssignNumber(ctx, num.E164, u.ID) },
				func() error {
					g := usermgmt.Grant{ID: u.ID + "-held", AccountID: f.ID, UserID: u.ID, Scope: usermgmt.Scope{GroupID: f.Root.ID},
						Permissions: []usermgmt.Permission{usermgmt.PermUsers}, CreatedAt: epoch()}
					return s.CreateGrant(ctx, &g)
				},
				func() error {
					g := usermgmt.Grant{ID: u.ID + "-on", AccountID: f.ID, UserID: admin.ID, Scope: usermgmt.Scope{UserID: u.ID},
						Permissions: []usermgmt.Permission{usermgmt.PermUsers}, CreatedAt: epoch()}
					return s.CreateGrant(ctx, &g)
				},
			}
			errs := race(len(writes), func(i int) error { return writes[i]() })
			require.NoError(t, errs[0], "round %d: the deletion", round)
			for i, err := range errs[1:] {
				if err != nil {
					require.ErrorIs(t, err, usermgmt.ErrNotFound, "round %d: write %d refused only because the user is gone", round, i+1)
				}
			}
			// Whatever the order, nothing of the user outlives it.
			_, err := s.GetPassword(ctx, u.ID)
			assert.ErrorIs(t, err, usermgmt.ErrNotFound, "round %d: password", round)
			sessions, err := s.ListSessions(ctx, u.ID, "")
			require.NoError(t, err)
			assert.Empty(t, sessions, "round %d: sessions", round)
			aliases, err := s.ListAliases(ctx, u.ID)
			require.NoError(t, err)
			assert.Empty(t, aliases, "round %d: aliases", round)
			n, err := s.GetNumber(ctx, num.E164)
			require.NoError(t, err)
			assert.Empty(t, n.UserID, "round %d: number assignment", round)
			held, err := s.ListGrants(ctx, u.ID)
			require.NoError(t, err)
			assert.Empty(t, held, "round %d: grants held", round)
			_, err = s.GetGrant(ctx, u.ID+"-on")
			assert.ErrorIs(t, err, usermgmt.ErrNotFound, "round %d: grant scoped to the user", round)
		}
	})
	parallel(t, "UpdateUser/ConcurrentSameEmail", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		for round := range rounds {
			users := []usermgmt.User{f.user(), f.user(), f.user()}
			email := fmt.Sprintf("Shared%d@%s.example.com", round, f.ID)
			errs := race(len(users), func(i int) error {
				u := users[i]
				u.Email = email
				if i == 1 {
					u.Email = strings.ToUpper(email)
				}
				return s.UpdateUser(ctx, &u)
			})
			ok, conflicts := tally(t, errs, usermgmt.ErrConflict)
			require.Equal(t, 1, ok, "round %d: exactly one takes the address", round)
			require.Equal(t, 2, conflicts, "round %d", round)
			for _, err := range errs {
				if err != nil {
					requireConflict(t, err, "email")
				}
			}
		}
	})
	parallel(t, "UpdateUser/ConcurrentWithDelete", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		for round := range rounds {
			u := f.user()
			errs := race(2, func(i int) error {
				if i == 0 {
					return s.DeleteUser(ctx, u.ID, at(time.Hour))
				}
				c := u
				c.FirstName = "Revived"
				return s.UpdateUser(ctx, &c)
			})
			require.NoError(t, errs[0], "round %d: the deletion", round)
			if errs[1] != nil {
				require.ErrorIs(t, errs[1], usermgmt.ErrNotFound, "round %d", round)
			}
			tomb := f.getUser(u.ID)
			assert.Equal(t, usermgmt.StatusDeleted, tomb.Status, "round %d: the user stays deleted", round)
			assert.Empty(t, tomb.FirstName, "round %d: the tombstone stays empty", round)
			_, err := s.GetUserByEmail(ctx, u.Email)
			assert.ErrorIs(t, err, usermgmt.ErrNotFound, "round %d: its e-mail is free", round)
		}
		assert.Zero(t, f.getAccount().SeatsUsed)
	})
}

// concurrentUnique races n creations of one identifier and checks that
// exactly one wins and the others conflict on field.
func concurrentUnique(t *testing.T, n int, field string, create func(i int) error) {
	t.Helper()
	errs := race(n, create)
	ok, conflicts := tally(t, errs, usermgmt.ErrConflict)
	require.Equal(t, 1, ok, "exactly one creation wins")
	require.Equal(t, n-1, conflicts)
	for _, err := range errs {
		var ce *usermgmt.ConflictError
		if err != nil && errors.As(err, &ce) {
			assert.Equal(t, field, ce.Field)
		}
	}
}

func testAliasesConcurrent(t *testing.T, r *runner, s usermgmt.Store) {
	ctx := context.Background()
	parallel(t, "CreateAlias/ConcurrentSameAddress", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		users := []usermgmt.User{f.user(), f.user(), f.user(), f.user()}
		for round := range rounds {
			addr := fmt.Sprintf("race%d.%s@alias.example.com", round, f.ID)
			concurrentUnique(t, len(users), "alias", func(i int) error {
				a := usermgmt.Alias{Address: addr, UserID: users[i].ID, AccountID: f.ID, CreatedAt: epoch()}
				if i%2 == 1 {
					a.Address = strings.ToUpper(addr)
				}
				return s.CreateAlias(ctx, &a)
			})
		}
	})
}

func testNumbersConcurrent(t *testing.T, r *runner, s usermgmt.Store) {
	ctx := context.Background()
	parallel(t, "CreateNumber/ConcurrentSameNumber", func(t *testing.T) {
		f := r.fixture(t, s, 0)
		other := r.fixture(t, s, 0)
		for round := range rounds {
			e164 := f.phone(700 + round)
			concurrentUnique(t, 4, "number", func(i int) error {
				acct := f.ID
				if i%2 == 1 {
					acct = other.ID
				}
				n := usermgmt.Number{E164: e164, AccountID: acct, CreatedAt: epoch()}
				return s.CreateNumber(ctx, &n)
			})
		}
	})
}
