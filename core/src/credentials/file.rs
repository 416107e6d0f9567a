//! Reading the files providers depend on: regular files only, bounded in size, with a
//! one-time warning when a file holding secrets is readable by other users.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use super::CredentialsError;

/// Credentials files are small; a bigger one is refused rather than read into memory.
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Whether the file holds long-lived secrets (and so deserves a permission warning).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sensitivity {
    /// AccessKey secrets (CLI config, INI file).
    Secrets,
    /// A short-lived token that platforms mount world-readable on purpose (the ACK RRSA
    /// service-account token is projected with mode 0644).
    ShortLivedToken,
}

fn read_error(path: &Path, source: std::io::Error) -> CredentialsError {
    CredentialsError::ReadConfig {
        path: path.to_owned(),
        source: Arc::new(source),
    }
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: opening a FIFO for reading otherwise waits for a writer, forever. It has
    // no effect on regular files, and anything else is refused after the open.
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// Reads `path` if it is a regular file (after following symlinks) of a sane size.
pub(crate) fn read_regular_file(
    path: &Path,
    sensitivity: Sensitivity,
) -> Result<Vec<u8>, CredentialsError> {
    // Checked before opening too, so that a FIFO is refused without being opened at all.
    let meta = std::fs::metadata(path).map_err(|e| read_error(path, e))?;
    if !meta.is_file() {
        return Err(CredentialsError::NotARegularFile {
            path: path.to_owned(),
        });
    }
    let file = open_nonblocking(path).map_err(|e| read_error(path, e))?;
    // The path may have been swapped between the two looks; trust the open file.
    let meta = file.metadata().map_err(|e| read_error(path, e))?;
    if !meta.is_file() {
        return Err(CredentialsError::NotARegularFile {
            path: path.to_owned(),
        });
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(CredentialsError::ParseConfig {
            path: path.to_owned(),
            message: format!("the file is larger than {MAX_FILE_BYTES} bytes"),
        });
    }
    if sensitivity == Sensitivity::Secrets {
        warn_if_shared(path, &meta);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| read_error(path, e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(CredentialsError::ParseConfig {
            path: path.to_owned(),
            message: format!("the file is larger than {MAX_FILE_BYTES} bytes"),
        });
    }
    Ok(bytes)
}

/// Warns once per path (per process) when group or others may read the file.
#[cfg(unix)]
fn warn_if_shared(path: &Path, meta: &std::fs::Metadata) {
    use std::collections::HashSet;
    use std::os::unix::fs::PermissionsExt;
    use std::path::PathBuf;
    use std::sync::{Mutex, OnceLock, PoisonError};
    let mode = meta.permissions().mode();
    if mode & 0o044 == 0 {
        return;
    }
    static WARNED: OnceLock<Mutex<HashSet<PathBuf>>> = OnceLock::new();
    let first = WARNED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(path.to_owned());
    if first {
        tracing::warn!(
            path = %path.display(),
            mode = format_args!("{:03o}", mode & 0o777),
            "credentials file is readable by other users; restrict it with `chmod 600`"
        );
    }
}

#[cfg(not(unix))]
fn warn_if_shared(_path: &Path, _meta: &std::fs::Metadata) {}
