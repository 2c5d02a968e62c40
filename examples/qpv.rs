//! `qpv`: per department (or region), the share of participants living in a priority
//! neighbourhood (quartier prioritaire de la politique de la ville) and their outcomes beside the
//! others'. One cross-tabulation of the public API does the work.
//!
//! ```sh
//! cargo run --release --example qpv -- --db consolide.redb --year 2017 [--par region]
//!     [--filter region=...] [--format csv]
//! ```
//!
//! Participants are the parcours in parcours during the period (each once over a range). The
//! share in QPV is over the participants whose address is known (`qpv` = 1 or 0); those with no
//! answer are counted apart. Outcomes are the positive-exit rate (positive exits / exits of the
//! period, MEASURES.md) of each group; the gap is in percentage points, absent when a group has no
//! exit.

use clap::Parser;
use consolide::{Corpus, Crosstab, CrosstabResult, Dimension, Filter, Measure, Period, Store};

#[derive(Parser)]
#[command(about = "Share of participants living in a QPV, and their outcomes, by territory")]
struct Args {
    #[arg(long, env = "CONSOLIDE_DB", default_value = "consolide.redb")]
    db: std::path::PathBuf,
    /// One year.
    #[arg(long, conflicts_with = "years")]
    year: Option<i32>,
    /// A range of years, Y1..Y2 (default: the last year of the data).
    #[arg(long)]
    years: Option<String>,
    /// `departement` or `region`.
    #[arg(long, default_value = "departement")]
    par: String,
    /// DIM=V1[,V2...], as the CLI's.
    #[arg(long)]
    filter: Vec<String>,
    /// `text` or `csv`.
    #[arg(long, default_value = "text")]
    format: String,
}

/// One territory's line.
struct Line {
    territoire: String,
    qpv: consolide::Tally,
    hors_qpv: consolide::Tally,
    inconnu: consolide::Tally,
}

impl Line {
    fn participants(&self) -> u64 {
        [&self.qpv, &self.hors_qpv, &self.inconnu]
            .iter()
            .map(|t| t.parcours_distincts)
            .sum()
    }

    fn part_qpv(&self) -> Option<f64> {
        let known = self.qpv.parcours_distincts + self.hors_qpv.parcours_distincts;
        (known > 0).then(|| self.qpv.parcours_distincts as f64 / known as f64)
    }
}

fn taux(t: &consolide::Tally) -> Option<f64> {
    match t.get(Measure::TauxSortiesPositives) {
        consolide::Value::Rate(r) => r,
        consolide::Value::Count(_) => unreachable!("a rate"),
    }
}

/// The lines of a cross-tab by territory × qpv (columns `1`, `0`, `?`).
fn lines(x: &CrosstabResult) -> Vec<Line> {
    let col = |code: &str| {
        x.col_values
            .iter()
            .position(|c| c == code)
            .expect("qpv code")
    };
    let (q, h, u) = (col("1"), col("0"), col("?"));
    (0..x.row_values.len())
        .map(|r| Line {
            territoire: x.row_values[r].clone(),
            qpv: *x.tally(r, q),
            hors_qpv: *x.tally(r, h),
            inconnu: *x.tally(r, u),
        })
        .filter(|l| l.participants() > 0)
        .collect()
}

fn main() -> std::process::ExitCode {
    match run(Args::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let par = match args.par.as_str() {
        "departement" => Dimension::Departement,
        "region" => Dimension::Region,
        other => return Err(format!("--par {other:?}: departement or region").into()),
    };
    let mut filter = Filter::none();
    for clause in &args.filter {
        filter.add(clause)?;
    }
    let corpus = Corpus::load(&Store::open(&args.db)?)?;
    let period = match (args.year, &args.years) {
        (Some(y), _) => Period::year(y),
        (None, Some(range)) => Period::parse(range)?,
        (None, None) => {
            let last = corpus
                .plies()
                .iter()
                .filter_map(|p| p.years)
                .map(|y| y.1)
                .max();
            Period::year(last.ok_or("the store holds no parcours")?)
        }
    };
    let query = |rows| Crosstab {
        measure: Measure::ParcoursDistincts,
        period,
        rows,
        cols: Some(Dimension::Qpv),
        filter: filter.clone(),
    };
    let mut all = lines(&corpus.crosstab(&query(par))?);
    // The whole scope on one line: the same cross-tab with every PLIE as one territory.
    let x = corpus.crosstab(&Crosstab {
        cols: None,
        rows: Dimension::Qpv,
        ..query(par)
    })?;
    let total = |code: &str| *x.tally(x.row_values.iter().position(|v| v == code).unwrap(), 0);
    all.push(Line {
        territoire: "ensemble".into(),
        qpv: total("1"),
        hors_qpv: total("0"),
        inconnu: total("?"),
    });
    print!("{}", render(&all, par, period, &filter, &args.format)?);
    Ok(())
}

fn render(
    lines: &[Line],
    par: Dimension,
    period: Period,
    filter: &Filter,
    format: &str,
) -> Result<String, String> {
    let pct = |r: Option<f64>| r.map_or("-".into(), |r| format!("{:.0} %", 100.0 * r));
    let frac = |r: Option<f64>| r.map_or(String::new(), |r| format!("{r:.6}"));
    let gap = |l: &Line| Some(100.0 * (taux(&l.qpv)? - taux(&l.hors_qpv)?));
    let mut out = String::new();
    match format {
        "csv" => {
            out.push_str(&format!(
                "{},participants,qpv,hors_qpv,qpv_inconnu,part_qpv,sorties_qpv,\
                 taux_sorties_positives_qpv,sorties_hors_qpv,taux_sorties_positives_hors_qpv,\
                 ecart_points\n",
                par.code()
            ));
            for l in lines {
                out.push_str(&format!(
                    "{},{},{},{},{},{},{},{},{},{},{}\n",
                    l.territoire,
                    l.participants(),
                    l.qpv.parcours_distincts,
                    l.hors_qpv.parcours_distincts,
                    l.inconnu.parcours_distincts,
                    frac(l.part_qpv()),
                    l.qpv.sorties_total(),
                    frac(taux(&l.qpv)),
                    l.hors_qpv.sorties_total(),
                    frac(taux(&l.hors_qpv)),
                    gap(l).map_or(String::new(), |g| format!("{g:.4}")),
                ));
            }
        }
        "text" => {
            out.push_str(&format!(
                "Participants en QPV et leurs sorties, {period} (filtre : {})\n\n",
                filter.describe()
            ));
            // Columns as wide as their widest cell, counts with thousands separators.
            let count = consolide::render::thousands;
            let rows: Vec<Vec<String>> = lines
                .iter()
                .map(|l| {
                    vec![
                        l.territoire.clone(),
                        count(l.participants()),
                        pct(l.part_qpv()),
                        count(l.inconnu.parcours_distincts),
                        pct(taux(&l.qpv)),
                        pct(taux(&l.hors_qpv)),
                        gap(l).map_or("-".into(), |g| format!("{g:+.0} pt")),
                    ]
                })
                .collect();
            out.push_str(&consolide::render::list(
                &[
                    par.code(),
                    "participants",
                    "part QPV",
                    "QPV inconnu",
                    "taux SP QPV",
                    "taux SP hors QPV",
                    "écart",
                ],
                &rows,
                1,
                consolide::Format::Text,
            ));
        }
        other => return Err(format!("--format {other:?}: text or csv")),
    }
    Ok(out)
}
