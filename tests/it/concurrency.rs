//! Readers and writers of one store at the same time. The store opens redb in its default
//! `ExclusiveWriter` mode, where the file lock is the concurrency control between handles:
//! a writer excludes every other handle (thread or process) and read-only handles exclude a
//! writer. So a reader never sees a half-written import: it opens before or after one, or is told
//! the store is busy (`StoreError::Busy`, exit 3, "try again"), the one retryable failure; a
//! second writer is told the same, at once, it does not wait.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use consolide::{Corpus, Error, Filter, Format, ImportOptions, Period, Store, StoreError};

use crate::util::Dir;

const TABLEAU_1: [&str; 6] = ["tableau", "1", "--year", "2017", "--format", "csv"];

/// Tableau 1 of 2017 as csv, computed in this process.
fn tableau1(db: &Path) -> Result<String, StoreError> {
    let store = Store::open(db)?;
    let corpus = Corpus::load(&store)?;
    drop(store);
    let t = corpus
        .tableau1(Period::year(2017), &Filter::none())
        .unwrap();
    Ok(consolide::render::tableau1(&t, Format::Csv))
}

fn busy(e: &StoreError) -> bool {
    matches!(e, StoreError::Busy(_))
}

/// The crafted P44A transfer and the same with one parcours less: two contents of one PLIE.
fn two_contents(dir: &Dir) -> [PathBuf; 2] {
    let a = dir.fixture("crafted");
    let parcours = std::fs::read_to_string(a.join("parcours.csv")).unwrap();
    let fewer: String = parcours
        .lines()
        .filter(|l| !l.starts_with("P44A,a16,"))
        .map(|l| format!("{l}\n"))
        .collect();
    let b = dir.transfer("fewer", &[("parcours.csv", &fewer)]);
    [a, b]
}

#[test]
fn a_second_writer_or_a_reader_beside_a_writer_is_told_the_store_is_busy() {
    let dir = Dir::new();
    let [a, b] = two_contents(&dir);
    dir.import(&[&a]);
    let before = dir.run(&TABLEAU_1).ok();

    // A writer holds the store (between its open and its end, an import holds it the same way).
    let writer = Store::create(&dir.db()).unwrap();
    let second = dir.run(&["import", b.to_str().unwrap()]);
    assert_eq!(second.code, 3, "{second:?}");
    assert!(
        second.stderr.starts_with("error: the store ")
            && second
                .stderr
                .contains("is busy: another process or handle has it open"),
        "{}",
        second.stderr
    );
    let reader = dir.run(&TABLEAU_1);
    assert_eq!(reader.code, 3, "{reader:?}");
    assert!(reader.stderr.contains("is busy"), "{}", reader.stderr);
    // In this process too: a second handle is refused, it does not wait.
    assert!(busy(&Store::create(&dir.db()).unwrap_err()));
    assert!(busy(&Store::open(&dir.db()).unwrap_err()));
    drop(writer);

    // A read-only handle also keeps writers out, and other readers in.
    let reader = Store::open(&dir.db()).unwrap();
    let refused = dir.run(&["import", b.to_str().unwrap()]);
    assert_eq!(refused.code, 3, "{refused:?}");
    assert!(refused.stderr.contains("is busy"), "{}", refused.stderr);
    assert_eq!(dir.run(&TABLEAU_1).ok(), before);
    drop(reader);

    // Nothing was written by the refused imports; once alone, the import goes through.
    assert_eq!(dir.run(&TABLEAU_1).ok(), before);
    dir.import(&[&b]);
    assert_ne!(dir.run(&TABLEAU_1).ok(), before);
}

/// One thread imports the two contents of P44A in turn while two threads load a corpus and
/// compute Tableau 1 in a loop and a third runs `consolide tableau 1` in a loop: every answer is
/// one of the two states, never a mix; every failure is "busy"; the writer, retrying when busy,
/// gets all its imports through. The readers must really overlap the imports: the writer goes on
/// (past its first 24 imports, for at most two minutes) until the readers have been told "busy"
/// at least once and the in-process and the CLI readers have each seen both states.
#[test]
fn readers_beside_repeated_imports_see_one_state_or_are_told_busy() {
    const IMPORTS: usize = 24;
    const LIMIT: Duration = Duration::from_secs(120);
    let dir = Dir::new();
    let contents = two_contents(&dir);
    let db = dir.db();
    let mut library = Vec::new();
    let mut cli = Vec::new();
    for c in &contents {
        dir.import(&[c]);
        library.push(tableau1(&db).unwrap());
        cli.push(dir.run(&TABLEAU_1).ok());
    }
    assert_ne!(library[0], library[1]);
    assert_ne!(cli[0], cli[1]);

    let done = AtomicBool::new(false);
    let imports = AtomicUsize::new(0);
    let answers = AtomicUsize::new(0);
    let busy_reads = AtomicUsize::new(0);
    let busy_writes = AtomicUsize::new(0);
    // Which of the two states the in-process readers and the CLI reader have seen.
    let seen_library = [AtomicBool::new(false), AtomicBool::new(false)];
    let seen_cli = [AtomicBool::new(false), AtomicBool::new(false)];
    let overlapped = || {
        busy_reads.load(Ordering::Relaxed) > 0
            && seen_library.iter().all(|s| s.load(Ordering::Relaxed))
            && seen_cli.iter().all(|s| s.load(Ordering::Relaxed))
    };
    let started = Instant::now();
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut i = 0;
            while i < IMPORTS || (!overlapped() && started.elapsed() < LIMIT) {
                let folder = &contents[i % 2];
                loop {
                    match consolide::import(
                        &db,
                        std::slice::from_ref(folder),
                        &ImportOptions::now(),
                    ) {
                        Ok(summary) => {
                            assert!(summary.report.unwrap().changed(), "import {i}");
                            break;
                        }
                        Err(Error::Store(e)) if busy(&e) => {
                            busy_writes.fetch_add(1, Ordering::Relaxed);
                            std::thread::yield_now();
                        }
                        Err(e) => panic!("import {i}: {e}"),
                    }
                }
                i += 1;
            }
            imports.store(i, Ordering::Relaxed);
            done.store(true, Ordering::Release);
        });
        for _ in 0..2 {
            s.spawn(|| {
                while !done.load(Ordering::Acquire) {
                    match tableau1(&db) {
                        Ok(t) => {
                            let state = library.iter().position(|l| *l == t);
                            let state = state.unwrap_or_else(|| panic!("a mixed state:\n{t}"));
                            seen_library[state].store(true, Ordering::Relaxed);
                            answers.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) if busy(&e) => {
                            busy_reads.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => panic!("a reader failed: {e}"),
                    }
                    // Leave the writer a moment between two opens.
                    std::thread::yield_now();
                }
            });
        }
        s.spawn(|| {
            while !done.load(Ordering::Acquire) {
                let run = dir.run(&TABLEAU_1);
                match run.code {
                    0 => {
                        let state = cli.iter().position(|c| *c == run.stdout);
                        let state =
                            state.unwrap_or_else(|| panic!("a mixed state:\n{}", run.stdout));
                        seen_cli[state].store(true, Ordering::Relaxed);
                        answers.fetch_add(1, Ordering::Relaxed);
                    }
                    3 if run.stderr.contains("is busy") => {
                        busy_reads.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => panic!("a reader process failed: {run:?}"),
                }
            }
        });
    });
    let imports = imports.into_inner();
    let seen = |s: &[AtomicBool; 2]| {
        s.iter()
            .map(|b| b.load(Ordering::Relaxed))
            .collect::<Vec<_>>()
    };
    let report = format!(
        "{imports} imports ({} busy retries) in {:?}, {} answers, {} busy reads; states seen by \
         the library readers {:?}, by the CLI reader {:?}",
        busy_writes.load(Ordering::Relaxed),
        started.elapsed(),
        answers.load(Ordering::Relaxed),
        busy_reads.load(Ordering::Relaxed),
        seen(&seen_library),
        seen(&seen_cli),
    );
    eprintln!("concurrency: {report}");
    // Without these the test would pass with readers that never ran beside an import.
    assert!(
        busy_reads.load(Ordering::Relaxed) > 0,
        "no read was told the store is busy: {report}"
    );
    assert!(
        seen(&seen_library).iter().all(|&b| b) && seen(&seen_cli).iter().all(|&b| b),
        "the readers did not see both states: {report}"
    );
    // The last import sent content (imports - 1) % 2.
    assert_eq!(tableau1(&db).unwrap(), library[(imports - 1) % 2]);
    assert_eq!(dir.run(&TABLEAU_1).ok(), cli[(imports - 1) % 2]);
}
