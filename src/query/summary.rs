//! The summary path: a query whose groupings read one characteristic (or public × inscrit_pe),
//! the entry or exit year, the motif or the PLIE, and whose filter names only PLIE-level
//! dimensions, is a sum over the cells of each PLIE's summary (`store::PlieSummary`): its cost
//! follows the number of distinct (characteristic, entry year, exit year, motif) per PLIE, not the
//! number of parcours.

use rayon::prelude::*;

use super::dimension::{Lookup, MISSING};
use super::measure::Contribution;
use super::{Axis, Grouped, Period, RowFilter, Tally};
use crate::index::{Column, Corpus};
use crate::store::{PlieSummary, StoreError, SummaryColumn, SUMMARY_GROUPINGS};

/// Where an axis finds its value in a summary cell.
enum Source<'a> {
    /// The grouping's code at this position, through the axis's table.
    Code(usize, &'a [u16; 256]),
    AnneeEntree(&'a [u16; 256]),
    AnneeSortie(&'a [u16; 256]),
    Motif(&'a [u16; 256]),
    /// One value per PLIE.
    Plie(&'a [u16]),
}

/// A grouping of the query planned on a summary grouping: which cells to read, and each axis's
/// source with its stride in the cell index.
struct Plan<'a> {
    grouping: u8,
    axes: Vec<(Source<'a>, usize)>,
}

/// The summaries' column holding `column`'s codes, if they hold it.
pub(super) fn summary_column(column: Column) -> Option<SummaryColumn> {
    Some(match column {
        Column::Sexe => SummaryColumn::Sexe,
        Column::Age => SummaryColumn::Age,
        Column::Public => SummaryColumn::Public,
        Column::InscritPe => SummaryColumn::InscritPe,
        Column::Th => SummaryColumn::Th,
        Column::Niveau => SummaryColumn::Niveau,
        Column::Qpv => SummaryColumn::Qpv,
        Column::InactiviteBand => SummaryColumn::Inactivite,
        Column::AnneeEntree | Column::AnneeSortie | Column::Motif => return None,
    })
}

/// Plans `axes` on the first summary grouping holding every characteristic they read (summing
/// over a grouping's other column is exact: each grouping partitions the PLIE's parcours).
fn plan(axes: &[Axis]) -> Option<Plan<'_>> {
    let wanted: Vec<SummaryColumn> = axes
        .iter()
        .filter_map(|a| match &a.lookup {
            Lookup::Row(column, _) => summary_column(*column),
            Lookup::Plie(_) => None,
        })
        .collect();
    let grouping = SUMMARY_GROUPINGS
        .iter()
        .position(|g| wanted.iter().all(|c| g.contains(c)))?;
    let columns = SUMMARY_GROUPINGS[grouping];
    let mut stride = axes.iter().map(|a| a.values.len()).product::<usize>();
    let planned = axes
        .iter()
        .map(|axis| {
            stride /= axis.values.len();
            let source = match &axis.lookup {
                Lookup::Plie(table) => Source::Plie(table),
                Lookup::Row(Column::AnneeEntree, table) => Source::AnneeEntree(table),
                Lookup::Row(Column::AnneeSortie, table) => Source::AnneeSortie(table),
                Lookup::Row(Column::Motif, table) => Source::Motif(table),
                Lookup::Row(column, table) => {
                    let c = summary_column(*column).expect("planned above");
                    Source::Code(columns.iter().position(|&k| k == c)?, table)
                }
            };
            Some((source, stride))
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Plan {
        grouping: grouping as u8,
        axes: planned,
    })
}

/// The tallies of `axes` from the summaries, or `None` when the corpus has none or the query
/// needs the parcours (a filter on a characteristic, a grouping no summary holds); read first
/// when the query can be answered from them.
pub(super) fn grouped(
    corpus: &Corpus,
    period: Period,
    filter: &RowFilter,
    axes: &[Vec<Axis>],
) -> Result<Option<Grouped>, StoreError> {
    if !filter.columns.is_empty() {
        return Ok(None);
    }
    let Some(plans) = axes.iter().map(|a| plan(a)).collect::<Option<Vec<_>>>() else {
        return Ok(None);
    };
    let Some(summaries) = corpus.summaries()? else {
        return Ok(None);
    };
    let codes = period.codes();
    let sizes: Vec<usize> = axes
        .iter()
        .map(|a| a.iter().map(|x| x.values.len()).product())
        .collect();
    let empty = || {
        let tallies: Vec<Vec<Tally>> = sizes.iter().map(|&n| vec![Tally::default(); n]).collect();
        (tallies, 0usize)
    };
    let (tallies, plies) = summaries
        .par_iter()
        .enumerate()
        .filter(|(p, _)| filter.plies[*p])
        .fold(empty, |(mut tallies, mut plies), (p, summary)| {
            if active(summary, codes) {
                plies += 1;
            }
            for (plan, tallies) in plans.iter().zip(tallies.iter_mut()) {
                add(summary, p, plan, codes, tallies);
            }
            (tallies, plies)
        })
        .reduce(empty, |(mut a, pa), (b, pb)| {
            for (ta, tb) in a.iter_mut().zip(&b) {
                for (x, y) in ta.iter_mut().zip(tb) {
                    x.merge(y);
                }
            }
            (a, pa + pb)
        });
    Ok(Some(Grouped {
        plies,
        groupings: axes.iter().cloned().zip(tallies).collect(),
    }))
}

/// The cells of grouping `g`: summaries are sorted by grouping.
fn cells(summary: &PlieSummary, g: u8) -> std::ops::Range<usize> {
    let start = summary.grouping.partition_point(|&x| x < g);
    let end = summary.grouping.partition_point(|&x| x <= g);
    start..end
}

/// Whether the PLIE has a parcours in parcours during the period.
fn active(summary: &PlieSummary, codes: (i32, i32)) -> bool {
    cells(summary, 0).any(|j| {
        Contribution::of(
            summary.annee_entree[j],
            summary.annee_sortie[j],
            summary.motif[j],
            codes,
        )
        .is_some()
    })
}

fn add(summary: &PlieSummary, p: usize, plan: &Plan, codes: (i32, i32), tallies: &mut [Tally]) {
    'cells: for j in cells(summary, plan.grouping) {
        let (entree, sortie, motif) = (
            summary.annee_entree[j],
            summary.annee_sortie[j],
            summary.motif[j],
        );
        let Some(contribution) = Contribution::of(entree, sortie, motif, codes) else {
            continue;
        };
        let mut index = 0;
        for (source, stride) in &plan.axes {
            let v = match source {
                Source::Code(k, table) => table[usize::from(summary.code[j][*k])],
                Source::AnneeEntree(table) => table[usize::from(entree)],
                Source::AnneeSortie(table) => table[usize::from(sortie)],
                Source::Motif(table) => table[usize::from(motif)],
                Source::Plie(table) => table[p],
            };
            if v == MISSING {
                continue 'cells;
            }
            index += usize::from(v) * stride;
        }
        contribution.add_cell(
            &mut tallies[index],
            summary.parcours[j],
            summary.inactivite_n[j],
            summary.inactivite_mois[j],
        );
    }
}
