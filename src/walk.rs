//! File discovery: `ignore::WalkBuilder` (honours `.gitignore`, `.ignore`, hidden files) over
//! the given paths; keeps files an extractor handles. Explicit file arguments are always kept
//! when an extractor reads them; other explicit files (`netlify.toml`, a README: pre-commit and
//! editors pass every changed file) are left out, never an error (see [`is_unread_file`]).

use std::path::{Path, PathBuf};

use ignore::overrides::OverrideBuilder;
use ignore::WalkBuilder;

/// A file to scan and the extractor for it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub language: Language,
}

/// Problems found while walking (a symlink loop, an unreadable directory).
#[derive(Debug, Clone)]
pub struct WalkError {
    pub path: Option<PathBuf>,
    pub message: String,
}

/// Options for the walk: globs relative to `root`, and paths never to scan (schema files).
pub struct WalkOptions<'a> {
    pub root: &'a Path,
    pub include: &'a [String],
    pub exclude: &'a [String],
    pub skip: &'a [PathBuf],
}

/// Every source file under `paths`, sorted, without duplicates.
pub fn discover(paths: &[PathBuf], options: &WalkOptions<'_>) -> (Vec<SourceFile>, Vec<WalkError>) {
    walk(paths, options).keep(options.skip)
}

/// A walk before `skip` is applied, to be filtered again: `plan_checks` walks the paths to
/// find the configs, and `scan` reuses that walk instead of walking again when the globs are
/// the same (see [`Walked::keep`]).
#[derive(Debug, Clone)]
pub struct Walked {
    pub paths: Vec<PathBuf>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// Sorted, without duplicates; `true` for a file named on the command line (kept even
    /// under a skipped path, as `discover` always did).
    files: Vec<(SourceFile, bool)>,
    errors: Vec<WalkError>,
}

impl Walked {
    pub fn files(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter().map(|(f, _)| f)
    }

    /// What [`discover`] returns for this walk with `skip`.
    pub fn keep(&self, skip: &[PathBuf]) -> (Vec<SourceFile>, Vec<WalkError>) {
        let cwd = std::env::current_dir().ok();
        let skip: Vec<PathBuf> = skip
            .iter()
            .map(|p| normalize_in(cwd.as_deref(), p))
            .collect();
        let files = self
            .files
            .iter()
            .filter(|(f, explicit)| {
                *explicit
                    || skip.is_empty()
                    || !skip
                        .iter()
                        .any(|s| normalized_starts_with(cwd.as_deref(), &f.path, s))
            })
            .map(|(f, _)| f.clone())
            .collect();
        (files, self.errors.clone())
    }
}

/// Walk `paths` with the include and exclude globs of `options` (its `skip` is applied by
/// [`Walked::keep`]).
pub fn walk(paths: &[PathBuf], options: &WalkOptions<'_>) -> Walked {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let overrides = {
        let mut b = OverrideBuilder::new(options.root);
        for glob in options.include {
            if let Err(e) = b.add(glob) {
                errors.push(WalkError {
                    path: None,
                    message: format!("invalid include glob `{glob}`: {e}"),
                });
            }
        }
        for glob in options.exclude {
            if let Err(e) = b.add(&format!("!{glob}")) {
                errors.push(WalkError {
                    path: None,
                    message: format!("invalid exclude glob `{glob}`: {e}"),
                });
            }
        }
        b.build().ok()
    };
    for root in paths {
        if root.is_file() {
            if let Some(language) = Language::from_path(root) {
                let file = SourceFile {
                    path: root.clone(),
                    language,
                };
                files.push((path_key(root), file, true));
            }
            continue;
        }
        let meta = match std::fs::metadata(root) {
            Ok(meta) => meta,
            Err(_) => {
                errors.push(WalkError {
                    path: Some(root.clone()),
                    message: "no such file or directory".into(),
                });
                continue;
            }
        };
        // A device or FIFO named on the command line: nothing to check, and say so.
        if !meta.is_dir() {
            errors.push(WalkError {
                path: Some(root.clone()),
                message: format!("{}, not a regular file", crate::atomic::kind(&meta)),
            });
            continue;
        }
        let mut builder = WalkBuilder::new(root);
        builder.require_git(false).follow_links(false);
        if let Some(o) = &overrides {
            builder.overrides(o.clone());
        }
        // In parallel, as ripgrep walks: each thread keeps and sorts what it finds (see
        // `Found`), and the sorted runs are merged below.
        let runs = std::sync::Mutex::new(Vec::new());
        builder.build_parallel().visit(&mut FoundBuilder(&runs));
        let mut walk_errors = Vec::new();
        for found in runs.into_inner().unwrap_or_else(|e| e.into_inner()) {
            files.extend(found.files);
            walk_errors.extend(found.errors);
        }
        walk_errors.sort_by(|a, b| a.message.cmp(&b.message));
        errors.extend(walk_errors);
    }
    // Runs of sorted files (one per walk thread, and the named files): the stable sort finds
    // the runs and merges them, a few comparisons per file instead of a full sort's n log n.
    files.sort_by(|a, b| a.0.cmp(&b.0));
    // A file both named and walked counts as named (`b` is the one kept). Equal keys are equal
    // paths, compared byte by byte rather than component by component.
    files.dedup_by(|a, b| {
        let same = a.0 == b.0;
        b.2 |= same && a.2;
        same
    });
    let files = files
        .into_iter()
        .map(|(_, file, named)| (file, named))
        .collect();
    Walked {
        paths: paths.to_vec(),
        include: options.include.to_vec(),
        exclude: options.exclude.to_vec(),
        files,
        errors,
    }
}

/// What one walk thread found: the files an extractor reads (with their sort keys) and the
/// errors. The keys are built and the files sorted on the walk's threads (the sort as the
/// thread ends, in `Drop`), not on the caller's after the walk.
#[derive(Default)]
struct Found {
    files: Vec<(Vec<u8>, SourceFile, bool)>,
    errors: Vec<WalkError>,
}

struct FoundBuilder<'a>(&'a std::sync::Mutex<Vec<Found>>);

struct FoundVisitor<'a> {
    found: Found,
    runs: &'a std::sync::Mutex<Vec<Found>>,
}

impl<'s> ignore::ParallelVisitorBuilder<'s> for FoundBuilder<'s> {
    fn build(&mut self) -> Box<dyn ignore::ParallelVisitor + 's> {
        Box::new(FoundVisitor {
            found: Found::default(),
            runs: self.0,
        })
    }
}

impl ignore::ParallelVisitor for FoundVisitor<'_> {
    fn visit(&mut self, entry: Result<ignore::DirEntry, ignore::Error>) -> ignore::WalkState {
        match entry {
            Ok(entry) if entry.file_type().is_some_and(|t| t.is_file()) => {
                let path = entry.into_path();
                if let Some(language) =
                    Language::from_path(&path).filter(|_| !is_declaration_file(&path))
                {
                    let key = path_key(&path);
                    self.found
                        .files
                        .push((key, SourceFile { path, language }, false));
                }
            }
            Ok(_) => {}
            Err(e) => self.found.errors.push(WalkError {
                path: None,
                message: e.to_string(),
            }),
        }
        ignore::WalkState::Continue
    }
}

impl Drop for FoundVisitor<'_> {
    fn drop(&mut self) {
        let mut found = std::mem::take(&mut self.found);
        // Unique paths within one walk: an unstable sort is exact.
        found.files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        self.runs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(found);
    }
}

/// A key that orders paths as `Path`'s `Ord` does (by components: `a/b` before `a-b`, `a//b`
/// equal to `a/b`): the components' bytes, each ended by a 0 byte. Built once per file, it
/// spares the n log n component-by-component comparisons of sorting the parallel walk.
fn path_key(path: &Path) -> Vec<u8> {
    let mut key = Vec::with_capacity(path.as_os_str().len() + 1);
    for c in path.components() {
        key.extend_from_slice(c.as_os_str().as_encoded_bytes());
        key.push(0);
    }
    key
}

/// The nearest `schemalint.toml` above each file (normalized), cached per directory: the
/// config that governs the file in a monorepo.
#[derive(Debug, Default)]
pub struct NearestConfig {
    /// By the directory as written (the files of one directory share it: no normalizing nor
    /// `getcwd` per file), then by the normalized directory.
    by_parent: std::collections::HashMap<PathBuf, Option<PathBuf>>,
    by_dir: std::collections::HashMap<PathBuf, Option<PathBuf>>,
    cwd: Option<Option<PathBuf>>,
}

impl NearestConfig {
    pub fn of(&mut self, file: &Path) -> Option<PathBuf> {
        let parent = file.parent().unwrap_or(Path::new(""));
        if let Some(found) = self.by_parent.get(parent) {
            return found.clone();
        }
        let cwd = self.cwd.get_or_insert_with(|| std::env::current_dir().ok());
        let dir = normalize_in(cwd.as_deref(), parent);
        let found = match self.by_dir.get(&dir) {
            Some(found) => found.clone(),
            None => {
                let found = dir
                    .ancestors()
                    .map(|d| d.join(CONFIG_FILE))
                    .find(|c| c.is_file());
                self.by_dir.insert(dir, found.clone());
                found
            }
        };
        self.by_parent.insert(parent.to_path_buf(), found.clone());
        found
    }
}

/// An existing file that no extractor reads (`netlify.toml`): `discover` leaves it out when it is
/// named on the command line, and `check` says so in a note on stderr (not with `--quiet`).
pub fn is_unread_file(path: &Path) -> bool {
    path.is_file() && Language::from_path(path).is_none()
}

/// `.d.ts` files declare types; they hold no SQL that runs.
fn is_declaration_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(".d.ts") || n.ends_with(".d.mts") || n.ends_with(".d.cts"))
}

/// A comparable form of a path: absolute, without `.` components.
pub fn normalize(path: &Path) -> PathBuf {
    if path.is_absolute() {
        return normalize_in(None, path);
    }
    normalize_in(std::env::current_dir().ok().as_deref(), path)
}

/// [`normalize`] with the working directory already read (`None`: unknown, the path is
/// kept relative).
fn normalize_in(cwd: Option<&Path>, path: &Path) -> PathBuf {
    let abs = match cwd {
        Some(d) if !path.is_absolute() => d.join(path),
        _ => path.to_path_buf(),
    };
    abs.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect()
}
/// `normalize_in(cwd, path).starts_with(prefix)` without building the normalized path (one
/// allocation per walked file otherwise): the components of `cwd` then `path`, `.` left out,
/// against those of `prefix`.
fn normalized_starts_with(cwd: Option<&Path>, path: &Path, prefix: &Path) -> bool {
    let base = match cwd {
        Some(d) if !path.is_absolute() => Some(d.components()),
        _ => None,
    };
    let mut parts = base
        .into_iter()
        .flatten()
        .chain(path.components())
        .filter(|c| !matches!(c, std::path::Component::CurDir));
    prefix.components().all(|c| parts.next() == Some(c))
}

/// The config file a directory may hold; the nearest one above a file governs it.
pub const CONFIG_FILE: &str = "schemalint.toml";

/// Which extractor handles a file, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Sql,
    TypeScript,
    JavaScript,
    Rust,
}

impl Language {
    pub fn from_path(path: &Path) -> Option<Language> {
        let ext = path.extension()?.to_str()?;
        Some(match ext {
            "sql" => Language::Sql,
            "ts" | "tsx" | "mts" | "cts" => Language::TypeScript,
            "js" | "jsx" | "mjs" | "cjs" => Language::JavaScript,
            "rs" => Language::Rust,
            _ => return None,
        })
    }
}

/// A path as shown to users: relative to the working directory when inside it, with `/`.
pub fn display_path(path: &std::path::Path) -> String {
    let cwd = std::env::current_dir().ok();
    let shown = cwd
        .as_deref()
        .and_then(|cwd| path.strip_prefix(cwd).ok())
        .unwrap_or(path);
    let s = shown.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The allocation-free prefix test agrees with normalizing the path and then testing.
    #[test]
    fn normalized_starts_with_agrees_with_normalize_in() {
        let cwds = [None, Some(Path::new("/work/repo")), Some(Path::new("/"))];
        let paths = [
            "src/a.ts",
            "./src/a.ts",
            "./migrations/001.sql",
            "migrations/./001.sql",
            "/work/repo/migrations/001.sql",
            "/work/other/migrations/001.sql",
            "../repo/migrations/001.sql",
            "",
            "migrations",
            "migrationsx/001.sql",
        ];
        let prefixes = [
            "migrations",
            "./migrations",
            "/work/repo/migrations",
            "/",
            "src/a.ts",
        ];
        for cwd in cwds {
            for p in paths {
                for s in prefixes {
                    let prefix = normalize_in(cwd, Path::new(s));
                    let expected = normalize_in(cwd, Path::new(p)).starts_with(&prefix);
                    assert_eq!(
                        normalized_starts_with(cwd, Path::new(p), &prefix),
                        expected,
                        "{cwd:?} {p} {s}"
                    );
                }
            }
        }
    }
}
