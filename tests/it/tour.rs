//! The README's tour runs as written (issue 19): after `demo`, every command of its command-line
//! tour and of its commitments example, read from README.md, run in order by `sh` in a fresh
//! folder with the built `consolide` first on the PATH; each must succeed. The figures the
//! README states of the demo corpus are those of the store.

use std::path::Path;
use std::process::Command;

use crate::util::Dir;

/// The command lines of the first code block after `heading` in the README (`\` continuations
/// joined).
fn block(readme: &str, heading: &str) -> Vec<String> {
    let from = readme
        .find(heading)
        .unwrap_or_else(|| panic!("{heading} in README.md"));
    let rest = &readme[from..];
    let open = rest.find("```").expect("a code block");
    let body = &rest[open..];
    let body = &body[body.find('\n').unwrap() + 1..];
    let body = &body[..body.find("```").expect("a closed code block")];
    let mut lines = Vec::new();
    let mut pending = String::new();
    for line in body.lines() {
        match line.trim_end().strip_suffix('\\') {
            Some(start) => pending.push_str(start),
            None => {
                pending.push_str(line);
                if !pending.trim().is_empty() {
                    lines.push(std::mem::take(&mut pending));
                }
            }
        }
    }
    lines
}

fn sh(dir: &Path, line: &str) -> std::process::Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_consolide")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("sh")
        .arg("-c")
        .arg(line)
        .current_dir(dir)
        .env("PATH", path)
        .env_remove("CONSOLIDE_DB")
        .output()
        .expect("sh runs")
}

#[test]
fn every_command_of_the_readme_tour_runs_as_written_after_demo() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let dir = Dir::new();
    let root = dir.path();
    let demo = sh(root, "consolide demo");
    assert!(demo.status.success(), "{demo:?}");

    // What the README says of the demo corpus.
    let status = sh(root, "consolide status --format json");
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    let plies = status["plie"].as_array().unwrap();
    let with_parcours = plies.iter().filter(|p| p["parcours"] != "0").count();
    let etapes: u64 = plies
        .iter()
        .map(|p| p["etapes"].as_str().unwrap().parse::<u64>().unwrap())
        .sum();
    let spaced = |n: u64| {
        let digits = n.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(' ');
            }
            out.push(c);
        }
        out
    };
    let claim = format!(
        "({} PLIE, {with_parcours} of them with\nparcours: {} parcours from 2000 to 2017 and {} étapes",
        plies.len(),
        spaced(status["parcours"].as_u64().unwrap()),
        spaced(etapes)
    );
    assert!(readme.contains(&claim), "README.md should say {claim:?}");

    let tour = block(&readme, "## A tour of the command line");
    let commitments = block(&readme, "## Company commitments");
    assert!(tour.len() >= 20, "{tour:?}");
    assert!(tour
        .iter()
        .all(|l| l.starts_with("consolide ") || l.starts_with("cp ")));
    for line in tour.iter().chain(&commitments) {
        let out = sh(root, line);
        assert!(
            out.status.success(),
            "{line}\nexit {:?}\nstderr:\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // What the tour says it makes is there.
    for path in [
        "transfers/P44-01/parcours.csv",
        "transfers/P59-01/etapes.csv",
        "rejets/bad/parcours.csv",
        "consolide-x3.redb",
        "t1-idf.csv",
        "consolidation-2017.xlsx",
        "consolidation-2017/tableau-1.csv",
        "consolidation-2017/periodes.csv",
        "rapport-2017.html",
        "rapport-bretagne-2017.html",
        "export/parcours/plie=P44-01/part-0.parquet",
        "corpus/NATIONAL",
    ] {
        assert!(root.join(path).exists(), "{path}");
    }
    // The damaged copy's one bad line was refused and kept; the others imported.
    let rejected = std::fs::read_to_string(root.join("rejets/bad/parcours.csv")).unwrap();
    assert!(rejected.ends_with("P44-01,x1,2017-02-30\n"), "{rejected}");
    assert_eq!(
        rejected.lines().count(),
        2,
        "the header and the refused row"
    );
    // Re-importing the demo's own transfers changes nothing: each PLIE unchanged.
    let again = sh(root, "consolide import transfers/P44-01");
    let again = String::from_utf8(again.stdout).unwrap();
    assert!(again.contains("PLIE P44-01: unchanged"), "{again}");
    // The filter spelled without accents selects Île-de-France.
    let idf = std::fs::read_to_string(root.join("t1-idf.csv")).unwrap();
    let exact = sh(
        root,
        "consolide tableau 1 --year 2017 --filter region=Île-de-France --format csv-fr",
    );
    assert_eq!(idf.as_bytes(), exact.stdout);
}
