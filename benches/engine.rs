//! Criterion benches of the engine's kernels on a corpus built through the public API:
//! import, open (summaries only, or the whole snapshot), Tableau 1 (summary, scan and bitmap
//! paths, for the nation, one region and one PLIE), and a two-dimension cross-tab with a filter.
//! `CONSOLIDE_BENCH_N` sets the number of parcours (default 1 000 000); `CONSOLIDE_BENCH_DB`
//! names an existing store to read instead (its import is then not timed).

use std::collections::BTreeSet;

use consolide::model::{
    BirthMonth, Day, Inactivite, Motif, Niveau, Parcours, PlieInfo, Public, Sexe,
};
use consolide::transfer::Transfer;
use consolide::{Corpus, Crosstab, Dimension, Filter, Measure, Path, Period, Store, Summaries};
use criterion::{criterion_group, criterion_main, Criterion};

/// A small deterministic generator, enough to shape benchmark data (not the calibrated generator).
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn corpus(n: usize) -> Transfer {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let plies: Vec<String> = (0..150).map(|i| format!("P{i:03}")).collect();
    let start = Day::from_date(time::macros::date!(2005 - 01 - 01))
        .unwrap()
        .0;
    let parcours = (0..n)
        .map(|i| {
            let entree = Day(start + rng.below(13 * 365) as u16);
            let sortie = (rng.below(10) < 8).then(|| {
                let d = (entree.0 + rng.below(1100) as u16).min(start + 13 * 365);
                (Day(d), Motif::ALL[rng.below(6) as usize])
            });
            let age = 16 + rng.below(60) as i32;
            Parcours {
                plie: plies[i % 150].clone(),
                participant: format!("k{i}"),
                entree,
                sortie,
                sexe: Sexe::ALL[rng.below(2) as usize],
                naissance: BirthMonth {
                    year: entree.year() - age - 1,
                    month: 1 + rng.below(12) as u8,
                },
                public: Public::ALL[rng.below(3) as usize],
                inscrit_pe: rng.below(10) < 9,
                th: rng.below(25) == 0,
                niveau: Niveau::ALL[rng.below(9) as usize],
                inactivite: Inactivite::Mois(rng.below(120) as u16),
                qpv: Some(rng.below(4) == 0),
                commune: None,
                emploi: Default::default(),
                formation: Default::default(),
            }
        })
        .collect();
    let plie_info = plies
        .iter()
        .enumerate()
        .map(|(i, p)| PlieInfo {
            plie: p.clone(),
            departement: Some(format!("{:02}", 1 + i % 95)),
            region: Some(format!("R{}", i % 13)),
            ..Default::default()
        })
        .collect();
    Transfer {
        plies: plies.into_iter().collect::<BTreeSet<_>>(),
        parcours,
        plie_info,
        ..Default::default()
    }
}

fn engine(c: &mut Criterion) {
    let n: usize = std::env::var("CONSOLIDE_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    // An existing store (e.g. `consolide generate --db` at 100M parcours) is read as it is;
    // otherwise the corpus is built here and its import timed.
    let given = std::env::var_os("CONSOLIDE_BENCH_DB").map(std::path::PathBuf::from);
    let db = given
        .clone()
        .unwrap_or_else(|| dir.path().join("bench.redb"));
    let name = match &given {
        Some(path) => format!("store {}", path.display()),
        None => format!("{n} parcours"),
    };
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    if given.is_none() {
        let transfer = corpus(n);
        let scratch = dir.path().join("import.redb");
        group.bench_function("import (encode + summarise + write)", |b| {
            b.iter(|| {
                let _ = std::fs::remove_file(&scratch);
                let mut store = Store::create(&scratch).unwrap();
                store.import(std::slice::from_ref(&transfer), 0).unwrap()
            })
        });
        // The store the other kernels read, whichever benches the command line selects.
        let mut store = Store::create(&db).unwrap();
        store.import(std::slice::from_ref(&transfer), 0).unwrap();
    }
    let year = Period::year(2015);
    group.bench_function("open + summaries + tableau 1", |b| {
        b.iter(|| {
            let summaries = Summaries::load(&Store::open(&db).unwrap()).unwrap();
            summaries.unwrap().tableau1(year, &Filter::none()).unwrap()
        })
    });
    group.bench_function("open + load snapshot", |b| {
        b.iter(|| Corpus::load(&Store::open(&db).unwrap()).unwrap())
    });
    let corpus = Corpus::load(&Store::open(&db).unwrap()).unwrap();
    eprintln!("{} parcours in the snapshot", corpus.parcours());
    let first = &corpus.plies()[0];
    let selectivity = [
        ("nation", Filter::none()),
        (
            "one region",
            Filter::none().with(Dimension::Region, &[first.region.as_deref().unwrap()]),
        ),
        (
            "one PLIE",
            Filter::none().with(Dimension::Plie, &[&first.plie]),
        ),
    ];
    for (scope, filter) in &selectivity {
        for path in [Path::Summary, Path::Scan] {
            group.bench_function(format!("tableau 1, {scope}, {path:?}"), |b| {
                b.iter(|| corpus.tableau1_with(year, filter, path).unwrap())
            });
        }
    }
    group.bench_function("tableau 1, nation, Bitmap (cached)", |b| {
        b.iter(|| {
            corpus
                .tableau1_with(year, &Filter::none(), Path::Bitmap)
                .unwrap()
        })
    });
    let crosstab = Crosstab {
        measure: Measure::SortiesPositives,
        period: year,
        rows: Dimension::Niveau,
        cols: Some(Dimension::TrancheAge),
        filter: selectivity[1].1.clone(),
    };
    group.bench_function("crosstab niveau x tranche_age, region filter, scan", |b| {
        b.iter(|| corpus.crosstab_with(&crosstab, Path::Scan).unwrap())
    });
    group.bench_function(
        "crosstab niveau x tranche_age, region filter, bitmaps",
        |b| b.iter(|| corpus.crosstab_with(&crosstab, Path::Bitmap).unwrap()),
    );
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
