//! A published [`Table`] seen as a suppression [`Problem`]: its counts of people (printed, or
//! behind a printed share), the relations between them, and the rates, shares and means computed
//! from them.

use std::collections::HashMap;

use super::{Problem, SecretError};
use crate::tables::{Cell, Table};

/// A table's position: (row, column).
pub(super) type At = (usize, usize);

pub(super) struct Layout<'t> {
    pub table: &'t Table,
    problem: Problem,
    /// The count of people behind a table cell: the printed count, or the count a share stands
    /// for (share × its total), which the table publishes as surely.
    counts: HashMap<At, usize>,
    /// Cells (rates, shares, means) masked when one of their counts is.
    derived: Vec<(At, Vec<usize>)>,
    /// Notes masked when one of their counts is.
    notes: Vec<(usize, Vec<usize>)>,
}

impl<'t> Layout<'t> {
    /// Every count printed in `table` is a count of people until [`Layout::not_people`] says
    /// otherwise.
    pub fn new(table: &'t Table) -> Layout<'t> {
        let mut problem = Problem::default();
        let mut counts = HashMap::new();
        for (r, row) in table.rows.iter().enumerate() {
            for (c, cell) in row.cells.iter().enumerate() {
                if let Cell::Count(n) = cell {
                    counts.insert((r, c), problem.cell(*n, 0));
                }
            }
        }
        // Counts behind a rate that the table does not print: no subtraction reaches them, so
        // they are masked for themselves only, and the rate with them.
        let derived = table
            .bases
            .iter()
            .map(|b| {
                let cells = b.counts.iter().map(|&n| problem.cell(n, 0)).collect();
                ((b.row, b.col), cells)
            })
            .collect();
        Layout {
            table,
            problem,
            counts,
            derived,
            notes: Vec::new(),
        }
    }

    /// The line `code` of `group`.
    pub fn row(&self, group: &str, code: &str) -> Option<usize> {
        self.table
            .rows
            .iter()
            .position(|r| r.group == group && r.code == code)
    }

    /// The first line of code `code`, whatever its group.
    pub fn code(&self, code: &str) -> Option<usize> {
        self.table.rows.iter().position(|r| r.code == code)
    }

    /// The lines of `group`.
    pub fn group(&self, group: &str) -> Vec<usize> {
        (0..self.table.rows.len())
            .filter(|&r| self.table.rows[r].group == group)
            .collect()
    }

    pub fn col(&self, key: &str) -> Option<usize> {
        self.table.columns.iter().position(|c| c.key == key)
    }

    pub fn cols(&self) -> std::ops::Range<usize> {
        0..self.table.columns.len()
    }

    /// The count of people of a cell, if it has one.
    pub fn count(&self, row: Option<usize>, col: Option<usize>) -> Option<usize> {
        self.counts.get(&(row?, col?)).copied()
    }

    /// The line's counts are not of people (the number of PLIE): never masked.
    pub fn not_people(&mut self, row: usize) {
        self.counts.retain(|&(r, _), _| r != row);
    }

    /// The share in cell `at` stands for share × `total` people, published as surely as a count.
    pub fn share_of(&mut self, at: At, total: Option<usize>) {
        let Some(total) = total else { return };
        if let Cell::Rate(Some(share)) = self.table.rows[at.0].cells[at.1] {
            let n = (share * self.problem.values[total] as f64).round() as u64;
            let cell = self.problem.cell(n, 0);
            self.counts.insert(at, cell);
            self.derived.push((at, vec![cell, total]));
        }
    }

    /// The rate in cell `at` is `numerator` / a count the table does not print, which it gives
    /// away all the same (numerator ÷ rate) when the rate is not zero.
    pub fn rate_of(&mut self, at: At, numerator: Option<usize>) {
        let Some(num) = numerator else { return };
        let mut counts = vec![num];
        if let Cell::Rate(Some(rate)) = self.table.rows[at.0].cells[at.1] {
            if rate > 0.0 {
                let n = (self.problem.values[num] as f64 / rate).round() as u64;
                counts.push(self.problem.cell(n, 0));
            }
        }
        self.derived.push((at, counts));
    }

    /// The rate, share or mean in cell `at` is computed from `counts`.
    pub fn derived(&mut self, at: At, counts: &[Option<usize>]) {
        self.derived
            .push((at, counts.iter().flatten().copied().collect()));
    }

    /// The note `key` is computed from `counts`.
    pub fn note(&mut self, key: &str, counts: &[Option<usize>]) {
        if let Some(i) = self.table.notes.iter().position(|n| n.key == key) {
            self.notes
                .push((i, counts.iter().flatten().copied().collect()));
        }
    }

    /// `whole` = the sum of `parts` (skipped unless every cell is a count and the sum holds).
    pub fn sum(&mut self, whole: Option<usize>, parts: &[Option<usize>]) {
        let parts: Option<Vec<usize>> = parts.iter().copied().collect();
        if let (Some(whole), Some(parts)) = (whole, parts) {
            self.problem.relation(whole, parts);
        }
    }

    /// In every column, line `whole` is the sum of lines `parts`.
    pub fn rows_add_up(&mut self, whole: Option<usize>, parts: &[usize]) {
        for c in self.cols() {
            let parts: Vec<Option<usize>> = parts
                .iter()
                .map(|&r| self.count(Some(r), Some(c)))
                .collect();
            self.sum(self.count(whole, Some(c)), &parts);
        }
    }

    /// On every line, column `whole` is the sum of columns `parts`.
    pub fn cols_add_up(&mut self, whole: &str, parts: &[&str]) {
        let whole = self.col(whole);
        let parts: Vec<Option<usize>> = parts.iter().map(|k| self.col(k)).collect();
        for r in 0..self.table.rows.len() {
            let cells: Vec<Option<usize>> = parts
                .iter()
                .map(|&c| c.and_then(|c| self.count(Some(r), Some(c))))
                .collect();
            self.sum(self.count(Some(r), whole), &cells);
        }
    }

    pub fn problem(&self) -> &Problem {
        &self.problem
    }

    /// The table with its cells masked at threshold `n`.
    pub fn apply(self, n: u64) -> Result<Table, SecretError> {
        let masked = self.problem.suppress(n)?;
        let mut table = self.table.clone();
        for (&(r, c), &cell) in &self.counts {
            if masked[cell] && matches!(table.rows[r].cells[c], Cell::Count(_)) {
                table.rows[r].cells[c] = Cell::Masked;
            }
        }
        for ((r, c), counts) in &self.derived {
            if counts.iter().any(|&k| masked[k]) {
                table.rows[*r].cells[*c] = Cell::Masked;
            }
        }
        for (i, counts) in &self.notes {
            if counts.iter().any(|&k| masked[k]) {
                table.notes[*i].value = Cell::Masked;
            }
        }
        table.secret = Some(n);
        Ok(table)
    }
}
