//! Tableau 8: the exits to employment of the period, by the details of the job.
//!
//! Over the parcours that exit in the period (a year, or every year of a range) with motif
//! EMPLOI and pass the filter, five blocks — the employer's sector (NAF section), employer type,
//! establishment size, contract and measure — each give, for all, men and women, how many exits
//! have each value and their share of the exits whose detail is known. A detail is optional in a
//! transfer (FORMAT.md), so each block has its own denominator: its TOTAL line gives the number of
//! exits whose detail is known (100 %), and the note `sorties_emploi` every exit to employment of
//! the period, known detail or not (Tableau 1's `sorties_emploi`).
//!
//! Decisions where MEASURES.md is silent:
//! - Counts are shown beside the shares (columns `sorties`, `sorties_hommes`, `sorties_femmes`),
//!   rather than a separate `connus` line: every share can be checked, and the TOTAL line's count
//!   is the number known. The share columns keep data/reference's keys (`total_pct`,
//!   `hommes_pct`, `femmes_pct`) but hold fractions, like every rate in csv and json (CLI.md).
//! - Sectors B (mining) and C (manufacturing) are one line, "B, C : Industries", as the report
//!   prints them; its csv code is `C`, the code data/reference/plie2017_tableau8.csv gives that
//!   line. [`Tableau8::sections_naf`] keeps the 21 sections apart for a host program.
//! - The report lists five measures whose shares add up to 25 % above a TOTAL of 100 %: the rest
//!   had none. FORMAT.md codes that `AUCUNE`, a known detail, so it is printed as a sixth line
//!   "Sans mesure" and the block adds up to 100 % like the others.
//! - A share whose denominator is zero (no exit of that sex with the detail known) is absent.
//! - The PLIE counted are, as for every table built from parcours (MEASURES.md), those with a
//!   parcours active in the period after filters; the note `plie_details` gives how many of them
//!   reported at least one detail of an exit to employment in the period.
//!
//! [`Repartition`] and the scan of exits with their details are shared with Tableau 9.

use super::{Cell, Column, Row, Table};
use crate::index::{Chunk, Corpus, OPEN};
use crate::model::{Contrat, Employeur, Mesure, Motif, Sexe, Taille};
use crate::query::{rate as share, Filter, Period, RowFilter};
use crate::store::{Columns, ParcoursColumn, NONE};

/// One line of a block: a value of the detail and how many exits have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepartitionLigne {
    /// The csv code (data/reference where it has one, else FORMAT.md's code).
    pub code: &'static str,
    /// The report's label.
    pub label: &'static str,
    pub hommes: u64,
    pub femmes: u64,
}

impl RepartitionLigne {
    /// Exits of `sexe`, or of both when `None`.
    pub fn compte(&self, sexe: Option<Sexe>) -> u64 {
        match sexe {
            Some(Sexe::H) => self.hommes,
            Some(Sexe::F) => self.femmes,
            None => self.hommes + self.femmes,
        }
    }
}

/// One block of Tableau 8 or 9: how the exits whose detail is known spread over its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repartition {
    /// The csv group code (`secteur`, `employeur`, ..., `duree`).
    pub rubrique: &'static str,
    /// The report's heading of the block.
    pub titre: &'static str,
    /// In the published order.
    pub lignes: Vec<RepartitionLigne>,
}

impl Repartition {
    /// Exits whose detail is known, of `sexe` or of both.
    pub fn connus(&self, sexe: Option<Sexe>) -> u64 {
        self.lignes.iter().map(|l| l.compte(sexe)).sum()
    }

    /// The line of code `code`.
    pub fn ligne(&self, code: &str) -> Option<&RepartitionLigne> {
        self.lignes.iter().find(|l| l.code == code)
    }

    /// The share of line `code` among the exits of `sexe` (or both) whose detail is known;
    /// `None` when none is known or the block has no such line.
    pub fn part(&self, code: &str, sexe: Option<Sexe>) -> Option<f64> {
        share(self.ligne(code)?.compte(sexe), self.connus(sexe))
    }

    /// The block's lines as printed, its TOTAL line last.
    fn rows(&self) -> Vec<Row> {
        let (kh, kf) = (self.connus(Some(Sexe::H)), self.connus(Some(Sexe::F)));
        let line = |code: &str, label: &str, level: u8, h: u64, f: u64| {
            let cells = vec![
                Cell::Rate(share(h + f, kh + kf)),
                Cell::Rate(share(h, kh)),
                Cell::Rate(share(f, kf)),
                Cell::Count(h + f),
                Cell::Count(h),
                Cell::Count(f),
            ];
            Row::new(self.rubrique, code, label, level, cells)
        };
        let mut rows: Vec<Row> = self
            .lignes
            .iter()
            .map(|l| line(l.code, l.label, 1, l.hommes, l.femmes))
            .collect();
        rows.push(line("total", "TOTAL", 0, kh, kf));
        rows
    }

    /// A block of `values` (code, label) with their counts.
    pub(super) fn new(
        rubrique: &'static str,
        titre: &'static str,
        values: &[(&'static str, &'static str)],
        counts: &[[u64; 2]],
    ) -> Repartition {
        Repartition {
            rubrique,
            titre,
            lignes: values
                .iter()
                .zip(counts)
                .map(|(&(code, label), &[hommes, femmes])| RepartitionLigne {
                    code,
                    label,
                    hommes,
                    femmes,
                })
                .collect(),
        }
    }
}

/// The table of exits by detail (Tableaux 8 and 9): shares then counts, total / men / women;
/// `sorties` (`sorties_emploi` or `sorties_formation`) is noted under it.
pub(super) fn details_table(
    tableau: &'static str,
    title: &str,
    period: Period,
    filter: &Filter,
    (plies, plies_details): (usize, usize),
    blocs: &[&Repartition],
    note: (&str, &str, u64),
) -> Table {
    let columns = vec![
        Column::new("total_pct", "Total"),
        Column::new("hommes_pct", "Homme"),
        Column::new("femmes_pct", "Femme"),
        Column::new("sorties", "Nombre"),
        Column::new("sorties_hommes", "Nombre hommes"),
        Column::new("sorties_femmes", "Nombre femmes"),
    ];
    let mut table = Table::new(tableau, title, period, filter, columns);
    table.plies = plies;
    for b in blocs {
        table.push_heading(b.rubrique, b.titre);
        table.rows.extend(b.rows());
    }
    table.push_note(note.0, note.1, Cell::Count(note.2));
    table.push_note(
        "plie_details",
        "PLIE ayant renseigné le détail de ces sorties",
        Cell::Count(plies_details as u64),
    );
    table
}

/// What the scan of the exits of one motif finds.
pub(super) struct Details {
    /// Per block, per value, [hommes, femmes].
    pub counts: Vec<Vec<[u64; 2]>>,
    /// Every exit of the motif in the period after filters, detail known or not: [hommes, femmes].
    pub sorties: [u64; 2],
    /// PLIE with a parcours active in the period after filters (MEASURES.md's count for a table
    /// built from parcours).
    pub plies: usize,
    /// PLIE with at least one exit of the motif with a detail known.
    pub plies_details: usize,
}

/// Counts the exits of `motif` in `period` passing `filter` by the value `value(chunk, i, block)`
/// of each block (`None` when the detail is unknown); `sizes` gives each block's number of values.
pub(super) fn scan_details<F>(
    corpus: &Corpus,
    period: Period,
    filter: &Filter,
    motif: Motif,
    sizes: &[usize],
    details: Columns,
    value: F,
) -> Result<Details, crate::Error>
where
    F: Fn(&Chunk, usize, usize) -> Option<usize> + Sync,
{
    let rf = RowFilter::resolve(filter, corpus)?;
    let (first, last) = period.codes();
    let empty = || Details {
        counts: sizes.iter().map(|&n| vec![[0; 2]; n]).collect(),
        sorties: [0; 2],
        plies: 0,
        plies_details: 0,
    };
    let columns = Columns::of(&[
        ParcoursColumn::Entree,
        ParcoursColumn::Sortie,
        ParcoursColumn::Motif,
        ParcoursColumn::Sexe,
    ])
    .union(details)
    .union(rf.columns());
    let per_plie = corpus.fold_chunks(
        columns,
        |c| rf.may_pass(c) && c.may_be_active((first, last)),
        || (empty(), vec![[false; 2]; corpus.plies.len()]),
        |(mut d, mut plies), chunk| {
            for i in 0..chunk.len() {
                let x = chunk.annee_sortie()[i];
                let active = i32::from(chunk.annee_entree()[i]) <= last
                    && (x == OPEN || i32::from(x) >= first);
                if active && !plies[chunk.plie as usize][0] && rf.row(chunk, i) {
                    plies[chunk.plie as usize][0] = true;
                }
                if x == OPEN
                    || !(first..=last).contains(&i32::from(x))
                    || chunk.raw.motif[i] != motif as u8
                    || !rf.row(chunk, i)
                {
                    continue;
                }
                let sexe = usize::from(chunk.raw.sexe[i] == Sexe::F as u8);
                d.sorties[sexe] += 1;
                for (b, counts) in d.counts.iter_mut().enumerate() {
                    if let Some(v) = value(chunk, i, b).filter(|&v| v < counts.len()) {
                        counts[v][sexe] += 1;
                        plies[chunk.plie as usize][1] = true;
                    }
                }
            }
            (d, plies)
        },
        |(mut a, mut pa), (b, pb)| {
            for (ca, cb) in a.counts.iter_mut().zip(&b.counts) {
                for (x, y) in ca.iter_mut().zip(cb) {
                    x[0] += y[0];
                    x[1] += y[1];
                }
            }
            a.sorties[0] += b.sorties[0];
            a.sorties[1] += b.sorties[1];
            for (x, y) in pa.iter_mut().zip(&pb) {
                x[0] |= y[0];
                x[1] |= y[1];
            }
            (a, pa)
        },
    )?;
    let (mut details, plies) = per_plie;
    details.plies = plies.iter().filter(|p| p[0]).count();
    details.plies_details = plies.iter().filter(|p| p[1]).count();
    Ok(details)
}

/// The lines of the sector block: NAF sections A to U, B and C on one line coded `C`.
const SECTEURS: &[(&str, &str)] = &[
    ("A", "A : Agriculture, chasse, sylviculture, pêche"),
    ("C", "B, C : Industries"),
    (
        "D",
        "D : Production et distribution d'électricité, gaz, vapeur et air conditionné",
    ),
    (
        "E",
        "E : Production et distribution d'eau, assainissement, gestion des déchets, dépollution",
    ),
    ("F", "F : Construction"),
    ("G", "G : Commerce, réparation automobile"),
    ("H", "H : Transport et entreposage"),
    ("I", "I : Hébergement et restauration"),
    ("J", "J : Information et communication"),
    ("K", "K : Activités financières"),
    ("L", "L : Activités immobilières"),
    (
        "M",
        "M : Activités spécialisées, scientifiques et techniques",
    ),
    (
        "N",
        "N : Activités de services administratifs et de soutien",
    ),
    ("O", "O : Administration publique"),
    ("P", "P : Enseignement"),
    ("Q", "Q : Santé humaine et action sociale"),
    ("R", "R : Arts, spectacles et activités récréatives"),
    ("S", "S : Autres activités de services"),
    ("T", "T : Activités des ménages en tant qu'employeur"),
    ("U", "U : Activités extra territoriales"),
];

/// NAF sections A..U as stored (0..=20).
const SECTIONS_NAF: usize = 21;

/// The report's labels, in the order of the model's codes.
const EMPLOYEURS: [&str; 4] = [
    "Entreprise",
    "Association",
    "Secteur public",
    "Particuliers",
];
const TAILLES: [&str; 6] = [
    "0",
    "1 à 9",
    "10 à 49",
    "50 à 199",
    "200 à 999",
    "1000 ou plus",
];
const CONTRATS: [&str; 4] = [
    "CDI",
    "CDD 6 mois et +",
    "Création d'entreprise - auto emploi",
    "Intérim",
];
const MESURES: [&str; 6] = [
    "CUI-CIE",
    "CUI-CAE",
    "Contrat de Professionnalisation",
    "Contrats d'Apprentissage",
    "Autres",
    "Sans mesure",
];

/// (code, label) of every value of a coded detail.
pub(super) fn values<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    labels: &[&'static str],
) -> Vec<(&'static str, &'static str)> {
    all.iter()
        .map(|&v| code(v))
        .zip(labels.iter().copied())
        .collect()
}

/// Tableau 8 for a year or a range of years.
#[derive(Debug, Clone, PartialEq)]
pub struct Tableau8 {
    pub period: Period,
    pub filter: Filter,
    /// PLIE with a parcours active in the period, after filters.
    pub plies: usize,
    /// PLIE with an exit to employment in the period, after filters, with a detail known.
    pub plies_details: usize,
    /// Exits to employment in the period after filters, detail known or not.
    pub sorties_emploi_hommes: u64,
    pub sorties_emploi_femmes: u64,
    /// Exits per NAF section A..U (index 0 = A), men then women: the sector block merges B and C.
    pub sections_naf: [[u64; 2]; SECTIONS_NAF],
    pub secteur: Repartition,
    pub employeur: Repartition,
    pub taille: Repartition,
    pub contrat: Repartition,
    pub mesure: Repartition,
}

impl Tableau8 {
    /// Every exit to employment of the period (Tableau 1's `sorties_emploi`).
    pub fn sorties_emploi(&self) -> u64 {
        self.sorties_emploi_hommes + self.sorties_emploi_femmes
    }

    /// The five blocks in the published order.
    pub fn blocs(&self) -> [&Repartition; 5] {
        [
            &self.secteur,
            &self.employeur,
            &self.taille,
            &self.contrat,
            &self.mesure,
        ]
    }

    /// The table as printed: a block per detail, shares then counts, TOTAL line last.
    pub fn to_table(&self) -> Table {
        details_table(
            "8",
            "Tableau 8 — analyse des sorties sur emploi 6 mois",
            self.period,
            &self.filter,
            (self.plies, self.plies_details),
            &self.blocs(),
            (
                "sorties_emploi",
                "Sorties sur emploi de la période (détail connu ou non)",
                self.sorties_emploi(),
            ),
        )
    }
}

impl Corpus {
    /// Tableau 8 over `period`, restricted by `filter`.
    pub fn tableau8(&self, period: Period, filter: &Filter) -> Result<Tableau8, crate::Error> {
        let sizes = [
            SECTIONS_NAF,
            Employeur::ALL.len(),
            Taille::ALL.len(),
            Contrat::ALL.len(),
            Mesure::ALL.len(),
        ];
        let emploi = Columns::of(&[
            ParcoursColumn::EmploiSecteur,
            ParcoursColumn::EmploiEmployeur,
            ParcoursColumn::EmploiTaille,
            ParcoursColumn::EmploiContrat,
            ParcoursColumn::EmploiMesure,
        ]);
        let d = scan_details(
            self,
            period,
            filter,
            Motif::Emploi,
            &sizes,
            emploi,
            |c, i, b| {
                let v = c.raw.emploi[b][i];
                (v != NONE).then_some(usize::from(v))
            },
        )?;
        let naf = &d.counts[0];
        let mut sections_naf = [[0; 2]; SECTIONS_NAF];
        sections_naf.copy_from_slice(naf);
        // The report's line "B, C" (index 1 of SECTEURS) gathers sections B and C.
        let mut secteurs: Vec<[u64; 2]> =
            vec![naf[0], [naf[1][0] + naf[2][0], naf[1][1] + naf[2][1]]];
        secteurs.extend_from_slice(&naf[3..]);
        Ok(Tableau8 {
            period,
            filter: filter.clone(),
            plies: d.plies,
            plies_details: d.plies_details,
            sorties_emploi_hommes: d.sorties[0],
            sorties_emploi_femmes: d.sorties[1],
            sections_naf,
            secteur: Repartition::new(
                "secteur",
                "Secteur d'activité de l'employeur",
                SECTEURS,
                &secteurs,
            ),
            employeur: Repartition::new(
                "employeur",
                "Type d'employeur",
                &values(Employeur::ALL, Employeur::code, &EMPLOYEURS),
                &d.counts[1],
            ),
            taille: Repartition::new(
                "taille",
                "Taille de l'établissement",
                &values(Taille::ALL, Taille::code, &TAILLES),
                &d.counts[2],
            ),
            contrat: Repartition::new(
                "contrat",
                "Type de contrat",
                &values(Contrat::ALL, Contrat::code, &CONTRATS),
                &d.counts[3],
            ),
            mesure: Repartition::new(
                "mesure",
                "Mesure",
                &values(Mesure::ALL, Mesure::code, &MESURES),
                &d.counts[4],
            ),
        })
    }
}
