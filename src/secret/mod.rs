//! Statistical secrecy (`--secret N`): which cells of a published table or a cross-tab are masked
//! so that no figure of 1 to N-1 people can be read or recomputed.
//!
//! A cell counting 1 to N-1 people is masked (*primary* suppression). Then, by *secondary*
//! suppression, enough other counts are masked that none of the masked ones can be recomputed from
//! the table's additive relations (a group's lines add up to the total line, `en_parcours` =
//! `entrees` + `report`, a cross-tab's cells add up to its margins...) and the cells left
//! published: every relation is left with no masked cell or with two or more, and an exact
//! elimination over the masked cells checks that none of them is determined. A rate, share or
//! mean is masked when a count it is computed from is masked. Zeros are never masked for
//! themselves; amounts of money (Tableaux 6, 6BIS, 7) and Tableau 10's activity indicators count
//! no people and are left as they are.
//!
//! Each table is protected on its own: figures from several tables or queries put together are
//! not checked against each other, and a reader's knowledge that counts are not negative (which
//! can bound a masked cell) is not taken into account.

mod crosstab;
mod layout;
mod suppress;
mod tableaux;

pub use suppress::{determined, Problem, Relation};

use crate::tables::Table;

/// Why a table could not be protected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    #[error(
        "--secret {0} would mask nothing: the threshold N masks counts of 1 to N-1 people, \
         give N of 2 or more"
    )]
    Threshold(u64),
    #[error("the relations of this table are too intricate to check that its secrecy holds")]
    TooIntricate,
}

/// The threshold of statistical secrecy: counts of 1 to N-1 people are masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threshold(u64);

impl Threshold {
    /// `n` must be 2 or more (with 1, no count would be masked).
    pub fn new(n: u64) -> Result<Threshold, SecretError> {
        if n < 2 {
            return Err(SecretError::Threshold(n));
        }
        Ok(Threshold(n))
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

/// Whether the table counts people, and so whether `--secret` changes it.
pub fn counts_people(tableau: &str) -> bool {
    !matches!(tableau, "6" | "6bis" | "7" | "10")
}

/// `table` with its cells masked at threshold `n` (a table that counts no people is returned as
/// it is, with no threshold recorded).
pub fn protect(table: &Table, n: Threshold) -> Result<Table, SecretError> {
    if !counts_people(table.tableau) {
        return Ok(table.clone());
    }
    let mut layout = layout::Layout::new(table);
    tableaux::relations(&mut layout);
    layout.apply(n.get())
}

/// The suppression problem of a table: its counts of people (printed, or behind a printed share
/// or rate) and the relations between them that its figures satisfy.
pub fn problem(table: &Table) -> Problem {
    let mut layout = layout::Layout::new(table);
    tableaux::relations(&mut layout);
    layout.problem().clone()
}

pub use crosstab::protect_crosstab;

impl Table {
    /// The table with statistical secrecy at threshold `n`: counts of 1 to `n`-1 people masked,
    /// and the cells that would let a reader recompute them. (Defined here, beside the secrecy
    /// it applies, so that `tables` does not depend on `secret`.)
    pub fn with_secret(&self, n: u64) -> Result<Table, SecretError> {
        protect(self, Threshold::new(n)?)
    }
}
