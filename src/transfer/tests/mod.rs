//! Tests of the transfer reader on real files in temporary folders: the dialect, one test per rule
//! (in the submodules), error listing and rejects.

use std::fs;
use std::path::Path;

use time::macros::date;
use time::Date;

use super::*;

mod annexes;
mod dialect;
mod etapes;
mod parcours;

/// The day of the import in every test.
pub(super) const TODAY: Date = date!(2018 - 06 - 30);

pub(super) fn options(keep: bool) -> ReadOptions {
    ReadOptions::new(TODAY, keep)
}

/// Writes `files` to a fresh folder and reads it.
pub(super) fn read_files(files: &[(&str, &[u8])], keep: bool) -> Transfer {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), files);
    read(dir.path(), &options(keep)).unwrap()
}

pub(super) fn write_files(dir: &Path, files: &[(&str, &[u8])]) {
    for (name, bytes) in files {
        fs::write(dir.join(name), bytes).unwrap();
    }
}

/// The columns of parcours.csv, in the order of the format.
pub(super) const P_HEADER: [&str; 23] = [
    "plie",
    "participant",
    "entree",
    "sortie",
    "motif_sortie",
    "sexe",
    "naissance",
    "public",
    "inscrit_pe",
    "th",
    "niveau",
    "inactivite",
    "qpv",
    "commune",
    "emploi_secteur",
    "emploi_employeur",
    "emploi_taille",
    "emploi_contrat",
    "emploi_mesure",
    "formation_domaine",
    "formation_niveau",
    "formation_validation",
    "formation_duree_mois",
];

/// The columns of etapes.csv.
pub(super) const E_HEADER: [&str; 7] = [
    "plie",
    "participant",
    "entree",
    "type",
    "debut",
    "fin",
    "finance_plie",
];

/// A CSV line (`,`-separated) of `header`'s columns: `defaults` overridden by `over`.
fn line(header: &[&str], defaults: &[(&str, &str)], over: &[(&str, &str)]) -> String {
    for (name, _) in over {
        assert!(header.contains(name), "no column {name}");
    }
    header
        .iter()
        .map(|name| {
            let value = over
                .iter()
                .chain(defaults)
                .find(|(n, _)| n == name)
                .map_or("", |(_, v)| v);
            if value.contains([',', '"', '\n']) {
                format!("\"{}\"", value.replace('"', "\"\""))
            } else {
                value.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A valid parcours row (PLIE `P1`, participant `A`, entered 2017-03-02, still going on), with
/// some values replaced.
pub(super) fn prow(over: &[(&str, &str)]) -> String {
    const DEFAULTS: &[(&str, &str)] = &[
        ("plie", "P1"),
        ("participant", "A"),
        ("entree", "2017-03-02"),
        ("sexe", "F"),
        ("naissance", "1985-04"),
        ("public", "RSA"),
        ("inscrit_pe", "1"),
        ("th", "0"),
        ("niveau", "V"),
    ];
    line(&P_HEADER, DEFAULTS, over)
}

/// A valid étape row of the default parcours, with some values replaced.
pub(super) fn erow(over: &[(&str, &str)]) -> String {
    const DEFAULTS: &[(&str, &str)] = &[
        ("plie", "P1"),
        ("participant", "A"),
        ("entree", "2017-03-02"),
        ("type", "MOBILISATION"),
        ("debut", "2017-03-02"),
    ];
    line(&E_HEADER, DEFAULTS, over)
}

/// A file: the header line, then the rows, each ended by `\n`.
pub(super) fn csv(header: &[&str], rows: &[String]) -> String {
    let mut out = header.join(",") + "\n";
    for row in rows {
        out.push_str(row);
        out.push('\n');
    }
    out
}

pub(super) fn parcours_csv(rows: &[String]) -> String {
    csv(&P_HEADER, rows)
}

/// The 1-based column of `name` in `header`.
pub(super) fn col(header: &[&str], name: &str) -> usize {
    header.iter().position(|n| *n == name).unwrap() + 1
}

/// Asserts that `t` has exactly one error, at `file:line:column (field)` for `rule`, and returns it.
#[track_caller]
pub(super) fn only_error<'t>(
    t: &'t Transfer,
    file: &str,
    line: u64,
    column: Option<usize>,
    field: Option<&str>,
    rule: Rule,
) -> &'t RowError {
    let listing: Vec<String> = t.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(t.errors.len(), 1, "errors: {listing:#?}");
    let e = &t.errors[0];
    assert_eq!(e.position.file, file, "{e}");
    assert_eq!(e.position.line, line, "{e}");
    assert_eq!(e.position.column, column, "{e}");
    assert_eq!(e.position.field.as_deref(), field, "{e}");
    assert_eq!(e.rule, rule, "{e}");
    e
}

/// Asserts one error in parcours.csv at `line`, in column `field`, for `rule`, with the other rows
/// (`valid` of them) read.
#[track_caller]
pub(super) fn parcours_error<'t>(
    t: &'t Transfer,
    line: u64,
    field: &str,
    rule: Rule,
    valid: usize,
) -> &'t RowError {
    let e = only_error(
        t,
        "parcours.csv",
        line,
        Some(col(&P_HEADER, field)),
        Some(field),
        rule,
    );
    assert_eq!(t.parcours.len(), valid, "valid parcours");
    assert_eq!(t.files[0].rejected, 1, "one row refused");
    e
}

/// Reads a transfer of parcours.csv alone.
pub(super) fn read_parcours(rows: &[String]) -> Transfer {
    read_files(&[("parcours.csv", parcours_csv(rows).as_bytes())], false)
}

#[test]
fn rules_are_described_once_each() {
    let mut seen = std::collections::HashSet::new();
    for rule in Rule::ALL {
        assert!(seen.insert(rule.describe()), "{rule:?}");
        assert!(!rule.describe().is_empty());
    }
}

#[test]
fn several_errors_in_one_transfer_are_all_listed_in_file_then_line_order() {
    let parcours = parcours_csv(&[
        prow(&[("sexe", "X"), ("naissance", "1985-13")]),
        prow(&[("participant", "B")]),
        prow(&[("participant", "C"), ("entree", "2017-02-30")]),
    ]);
    let etapes = csv(
        &E_HEADER,
        &[erow(&[("participant", "B"), ("type", "NOPE")]), erow(&[])],
    );
    let plie = "plie,departement\nP1,20\n";
    let t = read_files(
        &[
            ("plie.csv", plie.as_bytes()),
            ("etapes.csv", etapes.as_bytes()),
            ("parcours.csv", parcours.as_bytes()),
        ],
        false,
    );
    let got: Vec<(&str, u64, Rule)> = t
        .errors
        .iter()
        .map(|e| (e.position.file.as_str(), e.position.line, e.rule))
        .collect();
    assert_eq!(
        got,
        vec![
            ("parcours.csv", 2, Rule::Code),
            ("parcours.csv", 2, Rule::BirthMonth),
            ("parcours.csv", 4, Rule::Date),
            ("etapes.csv", 2, Rule::Code),
            ("etapes.csv", 3, Rule::RejectedParcours),
            ("plie.csv", 2, Rule::Departement),
        ]
    );
    assert_eq!(
        t.files[0].rejected, 2,
        "a row breaking two rules is one rejected row"
    );
    assert_eq!(t.parcours.len(), 1);
    assert!(!t.is_valid());
}

#[test]
fn docs_format_lists_every_rule_as_described() {
    let doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/FORMAT.md"));
    let table: Vec<(String, String)> = doc
        .lines()
        .filter_map(|l| {
            let l = l.strip_prefix("| `")?;
            let (name, rest) = l.split_once("` | ")?;
            let description = rest.strip_suffix(" |")?;
            let first = name.chars().next()?;
            first
                .is_ascii_uppercase()
                .then(|| (name.to_string(), description.to_string()))
        })
        .collect();
    let expected: Vec<(String, String)> = Rule::ALL
        .iter()
        .map(|r| (format!("{r:?}"), r.describe().to_string()))
        .collect();
    assert_eq!(table, expected);
}
