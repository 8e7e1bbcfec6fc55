//! Concise output: one line per finding, `path:line:col: rule message`, the form editors and
//! CI problem matchers parse (ruff's `--output-format concise`, eslint's `compact`); then the
//! same summary line as the human output.

use super::{display_path, human, positions};
use crate::check::Report;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for d in &report.diagnostics {
        let text = report.source(&d.file).map_or("", |t| &**t);
        let ((line, col), _) = positions(text, d.span.start, d.span.end);
        out.push_str(&format!(
            "{}:{line}:{col}: {} {}\n",
            display_path(&d.file),
            d.rule,
            d.message
        ));
    }
    out.push_str(&human::summary(report));
    out
}
