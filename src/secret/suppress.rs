//! The suppression itself, on any set of counts tied by additive relations: primary suppression
//! (every count of 1 to N-1 people), a greedy secondary pass (no relation left with a single
//! masked cell), then an exact check by linear algebra that no masked cell can be recomputed from
//! the published ones, masking one more cell while one can.

use super::SecretError;

/// "`whole` = the sum of `parts`": a way a reader can recompute a cell from published ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    pub whole: usize,
    pub parts: Vec<usize>,
}

impl Relation {
    /// The cells of the relation, the whole first.
    pub fn cells(&self) -> impl Iterator<Item = usize> + '_ {
        std::iter::once(self.whole).chain(self.parts.iter().copied())
    }
}

/// Counts and the relations between them: what a suppression protects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problem {
    /// The counts, by cell.
    pub values: Vec<u64>,
    /// Secondary suppression takes a cell of a lower tier first (a cross-tab's margins, which a
    /// reader obtains by other queries, come after its interior).
    pub tiers: Vec<u8>,
    pub relations: Vec<Relation>,
}

impl Problem {
    /// Adds a cell and returns its index.
    pub fn cell(&mut self, value: u64, tier: u8) -> usize {
        self.values.push(value);
        self.tiers.push(tier);
        self.values.len() - 1
    }

    /// Adds "`whole` = sum of `parts`" if the figures say so: a relation that does not hold is no
    /// way to recompute anything, and the check below must not rely on it.
    pub fn relation(&mut self, whole: usize, parts: Vec<usize>) -> bool {
        let sum: u64 = parts.iter().map(|&p| self.values[p]).sum();
        let holds = !parts.is_empty() && sum == self.values[whole] && !parts.contains(&whole);
        if holds {
            self.relations.push(Relation { whole, parts });
        }
        holds
    }

    /// The cells to mask at threshold `n`: every count from 1 to `n`-1, and enough others that
    /// none of them is determined by the relations and the published cells. Zeros are never
    /// masked for themselves (a 0 is nobody) and are taken as secondary cells only when a
    /// relation has no non-zero cell left.
    pub fn suppress(&self, n: u64) -> Result<Vec<bool>, SecretError> {
        let mut masked: Vec<bool> = self.values.iter().map(|&v| v > 0 && v < n).collect();
        let mut of_cell: Vec<Vec<usize>> = vec![Vec::new(); self.values.len()];
        for (i, r) in self.relations.iter().enumerate() {
            for c in r.cells() {
                of_cell[c].push(i);
            }
        }
        loop {
            self.close_relations(&mut masked);
            let Some(&found) = determined(&self.relations, &masked)?.first() else {
                return Ok(masked);
            };
            // The determined cell's relations are all at two masked cells or more: widen the
            // cheapest of them, else any relation reached through masked cells.
            let pick = self
                .cheapest(of_cell[found].iter().map(|&r| &self.relations[r]), &masked)
                .or_else(|| self.cheapest(self.reached(found, &of_cell, &masked), &masked));
            match pick {
                Some(c) => masked[c] = true,
                // Everything reachable is masked: the system is homogeneous, and a cell it
                // determines can only be a zero.
                None => return Ok(masked),
            }
        }
    }

    /// Masks, while a relation has exactly one masked cell, the cheapest other one.
    fn close_relations(&self, masked: &mut [bool]) {
        let mut changed = true;
        while changed {
            changed = false;
            for r in &self.relations {
                if r.cells().filter(|&c| masked[c]).count() == 1 {
                    let c = self
                        .cheapest(std::iter::once(r), masked)
                        .expect("a relation of two cells or more has an unmasked one");
                    masked[c] = true;
                    changed = true;
                }
            }
        }
    }

    /// The unmasked cell of `relations` cheapest to mask: lowest tier, non-zero, smallest.
    fn cheapest<'a>(
        &self,
        relations: impl Iterator<Item = &'a Relation>,
        masked: &[bool],
    ) -> Option<usize> {
        relations
            .flat_map(Relation::cells)
            .filter(|&c| !masked[c])
            .min_by_key(|&c| (self.tiers[c], self.values[c] == 0, self.values[c], c))
    }

    /// The relations reached from `cell` through masked cells.
    fn reached<'a>(
        &'a self,
        cell: usize,
        of_cell: &[Vec<usize>],
        masked: &[bool],
    ) -> impl Iterator<Item = &'a Relation> {
        let mut seen = vec![false; self.relations.len()];
        let mut stack = vec![cell];
        let mut visited = vec![false; self.values.len()];
        visited[cell] = true;
        while let Some(c) = stack.pop() {
            for &r in &of_cell[c] {
                if std::mem::replace(&mut seen[r], true) {
                    continue;
                }
                for d in self.relations[r].cells() {
                    if masked[d] && !std::mem::replace(&mut visited[d], true) {
                        stack.push(d);
                    }
                }
            }
        }
        self.relations
            .iter()
            .zip(seen)
            .filter(|(_, s)| *s)
            .map(|(r, _)| r)
    }
}

/// A sparse row of integer coefficients over the masked cells, sorted by cell.
type SparseRow = Vec<(usize, i128)>;

/// The masked cells that the relations determine from the published cells, in order.
///
/// Each relation touching a masked cell is an equation over the masked cells (the published ones
/// go to the right-hand side, which does not matter for what is determined). A masked cell is
/// determined iff it is a pivot of the reduced row echelon form whose row has no other entry
/// (no free unknown). The elimination is exact: integer rows, divided by their gcd.
pub fn determined(relations: &[Relation], masked: &[bool]) -> Result<Vec<usize>, SecretError> {
    // pivots[i] = (pivot cell, row): every row is zero on the other pivots' cells.
    let mut pivots: Vec<(usize, SparseRow)> = Vec::new();
    for r in relations {
        let mut row: SparseRow = r
            .cells()
            .enumerate()
            .filter(|&(_, c)| masked[c])
            .map(|(i, c)| (c, if i == 0 { 1 } else { -1 }))
            .collect();
        if row.is_empty() {
            continue;
        }
        row.sort_unstable();
        for (cell, pivot_row) in &pivots {
            if let Some(a) = coefficient(&row, *cell) {
                row = eliminate(&row, pivot_row, *cell, a)?;
            }
        }
        let Some(&(cell, _)) = row.first() else {
            continue;
        };
        for (_, other) in pivots.iter_mut() {
            if let Some(b) = coefficient(other, cell) {
                *other = eliminate(other, &row, cell, b)?;
            }
        }
        pivots.push((cell, row));
    }
    let mut out: Vec<usize> = pivots
        .iter()
        .filter(|(_, row)| row.len() == 1)
        .map(|(cell, _)| *cell)
        .collect();
    out.sort_unstable();
    Ok(out)
}

fn coefficient(row: &SparseRow, cell: usize) -> Option<i128> {
    row.binary_search_by_key(&cell, |e| e.0)
        .ok()
        .map(|i| row[i].1)
}

/// `p·row - a·pivot_row`, where `p` is the pivot row's coefficient on `cell` and `a` the row's:
/// the result is zero on `cell`; divided by the gcd of its coefficients.
fn eliminate(
    row: &SparseRow,
    pivot_row: &SparseRow,
    cell: usize,
    a: i128,
) -> Result<SparseRow, SecretError> {
    let p = coefficient(pivot_row, cell).expect("a pivot row holds its pivot");
    let combine = |x: i128, y: i128| {
        p.checked_mul(x)
            .zip(a.checked_mul(y))
            .and_then(|(u, w)| u.checked_sub(w))
            .ok_or(SecretError::TooIntricate)
    };
    let mut out = Vec::with_capacity(row.len() + pivot_row.len());
    let (mut i, mut j) = (0, 0);
    loop {
        let (c, v) = match (row.get(i), pivot_row.get(j)) {
            (Some(&(c, x)), Some(&(d, _))) if c < d => {
                i += 1;
                (c, combine(x, 0)?)
            }
            (Some(&(c, _)), Some(&(d, y))) if d < c => {
                j += 1;
                (d, combine(0, y)?)
            }
            (Some(&(c, x)), Some(&(_, y))) => {
                i += 1;
                j += 1;
                (c, combine(x, y)?)
            }
            (Some(&(c, x)), None) => {
                i += 1;
                (c, combine(x, 0)?)
            }
            (None, Some(&(d, y))) => {
                j += 1;
                (d, combine(0, y)?)
            }
            (None, None) => break,
        };
        if v != 0 {
            out.push((c, v));
        }
    }
    let g = out.iter().fold(0u128, |g, e| gcd(g, e.1.unsigned_abs()));
    if g > 1 {
        for e in &mut out {
            e.1 /= g as i128;
        }
    }
    Ok(out)
}

fn gcd(a: u128, b: u128) -> u128 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relation(whole: usize, parts: &[usize]) -> Relation {
        Relation {
            whole,
            parts: parts.to_vec(),
        }
    }

    #[test]
    fn a_lone_masked_cell_is_determined_two_are_not() {
        // 0 = 1 + 2
        let r = [relation(0, &[1, 2])];
        assert_eq!(determined(&r, &[false, true, false]).unwrap(), vec![1]);
        assert!(determined(&r, &[false, true, true]).unwrap().is_empty());
        // 0 = 1 + 2 and 3 = 1 + 4, masked 1, 2, 3: 3 is 1 + a published cell, 1 is not pinned.
        let r = [relation(0, &[1, 2]), relation(3, &[1, 4])];
        assert!(determined(&r, &[false, true, true, true, false])
            .unwrap()
            .is_empty());
        // ...and with 2 = 5 published too, 1 then 3 follow.
        let r = [
            relation(0, &[1, 2]),
            relation(3, &[1, 4]),
            relation(2, &[5]),
        ];
        assert_eq!(
            determined(&r, &[false, true, true, true, false, false]).unwrap(),
            vec![1, 2, 3]
        );
    }

    #[test]
    fn suppression_widens_until_nothing_is_determined() {
        // A line 3 + 40 + 7 = 50 at N = 5: the 3, then the smallest other part, the 7.
        let mut p = Problem::default();
        let cells: Vec<usize> = [50, 3, 40, 7].iter().map(|&v| p.cell(v, 0)).collect();
        assert!(p.relation(cells[0], cells[1..].to_vec()));
        assert_eq!(p.suppress(5).unwrap(), vec![false, true, false, true]);
        // A relation the figures do not satisfy is not kept.
        assert!(!p.relation(cells[0], vec![cells[1], cells[2]]));
        assert_eq!(p.relations.len(), 1);
        // Zeros are not masked for themselves and come last as secondary cells.
        let mut p = Problem::default();
        let cells: Vec<usize> = [3, 3, 0].iter().map(|&v| p.cell(v, 0)).collect();
        p.relation(cells[0], cells[1..].to_vec());
        assert_eq!(p.suppress(5).unwrap(), vec![true, true, false]);
        let mut p = Problem::default();
        let cells: Vec<usize> = [9, 3, 0, 6].iter().map(|&v| p.cell(v, 0)).collect();
        p.relation(cells[0], cells[1..].to_vec());
        assert_eq!(p.suppress(5).unwrap(), vec![false, true, false, true]);
    }
}
