//! `check --add-suppressions` (ruff's `--add-noqa`) on code written the way apps write it:
//! multi-line templates, a `let`-bound query, concatenation, two statements on one line, `.sql`
//! files with CRLF endings, a Rust raw string and `query!`. The comments silence exactly the
//! findings there were, change no SQL, and a second run adds nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

use schemalint::check::Report;
use schemalint::commands::add_suppressions;
use schemalint::diagnostic::{Diagnostic, Severity, Span};
use schemalint::extract::SourcesConfig;

mod support;
use support::fs::copy_dir;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/add-suppressions")
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_schemalint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("DATABASE_URL")
        .output()
        .expect("binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every file of a tree, by relative path.
fn files(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let text = std::fs::read_to_string(&p).unwrap();
                out.push((p.strip_prefix(dir).unwrap().to_path_buf(), text));
            }
        }
    }
    out.sort();
    out
}

fn json(dir: &Path) -> serde_json::Value {
    let (_, stdout, stderr) = run(dir, &["check", "--format", "json"]);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}{stderr}"))
}

#[test]
fn every_finding_gets_a_comment_that_silences_it_and_no_sql_changes() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), dir.path());
    let before = json(dir.path());
    let findings = before["diagnostics"].as_array().unwrap().len();
    assert_eq!(findings, 13, "{before}");

    let (code, stdout, stderr) = run(dir.path(), &["check", "--add-suppressions"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stderr.contains("added 12 suppression comment(s) for 13 finding(s) in 4 file(s)"),
        "{stderr}"
    );
    assert!(stdout.contains("No problems found"), "{stdout}");

    // A plain check now passes, with no unused suppression, the same statements checked.
    let after = json(dir.path());
    assert_eq!(after["diagnostics"].as_array().unwrap().len(), 0, "{after}");
    assert_eq!(
        after["summary"]["statements_checked"],
        before["summary"]["statements_checked"]
    );

    // Each comment is on its own line, at the indentation of the line below, names the rule
    // and asks for the reason; the rest of every file is as it was.
    let (old, new) = (files(&fixture()), files(dir.path()));
    for ((path, was), (_, now)) in old.iter().zip(&new) {
        let added: Vec<&str> = now
            .split_inclusive('\n')
            .filter(|l| l.contains("schemalint-ignore"))
            .collect();
        let kept: String = now
            .split_inclusive('\n')
            .filter(|l| !l.contains("schemalint-ignore"))
            .collect();
        assert_eq!(
            &kept,
            was,
            "{}: only comment lines are added",
            path.display()
        );
        for line in &added {
            assert!(
                line.contains("-- TODO: say why this is correct"),
                "{line:?}"
            );
            let comment = if path.extension().unwrap() == "sql" {
                "--"
            } else {
                "//"
            };
            assert!(line.trim_start().starts_with(comment), "{line:?}");
        }
        if path.ends_with("crlf.sql") {
            assert!(added.iter().all(|l| l.ends_with("\r\n")), "{added:?}");
        }
    }
    let handlers = &new
        .iter()
        .find(|(p, _)| p.ends_with("handlers.ts"))
        .unwrap()
        .1;
    // Above the line the multi-line template starts on, never inside it.
    assert!(
        handlers.contains(
            "  // schemalint-ignore unknown-column -- TODO: say why this is correct\n  const r = await pool.query(`"
        ),
        "{handlers}"
    );
    // Two statements on one line: silenced by line, not by the first statement's scope.
    assert!(
        handlers.contains("  // schemalint-ignore-next-line unknown-column -- TODO: say why this is correct\n  await pool.query(\"SELECT 1\");"),
        "{handlers}"
    );

    // Nothing left to add: a second run changes nothing.
    let (code, _, stderr) = run(dir.path(), &["check", "--add-suppressions"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("added 0 suppression comment(s)"),
        "{stderr}"
    );
    assert_eq!(files(dir.path()), new);
}

#[test]
fn a_comment_that_would_change_the_sql_leaves_the_file_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.ts");
    let text = "await pool.query(`\n  SELECT nme\n  FROM users`);\n";
    std::fs::write(&path, text).unwrap();
    // An extent that starts on the template's second line: a comment above that line would
    // be inside the template, part of the SQL.
    let start = text.find("SELECT").unwrap() as u32;
    let end = text.find("`)").unwrap() as u32;
    let mut d = Diagnostic::new(
        "unknown-column",
        Severity::Error,
        "column \"nme\" does not exist",
        Span::new(start + 7, start + 10),
    );
    d.file = path.clone();
    let mut report = Report {
        diagnostics: vec![d],
        statement_extents: vec![(path.clone(), vec![Span::new(start, end)])],
        ..Report::default()
    };
    let added = add_suppressions::add(&mut report, &SourcesConfig::default());
    assert_eq!(added.comments, 0);
    assert_eq!(added.refused.len(), 1, "{:?}", added.refused);
    assert!(added.refused[0].1.contains("would have changed its SQL"));
    assert_eq!(report.diagnostics.len(), 1, "the finding stays reported");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        text,
        "file untouched"
    );
}

#[test]
fn add_suppressions_does_not_combine_with_a_baseline() {
    let (code, _, stderr) = run(
        &fixture(),
        &["check", "--add-suppressions", "--baseline", "b.json"],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("cannot be used with"), "{stderr}");
}
