//! The checks of `.ci/run` that need a tool the machine may lack (Chromium for the report, DuckDB
//! for the SQL) skip, saying so, outside CI, and fail in CI (`CI` set): each script is run from a
//! copy of the repository's scripts with a `PATH` that offers neither the tool nor a way to
//! install it, with and without `CI`.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::Dir;

/// bash, found on this process's `PATH` (the scripts run with a `PATH` of their own).
fn bash() -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join("bash"))
        .find(|p| p.is_file())
        .expect("bash on PATH")
}

/// Copies `script` and `tests/ci-skip.sh` into `dir` at the same relative paths, and gives
/// `dir/bin` the one program they call before deciding to skip (`dirname`), nothing else.
fn sandbox(dir: &Dir, script: &str) -> PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for file in [script, "tests/ci-skip.sh"] {
        let to = dir.path().join(file);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(repo.join(file), to).unwrap();
    }
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let dirname = ["/usr/bin/dirname", "/bin/dirname"]
        .into_iter()
        .find(|p| Path::new(p).is_file())
        .expect("dirname");
    std::os::unix::fs::symlink(dirname, bin.join("dirname")).unwrap();
    dir.path().join(script)
}

/// Runs `script` of the sandbox with `CI` set to `ci` (or unset) and `CHROMIUM` pointing nowhere.
fn run(dir: &Dir, script: &Path, ci: Option<&str>) -> (Option<i32>, String, String) {
    let mut cmd = Command::new(bash());
    cmd.arg(script)
        .env_clear()
        .env("PATH", dir.path().join("bin"))
        .env("CHROMIUM", dir.path().join("no-chromium"));
    if let Some(ci) = ci {
        cmd.env("CI", ci);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[track_caller]
fn skips_outside_ci_and_fails_in_ci(script: &str, check: &str, reason: &str) {
    let dir = Dir::new();
    let script = sandbox(&dir, script);
    for ci in [None, Some("")] {
        let (code, stdout, stderr) = run(&dir, &script, ci);
        assert_eq!(code, Some(0), "CI={ci:?}\n{stdout}\n{stderr}");
        assert!(
            stdout.contains(&format!("{check} skipped: {reason}")),
            "CI={ci:?}\n{stdout}\n{stderr}"
        );
        assert!(!stderr.contains("FAIL"), "{stderr}");
    }
    for ci in ["true", "1"] {
        let (code, stdout, stderr) = run(&dir, &script, Some(ci));
        assert_eq!(code, Some(1), "CI={ci}\n{stdout}\n{stderr}");
        assert!(!stdout.contains("skipped"), "CI={ci}\n{stdout}");
        assert!(
            stderr.contains(&format!("FAIL: {check} cannot run: {reason}"))
                && stderr.contains(&format!("FAIL: {check} may not be skipped in CI (CI={ci})")),
            "CI={ci}\n{stderr}"
        );
    }
}

#[test]
fn the_browser_test_without_chromium_skips_outside_ci_and_fails_in_ci() {
    skips_outside_ci_and_fails_in_ci(
        "tests/browser/report.sh",
        "browser test",
        "chromium unavailable: it is not installed, and installing it needs root and apt-get",
    );
}

#[test]
fn the_sql_check_without_python_skips_outside_ci_and_fails_in_ci() {
    skips_outside_ci_and_fails_in_ci(
        "tests/sql/check.sh",
        "sql check",
        "no python3 on this machine",
    );
}

/// `.ci/run` runs both scripts as they are, under `set -e`: their failure is CI's.
#[test]
fn ci_runs_both_checks_under_set_e() {
    let run =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/run")).unwrap();
    assert!(run.lines().any(|l| l == "set -euo pipefail"), "{run}");
    for script in ["tests/browser/report.sh", "tests/sql/check.sh"] {
        assert!(
            run.lines()
                .any(|l| l.starts_with(&format!("bash {script}"))),
            "{script} not run by .ci/run"
        );
    }
}
