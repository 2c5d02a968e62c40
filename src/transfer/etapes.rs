//! etapes.csv: the steps of the parcours, each matched against its parcours.

use super::dialect::{key, opt, req, Column, Table};
use super::error::{Position, RowError, Rule};
use super::parcours::{Index, ParcoursFile, ENTREE, PARTICIPANT};
use super::row::{finish, scan, Row, V};
use super::{Ctx, FileCounts, RejectedRows};
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

/// A checked étape and its PLIE.
pub(crate) struct ERow {
    plie: Option<u32>,
    etape: Option<Etape>,
}

fn read_row(
    row: &mut Row<'_, '_>,
    plie: Option<u32>,
    today: time::Date,
    parcours: Option<&Index<'_>>,
) -> ERow {
    let participant = row.participant(PARTICIPANT);
    let entree = row.date(ENTREE, today);
    let entree = row.need(ENTREE, entree);
    let etape = row.code(TYPE, EtapeType::parse, EtapeType::codes);
    let etape = row.need(TYPE, etape);
    let debut = row.date(DEBUT, today);
    let debut = row.need(DEBUT, debut);
    let fin = row.date(FIN, today);
    let finance_plie = row.boolean(FINANCE_PLIE);

    if let (V::Ok(f), Some(d)) = (fin, debut) {
        if f < d {
            let text = row.text(FIN).ok().unwrap_or_default();
            let tail = format!("is before the start date {} of the étape", d.date());
            row.invalid(FIN, text, Rule::FinBeforeDebut, &tail);
        }
    }

    match (parcours, plie, participant, entree) {
        // parcours.csv is unusable: the caller refuses every row, with one error for the file.
        (None, ..) => row.failed = true,
        (Some(file), Some(plie), Some(participant), Some(entree)) => {
            check_against_parcours(row, file, plie, participant, entree, debut, fin);
        }
        _ => {}
    }

    let etape = (|| {
        if row.failed {
            return None;
        }
        Some(Etape {
            plie: String::new(),
            participant: participant?.to_string(),
            entree: entree?,
            etape: etape?,
            debut: debut?,
            fin: fin.ok(),
            finance_plie: finance_plie.ok().unwrap_or(false),
        })
    })();
    ERow { plie, etape }
}

fn check_against_parcours(
    row: &mut Row<'_, '_>,
    file: &Index<'_>,
    plie: u32,
    participant: &str,
    entree: Day,
    debut: Option<Day>,
    fin: V<Day>,
) {
    let entree_text = row.text(ENTREE).ok().unwrap_or_default();
    let Some(found) = file.find(plie, participant, entree) else {
        let tail = "is not the entry date of a parcours of this participant in this PLIE in \
                    parcours.csv";
        row.invalid(ENTREE, entree_text, Rule::UnknownParcours, tail);
        return;
    };
    if found.failed {
        let tail = format!(
            "designates the parcours at parcours.csv line {}, which is refused: its étapes are \
             refused with it",
            found.line
        );
        row.invalid(ENTREE, entree_text, Rule::RejectedParcours, &tail);
    }
    if let Some(d) = debut {
        let text = row.text(DEBUT).ok().unwrap_or_default();
        if d < entree {
            let tail = format!(
                "is before the entry date {} of its parcours (parcours.csv line {})",
                entree.date(),
                found.line
            );
            row.invalid(DEBUT, text, Rule::DebutOutsideParcours, &tail);
        } else if let V::Ok(s) = found.sortie {
            if d > s {
                let tail = format!(
                    "is after the exit date {} of its parcours (parcours.csv line {})",
                    s.date(),
                    found.line
                );
                row.invalid(DEBUT, text, Rule::DebutOutsideParcours, &tail);
            }
        }
    }
    if let (V::Ok(f), V::Ok(s)) = (fin, found.sortie) {
        if f > s {
            let text = row.text(FIN).ok().unwrap_or_default();
            let tail = format!(
                "is after the exit date {} of its parcours (parcours.csv line {})",
                s.date(),
                found.line
            );
            row.invalid(FIN, text, Rule::FinAfterSortie, &tail);
        }
    }
}

/// Checks etapes.csv against `parcours` (`None` when parcours.csv is missing or unusable, which
/// refuses every étape) and returns counts, rejects and the valid étapes in file order.
pub(crate) fn check(
    table: &Table,
    parcours: Option<&ParcoursFile>,
    ctx: &mut Ctx,
) -> (FileCounts, Option<RejectedRows>, Vec<Etape>) {
    let today = ctx.today;
    let index = parcours.map(ParcoursFile::index);
    let index = index.as_ref();
    let rows = scan(
        table,
        &mut ctx.plies,
        &mut ctx.errors,
        &mut ctx.warnings,
        |row, plie| Some(read_row(row, plie, today, index)),
    );
    if parcours.is_none() && table.usable && !rows.is_empty() {
        ctx.errors.push(RowError {
            position: Position {
                file: FILE.into(),
                line: 0,
                column: None,
                field: None,
            },
            value: None,
            rule: Rule::UnknownParcours,
            message: format!(
                "parcours.csv is missing or unreadable, so none of the {} étapes can be matched \
                 with its parcours: all are refused",
                rows.len()
            ),
        });
    }
    let (counts, rejects, rows) = finish(table, rows, &ctx.plies, ctx.keep, &mut ctx.valid_plies);
    let mut etapes: Vec<Etape> = rows
        .into_iter()
        .filter_map(|row| {
            let mut etape = row.etape?;
            etape.plie = ctx.plies.name(row.plie?).to_string();
            Some(etape)
        })
        .collect();
    etapes.shrink_to_fit();
    (counts, rejects, etapes)
}
