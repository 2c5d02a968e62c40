//! A read snapshot of the store: one redb read transaction, kept open, with the small values a
//! query plans with (PLIE records, zone maps) read up front, and the summaries and the column
//! segments read on demand, chunk by chunk and column by column.
//!
//! An import that commits after the snapshot was taken does not change what it reads (redb's
//! MVCC): a host can import through its [`Store`] while snapshots taken before go on answering.

use std::path::PathBuf;

use redb::{ReadOnlyTable, ReadTransaction};

use super::columns::{self, Columns, EtapesColumn, ParcoursColumn, ParcoursZone, Zones};
use super::encoding::{self, Kind};
use super::{
    guarded, read_records, read_summary, Annexes, EtapesChunk, KeysChunk, ParcoursChunk,
    PlieRecord, PlieSummary, Store, StoreError, ANNEXES, CHUNK_ROWS, ETAPES, ETAPES_COLUMNS, KEYS,
    PARCOURS, PARCOURS_COLUMNS, ZONES,
};

type ColumnTable = ReadOnlyTable<(&'static str, u32, u8), &'static [u8]>;

/// Where the parcours and étapes of the snapshot are.
enum Layout {
    /// Format version 1: whole chunks, decoded when the snapshot is taken (version 1 stores are
    /// the small stores written before segments; the next import converts them).
    V1 {
        parcours: Vec<Vec<Decoded>>,
        etapes: Vec<Vec<EtapesChunk>>,
    },
    /// Format version 2: one segment per column, read when asked.
    V2 {
        parcours: Box<ColumnTable>,
        etapes: Box<ColumnTable>,
    },
}

/// The columns of one chunk of parcours that a read asked for; the others are empty.
#[derive(Debug, Clone, Default)]
pub struct Decoded {
    pub chunk: ParcoursChunk,
    /// [`ParcoursColumn::Participant`]: the participant's number within its PLIE.
    pub participants: Vec<u32>,
    /// [`ParcoursColumn::Key`] and [`ParcoursColumn::Commune`].
    pub keys: KeysChunk,
}

impl Decoded {
    /// Empties every column, keeping their memory: a column a read does not ask for is then
    /// empty, never a former chunk's.
    fn clear(&mut self) {
        let c = &mut self.chunk;
        for v in [
            &mut c.motif,
            &mut c.sexe,
            &mut c.age,
            &mut c.public,
            &mut c.inscrit_pe,
            &mut c.th,
            &mut c.niveau,
            &mut c.qpv,
        ]
        .into_iter()
        .chain(c.emploi.iter_mut())
        .chain(c.formation.iter_mut())
        {
            v.clear();
        }
        for v in [
            &mut c.entree,
            &mut c.sortie,
            &mut c.naissance,
            &mut c.inactivite,
            &mut c.formation_duree_mois,
        ] {
            v.clear();
        }
        self.participants.clear();
        self.keys.participant.clear();
        self.keys.commune.clear();
    }
}

/// One consistent state of the store (see the module documentation).
pub struct Snapshot {
    path: PathBuf,
    layout: Layout,
    annexes: ReadOnlyTable<&'static str, &'static [u8]>,
    records: Vec<PlieRecord>,
    zones: Vec<Zones>,
    /// Keeps the tables above alive, and reads the summaries.
    tx: ReadTransaction,
    _db: std::sync::Arc<super::Handle>,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("path", &self.path)
            .field("plies", &self.records.len())
            .finish()
    }
}

impl Store {
    /// A snapshot of the PLIE whose record passes `keep`: their records, zone maps and
    /// summaries are read now, their columns when asked.
    pub fn snapshot(&self, keep: &dyn Fn(&PlieRecord) -> bool) -> Result<Snapshot, StoreError> {
        guarded("reading the snapshot", || Snapshot::take(self, keep))
    }
}

impl Snapshot {
    fn take(store: &Store, keep: &dyn Fn(&PlieRecord) -> bool) -> Result<Snapshot, StoreError> {
        let tx = store.begin_read()?;
        let version = super::stored_version(&tx, &store.path)?;
        let mut records = read_records(&tx)?;
        records.retain(|r| keep(r));
        let table_error = |e| StoreError::from_table(&store.path, e);
        let annexes = tx.open_table(ANNEXES).map_err(table_error)?;
        let (layout, zones) = if version == 1 {
            let (parcours, etapes) = read_v1(&tx, &records, &store.path)?;
            let zones = parcours
                .iter()
                .zip(&etapes)
                .map(|(chunks, etapes)| v1_zones(chunks, etapes))
                .collect();
            (Layout::V1 { parcours, etapes }, zones)
        } else {
            let zone_table = tx.open_table(ZONES).map_err(table_error)?;
            let zones = records
                .iter()
                .map(|r| {
                    let what = || format!("the zone maps of PLIE {}", r.plie);
                    let bytes = zone_table
                        .get(r.plie.as_str())?
                        .ok_or_else(|| StoreError::Corrupt(format!("{} are missing", what())))?;
                    let zones: Zones = encoding::decode(Kind::Zones, bytes.value(), &what)?;
                    check_zones(r, &zones)
                        .map_err(|why| StoreError::Corrupt(format!("{}: {why}", what())))?;
                    Ok(zones)
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            let layout = Layout::V2 {
                parcours: Box::new(tx.open_table(PARCOURS_COLUMNS).map_err(table_error)?),
                etapes: Box::new(tx.open_table(ETAPES_COLUMNS).map_err(table_error)?),
            };
            (layout, zones)
        };
        Ok(Snapshot {
            path: store.path.clone(),
            layout,
            annexes,
            records,
            zones,
            tx,
            _db: store.handle.clone(),
        })
    }

    /// The PLIE of the snapshot, sorted by code.
    pub fn records(&self) -> &[PlieRecord] {
        &self.records
    }

    /// The zone maps of PLIE `p` (index in [`Snapshot::records`]).
    pub fn zones(&self, p: usize) -> &Zones {
        &self.zones[p]
    }

    /// The summary of each PLIE, checked; `None` for a PLIE of a store written before summaries
    /// (until its next import).
    pub fn summaries(&self) -> Result<Vec<Option<PlieSummary>>, StoreError> {
        guarded("reading the summaries", || {
            self.records
                .iter()
                .map(|r| read_summary(&self.tx, r))
                .collect()
        })
    }

    /// The store format the snapshot reads (1 or 2).
    pub fn format_version(&self) -> u16 {
        match self.layout {
            Layout::V1 { .. } => 1,
            Layout::V2 { .. } => 2,
        }
    }

    /// The columns `columns` of chunk `chunk` of PLIE `p`, checked: lengths agree with the zone
    /// map and codes are in range, so a damaged segment is an error naming it, never a figure.
    pub fn parcours(&self, p: usize, chunk: u32, columns: Columns) -> Result<Decoded, StoreError> {
        let mut decoded = Decoded::default();
        self.parcours_into(p, chunk, columns, &mut decoded)?;
        Ok(decoded)
    }

    /// [`Snapshot::parcours`] into `decoded`, whose vectors are emptied first and reused: a
    /// reader that keeps one per thread allocates nothing from chunk to chunk.
    pub fn parcours_into(
        &self,
        p: usize,
        chunk: u32,
        columns: Columns,
        decoded: &mut Decoded,
    ) -> Result<(), StoreError> {
        decoded.clear();
        let record = &self.records[p];
        let rows = self.zones[p]
            .parcours
            .get(chunk as usize)
            .map(|z| z.rows as usize)
            .ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "PLIE {}: parcours chunk {chunk} does not exist",
                    record.plie
                ))
            })?;
        match &self.layout {
            Layout::V1 { parcours, .. } => {
                let full = &parcours[p][chunk as usize];
                *decoded = select_v1(full, columns);
            }
            Layout::V2 { parcours, .. } => guarded("reading the parcours", || {
                let mut scratch = Vec::new();
                // The exit days are stored from the entry days.
                let wanted = if columns.contains(ParcoursColumn::Sortie) {
                    columns.with(ParcoursColumn::Entree)
                } else {
                    columns
                };
                for column in wanted.iter() {
                    let what = || {
                        format!(
                            "PLIE {}: parcours chunk {chunk}, column {}",
                            record.plie,
                            column.name()
                        )
                    };
                    let bytes = parcours
                        .get((record.plie.as_str(), chunk, column as u8))?
                        .ok_or_else(|| StoreError::Corrupt(format!("{} is missing", what())))?;
                    let payload = encoding::unwrap(Kind::ParcoursSegment, bytes.value(), &what)?;
                    columns::decode_parcours(
                        column,
                        payload,
                        &mut decoded.chunk,
                        &mut decoded.participants,
                        &mut decoded.keys,
                        &mut scratch,
                    )
                    .map_err(|why| StoreError::Corrupt(format!("{}: {why}", what())))?;
                }
                Ok(())
            })?,
        }
        let what = || format!("PLIE {}: parcours chunk {chunk}", record.plie);
        super::check_columns(decoded, columns, rows)
            .map_err(|why| StoreError::Corrupt(format!("{}: {why}", what())))?;
        if !columns.contains(ParcoursColumn::Entree) && columns.contains(ParcoursColumn::Sortie) {
            // Read for the exit days only: not asked, so not handed out.
            decoded.chunk.entree.clear();
        }
        Ok(())
    }

    /// The columns `columns` of étapes chunk `chunk` of PLIE `p`, checked as
    /// [`Snapshot::parcours`] is; the parcours rows they name exist.
    pub fn etapes(
        &self,
        p: usize,
        chunk: u32,
        columns: &[EtapesColumn],
    ) -> Result<EtapesChunk, StoreError> {
        let record = &self.records[p];
        let what = || format!("PLIE {}: étapes chunk {chunk}", record.plie);
        let zone = self.zones[p]
            .etapes
            .get(chunk as usize)
            .ok_or_else(|| StoreError::Corrupt(format!("{} does not exist", what())))?;
        let mut etapes = match &self.layout {
            Layout::V1 { etapes, .. } => etapes[p][chunk as usize].clone(),
            Layout::V2 { etapes, .. } => guarded("reading the étapes", || {
                let mut out = EtapesChunk::default();
                let mut scratch = Vec::new();
                let mut wanted: Vec<EtapesColumn> = columns.to_vec();
                if wanted.contains(&EtapesColumn::Fin) && !wanted.contains(&EtapesColumn::Debut) {
                    wanted.push(EtapesColumn::Debut);
                }
                wanted.sort_by_key(|&c| c as u8);
                for column in wanted {
                    let what = || format!("{}, column {}", what(), column.name());
                    let bytes = etapes
                        .get((record.plie.as_str(), chunk, column as u8))?
                        .ok_or_else(|| StoreError::Corrupt(format!("{} is missing", what())))?;
                    let payload = encoding::unwrap(Kind::EtapesSegment, bytes.value(), &what)?;
                    columns::decode_etapes(column, payload, &mut out, &mut scratch)
                        .map_err(|why| StoreError::Corrupt(format!("{}: {why}", what())))?;
                }
                Ok(out)
            })?,
        };
        let rows = zone.rows as usize;
        let parcours = self.records[p].parcours;
        let ok =
            columns.iter().all(|c| {
                let len = match c {
                    EtapesColumn::Parcours => etapes.parcours.len(),
                    EtapesColumn::Etape => etapes.etape.len(),
                    EtapesColumn::Debut => etapes.debut.len(),
                    EtapesColumn::Fin => etapes.fin.len(),
                    EtapesColumn::FinancePlie => etapes.finance_plie.len(),
                };
                len == rows
            }) && etapes.parcours.iter().all(|&r| {
                (zone.parcours.0..=zone.parcours.1).contains(&r) && u64::from(r) < parcours
            }) && etapes
                .etape
                .iter()
                .all(|&e| usize::from(e) < crate::model::EtapeType::ALL.len())
                && etapes.finance_plie.iter().all(|&f| f <= 1);
        if !ok {
            return Err(StoreError::Corrupt(format!(
                "{}: columns of the wrong length or codes out of range",
                what()
            )));
        }
        if !columns.contains(&EtapesColumn::Debut) {
            etapes.debut = Vec::new();
        }
        Ok(etapes)
    }

    /// The optional files (financements, allocations, activite) of PLIE `p`.
    pub fn annexes(&self, p: usize) -> Result<Annexes, StoreError> {
        guarded("reading the optional files", || {
            let record = &self.records[p];
            let what = || format!("PLIE {}: annexes", record.plie);
            match self.annexes.get(record.plie.as_str())? {
                Some(bytes) => encoding::decode(Kind::Annexes, bytes.value(), &what),
                None => Ok(Annexes::default()),
            }
        })
    }

    /// The file the snapshot was read from.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}

/// The columns of a whole version 1 chunk a read asked for.
fn select_v1(full: &Decoded, columns: Columns) -> Decoded {
    use ParcoursColumn as C;
    let c = &full.chunk;
    let mut out = Decoded::default();
    let o = &mut out.chunk;
    let take = |column: C| columns.contains(column);
    if take(C::Entree) {
        o.entree = c.entree.clone();
    }
    if take(C::Sortie) {
        o.sortie = c.sortie.clone();
    }
    let [e0, e1, e2, e3, e4] = &mut o.emploi;
    let [f0, f1, f2] = &mut o.formation;
    let codes: [(C, &Vec<u8>, &mut Vec<u8>); 16] = [
        (C::Motif, &c.motif, &mut o.motif),
        (C::Sexe, &c.sexe, &mut o.sexe),
        (C::Age, &c.age, &mut o.age),
        (C::Public, &c.public, &mut o.public),
        (C::InscritPe, &c.inscrit_pe, &mut o.inscrit_pe),
        (C::Th, &c.th, &mut o.th),
        (C::Niveau, &c.niveau, &mut o.niveau),
        (C::Qpv, &c.qpv, &mut o.qpv),
        (C::EmploiSecteur, &c.emploi[0], e0),
        (C::EmploiEmployeur, &c.emploi[1], e1),
        (C::EmploiTaille, &c.emploi[2], e2),
        (C::EmploiContrat, &c.emploi[3], e3),
        (C::EmploiMesure, &c.emploi[4], e4),
        (C::FormationDomaine, &c.formation[0], f0),
        (C::FormationNiveau, &c.formation[1], f1),
        (C::FormationValidation, &c.formation[2], f2),
    ];
    for (column, from, to) in codes {
        if take(column) {
            to.clone_from(from);
        }
    }
    if take(C::Naissance) {
        o.naissance = c.naissance.clone();
    }
    if take(C::Inactivite) {
        o.inactivite = c.inactivite.clone();
    }
    if take(C::FormationDuree) {
        o.formation_duree_mois = c.formation_duree_mois.clone();
    }
    if take(C::Participant) {
        out.participants = full.participants.clone();
    }
    if take(C::Key) {
        out.keys.participant = full.keys.participant.clone();
    }
    if take(C::Commune) {
        out.keys.commune = full.keys.commune.clone();
    }
    out
}

/// Every chunk of every PLIE of a version 1 store, whole, with participant numbers.
#[allow(clippy::type_complexity)]
fn read_v1(
    tx: &ReadTransaction,
    records: &[PlieRecord],
    path: &std::path::Path,
) -> Result<(Vec<Vec<Decoded>>, Vec<Vec<EtapesChunk>>), StoreError> {
    let table_error = |e| StoreError::from_table(path, e);
    let parcours = tx.open_table(PARCOURS).map_err(table_error)?;
    let keys = tx.open_table(KEYS).map_err(table_error)?;
    let etapes = tx.open_table(ETAPES).map_err(table_error)?;
    let get = |table: &ReadOnlyTable<(&str, u32), &[u8]>, plie: &str, n: u32, name: &str| {
        table
            .get((plie, n))?
            .map(|v| v.value().to_vec())
            .ok_or_else(|| StoreError::Corrupt(format!("PLIE {plie}: {name} chunk {n} is missing")))
    };
    let mut all_parcours = Vec::with_capacity(records.len());
    let mut all_etapes = Vec::with_capacity(records.len());
    for record in records {
        let plie = record.plie.as_str();
        let mut chunks = Vec::new();
        for n in 0..record.parcours_chunks {
            let what = || format!("PLIE {plie}: parcours chunk {n}");
            let chunk: ParcoursChunk =
                encoding::decode(Kind::Parcours, &get(&parcours, plie, n, "parcours")?, &what)?;
            let what = || format!("PLIE {plie}: keys chunk {n}");
            let k: KeysChunk = encoding::decode(Kind::Keys, &get(&keys, plie, n, "keys")?, &what)?;
            if k.participant.len() != chunk.entree.len() || k.commune.len() != chunk.entree.len() {
                return Err(StoreError::Corrupt(format!(
                    "{}: {} keys for {} parcours",
                    what(),
                    k.participant.len(),
                    chunk.entree.len()
                )));
            }
            chunks.push(Decoded {
                chunk,
                participants: Vec::new(),
                keys: k,
            });
        }
        let (numbers, _) = columns::participant_numbers(
            chunks
                .iter()
                .flat_map(|d| d.keys.participant.iter().map(String::as_str)),
        );
        let mut numbers = numbers.into_iter();
        for d in &mut chunks {
            d.participants = numbers.by_ref().take(d.chunk.entree.len()).collect();
        }
        let rows: u64 = chunks.iter().map(|d| d.chunk.entree.len() as u64).sum();
        if rows != record.parcours {
            return Err(StoreError::Corrupt(format!(
                "PLIE {plie}: {rows} parcours in its chunks, {} in its record",
                record.parcours
            )));
        }
        let mut etapes_chunks = Vec::new();
        for n in 0..record.etapes_chunks {
            let what = || format!("PLIE {plie}: étapes chunk {n}");
            let bytes = get(&etapes, plie, n, "étapes")?;
            etapes_chunks.push(encoding::decode(Kind::Etapes, &bytes, &what)?);
        }
        all_parcours.push(chunks);
        all_etapes.push(etapes_chunks);
    }
    Ok((all_parcours, all_etapes))
}

fn v1_zones(chunks: &[Decoded], etapes: &[EtapesChunk]) -> Zones {
    Zones {
        parcours: chunks.iter().map(|d| ParcoursZone::of(&d.chunk)).collect(),
        etapes: etapes
            .iter()
            .map(|c| columns::EtapesZone {
                rows: c.parcours.len() as u32,
                parcours: (
                    c.parcours.iter().copied().min().unwrap_or(0),
                    c.parcours.iter().copied().max().unwrap_or(0),
                ),
            })
            .collect(),
        participants: chunks
            .iter()
            .flat_map(|d| d.participants.iter().map(|&n| n + 1))
            .max()
            .unwrap_or(0),
    }
}

/// The zone maps agree with the record: as many chunks and rows, no chunk over the limit.
fn check_zones(record: &PlieRecord, zones: &Zones) -> Result<(), String> {
    let rows: u64 = zones.parcours.iter().map(|z| u64::from(z.rows)).sum();
    let etapes: u64 = zones.etapes.iter().map(|z| u64::from(z.rows)).sum();
    let sizes_ok = zones
        .parcours
        .iter()
        .map(|z| z.rows)
        .chain(zones.etapes.iter().map(|z| z.rows))
        .all(|n| n > 0 && n as usize <= CHUNK_ROWS);
    if zones.parcours.len() != record.parcours_chunks as usize
        || zones.etapes.len() != record.etapes_chunks as usize
        || rows != record.parcours
        || etapes != record.etapes
        || !sizes_ok
    {
        return Err(format!(
            "{} chunks of {rows} parcours and {etapes} étapes, the record says {} of {} and {}",
            zones.parcours.len(),
            record.parcours_chunks,
            record.parcours,
            record.etapes
        ));
    }
    Ok(())
}
