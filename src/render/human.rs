//! Human output: miette's graphical reports with a source snippet, a label on the exact
//! identifier and the help line; then a one-line summary.

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};

use super::{display_path, HumanOptions};
use crate::check::{Report, UncheckedStatus};
use crate::diagnostic::{Diagnostic, Origin, Severity};

pub fn render(report: &Report, options: HumanOptions) -> String {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(options.width)
        .with_links(false)
        .with_urls(false);
    let mut out = String::new();
    for d in &report.diagnostics {
        let Some(text) = report.source(&d.file) else {
            continue;
        };
        let miette_report = miette::Report::new(to_miette(d))
            .with_source_code(NamedSource::new(display_path(&d.file), text.clone()));
        // Writing into a String cannot fail.
        let _ = handler.render_report(&mut out, miette_report.as_ref());
    }
    out.push_str(&summary(report));
    out.push_str(&not_checked(report));
    out.push_str(&verified(report));
    out
}

/// What was not checked in full, one line per kind; one line per reason for SQL skipped as
/// being for another database; and a warning when source files held no SQL at all.
fn not_checked(report: &Report) -> String {
    let mut out = String::new();
    let mut parts = Vec::new();
    if report.statements_in_part > 0 {
        parts.push(format!(
            "{} checked in part (built at run time)",
            plural(report.statements_in_part, "statement")
        ));
    }
    if report.statements_skipped > 0 {
        parts.push(format!(
            "{} skipped (another database)",
            plural(report.statements_skipped, "statement")
        ));
    }
    if report.statements_not_checked > 0 {
        parts.push(format!(
            "{} not checked (did not parse)",
            plural(report.statements_not_checked, "statement")
        ));
    }
    if !parts.is_empty() {
        out.push_str(&format!(
            "Also: {}; list them with `schemalint check --list-unchecked`.\n",
            parts.join(", ")
        ));
    }
    let mut reasons: Vec<(&str, Vec<&std::path::Path>)> = Vec::new();
    for u in report
        .unchecked
        .iter()
        .filter(|u| u.status == UncheckedStatus::Skipped)
    {
        match reasons.iter_mut().find(|(r, _)| *r == u.reason) {
            Some((_, files)) => files.push(&u.file),
            None => reasons.push((&u.reason, vec![&u.file])),
        }
    }
    for (reason, files) in reasons {
        let statements = files.len();
        let mut distinct = files.clone();
        distinct.dedup();
        let place = match distinct.as_slice() {
            [one] => display_path(one),
            many => plural(many.len(), "file"),
        };
        out.push_str(&format!(
            "Skipped {} in {place}: {reason}.\n",
            plural(statements, "statement")
        ));
    }
    if report.sql_found == 0 && report.source_files > 0 {
        out.push_str(&no_sql_warning(report.source_files));
    }
    out
}

/// The warning for a run that found no SQL in its source files.
pub fn no_sql_warning(files: usize) -> String {
    format!(
        "warning: no SQL found in {}. Recognised: sql`...` tags (postgres.js, @vercel/postgres, \
         neon(), slonik, drizzle, kysely, pgtyped), Prisma $queryRaw/$executeRaw, the first \
         argument of .query/.execute/.one/.many/... (pg, pg-promise) and sqlx/postgres/\
         tokio-postgres calls in Rust. If your code sends SQL another way, name the tag or \
         function in schemalint.toml: [sources] tags = [\"db\"], functions = [\"run\"].\n",
        plural(files, "source file")
    )
}

/// `check --list-unchecked`: every statement not checked in full, with where and why.
pub fn unchecked_list(report: &Report) -> String {
    let mut out = String::new();
    for u in &report.unchecked {
        out.push_str(&format!(
            "{}:{}:{}: {}: {}\n",
            display_path(&u.file),
            u.line,
            u.column,
            u.status.describe(),
            u.reason
        ));
    }
    if report.unchecked.is_empty() {
        out.push_str("Every statement found was checked in full.\n");
    }
    out
}

fn to_miette(d: &Diagnostic) -> MietteDiagnostic {
    let severity = match d.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    };
    let mut label = d.label.clone();
    if d.origin == Origin::Database {
        label = Some(format!(
            "{} (reported by the database)",
            label.as_deref().unwrap_or("here")
        ));
    }
    let span = LabeledSpan::new(label, d.span.start as usize, d.span.len().max(1) as usize);
    let mut m = MietteDiagnostic::new(d.message.clone())
        .with_code(d.rule)
        .with_severity(severity)
        .with_label(span);
    if let Some(help) = &d.help {
        m = m.with_help(help.clone());
    }
    m
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn summary(report: &Report) -> String {
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    let infos = report.count(Severity::Info);
    let scanned = format!(
        "{} in {}",
        plural(report.statements_checked, "statement"),
        plural(report.files_scanned, "file")
    );
    if errors + warnings + infos == 0 {
        return format!("No problems found ({scanned} checked).\n");
    }
    let mut parts = vec![plural(errors, "error"), plural(warnings, "warning")];
    if infos > 0 {
        parts.push(plural(infos, "note"));
    }
    format!("Found {} ({scanned} checked).\n", parts.join(", "))
}

fn verified(report: &Report) -> String {
    let Some(v) = report.verified else {
        return String::new();
    };
    let mut line = format!(
        "Asked the database to prepare {}: it refused {}",
        plural(v.statements, "statement"),
        v.refused
    );
    if v.already_reported > 0 {
        line.push_str(&format!(
            " ({} already reported by the static checks)",
            v.already_reported
        ));
    }
    line.push_str(".\n");
    line
}
