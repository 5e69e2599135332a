-- Local accounts and the audit trail (docs/architecture.md, access and audit). Owned by tracker/access/auth.py and tracker/store/audit.py.
-- A user name is stored lower-cased, so the primary key makes names unique regardless of case.
-- Only an agency account is limited to one agency: agency_code is set exactly when role = 'agency'.
CREATE TABLE users (
    username        VARCHAR PRIMARY KEY CHECK (username = lower(username)),
    display_name    VARCHAR,
    role            VARCHAR NOT NULL CHECK (role IN ('admin', 'finance', 'auditor', 'agency')),
    agency_code     VARCHAR,
    password_hash   VARCHAR NOT NULL,            -- Argon2id, in the PHC string format
    disabled        BOOLEAN NOT NULL DEFAULT false,
    failed_attempts INTEGER NOT NULL DEFAULT 0,  -- consecutive failed logins since the last success
    locked_until    TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    created_by      VARCHAR NOT NULL,
    last_login_at   TIMESTAMP,
    CHECK ((role = 'agency') = (agency_code IS NOT NULL))
);

-- Append-only by convention: rows are inserted by tracker.audit.record and never updated or deleted.
-- Each entry's hash covers the previous entry's hash, so a changed, removed or reordered entry breaks
-- the chain (tracker.audit.verify). prev_hash is unique: two appends can never follow the same entry.
CREATE SEQUENCE audit_entry_id_seq START 1;

CREATE TABLE audit_log (
    entry_id    BIGINT PRIMARY KEY,
    "at"        TIMESTAMP NOT NULL,
    actor       VARCHAR NOT NULL,
    action      VARCHAR NOT NULL,
    target      VARCHAR,
    details     JSON,
    prev_hash   VARCHAR NOT NULL UNIQUE,
    entry_hash  VARCHAR NOT NULL
);
