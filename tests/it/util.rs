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
