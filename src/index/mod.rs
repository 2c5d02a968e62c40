//! The corpus a query reads: one read snapshot of the store, with what a query plans with held in
//! memory (the PLIE, their territories, each chunk's zone map, the summaries) and the columns read
//! only when a query asks for them, chunk by chunk ([`Corpus::fold_chunks`]), then dropped.
//!
//! Rows are numbered globally: chunk `k` starts at `k * 65 536`, so each chunk is exactly one
//! roaring container and the bitmaps of different chunks never touch.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use roaring::RoaringBitmap;

pub(crate) use crate::model::year_code;
use crate::model::Inactivite;
use crate::store::{
    Columns, ParcoursChunk, ParcoursColumn, ParcoursZone, PlieRecord, PlieSummary, Snapshot, Store,
    StoreError, CHUNK_ROWS,
};

mod fenetre;
mod scope;

pub(crate) use fenetre::non_observe_error;
pub use fenetre::{Fenetre, Observation};

pub use scope::{Scope, ScopeError};

/// The year code of a parcours still open: greater than every real year.
pub(crate) const OPEN: u8 = u8::MAX;

/// A per-row column of the corpus that a dimension or filter can read: a stored column, or one
/// derived from it when the chunk is decoded (years, inactivity band).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Column {
    Sexe,
    Age,
    Public,
    InscritPe,
    Th,
    Niveau,
    Qpv,
    InactiviteBand,
    AnneeEntree,
    AnneeSortie,
    Motif,
}

impl Column {
    /// The stored column it is read or derived from.
    pub fn stored(self) -> ParcoursColumn {
        match self {
            Column::Sexe => ParcoursColumn::Sexe,
            Column::Age => ParcoursColumn::Age,
            Column::Public => ParcoursColumn::Public,
            Column::InscritPe => ParcoursColumn::InscritPe,
            Column::Th => ParcoursColumn::Th,
            Column::Niveau => ParcoursColumn::Niveau,
            Column::Qpv => ParcoursColumn::Qpv,
            Column::InactiviteBand => ParcoursColumn::Inactivite,
            Column::AnneeEntree => ParcoursColumn::Entree,
            Column::AnneeSortie => ParcoursColumn::Sortie,
            Column::Motif => ParcoursColumn::Motif,
        }
    }
}

/// What the corpus knows of one chunk of parcours without reading it.
#[derive(Debug, Clone)]
pub(crate) struct ChunkInfo {
    /// Index of the PLIE in [`Corpus::plies`].
    pub plie: u16,
    /// The chunk's number within its PLIE.
    pub number: u32,
    /// Global number of the first row.
    pub base: u32,
    pub rows: u32,
    /// Smallest entry year and largest exit year code (`OPEN` if a row is open): a period outside
    /// them skips the chunk.
    pub min_entree: u8,
    pub max_sortie: u8,
    pub zone: ParcoursZone,
}

impl ChunkInfo {
    /// Whether a parcours of the chunk may be in parcours at some time of the year codes
    /// `(first, last)`.
    pub fn may_be_active(&self, (first, last): (i32, i32)) -> bool {
        i32::from(self.min_entree) <= last
            && (self.max_sortie == OPEN || i32::from(self.max_sortie) >= first)
    }
}

/// One chunk of parcours as a query reads it: the columns it asked for (the others empty), with
/// the derived columns of those it read.
#[derive(Debug, Default)]
pub(crate) struct Chunk {
    /// Index of the PLIE in [`Corpus::plies`].
    pub plie: u16,
    /// Global number of the first row.
    pub base: u32,
    pub rows: usize,
    pub raw: ParcoursChunk,
    /// Each row's participant number within its PLIE.
    pub participants: Vec<u32>,
    /// Derived from `raw.entree` and `raw.sortie` the first time a kernel reads them (the scan
    /// of the cross-tabs and tables reads the days themselves).
    annee_entree: std::cell::OnceCell<Vec<u8>>,
    annee_sortie: std::cell::OnceCell<Vec<u8>>,
    /// Derived from `raw.inactivite` the first time a dimension or filter reads it.
    inactivite_band: std::cell::OnceCell<Vec<u8>>,
}

impl Chunk {
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Each row's entry year code (years since 1990).
    pub fn annee_entree(&self) -> &[u8] {
        self.annee_entree.get_or_init(|| {
            let years = crate::model::year_codes();
            self.raw.entree.iter().map(|&d| years[d as usize]).collect()
        })
    }

    /// Each row's exit year code, `OPEN` while in parcours.
    pub fn annee_sortie(&self) -> &[u8] {
        self.annee_sortie.get_or_init(|| {
            let years = crate::model::year_codes();
            self.raw
                .sortie
                .iter()
                .map(|&d| {
                    if d == u16::MAX {
                        OPEN
                    } else {
                        years[d as usize]
                    }
                })
                .collect()
        })
    }

    pub fn column(&self, column: Column) -> &[u8] {
        match column {
            Column::Sexe => &self.raw.sexe,
            Column::Age => &self.raw.age,
            Column::Public => &self.raw.public,
            Column::InscritPe => &self.raw.inscrit_pe,
            Column::Th => &self.raw.th,
            Column::Niveau => &self.raw.niveau,
            Column::Qpv => &self.raw.qpv,
            Column::InactiviteBand => self.inactivite_band.get_or_init(|| {
                let bands = Inactivite::bands();
                self.raw
                    .inactivite
                    .iter()
                    .map(|&m| bands[m as usize])
                    .collect()
            }),
            Column::AnneeEntree => self.annee_entree(),
            Column::AnneeSortie => self.annee_sortie(),
            Column::Motif => &self.raw.motif,
        }
    }
}

/// Every parcours of a store snapshot, ready for queries. Build it with [`Corpus::load`]: it
/// reads the PLIE records, zone maps and summaries, and keeps the snapshot open, so that it
/// answers from the same state however long it lives and whatever is imported meanwhile.
#[derive(Debug)]
pub struct Corpus {
    pub(crate) plies: Vec<PlieRecord>,
    /// Per PLIE, its index in `departements` / `regions`.
    pub(crate) plie_departement: Vec<u16>,
    pub(crate) plie_region: Vec<u16>,
    /// Sorted codes, `?` for a PLIE absent from plie.csv.
    pub(crate) departements: Vec<String>,
    pub(crate) regions: Vec<String>,
    /// Every chunk of parcours, grouped by PLIE in order.
    pub(crate) chunks: Vec<ChunkInfo>,
    /// Per PLIE (as `plies`), its summary; `None` unless every PLIE has one. Read the first
    /// time a query asks (a scan never does).
    summaries: std::sync::OnceLock<Option<Vec<PlieSummary>>>,
    /// Loaded without parcours (by `tables::Summaries`): only the summary path may answer.
    pub(crate) summaries_only: bool,
    /// Where the columns are read; `None` for a corpus of summaries only.
    snapshot: Option<Snapshot>,
    bitmaps: Mutex<HashMap<Column, Arc<Vec<RoaringBitmap>>>>,
    active: Mutex<HashMap<u8, Arc<RoaringBitmap>>>,
}

impl Corpus {
    /// A corpus of every PLIE of `store`, on one read snapshot.
    pub fn load(store: &Store) -> Result<Corpus, StoreError> {
        Corpus::load_scoped(store, &Scope::all())
    }

    /// The corpus of the PLIE of `snapshot`.
    pub(crate) fn of_snapshot(snapshot: Snapshot) -> Corpus {
        let plies = snapshot.records().to_vec();
        let mut corpus = Corpus::of_plies(plies, None);
        let mut chunks = Vec::new();
        for p in 0..corpus.plies.len() {
            for (number, zone) in snapshot.zones(p).parcours.iter().enumerate() {
                let k = chunks.len();
                let min_entree = year_code(zone.entree.0);
                let max_sortie = match zone.sortie {
                    _ if zone.open => OPEN,
                    Some((_, last)) => year_code(last),
                    None => 0,
                };
                chunks.push(ChunkInfo {
                    plie: p as u16,
                    number: number as u32,
                    base: (k * CHUNK_ROWS) as u32,
                    rows: zone.rows,
                    min_entree,
                    max_sortie,
                    zone: zone.clone(),
                });
            }
        }
        // A record of layout 1 has no window: derived from its zone maps as an import derives
        // it (its étapes aside: those stores predate the window).
        for (p, record) in corpus.plies.iter_mut().enumerate() {
            let zones = chunks.iter().filter(|c| c.plie as usize == p);
            let (mut first, mut last) = (None::<u16>, None::<u16>);
            for c in zones {
                let z = &c.zone;
                first = Some(first.map_or(z.entree.0, |f| f.min(z.entree.0)));
                let l = z.sortie.map_or(z.entree.1, |s| s.1.max(z.entree.1));
                last = Some(last.map_or(l, |x| x.max(l)));
            }
            if record.extraction.is_none() {
                record.extraction = last;
            }
            if record.complet_depuis.is_none() {
                record.complet_depuis = first.map(crate::store::january_first);
            }
        }
        corpus.chunks = chunks;
        corpus.snapshot = Some(snapshot);
        corpus
    }

    /// A corpus of `plies` without parcours, with their summaries if given (else read from the
    /// snapshot when asked).
    pub(crate) fn of_plies(
        plies: Vec<PlieRecord>,
        summaries: Option<Vec<Option<PlieSummary>>>,
    ) -> Corpus {
        let cell = std::sync::OnceLock::new();
        if let Some(summaries) = summaries {
            let _ = cell.set(summaries.into_iter().collect::<Option<Vec<_>>>());
        }
        let place = |f: fn(&PlieRecord) -> &Option<String>| {
            let names: BTreeSet<String> = plies
                .iter()
                .map(|p| f(p).clone().unwrap_or_else(|| "?".into()))
                .collect();
            let names: Vec<String> = names.into_iter().collect();
            let of_plie = plies
                .iter()
                .map(|p| {
                    let name = f(p).as_deref().unwrap_or("?");
                    names.iter().position(|n| n == name).expect("listed above") as u16
                })
                .collect();
            (names, of_plie)
        };
        let (departements, plie_departement) = place(|p| &p.departement);
        let (regions, plie_region) = place(|p| &p.region);
        Corpus {
            plies,
            plie_departement,
            plie_region,
            departements,
            regions,
            chunks: Vec::new(),
            summaries: cell,
            summaries_only: false,
            snapshot: None,
            bitmaps: Mutex::default(),
            active: Mutex::default(),
        }
    }

    /// The PLIE of the snapshot, sorted by code.
    pub fn plies(&self) -> &[PlieRecord] {
        &self.plies
    }

    /// Every PLIE's summary, `None` unless every PLIE has one.
    pub(crate) fn summaries(&self) -> Result<Option<&[PlieSummary]>, StoreError> {
        if let Some(s) = self.summaries.get() {
            return Ok(s.as_deref());
        }
        let read = self
            .snapshot()?
            .summaries()?
            .into_iter()
            .collect::<Option<Vec<_>>>();
        Ok(self.summaries.get_or_init(|| read).as_deref())
    }

    /// The snapshot the columns are read from.
    pub(crate) fn snapshot(&self) -> Result<&Snapshot, StoreError> {
        self.snapshot.as_ref().ok_or_else(|| {
            StoreError::Corrupt("a corpus of summaries only was asked for its parcours".into())
        })
    }

    /// How many parcours the snapshot holds.
    pub fn parcours(&self) -> u64 {
        self.chunks.iter().map(|c| u64::from(c.rows)).sum()
    }

    /// Reads `columns` of chunk `info` (and derives the year and band columns of those read).
    pub(crate) fn read_chunk(
        &self,
        info: &ChunkInfo,
        columns: Columns,
    ) -> Result<Chunk, StoreError> {
        let mut chunk = Chunk::default();
        self.read_chunk_into(info, columns, &mut chunk)?;
        Ok(chunk)
    }

    /// [`Corpus::read_chunk`] into `chunk`, reusing its vectors.
    fn read_chunk_into(
        &self,
        info: &ChunkInfo,
        columns: Columns,
        chunk: &mut Chunk,
    ) -> Result<(), StoreError> {
        let mut decoded = crate::store::Decoded {
            chunk: std::mem::take(&mut chunk.raw),
            participants: std::mem::take(&mut chunk.participants),
            keys: crate::store::KeysChunk::default(),
        };
        let read =
            self.snapshot()?
                .parcours_into(info.plie as usize, info.number, columns, &mut decoded);
        chunk.raw = decoded.chunk;
        chunk.participants = decoded.participants;
        read?;
        chunk.plie = info.plie;
        chunk.base = info.base;
        chunk.rows = info.rows as usize;
        chunk.annee_entree = std::cell::OnceCell::new();
        chunk.annee_sortie = std::cell::OnceCell::new();
        chunk.inactivite_band = std::cell::OnceCell::new();
        Ok(())
    }

    /// The one scan driver: reads `columns` of every chunk `keep` lets through, in parallel, one
    /// chunk per thread at a time, folds each into an accumulator and merges them. Memory is the
    /// threads times one chunk's columns, plus the accumulators.
    pub(crate) fn fold_chunks<T, K, F, R>(
        &self,
        columns: Columns,
        keep: K,
        init: impl Fn() -> T + Sync + Send,
        fold: F,
        reduce: R,
    ) -> Result<T, StoreError>
    where
        T: Send,
        K: Fn(&ChunkInfo) -> bool + Sync + Send,
        F: Fn(T, &Chunk) -> T + Sync + Send,
        R: Fn(T, T) -> T + Sync + Send,
    {
        self.chunks
            .par_iter()
            .filter(|c| keep(c))
            .try_fold(&init, |acc, info| {
                // One chunk's buffers per thread, reused from chunk to chunk.
                thread_local! {
                    static BUFFER: std::cell::RefCell<Chunk> = std::cell::RefCell::default();
                }
                let mut chunk = BUFFER.take();
                let read = self.read_chunk_into(info, columns, &mut chunk);
                let acc = read.map(|()| fold(acc, &chunk));
                BUFFER.set(chunk);
                acc
            })
            .try_reduce(&init, |a, b| Ok(reduce(a, b)))
    }

    /// One bitmap per stored code of `column` (index = code; `OPEN`/`NONE` = 255 included).
    pub(crate) fn column_bitmaps(
        &self,
        column: Column,
    ) -> Result<Arc<Vec<RoaringBitmap>>, StoreError> {
        if let Some(b) = self.bitmaps.lock().expect("bitmap cache").get(&column) {
            return Ok(b.clone());
        }
        let empty = || vec![RoaringBitmap::new(); 256];
        let maps = self.fold_chunks(
            Columns::of(&[column.stored()]),
            |_| true,
            empty,
            |mut maps, chunk| {
                for (i, &code) in chunk.column(column).iter().enumerate() {
                    maps[code as usize].insert(chunk.base + i as u32);
                }
                maps
            },
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x |= y;
                }
                a
            },
        )?;
        let maps = Arc::new(maps);
        self.bitmaps
            .lock()
            .expect("bitmap cache")
            .insert(column, maps.clone());
        Ok(maps)
    }

    /// The rows of one PLIE (a range of whole chunks).
    pub(crate) fn plie_bitmap(&self, plie: u16) -> RoaringBitmap {
        let mut map = RoaringBitmap::new();
        for c in self.chunks.iter().filter(|c| c.plie == plie) {
            map.insert_range(c.base..c.base + c.rows);
        }
        map
    }

    /// Parcours in parcours at some time in year code `year` (en_parcours).
    pub(crate) fn active_bitmap(&self, year: u8) -> Result<Arc<RoaringBitmap>, StoreError> {
        if let Some(b) = self.active.lock().expect("bitmap cache").get(&year) {
            return Ok(b.clone());
        }
        let entree = self.column_bitmaps(Column::AnneeEntree)?;
        let sortie = self.column_bitmaps(Column::AnneeSortie)?;
        let mut map = RoaringBitmap::new();
        for y in 0..=year {
            map |= &entree[y as usize];
        }
        for y in 0..year {
            map -= &sortie[y as usize];
        }
        let map = Arc::new(map);
        self.active
            .lock()
            .expect("bitmap cache")
            .insert(year, map.clone());
        Ok(map)
    }

    /// The optional files of each PLIE (index as in [`Corpus::plies`]); no parcours is read.
    pub(crate) fn annexes(&self) -> Result<Vec<crate::store::Annexes>, StoreError> {
        let snapshot = self.snapshot()?;
        (0..self.plies.len()).map(|p| snapshot.annexes(p)).collect()
    }
}

/// The parcours of one PLIE as a query reads them (the columns it asked for), with its étapes
/// read chunk by chunk on demand.
pub(crate) struct PlieView<'c> {
    /// Index of the PLIE in [`Corpus::plies`].
    pub plie: u16,
    pub chunks: Vec<Chunk>,
    corpus: &'c Corpus,
}

impl PlieView<'_> {
    /// The chunk and index of the PLIE's parcours row `row` (chunk × 65 536 + index), as the
    /// étapes name it.
    pub fn row(&self, row: u32) -> Option<(&Chunk, usize)> {
        let chunk = self.chunks.get(row as usize / CHUNK_ROWS)?;
        let i = row as usize % CHUNK_ROWS;
        (i < chunk.len()).then_some((chunk, i))
    }

    /// The PLIE's étapes, one chunk at a time, with the columns `columns`.
    pub fn etapes<'a>(
        &'a self,
        columns: &'a [crate::store::EtapesColumn],
    ) -> impl Iterator<Item = Result<crate::store::EtapesChunk, StoreError>> + 'a {
        let p = self.plie as usize;
        let count = self.corpus.plies[p].etapes_chunks;
        (0..count).map(move |n| self.corpus.snapshot()?.etapes(p, n, columns))
    }
}

impl Corpus {
    /// The per-PLIE driver, for what joins rows within a PLIE (étapes to their parcours, a
    /// participant's parcours): reads `columns` of every chunk of each PLIE `keep` lets through,
    /// PLIE in parallel, and folds each [`PlieView`]. Memory is the threads times one PLIE's
    /// columns (and one étapes chunk).
    pub(crate) fn fold_plies<T, E, F, R>(
        &self,
        columns: Columns,
        keep: impl Fn(usize) -> bool + Sync + Send,
        init: impl Fn() -> T + Sync + Send,
        fold: F,
        reduce: R,
    ) -> Result<T, E>
    where
        T: Send,
        E: From<StoreError> + Send,
        F: Fn(T, &PlieView) -> Result<T, E> + Sync + Send,
        R: Fn(T, T) -> T + Sync + Send,
    {
        (0..self.plies.len())
            .into_par_iter()
            .filter(|&p| keep(p))
            .try_fold(&init, |acc, p| {
                let chunks = self
                    .chunks
                    .iter()
                    .filter(|c| c.plie as usize == p)
                    .map(|info| self.read_chunk(info, columns))
                    .collect::<Result<Vec<_>, _>>()?;
                let view = PlieView {
                    plie: p as u16,
                    chunks,
                    corpus: self,
                };
                fold(acc, &view)
            })
            .try_reduce(&init, |a, b| Ok(reduce(a, b)))
    }
}
