//! Laws on random corpora: written as real CSV files, imported into a real store, then every
//! measure by every dimension, with and without filters, compared to a plain row-by-row count that
//! follows MEASURES.md word for word; the scan and bitmap paths compared to each other; and the
//! identities of MEASURES.md.

use std::collections::BTreeSet;

use consolide::{
    import, Corpus, Crosstab, Dimension, Filter, ImportOptions, Measure, Path, Period, Store,
    Summaries, Value,
};
use proptest::prelude::*;
use time::{Date, Month};

/// One generated parcours, with dates as calendar dates.
#[derive(Debug, Clone)]
struct Row {
    plie: usize,
    entree: Date,
    sortie: Option<(Date, usize)>,
    sexe: usize,
    naissance: (i32, u8),
    public: usize,
    inscrit_pe: bool,
    th: bool,
    niveau: usize,
    inactivite: Option<Option<u16>>,
    qpv: Option<bool>,
}

const PLIES: [&str; 3] = ["P1", "P2", "P3"];
const MOTIFS: [&str; 6] = [
    "EMPLOI",
    "FORMATION",
    "AUTRE_POSITIVE",
    "ABANDON",
    "DEMENAGEMENT_DECES_RETRAITE",
    "AUTRE_SANS_SUITE",
];
const NIVEAUX: [&str; 9] = ["VI", "VBIS", "V", "IV", "III", "II", "I", "9", "NC"];
const PUBLICS: [&str; 3] = ["DELD", "RSA", "AUTRE"];

fn day(n: i64) -> Date {
    Date::from_calendar_date(2012, Month::January, 1).unwrap() + time::Duration::days(n)
}

fn row() -> impl Strategy<Value = Row> {
    (
        (
            0..3usize,
            0..2922i64,
            prop::option::weighted(0.7, (0..1500i64, 0..6usize)),
        ),
        (
            0..2usize,
            15..99i32,
            0..12u8,
            0..3usize,
            any::<bool>(),
            any::<bool>(),
            0..9usize,
        ),
        (
            prop_oneof![
                Just(None),
                Just(Some(None)),
                (0..200u16).prop_map(|m| Some(Some(m)))
            ],
            prop::option::of(any::<bool>()),
        ),
    )
        .prop_map(
            |((plie, e, x), (sexe, age, month_back, public, pe, th, niveau), (inactivite, qpv))| {
                let entree = day(e);
                let sortie = x.map(|(len, m)| (day((e + len).min(2922 + 365)), m));
                // A birth month that gives about `age` years at entry; the engine's age is checked
                // against `age_of` below, not against this.
                let months = entree.year() * 12 + entree.month() as i32
                    - 1
                    - age * 12
                    - i32::from(month_back);
                Row {
                    plie,
                    entree,
                    sortie,
                    sexe,
                    naissance: (months.div_euclid(12), (months.rem_euclid(12) + 1) as u8),
                    public,
                    inscrit_pe: pe,
                    th,
                    niveau,
                    inactivite,
                    qpv,
                }
            },
        )
}

fn age_of(r: &Row) -> i32 {
    let (y, m) = r.naissance;
    r.entree.year() - y - i32::from((r.entree.month() as u8) < m)
}

/// The label of `r` on `dim`, computed from the row as MEASURES.md and CLI.md define it.
fn label(r: &Row, dim: Dimension) -> String {
    let age = age_of(r);
    let yes = |b: bool| if b { "1" } else { "0" }.to_owned();
    match dim {
        Dimension::Sexe => ["H", "F"][r.sexe].into(),
        Dimension::Age26 => if age < 26 { "<26" } else { ">=26" }.into(),
        Dimension::Age45 => if age < 45 { "<45" } else { ">=45" }.into(),
        Dimension::TrancheAge => match age {
            ..=24 => "15-24",
            25..=44 => "25-44",
            45..=54 => "45-54",
            55..=64 => "55-64",
            _ => "65+",
        }
        .into(),
        Dimension::Th => yes(r.th),
        Dimension::InscritPe => yes(r.inscrit_pe),
        Dimension::Qpv => r.qpv.map_or("?".into(), yes),
        Dimension::Public => PUBLICS[r.public].into(),
        Dimension::Niveau => NIVEAUX[r.niveau].into(),
        Dimension::NiveauGroupe => match NIVEAUX[r.niveau] {
            "IV" | "III" | "II" | "I" => "IV+".into(),
            n => n.into(),
        },
        Dimension::Inactivite => match r.inactivite {
            None => "?".into(),
            Some(None) => "JAMAIS".into(),
            Some(Some(m)) => match m {
                0..=11 => "<1",
                12..=23 => "1-2",
                24..=35 => "2-3",
                36..=59 => "3-5",
                _ => "5+",
            }
            .into(),
        },
        Dimension::Plie => PLIES[r.plie].into(),
        Dimension::Departement => ["44", "59", "?"][r.plie].into(),
        Dimension::Region => ["Pays de la Loire", "Hauts-de-France", "?"][r.plie].into(),
        Dimension::AnneeEntree => r.entree.year().to_string(),
        Dimension::AnneeSortie => r.sortie.map_or("-".into(), |(x, _)| x.year().to_string()),
        Dimension::MotifSortie => r.sortie.map_or("-".into(), |(_, m)| MOTIFS[m].into()),
        _ => unreachable!("every dimension is listed"),
    }
}

/// The measure over `period` for the rows `rows`, counted one row and one year at a time.
fn naive(rows: &[&Row], measure: Measure, period: Period) -> Value {
    let jan1 = |y: i32| Date::from_calendar_date(y, Month::January, 1).unwrap();
    let dec31 = |y: i32| Date::from_calendar_date(y, Month::December, 31).unwrap();
    let count = |f: &dyn Fn(&Row, i32) -> bool| -> u64 {
        (period.first..=period.last)
            .map(|y| rows.iter().filter(|r| f(r, y)).count() as u64)
            .sum()
    };
    let exits = |set: &'static [usize]| {
        count(&|r, y| {
            r.sortie
                .is_some_and(|(x, m)| x.year() == y && set.contains(&m))
        })
    };
    let entrees = count(&|r, y| r.entree.year() == y);
    let report = count(&|r, y| r.entree < jan1(y) && r.sortie.is_none_or(|(x, _)| x >= jan1(y)));
    let en_parcours =
        count(&|r, y| r.entree <= dec31(y) && r.sortie.is_none_or(|(x, _)| x >= jan1(y)));
    let en_cours_fin =
        count(&|r, y| r.entree <= dec31(y) && r.sortie.is_none_or(|(x, _)| x > dec31(y)));
    let positives = exits(&[0, 1, 2]);
    let sans_suite = exits(&[3, 4, 5]);
    let motif = |m: usize| exits(&[[0], [1], [2], [3], [4], [5]][m]);
    let rate = |n: u64, d: u64| Value::Rate((d != 0).then(|| n as f64 / d as f64));
    match measure {
        Measure::Entrees => Value::Count(entrees),
        Measure::Report => Value::Count(report),
        Measure::EnParcours => Value::Count(en_parcours),
        Measure::EnCoursFin => Value::Count(en_cours_fin),
        Measure::Sorties => Value::Count(positives + sans_suite),
        Measure::SortiesPositives => Value::Count(positives),
        Measure::SortiesEmploi => Value::Count(motif(0)),
        Measure::SortiesFormation => Value::Count(motif(1)),
        Measure::SortiesAutresPositives => Value::Count(motif(2)),
        Measure::SortiesSansSuite => Value::Count(sans_suite),
        Measure::Abandons => Value::Count(motif(3)),
        Measure::DemenagementsDecesRetraites => Value::Count(motif(4)),
        Measure::AutresSansSuite => Value::Count(motif(5)),
        Measure::ParcoursDistincts => Value::Count(
            rows.iter()
                .filter(|r| {
                    r.entree <= dec31(period.last)
                        && r.sortie.is_none_or(|(x, _)| x >= jan1(period.first))
                })
                .count() as u64,
        ),
        Measure::TauxSortiesPositives => rate(positives, positives + sans_suite),
        Measure::TauxSortiesPositivesHorsDem => rate(positives, positives + sans_suite - motif(4)),
        Measure::TauxSortiesPositivesEntrees => rate(positives, entrees),
        Measure::TauxAbandons => rate(motif(3), positives + sans_suite),
        _ => unreachable!("every measure is listed"),
    }
}

/// Writes `rows` as a transfer (`;` dialect with French dates when `french`), imports it into a
/// fresh store and loads the corpus.
fn load(rows: &[Row], french: bool) -> (tempfile::TempDir, Corpus) {
    let dir = tempfile::tempdir().unwrap();
    let transfer = dir.path().join("t");
    std::fs::create_dir(&transfer).unwrap();
    let sep = if french { ";" } else { "," };
    let date = |d: Date| {
        if french {
            format!("{}/{}/{}", d.day(), d.month() as u8, d.year())
        } else {
            d.to_string()
        }
    };
    let mut csv = [
        "plie",
        "participant",
        "entree",
        "sortie",
        "motif_sortie",
        "sexe",
        "naissance",
        "public",
        "inscrit_pe",
        "th",
        "niveau",
        "inactivite",
        "qpv",
    ]
    .join(sep)
        + "\n";
    for (i, r) in rows.iter().enumerate() {
        let fields = [
            PLIES[r.plie].to_owned(),
            format!("k{i}"),
            date(r.entree),
            r.sortie.map_or(String::new(), |(x, _)| date(x)),
            r.sortie
                .map_or(String::new(), |(_, m)| MOTIFS[m].to_owned()),
            ["H", "F"][r.sexe].to_owned(),
            format!("{}-{:02}", r.naissance.0, r.naissance.1),
            PUBLICS[r.public].to_owned(),
            u8::from(r.inscrit_pe).to_string(),
            u8::from(r.th).to_string(),
            NIVEAUX[r.niveau].to_owned(),
            match r.inactivite {
                None => String::new(),
                Some(None) => "JAMAIS".into(),
                Some(Some(m)) => m.to_string(),
            },
            r.qpv.map_or(String::new(), |b| u8::from(b).to_string()),
        ];
        csv += &(fields.join(sep) + "\n");
    }
    std::fs::write(transfer.join("parcours.csv"), csv).unwrap();
    std::fs::write(
        transfer.join("plie.csv"),
        "plie,departement,region\nP1,44,Pays de la Loire\nP2,59,Hauts-de-France\n",
    )
    .unwrap();
    let db = dir.path().join("s.redb");
    let summary = import(&db, &[transfer], &ImportOptions::now()).unwrap();
    assert!(
        !summary.refused(),
        "{:?}",
        summary
            .errors()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    );
    let corpus = Corpus::load(&Store::open(&db).unwrap()).unwrap();
    (dir, corpus)
}

fn dimension() -> impl Strategy<Value = Dimension> {
    prop::sample::select(Dimension::ALL.to_vec())
}

fn period() -> impl Strategy<Value = Period> {
    (2011..2021i32, 0..4i32).prop_map(|(y, n)| Period::years(y, (y + n).min(2021)).unwrap())
}

/// A filter on one dimension keeping some of the values the rows have.
fn filter_for(rows: &[Row], dim: Dimension, pick: &[bool]) -> (Filter, BTreeSet<String>) {
    let values: BTreeSet<String> = rows.iter().map(|r| label(r, dim)).collect();
    let kept: BTreeSet<String> = values
        .iter()
        .zip(pick.iter().cycle())
        .filter(|(_, k)| **k)
        .map(|(v, _)| v.clone())
        .collect();
    if kept.is_empty() {
        return (Filter::none(), BTreeSet::new());
    }
    let list: Vec<&str> = kept.iter().map(String::as_str).collect();
    (Filter::none().with(dim, &list), kept)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn every_cell_equals_a_row_by_row_count(
        rows in prop::collection::vec(row(), 1..120),
        french in any::<bool>(),
        queries in prop::collection::vec(
            (prop::sample::select(Measure::ALL.to_vec()), period(), dimension(), prop::option::of(dimension()),
             prop::option::of(dimension()), prop::collection::vec(any::<bool>(), 1..6)),
            1..8),
    ) {
        let (_dir, corpus) = load(&rows, french);
        for (measure, period, rows_dim, cols_dim, filter_dim, pick) in queries {
            let cols_dim = cols_dim.filter(|c| *c != rows_dim);
            let (filter, kept) = match filter_dim {
                Some(d) => filter_for(&rows, d, &pick),
                None => (Filter::none(), BTreeSet::new()),
            };
            let passing: Vec<&Row> = rows
                .iter()
                .filter(|r| filter_dim.is_none() || kept.is_empty() || kept.contains(&label(r, filter_dim.unwrap())))
                .collect();
            let query = Crosstab { measure, period, rows: rows_dim, cols: cols_dim, filter };
            let scan = corpus.crosstab_with(&query, Path::Scan).unwrap();
            let bitmap = corpus.crosstab_with(&query, Path::Bitmap).unwrap();
            // The summaries answer what they can (else the scan does): to the unit, inactivity too.
            let summary = corpus.crosstab_with(&query, Path::Summary).unwrap();
            prop_assert_eq!(&scan.cells, &summary.cells);
            prop_assert_eq!(scan.plies, summary.plies);
            prop_assert_eq!(&scan.row_values, &bitmap.row_values);
            prop_assert_eq!(scan.plies, bitmap.plies);
            for (a, b) in scan.cells.iter().zip(&bitmap.cells) {
                prop_assert_eq!(a.counts_only(), b.counts_only());
            }
            // Data-driven dimensions list the values present after filters; fixed ones all codes.
            if rows_dim.fixed_values().is_none() {
                let mut present: Vec<String> =
                    passing.iter().map(|r| label(r, rows_dim)).collect::<BTreeSet<_>>().into_iter().collect();
                if matches!(rows_dim, Dimension::AnneeEntree | Dimension::AnneeSortie) {
                    present.sort_by_key(|v| v.parse::<i32>().unwrap_or(i32::MAX));
                }
                prop_assert_eq!(&scan.row_values, &present);
            }
            let cols: Vec<Option<&String>> =
                if scan.col_values.is_empty() { vec![None] } else { scan.col_values.iter().map(Some).collect() };
            for (r, rv) in scan.row_values.iter().enumerate() {
                for (c, cv) in cols.iter().enumerate() {
                    let cell: Vec<&Row> = passing
                        .iter()
                        .copied()
                        .filter(|row| label(row, rows_dim) == *rv && cv.is_none_or(|cv| label(row, cols_dim.unwrap()) == *cv))
                        .collect();
                    let want = naive(&cell, measure, period);
                    let got = scan.value(r, c);
                    match (want, got) {
                        (Value::Rate(Some(a)), Value::Rate(Some(b))) => prop_assert!((a - b).abs() < 1e-12),
                        _ => prop_assert_eq!(want, got, "{} {} {:?}={} {:?}", measure.code(), period, rows_dim, rv, cv),
                    }
                }
            }
        }
    }

    #[test]
    fn identities_hold_and_tableau1_paths_agree(
        rows in prop::collection::vec(row(), 1..150),
        period in period(),
        territory in prop::option::of((prop::sample::select(vec![Dimension::Plie, Dimension::Departement, Dimension::Region]),
            prop::collection::vec(any::<bool>(), 1..4))),
    ) {
        let (dir, corpus) = load(&rows, false);
        // Summaries alone (no parcours read) give the same table as the scan, for a territory too.
        let store = Store::open(&dir.path().join("s.redb")).unwrap();
        let summaries = Summaries::load(&store).unwrap().expect("a fresh import writes summaries");
        let filter = match &territory {
            Some((d, pick)) => filter_for(&rows, *d, pick).0,
            None => Filter::none(),
        };
        prop_assert_eq!(
            summaries.tableau1(period, &filter).unwrap(),
            corpus.tableau1_with(period, &filter, Path::Scan).unwrap()
        );
        prop_assert_eq!(
            summaries.tableau1bis(period, &filter).unwrap(),
            corpus.tableau1bis(period, &filter).unwrap()
        );
        let scan = corpus.tableau1_with(period, &Filter::none(), Path::Scan).unwrap();
        let bitmap = corpus.tableau1_with(period, &Filter::none(), Path::Bitmap).unwrap();
        prop_assert_eq!(scan.rows.len(), 33);
        for (a, b) in scan.rows.iter().zip(&bitmap.rows) {
            prop_assert_eq!(a.tally.counts_only(), b.tally.counts_only(), "{} {}", a.group, a.row);
            let t = &a.tally;
            let get = |m| match t.get(m) { Value::Count(n) => n, _ => unreachable!() };
            prop_assert_eq!(get(Measure::EnParcours), get(Measure::Entrees) + get(Measure::Report));
            prop_assert_eq!(get(Measure::EnCoursFin), get(Measure::EnParcours) - get(Measure::Sorties));
            prop_assert_eq!(get(Measure::SortiesSansSuite),
                get(Measure::Abandons) + get(Measure::DemenagementsDecesRetraites) + get(Measure::AutresSansSuite));
            prop_assert!(get(Measure::SortiesPositives) >= get(Measure::SortiesEmploi) + get(Measure::SortiesFormation));
        }
        let all: Vec<&Row> = rows.iter().collect();
        prop_assert_eq!(scan.total().get(Measure::EnCoursFin), naive(&all, Measure::EnCoursFin, period));
        // A range's flows are the sum of its years'.
        let mut entrees = 0;
        for y in period.first..=period.last {
            entrees += corpus.tableau1(Period::year(y), &Filter::none()).unwrap().total().tally.entrees;
        }
        prop_assert_eq!(scan.total().tally.entrees, entrees);
    }
}
