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
}

/// Well-known places, most specific first: the first one found wins for migrations.
const MIGRATION_DIRS: &[&str] = &[
    "supabase/migrations",
    "prisma/migrations",
    "db/migrations",
    "migrations",
    "drizzle",
    "database/migrations",
];
const DUMP_FILES: &[&str] = &[
    "db/schema.sql",
    "schema.sql",
    "db/structure.sql",
    "database/schema.sql",
];

pub fn detect(root: &Path) -> Detected {
    let mut detected = Detected::default();
    if let Some(dump) = DUMP_FILES.iter().find(|f| root.join(f).is_file()) {
        detected.schema_paths.push(PathBuf::from(dump));
    } else if let Some(dir) = MIGRATION_DIRS.iter().find(|d| has_sql(&root.join(d))) {
        detected.schema_paths.push(PathBuf::from(dir));
    }
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

fn has_sql(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let p = e.path();
        p.extension().is_some_and(|x| x == "sql")
            || (p.is_dir() && p.join("migration.sql").is_file())
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
}
