//! A bounded mutation fuzzer that runs with the tests: inputs seeded from the fixtures are
//! mutated (byte flips, splices, repeats, truncation, brackets and quotes inserted) and fed to
//! every entry point that reads user data: TS/JS, Rust and SQL extraction, the DDL replay, the
//! resolver with all rules, the config loader and connection strings. Any panic fails the test and prints the
//! input. Inputs that once crashed a target live in tests/data/fuzz/<target>/ and run first.
//! Deterministic by default: fixed seeds and a fixed number of executions per target (10,000;
//! `SCHEMALINT_FUZZ_RUNS` changes it), so every machine tries the same inputs. For long
//! campaigns, `SCHEMALINT_FUZZ_SECONDS` runs each target for a time instead, and
//! `SCHEMALINT_FUZZ_LAST=FILE` keeps each input in `FILE.<target>` before it runs, so a crash
//! that cannot be caught (a stack overflow aborts) leaves its input behind.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use schemalint::check::Checker;
use schemalint::config::SourcesConfig;
use schemalint::extract::{self, Language};
use schemalint::rules::{Banned, RuleSettings};
use schemalint::schema::{load_ddl_paths, replay as ddl, ColumnOwners, Schema};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&[u8]] = &[
    b"(",
    b")",
    b"[",
    b"]",
    b"{",
    b"}",
    b"'",
    b"\"",
    b"`",
    b"${",
    b"\\",
    b"$$",
    b"--",
    b"/*",
    b"*/",
    b";",
    b",",
    b"SELECT ",
    b" FROM ",
    b"JOIN ",
    b" USING (",
    b"WITH ",
    b"INSERT INTO ",
    b"VALUES (",
    b"sql`",
    b"query(",
    b"r#\"",
    b"\"#",
    b"\xff",
    b"\xe2\x82",
    b"\n",
    b"\0",
    b"AS ",
    b".",
    b"*",
];

fn mutate(rng: &mut Rng, seed: &[u8], corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(v.len() + 1);
        match rng.below(7) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] = rng.next() as u8;
            }
            1 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                v.splice(at..at, t.iter().copied());
            }
            2 if !v.is_empty() => {
                let end = (at + rng.below(64)).min(v.len());
                v.drain(at..end);
            }
            3 => {
                let other = &corpus[rng.below(corpus.len())];
                let s = rng.below(other.len() + 1);
                let e = (s + rng.below(256)).min(other.len());
                v.splice(at..at, other[s..e].iter().copied());
            }
            4 if !v.is_empty() => {
                let s = rng.below(v.len());
                let e = (s + rng.below(32)).min(v.len());
                let chunk: Vec<u8> = v[s..e].to_vec();
                for _ in 0..rng.below(50) {
                    v.splice(at..at, chunk.iter().copied());
                }
            }
            5 => v.truncate(at),
            _ => {
                let t = TOKENS[rng.below(TOKENS.len())];
                for _ in 0..rng.below(200) {
                    v.splice(at..at, t.iter().copied());
                }
            }
        }
    }
    v
}

/// The seed corpus: fixture and source files with these extensions, in path order (not
/// directory order, which differs between file systems) so every machine mutates the same
/// seeds.
fn seeds(exts: &[&str]) -> Vec<Vec<u8>> {
    fn walk(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, exts, out);
            } else if p
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| exts.contains(&x))
            {
                out.push(p);
            }
        }
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    walk(&root.join("fixtures"), exts, &mut paths);
    walk(&root.join("src"), exts, &mut paths);
    paths.sort();
    assert!(!paths.is_empty());
    paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

/// How long a campaign runs. By default a fixed number of executions, so that a run of the
/// test suite tries the same inputs on every machine (a time budget would try more on a fast
/// one and make CI's verdict depend on the machine). `SCHEMALINT_FUZZ_RUNS` changes the count;
/// `SCHEMALINT_FUZZ_SECONDS` runs for a time instead, for long campaigns.
enum Budget {
    Runs(usize),
    Time(Duration),
}

impl Budget {
    fn from_env() -> Budget {
        let var = |name: &str| std::env::var(name).ok().and_then(|s| s.parse::<u64>().ok());
        if let Some(secs) = var("SCHEMALINT_FUZZ_SECONDS") {
            return Budget::Time(Duration::from_secs(secs));
        }
        Budget::Runs(var("SCHEMALINT_FUZZ_RUNS").map_or(10_000, |n| n as usize))
    }

    fn more(&self, runs: usize, start: Instant) -> bool {
        match self {
            Budget::Runs(n) => runs < *n,
            Budget::Time(t) => start.elapsed() < *t,
        }
    }
}

/// Run `target` on mutated inputs until the budget is spent, on a thread with the
/// binary's 64 MiB stack (the test harness gives 2 MiB); returns executions.
fn campaign(name: &str, exts: &[&str], seed: u64, target: impl Fn(&[u8]) + Sync) -> usize {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(schemalint::check::STACK_SIZE)
            .spawn_scoped(scope, || run_campaign(name, exts, seed, &target))
            .unwrap()
            .join()
            .unwrap()
    })
}

/// Inputs that once crashed a target (tests/data/fuzz/<target>/): each runs first, every time.
fn regressions(name: &str, target: &dyn Fn(&[u8])) -> usize {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fuzz")
        .join(name);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return 0;
    };
    let mut n = 0;
    for e in entries.flatten() {
        let input = std::fs::read(e.path()).unwrap();
        let result = catch_unwind(AssertUnwindSafe(|| target(&input)));
        assert!(
            result.is_ok(),
            "{name}: regression {} panics",
            e.path().display()
        );
        n += 1;
    }
    n
}

fn run_campaign(name: &str, exts: &[&str], seed: u64, target: &dyn Fn(&[u8])) -> usize {
    run_corpus(name, &seeds(exts), seed, target)
}

fn run_corpus(name: &str, corpus: &[Vec<u8>], seed: u64, target: &dyn Fn(&[u8])) -> usize {
    let kept = regressions(name, target);
    if kept > 0 {
        eprintln!("{name}: {kept} regression inputs pass");
    }
    let mut rng = Rng(seed);
    let last = std::env::var("SCHEMALINT_FUZZ_LAST")
        .ok()
        .map(|p| PathBuf::from(format!("{p}.{name}")));
    let mut budget = Budget::from_env();
    // Rendering every finding in four formats costs ~30 ms a run in a debug build: a tenth
    // of the runs keeps `cargo test` (and CI) within its time, and long campaigns set their own.
    if let (Budget::Runs(n), "render", None) =
        (&mut budget, name, std::env::var_os("SCHEMALINT_FUZZ_RUNS"))
    {
        *n /= 10;
    }
    let start = Instant::now();
    let mut runs = 0;
    while budget.more(runs, start) {
        let base = &corpus[rng.below(corpus.len())];
        let input = mutate(&mut rng, base, corpus);
        if let Some(path) = &last {
            // A crash that aborts (stack overflow) cannot be caught: keep the input on disk.
            std::fs::write(path, &input).unwrap();
        }
        let result = catch_unwind(AssertUnwindSafe(|| target(&input)));
        assert!(
            result.is_ok(),
            "{name}: panic on input ({} bytes):\n{}",
            input.len(),
            String::from_utf8_lossy(&input)
        );
        runs += 1;
    }
    eprintln!("{name}: {runs} executions in {:?}", start.elapsed());
    runs
}

/// Connection strings in both forms, with the marker `Zx7Q` in every password.
const CONNECTION_STRINGS: &[&str] = &[
    "postgres://app:Zx7Q@db.example:5432/app?sslmode=require",
    "postgresql://app:Zx7Q%2FZx7Q@ep-x.neon.tech/main?sslmode=verify-full&sslrootcert=%2Fca.pem",
    "postgres://app:Zx7Q/a?Zx7Q&b@Zx7Q@h:1/d",
    "postgres://app@[::1]:5433,h2/db?password=Zx7Q&application_name=x",
    "host=db.example port=5432 user=app password=Zx7Q dbname=app sslmode=require",
    "host = h password = 'Zx7Q a\\'Zx7Q' dbname=d",
    "password=Zx7Q\\ Zx7Q sslmode=verify-ca sslrootcert='/c a.pem' keepalives=1",
    "sslpassword=Zx7Q host=/run/pg port=5432,5433 connect_timeout=3",
];

fn schema() -> Schema {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    load_ddl_paths(&[root.join("fixtures/schema.sql")], &["public".into()])
        .unwrap()
        .schema
}

/// Extraction, then parse + resolve + every rule on whatever was extracted.
fn check_text(language: Language, path: &str, input: &[u8], schema: &Schema) {
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    let sources = SourcesConfig::default();
    let Ok(found) = extract::extract(Path::new(path), language, text, &sources) else {
        return;
    };
    let checker = Checker {
        schema,
        banned: Banned::default(),
        column_owners: ColumnOwners::new(schema),
        settings: RuleSettings::default(),
        sources: &sources,
        collect_references: true,
        collect_table_uses: true,
    };
    let mut diagnostics = Vec::new();
    let mut refs = Default::default();
    for sql in &found {
        // Every mapped span must stay inside the host text.
        let extent = sql.host_extent();
        assert!(
            sql.host_file.is_some() || extent.end as usize <= text.len(),
            "span outside the file"
        );
        checker.check_sql(sql, &mut diagnostics, &mut refs);
    }
}

#[test]
fn fuzz_typescript_extraction_and_rules() {
    let s = schema();
    assert!(
        campaign("typescript", &["ts", "tsx"], 0x7153, |i| check_text(
            Language::TypeScript,
            "x.tsx",
            i,
            &s
        )) > 0
    );
}

#[test]
fn fuzz_rust_extraction_and_rules() {
    let s = schema();
    assert!(
        campaign("rust", &["rs"], 0x7255, |i| check_text(
            Language::Rust,
            "/nonexistent/x.rs",
            i,
            &s
        )) > 0
    );
}

#[test]
fn fuzz_sql_files_and_resolver() {
    let s = schema();
    assert!(
        campaign("sql", &["sql"], 0x5351, |i| check_text(
            Language::Sql,
            "x.sql",
            i,
            &s
        )) > 0
    );
}

#[test]
fn fuzz_ddl_replay() {
    assert!(
        campaign("ddl", &["sql"], 0xdd1, |input| {
            let Ok(text) = std::str::from_utf8(input) else {
                return;
            };
            let mut schema = Schema::default();
            let mut warnings = Vec::new();
            ddl::apply_sql(&mut schema, Path::new("m.sql"), text, &mut warnings);
            for w in &warnings {
                assert!(w.span.end as usize <= text.len());
            }
        }) > 0
    );
}

#[test]
fn fuzz_config_loader() {
    assert!(
        campaign("config", &["toml"], 0xc0f, |input| {
            let text = String::from_utf8_lossy(input).into_owned();
            let _ = schemalint::config::parse(Path::new("schemalint.toml"), text);
        }) > 0
    );
}

// See: issue 10, item 2.
/// Connection strings: parsing never panics, a parse error never quotes the input (the
/// marker in every seed password never appears), and the display form never shows the
/// parsed password.
#[test]
fn fuzz_connection_strings() {
    use schemalint::schema::conninfo::ConnInfo;
    let corpus: Vec<Vec<u8>> = CONNECTION_STRINGS
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
    let target = |input: &[u8]| {
        let text = String::from_utf8_lossy(input);
        match ConnInfo::parse(&text) {
            Err(e) => {
                let message = e.to_string();
                assert!(
                    !message.contains("Zx7Q"),
                    "error quotes the input: {message}"
                );
            }
            Ok(info) => {
                let shown = format!("{} {info:?}", info.display());
                if let Some(pw) = info.password().filter(|p| p.chars().count() >= 3) {
                    assert!(!shown.contains(pw), "password shown: {shown}");
                }
            }
        }
        let opts = schemalint::schema::live::ConnectOptions::new(text.to_string());
        let debug = format!("{opts:?}");
        if let Ok(info) = ConnInfo::parse(&text) {
            if let Some(pw) = info.password().filter(|p| p.chars().count() >= 3) {
                assert!(!debug.contains(pw), "password in Debug: {debug}");
            }
        } else {
            assert!(
                !debug.contains("Zx7Q"),
                "unparsable string in Debug: {debug}"
            );
        }
    };
    let runs = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(schemalint::check::STACK_SIZE)
            .spawn_scoped(scope, || run_corpus("conninfo", &corpus, 0xc011, &target))
            .unwrap()
            .join()
            .unwrap()
    });
    assert!(runs > 0);
}

/// The renderers on whatever the checker found in mutated SQL, plus findings at arbitrary
/// spans (past the end, inside a character, across lines, past column 65,535) with control
/// characters in their messages: no format may panic, and no raw ESC may reach a terminal or
/// a CI log. See: issue 10, item 8.
#[test]
fn fuzz_renderers() {
    use schemalint::check::Report;
    use schemalint::diagnostic::{Diagnostic, Severity, Span};
    use schemalint::render::{self, Format, HumanOptions};
    use std::sync::Arc;

    let s = schema();
    assert!(
        campaign("render", &["sql"], 0x4e4d, |input| {
            let text = String::from_utf8_lossy(input).into_owned();
            let sources = SourcesConfig::default();
            let path = PathBuf::from("x\u{1b}[2J.sql");
            let Ok(found) = extract::extract(&path, Language::Sql, &text, &sources) else {
                return;
            };
            let checker = Checker {
                schema: &s,
                banned: Banned::default(),
                column_owners: ColumnOwners::new(&s),
                settings: RuleSettings::default(),
                sources: &sources,
                collect_references: false,
                collect_table_uses: false,
            };
            let mut diagnostics = Vec::new();
            for sql in &found {
                checker.check_sql(sql, &mut diagnostics, &mut Default::default());
            }
            // Arbitrary spans from the input's own bytes.
            let len = text.len() as u32 + 8;
            for pair in input.chunks(8).take(4) {
                let n = |i: usize| u32::from(*pair.get(i).unwrap_or(&0));
                let start = (n(0) << 16 | n(1) << 8 | n(2)) % len.max(1);
                let end = start + (n(3) << 8 | n(4)) % 70_000;
                diagnostics.push(
                    Diagnostic::new(
                        "unknown-column",
                        Severity::Error,
                        "column \u{1b}]0;x\u{7} \"a\u{9b}b\"",
                        Span::new(start, end),
                    )
                    .with_label("\u{1b}[31mhere"),
                );
            }
            for d in &mut diagnostics {
                d.file = path.clone();
            }
            let report = Report {
                diagnostics,
                sources: vec![(path.clone(), Arc::from(text.as_str()))],
                ..Report::default()
            };
            for format in [Format::Human, Format::Json, Format::Sarif, Format::Github] {
                let out = render::render(
                    &report,
                    format,
                    HumanOptions {
                        color: false,
                        width: 80,
                    },
                );
                if matches!(format, Format::Human | Format::Github) {
                    assert!(!out.contains('\u{1b}'), "raw ESC in {format:?} output");
                }
            }
        }) > 0
    );
}
