-- Computed per-asset utilisation and findings, kept so that a dashboard restarted on unchanged
-- data shows them at once. One row per data version and window; each table is stored as Parquet.
-- Derived data only: deleting rows loses nothing (they are recomputed on the next view).
CREATE TABLE snapshots (
    data_version  VARCHAR NOT NULL,
    as_of         DATE NOT NULL,
    window_days   INTEGER NOT NULL,
    computed_at   TIMESTAMP NOT NULL,
    assets        BLOB NOT NULL,
    lines         BLOB NOT NULL,
    flags         BLOB NOT NULL,
    settings      JSON NOT NULL,
    PRIMARY KEY (data_version, as_of, window_days)
);
