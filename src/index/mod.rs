//! The corpus a query reads: every parcours of one store snapshot, column by column in memory,
//! with the derived columns the measures need (entry and exit years) and roaring bitmaps per
//! column value, built the first time a query asks for them.
//!
//! Rows are numbered globally: chunk `k` starts at `k * 65 536`, so each chunk is exactly one
//! roaring container and the bitmaps of different chunks never touch.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use roaring::RoaringBitmap;

pub(crate) use crate::model::year_code;
use crate::model::{Inactivite, FIRST_YEAR};
use crate::store::{
    ParcoursChunk, PlieData, PlieRecord, PlieSummary, Store, StoreError, CHUNK_ROWS,
};

mod on_demand;
mod scope;
mod summaries;

pub(crate) use on_demand::Etapes;
use on_demand::OnDemand;
pub use scope::{Scope, ScopeError};
pub use summaries::Summaries;

/// The year code of a parcours still open: greater than every real year.
pub(crate) const OPEN: u8 = u8::MAX;

/// A per-row column of the corpus that a dimension or filter can read.
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

/// One chunk of parcours of one PLIE, with its derived columns.
#[derive(Debug)]
pub(crate) struct Chunk {
    /// Index of the PLIE in [`Corpus::plies`].
    pub plie: u16,
    /// Global number of the first row.
    pub base: u32,
    /// Smallest entry year and largest exit year code (`OPEN` if a row is open): a period outside
    /// them skips the chunk.
    pub min_entree: u8,
    pub max_sortie: u8,
    pub raw: ParcoursChunk,
    pub annee_entree: Vec<u8>,
    pub annee_sortie: Vec<u8>,
    pub inactivite_band: Vec<u8>,
}

impl Chunk {
    pub fn len(&self) -> usize {
        self.raw.entree.len()
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
            Column::InactiviteBand => &self.inactivite_band,
            Column::AnneeEntree => &self.annee_entree,
            Column::AnneeSortie => &self.annee_sortie,
            Column::Motif => &self.raw.motif,
        }
    }
}

/// Every parcours of a store snapshot, ready for queries. Build it with [`Corpus::load`]; it holds
/// no transaction, so it stays valid (and unchanged) while the store is written.
#[derive(Debug)]
pub struct Corpus {
    pub(crate) plies: Vec<PlieRecord>,
    /// Per PLIE, its index in `departements` / `regions`.
    pub(crate) plie_departement: Vec<u16>,
    pub(crate) plie_region: Vec<u16>,
    /// Sorted codes, `?` for a PLIE absent from plie.csv.
    pub(crate) departements: Vec<String>,
    pub(crate) regions: Vec<String>,
    pub(crate) chunks: Vec<Chunk>,
    /// Per PLIE (as `plies`), its summary; `None` unless every PLIE has one.
    pub(crate) summaries: Option<Vec<PlieSummary>>,
    /// Loaded without parcours (by [`Summaries`]): only the summary path may answer.
    pub(crate) summaries_only: bool,
    bitmaps: Mutex<HashMap<Column, Arc<Vec<RoaringBitmap>>>>,
    active: Mutex<HashMap<u8, Arc<RoaringBitmap>>>,
    on_demand: OnDemand,
}

impl Corpus {
    /// Reads every parcours of `store` (one read transaction) into memory.
    pub fn load(store: &Store) -> Result<Corpus, StoreError> {
        Ok(Corpus::from_data(store.read_parcours()?))
    }

    /// The corpus of exactly the PLIE of `data` (see [`Corpus::load_scoped`]).
    fn from_data(data: Vec<PlieData>) -> Corpus {
        let mut plies = Vec::with_capacity(data.len());
        let mut raw_chunks = Vec::new();
        let mut summaries = Some(Vec::with_capacity(data.len()));
        for (i, d) in data.into_iter().enumerate() {
            plies.push(d.record);
            raw_chunks.extend(d.parcours.into_iter().map(|c| (i as u16, c)));
            summaries = summaries.zip(d.summary).map(|(mut all, s)| {
                all.push(s);
                all
            });
        }
        let chunks = raw_chunks
            .into_par_iter()
            .enumerate()
            .map(|(k, (plie, raw))| {
                let annee_entree: Vec<u8> = raw.entree.iter().map(|&d| year_code(d)).collect();
                let annee_sortie: Vec<u8> = raw
                    .sortie
                    .iter()
                    .map(|&d| if d == u16::MAX { OPEN } else { year_code(d) })
                    .collect();
                let inactivite_band = raw
                    .inactivite
                    .iter()
                    .map(|&m| Inactivite::from_u16(m).band())
                    .collect();
                Chunk {
                    plie,
                    base: (k * CHUNK_ROWS) as u32,
                    min_entree: annee_entree.iter().copied().min().unwrap_or(OPEN),
                    max_sortie: annee_sortie.iter().copied().max().unwrap_or(0),
                    raw,
                    annee_entree,
                    annee_sortie,
                    inactivite_band,
                }
            })
            .collect();
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
            chunks,
            summaries,
            summaries_only: false,
            bitmaps: Mutex::default(),
            active: Mutex::default(),
            on_demand: OnDemand::default(),
        }
    }

    /// The PLIE of the snapshot, sorted by code.
    pub fn plies(&self) -> &[PlieRecord] {
        &self.plies
    }

    /// The years the data cover: from the year of the earliest exit (a transfer carries the
    /// parcours still active when its coverage starts, so earlier entry years are only partly
    /// there; the year of the earliest entry when nothing has exited) to the year of the latest
    /// entry or exit. `None` without parcours. The default span of multi-year figures.
    pub fn annees_observees(&self) -> Option<crate::query::Period> {
        use rayon::prelude::*;
        let (first_exit, first_entry, last) = self
            .chunks
            .par_iter()
            .map(|c| {
                let exits = c.annee_sortie.iter().copied().filter(|&x| x != OPEN);
                let (first_exit, last_exit) =
                    exits.fold((OPEN, 0), |(a, b), x| (a.min(x), b.max(x)));
                let last_entry = c.annee_entree.iter().copied().max().unwrap_or(0);
                (first_exit, c.min_entree, last_exit.max(last_entry))
            })
            .reduce(
                || (OPEN, OPEN, 0),
                |a, b| (a.0.min(b.0), a.1.min(b.1), a.2.max(b.2)),
            );
        if first_entry == OPEN {
            return None;
        }
        let first = if first_exit == OPEN {
            first_entry
        } else {
            first_exit
        };
        let year = |code: u8| FIRST_YEAR + i32::from(code);
        Some(crate::query::Period {
            first: year(first),
            last: year(last),
        })
    }

    /// How many parcours the snapshot holds.
    pub fn parcours(&self) -> u64 {
        self.chunks.iter().map(|c| c.len() as u64).sum()
    }

    /// One bitmap per stored code of `column` (index = code; `OPEN`/`NONE` = 255 included).
    pub(crate) fn column_bitmaps(&self, column: Column) -> Arc<Vec<RoaringBitmap>> {
        if let Some(b) = self.bitmaps.lock().expect("bitmap cache").get(&column) {
            return b.clone();
        }
        let per_chunk: Vec<Vec<RoaringBitmap>> = self
            .chunks
            .par_iter()
            .map(|chunk| {
                let mut maps = vec![RoaringBitmap::new(); 256];
                for (i, &code) in chunk.column(column).iter().enumerate() {
                    maps[code as usize].insert(chunk.base + i as u32);
                }
                maps
            })
            .collect();
        let mut maps = vec![RoaringBitmap::new(); 256];
        for chunk_maps in per_chunk {
            for (code, m) in chunk_maps.into_iter().enumerate() {
                if !m.is_empty() {
                    maps[code] |= m;
                }
            }
        }
        let maps = Arc::new(maps);
        self.bitmaps
            .lock()
            .expect("bitmap cache")
            .insert(column, maps.clone());
        maps
    }

    /// The rows of one PLIE (a range of whole chunks).
    pub(crate) fn plie_bitmap(&self, plie: u16) -> RoaringBitmap {
        let mut map = RoaringBitmap::new();
        for c in self.chunks.iter().filter(|c| c.plie == plie) {
            map.insert_range(c.base..c.base + c.len() as u32);
        }
        map
    }

    /// Parcours in parcours at some time in year code `year` (en_parcours).
    pub(crate) fn active_bitmap(&self, year: u8) -> Arc<RoaringBitmap> {
        if let Some(b) = self.active.lock().expect("bitmap cache").get(&year) {
            return b.clone();
        }
        let entree = self.column_bitmaps(Column::AnneeEntree);
        let sortie = self.column_bitmaps(Column::AnneeSortie);
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
        map
    }
}
