//! The crate-level pass after the parallel per-file scan: one table of string constants per
//! crate (module paths from the file tree and `mod` items, `use` imports and renames), through
//! which the paths query calls name are resolved, each statement landing in the file that
//! holds its literal; and crates that talk to SQLite or MySQL rather than Postgres are
//! skipped, with one note each. Only hash lookups here: the parsing was done per file.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::{not_extracted, Facts, Reference, Value};
use crate::diagnostic::Span;
use crate::extract::{starts_like_statement, Confidence, EmbeddedSql};

/// One scanned file as the crate pass sees it.
#[derive(Debug)]
pub struct LinkFile {
    pub path: PathBuf,
    pub embedded: Vec<EmbeddedSql>,
    /// Set for Rust files (taken by the pass).
    pub facts: Option<Facts>,
    /// Added by the pass: SQL skipped with a reason.
    pub notes: Vec<Note>,
}

/// SQL that was deliberately not checked, with why (reported by the checker as
/// `other-database`, at that rule's severity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The file the note points into (the crate's Cargo.toml).
    pub file: PathBuf,
    pub span: Span,
    pub message: String,
}

/// How files map to crates and modules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Every file is a crate root of its own (one file extracted alone).
    Single,
    /// Module paths from the file tree under the nearest Cargo.toml (`src/repo/sql.rs` is
    /// `crate::repo::sql`), and that Cargo.toml says which database the crate talks to.
    Tree,
}

/// A crate: its Cargo.toml directory and target (`lib`, `bin:name`, `tests/x`).
type CrateId = (PathBuf, String);

/// Where a constant is: the file and its index in that file's constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct ConstAt {
    file: usize,
    def: usize,
}

/// An imported name and the path it stands for.
type Alias = (String, Vec<String>);

struct Tables {
    /// (crate, module path + name) → the constant.
    constants: HashMap<(usize, Vec<String>), ConstAt>,
    /// (crate, module) → (alias, path) imports written there.
    imports: HashMap<(usize, Vec<String>), Vec<Alias>>,
    /// Package names (`my_app`) → the crate index of their library.
    packages: HashMap<String, usize>,
}

/// The crate and module path of each file.
struct Place {
    krate: usize,
    module: Vec<String>,
    /// No Cargo.toml above the file: its module path is unknown.
    loose: bool,
}

/// Resolve every reference through the crate-wide tables, put each resolved statement into
/// the file that holds its literal (once), and skip the SQL of crates that talk to another
/// database.
pub fn link_files(files: &mut [LinkFile], layout: &Layout) {
    let mut crates: Vec<CrateId> = Vec::new();
    let mut crate_index: HashMap<CrateId, usize> = HashMap::new();
    let mut manifests = Manifests::default();
    let mut places: Vec<Option<Place>> = Vec::with_capacity(files.len());
    for f in files.iter() {
        if f.facts.is_none() {
            places.push(None);
            continue;
        }
        let (id, module, loose) = match layout {
            Layout::Single => ((f.path.clone(), String::new()), Vec::new(), true),
            Layout::Tree => match manifests.dir_of(&f.path) {
                Some(dir) => {
                    let (target, module) = module_path(&dir, &f.path);
                    ((dir, target), module, false)
                }
                None => ((f.path.clone(), String::new()), Vec::new(), true),
            },
        };
        let krate = *crate_index.entry(id.clone()).or_insert_with(|| {
            crates.push(id);
            crates.len() - 1
        });
        places.push(Some(Place {
            krate,
            module,
            loose,
        }));
    }
    let facts: Vec<Option<Facts>> = files.iter_mut().map(|f| f.facts.take()).collect();
    let mut tables = Tables {
        constants: HashMap::new(),
        imports: HashMap::new(),
        packages: HashMap::new(),
    };
    if *layout == Layout::Tree {
        for (k, (dir, target)) in crates.iter().enumerate() {
            if target == "lib" {
                if let Some(name) = manifests.package_name(dir) {
                    tables.packages.insert(name, k);
                }
            }
        }
    }
    for (file, (place, facts)) in places.iter().zip(&facts).enumerate() {
        let (Some(place), Some(facts)) = (place, facts) else {
            continue;
        };
        for (def, c) in facts.constants.iter().enumerate() {
            let mut key = place.module.clone();
            key.extend(c.module.iter().cloned());
            key.push(c.name.clone());
            tables
                .constants
                .entry((place.krate, key))
                .or_insert(ConstAt { file, def });
        }
        for import in &facts.imports {
            let mut module = place.module.clone();
            module.extend(import.module.iter().cloned());
            tables
                .imports
                .entry((place.krate, module))
                .or_default()
                .push((import.alias.clone(), import.path.clone()));
        }
    }
    let mut emitted: HashSet<(usize, usize, usize)> = HashSet::new();
    let mut additions: Vec<(usize, EmbeddedSql)> = Vec::new();
    let all_facts = facts_ref(&facts);
    for (file, (place, facts)) in places.iter().zip(&facts).enumerate() {
        let (Some(place), Some(facts)) = (place, facts) else {
            continue;
        };
        for r in &facts.references {
            let mut seen = Vec::new();
            let mut found = follow(&tables, &places, &all_facts, place, r, &mut seen, 0);
            if found.is_empty() && place.loose {
                // A file alone (or outside any crate): `crate::db::queries::ALL` may name a
                // module of this file under another path; a name defined once in the file
                // is that constant.
                found = unique_by_name(facts, file, r);
            }
            let mut any = false;
            for (at, value_index, value) in found {
                match value {
                    Value::Sql(b) => {
                        any = true;
                        if emitted.insert((at.file, at.def, value_index))
                            && starts_like_statement(&b.text)
                        {
                            additions
                                .push((at.file, b.as_ref().clone().finish(Confidence::Certain)));
                        }
                    }
                    Value::Unknown(_) | Value::Tuple(_) | Value::Path(_) => {}
                }
            }
            if !any && r.certain {
                additions.push((file, not_extracted(r.site)));
            }
        }
    }
    for (file, e) in additions {
        if !files[file].embedded.contains(&e) {
            files[file].embedded.push(e);
        }
    }
    // In file order, whether a statement was found at its call or through a constant.
    for f in files.iter_mut() {
        f.embedded
            .sort_by_key(|e| (e.host_file.is_some(), e.map.to_host(0)));
    }
    if *layout == Layout::Tree {
        skip_other_databases(files, &mut manifests);
    }
}

/// The one constant of the file named like the path's last segment, if there is one.
fn unique_by_name(facts: &Facts, file: usize, r: &Reference) -> Vec<(ConstAt, usize, Value)> {
    let Some(name) = r.path.last() else {
        return Vec::new();
    };
    let mut defs = facts
        .constants
        .iter()
        .enumerate()
        .filter(|(_, c)| &c.name == name);
    match (defs.next(), defs.next()) {
        (Some((def, c)), None) => c
            .values
            .iter()
            .enumerate()
            .map(|(k, v)| (ConstAt { file, def }, k, v.clone()))
            .collect(),
        _ => Vec::new(),
    }
}

fn facts_ref(facts: &[Option<Facts>]) -> Vec<Option<&Facts>> {
    facts.iter().map(Option::as_ref).collect()
}

/// Every value a reference may stand for: (where the constant is, which of its values, the
/// value), following constants defined as other constants.
fn follow(
    tables: &Tables,
    places: &[Option<Place>],
    facts: &[Option<&Facts>],
    place: &Place,
    r: &Reference,
    seen: &mut Vec<ConstAt>,
    depth: usize,
) -> Vec<(ConstAt, usize, Value)> {
    let mut out = Vec::new();
    if depth > 8 {
        return out;
    }
    let mut module = place.module.clone();
    module.extend(r.module.iter().cloned());
    let Some(at) = resolve(
        tables,
        place.krate,
        &module,
        r.self_type.as_deref(),
        &r.path,
        0,
    ) else {
        return out;
    };
    if seen.contains(&at) {
        return out;
    }
    seen.push(at);
    let (Some(def_facts), Some(def_place)) = (facts[at.file], places[at.file].as_ref()) else {
        return out;
    };
    let def = &def_facts.constants[at.def];
    for (k, v) in def.values.iter().enumerate() {
        match v {
            Value::Path(inner) => {
                for (a, i, v) in follow(tables, places, facts, def_place, inner, seen, depth + 1) {
                    out.push((a, i, v));
                }
            }
            v => out.push((at, k, v.clone())),
        }
    }
    out
}

/// The constant a path names, written in `module` of crate `krate`.
fn resolve(
    tables: &Tables,
    krate: usize,
    module: &[String],
    self_type: Option<&str>,
    path: &[String],
    depth: usize,
) -> Option<ConstAt> {
    if depth > 8 || path.is_empty() {
        return None;
    }
    let first = path[0].as_str();
    let (krate, full): (usize, Vec<String>) = match first {
        "crate" => (krate, path[1..].to_vec()),
        "self" => (krate, [module, &path[1..]].concat()),
        "super" => {
            let supers = path.iter().take_while(|s| *s == "super").count();
            let base = &module[..module.len().saturating_sub(supers)];
            (krate, [base, &path[supers..]].concat())
        }
        "Self" => {
            let mut m = module.to_vec();
            m.extend(self_type.map(str::to_string));
            (krate, [&m[..], &path[1..]].concat())
        }
        _ => {
            if let Some((_, target)) = tables
                .imports
                .get(&(krate, module.to_vec()))
                .and_then(|imports| imports.iter().find(|(alias, _)| alias == first))
            {
                let target = [&target[..], &path[1..]].concat();
                return resolve(tables, krate, module, None, &target, depth + 1);
            }
            if let Some(&lib) = tables.packages.get(first) {
                if path.len() > 1 {
                    return resolve(
                        tables,
                        lib,
                        &[],
                        None,
                        &[&["crate".to_string()], &path[1..]].concat(),
                        depth + 1,
                    );
                }
            }
            (krate, [module, path].concat())
        }
    };
    if let Some(&at) = tables.constants.get(&(krate, full.clone())) {
        return Some(at);
    }
    // Through an import in an intermediate module (`pub use` re-exports, `use` in the module
    // a path goes through), then glob imports.
    for k in 0..full.len() {
        let m = full[..k].to_vec();
        if let Some(imports) = tables.imports.get(&(krate, m.clone())) {
            if let Some((_, target)) = imports.iter().find(|(alias, _)| *alias == full[k]) {
                let target = [&target[..], &full[k + 1..]].concat();
                if let Some(at) = resolve(tables, krate, &m, None, &target, depth + 1) {
                    return Some(at);
                }
            }
            if k + 1 == full.len() {
                for (alias, target) in imports {
                    if alias == "*" {
                        let target = [&target[..], &full[k..]].concat();
                        if let Some(at) = resolve(tables, krate, &m, None, &target, depth + 1) {
                            return Some(at);
                        }
                    }
                }
            }
        }
    }
    None
}

/// `src/repo/sql.rs` under `dir` → (`lib`, [`repo`, `sql`]); `src/bin/x.rs` → (`bin:x`, []);
/// `tests/api.rs` → (`tests/api`, []).
fn module_path(dir: &Path, file: &Path) -> (String, Vec<String>) {
    let rel: Vec<String> = file
        .strip_prefix(dir)
        .unwrap_or(file)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let stem = |s: &str| s.strip_suffix(".rs").unwrap_or(s).to_string();
    let modules = |parts: &[String]| -> Vec<String> {
        let mut m: Vec<String> = parts.iter().map(|p| stem(p)).collect();
        if matches!(m.last().map(String::as_str), Some("mod" | "lib" | "main"))
            && m.len() == parts.len()
        {
            m.pop();
        }
        m
    };
    match rel.as_slice() {
        [src, bin, name] if src == "src" && bin == "bin" => {
            (format!("bin:{}", stem(name)), Vec::new())
        }
        [src, bin, name, rest @ ..] if src == "src" && bin == "bin" => {
            (format!("bin:{name}"), modules(rest))
        }
        [src, rest @ ..] if src == "src" => {
            let m = modules(rest);
            // `src/main.rs`'s own modules share the library's tree (a small imprecision).
            ("lib".into(), m)
        }
        [top, name] => (format!("{top}/{}", stem(name)), Vec::new()),
        [top, name, rest @ ..] => (format!("{top}/{name}"), modules(rest)),
        _ => (rel.join("/"), Vec::new()),
    }
}

/// Cargo.toml lookups, cached by directory.
#[derive(Default)]
struct Manifests {
    dirs: HashMap<PathBuf, Option<PathBuf>>,
    parsed: HashMap<PathBuf, Option<(String, toml::Table)>>,
}

impl Manifests {
    /// The nearest ancestor directory of `file` with a Cargo.toml.
    fn dir_of(&mut self, file: &Path) -> Option<PathBuf> {
        let parent = file.parent()?.to_path_buf();
        self.dir_for(&parent)
    }

    fn dir_for(&mut self, dir: &Path) -> Option<PathBuf> {
        if let Some(known) = self.dirs.get(dir) {
            return known.clone();
        }
        let found = if dir.join("Cargo.toml").is_file() {
            Some(dir.to_path_buf())
        } else {
            dir.parent().and_then(|p| self.dir_for(p))
        };
        self.dirs.insert(dir.to_path_buf(), found.clone());
        found
    }

    fn manifest(&mut self, dir: &Path) -> Option<&(String, toml::Table)> {
        self.parsed
            .entry(dir.to_path_buf())
            .or_insert_with(|| {
                let text = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
                let table = text.parse::<toml::Table>().ok()?;
                Some((text, table))
            })
            .as_ref()
    }

    fn package_name(&mut self, dir: &Path) -> Option<String> {
        let (_, t) = self.manifest(dir)?;
        let name = t.get("package")?.get("name")?.as_str()?;
        Some(name.replace('-', "_"))
    }
}

/// What a crate's Cargo.toml says about its database.
#[derive(Debug, Default)]
struct Databases {
    postgres: bool,
    /// sqlx is a dependency (its runtime `query(..).bind(..)` sends typed parameters).
    sqlx: bool,
    /// A driver that prepares with untyped parameters (tokio-postgres and its pools).
    untyped: bool,
    /// The first non-Postgres database found: its name, the dependency, and how.
    other: Option<(&'static str, String, String)>,
}

/// The non-Postgres database a crate talks to ("SQLite", "MySQL"), when its Cargo.toml at
/// `dir` depends on one and on no Postgres driver: `init` leaves such a crate's migrations out.
pub fn other_database_of_crate(dir: &Path) -> Option<&'static str> {
    let found = databases(&mut Manifests::default(), dir);
    if found.postgres {
        return None;
    }
    found.other.map(|(db, _, _)| db)
}

/// Whether the crate holding the Rust file `file` sends typed parameters: it uses sqlx
/// (whose `query(..).bind(x)` gives each parameter the type of its value) and no driver that
/// prepares with untyped ones (tokio-postgres). Then "could not determine the data type of
/// parameter $1", which `--verify` meets because it prepares untyped, is not the app's error.
pub fn binds_typed_parameters(file: &Path) -> bool {
    let mut manifests = Manifests::default();
    let Some(dir) = manifests.dir_of(file) else {
        return false;
    };
    let found = databases(&mut manifests, &dir);
    found.sqlx && !found.untyped
}

/// Read the dependencies of a manifest (also target-specific ones, and `workspace = true`
/// entries from the workspace root's `[workspace.dependencies]`).
fn databases(manifests: &mut Manifests, dir: &Path) -> Databases {
    let mut out = Databases::default();
    let Some((_, table)) = manifests.manifest(dir).cloned() else {
        return out;
    };
    let mut tables: Vec<toml::Table> = Vec::new();
    for key in ["dependencies", "dev-dependencies"] {
        if let Some(t) = table.get(key).and_then(|v| v.as_table()) {
            tables.push(t.clone());
        }
    }
    if let Some(targets) = table.get("target").and_then(|v| v.as_table()) {
        for t in targets.values() {
            if let Some(d) = t.get("dependencies").and_then(|v| v.as_table()) {
                tables.push(d.clone());
            }
        }
    }
    let workspace_deps = dir
        .ancestors()
        .skip(1)
        .find(|d| d.join("Cargo.toml").is_file())
        .and_then(|root| manifests.manifest(root).cloned())
        .and_then(|(_, t)| t.get("workspace")?.get("dependencies")?.as_table().cloned())
        .or_else(|| {
            table
                .get("workspace")?
                .get("dependencies")?
                .as_table()
                .cloned()
        });
    for deps in &tables {
        for (name, spec) in deps {
            let mut features: Vec<String> = feature_list(spec);
            if spec.get("workspace").and_then(|v| v.as_bool()) == Some(true) {
                if let Some(ws) = workspace_deps.as_ref().and_then(|w| w.get(name)) {
                    features.extend(feature_list(ws));
                }
            }
            let name = spec
                .get("package")
                .and_then(|p| p.as_str())
                .unwrap_or(name)
                .to_string();
            match name.as_str() {
                "tokio-postgres" | "postgres" | "deadpool-postgres" | "bb8-postgres"
                | "r2d2_postgres" | "postgres-types" => {
                    out.postgres = true;
                    out.untyped = true;
                }
                "rusqlite" | "sqlite" | "libsql" => {
                    out.other.get_or_insert((
                        "SQLite",
                        name.clone(),
                        format!("the `{name}` crate"),
                    ));
                }
                "mysql" | "mysql_async" => {
                    out.other
                        .get_or_insert(("MySQL", name.clone(), format!("the `{name}` crate")));
                }
                "sqlx" | "diesel" | "sea-orm" => {
                    out.sqlx |= name == "sqlx";
                    for f in &features {
                        if f.contains("postgres") {
                            out.postgres = true;
                        } else if f.contains("sqlite") {
                            out.other.get_or_insert((
                                "SQLite",
                                name.clone(),
                                format!("`{name}` with the `{f}` feature"),
                            ));
                        } else if f.contains("mysql") {
                            out.other.get_or_insert((
                                "MySQL",
                                name.clone(),
                                format!("`{name}` with the `{f}` feature"),
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}

fn feature_list(spec: &toml::Value) -> Vec<String> {
    spec.get("features")
        .and_then(|f| f.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Mark the SQL of Rust and `.sql` files in crates that use SQLite or MySQL and not Postgres
/// as for another database (each statement is then skipped, and listed with why), with one
/// note per crate at the dependency in its Cargo.toml.
fn skip_other_databases(files: &mut [LinkFile], manifests: &mut Manifests) {
    let mut verdicts: HashMap<PathBuf, Option<(&'static str, String, String)>> = HashMap::new();
    // The files of each crate to skip, in order.
    let mut members: HashMap<PathBuf, Vec<usize>> = HashMap::new();
    for (i, f) in files.iter_mut().enumerate() {
        if f.embedded.is_empty() {
            continue;
        }
        let ext = f.path.extension().and_then(|e| e.to_str());
        if !matches!(ext, Some("rs" | "sql")) {
            continue;
        }
        let Some(dir) = manifests.dir_of(&f.path) else {
            continue;
        };
        let verdict = verdicts
            .entry(dir.clone())
            .or_insert_with(|| {
                let d = databases(manifests, &dir);
                if d.postgres {
                    None
                } else {
                    d.other
                }
            })
            .clone();
        if verdict.is_none() {
            continue;
        }
        members.entry(dir).or_default().push(i);
    }
    // One note per crate, on its first file, in file order.
    let mut order: Vec<(PathBuf, Vec<usize>)> = members.into_iter().collect();
    order.sort_by_key(|(_, m)| m[0]);
    for (dir, members) in order {
        let Some(Some((database, dependency, how))) = verdicts.get(&dir) else {
            continue;
        };
        let i = members[0];
        let n: usize = members.iter().map(|&m| files[m].embedded.len()).sum();
        let manifest = dir.join("Cargo.toml");
        let (text, name) = match manifests.manifest(&dir) {
            Some((text, t)) => (
                text.clone(),
                t.get("package")
                    .and_then(|p| p.get("name"))
                    .and_then(|n| n.as_str())
                    .unwrap_or("")
                    .to_string(),
            ),
            None => (String::new(), String::new()),
        };
        let span = dependency_span(&text, dependency);
        let which = if name.is_empty() {
            format!("the crate at {}", dir.display())
        } else {
            format!("crate `{name}`")
        };
        let statements = if n == 1 { "statement" } else { "statements" };
        let reason = format!("{which} talks to {database} ({how}), not PostgreSQL");
        for &m in &members {
            for e in &mut files[m].embedded {
                e.other_database = Some(reason.clone());
            }
        }
        files[i].notes.push(Note {
            file: manifest,
            span,
            message: format!(
                "{n} {statements} in {which} not checked: it talks to {database} ({how}), \
                 and schemalint checks PostgreSQL"
            ),
        });
    }
}

/// The span of a dependency's key in a Cargo.toml (`sqlx = ...` or `[dependencies.sqlx]`).
fn dependency_span(text: &str, dependency: &str) -> Span {
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        let indent = line.len() - t.len();
        let key_at = if t.starts_with(dependency)
            && t[dependency.len()..].trim_start().starts_with(['=', '.'])
        {
            Some(0)
        } else if t.starts_with('[') && t.trim_end().ends_with(&format!(".{dependency}]")) {
            t.find(&format!(".{dependency}]")).map(|p| p + 1)
        } else {
            None
        };
        if let Some(k) = key_at {
            let start = (offset + indent + k) as u32;
            return Span::new(start, start + dependency.len() as u32);
        }
        offset += line.len();
    }
    Span::new(0, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_paths_from_the_file_tree() {
        let d = Path::new("/w/app");
        let m = |p: &str| module_path(d, &d.join(p));
        assert_eq!(m("src/lib.rs"), ("lib".into(), vec![]));
        assert_eq!(m("src/main.rs"), ("lib".into(), vec![]));
        assert_eq!(
            m("src/repo/mod.rs"),
            ("lib".into(), vec!["repo".to_string()])
        );
        assert_eq!(
            m("src/repo/sql.rs"),
            ("lib".into(), vec!["repo".to_string(), "sql".to_string()])
        );
        assert_eq!(m("src/bin/tool.rs"), ("bin:tool".into(), vec![]));
        assert_eq!(m("tests/api.rs"), ("tests/api".into(), vec![]));
    }

    #[test]
    fn dependency_spans() {
        let t = "[package]\nname = \"a\"\n[dependencies]\nsqlx = { version = \"0.8\" }\n";
        let s = dependency_span(t, "sqlx");
        assert_eq!(&t[s.start as usize..s.end as usize], "sqlx");
    }
}
