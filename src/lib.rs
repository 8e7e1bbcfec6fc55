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
pub mod report;
pub mod resolve;
pub mod rules;
pub mod schema;
pub mod sql;
pub mod suppress;
pub mod user_file;
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
        Command::Check(args) => run_check(&args).or_else(|e| report_in_format(&args, e)),
        Command::Rule { name } => run_rule(name.as_deref()),
        Command::Init { force } => run_init(force),
        Command::Unused(args) => {
            run_unused(&CheckArgs::from_schema(args.paths, args.source, args.quiet))
        }
        Command::Report(args) => report::run_report(&args),
        Command::Snapshot { source, output } => {
            run_snapshot(&CheckArgs::from_schema(Vec::new(), source, true), &output)
        }
        Command::Diff {
            a,
            b,
            format,
            connect_timeout,
            query_timeout,
        } => run_diff(&a, &b, format, connect_timeout, query_timeout),
    }
}

/// A run that could not start (bad config, no schema, unreachable database) still gives a
/// machine format a valid document that carries the error (a SARIF log with the error in its
/// invocation, a JSON report with `tool_errors`, a `::error::` line), so a CI upload step never
/// meets an empty file. The error goes to stderr as usual; exit code 2.
fn report_in_format(args: &CheckArgs, error: Error) -> Result<Outcome, Error> {
    if args.format == Format::Human {
        return Err(error);
    }
    let report = Report::failed(error.to_string());
    let text = render::render(&report, args.format, HumanOptions::default());
    // The document is the best effort; the error itself is what matters.
    let _ = render::write_stdout(&text);
    Err(error)
}

/// Where the schema comes from, by the one precedence rule (README, "Schema sources"):
/// the command line (`--schema`, then `--database-url[-env]`) over `[schema] paths` over the
/// config's `database-url-env`. A URL in the environment never silently replaces configured
/// paths; `--verify` asks the database beside them.
fn database_url(args: &CheckArgs, plan: &CheckPlan) -> Result<Option<String>, Error> {
    if !args.schema.is_empty() {
        return Ok(None);
    }
    if args.database_url.is_some() || args.database_url_env.is_some() {
        return named_database_url(args, plan);
    }
    if !plan.schema_paths.is_empty() {
        return Ok(None);
    }
    named_database_url(args, plan)
}

/// The database named by `--database-url`, `--database-url-env` or the config (the variable
/// from the environment, or from the project's `.env.local`/`.env`). `--verify` asks it even
/// when files give the schema (checking against the migrations and verifying against a
/// database is a sensible pair).
fn named_database_url(args: &CheckArgs, plan: &CheckPlan) -> Result<Option<String>, Error> {
    if let Some(url) = &args.database_url {
        return Ok(Some(url.clone()));
    }
    let dir = project_dir(plan);
    if let Some(name) = &args.database_url_env {
        return config::env_var(name, &dir).map(Some).ok_or_else(|| {
            miette!("environment variable {name} (from --database-url-env) is not set")
        });
    }
    let name = plan.config.config.schema.database_url_env.as_ref();
    Ok(name.and_then(|name| config::env_var(name, &dir)))
}

/// The project's directory: the config's, else the working directory.
fn project_dir(plan: &CheckPlan) -> PathBuf {
    plan.config
        .base_dir()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| std::env::current_dir().unwrap_or_default())
}

/// Connection settings: the connect timeout and the query timeout (`--connect-timeout`,
/// `--query-timeout`, else the config's, else the defaults) and the search path.
fn connect_options(
    url: String,
    timeouts: (Option<u64>, Option<u64>),
    search_path: &[Ident],
) -> schema::live::ConnectOptions {
    let mut opts = schema::live::ConnectOptions::new(url);
    if let Some(t) = timeouts.0 {
        opts.connect_timeout = std::time::Duration::from_secs(t.max(1));
    }
    if let Some(t) = timeouts.1 {
        opts = opts.with_query_timeout(std::time::Duration::from_secs(t.max(1)));
    }
    opts.search_path = search_path.to_vec();
    opts
}

/// `--connect-timeout`/`--query-timeout`, falling back to `[schema]`.
fn timeouts(args: &CheckArgs, plan: &CheckPlan) -> (Option<u64>, Option<u64>) {
    let schema = &plan.config.config.schema;
    (
        args.connect_timeout.or(schema.connect_timeout),
        args.query_timeout.or(schema.query_timeout),
    )
}

/// The schema for `check`, `unused` and `snapshot`: a live database or DDL/snapshot files,
/// with the config's version and external schemas, and a description of the source for the
/// summary line.
fn load_schema(args: &CheckArgs, plan: &CheckPlan) -> Result<SchemaWithSource, Error> {
    let (mut loaded, source) = load_schema_sources(args, plan)?;
    let config = &plan.config.config.schema;
    if config.postgres_version.is_some() {
        loaded.schema.postgres_version = config.postgres_version;
    }
    loaded.schema.external_schemas = config
        .external_schemas
        .iter()
        .map(|s| Ident::unquoted(s))
        .collect();
    Ok((loaded, source))
}

fn load_schema_sources(args: &CheckArgs, plan: &CheckPlan) -> Result<SchemaWithSource, Error> {
    if let Some(url) = database_url(args, plan)? {
        let source = format!("live database {}", schema::live::display_connection(&url));
        let opts = connect_options(url, timeouts(args, plan), &plan.search_path);
        let schema = schema::live::introspect(&opts).map_err(|e| miette!("{e}"))?;
        let loaded = LoadedSchema {
            schema,
            warnings: Vec::new(),
            files: Vec::new(),
        };
        return Ok((loaded, source));
    }
    if plan.schema_paths.is_empty() {
        return Err(miette!(
            help = "pass --schema db/schema.sql or --database-url-env DATABASE_URL, or set `[schema] paths` in schemalint.toml",
            "no schema to check against"
        ));
    }
    let loaded = schema::load_ddl_paths_in(
        &plan.schema_paths,
        &plan.search_path,
        plan.schema_root.as_deref(),
    )
    .map_err(|e| miette!("{e}"))?;
    let source = describe_paths(&plan.schema_paths, loaded.files.len());
    Ok((loaded, source))
}

/// `db/migrations (44 files)`, `db/schema.sql`, `a.sql, db/migrations (12 files)`.
fn describe_paths(paths: &[PathBuf], files: usize) -> String {
    let shown: Vec<String> = paths.iter().map(|p| render::display_path(p)).collect();
    if files == paths.len() && paths.iter().all(|p| p.is_file()) {
        shown.join(", ")
    } else {
        let noun = if files == 1 { "file" } else { "files" };
        format!("{} ({files} {noun})", shown.join(", "))
    }
}

fn run_snapshot(args: &CheckArgs, output: &Path) -> Result<Outcome, Error> {
    let plan = plan_check(args)?;
    let (loaded, _) = load_schema(args, &plan)?;
    for w in &loaded.warnings {
        let line = format!("{}: {}", render::display_path(&w.file), w.message);
        eprintln!("warning: {}", render::escape_terminal(&line, false));
    }
    let tables = loaded.schema.relations().count();
    // `-o -`: standard output, as usual for a command-line tool (not a file named `-`).
    if output == Path::new("-") {
        render::write_stdout(&schema::snapshot::to_string(&loaded.schema))
            .map_err(|e| miette!("could not write output: {e}"))?;
        eprintln!("wrote the snapshot to standard output ({tables} relations)");
        return Ok(Outcome::Clean);
    }
    schema::snapshot::write(&loaded.schema, output).map_err(|e| miette!("{e}"))?;
    eprintln!("wrote {} ({tables} relations)", output.display());
    Ok(Outcome::Clean)
}

/// A schema named on the `diff` command line: a connection string (a URL or libpq
/// key=value pairs), `$NAME` for one in the environment, or a path. A connection string is
/// never echoed, not even as a path that does not exist.
fn load_any(spec: &str, timeouts: (Option<u64>, Option<u64>)) -> Result<schema::Schema, Error> {
    if schema::conninfo::looks_like_connection_string(spec) {
        let opts = connect_options(spec.to_string(), timeouts, &[Ident::from("public")]);
        return schema::live::introspect(&opts).map_err(|e| miette!("{e}"));
    }
    if let Some(name) = spec.strip_prefix('$') {
        let url =
            std::env::var(name).map_err(|_| miette!("environment variable {name} is not set"))?;
        return load_any(&url, timeouts);
    }
    let path = Path::new(spec);
    if !path.exists() && (spec.contains('=') || spec.contains("://") || spec.contains('@')) {
        // Not a path we can read, and it may hold a secret: say so without its text.
        return Err(miette!(
            help = "a connection string is a postgres:// URL or libpq key=value pairs such as `host=... dbname=...`",
            "schema source (not shown) is neither an existing path nor a connection string"
        ));
    }
    let loaded = schema::load_ddl_paths(&[PathBuf::from(spec)], &[Ident::from("public")])
        .map_err(|e| miette!("{e}"))?;
    for w in &loaded.warnings {
        let line = format!("{}: {}", render::display_path(&w.file), w.message);
        eprintln!("warning: {}", render::escape_terminal(&line, false));
    }
    Ok(loaded.schema)
}

fn run_diff(
    a: &str,
    b: &str,
    format: Format,
    connect_timeout: Option<u64>,
    query_timeout: Option<u64>,
) -> Result<Outcome, Error> {
    let timeouts = (connect_timeout, query_timeout);
    let (sa, sb) = (load_any(a, timeouts)?, load_any(b, timeouts)?);
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
                let shown_b = if schema::conninfo::looks_like_connection_string(b) {
                    schema::live::display_connection(b)
                } else {
                    b.to_string()
                };
                format!(
                    "{}\n{} difference(s). If {shown_b} is right, refresh the snapshot with:\n  schemalint snapshot --schema <source> -o <snapshot.json>\n  (or --database-url-env DATABASE_URL for a database)\n",
                    schema::diff::render_human(&changes),
                    changes.len(),
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
    let ((loaded, _), files, walk_errors) = load_and_scan(args, &plan)?;
    let report = check_scanned(&plan, &loaded, files, walk_errors, None);
    let text = unused_report(&loaded.schema, &report, &plan.config.config.banned);
    render::write_stdout(&text).map_err(|e| miette!("could not write output: {e}"))?;
    for e in render::tool_error_lines(&report) {
        eprintln!("error: {}", render::escape_terminal(&e, false));
    }
    Ok(if report.is_incomplete() {
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
    // Sequences are read through nextval() far more than as relations: not "unused tables".
    for (s, rel) in schema
        .relations()
        .filter(|(_, r)| r.kind != schema::RelationKind::Sequence)
    {
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
    let detected = init::detect(&cwd);
    for c in &detected.candidates {
        eprintln!("found {:<12} {}", c.kind.to_string(), c.path.display());
    }
    // A workspace whose packages have schemas of their own gets a config per package: each
    // file is checked with the nearest config above it.
    let packages = init::packages(&detected);
    let targets: Vec<(PathBuf, init::Detected)> = if packages.is_empty() {
        vec![(cwd.clone(), detected)]
    } else {
        packages
            .into_iter()
            .map(|(pkg, paths)| {
                let one = init::Detected {
                    schema_paths: paths,
                    database_url_env: detected.database_url_env.clone(),
                    candidates: Vec::new(),
                };
                (cwd.join(pkg), one)
            })
            .collect()
    };
    // Refuse before writing anything: a half-done init is worse than none.
    for (dir, _) in &targets {
        let path = dir.join(config::FILE_NAME);
        // A dangling symlink is something too: never replaced without --force.
        if path.symlink_metadata().is_ok() && !force {
            return Err(miette!(
                help = "pass --force to replace it",
                "{} already exists",
                relative_to_cwd(&cwd, &path).display()
            ));
        }
    }
    for (dir, detected) in &targets {
        let path = dir.join(config::FILE_NAME);
        atomic::write(&path, init::render(detected).as_bytes())
            .map_err(|e| miette!("could not write {}: {e}", path.display()))?;
        let shown = relative_to_cwd(&cwd, &path);
        if detected.schema_paths.is_empty() {
            eprintln!(
                "wrote {}: no schema found, set `[schema] paths` in it",
                shown.display()
            );
        } else {
            let paths: Vec<String> = detected
                .schema_paths
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            eprintln!(
                "wrote {} (schema from {})",
                shown.display(),
                paths.join(", ")
            );
        }
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
        None => {
            let width = RuleId::ALL
                .iter()
                .map(|r| r.name().len())
                .max()
                .unwrap_or(0)
                + 2;
            RuleId::ALL
                .iter()
                .map(|r| format!("{:<width$}{}\n", r.name(), r.default_severity()))
                .collect()
        }
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
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    Ok(plan_for(args, config, paths, &cwd))
}

/// The plan for one config: its schema paths (or `--schema`), search path and settings.
fn plan_for(args: &CheckArgs, config: LoadedConfig, paths: Vec<PathBuf>, cwd: &Path) -> CheckPlan {
    let base = config
        .base_dir()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| cwd.to_path_buf());
    let schema_paths: Vec<PathBuf> = if !args.schema.is_empty() {
        args.schema.clone()
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
        schema_root: args.schema.is_empty().then(|| base.clone()),
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
    if args.config.is_some() {
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
    let configs: std::collections::BTreeSet<Option<PathBuf>> =
        walked.files().map(|f| governing.of(&f.path)).collect();
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

/// `check --show-settings`: what each config's part of the run would use, resolved.
fn show_settings(args: &CheckArgs, plans: &[CheckPlan]) -> Result<Outcome, Error> {
    let mut out = String::new();
    for plan in plans {
        let c = &plan.config.config;
        let config = plan
            .config
            .path
            .as_deref()
            .map_or("(none)".to_string(), render::display_path);
        let schema = if let Some(url) = database_url(args, plan)? {
            format!("live database {}", schema::live::display_connection(&url))
        } else if plan.schema_paths.is_empty() {
            "(none)".to_string()
        } else {
            plan.schema_paths
                .iter()
                .map(|p| render::display_path(p))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let list = |v: &[String]| format!("[{}]", v.join(", "));
        let search: Vec<String> = plan.search_path.iter().map(|i| i.to_string()).collect();
        out.push_str(&format!(
            "config: {config}
"
        ));
        if plan.governed_only {
            out.push_str(
                "  governs: the files below it that no nearer schemalint.toml governs
",
            );
        }
        out.push_str(&format!(
            "  schema: {schema}
"
        ));
        out.push_str(&format!(
            "  search-path: {}
",
            list(&search)
        ));
        out.push_str(&format!(
            "  database-url-env: {}
",
            c.schema.database_url_env.as_deref().unwrap_or("(none)")
        ));
        out.push_str(&format!(
            "  sources: tags = {}, functions = {}, include = {}, exclude = {}
",
            list(&c.sources.tags),
            list(&c.sources.functions),
            list(&c.sources.include),
            list(&c.sources.exclude)
        ));
        let settings = RuleSettings::new(&c.rules);
        let rules: Vec<String> = RuleId::ALL
            .iter()
            .map(|r| {
                let level = settings
                    .severity(*r)
                    .map_or("off".to_string(), |s| s.to_string());
                format!("{}={level}", r.name())
            })
            .collect();
        out.push_str(&format!(
            "  rules: {}
",
            rules.join(", ")
        ));
        let fail_on = args.fail_on.or(c.fail_on).unwrap_or(Severity::Error);
        out.push_str(&format!(
            "  fail-on: {fail_on}
"
        ));
        let banned: Vec<&String> = c.banned.keys().collect();
        if !banned.is_empty() {
            let banned: Vec<String> = banned.into_iter().cloned().collect();
            out.push_str(&format!(
                "  banned: {}
",
                list(&banned)
            ));
        }
    }
    render::write_stdout(&out).map_err(|e| miette!("could not write output: {e}"))?;
    Ok(Outcome::Clean)
}

/// Files under no `schemalint.toml` in a monorepo (with no `--schema`): nothing to check them
/// against. Files without SQL are certainly irrelevant; SQL found in the others is a tool
/// error that says where, so no statement goes unchecked in silence.
fn report_unchecked_sql(plan: &CheckPlan, report: &mut Report) {
    let (files, _) = scan(plan);
    let with_sql: Vec<&check::Extracted> =
        files.iter().filter(|f| !f.embedded().is_empty()).collect();
    let statements: usize = with_sql.iter().map(|f| f.embedded().len()).sum();
    if statements > 0 {
        let shown: Vec<String> = with_sql
            .iter()
            .take(3)
            .map(|f| render::display_path(f.path()))
            .collect();
        report.run_errors.push(format!(
            "{statements} piece(s) of SQL in {} file(s) under no schemalint.toml were not checked ({}{}): run `schemalint init` there, or pass --schema or --config",
            with_sql.len(),
            shown.join(", "),
            if with_sql.len() > 3 { ", ..." } else { "" }
        ));
    }
}

/// One config's part of `check`: narrow to changes, load its schema while its files are
/// scanned, check (and verify), and say what the schema came from.
fn check_plan(args: &CheckArgs, plan: &mut CheckPlan) -> Result<Report, Error> {
    narrow_to_changes(args, plan)?;
    let plan = &*plan;
    let verify_opts = if args.verify {
        let Some(url) = named_database_url(args, plan)? else {
            return Err(miette!(
                help = "pass --database-url-env DATABASE_URL (or --database-url URL), or set `[schema] database-url-env` in schemalint.toml",
                "--verify needs a database to ask"
            ));
        };
        Some(connect_options(
            url,
            timeouts(args, plan),
            &plan.search_path,
        ))
    } else {
        None
    };
    // The static schema is the verifying database itself when no schema files are used.
    let same_database = database_url(args, plan)?.is_some();
    let verifier = |texts: &[&str]| match verify_opts.as_ref() {
        Some(opts) => schema::live::prepare_each(opts, texts),
        None => schema::live::Verification {
            verdicts: Vec::new(),
            failure: None,
        },
    };
    let ((loaded, schema_source), files, walk_errors) = load_and_scan(args, plan)?;
    let mut report = check_scanned(
        plan,
        &loaded,
        files,
        walk_errors,
        verify_opts.as_ref().map(|_| check::Verify {
            ask: &verifier,
            same_database,
        }),
    );
    report.schema_source = Some(schema_source);
    if let Some(summary) = &report.verified {
        for w in summary.warnings() {
            eprintln!("warning: {w}");
        }
    }
    Ok(report)
}

fn run_check(args: &CheckArgs) -> Result<Outcome, Error> {
    if args.statistics && !matches!(args.format, Format::Human | Format::Concise) {
        return Err(miette!(
            "--statistics prints a table for people; it does not combine with --format {}",
            format!("{:?}", args.format).to_lowercase()
        ));
    }
    let plans = plan_checks(args)?;
    if args.show_settings {
        return show_settings(args, &plans);
    }
    if !args.quiet {
        for path in args.paths.iter().filter(|p| walk::is_unread_file(p)) {
            eprintln!(
                "note: {}: skipped, not a file type schemalint reads (.sql, .ts, .tsx, .js, .jsx, .mjs, .cjs, .mts, .cts, .rs)",
                render::display_path(path)
            );
        }
    }
    let single = plans.len() == 1;
    let mut report = Report::default();
    let mut baseline_root = None;
    // `fail-on` from the command line, else from the first config (the nearest to the first path).
    let mut fail_on = args.fail_on;
    for mut plan in plans {
        if !single && plan.config.path.is_none() && plan.schema_paths.is_empty() {
            report_unchecked_sql(&plan, &mut report);
            continue;
        }
        baseline_root.get_or_insert_with(|| walk::normalize(&project_dir(&plan)));
        fail_on = fail_on.or(plan.config.config.fail_on);
        let label = plan
            .config
            .path
            .as_deref()
            .map(render::display_path)
            .unwrap_or_else(|| "--schema".into());
        match check_plan(args, &mut plan) {
            Ok(part) => report.merge(part),
            // One package that cannot be checked doesn't hide the others' verdicts.
            Err(e) if !single => report.run_errors.push(format!("{label}: {e}")),
            Err(e) => return Err(e),
        }
    }

    let root = baseline_root.unwrap_or_else(|| walk::normalize(Path::new(".")));
    let partial = args.changed_since.is_some();
    if let Some(path) = &args.write_baseline {
        let n = baseline::write(&report, path, &root).map_err(|e| miette!("{e}"))?;
        if !args.quiet {
            eprintln!("wrote {n} finding(s) to {}", path.display());
        }
        report.diagnostics.clear();
    } else if let Some(path) = &args.baseline {
        let applied = baseline::apply(&mut report, path, &root).map_err(|e| miette!("{e}"))?;
        // Entries for findings that are gone keep hiding a finding that comes back the same:
        // say so, so the baseline gets pruned.
        if applied.stale > 0 && !args.quiet && !partial {
            eprintln!(
                "warning: {} baseline entr{} in {} match no finding any more (fixed?): run `schemalint check --write-baseline {}` to prune",
                applied.stale,
                if applied.stale == 1 { "y" } else { "ies" },
                path.display(),
                path.display()
            );
        }
    }

    let var = |name: &str| std::env::var(name).ok();
    let color = args.format == Format::Human
        && render::use_color(args.no_color, std::io::stdout().is_terminal(), var);
    let width = render::output_width(var);
    let mut text = if args.statistics {
        render::statistics::render(&report)
    } else {
        render::render(&report, args.format, HumanOptions { color, width })
    };
    if args.list_unchecked && matches!(args.format, Format::Human | Format::Concise) {
        text.push_str(&render::human::unchecked_list(&report));
    }
    render::write_stdout(&text).map_err(|e| miette!("could not write output: {e}"))?;

    for e in render::tool_error_lines(&report) {
        eprintln!("error: {}", render::escape_terminal(&e, false));
    }
    let fail_on = fail_on.unwrap_or(Severity::Error);
    Ok(if report.is_incomplete() {
        Outcome::ToolError
    } else if args.exit_zero {
        Outcome::Clean
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
    let options = walk::WalkOptions {
        root: &root,
        include: &sources.include,
        exclude: &sources.exclude,
        skip: &plan.schema_paths,
    };
    let (mut files, walk_errors) = match &plan.walked {
        // Without globs the walk does not depend on the root: `plan_checks`' walk is this one.
        Some(w)
            if w.paths == plan.paths
                && w.include.is_empty()
                && w.exclude.is_empty()
                && sources.include.is_empty()
                && sources.exclude.is_empty() =>
        {
            w.keep(&plan.schema_paths)
        }
        _ => walk::discover(&plan.paths, &options),
    };
    if let Some(only) = &plan.only {
        files.retain(|f| only.contains(&walk::normalize(&f.path)));
    }
    if plan.governed_only {
        let mine = plan.config.path.as_deref().map(walk::normalize);
        let mut governing = walk::NearestConfig::default();
        files.retain(|f| governing.of(&f.path) == mine);
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

/// A loaded schema and the description of where it came from, for the summary line.
type SchemaWithSource = (LoadedSchema, String);

/// Load the schema and scan the sources at the same time.
fn load_and_scan(
    args: &CheckArgs,
    plan: &CheckPlan,
) -> Result<(SchemaWithSource, Vec<check::Extracted>, Vec<String>), Error> {
    let (loaded, (extracted, walk_errors)) =
        check::run_with_big_stacks(|| rayon::join(|| load_schema(args, plan), || scan(plan)));
    let mut loaded = loaded?;
    check::apply_code_ddl(&mut loaded.0, &extracted);
    Ok((loaded, extracted, walk_errors))
}

/// Check scanned files against a loaded schema (and the database, with a verifier); schema
/// warnings become `unsupported-ddl` findings; the walk's problems and a failed verification
/// become the report's `run_errors`.
pub fn check_scanned(
    plan: &CheckPlan,
    loaded: &LoadedSchema,
    files: Vec<check::Extracted>,
    walk_errors: Vec<String>,
    verify: Option<check::Verify<'_>>,
) -> Report {
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
    let mut report = match verify {
        None => checker.check_extracted(files),
        Some(verify) => {
            let (report, error) = checker.check_and_verify(files, &verify);
            verify_error = error;
            report
        }
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
    report.run_errors = walk_errors;
    report.run_errors.extend(verify_error);
    report
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
