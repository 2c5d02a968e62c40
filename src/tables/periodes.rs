//! STUB — to be written (issue 5).

#![allow(unused_variables)]

use super::Table;
use crate::index::Corpus;
use crate::query::{Filter, Period, QueryError};

/// STUB.
#[derive(Debug, Clone, PartialEq)]
pub struct Periodes {}

impl Periodes {
    pub fn to_table(&self) -> Table {
        unreachable!("stub")
    }
}

impl Corpus {
    pub fn periodes(&self, periodes: &[Period], filter: &Filter) -> Result<Periodes, QueryError> {
        Err(QueryError::BadPeriod("tableau not built yet".into()))
    }
}
