//! The second opinion (`check --verify`): which extracted statements to send to the server,
//! and how its answers become diagnostics at the right place in the host file. The network
//! part is `schema::live::prepare_all`; this module never touches a connection.

use std::path::PathBuf;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Origin, Severity, Span};
use crate::extract::sql::split_statements;
use crate::extract::{leading_word, Confidence, EmbeddedSql};
use crate::rules::{DatabaseError, RuleMeta};
use crate::schema::live::{NotVerified, ServerError};

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
            sql.host_span(offset, crate::extract::next_token_end(&sql.text, offset))
        }
        None => crate::extract::first_line_span(sql, candidate.start, candidate.end),
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

/// The host span of the qualified name the server points at (`b.not_a_col` for a position
/// at `b`), so that a static finding on any part of it counts as the same mistake.
pub fn reference_span(candidate: &Candidate, error: &ServerError) -> Option<Span> {
    let text = candidate.text();
    let at = error.position.and_then(|p| char_to_byte(text, p))? as usize;
    let end = at + qualified_name_len(&text[at..]);
    (end > at).then(|| {
        candidate
            .sql
            .host_span(candidate.start + at as u32, candidate.start + end as u32)
    })
}

/// The byte length of the identifier chain `a`, `a.b`, `"A"."b c".d` at the start of `text`.
fn qualified_name_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut i = 0;
    loop {
        let start = i;
        if bytes.get(i) == Some(&b'"') {
            i += 1;
            loop {
                match bytes.get(i) {
                    None => return start,
                    Some(b'"') if bytes.get(i + 1) == Some(&b'"') => i += 2,
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(_) => i += 1,
                }
            }
        } else {
            while let Some(c) = text[i..].chars().next() {
                if c.is_alphanumeric() || c == '_' || c == '$' {
                    i += c.len_utf8();
                } else {
                    break;
                }
            }
            if i == start {
                return start.saturating_sub(1);
            }
        }
        if bytes.get(i) == Some(&b'.') {
            i += 1;
        } else {
            return i;
        }
    }
}

/// Whether a static finding already covers the server's refusal: one at the same starting
/// point, or one on the qualified name the server points at (the server points at `b` of
/// `b.not_a_col`, the static rule at the column).
pub fn already_reported(
    static_findings: &[Diagnostic],
    d: &Diagnostic,
    reference: Option<Span>,
) -> bool {
    static_findings.iter().any(|s| {
        s.file == d.file
            && s.severity >= Severity::Warning
            && (s.span.start == d.span.start
                || reference.is_some_and(|r| s.span.start < r.end && r.start < s.span.end))
    })
}

/// A refusal about a parameter's type (`could not determine data type of parameter $2`,
/// `operator is not unique: unknown + unknown`; 42P18, 42P08, 42725) of SQL whose driver
/// sends typed parameters:
/// the database would have known the types, so it is no verdict on the SQL.
pub fn is_untyped_parameter_refusal(candidate: &Candidate, error: &ServerError) -> bool {
    matches!(error.code.as_str(), "42P18" | "42P08" | "42725")
        && candidate.file.extension().is_some_and(|e| e == "rs")
        && crate::extract::rust::crates::binds_typed_parameters(&candidate.file)
}

/// The static rules whose verdict the server gives too when it prepares a statement: when
/// it prepares one that such a rule flagged, the rule (or the schema it used) was wrong.
pub fn server_judges(rule: &str) -> bool {
    matches!(
        rule,
        "unknown-table"
            | "unknown-column"
            | "ambiguous-column"
            | "insert-column-count"
            | "sql-syntax"
    )
}

/// The host span of a candidate statement.
pub fn statement_span(candidate: &Candidate) -> Span {
    candidate.sql.host_span(candidate.start, candidate.end)
}

/// A statement that could not be sent (a NUL byte): its own finding, so the rest still go.
pub fn not_sent(candidate: &Candidate, why: NotVerified) -> Diagnostic {
    let span = crate::extract::first_line_span(&candidate.sql, candidate.start, candidate.end);
    let mut d = Diagnostic::new(
        DatabaseError::NAME,
        Severity::Warning,
        format!(
            "statement not verified by the database: it {}",
            why.reason()
        ),
        span,
    )
    .with_label("not sent")
    .with_help(Some("remove the NUL byte from the statement".into()));
    d.file = candidate.file.clone();
    d
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
    /// Static findings on statements the database prepared, dropped because the static
    /// schema came from that same database (the static check was wrong).
    pub overruled: usize,
    /// Static findings on statements the database prepared while the schema files say
    /// otherwise: reported once, as drift between the files and the database.
    pub drift: usize,
    /// Statements without a verdict because a table was locked (`lock_timeout`).
    pub locked: usize,
    /// Statements without a verdict because of the statement timeout.
    pub timed_out: usize,
    /// Statements not sent (a NUL byte).
    pub not_sent: usize,
    /// Statements left unverified because the verification stopped (see the tool error).
    pub unanswered: usize,
    /// Refusals about parameter types that the driver gives at run time (sqlx binds typed
    /// values; `--verify` prepares untyped): no verdict.
    pub untyped_parameters: usize,
}

impl std::ops::Add for Summary {
    type Output = Summary;

    /// Two parts of one run (two packages' databases) added up.
    fn add(self, o: Summary) -> Summary {
        Summary {
            statements: self.statements + o.statements,
            refused: self.refused + o.refused,
            already_reported: self.already_reported + o.already_reported,
            overruled: self.overruled + o.overruled,
            drift: self.drift + o.drift,
            locked: self.locked + o.locked,
            timed_out: self.timed_out + o.timed_out,
            not_sent: self.not_sent + o.not_sent,
            unanswered: self.unanswered + o.unanswered,
            untyped_parameters: self.untyped_parameters + o.untyped_parameters,
        }
    }
}

impl Summary {
    /// "could not verify N statements: table locked (lock_timeout)", one per reason.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (n, reason) in [
            (self.locked, NotVerified::Locked.reason()),
            (self.timed_out, NotVerified::TimedOut.reason()),
            (
                self.untyped_parameters,
                "the database cannot infer a parameter's type without the value sqlx binds at run time",
            ),
        ] {
            if n > 0 {
                out.push(format!(
                    "could not verify {n} statement{}: {reason}",
                    if n == 1 { "" } else { "s" }
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn the_reference_the_server_points_at_is_the_whole_qualified_name() {
        assert_eq!(qualified_name_len("b.not_a_col FROM"), 11);
        assert_eq!(qualified_name_len("\"A\"\"x\".\"b c\", 1"), 12);
        assert_eq!(qualified_name_len("s.t.c)"), 5);
        assert_eq!(qualified_name_len("(1)"), 0);
        let s = sql("SELECT b.not_a_col FROM t b");
        let c = &candidates(&s, std::path::Path::new("a.sql"), true)[0];
        let err = ServerError {
            code: "42703".into(),
            message: "column b.not_a_col does not exist".into(),
            position: Some(8),
            hint: None,
        };
        let d = diagnostic(c, &err, Severity::Error);
        let reference = reference_span(c, &err);
        assert_eq!(reference, Some(Span::new(17, 28)));
        // The static rule points at the column alone.
        let mut static_finding = d.clone();
        static_finding.span = Span::new(19, 28);
        assert!(already_reported(&[static_finding.clone()], &d, reference));
        static_finding.span = Span::new(30, 31);
        assert!(!already_reported(&[static_finding], &d, reference));
    }
}
