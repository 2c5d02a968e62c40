//! `consolide report`: the HTML consolidation report of the crafted corpus (its figures worked out
//! by hand in end_to_end.rs), alone and beside the nation, and of the national synthetic corpus.
//!
//! The crafted corpus in 2017: 22 in parcours (9 entered, 13 carried over), 13 exits, so 9 still in
//! parcours on 31/12; 8 positive exits (4 to a job, 3 to training, 1 other), 5 without follow-up
//! (3 abandons, 1 move/death/retirement, 1 other). In 2016: 12 entered, 3 positive exits, 4 without
//! follow-up of which 1 move/death/retirement; 20 in parcours.
//! P44A alone (departement 44) in 2017: 5 entered + 6 carried over = 11 in parcours; exits a03
//! FORMATION, a04 ABANDON, a08 DDR, a09 EMPLOI, a13 FORMATION, a15 EMPLOI: 4 positive of 6.

use crate::util::{national, Dir, TableCsv};

/// Every table of `tableau all`, by the id the report gives it.
const TABLES: [&str; 14] = [
    "1", "1bis", "taux", "2", "3", "4", "5", "6", "6bis", "7", "8", "9", "10", "periodes",
];

/// Writes the report with `args` into the directory and returns the page.
#[track_caller]
pub fn report(dir: &Dir, args: &[&str]) -> String {
    let out = dir.path().join("rapport.html");
    let args = [&["report", "--out", out.to_str().unwrap()], args].concat();
    let printed = dir.run(&args).ok();
    assert!(
        printed.is_empty(),
        "--out writes nothing on stdout: {printed}"
    );
    std::fs::read_to_string(out).unwrap()
}

/// The page's text as a reader sees it: stylesheet and charts left out, inline tags dropped and
/// the others read as a space, entities decoded, spaces collapsed (narrow no-break spaces kept).
pub fn text(html: &str) -> String {
    let mut html = html.to_owned();
    for (open, close) in [("<style>", "</style>"), ("<svg", "</svg>")] {
        while let Some(start) = html.find(open) {
            let end = html[start..].find(close).expect("closed") + start + close.len();
            html.replace_range(start..end, " ");
        }
    }
    let mut out = String::new();
    let mut rest = html.as_str();
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let gt = rest[lt..].find('>').expect("a closed tag") + lt;
        let name = rest[lt + 1..gt].trim_start_matches('/');
        let name = name.split([' ', '>']).next().unwrap_or_default();
        if !["strong", "span", "em", "a"].contains(&name) {
            out.push(' ');
        }
        rest = &rest[gt + 1..];
    }
    out.push_str(rest);
    let out = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    out.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
}

#[track_caller]
fn says(text: &str, sentence: &str) {
    assert!(
        text.contains(sentence),
        "the report does not say {sentence:?}:\n{text}"
    );
}

#[test]
fn the_report_of_the_crafted_corpus_states_the_hand_counted_figures() {
    let dir = Dir::crafted();
    let html = report(&dir, &["--year", "2017", "--years", "2016..2017"]);
    let t = text(&html);
    says(&t, "2 PLIE ont des parcours actifs en 2017");
    says(&t, "22 personnes ont été en parcours d'insertion professionnelle en 2017 dans le cadre des PLIE analysés et 9 personnes étaient toujours en parcours le 31/12/2017.");
    says(
        &t,
        "9 personnes sont entrées en parcours en 2017 ; 13 poursuivaient",
    );
    // 12 entered in 2016, 9 in 2017.
    says(
        &t,
        "21 personnes sont entrées au sein d'un dispositif PLIE depuis 2016.",
    );
    says(&t, "8 « sorties positives » ont été comptabilisées en 2017 dont 4 sur un emploi durable (CDI ou CDD de plus de 6 mois, validés à l'issue des 6 mois), 3 sur une sortie qualifiante et 1 autres sorties positives.");
    says(
        &t,
        "5 sorties « sans suite » se sont produites durant cette même année 2017.",
    );
    // Causes: 3, 1 and 1 of the 5 without follow-up, and of the 13 exits.
    says(&t, "Abandons 60 % 23 %");
    says(&t, "Déménagements, décès, retraites 20 % 8 %");
    says(&t, "très difficiles) 20 % 8 %");
    says(
        &t,
        "Les abandons du parcours à l'initiative du participant représentent 23 % des sorties.",
    );
    // 8/13, 8/(13-1), 8/9.
    says(&t, "le taux de sorties positives passe à 67 %.");
    says(&t, "Taux de sorties positives / total des sorties : 62 %");
    says(&t, "Taux de sorties positives / total des sorties (hors déménagements, décès, retraite) : 67 %");
    says(&t, "Taux de sorties positives / total des entrées : 89 %");
    // Men 4 positive of 7 exits, women 4 of 6; RSA 2 of 4, DELD 2 of 2; level VI 1 of 3, IV and
    // above (IV III II I) 3 of 4.
    says(
        &t,
        "10 points entre les hommes et les femmes (57 % contre 67 %)",
    );
    says(
        &t,
        "50 points entre les allocataires du RSA et les DELD (50 % contre 100 %)",
    );
    says(
        &t,
        "42 points entre les niveaux VI et les niveaux IV et plus (33 % contre 75 %)",
    );
    // 2016 and 2017 summed: 21 entered, 3 + 8 positive, 4 + 5 without follow-up, 20 + 22
    // parcours-years; 11/20, 11/21, 11/(20-2).
    says(
        &t,
        "Les résultats cumulés des PLIE pour les années 2016 à 2017",
    );
    says(&t, "Participants entrés : 21 Sorties « positives » : 11 Sorties « sans suite » : 9 dont déménagements, décès, retraite : 2 Participants en parcours : 42 Taux de sorties positives / total des entrées : 52 % Taux de sorties positives / total des sorties : 55 % Taux de sorties positives / total des sorties (hors déménagements, décès, retraite) : 61 %");

    for code in TABLES {
        assert!(
            html.contains(&format!(r#" id="tableau-{code}"><table>"#)),
            "tableau {code} missing"
        );
    }
    says(
        &t,
        "Tableau 1 — flux d'entrées et de sorties, 2017 (2 PLIE, filtre : aucun)",
    );
    says(&t, "Nombre total 9 22 13 8 4 3 5 3 1 1 62 %");
    // Shares of sex, age, public and level among the entrants, rates by category, étapes and
    // the programming periods; the exit details and funds the crafted PLIE did not send draw no
    // chart.
    assert_eq!(html.matches("<svg").count(), 7);
    assert_eq!(html.matches(r#"role="img""#).count(), 7);
    assert_eq!(html.matches("<figcaption>").count(), 7);

    // Offline: nothing to fetch, nothing to run.
    for resource in [
        "http://", "https://", "<script", "<link", "<img", "url(", "@import",
    ] {
        assert!(!html.contains(resource), "the page holds {resource:?}");
    }
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"fr\">"));
    assert!(html.contains("@media print"));
}

#[test]
fn beside_the_nation_each_figure_of_the_scope_has_the_national_one() {
    let dir = Dir::crafted();
    let args = [
        "--year",
        "2017",
        "--filter",
        "departement=44",
        "--compare",
        "national",
    ];
    let html = report(&dir, &args);
    let t = text(&html);
    says(&t, "Périmètre : Loire-Atlantique (44) — 1 PLIE avec des parcours en 2017 — comparé à l'ensemble national (2 PLIE)");
    says(&t, "11 (national : 22) personnes ont été en parcours d'insertion professionnelle en 2017 dans le cadre des PLIE analysés et 5 (national : 9) personnes étaient toujours en parcours le 31/12/2017.");
    // 4/6 in P44A, 8/13 in the nation.
    says(
        &t,
        "Taux de sorties positives / total des sorties : 67 % (national : 62 %)",
    );
    says(&t, "4 (national : 8) « sorties positives »");
    // Tables: each column split in two, the scope's figure then the nation's.
    assert!(html.contains(r#"<th scope="col" class="sous">Périmètre</th><th scope="col" class="sous national">National</th>"#));
    says(&t, "Nombre total 5 9 11 22 6 13 4 8");
    // Every chart twice, the scope's then the nation's.
    assert_eq!(html.matches("<svg").count(), 14);
    assert_eq!(html.matches("— <em>National</em></figcaption>").count(), 7);

    // Without the comparison, no national figure.
    let alone = report(&dir, &["--year", "2017", "--filter", "departement=44"]);
    assert!(!alone.contains("national :"));
    says(&text(&alone), "11 personnes ont été en parcours");
}

#[test]
fn a_participant_filter_leaves_the_funding_out_and_says_why() {
    let dir = Dir::crafted();
    let t = text(&report(&dir, &["--year", "2017", "--filter", "sexe=F"]));
    says(
        &t,
        "Les tableaux de financement ne sont pas produits pour ce périmètre",
    );
    for code in ["6", "6bis", "7", "10"] {
        says(&t, &format!("Tableau {code} non produit"));
    }
    // Women in 2017: 12 in parcours, 4 positive exits of 6.
    says(&t, "12 personnes ont été en parcours");
    says(&t, "Taux de sorties positives / total des sorties : 67 %");
}

#[test]
fn usage_errors_of_report() {
    let dir = Dir::crafted();
    let run = dir.run(&["report", "--year", "2017", "--compare", "national"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.starts_with("error: --compare national"),
        "{run:?}"
    );
    let run = dir.run(&[
        "report",
        "--year",
        "2017",
        "--filter",
        "plie=P44A",
        "--compare",
        "europe",
    ]);
    assert_eq!(run.code, 1, "{run:?}");
    let run = dir.run(&["report", "--year", "2014..2017"]);
    assert_eq!(run.code, 1, "{run:?}");
    let run = dir.run(&["report", "--year", "2017", "--filter", "couleur=bleu"]);
    assert_eq!(run.code, 1, "{run:?}");
    // Without --out the page goes to stdout.
    let page = dir.run(&["report", "--year", "2017"]).ok();
    assert!(page.contains("<h1>Consolidation des PLIE 2017</h1>"));
}

#[test]
fn the_national_report_agrees_with_the_tables_in_french_number_format() {
    let dir = national();
    let t1 = TableCsv::tableau(dir, &["1", "--year", "2017"]);
    let html = report(dir, &["--year", "2017"]);
    let t = text(&html);
    // `100 550`: thousands apart by a narrow no-break space, as the tables print them.
    let en_parcours = t1.count("total", "total", "en_parcours");
    assert!(en_parcours >= 1000, "{en_parcours}");
    let digits = en_parcours.to_string();
    let (high, low) = digits.split_at(digits.len() - 3);
    says(
        &t,
        &format!("{high}\u{202F}{low} personnes ont été en parcours"),
    );
    let rate = t1.number("total", "total", "taux_sortie_positive").unwrap();
    says(
        &t,
        &format!(
            "Taux de sorties positives / total des sorties : {} %",
            (rate * 100.0).round()
        ),
    );
    // Every chart: 4 shares, rates by category, 4 exits to a job, étapes, funds, periods.
    assert_eq!(html.matches("<svg").count(), 12);
}
