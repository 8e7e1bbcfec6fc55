//! The packages users install without Rust, made by `scripts/package.sh` from the built binary
//! and installed from the local files into fresh projects, as a user would from the registries:
//! the npm package (`npm install` of the tarballs, offline, then `npx schemalint check`), the
//! wheel (`pip install` into a fresh venv, then `schemalint check`), and the pre-commit shims.
//! Each install and first run is timed (printed with `--nocapture`). Linux x86_64 only: the
//! platform package it installs is that one.
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

mod support;
use support::fs::copy_dir;
use support::packages::packages;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cargo_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

fn package(name: &str) -> PathBuf {
    let path = packages().join(name);
    assert!(path.is_file(), "package.sh wrote no {name}");
    path
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Run and time a command; it must succeed.
fn timed(what: &str, cmd: &mut Command) -> Output {
    let started = Instant::now();
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    eprintln!("{what}: {:.1} s", started.elapsed().as_secs_f64());
    out
}

/// A fresh copy of the neon-media example: the TypeScript app with the two bugs.
fn neon_media_app(dir: &Path) {
    let src = root().join("fixtures/neon-media");
    copy_dir(&src, dir);
    std::fs::remove_file(dir.join("EXPECTED.md")).unwrap();
}

/// The JSON report of `check`: exit code 1 and the two banned-table findings, where
/// fixtures/neon-media/EXPECTED.md says.
fn assert_neon_media_findings(out: &Output) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{}", stderr(out));
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON report");
    let found: Vec<String> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| format!("{}:{}:{} {}", d["file"], d["line"], d["column"], d["rule"]))
        .collect();
    assert_eq!(
        found,
        [
            r#""netlify/functions/save-media-batch.ts":10:41 "banned-table""#,
            r#""netlify/functions/save-media-batch.ts":14:20 "banned-table""#,
            r#""netlify/functions/save-media.ts":17:17 "banned-table""#,
        ]
    );
}

fn npm_install(dir: &Path, what: &str, tarballs: &[PathBuf]) {
    let out = timed(
        what,
        Command::new("npm")
            .args([
                "install",
                "--offline",
                "--no-audit",
                "--no-fund",
                "--save-dev",
            ])
            .args(tarballs)
            .current_dir(dir),
    );
    assert!(out.status.success(), "npm install: {}", stderr(&out));
}

#[test]
fn npm_package_installs_from_the_tarballs_and_runs_with_npx() {
    let version = cargo_version();
    let main = package(&format!("schemalint-cli-{version}.tgz"));
    let platform = package(&format!("schemalint-cli-linux-x64-{version}.tgz"));

    let dir = tempfile::tempdir().unwrap();
    let app = dir.path();
    neon_media_app(app);
    std::fs::write(
        app.join("package.json"),
        r#"{ "name": "neon-media", "version": "1.0.0", "private": true, "type": "module" }"#,
    )
    .unwrap();
    std::fs::write(
        app.join("tsconfig.json"),
        r#"{ "compilerOptions": { "strict": true, "module": "esnext" } }"#,
    )
    .unwrap();
    // Offline: the tarballs are all npm needs; the other platforms' packages are optional and
    // skipped, as npm skips them on this machine when they come from the registry.
    npm_install(app, "npm install (tarballs, offline)", &[main, platform]);

    let installed = |pkg: &str| -> serde_json::Value {
        let path = app.join("node_modules").join(pkg).join("package.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let cli = installed("schemalint-cli");
    assert_eq!(cli["bin"]["schemalint"], "bin/schemalint.js");
    assert!(cli.get("scripts").is_none(), "no install scripts: {cli}");
    let optional = cli["optionalDependencies"].as_object().unwrap();
    for p in [
        "linux-x64",
        "linux-arm64",
        "darwin-x64",
        "darwin-arm64",
        "win32-x64",
    ] {
        assert_eq!(optional[&format!("schemalint-cli-{p}")], version, "{p}");
    }
    let platform = installed("schemalint-cli-linux-x64");
    assert_eq!(
        (&platform["os"][0], &platform["cpu"][0]),
        (&"linux".into(), &"x64".into())
    );

    let out = timed(
        "npx schemalint check (first run)",
        Command::new("npx")
            .args([
                "--offline",
                "--no",
                "schemalint",
                "check",
                "--format",
                "json",
            ])
            .current_dir(app),
    );
    assert_neon_media_findings(&out);
}

#[test]
fn wheel_installs_into_a_fresh_venv_and_runs() {
    let version = cargo_version();
    let wheels: Vec<PathBuf> = std::fs::read_dir(packages())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "whl"))
        .collect();
    assert_eq!(wheels.len(), 1, "{wheels:?}");
    let name = wheels[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(
        name.starts_with(&format!(
            "schemalint_cli-{version}-py3-none-manylinux_2_17_x86_64."
        )),
        "{name}"
    );

    let dir = tempfile::tempdir().unwrap();
    let venv = dir.path().join("venv");
    let out = timed(
        "python3 -m venv",
        Command::new("python3").arg("-m").arg("venv").arg(&venv),
    );
    assert!(out.status.success(), "venv: {}", stderr(&out));
    let out = timed(
        "pip install (wheel, no index)",
        Command::new(venv.join("bin/pip"))
            .args(["install", "--no-index", "--disable-pip-version-check", "-q"])
            .arg(&wheels[0]),
    );
    assert!(out.status.success(), "pip install: {}", stderr(&out));
    let out = Command::new(venv.join("bin/pip"))
        .args(["show", "--files", "schemalint-cli"])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains(&format!("Version: {version}")), "{shown}");

    let app = dir.path().join("app");
    neon_media_app(&app);
    let out = timed(
        "schemalint check from the venv (first run)",
        Command::new(venv.join("bin/schemalint"))
            .args(["check", "--format", "json"])
            .current_dir(&app),
    );
    assert_neon_media_findings(&out);
}

/// pre-commit's python and node hooks install the root pyproject.toml and package.json: shims
/// that must ask for the schemalint-cli of this version, and the node one must run it.
#[test]
fn pre_commit_shims_follow_the_version_and_the_node_one_runs() {
    let version = cargo_version();
    let pyproject: toml::Table =
        toml::from_str(&std::fs::read_to_string(root().join("pyproject.toml")).unwrap()).unwrap();
    assert_eq!(pyproject["project"]["version"].as_str(), Some(version));
    assert_eq!(
        pyproject["project"]["dependencies"].as_array().unwrap()[0].as_str(),
        Some(format!("schemalint-cli=={version}").as_str())
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("package.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["version"], version);
    assert_eq!(manifest["dependencies"]["schemalint-cli"], version);

    // What pre-commit does with a node hook: `npm pack` the repository, then install the
    // tarball (here with the schemalint-cli tarballs standing in for the registry).
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new("npm")
        .args(["pack", "--silent", "--pack-destination"])
        .arg(dir.path())
        .current_dir(root())
        .output()
        .unwrap();
    assert!(out.status.success(), "npm pack: {}", stderr(&out));
    let shim = dir.path().join(String::from_utf8_lossy(&out.stdout).trim());
    let app = dir.path().join("app");
    neon_media_app(&app);
    std::fs::write(
        app.join("package.json"),
        r#"{ "name": "app", "private": true }"#,
    )
    .unwrap();
    npm_install(
        &app,
        "npm install (pre-commit node shim)",
        &[
            shim,
            package(&format!("schemalint-cli-{version}.tgz")),
            package(&format!("schemalint-cli-linux-x64-{version}.tgz")),
        ],
    );
    let out = Command::new("node")
        .arg("node_modules/schemalint-pre-commit/npm/pre-commit.js")
        .args(["check", "--format", "json"])
        .current_dir(&app)
        .output()
        .unwrap();
    assert_neon_media_findings(&out);
}
