//! The plan of a run: which config governs which files (hierarchical configuration), the
//! paths to walk, the schema paths and search path, and `--changed-since` narrowing.

use std::path::{Path, PathBuf};

use miette::{miette, Report as Error};

use crate::cli::CheckArgs;
use crate::config::{self, LoadedConfig};
use crate::render;
use crate::schema::Ident;
use crate::walk;

/// Everything `check` needs, resolved from the command line and the config.
pub struct CheckPlan {
    pub config: LoadedConfig,
    pub paths: Vec<PathBuf>,
    /// When set, only these files (absolute) are checked: `--changed-since`.
    pub only: Option<Vec<PathBuf>>,
    /// Record which tables and columns the code uses (`schemalint unused`).
    pub collect_references: bool,
    /// Record every table reference with its place (`schemalint report`).
    pub collect_table_uses: bool,
    pub schema_paths: Vec<PathBuf>,
    /// The project root that schema paths from the config must stay inside (`None` for
    /// `--schema`, which the user names explicitly).
    pub schema_root: Option<PathBuf>,
    pub search_path: Vec<Ident>,
    /// Draw a progress line on stderr for long runs in a terminal (not with `--quiet`).
    pub progress: bool,
    /// Keep only the files whose nearest `schemalint.toml` is this plan's config (several
    /// configs below the paths: a monorepo).
    pub governed_only: bool,
    /// The walk `plan_checks` made to find the configs, reused by `scan` (same paths and globs).
    pub walked: Option<std::sync::Arc<walk::Walked>>,
}

impl CheckPlan {
    /// How messages name this part of the run: its config, or `--schema` without one.
    pub fn label(&self) -> String {
        self.config
            .path
            .as_deref()
            .map(render::display_path)
            .unwrap_or_else(|| "--schema".into())
    }

    /// Files under no config in a run of several (a monorepo root's scripts): the SQL in
    /// them has no schema to be checked against.
    pub fn is_ungoverned(&self, single: bool) -> bool {
        !single && self.config.path.is_none() && self.schema_paths.is_empty()
    }
}

pub fn plan_check(args: &CheckArgs) -> Result<CheckPlan, Error> {
    let cwd =
        std::env::current_dir().map_err(|e| miette!("cannot read the working directory: {e}"))?;
    let config = match &args.source.config {
        Some(path) => config::load(path)?,
        None => {
            let start = args.paths.first().map(|p| {
                if p.is_dir() {
                    p.clone()
                } else {
                    p.parent().map(Path::to_path_buf).unwrap_or_default()
                }
            });
            let found = start
                .and_then(|s| config::discover(&absolute(&cwd, &s)))
                .or_else(|| config::discover(&cwd));
            match found {
                Some(path) => config::load(&path)?,
                None => LoadedConfig {
                    config: Default::default(),
                    path: None,
                },
            }
        }
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    Ok(plan_for(args, config, paths, &cwd))
}

/// Where a config's schema files may be: its repository (the nearest folder above it with
/// `.git`), so that a workspace crate's config can name a sibling crate's migrations
/// (`../user/migrations`); without one, the config's own folder. Nothing outside it is read.
fn repository_of(base: &Path) -> PathBuf {
    let abs = crate::walk::normalize(base);
    abs.ancestors()
        .find(|d| d.join(".git").exists())
        .map_or_else(|| base.to_path_buf(), Path::to_path_buf)
}

/// The plan for one config: its schema paths (or `--schema`), search path and settings.
fn plan_for(args: &CheckArgs, config: LoadedConfig, paths: Vec<PathBuf>, cwd: &Path) -> CheckPlan {
    let base = config
        .base_dir()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| cwd.to_path_buf());
    let schema_paths: Vec<PathBuf> = if !args.source.schema.is_empty() {
        args.source.schema.clone()
    } else {
        config
            .config
            .schema
            .paths
            .iter()
            .map(|p| relative_to_cwd(cwd, &base.join(p)))
            .collect()
    };
    let search_path = config
        .config
        .schema
        .search_path
        .as_ref()
        .map(|p| p.iter().map(|s| Ident::unquoted(s)).collect())
        .unwrap_or_else(|| vec![Ident::from("public")]);
    CheckPlan {
        config,
        paths,
        only: None,
        progress: !args.quiet,
        collect_references: false,
        collect_table_uses: false,
        schema_root: args.source.schema.is_empty().then(|| repository_of(&base)),
        schema_paths,
        search_path,
        governed_only: false,
        walked: None,
    }
}

/// Hierarchical configuration (ruff's model): every file is checked with the nearest
/// `schemalint.toml` above it, with that config's own schema, so `check a b` and `check .` at
/// a monorepo root give each package the verdicts it gets alone. `--config` forces one config
/// for everything. Returns one plan per config that governs some of the files (each walks the
/// same paths and keeps the files it governs), the files no config governs included (checked
/// against `--schema` when given; otherwise only scanned, so that SQL in them is reported as
/// not checked).
pub fn plan_checks(args: &CheckArgs) -> Result<Vec<CheckPlan>, Error> {
    let primary = plan_check(args)?;
    if args.source.config.is_some() {
        return Ok(vec![primary]);
    }
    let cwd =
        std::env::current_dir().map_err(|e| miette!("cannot read the working directory: {e}"))?;
    // Which configs govern the files below the paths? Most projects have one: nothing to split.
    let walked = walk::walk(
        &primary.paths,
        &walk::WalkOptions {
            root: &cwd,
            include: &[],
            exclude: &[],
            skip: &[],
        },
    );
    let mut governing = walk::NearestConfig::default();
    let mut configs = std::collections::BTreeSet::new();
    // The walk gives a directory's files in a row, and one config governs them all.
    let mut last_dir = None;
    for f in walked.files() {
        let dir = f.path.parent().map(Path::as_os_str);
        if last_dir != Some(dir) {
            last_dir = Some(dir);
            configs.insert(governing.of(&f.path));
        }
    }
    let primary_config = primary.config.path.as_deref().map(walk::normalize);
    if configs.len() <= 1 && configs.iter().all(|c| *c == primary_config) {
        let mut primary = primary;
        primary.walked = Some(std::sync::Arc::new(walked));
        return Ok(vec![primary]);
    }
    let mut plans = Vec::new();
    for config_path in configs {
        let config = match config_path {
            Some(path) => config::load(&path)?,
            // Files above every config (a monorepo root's scripts): with --schema they are
            // checked against it, with defaults; otherwise there is nothing to check them
            // against, which the report says.
            None => LoadedConfig {
                config: Default::default(),
                path: None,
            },
        };
        let mut plan = plan_for(args, config, primary.paths.clone(), &cwd);
        plan.governed_only = true;
        plans.push(plan);
    }
    Ok(plans)
}

/// Pre-commit passes changed files; `--changed-since` asks git. Either way, a change to the
/// schema (a DDL file, a migration) or to the config can break any query: check everything.
pub fn narrow_to_changes(args: &CheckArgs, plan: &mut CheckPlan) -> Result<(), Error> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let root = plan
        .config
        .base_dir()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| cwd.clone());
    // Every schema file (a migration, the dump) is under one of the schema paths.
    let mut schema_files: Vec<PathBuf> = plan
        .schema_paths
        .iter()
        .map(|p| walk::normalize(p))
        .collect();
    schema_files.extend(plan.config.path.iter().map(|p| walk::normalize(p)));
    let touches_schema = |changed: &[PathBuf]| {
        changed
            .iter()
            .any(|c| schema_files.iter().any(|s| c == s || c.starts_with(s)))
    };
    if let Some(rev) = &args.changed_since {
        let changed = git_changed_files(&root, rev)?;
        if touches_schema(&changed) {
            plan.paths = vec![root];
        } else {
            plan.only = Some(changed);
        }
    } else if !args.paths.is_empty() && args.paths.iter().all(|p| p.is_file()) {
        let explicit: Vec<PathBuf> = args.paths.iter().map(|p| walk::normalize(p)).collect();
        if touches_schema(&explicit) {
            plan.paths = vec![root];
        }
    }
    Ok(())
}

/// Files changed between `rev` and the working tree, plus untracked ones, as absolute paths.
fn git_changed_files(dir: &Path, rev: &str) -> Result<Vec<PathBuf>, Error> {
    // `--changed-since --output=/tmp/x` must not reach git as an option (it writes files).
    if rev.is_empty() || rev.starts_with('-') || rev.chars().any(char::is_control) {
        return Err(miette!(
            help = "pass a branch, tag or commit, e.g. --changed-since origin/main",
            "--changed-since: `{}` is not a revision",
            render::escape_terminal(rev, false)
        ));
    }
    let git = |args: &[&str]| -> Result<String, Error> {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .map_err(|e| miette!("--changed-since needs git: {e}"))?;
        if !out.status.success() {
            return Err(miette!(
                "git {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let top = PathBuf::from(git(&["rev-parse", "--show-toplevel"])?.trim());
    // `git diff` prints paths relative to the top level, `ls-files` relative to `dir`.
    let mut files: Vec<PathBuf> =
        git(&["diff", "--name-only", "-z", "--end-of-options", rev, "--"])?
            .split('\0')
            .filter(|s| !s.is_empty())
            .map(|s| walk::normalize(&top.join(s)))
            .collect();
    for s in git(&["ls-files", "--others", "--exclude-standard", "-z"])?
        .split('\0')
        .filter(|s| !s.is_empty())
    {
        files.push(walk::normalize(&dir.join(s)));
    }
    files.sort();
    files.dedup();
    Ok(files)
}

pub fn absolute(cwd: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.join(p)
    }
}

/// Shorten a path under the working directory to a relative one, for display and matching.
pub fn relative_to_cwd(cwd: &Path, p: &Path) -> PathBuf {
    let clean: PathBuf = p
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
    clean
        .strip_prefix(cwd)
        .map(Path::to_path_buf)
        .unwrap_or(clean)
}
/// The project's directory: the config's, else the working directory.
pub fn project_dir(plan: &CheckPlan) -> PathBuf {
    plan.config
        .base_dir()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| std::env::current_dir().unwrap_or_default())
}
