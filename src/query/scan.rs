//! The scan path: one pass over the columns of every chunk that can hold a parcours active in the
//! period, counting each row into every grouping at once. Chunks run in parallel (rayon) and their
//! counts are merged.

use super::dimension::{Lookup, MISSING};
use super::measure::Contribution;
use super::{Axis, Grouped, Period, RowFilter, Tally};
use crate::index::{Chunk, Corpus};
use crate::store::{Columns, ParcoursColumn, StoreError};

/// An axis resolved for one chunk: the column it reads and its lookup table, or the one value
/// every row of the chunk has (PLIE-level dimensions).
enum ChunkAxis<'a> {
    Row(&'a [u8], &'a [u16; 256]),
    Constant(u16),
}

impl ChunkAxis<'_> {
    #[inline]
    fn value(&self, i: usize) -> u16 {
        match self {
            ChunkAxis::Row(column, table) => table[column[i] as usize],
            ChunkAxis::Constant(v) => *v,
        }
    }
}

/// Resolves the axes of a grouping for `chunk`, with each axis's stride in the cell index.
fn resolve<'a>(grouping: &'a [Axis], chunk: &'a Chunk) -> Vec<(ChunkAxis<'a>, usize)> {
    let mut stride = grouping.iter().map(|a| a.values.len()).product::<usize>();
    grouping
        .iter()
        .map(|axis| {
            stride /= axis.values.len();
            let resolved = match &axis.lookup {
                Lookup::Row(column, table) => ChunkAxis::Row(chunk.column(*column), table),
                Lookup::Plie(table) => ChunkAxis::Constant(table[chunk.plie as usize]),
            };
            (resolved, stride)
        })
        .collect()
}

/// Cell index of row `i` in a resolved grouping, `None` if an axis has no value for it.
#[inline]
fn cell(grouping: &[(ChunkAxis, usize)], i: usize) -> Option<usize> {
    let mut index = 0usize;
    for (axis, stride) in grouping {
        let v = axis.value(i);
        if v == MISSING {
            return None;
        }
        index += usize::from(v) * stride;
    }
    Some(index)
}

struct Counts {
    tallies: Vec<Vec<Tally>>,
    plies: Vec<bool>,
}

/// The stored columns a count over a period reads, with those of `axes` and `filter`.
pub(super) fn columns(axes: &[Vec<Axis>], filter: &RowFilter) -> Columns {
    let mut columns = Columns::of(&[
        ParcoursColumn::Entree,
        ParcoursColumn::Sortie,
        ParcoursColumn::Motif,
        ParcoursColumn::Inactivite,
    ]);
    for axis in axes.iter().flatten() {
        if let Lookup::Row(column, _) = &axis.lookup {
            columns = columns.with(column.stored());
        }
    }
    columns.union(filter.columns())
}

pub(super) fn grouped(
    corpus: &Corpus,
    period: Period,
    filter: &RowFilter,
    axes: Vec<Vec<Axis>>,
) -> Result<Grouped, StoreError> {
    let codes = period.codes();
    let sizes: Vec<usize> = axes
        .iter()
        .map(|a| a.iter().map(|x| x.values.len()).product())
        .collect();
    let empty = || Counts {
        tallies: sizes.iter().map(|&n| vec![Tally::default(); n]).collect(),
        plies: vec![false; corpus.plies.len()],
    };
    let counts = corpus.fold_chunks(
        columns(&axes, filter),
        |c| filter.may_pass(c) && c.may_be_active(codes),
        empty,
        |mut counts, chunk| {
            let groupings: Vec<_> = axes.iter().map(|g| resolve(g, chunk)).collect();
            let row_filter = !filter.columns.is_empty();
            let mut active = false;
            // Zipped columns: one bounds check per chunk, not four per row.
            let rows = chunk
                .annee_entree
                .iter()
                .zip(&chunk.annee_sortie)
                .zip(&chunk.raw.motif)
                .zip(&chunk.raw.inactivite)
                .enumerate();
            for (i, (((&entree, &sortie), &motif), &inactivite)) in rows {
                let Some(contribution) = Contribution::of(entree, sortie, motif, codes) else {
                    continue;
                };
                if row_filter && !filter.row(chunk, i) {
                    continue;
                }
                active = true;
                for (grouping, tallies) in groupings.iter().zip(counts.tallies.iter_mut()) {
                    if let Some(k) = cell(grouping, i) {
                        contribution.add_to(&mut tallies[k], inactivite);
                    }
                }
            }
            counts.plies[chunk.plie as usize] |= active;
            counts
        },
        |mut a, b| {
            for (ta, tb) in a.tallies.iter_mut().zip(&b.tallies) {
                for (x, y) in ta.iter_mut().zip(tb) {
                    x.merge(y);
                }
            }
            a.plies.iter_mut().zip(&b.plies).for_each(|(x, y)| *x |= y);
            a
        },
    )?;
    Ok(Grouped {
        plies: counts.plies.iter().filter(|&&p| p).count(),
        groupings: axes.into_iter().zip(counts.tallies).collect(),
    })
}
