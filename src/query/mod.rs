//! Queries: any measure over a period, broken down by up to two dimensions, restricted by filters.
//!
//! Two paths give the same answers (the tests check it): [`Path::Scan`] counts in one pass over
//! the columns, chunks in parallel, and is the default for whole tables; [`Path::Bitmap`] answers
//! each cell by intersecting roaring bitmaps (per column value, per year and status).

mod bitmap;
mod dimension;
mod measure;
mod scan;
mod suggestion;
mod summary;

pub use dimension::{folded, Dimension, Filter};
pub use measure::{Measure, Period, Tally, Value};
pub use suggestion::{did_you_mean, near_miss};

pub(crate) use measure::rate;

pub(crate) use dimension::{Axis, Lookup, Present, RowFilter};

use crate::index::Corpus;

/// A query that cannot be answered as asked (CLI exit status 1). An unknown name or code says
/// which valid one it is a near miss of, if any ([`QueryError::suggestion`]), before listing
/// them all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    #[error(
        "unknown dimension {name:?}; {}valid dimensions: {valid}",
        suggestion::did_you_mean_in(.name, .valid)
    )]
    UnknownDimension { name: String, valid: String },
    #[error(
        "unknown value {value:?} for dimension {dimension}; {}valid values: {valid}",
        suggestion::did_you_mean_in(.value, .valid)
    )]
    UnknownValue {
        dimension: &'static str,
        value: String,
        valid: String,
    },
    #[error(
        "unknown measure {name:?}; {}valid measures: {valid}",
        suggestion::did_you_mean_in(.name, .valid)
    )]
    UnknownMeasure { name: String, valid: String },
    #[error("a filter is written DIM=V1[,V2...], not {0:?}")]
    BadFilter(String),
    #[error("bad period: {0}")]
    BadPeriod(String),
    #[error("dimension {name} cannot be used here ({why}); valid dimensions: {valid}")]
    DimensionNotAllowed {
        name: &'static str,
        why: &'static str,
        valid: String,
    },
    #[error("the same dimension {0} cannot be both rows and columns")]
    SameDimension(&'static str),
    #[error(
        "tableau {tableau} is built from {source_file}, which says nothing of {dimension}: \
         filter it by plie, departement or region only"
    )]
    FilterNotApplicable {
        tableau: &'static str,
        source_file: &'static str,
        dimension: &'static str,
    },
}

impl QueryError {
    /// The valid name or code an unknown one is a near miss of (`niveau` for `nivaeu`), as the
    /// message suggests it; `None` for the other errors and when nothing is near.
    pub fn suggestion(&self) -> Option<&str> {
        match self {
            QueryError::UnknownDimension { name: word, valid }
            | QueryError::UnknownMeasure { name: word, valid }
            | QueryError::UnknownValue {
                value: word, valid, ..
            } => suggestion::near_miss(word, valid.split(", ")),
            _ => None,
        }
    }
}

/// How a query is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Path {
    /// One fused pass over the columns.
    #[default]
    Scan,
    /// Intersections of roaring bitmaps, cell by cell.
    Bitmap,
    /// Sums over the PLIE's summaries written at import, where the query allows it (groupings
    /// of one characteristic or public × inscrit_pe, entry or exit year, motif or PLIE; a filter
    /// on `plie`, `departement` or `region` only); the scan otherwise.
    Summary,
}

/// A cross-tabulation: one measure over a period by one or two dimensions.
#[derive(Debug, Clone, PartialEq)]
pub struct Crosstab {
    pub measure: Measure,
    pub period: Period,
    pub rows: Dimension,
    pub cols: Option<Dimension>,
    pub filter: Filter,
}

/// The answer to a [`Crosstab`]: a [`Tally`] per cell, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct CrosstabResult {
    pub query: Crosstab,
    pub row_values: Vec<String>,
    /// Empty for a one-dimension cross-tab.
    pub col_values: Vec<String>,
    pub cells: Vec<Tally>,
    /// PLIE with at least one parcours active in the period after filters.
    pub plies: usize,
    /// Per cell, whether statistical secrecy masks it (`crate::secret`); empty when none was
    /// asked.
    pub masked: Vec<bool>,
    /// The threshold N of statistical secrecy, if any.
    pub secret: Option<u64>,
    /// The PLIE in scope left out for their observation window (docs/tables.md).
    pub non_observes: Vec<crate::tables::NonObserve>,
}

impl CrosstabResult {
    fn width(&self) -> usize {
        self.col_values.len().max(1)
    }

    /// The tally of row value `r` and column value `c` (`c` = 0 with one dimension).
    pub fn tally(&self, r: usize, c: usize) -> &Tally {
        &self.cells[r * self.width() + c]
    }

    /// The measure's value in a cell.
    pub fn value(&self, r: usize, c: usize) -> Value {
        self.tally(r, c).get(self.query.measure)
    }

    /// Whether statistical secrecy masks a cell.
    pub fn is_masked(&self, r: usize, c: usize) -> bool {
        self.masked
            .get(r * self.width() + c)
            .copied()
            .unwrap_or(false)
    }
}

/// The base counts of several groupings (each one or two dimensions) of the parcours passing a
/// filter, computed together.
#[derive(Debug, Clone)]
pub(crate) struct Grouped {
    /// Per grouping, its axes and a tally per cell (row-major).
    pub groupings: Vec<(Vec<Axis>, Vec<Tally>)>,
    pub plies: usize,
}

impl Corpus {
    /// The years the data cover: from the year of the earliest exit (a transfer carries the
    /// parcours still active when its coverage starts, so earlier entry years are only partly
    /// there; the year of the earliest entry when nothing has exited) to the year of the latest
    /// entry or exit. `None` without parcours. The default span of multi-year figures. Read off
    /// the zone maps: no parcours is read.
    pub fn annees_observees(&self) -> Option<Period> {
        let first_entry = self.chunks.iter().map(|c| c.zone.entree.0).min()?;
        let first_exit = self
            .chunks
            .iter()
            .filter_map(|c| c.zone.sortie.map(|s| s.0))
            .min();
        let last = self
            .chunks
            .iter()
            .map(|c| {
                c.zone
                    .sortie
                    .map_or(c.zone.entree.1, |s| s.1.max(c.zone.entree.1))
            })
            .max()?;
        let year = |day: u16| crate::model::FIRST_YEAR + i32::from(crate::model::year_code(day));
        Some(Period {
            first: year(first_exit.unwrap_or(first_entry)),
            last: year(last),
        })
    }

    /// Answers `query` from the summaries where they answer it, else on the scan path.
    pub fn crosstab(&self, query: &Crosstab) -> Result<CrosstabResult, crate::Error> {
        self.crosstab_with(query, Path::Summary)
    }

    /// Answers `query` on the chosen path.
    pub fn crosstab_with(
        &self,
        query: &Crosstab,
        path: Path,
    ) -> Result<CrosstabResult, crate::Error> {
        if Some(query.rows) == query.cols {
            return Err(QueryError::SameDimension(query.rows.code()).into());
        }
        let dims: Vec<Dimension> = std::iter::once(query.rows).chain(query.cols).collect();
        // Over the PLIE observed for the whole period, as every table (docs/tables.md).
        let (observed, non_observes) = self.observed_filter(query.period, &query.filter)?;
        let mut grouped = self.grouped(query.period, &observed, &[dims], path)?;
        let (axes, cells) = grouped.groupings.pop().expect("one grouping");
        let mut axes = axes.into_iter();
        Ok(CrosstabResult {
            query: query.clone(),
            row_values: axes.next().map(|a| a.values).unwrap_or_default(),
            col_values: axes.next().map(|a| a.values).unwrap_or_default(),
            cells,
            plies: grouped.plies,
            masked: Vec::new(),
            secret: None,
            non_observes,
        })
    }

    /// Tallies of every grouping in `groupings` (lists of one or two dimensions).
    pub(crate) fn grouped(
        &self,
        period: Period,
        filter: &Filter,
        groupings: &[Vec<Dimension>],
        path: Path,
    ) -> Result<Grouped, crate::Error> {
        let filter = RowFilter::resolve(filter, self)?;
        let data_driven = groupings
            .iter()
            .flatten()
            .any(|d| d.fixed_values().is_none());
        let present = if data_driven {
            Present::scan(self, &filter)?
        } else {
            Present::none()
        };
        let axes: Vec<Vec<Axis>> = groupings
            .iter()
            .map(|dims| {
                dims.iter()
                    .map(|&d| Axis::resolve(d, self, &present))
                    .collect()
            })
            .collect::<Result<_, _>>()?;
        Ok(match path {
            Path::Scan => scan::grouped(self, period, &filter, axes)?,
            Path::Bitmap => bitmap::grouped(self, period, &filter, axes)?,
            Path::Summary => match summary::grouped(self, period, &filter, &axes)? {
                Some(grouped) => grouped,
                None if self.summaries_only => {
                    return Err(QueryError::DimensionNotAllowed {
                        name: "(a grouping or filter of this query)",
                        why: "this query needs the parcours, and only the summaries were loaded",
                        valid: "plie, departement, region".into(),
                    }
                    .into())
                }
                None => scan::grouped(self, period, &filter, axes)?,
            },
        })
    }
}
