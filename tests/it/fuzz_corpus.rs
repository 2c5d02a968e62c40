//! Replays the committed fuzz inputs (`fuzz/corpus/<target>/`: seeds and the minimised corpus;
//! `fuzz/regressions/<target>/`: every input that once crashed a target) through the entry points
//! the fuzz targets call, so that CI, which has no nightly nor cargo-fuzz, checks that none of them
//! panics again. See docs/fuzzing.md.

use std::path::{Path, PathBuf};

use consolide::fuzzing;

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut all = Vec::new();
    for kind in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(kind).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_file() {
                let bytes = std::fs::read(&path).unwrap();
                all.push((path, bytes));
            }
        }
    }
    all.sort();
    all
}

fn name(path: &Path) -> &str {
    path.file_name().unwrap().to_str().unwrap()
}

/// Runs `f` on every input of `target`, reporting every input that panics (not just the first).
fn replay<T, E>(target: &str, f: impl Fn(&[u8]) -> Result<T, E>) -> Vec<(String, Result<T, E>)> {
    let mut panicked = Vec::new();
    let mut results = Vec::new();
    for (path, bytes) in inputs(target) {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&bytes))) {
            Ok(result) => results.push((name(&path).to_string(), result)),
            Err(_) => panicked.push(path.display().to_string()),
        }
    }
    assert!(panicked.is_empty(), "these inputs panic: {panicked:#?}");
    results
}

#[test]
fn no_transfer_input_panics_and_the_seeds_read_cleanly() {
    let results = replay("transfer", fuzzing::transfer_input);
    assert!(results.len() >= 5, "{} inputs", results.len());
    for (name, result) in &results {
        if name.starts_with("seed-") {
            let transfer = result.as_ref().unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(transfer.is_valid(), "{name}: {:?}", transfer.errors);
            assert!(!transfer.parcours.is_empty(), "{name}");
        }
    }
}

#[test]
fn no_store_input_panics_and_the_seeds_give_every_table() {
    let results = replay("store", fuzzing::open_and_query_store);
    assert!(results.len() >= 3, "{} inputs", results.len());
    for (name, result) in &results {
        if name.starts_with("seed-") && !name.contains("truncated") {
            let tables = result.as_ref().unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(tables.len(), consolide::Tableau::ALL.len(), "{name}");
        }
    }
    let truncated = results
        .iter()
        .find(|(name, _)| name == "seed-store-v1-truncated")
        .expect("the truncated seed");
    assert!(truncated.1.is_err());
}

/// The scheme that cuts one input into the files of a transfer, on the committed seed.
#[test]
fn a_transfer_input_is_cut_into_files() {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/transfer/seed-crafted");
    let bytes = std::fs::read(seed).unwrap();
    let (files, keep) = fuzzing::split_transfer_input(&bytes);
    assert!(!keep);
    let names: Vec<&str> = files.iter().map(|(f, _)| *f).collect();
    assert_eq!(names, ["parcours.csv", "etapes.csv", "plie.csv"]);
    let crafted = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/crafted");
    for (file, bytes) in files {
        assert_eq!(bytes, std::fs::read(crafted.join(file)).unwrap(), "{file}");
    }
}

/// Each store that once crashed a target is refused with an error naming the damage.
#[test]
fn the_store_regressions_are_refused_as_damaged() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/store");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let err = fuzzing::open_and_query_store(&std::fs::read(&path).unwrap())
            .expect_err("a damaged store gives an error");
        let message = err.to_string();
        assert!(
            message.contains("corrupt") || message.contains("not a consolide store"),
            "{}: {message}",
            path.display()
        );
        seen += 1;
    }
    assert!(seen >= 1);
}
