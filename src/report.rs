//! `schemalint report`: the table consolidation plan, written from the code and the schema.
//! It builds a [`Plan`] (each table's status, look-alike pairs, suggestions) from the
//! references `check` collects, and renders it; it never changes a file or the database.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use compact_str::CompactString;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::check::{self, TableUsage};
use crate::diagnostic::TextIndex;
use crate::render;
use crate::resolve::TableUse;
use crate::rules::Banned;
use crate::schema::live::{Stats, TableStats};
use crate::schema::{self, Ident, RelationKind, Schema};

/// Columns every table tends to have: left out of the look-alike comparison, since sharing
/// them says nothing about purpose.
const BOILERPLATE_COLUMNS: &[&str] = &["id", "created_at", "updated_at"];

/// What the status of a table is, and the one-line reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Referenced by code, absent from the schema.
    MissingReferenced,
    /// Referenced by code, and the statistics say it holds no rows.
    EmptyReferenced,
    /// Listed in `[banned]` and still used.
    BannedReferenced,
    /// In the schema, no scanned code uses it.
    Unreferenced,
    /// Referenced and present (and holding rows, when known).
    InUse,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::MissingReferenced => "missing-referenced",
            Status::EmptyReferenced => "empty-referenced",
            Status::BannedReferenced => "banned-referenced",
            Status::Unreferenced => "unreferenced",
            Status::InUse => "in-use",
        }
    }
}

/// One place in the code that names a table.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    /// Relative to the project root (the config's directory, else the working directory);
    /// one text shared by every reference in the file.
    pub file: Arc<str>,
    pub line: u32,
    pub column: u32,
    /// read, insert, update, delete or merge.
    #[serde(rename = "use")]
    pub usage: &'static str,
}

/// How the code uses one column of a table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ColumnUseSummary {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub data_type: Option<CompactString>,
    pub read: bool,
    pub written: bool,
    /// Not in the schema's column list (a column the code names that the table lacks).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub missing: bool,
}

/// Row counts from the server's statistics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rows {
    /// `n_live_tup` when the statistics have an entry, else `reltuples`.
    pub estimate: i64,
    /// Which statistic `estimate` is: `n_live_tup` or `reltuples`.
    pub source: &'static str,
}

/// Everything the report says about one table.
#[derive(Debug, Clone, Serialize)]
pub struct TableReport {
    /// `schema.table` (the name as written, for a table the schema lacks).
    pub name: String,
    /// table, view, materialized-view, partitioned-table, foreign-table, or missing.
    pub kind: &'static str,
    pub status: Status,
    pub reason: String,
    /// `[banned]` reason, when listed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub banned: Option<String>,
    /// `null` when unknown (no database, or no statistics yet).
    pub rows: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows_source: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activity: Option<Activity>,
    pub column_count: usize,
    pub statements: usize,
    pub files: Vec<Arc<str>>,
    pub entry_points: Vec<Arc<str>>,
    pub references: Vec<Location>,
    /// Every column of the table and every column the code names on it, by name.
    pub columns: Columns,
    /// Some statement uses every column (`*`, an INSERT without a column list).
    pub all_columns_used: bool,
    /// Columns of a referenced table that no statement reads or writes (empty when
    /// `all_columns_used`, when not `columns_known`, and for a table no code uses).
    pub never_used: Vec<CompactString>,
    /// Every statement that uses the table was checked in full. When one was checked only in
    /// part (built at run time) or not at all (named in SQL that did not parse), it may use
    /// columns the report does not know of: no column is said to be never used. Written
    /// only when false.
    #[serde(skip_serializing_if = "is_true")]
    pub columns_known: bool,
    #[serde(skip)]
    key: Option<(Ident, Ident)>,
}

/// Inserts, updates and deletes counted by the server since its statistics were reset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Activity {
    pub inserted: Option<i64>,
    pub updated: Option<i64>,
    pub deleted: Option<i64>,
    pub last_vacuum: Option<String>,
    pub last_analyze: Option<String>,
}

/// A table's columns by name, each with how the code uses it; written as a JSON object
/// keyed by name. Names are short (nearly always kept inline), so a table's columns are one
/// allocation, not a map node and two strings per column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Columns(Vec<(CompactString, ColumnUseSummary)>);

impl Columns {
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ColumnUseSummary)> {
        self.0.iter().map(|(n, c)| (n.as_str(), c))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Add or replace a column, keeping the order by name.
    pub fn insert(&mut self, name: &str, column: ColumnUseSummary) {
        match self.0.binary_search_by(|(n, _)| n.as_str().cmp(name)) {
            Ok(i) => self.0[i].1 = column,
            Err(i) => self.0.insert(i, (name.into(), column)),
        }
    }

    fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut ColumnUseSummary)> {
        self.0.iter_mut().map(|(n, c)| (n.as_str(), c))
    }
}

impl Serialize for Columns {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, column) in &self.0 {
            map.serialize_entry(name.as_str(), column)?;
        }
        map.end()
    }
}

impl TableReport {
    /// The schema's columns (name, type): those with a type.
    fn schema_columns(&self) -> impl Iterator<Item = (&str, &str)> {
        self.columns
            .iter()
            .filter_map(|(n, c)| Some((n, c.data_type.as_deref()?)))
    }

    fn is_referenced(&self) -> bool {
        !self.references.is_empty()
    }

    fn never_used_columns(&self) -> Vec<&str> {
        if self.all_columns_used || !self.is_referenced() || !self.columns_known {
            return Vec::new();
        }
        self.columns
            .iter()
            .filter(|(_, c)| !c.read && !c.written && !c.missing)
            .map(|(n, _)| n)
            .collect()
    }

    /// "3 statements in netlify:save-media, netlify:list-assets".
    fn usage_line(&self) -> String {
        if self.statements == 0 {
            return "no code".to_string();
        }
        let names = if self.entry_points.is_empty() {
            &self.files
        } else {
            &self.entry_points
        };
        let who = names.join(", ");
        format!("{} in {who}", plural(self.statements, "statement"))
    }
}

/// A statement the report could not read in full, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotChecked {
    /// Relative to the project root, as in [`Location`].
    pub file: String,
    /// 1-based; 0 when the SQL is in another file (`query_file!`).
    pub line: u32,
    pub column: u32,
    /// `checked-in-part` (parts of it are only known at run time) or `not-checked`.
    pub status: &'static str,
    pub reason: String,
}

fn is_true(b: &bool) -> bool {
    *b
}

/// Two tables that may serve the same purpose.
#[derive(Debug, Clone, Serialize)]
pub struct Lookalike {
    pub a: String,
    pub b: String,
    /// `columns` (strong column overlap) and/or `name` (one name is the other plus a word).
    pub why: Vec<&'static str>,
    /// Shared columns (boilerplate left out), with the type in each when they differ.
    pub shared_columns: Vec<String>,
    /// Jaccard index over the non-boilerplate column names, to two decimals.
    pub jaccard: f64,
    /// Shared columns over the smaller table's non-boilerplate columns.
    pub containment: f64,
    pub a_used_by: String,
    pub b_used_by: String,
}

/// A change the report proposes and does not make.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    /// `ban` (a `[banned]` line), `drop` (a migration) or `fix-references`.
    pub kind: &'static str,
    pub table: String,
    /// The text to paste: a TOML line, SQL, or what to change in code.
    pub text: String,
    pub evidence: Vec<String>,
    /// For `ban`: the `[banned]` key and reason that `--write-config` adds.
    #[serde(skip)]
    pub entry: Option<(String, String)>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub version: u32,
    /// The config this part of the run used (several in a monorepo), relative to the working
    /// directory; `null` when none.
    pub config: Option<String>,
    /// Where the schema came from.
    pub schema_source: String,
    /// Whether row counts are known (a live database).
    pub database: bool,
    pub files_scanned: usize,
    pub statements_checked: usize,
    pub tables: Vec<TableReport>,
    /// Statements not checked in full (built at run time, or not parsed): the tables and
    /// columns they use may be missing from `tables`. Written only when there are some.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_checked: Vec<NotChecked>,
    pub lookalikes: Vec<Lookalike>,
    pub suggestions: Vec<Suggestion>,
    /// Files and paths that could not be read: the report may be incomplete.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tool_errors: Vec<String>,
    /// No file name in the report needs a JSON escape: worked out once per file, so the
    /// 15,000 names the 1M-line bench tree's document writes are copied, not searched.
    #[serde(skip)]
    pub plain_file_names: bool,
}

/// Build the plan from the schema, the statistics (live databases only) and the references.
/// The tables are reported in parallel (on the caller's rayon pool).
pub fn build(
    schema: &Schema,
    stats: Option<&Stats>,
    report: &check::Report,
    banned: &Banned,
    root: &Path,
    schema_source: String,
) -> Plan {
    // The files' facts and the references grouped by table, at the same time: by resolved
    // relation, or by the name as written when missing (each use by its place).
    let (facts, (mut by_table, by_missing)) = rayon::join(
        || file_facts(&report.table_uses, root),
        || {
            let mut by_table: FxHashMap<(&str, &str), Vec<usize>> = FxHashMap::default();
            let mut by_missing: BTreeMap<String, Vec<usize>> = BTreeMap::new();
            for (i, u) in report.table_uses.iter().enumerate() {
                match &u.found {
                    Some((s, t)) => by_table.entry((s.as_str(), t.as_str())).or_default(),
                    None => by_missing.entry(missing_name(schema, &u.name)).or_default(),
                }
                .push(i);
            }
            (by_table, by_missing)
        },
    );
    let uses_at = |at: &[usize]| -> Vec<Use<'_>> {
        at.iter()
            .map(|&i| (&report.table_uses[i], &facts.files[facts.of_use[i]]))
            .collect()
    };
    // Sequences come with their tables (serial, identity): not tables to consolidate.
    let relations: Vec<_> = schema
        .relations()
        .filter(|(_, r)| r.kind != RelationKind::Sequence)
        .map(|(s, rel)| {
            let uses = by_table
                .remove(&(s.as_str(), rel.name.as_str()))
                .unwrap_or_default();
            (s, rel, uses)
        })
        .collect();
    // What is left resolved to a sequence (`SELECT last_value FROM users_id_seq`): it
    // exists, so it is not missing, and it is not a table to consolidate.
    drop(by_table);
    let mut tables: Vec<TableReport> = relations
        .into_par_iter()
        .map(|(s, rel, at)| {
            let uses = uses_at(&at);
            let name = format!("{s}.{}", rel.name);
            let known = rel
                .columns
                .iter()
                .map(|c| (c.name.as_str(), c.data_type.as_str()));
            let mut t = table_report(name, kind_name(rel.kind), &uses, known);
            let key = (s.clone(), rel.name.clone());
            let table_stats = stats.and_then(|st| st.get(&key));
            t.key = Some(key);
            t.column_count = rel.columns.len();
            for (n, c) in t.columns.iter_mut() {
                c.missing = c.data_type.is_none() && !rel.opaque && n != "*";
            }
            t.banned = banned.table(Some(s), &rel.name).map(str::to_string);
            if let Some(st) = table_stats {
                t.rows = rows(st).map(|r| r.estimate);
                t.rows_source = rows(st).map(|r| r.source);
                t.activity = Some(Activity {
                    inserted: st.inserted,
                    updated: st.updated,
                    deleted: st.deleted,
                    last_vacuum: st.last_vacuum.clone(),
                    last_analyze: st.last_analyze.clone(),
                });
            }
            t.never_used = t.never_used_columns().into_iter().map(Into::into).collect();
            let holds_rows =
                rel.kind != RelationKind::View && rel.kind != RelationKind::ForeignTable;
            decide(&mut t, stats.is_some(), holds_rows);
            t
        })
        .collect();
    for (name, at) in by_missing {
        let uses = uses_at(&at);
        let mut t = table_report(name, "missing", &uses, std::iter::empty());
        let written_as = uses.first().map(|(u, _)| &u.name);
        t.banned = written_as
            .and_then(|n| banned.table(n.schema.as_ref(), &n.name))
            .map(str::to_string);
        for (_, c) in t.columns.iter_mut() {
            c.missing = true;
        }
        decide(&mut t, stats.is_some(), true);
        tables.push(t);
    }
    let plain_file_names = facts
        .files
        .iter()
        .all(|f| !any_json_escape(f.relative.as_bytes()));
    let not_checked = not_checked(&report.unchecked, root);
    let lookalikes = lookalikes(&tables);
    let suggestions = suggestions(&tables, &lookalikes, stats.is_some(), not_checked.len());
    Plan {
        version: 1,
        config: None,
        schema_source,
        database: stats.is_some(),
        files_scanned: report.files_scanned,
        statements_checked: report.statements_checked,
        tables,
        not_checked,
        lookalikes,
        suggestions,
        tool_errors: render::tool_error_lines(report),
        plain_file_names,
    }
}

/// The statements not checked in full, where and why (those for another database are not
/// this report's: they name no table of this schema).
fn not_checked(unchecked: &[check::Unchecked], root: &Path) -> Vec<NotChecked> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let (cwd, root) = (clean_components(&cwd), clean_components(root));
    let at_root = cwd == root;
    unchecked
        .iter()
        .filter_map(|u| {
            let status = match u.status {
                check::UncheckedStatus::InPart => "checked-in-part",
                check::UncheckedStatus::NotChecked => "not-checked",
                check::UncheckedStatus::Skipped => return None,
            };
            Some(NotChecked {
                file: relative(&cwd, &root, at_root, &u.file).into_owned(),
                line: u.line,
                column: u.column,
                status,
                reason: u.reason.clone(),
            })
        })
        .collect()
}

/// Several configs in one run (a monorepo): a table no code under one config uses may be used
/// by code under another, when both read the same tables (a workspace's root config over
/// every package's migrations). Such a table's reason says which configs use it, and it
/// gets no drop or ban suggestion: the code that uses it is only outside this part's view.
pub fn note_used_elsewhere(plans: &mut [&mut Plan]) {
    if plans.len() < 2 {
        return;
    }
    let label = |p: &Plan| p.config.clone().unwrap_or_else(|| "no config".into());
    let mut users: FxHashMap<String, Vec<String>> = FxHashMap::default();
    for p in plans.iter() {
        for t in p.tables.iter().filter(|t| t.is_referenced()) {
            users.entry(t.name.clone()).or_default().push(label(p));
        }
    }
    for p in plans.iter_mut() {
        let me = label(p);
        let elsewhere = |name: &str| -> Vec<&str> {
            users
                .get(name)
                .into_iter()
                .flatten()
                .filter(|c| **c != me)
                .map(String::as_str)
                .collect()
        };
        for t in p.tables.iter_mut() {
            let others = elsewhere(&t.name);
            if !t.is_referenced() && !others.is_empty() {
                let _ = write!(t.reason, "; code under {} uses it", others.join(", "));
            }
        }
        p.suggestions
            .retain(|s| !matches!(s.kind, "drop" | "ban") || elsewhere(&s.table).is_empty());
    }
}

/// `public.media_batches` for an unqualified name the schema lacks: where Postgres would
/// create it (the first schema on the search path).
fn missing_name(schema: &Schema, name: &schema::QualifiedName) -> String {
    match &name.schema {
        Some(s) => format!("{s}.{}", name.name),
        None => format!("{}.{}", schema.creation_schema(), name.name),
    }
}

fn kind_name(kind: RelationKind) -> &'static str {
    match kind {
        RelationKind::Table => "table",
        RelationKind::View => "view",
        RelationKind::MaterializedView => "materialized-view",
        RelationKind::PartitionedTable => "partitioned-table",
        RelationKind::ForeignTable => "foreign-table",
        RelationKind::Sequence => "sequence",
    }
}

/// The row estimate: `n_live_tup` when the statistics system has an entry, else `reltuples`
/// (set by VACUUM and ANALYZE); `None` when neither is known.
fn rows(st: &TableStats) -> Option<Rows> {
    if let Some(live) = st.live {
        // A fresh entry says 0 before the first flush; reltuples may know better.
        if live == 0 && st.reltuples.is_some_and(|r| r >= 1.0) {
            return st.reltuples.map(|r| Rows {
                estimate: r.round() as i64,
                source: "reltuples",
            });
        }
        return Some(Rows {
            estimate: live,
            source: "n_live_tup",
        });
    }
    st.reltuples.map(|r| Rows {
        estimate: r.round() as i64,
        source: "reltuples",
    })
}

/// What the report shows of one file that holds references, worked out once per file: its
/// path relative to the root, the entry point it is, and (for SQL kept in another file,
/// `query_file!`, whose uses carry no line) its text.
struct FileFacts {
    relative: Arc<str>,
    /// The file's place among the files by `relative`: references sort by it, not by
    /// comparing paths.
    rank: usize,
    entry_point: Option<Arc<str>>,
    text: Option<String>,
}

impl FileFacts {
    /// Lines as editors count them (as everywhere a user reads one); only for SQL kept in
    /// another file, so an index per question is cheap enough.
    fn line_col(&self, offset: u32) -> (u32, u32) {
        match &self.text {
            Some(text) => TextIndex::new(text).line_col(offset),
            None => (0, 0),
        }
    }
}

/// A reference and the facts of its file.
type Use<'a> = (&'a TableUsage, &'a FileFacts);

/// The facts of every file that holds references, and which file each use is in.
struct Files {
    files: Vec<FileFacts>,
    of_use: Vec<usize>,
}

fn file_facts(uses: &[TableUsage], root: &Path) -> Files {
    // Which file each use is in (uses come grouped by file: most are in the file just
    // seen), and whether a file's uses need its text for their lines.
    let mut index: FxHashMap<&std::ffi::OsStr, usize> = FxHashMap::default();
    let mut paths: Vec<(&Path, bool)> = Vec::new();
    let mut of_use = Vec::with_capacity(uses.len());
    let mut last: Option<(&Path, usize)> = None;
    for u in uses {
        let i = match last {
            // The same text (a file's uses share it), else the same name.
            Some((p, i)) if std::ptr::eq(p, &*u.file) || p.as_os_str() == u.file.as_os_str() => i,
            _ => *index.entry(u.file.as_os_str()).or_insert_with(|| {
                paths.push((&u.file, false));
                paths.len() - 1
            }),
        };
        last = Some((&*u.file, i));
        paths[i].1 |= u.line == 0;
        of_use.push(i);
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let (cwd, root) = (clean_components(&cwd), clean_components(root));
    let at_root = cwd == root;
    let mut files: Vec<FileFacts> = paths
        .par_iter()
        .map(|&(path, needs_text)| {
            let relative: Arc<str> = Arc::from(relative(&cwd, &root, at_root, path));
            FileFacts {
                entry_point: entry_point(&relative).map(Arc::from),
                relative,
                rank: 0,
                text: needs_text
                    .then(|| std::fs::read_to_string(path).ok())
                    .flatten(),
            }
        })
        .collect();
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by(|&a, &b| files[a].relative.cmp(&files[b].relative));
    // Two spellings of one file (`./a.ts`, `a.ts`) share a rank, as they share a name.
    let mut rank = 0;
    for (n, &i) in order.iter().enumerate() {
        if n > 0 && files[order[n - 1]].relative != files[i].relative {
            rank += 1;
        }
        files[i].rank = rank;
    }
    Files { files, of_use }
}

/// A table's report from its uses and its columns in the schema (name, type), before its
/// status is decided.
fn table_report<'a>(
    name: String,
    kind: &'static str,
    uses: &[Use<'a>],
    known: impl Iterator<Item = (&'a str, &'a str)>,
) -> TableReport {
    let mut references = Vec::with_capacity(uses.len());
    let mut statements = Vec::with_capacity(uses.len());
    let mut files = Vec::with_capacity(uses.len());
    let mut entry_points = Vec::new();
    // The schema's columns by name, each with whether it is read and written; the columns
    // the code names that the table lacks, apart. A use names its columns by name: each is
    // found among the table's few columns by its key, nearly always in one word compare
    // each (by binary search over the names, string comparisons were half of the work of a
    // table's report). The keys order the names too: names nearly always differ in their
    // first eight bytes.
    struct Known<'a> {
        key: (u64, usize),
        name: &'a str,
        data_type: &'a str,
        read: bool,
        written: bool,
    }
    let mut known: Vec<Known<'a>> = known
        .map(|(name, data_type)| Known {
            key: name_key(name),
            name,
            data_type,
            read: false,
            written: false,
        })
        .collect();
    known.sort_unstable_by(|a, b| a.key.0.cmp(&b.key.0).then_with(|| a.name.cmp(b.name)));
    let mut unknown: Vec<(&str, bool, bool)> = Vec::new();
    let mut mark = |name: &'a str, read: bool| {
        let key = name_key(name);
        let found = known
            .iter_mut()
            .find(|k| k.key == key && (key.1 <= 8 || k.name == name));
        match found {
            Some(k) if read => k.read = true,
            Some(k) => k.written = true,
            None => unknown.push((name, read, !read)),
        }
    };
    let mut all_columns_used = false;
    let mut columns_known = true;
    for &(u, f) in uses {
        // Lines come with the use; only SQL in another file (`query_file!`) is looked up.
        let (line, column) = if u.line > 0 {
            (u.line, u.column)
        } else {
            f.line_col(u.span.start)
        };
        let usage = match u.unchecked {
            Some(check::UncheckedStatus::NotChecked) => "not-checked",
            _ => use_name(u.usage),
        };
        columns_known &= u.unchecked.is_none();
        references.push((f.rank, line, column, usage, f));
        statements.push((f.rank, u.statement));
        files.push((f.rank, f));
        if let Some(e) = &f.entry_point {
            entry_points.push(e);
        }
        all_columns_used |= u.all_columns;
        for c in u.read_columns() {
            mark(c.as_str(), true);
        }
        for c in u.written_columns() {
            mark(c.as_str(), false);
        }
    }
    unknown.sort_unstable_by_key(|&(n, _, _)| n);
    unknown.dedup_by(|later, first| {
        let same = later.0 == first.0;
        if same {
            first.1 |= later.1;
            first.2 |= later.2;
        }
        same
    });
    let summary = |data_type: Option<&str>, (read, written)| ColumnUseSummary {
        data_type: data_type.map(CompactString::from),
        read,
        written,
        missing: false,
    };
    // Both sorted and the names distinct: merged in order, without a search.
    let mut columns = Vec::with_capacity(known.len() + unknown.len());
    let mut unknown = unknown.into_iter().peekable();
    for k in &known {
        while let Some((m, r, w)) = unknown.next_if(|&(m, _, _)| m < k.name) {
            columns.push((m.into(), summary(None, (r, w))));
        }
        columns.push((
            k.name.into(),
            summary(Some(k.data_type), (k.read, k.written)),
        ));
    }
    columns.extend(unknown.map(|(m, r, w)| (m.into(), summary(None, (r, w)))));
    // In the order of (file, line, column, use), each once.
    references.sort_unstable_by_key(|r| (r.0, r.1, r.2, r.3));
    references.dedup_by_key(|r| (r.0, r.1, r.2, r.3));
    statements.sort_unstable();
    statements.dedup();
    files.sort_unstable_by_key(|f| f.0);
    files.dedup_by_key(|f| f.0);
    entry_points.sort_unstable();
    entry_points.dedup();
    TableReport {
        name,
        kind,
        status: Status::Unreferenced,
        reason: String::new(),
        banned: None,
        rows: None,
        rows_source: None,
        activity: None,
        column_count: columns.len(),
        statements: statements.len(),
        files: files.into_iter().map(|(_, f)| f.relative.clone()).collect(),
        entry_points: entry_points.into_iter().cloned().collect(),
        references: references
            .into_iter()
            .map(|(_, line, column, usage, f)| Location {
                file: f.relative.clone(),
                line,
                column,
                usage,
            })
            .collect(),
        columns: Columns(columns),
        all_columns_used,
        never_used: Vec::new(),
        columns_known,
        key: None,
    }
}

/// A name's first eight bytes (zero-padded, the first the most significant) and its length:
/// equal names have equal keys, so names of up to eight bytes are equal exactly when their
/// keys are; and names whose first words differ are in the order of their first words (no
/// name holds a NUL byte).
fn name_key(name: &str) -> (u64, usize) {
    let b = name.as_bytes();
    let mut word = [0u8; 8];
    for (w, &c) in word.iter_mut().zip(b) {
        *w = c;
    }
    (u64::from_be_bytes(word), b.len())
}

fn use_name(u: TableUse) -> &'static str {
    match u {
        TableUse::Read => "read",
        TableUse::Insert => "insert",
        TableUse::Update => "update",
        TableUse::Delete => "delete",
        TableUse::Merge => "merge",
    }
}

/// A path relative to the project root, with `/`: `../` steps for a file outside it (a
/// `--config` that governs files beside its directory), so links still resolve. The working
/// directory and the root come as their [`clean_components`], worked out once for all the
/// files, with whether they are the same (`at_root`).
fn relative<'a>(
    cwd: &[Component<'_>],
    root: &[Component<'_>],
    at_root: bool,
    file: &'a Path,
) -> Cow<'a, str> {
    // The usual case, a file the walk found under a root that is the working directory:
    // its path as written, without the leading `./` (taking the path apart by components
    // was most of the cost of a file's facts).
    if at_root && !file.is_absolute() {
        if let Some(plain) = file.to_str().map(without_dot_steps).filter(|p| is_plain(p)) {
            return Cow::Borrowed(plain);
        }
    }
    Cow::Owned(relative_by_components(cwd, root, file))
}

/// [`relative`] for any path: taken apart into components, cleaned and joined again.
fn relative_by_components(cwd: &[Component<'_>], root: &[Component<'_>], file: &Path) -> String {
    let mut f = if file.is_absolute() {
        Vec::new()
    } else {
        cwd.to_vec()
    };
    clean_into(&mut f, file);
    let common = f.iter().zip(root).take_while(|(a, b)| a == b).count();
    let shown = if common == 0 {
        f.iter().collect::<PathBuf>().to_string_lossy().into_owned()
    } else {
        // Past the common part there are only names and the `..` steps out of the root.
        let mut shown = String::new();
        let steps = std::iter::repeat_n(Component::ParentDir, root.len() - common);
        for c in steps.chain(f[common..].iter().copied()) {
            if !shown.is_empty() {
                shown.push('/');
            }
            shown.push_str(&c.as_os_str().to_string_lossy());
        }
        shown
    };
    if shown.contains('\\') {
        shown.replace('\\', "/")
    } else {
        shown
    }
}

/// A relative path without its leading `./` steps.
fn without_dot_steps(mut path: &str) -> &str {
    while let Some(rest) = path.strip_prefix("./") {
        path = rest.trim_start_matches('/');
    }
    path
}

/// A relative path of names only, each once separated by `/`: no `.` or `..` step, no
/// empty step, no `\\` (a Windows separator, or a name the slow path writes as `/`).
fn is_plain(path: &str) -> bool {
    let b = path.as_bytes();
    !b.is_empty()
        && !b.contains(&b'\\')
        && b.split(|&c| c == b'/')
            .all(|part| !matches!(part, b"" | b"." | b".."))
}

/// A path's components without `.`, and `..` folded into the name before it.
fn clean_components(p: &Path) -> Vec<Component<'_>> {
    let mut out = Vec::new();
    clean_into(&mut out, p);
    out
}

/// [`clean_components`] of `p`, after those already in `out` (a base it is joined to).
fn clean_into<'a>(out: &mut Vec<Component<'a>>, p: &'a Path) {
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            c => out.push(c),
        }
    }
}

/// The deployed entry point a file is, judged from its path: a Netlify function
/// (`netlify/functions/save-media.ts`, `netlify/functions/save-media/index.ts`), a Vercel
/// function (`api/users/[id].ts`, `pages/api/...`), a Next.js route handler
/// (`app/users/route.ts`) or a Rust module (`src/db/users.rs` → `crate::db::users`).
pub fn entry_point(file: &str) -> Option<String> {
    // Most files are none of these: a look at the text before the path is taken apart.
    let last = file.rsplit('/').next().unwrap_or("");
    if !file.contains("netlify/functions")
        && !file.ends_with(".rs")
        && stem(last) != "route"
        && !file.contains("api")
    {
        return None;
    }
    let parts: Vec<&str> = file.split('/').collect();
    if let Some(i) = parts
        .windows(2)
        .position(|w| w[0] == "netlify" && w[1] == "functions")
    {
        let rest = &parts[i + 2..];
        return match rest {
            [file] => Some(format!("netlify:{}", stem(file))),
            [dir, ..] => Some(format!("netlify:{dir}")),
            [] => None,
        };
    }
    if file.ends_with(".rs") {
        let i = parts.iter().rposition(|p| *p == "src")?;
        let mut path: Vec<&str> = parts[i + 1..].iter().map(|p| stem(p)).collect();
        if matches!(path.last(), Some(&("lib" | "main" | "mod"))) {
            path.pop();
        }
        if path.first() == Some(&"bin") {
            return Some(format!("bin:{}", path[1..].join("::")));
        }
        let mut module = String::from("crate");
        for p in path {
            module.push_str("::");
            module.push_str(p);
        }
        return Some(module);
    }
    if stem(last) == "route" {
        let i = parts.iter().position(|p| *p == "app")?;
        let route = parts[i + 1..parts.len() - 1].join("/");
        return Some(format!("route:/{route}"));
    }
    let i = parts.iter().position(|p| *p == "api")?;
    let mut route: Vec<&str> = parts[i + 1..].iter().map(|p| stem(p)).collect();
    if route.last() == Some(&"index") {
        route.pop();
    }
    Some(
        format!("vercel:/api/{}", route.join("/"))
            .trim_end_matches('/')
            .to_string(),
    )
}

/// A file name without its extension.
fn stem(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(a, _)| a)
}

/// The status and its reason, written into one text (it is one of every table's few
/// allocations).
fn decide(t: &mut TableReport, database: bool, holds_rows: bool) {
    let statements = t.statements;
    let files = t.files.len();
    let refs = |out: &mut String| {
        push_plural(out, statements, "statement");
        out.push_str(" in ");
        push_plural(out, files, "file");
        if !t.columns_known {
            out.push_str(" (not all checked in full: which columns it uses is not all known)");
        }
    };
    let rows = |out: &mut String| match (t.rows, database, holds_rows) {
        (_, _, false) => {}
        (Some(n), _, _) => {
            let _ = write!(
                out,
                "; rows ≈ {n} ({})",
                t.rows_source.unwrap_or("statistics")
            );
        }
        (None, false, _) => out.push_str("; rows unknown: no database"),
        (None, true, _) => out.push_str("; rows unknown: no statistics yet (never analyzed)"),
    };
    let banned = |out: &mut String, before: &str| {
        if let Some(r) = &t.banned {
            out.push_str(before);
            out.push_str("listed in [banned]: ");
            out.push_str(r);
        }
    };
    let mut reason = String::with_capacity(96);
    let status = if t.kind == "missing" {
        reason.push_str("not in the schema, referenced by ");
        refs(&mut reason);
        banned(&mut reason, "; ");
        Status::MissingReferenced
    } else if !t.is_referenced() {
        reason.push_str("no scanned code uses it");
        rows(&mut reason);
        Status::Unreferenced
    } else if holds_rows && t.rows == Some(0) {
        reason.push_str("referenced by ");
        refs(&mut reason);
        reason.push_str(", but holds no rows");
        rows(&mut reason);
        banned(&mut reason, "; ");
        Status::EmptyReferenced
    } else if t.banned.is_some() {
        banned(&mut reason, "");
        reason.push_str("; still referenced by ");
        refs(&mut reason);
        rows(&mut reason);
        Status::BannedReferenced
    } else {
        reason.push_str("referenced by ");
        refs(&mut reason);
        rows(&mut reason);
        Status::InUse
    };
    t.status = status;
    t.reason = reason;
}

/// The non-boilerplate columns of a table (name, type), by name.
fn distinctive(t: &TableReport) -> impl Iterator<Item = (&str, &str)> {
    t.schema_columns()
        .filter(|(n, _)| !BOILERPLATE_COLUMNS.contains(n))
}

/// Name words, singular: `media_assets` → [media, asset].
fn name_words(t: &TableReport) -> Vec<String> {
    let bare = t.name.rsplit_once('.').map_or(t.name.as_str(), |(_, n)| n);
    bare.split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let w = w.to_lowercase();
            match w.strip_suffix('s') {
                Some(s) if s.len() >= 3 && !s.ends_with('s') => s.to_string(),
                _ => w,
            }
        })
        .collect()
}

/// `a` is `b` plus words at the start or end (`media` / `media_assets`), and neither points
/// at the other by a `<name>_id` column: the longer one at the shorter is a child table
/// (`orders` / `order_items`), the shorter at the longer a lookup table (`fees` has a
/// `fee_type_id`: `fee_types` lists the kinds of fee).
fn is_name_lookalike(wa: &[String], wb: &[String], a: &TableReport, b: &TableReport) -> bool {
    let (short, long, short_t, long_t) = if wa.len() <= wb.len() {
        (wa, wb, a, b)
    } else {
        (wb, wa, b, a)
    };
    if short.is_empty() || short.len() == long.len() {
        return false;
    }
    let affix = long.starts_with(short) || long.ends_with(short);
    affix && !points_at(long_t, short) && !points_at(short_t, long)
}

/// `t` has a `<words>_id` column: a key of the table those words name.
fn points_at(t: &TableReport, words: &[String]) -> bool {
    let fk = key_column(words);
    t.schema_columns().any(|(n, _)| n == fk)
}

/// `order_item_id` for [order, item]: the column that names a row of that table.
fn key_column(words: &[String]) -> String {
    format!("{}_id", words.join("_"))
}

/// Pairs of tables that may serve the same purpose.
///
/// By columns: at least two shared distinctive column names, and a Jaccard index of at
/// least 0.3 or a containment of at least 0.8. Two unrelated tables often share one foreign
/// key (`user_id`), so one shared column is never enough; a third of the distinctive columns
/// in common is already unusual between tables of different purposes; and a table whose
/// columns nearly all reappear in another (`media`'s `user_id`, `url` in `assets`) is the
/// typical older copy, however wide the newer one grew. Distinctive leaves out `id`,
/// `created_at`, `updated_at`, and any column name found in more than max(3, 5%) of the
/// tables (`label`, `meta` in a 1,000-table schema say nothing about purpose). By name: one
/// name is the other plus words (`media`, `media_assets`), unless it is a child table
/// pointing back.
fn lookalikes(tables: &[TableReport]) -> Vec<Lookalike> {
    let candidates: Vec<&TableReport> = tables
        .iter()
        .filter(|t| matches!(t.kind, "table" | "partitioned-table"))
        .collect();
    let mut frequency: FxHashMap<&str, usize> = FxHashMap::default();
    for t in &candidates {
        for (n, _) in t.schema_columns() {
            *frequency.entry(n).or_default() += 1;
        }
    }
    let common = (candidates.len() / 20).max(3);
    // Each table's distinctive columns, by name (as `columns` holds them), and name words.
    let columns: Vec<Vec<(&str, &str)>> = candidates
        .par_iter()
        .map(|t| {
            distinctive(t)
                .filter(|(n, _)| frequency.get(n).copied().unwrap_or(0) <= common)
                .collect()
        })
        .collect();
    let words: Vec<Vec<String>> = candidates.par_iter().map(|t| name_words(t)).collect();
    let keys: Vec<String> = words.iter().map(|w| key_column(w)).collect();
    // Only tables that share a distinctive column or a name word can look alike (a name
    // look-alike is the other name plus words): pairs from an index of both, not all
    // n² / 2 pairs (500,000 for 1,000 tables).
    let mut sharing: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for (i, cols) in columns.iter().enumerate() {
        for &(c, _) in cols {
            sharing.entry(c).or_default().push(i);
        }
    }
    let mut by_word: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for (i, w) in words.iter().enumerate() {
        let mut seen: Vec<&str> = w.iter().map(String::as_str).collect();
        seen.sort_unstable();
        seen.dedup();
        for w in seen {
            by_word.entry(w).or_default().push(i);
        }
    }
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for list in sharing.values().chain(by_word.values()) {
        for (n, &i) in list.iter().enumerate() {
            pairs.extend(list[n + 1..].iter().map(|&j| (i, j)));
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
        .into_par_iter()
        .filter_map(|(i, j)| {
            lookalike(
                candidates[i],
                candidates[j],
                &columns,
                &words,
                &keys,
                (i, j),
            )
        })
        .collect()
}

/// The look-alike verdict on one pair of candidates (`(i, j)`: their places in `columns`
/// and `words`), with its evidence.
fn lookalike(
    a: &TableReport,
    b: &TableReport,
    columns: &[Vec<(&str, &str)>],
    words: &[Vec<String>],
    keys: &[String],
    (i, j): (usize, usize),
) -> Option<Lookalike> {
    // A key of either table (`role_id` in `roles` and `user_roles`) is how one points at the
    // other, not a sign that both serve one purpose.
    let not_key = |&&(n, _): &&(&str, &str)| n != keys[i] && n != keys[j];
    let (ca, cb) = (
        columns[i].iter().filter(not_key),
        columns[j].iter().filter(not_key),
    );
    let (len_a, len_b) = (ca.clone().count(), cb.clone().count());
    // Both by name: the shared columns, with the type in each, by a merge.
    let mut shared: Vec<(&str, &str, &str)> = Vec::new();
    let (mut x, mut y) = (ca.peekable(), cb.peekable());
    while let (Some(&&(na, ta)), Some(&&(nb, tb))) = (x.peek(), y.peek()) {
        match na.cmp(nb) {
            std::cmp::Ordering::Less => drop(x.next()),
            std::cmp::Ordering::Greater => drop(y.next()),
            std::cmp::Ordering::Equal => {
                shared.push((na, ta, tb));
                x.next();
                y.next();
            }
        }
    }
    let union = len_a + len_b - shared.len();
    let jaccard = if union == 0 {
        0.0
    } else {
        shared.len() as f64 / union as f64
    };
    let smaller = len_a.min(len_b);
    let containment = if smaller == 0 {
        0.0
    } else {
        shared.len() as f64 / smaller as f64
    };
    let mut why = Vec::new();
    if shared.len() >= 2 && (jaccard >= 0.3 || containment >= 0.8) {
        why.push("columns");
    }
    if is_name_lookalike(&words[i], &words[j], a, b) {
        why.push("name");
    }
    if why.is_empty() {
        return None;
    }
    let shared_columns = shared
        .iter()
        .map(|&(c, ta, tb)| {
            if ta == tb {
                format!("{c} {ta}")
            } else {
                format!("{c} ({ta} / {tb})")
            }
        })
        .collect();
    Some(Lookalike {
        a: a.name.clone(),
        b: b.name.clone(),
        why,
        shared_columns,
        jaccard: (jaccard * 100.0).round() / 100.0,
        containment: (containment * 100.0).round() / 100.0,
        a_used_by: a.usage_line(),
        b_used_by: b.usage_line(),
    })
}

/// Bans for legacy-looking tables, drops for unreferenced ones, and the references to fix
/// for missing ones. Each carries its evidence.
/// `not_checked`: how many statements were not checked in full; a table only they use
/// looks unreferenced, which the evidence for removing one says.
fn suggestions(
    tables: &[TableReport],
    lookalikes: &[Lookalike],
    database: bool,
    not_checked: usize,
) -> Vec<Suggestion> {
    let unread = (not_checked > 0).then(|| {
        format!(
            "{} not checked in full (listed under \"Not checked in full\"): a table only they use looks unreferenced",
            plural_were(not_checked)
        )
    });
    let by_name: FxHashMap<&str, &TableReport> =
        tables.iter().map(|t| (t.name.as_str(), t)).collect();
    let mut out = Vec::new();
    for t in tables {
        let twins: Vec<&TableReport> = lookalikes
            .iter()
            .filter_map(|l| {
                if l.a == t.name {
                    by_name.get(l.b.as_str()).copied()
                } else if l.b == t.name {
                    by_name.get(l.a.as_str()).copied()
                } else {
                    None
                }
            })
            .filter(|o| o.status == Status::InUse)
            .collect();
        let legacy =
            matches!(t.status, Status::EmptyReferenced | Status::Unreferenced) && !twins.is_empty();
        if legacy && t.banned.is_none() {
            let (key, reason) = ban_entry(t, &twins, tables);
            let mut evidence = vec![t.reason.clone()];
            if t.status == Status::Unreferenced {
                evidence.extend(unread.clone());
            }
            evidence.extend(twins.iter().map(|o| {
                format!(
                    "looks like `{}`, which is in use ({})",
                    o.name,
                    o.usage_line()
                )
            }));
            out.push(Suggestion {
                kind: "ban",
                table: t.name.clone(),
                text: banned_line(&key, &reason),
                evidence,
                entry: Some((key, reason)),
            });
        }
        if t.status == Status::Unreferenced {
            let what = match t.kind {
                "view" => "VIEW",
                "materialized-view" => "MATERIALIZED VIEW",
                "foreign-table" => "FOREIGN TABLE",
                _ => "TABLE",
            };
            let mut evidence = vec!["no scanned code references it".to_string()];
            evidence.extend(unread.clone());
            match t.rows {
                Some(0) => evidence.push(format!(
                    "rows ≈ 0 ({})",
                    t.rows_source.unwrap_or("statistics")
                )),
                Some(n) => evidence.push(format!(
                    "holds ≈ {n} rows ({}): archive them first",
                    t.rows_source.unwrap_or("statistics")
                )),
                None if matches!(what, "TABLE" | "MATERIALIZED VIEW") => {
                    evidence.push(if database {
                        "rows unknown: no statistics yet; check it is empty before dropping".into()
                    } else {
                        "rows unknown: no database; check it is empty before dropping".into()
                    })
                }
                None => {}
            }
            if let Some(b) = &t.banned {
                evidence.push(format!("listed in [banned]: {b}"));
            }
            evidence.extend(
                twins
                    .iter()
                    .map(|o| format!("looks like `{}`, which is in use", o.name)),
            );
            out.push(Suggestion {
                kind: "drop",
                table: t.name.clone(),
                text: format!("DROP {what} IF EXISTS {};", t.name),
                evidence,
                entry: None,
            });
        }
        if t.status == Status::MissingReferenced {
            let mut evidence: Vec<String> = t
                .references
                .iter()
                .map(|r| format!("{}:{}:{} ({})", r.file, r.line, r.column, r.usage))
                .collect();
            if let Some(b) = &t.banned {
                evidence.push(format!("listed in [banned]: {b}"));
            }
            out.push(Suggestion {
                kind: "fix-references",
                table: t.name.clone(),
                text: format!(
                    "rewrite or remove the code that uses `{}` ({}), or restore the table",
                    t.name,
                    plural(t.statements, "statement")
                ),
                evidence,
                entry: None,
            });
        }
    }
    out
}

/// The `[banned]` entry for a legacy-looking table: the bare name, unless another schema has
/// a relation of that name (a bare key bans the name in every schema); the reason states the
/// evidence and the table to use instead, e.g. "empty, look-alike of `public.assets` (in
/// use): use it instead (schemalint report)".
fn ban_entry(t: &TableReport, twins: &[&TableReport], tables: &[TableReport]) -> (String, String) {
    let bare = |n: &str| n.rsplit_once('.').map_or(n, |(_, b)| b).to_string();
    let name = bare(&t.name);
    let ambiguous = tables
        .iter()
        .filter(|o| o.kind != "missing" && bare(&o.name) == name)
        .count()
        > 1;
    let key = if ambiguous { t.name.clone() } else { name };
    let state = match (t.status, t.rows) {
        (Status::EmptyReferenced, _) => "empty".to_string(),
        (_, Some(0)) => "unreferenced and empty".to_string(),
        (_, Some(n)) => format!("unreferenced (≈ {n} rows)"),
        _ => "unreferenced".to_string(),
    };
    let names: Vec<String> = twins.iter().map(|o| format!("`{}`", o.name)).collect();
    let (names, it) = match names.as_slice() {
        [one] => (one.clone(), "it"),
        [rest @ .., last] => (format!("{} and {last}", rest.join(", ")), "one of them"),
        [] => (String::new(), "it"),
    };
    let reason =
        format!("{state}, look-alike of {names} (in use): use {it} instead (schemalint report)");
    (key, reason)
}

/// "1 statement was" / "3 statements were".
fn plural_were(n: usize) -> String {
    let verb = if n == 1 { "was" } else { "were" };
    format!("{} {verb}", plural(n, "statement"))
}

/// `key = "reason"` as TOML writes it (quoted key when it has a dot or other characters).
pub fn banned_line(key: &str, reason: &str) -> String {
    let mut table = toml_edit::Table::new();
    table.insert(key, toml_edit::value(reason));
    table.to_string().trim_end().to_string()
}

fn plural(n: usize, word: &str) -> String {
    let mut out = String::new();
    push_plural(&mut out, n, word);
    out
}

/// "1 file", "3 files".
fn push_plural(out: &mut String, n: usize, word: &str) {
    push_count(out, n as u64);
    out.push(' ');
    out.push_str(word);
    if n != 1 {
        out.push('s');
    }
}

fn rows_cell(t: &TableReport, database: bool) -> String {
    match t.rows {
        Some(n) => format!("≈ {n}"),
        None if t.kind == "missing" || t.kind == "view" => "-".into(),
        None if database => "unknown".into(),
        None => "unknown: no database".into(),
    }
}

fn columns_cell(t: &TableReport) -> String {
    if !t.is_referenced() {
        return "-".into();
    }
    let read: Vec<&str> = t
        .columns
        .iter()
        .filter(|(_, c)| c.read)
        .map(|(n, _)| n)
        .collect();
    let written: Vec<&str> = t
        .columns
        .iter()
        .filter(|(_, c)| c.written)
        .map(|(n, _)| n)
        .collect();
    let missing: Vec<&str> = t
        .columns
        .iter()
        .filter(|(_, c)| c.missing)
        .map(|(n, _)| n)
        .collect();
    let mut parts = Vec::new();
    if t.all_columns_used {
        parts.push("all (*)".to_string());
    }
    if !read.is_empty() {
        parts.push(format!("read: {}", read.join(", ")));
    }
    if !written.is_empty() {
        parts.push(format!("written: {}", written.join(", ")));
    }
    let never = t.never_used_columns();
    if !never.is_empty() {
        parts.push(format!("never used: {}", never.join(", ")));
    }
    if !missing.is_empty() && t.kind != "missing" {
        parts.push(format!("not in table: {}", missing.join(", ")));
    }
    parts.join("; ")
}

/// Human output: a table per section.
pub fn human(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Tables ({} from {}; {} in {}{}{})",
        plan.tables.len(),
        plan.schema_source,
        plural(plan.statements_checked, "statement"),
        plural(plan.files_scanned, "file"),
        match plan.not_checked.len() {
            0 => String::new(),
            n => format!("; {n} not checked in full"),
        },
        if plan.database {
            ""
        } else {
            "; rows unknown: no database"
        }
    );
    // Rows and each table's lines are written in parallel (on the caller's rayon pool):
    // they are nearly all of the text.
    let rows: Vec<Vec<String>> = plan
        .tables
        .par_iter()
        .map(|t| {
            vec![
                t.name.clone(),
                t.kind.to_string(),
                t.status.as_str().to_string(),
                if t.kind == "missing" {
                    "-".into()
                } else {
                    t.column_count.to_string()
                },
                rows_cell(t, plan.database),
                t.usage_line(),
            ]
        })
        .collect();
    out.push_str(&text_table(
        &["table", "kind", "status", "cols", "rows", "used by"],
        &rows,
    ));
    out.push('\n');
    let details: Vec<String> = plan
        .tables
        .par_iter()
        .map(|t| {
            let mut text = String::with_capacity(256 + t.references.len() * 64);
            for part in [&t.name, " [", t.status.as_str(), "]: ", &t.reason, "\n"] {
                text.push_str(part);
            }
            let cols = columns_cell(t);
            if !cols.is_empty() && cols != "-" {
                for part in ["  columns: ", &cols, "\n"] {
                    text.push_str(part);
                }
            }
            for r in &t.references {
                text.push_str("  ");
                text.push_str(&r.file);
                text.push(':');
                push_count(&mut text, r.line.into());
                text.push(':');
                push_count(&mut text, r.column.into());
                for part in [" (", r.usage, ")\n"] {
                    text.push_str(part);
                }
            }
            text
        })
        .collect();
    out.reserve(details.iter().map(String::len).sum());
    for d in &details {
        out.push_str(d);
    }
    out.push('\n');
    if !plan.not_checked.is_empty() {
        let _ = writeln!(
            out,
            "Not checked in full ({}): the tables and columns they use may be missing above",
            plan.not_checked.len()
        );
        for n in &plan.not_checked {
            let _ = writeln!(out, "  {}:{}:{}: {}", n.file, n.line, n.column, n.reason);
        }
        out.push('\n');
    }
    if plan.lookalikes.is_empty() {
        out.push_str("Look-alike tables: none\n");
    } else {
        let _ = writeln!(
            out,
            "Look-alike tables, possibly the same purpose ({}):",
            plan.lookalikes.len()
        );
        for l in &plan.lookalikes {
            let _ = writeln!(
                out,
                "  {} ~ {} (by {}; shared: {}; jaccard {:.2}, containment {:.2})",
                l.a,
                l.b,
                l.why.join(" and "),
                if l.shared_columns.is_empty() {
                    "no columns".to_string()
                } else {
                    l.shared_columns.join(", ")
                },
                l.jaccard,
                l.containment
            );
            let _ = writeln!(out, "    {}: {}", l.a, l.a_used_by);
            let _ = writeln!(out, "    {}: {}", l.b, l.b_used_by);
        }
    }
    out.push('\n');
    if plan.suggestions.is_empty() {
        out.push_str("Suggestions (not applied): none\n");
    } else {
        let _ = writeln!(
            out,
            "Suggestions (not applied) ({}):",
            plan.suggestions.len()
        );
        for s in &plan.suggestions {
            let _ = writeln!(out, "  {} {}: {}", s.kind, s.table, s.text);
            for e in &s.evidence {
                let _ = writeln!(out, "    - {e}");
            }
        }
    }
    out
}

/// Columns padded to the widest cell.
fn text_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let width = |cell: &str| {
        if cell.is_ascii() {
            cell.len()
        } else {
            cell.chars().count()
        }
    };
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    let mut out = String::with_capacity((rows.len() + 1) * (widths.iter().sum::<usize>() + 16));
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let start = out.len();
        for (i, (cell, w)) in cells.zip(&widths).enumerate() {
            if i > 0 {
                out.push_str("  ");
            }
            out.push_str(cell);
            if i + 1 < widths.len() {
                out.extend(std::iter::repeat_n(' ', w - width(cell)));
            }
        }
        // No padding at the end of a line.
        let kept = out[start..].trim_end().len();
        out.truncate(start + kept);
        out.push('\n');
    };
    line(&mut header.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    out
}

/// A Markdown cell: pipes escaped, no line breaks.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// A place in the code as a Markdown link relative to the root: `[a.ts:3:9](a.ts#L3)`.
fn link(file: &str, line: u32, column: u32) -> String {
    format!("[{file}:{line}:{column}]({file}#L{line})")
}

/// Markdown: "Current situation / Problem / Solution", for a pull request or a doc.
pub fn markdown(plan: &Plan) -> String {
    let mut out = String::new();
    out.push_str("# Table consolidation report\n\n");
    let _ = writeln!(
        out,
        "Schema: {}. Code: {} statements in {} files{}.{}\n",
        plan.schema_source,
        plan.statements_checked,
        plan.files_scanned,
        match plan.not_checked.len() {
            0 => String::new(),
            n => format!(" ({n} more not checked in full, listed below)"),
        },
        if plan.database {
            " Row counts are the server's statistics (estimates)."
        } else {
            " Rows unknown: no database (run with `--database-url-env` for row counts)."
        }
    );
    out.push_str("## Current situation\n\n");
    out.push_str("| table | kind | status | columns | rows | used by |\n");
    out.push_str("| --- | --- | --- | --- | --- | --- |\n");
    // A row and a line of columns per table, written in parallel (on the caller's rayon
    // pool): they are most of the document.
    let rows: Vec<(String, String)> = plan
        .tables
        .par_iter()
        .map(|t| {
            let row = format!(
                "| `{}` | {} | {} | {} | {} | {} |\n",
                t.name,
                t.kind,
                t.status.as_str(),
                if t.kind == "missing" {
                    "-".into()
                } else {
                    t.column_count.to_string()
                },
                rows_cell(t, plan.database),
                cell(&t.usage_line())
            );
            let columns = if t.is_referenced() {
                format!("- `{}`: {}\n", t.name, cell(&columns_cell(t)))
            } else {
                String::new()
            };
            (row, columns)
        })
        .collect();
    for (row, _) in &rows {
        out.push_str(row);
    }
    out.push('\n');
    for (_, columns) in &rows {
        out.push_str(columns);
    }
    if !plan.not_checked.is_empty() {
        out.push_str("\n### Not checked in full\n\n");
        out.push_str("The tables and columns these statements use may be missing above.\n\n");
        for n in &plan.not_checked {
            let _ = writeln!(out, "- {}: {}", link(&n.file, n.line, n.column), n.reason);
        }
    }
    out.push_str("\n## Problem\n\n");
    let problems: Vec<&TableReport> = plan
        .tables
        .iter()
        .filter(|t| t.status != Status::InUse)
        .collect();
    if problems.is_empty() && plan.lookalikes.is_empty() {
        out.push_str("Nothing: every table is in use and no two look alike.\n");
    }
    for t in problems {
        let _ = writeln!(out, "### `{}`: {}\n", t.name, t.status.as_str());
        let _ = writeln!(out, "{}.\n", t.reason);
        for r in &t.references {
            let _ = writeln!(out, "- {} ({})", link(&r.file, r.line, r.column), r.usage);
        }
        if !t.references.is_empty() {
            out.push('\n');
        }
    }
    if !plan.lookalikes.is_empty() {
        out.push_str("### Look-alike tables (possibly the same purpose)\n\n");
        out.push_str("| tables | by | shared columns | used by |\n");
        out.push_str("| --- | --- | --- | --- |\n");
        for l in &plan.lookalikes {
            let _ = writeln!(
                out,
                "| `{}` / `{}` | {} | {} | {}: {}; {}: {} |",
                l.a,
                l.b,
                l.why.join(", "),
                if l.shared_columns.is_empty() {
                    "-".to_string()
                } else {
                    cell(&l.shared_columns.join(", "))
                },
                l.a,
                cell(&l.a_used_by),
                l.b,
                cell(&l.b_used_by)
            );
        }
        out.push('\n');
    }
    out.push_str("## Solution\n\n");
    if plan.suggestions.is_empty() {
        out.push_str("No changes suggested.\n");
        return out;
    }
    out.push_str("Suggested, not applied.\n\n");
    let bans: Vec<&Suggestion> = plan
        .suggestions
        .iter()
        .filter(|s| s.kind == "ban")
        .collect();
    if !bans.is_empty() {
        out.push_str("Add to `schemalint.toml`:\n\n```toml\n[banned]\n");
        for s in &bans {
            let _ = writeln!(out, "{}", s.text);
        }
        out.push_str("```\n\n");
        for s in &bans {
            let _ = writeln!(out, "- `{}`: {}", s.table, s.evidence.join("; "));
        }
        out.push('\n');
    }
    let drops: Vec<&Suggestion> = plan
        .suggestions
        .iter()
        .filter(|s| s.kind == "drop")
        .collect();
    if !drops.is_empty() {
        out.push_str("A migration:\n\n```sql\n");
        for s in &drops {
            let _ = writeln!(out, "{}", s.text);
        }
        out.push_str("```\n\n");
        for s in &drops {
            let _ = writeln!(out, "- `{}`: {}", s.table, s.evidence.join("; "));
        }
        out.push('\n');
    }
    for s in plan
        .suggestions
        .iter()
        .filter(|s| s.kind == "fix-references")
    {
        let _ = writeln!(out, "- `{}`: {}.", s.table, s.text);
    }
    out
}

/// JSON, `"version": 1`: the text `serde_json::to_string_pretty(plan)` writes, with the
/// tables (nearly all of it) written in parallel on the caller's rayon pool.
pub fn json(plan: &Plan) -> String {
    json_parts(plan).concat()
}

/// [`json`] in parts, one per table between the fields before and after: written one after
/// the other, they are the document, without a copy of all 3 MB of it (the 1M-line bench
/// tree) into one text.
pub fn json_parts(plan: &Plan) -> Vec<String> {
    json_in_parallel(plan).unwrap_or_else(|e| {
        vec![format!(
            "{{\"version\":1,\"tool_errors\":[\"could not serialize the report: {e}\"]}}\n"
        )]
    })
}

/// The plan's fields before `tables` and those after (written by serde), and the tables
/// between them ([`table_json`], in parallel), in parts that join as serde's pretty printer
/// would have written the whole. A table is an element of `"tables"`, two levels down.
fn json_in_parallel(plan: &Plan) -> serde_json::Result<Vec<String>> {
    #[derive(Serialize)]
    struct Head<'a> {
        version: u32,
        config: &'a Option<String>,
        schema_source: &'a str,
        database: bool,
        files_scanned: usize,
        statements_checked: usize,
    }
    #[derive(Serialize)]
    struct Tail<'a> {
        #[serde(skip_serializing_if = "<[NotChecked]>::is_empty")]
        not_checked: &'a [NotChecked],
        lookalikes: &'a [Lookalike],
        suggestions: &'a [Suggestion],
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        tool_errors: &'a [String],
    }
    let head = serde_json::to_string_pretty(&Head {
        version: plan.version,
        config: &plan.config,
        schema_source: &plan.schema_source,
        database: plan.database,
        files_scanned: plan.files_scanned,
        statements_checked: plan.statements_checked,
    })?;
    let tail = serde_json::to_string_pretty(&Tail {
        not_checked: &plan.not_checked,
        lookalikes: &plan.lookalikes,
        suggestions: &plan.suggestions,
        tool_errors: &plan.tool_errors,
    })?;
    // `{\n  "version": 1,\n ... 6352\n}` and `{\n  "lookalikes": ...\n}`.
    let head = head.strip_suffix("\n}").unwrap_or(&head);
    let tail = tail.strip_prefix('{').unwrap_or(&tail);
    let mut parts = Vec::with_capacity(plan.tables.len() + 2);
    parts.push(format!("{head},\n  \"tables\": ["));
    let tables: Vec<String> = plan
        .tables
        .par_iter()
        .enumerate()
        .map(|(i, t)| {
            let before = if i == 0 { "\n    " } else { ",\n    " };
            table_json(t, before, plan.plain_file_names)
        })
        .collect();
    let empty = tables.is_empty();
    parts.extend(tables);
    parts.push(format!("{}{tail}\n", if empty { "]," } else { "\n  ]," }));
    Ok(parts)
}

/// A table as serde's pretty printer writes it as an element of `"tables"` (two levels
/// down), written by hand: the tables are nearly all of the report, and serde's writer cost
/// more than building them. `json_is_the_plan_as_serde_writes_it` holds both to one text.
/// `before` is what comes between it and the element before it; `plain_file_names`: no
/// file name needs an escape ([`Plan::plain_file_names`]).
fn table_json(t: &TableReport, before: &str, plain_file_names: bool) -> String {
    // The text's size, near enough that it is rarely grown.
    let size = 1024
        + t.references
            .iter()
            .map(|r| r.file.len() + 120)
            .sum::<usize>()
        + t.columns
            .iter()
            .map(|(n, c)| n.len() + c.data_type.as_ref().map_or(0, CompactString::len) + 110)
            .sum::<usize>()
        + t.files
            .iter()
            .chain(&t.entry_points)
            .map(|f| f.len() + 12)
            .sum::<usize>();
    let mut w = JsonWriter {
        out: String::with_capacity(size),
        depth: 2,
        first: true,
    };
    w.raw(before);
    w.open('{');
    w.key("name");
    w.string(&t.name);
    w.key("kind");
    w.string(t.kind);
    w.key("status");
    w.string(t.status.as_str());
    w.key("reason");
    w.string(&t.reason);
    if let Some(banned) = &t.banned {
        w.key("banned");
        w.string(banned);
    }
    w.key("rows");
    w.number(t.rows);
    if let Some(source) = t.rows_source {
        w.key("rows_source");
        w.string(source);
    }
    if let Some(a) = &t.activity {
        w.key("activity");
        w.open('{');
        for (key, n) in [
            ("inserted", a.inserted),
            ("updated", a.updated),
            ("deleted", a.deleted),
        ] {
            w.key(key);
            w.number(n);
        }
        for (key, at) in [
            ("last_vacuum", &a.last_vacuum),
            ("last_analyze", &a.last_analyze),
        ] {
            w.key(key);
            match at {
                Some(at) => w.string(at),
                None => w.raw("null"),
            }
        }
        w.close('}');
    }
    w.key("column_count");
    w.count(t.column_count as u64);
    w.key("statements");
    w.count(t.statements as u64);
    w.key("files");
    let out = &mut w.out;
    if t.files.is_empty() {
        out.push_str("[]");
    } else {
        out.push('[');
        for (i, f) in t.files.iter().enumerate() {
            out.push_str(&",\n        "[usize::from(i == 0)..]);
            push_file_name(out, f, plain_file_names);
        }
        out.push_str("\n      ]");
    }
    w.key("entry_points");
    w.strings(&t.entry_points);
    // References and columns, nearly all of the document, are written as whole texts at
    // their depth (an element of `"references"` or `"columns"` is four levels down, its
    // members five): member by member, the writer's steps cost more than the text.
    debug_assert_eq!(w.depth, 3);
    w.key("references");
    let out = &mut w.out;
    if t.references.is_empty() {
        out.push_str("[]");
    } else {
        out.push('[');
        for (i, r) in t.references.iter().enumerate() {
            out.push_str(&",\n        {\n          \"file\": "[usize::from(i == 0)..]);
            push_file_name(out, &r.file, plain_file_names);
            out.push_str(",\n          \"line\": ");
            push_count(out, r.line.into());
            out.push_str(",\n          \"column\": ");
            push_count(out, r.column.into());
            push_use_tail(out, r.usage);
        }
        out.push_str("\n      ]");
    }
    w.key("columns");
    let out = &mut w.out;
    if t.columns.is_empty() {
        out.push_str("{}");
    } else {
        out.push('{');
        for (i, (name, c)) in t.columns.iter().enumerate() {
            out.push_str(&",\n        "[usize::from(i == 0)..]);
            push_json_string(out, name);
            match &c.data_type {
                Some(ty) => {
                    out.push_str(": {\n          \"type\": ");
                    push_json_string(out, ty);
                    out.push(',');
                }
                None => out.push_str(": {"),
            }
            out.push_str(column_tail(c));
        }
        out.push_str("\n      }");
    }
    w.key("all_columns_used");
    w.raw(if t.all_columns_used { "true" } else { "false" });
    w.key("never_used");
    w.strings(&t.never_used);
    if !t.columns_known {
        w.key("columns_known");
        w.raw("false");
    }
    w.close('}');
    w.out
}

/// JSON as serde_json's `PrettyFormatter` writes it (two spaces a level), from `depth` levels
/// down.
struct JsonWriter {
    out: String,
    depth: usize,
    /// No element yet in the innermost open object or array.
    first: bool,
}

impl JsonWriter {
    fn newline(&mut self, comma: bool) {
        const BREAK: &str = concat!(
            ",\n",
            "                                                                ",
        );
        if comma {
            self.out.push(',');
        }
        let indent = 1 + self.depth * 2;
        match BREAK.get(1..1 + indent) {
            Some(line) => self.out.push_str(line),
            None => {
                self.out.push('\n');
                self.out.extend(std::iter::repeat_n(' ', self.depth * 2));
            }
        }
    }

    fn open(&mut self, c: char) {
        self.out.push(c);
        self.depth += 1;
        self.first = true;
    }

    fn close(&mut self, c: char) {
        self.depth -= 1;
        if !self.first {
            self.newline(false);
        }
        self.out.push(c);
        // The container just closed is an element of the one around it.
        self.first = false;
    }

    /// The start of an array element.
    fn item(&mut self) {
        let comma = !self.first;
        self.newline(comma);
        self.first = false;
    }

    /// The start of an object member: its key (a field name, nothing to escape) and the
    /// colon.
    fn key(&mut self, key: &str) {
        debug_assert!(!key.bytes().any(needs_json_escape), "{key}");
        self.item();
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\": ");
    }

    fn raw(&mut self, text: &str) {
        self.out.push_str(text);
    }

    fn string(&mut self, s: &str) {
        push_json_string(&mut self.out, s);
    }

    /// A row estimate or a statistic: `null` when unknown.
    fn number(&mut self, n: Option<i64>) {
        match n {
            Some(n) if n < 0 => {
                self.out.push('-');
                self.count(n.unsigned_abs());
            }
            Some(n) => self.count(n.unsigned_abs()),
            None => self.out.push_str("null"),
        }
    }

    /// A count, a line or a column.
    fn count(&mut self, n: impl Into<u64>) {
        push_count(&mut self.out, n.into());
    }

    fn strings(&mut self, items: &[impl AsRef<str>]) {
        self.open('[');
        for s in items {
            self.item();
            self.string(s.as_ref());
        }
        self.close(']');
    }
}

/// A file name as a JSON string: copied as it is when no name needs an escape.
fn push_file_name(out: &mut String, name: &str, plain: bool) {
    if plain {
        out.reserve(name.len() + 2);
        out.push('"');
        out.push_str(name);
        out.push('"');
    } else {
        push_json_string(out, name);
    }
}

/// The end of a reference after its column: its use (one of five words: nothing to escape)
/// and the closing brace, as one text.
fn push_use_tail(out: &mut String, usage: &str) {
    macro_rules! tail {
        ($use:literal) => {
            concat!(",\n          \"use\": \"", $use, "\"\n        }")
        };
    }
    let tail = match usage {
        "read" => tail!("read"),
        "insert" => tail!("insert"),
        "update" => tail!("update"),
        "delete" => tail!("delete"),
        "merge" => tail!("merge"),
        other => {
            out.push_str(",\n          \"use\": ");
            push_json_string(out, other);
            "\n        }"
        }
    };
    out.push_str(tail);
}

/// The end of a column after its type: `read`, `written`, `missing` when it is, and the
/// closing brace, as one text.
fn column_tail(c: &ColumnUseSummary) -> &'static str {
    macro_rules! tail {
        ($read:literal, $written:literal $(, $missing:literal)?) => {
            concat!(
                "\n          \"read\": ", $read,
                ",\n          \"written\": ", $written,
                $(",\n          \"missing\": ", $missing,)?
                "\n        }"
            )
        };
    }
    match (c.read, c.written, c.missing) {
        (false, false, false) => tail!("false", "false"),
        (false, true, false) => tail!("false", "true"),
        (true, false, false) => tail!("true", "false"),
        (true, true, false) => tail!("true", "true"),
        (false, false, true) => tail!("false", "false", "true"),
        (false, true, true) => tail!("false", "true", "true"),
        (true, false, true) => tail!("true", "false", "true"),
        (true, true, true) => tail!("true", "true", "true"),
    }
}

fn needs_json_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Whether any byte of `s` needs escaping, eight bytes at a time: a byte below 0x20, `"` or
/// `\\` in a word sets that byte's high bit in one of the three tests.
fn any_json_escape(s: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let word = |x: u64| {
        let quote = x ^ (ONES * u64::from(b'"'));
        let backslash = x ^ (ONES * u64::from(b'\\'));
        ((x.wrapping_sub(ONES * 0x20) & !x)
            | (quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash))
            & HIGH
            != 0
    };
    let load = |w: &[u8]| u64::from_le_bytes(w.try_into().expect("eight bytes"));
    if s.len() < 8 {
        // One word from overlapping loads (every byte in it at least once), the rest spaces,
        // which need no escape: no copy byte by byte.
        let packed = match s.len() {
            0 => return false,
            1..=3 => {
                let (first, middle, last) = (s[0], s[s.len() / 2], s[s.len() - 1]);
                u64::from_le_bytes([first, middle, last, b' ', b' ', b' ', b' ', b' '])
            }
            _ => {
                let half = |w: &[u8]| u64::from(u32::from_le_bytes(w.try_into().expect("four")));
                half(&s[..4]) | half(&s[s.len() - 4..]) << 32
            }
        };
        return word(packed);
    }
    let mut words = s.chunks_exact(8);
    if words.by_ref().any(|w| word(load(w))) {
        return true;
    }
    // The tail, as the last eight bytes (some of them seen already).
    !words.remainder().is_empty() && word(load(&s[s.len() - 8..]))
}

/// A count, a line or a column, in decimal.
fn push_count(out: &mut String, n: u64) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// `s` as a JSON string, escaped as serde_json escapes: `"`, `\\`, and control characters
/// (`\n`, `\t`, ... or `\u001f`); everything else as it is.
fn push_json_string(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    if !any_json_escape(s.as_bytes()) {
        out.push_str(s);
        out.push('"');
        return;
    }
    let mut rest = s;
    while let Some(i) = rest.bytes().position(needs_json_escape) {
        out.push_str(&rest[..i]);
        let b = rest.as_bytes()[i];
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_points_come_from_paths() {
        let cases = [
            (
                "netlify/functions/save-media.ts",
                Some("netlify:save-media"),
            ),
            (
                "netlify/functions/save-media/index.ts",
                Some("netlify:save-media"),
            ),
            ("api/users/[id].ts", Some("vercel:/api/users/[id]")),
            ("api/index.js", Some("vercel:/api")),
            ("pages/api/login.ts", Some("vercel:/api/login")),
            ("app/users/route.ts", Some("route:/users")),
            ("src/db/users.rs", Some("crate::db::users")),
            ("crates/ledger/src/lib.rs", Some("crate")),
            ("src/db/mod.rs", Some("crate::db")),
            ("src/lib/db.ts", None),
            ("queries/orders.sql", None),
            // Near misses: the words in a longer name, not a step of their own.
            ("src/apis/users.ts", None),
            ("mynetlify/functions/save.ts", None),
            ("app/users/router.ts", None),
            ("src/bin/tool.rs", Some("bin:tool")),
            ("api/users/index.ts", Some("vercel:/api/users")),
        ];
        for (path, want) in cases {
            assert_eq!(entry_point(path).as_deref(), want, "{path}");
        }
    }

    /// The shortcut for a plain path under the working directory gives what the path's
    /// components give; anything else takes the components' way.
    #[test]
    fn plain_paths_are_shown_as_their_components_show_them() {
        let cwd = Path::new("/work/app");
        let (cwd, root) = (clean_components(cwd), clean_components(cwd));
        for path in [
            "src/a.ts",
            "./src/a.ts",
            "././src/a.ts",
            ".//src/a.ts",
            "netlify/functions/save-media.ts",
            "a",
            "src/./a.ts",
            "src//a.ts",
            "src/../lib/a.ts",
            "../other/a.ts",
            "src/a.ts/",
            ".",
            "./",
            "dir\\a.ts",
            "/abs/src/a.ts",
            "/work/app/src/a.ts",
        ] {
            let path = Path::new(path);
            assert_eq!(
                relative(&cwd, &root, true, path),
                relative_by_components(&cwd, &root, path),
                "{}",
                path.display()
            );
        }
    }

    fn table(name: &str, cols: &[&str]) -> TableReport {
        let known = cols.iter().map(|c| (*c, "text"));
        table_report(name.to_string(), "table", &[], known)
    }

    #[test]
    fn names_that_are_another_name_plus_a_word_look_alike_unless_a_child_table() {
        let media = table("public.media", &["id", "url"]);
        let media_assets = table("public.media_assets", &["id", "storage_key"]);
        let assets = table("public.assets", &["id"]);
        let orders = table("public.orders", &["id"]);
        let order_items = table("public.order_items", &["id", "order_id"]);
        let users = table("public.users", &["id"]);
        let sessions = table("public.user_sessions", &["id", "token"]);
        let like = |a: &TableReport, b: &TableReport| {
            is_name_lookalike(&name_words(a), &name_words(b), a, b)
        };
        assert!(like(&media, &media_assets));
        assert!(like(&assets, &media_assets));
        assert!(!like(&orders, &order_items));
        assert!(like(&users, &sessions));
        assert!(!like(&media, &assets));
        // A lookup table the shorter name points at (`fees.fee_type_id`).
        let fees = table("public.fees", &["fee_id", "fee_type_id", "due_date"]);
        let fee_types = table("public.fee_types", &["fee_type_id", "name"]);
        assert!(!like(&fees, &fee_types));
    }

    #[test]
    fn a_key_of_either_table_is_not_a_shared_column() {
        // `user_roles` points at `roles` by `role_id`: with it, two of three columns shared.
        let roles = table("public.roles", &["role_id", "role_name", "deleted_at"]);
        let user_roles = table(
            "public.user_roles",
            &["id", "user_id", "role_id", "deleted_at"],
        );
        assert!(lookalikes(&[roles, user_roles]).is_empty());
        // Two copies that both point at `users` by `user_id` still look alike.
        let a = table("public.media", &["id", "user_id", "url", "mime"]);
        let b = table("public.uploads", &["id", "user_id", "url", "mime", "size"]);
        assert_eq!(lookalikes(&[a, b]).len(), 1);
    }

    #[test]
    fn one_shared_column_is_not_a_look_alike() {
        let a = table("public.invoices", &["id", "user_id", "total"]);
        let b = table("public.posts", &["id", "user_id", "body"]);
        assert!(lookalikes(&[a, b]).is_empty());
        let a = table("public.media", &["id", "user_id", "url", "created_at"]);
        let b = table(
            "public.assets",
            &[
                "id",
                "user_id",
                "kind",
                "media_type",
                "url",
                "prompt",
                "meta",
            ],
        );
        let found = lookalikes(&[a, b]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].why, vec!["columns"]);
        assert_eq!(found[0].containment, 1.0);
    }

    #[test]
    fn columns_most_tables_have_say_nothing_about_purpose() {
        // 40 tables sharing `label` and `meta` (common: in more than max(3, 5%) of them)
        // are not look-alikes of each other.
        let tables: Vec<TableReport> = (0..40)
            .map(|i| {
                table(
                    &format!("public.t{i:02}"),
                    &["id", "label", "meta", &format!("c{i}")],
                )
            })
            .collect();
        assert!(lookalikes(&tables).is_empty());
    }

    /// The word-at-a-time test agrees with the byte test for every byte at every place of
    /// a word and of the tail after the last whole word.
    #[test]
    fn escapes_are_found_at_every_place() {
        for b in 0..=255u8 {
            for len in 1..=17 {
                for at in 0..len {
                    let mut s = vec![b'a'; len];
                    s[at] = b;
                    assert_eq!(
                        any_json_escape(&s),
                        needs_json_escape(b),
                        "{b} at {at} of {len}"
                    );
                }
            }
        }
        assert!(!any_json_escape(b""));
        assert!(!any_json_escape("é ✓ \u{7f} ~ !#[]".as_bytes()));
    }

    /// The parallel JSON writer must write exactly what serde writes for the whole plan:
    /// every field, in order, at its depth (a field added to `Plan` and not to the writer's
    /// parts fails here).
    #[test]
    fn json_is_the_plan_as_serde_writes_it() {
        let at = |file: &str, line, column, usage| Location {
            file: file.into(),
            line,
            column,
            usage,
        };
        let mut media = table("public.media", &["id", "url"]);
        media
            .references
            .push(at("netlify/functions/save-media.ts", 17, 17, "insert"));
        media.files.push("netlify/functions/save-media.ts".into());
        media.entry_points.push("netlify:save-media".into());
        media.columns.insert(
            "media_type",
            ColumnUseSummary {
                data_type: None,
                read: false,
                written: true,
                missing: true,
            },
        );
        media.banned = Some("legacy \"media\"\nuse assets".into());
        media.rows = Some(0);
        media.rows_source = Some("n_live_tup");
        media.activity = Some(Activity {
            inserted: Some(3),
            updated: None,
            deleted: Some(3),
            last_vacuum: None,
            last_analyze: Some("2026-11-30 10:00:00+00".into()),
        });
        // References in two files, back and forth; names that need escaping; every
        // optional part.
        media.references.extend([
            at("netlify/functions/save-media.ts", 30, 5, "read"),
            at("src/\"odd\"\\dir/\u{1}é\t.ts", 1, 1, "update"),
            at("netlify/functions/save-media.ts", 40, 2, "delete"),
        ]);
        media.never_used.push("url".into());
        media.reason = "rows: 0\r\nline\u{8}\u{c}\u{1f}\u{7f} ✓".into();
        let mut star = table("app.\"Events\"", &["id"]);
        star.all_columns_used = true;
        star.columns_known = false;
        star.activity = Some(Activity {
            inserted: None,
            updated: Some(-1),
            deleted: None,
            last_vacuum: Some("2026-11-01".into()),
            last_analyze: None,
        });
        let empty = table("public.assets", &[]);
        let mut plan = Plan {
            version: 1,
            config: Some("schemalint.toml".into()),
            schema_source: "db/schema.sql".into(),
            database: true,
            files_scanned: 2,
            statements_checked: 1,
            tables: vec![media, star, empty],
            not_checked: vec![NotChecked {
                file: "src/\"odd\".ts".into(),
                line: 3,
                column: 9,
                status: "not-checked",
                reason: "`${t}` is only known at run time".into(),
            }],
            lookalikes: Vec::new(),
            suggestions: vec![Suggestion {
                kind: "drop",
                table: "public.media".into(),
                text: "DROP TABLE IF EXISTS public.media;".into(),
                evidence: vec!["no code uses it".into()],
                entry: None,
            }],
            tool_errors: Vec::new(),
            plain_file_names: false,
        };
        let serde = |p: &Plan| serde_json::to_string_pretty(p).unwrap() + "\n";
        assert_eq!(json(&plan), serde(&plan));
        // Plain file names copied as they are; every use and every set of column flags.
        let media = &mut plan.tables[0];
        media.references.retain(|r| !r.file.contains('"'));
        media.references.push(at("a.ts", 2, 3, "merge"));
        media.references.push(at("a.ts", 4, 1, "other"));
        media.files.push("a.ts".into());
        for (n, read, written, missing) in [
            ("c0", false, false, false),
            ("c1", true, false, false),
            ("c2", false, true, false),
            ("c3", true, true, false),
            ("c4", false, false, true),
            ("c5", true, false, true),
            ("c6", true, true, true),
        ] {
            let data_type = (!missing).then(|| "character varying(\"x\")".into());
            let c = ColumnUseSummary {
                data_type,
                read,
                written,
                missing,
            };
            media.columns.insert(n, c);
        }
        plan.plain_file_names = true;
        assert_eq!(json(&plan), serde(&plan));
        plan.tool_errors.push("src/a.ts: permission denied".into());
        plan.not_checked.clear();
        plan.tables.clear();
        plan.suggestions.clear();
        assert_eq!(json(&plan), serde(&plan));
    }
}
