//! A published [`Table`] as an HTML table: caption, column headers, group headings, lines
//! indented by level, then the notes; each figure printed as the text format prints it
//! ([`cell_text`]: thousands apart, whole percents). Beside the national table, each column
//! splits in two, the scope's figure then the nation's.

use std::fmt::Write;

use super::escape;
use crate::render::{caption, cell_text};
use crate::tables::{Cell, Table};

/// A figure of a cell, escaped (a masked or any future kind of cell prints as `cell_text` says).
fn figure(cell: Option<Cell>) -> String {
    cell.map_or_else(String::new, |c| escape(&cell_text(c)))
}

/// Beyond this many columns of figures, a table prints on a landscape page (`.large`).
pub const LARGE: usize = 12;

/// `t` as a `<table>` with the id `id`; with `national`, the same table of the whole nation
/// side by side, line by line (matched on the line's group and code).
pub fn table(t: &Table, national: Option<&Table>, id: &str) -> String {
    // A table of more columns than an A4 page holds upright prints on a landscape page.
    let span = if national.is_some() { 2 } else { 1 };
    let class = if t.columns.len() * span > LARGE {
        "tableau large"
    } else {
        "tableau"
    };
    let mut out = format!(r#"<div class="{class}" id="{id}"><table>"#);
    let mut title = caption(t);
    if let Some(n) = national {
        let _ = write!(title, " ; national : {} PLIE", n.plies);
    }
    let _ = write!(out, "<caption>{}</caption><thead><tr>", escape(&title));
    let rows = if national.is_some() { 2 } else { 1 };
    let _ = write!(out, r#"<th rowspan="{rows}"></th>"#);
    for c in &t.columns {
        let _ = write!(
            out,
            r#"<th scope="col" colspan="{span}">{}</th>"#,
            escape(&c.label)
        );
    }
    out.push_str("</tr>");
    if national.is_some() {
        out.push_str("<tr>");
        for _ in &t.columns {
            out.push_str(r#"<th scope="col" class="sous">Périmètre</th><th scope="col" class="sous national">National</th>"#);
        }
        out.push_str("</tr>");
    }
    out.push_str("</thead><tbody>");
    let width = t.columns.len() * span + 1;
    let mut seen = std::collections::HashSet::new();
    for r in &t.rows {
        if seen.insert(r.group.as_str()) {
            if let Some((_, heading)) = t.headings.iter().find(|(g, _)| *g == r.group) {
                let _ = write!(
                    out,
                    r#"<tr class="intertitre"><th scope="rowgroup" colspan="{width}">{}</th></tr>"#,
                    escape(heading)
                );
            }
        }
        let _ = write!(
            out,
            r#"<tr class="niveau{}"><th scope="row">{}</th>"#,
            r.level.min(3),
            escape(&r.label)
        );
        let theirs = national.and_then(|n| n.row(&r.group, &r.code));
        for (c, cell) in r.cells.iter().enumerate() {
            let _ = write!(out, "<td>{}</td>", figure(Some(*cell)));
            if national.is_some() {
                let other = theirs.and_then(|n| n.cells.get(c).copied());
                let _ = write!(out, r#"<td class="national">{}</td>"#, figure(other));
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    if !t.notes.is_empty() {
        out.push_str(r#"<ul class="notes">"#);
        for n in &t.notes {
            let _ = write!(
                out,
                "<li>{} : <strong>{}</strong>",
                escape(&n.label),
                figure(Some(n.value))
            );
            if let Some(nat) = national {
                let _ = write!(
                    out,
                    r#" <span class="national">(national : {})</span>"#,
                    figure(nat.note(&n.key))
                );
            }
            out.push_str("</li>");
        }
        out.push_str("</ul>");
    }
    // The PLIE left out for their observation window (docs/tables.md).
    if let Some(n) = t.non_observe_note() {
        let _ = write!(out, r#"<p class="notes">{}</p>"#, escape(&n));
    }
    out.push_str("</div>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{Filter, Period};
    use crate::tables::{Column, Row};

    fn sample(count: u64) -> Table {
        let mut t = Table::new(
            "2",
            "Tableau 2 : <analyse>",
            Period::year(2017),
            &Filter::none(),
            vec![Column::new("total", "Total"), Column::new("part", "Part")],
        );
        t.plies = 3;
        t.rows.push(Row::new(
            "iae",
            "ACI",
            "ACI & co",
            2,
            vec![Cell::Count(count), Cell::Rate(Some(0.4341))],
        ));
        t.push_heading("iae", "IAE");
        t.push_note("moyenne", "Moyenne", Cell::Decimal(Some(1.85), 2));
        t
    }

    #[test]
    fn a_table_keeps_its_caption_headings_levels_and_notes() {
        let html = table(&sample(1234), None, "t2");
        assert!(html.contains(
            "<caption>Tableau 2 : &lt;analyse&gt;, 2017 (3 PLIE, filtre : aucun)</caption>"
        ));
        assert!(
            html.contains(r#"<th scope="rowgroup" colspan="3">IAE</th>"#),
            "{html}"
        );
        assert!(html.contains(
            "<tr class=\"niveau2\"><th scope=\"row\">ACI &amp; co</th><td>1\u{202F}234</td><td>43 %</td></tr>"
        ));
        assert!(
            html.contains("<li>Moyenne : <strong>1,85</strong></li>"),
            "{html}"
        );
    }

    #[test]
    fn beside_the_nation_each_figure_has_its_national_one() {
        let html = table(&sample(12), Some(&sample(1234)), "t2");
        assert!(
            html.contains(r#"<th scope="col" colspan="2">Total</th>"#),
            "{html}"
        );
        assert!(html.contains(
            "<td>12</td><td class=\"national\">1\u{202F}234</td><td>43 %</td><td class=\"national\">43 %</td>"
        ), "{html}");
        assert!(html.contains("; national : 3 PLIE</caption>"), "{html}");
        assert!(html.contains("(national : 1,85)"), "{html}");
    }
}
