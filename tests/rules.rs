//! Rule fixtures: every `fixtures/rules/<dir>/<case>.{sql,ts,js,rs}` is checked against
//! `fixtures/schema.sql` (loaded by the DDL replay, so that loader runs on every test run).
//! The human output is snapshotted next to the fixture (`<case>.sql.snap`), and, separately,
//! the first line's expectation (`-- expect: unknown-column x2`, `// expect: none`) is
//! asserted, so that a wrongly accepted snapshot still fails.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemalint::check::Checker;
use schemalint::config::SourcesConfig;
use schemalint::extract::Language;
use schemalint::render::{self, Format, HumanOptions};
use schemalint::rules::{Banned, RuleSettings};
use schemalint::schema::{load_ddl_paths, ColumnOwners, Ident, LoadedSchema};
use schemalint::walk::SourceFile;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schema() -> LoadedSchema {
    let loaded = load_ddl_paths(
        &[root().join("fixtures/schema.sql")],
        &[Ident::from("public")],
    )
    .expect("fixtures/schema.sql loads");
    assert!(
        loaded.warnings.is_empty(),
        "fixtures/schema.sql replays cleanly"
    );
    loaded
}

/// `expect: none` → {}, `expect: unknown-column x2, banned-table` → {unknown-column: 2, banned-table: 1}.
fn expectation(text: &str, path: &Path) -> BTreeMap<String, usize> {
    let first = text.lines().next().unwrap_or_default();
    let spec = first
        .split_once("expect:")
        .unwrap_or_else(|| panic!("{}: first line must be `-- expect: ...`", path.display()))
        .1
        .trim();
    let mut out = BTreeMap::new();
    if spec == "none" {
        return out;
    }
    for item in spec.split(',') {
        let mut words = item.split_whitespace();
        let rule = words.next().unwrap().to_string();
        let n = words
            .next()
            .map_or(1, |w| w.trim_start_matches('x').parse().unwrap());
        *out.entry(rule).or_default() += n;
    }
    out
}

fn fixture_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in std::fs::read_dir(root().join("fixtures/rules")).unwrap() {
        let dir = dir.unwrap().path();
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            if Language::from_path(&f).is_some() {
                files.push(f);
            }
        }
    }
    files.sort();
    files
}

/// A fixture directory's `schemalint.toml`: its `[banned]` entries and `postgres-version`.
fn dir_config(dir: &Path) -> (BTreeMap<String, String>, Option<u32>) {
    let path = dir.join("schemalint.toml");
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let config = schemalint::config::parse(&path, text).unwrap().config;
            (config.banned, config.schema.postgres_version)
        }
        Err(_) => (BTreeMap::new(), None),
    }
}

#[test]
fn rule_fixtures() {
    let loaded = schema();
    let files = fixture_files();
    assert!(files.len() >= 20, "fixtures found: {}", files.len());
    let sources = SourcesConfig::default();
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let (banned, version) = dir_config(path.parent().unwrap());
        let mut schema = loaded.schema.clone();
        schema.postgres_version = version;
        let checker = Checker {
            schema: &schema,
            banned: Banned::new(&banned, &schema),
            column_owners: ColumnOwners::new(&schema),
            settings: RuleSettings::default(),
            sources: &sources,
            collect_references: false,
            collect_table_uses: false,
        };
        let file = SourceFile {
            path: path.strip_prefix(root()).unwrap().to_path_buf(),
            language: Language::from_path(path).unwrap(),
        };
        // Cargo runs integration tests from the package root, so the relative path reads.
        let report = checker.check_files(std::slice::from_ref(&file));
        assert!(report.file_errors.is_empty(), "{:?}", report.file_errors);
        let mut found: BTreeMap<String, usize> = BTreeMap::new();
        for d in &report.diagnostics {
            *found.entry(d.rule.to_string()).or_default() += 1;
        }
        let expected = expectation(&text, path);
        if found != expected {
            failures.push(format!(
                "{}: expected {expected:?}, found {found:?}",
                file.path.display()
            ));
        }
        let output = render::render(
            &report,
            Format::Human,
            HumanOptions {
                color: false,
                width: 80,
            },
        );
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        insta::with_settings!({
            snapshot_path => path.parent().unwrap(),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(name, output);
        });
    }
    assert!(
        failures.is_empty(),
        "fixture expectations:\n{}",
        failures.join("\n")
    );
}
