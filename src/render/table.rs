//! Any [`Table`] in text, csv, json or md; several tables in one document for `tableau all`.

use serde_json::{json, Map, Value as Json};

use super::{csv_text, fraction, grid, markdown, percent, period_json, thousands, Format};
use crate::tables::{Cell, Table};

/// A cell as text and md print it: thousands separated, whole percents, euros rounded, decimals
/// with a comma.
pub fn cell_text(cell: Cell) -> String {
    match cell {
        Cell::Count(n) => thousands(n),
        Cell::Rate(Some(r)) => percent(r),
        Cell::Rate(None) | Cell::Decimal(None, _) => "-".into(),
        Cell::Amount(cents) => signed_thousands((cents as f64 / 100.0).round() as i64),
        Cell::Hundredths(h) if h % 100 == 0 => signed_thousands(h / 100),
        Cell::Hundredths(h) => {
            let sign = if h < 0 { "-" } else { "" };
            let (whole, frac) = (h.unsigned_abs() / 100, h.unsigned_abs() % 100);
            format!("{sign}{},{frac:02}", thousands(whole))
        }
        Cell::Decimal(Some(x), decimals) => {
            let digits = format!("{:.prec$}", x.abs(), prec = usize::from(decimals));
            let (whole, frac) = digits.split_once('.').unwrap_or((&digits, ""));
            let sign = if x < 0.0 && digits.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
                "-"
            } else {
                ""
            };
            let whole = thousands(whole.parse().expect("digits"));
            if frac.is_empty() {
                format!("{sign}{whole}")
            } else {
                format!("{sign}{whole},{frac}")
            }
        }
        Cell::Blank => String::new(),
        Cell::Masked => "s".into(),
        Cell::NonObserve => "non observé".into(),
    }
}

/// A cell as csv-fr prints it: plain numbers (no thousands separator, which a spreadsheet could
/// read as text), decimal comma, rates as percents with the fraction's precision (`43,40675` for
/// 0.4340675), amounts in euros.
pub fn cell_csv_fr(cell: Cell) -> String {
    match cell {
        Cell::Rate(Some(r)) => percent_number(r).replace('.', ","),
        other => cell_csv(other).replace('.', ","),
    }
}

/// A rate as a percent, with as many significant digits as [`fraction`] gives the fraction,
/// without trailing zeros: `43.40675`, `100`, `0`.
fn percent_number(rate: f64) -> String {
    let decimals = fraction(rate)
        .split_once('.')
        .map_or(0, |(_, d)| d.len().saturating_sub(2));
    let text = format!("{:.decimals$}", rate * 100.0);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    match text {
        "" | "-" => "0".into(),
        t => t.into(),
    }
}

/// A cell of a csv in `format` (`Csv` or `CsvFr`).
pub(super) fn cell_for(cell: Cell, format: Format) -> String {
    if format == Format::CsvFr {
        cell_csv_fr(cell)
    } else {
        cell_csv(cell)
    }
}

/// A cell as csv prints it: plain numbers, `.` decimals, rates as fractions, amounts in euros.
pub fn cell_csv(cell: Cell) -> String {
    match cell {
        Cell::Count(n) => n.to_string(),
        Cell::Rate(Some(r)) => fraction(r),
        Cell::Amount(c) | Cell::Hundredths(c) => hundredths(c),
        Cell::Decimal(Some(x), _) => fraction(x),
        Cell::Rate(None)
        | Cell::Decimal(None, _)
        | Cell::Blank
        | Cell::Masked
        | Cell::NonObserve => String::new(),
    }
}

pub(super) fn cell_json(cell: Cell) -> Json {
    match cell {
        Cell::Count(n) => json!(n),
        other => other.number().map_or(Json::Null, |x| json!(x)),
    }
}

/// Cents (or hundredths) as a decimal number without trailing zeros: `1234.5`, `-3`, `0.07`.
fn hundredths(c: i64) -> String {
    let sign = if c < 0 { "-" } else { "" };
    let (whole, frac) = (c.unsigned_abs() / 100, c.unsigned_abs() % 100);
    match frac {
        0 => format!("{sign}{whole}"),
        f if f % 10 == 0 => format!("{sign}{whole}.{}", f / 10),
        f => format!("{sign}{whole}.{f:02}"),
    }
}

fn signed_thousands(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", thousands(n.unsigned_abs()))
}

/// The line above a table in text and md: title, period, PLIE counted and filter.
pub fn caption(t: &Table) -> String {
    format!(
        "{}, {} ({} PLIE, filtre : {})",
        t.title,
        t.period,
        t.plies,
        t.filter.describe()
    )
}

/// Any published table in `format` (xlsx has its own writer, [`super::xlsx`]).
pub fn table(t: &Table, format: Format) -> String {
    match format {
        Format::Csv | Format::CsvFr => {
            let header: Vec<String> = ["group", "row", "label"]
                .into_iter()
                .map(str::to_owned)
                .chain(t.columns.iter().map(|c| c.key.clone()))
                .collect();
            let rows: Vec<Vec<String>> = t
                .rows
                .iter()
                .map(|r| {
                    let mut line = vec![r.group.clone(), r.code.clone(), r.label.clone()];
                    line.extend(r.cells.iter().map(|c| cell_for(*c, format)));
                    line
                })
                .collect();
            csv_text(format, &header, &rows)
        }
        Format::Json => {
            serde_json::to_string_pretty(&table_json(t)).expect("json of plain values") + "\n"
        }
        Format::Text | Format::Md => {
            let md = format == Format::Md;
            let header: Vec<String> = std::iter::once(String::new())
                .chain(t.columns.iter().map(|c| c.label.clone()))
                .collect();
            let mut rows: Vec<Vec<String>> = Vec::new();
            let mut seen = std::collections::HashSet::new();
            for r in &t.rows {
                if seen.insert(r.group.as_str()) {
                    if let Some((_, heading)) = t.headings.iter().find(|(g, _)| *g == r.group) {
                        let mut line = vec![String::new(); header.len()];
                        line[0] = if md {
                            format!("**{heading}**")
                        } else {
                            heading.clone()
                        };
                        rows.push(line);
                    }
                }
                // Markdown trims leading spaces; no-break spaces keep the indentation.
                let indent = if md { "\u{a0}\u{a0}" } else { "  " };
                let mut line =
                    vec![indent.repeat(usize::from(r.level.saturating_sub(1))) + &r.label];
                line.extend(r.cells.iter().map(|c| cell_text(*c)));
                rows.push(line);
            }
            let mut notes: String = t
                .notes
                .iter()
                .map(|n| format!("{} : {}\n", n.label, cell_text(n.value)))
                .chain(t.secret.map(secret_note))
                .chain(t.non_observe_note().map(|n| format!("{n}\n")))
                .collect();
            if !notes.is_empty() {
                notes.insert(0, '\n');
            }
            if md {
                format!(
                    "## {}\n\n{}{notes}",
                    caption(t),
                    markdown(&header, &rows, 1)
                )
            } else {
                format!("{}\n\n{}{notes}", caption(t), grid(&header, &rows, 1))
            }
        }
    }
}

/// The line under a table protected by statistical secrecy.
pub fn secret_note(n: u64) -> String {
    format!(
        "s : secret statistique (moins de {n} personnes, ou cellule masquée pour qu'aucune ne \
         puisse être recalculée)\n"
    )
}

/// The json object of a table: its scope, columns, rows, and its notes as top-level keys.
pub fn table_json(t: &Table) -> Json {
    let rows: Vec<Json> = t
        .rows
        .iter()
        .map(|r| {
            let mut o = Map::new();
            o.insert("group".into(), json!(r.group));
            o.insert("row".into(), json!(r.code));
            o.insert("label".into(), json!(r.label));
            for (c, cell) in t.columns.iter().zip(&r.cells) {
                o.insert(c.key.clone(), cell_json(*cell));
            }
            let masked: Vec<&str> = t
                .columns
                .iter()
                .zip(&r.cells)
                .filter(|(_, cell)| **cell == Cell::Masked)
                .map(|(c, _)| c.key.as_str())
                .collect();
            if !masked.is_empty() {
                o.insert("masked".into(), json!(masked));
            }
            let non_observe: Vec<&str> = t
                .columns
                .iter()
                .zip(&r.cells)
                .filter(|(_, cell)| **cell == Cell::NonObserve)
                .map(|(c, _)| c.key.as_str())
                .collect();
            if !non_observe.is_empty() {
                o.insert("non_observe".into(), json!(non_observe));
            }
            Json::Object(o)
        })
        .collect();
    let mut o = Map::new();
    o.insert("tableau".into(), json!(t.tableau));
    o.insert("titre".into(), json!(t.title));
    period_json(&mut o, t.period);
    o.insert("filter".into(), json!(t.filter.describe()));
    o.insert("plie".into(), json!(t.plies));
    o.insert(
        "columns".into(),
        t.columns
            .iter()
            .map(|c| json!({"key": c.key, "label": c.label}))
            .collect(),
    );
    o.insert("rows".into(), Json::Array(rows));
    for n in &t.notes {
        o.insert(n.key.clone(), cell_json(n.value));
    }
    if let Some(n) = t.secret {
        o.insert("secret".into(), json!(n));
    }
    if !t.non_observes.is_empty() {
        o.insert("non_observes".into(), non_observes_json(&t.non_observes));
    }
    Json::Object(o)
}

/// The file name a table is written under in a folder (`tableau all --out DIR`): `tableau-1`,
/// `tableau-6bis`, `taux`, `periodes`, or its code (`paqte-plie`), then `.` and `extension`.
pub fn file_name(t: &Table, extension: &str) -> String {
    let code = t.tableau.to_lowercase();
    let stem = if code.starts_with(|c: char| c.is_ascii_digit()) {
        format!("tableau-{code}")
    } else {
        code
    };
    let stem: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{stem}.{extension}")
}

/// Each table as a document of its own in `format`, with the file name it takes in a folder
/// ([`file_name`]; a name already taken gets `-2`, `-3`...).
pub fn tables_apart(ts: &[Table], format: Format) -> Vec<(String, String)> {
    let mut taken = std::collections::HashSet::new();
    ts.iter()
        .map(|t| {
            let mut name = file_name(t, format.extension());
            let mut n = 1;
            while !taken.insert(name.clone()) {
                n += 1;
                name = file_name(t, &format!("{n}.{}", format.extension())).replacen(
                    &format!(".{n}."),
                    &format!("-{n}."),
                    1,
                );
            }
            (name, table(t, format))
        })
        .collect()
}

/// The PLIE left out for their observation window, and why: `[{"plie", "periode", "raison"}]`.
pub(super) fn non_observes_json(list: &[crate::tables::NonObserve]) -> Json {
    list.iter()
        .map(|n| json!({"plie": n.plie, "periode": n.period.to_string(), "raison": n.raison}))
        .collect()
}

/// Several tables in one document (`tableau all`): text and md one after the other; json an
/// array of the tables' objects; csv one long table whose first column names the table, each
/// table opened by a `columns` line giving its column keys (the `cN` of the header).
pub fn tables(ts: &[Table], format: Format) -> String {
    match format {
        Format::Text | Format::Md => ts
            .iter()
            .map(|t| table(t, format))
            .collect::<Vec<_>>()
            .join("\n"),
        Format::Json => {
            let all: Vec<Json> = ts.iter().map(table_json).collect();
            serde_json::to_string_pretty(&Json::Array(all)).expect("json of plain values") + "\n"
        }
        Format::Csv | Format::CsvFr => {
            let width = ts.iter().map(|t| t.columns.len()).max().unwrap_or(0);
            let mut header: Vec<String> = ["tableau", "group", "row", "label"]
                .into_iter()
                .map(str::to_owned)
                .collect();
            header.extend((1..=width).map(|i| format!("c{i}")));
            let mut rows = Vec::new();
            for t in ts {
                let mut keys = vec![
                    t.tableau.to_owned(),
                    "columns".into(),
                    String::new(),
                    String::new(),
                ];
                keys.extend(t.columns.iter().map(|c| c.key.clone()));
                keys.resize(header.len(), String::new());
                rows.push(keys);
                for r in &t.rows {
                    let mut line = vec![
                        t.tableau.to_owned(),
                        r.group.clone(),
                        r.code.clone(),
                        r.label.clone(),
                    ];
                    line.extend(r.cells.iter().map(|c| cell_for(*c, format)));
                    line.resize(header.len(), String::new());
                    rows.push(line);
                }
            }
            csv_text(format, &header, &rows)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{Filter, Period};
    use crate::tables::{Column, Row};

    #[test]
    fn each_kind_of_cell_prints_as_its_format_wants() {
        assert_eq!(cell_text(Cell::Count(100_550)), "100\u{202F}550");
        assert_eq!(cell_csv(Cell::Count(100_550)), "100550");
        assert_eq!(cell_text(Cell::Rate(Some(0.4341))), "43 %");
        assert_eq!(cell_csv(Cell::Rate(Some(0.5))), "0.5000000");
        assert_eq!(cell_text(Cell::Rate(None)), "-");
        assert_eq!(cell_csv(Cell::Rate(None)), "");
        assert_eq!(
            cell_text(Cell::Amount(11_801_612_749)),
            "118\u{202F}016\u{202F}127"
        );
        assert_eq!(cell_csv(Cell::Amount(11_801_612_749)), "118016127.49");
        assert_eq!(cell_csv(Cell::Amount(-350)), "-3.5");
        assert_eq!(cell_csv(Cell::Amount(7)), "0.07");
        assert_eq!(cell_text(Cell::Hundredths(27_500)), "275");
        assert_eq!(cell_text(Cell::Hundredths(27_550)), "275,50");
        assert_eq!(cell_text(Cell::Hundredths(385_850)), "3\u{202F}858,50");
        assert_eq!(cell_text(Cell::Hundredths(-5)), "-0,05");
        assert_eq!(cell_csv_fr(Cell::Rate(Some(13618.0 / 31373.0))), "43,40675");
        assert_eq!(cell_csv_fr(Cell::Rate(Some(1.0))), "100");
        assert_eq!(cell_csv_fr(Cell::Rate(Some(0.0))), "0");
        assert_eq!(cell_csv_fr(Cell::Rate(None)), "");
        assert_eq!(cell_csv_fr(Cell::Amount(11_801_612_749)), "118016127,49");
        assert_eq!(cell_csv_fr(Cell::Count(100_550)), "100550");
        assert_eq!(cell_csv_fr(Cell::Decimal(Some(1.85), 2)), "1,850000");
        assert_eq!(cell_csv(Cell::Hundredths(27_550)), "275.5");
        assert_eq!(cell_text(Cell::Decimal(Some(1.8514), 2)), "1,85");
        assert_eq!(
            cell_text(Cell::Decimal(Some(1370.05), 2)),
            "1\u{202F}370,05"
        );
        assert_eq!(cell_text(Cell::Decimal(Some(-2.6), 0)), "-3");
        assert_eq!(cell_text(Cell::Decimal(Some(25.02), 0)), "25");
        assert_eq!(cell_csv(Cell::Decimal(Some(1.85), 2)), "1.850000");
        assert_eq!(cell_json(Cell::Decimal(None, 2)), Json::Null);
        assert_eq!(cell_json(Cell::Amount(150)), json!(1.5));
        assert_eq!(cell_text(Cell::Blank), "");
    }

    fn sample() -> Table {
        let mut t = Table::new(
            "2",
            "Tableau 2 : analyse des parcours",
            Period::year(2017),
            &Filter::none(),
            vec![Column::new("total", "Total"), Column::new("part", "Part")],
        );
        t.plies = 3;
        t.rows.push(Row::new(
            "total",
            "TOTAL",
            "Total",
            0,
            vec![Cell::Count(1234), Cell::Rate(Some(1.0))],
        ));
        t.rows.push(Row::new(
            "iae",
            "IAE_ACI",
            "ACI",
            2,
            vec![Cell::Count(34), Cell::Rate(None)],
        ));
        t.push_heading("iae", "IAE");
        t.push_note(
            "moyenne",
            "Étapes par participant",
            Cell::Decimal(Some(1.85), 2),
        );
        t
    }

    #[test]
    fn a_table_prints_its_scope_headings_and_notes() {
        let t = sample();
        let text = table(&t, Format::Text);
        assert!(
            text.starts_with("Tableau 2 : analyse des parcours, 2017 (3 PLIE, filtre : aucun)\n"),
            "{text}"
        );
        assert!(text.contains("\nIAE\n"), "{text}");
        assert!(text.contains("\n  ACI"), "{text}");
        assert!(text.contains("Étapes par participant : 1,85"), "{text}");
        assert_eq!(
            table(&t, Format::Csv),
            "group,row,label,total,part\ntotal,TOTAL,Total,1234,1.000000\niae,IAE_ACI,ACI,34,\n"
        );
        let json: Json = serde_json::from_str(&table(&t, Format::Json)).unwrap();
        assert_eq!(json["tableau"], "2");
        assert_eq!(json["year"], 2017);
        assert_eq!(json["plie"], 3);
        assert_eq!(json["rows"][1]["part"], Json::Null);
        assert_eq!(json["moyenne"], json!(1.85));
        let md = table(&t, Format::Md);
        assert!(md.contains("| **IAE** |  |  |"), "{md}");
    }
}
