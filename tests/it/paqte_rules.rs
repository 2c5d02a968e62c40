//! Every rule of the commitments transfer (PAQTE.md, docs/paqte.md), broken once on top of the
//! crafted department 44: the import exits 1, names the file, line, column, value and rule, and
//! leaves the store as it was.

use consolide::transfer::Rule;

use crate::paqte::{crafted44, folder};
use crate::util::Dir;

pub(crate) struct Case {
    name: &'static str,
    file: &'static str,
    /// A line appended to the crafted file, or the whole file when `replace`.
    line: &'static str,
    replace: bool,
    /// `file:line:column (field)` of the expected error.
    at: &'static str,
    pub(crate) rule: Rule,
}

pub(crate) fn cases() -> Vec<Case> {
    let add = |name, file, line, at, rule| Case {
        name,
        file,
        line,
        replace: false,
        at,
        rule,
    };
    let whole = |name, file, line, at, rule| Case {
        name,
        file,
        line,
        replace: true,
        at,
        rule,
    };
    vec![
        whole(
            "empty file",
            "clubs.csv",
            "",
            "clubs.csv:1:0",
            Rule::EmptyFile,
        ),
        whole(
            "missing column",
            "clubs.csv",
            "club;departement\nCLUB44;44\n",
            "clubs.csv:1:0 (date_convention)",
            Rule::MissingColumn,
        ),
        add(
            "field count",
            "entreprises.csv",
            "555555555;Epsilon;PME;C",
            "entreprises.csv:6:0",
            Rule::FieldCount,
        ),
        add(
            "required value",
            "entreprises.csv",
            "555555555;Epsilon;;C;44",
            "entreprises.csv:6:3 (taille)",
            Rule::Required,
        ),
        add(
            "SIREN",
            "entreprises.csv",
            "55555555;Epsilon;PME;C;44",
            "entreprises.csv:6:1 (entreprise)",
            Rule::Siren,
        ),
        add(
            "size code",
            "entreprises.csv",
            "555555555;Epsilon;XXL;C;44",
            "entreprises.csv:6:3 (taille)",
            Rule::Code,
        ),
        add(
            "NAF section",
            "entreprises.csv",
            "555555555;Epsilon;PME;V;44",
            "entreprises.csv:6:4 (secteur)",
            Rule::Code,
        ),
        add(
            "department",
            "entreprises.csv",
            "555555555;Epsilon;PME;C;975",
            "entreprises.csv:6:5 (departement)",
            Rule::Departement,
        ),
        add(
            "company twice",
            "entreprises.csv",
            "111111111;Alpha bis;PME;C;44",
            "entreprises.csv:6:1 (entreprise)",
            Rule::DuplicateKey,
        ),
        add(
            "convention id",
            "conventions.csv",
            "C 4;111111111;44;PAQTE;2019-01-15;2020-01-14;FORMER",
            "conventions.csv:6:1 (convention)",
            Rule::Identifiant,
        ),
        add(
            "device code",
            "conventions.csv",
            "C4;111111111;44;PACTE;2019-01-15;2020-01-14;FORMER",
            "conventions.csv:6:4 (dispositif)",
            Rule::Code,
        ),
        add(
            "axes",
            "conventions.csv",
            "C4;111111111;44;PAQTE;2019-01-15;2020-01-14;FORMER|EMBAUCHER",
            "conventions.csv:6:7 (axes)",
            Rule::Axes,
        ),
        add(
            "empty axis",
            "conventions.csv",
            "C4;111111111;44;PAQTE;2019-01-15;2020-01-14;FORMER|",
            "conventions.csv:6:7 (axes)",
            Rule::Axes,
        ),
        add(
            "calendar date",
            "conventions.csv",
            "C4;111111111;44;PAQTE;2019-02-30;2020-01-14;FORMER",
            "conventions.csv:6:5 (debut)",
            Rule::Date,
        ),
        add(
            "date after the import",
            "conventions.csv",
            "C4;111111111;44;PAQTE;2999-01-15;3000-01-14;FORMER",
            "conventions.csv:6:5 (debut)",
            Rule::DateAfterImport,
        ),
        add(
            "date before 1990",
            "conventions.csv",
            "C4;111111111;44;PAQTE;1989-01-15;1990-01-14;FORMER",
            "conventions.csv:6:5 (debut)",
            Rule::DateBefore1990,
        ),
        add(
            "fin not after debut",
            "conventions.csv",
            "C4;111111111;44;PAQTE;2019-01-15;2019-01-15;FORMER",
            "conventions.csv:6:6 (fin)",
            Rule::ConventionDates,
        ),
        add(
            "PAQTE over three years",
            "conventions.csv",
            "C4;111111111;44;PAQTE;2019-01-15;2022-01-16;FORMER",
            "conventions.csv:6:6 (fin)",
            Rule::ConventionLength,
        ),
        add(
            "unknown company",
            "conventions.csv",
            "C4;999999999;44;PAQTE;2019-01-15;2020-01-14;FORMER",
            "conventions.csv:6:2 (entreprise)",
            Rule::UnknownReference,
        ),
        add(
            "convention twice",
            "conventions.csv",
            "C1;111111111;44;PAQTE;2019-01-15;2020-01-14;FORMER",
            "conventions.csv:6:1 (convention)",
            Rule::DuplicateKey,
        ),
        add(
            "indicator code",
            "engagements.csv",
            "C1;STAGES;2019;1",
            "engagements.csv:9:2 (indicateur)",
            Rule::Code,
        ),
        add(
            "year",
            "engagements.csv",
            "C1;STAGES_3E_REP;19;1",
            "engagements.csv:9:3 (annee)",
            Rule::Year,
        ),
        add(
            "objective",
            "engagements.csv",
            "C1;INTERVENTIONS_CLASSES;2019;-1",
            "engagements.csv:9:4 (objectif)",
            Rule::Number,
        ),
        add(
            "indicator outside the axes",
            "engagements.csv",
            "C1;ALTERNANTS_QPV;2019;1",
            "engagements.csv:9:2 (indicateur)",
            Rule::IndicateurAxe,
        ),
        add(
            "objective outside the convention",
            "engagements.csv",
            "C1;INTERVENTIONS_CLASSES;2023;1",
            "engagements.csv:9:3 (annee)",
            Rule::EngagementOutsideConvention,
        ),
        add(
            "unknown convention",
            "engagements.csv",
            "C9;INTERVENTIONS_CLASSES;2019;1",
            "engagements.csv:9:1 (convention)",
            Rule::UnknownReference,
        ),
        add(
            "semester",
            "realisations.csv",
            "C1;INTERVENTIONS_CLASSES;2019T2;1",
            "realisations.csv:9:3 (periode)",
            Rule::Periode,
        ),
        add(
            "realisation outside the convention",
            "realisations.csv",
            "C1;INTERVENTIONS_CLASSES;2018S2;1",
            "realisations.csv:9:3 (periode)",
            Rule::RealisationOutsideConvention,
        ),
        add(
            "realisation axis",
            "realisations.csv",
            "C3;STAGES_3E_REP;2019S2;1",
            "realisations.csv:9:2 (indicateur)",
            Rule::IndicateurAxe,
        ),
        add(
            "value",
            "realisations.csv",
            "C1;INTERVENTIONS_CLASSES;2019S2;1,234",
            "realisations.csv:9:4 (valeur)",
            Rule::Number,
        ),
        add(
            "count",
            "contexte.csv",
            "44;2020S1;beaucoup;5;58000;6100;",
            "contexte.csv:4:3 (qpv)",
            Rule::Integer,
        ),
        add(
            "contexte twice",
            "contexte.csv",
            "44;2019S2;15;5;58200;5900;",
            "contexte.csv:4:1 (departement)",
            Rule::DuplicateKey,
        ),
        add(
            "emplois francs objective above its parent",
            "engagements.csv",
            "C1;EMPLOIS_FRANCS;2019;4,5",
            "engagements.csv:9:4 (objectif)",
            Rule::EmploisFrancsAboveRecrutements,
        ),
        add(
            "emplois francs objective without its parent",
            "engagements.csv",
            "C1;EMPLOIS_FRANCS;2021;1",
            "engagements.csv:9:4 (objectif)",
            Rule::EmploisFrancsAboveRecrutements,
        ),
        add(
            "emplois francs realisation above its parent",
            "realisations.csv",
            "C1;EMPLOIS_FRANCS;2019S2;3",
            "realisations.csv:9:4 (valeur)",
            Rule::EmploisFrancsAboveRecrutements,
        ),
        add(
            "national renewal projects above the QPV",
            "contexte.csv",
            "44;2020S1;4;5;58000;6100;",
            "contexte.csv:4:4 (pru_nationaux)",
            Rule::ContexteAboveParent,
        ),
        add(
            "jobseekers in QPV above their population",
            "contexte.csv",
            "44;2020S1;14;5;5000;6100;",
            "contexte.csv:4:6 (defm_qpv)",
            Rule::ContexteAboveParent,
        ),
        add(
            "club in another department",
            "adhesions.csv",
            "CLUB44;333333333;2019-05-01",
            "adhesions.csv:5:1 (club)",
            Rule::AdhesionDepartement,
        ),
        add(
            "adhesion twice",
            "adhesions.csv",
            "CLUB44;111111111;2020-05-01",
            "adhesions.csv:5:1 (club)",
            Rule::DuplicateAdhesion,
        ),
        add(
            "unknown club",
            "adhesions.csv",
            "CLUB99;111111111;2020-05-01",
            "adhesions.csv:5:1 (club)",
            Rule::UnknownReference,
        ),
        add(
            "theme",
            "actions.csv",
            "CLUB44;111111111;15;OBJECTIF;2019T4;1",
            "actions.csv:6:3 (thematique)",
            Rule::Code,
        ),
        add(
            "nature",
            "actions.csv",
            "CLUB44;111111111;2;PREVU;2019T4;1",
            "actions.csv:6:4 (nature)",
            Rule::Code,
        ),
        add(
            "quarter",
            "actions.csv",
            "CLUB44;111111111;2;OBJECTIF;2019S2;1",
            "actions.csv:6:5 (periode)",
            Rule::Periode,
        ),
        add(
            "action twice",
            "actions.csv",
            "CLUB44;111111111;1;OBJECTIF;2019T4;3",
            "actions.csv:6:1 (club)",
            Rule::DuplicateKey,
        ),
    ]
}

#[test]
fn each_commitments_rule_is_refused_with_its_position_and_the_store_is_unchanged() {
    let dir = Dir::new();
    let base = folder(&dir, "base", &crafted44());
    dir.import(&[&base]);
    let state = || {
        dir.run(&[
            "paqte",
            "national",
            "--semestre",
            "2019S2",
            "--format",
            "csv",
        ])
        .ok()
    };
    let before = state();
    let mut failures = Vec::new();
    for (i, case) in cases().into_iter().enumerate() {
        let mut files = crafted44();
        let file = files
            .iter_mut()
            .find(|(n, _)| *n == case.file)
            .expect("a crafted file");
        if case.replace {
            file.1 = case.line.to_owned();
        } else {
            file.1.push_str(case.line);
            file.1.push('\n');
        }
        let path = folder(&dir, &format!("case{i}"), &files);
        let run = dir.run(&["import", path.to_str().unwrap()]);
        let line = run
            .stderr
            .lines()
            .find(|l| l.contains(case.rule.describe()));
        let no_value = case.replace || matches!(case.rule, Rule::FieldCount | Rule::Required);
        let value_quoted = no_value || line.is_some_and(|l| l.contains('"'));
        let ok = run.code == 1
            && line.is_some_and(|l| l.starts_with(&format!("error: {}", case.at)))
            && value_quoted
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
    assert_eq!(state(), before, "refused imports changed the store");
}

#[test]
fn a_folder_of_both_kinds_and_a_department_in_two_folders_are_refused() {
    let dir = Dir::new();
    let mut files = crafted44();
    files.push((
        "parcours.csv",
        "plie,participant,entree,sexe,naissance,public,inscrit_pe,th,niveau\n".into(),
    ));
    let both = folder(&dir, "both", &files);
    let run = dir.run(&["import", both.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("holds files of a PLIE transfer and of a commitments transfer"),
        "{}",
        run.stderr
    );

    let a = folder(&dir, "a", &crafted44());
    let b = folder(&dir, "b", &crafted44());
    let run = dir.run(&["import", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("department 44 is in two commitments transfers"),
        "{}",
        run.stderr
    );
    assert!(!dir.db().exists(), "nothing was written");
}

#[test]
fn sub_lines_equal_to_their_parent_are_imported() {
    let dir = Dir::new();
    let mut files = crafted44();
    for (name, line) in [
        ("engagements.csv", "C1;EMPLOIS_FRANCS;2019;4"),
        ("realisations.csv", "C1;EMPLOIS_FRANCS;2019S2;2"),
        ("contexte.csv", "44;2020S1;14;14;58000;58000;"),
    ] {
        let file = files.iter_mut().find(|(n, _)| *n == name).unwrap();
        file.1.push_str(line);
        file.1.push('\n');
    }
    let path = folder(&dir, "equal", &files);
    let out = dir.import(&[&path]);
    assert!(out.contains("department 44: new"), "{out}");
}
