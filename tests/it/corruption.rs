//! Damaged store files through the binary, value by value: every kind of stored value (PLIE
//! record, zone maps, parcours segment, étapes segment, annexes, summary) with flipped bytes in
//! its envelope and its payload, a value rewritten to another format version, the file truncated at many lengths
//! and flipped at a deterministic set of offsets across the whole file. Each damaged file is read
//! by every command that reads a part of the store: it answers exactly the figures of the intact
//! file, or fails with exit 3 and one `error:` line; the command that reads the damaged value
//! fails, naming the PLIE and the value. Never a panic, never another figure.

use crate::util::{csv_rows, Dir, Run};

/// The commands that, between them, read every kind of value: `status` the PLIE records,
/// Tableau 3 the zone maps and some parcours columns, Tableau 2 the étapes, Tableau 6 the optional
/// files, Tableau 1 the summaries, and the export every column of the parcours and étapes.
const COMMANDS: [&[&str]; 7] = [
    &["status", "--format", "csv"],
    &["tableau", "3", "--year", "2017", "--format", "csv"],
    &["tableau", "2", "--year", "2017", "--format", "csv"],
    &["tableau", "4", "--year", "2017", "--format", "csv"],
    &["tableau", "6", "--year", "2017", "--format", "csv"],
    &["tableau", "1", "--year", "2017", "--format", "csv"],
    &["export", "--parquet", "export"],
];

/// A kind of stored value: its envelope byte and version, how error messages name it, the
/// command (index in [`COMMANDS`]) that must fail when it is damaged, and how many the fixture
/// holds (per PLIE: one record, zone maps, summary and annexes; 24 parcours columns and 5 étapes
/// columns per chunk, one chunk of each).
struct Kind {
    byte: u8,
    version: u8,
    name: &'static str,
    command: usize,
    count: usize,
}

const KINDS: [Kind; 6] = [
    Kind {
        byte: 10,
        version: 2,
        name: "parcours chunk",
        command: 6,
        count: 2 * 24,
    },
    Kind {
        byte: 11,
        version: 2,
        name: "étapes chunk",
        command: 6,
        count: 2 * 5,
    },
    Kind {
        byte: 12,
        version: 2,
        name: "the zone maps of PLIE",
        command: 1,
        count: 2,
    },
    Kind {
        byte: 4,
        version: 2,
        name: "the record of PLIE",
        command: 0,
        count: 2,
    },
    Kind {
        byte: 5,
        version: 1,
        name: "annexes",
        command: 4,
        count: 2,
    },
    Kind {
        byte: 6,
        version: 1,
        name: "the summary of PLIE",
        command: 5,
        count: 2,
    },
];

/// A small store holding every kind of value (two PLIE with parcours, étapes and the three
/// optional files), and what each command answers on it intact.
struct Fixture {
    dir: Dir,
    good: Vec<u8>,
    answers: Vec<String>,
    plies: Vec<String>,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = Dir::new();
        dir.run(&[
            "generate", "--scale", "0.01", "--seed", "3", "--plie", "2", "--from", "2017", "--to",
            "2017",
        ])
        .ok();
        let good = std::fs::read(dir.db()).unwrap();
        let answers: Vec<String> = COMMANDS
            .iter()
            .map(|c| {
                let _ = std::fs::remove_dir_all(dir.path().join("export"));
                dir.run(c).ok()
            })
            .collect();
        let plies: Vec<String> = csv_rows(&answers[0])[1..]
            .iter()
            .map(|r| r[0].clone())
            .collect();
        assert_eq!(plies.len(), 2, "{}", answers[0]);
        for (c, answer) in COMMANDS.iter().zip(&answers).take(6) {
            assert!(
                csv_rows(answer).len() > 2,
                "{c:?} answers nothing:\n{answer}"
            );
        }
        Fixture {
            dir,
            good,
            answers,
            plies,
        }
    }

    /// Where each stored value starts: the offsets of `CSD`, a kind byte and its version, with
    /// the kind byte.
    fn values(&self) -> Vec<(usize, u8)> {
        self.good
            .windows(6)
            .enumerate()
            .filter(|(_, w)| {
                w[..3] == *b"CSD"
                    && KINDS
                        .iter()
                        .any(|k| k.byte == w[3] && w[4..] == [k.version, 0])
            })
            .map(|(at, w)| (at, w[3]))
            .collect()
    }

    /// Writes `bytes` as the store and runs every command on it. Each run either answers exactly
    /// what the intact store answers or fails with exit 3 and one `error:` line; returns the runs.
    #[track_caller]
    fn runs(&self, bytes: &[u8], label: &str) -> Vec<Run> {
        std::fs::write(self.dir.db(), bytes).unwrap();
        let mut runs = Vec::new();
        for (command, want) in COMMANDS.iter().zip(&self.answers) {
            let _ = std::fs::remove_dir_all(self.dir.path().join("export"));
            let run = self.dir.run(command);
            match run.code {
                0 => assert_eq!(
                    &run.stdout, want,
                    "{label}: {command:?} answered other figures than the intact store"
                ),
                3 => assert!(
                    run.stdout.is_empty()
                        && run.stderr.starts_with("error: ")
                        && run.stderr.lines().count() == 1
                        && !run.stderr.contains("panicked"),
                    "{label}: {command:?}: {run:?}"
                ),
                _ => panic!("{label}: {command:?} exited otherwise: {run:?}"),
            }
            runs.push(run);
        }
        runs
    }

    /// Like [`Fixture::runs`], and the command reading a damaged value of `kind` fails with
    /// exit 3, naming one of the PLIE, the value and `why`.
    #[track_caller]
    fn damaged_value(&self, bytes: &[u8], label: &str, kind: &Kind, why: &[&str]) {
        let runs = self.runs(bytes, label);
        let run = &runs[kind.command];
        assert_eq!(run.code, 3, "{label}: {run:?}");
        let names_plie = self
            .plies
            .iter()
            .any(|p| run.stderr.contains(&format!("PLIE {p}")));
        assert!(
            run.stderr.contains("the store is corrupt: ")
                && names_plie
                && run.stderr.contains(kind.name)
                && why.iter().any(|w| run.stderr.contains(w)),
            "{label}: {}",
            run.stderr
        );
    }
}

/// Flipped bytes in the magic, kind, version and checksum of every stored value and inside its
/// payload: the command that reads the value fails naming it; the others answer as before.
#[test]
fn a_flipped_byte_in_any_stored_value_is_named_never_read() {
    let f = Fixture::new();
    let values = f.values();
    for kind in &KINDS {
        let n = values.iter().filter(|(_, k)| *k == kind.byte).count();
        assert_eq!(n, kind.count, "{} values in the file", kind.name);
    }
    let mut tried = 0;
    for (i, &(at, byte)) in values.iter().enumerate() {
        let kind = KINDS.iter().find(|k| k.byte == byte).unwrap();
        // Payload offsets stay inside the value: before the next value's envelope.
        let end = values.get(i + 1).map_or(f.good.len(), |v| v.0);
        let all: [(usize, &[&str]); 10] = [
            (0, &["bad envelope"]),
            (2, &["bad envelope"]),
            (3, &["kind"]),
            (4, &["format version"]),
            (5, &["format version"]),
            (6, &["checksum"]),
            (13, &["checksum"]),
            (14, &["checksum"]),
            (15, &["checksum"]),
            (40, &["checksum"]),
        ];
        // The many segments get the kind, version, checksum and first payload byte flipped
        // once each; the other values every byte above with two masks.
        let (flips, masks): (&[(usize, &[&str])], &[u8]) = if kind.version == 2 && kind.count > 2 {
            (&[all[2], all[3], all[5], all[7]], &[0x80])
        } else {
            (&all, &[0x01, 0x80])
        };
        for &(offset, why) in flips {
            assert!(at + offset < end, "{} at {at} is short", kind.name);
            for &mask in masks {
                let mut bytes = f.good.clone();
                bytes[at + offset] ^= mask;
                let label = format!("{} at {at}, byte {offset} ^ {mask:#x}", kind.name);
                f.damaged_value(&bytes, &label, kind, why);
                tried += 1;
            }
        }
    }
    eprintln!("corruption: {tried} files with a flipped byte inside a value");
    assert_eq!(tried, 8 * 10 * 2 + (48 + 10) * 4);
}

/// A value whose version field says another format version, nothing else changed (so its
/// checksum still holds): refused, naming the value and the version, never read as version 1.
#[test]
fn a_value_of_another_format_version_is_refused_and_named() {
    let f = Fixture::new();
    let mut tried = 0;
    for kind in &KINDS {
        // Two values of each kind: every kind of value checks its own version.
        let values = f.values();
        let of_kind = values.iter().filter(|(_, k)| *k == kind.byte).take(2);
        for &(at, _) in of_kind {
            tried += versions(&f, kind, at);
        }
    }
    eprintln!("corruption: {tried} files with a value of another version");
    assert_eq!(tried, 6 * 2 * 4);
}

/// Writes the value of `kind` at `at` in four other versions; how many files it tried.
fn versions(f: &Fixture, kind: &Kind, at: usize) -> usize {
    let mut tried = 0;
    {
        // A PLIE record of layout 1 is still read (a store of before the observation window),
        // so the record's other version is one no build wrote.
        let other = match kind.byte {
            4 => 3,
            _ if kind.version == 1 => 2,
            _ => 1,
        };
        for version in [0u16, other, 0x0101, u16::MAX] {
            let mut bytes = f.good.clone();
            bytes[at + 4..at + 6].copy_from_slice(&version.to_le_bytes());
            let label = format!("{} at {at} in version {version}", kind.name);
            f.damaged_value(
                &bytes,
                &label,
                kind,
                &[&format!(
                    "format version {version}, where this build reads version {}",
                    kind.version
                )],
            );
            tried += 1;
        }
    }
    tried
}

/// The file cut at many lengths, from nothing to one byte short: exit 3 or the intact figures.
#[test]
fn a_truncated_store_fails_or_answers_the_intact_figures() {
    let f = Fixture::new();
    let len = f.good.len();
    let mut cuts = vec![0, 1, 7, 100, 511, 512, 4095, 4096, 4097, 8192];
    cuts.extend((1..16).map(|k| len * k / 16));
    cuts.extend([len - 4097, len - 4096, len - 100, len - 1]);
    let mut failed = 0;
    for &cut in &cuts {
        let runs = f.runs(&f.good[..cut], &format!("cut at {cut} of {len}"));
        failed += usize::from(runs.iter().any(|r| r.code == 3));
    }
    eprintln!(
        "corruption: {} truncated files, {failed} refused",
        cuts.len()
    );
    // Cutting the header away is always noticed.
    assert!(failed >= 10, "{failed}");
}

/// One byte flipped at a deterministic set of offsets across the whole file (redb's header, its
/// B-tree pages, free pages and stored values alike): exit 3 or the intact figures.
///
/// redb 4.6 does not check its B-tree pages: a flipped length in a leaf page makes
/// `AccessGuard::value` slice out of bounds (e.g. at byte 12307 of this file under `tableau 1`).
/// The store's reads catch that panic and answer `the store is corrupt: ... the file's index is
/// damaged` (exit 3), and the CLI keeps the panic's own message off stderr.
#[test]
fn a_byte_flipped_anywhere_in_the_file_fails_or_answers_the_intact_figures() {
    let f = Fixture::new();
    let len = f.good.len();
    // A prime step visits every offset within a page over the file; the first page (redb's
    // header) is flipped densely.
    let offsets: Vec<usize> = (0..512).step_by(17).chain((0..len).step_by(397)).collect();
    let (mut failed, mut panicked) = (0, Vec::new());
    for &at in &offsets {
        let mut bytes = f.good.clone();
        bytes[at] ^= 0x10;
        std::fs::write(f.dir.db(), &bytes).unwrap();
        let mut refused = false;
        for (command, want) in COMMANDS.iter().zip(&f.answers) {
            let _ = std::fs::remove_dir_all(f.dir.path().join("export"));
            let run = f.dir.run(command);
            match run.code {
                0 => assert_eq!(
                    &run.stdout, want,
                    "byte {at} flipped: {command:?} answered other figures"
                ),
                3 => {
                    assert!(run.stderr.starts_with("error: "), "{run:?}");
                    refused = true;
                }
                101 => panicked.push((at, command[..2].join(" "))),
                _ => panic!("byte {at} flipped: {command:?}: {run:?}"),
            }
        }
        failed += usize::from(refused);
    }
    eprintln!(
        "corruption: {} files with a byte flipped anywhere, {failed} refused, panics: {panicked:?}",
        offsets.len()
    );
    assert!(
        panicked.is_empty(),
        "panics (offset, command): {panicked:?}"
    );
}
