//! Laws on random corpora: written as real CSV files, imported into a real store, then every
//! measure by every dimension, with and without filters, and every line of Tableau 1 on every
//! path (the scan, the bitmaps and the summaries alone), compared to a plain row-by-row count that
//! follows MEASURES.md word for word.
//!
//! Each run draws new seeds; a failing run prints its seed (`PROPTEST_RNG_SEED=<seed>` replays
//! it) and proptest adds the failing case to `tests/proptest-regressions/properties.txt`, which is
//! committed and replayed first by every run.

use std::collections::BTreeSet;

use consolide::{
    import, Corpus, Crosstab, Dimension, Filter, ImportOptions, Measure, Path, Period, QueryError,
    Store, Summaries, Tableau1, Value,
};
use proptest::prelude::*;
use time::{Date, Month};

use crate::util::seeded;

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
        // Every PLIE observed from 1990 to the end of the queries' years (P3 has no territory).
        "plie,departement,region,extraction,complet_depuis\nP1,44,Pays de la Loire,2021-12-31,1990-01-01\nP2,59,Hauts-de-France,2021-12-31,1990-01-01\nP3,,,2021-12-31,1990-01-01\n",
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

/// Months of inactivity summed over the parcours en_parcours in each year of `period` whose
/// inactivite is a number, and how many they are (MEASURES.md: `JAMAIS` and unknown left out).
fn naive_inactivite(rows: &[&Row], period: Period) -> (u64, u64) {
    let (mut months, mut n) = (0, 0);
    for y in period.first..=period.last {
        let jan1 = Date::from_calendar_date(y, Month::January, 1).unwrap();
        let dec31 = Date::from_calendar_date(y, Month::December, 31).unwrap();
        for r in rows {
            let en_parcours = r.entree <= dec31 && r.sortie.is_none_or(|(x, _)| x >= jan1);
            if let (true, Some(Some(m))) = (en_parcours, r.inactivite) {
                months += u64::from(m);
                n += 1;
            }
        }
    }
    (months, n)
}

/// The PLIE with at least one of `rows` in parcours at some time of `period`.
fn naive_plies(rows: &[&Row], period: Period) -> usize {
    let jan1 = Date::from_calendar_date(period.first, Month::January, 1).unwrap();
    let dec31 = Date::from_calendar_date(period.last, Month::December, 31).unwrap();
    rows.iter()
        .filter(|r| r.entree <= dec31 && r.sortie.is_none_or(|(x, _)| x >= jan1))
        .map(|r| r.plie)
        .collect::<BTreeSet<_>>()
        .len()
}

/// The 33 lines of Tableau 1 as CLI.md lists them (group, row), in the published order.
fn tableau1_lines() -> Vec<(&'static str, &'static str)> {
    let mut lines = vec![("total", "total")];
    let group = |g: &'static str, rows: &[&'static str]| {
        rows.iter().map(move |r| (g, *r)).collect::<Vec<_>>()
    };
    lines.extend(group("sexe", &["H", "F"]));
    lines.extend(group("age_26", &["<26", ">=26"]));
    lines.extend(group(
        "tranche_age",
        &["15-24", "25-44", "45-54", "55-64", "65+"],
    ));
    lines.extend(group("th", &["1"]));
    lines.extend(group("inscrit_pe", &["1"]));
    for public in PUBLICS {
        lines.push(("public", public));
        lines.push(("public_x_inscrit_pe", public));
    }
    lines.extend(group("niveau", &NIVEAUX));
    lines.extend(group(
        "inactivite",
        &["<1", "1-2", "2-3", "3-5", "5+", "JAMAIS"],
    ));
    lines
}

/// Whether row `r` is counted on the line (`group`, `row`) of Tableau 1.
fn on_line(r: &Row, group: &str, row: &str) -> bool {
    match group {
        "total" => true,
        "public_x_inscrit_pe" => PUBLICS[r.public] == row && r.inscrit_pe,
        _ => label(r, Dimension::parse(group).unwrap()) == row,
    }
}

/// Checks every line of `t` against the row-by-row count over `passing` (the rows its filter
/// keeps): the 33 lines in order, every measure of each, its mean inactivity unless the path
/// cannot give it (`counts_only`), and the PLIE count.
fn check_tableau1(
    what: &str,
    t: &Tableau1,
    passing: &[&Row],
    period: Period,
    counts_only: bool,
) -> Result<(), TestCaseError> {
    let lines: Vec<(&str, &str)> = t.rows.iter().map(|l| (l.group, l.row.as_str())).collect();
    prop_assert_eq!(lines, tableau1_lines(), "{}: the lines of Tableau 1", what);
    prop_assert_eq!(t.plies, naive_plies(passing, period), "{}: PLIE", what);
    for line in &t.rows {
        let cell: Vec<&Row> = passing
            .iter()
            .copied()
            .filter(|r| on_line(r, line.group, &line.row))
            .collect();
        for &measure in Measure::ALL {
            let want = naive(&cell, measure, period);
            let got = line.get(measure);
            match (want, got) {
                (Value::Rate(Some(a)), Value::Rate(Some(b))) => prop_assert!(
                    (a - b).abs() < 1e-12,
                    "{}: {} {} {}: {} != {}",
                    what,
                    line.group,
                    line.row,
                    measure.code(),
                    a,
                    b
                ),
                _ => prop_assert_eq!(
                    want,
                    got,
                    "{}: {} {} {}",
                    what,
                    line.group,
                    line.row,
                    measure.code()
                ),
            }
        }
        if !counts_only {
            prop_assert_eq!(
                (line.tally.inactivite_mois, line.tally.inactivite_n),
                naive_inactivite(&cell, period),
                "{}: {} {} inactivite",
                what,
                line.group,
                line.row
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(seeded(24))]

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
            // One cell per (row value, column value): a path that drops or adds cells fails here,
            // before the cells are compared pairwise.
            let width = scan.col_values.len().max(1);
            prop_assert_eq!(scan.cells.len(), scan.row_values.len() * width, "scan cells");
            prop_assert_eq!(&scan.row_values, &bitmap.row_values);
            prop_assert_eq!(&scan.col_values, &bitmap.col_values);
            prop_assert_eq!(bitmap.cells.len(), scan.cells.len(), "bitmap cells");
            prop_assert_eq!(scan.plies, bitmap.plies);
            for (a, b) in scan.cells.iter().zip(&bitmap.cells) {
                prop_assert_eq!(a.counts_only(), b.counts_only());
            }
            // Path::Summary reads the summaries when `Summaries::answers` the filter and the
            // grouping has a summary, and is the scan otherwise; the public API does not say which
            // one answered, so this only checks that the path answers like the scan, inactivity
            // too. The summaries alone (`Summaries`, which refuses instead of falling back) are
            // checked against the row-by-row count in the Tableau 1 property below.
            let summary = corpus.crosstab_with(&query, Path::Summary).unwrap();
            prop_assert_eq!(&scan.row_values, &summary.row_values);
            prop_assert_eq!(&scan.col_values, &summary.col_values);
            prop_assert_eq!(&scan.cells, &summary.cells);
            prop_assert_eq!(scan.plies, summary.plies);
            // Data-driven dimensions list the values present after filters; fixed ones all codes.
            for (dim, values) in [(Some(rows_dim), &scan.row_values), (cols_dim, &scan.col_values)] {
                let Some(dim) = dim else {
                    prop_assert!(values.is_empty());
                    continue;
                };
                match dim.fixed_values() {
                    Some(codes) => prop_assert_eq!(values, &codes, "{:?}", dim),
                    None => {
                        let mut present: Vec<String> =
                            passing.iter().map(|r| label(r, dim)).collect::<BTreeSet<_>>().into_iter().collect();
                        if matches!(dim, Dimension::AnneeEntree | Dimension::AnneeSortie) {
                            present.sort_by_key(|v| v.parse::<i32>().unwrap_or(i32::MAX));
                        }
                        prop_assert_eq!(values, &present, "{:?}", dim);
                    }
                }
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
    fn every_line_of_tableau1_equals_a_row_by_row_count_on_every_path(
        rows in prop::collection::vec(row(), 1..150),
        period in period(),
        filter in prop::option::of((
            prop_oneof![
                prop::sample::select(vec![Dimension::Plie, Dimension::Departement, Dimension::Region]),
                dimension(),
            ],
            prop::collection::vec(any::<bool>(), 1..4),
        )),
    ) {
        let (dir, corpus) = load(&rows, false);
        let (filter, kept) = match &filter {
            Some((d, pick)) => filter_for(&rows, *d, pick),
            None => (Filter::none(), BTreeSet::new()),
        };
        let filter_dim = filter.clauses.first().map(|(d, _)| *d);
        let passing: Vec<&Row> = rows
            .iter()
            .filter(|r| filter_dim.is_none_or(|d| kept.contains(&label(r, d))))
            .collect();

        let scan = corpus.tableau1_with(period, &filter, Path::Scan).unwrap();
        check_tableau1("scan", &scan, &passing, period, false)?;
        let bitmap = corpus.tableau1_with(period, &filter, Path::Bitmap).unwrap();
        check_tableau1("bitmap", &bitmap, &passing, period, true)?;
        // The default path: the summaries for a territorial filter, the scan otherwise.
        let default = corpus.tableau1(period, &filter).unwrap();
        check_tableau1("default", &default, &passing, period, false)?;

        // The summaries alone, with no parcours loaded: they answer a territorial filter (a wrong
        // or empty sum fails the count), and refuse a characteristic instead of falling back.
        let store = Store::open(&dir.path().join("s.redb")).unwrap();
        let summaries = Summaries::load(&store).unwrap().expect("a fresh import writes summaries");
        let territorial = filter_dim.is_none_or(Dimension::is_territorial);
        prop_assert_eq!(Summaries::answers(&filter), territorial);
        if territorial {
            let alone = summaries.tableau1(period, &filter).unwrap();
            check_tableau1("summaries", &alone, &passing, period, false)?;
            prop_assert_eq!(
                summaries.tableau1bis(period, &filter).unwrap(),
                corpus.tableau1bis(period, &filter).unwrap()
            );
        } else {
            let refused = summaries.tableau1(period, &filter);
            prop_assert!(
                matches!(refused, Err(consolide::Error::Query(QueryError::DimensionNotAllowed { .. }))),
                "{:?}", refused
            );
        }
    }
}
