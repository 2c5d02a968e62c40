//! consolide (work in progress skeleton)
pub mod index;
pub mod model;
pub mod query;
pub mod store;
pub mod transfer;
