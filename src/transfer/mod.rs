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
pub(crate) mod row;
pub(crate) mod values;

#[cfg(test)]
mod tests;

pub(crate) use error::quote;
pub use error::{Position, RowError, Rule, TransferError, Warning};

use dialect::Table;
use parcours::ParcoursFile;
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
    /// Every broken rule, in file order then line order.
    pub errors: Vec<RowError>,
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
/// all is an `Err`. The valid rows are returned in every case; with
/// [`ReadOptions::keep_valid_rows`] the refused ones are also kept, byte for byte, in
/// [`Transfer::rejects`].
pub fn read(folder: &Path, options: &ReadOptions) -> Result<Transfer, TransferError> {
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
    let mut transfer = Transfer {
        folder: folder.to_path_buf(),
        ..Transfer::default()
    };
    let mut open = |file, columns, ctx: &mut Ctx| {
        let i = FILES
            .iter()
            .position(|f| *f == file)
            .expect("a transfer file");
        Table::read(
            folder,
            file,
            handles[i].take(),
            columns,
            &mut ctx.errors,
            &mut ctx.warnings,
        )
    };

    let parcours = open(parcours::FILE, parcours::COLUMNS, &mut ctx)?
        .map(|table| ParcoursFile::check(table, &mut ctx));
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
    let etapes = match open(etapes::FILE, etapes::COLUMNS, &mut ctx)? {
        Some(table) => {
            let usable = parcours.as_ref().filter(|p| p.table.usable);
            Some(etapes::check(&table, usable, &mut ctx))
        }
        None => None,
    };
    let keep = |transfer: &mut Transfer, counts, rejects: Option<RejectedRows>| {
        transfer.files.push(counts);
        transfer.rejects.extend(rejects);
    };
    if let Some(file) = parcours {
        let (counts, rejects, rows) = file.finish(&mut ctx);
        keep(&mut transfer, counts, rejects);
        transfer.parcours = rows;
    }
    if let Some((counts, rejects, rows)) = etapes {
        keep(&mut transfer, counts, rejects);
        transfer.etapes = rows;
    }
    if let Some(table) = open(annexes::PLIE_FILE, annexes::PLIE_COLUMNS, &mut ctx)? {
        let (counts, rejects, rows) = annexes::plie(&table, &mut ctx);
        keep(&mut transfer, counts, rejects);
        transfer.plie_info = rows;
    }
    if let Some(table) = open(
        annexes::FINANCEMENTS_FILE,
        annexes::FINANCEMENTS_COLUMNS,
        &mut ctx,
    )? {
        let (counts, rejects, rows) = annexes::financements(&table, &mut ctx);
        keep(&mut transfer, counts, rejects);
        transfer.financements = rows;
    }
    if let Some(table) = open(
        annexes::ALLOCATIONS_FILE,
        annexes::ALLOCATIONS_COLUMNS,
        &mut ctx,
    )? {
        let (counts, rejects, rows) = annexes::allocations(&table, &mut ctx);
        keep(&mut transfer, counts, rejects);
        transfer.allocations = rows;
    }
    if let Some(table) = open(annexes::ACTIVITE_FILE, annexes::ACTIVITE_COLUMNS, &mut ctx)? {
        let (counts, rejects, rows) = annexes::activite(&table, &mut ctx);
        keep(&mut transfer, counts, rejects);
        transfer.activite = rows;
    }

    let ids: BTreeSet<u32> = ctx.valid_plies.iter().copied().collect();
    transfer.plies = ids
        .into_iter()
        .map(|id| ctx.plies.name(id).to_string())
        .collect();
    let rank = |p: &Position| {
        let file = FILES
            .iter()
            .position(|f| *f == p.file)
            .unwrap_or(FILES.len());
        (file, p.line, p.column.unwrap_or(0))
    };
    ctx.errors.sort_by_key(|e| rank(&e.position));
    ctx.warnings.sort_by_key(|w| rank(&w.position));
    transfer.errors = ctx.errors;
    transfer.warnings = ctx.warnings;
    Ok(transfer)
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
