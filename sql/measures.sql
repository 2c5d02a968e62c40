-- MEASURES.md over the Parquet export (`consolide export --parquet DIR`), in plain SQL: EXTRACT,
-- CASE, NULLIF, COUNT(DISTINCT), nothing of one engine's dialect. Reads the views `parcours`
-- (the export's parcours: duckdb.sql) and `periode (annee)` (the years: periode.sql).

-- One row per parcours and year of the period in which it is en parcours (in parcours at some
-- time of the year: entered by 31/12, not exited before 1/1), with the parcours's columns, the
-- year, and its contribution (0 or 1) to each count of MEASURES.md that year. Any cross-tab is a
-- GROUP BY over it: SUM(sorties_positives) by niveau and tranche_age, WHERE region = '...'.
CREATE OR REPLACE VIEW parcours_annee AS
SELECT
    a.*,
    CASE WHEN a.annee_entree = a.annee THEN 1 ELSE 0 END AS entrees,
    1 AS en_parcours,
    CASE WHEN a.annee_entree < a.annee THEN 1 ELSE 0 END AS report,
    CASE WHEN a.annee_sortie IS NULL OR a.annee_sortie > a.annee THEN 1 ELSE 0 END AS en_cours_fin,
    CASE WHEN a.annee_sortie = a.annee THEN 1 ELSE 0 END AS sorties,
    CASE WHEN a.annee_sortie = a.annee
              AND a.motif_sortie IN ('EMPLOI', 'FORMATION', 'AUTRE_POSITIVE')
         THEN 1 ELSE 0 END AS sorties_positives,
    CASE WHEN a.annee_sortie = a.annee AND a.motif_sortie = 'EMPLOI'
         THEN 1 ELSE 0 END AS sorties_emploi,
    CASE WHEN a.annee_sortie = a.annee AND a.motif_sortie = 'FORMATION'
         THEN 1 ELSE 0 END AS sorties_formation,
    CASE WHEN a.annee_sortie = a.annee AND a.motif_sortie = 'AUTRE_POSITIVE'
         THEN 1 ELSE 0 END AS sorties_autres_positives,
    CASE WHEN a.annee_sortie = a.annee
              AND a.motif_sortie IN ('ABANDON', 'DEMENAGEMENT_DECES_RETRAITE', 'AUTRE_SANS_SUITE')
         THEN 1 ELSE 0 END AS sorties_sans_suite,
    CASE WHEN a.annee_sortie = a.annee AND a.motif_sortie = 'ABANDON'
         THEN 1 ELSE 0 END AS abandons,
    CASE WHEN a.annee_sortie = a.annee AND a.motif_sortie = 'DEMENAGEMENT_DECES_RETRAITE'
         THEN 1 ELSE 0 END AS demenagements_deces_retraites,
    CASE WHEN a.annee_sortie = a.annee AND a.motif_sortie = 'AUTRE_SANS_SUITE'
         THEN 1 ELSE 0 END AS autres_sans_suite
FROM (
    SELECT
        p.*,
        y.annee,
        EXTRACT(YEAR FROM p.entree) AS annee_entree,
        EXTRACT(YEAR FROM p.sortie) AS annee_sortie
    FROM parcours p
    CROSS JOIN periode y
) a
WHERE a.annee_entree <= a.annee
  AND (a.annee_sortie IS NULL OR a.annee_sortie >= a.annee);

-- The counts over the period (each the sum of its yearly figures, so en_parcours is
-- parcours-years over a range), the distinct parcours active in it, the PLIE with a parcours
-- active in it, the four rates (NULL, never 0, when the denominator is 0) and Tableau 1's mean
-- months of inactivity (over the parcours-years whose inactivity is a number).
CREATE OR REPLACE VIEW mesures AS
SELECT
    COALESCE(SUM(entrees), 0) AS entrees,
    COALESCE(SUM(en_parcours), 0) AS en_parcours,
    COALESCE(SUM(report), 0) AS report,
    COALESCE(SUM(en_cours_fin), 0) AS en_cours_fin,
    COALESCE(SUM(sorties), 0) AS sorties,
    COALESCE(SUM(sorties_positives), 0) AS sorties_positives,
    COALESCE(SUM(sorties_emploi), 0) AS sorties_emploi,
    COALESCE(SUM(sorties_formation), 0) AS sorties_formation,
    COALESCE(SUM(sorties_autres_positives), 0) AS sorties_autres_positives,
    COALESCE(SUM(sorties_sans_suite), 0) AS sorties_sans_suite,
    COALESCE(SUM(abandons), 0) AS abandons,
    COALESCE(SUM(demenagements_deces_retraites), 0) AS demenagements_deces_retraites,
    COALESCE(SUM(autres_sans_suite), 0) AS autres_sans_suite,
    (SELECT COUNT(*) FROM (SELECT DISTINCT plie, participant, entree FROM parcours_annee) d)
        AS parcours_distincts,
    COUNT(DISTINCT plie) AS plie,
    CAST(SUM(sorties_positives) AS DOUBLE) / NULLIF(SUM(sorties), 0)
        AS taux_sorties_positives,
    CAST(SUM(sorties_positives) AS DOUBLE)
        / NULLIF(SUM(sorties) - SUM(demenagements_deces_retraites), 0)
        AS taux_sorties_positives_hors_dem,
    CAST(SUM(sorties_positives) AS DOUBLE) / NULLIF(SUM(entrees), 0)
        AS taux_sorties_positives_entrees,
    CAST(SUM(abandons) AS DOUBLE) / NULLIF(SUM(sorties), 0) AS taux_abandons,
    AVG(CAST(inactivite_mois AS DOUBLE)) AS inactivite_moyenne_mois
FROM parcours_annee;
