//! Tableau 10: the activity of the PLIE (team, costs, engineering, partners, operations,
//! meetings, referents), from the optional `activite.csv`: one value per PLIE, year and indicator.
//!
//! Each line is an indicator of [`ACTIVITE_INDICATEURS`], in that order: the sum of its values over
//! the PLIE that reported it (`valeur`, in hundredths: counts, FTE, euros), the number of those
//! PLIE (`plie`) and the mean per reporting PLIE (`moyenne_par_plie`, the averages the report's
//! commentary quotes: "6,6 salariés par PLIE"). Csv codes are those of
//! `data/reference/plie2017_tableau10.csv`.
//!
//! Decisions where the spec is silent:
//! - An indicator no PLIE reported keeps its line, with no value (blank in csv, `null` in json)
//!   and 0 PLIE: nothing reported is not a reported zero.
//! - Indicators sent under codes outside the documented list are not dropped: they follow the list
//!   in group `autre`, sorted by code, with their code as label.
//! - A range sums each indicator over its years; its `plie` counts the distinct PLIE that reported
//!   it in any of them.
//! - Totals are not recomputed from their lines: the report's total of meetings is above the sum of
//!   its two lines, so each line is what the PLIE reported.
//! - Only `plie`, `departement` and `region` filters apply; any other dimension is refused.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::tableau6::in_period;
use super::{Cell, Column, Row, Table};
use crate::index::Corpus;
use crate::query::{Filter, Period};

/// The documented indicators of activite.csv, one per line of Tableau 10, in the published order:
/// (code, the report's label). A `*_NOMBRE` or `*_MONTANT` total of operations is the sum of its
/// `Dont` lines, referents are counted by employer; amounts are in euros.
pub const ACTIVITE_INDICATEURS: &[(&str, &str)] = &[
    (
        "EQUIPE_SALARIES",
        "Nombre de salariés dans l'équipe d'animation et de gestion du PLIE",
    ),
    ("EQUIPE_ETP", "Soit en ETP"),
    ("MASSE_SALARIALE", "Masse salariale"),
    (
        "COUT_TOTAL",
        "Coût total (masse salariale + frais de fonctionnement)",
    ),
    (
        "COUT_ASSISTANCE_TECHNIQUE",
        "Dont budget consacré à l'assistance technique",
    ),
    ("INGENIERIE_HEURES", "Ingénierie : nombre d'heures"),
    ("INGENIERIE_BUDGET", "Ingénierie : budget (en euros)"),
    (
        "BENEFICIAIRES_CONVENTIONNES",
        "Bénéficiaires partenaires (autres qu'entreprises) conventionnés avec financement",
    ),
    (
        "BENEFICIAIRES_AUTRES",
        "Bénéficiaires partenaires (autres qu'entreprises)",
    ),
    (
        "BENEFICIAIRES_NON_CONVENTIONNES",
        "Bénéficiaires partenaires (autres qu'entreprises) non conventionnés",
    ),
    (
        "OPERATIONS_NOMBRE",
        "Opérations conventionnées dans l'année - TOTAL",
    ),
    (
        "OPERATIONS_MONTANT",
        "Opérations conventionnées dans l'année - montant réalisé",
    ),
    (
        "OPERATIONS_UTILITE_SOCIALE_NOMBRE",
        "Dont : activités d'utilité sociale (contrats aidés, ateliers et chantiers d'insertion ACI, ...)",
    ),
    (
        "OPERATIONS_UTILITE_SOCIALE_MONTANT",
        "Dont : activités d'utilité sociale - montant réalisé",
    ),
    ("OPERATIONS_SIAE_NOMBRE", "Dont : EI, AI, RQ, ETTI"),
    (
        "OPERATIONS_SIAE_MONTANT",
        "Dont : EI, AI, RQ, ETTI - montant réalisé",
    ),
    ("OPERATIONS_FORMATION_NOMBRE", "Dont : formations"),
    (
        "OPERATIONS_FORMATION_MONTANT",
        "Dont : formations - montant réalisé",
    ),
    ("OPERATIONS_CREATION_NOMBRE", "Dont : création d'entreprises"),
    (
        "OPERATIONS_CREATION_MONTANT",
        "Dont : création d'entreprises - montant réalisé",
    ),
    ("OPERATIONS_MEDIATION_NOMBRE", "Dont : médiation à l'emploi"),
    (
        "OPERATIONS_MEDIATION_MONTANT",
        "Dont : médiation à l'emploi - montant réalisé",
    ),
    (
        "OPERATIONS_EMPLOI_NOMBRE",
        "Dont : emploi (avant sortie 6 mois +)",
    ),
    (
        "OPERATIONS_EMPLOI_MONTANT",
        "Dont : emploi (avant sortie 6 mois +) - montant réalisé",
    ),
    (
        "OPERATIONS_ACCOMPAGNEMENT_NOMBRE",
        "Dont : accompagnement renforcé",
    ),
    (
        "OPERATIONS_ACCOMPAGNEMENT_MONTANT",
        "Dont : accompagnement renforcé - montant réalisé",
    ),
    ("OPERATIONS_INGENIERIE_NOMBRE", "Dont : ingénierie"),
    (
        "OPERATIONS_INGENIERIE_MONTANT",
        "Dont : ingénierie - montant réalisé",
    ),
    (
        "ENTREPRISES_PARTENAIRES",
        "Entreprises partenaires réguliers du PLIE",
    ),
    (
        "REUNIONS_ORGANISEES",
        "Réunions collectives organisées par le PLIE dans l'année - TOTAL",
    ),
    (
        "REUNIONS_INSTITUTIONNELLES",
        "Dont : « institutionnelles » (comité de pilotage, CA, etc.)",
    ),
    (
        "REUNIONS_OPERATIONNELLES",
        "Dont : « opérationnelles » (comité d'agrément et de suivi, réunions bénéficiaires, réunions diverses)",
    ),
    (
        "REUNIONS_EXTERIEURES",
        "Réunions collectives « institutionnelles » (SPE, CDIAE, CLI, etc.) auxquelles participe l'équipe d'animation du PLIE",
    ),
    ("REFERENTS", "Référents de parcours - TOTAL"),
    (
        "REFERENTS_PLIE_ASSOCIATION",
        "Référents employés par le PLIE (association)",
    ),
    (
        "REFERENTS_PLIE_COMMUNE",
        "Référents employés par le PLIE (commune)",
    ),
    (
        "REFERENTS_PLIE_EPCI",
        "Référents employés par le PLIE (EPCI)",
    ),
    ("REFERENTS_PLIE_GIP", "Référents employés par le PLIE (GIP)"),
    ("REFERENTS_AI", "Référents employés par une AI"),
    ("REFERENTS_EI", "Référents employés par une EI"),
    ("REFERENTS_ACI", "Référents employés par un ACI"),
    (
        "REFERENTS_POLE_EMPLOI",
        "Référents employés par Pôle emploi",
    ),
    (
        "REFERENTS_MISSION_LOCALE",
        "Référents employés par une mission locale",
    ),
    (
        "REFERENTS_MDE",
        "Référents employés par une maison de l'emploi",
    ),
    ("REFERENTS_CCAS", "Référents employés par un CCAS"),
    ("REFERENTS_COMMUNE", "Référents employés par une commune"),
    (
        "REFERENTS_AUTRE",
        "Référents employés par une autre structure",
    ),
];

/// A line's level: 0 for a figure followed by its parts, 2 for those parts, 1 for the others.
fn level(code: &str) -> u8 {
    match code {
        "EQUIPE_SALARIES"
        | "COUT_TOTAL"
        | "OPERATIONS_NOMBRE"
        | "OPERATIONS_MONTANT"
        | "REUNIONS_ORGANISEES"
        | "REFERENTS" => 0,
        "EQUIPE_ETP"
        | "COUT_ASSISTANCE_TECHNIQUE"
        | "REUNIONS_INSTITUTIONNELLES"
        | "REUNIONS_OPERATIONNELLES" => 2,
        c if c.starts_with("OPERATIONS_") || c.starts_with("REFERENTS_") => 2,
        _ => 1,
    }
}

/// One indicator of Tableau 10.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicateur {
    pub code: String,
    /// The report's label; `None` for a code outside [`ACTIVITE_INDICATEURS`].
    pub label: Option<&'static str>,
    /// The sum of the values reported, in hundredths.
    pub valeur_centiemes: i64,
    /// How many PLIE reported it.
    pub plies: usize,
    /// How many reports (PLIE × year) it sums: `plies` for a single year.
    pub rapports: usize,
}

impl Indicateur {
    /// The sum in units (euros, people, FTE...); `None` when no PLIE reported it.
    pub fn valeur(&self) -> Option<f64> {
        (self.plies > 0).then(|| self.valeur_centiemes as f64 / 100.0)
    }

    /// The mean per PLIE and year that reported it (per PLIE for a single year, so that staff or
    /// FTE do not grow with the length of a range); `None` when none did.
    pub fn moyenne_par_plie(&self) -> Option<f64> {
        self.valeur().map(|v| v / self.rapports as f64)
    }
}

/// Tableau 10 for a year or, summed, a range of years.
#[derive(Debug, Clone, PartialEq)]
pub struct Tableau10 {
    pub period: Period,
    pub filter: Filter,
    /// PLIE that sent activite.csv with rows for the period, after filters.
    pub plies: usize,
    /// The documented indicators in their order, then the others by code.
    pub indicateurs: Vec<Indicateur>,
}

impl Tableau10 {
    /// The documented indicators (see [`ACTIVITE_INDICATEURS`]).
    pub const INDICATEURS: &'static [(&'static str, &'static str)] = ACTIVITE_INDICATEURS;

    /// The indicator of code `code`, if documented or reported.
    pub fn indicateur(&self, code: &str) -> Option<&Indicateur> {
        self.indicateurs.iter().find(|i| i.code == code)
    }

    /// The table as printed: group `indicateur` (one line per documented code), then `autre`.
    pub fn to_table(&self) -> Table {
        let columns = vec![
            Column::new("valeur", "Valeur"),
            Column::new("plie", "PLIE répondants"),
            Column::new("moyenne_par_plie", "Moyenne par PLIE"),
        ];
        let mut table = Table::new(
            "10",
            "Tableau 10 — autres données sur l'activité des PLIE",
            self.period,
            &self.filter,
            columns,
        );
        table.plies = self.plies;
        for i in &self.indicateurs {
            let (group, label, level) = match i.label {
                Some(label) => ("indicateur", label, level(&i.code)),
                None => ("autre", i.code.as_str(), 1),
            };
            let valeur = if i.plies > 0 {
                Cell::Hundredths(i.valeur_centiemes)
            } else {
                Cell::Blank
            };
            let cells = vec![
                valeur,
                Cell::Count(i.plies as u64),
                Cell::Decimal(i.moyenne_par_plie(), 1),
            ];
            table
                .rows
                .push(Row::new(group, i.code.clone(), label, level, cells));
        }
        table.push_heading("autre", "Indicateurs hors de la liste documentée");
        table
    }
}

impl Corpus {
    /// Tableau 10 over `period` (a range sums its years), restricted by `filter` (PLIE only).
    pub fn tableau10(&self, period: Period, filter: &Filter) -> Result<Tableau10, crate::Error> {
        let scope = self.annex_scope("10", "activite.csv", filter)?;
        let annexes = self.annexes()?;
        // Per code: the sum and the PLIE that reported it.
        // Per code: the sum, the PLIE and the (PLIE, year) reports.
        let mut sums: HashMap<&str, (i64, usize, usize)> = HashMap::new();
        let mut plies = 0;
        for (p, annex) in annexes.iter().enumerate() {
            if !scope[p] {
                continue;
            }
            let mut seen: HashSet<&str> = HashSet::new();
            let mut reports: HashSet<(&str, i32)> = HashSet::new();
            for (annee, code, valeur) in &annex.activite {
                if !in_period(period, *annee) {
                    continue;
                }
                let sum = sums.entry(code.as_str()).or_default();
                sum.0 += valeur;
                if seen.insert(code.as_str()) {
                    sum.1 += 1;
                }
                if reports.insert((code.as_str(), *annee)) {
                    sum.2 += 1;
                }
            }
            plies += usize::from(!seen.is_empty());
        }
        let mut indicateurs: Vec<Indicateur> = ACTIVITE_INDICATEURS
            .iter()
            .map(|&(code, label)| {
                let (valeur, plies, rapports) = sums.remove(code).unwrap_or_default();
                Indicateur {
                    code: code.to_owned(),
                    label: Some(label),
                    valeur_centiemes: valeur,
                    plies,
                    rapports,
                }
            })
            .collect();
        let others: BTreeMap<&str, (i64, usize, usize)> = sums.into_iter().collect();
        indicateurs.extend(others.into_iter().map(|(code, (valeur, plies, rapports))| {
            Indicateur {
                code: code.to_owned(),
                label: None,
                valeur_centiemes: valeur,
                plies,
                rapports,
            }
        }));
        Ok(Tableau10 {
            period,
            filter: filter.clone(),
            plies,
            indicateurs,
        })
    }
}
