//! The GitHub Action's steps (`scripts/action-install.sh` and `scripts/action-run.sh`, called
//! by action.yml), run locally the way the runner runs them: inputs as INPUT_* variables,
//! outputs appended to $GITHUB_OUTPUT. The install step downloads from a release server on
//! 127.0.0.1 serving what `scripts/package.sh` writes, with no cargo on PATH.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Instant;

mod support;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn action(inputs: &[(&str, &str)]) -> (i32, String, String) {
    action_with(env!("CARGO_BIN_EXE_schemalint"), inputs)
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
        3,
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

/// `python3 -m http.server` on 127.0.0.1, serving `dir` as a GitHub release download base
/// (`vVERSION/ARCHIVE`); killed on drop.
struct ReleaseServer {
    child: Child,
    url: String,
}

impl ReleaseServer {
    fn start(dir: &Path) -> Self {
        let mut child = Command::new("python3")
            .args([
                "-u",
                "-m",
                "http.server",
                "0",
                "--bind",
                "127.0.0.1",
                "--directory",
            ])
            .arg(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs");
        // "Serving HTTP on 127.0.0.1 port 40123 (http://127.0.0.1:40123/) ..."
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .split_whitespace()
            .skip_while(|w| *w != "port")
            .nth(1)
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        ReleaseServer {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for ReleaseServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A release directory `vVERSION/` holding the archive and checksum package.sh wrote.
fn release_dir(dir: &Path) -> (String, PathBuf) {
    let version = env!("CARGO_PKG_VERSION");
    let archive = format!("schemalint-{version}-x86_64-unknown-linux-musl.tar.gz");
    let tag_dir = dir.join(format!("v{version}"));
    std::fs::create_dir_all(&tag_dir).unwrap();
    let dist = support::packages::packages();
    for name in [archive.clone(), format!("{archive}.sha256")] {
        std::fs::copy(dist.join(&name), tag_dir.join(&name)).unwrap();
    }
    (archive, tag_dir)
}

/// PATH without any directory that holds cargo: the fallback build must not be possible.
fn path_without_cargo() -> String {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|d| !d.join("cargo").exists())
        .collect();
    std::env::join_paths(dirs).unwrap().into_string().unwrap()
}

/// Run action-install.sh as the runner would, in a clean environment; returns the output and
/// what it appended to $GITHUB_OUTPUT.
fn install(cache: &Path, releases: &str, version: Option<&str>) -> (Output, String) {
    let out_file = tempfile::NamedTempFile::new().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("scripts/action-install.sh"))
        .env_clear()
        .env("PATH", path_without_cargo())
        .env("HOME", tmp.path())
        .env("GITHUB_ACTION_PATH", root())
        .env("GITHUB_OUTPUT", out_file.path())
        .env("RUNNER_TEMP", tmp.path())
        .env("RUNNER_TOOL_CACHE", cache)
        .env("SCHEMALINT_RELEASES", releases);
    if let Some(v) = version {
        cmd.env("INPUT_VERSION", v);
    }
    let out = cmd.output().unwrap();
    let outputs = std::fs::read_to_string(out_file.path()).unwrap();
    (out, outputs)
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
#[test]
fn install_downloads_the_release_verifies_it_caches_it_and_runs_without_cargo() {
    let probe = Command::new("bash")
        .args(["-c", "command -v cargo"])
        .env("PATH", path_without_cargo())
        .output()
        .unwrap();
    assert!(!probe.status.success(), "cargo is still on the test's PATH");

    let dir = tempfile::tempdir().unwrap();
    let (archive, _) = release_dir(&dir.path().join("releases"));
    let server = ReleaseServer::start(&dir.path().join("releases"));
    let cache = dir.path().join("tool-cache");

    // The action's two steps, as a pull request runs them: install, then check.
    let started = Instant::now();
    let (out, outputs) = install(&cache, &server.url, None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("sha256") && stderr.contains("verified"),
        "{stderr}"
    );
    let bin = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        PathBuf::from(&bin),
        cache.join(format!(
            "schemalint/{version}/x86_64-unknown-linux-musl/bin/schemalint"
        ))
    );
    assert_eq!(outputs, format!("path={bin}\n"));
    let (code, stdout, _) = action_with(
        &bin,
        &[
            ("INPUT_PATHS", "fixtures/neon-media"),
            ("PATH", &path_without_cargo()),
        ],
    );
    let elapsed = started.elapsed().as_secs_f64();
    eprintln!("action install (download {archive}) + run: {elapsed:.1} s");
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(
        stdout.matches("::error file=fixtures/neon-media/").count(),
        3,
        "{stdout}"
    );
    assert!(elapsed < 15.0, "the action took {elapsed:.1} s");

    // Second run: the tool cache answers, the server is not asked (it is gone).
    drop(server);
    let (out, _) = install(&cache, "http://127.0.0.1:9", None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("from the tool cache"), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), bin);
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
#[test]
fn install_refuses_a_tampered_checksum_and_a_missing_release_without_cargo() {
    let dir = tempfile::tempdir().unwrap();
    let (archive, tag_dir) = release_dir(&dir.path().join("releases"));
    let sum = tag_dir.join(format!("{archive}.sha256"));
    let good = std::fs::read_to_string(&sum).unwrap();
    // One hex digit changed: the archive no longer matches the checksum the release states.
    let flipped = if good.starts_with('0') { "1" } else { "0" };
    std::fs::write(&sum, format!("{flipped}{}", &good[1..])).unwrap();
    let server = ReleaseServer::start(&dir.path().join("releases"));
    let cache = dir.path().join("tool-cache");

    let (out, outputs) = install(&cache, &server.url, None);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("checksum mismatch"), "{text}");
    assert!(text.contains("::error"), "an annotation says why: {text}");
    assert!(outputs.is_empty(), "{outputs}");
    let version = env!("CARGO_PKG_VERSION");
    let arch_dir = cache.join(format!("schemalint/{version}/x86_64-unknown-linux-musl"));
    assert!(
        !arch_dir.join("bin/schemalint").exists(),
        "a rejected binary was installed"
    );
    assert!(!arch_dir.with_extension("complete").exists());

    // A version with no release (404) and no cargo to build it: a clear failure, no build.
    let (out, _) = install(&cache, &server.url, Some("v0.0.1"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("no release of schemalint 0.0.1"), "{text}");
    assert!(text.contains("no cargo"), "{text}");
}

/// action-run.sh with the inputs new in the action: working-directory, args, changed-since.
#[test]
fn working_directory_args_and_changed_since() {
    let bin = env!("CARGO_BIN_EXE_schemalint");
    // Paths relative to the working directory; annotations relative to the repository root.
    let (code, stdout, _) = action_with(
        bin,
        &[
            ("INPUT_WORKING_DIRECTORY", "fixtures/neon-media"),
            ("INPUT_PATHS", "netlify/functions/save-media.ts"),
        ],
    );
    assert_eq!(code, 1, "{stdout}");
    let annotations: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("::error"))
        .collect();
    assert_eq!(annotations.len(), 1, "{stdout}");
    assert!(
        annotations[0].starts_with(
            "::error file=fixtures/neon-media/netlify/functions/save-media.ts,line=17,col=17"
        ),
        "{stdout}"
    );

    // args reach `check`: --write-baseline records the three findings and exits 0.
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    let args = format!("--quiet --write-baseline {}", baseline.display());
    let (code, stdout, _) = action_with(
        bin,
        &[
            ("INPUT_WORKING_DIRECTORY", "fixtures/neon-media/"),
            ("INPUT_ARGS", &args),
        ],
    );
    assert_eq!(code, 0, "{stdout}");
    let written = std::fs::read_to_string(&baseline).expect("--write-baseline from args");
    assert_eq!(written.matches("banned-table").count(), 3, "{written}");

    // changed-since reaches `check` as --changed-since (here a revision git doesn't know).
    let (code, _, _) = action_with(
        bin,
        &[
            ("INPUT_PATHS", "fixtures/neon-media"),
            ("INPUT_CHANGED_SINCE", "no-such-revision-anywhere"),
        ],
    );
    assert_eq!(code, 2);
}

fn action_with(bin: &str, inputs: &[(&str, &str)]) -> (i32, String, String) {
    let out_file = tempfile::NamedTempFile::new().unwrap();
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("scripts/action-run.sh"))
        .current_dir(root())
        .env("SCHEMALINT", bin)
        .env("GITHUB_OUTPUT", out_file.path())
        .env_remove("SCHEMALINT_DATABASE_URL");
    for (k, v) in inputs {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        std::fs::read_to_string(out_file.path()).unwrap(),
    )
}
