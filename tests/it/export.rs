//! `consolide export --parquet DIR`: a crafted transfer exported, its files read back with the
//! `parquet` crate's own reader, every code, date and null checked by hand; the optional files
//! (financements, allocations, activité) and the commitments (PAQTE, plan 10 000) too.

use std::collections::BTreeMap;
use std::path::Path;

use parquet::basic::LogicalType;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;

use crate::util::Dir;

/// Two PLIE: P44 (in plie.csv) and `59` (a code that looks like a number, absent from plie.csv).
fn crafted() -> Dir {
    let dir = Dir::new();
    let transfer = dir.transfer(
        "t",
        &[
            (
                "parcours.csv",
                "plie;participant;entree;sortie;motif_sortie;sexe;naissance;public;inscrit_pe;th;niveau;inactivite;qpv;commune;emploi_secteur;emploi_contrat;formation_domaine;formation_duree_mois\n\
                 P44;b1;15/03/2017;;;F;1980-05;RSA;oui;non;V;JAMAIS;;44109;;;;\n\
                 P44;b2;2016-01-04;2017-06-30;EMPLOI;H;1995-11;DELD;1;0;IV;7;1;;F;CDI;;\n\
                 P44;b3;2014-09-01;2017-02-28;FORMATION;F;1960-09;AUTRE;0;1;I;;0;;;;BTP;6\n\
                 59;c1;2017-12-31;;;H;1952-01;DELD;1;1;NC;60;;;;;;\n",
            ),
            (
                "etapes.csv",
                "plie;participant;entree;type;debut;fin;finance_plie\n\
                 P44;b2;2016-01-04;IAE_ACI;2016-02-01;;1\n\
                 P44;b3;01/09/2014;MOBILISATION;2014-09-01;2015-01-31;0\n",
            ),
            (
                "plie.csv",
                "plie;nom;departement;region;communes;structure_porteuse;gestion_fse\n\
                 P44;PLIE de Nantes;44;Pays de la Loire;24;MDE;OI_PIVOT\n",
            ),
        ],
    );
    dir.import(&[&transfer]);
    dir
}

/// The rows of a Parquet file, each column rendered as text (`null` for a null), and its schema's
/// column names.
fn read(path: &Path) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let reader = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    let schema = reader.metadata().file_metadata().schema_descr();
    let names = schema
        .columns()
        .iter()
        .map(|c| c.name().to_owned())
        .collect();
    let rows = reader
        .get_row_iter(None)
        .unwrap()
        .map(|row| {
            row.unwrap()
                .get_column_iter()
                .map(|(name, field)| {
                    let text = match field {
                        Field::Str(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (name.clone(), text)
                })
                .collect()
        })
        .collect();
    (names, rows)
}

/// The logical type of column `name` of a Parquet file.
fn logical(path: &Path, name: &str) -> Option<LogicalType> {
    let reader = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    let schema = reader.metadata().file_metadata().schema_descr();
    let column = schema.columns().iter().find(|c| c.name() == name).unwrap();
    column.logical_type_ref().cloned()
}

#[test]
fn parcours_and_etapes_come_back_with_cli_codes_and_dates() {
    let dir = crafted();
    let out = dir.path().join("export");
    let summary = dir
        .run(&["export", "--parquet", out.to_str().unwrap()])
        .ok();
    // plie.parquet, and a parcours, an étapes, a financements, an allocations and an activite
    // partition per PLIE; no commitments in the store, so no paqte/.
    assert!(
        summary.starts_with("2 PLIE, 4 parcours, 2 étapes written to ")
            && summary.contains("(11 Parquet files,"),
        "{summary}"
    );
    // 59 sent no étapes: its file has the schema and no row, so that a glob always matches.
    let (names, rows) = read(&out.join("etapes/plie=59/part-0.parquet"));
    assert_eq!((names.len(), rows.len()), (7, 0));
    // Nor optional files.
    for (table, columns) in [("financements", 9), ("allocations", 7), ("activite", 6)] {
        let (names, rows) = read(&out.join(format!("{table}/plie=59/part-0.parquet")));
        assert_eq!((names.len(), rows.len()), (columns, 0), "{table}");
    }
    assert!(!out.join("paqte").exists());

    let p44 = out.join("parcours/plie=P44/part-0.parquet");
    let (names, rows) = read(&p44);
    assert_eq!(
        names,
        [
            "plie",
            "departement",
            "region",
            "participant",
            "entree",
            "sortie",
            "motif_sortie",
            "sexe",
            "naissance",
            "age",
            "age_26",
            "tranche_age",
            "age45",
            "public",
            "inscrit_pe",
            "th",
            "niveau",
            "niveau_groupe",
            "inactivite",
            "inactivite_mois",
            "qpv",
            "commune",
            "emploi_secteur",
            "emploi_employeur",
            "emploi_taille",
            "emploi_contrat",
            "emploi_mesure",
            "formation_domaine",
            "formation_niveau",
            "formation_validation",
            "formation_duree_mois",
        ]
    );
    assert_eq!(logical(&p44, "entree"), Some(LogicalType::Date));
    assert_eq!(logical(&p44, "sortie"), Some(LogicalType::Date));
    assert_eq!(logical(&p44, "sexe"), Some(LogicalType::String));
    // Rows keep the store's order: by entry day.
    let who: Vec<&str> = rows.iter().map(|r| r["participant"].as_str()).collect();
    assert_eq!(who, ["b3", "b2", "b1"]);
    let field = |i: usize, name: &str| rows[i][name].as_str();
    for i in 0..3 {
        assert_eq!(field(i, "plie"), "P44");
        assert_eq!(field(i, "departement"), "44");
        assert_eq!(field(i, "region"), "Pays de la Loire");
    }
    // b3: born 1960-09, entered 2014-09-01: 54 on the first of the birth month's anniversary.
    let b3 = [
        ("entree", "2014-09-01"),
        ("sortie", "2017-02-28"),
        ("motif_sortie", "FORMATION"),
        ("sexe", "F"),
        ("naissance", "1960-09"),
        ("age", "54"),
        ("age_26", ">=26"),
        ("tranche_age", "45-54"),
        ("age45", ">=45"),
        ("public", "AUTRE"),
        ("inscrit_pe", "false"),
        ("th", "true"),
        ("niveau", "I"),
        ("niveau_groupe", "IV+"),
        ("inactivite", "?"),
        ("inactivite_mois", "null"),
        ("qpv", "false"),
        ("commune", "null"),
        ("emploi_secteur", "null"),
        ("formation_domaine", "BTP"),
        ("formation_niveau", "null"),
        ("formation_duree_mois", "6"),
    ];
    // b2: born 1995-11, entered 2016-01-04: 20.
    let b2 = [
        ("sortie", "2017-06-30"),
        ("motif_sortie", "EMPLOI"),
        ("sexe", "H"),
        ("age", "20"),
        ("age_26", "<26"),
        ("tranche_age", "15-24"),
        ("age45", "<45"),
        ("public", "DELD"),
        ("inscrit_pe", "true"),
        ("niveau_groupe", "IV+"),
        ("inactivite", "<1"),
        ("inactivite_mois", "7"),
        ("qpv", "true"),
        ("emploi_secteur", "F"),
        ("emploi_contrat", "CDI"),
        ("emploi_employeur", "null"),
        ("formation_duree_mois", "null"),
    ];
    // b1: born 1980-05, entered 2017-03-15 (dd/mm/yyyy in the transfer): 36, still in parcours.
    let b1 = [
        ("entree", "2017-03-15"),
        ("sortie", "null"),
        ("motif_sortie", "null"),
        ("age", "36"),
        ("tranche_age", "25-44"),
        ("public", "RSA"),
        ("inscrit_pe", "true"),
        ("th", "false"),
        ("niveau", "V"),
        ("niveau_groupe", "V"),
        ("inactivite", "JAMAIS"),
        ("inactivite_mois", "null"),
        ("qpv", "null"),
        ("commune", "44109"),
    ];
    for (i, expected) in [&b3[..], &b2, &b1].into_iter().enumerate() {
        for (name, value) in expected {
            assert_eq!(field(i, name), *value, "{} {name}", field(i, "participant"));
        }
    }

    // PLIE 59 is not in plie.csv: `?` as CLI.md's departement and region; its code stays text.
    let (_, rows) = read(&out.join("parcours/plie=59/part-0.parquet"));
    assert_eq!(rows.len(), 1);
    let c1 = &rows[0];
    assert_eq!(
        (
            c1["plie"].as_str(),
            c1["departement"].as_str(),
            c1["region"].as_str()
        ),
        ("59", "?", "?")
    );
    // Born 1952-01, entered 2017-12-31: 65.
    assert_eq!(c1["tranche_age"], "65+");
    assert_eq!(c1["niveau_groupe"], "NC");
    assert_eq!(
        (c1["inactivite"].as_str(), c1["inactivite_mois"].as_str()),
        ("5+", "60")
    );

    // Étapes carry their parcours's key: plie, participant, entree.
    let (names, rows) = read(&out.join("etapes/plie=P44/part-0.parquet"));
    assert_eq!(
        names,
        [
            "plie",
            "participant",
            "entree",
            "type",
            "debut",
            "fin",
            "finance_plie"
        ]
    );
    let etapes: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| names.iter().map(|n| r[n].as_str()).collect())
        .collect();
    assert_eq!(
        etapes,
        [
            [
                "P44",
                "b3",
                "2014-09-01",
                "MOBILISATION",
                "2014-09-01",
                "2015-01-31",
                "false"
            ],
            [
                "P44",
                "b2",
                "2016-01-04",
                "IAE_ACI",
                "2016-02-01",
                "null",
                "true"
            ],
        ]
    );

    let (_, plies) = read(&out.join("plie.parquet"));
    let plies: Vec<Vec<&str>> = plies
        .iter()
        .map(|r| {
            [
                "plie",
                "nom",
                "departement",
                "region",
                "communes",
                "gestion_fse",
                "parcours",
                "etapes",
            ]
            .iter()
            .map(|n| r[*n].as_str())
            .collect()
        })
        .collect();
    assert_eq!(
        plies,
        [
            ["59", "null", "?", "?", "null", "null", "1", "0"],
            [
                "P44",
                "PLIE de Nantes",
                "44",
                "Pays de la Loire",
                "24",
                "OI_PIVOT",
                "3",
                "2"
            ],
        ]
    );
}

#[test]
fn an_occupied_folder_is_refused_and_a_missing_store_is_a_storage_error() {
    let dir = crafted();
    let out = dir.path().join("export");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("old.parquet"), "an earlier export").unwrap();
    let run = dir.run(&["export", "--parquet", out.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.starts_with("error: ") && run.stderr.contains("is not empty"));

    // An empty folder is fine.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    dir.run(&["export", "--parquet", empty.to_str().unwrap()])
        .ok();

    let run = Dir::new().run(&["export", "--parquet", "x"]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.stderr.starts_with("error: no store at "),
        "{}",
        run.stderr
    );
}

/// The rows of a Parquet file as lists of texts in the schema's order.
fn lines(path: &Path) -> Vec<Vec<String>> {
    let (names, rows) = read(path);
    rows.iter()
        .map(|r| names.iter().map(|n| r[n].clone()).collect())
        .collect()
}

#[test]
fn the_optional_files_come_back_by_plie_with_exact_amounts() {
    let dir = Dir::new();
    let transfer = dir.transfer(
        "t",
        &[
            (
                "parcours.csv",
                "plie;participant;entree;sortie;motif_sortie;sexe;naissance;public;inscrit_pe;th;niveau\n\
                 P44;b1;15/03/2017;;;F;1980-05;RSA;oui;non;V\n\
                 P59;c1;2017-01-02;;;H;1970-05;DELD;1;0;IV\n",
            ),
            (
                "plie.csv",
                "plie;nom;departement;region\nP44;PLIE de Nantes;44;Pays de la Loire\n",
            ),
            (
                "financements.csv",
                "plie;annee;axe;financeur;direct;indirect;mobilise\n\
                 P44;2017;3;FSE;1 234,56;100;1\n\
                 P44;2016;4;REGION;0,05;;0\n",
            ),
            (
                "allocations.csv",
                "plie;annee;structure;montant;dont_fse\n\
                 P44;2017;ACI;1000;400,5\n\
                 P44;2017;MISSION_LOCALE;99999999,99;\n",
            ),
            (
                "activite.csv",
                "plie;annee;indicateur;valeur\nP44;2017;etp;3,5\nP59;2017;REUNIONS;12\n",
            ),
        ],
    );
    dir.import(&[&transfer]);
    let out = dir.path().join("export");
    let summary = dir
        .run(&["export", "--parquet", out.to_str().unwrap()])
        .ok();
    assert!(summary.contains("(11 Parquet files,"), "{summary}");

    let p44 = |table: &str| out.join(format!("{table}/plie=P44/part-0.parquet"));
    let (names, _) = read(&p44("financements"));
    assert_eq!(
        names,
        [
            "plie",
            "departement",
            "region",
            "annee",
            "axe",
            "financeur",
            "direct",
            "indirect",
            "mobilise"
        ]
    );
    // Amounts are DECIMAL(18,2): exact cents in every engine.
    assert_eq!(
        logical(&p44("financements"), "direct"),
        Some(LogicalType::decimal(2, 18))
    );
    let mut financements = lines(&p44("financements"));
    financements.sort();
    assert_eq!(
        financements,
        [
            [
                "P44",
                "44",
                "Pays de la Loire",
                "2016",
                "4",
                "REGION",
                "0.05",
                "0.00",
                "false"
            ],
            [
                "P44",
                "44",
                "Pays de la Loire",
                "2017",
                "3",
                "FSE",
                "1234.56",
                "100.00",
                "true"
            ],
        ]
    );
    let mut allocations = lines(&p44("allocations"));
    allocations.sort();
    assert_eq!(
        allocations,
        [
            [
                "P44",
                "44",
                "Pays de la Loire",
                "2017",
                "ACI",
                "1000.00",
                "400.50"
            ],
            [
                "P44",
                "44",
                "Pays de la Loire",
                "2017",
                "MISSION_LOCALE",
                "99999999.99",
                "0.00"
            ],
        ]
    );
    assert_eq!(
        lines(&p44("activite")),
        [["P44", "44", "Pays de la Loire", "2017", "ETP", "3.50"]]
    );
    // P59 is absent from plie.csv: `?`, as in parcours; it sent activité only.
    assert_eq!(
        lines(&out.join("activite/plie=P59/part-0.parquet")),
        [["P59", "?", "?", "2017", "REUNIONS", "12.00"]]
    );
    assert!(lines(&out.join("financements/plie=P59/part-0.parquet")).is_empty());
}

#[test]
fn the_commitments_come_back_by_department() {
    let dir = Dir::new();
    let paqte = crate::paqte::folder(&dir, "p44", &crate::paqte::crafted44());
    let plie = dir.transfer(
        "t",
        &[(
            "parcours.csv",
            "plie;participant;entree;sortie;motif_sortie;sexe;naissance;public;inscrit_pe;th;niveau\n\
             P44;b1;15/03/2017;;;F;1980-05;RSA;oui;non;V\n",
        )],
    );
    dir.import(&[&paqte, &plie]);
    let out = dir.path().join("export");
    let summary = dir
        .run(&["export", "--parquet", out.to_str().unwrap()])
        .ok();
    // plie.parquet, P44's five partitions, departements and entreprises, and seven datasets for
    // 44 and for NATIONAL (the national convention N1 belongs to it).
    assert!(summary.contains("(22 Parquet files,"), "{summary}");
    let paqte = out.join("paqte");

    assert_eq!(
        lines(&paqte.join("entreprises.parquet")),
        [
            ["111111111", "Alpha", "PME", "C", "44"],
            ["222222222", "Beta", "TPE", "G", "44"],
            ["333333333", "Gamma", "GE", "K", "75"],
            ["444444444", "Delta", "ETI", "C", "44"],
        ]
    );
    let (names, _) = read(&paqte.join("conventions/departement=44/part-0.parquet"));
    assert_eq!(
        names,
        [
            "departement",
            "convention",
            "entreprise",
            "prefecture",
            "dispositif",
            "debut",
            "fin",
            "sensibiliser",
            "former",
            "recruter",
            "acheter"
        ]
    );
    let mut conventions = lines(&paqte.join("conventions/departement=44/part-0.parquet"));
    conventions.sort();
    assert_eq!(
        conventions,
        [
            [
                "44",
                "C1",
                "111111111",
                "44",
                "PAQTE",
                "2019-01-15",
                "2022-01-14",
                "true",
                "false",
                "true",
                "false"
            ],
            [
                "44",
                "C2",
                "222222222",
                "44",
                "CHARTE_EQ",
                "2018-03-01",
                "2019-06-30",
                "false",
                "true",
                "false",
                "false"
            ],
            [
                "44",
                "C3",
                "444444444",
                "44",
                "PAQTE",
                "2019-09-01",
                "2022-08-31",
                "false",
                "false",
                "true",
                "true"
            ],
        ]
    );
    assert_eq!(
        lines(&paqte.join("conventions/departement=NATIONAL/part-0.parquet")),
        [[
            "NATIONAL",
            "N1",
            "333333333",
            "null",
            "PAQTE",
            "2019-02-01",
            "2022-01-31",
            "false",
            "false",
            "true",
            "false"
        ]]
    );
    let mut engagements = lines(&paqte.join("engagements/departement=44/part-0.parquet"));
    engagements.sort();
    assert!(
        engagements.contains(&vec![
            "44".to_owned(),
            "C3".into(),
            "ACHETER".into(),
            "ACHATS_QPV_SIAE_EUROS".into(),
            "2019".into(),
            "10000.50".into()
        ]),
        "{engagements:?}"
    );
    assert_eq!(engagements.len(), 6);
    let mut realisations = lines(&paqte.join("realisations/departement=44/part-0.parquet"));
    realisations.sort();
    assert_eq!(realisations.len(), 6);
    assert_eq!(
        realisations[0],
        [
            "44",
            "C1",
            "RECRUTER",
            "RECRUTEMENTS_QPV",
            "2019S2",
            "2019",
            "2",
            "2.00"
        ]
    );
    assert_eq!(
        lines(&paqte.join("contexte/departement=44/part-0.parquet")),
        [
            [
                "44",
                "2019S1",
                "2019",
                "1",
                "14",
                "5",
                "58000",
                "6100",
                "Mme Martin, sous-préfète"
            ],
            [
                "44",
                "2019S2",
                "2019",
                "2",
                "15",
                "5",
                "58200",
                "5900",
                "Mme Martin, sous-préfète"
            ],
        ]
    );
    assert_eq!(
        lines(&paqte.join("clubs/departement=44/part-0.parquet")),
        [["44", "CLUB44", "2019-03-15"]]
    );
    assert_eq!(
        lines(&paqte.join("adhesions/departement=44/part-0.parquet")).len(),
        3
    );
    let mut actions = lines(&paqte.join("actions/departement=44/part-0.parquet"));
    actions.sort();
    assert_eq!(
        actions[0],
        [
            "44",
            "CLUB44",
            "111111111",
            "1",
            "OBJECTIF",
            "2019T4",
            "2019",
            "4",
            "10.00"
        ]
    );
    assert_eq!(actions.len(), 4);
    let departements = lines(&paqte.join("departements.parquet"));
    assert_eq!(
        departements,
        [["44", "3", "6", "3"], ["NATIONAL", "1", "1", "0"]]
    );
}
