//! parcours.csv: one row per parcours, its values, and the rules between rows (uniqueness of
//! (plie, participant, entree) and no overlap of one participant's parcours in one PLIE).

use time::Date;

use super::dialect::{key, opt, req, Column, Table};
use super::error::{quote, ErrorTally, RowError, Rule};
use super::partition::{BlockOut, Place, Reader, Writer};
use super::row::{Row, V};
use super::stream::Source;
use super::values;
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
pub(crate) struct PRow<'r> {
    plie: Option<u32>,
    participant: Option<&'r str>,
    entree: Option<Day>,
    /// `Absent` while the parcours goes on.
    sortie: V<Day>,
    /// The record, without its `plie` and `participant` (filled in at the end).
    record: Option<Parcours>,
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

fn read_row<'r>(row: &mut Row<'r, '_>, plie: Option<u32>, today: time::Date) -> PRow<'r> {
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
        participant,
        entree,
        sortie,
        record,
    }
}

/// How far a parcours reaches: its exit day, or past every day while it goes on.
fn reach(sortie: V<Day>, entree: Day) -> u32 {
    match sortie {
        V::Ok(day) => u32::from(day.0),
        V::Absent => u32::MAX,
        // An unreadable exit (already an error) is taken as the entry day, so that it raises no
        // overlap of its own.
        V::Bad => u32::from(entree.0),
    }
}

/// Checks the rows of one block of parcours.csv on their own; each row whose PLIE, key and entry
/// are readable is set aside under its PLIE for the rules between rows.
pub(crate) fn block(
    table: &Table,
    offset: u64,
    today: Date,
    keep: bool,
    limit: usize,
    all_errors: bool,
) -> BlockOut {
    // Set aside as it is read, while the key is borrowed from the record: no copy of its own.
    BlockOut::read(table, limit, keep, all_errors, |row, plie, slots| {
        let r = read_row(row, plie, today);
        if let (Some(plie), Some(participant), Some(entree)) = (r.plie, r.participant, r.entree) {
            let failed = row.failed;
            let mut w = slots.row(plie, &Place::of(row, offset));
            w.text(participant).u16(entree.0);
            put_day(&mut w, r.sortie);
            match &r.record {
                Some(p) if !failed => {
                    w.u8(1);
                    put_parcours(&mut w, p);
                }
                _ => {
                    w.u8(0);
                }
            }
        }
    })
}

pub(crate) fn put_day(w: &mut Writer<'_>, v: V<Day>) {
    match v {
        V::Absent => w.u8(0).u16(0),
        V::Bad => w.u8(1).u16(0),
        V::Ok(d) => w.u8(2).u16(d.0),
    };
}

pub(crate) fn get_day(r: &mut Reader<'_>) -> V<Day> {
    let (tag, day) = (r.u8(), r.u16());
    match tag {
        0 => V::Absent,
        1 => V::Bad,
        _ => V::Ok(Day(day)),
    }
}

const NONE: u8 = u8::MAX;

fn code<T: Copy>(v: Option<T>, f: impl Fn(T) -> u8) -> u8 {
    v.map_or(NONE, f)
}

fn put_parcours(w: &mut Writer<'_>, p: &Parcours) {
    w.u16(p.sortie.map_or(u16::MAX, |(d, _)| d.0))
        .u8(code(p.sortie, |(_, m)| m as u8))
        .u8(p.sexe as u8)
        .u16(p.naissance.to_u16())
        .u8(p.public as u8)
        .u8(u8::from(p.inscrit_pe))
        .u8(u8::from(p.th))
        .u8(p.niveau as u8)
        .u16(p.inactivite.to_u16())
        .u8(code(p.qpv, u8::from))
        .text(p.commune.as_deref().unwrap_or(""));
    let e = &p.emploi;
    w.u8(code(e.secteur, |s| s))
        .u8(code(e.employeur, |v| v as u8))
        .u8(code(e.taille, |v| v as u8))
        .u8(code(e.contrat, |v| v as u8))
        .u8(code(e.mesure, |v| v as u8));
    let f = &p.formation;
    w.u8(code(f.domaine, |v| v as u8))
        .u8(code(f.niveau, |v| v as u8))
        .u8(code(f.validation, |v| v as u8))
        .u16(f.duree_mois.unwrap_or(u16::MAX));
}

/// What [`put_parcours`] wrote, for a row of `entree` (its `plie` and `participant` left empty).
fn get_parcours(r: &mut Reader<'_>, entree: Day) -> Parcours {
    fn opt<T>(code: u8, from: fn(u8) -> Option<T>) -> Option<T> {
        (code != NONE).then(|| from(code)).flatten()
    }
    let exit = r.u16();
    let motif = opt(r.u8(), Motif::from_u8);
    let sortie = motif.map(|m| (Day(exit), m));
    let sexe = Sexe::from_u8(r.u8()).expect("a code written by put_parcours");
    let naissance = crate::model::BirthMonth::from_u16(r.u16());
    let public = Public::from_u8(r.u8()).expect("a code written by put_parcours");
    let inscrit_pe = r.u8() == 1;
    let th = r.u8() == 1;
    let niveau = Niveau::from_u8(r.u8()).expect("a code written by put_parcours");
    let inactivite = Inactivite::from_u16(r.u16());
    let qpv = match r.u8() {
        NONE => None,
        v => Some(v == 1),
    };
    let commune = Some(r.text()).filter(|c| !c.is_empty()).map(str::to_string);
    let secteur = Some(r.u8()).filter(|&s| s != NONE);
    let emploi = SortieEmploi {
        secteur,
        employeur: opt(r.u8(), Employeur::from_u8),
        taille: opt(r.u8(), Taille::from_u8),
        contrat: opt(r.u8(), Contrat::from_u8),
        mesure: opt(r.u8(), Mesure::from_u8),
    };
    let formation = SortieFormation {
        domaine: opt(r.u8(), Domaine::from_u8),
        niveau: opt(r.u8(), Niveau::from_u8),
        validation: opt(r.u8(), Validation::from_u8),
        duree_mois: Some(r.u16()).filter(|&d| d != u16::MAX),
    };
    Parcours {
        plie: String::new(),
        participant: String::new(),
        entree,
        sortie,
        sexe,
        naissance,
        public,
        inscrit_pe,
        th,
        niveau,
        inactivite,
        qpv,
        commune,
        emploi,
        formation,
    }
}

/// A row of one PLIE set aside by [`block`]: what the rules between rows need.
pub(crate) struct Kept<'b> {
    pub line: u64,
    pub offset: u64,
    pub len: u32,
    pub failed: bool,
    /// Whether the row was refused by a rule between rows (after [`block`] counted it valid).
    pub failed_here: bool,
    pub participant: &'b str,
    pub entree: Day,
    pub sortie: V<Day>,
}

/// The rows [`block`] set aside for one PLIE, in file order (the partition keeps the order its
/// blocks were read in), and beside them each valid row's record (without its `plie` and
/// `participant`): apart, so that the records move out without a copy.
pub(crate) fn decode(bytes: &[u8]) -> (Vec<Kept<'_>>, Vec<Option<Parcours>>) {
    let mut r = Reader::new(bytes);
    let (mut rows, mut records) = (Vec::new(), Vec::new());
    let mut last = (0, 0);
    while !r.done() {
        let Place {
            line,
            offset,
            len,
            failed,
        } = r.place(&mut last);
        let participant = r.text();
        let entree = Day(r.u16());
        let sortie = get_day(&mut r);
        records.push((r.u8() == 1).then(|| get_parcours(&mut r, entree)));
        debug_assert!(rows.last().is_none_or(|k: &Kept| k.line < line));
        rows.push(Kept {
            line,
            offset,
            len,
            failed,
            failed_here: false,
            participant,
            entree,
            sortie,
        });
    }
    (rows, records)
}

/// One PLIE's parcours, checked by the rules between rows, and ordered to be found by key.
pub(crate) struct Checked<'b> {
    pub rows: Vec<Kept<'b>>,
    /// Indexes of `rows` by (participant, entree, line).
    order: Vec<u32>,
    /// The first row of each (participant's hash, entree).
    first: std::collections::HashMap<(u64, u16), u32, Mix>,
}

/// A parcours found for an étape.
pub(crate) struct Found {
    /// Its index among the PLIE's rows.
    pub index: u32,
    pub line: u64,
    pub failed: bool,
    /// The exit: `Absent` when open, `Bad` when unreadable.
    pub sortie: V<Day>,
}

impl<'b> Checked<'b> {
    /// Uniqueness of (plie, participant, entree) and no overlap, over the rows of one PLIE whose
    /// key is readable (whatever their other values).
    pub fn new(
        mut rows: Vec<Kept<'b>>,
        plie: &str,
        header: &Table,
        source: &Source,
        errors: &mut ErrorTally,
    ) -> Checked<'b> {
        let hashes: Vec<u64> = rows.iter().map(|k| hash(k.participant)).collect();
        let mut order: Vec<u32> = (0..rows.len() as u32).collect();
        // By hash first: the keys' text is compared only when two hashes are equal.
        let key = |i: &u32| {
            let k = &rows[*i as usize];
            (hashes[*i as usize], k.participant, k.entree, k.line)
        };
        order.sort_unstable_by(|a, b| key(a).cmp(&key(b)));
        let mut refused = Vec::new();
        let same = |a: &u32, b: &u32| {
            let (a, b) = (*a as usize, *b as usize);
            hashes[a] == hashes[b] && rows[a].participant == rows[b].participant
        };
        for group in order.chunk_by(same) {
            // Within one participant of one PLIE, by entry then file order.
            let row = |i: u32| &rows[i as usize];
            let reach_of = |i: u32| reach(row(i).sortie, row(i).entree);
            let mut furthest = group[0];
            let mut same_entry = group[0];
            for w in group.windows(2) {
                let (prev, cur) = (w[0], w[1]);
                if row(cur).entree == row(prev).entree {
                    let message = format!(
                        "is the entry date of another parcours of the same participant in PLIE \
                         {plie} at line {}: a parcours is given once",
                        row(same_entry).line
                    );
                    refused.push((cur, Rule::DuplicateParcours, message));
                } else {
                    same_entry = cur;
                    if u32::from(row(cur).entree.0) <= reach_of(furthest) {
                        let until = match row(furthest).sortie {
                            V::Ok(day) => format!("until {}", day.date()),
                            V::Absent => "still going on".into(),
                            V::Bad => "exit unreadable".into(),
                        };
                        let message = format!(
                            "falls within the parcours of the same participant in PLIE {plie} at \
                             line {} (from {}, {until}): a new parcours starts at the earliest the \
                             day after the previous exit",
                            row(furthest).line,
                            row(furthest).entree.date(),
                        );
                        refused.push((cur, Rule::OverlappingParcours, message));
                    }
                }
                if reach_of(cur) > reach_of(furthest) {
                    furthest = cur;
                }
            }
        }
        for (i, rule, message) in refused {
            let row = &mut rows[i as usize];
            if !row.failed {
                row.failed_here = true;
            }
            row.failed = true;
            let value = source
                .read(row.offset, row.len)
                .ok()
                .and_then(|bytes| header.cell_of(&bytes, ENTREE));
            let shown = quote(value.as_deref().unwrap_or_default());
            errors.push(RowError {
                position: header.position(row.line, ENTREE),
                value,
                rule,
                message: format!("{shown} {message}"),
            });
        }
        let mut first = std::collections::HashMap::with_capacity_and_hasher(rows.len(), Mix(0));
        for &i in &order {
            first
                .entry((hashes[i as usize], rows[i as usize].entree.0))
                .or_insert(i);
        }
        Checked { rows, order, first }
    }

    /// The parcours (participant, entree): the first such row of the file.
    pub fn find(&self, participant: &str, entree: Day) -> Option<Found> {
        let &i = self.first.get(&(hash(participant), entree.0))?;
        let k = &self.rows[i as usize];
        let (i, k) = if k.participant == participant {
            (i, k)
        } else {
            // Two keys with one hash: rare enough for a binary search.
            let h = hash(participant);
            let at = self.order.partition_point(|&i| {
                let k = &self.rows[i as usize];
                (hash(k.participant), k.participant, k.entree) < (h, participant, entree)
            });
            let i = *self.order.get(at)?;
            (i, &self.rows[i as usize])
        };
        (k.participant == participant && k.entree == entree).then_some(Found {
            index: i,
            line: k.line,
            failed: k.failed,
            sortie: k.sortie,
        })
    }
}

fn hash(participant: &str) -> u64 {
    // Tests force collisions to exercise the path that compares the keys themselves.
    #[cfg(test)]
    if participant.starts_with("same-hash") {
        return 42;
    }
    xxhash_rust::xxh3::xxh3_64(participant.as_bytes())
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
