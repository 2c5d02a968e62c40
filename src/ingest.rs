//! Importing transfer folders into a store, with FORMAT.md's guarantees: every folder is read and
//! checked before anything is written; any error refuses the whole import unless the caller keeps
//! the valid rows (rejects); then one write transaction replaces every PLIE of every folder.
//!
//! The files present tell a folder's kind: a commitments transfer (PAQTE.md, [`crate::paqte`])
//! holds only the commitments' files. Its errors always refuse the import (no rejects: its files
//! name each other's rows), and a second write transaction replaces each of its departments.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use time::Date;

use crate::paqte::{PaqteReport, PaqteTransfer};
use crate::store::{ImportReport, Store};
use crate::transfer::{self, ReadOptions, RowError, Transfer};
use crate::Error;

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The day of the import: no date of a transfer may be after it.
    pub today: Date,
    /// Write refused rows and a report under this folder, and import the valid rows.
    pub rejects: Option<PathBuf>,
    /// Read and check only; write nothing.
    pub dry_run: bool,
    /// Unix seconds recorded as the import time.
    pub imported_at: i64,
    /// With `rejects`: the largest share (0 to 1) of a PLIE's parcours.csv rows that may be
    /// refused while its valid rows are imported. A PLIE over it is left as it was in the store
    /// ([`ImportSummary::held_back`]): a transfer gone wrong must not empty a PLIE.
    pub max_rejected: f64,
}

/// The default [`ImportOptions::max_rejected`]: 5 %.
pub const MAX_REJECTED: f64 = 0.05;

impl ImportOptions {
    /// Options for an import happening now (local date).
    pub fn now() -> ImportOptions {
        let now =
            time::OffsetDateTime::now_local().unwrap_or_else(|_| time::OffsetDateTime::now_utc());
        ImportOptions {
            today: now.date(),
            rejects: None,
            dry_run: false,
            imported_at: now.unix_timestamp(),
            max_rejected: MAX_REJECTED,
        }
    }
}

/// What an import read, refused and wrote.
#[derive(Debug)]
pub struct ImportSummary {
    /// Each PLIE folder as read and checked (rows, counts, errors, warnings).
    pub transfers: Vec<Transfer>,
    /// Each commitments folder as read and checked.
    pub paqte: Vec<PaqteTransfer>,
    /// Problems across folders (a PLIE or a department in two folders).
    pub conflicts: Vec<String>,
    /// What the store did; `None` when nothing was written (refused, or a dry run).
    pub report: Option<ImportReport>,
    /// What the store did with the commitments; `None` when nothing was written.
    pub paqte_report: Option<PaqteReport>,
    /// Where refused rows were written.
    pub rejects_written: Vec<PathBuf>,
    /// The PLIE left as they were because too many of their parcours rows were refused.
    pub held_back: Vec<HeldBack>,
}

/// A PLIE of a transfer read with rejects whose parcours.csv rows were refused beyond
/// [`ImportOptions::max_rejected`]: none of its rows is imported, the store keeps what it had.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldBack {
    pub plie: String,
    pub folder: PathBuf,
    /// Its parcours.csv rows read and refused.
    pub read: u64,
    pub rejected: u64,
    /// The share allowed.
    pub max_rejected: f64,
}

impl std::fmt::Display for HeldBack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PLIE {} left as it was: {} of its {} parcours.csv rows refused, more than {} %; \
             correct and send them again, or import its valid rows anyway with --max-rejected 100",
            self.plie,
            self.rejected,
            self.read,
            self.max_rejected * 100.0
        )
    }
}

impl ImportSummary {
    /// Whether the import was refused (nothing written because of invalid input).
    pub fn refused(&self) -> bool {
        !self.conflicts.is_empty() || (self.errors().next().is_some() && self.report.is_none())
    }

    /// Every row error of every folder.
    pub fn errors(&self) -> impl Iterator<Item = &RowError> {
        self.transfers
            .iter()
            .flat_map(|t| &t.errors)
            .chain(self.paqte.iter().flat_map(|t| &t.errors))
    }
}

/// Reads, checks and imports `folders` into the store at `db` (created if absent).
pub fn import(
    db: &Path,
    folders: &[PathBuf],
    options: &ImportOptions,
) -> Result<ImportSummary, Error> {
    let read_options = ReadOptions {
        today: options.today,
        keep_valid_rows: options.rejects.is_some(),
    };
    let mut conflicts = Vec::new();
    let (mut transfers, mut paqte) = (Vec::new(), Vec::new());
    for folder in folders {
        if !crate::paqte::is_commitments(folder) {
            transfers.push(transfer::read(folder, &read_options)?);
        } else if transfer::FILES.iter().any(|f| folder.join(f).is_file()) {
            conflicts.push(format!(
                "{} holds files of a PLIE transfer and of a commitments transfer: put them in \
                 two folders",
                folder.display()
            ));
        } else {
            paqte.push(crate::paqte::read(folder, options.today)?);
        }
    }
    conflicts.extend(crate::paqte::conflicts(&paqte));

    let mut owner: BTreeMap<&str, &Path> = BTreeMap::new();
    for t in &transfers {
        for plie in &t.plies {
            if let Some(first) = owner.insert(plie, &t.folder) {
                conflicts.push(format!(
                    "PLIE {plie} is in two transfers, {} and {}: import them one at a time",
                    first.display(),
                    t.folder.display()
                ));
            }
        }
    }

    let mut summary = ImportSummary {
        transfers,
        paqte,
        conflicts,
        report: None,
        paqte_report: None,
        rejects_written: Vec::new(),
        held_back: Vec::new(),
    };
    let has_errors = summary.errors().next().is_some();
    let paqte_errors = summary.paqte.iter().any(|t| !t.errors.is_empty());
    if !summary.conflicts.is_empty() || paqte_errors || (has_errors && options.rejects.is_none()) {
        return Ok(summary);
    }
    if let Some(dir) = &options.rejects {
        for t in &mut summary.transfers {
            summary.held_back.extend(hold_back(t, options.max_rejected));
        }
        for t in summary.transfers.iter().filter(|t| !t.errors.is_empty()) {
            let held = summary.held_back.iter().filter(|h| h.folder == t.folder);
            summary.rejects_written.push(write_rejects(dir, t, held)?);
        }
    }
    if options.dry_run {
        return Ok(summary);
    }
    let mut store = Store::create(db)?;
    summary.report = Some(store.import(&summary.transfers, options.imported_at)?);
    if !summary.paqte.is_empty() {
        summary.paqte_report = Some(store.import_paqte(&summary.paqte, options.imported_at)?);
    }
    Ok(summary)
}

/// Takes out of `t` every PLIE whose parcours.csv rows are refused beyond `max_rejected`, so
/// that the import leaves it as it was, and says which.
fn hold_back(t: &mut Transfer, max_rejected: f64) -> Vec<HeldBack> {
    let Some(counts) = t.files.iter().find(|f| f.file == transfer::FILES[0]) else {
        return Vec::new();
    };
    let held: Vec<HeldBack> = counts
        .per_plie
        .iter()
        .filter(|(plie, &(read, rejected))| {
            !plie.is_empty() && read > 0 && rejected as f64 > max_rejected * read as f64
        })
        .map(|(plie, &(read, rejected))| HeldBack {
            plie: plie.clone(),
            folder: t.folder.clone(),
            read,
            rejected,
            max_rejected,
        })
        .collect();
    let out = |plie: &String| held.iter().any(|h| h.plie == *plie);
    t.plies.retain(|p| !out(p));
    t.parcours.retain(|r| !out(&r.plie));
    t.etapes.retain(|r| !out(&r.plie));
    t.plie_info.retain(|r| !out(&r.plie));
    t.financements.retain(|r| !out(&r.plie));
    t.allocations.retain(|r| !out(&r.plie));
    t.activite.retain(|r| !out(&r.plie));
    held
}

/// Writes the refused rows of `t`, byte for byte under their header, and a report of every error
/// and of the PLIE `held` back, into `dir/<transfer folder name>/`.
fn write_rejects<'h>(
    dir: &Path,
    t: &Transfer,
    held: impl Iterator<Item = &'h HeldBack>,
) -> Result<PathBuf, Error> {
    let name = t
        .folder
        .file_name()
        .map_or_else(|| "transfer".into(), |n| n.to_os_string());
    let out = dir.join(name);
    // The io error alone ("Not a directory", "No space left on device") does not say where.
    let failed = |path: &Path, e: std::io::Error| {
        Error::Io(std::io::Error::new(
            e.kind(),
            format!("cannot write the refused rows to {}: {e}", path.display()),
        ))
    };
    std::fs::create_dir_all(&out).map_err(|e| failed(&out, e))?;
    for file in &t.rejects {
        let mut bytes = file.header.clone();
        for (_, row) in &file.rows {
            bytes.extend_from_slice(row);
        }
        let path = out.join(&file.file);
        std::fs::write(&path, bytes).map_err(|e| failed(&path, e))?;
    }
    let mut report = String::new();
    for e in &t.errors {
        report.push_str(&e.to_string());
        report.push('\n');
    }
    for h in held {
        report.push_str(&h.to_string());
        report.push('\n');
    }
    let path = out.join("rapport.txt");
    std::fs::write(&path, report).map_err(|e| failed(&path, e))?;
    Ok(out)
}
