//! Damaged store files through the binary, value by value: every kind of stored value (PLIE
//! record, parcours chunk, keys chunk, étapes chunk, annexes, summary) with flipped bytes in its envelope and
//! its payload, a value rewritten to another format version, the file truncated at many lengths
//! and flipped at a deterministic set of offsets across the whole file. Each damaged file is read
//! by every command that reads a part of the store: it answers exactly the figures of the intact
//! file, or fails with exit 3 and one `error:` line; the command that reads the damaged value
//! fails, naming the PLIE and the value. Never a panic, never another figure.

use crate::util::{csv_rows, Dir, Run};

/// The commands that, between them, read every kind of value: `status` the PLIE records,
/// Tableau 3 the parcours chunks, Tableau 2 the étapes, Tableau 4 the participant keys, Tableau 6
/// the optional files, Tableau 1 the summaries.
const COMMANDS: [&[&str]; 6] = [
    &["status", "--format", "csv"],
    &["tableau", "3", "--year", "2017", "--format", "csv"],
    &["tableau", "2", "--year", "2017", "--format", "csv"],
    &["tableau", "4", "--year", "2017", "--format", "csv"],
    &["tableau", "6", "--year", "2017", "--format", "csv"],
    &["tableau", "1", "--year", "2017", "--format", "csv"],
];

/// A kind of stored value: its envelope byte, how error messages name it and the command (index
/// in [`COMMANDS`]) that must fail when it is damaged.
struct Kind {
    byte: u8,
    name: &'static str,
    command: usize,
}

const KINDS: [Kind; 6] = [
    Kind {
        byte: 1,
        name: "parcours chunk",
        command: 1,
    },
    Kind {
        byte: 2,
        name: "keys chunk",
        command: 3,
    },
    Kind {
        byte: 3,
        name: "étapes chunk",
        command: 2,
    },
    Kind {
        byte: 4,
        name: "the record of PLIE",
        command: 0,
    },
    Kind {
        byte: 5,
        name: "annexes",
        command: 4,
    },
    Kind {
        byte: 6,
        name: "the summary of PLIE",
        command: 5,
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
        let answers: Vec<String> = COMMANDS.iter().map(|c| dir.run(c).ok()).collect();
        let plies: Vec<String> = csv_rows(&answers[0])[1..]
            .iter()
            .map(|r| r[0].clone())
            .collect();
        assert_eq!(plies.len(), 2, "{}", answers[0]);
        for (c, answer) in COMMANDS.iter().zip(&answers) {
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

    /// Where each stored value starts: the offsets of `CSD`, a kind byte and version 1, with the
    /// kind byte.
    fn values(&self) -> Vec<(usize, u8)> {
        self.good
            .windows(6)
            .enumerate()
            .filter(|(_, w)| w[..3] == *b"CSD" && (1..=6).contains(&w[3]) && w[4..] == [1, 0])
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
        assert_eq!(n, 2, "one {} per PLIE in the file", kind.name);
    }
    let mut tried = 0;
    for (i, &(at, byte)) in values.iter().enumerate() {
        let kind = KINDS.iter().find(|k| k.byte == byte).unwrap();
        // Payload offsets stay inside the value: before the next value's envelope.
        let end = values.get(i + 1).map_or(f.good.len(), |v| v.0);
        let flips: [(usize, &[&str]); 10] = [
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
        for (offset, why) in flips {
            assert!(at + offset < end, "{} at {at} is short", kind.name);
            for mask in [0x01, 0x80] {
                let mut bytes = f.good.clone();
                bytes[at + offset] ^= mask;
                let label = format!("{} at {at}, byte {offset} ^ {mask:#x}", kind.name);
                f.damaged_value(&bytes, &label, kind, why);
                tried += 1;
            }
        }
    }
    eprintln!("corruption: {tried} files with a flipped byte inside a value");
    assert_eq!(tried, 12 * 10 * 2);
}

/// A value whose version field says another format version, nothing else changed (so its
/// checksum still holds): refused, naming the value and the version, never read as version 1.
#[test]
fn a_value_of_another_format_version_is_refused_and_named() {
    let f = Fixture::new();
    let mut tried = 0;
    for &(at, byte) in &f.values() {
        let kind = KINDS.iter().find(|k| k.byte == byte).unwrap();
        for version in [0u16, 2, 0x0101, u16::MAX] {
            let mut bytes = f.good.clone();
            bytes[at + 4..at + 6].copy_from_slice(&version.to_le_bytes());
            let label = format!("{} at {at} in version {version}", kind.name);
            f.damaged_value(
                &bytes,
                &label,
                kind,
                &[&format!(
                    "format version {version}, in a store of version 1"
                )],
            );
            tried += 1;
        }
    }
    eprintln!("corruption: {tried} files with a value of another version");
    assert_eq!(tried, 48);
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
