//! Every rule of the transfer format, broken once, through the real binary: the import exits 1,
//! names the file, line, column and rule of each problem, and leaves the store as it was.

use consolide::transfer::Rule;

use crate::util::Dir;

const HEADER: &str =
    "plie,participant,entree,sortie,motif_sortie,sexe,naissance,public,inscrit_pe,th,niveau,inactivite,qpv,commune";
/// A valid row (line 2 of every parcours.csv below).
const GOOD: &str = "P1,a0,2017-03-02,,,F,1980-05,RSA,1,0,V,,,";

/// A transfer with `bad` as line 3 of parcours.csv.
fn parcours(bad: &str) -> Vec<(&'static str, String)> {
    vec![("parcours.csv", format!("{HEADER}\n{GOOD}\n{bad}\n"))]
}

/// A transfer whose parcours are valid, plus `file` with `content`.
fn with(file: &'static str, content: &str) -> Vec<(&'static str, String)> {
    let mut files = parcours("P1,a1,2016-01-04,2017-06-30,EMPLOI,H,1990-01,DELD,1,0,IV,12,1,44109");
    files.push((file, content.to_owned()));
    files
}

struct Case {
    name: &'static str,
    /// Bytes, so that a file may be invalid UTF-8.
    files: Vec<(&'static str, Vec<u8>)>,
    /// `file:line:column` of the expected error, and its rule.
    at: &'static str,
    rule: Rule,
}

fn cases() -> Vec<Case> {
    let case = |name, files: Vec<(&'static str, String)>, at, rule| Case {
        name,
        files: files
            .into_iter()
            .map(|(f, c)| (f, c.into_bytes()))
            .collect(),
        at,
        rule,
    };
    let bytes = |name, files: Vec<(&'static str, Vec<u8>)>, at, rule| Case {
        name,
        files,
        at,
        rule,
    };
    let etapes_h = "plie,participant,entree,type,debut,fin,finance_plie\n";
    let mut cases = vec![
        bytes(
            "a value that is not UTF-8",
            vec![(
                "parcours.csv",
                [
                    format!("{HEADER}\n{GOOD}\n").as_bytes(),
                    b"P1,B\xE9,2017-03-02,,,F,1980-05,RSA,1,0,V,,,\n",
                ]
                .concat(),
            )],
            "parcours.csv:3:2 (participant)",
            Rule::InvalidUtf8,
        ),
        bytes(
            "a column name that is not UTF-8",
            vec![(
                "parcours.csv",
                [b"plie,particip\xE9nt\n".as_slice(), b"P1,a1\n"].concat(),
            )],
            "parcours.csv:1:2",
            Rule::InvalidUtf8,
        ),
    ];
    cases.extend(vec![
        case("no parcours.csv", vec![("plie.csv", "plie\nP1\n".into())], "parcours.csv:0:0", Rule::MissingParcours),
        case("empty file", vec![("parcours.csv", String::new())], "parcours.csv:1:0", Rule::EmptyFile),
        case(
            "missing column",
            vec![("parcours.csv", "plie,participant,entree,sexe,naissance,public,inscrit_pe,th\nP1,a,2017-01-02,F,1980-01,RSA,1,0\n".into())],
            "parcours.csv:1:0 (niveau)",
            Rule::MissingColumn,
        ),
        case(
            "duplicate column",
            vec![("parcours.csv", format!("{HEADER},sexe\n{GOOD},F\n"))],
            "parcours.csv:1:15 (sexe)",
            Rule::DuplicateColumn,
        ),
        case("field count", parcours("P1,a1,2017-03-02,,,F,1980-05,RSA,1,0,V,,,,extra"), "parcours.csv:3:", Rule::FieldCount),
        case("required value", parcours("P1,a1,2017-03-02,,,,1980-05,RSA,1,0,V,,,"), "parcours.csv:3:6 (sexe)", Rule::Required),
        case("plie code", parcours("P#1,a1,2017-03-02,,,F,1980-05,RSA,1,0,V,,,"), "parcours.csv:3:1 (plie)", Rule::PlieCode),
        case(
            "participant key length",
            parcours(&format!("P1,{},2017-03-02,,,F,1980-05,RSA,1,0,V,,,", "k".repeat(65))),
            "parcours.csv:3:2 (participant)",
            Rule::Participant,
        ),
        case(
            "participant key is a NIR",
            parcours("P1,1 85 05 78 006 084,2017-03-02,,,F,1980-05,RSA,1,0,V,,,"),
            "parcours.csv:3:2 (participant)",
            Rule::ParticipantIdentity,
        ),
        case(
            "participant key is a NIR with dots, born in Corsica",
            parcours("P1,1.80.01.2A.004.123,2017-03-02,,,F,1980-05,RSA,1,0,V,,,"),
            "parcours.csv:3:2 (participant)",
            Rule::ParticipantIdentity,
        ),
        case(
            "participant key is an e-mail address",
            parcours("P1,jean.dupont@example.fr,2017-03-02,,,F,1980-05,RSA,1,0,V,,,"),
            "parcours.csv:3:2 (participant)",
            Rule::ParticipantIdentity,
        ),
        case(
            "participant key is a phone number",
            parcours("P1,06 12 34 56 78,2017-03-02,,,F,1980-05,RSA,1,0,V,,,"),
            "parcours.csv:3:2 (participant)",
            Rule::ParticipantIdentity,
        ),
        case(
            "participant key is a phone number with dots",
            parcours("P1,06.12.34.56.78,2017-03-02,,,F,1980-05,RSA,1,0,V,,,"),
            "parcours.csv:3:2 (participant)",
            Rule::ParticipantIdentity,
        ),
        case(
            "participant key is an international phone number",
            parcours("P1,+33 6 12 34 56 78,2017-03-02,,,F,1980-05,RSA,1,0,V,,,"),
            "parcours.csv:3:2 (participant)",
            Rule::ParticipantIdentity,
        ),
        case(
            "participant key is a phone number in the 0033 form",
            parcours("P1,0033-1-23-45-67-89,2017-03-02,,,F,1980-05,RSA,1,0,V,,,"),
            "parcours.csv:3:2 (participant)",
            Rule::ParticipantIdentity,
        ),
        case("calendar date", parcours("P1,a1,2017-02-29,,,F,1980-05,RSA,1,0,V,,,"), "parcours.csv:3:3 (entree)", Rule::Date),
        case("birth month", parcours("P1,a1,2017-03-02,,,F,1980-13,RSA,1,0,V,,,"), "parcours.csv:3:7 (naissance)", Rule::BirthMonth),
        case("boolean", parcours("P1,a1,2017-03-02,,,F,1980-05,RSA,peut-être,0,V,,,"), "parcours.csv:3:9 (inscrit_pe)", Rule::Boolean),
        case("code", parcours("P1,a1,2017-03-02,,,F,1980-05,RMI,1,0,V,,,"), "parcours.csv:3:8 (public)", Rule::Code),
        case("inactivite", parcours("P1,a1,2017-03-02,,,F,1980-05,RSA,1,0,V,-3,,"), "parcours.csv:3:12 (inactivite)", Rule::Inactivite),
        case("commune", parcours("P1,a1,2017-03-02,,,F,1980-05,RSA,1,0,V,,,4410"), "parcours.csv:3:14 (commune)", Rule::Commune),
        case("date before 1990", parcours("P1,a1,1989-12-31,,,F,1960-05,RSA,1,0,V,,,"), "parcours.csv:3:3 (entree)", Rule::DateBefore1990),
        case("date after the import", parcours("P1,a1,2999-01-01,,,F,1980-05,RSA,1,0,V,,,"), "parcours.csv:3:3 (entree)", Rule::DateAfterImport),
        case(
            "exit before entry",
            parcours("P1,a1,2017-03-02,2017-03-01,ABANDON,F,1980-05,RSA,1,0,V,,,"),
            "parcours.csv:3:4 (sortie)",
            Rule::ExitBeforeEntry,
        ),
        case("motif without sortie", parcours("P1,a1,2017-03-02,,ABANDON,F,1980-05,RSA,1,0,V,,,"), "parcours.csv:3:5 (motif_sortie)", Rule::MotifIffSortie),
        case("sortie without motif", parcours("P1,a1,2017-03-02,2017-04-01,,F,1980-05,RSA,1,0,V,,,"), "parcours.csv:3:5 (motif_sortie)", Rule::MotifIffSortie),
        case(
            "employment detail on another exit",
            vec![(
                "parcours.csv",
                format!("{HEADER},emploi_contrat\n{GOOD},\nP1,a1,2017-03-02,2017-04-01,FORMATION,F,1980-05,RSA,1,0,V,,,,CDI\n"),
            )],
            "parcours.csv:3:15 (emploi_contrat)",
            Rule::EmploiDetail,
        ),
        case(
            "training detail on another exit",
            vec![(
                "parcours.csv",
                format!("{HEADER},formation_domaine\n{GOOD},\nP1,a1,2017-03-02,2017-04-01,EMPLOI,F,1980-05,RSA,1,0,V,,,,BTP\n"),
            )],
            "parcours.csv:3:15 (formation_domaine)",
            Rule::FormationDetail,
        ),
        case("birth after entry", parcours("P1,a1,2017-03-02,,,F,2017-04,RSA,1,0,V,,,"), "parcours.csv:3:7 (naissance)", Rule::BirthAfterEntry),
        case("age under 15", parcours("P1,a1,2017-03-02,,,F,2002-04,RSA,1,0,V,,,"), "parcours.csv:3:7 (naissance)", Rule::AgeAtEntry),
        case("age over 99", parcours("P1,a1,2017-03-02,,,F,1917-03,RSA,1,0,V,,,"), "parcours.csv:3:7 (naissance)", Rule::AgeAtEntry),
        case("duplicate parcours", parcours("P1,a0,2017-03-02,,,F,1980-05,RSA,1,0,V,,,"), "parcours.csv:3:", Rule::DuplicateParcours),
        case(
            "overlapping parcours",
            vec![(
                "parcours.csv",
                format!("{HEADER}\nP1,a1,2016-01-04,2017-06-30,ABANDON,H,1990-01,DELD,1,0,IV,,,\nP1,a1,2017-06-30,,,H,1990-01,DELD,1,0,IV,,,\n"),
            )],
            "parcours.csv:3:",
            Rule::OverlappingParcours,
        ),
        case(
            "étape of no parcours",
            with("etapes.csv", &format!("{etapes_h}P1,a1,2016-01-05,MOBILISATION,2016-01-05,,1\n")),
            "etapes.csv:2:",
            Rule::UnknownParcours,
        ),
        case(
            "étape before its parcours",
            with("etapes.csv", &format!("{etapes_h}P1,a1,2016-01-04,MOBILISATION,2016-01-03,,1\n")),
            "etapes.csv:2:5 (debut)",
            Rule::DebutOutsideParcours,
        ),
        case(
            "étape ending before it starts",
            with("etapes.csv", &format!("{etapes_h}P1,a1,2016-01-04,IAE_ACI,2016-02-01,2016-01-31,1\n")),
            "etapes.csv:2:6 (fin)",
            Rule::FinBeforeDebut,
        ),
        case(
            "étape ending after the exit",
            with("etapes.csv", &format!("{etapes_h}P1,a1,2016-01-04,IAE_ACI,2016-02-01,2017-07-01,1\n")),
            "etapes.csv:2:6 (fin)",
            Rule::FinAfterSortie,
        ),
        case("étape type", with("etapes.csv", &format!("{etapes_h}P1,a1,2016-01-04,STAGE,2016-02-01,,1\n")), "etapes.csv:2:4 (type)", Rule::Code),
        case("department", with("plie.csv", "plie,departement\nP1,96\n"), "plie.csv:2:2 (departement)", Rule::Departement),
        case("count", with("plie.csv", "plie,communes\nP1,douze\n"), "plie.csv:2:2 (communes)", Rule::Integer),
        case("plie listed twice", with("plie.csv", "plie,departement\nP1,44\nP1,44\n"), "plie.csv:3:", Rule::DuplicatePlie),
        case(
            "ESF axis",
            with("financements.csv", "plie,annee,axe,financeur,direct,indirect\nP1,2017,5,FSE,100,0\n"),
            "financements.csv:2:3 (axe)",
            Rule::Axe,
        ),
        case(
            "amount",
            with("financements.csv", "plie;annee;axe;financeur;direct;indirect\nP1;2017;3;FSE;12,345;0\n"),
            "financements.csv:2:5 (direct)",
            Rule::Amount,
        ),
        case(
            "year",
            with("allocations.csv", "plie,annee,structure,montant,dont_fse\nP1,17,ACI,100,50\n"),
            "allocations.csv:2:2 (annee)",
            Rule::Year,
        ),
        case(
            "ESF part above the amount",
            with("allocations.csv", "plie,annee,structure,montant,dont_fse\nP1,2017,ACI,100,150\n"),
            "allocations.csv:2:5 (dont_fse)",
            Rule::DontFseAboveMontant,
        ),
        case(
            "complete from after the extraction",
            with("plie.csv", "plie,extraction,complet_depuis\nP1,2017-12-31,2018-01-01\n"),
            "plie.csv:2:3 (complet_depuis)",
            Rule::CompletAfterExtraction,
        ),
        case(
            "indicator value",
            with("activite.csv", "plie,annee,indicateur,valeur\nP1,2017,ETP,beaucoup\n"),
            "activite.csv:2:4 (valeur)",
            Rule::Number,
        ),
        case(
            "indicator code",
            with("activite.csv", "plie,annee,indicateur,valeur\nP1,2017,ETP total,1\n"),
            "activite.csv:2:3 (indicateur)",
            Rule::Indicateur,
        ),
        case(
            "étape of a refused parcours",
            vec![
                ("parcours.csv", format!("{HEADER}\n{GOOD}\nP1,a1,2016-01-04,,,H,1990-01,DELD,peut-être,0,IV,,,\n")),
                ("etapes.csv", format!("{etapes_h}P1,a1,2016-01-04,MOBILISATION,2016-01-05,,1\n")),
            ],
            "etapes.csv:2:3 (entree)",
            Rule::RejectedParcours,
        ),
    ]);
    cases
}

#[test]
fn each_rule_is_refused_with_its_position_and_the_store_is_unchanged() {
    let dir = Dir::new();
    let base = dir.fixture("crafted");
    dir.import(&[&base]);
    let before = dir.run(&["status", "--format", "csv"]).ok();
    let mut failures = Vec::new();
    for (i, case) in cases().into_iter().enumerate() {
        let folder = dir.path().join(format!("case{i}"));
        std::fs::create_dir_all(&folder).unwrap();
        for (file, content) in &case.files {
            std::fs::write(folder.join(file), content).unwrap();
        }
        let run = dir.run(&["import", folder.to_str().unwrap()]);
        let line = run
            .stderr
            .lines()
            .find(|l| l.contains(case.rule.describe()));
        let ok = run.code == 1
            && line.is_some_and(|l| l.starts_with(&format!("error: {}", case.at)))
            && run
                .stderr
                .lines()
                .last()
                .is_some_and(|l| l.contains("nothing was written"));
        if !ok {
            failures.push(format!(
                "{}: exit {}, expected {} {:?}\n{}",
                case.name, run.code, case.at, case.rule, run.stderr
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert_eq!(
        dir.run(&["status", "--format", "csv"]).ok(),
        before,
        "refused imports changed the store"
    );
}

#[test]
fn every_error_is_listed_not_only_the_first() {
    let dir = Dir::new();
    let folder = dir.transfer(
        "bad",
        &[(
            "parcours.csv",
            &format!(
                "{HEADER}\n{GOOD}\nP1,a1,2017-02-30,,,F,1980-05,RSA,1,0,V,,,\nP1,a2,2017-03-02,,,X,1980-05,RSA,1,0,V,,,\nP1,a3,2017-03-02,,,F,1980-05,RSA,1,0,Z,,,\n"
            ),
        )],
    );
    let run = dir.run(&["import", folder.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    let errors: Vec<&str> = run.stderr.lines().collect();
    assert!(
        errors[0].starts_with("error: parcours.csv:3:3 (entree)"),
        "{}",
        run.stderr
    );
    assert!(
        errors[1].starts_with("error: parcours.csv:4:6 (sexe)"),
        "{}",
        run.stderr
    );
    assert!(
        errors[2].starts_with("error: parcours.csv:5:11 (niveau)"),
        "{}",
        run.stderr
    );
    assert_eq!(
        errors[3],
        "error: the import was refused (3 errors); nothing was written"
    );
    assert!(
        run.stdout
            .contains("parcours.csv  *        4         0         3"),
        "{}",
        run.stdout
    );
    assert!(
        !dir.db().exists(),
        "a refused first import creates no store"
    );
}

#[test]
fn rejects_keeps_the_refused_rows_untouched_and_imports_the_rest() {
    let dir = Dir::new();
    let bad_row = "P1;a2;\"31/02/2017\";;;F;1980-05;RSA;oui;non;V;;;";
    let content = format!(
        "\u{feff}{}\r\n{}\r\n{bad_row}\r\nP1;a3;01/03/2017;;;H;1980-05;DELD;1;0;IV;;;\r\n",
        HEADER.replace(',', ";"),
        GOOD.replace(',', ";")
    );
    let folder = dir.transfer("mixed", &[("parcours.csv", &content)]);
    let rejects = dir.path().join("rejets");
    let run = dir.run(&[
        "import",
        folder.to_str().unwrap(),
        "--rejects",
        rejects.to_str().unwrap(),
        "--max-rejected",
        "50",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("PLIE P1: new, 2 parcours"),
        "{}",
        run.stdout
    );
    let kept = std::fs::read_to_string(rejects.join("mixed/parcours.csv")).unwrap();
    assert_eq!(
        kept,
        format!("{}\r\n{bad_row}\r\n", HEADER.replace(',', ";"))
    );
    let report = std::fs::read_to_string(rejects.join("mixed/rapport.txt")).unwrap();
    assert!(report.starts_with("parcours.csv:3:3 (entree)"), "{report}");
}

#[test]
fn an_identity_key_is_refused_without_being_echoed_and_pseudonyms_pass() {
    let dir = Dir::new();
    let identities = [
        "1 85 05 78 006 084",
        "jean.dupont@example.fr",
        "06-12-34-56-78",
        "+33 (0)6 12 34 56 78",
    ];
    let rows: String = identities
        .iter()
        .enumerate()
        .map(|(i, key)| format!("P1;{key};0{}/03/2017;;;F;1980-05;RSA;1;0;V;;;\n", i + 1))
        .collect();
    let folder = dir.transfer(
        "identities",
        &[(
            "parcours.csv",
            &format!("{}\n{rows}", HEADER.replace(',', ";")),
        )],
    );
    let run = dir.run(&["import", folder.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{run:?}");
    for (i, key) in identities.iter().enumerate() {
        assert!(
            run.stderr
                .contains(&format!("error: parcours.csv:{}:2 (participant)", i + 2)),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains(key), "{key} echoed: {}", run.stderr);
    }
    assert!(run.stderr.contains("social-security number (NIR)"));
    assert!(run.stderr.contains("an e-mail address"));
    assert!(run.stderr.contains("a French phone number"));
    assert!(!dir.db().exists(), "nothing was written");

    let pseudonyms = [
        "a01",
        "1234567890",
        "0012345678",
        "550e8400-e29b-41d4-a716-446655440000",
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "P44-000123",
        "agent@plie",
    ];
    let rows: String = pseudonyms
        .iter()
        .map(|key| format!("P1,{key},2017-03-02,,,F,1980-05,RSA,1,0,V,,,\n"))
        .collect();
    let folder = dir.transfer(
        "pseudonyms",
        &[("parcours.csv", &format!("{HEADER}\n{rows}"))],
    );
    let run = dir.run(&["import", folder.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("PLIE P1: new, 7 parcours"),
        "{}",
        run.stdout
    );
}

/// Every rule has a case through the binary, here for the PLIE transfers or in `paqte_rules` for
/// the commitments' files: a rule added without one fails here.
#[test]
fn every_rule_has_a_case_through_the_binary() {
    let covered: Vec<Rule> = cases()
        .iter()
        .map(|c| c.rule)
        .chain(crate::paqte_rules::cases().iter().map(|c| c.rule))
        .collect();
    let missing: Vec<&Rule> = Rule::ALL.iter().filter(|r| !covered.contains(r)).collect();
    assert!(missing.is_empty(), "rules without a case: {missing:?}");
}
