//! STUB — to be written (issue 5).

#![allow(unused_variables)]

use super::Table;
use crate::index::Corpus;
use crate::query::{Filter, Period, QueryError};

/// STUB.
#[derive(Debug, Clone, PartialEq)]
pub struct Tableau3 {}

impl Tableau3 {
    pub fn to_table(&self) -> Table {
        unreachable!("stub")
    }
}

impl Corpus {
    pub fn tableau3(&self, period: Period, filter: &Filter) -> Result<Tableau3, QueryError> {
        Err(QueryError::BadPeriod("tableau not built yet".into()))
    }
}
