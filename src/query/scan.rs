//! The scan path: one pass over the columns of every chunk that can hold a parcours active in the
//! period, counting each row into every grouping at once. Chunks run in parallel (rayon) and their
//! counts are merged.
//!
//! A row's whole contribution to a period depends on its *flow* only — its entry year (before the
//! period, or which year of it), its exit year (which year of the period, or after it / never)
//! and its motif — as the summaries' cells do. So the pass counts rows per (cell, flow), with the
//! inactivity months of those that have a number, and turns each (cell, flow) into a [`Tally`]
//! once at the end: a table lookup and an increment a row, where a row-by-row [`Tally`] costs a
//! dozen branches and additions. A query with so many cells and years that the per-flow counters
//! would outgrow a thread's cache counts row by row instead.

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

/// The flows of a period of `n` years: entry class 0 (before the period) or 1..=n, exit class
/// 0 (after the period, or never) or 1..=n, and the motif's low bits (7 for none).
struct Flows {
    /// Per entry day, its year's class; `INACTIVE` after the period.
    entree: Box<[u16; 65_536]>,
    /// Per exit day (`u16::MAX` while open), its year's class times 8; `INACTIVE` before the
    /// period.
    sortie: Box<[u16; 65_536]>,
    width: usize,
    count: usize,
    first: i32,
}

const INACTIVE: u16 = u16::MAX;

/// Beyond this many counters per grouping set, rows are counted one by one.
const MAX_COUNTERS: usize = 1 << 20;

impl Flows {
    fn new((first, last): (i32, i32)) -> Option<Flows> {
        let n = usize::try_from(last.checked_sub(first)?.checked_add(1)?).ok()?;
        let width = n.checked_add(1)?;
        let mut by_year_entree = [INACTIVE; 256];
        let mut by_year_sortie = [INACTIVE; 256];
        for code in 0..256i32 {
            if code <= last {
                by_year_entree[code as usize] = if code < first {
                    0
                } else {
                    (code - first + 1) as u16
                };
            }
            if code >= first {
                let class = if code > last {
                    0
                } else {
                    (code - first + 1) as u16
                };
                by_year_sortie[code as usize] = class.checked_mul(8)?;
            }
        }
        let years = crate::model::year_codes();
        let mut entree = Box::new([INACTIVE; 65_536]);
        let mut sortie = Box::new([INACTIVE; 65_536]);
        for (day, &year) in years.iter().enumerate() {
            entree[day] = by_year_entree[usize::from(year)];
            sortie[day] = by_year_sortie[usize::from(year)];
        }
        // A parcours still open is in parcours in every period from its entry on, however late.
        sortie[usize::from(u16::MAX)] = 0;
        Some(Flows {
            entree,
            sortie,
            width,
            count: width.checked_mul(width)?.checked_mul(8)?,
            first,
        })
    }

    /// The flow of a row (its entry and exit days, its motif), `None` when it is not in parcours
    /// during the period.
    #[inline]
    fn of(&self, entree: u16, sortie: u16, motif: u8) -> Option<usize> {
        let (e, x) = (self.entree[entree as usize], self.sortie[sortie as usize]);
        if e == INACTIVE || x == INACTIVE {
            return None;
        }
        Some(usize::from(e) * self.width * 8 + usize::from(x) + usize::from(motif & 7))
    }

    /// What a row of flow `f` adds to a period of year codes `codes`.
    fn contribution(&self, f: usize, codes: (i32, i32)) -> Option<Contribution> {
        let (e, rest) = (f / (self.width * 8), f % (self.width * 8));
        let (x, m) = (rest / 8, (rest % 8) as u8);
        let year = |class: usize, none: i32| {
            if class == 0 {
                none
            } else {
                self.first + class as i32 - 1
            }
        };
        let entree = year(e, self.first - 1).clamp(0, 254) as u8;
        let sortie = if x == 0 {
            crate::index::OPEN
        } else {
            year(x, 0) as u8
        };
        let motif = if m == 7 { crate::store::NONE } else { m };
        Contribution::of(entree, sortie, motif, codes)
    }
}

/// Per grouping, per (cell, flow): rows, rows with a number of months of inactivity, months.
struct FlowCounts {
    counts: Vec<(Vec<u32>, Vec<u32>, Vec<u64>)>,
    plies: Vec<bool>,
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
    // A grouping-less query (only the PLIE counted) still builds the flows' contributions.
    let cells = sizes.iter().sum::<usize>().max(1);
    let flows = match Flows::new(codes) {
        Some(flows) if cells.saturating_mul(flows.count) <= MAX_COUNTERS => flows,
        _ => return grouped_by_row(corpus, period, filter, axes),
    };
    let empty = || FlowCounts {
        counts: sizes
            .iter()
            .map(|&n| {
                let k = n * flows.count;
                (vec![0; k], vec![0; k], vec![0; k])
            })
            .collect(),
        plies: vec![false; corpus.plies.len()],
    };
    let counted = corpus.fold_chunks(
        columns(&axes, filter),
        |c| filter.may_pass(c) && c.may_be_active(codes),
        empty,
        |mut counts, chunk| {
            let groupings: Vec<_> = axes.iter().map(|g| resolve(g, chunk)).collect();
            let row_filter = !filter.columns.is_empty();
            let mut active = false;
            // The days themselves: the flow tables map a day to its class, so no year column
            // is built.
            let rows = chunk
                .raw
                .entree
                .iter()
                .zip(&chunk.raw.sortie)
                .zip(&chunk.raw.motif)
                .zip(&chunk.raw.inactivite)
                .enumerate();
            for (i, (((&entree, &sortie), &motif), &inactivite)) in rows {
                let Some(flow) = flows.of(entree, sortie, motif) else {
                    continue;
                };
                if row_filter && !filter.row(chunk, i) {
                    continue;
                }
                active = true;
                let known = inactivite <= crate::model::Inactivite::MAX_MOIS;
                for (grouping, (n, k, months)) in groupings.iter().zip(counts.counts.iter_mut()) {
                    if let Some(cell) = cell(grouping, i) {
                        let at = cell * flows.count + flow;
                        n[at] += 1;
                        if known {
                            k[at] += 1;
                            months[at] += u64::from(inactivite);
                        }
                    }
                }
            }
            counts.plies[chunk.plie as usize] |= active;
            counts
        },
        |mut a, b| {
            for ((na, ka, ma), (nb, kb, mb)) in a.counts.iter_mut().zip(&b.counts) {
                na.iter_mut().zip(nb).for_each(|(x, y)| *x += y);
                ka.iter_mut().zip(kb).for_each(|(x, y)| *x += y);
                ma.iter_mut().zip(mb).for_each(|(x, y)| *x += y);
            }
            a.plies.iter_mut().zip(&b.plies).for_each(|(x, y)| *x |= y);
            a
        },
    )?;
    let contributions: Vec<Option<Contribution>> = (0..flows.count)
        .map(|f| flows.contribution(f, codes))
        .collect();
    let tallies = counted
        .counts
        .iter()
        .zip(&sizes)
        .map(|((n, k, months), &cells)| {
            (0..cells)
                .map(|cell| {
                    let mut tally = Tally::default();
                    for (f, contribution) in contributions.iter().enumerate() {
                        let at = cell * flows.count + f;
                        if let (Some(c), true) = (contribution, n[at] > 0) {
                            c.add_cell(&mut tally, n[at], k[at], months[at]);
                        }
                    }
                    tally
                })
                .collect()
        })
        .collect::<Vec<Vec<Tally>>>();
    Ok(Grouped {
        plies: counted.plies.iter().filter(|&&p| p).count(),
        groupings: axes.into_iter().zip(tallies).collect(),
    })
}

/// The scan counting each row into its cells' [`Tally`] directly.
fn grouped_by_row(
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
                .annee_entree()
                .iter()
                .zip(chunk.annee_sortie())
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
