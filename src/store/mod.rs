//! The store: one redb file holding every imported PLIE, column-wise.
//!
//! Tables (see docs/design.md): `meta` (magic and format version), `plie` (one [`PlieRecord`] per
//! PLIE), `parcours`, `keys` and `etapes` (column chunks keyed by `(plie, chunk number)`), and
//! `annexes` (the optional files of a PLIE as one value). An import replaces every PLIE of its
//! transfers in one write transaction, so a reader sees the old corpus or the new one.

use std::path::{Path, PathBuf};

use redb::{Database, ReadOnlyDatabase, ReadableDatabase, ReadableTable, TableDefinition};

mod encoding;
mod error;
mod import;
mod summary;

pub use encoding::{
    Annexes, EtapesChunk, KeysChunk, ParcoursChunk, PlieRecord, FORMAT_VERSION, NONE,
};
pub use error::StoreError;
pub use import::{ImportOutcome, ImportReport, PlieOutcome};
#[cfg(test)]
pub(crate) use summary::age_class as summary_age_class;
pub use summary::{PlieSummary, SummaryColumn, SUMMARY_GROUPINGS, SUMMARY_LAYOUT};

// The commitments (src/paqte/store.rs) keep their own tables in the same file, with the same
// envelopes, transactions and guard.
pub(crate) use encoding::{decode, encode, Kind};

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const PLIE: TableDefinition<&str, &[u8]> = TableDefinition::new("plie");
const PARCOURS: TableDefinition<(&str, u32), &[u8]> = TableDefinition::new("parcours");
const KEYS: TableDefinition<(&str, u32), &[u8]> = TableDefinition::new("keys");
const ETAPES: TableDefinition<(&str, u32), &[u8]> = TableDefinition::new("etapes");
const ANNEXES: TableDefinition<&str, &[u8]> = TableDefinition::new("annexes");
/// Added after format version 1's first files: a store without it has no summaries yet.
const SUMMARIES: TableDefinition<&str, &[u8]> = TableDefinition::new("summaries");

/// What `meta["magic"]` holds in every consolide store.
const MAGIC: &[u8] = b"consolide store";

/// Rows per column chunk: roaring's container size, so a chunk never straddles two containers.
pub const CHUNK_ROWS: usize = 65_536;

enum Handle {
    ReadWrite(Database),
    ReadOnly(ReadOnlyDatabase),
}

/// An open store file.
pub struct Store {
    handle: Handle,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// The raw content of one PLIE as read from the store.
#[derive(Debug, Clone)]
pub struct PlieData {
    pub record: PlieRecord,
    /// Empty when read by [`Store::read_summaries`].
    pub parcours: Vec<ParcoursChunk>,
    /// `None` in a store written before summaries, until its next import.
    pub summary: Option<PlieSummary>,
}

impl Store {
    /// Opens the store at `path` for import, creating it if the file does not exist.
    pub fn create(path: &Path) -> Result<Store, StoreError> {
        guarded("opening the store for import", || {
            Store::create_unguarded(path)
        })
    }

    fn create_unguarded(path: &Path) -> Result<Store, StoreError> {
        let db = Database::create(path).map_err(|e| StoreError::from_open(path, e))?;
        let store = Store {
            handle: Handle::ReadWrite(db),
            path: path.to_owned(),
        };
        if !store.check_meta()? {
            let Handle::ReadWrite(db) = &store.handle else {
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
                tx.open_table(PARCOURS)?;
                tx.open_table(KEYS)?;
                tx.open_table(ETAPES)?;
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
        let db = match ReadOnlyDatabase::open(path) {
            // An import was interrupted (killed, or a write failed): the file holds the last
            // committed state, but redb rebuilds its allocation state only when opened for
            // writing, as the next import would. Do it now, then read.
            Err(redb::DatabaseError::RepairAborted) => {
                drop(Database::open(path).map_err(|e| StoreError::from_open(path, e))?);
                ReadOnlyDatabase::open(path)
            }
            opened => opened,
        }
        .map_err(|e| StoreError::from_open(path, e))?;
        let store = Store {
            handle: Handle::ReadOnly(db),
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
        let Handle::ReadWrite(db) = &self.handle else {
            return Err(StoreError::Io(std::io::Error::other(
                "the store was opened read-only",
            )));
        };
        Ok(db.begin_write()?)
    }

    pub(crate) fn begin_read(&self) -> Result<redb::ReadTransaction, StoreError> {
        Ok(match &self.handle {
            Handle::ReadWrite(db) => db.begin_read()?,
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
        let version = meta
            .get("format_version")?
            .and_then(|v| <[u8; 4]>::try_from(v.value()).ok())
            .map(u32::from_le_bytes)
            .ok_or_else(|| StoreError::Corrupt("the format version is missing".into()))?;
        if version != u32::from(FORMAT_VERSION) {
            return Err(StoreError::UnsupportedVersion {
                found: version,
                supported: u32::from(FORMAT_VERSION),
            });
        }
        Ok(true)
    }

    /// Every PLIE in the store, by code.
    pub fn plies(&self) -> Result<Vec<PlieRecord>, StoreError> {
        guarded("reading the PLIE records", || {
            read_records(&self.begin_read()?)
        })
    }

    /// Everything a query needs, read in one read transaction so that it is one consistent state.
    pub fn read_parcours(&self) -> Result<Vec<PlieData>, StoreError> {
        self.read_parcours_of(&|_| true)
    }

    /// The PLIE whose record passes `keep`, with their parcours and summaries, in one read
    /// transaction; the other PLIE's chunks are not read.
    pub fn read_parcours_of(
        &self,
        keep: &dyn Fn(&PlieRecord) -> bool,
    ) -> Result<Vec<PlieData>, StoreError> {
        guarded("reading the parcours", || {
            self.read_parcours_unguarded(keep)
        })
    }

    /// The PLIE whose record passes `keep`, with their summaries and no parcours, in one read
    /// transaction; `None` when one of them has no summary of this build's layout (a store
    /// written before summaries existed, until its next import).
    pub fn read_summaries(
        &self,
        keep: &dyn Fn(&PlieRecord) -> bool,
    ) -> Result<Option<Vec<PlieData>>, StoreError> {
        guarded("reading the summaries", || {
            let tx = self.begin_read()?;
            let mut data = Vec::new();
            for record in read_records(&tx)?.into_iter().filter(|r| keep(r)) {
                let Some(summary) = read_summary(&tx, &record)? else {
                    return Ok(None);
                };
                data.push(PlieData {
                    record,
                    parcours: Vec::new(),
                    summary: Some(summary),
                });
            }
            Ok(Some(data))
        })
    }

    fn read_parcours_unguarded(
        &self,
        keep: &dyn Fn(&PlieRecord) -> bool,
    ) -> Result<Vec<PlieData>, StoreError> {
        let tx = self.begin_read()?;
        let mut records = read_records(&tx)?;
        records.retain(|r| keep(r));
        let summaries = records
            .iter()
            .map(|r| read_summary(&tx, r))
            .collect::<Result<Vec<_>, _>>()?;
        let table = tx
            .open_table(PARCOURS)
            .map_err(|e| StoreError::from_table(&self.path, e))?;
        let mut raw = Vec::new();
        for record in &records {
            let mut chunks = Vec::with_capacity(record.parcours_chunks as usize);
            for n in 0..record.parcours_chunks {
                let bytes = table.get((record.plie.as_str(), n))?.ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "PLIE {}: parcours chunk {n} is missing",
                        record.plie
                    ))
                })?;
                chunks.push(bytes.value().to_vec());
            }
            raw.push(chunks);
        }
        use rayon::prelude::*;
        records
            .into_par_iter()
            .zip(raw)
            .zip(summaries)
            .map(|((record, chunks), summary)| {
                let parcours = chunks
                    .iter()
                    .enumerate()
                    .map(|(n, bytes)| {
                        let what = || format!("PLIE {}: parcours chunk {n}", record.plie);
                        let chunk: ParcoursChunk = encoding::decode(Kind::Parcours, bytes, &what)?;
                        check_chunk(&chunk)
                            .map_err(|why| StoreError::Corrupt(format!("{}: {why}", what())))?;
                        Ok(chunk)
                    })
                    .collect::<Result<Vec<_>, StoreError>>()?;
                let rows: u64 = parcours.iter().map(|c| c.entree.len() as u64).sum();
                if rows != record.parcours {
                    return Err(StoreError::Corrupt(format!(
                        "PLIE {}: {rows} parcours in its chunks, {} in its record",
                        record.plie, record.parcours
                    )));
                }
                Ok(PlieData {
                    record,
                    parcours,
                    summary,
                })
            })
            .collect()
    }

    /// The étapes of each PLIE of `records`, read in one transaction that checks every PLIE still
    /// holds the content `records` describe (the snapshot a [`crate::Corpus`] was loaded from).
    pub fn read_etapes(&self, records: &[PlieRecord]) -> Result<Vec<Vec<EtapesChunk>>, StoreError> {
        self.read_chunks(records, ETAPES, Kind::Etapes, "étapes", |r| {
            r.etapes_chunks
        })
    }

    /// The participant keys and communes of each PLIE of `records`, chunk by chunk like its
    /// parcours, checked against the snapshot as [`Store::read_etapes`] is.
    pub fn read_keys(&self, records: &[PlieRecord]) -> Result<Vec<Vec<KeysChunk>>, StoreError> {
        self.read_chunks(records, KEYS, Kind::Keys, "keys", |r| r.parcours_chunks)
    }

    /// The optional files (financements, allocations, activite) of each PLIE of `records`,
    /// checked against the snapshot as [`Store::read_etapes`] is.
    pub fn read_annexes(&self, records: &[PlieRecord]) -> Result<Vec<Annexes>, StoreError> {
        guarded("reading the optional files", || {
            let tx = self.begin_read()?;
            check_snapshot(&tx, records)?;
            let table = tx
                .open_table(ANNEXES)
                .map_err(|e| StoreError::from_table(&self.path, e))?;
            records
                .iter()
                .map(|record| {
                    let what = || format!("PLIE {}: annexes", record.plie);
                    match table.get(record.plie.as_str())? {
                        Some(bytes) => encoding::decode(Kind::Annexes, bytes.value(), &what),
                        None => Ok(Annexes::default()),
                    }
                })
                .collect()
        })
    }

    fn read_chunks<T>(
        &self,
        records: &[PlieRecord],
        definition: TableDefinition<(&str, u32), &[u8]>,
        kind: Kind,
        name: &str,
        count: fn(&PlieRecord) -> u32,
    ) -> Result<Vec<Vec<T>>, StoreError>
    where
        T: rkyv::Archive,
        T::Archived: for<'a> rkyv::bytecheck::CheckBytes<
                rkyv::api::high::HighValidator<'a, rkyv::rancor::Error>,
            > + rkyv::Deserialize<T, rkyv::api::high::HighDeserializer<rkyv::rancor::Error>>,
    {
        guarded(&format!("reading the {name}"), || {
            let tx = self.begin_read()?;
            check_snapshot(&tx, records)?;
            let table = tx
                .open_table(definition)
                .map_err(|e| StoreError::from_table(&self.path, e))?;
            records
                .iter()
                .map(|record| {
                    (0..count(record))
                        .map(|n| {
                            let what = || format!("PLIE {}: {name} chunk {n}", record.plie);
                            let bytes = table.get((record.plie.as_str(), n))?.ok_or_else(|| {
                                StoreError::Corrupt(format!("{} is missing", what()))
                            })?;
                            encoding::decode(kind, bytes.value(), &what)
                        })
                        .collect()
                })
                .collect()
        })
    }

    /// The size of the store file in bytes.
    pub fn file_size(&self) -> Result<u64, StoreError> {
        Ok(std::fs::metadata(&self.path)?.len())
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

/// Fails with [`StoreError::Changed`] unless every PLIE of `records` is stored with the same
/// content in the transaction `tx` reads.
fn check_snapshot(tx: &redb::ReadTransaction, records: &[PlieRecord]) -> Result<(), StoreError> {
    let stored = read_records(tx)?;
    for record in records {
        let same = stored
            .iter()
            .any(|s| s.plie == record.plie && s.content_hash == record.content_hash);
        if !same {
            return Err(StoreError::Changed(record.plie.clone()));
        }
    }
    Ok(())
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
        let record: PlieRecord = encoding::decode(Kind::Plie, value.value(), &what)?;
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

/// Column lengths agree and codes are in range: a chunk that passes cannot make a query index out
/// of bounds or count a value that does not exist.
fn check_chunk(c: &ParcoursChunk) -> Result<(), String> {
    use crate::model::{Motif, Niveau, Public, Sexe};
    let n = c.entree.len();
    if n == 0 || n > CHUNK_ROWS {
        return Err(format!("{n} rows"));
    }
    let lens = [
        c.sortie.len(),
        c.motif.len(),
        c.sexe.len(),
        c.naissance.len(),
        c.age.len(),
        c.public.len(),
        c.inscrit_pe.len(),
        c.th.len(),
        c.niveau.len(),
        c.inactivite.len(),
        c.qpv.len(),
        c.formation_duree_mois.len(),
    ];
    let details = c.emploi.iter().chain(&c.formation).map(Vec::len);
    if lens.into_iter().chain(details).any(|l| l != n) {
        return Err("columns of different lengths".into());
    }
    let in_range = |col: &[u8], max: usize, optional: bool| {
        col.iter()
            .all(|&v| (v as usize) < max || (optional && v == NONE))
    };
    let ok = in_range(&c.motif, Motif::ALL.len(), true)
        && in_range(&c.sexe, Sexe::ALL.len(), false)
        && in_range(&c.public, Public::ALL.len(), false)
        && in_range(&c.niveau, Niveau::ALL.len(), false)
        && in_range(&c.inscrit_pe, 2, false)
        && in_range(&c.th, 2, false)
        && in_range(&c.qpv, 2, true)
        && c.age.iter().all(|&a| (15..=99).contains(&a))
        && c.entree
            .iter()
            .zip(&c.sortie)
            .zip(&c.motif)
            .all(|((&e, &s), &m)| {
                (s == u16::MAX && m == NONE) || (s != u16::MAX && s >= e && m != NONE)
            });
    if ok {
        Ok(())
    } else {
        Err("a code out of range".into())
    }
}
