//! A real-looking codebase full of strings that are not SQL (React UI, i18n, Express routes,
//! GraphQL, log lines, a Rust CLI; tests/data/non_sql, written by the extraction work on the
//! `wt/extract` branch): no statement may be extracted as certainly SQL, any guess must fail
//! to parse, and checking the whole folder must give no finding.

use std::path::{Path, PathBuf};
use std::process::Command;

use schemalint::config::SourcesConfig;
use schemalint::extract::{extract, Confidence, Language};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/non_sql")
}

#[test]
fn no_certain_sql_and_no_parseable_guess() {
    let mut files = 0;
    for entry in std::fs::read_dir(corpus()).unwrap().flatten() {
        let path = entry.path();
        let Some(language) = Language::from_path(&path) else {
            continue;
        };
        files += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        let found = extract(&path, language, &text, &SourcesConfig::default()).unwrap();
        for e in &found {
            assert_ne!(
                e.confidence,
                Confidence::Certain,
                "{}: {:?}",
                path.display(),
                e.text
            );
            assert!(
                schemalint::sql::parse(&e.text).is_err(),
                "{}: guess parses: {:?}",
                path.display(),
                e.text
            );
        }
    }
    assert!(files >= 3, "corpus files: {files}");
}

#[test]
fn checking_the_corpus_gives_no_finding() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("schema.sql"),
        "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_schemalint"))
        .args(["check", "--schema"])
        .arg(dir.path().join("schema.sql"))
        .arg(corpus())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("No problems found"), "{stdout}");
}
