//! The bundled example apps (`fixtures/neon-media`, `neon-media-fixed`, `sqlx-service`): the
//! rendered output is snapshotted, and the findings are asserted against each app's
//! `EXPECTED.md` table (file:line:col and rule), so a wrongly accepted snapshot still fails.

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_schemalint"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `| netlify/functions/save-media.ts:17:17 | banned-table | ...` rows → ("app/file:17:17", rule).
fn expected(app: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(root().join("fixtures").join(app).join("EXPECTED.md"))
        .unwrap_or_default();
    let mut rows: Vec<(String, String)> = text
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let (loc, rule) = (cells.get(1)?, cells.get(2)?);
            (loc.contains(':') && !loc.starts_with("---") && *loc != "file:line:col")
                .then(|| (format!("fixtures/{app}/{loc}"), rule.to_string()))
        })
        .collect();
    rows.sort();
    rows
}

fn found(app: &str) -> (i32, Vec<(String, String)>) {
    let (code, stdout, stderr) = run(&["check", &format!("fixtures/{app}"), "--format", "json"]);
    assert!(stderr.is_empty(), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let mut rows: Vec<(String, String)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                format!(
                    "{}:{}:{}",
                    d["file"].as_str().unwrap(),
                    d["line"],
                    d["column"]
                ),
                d["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    rows.sort();
    (code, rows)
}

#[test]
fn neon_media_before_the_fix_fails_at_the_right_places() {
    let (code, rows) = found("neon-media");
    assert_eq!(code, 1);
    assert_eq!(rows, expected("neon-media"));
    assert_eq!(rows.len(), 3);
    let (_, stdout, _) = run(&["check", "fixtures/neon-media"]);
    insta::assert_snapshot!(stdout);
}

#[test]
fn neon_media_after_the_fix_passes() {
    let (code, rows) = found("neon-media-fixed");
    assert_eq!(rows, vec![]);
    assert_eq!(code, 0);
}

#[test]
fn sqlx_service_with_renames_and_drops_in_migrations() {
    let (code, rows) = found("sqlx-service");
    assert_eq!(code, 1);
    assert_eq!(rows, expected("sqlx-service"));
    assert_eq!(rows.len(), 2);
    let (_, stdout, _) = run(&["check", "fixtures/sqlx-service"]);
    assert!(
        stdout.contains("was renamed to `content` in fixtures/sqlx-service/"),
        "{stdout}"
    );
    insta::assert_snapshot!(stdout);
}
