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
    /// Files left alone, with the reason (their findings stay in the report).
    pub refused: Vec<(PathBuf, String)>,
}

impl Added {
    pub fn merge(&mut self, other: Added) {
        self.comments += other.comments;
        self.findings += other.findings;
        self.files += other.files;
        self.unplaced += other.unplaced;
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
    report.statement_extents = extents;
    added
}

struct Rewritten {
    comments: usize,
    unplaced: usize,
    /// Indexes into the file's findings.
    silenced: Vec<usize>,
}

fn rewrite(
    path: &Path,
    statements: &[Span],
    findings: &[&Diagnostic],
    sources: &SourcesConfig,
) -> Result<Rewritten, String> {
    let language = Language::from_path(path).ok_or("not a file type schemalint reads")?;
    let comment = if language == Language::Sql {
        "--"
    } else {
        "//"
    };
    let bytes =
        user_file::read_regular(path, user_file::MAX_FILE_SIZE).map_err(|e| e.to_string())?;
    let old = String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())?;
    let wanted: Vec<(Span, &str)> = findings.iter().map(|d| (d.span, d.rule)).collect();
    let (insertions, unplaced) = suppress::plan_insertions(&old, statements, &wanted, comment);
    if insertions.is_empty() {
        return Err(format!(
            "{} finding(s) share a line with another statement's findings in a way one comment cannot tell apart: add the suppressions by hand",
            unplaced.len()
        ));
    }
    let new = suppress::insert(&old, &insertions);

    // The same SQL, token for token, before and after.
    let sql = |text: &str| -> Result<Vec<(Vec<String>, Span)>, String> {
        let found = extract::extract_parts(path, language, text, sources)
            .map_err(|e| e.to_string())?
            .embedded;
        Ok(found
            .iter()
            .filter(|s| s.host_file.is_none())
            .map(|s| {
                let tokens =
                    crate::sql::significant_tokens(&s.text).unwrap_or_else(|| vec![s.text.clone()]);
                (tokens, s.host_extent())
            })
            .collect())
    };
    let (before, after) = (sql(&old)?, sql(&new)?);
    let same = before.len() == after.len() && before.iter().zip(&after).all(|(a, b)| a.0 == b.0);
    if !same {
        return Err("a comment would have changed its SQL (a statement starting inside a string?): add the suppressions by hand".into());
    }

    // The comments silence the findings they were written for, at their new places.
    let shift = |offset: u32| {
        let before: usize = insertions
            .iter()
            .filter(|i| i.at <= offset as usize)
            .map(|i| i.line.len())
            .sum();
        offset + before as u32
    };
    let placed: Vec<usize> = (0..findings.len())
        .filter(|i| !unplaced.contains(i))
        .collect();
    let mut moved: Vec<Diagnostic> = placed
        .iter()
        .map(|&i| {
            let mut d = findings[i].clone();
            d.span = Span::new(shift(d.span.start), shift(d.span.end));
            d
        })
        .collect();
    let new_extents: Vec<Span> = after.iter().map(|(_, e)| *e).collect();
    suppress::apply(&new, &new_extents, &mut moved, None, &[]);
    if !moved.is_empty() {
        return Err(format!(
            "{} finding(s) would not be silenced by the comments: add the suppressions by hand",
            moved.len()
        ));
    }
    atomic::write(path, new.as_bytes()).map_err(|e| format!("could not write it: {e}"))?;
    Ok(Rewritten {
        comments: insertions.len(),
        unplaced: unplaced.len(),
        silenced: placed,
    })
}
