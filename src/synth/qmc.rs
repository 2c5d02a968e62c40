//! Scrambled Halton points: the uniforms of each year's fresh entrants, indexed nationally.
//!
//! Entrant `j` of a year (PLIE after PLIE, in code order) takes the `j`-th point of a
//! nine-dimensional Halton sequence whose digits are permuted at random (one permutation per
//! dimension and digit position, from the seed) and shifted at random per year. Every
//! characteristic at entry, the quantile of the duration and the uniform of the exit reason are
//! coordinates of the point, so any group of entrants (a category, a PLIE, a PLIE's category)
//! covers the space evenly: the published rows come out close to their expectation instead of
//! carrying the 4 % of noise independent draws leave on a row of 600 exits.

use rand::RngExt;

use super::{rng, Tag};

/// Coordinates of a point: entry day, sex, age class, disability, public, level, inactivity,
/// duration quantile, exit reason.
pub const DIMS: usize = 9;
/// Small bases (the most even projections) go to the rare characteristics and to the outcome:
/// disability 2, duration 3, exit reason 5, inactivity 7, age 11, entry day 13, level 17, public
/// 19, sex 23.
const BASES: [u64; DIMS] = [13, 23, 11, 2, 19, 17, 7, 3, 5];
/// Rare groups with their own sequence (entry day, duration, exit reason; bases 2, 3, 5): the
/// disabled workers, then the five known classes of inactivity.
pub const STRATA: usize = 6;
const STRATUM_BASES: [u64; 3] = [2, 3, 5];
/// Digit positions scrambled (2^53 for base 2; fewer are needed for the larger bases).
const DIGITS: usize = 53;

/// The random shifts of one year.
#[derive(Debug, Clone)]
pub(crate) struct Shifts {
    main: [f64; DIMS],
    /// Offsets of the Beatty sequences: disability, then the nested inactivity classes.
    beatty: [f64; STRATA],
    strata: [[f64; 3]; STRATA],
}

/// Where an entrant's rare characteristics put it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rare {
    pub disabled: bool,
    /// The inactivity class when it is one of the five known ones.
    pub inactivite: Option<usize>,
    /// Entry day, duration and exit reason from the entrant's stratum, if it has one.
    pub coords: Option<[f64; 3]>,
}

/// The scrambling of one seed.
#[derive(Debug, Clone)]
pub(crate) struct Qmc {
    seed: u64,
    /// perms[d][pos][digit], d over the main dimensions then 3 per stratum.
    perms: Vec<Vec<Vec<u8>>>,
    /// tail[d][pos]: the value of digits pos.. when they are all 0 (scrambled).
    tail: Vec<Vec<f64>>,
    bases: Vec<u64>,
}

/// Whether `j` is in a Beatty sequence of density `p` and offset `c`, and how many members come
/// before it.
fn beatty(j: u64, p: f64, c: f64) -> (bool, u64) {
    let before = (j as f64 * p + c).floor();
    let after = ((j + 1) as f64 * p + c).floor();
    (after > before, before as u64)
}

impl Qmc {
    pub fn new(seed: u64) -> Qmc {
        let mut r = rng(seed, Tag::Qmc, 0, 0);
        let bases: Vec<u64> = BASES
            .iter()
            .copied()
            .chain((0..STRATA).flat_map(|_| STRATUM_BASES))
            .collect();
        let mut perms = Vec::with_capacity(bases.len());
        let mut tail = Vec::with_capacity(bases.len());
        for &b in &bases {
            let mut dim = Vec::with_capacity(DIGITS);
            for _ in 0..DIGITS {
                let mut p: Vec<u8> = (0..b as u8).collect();
                for i in (1..p.len()).rev() {
                    let j = r.random_range(0..=i);
                    p.swap(i, j);
                }
                dim.push(p);
            }
            let mut t = vec![0.0; DIGITS + 1];
            for pos in (0..DIGITS).rev() {
                let f = (b as f64).powi(-(pos as i32 + 1));
                t[pos] = t[pos + 1] + f * f64::from(dim[pos][0]);
            }
            perms.push(dim);
            tail.push(t);
        }
        Qmc {
            seed,
            perms,
            tail,
            bases,
        }
    }

    /// The random shifts of the entrants of `year`.
    pub fn shifts(&self, year: i32) -> Shifts {
        let mut r = rng(self.seed, Tag::Qmc, 1, year as u64);
        Shifts {
            main: std::array::from_fn(|_| r.random::<f64>()),
            beatty: std::array::from_fn(|_| r.random::<f64>()),
            strata: std::array::from_fn(|_| std::array::from_fn(|_| r.random::<f64>())),
        }
    }

    fn coordinate(&self, d: usize, j: u64, shift: f64) -> f64 {
        // Division by a constant is a multiplication: one copy of the digit loop per base.
        match self.bases[d] {
            2 => self.radical::<2>(d, j, shift),
            3 => self.radical::<3>(d, j, shift),
            5 => self.radical::<5>(d, j, shift),
            7 => self.radical::<7>(d, j, shift),
            11 => self.radical::<11>(d, j, shift),
            13 => self.radical::<13>(d, j, shift),
            17 => self.radical::<17>(d, j, shift),
            19 => self.radical::<19>(d, j, shift),
            _ => self.radical::<23>(d, j, shift),
        }
    }

    /// The scrambled radical inverse of `j` in base `B`, shifted.
    fn radical<const B: u64>(&self, d: usize, j: u64, shift: f64) -> f64 {
        debug_assert_eq!(self.bases[d], B);
        let perm = &self.perms[d];
        let (mut i, mut f, mut x, mut pos) = (j, 1.0 / B as f64, 0.0, 0);
        while i > 0 && pos < DIGITS {
            x += f * f64::from(perm[pos][(i % B) as usize]);
            i /= B;
            f /= B as f64;
            pos += 1;
        }
        (x + self.tail[d][pos] + shift).fract()
    }

    /// The point of entrant `j`.
    pub fn point(&self, j: u64, shifts: &Shifts) -> [f64; DIMS] {
        std::array::from_fn(|d| self.coordinate(d, j, shifts.main[d]))
    }

    fn stratum(&self, s: usize, rank: u64, shifts: &Shifts) -> [f64; 3] {
        std::array::from_fn(|k| self.coordinate(DIMS + 3 * s + k, rank, shifts.strata[s][k]))
    }

    /// The rare characteristics of entrant `j`: disability with probability `th`, the known
    /// inactivity classes with probabilities `inactivite[..5]`.
    ///
    /// Disabled workers (under 4 % of the entrants) and each known class of inactivity (4 to 9 %)
    /// are too few for the main sequence to even out their rows of Tableau 1. Entrant `j` is in
    /// such a group when a Beatty sequence says so (nested for the inactivity classes), which
    /// spreads the members evenly and numbers them exactly; a member's entry day, duration and
    /// exit reason then come from its group's own sequence, indexed by that number.
    pub fn rare(&self, j: u64, th: f64, inactivite: &[f64], shifts: &Shifts) -> Rare {
        let (disabled, th_rank) = beatty(j, th, shifts.beatty[0]);
        let mut inact = None;
        let (mut r, mut left) = (j, 1.0);
        for (c, &p) in inactivite.iter().take(STRATA - 1).enumerate() {
            let (member, before) = beatty(r, (p / left).min(1.0), shifts.beatty[1 + c]);
            if member {
                inact = Some((c, before));
                break;
            }
            r -= before;
            left -= p;
        }
        let coords = if disabled {
            Some(self.stratum(0, th_rank, shifts))
        } else {
            inact.map(|(c, rank)| self.stratum(1 + c, rank, shifts))
        };
        Rare {
            disabled,
            inactivite: inact.map(|(c, _)| c),
            coords,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_uniform_in_every_coordinate() {
        let q = Qmc::new(7);
        let shifts = q.shifts(2017);
        let n = 3000u64;
        for d in 0..DIMS {
            let mut bins = [0u32; 10];
            for j in 1000..1000 + n {
                let x = q.point(j, &shifts)[d];
                assert!((0.0..1.0).contains(&x));
                bins[(x * 10.0) as usize] += 1;
            }
            for b in bins {
                assert!((b as i64 - 300).abs() <= 15, "dim {d}: {bins:?}");
            }
        }
    }
}

#[cfg(test)]
mod marginals {
    use super::*;

    #[test]
    fn rare_groups_have_their_share() {
        let q = Qmc::new(3);
        let shifts = q.shifts(2016);
        let inact = [0.09, 0.06, 0.04, 0.05, 0.06];
        let n = 30_000u64;
        let mut counts = [0u32; 6];
        let mut th = 0;
        for j in 0..n {
            let rare = q.rare(j, 0.038, &inact, &shifts);
            th += u32::from(rare.disabled);
            counts[rare.inactivite.unwrap_or(5)] += 1;
        }
        assert!((f64::from(th) - 0.038 * n as f64).abs() <= 1.0, "{th}");
        for (c, p) in inact.iter().enumerate() {
            let want = p * n as f64;
            assert!(
                (f64::from(counts[c]) - want).abs() <= 2.0,
                "{c}: {counts:?}"
            );
        }
    }

    #[test]
    fn one_dimensional_counts_are_exact() {
        let q = Qmc::new(1);
        let shifts = q.shifts(2017);
        let n = 31_240u64;
        for d in 0..DIMS {
            let c = (0..n).filter(|&j| q.point(j, &shifts)[d] < 0.04).count();
            let expected = 0.04 * n as f64;
            assert!(
                (c as f64 - expected).abs() < 8.0,
                "dim {d}: {c} vs {expected}"
            );
        }
    }
}
