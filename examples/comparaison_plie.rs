//! PLIE compared fairly: each PLIE's positive-exit rate over a range of years, with a 95 % Wilson
//! interval, against the rate expected from its public × niveau × tranche_age mix (indirect
//! standardisation on the rates of every PLIE in scope), ranked by observed minus expected.
//!
//! `cargo run --release --example comparaison_plie -- --db consolide.redb --years 2014..2017`
//!
//! `--filter DIM=V1[,V2]` (repeatable, as in the CLI) restricts both the PLIE shown and the
//! reference population: with `--filter region=Bretagne` the PLIE of Bretagne are compared with
//! the rates of Bretagne. `--min-sorties N` hides the PLIE with fewer than N exits (default 1: a
//! PLIE without exits has no rate); they still count in the reference rates. The definitions are
//! those of `consolide::analyses::comparaison`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use consolide::analyses::comparaison::{annees_par_defaut, Comparaison, STRATES};
use consolide::render::{fraction, thousands};
use consolide::{Corpus, Dimension, Error, Filter, Period, Store};

#[derive(Parser)]
#[command(about = "Taux de sorties positives des PLIE, observé et attendu selon leur public")]
struct Args {
    /// The store file.
    #[arg(long, env = "CONSOLIDE_DB", default_value = "consolide.redb")]
    db: PathBuf,
    /// Y or Y1..Y2; default the last four years of the data (2014..2017 for the national corpus).
    #[arg(long)]
    years: Option<String>,
    /// DIM=V1[,V2...], as in the CLI; restricts the PLIE shown and the reference. Repeatable.
    #[arg(long)]
    filter: Vec<String>,
    /// Hide the PLIE with fewer exits than this (they still count in the reference).
    #[arg(long, default_value_t = 1)]
    min_sorties: u64,
    /// Stratification dimensions, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "public,niveau,tranche_age"
    )]
    strates: Vec<String>,
    /// text or csv.
    #[arg(long, default_value = "text")]
    format: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            // CLI.md: 3 for the store, 1 for a refused query or option.
            ExitCode::from(if matches!(e, Error::Store(_)) { 3 } else { 1 })
        }
    }
}

fn run(args: &Args) -> Result<String, Error> {
    let refuse = |m: String| Error::Io(std::io::Error::new(std::io::ErrorKind::InvalidInput, m));
    if !matches!(args.format.as_str(), "text" | "csv") {
        return Err(refuse(format!(
            "--format is text or csv, not {:?}",
            args.format
        )));
    }
    let mut filter = Filter::none();
    for clause in &args.filter {
        filter.add(clause)?;
    }
    let strates = args
        .strates
        .iter()
        .map(|s| Dimension::parse(s.trim()))
        .collect::<Result<Vec<_>, _>>()?;
    let corpus = Corpus::load(&Store::open(&args.db)?)?;
    let period = match &args.years {
        Some(y) => Period::parse(y)?,
        None => annees_par_defaut(&corpus)
            .ok_or_else(|| refuse("the store holds no parcours".into()))?,
    };
    let cmp = if strates == STRATES {
        corpus.comparaison_plie(period, &filter)?
    } else {
        corpus.comparaison(period, &filter, Dimension::Plie, &strates)?
    };
    Ok(if args.format == "csv" {
        csv(&cmp, args.min_sorties)
    } else {
        text(&cmp, args.min_sorties)
    })
}

fn opt(x: Option<f64>) -> String {
    x.map_or(String::new(), fraction)
}

fn csv(cmp: &Comparaison, min: u64) -> String {
    let mut out = String::from(
        "groupe,rang,plie,sorties,sorties_positives,taux_sorties_positives,ic95_bas,ic95_haut,\
         positives_attendues,taux_attendu,ecart,indice,signal\n",
    );
    // The reference: expected = observed up to rounding (the identity of the standardisation).
    let r = &cmp.reference;
    let (lo, hi) = r.intervalle.unzip();
    let attendu = (r.sorties > 0).then(|| r.positives_attendues / r.sorties as f64);
    out += &format!(
        "reference,,total,{},{},{},{},{},{},{},{},{},\n",
        r.sorties,
        r.sorties_positives,
        opt(r.taux),
        opt(lo),
        opt(hi),
        fraction(r.positives_attendues),
        opt(attendu),
        opt(r.taux.zip(attendu).map(|(a, b)| a - b)),
        opt((r.positives_attendues > 0.0)
            .then(|| r.sorties_positives as f64 / r.positives_attendues)),
    );
    for (rank, l) in cmp.lignes_affichees(min).enumerate() {
        let (lo, hi) = l.intervalle.unzip();
        out += &format!(
            "plie,{},{},{},{},{},{},{},{},{},{},{},{}\n",
            rank + 1,
            l.code,
            l.sorties,
            l.sorties_positives,
            opt(l.taux),
            opt(lo),
            opt(hi),
            fraction(l.positives_attendues),
            opt(l.taux_attendu),
            opt(l.ecart),
            opt(l.indice),
            l.signal.map_or("", |s| s.code()),
        );
    }
    out
}

/// A fraction as a percent with one decimal and a French comma: `43,4 %`.
fn pct(x: Option<f64>) -> String {
    x.map_or("-".into(), |x| {
        format!("{:.1} %", x * 100.0).replace('.', ",")
    })
}

fn text(cmp: &Comparaison, min: u64) -> String {
    let r = &cmp.reference;
    let shown: Vec<_> = cmp.lignes_affichees(min).collect();
    let count = |s: &str| {
        shown
            .iter()
            .filter(|l| l.signal.map(|x| x.code()) == Some(s))
            .count()
    };
    let strates: Vec<&str> = cmp.strates.iter().map(|d| d.code()).collect();
    let mut out = format!(
        "Comparaison des PLIE : sorties positives observées et attendues, {} (filtre : {})\n\
         Référence : {} PLIE, {} sorties dont {} positives ({})\n\
         Attendu : standardisation indirecte sur {} ({} strates) ; IC de Wilson à 95 %\n\
         PLIE affichés : {} (au moins {min} sortie(s)) ; au-dessus : {} ; en dessous : {}\n\n",
        cmp.period,
        cmp.filter.describe(),
        cmp.plies,
        thousands(r.sorties),
        thousands(r.sorties_positives),
        pct(r.taux),
        strates.join(" × "),
        cmp.strata.len(),
        shown.len(),
        count("au_dessus"),
        count("en_dessous"),
    );
    let header = [
        "rang",
        "PLIE",
        "sorties",
        "positives",
        "taux",
        "IC 95 %",
        "attendu",
        "écart",
        "indice",
        "signal",
    ];
    let mut rows: Vec<Vec<String>> = vec![header.map(String::from).to_vec()];
    for (rank, l) in shown.iter().enumerate() {
        let ic = l.intervalle.map_or("-".into(), |(a, b)| {
            format!("{:.1} – {:.1}", a * 100.0, b * 100.0).replace('.', ",")
        });
        let ecart = l.ecart.map_or("-".into(), |e| {
            format!("{:+.1} pts", e * 100.0).replace('.', ",")
        });
        rows.push(vec![
            (rank + 1).to_string(),
            l.code.clone(),
            thousands(l.sorties),
            thousands(l.sorties_positives),
            pct(l.taux),
            ic,
            pct(l.taux_attendu),
            ecart,
            l.indice
                .map_or("-".into(), |i| format!("{i:.2}").replace('.', ",")),
            l.signal.map_or("-", |s| s.label()).to_owned(),
        ]);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, &w))| {
                let pad = " ".repeat(w - cell.chars().count());
                // PLIE code and signal left-aligned, figures right-aligned.
                if c == 1 || c == 9 {
                    format!("{cell}{pad}")
                } else {
                    format!("{pad}{cell}")
                }
            })
            .collect();
        out += cells.join("  ").trim_end();
        out.push('\n');
    }
    out
}
