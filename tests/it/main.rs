//! The integration tests: the real binary on real files, one test binary.

mod calibration;
mod cli;
mod concurrency;
mod corruption;
mod crash;
mod end_to_end;
mod example_cohortes;
mod example_comparaison;
mod example_qpv;
mod example_reentrees;
mod export;
mod fuzz_corpus;
mod generate;
mod properties;
mod rules;
mod scope;
mod store;
mod tableaux_all;
mod tableaux_annexes;
mod tableaux_etapes;
mod tableaux_parcours;
mod tableaux_sorties;
mod util;
