//! Entry points for the fuzz targets of `fuzz/` and for the test that replays their corpus
//! (`tests/it/fuzz_corpus.rs`). Not part of the API: each one takes arbitrary bytes, puts them
//! where the library reads its input (a transfer folder, a store file) and runs the reader. They
//! must never panic, whatever the bytes: every problem is an error value.
//!
//! See `docs/fuzzing.md`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::query::{Crosstab, Dimension, Filter, Measure, Period};
use crate::store::Store;
use crate::tables::{Table, Tableau};
use crate::transfer::{self, ReadOptions, Transfer, FILES};
use crate::{Corpus, Error};

/// Separates the parts of a `transfer` fuzz input (see [`split_transfer_input`]).
pub const SEPARATOR: &[u8] = b"\n%%%%\n";

/// The day of the import used by the transfer entry points (fixed, so that runs are repeatable).
pub fn today() -> time::Date {
    time::macros::date!(2025 - 06 - 30)
}

/// Splits one fuzz input into the files of a transfer: the first byte's low six bits say which of
/// [`FILES`] are present (bit 0 = parcours.csv ... bit 5 = activite.csv) and bit 6 asks for the
/// valid rows to be kept (`--rejects`); the rest is cut at each [`SEPARATOR`], the parts going to
/// the present files in order (a file without its part is empty, extra parts are ignored).
pub fn split_transfer_input(data: &[u8]) -> (Vec<(&'static str, &[u8])>, bool) {
    let Some((&mask, mut rest)) = data.split_first() else {
        return (Vec::new(), false);
    };
    let mut parts = Vec::new();
    loop {
        match find(rest, SEPARATOR) {
            Some(at) => {
                parts.push(&rest[..at]);
                rest = &rest[at + SEPARATOR.len()..];
            }
            None => {
                parts.push(rest);
                break;
            }
        }
    }
    let mut parts = parts.into_iter();
    let files = FILES
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, &f)| (f, parts.next().unwrap_or(&[])))
        .collect();
    (files, mask & 0x40 != 0)
}

/// The inverse of [`split_transfer_input`]: one fuzz input from the files of a transfer (to write
/// seeds).
pub fn join_transfer_input(files: &[(&str, &[u8])], keep_valid_rows: bool) -> Vec<u8> {
    let mut mask = if keep_valid_rows { 0x40 } else { 0 };
    let mut out = Vec::new();
    for (i, name) in FILES.iter().enumerate() {
        if let Some((_, bytes)) = files.iter().find(|(f, _)| f == name) {
            if mask & 0x3f != 0 {
                out.extend_from_slice(SEPARATOR);
            }
            mask |= 1 << i;
            out.extend_from_slice(bytes);
        }
    }
    out.insert(0, mask);
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The `transfer` target: [`split_transfer_input`] then [`read_transfer_files`].
pub fn transfer_input(data: &[u8]) -> Result<Transfer, Error> {
    let (files, keep) = split_transfer_input(data);
    read_transfer_files(&files, keep)
}

/// Writes `files` (name, bytes) into a fresh temporary folder and reads it as a transfer, as
/// `consolide import` does. A name must be a plain file name.
pub fn read_transfer_files(
    files: &[(&str, &[u8])],
    keep_valid_rows: bool,
) -> Result<Transfer, Error> {
    let dir = Scratch::new()?;
    for (name, bytes) in files {
        if name.is_empty() || name.contains(['/', '\\']) || *name == "." || *name == ".." {
            return Err(Error::Io(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{name:?} is not a plain file name"),
            )));
        }
        std::fs::write(dir.path.join(name), bytes).map_err(Error::Io)?;
    }
    let options = ReadOptions::new(today(), keep_valid_rows);
    Ok(transfer::read(&dir.path, &options)?)
}

/// The `store` target: writes `bytes` to a temporary file, opens it as a store, loads the corpus
/// and computes what `status`, every published table of 2017 and a cross-tabulation need.
/// Returns the tables computed (the first error ends the run, as it ends a CLI command).
pub fn open_and_query_store(bytes: &[u8]) -> Result<Vec<Table>, Error> {
    let dir = Scratch::new()?;
    let path = dir.path.join("store.redb");
    std::fs::write(&path, bytes).map_err(Error::Io)?;
    query_store(&path)
}

fn query_store(path: &Path) -> Result<Vec<Table>, Error> {
    let store = Store::open(path)?;
    store.plies()?;
    store.file_size()?;
    let corpus = Corpus::load(&store)?;
    // 2016: a year every seed store observes for some PLIE (the annexes' seed has none extracted
    // after 30 June 2017, so its 2017 is refused as not observed).
    let period = Period::year(2016);
    let mut tables = Vec::new();
    for &tableau in Tableau::ALL {
        tables.push(corpus.tableau(tableau, period, &Filter::none())?);
    }
    corpus.crosstab(&Crosstab {
        measure: Measure::Entrees,
        period,
        rows: Dimension::Sexe,
        cols: Some(Dimension::Public),
        filter: Filter::none(),
    })?;
    Ok(tables)
}

/// A temporary folder of this process, removed when dropped (the library has no tempfile).
struct Scratch {
    path: PathBuf,
}

impl Scratch {
    fn new() -> Result<Scratch, Error> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let path = std::env::temp_dir().join(format!(
            "consolide-fuzz-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).map_err(Error::Io)?;
        Ok(Scratch { path })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_and_join_are_inverse() {
        let files: [(&str, &[u8]); 2] = [("parcours.csv", b"a;b\n1;2\n"), ("plie.csv", b"x\n")];
        let data = join_transfer_input(&files, true);
        let (back, keep) = split_transfer_input(&data);
        assert!(keep);
        assert_eq!(back, files);
        assert_eq!(split_transfer_input(&[]).0, []);
    }

    #[test]
    fn a_bad_file_name_is_an_error() {
        assert!(read_transfer_files(&[("../x.csv", b"")], false).is_err());
    }
}
