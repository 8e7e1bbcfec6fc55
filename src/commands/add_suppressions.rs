//! `check --add-suppressions` (ruff's `--add-noqa`): a `schemalint-ignore RULE -- TODO` comment
//! above each statement with findings, so a codebase with known findings can adopt the gate
//! and review each suppression in the diff.
//!
//! A file is rewritten only when the comments provably change nothing but comments: the file is
//! extracted again and every statement must have the same tokens as before, and the new
//! comments must silence exactly the findings they were written for. Otherwise the file is left
//! as it was and its findings stay in the report.

use std::path::{Path, PathBuf};

use crate::atomic;
use crate::check::Report;
use crate::diagnostic::{Diagnostic, Span};
use crate::extract::{self, Language, SourcesConfig};
use crate::rules::{RuleMeta, UnusedSuppression};
use crate::suppress;
use crate::user_file;

/// What was written, and what could not be.
#[derive(Debug, Default)]
pub struct Added {
    pub comments: usize,
    pub findings: usize,
    pub files: usize,
    /// Findings no comment could be placed for unambiguously (they stay in the report).
    pub unplaced: usize,
    /// Findings outside the scanned source files (a migration's `unsupported-ddl`, a
    /// crate's `other-database` note): comments cannot silence them.
    pub elsewhere: usize,
    /// Files left alone, with the reason (their findings stay in the report).
    pub refused: Vec<(PathBuf, String)>,
}

impl Added {
    pub fn merge(&mut self, other: Added) {
        self.comments += other.comments;
        self.findings += other.findings;
        self.files += other.files;
        self.unplaced += other.unplaced;
        self.elsewhere += other.elsewhere;
        self.refused.extend(other.refused);
    }
}

/// Add suppression comments for the report's findings in the files this part of the run
/// scanned (`sources`: that config's extraction settings), and drop the findings they
/// silence from the report.
pub fn add(report: &mut Report, sources: &SourcesConfig) -> Added {
    let mut added = Added::default();
    let extents = std::mem::take(&mut report.statement_extents);
    for (path, statements) in &extents {
        let mine: Vec<usize> = report
            .diagnostics
            .iter()
            .enumerate()
            .filter(|(_, d)| &d.file == path && d.rule != UnusedSuppression::NAME)
            .map(|(i, _)| i)
            .collect();
        if mine.is_empty() {
            continue;
        }
        let findings: Vec<&Diagnostic> = mine.iter().map(|&i| &report.diagnostics[i]).collect();
        match rewrite(path, statements, &findings, sources) {
            Ok(done) => {
                added.comments += done.comments;
                added.findings += done.silenced.len();
                added.files += 1;
                added.unplaced += done.unplaced;
                let silenced: Vec<usize> = done.silenced.iter().map(|&k| mine[k]).collect();
                let mut i = 0;
                report.diagnostics.retain(|_| {
                    let keep = !silenced.contains(&i);
                    i += 1;
                    keep
                });
            }
            Err(reason) => added.refused.push((path.clone(), reason)),
        }
    }
    added.elsewhere = report
        .diagnostics
        .iter()
        .filter(|d| d.rule != UnusedSuppression::NAME)
        .filter(|d| !extents.iter().any(|(p, _)| *p == d.file))
        .count();
    report.statement_extents = extents;
    added
}

struct Rewritten {
    comments: usize,
    unplaced: usize,
    /// Indexes into the file's findings.
    silenced: Vec<usize>,
}

/// Rewrite one file: comments placed by statement first; findings they do not silence (a
/// statement whose pieces interleave with another's) get a comment above their own line on a
/// second try. Either way the file is written only once both checks pass.
fn rewrite(
    path: &Path,
    statements: &[Span],
    findings: &[&Diagnostic],
    sources: &SourcesConfig,
) -> Result<Rewritten, String> {
    let language = Language::from_path(path).ok_or("not a file type schemalint reads")?;
    let bytes =
        user_file::read_regular(path, user_file::MAX_FILE_SIZE).map_err(|e| e.to_string())?;
    let old = String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())?;
    let file = File {
        path,
        language,
        old: &old,
        old_sql: statement_tokens(path, language, &old, sources)?,
        statements,
        findings,
        sources,
    };
    let mut attempt = file.attempt(&[])?;
    if !attempt.not_silenced.is_empty() || !attempt.unplaced.is_empty() {
        let mut by_line = attempt.not_silenced.clone();
        by_line.extend(&attempt.unplaced);
        let second = file.attempt(&by_line)?;
        if second.not_silenced.is_empty() {
            attempt = second;
        }
    }
    if attempt.insertions.is_empty() {
        return Err(format!(
            "{} finding(s) share a line with another statement's findings in a way one comment cannot tell apart: add the suppressions by hand",
            attempt.unplaced.len()
        ));
    }
    if !attempt.not_silenced.is_empty() {
        return Err(format!(
            "{} finding(s) would not be silenced by the comments: add the suppressions by hand",
            attempt.not_silenced.len()
        ));
    }
    atomic::write(path, attempt.new.as_bytes()).map_err(|e| format!("could not write it: {e}"))?;
    let silenced = (0..findings.len())
        .filter(|i| !attempt.unplaced.contains(i))
        .collect();
    Ok(Rewritten {
        comments: attempt.insertions.len(),
        unplaced: attempt.unplaced.len(),
        silenced,
    })
}

/// One file and its findings, to place comments in.
struct File<'a> {
    path: &'a Path,
    language: Language,
    old: &'a str,
    /// The tokens of its statements as they are, to compare each attempt with.
    old_sql: Vec<Vec<String>>,
    statements: &'a [Span],
    findings: &'a [&'a Diagnostic],
    sources: &'a SourcesConfig,
}

/// A candidate text with comments, and what it would leave unsilenced.
struct Attempt {
    new: String,
    insertions: Vec<suppress::Insertion>,
    /// Findings no comment was planned for (by index).
    unplaced: Vec<usize>,
    /// Findings a planned comment does not silence (by index).
    not_silenced: Vec<usize>,
}

impl File<'_> {
    fn attempt(&self, by_line: &[usize]) -> Result<Attempt, String> {
        let comment = if self.language == Language::Sql {
            "--"
        } else {
            "//"
        };
        let wanted: Vec<(Span, &str)> = self.findings.iter().map(|d| (d.span, d.rule)).collect();
        let (insertions, unplaced) =
            suppress::plan_insertions(self.old, self.statements, &wanted, comment, by_line);
        let new = suppress::insert(self.old, &insertions);

        // The same SQL, token for token, before and after.
        if statement_tokens(self.path, self.language, &new, self.sources)? != self.old_sql {
            return Err("a comment would have changed its SQL (a statement starting inside a string?): add the suppressions by hand".into());
        }

        // The comments silence the findings they were written for, at their new places.
        // A comment inserted at a span's start moves the span; one at its end does not.
        let shifted = |offset: u32, at_end: bool| {
            let before: usize = insertions
                .iter()
                .filter(|i| i.at < offset as usize || !at_end && i.at == offset as usize)
                .map(|i| i.line.len())
                .sum();
            offset + before as u32
        };
        let shift = |span: Span| Span::new(shifted(span.start, false), shifted(span.end, true));
        let placed: Vec<usize> = (0..self.findings.len())
            .filter(|i| !unplaced.contains(i))
            .collect();
        let mut moved: Vec<Diagnostic> = placed
            .iter()
            .map(|&i| {
                let mut d = self.findings[i].clone();
                d.span = shift(d.span);
                d
            })
            .collect();
        // The run's own extents, moved: a re-extraction of this file alone would miss what
        // the crate-wide pass resolves (constants from other modules).
        let new_extents: Vec<Span> = self.statements.iter().map(|e| shift(*e)).collect();
        let keys: Vec<(Span, &str)> = moved.iter().map(|d| (d.span, d.rule)).collect();
        suppress::apply(&new, &new_extents, &mut moved, None, &[]);
        let not_silenced = placed
            .iter()
            .zip(&keys)
            .filter(|(_, key)| moved.iter().any(|d| (d.span, d.rule) == **key))
            .map(|(&i, _)| i)
            .collect();
        Ok(Attempt {
            new,
            insertions,
            unplaced,
            not_silenced,
        })
    }
}

/// Each statement's significant tokens in a text of the file (extracted from this file alone,
/// the same way before and after the comments).
fn statement_tokens(
    path: &Path,
    language: Language,
    text: &str,
    sources: &SourcesConfig,
) -> Result<Vec<Vec<String>>, String> {
    let found = extract::extract_parts(path, language, text, sources)
        .map_err(|e| e.to_string())?
        .embedded;
    Ok(found
        .iter()
        .filter(|s| s.host_file.is_none())
        .map(|s| crate::sql::significant_tokens(&s.text).unwrap_or_else(|| vec![s.text.clone()]))
        .collect())
}
