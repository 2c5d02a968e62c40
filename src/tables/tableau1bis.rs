//! Tableau 1BIS: the entries and exits of each year of a range (2014-2015-2016-2017 in the
//! published report) and of the whole range, with each characteristic's share of them.
//!
//! Four figures are shown: entrees, sorties_positives, sorties_emploi ("dont sorties sur un
//! emploi") and sorties_sans_suite, each as one column per year and one over the range. The
//! `Nombre total` line gives the counts; every other line gives its share of the total of the
//! same column, as a fraction (`None` when that total is zero). The lines are Tableau 1's, with
//! its groups, codes and labels: the table is built from one [`Tableau1`] per year, so the year-Y
//! column of 1BIS is Tableau 1 of Y by construction.
//!
//! Decisions where the spec is silent:
//! - the range column is Tableau 1 computed over the range, which MEASURES.md defines as the sum
//!   of the yearly figures (the tests check that it is);
//! - [`Tableau1bis::plies`] counts the PLIE with a parcours active at some time of the range;
//!   each year's own count is kept in [`Tableau1bis::plies_par_annee`];
//! - a single year gives one year column and the total column (equal to it), so that the csv
//!   header always ends each block with `_total`;
//! - the `public_x_inscrit_pe` lines are shares of the total like every line (the published 2017
//!   column, e.g. 31,24 % for DELD registered with Pôle emploi, is read that way), not of their
//!   public.

use std::ops::RangeInclusive;

use super::{Cell, Column, Row, Table, Tableau1};
use crate::index::Corpus;
use crate::query::{rate as share, Filter, Measure, Period, Tally, Value};

/// The figures of Tableau 1BIS in the published order: csv key prefix, measure, French header of
/// a year's column (followed by the year) and of the range column.
pub const TABLEAU1BIS_FIGURES: &[(&str, Measure, &str, &str)] = &[
    ("entrees", Measure::Entrees, "Entrées", "Total des entrées"),
    (
        "sorties_positives",
        Measure::SortiesPositives,
        "Sorties positives",
        "Total des sorties positives",
    ),
    (
        "sorties_emploi",
        Measure::SortiesEmploi,
        "Dont sorties sur un emploi",
        "Total des sorties sur emploi",
    ),
    (
        "sorties_sans_suite",
        Measure::SortiesSansSuite,
        "Sorties sans suite",
        "Total des sorties sans suite",
    ),
];

/// One line of Tableau 1BIS: a line of Tableau 1 for each year and for the range.
#[derive(Debug, Clone, PartialEq)]
pub struct Tableau1bisRow {
    /// Tableau 1's group code: `total`, `sexe`, `age_26`, ..., `inactivite`.
    pub group: &'static str,
    /// Tableau 1's value code within the group (`total` for the total line).
    pub row: String,
    /// The published report's label.
    pub label: &'static str,
    /// One per year of the period, in order.
    pub years: Vec<Tally>,
    /// Over the whole period.
    pub total: Tally,
}

/// Tableau 1BIS over a range of years (or a single year).
#[derive(Debug, Clone, PartialEq)]
pub struct Tableau1bis {
    pub period: Period,
    pub filter: Filter,
    /// PLIE with at least one parcours active in the period after filters.
    pub plies: usize,
    /// The same, year by year.
    pub plies_par_annee: Vec<usize>,
    /// In Tableau 1's order, the total first.
    pub rows: Vec<Tableau1bisRow>,
}

/// The count `measure` (one of [`TABLEAU1BIS_FIGURES`] or any count of MEASURES.md) in `tally`.
pub(super) fn count(tally: &Tally, measure: Measure) -> u64 {
    match tally.get(measure) {
        Value::Count(n) => n,
        Value::Rate(_) => panic!("{} is a rate, not a count", measure.code()),
    }
}

impl Tableau1bisRow {
    /// The tally of `year`, or of the whole period when `year` is `None`; `None` for a year
    /// outside the period (`first` is the period's first year).
    fn tally(&self, first: i32, year: Option<i32>) -> Option<&Tally> {
        match year {
            None => Some(&self.total),
            Some(y) => usize::try_from(y - first)
                .ok()
                .and_then(|k| self.years.get(k)),
        }
    }
}

impl Tableau1bis {
    /// The years of the period, one column each.
    pub fn years(&self) -> RangeInclusive<i32> {
        self.period.first..=self.period.last
    }

    /// The `Nombre total` line.
    pub fn total(&self) -> &Tableau1bisRow {
        &self.rows[0]
    }

    /// The line of `group` and `row`, if the table has it.
    pub fn row(&self, group: &str, row: &str) -> Option<&Tableau1bisRow> {
        self.rows.iter().find(|r| r.group == group && r.row == row)
    }

    /// The count `measure` of `line` in `year` (`None`: over the period); `None` for a year
    /// outside the period.
    pub fn count(&self, line: &Tableau1bisRow, measure: Measure, year: Option<i32>) -> Option<u64> {
        line.tally(self.period.first, year)
            .map(|t| count(t, measure))
    }

    /// The share of `line` in the total of `measure` in `year` (`None`: over the period); `None`
    /// for a year outside the period or a zero total.
    pub fn share(&self, line: &Tableau1bisRow, measure: Measure, year: Option<i32>) -> Option<f64> {
        let part = self.count(line, measure, year)?;
        share(part, self.count(self.total(), measure, year)?)
    }

    /// The table as printed: per figure, a column per year then the range column.
    pub fn to_table(&self) -> Table {
        let mut columns = Vec::new();
        // (measure, year) of each column, `None` for the range.
        let mut figures = Vec::new();
        for (key, measure, header, total_header) in TABLEAU1BIS_FIGURES {
            for y in self.years() {
                columns.push(Column::new(format!("{key}_{y}"), format!("{header} {y}")));
                figures.push((*measure, Some(y)));
            }
            columns.push(Column::new(format!("{key}_total"), *total_header));
            figures.push((*measure, None));
        }
        let mut table = Table::new(
            "1bis",
            "Tableau 1BIS — flux d'entrées et de sorties par année",
            self.period,
            &self.filter,
            columns,
        );
        table.plies = self.plies;
        for (i, line) in self.rows.iter().enumerate() {
            let cells = figures
                .iter()
                .map(|&(m, y)| match i {
                    0 => self.count(line, m, y).map_or(Cell::Blank, Cell::Count),
                    _ => Cell::Rate(self.share(line, m, y)),
                })
                .collect();
            let level = match line.group {
                "total" => 0,
                "public_x_inscrit_pe" => 2,
                _ => 1,
            };
            table.rows.push(Row::new(
                line.group,
                line.row.clone(),
                line.label,
                level,
                cells,
            ));
        }
        table.push_heading("niveau", "Niveau");
        table.push_heading("inactivite", "Durée d'inactivité");
        table
    }
}

impl Corpus {
    /// Tableau 1BIS over `period`, restricted by `filter`.
    pub fn tableau1bis(
        &self,
        period: Period,
        filter: &Filter,
    ) -> Result<Tableau1bis, crate::Error> {
        // A period built by hand (its fields are public) may run backwards.
        Period::years(period.first, period.last)?;
        let yearly: Vec<Tableau1> = (period.first..=period.last)
            .map(|y| self.tableau1(Period::year(y), filter))
            .collect::<Result<_, _>>()?;
        let whole = if period.first == period.last {
            yearly[0].clone()
        } else {
            self.tableau1(period, filter)?
        };
        let rows = whole
            .rows
            .iter()
            .enumerate()
            .map(|(i, line)| {
                // Tableau 1 lists the same lines in the same order whatever the period.
                debug_assert!(yearly
                    .iter()
                    .all(|t| t.rows[i].group == line.group && t.rows[i].row == line.row));
                Tableau1bisRow {
                    group: line.group,
                    row: line.row.clone(),
                    label: line.label,
                    years: yearly.iter().map(|t| t.rows[i].tally).collect(),
                    total: line.tally,
                }
            })
            .collect();
        Ok(Tableau1bis {
            period,
            filter: filter.clone(),
            plies: whole.plies,
            plies_par_annee: yearly.iter().map(|t| t.plies).collect(),
            rows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(group: &'static str, entrees: &[u64]) -> Tableau1bisRow {
        let tally = |e: u64| Tally {
            entrees: e,
            ..Tally::default()
        };
        Tableau1bisRow {
            group,
            row: group.into(),
            label: "x",
            years: entrees.iter().map(|&e| tally(e)).collect(),
            total: tally(entrees.iter().sum()),
        }
    }

    #[test]
    fn shares_are_of_the_same_column_and_absent_over_a_zero_total() {
        let t = Tableau1bis {
            period: Period::years(2016, 2017).unwrap(),
            filter: Filter::none(),
            plies: 1,
            plies_par_annee: vec![1, 1],
            rows: vec![line("total", &[4, 0]), line("sexe", &[1, 0])],
        };
        let (total, h) = (&t.rows[0], &t.rows[1]);
        assert_eq!(t.share(h, Measure::Entrees, Some(2016)), Some(0.25));
        assert_eq!(t.share(h, Measure::Entrees, Some(2017)), None);
        assert_eq!(t.share(h, Measure::Entrees, None), Some(0.25));
        assert_eq!(t.share(h, Measure::Entrees, Some(2015)), None);
        assert_eq!(t.count(total, Measure::Entrees, None), Some(4));
        let table = t.to_table();
        assert_eq!(table.columns[0].key, "entrees_2016");
        assert_eq!(table.columns[2].key, "entrees_total");
        assert_eq!(
            table.cell("total", "total", "entrees_2017"),
            Some(Cell::Count(0))
        );
        assert_eq!(
            table.cell("sexe", "sexe", "entrees_2017"),
            Some(Cell::Rate(None))
        );
    }
}
