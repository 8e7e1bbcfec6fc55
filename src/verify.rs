//! The second opinion (`check --verify`): which extracted statements to send to the server,
//! and how its answers become diagnostics at the right place in the host file. The network
//! part is `schema::live::prepare_all`; this module never touches a connection.

use std::path::PathBuf;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Origin, Severity};
use crate::extract::sql::split_statements;
use crate::extract::{leading_word, Confidence, EmbeddedSql};
use crate::rules::{DatabaseError, RuleMeta};
use crate::schema::live::ServerError;

/// One statement to send: a byte range of an extracted piece of SQL.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The file the SQL's offset map points into.
    pub file: PathBuf,
    pub sql: Arc<EmbeddedSql>,
    pub start: u32,
    pub end: u32,
}

impl Candidate {
    pub fn text(&self) -> &str {
        &self.sql.text[self.start as usize..self.end as usize]
    }
}

/// The statements of `sql` worth sending. Left out: SQL with parts only known at run time
/// (its text is not what runs), plain strings that only looked like SQL and did not parse,
/// and everything but queries and DML: the server analyses `CREATE`, `SET`, ... only when it
/// runs them, so preparing them says nothing.
pub fn candidates(sql: &Arc<EmbeddedSql>, file: &std::path::Path, parsed: bool) -> Vec<Candidate> {
    if !sql.dynamic.is_empty() || (sql.confidence == Confidence::Guess && !parsed) {
        return Vec::new();
    }
    split_statements(&sql.text)
        .into_iter()
        .filter(|s| is_analysed_on_prepare(s.text))
        .map(|s| Candidate {
            file: file.to_path_buf(),
            sql: sql.clone(),
            start: s.start,
            end: s.start + s.text.len() as u32,
        })
        .collect()
}

/// Statements that Postgres parses and analyses completely when it prepares them.
fn is_analysed_on_prepare(text: &str) -> bool {
    let word = leading_word(text.trim_start_matches(|c: char| c.is_whitespace() || c == '('))
        .to_ascii_uppercase();
    matches!(
        word.as_str(),
        "SELECT" | "WITH" | "INSERT" | "UPDATE" | "DELETE" | "MERGE" | "VALUES" | "TABLE"
    )
}

/// The server's refusal of `candidate` as a diagnostic at the position it names (or the
/// statement's first line when it names none).
pub fn diagnostic(candidate: &Candidate, error: &ServerError, severity: Severity) -> Diagnostic {
    let sql = &candidate.sql;
    let text = candidate.text();
    let span = match error.position.and_then(|p| char_to_byte(text, p)) {
        Some(at) => {
            let offset = candidate.start + at;
            sql.host_span(offset, crate::check::next_token_end(&sql.text, offset))
        }
        None => crate::check::first_line_span(sql, candidate.start, candidate.end),
    };
    let mut d = Diagnostic::new(DatabaseError::NAME, severity, error.message.clone(), span)
        .with_label(format!("SQLSTATE {}", error.code))
        .with_help(error.hint.clone());
    d.origin = Origin::Database;
    d.file = candidate.file.clone();
    d
}

/// Byte offset of a 1-based character position.
fn char_to_byte(text: &str, position: u32) -> Option<u32> {
    let n = (position as usize).checked_sub(1)?;
    text.char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .nth(n)
        .map(|i| i as u32)
}

/// Whether a static finding already covers the server's: same file and starting point.
pub fn already_reported(static_findings: &[Diagnostic], d: &Diagnostic) -> bool {
    static_findings.iter().any(|s| {
        s.file == d.file && s.span.start == d.span.start && s.severity >= Severity::Warning
    })
}

/// How a verification went, for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Statements the server was asked to prepare.
    pub statements: usize,
    /// Statements it refused.
    pub refused: usize,
    /// Refusals a static rule had already reported at the same place.
    pub already_reported: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Span;

    fn sql(text: &str) -> Arc<EmbeddedSql> {
        Arc::new(EmbeddedSql::verbatim(text, 10, Confidence::Certain))
    }

    #[test]
    fn only_queries_and_dml_are_sent() {
        let s = sql("SELECT 1;\nCREATE TABLE t (id int);\n(SELECT 2);\n insert into t values (1);\nSET x = 1");
        let c = candidates(&s, std::path::Path::new("a.sql"), true);
        let texts: Vec<&str> = c.iter().map(Candidate::text).collect();
        assert_eq!(
            texts,
            ["SELECT 1", "(SELECT 2)", "insert into t values (1)"]
        );
        let mut dynamic = EmbeddedSql::verbatim("SELECT * FROM $1", 0, Confidence::Certain);
        dynamic.dynamic.push(Span::new(0, 3));
        assert!(candidates(&Arc::new(dynamic), std::path::Path::new("a"), true).is_empty());
        let guess = Arc::new(EmbeddedSql::verbatim("select a file", 0, Confidence::Guess));
        assert!(candidates(&guess, std::path::Path::new("a"), false).is_empty());
    }

    #[test]
    fn server_positions_are_characters_mapped_to_the_host() {
        let s = sql("SELECT 'é', nope FROM t");
        let c = &candidates(&s, std::path::Path::new("a.sql"), true)[0];
        let err = ServerError {
            code: "42703".into(),
            message: "column \"nope\" does not exist".into(),
            position: Some(13),
            hint: None,
        };
        let d = diagnostic(c, &err, Severity::Error);
        // "SELECT 'é', " is 12 characters and 13 bytes; the host text starts at byte 10.
        assert_eq!(d.span, Span::new(10 + 13, 10 + 17));
        assert_eq!(d.origin, Origin::Database);
        let none = ServerError {
            position: None,
            ..err
        };
        assert_eq!(
            diagnostic(c, &none, Severity::Error).span,
            Span::new(10, 10 + 24)
        );
    }
}
