//! The shape every published table shares once computed: a title, the scope it was computed on,
//! columns, rows of typed cells, and figures printed under it. Each typed table (Tableau 2, 3...)
//! turns itself into a [`Table`], and `render` prints any [`Table`] in every format (text, csv,
//! json, md, xlsx) the same way.

use crate::query::{Filter, Period};

/// A figure in a cell, typed so that each format prints it as it should (a count with thousands
/// separators, a rate as `43 %` or `0.4341`, an amount in euros...).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    /// A number of people, parcours or étapes.
    Count(u64),
    /// A rate or a share as a fraction (0.43 is 43 %); `None` when its denominator is zero.
    Rate(Option<f64>),
    /// An amount in euro cents.
    Amount(i64),
    /// A mean or a ratio (months, étapes per participant, euros per participant) shown with this
    /// many decimals in text; `None` when undefined.
    Decimal(Option<f64>, u8),
    /// A value of an indicator in hundredths (Tableau 10: counts, FTE, euros).
    Hundredths(i64),
    /// No figure: the published table leaves the cell blank.
    Blank,
    /// A figure withheld by statistical secrecy (`--secret N`, [`crate::secret`]): text prints
    /// `s`, csv leaves it empty, json gives `null` and lists the column under the row's `masked`.
    Masked,
    /// A figure nobody observed: the period of its column goes past the extraction of the PLIE
    /// in scope or starts before they are complete (docs/tables.md). Text, md and xlsx print
    /// `non observé`, csv leaves it empty, json gives `null` and the table's `non_observes` say
    /// why.
    NonObserve,
}

impl Cell {
    /// The figure as a plain number, as csv, json and xlsx carry it: counts, fractions for rates,
    /// euros for amounts; `None` for a blank or undefined cell.
    pub fn number(self) -> Option<f64> {
        match self {
            Cell::Count(n) => Some(n as f64),
            Cell::Rate(r) | Cell::Decimal(r, _) => r,
            Cell::Amount(cents) | Cell::Hundredths(cents) => Some(cents as f64 / 100.0),
            Cell::Blank | Cell::Masked | Cell::NonObserve => None,
        }
    }
}

impl From<crate::query::Value> for Cell {
    fn from(v: crate::query::Value) -> Cell {
        match v {
            crate::query::Value::Count(n) => Cell::Count(n),
            crate::query::Value::Rate(r) => Cell::Rate(r),
        }
    }
}

/// A column: its csv/json key and its French header.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub key: String,
    pub label: String,
}

impl Column {
    pub fn new(key: impl Into<String>, label: impl Into<String>) -> Column {
        Column {
            key: key.into(),
            label: label.into(),
        }
    }
}

/// A line of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The code of the block the line belongs to (`total`, `sexe`, `secteur`, `axe3`...).
    pub group: String,
    /// The code of the line within its group (`H`, `IAE_ACI`, `total`...).
    pub code: String,
    /// The published report's French label.
    pub label: String,
    /// 0 for a total or a block's head, 1 for its lines, 2 for lines under those ("dont"), and
    /// so on down the hierarchy (Tableau 2 goes to 3); text and xlsx indent by it.
    pub level: u8,
    /// One per column of the table.
    pub cells: Vec<Cell>,
}

impl Row {
    pub fn new(
        group: impl Into<String>,
        code: impl Into<String>,
        label: impl Into<String>,
        level: u8,
        cells: Vec<Cell>,
    ) -> Row {
        Row {
            group: group.into(),
            code: code.into(),
            label: label.into(),
            level,
            cells,
        }
    }
}

/// A figure printed under a table (mean inactivity, funds per participant...).
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    /// Its json key (e.g. `inactivite_moyenne_mois`).
    pub key: String,
    pub label: String,
    pub value: Cell,
}

/// A PLIE in scope whose observation window does not cover a period of the table (its
/// `complet_depuis` after the period's first day, or its `extraction` before its last day): the
/// table is answered without it (docs/tables.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NonObserve {
    pub plie: String,
    /// The period it was not observed for (the table's, or one column's).
    pub period: Period,
    /// Why, in French: `données extraites le 31/12/2017`, `complètes depuis le 01/01/2014`.
    pub raison: String,
}

/// A published table, computed, ready to print in any format.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The table's code as `consolide tableau` takes it: `1`, `1bis`, `taux`, `2`... `periodes`.
    pub tableau: &'static str,
    /// The French title without the period (`Tableau 2 : analyse des parcours`).
    pub title: String,
    pub period: Period,
    pub filter: Filter,
    /// How many PLIE contributed (MEASURES.md: with a parcours active in the period after filters,
    /// or, for a table fed by an optional file, that sent the file with rows for the period).
    pub plies: usize,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    /// Headings printed in text before the first line of a group: (group code, French heading).
    pub headings: Vec<(String, String)>,
    pub notes: Vec<Note>,
    /// The threshold N of statistical secrecy the table was protected with, if any.
    pub secret: Option<u64>,
    /// The counts of people behind printed rates whose counts the table does not print (the
    /// categories of `taux`): statistical secrecy masks such a rate when one of them is small.
    /// Never printed.
    pub bases: Vec<Base>,
    /// The PLIE in scope left out because their observation window does not cover the period
    /// (of the table, or of a column whose cells are then [`Cell::NonObserve`]).
    pub non_observes: Vec<NonObserve>,
}

/// The counts a printed cell is computed from, when the table does not print them.
#[derive(Debug, Clone, PartialEq)]
pub struct Base {
    pub row: usize,
    pub col: usize,
    pub counts: Vec<u64>,
}

impl Table {
    /// An empty table of `columns`, to which the builder adds rows.
    pub fn new(
        tableau: &'static str,
        title: impl Into<String>,
        period: Period,
        filter: &Filter,
        columns: Vec<Column>,
    ) -> Table {
        Table {
            tableau,
            title: title.into(),
            period,
            filter: filter.clone(),
            plies: 0,
            columns,
            rows: Vec::new(),
            headings: Vec::new(),
            notes: Vec::new(),
            secret: None,
            bases: Vec::new(),
            non_observes: Vec::new(),
        }
    }

    /// The sentence printed under the table in text, md and xlsx when PLIE were left out for
    /// their observation window; `None` when every PLIE in scope was observed.
    pub fn non_observe_note(&self) -> Option<String> {
        non_observe_note(&self.non_observes)
    }

    /// The line of `group` and `code`.
    pub fn row(&self, group: &str, code: &str) -> Option<&Row> {
        self.rows
            .iter()
            .find(|r| r.group == group && r.code == code)
    }

    /// The cell of line (`group`, `code`) in the column of key `column`.
    pub fn cell(&self, group: &str, code: &str, column: &str) -> Option<Cell> {
        let c = self.columns.iter().position(|c| c.key == column)?;
        self.row(group, code).map(|r| r.cells[c])
    }

    /// The note of key `key`.
    pub fn note(&self, key: &str) -> Option<Cell> {
        self.notes.iter().find(|n| n.key == key).map(|n| n.value)
    }

    pub fn push_note(&mut self, key: &str, label: &str, value: Cell) {
        self.notes.push(Note {
            key: key.into(),
            label: label.into(),
            value,
        });
    }

    pub fn push_heading(&mut self, group: &str, label: &str) {
        self.headings.push((group.into(), label.into()));
    }
}

/// The sentence naming PLIE left out for their observation window (see
/// [`Table::non_observe_note`]); `None` for none.
pub fn non_observe_note(list: &[NonObserve]) -> Option<String> {
    if list.is_empty() {
        return None;
    }
    let each = if list.len() <= LISTED {
        list.iter()
            .map(|n| format!("{} ({} : {})", n.plie, n.period, n.raison))
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        grouped(list, |period, raison| format!("{period} : {raison}"))
    };
    Some(format!(
        "PLIE non observés sur la période, non comptés : {each}"
    ))
}

/// How many PLIE a note or an error names one by one; more are grouped by reason.
pub(crate) const LISTED: usize = 8;

/// `list` grouped by period and reason, each group naming its first PLIE and their number:
/// `2000..2006 : données complètes depuis le 01/01/2014 seulement : P01, P02… (150 PLIE)`.
pub(crate) fn grouped(list: &[NonObserve], head: impl Fn(Period, &str) -> String) -> String {
    let mut groups: Vec<(Period, &str, Vec<&str>)> = Vec::new();
    for n in list {
        match groups
            .iter_mut()
            .find(|(p, r, _)| *p == n.period && *r == n.raison)
        {
            Some(g) => g.2.push(&n.plie),
            None => groups.push((n.period, &n.raison, vec![&n.plie])),
        }
    }
    groups
        .iter()
        .map(|(period, raison, plies)| {
            let shown: Vec<&str> = plies.iter().take(3).copied().collect();
            let more = if plies.len() > shown.len() { "…" } else { "" };
            format!(
                "{} : {}{more} ({} PLIE)",
                head(*period, raison),
                shown.join(", "),
                plies.len()
            )
        })
        .collect::<Vec<_>>()
        .join(" ; ")
}
