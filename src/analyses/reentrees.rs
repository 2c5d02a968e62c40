//! Re-entries: participants who come back to a PLIE for a new parcours, how long after, and how
//! their earlier parcours had ended.
//!
//! # The building block: each participant's parcours in order
//!
//! [`Corpus::sequences`] groups the parcours of each *participant* — one participant key in one
//! PLIE; the same key in two PLIE is two people (FORMAT.md) — in order of entry. A participant is
//! listed when at least one of their parcours passes the filter; all their parcours are listed
//! (those that do not pass too, marked [`Passage::retenu`] `false`), so that the parcours before a
//! retained one is always its true predecessor. FORMAT.md's no-overlap rule makes the order by
//! entry also the order of exits: every parcours but the last has an exit, strictly before the
//! next entry.
//!
//! # The figures of [`Corpus::reentrees`]
//!
//! For a period (entry years `Y1..Y2`, or every year when none is given) and a filter:
//! - a **re-entry** is a parcours that is not its participant's first, whose entry falls in the
//!   period and which passes the filter (characteristics at *its* entry; PLIE, department and
//!   region filters select whole participants). Its *earlier parcours* is the participant's
//!   parcours just before it, whatever the filter and the period say of that one.
//! - **participants** (the population) are the participants with at least one parcours that enters
//!   in the period and passes the filter; **participants revenus** are those among them with at
//!   least one re-entry, and their share is `participants revenus / participants`. Over every
//!   year and without filter these are the participants with more than one parcours, and
//!   `reentrees = Σ (parcours − 1)` over participants.
//! - the **delay** of a re-entry is from the exit `x` of the earlier parcours to the new entry `e`:
//!   in days `e − x` (at least 1 day, since a parcours starts at the earliest the day after the
//!   earlier one's exit), and in whole **calendar months** [`mois_entiers`]`(x, e)`: the largest
//!   `m` such that `x` plus `m` months (day of month kept, or the last day of a shorter month:
//!   31 January + 1 month = 28 or 29 February) is on or before `e`. Months are not days / 30. The
//!   bands ([`Delai`]) are `< 3 mois` (m < 3), `3-6` (3 ≤ m < 6), `6-12`, `12-24` and `24 mois et
//!   +` (m ≥ 24).
//! - the **median** delay, in days, is the middle value of the sorted delays, or the mean of the
//!   two middle values when their number is even; absent when there is no re-entry.
//! - the re-entries are broken down by the **exit reason of the earlier parcours**
//!   ([`Precedent`]): every motif, the positive ones (EMPLOI, FORMATION, AUTRE_POSITIVE) and the
//!   ones without follow-up (ABANDON, DEMENAGEMENT_DECES_RETRAITE, AUTRE_SANS_SUITE). Every
//!   earlier parcours has an exit, so there is no unknown reason; a store where one had none would
//!   break FORMAT.md and is reported as corrupt.
//! - **shares** (of participants, of re-entries, per band) are fractions computed exactly; a share
//!   with a zero denominator is `None`, never 0 or NaN.
//!
//! Censoring: a participant whose earlier parcours ended shortly before the last day of the store
//! had little time to come back, so the long-delay bands of the latest years are thinner than
//! they will be; the figures count what the store holds and correct nothing. Re-entries whose
//! earlier parcours is before the store's first year are counted like any other (the earlier
//! parcours is in the store, whatever its year).

use time::{Date, Month};

use crate::index::Corpus;
use crate::model::{Day, Motif, FIRST_YEAR};
use crate::query::{rate as ratio, Filter, Period, RowFilter};
use crate::store::{Columns, ParcoursColumn, StoreError};
use crate::tables::{Cell, Column, Row, Table};

/// One parcours of a participant, as a sequence lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Passage {
    /// Day of entry.
    pub entree: Day,
    /// The exit day and its reason, absent while the parcours goes on.
    pub sortie: Option<(Day, Motif)>,
    /// Whether the parcours passes the filter the sequences were asked with.
    pub retenu: bool,
}

/// The parcours of every participant having at least one parcours that passes a filter, each
/// participant's in order of entry. Built by [`Corpus::sequences`].
#[derive(Debug, Clone, Default)]
pub struct Sequences {
    /// PLIE codes, indexed by `plie_of`.
    plies: Vec<String>,
    /// Per participant, its PLIE.
    plie_of: Vec<u16>,
    /// Per participant, where its parcours start in `passages`; one more entry at the end.
    starts: Vec<u32>,
    passages: Vec<Passage>,
}

/// One participant's parcours in order of entry (at least one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sequence<'a> {
    /// The PLIE's code.
    pub plie: &'a str,
    pub parcours: &'a [Passage],
}

impl Sequences {
    /// How many participants.
    pub fn len(&self) -> usize {
        self.plie_of.len()
    }

    pub fn is_empty(&self) -> bool {
        self.plie_of.is_empty()
    }

    /// Participant `i` (`i < len()`), by PLIE code then first entry.
    pub fn get(&self, i: usize) -> Sequence<'_> {
        let (a, b) = (self.starts[i] as usize, self.starts[i + 1] as usize);
        Sequence {
            plie: &self.plies[self.plie_of[i] as usize],
            parcours: &self.passages[a..b],
        }
    }

    /// Every participant, by PLIE code then first entry.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Sequence<'_>> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// How many parcours in all.
    pub fn parcours(&self) -> usize {
        self.passages.len()
    }
}

/// The exit reason(s) of the parcours before a re-entry, as a line of [`Reentrees`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Precedent {
    /// Every re-entry.
    Toutes,
    /// After an exit to employment, training or another positive outcome.
    Positives,
    /// After an abandon, a move / death / retirement or another exit without follow-up.
    SansSuite,
    /// After an exit with this reason.
    Motif(Motif),
}

impl Precedent {
    /// The lines in the order the table prints them: all, positive and their motifs, without
    /// follow-up and their motifs.
    pub fn all() -> Vec<Precedent> {
        let mut all = vec![Precedent::Toutes, Precedent::Positives];
        all.extend(
            Motif::ALL
                .iter()
                .filter(|m| m.is_positive())
                .map(|&m| Precedent::Motif(m)),
        );
        all.push(Precedent::SansSuite);
        all.extend(
            Motif::ALL
                .iter()
                .filter(|m| !m.is_positive())
                .map(|&m| Precedent::Motif(m)),
        );
        all
    }

    /// Whether a re-entry after an exit for `motif` belongs to this line.
    pub fn contains(self, motif: Motif) -> bool {
        match self {
            Precedent::Toutes => true,
            Precedent::Positives => motif.is_positive(),
            Precedent::SansSuite => !motif.is_positive(),
            Precedent::Motif(m) => m == motif,
        }
    }

    /// The csv code: `toutes`, `positives`, `sans_suite` or the motif's code.
    pub fn code(self) -> &'static str {
        match self {
            Precedent::Toutes => "toutes",
            Precedent::Positives => "positives",
            Precedent::SansSuite => "sans_suite",
            Precedent::Motif(m) => m.code(),
        }
    }

    /// The French label.
    pub fn label(self) -> &'static str {
        match self {
            Precedent::Toutes => "Toutes réentrées",
            Precedent::Positives => "après une sortie positive",
            Precedent::SansSuite => "après une sortie sans suite",
            Precedent::Motif(m) => m.label(),
        }
    }

    fn level(self) -> u8 {
        match self {
            Precedent::Toutes => 0,
            Precedent::Positives | Precedent::SansSuite => 1,
            Precedent::Motif(_) => 2,
        }
    }
}

/// A band of delay between an exit and the next entry, in whole calendar months
/// ([`mois_entiers`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Delai {
    /// Less than 3 months.
    Moins3,
    /// 3 months or more, less than 6.
    De3a6,
    /// 6 months or more, less than 12.
    De6a12,
    /// 12 months or more, less than 24.
    De12a24,
    /// 24 months or more.
    Plus24,
}

impl Delai {
    pub const ALL: [Delai; 5] = [
        Delai::Moins3,
        Delai::De3a6,
        Delai::De6a12,
        Delai::De12a24,
        Delai::Plus24,
    ];

    /// The band of a delay of `mois` whole months.
    pub fn of(mois: i32) -> Delai {
        match mois {
            ..3 => Delai::Moins3,
            3..6 => Delai::De3a6,
            6..12 => Delai::De6a12,
            12..24 => Delai::De12a24,
            _ => Delai::Plus24,
        }
    }

    /// The csv column key.
    pub fn code(self) -> &'static str {
        match self {
            Delai::Moins3 => "delai_moins_3_mois",
            Delai::De3a6 => "delai_3_6_mois",
            Delai::De6a12 => "delai_6_12_mois",
            Delai::De12a24 => "delai_12_24_mois",
            Delai::Plus24 => "delai_24_mois_et_plus",
        }
    }

    /// The French header.
    pub fn label(self) -> &'static str {
        match self {
            Delai::Moins3 => "< 3 mois",
            Delai::De3a6 => "3-6 mois",
            Delai::De6a12 => "6-12 mois",
            Delai::De12a24 => "12-24 mois",
            Delai::Plus24 => "24 mois et +",
        }
    }
}

/// Whole calendar months from `depuis` to `jusqua`: the largest `m` such that `depuis` plus `m`
/// months is on or before `jusqua`, where adding months keeps the day of the month, or takes the
/// last day of a shorter month (31 January + 1 month = 28 or 29 February). Negative when
/// `jusqua` is before `depuis`.
pub fn mois_entiers(depuis: Date, jusqua: Date) -> i32 {
    let months = |d: Date| d.year() * 12 + i32::from(u8::from(d.month()));
    let mut m = months(jusqua) - months(depuis);
    // `depuis` + m months falls in jusqua's month, on depuis's day or that month's last day.
    let day = depuis
        .day()
        .min(time::util::days_in_month(jusqua.month(), jusqua.year()));
    if m > 0 && jusqua.day() < day {
        m -= 1;
    } else if m < 0 && jusqua.day() > day {
        m += 1;
    }
    m
}

/// One line of [`Reentrees`]: the re-entries after one kind of exit.
#[derive(Debug, Clone, PartialEq)]
pub struct Ligne {
    pub precedent: Precedent,
    /// Distinct participants with at least one re-entry of this line.
    pub participants: u64,
    /// Re-entries of this line.
    pub reentrees: u64,
    /// Re-entries by delay band, in the order of [`Delai::ALL`]; they sum to `reentrees`.
    pub delais: [u64; 5],
    /// Median delay in days (mean of the two middle ones for an even number); `None` without
    /// re-entry.
    pub mediane_jours: Option<f64>,
}

impl Ligne {
    /// The re-entries of band `delai`.
    pub fn delai(&self, delai: Delai) -> u64 {
        self.delais[delai as usize]
    }

    /// Share of this line's re-entries in band `delai`; `None` without re-entry.
    pub fn part_delai(&self, delai: Delai) -> Option<f64> {
        ratio(self.delai(delai), self.reentrees)
    }
}

/// Re-entries of a period and filter: see the module documentation for every definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Reentrees {
    /// The entry years counted: the one asked for, or when none was, the years from the first to
    /// the last entry of the filtered corpus.
    pub period: Period,
    pub filter: Filter,
    /// PLIE with at least one participant of the population.
    pub plies: usize,
    /// Participants with a parcours entering in the period and passing the filter.
    pub participants: u64,
    /// Those of them with at least one re-entry.
    pub participants_revenus: u64,
    /// One line per [`Precedent`], in the order of [`Precedent::all`].
    pub lignes: Vec<Ligne>,
    /// The PLIE in scope left out: their observation window does not cover the period
    /// (docs/tables.md).
    pub non_observes: Vec<crate::tables::NonObserve>,
}

impl Reentrees {
    /// The line of `precedent`.
    pub fn ligne(&self, precedent: Precedent) -> &Ligne {
        self.lignes
            .iter()
            .find(|l| l.precedent == precedent)
            .expect("every precedent has a line")
    }

    /// Every re-entry of the period.
    pub fn reentrees(&self) -> u64 {
        self.ligne(Precedent::Toutes).reentrees
    }

    /// `participants_revenus / participants`; `None` without participant.
    pub fn part_participants_revenus(&self) -> Option<f64> {
        ratio(self.participants_revenus, self.participants)
    }

    /// Share of all re-entries that follow an exit of `precedent`; `None` without re-entry.
    pub fn part_reentrees(&self, precedent: Precedent) -> Option<f64> {
        ratio(self.ligne(precedent).reentrees, self.reentrees())
    }

    /// The figures as a table any format prints (`consolide::render::table`): a first line with
    /// the population, then one line per [`Precedent`].
    pub fn table(&self) -> Table {
        let mut columns = vec![
            Column::new("participants", "Participants"),
            Column::new("part_participants", "% participants"),
            Column::new("reentrees", "Réentrées"),
            Column::new("part_reentrees", "% réentrées"),
        ];
        columns.extend(Delai::ALL.iter().map(|d| Column::new(d.code(), d.label())));
        columns.push(Column::new("mediane_jours", "Délai médian (jours)"));
        let mut t = Table::new(
            "reentrees",
            "Réentrées des participants dans un PLIE, selon la sortie précédente",
            self.period,
            &self.filter,
            columns,
        );
        t.plies = self.plies;
        t.non_observes = self.non_observes.clone();
        let blanks = std::iter::repeat_n(Cell::Blank, 2 + Delai::ALL.len() + 1);
        t.rows.push(Row::new(
            "participants",
            "total",
            "Participants entrés dans la période",
            0,
            [
                Cell::Count(self.participants),
                Cell::Rate(ratio(self.participants, self.participants)),
            ]
            .into_iter()
            .chain(blanks)
            .collect(),
        ));
        t.push_heading(
            "precedent",
            "Réentrées selon la sortie du parcours précédent",
        );
        for l in &self.lignes {
            let mut cells = vec![
                Cell::Count(l.participants),
                Cell::Rate(ratio(l.participants, self.participants)),
                Cell::Count(l.reentrees),
                Cell::Rate(self.part_reentrees(l.precedent)),
            ];
            cells.extend(Delai::ALL.iter().map(|&d| Cell::Rate(l.part_delai(d))));
            cells.push(Cell::Decimal(l.mediane_jours, 0));
            t.rows.push(Row::new(
                "precedent",
                l.precedent.code(),
                l.precedent.label(),
                l.precedent.level(),
                cells,
            ));
        }
        t
    }
}

/// The middle of sorted `values` (mean of the two middle ones for an even number).
fn median(values: &mut [u32]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    Some(if n % 2 == 1 {
        f64::from(values[n / 2])
    } else {
        (f64::from(values[n / 2 - 1]) + f64::from(values[n / 2])) / 2.0
    })
}

/// The day numbers of 1 January of `first` and 31 December of `last`, as `i32` (they may fall
/// outside what a [`Day`] holds).
fn day_bounds(period: Period) -> (i32, i32) {
    let epoch = Day(0).date().to_julian_day();
    let jan1 = |y: i32| {
        Date::from_calendar_date(y.clamp(-9999, 9999), Month::January, 1)
            .expect("1 January exists")
            .to_julian_day()
    };
    (
        jan1(period.first) - epoch,
        jan1(period.last.saturating_add(1)) - 1 - epoch,
    )
}

impl Corpus {
    /// Each participant's parcours in order of entry, for every participant (key × PLIE) with at
    /// least one parcours passing `filter` (module documentation). Reads the participant keys
    /// from `store` the first time.
    pub fn sequences(&self, filter: &Filter) -> Result<Sequences, crate::Error> {
        let rf = RowFilter::resolve(filter, self)?;
        let columns = Columns::of(&[
            ParcoursColumn::Entree,
            ParcoursColumn::Sortie,
            ParcoursColumn::Motif,
            ParcoursColumn::Participant,
        ])
        .union(rf.columns());
        let per_plie: Vec<(u16, Vec<u32>, Vec<Passage>)> = self.fold_plies(
            columns,
            |p| rf.plies[p],
            Vec::new,
            |mut all, view| {
                let p = view.plie as usize;
                let chunks: Vec<_> = view.chunks.iter().collect();
                // Rows of one participant, grouped by a counting sort on its id; rows come in
                // order of entry within a PLIE, and a counting sort keeps that order.
                let rows = || {
                    chunks
                        .iter()
                        .flat_map(|&c| (0..c.len()).map(move |i| (c, i, c.participants[i])))
                };
                let Some(lo) = rows().map(|r| r.2).min() else {
                    all.push((p as u16, vec![0], Vec::new()));
                    return Ok::<_, StoreError>(all);
                };
                let hi = rows().map(|r| r.2).max().expect("a row");
                let width = (hi - lo) as usize + 1;
                let mut start = vec![0u32; width + 1];
                let mut keep = vec![false; width];
                for (c, i, id) in rows() {
                    let k = (id - lo) as usize;
                    start[k + 1] += 1;
                    keep[k] |= rf.row(c, i);
                }
                for k in 0..width {
                    start[k + 1] += start[k];
                }
                let mut next = start.clone();
                let mut passages = vec![
                    Passage {
                        entree: Day(0),
                        sortie: None,
                        retenu: false,
                    };
                    start[width] as usize
                ];
                for (c, i, id) in rows() {
                    let k = (id - lo) as usize;
                    let sortie = c.raw.sortie[i];
                    passages[next[k] as usize] = Passage {
                        entree: Day(c.raw.entree[i]),
                        sortie: (sortie != u16::MAX)
                            .then(|| Motif::from_u8(c.raw.motif[i]).map(|m| (Day(sortie), m)))
                            .flatten(),
                        retenu: rf.row(c, i),
                    };
                    next[k] += 1;
                }
                // Only the participants with a retained parcours, each sorted by entry (already
                // so, unless the store's row order changes).
                let mut starts = vec![0u32];
                let mut kept = Vec::new();
                for k in 0..width {
                    let seq = &mut passages[start[k] as usize..start[k + 1] as usize];
                    if keep[k] && !seq.is_empty() {
                        if !seq.is_sorted_by_key(|p| p.entree) {
                            seq.sort_unstable_by_key(|p| p.entree);
                        }
                        kept.extend_from_slice(seq);
                        starts.push(kept.len() as u32);
                    }
                }
                all.push((p as u16, starts, kept));
                Ok(all)
            },
            |mut a, b| {
                a.extend(b);
                a
            },
        )?;
        let mut per_plie = per_plie;
        per_plie.sort_by_key(|(p, _, _)| *p);
        let mut out = Sequences {
            plies: self.plies.iter().map(|p| p.plie.clone()).collect(),
            starts: vec![0],
            ..Sequences::default()
        };
        for (p, starts, passages) in per_plie {
            let base = out.passages.len() as u32;
            out.plie_of.extend(std::iter::repeat_n(p, starts.len() - 1));
            out.starts.extend(starts[1..].iter().map(|s| base + s));
            out.passages.extend(passages);
        }
        Ok(out)
    }

    /// The re-entries whose new entry falls in `period` (every year when `None`) and passes
    /// `filter`, by exit reason of the earlier parcours and delay (module documentation).
    pub fn reentrees(
        &self,
        period: Option<Period>,
        filter: &Filter,
    ) -> Result<Reentrees, crate::Error> {
        // Over the PLIE observed for the whole period, as every table (docs/tables.md); every
        // year (no period) is each PLIE's own window.
        let (observed, non_observes) = match period {
            Some(p) => self.observed_filter(p, filter)?,
            None => (filter.clone(), Vec::new()),
        };
        let sequences = self.sequences(&observed)?;
        let (lo, hi) = period.map_or((i32::MIN, i32::MAX), day_bounds);
        let in_period = |p: &Passage| p.retenu && (lo..=hi).contains(&i32::from(p.entree.0));

        let mut plies = vec![false; self.plies.len()];
        let (mut participants, mut revenus) = (0u64, 0u64);
        let (mut first, mut last) = (u16::MAX, 0u16);
        // Per motif (index = code): delays in days, bands.
        let n = Motif::ALL.len();
        let mut delays: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut bands = vec![[0u64; 5]; n];
        // Per line, distinct participants (a participant may come back after several reasons).
        let lines = Precedent::all();
        let mut line_people = vec![0u64; lines.len()];
        for (s, seq) in sequences.iter().enumerate() {
            let parcours = seq.parcours;
            let mut counted = false;
            let mut after = vec![false; n];
            for (k, p) in parcours.iter().enumerate() {
                if !in_period(p) {
                    continue;
                }
                counted = true;
                first = first.min(p.entree.0);
                last = last.max(p.entree.0);
                let Some(before) = k.checked_sub(1).map(|j| parcours[j]) else {
                    continue;
                };
                let Some((x, motif)) = before.sortie.filter(|(x, _)| x.0 < p.entree.0) else {
                    return Err(StoreError::Corrupt(format!(
                        "PLIE {}: a parcours entering on day {} overlaps the one before it",
                        seq.plie, p.entree.0
                    ))
                    .into());
                };
                let m = motif as usize;
                after[m] = true;
                delays[m].push(u32::from(p.entree.0 - x.0));
                bands[m][Delai::of(mois_entiers(x.date(), p.entree.date())) as usize] += 1;
            }
            if counted {
                participants += 1;
                plies[sequences.plie_of[s] as usize] = true;
                if after.iter().any(|&a| a) {
                    revenus += 1;
                }
                for (l, line) in lines.iter().enumerate() {
                    let hit = Motif::ALL
                        .iter()
                        .any(|&m| after[m as usize] && line.contains(m));
                    line_people[l] += u64::from(hit);
                }
            }
        }
        let lignes = lines
            .iter()
            .zip(line_people)
            .map(|(&precedent, participants)| {
                let motifs: Vec<usize> = Motif::ALL
                    .iter()
                    .filter(|&&m| precedent.contains(m))
                    .map(|&m| m as usize)
                    .collect();
                let mut all: Vec<u32> = motifs
                    .iter()
                    .flat_map(|&m| delays[m].iter().copied())
                    .collect();
                let mut delais = [0u64; 5];
                for &m in &motifs {
                    for (d, b) in delais.iter_mut().zip(bands[m]) {
                        *d += b;
                    }
                }
                Ligne {
                    precedent,
                    participants,
                    reentrees: all.len() as u64,
                    delais,
                    mediane_jours: median(&mut all),
                }
            })
            .collect();
        let period = period.unwrap_or_else(|| {
            if first > last {
                Period::year(FIRST_YEAR)
            } else {
                Period {
                    first: Day(first).year(),
                    last: Day(last).year(),
                }
            }
        });
        Ok(Reentrees {
            period,
            filter: filter.clone(),
            plies: plies.iter().filter(|&&p| p).count(),
            participants,
            participants_revenus: revenus,
            lignes,
            non_observes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn calendar_months() {
        assert_eq!(
            mois_entiers(date!(2016 - 01 - 31), date!(2016 - 02 - 29)),
            1
        );
        assert_eq!(
            mois_entiers(date!(2016 - 01 - 31), date!(2016 - 02 - 28)),
            0
        );
        assert_eq!(
            mois_entiers(date!(2016 - 01 - 31), date!(2016 - 04 - 30)),
            3
        );
        assert_eq!(
            mois_entiers(date!(2016 - 01 - 31), date!(2016 - 04 - 29)),
            2
        );
        assert_eq!(
            mois_entiers(date!(2015 - 03 - 15), date!(2015 - 06 - 14)),
            2
        );
        assert_eq!(
            mois_entiers(date!(2015 - 03 - 15), date!(2015 - 06 - 15)),
            3
        );
        assert_eq!(
            mois_entiers(date!(2015 - 12 - 31), date!(2016 - 01 - 01)),
            0
        );
        assert_eq!(
            mois_entiers(date!(2014 - 06 - 01), date!(2016 - 06 - 01)),
            24
        );
        assert_eq!(
            mois_entiers(date!(2014 - 06 - 02), date!(2016 - 06 - 01)),
            23
        );
        assert_eq!(
            mois_entiers(date!(2016 - 06 - 01), date!(2016 - 05 - 01)),
            -1
        );
        assert_eq!(
            mois_entiers(date!(2016 - 06 - 01), date!(2016 - 05 - 02)),
            0
        );
    }

    #[test]
    fn bands() {
        let of = |m| Delai::of(m);
        assert_eq!(
            [0, 2, 3, 5, 6, 11, 12, 23, 24, 100].map(of),
            [
                Delai::Moins3,
                Delai::Moins3,
                Delai::De3a6,
                Delai::De3a6,
                Delai::De6a12,
                Delai::De6a12,
                Delai::De12a24,
                Delai::De12a24,
                Delai::Plus24,
                Delai::Plus24
            ]
        );
    }

    #[test]
    fn medians() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [7]), Some(7.0));
        assert_eq!(median(&mut [9, 1, 4]), Some(4.0));
        assert_eq!(median(&mut [10, 1, 4, 3]), Some(3.5));
    }

    #[test]
    fn precedent_lines() {
        let codes: Vec<&str> = Precedent::all().iter().map(|p| p.code()).collect();
        assert_eq!(
            codes,
            [
                "toutes",
                "positives",
                "EMPLOI",
                "FORMATION",
                "AUTRE_POSITIVE",
                "sans_suite",
                "ABANDON",
                "DEMENAGEMENT_DECES_RETRAITE",
                "AUTRE_SANS_SUITE"
            ]
        );
    }

    #[test]
    fn period_bounds() {
        let (lo, hi) = day_bounds(Period::years(1990, 1991).unwrap());
        assert_eq!((lo, hi), (0, 729));
    }
}
