//! Analyses beyond the published tables, for the questions consolidation teams ask: cohorts of
//! entrants followed over time, re-entries of a participant, PLIE compared fairly. Each is a
//! query on a [`crate::Corpus`] with a typed answer; the programs of `examples/` print them.

pub mod cohortes;
pub mod comparaison;
pub mod reentrees;
