//! A PLIE's parcours added up at import: for each characteristic (and public × inscrit_pe), how
//! many parcours of each code entered in a year and left in a year for a motif. Every figure of
//! Tableau 1 over any period, for any set of PLIE, is a sum over these cells, so the published
//! table for a territory is answered without reading one parcours (see `query::summary`).
//!
//! The summary is derived data: written in the import's transaction beside the chunks it sums,
//! checked against its PLIE's record when read, and rebuilt by the next import when its layout
//! is not this build's.

use super::encoding::{ParcoursChunk, NONE};
use crate::model::{year_code, Inactivite};

/// The characteristics a summary counts by, one grouping each, plus one crossed grouping.
/// Bump [`SUMMARY_LAYOUT`] whenever this list or a code's meaning changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum SummaryColumn {
    Sexe = 0,
    Age = 1,
    Public = 2,
    InscritPe = 3,
    Th = 4,
    Niveau = 5,
    Qpv = 6,
    /// `model::Inactivite::band`.
    Inactivite = 7,
}

impl SummaryColumn {
    /// Every column, by discriminant.
    pub const ALL: [SummaryColumn; 8] = [
        SummaryColumn::Sexe,
        SummaryColumn::Age,
        SummaryColumn::Public,
        SummaryColumn::InscritPe,
        SummaryColumn::Th,
        SummaryColumn::Niveau,
        SummaryColumn::Qpv,
        SummaryColumn::Inactivite,
    ];
}

/// The groupings of a summary, by position: one column, or `Public` × `InscritPe`.
pub const SUMMARY_GROUPINGS: &[&[SummaryColumn]] = &[
    &[SummaryColumn::Sexe],
    &[SummaryColumn::Age],
    &[SummaryColumn::Public],
    &[SummaryColumn::InscritPe],
    &[SummaryColumn::Th],
    &[SummaryColumn::Niveau],
    &[SummaryColumn::Qpv],
    &[SummaryColumn::Inactivite],
    &[SummaryColumn::Public, SummaryColumn::InscritPe],
];

/// The version of [`SUMMARY_GROUPINGS`] and of the cell codes.
pub const SUMMARY_LAYOUT: u16 = 1;

/// The cells of one PLIE's summary, column by column, sorted by (grouping, codes, entry year,
/// exit year, motif). Every grouping partitions all the PLIE's parcours.
#[derive(Debug, Default, Clone, PartialEq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct PlieSummary {
    pub layout: u16,
    /// Index in [`SUMMARY_GROUPINGS`].
    pub grouping: Vec<u8>,
    /// The codes of the grouping's columns (a second code `NONE` for one-column groupings).
    pub code: Vec<[u8; 2]>,
    /// Year codes (years since 1990); exit `index::OPEN` (255) while in parcours.
    pub annee_entree: Vec<u8>,
    pub annee_sortie: Vec<u8>,
    /// `model::Motif`, `NONE` while in parcours.
    pub motif: Vec<u8>,
    /// Parcours in the cell.
    pub parcours: Vec<u32>,
    /// Of them, those whose inactivity is a number of months, and the sum of those months.
    pub inactivite_n: Vec<u32>,
    pub inactivite_mois: Vec<u64>,
}

impl PlieSummary {
    /// Adds up the parcours of one PLIE.
    pub fn of(chunks: &[ParcoursChunk]) -> PlieSummary {
        // The distinct (entry year, exit year, motif) of the PLIE, in that order, and each row's,
        // through a dense table of every possible flow (a motif fits 3 bits, `NONE` as 7).
        let slot = |c: &ParcoursChunk, i: usize| {
            let sortie = match c.sortie[i] {
                u16::MAX => u8::MAX,
                day => year_code(day),
            };
            let motif = if c.motif[i] == NONE {
                7
            } else {
                c.motif[i] & 7
            };
            (usize::from(year_code(c.entree[i])) << 11)
                | (usize::from(sortie) << 3)
                | usize::from(motif)
        };
        let mut id = vec![usize::MAX; 1 << 19];
        for c in chunks {
            for i in 0..c.entree.len() {
                id[slot(c, i)] = 0;
            }
        }
        let mut flows = Vec::new();
        for (s, k) in id.iter_mut().enumerate() {
            if *k == 0 {
                *k = flows.len();
                let motif = match (s & 7) as u8 {
                    7 => NONE,
                    m => m,
                };
                flows.push(((s >> 11) as u8, (s >> 3) as u8, motif));
            }
        }
        let row_flow: Vec<u32> = chunks
            .iter()
            .flat_map(|c| (0..c.entree.len()).map(move |i| slot(c, i)))
            .map(|s| id[s] as u32)
            .collect();

        let mut summary = PlieSummary {
            layout: SUMMARY_LAYOUT,
            ..PlieSummary::default()
        };
        // Each column's codes present in the PLIE, numbered densely (a few each).
        let present: Vec<Present> = SummaryColumn::ALL
            .iter()
            .map(|&column| Present::of(chunks, column))
            .collect();
        for (g, columns) in SUMMARY_GROUPINGS.iter().enumerate() {
            // Dense counts, flows × the codes present.
            let first = &present[columns[0] as usize];
            let second = columns.get(1).map(|&k| (k, &present[k as usize]));
            let width_b = second.map_or(1, |(_, p)| p.codes.len());
            let width = first.codes.len() * width_b;
            let mut cells = vec![(0u32, 0u32, 0u64); flows.len() * width];
            let mut row = 0;
            for c in chunks {
                for i in 0..c.entree.len() {
                    let b = second.map_or(0, |(k, p)| p.slot[usize::from(code(c, k, i))]);
                    let k = first.slot[usize::from(code(c, columns[0], i))] * width_b + b;
                    let cell = &mut cells[k * flows.len() + row_flow[row] as usize];
                    cell.0 += 1;
                    let months = c.inactivite[i];
                    if months <= Inactivite::MAX_MOIS {
                        cell.1 += 1;
                        cell.2 += u64::from(months);
                    }
                    row += 1;
                }
            }
            for (k, &(n, known, months)) in cells.iter().enumerate() {
                if n == 0 {
                    continue;
                }
                let (codes, f) = (k / flows.len(), k % flows.len());
                let a = first.codes[codes / width_b];
                let b = second.map_or(NONE, |(_, p)| p.codes[codes % width_b]);
                let (entree, sortie, motif) = flows[f];
                summary.grouping.push(g as u8);
                summary.code.push([a, b]);
                summary.annee_entree.push(entree);
                summary.annee_sortie.push(sortie);
                summary.motif.push(motif);
                summary.parcours.push(n);
                summary.inactivite_n.push(known);
                summary.inactivite_mois.push(months);
            }
        }
        summary
    }

    /// Column lengths agree, cells are sorted by grouping, each cell is a possible flow (entry
    /// before exit, a motif exactly when the parcours has left) with no more parcours of known
    /// inactivity than parcours, and every grouping adds up to the PLIE's `parcours`: a summary
    /// that passes cannot make a query index out of bounds, miss cells, nor disagree with its
    /// record.
    pub(crate) fn check(&self, parcours: u64) -> Result<(), String> {
        let n = self.grouping.len();
        let lens = [
            self.code.len(),
            self.annee_entree.len(),
            self.annee_sortie.len(),
            self.motif.len(),
            self.parcours.len(),
            self.inactivite_n.len(),
            self.inactivite_mois.len(),
        ];
        if lens.iter().any(|&l| l != n) {
            return Err("columns of different lengths".into());
        }
        if self
            .grouping
            .iter()
            .any(|&g| usize::from(g) >= SUMMARY_GROUPINGS.len())
        {
            return Err("an unknown grouping".into());
        }
        if self.grouping.windows(2).any(|w| w[0] > w[1]) {
            return Err("cells out of order".into());
        }
        let motifs = crate::model::Motif::ALL.len() as u8;
        for j in 0..n {
            let open = self.annee_sortie[j] == u8::MAX;
            let flow = if open {
                self.motif[j] == NONE
            } else {
                self.motif[j] < motifs && self.annee_entree[j] <= self.annee_sortie[j]
            };
            if !flow {
                return Err("a cell that is not a possible flow".into());
            }
            if self.inactivite_n[j] > self.parcours[j] {
                return Err("more parcours of known inactivity than parcours".into());
            }
        }
        let mut totals = vec![0u64; SUMMARY_GROUPINGS.len()];
        for (&g, &n) in self.grouping.iter().zip(&self.parcours) {
            totals[usize::from(g)] += u64::from(n);
        }
        if let Some(t) = totals.iter().find(|&&t| t != parcours) {
            return Err(format!(
                "adds up to {t} parcours, its record has {parcours}"
            ));
        }
        Ok(())
    }
}

/// The code of `column` in row `i` of `c`.
#[inline]
fn code(c: &ParcoursChunk, column: SummaryColumn, i: usize) -> u8 {
    match column {
        SummaryColumn::Sexe => c.sexe[i],
        SummaryColumn::Age => age_class(c.age[i]),
        SummaryColumn::Public => c.public[i],
        SummaryColumn::InscritPe => c.inscrit_pe[i],
        SummaryColumn::Th => c.th[i],
        SummaryColumn::Niveau => c.niveau[i],
        SummaryColumn::Qpv => c.qpv[i],
        SummaryColumn::Inactivite => Inactivite::from_u16(c.inactivite[i]).band(),
    }
}

/// The bounds at which an age dimension changes value (`tranche_age` 15, 25, 45, 55, 65;
/// `age_26`; `age45`). A test in `query::dimension` checks that no age dimension changes value
/// anywhere else; a new bound goes here, with a new [`SUMMARY_LAYOUT`] (summaries written with
/// the old classes would merge ages the new bound separates).
pub(crate) const AGE_BOUNDS: [u8; 6] = [15, 25, 26, 45, 55, 65];

/// The lowest age of the class of `age` between [`AGE_BOUNDS`] (0 below the first): every age of a
/// class has the same value in every age dimension, so a summary keeps one code per class rather
/// than one per age. The code is still an age, so summaries that kept every age stay exact.
pub(crate) fn age_class(age: u8) -> u8 {
    AGE_BOUNDS
        .iter()
        .rev()
        .copied()
        .find(|&bound| age >= bound)
        .unwrap_or(0)
}

/// The codes of one column present in a PLIE, ascending, and each code's rank among them.
struct Present {
    codes: Vec<u8>,
    slot: [usize; 256],
}

impl Present {
    fn of(chunks: &[ParcoursChunk], column: SummaryColumn) -> Present {
        let mut seen = [false; 256];
        for c in chunks {
            for i in 0..c.entree.len() {
                seen[usize::from(code(c, column, i))] = true;
            }
        }
        let codes: Vec<u8> = (0..=u8::MAX).filter(|&v| seen[usize::from(v)]).collect();
        let mut slot = [0; 256];
        for (rank, &v) in codes.iter().enumerate() {
            slot[usize::from(v)] = rank;
        }
        Present { codes, slot }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Day, Inactivite};

    fn day(y: i32, m: u8, d: u8) -> u16 {
        let month = time::Month::try_from(m).unwrap();
        Day::from_date(time::Date::from_calendar_date(y, month, d).unwrap())
            .unwrap()
            .0
    }

    /// (codes, entry year, exit year, motif, parcours, inactivity known, months).
    type Cell = ([u8; 2], u8, u8, u8, u32, u32, u64);

    /// Three parcours: two women entered in 2016 (one left in 2017 for motif 0 with 14 months
    /// of inactivity, one still open, never active), one man entered in 2017 and still open.
    fn sample() -> ParcoursChunk {
        let rows = 3;
        ParcoursChunk {
            entree: vec![day(2016, 3, 1), day(2016, 12, 31), day(2017, 1, 1)],
            sortie: vec![day(2017, 6, 30), u16::MAX, u16::MAX],
            motif: vec![0, NONE, NONE],
            sexe: vec![1, 1, 0],
            age: vec![30, 30, 45],
            public: vec![0, 1, 1],
            inscrit_pe: vec![1, 0, 1],
            th: vec![0; rows],
            niveau: vec![2; rows],
            inactivite: vec![14, Inactivite::JAMAIS, 3],
            qpv: vec![NONE; rows],
            ..ParcoursChunk::default()
        }
    }

    #[test]
    fn cells_add_up_each_grouping() {
        let chunk = sample();
        let s = PlieSummary::of(&[chunk]);
        s.check(3).unwrap();
        let cells_of = |g: u8| -> Vec<Cell> {
            (0..s.grouping.len())
                .filter(|&j| s.grouping[j] == g)
                .map(|j| {
                    (
                        s.code[j],
                        s.annee_entree[j],
                        s.annee_sortie[j],
                        s.motif[j],
                        s.parcours[j],
                        s.inactivite_n[j],
                        s.inactivite_mois[j],
                    )
                })
                .collect()
        };
        // Sexe: men first (code 0); the two women share no flow, so two cells.
        assert_eq!(
            cells_of(0),
            [
                ([0, NONE], 27, u8::MAX, NONE, 1, 1, 3),
                ([1, NONE], 26, 27, 0, 1, 1, 14),
                ([1, NONE], 26, u8::MAX, NONE, 1, 0, 0),
            ]
        );
        // Ages 30 and 45 are kept as their classes' lowest ages, 26 and 45.
        let ages: Vec<u8> = cells_of(1).iter().map(|c| c.0[0]).collect();
        assert_eq!(ages, [26, 26, 45]);
        // Niveau: one code, three flows; JAMAIS counts no months.
        assert_eq!(cells_of(5).iter().map(|c| c.4).sum::<u32>(), 3);
        assert_eq!(cells_of(5).iter().map(|c| c.5).sum::<u32>(), 2);
        // Public × inscrit_pe: (0,1), (1,0), (1,1).
        let pairs: Vec<[u8; 2]> = cells_of(8).iter().map(|c| c.0).collect();
        assert_eq!(pairs, [[0, 1], [1, 0], [1, 1]]);
        // Inactivity bands: 14 months → 1, JAMAIS → 5, 3 months → 0.
        let bands: Vec<u8> = cells_of(7).iter().map(|c| c.0[0]).collect();
        assert_eq!(bands, [0, 1, 5]);
        assert!(s.check(4).is_err(), "a record that disagrees is refused");
    }

    /// A PLIE's chunks add up as one; a summary with a valid checksum but impossible content is
    /// refused, never read.
    #[test]
    fn chunks_add_up_and_impossible_cells_are_refused() {
        let one = PlieSummary::of(&[sample()]);
        let two = PlieSummary::of(&[sample(), sample()]);
        two.check(6).unwrap();
        assert_eq!(two.grouping, one.grouping);
        let doubled: Vec<u32> = one.parcours.iter().map(|n| n * 2).collect();
        assert_eq!(two.parcours, doubled);
        let months: Vec<u64> = one.inactivite_mois.iter().map(|m| m * 2).collect();
        assert_eq!(two.inactivite_mois, months);

        let closed = one.annee_sortie.iter().position(|&x| x != u8::MAX).unwrap();
        let mut no_motif = one.clone();
        no_motif.motif[closed] = NONE;
        assert!(no_motif.check(3).is_err());
        let mut reversed = one.clone();
        reversed.grouping.reverse();
        assert!(reversed.check(3).is_err());
        let mut known = one.clone();
        known.inactivite_n[0] = known.parcours[0] + 1;
        assert!(known.check(3).is_err());
        let mut backwards = one.clone();
        backwards.annee_entree[closed] = backwards.annee_sortie[closed] + 1;
        assert!(backwards.check(3).is_err());
    }
}
