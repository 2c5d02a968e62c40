//! Étapes: the steps of a parcours, one after another from the entry to the exit, with Tableau
//! 2's mix of types per sex; the six months of employment that validate an exit to employment
//! end the parcours with an `EMPLOI_SORTIE` step.

use rand::{Rng, RngExt};

use super::calibration::{num, Csv, EMPLOI_SORTIE_INTERMEDIAIRE, ETAPE_INTERVALLE_JOURS, TABLEAU2};
use super::parcours::{pick, GenEtape, GenParcours};
use super::plies::Plie;
use super::Ctx;
use crate::model::{EtapeType, Motif};

/// Mean length in days and probability of PLIE funding (among the PLIE that record it), per
/// type in [`EtapeType`] order. Funding follows Tableau 5 over Tableau 4 for the IAE.
const TYPES: [(EtapeType, f64, f64); 18] = [
    (EtapeType::Mobilisation, 120.0, 0.7),
    (EtapeType::IaeAci, 270.0, 0.73),
    (EtapeType::IaeEi, 210.0, 0.6),
    (EtapeType::IaeEtti, 120.0, 0.08),
    (EtapeType::IaeAi, 120.0, 0.2),
    (EtapeType::IaeRq, 210.0, 1.0),
    (EtapeType::AideCuiCae, 270.0, 0.05),
    (EtapeType::AideGeiq, 365.0, 0.75),
    (EtapeType::AideEmploiAvenir, 425.0, 0.05),
    (EtapeType::CddCourt, 60.0, 0.02),
    (EtapeType::Interim, 45.0, 0.02),
    (EtapeType::CdiTempsPartiel, 180.0, 0.02),
    (EtapeType::AutreContrat, 90.0, 0.05),
    (EtapeType::EmploiSortie, 90.0, 0.0),
    (EtapeType::FormationQualifiante, 180.0, 0.3),
    (EtapeType::FormationNonQualifiante, 90.0, 0.4),
    (EtapeType::Mediation, 90.0, 0.5),
    (EtapeType::CreationEntreprise, 150.0, 0.3),
];

/// The types' start weights per sex.
#[derive(Debug, Clone)]
pub(crate) struct EtapeModel {
    weights: [Vec<f64>; 2],
}

impl EtapeModel {
    pub fn new() -> EtapeModel {
        let csv = Csv::parse(TABLEAU2);
        let weights = std::array::from_fn(|sex| {
            let col = ["hommes", "femmes"][sex];
            TYPES
                .iter()
                .map(|(t, days, _)| {
                    let row = csv.row(&[t.code()]);
                    let count = num(&row[csv.col(col)]);
                    // A step is active in a year if it starts in it or runs into it: starts are
                    // the active count over (365 + length) / 365.
                    let starts = count * 365.0 / (365.0 + days);
                    if *t == EtapeType::EmploiSortie {
                        starts * EMPLOI_SORTIE_INTERMEDIAIRE
                    } else {
                        starts
                    }
                })
                .collect()
        });
        EtapeModel { weights }
    }
}

fn exponential(r: &mut impl Rng, mean: f64) -> f64 {
    -mean * (1.0 - r.random::<f64>()).ln()
}

/// How the parcours really ends: its exit day and reason, even when the exit falls after the
/// last day written (the parcours then stays open in the file).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fate {
    pub exit: i32,
    pub reason: Motif,
}

/// Appends the étapes of parcours `p` (number `index` of its chunk) to `out`.
pub(crate) fn generate(
    r: &mut impl Rng,
    ctx: &Ctx,
    plie: &Plie,
    p: &GenParcours,
    index: u32,
    fate: Fate,
    out: &mut Vec<GenEtape>,
) {
    let model = &ctx.etapes;
    let stop = p.sortie.map_or(ctx.end, |(x, _)| x);
    // The job that validates an exit to employment starts six months before the exit.
    let final_job = (fate.reason == Motif::Emploi)
        .then(|| (fate.exit - 182 - r.random_range(0..45)).max(p.entree))
        .filter(|&s| s <= ctx.end && s <= stop);
    let regular_stop = final_job.unwrap_or(stop);
    let capped = p.sortie.is_some() || final_job.is_some();
    let finance = |r: &mut _, t: usize| {
        plie.records_finance
            .then(|| rand::RngExt::random_bool(r, TYPES[t].2))
    };
    let mut t = p.entree + exponential(r, 20.0) as i32;
    while t <= regular_stop {
        let ty = pick(r, &model.weights[p.sexe as usize]);
        let (etape, days, _) = TYPES[ty];
        let len = 1 + (days * (0.3 + 1.4 * r.random::<f64>())) as i32;
        let end = t + len;
        let fin = if capped {
            Some(end.min(regular_stop))
        } else {
            (end <= ctx.end).then_some(end)
        };
        out.push(GenEtape {
            parcours: index,
            etape,
            debut: t,
            fin,
            finance: finance(r, ty),
        });
        let Some(f) = fin else { break };
        t = f + 1 + exponential(r, ETAPE_INTERVALLE_JOURS) as i32;
    }
    if let Some(s) = final_job {
        out.push(GenEtape {
            parcours: index,
            etape: EtapeType::EmploiSortie,
            debut: s,
            fin: p.sortie.map(|(x, _)| x),
            finance: finance(r, EtapeType::EmploiSortie as usize),
        });
    }
}
