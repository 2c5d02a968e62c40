//! The small files: plie.csv, financements.csv, allocations.csv, activite.csv.

use std::collections::HashMap;
use std::hash::Hash;

use super::dialect::{opt, req, Column, Table};
use super::error::{quote, RowError, Rule};
use super::row::{finish, scan, Row, Scanned, PLIE, V};
use super::values;
use super::{Ctx, FileCounts, RejectedRows};
use crate::model::{Activite, Allocation, Financement, Financeur, GestionFse, PlieInfo, Structure};

pub(crate) const PLIE_FILE: &str = "plie.csv";
pub(crate) const FINANCEMENTS_FILE: &str = "financements.csv";
pub(crate) const ALLOCATIONS_FILE: &str = "allocations.csv";
pub(crate) const ACTIVITE_FILE: &str = "activite.csv";

pub(crate) const PLIE_COLUMNS: &[Column] = &[
    req("plie"),
    opt("nom"),
    opt("departement"),
    opt("region"),
    opt("communes"),
    opt("structure_porteuse"),
    opt("gestion_fse"),
    opt("extraction"),
    opt("complet_depuis"),
];

pub(crate) const FINANCEMENTS_COLUMNS: &[Column] = &[
    req("plie"),
    req("annee"),
    req("axe"),
    req("financeur"),
    req("direct"),
    req("indirect"),
    opt("mobilise"),
];

pub(crate) const ALLOCATIONS_COLUMNS: &[Column] = &[
    req("plie"),
    req("annee"),
    req("structure"),
    req("montant"),
    opt("dont_fse"),
];

pub(crate) const ACTIVITE_COLUMNS: &[Column] =
    &[req("plie"), req("annee"), req("indicateur"), req("valeur")];

/// The year column, second in the three yearly files.
const ANNEE: usize = 1;

/// A checked row: its key for the uniqueness rule and its record (plie filled in at the end).
pub(crate) struct ARow<K, R> {
    plie: Option<u32>,
    key: Option<K>,
    record: Option<R>,
}

/// Euros from cents, for messages.
fn euros(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// Free text: trimmed, absent when empty.
fn text(row: &mut Row<'_, '_>, c: usize) -> Option<String> {
    row.text(c).ok().map(str::to_string)
}

/// Refuses the rows whose key was already seen, naming the first line; then counts and rejects.
/// The rule a file's key obeys, and the end of the sentence that names the earlier line.
type Unique<'a, K> = (Rule, &'a dyn Fn(&K, u64) -> String);

fn finish_annex<K: Hash + Eq, R>(
    table: &Table,
    mut rows: Vec<Scanned<ARow<K, R>>>,
    ctx: &mut Ctx,
    unique: Option<Unique<'_, K>>,
    set_plie: impl Fn(&mut R, String),
) -> (FileCounts, Option<RejectedRows>, Vec<R>) {
    let mut first: HashMap<&K, u64> = HashMap::new();
    let mut refused = Vec::new();
    // Only plie.csv has a key; repeated lines of the other files are all kept, and the tables sum
    // them (FORMAT.md does not forbid them).
    let Some((rule, tail)) = unique else {
        let (counts, rejects, rows) =
            finish(table, rows, &ctx.plies, ctx.keep, &mut ctx.valid_plies);
        return (counts, rejects, records(rows, ctx, set_plie));
    };
    for (i, row) in rows.iter().enumerate() {
        let Some(key) = row.item.as_ref().and_then(|a| a.key.as_ref()) else {
            continue;
        };
        match first.get(key) {
            Some(&line) => refused.push((i, tail(key, line))),
            None => {
                first.insert(key, row.line);
            }
        }
    }
    drop(first);
    for (i, tail) in refused {
        let row = &mut rows[i];
        row.failed = true;
        let value = table.cell(row.span, PLIE);
        ctx.errors.push(RowError {
            position: table.position(row.line, PLIE),
            message: format!("{} {tail}", quote(value.as_deref().unwrap_or_default())),
            value,
            rule,
        });
    }
    let (counts, rejects, rows) = finish(table, rows, &ctx.plies, ctx.keep, &mut ctx.valid_plies);
    (counts, rejects, records(rows, ctx, set_plie))
}

fn records<K, R>(rows: Vec<ARow<K, R>>, ctx: &Ctx, set_plie: impl Fn(&mut R, String)) -> Vec<R> {
    rows.into_iter()
        .filter_map(|row| {
            let mut record = row.record?;
            set_plie(&mut record, ctx.plies.name(row.plie?).to_string());
            Some(record)
        })
        .collect()
}

pub(crate) fn plie(
    table: &Table,
    ctx: &mut Ctx,
) -> (FileCounts, Option<RejectedRows>, Vec<PlieInfo>) {
    let today = ctx.today;
    let rows = scan(
        table,
        &mut ctx.plies,
        &mut ctx.errors,
        &mut ctx.warnings,
        |row, plie| {
            let nom = text(row, 1);
            let departement = row.parse(2, Rule::Departement, values::departement);
            let region = text(row, 3);
            let communes = row.parse(4, Rule::Integer, |s| {
                values::integer(s, u64::from(u32::MAX)).map(|n| n as u32)
            });
            let structure_porteuse = text(row, 5);
            let gestion_fse = row.code(6, GestionFse::parse, GestionFse::codes);
            let extraction = row.date(7, today);
            let complet_depuis = row.date(8, today);
            if let (V::Ok(e), V::Ok(c)) = (&extraction, &complet_depuis) {
                if c > e {
                    let value = row.text(8).ok().unwrap_or_default();
                    let tail = format!("is after the extraction date {}", e.date());
                    row.invalid(8, value, Rule::CompletAfterExtraction, &tail);
                }
            }
            let record = (!row.failed).then(|| PlieInfo {
                plie: String::new(),
                nom,
                departement: departement.ok(),
                region,
                communes: communes.ok(),
                structure_porteuse,
                gestion_fse: gestion_fse.ok(),
                extraction: extraction.ok(),
                complet_depuis: complet_depuis.ok(),
            });
            Some(ARow {
                plie,
                key: plie,
                record,
            })
        },
    );
    finish_annex(
        table,
        rows,
        ctx,
        Some((Rule::DuplicatePlie, &|_, line| {
            format!("is already described at line {line}: plie.csv has one line per PLIE")
        })),
        |r, plie| r.plie = plie,
    )
}

pub(crate) fn financements(
    table: &Table,
    ctx: &mut Ctx,
) -> (FileCounts, Option<RejectedRows>, Vec<Financement>) {
    let today = ctx.today;
    let rows = scan(
        table,
        &mut ctx.plies,
        &mut ctx.errors,
        &mut ctx.warnings,
        |row, plie| {
            let annee = row.year(ANNEE, today);
            let annee = row.need(ANNEE, annee);
            let axe = row.parse(2, Rule::Axe, values::axe);
            let axe = row.need(2, axe);
            let financeur = row.code(3, Financeur::parse, Financeur::codes);
            let financeur = row.need(3, financeur);
            let direct = row.amount(4, Rule::Amount);
            let indirect = row.amount(5, Rule::Amount);
            let mobilise = row.boolean(6);
            let mobilise = match mobilise {
                V::Absent => Some(true),
                v => v.ok(),
            };
            let key = (|| Some((plie?, annee?, axe?, financeur?, mobilise?)))();
            let record = (|| {
                if row.failed {
                    return None;
                }
                Some(Financement {
                    plie: String::new(),
                    annee: annee?,
                    axe: axe?,
                    financeur: financeur?,
                    direct_centimes: direct.ok().unwrap_or(0),
                    indirect_centimes: indirect.ok().unwrap_or(0),
                    mobilise: mobilise?,
                })
            })();
            Some(ARow { plie, key, record })
        },
    );
    finish_annex(table, rows, ctx, None, |r, plie| r.plie = plie)
}

pub(crate) fn allocations(
    table: &Table,
    ctx: &mut Ctx,
) -> (FileCounts, Option<RejectedRows>, Vec<Allocation>) {
    let today = ctx.today;
    let rows = scan(
        table,
        &mut ctx.plies,
        &mut ctx.errors,
        &mut ctx.warnings,
        |row, plie| {
            let annee = row.year(ANNEE, today);
            let annee = row.need(ANNEE, annee);
            let structure = row.code(2, Structure::parse, Structure::codes);
            let structure = row.need(2, structure);
            let montant = row.amount(3, Rule::Amount);
            let montant = row.need(3, montant);
            let dont_fse = match row.amount(4, Rule::Amount) {
                V::Absent => Some(0),
                v => v.ok(),
            };
            if let (Some(m), Some(f)) = (montant, dont_fse) {
                if f > m {
                    let text = row.text(4).ok().unwrap_or_default();
                    let tail = format!("is more than the amount of the allocation, {}", euros(m));
                    row.invalid(4, text, Rule::DontFseAboveMontant, &tail);
                }
            }
            let key = (|| Some((plie?, annee?, structure?)))();
            let record = (|| {
                if row.failed {
                    return None;
                }
                Some(Allocation {
                    plie: String::new(),
                    annee: annee?,
                    structure: structure?,
                    montant_centimes: montant?,
                    dont_fse_centimes: dont_fse?,
                })
            })();
            Some(ARow { plie, key, record })
        },
    );
    finish_annex(table, rows, ctx, None, |r, plie| r.plie = plie)
}

pub(crate) fn activite(
    table: &Table,
    ctx: &mut Ctx,
) -> (FileCounts, Option<RejectedRows>, Vec<Activite>) {
    let today = ctx.today;
    let rows = scan(
        table,
        &mut ctx.plies,
        &mut ctx.errors,
        &mut ctx.warnings,
        |row, plie| {
            let annee = row.year(ANNEE, today);
            let annee = row.need(ANNEE, annee);
            let indicateur = row.parse(2, Rule::Indicateur, values::indicateur);
            let indicateur = row.need(2, indicateur);
            let comma_ok = row.table.sep == b';';
            let valeur = row.parse(3, Rule::Number, |s| values::hundredths(s, comma_ok));
            let valeur = row.need(3, valeur);
            let key = (|| Some((plie?, annee?, indicateur.clone()?)))();
            let record = (|| {
                if row.failed {
                    return None;
                }
                Some(Activite {
                    plie: String::new(),
                    annee: annee?,
                    indicateur: indicateur?,
                    valeur_centiemes: valeur?,
                })
            })();
            Some(ARow { plie, key, record })
        },
    );
    finish_annex(table, rows, ctx, None, |r, plie| r.plie = plie)
}
