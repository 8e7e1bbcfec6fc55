//! Which database a TypeScript/JavaScript file talks to, from the packages it imports and the
//! nearest `package.json`: SQL for SQLite or MySQL (`better-sqlite3`, `mysql2`, ...) is not
//! checked against a Postgres schema. Reads `package.json` files, nothing else.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Packages that talk to another database than Postgres, with the database's name.
const OTHER_DATABASES: &[(&str, &str)] = &[
    ("better-sqlite3", "SQLite"),
    ("sqlite3", "SQLite"),
    ("sqlite", "SQLite"),
    ("bun:sqlite", "SQLite"),
    ("node:sqlite", "SQLite"),
    ("@libsql/client", "SQLite (libSQL)"),
    ("expo-sqlite", "SQLite"),
    ("mysql2", "MySQL"),
    ("mysql2/promise", "MySQL"),
    ("mysql", "MySQL"),
    ("mariadb", "MariaDB"),
    ("@planetscale/database", "MySQL (PlanetScale)"),
    ("mssql", "SQL Server"),
    ("tedious", "SQL Server"),
];

/// Packages that talk to Postgres: a file or package using one of them is checked.
const POSTGRES: &[&str] = &[
    "pg",
    "postgres",
    "pg-promise",
    "@neondatabase/serverless",
    "@vercel/postgres",
    "slonik",
    "@databases/pg",
    "@pgtyped/runtime",
    "@electric-sql/pglite",
    "pg-pool",
];

/// The database a module specifier talks to, if it is not Postgres.
pub fn other_database(module: &str) -> Option<&'static str> {
    OTHER_DATABASES
        .iter()
        .find(|(m, _)| *m == module)
        .map(|&(_, db)| db)
}

fn is_postgres(module: &str) -> bool {
    POSTGRES.contains(&module)
}

/// Why the SQL of a file is for another database, if it is: the file imports such a package
/// and no Postgres one, or it imports neither and its nearest `package.json` depends only on
/// such packages.
pub fn reason_to_skip(path: &Path, imports: &[String]) -> Option<String> {
    if imports.iter().any(|m| is_postgres(m)) {
        return None;
    }
    if let Some((m, db)) = imports
        .iter()
        .find_map(|m| other_database(m).map(|db| (m, db)))
    {
        return Some(format!(
            "this file imports `{m}` ({db}), not a Postgres driver"
        ));
    }
    let manifest = nearest_manifest(path)?;
    if manifest.deps.iter().any(|d| is_postgres(d)) {
        return None;
    }
    let (dep, db) = manifest
        .deps
        .iter()
        .find_map(|d| other_database(d).map(|db| (d, db)))?;
    let cwd = std::env::current_dir().ok();
    let shown = cwd
        .as_deref()
        .and_then(|c| manifest.path.strip_prefix(c).ok())
        .unwrap_or(&manifest.path);
    Some(format!(
        "{} depends on `{dep}` ({db}) and on no Postgres driver",
        shown.display()
    ))
}

#[derive(Debug)]
struct Manifest {
    path: PathBuf,
    deps: Vec<String>,
}

/// The `package.json` nearest to a file (walking up), read once per directory.
fn nearest_manifest(path: &Path) -> Option<Arc<Manifest>> {
    type Cache = Mutex<HashMap<PathBuf, Option<Arc<Manifest>>>>;
    static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Cache::default);
    let mut dir = path.parent();
    while let Some(d) = dir {
        if let Some(found) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(d) {
            return found.clone();
        }
        let candidate = d.join("package.json");
        if let Ok(text) = std::fs::read_to_string(&candidate) {
            let manifest = Arc::new(Manifest {
                deps: dependencies(&text),
                path: candidate,
            });
            cache
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(d.to_path_buf(), Some(manifest.clone()));
            return Some(manifest);
        }
        dir = d.parent();
    }
    None
}

/// The names under `dependencies`, `devDependencies` and `peerDependencies`.
fn dependencies(text: &str) -> Vec<String> {
    let Ok(serde_json::Value::Object(root)) = serde_json::from_str(text) else {
        return Vec::new();
    };
    ["dependencies", "devDependencies", "peerDependencies"]
        .iter()
        .filter_map(|k| root.get(*k)?.as_object())
        .flat_map(|deps| deps.keys().cloned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_decide_before_the_manifest() {
        let p = Path::new("/nonexistent/src/a.ts");
        assert!(reason_to_skip(p, &["better-sqlite3".into()]).is_some_and(|r| r.contains("SQLite")));
        assert_eq!(
            reason_to_skip(p, &["better-sqlite3".into(), "pg".into()]),
            None
        );
        assert_eq!(reason_to_skip(p, &["express".into()]), None);
    }
}
