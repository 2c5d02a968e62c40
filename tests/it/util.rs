//! Runs the real `consolide` binary in a temporary directory, with real transfer folders on disk.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A scratch directory with a store path, where transfer folders are written and the CLI runs.
pub struct Dir {
    pub root: tempfile::TempDir,
}

/// What a command printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(out: Output) -> Run {
        Run {
            code: out
                .status
                .code()
                .expect("the binary exited, it was not killed"),
            stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
            stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
        }
    }

    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(self) -> String {
        assert_eq!(
            self.code, 0,
            "stderr:\n{}\nstdout:\n{}",
            self.stderr, self.stdout
        );
        self.stdout
    }
}

impl Dir {
    pub fn new() -> Dir {
        Dir {
            root: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.root.path()
    }

    /// The store file every command of this directory uses.
    pub fn db(&self) -> PathBuf {
        self.path().join("store.redb")
    }

    /// Writes `files` (name, content) into the transfer folder `name` and returns its path.
    pub fn transfer(&self, name: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir = self.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        for (file, content) in files {
            std::fs::write(dir.join(file), content).unwrap();
        }
        dir
    }

    /// A directory whose store holds the crafted corpus (both of its transfer folders).
    pub fn crafted() -> Dir {
        let dir = Dir::new();
        let a = dir.fixture("crafted");
        let b = dir.fixture("crafted-59");
        dir.import(&[&a, &b]);
        dir
    }

    /// Copies a folder of `tests/data` into this directory.
    pub fn fixture(&self, name: &str) -> PathBuf {
        let from = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name);
        let to = self.path().join(name);
        std::fs::create_dir_all(&to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
        to
    }

    /// Runs `consolide --db <store> args...` in this directory.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_consolide"));
        cmd.current_dir(self.path())
            .env_remove("CONSOLIDE_DB")
            .arg("--db")
            .arg(self.db());
        cmd.args(args);
        Run::from(cmd.output().expect("the binary runs"))
    }

    /// Imports the path and asserts success.
    #[track_caller]
    pub fn import(&self, folders: &[&Path]) -> String {
        let mut args = vec!["import".to_owned()];
        args.extend(folders.iter().map(|f| f.display().to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.run(&args).ok()
    }
}

/// Parses csv output into rows of strings (header first).
pub fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// The calibrated national corpus (scale 1, seed 1, 2014-2017) generated once per test run
/// straight into a store, shared read-only by the tests that compare tables with the published
/// figures.
pub fn national() -> &'static Dir {
    static NATIONAL: std::sync::OnceLock<Dir> = std::sync::OnceLock::new();
    NATIONAL.get_or_init(|| {
        let dir = Dir::new();
        dir.run(&["generate", "--scale", "1", "--seed", "1"]).ok();
        dir
    })
}

/// A table printed by `consolide tableau ... --format csv`, read back: the header (`group`, `row`,
/// `label`, then one key per column) and the lines, each a (group, row) pair of codes, a label
/// and one cell per column.
pub struct TableCsv {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// One line of a [`TableCsv`], whose cells are read by column key; it derefs to its cells.
#[derive(Clone, Copy)]
pub struct Line<'a> {
    header: &'a [String],
    cells: &'a [String],
}

impl TableCsv {
    /// Reads csv text, header first.
    pub fn parse(text: &str) -> TableCsv {
        let mut rows = csv_rows(text);
        assert!(!rows.is_empty(), "no header in the csv:\n{text}");
        let header = rows.remove(0);
        TableCsv { header, rows }
    }

    /// Runs `consolide --db <store> args... --format csv` in `dir`, asserts success and reads
    /// what it printed.
    #[track_caller]
    pub fn run(dir: &Dir, args: &[&str]) -> TableCsv {
        let args = [args, &["--format", "csv"]].concat();
        TableCsv::parse(&dir.run(&args).ok())
    }

    /// [`TableCsv::run`] of `tableau args...`.
    #[track_caller]
    pub fn tableau(dir: &Dir, args: &[&str]) -> TableCsv {
        TableCsv::run(dir, &[&["tableau"], args].concat())
    }

    /// The column keys, after `group,row,label`.
    pub fn keys(&self) -> &[String] {
        &self.header[3..]
    }

    /// The lines' (group, row) codes, in order.
    pub fn lines(&self) -> Vec<(String, String)> {
        self.rows
            .iter()
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect()
    }

    /// The lines' row codes, in order.
    pub fn codes(&self) -> Vec<&str> {
        self.rows.iter().map(|r| r[1].as_str()).collect()
    }

    /// The position of the column `key` in the header (and in every line).
    #[track_caller]
    pub fn column(&self, key: &str) -> usize {
        column(&self.header, key)
    }

    fn line<'a>(&'a self, cells: &'a [String]) -> Line<'a> {
        Line {
            header: &self.header,
            cells,
        }
    }

    /// The lines of `group`, in order.
    pub fn group(&self, group: &str) -> Vec<&[String]> {
        self.rows
            .iter()
            .filter(|r| r[0] == group)
            .map(Vec::as_slice)
            .collect()
    }

    /// The line (group, row).
    #[track_caller]
    pub fn row(&self, group: &str, row: &str) -> Line<'_> {
        let cells = self
            .rows
            .iter()
            .find(|r| r[0] == group && r[1] == row)
            .unwrap_or_else(|| panic!("no line {group},{row}"));
        self.line(cells)
    }

    /// The only line whose row code is `row`, whatever its group: for the tables whose row codes
    /// are unique (Tableaux 2, 4 and 5).
    #[track_caller]
    pub fn coded(&self, row: &str) -> Line<'_> {
        let mut found = self.rows.iter().filter(|r| r[1] == row);
        let cells = found.next().unwrap_or_else(|| panic!("no line {row}"));
        assert!(found.next().is_none(), "more than one line {row}");
        self.line(cells)
    }

    /// The cell of (group, row) in the column `key`, as printed (empty when undefined).
    #[track_caller]
    pub fn cell(&self, group: &str, row: &str, key: &str) -> &str {
        self.row(group, row).cell(key)
    }

    /// The cell of (group, row) in the column `key` as a number, `None` when empty (undefined).
    #[track_caller]
    pub fn number(&self, group: &str, row: &str, key: &str) -> Option<f64> {
        self.row(group, row).number(key)
    }

    /// The cell of (group, row) in the column `key` as a count; panics when empty.
    #[track_caller]
    pub fn count(&self, group: &str, row: &str, key: &str) -> u64 {
        self.row(group, row).count(key)
    }
}

/// The position of the column `key` in `header`.
#[track_caller]
fn column(header: &[String], key: &str) -> usize {
    header
        .iter()
        .position(|h| h == key)
        .unwrap_or_else(|| panic!("no column {key} in {header:?}"))
}

impl<'a> Line<'a> {
    /// The cell in the column `key`, as printed (empty when undefined).
    #[track_caller]
    pub fn cell(&self, key: &str) -> &'a str {
        &self.cells[column(self.header, key)]
    }

    /// The cell in the column `key` as a number, `None` when empty (undefined).
    #[track_caller]
    pub fn number(&self, key: &str) -> Option<f64> {
        let cell = self.cell(key);
        (!cell.is_empty()).then(|| {
            cell.parse().unwrap_or_else(|_| {
                panic!(
                    "{} {} {key}: {cell:?} is not a number",
                    self.cells[0], self.cells[1]
                )
            })
        })
    }

    /// The cell in the column `key` as a count; panics when empty.
    #[track_caller]
    pub fn count(&self, key: &str) -> u64 {
        self.number(key).expect("a count") as u64
    }
}

impl std::ops::Deref for Line<'_> {
    type Target = [String];

    fn deref(&self) -> &[String] {
        self.cells
    }
}

/// Runs `consolide --db <store> args... --format json` in `dir`, asserts success and parses what
/// it printed.
#[track_caller]
pub fn json(dir: &Dir, args: &[&str]) -> serde_json::Value {
    let args = [args, &["--format", "json"]].concat();
    serde_json::from_str(&dir.run(&args).ok()).expect("json")
}

/// The row (group, row) of a table printed in json.
#[track_caller]
pub fn json_row<'a>(v: &'a serde_json::Value, group: &str, row: &str) -> &'a serde_json::Value {
    v["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["group"] == group && r["row"] == row)
        .unwrap_or_else(|| panic!("no json row {group},{row}"))
}

/// A file of `data/reference` (the published tables) parsed into rows of strings (header first).
pub fn reference(name: &str) -> Vec<Vec<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/reference")
        .join(name);
    csv_rows(&std::fs::read_to_string(path).expect("reference file"))
}

impl Dir {
    /// Runs the example program `name` (built by `cargo test` beside the test binary) with
    /// `--db <store>` and `args`, in this directory.
    pub fn example(&self, name: &str, args: &[&str]) -> Run {
        let mut cmd = Command::new(example_program(name));
        cmd.current_dir(self.path()).arg("--db").arg(self.db());
        cmd.args(args);
        Run::from(cmd.output().expect("the example runs"))
    }
}

/// The example program `name`, built by `cargo test` beside the test binary (before a run
/// restricted with `--test it`, `cargo build --release --examples` builds them).
#[track_caller]
pub fn example_program(name: &str) -> PathBuf {
    // The test binary is target/<profile>/deps/it-<hash>; examples are target/<profile>/examples.
    let exe = std::env::current_exe().expect("the test binary's path");
    let examples = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>")
        .join("examples");
    let program = examples.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        program.exists(),
        "{} is not built (cargo test builds the examples)",
        program.display()
    );
    program
}

/// The proptest configuration of `cases` cases for the property tests: the random seed is
/// `PROPTEST_RNG_SEED` when set, else drawn anew for each run, and printed. libtest shows a test's
/// output only when it fails, so a failing property names the seed that replays it
/// (`PROPTEST_RNG_SEED=<seed> cargo test --release --test it <name>`); proptest also adds the
/// failing case to `tests/proptest-regressions/`, which is committed and replayed first.
pub fn seeded(cases: u32) -> proptest::test_runner::Config {
    use proptest::test_runner::{Config, RngSeed};
    use std::hash::{BuildHasher, Hasher};
    let mut config = Config {
        cases,
        ..Config::default()
    };
    let seed = match config.rng_seed {
        RngSeed::Fixed(seed) => seed,
        RngSeed::Random => std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish(),
    };
    config.rng_seed = RngSeed::Fixed(seed);
    eprintln!("proptest seed {seed}: replay with PROPTEST_RNG_SEED={seed}");
    config
}
