//! Opens a consolide store, loads its snapshot, and answers bench/peers's questions in this one
//! process: the library's warm times beside the CLI's open-and-answer-per-process ones.
//! Usage: consolide-inprocess STORE PLIE REGION REPEAT; prints one JSON object (seconds).

use std::time::Instant;

use consolide::{Corpus, Crosstab, Dimension, Filter, Measure, Period, Store, Tableau};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The first answer (cold caches of the snapshot's bitmaps) and the median of `repeat` more.
fn time(repeat: usize, mut answer: impl FnMut()) -> serde_json::Value {
    let t = Instant::now();
    answer();
    let first = t.elapsed().as_secs_f64();
    let warm = (0..repeat)
        .map(|_| {
            let t = Instant::now();
            answer();
            t.elapsed().as_secs_f64()
        })
        .collect();
    serde_json::json!({ "first": first, "warm": median(warm) })
}

fn main() -> Result<(), consolide::Error> {
    let args: Vec<String> = std::env::args().collect();
    let [_, db, plie, region, repeat] = &args[..] else {
        eprintln!("usage: consolide-inprocess STORE PLIE REGION REPEAT");
        std::process::exit(2);
    };
    let repeat: usize = repeat.parse().expect("REPEAT is a number");
    let t = Instant::now();
    let store = Store::open(db.as_ref())?;
    let corpus = Corpus::load(&store)?;
    let open = t.elapsed().as_secs_f64();
    let year = Period::year(2017);
    let range = Period::years(2014, 2017)?;
    let xtab = |filter: Filter| Crosstab {
        measure: Measure::SortiesPositives,
        period: year,
        rows: Dimension::Niveau,
        cols: Some(Dimension::TrancheAge),
        filter,
    };
    let queries = [
        ("xtab_plie", xtab(Filter::none().with(Dimension::Plie, &[plie]))),
        ("xtab_region", xtab(Filter::none().with(Dimension::Region, &[region]))),
        ("xtab_nation", xtab(Filter::none())),
        (
            "xtab_qpv",
            Crosstab {
                measure: Measure::Entrees,
                period: year,
                rows: Dimension::Public,
                cols: Some(Dimension::Sexe),
                filter: Filter::none().with(Dimension::Qpv, &["1"]),
            },
        ),
        (
            "xtab_range",
            Crosstab {
                measure: Measure::Abandons,
                period: range,
                rows: Dimension::Public,
                cols: Some(Dimension::Sexe),
                filter: Filter::none(),
            },
        ),
    ];
    let mut out = serde_json::json!({
        "open": open,
        "tableau1": time(repeat, || {
            corpus.tableau1(year, &Filter::none()).unwrap();
        }),
        "tableau1bis": time(repeat, || {
            corpus.tableau(Tableau::T1bis, range, &Filter::none()).unwrap();
        }),
    });
    for (name, query) in &queries {
        out[name] = time(repeat, || {
            corpus.crosstab(query).unwrap();
        });
    }
    println!("{out}");
    Ok(())
}
