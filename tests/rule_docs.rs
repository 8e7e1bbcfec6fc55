//! `rules/*.md` are generated from the rules' doc comments. This test fails when they are
//! stale; `UPDATE_RULE_DOCS=1 cargo test --test rule_docs` rewrites them.

use std::path::Path;

use schemalint::rules::RuleId;

fn expected_files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = RuleId::ALL
        .iter()
        .map(|r| (format!("{}.md", r.name()), r.docs()))
        .collect();
    let mut index = String::from(
        "# Rules\n\nGenerated from the doc comments in `src/rules/`; `schemalint rule NAME` prints the same text.\n\n| rule | default severity |\n| --- | --- |\n",
    );
    for r in RuleId::ALL {
        index.push_str(&format!(
            "| [`{0}`]({0}.md) | {1} |\n",
            r.name(),
            r.default_severity()
        ));
    }
    files.push(("README.md".to_string(), index));
    files
}

#[test]
fn rule_docs_are_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let update = std::env::var_os("UPDATE_RULE_DOCS").is_some();
    let mut stale = Vec::new();
    for (name, text) in expected_files() {
        let path = dir.join(&name);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current != text {
            if update {
                std::fs::write(&path, &text).unwrap();
            } else {
                stale.push(name);
            }
        }
    }
    let known: Vec<String> = expected_files().into_iter().map(|(n, _)| n).collect();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            known.contains(&name),
            "rules/{name} documents no rule: remove it"
        );
    }
    assert!(
        stale.is_empty(),
        "stale rule docs: {stale:?}; run `UPDATE_RULE_DOCS=1 cargo test --test rule_docs`"
    );
}
