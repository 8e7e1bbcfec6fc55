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
    /// Present with `check --verify`.
    #[serde(skip_serializing_if = "Option::is_none")]
    verified: Option<Verified>,
}

#[derive(Serialize)]
struct Verified {
    statements: usize,
    refused: usize,
    already_reported: usize,
}

#[derive(Serialize)]
struct ToolError {
    file: String,
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
            verified: report.verified.map(|v| Verified {
                statements: v.statements,
                refused: v.refused,
                already_reported: v.already_reported,
            }),
        },
        tool_errors: report
            .file_errors
            .iter()
            .map(|e| ToolError {
                file: display_path(&e.path),
                message: e.message.clone(),
            })
            .collect(),
    };
    // Serializing plain data to a String cannot fail.
    let mut text = serde_json::to_string_pretty(&output).unwrap_or_default();
    text.push('\n');
    text
}
