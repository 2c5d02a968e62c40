//! STUB — to be written (issue 5).

#![allow(unused_variables)]

use super::Table;
use crate::index::Corpus;
use crate::query::{Filter, Period, QueryError};
use crate::store::Store;

/// STUB.
#[derive(Debug, Clone, PartialEq)]
pub struct Tableau7 {}

impl Tableau7 {
    pub fn to_table(&self) -> Table {
        unreachable!("stub")
    }
}

impl Corpus {
    pub fn tableau7(
        &self,
        store: &Store,
        period: Period,
        filter: &Filter,
    ) -> Result<Tableau7, crate::Error> {
        Err(QueryError::BadPeriod("tableau not built yet".into()).into())
    }
}
