//! Each PLIE's observation window (plie.csv's `complet_depuis` and `extraction`, FORMAT.md) and
//! which PLIE a period is observed for: a period is observed for a PLIE when the PLIE is complete
//! from the period's first day on and was extracted on or after its last day. Every table,
//! cross-tab and analysis is answered over the PLIE in scope observed for its whole period,
//! naming those left out, and refused when none is (docs/tables.md).

use time::{Date, Month};

use super::Corpus;
use crate::model::Day;
use crate::query::{Dimension, Filter, Period, QueryError, RowFilter};
use crate::tables::NonObserve;

/// A PLIE's observation window, in days since 1990-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fenetre {
    /// Every parcours active on or after this day is in the store.
    pub complet_depuis: Day,
    /// Nothing after this day is known.
    pub extraction: Day,
}

fn first_day(year: i32) -> Date {
    Date::from_calendar_date(year, Month::January, 1).expect("a year of a period")
}

fn last_day(year: i32) -> Date {
    Date::from_calendar_date(year, Month::December, 31).expect("a year of a period")
}

/// `31/12/2017`, as the French tables write dates.
pub(crate) fn date_fr(d: Day) -> String {
    let d = d.date();
    format!("{:02}/{:02}/{}", d.day(), d.month() as u8, d.year())
}

impl Fenetre {
    /// Why `period` is not observed, or `None` when it is.
    pub fn pourquoi_pas(self, period: Period) -> Option<String> {
        let mut why = Vec::new();
        if self.complet_depuis.date() > first_day(period.first) {
            why.push(format!(
                "données complètes depuis le {} seulement",
                date_fr(self.complet_depuis)
            ));
        }
        if self.extraction.date() < last_day(period.last) {
            why.push(format!("données extraites le {}", date_fr(self.extraction)));
        }
        (!why.is_empty()).then(|| why.join(", "))
    }

    /// Whether the whole of `period` is observed.
    pub fn observe(self, period: Period) -> bool {
        self.pourquoi_pas(period).is_none()
    }

    /// Whether the day `d` (days since 1990-01-01) is observed.
    pub fn observe_jour(self, d: u16) -> bool {
        self.complet_depuis.0 <= d && d <= self.extraction.0
    }
}

/// Which PLIE in scope a period is observed for.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Observation {
    /// Indexes in [`Corpus::plies`] of the PLIE in scope observed for the whole period.
    pub observes: Vec<usize>,
    /// The PLIE in scope left out, with why.
    pub non_observes: Vec<NonObserve>,
}

impl Corpus {
    /// The observation window of PLIE `p`; `None` for a PLIE that holds no parcours and sent no
    /// window (it has nothing to observe, and is neither counted nor listed).
    pub fn fenetre(&self, p: usize) -> Option<Fenetre> {
        let r = &self.plies[p];
        Some(Fenetre {
            complet_depuis: Day(r.complet_depuis?),
            extraction: Day(r.extraction?),
        })
    }

    /// Which PLIE passing the PLIE-level clauses of `filter` (plie, departement, region; the
    /// others say nothing of a PLIE's window) are observed for the whole of `period`.
    pub fn observation(
        &self,
        period: Period,
        filter: &Filter,
    ) -> Result<Observation, crate::Error> {
        let scope = RowFilter::resolve(filter, self)?;
        let mut o = Observation::default();
        for p in 0..self.plies.len() {
            if !scope.plies[p] {
                continue;
            }
            let Some(f) = self.fenetre(p) else { continue };
            match f.pourquoi_pas(period) {
                None => o.observes.push(p),
                Some(raison) => o.non_observes.push(NonObserve {
                    plie: self.plies[p].plie.clone(),
                    period,
                    raison,
                }),
            }
        }
        Ok(o)
    }

    /// `filter` narrowed to the PLIE observed for the whole of `period`, with those left out;
    /// refused (exit 1) when none of the PLIE in scope is observed, saying why for each.
    pub fn observed_filter(
        &self,
        period: Period,
        filter: &Filter,
    ) -> Result<(Filter, Vec<NonObserve>), crate::Error> {
        let o = self.observation(period, filter)?;
        if o.non_observes.is_empty() {
            return Ok((filter.clone(), Vec::new()));
        }
        if o.observes.is_empty() {
            return Err(QueryError::BadPeriod(non_observe_error(period, &o.non_observes)).into());
        }
        let codes: Vec<&str> = o
            .observes
            .iter()
            .map(|&p| self.plies[p].plie.as_str())
            .collect();
        Ok((filter.clone().with(Dimension::Plie, &codes), o.non_observes))
    }
}

/// The refusal of a period no PLIE in scope observed.
pub(crate) fn non_observe_error(period: Period, list: &[NonObserve]) -> String {
    let each = if list.len() <= crate::tables::LISTED {
        list.iter()
            .map(|n| format!("{} ({})", n.plie, n.raison))
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        crate::tables::grouped(list, |_, raison| raison.to_owned())
    };
    format!(
        "{period} is not observed (non observé) by any PLIE in scope: {each}; a figure of days \
         nobody observed would be a guess"
    )
}
