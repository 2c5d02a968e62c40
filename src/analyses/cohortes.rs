//! Cohorts of entrants followed over time: for the parcours that enter in each year of a range,
//! how many have exited positively, exited without follow-up, or are still in parcours 6, 12, 24,
//! 36... months after their entry, optionally split by one characteristic.
//!
//! ```no_run
//! use consolide::analyses::cohortes::{CohortQuery, Statut};
//! use consolide::{Corpus, Dimension, Period, Store};
//! # fn main() -> Result<(), consolide::Error> {
//! let corpus = Corpus::load(&Store::open("consolide.redb".as_ref())?)?;
//! let c = corpus.cohortes(&CohortQuery {
//!     entrees: Some(Period::years(2014, 2016)?),
//!     par: Some(Dimension::Public),
//!     ..CohortQuery::default()
//! })?;
//! let rsa_2015 = c.cohorte(2015, Some("RSA")).expect("a cohort per year and value");
//! println!("{:?}", rsa_2015.part(12, Statut::SortiePositive));
//! # Ok(()) }
//! ```
//!
//! # Definitions
//! - **Cohort** of year `Y`: the parcours whose entry `e` falls in `Y` (1 January to 31
//!   December) and that pass the filter. Its **entrants** are exactly Tableau 1's `entrees` of `Y`
//!   on the same filter (the total line), or of the cross-tab by the split dimension (each value).
//! - **Horizon** of `m` months of a parcours: the same day of the month `m` calendar months after
//!   `e`, or that month's last day when it is shorter (31 August + 6 months = the last day of
//!   February); calendar arithmetic, not `m × 30` days. `m` = 0 is the entry day itself.
//! - At horizon `m`, a parcours with exit `x` and reason `r` has **exited positively** when
//!   `x <= e + m months` (the horizon day included) and `r` is EMPLOI, FORMATION or
//!   AUTRE_POSITIVE; **exited without follow-up** (*sans suite*) when `x <= e + m months` and `r`
//!   is one of the three other reasons; it is **still in parcours** otherwise (no exit, or an exit
//!   after the horizon). The three add up to the entrants, and the exits never decrease with `m`.
//! - **Shares** are counts divided by the cohort's entrants, computed exactly (rounded only when
//!   printed); a cohort without entrants has no shares (`None`, never 0 or NaN).
//! - **Split** (`par`): each value of one characteristic at entry (`sexe`, `public`,
//!   `tranche_age`, `qpv`, ... every fixed-code dimension of CLI.md) or territory (`plie`,
//!   `departement`, `region`: the values present after the filter). Each year has its total line
//!   (every entrant, `valeur` = `None`) and one line per value. An entrant with no value on the
//!   dimension (an age outside every band of `tranche_age`, under 15) counts in the total only;
//!   `qpv` and `inactivite` have their own unknown value `?`. `annee_entree`, `annee_sortie` and
//!   `motif_sortie` are refused: the first is the cohort itself, the other two describe the
//!   outcome the table measures.
//!
//! # Observation window, censoring and truncation
//! A store holds the parcours active during the years its transfers cover, so what it says is
//! only complete between two dates:
//! - **End of observation** (`fin_observation`): by default 31 December of the last year with an
//!   entry or exit anywhere in the store (consolidations cover whole calendar years; the filter
//!   does not move it). After it nothing is known: a parcours open in the store may have exited
//!   since.
//! - **Start of observation** (`debut_observation`): by default 1 January of the year of the
//!   earliest exit in the store (the earliest entry when there is no exit). A transfer only holds
//!   the parcours still active when it starts, so the store's entrants of an earlier year are only
//!   those who had not left by then (the synthetic national corpus has entrants back to 2000 for
//!   that reason): such a cohort is **incomplete**.
//!
//! Both can be given instead (`CohortQuery::debut_observation`, `fin_observation`), e.g. for a
//! transfer extracted on 30 June.
//!
//! A cohort's figures at horizon `m` are **observed** when the cohort is complete (1 January of
//! `Y` on or after the start of observation) and the horizon of every one of its entrants falls on
//! or before the end of observation (its last entrant's entry + `m` months <= the end; for a
//! cohort without entrants, 31 December of `Y` + `m` months). This is decided per year, for the
//! total and every value of the split together, so a year's line never mixes observed and
//! unobserved values. An unobserved horizon has no figures ([`Horizon::etat`] is `None`; `-` in
//! text, empty in csv); the entrants are still given. Observed horizons of a cohort form a prefix
//! of the (ascending) horizons.
//!
//! Horizons are sorted ascending and deduplicated; at most [`MOIS_MAX`] months, one to
//! [`HORIZONS_MAX`] of them, over at most [`ANNEES_MAX`] entry years (each worker keeps a cell per
//! year, value and horizon).
//! By default the cohorts are the years from the start to the end of observation, and the
//! horizons [`MOIS_DEFAUT`].

use time::{Date, Month};

use crate::index::Corpus;
use crate::model::{Day, Motif, FIRST_YEAR};
use crate::query::{Axis, Dimension, Filter, Lookup, Period, Present, QueryError, RowFilter};
use crate::store::{Columns, ParcoursColumn};
use crate::tables::{Cell, Column, Row, Table};

/// The horizons of the issue: 6, 12, 24 and 36 months after entry.
pub const MOIS_DEFAUT: [u32; 4] = [6, 12, 24, 36];

/// The longest horizon a query may ask for (50 years).
pub const MOIS_MAX: u32 = 600;

/// The most horizons one query follows.
pub const HORIZONS_MAX: usize = 24;

/// The most entry years one query follows.
pub const ANNEES_MAX: i32 = 50;

/// Which entrants to follow, for how long, split how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CohortQuery {
    /// The entry years of the cohorts; `None`: from the year of the start of observation to the
    /// year of its end.
    pub entrees: Option<Period>,
    /// Horizons in months after entry (any order; sorted and deduplicated in the answer).
    pub mois: Vec<u32>,
    /// The characteristic the cohorts are split by, if any.
    pub par: Option<Dimension>,
    /// The parcours followed (CLI.md's `--filter`).
    pub filter: Filter,
    /// Overrides the start of observation (see the module doc).
    pub debut_observation: Option<Date>,
    /// Overrides the end of observation (see the module doc).
    pub fin_observation: Option<Date>,
}

impl Default for CohortQuery {
    /// Every year observed, horizons [`MOIS_DEFAUT`], no split, no filter.
    fn default() -> CohortQuery {
        CohortQuery {
            entrees: None,
            mois: MOIS_DEFAUT.to_vec(),
            par: None,
            filter: Filter::none(),
            debut_observation: None,
            fin_observation: None,
        }
    }
}

/// Where a parcours stands at a horizon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Statut {
    /// Exited by then to employment, training or another positive outcome.
    SortiePositive,
    /// Exited by then without follow-up (abandon, move, death, retirement, other).
    SortieSansSuite,
    /// Not exited by then.
    EnParcours,
}

impl Statut {
    pub const ALL: [Statut; 3] = [
        Statut::SortiePositive,
        Statut::SortieSansSuite,
        Statut::EnParcours,
    ];

    /// The csv key.
    pub fn code(self) -> &'static str {
        match self {
            Statut::SortiePositive => "sorties_positives",
            Statut::SortieSansSuite => "sorties_sans_suite",
            Statut::EnParcours => "en_parcours",
        }
    }

    /// The French heading.
    pub fn label(self) -> &'static str {
        match self {
            Statut::SortiePositive => "Part des entrants sortis positivement",
            Statut::SortieSansSuite => "Part des entrants sortis sans suite",
            Statut::EnParcours => "Part des entrants encore en parcours",
        }
    }
}

/// The entrants of a cohort by where they stand at one observed horizon.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Etat {
    /// Exited positively on or before the horizon day.
    pub sorties_positives: u64,
    /// Exited without follow-up on or before the horizon day.
    pub sorties_sans_suite: u64,
    /// Not exited on the horizon day (entrants minus the two above).
    pub en_parcours: u64,
}

impl Etat {
    /// The count of `statut`.
    pub fn get(&self, statut: Statut) -> u64 {
        match statut {
            Statut::SortiePositive => self.sorties_positives,
            Statut::SortieSansSuite => self.sorties_sans_suite,
            Statut::EnParcours => self.en_parcours,
        }
    }
}

/// A cohort at one horizon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Horizon {
    /// Months after entry.
    pub mois: u32,
    /// The counts, `None` when the horizon is not observed for this cohort (module doc).
    pub etat: Option<Etat>,
}

/// The entrants of one year (and one value of the split, if any), followed over the horizons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cohorte {
    /// The entry year.
    pub annee: i32,
    /// The value code of the split, `None` for every entrant of the year.
    pub valeur: Option<String>,
    /// Parcours entered in the year that pass the filter (and have this value).
    pub entrants: u64,
    /// Whether the year starts on or after the start of observation (module doc); an incomplete
    /// cohort has no observed horizon.
    pub complete: bool,
    /// One per horizon of [`Cohortes::mois`], in that order.
    pub horizons: Vec<Horizon>,
}

impl Cohorte {
    /// The cohort at `mois` months, if that horizon was asked for.
    pub fn horizon(&self, mois: u32) -> Option<&Horizon> {
        self.horizons.iter().find(|h| h.mois == mois)
    }

    /// The share of the entrants in `statut` at `mois` months: `None` when the horizon was not
    /// asked for or is not observed, or the cohort has no entrant.
    pub fn part(&self, mois: u32, statut: Statut) -> Option<f64> {
        let etat = self.horizon(mois)?.etat?;
        (self.entrants != 0).then(|| etat.get(statut) as f64 / self.entrants as f64)
    }
}

/// The answer to a [`CohortQuery`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cohortes {
    /// The entry years followed.
    pub entrees: Period,
    /// The horizons, ascending, distinct.
    pub mois: Vec<u32>,
    pub par: Option<Dimension>,
    /// The value codes of the split, in CLI.md's order (empty without a split).
    pub valeurs: Vec<String>,
    pub filter: Filter,
    pub debut_observation: Date,
    pub fin_observation: Date,
    /// PLIE with at least one entrant in the cohorts (after the filter).
    pub plies: usize,
    /// Per year ascending: the total cohort, then one per value of [`Cohortes::valeurs`].
    pub cohortes: Vec<Cohorte>,
    /// The PLIE left out for their window: none, the cohorts follow every PLIE in scope and
    /// observe the window they share (kept for the tables' note).
    pub non_observes: Vec<crate::tables::NonObserve>,
}

impl Cohortes {
    /// The cohort of `annee` and split value `valeur` (`None` for the year's total).
    pub fn cohorte(&self, annee: i32, valeur: Option<&str>) -> Option<&Cohorte> {
        self.cohortes
            .iter()
            .find(|c| c.annee == annee && c.valeur.as_deref() == valeur)
    }

    /// The cross-tabulation as a printable table (text, md, json through [`crate::render::table`]):
    /// one block per [`Statut`], its lines the years (and under each year the values of the
    /// split), its columns the entrants and the share at each horizon.
    pub fn to_table(&self) -> Table {
        let mut columns = vec![Column::new("entrants", "Entrants")];
        columns.extend(
            self.mois
                .iter()
                .map(|m| Column::new(format!("{m}_mois"), format!("{m} mois"))),
        );
        let title = format!(
            "Cohortes d'entrants{} (observation du {} au {})",
            self.par
                .map(|d| format!(" par {}", d.code()))
                .unwrap_or_default(),
            french(self.debut_observation),
            french(self.fin_observation),
        );
        let mut table = Table::new("cohortes", title, self.entrees, &self.filter, columns);
        table.plies = self.plies;
        table.non_observes = self.non_observes.clone();
        for statut in Statut::ALL {
            table.push_heading(statut.code(), statut.label());
            for c in &self.cohortes {
                let (code, label, level) = match &c.valeur {
                    None => (c.annee.to_string(), c.annee.to_string(), 1),
                    Some(v) => (format!("{}:{v}", c.annee), v.clone(), 2),
                };
                let mut cells = vec![Cell::Count(c.entrants)];
                cells.extend(c.horizons.iter().map(|h| match h.etat {
                    None => Cell::NonObserve,
                    Some(_) => Cell::Rate(c.part(h.mois, statut)),
                }));
                table
                    .rows
                    .push(Row::new(statut.code(), code, label, level, cells));
            }
        }
        table
    }

    /// The long form as csv: one line per cohort and horizon, header
    /// `annee,<par>,mois,observe,entrants,sorties_positives,sorties_sans_suite,en_parcours,`
    /// `part_positives,part_sans_suite,part_en_parcours`, where `<par>` is the split dimension's
    /// code (`par` without a split) and its value `total` on the year's total line. `observe` is
    /// 1 or 0; the counts and shares of an unobserved horizon are empty, and so are the shares of
    /// a cohort without entrants. Shares are fractions with at least 6 significant digits.
    ///
    /// Written through [`crate::render::list`], the tables' csv writer: a split value from the
    /// transfer (a PLIE code, a region) that starts with `=`, `+`, `-`, `@`, a tab or a carriage
    /// return gets a leading `'`, so that a spreadsheet does not run it as a formula.
    pub fn csv(&self) -> String {
        let par = self.par.map_or("par", |d| d.code());
        let header = [
            "annee",
            par,
            "mois",
            "observe",
            "entrants",
            "sorties_positives",
            "sorties_sans_suite",
            "en_parcours",
            "part_positives",
            "part_sans_suite",
            "part_en_parcours",
        ];
        let mut lines = Vec::new();
        for c in &self.cohortes {
            for h in &c.horizons {
                let mut line = vec![
                    c.annee.to_string(),
                    c.valeur.clone().unwrap_or_else(|| "total".into()),
                    h.mois.to_string(),
                    u8::from(h.etat.is_some()).to_string(),
                    c.entrants.to_string(),
                ];
                for s in Statut::ALL {
                    line.push(h.etat.map_or(String::new(), |e| e.get(s).to_string()));
                }
                for s in Statut::ALL {
                    line.push(
                        c.part(h.mois, s)
                            .map_or(String::new(), crate::render::fraction),
                    );
                }
                lines.push(line);
            }
        }
        crate::render::list(&header, &lines, 0, crate::render::Format::Csv)
    }
}

fn french(d: Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
}

/// Reads a date written `YYYY-MM-DD` (for `--debut-observation`, `--fin-observation`).
pub fn date(text: &str) -> Result<Date, QueryError> {
    let bad = || QueryError::BadPeriod(format!("{text:?} is not a date written YYYY-MM-DD"));
    let mut parts = text.trim().splitn(3, '-');
    let mut next = |len: usize| {
        parts
            .next()
            .filter(|p| p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<i32>().ok())
            .ok_or_else(bad)
    };
    let (y, m, d) = (next(4)?, next(2)?, next(2)?);
    Month::try_from(m as u8)
        .ok()
        .and_then(|month| Date::from_calendar_date(y, month, d as u8).ok())
        .ok_or_else(bad)
}

/// `date` + `mois` calendar months, clamped to the last day of the month reached.
pub fn plus_mois(date: Date, mois: u32) -> Date {
    let index = date.year() * 12 + i32::from(u8::from(date.month())) - 1 + mois as i32;
    let (year, month) = (index.div_euclid(12), index.rem_euclid(12) as u8 + 1);
    let month = Month::try_from(month).expect("1 to 12");
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).expect("a day of the month")
}

fn jan1(year: i32) -> Date {
    Date::from_calendar_date(year, Month::January, 1).expect("a year of the calendar")
}

fn dec31(year: i32) -> Date {
    Date::from_calendar_date(year, Month::December, 31).expect("a year of the calendar")
}

/// Day number (days since 1990-01-01) of any date, beyond what a [`Day`] holds.
fn day_number(date: Date) -> i64 {
    i64::from(date.to_julian_day()) - i64::from(jan1(FIRST_YEAR).to_julian_day())
}

/// Counts of one chunk or of several merged.
struct Counts {
    /// Per (year, slot) (slot 0 the total, 1 + value index): entrants, then per horizon the
    /// positive exits and the exits sans suite by then.
    cells: Vec<u64>,
    /// Per year, the latest entry day of its entrants.
    last_entry: Vec<Option<u16>>,
    plies: Vec<bool>,
}

impl Corpus {
    /// Follows the cohorts of entrants of `query` (see [`crate::analyses::cohortes`]).
    pub fn cohortes(&self, query: &CohortQuery) -> Result<Cohortes, crate::Error> {
        let filter = RowFilter::resolve(&query.filter, self)?;
        let scope = filter.plies.clone();
        let mut mois = query.mois.clone();
        mois.sort_unstable();
        mois.dedup();
        if mois.is_empty() || mois.last() > Some(&MOIS_MAX) || mois.len() > HORIZONS_MAX {
            return Err(QueryError::BadPeriod(format!(
                "give one to {HORIZONS_MAX} horizons, from 0 to {MOIS_MAX} months"
            ))
            .into());
        }
        let axis = match query.par {
            Some(
                d @ (Dimension::AnneeEntree | Dimension::AnneeSortie | Dimension::MotifSortie),
            ) => {
                let valid = Dimension::ALL
                    .iter()
                    .filter(|x| {
                        !matches!(
                            x,
                            Dimension::AnneeEntree
                                | Dimension::AnneeSortie
                                | Dimension::MotifSortie
                        )
                    })
                    .map(|x| x.code())
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(QueryError::DimensionNotAllowed {
                    name: d.code(),
                    why:
                        "a cohort is split by a characteristic at entry, not by its year or outcome",
                    valid,
                }.into());
            }
            Some(d) if d.fixed_values().is_some() => Some(Axis::of(d, self)?),
            Some(d) => Some(Axis::resolve(d, self, &Present::scan(self, &filter)?)?),
            None => None,
        };

        let day = |d: u16| Day(d).date();
        // The PLIE in scope's observation windows (plie.csv): the cohorts follow every PLIE in
        // scope, and observe what all of them observed, from the latest `complet_depuis` to the
        // earliest `extraction` (the store's years when none has a window): a cohort that starts
        // before it is incomplete, a horizon past it "non observé" (docs/tables.md).
        let windows: Vec<crate::index::Fenetre> = (0..self.plies.len())
            .filter(|&p| scope[p])
            .filter_map(|p| self.fenetre(p))
            .collect();
        let seen = self.annees_observees();
        // Within the start and end given, if any: nothing is observed outside any PLIE's window.
        let latest = windows.iter().map(|w| w.complet_depuis.date()).max();
        let earliest = windows.iter().map(|w| w.extraction.date()).min();
        let debut = match (query.debut_observation, latest) {
            (Some(q), Some(l)) => q.max(l),
            (q, l) => q
                .or(l)
                .unwrap_or_else(|| jan1(seen.map_or(FIRST_YEAR, |p| p.first))),
        };
        let fin = match (query.fin_observation, earliest) {
            (Some(q), Some(e)) => q.min(e),
            (q, e) => q
                .or(e)
                .unwrap_or_else(|| dec31(seen.map_or(FIRST_YEAR, |p| p.last))),
        };
        let entrees = match query.entrees {
            Some(p) => p,
            None => Period::years(debut.year(), fin.year()).map_err(|_| {
                QueryError::BadPeriod(format!(
                    "the observation starts on {debut} after it ends on {fin}"
                ))
            })?,
        };
        // Day numbers reach the year 2169 (model::Day).
        if entrees.first < FIRST_YEAR || entrees.last > 2169 {
            return Err(QueryError::BadPeriod(format!(
                "cohorts enter from {FIRST_YEAR} to 2169, not {entrees}"
            ))
            .into());
        }
        // Each worker keeps a cell per year × value × horizon: bound what a query can ask for.
        if entrees.last - entrees.first >= ANNEES_MAX {
            return Err(QueryError::BadPeriod(format!(
                "follow at most {ANNEES_MAX} entry years at once, not {entrees}"
            ))
            .into());
        }

        // Horizon day numbers of every entry day of the period, row-major by entry day.
        let first_day = day_number(jan1(entrees.first.max(FIRST_YEAR))).max(0);
        let last_day = day_number(dec31(entrees.last)).min(i64::from(u16::MAX) - 1);
        let days = (last_day - first_day + 1).max(0) as usize;
        let horizons: Vec<i64> = (0..days)
            .flat_map(|k| {
                let entry = Day((first_day + k as i64) as u16).date();
                mois.iter().map(move |&m| day_number(plus_mois(entry, m)))
            })
            .collect();

        let years = (entrees.last - entrees.first + 1) as usize;
        let slots = 1 + axis.as_ref().map_or(0, |a| a.values.len());
        let width = 1 + 2 * mois.len();
        let positive: Vec<bool> = (0..=u8::MAX)
            .map(|m| Motif::from_u8(m).is_some_and(Motif::is_positive))
            .collect();
        let (first_code, last_code) = entrees.codes();
        let empty = || Counts {
            cells: vec![0; years * slots * width],
            last_entry: vec![None; years],
            plies: vec![false; self.plies.len()],
        };
        let mut columns = Columns::of(&[
            ParcoursColumn::Entree,
            ParcoursColumn::Sortie,
            ParcoursColumn::Motif,
        ])
        .union(filter.columns());
        if let Some(Lookup::Row(column, _)) = axis.as_ref().map(|a| &a.lookup) {
            columns = columns.with(column.stored());
        }
        let counts = self.fold_chunks(
            columns,
            |c| filter.may_pass(c) && i32::from(c.min_entree) <= last_code,
            empty,
            |mut counts, chunk| {
                for i in 0..chunk.len() {
                    let code = i32::from(chunk.annee_entree()[i]);
                    if code < first_code || code > last_code || !filter.row(chunk, i) {
                        continue;
                    }
                    let year = (code - first_code) as usize;
                    let entree = chunk.raw.entree[i];
                    let offset = (i64::from(entree) - first_day) as usize * mois.len();
                    let sortie = chunk.raw.sortie[i];
                    let column = if positive[chunk.raw.motif[i] as usize] {
                        1
                    } else {
                        2
                    };
                    counts.plies[chunk.plie as usize] = true;
                    let last = &mut counts.last_entry[year];
                    *last = Some(last.map_or(entree, |l| l.max(entree)));
                    let value = axis.as_ref().and_then(|a| a.value_of(chunk, i));
                    for slot in std::iter::once(0).chain(value.map(|v| v + 1)) {
                        let cell = &mut counts.cells[(year * slots + slot) * width..][..width];
                        cell[0] += 1;
                        if sortie == u16::MAX {
                            continue;
                        }
                        for (k, &h) in horizons[offset..offset + mois.len()].iter().enumerate() {
                            if i64::from(sortie) <= h {
                                cell[1 + 2 * k + column - 1] += 1;
                            }
                        }
                    }
                }
                counts
            },
            |mut a, b| {
                a.cells.iter_mut().zip(&b.cells).for_each(|(x, y)| *x += y);
                for (x, y) in a.last_entry.iter_mut().zip(&b.last_entry) {
                    *x = (*x).max(*y);
                }
                a.plies.iter_mut().zip(&b.plies).for_each(|(x, y)| *x |= y);
                a
            },
        )?;

        let valeurs: Vec<String> = axis.map(|a| a.values).unwrap_or_default();
        let mut cohortes = Vec::with_capacity(years * slots);
        for (year, annee) in (entrees.first..=entrees.last).enumerate() {
            let complete = jan1(annee) >= debut;
            let bound = counts.last_entry[year].map_or_else(|| dec31(annee), day);
            let observed: Vec<bool> = mois
                .iter()
                .map(|&m| complete && plus_mois(bound, m) <= fin)
                .collect();
            for slot in 0..slots {
                let cell = &counts.cells[(year * slots + slot) * width..][..width];
                let entrants = cell[0];
                let horizons = mois
                    .iter()
                    .enumerate()
                    .map(|(k, &m)| Horizon {
                        mois: m,
                        etat: observed[k].then(|| {
                            let (p, s) = (cell[1 + 2 * k], cell[2 + 2 * k]);
                            Etat {
                                sorties_positives: p,
                                sorties_sans_suite: s,
                                en_parcours: entrants - p - s,
                            }
                        }),
                    })
                    .collect();
                cohortes.push(Cohorte {
                    annee,
                    valeur: (slot > 0).then(|| valeurs[slot - 1].clone()),
                    entrants,
                    complete,
                    horizons,
                });
            }
        }
        Ok(Cohortes {
            entrees,
            mois,
            par: query.par,
            valeurs,
            filter: query.filter.clone(),
            debut_observation: debut,
            fin_observation: fin,
            plies: counts.plies.iter().filter(|&&p| p).count(),
            cohortes,
            non_observes: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{import, ImportOptions, Store};
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn months_are_calendar_months_clamped_to_the_month_end() {
        assert_eq!(plus_mois(date!(2015 - 08 - 31), 6), date!(2016 - 02 - 29));
        assert_eq!(plus_mois(date!(2016 - 08 - 31), 6), date!(2017 - 02 - 28));
        assert_eq!(plus_mois(date!(2016 - 01 - 31), 1), date!(2016 - 02 - 29));
        assert_eq!(plus_mois(date!(2016 - 01 - 31), 3), date!(2016 - 04 - 30));
        assert_eq!(plus_mois(date!(2015 - 12 - 31), 24), date!(2017 - 12 - 31));
        assert_eq!(plus_mois(date!(2015 - 11 - 15), 2), date!(2016 - 01 - 15));
        assert_eq!(plus_mois(date!(2015 - 03 - 15), 0), date!(2015 - 03 - 15));
        assert_eq!(plus_mois(date!(2016 - 02 - 29), 12), date!(2017 - 02 - 28));
        assert_eq!(plus_mois(date!(2016 - 02 - 29), 48), date!(2020 - 02 - 29));
    }

    #[test]
    fn dates_are_read_as_yyyy_mm_dd_only() {
        assert_eq!(date("2017-06-30"), Ok(date!(2017 - 06 - 30)));
        for bad in [
            "2017-6-30",
            "30/06/2017",
            "2017-02-30",
            "2017-13-01",
            "",
            "2017-06-30-1",
        ] {
            assert!(
                matches!(super::date(bad), Err(QueryError::BadPeriod(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn shares_are_absent_without_entrants_or_observation() {
        let etat = Etat {
            sorties_positives: 1,
            sorties_sans_suite: 0,
            en_parcours: 2,
        };
        let cohorte = |entrants, etat| Cohorte {
            annee: 2016,
            valeur: None,
            entrants,
            complete: true,
            horizons: vec![Horizon { mois: 6, etat }],
        };
        let c = cohorte(3, Some(etat));
        assert_eq!(c.part(6, Statut::SortiePositive), Some(1.0 / 3.0));
        assert_eq!(c.part(6, Statut::EnParcours), Some(2.0 / 3.0));
        assert_eq!(c.part(12, Statut::EnParcours), None);
        assert_eq!(cohorte(3, None).part(6, Statut::EnParcours), None);
        assert_eq!(
            cohorte(0, Some(Etat::default())).part(6, Statut::EnParcours),
            None
        );
    }

    /// One generated parcours: PLIE, entry, optional (exit, motif code), public, sexe.
    type Parcours = (usize, Date, Option<(Date, usize)>, usize, usize);

    /// Entries often on a month's last day, exits often exactly on a horizon or a day either
    /// side of it, so that the boundaries are exercised.
    fn parcours() -> impl Strategy<Value = Parcours> {
        let horizon = (0..7usize, -1..=1i64);
        (
            (0..2usize, 0..1826i64, any::<bool>()),
            prop::option::weighted(0.75, (0..1300i64, prop::option::of(horizon), 0..6usize)),
            0..3usize,
            0..2usize,
        )
            .prop_map(|((plie, e, month_end), x, public, sexe)| {
                let mut entree = date!(2013 - 01 - 01) + time::Duration::days(e);
                if month_end {
                    entree = reference_plus(entree.replace_day(1).unwrap(), 1)
                        .previous_day()
                        .unwrap();
                }
                let sortie = x.map(|(len, at, m)| {
                    let x = match at {
                        Some((k, delta)) => {
                            let m = [0, 1, 6, 11, 12, 24, 36][k];
                            (reference_plus(entree, m) + time::Duration::days(delta)).max(entree)
                        }
                        None => entree + time::Duration::days(len),
                    };
                    (x, m)
                });
                (plie, entree, sortie, public, sexe)
            })
    }

    /// `m` months after `d`, written differently from [`plus_mois`]: month by month, then the
    /// day of entry or the latest day that exists.
    fn reference_plus(d: Date, m: u32) -> Date {
        let (mut y, mut mo) = (d.year(), u8::from(d.month()));
        for _ in 0..m {
            mo += 1;
            if mo == 13 {
                (y, mo) = (y + 1, 1);
            }
        }
        (1..=d.day())
            .rev()
            .find_map(|day| Date::from_calendar_date(y, Month::try_from(mo).unwrap(), day).ok())
            .unwrap()
    }

    const PUBLICS: [&str; 3] = ["DELD", "RSA", "AUTRE"];
    const MOTIFS: [&str; 6] = [
        "EMPLOI",
        "FORMATION",
        "AUTRE_POSITIVE",
        "ABANDON",
        "DEMENAGEMENT_DECES_RETRAITE",
        "AUTRE_SANS_SUITE",
    ];

    fn corpus_of(rows: &[Parcours]) -> (tempfile::TempDir, Corpus) {
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path().join("t");
        std::fs::create_dir(&t).unwrap();
        let mut csv = "plie,participant,entree,sortie,motif_sortie,sexe,naissance,public,\
                       inscrit_pe,th,niveau\n"
            .to_owned();
        for (k, (plie, e, x, public, sexe)) in rows.iter().enumerate() {
            let (x, m) = x.map_or((String::new(), ""), |(x, m)| (x.to_string(), MOTIFS[m]));
            csv += &format!(
                "P{plie},p{k},{e},{x},{m},{},1980-01,{},1,0,V\n",
                ["H", "F"][*sexe],
                PUBLICS[*public]
            );
        }
        std::fs::write(t.join("parcours.csv"), csv).unwrap();
        // Every PLIE declares the window of the whole store (plie.csv): from 1 January of the
        // year of the earliest exit (the earliest entry without exit) to 31 December of the
        // year of the latest date, so that the window is the store's, as the tests count it.
        let last = rows
            .iter()
            .map(|r| r.2.map_or(r.1, |x| x.0.max(r.1)))
            .max()
            .unwrap();
        let first = rows
            .iter()
            .filter_map(|r| r.2)
            .map(|x| x.0)
            .min()
            .unwrap_or_else(|| rows.iter().map(|r| r.1).min().unwrap());
        let plies: std::collections::BTreeSet<usize> = rows.iter().map(|r| r.0).collect();
        let mut plie = "plie,extraction,complet_depuis\n".to_owned();
        for p in plies {
            plie += &format!("P{p},{},{}\n", dec31(last.year()), jan1(first.year()));
        }
        std::fs::write(t.join("plie.csv"), plie).unwrap();
        let db = dir.path().join("s.redb");
        let summary = import(&db, &[t], &ImportOptions::now()).unwrap();
        assert!(!summary.refused(), "{summary:?}");
        let corpus = Corpus::load(&Store::open(&db).unwrap()).unwrap();
        (dir, corpus)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// Every figure equals a plain count over the generated rows, following the module doc
        /// word for word; exits never decrease with the horizon; observed horizons are a prefix.
        #[test]
        fn cohorts_are_plain_counts(
            rows in prop::collection::vec(parcours(), 1..60),
            mois in prop::collection::vec(prop::sample::select(vec![0u32, 1, 6, 11, 12, 24, 36, 60]), 1..5),
            par in prop::sample::select(vec![None, Some(Dimension::Public), Some(Dimension::Sexe), Some(Dimension::Plie)]),
            rsa_only in any::<bool>(),
        ) {
            let (_dir, corpus) = corpus_of(&rows);
            let mut filter = Filter::none();
            if rsa_only {
                filter = filter.with(Dimension::Public, &["RSA"]);
            }
            let got = corpus
                .cohortes(&CohortQuery { mois: mois.clone(), par, filter, ..CohortQuery::default() })
                .unwrap();

            // The window of the whole store, from the rows.
            let last = rows.iter().map(|r| r.2.map_or(r.1, |x| x.0.max(r.1))).max().unwrap();
            let fin = dec31(last.year());
            let debut = jan1(rows.iter().filter_map(|r| r.2).map(|x| x.0).min()
                .unwrap_or_else(|| rows.iter().map(|r| r.1).min().unwrap()).year());
            prop_assert_eq!(got.fin_observation, fin);
            prop_assert_eq!(got.debut_observation, debut);
            prop_assert_eq!(got.entrees, Period::years(debut.year(), fin.year()).unwrap());
            let mut sorted = mois.clone();
            sorted.sort_unstable();
            sorted.dedup();
            prop_assert_eq!(&got.mois, &sorted);

            let kept: Vec<&Parcours> = rows.iter().filter(|r| !rsa_only || r.3 == 1).collect();
            let label = |r: &Parcours| match par {
                Some(Dimension::Public) => PUBLICS[r.3].to_owned(),
                Some(Dimension::Sexe) => ["H", "F"][r.4].to_owned(),
                Some(_) => format!("P{}", r.0),
                None => unreachable!(),
            };
            let years = got.entrees.last - got.entrees.first + 1;
            prop_assert_eq!(got.cohortes.len(), years as usize * (1 + got.valeurs.len()));
            let plies: std::collections::BTreeSet<usize> = kept.iter()
                .filter(|r| (got.entrees.first..=got.entrees.last).contains(&r.1.year()))
                .map(|r| r.0).collect();
            prop_assert_eq!(got.plies, plies.len());
            for c in &got.cohortes {
                let of_year: Vec<&&Parcours> = kept.iter().filter(|r| r.1.year() == c.annee).collect();
                let bound = of_year.iter().map(|r| r.1).max().unwrap_or_else(|| dec31(c.annee));
                let cohort: Vec<&&Parcours> = of_year.iter().copied()
                    .filter(|r| c.valeur.as_ref().is_none_or(|v| *v == label(r))).collect();
                prop_assert_eq!(c.entrants, cohort.len() as u64);
                prop_assert_eq!(c.complete, jan1(c.annee) >= debut);
                let mut before = (0, 0);
                let mut observed_so_far = true;
                for (h, &m) in c.horizons.iter().zip(&sorted) {
                    prop_assert_eq!(h.mois, m);
                    let observed = c.complete && reference_plus(bound, m) <= fin;
                    prop_assert_eq!(h.etat.is_some(), observed, "{} {:?} {}", c.annee, c.valeur, m);
                    prop_assert!(observed_so_far || !observed, "observed horizons are a prefix");
                    observed_so_far = observed;
                    let Some(etat) = h.etat else { continue };
                    let exited = |set: std::ops::Range<usize>| cohort.iter()
                        .filter(|r| r.2.is_some_and(|(x, motif)| {
                            x <= reference_plus(r.1, m) && set.contains(&motif)
                        }))
                        .count() as u64;
                    prop_assert_eq!(etat.sorties_positives, exited(0..3));
                    prop_assert_eq!(etat.sorties_sans_suite, exited(3..6));
                    prop_assert_eq!(
                        etat.sorties_positives + etat.sorties_sans_suite + etat.en_parcours,
                        c.entrants
                    );
                    prop_assert!(etat.sorties_positives >= before.0 && etat.sorties_sans_suite >= before.1);
                    before = (etat.sorties_positives, etat.sorties_sans_suite);
                }
            }
            // With a split, the values add up to the total (every row has a public, sex, PLIE).
            if par.is_some() {
                for annee in got.entrees.first..=got.entrees.last {
                    let total = got.cohorte(annee, None).unwrap();
                    let sum: u64 = got.valeurs.iter()
                        .map(|v| got.cohorte(annee, Some(v)).unwrap().entrants).sum();
                    prop_assert_eq!(sum, total.entrants);
                }
            }
        }
    }

    #[test]
    fn outcome_dimensions_and_empty_horizons_are_refused() {
        let rows = [(0, date!(2016 - 03 - 01), None, 0, 0)];
        let (_dir, corpus) = corpus_of(&rows);
        for d in [
            Dimension::AnneeEntree,
            Dimension::AnneeSortie,
            Dimension::MotifSortie,
        ] {
            let q = CohortQuery {
                par: Some(d),
                ..CohortQuery::default()
            };
            assert!(matches!(
                corpus.cohortes(&q),
                Err(crate::Error::Query(QueryError::DimensionNotAllowed { .. }))
            ));
        }
        for mois in [vec![], vec![6, MOIS_MAX + 1]] {
            let q = CohortQuery {
                mois,
                ..CohortQuery::default()
            };
            assert!(matches!(
                corpus.cohortes(&q),
                Err(crate::Error::Query(QueryError::BadPeriod(_)))
            ));
        }
        let q = CohortQuery {
            entrees: Some(Period {
                first: 1980,
                last: 2016,
            }),
            ..CohortQuery::default()
        };
        assert!(matches!(
            corpus.cohortes(&q),
            Err(crate::Error::Query(QueryError::BadPeriod(_)))
        ));
        // One open parcours: the window is its year, nothing is observed past 31/12/2016.
        let c = corpus.cohortes(&CohortQuery::default()).unwrap();
        assert_eq!(c.entrees, Period::year(2016));
        assert_eq!(c.debut_observation, date!(2016 - 01 - 01));
        let h = c.cohorte(2016, None).unwrap().horizon(6).unwrap();
        assert_eq!(
            h.etat,
            Some(Etat {
                sorties_positives: 0,
                sorties_sans_suite: 0,
                en_parcours: 1
            })
        );
        assert_eq!(
            c.cohorte(2016, None).unwrap().horizon(12).unwrap().etat,
            None
        );
    }
}
