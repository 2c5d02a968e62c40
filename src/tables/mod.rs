//! The national tables of MEASURES.md, each a typed value built on [`crate::query`], so that a
//! host program can use the figures and `render` can print them.

mod tableau1;

pub use tableau1::{Tableau1, Tableau1Row, TABLEAU1_COLUMNS};
