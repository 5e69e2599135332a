-- Transfers between agencies and the history of who held each device (docs/transfers.md).
-- asset_assignments: one row per holding; valid_from NULL means since the beginning, valid_to NULL
-- means still held; a holding covers [valid_from, valid_to). The register's agency_code is the
-- agency of the open holding. Existing assets are held by their register agency from the beginning.
CREATE TABLE asset_assignments (
    asset_id     VARCHAR NOT NULL,
    agency_code  VARCHAR NOT NULL,
    valid_from   DATE,
    valid_to     DATE,
    transfer_id  BIGINT,                     -- the approved transfer that began this holding
    CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_from < valid_to)
);
CREATE INDEX asset_assignments_asset ON asset_assignments (asset_id);
INSERT INTO asset_assignments (asset_id, agency_code) SELECT asset_id, agency_code FROM assets;

CREATE SEQUENCE transfer_id_seq START 1;
CREATE TABLE transfers (
    transfer_id     BIGINT PRIMARY KEY DEFAULT nextval('transfer_id_seq'),
    from_agency     VARCHAR NOT NULL,
    to_agency       VARCHAR NOT NULL,
    request_id      VARCHAR,                 -- the planned purchase it meets, when any
    proposal_ref    VARCHAR,                 -- the reallocation proposal it came from, when any
    effective_date  DATE NOT NULL,
    state           VARCHAR NOT NULL CHECK (state IN ('proposed', 'accepted', 'approved', 'refused')),
    note            VARCHAR,
    created_by      VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL
);
-- the devices of a transfer, with their book value on the effective date when it was proposed
CREATE TABLE transfer_assets (
    transfer_id     BIGINT NOT NULL,
    asset_id        VARCHAR NOT NULL,
    category        VARCHAR,
    model           VARCHAR,
    purchase_cost   DECIMAL(18, 2),
    book_value      DECIMAL(18, 2),          -- NULL when the age is unknown
    PRIMARY KEY (transfer_id, asset_id)
);
-- each step: created, giving_accepted, receiving_accepted, approved, or refused (with a reason)
CREATE TABLE transfer_steps (
    transfer_id     BIGINT NOT NULL,
    step            VARCHAR NOT NULL,
    actor           VARCHAR NOT NULL,
    role            VARCHAR,
    agency_code     VARCHAR,
    reason          VARCHAR,
    "at"            TIMESTAMP NOT NULL
);
