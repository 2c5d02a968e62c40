//! The commentary of part B of the published consolidation, its sentences rewritten with the
//! figures of the scope: people in parcours during the year and at its end, entries, positive
//! exits and their split, exits without follow-up and their causes, the summary rates, the gaps
//! between categories, the multi-year totals, étapes, durations, funds and programming periods.
//! Each figure comes from a cell of the published tables (or a ratio of two), so it reads exactly
//! as the tables print it; a figure the tables do not have reads `n.d.`.

use super::graphiques;
use super::{escape, Figures, Options, Page};
use crate::query::rate;
use crate::tables::Cell;

/// A count of Tableau 1's total line.
fn total(f: &Figures, column: &str) -> Option<u64> {
    f.count("1", "total", "total", column)
}

/// The exits of the year, positive and sans suite.
fn sorties(f: &Figures) -> Option<u64> {
    Some(total(f, "sorties_positives")? + total(f, "sorties_sans_suite")?)
}

/// A count of the total line of the year before's Tableau 1.
fn previous(f: &Figures, column: &str) -> Option<u64> {
    match f.previous.as_ref()?.cell("total", "total", column)? {
        Cell::Count(n) => Some(n),
        _ => None,
    }
}

/// The change from `then` to `now` as a signed percent with one decimal (`+3,2 %`), `None`
/// from zero.
fn evolution(now: u64, then: u64) -> Option<String> {
    if then == 0 {
        return None;
    }
    let change = (now as f64 - then as f64) / then as f64 * 100.0;
    let text = format!("{:+.1} %", change).replace('.', ",");
    Some(if text.starts_with("-0,0") || text.starts_with("+0,0") {
        "0,0 %".to_owned()
    } else {
        text
    })
}

/// The change between two rates in whole points, from the whole percents printed
/// (`+2 points`), with the earlier rate.
fn points(now: f64, then: f64) -> String {
    let (a, b) = ((now * 100.0).round(), (then * 100.0).round());
    let d = a - b;
    let unit = if d.abs() > 1.0 { "points" } else { "point" };
    format!("{d:+.0} {unit} ({b:.0} % l'année précédente)").replace("+0 ", "0 ")
}

fn count(n: Option<u64>) -> Option<Cell> {
    n.map(Cell::Count)
}

/// `num / den` as a rate (undefined when `den` is zero).
fn part(num: Option<u64>, den: Option<u64>) -> Option<Cell> {
    Some(Cell::Rate(rate(num?, den?)))
}

/// Euros as millions with one decimal (`116,8`).
fn millions(euros: Option<f64>) -> Option<Cell> {
    euros.map(|e| Cell::Decimal(Some(e / 1e6), 1))
}

/// The points between two rates as the page prints them (whole percents).
fn ecart(a: Option<f64>, b: Option<f64>) -> Option<Cell> {
    let (a, b) = ((a? * 100.0).round(), (b? * 100.0).round());
    Some(Cell::Count((a - b).abs() as u64))
}

/// Writes the commentary into `page`.
pub fn write(page: &mut Page, options: &Options) {
    let y = options.year;
    let plies = page.fig(|f| f.table("1").map(|t| Cell::Count(t.plies as u64)));
    page.p(&format!(
        "{plies} PLIE ont des parcours actifs en {y} dans ce périmètre. Leurs données sont \
         récapitulées dans les tableaux détaillés, avec le nombre de PLIE qui ont renseigné chacun ; \
         les analyses suivantes en sont tirées."
    ));
    parcours(page, y);
    sorties_section(page, y);
    cumul(page);
    emploi(page, y);
    etapes(page, y);
    budgets(page, y);
    periodes(page);
}

fn parcours(page: &mut Page, y: i32) {
    page.section("parcours", "Les parcours d'insertion professionnelle");
    let en_parcours = page.fig(|f| count(total(f, "en_parcours")));
    let fin = page.fig(|f| count(total(f, "en_parcours")?.checked_sub(sorties(f)?)));
    let entrees = page.fig(|f| count(total(f, "entrees")));
    let report = page.fig(|f| count(total(f, "report")));
    page.p(&format!(
        "{en_parcours} personnes ont été en parcours d'insertion professionnelle en {y} dans le cadre \
         des PLIE analysés et {fin} personnes étaient toujours en parcours le 31/12/{y}."
    ));
    page.p(&format!(
        "{entrees} personnes sont entrées en parcours en {y} ; {report} poursuivaient un parcours \
         commencé avant le 1er janvier."
    ));
    if page.scope.previous.is_some() {
        let before = y - 1;
        let change = |column: &'static str| {
            page.fig_text(move |f| {
                let now = total(f, column)?;
                let then = previous(f, column)?;
                evolution(now, then)
            })
        };
        let (en_parcours, entrees, sorties_pos) = (
            change("en_parcours"),
            change("entrees"),
            change("sorties_positives"),
        );
        let taux = page.fig_text(|f| {
            let now = f.number("1", "total", "total", "taux_sortie_positive")?;
            let then = f
                .previous
                .as_ref()?
                .cell("total", "total", "taux_sortie_positive")?
                .number()?;
            Some(points(now, then))
        });
        page.p(&format!(
            "Par rapport à {before}, le nombre de personnes en parcours a évolué de {en_parcours}, \
             celui des entrées de {entrees} et celui des sorties positives de {sorties_pos} ; \
             le taux de sortie positive a évolué de {taux}."
        ));
    }
    let Some(t) = page.scope.table("1bis") else {
        return;
    };
    let first = t.period.first;
    let depuis = page.fig(|f| f.cell("1bis", "total", "total", "entrees_total"));
    page.p(&format!(
        "{depuis} personnes sont entrées au sein d'un dispositif PLIE depuis {first}. Leurs \
         caractéristiques étaient les suivantes, année par année :"
    ));
    page.charts(&[
        &|f| graphiques::parts(f, "sexe", "Part des hommes et des femmes"),
        &|f| graphiques::parts(f, "age_26", "Part des jeunes"),
        &|f| graphiques::parts(f, "public", "Typologie des publics"),
        &|f| graphiques::parts(f, "niveau", "Niveau de formation"),
    ]);
}

fn sorties_section(page: &mut Page, y: i32) {
    page.section("sorties", "Les sorties « positives » et « sans suite »");
    let positives = page.fig(|f| count(total(f, "sorties_positives")));
    let emploi = page.fig(|f| count(total(f, "sorties_emploi")));
    let formation = page.fig(|f| count(total(f, "sorties_formation")));
    let autres = page.fig(|f| {
        let done = total(f, "sorties_emploi")? + total(f, "sorties_formation")?;
        count(total(f, "sorties_positives")?.checked_sub(done))
    });
    let sans_suite = page.fig(|f| count(total(f, "sorties_sans_suite")));
    page.p(&format!(
        "{positives} « sorties positives » ont été comptabilisées en {y} dont {emploi} sur un emploi \
         durable (CDI ou CDD de plus de 6 mois, validés à l'issue des 6 mois), {formation} sur une \
         sortie qualifiante et {autres} autres sorties positives."
    ));
    page.p(&format!(
        "{sans_suite} sorties « sans suite » se sont produites durant cette même année {y}. Les \
         causes de ces sorties étaient les suivantes :"
    ));
    let causes = [
        ("abandons", "Abandons"),
        (
            "demenagements_deces_retraites",
            "Déménagements, décès, retraites",
        ),
        (
            "autres_sans_suite",
            "Autres (y compris évolution vers des dispositifs plus adaptés à des situations très \
             difficiles)",
        ),
    ];
    let mut table = format!(
        "<div class=\"tableau\"><table class=\"causes\"><caption>Causes des sorties sans suite en {y}\
         </caption><thead><tr><th scope=\"col\">Causes des sorties du dispositif</th><th scope=\"col\">\
         % des sorties sans suite</th><th scope=\"col\">% du total des sorties</th></tr></thead><tbody>"
    );
    for (key, label) in causes {
        let of_ss = page.fig(|f| part(total(f, key), total(f, "sorties_sans_suite")));
        let of_all = page.fig(|f| part(total(f, key), sorties(f)));
        table.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td>{of_ss}</td><td>{of_all}</td></tr>",
            escape(label)
        ));
    }
    table.push_str("</tbody></table></div>");
    page.body.push_str(&table);
    let abandons = page.fig(|f| part(total(f, "abandons"), sorties(f)));
    let hors_dem = page.fig(|f| {
        let dem = total(f, "demenagements_deces_retraites")?;
        part(total(f, "sorties_positives"), sorties(f)?.checked_sub(dem))
    });
    page.p(&format!(
        "Les abandons du parcours à l'initiative du participant représentent {abandons} des sorties. \
         Les changements de situation des participants (déménagement, décès, retraite), comptés dans \
         les sorties sans suite, ne sont pas imputables au PLIE : en les neutralisant, le taux de \
         sorties positives passe à {hors_dem}."
    ));
    page.p(&format!(
        "En résumé, les taux de sorties positives (en {y}) sont les suivants :"
    ));
    let summary = [
        page.fig(|f| part(total(f, "sorties_positives"), sorties(f))),
        hors_dem,
        page.fig(|f| part(total(f, "sorties_positives"), total(f, "entrees"))),
    ];
    let labels = [
        "Taux de sorties positives / total des sorties",
        "Taux de sorties positives / total des sorties (hors déménagements, décès, retraite)",
        "Taux de sorties positives / total des entrées",
    ];
    let items: Vec<String> = labels
        .iter()
        .zip(&summary)
        .map(|(l, v)| format!("{l} : {v}"))
        .collect();
    page.ul(&items);
    ecarts(page, y);
}

/// The gaps of positive-exit rates between categories, then the chart by category and year.
fn ecarts(page: &mut Page, y: i32) {
    let key = y.to_string();
    let taux = |code: &'static str| {
        let key = key.clone();
        move |f: &Figures| f.number("taux", "taux_sorties_positives", code, &key)
    };
    let pairs = [
        ("les hommes et les femmes", "sexe=H", "sexe=F"),
        (
            "les allocataires du RSA et les DELD",
            "public=RSA",
            "public=DELD",
        ),
        (
            "les niveaux VI et les niveaux IV et plus",
            "niveau_groupe=VI",
            "niveau_groupe=IV+",
        ),
    ];
    let items: Vec<String> = pairs
        .iter()
        .map(|(who, a, b)| {
            let (ta, tb) = (taux(a), taux(b));
            let points = page.fig(|f| ecart(ta(f), tb(f)));
            let va = page.fig(|f| ta(f).map(|r| Cell::Rate(Some(r))));
            let vb = page.fig(|f| tb(f).map(|r| Cell::Rate(Some(r))));
            format!("{points} points entre {who} ({va} contre {vb})")
        })
        .collect();
    page.p(&format!(
        "Le taux de sorties positives varie selon les catégories de participants ; en {y}, il y a :"
    ));
    page.ul(&items);
    page.charts(&[&graphiques::taux_par_categorie]);
}

fn cumul(page: &mut Page) {
    let Some(t) = page.scope.table("taux") else {
        return;
    };
    let (first, last) = (t.period.first, t.period.last);
    let lines: Vec<(String, String)> = t
        .rows
        .iter()
        .filter(|r| r.group == "resultats")
        .map(|r| (r.code.clone(), r.label.clone()))
        .collect();
    page.section("cumul", &format!("Les résultats cumulés {first} à {last}"));
    page.p(&format!(
        "Les résultats cumulés des PLIE pour les années {first} à {last} sont les suivants :"
    ));
    let items: Vec<String> = lines
        .iter()
        .map(|(code, label)| {
            let v = page.fig(|f| f.cell("taux", "resultats", code, "total"));
            format!("{} : {v}", escape(label))
        })
        .collect();
    page.ul(&items);
}

fn emploi(page: &mut Page, y: i32) {
    if page.scope.table("8").is_none() {
        return;
    }
    page.section("emploi", "Les sorties sur emploi");
    let details = page.fig(|f| f.table("8")?.note("plie_details"));
    let connus = page.fig(|f| f.cell("8", "employeur", "total", "sorties"));
    let entreprises = page.fig(|f| f.cell("8", "employeur", "ENTREPRISE", "total_pct"));
    let petites = page.fig(|f| {
        let shares = ["0", "1-9", "10-49"].map(|c| f.number("8", "taille", c, "total_pct"));
        Some(Cell::Rate(shares.into_iter().sum()))
    });
    let cdd = page.fig(|f| f.cell("8", "contrat", "CDD6", "total_pct"));
    page.p(&format!(
        "Les sorties sur emploi de {y} par secteur d'activité, type d'employeur, taille de \
         l'établissement et type de contrat ({details} PLIE en ont renseigné le détail) : les \
         entreprises accueillent {entreprises} des {connus} participants dont l'employeur est connu, \
         {petites} trouvent un emploi dans un établissement de moins de 50 salariés et {cdd} des \
         contrats sont des CDD de 6 mois et plus."
    ));
    page.charts(&[
        &|f| graphiques::sorties_emploi(f, "secteur", "principaux secteurs d'activité"),
        &|f| graphiques::sorties_emploi(f, "employeur", "employeurs"),
        &|f| graphiques::sorties_emploi(f, "taille", "nombre de salariés chez l'employeur"),
        &|f| graphiques::sorties_emploi(f, "contrat", "type de contrats"),
    ]);
}

fn etapes(page: &mut Page, y: i32) {
    if page.scope.table("2").is_some() {
        page.section("etapes", "Les actions ou étapes");
        let moyenne = page.fig(|f| f.cell("2", "moyenne", "MOYENNE_PAR_PARTICIPANT", "total"));
        let parcours = |f: &Figures| f.count("2", "emplois_parcours", "EMPLOIS_PARCOURS", "total");
        let sortie = |f: &Figures| f.count("2", "emploi_sortie", "EMPLOI_SORTIE", "total");
        let emplois = page.fig(|f| count(Some(parcours(f)? + sortie(f)?)));
        let (p, s) = (
            page.fig(|f| count(parcours(f))),
            page.fig(|f| count(sortie(f))),
        );
        page.p(&format!(
            "En moyenne, chaque participant a été positionné sur {moyenne} action ou étape en {y}. \
             Les participants ont accédé à {emplois} emplois dont {p} emplois de « parcours » et {s} \
             emplois en CDI ou CDD de plus de 6 mois qui n'avaient pas encore dépassé les 6 premiers \
             mois permettant de valider la sortie."
        ));
        page.charts(&[&graphiques::etapes]);
    }
    if page.scope.table("4").is_some() {
        let n = page.fig(|f| f.cell("4", "total", "TOTAL", "participants"));
        page.p(&format!(
            "{n} personnes ont bénéficié d'une étape en ACI, SIAE ou GEIQ en {y} (tableau 4)."
        ));
    }
    if page.scope.table("3").is_some() {
        page.section("duree", "La durée des parcours");
        let sortis = page.fig(|f| f.cell("3", "toutes", "total", "parcours"));
        let mois = page.fig(|f| {
            let m = f.number("3", "toutes", "total", "duree_mois");
            Some(Cell::Decimal(m, 0))
        });
        page.p(&format!(
            "La durée moyenne des parcours a pu être calculée pour {sortis} participants sortis en \
             {y}. Cette durée est en moyenne de {mois} mois."
        ));
    }
}

fn budgets(page: &mut Page, y: i32) {
    page.section("budgets", &format!("Les budgets {y}"));
    if page.scope.table("6").is_none() {
        let why = page
            .scope
            .consolidation
            .omitted
            .iter()
            .map(|(_, why)| escape(why))
            .collect::<Vec<_>>()
            .join(" ; ");
        page.p(&format!(
            "Les tableaux de financement ne sont pas produits pour ce périmètre : {why}."
        ));
        return;
    }
    let plies = page.fig(|f| f.table("6").map(|t| Cell::Count(t.plies as u64)));
    let total = page.fig(|f| millions(f.number("6", "mobilise", "total", "total")));
    let fse = page.fig(|f| {
        millions(
            f.financeurs
                .as_ref()?
                .cell("mobilise", "FSE", "total")?
                .number(),
        )
    });
    page.p(&format!(
        "Le total des financements mobilisés en {y} par {plies} PLIE s'élève à {total} millions \
         d'euros dont {fse} millions d'euros de FSE."
    ));
    let note = |key: &'static str| move |f: &Figures| f.table("6")?.note(key);
    let (par, directs, fse_par) = (
        page.fig(note("financements_par_participant")),
        page.fig(note("directs_par_participant")),
        page.fig(note("fse_par_participant")),
    );
    let (leve, mobilise) = (
        page.fig(note("fse_par_euro_collectivites")),
        page.fig(note("total_par_euro_collectivites")),
    );
    page.p(&format!(
        "Le montant moyen des financements mobilisés par participant en parcours en {y} est de {par} \
         euros, dont {directs} euros de financements directs (inclus {fse_par} euros de FSE). Un euro \
         apporté en direct par les communes et EPCI permet de lever {leve} euros de FSE et de \
         mobiliser au total {mobilise} euros."
    ));
    page.charts(&[&graphiques::financeurs]);
    if let Some(t) = page.scope.table("6bis") {
        let (first, last) = (t.period.first, t.period.last);
        let cumul = page.fig(|f| millions(f.number("6bis", "mobilise", "total", "total")));
        let directs = page.fig(|f| millions(f.number("6bis", "mobilise", "total", "direct")));
        page.p(&format!(
            "Le cumul des financements mobilisés pour la période {first}-{last} est de {cumul} \
             millions d'euros, dont {directs} millions d'euros de financements directs."
        ));
    }
}

fn periodes(page: &mut Page) {
    let Some(t) = page.scope.table("periodes") else {
        return;
    };
    let names: Vec<String> = t.columns.iter().map(|c| c.label.clone()).collect();
    page.section("periodes", "Les périodes de programmation FSE");
    page.p(&format!(
        "Les participants entrés et les taux de sorties positives de chaque période de \
         programmation ({}) :",
        escape(&names.join(", "))
    ));
    page.charts(&[&graphiques::periodes]);
}
