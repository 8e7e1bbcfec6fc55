//! The GitHub Action's run step (`scripts/action-run.sh`, called by action.yml), run locally
//! the way the runner runs it: inputs as INPUT_* variables, outputs appended to $GITHUB_OUTPUT.

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn action(inputs: &[(&str, &str)]) -> (i32, String, String) {
    let out_file = tempfile::NamedTempFile::new().unwrap();
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("scripts/action-run.sh"))
        .current_dir(root())
        .env("SCHEMALINT", env!("CARGO_BIN_EXE_schemalint"))
        .env("GITHUB_OUTPUT", out_file.path())
        .env_remove("SCHEMALINT_DATABASE_URL");
    for (k, v) in inputs {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let outputs = std::fs::read_to_string(out_file.path()).unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        outputs,
    )
}

#[test]
fn annotations_and_exit_code_output() {
    let (code, stdout, outputs) = action(&[
        ("INPUT_PATHS", "fixtures/neon-media"),
        ("INPUT_FORMAT", "github"),
    ]);
    assert_eq!(code, 1);
    assert_eq!(outputs, "exit-code=1\n");
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.starts_with("::error file=fixtures/neon-media/"))
            .count(),
        2,
        "{stdout}"
    );

    let (code, _, outputs) = action(&[("INPUT_PATHS", "fixtures/neon-media-fixed")]);
    assert_eq!((code, outputs.as_str()), (0, "exit-code=0\n"));
}

#[test]
fn sarif_goes_to_the_named_file() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("out.sarif");
    let (code, stdout, _) = action(&[
        ("INPUT_PATHS", "fixtures/sqlx-service"),
        ("INPUT_FORMAT", "sarif"),
        ("INPUT_SARIF_FILE", sarif.to_str().unwrap()),
    ]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 2);
}
