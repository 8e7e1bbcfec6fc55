//! The TypeScript/JavaScript corpus (`fixtures/extract/ts`): real-looking handlers that each
//! send SQL a different way. Every statement is listed with its location, what it is, and its
//! text as extracted (stand-ins for spliced holes included), and asserted exactly: nothing
//! more, nothing less. Then the findings, and a mutation (a column renamed, a table dropped)
//! that every affected statement must report.
//! See: issue 12 (no silent misses).

use std::path::{Path, PathBuf};
use std::process::Command;

mod support;
use support::fs::copy_dir;

use schemalint::config::SourcesConfig;
use schemalint::diagnostic::LineIndex;
use schemalint::extract::{extract, EmbeddedSql, Language, SpliceKind};

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/extract/ts")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if Language::from_path(&p).is_some() {
            out.push(p);
        }
    }
}

/// `file:line:col | status | text`, status being `checked`, `dynamic`, `spliced`, or
/// `skipped: reason`.
fn describe(root: &Path, path: &Path, host: &str, e: &EmbeddedSql) -> String {
    let index = LineIndex::new(host);
    let (line, col) = index.line_col(host, e.host_extent().start);
    let rel = path.strip_prefix(root).unwrap().display().to_string();
    let kinds: Vec<&str> = e
        .spliced
        .iter()
        .map(|s| match s.kind {
            SpliceKind::Value => "value",
            SpliceKind::Constant => "constant",
            SpliceKind::Fragment => "fragment",
        })
        .collect();
    let status = match &e.other_database {
        Some(reason) => format!("skipped: {reason}"),
        None if !e.dynamic.is_empty() => format!("dynamic [{}]", kinds.join(", ")),
        None if !kinds.is_empty() => format!("spliced [{}]", kinds.join(", ")),
        None => "checked".to_string(),
    };
    let text = e.text.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("{rel}:{line}:{col} | {status} | {text}")
}

fn statements(root: &Path) -> Vec<String> {
    let mut paths = Vec::new();
    files(root, &mut paths);
    let mut out = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(&p).unwrap();
        let lang = Language::from_path(&p).unwrap();
        for e in extract(&p, lang, &text, &SourcesConfig::default()).unwrap() {
            out.push(describe(root, &p, &text, &e));
        }
    }
    out
}

const EXPECTED: &[&str] = &[
    "legacy/src/cache.ts:6:20 | skipped: fixtures/extract/ts/legacy/package.json depends on `better-sqlite3` (SQLite) and on no Postgres driver | SELECT value FROM kv WHERE key = $1",
    "migrations/001_init.sql:1:1 | checked | CREATE TABLE orgs ( id bigserial PRIMARY KEY, name text NOT NULL )",
    "migrations/001_init.sql:6:1 | checked | CREATE TABLE users ( id bigserial PRIMARY KEY, org_id bigint REFERENCES orgs (id), email text NOT NULL, name text, created_at timestamptz NOT NULL DEFAULT now() )",
    "migrations/001_init.sql:14:1 | checked | CREATE TABLE orders ( id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id), total numeric NOT NULL, status text NOT NULL DEFAULT 'open' )",
    // pgtyped `:email`, sqlc `sqlc.arg(org_id)` and `@since`: parameters.
    "queries/users.sql:2:1 | checked | SELECT id, name FROM users WHERE email = $1",
    "queries/users.sql:5:1 | checked | SELECT id, email FROM users WHERE org_id = $1 AND created_at > $2",
    // Every handler has its own `let query`; one is given a value in each branch, and a
    // parameter named `query` holds the caller's text.
    "src/routes/handlers.ts:7:16 | checked | SELECT id, total FROM orders WHERE user_id = $1",
    "src/routes/handlers.ts:13:16 | checked | select id, name from users where email = $1",
    "src/routes/handlers.ts:21:14 | checked | SELECT id, name FROM orgs",
    "src/routes/handlers.ts:23:14 | checked | SELECT id, email FROM users",
    // pg-promise's `$(email)`, `$<status>` are values; `$(column:name)`, `$(ids:csv)` paste a
    // name and a list. `${baseQuery}` is the constant's text, its own holes stand-ins.
    "src/routes/matchups.js:7:24 | checked | SELECT id, name FROM users WHERE email = $1",
    "src/routes/matchups.js:12:6 | dynamic [fragment, fragment] | SELECT id, 1 FROM orders WHERE id IN ($1 ) AND status = $2",
    "src/routes/matchups.js:24:18 | dynamic [fragment, fragment] | SELECT COUNT(DISTINCT o.id)::int AS total FROM orders o WHERE o.status = $1",
    "src/routes/matchups.js:27:6 | dynamic [fragment, fragment] | SELECT o.* FROM orders o WHERE o.status = $1 ORDER BY o.id DESC LIMIT $2 OFFSET $3",
    // The rest of it pasted in: its FROM too, so `o.` names nothing known to be missing.
    "src/routes/matchups.js:35:18 | dynamic [fragment] | SELECT o.id, o.total",
    "src/routes/mysql-mirror.ts:5:22 | skipped: this file imports `mysql2/promise` (MySQL), not a Postgres driver | SELECT id, login FROM legacy_accounts WHERE id = ?",
    // A type argument and lowercase SQL.
    "src/routes/orders.ts:9:8 | checked | select id, total from orders where id = $1",
    // `SELECT ${col} ... = ${userId}`: a column list stand-in, a value stand-in.
    "src/routes/orders.ts:19:22 | dynamic [fragment, value] | SELECT 1 FROM orders WHERE user_id = $1",
    "src/routes/orders.ts:23:22 | spliced [value] | SELECT id, total FROM orders WHERE status = 'open' AND user_id = $1",
    "src/routes/orders.ts:29:22 | spliced [constant] | SELECT id, total FROM orders ORDER BY id DESC LIMIT $1",
    // `import { sql as q }`, `const { sql: pooled } = createPool()`.
    "src/routes/orgs.ts:6:12 | checked | SELECT id, name FROM orgs ORDER BY name",
    "src/routes/orgs.ts:10:17 | checked | SELECT u.id, u.email FROM users u WHERE u.org_id = $1",
    "src/routes/orm.ts:12:26 | checked | SELECT sum(total) AS total FROM orders WHERE user_id = $1",
    "src/routes/orm.ts:16:12 | checked | SELECT name FROM orgs",
    "src/routes/orm.ts:20:21 | checked | SELECT email FROM users WHERE org_id = $1",
    "src/routes/orm.ts:24:27 | checked | SELECT count(*) FROM orders WHERE status = $1",
    "src/routes/orm.ts:28:34 | checked | SELECT id FROM orders WHERE status = $1",
    // The PATCH handler: `SET ${fields.join(', ')}` and `$${values.length}`.
    "src/routes/patch-user.ts:14:6 | dynamic [fragment, fragment] | UPDATE users SET a=1 WHERE id = $1 RETURNING id, email, nickname",
    // `const pg = postgres(url)`, pg-promise `store.one`, a named `:email`.
    "src/routes/reports.ts:9:13 | checked | SELECT user_id, sum(total) AS total FROM orders GROUP BY user_id",
    "src/routes/reports.ts:13:21 | checked | SELECT id, name FROM users WHERE email = $1",
    "src/routes/reports.ts:17:21 | checked | SELECT id FROM users WHERE email = $1",
    "src/routes/search.ts:16:22 | dynamic [fragment] | SELECT id, email FROM users WHERE TRUE",
    "src/routes/search.ts:22:6 | dynamic [fragment] | INSERT INTO orders (user_id, total) VALUES (1) RETURNING id",
    // pgtyped `$$ids(id)` and `$org!`.
    "src/routes/typed.ts:4:35 | checked | SELECT id, email FROM users WHERE id in ($1) AND org_id = $2",
    // `db` is `neon(url)` in ../db.ts.
    "src/routes/users.ts:4:27 | checked | SELECT id, email, name FROM users WHERE id = $1",
];

#[test]
fn every_statement_of_the_corpus_is_found_exactly() {
    let found = statements(&corpus());
    let expected: Vec<String> = EXPECTED.iter().map(|s| s.to_string()).collect();
    assert_eq!(found, expected, "\n{}\n", found.join("\n"));
}

fn check_json(dir: &Path) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_schemalint"))
        .args(["check", "--format", "json", "."])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `file:line:col rule` of every finding.
fn findings(v: &serde_json::Value) -> Vec<String> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}:{}:{} {}",
                d["file"].as_str().unwrap(),
                d["line"],
                d["column"],
                d["rule"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn findings_and_summary_tell_the_whole_truth() {
    let v = check_json(&corpus());
    assert_eq!(
        findings(&v),
        [
            "src/routes/matchups.js:12:17 dynamic-sql",
            // Where `baseQuery` pastes its joins (one finding for both statements using it).
            "src/routes/matchups.js:21:5 dynamic-sql",
            "src/routes/matchups.js:35:39 dynamic-sql",
            "src/routes/orders.ts:19:29 dynamic-sql",
            "src/routes/orders.ts:19:64 interpolated-sql",
            "src/routes/orders.ts:23:93 interpolated-sql",
            "src/routes/patch-user.ts:14:23 dynamic-sql",
            // The part of the PATCH statement that can be checked is: RETURNING `nickname`.
            "src/routes/patch-user.ts:14:94 unknown-column",
            "src/routes/search.ts:16:56 dynamic-sql",
            "src/routes/search.ts:22:49 dynamic-sql",
        ]
    );
    let help = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "interpolated-sql")
        .and_then(|d| d["help"].as_str())
        .unwrap();
    assert_eq!(
        help,
        "pass `userId` as a parameter: `... user_id = $1`, [userId]"
    );
    let s = &v["summary"];
    // The migrations are the schema, not statements to check.
    assert_eq!(s["statements_checked"], 30, "{s}");
    assert_eq!(s["statements_checked_in_part"], 8, "{s}");
    assert_eq!(s["statements_skipped"], 2, "{s}");
    assert_eq!(s["statements_not_checked"], 0, "{s}");
    assert_eq!(s["no_sql_found"], false);
    let unchecked: Vec<String> = v["unchecked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            format!(
                "{}:{} {}",
                u["file"].as_str().unwrap(),
                u["line"],
                u["status"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        unchecked,
        [
            "legacy/src/cache.ts:6 skipped",
            "src/routes/matchups.js:12 in-part",
            "src/routes/matchups.js:24 in-part",
            "src/routes/matchups.js:27 in-part",
            "src/routes/matchups.js:35 in-part",
            "src/routes/mysql-mirror.ts:5 skipped",
            "src/routes/orders.ts:19 in-part",
            "src/routes/patch-user.ts:14 in-part",
            "src/routes/search.ts:16 in-part",
            "src/routes/search.ts:22 in-part",
        ]
    );
}

/// Mutation recall: rename `users.email` and drop `orders` through a new migration; every
/// statement of the corpus that uses either must be reported, at the exact place.
#[test]
fn a_renamed_column_and_a_dropped_table_are_reported_everywhere() {
    let dir = std::env::temp_dir().join(format!("schemalint-corpus-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&corpus(), &dir);
    std::fs::write(
        dir.join("migrations/002_mutate.sql"),
        "ALTER TABLE users RENAME COLUMN email TO email_address;\nDROP TABLE orders;\n",
    )
    .unwrap();
    let before: Vec<String> = findings(&check_json(&corpus()));
    let after = findings(&check_json(&dir));
    let new: Vec<&String> = after.iter().filter(|f| !before.contains(f)).collect();
    // Every statement that names `users.email` or `orders` (SQL skipped as being for other
    // databases aside), by file:line.
    let expected_statements = [
        "queries/users.sql:2",
        "queries/users.sql:5",
        "src/routes/handlers.ts:7",
        "src/routes/handlers.ts:13",
        "src/routes/handlers.ts:23",
        "src/routes/matchups.js:7",
        "src/routes/matchups.js:12",
        // The FROM of `baseQuery`, which both of its statements use.
        "src/routes/matchups.js:20",
        "src/routes/orders.ts:9",
        "src/routes/orders.ts:19",
        "src/routes/orders.ts:23",
        "src/routes/orders.ts:29",
        "src/routes/orgs.ts:10",
        "src/routes/orm.ts:12",
        "src/routes/orm.ts:20",
        "src/routes/orm.ts:24",
        "src/routes/orm.ts:28",
        "src/routes/patch-user.ts:14",
        "src/routes/reports.ts:9",
        "src/routes/reports.ts:13",
        "src/routes/reports.ts:17",
        "src/routes/search.ts:16",
        "src/routes/search.ts:22",
        "src/routes/typed.ts:4",
        "src/routes/users.ts:4",
    ];
    let mut missing = Vec::new();
    for statement in expected_statements {
        if !new.iter().any(|f| f.starts_with(&format!("{statement}:"))) {
            missing.push(statement.to_string());
        }
    }
    // And each new finding points at the renamed column or the dropped table.
    for f in &new {
        let (loc, rule) = f.split_once(' ').unwrap();
        let mut parts = loc.rsplitn(3, ':');
        let col: usize = parts.next().unwrap().parse().unwrap();
        let line: usize = parts.next().unwrap().parse().unwrap();
        let text = std::fs::read_to_string(dir.join(parts.next().unwrap())).unwrap();
        let at = &text.lines().nth(line - 1).unwrap()[col - 1..];
        let name = if rule == "unknown-table" {
            "orders"
        } else {
            "email"
        };
        if !(at.starts_with(name) || at.contains(&format!(".{name}")) && at.starts_with("u.")) {
            missing.push(format!("{f} points at {at:?}"));
        }
    }
    if new.len() != expected_statements.len() {
        missing.push(format!(
            "{} new findings for {} statements",
            new.len(),
            expected_statements.len()
        ));
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        missing.is_empty(),
        "not reported: {missing:#?}\nnew findings: {new:#?}"
    );
}

/// `--verify` is never handed text with values pasted in as if it were the statement that
/// runs: what the checker would send is recorded (the database's verdict is not the point).
#[test]
fn spliced_statements_are_never_sent_to_verify() {
    use schemalint::check::{extract_files, Checker};
    use schemalint::rules::{Banned, RuleSettings};
    use schemalint::schema::{load_ddl_paths, ColumnOwners};
    use schemalint::walk::SourceFile;

    let root = corpus();
    let schema = load_ddl_paths(&[root.join("migrations")], &["public".into()])
        .unwrap()
        .schema;
    let sources = SourcesConfig::default();
    let checker = Checker {
        schema: &schema,
        banned: Banned::default(),
        column_owners: ColumnOwners::new(&schema),
        settings: RuleSettings::default(),
        sources: &sources,
        collect_references: false,
        collect_table_uses: false,
    };
    let files: Vec<SourceFile> = ["orders.ts", "patch-user.ts", "users.ts", "mysql-mirror.ts"]
        .iter()
        .map(|f| SourceFile {
            path: root.join("src/routes").join(f),
            language: Language::TypeScript,
        })
        .collect();
    let sent = std::sync::Mutex::new(Vec::<String>::new());
    let verifier = |texts: &[&str]| {
        sent.lock().unwrap().extend(
            texts
                .iter()
                .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" ")),
        );
        schemalint::schema::live::Verification {
            verdicts: texts
                .iter()
                .map(|_| schemalint::schema::live::Verdict::Prepared)
                .collect(),
            failure: None,
        }
    };
    let verify = schemalint::check::Verify {
        ask: &verifier,
        same_database: false,
    };
    let (_, failure) =
        checker.check_and_verify(extract_files(&files, &sources, true, None), &verify);
    assert!(failure.is_none());
    let mut sent = sent.into_inner().unwrap();
    sent.sort();
    assert_eq!(
        sent,
        [
            "SELECT id, email, name FROM users WHERE id = $1",
            "select id, total from orders where id = $1",
        ]
    );
}

/// A project whose source files hold no SQL that schemalint recognises says so, and how to
/// add a driver, instead of "No problems found" alone.
#[test]
fn no_sql_found_is_a_warning_not_a_clean_bill() {
    let dir = std::env::temp_dir().join(format!("schemalint-nosql-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("migrations")).unwrap();
    std::fs::write(
        dir.join("schemalint.toml"),
        "[schema]\npaths = [\"migrations\"]\n",
    )
    .unwrap();
    std::fs::write(dir.join("migrations/1.sql"), "CREATE TABLE t (id int);\n").unwrap();
    std::fs::write(
        dir.join("repo.ts"),
        "export async function all(run: any) {\n  return run.exec(builder.select('id').from('t'));\n}\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_schemalint"))
        .args(["check", "."])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let v = check_json(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        stdout.contains("warning: no SQL found in 1 source file"),
        "{stdout}"
    );
    assert!(stdout.contains("[sources] tags"), "{stdout}");
    assert_eq!(v["summary"]["no_sql_found"], true);
}
