//! `consolide tableau all`: the whole consolidation in one document, and the xlsx workbook read
//! back with calamine against the csv of each table.

use std::path::Path;

use calamine::{open_workbook, Data, Reader, Xlsx};

use crate::util::{csv_rows, national, Dir, TableCsv};

/// The sheets of the workbook, in order, with the table code each one holds.
const SHEETS: &[(&str, &str)] = &[
    ("Tableau 1", "1"),
    ("Tableau 1BIS", "1bis"),
    ("Taux", "taux"),
    ("Tableau 2", "2"),
    ("Tableau 3", "3"),
    ("Tableau 4", "4"),
    ("Tableau 5", "5"),
    ("Tableau 6", "6"),
    ("Tableau 6BIS", "6bis"),
    ("Tableau 7", "7"),
    ("Tableau 8", "8"),
    ("Tableau 9", "9"),
    ("Tableau 10", "10"),
    ("Périodes", "periodes"),
];

/// Where the xlsx writer puts a table's column headers (`render::xlsx::HEADER_ROW`).
const HEADER_ROW: u32 = 6;

fn text(cell: Option<&Data>) -> String {
    match cell {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => panic!("expected text, found {other:?}"),
    }
}

/// Every table sheet of `xlsx` holds, cell by cell, the numbers `consolide tableau T --format csv`
/// prints for the same period and filters; the header states period, filters and PLIE.
fn assert_workbook_matches_csv(dir: &Dir, xlsx: &Path, filters: &[&str], filter_text: &str) {
    let mut book: Xlsx<_> = open_workbook(xlsx).expect("the workbook opens");
    let names = book.sheet_names();
    let expected: Vec<String> = std::iter::once("Sommaire")
        .chain(SHEETS.iter().map(|(s, _)| *s))
        .map(str::to_owned)
        .collect();
    assert_eq!(names, expected);

    for (sheet, code) in SHEETS {
        let range = book.worksheet_range(sheet).expect("the sheet reads");
        assert_eq!(text(range.get_value((1, 0))), "Période", "{sheet}");
        let period = text(range.get_value((1, 1)));
        assert_eq!(text(range.get_value((2, 1))), filter_text, "{sheet}");
        let Some(Data::Float(plies)) = range.get_value((3, 1)) else {
            panic!("{sheet}: the number of PLIE is a number");
        };
        assert!(
            text(range.get_value((4, 1))).starts_with("importées le "),
            "{sheet}: the date of the data"
        );

        let flag = if period.contains("..") {
            "--years"
        } else {
            "--year"
        };
        let mut args = vec![*code, flag, &period];
        for f in filters {
            args.extend(["--filter", f]);
        }
        let csv = TableCsv::tableau(dir, &args);
        let args = [&["tableau"], &args[..], &["--format", "json"]].concat();
        let json: serde_json::Value = serde_json::from_str(&dir.run(&args).ok()).unwrap();
        assert_eq!(*plies, json["plie"].as_f64().unwrap(), "{sheet}: PLIE");

        let width = csv.keys().len();
        for (i, line) in csv.rows.iter().enumerate() {
            let row = HEADER_ROW + 1 + i as u32;
            assert_eq!(text(range.get_value((row, 0))).trim(), line[2], "{sheet}");
            let group = text(range.get_value((row, 1 + width as u32)));
            let code = text(range.get_value((row, 2 + width as u32)));
            assert_eq!((group.as_str(), code.as_str()), (&*line[0], &*line[1]));
            for (c, value) in line[3..].iter().enumerate() {
                let cell = range.get_value((row, 1 + c as u32));
                match (value.as_str(), cell) {
                    ("", None | Some(Data::Empty)) => {}
                    // A cell nobody observed: empty in csv, its words in the workbook.
                    ("", Some(Data::String(s))) if s == "non observé" => {}
                    (v, Some(Data::Float(x))) => {
                        let want: f64 = v.parse().unwrap();
                        assert!(
                            (x - want).abs() <= 1e-6 * want.abs().max(1.0),
                            "{sheet} {} {}: xlsx {x}, csv {want}",
                            line[0],
                            line[1]
                        );
                    }
                    (v, other) => panic!(
                        "{sheet} {} {} column {c}: csv {v:?}, xlsx {other:?} (numbers must be numbers)",
                        line[0], line[1]
                    ),
                }
            }
        }
        // Nothing after the rows but a blank line and the notes.
        let after = HEADER_ROW + 1 + csv.rows.len() as u32;
        assert_eq!(text(range.get_value((after, 0))), "", "{sheet}");
    }
}

#[test]
fn the_workbook_holds_every_table_with_the_numbers_of_the_csv() {
    let dir = national();
    let out = tempfile::tempdir().unwrap();
    let xlsx = out.path().join("consolidation-2017.xlsx");
    let path = xlsx.to_str().unwrap();
    dir.run(&[
        "tableau", "all", "--year", "2017", "--format", "xlsx", "--out", path,
    ])
    .ok();
    assert_workbook_matches_csv(dir, &xlsx, &[], "aucun");

    // With a filter the tables that know no participant still take a region.
    let regions = csv_rows(
        &dir.run(&[
            "crosstab",
            "--measure",
            "entrees",
            "--year",
            "2017",
            "--rows",
            "region",
            "--format",
            "csv",
        ])
        .ok(),
    );
    let region = format!("region={}", regions[1][0]);
    dir.run(&[
        "tableau", "all", "--year", "2017", "--filter", &region, "--format", "xlsx", "--out", path,
    ])
    .ok();
    assert_workbook_matches_csv(dir, &xlsx, &[&region], &region);
}

#[test]
fn the_multi_year_tables_of_all_cover_four_years_unless_told() {
    let dir = national();
    let json = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["tableau", "all", "--year", "2017", "--format", "json"];
        args.extend(extra);
        serde_json::from_str(&dir.run(&args).ok()).unwrap()
    };
    let all = json(&[]);
    let tables = all.as_array().unwrap();
    let codes: Vec<&str> = tables
        .iter()
        .map(|t| t["tableau"].as_str().unwrap())
        .collect();
    assert_eq!(codes, SHEETS.iter().map(|(_, c)| *c).collect::<Vec<_>>());
    for t in tables {
        let multi = ["1bis", "taux", "6bis"].contains(&t["tableau"].as_str().unwrap());
        if multi {
            assert_eq!(
                t["years"],
                serde_json::json!([2014, 2017]),
                "{}",
                t["tableau"]
            );
        } else if t["tableau"] != "periodes" {
            assert_eq!(t["year"], 2017, "{}", t["tableau"]);
        }
    }
    let told = json(&["--pluriannuel", "2016..2017"]);
    assert_eq!(told[1]["years"], serde_json::json!([2016, 2017]));
}

#[test]
fn all_in_csv_and_text_names_each_table() {
    let dir = Dir::crafted();
    let csv = csv_rows(
        &dir.run(&["tableau", "all", "--year", "2017", "--format", "csv"])
            .ok(),
    );
    assert_eq!(csv[0][..4], ["tableau", "group", "row", "label"]);
    // Each table opens with a line giving its column keys; Tableau 1's are CLI.md's.
    let t1 = csv
        .iter()
        .find(|l| l[0] == "1" && l[1] == "columns")
        .unwrap();
    assert_eq!(t1[4], "entrees");
    assert_eq!(t1[4 + 10], "taux_sortie_positive");
    let total = csv.iter().find(|l| l[0] == "1" && l[1] == "total").unwrap();
    // The crafted corpus in 2017 (tests/it/end_to_end.rs): 9 entries, 22 in parcours, 13 carried.
    assert_eq!(total[4..7], ["9", "22", "13"]);
    for (_, code) in SHEETS {
        assert!(
            csv.iter().any(|l| l[0] == *code && l[1] == "columns"),
            "tableau {code} in the csv"
        );
    }

    let text = dir.run(&["tableau", "all", "--year", "2017"]).ok();
    for title in ["Tableau 1 ", "Tableau 2", "Tableau 10", "Tableau 6BIS"] {
        assert!(text.contains(title), "{title} in:\n{text}");
    }
}

#[test]
fn a_participant_filter_leaves_out_the_funding_tables_of_all_and_refuses_them_alone() {
    let dir = Dir::crafted();
    let run = dir.run(&[
        "tableau", "all", "--year", "2017", "--filter", "sexe=F", "--format", "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let all: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let codes: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tableau"].as_str().unwrap())
        .collect();
    for left_out in ["6", "6bis", "7", "10"] {
        assert!(!codes.contains(&left_out), "{codes:?}");
        assert!(
            run.stderr.contains(&format!("tableau {left_out} left out")),
            "{}",
            run.stderr
        );
    }
    assert!(codes.contains(&"1") && codes.contains(&"2"), "{codes:?}");

    let alone = dir.run(&["tableau", "6", "--year", "2017", "--filter", "sexe=F"]);
    assert_eq!(alone.code, 1);
    assert!(alone.stderr.contains("sexe"), "{}", alone.stderr);
}

#[test]
fn usage_errors_of_tableau() {
    let dir = Dir::crafted();
    let no_out = dir.run(&["tableau", "all", "--year", "2017", "--format", "xlsx"]);
    assert_eq!(no_out.code, 2);
    assert!(no_out.stderr.contains("--out"), "{}", no_out.stderr);

    let single = dir.run(&[
        "tableau",
        "1",
        "--year",
        "2017",
        "--pluriannuel",
        "2014..2017",
    ]);
    assert_eq!(single.code, 2);

    let unknown = dir.run(&["tableau", "12", "--year", "2017"]);
    assert_eq!(unknown.code, 1);
    assert!(
        unknown
            .stderr
            .contains("1bis, taux, 2, 3, 4, 5, 6, 6bis, 7, 8, 9, 10, periodes, all"),
        "{}",
        unknown.stderr
    );
}
