//! Tableau 9: the exits to training of the period, by the details of the training.
//!
//! Over the parcours that exit in the period (a year, or every year of a range) with motif
//! FORMATION and pass the filter, four blocks — domain (Tableau 9's 19), level, validation and
//! length band — each give, for all, men and women, how many exits have each value and their
//! share of the exits whose detail is known. It is laid out like Tableau 8 (see its module for
//! the shared decisions: counts beside shares, the TOTAL line's count is the number known, a share
//! over nothing is absent, the PLIE counted are those with a parcours active in the period, the
//! note `plie_details` those that reported a detail of an exit to training); the note `sorties_formation` gives every exit to training of the period, known detail
//! or not (Tableau 1's `sorties_formation`).
//!
//! Decisions where MEASURES.md is silent:
//! - Length bands, over whole months as FORMAT.md's `formation_duree_mois` gives them:
//!   "Moins de 3 mois" is 0 to 2, "Entre 3 et 6 mois" 3 to 5, "Entre 6 et 12 mois" 6 to 12 and
//!   "Plus de 12 mois" 13 and over. "Moins de" and "Plus de" are read strictly, so 3 and 12 fall
//!   inside the bands that name them as their bounds, and 6 starts its band like 3 does.
//! - The training level `NC` is a known detail (the PLIE said the level is unknown) and a line of
//!   its own, as the report prints "Non connu"; an empty cell is an unknown detail.

use super::tableau8::{details_table, scan_details, values, Repartition};
use super::Table;
use crate::index::Corpus;
use crate::model::{Domaine, Motif, Niveau, Validation};
use crate::query::{Filter, Period};
use crate::store::{Columns, ParcoursColumn, NONE};

/// The report's labels, in the order of the model's codes.
const DOMAINES: [&str; 19] = [
    "Agriculture, horticulture, pêche, paysage",
    "Bâtiment, travaux publics",
    "Services aux entreprises et collectivités (sécurité, environnement, nettoyage, etc.)",
    "Services à la personne, santé social, petite enfance",
    "Métiers de l'éducation et de la formation",
    "Métiers de la bouche et de l'alimentation (boucherie, boulangerie, etc.)",
    "Arts, artisanats, multimédia, audiovisuel",
    "Commerce, distribution",
    "Tourisme, hôtellerie, restauration",
    "Informatique, information, communication",
    "Production, manutention, industrie",
    "Secrétariat, comptabilité, gestion",
    "Textile, habillement, cuir",
    "Electricité, électronique",
    "Transport, logistique",
    "Mécanique, automatisme, transformation des matériaux",
    "Métiers de l'esthétique et de la cosmétique",
    "Banque, finances, assurances",
    "Formation générale (sciences humaines, sciences, lettres, etc.)",
];
const VALIDATIONS: [&str; 8] = [
    "Diplôme du Ministère de l'Education Nationale",
    "Diplôme du Ministère de la Jeunesse et des Sports",
    "Diplôme du Ministère des Affaires sociales",
    "Diplôme du Ministère de l'Agriculture",
    "Certificat de Qualification Professionnelle",
    "Certificat de Maîtrise Professionnelle",
    "Titre du Ministère de l'Emploi",
    "Autres",
];
/// (csv code of data/reference, label) of the length bands.
const DUREES: [(&str, &str); 4] = [
    ("<3", "Moins de 3 mois"),
    ("3-6", "Entre 3 et 6 mois"),
    ("6-12", "Entre 6 et 12 mois"),
    (">12", "Plus de 12 mois"),
];

/// The band of a training of `mois` months (index into the length block).
pub fn duree_band(mois: u16) -> usize {
    match mois {
        0..=2 => 0,
        3..=5 => 1,
        6..=12 => 2,
        _ => 3,
    }
}

/// Tableau 9 for a year or a range of years.
#[derive(Debug, Clone, PartialEq)]
pub struct Tableau9 {
    pub period: Period,
    pub filter: Filter,
    /// PLIE with a parcours active in the period, after filters.
    pub plies: usize,
    /// PLIE with an exit to training in the period, after filters, with a detail known.
    pub plies_details: usize,
    /// Exits to training in the period after filters, detail known or not.
    pub sorties_formation_hommes: u64,
    pub sorties_formation_femmes: u64,
    pub domaine: Repartition,
    pub niveau: Repartition,
    pub validation: Repartition,
    pub duree: Repartition,
}

impl Tableau9 {
    /// Every exit to training of the period (Tableau 1's `sorties_formation`).
    pub fn sorties_formation(&self) -> u64 {
        self.sorties_formation_hommes + self.sorties_formation_femmes
    }

    /// The four blocks in the published order.
    pub fn blocs(&self) -> [&Repartition; 4] {
        [&self.domaine, &self.niveau, &self.validation, &self.duree]
    }

    /// The table as printed: a block per detail, shares then counts, TOTAL line last.
    pub fn to_table(&self) -> Table {
        details_table(
            "9",
            "Tableau 9 — analyse des sorties sur formation",
            self.period,
            &self.filter,
            (self.plies, self.plies_details),
            &self.blocs(),
            (
                "sorties_formation",
                "Sorties sur formation de la période (détail connu ou non)",
                self.sorties_formation(),
            ),
        )
    }
}

impl Corpus {
    /// Tableau 9 over `period`, restricted by `filter`.
    pub fn tableau9(&self, period: Period, filter: &Filter) -> Result<Tableau9, crate::Error> {
        let sizes = [
            Domaine::ALL.len(),
            Niveau::ALL.len(),
            Validation::ALL.len(),
            DUREES.len(),
        ];
        let formation = Columns::of(&[
            ParcoursColumn::FormationDomaine,
            ParcoursColumn::FormationNiveau,
            ParcoursColumn::FormationValidation,
            ParcoursColumn::FormationDuree,
        ]);
        let d = scan_details(
            self,
            period,
            filter,
            Motif::Formation,
            &sizes,
            formation,
            |c, i, b| {
                if b < 3 {
                    let v = c.raw.formation[b][i];
                    (v != NONE).then_some(usize::from(v))
                } else {
                    let m = c.raw.formation_duree_mois[i];
                    (m != u16::MAX).then(|| duree_band(m))
                }
            },
        )?;
        let niveaux: Vec<&'static str> = Niveau::ALL.iter().map(|n| n.label()).collect();
        Ok(Tableau9 {
            period,
            filter: filter.clone(),
            plies: d.plies,
            plies_details: d.plies_details,
            sorties_formation_hommes: d.sorties[0],
            sorties_formation_femmes: d.sorties[1],
            domaine: Repartition::new(
                "domaine",
                "Domaine de la formation",
                &values(Domaine::ALL, Domaine::code, &DOMAINES),
                &d.counts[0],
            ),
            niveau: Repartition::new(
                "niveau",
                "Niveau de la formation",
                &values(Niveau::ALL, Niveau::code, &niveaux),
                &d.counts[1],
            ),
            validation: Repartition::new(
                "validation",
                "Nature de la validation",
                &values(Validation::ALL, Validation::code, &VALIDATIONS),
                &d.counts[2],
            ),
            duree: Repartition::new("duree", "Durée de la formation", &DUREES, &d.counts[3]),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::duree_band;

    #[test]
    fn bounds_fall_in_the_bands_that_name_them() {
        let bands: Vec<usize> = [0, 2, 3, 5, 6, 11, 12, 13, 40]
            .into_iter()
            .map(duree_band)
            .collect();
        assert_eq!(bands, [0, 0, 1, 1, 2, 2, 2, 3, 3]);
    }
}
