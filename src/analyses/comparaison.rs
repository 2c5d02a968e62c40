//! PLIE compared fairly: each PLIE's positive-exit rate against the rate expected from the mix of
//! the people who left it, by indirect standardisation against the rates of the whole reference
//! population.
//!
//! # The figures
//!
//! For a period (a year or a range `Y1..Y2`) and a filter, every figure counts the exits of the
//! period as MEASURES.md does: a parcours whose exit `x` falls in the period, once (over a range
//! the yearly exits add up to the exits of the range). For a group `g` (a PLIE) and a stratum `s`
//! (a combination of values of the stratification dimensions, by default
//! [`STRATES`] = public × niveau × tranche_age, 3 × 9 × 5 = 135 strata, all characteristics at
//! entry):
//!
//! - `n_gs` = exits of `g` in `s`, `k_gs` = the positive ones (EMPLOI, FORMATION, AUTRE_POSITIVE);
//! - the reference population is every parcours passing the filter: *all PLIE in scope*, not the
//!   whole store — a `--filter region=X` restricts both the PLIE compared and the rates they are
//!   compared with, so a region's PLIE are compared with their region. `N_s = Σ_g n_gs`,
//!   `K_s = Σ_g k_gs`, and the reference rate of the stratum `r_s = K_s / N_s` (absent when
//!   `N_s = 0`, which never matters: a group with exits in `s` makes `N_s > 0`);
//! - observed: `sorties = n_g = Σ_s n_gs`, `sorties_positives = o_g = Σ_s k_gs`, `taux = o_g / n_g`
//!   (MEASURES.md's taux_sorties_positives);
//! - expected positives `e_g = Σ_s n_gs × r_s`, expected rate `taux_attendu = e_g / n_g`: the rate
//!   the PLIE would have if each of its exits had the reference chance of being positive in its
//!   stratum;
//! - `ecart = taux − taux_attendu` (a difference of fractions: 0.05 is 5 points) and
//!   `indice = o_g / e_g` (the standardised ratio, 1.10 = 10 % more positive exits than expected);
//! - `intervalle`: the Wilson score interval of `taux` at 95 % ([`wilson`] with [`Z95`]);
//!   `signal`: [`Signal::AuDessus`] when the interval lies wholly above `taux_attendu`,
//!   [`Signal::EnDessous`] when wholly below, [`Signal::Conforme`] when it contains it.
//!
//! Identity: `Σ_g e_g = Σ_s N_s × r_s = Σ_s K_s = Σ_g o_g` — against the pooled rates, indirect
//! standardisation gives back the total number of positive exits (checked by the tests).
//!
//! Zero denominators and unknown values: a group without exits in the period has `taux`,
//! `taux_attendu`, `ecart`, `intervalle` and `signal` absent (`None`), never 0 or NaN; `indice` is
//! absent when `e_g = 0` (every stratum of the group has a reference rate of 0). An exit with no
//! value on a stratification axis would fall in no stratum and count nowhere (neither observed nor
//! expected); with the default strata this cannot happen, because public, niveau (`NC` is a value)
//! and the birth month are required and the age at entry is 15 to 99 (FORMAT.md).
//!
//! Counts are exact integers; expected positives are sums of the exact fractions `n_gs × K_s / N_s`
//! in double precision (each product `n_gs × K_s` is exact), so the identity holds to about 1e-12
//! relative.
//!
//! Limits, stated for the reader of the output: the interval is that of the observed rate only —
//! the expected rate is treated as known (the reference is large next to one PLIE, and contains
//! it); with many PLIE, about 5 % of them are flagged by chance alone at 95 %; strata are the
//! characteristics at entry the store holds, so a PLIE whose people differ in ways the strata do
//! not see (local labour market, other characteristics) still differs after standardisation.
//!
//! The building block is a grouped tally over any number of dimensions, [`Corpus::tallies`]: a
//! [`TallyCube`] with a [`Tally`] per combination of values, the n-dimensional
//! [`Corpus::crosstab`]. [`Comparaison::from_cube`] standardises any cube, so the same comparison
//! runs by departement or region, or with other strata ([`Corpus::comparaison`]).

use crate::index::Corpus;
use crate::query::{Dimension, Filter, Path, Period, QueryError, Tally};

/// The 97.5th percentile of the standard normal distribution: `z` of a two-sided 95 % interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The default strata of the comparison: public × niveau × tranche_age (135 strata).
pub const STRATES: [Dimension; 3] = [Dimension::Public, Dimension::Niveau, Dimension::TrancheAge];

/// The Wilson score interval of a proportion of `k` successes out of `n` with the normal quantile
/// `z` (e.g. [`Z95`]): `(p + z²/2n ∓ z √(p(1−p)/n + z²/4n²)) / (1 + z²/n)`, `p = k/n`.
///
/// `None` when `n = 0` (no proportion), when `k > n`, or when `z` is not a finite number ≥ 0. The
/// bounds are within [0, 1], exactly 0 when `k = 0` and exactly 1 when `k = n`.
pub fn wilson(k: u64, n: u64, z: f64) -> Option<(f64, f64)> {
    if n == 0 || k > n || !(z.is_finite() && z >= 0.0) {
        return None;
    }
    let (kf, nf) = (k as f64, n as f64);
    let p = kf / nf;
    let z2 = z * z;
    let denominator = 1.0 + z2 / nf;
    let centre = (p + z2 / (2.0 * nf)) / denominator;
    let half = z / denominator * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
    let low = if k == 0 {
        0.0
    } else {
        (centre - half).clamp(0.0, 1.0)
    };
    let high = if k == n {
        1.0
    } else {
        (centre + half).clamp(0.0, 1.0)
    };
    Some((low, high))
}

fn ratio(num: f64, den: f64) -> Option<f64> {
    (den != 0.0).then(|| num / den)
}

/// A [`Tally`] per combination of values of several dimensions: the n-dimensional cross-tab.
///
/// Cells are in row-major order: the last dimension varies fastest, so cell
/// `(v0, v1, ..., vk)` is at `((v0 × len1 + v1) × len2 + ...) + vk`. A parcours with no value on
/// one of the dimensions (an unknown inactivity, say) is in no cell; with no dimension at all the
/// cube has one cell, the total.
#[derive(Debug, Clone, PartialEq)]
pub struct TallyCube {
    pub period: Period,
    pub filter: Filter,
    pub dimensions: Vec<Dimension>,
    /// Per dimension, its value codes in CLI.md's order (data-driven dimensions: the values present
    /// after filters, sorted), as [`Corpus::crosstab`] lists them.
    pub values: Vec<Vec<String>>,
    /// One tally per combination of values, row-major; every combination is present (zero cells
    /// included).
    pub cells: Vec<Tally>,
    /// PLIE with at least one parcours active in the period after filters.
    pub plies: usize,
    /// The PLIE in scope left out for their observation window (docs/tables.md).
    pub non_observes: Vec<crate::tables::NonObserve>,
}

impl TallyCube {
    /// The cell index of the value indices `coords` (one per dimension).
    ///
    /// Panics if `coords` has the wrong length or an index is out of range.
    pub fn index(&self, coords: &[usize]) -> usize {
        assert_eq!(
            coords.len(),
            self.dimensions.len(),
            "one index per dimension"
        );
        coords.iter().zip(&self.values).fold(0, |at, (&c, values)| {
            assert!(c < values.len(), "value index {c} out of range");
            at * values.len() + c
        })
    }

    /// The value indices of cell `cell`.
    pub fn coords(&self, mut cell: usize) -> Vec<usize> {
        let mut coords = vec![0; self.dimensions.len()];
        for (c, values) in coords.iter_mut().zip(&self.values).rev() {
            *c = cell % values.len();
            cell /= values.len();
        }
        coords
    }

    /// The tally of the value indices `coords`.
    pub fn tally(&self, coords: &[usize]) -> &Tally {
        &self.cells[self.index(coords)]
    }

    /// The tally of the value codes `codes` (one per dimension, as in [`TallyCube::values`]),
    /// `None` if a code is not a value of its dimension.
    pub fn get(&self, codes: &[&str]) -> Option<&Tally> {
        if codes.len() != self.dimensions.len() {
            return None;
        }
        let coords = codes
            .iter()
            .zip(&self.values)
            .map(|(code, values)| values.iter().position(|v| v == code))
            .collect::<Option<Vec<usize>>>()?;
        Some(self.tally(&coords))
    }

    /// Every cell added up: the parcours with a value on every dimension.
    pub fn total(&self) -> Tally {
        let mut total = Tally::default();
        self.cells.iter().for_each(|t| total.merge(t));
        total
    }

    /// The cube summed over every dimension but those at positions `keep` (in that order).
    ///
    /// Panics if a position is out of range or repeated.
    pub fn margin(&self, keep: &[usize]) -> TallyCube {
        let mut seen = vec![false; self.dimensions.len()];
        for &k in keep {
            assert!(
                !std::mem::replace(&mut seen[k], true),
                "axis {k} kept twice"
            );
        }
        let mut margin = TallyCube {
            period: self.period,
            filter: self.filter.clone(),
            dimensions: keep.iter().map(|&k| self.dimensions[k]).collect(),
            values: keep.iter().map(|&k| self.values[k].clone()).collect(),
            cells: Vec::new(),
            plies: self.plies,
            non_observes: self.non_observes.clone(),
        };
        let size = margin.values.iter().map(Vec::len).product();
        margin.cells = vec![Tally::default(); size];
        for (cell, tally) in self.cells.iter().enumerate() {
            let coords = self.coords(cell);
            let kept: Vec<usize> = keep.iter().map(|&k| coords[k]).collect();
            let at = margin.index(&kept);
            margin.cells[at].merge(tally);
        }
        margin
    }
}

impl Corpus {
    /// The tallies of every combination of values of `dimensions` (any number, each at most
    /// once) over the parcours passing `filter`, for `period`: [`Corpus::crosstab`] in n
    /// dimensions, computed in one parallel scan.
    ///
    /// Refuses a dimension given twice ([`QueryError::SameDimension`]) and a filter naming an
    /// unknown value.
    pub fn tallies(
        &self,
        period: Period,
        filter: &Filter,
        dimensions: &[Dimension],
    ) -> Result<TallyCube, crate::Error> {
        for (i, d) in dimensions.iter().enumerate() {
            if dimensions[..i].contains(d) {
                return Err(QueryError::SameDimension(d.code()).into());
            }
        }
        // Over the PLIE observed for the whole period, as every table (docs/tables.md).
        let (observed, non_observes) = self.observed_filter(period, filter)?;
        let mut grouped = self.grouped(period, &observed, &[dimensions.to_vec()], Path::Scan)?;
        let (axes, cells) = grouped.groupings.pop().expect("one grouping");
        Ok(TallyCube {
            period,
            filter: filter.clone(),
            dimensions: dimensions.to_vec(),
            values: axes.into_iter().map(|a| a.values).collect(),
            cells,
            plies: grouped.plies,
            non_observes,
        })
    }

    /// Each PLIE's positive-exit rate against the one expected from its public × niveau ×
    /// tranche_age mix ([`STRATES`]), the reference being every PLIE passing `filter` (see the
    /// module doc).
    pub fn comparaison_plie(
        &self,
        period: Period,
        filter: &Filter,
    ) -> Result<Comparaison, crate::Error> {
        self.comparaison(period, filter, Dimension::Plie, &STRATES)
    }

    /// The comparison of the values of `groupe` (plie, departement, region... or any dimension),
    /// standardised on `strates`, at 95 %. Refuses `groupe` among `strates`.
    pub fn comparaison(
        &self,
        period: Period,
        filter: &Filter,
        groupe: Dimension,
        strates: &[Dimension],
    ) -> Result<Comparaison, crate::Error> {
        let dimensions: Vec<Dimension> = std::iter::once(groupe)
            .chain(strates.iter().copied())
            .collect();
        let cube = self.tallies(period, filter, &dimensions)?;
        Ok(Comparaison::from_cube(&cube, 0, Z95))
    }
}

/// The years a comparison covers when none are given: the last four years the data cover
/// ([`Corpus::annees_observees`]), or fewer when they cover fewer; `None` for a store without
/// parcours. For the national corpus, 2014..2017.
pub fn annees_par_defaut(corpus: &Corpus) -> Option<Period> {
    let observed = corpus.annees_observees()?;
    Some(Period {
        first: observed.first.max(observed.last - 3),
        last: observed.last,
    })
}

/// How a group's observed rate stands against its expected rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Signal {
    /// The interval of the observed rate lies wholly above the expected rate.
    AuDessus,
    /// The interval contains the expected rate.
    Conforme,
    /// The interval lies wholly below the expected rate.
    EnDessous,
}

impl Signal {
    /// The code printed in csv: `au_dessus`, `conforme`, `en_dessous`.
    pub fn code(self) -> &'static str {
        match self {
            Signal::AuDessus => "au_dessus",
            Signal::Conforme => "conforme",
            Signal::EnDessous => "en_dessous",
        }
    }

    /// The French words printed in text.
    pub fn label(self) -> &'static str {
        match self {
            Signal::AuDessus => "au-dessus",
            Signal::Conforme => "conforme",
            Signal::EnDessous => "en dessous",
        }
    }
}

/// One stratum of the reference population.
#[derive(Debug, Clone, PartialEq)]
pub struct Strate {
    /// Its value code on each stratification dimension ([`Comparaison::strates`]).
    pub valeurs: Vec<String>,
    /// `N_s`: exits of the period in the stratum, over every group.
    pub sorties: u64,
    /// `K_s`: the positive ones.
    pub sorties_positives: u64,
    /// `r_s = K_s / N_s`, `None` without exits.
    pub taux: Option<f64>,
}

/// One group (a PLIE) compared with its expectation.
#[derive(Debug, Clone, PartialEq)]
pub struct LigneComparaison {
    /// The group's value code (the PLIE code).
    pub code: String,
    /// `n_g`: its exits in the period.
    pub sorties: u64,
    /// `o_g`: the positive ones.
    pub sorties_positives: u64,
    /// `o_g / n_g`, `None` without exits.
    pub taux: Option<f64>,
    /// The Wilson interval of `taux` ([`Comparaison::z`]), `None` without exits.
    pub intervalle: Option<(f64, f64)>,
    /// `e_g = Σ_s n_gs × r_s` (0 without exits).
    pub positives_attendues: f64,
    /// `e_g / n_g`, `None` without exits.
    pub taux_attendu: Option<f64>,
    /// `taux − taux_attendu`, `None` without exits.
    pub ecart: Option<f64>,
    /// `o_g / e_g`, `None` when `e_g = 0`.
    pub indice: Option<f64>,
    /// Where the interval stands against `taux_attendu`, `None` without exits.
    pub signal: Option<Signal>,
}

/// The observed figures of the whole reference population.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    /// `Σ_s N_s`: every exit of the period in a stratum.
    pub sorties: u64,
    /// `Σ_s K_s`.
    pub sorties_positives: u64,
    /// `Σ K_s / Σ N_s`, `None` without exits.
    pub taux: Option<f64>,
    /// Its Wilson interval, `None` without exits.
    pub intervalle: Option<(f64, f64)>,
    /// `Σ_g e_g`, equal to `sorties_positives` up to rounding (the identity of indirect
    /// standardisation).
    pub positives_attendues: f64,
}

/// The groups of a [`TallyCube`] compared by indirect standardisation (see the module doc).
#[derive(Debug, Clone, PartialEq)]
pub struct Comparaison {
    pub period: Period,
    /// Restricts both the groups shown and the reference population.
    pub filter: Filter,
    /// The dimension compared (plie).
    pub groupe: Dimension,
    /// The stratification dimensions.
    pub strates: Vec<Dimension>,
    /// The normal quantile of the intervals ([`Z95`]).
    pub z: f64,
    /// PLIE with at least one parcours active in the period after filters.
    pub plies: usize,
    /// The PLIE in scope left out for their observation window (docs/tables.md).
    pub non_observes: Vec<crate::tables::NonObserve>,
    pub reference: Reference,
    /// Every stratum (every combination of values, zero ones included), row-major as in the cube.
    pub strata: Vec<Strate>,
    /// Every value of the group dimension present after filters, ranked: by `ecart` descending,
    /// then more exits first, then by code; the groups without exits (no `ecart`) last, by code.
    pub lignes: Vec<LigneComparaison>,
}

impl Comparaison {
    /// Compares the values of axis `groupe` of `cube`, the other axes being the strata, with
    /// intervals at the normal quantile `z`.
    ///
    /// Panics if `groupe` is not an axis of the cube.
    pub fn from_cube(cube: &TallyCube, groupe: usize, z: f64) -> Comparaison {
        assert!(groupe < cube.dimensions.len(), "no axis {groupe}");
        let strate_axes: Vec<usize> = (0..cube.dimensions.len())
            .filter(|&a| a != groupe)
            .collect();
        let national = cube.margin(&strate_axes);
        let strata: Vec<Strate> = national
            .cells
            .iter()
            .enumerate()
            .map(|(s, t)| {
                let coords = national.coords(s);
                Strate {
                    valeurs: coords
                        .iter()
                        .zip(&national.values)
                        .map(|(&c, v)| v[c].clone())
                        .collect(),
                    sorties: t.sorties_total(),
                    sorties_positives: t.sorties_positives(),
                    taux: ratio(t.sorties_positives() as f64, t.sorties_total() as f64),
                }
            })
            .collect();
        let groups = cube.values[groupe].len();
        // Per group: exits, positive exits, expected positives.
        let mut sums = vec![(0u64, 0u64, 0f64); groups];
        for (cell, tally) in cube.cells.iter().enumerate() {
            let n = tally.sorties_total();
            if n == 0 {
                continue;
            }
            let coords = cube.coords(cell);
            let s = national.index(&strate_axes.iter().map(|&a| coords[a]).collect::<Vec<_>>());
            let stratum = &strata[s];
            let sum = &mut sums[coords[groupe]];
            sum.0 += n;
            sum.1 += tally.sorties_positives();
            // n_gs × K_s is an exact integer; one division.
            sum.2 += (n * stratum.sorties_positives) as f64 / stratum.sorties as f64;
        }
        let mut lignes: Vec<LigneComparaison> = cube.values[groupe]
            .iter()
            .zip(sums)
            .map(|(code, (n, o, e))| {
                let taux = ratio(o as f64, n as f64);
                let taux_attendu = ratio(e, n as f64);
                let intervalle = wilson(o, n, z);
                let signal = intervalle.zip(taux_attendu).map(|((low, high), t)| {
                    if t < low {
                        Signal::AuDessus
                    } else if t > high {
                        Signal::EnDessous
                    } else {
                        Signal::Conforme
                    }
                });
                LigneComparaison {
                    code: code.clone(),
                    sorties: n,
                    sorties_positives: o,
                    taux,
                    intervalle,
                    positives_attendues: e,
                    taux_attendu,
                    ecart: taux.zip(taux_attendu).map(|(a, b)| a - b),
                    indice: ratio(o as f64, e),
                    signal,
                }
            })
            .collect();
        lignes.sort_by(|a, b| match (a.ecart, b.ecart) {
            (Some(x), Some(y)) => y
                .total_cmp(&x)
                .then(b.sorties.cmp(&a.sorties))
                .then(a.code.cmp(&b.code)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.code.cmp(&b.code),
        });
        let sorties = strata.iter().map(|s| s.sorties).sum();
        let sorties_positives = strata.iter().map(|s| s.sorties_positives).sum();
        Comparaison {
            period: cube.period,
            filter: cube.filter.clone(),
            groupe: cube.dimensions[groupe],
            strates: national.dimensions.clone(),
            z,
            plies: cube.plies,
            non_observes: cube.non_observes.clone(),
            reference: Reference {
                sorties,
                sorties_positives,
                taux: ratio(sorties_positives as f64, sorties as f64),
                intervalle: wilson(sorties_positives, sorties, z),
                positives_attendues: lignes.iter().map(|l| l.positives_attendues).sum(),
            },
            strata,
            lignes,
        }
    }

    /// The lines with at least `min_sorties` exits, in rank order (the others still count in the
    /// reference rates).
    pub fn lignes_affichees(&self, min_sorties: u64) -> impl Iterator<Item = &LigneComparaison> {
        self.lignes.iter().filter(move |l| l.sorties >= min_sorties)
    }

    /// The line of group value `code`.
    pub fn ligne(&self, code: &str) -> Option<&LigneComparaison> {
        self.lignes.iter().find(|l| l.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Motif;

    #[track_caller]
    fn close(got: f64, want: f64, tolerance: f64) {
        assert!((got - want).abs() <= tolerance, "got {got}, want {want}");
    }

    /// Newcombe (1998), "Two-sided confidence intervals for the single proportion: comparison of
    /// seven methods", Statistics in Medicine 17, table I, method 3 (Wilson score, no continuity
    /// correction), to the 4 decimals printed there.
    #[test]
    fn wilson_matches_newcombe_1998() {
        for (k, n, low, high) in [
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0, 0.1611),
            (1, 29, 0.0061, 0.1718),
        ] {
            let (l, h) = wilson(k, n, Z95).unwrap();
            close(l, low, 0.00005);
            close(h, high, 0.00005);
        }
    }

    #[test]
    fn wilson_by_hand_and_edges() {
        // 10 of 20, z = 2: p = 0.5, z²/n = 0.2, centre = (0.5 + 0.1) / 1.2 = 0.5,
        // half = 2 / 1.2 × √(0.25/20 + 4/1600) = 1.6667 × √0.015 = 0.204124.
        let (l, h) = wilson(10, 20, 2.0).unwrap();
        close(l, 0.5 - 0.015f64.sqrt() / 0.6, 1e-12);
        close(h, 0.5 + 0.015f64.sqrt() / 0.6, 1e-12);
        assert_eq!(wilson(0, 0, Z95), None);
        assert_eq!(wilson(3, 2, Z95), None);
        assert_eq!(wilson(1, 2, f64::NAN), None);
        assert_eq!(wilson(0, 5, Z95).unwrap().0, 0.0);
        assert_eq!(wilson(5, 5, Z95).unwrap().1, 1.0);
        // z = 0: the interval shrinks to the point estimate.
        let (l, h) = wilson(3, 4, 0.0).unwrap();
        assert_eq!((l, h), (0.75, 0.75));
    }

    fn tally(positives: u64, sans_suite: u64) -> Tally {
        let mut t = Tally::default();
        t.sorties[Motif::Emploi as usize] = positives;
        t.sorties[Motif::Abandon as usize] = sans_suite;
        t
    }

    /// A cube plie × public built by hand: the figures of the module doc worked out.
    fn cube() -> TallyCube {
        // Strata DELD, RSA. Exits (positive, sans suite):
        //   A: DELD (10, 10), RSA (0, 0)
        //   B: DELD (0, 0),   RSA (4, 16)
        //   C: DELD (9, 1),   RSA (4, 6)
        //   D: DELD (1, 9),   RSA (2, 8)
        //   E: nothing.
        // Reference DELD 20 / 40 = 1/2, RSA 10 / 40 = 1/4.
        let cells = vec![
            tally(10, 10),
            tally(0, 0),
            tally(0, 0),
            tally(4, 16),
            tally(9, 1),
            tally(4, 6),
            tally(1, 9),
            tally(2, 8),
            tally(0, 0),
            tally(0, 0),
        ];
        TallyCube {
            period: Period::year(2017),
            filter: Filter::none(),
            dimensions: vec![Dimension::Plie, Dimension::Public],
            values: vec![
                ["A", "B", "C", "D", "E"].map(String::from).to_vec(),
                ["DELD", "RSA"].map(String::from).to_vec(),
            ],
            cells,
            plies: 5,
            non_observes: Vec::new(),
        }
    }

    #[test]
    fn cube_indices_and_margins() {
        let c = cube();
        assert_eq!(c.index(&[2, 1]), 5);
        assert_eq!(c.coords(5), vec![2, 1]);
        assert_eq!(c.get(&["D", "RSA"]).unwrap().sorties_positives(), 2);
        assert_eq!(c.get(&["D", "AUTRE"]), None);
        let by_public = c.margin(&[1]);
        assert_eq!(by_public.values, vec![vec!["DELD", "RSA"]]);
        assert_eq!(by_public.cells[0].sorties_total(), 40);
        assert_eq!(by_public.cells[1].sorties_positives(), 10);
        let swapped = c.margin(&[1, 0]);
        assert_eq!(swapped.get(&["RSA", "C"]), c.get(&["C", "RSA"]));
        assert_eq!(c.margin(&[]).cells, vec![c.total()]);
        assert_eq!(c.total().sorties_total(), 80);
    }

    #[test]
    fn standardisation_by_hand() {
        let cmp = Comparaison::from_cube(&cube(), 0, Z95);
        assert_eq!(cmp.strates, vec![Dimension::Public]);
        assert_eq!(cmp.strata[0].taux, Some(0.5));
        assert_eq!(cmp.strata[1].taux, Some(0.25));
        // A: 10 of 20, expected 20 × 1/2 = 10, écart 0.
        // B: 4 of 20, expected 20 × 1/4 = 5 → 0.25, écart -0.05, indice 0.8.
        // C: 13 of 20, expected 10 × 1/2 + 10 × 1/4 = 7.5 → 0.375, écart +0.275.
        // D: 3 of 20, expected 7.5 → 0.375, écart -0.225.
        // Ranked C, A, B, D, then E (no exit).
        let codes: Vec<&str> = cmp.lignes.iter().map(|l| l.code.as_str()).collect();
        assert_eq!(codes, ["C", "A", "B", "D", "E"]);
        let c = cmp.ligne("C").unwrap();
        assert_eq!((c.sorties, c.sorties_positives), (20, 13));
        close(c.positives_attendues, 7.5, 1e-12);
        close(c.taux_attendu.unwrap(), 0.375, 1e-12);
        close(c.ecart.unwrap(), 0.275, 1e-12);
        close(c.indice.unwrap(), 13.0 / 7.5, 1e-12);
        // Wilson 13/20: z² = 3.841459, centre (0.65 + 0.096036) / 1.192073 = 0.625831,
        // half 1.959964 / 1.192073 × √(0.2275/20 + 3.841459/1600) = 0.192977.
        let (l, h) = c.intervalle.unwrap();
        close(l, 0.432854, 1e-6);
        close(h, 0.818808, 1e-6);
        assert_eq!(c.signal, Some(Signal::AuDessus));
        let b = cmp.ligne("B").unwrap();
        close(b.ecart.unwrap(), -0.05, 1e-12);
        close(b.indice.unwrap(), 0.8, 1e-12);
        assert_eq!(b.signal, Some(Signal::Conforme));
        // D: Wilson 3/20: centre 0.246036 / 1.192073 = 0.206394, half 0.154025, so
        // [0.052369, 0.360419], wholly below 0.375.
        let d = cmp.ligne("D").unwrap();
        close(d.intervalle.unwrap().1, 0.360419, 1e-6);
        assert_eq!(d.signal, Some(Signal::EnDessous));
        let a = cmp.ligne("A").unwrap();
        assert_eq!(a.ecart, Some(0.0));
        assert_eq!(a.signal, Some(Signal::Conforme));
        let e = cmp.ligne("E").unwrap();
        assert_eq!(
            (
                e.taux,
                e.taux_attendu,
                e.ecart,
                e.indice,
                e.intervalle,
                e.signal
            ),
            (None, None, None, None, None, None)
        );
        assert_eq!(e.positives_attendues, 0.0);
        // The identity: Σ expected = Σ observed = 30.
        assert_eq!(cmp.reference.sorties_positives, 30);
        assert_eq!(cmp.reference.sorties, 80);
        close(cmp.reference.positives_attendues, 30.0, 1e-9);
        let shown: Vec<&str> = cmp.lignes_affichees(1).map(|l| l.code.as_str()).collect();
        assert_eq!(shown, ["C", "A", "B", "D"]);
        assert_eq!(cmp.lignes_affichees(21).count(), 0);
    }

    #[test]
    fn a_stratum_rate_of_zero_gives_no_indice() {
        let mut c = cube();
        // Only sans-suite exits in RSA, and B exits only there: expected 0.
        for t in c.cells.iter_mut() {
            t.sorties[Motif::Abandon as usize] += t.sorties[Motif::Emploi as usize];
            t.sorties[Motif::Emploi as usize] = 0;
        }
        let cmp = Comparaison::from_cube(&c, 0, Z95);
        let b = cmp.ligne("B").unwrap();
        assert_eq!(b.positives_attendues, 0.0);
        assert_eq!(b.indice, None);
        assert_eq!(b.ecart, Some(0.0));
        assert_eq!(b.signal, Some(Signal::Conforme));
    }

    mod on_a_store {
        use super::super::*;
        use crate::index::Corpus;
        use crate::model::{Day, Motif};
        use crate::query::{Crosstab, Measure};
        use crate::store::Store;
        use crate::synth::{write_store, SynthOptions};
        use proptest::prelude::*;
        use std::sync::OnceLock;

        /// A small synthetic corpus (a few PLIE, 2012-2017), loaded once.
        fn corpus() -> &'static Corpus {
            static CORPUS: OnceLock<(tempfile::TempDir, Corpus)> = OnceLock::new();
            &CORPUS
                .get_or_init(|| {
                    let dir = tempfile::tempdir().unwrap();
                    let path = dir.path().join("s.redb");
                    let mut store = Store::create(&path).unwrap();
                    let options = SynthOptions {
                        scale: 0.05,
                        seed: 7,
                        from: 2012,
                        to: 2017,
                        plie: Some(12),
                    };
                    write_store(&mut store, &options, 0, &|_| {}).unwrap();
                    let corpus = Corpus::load(&store).unwrap();
                    assert!(corpus.parcours() > 1000, "a corpus worth testing");
                    (dir, corpus)
                })
                .1
        }

        /// The value code of a row on a dimension, from the raw columns, following CLI.md by hand.
        fn label(
            corpus: &Corpus,
            chunk: &crate::index::Chunk,
            i: usize,
            d: Dimension,
        ) -> Option<String> {
            let r = &chunk.raw;
            let year = |day: u16| (day != u16::MAX).then(|| Day(day).year().to_string());
            Some(match d {
                Dimension::Sexe => ["H", "F"][r.sexe[i] as usize].to_owned(),
                Dimension::Public => ["DELD", "RSA", "AUTRE"][r.public[i] as usize].to_owned(),
                Dimension::Niveau => ["VI", "VBIS", "V", "IV", "III", "II", "I", "9", "NC"]
                    [r.niveau[i] as usize]
                    .to_owned(),
                Dimension::TrancheAge => match r.age[i] {
                    15..=24 => "15-24",
                    25..=44 => "25-44",
                    45..=54 => "45-54",
                    55..=64 => "55-64",
                    65.. => "65+",
                    _ => return None,
                }
                .to_owned(),
                Dimension::Th => (if r.th[i] == 1 { "1" } else { "0" }).to_owned(),
                Dimension::Plie => corpus.plies[chunk.plie as usize].plie.clone(),
                Dimension::Region => corpus.plies[chunk.plie as usize]
                    .region
                    .clone()
                    .unwrap_or_else(|| "?".into()),
                Dimension::AnneeEntree => year(r.entree[i]).expect("an entry"),
                Dimension::AnneeSortie => year(r.sortie[i]).unwrap_or_else(|| "-".into()),
                _ => unreachable!("not drawn"),
            })
        }

        const DRAWN: [Dimension; 9] = [
            Dimension::Sexe,
            Dimension::Public,
            Dimension::Niveau,
            Dimension::TrancheAge,
            Dimension::Th,
            Dimension::Plie,
            Dimension::Region,
            Dimension::AnneeEntree,
            Dimension::AnneeSortie,
        ];

        /// Exits, positive exits and entries of each combination of values, row by row, straight
        /// from the day numbers (MEASURES.md: `x` in the period, `e` in the period), keeping the
        /// rows whose public is in `publics` when given.
        fn naive(
            corpus: &Corpus,
            period: Period,
            dims: &[Dimension],
            publics: Option<&[&str]>,
        ) -> std::collections::BTreeMap<Vec<String>, (u64, u64, u64)> {
            let mut counts = std::collections::BTreeMap::new();
            let within = |y: i32| (period.first..=period.last).contains(&y);
            for info in &corpus.chunks {
                let chunk = &corpus
                    .read_chunk(info, crate::store::Columns::codes_and_days())
                    .unwrap();
                for i in 0..chunk.len() {
                    let public = label(corpus, chunk, i, Dimension::Public).expect("a public");
                    if publics.is_some_and(|p| !p.contains(&public.as_str())) {
                        continue;
                    }
                    let Some(key) = dims
                        .iter()
                        .map(|&d| label(corpus, chunk, i, d))
                        .collect::<Option<Vec<String>>>()
                    else {
                        continue;
                    };
                    let e = Day(chunk.raw.entree[i]).year();
                    let x =
                        (chunk.raw.sortie[i] != u16::MAX).then(|| Day(chunk.raw.sortie[i]).year());
                    let c: &mut (u64, u64, u64) = counts.entry(key).or_default();
                    if x.is_some_and(within) {
                        c.0 += 1;
                        let motif = Motif::from_u8(chunk.raw.motif[i]).expect("a motif");
                        c.1 += u64::from(motif.is_positive());
                    }
                    c.2 += u64::from(within(e));
                }
            }
            counts
        }

        fn check(period: Period, dims: &[Dimension], publics: Option<&[&str]>) {
            let corpus = corpus();
            let filter = publics.map_or(Filter::none(), |p| {
                Filter::none().with(Dimension::Public, p)
            });
            let cube = corpus.tallies(period, &filter, dims).unwrap();
            let want = naive(corpus, period, dims, publics);
            let mut seen = 0;
            for (cell, t) in cube.cells.iter().enumerate() {
                let key: Vec<String> = cube
                    .coords(cell)
                    .iter()
                    .zip(&cube.values)
                    .map(|(&c, v)| v[c].clone())
                    .collect();
                let (x, p, e) = want.get(&key).copied().unwrap_or_default();
                assert_eq!(
                    (t.sorties_total(), t.sorties_positives(), t.entrees),
                    (x, p, e),
                    "{dims:?} {key:?} {period}"
                );
                seen += u64::from(want.contains_key(&key));
            }
            // Every combination a row has is a cell of the cube.
            assert_eq!(seen as usize, want.len(), "{dims:?}");
        }

        #[test]
        fn three_and_four_dimensions_equal_a_row_by_row_count() {
            check(
                Period::years(2014, 2017).unwrap(),
                &[
                    Dimension::Plie,
                    Dimension::Public,
                    Dimension::Niveau,
                    Dimension::TrancheAge,
                ],
                None,
            );
            check(Period::year(2016), &[], None);
        }

        #[test]
        fn two_dimensions_equal_the_crosstab() {
            let corpus = corpus();
            let period = Period::years(2015, 2017).unwrap();
            let filter = Filter::none().with(Dimension::Sexe, &["F"]);
            let cube = corpus
                .tallies(period, &filter, &[Dimension::Plie, Dimension::TrancheAge])
                .unwrap();
            let x = corpus
                .crosstab(&Crosstab {
                    measure: Measure::SortiesPositives,
                    period,
                    rows: Dimension::Plie,
                    cols: Some(Dimension::TrancheAge),
                    filter,
                })
                .unwrap();
            assert_eq!(
                cube.values,
                vec![x.row_values.clone(), x.col_values.clone()]
            );
            assert_eq!(cube.cells, x.cells);
            assert_eq!(cube.plies, x.plies);
        }

        #[test]
        fn a_dimension_twice_is_refused() {
            let err = corpus()
                .tallies(
                    Period::year(2017),
                    &Filter::none(),
                    &[Dimension::Sexe, Dimension::Public, Dimension::Sexe],
                )
                .unwrap_err();
            assert!(
                matches!(err, crate::Error::Query(QueryError::SameDimension("sexe"))),
                "{err}"
            );
        }

        #[test]
        fn the_identity_on_a_generated_corpus() {
            let corpus = corpus();
            let cmp = corpus
                .comparaison_plie(Period::years(2014, 2017).unwrap(), &Filter::none())
                .unwrap();
            let observed: u64 = cmp.lignes.iter().map(|l| l.sorties_positives).sum();
            let expected: f64 = cmp.lignes.iter().map(|l| l.positives_attendues).sum();
            assert_eq!(observed, cmp.reference.sorties_positives);
            assert!(observed > 100);
            assert!((expected - observed as f64).abs() < 1e-9 * observed as f64);
            let exits: u64 = cmp.lignes.iter().map(|l| l.sorties).sum();
            assert_eq!(exits, cmp.reference.sorties);
            // A PLIE alone in its reference is exactly as expected.
            let one = &cmp.lignes[0].code;
            let alone = corpus
                .comparaison_plie(cmp.period, &Filter::none().with(Dimension::Plie, &[one]))
                .unwrap();
            assert_eq!(alone.lignes.len(), 1);
            assert!(alone.lignes[0].ecart.unwrap().abs() < 1e-12);
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

            #[test]
            fn any_cube_equals_a_row_by_row_count(
                picks in prop::sample::subsequence(DRAWN.to_vec(), 0..=4).prop_shuffle(),
                first in 2012..2018i32,
                len in 0..3i32,
                filtered in any::<bool>(),
            ) {
                let period = Period::years(first, (first + len).min(2017)).unwrap();
                let publics: &[&str] = &["RSA", "AUTRE"];
                check(period, &picks, filtered.then_some(publics));
            }
        }
    }
}
