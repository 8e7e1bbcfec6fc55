//! `schemalint init`: look at a project (migration folders, schema dumps, `DATABASE_URL`) and
//! write a commented `schemalint.toml` that works as it is.

use std::path::{Path, PathBuf};

/// What `init` found in the project.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Detected {
    /// Schema sources relative to the project root, in the order they should be applied.
    pub schema_paths: Vec<PathBuf>,
    /// Environment variable that holds a database URL (from `.env` files or the environment).
    pub database_url_env: Option<String>,
    /// Every schema source found, relative to the project root, with its kind: what `init`
    /// lists so that the user sees what it chose among.
    pub candidates: Vec<Candidate>,
}

/// A schema source `init` found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    /// Relative to the project root.
    pub path: PathBuf,
    pub kind: CandidateKind,
    /// The package (a folder with its own package.json or Cargo.toml below the root) the
    /// source belongs to; empty for the root.
    pub package: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CandidateKind {
    /// A `schemalint snapshot` file: the whole schema, as committed.
    Snapshot,
    /// A `pg_dump --schema-only` or hand-kept DDL file (`schema.sql`, `structure.sql`).
    Dump,
    /// A folder of migrations (any layout the replay reads).
    Migrations,
}

impl std::fmt::Display for CandidateKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CandidateKind::Snapshot => "snapshot",
            CandidateKind::Dump => "schema file",
            CandidateKind::Migrations => "migrations",
        })
    }
}

/// Folder names that hold migrations in the layouts the replay reads (sqlx, golang-migrate,
/// dbmate, goose, diesel, Prisma, Supabase, drizzle, Flyway, refinery, Knex/node-pg-migrate
/// with SQL files).
const MIGRATION_DIR_NAMES: &[&str] = &["migrations", "migration", "drizzle", "sql-migrations"];
/// File names of schema dumps and hand-kept DDL.
const DUMP_FILE_NAMES: &[&str] = &["schema.sql", "structure.sql", "db.sql", "database.sql"];
const SNAPSHOT_FILE_NAME: &str = "schemalint.schema.json";
/// How deep below the root `init` looks (`apps/web/db/migrations` is depth 4).
const MAX_DEPTH: usize = 6;

pub fn detect(root: &Path) -> Detected {
    let candidates = find_candidates(root);
    let mut detected = Detected {
        schema_paths: choose(&candidates, Path::new("")),
        ..Detected::default()
    };
    detected.candidates = candidates;
    for env_file in [".env", ".env.local", ".env.example"] {
        if let Ok(text) = std::fs::read_to_string(root.join(env_file)) {
            if let Some(name) = ["DATABASE_URL", "POSTGRES_URL", "NEON_DATABASE_URL"]
                .iter()
                .find(|n| {
                    text.lines()
                        .any(|l| l.trim_start().starts_with(&format!("{n}=")))
                })
            {
                detected.database_url_env = Some(name.to_string());
                break;
            }
        }
    }
    if detected.database_url_env.is_none() && std::env::var_os("DATABASE_URL").is_some() {
        detected.database_url_env = Some("DATABASE_URL".into());
    }
    detected
}

/// The packages below the root that have a schema of their own (`packages/api`,
/// `crates/store`), each with the sources `init` would choose for it. Empty when the project
/// has one schema, or its sources all sit at the root.
pub fn packages(detected: &Detected) -> Vec<(PathBuf, Vec<PathBuf>)> {
    let mut names: Vec<&PathBuf> = detected
        .candidates
        .iter()
        .map(|c| &c.package)
        .filter(|p| !p.as_os_str().is_empty())
        .collect();
    names.sort();
    names.dedup();
    if names.len() < 2 {
        return Vec::new();
    }
    names
        .into_iter()
        .map(|pkg| {
            let paths = choose(&detected.candidates, pkg)
                .into_iter()
                .map(|p| p.strip_prefix(pkg).map(Path::to_path_buf).unwrap_or(p))
                .collect();
            (pkg.clone(), paths)
        })
        .collect()
}

/// The sources of one package: a snapshot if there is one (it is the whole schema), else a
/// dump, else its migration folders (the shallowest; several folders at the same depth, as in
/// `db/*/migrations`, are all kept, in path order).
fn choose(candidates: &[Candidate], package: &Path) -> Vec<PathBuf> {
    // The root takes a lone package's sources (`crates/db/migrations` in a one-crate repo).
    let mine: Vec<&Candidate> = if package.as_os_str().is_empty() && single_package(candidates) {
        candidates.iter().collect()
    } else {
        candidates.iter().filter(|c| c.package == package).collect()
    };
    for kind in [
        CandidateKind::Snapshot,
        CandidateKind::Dump,
        CandidateKind::Migrations,
    ] {
        let of_kind: Vec<&&Candidate> = mine.iter().filter(|c| c.kind == kind).collect();
        let Some(depth) = of_kind.iter().map(|c| c.path.components().count()).min() else {
            continue;
        };
        let mut paths: Vec<PathBuf> = of_kind
            .iter()
            .filter(|c| c.path.components().count() == depth)
            .map(|c| c.path.clone())
            .collect();
        paths.sort();
        // A dump or snapshot is one whole schema: more than one at the same depth is a
        // choice for the user, and the first is only a guess.
        if kind != CandidateKind::Migrations {
            paths.truncate(1);
        }
        return paths;
    }
    Vec::new()
}

/// Whether every candidate belongs to the same package (then the root config uses it).
fn single_package(candidates: &[Candidate]) -> bool {
    candidates
        .iter()
        .map(|c| &c.package)
        .collect::<std::collections::BTreeSet<_>>()
        .len()
        <= 1
}

/// Every schema source below `root`, honouring .gitignore (no node_modules, no target).
fn find_candidates(root: &Path) -> Vec<Candidate> {
    let mut out = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .max_depth(Some(MAX_DEPTH))
        .hidden(false)
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            !matches!(
                name.as_ref(),
                ".git" | "node_modules" | "target" | "dist" | "build"
            )
        })
        .build();
    for entry in walker.flatten() {
        let path = entry.path();
        let Ok(rel) = path.strip_prefix(root) else {
            continue;
        };
        let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        let kind = if is_dir && MIGRATION_DIR_NAMES.contains(&name.as_str()) && has_sql(path) {
            CandidateKind::Migrations
        } else if !is_dir && name == SNAPSHOT_FILE_NAME {
            CandidateKind::Snapshot
        } else if !is_dir && DUMP_FILE_NAMES.contains(&name.as_str()) && !inside_migrations(rel) {
            CandidateKind::Dump
        } else {
            continue;
        };
        let package = package_of(root, rel);
        // A crate that talks to SQLite or MySQL: its migrations are not a Postgres schema.
        let crate_dir = root.join(&package);
        if !package.as_os_str().is_empty()
            && crate_dir.join("Cargo.toml").is_file()
            && crate::extract::rust::crates::other_database_of_crate(&crate_dir).is_some()
        {
            continue;
        }
        out.push(Candidate {
            path: rel.to_path_buf(),
            kind,
            package,
        });
    }
    // A migrations folder inside another one (`migrations/sql/migrations`) is part of it.
    let dirs: Vec<PathBuf> = out
        .iter()
        .filter(|c| c.kind == CandidateKind::Migrations)
        .map(|c| c.path.clone())
        .collect();
    out.retain(|c| {
        c.kind != CandidateKind::Migrations
            || !dirs.iter().any(|d| d != &c.path && c.path.starts_with(d))
    });
    out.sort();
    out
}

/// Whether a path lies inside a migrations folder (a `schema.sql` there is one migration).
fn inside_migrations(rel: &Path) -> bool {
    rel.parent().is_some_and(|p| {
        p.components().any(|c| {
            MIGRATION_DIR_NAMES.contains(
                &c.as_os_str()
                    .to_string_lossy()
                    .to_ascii_lowercase()
                    .as_str(),
            )
        })
    })
}

/// The nearest folder above `rel` (below the root) with its own package.json or Cargo.toml.
fn package_of(root: &Path, rel: &Path) -> PathBuf {
    let mut dir = rel.parent();
    while let Some(d) = dir {
        if d.as_os_str().is_empty() {
            break;
        }
        if ["package.json", "Cargo.toml", "go.mod", "pyproject.toml"]
            .iter()
            .any(|f| root.join(d).join(f).is_file())
        {
            return d.to_path_buf();
        }
        dir = d.parent();
    }
    PathBuf::new()
}

fn has_sql(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let p = e.path();
        p.extension().is_some_and(|x| x == "sql")
            || (p.is_dir()
                && ["migration.sql", "up.sql"]
                    .iter()
                    .any(|f| p.join(f).is_file()))
    })
}

/// The config text for what was detected.
pub fn render(detected: &Detected) -> String {
    let mut out =
        String::from("# schemalint configuration, written by `schemalint init`.\n\n[schema]\n");
    if detected.schema_paths.is_empty() {
        out.push_str(
            "# Where the schema comes from: a pg_dump --schema-only file, DDL files, migration\n\
             # folders (applied in order) or a snapshot written by `schemalint snapshot`.\n\
             # Nothing was found automatically; fill this in.\n\
             paths = []\n",
        );
    } else {
        let list: Vec<String> = detected
            .schema_paths
            .iter()
            .map(|p| format!("{:?}", p.to_string_lossy().replace('\\', "/")))
            .collect();
        out.push_str(
            "# Where the schema comes from: a pg_dump --schema-only file, DDL files, migration\n\
             # folders (applied in order) or a snapshot written by `schemalint snapshot`.\n",
        );
        out.push_str(&format!("paths = [{}]\n", list.join(", ")));
    }
    out.push_str("# Schemas searched for unqualified table names.\nsearch-path = [\"public\"]\n");
    match &detected.database_url_env {
        Some(name) => out.push_str(&format!(
            "# Check against the live database with `schemalint check --database-url-env {name}`.\n\
             database-url-env = \"{name}\"\n"
        )),
        None => out.push_str("# database-url-env = \"DATABASE_URL\"\n"),
    }
    out.push_str(
        "\n[banned]\n\
         # Tables or columns code must no longer use, with the reason shown to whoever uses them:\n\
         # media = \"legacy; use `assets`\"\n\
         # \"users.name\" = \"split into `first_name` and `last_name`\"\n\
         \n[rules]\n\
         # off | info | warning | error, per rule (`schemalint rule` lists them):\n\
         # missing-required-column = \"error\"\n\
         \n[sources]\n\
         # Extra SQL template tags and query functions, and files to skip:\n\
         # tags = [\"db\"]\n\
         # functions = [\"runQuery\"]\n\
         # exclude = [\"**/generated/**\"]\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_supabase_migrations_and_env_url() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("supabase/migrations")).unwrap();
        std::fs::write(
            dir.path().join("supabase/migrations/20240101_init.sql"),
            "create table t (id int);",
        )
        .unwrap();
        std::fs::write(
            dir.path().join(".env"),
            "FOO=1\nDATABASE_URL=postgres://x\n",
        )
        .unwrap();
        let d = detect(dir.path());
        assert_eq!(d.schema_paths, [PathBuf::from("supabase/migrations")]);
        assert_eq!(d.database_url_env.as_deref(), Some("DATABASE_URL"));
        let text = render(&d);
        let parsed = crate::config::parse(Path::new("schemalint.toml"), text).unwrap();
        assert_eq!(
            parsed.config.schema.paths,
            [PathBuf::from("supabase/migrations")]
        );
    }

    #[test]
    fn a_dump_file_wins_over_migrations() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("db/migrations")).unwrap();
        std::fs::write(dir.path().join("db/migrations/1_a.sql"), "select 1;").unwrap();
        std::fs::write(dir.path().join("db/schema.sql"), "create table t (id int);").unwrap();
        assert_eq!(
            detect(dir.path()).schema_paths,
            [PathBuf::from("db/schema.sql")]
        );
    }

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for f in files {
            let path = dir.path().join(f);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "create table t (id int);\n").unwrap();
        }
        dir
    }

    #[test]
    fn finds_the_schema_in_every_layout() {
        let cases: &[(&[&str], &[&str])] = &[
            (
                &["supabase/migrations/20240101_init.sql"],
                &["supabase/migrations"],
            ),
            (
                &[
                    "prisma/migrations/20240101_init/migration.sql",
                    "prisma/schema.prisma",
                ],
                &["prisma/migrations"],
            ),
            (&["db/migrations/001_init.sql"], &["db/migrations"]),
            (&["migrations/20240101000000_init.sql"], &["migrations"]),
            (&["drizzle/0000_init.sql"], &["drizzle"]),
            // diesel
            (
                &[
                    "migrations/2024-01-01-000000_create/up.sql",
                    "migrations/2024-01-01-000000_create/down.sql",
                ],
                &["migrations"],
            ),
            // Flyway in a JVM-style tree
            (
                &["src/main/resources/db/migration/V1__init.sql"],
                &["src/main/resources/db/migration"],
            ),
            // one crate of a workspace has the migrations
            (
                &[
                    "Cargo.toml",
                    "crates/store/Cargo.toml",
                    "crates/store/migrations/0001_init.sql",
                ],
                &["crates/store/migrations"],
            ),
            // several databases' migrations side by side: all of them
            (
                &["db/app/migrations/1_a.sql", "db/audit/migrations/1_b.sql"],
                &["db/app/migrations", "db/audit/migrations"],
            ),
            // a schema.sql beside the app
            (
                &["apps/web/package.json", "apps/web/schema.sql"],
                &["apps/web/schema.sql"],
            ),
            // a committed snapshot is the whole schema
            (
                &["schemalint.schema.json", "migrations/1_a.sql"],
                &["schemalint.schema.json"],
            ),
            // what node_modules ships is not the project's schema
            (&["node_modules/some-lib/migrations/1_x.sql"], &[]),
        ];
        for (files, expected) in cases {
            let dir = tree(files);
            let d = detect(dir.path());
            let got: Vec<String> = d
                .schema_paths
                .iter()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .collect();
            assert_eq!(got, *expected, "layout {files:?}");
            assert!(packages(&d).is_empty(), "layout {files:?}: one config");
            // What init writes loads, with these paths.
            let parsed = crate::config::parse(Path::new("schemalint.toml"), render(&d)).unwrap();
            assert_eq!(parsed.config.schema.paths, d.schema_paths);
        }
    }

    #[test]
    fn a_crate_for_another_database_is_not_a_schema() {
        let dir = tree(&[
            "db/db-sqlx-postgres/migrations/20240101_init.sql",
            "db/db-sqlx-maria/migrations/20240101_init.sql",
        ]);
        std::fs::write(
            dir.path().join("db/db-sqlx-postgres/Cargo.toml"),
            "[package]\nname = \"pg\"\n[dependencies]\nsqlx = { version = \"0.8\", features = [\"postgres\"] }\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("db/db-sqlx-maria/Cargo.toml"),
            "[package]\nname = \"maria\"\n[dependencies]\nsqlx = { version = \"0.8\", features = [\"mysql\"] }\n",
        )
        .unwrap();
        let d = detect(dir.path());
        assert_eq!(
            d.schema_paths,
            [PathBuf::from("db/db-sqlx-postgres/migrations")]
        );
        assert!(packages(&d).is_empty());
    }

    #[test]
    fn a_workspace_whose_packages_have_their_own_schemas_gets_a_config_each() {
        let dir = tree(&[
            "package.json",
            "packages/api/package.json",
            "packages/api/db/schema.sql",
            "packages/worker/package.json",
            "packages/worker/migrations/001_init.sql",
            "crates/ledger/Cargo.toml",
            "crates/ledger/migrations/20240101_init.sql",
        ]);
        let d = detect(dir.path());
        assert_eq!(d.candidates.len(), 3, "{:?}", d.candidates);
        let got = packages(&d);
        assert_eq!(
            got,
            vec![
                (
                    PathBuf::from("crates/ledger"),
                    vec![PathBuf::from("migrations")]
                ),
                (
                    PathBuf::from("packages/api"),
                    vec![PathBuf::from("db/schema.sql")]
                ),
                (
                    PathBuf::from("packages/worker"),
                    vec![PathBuf::from("migrations")]
                ),
            ]
        );
    }
}
