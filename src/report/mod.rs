//! The consolidation report (`consolide report`): one HTML page that mirrors part B of the
//! published consolidation — the commentary's sentences with their figures computed, the charts,
//! then every table — and that works offline and in print: no script, font, image or stylesheet
//! is fetched (the CSS is inline, the charts are inline SVG drawn here), numbers are French
//! (`100 550`, `43 %`), colours are told apart by colour-blind readers.
//!
//! Every figure is read off the published tables ([`Corpus::consolidation`]), so the page and
//! `tableau all` never disagree. With [`Options::compare_national`], each figure of the filtered
//! scope is printed beside the nation's: in the sentences, in the tables (each column split in
//! two) and in the charts (the national chart beside the scope's).
//!
//! Decisions where the issue and the specs are silent:
//! - "still in parcours at year end" is MEASURES.md's `en_cours_fin`, en_parcours − sorties of
//!   Tableau 1; "autres sorties positives" are the positive exits neither to a job nor to training;
//! - the gaps between categories are taken between the whole percents printed beside them (the
//!   report's "4 points (41 % contre 45 %)"), from the `taux` column of the report's year (`n.d.`
//!   when `--years` leaves that year out);
//! - the funds of the year by financer are Tableau 6BIS computed over that year alone (all axes
//!   together), which the page does not print as a table of its own;
//! - a chart whose figures are all undefined or zero (exit details or funds no PLIE sent) is left
//!   out rather than drawn empty; a table left out under the filter is named with the reason;
//! - beside the nation, each chart is drawn twice, side by side, rather than the nation's figures
//!   mixed into the scope's bars: the yearly charts already use their colours for the years.

mod commentaire;
mod graphiques;
mod html;
mod svg;

use std::fmt::Write;

use crate::index::Corpus;
use crate::query::{Filter, Period, QueryError};
use crate::render::cell_text;
use crate::tables::{Cell, Consolidation, Table, Tableau};

/// What the report covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The year of the yearly tables and of the commentary.
    pub year: i32,
    /// The years of the multi-year tables; by default as `tableau all` chooses them
    /// ([`crate::tables::pluriannuel_default`]).
    pub pluriannuel: Option<Period>,
    pub filter: Filter,
    /// Print the nation's figures beside the filtered scope's (meaningful with a filter).
    pub compare_national: bool,
}

/// The tables of one scope (the filtered one, or the nation), from which the page reads.
pub(crate) struct Figures {
    consolidation: Consolidation,
    /// Tableau 6BIS over the year alone: the funds of the year by financer, all axes together.
    financeurs: Option<Table>,
    /// Tableau 1 of the year before (for the changes the commentary gives), `None` when the
    /// store has no parcours then.
    previous: Option<Table>,
}

impl Figures {
    fn compute(
        corpus: &Corpus,
        options: &Options,
        filter: &Filter,
    ) -> Result<Figures, crate::Error> {
        let year = Period::year(options.year);
        let consolidation = corpus.consolidation(year, options.pluriannuel, filter)?;
        let financeurs = match corpus.tableau(Tableau::T6bis, year, filter) {
            Ok(t) => Some(t),
            Err(crate::Error::Query(QueryError::FilterNotApplicable { .. })) => None,
            Err(e) => return Err(e),
        };
        let before = Period::year(options.year - 1);
        let previous = corpus
            .tableau(Tableau::T1, before, filter)
            .ok()
            .filter(|t| t.cell("total", "total", "en_parcours") != Some(Cell::Count(0)));
        Ok(Figures {
            consolidation,
            financeurs,
            previous,
        })
    }

    /// The table of code `code` (`1`, `1bis`, `taux`...), unless it was left out.
    fn table(&self, code: &str) -> Option<&Table> {
        self.consolidation.tables.iter().find(|t| t.tableau == code)
    }

    /// The cell of table `code`, line (`group`, `row`), column `column`.
    fn cell(&self, code: &str, group: &str, row: &str, column: &str) -> Option<Cell> {
        self.table(code)?.cell(group, row, column)
    }

    /// A count of table `code` (a masked or undefined cell is `None`).
    fn count(&self, code: &str, group: &str, row: &str, column: &str) -> Option<u64> {
        match self.cell(code, group, row, column)? {
            Cell::Count(n) => Some(n),
            _ => None,
        }
    }

    /// A figure of table `code` as a number.
    fn number(&self, code: &str, group: &str, row: &str, column: &str) -> Option<f64> {
        self.cell(code, group, row, column)?.number()
    }
}

/// Text for HTML: `&`, `<`, `>` and double quotes escaped.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// Draws a chart from the tables of one scope (`None` when they have nothing to show).
type Draw = dyn Fn(&Figures) -> Option<svg::Chart>;

/// The page being written: the scope's figures, the nation's beside them, the charts drawn so
/// far (for their ids) and the table of contents.
pub(crate) struct Page<'a> {
    scope: &'a Figures,
    national: Option<&'a Figures>,
    charts: usize,
    contents: Vec<(String, String)>,
    body: String,
}

impl<'a> Page<'a> {
    /// A figure computed by `f` on the scope, in bold, and the nation's after it.
    fn fig(&self, f: impl Fn(&Figures) -> Option<Cell>) -> String {
        let text = |c: Option<Cell>| c.map_or_else(|| "n.d.".to_owned(), |c| escape(&cell_text(c)));
        let mut out = format!(
            r#"<strong class="chiffre">{}</strong>"#,
            text(f(self.scope))
        );
        if let Some(n) = self.national {
            let _ = write!(
                out,
                r#" <span class="national">(national : {})</span>"#,
                text(f(n))
            );
        }
        out
    }

    /// Like [`Page::fig`], for a figure already written as text (`n.d.` when `None`).
    fn fig_text(&self, f: impl Fn(&Figures) -> Option<String>) -> String {
        let text = |t: Option<String>| escape(&t.unwrap_or_else(|| "n.d.".to_owned()));
        let mut out = format!(
            r#"<strong class="chiffre">{}</strong>"#,
            text(f(self.scope))
        );
        if let Some(n) = self.national {
            let _ = write!(
                out,
                r#" <span class="national">(national : {})</span>"#,
                text(f(n))
            );
        }
        out
    }

    /// Opens a section of the commentary, listed in the contents.
    fn section(&mut self, id: &str, title: &str) {
        self.contents.push((id.into(), title.into()));
        let _ = write!(self.body, r#"<h3 id="{id}">{}</h3>"#, escape(title));
    }

    /// A paragraph of trusted HTML (its figures escaped by [`Page::fig`]).
    fn p(&mut self, html: &str) {
        let _ = write!(self.body, "<p>{html}</p>");
    }

    /// A bulleted list of trusted HTML items.
    fn ul(&mut self, items: &[String]) {
        self.body.push_str("<ul>");
        for i in items {
            let _ = write!(self.body, "<li>{i}</li>");
        }
        self.body.push_str("</ul>");
    }

    /// The charts each of `builds` draws from the scope's tables, side by side as room allows,
    /// each followed by the nation's.
    fn charts(&mut self, builds: &[&Draw]) {
        let mut scopes = vec![(self.scope, "")];
        if let Some(n) = self.national {
            scopes = vec![(self.scope, "Périmètre"), (n, "National")];
        }
        let drawn: Vec<(svg::Chart, &str)> = builds
            .iter()
            .flat_map(|build| {
                scopes
                    .iter()
                    .filter_map(|(f, name)| build(f).map(|c| (c, *name)))
            })
            .collect();
        if drawn.is_empty() {
            return;
        }
        self.body.push_str(r#"<div class="graphiques">"#);
        for (chart, name) in drawn {
            self.charts += 1;
            let id = format!("g{}", self.charts);
            let caption = if name.is_empty() {
                escape(&chart.title)
            } else {
                format!("{} — <em>{name}</em>", escape(&chart.title))
            };
            // Each chart at its own width (shrunk where the page is narrower), so that every
            // chart's text has the same size.
            let (svg, width) = svg::svg(&chart, &id);
            let _ = write!(
                self.body,
                r#"<figure style="flex: 0 1 {width:.0}px">{svg}<figcaption>{caption}</figcaption></figure>"#,
            );
        }
        self.body.push_str("</div>");
    }
}

/// The report as one HTML document.
pub fn html(corpus: &Corpus, options: &Options) -> Result<String, crate::Error> {
    let scope = Figures::compute(corpus, options, &options.filter)?;
    let national = if options.compare_national {
        Some(Figures::compute(corpus, options, &Filter::none())?)
    } else {
        None
    };
    let mut page = Page {
        scope: &scope,
        national: national.as_ref(),
        charts: 0,
        contents: Vec::new(),
        body: String::new(),
    };
    commentaire::write(&mut page, options);
    territoires(&mut page, corpus, options)?;
    let commentary = std::mem::take(&mut page.body);
    let mut tables = String::new();
    for (i, t) in scope.consolidation.tables.iter().enumerate() {
        let theirs = national.as_ref().and_then(|n| n.table(t.tableau));
        tables.push_str(&html::table(t, theirs, &format!("tableau-{}", t.tableau)));
        if i == 0 {
            page.contents
                .push(("tableaux".into(), "Tableaux détaillés".into()));
        }
    }
    for (t, why) in &scope.consolidation.omitted {
        let _ = write!(
            tables,
            r#"<p class="omis">Tableau {} non produit : {}.</p>"#,
            escape(t.code()),
            escape(why)
        );
    }
    Ok(document(options, corpus, &page, &commentary, &tables))
}

/// The territories of the scope side by side with their key figures of the year: the regions
/// (without a filter, or with one that is not territorial), or the PLIE of the region or
/// departments filtered on (or of the PLIE themselves).
fn territoires(page: &mut Page, corpus: &Corpus, options: &Options) -> Result<(), crate::Error> {
    use crate::query::{Crosstab, Dimension, Measure};
    let territorial = |d: &Dimension| d.is_territorial();
    let rows = if options.filter.clauses.iter().any(|(d, _)| territorial(d)) {
        Dimension::Plie
    } else {
        Dimension::Region
    };
    let measures = [
        (Measure::EnParcours, "En parcours"),
        (Measure::Entrees, "Entrées"),
        (Measure::Sorties, "Sorties"),
        (Measure::TauxSortiesPositives, "Taux de sortie positive"),
        (
            Measure::TauxSortiesPositivesHorsDem,
            "Taux de sortie positive hors déménagements",
        ),
        (Measure::TauxAbandons, "Taux d'abandon"),
    ];
    let mut columns = Vec::new();
    for (measure, _) in measures {
        columns.push(corpus.crosstab(&Crosstab {
            measure,
            period: Period::year(options.year),
            rows,
            cols: None,
            filter: options.filter.clone(),
        })?);
    }
    let Some(first) = columns.first() else {
        return Ok(());
    };
    if first.row_values.len() < 2 {
        return Ok(());
    }
    let (id, title, what) = match rows {
        Dimension::Region => ("territoires", "Les régions", "Région"),
        _ => ("territoires", "Les PLIE du périmètre", "PLIE"),
    };
    page.section(id, title);
    let names: std::collections::HashMap<&str, &str> = corpus
        .plies()
        .iter()
        .filter_map(|p| Some((p.plie.as_str(), p.nom.as_deref()?)))
        .collect();
    let mut html = format!(
        r#"<div class="tableau"><table class="territoires"><caption>{} en {} : chiffres clés</caption><thead><tr><th scope="col">{what}</th>"#,
        escape(title),
        options.year
    );
    for (_, label) in measures {
        let _ = write!(html, r#"<th scope="col">{}</th>"#, escape(label));
    }
    html.push_str("</tr></thead><tbody>");
    for (r, value) in first.row_values.iter().enumerate() {
        let name = match (rows, names.get(value.as_str())) {
            (Dimension::Plie, Some(nom)) => format!("{value} — {nom}"),
            _ => value.clone(),
        };
        let _ = write!(html, r#"<tr><th scope="row">{}</th>"#, escape(&name));
        for x in &columns {
            let cell = Cell::from(x.value(r, 0));
            let _ = write!(html, "<td>{}</td>", escape(&cell_text(cell)));
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table></div>");
    page.body.push_str(&html);
    Ok(())
}

/// The scope as a reader names it: the territories themselves (`Bretagne`, `Nord (59)`,
/// `PLIE P44-01`), the other characteristics as `qpv = 1`; `ensemble des PLIE` without a filter.
pub(crate) fn perimetre(filter: &Filter) -> String {
    use crate::query::Dimension;
    if filter.clauses.is_empty() {
        return "ensemble des PLIE".to_owned();
    }
    let reference = crate::territoires::Territoires::get();
    filter
        .clauses
        .iter()
        .map(|(d, values)| match d {
            Dimension::Region => values.join(", "),
            Dimension::Departement => values
                .iter()
                .map(|v| match reference.departement(v) {
                    Some(dep) => format!("{} ({})", dep.nom, dep.code),
                    None => format!("département {v}"),
                })
                .collect::<Vec<_>>()
                .join(", "),
            Dimension::Plie => format!("PLIE {}", values.join(", ")),
            other => format!("{} = {}", other.code(), values.join(", ")),
        })
        .collect::<Vec<_>>()
        .join(" ; ")
}

/// The date of the data: the years the store's parcours cover, and when they were imported.
fn data_date(plies: &[crate::store::PlieRecord]) -> String {
    let Some(imported) = plies.iter().map(|p| p.imported_at).max() else {
        return "Base vide".into();
    };
    let stamp = crate::render::timestamp(imported);
    let day = stamp.get(..10).unwrap_or(&stamp);
    let first = plies.iter().filter_map(|p| p.years).map(|y| y.0).min();
    let last = plies.iter().filter_map(|p| p.years).map(|y| y.1).max();
    match (first, last) {
        (Some(a), Some(b)) => {
            format!("Données : parcours de {a} à {b}, dans les transferts importés le {day}")
        }
        _ => format!("Données importées le {day}"),
    }
}

/// The title of the page and of its header.
fn title(options: &Options) -> String {
    format!("Consolidation des PLIE {}", options.year)
}

fn document(
    options: &Options,
    corpus: &Corpus,
    page: &Page,
    commentary: &str,
    tables: &str,
) -> String {
    let plies = page.scope.table("1").map_or(0, |t| t.plies);
    let perimetre = perimetre(&options.filter);
    let mut scope_line = format!(
        "Périmètre : {} — {plies} PLIE avec des parcours en {}",
        escape(&perimetre),
        options.year
    );
    if let Some(n) = page.national.and_then(|n| n.table("1")) {
        let _ = write!(
            scope_line,
            " — comparé à l'ensemble national ({} PLIE)",
            n.plies
        );
    }
    let date = data_date(corpus.plies());
    let contents: String = page
        .contents
        .iter()
        .map(|(id, t)| format!(r##"<li><a href="#{id}">{}</a></li>"##, escape(t)))
        .collect();
    format!(
        r#"<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="consolide {version}">
<title>{title}</title>
<style>
{css}</style>
</head>
<body>
<header>
<p class="surtitre">B | La consolidation quantitative</p>
<h1>{title}</h1>
<p class="perimetre">{scope_line}</p>
<p class="perimetre">{date}</p>
</header>
<nav aria-label="Sommaire"><h2>Sommaire</h2><ol>{contents}</ol></nav>
<main>
<section id="commentaires" aria-labelledby="commentaires-titre"><h2 id="commentaires-titre">Commentaires</h2>
{commentary}
</section>
<section id="tableaux" aria-labelledby="tableaux-titre"><h2 id="tableaux-titre">Tableaux détaillés</h2>
{tables}
</section>
</main>
<footer><p>Document produit par consolide {version} à partir des tableaux de la consolidation ; chaque chiffre est celui des tableaux détaillés.</p></footer>
</body>
</html>
"#,
        version = env!("CARGO_PKG_VERSION"),
        title = escape(&title(options)),
        css = include_str!("style.css"),
    )
}
