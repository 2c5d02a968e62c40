//! The commitments of companies (PAQTE.md): the code lists (sizes, axes, indicators, devices,
//! themes, natures), the semesters and quarters, and the records of a validated commitments
//! transfer, as the store keeps them.

use time::{Date, Month};

use crate::model::{codes, Day};

/// The records are stored as they are (rkyv), so the code lists derive its traits.
macro_rules! stored_codes {
    ($(#[$meta:meta])* $name:ident { $($body:tt)* }) => {
        codes!(
            $(#[$meta])*
            #[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
            $name { $($body)* }
        );
    };
}

stored_codes!(
    /// Size of a company, by headcount.
    Taille {
        Tpe = "TPE" / "TPE (moins de 10 salariés)",
        Pme = "PME" / "PME (moins de 250 salariés)",
        Eti = "ETI" / "ETI (moins de 5 000 salariés)",
        Ge = "GE" / "Grandes entreprises",
    }
);

stored_codes!(
    /// The four axes of the pact.
    Axe {
        Sensibiliser = "SENSIBILISER" / "Sensibiliser",
        Former = "FORMER" / "Former",
        Recruter = "RECRUTER" / "Recruter",
        Acheter = "ACHETER" / "Acheter",
    }
);

stored_codes!(
    /// The kind of convention.
    Dispositif {
        Paqte = "PAQTE" / "PAQTE",
        CharteEq = "CHARTE_EQ" / "Charte entreprises et quartiers",
    }
);

stored_codes!(
    /// The key indicators, axis by axis (PAQTE.md's order).
    Indicateur {
        Stages3eRep = "STAGES_3E_REP" / "Stages de 3e offerts aux élèves de REP/REP+",
        InterventionsClasses = "INTERVENTIONS_CLASSES" / "Interventions en classe",
        MecenatAssociationsQpv = "MECENAT_ASSOCIATIONS_QPV" / "Soutien aux associations des QPV (euros)",
        DiagnosticApprentissage = "DIAGNOSTIC_APPRENTISSAGE" / "Diagnostic des besoins d'apprentissage (0/1)",
        AlternantsQpv = "ALTERNANTS_QPV" / "Alternants recrutés en QPV",
        MaitresApprentissageFormes = "MAITRES_APPRENTISSAGE_FORMES" / "Maîtres d'apprentissage formés",
        ForumsJobDatings = "FORUMS_JOB_DATINGS" / "Forums et job-datings",
        TestingsPratiques = "TESTINGS_PRATIQUES" / "Pratiques de recrutement testées",
        SalariesFormesNonDiscrimination = "SALARIES_FORMES_NON_DISCRIMINATION" / "Salariés formés à la non-discrimination",
        RecrutementsQpv = "RECRUTEMENTS_QPV" / "Recrutements de résidents des QPV",
        EmploisFrancs = "EMPLOIS_FRANCS" / "dont emplois francs",
        AcheteursSensibilises = "ACHETEURS_SENSIBILISES" / "Acheteurs sensibilisés",
        AchatsQpvSiaeEuros = "ACHATS_QPV_SIAE_EUROS" / "Achats aux TPE/PME des QPV et aux SIAE (euros)",
        EvenementsAchats = "EVENEMENTS_ACHATS" / "Événements achats responsables",
    }
);

impl Indicateur {
    /// The axis the indicator belongs to.
    pub fn axe(self) -> Axe {
        match self as u8 {
            0..=2 => Axe::Sensibiliser,
            3..=6 => Axe::Former,
            7..=10 => Axe::Recruter,
            _ => Axe::Acheter,
        }
    }
}

stored_codes!(
    /// The kind of figure of a plan 10 000 action.
    Nature {
        Objectif = "OBJECTIF" / "Objectif",
        Intention = "INTENTION" / "Intention",
        Resultat = "RESULTAT" / "Résultat",
    }
);

/// The fourteen themes of the plan 10 000, in the circular's order (`thematique` 1 to 14).
pub const THEMATIQUES: [&str; 14] = [
    "Stages de 3e pour les jeunes des QPV",
    "Orientation et découverte de l'entreprise",
    "Apprentissage et alternance",
    "Parrainage",
    "Jeunes des dispositifs d'insertion (E2C, EPIDE, Garantie jeunes)",
    "Partenariats avec les réseaux de l'inclusion et l'IAE",
    "Travailleurs handicapés (transversal)",
    "Emplois francs",
    "Réfugiés",
    "Personnes placées sous main de justice",
    "Démarches innovantes d'inclusion",
    "Achats inclusifs (clauses sociales, achats responsables, sous-traitance)",
    "Mises en situation professionnelle et recrutements de personnes en insertion",
    "Accès solidaire aux biens et services",
];

/// A set of axes, one bit per [`Axe`].
pub type Axes = u8;

/// The bit of `axe` in an [`Axes`] set.
pub fn bit(axe: Axe) -> Axes {
    1 << axe as u8
}

/// A half-year, `2019S1` or `2019S2`, or a quarter, `2019T1`..`2019T4`: `n` of `per_year`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    rkyv::Archive,
    rkyv::Serialize,
    rkyv::Deserialize,
)]
pub struct Periode {
    pub annee: i32,
    /// 1-based number within the year.
    pub n: u8,
    /// 2 for semesters, 4 for quarters.
    pub per_year: u8,
}

impl Periode {
    pub fn semestre(annee: i32, n: u8) -> Periode {
        Periode {
            annee,
            n,
            per_year: 2,
        }
    }

    pub fn trimestre(annee: i32, n: u8) -> Periode {
        Periode {
            annee,
            n,
            per_year: 4,
        }
    }

    fn letter(self) -> char {
        if self.per_year == 2 {
            'S'
        } else {
            'T'
        }
    }

    /// Reads `2019S2` (when `per_year` is 2) or `2019T4` (when 4), any case.
    pub fn parse(s: &str, per_year: u8) -> Option<Periode> {
        let b = s.as_bytes();
        let letter = if per_year == 2 { b'S' } else { b'T' };
        if b.len() != 6 || b[4].to_ascii_uppercase() != letter {
            return None;
        }
        let annee: i32 = s[..4]
            .parse()
            .ok()
            .filter(|_| b[..4].iter().all(u8::is_ascii_digit))?;
        let n = b[5]
            .checked_sub(b'0')
            .filter(|n| (1..=per_year).contains(n))?;
        Some(Periode { annee, n, per_year })
    }

    /// The first day.
    pub fn debut(self) -> Date {
        let month = 1 + (self.n - 1) * (12 / self.per_year);
        Date::from_calendar_date(self.annee, Month::try_from(month).expect("a month"), 1)
            .expect("a date")
    }

    /// The last day.
    pub fn fin(self) -> Date {
        self.next().debut().previous_day().expect("a date")
    }

    pub fn next(self) -> Periode {
        if self.n == self.per_year {
            Periode {
                annee: self.annee + 1,
                n: 1,
                ..self
            }
        } else {
            Periode {
                n: self.n + 1,
                ..self
            }
        }
    }

    pub fn previous(self) -> Periode {
        if self.n == 1 {
            Periode {
                annee: self.annee - 1,
                n: self.per_year,
                ..self
            }
        } else {
            Periode {
                n: self.n - 1,
                ..self
            }
        }
    }

    /// Whether the days `debut..=fin` meet this period.
    pub fn overlaps(self, debut: Date, fin: Date) -> bool {
        debut <= self.fin() && fin >= self.debut()
    }
}

impl std::fmt::Display for Periode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}{}", self.annee, self.letter(), self.n)
    }
}

/// A company (entreprises.csv).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize,
)]
pub struct Entreprise {
    /// SIREN, 9 digits.
    pub siren: String,
    pub nom: String,
    pub taille: Taille,
    /// NAF section, 0 (`A`) to 20 (`U`).
    pub secteur: u8,
    /// Department of the head office.
    pub departement: String,
}

/// A convention (conventions.csv).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize,
)]
pub struct Convention {
    pub convention: String,
    pub entreprise: String,
    /// The signing prefecture's department; `None` for a national convention.
    pub departement: Option<String>,
    pub dispositif: Dispositif,
    pub debut: Day,
    pub fin: Day,
    pub axes: Axes,
}

impl Convention {
    /// Whether the convention is in force during `periode` (its days overlap).
    pub fn active(&self, periode: Periode) -> bool {
        periode.overlaps(self.debut.date(), self.fin.date())
    }
}

/// A yearly objective (engagements.csv), in hundredths.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize,
)]
pub struct Engagement {
    pub convention: String,
    pub indicateur: Indicateur,
    pub annee: i32,
    pub objectif: i64,
}

/// What a convention achieved in a semester (realisations.csv), in hundredths.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize,
)]
pub struct Realisation {
    pub convention: String,
    pub indicateur: Indicateur,
    pub periode: Periode,
    pub valeur: i64,
}

/// A department's context for a semester (contexte.csv).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize,
)]
pub struct Contexte {
    pub departement: String,
    pub periode: Periode,
    pub qpv: u64,
    pub pru_nationaux: u64,
    pub population_qpv: u64,
    pub defm_qpv: u64,
    pub referent: Option<String>,
}

/// A departmental club of the plan 10 000 (clubs.csv).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize,
)]
pub struct Club {
    pub club: String,
    pub departement: String,
    pub date_convention: Day,
}

/// A company joining a club (adhesions.csv).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize,
)]
pub struct Adhesion {
    pub club: String,
    pub entreprise: String,
    pub date: Day,
}

/// A line of a company's "fiche navette" for a quarter (actions.csv), in hundredths.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize,
)]
pub struct Action {
    pub club: String,
    pub entreprise: String,
    /// 1 to 14, see [`THEMATIQUES`].
    pub thematique: u8,
    pub nature: Nature,
    pub periode: Periode,
    pub valeur: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_read_print_and_bound() {
        let s = Periode::parse("2019s2", 2).unwrap();
        assert_eq!(s.to_string(), "2019S2");
        assert_eq!(s.debut(), time::macros::date!(2019 - 07 - 01));
        assert_eq!(s.fin(), time::macros::date!(2019 - 12 - 31));
        assert_eq!(s.next().to_string(), "2020S1");
        let t = Periode::parse("2019T4", 4).unwrap();
        assert_eq!(t.debut(), time::macros::date!(2019 - 10 - 01));
        assert_eq!(t.previous().to_string(), "2019T3");
        assert_eq!(Periode::parse("2019T4", 2), None);
        assert_eq!(Periode::parse("2019S3", 2), None);
        assert_eq!(Periode::parse("19S1", 2), None);
        assert_eq!(Periode::parse("+019S1", 2), None);
    }

    #[test]
    fn every_indicator_has_its_axis() {
        let per_axis: Vec<usize> = Axe::ALL
            .iter()
            .map(|&a| Indicateur::ALL.iter().filter(|i| i.axe() == a).count())
            .collect();
        assert_eq!(per_axis, [3, 4, 4, 3]);
        assert_eq!(Indicateur::EmploisFrancs.axe(), Axe::Recruter);
    }
}
