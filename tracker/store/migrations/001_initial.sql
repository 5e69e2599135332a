-- Initial schema: records, uploads, rejected rows and settings.
CREATE TABLE schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        VARCHAR NOT NULL,
    applied_at  TIMESTAMP NOT NULL
);

CREATE TABLE settings (
    name        VARCHAR PRIMARY KEY,
    value       VARCHAR NOT NULL,
    changed_at  TIMESTAMP NOT NULL,
    changed_by  VARCHAR NOT NULL
);

CREATE TABLE agencies (
    agency_code VARCHAR PRIMARY KEY,
    agency_name VARCHAR
);

CREATE SEQUENCE upload_id_seq START 1;

CREATE TABLE uploads (
    upload_id      INTEGER PRIMARY KEY,
    kind           VARCHAR NOT NULL,          -- procurement | assets | usage
    shape          VARCHAR,                   -- table | ocds | daily | sessions
    file_name      VARCHAR NOT NULL,
    file_format    VARCHAR,                   -- csv | xlsx | parquet | json | jsonl
    sha256         VARCHAR NOT NULL,
    scope_agency   VARCHAR,                   -- the agency the upload was limited to, if any
    uploaded_by    VARCHAR NOT NULL,
    uploaded_at    TIMESTAMP NOT NULL,
    status         VARCHAR NOT NULL,          -- committed | partial | unchanged
    rows_read      BIGINT NOT NULL,
    rows_accepted  BIGINT NOT NULL,
    rows_rejected  BIGINT NOT NULL,
    rows_inserted  BIGINT NOT NULL,
    rows_replaced  BIGINT NOT NULL,
    rows_unchanged BIGINT NOT NULL,
    agencies       VARCHAR[]                  -- agencies whose rows the upload touched
);

CREATE TABLE procurement_lines (
    agency_code           VARCHAR NOT NULL,
    ocid                  VARCHAR NOT NULL DEFAULT '',
    po_number             VARCHAR NOT NULL,
    line_no               INTEGER NOT NULL,
    agency_name           VARCHAR,
    supplier              VARCHAR,
    item_description      VARCHAR NOT NULL,
    category              VARCHAR NOT NULL,
    category_raw          VARCHAR,
    classification_code   VARCHAR,
    classification_scheme VARCHAR,
    quantity              INTEGER NOT NULL,
    unit_price            DECIMAL(18, 2) NOT NULL,
    total_amount          DECIMAL(18, 2) NOT NULL,
    currency              VARCHAR NOT NULL,
    order_date            DATE NOT NULL,
    delivery_date         DATE,
    funding_source        VARCHAR,
    extra                 JSON,
    upload_id             INTEGER NOT NULL,
    source_row            BIGINT,
    PRIMARY KEY (agency_code, ocid, po_number, line_no)
);

CREATE TABLE assets (
    asset_id        VARCHAR PRIMARY KEY,
    agency_code     VARCHAR NOT NULL,
    department      VARCHAR,
    category        VARCHAR NOT NULL,
    category_raw    VARCHAR,
    model           VARCHAR,
    serial_number   VARCHAR,
    ocid            VARCHAR,
    po_number       VARCHAR,
    line_no         INTEGER,
    purchase_cost   DECIMAL(18, 2) NOT NULL,
    purchase_date   DATE,
    in_service_date DATE,
    status          VARCHAR NOT NULL,
    status_raw      VARCHAR,
    disposal_date   DATE,
    location        VARCHAR,
    standby         BOOLEAN NOT NULL,
    extra           JSON,
    upload_id       INTEGER NOT NULL,
    source_row      BIGINT
);

-- One row per asset, day and source. No key constraint: uniqueness is kept by the ingest's
-- delete-then-insert on (asset_id, usage_date, source), which keeps bulk loads fast.
CREATE TABLE usage_daily (
    asset_id    VARCHAR NOT NULL,
    usage_date  DATE NOT NULL,
    source      VARCHAR NOT NULL DEFAULT '',
    hours_used  DOUBLE NOT NULL,
    extra       JSON,
    upload_id   INTEGER NOT NULL
);

-- Rows refused by an upload that was committed with --partial: kept, with their reasons.
CREATE TABLE rejected_rows (
    upload_id   INTEGER NOT NULL,
    row_number  BIGINT NOT NULL,
    row_data    JSON NOT NULL,
    errors      JSON NOT NULL,
    error_en    VARCHAR NOT NULL,
    error_zh    VARCHAR NOT NULL
);
