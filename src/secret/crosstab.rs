//! A cross-tab under statistical secrecy. Its margins (row, column and grand totals) are not
//! printed, but a reader obtains them by other queries: they are cells of the problem, masked for
//! themselves when they count 1 to N-1 people, and masked to protect another cell only when no
//! cell of the interior can be.

use super::{Problem, SecretError, Threshold};
use crate::query::{CrosstabResult, Measure, Tally, Value};

impl Problem {
    /// The cells of a grid of `width` columns (row-major) with its margins: cells `0..len` are the
    /// interior, then the row totals and the column totals (with two columns or more), then the
    /// grand total. Each margin is the sum of its line, the grand total the sum of either margin.
    pub fn grid(cells: &[u64], width: usize) -> Problem {
        let mut p = Problem::default();
        for &v in cells {
            p.cell(v, 0);
        }
        let width = width.max(1);
        let height = cells.len() / width;
        let mut lines: Vec<Vec<usize>> = Vec::new();
        if width > 1 {
            lines.extend((0..height).map(|r| (r * width..(r + 1) * width).collect()));
            lines.extend((0..width).map(|c| (0..height).map(|r| r * width + c).collect()));
        }
        let margins: Vec<usize> = lines
            .iter()
            .map(|line| p.cell(line.iter().map(|&i| cells[i]).sum(), 1))
            .collect();
        for (&total, line) in margins.iter().zip(lines) {
            p.relation(total, line);
        }
        let grand = p.cell(cells.iter().sum(), 1);
        if width > 1 {
            p.relation(grand, margins[..height].to_vec());
            p.relation(grand, margins[height..].to_vec());
        } else {
            p.relation(grand, (0..cells.len()).collect());
        }
        p
    }
}

/// A count read from a cell's tally.
type Count = Box<dyn Fn(&Tally) -> u64>;

/// The counts a measure's cells are computed from: the count itself, or a rate's numerator and
/// denominator.
fn counts_of(measure: Measure) -> Vec<Count> {
    use crate::model::Motif;
    let positives = |t: &Tally| t.sorties_positives();
    let sorties = |t: &Tally| t.sorties_total();
    match measure {
        Measure::TauxSortiesPositives => vec![Box::new(positives), Box::new(sorties)],
        Measure::TauxSortiesPositivesHorsDem => vec![
            Box::new(positives),
            Box::new(|t: &Tally| {
                t.sorties_total() - t.sorties_motif(Motif::DemenagementDecesRetraite)
            }),
        ],
        Measure::TauxSortiesPositivesEntrees => {
            vec![Box::new(positives), Box::new(|t: &Tally| t.entrees)]
        }
        Measure::TauxAbandons => vec![
            Box::new(|t: &Tally| t.sorties_motif(Motif::Abandon)),
            Box::new(sorties),
        ],
        m => vec![Box::new(move |t: &Tally| match t.get(m) {
            Value::Count(n) => n,
            Value::Rate(_) => unreachable!("the rates are listed above"),
        })],
    }
}

/// `x` with the cells to mask at threshold `n` ([`CrosstabResult::masked`]). A rate is masked
/// when its numerator or its denominator would be, in the cross-tab of that count.
pub fn protect_crosstab(x: &CrosstabResult, n: Threshold) -> Result<CrosstabResult, SecretError> {
    let width = x.col_values.len().max(1);
    let mut masked = vec![false; x.cells.len()];
    for count in counts_of(x.query.measure) {
        let values: Vec<u64> = x.cells.iter().map(&*count).collect();
        let hidden = Problem::grid(&values, width).suppress(n.get())?;
        for (m, h) in masked.iter_mut().zip(hidden) {
            *m |= h;
        }
    }
    let mut out = x.clone();
    out.masked = masked;
    out.secret = Some(n.get());
    Ok(out)
}

impl CrosstabResult {
    /// The cross-tab with statistical secrecy at threshold `n`.
    pub fn with_secret(&self, n: u64) -> Result<CrosstabResult, super::SecretError> {
        super::protect_crosstab(self, super::Threshold::new(n)?)
    }
}
