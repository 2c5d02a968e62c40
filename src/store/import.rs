//! Writing transfers: each PLIE is encoded into column chunks, hashed, and, unless its hash is
//! the stored one, replaces the PLIE's earlier data; all of it in one write transaction.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use redb::ReadableTable;

use super::encoding::{
    self, Annexes, EtapesChunk, KeysChunk, Kind, ParcoursChunk, PlieRecord, NONE,
};
use super::summary::{PlieSummary, SUMMARY_LAYOUT};
use super::{
    Handle, Store, StoreError, ANNEXES, CHUNK_ROWS, ETAPES, KEYS, PARCOURS, PLIE, SUMMARIES,
};
use crate::model::{Activite, Allocation, Etape, Financement, Parcours, PlieInfo};
use crate::transfer::Transfer;

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
    etapes: Vec<&'t Etape>,
    financements: Vec<&'t Financement>,
    allocations: Vec<&'t Allocation>,
    activite: Vec<&'t Activite>,
    source: String,
}

/// The values one PLIE writes.
struct Encoded {
    record: PlieRecord,
    parcours: Vec<Vec<u8>>,
    keys: Vec<Vec<u8>>,
    etapes: Vec<Vec<u8>>,
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
        super::guarded("importing", || {
            self.import_unguarded(transfers, imported_at)
        })
    }

    fn import_unguarded(
        &mut self,
        transfers: &[Transfer],
        imported_at: i64,
    ) -> Result<ImportReport, StoreError> {
        let Handle::ReadWrite(db) = &self.handle else {
            return Err(StoreError::Io(std::io::Error::other(
                "the store was opened read-only",
            )));
        };
        let groups = group_by_plie(transfers);
        let encoded: Vec<Encoded> = groups
            .into_par_iter()
            .map(|(plie, rows)| encode_plie(plie, rows, imported_at))
            .collect();

        let tx = db.begin_write()?;
        let mut report = ImportReport::default();
        let mut derived_written = false;
        {
            let mut records = tx.open_table(PLIE)?;
            let mut parcours = tx.open_table(PARCOURS)?;
            let mut keys = tx.open_table(KEYS)?;
            let mut etapes = tx.open_table(ETAPES)?;
            let mut annexes = tx.open_table(ANNEXES)?;
            let mut summaries = tx.open_table(SUMMARIES)?;
            for e in encoded {
                let plie = e.record.plie.as_str();
                let old_hash = match records.get(plie)? {
                    Some(v) => {
                        let what = || format!("the record of PLIE {plie}");
                        let old: PlieRecord = encoding::decode(Kind::Plie, v.value(), &what)?;
                        Some(old.content_hash)
                    }
                    None => None,
                };
                let outcome = match old_hash {
                    Some(h) if h == e.record.content_hash => PlieOutcome::Unchanged,
                    Some(_) => PlieOutcome::Replaced,
                    None => PlieOutcome::New,
                };
                report.plies.push(ImportOutcome {
                    plie: plie.to_owned(),
                    outcome,
                    parcours: e.record.parcours,
                    etapes: e.record.etapes,
                });
                if outcome == PlieOutcome::Unchanged {
                    // A store written before summaries existed, or with another layout, gets
                    // this build's: derived data, so the PLIE's content is still unchanged.
                    if !summary_is_current(&summaries, plie, e.record.parcours)? {
                        summaries.insert(plie, e.summary.as_slice())?;
                        derived_written = true;
                    }
                    continue;
                }
                for table in [&mut parcours, &mut keys, &mut etapes] {
                    table.retain_in((plie, 0)..=(plie, u32::MAX), |_, _| false)?;
                }
                for (n, bytes) in e.parcours.iter().enumerate() {
                    parcours.insert((plie, n as u32), bytes.as_slice())?;
                }
                for (n, bytes) in e.keys.iter().enumerate() {
                    keys.insert((plie, n as u32), bytes.as_slice())?;
                }
                for (n, bytes) in e.etapes.iter().enumerate() {
                    etapes.insert((plie, n as u32), bytes.as_slice())?;
                }
                annexes.insert(plie, e.annexes.as_slice())?;
                summaries.insert(plie, e.summary.as_slice())?;
                records.insert(plie, encoding::encode(Kind::Plie, &e.record).as_slice())?;
            }
        }
        if report.changed() || derived_written {
            tx.commit()?;
        } else {
            tx.abort()?;
        }
        Ok(report)
    }
}

fn group_by_plie(transfers: &[Transfer]) -> BTreeMap<&str, PlieRows<'_>> {
    let mut groups: BTreeMap<&str, PlieRows> = BTreeMap::new();
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
            groups.entry(&e.plie).or_default().etapes.push(e);
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

fn parcours_chunk(rows: &[&Parcours]) -> (ParcoursChunk, KeysChunk) {
    let mut c = ParcoursChunk::default();
    let mut k = KeysChunk::default();
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
        k.participant.push(p.participant.clone());
        k.commune.push(p.commune.clone().unwrap_or_default());
    }
    (c, k)
}

fn encode_plie(plie: &str, mut rows: PlieRows<'_>, imported_at: i64) -> Encoded {
    // A canonical order, so that the same content always encodes (and hashes) the same.
    rows.parcours
        .sort_unstable_by(|a, b| (a.entree, &a.participant).cmp(&(b.entree, &b.participant)));
    let row_of: HashMap<(&str, u16), u32> = rows
        .parcours
        .iter()
        .enumerate()
        .map(|(i, p)| ((p.participant.as_str(), p.entree.0), i as u32))
        .collect();
    let mut etapes: Vec<(u32, u8, u16, u16, u8)> = rows
        .etapes
        .iter()
        .filter_map(|e| {
            let row = *row_of.get(&(e.participant.as_str(), e.entree.0))?;
            Some((
                row,
                e.etape as u8,
                e.debut.0,
                e.fin.map_or(u16::MAX, |d| d.0),
                u8::from(e.finance_plie),
            ))
        })
        .collect();
    debug_assert_eq!(
        etapes.len(),
        rows.etapes.len(),
        "a valid transfer links every étape"
    );
    etapes.sort_unstable();

    let mut chunks = Vec::new();
    let mut keys = Vec::new();
    for chunk in rows.parcours.chunks(CHUNK_ROWS) {
        let (c, k) = parcours_chunk(chunk);
        chunks.push(c);
        keys.push(encoding::encode(Kind::Keys, &k));
    }
    let summary = encoding::encode(Kind::Summary, &PlieSummary::of(&chunks));
    let parcours: Vec<Vec<u8>> = chunks
        .iter()
        .map(|c| encoding::encode(Kind::Parcours, c))
        .collect();
    let etapes_bytes: Vec<Vec<u8>> = etapes
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
            encoding::encode(Kind::Etapes, &c)
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
    let annexes = encoding::encode(Kind::Annexes, &annexes);

    let years = rows
        .parcours
        .iter()
        .map(|p| {
            (
                p.entree.year(),
                p.sortie.map_or(p.entree.year(), |(d, _)| d.year()),
            )
        })
        .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)));
    let info = rows.info.cloned().unwrap_or_default();
    let mut record = PlieRecord {
        plie: plie.to_owned(),
        nom: info.nom,
        departement: info.departement,
        region: info.region,
        communes: info.communes,
        structure_porteuse: info.structure_porteuse,
        gestion_fse: info.gestion_fse.map(|g| g as u8),
        content_hash: 0,
        parcours: rows.parcours.len() as u64,
        etapes: etapes.len() as u64,
        parcours_chunks: parcours.len() as u32,
        etapes_chunks: etapes_bytes.len() as u32,
        financements: rows.financements.len() as u64,
        allocations: rows.allocations.len() as u64,
        activite: rows.activite.len() as u64,
        years,
        imported_at: 0,
        source: String::new(),
    };
    // The hash covers the content (the record without its bookkeeping, and every value).
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(&encoding::encode(Kind::Plie, &record));
    for bytes in parcours.iter().chain(&keys).chain(&etapes_bytes) {
        hasher.update(&(bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    }
    hasher.update(&annexes);
    record.content_hash = hasher.digest128();
    record.imported_at = imported_at;
    record.source = rows.source;
    Encoded {
        record,
        parcours,
        keys,
        etapes: etapes_bytes,
        annexes,
        summary,
    }
}

/// Whether `plie` has a summary of this build's layout that passes the checks of a read.
fn summary_is_current(
    summaries: &redb::Table<&str, &[u8]>,
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
