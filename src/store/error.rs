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
    /// An import's write or commit failed (a full disk, a file-size limit, an I/O error);
    /// `state` says what the file holds now.
    #[error("the store file could not be read or written: {}", write_failed(source, *state))]
    ImportNotWritten {
        source: std::io::Error,
        state: AfterFailedImport,
    },
    /// A store left by an interrupted import is repaired by a writable open (redb rebuilds its
    /// allocation state in memory); where even that open is refused for lack of space (its
    /// header written in place, which a copy-on-write file system may refuse), nothing reads it.
    #[error(
        "the store {path} was left by an interrupted import and must be repaired before it is \
         read, which needs free space on its disk ({source}): free some space, then try again; \
         its committed state is intact"
    )]
    RepairNeedsSpace {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("storage error: {0}")]
    Storage(#[from] redb::Error),
    #[error("the store file could not be read or written: {0}")]
    Io(#[from] std::io::Error),
}

/// What the store file holds after an import whose write failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AfterFailedImport {
    /// Its last committed state, repaired: the next command reads it as if the import had not
    /// been tried, and the space the import took is given back.
    Kept,
    /// Its last committed state, but redb's repair could not be recorded (no room for it):
    /// each read repairs it again, in memory, until there is.
    KeptUnrepaired,
    /// The file could not be taken back (another process opened it in between, or it could not
    /// be written): redb's repair keeps the state before the import or, if the failure came
    /// after the commit itself, the one after it.
    BeforeOrAfter,
    /// The store the import was creating, removed.
    NotCreated,
}

/// Whether `e` says the disk (or the user's quota) is full.
pub(crate) fn no_space(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    )
}

/// The message of [`StoreError::ImportNotWritten`]: the cause, what the file holds, and what to
/// do, for an operator who only sees this line.
fn write_failed(e: &std::io::Error, state: AfterFailedImport) -> String {
    let (cause, todo) = if no_space(e) {
        (
            format!("the disk is full ({e})"),
            "free some space on its disk, then import again",
        )
    } else {
        (e.to_string(), "import again once the cause is fixed")
    };
    let state = match state {
        AfterFailedImport::Kept => {
            "nothing of this import was written, and the store keeps its last committed state"
        }
        AfterFailedImport::KeptUnrepaired => {
            "nothing of this import was written, and the store keeps its last committed state \
             (each read repairs it again until there is room to record the repair)"
        }
        AfterFailedImport::BeforeOrAfter => {
            "the store holds the corpus before this import or the one after it (status says \
             which)"
        }
        AfterFailedImport::NotCreated => "nothing was written and no store was created",
    };
    format!("{cause}; {state}: {todo}")
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
