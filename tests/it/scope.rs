//! Scoped reading: a corpus restricted to some PLIE, departments or regions answers every public
//! method exactly as a store holding only those PLIE would, and never mentions another PLIE; the
//! CLI's `--scope` does the same through the binary.

use consolide::analyses::cohortes::CohortQuery;
use consolide::analyses::comparaison::STRATES;
use consolide::{
    Corpus, Crosstab, Dimension, Filter, Measure, Period, QueryError, Scope, Store, Tableau,
};

use crate::util::{csv_rows, national, Dir};

/// Every public reading method of `corpus`, each answer as its `Debug` text, labelled.
fn everything(corpus: &Corpus, filter: &Filter) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut put = |label: String, answer: String| out.push((label, answer));
    put(
        "plies".into(),
        format!(
            "{:?}",
            corpus
                .plies()
                .iter()
                .map(|p| (&p.plie, &p.departement, &p.region, p.content_hash, p.years))
                .collect::<Vec<_>>()
        ),
    );
    put("parcours".into(), corpus.parcours().to_string());
    let year = Period::year(2017);
    let years = Period::parse("2015..2017").unwrap();
    for period in [year, years] {
        for t in Tableau::ALL {
            put(
                format!("tableau {} {period:?}", t.code()),
                format!("{:?}", corpus.tableau(*t, period, filter)),
            );
        }
        put(
            format!("consolidation {period:?}"),
            format!("{:?}", corpus.consolidation(period, None, filter)),
        );
        put(
            format!("tableau1 {period:?}"),
            format!("{:?}", corpus.tableau1(period, filter)),
        );
        put(
            format!("periodes {period:?}"),
            format!(
                "{:?}",
                corpus.periodes(&consolide::tables::periodes_until(period), filter)
            ),
        );
        for rows in Dimension::ALL {
            for measure in [
                Measure::Entrees,
                Measure::SortiesEmploi,
                Measure::EnParcours,
            ] {
                let query = Crosstab {
                    measure,
                    period,
                    rows: *rows,
                    cols: Some(Dimension::Plie).filter(|d| d != rows),
                    filter: filter.clone(),
                };
                put(
                    format!("crosstab {measure:?} by {rows:?} {period:?}"),
                    format!("{:?}", corpus.crosstab(&query)),
                );
            }
        }
        put(
            format!("tallies {period:?}"),
            format!(
                "{:?}",
                corpus.tallies(
                    period,
                    filter,
                    &[Dimension::Plie, Dimension::Departement, Dimension::Sexe]
                )
            ),
        );
        put(
            format!("comparaison_plie {period:?}"),
            format!("{:?}", corpus.comparaison_plie(period, filter)),
        );
        put(
            format!("comparaison region {period:?}"),
            format!(
                "{:?}",
                corpus.comparaison(period, filter, Dimension::Region, &STRATES)
            ),
        );
        put(
            format!("reentrees {period:?}"),
            format!("{:?}", corpus.reentrees(Some(period), filter)),
        );
    }
    put(
        "cohortes".into(),
        format!(
            "{:?}",
            corpus.cohortes(&CohortQuery {
                filter: filter.clone(),
                par: Some(Dimension::Plie),
                ..CohortQuery::default()
            })
        ),
    );
    put(
        "sequences".into(),
        format!("{:?}", corpus.sequences(filter)),
    );
    put(
        "reentrees all years".into(),
        format!("{:?}", corpus.reentrees(None, filter)),
    );
    out
}

fn open(dir: &Dir) -> Store {
    Store::open(&dir.db()).unwrap()
}

#[test]
fn a_scoped_corpus_answers_every_method_as_a_store_of_only_its_plie() {
    let both = Dir::crafted();
    let only_44 = Dir::new();
    only_44.import(&[&only_44.fixture("crafted")]);
    let only_59 = Dir::new();
    only_59.import(&[&only_59.fixture("crafted-59")]);

    let store = open(&both);
    let cases = [
        (Scope::plies(["P44A"]), &only_44, "P59B"),
        (Scope::departements(["44"]), &only_44, "P59B"),
        (Scope::regions(["Pays de la Loire"]), &only_44, "P59B"),
        (Scope::plies(["P59B"]), &only_59, "P44A"),
        (Scope::regions(["Hauts-de-France"]), &only_59, "P44A"),
    ];
    let mut checked = 0;
    for (scope, alone, other) in cases {
        let scoped = Corpus::load_scoped(&store, &scope).unwrap();
        let alone_store = open(alone);
        let reference = Corpus::load(&alone_store).unwrap();
        for filter in [Filter::none(), Filter::none().with(Dimension::Sexe, &["F"])] {
            let got = everything(&scoped, &filter);
            let want = everything(&reference, &filter);
            assert_eq!(got.len(), want.len());
            for ((label, g), (_, w)) in got.iter().zip(&want) {
                assert_eq!(
                    g, w,
                    "{scope}: {label} differs from the store of its PLIE only"
                );
                assert!(!g.contains(other), "{scope}: {label} mentions {other}: {g}");
                checked += 1;
            }
        }
    }
    assert!(checked > 500, "{checked} answers compared");

    // The unscoped corpus does see both: the comparison above is not vacuous.
    let all = Corpus::load_scoped(&store, &Scope::all()).unwrap();
    assert_eq!(all.plies().len(), 2);
    assert_eq!(
        format!("{:?}", everything(&all, &Filter::none())),
        format!(
            "{:?}",
            everything(&Corpus::load(&store).unwrap(), &Filter::none())
        )
    );
}

#[test]
fn a_scoped_corpus_does_not_even_name_the_plie_outside_it_in_errors() {
    let both = Dir::crafted();
    let store = open(&both);
    let scoped = Corpus::load_scoped(&store, &Scope::plies(["P44A"])).unwrap();
    let query = |filter: Filter| Crosstab {
        measure: Measure::Entrees,
        period: Period::year(2017),
        rows: Dimension::Sexe,
        cols: None,
        filter,
    };
    // Asking for another PLIE is an unknown value, and the valid values listed are the scope's.
    for (dimension, value, valid) in [
        (Dimension::Plie, "P59B", "P44A"),
        (Dimension::Departement, "59", "44"),
        (Dimension::Region, "Hauts-de-France", "Pays de la Loire"),
    ] {
        let err = scoped
            .crosstab(&query(Filter::none().with(dimension, &[value])))
            .unwrap_err();
        match err {
            consolide::Error::Query(QueryError::UnknownValue { valid: v, .. }) => {
                assert_eq!(v, valid)
            }
            e => panic!("{e:?}"),
        }
    }
    // A scope naming no stored PLIE reads an empty corpus, not the whole store.
    let none = Corpus::load_scoped(&store, &Scope::plies(["P00"])).unwrap();
    assert!(none.plies().is_empty());
    assert_eq!(none.parcours(), 0);
    let t1 = none.tableau1(Period::year(2017), &Filter::none()).unwrap();
    assert_eq!(t1.total().tally.entrees, 0);
    // Clauses narrow: plie=P44A,P59B then region=Hauts-de-France is P59B only.
    let mut scope = Scope::plies(["P44A", "P59B"]);
    scope.add("region=Hauts-de-France").unwrap();
    let narrowed = Corpus::load_scoped(&store, &scope).unwrap();
    let codes: Vec<&str> = narrowed.plies().iter().map(|p| p.plie.as_str()).collect();
    assert_eq!(codes, ["P59B"]);
}

/// `status --format csv` of the national store: code, department and parcours of each PLIE.
fn national_plies(dir: &Dir) -> Vec<(String, String, u64)> {
    let rows = csv_rows(&dir.run(&["status", "--format", "csv"]).ok());
    let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    let (p, d, n) = (col("plie"), col("departement"), col("parcours"));
    rows[1..]
        .iter()
        .map(|row| (row[p].clone(), row[d].clone(), row[n].parse().unwrap()))
        .collect()
}

#[test]
fn cli_scope_gives_what_the_filter_gives_and_never_another_plie() {
    let dir = national();
    let plies = national_plies(dir);
    assert!(plies.len() > 10);
    // The largest PLIE (some of the synthetic ones have no parcours at all).
    let (code, departement, _) = plies.iter().max_by_key(|p| p.2).unwrap().clone();
    let others: Vec<&str> = plies
        .iter()
        .map(|(p, _, _)| p.as_str())
        .filter(|p| *p != code)
        .collect();
    let scope = format!("plie={code}");
    let filter = format!("plie={code}");

    let years = ["--years", "2015..2017", "--pluriannuel", "2014..2017"];
    let mut scoped_args = vec!["--scope", &scope, "tableau", "all", "--format", "csv"];
    scoped_args.extend(years);
    let scoped = dir.run(&scoped_args).ok();
    let mut filtered_args = vec!["tableau", "all", "--format", "csv", "--filter", &filter];
    filtered_args.extend(years);
    let filtered = dir.run(&filtered_args).ok();
    assert_eq!(
        scoped, filtered,
        "--scope {scope} and --filter {filter} differ"
    );
    // The same scope given after the subcommand.
    let mut after = vec!["tableau", "all", "--format", "csv", "--scope", &scope];
    after.extend(years);
    assert_eq!(dir.run(&after).ok(), scoped);

    for (args, what) in [
        (
            vec!["status", "--format", "csv", "--scope", &scope],
            "status",
        ),
        (
            vec![
                "crosstab",
                "--measure",
                "entrees",
                "--rows",
                "plie",
                "--cols",
                "departement",
                "--year",
                "2017",
                "--format",
                "csv",
                "--scope",
                &scope,
            ],
            "crosstab by plie",
        ),
        (
            vec![
                "crosstab",
                "--measure",
                "sorties_emploi",
                "--rows",
                "plie",
                "--years",
                "2014..2017",
                "--format",
                "json",
                "--scope",
                &scope,
            ],
            "crosstab json",
        ),
    ] {
        let out = dir.run(&args).ok();
        assert!(out.contains(&code), "{what}: {out}");
        let cells: Vec<String> = if what.ends_with("json") {
            Vec::new()
        } else {
            csv_rows(&out).into_iter().flatten().collect()
        };
        for other in &others {
            let mentioned =
                cells.iter().any(|cell| cell == other) || out.contains(&format!("\"{other}\""));
            assert!(!mentioned, "{what} names {other}: {out}");
        }
    }
    let crosstab = |scope: &str| {
        dir.run(&[
            "crosstab",
            "--measure",
            "entrees",
            "--rows",
            "sexe",
            "--year",
            "2017",
            "--format",
            "csv",
            "--scope",
            scope,
        ])
        .ok()
    };
    let by_filter = |filter: &str| {
        dir.run(&[
            "crosstab",
            "--measure",
            "entrees",
            "--rows",
            "sexe",
            "--year",
            "2017",
            "--format",
            "csv",
            "--filter",
            filter,
        ])
        .ok()
    };
    let dep = format!("departement={departement}");
    assert_eq!(crosstab(&dep), by_filter(&dep));

    // A department scope lists exactly the PLIE of that department.
    let rows = csv_rows(
        &dir.run(&["status", "--format", "csv", "--scope", &dep])
            .ok(),
    );
    let listed: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    let wanted: Vec<&str> = plies
        .iter()
        .filter(|(_, d, _)| *d == departement)
        .map(|(p, _, _)| p.as_str())
        .collect();
    assert_eq!(listed, wanted);

    // A filter reaching outside the scope is an unknown value, listing only the scope's values.
    let run = dir.run(&[
        "tableau",
        "1",
        "--year",
        "2017",
        "--scope",
        &scope,
        "--filter",
        &format!("plie={}", others[0]),
    ]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains(&format!("valid values: {code}\n")),
        "{}",
        run.stderr
    );
}

#[test]
fn cli_scope_refuses_other_dimensions_and_writing_commands() {
    let dir = Dir::crafted();
    for bad in ["sexe=F", "plie", "plie=", "commune=44109"] {
        let run = dir.run(&["tableau", "1", "--year", "2017", "--scope", bad]);
        assert_eq!(run.code, 1, "{bad}: {run:?}");
        assert!(run.stderr.starts_with("error: --scope: "), "{}", run.stderr);
        assert!(
            run.stderr.contains("plie, departement or region"),
            "{}",
            run.stderr
        );
    }
    let folder = dir.fixture("crafted");
    let run = dir.run(&["--scope", "plie=P44A", "import", folder.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("--scope"), "{}", run.stderr);
    // Two clauses narrow: P44A is not in the Hauts-de-France.
    let out = dir
        .run(&[
            "status",
            "--format",
            "csv",
            "--scope",
            "plie=P44A,P59B",
            "--scope",
            "region=Hauts-de-France",
        ])
        .ok();
    let rows = csv_rows(&out);
    assert_eq!(rows.len(), 2, "{out}");
    assert_eq!(rows[1][0], "P59B");
}
