//! The `check` pipeline: source files → extract → parse → resolve → rules → diagnostics.
//! Files are independent, so they are processed in parallel; results are sorted afterwards
//! so that output never depends on scheduling.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::SourcesConfig;
use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::extract::{self, Confidence, EmbeddedSql, SpliceKind};
use crate::resolve;
use crate::rules::{self, Banned, DatabaseError, RuleId, RuleMeta, RuleSettings};
use crate::schema::live::ServerError;
use crate::schema::{Ident, Schema};
use crate::sql::{self, ParsedSql};
use crate::suppress;
use crate::verify::{self, Candidate};
use crate::walk::SourceFile;

/// Files larger than this are reported and skipped: no hand-written source is this big, and
/// generated bundles would only cost time.
pub const MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// A file that could not be checked (a tool problem, not a finding): exit code 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub path: PathBuf,
    pub message: String,
}

/// What `check` found, ready for a renderer.
#[derive(Debug, Default)]
pub struct Report {
    /// Sorted by file, then position.
    pub diagnostics: Vec<Diagnostic>,
    pub file_errors: Vec<FileError>,
    pub files_scanned: usize,
    /// Statements parsed and checked (those checked in part included).
    pub statements_checked: usize,
    /// Of those, statements with parts only known at run time: the rest was checked.
    pub statements_in_part: usize,
    /// Statements for another database (SQLite, MySQL), not checked.
    pub statements_skipped: usize,
    /// Statements found but not checked at all (they did not parse).
    pub statements_not_checked: usize,
    /// Every statement not checked in full, with its location and the reason.
    pub unchecked: Vec<Unchecked>,
    /// Host-language source files scanned (TypeScript/JavaScript/Rust, not `.sql`).
    pub source_files: usize,
    /// Pieces of SQL found in the scanned files (checked or not).
    pub sql_found: usize,
    /// The text of every file a diagnostic points into, for rendering snippets.
    pub sources: Vec<(PathBuf, Arc<str>)>,
    /// Schema objects the code uses; filled only when `Checker::collect_references` is set.
    pub references: BTreeSet<Reference>,
    /// Set when the database verified the statements (`check --verify`).
    pub verified: Option<verify::Summary>,
}

/// A statement that was not checked in full (`check --list-unchecked`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unchecked {
    pub file: PathBuf,
    /// 1-based; 0 when the file's text was not at hand.
    pub line: u32,
    pub column: u32,
    pub status: UncheckedStatus,
    pub reason: String,
}

/// How much of a statement was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UncheckedStatus {
    /// Parts are only known at run time; the rest was checked.
    InPart,
    /// SQL for another database, not checked.
    Skipped,
    /// Found, but not checked at all.
    NotChecked,
}

impl UncheckedStatus {
    pub fn describe(self) -> &'static str {
        match self {
            UncheckedStatus::InPart => "checked in part",
            UncheckedStatus::Skipped => "skipped",
            UncheckedStatus::NotChecked => "not checked",
        }
    }
}

/// A table (`column: None`) or column the scanned code uses. `*` stands for every column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Reference {
    pub schema: Ident,
    pub table: Ident,
    pub column: Option<Ident>,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    pub fn source(&self, path: &Path) -> Option<&Arc<str>> {
        self.sources.iter().find(|(p, _)| p == path).map(|(_, s)| s)
    }

    /// Add findings produced outside the file scan (schema warnings), with their file's text.
    pub fn extend_with_sources(&mut self, diagnostics: Vec<Diagnostic>) {
        for d in diagnostics {
            if self.source(&d.file).is_none() {
                if let Ok(text) = std::fs::read_to_string(&d.file) {
                    self.sources.push((d.file.clone(), Arc::from(text)));
                }
            }
            self.diagnostics.push(d);
        }
        self.sort();
    }

    fn sort(&mut self) {
        self.diagnostics.sort_by(|a, b| {
            (&a.file, a.span, a.rule, &a.message).cmp(&(&b.file, b.span, b.rule, &b.message))
        });
        self.diagnostics.dedup();
        self.sources.sort_by(|a, b| a.0.cmp(&b.0));
        self.sources.dedup_by(|a, b| a.0 == b.0);
    }
}

/// Everything the checker needs besides the files.
pub struct Checker<'a> {
    pub schema: &'a Schema,
    pub banned: Banned,
    pub settings: RuleSettings,
    pub sources: &'a SourcesConfig,
    /// Record which tables and columns are used (for `schemalint unused`).
    pub collect_references: bool,
}

/// Sends statements to the database and returns its verdict on each, in order (`None`: it
/// accepted the statement); `Err` when the database could not be asked.
pub type Verifier<'v> = dyn Fn(&[&str]) -> Result<Vec<Option<ServerError>>, String> + 'v;

struct FileOutcome {
    path: PathBuf,
    references: BTreeSet<Reference>,
    diagnostics: Vec<Diagnostic>,
    error: Option<FileError>,
    statements: usize,
    unchecked: Vec<Unchecked>,
    is_source: bool,
    sql_found: usize,
    /// Texts of files that diagnostics point into (the file itself, or a `query_file!` target).
    texts: Vec<(PathBuf, Arc<str>)>,
    /// Statements for the database to verify (only with a verifier).
    candidates: Vec<Candidate>,
    /// Suppression comments are applied once every finding is in: the file's text and the
    /// host extents of its SQL. `None` once applied.
    suppress: Option<(String, Vec<Span>)>,
}

impl Checker<'_> {
    pub fn check_files(&self, files: &[SourceFile]) -> Report {
        self.check_extracted(extract_files(files, self.sources, None))
    }

    /// Check files already read and extracted ([`extract_files`]: that phase needs no
    /// schema, so it can run while the schema loads).
    pub fn check_extracted(&self, files: Vec<Extracted>) -> Report {
        let scanned = files.len();
        let outcomes: Vec<FileOutcome> = run_with_big_stacks(|| {
            files
                .into_par_iter()
                .map(|f| {
                    let mut outcome = self.check_one(f, false);
                    self.apply_suppressions(&mut outcome, false);
                    outcome
                })
                .collect()
        });
        self.merge(scanned, outcomes)
    }

    /// Check the files, then have the database prepare every statement that can be checked
    /// statically (`check --verify`) and add its refusals, marked as coming from the database,
    /// except where a static finding already points at the same place.
    pub fn check_and_verify(
        &self,
        files: Vec<Extracted>,
        verifier: &Verifier<'_>,
    ) -> Result<Report, String> {
        let scanned = files.len();
        let mut outcomes: Vec<FileOutcome> = run_with_big_stacks(|| {
            files
                .into_par_iter()
                .map(|f| self.check_one(f, true))
                .collect()
        });
        let texts: Vec<&str> = outcomes
            .iter()
            .flat_map(|o| o.candidates.iter().map(Candidate::text))
            .collect();
        let verdicts = verifier(&texts)?;
        if verdicts.len() != texts.len() {
            return Err(format!(
                "the database answered {} of {} statements",
                verdicts.len(),
                texts.len()
            ));
        }
        let severity = self.settings.severity(RuleId::DatabaseError);
        let mut summary = verify::Summary {
            statements: texts.len(),
            ..verify::Summary::default()
        };
        let mut verdicts = verdicts.into_iter();
        for outcome in &mut outcomes {
            let mut found = Vec::new();
            for (candidate, verdict) in outcome.candidates.iter().zip(verdicts.by_ref()) {
                let Some(error) = verdict else { continue };
                summary.refused += 1;
                let d = verify::diagnostic(candidate, &error, severity.unwrap_or(Severity::Error));
                if verify::already_reported(&outcome.diagnostics, &d) {
                    summary.already_reported += 1;
                } else if severity.is_some() {
                    found.push(d);
                }
            }
            if !found.is_empty() {
                outcome.diagnostics.extend(found);
                for c in &outcome.candidates {
                    if c.file != outcome.path && !outcome.texts.iter().any(|(p, _)| *p == c.file) {
                        if let Ok(t) = std::fs::read_to_string(&c.file) {
                            outcome.texts.push((c.file.clone(), Arc::from(t)));
                        }
                    }
                }
            }
            outcome.candidates = Vec::new();
            self.apply_suppressions(outcome, true);
        }
        let mut report = self.merge(scanned, outcomes);
        report.verified = Some(summary);
        Ok(report)
    }

    fn merge(&self, files_scanned: usize, outcomes: Vec<FileOutcome>) -> Report {
        let mut report = Report {
            files_scanned,
            ..Report::default()
        };
        for outcome in outcomes {
            report.statements_checked += outcome.statements;
            report.source_files += usize::from(outcome.is_source);
            report.sql_found += outcome.sql_found;
            for u in &outcome.unchecked {
                match u.status {
                    UncheckedStatus::InPart => report.statements_in_part += 1,
                    UncheckedStatus::Skipped => report.statements_skipped += 1,
                    UncheckedStatus::NotChecked => report.statements_not_checked += 1,
                }
            }
            report.unchecked.extend(outcome.unchecked);
            report.references.extend(outcome.references);
            if !outcome.diagnostics.is_empty() {
                report.sources.extend(outcome.texts);
            }
            report.diagnostics.extend(outcome.diagnostics);
            report.file_errors.extend(outcome.error);
        }
        report.file_errors.sort_by(|a, b| a.path.cmp(&b.path));
        report.unchecked.sort();
        report.sort();
        report
    }

    fn check_one(&self, file: Extracted, verify: bool) -> FileOutcome {
        let mut outcome = FileOutcome {
            path: file.path,
            references: BTreeSet::new(),
            diagnostics: Vec::new(),
            error: file.error,
            statements: 0,
            unchecked: Vec::new(),
            is_source: file.is_source,
            sql_found: file.embedded.len(),
            texts: Vec::new(),
            candidates: Vec::new(),
            suppress: None,
        };
        if outcome.error.is_some() {
            return outcome;
        }
        let extents: Vec<Span> = file
            .embedded
            .iter()
            .filter(|s| s.host_file.is_none())
            .map(EmbeddedSql::host_extent)
            .collect();
        let index = crate::diagnostic::LineIndex::new(&file.text);
        for sql in file.embedded {
            let host = sql
                .host_file
                .clone()
                .unwrap_or_else(|| outcome.path.clone());
            let mut note = |status: UncheckedStatus, reason: String, at: u32| {
                let (line, column) = if sql.host_file.is_none() && !file.text.is_empty() {
                    index.line_col(&file.text, at)
                } else {
                    (0, 0)
                };
                outcome.unchecked.push(Unchecked {
                    file: host.clone(),
                    line,
                    column,
                    status,
                    reason,
                });
            };
            let at = sql.host_extent().start;
            if let Some(reason) = &sql.other_database {
                note(UncheckedStatus::Skipped, reason.clone(), at);
                continue;
            }
            let before = outcome.diagnostics.len();
            if sql.host_file.is_none() {
                interpolations(&sql, &file.text, &self.settings, &mut outcome.diagnostics);
            }
            let statements =
                self.check_sql(&sql, &mut outcome.diagnostics, &mut outcome.references);
            outcome.statements += statements;
            if statements > 0 && !sql.dynamic.is_empty() {
                let part = sql
                    .dynamic
                    .first()
                    .and_then(|d| file.text.get(d.start as usize..d.end as usize))
                    .filter(|p| sql.host_file.is_none() && p.len() <= 60 && !p.contains('\n'));
                let reason = match part {
                    Some(p) => format!("`{p}` is only known at run time; the rest was checked"),
                    None => "parts of it are only known at run time; the rest was checked".into(),
                };
                note(UncheckedStatus::InPart, reason, at);
            } else if statements == 0
                && sql.confidence == Confidence::Certain
                && !is_schema_statement(&sql.text)
            {
                let reason = if sql.dynamic.is_empty() {
                    "it does not parse"
                } else {
                    "it is built at run time and what is static does not parse"
                };
                note(UncheckedStatus::NotChecked, reason.into(), at);
            }
            for d in &mut outcome.diagnostics[before..] {
                d.file = host.clone();
            }
            if sql.host_file.is_some() && outcome.diagnostics.len() > before {
                if let Ok(t) = std::fs::read_to_string(&host) {
                    outcome.texts.push((host.clone(), Arc::from(t)));
                }
            }
            // Text with values pasted in is not the statement that runs: never verified.
            if verify && sql.spliced.is_empty() {
                let sql = Arc::new(sql);
                outcome
                    .candidates
                    .extend(verify::candidates(&sql, &host, statements > 0));
            }
        }
        outcome.suppress = Some((file.text, extents));
        outcome
    }

    /// Drop the findings that suppression comments in the file silence, and report the
    /// comments that silence nothing. Findings in other files (`query_file!`) are kept.
    fn apply_suppressions(&self, outcome: &mut FileOutcome, verified: bool) {
        let Some((text, extents)) = outcome.suppress.take() else {
            return;
        };
        let (mut own, other): (Vec<Diagnostic>, Vec<Diagnostic>) = outcome
            .diagnostics
            .drain(..)
            .partition(|d| d.file == outcome.path);
        suppress::apply(
            &text,
            &extents,
            &mut own,
            self.settings.severity(RuleId::UnusedSuppression),
            if verified {
                &[]
            } else {
                &[DatabaseError::NAME]
            },
        );
        for d in &mut own {
            d.file = outcome.path.clone();
        }
        // The text is kept (for the renderer's snippets) only when something points into it.
        if !own.is_empty() {
            outcome.texts.push((outcome.path.clone(), Arc::from(text)));
        }
        outcome.diagnostics = own;
        outcome.diagnostics.extend(other);
    }

    /// Parse, resolve and check one piece of embedded SQL; returns the statements checked.
    pub fn check_sql(
        &self,
        sql: &EmbeddedSql,
        diagnostics: &mut Vec<Diagnostic>,
        references: &mut BTreeSet<Reference>,
    ) -> usize {
        let statements = match sql::parse(&sql.text) {
            Ok(s) => s,
            Err(error) => {
                self.report_parse_failure(sql, error, diagnostics);
                return 0;
            }
        };
        let parsed = ParsedSql::new(&sql.text);
        let first_new = diagnostics.len();
        for stmt in &statements {
            let resolved = resolve::resolve_statement(stmt, self.schema, &parsed);
            rules::check_statement(
                sql,
                self.schema,
                &resolved,
                &self.banned,
                &self.settings,
                diagnostics,
            );
            if self.collect_references {
                collect_references(&resolved, references);
            }
        }
        if !sql.dynamic.is_empty() {
            self.keep_what_is_known(sql, first_new, diagnostics);
        }
        statements.len()
    }

    /// A statement built at run time parsed with stand-ins for its run-time parts: drop the
    /// findings on the stand-ins (`a` in `SET a=1`) and those that depend on the statement's
    /// shape (how many values, which columns are set), and say what was not checked.
    fn keep_what_is_known(
        &self,
        sql: &EmbeddedSql,
        first_new: usize,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let unknown: Vec<Span> = sql
            .spliced
            .iter()
            .map(|s| s.host)
            .chain(sql.dynamic.iter().copied())
            .collect();
        let has_fragments = sql.spliced.iter().any(|s| s.kind != SpliceKind::Value);
        let mut i = first_new;
        while i < diagnostics.len() {
            let d = &diagnostics[i];
            let on_stand_in = unknown.iter().any(|u| {
                d.span.start < u.end.max(u.start + 1) && u.start < d.span.end.max(d.span.start + 1)
            });
            let shape = has_fragments
                && (d.rule == rules::InsertColumnCount::NAME
                    || d.rule == rules::MissingRequiredColumn::NAME);
            if on_stand_in || shape {
                diagnostics.remove(i);
            } else {
                i += 1;
            }
        }
        if let (Some(severity), Some(&first)) = (
            self.settings.severity(RuleId::DynamicSql),
            sql.dynamic.first(),
        ) {
            diagnostics.push(
                Diagnostic::new(
                    rules::DynamicSql::NAME,
                    severity,
                    "statement built at run time was checked in part",
                    first,
                )
                .with_label("only known at run time")
                .with_help(Some(
                    "the tables and columns written out were checked; what is pasted in here was not"
                        .into(),
                )),
            );
        }
    }

    fn report_parse_failure(
        &self,
        sql: &EmbeddedSql,
        error: sql::SyntaxError,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        // A plain string that merely looked like SQL: not SQL after all.
        if sql.confidence == Confidence::Guess {
            return;
        }
        // Schema statements in a query file are not checked (the schema comes from the
        // configured sources), so failing to parse one loses nothing worth a warning.
        if is_schema_statement(&sql.text) {
            return;
        }
        if let Some(&first) = sql.dynamic.first() {
            if let Some(severity) = self.settings.severity(RuleId::DynamicSql) {
                diagnostics.push(
                    Diagnostic::new(
                        rules::DynamicSql::NAME,
                        severity,
                        "statement built at run time was not checked",
                        first,
                    )
                    .with_label("only known at run time")
                    .with_help(Some(
                        "use a static table or column name so the statement can be checked".into(),
                    )),
                );
            }
            return;
        }
        let Some(severity) = self.settings.severity(RuleId::SqlSyntax) else {
            return;
        };
        let span = match error.offset {
            Some(offset) => {
                let end = next_token_end(&sql.text, offset);
                sql.host_span(offset, end)
            }
            None => first_line_span(sql, 0, sql.text.len() as u32),
        };
        diagnostics.push(
            Diagnostic::new(
                rules::SqlSyntax::NAME,
                severity,
                format!(
                    "statement was not checked: {}",
                    crate::diagnostic::lowercase_first(&error.message)
                ),
                span,
            )
            .with_label("could not parse from here")
            .with_help(Some(
                "fix the syntax; if Postgres accepts it, the parser may not support it yet".into(),
            )),
        );
    }
}

/// `interpolated-sql`: each run-time value pasted into the text where a parameter would do.
fn interpolations(
    sql: &EmbeddedSql,
    host: &str,
    settings: &RuleSettings,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(severity) = settings.severity(RuleId::InterpolatedSql) else {
        return;
    };
    // Stand-ins are not parameters: number the suggestion after the real ones only.
    let mut real = sql.text.clone().into_bytes();
    for s in &sql.spliced {
        for b in real
            .get_mut(s.sql_start as usize..s.sql_end as usize)
            .into_iter()
            .flatten()
        {
            *b = b' ';
        }
    }
    let mut n = crate::extract::splice::next_param(&String::from_utf8_lossy(&real));
    for s in sql.spliced.iter().filter(|s| s.kind == SpliceKind::Value) {
        let written = host
            .get(s.host.start as usize..s.host.end as usize)
            .unwrap_or("");
        let value = written
            .trim()
            .trim_start_matches('+')
            .trim_start_matches("${")
            .trim_end_matches('}')
            .trim();
        if value.is_empty() {
            continue;
        }
        // The last two tokens before the hole: `id =`, `LIKE '%`.
        let before: Vec<&str> = sql.text[..s.sql_start as usize]
            .split_whitespace()
            .rev()
            .take(2)
            .collect();
        let before: Vec<&str> = before.into_iter().rev().collect();
        let mut d = rules::interpolated_sql(s.host, value, &before.join(" "), n);
        d.severity = severity;
        diagnostics.push(d);
        n += 1;
    }
}

fn collect_references(resolved: &resolve::Resolved, out: &mut BTreeSet<Reference>) {
    let table = |i: usize| match &resolved.tables.get(i)?.status {
        resolve::TableStatus::Found { schema, relation } => {
            Some((schema.clone(), relation.clone()))
        }
        _ => None,
    };
    for i in 0..resolved.tables.len() {
        if let Some((schema, table)) = table(i) {
            out.insert(Reference {
                schema,
                table,
                column: None,
            });
        }
    }
    for &i in &resolved.all_columns_used {
        if let Some((schema, table)) = table(i) {
            out.insert(Reference {
                schema,
                table,
                column: Some(Ident::quoted("*")),
            });
        }
    }
    for c in &resolved.columns {
        if let resolve::ColumnStatus::Found { table: Some(i) } = c.status {
            if let Some((schema, table)) = table(i) {
                out.insert(Reference {
                    schema,
                    table,
                    column: Some(c.name.clone()),
                });
            }
        }
    }
}

/// A source file read and its SQL extracted: the part of checking that needs no schema.
pub struct Extracted {
    path: PathBuf,
    /// A host-language file (not `.sql`).
    is_source: bool,
    /// The file's text, kept only when it holds SQL or a suppression comment.
    text: String,
    embedded: Vec<EmbeddedSql>,
    error: Option<FileError>,
}

/// Read every file and extract its SQL, in parallel, adding one to `progress` per file.
pub fn extract_files(
    files: &[SourceFile],
    sources: &SourcesConfig,
    progress: Option<&AtomicUsize>,
) -> Vec<Extracted> {
    run_with_big_stacks(|| {
        files
            .par_iter()
            .map(|f| {
                let extracted = extract_file(f, sources);
                if let Some(p) = progress {
                    p.fetch_add(1, Ordering::Relaxed);
                }
                extracted
            })
            .collect()
    })
}

fn extract_file(file: &SourceFile, sources: &SourcesConfig) -> Extracted {
    let mut out = Extracted {
        path: file.path.clone(),
        is_source: file.language != extract::Language::Sql,
        text: String::new(),
        embedded: Vec::new(),
        error: None,
    };
    let text = match read_source(&file.path) {
        Ok(text) => text,
        Err(message) => {
            out.error = Some(FileError {
                path: file.path.clone(),
                message,
            });
            return out;
        }
    };
    match extract::extract(&file.path, file.language, &text, sources) {
        Ok(embedded) => out.embedded = embedded,
        Err(e) => {
            out.error = Some(FileError {
                path: file.path.clone(),
                message: e.to_string(),
            });
            return out;
        }
    }
    if !out.embedded.is_empty() || suppress::mentioned(&text) {
        out.text = text;
    }
    out
}

/// The stack size of every thread that parses: the pool's and the binary's main worker.
pub const STACK_SIZE: usize = 64 * 1024 * 1024;

/// Parsers recurse; deeply nested input needs more than the default 2 MiB thread stacks. One
/// pool of 64 MiB-stack threads serves the whole run (the memory is only reserved, not used,
/// unless the input really is that deep); work already on it runs in place.
pub fn run_with_big_stacks<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    let pool = POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(STACK_SIZE)
            .build()
            .ok()
    });
    match pool {
        Some(pool) => pool.install(work),
        None => work(),
    }
}

/// Read a source file as UTF-8 text, with a message naming what went wrong.
pub fn read_source(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| io_message(&e))?;
    if meta.len() > MAX_FILE_SIZE {
        return Err(format!(
            "file is too large to check ({} MiB; the limit is {} MiB)",
            meta.len() / (1024 * 1024),
            MAX_FILE_SIZE / (1024 * 1024)
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| io_message(&e))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "file is not valid UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "file disappeared before it could be read".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => format!("could not read: {e}"),
    }
}

fn is_schema_statement(text: &str) -> bool {
    let word = extract::leading_word(text.trim_start()).to_ascii_uppercase();
    matches!(
        word.as_str(),
        "CREATE"
            | "ALTER"
            | "DROP"
            | "GRANT"
            | "REVOKE"
            | "COMMENT"
            | "SET"
            | "RESET"
            | "SECURITY"
            | "REFRESH"
            | "DO"
    )
}
/// The end of the token starting at `offset` (for underlining a syntax error).
pub(crate) fn next_token_end(text: &str, offset: u32) -> u32 {
    let rest = &text[(offset as usize).min(text.len())..];
    let len = rest
        .char_indices()
        .find(|(i, c)| *i > 0 && (c.is_whitespace() || "(),;".contains(*c)))
        .map_or(rest.len(), |(i, _)| i);
    offset + len.max(1).min(rest.len()) as u32
}

/// The host span of the first line of `sql.text[start..end]`.
pub(crate) fn first_line_span(sql: &EmbeddedSql, start: u32, end: u32) -> Span {
    let text = &sql.text[start as usize..end as usize];
    let line = text.find('\n').unwrap_or(text.len()) as u32;
    sql.host_span(start, start + line)
}
