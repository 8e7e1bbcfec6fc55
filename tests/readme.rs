//! The README's examples, run: every `toml` block goes through the real config loader; every
//! offline command in a `sh` block runs (`check` on the fixtures from the repository root,
//! `rule`, `init` in a temp dir), with the exit code its comment states; every sample output
//! marked `<!-- readme-test: output of `COMMAND` -->` must appear, line for line, in what the
//! command prints; the suppression examples must silence what they name; the rules table must
//! list the rules `schemalint rule` lists, at their default levels.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fenced block: its info string, its text, and the line just before it (for markers).
struct Block {
    lang: String,
    text: String,
    line: usize,
    before: String,
}

fn blocks() -> Vec<Block> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let lines: Vec<&str> = readme.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if let Some(lang) = lines[i].strip_prefix("```") {
            let start = i;
            let mut text = String::new();
            i += 1;
            while i < lines.len() && !lines[i].starts_with("```") {
                text.push_str(lines[i]);
                text.push('\n');
                i += 1;
            }
            out.push(Block {
                lang: lang.trim().to_string(),
                text,
                line: start + 1,
                before: start
                    .checked_sub(1)
                    .map(|b| lines[b])
                    .unwrap_or("")
                    .to_string(),
            });
        }
        i += 1;
    }
    out
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schemalint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .env_remove("DATABASE_URL")
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn toml_blocks_load_with_the_config_loader() {
    let toml: Vec<Block> = blocks().into_iter().filter(|b| b.lang == "toml").collect();
    assert!(!toml.is_empty());
    for block in toml {
        let path = PathBuf::from(format!("README.md (line {})", block.line));
        if let Err(e) = schemalint::config::parse(&path, block.text.clone()) {
            panic!("{e}\n{}", block.text);
        }
    }
}

/// `schemalint ARGS`, `npx schemalint ARGS` or `cargo run -- ARGS`, with the exit code and the
/// number of errors its comment names ("3 errors, exit code 1"), for the commands that run
/// offline here.
fn offline_command(line: &str) -> Option<(Vec<String>, Option<i32>, Option<usize>)> {
    let (command, comment) = line.split_once(" #").unwrap_or((line, ""));
    let command = command.trim();
    let args = ["schemalint ", "npx schemalint ", "cargo run -- "]
        .iter()
        .find_map(|p| command.strip_prefix(p))?;
    let args: Vec<String> = args.split_whitespace().map(String::from).collect();
    let runnable = match args.first().map(String::as_str) {
        Some("check") => args.iter().skip(1).any(|a| a.starts_with("fixtures/")),
        Some("rule" | "init") => true,
        _ => false,
    };
    let words: Vec<&str> = comment.split_whitespace().collect();
    let code = words
        .windows(3)
        .find(|w| w[0] == "exit" && w[1] == "code")
        .and_then(|w| w[2].trim_end_matches([',', '.', ';', ')']).parse().ok());
    let errors = words
        .windows(2)
        .find(|w| w[1].starts_with("error"))
        .and_then(|w| w[0].parse().ok());
    runnable.then_some((args, code, errors))
}

#[test]
fn offline_shell_examples_run_with_the_stated_exit_codes() {
    let mut ran = Vec::new();
    for block in blocks().into_iter().filter(|b| b.lang == "sh") {
        for line in block.text.lines() {
            let Some((args, code, errors)) = offline_command(line) else {
                continue;
            };
            let tmp = tempfile::tempdir().unwrap();
            // `init` writes into the working directory: a fresh one, with something to detect.
            let dir = if args[0] == "init" {
                std::fs::create_dir_all(tmp.path().join("db")).unwrap();
                std::fs::write(
                    tmp.path().join("db/schema.sql"),
                    "CREATE TABLE t (id int);\n",
                )
                .unwrap();
                tmp.path().to_path_buf()
            } else {
                root()
            };
            let argv: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = run(&dir, &argv);
            assert_eq!(
                out.status.code(),
                Some(code.unwrap_or(0)),
                "README line `{line}`:\n{}",
                text(&out)
            );
            if let Some(n) = errors {
                let summary = format!("Found {n} error");
                assert!(
                    text(&out).contains(&summary),
                    "README line `{line}`: not {n} errors:\n{}",
                    text(&out)
                );
            }
            if args[0] == "init" {
                let written = dir.join("schemalint.toml");
                schemalint::config::load(&written)
                    .unwrap_or_else(|e| panic!("`schemalint init` wrote a config that fails: {e}"));
            }
            ran.push(argv.join(" "));
        }
    }
    // The examples this test is about must still be there (and recognised).
    for expected in ["check fixtures/neon-media", "init", "rule unknown-column"] {
        assert!(
            ran.iter().any(|r| r == expected),
            "not run: {expected}; ran {ran:?}"
        );
    }
}

#[test]
fn sample_outputs_are_what_the_binary_prints() {
    let mut checked = 0;
    for block in blocks() {
        let Some(marker) = block.before.strip_prefix("<!-- readme-test: output of `") else {
            continue;
        };
        let command = marker.trim_end_matches("` -->");
        let args: Vec<&str> = command
            .strip_prefix("schemalint ")
            .expect("marker names a schemalint command")
            .split_whitespace()
            .collect();
        let printed = text(&run(&root(), &args));
        let printed: Vec<&str> = printed.lines().map(str::trim_end).collect();
        let sample: Vec<&str> = block.text.lines().map(str::trim_end).collect();
        assert!(
            printed.windows(sample.len()).any(|w| w == sample.as_slice()),
            "README line {}: the sample output of `{command}` is not what it prints.\n--- README\n{}\n--- printed\n{}",
            block.line,
            sample.join("\n"),
            printed.join("\n")
        );
        checked += 1;
    }
    assert!(checked >= 2, "only {checked} marked sample outputs");
}

/// The `ts` and `sql` suppression examples, in the neon-media app: with the comment nothing is
/// reported (not even an unused suppression), without it the named rule fires.
#[test]
fn suppression_examples_silence_what_they_name() {
    let mut checked = 0;
    for block in blocks() {
        let ext = match block.lang.as_str() {
            "ts" if block.text.contains("schemalint-ignore") => "ts",
            "sql" if block.text.contains("schemalint-ignore") => "sql",
            _ => continue,
        };
        let directive = block.text.lines().next().unwrap();
        let rule = directive
            .split_whitespace()
            .nth(2)
            .expect("a suppression names its rule");
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("db")).unwrap();
        std::fs::copy(
            root().join("fixtures/neon-media/db/schema.sql"),
            d.join("db/schema.sql"),
        )
        .unwrap();
        std::fs::copy(
            root().join("fixtures/neon-media/schemalint.toml"),
            d.join("schemalint.toml"),
        )
        .unwrap();
        let file = format!("example.{ext}");
        std::fs::write(d.join(&file), &block.text).unwrap();
        let out = run(d, &["check", &file]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "line {}:\n{}",
            block.line,
            text(&out)
        );
        assert!(text(&out).contains("No problems found"), "{}", text(&out));

        let without: String = block
            .text
            .lines()
            .skip(1)
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(d.join(&file), without).unwrap();
        let out = run(d, &["check", &file]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "line {}:\n{}",
            block.line,
            text(&out)
        );
        assert!(text(&out).contains(rule), "{rule}: {}", text(&out));
        checked += 1;
    }
    assert_eq!(checked, 2);
}

#[test]
fn rules_table_matches_schemalint_rule() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let table: Vec<(String, String)> = readme
        .lines()
        .filter(|l| l.starts_with("| [`"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let name = cells[1].split('`').nth(1).unwrap().to_string();
            (name, cells[2].to_string())
        })
        .collect();
    let out = run(&root(), &["rule"]);
    let listed: Vec<(String, String)> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let mut words = l.split_whitespace();
            (
                words.next().unwrap().to_string(),
                words.next().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(table, listed);
}
