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
use crate::extract::{self, first_line_span, next_token_end, Confidence, EmbeddedSql, SpliceKind};
use crate::resolve;
use crate::rules::{self, Banned, DatabaseError, RuleId, RuleMeta, RuleSettings};
use crate::schema::live::NotVerified;
use crate::schema::live::{Verdict, Verification};
use crate::schema::{Ident, Schema};
use crate::sql::{self, ParsedSql};
use crate::suppress;
use crate::verify::{self, Candidate};
use crate::walk::{self, SourceFile};

pub use crate::user_file::MAX_FILE_SIZE;

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
    /// Statements found but not checked at all (they did not parse, or are `DO` blocks).
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
    /// Every table reference with its place (`schemalint report`); filled only when
    /// `Checker::collect_table_uses` is set.
    pub table_uses: Vec<TableUsage>,
    /// Set when the database verified the statements (`check --verify`).
    pub verified: Option<verify::Summary>,
    /// Problems that are not about one source file's content (a path that does not exist, a
    /// bad glob, a failed `--verify`, a schema that could not be loaded): exit code 2, and every
    /// output format carries them.
    pub run_errors: Vec<String>,
    /// What the schema was read from, as shown to users (`db/migrations (44 files)`, `live
    /// database postgres://app@host/db`).
    pub schema_source: Option<String>,
    /// The host extents of the SQL in each scanned file that has findings, by file (where
    /// `check --add-suppressions` puts its comments).
    pub statement_extents: Vec<(PathBuf, Vec<Span>)>,
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

/// One table named by one statement, and where (`schemalint report`). Tables the schema
/// lacks are kept too (`found: None`); system catalogs and unknown schemas are not.
///
/// Laid out as declared, each record starting a cache line: what the report reads of a use
/// when it sums up its table (the columns, the place, the statement) is the record's first
/// 48 bytes, one line. The report meets the uses long after the check made them, so every
/// line it reads comes from memory: on the 1M-line bench tree, loading the read and the
/// written columns from two lists, and the fields from two or three lines, took 45% of the
/// table summaries' samples (perf); one list and one line took the summaries from 1.67 to
/// 1.55 ms (medians of 30 runs).
#[derive(Debug, Clone, PartialEq, Eq)]
#[repr(C, align(64))]
pub struct TableUsage {
    /// The columns of this reference: first the `read` it names in expressions (select list,
    /// WHERE, RETURNING...), then those it assigns (INSERT column list, UPDATE SET, ON
    /// CONFLICT); each part in the order the statement names them, a column named twice
    /// there twice.
    pub columns: Vec<Ident>,
    /// How many of `columns` are read; the rest are written.
    pub read: u32,
    /// 1-based line and column of `span` in `file`, from the file's line index (0, 0 when
    /// the SQL is in another file, `query_file!`).
    pub line: u32,
    pub column: u32,
    pub usage: resolve::TableUse,
    /// `*`, `t.*` or an INSERT without a column list: every column.
    pub all_columns: bool,
    /// `None` when its statement was checked in full; else checked in part (parts of it are
    /// only known at run time: it may use more columns than `columns`), or not checked (it
    /// did not parse, or it is a `DO` block: the table is only named there, how it is used
    /// is unknown, and `usage` is `Read`).
    pub unchecked: Option<UncheckedStatus>,
    /// Which statement of the scanned file it is in (0-based), to count statements per table;
    /// SQL that was not checked counts as one statement, numbered from the top down
    /// (`usize::MAX` for the file's first piece of SQL) so that it meets no parsed one.
    pub statement: usize,
    /// The table name in the host file.
    pub span: Span,
    /// The host file (shared by the file's uses).
    pub file: Arc<Path>,
    /// The name as written.
    pub name: crate::schema::QualifiedName,
    /// The relation it resolved to (schema, name), or `None` when the schema lacks it.
    pub found: Option<(Ident, Ident)>,
}

impl TableUsage {
    /// The columns this reference reads, in the order the statement names them.
    pub fn read_columns(&self) -> &[Ident] {
        &self.columns[..self.read as usize]
    }

    /// The columns this reference assigns, in the order the statement names them.
    pub fn written_columns(&self) -> &[Ident] {
        &self.columns[self.read as usize..]
    }
}

impl Report {
    /// A report that holds only a tool error: what a machine format prints when the run
    /// could not start (bad config, unreachable database), so CI always gets a valid document.
    pub fn failed(message: String) -> Self {
        Report {
            run_errors: vec![message],
            ..Report::default()
        }
    }

    /// Add another part of the run (another package's config and schema) to this report.
    /// Destructured, so that a field added to `Report` cannot be forgotten here.
    pub fn merge(&mut self, other: Report) {
        let Report {
            diagnostics,
            file_errors,
            files_scanned,
            statements_checked,
            statements_in_part,
            statements_skipped,
            statements_not_checked,
            unchecked,
            source_files,
            sql_found,
            sources,
            references,
            table_uses,
            verified,
            run_errors,
            schema_source,
            statement_extents,
        } = other;
        self.diagnostics.extend(diagnostics);
        self.file_errors.extend(file_errors);
        self.files_scanned += files_scanned;
        self.statements_checked += statements_checked;
        self.statements_in_part += statements_in_part;
        self.statements_skipped += statements_skipped;
        self.statements_not_checked += statements_not_checked;
        self.unchecked.extend(unchecked);
        self.unchecked.sort();
        self.source_files += source_files;
        self.sql_found += sql_found;
        self.sources.extend(sources);
        self.references.extend(references);
        self.table_uses.extend(table_uses);
        self.verified = match (self.verified, verified) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
        self.run_errors.extend(run_errors);
        self.statement_extents.extend(statement_extents);
        self.schema_source = match (self.schema_source.take(), schema_source) {
            (Some(a), Some(b)) if a != b => Some(format!("{a}; {b}")),
            (a, b) => a.or(b),
        };
        self.file_errors.sort_by(|a, b| a.path.cmp(&b.path));
        self.sort();
    }

    /// Whether something could not be checked (exit code 2).
    pub fn is_incomplete(&self) -> bool {
        !self.file_errors.is_empty() || !self.run_errors.is_empty()
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    pub fn source(&self, path: &Path) -> Option<&Arc<str>> {
        // Sorted by path: every change to `sources` ends in `sort`.
        self.sources
            .binary_search_by(|(p, _)| p.as_path().cmp(path))
            .ok()
            .map(|i| &self.sources[i].1)
    }

    /// Add findings produced outside the file scan (schema warnings), with their file's text.
    pub fn extend_with_sources(&mut self, diagnostics: Vec<Diagnostic>) {
        let mut read: Vec<(PathBuf, Arc<str>)> = Vec::new();
        for d in diagnostics {
            if self.source(&d.file).is_none() && !read.iter().any(|(p, _)| *p == d.file) {
                if let Some(text) = crate::user_file::reread(&d.file) {
                    read.push((d.file.clone(), Arc::from(text)));
                }
            }
            self.diagnostics.push(d);
        }
        self.sources.extend(read);
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
    /// `schema`'s relations by column name (built on first use).
    pub column_owners: crate::schema::ColumnOwners<'a>,
    pub settings: RuleSettings,
    pub sources: &'a SourcesConfig,
    /// Record which tables and columns are used (for `schemalint unused`).
    pub collect_references: bool,
    /// Record every table reference with its place (for `schemalint report`).
    pub collect_table_uses: bool,
}

/// Sends statements to the database and returns its verdict on each, in order, up to a
/// failure that stopped it.
pub type Verifier<'v> = dyn Fn(&[&str]) -> Verification + 'v;

/// What `check --verify` needs: who to ask, and whether the static schema came from that
/// same database (then a statement it prepares overrules a static finding; with schema
/// files, the disagreement is drift).
pub struct Verify<'v> {
    pub ask: &'v Verifier<'v>,
    pub same_database: bool,
}

struct FileOutcome {
    path: PathBuf,
    references: BTreeSet<Reference>,
    table_uses: Vec<TableUsage>,
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
    /// The host extents of the file's SQL, kept once suppressions are applied when findings
    /// remain.
    extents: Option<Vec<Span>>,
}

impl Checker<'_> {
    pub fn check_files(&self, files: &[SourceFile]) -> Report {
        let suppressions = self.settings.any_on();
        self.check_extracted(extract_files(files, self.sources, suppressions, None))
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
    /// except where a static finding already points at the same place. A static finding on a
    /// statement the database prepared is dropped (same database) or reported as drift
    /// (schema files). When the verification fails part-way, the static findings and the
    /// verdicts so far are kept, and the failure is returned as a tool error.
    pub fn check_and_verify(
        &self,
        files: Vec<Extracted>,
        verify: &Verify<'_>,
    ) -> (Report, Option<String>) {
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
        let total = texts.len();
        let Verification { verdicts, failure } = (verify.ask)(&texts);
        let severity = self.settings.severity(RuleId::DatabaseError);
        let mut summary = verify::Summary {
            statements: total,
            unanswered: total.saturating_sub(verdicts.len()),
            ..verify::Summary::default()
        };
        let mut tool_error = None;
        let mut index = 0;
        let mut verdicts = verdicts.into_iter();
        for outcome in &mut outcomes {
            let mut found = Vec::new();
            let candidates = std::mem::take(&mut outcome.candidates);
            for candidate in &candidates {
                if let Some(f) = failure.as_ref().filter(|f| f.statement == Some(index)) {
                    tool_error = Some(format!(
                        "--verify stopped at the statement at {}: {}",
                        location(candidate),
                        f.error
                    ));
                }
                index += 1;
                let Some(verdict) = verdicts.next() else {
                    continue;
                };
                match verdict {
                    Verdict::Prepared => database_accepted(
                        candidate,
                        &mut outcome.diagnostics,
                        verify.same_database,
                        &mut summary,
                    ),
                    Verdict::NotVerified(why) => match why {
                        NotVerified::Locked => summary.locked += 1,
                        NotVerified::TimedOut => summary.timed_out += 1,
                        NotVerified::Unencodable => {
                            summary.not_sent += 1;
                            found.push(verify::not_sent(candidate, why));
                        }
                    },
                    Verdict::Refused(error)
                        if verify::is_untyped_parameter_refusal(candidate, &error) =>
                    {
                        summary.untyped_parameters += 1;
                    }
                    Verdict::Refused(error) => {
                        summary.refused += 1;
                        let d = verify::diagnostic(
                            candidate,
                            &error,
                            severity.unwrap_or(Severity::Error),
                        );
                        let reference = verify::reference_span(candidate, &error);
                        if verify::already_reported(&outcome.diagnostics, &d, reference) {
                            summary.already_reported += 1;
                        } else if severity.is_some() {
                            found.push(d);
                        }
                    }
                }
            }
            if !found.is_empty() {
                outcome.diagnostics.extend(found);
                for c in &candidates {
                    if c.file != outcome.path && !outcome.texts.iter().any(|(p, _)| *p == c.file) {
                        if let Some(t) = crate::user_file::reread(&c.file) {
                            outcome.texts.push((c.file.clone(), Arc::from(t)));
                        }
                    }
                }
            }
            self.apply_suppressions(outcome, true);
        }
        if let Some(f) = failure {
            if tool_error.is_none() {
                tool_error = Some(format!(
                    "--verify: {} ({} of {total} statements verified; the findings above are complete for the static checks)",
                    f.error,
                    total - summary.unanswered
                ));
            }
        }
        let mut report = self.merge(scanned, outcomes);
        report.verified = Some(summary);
        (report, tool_error)
    }

    fn merge(&self, files_scanned: usize, outcomes: Vec<FileOutcome>) -> Report {
        let mut report = Report {
            files_scanned,
            ..Report::default()
        };
        // Sized once: `report` gathers every statement's table uses (about 25,000 on the 1M
        // tree), which a vector grown file by file copied again and again.
        report
            .table_uses
            .reserve_exact(outcomes.iter().map(|o| o.table_uses.len()).sum());
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
            report.table_uses.extend(outcome.table_uses);
            if !outcome.diagnostics.is_empty() {
                report.sources.extend(outcome.texts);
                if let Some(extents) = outcome.extents {
                    report
                        .statement_extents
                        .push((outcome.path.clone(), extents));
                }
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
            // `report`: about two tables a piece of SQL, room made once (each use is large,
            // and a list grown use by use was copied again and again).
            table_uses: Vec::with_capacity(if self.collect_table_uses {
                2 * file.embedded.len()
            } else {
                0
            }),
            diagnostics: Vec::new(),
            error: file.error,
            statements: 0,
            unchecked: Vec::new(),
            is_source: file.is_source,
            sql_found: file.embedded.len(),
            texts: Vec::new(),
            candidates: Vec::new(),
            suppress: None,
            extents: None,
        };
        if outcome.error.is_some() {
            return outcome;
        }
        if let Some(severity) = self.settings.severity(RuleId::OtherDatabase) {
            for note in file.notes {
                outcome.diagnostics.push(
                    Diagnostic::new(
                        rules::OtherDatabase::NAME,
                        severity,
                        note.message,
                        note.span,
                    )
                    .with_label("not PostgreSQL"),
                );
                if let Some(d) = outcome.diagnostics.last_mut() {
                    d.file = note.file.clone();
                }
                if let Ok(t) = std::fs::read_to_string(&note.file) {
                    outcome.texts.push((note.file, Arc::from(t)));
                }
            }
        }
        let extents: Vec<Span> = file
            .embedded
            .iter()
            .filter(|s| s.host_file.is_none())
            .map(EmbeddedSql::host_extent)
            .collect();
        // Lines only when asked: most files have no unchecked statement and, outside
        // `report`, need no lines at all (an index of every file was a tenth of a run's
        // instructions on a 1M-line tree). The places asked come in source order.
        let cursor = std::cell::RefCell::new(crate::diagnostic::LineCursor::new(&file.text));
        let line_col = |at: u32| cursor.borrow_mut().line_col(at);
        for (piece, sql) in file.embedded.into_iter().enumerate() {
            let host = sql
                .host_file
                .clone()
                .unwrap_or_else(|| outcome.path.clone());
            let mut note = |status: UncheckedStatus, reason: String, at: u32| {
                let (line, column) = if sql.host_file.is_none() && !file.text.is_empty() {
                    line_col(at)
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
            let uses_before = outcome.table_uses.len();
            let mut uses = self.collect_table_uses.then(|| TableUses {
                file: Arc::from(host.as_path()),
                first_statement: outcome.statements,
                out: &mut outcome.table_uses,
            });
            let statements = self.check_sql_with_uses(
                &sql,
                &mut outcome.diagnostics,
                &mut outcome.references,
                uses.as_mut(),
            );
            outcome.statements += statements;
            // `report` needs lines; the index of the host file is at hand here.
            if sql.host_file.is_none() {
                for u in &mut outcome.table_uses[uses_before..] {
                    (u.line, u.column) = line_col(u.span.start);
                }
            }
            // SQL not checked still names relations (`report`, `unused`).
            let names = self.collect_table_uses || self.collect_references;
            if is_do_block(&sql.text) {
                // Applied to the schema (what it creates or alters), but PL/pgSQL is not SQL
                // this tool checks: said, not passed over.
                note(UncheckedStatus::NotChecked, DO_BLOCK.into(), at);
                if names {
                    let found = (&mut outcome.references, &mut outcome.table_uses);
                    self.note_named_relations(&sql, &host, piece, found, &line_col);
                }
            } else if statements > 0 && !sql.dynamic.is_empty() {
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
                for u in &mut outcome.table_uses[uses_before..] {
                    u.unchecked = Some(UncheckedStatus::InPart);
                }
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
                if names {
                    let found = (&mut outcome.references, &mut outcome.table_uses);
                    self.note_named_relations(&sql, &host, piece, found, &line_col);
                }
            }
            for d in &mut outcome.diagnostics[before..] {
                d.file = host.clone();
            }
            if sql.host_file.is_some() && outcome.diagnostics.len() > before {
                if let Some(t) = crate::user_file::reread(&host) {
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

    /// SQL that was not checked (it did not parse, or it is a `DO` block) still names
    /// relations: for `report` and `unused`, a table named only there is not unused. Each
    /// is a use whose kind is unknown (`unchecked`), with every column counted as used.
    fn note_named_relations(
        &self,
        sql: &EmbeddedSql,
        host: &Path,
        piece: usize,
        (references, uses): (&mut BTreeSet<Reference>, &mut Vec<TableUsage>),
        line_col: &dyn Fn(u32) -> (u32, u32),
    ) {
        let mentions = resolve::named_relations(&sql.text, self.schema);
        if self.collect_references {
            for m in &mentions {
                for column in [None, Some(Ident::quoted("*"))] {
                    references.insert(Reference {
                        schema: m.schema.clone(),
                        table: m.relation.clone(),
                        column,
                    });
                }
            }
        }
        if !self.collect_table_uses {
            return;
        }
        let file = Arc::<Path>::from(host);
        for m in mentions {
            let span = sql.host_span(m.range.start, m.range.end);
            let (line, column) = if sql.host_file.is_none() {
                line_col(span.start)
            } else {
                (0, 0)
            };
            uses.push(TableUsage {
                columns: Vec::new(),
                read: 0,
                line,
                column,
                usage: resolve::TableUse::Read,
                all_columns: false,
                unchecked: Some(UncheckedStatus::NotChecked),
                statement: usize::MAX - piece,
                span,
                file: file.clone(),
                name: m.name,
                found: Some((m.schema, m.relation)),
            });
        }
    }

    /// Drop the findings that suppression comments in the file silence, and report the
    /// comments that silence nothing. Findings in other files (`query_file!`) are kept.
    fn apply_suppressions(&self, outcome: &mut FileOutcome, verified: bool) {
        let Some((text, extents)) = outcome.suppress.take() else {
            return;
        };
        // Nothing to silence and none to call unused (`report` runs no rule).
        if outcome.diagnostics.is_empty()
            && self.settings.severity(RuleId::UnusedSuppression).is_none()
        {
            return;
        }
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
            outcome.extents = Some(extents);
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
        self.check_sql_with_uses(sql, diagnostics, references, None)
    }

    /// [`Checker::check_sql`], also recording each table reference's place when asked.
    fn check_sql_with_uses(
        &self,
        sql: &EmbeddedSql,
        diagnostics: &mut Vec<Diagnostic>,
        references: &mut BTreeSet<Reference>,
        mut uses: Option<&mut TableUses<'_>>,
    ) -> usize {
        // SQL the extractor could not read at all (a run-time value passed to a query call).
        if sql.text.trim().is_empty() {
            if let Some(&first) = sql.dynamic.first() {
                self.report_dynamic(first, diagnostics);
            }
            return 0;
        }
        let (statements, rewritten) = match sql::parse(&sql.text) {
            Ok(s) => (s, None),
            Err(error) => match sql::parse_table_command(&sql.text) {
                Some((text, rewrite, s)) => (s, Some((text, rewrite))),
                None => {
                    self.report_parse_failure(sql, error, diagnostics);
                    return 0;
                }
            },
        };
        let parsed = match &rewritten {
            Some((text, rewrite)) => ParsedSql::rewritten(text, *rewrite),
            None => ParsedSql::new(&sql.text),
        };
        let first_new = diagnostics.len();
        for (n, stmt) in statements.iter().enumerate() {
            let resolved = resolve::resolve_statement(stmt, self.schema, &parsed);
            rules::check_statement(
                sql,
                self.schema,
                &resolved,
                &self.banned,
                &self.column_owners,
                &self.settings,
                diagnostics,
            );
            if self.collect_references {
                collect_references(&resolved, references, !sql.dynamic.is_empty());
            }
            if let Some(uses) = uses.as_deref_mut() {
                collect_table_uses(sql, &resolved, uses.first_statement + n, uses);
            }
        }
        if !sql.dynamic.is_empty() {
            self.keep_what_is_known(sql, first_new, diagnostics);
        }
        statements.len()
    }

    fn report_dynamic(&self, first: Span, diagnostics: &mut Vec<Diagnostic>) {
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
            self.report_dynamic(first, diagnostics);
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
    // Nothing pasted in as a value (nearly all SQL): no finding, and no copy of the text to
    // number parameters in.
    if !sql.spliced.iter().any(|s| s.kind == SpliceKind::Value) {
        return;
    }
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

/// `in_part`: parts of the statement are only known at run time, and what is pasted in may
/// name any column of its tables (`UPDATE users SET ${sets}`): each counts as using them all.
fn collect_references(resolved: &resolve::Resolved, out: &mut BTreeSet<Reference>, in_part: bool) {
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
    let every = (0..resolved.tables.len()).filter(|_| in_part);
    for i in resolved.all_columns_used.iter().copied().chain(every) {
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

/// Where `collect_table_uses` writes, and the place of the SQL it reads.
struct TableUses<'o> {
    file: Arc<Path>,
    first_statement: usize,
    out: &'o mut Vec<TableUsage>,
}

fn collect_table_uses(
    sql: &EmbeddedSql,
    resolved: &resolve::Resolved,
    statement: usize,
    uses: &mut TableUses<'_>,
) {
    for (i, t) in resolved.tables.iter().enumerate() {
        let found = match &t.status {
            resolve::TableStatus::Found { schema, relation } => {
                Some((schema.clone(), relation.clone()))
            }
            resolve::TableStatus::Missing => None,
            resolve::TableStatus::Catalog | resolve::TableStatus::UnknownSchema => continue,
        };
        let reads = resolved.columns.iter().filter(|c| {
            c.usage == resolve::ColumnUse::Expr
                && matches!(c.status, resolve::ColumnStatus::Found { table: Some(t) } if t == i)
        });
        let writes = resolved
            .columns
            .iter()
            .filter(|c| c.usage == resolve::ColumnUse::Target { table: i });
        let mut columns: Vec<Ident> = reads.map(|c| c.name.clone()).collect();
        let read = columns.len() as u32;
        columns.extend(writes.map(|c| c.name.clone()));
        let usage = TableUsage {
            columns,
            read,
            line: 0,
            column: 0,
            usage: t.usage,
            all_columns: resolved.all_columns_used.contains(&i),
            unchecked: None,
            statement,
            span: sql.host_span(t.range.start, t.range.end),
            file: uses.file.clone(),
            name: t.name.clone(),
            found,
        };
        uses.out.push(usage);
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
    /// What a Rust file declares and refers to, until the crate-level pass takes it.
    facts: Option<extract::rust::Facts>,
    /// SQL the crate-level pass skipped, with why (`other-database`).
    notes: Vec<extract::rust::crates::Note>,
}

impl Extracted {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The SQL found in the file (after the crate-level pass).
    pub fn embedded(&self) -> &[EmbeddedSql] {
        &self.embedded
    }

    /// SQL skipped with a reason (`other-database`).
    pub fn notes(&self) -> &[extract::rust::crates::Note] {
        &self.notes
    }
}

/// Read every file and extract its SQL, in parallel, adding one to `progress` per file.
/// `suppressions`: whether suppression comments can matter (some rule is on; `report` runs
/// none), so that a file without SQL that holds one is kept for them.
pub fn extract_files(
    files: &[SourceFile],
    sources: &SourcesConfig,
    suppressions: bool,
    progress: Option<&AtomicUsize>,
) -> Vec<Extracted> {
    let mut extracted: Vec<Extracted> = run_with_big_stacks(|| {
        files
            .par_iter()
            .map(|f| {
                let extracted = extract_file(f, sources, suppressions);
                if let Some(p) = progress {
                    p.fetch_add(1, Ordering::Relaxed);
                }
                extracted
            })
            .collect()
    });
    link_rust(&mut extracted);
    extracted
}

/// The crate-level pass over what the per-file phase collected: Rust constants by path,
/// crate-wide; crates that use another database skipped (see `extract::rust::crates`).
fn link_rust(files: &mut [Extracted]) {
    use extract::rust::crates::{link_files, Layout, LinkFile};
    if files.iter().all(|f| f.facts.is_none()) {
        return;
    }
    // A `.sql` file a `query_file!` reads is checked (or skipped) as that macro's SQL, in
    // that crate: once, not a second time as a file of its own.
    let read_by_macros: BTreeSet<PathBuf> = files
        .iter()
        .filter(|f| f.is_source)
        .flat_map(|f| f.embedded.iter().filter_map(|e| e.host_file.as_deref()))
        .map(walk::normalize)
        .collect();
    if !read_by_macros.is_empty() {
        for f in files.iter_mut().filter(|f| !f.is_source) {
            if read_by_macros.contains(&walk::normalize(&f.path)) {
                f.embedded.clear();
            }
        }
    }
    let mut link: Vec<LinkFile> = files
        .iter_mut()
        .map(|f| LinkFile {
            path: f.path.clone(),
            embedded: std::mem::take(&mut f.embedded),
            facts: f.facts.take(),
            notes: Vec::new(),
        })
        .collect();
    link_files(&mut link, &Layout::Tree);
    for (f, l) in files.iter_mut().zip(link) {
        f.embedded = l.embedded;
        f.notes = l.notes;
    }
}

fn extract_file(file: &SourceFile, sources: &SourcesConfig, suppressions: bool) -> Extracted {
    let mut out = Extracted {
        path: file.path.clone(),
        is_source: file.language != extract::Language::Sql,
        text: String::new(),
        embedded: Vec::new(),
        error: None,
        facts: None,
        notes: Vec::new(),
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
    match extract::extract_parts(&file.path, file.language, &text, sources) {
        Ok(parts) => {
            out.embedded = parts.embedded;
            out.facts = parts.facts;
        }
        Err(e) => {
            out.error = Some(FileError {
                path: file.path.clone(),
                message: e.to_string(),
            });
            return out;
        }
    }
    // The crate pass may place statements in a file of constants. A file without SQL is
    // kept only for a suppression comment in it (the search reads the whole file: most
    // files hold no SQL, and `report` has no use for their comments).
    let holds_sql = out.facts.as_ref().is_some_and(|f| f.holds_sql());
    if !out.embedded.is_empty() || holds_sql || (suppressions && suppress::mentioned(&text)) {
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
    if !meta.is_file() {
        return Err(format!(
            "{}, not a regular file",
            crate::atomic::kind(&meta)
        ));
    }
    if meta.len() > MAX_FILE_SIZE {
        return Err(format!(
            "file is too large to check ({} MiB; the limit is {} MiB)",
            meta.len() / (1024 * 1024),
            MAX_FILE_SIZE / (1024 * 1024)
        ));
    }
    // Bounded whatever the metadata said (a file growing while read, `/proc` reporting 0).
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::io::Read::read_to_end(
        &mut std::io::Read::take(
            std::fs::File::open(path).map_err(|e| io_message(&e))?,
            MAX_FILE_SIZE + 1,
        ),
        &mut bytes,
    )
    .map_err(|e| io_message(&e))?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(format!(
            "file is too large to check (the limit is {} MiB)",
            MAX_FILE_SIZE / (1024 * 1024)
        ));
    }
    String::from_utf8(bytes)
        .map(crate::user_file::strip_bom)
        .map_err(|e| {
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

/// DDL that the scanned code runs (`CREATE TABLE IF NOT EXISTS ...` in a migration runner or
/// at startup) becomes part of the schema, after the schema sources, with "created in code"
/// provenance; what it cannot apply is an `unsupported-ddl` warning at the statement.
pub fn apply_code_ddl(loaded: &mut crate::schema::LoadedSchema, files: &[Extracted]) {
    let mut applied = false;
    for file in files {
        for sql in &file.embedded {
            // `sqlx::query_file!("x.sql")`: the map points into another file; not code DDL.
            // Nor is DDL for another database (a MySQL crate's migrations).
            if sql.host_file.is_some()
                || sql.other_database.is_some()
                || !is_schema_statement(&sql.text)
            {
                continue;
            }
            let to_host = |o: usize| sql.map.to_host(o as u32) as usize;
            applied = true;
            crate::schema::replay::apply_code_sql(
                &mut loaded.schema,
                &file.path,
                &file.text,
                &sql.text,
                &to_host,
                &mut loaded.warnings,
            );
        }
    }
    if !applied {
        return;
    }
    // A migration that altered a table only code creates ran after the app had created it.
    let read = |path: &Path| {
        crate::user_file::read_regular(path, crate::schema::MAX_SCHEMA_FILE_SIZE)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .map(crate::user_file::strip_bom)
    };
    crate::schema::replay::retry_deferred(&mut loaded.schema, &mut loaded.warnings, &read);
}

/// Why a `DO` block in code is listed as not checked.
pub const DO_BLOCK: &str =
    "a DO block: what it creates is in the schema, the statements in its body are not checked";

fn is_do_block(text: &str) -> bool {
    extract::leading_word(extract::skip_comments(text, false)).eq_ignore_ascii_case("DO")
}

fn is_schema_statement(text: &str) -> bool {
    // `-- 003: users\nCREATE TABLE ..`: a migration's header comment comes first.
    let word = extract::leading_word(extract::skip_comments(text, false));
    [
        "CREATE", "ALTER", "DROP", "GRANT", "REVOKE", "COMMENT", "SET", "RESET", "SECURITY",
        "REFRESH", "DO",
    ]
    .iter()
    .any(|w| word.eq_ignore_ascii_case(w))
}
/// The database prepared `candidate`: a static finding of a rule the server also judges,
/// inside that statement, was wrong. Dropped when the static schema is that database
/// (the resolver erred: counted); else the files and the database disagree, which is
/// drift, said once in the static finding.
fn database_accepted(
    candidate: &Candidate,
    diagnostics: &mut Vec<Diagnostic>,
    same_database: bool,
    summary: &mut verify::Summary,
) {
    let statement = verify::statement_span(candidate);
    let inside = |d: &Diagnostic| {
        d.file == candidate.file
            && verify::server_judges(d.rule)
            && d.span.start >= statement.start
            && d.span.end <= statement.end
    };
    if same_database || !diagnostics.iter().any(&inside) {
        let before = diagnostics.len();
        diagnostics.retain(|d| !inside(d));
        summary.overruled += before - diagnostics.len();
        return;
    }
    for d in diagnostics.iter_mut().filter(|d| inside(d)) {
        if d.rule == rules::SqlSyntax::NAME {
            continue;
        }
        summary.drift += 1;
        d.message = format!(
            "{} in the schema files, but the database accepts the statement: the migrations and the database disagree (drift)",
            d.message
        );
        d.help = Some(
            "a migration is missing from the schema files, or the database was changed outside them; `schemalint diff` lists the differences"
                .into(),
        );
    }
    // A statement the parser could not read but the database prepared: not drift.
    let before = diagnostics.len();
    diagnostics.retain(|d| !(inside(d) && d.rule == rules::SqlSyntax::NAME));
    summary.overruled += before - diagnostics.len();
}

/// `file:line:column` of a statement, for a tool error.
fn location(candidate: &Candidate) -> String {
    let span = verify::statement_span(candidate);
    let (line, column) = std::fs::read_to_string(&candidate.file)
        .map(|text| crate::diagnostic::LineCursor::new(&text).line_col(span.start))
        .unwrap_or((0, 0));
    format!(
        "{}:{line}:{column}",
        crate::walk::display_path(&candidate.file)
    )
}
