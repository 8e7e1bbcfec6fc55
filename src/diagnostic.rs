//! Findings as plain data: rule, severity, message, a byte span in the host file, help, fix.
//! Nothing here knows how a finding is rendered; `render/` does that.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// A byte range in the host file (the `.ts`, `.rs` or `.sql` file the user wrote).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const fn new(start: u32, end: u32) -> Self {
        Self { start, end }
    }

    pub const fn len(self) -> u32 {
        self.end.saturating_sub(self.start)
    }

    pub const fn is_empty(self) -> bool {
        self.end <= self.start
    }

    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// How bad a finding is. The order matters: `fail-on` compares with `>=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// Where a finding comes from: the static checker, or the database server (`--verify`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    #[default]
    Static,
    Database,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// Imperative title: "Replace with `assets`".
    pub title: String,
    pub span: Span,
    pub replacement: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Kebab-case rule name, e.g. `unknown-table`.
    pub rule: &'static str,
    pub severity: Severity,
    /// Lowercase fragment in Postgres's wording: `relation "asset" does not exist`.
    pub message: String,
    /// The file the span points into; filled in by the driver, not by rules.
    pub file: PathBuf,
    pub span: Span,
    /// A few words at the span: "not in schema".
    pub label: Option<String>,
    /// What to do: "did you mean `assets`?".
    pub help: Option<String>,
    pub fix: Option<Fix>,
    pub origin: Origin,
}

impl Diagnostic {
    pub fn new(
        rule: &'static str,
        severity: Severity,
        message: impl Into<String>,
        span: Span,
    ) -> Self {
        Self {
            rule,
            severity,
            message: message.into(),
            file: PathBuf::new(),
            span,
            label: None,
            help: None,
            fix: None,
            origin: Origin::Static,
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    pub fn with_fix(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix;
        self
    }
}

/// Messages are lowercase fragments; parser messages start with a capital ("Expected: ...").
pub fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// 1-based line and column (in characters) of byte offsets in a text, for renderers.
pub struct LineIndex {
    line_starts: Vec<u32>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i as u32 + 1),
        );
        Self { line_starts }
    }

    /// 1-based (line, column); the column counts Unicode scalar values, as editors and GitHub do.
    pub fn line_col(&self, text: &str, offset: u32) -> (u32, u32) {
        let offset = offset.min(text.len() as u32);
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line] as usize;
        let mut end = offset as usize;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let col = text[start..end].chars().count() as u32 + 1;
        (line as u32 + 1, col)
    }

    /// Byte offset of a 1-based (line, column-in-chars) position; clamps to the text.
    pub fn offset(&self, text: &str, line: u32, column: u32) -> u32 {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1) as usize) else {
            return text.len() as u32;
        };
        let rest = &text[start as usize..];
        let skip = column.saturating_sub(1) as usize;
        let mut byte = rest.len();
        for (n, (i, ch)) in rest.char_indices().enumerate() {
            if n == skip {
                byte = i;
                break;
            }
            if ch == '\n' {
                byte = i;
                break;
            }
        }
        start + byte as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_round_trip_with_multibyte() {
        let text = "ab\nçé x\n";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap() as u32;
        assert_eq!(idx.line_col(text, x), (2, 4));
        assert_eq!(idx.offset(text, 2, 4), x);
        assert_eq!(idx.line_col(text, 0), (1, 1));
    }
}
