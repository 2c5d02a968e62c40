//! One test per rule of plie.csv, financements.csv, allocations.csv and activite.csv: a good row at
//! line 2, the faulty row at line 3.

use super::*;
use crate::model::{Financeur, GestionFse, Structure};

/// Reads `file` (`header` then `good` then `bad`) beside a valid parcours.csv and asserts the
/// one error at line 3 in column `column` (`field`).
#[track_caller]
fn faulty(file: &str, header: &str, good: &str, bad: &str, field: &str, rule: Rule) -> RowError {
    let parcours = parcours_csv(&[prow(&[])]);
    let content = format!("{header}\n{good}\n{bad}\n");
    let t = read_files(
        &[
            ("parcours.csv", parcours.as_bytes()),
            (file, content.as_bytes()),
        ],
        false,
    );
    let column = header
        .split([',', ';'])
        .position(|c| c == field)
        .map(|i| i + 1);
    let e = only_error(&t, file, 3, column, Some(field), rule).clone();
    assert_eq!((t.files[1].read, t.files[1].rejected), (2, 1));
    e
}

const PLIE: &str = "plie,nom,departement,region,communes,structure_porteuse,gestion_fse";
const PLIE_GOOD: &str = "P1,PLIE un,44,Pays de la Loire,24,Nantes Métropole,OI_PIVOT";
const FIN: &str = "plie,annee,axe,financeur,direct,indirect,mobilise";
const FIN_GOOD: &str = "P1,2017,3,FSE,1000,500,1";
const ALLOC: &str = "plie,annee,structure,montant,dont_fse";
const ALLOC_GOOD: &str = "P1,2017,ACI,1000,500";
const ACT: &str = "plie,annee,indicateur,valeur";
const ACT_GOOD: &str = "P1,2017,ETP,2.5";

#[test]
fn valid_annexes() {
    let parcours = parcours_csv(&[prow(&[])]);
    let t = read_files(
        &[
            ("parcours.csv", parcours.as_bytes()),
            (
                "plie.csv",
                format!("{PLIE}\n{PLIE_GOOD}\nP2,,2A,,,,\n").as_bytes(),
            ),
            (
                "financements.csv",
                format!("{FIN}\n{FIN_GOOD}\nP3,2017,4,ETAT,,,\n").as_bytes(),
            ),
            (
                "allocations.csv",
                format!("{ALLOC}\n{ALLOC_GOOD}\nP1,2018,EI,0,\n").as_bytes(),
            ),
            (
                "activite.csv",
                format!("{ACT}\n{ACT_GOOD}\nP1,2017,nb_reunions,12\n").as_bytes(),
            ),
        ],
        false,
    );
    assert!(t.errors.is_empty(), "{:?}", t.errors);
    assert_eq!(
        t.plies.iter().collect::<Vec<_>>(),
        ["P1", "P2", "P3"],
        "the union of all files"
    );
    assert_eq!(t.plie_info[0].gestion_fse, Some(GestionFse::OiPivot));
    assert_eq!(t.plie_info[0].communes, Some(24));
    assert_eq!(t.plie_info[1].departement.as_deref(), Some("2A"));
    assert_eq!(t.plie_info[1].nom, None);
    let f = &t.financements[1];
    assert_eq!(
        (
            f.financeur,
            f.direct_centimes,
            f.indirect_centimes,
            f.mobilise
        ),
        (Financeur::Etat, 0, 0, true)
    );
    assert_eq!(t.allocations[1].structure, Structure::Ei);
    assert_eq!(t.allocations[1].dont_fse_centimes, 0);
    assert_eq!(t.activite[1].indicateur, "NB_REUNIONS");
    assert_eq!(t.activite[1].valeur_centiemes, 1200);
    assert_eq!(
        t.files.iter().map(|f| f.file.as_str()).collect::<Vec<_>>(),
        [
            "parcours.csv",
            "plie.csv",
            "financements.csv",
            "allocations.csv",
            "activite.csv"
        ]
    );
}

#[test]
fn rule_duplicate_plie() {
    let e = faulty(
        "plie.csv",
        PLIE,
        PLIE_GOOD,
        "P1,autre nom,,,,,",
        "plie",
        Rule::DuplicatePlie,
    );
    assert!(e.message.contains("line 2"), "{}", e.message);
}

#[test]
fn rule_departement() {
    for bad in ["20", "4", "977", "2C", "Loire-Atlantique"] {
        faulty(
            "plie.csv",
            PLIE,
            PLIE_GOOD,
            &format!("P2,,{bad},,,,"),
            "departement",
            Rule::Departement,
        );
    }
}

#[test]
fn rule_integer_communes() {
    faulty(
        "plie.csv",
        PLIE,
        PLIE_GOOD,
        "P2,,,,-1,,",
        "communes",
        Rule::Integer,
    );
}

#[test]
fn rule_code_gestion_fse() {
    faulty(
        "plie.csv",
        PLIE,
        PLIE_GOOD,
        "P2,,,,,,OI",
        "gestion_fse",
        Rule::Code,
    );
}

#[test]
fn rule_plie_code_in_annexes() {
    faulty(
        "plie.csv",
        PLIE,
        PLIE_GOOD,
        "P 2,,,,,,",
        "plie",
        Rule::PlieCode,
    );
}

#[test]
fn rule_year() {
    for bad in ["1989", "17", "2019", "an 2017"] {
        faulty(
            "financements.csv",
            FIN,
            FIN_GOOD,
            &format!("P1,{bad},4,FSE,1,1,1"),
            "annee",
            Rule::Year,
        );
    }
}

#[test]
fn rule_axe() {
    faulty(
        "financements.csv",
        FIN,
        FIN_GOOD,
        "P1,2017,5,FSE,1,1,1",
        "axe",
        Rule::Axe,
    );
}

#[test]
fn rule_amount() {
    for bad in ["12.345", "-5", "1 2345", "douze", "1.234,5"] {
        faulty(
            "financements.csv",
            FIN,
            FIN_GOOD,
            &format!("P1,2017,4,FSE,\"{bad}\",1,1"),
            "direct",
            Rule::Amount,
        );
    }
    // A decimal comma is for `;` files only.
    let e = faulty(
        "financements.csv",
        FIN,
        FIN_GOOD,
        "P1,2017,4,FSE,1,\"2,5\",1",
        "indirect",
        Rule::Amount,
    );
    assert!(e.message.contains("decimal comma"), "{}", e.message);
    faulty(
        "allocations.csv",
        ALLOC,
        ALLOC_GOOD,
        "P1,2018,AI,,",
        "montant",
        Rule::Required,
    );
}

#[test]
fn rule_number() {
    faulty(
        "activite.csv",
        ACT,
        ACT_GOOD,
        "P1,2017,ETP_2,beaucoup",
        "valeur",
        Rule::Number,
    );
}

#[test]
fn rule_indicateur() {
    faulty(
        "activite.csv",
        ACT,
        ACT_GOOD,
        "P1,2017,ETP total,1",
        "indicateur",
        Rule::Indicateur,
    );
}

#[test]
fn repeated_annex_lines_are_all_kept() {
    let parcours = parcours_csv(&[prow(&[])]);
    let fin = format!("{FIN}\n{FIN_GOOD}\nP1,2017,3,fse,20,0,\nP1,2016,3,FSE,1,1,1\n");
    let alloc = format!("{ALLOC}\n{ALLOC_GOOD}\nP1,2017,aci,20,\n");
    let act = format!("{ACT}\n{ACT_GOOD}\nP1,2017,etp,3\n");
    let t = read_files(
        &[
            ("parcours.csv", parcours.as_bytes()),
            ("financements.csv", fin.as_bytes()),
            ("allocations.csv", alloc.as_bytes()),
            ("activite.csv", act.as_bytes()),
        ],
        false,
    );
    assert!(t.errors.is_empty(), "{:?}", t.errors);
    assert_eq!(t.financements.len(), 3);
    assert_eq!(t.allocations.len(), 2);
    assert_eq!(t.activite.len(), 2);
}

#[test]
fn rule_dont_fse_above_montant() {
    faulty(
        "allocations.csv",
        ALLOC,
        ALLOC_GOOD,
        "P1,2018,ACI,1000,1000.01",
        "dont_fse",
        Rule::DontFseAboveMontant,
    );
}
