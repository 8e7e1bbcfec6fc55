//! `schemalint check`: plan the run (one part per governing config), check each part (scan,
//! load the schema, resolve and apply the rules, verify), merge, apply the baseline, render.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use miette::{miette, Report as Error};

use super::add_suppressions::{self, Added};
use super::plan::{narrow_to_changes, plan_checks, project_dir, CheckPlan};
use super::schema_source::{connect_options, database_url, named_database_url, timeouts};
use super::stages::{check_scanned, load_and_scan, scan};
use super::Outcome;
use crate::baseline;
use crate::check::{self, Report};
use crate::cli::CheckArgs;
use crate::diagnostic::Severity;
use crate::render::{self, Format, HumanOptions};
use crate::rules::{RuleId, RuleSettings};
use crate::schema;
use crate::walk;

/// `schemalint check`, stage by stage: the plan (which config governs which files), then each
/// config's part (discover and extract while its schema loads; resolve and the rules; verify;
/// suppressions), the baseline, the rendered report and the exit code.
pub fn run(args: &CheckArgs) -> Result<Outcome, Error> {
    reject_unrenderable(args)?;
    let plans = plan_checks(args)?;
    if args.show_settings {
        return show_settings(args, &plans);
    }
    note_unread_paths(args);
    let mut checked = check_parts(args, plans)?;
    apply_baseline(args, &mut checked)?;
    if let Some(added) = &checked.added {
        say_added(added);
    }
    render_report(args, &checked.report)?;
    Ok(outcome(args, &checked))
}

/// Every config's verdicts, merged, and what the run-wide steps need from the configs.
struct Checked {
    report: Report,
    /// The first config's directory: baselines store paths relative to it.
    baseline_root: PathBuf,
    /// `fail-on` from the command line, else from the first config (the nearest to the first
    /// path).
    fail_on: Severity,
    /// What `--add-suppressions` wrote.
    added: Option<Added>,
}

/// A run that could not start (bad config, no schema, unreachable database) still gives a
/// machine format a valid document that carries the error (a SARIF log with the error in its
/// invocation, a JSON report with `tool_errors`, a `::error::` line), so a CI upload step never
/// meets an empty file. The error goes to stderr as usual; exit code 2.
pub fn report_in_format(args: &CheckArgs, error: Error) -> Result<Outcome, Error> {
    if args.format == Format::Human {
        return Err(error);
    }
    let report = Report::failed(error.to_string());
    let text = render::render(&report, args.format, HumanOptions::default());
    // The document is the best effort; the error itself is what matters.
    let _ = render::write_stdout(&text);
    Err(error)
}

fn reject_unrenderable(args: &CheckArgs) -> Result<(), Error> {
    if args.statistics && !matches!(args.format, Format::Human | Format::Concise) {
        return Err(miette!(
            "--statistics prints a table for people; it does not combine with --format {}",
            format!("{:?}", args.format).to_lowercase()
        ));
    }
    Ok(())
}

/// A path named on the command line that no extractor reads is said, not silently dropped.
fn note_unread_paths(args: &CheckArgs) {
    if args.quiet {
        return;
    }
    for path in args.paths.iter().filter(|p| walk::is_unread_file(p)) {
        eprintln!(
            "note: {}: skipped, not a file type schemalint reads (.sql, .ts, .tsx, .js, .jsx, .mjs, .cjs, .mts, .cts, .rs)",
            render::display_path(path)
        );
    }
}

/// Check each config's part of the run. In a monorepo one package that cannot be checked
/// (its database is down, its config is bad) does not hide the others' verdicts.
fn check_parts(args: &CheckArgs, plans: Vec<CheckPlan>) -> Result<Checked, Error> {
    let single = plans.len() == 1;
    let mut report = Report::default();
    let mut baseline_root = None;
    let mut fail_on = args.fail_on;
    let mut added = Added::default();
    for mut plan in plans {
        if plan.is_ungoverned(single) {
            report_unchecked_sql(&plan, &mut report);
            continue;
        }
        baseline_root.get_or_insert_with(|| walk::normalize(&project_dir(&plan)));
        fail_on = fail_on.or(plan.config.config.fail_on);
        let label = plan.label();
        match check_plan(args, &mut plan) {
            Ok(mut part) => {
                if args.add_suppressions {
                    let done = add_suppressions::add(&mut part, &plan.config.config.sources);
                    added.merge(done);
                }
                report.merge(part)
            }
            Err(e) if !single => report.run_errors.push(format!("{label}: {e}")),
            Err(e) => return Err(e),
        }
    }
    Ok(Checked {
        report,
        baseline_root: baseline_root.unwrap_or_else(|| walk::normalize(Path::new("."))),
        fail_on: fail_on.unwrap_or(Severity::Error),
        added: args.add_suppressions.then_some(added),
    })
}

/// Files under no `schemalint.toml` in a monorepo (with no `--schema`): nothing to check them
/// against. Files without SQL are certainly irrelevant; SQL found in the others is a tool
/// error that says where, so no statement goes unchecked in silence.
pub(crate) fn report_unchecked_sql(plan: &CheckPlan, report: &mut Report) {
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
    // Plain data, and the process ends once the report is written: freeing the schema
    // allocation by allocation cost 1.7M instructions on the 1M-line bench tree, on the main
    // thread with the other cores idle.
    std::mem::forget(loaded);
    if let Some(summary) = &report.verified {
        for w in summary.warnings() {
            eprintln!("warning: {w}");
        }
    }
    Ok(report)
}

/// `--write-baseline` records today's findings; `--baseline` hides the recorded ones and says
/// how many entries match nothing any more.
fn apply_baseline(args: &CheckArgs, checked: &mut Checked) -> Result<(), Error> {
    let (report, root) = (&mut checked.report, &checked.baseline_root);
    if let Some(path) = &args.write_baseline {
        let n = baseline::write(report, path, root).map_err(|e| miette!("{e}"))?;
        if !args.quiet {
            eprintln!("wrote {n} finding(s) to {}", path.display());
        }
        report.diagnostics.clear();
    } else if let Some(path) = &args.baseline {
        let applied = baseline::apply(report, path, root).map_err(|e| miette!("{e}"))?;
        // Entries for findings that are gone keep hiding a finding that comes back the same:
        // say so, so the baseline gets pruned (not on a partial run, which sees few findings).
        let partial = args.changed_since.is_some();
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
    Ok(())
}

/// What `--add-suppressions` did, on stderr (the report on stdout holds what is left).
fn say_added(added: &Added) {
    eprintln!(
        "added {} suppression comment(s) for {} finding(s) in {} file(s); each says `{}`: write the reason there",
        added.comments,
        added.findings,
        added.files,
        crate::suppress::REASON_PLACEHOLDER
    );
    if added.unplaced > 0 {
        eprintln!(
            "note: {} finding(s) could not get a comment of their own (the statement starts inside another's line): they are reported below",
            added.unplaced
        );
    }
    if added.elsewhere > 0 {
        eprintln!(
            "note: {} finding(s) are not in scanned source files (a migration, a Cargo.toml): set their rule's level in schemalint.toml or use a baseline",
            added.elsewhere
        );
    }
    for (path, reason) in &added.refused {
        eprintln!(
            "note: {}: left unchanged: {}",
            render::display_path(path),
            render::escape_terminal(reason, false)
        );
    }
}

/// The report in the chosen format on stdout; tool errors on stderr.
fn render_report(args: &CheckArgs, report: &Report) -> Result<(), Error> {
    let var = |name: &str| std::env::var(name).ok();
    let color = args.format == Format::Human
        && render::use_color(args.no_color, std::io::stdout().is_terminal(), var);
    let width = render::output_width(var);
    let mut text = if args.statistics {
        render::statistics::render(report)
    } else {
        render::render(report, args.format, HumanOptions { color, width })
    };
    if args.list_unchecked && matches!(args.format, Format::Human | Format::Concise) {
        text.push_str(&render::human::unchecked_list(report));
    }
    render::write_stdout(&text).map_err(|e| miette!("could not write output: {e}"))?;
    for e in render::tool_error_lines(report) {
        eprintln!("error: {}", render::escape_terminal(&e, false));
    }
    Ok(())
}

fn outcome(args: &CheckArgs, checked: &Checked) -> Outcome {
    let report = &checked.report;
    if report.is_incomplete() {
        Outcome::ToolError
    } else if args.exit_zero {
        Outcome::Clean
    } else if report
        .diagnostics
        .iter()
        .any(|d| d.severity >= checked.fail_on)
    {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
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
