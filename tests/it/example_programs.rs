//! The example programs that are not analyses, run: `examples/tableau1.rs` (a host program),
//! `examples/synth_check.rs` (the generator's calibration bench) and `examples/readme.rs`, the
//! README's "library in ten lines", which must stay identical to the README's block.

use std::process::Command;

use consolide::{Corpus, Filter, Measure, Period, Store, Value};

use crate::util::{example_program, Dir, TableCsv};

/// `tableau1 DB YEAR` prints the same csv as `consolide tableau 1 --year YEAR --format csv`, and
/// says on stderr how many parcours were en parcours and in how many PLIE.
#[test]
fn the_tableau1_host_program_prints_what_the_cli_prints() {
    let dir = Dir::crafted();
    let out = Command::new(example_program("tableau1"))
        .arg(dir.db())
        .arg("2017")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let cli = dir
        .run(&["tableau", "1", "--year", "2017", "--format", "csv"])
        .ok();
    assert_eq!(stdout, cli);
    let t = TableCsv::parse(&cli);
    let plies = Corpus::load(&Store::open(&dir.db()).unwrap())
        .unwrap()
        .tableau1(Period::year(2017), &Filter::none())
        .unwrap()
        .plies;
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "{} parcours en parcours in 2017, {plies} PLIE\n",
            t.count("total", "total", "en_parcours")
        )
    );
}

/// `synth_check DIR SCALE SEED` generates a corpus into DIR and measures it from the CSV files:
/// its yearly totals and the 2017 count still in parcours at the end of the year equal what the
/// engine computes from the same files.
#[test]
fn the_calibration_bench_measures_the_generated_files_as_the_engine_does() {
    let dir = Dir::new();
    let out_dir = dir.path().join("synth");
    let out = Command::new(example_program("synth_check"))
        .arg(&out_dir)
        .arg("0.02")
        .arg("3")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for heading in [
        "Tableau 1 2017: row |",
        "rows out of tolerance: ",
        "taux out of tolerance: ",
        "Tableau 3: sorties categorie",
    ] {
        assert!(stdout.contains(heading), "no {heading:?} in\n{stdout}");
    }

    dir.import(&[&out_dir]);
    let corpus = Corpus::load(&Store::open(&dir.db()).unwrap()).unwrap();
    let total = |year: i32, measure: Measure| match corpus
        .tableau1(Period::year(year), &Filter::none())
        .unwrap()
        .total()
        .get(measure)
    {
        Value::Count(n) => n.to_string(),
        other => panic!("{other:?}"),
    };
    // "2017: entrees REF vs GEN (+x%), sp REF vs GEN, se REF vs GEN, sss REF vs GEN, report GEN"
    let mut years = 0;
    for line in stdout.lines() {
        let Some((year, rest)) = line.split_once(": entrees ") else {
            continue;
        };
        let year: i32 = year.parse().unwrap();
        let generated = |after: &str| {
            let field = rest.split(after).nth(1).unwrap_or_else(|| panic!("{line}"));
            field
                .split([' ', ','])
                .nth(if after == "report " { 0 } else { 2 })
                .unwrap()
                .to_owned()
        };
        let first = rest.split(' ').nth(2).unwrap().to_owned();
        assert_eq!(first, total(year, Measure::Entrees), "{line}");
        assert_eq!(
            generated("sp "),
            total(year, Measure::SortiesPositives),
            "{line}"
        );
        assert_eq!(
            generated("se "),
            total(year, Measure::SortiesEmploi),
            "{line}"
        );
        assert_eq!(
            generated("sss "),
            total(year, Measure::SortiesSansSuite),
            "{line}"
        );
        assert_eq!(generated("report "), total(year, Measure::Report), "{line}");
        years += 1;
    }
    assert_eq!(years, 4, "the yearly totals 2014..2017 in\n{stdout}");
    let open_end = stdout
        .lines()
        .find_map(|l| l.split_once("en cours fin 2017 "))
        .and_then(|(_, rest)| rest.split(' ').next())
        .unwrap_or_else(|| panic!("no en cours fin 2017 in\n{stdout}"));
    assert_eq!(open_end, total(2017, Measure::EnCoursFin));
}

/// The README's "library in ten lines" is `examples/readme.rs`, word for word, and runs: on the
/// crafted transfer put where it looks (`transfers/plie44`), it prints its three lines and writes
/// the workbook.
#[test]
fn the_readme_library_example_is_the_readme_block_and_runs() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let example = std::fs::read_to_string(root.join("examples/readme.rs")).unwrap();
    let block = readme
        .split_once("## The library in ten lines\n```rust\n")
        .and_then(|(_, rest)| rest.split_once("```\n"))
        .map(|(block, _)| block)
        .expect("the README's block");
    assert_eq!(
        block, example,
        "README.md's \"library in ten lines\" and examples/readme.rs differ: keep them identical"
    );

    let dir = Dir::new();
    let crafted = dir.fixture("crafted");
    std::fs::create_dir(dir.path().join("transfers")).unwrap();
    std::fs::rename(crafted, dir.path().join("transfers/plie44")).unwrap();
    let out = Command::new(example_program("readme"))
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(lines[0].contains(" en parcours, Rate(Some("), "{stdout}");
    assert!(lines[1].contains(" abandons "), "{stdout}");
    assert!(lines[2].ends_with(" étapes par participant"), "{stdout}");
    assert!(dir.path().join("consolide.redb").is_file());
    assert!(dir.path().join("consolidation-2017.xlsx").is_file());
}
