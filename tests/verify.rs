//! `check --verify` against a real PostgreSQL that the test starts (tests/support/pg.rs): the
//! server's refusals at their place in the host file, nothing ever executed, clear failures,
//! and the differential test of every rule fixture's static verdict against the server's.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use schemalint::check::Checker;
use schemalint::config::SourcesConfig;
use schemalint::diagnostic::{LineIndex, Severity};
use schemalint::extract::{self, Language};
use schemalint::rules::{Banned, RuleSettings};
use schemalint::schema::live::{introspect, prepare_all, ConnectOptions};
use schemalint::schema::load_ddl_paths;
use schemalint::verify;
use support::pg::cluster;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schemalint(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_schemalint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "200")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const SCHEMA: &str = "
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE audit (id bigserial PRIMARY KEY, what text NOT NULL);
CREATE SEQUENCE counter;
";

/// Queries a static check cannot fault, but the server refuses (types, functions).
const APP: &str = r#"import { neon } from "@neondatabase/serverless";
const sql = neon(process.env.DATABASE_URL!);

export async function find(id: number) {
  // Correct: must not be flagged by anyone.
  const ok = await sql`SELECT id, email FROM users WHERE id = ${id} AND created_at > now() - interval '1 day'`;
  const bad = await sql`SELECT id FROM users WHERE id = 'abc'`;
  const fn = await sql`SELECT lower(id) FROM users`;
  return [ok, bad, fn];
}
"#;

#[test]
fn server_refusals_are_reported_where_they_are_and_static_findings_stay() {
    let pg = cluster();
    let url = pg.database("verify_app", SCHEMA);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("schema.sql"), SCHEMA).unwrap();
    std::fs::write(dir.path().join("app.ts"), APP).unwrap();
    std::fs::write(
        dir.path().join("queries.sql"),
        "SELECT emial FROM users;\n-- schemalint-ignore-next-line database-error\nSELECT id FROM users WHERE id = 'xyz';\n",
    )
    .unwrap();

    // Without --verify: only the static finding, and the suppression of `database-error`
    // is not called unused (this run could not have found what it silences).
    let (code, stdout, stderr) = schemalint(dir.path(), &["check", "--schema", "schema.sql"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(!stdout.lines().any(|l| l == "database-error"), "{stdout}");
    assert!(stdout.contains("Found 1 error, 0 warnings"), "{stdout}");

    let (code, stdout, stderr) = schemalint(
        dir.path(),
        &[
            "check",
            "--schema",
            "schema.sql",
            "--verify",
            "--database-url",
            &url,
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 1, "{stdout}{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let found: Vec<String> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}:{}:{} {} {} [{}]",
                d["file"].as_str().unwrap(),
                d["line"],
                d["column"],
                d["rule"].as_str().unwrap(),
                d["message"].as_str().unwrap(),
                d["origin"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            "app.ts:7:57 database-error invalid input syntax for type bigint: \"abc\" [database]",
            "app.ts:8:31 database-error function lower(bigint) does not exist [database]",
            "queries.sql:1:8 unknown-column column \"emial\" does not exist [static]",
        ],
        "{stdout}"
    );
    // The server also refused `emial`, at the same place: counted, not repeated. The
    // suppressed statement was refused too.
    assert_eq!(
        json["summary"]["verified"],
        serde_json::json!({"statements": 5, "refused": 4, "already_reported": 1}),
    );

    let (_, human, _) = schemalint(
        dir.path(),
        &[
            "check",
            "--schema",
            "schema.sql",
            "--verify",
            "--database-url",
            &url,
        ],
    );
    assert!(
        human.contains("SQLSTATE 22P02 (reported by the database)")
            && human.contains("No function matches the given name and argument types")
            && human.contains("Asked the database to prepare 5 statements: it refused 4 (1 already reported by the static checks)."),
        "{human}"
    );
}

#[test]
fn no_scanned_statement_is_ever_executed() {
    let pg = cluster();
    let url = pg.database("verify_no_exec", SCHEMA);
    let dir = tempfile::tempdir().unwrap();
    // Every one of these would leave a trace (or take 30 s) if it ran.
    std::fs::write(
        dir.path().join("writes.sql"),
        "INSERT INTO audit (what) VALUES ('ran');\n\
         UPDATE users SET email = 'ran';\n\
         DELETE FROM users;\n\
         SELECT nextval('counter');\n\
         WITH moved AS (DELETE FROM audit RETURNING what) INSERT INTO audit (what) SELECT what FROM moved;\n\
         SELECT pg_sleep(30);\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("db.ts"),
        "await sql`INSERT INTO audit (what) VALUES (${'ts'})`;\n",
    )
    .unwrap();
    let psql = |sql: &str| {
        let out = Command::new(support::pg::bin_dir().join("psql"))
            .args(["-X", "-qtA", &url, "-c", sql])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    psql("INSERT INTO users (id, email) VALUES (1, 'kept@example.com')");
    let start = Instant::now();
    let (code, stdout, stderr) = schemalint(
        dir.path(),
        &[
            "check",
            "--verify",
            "--database-url",
            &url,
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["summary"]["verified"]["statements"], 7, "{stdout}");
    assert_eq!(json["summary"]["verified"]["refused"], 0, "{stdout}");
    assert!(start.elapsed().as_secs() < 20, "pg_sleep ran?");
    assert_eq!(psql("SELECT count(*) FROM audit"), "0");
    assert_eq!(psql("SELECT email FROM users"), "kept@example.com");
    // nextval() is not transactional: had it run, the rollback would not have undone it.
    assert_eq!(psql("SELECT is_called FROM counter"), "f");
}

#[test]
fn verify_needs_a_reachable_database() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("schema.sql"), SCHEMA).unwrap();
    std::fs::write(dir.path().join("q.sql"), "SELECT id FROM users;\n").unwrap();
    let (code, _, stderr) =
        schemalint(dir.path(), &["check", "--schema", "schema.sql", "--verify"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--verify needs a database"), "{stderr}");

    // Nothing listens on this port; the password must not be printed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://u:s3cret-pw@127.0.0.1:{port}/db?sslmode=disable");
    let (code, stdout, stderr) = schemalint(
        dir.path(),
        &[
            "check",
            "--schema",
            "schema.sql",
            "--verify",
            "--database-url",
            &url,
        ],
    );
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("--verify: connection refused"), "{stderr}");
    assert!(!stderr.contains("s3cret") && !stdout.contains("s3cret"));
}

/// Runtime-only rules: the server cannot see them when it prepares a statement.
const RUNTIME_ONLY: &[&str] = &["missing-required-column", "banned-table", "banned-column"];

/// The SQLSTATEs that agree with each static rule.
fn agrees(rule: &str, state: &str) -> bool {
    match rule {
        "unknown-table" => state == "42P01",
        // A missing FROM-clause entry for `t.col` is 42P01.
        "unknown-column" => matches!(state, "42703" | "42P01"),
        "ambiguous-column" => state == "42702",
        // "INSERT has more expressions than target columns" is a syntax error.
        "insert-column-count"
        | "sql-syntax"
        | "on-conflict-without-target"
        | "newer-postgres-syntax" => state == "42601",
        _ => false,
    }
}

/// For every statement of the rule fixtures, the static verdict (which error rules fire, if
/// any) and the server's PREPARE verdict (through the same `prepare_all` that `--verify`
/// uses) must agree. Any disagreement is listed and fails the test.
#[test]
fn differential_static_verdicts_agree_with_postgres() {
    let pg = cluster();
    let schema_sql = std::fs::read_to_string(root().join("fixtures/schema.sql")).unwrap();
    let url = pg.database("verify_differential", &schema_sql);
    let mut schema = load_ddl_paths(&[root().join("fixtures/schema.sql")], &["public".into()])
        .unwrap()
        .schema;
    // Judged by the server's version (15), whatever a fixture directory configures: a form
    // newer than 15 (`RETURNING old.x`, a FROM subquery without an alias, JSON_TABLE) must
    // be flagged here, where the same fixture is valid at the default version (18).
    let server = introspect(&ConnectOptions::new(url.clone())).unwrap();
    assert_eq!(
        server.postgres_version,
        Some(15),
        "the test cluster's major version"
    );
    schema.postgres_version = server.postgres_version;
    let sources = SourcesConfig::default();
    let checker = Checker {
        schema: &schema,
        banned: Banned::default(),
        settings: RuleSettings::default(),
        sources: &sources,
        collect_references: false,
    };

    let mut files: Vec<PathBuf> = Vec::new();
    for dir in std::fs::read_dir(root().join("fixtures/rules")).unwrap() {
        for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            let p = f.unwrap().path();
            if p.extension().is_some_and(|e| e == "sql") {
                files.push(p);
            }
        }
    }
    files.sort();

    // (where, static rules, statement text)
    let mut statements: Vec<(String, BTreeSet<&'static str>, String)> = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let index = LineIndex::new(&text);
        let rel = path.strip_prefix(root()).unwrap().display().to_string();
        for sql in extract::extract(path, Language::Sql, &text, &sources).unwrap() {
            let mut diagnostics = Vec::new();
            let parsed = checker.check_sql(&sql, &mut diagnostics, &mut Default::default()) > 0;
            let rules: BTreeSet<&'static str> = diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error || d.rule == "sql-syntax")
                .map(|d| d.rule)
                .collect();
            let sql = std::sync::Arc::new(sql);
            for c in verify::candidates(&sql, path, parsed) {
                let line = index.line_col(&text, sql.map.to_host(c.start)).0;
                statements.push((format!("{rel}:{line}"), rules.clone(), c.text().to_string()));
            }
        }
    }
    let texts: Vec<&str> = statements.iter().map(|s| s.2.as_str()).collect();
    let verdicts = prepare_all(&ConnectOptions::new(url), &texts).unwrap();
    assert_eq!(verdicts.len(), statements.len());
    assert!(statements.len() > 300, "{} statements", statements.len());

    let mut disagreements = Vec::new();
    for ((at, rules, _), verdict) in statements.iter().zip(&verdicts) {
        let runtime_only = rules.iter().any(|r| RUNTIME_ONLY.contains(r));
        let rules: Vec<&str> = rules
            .iter()
            .copied()
            .filter(|r| !RUNTIME_ONLY.contains(r))
            .collect();
        let ok = match verdict {
            None => rules.is_empty(),
            Some(e) => rules.iter().any(|r| agrees(r, &e.code)),
        };
        let runtime_only_finding = rules.is_empty() && runtime_only;
        if !ok && !runtime_only_finding {
            disagreements.push(format!(
                "{at}: schemalint {rules:?}, postgres {}",
                verdict
                    .as_ref()
                    .map_or("ok".to_string(), |e| format!("{} {}", e.code, e.message))
            ));
        }
    }
    eprintln!(
        "{} statements compared with PostgreSQL, {} disagreements",
        statements.len(),
        disagreements.len()
    );
    assert!(
        disagreements.is_empty(),
        "static verdicts that PostgreSQL contradicts:\n{}",
        disagreements.join("\n")
    );
}

#[test]
fn the_github_action_passes_verify_through() {
    let pg = cluster();
    let create = std::fs::read_to_string(root().join("fixtures/neon-media/db/create.sql")).unwrap();
    let url = pg.database("verify_action", &create);
    let out_file = tempfile::NamedTempFile::new().unwrap();
    let out = Command::new("bash")
        .arg(root().join("scripts/action-run.sh"))
        .current_dir(root())
        .env("SCHEMALINT", env!("CARGO_BIN_EXE_schemalint"))
        .env("GITHUB_OUTPUT", out_file.path())
        .env("INPUT_PATHS", "fixtures/neon-media")
        .env("INPUT_VERIFY", "true")
        .env("SCHEMALINT_DATABASE_URL", &url)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The database's own words for the motivating bug, as a pull-request annotation.
    assert!(
        stdout.lines().any(|l| l.starts_with(
            "::error file=fixtures/neon-media/netlify/functions/save-media.ts,line=17,col=33,"
        ) && l.contains("title=schemalint (database-error)::")
            && l.contains("column \"media_type\" of relation \"media\" does not exist")),
        "{stdout}"
    );
}
