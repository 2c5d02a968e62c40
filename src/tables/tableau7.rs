//! Tableau 7: the amounts the PLIE allocated to the SIAE and other structures, from the optional
//! `allocations.csv` (one row per PLIE, year and structure: the amount and its ESF part).
//!
//! Lines: the six SIAE (ACI, EI, ETTI, AI, régie de quartier, GEIQ), TOTAL SIAE, the eleven other
//! structures, TOTAL; columns `montant`, `dont_fse` (the codes of
//! `data/reference/plie2017_tableau7.csv`) and `part`, each line's share of TOTAL's amount.
//!
//! Decisions where the spec is silent:
//! - TOTAL is the sum of every line. The 2017 report prints 76 600 783 €, 3,5 M€ below the sum of
//!   its own lines (80 086 606 €), and its shares of the other structures are shares of that
//!   printed figure; here the shares of all lines add up to 100 %.
//! - A range sums its years (a flow), like Tableau 6.
//! - Only `plie`, `departement` and `region` filters apply; any other dimension is refused.

use super::tableau6::in_period;
use super::{Cell, Column, Row, Table};
use crate::index::Corpus;
use crate::model::Structure;
use crate::query::{Filter, Period};
use crate::store::StoreError;

/// The structures of the SIAE sub-total, in the published order.
pub const SIAE: [Structure; 6] = [
    Structure::Aci,
    Structure::Ei,
    Structure::Etti,
    Structure::Ai,
    Structure::Rq,
    Structure::Geiq,
];

/// What was allocated to a structure (or a group of them), in cents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Alloue {
    pub montant: i64,
    /// The part of `montant` paid by the ESF.
    pub dont_fse: i64,
}

impl Alloue {
    fn add(&mut self, other: Alloue) {
        self.montant += other.montant;
        self.dont_fse += other.dont_fse;
    }
}

/// Tableau 7 for a year or, summed, a range of years.
#[derive(Debug, Clone, PartialEq)]
pub struct Tableau7 {
    pub period: Period,
    pub filter: Filter,
    /// PLIE that sent allocations.csv with rows for the period, after filters.
    pub plies: usize,
    /// Per structure, in [`Structure::ALL`] order.
    pub structures: Vec<Alloue>,
}

impl Tableau7 {
    /// The amounts allocated to `structure`.
    pub fn structure(&self, structure: Structure) -> Alloue {
        self.structures[structure as usize]
    }

    fn sum(&self, structures: impl Iterator<Item = Structure>) -> Alloue {
        let mut all = Alloue::default();
        structures.for_each(|s| all.add(self.structure(s)));
        all
    }

    /// TOTAL SIAE.
    pub fn siae(&self) -> Alloue {
        self.sum(SIAE.into_iter())
    }

    /// TOTAL: every structure.
    pub fn total(&self) -> Alloue {
        self.sum(Structure::ALL.iter().copied())
    }

    /// `amount`'s share of TOTAL's amount; `None` when nothing was allocated.
    pub fn part(&self, amount: Alloue) -> Option<f64> {
        let total = self.total().montant;
        (total != 0).then(|| amount.montant as f64 / total as f64)
    }

    /// The table as printed: group `siae` (one line per structure code, then `total`), `autres`
    /// (one line per structure code), `total` (`total`).
    pub fn to_table(&self) -> Table {
        let columns = vec![
            Column::new("montant", "Total"),
            Column::new("dont_fse", "Dont FSE"),
            Column::new("part", "Répartition"),
        ];
        let mut table = Table::new(
            "7",
            "Tableau 7 — financements alloués par les PLIE aux SIAE et autres structures",
            self.period,
            &self.filter,
            columns,
        );
        table.plies = self.plies;
        let cells = |a: Alloue| {
            vec![
                Cell::Amount(a.montant),
                Cell::Amount(a.dont_fse),
                Cell::Rate(self.part(a)),
            ]
        };
        for &s in Structure::ALL {
            let group = if SIAE.contains(&s) { "siae" } else { "autres" };
            table.rows.push(Row::new(
                group,
                s.code(),
                label(s),
                1,
                cells(self.structure(s)),
            ));
            if s == Structure::Geiq {
                let siae = cells(self.siae());
                table
                    .rows
                    .push(Row::new("siae", "total", "TOTAL SIAE", 0, siae));
            }
        }
        table
            .rows
            .push(Row::new("total", "total", "TOTAL", 0, cells(self.total())));
        table
    }
}

/// The report's label of a structure's line.
fn label(s: Structure) -> &'static str {
    match s {
        Structure::Aci => "ACI",
        Structure::Ei => "EI",
        Structure::Etti => "ETTI",
        Structure::Ai => "AI",
        Structure::Rq => "Régie de Quartier",
        Structure::Geiq => "GEIQ",
        Structure::PoleEmploi => "Pôle emploi",
        Structure::MissionLocale => "Mission locale",
        Structure::OrganismeFormation => "Organisme de formation",
        Structure::Mde => "Maison de l'Emploi",
        Structure::Cbe => "CBE",
        Structure::ClubFondation => "Club ou Fondation d'entreprise",
        Structure::OperationInterne => "Opération interne",
        Structure::AssociationInsertion => "Association insertion / emploi hors IAE",
        Structure::CcasCias => "CCAS et CIAS",
        Structure::Collectivite => "Collectivité locale",
        Structure::Autre => "Autre association ou partenaire",
    }
}

impl Corpus {
    /// Tableau 7 over `period` (a range sums its years), restricted by `filter` (PLIE only).
    pub fn tableau7(&self, period: Period, filter: &Filter) -> Result<Tableau7, crate::Error> {
        let scope = self.annex_scope("7", "allocations.csv", filter)?;
        let annexes = self.annexes()?;
        let mut structures = vec![Alloue::default(); Structure::ALL.len()];
        let mut plies = 0;
        for (p, annex) in annexes.iter().enumerate() {
            if !scope[p] {
                continue;
            }
            let mut counted = false;
            for &(annee, structure, montant, dont_fse) in &annex.allocations {
                if !in_period(period, annee) {
                    continue;
                }
                counted = true;
                let Some(slot) = structures.get_mut(usize::from(structure)) else {
                    return Err(StoreError::Corrupt(format!(
                        "PLIE {}: an allocation has structure code {structure}, which no import \
                         writes",
                        self.plies[p].plie
                    ))
                    .into());
                };
                slot.add(Alloue { montant, dont_fse });
            }
            plies += usize::from(counted);
        }
        Ok(Tableau7 {
            period,
            filter: filter.clone(),
            plies,
            structures,
        })
    }
}
