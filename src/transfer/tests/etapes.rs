//! One test per rule of etapes.csv, against two parcours: A (P1, entered 2017-03-02, exited
//! 2017-12-31) at line 2, and B (P1, entered 2017-01-10, still going on) at line 3.

use super::*;

fn parcours_ab() -> String {
    parcours_csv(&[
        prow(&[("sortie", "2017-12-31"), ("motif_sortie", "ABANDON")]),
        prow(&[("participant", "B"), ("entree", "2017-01-10")]),
    ])
}

/// Reads [good étape, faulty étape, good étape] and asserts the one error at line 3.
#[track_caller]
fn faulty(over: &[(&str, &str)], field: &str, rule: Rule) -> RowError {
    let etapes = csv(
        &E_HEADER,
        &[
            erow(&[]),
            erow(over),
            erow(&[("participant", "B"), ("entree", "2017-01-10")]),
        ],
    );
    let t = read_files(
        &[
            ("parcours.csv", parcours_ab().as_bytes()),
            ("etapes.csv", etapes.as_bytes()),
        ],
        false,
    );
    let e = only_error(
        &t,
        "etapes.csv",
        3,
        Some(col(&E_HEADER, field)),
        Some(field),
        rule,
    );
    assert_eq!(t.etapes.len(), 2);
    assert_eq!(t.parcours.len(), 2, "the parcours are not affected");
    assert_eq!(t.files[1].rejected, 1);
    e.clone()
}

#[test]
fn valid_etapes() {
    let etapes = csv(
        &E_HEADER,
        &[
            erow(&[("fin", "2017-12-31"), ("finance_plie", "1")]),
            erow(&[
                ("participant", "B"),
                ("entree", "10/1/2017"),
                ("debut", "2018-06-30"),
            ]),
        ],
    );
    let t = read_files(
        &[
            ("parcours.csv", parcours_ab().as_bytes()),
            ("etapes.csv", etapes.as_bytes()),
        ],
        false,
    );
    assert!(t.errors.is_empty(), "{:?}", t.errors);
    assert_eq!(t.etapes.len(), 2);
    assert!(t.etapes[0].finance_plie);
    assert_eq!(t.etapes[1].entree, t.parcours[1].entree);
}

#[test]
fn rule_required_in_etapes() {
    for field in ["plie", "participant", "entree", "type", "debut"] {
        faulty(&[(field, "")], field, Rule::Required);
    }
}

#[test]
fn rule_code_in_etapes() {
    faulty(&[("type", "STAGE")], "type", Rule::Code);
}

#[test]
fn rule_boolean_in_etapes() {
    faulty(
        &[("finance_plie", "peut-être")],
        "finance_plie",
        Rule::Boolean,
    );
}

#[test]
fn rule_date_rules_in_etapes() {
    faulty(&[("debut", "2017-13-01")], "debut", Rule::Date);
    faulty(&[("fin", "2018-07-01")], "fin", Rule::DateAfterImport);
    faulty(&[("fin", "1989-01-01")], "fin", Rule::DateBefore1990);
}

#[test]
fn rule_unknown_parcours() {
    let e = faulty(
        &[("entree", "2017-03-03"), ("debut", "2017-03-04")],
        "entree",
        Rule::UnknownParcours,
    );
    assert_eq!(e.value.as_deref(), Some("2017-03-03"));
    faulty(&[("participant", "a")], "entree", Rule::UnknownParcours);
    faulty(&[("plie", "P2")], "entree", Rule::UnknownParcours);
}

#[test]
fn rule_rejected_parcours() {
    let parcours = parcours_csv(&[
        prow(&[("sortie", "2017-12-31"), ("motif_sortie", "ABANDON")]),
        prow(&[
            ("participant", "B"),
            ("entree", "2017-01-10"),
            ("th", "peut-être"),
        ]),
    ]);
    let etapes = csv(
        &E_HEADER,
        &[
            erow(&[]),
            erow(&[("participant", "B"), ("entree", "2017-01-10")]),
        ],
    );
    let t = read_files(
        &[
            ("parcours.csv", parcours.as_bytes()),
            ("etapes.csv", etapes.as_bytes()),
        ],
        true,
    );
    assert_eq!(t.errors.len(), 2);
    assert_eq!(t.errors[0].rule, Rule::Boolean);
    let e = &t.errors[1];
    assert_eq!(
        (
            e.position.file.as_str(),
            e.position.line,
            e.position.column,
            e.rule
        ),
        ("etapes.csv", 3, Some(3), Rule::RejectedParcours)
    );
    assert!(e.message.contains("parcours.csv line 3"), "{}", e.message);
    assert_eq!(t.etapes.len(), 1);
    assert_eq!(
        t.rejects.len(),
        2,
        "the parcours and its étape are both in the rejects"
    );
    assert_eq!(t.rejects[1].file, "etapes.csv");
    assert_eq!(t.rejects[1].rows[0].0, 3);
}

#[test]
fn rule_rejected_parcours_with_an_unreadable_exit() {
    let parcours = parcours_csv(&[prow(&[
        ("sortie", "2017-13-01"),
        ("motif_sortie", "ABANDON"),
    ])]);
    let etapes = csv(&E_HEADER, &[erow(&[])]);
    let t = read_files(
        &[
            ("parcours.csv", parcours.as_bytes()),
            ("etapes.csv", etapes.as_bytes()),
        ],
        false,
    );
    let rules: Vec<Rule> = t.errors.iter().map(|e| e.rule).collect();
    assert_eq!(rules, [Rule::Date, Rule::RejectedParcours]);
}

#[test]
fn rule_debut_outside_parcours() {
    let e = faulty(
        &[("debut", "2017-03-01")],
        "debut",
        Rule::DebutOutsideParcours,
    );
    assert!(
        e.message.contains("before the entry date 2017-03-02"),
        "{}",
        e.message
    );
    let e = faulty(
        &[("debut", "2018-01-01")],
        "debut",
        Rule::DebutOutsideParcours,
    );
    assert!(
        e.message.contains("after the exit date 2017-12-31"),
        "{}",
        e.message
    );
}

#[test]
fn rule_fin_before_debut() {
    faulty(
        &[("debut", "2017-05-02"), ("fin", "2017-05-01")],
        "fin",
        Rule::FinBeforeDebut,
    );
}

#[test]
fn rule_fin_after_sortie() {
    faulty(&[("fin", "2018-01-01")], "fin", Rule::FinAfterSortie);
}

#[test]
fn rule_plie_code_in_etapes() {
    faulty(&[("plie", "P 1")], "plie", Rule::PlieCode);
}

#[test]
fn participants_with_one_hash_are_still_told_apart() {
    // Under test, keys starting with "same-hash" all hash to one value.
    let closed = |who, entree, sortie| {
        prow(&[
            ("participant", who),
            ("entree", entree),
            ("sortie", sortie),
            ("motif_sortie", "ABANDON"),
        ])
    };
    let parcours = parcours_csv(&[
        closed("same-hash-1", "2017-01-02", "2017-06-30"),
        closed("same-hash-2", "2017-01-02", "2017-03-31"),
        closed("same-hash-1", "2017-07-01", "2017-12-31"),
        closed("same-hash-2", "2017-03-31", "2017-12-31"),
        closed("same-hash-2", "2017-01-02", "2017-02-28"),
    ]);
    let etapes = csv(
        &E_HEADER,
        &[
            erow(&[
                ("participant", "same-hash-1"),
                ("entree", "2017-01-02"),
                ("debut", "2017-06-30"),
            ]),
            erow(&[
                ("participant", "same-hash-2"),
                ("entree", "2017-01-02"),
                ("debut", "2017-03-31"),
            ]),
            erow(&[
                ("participant", "same-hash-2"),
                ("entree", "2017-01-02"),
                ("debut", "2017-04-01"),
            ]),
            erow(&[
                ("participant", "same-hash-3"),
                ("entree", "2017-01-02"),
                ("debut", "2017-04-01"),
            ]),
        ],
    );
    let t = read_files(
        &[
            ("parcours.csv", parcours.as_bytes()),
            ("etapes.csv", etapes.as_bytes()),
        ],
        false,
    );
    let got: Vec<(&str, u64, Rule)> = t
        .errors
        .iter()
        .map(|e| (e.position.file.as_str(), e.position.line, e.rule))
        .collect();
    assert_eq!(
        got,
        [
            ("parcours.csv", 5, Rule::OverlappingParcours),
            ("parcours.csv", 6, Rule::DuplicateParcours),
            ("etapes.csv", 4, Rule::DebutOutsideParcours),
            ("etapes.csv", 5, Rule::UnknownParcours),
        ]
    );
    assert!(t.errors[0].message.contains("at line 3"), "{}", t.errors[0]);
    assert!(t.errors[1].message.contains("at line 3"), "{}", t.errors[1]);
}
