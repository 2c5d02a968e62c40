//! The rates by category and year: the abandon rate (abandons / sorties) and the positive-exit
//! rate (sorties_positives / sorties) of each category of participants, year by year and over the
//! range, then the summary results of each year and of the range (the commentary's "résultats
//! cumulés": entries, exits, parcours-years and the three summary rates).
//!
//! A category is a value (or a group of values) of a characteristic at entry: hommes, femmes,
//! `< 26 ans`, `≥ 26 ans`, `> 45 ans` (45 and over, `age45=>=45`), travailleurs handicapés, DELD,
//! RSA, autres publics, niveaux VI, V bis, V and `IV et +` (`niveau_groupe=IV+`), and TOTAL. A
//! rate over the range is the ratio of the counts summed over its years, never a mean of yearly
//! rates; a rate whose denominator is zero is `None`.
//!
//! Decisions where the spec is silent:
//! - the published figures are two tables (abandons 2014-2017, positive exits 2014-2017) and a
//!   list of cumulated results; the table keeps that shape: one column per year and one for the
//!   range (`total`), and three blocks of lines, `taux_abandons`, `taux_sorties_positives` and
//!   `resultats`. A category line's code is the filter that defines it (`sexe=H`, `age45=>=45`,
//!   `niveau_groupe=IV+`), or `total`; a `resultats` line's code is its measure's;
//! - the TOTAL line also has its abandon rate (the report prints it in the commentary, 20 % in
//!   2017, not in the table);
//! - labels are the report's; `≥ 26 ans` is Tableau 1's wording (the rates table prints
//!   `> 26 ans` for the same category), `> 45 ans` is the report's and MEASURES.md's;
//! - [`Taux::plies`] counts the PLIE with a parcours active at some time of the range;
//! - a single year gives its column and the `total` column (equal to it, headed `Total`).

use std::ops::RangeInclusive;

use super::{Cell, Column, Row, Table};
use crate::index::Corpus;
use crate::query::{Dimension, Filter, Grouped, Measure, Path, Period, Tally, Value};

/// The categories in the published order: dimension, value code, label.
pub const TAUX_CATEGORIES: &[(Dimension, &str, &str)] = &[
    (Dimension::Sexe, "H", "Hommes"),
    (Dimension::Sexe, "F", "Femmes"),
    (Dimension::Age26, "<26", "< 26 ans"),
    (Dimension::Age26, ">=26", "≥ 26 ans"),
    (Dimension::Age45, ">=45", "> 45 ans"),
    (Dimension::Th, "1", "Travailleurs handicapés"),
    (Dimension::Public, "DELD", "DELD"),
    (Dimension::Public, "RSA", "RSA"),
    (Dimension::Public, "AUTRE", "Autres publics en difficulté"),
    (Dimension::NiveauGroupe, "VI", "VI"),
    (Dimension::NiveauGroupe, "VBIS", "V bis"),
    (Dimension::NiveauGroupe, "V", "V"),
    (Dimension::NiveauGroupe, "IV+", "IV et +"),
];

/// The lines of the `resultats` block: measure and the report's label.
pub const TAUX_RESULTATS: &[(Measure, &str)] = &[
    (Measure::Entrees, "Participants entrés"),
    (Measure::SortiesPositives, "Sorties « positives »"),
    (Measure::SortiesSansSuite, "Sorties « sans suite »"),
    (
        Measure::DemenagementsDecesRetraites,
        "dont déménagements, décès, retraite",
    ),
    (Measure::EnParcours, "Participants en parcours"),
    (
        Measure::TauxSortiesPositivesEntrees,
        "Taux de sorties positives / total des entrées",
    ),
    (
        Measure::TauxSortiesPositives,
        "Taux de sorties positives / total des sorties",
    ),
    (
        Measure::TauxSortiesPositivesHorsDem,
        "Taux de sorties positives / total des sorties (hors déménagements, décès, retraite)",
    ),
];

/// The counts of a category (or of all participants) per year and over the range.
#[derive(Debug, Clone, PartialEq)]
pub struct TauxRow {
    /// The category's dimension; `None` for TOTAL.
    pub dimension: Option<Dimension>,
    /// The category's value code within its dimension (`total` for TOTAL).
    pub value: &'static str,
    /// The report's label.
    pub label: &'static str,
    /// One per year of the period, in order.
    pub years: Vec<Tally>,
    /// Over the whole period.
    pub total: Tally,
}

impl TauxRow {
    /// The line's code: the filter that defines the category (`sexe=H`), or `total`.
    pub fn code(&self) -> String {
        match self.dimension {
            Some(d) => format!("{}={}", d.code(), self.value),
            None => "total".into(),
        }
    }
}

/// The rates by category and year over a range (or a single year), with the summary results.
#[derive(Debug, Clone, PartialEq)]
pub struct Taux {
    pub period: Period,
    pub filter: Filter,
    /// PLIE with at least one parcours active in the period after filters.
    pub plies: usize,
    /// The categories of [`TAUX_CATEGORIES`] in order, then TOTAL.
    pub rows: Vec<TauxRow>,
}

fn rate(value: Value) -> Option<f64> {
    match value {
        Value::Rate(r) => r,
        Value::Count(_) => panic!("a count is not a rate"),
    }
}

impl Taux {
    /// The years of the period, one column each.
    pub fn years(&self) -> RangeInclusive<i32> {
        self.period.first..=self.period.last
    }

    /// The TOTAL line.
    pub fn total(&self) -> &TauxRow {
        self.rows.last().expect("the TOTAL line")
    }

    /// The line of code `code` (`sexe=H`, `total`...).
    pub fn row(&self, code: &str) -> Option<&TauxRow> {
        self.rows.iter().find(|r| r.code() == code)
    }

    /// The counts of `line` in `year` (`None`: over the period); `None` for a year outside it.
    pub fn tally<'a>(&self, line: &'a TauxRow, year: Option<i32>) -> Option<&'a Tally> {
        match year {
            None => Some(&line.total),
            Some(y) => usize::try_from(y - self.period.first)
                .ok()
                .and_then(|k| line.years.get(k)),
        }
    }

    /// Abandons / sorties of `line` in `year` (`None`: over the period).
    pub fn taux_abandons(&self, line: &TauxRow, year: Option<i32>) -> Option<f64> {
        rate(self.tally(line, year)?.get(Measure::TauxAbandons))
    }

    /// Sorties positives / sorties of `line` in `year` (`None`: over the period).
    pub fn taux_sorties_positives(&self, line: &TauxRow, year: Option<i32>) -> Option<f64> {
        rate(self.tally(line, year)?.get(Measure::TauxSortiesPositives))
    }

    /// A figure of the summary results (any measure of MEASURES.md) in `year` (`None`: over the
    /// period); `None` for a year outside the period.
    pub fn resultat(&self, measure: Measure, year: Option<i32>) -> Option<Value> {
        self.tally(self.total(), year).map(|t| t.get(measure))
    }

    /// The table as printed: a column per year then the range's, three blocks of lines.
    pub fn to_table(&self) -> Table {
        let mut columns: Vec<Column> = self
            .years()
            .map(|y| Column::new(y.to_string(), y.to_string()))
            .collect();
        // A single year's total column is the year again: say so rather than repeat the year.
        let total = if self.period.first == self.period.last {
            "Total".to_owned()
        } else {
            format!("{}-{}", self.period.first, self.period.last)
        };
        columns.push(Column::new("total", total));
        let mut years: Vec<Option<i32>> = self.years().map(Some).collect();
        years.push(None);
        let mut table = Table::new(
            "taux",
            "Taux d'abandons et de sorties positives par catégorie",
            self.period,
            &self.filter,
            columns,
        );
        table.plies = self.plies;
        for (group, measure) in [
            ("taux_abandons", Measure::TauxAbandons),
            ("taux_sorties_positives", Measure::TauxSortiesPositives),
        ] {
            for line in &self.rows {
                let cells = years
                    .iter()
                    .map(|&y| Cell::Rate(self.tally(line, y).and_then(|t| rate(t.get(measure)))))
                    .collect();
                for (col, &y) in years.iter().enumerate() {
                    if let Some(t) = self.tally(line, y) {
                        let numerator = match measure {
                            Measure::TauxAbandons => t.sorties_motif(crate::model::Motif::Abandon),
                            _ => t.sorties_positives(),
                        };
                        table.bases.push(super::Base {
                            row: table.rows.len(),
                            col,
                            counts: vec![numerator, t.sorties_total()],
                        });
                    }
                }
                let level = if line.dimension.is_none() { 0 } else { 1 };
                table
                    .rows
                    .push(Row::new(group, line.code(), line.label, level, cells));
            }
        }
        for (measure, label) in TAUX_RESULTATS {
            let cells = years
                .iter()
                .map(|&y| match self.resultat(*measure, y) {
                    Some(Value::Count(n)) => Cell::Count(n),
                    Some(Value::Rate(r)) => Cell::Rate(r),
                    None => Cell::Blank,
                })
                .collect();
            let level = if *measure == Measure::DemenagementsDecesRetraites {
                2
            } else {
                0
            };
            table
                .rows
                .push(Row::new("resultats", measure.code(), *label, level, cells));
        }
        table.push_heading(
            "taux_abandons",
            "Taux d'abandons (abandons / total des sorties)",
        );
        table.push_heading(
            "taux_sorties_positives",
            "Taux de sorties positives (sorties positives / total des sorties)",
        );
        table.push_heading("resultats", "Résultats cumulés");
        table
    }
}

/// The dimensions a list of categories reads, each once, and how to query and read them.
pub(super) struct Categories(Vec<Dimension>);

impl Categories {
    pub(super) fn of(categories: impl IntoIterator<Item = Dimension>) -> Categories {
        let mut dims: Vec<Dimension> = Vec::new();
        for d in categories {
            if !dims.contains(&d) {
                dims.push(d);
            }
        }
        Categories(dims)
    }

    /// One grouping per dimension, then the whole population (no dimension).
    pub(super) fn groupings(&self) -> Vec<Vec<Dimension>> {
        self.0
            .iter()
            .map(|&d| vec![d])
            .chain(std::iter::once(Vec::new()))
            .collect()
    }

    /// The counts of the parcours whose `dimension` is one of `values`, from a query of
    /// [`Categories::groupings`].
    pub(super) fn cell(&self, grouped: &Grouped, dimension: Dimension, values: &[&str]) -> Tally {
        let g = self
            .0
            .iter()
            .position(|&d| d == dimension)
            .expect("a dimension of the list");
        let (axes, cells) = &grouped.groupings[g];
        let mut tally = Tally::default();
        for v in values {
            let i = axes[0]
                .values
                .iter()
                .position(|c| c == v)
                .expect("a value code");
            tally.merge(&cells[i]);
        }
        tally
    }

    /// The counts of the whole population, from a query of [`Categories::groupings`].
    pub(super) fn whole(&self, grouped: &Grouped) -> Tally {
        grouped.groupings[self.0.len()].1[0]
    }
}

impl Corpus {
    /// The rates by category over `period`, year by year and summed, restricted by `filter`.
    pub fn taux(&self, period: Period, filter: &Filter) -> Result<Taux, crate::Error> {
        // A period built by hand (its fields are public) may run backwards.
        Period::years(period.first, period.last)?;
        let categories = Categories::of(TAUX_CATEGORIES.iter().map(|c| c.0));
        let groupings = categories.groupings();
        let mut periods: Vec<Period> = (period.first..=period.last).map(Period::year).collect();
        if period.first != period.last {
            periods.push(period);
        }
        let mut per_period = Vec::new();
        for p in &periods {
            per_period.push(self.grouped(*p, filter, &groupings, Path::Summary)?);
        }
        let whole = per_period.last().expect("at least one year");
        let n_years = (period.last - period.first + 1) as usize;
        let line = |dimension: Option<Dimension>, value: &'static str, label: &'static str| {
            let of = |g: &Grouped| match dimension {
                Some(d) => categories.cell(g, d, &[value]),
                None => categories.whole(g),
            };
            TauxRow {
                dimension,
                value,
                label,
                years: per_period[..n_years].iter().map(of).collect(),
                total: of(whole),
            }
        };
        let mut rows: Vec<TauxRow> = TAUX_CATEGORIES
            .iter()
            .map(|&(d, v, l)| line(Some(d), v, l))
            .collect();
        rows.push(line(None, "total", "TOTAL"));
        Ok(Taux {
            period,
            filter: filter.clone(),
            plies: whole.plies,
            rows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_category_code_is_the_filter_that_defines_it() {
        let row = |dimension, value| TauxRow {
            dimension,
            value,
            label: "",
            years: vec![],
            total: Tally::default(),
        };
        assert_eq!(row(Some(Dimension::Age45), ">=45").code(), "age45=>=45");
        assert_eq!(row(None, "total").code(), "total");
        let g = Categories::of(TAUX_CATEGORIES.iter().map(|c| c.0)).groupings();
        assert_eq!(g.len(), 7);
        assert!(g.last().unwrap().is_empty());
    }
}
