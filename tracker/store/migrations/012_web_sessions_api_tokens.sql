-- Sign-ins that last across reloads and tabs, and the tokens agencies' systems push with
-- (docs/service.md). Owned by tracker/access/sessions.py and tracker/access/tokens.py.
-- Neither table keeps a secret: only SHA-256 hashes of the random values the browser or the system holds.
CREATE TABLE web_sessions (
    session_id        VARCHAR PRIMARY KEY,       -- random, not secret: names the session in the audit log
    username          VARCHAR NOT NULL,
    provider          VARCHAR NOT NULL,          -- local | oidc
    token_hash        VARCHAR,                   -- SHA-256 of the token the cookie carries, once the cookie is set
    ticket_hash       VARCHAR,                   -- SHA-256 of the one-time ticket that sets the cookie
    ticket_expires_at TIMESTAMP,
    created_at        TIMESTAMP NOT NULL,
    last_seen_at      TIMESTAMP NOT NULL,
    ended_at          TIMESTAMP,
    end_reason        VARCHAR                    -- user | idle | password | disabled
);

CREATE SEQUENCE api_token_id_seq START 1;

-- An API token acts in one role, and an agency's token for one agency only, like an account.
CREATE TABLE api_tokens (
    token_id     INTEGER PRIMARY KEY,
    name         VARCHAR NOT NULL UNIQUE,
    token_hash   VARCHAR NOT NULL,               -- SHA-256 of the token, shown once when it is created
    role         VARCHAR NOT NULL CHECK (role IN ('admin', 'finance', 'auditor', 'agency')),
    agency_code  VARCHAR,
    created_at   TIMESTAMP NOT NULL,
    created_by   VARCHAR NOT NULL,
    revoked_at   TIMESTAMP,
    revoked_by   VARCHAR,
    last_used_at TIMESTAMP,
    CHECK ((role = 'agency') = (agency_code IS NOT NULL))
);
