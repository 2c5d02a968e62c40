//! Crash safety: the real binary, importing a large transfer over a store that holds an older
//! corpus, is killed with SIGKILL at moments spread over the import, or runs out of file size
//! (RLIMIT_FSIZE, so that a write fails midway with EFBIG); after each, the store opens and
//! answers exactly the old corpus or the new one, never a mix, and the next import succeeds.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::util::{csv_rows, Dir};

/// What a store answers: `status --format csv` without its `imported_at` column (the time of the
/// import, which differs from one import of the same transfer to the next), and Tableau 1.
#[derive(Debug, Clone, PartialEq, Eq)]
struct State {
    status: Vec<Vec<String>>,
    tableau: String,
}

impl State {
    #[track_caller]
    fn read(dir: &Dir) -> State {
        let rows = csv_rows(&dir.run(&["status", "--format", "csv"]).ok());
        let at = rows[0]
            .iter()
            .position(|h| h == "imported_at")
            .expect("an imported_at column");
        let status = rows
            .into_iter()
            .map(|mut r| {
                r.remove(at);
                r
            })
            .collect();
        let tableau = dir
            .run(&["tableau", "1", "--year", "2017", "--format", "csv"])
            .ok();
        State { status, tableau }
    }
}

/// An old corpus in a store, a new transfer over the same PLIE (another seed), the state each
/// gives, and how long the import of the new one over the old one takes.
struct Corpora {
    /// Holds the folders and the base store (removed when dropped).
    _dir: Dir,
    /// The store holding the old corpus, copied before each attempt.
    base: PathBuf,
    /// The new transfer folder.
    new: PathBuf,
    /// A small transfer of one other PLIE, for the "next import" after a kill.
    small: PathBuf,
    old_state: State,
    new_state: State,
    import_time: Duration,
}

/// Scale 0.25: 150 PLIE, 50 000 parcours and 200 000 étapes each, an import of about 0.75 s in
/// release writing a store of 9 MB that grows to 18 MB.
const SCALE: &str = "0.25";

fn corpora() -> &'static Corpora {
    static CORPORA: OnceLock<Corpora> = OnceLock::new();
    CORPORA.get_or_init(|| {
        let dir = Dir::new();
        for (out, seed) in [("old", "1"), ("new", "2")] {
            dir.run(&["generate", "--out", out, "--scale", SCALE, "--seed", seed])
                .ok();
        }
        let old = dir.path().join("old");
        let new = dir.path().join("new");
        let small = dir.fixture("crafted");
        dir.import(&[&old]);
        let old_state = State::read(&dir);
        let base = dir.path().join("base.redb");
        std::fs::copy(dir.db(), &base).unwrap();

        let started = Instant::now();
        let out = import_command(&dir.db(), &new).output().unwrap();
        let import_time = started.elapsed();
        assert!(out.status.success(), "{out:?}");
        let new_state = State::read(&dir);
        assert_ne!(old_state.tableau, new_state.tableau, "the seeds differ");
        assert_eq!(
            old_state.status.len(),
            new_state.status.len(),
            "the same PLIE: the new import replaces every one"
        );
        Corpora {
            _dir: dir,
            base,
            new,
            small,
            old_state,
            new_state,
            import_time,
        }
    })
}

fn import_command(db: &Path, folder: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_consolide"));
    cmd.env_remove("CONSOLIDE_DB")
        .arg("--db")
        .arg(db)
        .arg("import")
        .arg(folder)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

/// Which corpus the store in `dir` answers; panics on anything else.
#[track_caller]
fn which(c: &Corpora, dir: &Dir, what: &str) -> &'static str {
    let state = State::read(dir);
    if state == c.old_state {
        "old"
    } else if state == c.new_state {
        "new"
    } else {
        panic!(
            "{what}: the store answers neither the old corpus nor the new one\n{}",
            state.tableau
        )
    }
}

/// After a failed or killed import: the next import succeeds and keeps the rest of the store.
/// Every `full`-th time it is the same large transfer again, which must give the new corpus;
/// otherwise a small transfer of another PLIE, which must add one line to the status.
#[track_caller]
fn next_import_succeeds(c: &Corpora, dir: &Dir, state: &str, full: bool) {
    if full {
        dir.import(&[&c.new]);
        assert_eq!(
            State::read(dir),
            c.new_state,
            "after a kill in state {state}"
        );
    } else {
        let before = if state == "old" {
            &c.old_state
        } else {
            &c.new_state
        };
        let out = dir.import(&[&c.small]);
        assert!(out.contains("PLIE P44A: new"), "{out}");
        let after = State::read(dir);
        let kept: Vec<_> = after
            .status
            .iter()
            .filter(|r| r[0] != "P44A")
            .cloned()
            .collect();
        assert_eq!(
            kept, before.status,
            "the small import kept every other PLIE"
        );
        assert_eq!(after.status.len(), before.status.len() + 1);
    }
}

/// At least 50 SIGKILLs spread over the import (a deterministic schedule of fractions of its
/// measured duration), at least one landing before the commit and one after; after each the store
/// answers the old corpus or the new one, and the next import succeeds.
#[test]
fn an_import_killed_at_any_moment_leaves_the_old_corpus_or_the_new_one() {
    let c = corpora();
    let dir = Dir::new();
    // The duration of an import measured again here, beside whatever else the tests run now.
    let import_time = (0..2)
        .map(|_| {
            std::fs::copy(&c.base, dir.db()).unwrap();
            let started = Instant::now();
            assert!(import_command(&dir.db(), &c.new)
                .status()
                .unwrap()
                .success());
            started.elapsed()
        })
        .min()
        .unwrap()
        .min(c.import_time);
    // Adjusted as the attempts go, so that the last slots straddle the commit however much other
    // tests compete for the processors: shortened when an import ends before its kill (or, while
    // no kill has landed before the commit, when one lands after it), lengthened when a kill past
    // the end still lands before the commit (or, while none has landed after the commit, when
    // the 50 kills are done and one more lands before it).
    let mut import_time = import_time;
    const KILLS: usize = 50;
    const SLOTS: u32 = 64;
    const ATTEMPTS: u32 = 300;
    let (mut kills, mut before_commit, mut after_commit, mut finished) = (0, 0, 0, 0);
    let mut attempt = 0u32;
    while kills < KILLS || before_commit == 0 || after_commit == 0 {
        assert!(
            attempt < ATTEMPTS,
            "after {attempt} imports, {kills} killed ({before_commit} before the commit, \
             {after_commit} after) and {finished} ended before their kill: the kills must land \
             {KILLS} times, at least once on each side of the commit"
        );
        // Slots 0..64 visited in a scattered order (37 is prime to 64), each a fraction of the
        // measured duration between 30 % and 120 %: the store is opened about halfway, after the
        // transfer is read, and committed shortly before the end.
        let slot = (attempt * 37) % SLOTS;
        let fraction = 0.3 + 0.9 * (f64::from(slot) + 0.5) / f64::from(SLOTS);
        let delay = import_time.mul_f64(fraction);
        attempt += 1;

        std::fs::copy(&c.base, dir.db()).unwrap();
        let mut child = import_command(&dir.db(), &c.new).spawn().unwrap();
        std::thread::sleep(delay);
        let killed = match child.try_wait().unwrap() {
            Some(_) => false,
            None => {
                child.kill().unwrap();
                true
            }
        };
        let status = child.wait().unwrap();
        let state = which(c, &dir, &format!("attempt {attempt}, {delay:?}"));
        // A kill racing the end of the process may find it already exited.
        if killed && status.code().is_none() {
            kills += 1;
            if state == "old" {
                before_commit += 1;
                if fraction > 1.0 || (kills > KILLS && after_commit == 0) {
                    // Killed past the measured end yet before the commit: imports are slower now.
                    import_time = import_time.mul_f64(1.1);
                }
            } else {
                after_commit += 1;
                if before_commit == 0 {
                    // Every kill so far landed after the commit: imports are faster now.
                    import_time = import_time.mul_f64(0.9);
                }
            }
        } else {
            assert!(status.success(), "attempt {attempt}: {status:?}");
            assert_eq!(state, "new");
            finished += 1;
            import_time = import_time.mul_f64(0.9);
        }
        next_import_succeeds(c, &dir, state, attempt % 8 == 0);
    }
    eprintln!(
        "crash: {kills} kills survived ({before_commit} before the commit, {after_commit} after), \
         {finished} imports ended before their kill; import time {import_time:?}"
    );
    // The loop stops only then; said again for whoever edits it.
    assert!(kills >= KILLS && before_commit >= 1 && after_commit >= 1);
}

/// Writes failing midway: the import runs under a file-size limit (writes past it fail with
/// EFBIG, the signal being ignored), from one block to more than the import needs. Each import
/// either succeeds or exits 3 with one `error:` line naming the cause, and leaves the store
/// answering the old corpus; the next import succeeds.
#[test]
fn an_import_whose_writes_fail_midway_exits_3_and_changes_nothing() {
    let c = corpora();
    let dir = Dir::new();
    let base_blocks = std::fs::metadata(&c.base).unwrap().len() / 512;
    let (mut failed, mut succeeded) = (0, 0);
    // From 1 block to 5 times the old store (the new import needs about four times its size:
    // the old store is compressed, the transaction writes the new corpus beside it).
    let limits = std::iter::once(1)
        .chain((1..=20).map(|k| base_blocks * k / 4))
        .collect::<Vec<_>>();
    for (i, &blocks) in limits.iter().enumerate() {
        std::fs::copy(&c.base, dir.db()).unwrap();
        let script =
            format!("trap '' XFSZ; ulimit -f {blocks} && exec \"$0\" --db \"$1\" import \"$2\"");
        let out = Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg(env!("CARGO_BIN_EXE_consolide"))
            .arg(dir.db())
            .arg(&c.new)
            .env_remove("CONSOLIDE_DB")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        let what = format!("limit {blocks} blocks");
        match out.status.code() {
            Some(0) => {
                succeeded += 1;
                assert_eq!(which(c, &dir, &what), "new");
            }
            Some(3) => {
                failed += 1;
                assert_eq!(
                    stderr.lines().count(),
                    1,
                    "{what}: one line of error\n{stderr}"
                );
                assert!(
                    stderr.starts_with("error: the store file could not be read or written: ")
                        && stderr.contains("File too large"),
                    "{what}: {stderr}"
                );
                assert_eq!(
                    which(c, &dir, &what),
                    "old",
                    "{what}: the store is unchanged"
                );
            }
            other => panic!("{what}: exit {other:?}\n{stderr}"),
        }
        let state = which(c, &dir, &what);
        next_import_succeeds(c, &dir, state, i % 2 == 0);
    }
    assert!(
        failed >= 5,
        "{failed} imports failed: the limits are too large"
    );
    assert!(succeeded >= 1, "no limit was large enough for the import");
    eprintln!(
        "crash: {} file-size limits, {failed} imports failed with exit 3, {succeeded} succeeded",
        limits.len()
    );
}
