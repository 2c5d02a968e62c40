//! The consolidation as one Excel workbook: a summary sheet, then one sheet per table, each headed
//! by its period, its filters, its number of PLIE and the date of the data; figures are numbers
//! (not text) with the number format of their kind, rates and shares formatted as percents.

use std::path::Path;

use rust_xlsxwriter::{Format as XlFormat, FormatAlign, Workbook, Worksheet, XlsxError};

use super::{caption, timestamp};
use crate::store::PlieRecord;
use crate::tables::{Cell, Consolidation, Table};

/// The row of a sheet where a table's column headers are written; its lines follow.
pub const HEADER_ROW: u32 = 6;

/// Sheet names: Excel allows 31 characters and no `[]:*?/\`.
fn sheet_name(t: &Table) -> String {
    match t.tableau {
        "taux" => "Taux".into(),
        "periodes" => "Périodes".into(),
        code => format!("Tableau {}", code.to_uppercase()),
    }
}

/// When the data were imported: the newest import among the PLIE of the store.
fn data_date(plies: &[PlieRecord]) -> String {
    match plies.iter().map(|p| p.imported_at).max() {
        Some(t) => {
            let stamp = timestamp(t);
            let day = stamp.get(..10).unwrap_or(&stamp);
            format!("importées le {day} ({} PLIE dans la base)", plies.len())
        }
        None => "base vide".into(),
    }
}

/// Writes `consolidation` to `path` as an xlsx workbook; `plies` are the PLIE of the store it was
/// computed on (for the date of the data).
pub fn write(
    path: &Path,
    consolidation: &Consolidation,
    plies: &[PlieRecord],
) -> Result<(), crate::Error> {
    let mut workbook = workbook(consolidation, plies).map_err(xlsx_error)?;
    let bytes = workbook.save_to_buffer().map_err(xlsx_error)?;
    super::output::replace(path, &bytes)
        .map_err(|e| crate::Error::Io(std::io::Error::other(e.message)))
}

fn xlsx_error(e: XlsxError) -> crate::Error {
    match e {
        XlsxError::IoError(io) => crate::Error::Io(io),
        other => crate::Error::Io(std::io::Error::other(other.to_string())),
    }
}

fn workbook(c: &Consolidation, plies: &[PlieRecord]) -> Result<Workbook, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = XlFormat::new().set_bold();
    let date = data_date(plies);

    let summary = workbook.add_worksheet().set_name("Sommaire")?;
    summary.write_string_with_format(0, 0, "Consolidation nationale des PLIE", &bold)?;
    summary.write_string(1, 0, "Données")?;
    summary.write_string(1, 1, &date)?;
    summary.write_string_with_format(3, 0, "Feuille", &bold)?;
    summary.write_string_with_format(3, 1, "Tableau", &bold)?;
    let mut row = 4;
    for t in &c.tables {
        // A link to the table's sheet, whose text is the sheet's name.
        let name = sheet_name(t);
        let link = rust_xlsxwriter::Url::new(format!("internal:'{name}'!A1")).set_text(&name);
        summary.write_url(row, 0, link)?;
        summary.write_string(row, 1, caption(t))?;
        row += 1;
    }
    for (t, why) in &c.omitted {
        summary.write_string(row, 0, format!("Tableau {} omis", t.code()))?;
        summary.write_string(row, 1, why)?;
        row += 1;
    }
    summary.set_column_width(0, 18)?;
    summary.set_column_width(1, 100)?;

    for t in &c.tables {
        let sheet = workbook.add_worksheet().set_name(sheet_name(t))?;
        table_sheet(sheet, t, &date)?;
    }
    Ok(workbook)
}

/// The number format of a cell's kind.
fn number_format(cell: Cell) -> XlFormat {
    let f = XlFormat::new();
    match cell {
        Cell::Count(_) | Cell::Amount(_) => f.set_num_format("#,##0"),
        Cell::Rate(_) => f.set_num_format("0%"),
        Cell::Decimal(_, 0) => f.set_num_format("0"),
        Cell::Decimal(_, d) => f.set_num_format(format!("0.{}", "0".repeat(usize::from(d)))),
        Cell::Hundredths(h) if h % 100 == 0 => f.set_num_format("#,##0"),
        Cell::Hundredths(_) => f.set_num_format("#,##0.00"),
        Cell::Blank | Cell::Masked | Cell::NonObserve => f,
    }
}

fn write_cell(sheet: &mut Worksheet, row: u32, col: u16, cell: Cell) -> Result<(), XlsxError> {
    if let Some(x) = cell.number() {
        sheet.write_number_with_format(row, col, x, &number_format(cell))?;
    } else if cell == Cell::Masked || cell == Cell::NonObserve {
        let text = if cell == Cell::Masked {
            "s"
        } else {
            "non observé"
        };
        sheet.write_string_with_format(
            row,
            col,
            text,
            &XlFormat::new().set_align(FormatAlign::Right),
        )?;
    }
    Ok(())
}

/// One table on its sheet: the header block (rows 0-4), the column headers on [`HEADER_ROW`], one
/// line per row with the French label in column A, the figures from column B, and the row's
/// `group` and `row` codes after the figures (for programs that read the sheet back); the notes
/// below.
fn table_sheet(sheet: &mut Worksheet, t: &Table, date: &str) -> Result<(), XlsxError> {
    let bold = XlFormat::new().set_bold();
    let wrap = XlFormat::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center);
    let grey = XlFormat::new().set_font_color(rust_xlsxwriter::Color::Gray);
    sheet.write_string_with_format(0, 0, &t.title, &bold)?;
    let header = [
        ("Période", t.period.to_string()),
        ("Filtres", t.filter.describe()),
        ("PLIE", String::new()),
        ("Données", date.to_owned()),
    ];
    for (i, (key, value)) in header.iter().enumerate() {
        let row = 1 + i as u32;
        sheet.write_string_with_format(row, 0, *key, &bold)?;
        if *key == "PLIE" {
            sheet.write_number(row, 1, t.plies as f64)?;
        } else {
            sheet.write_string(row, 1, value)?;
        }
    }
    let width = t.columns.len() as u16;
    for (c, column) in t.columns.iter().enumerate() {
        sheet.write_string_with_format(HEADER_ROW, 1 + c as u16, &column.label, &wrap)?;
        sheet.set_column_width(1 + c as u16, 13)?;
    }
    sheet.write_string_with_format(HEADER_ROW, width + 1, "group", &grey)?;
    sheet.write_string_with_format(HEADER_ROW, width + 2, "row", &grey)?;
    sheet.set_column_width(0, 48)?;
    let mut row = HEADER_ROW + 1;
    for r in &t.rows {
        let indent = "   ".repeat(usize::from(r.level.saturating_sub(1)));
        if r.level == 0 {
            sheet.write_string_with_format(row, 0, format!("{indent}{}", r.label), &bold)?;
        } else {
            sheet.write_string(row, 0, format!("{indent}{}", r.label))?;
        }
        for (c, cell) in r.cells.iter().enumerate() {
            write_cell(sheet, row, 1 + c as u16, *cell)?;
        }
        sheet.write_string_with_format(row, width + 1, &r.group, &grey)?;
        sheet.write_string_with_format(row, width + 2, &r.code, &grey)?;
        row += 1;
    }
    row += 1;
    for n in &t.notes {
        sheet.write_string(row, 0, &n.label)?;
        write_cell(sheet, row, 1, n.value)?;
        row += 1;
    }
    if let Some(n) = t.secret {
        sheet.write_string(row, 0, super::table::secret_note(n).trim_end())?;
        row += 1;
    }
    if let Some(n) = t.non_observe_note() {
        sheet.write_string(row, 0, &n)?;
    }
    sheet.set_freeze_panes(HEADER_ROW + 1, 1)?;
    Ok(())
}
