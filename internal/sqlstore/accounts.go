package sqlstore

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rosterkit/roster/usermgmt"
)

const accountCols = `id, name, owner_id, root_group_id, seat_limit, seats_used, two_factor,
	contact, user_defaults, settings, created_at, updated_at, version`

func scanAccount(scan func(...any) error) (usermgmt.Account, error) {
	var a usermgmt.Account
	err := scan(&a.ID, &a.Name, &a.OwnerID, &a.RootGroupID, &a.SeatLimit, &a.SeatsUsed, &a.TwoFactor,
		jsonCol{&a.Contact}, jsonCol{&a.Defaults}, jsonCol{&a.Settings},
		timeCol{&a.CreatedAt}, timeCol{&a.UpdatedAt}, &a.Version)
	return a, err
}

// CreateAccount implements usermgmt.Tx.
func (o *ops) CreateAccount(ctx context.Context, a *usermgmt.Account) error {
	if err := o.start(ctx); err != nil {
		return err
	}
	if a == nil {
		return required("account")
	}
	if a.ID == "" {
		return required("id")
	}
	n, err := o.affected(ctx, "create account", `INSERT INTO {p}accounts (`+accountCols+`)
		VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT DO NOTHING`,
		a.ID, a.Name, a.OwnerID, a.RootGroupID, a.SeatLimit, a.TwoFactor,
		jsonText(a.Contact), jsonText(a.Defaults), jsonText(a.Settings),
		o.s.at(a.CreatedAt), o.s.at(a.UpdatedAt))
	if err != nil {
		return err
	}
	if n == 0 {
		return conflict("id")
	}
	a.Version = 1
	return nil
}

// GetAccount implements usermgmt.Tx.
func (o *ops) GetAccount(ctx context.Context, id string) (usermgmt.Account, error) {
	if err := o.start(ctx); err != nil {
		return usermgmt.Account{}, err
	}
	var out []usermgmt.Account
	err := o.list(ctx, "get account", `SELECT `+accountCols+` FROM {p}accounts WHERE id = ?`, []any{id},
		func(r rowScanner) error {
			a, err := scanAccount(r.Scan)
			out = append(out, a)
			return err
		})
	if err != nil {
		return usermgmt.Account{}, err
	}
	if len(out) == 0 {
		return usermgmt.Account{}, o.notFound("account")
	}
	return out[0], nil
}

// UpdateAccount implements usermgmt.Tx.
func (o *ops) UpdateAccount(ctx context.Context, a *usermgmt.Account) error {
	if err := o.start(ctx); err != nil {
		return err
	}
	if a == nil {
		return required("account")
	}
	n, err := o.affected(ctx, "update account", `UPDATE {p}accounts SET name = ?, owner_id = ?,
		root_group_id = ?, seat_limit = ?, two_factor = ?, contact = ?, user_defaults = ?, settings = ?,
		updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`,
		a.Name, a.OwnerID, a.RootGroupID, a.SeatLimit, a.TwoFactor,
		jsonText(a.Contact), jsonText(a.Defaults), jsonText(a.Settings),
		o.s.at(a.UpdatedAt), a.ID, a.Version)
	if err != nil {
		return err
	}
	if n == 0 {
		ok, err := o.exists(ctx, "update account", `SELECT 1 FROM {p}accounts WHERE id = ?`, a.ID)
		switch {
		case err != nil:
			return err
		case !ok:
			return o.notFound("account")
		}
		return conflict("version")
	}
	a.Version++
	return nil
}

// lockAccount takes the account's row lock (PostgreSQL) so that changes
// to its tree and tallies run one at a time; ErrNotFound if missing.
func (o *ops) lockAccount(ctx context.Context, op, id string) error {
	lock := o.s.noKeyUpdate()
	ok, err := o.exists(ctx, op, `SELECT 1 FROM {p}accounts WHERE id = ?`+lock, id)
	switch {
	case err != nil:
		return err
	case !ok:
		return o.notFound("account")
	}
	return nil
}

const groupCols = `id, account_id, parent_id, name, path, created_at, updated_at`

func scanGroup(scan func(...any) error) (usermgmt.Group, error) {
	var g usermgmt.Group
	err := scan(&g.ID, &g.AccountID, textCol{&g.ParentID}, &g.Name, &g.Path, timeCol{&g.CreatedAt}, timeCol{&g.UpdatedAt})
	return g, err
}

// pathEnd returns the smallest string greater than every string that
// starts with path, which ends with "/": "/a/b/" gives "/a/b0".
func pathEnd(path string) string { return path[:len(path)-1] + "0" }

// CreateGroup implements usermgmt.Tx.
func (o *ops) CreateGroup(ctx context.Context, g *usermgmt.Group) error {
	if err := o.start(ctx); err != nil {
		return err
	}
	if g == nil {
		return required("group")
	}
	switch {
	case g.ID == "":
		return required("id")
	case strings.Contains(g.ID, "/"):
		return invalid("id", "must not contain a slash")
	}
	return o.atomic(ctx, func(o *ops) error {
		if err := o.lockAccount(ctx, "create group", g.AccountID); err != nil {
			return err
		}
		path := "/" + g.ID + "/"
		if g.ParentID != "" {
			var parent string
			ok, err := o.row(ctx, "create group", false, `SELECT path FROM {p}groups WHERE id = ? AND account_id = ?`,
				[]any{g.ParentID, g.AccountID}, &parent)
			switch {
			case err != nil:
				return err
			case !ok:
				return o.notFound("parent group")
			}
			path = parent + g.ID + "/"
		}
		n, err := o.affected(ctx, "create group", `INSERT INTO {p}groups (`+groupCols+`)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			g.ID, g.AccountID, null(g.ParentID), g.Name, path, o.s.at(g.CreatedAt), o.s.at(g.UpdatedAt))
		if err != nil {
			return err
		}
		if n == 0 {
			return conflict("id")
		}
		g.Path = path
		return nil
	})
}

// GetGroup implements usermgmt.Tx.
func (o *ops) GetGroup(ctx context.Context, id string) (usermgmt.Group, error) {
	if err := o.start(ctx); err != nil {
		return usermgmt.Group{}, err
	}
	var out []usermgmt.Group
	err := o.list(ctx, "get group", `SELECT `+groupCols+` FROM {p}groups WHERE id = ?`, []any{id}, func(r rowScanner) error {
		g, err := scanGroup(r.Scan)
		out = append(out, g)
		return err
	})
	if err != nil {
		return usermgmt.Group{}, err
	}
	if len(out) == 0 {
		return usermgmt.Group{}, o.notFound("group")
	}
	return out[0], nil
}

// ListGroups implements usermgmt.Tx.
func (o *ops) ListGroups(ctx context.Context, accountID string) ([]usermgmt.Group, error) {
	if err := o.start(ctx); err != nil {
		return nil, err
	}
	out := []usermgmt.Group{}
	err := o.list(ctx, "list groups", `SELECT `+groupCols+` FROM {p}groups WHERE account_id = ? ORDER BY path, id`,
		[]any{accountID}, func(r rowScanner) error {
			g, err := scanGroup(r.Scan)
			out = append(out, g)
			return err
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RenameGroup implements usermgmt.Tx.
func (o *ops) RenameGroup(ctx context.Context, id, name string, at time.Time) error {
	if err := o.start(ctx); err != nil {
		return err
	}
	n, err := o.affected(ctx, "rename group", `UPDATE {p}groups SET name = ?, updated_at = ? WHERE id = ?`,
		name, o.s.at(at), id)
	if err != nil {
		return err
	}
	if n == 0 {
		return o.notFound("group")
	}
	return nil
}

// groupInfo reads what tree changes need of a group.
func (o *ops) groupInfo(ctx context.Context, op, id string) (accountID, parentID, path string, ok bool, err error) {
	ok, err = o.row(ctx, op, false, `SELECT account_id, parent_id, path FROM {p}groups WHERE id = ?`,
		[]any{id}, &accountID, textCol{&parentID}, &path)
	return accountID, parentID, path, ok, err
}

// MoveGroup implements usermgmt.Tx.
func (o *ops) MoveGroup(ctx context.Context, id, parentID string, at time.Time) error {
	if err := o.start(ctx); err != nil {
		return err
	}
	const op = "move group"
	return o.atomic(ctx, func(o *ops) error {
		account, _, _, ok, err := o.groupInfo(ctx, op, id)
		switch {
		case err != nil:
			return err
		case !ok:
			return o.notFound("group")
		}
		if err := o.lockAccount(ctx, op, account); err != nil {
			return err
		}
		// Read again under the lock: a concurrent move may have changed it.
		_, oldParent, oldPath, ok, err := o.groupInfo(ctx, op, id)
		switch {
		case err != nil:
			return err
		case !ok:
			return o.notFound("group")
		}
		var parentPath string
		ok, err = o.row(ctx, op, false, `SELECT path FROM {p}groups WHERE id = ? AND account_id = ?`,
			[]any{parentID, account}, &parentPath)
		switch {
		case err != nil:
			return err
		case !ok:
			return o.notFound("parent group")
		case oldParent == "" || strings.HasPrefix(parentPath, oldPath):
			return conflict("group")
		}
		newPath := parentPath + id + "/"
		if _, err := o.exec(ctx, op, `UPDATE {p}groups SET path = ? || substr(path, ?)
			WHERE account_id = ? AND path >= ? AND path < ?`,
			newPath, utf8.RuneCountInString(oldPath)+1, account, oldPath, pathEnd(oldPath)); err != nil {
			return err
		}
		_, err = o.exec(ctx, op, `UPDATE {p}groups SET parent_id = ?, updated_at = ? WHERE id = ?`,
			parentID, o.s.at(at), id)
		return err
	})
}

// DeleteGroup implements usermgmt.Tx.
func (o *ops) DeleteGroup(ctx context.Context, id string) error {
	if err := o.start(ctx); err != nil {
		return err
	}
	const op = "delete group"
	return o.atomic(ctx, func(o *ops) error {
		account, _, _, ok, err := o.groupInfo(ctx, op, id)
		switch {
		case err != nil:
			return err
		case !ok:
			return o.notFound("group")
		}
		if err := o.lockAccount(ctx, op, account); err != nil {
			return err
		}
		var parent string
		ok, err = o.row(ctx, op, false, `SELECT parent_id FROM {p}groups WHERE id = ?`+o.s.lock(),
			[]any{id}, textCol{&parent})
		switch {
		case err != nil:
			return err
		case !ok:
			return o.notFound("group")
		case parent == "":
			return conflict("group")
		}
		busy, err := o.exists(ctx, op, `SELECT 1 FROM {p}groups WHERE parent_id = ?
			UNION ALL SELECT 1 FROM {p}users WHERE group_id = ? AND username_key IS NOT NULL LIMIT 1`, id, id)
		switch {
		case err != nil:
			return err
		case busy:
			return conflict("group")
		}
		if _, err := o.exec(ctx, op, `DELETE FROM {p}grants WHERE scope_group_id = ?`, id); err != nil {
			return err
		}
		_, err = o.exec(ctx, op, `DELETE FROM {p}groups WHERE id = ?`, id)
		return err
	})
}
