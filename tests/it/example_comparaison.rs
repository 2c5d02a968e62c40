//! The `comparaison_plie` example through its built program: a crafted corpus worked out by hand,
//! then the national one checked against the engine's own cross-tabulations.
//!
//! The crafted corpus: five PLIE, A and B in region NORD, C, D and E in SUD. Everyone enters on
//! 4 January 2016, in one of two strata of public × niveau × tranche_age:
//! s1 = (DELD, V, 25-44) (born June 1985: 30 at entry) and s2 = (RSA, IV, 45-54) (born June 1965:
//! 50). Exits of 2016..2017, (positive, sans suite) per stratum:
//!
//! | PLIE | s1       | s2      | exits | positive |
//! |------|----------|---------|-------|----------|
//! | A    | (10, 10) | -       | 20    | 10       |
//! | B    | -        | (4, 16) | 20    | 4        |
//! | C    | (9, 1)   | (4, 6)  | 20    | 13       |
//! | D    | (1, 9)   | (2, 8)  | 20    | 3        |
//! | all  | (20, 20) | (10, 30)| 80    | 30       |
//!
//! plus, not counted in 2016..2017: an open parcours in A (s2) and in E (s1), and in E one s1
//! parcours entered 1 February 2015 and left positively on 30 June 2015.
//!
//! Reference rates: s1 20/40 = 1/2, s2 10/40 = 1/4. Expected positives: A 20 × 1/2 = 10; B
//! 20 × 1/4 = 5; C 10 × 1/2 + 10 × 1/4 = 7.5; D 7.5; Σ = 30 = the 30 observed. Hence (taux,
//! attendu, écart, indice): A (0.5, 0.5, 0, 1), B (0.2, 0.25, -0.05, 0.8), C (0.65, 0.375,
//! +0.275, 13/7.5 = 1.733333), D (0.15, 0.375, -0.225, 0.4). Ranked by écart: C, A, B, D; E has no
//! exit. Wilson 95 % (z = 1.959964, z² = 3.841459): for k of 20, centre = (k/20 + 0.096036) /
//! 1.192073, half = 1.644162 × √(p(1 − p)/20 + 0.002401):
//! C 13/20 → 0.625831 ± 0.192977 = [0.432854, 0.818808], which excludes 0.375: au-dessus;
//! A 10/20 → [0.299298, 0.700702] ∋ 0.5; B 4/20 → [0.080658, 0.416017] ∋ 0.25;
//! D 3/20 → 0.206394 ± 0.154025 = [0.052369, 0.360419], wholly below 0.375: en dessous.
//! A raw league table would put A second with 50 %; so does the standardised one, but B's 20 % is
//! only 5 points under what its RSA public predicts, while D's 15 % is 22.5 points under.

use std::collections::BTreeMap;

use crate::util::{csv_rows, national, Dir};

/// One parcours line: (plie, key, stratum, entree, sortie, motif).
fn line(plie: &str, key: &str, s2: bool, entree: &str, sortie: &str, motif: &str) -> String {
    let (naissance, public, niveau) = if s2 {
        ("1965-06", "RSA", "IV")
    } else {
        ("1985-06", "DELD", "V")
    };
    format!("{plie};{key};{entree};{sortie};{motif};F;{naissance};{public};1;0;{niveau}\n")
}

const POSITIFS: [&str; 3] = ["EMPLOI", "FORMATION", "AUTRE_POSITIVE"];
const SANS_SUITE: [&str; 3] = ["ABANDON", "DEMENAGEMENT_DECES_RETRAITE", "AUTRE_SANS_SUITE"];

fn crafted() -> Dir {
    let mut csv = String::from(
        "plie;participant;entree;sortie;motif_sortie;sexe;naissance;public;inscrit_pe;th;niveau\n",
    );
    // (plie, s2, positive exits, sans-suite exits)
    let exits = [
        ("A", false, 10, 10),
        ("B", true, 4, 16),
        ("C", false, 9, 1),
        ("C", true, 4, 6),
        ("D", false, 1, 9),
        ("D", true, 2, 8),
    ];
    let mut n = 0;
    for (plie, s2, positive, sans_suite) in exits {
        for i in 0..positive + sans_suite {
            n += 1;
            // Exits spread over 2016 and 2017, every motif of each kind used.
            let sortie = if n % 2 == 0 {
                "2016-11-30"
            } else {
                "15/03/2017"
            };
            let motif = if i < positive {
                POSITIFS[i % 3]
            } else {
                SANS_SUITE[i % 3]
            };
            csv += &line(plie, &format!("k{n}"), s2, "2016-01-04", sortie, motif);
        }
    }
    csv += &line("A", "open-a", true, "2016-01-04", "", "");
    csv += &line("E", "open-e", false, "2016-01-04", "", "");
    csv += &line("E", "old-e", false, "2015-02-01", "2015-06-30", "EMPLOI");
    let plie = "plie;region;extraction;complet_depuis\nA;NORD;2020-12-31;1990-01-01\nB;NORD;2020-12-31;1990-01-01\nC;SUD;2020-12-31;1990-01-01\nD;SUD;2020-12-31;1990-01-01\nE;SUD;2020-12-31;1990-01-01\n";
    let dir = Dir::new();
    let t = dir.transfer("t", &[("parcours.csv", &csv), ("plie.csv", plie)]);
    dir.import(&[&t]);
    dir
}

/// The example's csv output: the reference line and the PLIE lines, each by column key.
struct Out {
    reference: BTreeMap<String, String>,
    plies: Vec<BTreeMap<String, String>>,
}

#[track_caller]
fn run(dir: &Dir, args: &[&str]) -> Out {
    let args = [args, &["--format", "csv"]].concat();
    let text = dir.example("comparaison_plie", &args).ok();
    let mut rows = csv_rows(&text);
    let header = rows.remove(0);
    let keyed = |r: &Vec<String>| -> BTreeMap<String, String> {
        header.iter().cloned().zip(r.iter().cloned()).collect()
    };
    assert_eq!(rows[0][0], "reference", "{text}");
    Out {
        reference: keyed(&rows[0]),
        plies: rows[1..]
            .iter()
            .inspect(|r| assert_eq!(r[0], "plie"))
            .map(keyed)
            .collect(),
    }
}

fn num(line: &BTreeMap<String, String>, key: &str) -> Option<f64> {
    let cell = &line[key];
    (!cell.is_empty()).then(|| cell.parse().unwrap_or_else(|_| panic!("{key}: {cell:?}")))
}

#[track_caller]
fn close(line: &BTreeMap<String, String>, key: &str, want: f64) {
    let got = num(line, key).unwrap_or_else(|| panic!("{key} empty in {line:?}"));
    assert!((got - want).abs() <= 1e-6, "{key}: got {got}, want {want}");
}

impl Out {
    fn codes(&self) -> Vec<&str> {
        self.plies.iter().map(|l| l["plie"].as_str()).collect()
    }

    #[track_caller]
    fn plie(&self, code: &str) -> &BTreeMap<String, String> {
        self.plies
            .iter()
            .find(|l| l["plie"] == code)
            .unwrap_or_else(|| panic!("no PLIE {code}"))
    }
}

#[test]
fn crafted_corpus_by_hand() {
    let dir = crafted();
    let out = run(&dir, &["--years", "2016..2017"]);
    // E has no exit in 2016..2017: hidden by default (--min-sorties 1).
    assert_eq!(out.codes(), ["C", "A", "B", "D"]);
    let ranks: Vec<&str> = out.plies.iter().map(|l| l["rang"].as_str()).collect();
    assert_eq!(ranks, ["1", "2", "3", "4"]);
    // (plie, exits, positive, expected, taux, attendu, écart, indice, IC, signal)
    type Want = (
        &'static str,
        &'static str,
        &'static str,
        f64,
        f64,
        f64,
        f64,
        f64,
        (f64, f64),
        &'static str,
    );
    let want: [Want; 4] = [
        (
            "C",
            "20",
            "13",
            7.5,
            0.65,
            0.375,
            0.275,
            13.0 / 7.5,
            (0.432854, 0.818808),
            "au_dessus",
        ),
        (
            "A",
            "20",
            "10",
            10.0,
            0.5,
            0.5,
            0.0,
            1.0,
            (0.299298, 0.700702),
            "conforme",
        ),
        (
            "B",
            "20",
            "4",
            5.0,
            0.2,
            0.25,
            -0.05,
            0.8,
            (0.080658, 0.416017),
            "conforme",
        ),
        (
            "D",
            "20",
            "3",
            7.5,
            0.15,
            0.375,
            -0.225,
            0.4,
            (0.052369, 0.360419),
            "en_dessous",
        ),
    ];
    for (code, n, k, e, taux, attendu, ecart, indice, (lo, hi), signal) in want {
        let l = out.plie(code);
        assert_eq!(
            (l["sorties"].as_str(), l["sorties_positives"].as_str()),
            (n, k),
            "{code}"
        );
        close(l, "positives_attendues", e);
        close(l, "taux_sorties_positives", taux);
        close(l, "taux_attendu", attendu);
        close(l, "ecart", ecart);
        close(l, "indice", indice);
        close(l, "ic95_bas", lo);
        close(l, "ic95_haut", hi);
        assert_eq!(l["signal"], signal, "{code}");
    }
    // The reference: 80 exits, 30 positive; Σ expected = 30 (the identity).
    let r = &out.reference;
    assert_eq!(
        (r["sorties"].as_str(), r["sorties_positives"].as_str()),
        ("80", "30")
    );
    close(r, "taux_sorties_positives", 0.375);
    close(r, "positives_attendues", 30.0);
    close(r, "ecart", 0.0);

    // --min-sorties 0 shows E, last, with every rate empty.
    let all = run(&dir, &["--years", "2016..2017", "--min-sorties", "0"]);
    assert_eq!(all.codes(), ["C", "A", "B", "D", "E"]);
    let e = all.plie("E");
    assert_eq!(e["sorties"], "0");
    for key in [
        "taux_sorties_positives",
        "ic95_bas",
        "taux_attendu",
        "ecart",
        "indice",
        "signal",
    ] {
        assert_eq!(e[key], "", "{key}");
    }
    close(e, "positives_attendues", 0.0);

    // Stratified on public alone, the same figures: s1 and s2 differ only by public here.
    let public = run(&dir, &["--years", "2016..2017", "--strates", "public"]);
    assert_eq!(public.plies, out.plies);
}

#[test]
fn the_filter_restricts_the_reference_and_min_sorties_only_hides() {
    let dir = crafted();
    // Region NORD: A alone in s1 (10/20), B alone in s2 (4/20); each PLIE is its own reference,
    // so each is exactly as expected: A 20 × 1/2 = 10, B 20 × 1/5 = 4.
    let nord = run(&dir, &["--years", "2016..2017", "--filter", "region=NORD"]);
    // Both at écart 0 with 20 exits: ranked by code.
    assert_eq!(nord.codes(), ["A", "B"]);
    close(nord.plie("A"), "positives_attendues", 10.0);
    close(nord.plie("B"), "positives_attendues", 4.0);
    close(nord.plie("B"), "ecart", 0.0);
    assert_eq!(
        (
            nord.reference["sorties"].as_str(),
            nord.reference["sorties_positives"].as_str()
        ),
        ("40", "14")
    );

    // DELD only: one stratum s1, reference 20/40 = 1/2: A 10 of 20 (expected 10), C 9 of 10
    // (expected 5, écart +0.4), D 1 of 10 (expected 5, écart -0.4). --min-sorties 15 hides C
    // and D, but their exits still make the reference rate: A's expectation stays 10.
    let deld = run(&dir, &["--years", "2016..2017", "--filter", "public=DELD"]);
    assert_eq!(deld.codes(), ["C", "A", "D"]);
    close(deld.plie("C"), "ecart", 0.4);
    close(deld.plie("D"), "ecart", -0.4);
    let big = run(
        &dir,
        &[
            "--years",
            "2016..2017",
            "--filter",
            "public=DELD",
            "--min-sorties",
            "15",
        ],
    );
    assert_eq!(big.codes(), ["A"]);
    assert_eq!(big.plie("A")["rang"], "1");
    close(big.plie("A"), "positives_attendues", 10.0);
    assert_eq!(big.reference, deld.reference);
    assert_eq!(big.reference["sorties"], "40");
}

#[test]
fn default_years_text_and_errors() {
    let dir = crafted();
    // The data cover 2015..2017 (E's parcours of 2015): the default is those years, so E's 2015
    // exit counts: E 1 of 1, and s1 becomes 21/41.
    let out = run(&dir, &[]);
    assert_eq!(out.plie("E")["sorties"], "1");
    close(out.plie("A"), "positives_attendues", 20.0 * 21.0 / 41.0);
    assert_eq!(out.reference["sorties"], "81");

    let text = dir
        .example("comparaison_plie", &["--years", "2016..2017"])
        .ok();
    assert!(text.contains("2016..2017"), "{text}");
    assert!(
        text.contains("Référence : 5 PLIE, 80 sorties dont 30 positives (37,5 %)"),
        "{text}"
    );
    assert!(text.contains("au-dessus : 1 ; en dessous : 1"), "{text}");
    let c = text
        .lines()
        .find(|l| l.contains(" C "))
        .expect("a line for C");
    for part in [
        "20",
        "13",
        "65,0 %",
        "43,3 – 81,9",
        "37,5 %",
        "+27,5 pts",
        "1,73",
        "au-dessus",
    ] {
        assert!(c.contains(part), "{part} not in {c:?}");
    }

    for (args, message) in [
        (&["--filter", "region=OUEST"][..], "OUEST"),
        (&["--years", "2017..2016"][..], "2017..2016"),
        (&["--strates", "public,pays"][..], "pays"),
        (&["--format", "xml"][..], "xml"),
    ] {
        let run = dir.example("comparaison_plie", args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.starts_with("error: ") && run.stderr.contains(message),
            "{}",
            run.stderr
        );
    }
    let missing = Dir::new();
    let run = missing.example("comparaison_plie", &[]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.starts_with("error: "));
}

#[test]
fn national_corpus_adds_up_to_the_engine() {
    let dir = national();
    let out = run(dir, &["--years", "2014..2017", "--min-sorties", "0"]);
    // Every PLIE's exits and positive exits are the engine's cross-tab by PLIE.
    for measure in ["sorties", "sorties_positives"] {
        let text = dir
            .run(&[
                "crosstab",
                "--measure",
                measure,
                "--years",
                "2014..2017",
                "--rows",
                "plie",
                "--format",
                "csv",
            ])
            .ok();
        let rows = csv_rows(&text);
        assert_eq!(rows[0], ["plie", measure]);
        let engine: BTreeMap<&str, &str> = rows[1..]
            .iter()
            .map(|r| (r[0].as_str(), r[1].as_str()))
            .collect();
        let ours: BTreeMap<&str, &str> = out
            .plies
            .iter()
            .map(|l| (l["plie"].as_str(), l[measure].as_str()))
            .collect();
        assert_eq!(ours, engine, "{measure}");
        let total: u64 = rows[1..].iter().map(|r| r[1].parse::<u64>().unwrap()).sum();
        assert_eq!(out.reference[measure], total.to_string());
    }
    // The identity, ranks in order of écart, and each signal read from its interval.
    let positives: f64 = num(&out.reference, "sorties_positives").unwrap();
    assert!(positives > 10_000.0);
    let expected: f64 = out
        .plies
        .iter()
        .map(|l| num(l, "positives_attendues").unwrap())
        .sum();
    assert!(
        (expected - positives).abs() < 1e-6 * positives,
        "{expected} vs {positives}"
    );
    close(&out.reference, "positives_attendues", positives);
    let mut last = f64::INFINITY;
    for (i, l) in out.plies.iter().enumerate() {
        assert_eq!(l["rang"], (i + 1).to_string());
        let Some(ecart) = num(l, "ecart") else {
            assert_eq!(l["sorties"], "0");
            last = f64::NEG_INFINITY;
            continue;
        };
        assert!(ecart <= last + 1e-12, "rank {}", i + 1);
        last = ecart;
        let (lo, hi) = (num(l, "ic95_bas").unwrap(), num(l, "ic95_haut").unwrap());
        let (taux, attendu) = (
            num(l, "taux_sorties_positives").unwrap(),
            num(l, "taux_attendu").unwrap(),
        );
        assert!(lo <= taux && taux <= hi);
        let signal = if attendu < lo {
            "au_dessus"
        } else if attendu > hi {
            "en_dessous"
        } else {
            "conforme"
        };
        assert_eq!(l["signal"], signal, "{}", l["plie"]);
    }
    // A region compared with itself: the identity again, on fewer PLIE.
    let bretagne = run(
        dir,
        &["--years", "2014..2017", "--filter", "region=Bretagne"],
    );
    assert!(!bretagne.plies.is_empty() && bretagne.plies.len() < out.plies.len());
    let expected: f64 = bretagne
        .plies
        .iter()
        .map(|l| num(l, "positives_attendues").unwrap())
        .sum();
    let positives = num(&bretagne.reference, "sorties_positives").unwrap();
    assert!(
        (expected - positives).abs() < 1e-4,
        "{expected} vs {positives}"
    );
}
