//! Schema sources on disk: DDL files and migration folders, discovered, ordered and replayed.
//! Layouts: sqlx (`<version>_name.sql`, `.up.sql`/`.down.sql`), golang-migrate
//! (`N_name.up.sql`), dbmate (`-- migrate:up` sections), goose (`-- +goose Up`), Prisma
//! (`<ts>_name/migration.sql`), diesel (`<ts>_name/up.sql`), Supabase and drizzle (flat).

use std::path::{Path, PathBuf};

use super::ddl::{apply_section, SchemaWarning};
use super::{Ident, Schema};

/// The result of loading schema sources: the model, what could not be applied, and every
/// file read (so that a change to one of them re-checks everything).
#[derive(Debug)]
pub struct LoadedSchema {
    pub schema: Schema,
    pub warnings: Vec<SchemaWarning>,
    pub files: Vec<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// A schema path named in the config or on the command line does not exist.
    #[error("schema path {0} does not exist")]
    Missing(PathBuf),
    /// A schema file could not be read.
    #[error("could not read schema file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A schema file is not UTF-8 text.
    #[error("schema file {0} is not valid UTF-8")]
    NotUtf8(PathBuf),
    /// A migration folder holds no `.sql` file.
    #[error("no migrations (.sql files) found in {0}")]
    EmptyFolder(PathBuf),
    /// A schema path is not a regular file or folder, is too large, or (from the config) is
    /// outside the project.
    #[error("schema path {0}")]
    File(#[from] crate::user_file::FileError),
    /// A snapshot file could not be used.
    #[error("{0}")]
    Snapshot(String),
}

/// Schema files larger than this are refused (a pg_dump of thousands of tables is a few MB).
pub const MAX_SCHEMA_FILE_SIZE: u64 = 256 * 1024 * 1024;

/// Load and replay schema sources in order. `search_path` is the path for unqualified names.
pub fn load_ddl_paths(
    paths: &[PathBuf],
    search_path: &[Ident],
) -> Result<LoadedSchema, SchemaError> {
    load_ddl_paths_in(paths, search_path, None)
}

/// [`load_ddl_paths`] for paths from the config: every file read (a migration in a folder
/// too) must resolve inside `root`, the project, so that `paths = ["/proc/self/environ"]` or
/// a link out of the project is refused before anything of it is read or shown.
pub fn load_ddl_paths_in(
    paths: &[PathBuf],
    search_path: &[Ident],
    root: Option<&Path>,
) -> Result<LoadedSchema, SchemaError> {
    let check = |p: &Path| match root {
        Some(root) => crate::user_file::inside(root, p),
        None => Ok(()),
    };
    let mut schema = Schema::default();
    if !search_path.is_empty() {
        schema.search_path = search_path.to_vec();
    }
    for s in search_path {
        schema.namespace_mut(s);
    }
    let mut warnings = Vec::new();
    let mut files = Vec::new();
    for path in paths {
        check(path)?;
        if path.is_dir() {
            let migrations = migration_files(path)?;
            if migrations.is_empty() {
                return Err(SchemaError::EmptyFolder(path.clone()));
            }
            for file in migrations {
                check(&file)?;
                apply_file(&mut schema, &file, &mut warnings)?;
                files.push(file);
            }
        } else if path.is_file() {
            if path.extension().is_some_and(|e| e == "json") {
                // A snapshot is a whole schema: it replaces what came before it.
                let search = schema.search_path.clone();
                schema = super::snapshot::read(path)
                    .map_err(|e| SchemaError::Snapshot(e.to_string()))?;
                if !search_path.is_empty() {
                    schema.search_path = search;
                }
                files.push(path.clone());
                continue;
            }
            apply_file(&mut schema, path, &mut warnings)?;
            files.push(path.clone());
        } else if let Ok(meta) = std::fs::metadata(path) {
            // `--schema /dev/null`: there is something, but not a file to read.
            return Err(SchemaError::File(crate::user_file::FileError::NotRegular {
                path: path.clone(),
                kind: crate::atomic::kind(&meta),
            }));
        } else {
            return Err(SchemaError::Missing(path.clone()));
        }
    }
    Ok(LoadedSchema {
        schema,
        warnings,
        files,
    })
}

fn read_text(path: &Path) -> Result<String, SchemaError> {
    let bytes = crate::user_file::read_regular(path, MAX_SCHEMA_FILE_SIZE)?;
    String::from_utf8(bytes)
        .map(crate::user_file::strip_bom)
        .map_err(|_| SchemaError::NotUtf8(path.to_path_buf()))
}

/// Replay one file, honouring dbmate/goose up/down sections.
fn apply_file(
    schema: &mut Schema,
    path: &Path,
    warnings: &mut Vec<SchemaWarning>,
) -> Result<(), SchemaError> {
    let text = read_text(path)?;
    let (start, end) = up_section(&text);
    apply_section(schema, path, &text, start, end, warnings);
    Ok(())
}

/// The byte range of the "up" part of a migration: dbmate's `-- migrate:up` ... `-- migrate:down`,
/// goose's `-- +goose Up` ... `-- +goose Down`; the whole text otherwise.
fn up_section(text: &str) -> (usize, usize) {
    for (up, down) in [
        ("-- migrate:up", "-- migrate:down"),
        ("-- +goose Up", "-- +goose Down"),
    ] {
        if let Some(u) = text.find(up) {
            let start = u + up.len();
            let end = text[start..].find(down).map_or(text.len(), |d| start + d);
            return (start, end);
        }
    }
    (0, text.len())
}

/// The migration files of a folder, in the order they are applied.
fn migration_files(dir: &Path) -> Result<Vec<PathBuf>, SchemaError> {
    let mut out: Vec<PathBuf> = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|source| SchemaError::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            // Prisma: <ts>_name/migration.sql; diesel: <ts>_name/up.sql.
            for name in ["migration.sql", "up.sql"] {
                let file = path.join(name);
                if file.is_file() {
                    out.push(file);
                    break;
                }
            }
        } else if is_up_migration(&path) {
            out.push(path);
        }
    }
    out.sort_by_key(|p| order_key(dir, p));
    Ok(out)
}

fn is_up_migration(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    // Flyway undo migrations: U1__name.sql
    let flyway_undo = name.starts_with('U') && name[1..].starts_with(|c: char| c.is_ascii_digit());
    let down = name.ends_with(".down.sql") || name.ends_with(".undo.sql");
    name.ends_with(".sql") && !down && !flyway_undo
}

/// Sort by the leading version number (numerically, so `10_x` follows `9_x`), then by name.
fn order_key(dir: &Path, path: &Path) -> (u128, String) {
    let rel = path
        .strip_prefix(dir)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned();
    let digits: String = rel
        .trim_start_matches(['V', 'v'])
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    (digits.parse().unwrap_or(u128::MAX), rel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_order_and_up_only() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "10_c.sql",
            "9_b.sql",
            "1_a.up.sql",
            "1_a.down.sql",
            "README.md",
        ] {
            std::fs::write(dir.path().join(name), "select 1;").unwrap();
        }
        let files: Vec<String> = migration_files(dir.path())
            .unwrap()
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(files, ["1_a.up.sql", "9_b.sql", "10_c.sql"]);
    }

    #[test]
    fn dbmate_sections() {
        let text = "-- migrate:up\ncreate table a (id int);\n-- migrate:down\ndrop table a;\n";
        let (s, e) = up_section(text);
        assert!(text[s..e].contains("create table") && !text[s..e].contains("drop"));
    }
}
