//! Faults and hostile values of issue 18 that `reliability.rs` does not cover, through the real
//! binary: a full disk (a small tmpfs where the machine lets the test mount one, and a file-size
//! limit everywhere), a refused import into a store of a later format version, and csv cells of
//! the cohorts that a spreadsheet would run as formulas.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::util::{csv_rows, Dir, Run};

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs `consolide --db <db> args...`.
fn run(db: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_consolide"))
        .env_remove("CONSOLIDE_DB")
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap();
    Run {
        code: out.status.code().expect("exited"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// What a store answers: `status` (the content hashes and import times of every PLIE) and
/// Tableau 1 of 2017 (the generated transfers are extracted on 31 December 2017 and complete
/// since 2014, so 2017 is observed), both in csv.
fn answers(db: &Path) -> (String, String) {
    let status = run(db, &["status", "--format", "csv"]).ok();
    let tableau = run(db, &["tableau", "1", "--year", "2017", "--format", "csv"]).ok();
    (status, tableau)
}

/// Two scale-0.25 transfers of the 150 PLIE (about 50 000 parcours each, a store of about
/// 10 MB), of seeds 1 and 2: the second replaces every PLIE of the first.
fn two_transfers(dir: &Path) -> (PathBuf, PathBuf) {
    let generate = |seed: &str| {
        let out = dir.join(format!("seed-{seed}"));
        let db = dir.join("unused.redb");
        let args = ["generate", "--out", path(&out), "--scale", "0.25"];
        run(&db, &[&args[..], &["--seed", seed]].concat()).ok();
        out
    };
    (generate("1"), generate("2"))
}

/// A tmpfs mounted for the test, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    /// A tmpfs of `mb` MiB at `at`, or why not (not root, no `mount`, a container without the
    /// capability...).
    fn mount(at: &Path, mb: u32) -> Result<Tmpfs, String> {
        std::fs::create_dir_all(at).unwrap();
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={mb}m"),
                "tmpfs",
                path(at),
            ])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("mount: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_owned());
        }
        Ok(Tmpfs(at.to_owned()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Writes zeros into `file` until the disk refuses: the disk is then full.
fn fill(file: &Path) {
    use std::io::Write;
    let mut f = std::fs::File::create(file).unwrap();
    let block = vec![0u8; 64 << 10];
    while f.write_all(&block).and_then(|()| f.sync_all()).is_ok() {}
    let err = f
        .write_all(&[0; 4096])
        .and_then(|()| f.sync_all())
        .unwrap_err();
    assert_eq!(err.raw_os_error(), Some(28), "{err}: the disk is not full");
}

/// Bytes the file takes on its disk.
fn allocated(file: &Path) -> u64 {
    std::fs::metadata(file).unwrap().blocks() * 512
}

/// The second import of issue 18 on a disk it does not fit on. A 32 MiB tmpfs with 12 MiB taken
/// by another file leaves 20 MiB, where the first store (about 10 MB) fits but not the second
/// import beside it. The import exits 3 with one line that says the disk is full, that the
/// store keeps its last committed state and what to do; the store answers exactly as before,
/// and the space the import took is given back. Then an import killed midway on a disk that is
/// then filled: every read still answers the committed state. Once the other file is removed,
/// the import succeeds. Skipped, with a message, where a tmpfs cannot be mounted.
#[test]
fn a_full_disk_keeps_the_last_committed_state_and_says_what_to_do() {
    let dir = Dir::new();
    let (first, second) = two_transfers(dir.path());
    let disk = match Tmpfs::mount(&dir.path().join("disk"), 32) {
        Ok(disk) => disk,
        Err(why) => {
            println!("skipped: a tmpfs cannot be mounted here ({why})");
            eprintln!("skipped: a tmpfs cannot be mounted here ({why})");
            return;
        }
    };
    let other = disk.0.join("other");
    std::fs::write(&other, vec![1u8; 12 << 20]).unwrap();
    let db = disk.0.join("store.redb");
    run(&db, &["import", path(&first)]).ok();
    let before = answers(&db);
    let size = allocated(&db);

    let failed = run(&db, &["import", path(&second)]);
    assert_eq!(failed.code, 3, "{failed:?}");
    assert_eq!(failed.stderr.lines().count(), 1, "{}", failed.stderr);
    for said in [
        "error: the store file could not be read or written: the disk is full (",
        "nothing of this import was written, and the store keeps its last committed state",
        "free some space on its disk, then import again",
    ] {
        assert!(failed.stderr.contains(said), "{}", failed.stderr);
    }
    assert!(answers(&db) == before, "the store answers otherwise");
    // The allocation state redb records on the repair takes a few pages.
    assert!(
        allocated(&db) <= size + (256 << 10),
        "the failed import kept {} bytes, the store took {size}",
        allocated(&db)
    );
    eprintln!(
        "full disk: the store took {size} bytes, {} after the failed import",
        allocated(&db)
    );

    // Killed once its writes have begun (the file grows), then the disk filled: the file is left
    // for a writable open to repair, which has no room to record the repair.
    let len = std::fs::metadata(&db).unwrap().len();
    let mut child = Command::new(env!("CARGO_BIN_EXE_consolide"))
        .env_remove("CONSOLIDE_DB")
        .args(["--db", path(&db), "import", path(&second)])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let killed = loop {
        if std::fs::metadata(&db)
            .map(|m| m.len() > len)
            .unwrap_or(false)
        {
            child.kill().unwrap();
            break true;
        }
        if child.try_wait().unwrap().is_some() {
            break false;
        }
        std::thread::sleep(std::time::Duration::from_micros(200));
    };
    let status = child.wait().unwrap();
    assert!(killed && status.code().is_none(), "not killed: {status:?}");
    fill(&disk.0.join("filler"));
    for attempt in 0..2 {
        assert!(
            answers(&db) == before,
            "read {attempt} on a full disk after a killed import"
        );
    }
    let again = run(&db, &["import", path(&second)]);
    assert_eq!(again.code, 3, "{again:?}");
    assert!(
        again.stderr.contains("the disk is full")
            && again.stderr.contains("keeps its last committed state"),
        "{}",
        again.stderr
    );
    assert!(answers(&db) == before);

    std::fs::remove_file(disk.0.join("filler")).unwrap();
    std::fs::remove_file(&other).unwrap();
    let done = run(&db, &["import", path(&second)]).ok();
    assert!(done.contains("150 replaced"), "{done}");
    assert!(answers(&db).0 != before.0);
}

/// The same promise where no tmpfs can be mounted: writes fail past a file-size limit (EFBIG,
/// the signal ignored) rather than on a full disk. The import exits 3 saying the store keeps
/// its last committed state, which it answers, and the file is cut back to its length before.
#[test]
fn an_import_that_cannot_write_gives_back_the_space_it_took() {
    let dir = Dir::new();
    let (first, second) = two_transfers(dir.path());
    let db = dir.db();
    run(&db, &["import", path(&first)]).ok();
    let before = answers(&db);
    let len = std::fs::metadata(&db).unwrap().len();
    // One and a half the store: the new corpus is written beside the old one, and fails midway.
    let blocks = len * 3 / 2 / 512;
    let script =
        format!("trap '' XFSZ; ulimit -f {blocks} && exec \"$0\" --db \"$1\" import \"$2\"");
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_consolide"))
        .arg(&db)
        .arg(&second)
        .env_remove("CONSOLIDE_DB")
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.starts_with("error: the store file could not be read or written: File too large")
            && stderr.contains("the store keeps its last committed state"),
        "{stderr}"
    );
    let after = std::fs::metadata(&db).unwrap().len();
    assert!(after <= len + (256 << 10), "{after} bytes, {len} before");
    assert!(answers(&db) == before, "the store answers otherwise");
}

/// A store written by a later build (its format version above this build's): an import into it
/// is refused, exit 3, with a message naming both versions, and leaves the file byte for byte as
/// it was, whether the transfer's content is the stored one or not.
#[test]
fn a_refused_import_into_a_later_version_store_leaves_it_byte_for_byte() {
    let dir = Dir::crafted();
    {
        // What a later build would write: the same tables, another version in `meta`.
        let meta: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("meta");
        let db = redb::Database::open(dir.db()).unwrap();
        let tx = db.begin_write().unwrap();
        tx.open_table(meta)
            .unwrap()
            .insert("format_version", &99u32.to_le_bytes()[..])
            .unwrap();
        tx.commit().unwrap();
    }
    let bytes = std::fs::read(dir.db()).unwrap();
    let same = dir.fixture("crafted");
    let other = dir.transfer(
        "other",
        &[(
            "parcours.csv",
            "plie,participant,entree,sortie,motif_sortie,sexe,naissance,public,inscrit_pe,th,niveau\n\
             P9,a1,2017-03-02,,,F,1980-05,RSA,1,0,V\n",
        )],
    );
    for folder in [&same, &other] {
        let refused = dir.run(&["import", path(folder)]);
        assert_eq!(refused.code, 3, "{refused:?}");
        let said = format!(
            "error: the store was written in format version 99; this build reads version {}",
            consolide::store::FORMAT_VERSION
        );
        assert_eq!(refused.stderr.trim_end(), said);
        assert!(
            std::fs::read(dir.db()).unwrap() == bytes,
            "the import of {} changed the file",
            folder.display()
        );
    }
    // A read is refused the same way, and changes nothing either.
    assert_eq!(dir.run(&["status"]).code, 3);
    assert!(std::fs::read(dir.db()).unwrap() == bytes);
}

/// The cohorts' csv: a PLIE code `-P1` and a region `@SUM(A1)` (values of the transfer, split
/// by `--par plie` and `--par region`) start no cell a spreadsheet would run as a formula; the
/// numbers, negative or not, stay numbers.
#[test]
fn no_cohort_csv_cell_starts_a_formula() {
    let dir = Dir::new();
    let parcours =
        "plie,participant,entree,sortie,motif_sortie,sexe,naissance,public,inscrit_pe,th,niveau\n\
                    -P1,a1,2016-03-02,2016-09-01,EMPLOI,F,1980-05,RSA,1,0,V\n\
                    -P1,a2,2016-05-02,,,H,1970-05,DELD,1,0,V\n";
    let plie = "plie,nom,departement,region,extraction,complet_depuis\n\
                -P1,=HYPERLINK(\"http://x\"),59,@SUM(A1),2017-12-31,2014-01-01\n";
    let folder = dir.transfer("t", &[("parcours.csv", parcours), ("plie.csv", plie)]);
    dir.import(&[&folder]);
    for (par, neutralised) in [("region", "'@SUM(A1)"), ("plie", "'-P1")] {
        let csv = dir
            .example("cohortes", &["--par", par, "--format", "csv"])
            .ok();
        let rows = csv_rows(&csv);
        assert!(
            rows.iter().any(|r| r[1] == neutralised),
            "--par {par}:\n{csv}"
        );
        for cell in rows.iter().flatten() {
            let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
            assert!(
                !risky || cell.parse::<f64>().is_ok(),
                "--par {par}: {cell:?}"
            );
        }
    }
}
