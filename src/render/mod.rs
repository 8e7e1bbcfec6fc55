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
    write_stdout_parts(&[text])
}

/// [`write_stdout`] for a text in parts, written one after the other through one buffer
/// (stdout's own flushes at every line: a thousand parts were a thousand writes).
pub fn write_stdout_parts(parts: &[impl AsRef<str>]) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = parts
        .iter()
        .try_for_each(|p| out.write_all(p.as_ref().as_bytes()))
        .and_then(|()| out.flush());
    match written {
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

pub(crate) use crate::diagnostic::TextIndex;

/// The file texts of a report's findings, with their [`TextIndex`], built once per file as a
/// renderer walks the (file-sorted) findings.
pub(crate) struct Files<'r> {
    report: &'r Report,
    current: Option<(&'r std::path::Path, TextIndex<'r>)>,
}

impl<'r> Files<'r> {
    pub fn new(report: &'r Report) -> Self {
        Files {
            report,
            current: None,
        }
    }

    /// The index of `path`'s text (empty when the report does not hold it).
    pub fn index(&mut self, path: &'r std::path::Path) -> &TextIndex<'r> {
        if self.current.as_ref().is_none_or(|(p, _)| *p != path) {
            let text = self.report.source(path).map_or("", |t| &**t);
            self.current = Some((path, TextIndex::new(text)));
        }
        &self.current.as_ref().expect("just set").1
    }

    /// Whether the report holds `path`'s text.
    pub fn has(&self, path: &std::path::Path) -> bool {
        self.report.source(path).is_some()
    }
}

/// `s` with the characters that could act on a terminal or a CI log escaped: C0 and C1 control
/// characters (ESC starts ANSI and OSC sequences, CR rewrites a line), DEL, and the Unicode
/// bidirectional overrides that reorder what is shown. Tabs and newlines stay unless `lines`
/// is false (then a newline is escaped too, for one-line contexts such as a file name).
pub fn escape_terminal(s: &str, lines: bool) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| needs_escape(c, lines)) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_escaped(&mut out, c, lines);
    }
    std::borrow::Cow::Owned(out)
}

pub(crate) fn needs_escape(c: char, lines: bool) -> bool {
    match c {
        '\t' => false,
        '\n' => !lines,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' => true,
        _ => false,
    }
}

/// Push `c`, as `\xNN` / `\u{NNNN}` when it [needs escaping](needs_escape).
pub(crate) fn push_escaped(out: &mut String, c: char, lines: bool) {
    use std::fmt::Write as _;
    if !needs_escape(c, lines) {
        out.push(c);
    } else if (c as u32) < 0x100 {
        let _ = write!(out, "\\x{:02x}", c as u32);
    } else {
        let _ = write!(out, "\\u{{{:x}}}", c as u32);
    }
}

pub use crate::walk::display_path;

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
