//! STUB — to be written (issue 5).

#![allow(unused_variables)]

use super::Table;
use crate::index::Corpus;
use crate::query::{Filter, Period, QueryError};
use crate::store::Store;

/// STUB.
#[derive(Debug, Clone, PartialEq)]
pub struct Tableau6 {}

impl Tableau6 {
    pub fn to_table(&self) -> Table {
        unreachable!("stub")
    }
}

impl Corpus {
    pub fn tableau6(
        &self,
        store: &Store,
        period: Period,
        filter: &Filter,
    ) -> Result<Tableau6, crate::Error> {
        Err(QueryError::BadPeriod("tableau not built yet".into()).into())
    }
}

/// STUB.
#[derive(Debug, Clone, PartialEq)]
pub struct Tableau6bis {}

impl Tableau6bis {
    pub fn to_table(&self) -> Table {
        unreachable!("stub")
    }
}

impl Corpus {
    pub fn tableau6bis(
        &self,
        store: &Store,
        period: Period,
        filter: &Filter,
    ) -> Result<Tableau6bis, crate::Error> {
        Err(QueryError::BadPeriod("tableau not built yet".into()).into())
    }
}
