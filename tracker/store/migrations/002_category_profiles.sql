-- Category profiles (docs/rules.md, category profiles), editable by an administrator, each change dated.
-- No rows are seeded here: the defaults live once, in tracker/categories.py, and
-- tracker/profiles.py inserts the missing ones (ensure_default_profiles).
CREATE TABLE category_profiles (
    category       VARCHAR PRIMARY KEY,
    hours_per_day  DOUBLE NOT NULL CHECK (hours_per_day > 0 AND hours_per_day <= 24),
    days           VARCHAR NOT NULL CHECK (days IN ('workdays', 'all')),
    low_threshold  DOUBLE NOT NULL CHECK (low_threshold > 0 AND low_threshold <= 1),
    life_years     INTEGER NOT NULL CHECK (life_years BETWEEN 1 AND 50),
    price_cap      DECIMAL(18, 2) CHECK (price_cap >= 0),   -- NULL: no cap
    changed_at     TIMESTAMP NOT NULL,
    changed_by     VARCHAR NOT NULL
);

CREATE SEQUENCE category_profile_change_id_seq START 1;

-- Append-only: one row per changed field; field '*' with new_value 'default' records a row
-- created from the defaults. Values are kept as text, as they were written.
CREATE TABLE category_profile_changes (
    change_id   BIGINT PRIMARY KEY DEFAULT nextval('category_profile_change_id_seq'),
    category    VARCHAR NOT NULL,
    field       VARCHAR NOT NULL,
    old_value   VARCHAR,
    new_value   VARCHAR,
    changed_at  TIMESTAMP NOT NULL,
    changed_by  VARCHAR NOT NULL,
    note        VARCHAR
);
