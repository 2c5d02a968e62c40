//! The summaries of a store snapshot without its parcours: what a host needs to publish Tableau 1
//! for any period and territory, read in milliseconds and held in a few megabytes whatever the
//! number of parcours.

use super::{Tableau1, Tableau1bis};
use crate::index::{Corpus, Scope};
use crate::query::{Filter, Path, Period, QueryError};
use crate::store::{Store, StoreError};

/// Every PLIE of a snapshot with its summary (the parcours added up at import, see
/// `store::PlieSummary`), and no parcours. It answers the queries a summary can answer exactly —
/// Tableaux 1 and 1BIS filtered by `plie`, `departement` or `region` — and refuses the others; a
/// [`Corpus`] answers everything, and uses the same summaries where they apply.
#[derive(Debug)]
pub struct Summaries {
    /// A corpus of no parcours: the PLIE, departments and regions that filters resolve against,
    /// and the summaries. Only fixed-code groupings may be asked of it: data-driven dimensions
    /// (years, PLIE, territories as axes) list the values present in the parcours, which it has
    /// not read, so a new method here must keep to Tableaux 1 and 1BIS's kind of query.
    places: Corpus,
}

impl Summaries {
    /// Reads the summaries of every PLIE of `store` (one read transaction); `None` when one has
    /// none of this build's layout (a store written before summaries, until its next import).
    pub fn load(store: &Store) -> Result<Option<Summaries>, StoreError> {
        Summaries::load_scoped(store, &Scope::all())
    }

    /// The same for the PLIE in `scope` only (see [`Corpus::load_scoped`]).
    pub fn load_scoped(store: &Store, scope: &Scope) -> Result<Option<Summaries>, StoreError> {
        let Some(data) = store.read_summaries(&|r| scope.contains(r))? else {
            return Ok(None);
        };
        // A record of layout 1 has no observation window: the corpus derives it from the zone
        // maps, which the summaries do not read, so such a store is answered by the corpus.
        if data
            .iter()
            .any(|(r, _)| r.parcours > 0 && (r.extraction.is_none() || r.complet_depuis.is_none()))
        {
            return Ok(None);
        }
        Ok(Some(data).map(|data| {
            let (plies, summaries) = data.into_iter().map(|(r, s)| (r, Some(s))).unzip();
            let mut places = Corpus::of_plies(plies, Some(summaries));
            places.summaries_only = true;
            Summaries { places }
        }))
    }

    /// Tableau 1 over `period`, equal to [`Corpus::tableau1`]'s; `filter` may name `plie`,
    /// `departement` and `region` only.
    pub fn tableau1(&self, period: Period, filter: &Filter) -> Result<Tableau1, crate::Error> {
        Summaries::check(filter)?;
        self.places.tableau1_with(period, filter, Path::Summary)
    }

    /// Tableau 1BIS over `period` (Tableau 1 of each year and of the range), equal to
    /// [`Corpus::tableau1bis`]'s; the same filters as [`Summaries::tableau1`].
    pub fn tableau1bis(
        &self,
        period: Period,
        filter: &Filter,
    ) -> Result<Tableau1bis, crate::Error> {
        Summaries::check(filter)?;
        crate::tables::check_span(crate::tables::Tableau::T1bis, period)?;
        self.places.tableau1bis(period, filter)
    }

    /// Tableau 1 or 1BIS as [`Corpus::tableau`] gives it: over the PLIE in scope observed for
    /// the whole of `period`, those left out named, refused when none is (docs/tables.md).
    pub fn tableau(
        &self,
        tableau: super::Tableau,
        period: Period,
        filter: &Filter,
    ) -> Result<super::Table, crate::Error> {
        Summaries::check(filter)?;
        crate::tables::check_span(tableau, period)?;
        let (observed, non_observes) = self.places.observed_filter(period, filter)?;
        let mut table = match tableau {
            super::Tableau::T1bis => self.tableau1bis(period, &observed)?.to_table(),
            super::Tableau::T1 => self.tableau1(period, &observed)?.to_table(),
            other => {
                return Err(QueryError::BadPeriod(format!(
                    "tableau {} needs the parcours: the summaries answer 1 and 1bis",
                    other.code()
                ))
                .into())
            }
        };
        table.filter = filter.clone();
        table.non_observes = non_observes;
        Ok(table)
    }

    fn check(filter: &Filter) -> Result<(), QueryError> {
        match filter.clauses.iter().find(|(d, _)| !d.is_territorial()) {
            Some((d, _)) => Err(QueryError::DimensionNotAllowed {
                name: d.code(),
                why: "the summaries count parcours by PLIE: a filter on a characteristic needs \
                      the parcours",
                valid: "plie, departement, region".into(),
            }),
            None => Ok(()),
        }
    }

    /// Whether `filter` is one the summaries answer.
    pub fn answers(filter: &Filter) -> bool {
        filter.clauses.iter().all(|(d, _)| d.is_territorial())
    }

    /// The PLIE of the snapshot, sorted by code.
    pub fn plies(&self) -> &[crate::store::PlieRecord] {
        self.places.plies()
    }
}
