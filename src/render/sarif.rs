//! SARIF 2.1.0 output for GitHub code scanning and other SARIF consumers. Rule metadata comes
//! from the rule docs; locations are 1-based, relative to the working directory.

use serde_json::{json, Value};

use super::{display_path, tool_error_lines, Files};
use crate::check::Report;
use crate::diagnostic::Severity;
use crate::fingerprint::fingerprint_line;
use crate::rules::RuleId;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The "What it does" section of a rule's docs, as one paragraph.
fn summary(docs: &str) -> String {
    let section = docs
        .split("## What it does")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .unwrap_or_default();
    section.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn first_sentence(text: &str) -> String {
    match text.find(". ") {
        Some(i) => text[..=i].to_string(),
        None => text.to_string(),
    }
}

pub fn render(report: &Report) -> String {
    let rules: Vec<Value> = RuleId::ALL
        .iter()
        .map(|r| {
            let docs = r.docs();
            let full = summary(&docs);
            json!({
                "id": r.name(),
                "name": r.name(),
                "shortDescription": { "text": first_sentence(&full) },
                "fullDescription": { "text": full },
                "help": { "text": docs, "markdown": docs },
                "defaultConfiguration": { "level": level(r.default_severity()) },
            })
        })
        .collect();
    let mut files = Files::new(report);
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let index = files.index(&d.file);
            let path = display_path(&d.file);
            let ((line, column), (end_line, end_column)) =
                (index.line_col(d.span.start), index.line_col(d.span.end));
            let line_text = index.line_around(d.span.start);
            let rule_index = RuleId::ALL
                .iter()
                .position(|r| r.name() == d.rule)
                .unwrap_or(0);
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str(&format!("\nhelp: {help}"));
            }
            json!({
                "ruleId": d.rule,
                "ruleIndex": rule_index,
                "level": level(d.severity),
                "message": { "text": message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": path, "uriBaseId": "%SRCROOT%" },
                        "region": {
                            "startLine": line,
                            "startColumn": column,
                            "endLine": end_line,
                            "endColumn": end_column.max(column + u32::from(end_line == line)),
                        }
                    }
                }],
                "partialFingerprints": { "schemalint/v1": fingerprint_line(d, &path, line_text) },
            })
        })
        .collect();
    // Tool errors go where SARIF consumers look for them: the invocation's notifications, with
    // `executionSuccessful: false`, so an upload step gets a valid log that says the run failed.
    let notifications: Vec<Value> = tool_error_lines(report)
        .into_iter()
        .map(|text| json!({ "level": "error", "message": { "text": text } }))
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "schemalint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "invocations": [{
                "executionSuccessful": notifications.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}
