//! The module layering of `src/lib.rs`: its doc comment lists the top-level modules lowest
//! first, and a module may import only the modules listed before it. This test reads that list
//! and every `crate::` path in `src/`, so a new upward import (a renderer reaching into the
//! extractor, the config into the checker) fails here, with the file that made it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Imports that go up the list on purpose, each stated in `src/lib.rs`'s doc comment.
const EXCEPTIONS: &[(&str, &str)] = &[
    // Replaying CREATE VIEW names the view's columns with the resolver.
    ("schema", "resolve"),
];

/// The module order from `//! N. [`name`]: ...` lines of `src/lib.rs`.
fn declared_order(lib: &str) -> Vec<String> {
    lib.lines()
        .filter_map(|l| l.strip_prefix("//! "))
        .filter_map(|l| {
            let (n, rest) = l.split_once(". [`")?;
            n.trim().parse::<u32>().ok()?;
            Some(rest.split_once('`')?.0.to_string())
        })
        .collect()
}

fn declared_modules(lib: &str) -> BTreeSet<String> {
    lib.lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';').to_string())
        .collect()
}

/// The top-level modules a file's code names through `crate::x` or `crate::{x, y::z}`.
fn imports(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in code.lines() {
        let line = line.trim_start();
        if line.starts_with("//") {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    let name: String = item
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    out.insert(name);
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.insert(name);
            }
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Upward imports: `(file, module, imported module)` for each import of a module listed at or
/// after the importing one.
fn violations(src: &Path, order: &[String]) -> Vec<(PathBuf, String, String)> {
    let rank = |m: &str| order.iter().position(|o| o == m);
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut out = Vec::new();
    for file in files {
        let rel = file.strip_prefix(src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = top.trim_end_matches(".rs").to_string();
        let Some(own) = rank(&module) else {
            continue; // lib.rs, main.rs
        };
        let code = std::fs::read_to_string(&file).unwrap();
        for imported in imports(&code) {
            let Some(theirs) = rank(&imported) else {
                continue; // a crate-root item or a name in a string
            };
            let allowed =
                theirs <= own || EXCEPTIONS.contains(&(module.as_str(), imported.as_str()));
            if !allowed {
                out.push((rel.to_path_buf(), module.clone(), imported));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_module_imports_only_modules_below_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lib = std::fs::read_to_string(root.join("src/lib.rs")).unwrap();
    let order = declared_order(&lib);
    let listed: BTreeSet<String> = order.iter().cloned().collect();
    assert_eq!(
        listed,
        declared_modules(&lib),
        "src/lib.rs's doc list and its `pub mod` lines must name the same modules"
    );
    assert_eq!(listed.len(), order.len(), "a module is listed twice");
    let bad = violations(&root.join("src"), &order);
    assert!(
        bad.is_empty(),
        "imports of modules listed later in src/lib.rs (move the item down, or the module up):\n{}",
        bad.iter()
            .map(|(f, m, i)| format!("  {}: {m} imports {i}", f.display()))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn an_upward_import_is_caught() {
    let dir = std::env::temp_dir().join(format!("schemalint-layers-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("low")).unwrap();
    std::fs::write(dir.join("low/mod.rs"), "use crate::{high::Thing, low};\n").unwrap();
    std::fs::write(
        dir.join("high.rs"),
        "// crate::low in a comment\nuse crate::low::X;\n",
    )
    .unwrap();
    let order = vec!["low".to_string(), "high".to_string()];
    let bad = violations(&dir, &order);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        bad,
        vec![(PathBuf::from("low/mod.rs"), "low".into(), "high".into())]
    );
}
