//! Participants who come back to a PLIE: how many, how long after their exit, and how their
//! earlier parcours had ended (`consolide::analyses::reentrees` defines every figure).
//!
//! `cargo run --release --example reentrees -- --db FILE [--years Y1..Y2] [--filter DIM=V,...]
//! [--format text|csv|json|md]`

use clap::Parser;
use consolide::{render, Corpus, Filter, Format, Period, Store};

#[derive(Parser)]
#[command(about = "Réentrées des participants dans un PLIE, selon la sortie précédente")]
struct Args {
    /// The store.
    #[arg(long, env = "CONSOLIDE_DB", default_value = "consolide.redb")]
    db: std::path::PathBuf,
    /// Count the re-entries whose new entry falls in these years (`Y` or `Y1..Y2`); every year
    /// when absent.
    #[arg(long)]
    years: Option<String>,
    /// `DIM=V1[,V2...]`, repeatable (plie, departement, region, or a characteristic at the new
    /// entry).
    #[arg(long)]
    filter: Vec<String>,
    /// text, csv, json or md.
    #[arg(long, default_value = "text", value_parser = ["text", "csv", "json", "md"])]
    format: String,
}

fn run(args: Args) -> Result<String, consolide::Error> {
    let format = Format::parse(&args.format).expect("clap checked it");
    let period = args.years.as_deref().map(Period::parse).transpose()?;
    let mut filter = Filter::none();
    for clause in &args.filter {
        filter.add(clause)?;
    }
    let store = Store::open(&args.db)?;
    let corpus = Corpus::load(&store)?;
    let reentrees = corpus.reentrees(period, &filter)?;
    Ok(render::table(&reentrees.table(), format))
}

fn main() {
    match run(Args::parse()) {
        Ok(text) => print!("{text}"),
        Err(e) => {
            eprintln!("error: {e}");
            let code = match e {
                consolide::Error::Store(_) => 3,
                _ => 1,
            };
            std::process::exit(code);
        }
    }
}
