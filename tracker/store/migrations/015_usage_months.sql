-- Monthly roll-ups of daily usage (tracker/store/usage_months.py): one row per device and month, refreshed
-- inside every usage upload for the months it touched. Filled from the stored rows when this migration runs.
-- No key constraint, as for usage_daily: the refresh deletes the touched months before writing them again.
CREATE TABLE usage_months (
    asset_id     VARCHAR NOT NULL,
    month        DATE NOT NULL,
    next_month   DATE NOT NULL,
    use_hours    DOUBLE NOT NULL,
    use_days     BIGINT NOT NULL,
    use_first    DATE,
    use_last     DATE,
    usage_last   DATE,
    active_first DATE,
    active_last  DATE,
    on_first     DATE,
    on_last      DATE
);
