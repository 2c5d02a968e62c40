//! The commitments' tables in every format: `render::tables` as it is, with the caption line of
//! text and md and the scope keys of json saying the semester or quarter and the territory
//! (the published tables' say a year and a number of PLIE).

use serde_json::{json, Value as Json};

use crate::render::{self, Format};
use crate::tables::{Consolidation, Table};

/// The caption of a commitments table: its title (which names the period and the territory) and
/// `scope`.
fn caption(t: &Table, scope: &str) -> String {
    format!("{} ({scope})", t.title)
}

/// `tables` in `format`; `periode` is the semester or quarter, `scope` what was counted (e.g.
/// "2 départements ayant rendu compte").
pub fn print(tables: &[Table], format: Format, periode: &str, scope: &str) -> String {
    match format {
        Format::Csv | Format::CsvFr => render::tables(tables, format),
        Format::Json => {
            let all: Vec<Json> = tables
                .iter()
                .map(|t| {
                    let mut o = render::table_json(t);
                    if let Some(o) = o.as_object_mut() {
                        o.remove("year");
                        o.remove("plie");
                        o.remove("filter");
                        o.insert("periode".into(), json!(periode));
                        o.insert("portee".into(), json!(scope));
                    }
                    o
                })
                .collect();
            serde_json::to_string_pretty(&Json::Array(all)).expect("json of plain values") + "\n"
        }
        Format::Text | Format::Md => tables
            .iter()
            .map(|t| render::table(t, format).replacen(&render::caption(t), &caption(t, scope), 1))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// Each of `tables` as a document of its own in `format` (as [`print`] writes one), with the
/// file name it takes in a folder (`bilan-contexte.csv`...).
pub fn print_apart(
    tables: &[Table],
    format: Format,
    periode: &str,
    scope: &str,
) -> Vec<(String, String)> {
    render::tables_apart(tables, format)
        .into_iter()
        .zip(tables)
        .map(|((name, _), t)| {
            let text = match format {
                Format::Csv | Format::CsvFr => render::table(t, format),
                _ => print(std::slice::from_ref(t), format, periode, scope),
            };
            (name, text)
        })
        .collect()
}

/// `tables` as an xlsx workbook at `path`, one sheet per table.
pub fn xlsx(path: &std::path::Path, tables: Vec<Table>) -> Result<(), crate::Error> {
    let consolidation = Consolidation {
        tables,
        omitted: Vec::new(),
    };
    render::xlsx::write(path, &consolidation, &[])
}
