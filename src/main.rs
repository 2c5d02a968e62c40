//! The `consolide` command line (CLI.md): parses arguments, calls the library, prints, and exits
//! with 0 (success), 1 (input refused), 2 (usage) or 3 (storage error).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use consolide::{
    Corpus, Crosstab, Dimension, Error, Filter, Format, ImportOptions, Measure, Period, Store,
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
    #[command(subcommand)]
    command: Command,
}

/// Where a table goes and in which format.
#[derive(clap::Args)]
struct Output {
    /// text, csv, json or md.
    #[arg(long, default_value = "text")]
    format: String,
    /// Write to this file instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
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
    #[arg(long)]
    filter: Vec<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Imports the demo corpus into the store and prints Tableau 1 of its last year.
    Demo {
        #[arg(long, default_value = "1")]
        scale: String,
        #[arg(long, default_value = "1")]
        seed: String,
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
    },
    /// The PLIE in the store.
    Status {
        #[command(flatten)]
        output: Output,
    },
    /// One of the national tables.
    Tableau {
        table: String,
        #[command(flatten)]
        scope: Scope,
        #[command(flatten)]
        output: Output,
    },
    /// Any measure by one or two dimensions.
    Crosstab {
        #[arg(long)]
        measure: String,
        #[arg(long)]
        rows: String,
        #[arg(long)]
        cols: Option<String>,
        #[command(flatten)]
        scope: Scope,
        #[command(flatten)]
        output: Output,
    },
}

/// Why the command failed, and so its exit status.
enum Failure {
    /// Exit 1: the input or an option value was refused.
    Refused(Vec<String>),
    /// Exit 3: the store could not be used.
    Storage(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        match e {
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

impl From<consolide::QueryError> for Failure {
    fn from(e: consolide::QueryError) -> Failure {
        Failure::Refused(vec![e.to_string()])
    }
}

fn refused(message: String) -> Failure {
    Failure::Refused(vec![message])
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let (code, lines) = match failure {
                Failure::Refused(lines) => (1, lines),
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
    match cli.command {
        Command::Demo { scale, seed } => demo(&cli.db, &scale, &seed),
        Command::Import {
            folders,
            rejects,
            dry_run,
        } => {
            let options = ImportOptions {
                rejects,
                dry_run,
                ..ImportOptions::now()
            };
            import(&cli.db, &folders, &options)
        }
        Command::Status { output } => {
            let format = parse_format(&output.format)?;
            let store = Store::open(&cli.db)?;
            emit(
                &output,
                &consolide::render::status(&store.plies()?, store.file_size()?, format),
            )
        }
        Command::Tableau {
            table,
            scope,
            output,
        } => {
            let format = parse_format(&output.format)?;
            let (period, filter) = parse_scope(&scope)?;
            if table != "1" {
                return Err(refused(format!(
                    "tableau {table:?} is not available in this version; available: 1 \
                     (1bis, taux, 2 to 10 and periodes are planned)"
                )));
            }
            let corpus = Corpus::load(&Store::open(&cli.db)?)?;
            let t = corpus.tableau1(period, &filter)?;
            emit(&output, &consolide::render::tableau1(&t, format))
        }
        Command::Crosstab {
            measure,
            rows,
            cols,
            scope,
            output,
        } => {
            let format = parse_format(&output.format)?;
            let (period, filter) = parse_scope(&scope)?;
            let query = Crosstab {
                measure: Measure::parse(&measure)?,
                period,
                rows: Dimension::parse(&rows)?,
                cols: cols.as_deref().map(Dimension::parse).transpose()?,
                filter,
            };
            let corpus = Corpus::load(&Store::open(&cli.db)?)?;
            let result = corpus.crosstab(&query)?;
            emit(&output, &consolide::render::crosstab(&result, format))
        }
    }
}

fn parse_format(name: &str) -> Result<Format, Failure> {
    Format::parse(name).ok_or_else(|| {
        refused(format!(
            "unknown format {name:?}; valid formats: text, csv, json, md"
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
        Some(path) => std::fs::write(path, text)
            .map_err(|e| Failure::Storage(format!("cannot write {}: {e}", path.display()))),
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth reporting.
            let _ = out.write_all(text.as_bytes());
            Ok(())
        }
    }
}

fn import(db: &Path, folders: &[PathBuf], options: &ImportOptions) -> Result<(), Failure> {
    let spinner = progress("reading and checking the transfers");
    let summary = consolide::import(db, folders, options);
    spinner.finish_and_clear();
    let summary = summary?;
    for warning in summary.transfers.iter().flat_map(|t| &t.warnings) {
        eprintln!("warning: {warning}");
    }
    print!("{}", consolide::render::import_summary(&summary));
    let mut lines: Vec<String> = summary.conflicts.clone();
    if summary.refused() {
        lines.extend(summary.errors().map(|e| e.to_string()));
        let n = summary.errors().count();
        lines.push(format!(
            "the import was refused ({n} error{}); nothing was written",
            if n == 1 { "" } else { "s" }
        ));
        return Err(Failure::Refused(lines));
    }
    if options.dry_run && summary.errors().next().is_some() {
        return Err(Failure::Refused(
            summary.errors().map(|e| e.to_string()).collect(),
        ));
    }
    Ok(())
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

/// Until the generator exists, the demo imports the crafted corpus shipped with the crate.
fn demo(db: &Path, scale: &str, seed: &str) -> Result<(), Failure> {
    if scale != "1" || seed != "1" {
        return Err(refused(
            "this version's demo ships one fixed corpus; --scale and --seed come with the generator".into(),
        ));
    }
    let root = tempfile_dir()?;
    let mut folders = Vec::new();
    for (folder, files) in consolide::demo::TRANSFERS {
        let dir = root.join(folder);
        std::fs::create_dir_all(&dir).map_err(|e| Failure::Storage(e.to_string()))?;
        for (name, content) in *files {
            std::fs::write(dir.join(name), content).map_err(|e| Failure::Storage(e.to_string()))?;
        }
        folders.push(dir);
    }
    let options = ImportOptions::now();
    let summary = consolide::import(db, &folders, &options);
    let _ = std::fs::remove_dir_all(&root);
    let summary = summary?;
    if summary.refused() {
        return Err(Failure::Refused(
            summary.errors().map(|e| e.to_string()).collect(),
        ));
    }
    let corpus = Corpus::load(&Store::open(db)?)?;
    let t = corpus.tableau1(Period::year(consolide::demo::YEAR), &Filter::none())?;
    eprintln!("demo corpus imported into {}", db.display());
    print!("{}", consolide::render::tableau1(&t, Format::Text));
    Ok(())
}

fn tempfile_dir() -> Result<PathBuf, Failure> {
    let dir = std::env::temp_dir().join(format!("consolide-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| Failure::Storage(e.to_string()))?;
    Ok(dir)
}
