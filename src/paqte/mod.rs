//! The commitments of companies to the priority neighbourhoods (PAQTE.md, docs/paqte.md): the
//! PAQTE conventions with their yearly objectives and half-yearly realisations, the departments'
//! context, and the plan 10 000 entreprises' clubs, adhesions and actions. A commitments transfer
//! is read and checked ([`read`]), imported department by department into the same store as the
//! PLIE ([`Store::import_paqte`](crate::Store::import_paqte)), and consolidated into the
//! departmental balance, the national results and the plan 10 000 dashboard.

use std::collections::BTreeMap;
use std::path::Path;

pub mod bilan;
mod figures;
pub mod model;
pub mod national;
pub mod plan10000;
pub mod plie;
pub mod render;
mod rows;
mod rules;
mod store;
pub mod synth;
mod transfer;

pub use figures::{figures, Figures, Suivi};
pub use store::{Base, DepartementData, DepartementOutcome, DepartementRecord, PaqteReport};
pub use transfer::{is_commitments, read, PaqteTransfer, FILES, NATIONAL};

/// Problems across the commitments folders of one import: a department in two folders, or a
/// company described differently by two folders.
pub fn conflicts(transfers: &[PaqteTransfer]) -> Vec<String> {
    let mut out = Vec::new();
    let mut owner: BTreeMap<&str, &Path> = BTreeMap::new();
    let mut described: BTreeMap<&str, (&model::Entreprise, &Path)> = BTreeMap::new();
    for t in transfers {
        for d in &t.departements {
            if let Some(first) = owner.insert(d, &t.folder) {
                out.push(format!(
                    "department {d} is in two commitments transfers, {} and {}: import them one \
                     at a time",
                    first.display(),
                    t.folder.display()
                ));
            }
        }
        for e in &t.entreprises {
            match described.get(e.siren.as_str()) {
                Some((first, folder)) if *first != e => out.push(format!(
                    "company {} is described differently in {} and {}",
                    e.siren,
                    folder.display(),
                    t.folder.display()
                )),
                Some(_) => {}
                None => {
                    described.insert(&e.siren, (e, &t.folder));
                }
            }
        }
    }
    out
}

/// What an import read and did with the commitments folders, one line per file and department.
pub fn import_summary(summary: &crate::ImportSummary) -> String {
    use crate::store::PlieOutcome;
    let mut out = String::new();
    for t in &summary.paqte {
        out.push_str(&format!("commitments transfer {}\n", t.folder.display()));
        for f in &t.files {
            out.push_str(&format!(
                "  {}: {} rows read, {} refused\n",
                f.file, f.read, f.rejected
            ));
        }
    }
    if let Some(report) = &summary.paqte_report {
        for d in &report.departements {
            let what = match d.outcome {
                PlieOutcome::New => "new",
                PlieOutcome::Replaced => "replaced",
                PlieOutcome::Unchanged => {
                    "unchanged (same content already stored, nothing written)"
                }
            };
            out.push_str(&format!(
                "department {}: {what}, {} conventions, {} realisations, {} adhesions\n",
                d.departement, d.conventions, d.realisations, d.adhesions
            ));
        }
        out.push_str(&format!(
            "{} companies written\n",
            report.entreprises_written
        ));
    }
    out
}
