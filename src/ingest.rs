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
use crate::store::{
    encode_plie, AfterFailedImport, Committed, Encoded, Import, ImportReport, PlieContent,
    PlieOutcome, Store, StoreError,
};
use crate::transfer::{self, PlieTransfer, ReadOptions, Reading, RowError, Transfer};
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
    /// Write every error of the transfers, one per line, to this file (the summary keeps the
    /// first [`transfer::ERRORS_KEPT`] and counts the rest).
    pub errors_to: Option<PathBuf>,
    /// Counters updated as the transfers are read, for a host's progress bar.
    pub progress: Option<std::sync::Arc<transfer::Progress>>,
    /// The encoding of the transfers' files (UTF-8 unless told).
    pub encoding: transfer::Encoding,
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
            errors_to: None,
            progress: None,
            encoding: transfer::Encoding::Utf8,
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

    /// Every error counted, per folder, file and rule (the first ones are [`Self::errors`]).
    pub fn error_counts(&self) -> impl Iterator<Item = &transfer::ErrorCount> {
        self.transfers.iter().flat_map(|t| &t.error_counts)
    }

    /// How many errors the import found, kept or not.
    pub fn error_total(&self) -> u64 {
        let counted: u64 = self.error_counts().map(|c| c.count).sum();
        counted
            + self
                .paqte
                .iter()
                .map(|t| t.errors.len() as u64)
                .sum::<u64>()
    }

    /// The first row errors of every folder (see [`transfer::ERRORS_KEPT`]).
    pub fn errors(&self) -> impl Iterator<Item = &RowError> {
        self.transfers
            .iter()
            .flat_map(|t| &t.errors)
            .chain(self.paqte.iter().flat_map(|t| &t.errors))
    }
}

/// PLIE checked and encoded at a time while the previous ones are written.
const WINDOW: usize = 4;

/// Reads, checks and imports `folders` into the store at `db` (created if absent).
///
/// Each folder is read in two passes (see [`transfer::open`]): the rows first, in parallel blocks,
/// then the PLIE one by one through the rules between rows, each encoded and written into the
/// import's one write transaction as soon as it is checked. Any error (without rejects) drops the
/// transaction: nothing is written.
pub fn import(
    db: &Path,
    folders: &[PathBuf],
    options: &ImportOptions,
) -> Result<ImportSummary, Error> {
    let keep = options.rejects.is_some();
    let mut read_options = ReadOptions::new(options.today, keep);
    read_options.progress = options.progress.clone();
    read_options.encoding = options.encoding;
    if let Some(path) = &options.errors_to {
        let sink = transfer::ErrorSink::create(path).map_err(|e| {
            Error::Io(std::io::Error::new(
                e.kind(),
                format!("cannot write the errors to {}: {e}", path.display()),
            ))
        })?;
        read_options.errors_to = Some(sink);
    }
    // Rows waiting for the rules between rows spill beside the store, where there is room for it.
    read_options.spill_dir = db
        .parent()
        .filter(|p| !p.as_os_str().is_empty() && p.is_dir())
        .map(Path::to_path_buf);
    let mut conflicts = Vec::new();
    let (mut readings, mut paqte) = (Vec::new(), Vec::new());
    for folder in folders {
        if !crate::paqte::is_commitments(folder) {
            readings.push(transfer::open(folder, &read_options)?);
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
    for r in &readings {
        for plie in r.plies() {
            if let Some(first) = owner.insert(plie, r.folder()) {
                conflicts.push(format!(
                    "PLIE {plie} is in two transfers, {} and {}: import them one at a time",
                    first.display(),
                    r.folder().display()
                ));
            }
        }
    }
    drop(owner);

    let paqte_errors = paqte.iter().any(|t| !t.errors.is_empty());
    let refused = !conflicts.is_empty()
        || paqte_errors
        || (!keep && readings.iter().any(Reading::has_errors));
    if let (Some(dir), Some(first)) = (&options.rejects, readings.first()) {
        // Before anything is written: a rejects folder that cannot be made refuses the import.
        let name = first
            .folder()
            .file_name()
            .unwrap_or_default()
            .to_os_string();
        std::fs::create_dir_all(dir)
            .and_then(|()| match dir.is_dir() {
                true => Ok(()),
                false => Err(std::io::Error::other("not a folder")),
            })
            .map_err(|e| rejects_failed(&dir.join(name), e))?;
    }
    // A store this import creates is removed if the import ends without committing: a refused
    // import leaves the folder as it was.
    let created = Created::new(db, !options.dry_run && !refused);
    // An existing store is first read only: a PLIE whose content it holds needs nothing written,
    // and a re-import that changes nothing leaves the file byte for byte as it was. It is opened
    // for writing at the first PLIE that changes.
    let mut writing: Option<Import> = None;
    let mut reader: Option<Store> = None;
    if !options.dry_run && !refused {
        if created.is_new() {
            let store = Store::create(db).and_then(Store::begin_import);
            writing = Some(store.map_err(|e| write_failed(e, None))?);
        } else {
            reader = Some(Store::open(db)?);
        }
    }
    // What the existing store held committed when it was opened for writing: an import whose
    // write fails (a full disk) takes the file back to it, and gives back the space it took.
    let mut committed: Option<Committed> = None;
    let mut unchanged = Vec::new();
    let mut write = |e: Encoded| -> Result<(), Error> {
        if writing.is_none() {
            if let Some(r) = &reader {
                if r.holds(&e)? {
                    unchanged.push(e.outcome(PlieOutcome::Unchanged));
                    return Ok(());
                }
            }
            // One handle per file and process: the reader goes before the writer comes.
            drop(reader.take());
            let store = Store::create(db)?;
            committed = Some(Committed::of(db)?);
            writing = Some(
                store
                    .begin_import()
                    .map_err(|e| write_failed(e, committed.as_ref()))?,
            );
        }
        let written = writing.as_mut().expect("opened above").write(e);
        if let Err(e) = written {
            // The store closes before its file is taken back.
            drop(writing.take());
            return Err(write_failed(e, committed.as_ref()));
        }
        Ok(())
    };
    let will_write = !options.dry_run && !refused;
    let (mut transfers, mut held_back) = (Vec::new(), Vec::new());
    for mut reading in readings {
        let folder = reading.folder().to_path_buf();
        let source = folder.display().to_string();
        let encode_it = will_write && (keep || !reading.has_errors());
        let max = options.max_rejected;
        let mut held = Vec::new();
        reading.check_plies(
            WINDOW,
            |p| {
                let over = p.parcours_rejected as f64 > max * p.parcours_read as f64;
                let hold = keep && p.parcours_read > 0 && over;
                let encoded = (encode_it && !hold).then(|| encode(&p, &source, options));
                (p.plie, p.parcours_read, p.parcours_rejected, hold, encoded)
            },
            |(plie, read, rejected, hold, encoded)| {
                if hold {
                    held.push(HeldBack {
                        plie,
                        folder: folder.clone(),
                        read,
                        rejected,
                        max_rejected: max,
                    });
                } else if let Some(e) = encoded {
                    write(e)?;
                }
                Ok::<(), Error>(())
            },
        )?;
        let mut t = reading.finish();
        t.plies.retain(|p| !held.iter().any(|h| h.plie == *p));
        held_back.extend(held);
        transfers.push(t);
    }

    let mut summary = ImportSummary {
        transfers,
        paqte,
        conflicts,
        report: None,
        paqte_report: None,
        rejects_written: Vec::new(),
        held_back,
    };
    let has_errors = summary.errors().next().is_some();
    if refused || (has_errors && !keep) {
        return Ok(summary);
    }
    if let Some(dir) = &options.rejects {
        for t in summary.transfers.iter().filter(|t| !t.errors.is_empty()) {
            let held = summary.held_back.iter().filter(|h| h.folder == t.folder);
            summary.rejects_written.push(write_rejects(dir, t, held)?);
        }
    }
    if !will_write {
        return Ok(summary);
    }
    let mut report = match writing {
        Some(writing) => writing
            .commit()
            .map_err(|e| write_failed(e, committed.as_ref()))?,
        None => ImportReport::default(),
    };
    created.keep();
    report.plies.extend(unchanged);
    report.plies.sort_by(|a, b| a.plie.cmp(&b.plie));
    summary.report = Some(report);
    if !summary.paqte.is_empty() {
        drop(reader);
        let mut store = Store::create(db)?;
        summary.paqte_report = Some(store.import_paqte(&summary.paqte, options.imported_at)?);
    }
    Ok(summary)
}

/// The error of an import whose write failed, once its store is closed. An I/O error (a full
/// disk, a file-size limit) takes an existing store back to its last committed state (`None`:
/// the import was creating the store, which is removed); the error says what the file holds.
fn write_failed(e: StoreError, committed: Option<&Committed>) -> Error {
    let StoreError::Io(source) = e else {
        return e.into();
    };
    let state = committed.map_or(AfterFailedImport::NotCreated, Committed::restore);
    StoreError::ImportNotWritten { source, state }.into()
}

/// The values PLIE `p` writes.
fn encode(p: &PlieTransfer, source: &str, options: &ImportOptions) -> Encoded {
    let content = PlieContent {
        plie: &p.plie,
        source: source.to_string(),
        info: p.info.as_ref(),
        parcours: &p.parcours,
        etapes: &p.etapes,
        financements: p.financements.iter().collect(),
        allocations: p.allocations.iter().collect(),
        activite: p.activite.iter().collect(),
    };
    encode_plie(content, options.imported_at)
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
    let failed = rejects_failed;
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

/// The io error alone ("Not a directory", "No space left on device") does not say where.
fn rejects_failed(path: &Path, e: std::io::Error) -> Error {
    Error::Io(std::io::Error::new(
        e.kind(),
        format!("cannot write the refused rows to {}: {e}", path.display()),
    ))
}

/// Removes, when dropped, the store file an import created, unless the import committed.
struct Created<'p> {
    path: Option<&'p Path>,
}

impl<'p> Created<'p> {
    fn new(path: &'p Path, creating: bool) -> Created<'p> {
        Created {
            path: (creating && !path.exists()).then_some(path),
        }
    }

    fn keep(mut self) {
        self.path = None;
    }

    /// Whether the import creates the store.
    fn is_new(&self) -> bool {
        self.path.is_some()
    }
}

impl Drop for Created<'_> {
    fn drop(&mut self) {
        if let Some(path) = self.path {
            let _ = std::fs::remove_file(path);
        }
    }
}
