//! Cohorts of entrants: of the parcours entered each year, the share exited positively, exited
//! without follow-up and still in parcours 6, 12, 24 and 36 months after entry, optionally split
//! by one characteristic. Definitions, censoring and truncation: `consolide::analyses::cohortes`.
//!
//! `cargo run --release --example cohortes -- --db consolide.redb --years 2014..2017 --par public`

use std::process::ExitCode;

use clap::Parser;
use consolide::analyses::cohortes::{self, CohortQuery};
use consolide::{render, Corpus, Dimension, Filter, Format, Period, Store};

#[derive(Parser)]
#[command(about = "Cohorts of entrants followed 6, 12, 24, 36 months after entry")]
struct Args {
    /// The store file.
    #[arg(long, env = "CONSOLIDE_DB", default_value = "consolide.redb")]
    db: std::path::PathBuf,
    /// Entry years Y1..Y2 (default: the years observed).
    #[arg(long)]
    years: Option<String>,
    /// Horizons in months after entry.
    #[arg(long, value_delimiter = ',', default_value = "6,12,24,36")]
    mois: Vec<u32>,
    /// Split each cohort by this dimension (public, tranche_age, qpv, sexe...).
    #[arg(long)]
    par: Option<String>,
    /// DIM=V1[,V2...]; values OR-ed, dimensions AND-ed. Repeatable.
    #[arg(long)]
    filter: Vec<String>,
    /// Start of observation YYYY-MM-DD (default: 1 January of the year of the first exit).
    #[arg(long)]
    debut_observation: Option<String>,
    /// End of observation YYYY-MM-DD (default: 31 December of the last year with data).
    #[arg(long)]
    fin_observation: Option<String>,
    /// text, csv (one line per cohort and horizon, with counts), md or json.
    #[arg(long, default_value = "text")]
    format: String,
}

fn run(args: Args) -> Result<String, Box<dyn std::error::Error>> {
    let format = Format::parse(&args.format).ok_or("unknown format; valid: text, csv, md, json")?;
    let mut filter = Filter::none();
    for clause in &args.filter {
        filter.add(clause)?;
    }
    let query = CohortQuery {
        entrees: args.years.as_deref().map(Period::parse).transpose()?,
        mois: args.mois,
        par: args.par.as_deref().map(Dimension::parse).transpose()?,
        filter,
        debut_observation: args
            .debut_observation
            .as_deref()
            .map(cohortes::date)
            .transpose()?,
        fin_observation: args
            .fin_observation
            .as_deref()
            .map(cohortes::date)
            .transpose()?,
    };
    let corpus = Corpus::load(&Store::open(&args.db)?)?;
    let result = corpus.cohortes(&query)?;
    Ok(match format {
        Format::Csv => result.csv(),
        other => render::table(&result.to_table(), other),
    })
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
