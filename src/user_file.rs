//! Reading files that the config, the command line or the code names: only regular files (a
//! device, FIFO or `/dev/zero` would block or never end), never more than a limit, and, for
//! paths that come from the project (config entries, `query_file!`), only inside the project.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// Files larger than this are reported and skipped: no hand-written source is this big, and
/// generated bundles would only cost time.
pub const MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// Why a named file was not read. Messages name the path and never show its content.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Not a regular file: a directory, a device, a FIFO or a socket.
    #[error("{path} is {kind}, not a regular file")]
    NotRegular { path: PathBuf, kind: &'static str },
    /// Larger than the limit for this kind of file.
    #[error("{path} is too large ({size} bytes; the limit is {limit})")]
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    /// Resolves (through `..` or a symbolic link, or being absolute) outside the project.
    #[error("{path} is outside the project ({root}); not read")]
    Outside { path: PathBuf, root: PathBuf },
    /// The file could not be opened or read.
    #[error("could not read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl FileError {
    /// Whether the file is simply not there.
    pub fn is_not_found(&self) -> bool {
        matches!(self, FileError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }
}

/// Read a regular file of at most `limit` bytes. The type is checked before opening (opening
/// a FIFO blocks until a writer comes) and the read is bounded whatever the metadata says
/// (`/proc` files report size 0).
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, FileError> {
    let io = |source| FileError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(FileError::NotRegular {
            path: path.to_path_buf(),
            kind: crate::atomic::kind(&meta),
        });
    }
    if meta.len() > limit {
        return Err(FileError::TooLarge {
            path: path.to_path_buf(),
            size: meta.len(),
            limit,
        });
    }
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(FileError::TooLarge {
            path: path.to_path_buf(),
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// Drop a UTF-8 byte order mark at the start: editors on Windows write one, and left in place
/// it glues onto the first word (`\u{feff}SELECT` is no statement) and hides the statement.
/// Every reader of a checked file drops it, so offsets agree between extraction and display.
pub fn strip_bom(text: String) -> String {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

/// A file already checked once (a schema or `query_file!` file), read again for its snippet:
/// the same text as the first read saw.
pub fn reread(path: &Path) -> Option<String> {
    read_regular(path, 256 * 1024 * 1024)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .map(strip_bom)
}

/// Check that `path` (relative to the working directory) stays inside `root` once
/// `..` and symbolic links are resolved. A path that does not exist is judged by its text
/// (no `..` climbing out), so that the caller can still say "does not exist".
pub fn inside(root: &Path, path: &Path) -> Result<(), FileError> {
    let full = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let root = &if root.is_absolute() {
        root.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(root)
    };
    let outside = || FileError::Outside {
        path: path.to_path_buf(),
        root: root.to_path_buf(),
    };
    let root_real = std::fs::canonicalize(root).unwrap_or_else(|_| lexical(root));
    match std::fs::canonicalize(&full) {
        Ok(real) if real.starts_with(&root_real) => Ok(()),
        Ok(_) => Err(outside()),
        // A dangling link counts as outside: where it points is not ours to create or read.
        Err(_) if std::fs::symlink_metadata(&full).is_ok() => Err(outside()),
        Err(_) if lexical(&full).starts_with(lexical(root)) => Ok(()),
        Err(_) => Err(outside()),
    }
}

/// `path` with `.` dropped and `..` applied to the text (no file system access).
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_unbounded_files_are_not_read() {
        let err = read_regular(Path::new("/dev/zero"), 1024).unwrap_err();
        assert!(err.to_string().contains("character device"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'a'; 2048]).unwrap();
        assert!(matches!(
            read_regular(&big, 1024),
            Err(FileError::TooLarge { .. })
        ));
        assert_eq!(read_regular(&big, 4096).unwrap().len(), 2048);
    }

    #[cfg(unix)]
    #[test]
    fn paths_must_stay_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("project");
        std::fs::create_dir_all(root.join("db")).unwrap();
        std::fs::write(root.join("db/schema.sql"), "").unwrap();
        std::fs::write(dir.path().join("secret"), "").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret"), root.join("db/link.sql")).unwrap();
        assert!(inside(&root, &root.join("db/schema.sql")).is_ok());
        assert!(inside(&root, &root.join("db/../db/schema.sql")).is_ok());
        assert!(inside(&root, &root.join("db/missing.sql")).is_ok());
        for bad in [
            "../secret",
            "/proc/self/environ",
            "db/link.sql",
            "../../x/none",
        ] {
            let err = inside(&root, &root.join(bad)).unwrap_err();
            assert!(err.to_string().contains(bad), "{err}");
        }
    }
}
