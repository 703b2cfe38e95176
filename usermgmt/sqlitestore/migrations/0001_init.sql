-- roster schema for SQLite, version 1.
--
-- {{prefix}} stands for the host's table prefix ("roster_" by default).
-- Times are microseconds since the Unix epoch (UTC) in INTEGER columns;
-- maps and lists are JSON text. Identifiers that must be unique among
-- live users (username_key, email_key, mobile_phone, customer_code) become
-- NULL when a user is deleted, so plain unique indexes free them at once.

CREATE TABLE {{prefix}}accounts (
	id            TEXT PRIMARY KEY,
	name          TEXT NOT NULL,
	owner_id      TEXT NOT NULL,
	root_group_id TEXT NOT NULL,
	seat_limit    INTEGER NOT NULL,           -- 0: unlimited
	seats_used    INTEGER NOT NULL DEFAULT 0, -- live users, kept by the store
	two_factor    INTEGER NOT NULL,
	contact       TEXT NOT NULL,              -- JSON usermgmt.Contact
	user_defaults TEXT NOT NULL,              -- JSON usermgmt.Defaults
	settings      TEXT NOT NULL,              -- JSON object or null
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL,
	version       INTEGER NOT NULL
) STRICT;

CREATE TABLE {{prefix}}groups (
	id         TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES {{prefix}}accounts (id),
	parent_id  TEXT REFERENCES {{prefix}}groups (id),
	name       TEXT NOT NULL,
	path       TEXT NOT NULL, -- "/root/child/": a subtree is a path prefix
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX {{prefix}}groups_account_path ON {{prefix}}groups (account_id, path);
CREATE INDEX {{prefix}}groups_parent ON {{prefix}}groups (parent_id);

CREATE TABLE {{prefix}}users (
	id              TEXT PRIMARY KEY,
	account_id      TEXT NOT NULL REFERENCES {{prefix}}accounts (id),
	group_id        TEXT NOT NULL, -- kept by tombstones, so no foreign key
	kind            TEXT NOT NULL,
	type            TEXT NOT NULL,
	status          TEXT NOT NULL,
	suspended_until INTEGER,
	username        TEXT NOT NULL,
	username_key    TEXT,          -- usermgmt.UsernameKey; NULL once deleted
	first_name      TEXT NOT NULL,
	last_name       TEXT NOT NULL,
	email           TEXT NOT NULL,
	email_key       TEXT,          -- usermgmt.EmailKey; NULL when none or deleted
	mobile_phone    TEXT,          -- E.164; NULL when none or deleted
	business_phone  TEXT NOT NULL,
	company         TEXT NOT NULL,
	customer_code   TEXT,          -- NULL when none or deleted
	udid            TEXT NOT NULL,
	time_zone       TEXT NOT NULL,
	language        TEXT NOT NULL,
	country         TEXT NOT NULL,
	friendly_name   TEXT NOT NULL,
	notes           TEXT NOT NULL,
	service_level   TEXT NOT NULL,
	services        TEXT NOT NULL, -- JSON list or null
	default_number  TEXT NOT NULL,
	address_book    INTEGER NOT NULL,
	settings        TEXT NOT NULL, -- JSON object or null
	search          TEXT,          -- lower-cased names, username, e-mail, phone for UserFilter.Query
	last_login_at   INTEGER,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	deleted_at      INTEGER,
	version         INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX {{prefix}}users_username_key ON {{prefix}}users (username_key);
CREATE UNIQUE INDEX {{prefix}}users_email_key ON {{prefix}}users (email_key);
CREATE UNIQUE INDEX {{prefix}}users_mobile_phone_key ON {{prefix}}users (mobile_phone);
CREATE UNIQUE INDEX {{prefix}}users_customer_code_key ON {{prefix}}users (account_id, customer_code);
CREATE INDEX {{prefix}}users_account_username ON {{prefix}}users (account_id, username_key);
CREATE INDEX {{prefix}}users_account_status_username ON {{prefix}}users (account_id, status, username_key);
CREATE INDEX {{prefix}}users_group_username ON {{prefix}}users (group_id, username_key);

-- Live users per account, status and service level, for CountUsers.
CREATE TABLE {{prefix}}user_counts (
	account_id    TEXT NOT NULL,
	status        TEXT NOT NULL,
	service_level TEXT NOT NULL,
	users         INTEGER NOT NULL,
	PRIMARY KEY (account_id, status, service_level)
) STRICT, WITHOUT ROWID;

CREATE TABLE {{prefix}}passwords (
	user_id    TEXT PRIMARY KEY REFERENCES {{prefix}}users (id),
	hash       TEXT NOT NULL, -- PHC or bcrypt string
	updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE {{prefix}}grants (
	id             TEXT PRIMARY KEY,
	account_id     TEXT NOT NULL REFERENCES {{prefix}}accounts (id),
	user_id        TEXT NOT NULL REFERENCES {{prefix}}users (id),
	scope_group_id TEXT REFERENCES {{prefix}}groups (id),
	scope_user_id  TEXT REFERENCES {{prefix}}users (id),
	permissions    TEXT NOT NULL, -- JSON list
	created_by     TEXT NOT NULL,
	created_at     INTEGER NOT NULL,
	CHECK ((scope_group_id IS NULL) <> (scope_user_id IS NULL))
) STRICT;
CREATE INDEX {{prefix}}grants_user ON {{prefix}}grants (user_id, created_at, id);
CREATE INDEX {{prefix}}grants_account ON {{prefix}}grants (account_id, created_at, id);
CREATE INDEX {{prefix}}grants_scope_group ON {{prefix}}grants (scope_group_id);
CREATE INDEX {{prefix}}grants_scope_user ON {{prefix}}grants (scope_user_id);

CREATE TABLE {{prefix}}numbers (
	e164       TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES {{prefix}}accounts (id),
	user_id    TEXT REFERENCES {{prefix}}users (id),
	label      TEXT NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX {{prefix}}numbers_account ON {{prefix}}numbers (account_id, e164);
CREATE INDEX {{prefix}}numbers_user ON {{prefix}}numbers (user_id, e164);

CREATE TABLE {{prefix}}aliases (
	address_key TEXT PRIMARY KEY, -- usermgmt.EmailKey(address)
	address     TEXT NOT NULL,
	user_id     TEXT NOT NULL REFERENCES {{prefix}}users (id),
	account_id  TEXT NOT NULL,
	created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX {{prefix}}aliases_user ON {{prefix}}aliases (user_id, address_key);

CREATE TABLE {{prefix}}tokens (
	id         TEXT PRIMARY KEY,
	kind       TEXT NOT NULL,
	hash       TEXT NOT NULL, -- hex SHA-256 of the secret
	account_id TEXT NOT NULL,
	user_id    TEXT NOT NULL,
	email      TEXT NOT NULL,
	email_key  TEXT NOT NULL,
	created_by TEXT NOT NULL,
	data       BLOB,
	attempts   INTEGER NOT NULL,
	sends      INTEGER NOT NULL,
	sent_at    INTEGER,
	send_error TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER,
	outcome    TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX {{prefix}}tokens_hash_key ON {{prefix}}tokens (hash);
CREATE INDEX {{prefix}}tokens_created ON {{prefix}}tokens (created_at, id);
CREATE INDEX {{prefix}}tokens_account ON {{prefix}}tokens (account_id, created_at, id);
CREATE INDEX {{prefix}}tokens_user ON {{prefix}}tokens (user_id, created_at, id);
CREATE INDEX {{prefix}}tokens_email ON {{prefix}}tokens (email_key, created_at, id);
CREATE INDEX {{prefix}}tokens_expires ON {{prefix}}tokens (expires_at);
CREATE INDEX {{prefix}}tokens_used ON {{prefix}}tokens (used_at);

CREATE TABLE {{prefix}}sessions (
	id         TEXT PRIMARY KEY,
	kind       TEXT NOT NULL,
	hash       TEXT NOT NULL, -- hex SHA-256 of the bearer secret
	user_id    TEXT NOT NULL REFERENCES {{prefix}}users (id),
	account_id TEXT NOT NULL,
	name       TEXT NOT NULL,
	client_key TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL,
	expires_at INTEGER -- NULL: no absolute end (API keys)
) STRICT;
CREATE UNIQUE INDEX {{prefix}}sessions_hash_key ON {{prefix}}sessions (hash);
CREATE INDEX {{prefix}}sessions_user ON {{prefix}}sessions (user_id, created_at);
CREATE INDEX {{prefix}}sessions_expires ON {{prefix}}sessions (expires_at);

CREATE TABLE {{prefix}}events (
	id          TEXT PRIMARY KEY,
	account_id  TEXT NOT NULL,
	actor_id    TEXT NOT NULL,
	action      TEXT NOT NULL,
	target_type TEXT NOT NULL,
	target_id   TEXT NOT NULL,
	outcome     TEXT NOT NULL,
	fields      TEXT NOT NULL, -- JSON list of changed field names, or null
	reason      TEXT NOT NULL,
	client_key  TEXT NOT NULL,
	occurred_at INTEGER NOT NULL
) STRICT;
CREATE INDEX {{prefix}}events_account ON {{prefix}}events (account_id, occurred_at, id);
CREATE INDEX {{prefix}}events_actor ON {{prefix}}events (account_id, actor_id, occurred_at, id);
CREATE INDEX {{prefix}}events_target ON {{prefix}}events (account_id, target_id, occurred_at, id);
CREATE INDEX {{prefix}}events_action ON {{prefix}}events (account_id, action, occurred_at, id);

CREATE TABLE {{prefix}}counters (
	counter_key  TEXT PRIMARY KEY,
	hits         INTEGER NOT NULL,
	window_start INTEGER NOT NULL,
	last_hit     INTEGER NOT NULL
) STRICT;
CREATE INDEX {{prefix}}counters_last ON {{prefix}}counters (last_hit);
