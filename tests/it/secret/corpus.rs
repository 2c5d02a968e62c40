//! Random small corpora for the secrecy tests, imported by the binary.

use proptest::prelude::*;

use crate::util::Dir;

/// One random parcours of 2017: (sexe, tranche of birth year, public, niveau, exit motif or
/// none, PLIE).
pub type Parcours = (usize, usize, usize, usize, Option<usize>, usize);

pub fn parcours() -> impl Strategy<Value = Parcours> {
    (
        0..2usize,
        0..4usize,
        0..3usize,
        0..4usize,
        prop::option::weighted(0.6, 0..6usize),
        0..2usize,
    )
}

/// A transfer of `rows`, entered in 2016 or 2017, imported by the binary into `dir`'s store.
pub fn import(dir: &Dir, rows: &[Parcours]) {
    const MOTIFS: [&str; 6] = [
        "EMPLOI",
        "FORMATION",
        "AUTRE_POSITIVE",
        "ABANDON",
        "DEMENAGEMENT_DECES_RETRAITE",
        "AUTRE_SANS_SUITE",
    ];
    let mut csv = String::from(
        "plie,participant,entree,sortie,motif_sortie,sexe,naissance,public,inscrit_pe,th,niveau\n",
    );
    for (i, &(sexe, age, public, niveau, motif, plie)) in rows.iter().enumerate() {
        let entree = if i % 3 == 0 {
            "2016-05-02"
        } else {
            "2017-02-01"
        };
        let (sortie, motif) = motif.map_or(("", ""), |m| ("2017-11-30", MOTIFS[m]));
        csv += &format!(
            "P{plie},k{i},{entree},{sortie},{motif},{},{}-06,{},{},0,{}\n",
            ["H", "F"][sexe],
            [1998, 1985, 1968, 1958][age],
            ["DELD", "RSA", "AUTRE"][public],
            i % 2,
            ["V", "IV", "VBIS", "III"][niveau],
        );
    }
    // Both PLIE observed 2016 and 2017 in full.
    let plie =
        "plie,extraction,complet_depuis\nP0,2017-12-31,2016-01-01\nP1,2017-12-31,2016-01-01\n";
    let t = dir.transfer("t", &[("parcours.csv", &csv), ("plie.csv", plie)]);
    dir.import(&[&t]);
}
