-- roster schema for PostgreSQL, version 1.
--
-- {{prefix}} stands for the host's table prefix ("roster_" by default).
-- Key columns use the "C" collation so that ordering, keyset cursors and
-- path-prefix ranges compare bytes, whatever the database's locale. Maps
-- and lists are JSONB. Identifiers that must be unique among live users
-- (username_key, email_key, mobile_phone, customer_code) become NULL when
-- a user is deleted, so plain unique constraints free them at once.

CREATE TABLE {{prefix}}accounts (
	id            TEXT COLLATE "C" NOT NULL,
	name          TEXT NOT NULL,
	owner_id      TEXT NOT NULL,
	root_group_id TEXT NOT NULL,
	seat_limit    BIGINT NOT NULL,           -- 0: unlimited
	seats_used    BIGINT NOT NULL DEFAULT 0, -- live users, kept by the store
	two_factor    BOOLEAN NOT NULL,
	contact       JSONB NOT NULL,            -- usermgmt.Contact
	user_defaults JSONB NOT NULL,            -- usermgmt.Defaults
	settings      JSONB NOT NULL,            -- object or null
	created_at    TIMESTAMPTZ NOT NULL,
	updated_at    TIMESTAMPTZ NOT NULL,
	version       BIGINT NOT NULL,
	CONSTRAINT {{prefix}}accounts_pkey PRIMARY KEY (id)
);

CREATE TABLE {{prefix}}groups (
	id         TEXT COLLATE "C" NOT NULL,
	account_id TEXT COLLATE "C" NOT NULL REFERENCES {{prefix}}accounts (id),
	parent_id  TEXT COLLATE "C" REFERENCES {{prefix}}groups (id),
	name       TEXT NOT NULL,
	path       TEXT COLLATE "C" NOT NULL, -- "/root/child/": a subtree is a path prefix
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	CONSTRAINT {{prefix}}groups_pkey PRIMARY KEY (id)
);
CREATE INDEX {{prefix}}groups_account_path ON {{prefix}}groups (account_id, path);
CREATE INDEX {{prefix}}groups_parent ON {{prefix}}groups (parent_id);

CREATE TABLE {{prefix}}users (
	id              TEXT COLLATE "C" NOT NULL,
	account_id      TEXT COLLATE "C" NOT NULL REFERENCES {{prefix}}accounts (id),
	group_id        TEXT COLLATE "C" NOT NULL, -- kept by tombstones, so no foreign key
	kind            TEXT NOT NULL,
	type            TEXT NOT NULL,
	status          TEXT COLLATE "C" NOT NULL,
	suspended_until TIMESTAMPTZ,
	username        TEXT NOT NULL,
	username_key    TEXT COLLATE "C",          -- usermgmt.UsernameKey; NULL once deleted
	first_name      TEXT NOT NULL,
	last_name       TEXT NOT NULL,
	email           TEXT NOT NULL,
	email_key       TEXT COLLATE "C",          -- usermgmt.EmailKey; NULL when none or deleted
	mobile_phone    TEXT COLLATE "C",          -- E.164; NULL when none or deleted
	business_phone  TEXT NOT NULL,
	company         TEXT NOT NULL,
	customer_code   TEXT COLLATE "C",          -- NULL when none or deleted
	udid            TEXT NOT NULL,
	time_zone       TEXT NOT NULL,
	language        TEXT NOT NULL,
	country         TEXT NOT NULL,
	friendly_name   TEXT NOT NULL,
	notes           TEXT NOT NULL,
	service_level   TEXT NOT NULL,
	services        JSONB NOT NULL,            -- list or null
	default_number  TEXT NOT NULL,
	address_book    BOOLEAN NOT NULL,
	settings        JSONB NOT NULL,            -- object or null
	search          TEXT COLLATE "C",          -- lower-cased names, username, e-mail, phone for UserFilter.Query
	last_login_at   TIMESTAMPTZ,
	created_at      TIMESTAMPTZ NOT NULL,
	updated_at      TIMESTAMPTZ NOT NULL,
	deleted_at      TIMESTAMPTZ,
	version         BIGINT NOT NULL,
	CONSTRAINT {{prefix}}users_pkey PRIMARY KEY (id),
	CONSTRAINT {{prefix}}users_username_key UNIQUE (username_key),
	CONSTRAINT {{prefix}}users_email_key UNIQUE (email_key),
	CONSTRAINT {{prefix}}users_mobile_phone_key UNIQUE (mobile_phone),
	CONSTRAINT {{prefix}}users_customer_code_key UNIQUE (account_id, customer_code)
);
CREATE INDEX {{prefix}}users_account_username ON {{prefix}}users (account_id, username_key);
CREATE INDEX {{prefix}}users_account_status_username ON {{prefix}}users (account_id, status, username_key);
CREATE INDEX {{prefix}}users_group_username ON {{prefix}}users (group_id, username_key);

-- Live users per account, status and service level, for CountUsers.
CREATE TABLE {{prefix}}user_counts (
	account_id    TEXT COLLATE "C" NOT NULL,
	status        TEXT NOT NULL,
	service_level TEXT NOT NULL,
	users         BIGINT NOT NULL,
	CONSTRAINT {{prefix}}user_counts_pkey PRIMARY KEY (account_id, status, service_level)
);

CREATE TABLE {{prefix}}passwords (
	user_id    TEXT COLLATE "C" NOT NULL REFERENCES {{prefix}}users (id),
	hash       TEXT NOT NULL, -- PHC or bcrypt string
	updated_at TIMESTAMPTZ NOT NULL,
	CONSTRAINT {{prefix}}passwords_pkey PRIMARY KEY (user_id)
);

CREATE TABLE {{prefix}}grants (
	id             TEXT COLLATE "C" NOT NULL,
	account_id     TEXT COLLATE "C" NOT NULL REFERENCES {{prefix}}accounts (id),
	user_id        TEXT COLLATE "C" NOT NULL REFERENCES {{prefix}}users (id),
	scope_group_id TEXT COLLATE "C" REFERENCES {{prefix}}groups (id),
	scope_user_id  TEXT COLLATE "C" REFERENCES {{prefix}}users (id),
	permissions    JSONB NOT NULL,
	created_by     TEXT NOT NULL,
	created_at     TIMESTAMPTZ NOT NULL,
	CONSTRAINT {{prefix}}grants_pkey PRIMARY KEY (id),
	CONSTRAINT {{prefix}}grants_scope CHECK ((scope_group_id IS NULL) <> (scope_user_id IS NULL))
);
CREATE INDEX {{prefix}}grants_user ON {{prefix}}grants (user_id, created_at, id);
CREATE INDEX {{prefix}}grants_account ON {{prefix}}grants (account_id, created_at, id);
CREATE INDEX {{prefix}}grants_scope_group ON {{prefix}}grants (scope_group_id);
CREATE INDEX {{prefix}}grants_scope_user ON {{prefix}}grants (scope_user_id);

CREATE TABLE {{prefix}}numbers (
	e164       TEXT COLLATE "C" NOT NULL,
	account_id TEXT COLLATE "C" NOT NULL REFERENCES {{prefix}}accounts (id),
	user_id    TEXT COLLATE "C" REFERENCES {{prefix}}users (id),
	label      TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	CONSTRAINT {{prefix}}numbers_pkey PRIMARY KEY (e164)
);
CREATE INDEX {{prefix}}numbers_account ON {{prefix}}numbers (account_id, e164);
CREATE INDEX {{prefix}}numbers_user ON {{prefix}}numbers (user_id, e164);

CREATE TABLE {{prefix}}aliases (
	address_key TEXT COLLATE "C" NOT NULL, -- usermgmt.EmailKey(address)
	address     TEXT NOT NULL,
	user_id     TEXT COLLATE "C" NOT NULL REFERENCES {{prefix}}users (id),
	account_id  TEXT COLLATE "C" NOT NULL,
	created_at  TIMESTAMPTZ NOT NULL,
	CONSTRAINT {{prefix}}aliases_pkey PRIMARY KEY (address_key)
);
CREATE INDEX {{prefix}}aliases_user ON {{prefix}}aliases (user_id, address_key);

CREATE TABLE {{prefix}}tokens (
	id         TEXT COLLATE "C" NOT NULL,
	kind       TEXT NOT NULL,
	hash       TEXT COLLATE "C" NOT NULL, -- hex SHA-256 of the secret
	account_id TEXT COLLATE "C" NOT NULL,
	user_id    TEXT COLLATE "C" NOT NULL,
	email      TEXT NOT NULL,
	email_key  TEXT COLLATE "C" NOT NULL,
	created_by TEXT NOT NULL,
	data       BYTEA,
	attempts   BIGINT NOT NULL,
	sends      BIGINT NOT NULL,
	sent_at    TIMESTAMPTZ,
	send_error TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL,
	used_at    TIMESTAMPTZ,
	outcome    TEXT NOT NULL,
	CONSTRAINT {{prefix}}tokens_pkey PRIMARY KEY (id),
	CONSTRAINT {{prefix}}tokens_hash_key UNIQUE (hash)
);
CREATE INDEX {{prefix}}tokens_created ON {{prefix}}tokens (created_at, id);
CREATE INDEX {{prefix}}tokens_account ON {{prefix}}tokens (account_id, created_at, id);
CREATE INDEX {{prefix}}tokens_user ON {{prefix}}tokens (user_id, created_at, id);
CREATE INDEX {{prefix}}tokens_email ON {{prefix}}tokens (email_key, created_at, id);
CREATE INDEX {{prefix}}tokens_expires ON {{prefix}}tokens (expires_at);
CREATE INDEX {{prefix}}tokens_used ON {{prefix}}tokens (used_at);

CREATE TABLE {{prefix}}sessions (
	id         TEXT COLLATE "C" NOT NULL,
	kind       TEXT NOT NULL,
	hash       TEXT COLLATE "C" NOT NULL, -- hex SHA-256 of the bearer secret
	user_id    TEXT COLLATE "C" NOT NULL REFERENCES {{prefix}}users (id),
	account_id TEXT COLLATE "C" NOT NULL,
	name       TEXT NOT NULL,
	client_key TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	last_seen  TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ, -- NULL: no absolute end (API keys)
	CONSTRAINT {{prefix}}sessions_pkey PRIMARY KEY (id),
	CONSTRAINT {{prefix}}sessions_hash_key UNIQUE (hash)
);
CREATE INDEX {{prefix}}sessions_user ON {{prefix}}sessions (user_id, created_at);
CREATE INDEX {{prefix}}sessions_expires ON {{prefix}}sessions (expires_at);

CREATE TABLE {{prefix}}events (
	id          TEXT COLLATE "C" NOT NULL,
	account_id  TEXT COLLATE "C" NOT NULL,
	actor_id    TEXT COLLATE "C" NOT NULL,
	action      TEXT COLLATE "C" NOT NULL,
	target_type TEXT NOT NULL,
	target_id   TEXT COLLATE "C" NOT NULL,
	outcome     TEXT NOT NULL,
	fields      JSONB NOT NULL, -- list of changed field names, or null
	reason      TEXT NOT NULL,
	client_key  TEXT NOT NULL,
	occurred_at TIMESTAMPTZ NOT NULL,
	CONSTRAINT {{prefix}}events_pkey PRIMARY KEY (id)
);
CREATE INDEX {{prefix}}events_account ON {{prefix}}events (account_id, occurred_at, id);
CREATE INDEX {{prefix}}events_actor ON {{prefix}}events (account_id, actor_id, occurred_at, id);
CREATE INDEX {{prefix}}events_target ON {{prefix}}events (account_id, target_id, occurred_at, id);
CREATE INDEX {{prefix}}events_action ON {{prefix}}events (account_id, action, occurred_at, id);

CREATE TABLE {{prefix}}counters (
	counter_key  TEXT COLLATE "C" NOT NULL,
	hits         BIGINT NOT NULL,
	window_start TIMESTAMPTZ NOT NULL,
	last_hit     TIMESTAMPTZ NOT NULL,
	CONSTRAINT {{prefix}}counters_pkey PRIMARY KEY (counter_key)
);
CREATE INDEX {{prefix}}counters_last ON {{prefix}}counters (last_hit);
