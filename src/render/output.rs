//! Output files that appear whole or not at all (CLI.md): written beside their destination, then
//! renamed over it, so that a kill, a full disk or a failed write never leaves a truncated or
//! empty file under the final name, nor spoils the file that was there.

use std::path::{Path, PathBuf};

/// An output file that could not be written; the destination is as it was.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {message}", path.display())]
pub struct OutputError {
    pub path: PathBuf,
    pub message: String,
}

/// Writes `path` through `write`, which fills the temporary file whose path it is given (in the
/// same folder, so the rename stays on one file system); the file is synced, then renamed over
/// `path`. On failure the temporary file is removed and `path` is untouched.
pub fn replace_with<E: std::fmt::Display>(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<(), E>,
) -> Result<(), OutputError> {
    let failed = |message: String| OutputError {
        path: path.to_owned(),
        message,
    };
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| failed("not a file name".into()))?
        .to_string_lossy();
    // Hidden, and named after the destination: a file left by a killed process says whose it is.
    let temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".part")
        .tempfile_in(folder)
        .map_err(|e| failed(e.to_string()))?;
    write(temp.path()).map_err(|e| failed(e.to_string()))?;
    let file = std::fs::File::open(temp.path()).map_err(|e| failed(e.to_string()))?;
    file.sync_all().map_err(|e| failed(e.to_string()))?;
    output_permissions(temp.path(), path).map_err(|e| failed(e.to_string()))?;
    temp.persist(path)
        .map_err(|e| failed(e.error.to_string()))?;
    Ok(())
}

/// Writes `bytes` to `path`, whole or not at all.
pub fn replace(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    replace_with(path, |temp| std::fs::write(temp, bytes))
}

/// A temporary file is private (0600): the output gets the permissions of the file it replaces,
/// or those of a new file.
#[cfg(unix)]
fn output_permissions(temp: &Path, path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let permissions = match std::fs::metadata(path) {
        Ok(m) => m.permissions(),
        Err(_) => std::fs::Permissions::from_mode(0o644),
    };
    std::fs::set_permissions(temp, permissions)
}

#[cfg(not(unix))]
fn output_permissions(_temp: &Path, _path: &Path) -> std::io::Result<()> {
    Ok(())
}
