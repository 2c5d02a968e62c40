//! The command line's small frictions (issue 19): a folder of transfer folders imports each, a
//! re-import of many PLIE says what changed in a few lines, the workbook's summary links to its
//! sheets.

use std::io::Read;

use crate::util::{csv_rows, Dir};

#[test]
fn a_folder_of_transfer_folders_imports_each() {
    let dir = Dir::new();
    let corpus = dir.path().join("transfers");
    std::fs::create_dir(&corpus).unwrap();
    let a = dir.fixture("crafted");
    let b = dir.fixture("crafted-59");
    std::fs::rename(&a, corpus.join("crafted")).unwrap();
    std::fs::rename(&b, corpus.join("crafted-59")).unwrap();
    // A stray file beside them changes nothing.
    std::fs::write(corpus.join("LISEZMOI.txt"), "transferts de mars").unwrap();
    let run = dir.run(&["import", corpus.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr
            .contains("transfers holds 2 transfer folders: importing each"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("PLIE P44A: new, 17 parcours"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("PLIE P59B: new, 14 parcours"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("total: 2 PLIE (2 new, 0 replaced, 0 unchanged), 31 parcours, 4 étapes\n"),
        "{}",
        run.stdout
    );
    let status = csv_rows(&dir.run(&["status", "--format", "csv"]).ok());
    let plies: Vec<&str> = status[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(plies, ["P44A", "P59B"]);

    // The commitments' folders likewise.
    let commitments = dir.path().join("engagements");
    std::fs::create_dir(&commitments).unwrap();
    crate::paqte::folder(&dir, "engagements/p44", &crate::paqte::crafted44());
    let run = dir.run(&["import", commitments.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("department 44: new"), "{}", run.stdout);

    // A folder with neither transfer files nor transfer folders is refused as before.
    let empty = dir.path().join("vide");
    std::fs::create_dir(&empty).unwrap();
    let run = dir.run(&["import", empty.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{run:?}");
}

#[test]
fn a_re_import_of_many_plie_prints_what_changed_and_one_total() {
    let dir = Dir::new();
    dir.run(&[
        "generate", "--out", "national", "--scale", "0.02", "--seed", "3", "--plie", "14",
    ])
    .ok();
    let national = dir.path().join("national");
    let first = dir.import(&[&national]);
    let status = csv_rows(&dir.run(&["status", "--format", "csv"]).ok());
    let plies = status.len() - 1;
    assert!(plies > 10, "{plies} PLIE: more than the detailed listing");
    let parcours: u64 = status[1..]
        .iter()
        .map(|r| r[3].parse::<u64>().unwrap())
        .sum();
    let etapes: u64 = status[1..]
        .iter()
        .map(|r| r[4].parse::<u64>().unwrap())
        .sum();
    assert!(
        first.contains(&format!(
            "total: {plies} PLIE ({plies} new, 0 replaced, 0 unchanged), {parcours} parcours, {etapes} étapes\n"
        )),
        "{first}"
    );
    // The files' totals, without a line per PLIE (none had refused rows).
    assert!(!first.contains("\n              P"), "{first}");

    let again = dir.import(&[&national]);
    assert!(
        again.ends_with(&format!(
            "total: {plies} PLIE (0 new, 0 replaced, {plies} unchanged), {parcours} parcours, {etapes} étapes; nothing written\n"
        )),
        "{again}"
    );
    assert!(!again.contains(": unchanged"), "{again}");
    // One header, one rule, six files, the transfer line and the total.
    assert_eq!(again.lines().count(), 10, "{again}");

    // One PLIE changed: only it is named.
    let changed = &status[1][0];
    let parcours_csv = national.join("parcours.csv");
    let text = std::fs::read_to_string(&parcours_csv).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let last = lines
        .iter()
        .rposition(|l| l.starts_with(&format!("{changed},")))
        .expect("a parcours of the first PLIE");
    let removed = lines.remove(last).to_owned();
    let etapes_csv = national.join("etapes.csv");
    let participant = removed.split(',').nth(1).unwrap();
    let etapes_text = std::fs::read_to_string(&etapes_csv).unwrap();
    let header = csv_rows(&etapes_text)[0].clone();
    let p = header.iter().position(|h| h == "participant").unwrap();
    let e = header.iter().position(|h| h == "entree").unwrap();
    let entree = removed.split(',').nth(2).unwrap();
    let kept: Vec<&str> = etapes_text
        .lines()
        .filter(|l| {
            let f: Vec<&str> = l.split(',').collect();
            !(f[0] == changed && f[p] == participant && f[e] == entree)
        })
        .collect();
    std::fs::write(&etapes_csv, kept.join("\n") + "\n").unwrap();
    std::fs::write(&parcours_csv, lines.join("\n") + "\n").unwrap();
    let third = dir.import(&[&national]);
    let named: Vec<&str> = third.lines().filter(|l| l.starts_with("PLIE ")).collect();
    assert_eq!(named.len(), 1, "{third}");
    assert!(
        named[0].starts_with(&format!("PLIE {changed}: replaced, ")),
        "{third}"
    );
    assert!(
        third.contains(&format!(
            "total: {plies} PLIE (0 new, 1 replaced, {} unchanged), {} parcours",
            plies - 1,
            parcours - 1
        )),
        "{third}"
    );
}

#[test]
fn the_workbooks_summary_links_to_each_sheet() {
    let dir = Dir::crafted();
    let out = dir.path().join("consolidation-2017.xlsx");
    dir.run(&[
        "tableau",
        "all",
        "--year",
        "2017",
        "--out",
        out.to_str().unwrap(),
    ])
    .ok();
    use calamine::Reader;
    let book: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
    let sheets = book.sheet_names();
    assert_eq!(sheets[0], "Sommaire");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let mut summary = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut summary)
        .unwrap();
    for (i, sheet) in sheets[1..].iter().enumerate() {
        let link = format!("ref=\"A{}\" location=\"'{sheet}'!A1\"", 5 + i);
        assert!(summary.contains(&link), "{link} in {summary}");
    }
    assert_eq!(sheets.len(), 15, "{sheets:?}");
}

#[test]
fn the_qpv_example_aligns_its_columns_and_separates_thousands() {
    let dir = crate::util::national();
    let text = dir
        .example("qpv", &["--year", "2017", "--par", "region"])
        .ok();
    let lines: Vec<&str> = text.lines().skip(2).collect();
    let header = lines[0];
    assert!(header.starts_with("region"), "{text}");
    // Every line ends where the header ends (the last column is right-aligned), and each header
    // ends where its column's figures end.
    let width = |l: &str| l.chars().count();
    for line in &lines[1..] {
        assert_eq!(width(line), width(header), "{line:?} in\n{text}");
    }
    for name in [
        "participants",
        "part QPV",
        "QPV inconnu",
        "taux SP QPV",
        "taux SP hors QPV",
    ] {
        let end = header.find(name).unwrap() + name.len();
        let end = header[..end].chars().count();
        for line in &lines[2..] {
            let chars: Vec<char> = line.chars().collect();
            assert!(
                chars[end - 1] != ' ',
                "{name} column ends at {end} in {line:?}"
            );
            assert!(chars.get(end).is_none_or(|c| *c == ' '), "{line:?}");
        }
    }
    // The nation's participants: all those in parcours in 2017, whether in a QPV or not, with
    // French thousands separators.
    let by_qpv = csv_rows(
        &dir.run(&[
            "crosstab",
            "--measure",
            "parcours_distincts",
            "--year",
            "2017",
            "--rows",
            "qpv",
            "--format",
            "csv",
        ])
        .ok(),
    );
    let participants: u64 = by_qpv[1..]
        .iter()
        .map(|r| r[1].parse::<u64>().unwrap())
        .sum();
    assert!(participants > 1000);
    let ensemble = lines.iter().find(|l| l.starts_with("ensemble")).unwrap();
    let spaced = consolide::render::thousands(participants);
    assert!(
        ensemble.contains(&format!(" {spaced} ")),
        "{spaced} in {ensemble:?}"
    );
}
