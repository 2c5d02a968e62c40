//! STUB — to be written (issue 5).

#![allow(unused_variables)]

use super::Table;
use crate::index::Corpus;
use crate::query::{Filter, Period, QueryError};

/// STUB.
#[derive(Debug, Clone, PartialEq)]
pub struct Tableau9 {}

impl Tableau9 {
    pub fn to_table(&self) -> Table {
        unreachable!("stub")
    }
}

impl Corpus {
    pub fn tableau9(&self, period: Period, filter: &Filter) -> Result<Tableau9, QueryError> {
        Err(QueryError::BadPeriod("tableau not built yet".into()))
    }
}
