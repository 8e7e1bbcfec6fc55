//! Extraction through the public API: every string form (escapes, continuations,
//! concatenation, interpolation, multi-byte text, CRLF, raw strings, concat!) maps each
//! identifier back to its exact place in the host file. Cases from the wt/extract branch.

use std::path::Path;

use schemalint::config::SourcesConfig;
use schemalint::extract::{extract, Confidence, EmbeddedSql, Language};

fn run(name: &str, src: &str) -> Vec<EmbeddedSql> {
    let path = Path::new(name);
    let lang = Language::from_path(path).expect("supported extension");
    extract(path, lang, src, &SourcesConfig::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Map the first occurrence of `ident` in the SQL back to the host and check it lands on `ident`.
fn assert_maps(host: &str, e: &EmbeddedSql, ident: &str) {
    let at = e
        .text
        .find(ident)
        .unwrap_or_else(|| panic!("`{ident}` not in {:?}", e.text)) as u32;
    let h = e.map.to_host(at) as usize;
    let end = (h + 30).min(host.len());
    assert!(
        host.get(h..).is_some_and(|s| s.starts_with(ident)),
        "`{ident}` (SQL offset {at}) mapped to host {h}: {:?}",
        host.get(h..end)
    );
    // The whole span of the identifier maps too (no segment boundary inside it here).
    let span = e.host_span(at, at + ident.len() as u32);
    assert_eq!(&host[span.start as usize..span.end as usize], ident);
}

/// (file name, source, identifiers that must map exactly). Each source holds one statement.
const CASES: &[(&str, &str, &[&str])] = &[
    // TypeScript / JavaScript
    (
        "escapes.ts",
        "await pool.query('SELECT \\'x\\' AS a,\\n\\t\\'a\\\\b\\' AS b, \\u00e9t\\u{e9}, \\x41, media_type FROM assets');",
        &["media_type", "assets"],
    ),
    (
        "continuation.js",
        "client.query(\"SELECT id, \\\n  media_type FROM assets\");",
        &["media_type", "assets", "SELECT"],
    ),
    (
        "concat.ts",
        "const where = ' WHERE kind = $1';\nawait pool.query('SELECT id, ' +\n  \"media_type\" + ` FROM assets` + where);",
        &["media_type", "assets", "kind", "SELECT"],
    ),
    (
        "interp.ts",
        "await sql`SELECT id, media_type FROM assets WHERE user_id = ${req.user.id} AND kind = ${k}`;",
        &["media_type", "assets", "kind"],
    ),
    (
        "multiline.tsx",
        "const rows = await sql`\n  SELECT\n    id,\n    media_type\n  FROM assets\n  WHERE user_id = ${userId}\n`;",
        &["media_type", "assets", "user_id"],
    ),
    (
        "multibyte.ts",
        "// café ☕ 😀\nconst label = 'é😀';\nawait sql`SELECT 'é😀' AS \"naïve\", media_type FROM assets -- 🎉 ${x}\n`;",
        &["media_type", "assets", "naïve", "'é😀'"],
    ),
    (
        "template_escape.mts",
        "await sql`SELECT '\\u{1F600}é' AS e, '\\`x\\`' AS f, media_type FROM assets`;",
        &["media_type", "assets"],
    ),
    (
        "crlf.cjs",
        "pool.query(`SELECT id,\r\n  media_type\r\n FROM assets`);",
        &["media_type", "assets"],
    ),
    // Rust
    (
        "escapes.rs",
        "fn f() { sqlx::query!(\"SELECT '\\u{e9}' AS \\\"é\\\", \\x41 AS b,\\n\\t media_type FROM assets\"); }",
        &["media_type", "assets"],
    ),
    (
        "raw.rs",
        "// é 😀\nfn f() { sqlx::query_as!(Row, r#\"SELECT \"naïve\", media_type FROM assets WHERE a = 'é'\"#); }",
        &["media_type", "assets", "\"naïve\"", "'é'"],
    ),
    (
        "continued.rs",
        "fn f() { client.query(\"SELECT id, \\\n                      media_type \\\n                      FROM assets\", &[]); }",
        &["media_type", "assets"],
    ),
    (
        "concat.rs",
        "const Q: &str = concat!(\"SELECT id, \", \"media_type\", \" FROM assets\");\nfn f() { sqlx::query(Q); }",
        &["media_type", "assets", "SELECT"],
    ),
    (
        "multibyte.rs",
        "/// Ünïcödé 😀 docs\nfn f() { let s = \"😀\"; sqlx::query!(\"SELECT '😀é' AS x, media_type FROM assets\"); }",
        &["media_type", "assets", "'😀é'"],
    ),
];

#[test]
fn every_string_form_maps_back_exactly() {
    for (name, src, idents) in CASES {
        let out = run(name, src);
        let certain: Vec<_> = out
            .iter()
            .filter(|e| e.confidence == Confidence::Certain)
            .collect();
        assert_eq!(certain.len(), 1, "{name}: {out:#?}");
        for ident in *idents {
            assert_maps(src, certain[0], ident);
        }
        assert!(
            schemalint::sql::parse(&certain[0].text).is_ok(),
            "{name}: {:?}",
            certain[0].text
        );
    }
}

/// The Rust corpus (`fixtures/extract/rust/`): a service whose handlers each have their own
/// `let query`, a `src/repo/sql.rs` of constants used from other modules, PATCH handlers
/// building their SET list with `format!` and `QueryBuilder`, and a crate that talks to
/// SQLite. Every statement found (file:line:col of its first byte, and its text), every part
/// only known at run time, every splice and every note is listed in `EXPECTED.txt`, and the
/// list must match exactly: nothing more, nothing less.
/// See: issue 12 (items 1, 2, 3 and 8, Rust side).
#[test]
fn rust_corpus_statements_exactly() {
    use schemalint::walk::{discover, WalkOptions};
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/extract/rust");
    let schema = [root.join("schema.sql")];
    let options = WalkOptions {
        root: &root,
        include: &[],
        exclude: &[],
        skip: &schema,
    };
    let (files, errors) = discover(std::slice::from_ref(&root), &options);
    assert!(errors.is_empty(), "{errors:?}");
    let extracted = schemalint::check::extract_files(&files, &SourcesConfig::default(), true, None);
    let rel = |p: &Path| p.strip_prefix(&root).unwrap_or(p).display().to_string();
    let at = |p: &Path, offset: u32| {
        let text = std::fs::read_to_string(p).unwrap();
        let before = &text[..offset as usize];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        format!("{}:{line}:{col}", rel(p))
    };
    let snippet = |p: &Path, s: schemalint::diagnostic::Span| {
        let text = std::fs::read_to_string(p).unwrap();
        format!("{:?}", &text[s.start as usize..s.end as usize])
    };
    let mut actual = String::new();
    for f in &extracted {
        for e in f.embedded() {
            let host = e
                .host_file
                .clone()
                .unwrap_or_else(|| f.path().to_path_buf());
            actual.push_str(&format!("{} {:?}\n", at(&host, e.map.to_host(0)), e.text));
            if let Some(reason) = &e.other_database {
                actual.push_str(&format!("  skipped: {reason}\n"));
            }
            for d in &e.dynamic {
                actual.push_str(&format!(
                    "  dynamic {} {}\n",
                    at(&host, d.start),
                    snippet(&host, *d)
                ));
            }
            for s in &e.spliced {
                let sql = &e.text[s.sql_start as usize..s.sql_end as usize];
                actual.push_str(&format!(
                    "  splice {:?} {} {} as {sql:?}\n",
                    s.kind,
                    at(&host, s.host.start),
                    snippet(&host, s.host)
                ));
            }
        }
        for n in f.notes() {
            actual.push_str(&format!(
                "note {} {}: {}\n",
                at(&n.file, n.span.start),
                snippet(&n.file, n.span),
                n.message
            ));
        }
    }
    let expected_path = root.join("EXPECTED.txt");
    if std::env::var_os("UPDATE_EXPECTED").is_some() {
        std::fs::write(&expected_path, &actual).unwrap();
    }
    let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
    assert_eq!(actual, expected, "actual:\n{actual}");
}

/// `schemalint check` on the Rust corpus: every statement is checked against
/// `fixtures/extract/rust/schema.sql` with no finding, what is built at run time is
/// `dynamic-sql` (info) at the hole or call that makes it so, and the SQLite crate is one
/// `other-database` note. Then the same code against a schema where `tasks.title` was
/// renamed and `users` dropped: every statement using them is reported, in its own file.
/// See: issue 12.
#[test]
fn rust_corpus_checked_and_mutations_caught() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/extract/rust");
    let check = |dir: &Path| -> Vec<String> {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_schemalint"))
            .args(["check", ".", "--format", "json"])
            .current_dir(dir)
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut rows: Vec<String> = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                format!(
                    "{}:{}:{} {}",
                    d["file"].as_str().unwrap().trim_start_matches("./"),
                    d["line"],
                    d["column"],
                    d["rule"].as_str().unwrap()
                )
            })
            .collect();
        rows.sort();
        rows
    };
    assert_eq!(
        check(&root),
        [
            "sqlite-cache/Cargo.toml:7:1 other-database",
            // `format!("... tag = '{}' LIMIT {limit}", tag)`: run-time values pasted into the
            // SQL text, where parameters would do.
            "tasks-service/src/handlers/tasks.rs:56:60 interpolated-sql",
            "tasks-service/src/handlers/tasks.rs:56:70 interpolated-sql",
            "tasks-service/src/handlers/tasks.rs:62:18 dynamic-sql",
            "tasks-service/src/handlers/users.rs:20:29 dynamic-sql",
            "tasks-service/src/handlers/users.rs:30:5 dynamic-sql",
            "tasks-service/src/handlers/users.rs:49:18 dynamic-sql",
        ]
    );

    // The SQLite crate's statements are each skipped, counted and listed with the reason.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_schemalint"))
        .args(["check", ".", "--format", "json"])
        .current_dir(&root)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["statements_skipped"], 2, "{}", v["summary"]);
    let skipped: Vec<String> = v["unchecked"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["status"] == "skipped")
        .map(|u| format!("{}:{}", u["file"].as_str().unwrap(), u["line"]))
        .collect();
    assert_eq!(
        skipped,
        ["sqlite-cache/src/lib.rs:4", "sqlite-cache/src/lib.rs:6"]
    );

    // The mutation: a copy of the corpus with `title` renamed to `name`, `users` dropped.
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&root, tmp.path());
    let schema = std::fs::read_to_string(root.join("schema.sql")).unwrap();
    let users_end = schema.find(");\n").unwrap() + 3;
    let mutated = schema[users_end..]
        .replace("title text", "name text")
        .replace(" REFERENCES users (id)", "");
    std::fs::write(tmp.path().join("schema.sql"), mutated).unwrap();
    let found = check(tmp.path());
    let errors: Vec<&String> = found
        .iter()
        .filter(|r| r.ends_with("unknown-table") || r.ends_with("unknown-column"))
        .collect();
    assert_eq!(
        errors,
        [
            "tasks-service/src/handlers/tasks.rs:10:25 unknown-column",
            "tasks-service/src/handlers/tasks.rs:17:25 unknown-column",
            "tasks-service/src/handlers/tasks.rs:32:54 unknown-column",
            "tasks-service/src/handlers/tasks.rs:33:51 unknown-column",
            // The `QueryBuilder::new("UPDATE users SET ")` prefix, checked in part.
            "tasks-service/src/handlers/users.rs:29:68 unknown-table",
            "tasks-service/src/handlers/users.rs:40:71 unknown-table",
            // The PATCH `format!("UPDATE {USERS} SET {} WHERE ...")`: its SET list stands in as
            // assignments, so the statement parses and the table (the constant's literal) is
            // checked.
            "tasks-service/src/handlers/users.rs:8:22 unknown-table",
            "tasks-service/src/repo/sql.rs:19:55 unknown-table",
            "tasks-service/src/repo/sql.rs:6:41 unknown-column",
            "tasks-service/src/repo/sql.rs:8:20 unknown-column",
        ]
    );
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

// See: issue 12 ("every statement real code sends"). A handler's transaction is sent through
// the same client as its queries: `BEGIN`, `COMMIT` and `ROLLBACK` are statements too (the
// three TypeScript trial apps send 67 of them), found with their queries, nothing between.
#[test]
fn a_handlers_transaction_is_found_with_its_queries() {
    let src = r#"import { Pool } from 'pg';
const pool = new Pool();
export async function transfer(from: string, to: string) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('UPDATE accounts SET balance = balance - 1 WHERE id = $1', [from]);
    await client.query("COMMIT;");
  } catch (e) {
    await client.query(`ROLLBACK`);
    throw e;
  } finally {
    client.release();
  }
}
"#;
    let texts: Vec<String> = run("transfer.ts", src)
        .iter()
        .map(|e| e.text.clone())
        .collect();
    assert_eq!(
        texts,
        [
            "BEGIN",
            "UPDATE accounts SET balance = balance - 1 WHERE id = $1",
            "COMMIT;",
            "ROLLBACK"
        ]
    );
}
