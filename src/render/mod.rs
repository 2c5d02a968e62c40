//! Output formats of CLI.md: `text` (laid out like the published report, rates in whole percents),
//! `csv` (`,`-separated, `.` decimals, rates as fractions), `csv-fr` (the same table for French
//! spreadsheets: `;`-separated, decimal comma, rates as percents, UTF-8 byte-order mark, CRLF),
//! `json` and `md`.

use serde_json::{json, Map, Value as Json};

use crate::query::{CrosstabResult, Value};
use crate::store::PlieRecord;
use crate::tables::{Cell, Tableau1};

pub mod output;
mod table;
pub mod xlsx;

pub use table::{
    caption, cell_csv, cell_csv_fr, cell_text, secret_note, table, table_json, tables, tables_apart,
};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Text,
    /// CLI.md's machine csv: `,`, `.` decimals, rates as fractions, LF, no byte-order mark.
    Csv,
    /// The csv a French spreadsheet opens in columns: `;`, decimal comma, rates as percents
    /// (`43,40675` for 0.4340675), a UTF-8 byte-order mark and CRLF line ends; same header and
    /// lines as `Csv`.
    CsvFr,
    Json,
    Md,
}

impl Format {
    /// The names `--format` takes, in the order help and errors list them.
    pub const NAMES: &'static [&'static str] = &["text", "csv", "csv-fr", "json", "md"];

    pub fn parse(name: &str) -> Option<Format> {
        match name {
            "text" => Some(Format::Text),
            "csv" => Some(Format::Csv),
            "csv-fr" => Some(Format::CsvFr),
            "json" => Some(Format::Json),
            "md" => Some(Format::Md),
            _ => None,
        }
    }

    /// The name `--format` gives this format.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Csv => "csv",
            Format::CsvFr => "csv-fr",
            Format::Json => "json",
            Format::Md => "md",
        }
    }

    /// Either csv.
    pub fn is_csv(self) -> bool {
        matches!(self, Format::Csv | Format::CsvFr)
    }

    /// The extension of a file in this format (`txt` for text).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Text => "txt",
            Format::Csv | Format::CsvFr => "csv",
            Format::Json => "json",
            Format::Md => "md",
        }
    }

    /// The format a file name implies (CLI.md: `--out FILE.xlsx`/`.csv`/`.json`/`.md`), as a
    /// `--format` name: `xlsx`, `csv`, `json`, `md`, `text` for `.txt`; `None` otherwise.
    pub fn implied_by(path: &std::path::Path) -> Option<&'static str> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "xlsx" => "xlsx",
            "csv" => "csv",
            "json" => "json",
            "md" => "md",
            "txt" => "text",
            _ => return None,
        })
    }
}

/// A rate (or any figure) with at least 6 significant digits (csv, json).
pub fn fraction(rate: f64) -> String {
    if rate < 0.0 {
        return format!("-{}", fraction(-rate));
    }
    if rate == 0.0 {
        return format!("{:.6}", 0.0);
    }
    let decimals = (6.0 - rate.log10().floor()).max(6.0) as usize;
    format!("{rate:.decimals$}")
}

/// A rate as the report prints it: a whole percent.
pub fn percent(rate: f64) -> String {
    format!("{} %", (rate * 100.0).round())
}

/// A count with French thousands separators (`100 550`).
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{202F}');
        }
        out.push(c);
    }
    out
}

fn value_text(v: Value) -> String {
    cell_text(Cell::from(v))
}

fn value_csv(v: Value, format: Format) -> String {
    table::cell_for(Cell::from(v), format)
}

fn value_json(v: Value) -> Json {
    table::cell_json(Cell::from(v))
}

/// Lays out a grid: the first `left` columns left-aligned, the rest right-aligned.
fn grid(header: &[String], rows: &[Vec<String>], left: usize) -> String {
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            std::iter::once(&header[c])
                .chain(rows.iter().map(|r| &r[c]))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let mut out = String::new();
        for (c, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            let pad = w - cell.chars().count();
            if c > 0 {
                out.push_str("  ");
            }
            if c < left {
                out.push_str(cell);
                out.push_str(&" ".repeat(pad));
            } else {
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            }
        }
        out.trim_end().to_owned() + "\n"
    };
    let mut out = line(header);
    out.push_str(&line(
        &widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>(),
    ));
    for r in rows {
        out.push_str(&line(r));
    }
    out
}

fn markdown(header: &[String], rows: &[Vec<String>], left: usize) -> String {
    let escape = |s: &String| s.replace('|', "\\|");
    let mut out = format!(
        "| {} |\n",
        header.iter().map(escape).collect::<Vec<_>>().join(" | ")
    );
    let rule: Vec<&str> = (0..header.len())
        .map(|c| if c < left { "---" } else { "---:" })
        .collect();
    out.push_str(&format!("| {} |\n", rule.join(" | ")));
    for r in rows {
        out.push_str(&format!(
            "| {} |\n",
            r.iter().map(escape).collect::<Vec<_>>().join(" | ")
        ));
    }
    out
}

/// A csv document in `format` (`Csv` or `CsvFr`) of cells already written for it.
fn csv_text(format: Format, header: &[String], rows: &[Vec<String>]) -> String {
    let header: Vec<String> = header.iter().map(|c| neutralised(c).into_owned()).collect();
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| neutralised(c).into_owned()).collect())
        .collect();
    let (header, rows) = (&header, &rows);
    let french = format == Format::CsvFr;
    let mut w = csv::WriterBuilder::new()
        .delimiter(if french { b';' } else { b',' })
        .terminator(if french {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        })
        .from_writer(Vec::new());
    w.write_record(header).expect("writing to memory");
    for r in rows {
        w.write_record(r).expect("writing to memory");
    }
    let text = String::from_utf8(w.into_inner().expect("writing to memory"))
        .expect("csv of UTF-8 strings");
    if french {
        format!("{BOM}{text}")
    } else {
        text
    }
}

/// The UTF-8 byte-order mark that tells a spreadsheet a csv-fr file is UTF-8.
pub const BOM: char = '\u{FEFF}';

/// Each line as a json object keyed by the header.
fn json_objects(header: &[String], rows: &[Vec<String>]) -> Vec<Json> {
    rows.iter()
        .map(|r| {
            Json::Object(
                header
                    .iter()
                    .cloned()
                    .zip(r.iter().map(|v| json!(v)))
                    .collect(),
            )
        })
        .collect()
}

/// A plain list (header and lines of text) in `format`: a grid in text, a table in md, csv as
/// the tables', json an array of objects keyed by the header. The first `left` columns are
/// left-aligned in text.
pub fn list(header: &[&str], rows: &[Vec<String>], left: usize, format: Format) -> String {
    let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    match format {
        Format::Text => grid(&header, rows, left),
        Format::Md => markdown(&header, rows, left),
        Format::Csv | Format::CsvFr => csv_text(format, &header, rows),
        Format::Json => {
            let list = json_objects(&header, rows);
            serde_json::to_string_pretty(&Json::Array(list)).expect("json of plain values") + "\n"
        }
    }
}

/// Tableau 1 in `format`.
pub fn tableau1(t: &Tableau1, format: Format) -> String {
    table(&t.to_table(), format)
}

fn period_json(o: &mut Map<String, Json>, period: crate::query::Period) {
    if period.first == period.last {
        o.insert("year".into(), json!(period.first));
    } else {
        o.insert("years".into(), json!([period.first, period.last]));
    }
}

/// A csv cell that a spreadsheet would not run as a formula: a cell starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return gets a leading `'`, as OWASP's "CSV injection" advises, unless
/// it is a number (`-3.5` stays a number).
fn neutralised(cell: &str) -> std::borrow::Cow<'_, str> {
    // A lone `-` is how the outputs write "none": no formula.
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && cell != "-";
    let number = {
        let digits = cell.strip_prefix(['+', '-']).unwrap_or(cell);
        let (int, dec) = digits.split_once(['.', ',']).unwrap_or((digits, "0"));
        let all = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        all(int) && all(dec)
    };
    if risky && !number {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// A cross-tab in `format`: long form in csv and json, a grid in text and md.
pub fn crosstab(x: &CrosstabResult, format: Format) -> String {
    let q = &x.query;
    let measure = q.measure.code();
    let cols: Vec<Option<&String>> = if x.col_values.is_empty() {
        vec![None]
    } else {
        x.col_values.iter().map(Some).collect()
    };
    match format {
        Format::Csv | Format::CsvFr | Format::Json => {
            let mut header = vec![q.rows.code().to_owned()];
            header.extend(q.cols.map(|c| c.code().to_owned()));
            header.push(measure.to_owned());
            let mut lines = Vec::new();
            let mut objects = Vec::new();
            for (r, rv) in x.row_values.iter().enumerate() {
                for (c, cv) in cols.iter().enumerate() {
                    let v = x.value(r, c);
                    let masked = x.is_masked(r, c);
                    let mut line = vec![rv.clone()];
                    let mut o = Map::new();
                    o.insert(q.rows.code().into(), json!(rv));
                    if let (Some(cd), Some(cv)) = (q.cols, cv) {
                        line.push((*cv).clone());
                        o.insert(cd.code().into(), json!(cv));
                    }
                    if masked {
                        line.push(String::new());
                        o.insert(measure.into(), Json::Null);
                        o.insert("masked".into(), json!(true));
                    } else {
                        line.push(value_csv(v, format));
                        o.insert(measure.into(), value_json(v));
                    }
                    lines.push(line);
                    objects.push(Json::Object(o));
                }
            }
            if format.is_csv() {
                return csv_text(format, &header, &lines);
            }
            let mut o = Map::new();
            o.insert("measure".into(), json!(measure));
            period_json(&mut o, q.period);
            o.insert("rows".into(), json!(q.rows.code()));
            o.insert(
                "cols".into(),
                q.cols.map_or(Json::Null, |c| json!(c.code())),
            );
            o.insert("filter".into(), json!(q.filter.describe()));
            o.insert("plie".into(), json!(x.plies));
            if let Some(n) = x.secret {
                o.insert("secret".into(), json!(n));
            }
            if !x.non_observes.is_empty() {
                o.insert(
                    "non_observes".into(),
                    table::non_observes_json(&x.non_observes),
                );
            }
            o.insert("cells".into(), Json::Array(objects));
            serde_json::to_string_pretty(&Json::Object(o)).expect("json of plain values") + "\n"
        }
        Format::Text | Format::Md => {
            let corner = match q.cols {
                Some(c) => format!("{} \\ {}", q.rows.code(), c.code()),
                None => q.rows.code().to_owned(),
            };
            let mut header = vec![corner];
            match q.cols {
                Some(_) => header.extend(x.col_values.iter().cloned()),
                None => header.push(measure.to_owned()),
            }
            let rows: Vec<Vec<String>> = x
                .row_values
                .iter()
                .enumerate()
                .map(|(r, rv)| {
                    let mut line = vec![rv.clone()];
                    line.extend((0..cols.len()).map(|c| match x.is_masked(r, c) {
                        true => cell_text(Cell::Masked),
                        false => value_text(x.value(r, c)),
                    }));
                    line
                })
                .collect();
            let title = format!(
                "{measure}, {} ({} PLIE, filtre : {})",
                q.period,
                x.plies,
                q.filter.describe()
            );
            let mut note = x
                .secret
                .map_or(String::new(), |n| format!("\n{}", secret_note(n)));
            if let Some(n) = crate::tables::non_observe_note(&x.non_observes) {
                note.push_str(&format!("\n{n}\n"));
            }
            if format == Format::Md {
                format!("## {title}\n\n{}{note}", markdown(&header, &rows, 1))
            } else {
                format!("{title}\n\n{}{note}", grid(&header, &rows, 1))
            }
        }
    }
}

/// The store's content, one line per PLIE, and its file size.
pub fn status(plies: &[PlieRecord], file_size: u64, format: Format) -> String {
    let header: Vec<String> = [
        "plie",
        "departement",
        "region",
        "parcours",
        "etapes",
        "annees",
        "content_hash",
        "imported_at",
        "extraction",
        "complet_depuis",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    let rows: Vec<Vec<String>> = plies
        .iter()
        .map(|p| {
            vec![
                p.plie.clone(),
                p.departement.clone().unwrap_or_else(|| "?".into()),
                p.region.clone().unwrap_or_else(|| "?".into()),
                p.parcours.to_string(),
                p.etapes.to_string(),
                p.years.map_or("-".into(), |(a, b)| format!("{a}..{b}")),
                format!("{:032x}", p.content_hash),
                timestamp(p.imported_at),
                window_day(
                    p.extraction,
                    p.fenetre_declaree & PlieRecord::EXTRACTION_DECLAREE,
                ),
                window_day(
                    p.complet_depuis,
                    p.fenetre_declaree & PlieRecord::COMPLET_DECLARE,
                ),
            ]
        })
        .collect();
    let parcours: u64 = plies.iter().map(|p| p.parcours).sum();
    match format {
        Format::Csv | Format::CsvFr => csv_text(format, &header, &rows),
        Format::Json => {
            let list = json_objects(&header, &rows);
            let o = json!({"plies": plies.len(), "parcours": parcours, "file_size": file_size, "plie": list});
            serde_json::to_string_pretty(&o).expect("json of plain values") + "\n"
        }
        Format::Text | Format::Md => {
            let summary = format!(
                "{} PLIE, {} parcours, file size {} bytes",
                plies.len(),
                thousands(parcours),
                file_size
            );
            let table = if format == Format::Md {
                markdown(&header, &rows, 3)
            } else {
                grid(&header, &rows, 3)
            };
            format!("{table}\n{summary}\n")
        }
    }
}

/// A day of a PLIE's observation window for `status`: `2017-12-31` as plie.csv sent it,
/// `2017-12-31 (deduite)` when derived from the data, `-` when unknown.
fn window_day(day: Option<u16>, declared: u8) -> String {
    match day {
        None => "-".into(),
        Some(d) if declared != 0 => crate::model::Day(d).date().to_string(),
        Some(d) => format!("{} (deduite)", crate::model::Day(d).date()),
    }
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn timestamp(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| unix.to_string())
}

/// Up to this many PLIE, an import lists each one (its rows per file, its outcome); beyond, it
/// lists the PLIE that changed or lost rows and adds them all up in one line.
pub const IMPORT_DETAIL: usize = 10;

/// What an import read, imported and rejected, per file and per PLIE, and what the store did.
/// A transfer of more than [`IMPORT_DETAIL`] PLIE shows per file only its totals and the PLIE
/// with refused rows, and the store's outcome only for the PLIE new or replaced, then one total
/// line: a re-import of a national transfer says what changed in a few lines.
pub fn import_summary(summary: &crate::ImportSummary) -> String {
    use crate::store::PlieOutcome;
    let written = summary.report.is_some();
    let mut out = String::new();
    let plies: std::collections::BTreeSet<&String> = summary
        .transfers
        .iter()
        .flat_map(|t| t.files.iter().flat_map(|f| f.per_plie.keys()))
        .collect();
    let detailed = plies.len() <= IMPORT_DETAIL;
    let header: Vec<String> = ["file", "plie", "read", "imported", "rejected"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    // Beyond the detailed listing, one table for all the transfers: each file's totals, then
    // the PLIE with refused or held-back rows.
    let mut files: Vec<(String, [u64; 3], Vec<Vec<String>>)> = Vec::new();
    if !detailed {
        match summary.transfers.as_slice() {
            [t] => out.push_str(&format!("transfer {}\n", t.folder.display())),
            ts => out.push_str(&format!("{} transfers\n", ts.len())),
        }
    }
    for t in &summary.transfers {
        if detailed {
            out.push_str(&format!("transfer {}\n", t.folder.display()));
        }
        let mut rows = Vec::new();
        let held = |plie: &String| {
            summary
                .held_back
                .iter()
                .any(|h| h.folder == t.folder && h.plie == *plie)
        };
        for f in &t.files {
            let imported = |read: u64, rejected: u64| if written { read - rejected } else { 0 };
            let held_rows: u64 = f
                .per_plie
                .iter()
                .filter(|(plie, _)| held(plie))
                .map(|(_, (read, rejected))| read - rejected)
                .sum();
            let totals = [
                f.read,
                imported(f.read, f.rejected).saturating_sub(held_rows),
                f.rejected,
            ];
            let mut plie_rows = Vec::new();
            for (plie, (read, rejected)) in &f.per_plie {
                if !detailed && *rejected == 0 && !held(plie) {
                    continue;
                }
                let imported = |read, rejected| {
                    if held(plie) {
                        0
                    } else {
                        imported(read, rejected)
                    }
                };
                plie_rows.push(vec![
                    String::new(),
                    if plie.is_empty() {
                        "?".into()
                    } else {
                        plie.clone()
                    },
                    read.to_string(),
                    imported(*read, *rejected).to_string(),
                    rejected.to_string(),
                ]);
            }
            if detailed {
                rows.push(
                    std::iter::once(f.file.clone())
                        .chain(std::iter::once("*".into()))
                        .chain(totals.iter().map(u64::to_string))
                        .collect(),
                );
                rows.extend(plie_rows);
            } else {
                match files.iter_mut().find(|(name, _, _)| *name == f.file) {
                    Some((_, sums, more)) => {
                        sums.iter_mut().zip(totals).for_each(|(s, t)| *s += t);
                        more.extend(plie_rows);
                    }
                    None => files.push((f.file.clone(), totals, plie_rows)),
                }
            }
        }
        if detailed {
            out.push_str(&grid(&header, &rows, 2));
        }
    }
    if !detailed {
        let mut rows = Vec::new();
        for (name, totals, plie_rows) in files {
            rows.push(
                [name, "*".into()]
                    .into_iter()
                    .chain(totals.iter().map(u64::to_string))
                    .collect(),
            );
            rows.extend(plie_rows);
        }
        out.push_str(&grid(&header, &rows, 2));
    }
    match &summary.report {
        Some(report) => {
            for p in &report.plies {
                if !detailed && p.outcome == PlieOutcome::Unchanged {
                    continue;
                }
                let what = match p.outcome {
                    PlieOutcome::New => "new",
                    PlieOutcome::Replaced => "replaced",
                    PlieOutcome::Unchanged => {
                        "unchanged (same content already stored, nothing written)"
                    }
                };
                out.push_str(&format!(
                    "PLIE {}: {what}, {} parcours, {} étapes\n",
                    p.plie, p.parcours, p.etapes
                ));
            }
            if !report.plies.is_empty() {
                let count = |o: PlieOutcome| report.plies.iter().filter(|p| p.outcome == o).count();
                let (new, replaced, unchanged) = (
                    count(PlieOutcome::New),
                    count(PlieOutcome::Replaced),
                    count(PlieOutcome::Unchanged),
                );
                out.push_str(&format!(
                    "total: {} PLIE ({new} new, {replaced} replaced, {unchanged} unchanged), {} \
                     parcours, {} étapes{}\n",
                    report.plies.len(),
                    report.plies.iter().map(|p| p.parcours).sum::<u64>(),
                    report.plies.iter().map(|p| p.etapes).sum::<u64>(),
                    if report.changed() {
                        ""
                    } else {
                        "; nothing written"
                    }
                ));
            }
        }
        None if summary.refused() => out.push_str("nothing was written\n"),
        None => out.push_str("dry run: nothing was written\n"),
    }
    for h in &summary.held_back {
        out.push_str(&format!("{h}\n"));
    }
    for dir in &summary.rejects_written {
        out.push_str(&format!(
            "refused rows and their report written to {}\n",
            dir.display()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_never_start_a_formula() {
        let cells = [
            "=HYPERLINK(\"http://x\")",
            "@SUM(A1)",
            "+33",
            "-P1",
            "\tx",
            "\rx",
            "-3.5",
            "+2",
            "12",
        ];
        let header: Vec<String> = (0..cells.len()).map(|i| i.to_string()).collect();
        let text = csv_text(
            Format::Csv,
            &header,
            &[cells.iter().map(|c| c.to_string()).collect()],
        );
        let read: Vec<String> = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes())
            .records()
            .nth(1)
            .unwrap()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(
            read,
            [
                "'=HYPERLINK(\"http://x\")",
                "'@SUM(A1)",
                "+33",
                "'-P1",
                "'\tx",
                "'\rx",
                "-3.5",
                "+2",
                "12"
            ]
        );
    }

    #[test]
    fn fractions_keep_six_significant_digits() {
        assert_eq!(fraction(0.5), "0.5000000");
        assert_eq!(fraction(13618.0 / 31373.0), "0.4340675");
        assert_eq!(fraction(0.000123456789), "0.0001234568");
        assert_eq!(fraction(1.0), "1.000000");
        assert_eq!(fraction(0.0), "0.000000");
        assert_eq!(fraction(-1370.05), "-1370.050000");
        assert_eq!(percent(13618.0 / 31373.0), "43 %");
        assert_eq!(thousands(100550), "100\u{202F}550");
    }
}
