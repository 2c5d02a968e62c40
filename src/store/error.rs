//! What can go wrong with the store file itself (CLI exit status 3).

use std::path::{Path, PathBuf};

/// A store that cannot be opened, read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("no store at {0} (import a transfer first, or pass --db)")]
    NotFound(PathBuf),
    #[error("{path} is not a consolide store: {reason}")]
    NotAStore { path: PathBuf, reason: String },
    #[error("the store is corrupt: {0}")]
    Corrupt(String),
    #[error(
        "the store was written in format version {found}; this build reads version {supported}"
    )]
    UnsupportedVersion { found: u32, supported: u32 },
    /// One value of a store of this build's version says it is of another version: a stray or
    /// damaged value, named by `what`, never read as if it were of this version.
    #[error(
        "the store is corrupt: {what} is a value of format version {found}, where this build reads version {supported}"
    )]
    ValueVersion {
        what: String,
        found: u16,
        supported: u16,
    },
    #[error(
        "the store {0} is busy: another process or handle has it open (an import, or a reader); \
         try again when it is done"
    )]
    Busy(PathBuf),
    /// Format version 1's corpora re-read the store for some tables; a corpus is now one read
    /// snapshot and never meets a later state, so this is no longer returned. Kept so that hosts
    /// matching it still build.
    #[error(
        "the store changed since the corpus was loaded (PLIE {0} was imported again); load it again"
    )]
    Changed(String),
    #[error("storage error: {0}")]
    Storage(#[from] redb::Error),
    #[error("the store file could not be read or written: {0}")]
    Io(#[from] std::io::Error),
}

impl StoreError {
    pub(crate) fn from_open(path: &Path, e: redb::DatabaseError) -> StoreError {
        match e {
            redb::DatabaseError::DatabaseAlreadyOpen => StoreError::Busy(path.to_owned()),
            // redb says "not a redb database" with an InvalidData I/O error.
            redb::DatabaseError::Storage(redb::StorageError::Io(io))
                if io.kind() == std::io::ErrorKind::InvalidData =>
            {
                StoreError::NotAStore {
                    path: path.to_owned(),
                    reason: io.to_string(),
                }
            }
            redb::DatabaseError::Storage(redb::StorageError::Io(io)) => StoreError::Io(io),
            redb::DatabaseError::Storage(redb::StorageError::Corrupted(why)) => {
                StoreError::NotAStore {
                    path: path.to_owned(),
                    reason: why,
                }
            }
            redb::DatabaseError::UpgradeRequired(v) => StoreError::NotAStore {
                path: path.to_owned(),
                reason: format!("it is a redb file of file format {v}, not of this build's"),
            },
            other => StoreError::from(redb::Error::from(other)),
        }
    }

    pub(crate) fn from_table(path: &Path, e: redb::TableError) -> StoreError {
        match e {
            redb::TableError::TableTypeMismatch { .. }
            | redb::TableError::TypeDefinitionChanged { .. } => StoreError::NotAStore {
                path: path.to_owned(),
                reason: format!("{e}"),
            },
            redb::TableError::TableDoesNotExist(t) => {
                StoreError::Corrupt(format!("the table {t} is missing"))
            }
            other => StoreError::from(redb::Error::from(other)),
        }
    }
}

macro_rules! via_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> StoreError {
                match redb::Error::from(e) {
                    redb::Error::Corrupted(why) => StoreError::Corrupt(why),
                    redb::Error::Io(io) => StoreError::Io(io),
                    other => StoreError::Storage(other),
                }
            }
        }
    )*};
}
via_redb!(
    redb::StorageError,
    redb::TransactionError,
    redb::CommitError,
    redb::TableError
);
