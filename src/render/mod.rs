//! Renderers: turn a `Report` into text for people (miette), machines (JSON) and CI. The only
//! module that writes to stdout. Renderers see diagnostics and file texts, never SQL.

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use std::io::Write;

use crate::check::Report;
use crate::diagnostic::LineIndex;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Source snippets with labels and help, for people.
    Human,
    /// A stable JSON document (`"version": 1`).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions annotations (workflow commands).
    Github,
}

/// How the human output looks.
#[derive(Debug, Clone, Copy)]
pub struct HumanOptions {
    pub color: bool,
    /// Terminal width for wrapping; tests pin 80.
    pub width: usize,
}

pub fn render(report: &Report, format: Format, options: HumanOptions) -> String {
    match format {
        Format::Human => human::render(report, options),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => github::render(report),
    }
}

/// Write to stdout; a closed pipe (`schemalint check | head`) is not an error.
pub fn write_stdout(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// 1-based line/column of a diagnostic's start and end, from its file's text.
pub(crate) fn positions(text: &str, start: u32, end: u32) -> ((u32, u32), (u32, u32)) {
    let index = LineIndex::new(text);
    (index.line_col(text, start), index.line_col(text, end))
}

/// A path as shown to users: relative to the working directory when inside it, with `/`.
pub fn display_path(path: &std::path::Path) -> String {
    let cwd = std::env::current_dir().ok();
    let shown = cwd
        .as_deref()
        .and_then(|cwd| path.strip_prefix(cwd).ok())
        .unwrap_or(path);
    let s = shown.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}
