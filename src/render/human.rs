//! Human output: miette's graphical reports with a source snippet, a label on the exact
//! identifier and the help line; then a one-line summary.

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};

use super::{display_path, HumanOptions};
use crate::check::Report;
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
        // A blank line between findings, so each reads as its own block.
        if !out.is_empty() {
            out.push('\n');
        }
        let miette_report = miette::Report::new(to_miette(d))
            .with_source_code(NamedSource::new(display_path(&d.file), text.clone()));
        // Writing into a String cannot fail.
        let _ = handler.render_report(&mut out, miette_report.as_ref());
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(&summary(report));
    out.push_str(&verified(report));
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

pub(crate) fn summary(report: &Report) -> String {
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    let infos = report.count(Severity::Info);
    let against = report
        .schema_source
        .as_ref()
        .map(|s| format!(" against {s}"))
        .unwrap_or_default();
    let scanned = format!(
        "{} in {} checked{against}",
        plural(report.statements_checked, "statement"),
        plural(report.files_scanned, "file")
    );
    let incomplete = report.is_incomplete();
    if errors + warnings + infos == 0 && !incomplete {
        return format!("No problems found ({scanned}).\n");
    }
    if incomplete {
        let n = report.file_errors.len() + report.run_errors.len();
        return format!(
            "Not everything could be checked: {} (on stderr); found {} ({scanned}).\n",
            plural(n, "tool error"),
            [
                plural(errors, "error"),
                plural(warnings, "warning"),
                plural(infos, "note")
            ]
            .join(", ")
        );
    }
    let mut parts = vec![plural(errors, "error"), plural(warnings, "warning")];
    if infos > 0 {
        parts.push(plural(infos, "note"));
    }
    format!("Found {} ({scanned}).\n", parts.join(", "))
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
    line.push('.');
    if v.overruled > 0 {
        line.push_str(&format!(
            " {} overruled by the database.",
            plural(v.overruled, "static finding")
        ));
    }
    if v.drift > 0 {
        line.push_str(&format!(
            " {} where the schema files and the database disagree.",
            plural(v.drift, "finding")
        ));
    }
    let not_verified = v.locked + v.timed_out + v.not_sent + v.unanswered;
    if not_verified > 0 {
        line.push_str(&format!(
            " Could not verify {}.",
            plural(not_verified, "statement")
        ));
    }
    line.push('\n');
    line
}
