//! etapes.csv: the steps of the parcours, each matched against its parcours.

use time::Date;

use super::dialect::{key, opt, req, Column, Table};
use super::error::{quote, ErrorTally, RowError, Rule};
use super::parcours::{get_day, put_day, Checked, ENTREE, PARTICIPANT};
use super::partition::{BlockOut, Place, Reader};
use super::row::{Row, V};
use super::stream::Source;
use crate::model::{Day, Etape, EtapeType};

pub(crate) const FILE: &str = "etapes.csv";

pub(crate) const COLUMNS: &[Column] = &[
    req("plie"),
    key("participant"),
    req("entree"),
    req("type"),
    req("debut"),
    opt("fin"),
    opt("finance_plie"),
];

const TYPE: usize = 3;
const DEBUT: usize = 4;
const FIN: usize = 5;
const FINANCE_PLIE: usize = 6;

/// What a row of etapes.csv says on its own.
struct ERow<'r> {
    plie: Option<u32>,
    participant: Option<&'r str>,
    entree: Option<Day>,
    etape: Option<EtapeType>,
    debut: V<Day>,
    fin: V<Day>,
    finance_plie: Option<bool>,
}

fn read_row<'r>(
    row: &mut Row<'r, '_>,
    plie: Option<u32>,
    today: Date,
    parcours_usable: bool,
) -> ERow<'r> {
    let participant = row.participant(PARTICIPANT);
    let entree = row.date(ENTREE, today);
    let entree = row.need(ENTREE, entree);
    let etape = row.code(TYPE, EtapeType::parse, EtapeType::codes);
    let etape = row.need(TYPE, etape);
    let debut = row.date(DEBUT, today);
    let debut = match row.need(DEBUT, debut) {
        Some(d) => V::Ok(d),
        None => V::Bad,
    };
    let fin = row.date(FIN, today);
    let finance_plie = row.boolean(FINANCE_PLIE);
    if let (V::Ok(f), V::Ok(d)) = (fin, debut) {
        if f < d {
            let text = row.text(FIN).ok().unwrap_or_default();
            let tail = format!("is before the start date {} of the étape", d.date());
            row.invalid(FIN, text, Rule::FinBeforeDebut, &tail);
        }
    }
    if !parcours_usable {
        // parcours.csv is missing or unusable: every row is refused, with one error for the file.
        row.failed = true;
    }
    ERow {
        plie,
        participant,
        entree,
        etape,
        debut,
        fin,
        finance_plie: match finance_plie {
            V::Ok(b) => Some(b),
            V::Absent => Some(false),
            V::Bad => None,
        },
    }
}

/// Checks the rows of one block of etapes.csv on their own; each row whose PLIE, key and entry
/// are readable is set aside under its PLIE, to be matched with its parcours.
pub(crate) fn block(
    table: &Table,
    offset: u64,
    today: Date,
    keep: bool,
    limit: usize,
    parcours_usable: bool,
    all_errors: bool,
) -> BlockOut {
    // Set aside as it is read, while the key is borrowed from the record: no copy of its own.
    BlockOut::read(table, limit, keep, all_errors, |row, plie, slots| {
        let r = read_row(row, plie, today, parcours_usable);
        if let (Some(plie), Some(participant), Some(entree)) = (r.plie, r.participant, r.entree) {
            let mut w = slots.row(plie, &Place::of(row, offset));
            w.text(participant)
                .u16(entree.0)
                .u8(r.etape.map_or(u8::MAX, |e| e as u8))
                .u8(r.finance_plie.map_or(u8::MAX, u8::from));
            put_day(&mut w, r.debut);
            put_day(&mut w, r.fin);
        }
    })
}

/// A row of one PLIE set aside by [`block`].
pub(crate) struct Kept<'b> {
    pub line: u64,
    pub offset: u64,
    pub len: u32,
    pub failed: bool,
    /// Whether the row was refused here, after [`block`] counted it valid.
    pub failed_here: bool,
    participant: &'b str,
    entree: Day,
    etape: Option<EtapeType>,
    finance_plie: Option<bool>,
    debut: V<Day>,
    fin: V<Day>,
    /// The index of its parcours among the PLIE's rows, once found.
    parcours: Option<u32>,
}

/// The rows [`block`] set aside for one PLIE, one at a time and in file order (the partition
/// keeps the order its blocks were read in): a PLIE's étapes are checked and linked as they are
/// decoded, never held as rows, since they outnumber the parcours four to one.
pub(crate) fn rows(bytes: &[u8]) -> impl Iterator<Item = Kept<'_>> {
    let mut r = Reader::new(bytes);
    let mut last = (0, 0);
    std::iter::from_fn(move || {
        if r.done() {
            return None;
        }
        let Place {
            line,
            offset,
            len,
            failed,
        } = r.place(&mut last);
        let participant = r.text();
        let entree = Day(r.u16());
        let etape = EtapeType::from_u8(r.u8());
        let finance_plie = match r.u8() {
            u8::MAX => None,
            v => Some(v == 1),
        };
        let debut = get_day(&mut r);
        let fin = get_day(&mut r);
        Some(Kept {
            line,
            offset,
            len,
            failed,
            failed_here: false,
            participant,
            entree,
            etape,
            finance_plie,
            debut,
            fin,
            parcours: None,
        })
    })
}

/// Matches an étape of one PLIE with its parcours (`None`: the PLIE has no parcours).
pub(crate) fn check(
    row: &mut Kept<'_>,
    parcours: Option<&Checked<'_>>,
    header: &Table,
    source: &Source,
    errors: &mut ErrorTally,
) {
    let mut found_errors = Vec::new();
    row.parcours = check_row(row, parcours, &mut found_errors);
    if found_errors.is_empty() {
        return;
    }
    if !row.failed {
        row.failed_here = true;
    }
    row.failed = true;
    let bytes = source.read(row.offset, row.len).ok();
    for (c, rule, tail) in found_errors {
        let value = bytes.as_ref().and_then(|b| header.cell_of(b, c));
        let shown = quote(value.as_deref().unwrap_or_default());
        errors.push(RowError {
            position: header.position(row.line, c),
            value,
            rule,
            message: format!("{shown} {tail}"),
        });
    }
}

/// The rules of an étape against its parcours; the parcours' index, when found.
fn check_row(
    row: &Kept<'_>,
    parcours: Option<&Checked<'_>>,
    errors: &mut Vec<(usize, Rule, String)>,
) -> Option<u32> {
    let Some(found) = parcours.and_then(|p| p.find(row.participant, row.entree)) else {
        let tail = "is not the entry date of a parcours of this participant in this PLIE in \
                    parcours.csv";
        errors.push((ENTREE, Rule::UnknownParcours, tail.into()));
        return None;
    };
    if found.failed {
        let tail = format!(
            "designates the parcours at parcours.csv line {}, which is refused: its étapes are \
             refused with it",
            found.line
        );
        errors.push((ENTREE, Rule::RejectedParcours, tail));
    }
    if let V::Ok(d) = row.debut {
        if d < row.entree {
            let tail = format!(
                "is before the entry date {} of its parcours (parcours.csv line {})",
                row.entree.date(),
                found.line
            );
            errors.push((DEBUT, Rule::DebutOutsideParcours, tail));
        } else if let V::Ok(s) = found.sortie {
            if d > s {
                let tail = format!(
                    "is after the exit date {} of its parcours (parcours.csv line {})",
                    s.date(),
                    found.line
                );
                errors.push((DEBUT, Rule::DebutOutsideParcours, tail));
            }
        }
    }
    if let (V::Ok(f), V::Ok(s)) = (row.fin, found.sortie) {
        if f > s {
            let tail = format!(
                "is after the exit date {} of its parcours (parcours.csv line {})",
                s.date(),
                found.line
            );
            errors.push((FIN, Rule::FinAfterSortie, tail));
        }
    }
    Some(found.index)
}

/// The étape of a valid row, linked to its parcours by `index` (the parcours' row index among
/// the PLIE's rows to its place among the valid ones).
pub(crate) fn linked(row: &Kept<'_>, index: &[u32]) -> Option<LinkedEtape> {
    if row.failed {
        return None;
    }
    Some(LinkedEtape {
        parcours: index[row.parcours? as usize],
        etape: row.etape?,
        debut: row.debut.ok()?,
        fin: row.fin.ok(),
        finance_plie: row.finance_plie?,
    })
}

/// An étape of one PLIE's transfer, linked to its parcours by the parcours' index among the
/// PLIE's valid parcours (no key to look up again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkedEtape {
    pub parcours: u32,
    pub etape: EtapeType,
    pub debut: Day,
    pub fin: Option<Day>,
    pub finance_plie: bool,
}

impl LinkedEtape {
    /// The étape as a record of its own, for `parcours` its parcours.
    pub fn to_etape(self, parcours: &crate::model::Parcours) -> Etape {
        Etape {
            plie: parcours.plie.clone(),
            participant: parcours.participant.clone(),
            entree: parcours.entree,
            etape: self.etape,
            debut: self.debut,
            fin: self.fin,
            finance_plie: self.finance_plie,
        }
    }
}
