//! consolide (work in progress skeleton)
pub mod model;
pub mod transfer;
