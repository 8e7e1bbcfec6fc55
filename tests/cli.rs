//! End-to-end: the `schemalint` binary on `fixtures/cli/<scenario>/`. Each snapshot holds the
//! exit code, stdout and stderr; one scenario per output format, plus the exit-code contract.

use std::path::{Path, PathBuf};
use std::process::Command;

mod support;
use support::fs::copy_dir;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run the binary in `dir` and render what happened, for a snapshot.
fn run_in(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_schemalint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "80")
        .env_remove("DATABASE_URL")
        .output()
        .expect("binary runs");
    let code = out.status.code().unwrap_or(-1);
    let text = format!(
        "exit: {code}\n--- stdout\n{}--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (code, text)
}

/// The stdout part of what `run_in` rendered.
fn stdout_of(text: &str) -> &str {
    text.split("--- stdout\n")
        .nth(1)
        .and_then(|rest| rest.split("--- stderr\n").next())
        .expect("run_in output has a stdout part")
}

fn fixture(name: &str) -> PathBuf {
    root().join("fixtures/cli").join(name)
}

#[test]
fn human_output_with_findings_exits_1() {
    let (code, text) = run_in(&fixture("shop"), &["check"]);
    assert_eq!(code, 1, "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn clean_project_exits_0() {
    let (code, text) = run_in(&fixture("shop-clean"), &["check"]);
    assert_eq!(code, 0, "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn json_output_is_the_documented_contract() {
    let (code, text) = run_in(&fixture("shop"), &["check", "--format", "json"]);
    assert_eq!(code, 1, "{text}");
    let stdout = stdout_of(&text);
    let v: serde_json::Value = serde_json::from_str(stdout).unwrap();
    assert_eq!(v["version"], 1);
    let d = &v["diagnostics"][0];
    for key in [
        "rule",
        "severity",
        "message",
        "help",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
    ] {
        assert!(d.get(key).is_some(), "diagnostic lacks {key}: {d}");
    }
    for key in ["files_scanned", "statements_checked", "errors", "warnings"] {
        assert!(v["summary"].get(key).is_some(), "summary lacks {key}");
    }
    insta::assert_snapshot!(text);
}

#[test]
fn sarif_output_validates_against_the_official_schema() {
    let (code, text) = run_in(&fixture("shop"), &["check", "--format", "sarif"]);
    assert_eq!(code, 1, "{text}");
    let stdout = stdout_of(&text);
    let log: serde_json::Value = serde_json::from_str(stdout).unwrap();
    support::sarif::assert_valid(&log);
    assert!(!log["runs"][0]["results"].as_array().unwrap().is_empty());
}

#[test]
fn github_annotations() {
    let (code, text) = run_in(&fixture("shop"), &["check", "--format", "github"]);
    assert_eq!(code, 1, "{text}");
    for line in text.lines().filter(|l| l.starts_with("::")) {
        assert!(
            line.starts_with("::error file=")
                || line.starts_with("::warning file=")
                || line.starts_with("::notice file="),
            "{line}"
        );
        assert!(
            line.contains(",line=")
                && line.contains(",col=")
                && line.contains(",endLine=")
                && line.contains(",endColumn=")
        );
    }
    insta::assert_snapshot!(text);
}

#[test]
fn fail_on_warning_and_missing_schema_and_bad_config() {
    // The clean project has no warnings either: still 0.
    assert_eq!(
        run_in(&fixture("shop-clean"), &["check", "--fail-on", "warning"]).0,
        0
    );
    let empty = tempfile::tempdir().unwrap();
    let (code, text) = run_in(empty.path(), &["check"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("no schema to check against"), "{text}");

    std::fs::write(
        empty.path().join("schemalint.toml"),
        "[schema]\npathz = []\n",
    )
    .unwrap();
    let (code, text) = run_in(empty.path(), &["check"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("unknown field `pathz`"), "{text}");

    std::fs::write(
        empty.path().join("schemalint.toml"),
        "[rules]\nunknown-colum = \"off\"\n",
    )
    .unwrap();
    let (code, text) = run_in(empty.path(), &["check"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("unknown rule"), "{text}");
}

#[test]
fn baseline_hides_known_findings_and_catches_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("shop"), dir.path());
    let (code, text) = run_in(dir.path(), &["check", "--write-baseline", "baseline.json"]);
    assert_eq!(code, 0, "{text}");
    let (code, text) = run_in(dir.path(), &["check", "--baseline", "baseline.json"]);
    assert_eq!(code, 0, "baseline hides everything: {text}");

    // Unrelated lines above the findings shift them; they stay hidden.
    let q = dir.path().join("queries/orders.sql");
    let old = std::fs::read_to_string(&q).unwrap();
    std::fs::write(&q, format!("-- a new comment\n-- and another\n\n{old}")).unwrap();
    let (code, text) = run_in(dir.path(), &["check", "--baseline", "baseline.json"]);
    assert_eq!(code, 0, "line shifts don't resurface findings: {text}");

    // A new finding fails the gate.
    std::fs::write(
        dir.path().join("queries/new.sql"),
        "SELECT id FROM customer;\n",
    )
    .unwrap();
    let (code, text) = run_in(dir.path(), &["check", "--baseline", "baseline.json"]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("relation \"customer\" does not exist"),
        "{text}"
    );
    assert_eq!(
        text.matches("does not exist").count(),
        1,
        "only the new finding: {text}"
    );
}

#[test]
fn rule_docs_command() {
    let (code, text) = run_in(&root(), &["rule", "unknown-column"]);
    assert_eq!(code, 0);
    assert!(text.contains("## What it does"), "{text}");
    let (code, text) = run_in(&root(), &["rule", "nope"]);
    assert_eq!(code, 2, "{text}");
}

#[test]
fn changed_since_checks_changed_files_and_a_new_migration_rechecks_everything() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(d)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    std::fs::create_dir_all(d.join("migrations")).unwrap();
    std::fs::create_dir_all(d.join("src")).unwrap();
    std::fs::write(
        d.join("migrations/0001_init.sql"),
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, legacy_name text);\n",
    )
    .unwrap();
    std::fs::write(
        d.join("src/users.ts"),
        "export const q = sql`SELECT id, legacy_name FROM users`;\n",
    )
    .unwrap();
    std::fs::write(
        d.join("schemalint.toml"),
        "[schema]\npaths = [\"migrations\"]\n",
    )
    .unwrap();
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "."]);
    git(&[
        "-c",
        "user.email=t@example.com",
        "-c",
        "user.name=t",
        "commit",
        "-q",
        "-m",
        "base",
    ]);

    // Nothing changed: nothing to check.
    let (code, text) = run_in(d, &["check", "--changed-since", "HEAD"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("0 statements in 0 files"), "{text}");

    // A new file with a bad query: only it is checked.
    std::fs::write(d.join("src/new.ts"), "sql`SELECT emial FROM users`;\n").unwrap();
    let (code, text) = run_in(d, &["check", "--changed-since", "HEAD"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("in 1 file checked"), "{text}");
    std::fs::remove_file(d.join("src/new.ts")).unwrap();

    // A pull request that adds a migration dropping a column the (unchanged) code uses: the
    // whole project is checked and the annotation names the migration.
    std::fs::write(
        d.join("migrations/0002_drop_legacy.sql"),
        "ALTER TABLE users DROP COLUMN legacy_name;\n",
    )
    .unwrap();
    let (code, text) = run_in(
        d,
        &["check", "--changed-since", "HEAD", "--format", "github"],
    );
    assert_eq!(code, 1, "{text}");
    let annotation = text
        .lines()
        .find(|l| l.starts_with("::error file=src/users.ts,line=1,col=33,"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        annotation.ends_with(
            "src/users.ts:1:33: column \"legacy_name\" does not exist%0Ahelp: column `legacy_name` was dropped in migrations/0002_drop_legacy.sql:1: remove this use, or keep the column in the migration"
        ),
        "{annotation}"
    );
    let (_, human) = run_in(d, &["check", "--changed-since", "HEAD"]);
    assert!(human.contains("dropped by 0002_drop_legacy.sql"), "{human}");
}

#[test]
fn progress_line_only_on_a_terminal_and_not_with_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("src")).unwrap();
    std::fs::write(
        d.join("schema.sql"),
        "CREATE TABLE users (id bigint, email text);\n",
    )
    .unwrap();
    // Enough files for reading them to outlast the half-second delay several times over in
    // a debug build (12,000 took 0.6 s on a quiet machine: too close).
    for i in 0..30_000 {
        std::fs::write(
            d.join(format!("src/f{i}.ts")),
            format!("export const q{i} = sql`SELECT id, email FROM users WHERE id = ${{x}}`;\n"),
        )
        .unwrap();
    }
    let bin = env!("CARGO_BIN_EXE_schemalint");
    // `script` runs the command on a pseudo-terminal, as a developer's shell would.
    let on_terminal = |extra: &str| {
        let out = Command::new("script")
            .args(["-qec"])
            .arg(format!("{bin} check --schema schema.sql src {extra}"))
            .arg("/dev/null")
            .current_dir(d)
            .output()
            .expect("script(1) from util-linux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let shown = on_terminal("");
    assert!(
        shown.contains("checking ") && shown.contains("/30,000 files"),
        "{shown}"
    );
    assert!(shown.contains("No problems found"), "{shown}");
    let quiet = on_terminal("--quiet");
    assert!(!quiet.contains("checking "), "{quiet}");
    assert!(quiet.contains("No problems found"), "{quiet}");
    // Not a terminal: no progress line in the captured stderr.
    let (code, text) = run_in(d, &["check", "--schema", "schema.sql", "src"]);
    assert_eq!(code, 0, "{text}");
    assert!(!text.contains("checking "), "{text}");
}

/// Pre-commit and editors pass every changed file: one schemalint doesn't read (`netlify.toml`)
/// is skipped with a note (none with `--quiet`), never an error; the rest is still checked.
#[test]
fn a_file_of_a_type_schemalint_does_not_read_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_dir(&root().join("fixtures/neon-media"), d);
    std::fs::write(
        d.join("netlify.toml"),
        "[build]\ncommand = \"npm run build\"\n",
    )
    .unwrap();

    let (code, text) = run_in(d, &["check", "netlify.toml"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("note: netlify.toml: skipped, not a file type schemalint reads"),
        "{text}"
    );
    let (code, text) = run_in(d, &["check", "--quiet", "netlify.toml"]);
    assert_eq!(code, 0, "{text}");
    assert!(!text.contains("note:"), "{text}");

    let (code, text) = run_in(
        d,
        &["check", "netlify.toml", "netlify/functions/save-media.ts"],
    );
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("table `media` is banned"), "{text}");
    assert!(!text.contains("error:"), "{text}");
}

// See: issue 11, items 11 and 12: `[schema] postgres-version` and `external-schemas`.
#[test]
fn config_sets_the_postgres_version_and_external_schemas() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("schema.sql"),
        "CREATE TABLE users (id bigint PRIMARY KEY, name text);\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("q.sql"),
        "SELECT count(*) FROM (SELECT id FROM users);\n\
         SELECT id FROM auth.users;\n\
         SELECT id FROM authh.users;\n\
         UPDATE users SET name = $1 RETURNING old.name;\n",
    )
    .unwrap();
    let rules = |text: &str| -> Vec<String> {
        let json: serde_json::Value = serde_json::from_str(stdout_of(text)).unwrap();
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| format!("{}:{}", d["line"], d["rule"].as_str().unwrap()))
            .collect()
    };
    let args = [
        "check",
        "--schema",
        "schema.sql",
        "--format",
        "json",
        "q.sql",
    ];
    // Defaults: the newest PostgreSQL, and every schema must be known.
    let (_, text) = run_in(dir.path(), &args);
    assert_eq!(
        rules(&text),
        ["2:unknown-table", "3:unknown-table"],
        "{text}"
    );
    std::fs::write(
        dir.path().join("schemalint.toml"),
        "[schema]\npostgres-version = 15\nexternal-schemas = [\"auth\"]\n",
    )
    .unwrap();
    let (_, text) = run_in(dir.path(), &args);
    assert_eq!(
        rules(&text),
        [
            "1:newer-postgres-syntax",
            "3:unknown-table",
            "4:unknown-column"
        ],
        "{text}"
    );
    std::fs::write(
        dir.path().join("schemalint.toml"),
        "[schema]\npostgres-version = 9\n",
    )
    .unwrap();
    let (code, text) = run_in(dir.path(), &args);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("a PostgreSQL major version"), "{text}");
}

/// A suppression comment in a file that holds no SQL (the query it silenced was moved away)
/// is still found and called unused by `check`; `report`, which runs no rule and so does not
/// look for comments, reports the same tables either way.
#[test]
fn a_stale_suppression_in_a_file_without_sql_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("schema.sql"),
        "CREATE TABLE users (id bigint PRIMARY KEY, name text);\n",
    )
    .unwrap();
    std::fs::write(
        d.join("schemalint.toml"),
        "[schema]\npaths = [\"schema.sql\"]\n",
    )
    .unwrap();
    std::fs::write(
        d.join("users.ts"),
        "export const list = (sql) => sql`SELECT id, name FROM users`;\n",
    )
    .unwrap();
    let moved = "// schemalint-ignore-next-line unknown-column -- the query moved to users.ts\n\
                 export const nothing = 1;\n";
    std::fs::write(d.join("old.ts"), moved).unwrap();

    let (code, text) = run_in(d, &["check"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("unused-suppression"), "{text}");
    assert!(text.contains("old.ts:1"), "{text}");

    let (_, with_comment) = run_in(d, &["report", "--format", "json"]);
    std::fs::write(d.join("old.ts"), "export const nothing = 1;\n").unwrap();
    let (code, without) = run_in(d, &["report", "--format", "json"]);
    assert_eq!(code, 0, "{without}");
    assert!(
        stdout_of(&without).contains("\"public.users\""),
        "{without}"
    );
    assert_eq!(with_comment, without);
}

// `init` takes a schema file over migration folders; when that file does not replay (a stale
// MySQL draft beside the real migrations, as in a real Express app), it says so and names the
// migrations it passed over. A clean schema file gets no note.
#[test]
fn init_says_when_the_schema_file_it_chose_does_not_replay() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::create_dir_all(d.join("src")).unwrap();
    std::fs::create_dir_all(d.join("migrations")).unwrap();
    std::fs::write(
        d.join("src/database.sql"),
        "CREATE TABLE users (id int PRIMARY KEY);\n\
         CREATE TABLE logs (id INT AUTO_INCREMENT PRIMARY KEY, line VARCHAR(50)) ENGINE=InnoDB;\n",
    )
    .unwrap();
    std::fs::write(
        d.join("migrations/002.sql"),
        "ALTER TABLE users ADD COLUMN email text;\n",
    )
    .unwrap();
    let (code, text) = run_in(d, &["init"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("wrote schemalint.toml (schema from src/database.sql)")
            && text.contains("note: 1 statement(s) of src/database.sql could not be applied")
            && text.contains("migrations were found too (migrations)"),
        "{text}"
    );
    std::fs::write(
        d.join("src/database.sql"),
        "CREATE TABLE users (id int PRIMARY KEY, name text);\n",
    )
    .unwrap();
    let (code, text) = run_in(d, &["init", "--force"]);
    assert_eq!(code, 0, "{text}");
    assert!(!text.contains("note:"), "{text}");
}

// A query on a table whose CREATE in the schema source could not be applied (a real app's
// schema file had MySQL syntax) says why the table is missing and where, not only that it is.
#[test]
fn a_table_whose_create_was_not_applied_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(
        d.join("schema.sql"),
        "CREATE TABLE users (id int PRIMARY KEY);\n\
         CREATE TABLE IF NOT EXISTS fees (\n  id INT AUTO_INCREMENT PRIMARY KEY\n) ENGINE=InnoDB;\n",
    )
    .unwrap();
    std::fs::write(
        d.join("schemalint.toml"),
        "[schema]\npaths = [\"schema.sql\"]\n",
    )
    .unwrap();
    std::fs::write(
        d.join("q.sql"),
        "SELECT id FROM fees;\nSELECT id FROM feez;\n",
    )
    .unwrap();
    let (code, text) = run_in(d, &["check", "q.sql"]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("its CREATE was not applied in schema.sql")
            && text
                .contains("the statement that creates `fees` in schema.sql:2 could not be applied"),
        "{text}"
    );
    // A name no statement creates is simply not in the schema.
    assert!(text.contains("not in schema"), "{text}");
}
