package sqlstore

import (
	"context"

	"github.com/rosterkit/roster/usermgmt"
)

// liveIn checks, under a key-share lock on PostgreSQL (so that the user
// cannot be deleted before the caller's write commits), that id is a live
// user of an account.
func (o *ops) liveIn(ctx context.Context, op, id, accountID string) (bool, error) {
	lock := o.s.keyShare()
	return o.exists(ctx, op, `SELECT 1 FROM {p}users WHERE id = ? AND account_id = ?
		AND username_key IS NOT NULL`+lock, id, accountID)
}

const grantCols = `id, account_id, user_id, scope_group_id, scope_user_id, permissions, created_by, created_at`

func scanGrant(scan func(...any) error) (usermgmt.Grant, error) {
	var g usermgmt.Grant
	err := scan(&g.ID, &g.AccountID, &g.UserID, textCol{&g.Scope.GroupID}, textCol{&g.Scope.UserID},
		jsonCol{&g.Permissions}, &g.CreatedBy, timeCol{&g.CreatedAt})
	return g, err
}

// CreateGrant implements usermgmt.Tx.
func (o *ops) CreateGrant(ctx context.Context, g *usermgmt.Grant) error {
	if err := o.start(ctx); err != nil {
		return err
	}
	if g == nil {
		return required("grant")
	}
	switch {
	case g.ID == "":
		return required("id")
	case (g.Scope.GroupID == "") == (g.Scope.UserID == ""):
		return invalid("scope", "must name exactly one group or one user")
	}
	const op = "create grant"
	return o.atomic(ctx, func(o *ops) error {
		taken, err := o.exists(ctx, op, `SELECT 1 FROM {p}grants WHERE id = ?`, g.ID)
		switch {
		case err != nil:
			return err
		case taken:
			return conflict("id")
		}
		ok, err := o.liveIn(ctx, op, g.UserID, g.AccountID)
		switch {
		case err != nil:
			return err
		case !ok:
			return o.notFound("holder")
		}
		if g.Scope.GroupID != "" {
			lock := o.s.keyShare()
			ok, err = o.exists(ctx, op, `SELECT 1 FROM {p}groups WHERE id = ? AND account_id = ?`+lock,
				g.Scope.GroupID, g.AccountID)
			switch {
			case err != nil:
				return err
			case !ok:
				return o.notFound("scope group")
			}
		} else {
			ok, err = o.liveIn(ctx, op, g.Scope.UserID, g.AccountID)
			switch {
			case err != nil:
				return err
			case !ok:
				return o.notFound("scope user")
			}
		}
		n, err := o.affected(ctx, op, `INSERT INTO {p}grants (`+grantCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, g.ID, g.AccountID, g.UserID, null(g.Scope.GroupID), null(g.Scope.UserID),
			jsonText(g.Permissions), g.CreatedBy, o.s.at(g.CreatedAt))
		if err != nil {
			return err
		}
		if n == 0 {
			return conflict("id")
		}
		return nil
	})
}

// listGrants returns the grants a condition selects, oldest first.
func (o *ops) listGrants(ctx context.Context, op, cond, arg string) ([]usermgmt.Grant, error) {
	out := []usermgmt.Grant{}
	err := o.list(ctx, op, `SELECT `+grantCols+` FROM {p}grants WHERE `+cond+` ORDER BY created_at, id`,
		[]any{arg}, func(r rowScanner) error {
			g, err := scanGrant(r.Scan)
			out = append(out, g)
			return err
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetGrant implements usermgmt.Tx.
func (o *ops) GetGrant(ctx context.Context, id string) (usermgmt.Grant, error) {
	if err := o.start(ctx); err != nil {
		return usermgmt.Grant{}, err
	}
	out, err := o.listGrants(ctx, "get grant", "id = ?", id)
	switch {
	case err != nil:
		return usermgmt.Grant{}, err
	case len(out) == 0:
		return usermgmt.Grant{}, o.notFound("grant")
	}
	return out[0], nil
}

// DeleteGrant implements usermgmt.Tx.
func (o *ops) DeleteGrant(ctx context.Context, id string) error {
	if err := o.start(ctx); err != nil {
		return err
	}
	return o.deleteOne(ctx, "delete grant", "grant", `DELETE FROM {p}grants WHERE id = ?`, id)
}

// deleteOne runs a DELETE of one row; ErrNotFound when it removed none.
func (o *ops) deleteOne(ctx context.Context, op, what, query string, args ...any) error {
	n, err := o.affected(ctx, op, query, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		return o.notFound(what)
	}
	return nil
}

// ListGrants implements usermgmt.Tx.
func (o *ops) ListGrants(ctx context.Context, userID string) ([]usermgmt.Grant, error) {
	if err := o.start(ctx); err != nil {
		return nil, err
	}
	return o.listGrants(ctx, "list grants", "user_id = ?", userID)
}

// ListAccountGrants implements usermgmt.Tx.
func (o *ops) ListAccountGrants(ctx context.Context, accountID string) ([]usermgmt.Grant, error) {
	if err := o.start(ctx); err != nil {
		return nil, err
	}
	return o.listGrants(ctx, "list account grants", "account_id = ?", accountID)
}

const numberCols = `e164, account_id, user_id, label, created_at`

func scanNumber(scan func(...any) error) (usermgmt.Number, error) {
	var n usermgmt.Number
	err := scan(&n.E164, &n.AccountID, textCol{&n.UserID}, &n.Label, timeCol{&n.CreatedAt})
	return n, err
}

// CreateNumber implements usermgmt.Tx.
func (o *ops) CreateNumber(ctx context.Context, n *usermgmt.Number) error {
	if err := o.start(ctx); err != nil {
		return err
	}
	if n == nil {
		return required("number")
	}
	if n.E164 == "" {
		return required("number")
	}
	const op = "create number"
	return o.atomic(ctx, func(o *ops) error {
		taken, err := o.exists(ctx, op, `SELECT 1 FROM {p}numbers WHERE e164 = ?`, n.E164)
		switch {
		case err != nil:
			return err
		case taken:
			return conflict("number")
		}
		ok, err := o.exists(ctx, op, `SELECT 1 FROM {p}accounts WHERE id = ?`, n.AccountID)
		switch {
		case err != nil:
			return err
		case !ok:
			return o.notFound("account")
		}
		if n.UserID != "" {
			ok, err := o.liveIn(ctx, op, n.UserID, n.AccountID)
			switch {
			case err != nil:
				return err
			case !ok:
				return o.notFound("user")
			}
		}
		c, err := o.affected(ctx, op, `INSERT INTO {p}numbers (`+numberCols+`) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, n.E164, n.AccountID, null(n.UserID), n.Label, o.s.at(n.CreatedAt))
		if err != nil {
			return err
		}
		if c == 0 {
			return conflict("number")
		}
		return nil
	})
}

// listNumbers returns the numbers a condition selects, ordered by E164.
func (o *ops) listNumbers(ctx context.Context, op, cond string, args ...any) ([]usermgmt.Number, error) {
	out := []usermgmt.Number{}
	err := o.list(ctx, op, `SELECT `+numberCols+` FROM {p}numbers WHERE `+cond+` ORDER BY e164`, args,
		func(r rowScanner) error {
			n, err := scanNumber(r.Scan)
			out = append(out, n)
			return err
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetNumber implements usermgmt.Tx.
func (o *ops) GetNumber(ctx context.Context, e164 string) (usermgmt.Number, error) {
	if err := o.start(ctx); err != nil {
		return usermgmt.Number{}, err
	}
	out, err := o.listNumbers(ctx, "get number", "e164 = ?", e164)
	switch {
	case err != nil:
		return usermgmt.Number{}, err
	case len(out) == 0:
		return usermgmt.Number{}, o.notFound("number")
	}
	return out[0], nil
}

// AssignNumber implements usermgmt.Tx.
func (o *ops) AssignNumber(ctx context.Context, e164, userID string) error {
	if err := o.start(ctx); err != nil {
		return err
	}
	const op = "assign number"
	return o.atomic(ctx, func(o *ops) error {
		var account string
		ok, err := o.row(ctx, op, false, `SELECT account_id FROM {p}numbers WHERE e164 = ?`+o.s.lock(),
			[]any{e164}, &account)
		switch {
		case err != nil:
			return err
		case !ok:
			return o.notFound("number")
		}
		if userID != "" {
			ok, err := o.liveIn(ctx, op, userID, account)
			switch {
			case err != nil:
				return err
			case !ok:
				return o.notFound("user")
			}
		}
		_, err = o.exec(ctx, op, `UPDATE {p}numbers SET user_id = ? WHERE e164 = ?`, null(userID), e164)
		return err
	})
}

// DeleteNumber implements usermgmt.Tx.
func (o *ops) DeleteNumber(ctx context.Context, e164 string) error {
	if err := o.start(ctx); err != nil {
		return err
	}
	return o.deleteOne(ctx, "delete number", "number", `DELETE FROM {p}numbers WHERE e164 = ?`, e164)
}

// ListNumbers implements usermgmt.Tx.
func (o *ops) ListNumbers(ctx context.Context, f usermgmt.NumberFilter) ([]usermgmt.Number, error) {
	if err := o.start(ctx); err != nil {
		return nil, err
	}
	if f.UserID != "" {
		return o.listNumbers(ctx, "list numbers", "account_id = ? AND user_id = ?", f.AccountID, f.UserID)
	}
	return o.listNumbers(ctx, "list numbers", "account_id = ?", f.AccountID)
}

const aliasCols = `address, user_id, account_id, created_at`

func scanAlias(scan func(...any) error) (usermgmt.Alias, error) {
	var a usermgmt.Alias
	err := scan(&a.Address, &a.UserID, &a.AccountID, timeCol{&a.CreatedAt})
	return a, err
}

// CreateAlias implements usermgmt.Tx.
func (o *ops) CreateAlias(ctx context.Context, a *usermgmt.Alias) error {
	if err := o.start(ctx); err != nil {
		return err
	}
	if a == nil {
		return required("alias")
	}
	key := usermgmt.EmailKey(a.Address)
	if key == "" {
		return required("address")
	}
	const op = "create alias"
	return o.atomic(ctx, func(o *ops) error {
		ok, err := o.liveIn(ctx, op, a.UserID, a.AccountID)
		switch {
		case err != nil:
			return err
		case !ok:
			return o.notFound("user")
		}
		n, err := o.affected(ctx, op, `INSERT INTO {p}aliases (address_key, `+aliasCols+`) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, key, a.Address, a.UserID, a.AccountID, o.s.at(a.CreatedAt))
		if err != nil {
			return err
		}
		if n == 0 {
			return conflict("alias")
		}
		return nil
	})
}

// listAliases returns the aliases a condition selects, ordered by address.
func (o *ops) listAliases(ctx context.Context, op, cond, arg string) ([]usermgmt.Alias, error) {
	out := []usermgmt.Alias{}
	err := o.list(ctx, op, `SELECT `+aliasCols+` FROM {p}aliases WHERE `+cond+` ORDER BY address_key, address`,
		[]any{arg}, func(r rowScanner) error {
			a, err := scanAlias(r.Scan)
			out = append(out, a)
			return err
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetAlias implements usermgmt.Tx.
func (o *ops) GetAlias(ctx context.Context, address string) (usermgmt.Alias, error) {
	if err := o.start(ctx); err != nil {
		return usermgmt.Alias{}, err
	}
	out, err := o.listAliases(ctx, "get alias", "address_key = ?", usermgmt.EmailKey(address))
	switch {
	case err != nil:
		return usermgmt.Alias{}, err
	case len(out) == 0:
		return usermgmt.Alias{}, o.notFound("alias")
	}
	return out[0], nil
}

// DeleteAlias implements usermgmt.Tx.
func (o *ops) DeleteAlias(ctx context.Context, address string) error {
	if err := o.start(ctx); err != nil {
		return err
	}
	return o.deleteOne(ctx, "delete alias", "alias", `DELETE FROM {p}aliases WHERE address_key = ?`,
		usermgmt.EmailKey(address))
}

// ListAliases implements usermgmt.Tx.
func (o *ops) ListAliases(ctx context.Context, userID string) ([]usermgmt.Alias, error) {
	if err := o.start(ctx); err != nil {
		return nil, err
	}
	return o.listAliases(ctx, "list aliases", "user_id = ?", userID)
}
