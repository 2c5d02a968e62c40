//! The commitments in the store: three redb tables beside the PLIE's. `paqte_departement` holds
//! each department's bookkeeping (content hash, import time, source), `paqte_donnees` its rows
//! (conventions with their objectives and realisations, contexte, clubs with their adhesions and
//! actions) as one value, and `paqte_entreprise` the companies by SIREN, shared by all
//! departments. An import replaces every department of its transfers whole, and writes the
//! companies they describe, in one write transaction.

use std::collections::BTreeMap;

use redb::{ReadableTable, TableDefinition};

use super::model::{
    Action, Adhesion, Club, Contexte, Convention, Engagement, Entreprise, Realisation,
};
use super::transfer::{PaqteTransfer, NATIONAL};
use crate::store::{decode, encode, guarded, Kind, PlieOutcome, Store, StoreError};

const DEPARTEMENTS: TableDefinition<&str, &[u8]> = TableDefinition::new("paqte_departement");
const DONNEES: TableDefinition<&str, &[u8]> = TableDefinition::new("paqte_donnees");
const ENTREPRISES: TableDefinition<&str, &[u8]> = TableDefinition::new("paqte_entreprise");

/// What the store knows of one department's commitments.
#[derive(Debug, Clone, PartialEq, Eq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct DepartementRecord {
    /// INSEE code, or `NATIONAL`.
    pub departement: String,
    /// xxh3-128 of the department's encoded rows: equal hashes mean an unchanged re-import.
    pub content_hash: u128,
    pub imported_at: i64,
    /// The transfer folder it came from.
    pub source: String,
    pub conventions: u64,
    pub realisations: u64,
    pub adhesions: u64,
}

/// One department's rows, in a canonical order (sorted), without the companies.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize,
)]
pub struct DepartementData {
    pub conventions: Vec<Convention>,
    pub engagements: Vec<Engagement>,
    pub realisations: Vec<Realisation>,
    pub contexte: Vec<Contexte>,
    pub clubs: Vec<Club>,
    pub adhesions: Vec<Adhesion>,
    pub actions: Vec<Action>,
}

/// What an import did to one department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartementOutcome {
    pub departement: String,
    pub outcome: PlieOutcome,
    pub conventions: u64,
    pub realisations: u64,
    pub adhesions: u64,
}

/// What an import of commitments did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaqteReport {
    /// By department code.
    pub departements: Vec<DepartementOutcome>,
    /// Companies written because they were new or described differently.
    pub entreprises_written: u64,
}

/// Everything the store holds of the commitments, read in one transaction.
#[derive(Debug, Clone, Default)]
pub struct Base {
    pub records: Vec<DepartementRecord>,
    /// By department code (and `NATIONAL`).
    pub donnees: BTreeMap<String, DepartementData>,
    /// By SIREN.
    pub entreprises: BTreeMap<String, Entreprise>,
}

/// Groups the rows of `transfers` by the department they belong to.
fn group(transfers: &[PaqteTransfer]) -> BTreeMap<String, (DepartementData, String)> {
    let mut out: BTreeMap<String, (DepartementData, String)> = BTreeMap::new();
    for t in transfers {
        let source = t.folder.display().to_string();
        for d in &t.departements {
            out.entry(d.clone()).or_default().1 = source.clone();
        }
        let owner = |d: Option<&String>| d.map_or(NATIONAL, String::as_str).to_owned();
        let of_convention: BTreeMap<&str, String> = t
            .conventions
            .iter()
            .map(|c| (c.convention.as_str(), owner(c.departement.as_ref())))
            .collect();
        let of_club: BTreeMap<&str, &str> = t
            .clubs
            .iter()
            .map(|c| (c.club.as_str(), c.departement.as_str()))
            .collect();
        fn data<'a>(
            out: &'a mut BTreeMap<String, (DepartementData, String)>,
            d: &str,
        ) -> &'a mut DepartementData {
            &mut out.entry(d.to_owned()).or_default().0
        }
        for c in &t.conventions {
            data(&mut out, &owner(c.departement.as_ref()))
                .conventions
                .push(c.clone());
        }
        for e in &t.engagements {
            data(&mut out, &of_convention[e.convention.as_str()])
                .engagements
                .push(e.clone());
        }
        for r in &t.realisations {
            data(&mut out, &of_convention[r.convention.as_str()])
                .realisations
                .push(r.clone());
        }
        for c in &t.contexte {
            data(&mut out, &c.departement).contexte.push(c.clone());
        }
        for c in &t.clubs {
            data(&mut out, &c.departement).clubs.push(c.clone());
        }
        for a in &t.adhesions {
            data(&mut out, of_club[a.club.as_str()])
                .adhesions
                .push(a.clone());
        }
        for a in &t.actions {
            data(&mut out, of_club[a.club.as_str()])
                .actions
                .push(a.clone());
        }
    }
    for (data, _) in out.values_mut() {
        data.conventions.sort();
        data.engagements.sort();
        data.realisations.sort();
        data.contexte.sort();
        data.clubs.sort();
        data.adhesions.sort();
        data.actions.sort();
    }
    out
}

impl Store {
    /// Replaces, for every department of `transfers`, all its commitments by the transfers', and
    /// writes the companies they describe, in one write transaction; departments whose content is
    /// already stored are left untouched. The transfers must be valid and must not share a
    /// department (the caller checks both).
    pub fn import_paqte(
        &mut self,
        transfers: &[PaqteTransfer],
        imported_at: i64,
    ) -> Result<PaqteReport, StoreError> {
        guarded("importing the commitments", || {
            self.import_paqte_unguarded(transfers, imported_at)
        })
    }

    fn import_paqte_unguarded(
        &mut self,
        transfers: &[PaqteTransfer],
        imported_at: i64,
    ) -> Result<PaqteReport, StoreError> {
        let tx = self.begin_write()?;
        let mut report = PaqteReport::default();
        {
            let mut records = tx.open_table(DEPARTEMENTS)?;
            let mut donnees = tx.open_table(DONNEES)?;
            let mut entreprises = tx.open_table(ENTREPRISES)?;
            for (departement, (data, source)) in group(transfers) {
                let bytes = encode(Kind::PaqteData, &data);
                let content_hash = xxhash_rust::xxh3::xxh3_128(&bytes);
                let old = match records.get(departement.as_str())? {
                    Some(v) => {
                        let what = || format!("the commitments record of department {departement}");
                        let old: DepartementRecord = decode(Kind::PaqteRecord, v.value(), &what)?;
                        Some(old.content_hash)
                    }
                    None => None,
                };
                let outcome = match old {
                    Some(h) if h == content_hash => PlieOutcome::Unchanged,
                    Some(_) => PlieOutcome::Replaced,
                    None => PlieOutcome::New,
                };
                let record = DepartementRecord {
                    departement: departement.clone(),
                    content_hash,
                    imported_at,
                    source,
                    conventions: data.conventions.len() as u64,
                    realisations: data.realisations.len() as u64,
                    adhesions: data.adhesions.len() as u64,
                };
                report.departements.push(DepartementOutcome {
                    departement: departement.clone(),
                    outcome,
                    conventions: record.conventions,
                    realisations: record.realisations,
                    adhesions: record.adhesions,
                });
                if outcome != PlieOutcome::Unchanged {
                    donnees.insert(departement.as_str(), bytes.as_slice())?;
                    records.insert(
                        departement.as_str(),
                        encode(Kind::PaqteRecord, &record).as_slice(),
                    )?;
                }
            }
            for e in transfers.iter().flat_map(|t| &t.entreprises) {
                let bytes = encode(Kind::Entreprise, e);
                let same = entreprises
                    .get(e.siren.as_str())?
                    .is_some_and(|v| v.value() == bytes.as_slice());
                if !same {
                    entreprises.insert(e.siren.as_str(), bytes.as_slice())?;
                    report.entreprises_written += 1;
                }
            }
        }
        let changed = report.entreprises_written > 0
            || report
                .departements
                .iter()
                .any(|d| d.outcome != PlieOutcome::Unchanged);
        if changed {
            tx.commit()?;
        } else {
            tx.abort()?;
        }
        Ok(report)
    }

    /// Every commitment in the store (empty for a store that never received any).
    pub fn read_paqte(&self) -> Result<Base, StoreError> {
        guarded("reading the commitments", || {
            let tx = self.begin_read()?;
            let mut base = Base::default();
            let open = |def| match tx.open_table(def) {
                Ok(t) => Ok(Some(t)),
                Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
                Err(e) => Err(StoreError::from(e)),
            };
            if let Some(table) = open(DEPARTEMENTS)? {
                for entry in table.iter()? {
                    let (key, value) = entry?;
                    let what = || format!("the commitments record of department {}", key.value());
                    base.records
                        .push(decode(Kind::PaqteRecord, value.value(), &what)?);
                }
            }
            if let Some(table) = open(DONNEES)? {
                for entry in table.iter()? {
                    let (key, value) = entry?;
                    let what = || format!("the commitments of department {}", key.value());
                    let data = decode(Kind::PaqteData, value.value(), &what)?;
                    base.donnees.insert(key.value().to_owned(), data);
                }
            }
            if let Some(table) = open(ENTREPRISES)? {
                for entry in table.iter()? {
                    let (key, value) = entry?;
                    let what = || format!("the company {}", key.value());
                    let e: Entreprise = decode(Kind::Entreprise, value.value(), &what)?;
                    base.entreprises.insert(e.siren.clone(), e);
                }
            }
            Ok(base)
        })
    }
}
