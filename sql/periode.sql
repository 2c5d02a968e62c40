-- The period of the measures: one row per year (MEASURES.md: a year, or a range summed year by
-- year). The only parameter of measures.sql and tableau1.sql; for 2014..2017:
--   CREATE OR REPLACE VIEW periode AS SELECT * FROM (VALUES (2014), (2015), (2016), (2017)) AS t (annee);
CREATE OR REPLACE VIEW periode AS SELECT * FROM (VALUES (2017)) AS t (annee);
