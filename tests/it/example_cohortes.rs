//! The `cohortes` example through its built program, on a crafted corpus worked out by hand and on
//! the national one.
//!
//! The crafted corpus: PLIE P1 and P2; (PLIE, participant, entry, exit, motif, public):
//! - 2014: a1 (P1, 2014-06-01, 2015-03-01, ABANDON, DELD).
//! - 2015: b1 (P1, 2015-01-31, 2015-07-31, EMPLOI, DELD): out on its 6-month day;
//!   b2 (P1, 2015-08-31, 2016-02-29, FORMATION, RSA): 31 August + 6 months is 29 February 2016,
//!   out that day; b3 (P1, 2015-03-15, 2015-09-16, ABANDON, DELD): out the day after its 6-month
//!   day; b4 (P1, 2015-05-10, open, AUTRE); b5 (P1, 2015-12-31, 2017-12-31, AUTRE_POSITIVE, RSA):
//!   out on its 24-month day, the last day of the data; b6 (P1, 2015-02-01, 2015-02-01,
//!   DEMENAGEMENT_DECES_RETRAITE, DELD): out the day it entered; c1 (P2, 2015-04-01, 2016-04-01,
//!   EMPLOI, RSA): out on its 12-month day; c2 (P2, 2015-06-30, open, DELD).
//! - 2016: d1 (P1, 2016-01-15, 2016-06-15, EMPLOI, AUTRE); d2 (P2, 2016-06-30, 2017-06-30,
//!   AUTRE_SANS_SUITE, RSA).
//! - 2017: e1 (P1, 2017-03-01, 2017-08-01, FORMATION, DELD); e2 (P2, 2017-06-30, open, DELD).
//!
//! The window: the earliest exit is b6's (2015-02-01), so observation starts on 1 January 2015
//! and the 2014 cohort (a1 only: whoever entered in 2014 and left in 2014 would not be in a
//! transfer starting in 2015) is incomplete; the latest date is b5's exit, 2017-12-31, so it ends
//! on 31 December 2017. Default cohorts: 2015 to 2017.
//!
//! Censoring, per cohort, from its last entrant: 2015's is b5 (2015-12-31): 24 months reach
//! 2017-12-31, observed; 36 months 2018-12-31, not. 2016's is d2 (2016-06-30): 12 months reach
//! 2017-06-30, observed; 24 not. 2017's is e2 (2017-06-30): 6 months reach 2017-12-30, observed.

use std::collections::BTreeMap;

use crate::util::{csv_rows, national, Dir, TableCsv};

const PARCOURS: &str = "\
plie,participant,entree,sortie,motif_sortie,sexe,naissance,public,inscrit_pe,th,niveau
P1,a1,2014-06-01,2015-03-01,ABANDON,H,1980-01,DELD,1,0,V
P1,b1,2015-01-31,2015-07-31,EMPLOI,F,1980-01,DELD,1,0,V
P1,b2,2015-08-31,2016-02-29,FORMATION,F,1990-05,RSA,1,0,IV
P1,b3,2015-03-15,2015-09-16,ABANDON,H,1975-01,DELD,1,0,V
P1,b4,2015-05-10,,,F,1960-01,AUTRE,0,0,VI
P1,b5,2015-12-31,2017-12-31,AUTRE_POSITIVE,H,1985-03,RSA,0,0,V
P1,b6,2015-02-01,2015-02-01,DEMENAGEMENT_DECES_RETRAITE,H,1970-01,DELD,1,0,V
P2,c1,2015-04-01,2016-04-01,EMPLOI,F,1982-01,RSA,1,0,V
P2,c2,2015-06-30,,,H,1995-01,DELD,1,0,V
P1,d1,2016-01-15,2016-06-15,EMPLOI,F,1980-01,AUTRE,0,0,V
P2,d2,2016-06-30,2017-06-30,AUTRE_SANS_SUITE,H,1980-01,RSA,1,0,V
P1,e1,2017-03-01,2017-08-01,FORMATION,F,1980-01,DELD,1,0,V
P2,e2,2017-06-30,,,H,1980-01,DELD,1,0,V
";

fn crafted() -> Dir {
    let dir = Dir::new();
    // P2's last date is 30 June 2017: its plie.csv line says it was extracted on 31 December.
    let plie = "plie,extraction\nP2,2017-12-31\n";
    let t = dir.transfer("t", &[("parcours.csv", PARCOURS), ("plie.csv", plie)]);
    dir.import(&[&t]);
    dir
}

/// The csv of the example, by (annee, value of the split or `total`, mois): (observe, entrants,
/// [positives, sans suite, en parcours] when observed, the three shares when defined).
type Lines = BTreeMap<(i32, String, u32), Line>;

#[derive(Debug, Clone, PartialEq)]
struct Line {
    observe: bool,
    entrants: u64,
    etat: Option<[u64; 3]>,
    parts: Option<[f64; 3]>,
}

#[track_caller]
fn cohortes(dir: &Dir, args: &[&str]) -> Lines {
    let out = dir
        .example("cohortes", &[args, &["--format", "csv"]].concat())
        .ok();
    let rows = csv_rows(&out);
    let header = &rows[0];
    assert_eq!(header[0], "annee");
    assert_eq!(
        header[2..],
        [
            "mois",
            "observe",
            "entrants",
            "sorties_positives",
            "sorties_sans_suite",
            "en_parcours",
            "part_positives",
            "part_sans_suite",
            "part_en_parcours"
        ]
    );
    let mut lines = Lines::new();
    for r in &rows[1..] {
        let counts: Vec<Option<u64>> = r[5..8].iter().map(|c| c.parse().ok()).collect();
        let parts: Vec<Option<f64>> = r[8..11].iter().map(|c| c.parse().ok()).collect();
        let line = Line {
            observe: r[3] == "1",
            entrants: r[4].parse().unwrap(),
            etat: counts
                .iter()
                .all(Option::is_some)
                .then(|| [0, 1, 2].map(|k| counts[k].unwrap())),
            parts: parts
                .iter()
                .all(Option::is_some)
                .then(|| [0, 1, 2].map(|k| parts[k].unwrap())),
        };
        let key = (r[0].parse().unwrap(), r[1].clone(), r[2].parse().unwrap());
        assert!(
            lines.insert(key, line).is_none(),
            "one line per cohort and horizon"
        );
    }
    lines
}

/// Asserts one cohort's line at one horizon: its entrants and, if observed, its three counts;
/// the shares must be the counts over the entrants (absent without entrants).
#[track_caller]
fn check(
    lines: &Lines,
    annee: i32,
    valeur: &str,
    mois: u32,
    entrants: u64,
    etat: Option<[u64; 3]>,
) {
    let line = lines
        .get(&(annee, valeur.to_owned(), mois))
        .unwrap_or_else(|| panic!("no line {annee} {valeur} {mois}"));
    assert_eq!(
        (line.entrants, line.etat, line.observe),
        (entrants, etat, etat.is_some()),
        "{annee} {valeur} {mois}"
    );
    let want = etat
        .filter(|_| entrants > 0)
        .map(|e| e.map(|n| n as f64 / entrants as f64));
    match (line.parts, want) {
        (None, None) => {}
        (Some(got), Some(want)) => {
            for (g, w) in got.iter().zip(want) {
                assert!(
                    (g - w).abs() < 1e-6,
                    "{annee} {valeur} {mois}: {got:?} {want:?}"
                );
            }
        }
        (got, want) => panic!("{annee} {valeur} {mois}: shares {got:?}, want {want:?}"),
    }
}

const NO: Option<[u64; 3]> = None;

#[test]
fn crafted_cohorts_by_hand() {
    let dir = crafted();
    let lines = cohortes(&dir, &[]);
    // Default: 2015 to 2017, 6, 12, 24 and 36 months, 3 cohorts x 4 horizons.
    assert_eq!(lines.len(), 12);
    // 2015, 8 entrants. 6 months: b1, b2 positive (on their horizon day), b6 sans suite (its
    // entry day); b3 leaves a day too late, c1 at 12 months, b5 at 24.
    check(&lines, 2015, "total", 6, 8, Some([2, 1, 5]));
    // 12 months: + c1 positive, + b3 sans suite; b4, b5, c2 remain.
    check(&lines, 2015, "total", 12, 8, Some([3, 2, 3]));
    // 24 months: + b5 positive (2017-12-31, the last day observed); b4 and c2 remain.
    check(&lines, 2015, "total", 24, 8, Some([4, 2, 2]));
    check(&lines, 2015, "total", 36, 8, NO);
    // 2016: d1 positive at 6 months (2016-06-15 <= 2016-07-15); d2 sans suite on its 12-month day.
    check(&lines, 2016, "total", 6, 2, Some([1, 0, 1]));
    check(&lines, 2016, "total", 12, 2, Some([1, 1, 0]));
    check(&lines, 2016, "total", 24, 2, NO);
    check(&lines, 2016, "total", 36, 2, NO);
    // 2017: e1 positive by 2017-09-01; e2's 6 months end on 2017-12-30, inside the data.
    check(&lines, 2017, "total", 6, 2, Some([1, 0, 1]));
    check(&lines, 2017, "total", 12, 2, NO);

    // Tableau 1's entrees of each year are the cohort's entrants.
    for (year, entrants) in [(2014, 1), (2015, 8), (2016, 2), (2017, 2)] {
        let t1 = TableCsv::tableau(&dir, &["1", "--year", &year.to_string()]);
        assert_eq!(t1.count("total", "total", "entrees"), entrants, "{year}");
    }
}

#[test]
fn crafted_incomplete_cohort_split_and_filter() {
    let dir = crafted();
    // 2014 is before the start of observation: entrants given, nothing observed, although a1's
    // 6 months (2014-12-01) are well inside the data.
    let lines = cohortes(&dir, &["--years", "2014..2017", "--mois", "6"]);
    check(&lines, 2014, "total", 6, 1, NO);
    check(&lines, 2015, "total", 6, 8, Some([2, 1, 5]));

    // By public. 2015 DELD: b1 (+ at 6), b3 (- at 12), b6 (- at 0), c2 (open); RSA: b2 (+ at 6),
    // c1 (+ at 12), b5 (+ at 24); AUTRE: b4 (open).
    let lines = cohortes(&dir, &["--par", "public"]);
    check(&lines, 2015, "DELD", 6, 4, Some([1, 1, 2]));
    check(&lines, 2015, "DELD", 12, 4, Some([1, 2, 1]));
    check(&lines, 2015, "DELD", 24, 4, Some([1, 2, 1]));
    check(&lines, 2015, "RSA", 6, 3, Some([1, 0, 2]));
    check(&lines, 2015, "RSA", 12, 3, Some([2, 0, 1]));
    check(&lines, 2015, "RSA", 24, 3, Some([3, 0, 0]));
    check(&lines, 2015, "AUTRE", 24, 1, Some([0, 0, 1]));
    check(&lines, 2015, "AUTRE", 36, 1, NO);
    check(&lines, 2015, "total", 24, 8, Some([4, 2, 2]));
    // 2016: no DELD entrant: observed counts of 0 and no shares; d2 RSA, d1 AUTRE.
    check(&lines, 2016, "DELD", 6, 0, Some([0, 0, 0]));
    check(&lines, 2016, "RSA", 12, 1, Some([0, 1, 0]));
    check(&lines, 2016, "AUTRE", 6, 1, Some([1, 0, 0]));
    check(&lines, 2017, "DELD", 6, 2, Some([1, 0, 1]));
    // 3 years x (total + 3 values) x 4 horizons.
    assert_eq!(lines.len(), 48);

    // P2 only: c1, c2 in 2015, d2 in 2016, e2 in 2017. The window does not move with the
    // filter, but the last entrant does: c2 (2015-06-30) makes 2015's 24 months observed...
    let lines = cohortes(&dir, &["--filter", "plie=P2"]);
    check(&lines, 2015, "total", 6, 2, Some([0, 0, 2]));
    check(&lines, 2015, "total", 12, 2, Some([1, 0, 1]));
    check(&lines, 2015, "total", 24, 2, Some([1, 0, 1]));
    // ...and 36 months (2018-06-30) still past the end.
    check(&lines, 2015, "total", 36, 2, NO);
    check(&lines, 2016, "total", 12, 1, Some([0, 1, 0]));
    check(&lines, 2017, "total", 6, 1, Some([0, 0, 1]));
}

#[test]
fn crafted_observation_window_given_and_horizons_sorted() {
    let dir = crafted();
    // Data taken as ending on 30 June 2017; horizons given out of order and twice.
    let lines = cohortes(
        &dir,
        &["--fin-observation", "2017-06-30", "--mois", "12,0,6,6"],
    );
    let mois: std::collections::BTreeSet<u32> = lines.keys().map(|k| k.2).collect();
    assert_eq!(mois.into_iter().collect::<Vec<_>>(), [0, 6, 12]);
    // 2015 (last entrant 2015-12-31): 12 months reach 2016-12-31, observed. At 0 months only
    // b6 has left (the day it entered).
    check(&lines, 2015, "total", 0, 8, Some([0, 1, 7]));
    check(&lines, 2015, "total", 12, 8, Some([3, 2, 3]));
    // 2016 (last entrant 2016-06-30): 12 months reach 2017-06-30, the end itself: observed.
    check(&lines, 2016, "total", 0, 2, Some([0, 0, 2]));
    check(&lines, 2016, "total", 12, 2, Some([1, 1, 0]));
    // 2017 (last entrant 2017-06-30): only its entry day is observed.
    check(&lines, 2017, "total", 0, 2, Some([0, 0, 2]));
    check(&lines, 2017, "total", 6, 2, NO);

    // Observation starting in 2016: 2015 becomes incomplete, and the default years start in 2016.
    let lines = cohortes(
        &dir,
        &["--debut-observation", "2016-01-01", "--years", "2015..2016"],
    );
    check(&lines, 2015, "total", 6, 8, NO);
    check(&lines, 2016, "total", 6, 2, Some([1, 0, 1]));
    let lines = cohortes(&dir, &["--debut-observation", "2016-01-01"]);
    let years: std::collections::BTreeSet<i32> = lines.keys().map(|k| k.0).collect();
    assert_eq!(years.into_iter().collect::<Vec<_>>(), [2016, 2017]);
}

#[test]
fn crafted_text_and_errors() {
    let dir = crafted();
    let text = dir.example("cohortes", &["--mois", "6,12"]).ok();
    assert!(
        text.starts_with(
            "Cohortes d'entrants (observation du 01/01/2015 au 31/12/2017), \
             2015..2017 (2 PLIE, filtre : aucun)"
        ),
        "{text}"
    );
    // 2015 positive at 6 and 12 months: 2/8 = 25 %, 3/8 = 37.5 % -> 38 %.
    assert!(
        text.contains("Part des entrants sortis positivement"),
        "{text}"
    );
    let line_2015 = text.lines().find(|l| l.starts_with("2015")).unwrap();
    let cells: Vec<&str> = line_2015
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(cells, ["2015", "8", "25 %", "38 %"], "{text}");

    for (args, message) in [
        (
            &["--par", "motif_sortie"][..],
            "dimension motif_sortie cannot be used here",
        ),
        (
            &["--par", "public", "--filter", "public=XX"][..],
            "unknown value \"XX\"",
        ),
        (&["--mois", "6,700"][..], "horizons"),
        (&["--years", "2017..2015"][..], "ends before it starts"),
        (&["--format", "xml"][..], "unknown format"),
        (&["--fin-observation", "31/12/2017"][..], "YYYY-MM-DD"),
    ] {
        let run = dir.example("cohortes", args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.starts_with("error: ") && run.stderr.contains(message),
            "{args:?}: {}",
            run.stderr
        );
    }
    let missing = Dir::new();
    let run = missing.example("cohortes", &[]);
    assert!(
        run.code != 0 && run.stderr.starts_with("error: "),
        "{}",
        run.stderr
    );
}

#[test]
fn national_cohorts_add_up_to_tableau1() {
    let dir = national();
    let lines = cohortes(dir, &["--par", "public"]);
    let years: std::collections::BTreeSet<i32> = lines.keys().map(|k| k.0).collect();
    assert_eq!(
        years.into_iter().collect::<Vec<_>>(),
        [2014, 2015, 2016, 2017]
    );
    for year in 2014..=2017 {
        let t1 = TableCsv::tableau(dir, &["1", "--year", &year.to_string()]);
        let total = lines[&(year, "total".to_owned(), 6)].entrants;
        assert_eq!(total, t1.count("total", "total", "entrees"), "{year}");
        let mut sum = 0;
        for public in ["DELD", "RSA", "AUTRE"] {
            let n = lines[&(year, public.to_owned(), 6)].entrants;
            assert_eq!(n, t1.count("public", public, "entrees"), "{year} {public}");
            sum += n;
        }
        assert_eq!(sum, total, "{year}: every entrant has a public");
    }
    // Observed horizons: 36 months for 2014, 24 for 2015, 12 for 2016, none for 2017 (its last
    // entrants came in December).
    for (year, last) in [
        (2014, Some(36)),
        (2015, Some(24)),
        (2016, Some(12)),
        (2017, None),
    ] {
        for mois in [6, 12, 24, 36] {
            let observed = last.is_some_and(|l| mois <= l);
            assert_eq!(
                lines[&(year, "total".to_owned(), mois)].observe,
                observed,
                "{year} {mois}"
            );
        }
    }
    // Identities: the three states add up to the entrants, exits never decrease, the values of
    // the split add up to the total.
    for ((year, valeur, mois), line) in &lines {
        if let Some([p, s, e]) = line.etat {
            assert_eq!(p + s + e, line.entrants, "{year} {valeur} {mois}");
        }
    }
    for year in 2014..=2017 {
        for valeur in ["total", "DELD", "RSA", "AUTRE"] {
            let etats: Vec<[u64; 3]> = [6, 12, 24, 36]
                .iter()
                .filter_map(|&m| lines[&(year, valeur.to_owned(), m)].etat)
                .collect();
            for w in etats.windows(2) {
                assert!(
                    w[1][0] >= w[0][0] && w[1][1] >= w[0][1],
                    "{year} {valeur}: {etats:?}"
                );
            }
        }
        for mois in [6, 12, 24, 36] {
            let total = lines[&(year, "total".to_owned(), mois)].etat;
            let sum = ["DELD", "RSA", "AUTRE"]
                .iter()
                .filter_map(|v| lines[&(year, (*v).to_owned(), mois)].etat)
                .reduce(|a, b| [a[0] + b[0], a[1] + b[1], a[2] + b[2]]);
            assert_eq!(sum, total, "{year} {mois}");
        }
    }
    // The unsplit run gives the same total lines.
    let plain = cohortes(dir, &[]);
    for (key, line) in &plain {
        assert_eq!(key.1, "total");
        assert_eq!(Some(line), lines.get(key));
    }
}
