//! Hostile and broken input: each case gets a clear message naming the file, the run goes on
//! for everything else, the exit code says something was not checked (2), and nothing panics
//! (exit 101) or hangs.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const SCHEMA: &str = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("schema.sql"), SCHEMA).unwrap();
    std::fs::write(
        dir.path().join("schemalint.toml"),
        "[schema]\npaths = [\"schema.sql\"]\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    // One good file with a real finding, which must still be reported.
    std::fs::write(
        dir.path().join("src/ok.sql"),
        "SELECT id, emial FROM users;\n",
    )
    .unwrap();
    dir
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_schemalint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "took {:?}",
        start.elapsed()
    );
    let code = out.status.code().unwrap_or(-1);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert_ne!(code, 101, "panicked:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    (code, stdout, stderr)
}

/// The bad file is named, the good file's finding is still reported, and the exit code is 2.
#[track_caller]
fn assert_reported(dir: &Path, file: &str, what: &str) {
    let (code, stdout, stderr) = run(dir, &["check"]);
    assert_eq!(code, 2, "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(
        stderr.contains(file) && stderr.contains(what),
        "stderr:\n{stderr}"
    );
    assert!(
        stdout.contains("column \"emial\" does not exist"),
        "the rest was checked:\n{stdout}"
    );
}

#[test]
fn invalid_utf8_and_binary_files() {
    let dir = project();
    std::fs::write(
        dir.path().join("src/latin1.sql"),
        b"SELECT 'caf\xe9' FROM users;\n",
    )
    .unwrap();
    assert_reported(dir.path(), "src/latin1.sql", "not valid UTF-8");
    let dir = project();
    let binary: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(dir.path().join("src/blob.ts"), binary).unwrap();
    let (code, _, stderr) = run(dir.path(), &["check"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("src/blob.ts"), "{stderr}");
}

#[test]
fn a_file_over_the_size_limit() {
    let dir = project();
    let line = "SELECT id FROM users WHERE id = 1;\n";
    let big = line.repeat(50 * 1024 * 1024 / line.len() + 1);
    std::fs::write(dir.path().join("src/huge.sql"), big).unwrap();
    assert_reported(dir.path(), "src/huge.sql", "too large");
}

#[test]
fn a_ten_thousand_line_statement() {
    let dir = project();
    let mut stmt = String::from("SELECT id FROM users WHERE id IN (\n");
    for i in 0..10_000 {
        stmt.push_str(&format!("  {i},\n"));
    }
    stmt.push_str("  0\n) AND emale = $1;\n");
    std::fs::write(dir.path().join("src/long.sql"), stmt).unwrap();
    let (code, stdout, _) = run(dir.path(), &["check"]);
    assert_eq!(code, 1);
    assert!(stdout.contains("src/long.sql:10003:"), "{stdout}");
}

#[test]
fn deeply_nested_sql_and_code_do_not_overflow_the_stack() {
    let dir = project();
    let depth = 5_000;
    let sql = format!(
        "SELECT {}1{} FROM users;\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    std::fs::write(dir.path().join("src/deep.sql"), sql).unwrap();
    let ts = format!(
        "const x = {}sql`SELECT 1`{};\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    std::fs::write(dir.path().join("src/deep.ts"), ts).unwrap();
    let rs = format!(
        "fn f() {{ let x = {}query(\"SELECT 1\"){}; }}\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    std::fs::write(dir.path().join("src/deep.rs"), rs).unwrap();
    let (code, stdout, stderr) = run(dir.path(), &["check"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains("src/deep.ts") && stderr.contains("levels deep"),
        "{stderr}"
    );
    assert!(stdout.contains("emial"), "{stdout}");
    // Just under the limit, the code is parsed and its SQL checked.
    let near = 900;
    let ts = format!(
        "const x = {}sql`SELECT mail FROM users`{};\n",
        "[".repeat(near),
        "]".repeat(near)
    );
    std::fs::write(dir.path().join("src/deep.ts"), ts).unwrap();
    std::fs::remove_file(dir.path().join("src/deep.rs")).unwrap();
    let (_, stdout, stderr) = run(dir.path(), &["check"]);
    assert!(
        stdout.contains("column \"mail\" does not exist"),
        "{stdout}{stderr}"
    );
}

#[test]
fn long_join_chains_in_sources_and_in_the_schema() {
    // sqlparser nests `a JOIN b JOIN c ...` by a recursion its limit does not count.
    let dir = project();
    let chain = format!("SELECT 1 FROM users {}users", "JOIN ".repeat(10_000));
    std::fs::write(dir.path().join("src/joins.sql"), format!("{chain};\n")).unwrap();
    std::fs::write(
        dir.path().join("schema.sql"),
        format!("{SCHEMA}CREATE VIEW v AS {chain};\n"),
    )
    .unwrap();
    let (code, stdout, stderr) = run(dir.path(), &["check"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("emial"), "{stdout}");
    assert!(
        stdout.contains("src/joins.sql") && stdout.contains("256 joins"),
        "{stdout}"
    );
    // The view the replay could not read is reported where it is, not dropped silently.
    assert!(stdout.contains("schema.sql:2"), "{stdout}{stderr}");
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_dangling_links() {
    let dir = project();
    std::os::unix::fs::symlink(dir.path().join("src"), dir.path().join("src/loop")).unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("nowhere.sql"),
        dir.path().join("src/dangling.sql"),
    )
    .unwrap();
    let (code, stdout, stderr) = run(dir.path(), &["check"]);
    // Symlinks are not followed while walking: no loop, no error, the real file is checked.
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.contains("emial"));
    // Named explicitly, a dangling link is an error that names it.
    let (code, _, stderr) = run(dir.path(), &["check", "src/dangling.sql", "src/ok.sql"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("src/dangling.sql"), "{stderr}");
}

#[test]
fn empty_and_malformed_config() {
    let dir = project();
    std::fs::write(dir.path().join("schemalint.toml"), "").unwrap();
    let (code, _, stderr) = run(dir.path(), &["check"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no schema to check against"), "{stderr}");
    for (text, needle) in [
        ("[schema\npaths = 1", "invalid config"),
        ("[schema]\npaths = \"schema.sql\"", "invalid type"),
        ("[rules]\nunknown-table = \"loud\"", "unknown variant"),
        ("[banned]\n\"a..b\" = \"x\"", "banned entry"),
    ] {
        std::fs::write(dir.path().join("schemalint.toml"), text).unwrap();
        let (code, _, stderr) = run(dir.path(), &["check"]);
        assert_eq!(code, 2, "{text}: {stderr}");
        assert!(
            stderr.contains(needle) && stderr.contains("schemalint.toml"),
            "{text}: {stderr}"
        );
    }
    std::fs::write(
        dir.path().join("schemalint.toml"),
        b"[schema]\npaths = [\"\xff\"]\n",
    )
    .unwrap();
    let (code, _, stderr) = run(dir.path(), &["check"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("not valid UTF-8"), "{stderr}");
}

#[test]
fn missing_unreadable_and_broken_schema_sources() {
    let dir = project();
    let (code, _, stderr) = run(dir.path(), &["check", "--schema", "nope.sql"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("nope.sql") && stderr.contains("does not exist"),
        "{stderr}"
    );
    std::fs::write(dir.path().join("bad.sql"), b"CREATE TABLE t (x \xff);").unwrap();
    let (code, _, stderr) = run(dir.path(), &["check", "--schema", "bad.sql"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("bad.sql") && stderr.contains("UTF-8"),
        "{stderr}"
    );
    // A migration folder with a broken file: reported as unsupported-ddl, the rest applies.
    std::fs::create_dir(dir.path().join("migrations")).unwrap();
    std::fs::write(dir.path().join("migrations/1_init.sql"), SCHEMA).unwrap();
    std::fs::write(
        dir.path().join("migrations/2_broken.sql"),
        "ALTER TABLE users ADD COLUMN (((;\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("migrations/3_more.sql"),
        "ALTER TABLE users ADD COLUMN emial text;\n",
    )
    .unwrap();
    let (code, stdout, _) = run(dir.path(), &["check", "--schema", "migrations", "src"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("unsupported-ddl") && stdout.contains("2_broken.sql"),
        "{stdout}"
    );
}

#[test]
fn a_file_that_vanishes_during_the_scan() {
    use schemalint::check::Checker;
    use schemalint::config::SourcesConfig;
    use schemalint::rules::{Banned, RuleSettings};
    use schemalint::walk::{discover, WalkOptions};

    let dir = project();
    let gone = dir.path().join("src/gone.sql");
    std::fs::write(&gone, "SELECT id FROM users;\n").unwrap();
    let (files, errors) = discover(
        &[dir.path().join("src")],
        &WalkOptions {
            root: dir.path(),
            include: &[],
            exclude: &[],
            skip: &[],
        },
    );
    assert!(errors.is_empty());
    assert_eq!(files.len(), 2);
    // Deleted between the walk and the read, as a concurrent `git checkout` would.
    std::fs::remove_file(&gone).unwrap();
    let schema =
        schemalint::schema::load_ddl_paths(&[dir.path().join("schema.sql")], &["public".into()])
            .unwrap()
            .schema;
    let sources = SourcesConfig::default();
    let report = Checker {
        schema: &schema,
        banned: Banned::default(),
        column_owners: schemalint::schema::ColumnOwners::new(&schema),
        settings: RuleSettings::default(),
        sources: &sources,
        collect_references: false,
        collect_table_uses: false,
    }
    .check_files(&files);
    assert_eq!(report.file_errors.len(), 1);
    assert_eq!(report.file_errors[0].path, gone);
    assert_eq!(
        report.file_errors[0].message,
        "file disappeared before it could be read"
    );
    // The other file was still checked.
    assert!(report
        .diagnostics
        .iter()
        .any(|d| d.message.contains("emial")));
}

/// The `(line, column)` of every diagnostic in `check --format json` output.
fn json_positions(stdout: &str) -> Vec<(String, u64, u64)> {
    let v: serde_json::Value = serde_json::from_str(stdout).expect(stdout);
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["message"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

// See: issue 10, item 8 (miette panicked: "Formatting argument out of range", exit 101).
#[test]
fn a_finding_past_column_65535_renders_in_every_format() {
    let dir = project();
    let pad = " ".repeat(70_000);
    std::fs::write(
        dir.path().join("src/long.sql"),
        format!("SELECT id,{pad}emial FROM users;\n"),
    )
    .unwrap();
    let column = "SELECT id,".len() + pad.len() + 1;
    for format in ["human", "json", "sarif", "github"] {
        let (code, stdout, stderr) = run(dir.path(), &["check", "--format", format, "src"]);
        assert_eq!(code, 1, "{format}: {stderr}");
        let at = format!("long.sql:1:{column}");
        match format {
            "human" => {
                assert!(stdout.contains(&format!("[src/{at}]")), "{stdout}");
                // The line is clipped around the finding, not drawn 70,000 columns wide.
                let widest = stdout.lines().map(|l| l.chars().count()).max().unwrap();
                assert!(widest < 400, "a {widest}-column line:\n{stdout}");
                assert!(stdout.contains("…") && stdout.contains("emial FROM users"));
            }
            "json" => assert!(json_positions(&stdout)
                .iter()
                .any(|(m, l, c)| m.contains("emial") && *l == 1 && *c == column as u64)),
            "github" => assert!(stdout.contains(&format!("col={column},")), "{stdout}"),
            _ => assert!(stdout.contains(&format!("\"startColumn\": {column}"))),
        }
    }
}

// See: issue 10, item 9 (one line index per file: 20k findings took 23 s, quadratic).
#[test]
fn many_findings_in_one_file_render_in_linear_time() {
    let dir = project();
    // One line holds them all: the worst case for a per-finding scan of the line or file.
    let n = 5_000;
    std::fs::write(
        dir.path().join("src/many.sql"),
        "SELECT emial FROM users; ".repeat(n),
    )
    .unwrap();
    for format in ["human", "json", "sarif", "github"] {
        let start = Instant::now();
        let (code, stdout, _) = run(dir.path(), &["check", "--format", format, "src/many.sql"]);
        let took = start.elapsed();
        assert_eq!(code, 1);
        assert!(stdout.matches("emial").count() >= n, "{format}");
        // A debug build on a busy machine takes a few seconds; quadratic took minutes.
        assert!(took < Duration::from_secs(40), "{format}: {took:?}");
    }
}

// See: issue 10, item 10 (old Mac line endings: every position was on line 1).
#[test]
fn lone_carriage_returns_end_lines() {
    let dir = project();
    std::fs::write(
        dir.path().join("src/mac.sql"),
        "SELECT id FROM users;\rSELECT emial\rFROM users;\r",
    )
    .unwrap();
    let (code, stdout, _) = run(dir.path(), &["check", "--format", "json", "src/mac.sql"]);
    assert_eq!(code, 1);
    let found = json_positions(&stdout);
    assert_eq!(found.len(), 1, "{stdout}");
    assert_eq!((found[0].1, found[0].2), (2, 8), "{stdout}");
    let (_, human, _) = run(dir.path(), &["check", "src/mac.sql"]);
    assert!(human.contains("[src/mac.sql:2:8]"), "{human}");
    assert!(human.contains(" 2 │ SELECT emial\n"), "{human}");
    assert!(!human.contains('\r'), "{human:?}");
}

// See: issue 10, item 10 (escape sequences in names rewrote the terminal, forged annotations).
#[cfg(unix)]
#[test]
fn control_characters_in_file_names_and_identifiers_are_escaped() {
    let dir = project();
    let name = "src/\u{1b}]0;owned\u{7}\u{1b}[2J.sql";
    std::fs::write(
        dir.path().join(name),
        "SELECT \"x\u{1b}[31mred\" FROM users;\n",
    )
    .unwrap();
    std::fs::write(
        dir.path()
            .join("src/a\n::error file=forged.ts,line=1::forged.sql"),
        "SELECT emial FROM users;\n",
    )
    .unwrap();
    for format in ["human", "github"] {
        let (code, stdout, stderr) = run(dir.path(), &["check", "--format", format, "src"]);
        assert_eq!(code, 1, "{stderr}");
        assert!(
            !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
            "{stdout:?}"
        );
        assert!(stdout.contains("\\x1b[31mred"), "{format}: {stdout}");
        assert!(stdout.contains("\\x1b]0;owned\\x07"), "{format}: {stdout}");
        assert!(!stdout.contains("\n::error file=forged"), "{stdout}");
        assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    }
}

// See: issue 10, items 4 and 10 (`init` replaced a dangling link; `-o` replaced a device).
#[cfg(unix)]
#[test]
fn writes_refuse_links_devices_and_keep_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("schemalint.toml");
    let victim = dir.path().join("victim.toml");
    std::os::unix::fs::symlink(&victim, &config).unwrap();
    let (code, _, stderr) = run(dir.path(), &["init"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("already exists"), "{stderr}");
    assert!(!victim.exists());
    let (code, _, stderr) = run(dir.path(), &["init", "--force"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("symbolic link"), "{stderr}");
    assert!(!victim.exists() && config.is_symlink());

    let dir = project();
    let snap = dir.path().join("snap.json");
    std::fs::write(&snap, "{}").unwrap();
    std::fs::set_permissions(&snap, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (code, _, stderr) = run(
        dir.path(),
        &["snapshot", "--schema", "schema.sql", "-o", "snap.json"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        std::fs::metadata(&snap).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(std::fs::read_to_string(&snap).unwrap().contains("users"));
    let (code, _, stderr) = run(
        dir.path(),
        &["snapshot", "--schema", "schema.sql", "-o", "/dev/null"],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("character device"), "{stderr}");
}

// See: issue 10, item 10 (`-o -` wrote a file named `-`).
#[test]
fn snapshot_to_standard_output() {
    let dir = project();
    let (code, stdout, stderr) = run(
        dir.path(),
        &["snapshot", "--schema", "schema.sql", "-o", "-"],
    );
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect(&stdout);
    assert!(v.to_string().contains("users"), "{stdout}");
    assert!(!dir.path().join("-").exists());
}

// See: issue 10, item 3 (files outside the project were read and shown in a snippet).
#[cfg(unix)]
#[test]
fn schema_and_query_files_outside_the_project_are_refused_unread() {
    let outer = tempfile::tempdir().unwrap();
    std::fs::write(
        outer.path().join("secret.sql"),
        "CREATE TABLE leaked_secret (x int);\nnot sql at all leaked_secret\n",
    )
    .unwrap();
    let dir = project();
    let secret = outer.path().join("secret.sql");
    std::os::unix::fs::symlink(&secret, dir.path().join("link.sql")).unwrap();
    std::fs::create_dir(dir.path().join("migrations")).unwrap();
    std::fs::write(dir.path().join("migrations/1.sql"), SCHEMA).unwrap();
    std::os::unix::fs::symlink(&secret, dir.path().join("migrations/2.sql")).unwrap();
    let relative = format!(
        "../{}/secret.sql",
        outer.path().file_name().unwrap().to_str().unwrap()
    );
    for path in [
        "/proc/self/environ",
        relative.as_str(),
        "link.sql",
        "migrations",
    ] {
        std::fs::write(
            dir.path().join("schemalint.toml"),
            format!("[schema]\npaths = [\"{path}\"]\n"),
        )
        .unwrap();
        let (code, stdout, stderr) = run(dir.path(), &["check", "src"]);
        assert_eq!(code, 2, "{path}: {stdout}{stderr}");
        assert!(stderr.contains("outside the project"), "{path}: {stderr}");
        let all = format!("{stdout}{stderr}");
        assert!(
            !all.contains("leaked_secret") && !all.contains("PATH="),
            "{path}: {all}"
        );
    }
    // query_file! in Rust code: the file is reported, its content never shown.
    let dir = project();
    std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
    std::fs::write(
        dir.path().join("src/q.rs"),
        "fn f() { sqlx::query_file!(\"/proc/self/environ\"); }\n",
    )
    .unwrap();
    let (code, stdout, stderr) = run(dir.path(), &["check", "src"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains("src/q.rs") && stderr.contains("/proc/self/environ is outside the project"),
        "{stderr}"
    );
    assert!(!format!("{stdout}{stderr}").contains("PATH="));
}

// See: issue 10, items 3 and 10 (`/dev/zero` read until memory ran out; devices skipped
// silently; `--schema /dev/null` "does not exist").
#[cfg(unix)]
#[test]
fn devices_are_refused_wherever_a_file_is_named() {
    let dir = project();
    for args in [
        &["check", "--config", "/dev/zero", "src"][..],
        &["check", "--baseline", "/dev/zero", "src"],
        &["check", "--schema", "/dev/null", "src"],
        &["check", "/dev/null"],
    ] {
        let (code, _, stderr) = run(dir.path(), args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(
            stderr.contains("/dev/") && stderr.contains("character device"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("does not exist"), "{args:?}: {stderr}");
    }
}

// See: issue 10, item 10 (a byte order mark hid the first statement).
#[test]
fn a_byte_order_mark_does_not_hide_the_first_statement() {
    let dir = project();
    std::fs::write(dir.path().join("schema.sql"), format!("\u{feff}{SCHEMA}")).unwrap();
    std::fs::write(
        dir.path().join("src/bom.sql"),
        "\u{feff}SELECT emial FROM users;\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("src/bom.ts"),
        "\u{feff}const q = sql`SELECT emial FROM users`;\n",
    )
    .unwrap();
    std::fs::remove_file(dir.path().join("src/ok.sql")).unwrap();
    let (code, stdout, stderr) = run(dir.path(), &["check", "--format", "json", "src"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let found = json_positions(&stdout);
    assert_eq!(found.len(), 2, "{stdout}");
    assert!(
        found.iter().all(|(m, _, _)| m.contains("emial")),
        "{stdout}"
    );
    assert_eq!((found[0].1, found[0].2), (1, 8), "{stdout}");
    assert_eq!((found[1].1, found[1].2), (1, 22), "{stdout}");
}

// See: issue 10, item 10 (`TABLE users;` was a syntax warning).
#[test]
fn the_table_command_is_checked_as_a_select() {
    let dir = project();
    std::fs::write(
        dir.path().join("src/ok.sql"),
        "TABLE users;\n  table  usres;\n",
    )
    .unwrap();
    let (code, stdout, stderr) = run(dir.path(), &["check", "--format", "json", "src"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let found = json_positions(&stdout);
    assert_eq!(found.len(), 1, "{stdout}");
    assert!(found[0].0.contains("usres"), "{stdout}");
    assert_eq!((found[0].1, found[0].2), (2, 10), "{stdout}");
}

// See: issue 10, item 10 (an empty search-path entry became a server syntax error).
#[test]
fn an_empty_search_path_entry_is_a_config_error() {
    let dir = project();
    std::fs::write(
        dir.path().join("schemalint.toml"),
        "[schema]\npaths = [\"schema.sql\"]\nsearch-path = [\"public\", \"\"]\n",
    )
    .unwrap();
    let (code, _, stderr) = run(dir.path(), &["check", "src"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("schemalint.toml") && stderr.contains("empty one"),
        "{stderr}"
    );
}

// See: issue 10, item 10 (`--changed-since --output=FILE` reached git as an option).
#[test]
fn changed_since_refuses_options() {
    let dir = project();
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    git(&["init", "-q"]);
    let planted = dir.path().join("planted");
    let arg = format!("--changed-since=--output={}", planted.display());
    let (code, _, stderr) = run(dir.path(), &["check", &arg]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("is not a revision"), "{stderr}");
    assert!(!planted.exists(), "git wrote the file");
}

// See: issue 10, item 9 (200k-term `id+id+...` took 106 s, 40k ORs 14 s: a span lookup
// scanned its line from the start).
#[test]
fn long_operator_chains_are_checked_in_linear_time() {
    let dir = project();
    let plus = vec!["id"; 100_000].join("+");
    let or = vec!["id = 1"; 20_000].join(" OR ");
    std::fs::write(
        dir.path().join("src/chain.sql"),
        format!("SELECT {plus} FROM users;\nSELECT id FROM users WHERE {or} OR emial;\n"),
    )
    .unwrap();
    let start = Instant::now();
    let (code, stdout, stderr) = run(dir.path(), &["check", "--format", "json", "src/chain.sql"]);
    assert_eq!(code, 1, "{stderr}");
    let found = json_positions(&stdout);
    assert_eq!(found.len(), 1, "{stdout}");
    assert_eq!(
        (found[0].1, found[0].2),
        (2, (28 + or.len() + 4) as u64),
        "{stdout}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(45),
        "{:?}",
        start.elapsed()
    );
}

// A workspace crate's config names a sibling crate's migrations (`../user/migrations`, as in
// a real Rust workspace): inside the repository, that is the project; a file outside the
// repository is still refused unread.
#[test]
fn a_config_may_name_schema_files_elsewhere_in_its_repository() {
    let outer = tempfile::tempdir().unwrap();
    let repo = outer.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(repo.join("crates/user/migrations")).unwrap();
    std::fs::create_dir_all(repo.join("crates/shared/src")).unwrap();
    std::fs::write(repo.join("crates/user/migrations/1.sql"), SCHEMA).unwrap();
    std::fs::write(
        repo.join("crates/shared/src/q.sql"),
        "SELECT id, emial FROM users;\n",
    )
    .unwrap();
    std::fs::write(
        outer.path().join("secret.sql"),
        "CREATE TABLE leaked_secret (x int);\n",
    )
    .unwrap();
    let shared = repo.join("crates/shared");
    std::fs::write(
        shared.join("schemalint.toml"),
        "[schema]\npaths = [\"../user/migrations\"]\n",
    )
    .unwrap();
    let (code, stdout, stderr) = run(&shared, &["check", "--format", "concise", "src"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("emial"), "{stdout}{stderr}");
    std::fs::write(
        shared.join("schemalint.toml"),
        "[schema]\npaths = [\"../../../secret.sql\"]\n",
    )
    .unwrap();
    let (code, stdout, stderr) = run(&shared, &["check", "src"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("outside the project"), "{stderr}");
    assert!(!format!("{stdout}{stderr}").contains("leaked_secret"));
}
