//! parcours.csv: one row per parcours, its values, and the rules between rows (uniqueness of
//! (plie, participant, entree) and no overlap of one participant's parcours in one PLIE).

use std::cmp::Ordering;
use std::collections::HashMap;

use super::dialect::{key, opt, req, Column, Table};
use super::error::{quote, Rule};
use super::row::{finish, scan, Row, Scanned, V};
use super::values;
use super::{Ctx, FileCounts, RejectedRows};
use crate::model::{
    Contrat, Day, Domaine, Employeur, Inactivite, Mesure, Motif, Niveau, Parcours, Public, Sexe,
    SortieEmploi, SortieFormation, Taille, Validation,
};

pub(crate) const FILE: &str = "parcours.csv";

pub(crate) const COLUMNS: &[Column] = &[
    req("plie"),
    key("participant"),
    req("entree"),
    opt("sortie"),
    opt("motif_sortie"),
    req("sexe"),
    req("naissance"),
    req("public"),
    req("inscrit_pe"),
    req("th"),
    req("niveau"),
    opt("inactivite"),
    opt("qpv"),
    opt("commune"),
    opt("emploi_secteur"),
    opt("emploi_employeur"),
    opt("emploi_taille"),
    opt("emploi_contrat"),
    opt("emploi_mesure"),
    opt("formation_domaine"),
    opt("formation_niveau"),
    opt("formation_validation"),
    opt("formation_duree_mois"),
];

pub(crate) const PARTICIPANT: usize = 1;
pub(crate) const ENTREE: usize = 2;
const SORTIE: usize = 3;
const MOTIF: usize = 4;
const SEXE: usize = 5;
const NAISSANCE: usize = 6;
const PUBLIC: usize = 7;
const INSCRIT_PE: usize = 8;
const TH: usize = 9;
const NIVEAU: usize = 10;
const INACTIVITE: usize = 11;
const QPV: usize = 12;
const COMMUNE: usize = 13;
const EMPLOI: std::ops::Range<usize> = 14..19;
const FORMATION: std::ops::Range<usize> = 19..23;

/// What the rules between rows need of a row, and the record itself when the row is valid.
pub(crate) struct PRow {
    plie: Option<u32>,
    participant: Option<String>,
    entree: Option<Day>,
    /// `Absent` while the parcours goes on.
    sortie: V<Day>,
    /// The record, without its `plie` and `participant` (filled in at the end).
    record: Option<Parcours>,
}

/// A parcours found for an étape.
pub(crate) struct Found {
    pub line: u64,
    pub failed: bool,
    /// The exit: `Absent` when open, `Bad` when unreadable.
    pub sortie: V<Day>,
}

/// parcours.csv read and checked, kept until the étapes have been matched against it.
pub(crate) struct ParcoursFile {
    pub table: Table,
    rows: Vec<Scanned<PRow>>,
    /// The rows that have a readable key, in the order of [`ParcoursFile::cmp_keys`].
    order: Vec<Key>,
}

/// A row's key for the rules between rows, compact so that sorting and searching rarely leave it.
#[derive(Debug, Clone, Copy)]
struct Key {
    /// Hash of the participant key.
    hash: u64,
    plie: u32,
    /// Index of the row in the file.
    idx: u32,
    entree: Day,
    /// See [`reach`].
    reach: u32,
}

/// Finds parcours by (plie, participant, entree) in constant time.
pub(crate) struct Index<'f> {
    file: &'f ParcoursFile,
    /// The first row (in file order) with this (plie, participant hash, entree).
    first: HashMap<(u32, u64, Day), u32, Mix>,
}

impl Index<'_> {
    /// The parcours (plie, participant, entree): the first such row of the file.
    pub fn find(&self, plie: u32, participant: &str, entree: Day) -> Option<Found> {
        let file = self.file;
        let hash = hash(participant);
        let &first = self.first.get(&(plie, hash, entree))?;
        let idx = if file.participant(first) == participant {
            first
        } else {
            // Two participants with one hash: rare enough for a binary search.
            file.search(plie, hash, participant, entree)?.idx
        };
        let row = &file.rows[idx as usize];
        Some(Found {
            line: row.line,
            failed: row.failed,
            sortie: row.item.as_ref().expect("keyed").sortie,
        })
    }
}

/// A hasher for keys that already hold a good hash: multiply and fold.
#[derive(Default, Clone, Copy)]
pub(crate) struct Mix(u64);

impl std::hash::Hasher for Mix {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(29) ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u16(&mut self, n: u16) {
        self.write_u64(u64::from(n));
    }
}

impl std::hash::BuildHasher for Mix {
    type Hasher = Mix;

    fn build_hasher(&self) -> Mix {
        Mix(0)
    }
}

fn hash(participant: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    // Tests force collisions to exercise the paths that compare the keys themselves.
    #[cfg(test)]
    if participant.starts_with("same-hash") {
        return 42;
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    participant.hash(&mut h);
    h.finish()
}

/// Whether an exit-detail column may be filled, given the motif.
#[derive(Clone, Copy)]
enum Allowed {
    Yes,
    No(Option<Motif>),
    /// The motif is unreadable: the detail is checked for its own sake only.
    Unknown,
}

fn allowed(motif: V<Motif>, wanted: Motif) -> Allowed {
    match motif {
        V::Ok(m) if m == wanted => Allowed::Yes,
        V::Ok(m) => Allowed::No(Some(m)),
        V::Absent => Allowed::No(None),
        V::Bad => Allowed::Unknown,
    }
}

/// An exit detail: refused when the motif does not allow it, otherwise read with `read`.
fn detail<T>(
    row: &mut Row<'_, '_>,
    c: usize,
    allowed: Allowed,
    wanted: Motif,
    read: impl FnOnce(&mut Row<'_, '_>) -> V<T>,
) -> Option<T> {
    if let Allowed::No(motif) = allowed {
        if let V::Ok(text) = row.text(c) {
            let rule = if wanted == Motif::Emploi {
                Rule::EmploiDetail
            } else {
                Rule::FormationDetail
            };
            let why = match motif {
                Some(m) => format!("motif_sortie is {}", m.code()),
                None => "there is no motif_sortie".into(),
            };
            let name = row.table.columns[c].name;
            let tail = format!(
                "is given but {why}: {name} is only for an exit to {}",
                wanted.code()
            );
            row.invalid(c, text, rule, &tail);
        }
        return None;
    }
    read(row).ok()
}

fn read_row(row: &mut Row<'_, '_>, plie: Option<u32>, today: time::Date) -> PRow {
    let participant = row.participant(PARTICIPANT);
    let entree = row.date(ENTREE, today);
    let entree = row.need(ENTREE, entree);
    let sortie = row.date(SORTIE, today);
    let motif = row.code(MOTIF, Motif::parse, Motif::codes);
    let sortie_given = !row.text(SORTIE).is_absent();
    match (sortie_given, motif) {
        (false, V::Ok(m)) => {
            let tail = "is given but sortie is empty: a parcours that goes on has no motif_sortie";
            row.invalid(MOTIF, m.code(), Rule::MotifIffSortie, tail);
        }
        (true, V::Absent) => row.error(
            MOTIF,
            None,
            Rule::MotifIffSortie,
            "no value, but sortie is filled: an exit needs its motif_sortie".into(),
        ),
        _ => {}
    }
    if let (V::Ok(s), Some(e)) = (sortie, entree) {
        if s < e {
            if let V::Ok(text) = row.text(SORTIE) {
                let tail = format!("is before the entry date {}", e.date());
                row.invalid(SORTIE, text, Rule::ExitBeforeEntry, &tail);
            }
        }
    }
    let sexe = row.code(SEXE, Sexe::parse, Sexe::codes);
    let sexe = row.need(SEXE, sexe);
    let naissance = row.parse(NAISSANCE, Rule::BirthMonth, values::birth_month);
    let naissance = row.need(NAISSANCE, naissance);
    if let (Some(n), Some(e)) = (naissance, entree) {
        let text = row.text(NAISSANCE).ok().unwrap_or_default();
        let entry = e.date();
        if n.first_day().is_none_or(|first| first >= entry) {
            let tail = format!("is not before the entry date {entry}");
            row.invalid(NAISSANCE, text, Rule::BirthAfterEntry, &tail);
        } else if !(15..=99).contains(&n.age_on(entry)) {
            let tail = format!(
                "gives an age of {} at the entry date {entry}, outside 15 to 99",
                n.age_on(entry)
            );
            row.invalid(NAISSANCE, text, Rule::AgeAtEntry, &tail);
        }
    }
    let public = row.code(PUBLIC, Public::parse, Public::codes);
    let public = row.need(PUBLIC, public);
    let inscrit_pe = row.boolean(INSCRIT_PE);
    let inscrit_pe = row.need(INSCRIT_PE, inscrit_pe);
    let th = row.boolean(TH);
    let th = row.need(TH, th);
    let niveau = row.code(NIVEAU, Niveau::parse, Niveau::codes);
    let niveau = row.need(NIVEAU, niveau);
    let inactivite = match row.parse(INACTIVITE, Rule::Inactivite, values::inactivite) {
        V::Ok(i) => Some(i),
        V::Absent => Some(Inactivite::Inconnue),
        V::Bad => None,
    };
    let qpv = row.boolean(QPV);
    let commune = row.parse(COMMUNE, Rule::Commune, values::commune);

    let emploi_ok = allowed(motif, Motif::Emploi);
    let [secteur, employeur, taille, contrat, mesure] = [0, 1, 2, 3, 4].map(|i| EMPLOI.start + i);
    let emploi = SortieEmploi {
        secteur: detail(row, secteur, emploi_ok, Motif::Emploi, |r| {
            r.parse(secteur, Rule::Code, values::secteur)
        }),
        employeur: detail(row, employeur, emploi_ok, Motif::Emploi, |r| {
            r.code(employeur, Employeur::parse, Employeur::codes)
        }),
        taille: detail(row, taille, emploi_ok, Motif::Emploi, |r| {
            r.code(taille, Taille::parse, Taille::codes)
        }),
        contrat: detail(row, contrat, emploi_ok, Motif::Emploi, |r| {
            r.code(contrat, Contrat::parse, Contrat::codes)
        }),
        mesure: detail(row, mesure, emploi_ok, Motif::Emploi, |r| {
            r.code(mesure, Mesure::parse, Mesure::codes)
        }),
    };
    let formation_ok = allowed(motif, Motif::Formation);
    let [domaine, f_niveau, validation, duree] = [0, 1, 2, 3].map(|i| FORMATION.start + i);
    let formation = SortieFormation {
        domaine: detail(row, domaine, formation_ok, Motif::Formation, |r| {
            r.code(domaine, Domaine::parse, Domaine::codes)
        }),
        niveau: detail(row, f_niveau, formation_ok, Motif::Formation, |r| {
            r.code(f_niveau, Niveau::parse, Niveau::codes)
        }),
        validation: detail(row, validation, formation_ok, Motif::Formation, |r| {
            r.code(validation, Validation::parse, Validation::codes)
        }),
        duree_mois: detail(row, duree, formation_ok, Motif::Formation, |r| {
            r.parse(duree, Rule::Integer, |s| {
                values::integer(s, u64::from(u16::MAX)).map(|n| n as u16)
            })
        }),
    };

    let record = (|| {
        if row.failed {
            return None;
        }
        Some(Parcours {
            plie: String::new(),
            participant: String::new(),
            entree: entree?,
            sortie: match sortie {
                V::Ok(s) => Some((s, motif.ok()?)),
                _ => None,
            },
            sexe: sexe?,
            naissance: naissance?,
            public: public?,
            inscrit_pe: inscrit_pe?,
            th: th?,
            niveau: niveau?,
            inactivite: inactivite?,
            qpv: qpv.ok(),
            commune: commune.ok(),
            emploi,
            formation,
        })
    })();
    PRow {
        plie,
        participant: participant.map(str::to_string),
        entree,
        sortie,
        record,
    }
}

/// How far a parcours reaches: its exit day, or past every day while it goes on.
fn reach(row: &PRow, entree: Day) -> u32 {
    match row.sortie {
        V::Ok(day) => u32::from(day.0),
        V::Absent => u32::MAX,
        // An unreadable exit (already an error) is taken as the entry day, so that it raises no
        // overlap of its own.
        V::Bad => u32::from(entree.0),
    }
}

impl ParcoursFile {
    /// Checks every row of parcours.csv, then the rules between rows.
    pub fn check(table: Table, ctx: &mut Ctx) -> ParcoursFile {
        let today = ctx.today;
        let rows = scan(
            &table,
            &mut ctx.plies,
            &mut ctx.errors,
            &mut ctx.warnings,
            |row, plie| Some(read_row(row, plie, today)),
        );
        let mut file = ParcoursFile {
            table,
            rows,
            order: Vec::new(),
        };
        file.check_pairs(ctx);
        file
    }

    fn prow(&self, i: u32) -> &PRow {
        self.rows[i as usize]
            .item
            .as_ref()
            .expect("only rows with a key are ordered")
    }

    fn participant(&self, i: u32) -> &str {
        self.prow(i).participant.as_deref().expect("keyed")
    }

    /// The order of the pair rules: (plie, participant, entree, line), where participants are
    /// compared by hash first and by text only when the hashes are equal (a consistent total
    /// order that rarely leaves the compact keys).
    fn cmp_keys(&self, a: &Key, b: &Key) -> Ordering {
        (a.plie, a.hash)
            .cmp(&(b.plie, b.hash))
            .then_with(|| {
                if a.idx == b.idx {
                    Ordering::Equal
                } else {
                    self.participant(a.idx).cmp(self.participant(b.idx))
                }
            })
            .then(a.entree.cmp(&b.entree))
            .then(a.idx.cmp(&b.idx))
    }

    fn same_participant(&self, a: &Key, b: &Key) -> bool {
        a.plie == b.plie && a.hash == b.hash && self.participant(a.idx) == self.participant(b.idx)
    }

    /// Uniqueness of (plie, participant, entree) and no overlap, over the rows whose key is
    /// readable (whatever their other values).
    fn check_pairs(&mut self, ctx: &mut Ctx) {
        let mut order: Vec<Key> = self
            .rows
            .iter()
            .enumerate()
            .filter_map(|(i, row)| {
                let r = row.item.as_ref()?;
                let entree = r.entree?;
                Some(Key {
                    hash: hash(r.participant.as_deref()?),
                    plie: r.plie?,
                    idx: i as u32,
                    entree,
                    reach: reach(r, entree),
                })
            })
            .collect();
        order.sort_unstable_by(|a, b| self.cmp_keys(a, b));
        let mut refused = Vec::new();
        let mut start = 0;
        while start < order.len() {
            let mut end = start + 1;
            while end < order.len() && self.same_participant(&order[start], &order[end]) {
                end += 1;
            }
            // Within one participant of one PLIE, by entry then file order.
            let plie = order[start].plie;
            let mut furthest = order[start];
            let mut same_entry = order[start];
            for k in start + 1..end {
                let (cur, prev) = (order[k], order[k - 1]);
                if cur.entree == prev.entree {
                    let message = format!(
                        "is the entry date of another parcours of the same participant in PLIE \
                         {} at line {}: a parcours is given once",
                        ctx.plies.name(plie),
                        self.rows[same_entry.idx as usize].line
                    );
                    refused.push((cur.idx, Rule::DuplicateParcours, message));
                } else {
                    same_entry = cur;
                    if u32::from(cur.entree.0) <= furthest.reach {
                        let until = match self.prow(furthest.idx).sortie {
                            V::Ok(day) => format!("until {}", day.date()),
                            V::Absent => "still going on".into(),
                            V::Bad => "exit unreadable".into(),
                        };
                        let message = format!(
                            "falls within the parcours of the same participant in PLIE {} at \
                             line {} (from {}, {until}): a new parcours starts at the earliest the \
                             day after the previous exit",
                            ctx.plies.name(plie),
                            self.rows[furthest.idx as usize].line,
                            furthest.entree.date(),
                        );
                        refused.push((cur.idx, Rule::OverlappingParcours, message));
                    }
                }
                if cur.reach > furthest.reach {
                    furthest = cur;
                }
            }
            start = end;
        }
        for (i, rule, message) in refused {
            let row = &mut self.rows[i as usize];
            row.failed = true;
            let value = self.table.cell(row.span, ENTREE);
            let shown = quote(value.as_deref().unwrap_or_default());
            ctx.errors.push(super::error::RowError {
                position: self.table.position(row.line, ENTREE),
                value,
                rule,
                message: format!("{shown} {message}"),
            });
        }
        self.order = order;
    }

    /// The parcours (plie, participant, entree): the first such row of the file, by binary search.
    fn search(&self, plie: u32, hash: u64, participant: &str, entree: Day) -> Option<&Key> {
        let at = self.order.partition_point(|k| {
            (k.plie, k.hash)
                .cmp(&(plie, hash))
                .then_with(|| self.participant(k.idx).cmp(participant))
                .then(k.entree.cmp(&entree))
                == Ordering::Less
        });
        self.order
            .get(at)
            .filter(|k| self.is(k, plie, hash, participant, entree))
    }

    fn is(&self, k: &Key, plie: u32, hash: u64, participant: &str, entree: Day) -> bool {
        k.plie == plie
            && k.hash == hash
            && k.entree == entree
            && self.participant(k.idx) == participant
    }

    /// An index to find parcours by key, for the étapes.
    pub fn index(&self) -> Index<'_> {
        let mut first = HashMap::with_capacity_and_hasher(self.order.len(), Mix::default());
        for k in &self.order {
            first.entry((k.plie, k.hash, k.entree)).or_insert(k.idx);
        }
        Index { file: self, first }
    }

    /// Counts, rejects and the valid parcours, in file order.
    pub fn finish(self, ctx: &mut Ctx) -> (FileCounts, Option<RejectedRows>, Vec<Parcours>) {
        let ParcoursFile { table, rows, order } = self;
        drop(order);
        let (counts, rejects, rows) =
            finish(&table, rows, &ctx.plies, ctx.keep, &mut ctx.valid_plies);
        let mut parcours: Vec<Parcours> = rows
            .into_iter()
            .filter_map(|row| {
                let mut p = row.record?;
                p.plie = ctx.plies.name(row.plie?).to_string();
                p.participant = row.participant?;
                Some(p)
            })
            .collect();
        parcours.shrink_to_fit();
        (counts, rejects, parcours)
    }
}
