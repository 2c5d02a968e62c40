//! `consolide generate`: deterministic files, and the same corpus whether written as a transfer
//! and imported, or written straight into a store.

use crate::util::Dir;

fn files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn same_seed_same_bytes_and_the_store_route_equals_the_csv_route() {
    let dir = Dir::new();
    let generate = |out: &str, seed: &str| {
        dir.run(&["generate", "--out", out, "--scale", "0.03", "--seed", seed])
            .ok()
    };
    generate("a", "7");
    generate("b", "7");
    generate("c", "8");
    let (a, b, c) = (
        files(&dir.path().join("a")),
        files(&dir.path().join("b")),
        files(&dir.path().join("c")),
    );
    let names: Vec<&str> = a.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "activite.csv",
            "allocations.csv",
            "etapes.csv",
            "financements.csv",
            "parcours.csv",
            "plie.csv"
        ]
    );
    assert!(
        a == b,
        "the same seed and options give byte-identical files"
    );
    assert!(a != c, "another seed gives another corpus");

    // The folder imports cleanly, and gives the same tables as generating into a store.
    dir.import(&[&dir.path().join("a")]);
    let tableau = |d: &Dir| {
        d.run(&["tableau", "1", "--years", "2014..2017", "--format", "csv"])
            .ok()
    };
    let imported = tableau(&dir);
    let direct = Dir::new();
    direct
        .run(&["generate", "--scale", "0.03", "--seed", "7"])
        .ok();
    assert_eq!(tableau(&direct), imported);
    let by_plie = |d: &Dir| {
        d.run(&[
            "crosstab",
            "--measure",
            "parcours_distincts",
            "--years",
            "2014..2017",
            "--rows",
            "region",
            "--cols",
            "sexe",
            "--format",
            "csv",
        ])
        .ok()
    };
    assert_eq!(by_plie(&direct), by_plie(&dir));
}

#[test]
fn generate_refuses_bad_options() {
    let dir = Dir::new();
    for args in [
        &["generate", "--out", "x", "--scale=-1"][..],
        &["generate", "--out", "x", "--seed", "abc"],
        &["generate", "--out", "x", "--from", "2018", "--to", "2017"],
    ] {
        let run = dir.run(args);
        assert_eq!(run.code, 1, "{args:?}: {run:?}");
        assert!(run.stderr.starts_with("error: "), "{run:?}");
    }
}
