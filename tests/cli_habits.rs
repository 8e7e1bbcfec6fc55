//! The CLI habits users bring from ruff and eslint (issue 14): errors in the chosen output
//! format, `--output-format concise`, `--statistics`, `--exit-zero`, "did you mean", the
//! schema-source precedence with `.env`, and the summary naming the schema source.

use std::path::{Path, PathBuf};
use std::process::Command;

mod support;
use support::fs::copy_dir;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_schemalint"));
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "80")
        .env_remove("DATABASE_URL")
        .env_remove("SCHEMALINT_TEST_DB");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn shop() -> PathBuf {
    root().join("fixtures/cli/shop")
}

/// A project whose run cannot start (no schema anywhere), and one with a missing file argument.
fn failing_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.sql"), "SELECT 1;\n").unwrap();
    dir
}

#[test]
fn a_run_that_cannot_start_still_writes_a_valid_document_in_every_format() {
    let dir = failing_project();
    let json = run(dir.path(), &["check", "--format", "json"], &[]);
    assert_eq!(json.code, 2, "{}", json.stderr);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("valid JSON");
    assert_eq!(v["version"], 1);
    assert_eq!(v["tool_errors"][0]["message"], "no schema to check against");
    assert!(v["tool_errors"][0]["file"].is_null());

    let sarif = run(dir.path(), &["check", "--format", "sarif"], &[]);
    assert_eq!(sarif.code, 2);
    let log: serde_json::Value = serde_json::from_str(&sarif.stdout).expect("valid JSON");
    support::sarif::assert_valid(&log);
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert_eq!(
        invocation["toolExecutionNotifications"][0]["message"]["text"],
        "no schema to check against"
    );

    let github = run(dir.path(), &["check", "--format", "github"], &[]);
    assert_eq!(github.code, 2);
    assert_eq!(
        github.stdout,
        "::error title=schemalint (tool error)::no schema to check against\n"
    );
    // The error is on stderr in every format, as in the human one.
    for r in [&json, &sarif, &github] {
        assert!(
            r.stderr.contains("no schema to check against"),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn a_missing_file_argument_is_a_tool_error_in_the_report() {
    let r = run(&shop(), &["check", ".", "nope.ts", "--format", "json"], &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        v["tool_errors"][0]["message"],
        "nope.ts: no such file or directory"
    );
    // The findings in the rest are still reported.
    assert!(!v["diagnostics"].as_array().unwrap().is_empty());

    let human = run(&shop(), &["check", ".", "nope.ts"], &[]);
    assert_eq!(human.code, 2);
    assert!(
        !human.stdout.contains("No problems found"),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains("Not everything could be checked: 1 tool error"),
        "{}",
        human.stdout
    );

    let sarif = run(
        &shop(),
        &["check", ".", "nope.ts", "--format", "sarif"],
        &[],
    );
    let log: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
    support::sarif::assert_valid(&log);
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
}

#[test]
fn concise_output_is_one_line_per_finding() {
    let r = run(&shop(), &["check", "--output-format", "concise"], &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    let (summary, findings) = lines.split_last().unwrap();
    assert!(summary.starts_with("Found "), "{summary}");
    assert!(!findings.is_empty());
    for line in findings {
        // path:line:col: rule message
        let mut parts = line.splitn(4, ':');
        let (path, l, c, rest) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        assert!(Path::new(&shop()).join(path).is_file(), "{line}");
        assert!(
            l.parse::<u32>().is_ok() && c.parse::<u32>().is_ok(),
            "{line}"
        );
        let rule = rest.trim_start().split(' ').next().unwrap();
        assert!(rule.parse::<schemalint::rules::RuleId>().is_ok(), "{line}");
    }
    // The same findings as JSON, in the same order and places.
    let json = run(&shop(), &["check", "--format", "json"], &[]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let expected: Vec<String> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}:{}:{}: {} {}",
                d["file"].as_str().unwrap(),
                d["line"],
                d["column"],
                d["rule"].as_str().unwrap(),
                d["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(findings.to_vec(), expected);
}

#[test]
fn statistics_count_findings_per_rule() {
    let r = run(&shop(), &["check", "--statistics"], &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let json = run(&shop(), &["check", "--format", "json"], &[]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for d in v["diagnostics"].as_array().unwrap() {
        *counts
            .entry(d["rule"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let rows: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| !l.starts_with("Found"))
        .collect();
    assert_eq!(rows.len(), counts.len(), "{}", r.stdout);
    for row in rows {
        let mut words = row.split_whitespace();
        let n: usize = words.next().unwrap().parse().unwrap();
        let rule = words.next().unwrap();
        assert_eq!(counts.get(rule), Some(&n), "{row}");
    }
    let bad = run(&shop(), &["check", "--statistics", "--format", "json"], &[]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("--statistics"), "{}", bad.stderr);
}

#[test]
fn exit_zero_keeps_findings_but_not_tool_errors_quiet() {
    let r = run(&shop(), &["check", "--exit-zero"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Found "), "{}", r.stdout);
    let r = run(&shop(), &["check", ".", "nope.ts", "--exit-zero"], &[]);
    assert_eq!(r.code, 2, "a tool error is still an error");
}

#[test]
fn typos_get_a_suggestion() {
    let r = run(&shop(), &["rule", "unknown-colum"], &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("did you mean `unknown-column`?"),
        "{}",
        r.stderr
    );
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("[schema]\npathz = []\n", "did you mean `paths`?"),
        (
            "[rules]\nunknown-colum = \"off\"\n",
            "did you mean `unknown-column`?",
        ),
        (
            "[sources]\ntags = []\nfail-on = \"error\"\n",
            "`fail-on` is a top-level key",
        ),
    ];
    for (config, expected) in cases {
        std::fs::write(dir.path().join("schemalint.toml"), config).unwrap();
        let r = run(dir.path(), &["check"], &[]);
        assert_eq!(r.code, 2);
        // miette wraps long lines: compare without the wrapping.
        let flat: String = r.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
        let flat = flat.replace(" | ", " ");
        assert!(flat.contains(expected), "{config}: {}", r.stderr);
    }
    // A name nothing like a rule gets no guess.
    let r = run(&shop(), &["rule", "zzzzzz"], &[]);
    assert!(!r.stderr.contains("did you mean"), "{}", r.stderr);
}

/// A project with migrations and `database-url-env` in its config, and the variable pointing
/// at a port where nothing listens.
fn project_with_paths_and_url(paths: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("db")).unwrap();
    std::fs::write(
        dir.path().join("db/schema.sql"),
        "CREATE TABLE users (id int PRIMARY KEY);\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("q.sql"), "SELECT id FROM users;\n").unwrap();
    let schema = if paths {
        "paths = [\"db/schema.sql\"]\n"
    } else {
        ""
    };
    std::fs::write(
        dir.path().join("schemalint.toml"),
        format!("[schema]\n{schema}database-url-env = \"APP_DB\"\n"),
    )
    .unwrap();
    dir
}

const REFUSED: &str = "postgres://app:pw@127.0.0.1:1/app";

#[test]
fn a_url_in_the_environment_never_replaces_configured_paths() {
    let dir = project_with_paths_and_url(true);
    let r = run(dir.path(), &["check"], &[("APP_DB", REFUSED)]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("checked against db/schema.sql"),
        "the summary names the schema source: {}",
        r.stdout
    );
    // The command line still wins: --database-url-env asks the database.
    let r = run(
        dir.path(),
        &[
            "check",
            "--database-url-env",
            "APP_DB",
            "--connect-timeout",
            "2",
        ],
        &[("APP_DB", REFUSED)],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("connection refused"), "{}", r.stderr);
}

#[test]
fn dot_env_supplies_the_database_url_and_the_environment_wins() {
    let dir = project_with_paths_and_url(false);
    // No variable anywhere: no schema.
    let r = run(dir.path(), &["check"], &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no schema"), "{}", r.stderr);
    // In .env: used (and the password never shown).
    std::fs::write(dir.path().join(".env"), format!("APP_DB={REFUSED}\n")).unwrap();
    let r = run(dir.path(), &["check", "--connect-timeout", "2"], &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("127.0.0.1:1"), "{}", r.stderr);
    assert!(!r.stderr.contains("pw@"), "{}", r.stderr);
    // .env.local wins over .env.
    std::fs::write(
        dir.path().join(".env.local"),
        "APP_DB=postgres://app:pw@127.0.0.1:2/app\n",
    )
    .unwrap();
    let r = run(dir.path(), &["check", "--connect-timeout", "2"], &[]);
    assert!(r.stderr.contains("127.0.0.1:2"), "{}", r.stderr);
    // The real environment wins over both.
    let r = run(
        dir.path(),
        &["check", "--connect-timeout", "2"],
        &[("APP_DB", "postgres://app:pw@127.0.0.1:3/app")],
    );
    assert!(r.stderr.contains("127.0.0.1:3"), "{}", r.stderr);
}

#[test]
fn a_baseline_works_from_any_directory_and_reports_stale_entries() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&shop(), dir.path());
    let r = run(
        dir.path(),
        &["check", "--write-baseline", "schemalint.baseline.json"],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let recorded = std::fs::read_to_string(dir.path().join("schemalint.baseline.json")).unwrap();
    assert!(recorded.contains("\"file\": \"queries/"), "{recorded}");

    // From a subfolder, the same findings are hidden.
    let sub = dir.path().join("queries");
    let r = run(
        &sub,
        &["check", "..", "--baseline", "../schemalint.baseline.json"],
        &[],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("match no finding"), "{}", r.stderr);

    // Fix the file with findings: its entries are stale, and the run says so.
    std::fs::write(dir.path().join("queries/customers.sql"), "SELECT 1;\n").unwrap();
    let r = run(
        dir.path(),
        &["check", "--baseline", "schemalint.baseline.json"],
        &[],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("baseline entries in schemalint.baseline.json match no finding"),
        "{}",
        r.stderr
    );
}

#[test]
fn flags_that_mean_nothing_to_a_command_are_rejected() {
    for args in [
        &["unused", "--format", "json"][..],
        &["unused", "--verify"],
        &["unused", "--baseline", "b.json"],
        &["snapshot", "-o", "s.json", "--fail-on", "warning"],
        &["snapshot", "-o", "s.json", "--format", "sarif"],
    ] {
        let r = run(&shop(), args, &[]);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("unexpected argument"),
            "{args:?}: {}",
            r.stderr
        );
    }
    // What they do take still works.
    let r = run(&shop(), &["unused", "--quiet", "."], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("Tables no scanned code uses"),
        "{}",
        r.stdout
    );
}

/// The findings of a concise run as `path-from-the-monorepo-root:line:col: rule message`.
fn findings_from(dir: &Path, args: &[&str]) -> (i32, Vec<String>) {
    let monorepo = root().join("fixtures/monorepo");
    let mut full = vec!["check", "--output-format", "concise"];
    full.extend_from_slice(args);
    let r = run(dir, &full, &[]);
    let prefix = dir
        .strip_prefix(&monorepo)
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let mut lines: Vec<String> = r
        .stdout
        .lines()
        .filter(|l| !l.starts_with("Found") && !l.starts_with("No problems"))
        .map(|l| {
            if prefix.is_empty() {
                l.to_string()
            } else {
                format!("{prefix}/{l}")
            }
        })
        .collect();
    lines.sort();
    (r.code, lines)
}

#[test]
fn a_monorepo_gives_each_package_its_own_verdicts_from_every_entry_point() {
    let monorepo = root().join("fixtures/monorepo");
    let expected = vec![
        "crates/ledger/src/lib.rs:12:41: unknown-table relation \"products\" does not exist",
        "packages/blog/api/posts.ts:8:25: unknown-column column \"body\" does not exist",
        "packages/shop/src/orders.ts:9:29: unknown-table relation \"posts\" does not exist",
    ];
    // From the root: every package with its own schema (and nothing of the schemas scanned as
    // code: the migrations and db/schema.sql are not statements to check).
    let (code, all) = findings_from(&monorepo, &[]);
    assert_eq!(code, 1);
    assert_eq!(all, expected);
    // Two packages named from the root: each with its own config, not the first one's.
    let (_, two) = findings_from(&monorepo, &["packages/blog", "packages/shop"]);
    assert_eq!(two, expected[1..].to_vec());
    // From inside each package, alone.
    for (pkg, expect) in [
        ("crates/ledger", &expected[0..1]),
        ("packages/blog", &expected[1..2]),
        ("packages/shop", &expected[2..3]),
    ] {
        let (code, got) = findings_from(&monorepo.join(pkg), &[]);
        assert_eq!(code, 1, "{pkg}");
        assert_eq!(got, expect.to_vec(), "{pkg}");
    }
    // By file arguments, as pre-commit passes them.
    let (_, files) = findings_from(
        &monorepo,
        &[
            "packages/blog/api/posts.ts",
            "crates/ledger/src/lib.rs",
            "packages/shop/src/orders.ts",
            "scripts/build.ts",
        ],
    );
    assert_eq!(files, expected);
    // The summary names every schema it used.
    let r = run(&monorepo, &["check"], &[]);
    for source in [
        "crates/ledger/migrations (1 file)",
        "packages/blog/migrations (2 files)",
        "packages/shop/db/schema.sql",
    ] {
        assert!(r.stdout.contains(source), "{source}: {}", r.stdout);
    }
}

#[test]
fn sql_under_no_config_in_a_monorepo_is_reported_as_not_checked() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("fixtures/monorepo"), dir.path());
    let r = run(dir.path(), &["check"], &[]);
    assert_eq!(
        r.code, 1,
        "a build script without SQL is irrelevant: {}",
        r.stderr
    );
    std::fs::write(
        dir.path().join("scripts/seed.ts"),
        "export const seed = (sql) => sql`INSERT INTO products (id, title, price_cents) VALUES (1, 'a', 1)`;\n",
    )
    .unwrap();
    let r = run(dir.path(), &["check"], &[]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("1 piece(s) of SQL in 1 file(s) under no schemalint.toml were not checked (scripts/seed.ts)"),
        "{}",
        r.stderr
    );
    // The list of what was not checked does not say that everything was.
    let r = run(dir.path(), &["check", "--list-unchecked"], &[]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(
            "No statement found was checked in part; the errors name what was not read at all."
        ) && !r
            .stdout
            .contains("Every statement found was checked in full"),
        "{}",
        r.stdout
    );
    // --config makes one config govern everything again.
    let r = run(
        dir.path(),
        &[
            "check",
            "--config",
            "packages/shop/schemalint.toml",
            "scripts",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn show_settings_prints_what_each_part_of_the_run_uses() {
    let r = run(
        &root().join("fixtures/neon-media"),
        &["check", "--show-settings"],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("config: schemalint.toml\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("  schema: db/schema.sql\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("banned: [media, media_batches]"),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("Found"),
        "nothing is checked: {}",
        r.stdout
    );
    let r = run(
        &root().join("fixtures/monorepo"),
        &["check", "--show-settings"],
        &[],
    );
    for config in [
        "config: crates/ledger/schemalint.toml",
        "config: packages/blog/schemalint.toml",
        "config: packages/shop/schemalint.toml",
        "  schema: packages/blog/migrations",
    ] {
        assert!(r.stdout.contains(config), "{config}: {}", r.stdout);
    }
}

// A `.sql` file that is not a schema path changes the schema it runs against (`ALTER TABLE
// users ADD COLUMN email`): a run over some files (pre-commit's changed files) sees that
// change as a run over the whole project does, so both give the same verdicts.
#[test]
fn file_arguments_see_the_ddl_of_the_projects_other_sql_files() {
    let dir = tempfile::tempdir().unwrap();
    support::fs::write_tree(
        dir.path(),
        &[
            ("schemalint.toml", "[schema]\npaths = [\"schema.sql\"]\n"),
            ("schema.sql", "CREATE TABLE users (id int PRIMARY KEY);\n"),
            ("db/extra.sql", "ALTER TABLE users ADD COLUMN email text;\n"),
            (
                "src/app.ts",
                "import { neon } from '@neondatabase/serverless';\nconst sql = neon('');\n\
                 export const f = () => sql`SELECT email, nope FROM users`;\n",
            ),
        ],
    );
    let whole = run(dir.path(), &["check", "--format", "concise"], &[]);
    let one = run(
        dir.path(),
        &["check", "--format", "concise", "src/app.ts"],
        &[],
    );
    assert_eq!(whole.code, 1, "{}{}", whole.stdout, whole.stderr);
    assert_eq!(one.code, 1, "{}{}", one.stdout, one.stderr);
    let findings = |r: &Run| -> Vec<String> {
        r.stdout
            .lines()
            .filter(|l| l.starts_with("src/"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(findings(&one), findings(&whole));
    assert_eq!(findings(&one).len(), 1, "{}", one.stdout);
    assert!(findings(&one)[0].contains("nope"), "{}", one.stdout);
    // `--config` with a config of another name governs every file, those read for DDL too.
    std::fs::write(
        dir.path().join("other.toml"),
        "[schema]\npaths = [\"schema.sql\"]\n",
    )
    .unwrap();
    let forced = run(
        dir.path(),
        &[
            "check",
            "--format",
            "concise",
            "--config",
            "other.toml",
            "src/app.ts",
        ],
        &[],
    );
    assert_eq!(findings(&forced), findings(&whole), "{}", forced.stdout);
}

// The tag is the default export of a local module (`export default sql` in `config/db.ts`,
// as in a real Express + neon app), and the queries are in its transaction callbacks.
#[test]
fn transaction_callbacks_of_an_imported_tag_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    support::fs::write_tree(
        dir.path(),
        &[
            ("schemalint.toml", "[schema]\npaths = [\"schema.sql\"]\n"),
            (
                "schema.sql",
                "CREATE TABLE users (user_id int PRIMARY KEY, username text);\n",
            ),
            (
                "src/config/db.ts",
                "import { neon } from '@neondatabase/serverless';\n\
                 const sql = neon(process.env.DATABASE_URI as string);\nexport default sql;\n",
            ),
            (
                "src/users.ts",
                "import sql from './config/db';\n\
                 export const rename = (id: number) => sql.transaction((tx) => {\n\
                 \x20 const queries = [tx`UPDATE users SET usernme = ${'a'} WHERE user_id = ${id}`];\n\
                 \x20 return queries;\n});\n",
            ),
        ],
    );
    let r = run(dir.path(), &["check", "--format", "concise"], &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("src/users.ts:3:40: unknown-column"),
        "{}",
        r.stdout
    );
}
