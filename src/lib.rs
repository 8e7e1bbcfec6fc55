//! schemalint: checks the SQL in a project's source files against its Postgres schema.
//!
//! Pipeline: walk → extract → parse → resolve → rules → diagnostics → render.

pub mod atomic;
pub mod baseline;
pub mod check;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod extract;
pub mod fingerprint;
pub mod init;
pub mod progress;
pub mod render;
pub mod resolve;
pub mod rules;
pub mod schema;
pub mod sql;
pub mod suppress;
pub mod verify;
pub mod walk;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use miette::{miette, Report as Error};

use crate::check::{Checker, Report};
use crate::cli::{CheckArgs, Cli, Command};
use crate::config::LoadedConfig;
use crate::diagnostic::{Diagnostic, Severity};
use crate::render::{Format, HumanOptions};
use crate::rules::{Banned, RuleId, RuleMeta, RuleSettings};
use crate::schema::{Ident, LoadedSchema};

/// How a run ended; `main` maps it to the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0: nothing at or above `fail-on`.
    Clean,
    /// Exit 1: findings at or above `fail-on`.
    Findings,
    /// Exit 2: something could not be checked (a file, the schema, the config).
    ToolError,
}

impl Outcome {
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Clean => 0,
            Outcome::Findings => 1,
            Outcome::ToolError => 2,
        }
    }
}

/// Run a parsed command line. Errors that stop the run are returned (exit 2); problems with
/// single files are reported on stderr and the run goes on.
pub fn run(cli: Cli) -> Result<Outcome, Error> {
    match cli.command {
        Command::Check(args) => run_check(&args),
        Command::Rule { name } => run_rule(name.as_deref()),
        Command::Init { force } => run_init(force),
        Command::Unused(args) => run_unused(&args),
        Command::Snapshot { source, output } => run_snapshot(&source, &output),
        Command::Diff {
            a,
            b,
            format,
            connect_timeout,
        } => run_diff(&a, &b, format, connect_timeout),
    }
}

/// The database URL to use, if any: `--database-url`, `--database-url-env NAME`, or the
/// config's `database-url-env` when that variable is set. `--schema` wins over all of them.
fn database_url(args: &CheckArgs, plan: &CheckPlan) -> Result<Option<String>, Error> {
    if !args.schema.is_empty() {
        return Ok(None);
    }
    named_database_url(args, plan)
}

/// The database named by `--database-url`, `--database-url-env` or the config. `--verify`
/// asks it even when `--schema` names the schema files (checking against the migrations and
/// verifying against a database is a sensible pair).
fn named_database_url(args: &CheckArgs, plan: &CheckPlan) -> Result<Option<String>, Error> {
    if let Some(url) = &args.database_url {
        return Ok(Some(url.clone()));
    }
    if let Some(name) = &args.database_url_env {
        return std::env::var(name).map(Some).map_err(|_| {
            miette!("environment variable {name} (from --database-url-env) is not set")
        });
    }
    let name = plan.config.config.schema.database_url_env.as_ref();
    Ok(name
        .and_then(|name| std::env::var(name).ok())
        .filter(|u| !u.is_empty()))
}

fn connect_options(
    url: String,
    timeout: Option<u64>,
    search_path: &[Ident],
) -> schema::live::ConnectOptions {
    let mut opts = schema::live::ConnectOptions::new(url);
    if let Some(t) = timeout {
        opts.connect_timeout = std::time::Duration::from_secs(t.max(1));
    }
    opts.search_path = search_path.to_vec();
    opts
}

/// The schema for `check`, `unused` and `snapshot`: a live database or DDL/snapshot files.
fn load_schema(args: &CheckArgs, plan: &CheckPlan) -> Result<LoadedSchema, Error> {
    if let Some(url) = database_url(args, plan)? {
        let timeout = args
            .connect_timeout
            .or(plan.config.config.schema.connect_timeout);
        let opts = connect_options(url, timeout, &plan.search_path);
        let schema = schema::live::introspect(&opts).map_err(|e| miette!("{e}"))?;
        return Ok(LoadedSchema {
            schema,
            warnings: Vec::new(),
            files: Vec::new(),
        });
    }
    if plan.schema_paths.is_empty() {
        return Err(miette!(
            help = "pass --schema db/schema.sql or --database-url-env DATABASE_URL, or set `[schema] paths` in schemalint.toml",
            "no schema to check against"
        ));
    }
    schema::load_ddl_paths(&plan.schema_paths, &plan.search_path).map_err(|e| miette!("{e}"))
}

fn run_snapshot(args: &CheckArgs, output: &Path) -> Result<Outcome, Error> {
    let plan = plan_check(args)?;
    let loaded = load_schema(args, &plan)?;
    for w in &loaded.warnings {
        eprintln!("warning: {}: {}", render::display_path(&w.file), w.message);
    }
    schema::snapshot::write(&loaded.schema, output).map_err(|e| miette!("{e}"))?;
    let tables = loaded.schema.relations().count();
    eprintln!("wrote {} ({tables} relations)", output.display());
    Ok(Outcome::Clean)
}

/// A schema named on the `diff` command line: a database URL, or a path.
fn load_any(spec: &str, timeout: Option<u64>) -> Result<schema::Schema, Error> {
    if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
        let opts = connect_options(spec.to_string(), timeout, &[Ident::from("public")]);
        return schema::live::introspect(&opts).map_err(|e| miette!("{e}"));
    }
    if let Some(name) = spec.strip_prefix('$') {
        let url =
            std::env::var(name).map_err(|_| miette!("environment variable {name} is not set"))?;
        return load_any(&url, timeout);
    }
    let loaded = schema::load_ddl_paths(&[PathBuf::from(spec)], &[Ident::from("public")])
        .map_err(|e| miette!("{e}"))?;
    for w in &loaded.warnings {
        eprintln!("warning: {}: {}", render::display_path(&w.file), w.message);
    }
    Ok(loaded.schema)
}

fn run_diff(a: &str, b: &str, format: Format, timeout: Option<u64>) -> Result<Outcome, Error> {
    let (sa, sb) = (load_any(a, timeout)?, load_any(b, timeout)?);
    let changes = schema::diff::diff(&sa, &sb);
    let text = match format {
        Format::Json => {
            let v = serde_json::json!({ "version": 1, "drift": !changes.is_empty(), "changes": changes });
            serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
        }
        _ => {
            if changes.is_empty() {
                "No drift: the schemas match.\n".to_string()
            } else {
                let redacted_b = schema::live::redact_url(b);
                format!(
                    "{}\n{} difference(s). If {b_} is right, refresh the snapshot with:\n  schemalint snapshot --schema <source> -o <snapshot.json>\n  (or --database-url-env DATABASE_URL for a database)\n",
                    schema::diff::render_human(&changes),
                    changes.len(),
                    b_ = redacted_b
                )
            }
        }
    };
    render::write_stdout(&text).map_err(|e| miette!("could not write output: {e}"))?;
    Ok(if changes.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

/// `schemalint unused`: the "legacy table of unknown purpose" report.
fn run_unused(args: &CheckArgs) -> Result<Outcome, Error> {
    let mut plan = plan_check(args)?;
    plan.collect_references = true;
    let (loaded, files, walk_errors) = load_and_scan(args, &plan)?;
    let (report, walk_errors) = check_scanned(&plan, &loaded, files, walk_errors, None);
    let text = unused_report(&loaded.schema, &report, &plan.config.config.banned);
    render::write_stdout(&text).map_err(|e| miette!("could not write output: {e}"))?;
    for e in walk_errors
        .iter()
        .chain(report.file_errors.iter().map(|e| &e.message))
    {
        eprintln!("error: {e}");
    }
    let incomplete = !walk_errors.is_empty() || !report.file_errors.is_empty();
    Ok(if incomplete {
        Outcome::ToolError
    } else {
        Outcome::Clean
    })
}

fn unused_report(
    schema: &schema::Schema,
    report: &Report,
    banned: &std::collections::BTreeMap<String, String>,
) -> String {
    use check::Reference;
    let star = Ident::quoted("*");
    let used = |s: &Ident, t: &Ident, c: Option<&Ident>| {
        report.references.contains(&Reference {
            schema: s.clone(),
            table: t.clone(),
            column: c.cloned(),
        })
    };
    let mut tables = Vec::new();
    let mut columns = Vec::new();
    for (s, rel) in schema.relations() {
        if !used(s, &rel.name, None) {
            tables.push(format!("  {s}.{}", rel.name));
        } else if !used(s, &rel.name, Some(&star)) {
            for c in rel
                .columns
                .iter()
                .filter(|c| !used(s, &rel.name, Some(&c.name)))
            {
                columns.push(format!("  {s}.{}.{}", rel.name, c.name));
            }
        }
    }
    let banned_rules = rules::Banned::new(banned, schema);
    let mut still_used = Vec::new();
    for (s, rel) in schema.relations() {
        if let Some(reason) = banned_rules.table(Some(s), &rel.name) {
            if used(s, &rel.name, None) {
                let n = report
                    .diagnostics
                    .iter()
                    .filter(|d| {
                        d.rule == "banned-table" && d.message.contains(&format!("`{}`", rel.name))
                    })
                    .count();
                still_used.push(format!(
                    "  {s}.{} ({n} reference{}): {reason}",
                    rel.name,
                    if n == 1 { "" } else { "s" }
                ));
            }
        }
    }
    let section = |title: &str, items: &[String]| {
        if items.is_empty() {
            format!("{title}: none\n")
        } else {
            format!("{title} ({}):\n{}\n", items.len(), items.join("\n"))
        }
    };
    format!(
        "{}{}{}(from {} statements in {} files)\n",
        section("Tables no scanned code uses", &tables),
        section(
            "Columns no scanned code uses, in tables that are used",
            &columns
        ),
        section("Banned tables still in use", &still_used),
        report.statements_checked,
        report.files_scanned,
    )
}

fn run_init(force: bool) -> Result<Outcome, Error> {
    let cwd =
        std::env::current_dir().map_err(|e| miette!("cannot read the working directory: {e}"))?;
    let path = cwd.join(config::FILE_NAME);
    if path.exists() && !force {
        return Err(miette!(
            help = "pass --force to replace it",
            "{} already exists",
            config::FILE_NAME
        ));
    }
    let detected = init::detect(&cwd);
    atomic::write(&path, init::render(&detected).as_bytes())
        .map_err(|e| miette!("could not write {}: {e}", path.display()))?;
    match detected.schema_paths.first() {
        Some(p) => eprintln!("wrote {} (schema from {})", config::FILE_NAME, p.display()),
        None => eprintln!(
            "wrote {}: no schema found, set `[schema] paths` in it",
            config::FILE_NAME
        ),
    }
    Ok(Outcome::Clean)
}

fn run_rule(name: Option<&str>) -> Result<Outcome, Error> {
    let text = match name {
        Some(name) => {
            let rule: RuleId = name.parse().map_err(|e: String| {
                let names: Vec<&str> = RuleId::ALL.iter().map(|r| r.name()).collect();
                miette!(help = format!("rules: {}", names.join(", ")), "{e}")
            })?;
            rule.docs()
        }
        None => RuleId::ALL
            .iter()
            .map(|r| format!("{:<26}{}\n", r.name(), r.default_severity()))
            .collect(),
    };
    render::write_stdout(&text).map_err(|e| miette!("could not write output: {e}"))?;
    Ok(Outcome::Clean)
}

/// Everything `check` needs, resolved from the command line and the config.
pub struct CheckPlan {
    pub config: LoadedConfig,
    pub paths: Vec<PathBuf>,
    /// When set, only these files (absolute) are checked: `--changed-since`.
    pub only: Option<Vec<PathBuf>>,
    /// Record which tables and columns the code uses (`schemalint unused`).
    pub collect_references: bool,
    pub schema_paths: Vec<PathBuf>,
    pub search_path: Vec<Ident>,
    /// Draw a progress line on stderr for long runs in a terminal (not with `--quiet`).
    pub progress: bool,
}

pub fn plan_check(args: &CheckArgs) -> Result<CheckPlan, Error> {
    let cwd =
        std::env::current_dir().map_err(|e| miette!("cannot read the working directory: {e}"))?;
    let config = match &args.config {
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
    let base = config
        .base_dir()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| cwd.clone());
    let schema_paths: Vec<PathBuf> = if !args.schema.is_empty() {
        args.schema.clone()
    } else {
        config
            .config
            .schema
            .paths
            .iter()
            .map(|p| relative_to_cwd(&cwd, &base.join(p)))
            .collect()
    };
    let search_path = config
        .config
        .schema
        .search_path
        .as_ref()
        .map(|p| p.iter().map(|s| Ident::unquoted(s)).collect())
        .unwrap_or_else(|| vec![Ident::from("public")]);
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    Ok(CheckPlan {
        config,
        paths,
        only: None,
        progress: !args.quiet,
        collect_references: false,
        schema_paths,
        search_path,
    })
}

fn run_check(args: &CheckArgs) -> Result<Outcome, Error> {
    let mut plan = plan_check(args)?;
    narrow_to_changes(args, &mut plan)?;
    let verify_opts = if args.verify {
        let Some(url) = named_database_url(args, &plan)? else {
            return Err(miette!(
                help = "pass --database-url-env DATABASE_URL (or --database-url URL), or set `[schema] database-url-env` in schemalint.toml",
                "--verify needs a database to ask"
            ));
        };
        let timeout = args
            .connect_timeout
            .or(plan.config.config.schema.connect_timeout);
        Some(connect_options(url, timeout, &plan.search_path))
    } else {
        None
    };
    let verifier = |texts: &[&str]| {
        let opts = verify_opts.as_ref().expect("only called with --verify");
        schema::live::prepare_all(opts, texts).map_err(|e| format!("--verify: {e}"))
    };
    let (loaded, files, walk_errors) = load_and_scan(args, &plan)?;
    let (mut report, walk_errors) = check_scanned(
        &plan,
        &loaded,
        files,
        walk_errors,
        verify_opts
            .as_ref()
            .map(|_| &verifier as &check::Verifier<'_>),
    );

    if let Some(path) = &args.write_baseline {
        let n = baseline::write(&report, path).map_err(|e| miette!("{e}"))?;
        if !args.quiet {
            eprintln!("wrote {n} finding(s) to {}", path.display());
        }
        report.diagnostics.clear();
    } else if let Some(path) = &args.baseline {
        baseline::apply(&mut report, path).map_err(|e| miette!("{e}"))?;
    }

    let color = args.format == Format::Human
        && !args.no_color
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stdout().is_terminal();
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100);
    let mut text = render::render(&report, args.format, HumanOptions { color, width });
    if args.list_unchecked && args.format == Format::Human {
        text.push_str(&render::human::unchecked_list(&report));
    }
    render::write_stdout(&text).map_err(|e| miette!("could not write output: {e}"))?;

    let mut tool_errors = walk_errors;
    for e in &report.file_errors {
        tool_errors.push(format!("{}: {}", render::display_path(&e.path), e.message));
    }
    for e in &tool_errors {
        eprintln!("error: {e}");
    }
    let fail_on = args
        .fail_on
        .or(plan.config.config.fail_on)
        .unwrap_or(Severity::Error);
    Ok(if !tool_errors.is_empty() {
        Outcome::ToolError
    } else if report.diagnostics.iter().any(|d| d.severity >= fail_on) {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// Walk the paths, then read and extract every source file: the part of `check` that needs no
/// schema, so it runs while the schema loads. Returns the files and the walk's problems.
pub fn scan(plan: &CheckPlan) -> (Vec<check::Extracted>, Vec<String>) {
    let sources = &plan.config.config.sources;
    let cwd = std::env::current_dir().unwrap_or_default();
    let root = plan.config.base_dir().map(Path::to_path_buf).unwrap_or(cwd);
    // Files under the schema paths (migrations, the dump, the snapshot) are schema, not code.
    let (mut files, walk_errors) = walk::discover(
        &plan.paths,
        &walk::WalkOptions {
            root: &root,
            include: &sources.include,
            exclude: &sources.exclude,
            skip: &plan.schema_paths,
        },
    );
    if let Some(only) = &plan.only {
        files.retain(|f| only.contains(&walk::normalize(&f.path)));
    }
    let progress = progress::Progress::start(files.len(), "files", plan.progress);
    let extracted = check::extract_files(&files, sources, Some(progress.counter()));
    progress.finish();
    let walk_errors = walk_errors
        .into_iter()
        .map(|e| match e.path {
            Some(p) => format!("{}: {}", render::display_path(&p), e.message),
            None => e.message,
        })
        .collect();
    (extracted, walk_errors)
}

/// Load the schema and scan the sources at the same time.
fn load_and_scan(
    args: &CheckArgs,
    plan: &CheckPlan,
) -> Result<(LoadedSchema, Vec<check::Extracted>, Vec<String>), Error> {
    let (loaded, (extracted, walk_errors)) =
        check::run_with_big_stacks(|| rayon::join(|| load_schema(args, plan), || scan(plan)));
    Ok((loaded?, extracted, walk_errors))
}

/// Check scanned files against a loaded schema (and the database, with a verifier); schema
/// warnings become `unsupported-ddl` findings. Returns the report and the tool errors.
pub fn check_scanned(
    plan: &CheckPlan,
    loaded: &LoadedSchema,
    files: Vec<check::Extracted>,
    mut walk_errors: Vec<String>,
    verifier: Option<&check::Verifier<'_>>,
) -> (Report, Vec<String>) {
    let settings = RuleSettings::new(&plan.config.config.rules);
    let banned = Banned::new(&plan.config.config.banned, &loaded.schema);
    let checker = Checker {
        schema: &loaded.schema,
        banned,
        settings,
        sources: &plan.config.config.sources,
        collect_references: plan.collect_references,
    };
    let mut verify_error = None;
    let mut report = match verifier {
        None => checker.check_extracted(files),
        Some(verifier) => checker
            .check_and_verify(files, verifier)
            .unwrap_or_else(|e| {
                verify_error = Some(e);
                Report::default()
            }),
    };
    if let Some(severity) = checker.settings.severity(RuleId::UnsupportedDdl) {
        let warnings = loaded
            .warnings
            .iter()
            .map(|w| {
                let mut d = Diagnostic::new(
                    rules::UnsupportedDdl::NAME,
                    severity,
                    w.message.clone(),
                    w.span,
                )
                .with_label("not applied to the schema")
                .with_help(Some(
                    "later checks may be wrong about what this statement changes".into(),
                ));
                d.file = w.file.clone();
                d
            })
            .collect();
        report.extend_with_sources(warnings);
    }
    walk_errors.extend(verify_error);
    (report, walk_errors)
}

/// Pre-commit passes changed files; `--changed-since` asks git. Either way, a change to the
/// schema (a DDL file, a migration) or to the config can break any query: check everything.
fn narrow_to_changes(args: &CheckArgs, plan: &mut CheckPlan) -> Result<(), Error> {
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
    let mut files: Vec<PathBuf> = git(&["diff", "--name-only", "-z", rev, "--"])?
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

fn absolute(cwd: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.join(p)
    }
}

/// Shorten a path under the working directory to a relative one, for display and matching.
fn relative_to_cwd(cwd: &Path, p: &Path) -> PathBuf {
    let clean: PathBuf = p
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
    clean
        .strip_prefix(cwd)
        .map(Path::to_path_buf)
        .unwrap_or(clean)
}
