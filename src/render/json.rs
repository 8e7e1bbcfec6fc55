//! JSON output, a stable contract (`"version": 1`): one object with the diagnostics (1-based
//! line/column in the original file, paths relative to the working directory) and a summary.

use serde::Serialize;

use super::{display_path, Files};
use crate::check::Report;
use crate::diagnostic::{Origin, Severity};

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Summary,
    /// Every statement not checked in full, with where and why.
    unchecked: Vec<JsonUnchecked>,
    /// Files that could not be checked (unreadable, not UTF-8, unparseable host syntax).
    tool_errors: Vec<ToolError>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    help: Option<&'a str>,
    file: String,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    origin: Origin,
}

#[derive(Serialize)]
struct Summary {
    files_scanned: usize,
    statements_checked: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    /// Of `statements_checked`, those with parts only known at run time.
    statements_checked_in_part: usize,
    /// Statements for another database (SQLite, MySQL), not checked.
    statements_skipped: usize,
    /// Statements found but not checked at all.
    statements_not_checked: usize,
    /// Source files were scanned but held no SQL that schemalint recognises.
    no_sql_found: bool,
    /// What the schema was read from (files, or a redacted database URL).
    #[serde(skip_serializing_if = "Option::is_none")]
    schema_source: Option<String>,
    /// Present with `check --verify`.
    #[serde(skip_serializing_if = "Option::is_none")]
    verified: Option<Verified>,
}

#[derive(Serialize)]
struct Verified {
    statements: usize,
    refused: usize,
    already_reported: usize,
    /// The counts below appear only when not zero.
    #[serde(skip_serializing_if = "is_zero")]
    overruled: usize,
    #[serde(skip_serializing_if = "is_zero")]
    drift: usize,
    #[serde(skip_serializing_if = "is_zero")]
    locked: usize,
    #[serde(skip_serializing_if = "is_zero")]
    timed_out: usize,
    #[serde(skip_serializing_if = "is_zero")]
    not_sent: usize,
    #[serde(skip_serializing_if = "is_zero")]
    unanswered: usize,
    #[serde(skip_serializing_if = "is_zero")]
    untyped_parameters: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize)]
struct JsonUnchecked {
    file: String,
    line: u32,
    column: u32,
    status: crate::check::UncheckedStatus,
    reason: String,
}

#[derive(Serialize)]
struct ToolError {
    /// `null` for a problem that is not about one file (a bad path argument, the schema, the
    /// database).
    file: Option<String>,
    message: String,
}

pub fn render(report: &Report) -> String {
    let mut files = Files::new(report);
    let diagnostics = report
        .diagnostics
        .iter()
        .map(|d| {
            let index = files.index(&d.file);
            let ((line, column), (end_line, end_column)) =
                (index.line_col(d.span.start), index.line_col(d.span.end));
            JsonDiagnostic {
                rule: d.rule,
                severity: d.severity,
                message: &d.message,
                help: d.help.as_deref(),
                file: display_path(&d.file),
                line,
                column,
                end_line,
                end_column,
                origin: d.origin,
            }
        })
        .collect();
    let output = Output {
        version: 1,
        diagnostics,
        summary: Summary {
            files_scanned: report.files_scanned,
            statements_checked: report.statements_checked,
            errors: report.count(Severity::Error),
            warnings: report.count(Severity::Warning),
            infos: report.count(Severity::Info),
            statements_checked_in_part: report.statements_in_part,
            statements_skipped: report.statements_skipped,
            statements_not_checked: report.statements_not_checked,
            no_sql_found: report.sql_found == 0 && report.source_files > 0,
            schema_source: report.schema_source.clone(),
            verified: report.verified.map(|v| Verified {
                statements: v.statements,
                refused: v.refused,
                already_reported: v.already_reported,
                overruled: v.overruled,
                drift: v.drift,
                locked: v.locked,
                timed_out: v.timed_out,
                not_sent: v.not_sent,
                unanswered: v.unanswered,
                untyped_parameters: v.untyped_parameters,
            }),
        },
        unchecked: report
            .unchecked
            .iter()
            .map(|u| JsonUnchecked {
                file: display_path(&u.file),
                line: u.line,
                column: u.column,
                status: u.status,
                reason: u.reason.clone(),
            })
            .collect(),
        tool_errors: report
            .run_errors
            .iter()
            .map(|m| ToolError {
                file: None,
                message: m.clone(),
            })
            .chain(report.file_errors.iter().map(|e| ToolError {
                file: Some(display_path(&e.path)),
                message: e.message.clone(),
            }))
            .collect(),
    };
    // Serializing plain data to a String cannot fail.
    let mut text = serde_json::to_string_pretty(&output).unwrap_or_default();
    text.push('\n');
    text
}
