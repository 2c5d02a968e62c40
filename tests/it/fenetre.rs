//! Each PLIE's observation window (plie.csv's `extraction` and `complet_depuis`, docs/FORMAT.md)
//! and the rule every figure follows (docs/tables.md): a table is answered over the PLIE observed
//! for its whole period, naming those left out, refused when none is; a column nobody observed is
//! "non observé" in text, md and xlsx, empty in csv, null in json with the reason.
//!
//! The crafted corpus, three PLIE whose windows differ:
//! - PA (44): sent `complet_depuis` 2015-01-01 and `extraction` 2017-12-31;
//! - PB (59): sent 2014-01-01 and 2016-12-31;
//! - PC (35): absent from plie.csv's dates, so derived: complete from 1 January of its earliest
//!   entry year (2014-01-01), extracted on its latest date (c1's exit, 2017-06-30).
//!
//! | parcours | entry | exit | motif |
//! |---|---|---|---|
//! | PA a1 | 2015-02-01 | 2016-03-01 | EMPLOI |
//! | PA a2 | 2016-05-01 | open | |
//! | PA a3 | 2017-01-10 | 2017-09-01 | ABANDON |
//! | PB b1 | 2014-04-01 | 2015-01-15 | FORMATION |
//! | PB b2 | 2016-02-01 | open | |
//! | PC c1 | 2014-03-01 | 2017-06-30 | EMPLOI |
//! | PC c2 | 2016-07-01 | open | |

use crate::util::{csv_rows, Dir};

const PARCOURS: &str = "\
plie,participant,entree,sortie,motif_sortie,sexe,naissance,public,inscrit_pe,th,niveau
PA,a1,2015-02-01,2016-03-01,EMPLOI,F,1980-01,RSA,1,0,V
PA,a2,2016-05-01,,,H,1985-01,DELD,1,0,IV
PA,a3,2017-01-10,2017-09-01,ABANDON,F,1990-01,AUTRE,0,0,VI
PB,b1,2014-04-01,2015-01-15,FORMATION,H,1975-01,RSA,1,0,V
PB,b2,2016-02-01,,,F,1982-01,DELD,1,0,III
PC,c1,2014-03-01,2017-06-30,EMPLOI,H,1970-01,AUTRE,0,1,V
PC,c2,2016-07-01,,,F,1995-01,RSA,1,0,9
";

const PLIE: &str = "\
plie,nom,departement,extraction,complet_depuis
PA,PLIE A,44,2017-12-31,2015-01-01
PB,PLIE B,59,31/12/2016,01/01/2014
PC,PLIE C,35,,
";

fn corpus() -> Dir {
    let dir = Dir::new();
    let t = dir.transfer("t", &[("parcours.csv", PARCOURS), ("plie.csv", PLIE)]);
    dir.import(&[&t]);
    dir
}

fn json(dir: &Dir, args: &[&str]) -> serde_json::Value {
    let args = [args, &["--format", "json"]].concat();
    serde_json::from_str(&dir.run(&args).ok()).unwrap()
}

/// The left-out PLIE of a json table: (plie, periode, raison).
fn left_out(v: &serde_json::Value) -> Vec<(String, String, String)> {
    v["non_observes"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|n| {
                    (
                        n["plie"].as_str().unwrap().to_owned(),
                        n["periode"].as_str().unwrap().to_owned(),
                        n["raison"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn total(v: &serde_json::Value, key: &str) -> u64 {
    let rows = v["rows"].as_array().unwrap();
    let total = rows.iter().find(|r| r["group"] == "total").unwrap();
    total[key].as_u64().unwrap()
}

#[test]
fn status_shows_each_window_sent_or_derived() {
    let dir = corpus();
    let rows = csv_rows(&dir.run(&["status", "--format", "csv"]).ok());
    let col = |name: &str| rows[0].iter().position(|c| c == name).unwrap();
    let (e, c) = (col("extraction"), col("complet_depuis"));
    let line = |p: &str| rows.iter().find(|r| r[0] == p).unwrap().clone();
    assert_eq!(
        (line("PA")[e].as_str(), line("PA")[c].as_str()),
        ("2017-12-31", "2015-01-01")
    );
    assert_eq!(
        (line("PB")[e].as_str(), line("PB")[c].as_str()),
        ("2016-12-31", "2014-01-01")
    );
    assert_eq!(
        (line("PC")[e].as_str(), line("PC")[c].as_str()),
        ("2017-06-30 (deduite)", "2014-01-01 (deduite)")
    );
    // Sending the same rows with a window changes the PLIE; sending them again does not.
    let plie = "plie,extraction\nPC,2017-12-31\n";
    let t = dir.transfer("t2", &[("parcours.csv", PARCOURS), ("plie.csv", plie)]);
    assert!(dir.import(&[&t]).contains("PLIE PC: replaced"));
    assert!(dir.import(&[&t]).contains("PLIE PC: unchanged"));
}

#[test]
fn a_year_is_answered_over_the_plie_that_observed_it_and_names_the_others() {
    let dir = corpus();
    // 2016: every PLIE observed it. Entries a2, b2, c2.
    let v = json(&dir, &["tableau", "1", "--year", "2016"]);
    assert_eq!((v["plie"].as_u64(), total(&v, "entrees")), (Some(3), 3));
    assert!(left_out(&v).is_empty());

    // 2017: PB was extracted on 31/12/2016, PC on 30/06/2017: over PA alone. Entries a3;
    // in parcours a2 and a3; one exit (a3, abandon).
    let v = json(&dir, &["tableau", "1", "--year", "2017"]);
    assert_eq!(v["plie"].as_u64(), Some(1));
    assert_eq!(
        (
            total(&v, "entrees"),
            total(&v, "en_parcours"),
            total(&v, "abandons")
        ),
        (1, 2, 1)
    );
    assert_eq!(
        left_out(&v),
        [
            (
                "PB".into(),
                "2017".into(),
                "données extraites le 31/12/2016".into()
            ),
            (
                "PC".into(),
                "2017".into(),
                "données extraites le 30/06/2017".into()
            ),
        ]
    );
    let text = dir.run(&["tableau", "1", "--year", "2017"]).ok();
    assert!(text.contains("(1 PLIE, filtre : aucun)"), "{text}");
    assert!(
        text.contains(
            "PLIE non observés sur la période, non comptés : PB (2017 : données extraites le \
             31/12/2016), PC (2017 : données extraites le 30/06/2017)"
        ),
        "{text}"
    );

    // 2014: PA is complete from 2015 only: over PB and PC. Entries b1, c1.
    let v = json(&dir, &["tableau", "1", "--year", "2014"]);
    assert_eq!((v["plie"].as_u64(), total(&v, "entrees")), (Some(2), 2));
    assert_eq!(
        left_out(&v),
        [(
            "PA".into(),
            "2014".into(),
            "données complètes depuis le 01/01/2015 seulement".into()
        )]
    );

    // A range is one period: 2016..2017 over PA alone, each year and the range.
    let v = json(&dir, &["tableau", "1bis", "--years", "2016..2017"]);
    assert_eq!(v["plie"].as_u64(), Some(1));
    let rows = v["rows"].as_array().unwrap();
    let entrees = rows
        .iter()
        .find(|r| r["group"] == "total" && r["row"] == "total")
        .unwrap();
    assert_eq!(
        (
            &entrees["entrees_2016"],
            &entrees["entrees_2017"],
            &entrees["entrees_total"]
        ),
        (
            &serde_json::json!(1),
            &serde_json::json!(1),
            &serde_json::json!(2)
        )
    );
    assert_eq!(left_out(&v).len(), 2);
}

#[test]
fn a_period_nobody_observed_is_refused_and_a_single_plie_too() {
    let dir = corpus();
    for args in [
        &["tableau", "1", "--year", "2018"][..],
        &["tableau", "1", "--year", "2013"],
        &["tableau", "3", "--year", "2018"],
        &["tableau", "taux", "--years", "2013..2016"],
        &["tableau", "1", "--year", "2017", "--filter", "plie=PB"],
        &[
            "tableau",
            "1",
            "--year",
            "2017",
            "--filter",
            "departement=35",
        ],
        &[
            "crosstab",
            "--measure",
            "entrees",
            "--year",
            "2018",
            "--rows",
            "sexe",
        ],
    ] {
        let run = dir.run(args);
        assert_eq!(run.code, 1, "{args:?}: {run:?}");
        assert!(
            run.stderr
                .contains("is not observed (non observé) by any PLIE in scope"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(run.stdout.is_empty(), "{args:?}: no figure");
    }
    let run = dir.run(&["tableau", "1", "--year", "2017", "--filter", "plie=PB"]);
    assert!(
        run.stderr.contains("PB (données extraites le 31/12/2016)"),
        "{}",
        run.stderr
    );
    // The single PLIE observed for 2017 answers alone.
    let v = json(
        &dir,
        &["tableau", "1", "--year", "2017", "--filter", "plie=PA"],
    );
    assert_eq!((v["plie"].as_u64(), total(&v, "entrees")), (Some(1), 1));
    assert!(left_out(&v).is_empty());
}

#[test]
fn a_crosstab_counts_the_observed_plie_only() {
    let dir = corpus();
    let args = [
        "crosstab",
        "--measure",
        "en_parcours",
        "--year",
        "2017",
        "--rows",
        "plie",
    ];
    let v = json(&dir, &args);
    assert_eq!(v["plie"].as_u64(), Some(1));
    let cells = v["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 1, "{v}");
    assert_eq!(
        (&cells[0]["plie"], &cells[0]["en_parcours"]),
        (&serde_json::json!("PA"), &serde_json::json!(2))
    );
    assert_eq!(left_out(&v).len(), 2);
    let text = dir.run(&args).ok();
    assert!(text.contains("PLIE non observés sur la période"), "{text}");
}

#[test]
fn periods_nobody_observed_are_non_observe_in_every_format() {
    let dir = corpus();
    // 2014-2016: observed by PB and PC (PA is complete from 2015): entries b1, b2, c1, c2.
    // 2000-2006 and 2007-2013: nobody.
    let args = ["tableau", "periodes", "--year", "2016"];
    let v = json(&dir, &args);
    let rows = v["rows"].as_array().unwrap();
    let line = |code: &str| rows.iter().find(|r| r["row"] == code).unwrap();
    let entrees = line("entrees");
    assert_eq!(entrees["2014-2016"], serde_json::json!(4));
    assert_eq!(line("plies")["2014-2016"], serde_json::json!(2));
    for row in rows {
        assert!(
            row["2000-2006"].is_null() && row["2007-2013"].is_null(),
            "{row}"
        );
        assert_eq!(
            row["non_observe"],
            serde_json::json!(["2000-2006", "2007-2013"])
        );
    }
    assert_eq!(v["plie"].as_u64(), Some(2));
    let why = left_out(&v);
    assert!(why.contains(&(
        "PB".into(),
        "2000..2006".into(),
        "données complètes depuis le 01/01/2014 seulement".into()
    )));
    assert!(why.contains(&(
        "PA".into(),
        "2014..2016".into(),
        "données complètes depuis le 01/01/2015 seulement".into()
    )));
    // Text and md say it, never 0 nor 0 %; csv leaves the cells empty.
    for format in ["text", "md"] {
        let out = dir.run(&[&args[..], &["--format", format]].concat()).ok();
        let entries = out
            .lines()
            .find(|l| l.contains("Participants entrés"))
            .unwrap();
        assert_eq!(
            entries.matches("non observé").count(),
            2,
            "{format}: {entries}"
        );
        let rate = out.lines().find(|l| l.contains("Hommes")).unwrap();
        assert_eq!(rate.matches("non observé").count(), 2, "{format}: {rate}");
        assert!(!rate.contains(" 0 %"), "{format}: {rate}");
    }
    let csv = csv_rows(&dir.run(&[&args[..], &["--format", "csv"]].concat()).ok());
    let head = &csv[0];
    let c = head.iter().position(|h| h == "2000-2006").unwrap();
    let n = head.iter().position(|h| h == "2014-2016").unwrap();
    let entries = csv.iter().find(|r| r[1] == "entrees").unwrap();
    assert_eq!((entries[c].as_str(), entries[n].as_str()), ("", "4"));
    // The workbook writes the words in the cells.
    let xlsx = dir.path().join("p.xlsx");
    dir.run(
        &[
            &args[..],
            &["--format", "xlsx", "--out", xlsx.to_str().unwrap()],
        ]
        .concat(),
    )
    .ok();
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let mut book: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let names = book.sheet_names().to_vec();
    let words = names
        .iter()
        .map(|n| {
            book.worksheet_range(n)
                .unwrap()
                .used_cells()
                .filter(|(_, _, c)| **c == Data::String("non observé".into()))
                .count()
        })
        .sum::<usize>();
    // 2 columns × (2 count lines + 14 characteristics + 3 rates).
    assert_eq!(words, 2 * (2 + 14 + 3));
}

#[test]
fn tableau_all_leaves_out_what_nobody_observed() {
    let dir = corpus();
    let run = dir.run(&["tableau", "all", "--year", "2018", "--format", "json"]);
    assert_eq!(run.code, 0, "{run:?}");
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let codes: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tableau"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["periodes"], "{}", run.stderr);
    assert!(
        run.stderr
            .contains("note: tableau 1 left out: 2018 is not observed (non observé)"),
        "{}",
        run.stderr
    );
}

#[test]
fn cohorts_observe_the_window_their_plie_share_and_say_non_observe_past_it() {
    use consolide::analyses::cohortes::CohortQuery;
    use consolide::{Corpus, Filter, Period, Store};
    let dir = corpus();
    let store = Store::open(&dir.db()).unwrap();
    let corpus = Corpus::load(&store).unwrap();
    // Entrants of 2016: every PLIE observed 2016; the earliest extraction is PB's, 31/12/2016,
    // so no horizon past it is observed (c2 entered on 1 July 2016: 6 months is 1/1/2017).
    let c = corpus
        .cohortes(&CohortQuery {
            entrees: Some(Period::year(2016)),
            mois: vec![0, 6],
            filter: Filter::none(),
            ..CohortQuery::default()
        })
        .unwrap();
    assert!(c.non_observes.is_empty());
    let y = c.cohorte(2016, None).unwrap();
    assert_eq!(y.entrants, 3);
    assert!(y.horizons[0].etat.is_some());
    assert!(y.horizons[1].etat.is_none());
    let text = consolide::render::table(&c.to_table(), consolide::Format::Text);
    assert!(text.contains("non observé"), "{text}");
    // Entrants of 2017 (a3, 10/01/2017): six months on is past PB's extraction, non observé;
    // followed in PA alone (extracted on 31/12/2017), it is observed: a3 still in parcours.
    let c = corpus
        .cohortes(&CohortQuery {
            entrees: Some(Period::year(2017)),
            mois: vec![6],
            ..CohortQuery::default()
        })
        .unwrap();
    let y = c.cohorte(2017, None).unwrap();
    assert_eq!((c.plies, y.entrants), (1, 1));
    assert!(y.horizons[0].etat.is_none());
    let c = corpus
        .cohortes(&CohortQuery {
            entrees: Some(Period::year(2017)),
            mois: vec![6],
            filter: Filter::none().with(consolide::Dimension::Plie, &["PA"]),
            ..CohortQuery::default()
        })
        .unwrap();
    assert_eq!(c.fin_observation, time::macros::date!(2017 - 12 - 31));
    let y = c.cohorte(2017, None).unwrap();
    let etat = y.horizons[0]
        .etat
        .expect("observed: 10/07/2017 <= 31/12/2017");
    assert_eq!(
        (
            etat.sorties_positives,
            etat.sorties_sans_suite,
            etat.en_parcours
        ),
        (0, 0, 1)
    );
}
