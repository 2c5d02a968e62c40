//! Tableau 2, « analyse des parcours »: the étapes active in the period, counted by type in the
//! report's hierarchy, total / hommes / femmes, and the mean number of étapes per participant en
//! parcours.
//!
//! What is counted:
//! - An étape is active in the period when it starts on or before the period's last day and ends
//!   on or after its first day. An étape without `fin` runs until its parcours's exit, or is still
//!   running when the parcours is open: FORMAT.md keeps every étape within its parcours, so a
//!   missing end date cannot outlive the exit (and every étape counted then belongs to a
//!   parcours counted in the mean's denominator).
//! - Over a range of years an étape active at some time of the range counts once, as a single
//!   year does: the table is a stock of étapes, not a flow, so a range is not the sum of its years.
//! - The sex is the sex of the étape's parcours; any parcours filter (sexe, public, plie,
//!   region...) applies through the étape's parcours, so no filter is refused.
//! - The mean divides by the parcours active in the period, each once (`parcours_distincts`, the
//!   en_parcours of a single year: 186 163 / 100 550 = 1.85 in 2017), with or without étapes.
//! - Sub-totals are rows of their own: emplois de parcours = IAE + hors IAE + autres contrats, as
//!   the published 51 881 is. The hierarchy is four deep, so the leaves under « contrats aidés »
//!   and « contrats non aidés » are `level` 3.
//! - PLIE counted: those with at least one étape active in the period after filters.
//!
//! The étapes passing a period and a filter are found by [`active_etapes`], which Tableaux 4 and
//! 5 share.

use time::{Date, Month};

use super::{Cell, Column, Row, Table};
use crate::index::{Chunk, Corpus, PlieView};
use crate::model::{EtapeType, EtapeType as E, Sexe};
use crate::query::{Dimension, Filter, Path, Period, RowFilter};
use crate::store::{Columns, EtapesChunk, EtapesColumn, ParcoursColumn, StoreError};

/// How many étape types there are.
const TYPES: usize = EtapeType::ALL.len();

/// A line of the table: the étape types it adds up.
struct Line {
    group: &'static str,
    /// Empty for a leaf, whose code is its étape type's.
    code: &'static str,
    label: &'static str,
    level: u8,
    types: &'static [EtapeType],
}

const IAE: &[EtapeType] = &[E::IaeAci, E::IaeEi, E::IaeEtti, E::IaeAi, E::IaeRq];
const AIDES: &[EtapeType] = &[E::AideCuiCae, E::AideGeiq, E::AideEmploiAvenir];
const NON_AIDES: &[EtapeType] = &[E::CddCourt, E::Interim, E::CdiTempsPartiel];
const HORS_IAE: &[EtapeType] = &[
    E::AideCuiCae,
    E::AideGeiq,
    E::AideEmploiAvenir,
    E::CddCourt,
    E::Interim,
    E::CdiTempsPartiel,
];
const EMPLOIS_PARCOURS: &[EtapeType] = &[
    E::IaeAci,
    E::IaeEi,
    E::IaeEtti,
    E::IaeAi,
    E::IaeRq,
    E::AideCuiCae,
    E::AideGeiq,
    E::AideEmploiAvenir,
    E::CddCourt,
    E::Interim,
    E::CdiTempsPartiel,
    E::AutreContrat,
];
const FORMATION: &[EtapeType] = &[E::FormationQualifiante, E::FormationNonQualifiante];

/// A sub-total line.
const fn sub(
    group: &'static str,
    level: u8,
    code: &'static str,
    label: &'static str,
    types: &'static [EtapeType],
) -> Line {
    Line {
        group,
        code,
        label,
        level,
        types,
    }
}

/// A line of one étape type.
const fn leaf(
    group: &'static str,
    level: u8,
    label: &'static str,
    t: &'static [EtapeType],
) -> Line {
    Line {
        group,
        code: "",
        label,
        level,
        types: t,
    }
}

impl Line {
    fn code(&self) -> &'static str {
        if self.code.is_empty() {
            self.types[0].code()
        } else {
            self.code
        }
    }
}

/// The lines in the published order (seed lines 715-745), leaves coded as the étape types of
/// data/reference/plie2017_tableau2.csv.
const LINES: &[Line] = &[
    sub("total", 0, "TOTAL", "Total", EtapeType::ALL),
    leaf("mobilisation", 0, "Mobilisation", &[E::Mobilisation]),
    sub(
        "emplois_parcours",
        0,
        "EMPLOIS_PARCOURS",
        "Emplois de parcours",
        EMPLOIS_PARCOURS,
    ),
    sub("emplois_parcours", 1, "IAE", "• IAE", IAE),
    leaf("emplois_parcours", 2, "ACI", &[E::IaeAci]),
    leaf("emplois_parcours", 2, "EI", &[E::IaeEi]),
    leaf("emplois_parcours", 2, "ETTI", &[E::IaeEtti]),
    leaf("emplois_parcours", 2, "AI", &[E::IaeAi]),
    leaf("emplois_parcours", 2, "Régie de Quartier", &[E::IaeRq]),
    sub("emplois_parcours", 1, "HORS_IAE", "• Hors IAE", HORS_IAE),
    sub(
        "emplois_parcours",
        2,
        "CONTRATS_AIDES",
        "Contrats aidés",
        AIDES,
    ),
    leaf("emplois_parcours", 3, "CUI-CAE", &[E::AideCuiCae]),
    leaf("emplois_parcours", 3, "Contrat en GEIQ", &[E::AideGeiq]),
    leaf(
        "emplois_parcours",
        3,
        "Emploi d'avenir",
        &[E::AideEmploiAvenir],
    ),
    sub(
        "emplois_parcours",
        2,
        "CONTRATS_NON_AIDES",
        "Contrats non aidés",
        NON_AIDES,
    ),
    leaf("emplois_parcours", 3, "CDD court", &[E::CddCourt]),
    leaf("emplois_parcours", 3, "Contrat d'intérim", &[E::Interim]),
    leaf(
        "emplois_parcours",
        3,
        "CDI à temps partiel",
        &[E::CdiTempsPartiel],
    ),
    leaf(
        "emplois_parcours",
        1,
        "• Autres contrats",
        &[E::AutreContrat],
    ),
    leaf("emploi_sortie", 0, "Emploi de sortie", &[E::EmploiSortie]),
    sub("formation", 0, "FORMATION", "Formation", FORMATION),
    leaf(
        "formation",
        1,
        "Qualifiante ou certifiante",
        &[E::FormationQualifiante],
    ),
    leaf(
        "formation",
        1,
        "Non qualifiante",
        &[E::FormationNonQualifiante],
    ),
    leaf("mediation", 0, "Médiation à l'emploi", &[E::Mediation]),
    leaf(
        "creation_entreprise",
        0,
        "Création d'entreprise",
        &[E::CreationEntreprise],
    ),
];

/// Tableau 2 for a year or a range of years.
#[derive(Debug, Clone, PartialEq)]
pub struct Tableau2 {
    pub period: Period,
    pub filter: Filter,
    /// PLIE with at least one étape active in the period after filters.
    pub plies: usize,
    /// Étapes active in the period, per [`EtapeType`] code and [`Sexe`] code (0 hommes, 1 femmes).
    pub etapes: [[u64; 2]; TYPES],
    /// Parcours active in the period after filters, each once, per [`Sexe`] code: the mean's
    /// denominator (Tableau 1's en_parcours for a single year).
    pub en_parcours: [u64; 2],
}

/// `[hommes, femmes]` summed, or one of them.
fn pick(pair: [u64; 2], sexe: Option<Sexe>) -> u64 {
    match sexe {
        None => pair[0] + pair[1],
        Some(s) => pair[s as usize],
    }
}

impl Tableau2 {
    /// Étapes of type `etape` (of one sex, or both with `None`).
    pub fn count(&self, etape: EtapeType, sexe: Option<Sexe>) -> u64 {
        pick(self.etapes[etape as usize], sexe)
    }

    /// Every étape counted (line `TOTAL`).
    pub fn total(&self, sexe: Option<Sexe>) -> u64 {
        EtapeType::ALL.iter().map(|&t| self.count(t, sexe)).sum()
    }

    /// The figure of any line of the table by its csv code: a leaf (`IAE_ACI`) or a sub-total
    /// (`TOTAL`, `EMPLOIS_PARCOURS`, `IAE`, `HORS_IAE`, `CONTRATS_AIDES`, `CONTRATS_NON_AIDES`,
    /// `FORMATION`); `None` for a code the table does not have.
    pub fn line(&self, code: &str, sexe: Option<Sexe>) -> Option<u64> {
        let line = LINES.iter().find(|l| l.code() == code)?;
        Some(line.types.iter().map(|&t| self.count(t, sexe)).sum())
    }

    /// Jobs held during the parcours: emplois de parcours and emploi de sortie (the
    /// commentary's « 71 580 emplois » of 2017).
    pub fn emplois(&self, sexe: Option<Sexe>) -> u64 {
        EMPLOIS_PARCOURS
            .iter()
            .chain(&[E::EmploiSortie])
            .map(|&t| self.count(t, sexe))
            .sum()
    }

    /// Parcours active in the period (one sex, or both).
    pub fn participants(&self, sexe: Option<Sexe>) -> u64 {
        pick(self.en_parcours, sexe)
    }

    /// Mean number of étapes per participant en parcours; `None` without any participant.
    pub fn moyenne_par_participant(&self, sexe: Option<Sexe>) -> Option<f64> {
        let n = self.participants(sexe);
        (n != 0).then(|| self.total(sexe) as f64 / n as f64)
    }

    /// The table as printed: csv codes of data/reference/plie2017_tableau2.csv.
    pub fn to_table(&self) -> Table {
        let columns = vec![
            Column::new("total", "Total"),
            Column::new("hommes", "Homme"),
            Column::new("femmes", "Femme"),
        ];
        let mut table = Table::new(
            "2",
            "Tableau 2 — analyse des parcours",
            self.period,
            &self.filter,
            columns,
        );
        table.plies = self.plies;
        let sexes = [None, Some(Sexe::H), Some(Sexe::F)];
        for l in LINES {
            let cells = sexes
                .iter()
                .map(|&s| Cell::Count(l.types.iter().map(|&t| self.count(t, s)).sum()))
                .collect();
            table
                .rows
                .push(Row::new(l.group, l.code(), l.label, l.level, cells));
        }
        table.rows.push(Row::new(
            "moyenne",
            "PARTICIPANTS",
            "Participants en parcours sur la période",
            0,
            sexes
                .iter()
                .map(|&s| Cell::Count(self.participants(s)))
                .collect(),
        ));
        table.rows.push(Row::new(
            "moyenne",
            "MOYENNE_PAR_PARTICIPANT",
            "Nombre moyen d'étapes par participant",
            0,
            sexes
                .iter()
                .map(|&s| Cell::Decimal(self.moyenne_par_participant(s), 2))
                .collect(),
        ));
        table
    }
}

/// Day numbers (days since 1990-01-01, as the columns store them) of the period's first and last
/// days; wider than `u16` so that a period outside the storable days still compares right.
fn period_days(period: Period) -> (i64, i64) {
    let day = |year: i32, month: Month, d: u8| {
        let date = Date::from_calendar_date(year.clamp(-9999, 9999), month, d)
            .expect("1 January and 31 December exist every year");
        let epoch =
            Date::from_calendar_date(crate::model::FIRST_YEAR, Month::January, 1).expect("a date");
        i64::from(date.to_julian_day() - epoch.to_julian_day())
    };
    (
        day(period.first, Month::January, 1),
        day(period.last, Month::December, 31),
    )
}

/// The étapes active in a period whose parcours passes a filter (an étape without `fin` ends
/// with its parcours), found PLIE by PLIE.
pub(super) struct ActiveEtapes {
    rf: RowFilter,
    /// The period's first and last day numbers.
    days: (i64, i64),
}

impl ActiveEtapes {
    pub fn new(corpus: &Corpus, period: Period, filter: &Filter) -> Result<Self, crate::Error> {
        Ok(ActiveEtapes {
            rf: RowFilter::resolve(filter, corpus)?,
            days: period_days(period),
        })
    }

    /// The parcours columns a [`PlieView`] needs for [`ActiveEtapes::each`], with `extra`.
    pub fn columns(&self, extra: Columns) -> Columns {
        extra.with(ParcoursColumn::Sortie).union(self.rf.columns())
    }

    /// Whether PLIE `p` passes the filter.
    pub fn keeps(&self, p: usize) -> bool {
        self.rf.plies[p]
    }

    /// Calls `f` with each active étape of the PLIE of `view` (read with [`Self::columns`]): its
    /// parcours's chunk and index, the étapes chunk (with `columns` and what activity needs) and
    /// the étape's index in it.
    pub fn each(
        &self,
        corpus: &Corpus,
        view: &PlieView,
        columns: &[EtapesColumn],
        mut f: impl FnMut(&Chunk, usize, &EtapesChunk, usize) -> Result<(), crate::Error>,
    ) -> Result<(), crate::Error> {
        let (first, last) = self.days;
        let activity = [
            EtapesColumn::Parcours,
            EtapesColumn::Debut,
            EtapesColumn::Fin,
        ];
        let mut wanted = activity.to_vec();
        wanted.extend(columns.iter().filter(|c| !activity.contains(c)));
        for etapes in view.etapes(&wanted) {
            let etapes = etapes?;
            for k in 0..etapes.parcours.len() {
                if i64::from(etapes.debut[k]) > last {
                    continue;
                }
                let (chunk, i) = view.row(etapes.parcours[k]).ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "PLIE {}: an étape names parcours row {}, which does not exist",
                        corpus.plies[view.plie as usize].plie, etapes.parcours[k]
                    ))
                })?;
                let end = match (etapes.fin[k], chunk.raw.sortie[i]) {
                    (u16::MAX, u16::MAX) => i64::MAX,
                    (u16::MAX, exit) => i64::from(exit),
                    (fin, _) => i64::from(fin),
                };
                if end >= first && self.rf.row(chunk, i) {
                    f(chunk, i, &etapes, k)?;
                }
            }
        }
        Ok(())
    }
}

/// A stored étape type or sex code the model does not know.
pub(super) fn corrupt(etape: u8, sexe: u8) -> crate::store::StoreError {
    crate::store::StoreError::Corrupt(format!(
        "an étape of type code {etape} or a parcours of sex code {sexe} is stored"
    ))
}

impl Corpus {
    /// Tableau 2 over `period`, restricted by `filter` (any parcours filter, applied through the
    /// étape's parcours).
    pub fn tableau2(&self, period: Period, filter: &Filter) -> Result<Tableau2, crate::Error> {
        let active = ActiveEtapes::new(self, period, filter)?;
        let (etapes, plies) = self.fold_plies(
            active.columns(Columns::of(&[ParcoursColumn::Sexe])),
            |p| active.keeps(p),
            || ([[0u64; 2]; TYPES], vec![false; self.plies.len()]),
            |(mut etapes, mut plies), view| {
                active.each(self, view, &[EtapesColumn::Etape], |chunk, i, found, k| {
                    let t = found.etape[k];
                    let cell = etapes
                        .get_mut(t as usize)
                        .and_then(|by_sex| by_sex.get_mut(chunk.raw.sexe[i] as usize))
                        .ok_or_else(|| corrupt(t, chunk.raw.sexe[i]))?;
                    *cell += 1;
                    plies[chunk.plie as usize] = true;
                    Ok(())
                })?;
                Ok::<_, crate::Error>((etapes, plies))
            },
            |(mut a, mut pa), (b, pb)| {
                for (x, y) in a.iter_mut().flatten().zip(b.iter().flatten()) {
                    *x += y;
                }
                pa.iter_mut().zip(pb).for_each(|(x, y)| *x |= y);
                (a, pa)
            },
        )?;
        let grouped = self.grouped(period, filter, &[vec![Dimension::Sexe]], Path::Summary)?;
        let by_sex = &grouped.groupings[0].1;
        Ok(Tableau2 {
            period,
            filter: filter.clone(),
            plies: plies.iter().filter(|&&p| p).count(),
            etapes,
            en_parcours: [by_sex[0].parcours_distincts, by_sex[1].parcours_distincts],
        })
    }
}
