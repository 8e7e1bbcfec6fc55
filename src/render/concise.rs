//! Concise output: one line per finding, `path:line:col: rule message`, the form editors and
//! CI problem matchers parse (ruff's `--output-format concise`, eslint's `compact`); then the
//! same summary line as the human output.

use super::{display_path, escape_terminal, human, Files};
use crate::check::Report;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let mut files = Files::new(report);
    for d in &report.diagnostics {
        let (line, col) = files.index(&d.file).line_col(d.span.start);
        let text = format!(
            "{}:{line}:{col}: {} {}",
            display_path(&d.file),
            d.rule,
            d.message
        );
        // One finding, one line: a newline in a message or a file name would forge another.
        out.push_str(&escape_terminal(&text, false));
        out.push('\n');
    }
    out.push_str(&human::summary(report));
    out
}
