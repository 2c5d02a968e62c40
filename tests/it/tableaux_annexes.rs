//! Tableaux 6, 6BIS, 7 and 10: the tables of the optional files (financements, allocations,
//! activite), through the binary, on a crafted corpus whose figures are worked out by hand, on the
//! calibrated national corpus against the published figures, and their identities.

use crate::util::{json, json_row, national, reference, Dir, TableCsv};

/// Three PLIE: PA (dept 44), PB (dept 59), PC (dept 69).
const PLIE: &str = "\
plie,nom,departement,region,communes,structure_porteuse,gestion_fse,extraction,complet_depuis
PA,PLIE A,44,Pays de la Loire,10,,OI_PIVOT,2020-12-31,1990-01-01
PB,PLIE B,59,Hauts-de-France,20,,OI_PIVOT,2020-12-31,1990-01-01
PC,PLIE C,69,Auvergne-Rhône-Alpes,5,,,2020-12-31,1990-01-01
";

/// En parcours in 2017: PA 2 (a1, a2), PB 2 (b1, b2), PC 1 (c1).
/// In 2016: PA 2 (a1, a3), PB 1 (b2), PC 0.
const PARCOURS: &str = "\
plie,participant,entree,sortie,motif_sortie,sexe,naissance,public,inscrit_pe,th,niveau,inactivite,qpv,commune
PA,a1,2016-03-01,,,F,1980-01,RSA,1,0,V,12,0,44109
PA,a2,2017-02-01,2017-06-30,EMPLOI,H,1975-05,DELD,1,0,IV,30,0,44109
PA,a3,2015-01-10,2016-05-31,ABANDON,H,1990-02,AUTRE,0,0,VI,3,0,44109
PB,b1,2017-01-15,,,F,1985-03,RSA,1,0,V,24,0,59350
PB,b2,2016-09-01,2017-03-31,AUTRE_SANS_SUITE,H,1970-11,DELD,1,1,V,60,0,59350
PC,c1,2017-05-01,,,F,1995-07,AUTRE,0,0,IV,6,0,69123
";

/// Euros. PC sends no funds; PB's REGION row leaves `mobilise` empty (mobilised by default).
const FINANCEMENTS: &str = "\
plie,annee,axe,financeur,direct,indirect,mobilise
PA,2017,3,COLLECTIVITES,1000,200,1
PA,2017,3,FSE,3000,0,1
PA,2017,3,ETAT,100.50,900,1
PA,2017,4,COLLECTIVITES,50,0,1
PA,2017,4,FSE,150,0,1
PA,2017,3,AUTRES_PRIVES,40,0,0
PA,2016,3,COLLECTIVITES,800,100,1
PA,2016,3,FSE,2000,0,1
PB,2017,3,COLLECTIVITES,500,0,1
PB,2017,3,DEPARTEMENT,250,250,1
PB,2017,3,FSE,1000,0,1
PB,2017,3,ETAT,30,0,0
PB,2016,3,FSE,500,0,1
PB,2016,3,REGION,0,400,
";

const ALLOCATIONS: &str = "\
plie,annee,structure,montant,dont_fse
PA,2017,ACI,1000,400
PA,2017,EI,500,
PA,2017,POLE_EMPLOI,300,100
PB,2017,ACI,2000,1000
PB,2017,AUTRE,200,50
PB,2016,GEIQ,700,0
PC,2016,OPERATION_INTERNE,100,100
";

/// ZZ_LOCAL and AA_AUTRE are outside the documented list.
const ACTIVITE: &str = "\
plie,annee,indicateur,valeur
PA,2017,EQUIPE_SALARIES,5
PA,2017,EQUIPE_ETP,3.5
PA,2017,MASSE_SALARIALE,120000.50
PA,2017,ZZ_LOCAL,7
PB,2017,EQUIPE_SALARIES,3
PB,2017,EQUIPE_ETP,2.25
PB,2017,AA_AUTRE,1
PB,2016,EQUIPE_SALARIES,4
PC,2017,REFERENTS,2
";

fn crafted() -> Dir {
    let dir = Dir::new();
    let t = dir.transfer(
        "annexes",
        &[
            ("plie.csv", PLIE),
            ("parcours.csv", PARCOURS),
            ("financements.csv", FINANCEMENTS),
            ("allocations.csv", ALLOCATIONS),
            ("activite.csv", ACTIVITE),
        ],
    );
    dir.import(&[&t]);
    dir
}

/// "123.4" as 12340, exactly.
fn cents(text: &str) -> i64 {
    if text.is_empty() {
        return 0;
    }
    let (sign, text) = match text.strip_prefix('-') {
        Some(t) => (-1, t),
        None => (1, text),
    };
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    let frac = format!("{frac:0<2}");
    assert_eq!(frac.len(), 2, "more than two decimals in {text}");
    sign * (whole.parse::<i64>().unwrap() * 100 + frac.parse::<i64>().unwrap())
}

#[track_caller]
fn close(got: f64, want: f64) {
    assert!((got - want).abs() < 1e-6, "{got} != {want}");
}

const FINANCEURS: [&str; 7] = [
    "COLLECTIVITES",
    "DEPARTEMENT",
    "REGION",
    "ETAT",
    "AUTRES_PUBLICS",
    "AUTRES_PRIVES",
    "FSE",
];

#[test]
fn tableau6_crafted_by_hand() {
    let dir = crafted();
    let t = TableCsv::tableau(&dir, &["6", "--year", "2017"]);
    assert_eq!(
        t.header,
        ["group", "row", "label", "total", "direct", "indirect"]
    );
    // Published order: axis 3 (sub-total, 7 financers), axis 4, mobilised, non-mobilised, totals.
    let mut order = Vec::new();
    for axe in ["axe3", "axe4"] {
        order.push((axe.to_owned(), "total".to_owned()));
        order.extend(FINANCEURS.map(|f| (axe.to_owned(), f.to_owned())));
    }
    for (g, r) in [
        ("mobilise", "total"),
        ("non_mobilise", "AUTRES_PRIVES"),
        ("non_mobilise", "AUTRES"),
        ("non_mobilise", "total"),
        ("total", "total"),
        ("total", "FSE"),
    ] {
        order.push((g.to_owned(), r.to_owned()));
    }
    assert_eq!(t.lines(), order);
    // 2017, axis 3: COLLECTIVITES PA 1000 + PB 500 direct, PA 200 indirect.
    assert_eq!(t.cell("axe3", "COLLECTIVITES", "direct"), "1500");
    assert_eq!(t.cell("axe3", "COLLECTIVITES", "indirect"), "200");
    assert_eq!(t.cell("axe3", "COLLECTIVITES", "total"), "1700");
    assert_eq!(t.cell("axe3", "DEPARTEMENT", "total"), "500");
    assert_eq!(t.cell("axe3", "REGION", "total"), "0");
    // ETAT: PA 100.50 + 900 (PB's 30 is not mobilised).
    assert_eq!(t.cell("axe3", "ETAT", "direct"), "100.5");
    assert_eq!(t.cell("axe3", "ETAT", "total"), "1000.5");
    assert_eq!(t.cell("axe3", "AUTRES_PRIVES", "total"), "0");
    assert_eq!(t.cell("axe3", "FSE", "direct"), "4000");
    // Axis 3: direct 1500 + 250 + 100.50 + 4000, indirect 200 + 250 + 900.
    assert_eq!(t.cell("axe3", "total", "direct"), "5850.5");
    assert_eq!(t.cell("axe3", "total", "indirect"), "1350");
    assert_eq!(t.cell("axe3", "total", "total"), "7200.5");
    // Axis 4: PA's COLLECTIVITES 50 and FSE 150.
    assert_eq!(t.cell("axe4", "COLLECTIVITES", "total"), "50");
    assert_eq!(t.cell("axe4", "FSE", "total"), "150");
    assert_eq!(t.cell("axe4", "total", "total"), "200");
    assert_eq!(t.cell("mobilise", "total", "direct"), "6050.5");
    assert_eq!(t.cell("mobilise", "total", "indirect"), "1350");
    assert_eq!(t.cell("mobilise", "total", "total"), "7400.5");
    // Not mobilised: PA's AUTRES_PRIVES 40, PB's ETAT 30; total only.
    assert_eq!(t.cell("non_mobilise", "AUTRES_PRIVES", "total"), "40");
    assert_eq!(t.cell("non_mobilise", "AUTRES_PRIVES", "direct"), "");
    assert_eq!(t.cell("non_mobilise", "AUTRES", "total"), "30");
    assert_eq!(t.cell("non_mobilise", "total", "total"), "70");
    assert_eq!(t.cell("total", "total", "total"), "7470.5");
    assert_eq!(t.cell("total", "FSE", "total"), "4150");

    let v = json(&dir, &["tableau", "6", "--year", "2017"]);
    assert_eq!(v["tableau"], "6");
    assert_eq!(v["year"], 2017);
    // PA and PB sent funds for 2017, PC none.
    assert_eq!(v["plie"], 2);
    assert_eq!(json_row(&v, "axe3", "ETAT")["direct"], 100.5);
    assert_eq!(json_row(&v, "total", "total")["total"], 7470.5);
    assert!(json_row(&v, "total", "total")["direct"].is_null());
    // En parcours in 2017 in PA and PB: 2 + 2 (PC's c1 is not counted: PC sent no funds).
    assert_eq!(v["en_parcours"], 4);
    close(
        v["financements_par_participant"].as_f64().unwrap(),
        7400.5 / 4.0,
    );
    close(v["directs_par_participant"].as_f64().unwrap(), 6050.5 / 4.0);
    close(v["fse_par_participant"].as_f64().unwrap(), 4150.0 / 4.0);
    // Communes and EPCI brought 1000 + 500 + 50 directly.
    close(
        v["fse_par_euro_collectivites"].as_f64().unwrap(),
        4150.0 / 1550.0,
    );
    close(
        v["total_par_euro_collectivites"].as_f64().unwrap(),
        7400.5 / 1550.0,
    );

    let text = dir.run(&["tableau", "6", "--year", "2017"]).ok();
    assert!(
        text.starts_with(
            "Tableau 6 — financements mobilisés par les PLIE, 2017 (2 PLIE, filtre : aucun)"
        ),
        "{text}"
    );
    let line = text
        .lines()
        .find(|l| l.starts_with("SOUS-TOTAL MOBILISÉ"))
        .unwrap();
    let figures: Vec<&str> = line
        .split("  ")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    // Euros rounded in text: 7400.50 -> 7 401, 6050.50 -> 6 051.
    assert_eq!(
        figures,
        [
            "SOUS-TOTAL MOBILISÉ",
            "7\u{202f}401",
            "6\u{202f}051",
            "1\u{202f}350"
        ]
    );
    assert!(
        text.contains("Participants en parcours dans ces PLIE : 4"),
        "{text}"
    );
}

#[test]
fn tableau6bis_crafted_by_hand_and_a_range_is_the_sum_of_its_years() {
    let dir = crafted();
    let t = TableCsv::tableau(&dir, &["6bis", "--years", "2016..2017"]);
    let mut order: Vec<(String, String)> = FINANCEURS
        .map(|f| ("mobilise".to_owned(), f.to_owned()))
        .to_vec();
    order.push(("mobilise".into(), "total".into()));
    for (g, r) in [
        ("non_mobilise", "AUTRES_PRIVES"),
        ("non_mobilise", "AUTRES"),
        ("non_mobilise", "total"),
        ("total", "total"),
        ("total", "FSE"),
    ] {
        order.push((g.into(), r.into()));
    }
    assert_eq!(t.lines(), order);
    // COLLECTIVITES: 2017 1550 direct (both axes) + 200 indirect; 2016 800 + 100.
    assert_eq!(t.cell("mobilise", "COLLECTIVITES", "direct"), "2350");
    assert_eq!(t.cell("mobilise", "COLLECTIVITES", "indirect"), "300");
    assert_eq!(t.cell("mobilise", "COLLECTIVITES", "total"), "2650");
    // REGION: PB 2016, mobilised by default.
    assert_eq!(t.cell("mobilise", "REGION", "indirect"), "400");
    // FSE: 2017 3000 + 150 + 1000, 2016 2000 + 500.
    assert_eq!(t.cell("mobilise", "FSE", "total"), "6650");
    assert_eq!(t.cell("mobilise", "total", "total"), "11200.5");
    assert_eq!(t.cell("non_mobilise", "total", "total"), "70");
    assert_eq!(t.cell("total", "total", "total"), "11270.5");
    assert_eq!(t.cell("total", "FSE", "total"), "6650");
    let v = json(&dir, &["tableau", "6bis", "--years", "2016..2017"]);
    assert_eq!(v["years"], serde_json::json!([2016, 2017]));
    assert_eq!(v["plie"], 2);
    // En parcours summed over the years: 2017 PA 2 + PB 2, 2016 PA 2 + PB 1.
    assert_eq!(v["en_parcours"], 7);
    close(
        v["financements_par_participant"].as_f64().unwrap(),
        11200.5 / 7.0,
    );

    // 6BIS over the range = Tableau 6 of 2016 + Tableau 6 of 2017, line by line; 6BIS's
    // mobilised sub-total = Tableau 6's over the same period.
    let years: Vec<TableCsv> = ["2016", "2017"]
        .iter()
        .map(|y| TableCsv::tableau(&dir, &["6", "--year", y]))
        .collect();
    let range6 = TableCsv::tableau(&dir, &["6", "--years", "2016..2017"]);
    for (g, r) in t.lines() {
        for col in ["total", "direct", "indirect"] {
            let six = |t6: &TableCsv| -> i64 {
                if g == "mobilise" && r != "total" {
                    cents(t6.cell("axe3", &r, col)) + cents(t6.cell("axe4", &r, col))
                } else {
                    cents(t6.cell(&g, &r, col))
                }
            };
            let sum: i64 = years.iter().map(six).sum();
            assert_eq!(cents(t.cell(&g, &r, col)), sum, "{g},{r},{col}");
            assert_eq!(six(&range6), sum, "Tableau 6 over the range, {g},{r},{col}");
        }
    }
    // 2016 alone: PA 800/100 + 2000, PB 500 + 0/400.
    assert_eq!(years[0].cell("axe3", "total", "total"), "3800");
    assert_eq!(years[0].cell("axe4", "total", "total"), "0");
}

#[test]
fn tableau6_filters_choose_plie_and_refuse_participant_dimensions() {
    let dir = crafted();
    // Département 59 is PB alone: COLLECTIVITES 500, DEPARTEMENT 250 + 250, FSE 1000; ETAT 30 not
    // mobilised.
    let t = TableCsv::tableau(&dir, &["6", "--year", "2017", "--filter", "departement=59"]);
    assert_eq!(t.cell("axe3", "total", "direct"), "1750");
    assert_eq!(t.cell("axe3", "total", "indirect"), "250");
    assert_eq!(t.cell("axe4", "total", "total"), "0");
    assert_eq!(t.cell("non_mobilise", "AUTRES", "total"), "30");
    assert_eq!(t.cell("total", "total", "total"), "2030");
    let v = json(
        &dir,
        &[
            "tableau",
            "6",
            "--year",
            "2017",
            "--filter",
            "region=Hauts-de-France",
        ],
    );
    assert_eq!(v["plie"], 1);
    assert_eq!(v["en_parcours"], 2);
    close(v["financements_par_participant"].as_f64().unwrap(), 1000.0);
    close(v["fse_par_euro_collectivites"].as_f64().unwrap(), 2.0);
    // PC sent no funds: no PLIE, zero amounts, undefined ratios.
    let v = json(
        &dir,
        &["tableau", "6", "--year", "2017", "--filter", "plie=PC"],
    );
    assert_eq!(v["plie"], 0);
    assert_eq!(json_row(&v, "mobilise", "total")["total"], 0.0);
    assert!(v["financements_par_participant"].is_null());
    assert!(v["fse_par_euro_collectivites"].is_null());

    for (tableau, file) in [
        ("6", "financements.csv"),
        ("6bis", "financements.csv"),
        ("7", "allocations.csv"),
        ("10", "activite.csv"),
    ] {
        for filter in ["sexe=F", "qpv=1", "plie=PA"] {
            let run = dir.run(&["tableau", tableau, "--year", "2017", "--filter", filter]);
            if filter == "plie=PA" {
                assert_eq!(run.code, 0, "{tableau} {filter}: {}", run.stderr);
                continue;
            }
            assert_eq!(
                run.code, 1,
                "tableau {tableau} --filter {filter}: {}",
                run.stdout
            );
            let dim = filter.split('=').next().unwrap();
            assert!(
                run.stderr.contains(file) && run.stderr.contains(dim),
                "{tableau}: {}",
                run.stderr
            );
        }
    }
}

#[test]
fn tableau7_crafted_by_hand() {
    let dir = crafted();
    let t = TableCsv::tableau(&dir, &["7", "--year", "2017"]);
    assert_eq!(
        t.header,
        ["group", "row", "label", "montant", "dont_fse", "part"]
    );
    let codes: Vec<String> = t
        .lines()
        .into_iter()
        .map(|(g, r)| format!("{g},{r}"))
        .collect();
    assert_eq!(
        codes,
        [
            "siae,ACI",
            "siae,EI",
            "siae,ETTI",
            "siae,AI",
            "siae,RQ",
            "siae,GEIQ",
            "siae,total",
            "autres,POLE_EMPLOI",
            "autres,MISSION_LOCALE",
            "autres,ORGANISME_FORMATION",
            "autres,MDE",
            "autres,CBE",
            "autres,CLUB_FONDATION",
            "autres,OPERATION_INTERNE",
            "autres,ASSOCIATION_INSERTION",
            "autres,CCAS_CIAS",
            "autres,COLLECTIVITE",
            "autres,AUTRE",
            "total,total",
        ]
    );
    // 2017: ACI PA 1000 + PB 2000 (FSE 400 + 1000); EI 500 (no FSE given: 0); SIAE 3500;
    // POLE_EMPLOI 300 (100); AUTRE 200 (50); TOTAL 4000 (1550). PB's GEIQ is 2016.
    assert_eq!(t.cell("siae", "ACI", "montant"), "3000");
    assert_eq!(t.cell("siae", "ACI", "dont_fse"), "1400");
    assert_eq!(t.cell("siae", "EI", "dont_fse"), "0");
    assert_eq!(t.cell("siae", "GEIQ", "montant"), "0");
    assert_eq!(t.cell("siae", "total", "montant"), "3500");
    assert_eq!(t.cell("siae", "total", "dont_fse"), "1400");
    assert_eq!(t.cell("autres", "POLE_EMPLOI", "montant"), "300");
    assert_eq!(t.cell("total", "total", "montant"), "4000");
    assert_eq!(t.cell("total", "total", "dont_fse"), "1550");
    // Shares of 4000: ACI 0.75, EI 0.125, SIAE 0.875, AUTRE 0.05.
    let share = |g: &str, r: &str| t.cell(g, r, "part").parse::<f64>().unwrap();
    close(share("siae", "ACI"), 0.75);
    close(share("siae", "EI"), 0.125);
    close(share("siae", "total"), 0.875);
    close(share("autres", "AUTRE"), 0.05);
    close(share("autres", "CBE"), 0.0);
    close(share("total", "total"), 1.0);

    let v = json(&dir, &["tableau", "7", "--year", "2017"]);
    assert_eq!(v["plie"], 2);
    assert_eq!(json_row(&v, "siae", "ACI")["montant"], 3000.0);
    assert_eq!(json_row(&v, "autres", "AUTRE")["dont_fse"], 50.0);
    close(
        json_row(&v, "autres", "POLE_EMPLOI")["part"]
            .as_f64()
            .unwrap(),
        0.075,
    );

    let text = dir.run(&["tableau", "7", "--year", "2017"]).ok();
    assert!(text.contains("2017 (2 PLIE, filtre : aucun)"), "{text}");
    let line = text.lines().find(|l| l.starts_with("TOTAL SIAE")).unwrap();
    assert!(
        line.contains("3\u{202f}500") && line.contains("88 %"),
        "{line}"
    );

    // 2016: PB's GEIQ 700 and PC's OPERATION_INTERNE 100; the range sums both years, 3 PLIE.
    let y2016 = TableCsv::tableau(&dir, &["7", "--year", "2016"]);
    assert_eq!(y2016.cell("total", "total", "montant"), "800");
    let range = TableCsv::tableau(&dir, &["7", "--years", "2016..2017"]);
    for (g, r) in range.lines() {
        for col in ["montant", "dont_fse"] {
            assert_eq!(
                cents(range.cell(&g, &r, col)),
                cents(t.cell(&g, &r, col)) + cents(y2016.cell(&g, &r, col)),
                "{g},{r},{col}"
            );
        }
    }
    let v = json(&dir, &["tableau", "7", "--years", "2016..2017"]);
    assert_eq!(v["plie"], 3);

    // Département 44 is PA: ACI 1000 of 1800.
    let pa = TableCsv::tableau(&dir, &["7", "--year", "2017", "--filter", "departement=44"]);
    assert_eq!(pa.cell("total", "total", "montant"), "1800");
    close(
        pa.cell("siae", "ACI", "part").parse().unwrap(),
        1000.0 / 1800.0,
    );
    // PC allocated nothing in 2017: shares undefined, empty in csv.
    let pc = TableCsv::tableau(&dir, &["7", "--year", "2017", "--filter", "plie=PC"]);
    assert_eq!(pc.cell("total", "total", "montant"), "0");
    assert_eq!(pc.cell("siae", "ACI", "part"), "");
    assert_eq!(pc.cell("total", "total", "part"), "");
}

#[test]
fn tableau10_crafted_by_hand() {
    let dir = crafted();
    let t = TableCsv::tableau(&dir, &["10", "--year", "2017"]);
    assert_eq!(
        t.header,
        [
            "group",
            "row",
            "label",
            "valeur",
            "plie",
            "moyenne_par_plie"
        ]
    );
    // The documented list first, in its order, then the unknown codes by code.
    let lines = t.lines();
    let documented: Vec<&str> = lines
        .iter()
        .filter(|(g, _)| g == "indicateur")
        .map(|(_, r)| r.as_str())
        .collect();
    let reference = reference("plie2017_tableau10.csv");
    let codes: Vec<&str> = reference[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(documented, codes);
    assert_eq!(
        lines[documented.len()..],
        [
            ("autre".to_owned(), "AA_AUTRE".to_owned()),
            ("autre".to_owned(), "ZZ_LOCAL".to_owned())
        ]
    );
    assert_eq!(t.cell("autre", "ZZ_LOCAL", "label"), "ZZ_LOCAL");
    // EQUIPE_SALARIES: PA 5 + PB 3 (PB's 4 is 2016), 2 PLIE, 4 each on average.
    assert_eq!(t.cell("indicateur", "EQUIPE_SALARIES", "valeur"), "8");
    assert_eq!(t.cell("indicateur", "EQUIPE_SALARIES", "plie"), "2");
    assert_eq!(
        t.cell("indicateur", "EQUIPE_SALARIES", "moyenne_par_plie"),
        "4.000000"
    );
    assert_eq!(t.cell("indicateur", "EQUIPE_ETP", "valeur"), "5.75");
    assert_eq!(
        t.cell("indicateur", "MASSE_SALARIALE", "valeur"),
        "120000.5"
    );
    assert_eq!(t.cell("indicateur", "MASSE_SALARIALE", "plie"), "1");
    assert_eq!(t.cell("indicateur", "REFERENTS", "valeur"), "2");
    // Nobody reported the total cost: no value, 0 PLIE.
    assert_eq!(t.cell("indicateur", "COUT_TOTAL", "valeur"), "");
    assert_eq!(t.cell("indicateur", "COUT_TOTAL", "plie"), "0");
    assert_eq!(t.cell("indicateur", "COUT_TOTAL", "moyenne_par_plie"), "");

    let v = json(&dir, &["tableau", "10", "--year", "2017"]);
    assert_eq!(v["plie"], 3);
    let etp = json_row(&v, "indicateur", "EQUIPE_ETP");
    assert_eq!(etp["valeur"], 5.75);
    assert_eq!(etp["plie"], 2);
    close(etp["moyenne_par_plie"].as_f64().unwrap(), 2.875);
    assert!(json_row(&v, "indicateur", "COUT_TOTAL")["valeur"].is_null());
    assert_eq!(json_row(&v, "autre", "AA_AUTRE")["valeur"], 1.0);

    let text = dir.run(&["tableau", "10", "--year", "2017"]).ok();
    assert!(
        text.contains("Indicateurs hors de la liste documentée"),
        "{text}"
    );
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("Soit en ETP"))
        .unwrap();
    assert!(line.contains("5,75") && line.contains("2,9"), "{line}");

    // The range sums the years; PLIE that reported are counted once.
    let range = TableCsv::tableau(&dir, &["10", "--years", "2016..2017"]);
    assert_eq!(range.cell("indicateur", "EQUIPE_SALARIES", "valeur"), "12");
    assert_eq!(range.cell("indicateur", "EQUIPE_SALARIES", "plie"), "2");
    let y2016 = TableCsv::tableau(&dir, &["10", "--year", "2016"]);
    for (g, r) in range.lines() {
        let year = |t: &TableCsv| {
            t.rows
                .iter()
                .find(|l| l[0] == g && l[1] == r)
                .map_or(0, |l| cents(&l[3]))
        };
        assert_eq!(
            cents(range.cell(&g, &r, "valeur")),
            year(&t) + year(&y2016),
            "{r}"
        );
    }

    // Département 44 is PA.
    let pa = TableCsv::tableau(
        &dir,
        &["10", "--year", "2017", "--filter", "departement=44"],
    );
    assert_eq!(pa.cell("indicateur", "EQUIPE_SALARIES", "valeur"), "5");
    assert_eq!(pa.cell("indicateur", "EQUIPE_SALARIES", "plie"), "1");
    assert_eq!(pa.cell("indicateur", "REFERENTS", "valeur"), "");
    assert!(pa.lines().iter().all(|(_, r)| r != "AA_AUTRE"));
    let v = json(
        &dir,
        &[
            "tableau",
            "10",
            "--year",
            "2017",
            "--filter",
            "departement=44",
        ],
    );
    assert_eq!(v["plie"], 1);
}

// ---- The national corpus against the published figures (calibration.rs's tolerances).

fn num(s: &str) -> f64 {
    if s.is_empty() {
        0.0
    } else {
        s.parse().unwrap()
    }
}

#[track_caller]
fn relative(what: &str, got: f64, published: f64, pct: f64) {
    let dev = if published == 0.0 {
        got.abs()
    } else {
        (got - published) / published * 100.0
    };
    assert!(
        dev.abs() <= pct,
        "{what}: {got:.0} computed, {published:.0} published ({dev:+.1} %, tolerance {pct} %)"
    );
}

#[test]
fn national_funds_land_on_the_published_figures() {
    let dir = national();
    let t = TableCsv::tableau(dir, &["6", "--year", "2017"]);
    let v = json(dir, &["tableau", "6", "--year", "2017"]);
    relative(
        "Tableau 6, PLIE with funds in 2017",
        v["plie"].as_f64().unwrap(),
        95.0,
        5.0,
    );
    relative(
        "Tableau 6, total mobilised in 2017",
        num(t.cell("mobilise", "total", "total")),
        116_812_945.0,
        2.0,
    );
    relative(
        "Tableau 6, FSE in 2017",
        num(t.cell("total", "FSE", "total")),
        55_273_429.0,
        2.0,
    );
    for row in &reference("plie2017_tableau6.csv")[1..] {
        if row[2] != "1" {
            continue;
        }
        let group = format!("axe{}", row[0]);
        for (col, i) in [("total", 3), ("direct", 4), ("indirect", 5)] {
            relative(
                &format!("Tableau 6, axis {} {} {col}", row[0], row[1]),
                num(t.cell(&group, &row[1], col)),
                num(&row[i]),
                2.0,
            );
        }
    }
    let bis = TableCsv::tableau(dir, &["6bis", "--years", "2014..2017"]);
    for row in &reference("plie_2014_2017_tableau6bis.csv")[1..] {
        if row[1] != "1" {
            continue;
        }
        relative(
            &format!("Tableau 6BIS, {} direct 2014-2017", row[0]),
            num(bis.cell("mobilise", &row[0], "direct")),
            num(&row[3]),
            2.0,
        );
    }
    identities_6(&t, &bis);
    // 6BIS's mobilised sub-total is Tableau 6's over the same range.
    let range6 = TableCsv::tableau(dir, &["6", "--years", "2014..2017"]);
    for col in ["total", "direct", "indirect"] {
        assert_eq!(
            cents(bis.cell("mobilise", "total", col)),
            cents(range6.cell("mobilise", "total", col))
        );
    }
}

/// Sub-totals add up, TOTAL GÉNÉRAL = mobilised + non-mobilised, total = direct + indirect.
fn identities_6(t6: &TableCsv, bis: &TableCsv) {
    for t in [t6, bis] {
        for (g, r) in t.lines() {
            if !t.cell(&g, &r, "direct").is_empty() {
                assert_eq!(
                    cents(t.cell(&g, &r, "total")),
                    cents(t.cell(&g, &r, "direct")) + cents(t.cell(&g, &r, "indirect")),
                    "{g},{r}"
                );
            }
        }
        let non: i64 = ["AUTRES_PRIVES", "AUTRES"]
            .iter()
            .map(|r| cents(t.cell("non_mobilise", r, "total")))
            .sum();
        assert_eq!(cents(t.cell("non_mobilise", "total", "total")), non);
        assert_eq!(
            cents(t.cell("total", "total", "total")),
            cents(t.cell("mobilise", "total", "total")) + non
        );
    }
    for col in ["total", "direct", "indirect"] {
        let mut mobilised = 0;
        for axe in ["axe3", "axe4"] {
            let lines: i64 = FINANCEURS.iter().map(|f| cents(t6.cell(axe, f, col))).sum();
            assert_eq!(cents(t6.cell(axe, "total", col)), lines, "{axe} {col}");
            mobilised += lines;
        }
        assert_eq!(cents(t6.cell("mobilise", "total", col)), mobilised, "{col}");
        let lines: i64 = FINANCEURS
            .iter()
            .map(|f| cents(bis.cell("mobilise", f, col)))
            .sum();
        assert_eq!(
            cents(bis.cell("mobilise", "total", col)),
            lines,
            "6BIS {col}"
        );
    }
}

#[test]
fn national_allocations_land_on_the_published_figures() {
    let dir = national();
    let t = TableCsv::tableau(dir, &["7", "--year", "2017"]);
    let v = json(dir, &["tableau", "7", "--year", "2017"]);
    relative(
        "Tableau 7, PLIE in 2017",
        v["plie"].as_f64().unwrap(),
        75.0,
        5.0,
    );
    for row in &reference("plie2017_tableau7.csv")[1..] {
        let group = if ["ACI", "EI", "ETTI", "AI", "RQ", "GEIQ"].contains(&row[0].as_str()) {
            "siae"
        } else {
            "autres"
        };
        relative(
            &format!("Tableau 7, {}", row[0]),
            num(t.cell(group, &row[0], "montant")),
            num(&row[1]),
            2.0,
        );
        if num(&row[2]) > 0.0 {
            relative(
                &format!("Tableau 7, {} of which FSE", row[0]),
                num(t.cell(group, &row[0], "dont_fse")),
                num(&row[2]),
                2.0,
            );
        }
    }
    // Sub-totals add up and the shares of the lines make the whole.
    let lines: Vec<(String, String)> = t.lines();
    for col in ["montant", "dont_fse"] {
        let sum = |group: &str| -> i64 {
            lines
                .iter()
                .filter(|(g, r)| g == group && r != "total")
                .map(|(g, r)| cents(t.cell(g, r, col)))
                .sum()
        };
        assert_eq!(cents(t.cell("siae", "total", col)), sum("siae"));
        assert_eq!(
            cents(t.cell("total", "total", col)),
            sum("siae") + sum("autres")
        );
    }
    let shares: f64 = lines
        .iter()
        .filter(|(_, r)| r != "total")
        .map(|(g, r)| num(t.cell(g, r, "part")))
        .sum();
    close((shares * 1e4).round() / 1e4, 1.0);
}

#[test]
fn national_activity_lands_on_the_published_figures() {
    let dir = national();
    let t = TableCsv::tableau(dir, &["10", "--year", "2017"]);
    for row in &reference("plie2017_tableau10.csv")[1..] {
        relative(
            &format!("Tableau 10, {}", row[0]),
            num(t.cell("indicateur", &row[0], "valeur")),
            num(&row[1]),
            2.0,
        );
        relative(
            &format!("Tableau 10, PLIE answering {}", row[0]),
            num(t.cell("indicateur", &row[0], "plie")),
            num(&row[2]),
            5.0,
        );
    }
}
