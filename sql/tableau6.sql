-- Tableau 6 over the period (docs/tables.md): the funds mobilised by ESF axis and financer, direct,
-- indirect and their total, the sub-total mobilised, the funds not mobilised (AUTRES_PRIVES as
-- "fonds privés", AUTRES for the other financers; total only), TOTAL GÉNÉRAL and DONT FSE (every
-- FSE line, mobilised or not): exactly the columns and lines of `consolide tableau 6 --format
-- csv`, amounts in euros (DECIMAL, exact). Plain SQL; reads the views `financements`
-- (duckdb.sql, spark.sql) and `periode` (periode.sql). Its PLIE are those of `financements` with
-- a line for the period.
WITH lignes (ordre, grp, code, label) AS (
    VALUES
        (1, 'axe3', 'total', 'Axe 3 du PON 2014-2020'),
        (2, 'axe3', 'COLLECTIVITES', 'Collectivités locales (communes, communautés de communes, aggro., communautés urbaines...)'),
        (3, 'axe3', 'DEPARTEMENT', 'Conseil départemental'),
        (4, 'axe3', 'REGION', 'Conseil régional'),
        (5, 'axe3', 'ETAT', 'Etat'),
        (6, 'axe3', 'AUTRES_PUBLICS', 'Autres financements publics mobilisés en contrepartie du FSE'),
        (7, 'axe3', 'AUTRES_PRIVES', 'Autres financements privés mobilisés en contrepartie du FSE'),
        (8, 'axe3', 'FSE', 'FSE'),
        (9, 'axe4', 'total', 'Axe 4 du PON 2014-2020 (AT)'),
        (10, 'axe4', 'COLLECTIVITES', 'Collectivités locales (communes, communautés de communes, aggro., communautés urbaines...)'),
        (11, 'axe4', 'DEPARTEMENT', 'Conseil départemental'),
        (12, 'axe4', 'REGION', 'Conseil régional'),
        (13, 'axe4', 'ETAT', 'Etat'),
        (14, 'axe4', 'AUTRES_PUBLICS', 'Autres financements publics mobilisés en contrepartie du FSE'),
        (15, 'axe4', 'AUTRES_PRIVES', 'Autres financements privés mobilisés en contrepartie du FSE'),
        (16, 'axe4', 'FSE', 'FSE'),
        (17, 'mobilise', 'total', 'SOUS-TOTAL MOBILISÉ'),
        (18, 'non_mobilise', 'AUTRES_PRIVES', 'Fonds privés en contrepartie du FSE'),
        (19, 'non_mobilise', 'AUTRES', 'Autres non mobilisés'),
        (20, 'non_mobilise', 'total', 'SOUS-TOTAL NON MOBILISÉ'),
        (21, 'total', 'total', 'TOTAL GÉNÉRAL'),
        (22, 'total', 'FSE', 'DONT FSE')
),
f AS (
    SELECT
        CASE WHEN f.axe = 3 THEN 'axe3' ELSE 'axe4' END AS axe,
        f.financeur,
        f.mobilise,
        f.direct,
        f.indirect
    FROM financements f
    JOIN periode y ON f.annee = y.annee
),
cellules (grp, code, direct, indirect) AS (
    SELECT axe, financeur, SUM(direct), SUM(indirect) FROM f WHERE mobilise GROUP BY axe, financeur
    UNION ALL
    SELECT axe, 'total', SUM(direct), SUM(indirect) FROM f WHERE mobilise GROUP BY axe
    UNION ALL
    SELECT 'mobilise', 'total', SUM(direct), SUM(indirect) FROM f WHERE mobilise
    UNION ALL
    SELECT
        'non_mobilise',
        CASE WHEN financeur = 'AUTRES_PRIVES' THEN 'AUTRES_PRIVES' ELSE 'AUTRES' END,
        SUM(direct),
        SUM(indirect)
    FROM f
    WHERE NOT mobilise
    GROUP BY CASE WHEN financeur = 'AUTRES_PRIVES' THEN 'AUTRES_PRIVES' ELSE 'AUTRES' END
    UNION ALL
    SELECT 'non_mobilise', 'total', SUM(direct), SUM(indirect) FROM f WHERE NOT mobilise
    UNION ALL
    SELECT 'total', 'total', SUM(direct), SUM(indirect) FROM f
    UNION ALL
    SELECT 'total', 'FSE', SUM(direct), SUM(indirect) FROM f WHERE financeur = 'FSE'
)
SELECT
    l.grp AS "group",
    l.code AS "row",
    l.label,
    COALESCE(c.direct, 0) + COALESCE(c.indirect, 0) AS total,
    CASE WHEN l.grp IN ('axe3', 'axe4', 'mobilise') THEN COALESCE(c.direct, 0) END AS direct,
    CASE WHEN l.grp IN ('axe3', 'axe4', 'mobilise') THEN COALESCE(c.indirect, 0) END AS indirect
FROM lignes l
LEFT JOIN cellules c ON c.grp = l.grp AND c.code = l.code
ORDER BY l.ordre;
