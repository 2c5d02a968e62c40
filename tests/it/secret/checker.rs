//! The checker of statistical secrecy, independent of the suppressor: its own relations, and a
//! rank test over the integers modulo a large prime (a masked cell is derivable iff its unit
//! vector lies in the span of the relations restricted to the masked cells).

/// The prime of the rank test.
const P: u64 = (1 << 61) - 1;

fn mul(a: u64, b: u64) -> u64 {
    ((u128::from(a) * u128::from(b)) % u128::from(P)) as u64
}

fn inverse(a: u64) -> u64 {
    // Fermat: a^(p-2).
    let (mut base, mut exp, mut out) = (a, P - 2, 1);
    while exp > 0 {
        if exp & 1 == 1 {
            out = mul(out, base);
        }
        base = mul(base, base);
        exp >>= 1;
    }
    out
}

/// The rank of `rows` over the integers modulo [`P`].
fn rank(mut rows: Vec<Vec<u64>>) -> usize {
    let width = rows.first().map_or(0, Vec::len);
    let mut rank = 0;
    for col in 0..width {
        let Some(pivot) = (rank..rows.len()).find(|&r| rows[r][col] != 0) else {
            continue;
        };
        rows.swap(rank, pivot);
        let inv = inverse(rows[rank][col]);
        let pivot_row: Vec<u64> = rows[rank].iter().map(|&x| mul(x, inv)).collect();
        for (r, row) in rows.iter_mut().enumerate() {
            if r != rank && row[col] != 0 {
                let f = row[col];
                for (x, &y) in row.iter_mut().zip(&pivot_row) {
                    *x = (*x + P - mul(f, y)) % P;
                }
            }
        }
        rows[rank] = pivot_row;
        rank += 1;
    }
    rank
}

/// `(whole, parts)`: the relations a reader knows.
pub type Relations = Vec<(usize, Vec<usize>)>;

/// The masked cells a reader can recompute from the relations and the published cells.
pub fn derivable(relations: &Relations, masked: &[bool]) -> Vec<usize> {
    let unknowns: Vec<usize> = (0..masked.len()).filter(|&c| masked[c]).collect();
    let column = |c: usize| unknowns.iter().position(|&u| u == c).unwrap();
    let rows: Vec<Vec<u64>> = relations
        .iter()
        .map(|(whole, parts)| {
            let mut row = vec![0; unknowns.len()];
            if masked[*whole] {
                row[column(*whole)] = 1;
            }
            for &p in parts.iter().filter(|&&p| masked[p]) {
                row[column(p)] = P - 1;
            }
            row
        })
        .filter(|row| row.iter().any(|&x| x != 0))
        .collect();
    let base = rank(rows.clone());
    unknowns
        .iter()
        .enumerate()
        .filter(|&(i, _)| {
            let mut with = rows.clone();
            let mut unit = vec![0; unknowns.len()];
            unit[i] = 1;
            with.push(unit);
            rank(with) == base
        })
        .map(|(_, &c)| c)
        .collect()
}

/// The relations with exactly one masked cell (a subtraction gives it away).
pub fn lone_masked(relations: &Relations, masked: &[bool]) -> usize {
    relations
        .iter()
        .filter(|(w, parts)| {
            std::iter::once(w)
                .chain(parts)
                .filter(|&&c| masked[c])
                .count()
                == 1
        })
        .count()
}

/// A grid's cells (row-major) then its row totals, column totals and grand total, and their
/// relations, written here rather than taken from the library.
pub fn grid(cells: &[u64], width: usize) -> (Vec<u64>, Relations) {
    let height = cells.len() / width;
    let mut values = cells.to_vec();
    let mut relations = Vec::new();
    let mut margin = |values: &mut Vec<u64>, line: Vec<usize>| {
        values.push(line.iter().map(|&i| cells[i]).sum());
        relations.push((values.len() - 1, line));
        values.len() - 1
    };
    let rows: Vec<usize> = (0..height)
        .map(|r| margin(&mut values, (r * width..(r + 1) * width).collect()))
        .collect();
    let cols: Vec<usize> = (0..width)
        .map(|c| margin(&mut values, (0..height).map(|r| r * width + c).collect()))
        .collect();
    values.push(cells.iter().sum());
    let grand = values.len() - 1;
    relations.push((grand, rows));
    relations.push((grand, cols));
    (values, relations)
}
