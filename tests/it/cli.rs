//! CLI.md's contract: exit statuses, error lines, formats, filters, `--out`, `--db` default.

use crate::util::{csv_rows, Dir};

#[test]
fn refused_options_exit_1_with_the_valid_values() {
    let dir = Dir::crafted();
    let cases: &[(&[&str], &str)] = &[
        (
            &["tableau", "1", "--year", "2017", "--filter", "couleur=bleu"],
            "unknown dimension \"couleur\"; valid dimensions: sexe, age_26",
        ),
        (
            &["tableau", "1", "--year", "2017", "--filter", "public=XYZ"],
            "valid values: AUTRE, DELD, RSA",
        ),
        (
            &["tableau", "1", "--year", "2017", "--filter", "plie=P99"],
            "valid values: P44A, P59B",
        ),
        (
            &["tableau", "1", "--year", "2017", "--format", "xml"],
            "unknown format \"xml\"",
        ),
        (&["tableau", "1", "--year", "deux-mille"], "is not a year"),
        (&["tableau", "1"], "--year Y or --years Y1..Y2"),
        (&["tableau", "11", "--year", "2017"], "tableau \"11\""),
        (
            &[
                "crosstab",
                "--measure",
                "nombre",
                "--year",
                "2017",
                "--rows",
                "sexe",
            ],
            "unknown measure \"nombre\"",
        ),
        (
            &[
                "crosstab",
                "--measure",
                "entrees",
                "--year",
                "2017",
                "--rows",
                "sexe",
                "--cols",
                "sexe",
            ],
            "cannot be both",
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
        assert!(run.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn usage_errors_exit_2() {
    let dir = Dir::new();
    assert_eq!(
        dir.run(&["tableau", "1", "--year", "2017", "--bogus"]).code,
        2
    );
    assert_eq!(dir.run(&["nonsense"]).code, 2);
    assert_eq!(dir.run(&["import"]).code, 2);
}

#[test]
fn filters_are_case_insensitive_on_codes_and_or_within_a_dimension() {
    let dir = Dir::crafted();
    let one = |filter: &str| {
        let out = dir
            .run(&[
                "tableau", "1", "--year", "2017", "--filter", filter, "--format", "csv",
            ])
            .ok();
        csv_rows(&out)[1][3..5].to_vec()
    };
    assert_eq!(one("public=rsa,deld"), ["4", "14"]);
    assert_eq!(one("public=RSA"), ["3", "8"]);
    assert_eq!(one("departement=44"), one("plie=P44A"));
}

#[test]
fn out_writes_a_file_and_db_defaults_to_the_environment() {
    let dir = Dir::crafted();
    dir.run(&[
        "crosstab",
        "--measure",
        "entrees",
        "--year",
        "2017",
        "--rows",
        "sexe",
        "--format",
        "csv",
        "--out",
        "x.csv",
    ])
    .ok();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("x.csv")).unwrap(),
        "sexe,entrees\nH,4\nF,5\n"
    );

    let db = dir.db();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_consolide"));
    let out = cmd
        .env("CONSOLIDE_DB", &db)
        .args(["status", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["plies"], 2);
    assert_eq!(v["parcours"], 31);
}

#[test]
fn crosstab_lists_zero_cells_and_data_driven_values_in_order() {
    let dir = Dir::crafted();
    let out = dir
        .run(&[
            "crosstab",
            "--measure",
            "entrees",
            "--years",
            "2016..2017",
            "--rows",
            "annee_sortie",
            "--format",
            "csv",
        ])
        .ok();
    // Exit years present in the store (all years, not only the period), numerically, `-` last.
    let rows = csv_rows(&out);
    let years: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(years, ["2015", "2016", "2017", "-"]);
    assert_eq!(
        rows[1][1], "0",
        "a09's first parcours exits in 2015 and entered in 2015"
    );

    let out = dir
        .run(&[
            "crosstab",
            "--measure",
            "taux_abandons",
            "--year",
            "2016",
            "--rows",
            "tranche_age",
            "--format",
            "json",
        ])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let cells = v["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 5);
    // 55-64 in 2016: b03 exits (DDR): 0 abandons of 1 exit; 65+: a08, b08 active, no exit: null.
    assert_eq!(cells[3]["taux_abandons"], 0.0);
    assert!(cells[4]["taux_abandons"].is_null());
}

#[test]
fn demo_generates_into_the_store_and_prints_tableau1_of_the_last_year() {
    let dir = Dir::new();
    let out = dir.run(&["demo", "--scale", "0.05"]).ok();
    assert!(
        out.starts_with("Tableau 1 — flux d'entrées et de sorties, 2017 ("),
        "{out}"
    );
    let total = out.lines().find(|l| l.starts_with("Nombre total")).unwrap();
    let number = |s: &str| s.replace('\u{202F}', "").parse::<u64>().unwrap();
    // Figures are printed with narrow no-break spaces between thousands.
    let figures: Vec<u64> = total
        .trim_start_matches("Nombre total")
        .split("  ")
        .filter(|f| !f.trim().is_empty() && !f.contains('%'))
        .map(|f| number(f.trim()))
        .collect();
    assert_eq!(
        figures[1],
        figures[0] + figures[2],
        "en_parcours = entrees + report: {total}"
    );
    // A second demo is refused (the store holds data) and changes nothing; with --replace it
    // writes the same corpus again.
    let status = dir.run(&["status", "--format", "csv"]).ok();
    let again = dir.run(&["demo", "--scale", "0.05"]);
    assert_eq!(again.code, 1, "{again:?}");
    assert!(again.stderr.contains("add --replace"), "{}", again.stderr);
    assert_eq!(dir.run(&["status", "--format", "csv"]).ok(), status);
    assert_eq!(dir.run(&["demo", "--scale", "0.05", "--replace"]).ok(), out);
    let bad = dir.run(&["demo", "--scale", "zero"]);
    assert_eq!(bad.code, 1, "{bad:?}");
}
