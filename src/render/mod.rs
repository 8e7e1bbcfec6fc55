//! Renderers: turn a `Report` into text for people (miette), machines (JSON) and CI. The only
//! module that writes to stdout. Renderers see diagnostics and file texts, never SQL.

pub mod concise;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
pub mod statistics;

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
    /// One line per finding, `path:line:col: rule message`, for editors and problem matchers.
    Concise,
}

/// How the human output looks.
#[derive(Debug, Clone, Copy)]
pub struct HumanOptions {
    pub color: bool,
    /// Terminal width for wrapping; tests pin 80.
    pub width: usize,
}

impl Default for HumanOptions {
    fn default() -> Self {
        HumanOptions {
            color: false,
            width: 100,
        }
    }
}

pub fn render(report: &Report, format: Format, options: HumanOptions) -> String {
    match format {
        Format::Human => human::render(report, options),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => github::render(report),
        Format::Concise => concise::render(report),
    }
}

/// Whether to colour output, by the conventions `anstream` follows (and ruff, cargo, eslint):
/// `--no-color` and `NO_COLOR` turn colour off; `CLICOLOR_FORCE` or `FORCE_COLOR` turn it on
/// even in a pipe (CI logs that render ANSI); `CLICOLOR=0` turns it off on a terminal;
/// otherwise colour only on a terminal. An empty or `0` variable counts as unset for the
/// forcing ones.
pub fn use_color(
    no_color_flag: bool,
    is_terminal: bool,
    var: impl Fn(&str) -> Option<String>,
) -> bool {
    let set = |name: &str| var(name).is_some_and(|v| !v.is_empty());
    let forced = |name: &str| var(name).is_some_and(|v| !v.is_empty() && v != "0");
    if no_color_flag || set("NO_COLOR") {
        return false;
    }
    if forced("CLICOLOR_FORCE") || forced("FORCE_COLOR") {
        return true;
    }
    if var("CLICOLOR").is_some_and(|v| v == "0") {
        return false;
    }
    is_terminal
}

/// The width to wrap human output at: `COLUMNS` when set (tests pin it), else the terminal's
/// width, else 100 (a pipe or a CI log).
pub fn output_width(var: impl Fn(&str) -> Option<String>) -> usize {
    var("COLUMNS")
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&w| w >= 20)
        .or_else(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)))
        .unwrap_or(100)
        .clamp(40, 400)
}

/// Write to stdout; a closed pipe (`schemalint check | head`) is not an error.
pub fn write_stdout(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Every tool error of a report as one line: the run's own problems, then `path: message`
/// for each file that could not be checked.
pub fn tool_error_lines(report: &Report) -> Vec<String> {
    report
        .run_errors
        .iter()
        .cloned()
        .chain(
            report
                .file_errors
                .iter()
                .map(|e| format!("{}: {}", display_path(&e.path), e.message)),
        )
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn colour_follows_the_clicolor_and_no_color_conventions() {
        // A terminal colours by default; a pipe doesn't.
        assert!(use_color(false, true, env(&[])));
        assert!(!use_color(false, false, env(&[])));
        // Forced colour in a pipe (CI logs), by either variable; `0` or empty doesn't force.
        assert!(use_color(false, false, env(&[("CLICOLOR_FORCE", "1")])));
        assert!(use_color(false, false, env(&[("FORCE_COLOR", "true")])));
        assert!(!use_color(false, false, env(&[("FORCE_COLOR", "0")])));
        assert!(!use_color(false, false, env(&[("CLICOLOR_FORCE", "")])));
        // NO_COLOR and the flag win over forcing.
        assert!(!use_color(
            false,
            true,
            env(&[("NO_COLOR", "1"), ("FORCE_COLOR", "1")])
        ));
        assert!(!use_color(true, true, env(&[("CLICOLOR_FORCE", "1")])));
        // CLICOLOR=0 turns colour off on a terminal.
        assert!(!use_color(false, true, env(&[("CLICOLOR", "0")])));
        assert!(use_color(false, true, env(&[("CLICOLOR", "1")])));
    }

    #[test]
    fn width_comes_from_columns_then_the_terminal() {
        assert_eq!(output_width(env(&[("COLUMNS", "72")])), 72);
        // Nonsense is ignored (and a pipe in a test has no terminal size: 100).
        let w = output_width(env(&[("COLUMNS", "wide")]));
        assert!((40..=400).contains(&w));
    }
}
