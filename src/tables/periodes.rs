//! The ESF programming periods side by side (the report's "Comparaison 2000-2006 / 2007-2013 /
//! 2014-2017"): the characteristics at entry of the participants who entered in each period, as
//! shares of its entries, and its three summary rates.
//!
//! The characteristics are hommes, femmes, `< 26 ans`, `≥ 26 ans`, `> 45 ans` (45 and over),
//! travailleurs handicapés, DELD, RSA, autres, niveaux VI, V bis, V, `IV et +` (IV, III, II, I)
//! and `Indéterminé` (niveau 9 and unknown, which is how the published columns reach 100 %). The
//! rates are those of MEASURES.md over the period, from counts summed over its years:
//! sorties_positives / sorties, the same without the exits for moving, death or retirement, and
//! sorties_positives / entrees.
//!
//! Out of scope: the published comparison also gives funds per beneficiary and funds by financer
//! per period; MEASURES.md lists the shares and the rates only, and the funds belong to the
//! funding tables (6, 6BIS).
//!
//! Decisions where the spec is silent:
//! - the table opens with two lines the report does not print, each period's entries (the
//!   denominator of its shares) and the PLIE that contributed to it, so that periods of unequal
//!   coverage can be read side by side;
//! - [`Periodes::plies`] (the table's count) counts the PLIE observing at least one of the
//!   periods with a parcours active at some time from the first period's start to the last
//!   one's end, the table's period;
//! - each period is computed over the PLIE in scope whose observation window covers all of it
//!   (docs/tables.md); a period none of them observed (2000-2006 and 2007-2013 for a corpus
//!   complete from 2014 on) is a column of [`Cell::NonObserve`], never 0 nor 0 %, and the PLIE
//!   left out of each period are in [`Periodes::non_observes`]; a period observed but without
//!   entries has shares and rates `None`;
//! - no period at all is refused (the table would have no period).
//!
//! Codes: a characteristic line is `dimension,value` as on the command line (`sexe,H`,
//! `age45,>=45`, `niveau_groupe,IV+`), `niveau_groupe,indetermine` for 9 and unknown; a rate line
//! is `taux,<measure>`. The reference file's `_pct` names are not used: csv carries fractions.

use super::tableau1bis::count;
use super::taux::Categories;
use super::{Cell, Column, Row, Table};
use crate::index::Corpus;
use crate::query::{
    rate as share, Dimension, Filter, Measure, Path, Period, QueryError, Tally, Value,
};

/// The characteristic lines in the published order: dimension, value codes summed, line code,
/// label.
pub const PERIODES_CARACTERISTIQUES: &[(Dimension, &[&str], &str, &str)] = &[
    (Dimension::Sexe, &["H"], "H", "Hommes"),
    (Dimension::Sexe, &["F"], "F", "Femmes"),
    (Dimension::Age26, &["<26"], "<26", "< 26 ans"),
    (Dimension::Age26, &[">=26"], ">=26", "≥ 26 ans"),
    (Dimension::Age45, &[">=45"], ">=45", "> 45 ans"),
    (Dimension::Th, &["1"], "1", "Travailleurs handicapés"),
    (Dimension::Public, &["DELD"], "DELD", "DELD"),
    (Dimension::Public, &["RSA"], "RSA", "RSA"),
    (Dimension::Public, &["AUTRE"], "AUTRE", "Autres"),
    (Dimension::NiveauGroupe, &["VI"], "VI", "VI"),
    (Dimension::NiveauGroupe, &["VBIS"], "VBIS", "V bis"),
    (Dimension::NiveauGroupe, &["V"], "V", "V"),
    (Dimension::NiveauGroupe, &["IV+"], "IV+", "IV et +"),
    (
        Dimension::NiveauGroupe,
        &["9", "NC"],
        "indetermine",
        "Indéterminé",
    ),
];

/// The rate lines: measure and the report's label.
pub const PERIODES_TAUX: &[(Measure, &str)] = &[
    (
        Measure::TauxSortiesPositives,
        "Taux de sorties positives / total des sorties",
    ),
    (
        Measure::TauxSortiesPositivesHorsDem,
        "Taux de sorties positives / total des sorties (hors déménagements, décès, retraite)",
    ),
    (
        Measure::TauxSortiesPositivesEntrees,
        "Taux de sorties positives / total des entrées",
    ),
];

/// The figures of one period.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodeFigures {
    pub period: Period,
    /// PLIE with at least one parcours active in the period after filters.
    pub plies: usize,
    /// All the parcours of the period (counts summed over its years).
    pub total: Tally,
    /// One per line of [`PERIODES_CARACTERISTIQUES`].
    pub caracteristiques: Vec<Tally>,
    /// No PLIE in scope observed the whole period: its figures are unknown ("non observé"),
    /// and the tallies above are empty.
    pub non_observe: bool,
}

impl PeriodeFigures {
    /// The share of the entries of the period made by line `i` of [`PERIODES_CARACTERISTIQUES`].
    pub fn share(&self, i: usize) -> Option<f64> {
        share(self.caracteristiques[i].entrees, self.total.entrees)
    }

    /// The rate `measure` over the period (`None` for a count or a zero denominator).
    pub fn taux(&self, measure: Measure) -> Option<f64> {
        match self.total.get(measure) {
            Value::Rate(r) => r,
            Value::Count(_) => None,
        }
    }
}

/// Periods compared side by side.
#[derive(Debug, Clone, PartialEq)]
pub struct Periodes {
    pub filter: Filter,
    /// PLIE with at least one parcours active from the first period's start to the last one's
    /// end, after filters.
    pub plies: usize,
    /// In the order asked.
    pub periodes: Vec<PeriodeFigures>,
    /// Per period, the PLIE in scope left out of it for their observation window.
    pub non_observes: Vec<super::NonObserve>,
}

impl Periodes {
    /// From the earliest period's start to the latest one's end.
    pub fn span(&self) -> Period {
        Period {
            first: self
                .periodes
                .iter()
                .map(|p| p.period.first)
                .min()
                .unwrap_or(0),
            last: self
                .periodes
                .iter()
                .map(|p| p.period.last)
                .max()
                .unwrap_or(0),
        }
    }

    /// The figures of the period written `first-last` (`2014-2017`).
    pub fn periode(&self, key: &str) -> Option<&PeriodeFigures> {
        self.periodes.iter().find(|p| column_key(p.period) == key)
    }

    /// The table as printed: a column per period.
    pub fn to_table(&self) -> Table {
        let columns = self
            .periodes
            .iter()
            .map(|p| {
                let key = column_key(p.period);
                Column::new(key.clone(), key)
            })
            .collect();
        let mut table = Table::new(
            "periodes",
            "Comparaison des périodes de programmation FSE",
            self.span(),
            &self.filter,
            columns,
        );
        table.plies = self.plies;
        table.non_observes = self.non_observes.clone();
        let line = |f: &dyn Fn(&PeriodeFigures) -> Cell| {
            self.periodes
                .iter()
                .map(|p| {
                    if p.non_observe {
                        Cell::NonObserve
                    } else {
                        f(p)
                    }
                })
                .collect()
        };
        table.rows.push(Row::new(
            "total",
            "entrees",
            "Participants entrés",
            0,
            line(&|p| Cell::Count(count(&p.total, Measure::Entrees))),
        ));
        table.rows.push(Row::new(
            "total",
            "plies",
            "PLIE ayant contribué",
            0,
            line(&|p| Cell::Count(p.plies as u64)),
        ));
        for (i, (dimension, _, code, label)) in PERIODES_CARACTERISTIQUES.iter().enumerate() {
            table.rows.push(Row::new(
                dimension.code(),
                *code,
                *label,
                1,
                line(&|p| Cell::Rate(p.share(i))),
            ));
        }
        for (measure, label) in PERIODES_TAUX {
            table.rows.push(Row::new(
                "taux",
                measure.code(),
                *label,
                0,
                line(&|p| Cell::Rate(p.taux(*measure))),
            ));
        }
        table.push_heading(
            "sexe",
            "Caractéristiques des publics à l'entrée dans les PLIE (part des entrées)",
        );
        table.push_heading("niveau_groupe", "Niveau");
        table.push_heading("taux", "Les taux de sorties positives");
        table
    }
}

/// A period's column key and header: `2014-2017`, or `2017` for a single year.
fn column_key(p: Period) -> String {
    p.to_string().replace("..", "-")
}

impl Corpus {
    /// The periods `periodes` side by side, restricted by `filter`.
    pub fn periodes(&self, periodes: &[Period], filter: &Filter) -> Result<Periodes, crate::Error> {
        if periodes.is_empty() {
            let (first, _) = super::PERIODES_FSE[0];
            return Err(QueryError::BadPeriod(format!(
                "no programming period to compare: the first ESF period starts in {first}"
            ))
            .into());
        }
        let span = Period::years(
            periodes.iter().map(|p| p.first).min().expect("not empty"),
            periodes.iter().map(|p| p.last).max().expect("not empty"),
        )?;
        if let Some(p) = periodes.iter().find(|p| p.first > p.last) {
            return Err(QueryError::BadPeriod(format!("{p} ends before it starts")).into());
        }
        let categories = Categories::of(PERIODES_CARACTERISTIQUES.iter().map(|c| c.0));
        let groupings = categories.groupings();
        let mut figures = Vec::new();
        let mut non_observes = Vec::new();
        // The PLIE observed for at least one period: the table's count is theirs.
        let mut observed_somewhere = std::collections::BTreeSet::new();
        for &period in periodes {
            // Each period over the PLIE in scope that observed all of it (docs/tables.md); a
            // period none observed is "non observé".
            let o = self.observation(period, filter)?;
            let unobserved = o.observes.is_empty() && !o.non_observes.is_empty();
            let restricted = if o.non_observes.is_empty() {
                filter.clone()
            } else {
                let codes: Vec<&str> = o
                    .observes
                    .iter()
                    .map(|&p| self.plies[p].plie.as_str())
                    .collect();
                filter.clone().with(Dimension::Plie, &codes)
            };
            observed_somewhere.extend(o.observes.iter().copied());
            non_observes.extend(o.non_observes);
            if unobserved {
                figures.push(PeriodeFigures {
                    period,
                    plies: 0,
                    total: Tally::default(),
                    caracteristiques: vec![Tally::default(); PERIODES_CARACTERISTIQUES.len()],
                    non_observe: true,
                });
                continue;
            }
            let g = self.grouped(period, &restricted, &groupings, Path::Summary)?;
            figures.push(PeriodeFigures {
                period,
                plies: g.plies,
                total: categories.whole(&g),
                caracteristiques: PERIODES_CARACTERISTIQUES
                    .iter()
                    .map(|(d, values, _, _)| categories.cell(&g, *d, values))
                    .collect(),
                non_observe: false,
            });
        }
        // Only the PLIE count: no grouping to tally.
        let plies = if non_observes.is_empty() {
            self.grouped(span, filter, &[], Path::Summary)?.plies
        } else if observed_somewhere.is_empty() {
            0
        } else {
            let codes: Vec<&str> = observed_somewhere
                .iter()
                .map(|&p| self.plies[p].plie.as_str())
                .collect();
            let restricted = filter.clone().with(Dimension::Plie, &codes);
            self.grouped(span, &restricted, &[], Path::Summary)?.plies
        };
        Ok(Periodes {
            filter: filter.clone(),
            plies,
            periodes: figures,
            non_observes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_levels_of_the_published_columns_sum_to_one() {
        // Every niveau_groupe code is in exactly one line.
        let mut codes: Vec<&str> = PERIODES_CARACTERISTIQUES
            .iter()
            .filter(|c| c.0 == Dimension::NiveauGroupe)
            .flat_map(|c| c.1.iter().copied())
            .collect();
        codes.sort_unstable();
        let mut all = Dimension::NiveauGroupe.fixed_values().unwrap();
        all.sort_unstable();
        assert_eq!(codes, all);
        assert_eq!(column_key(Period::years(2014, 2017).unwrap()), "2014-2017");
        assert_eq!(column_key(Period::year(2017)), "2017");
    }
}
