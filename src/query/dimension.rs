//! Dimensions (CLI.md's `--rows`, `--cols`, `--filter`) and their value codes, and how a dimension
//! or a filter is resolved against a corpus into lookup tables over the stored codes.

use std::collections::BTreeSet;

use super::QueryError;
use crate::index::{Chunk, ChunkInfo, Column, Corpus, OPEN};
use crate::model::{Motif, Niveau, Public, FIRST_YEAR};
use crate::store::{Columns, ParcoursColumn, StoreError, NONE};

/// A characteristic a figure can be broken down or filtered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Dimension {
    Sexe,
    Age26,
    TrancheAge,
    Age45,
    Th,
    InscritPe,
    Qpv,
    Public,
    Niveau,
    NiveauGroupe,
    Inactivite,
    Plie,
    Departement,
    Region,
    AnneeEntree,
    AnneeSortie,
    MotifSortie,
}

impl Dimension {
    pub const ALL: &'static [Dimension] = &[
        Dimension::Sexe,
        Dimension::Age26,
        Dimension::TrancheAge,
        Dimension::Age45,
        Dimension::Th,
        Dimension::InscritPe,
        Dimension::Qpv,
        Dimension::Public,
        Dimension::Niveau,
        Dimension::NiveauGroupe,
        Dimension::Inactivite,
        Dimension::Plie,
        Dimension::Departement,
        Dimension::Region,
        Dimension::AnneeEntree,
        Dimension::AnneeSortie,
        Dimension::MotifSortie,
    ];

    /// The name used on the command line and in csv headers.
    pub fn code(self) -> &'static str {
        match self {
            Dimension::Sexe => "sexe",
            Dimension::Age26 => "age_26",
            Dimension::TrancheAge => "tranche_age",
            Dimension::Age45 => "age45",
            Dimension::Th => "th",
            Dimension::InscritPe => "inscrit_pe",
            Dimension::Qpv => "qpv",
            Dimension::Public => "public",
            Dimension::Niveau => "niveau",
            Dimension::NiveauGroupe => "niveau_groupe",
            Dimension::Inactivite => "inactivite",
            Dimension::Plie => "plie",
            Dimension::Departement => "departement",
            Dimension::Region => "region",
            Dimension::AnneeEntree => "annee_entree",
            Dimension::AnneeSortie => "annee_sortie",
            Dimension::MotifSortie => "motif_sortie",
        }
    }

    /// Reads a dimension name (exact, lowercase as CLI.md writes it).
    pub fn parse(name: &str) -> Result<Dimension, QueryError> {
        Self::ALL
            .iter()
            .copied()
            .find(|d| d.code() == name)
            .ok_or_else(|| QueryError::UnknownDimension {
                name: name.to_owned(),
                valid: Self::ALL
                    .iter()
                    .map(|d| d.code())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// The value codes of a fixed-code dimension, in CLI.md's order; `None` for the dimensions
    /// whose values come from the data (plie, departement, region, years).
    pub fn fixed_values(self) -> Option<Vec<&'static str>> {
        let codes = |all: &[&'static str]| Some(all.to_vec());
        match self {
            Dimension::Sexe => codes(&["H", "F"]),
            Dimension::Age26 => codes(&["<26", ">=26"]),
            Dimension::TrancheAge => codes(&["15-24", "25-44", "45-54", "55-64", "65+"]),
            Dimension::Age45 => codes(&["<45", ">=45"]),
            Dimension::Th | Dimension::InscritPe => codes(&["1", "0"]),
            Dimension::Qpv => codes(&["1", "0", "?"]),
            Dimension::Public => Some(Public::ALL.iter().map(|p| p.code()).collect()),
            Dimension::Niveau => Some(Niveau::ALL.iter().map(|n| n.code()).collect()),
            Dimension::NiveauGroupe => codes(&["VI", "VBIS", "V", "IV+", "9", "NC"]),
            Dimension::Inactivite => codes(&["<1", "1-2", "2-3", "3-5", "5+", "JAMAIS", "?"]),
            Dimension::MotifSortie => Some(
                Motif::ALL
                    .iter()
                    .map(|m| m.code())
                    .chain(std::iter::once("-"))
                    .collect(),
            ),
            Dimension::Plie
            | Dimension::Departement
            | Dimension::Region
            | Dimension::AnneeEntree
            | Dimension::AnneeSortie => None,
        }
    }

    /// Where the dimension's value of a row is read.
    /// `plie`, `departement` and `region`: the dimensions that hold for a whole PLIE.
    pub fn is_territorial(self) -> bool {
        self.source() == Source::Plie
    }

    pub(crate) fn source(self) -> Source {
        match self {
            Dimension::Sexe => Source::Row(Column::Sexe),
            Dimension::Age26 | Dimension::TrancheAge | Dimension::Age45 => Source::Row(Column::Age),
            Dimension::Th => Source::Row(Column::Th),
            Dimension::InscritPe => Source::Row(Column::InscritPe),
            Dimension::Qpv => Source::Row(Column::Qpv),
            Dimension::Public => Source::Row(Column::Public),
            Dimension::Niveau | Dimension::NiveauGroupe => Source::Row(Column::Niveau),
            Dimension::Inactivite => Source::Row(Column::InactiviteBand),
            Dimension::AnneeEntree => Source::Row(Column::AnneeEntree),
            Dimension::AnneeSortie => Source::Row(Column::AnneeSortie),
            Dimension::MotifSortie => Source::Row(Column::Motif),
            Dimension::Plie | Dimension::Departement | Dimension::Region => Source::Plie,
        }
    }

    /// For a fixed-code dimension, the value index of stored code `code`.
    fn fixed_index(self, code: u8) -> Option<u16> {
        let i = match self {
            Dimension::Sexe | Dimension::Public | Dimension::Niveau | Dimension::Inactivite => code,
            Dimension::Age26 => u8::from(code >= 26),
            Dimension::Age45 => u8::from(code >= 45),
            Dimension::TrancheAge => match code {
                15..=24 => 0,
                25..=44 => 1,
                45..=54 => 2,
                55..=64 => 3,
                65.. => 4,
                _ => return None,
            },
            Dimension::Th | Dimension::InscritPe => match code {
                1 => 0,
                0 => 1,
                _ => return None,
            },
            Dimension::Qpv => match code {
                1 => 0,
                0 => 1,
                NONE => 2,
                _ => return None,
            },
            Dimension::NiveauGroupe => match code {
                0..=2 => code,
                3..=6 => 3,
                7 => 4,
                8 => 5,
                _ => return None,
            },
            Dimension::MotifSortie => match code {
                NONE => 6,
                c => c,
            },
            _ => return None,
        };
        let n = self.fixed_values().map_or(0, |v| v.len());
        (usize::from(i) < n).then_some(u16::from(i))
    }
}

impl Dimension {
    /// The value of `valid` that `wanted` names: the same text; else the same ignoring case,
    /// accents, and spaces, hyphens and apostrophes between words (`ile de france` is
    /// `Île-de-France`); for the yes/no dimensions (`th`, `inscrit_pe`, `qpv`) also the import's
    /// spellings `oui` and `non` (any case), and `inconnu` for `qpv`'s `?`.
    pub fn matching<'a>(
        self,
        wanted: &str,
        valid: impl IntoIterator<Item = &'a str> + Clone,
    ) -> Option<&'a str> {
        let wanted = wanted.trim();
        let wanted = match (self, folded(wanted).as_str()) {
            (Dimension::Th | Dimension::InscritPe | Dimension::Qpv, "oui") => "1",
            (Dimension::Th | Dimension::InscritPe | Dimension::Qpv, "non") => "0",
            (Dimension::Qpv, "inconnu") => "?",
            _ => wanted,
        };
        if let Some(v) = valid.clone().into_iter().find(|v| *v == wanted) {
            return Some(v);
        }
        if let Some(v) = valid
            .clone()
            .into_iter()
            .find(|v| v.eq_ignore_ascii_case(wanted))
        {
            return Some(v);
        }
        let key = folded(wanted);
        valid.into_iter().find(|v| folded(v) == key)
    }
}

/// `text` in lower case without accents, its words separated by one space (spaces, hyphens,
/// underscores and apostrophes between them alike): how names typed by people are compared.
pub fn folded(text: &str) -> String {
    use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};
    let mut out = String::with_capacity(text.len());
    for c in text.nfd().filter(|c| !is_combining_mark(*c)) {
        match c {
            'œ' | 'Œ' => out.push_str("oe"),
            'æ' | 'Æ' => out.push_str("ae"),
            '-' | '_' | '\'' | '’' => out.push(' '),
            c if c.is_whitespace() => out.push(' '),
            c => out.extend(c.to_lowercase()),
        }
    }
    out.split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where a dimension's value of a row is read: one of the row's columns, or its PLIE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Row(Column),
    Plie,
}

/// A key that no value takes: the row is not counted on that axis.
pub(crate) const MISSING: u16 = u16::MAX;

/// A dimension resolved against a corpus: its value codes, and the value index of every stored
/// code (or of every PLIE).
#[derive(Debug, Clone)]
pub(crate) struct Axis {
    pub values: Vec<String>,
    pub lookup: Lookup,
}

#[derive(Debug, Clone)]
pub(crate) enum Lookup {
    /// Value index by stored code of the column.
    Row(Column, Box<[u16; 256]>),
    /// Value index by PLIE index.
    Plie(Vec<u16>),
}

fn year_label(code: u8) -> String {
    if code == OPEN {
        "-".to_owned()
    } else {
        (FIRST_YEAR + i32::from(code)).to_string()
    }
}

/// The stored keys of a dimension over a corpus, each with its value label: codes of its column, or
/// PLIE indices. `present` limits data-driven dimensions to the keys seen after filters.
fn keys_and_labels(
    dimension: Dimension,
    corpus: &Corpus,
    present: Option<&Present>,
) -> Result<Vec<(usize, String)>, StoreError> {
    Ok(match dimension {
        Dimension::Plie => (0..corpus.plies.len())
            .filter(|&p| present.is_none_or(|s| s.plies[p]))
            .map(|p| (p, corpus.plies[p].plie.clone()))
            .collect(),
        Dimension::Departement | Dimension::Region => {
            let (names, of_plie) = if dimension == Dimension::Departement {
                (&corpus.departements, &corpus.plie_departement)
            } else {
                (&corpus.regions, &corpus.plie_region)
            };
            (0..corpus.plies.len())
                .filter(|&p| present.is_none_or(|s| s.plies[p]))
                .map(|p| (p, names[of_plie[p] as usize].clone()))
                .collect()
        }
        Dimension::AnneeEntree | Dimension::AnneeSortie => {
            let seen = match present {
                Some(s) if dimension == Dimension::AnneeEntree => s.annee_entree,
                Some(s) => s.annee_sortie,
                None => {
                    let all = Present::scan(corpus, &RowFilter::all(corpus))?;
                    if dimension == Dimension::AnneeEntree {
                        all.annee_entree
                    } else {
                        all.annee_sortie
                    }
                }
            };
            (0..256)
                .filter(|&c| seen[c])
                .map(|c| (c, year_label(c as u8)))
                .collect()
        }
        _ => Vec::new(),
    })
}

impl Axis {
    /// Resolves `dimension` over the whole corpus (for tables that classify rows themselves).
    pub(crate) fn of(dimension: Dimension, corpus: &Corpus) -> Result<Axis, StoreError> {
        let present = if dimension.fixed_values().is_some() {
            Present::none()
        } else {
            Present::scan(corpus, &RowFilter::all(corpus))?
        };
        Axis::resolve(dimension, corpus, &present)
    }

    /// The index in `values` of row `i` of `chunk`, `None` if the row has no value on this axis
    /// (an unknown inactivity, an age band a row does not fall in).
    #[inline]
    pub(crate) fn value_of(&self, chunk: &Chunk, i: usize) -> Option<usize> {
        let v = match &self.lookup {
            Lookup::Row(column, table) => table[chunk.column(*column)[i] as usize],
            Lookup::Plie(table) => table[chunk.plie as usize],
        };
        (v != MISSING).then_some(usize::from(v))
    }

    /// Resolves `dimension` for a query whose rows pass `present`'s filter.
    pub(crate) fn resolve(
        dimension: Dimension,
        corpus: &Corpus,
        present: &Present,
    ) -> Result<Axis, StoreError> {
        if let Some(values) = dimension.fixed_values() {
            let Source::Row(column) = dimension.source() else {
                unreachable!("fixed dimensions read a row column")
            };
            let mut table = Box::new([MISSING; 256]);
            for (code, slot) in table.iter_mut().enumerate() {
                *slot = dimension.fixed_index(code as u8).unwrap_or(MISSING);
            }
            return Ok(Axis {
                values: values.into_iter().map(str::to_owned).collect(),
                lookup: Lookup::Row(column, table),
            });
        }
        // Data-driven: the distinct labels seen, sorted (years numerically, `-` last).
        let keys = keys_and_labels(dimension, corpus, Some(present))?;
        let labels: BTreeSet<&String> = keys.iter().map(|(_, l)| l).collect();
        let mut values: Vec<String> = labels.into_iter().cloned().collect();
        if matches!(dimension, Dimension::AnneeEntree | Dimension::AnneeSortie) {
            values.sort_by_key(|v| v.parse::<i32>().unwrap_or(i32::MAX));
        }
        let index_of = |label: &str| values.iter().position(|v| v == label).expect("listed") as u16;
        let lookup = match dimension.source() {
            Source::Row(column) => {
                let mut table = Box::new([MISSING; 256]);
                for (code, label) in &keys {
                    table[*code] = index_of(label);
                }
                Lookup::Row(column, table)
            }
            Source::Plie => {
                let mut table = vec![MISSING; corpus.plies.len()];
                for (p, label) in &keys {
                    table[*p] = index_of(label);
                }
                Lookup::Plie(table)
            }
        };
        Ok(Axis { values, lookup })
    }
}

/// `--filter DIM=V1,V2`: values of one dimension are OR-ed, dimensions are AND-ed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub clauses: Vec<(Dimension, Vec<String>)>,
}

impl Filter {
    /// No restriction.
    pub fn none() -> Filter {
        Filter::default()
    }

    /// Parses one `DIM=V1[,V2...]` and adds it.
    pub fn add(&mut self, clause: &str) -> Result<(), QueryError> {
        let (dim, values) = clause
            .split_once('=')
            .ok_or_else(|| QueryError::BadFilter(clause.to_owned()))?;
        let dimension = Dimension::parse(dim.trim())?;
        let values: Vec<String> = values.split(',').map(|v| v.trim().to_owned()).collect();
        if values.iter().any(String::is_empty) {
            return Err(QueryError::BadFilter(clause.to_owned()));
        }
        self.clauses.push((dimension, values));
        Ok(())
    }

    /// Adds `dimension` restricted to `values`.
    pub fn with(mut self, dimension: Dimension, values: &[&str]) -> Filter {
        self.clauses
            .push((dimension, values.iter().map(|v| (*v).to_owned()).collect()));
        self
    }

    /// `DIM=V1,V2; DIM2=V3` as written in table headers, or `aucun` when empty.
    pub fn describe(&self) -> String {
        if self.clauses.is_empty() {
            return "aucun".to_owned();
        }
        self.clauses
            .iter()
            .map(|(d, v)| format!("{}={}", d.code(), v.join(",")))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// A filter resolved against a corpus: which PLIE pass, and which codes pass in each filtered
/// column.
#[derive(Debug, Clone)]
pub(crate) struct RowFilter {
    pub plies: Vec<bool>,
    pub columns: Vec<(Column, Box<[bool; 256]>)>,
}

impl RowFilter {
    pub fn all(corpus: &Corpus) -> RowFilter {
        RowFilter {
            plies: vec![true; corpus.plies.len()],
            columns: Vec::new(),
        }
    }

    /// The stored columns the filter reads.
    pub fn columns(&self) -> Columns {
        self.columns
            .iter()
            .fold(Columns::NONE, |set, (column, _)| set.with(column.stored()))
    }

    /// Whether a row of chunk `info` may pass, from its PLIE and its zone map alone.
    pub fn may_pass(&self, info: &ChunkInfo) -> bool {
        self.plies[info.plie as usize]
            && self.columns.iter().all(|(column, pass)| match column {
                Column::AnneeEntree | Column::AnneeSortie | Column::InactiviteBand => true,
                _ => info.zone.may_hold(column.stored(), pass),
            })
    }

    /// Resolves `filter`, refusing unknown values with the list of valid ones.
    pub fn resolve(filter: &Filter, corpus: &Corpus) -> Result<RowFilter, crate::Error> {
        let mut resolved = RowFilter::all(corpus);
        for (dimension, wanted) in &filter.clauses {
            // Every (key, label) the dimension has in the store.
            let keys: Vec<(usize, String)> = match dimension.fixed_values() {
                Some(values) => (0..256)
                    .filter_map(|code| {
                        let i = dimension.fixed_index(code as u8)?;
                        Some((code, values[i as usize].to_owned()))
                    })
                    .collect(),
                None => keys_and_labels(*dimension, corpus, None)?,
            };
            let valid: BTreeSet<&str> = match dimension.fixed_values() {
                Some(values) => values.into_iter().collect(),
                None => keys.iter().map(|(_, l)| l.as_str()).collect(),
            };
            let mut chosen = BTreeSet::new();
            for w in wanted {
                let hit = dimension
                    .matching(w, valid.iter().copied())
                    .or_else(|| {
                        // A department may be named (`Nord`, `cotes d'armor`) as well as coded.
                        let named = (*dimension == Dimension::Departement)
                            .then(|| {
                                let key = folded(w);
                                crate::territoires::Territoires::get()
                                    .departements
                                    .iter()
                                    .find(|d| folded(&d.nom) == key)
                            })
                            .flatten()?;
                        valid.iter().copied().find(|v| *v == named.code)
                    })
                    .ok_or_else(|| QueryError::UnknownValue {
                        dimension: dimension.code(),
                        value: w.clone(),
                        valid: valid.iter().copied().collect::<Vec<_>>().join(", "),
                    })?;
                chosen.insert(hit);
            }
            match dimension.source() {
                Source::Row(column) => {
                    let mut pass = Box::new([false; 256]);
                    for (code, label) in &keys {
                        pass[*code] = chosen.contains(label.as_str());
                    }
                    resolved.columns.push((column, pass));
                }
                Source::Plie => {
                    let mut pass = vec![false; corpus.plies.len()];
                    for (p, label) in &keys {
                        pass[*p] = chosen.contains(label.as_str());
                    }
                    for (ok, p) in resolved.plies.iter_mut().zip(pass) {
                        *ok &= p;
                    }
                }
            }
        }
        Ok(resolved)
    }

    /// Whether row `i` of `chunk` passes (the chunk's PLIE is checked apart).
    #[inline]
    pub fn row(&self, chunk: &Chunk, i: usize) -> bool {
        self.columns
            .iter()
            .all(|(column, pass)| pass[chunk.column(*column)[i] as usize])
    }
}

/// What the rows passing a filter hold, over all years: their PLIE and their entry and exit years.
/// Data-driven dimensions list exactly these values.
#[derive(Debug, Clone)]
pub(crate) struct Present {
    pub plies: Vec<bool>,
    pub annee_entree: [bool; 256],
    pub annee_sortie: [bool; 256],
}

impl Present {
    /// What the summaries say, when the filter's columns are all in one of their groupings
    /// (no filter, or a filter on one characteristic: the usual cases): that grouping's cells
    /// partition each PLIE's parcours by the filtered codes, so the years and PLIE of the cells
    /// that pass are exactly those present. No parcours read.
    fn from_summaries(corpus: &Corpus, filter: &RowFilter) -> Result<Option<Present>, StoreError> {
        let wanted: Option<Vec<_>> = filter
            .columns
            .iter()
            .map(|(column, _)| super::summary::summary_column(*column))
            .collect();
        let Some(wanted) = wanted else {
            return Ok(None);
        };
        let Some(g) = crate::store::SUMMARY_GROUPINGS
            .iter()
            .position(|g| wanted.iter().all(|c| g.contains(c)))
        else {
            return Ok(None);
        };
        let Some(summaries) = corpus.summaries()? else {
            return Ok(None);
        };
        let at: Vec<usize> = wanted
            .iter()
            .map(|c| {
                crate::store::SUMMARY_GROUPINGS[g]
                    .iter()
                    .position(|k| k == c)
                    .expect("found above")
            })
            .collect();
        let mut present = Present {
            plies: vec![false; corpus.plies.len()],
            annee_entree: [false; 256],
            annee_sortie: [false; 256],
        };
        for (p, summary) in summaries.iter().enumerate() {
            if !filter.plies[p] {
                continue;
            }
            for j in 0..summary.grouping.len() {
                let passes = summary.grouping[j] == g as u8
                    && summary.parcours[j] > 0
                    && filter
                        .columns
                        .iter()
                        .zip(&at)
                        .all(|((_, pass), &k)| pass[usize::from(summary.code[j][k])]);
                if passes {
                    present.plies[p] = true;
                    present.annee_entree[usize::from(summary.annee_entree[j])] = true;
                    present.annee_sortie[usize::from(summary.annee_sortie[j])] = true;
                }
            }
        }
        Ok(Some(present))
    }

    /// Nothing seen: for queries whose dimensions all have fixed values.
    pub fn none() -> Present {
        Present {
            plies: Vec::new(),
            annee_entree: [false; 256],
            annee_sortie: [false; 256],
        }
    }

    pub fn scan(corpus: &Corpus, filter: &RowFilter) -> Result<Present, StoreError> {
        if let Some(present) = Present::from_summaries(corpus, filter)? {
            return Ok(present);
        }
        let empty = || Present {
            plies: vec![false; corpus.plies.len()],
            annee_entree: [false; 256],
            annee_sortie: [false; 256],
        };
        let columns =
            Columns::of(&[ParcoursColumn::Entree, ParcoursColumn::Sortie]).union(filter.columns());
        corpus.fold_chunks(
            columns,
            |c| filter.may_pass(c),
            empty,
            |mut seen, chunk| {
                for i in 0..chunk.len() {
                    if filter.row(chunk, i) {
                        seen.plies[chunk.plie as usize] = true;
                        seen.annee_entree[chunk.annee_entree()[i] as usize] = true;
                        seen.annee_sortie[chunk.annee_sortie()[i] as usize] = true;
                    }
                }
                seen
            },
            |mut a, b| {
                a.plies.iter_mut().zip(&b.plies).for_each(|(x, y)| *x |= y);
                a.annee_entree
                    .iter_mut()
                    .zip(&b.annee_entree)
                    .for_each(|(x, y)| *x |= y);
                a.annee_sortie
                    .iter_mut()
                    .zip(&b.annee_sortie)
                    .for_each(|(x, y)| *x |= y);
                a
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_match_without_case_accents_or_word_separators() {
        assert_eq!(folded("Île-de-France"), "ile de france");
        assert_eq!(
            folded("  Provence-Alpes-Côte d'Azur "),
            "provence alpes cote d azur"
        );
        assert_eq!(folded("ILE  de   FRANCE"), "ile de france");
        let regions = ["Bretagne", "Île-de-France", "Hauts-de-France"];
        let r = Dimension::Region;
        assert_eq!(r.matching("ile de france", regions), Some("Île-de-France"));
        assert_eq!(r.matching("Ile-de-France", regions), Some("Île-de-France"));
        assert_eq!(r.matching("BRETAGNE", regions), Some("Bretagne"));
        assert_eq!(r.matching("Normandie", regions), None);
        let plies = ["P44a", "P44A"];
        assert_eq!(Dimension::Plie.matching("P44A", plies), Some("P44A"));
        let yes_no = ["1", "0", "?"];
        assert_eq!(Dimension::Qpv.matching("oui", yes_no), Some("1"));
        assert_eq!(Dimension::Qpv.matching("NON", yes_no), Some("0"));
        assert_eq!(Dimension::Qpv.matching("inconnu", yes_no), Some("?"));
        assert_eq!(Dimension::Th.matching("Oui", ["1", "0"]), Some("1"));
        assert_eq!(Dimension::Sexe.matching("oui", ["H", "F"]), None);
    }

    /// The summaries keep one age per class of `store::summary::AGE_BOUNDS`: exact only if every
    /// age dimension gives every age of a class the value of the class's code.
    #[test]
    fn age_dimensions_change_value_only_at_the_summaries_bounds() {
        for dimension in [Dimension::Age26, Dimension::TrancheAge, Dimension::Age45] {
            for age in 0..=u8::MAX {
                let class = crate::store::summary_age_class(age);
                assert_eq!(
                    dimension.fixed_index(age),
                    dimension.fixed_index(class),
                    "{} at age {age} (class {class})",
                    dimension.code()
                );
            }
        }
    }
}
