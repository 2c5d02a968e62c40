//! The demo corpus shipped with the crate: the crafted corpus of the end-to-end tests (two PLIE,
//! 2009-2018, written in both dialects), until the calibrated generator replaces it.

/// The year whose Tableau 1 the demo prints (the crafted corpus has one 2018 entry, to test that
/// later years are left out, so its last year is not the one to show).
pub const YEAR: i32 = 2017;

/// Transfer folders of the demo, each as (folder name, [(file name, content)]).
pub const TRANSFERS: &[(&str, &[(&str, &str)])] = &[
    (
        "crafted",
        &[
            (
                "parcours.csv",
                include_str!("../tests/data/crafted/parcours.csv"),
            ),
            (
                "etapes.csv",
                include_str!("../tests/data/crafted/etapes.csv"),
            ),
            ("plie.csv", include_str!("../tests/data/crafted/plie.csv")),
        ],
    ),
    (
        "crafted-59",
        &[
            (
                "parcours.csv",
                include_str!("../tests/data/crafted-59/parcours.csv"),
            ),
            (
                "plie.csv",
                include_str!("../tests/data/crafted-59/plie.csv"),
            ),
        ],
    ),
];
