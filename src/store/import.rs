//! Writing transfers: each PLIE is encoded into column segments (format version 2), hashed, and,
//! unless its hash is the stored one, replaces the PLIE's earlier data; all of it in one write
//! transaction. An import into a store of format version 1 first converts every PLIE it holds to
//! version 2, in the same transaction: the converted PLIE encode exactly as a fresh import of the
//! same content would, so their hashes still say "unchanged" to a re-import.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use redb::ReadableTable;

use super::columns::{self, EtapesZone, ParcoursZone, Zones};
use super::encoding::{
    self, Annexes, EtapesChunk, KeysChunk, Kind, ParcoursChunk, PlieRecord, NONE,
};
use super::summary::{PlieSummary, SUMMARY_LAYOUT};
use super::{
    Handle, Store, StoreError, ANNEXES, CHUNK_ROWS, ETAPES, ETAPES_COLUMNS, KEYS, META, PARCOURS,
    PARCOURS_COLUMNS, PLIE, SUMMARIES, ZONES,
};
use crate::model::{Activite, Allocation, Etape, Financement, Parcours, PlieInfo};
use crate::transfer::{LinkedEtape, Transfer};

/// What an import did to one PLIE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlieOutcome {
    /// The PLIE was not in the store.
    New,
    /// The PLIE's earlier data was replaced.
    Replaced,
    /// The same content was already stored: nothing was written.
    Unchanged,
}

/// One PLIE of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOutcome {
    pub plie: String,
    pub outcome: PlieOutcome,
    pub parcours: u64,
    pub etapes: u64,
}

/// What an import did, PLIE by PLIE (sorted by code).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub plies: Vec<ImportOutcome>,
}

impl ImportReport {
    /// Whether the import wrote anything.
    pub fn changed(&self) -> bool {
        self.plies
            .iter()
            .any(|p| p.outcome != PlieOutcome::Unchanged)
    }
}

/// The rows of one PLIE gathered from a transfer.
#[derive(Default)]
struct PlieRows<'t> {
    info: Option<&'t PlieInfo>,
    parcours: Vec<&'t Parcours>,
    /// Linked to `parcours` by index.
    etapes: std::borrow::Cow<'t, [LinkedEtape]>,
    financements: Vec<&'t Financement>,
    allocations: Vec<&'t Allocation>,
    activite: Vec<&'t Activite>,
    source: String,
}

/// Everything one PLIE holds, in store order, before it is encoded.
struct Content<'t> {
    /// The record without its counts and bookkeeping (filled by [`encode`]).
    record: PlieRecord,
    parcours: Vec<ParcoursChunk>,
    keys: Keys<'t>,
    etapes: Vec<EtapesChunk>,
    annexes: Annexes,
}

/// The keys and communes of a PLIE's parcours, in store order.
enum Keys<'t> {
    /// Decoded from a store of format version 1.
    Chunks(Vec<KeysChunk>),
    /// Read off the parcours of a transfer chunk by chunk as they are encoded: a copy of every
    /// key would take more memory than the PLIE's columns.
    Rows(Vec<&'t Parcours>),
}

impl Keys<'_> {
    fn participants(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        match self {
            Keys::Chunks(chunks) => Box::new(
                chunks
                    .iter()
                    .flat_map(|k| k.participant.iter().map(String::as_str)),
            ),
            Keys::Rows(rows) => Box::new(rows.iter().map(|p| p.participant.as_str())),
        }
    }

    /// Chunk `n`'s keys and communes (empty when absent).
    fn chunk(&self, n: usize) -> (Vec<&str>, Vec<&str>) {
        match self {
            Keys::Chunks(chunks) => (
                chunks[n].participant.iter().map(String::as_str).collect(),
                chunks[n].commune.iter().map(String::as_str).collect(),
            ),
            Keys::Rows(rows) => rows
                .chunks(CHUNK_ROWS)
                .nth(n)
                .unwrap_or_default()
                .iter()
                .map(|p| (p.participant.as_str(), p.commune.as_deref().unwrap_or("")))
                .unzip(),
        }
    }
}

/// The values one PLIE writes.
pub struct Encoded {
    record: PlieRecord,
    /// Per chunk, its segments by column.
    parcours: Vec<Vec<(u8, Vec<u8>)>>,
    etapes: Vec<Vec<(u8, Vec<u8>)>>,
    zones: Vec<u8>,
    annexes: Vec<u8>,
    summary: Vec<u8>,
}

impl Store {
    /// Replaces, for every PLIE of `transfers`, all its data by the transfer's, in one write
    /// transaction; PLIE whose content is already stored are left untouched. The transfers must
    /// be valid and must not share a PLIE (the caller checks both).
    pub fn import(
        &mut self,
        transfers: &[Transfer],
        imported_at: i64,
    ) -> Result<ImportReport, StoreError> {
        let groups = group_by_plie(transfers);
        let encoded: Vec<Encoded> = groups
            .into_par_iter()
            .map(|(plie, rows)| encode_rows(plie, rows, imported_at))
            .collect();
        let mut writer = Writer::begin(self)?;
        for e in encoded {
            writer.write(e)?;
        }
        let (report, wrote) = writer.finish()?;
        if wrote {
            self.compact_quietly();
        }
        Ok(report)
    }

    /// Starts an import: one write transaction, which [`Import::write`] fills PLIE by PLIE and
    /// [`Import::commit`] commits (dropped, it writes nothing). A store of format version 1 is
    /// converted in it first.
    pub fn begin_import(self) -> Result<Import, StoreError> {
        let writer = Writer::begin(&self)?;
        Ok(Import {
            writer,
            store: self,
        })
    }

    /// Whether the store holds `e`'s content as it is (and the summary this build writes): an
    /// import has nothing to write for it. Read through a read transaction, so that a re-import
    /// of unchanged content can leave the file byte for byte as it was.
    pub fn holds(&self, e: &Encoded) -> Result<bool, StoreError> {
        super::guarded("reading the store", || {
            let tx = self.begin_read()?;
            if super::stored_version(&tx, &self.path)? < 2 {
                return Ok(false);
            }
            let plie = e.record.plie.as_str();
            let records = match tx.open_table(PLIE) {
                Ok(t) => t,
                Err(redb::TableError::TableDoesNotExist(_)) => return Ok(false),
                Err(e) => return Err(e.into()),
            };
            let Some(v) = records.get(plie)? else {
                return Ok(false);
            };
            let what = || format!("the record of PLIE {plie}");
            let old = encoding::decode_record(v.value(), &what)?;
            if old.content_hash != e.record.content_hash {
                return Ok(false);
            }
            let summaries = match tx.open_table(SUMMARIES) {
                Ok(t) => t,
                Err(redb::TableError::TableDoesNotExist(_)) => return Ok(false),
                Err(e) => return Err(e.into()),
            };
            summary_is_current(&summaries, plie, e.record.parcours)
        })
    }

    /// [`Store::compact`], whose failure is not the import's: the import is committed whatever
    /// happens next, and a compaction that fails (a full disk) or panics (redb asserts on some
    /// files) leaves a larger file, not a wrong or lost corpus.
    fn compact_quietly(&mut self) {
        let _ = super::guarded("compacting the file", || self.compact());
    }
}

impl Encoded {
    /// What an import did with this PLIE, as its report says it.
    pub fn outcome(&self, outcome: PlieOutcome) -> ImportOutcome {
        ImportOutcome {
            plie: self.record.plie.clone(),
            outcome,
            parcours: self.record.parcours,
            etapes: self.record.etapes,
        }
    }
}

/// An import under way, owning its store: see [`Store::begin_import`].
pub struct Import {
    // Declared first, so that an import dropped uncommitted aborts before the store closes.
    writer: Writer,
    store: Store,
}

impl Import {
    /// Replaces the PLIE of `e` by its content, unless that content is the one stored.
    pub fn write(&mut self, e: Encoded) -> Result<(), StoreError> {
        self.writer.write(e)
    }

    /// Commits what was written (nothing is, when every PLIE was unchanged), then gives the
    /// freed pages back to the file system.
    pub fn commit(self) -> Result<ImportReport, StoreError> {
        let Import { writer, mut store } = self;
        let (report, wrote) = writer.finish()?;
        if wrote {
            store.compact_quietly();
        }
        Ok(report)
    }
}

/// One write transaction filled PLIE by PLIE.
struct Writer {
    tx: redb::WriteTransaction,
    report: ImportReport,
    derived_written: bool,
}

impl Writer {
    fn begin(store: &Store) -> Result<Writer, StoreError> {
        let Handle::ReadWrite(db) = &*store.handle else {
            return Err(StoreError::Io(std::io::Error::other(
                "the store was opened read-only",
            )));
        };
        let (tx, converted) = super::guarded("importing", || {
            let tx = db.begin_write()?;
            let converted = convert_v1(&tx, &store.path)?;
            Ok((tx, converted))
        })?;
        Ok(Writer {
            tx,
            report: ImportReport::default(),
            derived_written: converted,
        })
    }

    fn write(&mut self, e: Encoded) -> Result<(), StoreError> {
        let tx = &self.tx;
        let (outcome, derived) = super::guarded("importing", || write_plie(tx, &e))?;
        self.derived_written |= derived;
        self.report.plies.push(e.outcome(outcome));
        Ok(())
    }

    /// Commits if anything was written, else aborts: the report and whether it wrote.
    fn finish(self) -> Result<(ImportReport, bool), StoreError> {
        let Writer {
            tx,
            mut report,
            derived_written,
        } = self;
        report.plies.sort_by(|a, b| a.plie.cmp(&b.plie));
        let wrote = report.changed() || derived_written;
        super::guarded("importing", || {
            if wrote {
                tx.commit()?;
            } else {
                tx.abort()?;
            }
            Ok(())
        })?;
        Ok((report, wrote))
    }
}

/// Writes `e` in `tx` unless its content is stored: what happened, and whether derived data
/// (a summary of this build's layout) was written for an unchanged PLIE.
fn write_plie(tx: &redb::WriteTransaction, e: &Encoded) -> Result<(PlieOutcome, bool), StoreError> {
    let mut tables = Tables::open(tx)?;
    let plie = e.record.plie.as_str();
    let old_hash = match tables.records.get(plie)? {
        Some(v) => {
            let what = || format!("the record of PLIE {plie}");
            let old = encoding::decode_record(v.value(), &what)?;
            Some(old.content_hash)
        }
        None => None,
    };
    let outcome = match old_hash {
        Some(h) if h == e.record.content_hash => PlieOutcome::Unchanged,
        Some(_) => PlieOutcome::Replaced,
        None => PlieOutcome::New,
    };
    if outcome == PlieOutcome::Unchanged {
        // A store written before summaries existed, or with another layout, gets this build's:
        // derived data, so the PLIE's content is still unchanged.
        if !summary_is_current(&tables.summaries, plie, e.record.parcours)? {
            tables.summaries.insert(plie, e.summary.as_slice())?;
            return Ok((outcome, true));
        }
        return Ok((outcome, false));
    }
    tables.write(e)?;
    Ok((outcome, false))
}

/// The rows of one PLIE to import, as a transfer gives them.
pub struct PlieContent<'t> {
    pub plie: &'t str,
    /// The folder it came from.
    pub source: String,
    pub info: Option<&'t PlieInfo>,
    pub parcours: &'t [Parcours],
    /// Linked to `parcours` by index.
    pub etapes: &'t [LinkedEtape],
    pub financements: Vec<&'t Financement>,
    pub allocations: Vec<&'t Allocation>,
    pub activite: Vec<&'t Activite>,
}

/// Encodes one PLIE's rows into the values an [`Import`] writes (CPU work that needs no
/// transaction: PLIE encode in parallel while another is written).
pub fn encode_plie(content: PlieContent<'_>, imported_at: i64) -> Encoded {
    let rows = PlieRows {
        info: content.info,
        parcours: content.parcours.iter().collect(),
        etapes: content.etapes.into(),
        financements: content.financements,
        allocations: content.allocations,
        activite: content.activite,
        source: content.source,
    };
    encode_rows(content.plie, rows, imported_at)
}

fn encode_rows(plie: &str, rows: PlieRows<'_>, imported_at: i64) -> Encoded {
    let source = rows.source.clone();
    let mut e = encode(gather(plie, rows));
    e.record.imported_at = imported_at;
    e.record.source = source;
    e
}

impl Store {
    /// Gives back to the file system the pages an import freed (the PLIE it replaced, the
    /// batches of `generate --db`): redb reuses free pages but never shrinks its file by itself.
    /// Skipped while snapshots of this handle are alive (they may read those pages); redb
    /// compacts in transactions of its own, so a kill midway leaves the committed state.
    fn compact(&mut self) -> Result<(), StoreError> {
        if let Some(Handle::ReadWrite(db)) = std::sync::Arc::get_mut(&mut self.handle) {
            while db
                .compact()
                .map_err(|e| StoreError::from(redb::Error::from(e)))?
            {}
        }
        Ok(())
    }
}

/// The tables a PLIE's values go to, open in one write transaction.
struct Tables<'t> {
    records: redb::Table<'t, &'static str, &'static [u8]>,
    parcours: redb::Table<'t, (&'static str, u32, u8), &'static [u8]>,
    etapes: redb::Table<'t, (&'static str, u32, u8), &'static [u8]>,
    zones: redb::Table<'t, &'static str, &'static [u8]>,
    annexes: redb::Table<'t, &'static str, &'static [u8]>,
    summaries: redb::Table<'t, &'static str, &'static [u8]>,
}

impl<'t> Tables<'t> {
    fn open(tx: &'t redb::WriteTransaction) -> Result<Tables<'t>, StoreError> {
        Ok(Tables {
            records: tx.open_table(PLIE)?,
            parcours: tx.open_table(PARCOURS_COLUMNS)?,
            etapes: tx.open_table(ETAPES_COLUMNS)?,
            zones: tx.open_table(ZONES)?,
            annexes: tx.open_table(ANNEXES)?,
            summaries: tx.open_table(SUMMARIES)?,
        })
    }

    /// Replaces every value of `e`'s PLIE.
    fn write(&mut self, e: &Encoded) -> Result<(), StoreError> {
        let plie = e.record.plie.as_str();
        let all = (plie, 0, 0)..=(plie, u32::MAX, u8::MAX);
        self.parcours.retain_in(all.clone(), |_, _| false)?;
        self.etapes.retain_in(all, |_, _| false)?;
        for (n, segments) in e.parcours.iter().enumerate() {
            for (column, bytes) in segments {
                self.parcours
                    .insert((plie, n as u32, *column), bytes.as_slice())?;
            }
        }
        for (n, segments) in e.etapes.iter().enumerate() {
            for (column, bytes) in segments {
                self.etapes
                    .insert((plie, n as u32, *column), bytes.as_slice())?;
            }
        }
        self.zones.insert(plie, e.zones.as_slice())?;
        self.annexes.insert(plie, e.annexes.as_slice())?;
        self.summaries.insert(plie, e.summary.as_slice())?;
        self.records
            .insert(plie, encoding::encode(Kind::Plie, &e.record).as_slice())?;
        Ok(())
    }
}

/// Converts a store of format version 1 to version 2 inside `tx`: every PLIE re-encoded from its
/// chunks, the version 1 tables dropped, the meta's version raised. Whether it did.
fn convert_v1(tx: &redb::WriteTransaction, path: &std::path::Path) -> Result<bool, StoreError> {
    let version = {
        let meta = tx.open_table(META)?;
        let version = meta
            .get("format_version")?
            .and_then(|v| <[u8; 4]>::try_from(v.value()).ok())
            .map(u32::from_le_bytes);
        version
    };
    if version != Some(1) {
        return Ok(false);
    }
    // The PLIE one at a time: memory holds one PLIE's content, never the store's.
    let stored: Vec<PlieRecord> = {
        let records = tx.open_table(PLIE)?;
        let mut stored = Vec::new();
        for entry in records.iter()? {
            let (key, value) = entry?;
            let plie = key.value().to_owned();
            let what = || format!("the record of PLIE {plie}");
            stored.push(encoding::decode_record(value.value(), &what)?);
        }
        stored
    };
    let v1_parcours = tx.open_table(PARCOURS)?;
    let v1_keys = tx.open_table(KEYS)?;
    let v1_etapes = tx.open_table(ETAPES)?;
    let mut tables = Tables::open(tx)?;
    for record in stored {
        let plie = record.plie.clone();
        let mut content = Content {
            record: record.clone(),
            parcours: Vec::new(),
            keys: Keys::Chunks(Vec::new()),
            etapes: Vec::new(),
            annexes: Annexes::default(),
        };
        for n in 0..record.parcours_chunks {
            let what = || format!("PLIE {plie}: parcours chunk {n}");
            let bytes = v1_parcours
                .get((plie.as_str(), n))?
                .ok_or_else(|| StoreError::Corrupt(format!("{} is missing", what())))?;
            let chunk: ParcoursChunk = encoding::decode(Kind::Parcours, bytes.value(), &what)?;
            let what_keys = || format!("PLIE {plie}: keys chunk {n}");
            let bytes = v1_keys
                .get((plie.as_str(), n))?
                .ok_or_else(|| StoreError::Corrupt(format!("{} is missing", what_keys())))?;
            let keys: KeysChunk = encoding::decode(Kind::Keys, bytes.value(), &what_keys)?;
            // What a version 1 read checks, so that nothing a reader would refuse is converted.
            let rows = chunk.entree.len();
            if keys.participant.len() != rows || keys.commune.len() != rows {
                return Err(StoreError::Corrupt(format!(
                    "{}: {} keys for {rows} parcours",
                    what_keys(),
                    keys.participant.len()
                )));
            }
            let whole = super::Decoded {
                chunk,
                participants: Vec::new(),
                keys: KeysChunk::default(),
            };
            let columns = super::Columns::of(&super::ParcoursColumn::ALL[..21]);
            super::check_columns(&whole, columns, rows)
                .map_err(|why| StoreError::Corrupt(format!("{}: {why}", what())))?;
            content.parcours.push(whole.chunk);
            if let Keys::Chunks(chunks) = &mut content.keys {
                chunks.push(keys);
            }
        }
        let rows: u64 = content.parcours.iter().map(|c| c.entree.len() as u64).sum();
        if rows != record.parcours {
            return Err(StoreError::Corrupt(format!(
                "PLIE {plie}: {rows} parcours in its chunks, {} in its record",
                record.parcours
            )));
        }
        for n in 0..record.etapes_chunks {
            let what = || format!("PLIE {plie}: étapes chunk {n}");
            let bytes = v1_etapes
                .get((plie.as_str(), n))?
                .ok_or_else(|| StoreError::Corrupt(format!("{} is missing", what())))?;
            let chunk: EtapesChunk = encoding::decode(Kind::Etapes, bytes.value(), &what)?;
            let valid = [
                chunk.etape.len(),
                chunk.debut.len(),
                chunk.fin.len(),
                chunk.finance_plie.len(),
            ]
            .iter()
            .all(|&l| l == chunk.parcours.len())
                && chunk.parcours.iter().all(|&r| u64::from(r) < rows);
            if !valid {
                return Err(StoreError::Corrupt(format!(
                    "{}: columns of different lengths or a parcours row that does not exist",
                    what()
                )));
            }
            content.etapes.push(chunk);
        }
        if let Some(bytes) = tables.annexes.get(plie.as_str())? {
            let what = || format!("PLIE {plie}: annexes");
            content.annexes = encoding::decode(Kind::Annexes, bytes.value(), &what)?;
        }
        let mut e = encode(content);
        e.record.imported_at = record.imported_at;
        e.record.source = record.source;
        tables.write(&e)?;
    }
    drop((v1_parcours, v1_keys, v1_etapes, tables));
    for table in [PARCOURS, KEYS, ETAPES] {
        tx.delete_table(table)
            .map_err(|e| StoreError::from_table(path, e))?;
    }
    tx.open_table(META)?
        .insert("format_version", &2u32.to_le_bytes()[..])?;
    Ok(true)
}

fn group_by_plie(transfers: &[Transfer]) -> BTreeMap<&str, PlieRows<'_>> {
    let mut groups: BTreeMap<&str, PlieRows> = BTreeMap::new();
    let mut etapes: BTreeMap<&str, Vec<&Etape>> = BTreeMap::new();
    for t in transfers {
        let source = t.folder.display().to_string();
        for plie in &t.plies {
            groups.entry(plie.as_str()).or_default().source = source.clone();
        }
        for p in &t.plie_info {
            groups.entry(&p.plie).or_default().info = Some(p);
        }
        for p in &t.parcours {
            groups.entry(&p.plie).or_default().parcours.push(p);
        }
        for e in &t.etapes {
            etapes.entry(&e.plie).or_default().push(e);
        }
        for f in &t.financements {
            groups.entry(&f.plie).or_default().financements.push(f);
        }
        for a in &t.allocations {
            groups.entry(&a.plie).or_default().allocations.push(a);
        }
        for a in &t.activite {
            groups.entry(&a.plie).or_default().activite.push(a);
        }
    }
    for (plie, etapes) in etapes {
        let rows = groups.entry(plie).or_default();
        let row_of: HashMap<(&str, u16), u32> = rows
            .parcours
            .iter()
            .enumerate()
            .map(|(i, p)| ((p.participant.as_str(), p.entree.0), i as u32))
            .collect();
        rows.etapes = etapes
            .into_iter()
            .filter_map(|e| {
                Some(LinkedEtape {
                    parcours: *row_of.get(&(e.participant.as_str(), e.entree.0))?,
                    etape: e.etape,
                    debut: e.debut,
                    fin: e.fin,
                    finance_plie: e.finance_plie,
                })
            })
            .collect();
    }
    groups
}

fn opt_code<T: Copy + Into<u8>>(v: Option<T>) -> u8 {
    v.map_or(NONE, Into::into)
}

macro_rules! into_u8 {
    ($($t:ty),*) => {$(impl From<$t> for u8 { fn from(v: $t) -> u8 { v as u8 } })*};
}
into_u8!(
    crate::model::Employeur,
    crate::model::Taille,
    crate::model::Contrat,
    crate::model::Mesure,
    crate::model::Domaine,
    crate::model::Niveau,
    crate::model::Validation
);

fn parcours_chunk(rows: &[&Parcours]) -> ParcoursChunk {
    let mut c = ParcoursChunk::default();
    for p in rows {
        c.entree.push(p.entree.0);
        c.sortie.push(p.sortie.map_or(u16::MAX, |(d, _)| d.0));
        c.motif.push(p.sortie.map_or(NONE, |(_, m)| m as u8));
        c.sexe.push(p.sexe as u8);
        c.naissance.push(p.naissance.to_u16());
        c.age.push(p.age() as u8);
        c.public.push(p.public as u8);
        c.inscrit_pe.push(u8::from(p.inscrit_pe));
        c.th.push(u8::from(p.th));
        c.niveau.push(p.niveau as u8);
        c.inactivite.push(p.inactivite.to_u16());
        c.qpv.push(p.qpv.map_or(NONE, u8::from));
        let e = &p.emploi;
        c.emploi[0].push(e.secteur.unwrap_or(NONE));
        c.emploi[1].push(opt_code(e.employeur));
        c.emploi[2].push(opt_code(e.taille));
        c.emploi[3].push(opt_code(e.contrat));
        c.emploi[4].push(opt_code(e.mesure));
        let f = &p.formation;
        c.formation[0].push(opt_code(f.domaine));
        c.formation[1].push(opt_code(f.niveau));
        c.formation[2].push(opt_code(f.validation));
        c.formation_duree_mois
            .push(f.duree_mois.unwrap_or(u16::MAX));
    }
    c
}

/// The content of one PLIE of a transfer, in store order.
fn gather<'t>(plie: &str, mut rows: PlieRows<'t>) -> Content<'t> {
    // A canonical order, so that the same content always encodes (and hashes) the same.
    let mut order: Vec<u32> = (0..rows.parcours.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| {
        let (a, b) = (rows.parcours[a as usize], rows.parcours[b as usize]);
        (a.entree, &a.participant).cmp(&(b.entree, &b.participant))
    });
    let mut rank = vec![0u32; order.len()];
    for (at, &i) in order.iter().enumerate() {
        rank[i as usize] = at as u32;
    }
    rows.parcours = order.iter().map(|&i| rows.parcours[i as usize]).collect();
    let mut etapes: Vec<(u32, u8, u16, u16, u8)> = rows
        .etapes
        .iter()
        .map(|e| {
            (
                rank[e.parcours as usize],
                e.etape as u8,
                e.debut.0,
                e.fin.map_or(u16::MAX, |d| d.0),
                u8::from(e.finance_plie),
            )
        })
        .collect();
    etapes.sort_unstable();
    let parcours = rows
        .parcours
        .chunks(CHUNK_ROWS)
        .map(parcours_chunk)
        .collect();
    let etapes = etapes
        .chunks(CHUNK_ROWS)
        .map(|chunk| {
            let mut c = EtapesChunk::default();
            for &(row, etape, debut, fin, finance) in chunk {
                c.parcours.push(row);
                c.etape.push(etape);
                c.debut.push(debut);
                c.fin.push(fin);
                c.finance_plie.push(finance);
            }
            c
        })
        .collect();
    let mut annexes = Annexes {
        financements: rows
            .financements
            .iter()
            .map(|f| {
                (
                    f.annee,
                    f.axe,
                    f.financeur as u8,
                    f.direct_centimes,
                    f.indirect_centimes,
                    f.mobilise,
                )
            })
            .collect(),
        allocations: rows
            .allocations
            .iter()
            .map(|a| {
                (
                    a.annee,
                    a.structure as u8,
                    a.montant_centimes,
                    a.dont_fse_centimes,
                )
            })
            .collect(),
        activite: rows
            .activite
            .iter()
            .map(|a| (a.annee, a.indicateur.clone(), a.valeur_centiemes))
            .collect(),
    };
    annexes.financements.sort_unstable();
    annexes.allocations.sort_unstable();
    annexes.activite.sort_unstable();
    let info = rows.info.cloned().unwrap_or_default();
    Content {
        record: PlieRecord {
            plie: plie.to_owned(),
            nom: info.nom,
            departement: info.departement,
            region: info.region,
            communes: info.communes,
            structure_porteuse: info.structure_porteuse,
            gestion_fse: info.gestion_fse.map(|g| g as u8),
            extraction: info.extraction.map(|d| d.0),
            complet_depuis: info.complet_depuis.map(|d| d.0),
            fenetre_declaree: u8::from(info.extraction.is_some()) * PlieRecord::EXTRACTION_DECLAREE
                + u8::from(info.complet_depuis.is_some()) * PlieRecord::COMPLET_DECLARE,
            ..PlieRecord::default()
        },
        parcours,
        keys: Keys::Rows(rows.parcours),
        etapes,
        annexes,
    }
}

/// The values of `content`: segments, zone maps, summary and the record with its counts and
/// content hash (its bookkeeping, `imported_at` and `source`, left for the caller).
fn encode(content: Content) -> Encoded {
    let (numbers, participants) = columns::participant_numbers(content.keys.participants());
    let mut numbers = numbers.as_slice();
    let parcours: Vec<Vec<(u8, Vec<u8>)>> = content
        .parcours
        .iter()
        .enumerate()
        .map(|(n, chunk)| {
            let (own, rest) = numbers.split_at(chunk.entree.len());
            numbers = rest;
            let (keys, communes) = content.keys.chunk(n);
            columns::encode_parcours(chunk, &keys, &communes, own)
                .into_iter()
                .map(|(c, bytes)| (c as u8, encoding::wrap(Kind::ParcoursSegment, &bytes)))
                .collect()
        })
        .collect();
    let etapes: Vec<Vec<(u8, Vec<u8>)>> = content
        .etapes
        .iter()
        .map(|chunk| {
            columns::encode_etapes(chunk)
                .into_iter()
                .map(|(c, bytes)| (c as u8, encoding::wrap(Kind::EtapesSegment, &bytes)))
                .collect()
        })
        .collect();
    let zones = Zones {
        parcours: content.parcours.iter().map(ParcoursZone::of).collect(),
        etapes: content
            .etapes
            .iter()
            .map(|c| EtapesZone {
                rows: c.parcours.len() as u32,
                parcours: (
                    c.parcours.first().copied().unwrap_or(0),
                    c.parcours.last().copied().unwrap_or(0),
                ),
            })
            .collect(),
        participants,
    };
    let zones = encoding::encode(Kind::Zones, &zones);
    let summary = encoding::encode(Kind::Summary, &PlieSummary::of(&content.parcours));
    let annexes = encoding::encode(Kind::Annexes, &content.annexes);
    let years = content
        .parcours
        .iter()
        .flat_map(|c| c.entree.iter().zip(&c.sortie))
        .map(|(&e, &s)| {
            let entry = crate::model::Day(e).year();
            let exit = if s == u16::MAX {
                entry
            } else {
                crate::model::Day(s).year()
            };
            (entry, exit)
        })
        .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)));
    let mut record = PlieRecord {
        content_hash: 0,
        parcours: content.parcours.iter().map(|c| c.entree.len() as u64).sum(),
        etapes: content.etapes.iter().map(|c| c.parcours.len() as u64).sum(),
        parcours_chunks: parcours.len() as u32,
        etapes_chunks: etapes.len() as u32,
        financements: content.annexes.financements.len() as u64,
        allocations: content.annexes.allocations.len() as u64,
        activite: content.annexes.activite.len() as u64,
        years,
        imported_at: 0,
        source: String::new(),
        ..content.record
    };
    record.derive_window(&content.parcours, &content.etapes);
    // The hash covers the content (the record without its bookkeeping, and every value).
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(&record.content_bytes());
    for (column, bytes) in parcours.iter().chain(&etapes).flatten() {
        hasher.update(&[*column]);
        hasher.update(&(bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    }
    hasher.update(&annexes);
    record.content_hash = hasher.digest128();
    Encoded {
        record,
        parcours,
        etapes,
        zones,
        annexes,
        summary,
    }
}

/// Whether `plie` has a summary of this build's layout that passes the checks of a read.
fn summary_is_current(
    summaries: &impl ReadableTable<&'static str, &'static [u8]>,
    plie: &str,
    parcours: u64,
) -> Result<bool, StoreError> {
    let Some(bytes) = summaries.get(plie)? else {
        return Ok(false);
    };
    let what = || format!("the summary of PLIE {plie}");
    Ok(
        encoding::decode::<PlieSummary>(Kind::Summary, bytes.value(), &what)
            .is_ok_and(|s| s.layout == SUMMARY_LAYOUT && s.check(parcours).is_ok()),
    )
}
