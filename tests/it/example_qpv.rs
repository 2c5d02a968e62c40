//! `examples/qpv.rs`: share of participants living in a QPV and their outcomes, by territory.

use crate::util::{csv_rows, national, Dir};

const PARCOURS: &str = "\
plie,participant,entree,sortie,motif_sortie,sexe,naissance,public,inscrit_pe,th,niveau,qpv
P1,a1,2017-01-10,2017-06-01,EMPLOI,F,1980-01,RSA,1,0,V,1
P1,a2,2016-05-01,2017-03-01,ABANDON,H,1985-01,DELD,1,0,V,1
P1,a3,2017-02-01,,,F,1990-01,AUTRE,0,0,IV,0
P1,a4,2015-01-01,2017-09-30,FORMATION,H,1975-01,RSA,1,0,VI,0
P1,a5,2017-04-01,2017-12-01,AUTRE_SANS_SUITE,F,1970-01,RSA,1,0,V,
P1,a6,2018-01-01,,,F,1970-01,RSA,1,0,V,1
P2,b1,2017-01-01,2017-02-01,EMPLOI,H,1988-01,DELD,1,0,IV,0
P2,b2,2017-03-01,2017-05-01,ABANDON,F,1992-01,RSA,1,0,V,0
P2,b3,2016-01-01,2016-12-31,EMPLOI,H,1960-01,AUTRE,0,1,III,0
";

const PLIE: &str = "plie,departement,region,extraction,complet_depuis\nP1,59,Hauts-de-France,2020-12-31,1990-01-01\nP2,44,Pays de la Loire,2020-12-31,1990-01-01\n";

fn crafted() -> Dir {
    let dir = Dir::new();
    let t = dir.transfer("t", &[("parcours.csv", PARCOURS), ("plie.csv", PLIE)]);
    dir.import(&[&t]);
    dir
}

#[test]
fn qpv_shares_and_outcomes_by_territory_match_the_hand_count() {
    let dir = crafted();
    let csv = csv_rows(
        &dir.example("qpv", &["--year", "2017", "--format", "csv"])
            .ok(),
    );
    assert_eq!(
        csv[0],
        [
            "departement",
            "participants",
            "qpv",
            "hors_qpv",
            "qpv_inconnu",
            "part_qpv",
            "sorties_qpv",
            "taux_sorties_positives_qpv",
            "sorties_hors_qpv",
            "taux_sorties_positives_hors_qpv",
            "ecart_points"
        ]
    );
    // Department 44 (P2) in 2017: b1 and b2, both outside a QPV; b1 exits to a job, b2 abandons;
    // nobody in a QPV, so no QPV rate and no gap.
    assert_eq!(
        csv[1],
        ["44", "2", "0", "2", "0", "0.000000", "0", "", "2", "0.500000", ""]
    );
    // Department 59 (P1): a1..a5 (a6 enters in 2018); in QPV a1 (job) and a2 (abandon): 1/2;
    // outside a4 (training): 1/1; a5's address unknown, left out of the share: 2 / 4.
    assert_eq!(
        csv[2],
        ["59", "5", "2", "2", "1", "0.500000", "2", "0.500000", "1", "1.000000", "-50.0000"]
    );
    // The whole scope: QPV 1/2 positive; outside, a4 and b1 of a4, b1, b2: 2/3; gap -16.67 points.
    assert_eq!(
        csv[3],
        [
            "ensemble", "7", "2", "4", "1", "0.333333", "2", "0.500000", "3", "0.666667",
            "-16.6667"
        ]
    );
    assert_eq!(csv.len(), 4);

    // By region over 2016..2017 with a filter: P2 alone, b3 (2016, job) joins.
    let csv = csv_rows(
        &dir.example(
            "qpv",
            &[
                "--years",
                "2016..2017",
                "--par",
                "region",
                "--filter",
                "plie=P2",
                "--format",
                "csv",
            ],
        )
        .ok(),
    );
    assert_eq!(csv[0][0], "region");
    assert_eq!(
        csv[1],
        [
            "Pays de la Loire",
            "3",
            "0",
            "3",
            "0",
            "0.000000",
            "0",
            "",
            "3",
            "0.666667",
            ""
        ]
    );
    assert_eq!(csv[2][..2], ["ensemble", "3"]);

    let text = dir.example("qpv", &["--year", "2017"]).ok();
    assert!(
        text.contains("Participants en QPV et leurs sorties, 2017"),
        "{text}"
    );
    assert!(text.contains("-50 pt"), "{text}");

    let bad = dir.example("qpv", &["--par", "commune"]);
    assert_ne!(bad.code, 0);
    assert!(bad.stderr.starts_with("error: "), "{}", bad.stderr);
}

#[test]
fn on_the_national_corpus_the_territories_add_up_to_the_whole() {
    let dir = national();
    for par in ["departement", "region"] {
        let csv = csv_rows(
            &dir.example("qpv", &["--year", "2017", "--par", par, "--format", "csv"])
                .ok(),
        );
        let (lines, total) = csv[1..].split_at(csv.len() - 2);
        let total = &total[0];
        assert_eq!(total[0], "ensemble");
        for column in [1, 2, 3, 4, 6, 8] {
            let sum: u64 = lines
                .iter()
                .map(|l| l[column].parse::<u64>().unwrap())
                .sum();
            assert_eq!(
                sum,
                total[column].parse::<u64>().unwrap(),
                "{par} column {column}"
            );
        }
        // Participants are Tableau 1's en_parcours of the year.
        let t1 = csv_rows(
            &dir.run(&["tableau", "1", "--year", "2017", "--format", "csv"])
                .ok(),
        );
        assert_eq!(total[1], t1[1][4]);
    }
}
