//! The store: one redb file holding every imported PLIE, column-wise.
//!
//! Tables (see docs/design.md): `meta` (magic and format version), `plie` (one [`PlieRecord`] per
//! PLIE), `parcours_columns` and `etapes_columns` (one compressed segment per column of a chunk of
//! at most 65 536 rows, keyed `(plie, chunk, column)`), `zones` (each PLIE's zone maps), `annexes`
//! (the optional files of a PLIE as one value) and `summaries`. A store of format version 1 kept
//! whole chunks in `parcours`, `keys` and `etapes`; it is read as it is, and its next import
//! converts it. An import replaces every PLIE of its transfers in one write transaction, so a
//! reader ([`Snapshot`]) sees the old corpus or the new one.

use std::path::{Path, PathBuf};

use redb::{Database, ReadOnlyDatabase, ReadableDatabase, ReadableTable, TableDefinition};

mod codec;
mod columns;
mod encoding;
mod error;
mod import;
mod snapshot;
mod summary;

pub use columns::{
    Columns, EtapesColumn, EtapesZone, ParcoursColumn, ParcoursZone, Zones, ZONE_COLUMNS,
};
pub use encoding::{
    Annexes, EtapesChunk, KeysChunk, ParcoursChunk, PlieRecord, FORMAT_VERSION, NONE,
};
pub use error::{AfterFailedImport, StoreError};
pub use import::{
    encode_plie, Encoded, Import, ImportOutcome, ImportReport, PlieContent, PlieOutcome,
};
pub use snapshot::{Decoded, Snapshot};
#[cfg(test)]
pub(crate) use summary::age_class as summary_age_class;
pub use summary::{PlieSummary, SummaryColumn, SUMMARY_GROUPINGS, SUMMARY_LAYOUT};

// The commitments (src/paqte/store.rs) keep their own tables in the same file, with the same
// envelopes, transactions and guard.
pub(crate) use encoding::{decode, encode, january_first, Kind};

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const PLIE: TableDefinition<&str, &[u8]> = TableDefinition::new("plie");
/// Format version 1's whole chunks, keyed `(plie, chunk)`.
const PARCOURS: TableDefinition<(&str, u32), &[u8]> = TableDefinition::new("parcours");
const KEYS: TableDefinition<(&str, u32), &[u8]> = TableDefinition::new("keys");
const ETAPES: TableDefinition<(&str, u32), &[u8]> = TableDefinition::new("etapes");
/// Format version 2's segments, keyed `(plie, chunk, column)`.
const PARCOURS_COLUMNS: TableDefinition<(&str, u32, u8), &[u8]> =
    TableDefinition::new("parcours_columns");
const ETAPES_COLUMNS: TableDefinition<(&str, u32, u8), &[u8]> =
    TableDefinition::new("etapes_columns");
/// Format version 2's zone maps, one value per PLIE.
const ZONES: TableDefinition<&str, &[u8]> = TableDefinition::new("zones");
const ANNEXES: TableDefinition<&str, &[u8]> = TableDefinition::new("annexes");
/// Added after format version 1's first files: a store without it has no summaries yet.
const SUMMARIES: TableDefinition<&str, &[u8]> = TableDefinition::new("summaries");

/// What `meta["magic"]` holds in every consolide store.
const MAGIC: &[u8] = b"consolide store";

/// The page cache of a store opened for reading, in bytes.
const READ_CACHE: usize = 32 << 20;

/// The page cache of a store opened for import, in bytes: an import writes each page once, in
/// key order, so redb's default (1 GiB) would only hold pages already on their way to the disk.
const IMPORT_CACHE: usize = 128 << 20;

/// Rows per column chunk: roaring's container size, so a chunk never straddles two containers.
pub const CHUNK_ROWS: usize = 65_536;

enum Handle {
    ReadWrite(Database),
    ReadOnly(ReadOnlyDatabase),
    /// A store opened for reading that an interrupted import had left to repair: only a
    /// writable handle repairs, and it is kept for the reads (see [`Store::open`]). Never written
    /// through; `None` only while it closes.
    Repaired(Option<Database>),
}

impl Drop for Handle {
    fn drop(&mut self) {
        // Closing a repaired handle records the repair: redb writes its allocation state, and
        // on a damaged file it may panic there as it does reading one. Unguarded, that panic
        // would escape the library from a drop, after the reads had answered (found by the
        // `store` fuzz target). Recorded or not, the next open repairs again if it must.
        if let Handle::Repaired(db) = self {
            if let Some(db) = db.take() {
                let _ = guarded("recording the store's repair", || {
                    db.close()
                        .map_err(|e| StoreError::from(redb::Error::from(e)))
                });
            }
        }
    }
}

/// An open store file.
pub struct Store {
    /// Shared with the snapshots taken from it: redb closes its read transactions with the
    /// database, and a snapshot must outlive the `Store` value it came from.
    handle: std::sync::Arc<Handle>,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens the store at `path` for import, creating it if the file does not exist.
    pub fn create(path: &Path) -> Result<Store, StoreError> {
        guarded("opening the store for import", || {
            Store::create_unguarded(path)
        })
    }

    fn create_unguarded(path: &Path) -> Result<Store, StoreError> {
        let db = redb::Builder::new()
            .set_cache_size(IMPORT_CACHE)
            .create(path)
            .map_err(|e| StoreError::from_open(path, e))?;
        let store = Store {
            handle: std::sync::Arc::new(Handle::ReadWrite(db)),
            path: path.to_owned(),
        };
        if !store.check_meta()? {
            let Handle::ReadWrite(db) = &*store.handle else {
                unreachable!()
            };
            let tx = db.begin_write()?;
            {
                let mut meta = tx.open_table(META)?;
                meta.insert("magic", MAGIC)?;
                meta.insert(
                    "format_version",
                    &u32::from(FORMAT_VERSION).to_le_bytes()[..],
                )?;
                // Create the other tables so that readers find them in an empty store.
                tx.open_table(PLIE)?;
                tx.open_table(PARCOURS_COLUMNS)?;
                tx.open_table(ETAPES_COLUMNS)?;
                tx.open_table(ZONES)?;
                tx.open_table(ANNEXES)?;
                tx.open_table(SUMMARIES)?;
            }
            tx.commit()?;
        }
        Ok(store)
    }

    /// Opens an existing store for reading.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        guarded("opening the store", || Store::open_unguarded(path))
    }

    fn open_unguarded(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::NotFound(path.to_owned()));
        }
        // redb's own cache would keep every page a query reads (1 GiB by default); the reads
        // go through the OS's page cache anyway, so a reader keeps a small one and its memory
        // stays bounded by what a query holds, not by what it has read.
        let open = || {
            redb::Builder::new()
                .set_cache_size(READ_CACHE)
                .open_read_only(path)
        };
        let handle = match open() {
            // An import was interrupted (killed, or a write failed): the file holds the last
            // committed state, but redb rebuilds its allocation state only when opened for
            // writing, as the next import would. That open repairs in memory and writes only
            // its header in place; recording the rebuilt state, when the handle closes, takes
            // new pages, which a full disk refuses, and the file would be left to repair again.
            // So the reads go through that handle: the committed state is answered even on a
            // full disk, and the repair is recorded at the close once there is room.
            Err(redb::DatabaseError::RepairAborted) => {
                let repaired = redb::Builder::new()
                    .set_cache_size(READ_CACHE)
                    .open(path)
                    .map_err(|e| match e {
                        redb::DatabaseError::Storage(redb::StorageError::Io(io))
                            if error::no_space(&io) =>
                        {
                            StoreError::RepairNeedsSpace {
                                path: path.to_owned(),
                                source: io,
                            }
                        }
                        e => StoreError::from_open(path, e),
                    })?;
                Handle::Repaired(Some(repaired))
            }
            opened => Handle::ReadOnly(opened.map_err(|e| StoreError::from_open(path, e))?),
        };
        let store = Store {
            handle: std::sync::Arc::new(handle),
            path: path.to_owned(),
        };
        if !store.check_meta()? {
            return Err(StoreError::NotAStore {
                path: path.to_owned(),
                reason: "it is a redb file without consolide's tables".into(),
            });
        }
        Ok(store)
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A write transaction, for the commitments' import.
    pub(crate) fn begin_write(&self) -> Result<redb::WriteTransaction, StoreError> {
        let Handle::ReadWrite(db) = &*self.handle else {
            return Err(StoreError::Io(std::io::Error::other(
                "the store was opened read-only",
            )));
        };
        Ok(db.begin_write()?)
    }

    pub(crate) fn begin_read(&self) -> Result<redb::ReadTransaction, StoreError> {
        Ok(match &*self.handle {
            Handle::ReadWrite(db) | Handle::Repaired(Some(db)) => db.begin_read()?,
            Handle::Repaired(None) => unreachable!("a handle is closed only when dropped"),
            Handle::ReadOnly(db) => db.begin_read()?,
        })
    }

    /// `Ok(false)` for a fresh file without the meta table; an error for a file whose magic or
    /// version is not ours.
    fn check_meta(&self) -> Result<bool, StoreError> {
        let tx = self.begin_read()?;
        let meta = match tx.open_table(META) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => {
                let empty = tx.list_tables()?.next().is_none();
                return if empty {
                    Ok(false)
                } else {
                    Err(StoreError::NotAStore {
                        path: self.path.clone(),
                        reason: "it is a redb file of another program".into(),
                    })
                };
            }
            Err(e) => return Err(StoreError::from_table(&self.path, e)),
        };
        let magic = meta.get("magic")?;
        if magic.as_ref().map(|m| m.value()) != Some(MAGIC) {
            return Err(StoreError::NotAStore {
                path: self.path.clone(),
                reason: "its meta table does not carry consolide's magic".into(),
            });
        }
        drop(meta);
        stored_version(&tx, &self.path)?;
        Ok(true)
    }

    /// Every PLIE in the store, by code.
    pub fn plies(&self) -> Result<Vec<PlieRecord>, StoreError> {
        guarded("reading the PLIE records", || {
            read_records(&self.begin_read()?)
        })
    }

    /// The summaries of the PLIE whose record passes `keep`, in one read transaction; `None`
    /// when one of them has none of this build's layout (a store written before summaries
    /// existed, until its next import).
    pub fn read_summaries(
        &self,
        keep: &dyn Fn(&PlieRecord) -> bool,
    ) -> Result<Option<Vec<(PlieRecord, PlieSummary)>>, StoreError> {
        guarded("reading the summaries", || {
            let tx = self.begin_read()?;
            let mut data = Vec::new();
            for record in read_records(&tx)?.into_iter().filter(|r| keep(r)) {
                let Some(summary) = read_summary(&tx, &record)? else {
                    return Ok(None);
                };
                data.push((record, summary));
            }
            Ok(Some(data))
        })
    }

    /// The size of the store file in bytes.
    pub fn file_size(&self) -> Result<u64, StoreError> {
        Ok(std::fs::metadata(&self.path)?.len())
    }
}

/// The first bytes of a redb 4.6 file (redb's `tree_store/page_store/header.rs`): its magic, the
/// god byte (bit 0 names the primary commit slot, bit 1 says a writer had the file open), the
/// region counts, then two commit slots of 128 bytes, each checksummed.
const REDB_HEADER: usize = 320;
const REDB_MAGIC: usize = 9;
const REDB_GOD_BYTE: usize = 9;
const REDB_PRIMARY_BIT: u8 = 1;
const REDB_RECOVERY_REQUIRED: u8 = 2;
const REDB_SLOTS: usize = 64;
const REDB_SLOT: usize = 128;

/// A store file as an import found it once it had opened it for writing, before writing
/// anything: what a failed import takes the file back to ([`Committed::restore`]).
///
/// redb copies on write: a transaction writes its pages where the committed state has none,
/// growing the file as it needs, and commits by writing the other commit slot of the header,
/// then naming it primary. The committed state found here therefore lies within the file's
/// length found here, under its header, whatever the import wrote after.
#[derive(Debug)]
pub(crate) struct Committed {
    path: PathBuf,
    len: u64,
    header: [u8; REDB_HEADER],
}

impl Committed {
    /// Reads what `path` holds committed; the caller has it open for writing, so that no other
    /// process commits meanwhile.
    pub(crate) fn of(path: &Path) -> Result<Committed, StoreError> {
        let (len, header) = Committed::read(path)?;
        Ok(Committed {
            path: path.to_owned(),
            len,
            header,
        })
    }

    fn read(path: &Path) -> std::io::Result<(u64, [u8; REDB_HEADER])> {
        use std::io::Read;
        let mut file = std::fs::File::open(path)?;
        let len = file.metadata()?.len();
        let mut header = [0; REDB_HEADER];
        file.read_exact(&mut header)?;
        Ok((len, header))
    }

    /// The commit slot that was primary when the import began.
    fn primary(header: &[u8; REDB_HEADER], god: u8) -> &[u8] {
        let at = REDB_SLOTS + REDB_SLOT * usize::from(god & REDB_PRIMARY_BIT);
        &header[at..at + REDB_SLOT]
    }

    /// Takes the file of an import that failed, its store handle closed, back to the state it
    /// had committed, and gives back the space the import took (a full disk is the usual
    /// failure): the header is written back as it was and the file cut to its length then;
    /// then the file is opened for writing once, so that redb repairs it (with the flag a
    /// writer leaves, it rebuilds its layout from the file's length and its allocation state
    /// from the committed trees) and records the repair, and readers open it as before.
    ///
    /// The header is needed back because a commit that fails may have named its slot primary
    /// before its pages were all written (redb writes the header with them and counts on the
    /// slot's checksum to fall back), and that slot's pages lie past the length cut to. The
    /// import was reported failed, so it is undone: the store answers what it answered before.
    ///
    /// Nothing is cut unless the file still bears what the import left: the slot that was
    /// primary unchanged, and the flag of a writer that did not close cleanly. Otherwise
    /// another process has opened it since, and it is left whole for redb to repair as it is.
    pub(crate) fn restore(&self) -> AfterFailedImport {
        let god = self.header[REDB_GOD_BYTE];
        let left_as_failed = match Committed::read(&self.path) {
            Ok((len, now)) => {
                len >= self.len
                    && now[..REDB_MAGIC] == self.header[..REDB_MAGIC]
                    && now[REDB_GOD_BYTE] & REDB_RECOVERY_REQUIRED != 0
                    && god & REDB_RECOVERY_REQUIRED != 0
                    && Committed::primary(&now, god) == Committed::primary(&self.header, god)
            }
            Err(_) => false,
        };
        let undone = left_as_failed && self.undo().is_ok();
        let repaired = guarded("repairing the store", || {
            let db =
                Database::open(&self.path).map_err(|e| StoreError::from_open(&self.path, e))?;
            db.close().map_err(|e| StoreError::from_open(&self.path, e))
        })
        .is_ok();
        match (undone, repaired) {
            (false, _) => AfterFailedImport::BeforeOrAfter,
            (true, true) => AfterFailedImport::Kept,
            (true, false) => AfterFailedImport::KeptUnrepaired,
        }
    }

    fn undo(&self) -> std::io::Result<()> {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new().write(true).open(&self.path)?;
        file.write_all(&self.header)?;
        file.set_len(self.len)?;
        file.sync_all()
    }
}

thread_local! {
    /// How many guarded reads this thread is inside (see [`in_guarded_read`]).
    static GUARDED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Whether the current thread is inside one of the store's guarded reads: a host's panic hook can
/// stay quiet then, since the panic becomes a [`StoreError::Corrupt`] (the CLI's hook does).
pub fn in_guarded_read() -> bool {
    GUARDED.with(|g| g.get() > 0)
}

/// Runs a read of the file so that a panic inside redb becomes [`StoreError::Corrupt`]. redb
/// trusts its own B-tree pages, and a damaged page can make it index out of bounds: a damaged file
/// must give an error naming what was being read, never a panic.
pub(crate) fn guarded<T>(
    what: &str,
    read: impl FnOnce() -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    GUARDED.with(|g| g.set(g.get() + 1));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(read));
    GUARDED.with(|g| g.set(g.get() - 1));
    result.unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("redb stopped on a damaged page");
        Err(StoreError::Corrupt(format!(
            "{what}: the file's index is damaged ({why})"
        )))
    })
}

/// The store format `tx` reads (1 or 2), checked.
fn stored_version(tx: &redb::ReadTransaction, path: &Path) -> Result<u16, StoreError> {
    let meta = tx
        .open_table(META)
        .map_err(|e| StoreError::from_table(path, e))?;
    let version = meta
        .get("format_version")?
        .and_then(|v| <[u8; 4]>::try_from(v.value()).ok())
        .map(u32::from_le_bytes)
        .ok_or_else(|| StoreError::Corrupt("the format version is missing".into()))?;
    match version {
        1 | 2 => Ok(version as u16),
        _ => Err(StoreError::UnsupportedVersion {
            found: version,
            supported: u32::from(FORMAT_VERSION),
        }),
    }
}

fn read_records(tx: &redb::ReadTransaction) -> Result<Vec<PlieRecord>, StoreError> {
    let table = tx
        .open_table(PLIE)
        .map_err(|e| StoreError::from_table(Path::new(""), e))?;
    let mut records = Vec::new();
    for entry in table.iter()? {
        let (key, value) = entry?;
        let plie = key.value().to_owned();
        let what = || format!("the record of PLIE {plie}");
        let record: PlieRecord = encoding::decode_record(value.value(), &what)?;
        if record.plie != plie {
            return Err(StoreError::Corrupt(format!(
                "{} names PLIE {}",
                what(),
                record.plie
            )));
        }
        records.push(record);
    }
    Ok(records)
}

/// The summary of `record`'s PLIE, checked: `None` when the store has none of this build's layout.
fn read_summary(
    tx: &redb::ReadTransaction,
    record: &PlieRecord,
) -> Result<Option<PlieSummary>, StoreError> {
    let table = match tx.open_table(SUMMARIES) {
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
        table => table.map_err(|e| StoreError::from_table(Path::new(""), e))?,
    };
    let Some(bytes) = table.get(record.plie.as_str())? else {
        return Ok(None);
    };
    let what = || format!("the summary of PLIE {}", record.plie);
    let summary: PlieSummary = encoding::decode(Kind::Summary, bytes.value(), &what)?;
    if summary.layout != SUMMARY_LAYOUT {
        return Ok(None);
    }
    summary
        .check(record.parcours)
        .map_err(|why| StoreError::Corrupt(format!("{}: {why}", what())))?;
    Ok(Some(summary))
}

/// The columns a read asked for have `rows` values each and their codes are in range: a chunk
/// that passes cannot make a query index out of bounds or count a value that does not exist.
fn check_columns(d: &Decoded, columns: Columns, rows: usize) -> Result<(), String> {
    use crate::model::{Motif, Niveau, Public, Sexe};
    use ParcoursColumn as C;
    let c = &d.chunk;
    if rows == 0 || rows > CHUNK_ROWS {
        return Err(format!("{rows} rows"));
    }
    // Folded without an early exit, so that the compiler vectorises it.
    let in_range = |col: &[u8], max: usize, optional: bool| {
        !col.iter().fold(false, |bad, &v| {
            bad | ((v as usize) >= max && !(optional && v == NONE))
        })
    };
    for column in columns.iter() {
        let (len, ok) = match column {
            C::Entree => (c.entree.len(), true),
            C::Sortie => (
                c.sortie.len(),
                c.entree.len() != c.sortie.len()
                    || !c
                        .entree
                        .iter()
                        .zip(&c.sortie)
                        .fold(false, |bad, (&e, &s)| bad | (s != u16::MAX && s < e)),
            ),
            C::Motif => (c.motif.len(), in_range(&c.motif, Motif::ALL.len(), true)),
            C::Sexe => (c.sexe.len(), in_range(&c.sexe, Sexe::ALL.len(), false)),
            C::Age => (
                c.age.len(),
                !c.age
                    .iter()
                    .fold(false, |bad, &a| bad | !(15..=99).contains(&a)),
            ),
            C::Public => (
                c.public.len(),
                in_range(&c.public, Public::ALL.len(), false),
            ),
            C::InscritPe => (c.inscrit_pe.len(), in_range(&c.inscrit_pe, 2, false)),
            C::Th => (c.th.len(), in_range(&c.th, 2, false)),
            C::Niveau => (
                c.niveau.len(),
                in_range(&c.niveau, Niveau::ALL.len(), false),
            ),
            C::Qpv => (c.qpv.len(), in_range(&c.qpv, 2, true)),
            C::Naissance => (c.naissance.len(), true),
            C::Inactivite => (c.inactivite.len(), true),
            C::EmploiSecteur => (c.emploi[0].len(), true),
            C::EmploiEmployeur => (c.emploi[1].len(), true),
            C::EmploiTaille => (c.emploi[2].len(), true),
            C::EmploiContrat => (c.emploi[3].len(), true),
            C::EmploiMesure => (c.emploi[4].len(), true),
            C::FormationDomaine => (c.formation[0].len(), true),
            C::FormationNiveau => (c.formation[1].len(), true),
            C::FormationValidation => (c.formation[2].len(), true),
            C::FormationDuree => (c.formation_duree_mois.len(), true),
            C::Participant => (d.participants.len(), true),
            C::Key => (d.keys.participant.len(), true),
            C::Commune => (d.keys.commune.len(), true),
        };
        if len != rows {
            return Err(format!(
                "column {} has {len} rows, not {rows}",
                column.name()
            ));
        }
        if !ok {
            return Err(format!(
                "column {} holds a code out of range",
                column.name()
            ));
        }
    }
    // A motif exactly when an exit, where both were read.
    if columns.contains(C::Sortie) && columns.contains(C::Motif) {
        let paired = !c.sortie.iter().zip(&c.motif).fold(false, |bad, (&s, &m)| {
            bad | ((s == u16::MAX) != (m == NONE))
        });
        if !paired {
            return Err("an exit without a motif, or a motif without an exit".into());
        }
    }
    Ok(())
}
