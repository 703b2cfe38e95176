package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/rosterkit/roster/usermgmt"
)

const userCols = `id, account_id, group_id, kind, type, status, suspended_until, username,
	first_name, last_name, email, mobile_phone, business_phone, company, customer_code, udid,
	time_zone, language, country, friendly_name, notes, service_level, services, default_number,
	address_book, settings, last_login_at, created_at, updated_at, deleted_at, version`

func scanUser(scan func(...any) error) (usermgmt.User, error) {
	var u usermgmt.User
	err := scan(&u.ID, &u.AccountID, &u.GroupID, &u.Kind, &u.Type, &u.Status, timeCol{&u.SuspendedUntil},
		&u.Username, &u.FirstName, &u.LastName, &u.Email, textCol{&u.MobilePhone}, &u.BusinessPhone,
		&u.Company, textCol{&u.CustomerCode}, &u.UDID, &u.TimeZone, &u.Language, &u.Country,
		&u.FriendlyName, &u.Notes, &u.ServiceLevel, jsonCol{&u.Services}, &u.DefaultNumber,
		&u.AddressBook, jsonCol{&u.Settings}, timeCol{&u.LastLoginAt}, timeCol{&u.CreatedAt},
		timeCol{&u.UpdatedAt}, timeCol{&u.DeletedAt}, &u.Version)
	return u, err
}

// searchSep separates the fields of the search column, so that a query
// never matches across two of them.
const searchSep = "\x1f"

// searchText is what UserFilter.Query is matched against: the lower-cased
// first name, last name, username, e-mail and mobile phone.
func searchText(u *usermgmt.User, username string) string {
	return strings.ToLower(strings.Join([]string{u.FirstName, u.LastName, username, u.Email, u.MobilePhone}, searchSep))
}

// emailKey is the stored e-mail key: NULL when there is no e-mail.
func emailKey(email string) any { return null(usermgmt.EmailKey(email)) }

// checkUnique returns the *ConflictError for the first identifier of u a
// live user other than self already holds (and, when self is "", for a
// user with u's id, deleted or not).
func (o *ops) checkUnique(ctx context.Context, op string, u *usermgmt.User, self string) error {
	var (
		rank int
		ok   bool
		err  error
	)
	ukey, ekey, phone, code := usermgmt.UsernameKey(u.Username), emailKey(u.Email), null(u.MobilePhone), null(u.CustomerCode)
	if self == "" {
		ok, err = o.row(ctx, op, false, `SELECT CASE WHEN id = ? THEN 0 WHEN username_key = ? THEN 1
			WHEN email_key = ? THEN 2 WHEN mobile_phone = ? THEN 3 ELSE 4 END AS r
			FROM {p}users WHERE id = ? OR username_key = ? OR email_key = ? OR mobile_phone = ?
			OR (account_id = ? AND customer_code = ?) ORDER BY r LIMIT 1`,
			[]any{u.ID, ukey, ekey, phone, u.ID, ukey, ekey, phone, u.AccountID, code}, &rank)
	} else {
		ok, err = o.row(ctx, op, false, `SELECT CASE WHEN username_key = ? THEN 1
			WHEN email_key = ? THEN 2 WHEN mobile_phone = ? THEN 3 ELSE 4 END AS r
			FROM {p}users WHERE id <> ? AND (username_key = ? OR email_key = ? OR mobile_phone = ?
			OR (account_id = ? AND customer_code = ?)) ORDER BY r LIMIT 1`,
			[]any{ukey, ekey, phone, self, ukey, ekey, phone, u.AccountID, code}, &rank)
	}
	switch {
	case err != nil:
		return err
	case !ok:
		return nil
	}
	// The fields by the rank the queries give them.
	fields := [...]string{"id", "username", "email", "mobile_phone", "customer_code"}
	if rank < 0 || rank >= len(fields) {
		return conflict("username")
	}
	return conflict(fields[rank])
}

// place locks u's account (PostgreSQL) and checks that it exists and
// holds u's group; it returns the account's seat limit and seats used.
func (o *ops) place(ctx context.Context, op, accountID, groupID string) (limit, used int, err error) {
	lock := ""
	if o.s.cfg.Flavor == Postgres {
		lock = " FOR NO KEY UPDATE OF a"
	}
	var inGroup sql.NullInt64
	ok, err := o.row(ctx, op, false, `SELECT a.seat_limit, a.seats_used,
		(SELECT 1 FROM {p}groups g WHERE g.id = ? AND g.account_id = a.id)
		FROM {p}accounts a WHERE a.id = ?`+lock, []any{groupID, accountID}, &limit, &used, &inGroup)
	switch {
	case err != nil:
		return 0, 0, err
	case !ok:
		return 0, 0, o.notFound("account")
	case !inGroup.Valid:
		return 0, 0, o.notFound("group")
	}
	if o.s.cfg.Flavor == Postgres {
		// The group was read in the snapshot taken before the account's
		// lock was granted; a DeleteGroup that held the lock may have
		// removed it since. Read it again, now, and keep it from being
		// deleted until this transaction ends.
		ok, err := o.exists(ctx, op, `SELECT 1 FROM {p}groups WHERE id = ? AND account_id = ?`+o.s.keyShare(), groupID, accountID)
		switch {
		case err != nil:
			return 0, 0, err
		case !ok:
			return 0, 0, o.notFound("group")
		}
	}
	return limit, used, nil
}

// full reports whether an account with this limit and use has no seat left.
func full(limit, used int) bool { return limit > 0 && used >= limit }

// tally adds delta to the count of an account's live users of one status
// and service level. The caller holds the account's lock.
func (o *ops) tally(ctx context.Context, op, accountID string, st usermgmt.Status, lvl usermgmt.ServiceLevel, delta int) error {
	_, err := o.exec(ctx, op, `INSERT INTO {p}user_counts (account_id, status, service_level, users)
		VALUES (?, ?, ?, ?) ON CONFLICT (account_id, status, service_level)
		DO UPDATE SET users = {p}user_counts.users + excluded.users`, accountID, string(st), string(lvl), delta)
	return err
}

// seats adds delta to an account's seats used. The caller holds the
// account's lock and has checked the limit.
func (o *ops) seats(ctx context.Context, op, accountID string, delta int) error {
	_, err := o.exec(ctx, op, `UPDATE {p}accounts SET seats_used = seats_used + ? WHERE id = ?`, delta, accountID)
	return err
}

// CreateUser implements usermgmt.Tx.
func (o *ops) CreateUser(ctx context.Context, u *usermgmt.User) error {
	if err := o.start(ctx); err != nil {
		return err
	}
	if u == nil {
		return required("user")
	}
	switch {
	case u.ID == "":
		return required("id")
	case usermgmt.UsernameKey(u.Username) == "":
		return required("username")
	case u.Status == usermgmt.StatusDeleted:
		return invalid("status", "a new user cannot be deleted")
	}
	const op = "create user"
	return o.atomic(ctx, func(o *ops) error {
		limit, used, err := o.place(ctx, op, u.AccountID, u.GroupID)
		if err != nil {
			return err
		}
		if full(limit, used) {
			// A taken identifier is reported before the seat limit.
			if err := o.checkUnique(ctx, op, u, ""); err != nil {
				return err
			}
			return o.wrap("account", usermgmt.ErrSeatLimit)
		}
		// The insert itself finds taken identifiers: with ON CONFLICT DO
		// NOTHING it writes nothing then, and a read names the field.
		n, err := o.affected(ctx, op, `INSERT INTO {p}users (id, account_id, group_id, kind, type, status,
			suspended_until, username, username_key, first_name, last_name, email, email_key, mobile_phone,
			business_phone, company, customer_code, udid, time_zone, language, country, friendly_name, notes,
			service_level, services, default_number, address_book, settings, search, last_login_at,
			created_at, updated_at, deleted_at, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
			ON CONFLICT DO NOTHING`,
			u.ID, u.AccountID, u.GroupID, string(u.Kind), string(u.Type), string(u.Status),
			o.s.opt(u.SuspendedUntil), u.Username, usermgmt.UsernameKey(u.Username), u.FirstName, u.LastName,
			u.Email, emailKey(u.Email), null(u.MobilePhone), u.BusinessPhone, u.Company, null(u.CustomerCode),
			u.UDID, u.TimeZone, u.Language, u.Country, u.FriendlyName, u.Notes, string(u.ServiceLevel),
			jsonText(u.Services), u.DefaultNumber, u.AddressBook, jsonText(u.Settings), searchText(u, u.Username),
			o.s.opt(u.LastLoginAt), o.s.at(u.CreatedAt), o.s.at(u.UpdatedAt), o.s.opt(u.DeletedAt))
		if err != nil {
			return err
		}
		if n == 0 {
			if err := o.checkUnique(ctx, op, u, ""); err != nil {
				return err
			}
			// The holder was deleted between the insert and the read.
			return conflict("username")
		}
		if err := o.seats(ctx, op, u.AccountID, 1); err != nil {
			return err
		}
		if err := o.tally(ctx, op, u.AccountID, u.Status, u.ServiceLevel, 1); err != nil {
			return err
		}
		u.Version = 1
		return nil
	})
}

// getUserWhere returns the one user matching a condition on a key.
func (o *ops) getUserWhere(ctx context.Context, cond string, arg any) (usermgmt.User, error) {
	var out []usermgmt.User
	err := o.list(ctx, "get user", `SELECT `+userCols+` FROM {p}users WHERE `+cond, []any{arg},
		func(r rowScanner) error {
			u, err := scanUser(r.Scan)
			out = append(out, u)
			return err
		})
	if err != nil {
		return usermgmt.User{}, err
	}
	if len(out) == 0 {
		return usermgmt.User{}, o.notFound("user")
	}
	return out[0], nil
}

// GetUser implements usermgmt.Tx.
func (o *ops) GetUser(ctx context.Context, id string) (usermgmt.User, error) {
	if err := o.start(ctx); err != nil {
		return usermgmt.User{}, err
	}
	return o.getUserWhere(ctx, "id = ?", id)
}

// GetUserByUsername implements usermgmt.Tx.
func (o *ops) GetUserByUsername(ctx context.Context, username string) (usermgmt.User, error) {
	if err := o.start(ctx); err != nil {
		return usermgmt.User{}, err
	}
	key := usermgmt.UsernameKey(username)
	if key == "" {
		return usermgmt.User{}, o.notFound("user")
	}
	return o.getUserWhere(ctx, "username_key = ?", key)
}

// GetUserByEmail implements usermgmt.Tx.
func (o *ops) GetUserByEmail(ctx context.Context, email string) (usermgmt.User, error) {
	if err := o.start(ctx); err != nil {
		return usermgmt.User{}, err
	}
	key := usermgmt.EmailKey(email)
	if key == "" {
		return usermgmt.User{}, o.notFound("user")
	}
	return o.getUserWhere(ctx, "email_key = ?", key)
}

// GetUserByPhone implements usermgmt.Tx.
func (o *ops) GetUserByPhone(ctx context.Context, e164 string) (usermgmt.User, error) {
	if err := o.start(ctx); err != nil {
		return usermgmt.User{}, err
	}
	if e164 == "" {
		return usermgmt.User{}, o.notFound("user")
	}
	return o.getUserWhere(ctx, "mobile_phone = ?", e164)
}

// current is what UpdateUser and DeleteUser read of a live user, under
// its row lock.
type current struct {
	accountID, username, emailKey, phone, code string
	status                                     usermgmt.Status
	level                                      usermgmt.ServiceLevel
	version                                    int64
}

// lockUser reads a live user under its row lock (PostgreSQL); found is
// false for a missing or deleted user.
func (o *ops) lockUser(ctx context.Context, op, id string) (c current, found bool, err error) {
	found, err = o.row(ctx, op, false, `SELECT account_id, username, email_key, mobile_phone, customer_code,
		status, service_level, version FROM {p}users WHERE id = ? AND username_key IS NOT NULL`+o.s.lock(),
		[]any{id}, &c.accountID, &c.username, textCol{&c.emailKey}, textCol{&c.phone}, textCol{&c.code},
		&c.status, &c.level, &c.version)
	return c, found, err
}

// UpdateUser implements usermgmt.Tx.
func (o *ops) UpdateUser(ctx context.Context, u *usermgmt.User) error {
	if err := o.start(ctx); err != nil {
		return err
	}
	if u == nil {
		return required("user")
	}
	const op = "update user"
	return o.atomic(ctx, func(o *ops) error {
		cur, ok, err := o.lockUser(ctx, op, u.ID)
		switch {
		case err != nil:
			return err
		case !ok:
			return o.notFound("user")
		case u.Version != cur.version:
			return conflict("version")
		case u.Status == usermgmt.StatusDeleted:
			return invalid("status", "delete a user with DeleteUser")
		}
		moved := u.AccountID != cur.accountID
		if moved && cur.accountID < u.AccountID {
			if err := o.lockAccount(ctx, op, cur.accountID); err != nil {
				return err
			}
		}
		limit, used, err := o.place(ctx, op, u.AccountID, u.GroupID)
		if err != nil {
			return err
		}
		if moved && cur.accountID > u.AccountID {
			if err := o.lockAccount(ctx, op, cur.accountID); err != nil {
				return err
			}
		}
		if err := o.checkUnique(ctx, op, u, u.ID); err != nil {
			return err
		}
		if moved && full(limit, used) {
			return o.wrap("account", usermgmt.ErrSeatLimit)
		}
		query := `UPDATE {p}users SET account_id = ?, group_id = ?, kind = ?, type = ?, status = ?,
			suspended_until = ?, first_name = ?, last_name = ?, email = ?, email_key = ?, mobile_phone = ?,
			business_phone = ?, company = ?, customer_code = ?, udid = ?, time_zone = ?, language = ?,
			country = ?, friendly_name = ?, notes = ?, service_level = ?, services = ?, default_number = ?,
			address_book = ?, settings = ?, search = ?, updated_at = ?, version = version + 1 WHERE id = ?`
		args := []any{u.AccountID, u.GroupID, string(u.Kind), string(u.Type), string(u.Status),
			o.s.opt(u.SuspendedUntil), u.FirstName, u.LastName, u.Email, emailKey(u.Email), null(u.MobilePhone),
			u.BusinessPhone, u.Company, null(u.CustomerCode), u.UDID, u.TimeZone, u.Language, u.Country,
			u.FriendlyName, u.Notes, string(u.ServiceLevel), jsonText(u.Services), u.DefaultNumber,
			u.AddressBook, jsonText(u.Settings), searchText(u, cur.username), o.s.at(u.UpdatedAt), u.ID}
		if usermgmt.EmailKey(u.Email) != cur.emailKey || u.MobilePhone != cur.phone || u.CustomerCode != cur.code || moved {
			// An identifier changes: a concurrent writer may take it first.
			if _, err := o.guard(ctx, op, query, args...); err != nil {
				return err
			}
		} else if _, err := o.exec(ctx, op, query, args...); err != nil {
			return err
		}
		if moved {
			if err := o.seats(ctx, op, u.AccountID, 1); err != nil {
				return err
			}
			if err := o.seats(ctx, op, cur.accountID, -1); err != nil {
				return err
			}
		}
		if moved || u.Status != cur.status || u.ServiceLevel != cur.level {
			if err := o.tally(ctx, op, cur.accountID, cur.status, cur.level, -1); err != nil {
				return err
			}
			if err := o.tally(ctx, op, u.AccountID, u.Status, u.ServiceLevel, 1); err != nil {
				return err
			}
		}
		u.Version = cur.version + 1
		return nil
	})
}

// SetLastLogin implements usermgmt.Tx.
func (o *ops) SetLastLogin(ctx context.Context, userID string, at time.Time) error {
	if err := o.start(ctx); err != nil {
		return err
	}
	n, err := o.affected(ctx, "set last login", `UPDATE {p}users SET last_login_at = ?
		WHERE id = ? AND username_key IS NOT NULL`, o.s.opt(at), userID)
	if err != nil {
		return err
	}
	if n == 0 {
		return o.notFound("user")
	}
	return nil
}

// DeleteUser implements usermgmt.Tx.
func (o *ops) DeleteUser(ctx context.Context, id string, at time.Time) error {
	if err := o.start(ctx); err != nil {
		return err
	}
	const op = "delete user"
	return o.atomic(ctx, func(o *ops) error {
		cur, ok, err := o.lockUser(ctx, op, id)
		switch {
		case err != nil:
			return err
		case !ok:
			return o.notFound("user")
		}
		if err := o.lockAccount(ctx, op, cur.accountID); err != nil {
			return err
		}
		for _, q := range [...]string{
			`DELETE FROM {p}passwords WHERE user_id = ?`,
			`DELETE FROM {p}sessions WHERE user_id = ?`,
			`DELETE FROM {p}tokens WHERE user_id = ?`,
			`DELETE FROM {p}grants WHERE user_id = ?`,
			`DELETE FROM {p}grants WHERE scope_user_id = ?`,
			`DELETE FROM {p}aliases WHERE user_id = ?`,
			`UPDATE {p}numbers SET user_id = NULL WHERE user_id = ?`,
		} {
			if _, err := o.exec(ctx, op, q, id); err != nil {
				return err
			}
		}
		if _, err := o.exec(ctx, op, `UPDATE {p}users SET status = ?, suspended_until = NULL, username = '',
			username_key = NULL, first_name = '', last_name = '', email = '', email_key = NULL,
			mobile_phone = NULL, business_phone = '', company = '', customer_code = NULL, udid = '',
			time_zone = '', language = '', country = '', friendly_name = '', notes = '', service_level = '',
			services = 'null', default_number = '', address_book = ?, settings = 'null', search = NULL,
			last_login_at = NULL, updated_at = ?, deleted_at = ?, version = version + 1 WHERE id = ?`,
			string(usermgmt.StatusDeleted), false, o.s.at(at), o.s.at(at), id); err != nil {
			return err
		}
		if err := o.seats(ctx, op, cur.accountID, -1); err != nil {
			return err
		}
		return o.tally(ctx, op, cur.accountID, cur.status, cur.level, -1)
	})
}

// ListUsers implements usermgmt.Tx. The page walks the account's users
// in UsernameKey order from the cursor: by the (account, status,
// username) index when one status is asked for, by the (account,
// username) index otherwise, testing the other filters on the way.
func (o *ops) ListUsers(ctx context.Context, f usermgmt.UserFilter, p usermgmt.Page) ([]usermgmt.User, string, error) {
	if err := o.start(ctx); err != nil {
		return nil, "", err
	}
	after, _, err := DecodeCursor(tagUsers, p.After)
	if err != nil {
		return nil, "", err
	}
	if f.Within != nil && len(f.Within.Groups) == 0 && len(f.Within.Users) == 0 {
		return []usermgmt.User{}, "", nil
	}
	var q strings.Builder
	q.WriteString(`SELECT ` + userCols + ` FROM {p}users WHERE account_id = ? AND username_key > ?`)
	args := []any{f.AccountID, after.Key}
	and := func(cond string, a ...any) {
		q.WriteString(" AND ")
		q.WriteString(cond)
		args = append(args, a...)
	}
	switch len(f.Statuses) {
	case 0:
	case 1:
		and("status = ?", string(f.Statuses[0]))
	default:
		and(o.s.inJSON(o.s.noIndex("status")), jsonText(f.Statuses))
	}
	if f.ServiceLevel != "" {
		and("service_level = ?", string(f.ServiceLevel))
	}
	if f.Type != "" {
		and("type = ?", string(f.Type))
	}
	if f.Kind != "" {
		and("kind = ?", string(f.Kind))
	}
	if f.AddressBook {
		and("address_book = ?", true)
	}
	if f.Group != "" {
		var path string
		ok, err := o.row(ctx, "list users", false, `SELECT path FROM {p}groups WHERE id = ? AND account_id = ?`,
			[]any{f.Group, f.AccountID}, &path)
		switch {
		case err != nil:
			return nil, "", err
		case !ok:
			return []usermgmt.User{}, "", nil
		}
		and(o.s.noIndex("group_id")+` IN (SELECT id FROM {p}groups WHERE account_id = ? AND path >= ? AND path < ?)`,
			f.AccountID, path, pathEnd(path))
	}
	if f.Within != nil {
		and(`(`+o.s.noIndex("group_id")+` IN (SELECT g.id FROM {p}groups g JOIN {p}groups r
			ON r.account_id = g.account_id AND substr(g.path, 1, length(r.path)) = r.path
			WHERE g.account_id = ? AND `+o.s.inJSON("r.id")+`) OR `+o.s.inJSON(o.s.noIndex("id"))+`)`,
			f.AccountID, jsonText(nonNil(f.Within.Groups)), jsonText(nonNil(f.Within.Users)))
	}
	if f.Query != "" {
		query := strings.ToLower(f.Query)
		if strings.Contains(query, searchSep) {
			return []usermgmt.User{}, "", nil
		}
		and(o.s.contains("search"), query)
	}
	limit := p.Size()
	q.WriteString(" ORDER BY username_key LIMIT ?")
	args = append(args, limit+1)

	out := make([]usermgmt.User, 0, min(limit, 64))
	keys := make([]string, 0, min(limit, 64))
	err = o.list(ctx, "list users", q.String(), args, func(r rowScanner) error {
		u, err := scanUser(r.Scan)
		out = append(out, u)
		keys = append(keys, usermgmt.UsernameKey(u.Username))
		return err
	})
	if err != nil {
		return nil, "", err
	}
	if len(out) <= limit {
		return out, "", nil
	}
	out = out[:limit]
	return out, EncodeCursor(tagUsers, Cursor{Key: keys[limit-1], ID: out[limit-1].ID}), nil
}

// nonNil returns s, or an empty slice for nil, so that it encodes as [].
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// CountUsers implements usermgmt.Tx. It reads the account's seats and the
// per-status, per-level tallies the writes maintain, so its cost does not
// grow with the number of users.
func (o *ops) CountUsers(ctx context.Context, accountID string) (usermgmt.UserCounts, error) {
	if err := o.start(ctx); err != nil {
		return usermgmt.UserCounts{}, err
	}
	c := usermgmt.UserCounts{ByStatus: map[usermgmt.Status]int{}, ByLevel: map[usermgmt.ServiceLevel]int{}}
	found := false
	err := o.list(ctx, "count users", `SELECT a.seat_limit, a.seats_used, c.status, c.service_level, c.users
		FROM {p}accounts a LEFT JOIN {p}user_counts c ON c.account_id = a.id AND c.users > 0
		WHERE a.id = ?`, []any{accountID}, func(r rowScanner) error {
		var (
			st, lvl sql.NullString
			n       sql.NullInt64
		)
		if err := r.Scan(&c.SeatLimit, &c.Total, &st, &lvl, &n); err != nil {
			return err
		}
		found = true
		if n.Valid {
			c.ByStatus[usermgmt.Status(st.String)] += int(n.Int64)
			c.ByLevel[usermgmt.ServiceLevel(lvl.String)] += int(n.Int64)
		}
		return nil
	})
	if err != nil {
		return usermgmt.UserCounts{}, err
	}
	if !found {
		return usermgmt.UserCounts{}, o.notFound("account")
	}
	return c, nil
}

// SetPassword implements usermgmt.Tx. On PostgreSQL the user's row is
// key-share locked first, so that a concurrent DeleteUser cannot leave a
// password behind its tombstone.
func (o *ops) SetPassword(ctx context.Context, userID, hash string, at time.Time) error {
	if err := o.start(ctx); err != nil {
		return err
	}
	const op = "set password"
	return o.atomic(ctx, func(o *ops) error {
		lock := o.s.keyShare()
		live, err := o.exists(ctx, op, `SELECT 1 FROM {p}users WHERE id = ? AND username_key IS NOT NULL`+lock, userID)
		switch {
		case err != nil:
			return err
		case !live:
			return o.notFound("user")
		}
		_, err = o.exec(ctx, op, `INSERT INTO {p}passwords (user_id, hash, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at`,
			userID, hash, o.s.at(at))
		return err
	})
}

// GetPassword implements usermgmt.Tx.
func (o *ops) GetPassword(ctx context.Context, userID string) (string, error) {
	if err := o.start(ctx); err != nil {
		return "", err
	}
	var hash string
	ok, err := o.row(ctx, "get password", false, `SELECT hash FROM {p}passwords WHERE user_id = ?`, []any{userID}, &hash)
	switch {
	case err != nil:
		return "", err
	case !ok:
		return "", o.notFound("password")
	}
	return hash, nil
}
