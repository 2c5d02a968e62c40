//! The crafted corpus (tests/data/crafted and crafted-59: 31 parcours of two PLIE around year
//! boundaries, in both dialects) through the real binary, against figures worked out by hand.
//!
//! How the figures were counted (year 2017): entered in 2017: a03 a07 a10 a15 a16 b04 b06 b09
//! b12 (9); carried over: a01 a04 a05 a08 a09(2nd) a13 b02 b05 b07 b08 b10 b11 b14 (13); exits
//! in 2017: a03 F, a04 AB, a08 DDR, a09 E, a13 F, a15 E, b02 AB, b04 AP, b06 ASS, b08 E, b10 F,
//! b11 AB, b12 E (13). a09's first parcours ended in 2015 and a11 enters in 2018: never counted.
//! Ages at entry on the boundaries: a01 and a03 turn 26 in their entry month (>= 26), a15 and a16
//! are 25 (< 26, 25-44), b07 is 15, b08 is 99, a08 is 65.

use crate::util::{csv_rows, Dir};

/// (group, row, entrees, en_parcours, report, sorties_positives, sorties_emploi,
/// sorties_formation, sorties_sans_suite, abandons, demenagements_deces_retraites,
/// autres_sans_suite)
type Line = (&'static str, &'static str, [u64; 10]);

const TABLEAU1_2017: &[Line] = &[
    ("total", "total", [9, 22, 13, 8, 4, 3, 5, 3, 1, 1]),
    ("sexe", "H", [4, 10, 6, 4, 2, 2, 3, 2, 0, 1]),
    ("sexe", "F", [5, 12, 7, 4, 2, 1, 2, 1, 1, 0]),
    ("age_26", "<26", [3, 7, 4, 2, 1, 1, 2, 2, 0, 0]),
    ("age_26", ">=26", [6, 15, 9, 6, 3, 2, 3, 1, 1, 1]),
    ("tranche_age", "15-24", [1, 5, 4, 1, 0, 1, 2, 2, 0, 0]),
    ("tranche_age", "25-44", [6, 11, 5, 6, 3, 2, 1, 1, 0, 0]),
    ("tranche_age", "45-54", [1, 3, 2, 0, 0, 0, 1, 0, 0, 1]),
    ("tranche_age", "55-64", [1, 1, 0, 0, 0, 0, 0, 0, 0, 0]),
    ("tranche_age", "65+", [0, 2, 2, 1, 1, 0, 1, 0, 1, 0]),
    ("th", "1", [3, 5, 2, 1, 0, 1, 1, 0, 0, 1]),
    ("inscrit_pe", "1", [6, 17, 11, 7, 4, 2, 3, 2, 1, 0]),
    ("public", "DELD", [1, 6, 5, 2, 1, 1, 0, 0, 0, 0]),
    (
        "public_x_inscrit_pe",
        "DELD",
        [1, 6, 5, 2, 1, 1, 0, 0, 0, 0],
    ),
    ("public", "RSA", [3, 8, 5, 2, 0, 1, 2, 2, 0, 0]),
    ("public_x_inscrit_pe", "RSA", [2, 6, 4, 2, 0, 1, 2, 2, 0, 0]),
    ("public", "AUTRE", [5, 8, 3, 4, 3, 1, 3, 1, 1, 1]),
    (
        "public_x_inscrit_pe",
        "AUTRE",
        [3, 5, 2, 3, 3, 0, 1, 0, 1, 0],
    ),
    ("niveau", "VI", [1, 3, 2, 1, 1, 0, 2, 2, 0, 0]),
    ("niveau", "VBIS", [1, 2, 1, 1, 0, 1, 0, 0, 0, 0]),
    ("niveau", "V", [1, 3, 2, 1, 0, 1, 0, 0, 0, 0]),
    ("niveau", "IV", [2, 2, 0, 0, 0, 0, 1, 0, 0, 1]),
    ("niveau", "III", [1, 3, 2, 2, 1, 1, 0, 0, 0, 0]),
    ("niveau", "II", [0, 1, 1, 0, 0, 0, 0, 0, 0, 0]),
    ("niveau", "I", [1, 2, 1, 1, 1, 0, 0, 0, 0, 0]),
    ("niveau", "9", [2, 3, 1, 1, 0, 0, 0, 0, 0, 0]),
    ("niveau", "NC", [0, 3, 3, 1, 1, 0, 2, 1, 1, 0]),
    ("inactivite", "<1", [4, 6, 2, 3, 1, 1, 1, 1, 0, 0]),
    ("inactivite", "1-2", [0, 4, 4, 1, 1, 0, 0, 0, 0, 0]),
    ("inactivite", "2-3", [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    ("inactivite", "3-5", [2, 4, 2, 1, 1, 0, 1, 1, 0, 0]),
    ("inactivite", "5+", [2, 5, 3, 2, 1, 1, 2, 0, 1, 1]),
    ("inactivite", "JAMAIS", [1, 3, 2, 1, 0, 1, 1, 1, 0, 0]),
];

/// 2016: a01 a04 a08 a09 a12 a14 b01 b02 b07 b10 b11 b14 enter (12); a02 a05 a06 a13 b03 b05
/// b08 b13 are carried over (8); a02 E, a06 AP, a12 AB, a14 ASS, b01 E, b03 DDR, b13 AB exit.
const TABLEAU1_2016: &[Line] = &[
    ("total", "total", [12, 20, 8, 3, 2, 0, 4, 2, 1, 1]),
    ("sexe", "H", [5, 10, 5, 2, 1, 0, 2, 1, 1, 0]),
    ("sexe", "F", [7, 10, 3, 1, 1, 0, 2, 1, 0, 1]),
];

const COLUMNS: [&str; 10] = [
    "entrees",
    "en_parcours",
    "report",
    "sorties_positives",
    "sorties_emploi",
    "sorties_formation",
    "sorties_sans_suite",
    "abandons",
    "demenagements_deces_retraites",
    "autres_sans_suite",
];

#[track_caller]
fn check_tableau1(dir: &Dir, year: &str, expected: &[Line], rows_total: usize) {
    let out = dir
        .run(&["tableau", "1", "--year", year, "--format", "csv"])
        .ok();
    let rows = csv_rows(&out);
    let header = &rows[0];
    assert_eq!(
        header.join(","),
        "group,row,label,entrees,en_parcours,report,sorties_positives,sorties_emploi,sorties_formation,\
         sorties_sans_suite,abandons,demenagements_deces_retraites,autres_sans_suite,taux_sortie_positive"
    );
    assert_eq!(rows.len() - 1, rows_total, "Tableau 1 has 33 rows");
    for (group, row, figures) in expected {
        let line = rows
            .iter()
            .find(|r| r[0] == *group && r[1] == *row)
            .unwrap_or_else(|| panic!("no row {group},{row}"));
        for (c, (name, want)) in COLUMNS.iter().zip(figures).enumerate() {
            assert_eq!(line[3 + c], want.to_string(), "{year} {group},{row} {name}");
        }
        let (pos, ss) = (figures[3], figures[6]);
        let rate = &line[13];
        if pos + ss == 0 {
            assert_eq!(rate, "", "{year} {group},{row}: no exit, no rate");
        } else {
            let got: f64 = rate.parse().unwrap();
            assert!(
                (got - pos as f64 / (pos + ss) as f64).abs() < 1e-6,
                "{year} {group},{row} rate {rate}"
            );
        }
    }
}

#[test]
fn tableau1_of_the_crafted_corpus_matches_the_hand_count() {
    let dir = Dir::crafted();
    check_tableau1(&dir, "2017", TABLEAU1_2017, 33);
    check_tableau1(&dir, "2016", TABLEAU1_2016, 33);
}

#[test]
fn tableau1_json_carries_the_plie_count_and_mean_inactivity() {
    let dir = Dir::crafted();
    let out = dir
        .run(&["tableau", "1", "--year", "2017", "--format", "json"])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["tableau"], "1");
    assert_eq!(v["year"], 2017);
    assert_eq!(v["plie"], 2);
    assert_eq!(v["rows"][0]["en_parcours"], 22);
    assert_eq!(v["rows"].as_array().unwrap().len(), 33);
    // 19 parcours en_parcours in 2017 have a number of months (a03, b02, b07 never worked): 650.
    let mean = v["inactivite_moyenne_mois"].as_f64().unwrap();
    assert!((mean - 650.0 / 19.0).abs() < 1e-9, "{mean}");
    assert!((v["rows"][0]["taux_sortie_positive"].as_f64().unwrap() - 8.0 / 13.0).abs() < 1e-12);
}

#[test]
fn a_range_sums_its_years_and_counts_distinct_parcours_once() {
    let dir = Dir::crafted();
    let out = dir
        .run(&["tableau", "1", "--years", "2016..2017", "--format", "csv"])
        .ok();
    let total = &csv_rows(&out)[1];
    assert_eq!(&total[3..6], ["21", "42", "21"]);
    let out = dir
        .run(&[
            "crosstab",
            "--measure",
            "parcours_distincts",
            "--years",
            "2016..2017",
            "--rows",
            "plie",
            "--format",
            "csv",
        ])
        .ok();
    // 29 parcours are active in 2016 or 2017: 17 of P44A less a09's first and a11 (15), 14 of P59B.
    assert_eq!(out, "plie,parcours_distincts\nP44A,15\nP59B,14\n");
}

#[test]
fn crosstab_by_plie_and_sex_with_a_territory_filter() {
    let dir = Dir::crafted();
    let out = dir
        .run(&[
            "crosstab",
            "--measure",
            "sorties_positives",
            "--years",
            "2016..2017",
            "--rows",
            "plie",
            "--cols",
            "sexe",
            "--format",
            "csv",
        ])
        .ok();
    assert_eq!(
        out,
        "plie,sexe,sorties_positives\nP44A,H,4\nP44A,F,2\nP59B,H,2\nP59B,F,3\n"
    );

    let out = dir
        .run(&[
            "crosstab",
            "--measure",
            "taux_sorties_positives",
            "--year",
            "2017",
            "--rows",
            "departement",
            "--filter",
            "region=Hauts-de-France",
            "--format",
            "csv",
        ])
        .ok();
    // P59B in 2017: positive b04 b08 b10 b12, without follow-up b02 b06 b11.
    assert_eq!(out, "departement,taux_sorties_positives\n59,0.5714286\n");
}

#[test]
fn filters_and_text_output() {
    let dir = Dir::crafted();
    let out = dir
        .run(&[
            "tableau",
            "1",
            "--year",
            "2017",
            "--filter",
            "plie=P44A",
            "--filter",
            "sexe=F",
            "--format",
            "csv",
        ])
        .ok();
    // P44A women in 2017: a03 a10 a15 enter; a01 a05 a08 carried over; a03 F, a15 E, a08 DDR exit.
    let total = &csv_rows(&out)[1];
    assert_eq!(
        &total[3..13],
        ["3", "6", "3", "2", "1", "1", "1", "0", "1", "0"]
    );

    let text = dir.run(&["tableau", "1", "--year", "2017"]).ok();
    assert!(text.contains("Tableau 1"), "{text}");
    assert!(text.contains("Nombre total"), "{text}");
    assert!(
        text.contains("62 %"),
        "8/13 shown as a whole percent: {text}"
    );
    let md = dir
        .run(&["tableau", "1", "--year", "2017", "--format", "md"])
        .ok();
    assert!(
        md.contains("| Nombre total | 9 | 22 | 13 | 8 | 4 | 3 | 5 | 3 | 1 | 1 | 62 % |"),
        "{md}"
    );
}
