-- OCDS feeds: a purchase whose price is unknown is kept, and buyers named without an id get a code.

-- One contract value covering several items leaves each line's price unknown (NULL, never 0);
-- the value of the whole order or contract is kept on its lines.
ALTER TABLE procurement_lines ALTER COLUMN unit_price DROP NOT NULL;
ALTER TABLE procurement_lines ALTER COLUMN total_amount DROP NOT NULL;
ALTER TABLE procurement_lines ADD COLUMN order_total_amount DECIMAL(18, 2);

-- The agency code given to a buyer that an OCDS file names without any id, by the buyer's name
-- (folded for case, width, accents and spaces); reused by every later upload.
CREATE TABLE ocds_agency_codes (
    name_key     VARCHAR PRIMARY KEY,
    buyer_name   VARCHAR NOT NULL,
    agency_code  VARCHAR NOT NULL,
    changed_at   TIMESTAMP NOT NULL,
    changed_by   VARCHAR NOT NULL
);
