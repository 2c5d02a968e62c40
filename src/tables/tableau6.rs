//! Tableaux 6 and 6BIS: the funds of the PLIE, from the optional `financements.csv`.
//!
//! Each row of the file gives, for a PLIE, a year, an ESF axis (3 or 4) and a financer, the
//! amounts managed directly by the PLIE (`direct`) and those mobilised as the ESF's counterpart
//! (`indirect`), and whether the funds were mobilised. Both tables sum these rows over the PLIE in
//! scope and the years of the period (a flow: a range is the sum of its years).
//!
//! - **Tableau 6** prints the mobilised funds per axis (3 then 4), each with its sub-total and its
//!   seven financers, then SOUS-TOTAL MOBILISÉ, the non-mobilised funds, SOUS-TOTAL NON MOBILISÉ,
//!   TOTAL GÉNÉRAL and DONT FSE.
//! - **Tableau 6BIS** prints the same figures summed over the axes (normally over 2014..2017).
//!
//! Columns `total` (direct + indirect), `direct`, `indirect`, the codes of
//! `data/reference/plie2017_tableau6.csv`. Under the tables, the ratios of the report's commentary.
//!
//! Decisions where the spec is silent:
//! - Both axis blocks always list the seven financers, even those with no funds (the 2017 report
//!   prints axis 4's two non-empty lines only): the csv has the same lines every year.
//! - Non-mobilised funds are summed over the axes and split as the report prints them: "Fonds privés
//!   en contrepartie du FSE" is `AUTRES_PRIVES` (code `AUTRES_PRIVES`), "Autres non mobilisés" every
//!   other financer (code `AUTRES`: the reference file names it `AUTRES_PUBLICS`, but the line holds
//!   the État's or the FSE's non-mobilised funds too). As in the report, their lines, the non-mobilised
//!   sub-total, TOTAL GÉNÉRAL and DONT FSE show the total only (direct / indirect blank).
//! - DONT FSE is the FSE part of TOTAL GÉNÉRAL: the `FSE` rows, mobilised or not (in the 2017 report
//!   no FSE is non-mobilised, and DONT FSE equals the mobilised FSE).
//! - Funds per participant divide the mobilised total, direct and FSE funds by the participants en
//!   parcours in the PLIE counted by the table (those that sent funds for the period), summed over
//!   the years of a range, as the report divides by the participants of its 95 PLIE with funds.
//!   The report's own 2017 figures are not consistent with each other (1 571,80 € uses about
//!   74 300 participants, 1 046 € and 665 € about 83 100); the ratios here use one denominator.
//! - The leverage of communes and EPCI divides the mobilised FSE and the mobilised total by what
//!   `COLLECTIVITES` brought directly (mobilised, all axes), as MEASURES.md defines it. The 2017
//!   report's 3,19 € and 6,74 € are obtained by dividing by their direct + indirect funds
//!   (17,3 M€); their direct funds alone (14,5 M€) give 3,81 € and 8,05 €.
//! - Only `plie`, `departement` and `region` filters apply (they choose PLIE); any other dimension
//!   describes participants, which the file knows nothing of, and is refused.

use std::ops::Deref;

use super::{Cell, Column, Row, Table};
use crate::index::Corpus;
use crate::model::Financeur;
use crate::query::{Dimension, Filter, Measure, Path, Period, QueryError, RowFilter, Value};
use crate::store::StoreError;

/// The ESF axes of the national programme, in the published order.
pub const AXES: [u8; 2] = [3, 4];

/// How many financers there are ([`Financeur::ALL`]).
const FINANCEURS: usize = 7;

/// Amounts of one line of Tableau 6, in cents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Montants {
    /// Managed directly by the PLIE.
    pub direct: i64,
    /// Mobilised as the counterpart of the ESF, managed by others.
    pub indirect: i64,
}

impl Montants {
    /// Direct + indirect.
    pub fn total(self) -> i64 {
        self.direct + self.indirect
    }

    fn add(&mut self, other: Montants) {
        self.direct += other.direct;
        self.indirect += other.indirect;
    }

    fn sum(lines: impl IntoIterator<Item = Montants>) -> Montants {
        let mut all = Montants::default();
        lines.into_iter().for_each(|m| all.add(m));
        all
    }
}

/// The funds of the PLIE in scope over a period: what Tableaux 6 and 6BIS print.
#[derive(Debug, Clone, PartialEq)]
pub struct Financements {
    pub period: Period,
    pub filter: Filter,
    /// PLIE that sent financements.csv with rows for the period, after filters.
    pub plies: usize,
    /// Mobilised funds per axis ([`AXES`] order) and financer ([`Financeur::ALL`] order).
    pub mobilises: [[Montants; FINANCEURS]; 2],
    /// Non-mobilised funds per financer, all axes.
    pub non_mobilises: [Montants; FINANCEURS],
    /// Participants en parcours in the PLIE counted, summed over the years of the period.
    pub en_parcours: u64,
}

impl Financements {
    /// Mobilised funds of `financeur` on axis `axe` (3 or 4; another axis has none).
    pub fn mobilise(&self, axe: u8, financeur: Financeur) -> Montants {
        AXES.iter()
            .position(|&a| a == axe)
            .map_or_else(Montants::default, |a| self.mobilises[a][financeur as usize])
    }

    /// Mobilised funds of `financeur`, all axes (a line of Tableau 6BIS).
    pub fn mobilise_tous_axes(&self, financeur: Financeur) -> Montants {
        Montants::sum(AXES.map(|a| self.mobilise(a, financeur)))
    }

    /// The sub-total of axis `axe`.
    pub fn axe(&self, axe: u8) -> Montants {
        Montants::sum(Financeur::ALL.iter().map(|&f| self.mobilise(axe, f)))
    }

    /// SOUS-TOTAL MOBILISÉ.
    pub fn sous_total_mobilise(&self) -> Montants {
        Montants::sum(AXES.map(|a| self.axe(a)))
    }

    /// "Fonds privés en contrepartie du FSE" not mobilised (cents).
    pub fn fonds_prives_non_mobilises(&self) -> i64 {
        self.non_mobilises[Financeur::AutresPrives as usize].total()
    }

    /// "Autres non mobilisés": every other financer's non-mobilised funds (cents).
    pub fn autres_non_mobilises(&self) -> i64 {
        self.sous_total_non_mobilise() - self.fonds_prives_non_mobilises()
    }

    /// SOUS-TOTAL NON MOBILISÉ (cents).
    pub fn sous_total_non_mobilise(&self) -> i64 {
        Montants::sum(self.non_mobilises).total()
    }

    /// TOTAL GÉNÉRAL: mobilised and non-mobilised funds (cents).
    pub fn total_general(&self) -> i64 {
        self.sous_total_mobilise().total() + self.sous_total_non_mobilise()
    }

    /// DONT FSE: the FSE funds of TOTAL GÉNÉRAL, mobilised or not (cents).
    pub fn dont_fse(&self) -> i64 {
        self.mobilise_tous_axes(Financeur::Fse).total()
            + self.non_mobilises[Financeur::Fse as usize].total()
    }

    fn per_participant(&self, cents: i64) -> Option<f64> {
        (self.en_parcours > 0).then(|| cents as f64 / 100.0 / self.en_parcours as f64)
    }

    /// Mobilised funds per participant en parcours, in euros.
    pub fn par_participant(&self) -> Option<f64> {
        self.per_participant(self.sous_total_mobilise().total())
    }

    /// Mobilised direct funds per participant en parcours, in euros.
    pub fn directs_par_participant(&self) -> Option<f64> {
        self.per_participant(self.sous_total_mobilise().direct)
    }

    /// Mobilised FSE per participant en parcours, in euros.
    pub fn fse_par_participant(&self) -> Option<f64> {
        self.per_participant(self.mobilise_tous_axes(Financeur::Fse).total())
    }

    fn per_euro_collectivites(&self, cents: i64) -> Option<f64> {
        let base = self.mobilise_tous_axes(Financeur::Collectivites).direct;
        (base != 0).then(|| cents as f64 / base as f64)
    }

    /// Euros of FSE raised per euro brought directly by communes and EPCI.
    pub fn fse_par_euro_collectivites(&self) -> Option<f64> {
        self.per_euro_collectivites(self.mobilise_tous_axes(Financeur::Fse).total())
    }

    /// Euros mobilised in all per euro brought directly by communes and EPCI.
    pub fn total_par_euro_collectivites(&self) -> Option<f64> {
        self.per_euro_collectivites(self.sous_total_mobilise().total())
    }

    /// A table of the three columns, scope set, without lines.
    fn table(&self, tableau: &'static str, title: &str) -> Table {
        let columns = vec![
            Column::new("total", "Total financements directs + indirects"),
            Column::new("direct", "Dont financements directs (*)"),
            Column::new(
                "indirect",
                "Dont financements indirects mobilisés en contrepartie du FSE",
            ),
        ];
        let mut table = Table::new(tableau, title, self.period, &self.filter, columns);
        table.plies = self.plies;
        table
    }

    /// The lines after the mobilised ones, shared by both tables, and the notes.
    fn finish(&self, table: &mut Table) {
        let total_only = |cents: i64| vec![Cell::Amount(cents), Cell::Blank, Cell::Blank];
        let lines = [
            (
                "non_mobilise",
                "AUTRES_PRIVES",
                "Fonds privés en contrepartie du FSE",
                1,
                self.fonds_prives_non_mobilises(),
            ),
            (
                "non_mobilise",
                "AUTRES",
                "Autres non mobilisés",
                1,
                self.autres_non_mobilises(),
            ),
            (
                "non_mobilise",
                "total",
                "SOUS-TOTAL NON MOBILISÉ",
                0,
                self.sous_total_non_mobilise(),
            ),
            ("total", "total", "TOTAL GÉNÉRAL", 0, self.total_general()),
            ("total", "FSE", "DONT FSE", 2, self.dont_fse()),
        ];
        for (group, code, label, level, cents) in lines {
            table
                .rows
                .push(Row::new(group, code, label, level, total_only(cents)));
        }
        table.push_heading("non_mobilise", "Non mobilisés");
        let notes = [
            (
                "en_parcours",
                "Participants en parcours dans ces PLIE",
                Cell::Count(self.en_parcours),
            ),
            (
                "financements_par_participant",
                "Financements mobilisés par participant en parcours (euros)",
                Cell::Decimal(self.par_participant(), 2),
            ),
            (
                "directs_par_participant",
                "Dont financements directs par participant (euros)",
                Cell::Decimal(self.directs_par_participant(), 2),
            ),
            (
                "fse_par_participant",
                "Dont FSE par participant (euros)",
                Cell::Decimal(self.fse_par_participant(), 2),
            ),
            (
                "fse_par_euro_collectivites",
                "FSE levé par euro apporté en direct par les communes et EPCI (euros)",
                Cell::Decimal(self.fse_par_euro_collectivites(), 2),
            ),
            (
                "total_par_euro_collectivites",
                "Total mobilisé par euro apporté en direct par les communes et EPCI (euros)",
                Cell::Decimal(self.total_par_euro_collectivites(), 2),
            ),
        ];
        for (key, label, value) in notes {
            table.push_note(key, label, value);
        }
    }
}

/// The report's label of a financer's line.
fn label(f: Financeur) -> &'static str {
    match f {
        Financeur::Collectivites => {
            "Collectivités locales (communes, communautés de communes, aggro., communautés urbaines...)"
        }
        Financeur::Departement => "Conseil départemental",
        Financeur::Region => "Conseil régional",
        Financeur::Etat => "Etat",
        Financeur::AutresPublics => "Autres financements publics mobilisés en contrepartie du FSE",
        Financeur::AutresPrives => "Autres financements privés mobilisés en contrepartie du FSE",
        Financeur::Fse => "FSE",
    }
}

fn amounts(m: Montants) -> Vec<Cell> {
    vec![
        Cell::Amount(m.total()),
        Cell::Amount(m.direct),
        Cell::Amount(m.indirect),
    ]
}

/// Tableau 6: funds of a year (or, summed, a range) by ESF axis and financer.
#[derive(Debug, Clone, PartialEq)]
pub struct Tableau6(pub Financements);

impl Deref for Tableau6 {
    type Target = Financements;
    fn deref(&self) -> &Financements {
        &self.0
    }
}

impl Tableau6 {
    /// The table as printed: groups `axe3`, `axe4` (line `total` = the axis sub-total, then one
    /// line per financer code), `mobilise` (`total`), `non_mobilise`, `total` (`total`, `FSE`).
    pub fn to_table(&self) -> Table {
        let mut table = self.table("6", "Tableau 6 — financements mobilisés par les PLIE");
        for (a, axe) in AXES.iter().enumerate() {
            let group = format!("axe{axe}");
            let head = match axe {
                3 => "Axe 3 du PON 2014-2020",
                _ => "Axe 4 du PON 2014-2020 (AT)",
            };
            table
                .rows
                .push(Row::new(&group, "total", head, 0, amounts(self.axe(*axe))));
            for &f in Financeur::ALL {
                let cells = amounts(self.mobilises[a][f as usize]);
                table
                    .rows
                    .push(Row::new(&group, f.code(), label(f), 1, cells));
            }
        }
        table.push_heading("axe3", "Mobilisés");
        table.rows.push(Row::new(
            "mobilise",
            "total",
            "SOUS-TOTAL MOBILISÉ",
            0,
            amounts(self.sous_total_mobilise()),
        ));
        self.finish(&mut table);
        table
    }
}

/// Tableau 6BIS: funds over a range (or a year) by financer, all axes.
#[derive(Debug, Clone, PartialEq)]
pub struct Tableau6bis(pub Financements);

impl Deref for Tableau6bis {
    type Target = Financements;
    fn deref(&self) -> &Financements {
        &self.0
    }
}

impl Tableau6bis {
    /// The table as printed: group `mobilise` (one line per financer code, then `total`),
    /// `non_mobilise`, `total` (`total`, `FSE`).
    pub fn to_table(&self) -> Table {
        let mut table = self.table(
            "6bis",
            "Tableau 6BIS — financements mobilisés par les PLIE, cumul",
        );
        for &f in Financeur::ALL {
            let cells = amounts(self.mobilise_tous_axes(f));
            table
                .rows
                .push(Row::new("mobilise", f.code(), label(f), 1, cells));
        }
        table.rows.push(Row::new(
            "mobilise",
            "total",
            "SOUS-TOTAL MOBILISÉ",
            0,
            amounts(self.sous_total_mobilise()),
        ));
        table.push_heading("mobilise", "Mobilisés");
        self.finish(&mut table);
        table
    }
}

/// Whether year `annee` of an optional file's row falls in `period`.
pub(super) fn in_period(period: Period, annee: i32) -> bool {
    (period.first..=period.last).contains(&annee)
}

impl Corpus {
    /// The PLIE an optional file's table covers under `filter`: only the dimensions that choose
    /// PLIE apply, the others are refused as meaningless for `source_file`.
    pub(super) fn annex_scope(
        &self,
        tableau: &'static str,
        source_file: &'static str,
        filter: &Filter,
    ) -> Result<Vec<bool>, crate::Error> {
        for (dimension, _) in &filter.clauses {
            if !dimension.is_territorial() {
                return Err(QueryError::FilterNotApplicable {
                    tableau,
                    source_file,
                    dimension: dimension.code(),
                }
                .into());
            }
        }
        Ok(RowFilter::resolve(filter, self)?.plies)
    }

    /// Participants en parcours over `period` (summed over its years) in the PLIE of `plies`.
    fn en_parcours_of(&self, period: Period, plies: &[bool]) -> Result<u64, crate::Error> {
        if !plies.contains(&true) {
            return Ok(0);
        }
        let grouped = self.grouped(
            period,
            &Filter::none(),
            &[vec![Dimension::Plie]],
            Path::Summary,
        )?;
        let (axes, tallies) = &grouped.groupings[0];
        let mut n = 0;
        for (code, tally) in axes[0].values.iter().zip(tallies) {
            let counted = self
                .plies
                .iter()
                .zip(plies)
                .any(|(p, &ok)| ok && &p.plie == code);
            if let (true, Value::Count(c)) = (counted, tally.get(Measure::EnParcours)) {
                n += c;
            }
        }
        Ok(n)
    }

    /// The funds of the PLIE in scope over `period`; `tableau` (6 or 6bis) names the table in a
    /// refused filter's error.
    fn financements(
        &self,
        tableau: &'static str,
        period: Period,
        filter: &Filter,
    ) -> Result<Financements, crate::Error> {
        let scope = self.annex_scope(tableau, "financements.csv", filter)?;
        let annexes = self.annexes()?;
        let mut funds = Financements {
            period,
            filter: filter.clone(),
            plies: 0,
            mobilises: [[Montants::default(); FINANCEURS]; 2],
            non_mobilises: [Montants::default(); FINANCEURS],
            en_parcours: 0,
        };
        let mut counted = vec![false; self.plies.len()];
        for (p, annex) in annexes.iter().enumerate() {
            if !scope[p] {
                continue;
            }
            for &(annee, axe, financeur, direct, indirect, mobilise) in &annex.financements {
                if !in_period(period, annee) {
                    continue;
                }
                counted[p] = true;
                let f = usize::from(financeur);
                let m = Montants { direct, indirect };
                let axis = AXES.iter().position(|&a| a == axe);
                let Some(a) = axis.filter(|_| f < FINANCEURS) else {
                    return Err(StoreError::Corrupt(format!(
                        "PLIE {}: a funds row has axis {axe} and financer code {financeur}, \
                         which no import writes",
                        self.plies[p].plie
                    ))
                    .into());
                };
                if mobilise {
                    funds.mobilises[a][f].add(m);
                } else {
                    funds.non_mobilises[f].add(m);
                }
            }
        }
        funds.plies = counted.iter().filter(|&&c| c).count();
        funds.en_parcours = self.en_parcours_of(period, &counted)?;
        Ok(funds)
    }

    /// Tableau 6 over `period` (a range sums its years), restricted by `filter` (PLIE only).
    pub fn tableau6(&self, period: Period, filter: &Filter) -> Result<Tableau6, crate::Error> {
        Ok(Tableau6(self.financements("6", period, filter)?))
    }

    /// Tableau 6BIS over `period` (normally a range), restricted by `filter` (PLIE only).
    pub fn tableau6bis(
        &self,
        period: Period,
        filter: &Filter,
    ) -> Result<Tableau6bis, crate::Error> {
        Ok(Tableau6bis(self.financements("6bis", period, filter)?))
    }
}
