//! STUB — to be written (issue 5).

#![allow(unused_variables)]

use super::Table;
use crate::index::Corpus;
use crate::query::{Filter, Period, QueryError};
use crate::store::Store;

/// STUB.
#[derive(Debug, Clone, PartialEq)]
pub struct Tableau4 {}

impl Tableau4 {
    pub fn to_table(&self) -> Table {
        unreachable!("stub")
    }
}

impl Corpus {
    pub fn tableau4(
        &self,
        store: &Store,
        period: Period,
        filter: &Filter,
    ) -> Result<Tableau4, crate::Error> {
        Err(QueryError::BadPeriod("tableau not built yet".into()).into())
    }
}

/// STUB.
#[derive(Debug, Clone, PartialEq)]
pub struct Tableau5 {}

impl Tableau5 {
    pub fn to_table(&self) -> Table {
        unreachable!("stub")
    }
}

impl Corpus {
    pub fn tableau5(
        &self,
        store: &Store,
        period: Period,
        filter: &Filter,
    ) -> Result<Tableau5, crate::Error> {
        Err(QueryError::BadPeriod("tableau not built yet".into()).into())
    }
}
