//! The figures of the commitments for a set of departments and a semester, which the balance,
//! the national results and the PLIE comparison share (docs/paqte.md, "Semantics"):
//! - a convention is active in a semester when its days meet the semester's;
//! - a signatory company has an active convention;
//! - an indicator's target for a semester is half the yearly objectives of the active
//!   conventions for the semester's year; its achievement, the realisations of the semester;
//! - a department reported for a semester when it sent realisations or a contexte line for it.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{bit, Axe, Contexte, Convention, Indicateur, Periode};
use super::store::{Base, DepartementData};

/// An indicator's figures: the yearly objectives of the active conventions (hundredths), and
/// what was achieved in the semester (hundredths).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Suivi {
    pub objectifs_annuels: i64,
    pub realise: i64,
}

impl Suivi {
    /// The semester's target: half the yearly objectives, in hundredths (half a hundredth up).
    pub fn cible(self) -> i64 {
        (self.objectifs_annuels + 1) / 2
    }

    /// Achievement over target; `None` when the target is 0.
    pub fn taux(self) -> Option<f64> {
        (self.objectifs_annuels > 0)
            .then(|| 2.0 * self.realise as f64 / self.objectifs_annuels as f64)
    }
}

/// The figures of some departments for a semester.
#[derive(Debug, Clone, Default)]
pub struct Figures<'b> {
    /// Active conventions.
    pub conventions: Vec<&'b Convention>,
    /// SIREN of the signatory companies.
    pub entreprises: BTreeSet<&'b str>,
    /// Active conventions per axis (in [`Axe::ALL`]'s order).
    pub par_axe: [u64; 4],
    /// One per indicator, in [`Indicateur::ALL`]'s order.
    pub indicateurs: [Suivi; 14],
    /// The departments' contexte lines for the semester.
    pub contexte: Vec<&'b Contexte>,
    /// Departments that reported.
    pub rapportant: BTreeSet<&'b str>,
}

impl Figures<'_> {
    /// Indicators with a target, and those whose achievement reached it.
    pub fn atteints(&self) -> (u64, u64) {
        let suivis = self.indicateurs.iter().filter(|s| s.objectifs_annuels > 0);
        let n = suivis.clone().count() as u64;
        let reached = suivis
            .filter(|s| 2 * s.realise >= s.objectifs_annuels)
            .count() as u64;
        (n, reached)
    }

    /// The sum of a contexte figure over the departments.
    pub fn contexte_sum(&self, f: impl Fn(&Contexte) -> u64) -> u64 {
        self.contexte.iter().map(|c| f(c)).sum()
    }
}

/// The figures of the departments `codes` (keys of the store, `NATIONAL` included) for `s`.
pub fn figures<'b>(base: &'b Base, codes: &[&str], s: Periode) -> Figures<'b> {
    let mut f = Figures::default();
    for &code in codes {
        let Some(data) = base.donnees.get(code) else {
            continue;
        };
        add(&mut f, code_of(base, code), data, s);
    }
    f
}

fn code_of<'b>(base: &'b Base, code: &str) -> &'b str {
    base.donnees
        .get_key_value(code)
        .map_or("", |(k, _)| k.as_str())
}

fn add<'b>(f: &mut Figures<'b>, code: &'b str, data: &'b DepartementData, s: Periode) {
    let active: BTreeMap<&str, &Convention> = data
        .conventions
        .iter()
        .filter(|c| c.active(s))
        .map(|c| (c.convention.as_str(), c))
        .collect();
    for c in active.values() {
        f.conventions.push(c);
        f.entreprises.insert(&c.entreprise);
        for (i, &axe) in Axe::ALL.iter().enumerate() {
            if c.axes & bit(axe) != 0 {
                f.par_axe[i] += 1;
            }
        }
    }
    for e in &data.engagements {
        if e.annee == s.annee && active.contains_key(e.convention.as_str()) {
            f.indicateurs[e.indicateur as usize].objectifs_annuels += e.objectif;
        }
    }
    let mut reported = false;
    for r in data.realisations.iter().filter(|r| r.periode == s) {
        f.indicateurs[r.indicateur as usize].realise += r.valeur;
        reported = true;
    }
    for c in data.contexte.iter().filter(|c| c.periode == s) {
        f.contexte.push(c);
        reported = true;
    }
    // National conventions are no department's report.
    if reported && code != super::transfer::NATIONAL {
        f.rapportant.insert(code);
    }
}

/// The semesters of a trend ending with `s`: from the first in which the departments had an
/// active convention or a contexte line, at most `max` of them.
pub fn semestres(base: &Base, codes: &[&str], s: Periode, max: usize) -> Vec<Periode> {
    let first = codes
        .iter()
        .filter_map(|c| base.donnees.get(*c))
        .flat_map(|d| {
            d.conventions
                .iter()
                .map(|c| super::model::Periode::semestre(c.debut.year(), half(c.debut.date())))
                .chain(d.contexte.iter().map(|c| c.periode))
        })
        .min()
        .unwrap_or(s)
        .min(s);
    let mut out = vec![s];
    let mut p = s;
    while p > first && out.len() < max {
        p = p.previous();
        out.push(p);
    }
    out.reverse();
    out
}

fn half(d: time::Date) -> u8 {
    if (d.month() as u8) <= 6 {
        1
    } else {
        2
    }
}

/// The indicators of an axis.
pub fn of_axe(axe: Axe) -> impl Iterator<Item = Indicateur> {
    Indicateur::ALL
        .iter()
        .copied()
        .filter(move |i| i.axe() == axe)
}
