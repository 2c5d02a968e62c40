-- Tableau 1 over the period (MEASURES.md), exactly the columns and rows of CLI.md's "Tableau 1 in
-- csv", in its order, zero lines included. Plain SQL (GROUPING SETS is SQL:1999); reads the view
-- parcours_annee of measures.sql.
WITH lignes (ordre, grp, code, label) AS (
    VALUES
        (1, 'total', 'total', 'Nombre total'),
        (2, 'sexe', 'H', 'hommes'),
        (3, 'sexe', 'F', 'femmes'),
        (4, 'age_26', '<26', '< 26 ans'),
        (5, 'age_26', '>=26', '≥ 26 ans'),
        (6, 'tranche_age', '15-24', '15-24 ans'),
        (7, 'tranche_age', '25-44', '25-44 ans'),
        (8, 'tranche_age', '45-54', '45-54 ans'),
        (9, 'tranche_age', '55-64', '55-64 ans'),
        (10, 'tranche_age', '65+', '65 ans et +'),
        (11, 'th', '1', 'Travailleurs handicapés'),
        (12, 'inscrit_pe', '1', 'Participants inscrits à Pôle emploi'),
        (13, 'public', 'DELD', 'DELD'),
        (14, 'public_x_inscrit_pe', 'DELD', 'dont inscrits Pôle emploi'),
        (15, 'public', 'RSA', 'RSA'),
        (16, 'public_x_inscrit_pe', 'RSA', 'dont inscrits Pôle emploi'),
        (17, 'public', 'AUTRE', 'Autres publics en difficulté'),
        (18, 'public_x_inscrit_pe', 'AUTRE', 'dont inscrits Pôle emploi'),
        (19, 'niveau', 'VI', 'VI'),
        (20, 'niveau', 'VBIS', 'V bis'),
        (21, 'niveau', 'V', 'V'),
        (22, 'niveau', 'IV', 'IV'),
        (23, 'niveau', 'III', 'III'),
        (24, 'niveau', 'II', 'II'),
        (25, 'niveau', 'I', 'I'),
        (26, 'niveau', '9', '9'),
        (27, 'niveau', 'NC', 'Non connu'),
        (28, 'inactivite', '<1', '< 1 an'),
        (29, 'inactivite', '1-2', 'de 1 à 2 ans'),
        (30, 'inactivite', '2-3', 'de 2 à 3 ans'),
        (31, 'inactivite', '3-5', 'de 3 à 5 ans'),
        (32, 'inactivite', '5+', 'plus de 5 ans'),
        (33, 'inactivite', 'JAMAIS', 'aucune activité')
),
p AS (
    SELECT
        sexe, age_26, tranche_age, public, niveau, inactivite,
        CASE WHEN th THEN '1' ELSE '0' END AS th,
        CASE WHEN inscrit_pe THEN '1' ELSE '0' END AS inscrit_pe,
        entrees, en_parcours, report, sorties_positives, sorties_emploi, sorties_formation,
        sorties_sans_suite, abandons, demenagements_deces_retraites, autres_sans_suite
    FROM parcours_annee
),
-- One cell per value of each group; of public × inscrit_pe (`pe`) the lines keep the registered
-- only (in the join below: HAVING may not name a grouping column in every engine).
cellules AS (
    SELECT
        CASE
            WHEN GROUPING(public) = 0 AND GROUPING(inscrit_pe) = 0 THEN 'public_x_inscrit_pe'
            WHEN GROUPING(sexe) = 0 THEN 'sexe'
            WHEN GROUPING(age_26) = 0 THEN 'age_26'
            WHEN GROUPING(tranche_age) = 0 THEN 'tranche_age'
            WHEN GROUPING(th) = 0 THEN 'th'
            WHEN GROUPING(inscrit_pe) = 0 THEN 'inscrit_pe'
            WHEN GROUPING(public) = 0 THEN 'public'
            WHEN GROUPING(niveau) = 0 THEN 'niveau'
            WHEN GROUPING(inactivite) = 0 THEN 'inactivite'
            ELSE 'total'
        END AS grp,
        COALESCE(sexe, age_26, tranche_age, th, public, inscrit_pe, niveau, inactivite, 'total')
            AS code,
        CASE WHEN GROUPING(public) = 0 AND GROUPING(inscrit_pe) = 0 THEN inscrit_pe END AS pe,
        SUM(entrees) AS entrees,
        SUM(en_parcours) AS en_parcours,
        SUM(report) AS report,
        SUM(sorties_positives) AS sorties_positives,
        SUM(sorties_emploi) AS sorties_emploi,
        SUM(sorties_formation) AS sorties_formation,
        SUM(sorties_sans_suite) AS sorties_sans_suite,
        SUM(abandons) AS abandons,
        SUM(demenagements_deces_retraites) AS demenagements_deces_retraites,
        SUM(autres_sans_suite) AS autres_sans_suite
    FROM p
    GROUP BY GROUPING SETS (
        (), (sexe), (age_26), (tranche_age), (th), (inscrit_pe), (public),
        (public, inscrit_pe), (niveau), (inactivite)
    )
)
SELECT
    l.grp AS "group",
    l.code AS "row",
    l.label,
    COALESCE(c.entrees, 0) AS entrees,
    COALESCE(c.en_parcours, 0) AS en_parcours,
    COALESCE(c.report, 0) AS report,
    COALESCE(c.sorties_positives, 0) AS sorties_positives,
    COALESCE(c.sorties_emploi, 0) AS sorties_emploi,
    COALESCE(c.sorties_formation, 0) AS sorties_formation,
    COALESCE(c.sorties_sans_suite, 0) AS sorties_sans_suite,
    COALESCE(c.abandons, 0) AS abandons,
    COALESCE(c.demenagements_deces_retraites, 0) AS demenagements_deces_retraites,
    COALESCE(c.autres_sans_suite, 0) AS autres_sans_suite,
    CAST(c.sorties_positives AS DOUBLE)
        / NULLIF(c.sorties_positives + c.sorties_sans_suite, 0) AS taux_sortie_positive
FROM lignes l
LEFT JOIN cellules c ON c.grp = l.grp AND c.code = l.code AND (c.pe IS NULL OR c.pe = '1')
ORDER BY l.ordre;
