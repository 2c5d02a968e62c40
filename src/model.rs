//! The domain: the codes of FORMAT.md, the day numbers the store keeps, and the parcours and étape
//! records as they come out of a validated transfer.
//!
//! Every coded value is a small enum whose discriminant is the `u8` stored in the column chunks, in
//! the order FORMAT.md and CLI.md list them: that order is part of the on-disk format, so a new code
//! goes at the end.

use time::{Date, Month};

/// Declares a code list: a `u8`-backed enum, its transfer codes (matched case-insensitively) and the
/// label the published report prints.
macro_rules! codes {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal / $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in the order of the spec (and of the stored discriminants).
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code as written in a transfer and in machine-readable output.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The label of the published report.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Reads a code, ignoring case (`rsa` is `RSA`); the value must already be trimmed.
            pub fn parse(value: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.code().eq_ignore_ascii_case(value))
            }

            /// The value stored under `code` in a column chunk.
            pub fn from_u8(code: u8) -> Option<$name> {
                Self::ALL.get(code as usize).copied()
            }

            /// The list of codes, for error messages.
            pub fn codes() -> String {
                Self::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join(", ")
            }
        }
    };
}
// The commitments' code lists (src/paqte/model.rs) are declared the same way.
pub(crate) use codes;

codes!(
    /// Sex of the participant.
    Sexe { H = "H" / "hommes", F = "F" / "femmes" }
);

codes!(
    /// The public the participant belongs to at entry.
    Public {
        Deld = "DELD" / "DELD",
        Rsa = "RSA" / "RSA",
        Autre = "AUTRE" / "Autres publics en difficulté",
    }
);

codes!(
    /// Education level (niveau de formation); `N9` is the report's level "9", `Nc` unknown.
    Niveau {
        Vi = "VI" / "VI",
        Vbis = "VBIS" / "V bis",
        V = "V" / "V",
        Iv = "IV" / "IV",
        Iii = "III" / "III",
        Ii = "II" / "II",
        I = "I" / "I",
        N9 = "9" / "9",
        Nc = "NC" / "Non connu",
    }
);

codes!(
    /// Why a parcours ended.
    Motif {
        Emploi = "EMPLOI" / "emploi",
        Formation = "FORMATION" / "formation",
        AutrePositive = "AUTRE_POSITIVE" / "autre sortie positive",
        Abandon = "ABANDON" / "abandon",
        DemenagementDecesRetraite = "DEMENAGEMENT_DECES_RETRAITE" / "déménagement, décès, retraite",
        AutreSansSuite = "AUTRE_SANS_SUITE" / "autre sortie sans suite",
    }
);

impl Motif {
    /// Employment, training and other positive exits.
    pub fn is_positive(self) -> bool {
        matches!(
            self,
            Motif::Emploi | Motif::Formation | Motif::AutrePositive
        )
    }
}

codes!(
    /// Kind of step (étape) in a parcours, Tableau 2's list.
    EtapeType {
        Mobilisation = "MOBILISATION" / "Mobilisation",
        IaeAci = "IAE_ACI" / "ACI",
        IaeEi = "IAE_EI" / "EI",
        IaeEtti = "IAE_ETTI" / "ETTI",
        IaeAi = "IAE_AI" / "AI",
        IaeRq = "IAE_RQ" / "Régie de quartier",
        AideCuiCae = "AIDE_CUI_CAE" / "CUI-CAE",
        AideGeiq = "AIDE_GEIQ" / "GEIQ",
        AideEmploiAvenir = "AIDE_EMPLOI_AVENIR" / "Emploi d'avenir",
        CddCourt = "CDD_COURT" / "CDD court",
        Interim = "INTERIM" / "Intérim",
        CdiTempsPartiel = "CDI_TEMPS_PARTIEL" / "CDI temps partiel",
        AutreContrat = "AUTRE_CONTRAT" / "Autres contrats",
        EmploiSortie = "EMPLOI_SORTIE" / "Emploi de sortie",
        FormationQualifiante = "FORMATION_QUALIFIANTE" / "Formation qualifiante",
        FormationNonQualifiante = "FORMATION_NON_QUALIFIANTE" / "Formation non qualifiante",
        Mediation = "MEDIATION" / "Médiation",
        CreationEntreprise = "CREATION_ENTREPRISE" / "Création d'entreprise",
    }
);

codes!(
    /// Employer of an exit to employment.
    Employeur {
        Entreprise = "ENTREPRISE" / "Entreprise",
        Association = "ASSOCIATION" / "Association",
        Public = "PUBLIC" / "Secteur public",
        Particulier = "PARTICULIER" / "Particulier employeur",
    }
);

codes!(
    /// Establishment size of an exit to employment.
    Taille {
        T0 = "0" / "0 salarié",
        T1 = "1-9" / "1 à 9",
        T10 = "10-49" / "10 à 49",
        T50 = "50-199" / "50 à 199",
        T200 = "200-999" / "200 à 999",
        T1000 = "1000+" / "1000 et plus",
    }
);

codes!(
    /// Contract of an exit to employment.
    Contrat {
        Cdi = "CDI" / "CDI",
        Cdd6 = "CDD6" / "CDD de 6 mois et plus",
        Creation = "CREATION" / "Création d'entreprise",
        Interim = "INTERIM" / "Intérim",
    }
);

codes!(
    /// Employment measure attached to an exit to employment.
    Mesure {
        CuiCie = "CUI_CIE" / "CUI-CIE",
        CuiCae = "CUI_CAE" / "CUI-CAE",
        Pro = "PRO" / "Contrat de professionnalisation",
        Apprentissage = "APPRENTISSAGE" / "Contrat d'apprentissage",
        Autre = "AUTRE" / "Autre mesure",
        Aucune = "AUCUNE" / "Sans mesure",
    }
);

codes!(
    /// Training domain of an exit to training (Tableau 9's 19 domains).
    Domaine {
        Agriculture = "AGRICULTURE" / "Agriculture",
        Btp = "BTP" / "BTP",
        ServicesEntreprises = "SERVICES_ENTREPRISES" / "Services aux entreprises",
        ServicesPersonne = "SERVICES_PERSONNE" / "Services à la personne",
        Education = "EDUCATION" / "Éducation, animation",
        Bouche = "BOUCHE" / "Métiers de bouche",
        Arts = "ARTS" / "Arts",
        Commerce = "COMMERCE" / "Commerce",
        Tourisme = "TOURISME" / "Tourisme, hôtellerie, restauration",
        Informatique = "INFORMATIQUE" / "Informatique",
        Production = "PRODUCTION" / "Production",
        Secretariat = "SECRETARIAT" / "Secrétariat",
        Textile = "TEXTILE" / "Textile",
        Electricite = "ELECTRICITE" / "Électricité",
        Transport = "TRANSPORT" / "Transport, logistique",
        Mecanique = "MECANIQUE" / "Mécanique",
        Esthetique = "ESTHETIQUE" / "Esthétique",
        Banque = "BANQUE" / "Banque, assurance",
        Generale = "GENERALE" / "Formation générale",
    }
);

codes!(
    /// Who validates a training.
    Validation {
        EducationNationale = "EDUCATION_NATIONALE" / "Éducation nationale",
        JeunesseSports = "JEUNESSE_SPORTS" / "Jeunesse et sports",
        AffairesSociales = "AFFAIRES_SOCIALES" / "Affaires sociales",
        Agriculture = "AGRICULTURE" / "Agriculture",
        Cqp = "CQP" / "CQP",
        Cmp = "CMP" / "CMP",
        TitreEmploi = "TITRE_EMPLOI" / "Titre du ministère de l'emploi",
        Autre = "AUTRE" / "Autre",
    }
);

codes!(
    /// How a PLIE manages its ESF funds.
    GestionFse {
        OiPivot = "OI_PIVOT" / "OI pivot",
        OiMetropole = "OI_METROPOLE" / "OI métropole",
        OiSimple = "OI_SIMPLE" / "OI simple",
        ConventionDepartement = "CONVENTION_DEPARTEMENT" / "Convention avec le département",
        ConventionEtat = "CONVENTION_ETAT" / "Convention avec l'État",
        SansFse = "SANS_FSE" / "Sans FSE",
    }
);

codes!(
    /// Who brings funds to a PLIE (Tableaux 6 and 6BIS).
    Financeur {
        Collectivites = "COLLECTIVITES" / "Communes et EPCI",
        Departement = "DEPARTEMENT" / "Département",
        Region = "REGION" / "Région",
        Etat = "ETAT" / "État",
        AutresPublics = "AUTRES_PUBLICS" / "Autres publics",
        AutresPrives = "AUTRES_PRIVES" / "Autres privés",
        Fse = "FSE" / "FSE",
    }
);

codes!(
    /// The structure funds are allocated to (Tableau 7).
    Structure {
        Aci = "ACI" / "ACI",
        Ei = "EI" / "EI",
        Etti = "ETTI" / "ETTI",
        Ai = "AI" / "AI",
        Rq = "RQ" / "Régie de quartier",
        Geiq = "GEIQ" / "GEIQ",
        PoleEmploi = "POLE_EMPLOI" / "Pôle emploi",
        MissionLocale = "MISSION_LOCALE" / "Mission locale",
        OrganismeFormation = "ORGANISME_FORMATION" / "Organisme de formation",
        Mde = "MDE" / "Maison de l'emploi",
        Cbe = "CBE" / "CBE",
        ClubFondation = "CLUB_FONDATION" / "Club, fondation",
        OperationInterne = "OPERATION_INTERNE" / "Opération interne",
        AssociationInsertion = "ASSOCIATION_INSERTION" / "Association d'insertion",
        CcasCias = "CCAS_CIAS" / "CCAS, CIAS",
        Collectivite = "COLLECTIVITE" / "Collectivité",
        Autre = "AUTRE" / "Autre",
    }
);

/// The first day the store can hold: FORMAT.md refuses earlier dates.
pub const FIRST_YEAR: i32 = 1990;

/// A calendar day as the number of days since 1990-01-01 (day 0). Two bytes reach the year 2169,
/// which is why the columns keep days this way.
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
pub struct Day(pub u16);

impl Day {
    fn epoch() -> i32 {
        Date::from_calendar_date(FIRST_YEAR, Month::January, 1)
            .expect("1990-01-01 is a date")
            .to_julian_day()
    }

    /// The day number of `date`, or `None` before 1990-01-01 or after 2169.
    pub fn from_date(date: Date) -> Option<Day> {
        u16::try_from(date.to_julian_day() - Self::epoch())
            .ok()
            .filter(|&d| d != u16::MAX)
            .map(Day)
    }

    /// The calendar date of this day.
    pub fn date(self) -> Date {
        Date::from_julian_day(Self::epoch() + i32::from(self.0)).expect("a stored day is a date")
    }

    /// The calendar year of this day.
    pub fn year(self) -> i32 {
        self.date().year()
    }
}

/// The year of day number `day` as a year code: years since 1990 in a byte (at most 254, so that
/// 255 can mark a parcours still open).
pub(crate) fn year_code(day: u16) -> u8 {
    year_codes()[day as usize]
}

/// The year code of every day number (index), for loops that convert many.
pub(crate) fn year_codes() -> &'static [u8; 65_536] {
    static TABLE: std::sync::OnceLock<Box<[u8; 65_536]>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        // Day numbers fit in u16; each maps to its calendar year since 1990.
        let mut table = Vec::with_capacity(65_536);
        let mut year = FIRST_YEAR;
        let mut next = Day::from_date(
            time::Date::from_calendar_date(year + 1, time::Month::January, 1).unwrap(),
        )
        .map_or(u32::MAX, |d| u32::from(d.0));
        for day in 0..65_536u32 {
            while day >= next {
                year += 1;
                next = time::Date::from_calendar_date(year + 1, time::Month::January, 1)
                    .ok()
                    .and_then(Day::from_date)
                    .map_or(u32::MAX, |d| u32::from(d.0));
            }
            table.push((year - FIRST_YEAR).min(254) as u8);
        }
        table.into_boxed_slice().try_into().expect("65 536 days")
    })
}

/// A birth month (`YYYY-MM`); FORMAT.md gives no day, so age counts from the first of the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BirthMonth {
    pub year: i32,
    pub month: u8,
}

impl BirthMonth {
    /// Whole years between the first day of the birth month and `on` (MEASURES.md's age).
    pub fn age_on(self, on: Date) -> i32 {
        let before_birthday = (on.month() as u8) < self.month;
        on.year() - self.year - i32::from(before_birthday)
    }

    /// The first day of the birth month.
    pub fn first_day(self) -> Option<Date> {
        Date::from_calendar_date(self.year, Month::try_from(self.month).ok()?, 1).ok()
    }

    /// Months since January 1800 as stored in the columns (births before 1800 cannot pass the age
    /// rule for an entry after 1990).
    pub fn to_u16(self) -> u16 {
        ((self.year - 1800) * 12 + i32::from(self.month) - 1) as u16
    }

    /// The inverse of [`BirthMonth::to_u16`].
    pub fn from_u16(v: u16) -> BirthMonth {
        BirthMonth {
            year: 1800 + i32::from(v / 12),
            month: (v % 12) as u8 + 1,
        }
    }
}

/// Months without work at entry, as FORMAT.md's `inactivite` column gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Inactivite {
    /// The cell was empty.
    Inconnue,
    /// `JAMAIS`: never worked.
    Jamais,
    /// A number of months.
    Mois(u16),
}

impl Inactivite {
    /// Stored value for unknown.
    pub const INCONNUE: u16 = u16::MAX;
    /// Stored value for `JAMAIS`.
    pub const JAMAIS: u16 = u16::MAX - 1;
    /// The largest number of months a column can hold.
    pub const MAX_MOIS: u16 = u16::MAX - 2;

    pub fn to_u16(self) -> u16 {
        match self {
            Inactivite::Inconnue => Self::INCONNUE,
            Inactivite::Jamais => Self::JAMAIS,
            Inactivite::Mois(m) => m,
        }
    }

    /// MEASURES.md's band: 0 `< 1 an`, 1 `de 1 à 2 ans`, 2 `de 2 à 3 ans`, 3 `de 3 à 5 ans`,
    /// 4 `plus de 5 ans`, 5 `aucune activité` (JAMAIS), 6 unknown.
    pub fn band(self) -> u8 {
        match self {
            Inactivite::Mois(m) => match m {
                0..=11 => 0,
                12..=23 => 1,
                24..=35 => 2,
                36..=59 => 3,
                _ => 4,
            },
            Inactivite::Jamais => 5,
            Inactivite::Inconnue => 6,
        }
    }

    /// The band of every stored value (index), for loops that convert many.
    pub(crate) fn bands() -> &'static [u8; 65_536] {
        static TABLE: std::sync::OnceLock<Box<[u8; 65_536]>> = std::sync::OnceLock::new();
        TABLE.get_or_init(|| {
            let bands: Vec<u8> = (0..=u16::MAX)
                .map(|v| Inactivite::from_u16(v).band())
                .collect();
            bands.into_boxed_slice().try_into().expect("65 536 values")
        })
    }

    pub fn from_u16(v: u16) -> Inactivite {
        match v {
            Self::INCONNUE => Inactivite::Inconnue,
            Self::JAMAIS => Inactivite::Jamais,
            m => Inactivite::Mois(m),
        }
    }
}

/// Exit details allowed when the motif is `EMPLOI` (Tableau 8); each is optional.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct SortieEmploi {
    /// NAF section letter `A`..`U`, stored as 0..=20.
    pub secteur: Option<u8>,
    pub employeur: Option<Employeur>,
    pub taille: Option<Taille>,
    pub contrat: Option<Contrat>,
    pub mesure: Option<Mesure>,
}

/// Exit details allowed when the motif is `FORMATION` (Tableau 9); each is optional.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct SortieFormation {
    pub domaine: Option<Domaine>,
    pub niveau: Option<Niveau>,
    pub validation: Option<Validation>,
    pub duree_mois: Option<u16>,
}

/// One participant's path in one PLIE, from entry to exit, with the characteristics at entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Parcours {
    pub plie: String,
    pub participant: String,
    pub entree: Day,
    /// The exit day and its reason, absent while the parcours goes on.
    pub sortie: Option<(Day, Motif)>,
    pub sexe: Sexe,
    pub naissance: BirthMonth,
    pub public: Public,
    pub inscrit_pe: bool,
    pub th: bool,
    pub niveau: Niveau,
    pub inactivite: Inactivite,
    pub qpv: Option<bool>,
    pub commune: Option<String>,
    pub emploi: SortieEmploi,
    pub formation: SortieFormation,
}

impl Parcours {
    /// Age in whole years at entry (MEASURES.md).
    pub fn age(&self) -> i32 {
        self.naissance.age_on(self.entree.date())
    }
}

/// One step of a parcours.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Etape {
    pub plie: String,
    pub participant: String,
    /// Entry day of the parcours the step belongs to.
    pub entree: Day,
    pub etape: EtapeType,
    pub debut: Day,
    pub fin: Option<Day>,
    pub finance_plie: bool,
}

/// A line of plie.csv: who the PLIE is and where.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PlieInfo {
    pub plie: String,
    pub nom: Option<String>,
    pub departement: Option<String>,
    pub region: Option<String>,
    pub communes: Option<u32>,
    pub structure_porteuse: Option<String>,
    pub gestion_fse: Option<GestionFse>,
    /// The day the data were extracted (plie.csv's `extraction`): nothing after it is known.
    /// `None` when not sent (the import then derives it from the data, FORMAT.md).
    pub extraction: Option<Day>,
    /// The first day from which every parcours active on or after it is in the transfer
    /// (plie.csv's `complet_depuis`); `None` when not sent.
    pub complet_depuis: Option<Day>,
}

/// A line of financements.csv, amounts in euro cents.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Financement {
    pub plie: String,
    pub annee: i32,
    /// ESF programme axis, 3 or 4.
    pub axe: u8,
    pub financeur: Financeur,
    pub direct_centimes: i64,
    pub indirect_centimes: i64,
    pub mobilise: bool,
}

/// A line of allocations.csv, amounts in euro cents.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Allocation {
    pub plie: String,
    pub annee: i32,
    pub structure: Structure,
    pub montant_centimes: i64,
    pub dont_fse_centimes: i64,
}

/// A line of activite.csv: one indicator of Tableau 10, its value in hundredths (so that FTE and
/// amounts with two decimals stay exact).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Activite {
    pub plie: String,
    pub annee: i32,
    pub indicateur: String,
    pub valeur_centiemes: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn codes_are_case_insensitive_and_ordered() {
        assert_eq!(Public::parse("rsa"), Some(Public::Rsa));
        assert_eq!(Niveau::parse("vbis"), Some(Niveau::Vbis));
        assert_eq!(Niveau::parse("V BIS"), None);
        assert_eq!(Niveau::from_u8(7), Some(Niveau::N9));
        assert_eq!(EtapeType::ALL.len(), 18);
        assert_eq!(Domaine::ALL.len(), 19);
    }

    #[test]
    fn age_counts_from_the_first_of_the_birth_month() {
        let born = BirthMonth {
            year: 1991,
            month: 3,
        };
        assert_eq!(born.age_on(date!(2017 - 03 - 01)), 26);
        assert_eq!(born.age_on(date!(2017 - 02 - 28)), 25);
    }

    #[test]
    fn days_round_trip() {
        let d = date!(2017 - 12 - 31);
        assert_eq!(Day::from_date(d).unwrap().date(), d);
        assert_eq!(Day::from_date(date!(1990 - 01 - 01)), Some(Day(0)));
        assert_eq!(Day::from_date(date!(1989 - 12 - 31)), None);
    }
}
