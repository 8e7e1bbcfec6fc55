//! Snapshots: the schema model as deterministic, sorted, diff-friendly JSON
//! (`schemalint.schema.json`), so that CI can check code without database credentials.
//! Same model, same bytes; written atomically.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Schema;

pub const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SnapshotFile {
    version: u32,
    schema: Schema,
}

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The snapshot file could not be read.
    #[error("could not read snapshot {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The snapshot is not valid JSON or not a schemalint snapshot.
    #[error("invalid snapshot {path} at line {line}, column {column}: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// The snapshot was written by a newer schemalint.
    #[error("snapshot {path} has version {found}; this schemalint reads version {VERSION}")]
    Version { path: PathBuf, found: u32 },
    /// The snapshot could not be written; an existing file is left as it was.
    #[error("could not write snapshot {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The snapshot text of a schema: sorted keys (the model uses ordered maps), two-space
/// indentation, a trailing newline. Provenance is left out so that the same database gives
/// the same bytes wherever the snapshot is taken.
pub fn to_string(schema: &Schema) -> String {
    let file = SnapshotFile {
        version: VERSION,
        schema: schema.without_provenance(),
    };
    let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
    text.push('\n');
    text
}

pub fn write(schema: &Schema, path: &Path) -> Result<(), SnapshotError> {
    crate::atomic::write(path, to_string(schema).as_bytes()).map_err(|source| {
        SnapshotError::Write {
            path: path.to_path_buf(),
            source,
        }
    })
}

pub fn read(path: &Path) -> Result<Schema, SnapshotError> {
    let bytes = crate::user_file::read_regular(path, super::migrations::MAX_SCHEMA_FILE_SIZE)
        .map_err(|e| SnapshotError::Read {
            path: path.to_path_buf(),
            source: std::io::Error::other(e.to_string()),
        })?;
    let text = String::from_utf8(bytes)
        .map(crate::user_file::strip_bom)
        .map_err(|e| SnapshotError::Read {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        })?;
    parse(path, &text)
}

pub fn parse(path: &Path, text: &str) -> Result<Schema, SnapshotError> {
    // Check the version first, so that a newer format gets a clear message.
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
        if let Some(found) = v.get("version").and_then(serde_json::Value::as_u64) {
            if found != u64::from(VERSION) {
                return Err(SnapshotError::Version {
                    path: path.to_path_buf(),
                    found: found as u32,
                });
            }
        }
    }
    serde_json::from_str::<SnapshotFile>(text)
        .map(|f| f.schema)
        .map_err(|e| SnapshotError::Invalid {
            path: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message: e
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Column, Ident, Relation, RelationKind};

    fn sample() -> Schema {
        let mut s = Schema::default();
        let mut r = Relation::new(Ident::from("users"), RelationKind::Table);
        r.columns.push(Column::new(Ident::from("id"), "bigint"));
        s.namespace_mut(&Ident::from("public"))
            .relations
            .insert(r.name.clone(), r);
        s
    }

    #[test]
    fn round_trip_and_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("schemalint.schema.json");
        write(&sample(), &path).unwrap();
        let first = std::fs::read(&path).unwrap();
        assert_eq!(read(&path).unwrap(), sample());
        write(&read(&path).unwrap(), &path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), first);
    }

    #[test]
    fn malformed_and_newer_snapshots_are_clear_errors() {
        let p = Path::new("s.json");
        let e = parse(p, "{\"version\": 1,\n \"schema\": {\"search-path\": [}").unwrap_err();
        assert!(matches!(e, SnapshotError::Invalid { line: 2, .. }), "{e}");
        let e = parse(p, "{\"version\": 7, \"schema\": {}}").unwrap_err();
        assert!(e.to_string().contains("version 7"), "{e}");
        let e = parse(
            p,
            "{\"version\": 1, \"schema\": {\"search-path\": [], \"namespaces\": {}}, \"x\": 1}",
        )
        .unwrap_err();
        assert!(e.to_string().contains("unknown field"), "{e}");
    }
}
