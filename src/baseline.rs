//! Baselines: record today's findings (`--write-baseline`) so that a codebase can adopt the
//! gate now and only new findings fail it (`--baseline`). Findings are matched by fingerprint
//! (rule, file, message, line text), not by line number, so unrelated edits don't matter.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::check::Report;
use crate::fingerprint::fingerprint_line;
use crate::render::{display_path, Files};

const VERSION: u32 = 1;

/// Far more findings than any baseline holds (a million entries are about 200 MB).
const MAX_BASELINE_SIZE: u64 = 256 * 1024 * 1024;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    findings: Vec<Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
struct Entry {
    file: String,
    rule: String,
    message: String,
    fingerprint: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The baseline file could not be read.
    #[error("could not read baseline {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The baseline file is not a regular file, or too large.
    #[error("could not read baseline: {0}")]
    File(#[from] crate::user_file::FileError),
    /// The baseline file is not a baseline schemalint wrote.
    #[error("invalid baseline {path}: {message}")]
    Invalid { path: PathBuf, message: String },
    /// The baseline file could not be written; the old one, if any, is unchanged.
    #[error("could not write baseline {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A finding's file as a baseline records it: relative to the project root (the config's
/// directory), with `/`, so the same baseline matches from any working directory.
fn project_path(root: &Path, file: &Path) -> String {
    match crate::walk::normalize(file).strip_prefix(root) {
        Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
        Err(_) => display_path(file),
    }
}

fn entries(report: &Report, root: &Path) -> Vec<Entry> {
    let mut files = Files::new(report);
    let mut out: Vec<Entry> = report
        .diagnostics
        .iter()
        .map(|d| {
            let path = project_path(root, &d.file);
            let line = files.index(&d.file).line_around(d.span.start);
            Entry {
                fingerprint: fingerprint_line(d, &path, line),
                file: path,
                rule: d.rule.to_string(),
                message: d.message.clone(),
            }
        })
        .collect();
    out.sort();
    out
}

/// Write every finding of the report as the new baseline (sorted, atomic), with paths
/// relative to `root`, the project root.
pub fn write(report: &Report, path: &Path, root: &Path) -> Result<usize, BaselineError> {
    let findings = entries(report, root);
    let n = findings.len();
    let file = BaselineFile {
        version: VERSION,
        findings,
    };
    let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
    text.push('\n');
    crate::atomic::write(path, text.as_bytes()).map_err(|source| BaselineError::Write {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(n)
}

/// What applying a baseline did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// Findings the baseline hid.
    pub hidden: usize,
    /// Baseline entries that matched no finding: fixed since, or stale.
    pub stale: usize,
}

/// Remove findings recorded in the baseline (paths relative to `root`, the project root). A
/// fingerprint recorded twice hides two findings, not more.
pub fn apply(report: &mut Report, path: &Path, root: &Path) -> Result<Applied, BaselineError> {
    let bytes = crate::user_file::read_regular(path, MAX_BASELINE_SIZE)?;
    let text = String::from_utf8(bytes).map_err(|_| BaselineError::Invalid {
        path: path.to_path_buf(),
        message: "file is not valid UTF-8".into(),
    })?;
    let file: BaselineFile = serde_json::from_str(&text).map_err(|e| BaselineError::Invalid {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    if file.version != VERSION {
        return Err(BaselineError::Invalid {
            path: path.to_path_buf(),
            message: format!("unsupported version {} (expected {VERSION})", file.version),
        });
    }
    let mut budget: HashMap<String, usize> = HashMap::new();
    for e in file.findings {
        *budget.entry(e.fingerprint).or_default() += 1;
    }
    let keys = entries_in_order(report, root);
    let before = report.diagnostics.len();
    let mut i = 0;
    report.diagnostics.retain(|_| {
        let key = &keys[i];
        i += 1;
        match budget.get_mut(key) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        }
    });
    Ok(Applied {
        hidden: before - report.diagnostics.len(),
        stale: budget.values().sum(),
    })
}

/// Fingerprints in the report's own order (unlike `entries`, which sorts).
fn entries_in_order(report: &Report, root: &Path) -> Vec<String> {
    let mut files = Files::new(report);
    report
        .diagnostics
        .iter()
        .map(|d| {
            let path = project_path(root, &d.file);
            fingerprint_line(d, &path, files.index(&d.file).line_around(d.span.start))
        })
        .collect()
}
