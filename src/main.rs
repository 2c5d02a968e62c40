//! The `consolide` command line (CLI.md): parses arguments, calls the library, prints, and exits
//! with 0 (success), 1 (input refused), 2 (usage) or 3 (storage error).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use consolide::synth::{self, SynthOptions};
use consolide::{
    Consolidation, Corpus, Crosstab, Dimension, Error, Filter, Format, ImportOptions, Measure,
    Period, Store, Summaries, Tableau,
};

#[derive(Parser)]
#[command(
    name = "consolide",
    version,
    about = "National consolidation of PLIE parcours"
)]
struct Cli {
    /// The store file.
    #[arg(
        long,
        global = true,
        env = "CONSOLIDE_DB",
        default_value = "consolide.redb"
    )]
    db: PathBuf,
    /// `--scope` before the command (status, tableau and crosstab take it after theirs too,
    /// where their help shows it).
    #[arg(long = "scope", value_name = "DIM=V1[,V2]", hide = true)]
    scope: Vec<String>,
    #[command(subcommand)]
    command: Command,
}

/// Where a table goes and in which format.
#[derive(clap::Args)]
struct Output {
    /// text, csv, csv-fr, json, md (and xlsx with --out, for tableau, paqte and plan10000).
    /// csv is CLI.md's machine csv (`,`, `.` decimals, rates as fractions); csv-fr opens in
    /// columns in a French spreadsheet (`;`, decimal comma, rates as percents, UTF-8 BOM, CRLF).
    /// Without --format: the extension of --out (.xlsx, .csv, .json, .md, .txt), else text.
    #[arg(long, value_name = "FORMAT")]
    format: Option<String>,
    /// Write to this file instead of stdout. `tableau all` and the paqte commands with a folder
    /// (an existing one, or a name without extension): one file per table in it, named after
    /// the table (tableau-1.csv, taux.csv...).
    #[arg(long, value_name = "FILE|DIR")]
    out: Option<PathBuf>,
}

impl Output {
    /// The format asked for: `--format`, else the one `--out`'s extension implies, else text.
    fn format_name(&self) -> String {
        match (&self.format, &self.out) {
            (Some(f), _) => f.clone(),
            (None, Some(path)) => Format::implied_by(path).unwrap_or("text").to_owned(),
            (None, None) => "text".to_owned(),
        }
    }

    /// Whether `--out` names a folder to write one file per table into: an existing folder, or
    /// a path without an extension.
    fn folder(&self) -> Option<&Path> {
        let path = self.out.as_deref()?;
        (path.is_dir() || path.extension().is_none()).then_some(path)
    }
}

/// The PLIE a reading command reads.
#[derive(clap::Args)]
struct ReadScope {
    /// Read only these PLIE: DIM=V1[,V2...] with DIM plie, departement or region; values OR-ed,
    /// repeated clauses AND-ed (each narrows).
    #[arg(long = "scope", value_name = "DIM=V1[,V2]")]
    scope: Vec<String>,
}

/// Statistical secrecy of a table or cross-tab.
#[derive(clap::Args)]
struct Secret {
    /// Mask every count of 1 to N-1 people, and the cells that would let a reader recompute
    /// them (N of 2 or more; off by default).
    #[arg(long, value_name = "N")]
    secret: Option<String>,
}

impl Secret {
    fn threshold(&self) -> Result<Option<u64>, Failure> {
        let Some(n) = &self.secret else {
            return Ok(None);
        };
        let n = n
            .trim()
            .parse()
            .map_err(|_| refused(format!("--secret {n:?} is not a valid number")))?;
        consolide::secret::Threshold::new(n).map_err(|e| Failure::from(Error::from(e)))?;
        Ok(Some(n))
    }
}

/// The period and filters of a table.
#[derive(clap::Args)]
struct Scope {
    /// One year.
    #[arg(long, conflicts_with = "years")]
    year: Option<String>,
    /// A range of years, Y1..Y2.
    #[arg(long)]
    years: Option<String>,
    /// DIM=V1[,V2...]; values OR-ed, dimensions AND-ed. Repeatable.
    #[arg(long, value_name = "DIM=V1[,V2]", long_help = FILTER_HELP)]
    filter: Vec<String>,
}

/// `--measure`'s help: every measure.
fn measure_help() -> String {
    let codes: Vec<&str> = Measure::ALL.iter().map(|m| m.code()).collect();
    format!(
        "The measure counted in each cell, one of: {}.\nThe taux_* measures are rates (csv and json \
         give fractions, text whole percents, csv-fr percents).",
        codes.join(", ")
    )
}

/// Every dimension with its values, for the help of --rows, --cols and --filter.
fn dimensions_help() -> String {
    Dimension::ALL
        .iter()
        .map(|d| match d.fixed_values() {
            Some(values) => format!("  {:<14} {}", d.code(), values.join(", ")),
            None => format!(
                "  {:<14} from the store: `consolide dimensions {}` lists them",
                d.code(),
                d.code()
            ),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text under the options of the commands that take dimensions.
fn dimensions_after_help() -> String {
    format!(
        "Dimensions (--rows, --cols, --filter) and their values:\n{}\n\nExample: consolide \
         crosstab --measure sorties_positives --year 2017 --rows niveau --cols tranche_age \
         --filter region=Bretagne --filter qpv=oui",
        dimensions_help()
    )
}

const FILTER_HELP: &str = "DIM=V1[,V2...]: only the parcours whose DIM is one of the values \
    (OR-ed); repeat --filter for several dimensions (AND-ed), e.g. --filter region=Bretagne \
    --filter qpv=oui. Values ignore case and accents (region=ile-de-france), yes/no values take \
    1/0 or oui/non as in the transfers, a department its code or its name (departement=Nord). \
    The dimensions and their values are listed below; `consolide dimensions` lists those of the \
    store.";

#[derive(Subcommand)]
enum Command {
    /// Generates the national synthetic corpus into the store and prints Tableau 1 of its last year.
    Demo {
        #[command(flatten)]
        synth: SynthArgs,
    },
    /// Writes a synthetic national corpus: a transfer folder with --out, else straight into --db.
    Generate {
        /// Write the six CSV files of a transfer into this folder.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Write the commitments corpus (PAQTE, plan 10 000) instead: one transfer folder per
        /// department and one NATIONAL, under --out.
        #[arg(long, requires = "out")]
        paqte: bool,
        /// With --out: one transfer folder per PLIE (DIR/P44-01/, DIR/P59-03/...) instead of
        /// one national folder, to import PLIE by PLIE (`import DIR` imports them all).
        #[arg(long, requires = "out", conflicts_with = "paqte")]
        per_plie: bool,
        #[command(flatten)]
        synth: SynthArgs,
        /// First published year (years before it are simulated, not written).
        #[arg(long)]
        from: Option<String>,
        /// Last year.
        #[arg(long)]
        to: Option<String>,
        /// Only the first N PLIE.
        #[arg(long)]
        plie: Option<String>,
    },
    /// Imports transfer folders.
    Import {
        #[arg(required = true)]
        folders: Vec<PathBuf>,
        /// Write refused rows and a report here, and import the valid rows.
        #[arg(long)]
        rejects: Option<PathBuf>,
        /// Check only; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// With --rejects: a PLIE with more than this percentage of its parcours.csv rows
        /// refused is left as it was in the store (100 imports the valid rows whatever their
        /// share).
        #[arg(
            long,
            value_name = "PERCENT",
            default_value = "5",
            requires = "rejects"
        )]
        max_rejected: String,
        /// Write every error, one per line, to this file (the terminal shows the first 1 000
        /// and a count per rule).
        #[arg(long, value_name = "FILE")]
        errors: Option<PathBuf>,
        /// The files' encoding: utf-8 (FORMAT.md's), or windows-1252 for files saved by Excel
        /// as "CSV (point-virgule)".
        #[arg(long, value_name = "ENCODING", default_value = "utf-8")]
        encoding: String,
    },
    /// The PLIE in the store.
    Status {
        #[command(flatten)]
        read: ReadScope,
        #[command(flatten)]
        output: Output,
    },
    /// One of the national tables.
    #[command(after_long_help = dimensions_after_help())]
    Tableau {
        /// 1, 1bis, taux, 2, 3, 4, 5, 6, 6bis, 7, 8, 9, 10, periodes, or all.
        table: String,
        #[command(flatten)]
        scope: Scope,
        /// With `all`: the years of the multi-year tables (1bis, taux, 6bis), Y1..Y2; by default
        /// the four years ending with the period's last (from the first year of the data).
        #[arg(long)]
        pluriannuel: Option<String>,
        #[command(flatten)]
        secret: Secret,
        #[command(flatten)]
        read: ReadScope,
        #[command(flatten)]
        output: Output,
    },
    /// The consolidation report: one HTML page (commentary, charts, every table) that works
    /// offline and prints.
    Report {
        /// The year of the report.
        #[arg(long)]
        year: String,
        /// The years of the multi-year tables and totals, Y1..Y2; by default the four years
        /// ending with --year (from the first year of the data), as `tableau all`.
        #[arg(long)]
        years: Option<String>,
        /// DIM=V1[,V2...]; values OR-ed, dimensions AND-ed. Repeatable.
        #[arg(long)]
        filter: Vec<String>,
        /// `national`: each figure of the filtered scope beside the nation's (needs --filter).
        #[arg(long)]
        compare: Option<String>,
        /// Write the page to this file instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The companies' commitments (PAQTE): departmental balance, national results, PLIE.
    Paqte {
        #[command(subcommand)]
        command: PaqteCommand,
    },
    /// The plan 10 000 entreprises dashboard for a quarter.
    Plan10000 {
        /// The quarter, e.g. 2019T4.
        #[arg(long)]
        trimestre: String,
        #[command(flatten)]
        output: Output,
    },
    /// Any measure by one or two dimensions.
    #[command(after_long_help = dimensions_after_help())]
    Crosstab {
        /// The measure counted in each cell.
        #[arg(long, value_name = "MEASURE", long_help = measure_help())]
        measure: String,
        /// The dimension whose values are the lines.
        #[arg(
            long,
            value_name = "DIM",
            long_help = "The dimension whose values are the lines: one of the dimensions listed below."
        )]
        rows: String,
        /// The dimension whose values are the columns (none: one column).
        #[arg(
            long,
            value_name = "DIM",
            long_help = "The dimension whose values are the columns (none: one column): one of the dimensions listed below."
        )]
        cols: Option<String>,
        #[command(flatten)]
        scope: Scope,
        #[command(flatten)]
        secret: Secret,
        #[command(flatten)]
        read: ReadScope,
        #[command(flatten)]
        output: Output,
    },
    /// The measures and dimensions of crosstab and --filter, and each dimension's values
    /// (from the store for plie, departement, region and the years).
    Dimensions {
        /// One dimension to list in full: plie (codes and names), departement, region,
        /// annee_entree, annee_sortie, or any other; without it, every measure and dimension.
        dimension: Option<String>,
        #[command(flatten)]
        output: Output,
    },
    /// Writes the parcours and étapes as Parquet files partitioned by PLIE, for other engines.
    Export {
        /// The folder to write (created; it must be empty): DIR/plie.parquet,
        /// DIR/parcours/plie=P/part-0.parquet, DIR/etapes/plie=P/part-0.parquet.
        #[arg(long, value_name = "DIR")]
        parquet: PathBuf,
    },
}

#[derive(Subcommand)]
enum PaqteCommand {
    /// The semi-annual balance of a department.
    Bilan {
        /// INSEE code of the department, e.g. 44.
        #[arg(long)]
        departement: String,
        /// The semester, e.g. 2019S2.
        #[arg(long)]
        semestre: String,
        #[command(flatten)]
        output: Output,
    },
    /// The results of every department, region and the nation for a semester.
    National {
        #[arg(long)]
        semestre: String,
        #[command(flatten)]
        output: Output,
    },
    /// The share of PLIE participants living in a QPV next to the department's commitments.
    Plie {
        #[arg(long)]
        semestre: String,
        #[command(flatten)]
        output: Output,
    },
}

/// Size and seed of a synthetic corpus.
#[derive(clap::Args)]
struct SynthArgs {
    /// 1 is the published national volume; 1000 is 100 million parcours.
    #[arg(long, default_value = "1")]
    scale: String,
    #[arg(long, default_value = "1")]
    seed: String,
    /// Replace the content of a store that already holds data by the synthetic corpus (without
    /// it, such a store is refused: synthetic PLIE must not mix with real ones).
    #[arg(long)]
    replace: bool,
}

/// Why the command failed, and so its exit status.
enum Failure {
    /// Exit 1: the input or an option value was refused.
    Refused(Vec<String>),
    /// Exit 2: the options do not go together.
    Usage(String),
    /// Exit 3: the store could not be used.
    Storage(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        match e {
            Error::Export(e) => Failure::from(e),
            Error::Query(e) => Failure::from(e),
            Error::Store(_) | Error::Io(_) => Failure::Storage(e.to_string()),
            _ => Failure::Refused(vec![e.to_string()]),
        }
    }
}

impl From<consolide::StoreError> for Failure {
    fn from(e: consolide::StoreError) -> Failure {
        Failure::from(Error::from(e))
    }
}

impl From<consolide::ExportError> for Failure {
    fn from(e: consolide::ExportError) -> Failure {
        match e {
            consolide::ExportError::NotEmpty(_) => refused(e.to_string()),
            _ => Failure::Storage(e.to_string()),
        }
    }
}

impl From<consolide::QueryError> for Failure {
    fn from(e: consolide::QueryError) -> Failure {
        Failure::Refused(vec![e.to_string()])
    }
}

fn refused(message: String) -> Failure {
    Failure::Refused(vec![message])
}

fn main() -> ExitCode {
    // A damaged store can make redb panic; the store turns that into an error (exit 3), so its
    // panic message must not reach stderr, where every line is an `error:`.
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !consolide::store::in_guarded_read() {
            report(info)
        }
    }));
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let (code, lines) = match failure {
                Failure::Refused(lines) => (1, lines),
                Failure::Usage(line) => (2, vec![line]),
                Failure::Storage(line) => (3, vec![line]),
            };
            let mut err = std::io::stderr().lock();
            for line in lines {
                let _ = writeln!(err, "error: {line}");
            }
            ExitCode::from(code)
        }
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    let after = match &cli.command {
        Command::Status { read, .. }
        | Command::Tableau { read, .. }
        | Command::Crosstab { read, .. } => Some(&read.scope),
        _ => None,
    };
    if !cli.scope.is_empty() && after.is_none() {
        return Err(Failure::Usage(
            "--scope restricts what is read: it goes with status, tableau and crosstab".into(),
        ));
    }
    let mut read_scope = consolide::Scope::all();
    for clause in cli.scope.iter().chain(after.into_iter().flatten()) {
        read_scope
            .add(clause)
            .map_err(|e| refused(format!("--scope: {e}")))?;
    }
    match cli.command {
        Command::Demo { synth } => {
            let options = synth_options(&synth, None, None, None)?;
            synthetic_store(&cli.db, synth.replace, "demo", |db| {
                demo(db, &cli.db, &options)
            })
        }
        Command::Generate {
            out,
            paqte: true,
            synth,
            ..
        } => {
            let dir = out.expect("clap requires --out with --paqte");
            let seed: u64 =
                synth.seed.trim().parse().map_err(|_| {
                    refused(format!("--seed {:?} is not a valid number", synth.seed))
                })?;
            let written = consolide::paqte::synth::write(&dir, seed)
                .map_err(|e| Failure::Storage(format!("cannot write {}: {e}", dir.display())))?;
            println!("{written}");
            Ok(())
        }
        Command::Generate {
            out,
            synth,
            from,
            to,
            plie,
            per_plie,
            ..
        } => {
            let options = synth_options(&synth, from.as_deref(), to.as_deref(), plie.as_deref())?;
            match out {
                Some(dir) if per_plie => {
                    let bar = counter();
                    let progress = |n: u64| bar.set_position(n);
                    let s = synth::write_per_plie(&dir, &options, &progress).map_err(|e| {
                        Failure::Storage(format!("cannot write {}: {e}", dir.display()))
                    })?;
                    bar.finish_and_clear();
                    println!(
                        "{} PLIE ({} with parcours), {} parcours, {} étapes written to {}, one \
                         transfer folder per PLIE",
                        s.plies,
                        s.plies_with_parcours,
                        s.parcours,
                        s.etapes,
                        dir.display()
                    );
                    Ok(())
                }
                Some(_) => generate(&cli.db, &cli.db, out.as_deref(), &options),
                None => synthetic_store(&cli.db, synth.replace, "generate", |db| {
                    generate(db, &cli.db, None, &options)
                }),
            }
        }
        Command::Import {
            folders,
            rejects,
            dry_run,
            max_rejected,
            errors,
            encoding,
        } => {
            let encoding = consolide::transfer::Encoding::parse(&encoding).ok_or_else(|| {
                refused(format!(
                    "unknown encoding {encoding:?}; valid encodings: utf-8, windows-1252"
                ))
            })?;
            let percent = max_rejected
                .trim()
                .trim_end_matches('%')
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|p| (0.0..=100.0).contains(p))
                .ok_or_else(|| {
                    refused(format!(
                        "--max-rejected {max_rejected:?} is not a percentage from 0 to 100"
                    ))
                })?;
            let options = ImportOptions {
                rejects,
                dry_run,
                max_rejected: percent / 100.0,
                errors_to: errors,
                encoding,
                ..ImportOptions::now()
            };
            import(&cli.db, &folders, &options)
        }
        Command::Status { output, .. } => {
            let format = parse_format(&output.format_name())?;
            let store = Store::open(&cli.db)?;
            // Through a corpus: a record written before the observation window gets it derived.
            let mut plies = Corpus::load(&store)?.plies().to_vec();
            plies.retain(|p| read_scope.contains(p));
            emit(
                &output,
                &consolide::render::status(&plies, store.file_size()?, format),
            )
        }
        Command::Tableau {
            table,
            scope,
            pluriannuel,
            secret,
            output,
            ..
        } => tableau(
            &cli.db,
            &read_scope,
            &table,
            parse_scope(&scope)?,
            pluriannuel.as_deref(),
            secret.threshold()?,
            &output,
        ),
        Command::Report {
            year,
            years,
            filter,
            compare,
            out,
        } => {
            let (period, filter) = parse_scope(&Scope {
                year: Some(year),
                years: None,
                filter,
            })?;
            let compare_national = match compare.as_deref() {
                None => false,
                Some("national") if filter.clauses.is_empty() => {
                    return Err(Failure::Usage(
                        "--compare national puts a filtered scope beside the nation: give the scope with --filter".into(),
                    ))
                }
                Some("national") => true,
                Some(other) => {
                    return Err(refused(format!(
                        "unknown --compare {other:?}; valid: national"
                    )))
                }
            };
            let options = consolide::ReportOptions {
                year: period.first,
                pluriannuel: years.as_deref().map(Period::parse).transpose()?,
                filter,
                compare_national,
            };
            let store = Store::open(&cli.db)?;
            let corpus = Corpus::load(&store)?;
            let page = consolide::report::html(&corpus, &options)?;
            emit(
                &Output {
                    format: Some("html".into()),
                    out,
                },
                &page,
            )
        }
        Command::Paqte { command } => paqte(&cli.db, command),
        Command::Plan10000 { trimestre, output } => {
            let t = periode(&trimestre, 4)?;
            let base = Store::open(&cli.db)?.read_paqte()?;
            let tables = consolide::paqte::plan10000::plan10000(&base, t);
            emit_paqte(&output, tables, &t.to_string(), "clubs départementaux")
        }
        Command::Crosstab {
            measure,
            rows,
            cols,
            scope,
            secret,
            output,
            ..
        } => {
            let format = parse_format(&output.format_name())?;
            let secret = secret.threshold()?;
            let (period, filter) = parse_scope(&scope)?;
            let query = Crosstab {
                measure: Measure::parse(&measure)?,
                period,
                rows: Dimension::parse(&rows)?,
                cols: cols.as_deref().map(Dimension::parse).transpose()?,
                filter,
            };
            let corpus = Corpus::load_scoped(&Store::open(&cli.db)?, &read_scope)?;
            let mut result = corpus.crosstab(&query)?;
            if let Some(n) = secret {
                result = result.with_secret(n).map_err(Error::from)?;
            }
            emit(&output, &consolide::render::crosstab(&result, format))
        }
        Command::Dimensions { dimension, output } => {
            let format = parse_format(&output.format_name())?;
            let text = dimensions(&cli.db, dimension.as_deref(), format)?;
            emit(&output, &text)
        }
        Command::Export { parquet } => {
            let spinner = progress("writing the Parquet files");
            let summary = consolide::export::parquet(&Store::open(&cli.db)?, &parquet);
            spinner.finish_and_clear();
            let s = summary?;
            println!(
                "{} PLIE, {} parcours, {} étapes written to {} ({} Parquet files, {} bytes)",
                s.plies,
                s.parcours,
                s.etapes,
                parquet.display(),
                s.files,
                s.bytes
            );
            Ok(())
        }
    }
}

/// `consolide dimensions [DIM]`: the measures and dimensions with their values, or one
/// dimension's values in full (the data-driven ones read from the store at `db`).
fn dimensions(db: &Path, dimension: Option<&str>, format: Format) -> Result<String, Failure> {
    let plies = if db.exists() {
        Store::open(db)?.plies()?
    } else {
        Vec::new()
    };
    let reference = consolide::territoires::Territoires::get();
    let years = |d: Dimension| -> Result<Vec<String>, Failure> {
        let Some(first) = plies.iter().filter_map(|p| p.years).map(|y| y.0).min() else {
            return Ok(Vec::new());
        };
        let last = plies.iter().filter_map(|p| p.years).map(|y| y.1).max();
        // A cross-tab lists the years present over all years, whatever its period, of the PLIE
        // that observe that period: the years of each period, together, are the store's.
        let corpus = Corpus::load(&Store::open(db)?)?;
        let mut values: Vec<String> = Vec::new();
        for year in first..=last.unwrap_or(first) {
            let Ok(x) = corpus.crosstab(&Crosstab {
                measure: Measure::Entrees,
                period: Period::year(year),
                rows: d,
                cols: None,
                filter: Filter::none(),
            }) else {
                continue;
            };
            for v in x.row_values {
                if !values.contains(&v) {
                    values.push(v);
                }
            }
        }
        values.sort_by(|a, b| (a == "-", a).cmp(&(b == "-", b)));
        Ok(values)
    };
    // The PLIE of each department or region, by its code or name.
    let by = |key: fn(&consolide::store::PlieRecord) -> String| {
        let mut groups: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for p in &plies {
            groups.entry(key(p)).or_default().push(p.plie.clone());
        }
        groups
    };
    let departement =
        |p: &consolide::store::PlieRecord| p.departement.clone().unwrap_or_else(|| "?".into());
    let region = |p: &consolide::store::PlieRecord| p.region.clone().unwrap_or_else(|| "?".into());
    let Some(name) = dimension else {
        let mut rows: Vec<Vec<String>> = Measure::ALL
            .iter()
            .map(|m| {
                let kind = if m.is_rate() { "taux" } else { "effectif" };
                vec!["mesure".into(), m.code().into(), kind.into()]
            })
            .collect();
        for d in Dimension::ALL {
            let values = match d.fixed_values() {
                Some(v) => v.join(", "),
                None => {
                    let values: Vec<String> = match d {
                        Dimension::Plie => plies.iter().map(|p| p.plie.clone()).collect(),
                        Dimension::Departement => by(departement).into_keys().collect(),
                        Dimension::Region => by(region).into_keys().collect(),
                        _ => years(*d)?,
                    };
                    let shown: Vec<&str> = values.iter().take(8).map(String::as_str).collect();
                    let more = if values.len() > shown.len() {
                        ", ..."
                    } else {
                        ""
                    };
                    format!(
                        "{}{more} ({} dans la base : consolide dimensions {})",
                        shown.join(", "),
                        values.len(),
                        d.code()
                    )
                }
            };
            rows.push(vec!["dimension".into(), d.code().into(), values]);
        }
        return Ok(consolide::render::list(
            &["genre", "nom", "valeurs"],
            &rows,
            3,
            format,
        ));
    };
    let d = Dimension::parse(name.trim())?;
    let (header, rows): (Vec<&str>, Vec<Vec<String>>) = match d {
        Dimension::Plie => (
            vec!["plie", "nom", "departement", "region", "parcours"],
            plies
                .iter()
                .map(|p| {
                    vec![
                        p.plie.clone(),
                        p.nom.clone().unwrap_or_default(),
                        departement(p),
                        region(p),
                        p.parcours.to_string(),
                    ]
                })
                .collect(),
        ),
        Dimension::Departement => (
            vec!["departement", "nom", "plie"],
            by(departement)
                .into_iter()
                .map(|(code, of)| {
                    let nom = reference
                        .departement(&code)
                        .map_or(String::new(), |d| d.nom.clone());
                    vec![code, nom, of.join(" ")]
                })
                .collect(),
        ),
        Dimension::Region => (
            vec!["region", "plie"],
            by(region)
                .into_iter()
                .map(|(name, of)| vec![name, of.join(" ")])
                .collect(),
        ),
        _ => (
            vec![d.code()],
            match d.fixed_values() {
                Some(values) => values.into_iter().map(|v| vec![v.to_owned()]).collect(),
                None => years(d)?.into_iter().map(|y| vec![y]).collect(),
            },
        ),
    };
    Ok(consolide::render::list(&header, &rows, 4, format))
}

/// `consolide tableau T` (or `all`): computes the table(s) and prints or writes them.
fn tableau(
    db: &Path,
    read_scope: &consolide::Scope,
    table: &str,
    (period, filter): (Period, Filter),
    pluriannuel: Option<&str>,
    secret: Option<u64>,
    output: &Output,
) -> Result<(), Failure> {
    let name = output.format_name();
    let xlsx = name == "xlsx";
    let format = if xlsx {
        Format::Text
    } else {
        parse_format(&name)?
    };
    let which = if table.eq_ignore_ascii_case("all") {
        None
    } else {
        let codes: Vec<&str> = Tableau::ALL.iter().map(|t| t.code()).collect();
        Some(Tableau::parse(table).ok_or_else(|| {
            refused(format!(
                "unknown tableau {table:?}; valid: {}, all",
                codes.join(", ")
            ))
        })?)
    };
    if pluriannuel.is_some() && which.is_some() {
        return Err(Failure::Usage(
            "--pluriannuel goes with `tableau all`; give a single table its period with --years"
                .into(),
        ));
    }
    let pluriannuel = pluriannuel.map(Period::parse).transpose()?;
    if xlsx && output.out.is_none() {
        return Err(Failure::Usage(
            "--format xlsx writes a file: give it with --out FILE.xlsx".into(),
        ));
    }
    let store = Store::open(db)?;
    // Tableaux 1 and 1BIS of a territory need no parcours: the summaries written at import
    // answer them.
    let summaries = match which {
        Some(Tableau::T1 | Tableau::T1bis) if Summaries::answers(&filter) => {
            Summaries::load_scoped(&store, read_scope)?
        }
        _ => None,
    };
    let (mut consolidation, plies) = match summaries {
        Some(summaries) => {
            let table = summaries.tableau(which.unwrap_or(Tableau::T1), period, &filter)?;
            let consolidation = Consolidation {
                tables: vec![table],
                omitted: Vec::new(),
            };
            (consolidation, summaries.plies().to_vec())
        }
        None => {
            let corpus = Corpus::load_scoped(&store, read_scope)?;
            let consolidation = match which {
                Some(t) => Consolidation {
                    tables: vec![corpus.tableau(t, period, &filter)?],
                    omitted: Vec::new(),
                },
                None => corpus.consolidation(period, pluriannuel, &filter)?,
            };
            (consolidation, corpus.plies().to_vec())
        }
    };
    if let Some(n) = secret {
        for t in &mut consolidation.tables {
            *t = t.with_secret(n).map_err(Error::from)?;
            if t.secret.is_none() {
                eprintln!(
                    "note: tableau {} counts no people: --secret leaves it as it is",
                    t.tableau
                );
            }
        }
    }
    if xlsx {
        return write_xlsx(output, &consolidation, &plies);
    }
    for (t, why) in &consolidation.omitted {
        eprintln!("note: tableau {} left out: {why}", t.code());
    }
    let text = match which {
        Some(_) => consolide::render::table(&consolidation.tables[0], format),
        None => match output.folder() {
            Some(dir) => return emit_apart(dir, &consolidation.tables, format),
            None => consolide::render::tables(&consolidation.tables, format),
        },
    };
    emit(output, &text)
}

/// Writes each of `tables` to its own file in `dir` (created if need be), named after the
/// table, and says which files were written.
fn emit_apart(dir: &Path, tables: &[consolide::Table], format: Format) -> Result<(), Failure> {
    write_apart(dir, &consolide::render::tables_apart(tables, format))
}

/// Writes `files` (name, content) into `dir`, created if need be, and says which.
fn write_apart(dir: &Path, files: &[(String, String)]) -> Result<(), Failure> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::Storage(format!("cannot create {}: {e}", dir.display())))?;
    for (name, text) in files {
        consolide::render::output::replace(&dir.join(name), text.as_bytes())
            .map_err(|e| Failure::Storage(e.to_string()))?;
    }
    eprintln!(
        "{} files written to {}: {}",
        files.len(),
        dir.display(),
        files
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

/// Writes `consolidation` as the workbook `--out` names (checked present by the caller).
fn write_xlsx(
    output: &Output,
    consolidation: &Consolidation,
    plies: &[consolide::store::PlieRecord],
) -> Result<(), Failure> {
    let path = output.out.as_deref().expect("checked above");
    consolide::render::xlsx::write(path, consolidation, plies)
        .map_err(|e| Failure::Storage(format!("cannot write {}: {e}", path.display())))
}

/// A semester (`per_year` 2) or a quarter (4) given on the command line.
fn periode(text: &str, per_year: u8) -> Result<consolide::paqte::model::Periode, Failure> {
    consolide::paqte::model::Periode::parse(text.trim(), per_year).ok_or_else(|| {
        let example = if per_year == 2 { "2019S2" } else { "2019T4" };
        refused(format!("{text:?} is not a period like {example}"))
    })
}

/// `consolide paqte ...`.
fn paqte(db: &Path, command: PaqteCommand) -> Result<(), Failure> {
    use consolide::paqte::{bilan, national, plie};
    let store = Store::open(db)?;
    let base = store.read_paqte()?;
    match command {
        PaqteCommand::Bilan {
            departement,
            semestre,
            output,
        } => {
            let s = periode(&semestre, 2)?;
            let reference = consolide::territoires::Territoires::get();
            let code = match reference.departement(departement.trim()) {
                Some(d) => d.code.clone(),
                None if departement
                    .trim()
                    .eq_ignore_ascii_case(consolide::paqte::NATIONAL) =>
                {
                    consolide::paqte::NATIONAL.to_owned()
                }
                None => {
                    return Err(refused(format!(
                        "{departement:?} is not the INSEE code of a department (01 to 95, 2A, \
                         2B, 971 to 974, 976) nor NATIONAL"
                    )))
                }
            };
            if !base.donnees.contains_key(&code) {
                eprintln!("note: the store holds no commitments of department {code}");
            }
            let tables = bilan::bilan(&base, &code, s);
            let reported = consolide::paqte::figures(&base, &[&code], s)
                .rapportant
                .contains(code.as_str());
            let scope = if reported {
                format!("le département a rendu compte pour {s}")
            } else {
                format!("le département n'a pas rendu compte pour {s}")
            };
            emit_paqte(&output, tables, &s.to_string(), &scope)
        }
        PaqteCommand::National { semestre, output } => {
            let s = periode(&semestre, 2)?;
            let (reported, of) = national::rapportant(&base, s);
            let tables = national::national(&base, s);
            let scope = format!("{reported} départements ayant rendu compte sur {of}");
            emit_paqte(&output, tables, &s.to_string(), &scope)
        }
        PaqteCommand::Plie { semestre, output } => {
            let s = periode(&semestre, 2)?;
            let corpus = Corpus::load(&store)?;
            let table = plie::plie(&base, &corpus, s)?;
            let scope = format!("{} PLIE", table.plies);
            emit_paqte(&output, vec![table], &s.to_string(), &scope)
        }
    }
}

/// Prints the commitments' `tables` or writes them to `--out` (xlsx included).
fn emit_paqte(
    output: &Output,
    tables: Vec<consolide::Table>,
    periode: &str,
    scope: &str,
) -> Result<(), Failure> {
    let name = output.format_name();
    if name == "xlsx" {
        let Some(path) = output.out.as_deref() else {
            return Err(Failure::Usage(
                "--format xlsx writes a file: give it with --out FILE.xlsx".into(),
            ));
        };
        return consolide::paqte::render::xlsx(path, tables)
            .map_err(|e| Failure::Storage(format!("cannot write {}: {e}", path.display())));
    }
    let format = parse_format(&name)?;
    if let Some(dir) = output.folder() {
        let files = consolide::paqte::render::print_apart(&tables, format, periode, scope);
        return write_apart(dir, &files);
    }
    emit(
        output,
        &consolide::paqte::render::print(&tables, format, periode, scope),
    )
}

fn parse_format(name: &str) -> Result<Format, Failure> {
    Format::parse(name).ok_or_else(|| {
        refused(format!(
            "unknown format {name:?}; {}valid formats: {}",
            consolide::query::did_you_mean(name, Format::NAMES.iter().copied()),
            Format::NAMES.join(", ")
        ))
    })
}

fn parse_scope(scope: &Scope) -> Result<(Period, Filter), Failure> {
    let period = match (&scope.year, &scope.years) {
        (Some(y), None) => {
            let p = Period::parse(y)?;
            if p.first != p.last {
                return Err(refused(format!(
                    "--year takes one year; for {y} use --years"
                )));
            }
            p
        }
        (None, Some(range)) => Period::parse(range)?,
        _ => {
            return Err(refused(
                "give the period with --year Y or --years Y1..Y2".into(),
            ))
        }
    };
    let mut filter = Filter::none();
    for clause in &scope.filter {
        filter.add(clause)?;
    }
    Ok((period, filter))
}

/// Prints `text` to stdout, or writes it to `--out`.
fn emit(output: &Output, text: &str) -> Result<(), Failure> {
    match &output.out {
        Some(path) => consolide::render::output::replace(path, text.as_bytes())
            .map_err(|e| Failure::Storage(e.to_string())),
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth reporting.
            let _ = out.write_all(text.as_bytes());
            Ok(())
        }
    }
}

fn import(db: &Path, folders: &[PathBuf], options: &ImportOptions) -> Result<(), Failure> {
    // A folder that holds no transfer file but transfer folders (`generate --paqte --out corpus`,
    // `generate --par-plie --out transfers`) stands for the transfer folders inside it.
    let is_transfer = |dir: &Path| {
        (consolide::transfer::FILES.iter())
            .chain(consolide::paqte::FILES.iter())
            .any(|f| dir.join(f).is_file())
    };
    let mut expanded = Vec::new();
    for folder in folders {
        let inner: Vec<PathBuf> = match std::fs::read_dir(folder) {
            Ok(entries) if folder.is_dir() && !is_transfer(folder) => {
                let mut inner: Vec<PathBuf> = entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.is_dir() && is_transfer(p))
                    .collect();
                inner.sort();
                inner
            }
            _ => Vec::new(),
        };
        if inner.is_empty() {
            expanded.push(folder.clone());
        } else {
            eprintln!(
                "note: {} holds {} transfer folders: importing each",
                folder.display(),
                inner.len()
            );
            expanded.extend(inner);
        }
    }
    let folders = &expanded[..];
    let counters = std::sync::Arc::new(consolide::transfer::Progress::default());
    let options = ImportOptions {
        progress: Some(counters.clone()),
        ..options.clone()
    };
    let options = &options;
    let summary = with_progress(&counters, || consolide::import(db, folders, options))?;
    for warning in summary.transfers.iter().flat_map(|t| &t.warnings) {
        eprintln!("warning: {warning}");
    }
    for held in &summary.held_back {
        eprintln!("warning: {held}");
    }
    if options.rejects.is_some() {
        // The share refused, said last so that it is seen: a transfer gone wrong is not a few rows.
        for t in &summary.transfers {
            let Some(f) = t.files.iter().find(|f| f.file == "parcours.csv") else {
                continue;
            };
            if f.rejected > 0 && f.read > 0 {
                let share = (100 * f.rejected) as f64 / f.read as f64;
                eprintln!(
                    "warning: {} % des parcours refusés ({} sur {}) dans {}",
                    if share < 1.0 {
                        format!("{share:.1}").replace('.', ",")
                    } else {
                        format!("{}", share.round())
                    },
                    f.rejected,
                    f.read,
                    t.folder.display()
                );
            }
        }
    }
    print!("{}", consolide::render::import_summary(&summary));
    print!("{}", consolide::paqte::import_summary(&summary));
    let mut lines: Vec<String> = summary.conflicts.clone();
    let shown = summary.errors().count() as u64;
    let total = summary.error_total();
    let mut errors: Vec<String> = summary.errors().map(|e| e.to_string()).collect();
    if total > shown {
        errors.push(format!(
            "… {} more error(s) not shown{}; per file and rule:",
            total - shown,
            match &options.errors_to {
                Some(path) => format!(", all of them are in {}", path.display()),
                None => ", --errors FILE writes them all".into(),
            }
        ));
        errors.extend(summary.error_counts().map(|c| c.to_string()));
    }
    if summary.refused() {
        lines.extend(errors);
        lines.push(format!(
            "the import was refused ({total} error{}); nothing was written",
            if total == 1 { "" } else { "s" }
        ));
        return Err(Failure::Refused(lines));
    }
    if options.dry_run && total > 0 {
        return Err(Failure::Refused(errors));
    }
    Ok(())
}

/// Runs `work` with a progress bar of the bytes read, on a terminal only.
fn with_progress<T>(counters: &consolide::transfer::Progress, work: impl FnOnce() -> T + Send) -> T
where
    T: Send,
{
    use std::sync::atomic::Ordering::Relaxed;
    if !std::io::stderr().is_terminal() {
        return work();
    }
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} reading and checking {bytes}/{total_bytes} ({bytes_per_sec}, {msg} rows)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let done = std::sync::atomic::AtomicBool::new(false);
    let out = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(Relaxed) {
                bar.set_length(counters.total.load(Relaxed));
                bar.set_position(counters.bytes.load(Relaxed));
                bar.set_message(counters.rows.load(Relaxed).to_string());
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        });
        let out = work();
        done.store(true, Relaxed);
        out
    });
    bar.finish_and_clear();
    out
}

/// A spinner on stderr when it is a terminal; nothing otherwise.
fn progress(message: &'static str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner().with_message(message);
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

fn synth_options(
    args: &SynthArgs,
    from: Option<&str>,
    to: Option<&str>,
    plie: Option<&str>,
) -> Result<SynthOptions, Failure> {
    fn number<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, Failure> {
        value
            .trim()
            .parse()
            .map_err(|_| refused(format!("--{name} {value:?} is not a valid number")))
    }
    let defaults = SynthOptions::default();
    let options = SynthOptions {
        scale: number("scale", &args.scale)?,
        seed: number("seed", &args.seed)?,
        from: from.map_or(Ok(defaults.from), |y| number("from", y))?,
        to: to.map_or(Ok(defaults.to), |y| number("to", y))?,
        plie: plie.map(|n| number("plie", n)).transpose()?,
    };
    options.check().map_err(refused)?;
    Ok(options)
}

/// A counter of generated parcours on stderr when it is a terminal.
fn counter() -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner().with_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {human_pos} parcours generated ({per_sec})",
        )
        .expect("a valid template"),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// `shown` is the store's name for the user (`db` may be the new store that replaces it).
fn generate(
    db: &Path,
    shown: &Path,
    out: Option<&Path>,
    options: &SynthOptions,
) -> Result<(), Failure> {
    let bar = counter();
    let progress = |n: u64| bar.set_position(n);
    let (summary, target) = match out {
        Some(dir) => {
            let summary = synth::write_transfer(dir, options, &progress)
                .map_err(|e| Failure::Storage(format!("cannot write {}: {e}", dir.display())))?;
            (summary, dir)
        }
        None => {
            let mut store = Store::create(db)?;
            let summary = synth::write_store(
                &mut store,
                options,
                ImportOptions::now().imported_at,
                &progress,
            )?;
            (summary, shown)
        }
    };
    bar.finish_and_clear();
    println!(
        "{} PLIE ({} with parcours), {} parcours, {} étapes, {} financements, {} allocations, {} activite lines written to {}",
        summary.plies,
        summary.plies_with_parcours,
        summary.parcours,
        summary.etapes,
        summary.financements,
        summary.allocations,
        summary.activite,
        target.display()
    );
    Ok(())
}

/// Runs `write`, which puts a synthetic corpus into the store it is given, for `db`: straight
/// into it when it is absent or holds nothing; refused when it holds data, unless `replace`, in
/// which case the corpus is written to a new store beside `db` that is then renamed over it (a
/// failed or killed run leaves `db` as it was).
fn synthetic_store(
    db: &Path,
    replace: bool,
    command: &str,
    write: impl FnOnce(&Path) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let holds_data = db.exists() && {
        let store = Store::open(db)?;
        !store.plies()?.is_empty() || !store.read_paqte()?.records.is_empty()
    };
    if !holds_data {
        return write(db);
    }
    if !replace {
        return Err(refused(format!(
            "{} already holds data: {command} would mix a synthetic corpus with it; give another \
             store with --db, or add --replace to replace its whole content by the synthetic \
             corpus",
            db.display()
        )));
    }
    let name = db
        .file_name()
        .map_or_else(|| "store".into(), |n| n.to_string_lossy().into_owned());
    let fresh = db.with_file_name(format!(".{name}.replace-{}", std::process::id()));
    let _ = std::fs::remove_file(&fresh);
    let written = write(&fresh).and_then(|()| {
        std::fs::rename(&fresh, db)
            .map_err(|e| Failure::Storage(format!("cannot replace {}: {e}", db.display())))
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&fresh);
    }
    written
}

/// Generates the corpus straight into the store and prints Tableau 1 of its last year.
/// `shown` is the store's name for the user (`db` may be the new store that replaces it).
fn demo(db: &Path, shown: &Path, options: &SynthOptions) -> Result<(), Failure> {
    let bar = counter();
    let progress = |n: u64| bar.set_position(n);
    let mut store = Store::create(db)?;
    synth::write_store(
        &mut store,
        options,
        ImportOptions::now().imported_at,
        &progress,
    )?;
    drop(store);
    bar.finish_and_clear();
    let corpus = Corpus::load(&Store::open(db)?)?;
    let t = corpus.tableau1(Period::year(options.to), &Filter::none())?;
    eprintln!(
        "synthetic national corpus (scale {}, seed {}) in {}",
        options.scale,
        options.seed,
        shown.display()
    );
    print!("{}", consolide::render::tableau1(&t, Format::Text));
    Ok(())
}
