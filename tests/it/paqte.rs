//! The commitments (PAQTE, plan 10 000) through the real binary: a crafted department 44 (and a
//! smaller 59) whose balance, national results, plan 10 000 dashboard and PLIE comparison are
//! computed by hand in the comments; import guarantees; the generated national corpus.

use std::path::PathBuf;

use crate::util::{csv_rows, Dir};

/// The crafted commitments of department 44 (`;`-separated, a decimal comma, French dates).
pub fn crafted44() -> Vec<(&'static str, String)> {
    let files = [
        ("entreprises.csv", "entreprise;nom;taille;secteur;departement\n111111111;Alpha;PME;C;44\n222222222;Beta;TPE;G;44\n333333333;Gamma;GE;K;75\n444444444;Delta;ETI;C;44\n"),
        ("conventions.csv", "convention;entreprise;departement;dispositif;debut;fin;axes\nC1;111111111;44;PAQTE;2019-01-15;2022-01-14;SENSIBILISER|RECRUTER\nC2;222222222;44;CHARTE_EQ;01/03/2018;30/06/2019;FORMER\nC3;444444444;44;PAQTE;2019-09-01;2022-08-31;RECRUTER|ACHETER\nN1;333333333;NATIONAL;PAQTE;2019-02-01;2022-01-31;RECRUTER\n"),
        ("engagements.csv", "convention;indicateur;annee;objectif\nC1;STAGES_3E_REP;2019;10\nC1;RECRUTEMENTS_QPV;2019;4\nC1;RECRUTEMENTS_QPV;2020;6\nC3;RECRUTEMENTS_QPV;2019;3\nC3;ACHATS_QPV_SIAE_EUROS;2019;10 000,50\nC2;ALTERNANTS_QPV;2019;2\nN1;RECRUTEMENTS_QPV;2019;100\n"),
        ("realisations.csv", "convention;indicateur;periode;valeur\nC1;STAGES_3E_REP;2019S1;2\nC1;STAGES_3E_REP;2019S2;6\nC1;RECRUTEMENTS_QPV;2019S2;2\nC3;RECRUTEMENTS_QPV;2019S2;1\nC3;ACHATS_QPV_SIAE_EUROS;2019S2;2500\nC2;ALTERNANTS_QPV;2019S1;1\nN1;RECRUTEMENTS_QPV;2019S2;40\n"),
        ("contexte.csv", "departement;periode;qpv;pru_nationaux;population_qpv;defm_qpv;referent\n44;2019S1;14;5;58000;6100;Mme Martin, sous-préfète\n44;2019S2;15;5;58200;5900;Mme Martin, sous-préfète\n"),
        ("clubs.csv", "club;departement;date_convention\nCLUB44;44;2019-03-15\n"),
        ("adhesions.csv", "club;entreprise;date\nCLUB44;111111111;2019-04-02\nCLUB44;222222222;2019-11-20\nCLUB44;444444444;2020-01-10\n"),
        ("actions.csv", "club;entreprise;thematique;nature;periode;valeur\nCLUB44;111111111;1;OBJECTIF;2019T4;10\nCLUB44;111111111;1;RESULTAT;2019T4;4\nCLUB44;222222222;3;INTENTION;2019T4;2\nCLUB44;111111111;8;RESULTAT;2019T3;1\n"),
    ];
    files.iter().map(|(n, c)| (*n, (*c).to_owned())).collect()
}

/// Department 59: one company, one convention, a realisation in 2019S1 only, no context.
fn crafted59() -> Vec<(&'static str, String)> {
    let files = [
        ("entreprises.csv", "entreprise,nom,taille,secteur,departement\n777777777,Epsilon,PME,G,59\n"),
        ("conventions.csv", "convention,entreprise,departement,dispositif,debut,fin,axes\nC59,777777777,59,PAQTE,2019-06-01,2021-05-31,FORMER\n"),
        ("engagements.csv", "convention,indicateur,annee,objectif\nC59,ALTERNANTS_QPV,2019,4\n"),
        ("realisations.csv", "convention,indicateur,periode,valeur\nC59,ALTERNANTS_QPV,2019S1,3\n"),
    ];
    files.iter().map(|(n, c)| (*n, (*c).to_owned())).collect()
}

pub fn folder(dir: &Dir, name: &str, files: &[(&'static str, String)]) -> PathBuf {
    let files: Vec<(&str, &str)> = files.iter().map(|(n, c)| (*n, c.as_str())).collect();
    dir.transfer(name, &files)
}

/// A store with 44 and 59.
fn crafted() -> Dir {
    let dir = Dir::new();
    let a = folder(&dir, "p44", &crafted44());
    let b = folder(&dir, "p59", &crafted59());
    dir.import(&[&a, &b]);
    dir
}

/// The cells of a multi-table csv: (tableau, group, row) → key → value.
struct Tables(Vec<Vec<String>>);

impl Tables {
    fn run(dir: &Dir, args: &[&str]) -> Tables {
        let args = [args, &["--format", "csv"]].concat();
        Tables(csv_rows(&dir.run(&args).ok()))
    }

    #[track_caller]
    fn cell(&self, tableau: &str, group: &str, row: &str, key: &str) -> &str {
        let keys = self
            .0
            .iter()
            .find(|r| r[0] == tableau && r[1] == "columns")
            .unwrap_or_else(|| panic!("no {tableau}"));
        let c = match key {
            "label" => 3,
            _ => keys
                .iter()
                .position(|k| k == key)
                .unwrap_or_else(|| panic!("no {key} in {tableau}")),
        };
        let line = self
            .0
            .iter()
            .find(|r| r[0] == tableau && r[1] == group && r[2] == row)
            .unwrap_or_else(|| panic!("no {tableau} {group} {row}"));
        &line[c]
    }

    #[track_caller]
    fn n(&self, tableau: &str, group: &str, row: &str, key: &str) -> f64 {
        let cell = self.cell(tableau, group, row, key);
        cell.parse()
            .unwrap_or_else(|_| panic!("{tableau} {group} {row} {key}: {cell:?}"))
    }

    fn rows(&self, tableau: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|r| r[0] == tableau && r[1] != "columns")
            .map(|r| r[2].clone())
            .collect()
    }
}

#[track_caller]
fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-6, "{a} != {b}");
}

#[test]
fn the_balance_of_44_for_2019s2_is_the_hand_computed_one() {
    let dir = crafted();
    let t = Tables::run(
        &dir,
        &[
            "paqte",
            "bilan",
            "--departement",
            "44",
            "--semestre",
            "2019S2",
        ],
    );
    // Context: the 2019S2 line.
    assert_eq!(
        t.cell("bilan-contexte", "referent", "referent", "label"),
        "Référent : Mme Martin, sous-préfète"
    );
    for (code, v) in [
        ("qpv", 15.0),
        ("pru_nationaux", 5.0),
        ("population_qpv", 58_200.0),
        ("defm_qpv", 5_900.0),
    ] {
        close(t.n("bilan-contexte", "contexte", code, "valeur"), v);
    }
    // Active in 2019S2 (1 July - 31 December): C1 and C3; C2 ended 30 June; N1 is national.
    // Signatories: Alpha (PME, C) and Delta (ETI, C).
    close(
        t.n("bilan-entreprises", "total", "total", "entreprises"),
        2.0,
    );
    for (size, n) in [("TPE", 0.0), ("PME", 1.0), ("ETI", 1.0), ("GE", 0.0)] {
        close(t.n("bilan-entreprises", "taille", size, "entreprises"), n);
    }
    close(t.n("bilan-entreprises", "secteur", "C", "entreprises"), 2.0);
    close(t.n("bilan-entreprises", "secteur", "C", "part"), 1.0);
    assert_eq!(t.rows("bilan-liste"), ["111111111", "444444444"]);
    close(t.n("bilan-liste", "PME", "111111111", "axes"), 2.0);
    // By axis: C1 SENSIBILISER|RECRUTER, C3 RECRUTER|ACHETER.
    close(t.n("bilan-axes", "total", "total", "conventions"), 2.0);
    close(t.n("bilan-axes", "dispositif", "PAQTE", "conventions"), 2.0);
    close(
        t.n("bilan-axes", "dispositif", "CHARTE_EQ", "conventions"),
        0.0,
    );
    for (axe, n) in [
        ("SENSIBILISER", 1.0),
        ("FORMER", 0.0),
        ("RECRUTER", 2.0),
        ("ACHETER", 1.0),
    ] {
        close(t.n("bilan-axes", "axe", axe, "conventions"), n);
    }
    // Targets: half the 2019 objectives of C1 and C3. Stages 10/2 = 5, achieved 6 (120 %);
    // recruitments (4 + 3)/2 = 3.5, achieved 2 + 1 = 3 (3/3.5); purchases 10 000.50/2 = 5 000.25,
    // achieved 2 500; alternants: C2 is not active, no target, rate undefined.
    let ind = |group, code, key| t.n("bilan-indicateurs", group, code, key);
    close(ind("SENSIBILISER", "STAGES_3E_REP", "cible"), 5.0);
    close(ind("SENSIBILISER", "STAGES_3E_REP", "realise"), 6.0);
    close(ind("SENSIBILISER", "STAGES_3E_REP", "taux"), 1.2);
    close(ind("RECRUTER", "RECRUTEMENTS_QPV", "cible"), 3.5);
    close(ind("RECRUTER", "RECRUTEMENTS_QPV", "realise"), 3.0);
    close(ind("RECRUTER", "RECRUTEMENTS_QPV", "taux"), 3.0 / 3.5);
    close(ind("ACHETER", "ACHATS_QPV_SIAE_EUROS", "cible"), 5_000.25);
    close(
        ind("ACHETER", "ACHATS_QPV_SIAE_EUROS", "taux"),
        2_500.0 / 5_000.25,
    );
    close(ind("FORMER", "ALTERNANTS_QPV", "cible"), 0.0);
    assert_eq!(
        t.cell("bilan-indicateurs", "FORMER", "ALTERNANTS_QPV", "taux"),
        ""
    );
    // Trend from 2018S1 (C2 starts 1 March 2018): C2 alone in 2018 without objective; 2019S1
    // C1 + C2, 3 indicators with a target (stages 5, recruitments 2, alternants 1), alternants
    // reached (1 >= 1); 2019S2 3 indicators (stages, recruitments, purchases), stages reached.
    assert_eq!(
        t.rows("bilan-tendance"),
        ["2018S1", "2018S2", "2019S1", "2019S2"]
    );
    let trend = |s, key| t.n("bilan-tendance", "semestre", s, key);
    close(trend("2018S1", "entreprises"), 1.0);
    close(trend("2018S2", "indicateurs_suivis"), 0.0);
    close(trend("2019S1", "entreprises"), 2.0);
    close(trend("2019S1", "indicateurs_suivis"), 3.0);
    close(trend("2019S1", "indicateurs_atteints"), 1.0);
    close(trend("2019S2", "indicateurs_suivis"), 3.0);
    close(trend("2019S2", "indicateurs_atteints"), 1.0);
    close(trend("2019S2", "part_atteints"), 1.0 / 3.0);
}

#[test]
fn the_balance_prints_in_every_format() {
    let dir = crafted();
    let args = [
        "paqte",
        "bilan",
        "--departement",
        "44",
        "--semestre",
        "2019S2",
    ];
    let text = dir.run(&args).ok();
    assert!(text.starts_with("Bilan PAQTE 2019S2 de 44 Loire-Atlantique : contexte (le département a rendu compte pour 2019S2)\n"), "{text}");
    assert!(
        text.contains("Stages de 3e offerts aux élèves de REP/REP+"),
        "{text}"
    );
    assert!(text.contains("120 %"), "{text}");
    let md = dir.run(&[&args[..], &["--format", "md"]].concat()).ok();
    assert!(md.starts_with("## Bilan PAQTE 2019S2"), "{md}");
    let json: serde_json::Value =
        serde_json::from_str(&dir.run(&[&args[..], &["--format", "json"]].concat()).ok()).unwrap();
    assert_eq!(json[0]["periode"], "2019S2");
    assert_eq!(json[0]["tableau"], "bilan-contexte");
    assert_eq!(json.as_array().unwrap().len(), 6);
    let xlsx = dir.path().join("bilan.xlsx");
    dir.run(
        &[
            &args[..],
            &["--format", "xlsx", "--out", xlsx.to_str().unwrap()],
        ]
        .concat(),
    )
    .ok();
    use calamine::Reader;
    let book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    assert!(
        book.sheet_names()
            .contains(&"Tableau BILAN-INDICATEURS".to_owned()),
        "{:?}",
        book.sheet_names()
    );
    let out = dir.path().join("bilan.csv");
    dir.run(
        &[
            &args[..],
            &["--format", "csv", "--out", out.to_str().unwrap()],
        ]
        .concat(),
    )
    .ok();
    assert!(std::fs::read_to_string(out)
        .unwrap()
        .starts_with("tableau,group,row,label,"));
    let run = dir.run(&[
        "paqte",
        "bilan",
        "--departement",
        "20",
        "--semestre",
        "2019S2",
    ]);
    assert_eq!(run.code, 1, "{run:?}");
    let run = dir.run(&[
        "paqte",
        "bilan",
        "--departement",
        "44",
        "--semestre",
        "2019T2",
    ]);
    assert_eq!(run.code, 1, "{run:?}");
}

#[test]
fn national_results_by_department_region_and_nation() {
    let dir = crafted();
    let run = dir.run(&["paqte", "national", "--semestre", "2019S2"]).ok();
    // 44 sent realisations and a context for 2019S2; 59 neither.
    assert!(
        run.contains("(1 départements ayant rendu compte sur 2)"),
        "{run}"
    );
    let t = Tables::run(&dir, &["paqte", "national", "--semestre", "2019S2"]);
    let v = |g, r, k| t.n("national-territoires", g, r, k);
    close(v("departement", "44", "departements_rapportant"), 1.0);
    close(v("departement", "44", "entreprises"), 2.0);
    close(v("departement", "44", "defm_qpv"), 5_900.0);
    close(v("departement", "59", "departements_rapportant"), 0.0);
    // 59: C59's 2019 objective 4 (target 2), nothing achieved in 2019S2.
    close(v("departement", "59", "indicateurs_suivis"), 1.0);
    close(v("departement", "59", "indicateurs_atteints"), 0.0);
    close(v("region", "52", "entreprises"), 2.0);
    close(v("region", "32", "conventions"), 1.0);
    assert_eq!(
        t.rows("national-territoires")
            .iter()
            .filter(|r| r.len() == 2 && r.as_str() != "44" && r.as_str() != "59")
            .count(),
        2,
        "two regions"
    );
    // National conventions: N1 (Gamma), 100 recruitments a year, 40 in the semester (< 50).
    close(v("nation", "NATIONAL", "entreprises"), 1.0);
    close(v("nation", "NATIONAL", "indicateurs_atteints"), 0.0);
    // The nation: 4 companies, 4 conventions; stages (5, 6 achieved) reached; recruitments
    // (4 + 3 + 100)/2 = 53.5 vs 43, purchases, alternants (2 vs 0) not: 1 of 4.
    close(v("nation", "total", "departements_rapportant"), 1.0);
    close(v("nation", "total", "entreprises"), 4.0);
    close(v("nation", "total", "conventions"), 4.0);
    close(v("nation", "total", "indicateurs_suivis"), 4.0);
    close(v("nation", "total", "indicateurs_atteints"), 1.0);
    close(
        t.n(
            "national-indicateurs",
            "RECRUTER",
            "RECRUTEMENTS_QPV",
            "cible",
        ),
        53.5,
    );
    close(
        t.n(
            "national-indicateurs",
            "RECRUTER",
            "RECRUTEMENTS_QPV",
            "realise",
        ),
        43.0,
    );
    close(
        t.n("national-entreprises", "taille", "GE", "entreprises"),
        1.0,
    );
}

#[test]
fn the_plan_10000_dashboard_for_2019t4() {
    let dir = crafted();
    let t = Tables::run(&dir, &["plan10000", "--trimestre", "2019T4"]);
    // Alpha joined on 2 April, Beta on 20 November 2019; Delta in 2020. 59 has no club.
    assert_eq!(t.rows("plan10000-departements"), ["44", "total"]);
    let v = |r, k| {
        t.n(
            "plan10000-departements",
            if r == "total" {
                "nation"
            } else {
                "departement"
            },
            r,
            k,
        )
    };
    close(v("44", "clubs"), 1.0);
    close(v("44", "entreprises"), 2.0);
    close(v("44", "cible"), 100.0);
    close(v("44", "taux"), 0.02);
    close(v("44", "actions"), 3.0);
    close(v("total", "cible"), 10_000.0);
    close(v("total", "taux"), 0.0002);
    let a = |theme, k| t.n("plan10000-actions", "thematique", theme, k);
    close(a("1", "objectif"), 10.0);
    close(a("1", "resultat"), 4.0);
    close(a("1", "entreprises"), 1.0);
    close(a("3", "intention"), 2.0);
    close(a("8", "resultat"), 0.0);
    // From the club's quarter (15 March 2019).
    assert_eq!(
        t.rows("plan10000-progression"),
        ["2019T1", "2019T2", "2019T3", "2019T4"]
    );
    let p = |q, k| t.n("plan10000-progression", "trimestre", q, k);
    close(p("2019T1", "clubs"), 1.0);
    close(p("2019T1", "entreprises"), 0.0);
    close(p("2019T2", "nouvelles_entreprises"), 1.0);
    close(p("2019T3", "nouvelles_entreprises"), 0.0);
    close(p("2019T4", "entreprises"), 2.0);
}

#[test]
fn plie_participants_in_qpv_next_to_the_commitments() {
    let dir = crafted();
    let plie = dir.transfer(
        "plie44",
        &[
            ("parcours.csv", "plie,participant,entree,sortie,motif_sortie,sexe,naissance,public,inscrit_pe,th,niveau,inactivite,qpv\nP44,a1,2019-03-01,,,F,1980-05,RSA,1,0,V,,1\nP44,a2,2019-04-01,,,H,1985-05,DELD,1,0,IV,,0\nP44,a3,2018-04-01,2019-02-01,ABANDON,H,1985-05,DELD,1,0,IV,,1\nP44,a4,2019-05-01,,,F,1990-05,RSA,1,0,V,,\n"),
            ("plie.csv", "plie,departement,region,extraction,complet_depuis\nP44,44,Pays de la Loire,2019-12-31,2018-01-01\n"),
        ],
    );
    dir.import(&[&plie]);
    let t = Tables::run(&dir, &["paqte", "plie", "--semestre", "2019S2"]);
    // In parcours in 2019: a1..a4; in a QPV a1 and a3, not a2, unknown a4: 2 of 3 known.
    let v = |d, k| t.n("paqte-plie", "departement", d, k);
    close(v("44", "participants"), 4.0);
    close(v("44", "qpv"), 2.0);
    close(v("44", "qpv_inconnu"), 1.0);
    close(v("44", "part_qpv"), 2.0 / 3.0);
    close(v("44", "entreprises"), 2.0);
    close(v("44", "recrutements_qpv"), 3.0);
    close(v("44", "defm_qpv"), 5_900.0);
    close(v("59", "participants"), 0.0);
    assert_eq!(t.cell("paqte-plie", "departement", "59", "part_qpv"), "");
}

#[test]
fn an_import_is_idempotent_and_replaces_a_department_whole() {
    let dir = Dir::new();
    let a = folder(&dir, "p44", &crafted44());
    let first = dir.import(&[&a]);
    assert!(
        first.contains("department 44: new, 3 conventions, 6 realisations, 3 adhesions"),
        "{first}"
    );
    assert!(
        first.contains("department NATIONAL: new, 1 conventions"),
        "{first}"
    );
    let again = dir.import(&[&a]);
    assert!(again.contains("department 44: unchanged"), "{again}");
    assert!(again.contains("0 companies written"), "{again}");
    // 44 sent again without its club: the club, adhesions and actions are gone.
    let mut files = crafted44();
    files.retain(|(n, _)| !matches!(*n, "clubs.csv" | "adhesions.csv" | "actions.csv"));
    let b = folder(&dir, "p44b", &files);
    assert!(dir.import(&[&b]).contains("department 44: replaced"));
    let t = Tables::run(&dir, &["plan10000", "--trimestre", "2019T4"]);
    assert_eq!(t.rows("plan10000-departements"), ["total"]);
}

#[test]
fn the_generated_corpus_is_deterministic_and_imports_whole() {
    let dir = Dir::new();
    let gen = |name: &str, seed: &str| {
        dir.run(&["generate", "--paqte", "--out", name, "--seed", seed])
            .ok();
        dir.path().join(name)
    };
    let a = gen("a", "7");
    let b = gen("b", "7");
    let c = gen("c", "8");
    let read = |p: &PathBuf| std::fs::read(p.join("44/conventions.csv")).unwrap();
    for d in ["01", "2A", "976", "NATIONAL"] {
        for f in consolide::paqte::FILES {
            assert_eq!(
                std::fs::read(a.join(d).join(f)).unwrap(),
                std::fs::read(b.join(d).join(f)).unwrap(),
                "{d}/{f}"
            );
        }
    }
    assert_ne!(read(&a), read(&c));
    let folders: Vec<PathBuf> = std::fs::read_dir(&a)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(folders.len(), 102);
    let refs: Vec<&std::path::Path> = folders.iter().map(PathBuf::as_path).collect();
    dir.import(&refs);
    let t = Tables::run(&dir, &["paqte", "national", "--semestre", "2020S2"]);
    let companies = t.n("national-territoires", "nation", "total", "entreprises");
    assert!(companies > 1_000.0, "{companies}");
    let p = Tables::run(&dir, &["plan10000", "--trimestre", "2022T4"]);
    let engaged = p.n("plan10000-departements", "nation", "total", "entreprises");
    assert!(
        (8_500.0..=11_500.0).contains(&engaged),
        "about 10 000 companies: {engaged}"
    );
    dir.run(&[
        "paqte",
        "bilan",
        "--departement",
        "2A",
        "--semestre",
        "2020S1",
    ])
    .ok();
    assert!(dir.import(&refs).contains("department 44: unchanged"));
}
