-- Append-only history of stored settings (including rule parameters, named "rule.CODE.name"):
-- one row per change, with the value before and after, who and when.
CREATE SEQUENCE setting_change_id_seq START 1;

CREATE TABLE setting_changes (
    change_id   BIGINT PRIMARY KEY DEFAULT nextval('setting_change_id_seq'),
    name        VARCHAR NOT NULL,
    old_value   VARCHAR,
    new_value   VARCHAR NOT NULL,
    changed_at  TIMESTAMP NOT NULL,
    changed_by  VARCHAR NOT NULL
);
