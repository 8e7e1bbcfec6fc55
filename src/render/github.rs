//! GitHub Actions workflow commands: one `::error file=...,line=...::message` line per finding,
//! which GitHub shows as annotations on the pull request's diff.

use super::{display_path, push_escaped, tool_error_lines, Files};
use crate::check::Report;
use crate::diagnostic::Severity;

/// Escape a message (the data after `::`): `%`, CR and LF; other control characters (ESC,
/// which the log viewer would interpret) as `\xNN` first.
fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => push_escaped(&mut out, c, true),
        }
    }
    out
}

/// Escape a property value: as data, plus `:` and `,`, which separate properties.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let mut files = Files::new(report);
    for d in &report.diagnostics {
        let index = files.index(&d.file);
        let path = display_path(&d.file);
        let ((line, col), (end_line, end_col)) =
            (index.line_col(d.span.start), index.line_col(d.span.end));
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut message = format!("{path}:{line}:{col}: {}", d.message);
        if let Some(help) = &d.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        out.push_str(&format!(
            "::{command} file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}\n",
            escape_property(&path),
            escape_property(&format!("schemalint ({})", d.rule)),
            escape_data(&message),
        ));
    }
    // A run that could not check everything says so in the workflow log too, as an annotation.
    for line in tool_error_lines(report) {
        out.push_str(&format!(
            "::error title={}::{}\n",
            escape_property("schemalint (tool error)"),
            escape_data(&line)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_workflow_command_rules() {
        assert_eq!(escape_data("50% a\r\nb"), "50%25 a%0D%0Ab");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
