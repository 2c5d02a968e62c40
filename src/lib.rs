//! `consolide`: an embedded storage engine with in-process analytics for the national
//! consolidation of PLIE parcours.
//!
//! A host program imports *transfers* (folders of CSV, see `docs/FORMAT.md`) into one redb file,
//! then asks for the published tables or any cross-tabulation, for a year or a range, filtered by
//! territory or characteristic:
//!
//! ```
//! use consolide::{import, Cell, Corpus, Crosstab, Dimension, Filter, Format, ImportOptions};
//! use consolide::{Measure, Period, Store, Tableau};
//! # fn main() -> Result<(), consolide::Error> {
//! # let dir = tempfile::tempdir().unwrap();
//! # let transfer = dir.path().join("plie44");
//! # std::fs::create_dir(&transfer).unwrap();
//! # std::fs::write(transfer.join("parcours.csv"), "plie;participant;entree;sortie;motif_sortie;sexe;naissance;public;inscrit_pe;th;niveau\n\
//! #   P44;a1;15/03/2017;;;F;1980-05;RSA;oui;non;V\n\
//! #   P44;a2;2016-01-04;2017-06-30;EMPLOI;H;1995-11;DELD;1;0;IV\n").unwrap();
//! # // The day the data were extracted: figures of 2017 need all of 2017 observed.
//! # std::fs::write(transfer.join("plie.csv"), "plie;extraction\nP44;2018-01-15\n").unwrap();
//! let db = dir.path().join("consolide.redb");
//! let summary = import(&db, &[transfer], &ImportOptions::now())?;
//! assert!(!summary.refused());
//!
//! let store = Store::open(&db)?;
//! let corpus = Corpus::load(&store)?;
//! let t1 = corpus.tableau1(Period::year(2017), &Filter::none())?;
//! assert_eq!(t1.total().tally.entrees, 1);
//! assert_eq!(t1.total().tally.en_parcours(), 2);
//!
//! let by_sex = corpus.crosstab(&Crosstab {
//!     measure: Measure::SortiesEmploi,
//!     period: Period::year(2017),
//!     rows: Dimension::Sexe,
//!     cols: None,
//!     filter: Filter::none().with(Dimension::Public, &["DELD"]),
//! })?;
//! assert_eq!(by_sex.row_values, ["H", "F"]);
//! assert_eq!(by_sex.tally(0, 0).sorties_motif(consolide::model::Motif::Emploi), 1);
//!
//! // Any published table, as a typed value or as the generic table every format prints.
//! let t3 = corpus.tableau(Tableau::T3, Period::year(2017), &Filter::none())?;
//! assert_eq!(t3.cell("toutes", "total", "parcours"), Some(Cell::Count(1)));
//! print!("{}", consolide::render::table(&t3, Format::Csv));
//! # Ok(()) }
//! ```
//!
//! The modules, in the order data flows through them: [`model`] (codes and records),
//! [`transfer`] (reading and checking a transfer), [`store`] (the redb file: column segments,
//! zone maps, read snapshots), the index ([`Corpus`]: one read snapshot, whose columns are read
//! chunk by chunk as a query needs them), [`query`] (measures × dimensions × period ×
//! filter), [`tables`] (the published tables 1 to 10, 1BIS, taux and periodes, each a typed value
//! and a generic [`Table`]), [`secret`] (statistical secrecy: small counts masked, and the cells
//! that would give them away) and [`render`] (text, csv, json, md, and the xlsx workbook);
//! [`report`] writes the whole consolidation as one HTML document, commentary, charts and tables.
//! [`Summaries`] reads only what each import adds up per PLIE: Tableau 1 of any period and
//! territory without loading a parcours, in a few megabytes at any scale (a [`Corpus`] uses the
//! same summaries where they apply). [`analyses`] answers what the published tables do not:
//! cohorts followed by months since entry, re-entries of a participant, PLIE compared after
//! standardising their public mix; the programs of `examples/` print them.
//!
//! [`paqte`] holds the companies' commitments to the priority neighbourhoods (PAQTE conventions,
//! plan 10 000 clubs), imported by the same [`import`] into the same store, checked against the
//! reference of departments and regions of [`territoires`].
//!
//! [`export`] writes the parcours and étapes as Parquet for other engines, over which `sql/`
//! computes the same measures.

pub mod analyses;
pub mod export;
#[doc(hidden)]
pub mod fuzzing;
mod index;
mod ingest;
pub mod model;
pub mod paqte;
pub mod query;
pub mod render;
pub mod report;
pub mod secret;
pub mod store;
pub mod synth;
pub mod tables;
pub mod territoires;
pub mod transfer;

pub use export::{ExportError, ExportSummary};
pub use index::{Corpus, Fenetre, Observation, Scope, ScopeError};
pub use ingest::{import, HeldBack, ImportOptions, ImportSummary};
pub use query::{
    Crosstab, CrosstabResult, Dimension, Filter, Measure, Path, Period, QueryError, Tally, Value,
};
pub use render::Format;
pub use report::Options as ReportOptions;
pub use store::{ImportReport, PlieOutcome, Store, StoreError};
pub use tables::{Cell, Consolidation, Summaries, Table, Tableau, Tableau1, Tableau1Row};
pub use transfer::{ReadOptions, RowError, Transfer, TransferError};

/// Every error of the library, by layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A transfer folder could not be read at all.
    #[error(transparent)]
    Transfer(#[from] TransferError),
    /// The store file could not be opened, read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A query was not well formed (unknown dimension, value, measure...).
    #[error(transparent)]
    Query(#[from] QueryError),
    /// Statistical secrecy could not be applied as asked.
    #[error(transparent)]
    Secret(#[from] secret::SecretError),
    /// The Parquet export could not be written.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// Writing an output or rejects file failed.
    #[error("{0}")]
    Io(std::io::Error),
}
