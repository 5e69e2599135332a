-- Reallocation before purchase (docs/reallocation.md): planned purchases, the idle pool's declarations
-- and withdrawals, and the equipment standards (price caps, minimum service lives) as versioned data.

-- Planned purchases (配置申请): uploaded (`ingest requests FILE`) or entered on the Reallocation page.
CREATE TABLE purchase_requests (
    agency_code    VARCHAR NOT NULL,
    request_id     VARCHAR NOT NULL,
    category       VARCHAR NOT NULL,
    category_raw   VARCHAR,
    quantity       INTEGER NOT NULL,
    needed_by      DATE,
    unit_budget    DECIMAL(18, 2),
    justification  VARCHAR,
    extra          JSON,
    upload_id      INTEGER,                  -- NULL when entered on the page
    source_row     BIGINT,
    entered_by     VARCHAR,                  -- who entered it on the page
    entered_at     TIMESTAMP,
    PRIMARY KEY (agency_code, request_id)
);

-- What happened to a device's place in the pool, append-only: an agency declares it surplus
-- (declare_surplus), a finance officer or administrator withdraws it with a reason (withdraw).
-- The latest action of a device is in force.
CREATE SEQUENCE pool_action_id_seq START 1;
CREATE TABLE pool_actions (
    action_id   BIGINT PRIMARY KEY DEFAULT nextval('pool_action_id_seq'),
    asset_id    VARCHAR NOT NULL,
    action      VARCHAR NOT NULL CHECK (action IN ('declare_surplus', 'withdraw')),
    reason      VARCHAR,
    acted_on    DATE NOT NULL,             -- the day it takes effect
    acted_by    VARCHAR NOT NULL,
    acted_at    TIMESTAMP NOT NULL
);
CREATE INDEX pool_actions_asset ON pool_actions (asset_id);

-- Equipment standards beyond the built-in defaults (tracker.domain.standards): one row per
-- jurisdiction, version and category; the version in force on a date is the latest effective_from.
CREATE TABLE equipment_standards (
    jurisdiction       VARCHAR NOT NULL,
    version            VARCHAR NOT NULL,
    effective_from     DATE NOT NULL,
    category           VARCHAR NOT NULL,
    price_cap          DECIMAL(18, 2),      -- NULL: no cap in this version
    min_service_years  INTEGER,             -- NULL: no minimum in this version
    min_copies         BIGINT,
    PRIMARY KEY (jurisdiction, version, category)
);
