//! The report's charts, each read off the published tables of one scope ([`Figures`]): shares of
//! the entrants per year (Tableau 1BIS), positive-exit rates by category and year (`taux`), the
//! mix of étapes (Tableau 2), exits to employment by sector, employer, size and contract
//! (Tableau 8), funds by financer (Tableau 6BIS over the year) and the programming periods.
//! A chart whose table is absent (left out under the filter) or empty is `None`.

use super::svg::{Chart, Layout, Series, Unit};
use super::Figures;
use crate::tables::{Cell, Table};

/// A line's label for a chart: the report's label without its parenthesis (the tables keep it).
fn short(label: &str) -> String {
    label.split(" (").next().unwrap_or(label).to_owned()
}

fn chart(
    title: String,
    unit: Unit,
    layout: Layout,
    lines: Vec<String>,
    series: Vec<Series>,
) -> Option<Chart> {
    let c = Chart {
        title,
        unit,
        layout,
        lines,
        series,
    };
    (!c.is_empty()).then_some(c)
}

/// The years of a multi-year table, each with the key suffix of its column, then the range.
fn years(t: &Table) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = (t.period.first..=t.period.last)
        .map(|y| (y.to_string(), y.to_string()))
        .collect();
    if t.period.first != t.period.last {
        out.push((
            format!("{}-{}", t.period.first, t.period.last),
            "total".into(),
        ));
    }
    out
}

/// The categories a share chart shows for a group of Tableau 1BIS: label and the row codes
/// summed into it (the levels group as the rates table does).
fn categories(group: &str) -> Vec<(&'static str, &'static [&'static str])> {
    match group {
        "sexe" => vec![("Hommes", &["H"]), ("Femmes", &["F"])],
        "age_26" => vec![("< 26 ans", &["<26"]), ("≥ 26 ans", &[">=26"])],
        "public" => vec![
            ("DELD", &["DELD"]),
            ("RSA", &["RSA"]),
            ("Autres publics", &["AUTRE"]),
        ],
        _ => vec![
            ("VI", &["VI"]),
            ("V bis", &["VBIS"]),
            ("V", &["V"]),
            ("IV et +", &["IV", "III", "II", "I"]),
            ("Indéterminé", &["9", "NC"]),
        ],
    }
}

/// The shares of the entrants of each year (and of the range) in `group` of Tableau 1BIS.
pub fn parts(f: &Figures, group: &str, what: &str) -> Option<Chart> {
    let t = f.table("1bis")?;
    let years = years(t);
    let series = categories(group)
        .into_iter()
        .map(|(name, codes)| Series {
            name: name.into(),
            values: years
                .iter()
                .map(|(_, key)| {
                    let key = format!("entrees_{key}");
                    codes
                        .iter()
                        .map(|code| t.cell(group, code, &key).and_then(|c| c.number()))
                        .sum()
                })
                .collect(),
        })
        .collect();
    chart(
        format!("{what} parmi les entrants, par année d'entrée"),
        Unit::Percent,
        Layout::Stacked,
        years.into_iter().map(|(label, _)| label).collect(),
        series,
    )
}

/// The positive-exit rate of each category, one bar per year.
pub fn taux_par_categorie(f: &Figures) -> Option<Chart> {
    let t = f.table("taux")?;
    let rows: Vec<_> = t
        .rows
        .iter()
        .filter(|r| r.group == "taux_sorties_positives")
        .collect();
    let series = (t.period.first..=t.period.last)
        .map(|y| {
            let key = y.to_string();
            Series {
                values: rows
                    .iter()
                    .map(|r| t.cell(&r.group, &r.code, &key).and_then(|c| c.number()))
                    .collect(),
                name: key,
            }
        })
        .collect();
    chart(
        "Taux de sorties positives (sur le total des sorties) par catégorie et par année".into(),
        Unit::Percent,
        Layout::Grouped,
        rows.iter().map(|r| r.label.clone()).collect(),
        series,
    )
}

/// The share of each kind of étape among the étapes active in the year (Tableau 2's heads).
pub fn etapes(f: &Figures) -> Option<Chart> {
    let t = f.table("2")?;
    let total = t.cell("total", "TOTAL", "total")?.number()?;
    let mut lines = Vec::new();
    let mut values = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for r in &t.rows {
        if ["total", "moyenne"].contains(&r.group.as_str()) || !seen.insert(r.group.as_str()) {
            continue;
        }
        lines.push(short(&r.label));
        values.push(
            r.cells[0]
                .number()
                .filter(|_| total > 0.0)
                .map(|n| n / total),
        );
    }
    chart(
        format!("Répartition des étapes actives en {}", t.period),
        Unit::Percent,
        Layout::Grouped,
        lines,
        vec![Series {
            name: "Part des étapes".into(),
            values,
        }],
    )
}

/// The exits to employment of the year by the detail `group` of Tableau 8 (shares of the exits
/// whose detail is known); sectors are sorted, the largest first, and those of no exit left out.
pub fn sorties_emploi(f: &Figures, group: &str, what: &str) -> Option<Chart> {
    let t = f.table("8")?;
    let mut lines: Vec<(String, Option<f64>)> = t
        .rows
        .iter()
        .filter(|r| r.group == group && r.code != "total")
        .map(|r| {
            let share = t.cell(group, &r.code, "total_pct").and_then(|c| c.number());
            (short(&r.label), share)
        })
        .collect();
    if group == "secteur" {
        lines.retain(|(_, v)| v.is_some_and(|v| v > 0.0));
        lines.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal));
    }
    let (lines, values) = lines.into_iter().unzip();
    chart(
        format!("Sorties sur emploi en {} : {what}", t.period),
        Unit::Percent,
        Layout::Grouped,
        lines,
        vec![Series {
            name: "Part des sorties sur emploi dont le détail est connu".into(),
            values,
        }],
    )
}

/// The funds mobilised in the year by financer, direct and indirect end to end.
pub fn financeurs(f: &Figures) -> Option<Chart> {
    let t = f.financeurs.as_ref()?;
    let rows: Vec<_> = t
        .rows
        .iter()
        .filter(|r| r.group == "mobilise" && r.code != "total")
        .collect();
    let series = [
        ("direct", "Financements directs"),
        ("indirect", "Financements indirects"),
    ]
    .into_iter()
    .map(|(key, name)| Series {
        name: name.into(),
        values: rows
            .iter()
            .map(|r| t.cell(&r.group, &r.code, key).and_then(|c| c.number()))
            .collect(),
    })
    .collect();
    chart(
        format!("Financements mobilisés en {} par financeur", t.period),
        Unit::Euros,
        Layout::Stacked,
        rows.iter().map(|r| short(&r.label)).collect(),
        series,
    )
}

/// The characteristics of the entrants and the summary rates of each programming period.
pub fn periodes(f: &Figures) -> Option<Chart> {
    let t = f.table("periodes")?;
    let rows: Vec<_> = t.rows.iter().filter(|r| r.group != "total").collect();
    let series = t
        .columns
        .iter()
        .enumerate()
        .map(|(c, column)| Series {
            // A period nobody observed draws no bar, and says so in its legend.
            name: if rows.iter().all(|r| r.cells[c] == Cell::NonObserve) {
                format!("{} (non observé)", column.label)
            } else {
                column.label.clone()
            },
            values: rows.iter().map(|r| r.cells[c].number()).collect(),
        })
        .collect();
    chart(
        "Périodes de programmation FSE : profil des entrants et taux de sorties positives".into(),
        Unit::Percent,
        Layout::Grouped,
        rows.iter()
            .map(|r| periode_label(&r.code, &r.label))
            .collect(),
        series,
    )
}

/// The lines of the programming periods' chart: the rates' labels say which rate in few words.
fn periode_label(code: &str, label: &str) -> String {
    match code {
        "taux_sorties_positives" => "Taux / total des sorties".into(),
        "taux_sorties_positives_hors_dem" => "Taux / sorties (hors déménagements)".into(),
        "taux_sorties_positives_entrees" => "Taux / total des entrées".into(),
        _ => short(label),
    }
}
