//! Tableaux 4 and 5, « participants en étapes ACI et SIAE (financées) »: the distinct
//! participants with an IAE or GEIQ étape active in the period, by structure (ACI, EI, ETTI, AI,
//! régie de quartier, GEIQ = the `AIDE_GEIQ` étape), with their total and the share of each
//! structure among men and among women. Tableau 5 counts only the étapes funded by the PLIE
//! (`finance_plie`).
//!
//! What is counted:
//! - People, not parcours nor étapes: a participant is a participant key within one PLIE (keys
//!   are per PLIE, FORMAT.md), so two parcours or two ACI étapes of one person count once per
//!   structure.
//! - The total counts each person once, even one with étapes in two structures: the lines can
//!   then add up to more than the total, and a sex's shares to more than 100 %.
//! - A share is the structure's participants of that sex over the total's participants of that
//!   sex (`part_hommes_pct` of data/reference: men in ACI / men in the total); `part_participants`
//!   is the same over both sexes (the commentary's « 64 % en ACI »).
//! - A person's sex is the sex of the parcours of their étapes; should two of a person's parcours
//!   disagree (nothing in a transfer forbids it), the earliest of them with an étape counted
//!   decides, for every line, so that each line is hommes + femmes. (Tableau 2 counts étapes,
//!   each by the sex of its own parcours.)
//! - Activity in the period and filters are Tableau 2's (an étape without `fin` ends with its
//!   parcours; any parcours filter applies through the étape's parcours).
//! - PLIE counted (MEASURES.md, a table fed by the optional étapes file): for both tables, those
//!   with at least one étape (of any type) active in the period after filters, i.e. that sent
//!   étapes for the period. Tableau 5 adds the note `plie_financement`: those with at least one
//!   étape funded by the PLIE active in the period, the PLIE that record which étapes they fund
//!   (what the report's « 66 répondants » counts).

use super::tableau2::{corrupt, ActiveEtapes};
use super::{Cell, Column, Row, Table};
use crate::index::Corpus;
use crate::model::{EtapeType, Sexe, Structure};
use crate::query::{Filter, Period};
use crate::store::{Columns, EtapesColumn, ParcoursColumn};

type Lines = [[u64; 2]; 7];

/// The structures of the tables in the published order, with the étape type of each.
const STRUCTURES: [(Structure, EtapeType, &str); 6] = [
    (Structure::Aci, EtapeType::IaeAci, "ACI"),
    (Structure::Ei, EtapeType::IaeEi, "EI"),
    (Structure::Etti, EtapeType::IaeEtti, "ETTI"),
    (Structure::Ai, EtapeType::IaeAi, "AI"),
    (Structure::Rq, EtapeType::IaeRq, "Régie de Quartier"),
    (Structure::Geiq, EtapeType::AideGeiq, "GEIQ"),
];

/// Distinct participants per structure (in [`STRUCTURES`] order, then the total) and sex code.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Participants {
    lines: Lines,
    plies: usize,
    /// PLIE with an étape funded by the PLIE active in the period.
    plies_financement: usize,
}

impl Participants {
    fn line(structure: Option<Structure>) -> Option<usize> {
        match structure {
            None => Some(STRUCTURES.len()),
            Some(s) => STRUCTURES.iter().position(|(x, _, _)| *x == s),
        }
    }

    fn get(&self, structure: Option<Structure>, sexe: Option<Sexe>) -> Option<u64> {
        let pair = self.lines[Self::line(structure)?];
        Some(match sexe {
            None => pair[0] + pair[1],
            Some(s) => pair[s as usize],
        })
    }

    fn part(&self, structure: Structure, sexe: Option<Sexe>) -> Option<f64> {
        let n = self.get(Some(structure), sexe)?;
        let of = self.get(None, sexe)?;
        (of != 0).then(|| n as f64 / of as f64)
    }

    /// Counts over the étapes active in `period` after `filter`, only those funded by the PLIE
    /// when `funded_only`.
    fn count(
        corpus: &Corpus,
        period: Period,
        filter: &Filter,
        funded_only: bool,
    ) -> Result<Participants, crate::Error> {
        // Per PLIE, its people counted (participant numbers are per PLIE); and whether it sent
        // étapes for the period, and étapes it funds.
        let count_people = |seen: &mut Vec<(u32, u32, u8, u8)>, lines: &mut Lines| {
            seen.sort_unstable();
            for person in seen.chunk_by(|a, b| a.0 == b.0) {
                // The lowest row, the earliest parcours (a PLIE's rows are stored by entry
                // date), comes first and gives the person's sex.
                let sexe = person[0].3 as usize;
                let mut structures = [false; 6];
                person.iter().for_each(|e| structures[e.2 as usize] = true);
                for (line, _) in structures.iter().enumerate().filter(|(_, &s)| s) {
                    lines[line][sexe] += 1;
                }
                lines[STRUCTURES.len()][sexe] += 1;
            }
            seen.clear();
        };
        let active = ActiveEtapes::new(corpus, period, filter)?;
        let (lines, plies) = corpus.fold_plies(
            active.columns(Columns::of(&[
                ParcoursColumn::Sexe,
                ParcoursColumn::Participant,
            ])),
            |p| active.keeps(p),
            || (Lines::default(), vec![[false; 2]; corpus.plies.len()]),
            |(mut lines, mut plies), view| {
                // (participant, row, structure line, sex) of every étape that counts.
                let mut seen: Vec<(u32, u32, u8, u8)> = Vec::new();
                active.each(
                    corpus,
                    view,
                    &[EtapesColumn::Etape, EtapesColumn::FinancePlie],
                    |chunk, i, etapes, k| {
                        let funded = etapes.finance_plie[k] != 0;
                        plies[chunk.plie as usize][0] = true;
                        plies[chunk.plie as usize][1] |= funded;
                        if funded_only && !funded {
                            return Ok(());
                        }
                        let etape = etapes.etape[k];
                        let Some(line) = STRUCTURES.iter().position(|(_, t, _)| *t as u8 == etape)
                        else {
                            return Ok(());
                        };
                        let sexe = chunk.raw.sexe[i];
                        if sexe > 1 {
                            return Err(corrupt(etape, sexe).into());
                        }
                        seen.push((chunk.participants[i], etapes.parcours[k], line as u8, sexe));
                        Ok(())
                    },
                )?;
                count_people(&mut seen, &mut lines);
                Ok::<_, crate::Error>((lines, plies))
            },
            |(mut a, mut pa), (b, pb)| {
                for (x, y) in a.iter_mut().zip(&b) {
                    x[0] += y[0];
                    x[1] += y[1];
                }
                for (x, y) in pa.iter_mut().zip(&pb) {
                    x[0] |= y[0];
                    x[1] |= y[1];
                }
                (a, pa)
            },
        )?;
        Ok(Participants {
            plies: plies.iter().filter(|p| p[0]).count(),
            plies_financement: plies.iter().filter(|p| p[1]).count(),
            lines,
        })
    }

    fn to_table(
        self,
        tableau: &'static str,
        title: &str,
        period: Period,
        filter: &Filter,
    ) -> Table {
        let columns = vec![
            Column::new("participants", "Total"),
            Column::new("part_hommes", "dont Homme"),
            Column::new("part_femmes", "dont Femme"),
            Column::new("hommes", "Hommes"),
            Column::new("femmes", "Femmes"),
            Column::new("part_participants", "Part des participants"),
        ];
        let mut table = Table::new(tableau, title, period, filter, columns);
        table.plies = self.plies;
        let cells = |s: Option<Structure>| {
            let part = |sexe| match s {
                Some(s) => self.part(s, sexe),
                None => self.get(None, sexe).filter(|&n| n != 0).map(|_| 1.0),
            };
            let n = |sexe| Cell::Count(self.get(s, sexe).expect("a structure of the table"));
            vec![
                n(None),
                Cell::Rate(part(Some(Sexe::H))),
                Cell::Rate(part(Some(Sexe::F))),
                n(Some(Sexe::H)),
                n(Some(Sexe::F)),
                Cell::Rate(part(None)),
            ]
        };
        for (s, _, label) in STRUCTURES {
            table
                .rows
                .push(Row::new("structure", s.code(), label, 1, cells(Some(s))));
        }
        table
            .rows
            .push(Row::new("total", "TOTAL", "Total", 0, cells(None)));
        table.push_heading("structure", "Structures :");
        table
    }
}

/// The API Tableaux 4 and 5 share.
macro_rules! participants_api {
    ($t:ident) => {
        impl $t {
            /// Distinct participants in `structure` (ACI, EI, ETTI, AI, RQ or GEIQ; `None` for
            /// the total, each person once), of one sex or both; `None` for a structure the
            /// table does not have.
            pub fn participants(
                &self,
                structure: Option<Structure>,
                sexe: Option<Sexe>,
            ) -> Option<u64> {
                self.counts.get(structure, sexe)
            }

            /// The structure's participants of `sexe` (or of both) over the total's: the
            /// published « dont Homme / Femme » shares; `None` when the total is zero or for a
            /// structure the table does not have.
            pub fn part(&self, structure: Structure, sexe: Option<Sexe>) -> Option<f64> {
                self.counts.part(structure, sexe)
            }

            /// The structures of the table, in the published order.
            pub fn structures() -> [Structure; 6] {
                STRUCTURES.map(|(s, _, _)| s)
            }
        }
    };
}

/// Tableau 4: participants in an IAE or GEIQ étape active in the period.
#[derive(Debug, Clone, PartialEq)]
pub struct Tableau4 {
    pub period: Period,
    pub filter: Filter,
    /// PLIE with at least one étape active in the period after filters.
    pub plies: usize,
    counts: Participants,
}

participants_api!(Tableau4);

impl Tableau4 {
    /// The table as printed, rows and columns coded as in
    /// data/reference/plie2017_tableaux4_5.csv (shares as fractions).
    pub fn to_table(&self) -> Table {
        self.counts.to_table(
            "4",
            "Tableau 4 — participants en étapes ACI et SIAE",
            self.period,
            &self.filter,
        )
    }
}

impl Corpus {
    /// Tableau 4 over `period`, restricted by `filter` (any parcours filter, applied through the
    /// étape's parcours).
    pub fn tableau4(&self, period: Period, filter: &Filter) -> Result<Tableau4, crate::Error> {
        let counts = Participants::count(self, period, filter, false)?;
        Ok(Tableau4 {
            period,
            filter: filter.clone(),
            plies: counts.plies,
            counts,
        })
    }
}

/// Tableau 5: participants in an IAE or GEIQ étape funded by the PLIE active in the period.
#[derive(Debug, Clone, PartialEq)]
pub struct Tableau5 {
    pub period: Period,
    pub filter: Filter,
    /// PLIE with at least one étape active in the period after filters.
    pub plies: usize,
    /// PLIE with at least one étape funded by the PLIE active in the period after filters.
    pub plies_financement: usize,
    counts: Participants,
}

participants_api!(Tableau5);

impl Tableau5 {
    /// The table as printed, as [`Tableau4::to_table`].
    pub fn to_table(&self) -> Table {
        let mut table = self.counts.to_table(
            "5",
            "Tableau 5 — participants en étapes ACI et SIAE financées",
            self.period,
            &self.filter,
        );
        table.push_note(
            "plie_financement",
            "PLIE indiquant les étapes qu'ils financent",
            Cell::Count(self.plies_financement as u64),
        );
        table
    }
}

impl Corpus {
    /// Tableau 5 over `period`, restricted by `filter`.
    pub fn tableau5(&self, period: Period, filter: &Filter) -> Result<Tableau5, crate::Error> {
        let counts = Participants::count(self, period, filter, true)?;
        Ok(Tableau5 {
            period,
            filter: filter.clone(),
            plies: counts.plies,
            plies_financement: counts.plies_financement,
            counts,
        })
    }
}
