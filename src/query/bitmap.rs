//! The bitmap path: each cell is the cardinality of an intersection of roaring bitmaps — the rows
//! passing the filter, the rows of each axis value, and the rows entered, exited (by motif) or active
//! in each year of the period. It gives every count but mean inactivity, which needs the values.

use roaring::RoaringBitmap;

use super::dimension::{Lookup, RowFilter};
use super::{Axis, Grouped, Period, Tally};
use crate::index::{Column, Corpus, OPEN};
use crate::store::StoreError;

/// Rows passing `filter`.
fn filter_bitmap(corpus: &Corpus, filter: &RowFilter) -> Result<RoaringBitmap, StoreError> {
    let mut rows = RoaringBitmap::new();
    for (p, _) in filter.plies.iter().enumerate().filter(|(_, ok)| **ok) {
        rows |= corpus.plie_bitmap(p as u16);
    }
    for (column, pass) in &filter.columns {
        let maps = corpus.column_bitmaps(*column)?;
        let mut allowed = RoaringBitmap::new();
        for code in (0..256).filter(|&c| pass[c]) {
            allowed |= &maps[code];
        }
        rows &= allowed;
    }
    Ok(rows)
}

/// Rows of each value of `axis`.
fn value_bitmaps(corpus: &Corpus, axis: &Axis) -> Result<Vec<RoaringBitmap>, StoreError> {
    let mut maps = vec![RoaringBitmap::new(); axis.values.len()];
    match &axis.lookup {
        Lookup::Row(column, table) => {
            let by_code = corpus.column_bitmaps(*column)?;
            for (code, &v) in table.iter().enumerate() {
                if let Some(m) = maps.get_mut(usize::from(v)) {
                    *m |= &by_code[code];
                }
            }
        }
        Lookup::Plie(table) => {
            for (p, &v) in table.iter().enumerate() {
                if let Some(m) = maps.get_mut(usize::from(v)) {
                    *m |= corpus.plie_bitmap(p as u16);
                }
            }
        }
    }
    Ok(maps)
}

/// Cells of a grouping as bitmaps, row-major.
fn cell_bitmaps(
    corpus: &Corpus,
    axes: &[Axis],
    rows: &RoaringBitmap,
) -> Result<Vec<RoaringBitmap>, StoreError> {
    let mut cells = vec![rows.clone()];
    for axis in axes {
        let values = value_bitmaps(corpus, axis)?;
        cells = cells
            .iter()
            .flat_map(|c| values.iter().map(move |v| c & v))
            .collect();
    }
    Ok(cells)
}

pub(super) fn grouped(
    corpus: &Corpus,
    period: Period,
    filter: &RowFilter,
    axes: Vec<Vec<Axis>>,
) -> Result<Grouped, StoreError> {
    let rows = filter_bitmap(corpus, filter)?;
    let entree = corpus.column_bitmaps(Column::AnneeEntree)?;
    let sortie = corpus.column_bitmaps(Column::AnneeSortie)?;
    let motif = corpus.column_bitmaps(Column::Motif)?;
    let (first, last) = period.codes();
    let years: Vec<u8> = (first.max(0)..=last.min(i32::from(OPEN) - 1))
        .map(|y| y as u8)
        .collect();
    let active = years
        .iter()
        .map(|&y| corpus.active_bitmap(y))
        .collect::<Result<Vec<_>, _>>()?;
    let mut ever_active = RoaringBitmap::new();
    for a in &active {
        ever_active |= a.as_ref();
    }
    let tally = |cell: &RoaringBitmap| {
        let mut t = Tally::default();
        for (&y, active) in years.iter().zip(&active) {
            let entered = cell.intersection_len(&entree[y as usize]);
            t.entrees += entered;
            t.report += cell.intersection_len(active) - entered;
            let exited = cell & &sortie[y as usize];
            for (m, count) in t.sorties.iter_mut().enumerate() {
                *count += exited.intersection_len(&motif[m]);
            }
        }
        t.parcours_distincts = cell.intersection_len(&ever_active);
        t
    };
    let plies = (0..corpus.plies.len())
        .filter(|&p| {
            filter.plies[p] && !(corpus.plie_bitmap(p as u16) & &rows & &ever_active).is_empty()
        })
        .count();
    let groupings = axes
        .into_iter()
        .map(|grouping| {
            let cells = cell_bitmaps(corpus, &grouping, &rows)?;
            let tallies = cells.iter().map(tally).collect();
            Ok((grouping, tallies))
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Grouped { groupings, plies })
}
