package usermgmt_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rosterkit/roster/usermgmt"
)

// TestEveryMutationChecksScope walks every exported method of Service.
// Each one is either a read, a host operation (no actor; the host calls
// it on its own authority), a building block that takes an already
// authorized *Actor, or a mutation, which must refuse an out-of-scope
// actor with ErrForbidden. A new method that is in none of the lists
// fails this test, so no mutation can forget its check.
func TestEveryMutationChecksScope(t *testing.T) {
	t.Parallel()
	reads := map[string]bool{
		"GetAccount": true, "GetUser": true, "ListUsers": true, "ListGroups": true, "ListGrants": true,
		"ListNumbers": true, "ListAliases": true, "ListEvents": true, "CountUsers": true, "AddressBook": true,
		"EffectiveSettings": true, "Me": true,
		// UpdateProfile changes the actor itself, never a target.
		"UpdateProfile": true,
	}
	host := map[string]bool{
		"CreateAccount": true, "SetSeatLimit": true, "ResolveAddress": true,
		"Store": true, "Rules": true, "Now": true, "NewID": true, "EffectiveStatus": true,
		"LoadActor": true, "Record": true, "Refuse": true, "PrepareUser": true,
		// InsertUser writes for flows authorized by a token (invite).
		"InsertUser": true,
		// Run and Manage are the authorization building blocks themselves.
		"Run": true, "Manage": true,
		// CreateUserTx takes an *Actor and checks it: covered by TestCreateUserTxChecksScope.
		"CreateUserTx": true,
	}
	w := setup(t)
	ctx := context.Background()
	n, err := w.svc.AddNumber(ctx, w.owner.ID, "+447911000002", "")
	require.NoError(t, err)
	_, err = w.svc.AssignNumber(ctx, w.owner.ID, n.E164, w.endA1.ID)
	require.NoError(t, err)
	al, err := w.svc.AddAlias(ctx, w.owner.ID, w.endA1.ID, "alias@example.org")
	require.NoError(t, err)
	gA, err := w.svc.ListGrants(ctx, w.owner.ID, w.adminA.ID)
	require.NoError(t, err)

	// adminB holds users over B only: every call below aims outside that.
	out := w.adminB.ID
	mutations := map[string]func() error{
		"CreateUser": func() error {
			u := w.person("sneaky")
			u.GroupID = w.a.ID
			_, err := w.svc.CreateUser(ctx, out, usermgmt.NewUser{User: u})
			return err
		},
		"UpdateUser": func() error {
			_, err := w.svc.UpdateUser(ctx, out, w.endA1.ID, usermgmt.UserUpdate{Notes: ptr("x")})
			return err
		},
		"MoveUser": func() error { _, err := w.svc.MoveUser(ctx, out, w.endA1.ID, w.b.ID); return err },
		"Suspend": func() error {
			_, err := w.svc.Suspend(ctx, out, w.endA1.ID, time.Time{})
			return err
		},
		"Unsuspend": func() error { _, err := w.svc.Unsuspend(ctx, out, w.endA1.ID); return err },
		"Disable":   func() error { _, err := w.svc.Disable(ctx, out, w.endA1.ID); return err },
		"Enable":    func() error { _, err := w.svc.Enable(ctx, out, w.endA1.ID); return err },
		"Delete":    func() error { return w.svc.Delete(ctx, out, w.endA1.ID) },
		"CreateGroup": func() error {
			_, err := w.svc.CreateGroup(ctx, out, w.a.ID, "X")
			return err
		},
		"RenameGroup": func() error { _, err := w.svc.RenameGroup(ctx, out, w.a.ID, "X"); return err },
		"MoveGroup":   func() error { _, err := w.svc.MoveGroup(ctx, out, w.a1.ID, w.b.ID); return err },
		"DeleteGroup": func() error {
			return w.svc.DeleteGroup(ctx, out, w.a1.ID, usermgmt.DeleteGroupOptions{MoveToParent: true})
		},
		"Grant": func() error {
			_, err := w.svc.Grant(ctx, out, w.endA1.ID, usermgmt.Scope{GroupID: w.a1.ID}, []usermgmt.Permission{usermgmt.PermUsers})
			return err
		},
		"Revoke": func() error { return w.svc.Revoke(ctx, out, gA[0].ID) },
		"UpdateAccount": func() error {
			_, err := w.svc.UpdateAccount(ctx, out, usermgmt.AccountUpdate{TwoFactor: ptr(false)})
			return err
		},
		"AddNumber":    func() error { _, err := w.svc.AddNumber(ctx, out, "+447911000003", ""); return err },
		"RemoveNumber": func() error { return w.svc.RemoveNumber(ctx, out, n.E164) },
		"AssignNumber": func() error { _, err := w.svc.AssignNumber(ctx, out, n.E164, w.endB.ID); return err },
		"AddAlias": func() error {
			_, err := w.svc.AddAlias(ctx, out, w.endA1.ID, "other@example.org")
			return err
		},
		"RemoveAlias": func() error { return w.svc.RemoveAlias(ctx, out, al.Address) },
	}

	typ := reflect.TypeOf(w.svc)
	for i := range typ.NumMethod() {
		name := typ.Method(i).Name
		if reads[name] || host[name] {
			continue
		}
		call, ok := mutations[name]
		if !assert.True(t, ok, "Service.%s is new: add it to the mutations (or reads/host) of this test", name) {
			continue
		}
		t.Run(name, func(t *testing.T) {
			assert.ErrorIs(t, call(), usermgmt.ErrForbidden)
		})
	}
	// Nothing changed.
	u, err := w.store.GetUser(ctx, w.endA1.ID)
	require.NoError(t, err)
	assert.Equal(t, usermgmt.StatusActive, u.Status)
	assert.Empty(t, u.Notes)
}

func TestCreateUserTxChecksScope(t *testing.T) {
	t.Parallel()
	w := setup(t)
	ctx := context.Background()
	err := w.store.WithTx(ctx, func(tx usermgmt.Tx) error {
		a, err := w.svc.LoadActor(ctx, tx, w.adminB.ID)
		require.NoError(t, err)
		u := w.person("viatx")
		u.GroupID = w.a.ID
		u, err = w.svc.PrepareUser(a, usermgmt.NewUser{User: u})
		require.NoError(t, err)
		_, err = w.svc.CreateUserTx(ctx, tx, a, u, "")
		return err
	})
	assert.ErrorIs(t, err, usermgmt.ErrForbidden)
}
