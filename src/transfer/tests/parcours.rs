//! One test per rule of parcours.csv: a good row at line 2, the faulty row at line 3, another good
//! row at line 4 (unless said otherwise).

use super::*;
use crate::model::Inactivite;

/// Reads [good, faulty, good] and asserts the one error at line 3 in `field` for `rule`.
#[track_caller]
fn faulty(over: &[(&str, &str)], field: &str, rule: Rule) -> RowError {
    let mut bad = over.to_vec();
    if !over.iter().any(|(n, _)| *n == "participant") {
        bad.push(("participant", "BAD"));
    }
    let t = read_parcours(&[prow(&[]), prow(&bad), prow(&[("participant", "C")])]);
    parcours_error(&t, 3, field, rule, 2).clone()
}

#[test]
fn rule_required() {
    for field in [
        "participant",
        "entree",
        "sexe",
        "naissance",
        "public",
        "inscrit_pe",
        "th",
        "niveau",
    ] {
        let e = faulty(&[(field, "")], field, Rule::Required);
        assert_eq!(e.value, None);
    }
    let t = read_parcours(&[prow(&[]), prow(&[("plie", "")])]);
    parcours_error(&t, 3, "plie", Rule::Required, 1);
    assert_eq!(
        t.files[0].per_plie[""],
        (1, 1),
        "unreadable PLIE counted under \"\""
    );
}

#[test]
fn rule_plie_code() {
    for bad in ["P 1", "PLIE/44", "é", &"P".repeat(33)] {
        let t = read_parcours(&[prow(&[]), prow(&[("plie", bad)])]);
        let e = parcours_error(&t, 3, "plie", Rule::PlieCode, 1);
        assert_eq!(e.value.as_deref(), Some(bad));
    }
    let ok = "Az09_-".repeat(5) + "xy";
    let t = read_parcours(&[prow(&[("plie", &ok)])]);
    assert!(t.errors.is_empty(), "{:?}", t.errors);
}

#[test]
fn rule_participant() {
    faulty(
        &[("participant", &"é".repeat(65))],
        "participant",
        Rule::Participant,
    );
    let t = read_parcours(&[prow(&[("participant", &"é".repeat(64))])]);
    assert!(t.errors.is_empty(), "64 characters of 2 bytes are fine");
}

#[test]
fn rule_participant_nir() {
    let e = faulty(
        &[("participant", "1 85 05 78 006 084")],
        "participant",
        Rule::ParticipantIdentity,
    );
    assert!(e.message.contains("social-security"));
}

#[test]
fn rule_date() {
    for bad in [
        "2017-02-30",
        "2017/03/02",
        "2017-3-2",
        "32/1/2017",
        "1/13/2017",
        "hier",
    ] {
        faulty(&[("entree", bad)], "entree", Rule::Date);
    }
    faulty(
        &[("sortie", "31/06/2017"), ("motif_sortie", "ABANDON")],
        "sortie",
        Rule::Date,
    );
}

#[test]
fn rule_birth_month() {
    for bad in ["1985-4", "1985-13", "04/1985", "1985-04-01", "85-04"] {
        faulty(&[("naissance", bad)], "naissance", Rule::BirthMonth);
    }
}

#[test]
fn rule_boolean() {
    faulty(&[("th", "2")], "th", Rule::Boolean);
    faulty(&[("inscrit_pe", "yes")], "inscrit_pe", Rule::Boolean);
    faulty(&[("qpv", "vrai")], "qpv", Rule::Boolean);
}

#[test]
fn rule_code() {
    let e = faulty(&[("public", "RSAX")], "public", Rule::Code);
    assert!(e.message.contains("DELD, RSA, AUTRE"), "{}", e.message);
    faulty(&[("sexe", "M")], "sexe", Rule::Code);
    faulty(&[("niveau", "V BIS")], "niveau", Rule::Code);
    faulty(
        &[("sortie", "2017-06-01"), ("motif_sortie", "RETRAITE")],
        "motif_sortie",
        Rule::Code,
    );
    let emploi = [("sortie", "2017-06-01"), ("motif_sortie", "EMPLOI")];
    faulty(
        &[emploi[0], emploi[1], ("emploi_secteur", "V")],
        "emploi_secteur",
        Rule::Code,
    );
    faulty(
        &[emploi[0], emploi[1], ("emploi_taille", "10-50")],
        "emploi_taille",
        Rule::Code,
    );
    let formation = [("sortie", "2017-06-01"), ("motif_sortie", "FORMATION")];
    faulty(
        &[formation[0], formation[1], ("formation_domaine", "CUISINE")],
        "formation_domaine",
        Rule::Code,
    );
}

#[test]
fn rule_integer() {
    let formation = [("sortie", "2017-06-01"), ("motif_sortie", "FORMATION")];
    for bad in ["-1", "2.5", "trois", "70000"] {
        faulty(
            &[formation[0], formation[1], ("formation_duree_mois", bad)],
            "formation_duree_mois",
            Rule::Integer,
        );
    }
}

#[test]
fn rule_inactivite() {
    for bad in ["-3", "abc", "65534", "1.5"] {
        faulty(&[("inactivite", bad)], "inactivite", Rule::Inactivite);
    }
    let t = read_parcours(&[
        prow(&[("inactivite", "65533")]),
        prow(&[("participant", "B"), ("inactivite", "jamais")]),
        prow(&[("participant", "C")]),
    ]);
    assert!(t.errors.is_empty());
    let got: Vec<Inactivite> = t.parcours.iter().map(|p| p.inactivite).collect();
    assert_eq!(
        got,
        [
            Inactivite::Mois(Inactivite::MAX_MOIS),
            Inactivite::Jamais,
            Inactivite::Inconnue
        ]
    );
}

#[test]
fn rule_commune() {
    for bad in ["4410", "441090", "2C004", "44 10"] {
        faulty(&[("commune", bad)], "commune", Rule::Commune);
    }
}

#[test]
fn rule_date_before_1990() {
    faulty(&[("entree", "31/12/1989")], "entree", Rule::DateBefore1990);
    let t = read_parcours(&[prow(&[("entree", "1990-01-01"), ("naissance", "1950-01")])]);
    assert!(t.errors.is_empty(), "{:?}", t.errors);
}

#[test]
fn rule_date_after_import() {
    faulty(&[("entree", "2018-07-01")], "entree", Rule::DateAfterImport);
    faulty(
        &[("sortie", "2018-07-01"), ("motif_sortie", "ABANDON")],
        "sortie",
        Rule::DateAfterImport,
    );
    let t = read_parcours(&[prow(&[("entree", "2018-06-30")])]);
    assert!(t.errors.is_empty(), "the day of the import itself is fine");
}

#[test]
fn rule_exit_before_entry() {
    faulty(
        &[("sortie", "2017-03-01"), ("motif_sortie", "ABANDON")],
        "sortie",
        Rule::ExitBeforeEntry,
    );
    let t = read_parcours(&[prow(&[
        ("sortie", "2017-03-02"),
        ("motif_sortie", "ABANDON"),
    ])]);
    assert!(t.errors.is_empty(), "an exit on the entry day is fine");
}

#[test]
fn rule_motif_iff_sortie() {
    let e = faulty(
        &[("motif_sortie", "ABANDON")],
        "motif_sortie",
        Rule::MotifIffSortie,
    );
    assert_eq!(e.value.as_deref(), Some("ABANDON"));
    let e = faulty(
        &[("sortie", "2017-06-01")],
        "motif_sortie",
        Rule::MotifIffSortie,
    );
    assert_eq!(e.value, None);
}

#[test]
fn rule_emploi_detail() {
    let abandon = [("sortie", "2017-06-01"), ("motif_sortie", "ABANDON")];
    let e = faulty(
        &[abandon[0], abandon[1], ("emploi_secteur", "C")],
        "emploi_secteur",
        Rule::EmploiDetail,
    );
    assert!(
        e.message.contains("motif_sortie is ABANDON"),
        "{}",
        e.message
    );
    faulty(
        &[("emploi_contrat", "CDI")],
        "emploi_contrat",
        Rule::EmploiDetail,
    );
    let formation = [("sortie", "2017-06-01"), ("motif_sortie", "FORMATION")];
    faulty(
        &[formation[0], formation[1], ("emploi_mesure", "AUCUNE")],
        "emploi_mesure",
        Rule::EmploiDetail,
    );
}

#[test]
fn rule_formation_detail() {
    let emploi = [("sortie", "2017-06-01"), ("motif_sortie", "EMPLOI")];
    faulty(
        &[emploi[0], emploi[1], ("formation_duree_mois", "6")],
        "formation_duree_mois",
        Rule::FormationDetail,
    );
    faulty(
        &[("formation_niveau", "IV")],
        "formation_niveau",
        Rule::FormationDetail,
    );
}

#[test]
fn rule_birth_after_entry() {
    faulty(
        &[("naissance", "2017-04")],
        "naissance",
        Rule::BirthAfterEntry,
    );
    faulty(
        &[("entree", "2017-03-01"), ("naissance", "2017-03")],
        "naissance",
        Rule::BirthAfterEntry,
    );
}

#[test]
fn rule_age_at_entry() {
    // Entry 2017-03-02: born 2002-03 is 15, born 2002-04 is 14.
    faulty(&[("naissance", "2002-04")], "naissance", Rule::AgeAtEntry);
    faulty(&[("naissance", "1917-03")], "naissance", Rule::AgeAtEntry);
    let t = read_parcours(&[
        prow(&[("naissance", "2002-03")]),
        prow(&[("participant", "B"), ("naissance", "1917-04")]),
    ]);
    assert!(t.errors.is_empty(), "15 and 99 are fine: {:?}", t.errors);
}

#[test]
fn rule_duplicate_parcours() {
    let t = read_parcours(&[
        prow(&[]),
        prow(&[("participant", "B")]),
        prow(&[("entree", "02/03/2017")]),
    ]);
    let e = only_error(
        &t,
        "parcours.csv",
        4,
        Some(3),
        Some("entree"),
        Rule::DuplicateParcours,
    );
    assert_eq!(e.value.as_deref(), Some("02/03/2017"));
    assert!(e.message.contains("at line 2"), "{}", e.message);
    assert_eq!(t.parcours.len(), 2, "the first one is kept");
    assert_eq!(t.parcours[0].participant, "A");
}

#[test]
fn rule_overlapping_parcours() {
    let closed = |entree, sortie| {
        vec![
            ("entree", entree),
            ("sortie", sortie),
            ("motif_sortie", "ABANDON"),
        ]
    };
    let t = read_parcours(&[
        prow(&closed("2015-01-01", "2016-01-01")),
        // Starts on the exit day of line 2.
        prow(&closed("2016-01-01", "2016-03-01")),
        // The day after line 3's exit: fine.
        prow(&closed("2016-03-02", "2016-04-01")),
        // Other PLIE, other participant spelling: never compared.
        prow(&[("plie", "P2"), ("entree", "2015-06-01")]),
        prow(&[("participant", "a"), ("entree", "2015-06-01")]),
    ]);
    let e = only_error(
        &t,
        "parcours.csv",
        3,
        Some(3),
        Some("entree"),
        Rule::OverlappingParcours,
    );
    assert!(e.message.contains("at line 2"), "{}", e.message);
    assert_eq!(t.parcours.len(), 4);

    // The later row by entry date is named, whatever the file order; an open parcours overlaps
    // everything after it.
    let t = read_parcours(&[
        prow(&[("entree", "2017-06-01")]),
        prow(&[("entree", "2016-01-04")]),
    ]);
    let e = only_error(
        &t,
        "parcours.csv",
        2,
        Some(3),
        Some("entree"),
        Rule::OverlappingParcours,
    );
    assert!(
        e.message.contains("at line 3") && e.message.contains("still going on"),
        "{}",
        e.message
    );

    // A long parcours overlaps a later one even past a short one inside it.
    let t = read_parcours(&[
        prow(&closed("2010-01-01", "2016-12-31")),
        prow(&closed("2011-01-01", "2011-02-01")),
        prow(&closed("2012-01-01", "2012-02-01")),
    ]);
    let lines: Vec<u64> = t.errors.iter().map(|e| e.position.line).collect();
    assert_eq!(lines, [3, 4]);
    assert!(t.errors.iter().all(|e| e.message.contains("at line 2")));
}

#[test]
fn an_invalid_row_still_takes_part_in_the_pair_rules() {
    let t = read_parcours(&[prow(&[("sexe", "X")]), prow(&[])]);
    let rules: Vec<Rule> = t.errors.iter().map(|e| e.rule).collect();
    assert_eq!(rules, [Rule::Code, Rule::DuplicateParcours]);
    assert!(t.parcours.is_empty());
}
