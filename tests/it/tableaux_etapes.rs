//! Tableaux 2, 4 and 5 (the tables built from étapes) through the binary: a crafted corpus whose
//! figures are worked out by hand below, the identities of the published tables, and the
//! calibrated national corpus against data/reference.

use std::collections::HashMap;

use serde_json::Value as Json;

use crate::util::{national, reference, Dir, TableCsv};

/// Two PLIE in two regions. Seven parcours (c has two, the first closed in 2016); d has no étape.
///
/// | parcours | sex | entry      | exit       | PLIE |
/// |----------|-----|------------|------------|------|
/// | a        | H   | 2016-01-01 | open       | P1   |
/// | b        | F   | 2016-06-01 | 2017-03-31 | P1   |
/// | c (1st)  | H   | 2015-01-01 | 2016-06-30 | P1   |
/// | c (2nd)  | H   | 2017-02-01 | open       | P1   |
/// | d        | F   | 2017-05-01 | open       | P1   |
/// | e        | F   | 2016-03-01 | open       | P2   |
/// | f        | H   | 2017-01-10 | 2017-10-31 | P2   |
const PARCOURS: &str = "\
plie,participant,entree,sortie,motif_sortie,sexe,naissance,public,inscrit_pe,th,niveau
P1,a,2016-01-01,,,H,1980-01,DELD,1,0,V
P1,b,2016-06-01,2017-03-31,EMPLOI,F,1985-05,RSA,1,0,IV
P1,c,2015-01-01,2016-06-30,ABANDON,H,1970-02,AUTRE,0,0,VI
P1,c,2017-02-01,,,H,1970-02,AUTRE,0,0,VI
P1,d,2017-05-01,,,F,1995-03,RSA,0,0,V
P2,e,2016-03-01,,,F,1990-01,DELD,1,1,III
P2,f,2017-01-10,2017-10-31,FORMATION,H,1999-06,AUTRE,1,0,V
";

/// The étapes, numbered in the comments; the years each is active in:
///  1 a MOBILISATION 2016 · 2 a IAE_ACI 2016 2017 (funded) · 3 a IAE_ACI 2017 (open) ·
///  4 a AIDE_GEIQ 2017 (funded) · 5 b CDD_COURT 2016 2017 (ends on 1 January 2017) ·
///  6 b EMPLOI_SORTIE 2017 · 7 b FORMATION_QUALIFIANTE 2016 2017 (no end: runs to b's exit) ·
///  8 c MEDIATION 2016 only (no end, but c's first parcours exits on 2016-06-30) ·
///  9 c IAE_ACI 2017 (second parcours, funded) · 10 c IAE_ACI 2015 only (first parcours, funded) ·
/// 11 e IAE_AI 2017 · 12 e FORMATION_NON_QUALIFIANTE 2016 · 13 e INTERIM 2017 (starts on
/// 31 December, open) · 14 f IAE_ETTI 2017 · 15 f AUTRE_CONTRAT 2017 · 16 f CREATION_ENTREPRISE
/// 2017.
const ETAPES: &str = "\
plie,participant,entree,type,debut,fin,finance_plie
P1,a,2016-01-01,MOBILISATION,2016-01-15,2016-03-31,0
P1,a,2016-01-01,IAE_ACI,2016-10-01,2017-02-28,1
P1,a,2016-01-01,IAE_ACI,2017-04-01,,0
P1,a,2016-01-01,AIDE_GEIQ,2017-06-01,2017-08-31,1
P1,b,2016-06-01,CDD_COURT,2016-07-01,2017-01-01,0
P1,b,2016-06-01,EMPLOI_SORTIE,2017-01-01,2017-03-31,0
P1,b,2016-06-01,FORMATION_QUALIFIANTE,2016-09-01,,1
P1,c,2015-01-01,MEDIATION,2016-01-01,,0
P1,c,2017-02-01,IAE_ACI,2017-03-01,2017-09-30,1
P1,c,2015-01-01,IAE_ACI,2015-03-01,2015-12-31,1
P2,e,2016-03-01,IAE_AI,2017-01-01,2017-06-30,0
P2,e,2016-03-01,FORMATION_NON_QUALIFIANTE,2016-04-01,2016-12-31,0
P2,e,2016-03-01,INTERIM,2017-12-31,,0
P2,f,2017-01-10,IAE_ETTI,2017-02-01,2017-05-31,0
P2,f,2017-01-10,AUTRE_CONTRAT,2017-06-01,2017-10-31,0
P2,f,2017-01-10,CREATION_ENTREPRISE,2017-01-10,2017-01-31,0
";

const PLIE: &str = "\
plie,nom,departement,region,extraction,complet_depuis
P1,PLIE un,35,Bretagne,2020-12-31,1990-01-01
P2,PLIE deux,31,Occitanie,2020-12-31,1990-01-01
";

fn crafted() -> Dir {
    let dir = Dir::new();
    let t = dir.transfer(
        "t",
        &[
            ("parcours.csv", PARCOURS),
            ("etapes.csv", ETAPES),
            ("plie.csv", PLIE),
        ],
    );
    dir.import(&[&t]);
    dir
}

/// `consolide tableau T PERIOD [--filter F] --format FORMAT`.
fn run(dir: &Dir, t: &str, period: &str, filter: Option<&str>, format: &str) -> String {
    let flag = if period.contains("..") {
        "--years"
    } else {
        "--year"
    };
    let mut args = vec!["tableau", t, flag, period, "--format", format];
    if let Some(f) = filter {
        args.extend(["--filter", f]);
    }
    dir.run(&args).ok()
}

/// `consolide tableau T PERIOD [--filter F] --format csv`, read back.
fn csv(dir: &Dir, t: &str, period: &str, filter: Option<&str>) -> TableCsv {
    TableCsv::parse(&run(dir, t, period, filter, "csv"))
}

/// `[total, hommes, femmes]` of a Tableau 2 line.
fn t2_counts(t: &TableCsv, row: &str) -> [u64; 3] {
    ["total", "hommes", "femmes"].map(|c| t.coded(row).count(c))
}

/// The json object of a table.
fn json(dir: &Dir, t: &str, period: &str, filter: Option<&str>) -> Json {
    serde_json::from_str(&run(dir, t, period, filter, "json")).expect("json")
}

/// The json row of code `row`.
fn json_row<'a>(j: &'a Json, row: &str) -> &'a Json {
    j["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["row"] == row)
        .unwrap_or_else(|| panic!("no row {row}"))
}

const LEAVES: [&str; 18] = [
    "MOBILISATION",
    "IAE_ACI",
    "IAE_EI",
    "IAE_ETTI",
    "IAE_AI",
    "IAE_RQ",
    "AIDE_CUI_CAE",
    "AIDE_GEIQ",
    "AIDE_EMPLOI_AVENIR",
    "CDD_COURT",
    "INTERIM",
    "CDI_TEMPS_PARTIEL",
    "AUTRE_CONTRAT",
    "EMPLOI_SORTIE",
    "FORMATION_QUALIFIANTE",
    "FORMATION_NON_QUALIFIANTE",
    "MEDIATION",
    "CREATION_ENTREPRISE",
];

/// Every sub-total of Tableau 2 is the sum of its lines, TOTAL the sum of the leaves, and
/// total = hommes + femmes on every count line.
fn tableau2_identities(t: &TableCsv) {
    let sum = |codes: &[&str]| {
        codes.iter().fold([0; 3], |acc, c| {
            let v = t2_counts(t, c);
            [acc[0] + v[0], acc[1] + v[1], acc[2] + v[2]]
        })
    };
    let subtotals: &[(&str, &[&str])] = &[
        ("TOTAL", &LEAVES),
        (
            "TOTAL",
            &[
                "MOBILISATION",
                "EMPLOIS_PARCOURS",
                "EMPLOI_SORTIE",
                "FORMATION",
                "MEDIATION",
                "CREATION_ENTREPRISE",
            ],
        ),
        ("EMPLOIS_PARCOURS", &["IAE", "HORS_IAE", "AUTRE_CONTRAT"]),
        (
            "IAE",
            &["IAE_ACI", "IAE_EI", "IAE_ETTI", "IAE_AI", "IAE_RQ"],
        ),
        ("HORS_IAE", &["CONTRATS_AIDES", "CONTRATS_NON_AIDES"]),
        (
            "CONTRATS_AIDES",
            &["AIDE_CUI_CAE", "AIDE_GEIQ", "AIDE_EMPLOI_AVENIR"],
        ),
        (
            "CONTRATS_NON_AIDES",
            &["CDD_COURT", "INTERIM", "CDI_TEMPS_PARTIEL"],
        ),
        (
            "FORMATION",
            &["FORMATION_QUALIFIANTE", "FORMATION_NON_QUALIFIANTE"],
        ),
    ];
    for (total, lines) in subtotals {
        assert_eq!(t2_counts(t, total), sum(lines), "{total} = {lines:?}");
    }
    for code in t.codes() {
        if code != "MOYENNE_PAR_PARTICIPANT" {
            let [all, h, f] = t2_counts(t, code);
            assert_eq!(all, h + f, "{code}: total = hommes + femmes");
        }
    }
}

#[test]
fn tableau2_crafted_by_hand() {
    let dir = crafted();
    let t = csv(&dir, "2", "2017", None);
    assert_eq!(t.keys(), ["total", "hommes", "femmes"]);
    // The published order, sub-totals included, then the participants and the mean.
    assert_eq!(
        t.codes(),
        [
            "TOTAL",
            "MOBILISATION",
            "EMPLOIS_PARCOURS",
            "IAE",
            "IAE_ACI",
            "IAE_EI",
            "IAE_ETTI",
            "IAE_AI",
            "IAE_RQ",
            "HORS_IAE",
            "CONTRATS_AIDES",
            "AIDE_CUI_CAE",
            "AIDE_GEIQ",
            "AIDE_EMPLOI_AVENIR",
            "CONTRATS_NON_AIDES",
            "CDD_COURT",
            "INTERIM",
            "CDI_TEMPS_PARTIEL",
            "AUTRE_CONTRAT",
            "EMPLOI_SORTIE",
            "FORMATION",
            "FORMATION_QUALIFIANTE",
            "FORMATION_NON_QUALIFIANTE",
            "MEDIATION",
            "CREATION_ENTREPRISE",
            "PARTICIPANTS",
            "MOYENNE_PAR_PARTICIPANT",
        ]
    );
    // 2017: étapes 2 3 4 9 14 15 16 (men) and 5 6 7 11 13 (women); not 1, 8 (c's first
    // parcours ended in 2016, so its open-ended mediation did too), 10, 12.
    let expected: &[(&str, [u64; 3])] = &[
        ("TOTAL", [12, 7, 5]),
        ("MOBILISATION", [0, 0, 0]),
        ("EMPLOIS_PARCOURS", [9, 6, 3]),
        ("IAE", [5, 4, 1]),
        ("IAE_ACI", [3, 3, 0]),
        ("IAE_EI", [0, 0, 0]),
        ("IAE_ETTI", [1, 1, 0]),
        ("IAE_AI", [1, 0, 1]),
        ("IAE_RQ", [0, 0, 0]),
        ("HORS_IAE", [3, 1, 2]),
        ("CONTRATS_AIDES", [1, 1, 0]),
        ("AIDE_GEIQ", [1, 1, 0]),
        ("CONTRATS_NON_AIDES", [2, 0, 2]),
        ("CDD_COURT", [1, 0, 1]),
        ("INTERIM", [1, 0, 1]),
        ("CDI_TEMPS_PARTIEL", [0, 0, 0]),
        ("AUTRE_CONTRAT", [1, 1, 0]),
        ("EMPLOI_SORTIE", [1, 0, 1]),
        ("FORMATION", [1, 0, 1]),
        ("FORMATION_QUALIFIANTE", [1, 0, 1]),
        ("FORMATION_NON_QUALIFIANTE", [0, 0, 0]),
        ("MEDIATION", [0, 0, 0]),
        ("CREATION_ENTREPRISE", [1, 1, 0]),
        // a, c (2nd), f; b, d, e: d has no étape but is a participant en parcours.
        ("PARTICIPANTS", [6, 3, 3]),
    ];
    for (code, want) in expected {
        assert_eq!(t2_counts(&t, code), *want, "{code}");
    }
    // 12 / 6, 7 / 3, 5 / 3.
    assert_eq!(
        t.coded("MOYENNE_PAR_PARTICIPANT").number("total"),
        Some(2.0)
    );
    assert!(
        (t.coded("MOYENNE_PAR_PARTICIPANT").number("hommes").unwrap() - 7.0 / 3.0).abs() < 1e-6
    );
    assert!(
        (t.coded("MOYENNE_PAR_PARTICIPANT").number("femmes").unwrap() - 5.0 / 3.0).abs() < 1e-6
    );
    tableau2_identities(&t);

    let j = json(&dir, "2", "2017", None);
    assert_eq!(j["tableau"], "2");
    assert_eq!(j["plie"], 2);
    assert_eq!(json_row(&j, "IAE_ACI")["hommes"], 3);
    assert_eq!(json_row(&j, "HORS_IAE")["femmes"], 2);
    assert_eq!(json_row(&j, "TOTAL")["total"], 12);
    assert_eq!(json_row(&j, "TOTAL")["group"], "total");
    assert_eq!(json_row(&j, "IAE")["group"], "emplois_parcours");
    let mean = json_row(&j, "MOYENNE_PAR_PARTICIPANT")["femmes"]
        .as_f64()
        .unwrap();
    assert!((mean - 5.0 / 3.0).abs() < 1e-6);

    let text = run(&dir, "2", "2017", None, "text");
    assert!(
        text.starts_with("Tableau 2 — analyse des parcours, 2017 (2 PLIE, filtre : aucun)"),
        "{text}"
    );
    let line = |label: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no line {label} in\n{text}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        line("Nombre moyen"),
        "Nombre moyen d'étapes par participant 2,00 2,33 1,67"
    );
    assert_eq!(line("• IAE"), "• IAE 5 4 1");
    assert_eq!(line("Contrat en GEIQ"), "Contrat en GEIQ 1 1 0");
}

#[test]
fn tableau2_other_years_ranges_and_filters() {
    let dir = crafted();
    // 2016: étapes 1 2 8 (men), 5 7 12 (women); participants a, c (1st), b, e.
    let t = csv(&dir, "2", "2016", None);
    assert_eq!(t2_counts(&t, "TOTAL"), [6, 3, 3]);
    assert_eq!(t2_counts(&t, "MEDIATION"), [1, 1, 0]);
    assert_eq!(t2_counts(&t, "FORMATION"), [2, 0, 2]);
    assert_eq!(t2_counts(&t, "PARTICIPANTS"), [4, 2, 2]);
    assert_eq!(
        t.coded("MOYENNE_PAR_PARTICIPANT").number("total"),
        Some(1.5)
    );
    tableau2_identities(&t);

    // 2016..2017: an étape active in both years (2, 5, 7) counts once, 6 + 12 - 3 = 15; the
    // mean divides by the 7 parcours active in the range, each once.
    let r = csv(&dir, "2", "2016..2017", None);
    assert_eq!(t2_counts(&r, "TOTAL"), [15, 9, 6]);
    assert_eq!(t2_counts(&r, "IAE_ACI"), [3, 3, 0]);
    assert_eq!(t2_counts(&r, "PARTICIPANTS"), [7, 4, 3]);
    assert!(
        (r.coded("MOYENNE_PAR_PARTICIPANT").number("total").unwrap() - 15.0 / 7.0).abs() < 1e-6
    );
    tableau2_identities(&r);

    // region=Occitanie is P2: étapes 14 15 16 (f), 11 13 (e); participants e and f.
    let f = csv(&dir, "2", "2017", Some("region=Occitanie"));
    assert_eq!(t2_counts(&f, "TOTAL"), [5, 3, 2]);
    assert_eq!(t2_counts(&f, "IAE"), [2, 1, 1]);
    assert_eq!(t2_counts(&f, "CONTRATS_NON_AIDES"), [1, 0, 1]);
    assert_eq!(t2_counts(&f, "PARTICIPANTS"), [2, 1, 1]);
    assert_eq!(
        f.coded("MOYENNE_PAR_PARTICIPANT").number("total"),
        Some(2.5)
    );
    let j = json(&dir, "2", "2017", Some("region=Occitanie"));
    assert_eq!(j["plie"], 1);
    // A parcours filter applies through the étape's parcours: sexe=F keeps b, d, e.
    let w = csv(&dir, "2", "2017", Some("sexe=F"));
    assert_eq!(t2_counts(&w, "TOTAL"), [5, 0, 5]);
    assert_eq!(t2_counts(&w, "PARTICIPANTS"), [3, 0, 3]);
    assert_eq!(
        w.coded("MOYENNE_PAR_PARTICIPANT").cell("hommes"),
        "",
        "0 / 0 is no mean"
    );
    let j = json(&dir, "2", "2017", Some("sexe=F"));
    assert!(json_row(&j, "MOYENNE_PAR_PARTICIPANT")["hommes"].is_null());

    // A year without étapes nor parcours: zeros, no mean, no PLIE.
    let empty = csv(&dir, "2", "2014", None);
    assert_eq!(t2_counts(&empty, "TOTAL"), [0, 0, 0]);
    assert_eq!(empty.coded("MOYENNE_PAR_PARTICIPANT").cell("total"), "");
    assert_eq!(json(&dir, "2", "2014", None)["plie"], 0);
}

/// `[participants, hommes, femmes]` of a line of Tableau 4 or 5.
fn t45(t: &TableCsv, row: &str) -> [u64; 3] {
    ["participants", "hommes", "femmes"].map(|c| t.coded(row).count(c))
}

#[test]
fn tableaux4_5_crafted_by_hand() {
    let dir = crafted();
    let t4 = csv(&dir, "4", "2017", None);
    assert_eq!(
        t4.keys(),
        [
            "participants",
            "part_hommes",
            "part_femmes",
            "hommes",
            "femmes",
            "part_participants"
        ]
    );
    assert_eq!(
        t4.codes(),
        ["ACI", "EI", "ETTI", "AI", "RQ", "GEIQ", "TOTAL"]
    );
    // 2017: a (H) has two ACI étapes (2, 3) and a GEIQ one (4); c (H) an ACI one (9); e (F) AI
    // (11); f (H) ETTI (14). ACI counts a once; TOTAL counts a once though he is in two
    // structures, so the lines add up to 5 for 4 people.
    let expected: &[(&str, [u64; 3])] = &[
        ("ACI", [2, 2, 0]),
        ("EI", [0, 0, 0]),
        ("ETTI", [1, 1, 0]),
        ("AI", [1, 0, 1]),
        ("RQ", [0, 0, 0]),
        ("GEIQ", [1, 1, 0]),
        ("TOTAL", [4, 3, 1]),
    ];
    for (code, want) in expected {
        assert_eq!(t45(&t4, code), *want, "{code}");
    }
    // Shares: over the 3 men and the 1 woman of the total.
    assert!((t4.coded("ACI").number("part_hommes").unwrap() - 2.0 / 3.0).abs() < 1e-6);
    assert!((t4.coded("GEIQ").number("part_hommes").unwrap() - 1.0 / 3.0).abs() < 1e-6);
    assert_eq!(t4.coded("ACI").number("part_femmes"), Some(0.0));
    assert_eq!(t4.coded("AI").number("part_femmes"), Some(1.0));
    assert_eq!(t4.coded("ACI").number("part_participants"), Some(0.5));
    assert_eq!(t4.coded("TOTAL").number("part_hommes"), Some(1.0));
    // Someone in two structures: the men's shares add up to more than 100 %.
    let men: f64 = ["ACI", "EI", "ETTI", "AI", "RQ", "GEIQ"]
        .iter()
        .map(|s| t4.coded(s).number("part_hommes").unwrap())
        .sum();
    assert!((men - 4.0 / 3.0).abs() < 1e-6);

    let j = json(&dir, "4", "2017", None);
    assert_eq!(j["tableau"], "4");
    assert_eq!(j["plie"], 2);
    assert_eq!(json_row(&j, "TOTAL")["participants"], 4);
    assert_eq!(json_row(&j, "ACI")["hommes"], 2);
    assert_eq!(json_row(&j, "RQ")["label"], "Régie de Quartier");
    let text = run(&dir, "4", "2017", None, "text");
    let aci = text
        .lines()
        .find(|l| l.starts_with("ACI"))
        .expect("ACI line")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(aci, "ACI 2 67 % 0 % 2 0 50 %", "{text}");
    assert!(text.contains("(2 PLIE, filtre : aucun)"), "{text}");

    // Tableau 5, funded étapes only: 2 (a ACI), 4 (a GEIQ), 9 (c ACI). No woman: her shares
    // are undefined (empty in csv, null in json, - in text). Only P1 funds étapes in 2017.
    let t5 = csv(&dir, "5", "2017", None);
    let expected5: &[(&str, [u64; 3])] = &[
        ("ACI", [2, 2, 0]),
        ("ETTI", [0, 0, 0]),
        ("AI", [0, 0, 0]),
        ("GEIQ", [1, 1, 0]),
        ("TOTAL", [2, 2, 0]),
    ];
    for (code, want) in expected5 {
        assert_eq!(t45(&t5, code), *want, "{code}");
    }
    assert_eq!(t5.coded("ACI").number("part_hommes"), Some(1.0));
    assert_eq!(t5.coded("GEIQ").number("part_hommes"), Some(0.5));
    assert_eq!(t5.coded("ACI").cell("part_femmes"), "");
    assert_eq!(t5.coded("TOTAL").cell("part_femmes"), "");
    let j5 = json(&dir, "5", "2017", None);
    assert_eq!(j5["plie"], 2, "both PLIE sent étapes for 2017");
    assert_eq!(j5["plie_financement"], 1, "only P1 funds étapes");
    assert!(json_row(&j5, "GEIQ")["part_femmes"].is_null());
    let text5 = run(&dir, "5", "2017", None, "text");
    assert!(text5.contains("(2 PLIE, filtre : aucun)"), "{text5}");

    tableau5_within_tableau4(&t4, &t5);
}

/// Tableau 5 <= Tableau 4 on every count.
fn tableau5_within_tableau4(t4: &TableCsv, t5: &TableCsv) {
    for code in t4.codes() {
        for c in ["participants", "hommes", "femmes"] {
            assert!(
                t5.coded(code).number(c).unwrap() <= t4.coded(code).number(c).unwrap(),
                "{code} {c}: Tableau 5 above Tableau 4"
            );
        }
    }
}

#[test]
fn tableaux4_5_ranges_and_filters() {
    let dir = crafted();
    // 2015..2017: c's ACI étapes of both his parcours (10 and 9) make one participant.
    let r = csv(&dir, "4", "2015..2017", None);
    assert_eq!(t45(&r, "ACI"), [2, 2, 0]);
    assert_eq!(t45(&r, "TOTAL"), [4, 3, 1]);
    // Tableau 5 over the range: c's first ACI étape (10) is funded too; still one person.
    assert_eq!(t45(&csv(&dir, "5", "2015..2017", None), "ACI"), [2, 2, 0]);
    // 2016: only a's ACI étape 2.
    let y = csv(&dir, "4", "2016", None);
    assert_eq!(t45(&y, "TOTAL"), [1, 1, 0]);
    assert_eq!(y.coded("TOTAL").cell("part_femmes"), "");

    // P2 alone: f (H) in ETTI, e (F) in AI. Nobody is in two structures, so each sex's shares
    // add up to 100 %.
    let f = csv(&dir, "4", "2017", Some("region=Occitanie"));
    assert_eq!(t45(&f, "ETTI"), [1, 1, 0]);
    assert_eq!(t45(&f, "AI"), [1, 0, 1]);
    assert_eq!(t45(&f, "TOTAL"), [2, 1, 1]);
    for sex in ["part_hommes", "part_femmes"] {
        let sum: f64 = ["ACI", "EI", "ETTI", "AI", "RQ", "GEIQ"]
            .iter()
            .map(|s| f.coded(s).number(sex).unwrap())
            .sum();
        assert!((sum - 1.0).abs() < 1e-9, "{sex}: {sum}");
    }
    assert_eq!(json(&dir, "4", "2017", Some("region=Occitanie"))["plie"], 1);
    // plie=P1: a (ACI, GEIQ) and c (ACI).
    let p1 = csv(&dir, "4", "2017", Some("plie=P1"));
    assert_eq!(t45(&p1, "ACI"), [2, 2, 0]);
    assert_eq!(t45(&p1, "TOTAL"), [2, 2, 0]);
    // A parcours filter is not refused: it applies through the étape's parcours.
    let w = csv(&dir, "4", "2017", Some("sexe=F"));
    assert_eq!(t45(&w, "TOTAL"), [1, 0, 1]);
    assert_eq!(t45(&w, "AI"), [1, 0, 1]);
    // Nothing funded in P2.
    let j5 = json(&dir, "5", "2017", Some("region=Occitanie"));
    assert_eq!(j5["plie"], 1);
    assert_eq!(j5["plie_financement"], 0);
    assert_eq!(json_row(&j5, "TOTAL")["participants"], 0);
    assert!(json_row(&j5, "ACI")["part_hommes"].is_null());
}

/// calibration.rs's tolerances: 1.85 étapes per participant within 5 %, each type's share of
/// the étapes within 2 points, Tableau 4's total within 25 %.
#[test]
fn national_2017_near_the_published_tables() {
    let dir = national();
    let t2 = csv(dir, "2", "2017", None);
    tableau2_identities(&t2);
    let published = reference("plie2017_tableau2.csv");
    let figures: HashMap<&str, f64> = published[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[1].parse().expect("number")))
        .collect();
    let mut drifts = Vec::new();
    let mean = t2.coded("MOYENNE_PAR_PARTICIPANT").number("total").unwrap();
    if (mean / figures["MOYENNE_PAR_PARTICIPANT"] - 1.0).abs() > 0.05 {
        drifts.push(format!("mean {mean:.3} vs 1.85"));
    }
    let total = t2.coded("TOTAL").number("total").unwrap();
    // As calibration.rs does, shares are of the sum of the published lines (186 363): the
    // published IAE (16 671) is 200 below its lines, and so TOTAL (186 163) below its leaves.
    let published_total: f64 = LEAVES.iter().map(|l| figures[l]).sum();
    for leaf in LEAVES {
        let (got, want) = (
            100.0 * t2.coded(leaf).number("total").unwrap() / total,
            100.0 * figures[leaf] / published_total,
        );
        if (got - want).abs() > 2.0 {
            drifts.push(format!("{leaf}: {got:.2} % vs {want:.2} %"));
        }
    }
    // Emplois de parcours = IAE + hors IAE + autres contrats (the published 51 881, whose lines
    // add up to 52 081).
    let lines = &LEAVES[1..13];
    let share = 100.0 * t2.coded("EMPLOIS_PARCOURS").number("total").unwrap() / total;
    let want = 100.0 * lines.iter().map(|l| figures[l]).sum::<f64>() / published_total;
    if (share - want).abs() > 2.0 {
        drifts.push(format!("EMPLOIS_PARCOURS: {share:.2} % vs {want:.2} %"));
    }
    let t4 = csv(dir, "4", "2017", None);
    let t5 = csv(dir, "5", "2017", None);
    let got = t4.coded("TOTAL").number("participants").unwrap();
    if (got / 17_168.0 - 1.0).abs() > 0.25 {
        drifts.push(format!("Tableau 4 total {got} vs 17 168"));
    }
    assert!(drifts.is_empty(), "{}", drifts.join("\n"));
    tableau5_within_tableau4(&t4, &t5);
    // Every structure is present, the total is at most the sum of the lines and at least the
    // largest, and only some PLIE record which étapes they fund.
    let lines: Vec<f64> = ["ACI", "EI", "ETTI", "AI", "RQ", "GEIQ"]
        .iter()
        .map(|s| t4.coded(s).number("participants").unwrap())
        .collect();
    assert!(lines.iter().all(|&n| n > 0.0));
    assert!(got <= lines.iter().sum::<f64>() && got >= lines[0]);
    let (p4, p5) = (
        json(dir, "4", "2017", None)["plie"].as_u64().unwrap(),
        json(dir, "5", "2017", None)["plie_financement"]
            .as_u64()
            .unwrap(),
    );
    assert!(
        0 < p5 && p5 < p4,
        "{p5} PLIE in Tableau 5, {p4} in Tableau 4"
    );

    // A range counts an étape once: between the larger year and the sum of both.
    let total_2016 = csv(dir, "2", "2016", None)
        .coded("TOTAL")
        .number("total")
        .unwrap();
    let range = csv(dir, "2", "2016..2017", None);
    tableau2_identities(&range);
    let total_range = range.coded("TOTAL").number("total").unwrap();
    assert!(total_range < total + total_2016 && total_range > total.max(total_2016));
}

/// One person, g, recorded as a woman in her first parcours and as a man in her second: Tableau
/// 4 gives her one sex, her earliest parcours's with an étape counted, on every line; Tableau 2
/// counts each étape by the sex of its own parcours.
#[test]
fn tableau4_one_sex_per_person() {
    let dir = Dir::new();
    let t = dir.transfer(
        "g",
        &[
            (
                "parcours.csv",
                "plie,participant,entree,sortie,motif_sortie,sexe,naissance,public,inscrit_pe,th,niveau
P9,g,2016-02-01,2016-11-30,EMPLOI,F,1980-01,RSA,1,0,V
P9,g,2017-01-15,,,H,1980-01,RSA,1,0,V
",
            ),
            (
                "etapes.csv",
                "plie,participant,entree,type,debut,fin
P9,g,2016-02-01,IAE_EI,2016-03-01,2016-10-31
P9,g,2017-01-15,IAE_EI,2017-02-01,
P9,g,2017-01-15,IAE_AI,2017-03-01,2017-04-30
",
            ),
            (
                "plie.csv",
                "plie,extraction,complet_depuis\nP9,2017-12-31,2016-01-01\n",
            ),
        ],
    );
    dir.import(&[&t]);
    let range = csv(&dir, "4", "2016..2017", None);
    assert_eq!(t45(&range, "EI"), [1, 0, 1]);
    assert_eq!(t45(&range, "AI"), [1, 0, 1]);
    assert_eq!(t45(&range, "TOTAL"), [1, 0, 1]);
    let y = csv(&dir, "4", "2017", None);
    assert_eq!(t45(&y, "AI"), [1, 1, 0]);
    assert_eq!(t45(&y, "TOTAL"), [1, 1, 0]);
    let t2 = csv(&dir, "2", "2016..2017", None);
    assert_eq!(t2_counts(&t2, "IAE_EI"), [2, 1, 1]);
    assert_eq!(t2_counts(&t2, "IAE_AI"), [1, 1, 0]);
    assert_eq!(t2_counts(&t2, "PARTICIPANTS"), [2, 1, 1]);
}
