//! The measures of MEASURES.md, the period they are counted over, and the [`Tally`] of base counts
//! from which every measure of a cell derives.

use super::QueryError;
use crate::model::{Motif, FIRST_YEAR};

/// A calendar year or a range of years, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    pub first: i32,
    pub last: i32,
}

impl Period {
    /// The year `year`.
    pub fn year(year: i32) -> Period {
        Period {
            first: year,
            last: year,
        }
    }

    /// The years `first..=last`.
    pub fn years(first: i32, last: i32) -> Result<Period, QueryError> {
        if first > last {
            return Err(QueryError::BadPeriod(format!(
                "{first}..{last} ends before it starts"
            )));
        }
        Ok(Period { first, last })
    }

    /// Reads `Y` or `Y1..Y2`.
    pub fn parse(text: &str) -> Result<Period, QueryError> {
        let year = |s: &str| {
            s.trim()
                .parse::<i32>()
                .ok()
                .filter(|y| (FIRST_YEAR..=9999).contains(y))
                .ok_or_else(|| {
                    QueryError::BadPeriod(format!(
                        "{text:?} is not a year from {FIRST_YEAR} on, or a range Y1..Y2"
                    ))
                })
        };
        match text.split_once("..") {
            Some((a, b)) => Period::years(year(a)?, year(b)?),
            None => Ok(Period::year(year(text)?)),
        }
    }

    /// The period as year codes (years since 1990), clamped to the codes a store can hold.
    pub(crate) fn codes(self) -> (i32, i32) {
        (
            self.first.saturating_sub(FIRST_YEAR),
            self.last.saturating_sub(FIRST_YEAR),
        )
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.first == self.last {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}..{}", self.first, self.last)
        }
    }
}

/// A figure of MEASURES.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Measure {
    Entrees,
    EnParcours,
    Report,
    EnCoursFin,
    Sorties,
    SortiesPositives,
    SortiesEmploi,
    SortiesFormation,
    SortiesAutresPositives,
    SortiesSansSuite,
    Abandons,
    DemenagementsDecesRetraites,
    AutresSansSuite,
    ParcoursDistincts,
    TauxSortiesPositives,
    TauxSortiesPositivesHorsDem,
    TauxSortiesPositivesEntrees,
    TauxAbandons,
}

impl Measure {
    pub const ALL: &'static [Measure] = &[
        Measure::Entrees,
        Measure::EnParcours,
        Measure::Report,
        Measure::EnCoursFin,
        Measure::Sorties,
        Measure::SortiesPositives,
        Measure::SortiesEmploi,
        Measure::SortiesFormation,
        Measure::SortiesAutresPositives,
        Measure::SortiesSansSuite,
        Measure::Abandons,
        Measure::DemenagementsDecesRetraites,
        Measure::AutresSansSuite,
        Measure::ParcoursDistincts,
        Measure::TauxSortiesPositives,
        Measure::TauxSortiesPositivesHorsDem,
        Measure::TauxSortiesPositivesEntrees,
        Measure::TauxAbandons,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Measure::Entrees => "entrees",
            Measure::EnParcours => "en_parcours",
            Measure::Report => "report",
            Measure::EnCoursFin => "en_cours_fin",
            Measure::Sorties => "sorties",
            Measure::SortiesPositives => "sorties_positives",
            Measure::SortiesEmploi => "sorties_emploi",
            Measure::SortiesFormation => "sorties_formation",
            Measure::SortiesAutresPositives => "sorties_autres_positives",
            Measure::SortiesSansSuite => "sorties_sans_suite",
            Measure::Abandons => "abandons",
            Measure::DemenagementsDecesRetraites => "demenagements_deces_retraites",
            Measure::AutresSansSuite => "autres_sans_suite",
            Measure::ParcoursDistincts => "parcours_distincts",
            Measure::TauxSortiesPositives => "taux_sorties_positives",
            Measure::TauxSortiesPositivesHorsDem => "taux_sorties_positives_hors_dem",
            Measure::TauxSortiesPositivesEntrees => "taux_sorties_positives_entrees",
            Measure::TauxAbandons => "taux_abandons",
        }
    }

    pub fn parse(name: &str) -> Result<Measure, QueryError> {
        Self::ALL
            .iter()
            .copied()
            .find(|m| m.code() == name)
            .ok_or_else(|| QueryError::UnknownMeasure {
                name: name.to_owned(),
                valid: Self::ALL
                    .iter()
                    .map(|m| m.code())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// Whether the measure is a rate (a fraction) rather than a count.
    pub fn is_rate(self) -> bool {
        matches!(
            self,
            Measure::TauxSortiesPositives
                | Measure::TauxSortiesPositivesHorsDem
                | Measure::TauxSortiesPositivesEntrees
                | Measure::TauxAbandons
        )
    }
}

/// The value of a measure in a cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Count(u64),
    /// A fraction; `None` when its denominator is zero.
    Rate(Option<f64>),
}

/// The base counts of a cell over a period; every measure derives from them.
///
/// Over a range of years, `entrees`, `report` and `sorties` are sums of yearly figures (so
/// `en_parcours` counts parcours-years); `parcours_distincts` counts each parcours once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Tally {
    pub entrees: u64,
    pub report: u64,
    /// Exits in the period by [`Motif`] (indexed by its code).
    pub sorties: [u64; 6],
    pub parcours_distincts: u64,
    /// Months of inactivity summed over the parcours en_parcours whose inactivity is a number
    /// (each year of a range counts), and how many they are.
    pub inactivite_mois: u64,
    pub inactivite_n: u64,
}

/// `num / den`, `None` when `den` is zero (a rate or share is absent, never 0 or NaN).
pub(crate) fn rate(num: u64, den: u64) -> Option<f64> {
    (den != 0).then(|| num as f64 / den as f64)
}

impl Tally {
    pub fn en_parcours(&self) -> u64 {
        self.entrees + self.report
    }

    pub fn sorties_positives(&self) -> u64 {
        self.sorties[..3].iter().sum()
    }

    pub fn sorties_sans_suite(&self) -> u64 {
        self.sorties[3..].iter().sum()
    }

    pub fn sorties_total(&self) -> u64 {
        self.sorties.iter().sum()
    }

    pub fn sorties_motif(&self, motif: Motif) -> u64 {
        self.sorties[motif as usize]
    }

    /// Mean months of inactivity, `None` when no parcours has a number.
    pub fn inactivite_moyenne(&self) -> Option<f64> {
        rate(self.inactivite_mois, self.inactivite_n)
    }

    /// The value of `measure` in this cell.
    pub fn get(&self, measure: Measure) -> Value {
        use Measure as M;
        let count = Value::Count;
        match measure {
            M::Entrees => count(self.entrees),
            M::EnParcours => count(self.en_parcours()),
            M::Report => count(self.report),
            M::EnCoursFin => count(self.en_parcours() - self.sorties_total()),
            M::Sorties => count(self.sorties_total()),
            M::SortiesPositives => count(self.sorties_positives()),
            M::SortiesEmploi => count(self.sorties_motif(Motif::Emploi)),
            M::SortiesFormation => count(self.sorties_motif(Motif::Formation)),
            M::SortiesAutresPositives => count(self.sorties_motif(Motif::AutrePositive)),
            M::SortiesSansSuite => count(self.sorties_sans_suite()),
            M::Abandons => count(self.sorties_motif(Motif::Abandon)),
            M::DemenagementsDecesRetraites => {
                count(self.sorties_motif(Motif::DemenagementDecesRetraite))
            }
            M::AutresSansSuite => count(self.sorties_motif(Motif::AutreSansSuite)),
            M::ParcoursDistincts => count(self.parcours_distincts),
            M::TauxSortiesPositives => {
                Value::Rate(rate(self.sorties_positives(), self.sorties_total()))
            }
            M::TauxSortiesPositivesHorsDem => Value::Rate(rate(
                self.sorties_positives(),
                self.sorties_total() - self.sorties_motif(Motif::DemenagementDecesRetraite),
            )),
            M::TauxSortiesPositivesEntrees => {
                Value::Rate(rate(self.sorties_positives(), self.entrees))
            }
            M::TauxAbandons => Value::Rate(rate(
                self.sorties_motif(Motif::Abandon),
                self.sorties_total(),
            )),
        }
    }

    /// Adds `other` into `self`.
    pub fn merge(&mut self, other: &Tally) {
        self.entrees += other.entrees;
        self.report += other.report;
        for (a, b) in self.sorties.iter_mut().zip(other.sorties) {
            *a += b;
        }
        self.parcours_distincts += other.parcours_distincts;
        self.inactivite_mois += other.inactivite_mois;
        self.inactivite_n += other.inactivite_n;
    }

    /// The counts a bitmap can give (everything but inactivity), for comparing query paths.
    pub fn counts_only(mut self) -> Tally {
        self.inactivite_mois = 0;
        self.inactivite_n = 0;
        self
    }
}

/// What one parcours adds to a cell over a period given as year codes `(first, last)`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Contribution {
    pub entree: bool,
    /// Years of the period the parcours is carried into (report).
    pub report_years: u32,
    pub sortie: Option<u8>,
}

impl Contribution {
    /// `None` when the parcours is not in parcours at any time of the period.
    #[inline]
    pub fn of(
        annee_entree: u8,
        annee_sortie: u8,
        motif: u8,
        (first, last): (i32, i32),
    ) -> Option<Contribution> {
        let e = i32::from(annee_entree);
        // An open parcours has exit code 255, beyond every period a query can name.
        let x = if annee_sortie == crate::index::OPEN {
            i32::MAX
        } else {
            i32::from(annee_sortie)
        };
        if e > last || x < first {
            return None;
        }
        let from = first.max(e + 1);
        let to = last.min(x);
        Some(Contribution {
            entree: e >= first,
            report_years: (to - from + 1).max(0) as u32,
            sortie: (x <= last).then_some(motif),
        })
    }

    /// Adds `parcours` parcours of the same flow, `known` of which have a number of months of
    /// inactivity summing to `months` (a summary cell).
    #[inline]
    pub fn add_cell(&self, tally: &mut Tally, parcours: u32, known: u32, months: u64) {
        let n = u64::from(parcours);
        tally.parcours_distincts += n;
        tally.entrees += n * u64::from(self.entree);
        tally.report += n * u64::from(self.report_years);
        if let Some(m) = self.sortie {
            tally.sorties[m as usize] += n;
        }
        let years = u64::from(self.entree) + u64::from(self.report_years);
        tally.inactivite_mois += months * years;
        tally.inactivite_n += u64::from(known) * years;
    }

    #[inline]
    pub fn add_to(&self, tally: &mut Tally, inactivite: u16) {
        tally.parcours_distincts += 1;
        tally.entrees += u64::from(self.entree);
        tally.report += u64::from(self.report_years);
        if let Some(m) = self.sortie {
            tally.sorties[m as usize] += 1;
        }
        if inactivite <= crate::model::Inactivite::MAX_MOIS {
            let years = u64::from(self.entree) + u64::from(self.report_years);
            tally.inactivite_mois += u64::from(inactivite) * years;
            tally.inactivite_n += years;
        }
    }
}
