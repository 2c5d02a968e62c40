//! Output for French spreadsheets and files (issue 19): `--format csv-fr` of every table,
//! cross-tab and commitments table, the format taken from `--out`'s extension, `tableau all`
//! written one file per table into a folder.

use crate::paqte::{crafted44, folder};
use crate::util::{csv_rows, Dir};

/// A csv-fr document read back: checks its dialect (BOM, `;`, CRLF) and returns its rows.
#[track_caller]
fn csv_fr_rows(text: &str) -> Vec<Vec<String>> {
    let body = text
        .strip_prefix('\u{FEFF}')
        .unwrap_or_else(|| panic!("no byte-order mark: {text:?}"));
    assert!(body.ends_with("\r\n"), "{body:?}");
    assert!(
        !body.replace("\r\n", "").contains('\n'),
        "every line ends with CRLF: {body:?}"
    );
    csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(b';')
        .from_reader(body.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// A csv-fr number as a float (`61,53846` → 61.53846).
fn fr(cell: &str) -> f64 {
    assert!(
        !cell.contains('.'),
        "a decimal comma, never a point: {cell}"
    );
    cell.replace(',', ".").parse().unwrap()
}

/// Every cell of the csv-fr form of a table is the machine csv's: counts and amounts equal,
/// rates a hundred times the fraction; texts the same.
#[track_caller]
fn same_figures(machine: &[Vec<String>], french: &[Vec<String>], rate_columns: &[&str]) {
    assert_eq!(machine.len(), french.len());
    assert_eq!(machine[0], french[0], "the same header");
    for (m, f) in machine.iter().zip(french).skip(1) {
        for ((key, a), b) in machine[0].iter().zip(m).zip(f) {
            match a.parse::<f64>() {
                Ok(x) if rate_columns.contains(&key.as_str()) => {
                    assert!((fr(b) - 100.0 * x).abs() < 1e-4, "{key}: {a} vs {b}")
                }
                Ok(x) => assert!((fr(b) - x).abs() < 1e-9, "{key}: {a} vs {b}"),
                Err(_) => assert_eq!(a, b, "{key}"),
            }
        }
    }
}

#[test]
fn tableau_1_in_csv_fr_has_the_machine_figures_with_rates_as_percents() {
    let dir = Dir::crafted();
    let args = ["tableau", "1", "--year", "2017", "--format"];
    let machine = dir.run(&[&args[..], &["csv"]].concat()).ok();
    assert!(!machine.starts_with('\u{FEFF}') && !machine.contains('\r'));
    let french = dir.run(&[&args[..], &["csv-fr"]].concat()).ok();
    let rows = csv_fr_rows(&french);
    // The crafted corpus's 2017 total (tests/it/end_to_end.rs): 8 positive exits of 13 exits.
    let total = &rows[1];
    assert_eq!(&total[..4], ["total", "total", "Nombre total", "9"]);
    assert_eq!(total[3..].len(), 11);
    assert_eq!(total.last().unwrap(), "61,53846", "8 / 13 as a percent");
    same_figures(&csv_rows(&machine), &rows, &["taux_sortie_positive"]);
}

#[test]
fn crosstabs_and_every_table_of_tableau_all_in_csv_fr() {
    let dir = Dir::crafted();
    let x = |format: &str| {
        dir.run(&[
            "crosstab",
            "--measure",
            "taux_sorties_positives",
            "--year",
            "2017",
            "--rows",
            "sexe",
            "--format",
            format,
        ])
        .ok()
    };
    let french = csv_fr_rows(&x("csv-fr"));
    // 2017 exits of the crafted corpus: men 4 positive of 7, women 4 of 6.
    assert_eq!(
        french,
        [
            vec!["sexe", "taux_sorties_positives"],
            vec!["H", "57,14286"],
            vec!["F", "66,66667"]
        ]
    );
    same_figures(&csv_rows(&x("csv")), &french, &["taux_sorties_positives"]);

    // `tableau all` into a folder: one file per table, each the table printed alone.
    let out = dir.path().join("consolidation");
    let run = dir.run(&[
        "tableau",
        "all",
        "--year",
        "2017",
        "--format",
        "csv-fr",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "periodes.csv",
            "tableau-1.csv",
            "tableau-10.csv",
            "tableau-1bis.csv",
            "tableau-2.csv",
            "tableau-3.csv",
            "tableau-4.csv",
            "tableau-5.csv",
            "tableau-6.csv",
            "tableau-6bis.csv",
            "tableau-7.csv",
            "tableau-8.csv",
            "tableau-9.csv",
            "taux.csv"
        ]
    );
    assert!(run.stderr.contains("14 files written to"), "{}", run.stderr);
    for (file, table) in [("tableau-1.csv", "1"), ("tableau-3.csv", "3")] {
        let alone = dir
            .run(&["tableau", table, "--year", "2017", "--format", "csv-fr"])
            .ok();
        assert_eq!(std::fs::read_to_string(out.join(file)).unwrap(), alone);
    }
    for name in &names {
        let text = std::fs::read_to_string(out.join(name)).unwrap();
        let rows = csv_fr_rows(&text);
        assert_eq!(&rows[0][..3], ["group", "row", "label"], "{name}");
    }

    // In machine csv, the same folder form with the machine dialect.
    let machine = dir.path().join("machine");
    dir.run(&[
        "tableau",
        "all",
        "--year",
        "2017",
        "--format",
        "csv",
        "--out",
        machine.to_str().unwrap(),
    ])
    .ok();
    let t1 = std::fs::read_to_string(machine.join("tableau-1.csv")).unwrap();
    assert_eq!(
        t1,
        dir.run(&["tableau", "1", "--year", "2017", "--format", "csv"])
            .ok()
    );
}

#[test]
fn commitments_in_csv_fr_keep_their_decimals() {
    let dir = Dir::new();
    let p44 = folder(&dir, "p44", &crafted44());
    dir.import(&[&p44]);
    let args = [
        "paqte",
        "bilan",
        "--departement",
        "44",
        "--semestre",
        "2019S2",
    ];
    let rows = csv_fr_rows(&dir.run(&[&args[..], &["--format", "csv-fr"]].concat()).ok());
    // The 2019 purchase objective of C3 is 10 000,50 euros: 5 000,25 a semester, 2 500 done.
    let achats = rows
        .iter()
        .find(|r| r[0] == "bilan-indicateurs" && r[2] == "ACHATS_QPV_SIAE_EUROS")
        .expect("the purchases line");
    assert_eq!(&achats[4..7], ["5000,25", "2500", "49,9975"]);
    // The text keeps thousands separators on decimals too.
    let text = dir.run(&args).ok();
    assert!(text.contains("5\u{202F}000,25"), "{text}");

    // Each commitments table into its own file.
    let out = dir.path().join("bilan");
    dir.run(
        &[
            &args[..],
            &["--format", "csv-fr", "--out", out.to_str().unwrap()],
        ]
        .concat(),
    )
    .ok();
    let indicateurs = std::fs::read_to_string(out.join("bilan-indicateurs.csv")).unwrap();
    assert!(csv_fr_rows(&indicateurs)
        .iter()
        .any(|r| r[1] == "ACHATS_QPV_SIAE_EUROS" && r[3] == "5000,25"));
}

#[test]
fn the_format_follows_the_extension_of_out() {
    let dir = Dir::crafted();
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    for name in ["t1.xlsx", "t1.csv", "t1.json", "t1.md", "t1.txt"] {
        dir.run(&["tableau", "1", "--year", "2017", "--out", &out(name)])
            .ok();
    }
    let bytes = std::fs::read(out("t1.xlsx")).unwrap();
    assert!(bytes.starts_with(b"PK"), "an xlsx is a zip");
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(out("t1.xlsx")).unwrap();
    let sheet = book.worksheet_range("Tableau 1").unwrap();
    assert_eq!(
        sheet.get_value((7, 1)),
        Some(&calamine::Data::Float(9.0)),
        "9 entrants in 2017"
    );
    let csv = std::fs::read_to_string(out("t1.csv")).unwrap();
    assert_eq!(
        csv,
        dir.run(&["tableau", "1", "--year", "2017", "--format", "csv"])
            .ok()
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out("t1.json")).unwrap()).unwrap();
    assert_eq!(json["rows"][0]["entrees"], 9);
    assert!(std::fs::read_to_string(out("t1.md"))
        .unwrap()
        .starts_with("## Tableau 1"));
    assert!(std::fs::read_to_string(out("t1.txt"))
        .unwrap()
        .starts_with("Tableau 1"));
    // --format wins over the extension.
    dir.run(&[
        "tableau",
        "1",
        "--year",
        "2017",
        "--format",
        "csv-fr",
        "--out",
        &out("t1fr.csv"),
    ])
    .ok();
    assert!(std::fs::read_to_string(out("t1fr.csv"))
        .unwrap()
        .starts_with('\u{FEFF}'));
}

const PARCOURS_HEADER: &str =
    "plie;participant;entree;sortie;motif_sortie;sexe;naissance;public;inscrit_pe;th;niveau;commune";

#[test]
fn a_transfer_saved_by_french_excel_is_told_apart_and_imports_with_its_encoding() {
    let dir = Dir::new();
    let folder = dir.path().join("excel");
    std::fs::create_dir(&folder).unwrap();
    let parcours =
        format!("{PARCOURS_HEADER}\r\nP21;k1;02/03/2017;;;F;1980-05;RSA;oui;non;V;21231\r\n");
    std::fs::write(folder.join("parcours.csv"), parcours).unwrap();
    // "PLIE de la Côte-d'Or" as Excel's "CSV (point-virgule)" writes it: ô is the byte 0xF4.
    let mut plie = b"plie;nom;departement\r\nP21;PLIE de la C".to_vec();
    plie.push(0xF4);
    plie.extend_from_slice(b"te-d'Or;21\r\n");
    std::fs::write(folder.join("plie.csv"), plie).unwrap();
    let f = folder.to_str().unwrap();

    let run = dir.run(&["import", f]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("read as Windows-1252 it is \"PLIE de la Côte-d'Or\"")
            && run.stderr.contains("--encoding windows-1252"),
        "{}",
        run.stderr
    );
    assert!(!dir.db().exists(), "nothing was written");

    dir.run(&["import", f, "--encoding", "windows-1252"]).ok();
    let plies = dir.run(&["dimensions", "plie", "--format", "csv"]).ok();
    assert!(plies.contains("PLIE de la Côte-d'Or"), "{plies}");
}

#[test]
fn spreadsheet_damage_is_named_with_its_cure() {
    let dir = Dir::new();
    let rows = [
        // A commune that lost its leading zero, a date turned into a day number, a key in
        // scientific notation.
        "P01;k1;2017-03-02;;;F;1980-05;RSA;1;0;V;1004",
        "P01;k2;42795;;;F;1980-05;RSA;1;0;V;01004",
        "P01;1,5E+12;2017-03-02;;;F;1980-05;RSA;1;0;V;01004",
    ];
    let folder = dir.transfer(
        "damaged",
        &[
            (
                "parcours.csv",
                &format!("{PARCOURS_HEADER}\n{}\n", rows.join("\n")),
            ),
            ("plie.csv", "plie;departement\nP01;1\n"),
        ],
    );
    let run = dir.run(&["import", folder.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{run:?}");
    for expected in [
        "parcours.csv:2:12 (commune): \"1004\" is not an INSEE commune code (5 digits): its leading zero was probably lost",
        "write 01004",
        "parcours.csv:3:3 (entree): \"42795\" is not a date but a spreadsheet's day number (it stands for 2017-03-01)",
        "parcours.csv:4:2 (participant): the key is a number in scientific notation",
        "plie.csv:2:2 (departement): \"1\" is not the INSEE code of a department (two digits): its leading zero was probably lost",
    ] {
        assert!(run.stderr.contains(expected), "{expected}\n{}", run.stderr);
    }
    assert!(!run.stderr.contains("1,5E+12"), "a key is never repeated");
}

#[test]
fn an_import_with_rejects_ends_with_the_share_of_parcours_refused() {
    let dir = Dir::new();
    let good = "P01;k{};2017-03-02;;;F;1980-05;RSA;1;0;V;01004";
    let mut rows: Vec<String> = (0..4).map(|i| good.replace("{}", &i.to_string())).collect();
    rows.push(
        good.replace("{}", "bad")
            .replace("2017-03-02", "2017-02-30"),
    );
    let folder = dir.transfer(
        "t",
        &[(
            "parcours.csv",
            &format!("{PARCOURS_HEADER}\n{}\n", rows.join("\n")),
        )],
    );
    let rejects = dir.path().join("rejets");
    let run = dir.run(&[
        "import",
        folder.to_str().unwrap(),
        "--rejects",
        rejects.to_str().unwrap(),
        "--max-rejected",
        "100",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let last = run.stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("warning: 20 % des parcours refusés (1 sur 5) dans "),
        "{}",
        run.stderr
    );
}
