//! `schemalint report` on the neon-media example (issue 15): from the dump alone (rows
//! unknown) and from a real database built from that dump with rows in `assets` and
//! `media_assets` and none in `media`, before the fix and after it. The binary is run, its
//! JSON read back; the Markdown is snapshot-tested.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use support::fs::copy_dir;
use support::pg::cluster;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run the binary in `dir`; returns (exit code, stdout, stderr).
fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_schemalint"));
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("DATABASE_URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Run `schemalint report` in `dir`; returns (exit code, stdout).
fn report(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_schemalint"));
    cmd.arg("report")
        .args(args)
        .arg("-q")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("DATABASE_URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("binary runs");
    assert!(
        out.stderr.is_empty(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn json(dir: &str, args: &[&str], env: &[(&str, &str)]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let (code, out) = report(&root().join(dir), &all, env);
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["version"], 1);
    v
}

fn table<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no table {name} in {report:#}"))
}

fn status(report: &Value, name: &str) -> String {
    table(report, name)["status"].as_str().unwrap().to_string()
}

fn locations(t: &Value) -> Vec<String> {
    t["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}:{}:{}",
                r["file"].as_str().unwrap(),
                r["line"],
                r["column"]
            )
        })
        .collect()
}

/// Two string fields of every object in a JSON array.
fn field_pairs(array: &Value, a: &str, b: &str) -> Vec<(String, String)> {
    array
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o[a].as_str().unwrap().to_string(),
                o[b].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(report: &Value) -> Vec<(String, String)> {
    field_pairs(&report["lookalikes"], "a", "b")
}

/// The first suggestion of `kind` (for `table`, when given).
fn suggestion<'a>(report: &'a Value, kind: &str, table: Option<&str>) -> &'a Value {
    report["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == kind && table.is_none_or(|t| s["table"] == t))
        .unwrap_or_else(|| panic!("no {kind} suggestion for {table:?} in {report:#}"))
}

fn suggestions(report: &Value, kind: &str) -> Vec<String> {
    report["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == kind)
        .map(|s| s["text"].as_str().unwrap().to_string())
        .collect()
}

// See: issue 15.
#[test]
fn from_the_dump_alone_statuses_say_rows_are_unknown() {
    let before = json("fixtures/neon-media", &[], &[]);
    assert_eq!(before["database"], false);
    // The table the code names that the database lacks, with both references: the batch's
    // insert and the update that marks it complete.
    let batches = table(&before, "public.media_batches");
    assert_eq!(batches["status"], "missing-referenced");
    assert_eq!(batches["kind"], "missing");
    assert_eq!(
        locations(batches),
        [
            "netlify/functions/save-media-batch.ts:10:41",
            "netlify/functions/save-media-batch.ts:14:20"
        ]
    );
    assert_eq!(batches["statements"], 2);
    assert_eq!(batches["entry_points"][0], "netlify:save-media-batch");
    // The legacy table: banned and still written; without rows, emptiness is not guessed.
    let media = table(&before, "public.media");
    assert_eq!(media["status"], "banned-referenced");
    assert_eq!(media["rows"], Value::Null);
    assert!(
        media["reason"]
            .as_str()
            .unwrap()
            .contains("rows unknown: no database"),
        "{media:#}"
    );
    assert_eq!(locations(media), ["netlify/functions/save-media.ts:17:17"]);
    assert_eq!(media["columns"]["url"]["written"], true);
    assert_eq!(media["columns"]["media_type"]["missing"], true);
    for t in before["tables"].as_array().unwrap() {
        assert_ne!(t["status"], "empty-referenced", "guessed emptiness: {t:#}");
        assert_eq!(t["rows"], Value::Null);
    }
    assert_eq!(status(&before, "public.assets"), "in-use");
    assert_eq!(status(&before, "public.media_assets"), "in-use");
    assert_eq!(status(&before, "public.user_asset_counts"), "in-use");
    // Columns never used: `assets.prompt` is neither read nor written.
    let assets = table(&before, "public.assets");
    assert_eq!(assets["columns"]["prompt"]["read"], false);
    assert_eq!(assets["columns"]["prompt"]["written"], false);
    assert_eq!(assets["columns"]["meta"]["written"], true);
    assert_eq!(assets["never_used"], serde_json::json!(["prompt"]));
    assert_eq!(assets["statements"], 3);
    // Look-alikes: media with assets (columns), media with media_assets (name); assets and
    // media_assets are parent and child (media_assets.asset_id), not look-alikes.
    let found = pairs(&before);
    assert!(found.contains(&("public.assets".into(), "public.media".into())));
    assert!(found.contains(&("public.media".into(), "public.media_assets".into())));
    assert!(!found.contains(&("public.assets".into(), "public.media_assets".into())));
    let l = &before["lookalikes"][0];
    assert_eq!(
        l["shared_columns"],
        serde_json::json!(["url text", "user_id text"])
    );
    // Nothing to drop: every table is used.
    assert!(suggestions(&before, "drop").is_empty());
    assert_eq!(suggestions(&before, "fix-references").len(), 1);

    // After the fix nothing writes `media`: unreferenced, and a DROP is suggested with the
    // warning that its rows are unknown.
    let after = json("fixtures/neon-media-fixed", &[], &[]);
    assert_eq!(status(&after, "public.media"), "unreferenced");
    assert!(after["tables"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["name"] != "public.media_batches"));
    assert_eq!(
        suggestions(&after, "drop"),
        ["DROP TABLE IF EXISTS public.media;"]
    );
    let drop = suggestion(&after, "drop", None);
    assert!(drop["evidence"]
        .to_string()
        .contains("rows unknown: no database"));
}

#[test]
fn markdown_report_of_the_example() {
    for dir in ["neon-media", "neon-media-fixed"] {
        let (code, md) = report(
            &root().join("fixtures").join(dir),
            &["--format", "markdown"],
            &[],
        );
        assert_eq!(code, 0);
        insta::assert_snapshot!(format!("markdown_{dir}"), md);
    }
}

#[test]
fn human_report_has_a_table_per_section() {
    let (code, out) = report(&root().join("fixtures/neon-media"), &[], &[]);
    assert_eq!(code, 0);
    assert!(out.starts_with("Tables (5 from db/schema.sql"), "{out}");
    assert!(out.contains("Look-alike tables, possibly the same purpose (2):"));
    assert!(out.contains("Suggestions (not applied) (1):"));
    insta::assert_snapshot!("human_neon-media", out);
}

// See: issue 15 ("from a live database and from migrations"). The schema replayed from the
// DDL script the dump was made from gives the same report as the dump, in every format.
#[test]
fn from_migrations_the_report_is_the_dumps() {
    let tmp = tempfile::tempdir().unwrap();
    let app = tmp.path().join("app");
    copy_dir(&root().join("fixtures/neon-media"), &app);
    std::fs::remove_file(app.join("db/schema.sql")).unwrap();
    std::fs::create_dir(app.join("migrations")).unwrap();
    std::fs::rename(
        app.join("db/create.sql"),
        app.join("migrations/001_create.sql"),
    )
    .unwrap();
    let config = std::fs::read_to_string(app.join("schemalint.toml"))
        .unwrap()
        .replace("paths = [\"db/schema.sql\"]", "paths = [\"migrations\"]");
    std::fs::write(app.join("schemalint.toml"), config).unwrap();
    // The same app with the dump (and without the script, which is otherwise scanned as code).
    let dump_dir = tmp.path().join("dump");
    copy_dir(&root().join("fixtures/neon-media"), &dump_dir);
    std::fs::remove_file(dump_dir.join("db/create.sql")).unwrap();
    let without_source = |mut v: Value| {
        v["schema_source"] = Value::Null;
        v["config"] = Value::Null;
        v
    };
    let (code, out) = report(&app, &["--format", "json"], &[]);
    assert_eq!(code, 0, "{out}");
    let migrated: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(migrated["schema_source"], "migrations (1 file)");
    assert_eq!(
        without_source(migrated),
        without_source(
            serde_json::from_str(&report(&dump_dir, &["--format", "json"], &[]).1).unwrap()
        )
    );
    for format in ["human", "markdown"] {
        let (_, a) = report(&app, &["--format", format], &[]);
        let (_, b) = report(&dump_dir, &["--format", format], &[]);
        let a = a.replace("migrations (1 file)", "db/schema.sql");
        assert_eq!(a, b, "{format}");
    }
}

/// The dump as psql can run it in one `-c`: without its `\restrict` lines, and with the role
/// it hands tables to.
fn dump_sql() -> String {
    let dump = std::fs::read_to_string(root().join("fixtures/neon-media/db/schema.sql")).unwrap();
    let body: String = dump
        .lines()
        .filter(|l| !l.starts_with('\\'))
        .map(|l| format!("{l}\n"))
        .collect();
    format!(
        "DO $$ BEGIN CREATE ROLE neondb_owner; EXCEPTION WHEN duplicate_object THEN NULL; END $$;\n{body}"
    )
}

// See: issue 15. Row counts from the server's statistics, read with the schema.
#[test]
fn from_a_live_database_empty_tables_are_told_apart() {
    let pg = cluster();
    let url = pg.database("report_neon", &dump_sql());
    // Rows in assets and media_assets, none in media; ANALYZE sets reltuples.
    let rows = "INSERT INTO public.assets (user_id, kind, media_type, url) VALUES \
                ('u1', 'generated', 'image', 'https://x/1'), ('u2', 'upload', 'video', 'https://x/2'); \
                INSERT INTO public.media_assets (user_id, storage_key) VALUES ('u1', 'k1'), ('u1', 'k2'), ('u2', 'k3');";
    let db = |sql: &str| {
        let out = Command::new(support::pg::bin_dir().join("psql"))
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", &url, "-c", sql])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    db(rows);
    db("ANALYZE");
    let env = [("NEON_TEST_URL", url.as_str())];
    let args = ["--database-url-env", "NEON_TEST_URL"];

    let before = json("fixtures/neon-media", &args, &env);
    assert_eq!(before["database"], true);
    let media = table(&before, "public.media");
    assert_eq!(media["status"], "empty-referenced", "{media:#}");
    assert_eq!(media["rows"], 0);
    assert_eq!(locations(media), ["netlify/functions/save-media.ts:17:17"]);
    assert_eq!(table(&before, "public.assets")["rows"], 2);
    assert_eq!(table(&before, "public.media_assets")["rows"], 3);
    assert_eq!(status(&before, "public.assets"), "in-use");
    assert_eq!(status(&before, "public.media_assets"), "in-use");
    let batches = table(&before, "public.media_batches");
    assert_eq!(batches["status"], "missing-referenced");
    assert_eq!(
        locations(batches),
        [
            "netlify/functions/save-media-batch.ts:10:41",
            "netlify/functions/save-media-batch.ts:14:20"
        ]
    );
    assert!(pairs(&before).contains(&("public.assets".into(), "public.media".into())));
    // The live schema has the same look-alikes as the dump.
    assert_eq!(
        pairs(&before),
        pairs(&json("fixtures/neon-media", &[], &[]))
    );
    // Activity counters come along.
    assert_eq!(table(&before, "public.assets")["activity"]["inserted"], 2);

    let after = json("fixtures/neon-media-fixed", &args, &env);
    let media = table(&after, "public.media");
    assert_eq!(media["status"], "unreferenced", "{media:#}");
    assert_eq!(media["rows"], 0);
    let drop = suggestion(&after, "drop", Some("public.media"));
    assert!(
        drop["evidence"].to_string().contains("rows ≈ 0"),
        "{drop:#}"
    );

    // The Markdown from the database, with the connection (a temporary socket) masked.
    let (_, md) = report(
        &root().join("fixtures/neon-media"),
        &[
            "--format",
            "markdown",
            "--database-url-env",
            "NEON_TEST_URL",
        ],
        &env,
    );
    let md = md
        .lines()
        .map(|l| {
            if l.starts_with("Schema: live database") {
                "Schema: live database [masked].".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("markdown_neon-media_live", md);

    // Unbanned, the empty `media` gets a [banned] line from the database's evidence; once
    // written, `check` flags the code that still writes it.
    let (_tmp, app) = app_with_config(
        "neon-media",
        "[schema]\ndatabase-url-env = \"NEON_TEST_URL\"\n",
    );
    assert!(banned_findings(&app, &env).is_empty());
    let (code, _, err) = run(&app, &["report", "-q", "--write-config"], &env);
    assert_eq!(code, 0, "{err}");
    let banned = schemalint::config::load(&app.join("schemalint.toml"))
        .unwrap()
        .config
        .banned;
    assert_eq!(
        banned.get("media").map(String::as_str),
        Some("empty, look-alike of `public.assets` and `public.media_assets` (in use): use one of them instead (schemalint report)"),
        "{err}"
    );
    assert_eq!(
        banned_findings(&app, &env),
        ["netlify/functions/save-media.ts:17"]
    );
}

// See: issue 15. A legacy-looking table nobody banned yet gets a `[banned]` line, with its
// evidence; nothing is written.
#[test]
fn an_unbanned_legacy_look_alike_gets_a_banned_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("schemalint.toml");
    std::fs::write(&config, "[schema]\npaths = []\n").unwrap();
    let fixed = root().join("fixtures/neon-media-fixed");
    let before = std::fs::read_to_string(fixed.join("schemalint.toml")).unwrap();
    let report = json(
        "fixtures/neon-media-fixed",
        &[
            "--config",
            config.to_str().unwrap(),
            "--schema",
            "db/schema.sql",
            ".",
        ],
        &[],
    );
    assert_eq!(status(&report, "public.media"), "unreferenced");
    assert_eq!(
        suggestions(&report, "ban"),
        ["media = \"unreferenced, look-alike of `public.assets` and `public.media_assets` (in use): use one of them instead (schemalint report)\""]
    );
    let ban = suggestion(&report, "ban", None);
    assert!(ban["evidence"]
        .to_string()
        .contains("looks like `public.assets`, which is in use"));
    // A table in use is never suggested for a ban or a drop.
    for s in report["suggestions"].as_array().unwrap() {
        assert_eq!(s["table"], "public.media", "{s:#}");
    }
    assert_eq!(
        std::fs::read_to_string(fixed.join("schemalint.toml")).unwrap(),
        before
    );
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        "[schema]\npaths = []\n"
    );
}

/// The example app (before or after the fix) in a temporary directory, with this config.
fn app_with_config(app: &str, config: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let app_dir = dir.path().join("app");
    copy_dir(&root().join("fixtures").join(app), &app_dir);
    std::fs::write(app_dir.join("schemalint.toml"), config).unwrap();
    (dir, app_dir)
}

/// The banned-table findings of `check --format json` in `dir`, as `file:line`.
fn banned_findings(dir: &Path, env: &[(&str, &str)]) -> Vec<String> {
    let (_, out, err) = run(dir, &["check", "--format", "json", "-q"], env);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "banned-table")
        .map(|d| format!("{}:{}", d["file"].as_str().unwrap(), d["line"]))
        .collect()
}

const COMMENTED: &str = "# The example app (these comments must survive)\n[schema]\npaths = [\"db/schema.sql\"] # the dump\n\n[rules]\n# loud\nunknown-column = \"error\"\n";

// See: issue 15 ("--write-config adds the [banned] lines to schemalint.toml, atomically,
// keeping comments"). The written config loads with the real loader, and `check` then flags
// code that still uses the banned table.
#[test]
fn write_config_adds_the_banned_lines_and_check_then_flags_the_table() {
    let (_tmp, app) = app_with_config("neon-media-fixed", COMMENTED);
    assert!(banned_findings(&app, &[]).is_empty());
    let (code, out, err) = run(&app, &["report", "-q", "--write-config"], &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.starts_with("Tables ("),
        "the report is still printed: {out}"
    );
    assert!(
        err.contains("schemalint.toml: added [banned] media = \"unreferenced, look-alike of `public.assets` and `public.media_assets` (in use)"),
        "{err}"
    );
    let text = std::fs::read_to_string(app.join("schemalint.toml")).unwrap();
    assert!(
        text.starts_with(COMMENTED),
        "comments and keys kept:\n{text}"
    );
    assert!(text.ends_with("\n\n[banned]\nmedia = \"unreferenced, look-alike of `public.assets` and `public.media_assets` (in use): use one of them instead (schemalint report)\"\n"), "{text}");
    let loaded = schemalint::config::load(&app.join("schemalint.toml")).unwrap();
    assert_eq!(
        loaded.config.banned.keys().collect::<Vec<_>>(),
        ["media"],
        "{text}"
    );
    assert_eq!(
        loaded.config.rules.len(),
        1,
        "the other keys are still there"
    );
    // Code elsewhere that still writes the table is now a finding.
    std::fs::write(
        app.join("netlify/functions/old-upload.ts"),
        "import { sql } from \"../../src/lib/db\";\nexport async function save(u: string, url: string) {\n  await sql`INSERT INTO media (user_id, url) VALUES (${u}, ${url})`;\n}\n",
    )
    .unwrap();
    assert_eq!(
        banned_findings(&app, &[]),
        ["netlify/functions/old-upload.ts:3"]
    );
    // Again: the table is banned now, so there is nothing to add, and the file is unchanged.
    let (code, _, err) = run(&app, &["report", "-q", "--write-config"], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("schemalint.toml: nothing to add"), "{err}");
    assert_eq!(
        std::fs::read_to_string(app.join("schemalint.toml")).unwrap(),
        text
    );
}

#[test]
fn write_config_keeps_existing_entries_and_inline_tables() {
    // An existing [banned] table with an entry: the new line joins it; the old one stays.
    let config = "[schema]\npaths = [\"db/schema.sql\"]\n\n[banned]\n# gone since the Neon move\nmedia_batches = \"dropped\"\n\n[rules]\nunknown-column = \"error\"\n";
    let (_tmp, app) = app_with_config("neon-media-fixed", config);
    let (code, _, err) = run(&app, &["report", "-q", "--write-config"], &[]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(app.join("schemalint.toml")).unwrap();
    assert!(
        text.starts_with("[schema]\npaths = [\"db/schema.sql\"]\n\n[banned]\n# gone since the Neon move\nmedia_batches = \"dropped\"\nmedia = \"unreferenced, "),
        "{text}"
    );
    assert!(
        text.ends_with("\n\n[rules]\nunknown-column = \"error\"\n"),
        "{text}"
    );
    let banned = schemalint::config::load(&app.join("schemalint.toml"))
        .unwrap()
        .config
        .banned;
    assert_eq!(banned["media_batches"], "dropped");
    assert!(banned["media"].contains("(schemalint report)"));

    // An inline table.
    let config =
        "banned = { media_batches = \"dropped\" }\n[schema]\npaths = [\"db/schema.sql\"]\n";
    let (_tmp, app) = app_with_config("neon-media-fixed", config);
    let (code, _, err) = run(&app, &["report", "-q", "--write-config"], &[]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(app.join("schemalint.toml")).unwrap();
    assert!(
        text.starts_with("banned = { media_batches = \"dropped\", media = \"unreferenced, "),
        "{text}"
    );
    let banned = schemalint::config::load(&app.join("schemalint.toml"))
        .unwrap()
        .config
        .banned;
    assert_eq!(banned.len(), 2);
}

#[cfg(unix)]
#[test]
fn write_config_leaves_a_read_only_or_broken_config_untouched() {
    use std::os::unix::fs::PermissionsExt;
    let (_tmp, app) = app_with_config("neon-media-fixed", COMMENTED);
    let path = app.join("schemalint.toml");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let (code, out, err) = run(&app, &["report", "-q", "--write-config"], &[]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("is read-only, not changed"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), COMMENTED);

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::write(&path, "[schema\npaths = 1\n").unwrap();
    let (code, _, err) = run(&app, &["report", "-q", "--write-config"], &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("invalid config"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "[schema\npaths = 1\n"
    );
}

fn packages(report: &Value) -> Vec<(String, &Value)> {
    report["packages"]
        .as_array()
        .unwrap_or_else(|| panic!("no packages in {report:#}"))
        .iter()
        .map(|p| (p["config"].as_str().unwrap().to_string(), p))
        .collect()
}

fn statuses(part: &Value) -> Vec<(String, String)> {
    field_pairs(&part["tables"], "name", "status")
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_string(), b.to_string())
}

// See: issue 15 and the hierarchical configs of `check`: in a monorepo each package is
// reported against its own schema, one section per config.
#[test]
fn a_monorepo_gets_one_report_per_config() {
    let all = json("fixtures/monorepo", &[], &[]);
    let parts = packages(&all);
    let configs: Vec<&str> = parts.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        configs,
        [
            "crates/ledger/schemalint.toml",
            "packages/blog/schemalint.toml",
            "packages/shop/schemalint.toml"
        ]
    );
    let part = |c: &str| parts.iter().find(|(n, _)| n.starts_with(c)).unwrap().1;
    assert_eq!(
        statuses(part("crates/ledger")),
        [
            pair("public.entries", "in-use"),
            pair("public.products", "missing-referenced")
        ]
    );
    assert_eq!(
        statuses(part("packages/blog")),
        [pair("public.posts", "in-use")]
    );
    assert_eq!(
        statuses(part("packages/shop")),
        [
            pair("public.orders", "in-use"),
            pair("public.products", "in-use"),
            pair("public.posts", "missing-referenced")
        ]
    );
    // Each package's references are its own files: blog's posts are never missing in shop
    // (only shop's own query of them is), ledger's entries appear in no other package.
    for (config, p) in &parts {
        let dir = config.trim_end_matches("schemalint.toml");
        for t in p["tables"].as_array().unwrap() {
            for r in locations(t) {
                assert!(r.starts_with(dir), "{config}: {r}");
            }
        }
        if !dir.starts_with("crates/ledger") {
            assert!(statuses(p).iter().all(|(n, _)| n != "public.entries"));
        }
    }
    assert_eq!(
        locations(table(part("packages/shop"), "public.posts")),
        ["packages/shop/src/orders.ts:9:29"]
    );
    assert_eq!(
        locations(table(part("packages/blog"), "public.posts")).len(),
        2
    );

    // Two packages named: two sections; the human and Markdown forms head each by its config.
    let two = json(
        "fixtures/monorepo",
        &["packages/blog", "packages/shop"],
        &[],
    );
    assert_eq!(packages(&two).len(), 2);
    let (code, human) = report(&root().join("fixtures/monorepo"), &[], &[]);
    assert_eq!(code, 0);
    assert!(
        human.starts_with(
            "== crates/ledger/schemalint.toml ==\nTables (2 from crates/ledger/migrations"
        ),
        "{human}"
    );
    assert!(
        human.contains(
            "\n== packages/shop/schemalint.toml ==\nTables (3 from packages/shop/db/schema.sql"
        ),
        "{human}"
    );
    let (_, md) = report(
        &root().join("fixtures/monorepo"),
        &["--format", "markdown"],
        &[],
    );
    assert!(
        md.contains("# Table consolidation report: `packages/blog/schemalint.toml`\n"),
        "{md}"
    );
    assert!(
        md.contains("[packages/blog/api/posts.ts:4:38](packages/blog/api/posts.ts#L4)")
            || md.contains("packages/shop/src/orders.ts:9:29](packages/shop/src/orders.ts#L9)"),
        "{md}"
    );

    // From inside a package: that package alone, as one document relative to it.
    let shop = json("fixtures/monorepo/packages/shop", &[], &[]);
    assert!(shop.get("packages").is_none());
    assert_eq!(statuses(&shop), statuses(part("packages/shop")));
    assert_eq!(
        locations(table(&shop, "public.posts")),
        ["src/orders.ts:9:29"]
    );

    // --config forces one config for every file, as in `check`: one document, one schema
    // (the other packages' migrations are then code, and their CREATE TABLEs count), with
    // paths relative to that config's directory.
    let forced = json(
        "fixtures/monorepo",
        &["--config", "packages/shop/schemalint.toml"],
        &[],
    );
    assert!(forced.get("packages").is_none());
    assert_eq!(forced["schema_source"], "packages/shop/db/schema.sql");
    assert_eq!(status(&forced, "public.products"), "in-use");
    assert_eq!(
        locations(table(&forced, "public.entries")),
        ["../../crates/ledger/src/lib.rs:3:55"]
    );
}

#[test]
fn sql_under_no_config_in_a_monorepo_is_a_tool_error() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&root().join("fixtures/monorepo"), tmp.path());
    std::fs::write(
        tmp.path().join("scripts/seed.ts"),
        "import { sql } from \"./db\";\nexport const seed = () => sql`INSERT INTO posts (id) VALUES (1)`;\n",
    )
    .unwrap();
    let (code, out, err) = run(tmp.path(), &["report", "-q", "--format", "json"], &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("under no schemalint.toml were not checked"),
        "{err}"
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(packages(&v).len(), 3);
    assert!(v["tool_errors"][0]
        .as_str()
        .unwrap()
        .contains("scripts/seed.ts"));
}

// See: issue 15. A sequence read as a table (`SELECT last_value FROM users_id_seq`) exists:
// it is neither a missing table nor a table to consolidate.
#[test]
fn a_sequence_read_as_a_table_is_not_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    support::fs::write_tree(
        dir,
        &[
            (
                "schema.sql",
                "CREATE TABLE users (id bigserial PRIMARY KEY, email text);\n",
            ),
            ("schemalint.toml", "[schema]\npaths = [\"schema.sql\"]\n"),
            (
                "src/ids.sql",
                "SELECT last_value FROM users_id_seq;\nSELECT email FROM users;\n",
            ),
        ],
    );
    let (code, out) = report(dir, &["--format", "json"], &[]);
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["statements_checked"], 2, "{v:#}");
    let names: Vec<&str> = v["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["public.users"], "{v:#}");
    assert_eq!(status(&v, "public.users"), "in-use");
}

// See: issue 15. Lines as editors count them everywhere a user reads one: in a file whose lines
// end in a lone `\r` (old Mac), the report's references and `check`'s unchecked list give the
// lines `check`'s findings give.
#[test]
fn lines_in_a_file_of_lone_carriage_returns_agree() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    support::fs::write_tree(
        dir,
        &[
            ("schema.sql", "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n"),
            ("schemalint.toml", "[schema]\npaths = [\"schema.sql\"]\n"),
            (
                "src/users.ts",
                "import { Pool } from 'pg';\r\
                 const pool = new Pool();\r\
                 // one\r\
                 export const f = () => pool.query('SELECT nope FROM users');\r\
                 export const g = (c: string) => pool.query(`SELECT id FROM users ORDER BY ${c}`);\r",
            ),
        ],
    );
    let (_, out, _) = run(dir, &["check", "--format", "json"], &[]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["diagnostics"][0]["rule"], "unknown-column", "{v:#}");
    assert_eq!(v["diagnostics"][0]["line"], 4, "{v:#}");
    assert_eq!(v["unchecked"][0]["line"], 5, "{v:#}");
    let (code, out) = report(dir, &["--format", "json"], &[]);
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        locations(table(&v, "public.users")),
        ["src/users.ts:4:53", "src/users.ts:5:60"]
    );
}

// See: issue 15. File names are written as they are when none needs an escape; a name with a
// quote or a tab in it (legal on Linux) is escaped wherever the document names it.
#[test]
fn file_names_that_need_escaping_are_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let query = "import { Pool } from 'pg';\nconst pool = new Pool();\n\
                 export const f = () => pool.query('SELECT id FROM users');\n";
    support::fs::write_tree(
        dir,
        &[
            (
                "schema.sql",
                "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
            ),
            ("schemalint.toml", "[schema]\npaths = [\"schema.sql\"]\n"),
            ("src/plain.ts", query),
            ("src/say \"hi\"\there.ts", query),
        ],
    );
    let (code, out) = report(dir, &["--format", "json"], &[]);
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(&out).expect("valid JSON");
    let users = table(&v, "public.users");
    assert_eq!(
        locations(users),
        ["src/plain.ts:3:51", "src/say \"hi\"\there.ts:3:51"]
    );
    assert_eq!(users["files"][1], "src/say \"hi\"\there.ts", "{users:#}");
    assert!(out.contains(r#""src/say \"hi\"\there.ts""#), "{out}");
}

// A table named only in SQL the report could not read is not unreferenced, and none is
// suggested for removal without saying which statements were not read: SQL that does not
// parse, a DO block, a table name only known at run time, a PATCH handler that builds its
// SET list.
#[test]
fn sql_not_checked_in_full_is_listed_and_keeps_its_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    support::fs::write_tree(
        dir,
        &[
            (
                "db/schema.sql",
                "CREATE TABLE users (id bigint PRIMARY KEY, email text, name text);\n\
                 CREATE TABLE legacy_jobs (id bigint PRIMARY KEY, payload jsonb);\n\
                 CREATE TABLE profiles (id bigint PRIMARY KEY, bio text, avatar text);\n\
                 CREATE TABLE audit (id bigint PRIMARY KEY, note text);\n\
                 CREATE TABLE archive (id bigint PRIMARY KEY);\n",
            ),
            ("schemalint.toml", "[schema]\npaths = [\"db/schema.sql\"]\n"),
            (
                "netlify/functions/jobs.ts",
                "import { Pool } from 'pg';\nconst pool = new Pool();\n\
                 export async function handler() {\n\
                 \x20 const query = 'SELECT payload FROM legacy_jobs WHERE id = $1 FOR UPDATE SKIP LOCKED LIMIT 1 !!';\n\
                 \x20 await pool.query(\"DO $$ BEGIN DELETE FROM audit WHERE id < 0; END $$\");\n\
                 \x20 return pool.query(query, [1]);\n}\n",
            ),
            (
                "netlify/functions/profile.ts",
                "import { Pool } from 'pg';\nconst pool = new Pool();\n\
                 export async function handler(body: Record<string, string>, table: string) {\n\
                 \x20 const sets = Object.keys(body).map((k, i) => `${k} = $${i + 2}`);\n\
                 \x20 await pool.query(`UPDATE profiles SET ${sets.join(', ')} WHERE id = $1`, [1]);\n\
                 \x20 await pool.query(`SELECT count(*) FROM ${table}`);\n\
                 \x20 return pool.query('SELECT email FROM users WHERE id = $1', [1]);\n}\n",
            ),
        ],
    );
    let (code, out) = report(dir, &["--format", "json"], &[]);
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(&out).expect("valid JSON");
    // Named in SQL that did not parse, and in a DO block: referenced, how is unknown.
    for (name, at) in [
        ("public.legacy_jobs", "netlify/functions/jobs.ts:4:38"),
        ("public.audit", "netlify/functions/jobs.ts:5:45"),
    ] {
        let t = table(&v, name);
        assert_eq!(t["status"], "in-use", "{t:#}");
        assert_eq!(locations(t), [at]);
        assert_eq!(t["references"][0]["use"], "not-checked");
        assert_eq!(t["columns_known"], false);
        assert_eq!(t["never_used"], serde_json::json!([]));
    }
    // The PATCH handler's SET list is built at run time: no column of `profiles` is said to
    // be never used. `users` was read in full: its unread column is.
    let profiles = table(&v, "public.profiles");
    assert_eq!(profiles["status"], "in-use");
    assert_eq!(profiles["columns_known"], false);
    assert_eq!(profiles["never_used"], serde_json::json!([]));
    let users = table(&v, "public.users");
    assert!(users.get("columns_known").is_none(), "{users:#}");
    assert_eq!(users["never_used"], serde_json::json!(["name"]));
    // `archive` may be the table named at run time: the drop says which statements were not
    // read.
    assert_eq!(status(&v, "public.archive"), "unreferenced");
    let drop = suggestion(&v, "drop", Some("public.archive"));
    assert!(
        drop["evidence"][1]
            .as_str()
            .unwrap()
            .starts_with("4 statements were not checked in full"),
        "{drop:#}"
    );
    let listed: Vec<String> = v["not_checked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            format!(
                "{}:{} {}",
                n["file"].as_str().unwrap(),
                n["line"],
                n["status"]
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            "netlify/functions/jobs.ts:4 \"not-checked\"",
            "netlify/functions/jobs.ts:5 \"not-checked\"",
            "netlify/functions/profile.ts:5 \"checked-in-part\"",
            "netlify/functions/profile.ts:6 \"not-checked\"",
        ]
    );
    let (_, human) = report(dir, &[], &[]);
    assert!(
        human.contains("; 4 not checked in full;")
            && human.contains("Not checked in full (4): the tables and columns they use")
            && human.contains("netlify/functions/jobs.ts:4:18: it does not parse"),
        "{human}"
    );
    let (_, md) = report(dir, &["--format", "markdown"], &[]);
    assert!(
        md.contains("(4 more not checked in full, listed below)")
            && md.contains(
                "- [netlify/functions/profile.ts:6:21](netlify/functions/profile.ts#L6): "
            ),
        "{md}"
    );
    // `unused` counts them as used, and says what it could not read.
    let (code, unused, _) = run(dir, &["unused"], &[]);
    assert_eq!(code, 0, "{unused}");
    assert!(
        unused.contains("Tables no scanned code uses (1):\n  public.archive\n"),
        "{unused}"
    );
    assert!(!unused.contains("profiles."), "{unused}");
    assert!(unused.contains("; 4 more not checked in full"), "{unused}");
}

// A workspace's root config over every package's migrations: a table no code under the root
// uses, but a package's code does, is not suggested for removal (a real Rust workspace had
// `DROP TABLE order_items` suggested that way).
#[test]
fn a_table_used_under_another_config_is_not_suggested_for_removal() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    support::fs::write_tree(
        dir,
        &[
            (
                "schemalint.toml",
                "[schema]\npaths = [\"packages/shop/migrations\"]\n",
            ),
            ("package.json", "{}\n"),
            (
                "packages/shop/migrations/001_init.sql",
                "CREATE TABLE orders (id bigint PRIMARY KEY, total int);\n\
                 CREATE TABLE coupons (id bigint PRIMARY KEY, code text);\n",
            ),
            ("packages/shop/package.json", "{}\n"),
            (
                "packages/shop/schemalint.toml",
                "[schema]\npaths = [\"migrations\"]\n",
            ),
            (
                "packages/shop/src/orders.ts",
                "import { Pool } from 'pg';\nconst pool = new Pool();\n\
                 export const total = () => pool.query('SELECT total FROM orders');\n",
            ),
            (
                "scripts/report.ts",
                "import { Pool } from 'pg';\nconst pool = new Pool();\n\
                 export const codes = () => pool.query('SELECT id FROM coupons');\n",
            ),
        ],
    );
    let (code, out) = report(dir, &["--format", "json"], &[]);
    assert_eq!(code, 0, "{out}");
    let all: Value = serde_json::from_str(&out).unwrap();
    let parts = packages(&all);
    let part = |c: &str| parts.iter().find(|(n, _)| n == c).unwrap().1;
    let root = part("schemalint.toml");
    let orders = table(root, "public.orders");
    assert_eq!(orders["status"], "unreferenced");
    assert!(
        orders["reason"]
            .as_str()
            .unwrap()
            .ends_with("; code under packages/shop/schemalint.toml uses it"),
        "{orders:#}"
    );
    assert_eq!(root["suggestions"], serde_json::json!([]), "{root:#}");
    // And the other way round: the root's script uses `coupons`, which no code of the
    // package does.
    let shop = part("packages/shop/schemalint.toml");
    assert_eq!(status(shop, "public.orders"), "in-use");
    assert!(table(shop, "public.coupons")["reason"]
        .as_str()
        .unwrap()
        .ends_with("; code under schemalint.toml uses it"));
    assert_eq!(shop["suggestions"], serde_json::json!([]), "{shop:#}");
}
