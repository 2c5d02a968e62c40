//! The store through the binary: idempotent re-import, replacement of one PLIE, files that are
//! not stores or are damaged, and the committed store of format version 1.

use crate::util::{csv_rows, Dir};

const HEADER: &str =
    "plie,participant,entree,sortie,motif_sortie,sexe,naissance,public,inscrit_pe,th,niveau\n";

fn total_2017(dir: &Dir) -> Vec<String> {
    csv_rows(
        &dir.run(&["tableau", "1", "--year", "2017", "--format", "csv"])
            .ok(),
    )[1]
    .clone()
}

#[test]
fn importing_the_same_content_twice_writes_nothing_and_says_so() {
    let dir = Dir::new();
    let a = dir.fixture("crafted");
    let first = dir.import(&[&a]);
    assert!(
        first.contains("PLIE P44A: new, 17 parcours, 4 étapes"),
        "{first}"
    );
    let before = dir.run(&["status", "--format", "csv"]).ok();
    let second = dir.import(&[&a]);
    assert!(second.contains("PLIE P44A: unchanged"), "{second}");
    // Same content hash and the first import's time: the record was not rewritten.
    assert_eq!(dir.run(&["status", "--format", "csv"]).ok(), before);
}

#[test]
fn a_second_transfer_replaces_its_plie_and_leaves_the_others() {
    let dir = Dir::new();
    let a = dir.fixture("crafted");
    let b = dir.fixture("crafted-59");
    dir.import(&[&a, &b]);
    assert_eq!(total_2017(&dir)[3..5], ["9", "22"]);

    // P44A now sends a single parcours entered in 2017.
    let new = dir.transfer(
        "p44-v2",
        &[
            (
                "parcours.csv",
                &format!("{HEADER}P44A,z1,2017-05-02,,,F,1980-01,RSA,1,0,V\n"),
            ),
            // Extracted at the end of 2017 (its only date is in May).
            ("plie.csv", "plie,extraction\nP44A,2017-12-31\n"),
        ],
    );
    let out = dir.import(&[&new]);
    assert!(
        out.contains("PLIE P44A: replaced, 1 parcours, 0 étapes"),
        "{out}"
    );
    let status = dir.run(&["status", "--format", "csv"]).ok();
    let rows = csv_rows(&status);
    assert_eq!(
        rows[1][0..4],
        ["P44A", "?", "?", "1"],
        "plie.csv was not resent: department unknown"
    );
    assert_eq!(rows[2][0..4], ["P59B", "59", "Hauts-de-France", "14"]);
    // 2017 now: P59B's 4 entries + z1; P59B's 11 en parcours (4 entries, 7 carried over) + z1.
    assert_eq!(total_2017(&dir)[3..5], ["5", "12"]);
}

#[test]
fn a_plie_in_two_folders_of_one_import_is_refused() {
    let dir = Dir::new();
    let a = dir.fixture("crafted");
    let copy = dir.transfer(
        "copy",
        &[(
            "parcours.csv",
            &format!("{HEADER}P44A,z1,2017-05-02,,,F,1980-01,RSA,1,0,V\n"),
        )],
    );
    let run = dir.run(&["import", a.to_str().unwrap(), copy.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("PLIE P44A is in two transfers"),
        "{}",
        run.stderr
    );
    assert!(
        !dir.db().exists(),
        "nothing was written, not even an empty store"
    );
}

#[test]
fn files_that_are_not_stores_give_exit_3() {
    let dir = Dir::new();
    let missing = dir.run(&["tableau", "1", "--year", "2017"]);
    assert_eq!(missing.code, 3, "{missing:?}");
    assert!(
        missing.stderr.starts_with("error: no store at"),
        "{}",
        missing.stderr
    );

    std::fs::write(dir.db(), "plie,participant\nP1,a\n".repeat(200)).unwrap();
    for args in [
        &["status"][..],
        &["tableau", "1", "--year", "2017"],
        &["import", "nowhere"],
    ] {
        let run = dir.run(args);
        assert!(
            run.code == 3 || (args[0] == "import" && run.code == 1),
            "{args:?}: {run:?}"
        );
        assert!(run.stderr.starts_with("error: "), "{run:?}");
    }
    let run = dir.run(&["status"]);
    assert!(
        run.stderr.contains("not a consolide store"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_damaged_store_gives_exit_3_never_a_panic_or_a_figure() {
    let dir = Dir::new();
    let a = dir.fixture("crafted");
    dir.import(&[&a]);
    let good = std::fs::read(dir.db()).unwrap();
    // Truncations and flipped bytes all over the file: every run either answers the right figures
    // or fails with exit 3 and one line.
    let want = total_2017(&dir);
    let len = good.len();
    let mut damaged = Vec::new();
    for cut in [len / 2, len - 1, 4096, 100] {
        damaged.push(good[..cut].to_vec());
    }
    for at in (0..len).step_by(len / 40) {
        let mut bytes = good.clone();
        bytes[at] ^= 0x5A;
        damaged.push(bytes);
    }
    for bytes in damaged {
        std::fs::write(dir.db(), &bytes).unwrap();
        let run = dir.run(&["tableau", "1", "--year", "2017", "--format", "csv"]);
        match run.code {
            0 => assert_eq!(
                csv_rows(&run.stdout)[1],
                want,
                "a damaged store must not give other figures"
            ),
            3 => assert!(
                run.stderr.starts_with("error: ") && !run.stderr.contains("panicked"),
                "{run:?}"
            ),
            _ => panic!("unexpected exit: {run:?}"),
        }
    }
}

#[test]
fn the_committed_version_1_store_still_reads() {
    let dir = Dir::new();
    let v1 = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/store-v1.redb");
    std::fs::copy(v1, dir.db()).unwrap();
    assert_eq!(
        total_2017(&dir)[3..13],
        ["9", "22", "13", "8", "4", "3", "5", "3", "1", "1"]
    );
    let status = dir.run(&["status"]).ok();
    assert!(status.contains("2 PLIE, 31 parcours"), "{status}");
}

/// The committed store of format version 2 (segments) reads with the crafted corpus's figures,
/// and every table of it equals the committed version 1 store's, which holds the same transfers:
/// each format version a build has written keeps reading.
#[test]
fn the_committed_version_2_store_reads_as_version_1_does() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let (v1, v2) = (Dir::new(), Dir::new());
    std::fs::copy(data.join("store-v1.redb"), v1.db()).unwrap();
    std::fs::copy(data.join("store-v2.redb"), v2.db()).unwrap();
    assert_eq!(
        total_2017(&v2)[3..13],
        ["9", "22", "13", "8", "4", "3", "5", "3", "1", "1"]
    );
    for table in ["1", "2", "3", "4", "5", "6", "8", "9", "10", "periodes"] {
        let args = ["tableau", table, "--year", "2017", "--format", "csv"];
        let (a, b) = (v1.run(&args).ok(), v2.run(&args).ok());
        assert_eq!(a, b, "tableau {table}");
    }
    let args = [
        "crosstab",
        "--measure",
        "sorties",
        "--years",
        "2014..2017",
        "--rows",
        "niveau",
        "--cols",
        "sexe",
        "--filter",
        "qpv=1,0",
        "--format",
        "csv",
    ];
    assert_eq!(v1.run(&args).ok(), v2.run(&args).ok());
    assert_eq!(
        std::fs::read(v2.db()).unwrap(),
        std::fs::read(data.join("store-v2.redb")).unwrap(),
        "reading changed nothing"
    );
}

/// A corpus is one read snapshot: one store handle imports while a corpus taken before goes on
/// answering the state it was taken on, every table of it alike (redb's MVCC), and a corpus
/// taken after answers the new state.
#[test]
fn one_handle_imports_while_earlier_snapshots_keep_answering() {
    use consolide::{Corpus, Filter, Period, ReadOptions, Store, Tableau};
    let dir = Dir::new();
    let a = dir.fixture("crafted");
    let mut store = Store::create(&dir.db()).unwrap();
    let today = time::OffsetDateTime::now_utc().date();
    let read = |folder: &std::path::Path| {
        let options = ReadOptions::new(today, false);
        let t = consolide::transfer::read(folder, &options).unwrap();
        assert!(t.errors.is_empty(), "{:?}", t.errors);
        t
    };
    store.import(&[read(&a)], 1).unwrap();
    let before = Corpus::load(&store).unwrap();
    let year = Period::year(2017);
    let tables = [Tableau::T1, Tableau::T2, Tableau::T3, Tableau::T4];
    let answer = |corpus: &Corpus| -> Vec<String> {
        tables
            .iter()
            .map(|&t| {
                let table = corpus.tableau(t, year, &Filter::none()).unwrap();
                consolide::render::table(&table, consolide::Format::Csv)
            })
            .collect()
    };
    let first = answer(&before);

    // P44A is imported again, through the same handle, with one parcours less and without the
    // étape of a13 in 2017 (one that Tableau 2 of 2017 counts).
    let without = |file: &str, prefix: &str| {
        let text = std::fs::read_to_string(a.join(file)).unwrap();
        let fewer: String = text
            .lines()
            .filter(|l| !l.starts_with(prefix))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_ne!(fewer.lines().count(), text.lines().count());
        fewer
    };
    let parcours = without("parcours.csv", "P44A,a16,");
    let etapes = without("etapes.csv", "P44A,a13,2013-09-01,IAE_EI,");
    let b = dir.transfer(
        "again",
        &[("parcours.csv", &parcours), ("etapes.csv", &etapes)],
    );
    let report = store.import(&[read(&b)], 2).unwrap();
    assert!(report.changed());

    // The earlier corpus answers exactly as before, every table...
    assert_eq!(
        answer(&before),
        first,
        "the snapshot's answer changed after an import"
    );
    // ...and one taken now sees the new state, in Tableau 1 and Tableau 2 (so the equality above
    // is the snapshot's doing, not an import that changed nothing the tables show).
    let after = Corpus::load(&store).unwrap();
    assert_eq!(
        before.parcours(),
        after.parcours() + 1,
        "the import removed one parcours"
    );
    let now = answer(&after);
    assert_ne!(now[0], first[0], "the import changed Tableau 1");
    assert_ne!(now[1], first[1], "the import changed Tableau 2");
}

/// A store written before summaries existed answers through its parcours; the next import of
/// the same content leaves the PLIE unchanged but writes their summaries, which then give the
/// same Tableau 1 without reading a parcours.
#[test]
fn summaries_come_with_the_next_import_of_an_older_store() {
    use consolide::{Corpus, Filter, Period, Store, Summaries};
    let dir = Dir::new();
    let v1 = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/store-v1.redb");
    std::fs::copy(v1, dir.db()).unwrap();
    let store = Store::open(&dir.db()).unwrap();
    assert!(Summaries::load(&store).unwrap().is_none());
    drop(store);

    let before = std::fs::read(dir.db()).unwrap();
    let out = dir.import(&[&dir.fixture("crafted"), &dir.fixture("crafted-59")]);
    assert!(out.contains("unchanged"), "{out}");
    assert_ne!(
        std::fs::read(dir.db()).unwrap(),
        before,
        "the summaries were written"
    );
    let store = Store::open(&dir.db()).unwrap();
    let summaries = Summaries::load(&store)
        .unwrap()
        .expect("written by the import");
    let corpus = Corpus::load(&store).unwrap();
    for year in 2014..=2018 {
        let period = Period::year(year);
        assert_eq!(
            summaries.tableau1(period, &Filter::none()).unwrap(),
            corpus
                .tableau1_with(period, &Filter::none(), consolide::Path::Scan)
                .unwrap()
        );
    }
    assert_eq!(
        summaries
            .tableau1(Period::year(2017), &Filter::none())
            .unwrap()
            .total()
            .tally
            .en_parcours(),
        22
    );
    // A filter on a characteristic needs the parcours: refused, not answered wrongly.
    let by_sex = Filter::none().with(consolide::Dimension::Sexe, &["F"]);
    assert!(summaries.tableau1(Period::year(2017), &by_sex).is_err());
    assert!(!Summaries::answers(&by_sex));
    // The summaries' 1BIS keeps the multi-year tables' limit.
    let run = dir.run(&["tableau", "1bis", "--years", "1990..2100"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("at most 50 years"), "{}", run.stderr);
}
