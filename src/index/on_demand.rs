//! The parts of a snapshot that only some tables read, loaded the first time one asks and kept:
//! the étapes (Tableaux 2, 4, 5), the participant keys (Tableaux 4, 5 count people, not parcours)
//! and the optional files (Tableaux 6, 6BIS, 7, 10). Each is read in one transaction that checks
//! the store still holds the PLIE contents the corpus was loaded from, so a table never mixes two
//! states of the store.

use std::collections::HashMap;
use std::sync::Arc;

use super::Corpus;
use crate::store::{Annexes, Store, StoreError, CHUNK_ROWS};

/// Every étape of the snapshot, column-wise, each tied to its parcours's global row.
#[derive(Debug, Default)]
pub(crate) struct Etapes {
    /// Global row of the parcours (see [`Corpus`]): `chunks[row >> 16]`, index `row & 0xFFFF`.
    pub row: Vec<u32>,
    /// [`crate::model::EtapeType`] code.
    pub etape: Vec<u8>,
    pub debut: Vec<u16>,
    /// `u16::MAX` when absent.
    pub fin: Vec<u16>,
    pub finance_plie: Vec<u8>,
}

impl Etapes {
    pub fn len(&self) -> usize {
        self.row.len()
    }
}

/// The lazily loaded parts, each behind its own lock so that loading one never waits on another.
#[derive(Debug, Default)]
pub(crate) struct OnDemand {
    etapes: std::sync::Mutex<Option<Arc<Etapes>>>,
    participants: std::sync::Mutex<Option<Arc<Vec<u32>>>>,
    annexes: std::sync::Mutex<Option<Arc<Vec<Annexes>>>>,
}

fn cached<T>(
    slot: &std::sync::Mutex<Option<Arc<T>>>,
    load: impl FnOnce() -> Result<T, StoreError>,
) -> Result<Arc<T>, StoreError> {
    let mut slot = slot.lock().expect("on-demand cache");
    if let Some(v) = &*slot {
        return Ok(v.clone());
    }
    let v = Arc::new(load()?);
    *slot = Some(v.clone());
    Ok(v)
}

impl Corpus {
    /// Index in `chunks` of the first chunk of each PLIE (chunks are grouped by PLIE, in order).
    fn first_chunks(&self) -> Vec<usize> {
        let mut first = vec![usize::MAX; self.plies.len()];
        for (k, c) in self.chunks.iter().enumerate().rev() {
            first[c.plie as usize] = k;
        }
        first
    }

    /// The étapes of the snapshot, read from `store` the first time.
    pub(crate) fn etapes(&self, store: &Store) -> Result<Arc<Etapes>, StoreError> {
        cached(&self.on_demand.etapes, || {
            let per_plie = store.read_etapes(&self.plies)?;
            let first = self.first_chunks();
            let mut all = Etapes::default();
            for (p, chunks) in per_plie.into_iter().enumerate() {
                for c in chunks {
                    for (i, &r) in c.parcours.iter().enumerate() {
                        let k = r as usize / CHUNK_ROWS;
                        let chunk = self.chunks.get(first[p].wrapping_add(k));
                        let fits = chunk.is_some_and(|c| {
                            c.plie as usize == p && (r as usize % CHUNK_ROWS) < c.len()
                        });
                        if !fits {
                            return Err(StoreError::Corrupt(format!(
                                "PLIE {}: an étape names parcours row {r}, which does not exist",
                                self.plies[p].plie
                            )));
                        }
                        all.row
                            .push(chunk.expect("checked").base + (r as usize % CHUNK_ROWS) as u32);
                        all.etape.push(c.etape[i]);
                        all.debut.push(c.debut[i]);
                        all.fin.push(c.fin[i]);
                        all.finance_plie.push(c.finance_plie[i]);
                    }
                }
            }
            Ok(all)
        })
    }

    /// Per global row, a number identifying its participant: two rows share it exactly when they
    /// are the same participant key in the same PLIE. Read from `store` the first time.
    pub(crate) fn participants(&self, store: &Store) -> Result<Arc<Vec<u32>>, StoreError> {
        cached(&self.on_demand.participants, || {
            let per_plie = store.read_keys(&self.plies)?;
            let first = self.first_chunks();
            let rows = self.chunks.last().map_or(0, |c| c.base as usize + c.len());
            let mut ids = vec![u32::MAX; rows];
            let mut next = 0u32;
            for (p, chunks) in per_plie.into_iter().enumerate() {
                let mut seen: HashMap<String, u32> = HashMap::new();
                for (k, keys) in chunks.into_iter().enumerate() {
                    let chunk = self
                        .chunks
                        .get(first[p].wrapping_add(k))
                        .filter(|c| c.plie as usize == p)
                        .ok_or_else(|| {
                            StoreError::Corrupt(format!(
                                "PLIE {}: keys chunk {k} has no parcours chunk",
                                self.plies[p].plie
                            ))
                        })?;
                    if keys.participant.len() != chunk.len() {
                        return Err(StoreError::Corrupt(format!(
                            "PLIE {}: keys chunk {k} has {} rows, its parcours chunk {}",
                            self.plies[p].plie,
                            keys.participant.len(),
                            chunk.len()
                        )));
                    }
                    for (i, key) in keys.participant.into_iter().enumerate() {
                        let id = *seen.entry(key).or_insert_with(|| {
                            next += 1;
                            next - 1
                        });
                        ids[chunk.base as usize + i] = id;
                    }
                }
            }
            // Every chunk got its keys (read_keys reads as many keys chunks as parcours chunks);
            // u32::MAX is left only between chunks, on row numbers no parcours has.
            Ok(ids)
        })
    }

    /// The optional files of each PLIE (index as in [`Corpus::plies`]), read the first time.
    pub(crate) fn annexes(&self, store: &Store) -> Result<Arc<Vec<Annexes>>, StoreError> {
        cached(&self.on_demand.annexes, || store.read_annexes(&self.plies))
    }
}
