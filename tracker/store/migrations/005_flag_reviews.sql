-- Reviews of findings (docs/data-path.md, reviews): append-only, one row per change of disposition.
-- flag_id names the finding in one window; finding_key (rule + subject) names the same finding
-- across windows, so a review is shown again when the finding reappears after recomputation.
CREATE SEQUENCE flag_review_id_seq START 1;

CREATE TABLE flag_reviews (
    review_id       BIGINT PRIMARY KEY DEFAULT nextval('flag_review_id_seq'),
    flag_id         VARCHAR NOT NULL,
    finding_key     VARCHAR NOT NULL,
    rule            VARCHAR NOT NULL,
    agency_code     VARCHAR,
    subject         VARCHAR NOT NULL,        -- the subject key: asset id, agency|ocid|po|line, …
    status          VARCHAR NOT NULL CHECK (status IN ('open', 'confirmed', 'dismissed', 'resolved')),
    reason          VARCHAR,                 -- required when dismissed
    note            VARCHAR,
    value_at_stake  DOUBLE,                  -- the finding's value when it was reviewed
    as_of           DATE NOT NULL,
    window_days     INTEGER NOT NULL,
    reviewed_by     VARCHAR NOT NULL,
    reviewed_at     TIMESTAMP NOT NULL
);
CREATE INDEX flag_reviews_key ON flag_reviews (finding_key);
