//! The dialect: both separators, BOM, CRLF, date and number spellings, quoting, header matching;
//! file-level rules; rejects.

use super::*;
use crate::model::{Inactivite, Motif, Niveau, Public, Sexe};

const PARCOURS_COMMA: &str = "\
plie,participant,entree,sortie,motif_sortie,sexe,naissance,public,inscrit_pe,th,niveau,inactivite,qpv,commune,emploi_secteur,emploi_employeur,emploi_taille,emploi_contrat,emploi_mesure,formation_domaine,formation_niveau,formation_validation,formation_duree_mois
P44,A1,2017-03-02,2017-12-15,EMPLOI,F,1985-04,RSA,1,0,V,12,1,44109,C,ENTREPRISE,10-49,CDI,AUCUNE,,,,
P44,\"X;Y,\"\"Z\"\"\",2016-01-05,,,H,1990-11,DELD,0,1,IV,JAMAIS,,2A004,,,,,,,,,
P44,A1,2018-01-02,2018-05-31,FORMATION,F,1985-04,RSA,1,0,VBIS,,0,,,,,,,BTP,IV,CQP,6
P13,A1,2015-07-01,2016-07-01,ABANDON,H,1970-01,AUTRE,1,1,NC,3,,,,,,,,,,,
";

const PARCOURS_SEMICOLON: &str = "\
Sexe;PLIE; Participant ;Entree;Sortie;Motif_Sortie;naissance;public;inscrit_pe;TH;niveau;inactivite;qpv;commune;emploi_secteur;emploi_employeur;emploi_taille;emploi_contrat;emploi_mesure;formation_domaine;formation_niveau;formation_validation;formation_duree_mois\r
f;P44;A1;2/3/2017;15/12/2017;emploi;1985-04;rsa;oui;non;v;12;OUI;44109;c;entreprise;10-49;cdi;aucune;;;;\r
h;P44;\"X;Y,\"\"Z\"\"\";05/01/2016;\"\";;1990-11;deld;0;1;iv;jamais;\"\";2a004;;;;;;;;;\r
f;P44; A1 ;2/1/2018;31/05/2018;Formation;1985-04;RSA;1;0;vbis;;Non;;;;;;;btp;iv;cqp;6\r
H;P13;A1;2015-07-01;1/7/2016;abandon;1970-01;autre;1;1;nc;3;;;;;;;;;;;\r
";

const ETAPES_COMMA: &str = "\
plie,participant,entree,type,debut,fin,finance_plie
P44,A1,2017-03-02,MOBILISATION,2017-03-02,2017-04-30,1
P44,\"X;Y,\"\"Z\"\"\",2016-01-05,IAE_ACI,2016-02-01,,
";

const ETAPES_SEMICOLON: &str = "\
TYPE;plie;participant;entree;debut;fin;finance_plie\r
mobilisation;P44;A1;2/3/2017;02/03/2017;30/4/2017;oui\r
iae_aci;P44;\"X;Y,\"\"Z\"\"\";2016-01-05;1/2/2016;;\"\"\r
";

const PLIE_COMMA: &str = "\
plie,nom,departement,region,communes,structure_porteuse,gestion_fse
P44,\"PLIE de Nantes, métropole\",44,Pays de la Loire,24,Nantes Métropole,OI_PIVOT
P13,PLIE de Marseille,13,PACA,1,,SANS_FSE
";

const PLIE_SEMICOLON: &str = "\
plie;nom;departement;region;communes;structure_porteuse;gestion_fse\r
P44;PLIE de Nantes, métropole;44;Pays de la Loire;24;Nantes Métropole;oi_pivot\r
P13;\"PLIE de Marseille\";13; PACA ;1;\"\";Sans_Fse\r
";

const FINANCEMENTS_COMMA: &str = "\
plie,annee,axe,financeur,direct,indirect,mobilise
P44,2017,3,FSE,1234.56,1234567.8,1
P44,2017,4,ETAT,\"1 234 567.89\",0,0
";

const FINANCEMENTS_SEMICOLON: &str = "\
plie;annee;axe;financeur;direct;indirect;mobilise\r
P44;2017;3;fse;1234,56;\"1 234 567,8\";oui\r
P44;2017;4;etat;1\u{a0}234\u{202f}567,89;;non\r
";

const ALLOCATIONS_COMMA: &str = "plie,annee,structure,montant,dont_fse\nP44,2017,ACI,1000,250.5\n";
const ALLOCATIONS_SEMICOLON: &str =
    "plie;annee;structure;montant;dont_fse\r\nP44;2017;aci;1 000;250,50\r\n";
const ACTIVITE_COMMA: &str = "plie,annee,indicateur,valeur\nP44,2017,ETP,2.5\n";
const ACTIVITE_SEMICOLON: &str = "plie;annee;indicateur;valeur\r\nP44;2017;etp;2,5\r\n";

fn with_bom(s: &str) -> Vec<u8> {
    let mut v = b"\xEF\xBB\xBF".to_vec();
    v.extend_from_slice(s.as_bytes());
    v
}

#[test]
fn both_dialects_read_to_the_same_records() {
    let comma = read_files(
        &[
            ("parcours.csv", PARCOURS_COMMA.as_bytes()),
            ("etapes.csv", ETAPES_COMMA.as_bytes()),
            ("plie.csv", PLIE_COMMA.as_bytes()),
            ("financements.csv", FINANCEMENTS_COMMA.as_bytes()),
            ("allocations.csv", ALLOCATIONS_COMMA.as_bytes()),
            ("activite.csv", ACTIVITE_COMMA.as_bytes()),
        ],
        false,
    );
    let semicolon = read_files(
        &[
            ("parcours.csv", &with_bom(PARCOURS_SEMICOLON)),
            ("etapes.csv", &with_bom(ETAPES_SEMICOLON)),
            ("plie.csv", PLIE_SEMICOLON.as_bytes()),
            ("financements.csv", &with_bom(FINANCEMENTS_SEMICOLON)),
            ("allocations.csv", ALLOCATIONS_SEMICOLON.as_bytes()),
            ("activite.csv", ACTIVITE_SEMICOLON.as_bytes()),
        ],
        false,
    );
    for t in [&comma, &semicolon] {
        assert!(t.errors.is_empty(), "{:#?}", t.errors);
        assert!(t.warnings.is_empty(), "{:#?}", t.warnings);
        assert_eq!(t.parcours.len(), 4);
        assert_eq!(t.files.len(), 6);
    }
    assert_eq!(comma.parcours, semicolon.parcours);
    assert_eq!(comma.etapes, semicolon.etapes);
    assert_eq!(comma.plie_info, semicolon.plie_info);
    assert_eq!(comma.financements, semicolon.financements);
    assert_eq!(comma.allocations, semicolon.allocations);
    assert_eq!(comma.activite, semicolon.activite);
    assert_eq!(comma.plies, semicolon.plies);
    assert_eq!(comma.files, semicolon.files);

    let p = &comma.parcours;
    assert_eq!(p[0].plie, "P44");
    assert_eq!(p[0].entree.date(), date!(2017 - 03 - 02));
    assert_eq!(
        p[0].sortie.map(|(d, m)| (d.date(), m)),
        Some((date!(2017 - 12 - 15), Motif::Emploi))
    );
    assert_eq!(
        (p[0].sexe, p[0].public, p[0].niveau),
        (Sexe::F, Public::Rsa, Niveau::V)
    );
    assert_eq!(
        (p[0].inscrit_pe, p[0].th, p[0].qpv),
        (true, false, Some(true))
    );
    assert_eq!(p[0].inactivite, Inactivite::Mois(12));
    assert_eq!(p[0].emploi.secteur, Some(2));
    assert_eq!(p[0].commune.as_deref(), Some("44109"));
    assert_eq!(p[1].participant, "X;Y,\"Z\"");
    assert_eq!(
        (p[1].sortie, p[1].qpv, p[1].inactivite),
        (None, None, Inactivite::Jamais)
    );
    assert_eq!(p[1].commune.as_deref(), Some("2A004"));
    assert_eq!(p[2].formation.duree_mois, Some(6));
    assert_eq!(p[3].plie, "P13");
    assert_eq!(
        comma.etapes[0].fin.map(|d| d.date()),
        Some(date!(2017 - 04 - 30))
    );
    assert!(comma.etapes[0].finance_plie && !comma.etapes[1].finance_plie);
    assert_eq!(
        comma.plie_info[0].nom.as_deref(),
        Some("PLIE de Nantes, métropole")
    );
    assert_eq!(comma.plie_info[1].region.as_deref(), Some("PACA"));
    assert_eq!(comma.plie_info[1].structure_porteuse, None);
    let f = &comma.financements;
    assert_eq!(
        (f[0].direct_centimes, f[0].indirect_centimes, f[0].mobilise),
        (123456, 123456780, true)
    );
    assert_eq!(
        (f[1].direct_centimes, f[1].indirect_centimes, f[1].mobilise),
        (123456789, 0, false)
    );
    assert_eq!(comma.allocations[0].dont_fse_centimes, 25050);
    assert_eq!(comma.activite[0].indicateur, "ETP");
    assert_eq!(comma.activite[0].valeur_centiemes, 250);
    assert_eq!(comma.plies.iter().collect::<Vec<_>>(), ["P13", "P44"]);
    assert_eq!(comma.files[0].per_plie["P44"], (3, 0));
}

#[test]
fn crlf_lines_are_numbered_by_physical_line_and_rejects_keep_the_raw_bytes() {
    let header = "plie;participant;entree;sexe;naissance;public;inscrit_pe;th;niveau\r\n";
    let good = "P1;A;2017-03-02;F;1985-04;RSA;1;0;V\r\n";
    let multiline = "P1;\"B\r\nsuite\";2017-03-02;X;1985-04;RSA;1;0;V\r\n";
    let later = "P1;C;2017-03-02;F;1985-04;RSA;1;0;V\r\n";
    let last = "P1;D;2017-03-02;F;1985-04;RSA;1;2;V";
    let file = [header, good, multiline, "\r\n", later, last].concat();
    let t = read_files(&[("parcours.csv", &with_bom(&file))], true);
    let at: Vec<(u64, Option<usize>, Rule)> = t
        .errors
        .iter()
        .map(|e| (e.position.line, e.position.column, e.rule))
        .collect();
    assert_eq!(at, [(3, Some(4), Rule::Code), (7, Some(8), Rule::Boolean)]);
    assert!(t.warnings.is_empty(), "an empty line is skipped silently");
    assert_eq!(t.parcours.len(), 2);
    assert_eq!(t.files[0].read, 4);
    assert_eq!(t.files[0].rejected, 2);
    assert_eq!(t.rejects.len(), 1);
    let r = &t.rejects[0];
    assert_eq!(r.file, "parcours.csv");
    assert_eq!(r.header, header.as_bytes());
    assert_eq!(
        r.rows,
        vec![
            (3, multiline.as_bytes().to_vec()),
            (7, last.as_bytes().to_vec())
        ]
    );

    // The rejects form a file that reads again with the same problems.
    let mut again = r.header.clone();
    for (_, row) in &r.rows {
        again.extend_from_slice(row);
    }
    let t = read_files(&[("parcours.csv", &again)], false);
    let at: Vec<(u64, Rule)> = t.errors.iter().map(|e| (e.position.line, e.rule)).collect();
    assert_eq!(at, [(2, Rule::Code), (4, Rule::Boolean)]);
}

#[test]
fn without_keep_there_are_no_rejects() {
    let t = read_parcours(&[prow(&[("sexe", "X")])]);
    assert!(t.rejects.is_empty());
    assert_eq!(t.files[0].rejected, 1);
}

#[test]
fn errors_and_warnings_print_as_one_line_each() {
    let t = read_parcours(&[prow(&[
        ("sortie", "2016-01-01"),
        ("motif_sortie", "ABANDON"),
    ])]);
    assert_eq!(
        t.errors[0].to_string(),
        "parcours.csv:2:4 (sortie): \"2016-01-01\" is before the entry date 2017-03-02 — rule: \
         the exit date is on or after the entry date"
    );
    let t = read_files(&[("parcours.csv", b"plie,participant,couleur\n")], false);
    let w: Vec<String> = t.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        w[0].starts_with("parcours.csv:1:3 (couleur): unknown column \"couleur\", ignored"),
        "{w:?}"
    );
    let t = read_parcours(&[prow(&[("participant", "line\nbreak"), ("sexe", "x\ny")])]);
    for e in &t.errors {
        assert_eq!(e.to_string().lines().count(), 1, "{e}");
    }
}

#[test]
fn header_only_is_valid_and_columns_match_case_insensitively() {
    let t = read_files(
        &[("parcours.csv", P_HEADER.join(",").to_uppercase().as_bytes())],
        false,
    );
    assert!(
        t.errors.is_empty() && t.warnings.is_empty(),
        "{:?}",
        t.errors
    );
    assert_eq!(t.files[0].read, 0);
    assert!(t.plies.is_empty());
}

#[test]
fn a_one_column_header_is_a_one_column_file() {
    let parcours = parcours_csv(&[prow(&[])]);
    let t = read_files(
        &[
            ("parcours.csv", parcours.as_bytes()),
            ("plie.csv", b"plie\nP1\nP2\n"),
        ],
        false,
    );
    assert!(t.errors.is_empty(), "{:?}", t.errors);
    assert_eq!(t.plie_info.len(), 2);
    assert_eq!(t.plies.iter().collect::<Vec<_>>(), ["P1", "P2"]);
    // With another column missing, the missing-column errors speak.
    let t = read_files(&[("parcours.csv", b"plie\nP1\n")], false);
    assert!(t.errors.iter().all(|e| e.rule == Rule::MissingColumn));
    assert_eq!(t.errors.len(), 8);
}

#[test]
fn unknown_csv_files_are_warned_about() {
    let parcours = parcours_csv(&[prow(&[])]);
    let t = read_files(
        &[
            ("parcours.csv", parcours.as_bytes()),
            ("Etapes.csv", b"whatever"),
            ("notes.txt", b"ignored silently"),
        ],
        false,
    );
    assert!(t.errors.is_empty());
    assert_eq!(t.warnings.len(), 1);
    assert_eq!(t.warnings[0].position.file, "Etapes.csv");
    assert_eq!(t.warnings[0].position.line, 0);
    assert!(t.warnings[0].message.contains("did you mean etapes.csv"));
}

#[test]
fn a_folder_that_does_not_exist_is_an_err() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        read(&dir.path().join("nope"), &options(false)),
        Err(TransferError::Io { .. })
    ));
    let file = dir.path().join("parcours.csv");
    fs::write(&file, "x").unwrap();
    assert!(matches!(
        read(&file, &options(false)),
        Err(TransferError::NotAFolder { .. })
    ));
}

// One test per file-level rule.

#[test]
fn rule_missing_parcours() {
    let t = read_files(&[("plie.csv", b"plie\nP1\n")], false);
    only_error(&t, "parcours.csv", 0, None, None, Rule::MissingParcours);
    assert_eq!(t.plie_info.len(), 1, "the other files are still read");
}

#[test]
fn rule_missing_parcours_refuses_every_etape() {
    let etapes = csv(&E_HEADER, &[erow(&[]), erow(&[("debut", "2017-04-01")])]);
    let t = read_files(&[("etapes.csv", etapes.as_bytes())], false);
    assert_eq!(t.errors.len(), 2, "{:?}", t.errors);
    assert_eq!(t.errors[1].position.file, "etapes.csv");
    assert_eq!(t.errors[1].rule, Rule::UnknownParcours);
    assert_eq!(t.files[0].rejected, 2);
    assert!(t.etapes.is_empty());
}

#[test]
fn rule_empty_file() {
    for bytes in [&b""[..], b"\xEF\xBB\xBF", b"\r\n\n"] {
        let t = read_files(&[("parcours.csv", bytes)], false);
        only_error(&t, "parcours.csv", 1, None, None, Rule::EmptyFile);
    }
}

#[test]
fn rule_invalid_utf8() {
    let mut file = parcours_csv(&[prow(&[])]).into_bytes();
    file.extend_from_slice(b"P1,B\xE9,2017-03-02,,,F,1985-04,RSA,1,0,V,,,,,,,,,,,,\n");
    file.extend_from_slice(prow(&[("participant", "C")]).as_bytes());
    let t = read_files(&[("parcours.csv", &file)], false);
    parcours_error(&t, 3, "participant", Rule::InvalidUtf8, 2);
    // In the header: the file cannot be read.
    let t = read_files(&[("parcours.csv", b"plie,particip\xE9nt\nP1,A\n")], false);
    let e = t
        .errors
        .iter()
        .find(|e| e.rule == Rule::InvalidUtf8)
        .unwrap();
    assert_eq!((e.position.line, e.position.column), (1, Some(2)));
    assert_eq!(t.files[0].rejected, 1);
}

#[test]
fn rule_missing_column() {
    let header: Vec<&str> = P_HEADER
        .iter()
        .copied()
        .filter(|c| *c != "sexe" && *c != "niveau")
        .collect();
    let file = format!("{}\nP1,A\nP1,B\n", header.join(","));
    let t = read_files(&[("parcours.csv", file.as_bytes())], true);
    let got: Vec<_> = t
        .errors
        .iter()
        .map(|e| {
            (
                e.position.line,
                e.position.column,
                e.position.field.as_deref(),
                e.rule,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (1, None, Some("sexe"), Rule::MissingColumn),
            (1, None, Some("niveau"), Rule::MissingColumn),
        ]
    );
    assert_eq!((t.files[0].read, t.files[0].rejected), (2, 2));
    assert_eq!(t.rejects[0].rows.len(), 2);
    assert_eq!(t.files[0].per_plie["P1"], (2, 2));
}

#[test]
fn rule_duplicate_column() {
    let file = format!("{},TH\n{},0\n", P_HEADER.join(","), prow(&[]));
    let t = read_files(&[("parcours.csv", file.as_bytes())], false);
    only_error(
        &t,
        "parcours.csv",
        1,
        Some(24),
        Some("th"),
        Rule::DuplicateColumn,
    );
    assert_eq!(t.files[0].rejected, 1);
}

#[test]
fn rule_field_count() {
    let file = parcours_csv(&[
        prow(&[]),
        prow(&[("participant", "B")]) + ",extra",
        prow(&[("participant", "C")]),
    ]);
    let t = read_files(&[("parcours.csv", file.as_bytes())], false);
    let e = only_error(&t, "parcours.csv", 3, None, None, Rule::FieldCount);
    assert_eq!(e.message, "the row has 24 fields, the header has 23");
    assert_eq!(t.parcours.len(), 2);
}

#[test]
fn blank_rows_are_skipped_with_a_warning() {
    let file = format!(
        "{},,,,,,,,,,,,,,,,,,,,,,\n \n\n",
        parcours_csv(&[prow(&[])])
    );
    let t = read_files(&[("parcours.csv", file.as_bytes())], false);
    assert!(t.errors.is_empty(), "{:?}", t.errors);
    assert_eq!(t.files[0].read, 1);
    assert_eq!(t.warnings.len(), 1);
    assert_eq!(t.warnings[0].position.line, 3);
    assert!(
        t.warnings[0].message.starts_with("2 blank row(s)"),
        "{}",
        t.warnings[0]
    );
}
