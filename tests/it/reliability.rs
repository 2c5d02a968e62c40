//! Issue 18: the promises of docs/reliability.md that outside inputs and faults broke, each kept
//! by a test through the real binary.

use std::path::Path;

use crate::util::Dir;

const HEADER: &str =
    "plie,participant,entree,sortie,motif_sortie,sexe,naissance,public,inscrit_pe,th,niveau,inactivite,qpv,commune";
const ETAPES: &str = "plie,participant,entree,type,debut,fin,finance_plie";

/// A valid parcours row of PLIE `plie` for participant `key`.
fn row(plie: &str, key: &str) -> String {
    format!("{plie},{key},2017-03-02,,,F,1980-05,RSA,1,0,V,,,")
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn lines_are_numbered_in_cr_only_and_mixed_line_endings() {
    let bad = "P1,bad,2017-02-30,,,F,1980-05,RSA,1,0,V,,,";
    for (name, endings) in [
        ("cr", ["\r"; 12]),
        (
            "mixed",
            [
                "\r", "\n", "\r\n", "\r", "\r", "\n", "\r\n", "\n", "\r", "\r\n", "\r", "\n",
            ],
        ),
    ] {
        let dir = Dir::new();
        // The header, ten good rows, the bad one on line 12, one more good row.
        let mut lines = vec![HEADER.to_owned()];
        lines.extend((0..10).map(|i| row("P1", &format!("a{i}"))));
        lines.push(bad.to_owned());
        lines.push(row("P1", "z"));
        let content: String = lines
            .iter()
            .zip(endings)
            .map(|(l, e)| format!("{l}{e}"))
            .collect();
        let folder = dir.transfer(name, &[("parcours.csv", &content)]);
        let run = dir.run(&["import", path(&folder)]);
        assert_eq!(run.code, 1, "{run:?}");
        assert!(
            run.stderr.contains("error: parcours.csv:12:3 (entree)"),
            "{name}: {}",
            run.stderr
        );
        let rejects = dir.path().join("rejets");
        let run = dir.run(&["import", path(&folder), "--rejects", path(&rejects)]);
        assert_eq!(run.code, 0, "{run:?}");
        let report = std::fs::read_to_string(rejects.join(name).join("rapport.txt")).unwrap();
        assert!(
            report.starts_with("parcours.csv:12:3 (entree)"),
            "{name}: {report}"
        );
        let kept = std::fs::read(rejects.join(name).join("parcours.csv")).unwrap();
        assert_eq!(
            kept,
            format!("{HEADER}{}{bad}{}", endings[0], endings[11]).into_bytes(),
            "{name}"
        );
    }
}

#[test]
fn an_empty_file_is_reported_at_line_1() {
    let dir = Dir::new();
    let folder = dir.transfer("empty", &[("parcours.csv", "")]);
    let run = dir.run(&["import", path(&folder)]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("error: parcours.csv:1:0:"),
        "{}",
        run.stderr
    );
}

/// Imports `files` and returns stderr, asserting exit 1 and that no `secret` appears in it.
#[track_caller]
fn refused_without(dir: &Dir, name: &str, files: &[(&str, &str)], secrets: &[&str]) -> String {
    let folder = dir.transfer(name, files);
    let run = dir.run(&["import", path(&folder)]);
    assert_eq!(run.code, 1, "{run:?}");
    for secret in secrets {
        assert!(
            !run.stderr.contains(secret),
            "{secret} echoed: {}",
            run.stderr
        );
    }
    let rejects = dir.path().join(format!("rejets-{name}"));
    let run = dir.run(&[
        "import",
        path(&folder),
        "--rejects",
        path(&rejects),
        "--dry-run",
    ]);
    let report = std::fs::read_to_string(rejects.join(name).join("rapport.txt")).unwrap();
    for secret in secrets {
        assert!(!report.contains(secret), "{secret} in the report: {report}");
        assert!(!run.stderr.contains(secret) && !run.stdout.contains(secret));
    }
    run.stderr
}

#[test]
fn no_message_repeats_a_participant_key() {
    let dir = Dir::new();
    let key = "dupont-jean-1985";
    // Duplicate and overlapping parcours.
    let parcours = format!(
        "{HEADER}\n{}\n{}\nP1,{key},2017-01-02,2017-06-30,ABANDON,F,1980-05,RSA,1,0,V,,,\nP1,{key},2017-04-01,,,F,1980-05,RSA,1,0,V,,,\n",
        row("P1", key),
        row("P1", key)
    );
    let stderr = refused_without(&dir, "pairs", &[("parcours.csv", &parcours)], &[key]);
    assert!(
        stderr.contains("(plie, participant, entree) is unique"),
        "{stderr}"
    );
    assert!(stderr.contains("do not overlap"), "{stderr}");
    // An étape of an unknown parcours, and étapes whose key is an identity.
    let etapes = format!(
        "{ETAPES}\nP1,{key}-x,2017-03-02,MOBILISATION,2017-03-02,,1\nP1,jean@example.fr,2017-03-02,MOBILISATION,2017-03-02,,1\n"
    );
    let parcours = format!("{HEADER}\n{}\n", row("P1", "a0"));
    let stderr = refused_without(
        &dir,
        "etapes",
        &[("parcours.csv", &parcours), ("etapes.csv", &etapes)],
        &[key, "jean@example.fr"],
    );
    assert!(stderr.contains("etapes.csv:2:3 (entree)"), "{stderr}");
    assert!(
        stderr.contains("etapes.csv:3:2 (participant): the key looks like an e-mail address"),
        "{stderr}"
    );
    // A key too long, and one that is not UTF-8.
    let long = "x".repeat(70);
    let parcours = format!(
        "{HEADER}\n{}\n{}\n",
        row("P1", &long),
        row("P1", "caf\u{e9}")
    );
    let mut bytes = parcours.into_bytes();
    let e = bytes.iter().rposition(|&b| b == 0xA9).unwrap();
    bytes.splice(e - 1..=e, [0xE9]);
    let folder = dir.path().join("long");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("parcours.csv"), bytes).unwrap();
    let run = dir.run(&["import", path(&folder)]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(!run.stderr.contains(&long[..60]), "{}", run.stderr);
    assert!(!run.stderr.contains("caf"), "{}", run.stderr);
    assert!(
        run.stderr.contains("the key has 70 characters"),
        "{}",
        run.stderr
    );
}

#[test]
fn identities_in_other_spellings_are_refused() {
    let dir = Dir::new();
    let identities = [
        "jean@пример.рф",
        "１８５０５７８００６０８４",
        "١٨٥٠٥٧٨٠٠٦٠٨٤",
        "06/12/34/56/78",
        "06_12_34_56_78",
        "06\t12\t34\t56\t78",
        "06–12–34–56–78",
        "<jean@example.fr>",
        "tel:+33612345678",
        "NIR185077512345608",
        "33612345678",
        "+687 12 34 56",
        "+689 87 12 34 56",
        "+508 41 23 45",
    ];
    let rows: String = identities
        .iter()
        .map(|key| format!("P1;{key};02/03/2017;;;F;1980-05;RSA;1;0;V;;;\n"))
        .collect();
    let parcours = format!("{}\n{rows}", HEADER.replace(',', ";"));
    let stderr = refused_without(
        &dir,
        "spellings",
        &[("parcours.csv", &parcours)],
        &identities,
    );
    for line in 2..2 + identities.len() {
        assert!(
            stderr.contains(&format!(
                "error: parcours.csv:{line}:2 (participant): the key looks like"
            )),
            "line {line}: {stderr}"
        );
    }
    assert!(!dir.db().exists(), "nothing was written");
}

#[test]
fn a_dangling_etapes_link_is_refused_not_taken_as_absent() {
    let dir = Dir::new();
    let parcours = format!("{HEADER}\n{}\n", row("P1", "a0"));
    let folder = dir.transfer("link", &[("parcours.csv", &parcours)]);
    std::os::unix::fs::symlink(dir.path().join("nowhere.csv"), folder.join("etapes.csv")).unwrap();
    let run = dir.run(&["import", path(&folder)]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("etapes.csv: a symbolic link to a file that does not exist"),
        "{}",
        run.stderr
    );
    assert!(!dir.db().exists(), "nothing was written");
}

/// Whether process `pid` holds `file` open (Linux's /proc).
fn holds_open(pid: u32, file: &Path) -> bool {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.flatten()
        .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|target| target == file))
}

#[test]
fn a_file_that_vanishes_during_the_import_refuses_it() {
    if !Path::new("/proc/self/fd").exists() {
        eprintln!("skipped: needs Linux's /proc to see the files the import holds open");
        return;
    }
    let dir = Dir::new();
    let parcours = format!("{HEADER}\n{}\n", row("P1", "a0"));
    let plie = "plie,nom\nP1,PLIE un\n";
    let folder = dir.transfer("moving", &[("parcours.csv", &parcours), ("plie.csv", plie)]);
    // etapes.csv is a pipe: the import stops on it, holding what it opened before, until this
    // test writes the étapes; plie.csv is removed meanwhile, after the folder was listed.
    let etapes = folder.join("etapes.csv");
    let made = std::process::Command::new("mkfifo").arg(&etapes).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_consolide"))
        .current_dir(dir.path())
        .env_remove("CONSOLIDE_DB")
        .args(["--db", path(&dir.db()), "import", path(&folder)])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let canonical = folder.canonicalize().unwrap().join("parcours.csv");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    // Before the fix, parcours.csv is read and closed before etapes.csv is opened: the wait ends
    // at the deadline and the test fails below.
    while !holds_open(child.id(), &canonical) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::fs::remove_file(folder.join("plie.csv")).unwrap();
    let etapes_rows = format!("{ETAPES}\nP1,a0,2017-03-02,MOBILISATION,2017-03-02,,1\n");
    // Opened without waiting for a reader (O_NONBLOCK), so that an import that ended early fails
    // the test instead of hanging it.
    let probe = loop {
        use std::os::unix::fs::OpenOptionsExt;
        const O_NONBLOCK: i32 = 0o4000;
        let open = std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(O_NONBLOCK)
            .open(&etapes);
        match open {
            Ok(pipe) => break pipe,
            Err(_) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => panic!("the import never read etapes.csv: {e}"),
        }
    };
    // Written through a blocking handle (the reader is there now): a non-blocking write fails
    // with WouldBlock as soon as the pipe is full, which a loaded machine makes likely.
    let mut pipe = std::fs::OpenOptions::new()
        .write(true)
        .open(&etapes)
        .unwrap();
    drop(probe);
    std::io::Write::write_all(&mut pipe, etapes_rows.as_bytes()).unwrap();
    drop(pipe);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("plie.csv: the file was in the folder but disappeared"),
        "{stderr}"
    );
    assert!(!dir.db().exists(), "nothing was written");
}

/// A parcours.csv of `n` rows of PLIE `plie`, the first `bad` of them with an impossible date.
fn rows(plie: &str, n: usize, bad: usize) -> String {
    (0..n)
        .map(|i| {
            let r = row(plie, &format!("k{i}"));
            if i < bad {
                r.replace("2017-03-02", "2017-02-30") + "\n"
            } else {
                r + "\n"
            }
        })
        .collect()
}

#[test]
fn a_plie_whose_rows_are_mostly_refused_is_left_as_it_was() {
    let dir = Dir::new();
    let good = dir.transfer(
        "good",
        &[("parcours.csv", &format!("{HEADER}\n{}", rows("P1", 17, 0)))],
    );
    dir.import(&[&good]);
    // P1: every row refused; P2: 1 of 20 refused (5 %, not beyond).
    let content = format!("{HEADER}\n{}{}", rows("P1", 17, 17), rows("P2", 20, 1));
    let plie = "plie,nom\nP1,PLIE un\nP2,PLIE deux\n";
    let bad = dir.transfer("bad", &[("parcours.csv", &content), ("plie.csv", plie)]);
    let rejects = dir.path().join("rejets");
    let run = dir.run(&["import", path(&bad), "--rejects", path(&rejects)]);
    assert_eq!(run.code, 0, "{run:?}");
    let said = "PLIE P1 left as it was: 17 of its 17 parcours.csv rows refused, more than 5 %";
    assert!(run.stdout.contains(said), "{}", run.stdout);
    assert!(run.stderr.contains(said), "{}", run.stderr);
    assert!(
        run.stdout.contains("PLIE P2: new, 19 parcours"),
        "{}",
        run.stdout
    );
    let report = std::fs::read_to_string(rejects.join("bad/rapport.txt")).unwrap();
    assert!(report.contains(said), "{report}");
    let status = dir.run(&["status", "--format", "csv"]).ok();
    let p1 = status
        .lines()
        .find(|l| l.starts_with("P1,"))
        .expect("P1 still stored");
    assert!(p1.contains(",17,"), "P1 keeps its 17 parcours: {status}");

    // Asked otherwise, the valid rows (none) replace the PLIE.
    let run = dir.run(&[
        "import",
        path(&bad),
        "--rejects",
        path(&rejects),
        "--max-rejected",
        "100",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!run.stdout.contains("left as it was"), "{}", run.stdout);
    let run = dir.run(&["import", path(&bad), "--max-rejected", "7"]);
    assert_eq!(run.code, 2, "--max-rejected goes with --rejects: {run:?}");
}

#[test]
fn rejects_that_cannot_be_written_name_their_path() {
    let dir = Dir::new();
    let content = format!("{HEADER}\n{}", rows("P1", 3, 1));
    let folder = dir.transfer("t", &[("parcours.csv", &content)]);
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let run = dir.run(&["import", path(&folder), "--rejects", path(&file)]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "cannot write the refused rows to {}",
            file.join("t").display()
        )),
        "{}",
        run.stderr
    );
    assert!(!dir.db().exists(), "nothing was written");
}

/// Runs `consolide --db <store> args...` with writes limited to `blocks` blocks of file size
/// (`ulimit -f`, SIGXFSZ ignored so that a write past it fails with EFBIG): a full disk in effect.
fn run_limited(dir: &Dir, blocks: u64, args: &[&str]) -> crate::util::Run {
    let script = format!("trap '' XFSZ; ulimit -f {blocks} && exec \"$0\" \"$@\"");
    let out = std::process::Command::new("sh")
        .current_dir(dir.path())
        .env_remove("CONSOLIDE_DB")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_consolide"))
        .arg("--db")
        .arg(dir.db())
        .args(args)
        .output()
        .unwrap();
    crate::util::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The names in `dir`.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn an_out_file_that_cannot_be_written_whole_leaves_the_old_one() {
    let dir = Dir::crafted();
    let before = names(dir.path());
    for (file, args) in [
        ("r.html", vec!["report", "--year", "2016"]),
        (
            "t.csv",
            vec!["tableau", "all", "--year", "2016", "--format", "csv"],
        ),
        (
            "t.xlsx",
            vec!["tableau", "all", "--year", "2016", "--format", "xlsx"],
        ),
    ] {
        let args: Vec<&str> = args.into_iter().chain(["--out", file]).collect();
        dir.run(&args).ok();
        let good = std::fs::read(dir.path().join(file)).unwrap();
        assert!(good.len() > 4096, "{file} is {} bytes", good.len());
        let run = run_limited(&dir, 2, &args);
        assert_eq!(run.code, 3, "{file}: {run:?}");
        assert!(
            run.stderr.contains(&format!("cannot write {file}")),
            "{}",
            run.stderr
        );
        assert_eq!(
            std::fs::read(dir.path().join(file)).unwrap(),
            good,
            "{file} kept whole"
        );
    }
    let mut expected = before;
    expected.extend(["r.html", "t.csv", "t.xlsx"].map(String::from));
    expected.sort();
    assert_eq!(names(dir.path()), expected, "no temporary file is left");
}

#[test]
fn an_export_that_fails_midway_leaves_no_file_and_the_next_one_works() {
    let dir = Dir::crafted();
    let out = dir.path().join("export");
    let run = run_limited(&dir, 1, &["export", "--parquet", path(&out)]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(names(&out).is_empty(), "{:?}", names(&out));
    let run = dir.run(&["export", "--parquet", path(&out)]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        names(&out).contains(&"plie.parquet".to_owned()),
        "{:?}",
        names(&out)
    );
    // Into an empty folder made beforehand, too.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    dir.run(&["export", "--parquet", path(&empty)]).ok();
    assert!(
        names(&empty).contains(&"parcours".to_owned()),
        "{:?}",
        names(&empty)
    );
}

#[test]
fn demo_and_generate_refuse_a_store_that_holds_data_unless_told_to_replace_it() {
    let dir = Dir::crafted();
    let status = dir.run(&["status", "--format", "csv"]).ok();
    let small = [
        "--scale", "0.01", "--plie", "2", "--from", "2017", "--to", "2017",
    ];
    for args in [
        vec!["demo", "--scale", "0.01"],
        [&["generate"][..], &small].concat(),
    ] {
        let run = dir.run(&args);
        assert_eq!(run.code, 1, "{args:?}: {run:?}");
        assert!(
            run.stderr.contains("already holds data")
                && run
                    .stderr
                    .contains("add --replace to replace its whole content"),
            "{}",
            run.stderr
        );
        assert_eq!(
            dir.run(&["status", "--format", "csv"]).ok(),
            status,
            "unchanged"
        );
    }
    let run = dir.run(&[&["generate"][..], &small, &["--replace"]].concat());
    let said = run.ok();
    assert!(
        said.contains(&format!("written to {}", dir.db().display())),
        "{said}"
    );
    let replaced = dir.run(&["status", "--format", "csv"]).ok();
    assert!(
        !replaced.contains("P44A"),
        "the real PLIE is gone: {replaced}"
    );
    assert_eq!(
        names(dir.path())
            .iter()
            .filter(|n| n.starts_with('.'))
            .count(),
        0
    );
    // An empty or absent store needs no --replace.
    let fresh = Dir::new();
    fresh.run(&[&["generate"][..], &small].concat()).ok();
}

#[test]
fn no_csv_cell_starts_a_formula() {
    let dir = Dir::new();
    let parcours = format!("{HEADER}\n{}\n", row("-P1", "a0"));
    let plie = "plie,nom,departement,region,extraction,complet_depuis\n-P1,=HYPERLINK(\"http://x\"),59,@SUM(A1),2017-12-31,1990-01-01\n";
    let folder = dir.transfer("ok", &[("parcours.csv", &parcours), ("plie.csv", plie)]);
    dir.import(&[&folder]);
    let status = dir.run(&["status", "--format", "csv"]).ok();
    assert!(status.contains("\n'-P1,59,'@SUM(A1),1,"), "{status}");
    let crosstab = dir
        .run(&[
            "crosstab",
            "--measure",
            "entrees",
            "--rows",
            "region",
            "--cols",
            "plie",
            "--year",
            "2017",
            "--format",
            "csv",
        ])
        .ok();
    assert!(
        crosstab.contains("'@SUM(A1)") && crosstab.contains("'-P1"),
        "{crosstab}"
    );
    for line in crate::util::csv_rows(&status)
        .iter()
        .chain(&crate::util::csv_rows(&crosstab))
    {
        for cell in line {
            let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && cell != "-";
            assert!(!risky || cell.parse::<f64>().is_ok(), "{cell:?}");
        }
    }
}

fn sha(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn a_reimport_of_unchanged_content_leaves_the_file_byte_for_byte() {
    let dir = Dir::new();
    let content = format!("{HEADER}\n{}", rows("P1", 40, 0));
    let folder = dir.transfer("t", &[("parcours.csv", &content)]);
    dir.import(&[&folder]);
    let before = sha(&dir.db());
    let run = dir.run(&["import", path(&folder)]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("unchanged"), "{}", run.stdout);
    assert!(sha(&dir.db()) == before, "the store file changed");
}

#[test]
fn a_refusal_found_between_rows_creates_no_store() {
    // Every row is valid on its own; the second is the first one again: the rule between rows
    // refuses the import after the rows were read, and the store it would create is not left.
    let dir = Dir::new();
    let r = rows("P1", 1, 0);
    let folder = dir.transfer("t", &[("parcours.csv", &format!("{HEADER}\n{r}{r}"))]);
    let run = dir.run(&["import", path(&folder)]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("parcours.csv:3:3"), "{}", run.stderr);
    assert!(!dir.db().exists(), "nothing was written");
}

#[test]
fn a_transfer_broken_on_every_row_is_counted_whole_and_shown_in_part() {
    // 1 100 rows, each with two broken fields: 2 200 errors.
    let dir = Dir::new();
    let body: String = (0..1100)
        .map(|i| row("P1", &format!("k{i}")).replace(",F,1980-05,", ",X,1980-13,") + "\n")
        .collect();
    let folder = dir.transfer("t", &[("parcours.csv", &format!("{HEADER}\n{body}"))]);
    let all = dir.path().join("errors.txt");
    let run = dir.run(&["import", path(&folder), "--errors", path(&all)]);
    assert_eq!(run.code, 1, "{run:?}");
    let positioned = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error: parcours.csv:"))
        .filter(|l| l.contains(" — rule: "))
        .count();
    assert_eq!(positioned, 1000, "{}", run.stderr);
    assert!(
        run.stderr.contains("… 1200 more error(s) not shown"),
        "{}",
        run.stderr
    );
    for rule in [
        "a coded value is one of the codes",
        "a birth month is YYYY-MM",
    ] {
        let line = format!("error: parcours.csv: 1100 error(s): {rule}");
        assert!(run.stderr.contains(&line), "{line}\n{}", run.stderr);
    }
    assert!(
        run.stderr.contains("refused (2200 errors)"),
        "{}",
        run.stderr
    );
    let written = std::fs::read_to_string(&all).unwrap();
    assert_eq!(written.lines().count(), 2200);
    assert!(written.lines().all(|l| l.starts_with("parcours.csv:")));
    assert!(!dir.db().exists(), "nothing was written");
}
