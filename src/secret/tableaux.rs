//! What each published table says of its counts: the lines and columns that add up, and the
//! rates, shares and means computed from them. Every relation is checked against the figures
//! before it is used ([`super::Problem::relation`]).

use super::layout::Layout;

/// Tableau 1's (and 1BIS's) groups whose lines add up to the total line. `th`, `inscrit_pe` and
/// `public_x_inscrit_pe` print one value of their dimension only, and `inactivite` leaves the
/// unknown out: they are parts of the total, not partitions of it.
const PARTITIONS_T1: &[&str] = &["sexe", "age_26", "tranche_age", "public", "niveau"];

/// Declares the relations of `layout`'s table, by its code.
pub(super) fn relations(l: &mut Layout) {
    match l.table.tableau {
        "1" => tableau1(l),
        "1bis" => tableau1bis(l),
        "taux" => taux(l),
        "2" => tableau2(l),
        "3" => tableau3(l),
        "4" | "5" => tableau4_5(l),
        "8" | "9" => tableau8_9(l),
        "periodes" => periodes(l),
        _ => {}
    }
}

fn partitions(l: &mut Layout, total: Option<usize>, groups: &[&str]) {
    for g in groups {
        let parts = l.group(g);
        l.rows_add_up(total, &parts);
    }
}

/// A rate of `counts` on every line, in column `rate`.
fn rate_column(l: &mut Layout, rate: &str, counts: &[&str]) {
    let cols: Vec<Option<usize>> = counts.iter().map(|k| l.col(k)).collect();
    let Some(rate) = l.col(rate) else { return };
    for r in 0..l.table.rows.len() {
        let deps: Vec<Option<usize>> = cols.iter().map(|&c| l.count(Some(r), c)).collect();
        l.derived((r, rate), &deps);
    }
}

fn tableau1(l: &mut Layout) {
    let total = l.row("total", "total");
    partitions(l, total, PARTITIONS_T1);
    l.cols_add_up("en_parcours", &["entrees", "report"]);
    l.cols_add_up(
        "sorties_sans_suite",
        &[
            "abandons",
            "demenagements_deces_retraites",
            "autres_sans_suite",
        ],
    );
    rate_column(
        l,
        "taux_sortie_positive",
        &["sorties_positives", "sorties_sans_suite"],
    );
    let en_parcours = l.count(total, l.col("en_parcours"));
    l.note("inactivite_moyenne_mois", &[en_parcours]);
}

/// The years of a multi-year table, as its column keys end.
fn years(l: &Layout) -> Vec<String> {
    (l.table.period.first..=l.table.period.last)
        .map(|y| y.to_string())
        .collect()
}

fn tableau1bis(l: &mut Layout) {
    let total = l.row("total", "total");
    for c in l.cols() {
        let of = l.count(total, Some(c));
        for r in 0..l.table.rows.len() {
            if Some(r) != total {
                l.share_of((r, c), of);
            }
        }
    }
    partitions(l, total, PARTITIONS_T1);
    // Every figure is a sum of yearly figures over the range.
    for (key, ..) in crate::tables::TABLEAU1BIS_FIGURES {
        let yearly: Vec<String> = years(l).iter().map(|y| format!("{key}_{y}")).collect();
        let yearly: Vec<&str> = yearly.iter().map(String::as_str).collect();
        l.cols_add_up(&format!("{key}_total"), &yearly);
    }
}

fn taux(l: &mut Layout) {
    let years = years(l);
    let years: Vec<&str> = years.iter().map(String::as_str).collect();
    l.cols_add_up("total", &years);
    let line = |l: &Layout, code: &str| l.row("resultats", code);
    let (entrees, positives, sans_suite, dem) = (
        line(l, "entrees"),
        line(l, "sorties_positives"),
        line(l, "sorties_sans_suite"),
        line(l, "demenagements_deces_retraites"),
    );
    for c in l.cols() {
        let at = |r: Option<usize>| l.count(r, Some(c));
        let (e, p, s, d) = (at(entrees), at(positives), at(sans_suite), at(dem));
        for (code, deps) in [
            ("taux_sorties_positives_entrees", vec![p, e]),
            ("taux_sorties_positives", vec![p, s]),
            ("taux_sorties_positives_hors_dem", vec![p, s, d]),
        ] {
            if let Some(r) = line(l, code) {
                l.derived((r, c), &deps);
            }
        }
    }
}

fn tableau2(l: &mut Layout) {
    l.cols_add_up("total", &["hommes", "femmes"]);
    for (whole, parts) in [
        (
            "TOTAL",
            &[
                "MOBILISATION",
                "EMPLOIS_PARCOURS",
                "EMPLOI_SORTIE",
                "FORMATION",
                "MEDIATION",
                "CREATION_ENTREPRISE",
            ][..],
        ),
        ("EMPLOIS_PARCOURS", &["IAE", "HORS_IAE", "AUTRE_CONTRAT"]),
        (
            "IAE",
            &["IAE_ACI", "IAE_EI", "IAE_ETTI", "IAE_AI", "IAE_RQ"],
        ),
        ("HORS_IAE", &["CONTRATS_AIDES", "CONTRATS_NON_AIDES"]),
        (
            "CONTRATS_AIDES",
            &["AIDE_CUI_CAE", "AIDE_GEIQ", "AIDE_EMPLOI_AVENIR"],
        ),
        (
            "CONTRATS_NON_AIDES",
            &["CDD_COURT", "INTERIM", "CDI_TEMPS_PARTIEL"],
        ),
        (
            "FORMATION",
            &["FORMATION_QUALIFIANTE", "FORMATION_NON_QUALIFIANTE"],
        ),
    ] {
        let parts: Option<Vec<usize>> = parts.iter().map(|p| l.code(p)).collect();
        if let Some(parts) = parts {
            l.rows_add_up(l.code(whole), &parts);
        }
    }
    // Étapes per participant: étapes of the total line over participants.
    let (etapes, participants) = (l.code("TOTAL"), l.code("PARTICIPANTS"));
    if let Some(mean) = l.code("MOYENNE_PAR_PARTICIPANT") {
        for c in l.cols() {
            let deps = [l.count(etapes, Some(c)), l.count(participants, Some(c))];
            l.derived((mean, c), &deps);
        }
    }
}

fn tableau3(l: &mut Layout) {
    l.cols_add_up("parcours", &["parcours_hommes", "parcours_femmes"]);
    for block in ["toutes", "positives", "sans_suite"] {
        let total = l.row(block, "total");
        for parts in [
            &["DELD", "RSA", "AUTRE"][..],
            &["<26", ">=26"],
            &["15-24", "25-44", "45-54", "55-64", "65+"],
        ] {
            let parts: Option<Vec<usize>> = parts.iter().map(|p| l.row(block, p)).collect();
            if let Some(parts) = parts {
                l.rows_add_up(total, &parts);
            }
        }
    }
    for r in l.group("toutes") {
        let code = l.table.rows[r].code.clone();
        if let (Some(p), Some(s)) = (l.row("positives", &code), l.row("sans_suite", &code)) {
            l.rows_add_up(Some(r), &[p, s]);
        }
    }
    for suffix in ["", "_hommes", "_femmes"] {
        rate_column(
            l,
            &format!("duree_mois{suffix}"),
            &[&format!("parcours{suffix}")],
        );
    }
}

/// A share of column `count`'s total line, on every line, in column `share`.
fn share_column(l: &mut Layout, share: &str, count: &str, total: Option<usize>) {
    let (Some(s), c) = (l.col(share), l.col(count)) else {
        return;
    };
    let of = l.count(total, c);
    for r in 0..l.table.rows.len() {
        let deps = [l.count(Some(r), c), of];
        l.derived((r, s), &deps);
    }
}

fn tableau4_5(l: &mut Layout) {
    // A participant may go through several structures: the lines do not add up to the total.
    l.cols_add_up("participants", &["hommes", "femmes"]);
    let total = l.row("total", "TOTAL");
    for (share, count) in [
        ("part_hommes", "hommes"),
        ("part_femmes", "femmes"),
        ("part_participants", "participants"),
    ] {
        share_column(l, share, count, total);
    }
}

fn tableau8_9(l: &mut Layout) {
    l.cols_add_up("sorties", &["sorties_hommes", "sorties_femmes"]);
    let mut groups: Vec<String> = l.table.rows.iter().map(|r| r.group.clone()).collect();
    groups.dedup();
    for g in groups {
        let total = l.row(&g, "total");
        let parts: Vec<usize> = l
            .group(&g)
            .into_iter()
            .filter(|&r| Some(r) != total)
            .collect();
        l.rows_add_up(total, &parts);
        let pcts = [
            ("total_pct", "sorties"),
            ("hommes_pct", "sorties_hommes"),
            ("femmes_pct", "sorties_femmes"),
        ];
        for (pct, count) in pcts {
            let (Some(p), c) = (l.col(pct), l.col(count)) else {
                continue;
            };
            let of = l.count(total, c);
            for r in l.group(&g) {
                let deps = [l.count(Some(r), c), of];
                l.derived((r, p), &deps);
            }
        }
    }
}

fn periodes(l: &mut Layout) {
    if let Some(plies) = l.row("total", "plies") {
        l.not_people(plies);
    }
    let entrees = l.row("total", "entrees");
    let shares = ["sexe", "age_26", "age45", "th", "public", "niveau_groupe"];
    let (sp_entrees, sp, sp_hors_dem) = (
        l.row("taux", "taux_sorties_positives_entrees"),
        l.row("taux", "taux_sorties_positives"),
        l.row("taux", "taux_sorties_positives_hors_dem"),
    );
    for c in l.cols() {
        let of = l.count(entrees, Some(c));
        for g in shares {
            for r in l.group(g) {
                l.share_of((r, c), of);
            }
        }
        // Sorties positives ÷ entrées: the positive exits, then the exits under each other rate.
        if let Some(r) = sp_entrees {
            l.share_of((r, c), of);
        }
        let positives = l.count(sp_entrees, Some(c));
        for r in [sp, sp_hors_dem].into_iter().flatten() {
            l.rate_of((r, c), positives);
        }
    }
    partitions(l, entrees, &["sexe", "age_26", "public", "niveau_groupe"]);
}
