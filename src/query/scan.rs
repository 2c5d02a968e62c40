//! The scan path: one pass over the columns of every chunk that can hold a parcours active in the
//! period, counting each row into every grouping at once. Chunks run in parallel (rayon) and their
//! counts are merged.

use rayon::prelude::*;

use super::dimension::MISSING;
use super::measure::Contribution;
use super::{Axis, Grouped, Period, RowFilter, Tally};
use crate::index::{Chunk, Corpus};

/// Cell index of row `i` in a grouping of one or two axes, `None` if an axis has no value for it.
#[inline]
fn cell(axes: &[Axis], chunk: &Chunk, i: usize) -> Option<usize> {
    let mut index = 0usize;
    for axis in axes {
        let v = axis.index(chunk, i);
        if v == MISSING {
            return None;
        }
        index = index * axis.values.len() + usize::from(v);
    }
    Some(index)
}

struct Counts {
    tallies: Vec<Vec<Tally>>,
    plies: Vec<bool>,
}

pub(super) fn grouped(
    corpus: &Corpus,
    period: Period,
    filter: &RowFilter,
    axes: Vec<Vec<Axis>>,
) -> Grouped {
    let codes = period.codes();
    let sizes: Vec<usize> = axes
        .iter()
        .map(|a| a.iter().map(|x| x.values.len()).product())
        .collect();
    let empty = || Counts {
        tallies: sizes.iter().map(|&n| vec![Tally::default(); n]).collect(),
        plies: vec![false; corpus.plies.len()],
    };
    let counts = corpus
        .chunks
        .par_iter()
        .filter(|c| {
            // Chunk statistics: skip a chunk that cannot hold an active parcours.
            filter.plies[c.plie as usize]
                && i32::from(c.min_entree) <= codes.1
                && (c.max_sortie == crate::index::OPEN || i32::from(c.max_sortie) >= codes.0)
        })
        .fold(empty, |mut counts, chunk| {
            for i in 0..chunk.len() {
                let Some(contribution) = Contribution::of(
                    chunk.annee_entree[i],
                    chunk.annee_sortie[i],
                    chunk.raw.motif[i],
                    codes,
                ) else {
                    continue;
                };
                if !filter.row(chunk, i) {
                    continue;
                }
                counts.plies[chunk.plie as usize] = true;
                let inactivite = chunk.raw.inactivite[i];
                for (grouping, tallies) in axes.iter().zip(counts.tallies.iter_mut()) {
                    if let Some(k) = cell(grouping, chunk, i) {
                        contribution.add_to(&mut tallies[k], inactivite);
                    }
                }
            }
            counts
        })
        .reduce(empty, |mut a, b| {
            for (ta, tb) in a.tallies.iter_mut().zip(&b.tallies) {
                for (x, y) in ta.iter_mut().zip(tb) {
                    x.merge(y);
                }
            }
            a.plies.iter_mut().zip(&b.plies).for_each(|(x, y)| *x |= y);
            a
        });
    Grouped {
        plies: counts.plies.iter().filter(|&&p| p).count(),
        groupings: axes.into_iter().zip(counts.tallies).collect(),
    }
}
