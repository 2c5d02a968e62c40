//! Tableau 1: entries and exits of a year (or the sum over a range) by characteristic at entry.

use super::{Cell, Column, Row, Table};
use crate::index::Corpus;
use crate::query::{Dimension, Filter, Measure, Path, Period, Tally, Value};

/// The columns of Tableau 1, as CLI.md names them in csv, with the measure each one shows.
pub const TABLEAU1_COLUMNS: &[(&str, Measure)] = &[
    ("entrees", Measure::Entrees),
    ("en_parcours", Measure::EnParcours),
    ("report", Measure::Report),
    ("sorties_positives", Measure::SortiesPositives),
    ("sorties_emploi", Measure::SortiesEmploi),
    ("sorties_formation", Measure::SortiesFormation),
    ("sorties_sans_suite", Measure::SortiesSansSuite),
    ("abandons", Measure::Abandons),
    (
        "demenagements_deces_retraites",
        Measure::DemenagementsDecesRetraites,
    ),
    ("autres_sans_suite", Measure::AutresSansSuite),
    ("taux_sortie_positive", Measure::TauxSortiesPositives),
];

/// The French headers of [`TABLEAU1_COLUMNS`], in the same order.
const HEADERS: &[&str] = &[
    "Entrées",
    "En parcours",
    "Report",
    "Sorties positives",
    "dont emploi",
    "dont formation",
    "Sorties sans suite",
    "Abandons",
    "Déménag., décès, retraite",
    "Autres sans suite",
    "Taux de sortie positive",
];

/// One line of Tableau 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Tableau1Row {
    /// CLI.md's group code: `total`, `sexe`, `age_26`, ..., `public_x_inscrit_pe`.
    pub group: &'static str,
    /// The value code within the group (`total` for the total line).
    pub row: String,
    /// The published report's label.
    pub label: &'static str,
    pub tally: Tally,
}

impl Tableau1Row {
    pub fn get(&self, measure: Measure) -> Value {
        self.tally.get(measure)
    }
}

/// Tableau 1 for a year or, summed, a range of years.
#[derive(Debug, Clone, PartialEq)]
pub struct Tableau1 {
    pub period: Period,
    pub filter: Filter,
    /// PLIE with at least one parcours active in the period after filters.
    pub plies: usize,
    /// In the published order, the total first.
    pub rows: Vec<Tableau1Row>,
}

impl Tableau1 {
    /// The `total` line.
    pub fn total(&self) -> &Tableau1Row {
        &self.rows[0]
    }

    /// Mean months of inactivity over the parcours en_parcours whose inactivity is a number.
    pub fn inactivite_moyenne_mois(&self) -> Option<f64> {
        self.total().tally.inactivite_moyenne()
    }

    /// The line of `group` and `row`, if the table has it.
    pub fn row(&self, group: &str, row: &str) -> Option<&Tableau1Row> {
        self.rows.iter().find(|r| r.group == group && r.row == row)
    }

    /// The table as printed (CLI.md's "Tableau 1 in csv").
    pub fn to_table(&self) -> Table {
        let columns = TABLEAU1_COLUMNS
            .iter()
            .zip(HEADERS)
            .map(|((key, _), label)| Column::new(*key, *label))
            .collect();
        let mut table = Table::new(
            "1",
            "Tableau 1 — flux d'entrées et de sorties",
            self.period,
            &self.filter,
            columns,
        );
        table.plies = self.plies;
        for r in &self.rows {
            let level = match r.group {
                "total" => 0,
                "public_x_inscrit_pe" => 2,
                _ => 1,
            };
            let cells = TABLEAU1_COLUMNS
                .iter()
                .map(|(_, m)| Cell::from(r.get(*m)))
                .collect();
            table
                .rows
                .push(Row::new(r.group, r.row.clone(), r.label, level, cells));
        }
        table.push_heading("niveau", "Niveau");
        table.push_heading("inactivite", "Durée d'inactivité");
        table.push_note(
            "inactivite_moyenne_mois",
            "Durée moyenne d'inactivité des participants PLIE (en mois)",
            Cell::Decimal(self.inactivite_moyenne_mois(), 2),
        );
        table
    }
}

/// Rows of each group, with their labels; `None` keeps the value out of the table.
const LABELS: &[(Dimension, &[Option<&str>])] = &[
    (Dimension::Sexe, &[Some("hommes"), Some("femmes")]),
    (Dimension::Age26, &[Some("< 26 ans"), Some("≥ 26 ans")]),
    (
        Dimension::TrancheAge,
        &[
            Some("15-24 ans"),
            Some("25-44 ans"),
            Some("45-54 ans"),
            Some("55-64 ans"),
            Some("65 ans et +"),
        ],
    ),
    (Dimension::Th, &[Some("Travailleurs handicapés"), None]),
    (
        Dimension::InscritPe,
        &[Some("Participants inscrits à Pôle emploi"), None],
    ),
    (
        Dimension::Public,
        &[
            Some("DELD"),
            Some("RSA"),
            Some("Autres publics en difficulté"),
        ],
    ),
    (
        Dimension::Niveau,
        &[
            Some("VI"),
            Some("V bis"),
            Some("V"),
            Some("IV"),
            Some("III"),
            Some("II"),
            Some("I"),
            Some("9"),
            Some("Non connu"),
        ],
    ),
    (
        Dimension::Inactivite,
        &[
            Some("< 1 an"),
            Some("de 1 à 2 ans"),
            Some("de 2 à 3 ans"),
            Some("de 3 à 5 ans"),
            Some("plus de 5 ans"),
            Some("aucune activité"),
            None,
        ],
    ),
];

impl Corpus {
    /// Tableau 1 over `period`, restricted by `filter`.
    pub fn tableau1(&self, period: Period, filter: &Filter) -> Result<Tableau1, crate::Error> {
        self.tableau1_with(period, filter, Path::Summary)
    }

    /// Tableau 1 computed on the chosen query path.
    pub fn tableau1_with(
        &self,
        period: Period,
        filter: &Filter,
        path: Path,
    ) -> Result<Tableau1, crate::Error> {
        let mut groupings: Vec<Vec<Dimension>> = LABELS.iter().map(|(d, _)| vec![*d]).collect();
        groupings.push(vec![Dimension::Public, Dimension::InscritPe]);
        let grouped = self.grouped(period, filter, &groupings, path)?;
        let tallies: Vec<&Vec<Tally>> = grouped.groupings.iter().map(|(_, t)| t).collect();

        let mut total = Tally::default();
        tallies[0].iter().for_each(|t| total.merge(t));
        let mut rows = vec![Tableau1Row {
            group: "total",
            row: "total".into(),
            label: "Nombre total",
            tally: total,
        }];
        for ((dimension, labels), cells) in LABELS.iter().zip(&tallies) {
            let values = dimension
                .fixed_values()
                .expect("Tableau 1 groups are fixed-code");
            for (i, label) in labels.iter().enumerate() {
                let Some(label) = label else { continue };
                rows.push(Tableau1Row {
                    group: dimension.code(),
                    row: values[i].to_owned(),
                    label,
                    tally: cells[i],
                });
                if *dimension == Dimension::Public {
                    // public × inscrit_pe: the column of value "1" (registered) of this public.
                    let crossed = tallies[LABELS.len()];
                    rows.push(Tableau1Row {
                        group: "public_x_inscrit_pe",
                        row: values[i].to_owned(),
                        label: "dont inscrits Pôle emploi",
                        tally: crossed[i * 2],
                    });
                }
            }
        }
        // The published order puts th and inscrit_pe before the publics, as LABELS does.
        Ok(Tableau1 {
            period,
            filter: filter.clone(),
            plies: grouped.plies,
            rows,
        })
    }
}
