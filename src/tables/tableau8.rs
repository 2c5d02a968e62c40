//! STUB — to be written (issue 5).

#![allow(unused_variables)]

use super::Table;
use crate::index::Corpus;
use crate::query::{Filter, Period, QueryError};

/// STUB.
#[derive(Debug, Clone, PartialEq)]
pub struct Tableau8 {}

impl Tableau8 {
    pub fn to_table(&self) -> Table {
        unreachable!("stub")
    }
}

impl Corpus {
    pub fn tableau8(&self, period: Period, filter: &Filter) -> Result<Tableau8, QueryError> {
        Err(QueryError::BadPeriod("tableau not built yet".into()))
    }
}
