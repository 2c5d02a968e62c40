//! Reading a transfer: a folder of CSV files in FORMAT.md's dialect, checked row by row against every
//! rule, into validated records. Nothing here touches the store: a [`Transfer`] is what
//! `store::import` writes, and its errors are what the import refuses.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use time::Date;

use crate::model::{Activite, Allocation, Etape, Financement, Parcours, PlieInfo};

mod annexes;
// The commitments transfer (src/paqte) reads its files with the same dialect, rows and values.
pub(crate) mod dialect;
mod error;
mod etapes;
mod parcours;
mod partition;
mod reading;
pub(crate) mod row;
mod stream;
pub(crate) mod values;

#[cfg(test)]
mod tests;

pub(crate) use error::quote;
pub use error::{ErrorCount, Position, RowError, Rule, TransferError, Warning, FIRST_LINES};
pub use reading::{LinkedEtape, PlieTransfer, Reading};

use dialect::Table;
use row::Plies;

/// The files of a transfer, in the order of [`Transfer::files`].
pub const FILES: [&str; 6] = [
    parcours::FILE,
    etapes::FILE,
    annexes::PLIE_FILE,
    annexes::FINANCEMENTS_FILE,
    annexes::ALLOCATIONS_FILE,
    annexes::ACTIVITE_FILE,
];

/// The columns of parcours.csv in FORMAT.md's order, as the reader knows them (writers of
/// transfers use this list, so that they cannot drift from the reader).
pub fn parcours_columns() -> impl Iterator<Item = &'static str> {
    parcours::COLUMNS.iter().map(|c| c.name)
}

/// How to read a transfer.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// The day of the import: no date may be after it.
    pub today: Date,
    /// Keep the valid rows when some are invalid (`--rejects`), instead of refusing the transfer.
    pub keep_valid_rows: bool,
    /// How many errors are kept whole, with their position, in [`Transfer::errors`]; every error
    /// is counted in [`Transfer::error_counts`] whatever this is.
    pub errors_kept: usize,
    /// Where the rows of the big files wait for the rules between rows when they do not fit the
    /// memory budget (a temporary file, deleted when the read ends); the system's temporary
    /// folder when `None`.
    pub spill_dir: Option<PathBuf>,
    /// Where to write every error, one per line, as they are found (`--errors FILE`).
    pub errors_to: Option<ErrorSink>,
    /// Counters a host shows as a progress bar.
    pub progress: Option<std::sync::Arc<Progress>>,
    /// The files' encoding.
    pub encoding: Encoding,
}

/// The encoding of a transfer's files.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Encoding {
    /// FORMAT.md's encoding.
    #[default]
    Utf8,
    /// What Excel writes as "CSV (point-virgule)" on a French Windows.
    Windows1252,
}

impl Encoding {
    /// `utf-8` or `windows-1252` (also `cp1252`, `latin1`), any case.
    pub fn parse(name: &str) -> Option<Encoding> {
        match name.to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Some(Encoding::Utf8),
            "windows-1252" | "cp1252" | "latin1" | "latin-1" | "iso-8859-1" => {
                Some(Encoding::Windows1252)
            }
            _ => None,
        }
    }
}

/// A copy of `file` in UTF-8, decoded from Windows-1252, in a temporary file in `dir` (deleted
/// with its handle): every later step reads UTF-8, and the rows' offsets are the copy's.
fn transcoded(mut file: std::fs::File, dir: &Path) -> std::io::Result<std::fs::File> {
    use std::io::{Read, Seek, Write};
    let mut out = std::io::BufWriter::new(tempfile::tempfile_in(dir)?);
    let mut decoder = encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling();
    let mut input = vec![0u8; 1 << 20];
    let mut text = String::new();
    loop {
        let n = file.read(&mut input)?;
        let last = n == 0;
        text.clear();
        text.reserve(decoder.max_utf8_buffer_length(n).unwrap_or(4 * n + 16));
        let (_, _, _) = decoder.decode_to_string(&input[..n], &mut text, last);
        out.write_all(text.as_bytes())?;
        if last {
            break;
        }
    }
    let mut out = out.into_inner().map_err(|e| e.into_error())?;
    out.rewind()?;
    Ok(out)
}

/// Every error of a read written to a file as it is found (blocks in file order, then the rules
/// between rows PLIE by PLIE, then the small files).
#[derive(Clone)]
pub struct ErrorSink(std::sync::Arc<std::sync::Mutex<std::io::BufWriter<std::fs::File>>>);

impl std::fmt::Debug for ErrorSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ErrorSink")
    }
}

impl ErrorSink {
    /// Creates (or empties) `path`.
    pub fn create(path: &Path) -> std::io::Result<ErrorSink> {
        let file = std::fs::File::create(path)?;
        Ok(ErrorSink(std::sync::Arc::new(std::sync::Mutex::new(
            std::io::BufWriter::new(file),
        ))))
    }

    /// Writes `lines` (each ends with a line break).
    pub(crate) fn write(&self, lines: &str) -> std::io::Result<()> {
        use std::io::Write;
        let mut out = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        out.write_all(lines.as_bytes())
    }

    pub(crate) fn flush(&self) -> std::io::Result<()> {
        use std::io::Write;
        let mut out = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        out.flush()
    }
}

/// How far a read has gone, updated as blocks are read: the bytes of parcours.csv and etapes.csv
/// read, of their total, and the rows checked.
#[derive(Debug, Default)]
pub struct Progress {
    pub bytes: std::sync::atomic::AtomicU64,
    pub total: std::sync::atomic::AtomicU64,
    pub rows: std::sync::atomic::AtomicU64,
}

/// The errors a read keeps whole by default (the others are counted).
pub const ERRORS_KEPT: usize = 1000;

impl ReadOptions {
    /// Reading on `today`, keeping the valid rows or not: with them, every error is kept (the
    /// rejects' report lists them all); without, the first [`ERRORS_KEPT`].
    pub fn new(today: Date, keep_valid_rows: bool) -> ReadOptions {
        ReadOptions {
            today,
            keep_valid_rows,
            errors_kept: if keep_valid_rows {
                usize::MAX
            } else {
                ERRORS_KEPT
            },
            spill_dir: None,
            errors_to: None,
            progress: None,
            encoding: Encoding::Utf8,
        }
    }
}

/// The rows of one file that were refused, kept byte for byte so that they can be corrected and
/// sent again.
#[derive(Debug, Clone, Default)]
pub struct RejectedRows {
    /// File name inside the transfer folder, e.g. `parcours.csv`.
    pub file: String,
    /// The header line as it was read (without the byte-order mark), line ending included.
    pub header: Vec<u8>,
    /// Each refused row: its first line number and its bytes as in the file, line ending included.
    pub rows: Vec<(u64, Vec<u8>)>,
}

/// Counts for one file of a transfer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileCounts {
    pub file: String,
    /// Data rows read (the header is not a row).
    pub read: u64,
    /// Rows refused (each counted once, however many rules it breaks).
    pub rejected: u64,
    /// Per PLIE code: (read, rejected). Rows whose PLIE code is unreadable count under `""`.
    pub per_plie: BTreeMap<String, (u64, u64)>,
}

/// A transfer folder, read and checked.
#[derive(Debug, Clone, Default)]
pub struct Transfer {
    pub folder: PathBuf,
    /// Every PLIE the transfer contains: the union of the `plie` codes of all its files. Each one is
    /// replaced as a whole by the import.
    pub plies: BTreeSet<String>,
    /// Valid parcours (all rows when there is no error).
    pub parcours: Vec<Parcours>,
    pub etapes: Vec<Etape>,
    pub plie_info: Vec<PlieInfo>,
    pub financements: Vec<Financement>,
    pub allocations: Vec<Allocation>,
    pub activite: Vec<Activite>,
    /// One entry per file present in the folder, in the order parcours, etapes, plie, financements,
    /// allocations, activite.
    pub files: Vec<FileCounts>,
    /// The first broken rules (up to [`ReadOptions::errors_kept`]), in file order then line
    /// order.
    pub errors: Vec<RowError>,
    /// Every broken rule counted, per file and rule.
    pub error_counts: Vec<ErrorCount>,
    pub warnings: Vec<Warning>,
    /// Refused rows per file (filled only with [`ReadOptions::keep_valid_rows`]).
    pub rejects: Vec<RejectedRows>,
}

impl Transfer {
    /// Whether the transfer can be imported as it is.
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

/// What every file's reader shares while a transfer is read.
pub(crate) struct Ctx {
    pub today: Date,
    pub keep: bool,
    pub plies: Plies,
    pub errors: Vec<RowError>,
    pub warnings: Vec<Warning>,
    /// PLIE ids of valid rows (repeats allowed).
    pub valid_plies: Vec<u32>,
}

/// Reads and checks the transfer in `folder`.
///
/// Row-level problems are collected in [`Transfer::errors`]; only a folder that cannot be read at
/// all is an `Err`. The valid rows are returned in every case (PLIE by PLIE, each in file order);
/// with [`ReadOptions::keep_valid_rows`] the refused ones are also kept, byte for byte, in
/// [`Transfer::rejects`]. The import does not gather the rows: it takes them PLIE by PLIE from
/// [`open`].
pub fn read(folder: &Path, options: &ReadOptions) -> Result<Transfer, TransferError> {
    let mut reading = open(folder, options)?;
    let (mut parcours, mut etapes) = (Vec::new(), Vec::new());
    reading.check_plies(
        2,
        |p| p,
        |p| {
            etapes.extend(
                p.etapes
                    .iter()
                    .map(|e| e.to_etape(&p.parcours[e.parcours as usize])),
            );
            parcours.extend(p.parcours);
            Ok::<(), TransferError>(())
        },
    )?;
    let mut transfer = reading.finish();
    transfer.parcours = parcours;
    transfer.etapes = etapes;
    Ok(transfer)
}

/// The first pass of a read: every file checked row by row, the rows of parcours.csv and
/// etapes.csv set aside by PLIE for [`Reading::check_plies`].
pub fn open(folder: &Path, options: &ReadOptions) -> Result<Reading, TransferError> {
    let io = |source| TransferError::Io {
        path: folder.to_path_buf(),
        source,
    };
    if !std::fs::metadata(folder).map_err(io)?.is_dir() {
        return Err(TransferError::NotAFolder {
            path: folder.to_path_buf(),
        });
    }
    let mut ctx = Ctx {
        today: options.today,
        keep: options.keep_valid_rows,
        plies: Plies::default(),
        errors: Vec::new(),
        warnings: Vec::new(),
        valid_plies: Vec::new(),
    };
    let listed = list(folder, &mut ctx.warnings)?;
    let mut handles = open_all(folder, &listed)?;
    let spill = options.spill_dir.clone().unwrap_or_else(std::env::temp_dir);
    if options.encoding == Encoding::Windows1252 {
        for (i, handle) in handles.iter_mut().enumerate() {
            if let Some(file) = handle.take() {
                let copy = transcoded(file, &spill).map_err(|source| TransferError::Io {
                    path: folder.join(FILES[i]),
                    source,
                })?;
                *handle = Some(copy);
            }
        }
    }
    if let Some(progress) = &options.progress {
        let size = |h: &Option<std::fs::File>| {
            h.as_ref()
                .and_then(|f| f.metadata().ok())
                .map_or(0, |m| m.len())
        };
        let big = size(&handles[0]) + size(&handles[1]);
        progress
            .total
            .fetch_add(big, std::sync::atomic::Ordering::Relaxed);
    }
    let mut transfer = Transfer {
        folder: folder.to_path_buf(),
        ..Transfer::default()
    };
    let mut tally = error::ErrorTally::default();
    let (today, keep, limit) = (options.today, options.keep_valid_rows, options.errors_kept);
    let all = options.errors_to.is_some();

    let parcours = reading::read_big(
        folder,
        parcours::FILE,
        handles[0].take(),
        parcours::COLUMNS,
        &spill,
        &mut ctx,
        &mut tally,
        options,
        |table, offset| parcours::block(table, offset, today, keep, limit, all),
    )?;
    if parcours.is_none() {
        ctx.errors.push(RowError {
            position: Position {
                file: parcours::FILE.into(),
                line: 0,
                column: None,
                field: None,
            },
            value: None,
            rule: Rule::MissingParcours,
            message: format!("there is no parcours.csv in {}", folder.display()),
        });
    }
    let usable = parcours.as_ref().is_some_and(|p| p.header.usable);
    let etapes = reading::read_big(
        folder,
        etapes::FILE,
        handles[1].take(),
        etapes::COLUMNS,
        &spill,
        &mut ctx,
        &mut tally,
        options,
        |table, offset| etapes::block(table, offset, today, keep, limit, usable, all),
    )?;
    if let Some(e) = &etapes {
        let rows = e.rows();
        if !usable && e.header.usable && rows > 0 {
            ctx.errors.push(RowError {
                position: Position {
                    file: etapes::FILE.into(),
                    line: 0,
                    column: None,
                    field: None,
                },
                value: None,
                rule: Rule::UnknownParcours,
                message: format!(
                    "parcours.csv is missing or unreadable, so none of the {rows} étapes can be \
                     matched with its parcours: all are refused"
                ),
            });
        }
    }

    let mut open = |i: usize, columns, ctx: &mut Ctx| {
        Table::read(
            folder,
            FILES[i],
            handles[i].take(),
            columns,
            &mut ctx.errors,
            &mut ctx.warnings,
        )
    };
    let keep = |transfer: &mut Transfer, counts, rejects: Option<RejectedRows>| {
        transfer.files.push(counts);
        transfer.rejects.extend(rejects);
    };
    if let Some(table) = open(2, annexes::PLIE_COLUMNS, &mut ctx)? {
        let (counts, rejects, rows) = annexes::plie(&table, &mut ctx);
        keep(&mut transfer, counts, rejects);
        transfer.plie_info = rows;
    }
    if let Some(table) = open(3, annexes::FINANCEMENTS_COLUMNS, &mut ctx)? {
        let (counts, rejects, rows) = annexes::financements(&table, &mut ctx);
        keep(&mut transfer, counts, rejects);
        transfer.financements = rows;
    }
    if let Some(table) = open(4, annexes::ALLOCATIONS_COLUMNS, &mut ctx)? {
        let (counts, rejects, rows) = annexes::allocations(&table, &mut ctx);
        keep(&mut transfer, counts, rejects);
        transfer.allocations = rows;
    }
    if let Some(table) = open(5, annexes::ACTIVITE_COLUMNS, &mut ctx)? {
        let (counts, rejects, rows) = annexes::activite(&table, &mut ctx);
        keep(&mut transfer, counts, rejects);
        transfer.activite = rows;
    }
    Ok(Reading {
        transfer,
        ctx,
        parcours,
        etapes,
        tally,
        options: options.clone(),
    })
}

/// The order errors and warnings are given in: file (in the order of [`FILES`]), line, column.
pub(crate) fn rank(p: &Position) -> (usize, u64, usize) {
    let file = FILES
        .iter()
        .position(|f| *f == p.file)
        .unwrap_or(FILES.len());
    (file, p.line, p.column.unwrap_or(0))
}

/// Which of [`FILES`] the folder holds, in their order; and a warning for each `*.csv` file of
/// the folder that is not a transfer file.
fn list(folder: &Path, warnings: &mut Vec<Warning>) -> Result<[bool; 6], TransferError> {
    let io = |source| TransferError::Io {
        path: folder.to_path_buf(),
        source,
    };
    let mut listed = [false; 6];
    let mut unknown = Vec::new();
    for entry in std::fs::read_dir(folder).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_csv = Path::new(&name)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        match FILES.iter().position(|f| *f == name) {
            Some(i) => listed[i] = true,
            None if is_csv => unknown.push(name),
            None => {}
        }
    }
    unknown.sort();
    for name in unknown {
        let hint = FILES
            .iter()
            .find(|f| f.eq_ignore_ascii_case(&name))
            .map(|f| format!(" (file names are lower case: did you mean {f}?)"))
            .unwrap_or_default();
        warnings.push(Warning {
            position: Position {
                file: name,
                line: 0,
                column: None,
                field: None,
            },
            message: format!(
                "not a transfer file, ignored{hint}; the files are {}",
                FILES.join(", ")
            ),
        });
    }
    Ok(listed)
}

/// Opens every listed file before any is read, so that the transfer read is the one listed: a
/// file gone in between (the folder being replaced while it is imported) refuses the import
/// instead of leaving a part of it out, and a link to nothing is refused, not taken as absent.
fn open_all(
    folder: &Path,
    listed: &[bool; 6],
) -> Result<[Option<std::fs::File>; 6], TransferError> {
    let mut handles: [Option<std::fs::File>; 6] = Default::default();
    for (i, file) in FILES.iter().enumerate().filter(|(i, _)| listed[*i]) {
        let path = folder.join(file);
        handles[i] = match std::fs::File::open(&path) {
            Ok(handle) => Some(handle),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_symlink());
                return Err(if link {
                    TransferError::DanglingLink { path }
                } else {
                    TransferError::Vanished { path }
                });
            }
            Err(source) => return Err(TransferError::Io { path, source }),
        };
    }
    Ok(handles)
}
