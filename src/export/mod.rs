//! The Parquet export (`consolide export --parquet DIR`): the whole store as Parquet files that
//! DuckDB, DataFusion, Spark or Trino read, partitioned the hive way, with the codes of CLI.md
//! and FORMAT.md, so that `sql/` computes the published measures over them:
//!
//! ```text
//! DIR/plie.parquet                          one row per PLIE (plie.csv and row counts)
//! DIR/parcours/plie=P44/part-0.parquet      that PLIE's parcours, one row group per stored chunk
//! DIR/etapes/plie=P44/part-0.parquet        its étapes (no rows where it sent none)
//! DIR/financements/plie=P44/part-0.parquet  its optional files (no rows where it sent none)
//! DIR/allocations/plie=P44/part-0.parquet
//! DIR/activite/plie=P44/part-0.parquet
//! DIR/paqte/...                             the commitments, when the store holds any:
//!     departements.parquet, entreprises.parquet, and conventions, engagements, realisations,
//!     contexte, clubs, adhesions, actions, each partitioned by department
//!     (`conventions/departement=59/part-0.parquet`, `departement=NATIONAL` for the nation's)
//! ```
//!
//! Not partitioned by year: a parcours belongs to every year it is active in, so a year's figures
//! read every earlier entry year anyway, and PLIE × years would make thousands of small files.
//! Rows keep the store's order (entry day within a PLIE), so each row group's min/max statistics
//! on `entree` and `sortie` let an engine skip what a period cannot match. `plie` is both in the
//! path and in the files, so the files stand alone and a PLIE code that looks like a number stays
//! text. The pseudonymous participant key is exported: distinct participants (Tableaux 4 and 5)
//! and the étapes' link to their parcours (`plie`, `participant`, `entree`) need it. The columns
//! are listed in sql/README.md.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::store::{
    Columns, EtapesChunk, EtapesColumn, ParcoursColumn, PlieRecord, Snapshot, Store, StoreError,
};

mod annexes;
mod batch;
mod columns;

use batch::ParquetFile;
use columns::{Codes, ParcoursKeys};

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The target folder holds files: an export never mixes its files with others'.
    #[error(
        "{0} is not empty: export into a new or empty folder, so that no file of another export \
         (a PLIE since removed, say) is read with this one"
    )]
    NotEmpty(PathBuf),
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file or folder could not be written.
    #[error("cannot write {}: {message}", path.display())]
    Write { path: PathBuf, message: String },
}

impl ExportError {
    fn write(path: &Path, e: impl std::fmt::Display) -> ExportError {
        ExportError::Write {
            path: path.to_owned(),
            message: e.to_string(),
        }
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// PLIE in `plie.parquet`.
    pub plies: usize,
    pub parcours: u64,
    pub etapes: u64,
    /// Parquet files written, `plie.parquet` included.
    pub files: usize,
    /// Their total size.
    pub bytes: u64,
}

impl ExportSummary {
    fn add(mut self, other: ExportSummary) -> ExportSummary {
        self.plies += other.plies;
        self.parcours += other.parcours;
        self.etapes += other.etapes;
        self.files += other.files;
        self.bytes += other.bytes;
        self
    }
}

/// Writes every parcours and étape of `store` under `dir` (created if missing; it must be empty),
/// all from one read snapshot, PLIE written in parallel, one chunk of each in memory at a time
/// (and the keys and entry days of the PLIE's parcours, which its étapes name); then each PLIE's
/// optional files and the commitments (read while the same read-only handle keeps imports out).
///
/// The files are written into a hidden folder beside `dir`, renamed into place once all are
/// whole: an export that is killed or fails leaves `dir` as it was (absent or empty), so the next
/// export does not find it occupied.
pub fn parquet(store: &Store, dir: &Path) -> Result<ExportSummary, ExportError> {
    let occupied = std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some());
    if occupied {
        return Err(ExportError::NotEmpty(dir.to_owned()));
    }
    let staging = stage(dir)?;
    let summary = write_all(store, staging.path())?;
    publish(staging, dir)?;
    Ok(summary)
}

/// A new hidden folder beside `dir`, named after it.
fn stage(dir: &Path) -> Result<tempfile::TempDir, ExportError> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(parent).map_err(|e| ExportError::write(parent, e))?;
    let name = dir
        .file_name()
        .map_or_else(|| "export".into(), |n| n.to_string_lossy().into_owned());
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{name}.export-"))
        .tempdir_in(parent)
        .map_err(|e| ExportError::write(parent, e))?;
    // A temporary folder is private (0700); the export is an ordinary folder.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(staging.path(), std::fs::Permissions::from_mode(0o755))
            .map_err(|e| ExportError::write(staging.path(), e))?;
    }
    Ok(staging)
}

/// Renames the finished `staging` folder to `dir` (which is absent or an empty folder).
fn publish(staging: tempfile::TempDir, dir: &Path) -> Result<(), ExportError> {
    std::fs::rename(staging.path(), dir).map_err(|e| ExportError::write(dir, e))?;
    // Renamed: nothing is left to remove.
    let _ = staging.keep();
    Ok(())
}

/// Writes every file of the export under `dir`.
fn write_all(store: &Store, dir: &Path) -> Result<ExportSummary, ExportError> {
    std::fs::create_dir_all(dir).map_err(|e| ExportError::write(dir, e))?;
    let snapshot = store.snapshot(&|_| true)?;
    let records: Vec<PlieRecord> = snapshot.records().to_vec();
    let codes = Codes::new();
    let plie_file = dir.join("plie.parquet");
    let mut file =
        ParquetFile::create(&plie_file, "plie").map_err(|e| ExportError::write(&plie_file, e))?;
    file.write(columns::plies(&records))
        .and_then(|_| file.finish())
        .map_err(|e| ExportError::write(&plie_file, e))?;
    let first = ExportSummary {
        plies: records.len(),
        files: 1,
        bytes: size(&plie_file)?,
        ..ExportSummary::default()
    };
    let plies = (0..records.len())
        .into_par_iter()
        .map(|p| export_plie(&snapshot, p, dir, &codes))
        .try_reduce(ExportSummary::default, |a, b| Ok(a.add(b)))?;
    let paqte = export_paqte(store, dir)?;
    Ok(first.add(plies).add(paqte))
}

/// One finished file: its count and size.
fn written(path: &Path) -> Result<ExportSummary, ExportError> {
    Ok(ExportSummary {
        files: 1,
        bytes: size(path)?,
        ..ExportSummary::default()
    })
}

/// Writes `batch` as the one row group of a new file at `path`.
fn write_one(path: &Path, table: &'static str, batch: batch::Batch) -> Result<(), ExportError> {
    let mut file = ParquetFile::create(path, table).map_err(|e| ExportError::write(path, e))?;
    file.write(batch)
        .and_then(|_| file.finish())
        .map_err(|e| ExportError::write(path, e))
}

/// The commitments under `DIR/paqte/`: nothing when the store holds none.
fn export_paqte(store: &Store, dir: &Path) -> Result<ExportSummary, ExportError> {
    let base = store.read_paqte()?;
    if base.records.is_empty() && base.entreprises.is_empty() {
        return Ok(ExportSummary::default());
    }
    let root = dir.join("paqte");
    std::fs::create_dir_all(&root).map_err(|e| ExportError::write(&root, e))?;
    let mut summary = ExportSummary::default();
    let path = root.join("departements.parquet");
    write_one(&path, "departements", annexes::departements(&base.records))?;
    summary = summary.add(written(&path)?);
    let path = root.join("entreprises.parquet");
    write_one(
        &path,
        "entreprises",
        annexes::entreprises(base.entreprises.values()),
    )?;
    summary = summary.add(written(&path)?);
    for (departement, data) in &base.donnees {
        for (table, batch) in annexes::paqte(departement, data) {
            let folder = root.join(table).join(format!("departement={departement}"));
            std::fs::create_dir_all(&folder).map_err(|e| ExportError::write(&folder, e))?;
            let path = folder.join("part-0.parquet");
            write_one(&path, table, batch)?;
            summary = summary.add(written(&path)?);
        }
    }
    Ok(summary)
}

/// Writes one PLIE's optional files: financements, allocations and activité, a partition each
/// (without rows where it sent none, so that a glob over each dataset always matches).
fn export_annexes(snapshot: &Snapshot, p: usize, dir: &Path) -> Result<ExportSummary, ExportError> {
    let record = &snapshot.records()[p];
    let corrupt = |why: String| StoreError::Corrupt(format!("PLIE {}: {why}", record.plie));
    let annexes = snapshot.annexes(p)?;
    let mut summary = ExportSummary::default();
    for table in ["financements", "allocations", "activite"] {
        let batch = match table {
            "financements" => annexes::financements(record, &annexes).map_err(corrupt)?,
            "allocations" => annexes::allocations(record, &annexes).map_err(corrupt)?,
            _ => annexes::activite(record, &annexes),
        };
        let (mut file, path) = partition(dir, table, &record.plie)?;
        file.write(batch)
            .and_then(|_| file.finish())
            .map_err(|e| ExportError::write(&path, e))?;
        summary = summary.add(written(&path)?);
    }
    Ok(summary)
}

fn size(path: &Path) -> Result<u64, ExportError> {
    Ok(std::fs::metadata(path)
        .map_err(|e| ExportError::write(path, e))?
        .len())
}

/// A new `DIR/table/plie=P/part-0.parquet`.
fn partition(
    dir: &Path,
    table: &'static str,
    plie: &str,
) -> Result<(ParquetFile, PathBuf), ExportError> {
    let folder = dir.join(table).join(format!("plie={plie}"));
    std::fs::create_dir_all(&folder).map_err(|e| ExportError::write(&folder, e))?;
    let path = folder.join("part-0.parquet");
    let file = ParquetFile::create(&path, table).map_err(|e| ExportError::write(&path, e))?;
    Ok((file, path))
}

/// Writes one PLIE's parcours and étapes (when it has parcours) and its optional files.
fn export_plie(
    snapshot: &Snapshot,
    p: usize,
    dir: &Path,
    codes: &Codes,
) -> Result<ExportSummary, ExportError> {
    let annexes = export_annexes(snapshot, p, dir)?;
    if snapshot.records()[p].parcours == 0 {
        return Ok(annexes);
    }
    Ok(export_parcours(snapshot, p, dir, codes)?.add(annexes))
}

/// Writes one PLIE's parcours and étapes.
fn export_parcours(
    snapshot: &Snapshot,
    p: usize,
    dir: &Path,
    codes: &Codes,
) -> Result<ExportSummary, ExportError> {
    let record = &snapshot.records()[p];
    let corrupt = |why: String| StoreError::Corrupt(format!("PLIE {}: {why}", record.plie));
    let (mut file, path) = partition(dir, "parcours", &record.plie)?;
    // The étapes name their parcours by row: keep each row's key and entry day.
    let mut owners: Vec<(Vec<String>, Vec<u16>)> = Vec::new();
    for n in 0..record.parcours_chunks {
        let decoded = snapshot.parcours(
            p,
            n,
            Columns::codes_and_days()
                .with(ParcoursColumn::Key)
                .with(ParcoursColumn::Commune),
        )?;
        file.write(columns::parcours(
            codes,
            record,
            &decoded.chunk,
            &decoded.keys,
        ))
        .map_err(|e| ExportError::write(&path, e))?;
        owners.push((decoded.keys.participant, decoded.chunk.entree));
    }
    file.finish().map_err(|e| ExportError::write(&path, e))?;
    let mut summary = ExportSummary {
        parcours: record.parcours,
        files: 1,
        bytes: size(&path)?,
        ..ExportSummary::default()
    };
    let parcours = ParcoursKeys {
        chunks: owners.iter().map(|(k, e)| (&k[..], &e[..])).collect(),
    };
    let (mut file, path) = partition(dir, "etapes", &record.plie)?;
    let mut written = false;
    for n in 0..record.etapes_chunks {
        let chunk = snapshot.etapes(p, n, &EtapesColumn::ALL)?;
        let batch = columns::etapes(codes, record, &chunk, &parcours).map_err(corrupt)?;
        file.write(batch)
            .map_err(|e| ExportError::write(&path, e))?;
        summary.etapes += chunk.parcours.len() as u64;
        written = true;
    }
    if !written {
        // An empty file all the same: every PLIE with parcours has both partitions, so a glob
        // over etapes/ matches even where no PLIE sent étapes.
        let batch =
            columns::etapes(codes, record, &EtapesChunk::default(), &parcours).map_err(corrupt)?;
        file.write(batch)
            .map_err(|e| ExportError::write(&path, e))?;
    }
    file.finish().map_err(|e| ExportError::write(&path, e))?;
    summary.files += 1;
    summary.bytes += size(&path)?;
    Ok(summary)
}
