-- Counter readings of printers, copiers and projectors (docs/meters.md): a device's meter value at a time.
-- Keyed by asset, meter and time; a re-upload replaces a reading by that key.
CREATE TABLE meter_readings (
    asset_id    VARCHAR NOT NULL,
    meter       VARCHAR NOT NULL,
    read_at     TIMESTAMP NOT NULL,
    value       DOUBLE NOT NULL CHECK (value >= 0),
    source      VARCHAR NOT NULL DEFAULT '',
    extra       JSON,
    upload_id   INTEGER NOT NULL,
    source_row  BIGINT
);

-- A category's meter and its capacity, when an administrator sets them (NULL: the default of docs/meters.md).
ALTER TABLE category_profiles ADD COLUMN meter VARCHAR;
ALTER TABLE category_profiles ADD COLUMN meter_capacity DOUBLE;
