-- The price caps OVER_PRICE_CAP applies are the equipment standards' (docs/reallocation.md), no longer the
-- category profiles'. A cap an administrator had set on a profile (one that differs from the profile's
-- built-in cap: desktop 5,000, laptop 7,000, printer 1,200 yuan, none for the others) is carried over as
-- that category's row of the central 2016 version, which replaces the built-in row, with the standard's
-- own minimum service life and copies. The profile's column stays (older exports read it) but judges nothing.
INSERT INTO equipment_standards (jurisdiction, version, effective_from, category, price_cap, min_service_years, min_copies)
SELECT 'CN-central', '财资〔2016〕27号', DATE '2016-01-01', p.category, p.price_cap, d.years, d.copies
FROM category_profiles p
LEFT JOIN (
    VALUES ('desktop', 5000, 6, NULL), ('laptop', 7000, 6, NULL), ('printer', 1200, 6, NULL),
           ('copier', NULL, 6, 300000), ('projector', NULL, NULL, NULL), ('scanner', NULL, NULL, NULL)
) AS d(category, profile_cap, years, copies) ON d.category = p.category
WHERE p.price_cap IS DISTINCT FROM CAST(d.profile_cap AS DECIMAL(18, 2))
  AND NOT EXISTS (
      SELECT 1 FROM equipment_standards s
      WHERE s.jurisdiction = 'CN-central' AND s.version = '财资〔2016〕27号' AND s.category = p.category
  );
