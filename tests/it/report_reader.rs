//! The report as a national reader reads it (issue 19): the scope named as a territory, the
//! date of the data, the change from the previous year, the territories side by side, chart
//! labels whole. (The print layout on A4 is checked in a browser: tests/browser/report.sh.)

use crate::report::{report, text};
use crate::util::{csv_rows, Dir};

/// Tableau 1's total line of `year` as (column key → value), from the machine csv.
fn total(dir: &Dir, year: &str) -> std::collections::HashMap<String, f64> {
    let rows = csv_rows(
        &dir.run(&["tableau", "1", "--year", year, "--format", "csv"])
            .ok(),
    );
    rows[0]
        .iter()
        .cloned()
        .zip(rows[1].iter().map(|v| v.parse::<f64>().unwrap_or(f64::NAN)))
        .collect()
}

fn signed_percent(now: f64, then: f64) -> String {
    format!("{:+.1} %", (now - then) / then * 100.0).replace('.', ",")
}

#[test]
fn the_header_names_the_territory_and_the_years_of_the_data() {
    let dir = Dir::crafted();
    let t = text(&report(
        &dir,
        &["--year", "2017", "--filter", "region=Hauts-de-France"],
    ));
    assert!(
        t.contains("Périmètre : Hauts-de-France — 1 PLIE avec des parcours en 2017"),
        "{t}"
    );
    assert!(!t.contains("filtre region"), "{t}");
    // The years of the data: those the store's PLIE cover (status), and the import day.
    let status = csv_rows(&dir.run(&["status", "--format", "csv"]).ok());
    let years: Vec<(i32, i32)> = status[1..]
        .iter()
        .map(|r| {
            let (a, b) = r[5].split_once("..").unwrap();
            (a.parse().unwrap(), b.parse().unwrap())
        })
        .collect();
    let first = years.iter().map(|y| y.0).min().unwrap();
    let last = years.iter().map(|y| y.1).max().unwrap();
    let day = &status[1][7][..10];
    let date =
        format!("Données : parcours de {first} à {last}, dans les transferts importés le {day}");
    assert!(t.contains(&date), "{date} in {t}");
    let t = text(&report(
        &dir,
        &[
            "--year",
            "2017",
            "--filter",
            "departement=59",
            "--filter",
            "qpv=oui",
        ],
    ));
    assert!(t.contains("Périmètre : Nord (59) ; qpv = oui —"), "{t}");
}

#[test]
fn the_commentary_gives_the_change_from_the_previous_year() {
    let dir = Dir::crafted();
    let (now, then) = (total(&dir, "2017"), total(&dir, "2016"));
    let t = text(&report(&dir, &["--year", "2017"]));
    let points = ((now["taux_sortie_positive"] * 100.0).round()
        - (then["taux_sortie_positive"] * 100.0).round()) as i64;
    let sentence = format!(
        "Par rapport à 2016, le nombre de personnes en parcours a évolué de {}, celui des entrées \
         de {} et celui des sorties positives de {} ; le taux de sortie positive a évolué de {:+} \
         points ({} % l'année précédente).",
        signed_percent(now["en_parcours"], then["en_parcours"]),
        signed_percent(now["entrees"], then["entrees"]),
        signed_percent(now["sorties_positives"], then["sorties_positives"]),
        points,
        (then["taux_sortie_positive"] * 100.0).round()
    );
    assert!(t.contains(&sentence), "{sentence}\nin\n{t}");
    // In the crafted corpus: 20 then 22 in parcours, 12 then 9 entrants.
    assert!(sentence.contains("évolué de +10,0 %, celui des entrées de -25,0 %"));
    // The first year of the data has no year before: no such sentence.
    let first = text(&report(&dir, &["--year", "2009"]));
    assert!(!first.contains("Par rapport à 2008"), "{first}");
}

#[test]
fn the_territories_side_by_side_with_their_key_rates() {
    let dir = Dir::crafted();
    let html = report(&dir, &["--year", "2017"]);
    let table = &html[html
        .find(r#"<table class="territoires">"#)
        .expect("the territories")..];
    let table = &table[..table.find("</table>").unwrap()];
    let t = text(table);
    // Each region's figures are the cross-tab's by region.
    let x = |measure: &str| {
        csv_rows(
            &dir.run(&[
                "crosstab",
                "--measure",
                measure,
                "--year",
                "2017",
                "--rows",
                "region",
                "--format",
                "csv",
            ])
            .ok(),
        )
    };
    let (en_parcours, taux) = (x("en_parcours"), x("taux_sorties_positives"));
    assert_eq!(en_parcours.len(), 3, "two regions");
    for (r, region) in en_parcours[1..].iter().enumerate() {
        let rate: f64 = taux[1 + r][1].parse().unwrap();
        let line = format!("{} {} ", region[0], region[1]);
        assert!(t.contains(&line), "{line} in {t}");
        let percent = format!("{} %", (rate * 100.0).round());
        let after = &t[t.find(&line).unwrap()..];
        assert!(after.contains(&percent), "{percent} after {line} in {t}");
    }
    assert!(t.contains("Taux de sortie positive"), "{t}");
    // Filtered on territories, their PLIE with their names.
    let html = report(&dir, &["--year", "2017", "--filter", "departement=44,59"]);
    let t = text(&html[html.find(r#"<table class="territoires">"#).unwrap()..]);
    assert!(t.contains("P44A — PLIE de l'estuaire"), "{t}");
    assert!(t.contains("P59B — PLIE \"Lille; Métropole\""), "{t}");
}

#[test]
fn chart_labels_are_wrapped_never_cut() {
    let dir = Dir::new();
    dir.run(&["generate", "--scale", "0.05", "--seed", "1"])
        .ok();
    let html = report(&dir, &["--year", "2017"]);
    // In the charts (the notes may shorten a long list of PLIE with an ellipsis).
    for svg in html.split("<svg").skip(1) {
        let svg = &svg[..svg.find("</svg>").unwrap()];
        assert!(!svg.contains('…'), "no label ends with an ellipsis: {svg}");
    }
    // Each label: its full text as the tooltip, then its lines, which say it whole.
    let mut labels = 0;
    for part in html.split(r#"<text text-anchor="end"><title>"#).skip(1) {
        let (title, rest) = part.split_once("</title>").unwrap();
        let lines: Vec<&str> = rest
            .split("</text>")
            .next()
            .unwrap()
            .split("</tspan>")
            .filter_map(|s| s.split_once('>').map(|(_, t)| t))
            .collect();
        assert_eq!(lines.join(" "), title, "{part}");
        assert!(lines.len() <= 2, "{title}: {lines:?}");
        labels += 1;
    }
    assert!(labels > 50, "{labels} labels");
    assert!(
        html.contains("Activités de services administratifs et de soutien"),
        "the long NAF label is there whole"
    );
}
