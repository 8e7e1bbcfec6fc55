//! `schemalint report`: the table consolidation report for each config's part of the run
//! (the nearest `schemalint.toml` above each file, as `check` does), each against its own
//! schema, with row statistics from a live database; `--write-config` adds the suggested
//! `[banned]` lines to the governing config. The report itself is built in [`crate::report`].

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use miette::{miette, Report as Error};
use serde::Serialize;

use super::plan::{plan_checks, CheckPlan};
use super::schema_source::{connect_options, database_url, load_schema, timeouts};
use super::stages::{check_scanned, ddl_of, scan, sql_files_elsewhere};
use super::Outcome;
use crate::check;
use crate::cli::{CheckArgs, ReportArgs, ReportFormat};
use crate::render;
use crate::report::{banned_line, build, human, json_parts, markdown, Plan};
use crate::rules::Banned;
use crate::schema::live::Stats;
use crate::schema::{self, LoadedSchema};

/// `schemalint report`: one plan per `schemalint.toml` that governs some of the files (the
/// nearest config above each file, as `check` does; `--config` forces one), each against its
/// own schema.
pub fn run(args: &ReportArgs) -> Result<Outcome, Error> {
    let check_args = CheckArgs::from_schema(
        args.paths.clone(),
        crate::cli::SchemaArgs {
            schema: args.source.schema.clone(),
            database_url: args.source.database_url.clone(),
            database_url_env: args.source.database_url_env.clone(),
            connect_timeout: args.source.connect_timeout,
            query_timeout: args.source.query_timeout,
            config: args.source.config.clone(),
        },
        args.quiet,
    );
    let plans = plan_checks(&check_args)?;
    let single = plans.len() == 1;
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut parts: Vec<(Plan, Option<PathBuf>)> = Vec::new();
    let mut run_errors = Vec::new();
    for mut plan in plans {
        // Files under no config (a monorepo root's scripts): SQL in them is not checked.
        if plan.is_ungoverned(single) {
            let mut unchecked = check::Report::default();
            super::check::report_unchecked_sql(&plan, &mut unchecked);
            run_errors.extend(unchecked.run_errors);
            continue;
        }
        plan.collect_table_uses = true;
        // The report reads which code uses which table, never the findings: no rule runs
        // (a fifth of check's work on statements).
        plan.config.config.rules = crate::rules::RuleId::ALL
            .iter()
            .map(|r| (r.name().to_string(), crate::config::RuleLevel::Off))
            .collect();
        // One config's plan: paths relative to its directory; several: to the working
        // directory, so that every link in the document resolves from one place.
        let root = if single {
            project_root(&plan)
        } else {
            cwd.clone()
        };
        match plan_one(&check_args, &plan, &root) {
            Ok(mut built) => {
                built.config = plan.config.path.as_deref().map(render::display_path);
                parts.push((built, plan.config.path.clone()));
            }
            // One package that cannot be reported on doesn't hide the others.
            Err(e) if !single => {
                let label = plan.label();
                run_errors.push(format!("{label}: {e}"));
            }
            Err(e) => return Err(e),
        }
    }
    let mut each: Vec<&mut Plan> = parts.iter_mut().map(|(p, _)| p).collect();
    crate::report::note_used_elsewhere(&mut each);
    let plans: Vec<&Plan> = parts.iter().map(|(p, _)| p).collect();
    // On the pool: the JSON tables are written in parallel.
    let text = check::run_with_big_stacks(|| match args.format {
        ReportFormat::Human => vec![join_sections(&plans, human, "\n")],
        ReportFormat::Markdown => vec![join_sections(&plans, markdown, "\n---\n\n")],
        ReportFormat::Json => json_all(&plans, single, &run_errors),
    });
    render::write_stdout_parts(&text).map_err(|e| miette!("could not write output: {e}"))?;
    let mut incomplete = !run_errors.is_empty();
    for p in &plans {
        incomplete |= !p.tool_errors.is_empty();
        for e in &p.tool_errors {
            eprintln!("error: {}", render::escape_terminal(e, false));
        }
    }
    for e in &run_errors {
        eprintln!("error: {}", render::escape_terminal(e, false));
    }
    if args.write_config {
        write_config(&parts)?;
    }
    // Plain data, and the process ends now: freeing every table's report allocation by
    // allocation cost 5M instructions on the 1M tree, on the main thread alone.
    std::mem::forget(parts);
    Ok(if incomplete {
        Outcome::ToolError
    } else {
        Outcome::Clean
    })
}

/// The report of one config's part of the run: its schema (with statistics from a live
/// database) loaded while its files are scanned, as in `check`.
fn plan_one(check_args: &CheckArgs, plan: &CheckPlan, root: &Path) -> Result<Plan, Error> {
    let (loaded, ((files, walk_errors), elsewhere)) = check::run_with_big_stacks(|| {
        rayon::join(
            || load_schema_with_stats(check_args, plan),
            || rayon::join(|| scan(plan), || sql_files_elsewhere(plan)),
        )
    });
    let (mut loaded, stats, source) = loaded?;
    // Tables the code itself creates are in the schema `check` checks against.
    check::apply_code_ddl(&mut loaded, &files);
    check::apply_code_ddl(&mut loaded, &ddl_of(plan, elsewhere, &files));
    for w in &loaded.warnings {
        let line = format!("{}: {}", render::display_path(&w.file), w.message);
        eprintln!("warning: {}", render::escape_terminal(&line, false));
    }
    let report = check_scanned(plan, &loaded, files, walk_errors, None);
    let banned = Banned::new(&plan.config.config.banned, &loaded.schema);
    // On the pool: the tables are reported in parallel.
    let built = check::run_with_big_stacks(|| {
        build(
            &loaded.schema,
            stats.as_ref(),
            &report,
            &banned,
            root,
            source,
        )
    });
    // Plain data (no file or connection is held), and the process ends once the document is
    // written: freeing every statement's table uses and the schema allocation by allocation
    // cost 19M instructions on the 1M-line bench tree, on the main thread alone (1.3% of the
    // run, with the other cores idle).
    std::mem::forget((report, loaded));
    Ok(built)
}

/// Several configs: one section each, headed by its config.
fn join_sections(plans: &[&Plan], render: fn(&Plan) -> String, between: &str) -> String {
    if plans.len() == 1 {
        return render(plans[0]);
    }
    let mut out = String::new();
    for (i, p) in plans.iter().enumerate() {
        if i > 0 {
            out.push_str(between);
        }
        let text = render(p);
        match &p.config {
            // Markdown: the title names the package; human: a header line.
            Some(c) if text.starts_with("# ") => {
                let (title, rest) = text.split_once('\n').unwrap_or((&text, ""));
                let _ = write!(out, "{title}: `{c}`\n{rest}");
            }
            Some(c) => {
                let _ = write!(out, "== {c} ==\n{text}");
            }
            None => out.push_str(&text),
        }
    }
    out
}

/// JSON, in parts written one after the other: the plan itself for one config; several as
/// `{"version":1,"packages":[...]}`, each with its `config`. Run errors (SQL under no
/// config, a package that failed) are the document's `tool_errors`.
fn json_all(plans: &[&Plan], single: bool, run_errors: &[String]) -> Vec<String> {
    if single && plans.len() == 1 {
        return json_parts(plans[0]);
    }
    #[derive(Serialize)]
    struct Packages<'a> {
        version: u32,
        packages: &'a [&'a Plan],
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        tool_errors: &'a [String],
    }
    let doc = Packages {
        version: 1,
        packages: plans,
        tool_errors: run_errors,
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_else(|e| {
        format!("{{\"version\":1,\"tool_errors\":[\"could not serialize the report: {e}\"]}}")
    });
    s.push('\n');
    vec![s]
}

/// `--write-config`: each part's `[banned]` suggestions into the config that governs it.
fn write_config(parts: &[(Plan, Option<PathBuf>)]) -> Result<(), Error> {
    for (plan, config) in parts {
        let entries: Vec<(String, String)> = plan
            .suggestions
            .iter()
            .filter_map(|s| s.entry.clone())
            .collect();
        let Some(path) = config else {
            if entries.is_empty() {
                eprintln!("--write-config: nothing to add");
                continue;
            }
            return Err(miette!(
                help = "run `schemalint init` to write one, or pass --config FILE",
                "--write-config: no schemalint.toml to add the {} [banned] line(s) to",
                entries.len()
            ));
        };
        let shown = render::display_path(path);
        let edit = crate::config::edit::add_banned(path, &entries).map_err(|e| miette!("{e}"))?;
        if edit.added.is_empty() {
            eprintln!("{shown}: nothing to add");
        }
        for (key, reason) in &edit.added {
            eprintln!(
                "{shown}: added [banned] {}",
                render::escape_terminal(&banned_line(key, reason), false)
            );
        }
        for key in &edit.kept {
            eprintln!("{shown}: kept the existing [banned] entry for `{key}`");
        }
    }
    Ok(())
}

/// The project root: the config's directory, else the working directory.
fn project_root(plan: &CheckPlan) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    match plan.config.base_dir() {
        Some(dir) if dir.is_absolute() => dir.to_path_buf(),
        Some(dir) => cwd.join(dir),
        None => cwd,
    }
}

/// The schema as `check` loads it; from a live database, with its statistics read in the
/// same transaction.
fn load_schema_with_stats(
    args: &CheckArgs,
    plan: &CheckPlan,
) -> Result<(LoadedSchema, Option<Stats>, String), Error> {
    if let Some(url) = database_url(args, plan)? {
        let source = format!("live database {}", schema::live::display_connection(&url));
        let opts = connect_options(url, timeouts(args, plan), &plan.search_path);
        let (schema, stats) =
            schema::live::introspect_with_stats(&opts).map_err(|e| miette!("{e}"))?;
        let loaded = LoadedSchema {
            schema,
            warnings: Vec::new(),
            files: Vec::new(),
        };
        return Ok((loaded, Some(stats), source));
    }
    let (loaded, source) = load_schema(args, plan)?;
    Ok((loaded, None, source))
}
