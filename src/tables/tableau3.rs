//! Tableau 3: the parcours that end in the period and how long they lasted.
//!
//! For every parcours whose exit `x` falls in the period (a year, or every year of a range) and
//! that passes the filter, three blocks — all exits, positive exits (EMPLOI, FORMATION,
//! AUTRE_POSITIVE), exits without follow-up (the three other reasons) — each with the total line
//! and the lines DELD, RSA, autres publics, `< 26` / `>= 26` and the five age bands at entry. Each
//! line gives the number of parcours and their mean duration in months, `(x - e)` in days divided
//! by 30.4375 (the mean month of the Gregorian calendar), for all, men and women.
//!
//! The counts are those of Tableau 1 on the same period and filter (`sorties`,
//! `sorties_positives`, `sorties_sans_suite` per category): the exits are classified with the same
//! axes as Tableau 1's and counted once each. Durations are summed in whole days and divided only
//! when read, so a range's mean is exactly the count-weighted mean of its years' means.
//!
//! Decisions where MEASURES.md is silent:
//! - A mean over no parcours is absent (`-`, empty in csv, `null` in json); the published table
//!   prints 0 for the men aged 65 and over, which would read as parcours of no length.
//! - A parcours that exits the day it enters lasts 0 days and counts in the mean.
//! - The block heads are the total lines themselves (level 0), as the report prints them; no
//!   separate heading line.
//! - The PLIE counted are those with a parcours active in the period after filters (MEASURES.md's
//!   rule for tables built from parcours), not only those with an exit.

use super::{Cell, Column, Row, Table};
use crate::index::{Chunk, Corpus, OPEN};
use crate::model::{Motif, Sexe};
use crate::query::{Axis, Dimension, Filter, Period, RowFilter};
use crate::store::{Columns, ParcoursColumn};

/// The mean length of a month in days (365.2425 / 12), as the report divides durations.
pub const JOURS_PAR_MOIS: f64 = 30.4375;

/// The three blocks of Tableau 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sorties {
    /// Every exit of the period.
    Toutes,
    /// Exits to employment, training or another positive outcome.
    Positives,
    /// Abandons, moves, deaths, retirements and other exits without follow-up.
    SansSuite,
}

impl Sorties {
    pub const ALL: [Sorties; 3] = [Sorties::Toutes, Sorties::Positives, Sorties::SansSuite];

    /// The csv group code (data/reference/plie2017_tableau3.csv).
    pub fn code(self) -> &'static str {
        match self {
            Sorties::Toutes => "toutes",
            Sorties::Positives => "positives",
            Sorties::SansSuite => "sans_suite",
        }
    }

    /// The label of the block's total line in the report.
    pub fn label(self) -> &'static str {
        match self {
            Sorties::Toutes => "Toutes sorties (Total)",
            Sorties::Positives => "Sorties positives",
            Sorties::SansSuite => "Sorties sans suite",
        }
    }

    /// Whether an exit for `motif` belongs to the block.
    pub fn contains(self, motif: Motif) -> bool {
        match self {
            Sorties::Toutes => true,
            Sorties::Positives => motif.is_positive(),
            Sorties::SansSuite => !motif.is_positive(),
        }
    }
}

/// The lines of each block: (csv code, label), the total first. The codes are those of
/// data/reference and of CLI.md's `public`, `age_26` and `tranche_age` values.
pub const CATEGORIES: [(&str, &str); 11] = [
    ("total", "Total"),
    ("DELD", "DELD"),
    ("RSA", "Allocataires du RSA"),
    ("AUTRE", "Autres"),
    ("<26", "< 26 ans"),
    (">=26", "≥ 26 ans"),
    ("15-24", "15-24 ans"),
    ("25-44", "25-44 ans"),
    ("45-54", "45-54 ans"),
    ("55-64", "55-64 ans"),
    ("65+", "65 ans et +"),
];

/// Where the lines of each dimension start in [`CATEGORIES`].
const PUBLIC_AT: usize = 1;
const AGE26_AT: usize = 4;
const TRANCHE_AT: usize = 6;

/// Exits counted and their lengths summed, for one sex (or both).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Durees {
    /// Parcours that exit in the period.
    pub parcours: u64,
    /// Their lengths `x - e` in days, summed.
    pub jours: u64,
}

impl Durees {
    /// Mean length in months (days / 30.4375); `None` without parcours.
    pub fn duree_moyenne_mois(&self) -> Option<f64> {
        (self.parcours != 0).then(|| self.jours as f64 / self.parcours as f64 / JOURS_PAR_MOIS)
    }

    fn add(&mut self, other: Durees) {
        self.parcours += other.parcours;
        self.jours += other.jours;
    }
}

/// One line of Tableau 3.
#[derive(Debug, Clone, PartialEq)]
pub struct Tableau3Ligne {
    pub sorties: Sorties,
    /// The code of [`CATEGORIES`]: `total`, `DELD`, ..., `65+`.
    pub categorie: &'static str,
    pub label: &'static str,
    pub hommes: Durees,
    pub femmes: Durees,
}

impl Tableau3Ligne {
    /// Men and women together.
    pub fn total(&self) -> Durees {
        let mut t = self.hommes;
        t.add(self.femmes);
        t
    }
}

/// Tableau 3 for a year or a range of years.
#[derive(Debug, Clone, PartialEq)]
pub struct Tableau3 {
    pub period: Period,
    pub filter: Filter,
    /// PLIE with at least one parcours active in the period after filters.
    pub plies: usize,
    /// The three blocks one after the other, each with its 11 lines of [`CATEGORIES`].
    pub lignes: Vec<Tableau3Ligne>,
}

impl Tableau3 {
    /// The line of block `sorties` and category code `categorie`.
    pub fn ligne(&self, sorties: Sorties, categorie: &str) -> Option<&Tableau3Ligne> {
        self.lignes
            .iter()
            .find(|l| l.sorties == sorties && l.categorie == categorie)
    }

    /// The total line of a block.
    pub fn total(&self, sorties: Sorties) -> &Tableau3Ligne {
        self.ligne(sorties, "total")
            .expect("every block has a total")
    }

    /// The table as printed: groups `toutes`, `positives`, `sans_suite`, columns as
    /// data/reference/plie2017_tableau3.csv.
    pub fn to_table(&self) -> Table {
        let columns = vec![
            Column::new("parcours", "Parcours : total"),
            Column::new("parcours_hommes", "Parcours : hommes"),
            Column::new("parcours_femmes", "Parcours : femmes"),
            Column::new("duree_mois", "Durée moyenne (mois) : total"),
            Column::new("duree_mois_hommes", "Durée moyenne (mois) : hommes"),
            Column::new("duree_mois_femmes", "Durée moyenne (mois) : femmes"),
        ];
        let mut table = Table::new(
            "3",
            "Tableau 3 — durée des parcours",
            self.period,
            &self.filter,
            columns,
        );
        table.plies = self.plies;
        for l in &self.lignes {
            let d = [l.total(), l.hommes, l.femmes];
            let mut cells: Vec<Cell> = d.iter().map(|d| Cell::Count(d.parcours)).collect();
            cells.extend(d.iter().map(|d| Cell::Decimal(d.duree_moyenne_mois(), 2)));
            let (label, level) = if l.categorie == "total" {
                (l.sorties.label(), 0)
            } else {
                (l.label, 1)
            };
            table
                .rows
                .push(Row::new(l.sorties.code(), l.categorie, label, level, cells));
        }
        table
    }
}

/// Per block, per category, per sex (index = `Sexe` code).
type Counts = [[[Durees; 2]; CATEGORIES.len()]; 3];

struct Scan {
    counts: Counts,
    plies: Vec<bool>,
}

impl Corpus {
    /// Tableau 3 over `period`, restricted by `filter`.
    pub fn tableau3(&self, period: Period, filter: &Filter) -> Result<Tableau3, crate::Error> {
        let rf = RowFilter::resolve(filter, self)?;
        let axes = [
            (PUBLIC_AT, Axis::of(Dimension::Public, self)?),
            (AGE26_AT, Axis::of(Dimension::Age26, self)?),
            (TRANCHE_AT, Axis::of(Dimension::TrancheAge, self)?),
        ];
        let codes = period.codes();
        let empty = || Scan {
            counts: [[[Durees::default(); 2]; CATEGORIES.len()]; 3],
            plies: vec![false; self.plies.len()],
        };
        let columns = Columns::of(&[
            ParcoursColumn::Entree,
            ParcoursColumn::Sortie,
            ParcoursColumn::Motif,
            ParcoursColumn::Sexe,
            ParcoursColumn::Public,
            ParcoursColumn::Age,
        ])
        .union(rf.columns());
        let scan = self.fold_chunks(
            columns,
            |c| rf.may_pass(c) && c.may_be_active(codes),
            empty,
            |mut s, chunk| {
                count_chunk(chunk, &rf, &axes, codes, &mut s);
                s
            },
            |mut a, b| {
                for (ba, bb) in a.counts.iter_mut().zip(&b.counts) {
                    for (ca, cb) in ba.iter_mut().zip(bb) {
                        for (x, y) in ca.iter_mut().zip(cb) {
                            x.add(*y);
                        }
                    }
                }
                a.plies.iter_mut().zip(&b.plies).for_each(|(x, y)| *x |= y);
                a
            },
        )?;
        let mut lignes = Vec::with_capacity(3 * CATEGORIES.len());
        for (b, sorties) in Sorties::ALL.into_iter().enumerate() {
            for (c, (code, label)) in CATEGORIES.into_iter().enumerate() {
                let [hommes, femmes] = scan.counts[b][c];
                lignes.push(Tableau3Ligne {
                    sorties,
                    categorie: code,
                    label,
                    hommes,
                    femmes,
                });
            }
        }
        Ok(Tableau3 {
            period,
            filter: filter.clone(),
            plies: scan.plies.iter().filter(|&&p| p).count(),
            lignes,
        })
    }
}

fn count_chunk(
    chunk: &Chunk,
    rf: &RowFilter,
    axes: &[(usize, Axis); 3],
    (first, last): (i32, i32),
    s: &mut Scan,
) {
    let raw = &chunk.raw;
    for i in 0..chunk.len() {
        let e = i32::from(chunk.annee_entree()[i]);
        let x = chunk.annee_sortie()[i];
        let active = e <= last && (x == OPEN || i32::from(x) >= first);
        if !active || !rf.row(chunk, i) {
            continue;
        }
        s.plies[chunk.plie as usize] = true;
        if x == OPEN || i32::from(x) > last {
            continue;
        }
        let Some(motif) = Motif::from_u8(raw.motif[i]) else {
            continue;
        };
        let sexe = usize::from(raw.sexe[i] == Sexe::F as u8);
        let d = Durees {
            parcours: 1,
            jours: u64::from(raw.sortie[i].saturating_sub(raw.entree[i])),
        };
        let mut categories = [Some(0), None, None, None];
        for (slot, (at, axis)) in categories[1..].iter_mut().zip(axes) {
            *slot = axis.value_of(chunk, i).map(|v| at + v);
        }
        for (b, sorties) in Sorties::ALL.into_iter().enumerate() {
            if sorties.contains(motif) {
                for c in categories.into_iter().flatten() {
                    s.counts[b][c][sexe].add(d);
                }
            }
        }
    }
}
