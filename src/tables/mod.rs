//! The national tables of MEASURES.md. Each is a typed value built on [`crate::query`] (or on the
//! étapes and optional files of the snapshot), so that a host program can use the figures, and
//! turns itself into a [`Table`] that `render` prints in every format.
//!
//! [`Tableau`] names them as `consolide tableau T` does; [`Corpus::tableau`] computes any of them.

mod periodes;
mod summaries;
mod table;
mod tableau1;
mod tableau10;
mod tableau1bis;
mod tableau2;
mod tableau3;
mod tableau4_5;
mod tableau6;
mod tableau7;
mod tableau8;
mod tableau9;
mod taux;

pub use periodes::{PeriodeFigures, Periodes, PERIODES_CARACTERISTIQUES, PERIODES_TAUX};
pub use summaries::Summaries;
pub(crate) use table::{grouped, LISTED};
pub use table::{non_observe_note, Base, Cell, Column, NonObserve, Note, Row, Table};
pub use tableau1::{Tableau1, Tableau1Row, TABLEAU1_COLUMNS};
pub use tableau10::{Indicateur, Tableau10, ACTIVITE_INDICATEURS};
pub use tableau1bis::{Tableau1bis, Tableau1bisRow, TABLEAU1BIS_FIGURES};
pub use tableau2::Tableau2;
pub use tableau3::{
    Durees, Sorties, Tableau3, Tableau3Ligne, CATEGORIES as TABLEAU3_CATEGORIES, JOURS_PAR_MOIS,
};
pub use tableau4_5::{Tableau4, Tableau5};
pub use tableau6::{Financements, Montants, Tableau6, Tableau6bis, AXES};
pub use tableau7::{Alloue, Tableau7, SIAE};
pub use tableau8::{Repartition, RepartitionLigne, Tableau8};
pub use tableau9::{duree_band, Tableau9};
pub use taux::{Taux, TauxRow, TAUX_CATEGORIES, TAUX_RESULTATS};

use crate::index::Corpus;
use crate::query::{Filter, Period};

/// One of the published tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Tableau {
    /// Entries and exits of a year by characteristic.
    T1,
    /// Entries and exits per year of a range, with each characteristic's share.
    T1bis,
    /// Abandon and positive-exit rates by category and year, and the summary rates.
    Taux,
    /// Étapes active in the year, by type, and étapes per participant.
    T2,
    /// Parcours that exit in the year and their mean duration.
    T3,
    /// Participants in an IAE or GEIQ étape, by structure.
    T4,
    /// The same, for étapes funded by the PLIE.
    T5,
    /// Funds mobilised, by ESF axis and financer.
    T6,
    /// Funds mobilised over a range, by financer.
    T6bis,
    /// Amounts allocated by structure.
    T7,
    /// Exits to employment by sector, employer, size, contract and measure.
    T8,
    /// Exits to training by domain, level, validation and duration.
    T9,
    /// Activity indicators of the PLIE.
    T10,
    /// The ESF programming periods side by side.
    Periodes,
}

impl Tableau {
    /// In the order of the published report (and of `tableau all`).
    pub const ALL: &'static [Tableau] = &[
        Tableau::T1,
        Tableau::T1bis,
        Tableau::Taux,
        Tableau::T2,
        Tableau::T3,
        Tableau::T4,
        Tableau::T5,
        Tableau::T6,
        Tableau::T6bis,
        Tableau::T7,
        Tableau::T8,
        Tableau::T9,
        Tableau::T10,
        Tableau::Periodes,
    ];

    /// The code `consolide tableau` takes.
    pub fn code(self) -> &'static str {
        match self {
            Tableau::T1 => "1",
            Tableau::T1bis => "1bis",
            Tableau::Taux => "taux",
            Tableau::T2 => "2",
            Tableau::T3 => "3",
            Tableau::T4 => "4",
            Tableau::T5 => "5",
            Tableau::T6 => "6",
            Tableau::T6bis => "6bis",
            Tableau::T7 => "7",
            Tableau::T8 => "8",
            Tableau::T9 => "9",
            Tableau::T10 => "10",
            Tableau::Periodes => "periodes",
        }
    }

    /// Reads a code (case-insensitive).
    pub fn parse(code: &str) -> Option<Tableau> {
        Self::ALL
            .iter()
            .copied()
            .find(|t| t.code().eq_ignore_ascii_case(code))
    }

    /// Whether the table covers several years side by side (it is then asked for a range).
    pub fn multi_year(self) -> bool {
        matches!(self, Tableau::T1bis | Tableau::Taux | Tableau::T6bis)
    }
}

/// The ESF programming periods, compared by the `periodes` table.
pub const PERIODES_FSE: &[(i32, i32)] = &[(2000, 2006), (2007, 2013), (2014, 2020)];

/// The programming periods that have started by the end of `period`, the last one cut at its end
/// (the published comparison of 2017 puts 2014-2017 beside 2000-2006 and 2007-2013).
pub fn periodes_until(period: Period) -> Vec<Period> {
    PERIODES_FSE
        .iter()
        .filter(|(first, _)| *first <= period.last)
        .map(|&(first, last)| Period {
            first,
            last: last.min(period.last),
        })
        .collect()
}

/// The whole consolidation (`tableau all`): every table that could be computed, in the published
/// order, and those left out with the reason (a filter the table cannot take).
#[derive(Debug, Clone, PartialEq)]
pub struct Consolidation {
    pub tables: Vec<Table>,
    pub omitted: Vec<(Tableau, String)>,
}

/// The years of the multi-year tables when none are given: the four ending with `period`'s last,
/// not before the first year the data cover ([`Corpus::annees_observees`]).
pub fn pluriannuel_default(period: Period, first_data_year: Option<i32>) -> Period {
    let first = (period.last - 3).max(first_data_year.unwrap_or(period.first));
    Period {
        first: first.min(period.first),
        last: period.last,
    }
}

/// A multi-year table puts each year in a column (and 1BIS computes one Tableau 1 per year): a
/// range is a few years, not centuries.
pub(crate) fn check_span(tableau: Tableau, period: Period) -> Result<(), crate::QueryError> {
    const MAX_YEARS: i32 = 50;
    Period::years(period.first, period.last)?;
    if tableau.multi_year() && period.last - period.first >= MAX_YEARS {
        return Err(crate::QueryError::BadPeriod(format!(
            "tableau {} puts each year of {period} in a column; give at most {MAX_YEARS} years",
            tableau.code()
        )));
    }
    Ok(())
}

impl Corpus {
    /// Every table: the yearly ones over `period`, the multi-year ones (1BIS, taux, 6BIS) over
    /// `pluriannuel` (by default [`pluriannuel_default`]), `periodes` up to `period`. A table
    /// that cannot take `filter` (the funding and activity tables know no participant) is left
    /// out and listed in [`Consolidation::omitted`].
    pub fn consolidation(
        &self,
        period: Period,
        pluriannuel: Option<Period>,
        filter: &Filter,
    ) -> Result<Consolidation, crate::Error> {
        let first_data_year = self.annees_observees().map(|p| p.first);
        let pluriannuel =
            pluriannuel.unwrap_or_else(|| pluriannuel_default(period, first_data_year));
        let mut all = Consolidation {
            tables: Vec::new(),
            omitted: Vec::new(),
        };
        for &t in Tableau::ALL {
            if t == Tableau::Periodes && periodes_until(period).is_empty() {
                let why = format!("no ESF programming period had begun by {}", period.last);
                all.omitted.push((t, why));
                continue;
            }
            let p = if t.multi_year() { pluriannuel } else { period };
            if t != Tableau::Periodes {
                let o = self.observation(p, filter)?;
                if o.observes.is_empty() && !o.non_observes.is_empty() {
                    let why = crate::index::non_observe_error(p, &o.non_observes);
                    all.omitted.push((t, why));
                    continue;
                }
            }
            match self.tableau(t, p, filter) {
                Ok(table) => all.tables.push(table),
                Err(crate::Error::Query(e @ crate::QueryError::FilterNotApplicable { .. })) => {
                    all.omitted.push((t, e.to_string()))
                }
                Err(e) => return Err(e),
            }
        }
        Ok(all)
    }

    /// Any published table over `period`, restricted by `filter`, over the PLIE in scope
    /// observed for the whole of `period` ([`Corpus::observed_filter`]: those left out are in
    /// [`Table::non_observes`], and a period none of them observed is refused); `periodes`
    /// observes each programming period on its own. The typed builders (`tableau1`...) count
    /// exactly the PLIE their filter names: pass them [`Corpus::observed_filter`]'s. Tables 2, 4, 5, 6, 6BIS, 7 and
    /// 10 read the étapes or the optional files of the snapshot from `store` (the store the corpus
    /// was loaded from); `periodes` compares [`periodes_until`] `period`.
    pub fn tableau(
        &self,
        tableau: Tableau,
        period: Period,
        filter: &Filter,
    ) -> Result<Table, crate::Error> {
        check_span(tableau, period)?;
        if tableau == Tableau::Periodes {
            // Each programming period is observed on its own (`Corpus::periodes`).
            return Ok(self.periodes(&periodes_until(period), filter)?.to_table());
        }
        let (observed, non_observes) = self.observed_filter(period, filter)?;
        let mut table = self.tableau_of(tableau, period, &observed)?;
        table.filter = filter.clone();
        table.non_observes = non_observes;
        Ok(table)
    }

    /// [`Corpus::tableau`] over exactly the PLIE `filter` names, whatever their window.
    fn tableau_of(
        &self,
        tableau: Tableau,
        period: Period,
        filter: &Filter,
    ) -> Result<Table, crate::Error> {
        Ok(match tableau {
            Tableau::T1 => self.tableau1(period, filter)?.to_table(),
            Tableau::T1bis => self.tableau1bis(period, filter)?.to_table(),
            Tableau::Taux => self.taux(period, filter)?.to_table(),
            Tableau::T2 => self.tableau2(period, filter)?.to_table(),
            Tableau::T3 => self.tableau3(period, filter)?.to_table(),
            Tableau::T4 => self.tableau4(period, filter)?.to_table(),
            Tableau::T5 => self.tableau5(period, filter)?.to_table(),
            Tableau::T6 => self.tableau6(period, filter)?.to_table(),
            Tableau::T6bis => self.tableau6bis(period, filter)?.to_table(),
            Tableau::T7 => self.tableau7(period, filter)?.to_table(),
            Tableau::T8 => self.tableau8(period, filter)?.to_table(),
            Tableau::T9 => self.tableau9(period, filter)?.to_table(),
            Tableau::T10 => self.tableau10(period, filter)?.to_table(),
            Tableau::Periodes => self.periodes(&periodes_until(period), filter)?.to_table(),
        })
    }
}
