//! Schema sources on disk: DDL files, snapshots (recognised by content) and migration folders,
//! discovered, ordered and replayed. Layouts: sqlx (`<version>_name.sql`, `.up.sql`/`.down.sql`),
//! golang-migrate (`N_name.up.sql`), dbmate, goose and sql-migrate (up/down sections), Flyway
//! and refinery (`V<n>__name.sql`; Flyway `U<n>__` undo files skipped, `R__` repeatables last),
//! Liquibase formatted SQL, Prisma (`<ts>_name/migration.sql`), diesel (`<ts>_name/up.sql`),
//! postgrator (`<version>.do.name.sql`; `.undo.` files skipped), Supabase and drizzle (flat).

use std::path::{Path, PathBuf};

use super::replay::{apply_ranges, up_ranges, SchemaWarning};
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
    /// A schema source has statements but defines no table, view or type: checking against
    /// it would report every table as unknown.
    #[error("schema source {0} holds SQL but defines no tables, views or types (is it a schema file, or the right one?)")]
    NothingDefined(PathBuf),
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
        let mut has_sql = false;
        if path.is_dir() {
            let migrations = migration_files(path)?;
            if migrations.is_empty() {
                return Err(SchemaError::EmptyFolder(path.clone()));
            }
            for file in migrations {
                check(&file)?;
                has_sql |= apply_file(&mut schema, &file, &mut warnings)?;
                files.push(file);
            }
        } else if path.is_file() {
            let text = read_text(path)?;
            if is_snapshot_text(&text) {
                // A snapshot is a whole schema (whatever the file is called): it replaces what
                // came before it.
                let search = schema.search_path.clone();
                schema = super::snapshot::parse(path, &text)
                    .map_err(|e| SchemaError::Snapshot(e.to_string()))?;
                if !search_path.is_empty() {
                    schema.search_path = search;
                }
                files.push(path.clone());
                continue;
            }
            has_sql = apply_text(&mut schema, path, &text, &mut warnings);
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
        if has_sql && is_empty_model(&schema) {
            return Err(SchemaError::NothingDefined(path.clone()));
        }
    }
    Ok(LoadedSchema {
        schema,
        warnings,
        files,
    })
}

/// What the migration tools would run, in the order the replay applies it: every SQL file of
/// the sources (folders expanded, down files and Flyway undo files left out) with the text of
/// its "up" sections only. Snapshots are not SQL and are left out. Tests run this against a
/// real server to compare its catalog with the replay.
pub fn planned_sql(paths: &[PathBuf]) -> Result<Vec<(PathBuf, String)>, SchemaError> {
    let mut out = Vec::new();
    for path in paths {
        let files = if path.is_dir() {
            migration_files(path)?
        } else {
            vec![path.clone()]
        };
        for file in files {
            let text = read_text(&file)?;
            if is_snapshot_text(&text) {
                continue;
            }
            let up: String = up_ranges(&text)
                .iter()
                .filter_map(|&(s, e)| text.get(s..e))
                .collect();
            out.push((file, up));
        }
    }
    Ok(out)
}

fn read_text(path: &Path) -> Result<String, SchemaError> {
    let bytes = crate::user_file::read_regular(path, MAX_SCHEMA_FILE_SIZE)?;
    String::from_utf8(bytes)
        .map(crate::user_file::strip_bom)
        .map_err(|_| SchemaError::NotUtf8(path.to_path_buf()))
}

/// Replay one migration file, honouring up/down sections; returns whether it holds SQL.
fn apply_file(
    schema: &mut Schema,
    path: &Path,
    warnings: &mut Vec<SchemaWarning>,
) -> Result<bool, SchemaError> {
    let text = read_text(path)?;
    Ok(apply_text(schema, path, &text, warnings))
}

fn apply_text(
    schema: &mut Schema,
    path: &Path,
    text: &str,
    warnings: &mut Vec<SchemaWarning>,
) -> bool {
    let ranges = up_ranges(text);
    apply_ranges(schema, path, text, &ranges, warnings) > 0
}

/// A schemalint snapshot: a JSON object (what `schemalint snapshot` writes), whatever the name.
fn is_snapshot_text(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
}

/// No relation and no enum anywhere: the model of an empty database.
fn is_empty_model(schema: &Schema) -> bool {
    schema
        .namespaces
        .values()
        .all(|ns| ns.relations.is_empty() && ns.enums.is_empty())
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
    // `U<n>__name.sql` is a Flyway undo file when a `V<n>__` file has the same version (it
    // reverts that one), and a refinery unversioned migration (applied in order) otherwise.
    let versioned: Vec<Vec<u128>> = out.iter().filter_map(|p| flyway_version(p, 'V')).collect();
    out.retain(|p| flyway_version(p, 'U').is_none_or(|v| !versioned.contains(&v)));
    out.sort_by_key(|p| order_key(dir, p));
    Ok(out)
}

/// The version of a Flyway/refinery file name `<prefix><version>__name.sql` (`V1_2__x` and
/// `V1.2__x` are 1.2), if the name has that form.
fn flyway_version(path: &Path, prefix: char) -> Option<Vec<u128>> {
    let name = path.file_name()?.to_str()?;
    let rest = name
        .strip_prefix(prefix)
        .or_else(|| name.strip_prefix(prefix.to_ascii_lowercase()))?;
    let (version, _) = rest.split_once("__")?;
    version
        .split(['.', '_'])
        .map(|p| p.parse::<u128>().ok())
        .collect()
}

/// A `.sql` file that is not the undoing of another: a dot-separated part of its name is
/// `down` or `undo` in a down file (`1_a.down.sql`, postgrator's `001.undo.setup.sql`,
/// diesel's `down.sql`), never a word inside a part (`002_undo_soft_delete.sql` is a
/// migration forward).
fn is_up_migration(path: &Path) -> bool {
    let Some(stem) = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".sql"))
    else {
        return false;
    };
    !stem
        .split('.')
        .any(|part| part.eq_ignore_ascii_case("down") || part.eq_ignore_ascii_case("undo"))
}

/// The order migrations are applied in: versioned files by version, compared numerically
/// part by part (`V2` before `V10`, `V1_9` before `V1_10`, `9_x` before `10_x`), then files
/// without a version, then Flyway repeatables (`R__name.sql`, by name) after every versioned
/// migration, as Flyway runs them.
fn order_key(dir: &Path, path: &Path) -> (u8, Vec<u128>, String) {
    let rel = path
        .strip_prefix(dir)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned();
    if rel.starts_with("R__") || rel.starts_with("r__") {
        return (2, Vec::new(), rel);
    }
    if let Some(v) = flyway_version(path, 'V').or_else(|| flyway_version(path, 'U')) {
        return (0, v, rel);
    }
    let digits: String = rel.chars().take_while(|c| c.is_ascii_digit()).collect();
    match digits.parse::<u128>() {
        Ok(n) => (0, vec![n], rel),
        Err(_) => (1, Vec::new(), rel),
    }
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

    /// postgrator: `<version>.do.<name>.sql` forward, `<version>.undo.<name>.sql` back.
    #[test]
    fn postgrator_undo_files_are_not_applied() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "1563663885520.do.setup_initial_schema.sql",
            "1563663885520.undo.setup_initial_schema.sql",
            "1563663885521.do.sql",
            "1563663885521.UNDO.sql",
            "1563663885522_undo_soft_delete.sql",
        ] {
            std::fs::write(dir.path().join(name), "select 1;").unwrap();
        }
        assert_eq!(
            names(dir.path()),
            [
                "1563663885520.do.setup_initial_schema.sql",
                "1563663885521.do.sql",
                "1563663885522_undo_soft_delete.sql",
            ]
        );
    }

    fn names(dir: &Path) -> Vec<String> {
        migration_files(dir)
            .unwrap()
            .iter()
            .map(|p| p.strip_prefix(dir).unwrap().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn flyway_and_refinery_order() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "V10__later.sql",
            "V2__second.sql",
            "V1__init.sql",
            "V1_10__tenth.sql",
            "V1_9__ninth.sql",
            "U2__second.sql",
            "R__views.sql",
            "U3__unversioned.sql",
        ] {
            std::fs::write(dir.path().join(name), "select 1;").unwrap();
        }
        assert_eq!(
            names(dir.path()),
            [
                "V1__init.sql",
                "V1_9__ninth.sql",
                "V1_10__tenth.sql",
                "V2__second.sql",
                "U3__unversioned.sql",
                "V10__later.sql",
                "R__views.sql"
            ]
        );
    }

    #[test]
    fn a_snapshot_is_read_by_content_and_an_empty_yield_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut schema = Schema::default();
        let mut t = super::super::Relation::new("t".into(), super::super::RelationKind::Table);
        t.columns
            .push(super::super::Column::new("id".into(), "integer"));
        schema
            .namespace_mut(&"public".into())
            .relations
            .insert("t".into(), t);
        let snap = dir.path().join("schema.snapshot");
        super::super::snapshot::write(&schema, &snap).unwrap();
        let loaded = load_ddl_paths(&[snap], &["public".into()]).unwrap();
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        assert_eq!(loaded.schema.relations().count(), 1);
        // SQL that defines nothing: an error, not an empty schema.
        let grants = dir.path().join("grants.sql");
        std::fs::write(&grants, "GRANT SELECT ON t TO app;\n").unwrap();
        let e = load_ddl_paths(&[grants], &["public".into()]).unwrap_err();
        assert!(matches!(e, SchemaError::NothingDefined(_)), "{e}");
        // An empty file is an empty schema (nothing was claimed).
        let empty = dir.path().join("empty.sql");
        std::fs::write(&empty, "-- nothing yet\n").unwrap();
        assert!(load_ddl_paths(&[empty], &["public".into()]).is_ok());
    }
}
