//! Options a data manager finds without knowing the codes (issue 19): `crosstab --help` and
//! `tableau --help` list the measures, dimensions and values; `consolide dimensions` lists the
//! store's values; near misses get a suggestion; territory names match without case or accents;
//! yes/no filters take the import's spellings; `--scope` is shown only where it works.

use std::collections::BTreeSet;

use crate::util::{csv_rows, Dir};

#[test]
fn crosstab_help_describes_its_options_and_their_values() {
    let dir = Dir::new();
    let help = dir.run(&["crosstab", "--help"]).ok();
    for expected in [
        "--measure <MEASURE>",
        "sorties_positives, sorties_emploi",
        "taux_sorties_positives_hors_dem",
        "--rows <DIM>",
        "--cols <DIM>",
        "--filter <DIM=V1[,V2]>",
        "oui/non",
        "niveau_groupe  VI, VBIS, V, IV+, 9, NC",
        "qpv            1, 0, ?",
        "consolide dimensions plie",
        "csv-fr",
    ] {
        assert!(help.contains(expected), "{expected:?} in\n{help}");
    }
    let tableau = dir.run(&["tableau", "--help"]).ok();
    assert!(tableau.contains("tranche_age    15-24, 25-44"), "{tableau}");
    // --scope only where it works.
    for (command, shown) in [
        ("tableau", true),
        ("crosstab", true),
        ("status", true),
        ("generate", false),
        ("report", false),
        ("export", false),
        ("import", false),
        ("demo", false),
    ] {
        let help = dir.run(&[command, "--help"]).ok();
        assert_eq!(help.contains("--scope"), shown, "{command}:\n{help}");
    }
    let paqte = dir.run(&["paqte", "bilan", "--help"]).ok();
    assert!(!paqte.contains("--scope"), "{paqte}");
    let run = dir.run(&["report", "--year", "2017", "--scope", "plie=P1"]);
    assert_eq!(run.code, 2, "{run:?}");
}

/// The exit years of a transfer's parcours.csv (`YYYY-MM-DD` or `D/M/YYYY`), read from the file.
fn exit_years(dir: &Dir, folders: &[&str]) -> BTreeSet<String> {
    let mut years = BTreeSet::new();
    for folder in folders {
        let text = std::fs::read_to_string(dir.path().join(folder).join("parcours.csv")).unwrap();
        let text = text.trim_start_matches('\u{FEFF}');
        let sep = if text.lines().next().unwrap().contains(';') {
            b';'
        } else {
            b','
        };
        let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
            .delimiter(sep)
            .has_headers(false)
            .from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        let at = rows[0]
            .iter()
            .position(|h| h.eq_ignore_ascii_case("sortie"))
            .unwrap();
        for r in &rows[1..] {
            let date = &r[at];
            if date.is_empty() {
                years.insert("-".to_owned());
            } else if let Some((_, year)) = date.rsplit_once('/') {
                years.insert(year.to_owned());
            } else {
                years.insert(date[..4].to_owned());
            }
        }
    }
    years
}

#[test]
fn dimensions_lists_measures_dimensions_and_the_stores_values() {
    let dir = Dir::crafted();
    let all = csv_rows(&dir.run(&["dimensions", "--format", "csv"]).ok());
    assert_eq!(all[0], ["genre", "nom", "valeurs"]);
    let of = |name: &str| {
        all.iter()
            .find(|r| r[1] == name)
            .unwrap_or_else(|| panic!("{name}"))
            .clone()
    };
    assert_eq!(of("taux_abandons")[..], ["mesure", "taux_abandons", "taux"]);
    assert_eq!(of("entrees")[2], "effectif");
    assert_eq!(of("public")[2], "DELD, RSA, AUTRE");
    assert_eq!(
        of("plie")[2],
        "P44A, P59B (2 dans la base : consolide dimensions plie)"
    );
    // 18 measures and 17 dimensions, one line each.
    assert_eq!(all.len(), 1 + 18 + 17);

    // Each data-driven dimension in full.
    let plie = csv_rows(&dir.run(&["dimensions", "plie", "--format", "csv"]).ok());
    assert_eq!(
        plie,
        [
            vec!["plie", "nom", "departement", "region", "parcours"],
            vec!["P44A", "PLIE de l'estuaire", "44", "Pays de la Loire", "17"],
            vec![
                "P59B",
                "PLIE \"Lille; Métropole\"",
                "59",
                "Hauts-de-France",
                "14"
            ],
        ]
    );
    let parcours = |folder: &str| {
        std::fs::read_to_string(dir.path().join(folder).join("parcours.csv"))
            .unwrap()
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .count()
            .to_string()
    };
    assert_eq!(plie[1][4], parcours("crafted"));
    assert_eq!(plie[2][4], parcours("crafted-59"));
    let departements = dir.run(&["dimensions", "departement"]).ok();
    assert!(
        departements.contains("44           Loire-Atlantique  P44A"),
        "{departements}"
    );
    assert!(
        departements.contains("59           Nord              P59B"),
        "{departements}"
    );
    let regions = csv_rows(&dir.run(&["dimensions", "region", "--format", "csv"]).ok());
    assert_eq!(
        regions[1..],
        [
            vec!["Hauts-de-France", "P59B"],
            vec!["Pays de la Loire", "P44A"]
        ]
    );
    let years: Vec<String> = csv_rows(
        &dir.run(&["dimensions", "annee_sortie", "--format", "csv"])
            .ok(),
    )[1..]
        .iter()
        .map(|r| r[0].clone())
        .collect();
    let expected = exit_years(&dir, &["crafted", "crafted-59"]);
    let mut expected: Vec<String> = expected.into_iter().filter(|y| y != "-").collect();
    expected.push("-".into());
    assert_eq!(years, expected);
    let json: serde_json::Value =
        serde_json::from_str(&dir.run(&["dimensions", "sexe", "--format", "json"]).ok()).unwrap();
    assert_eq!(json, serde_json::json!([{"sexe": "H"}, {"sexe": "F"}]));
    let run = dir.run(&["dimensions", "regon"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("did you mean \"region\"?"),
        "{}",
        run.stderr
    );
}

#[test]
fn near_misses_get_a_suggestion() {
    let dir = Dir::crafted();
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "crosstab",
                "--measure",
                "entrees",
                "--year",
                "2017",
                "--rows",
                "nivaeu",
            ],
            "unknown dimension \"nivaeu\"; did you mean \"niveau\"? valid dimensions: sexe",
        ),
        (
            &[
                "tableau",
                "1",
                "--year",
                "2017",
                "--filter",
                "regon=Bretagne",
            ],
            "did you mean \"region\"?",
        ),
        (
            &[
                "crosstab",
                "--measure",
                "sortie_positives",
                "--year",
                "2017",
                "--rows",
                "sexe",
            ],
            "unknown measure \"sortie_positives\"; did you mean \"sorties_positives\"?",
        ),
        (
            &[
                "tableau",
                "1",
                "--year",
                "2017",
                "--filter",
                "region=Hauts-de-Franc",
            ],
            "did you mean \"Hauts-de-France\"? valid values: Hauts-de-France, Pays de la Loire",
        ),
        (
            &["tableau", "1", "--year", "2017", "--format", "csvfr"],
            "did you mean \"csv-fr\"?",
        ),
    ];
    for (args, message) in cases {
        let run = dir.run(args);
        assert_eq!(run.code, 1, "{args:?}: {run:?}");
        assert!(
            run.stderr.starts_with("error: ") && run.stderr.contains(message),
            "{args:?}: {}",
            run.stderr
        );
    }
    // Nothing near: no suggestion.
    let run = dir.run(&["tableau", "1", "--year", "2017", "--filter", "couleur=bleu"]);
    assert!(!run.stderr.contains("did you mean"), "{}", run.stderr);
}

#[test]
fn territories_match_without_case_or_accents_and_yes_no_as_imported() {
    let dir = Dir::crafted();
    // A PLIE of Île-de-France: one 2017 entrant, one 2016 entrant who left for a job in 2017.
    let idf = dir.transfer(
        "p75",
        &[
            (
                "parcours.csv",
                "plie;participant;entree;sortie;motif_sortie;sexe;naissance;public;inscrit_pe;th;niveau;qpv\n\
                 P75;c1;15/03/2017;;;F;1980-05;RSA;oui;non;V;oui\n\
                 P75;c2;2016-01-04;2017-06-30;EMPLOI;H;1995-11;DELD;1;0;IV;non\n",
            ),
            (
                "plie.csv",
                "plie;nom;departement;region;complet_depuis;extraction\n\
                 P75;PLIE de Paris;75;Île-de-France;2014-01-01;2018-01-15\n",
            ),
        ],
    );
    dir.import(&[&idf]);
    let t1 = |filters: &[&str]| {
        let mut args = vec!["tableau", "1", "--year", "2017", "--format", "csv"];
        for f in filters {
            args.extend(["--filter", f]);
        }
        let run = dir.run(&args);
        assert_eq!(run.code, 0, "{filters:?}: {run:?}");
        csv_rows(&run.stdout)
    };
    let exact = t1(&["region=Île-de-France"]);
    // Total line: 1 entrant, 2 in parcours, 1 positive exit (to a job).
    assert_eq!(&exact[1][3..7], ["1", "2", "1", "1"]);
    for spelling in [
        "region=ile-de-france",
        "region=ILE DE FRANCE",
        "region=Ile-de-France",
    ] {
        assert_eq!(t1(&[spelling]), exact, "{spelling}");
    }
    assert_eq!(
        t1(&["region=pays de la loire"]),
        t1(&["region=Pays de la Loire"])
    );
    // A department by its name, with or without accents.
    assert_eq!(
        t1(&["departement=Loire-Atlantique"]),
        t1(&["departement=44"])
    );
    assert_eq!(t1(&["departement=nord"]), t1(&["departement=59"]));
    // Yes/no values as the transfers spell them.
    let qpv = t1(&["qpv=1"]);
    assert_eq!(t1(&["qpv=oui"]), qpv);
    assert_eq!(t1(&["qpv=OUI"]), qpv);
    assert_eq!(t1(&["qpv=non"]), t1(&["qpv=0"]));
    assert_eq!(
        t1(&["th=non", "inscrit_pe=oui"]),
        t1(&["th=0", "inscrit_pe=1"])
    );
    assert_ne!(t1(&["qpv=oui"]), t1(&["qpv=non"]));
    // The same spellings in a cross-tab's filter.
    let x = |v: &str| {
        dir.run(&[
            "crosstab",
            "--measure",
            "entrees",
            "--year",
            "2017",
            "--rows",
            "region",
            "--filter",
            v,
            "--format",
            "csv",
        ])
        .ok()
    };
    assert_eq!(
        x("region=île de france,HAUTS-DE-FRANCE"),
        x("region=Île-de-France,Hauts-de-France")
    );
}
