-- Devices named by host name or serial number: the register keeps the host name, and each usage day
-- keeps the kind of evidence behind it (usage | signed_in | powered_on | seen).
ALTER TABLE assets ADD COLUMN hostname VARCHAR;
ALTER TABLE usage_daily ADD COLUMN evidence VARCHAR NOT NULL DEFAULT 'usage';
-- a day a device was only seen on has no hours (unknown, never zero)
ALTER TABLE usage_daily ALTER COLUMN hours_used DROP NOT NULL;
