//! The rules: one file per rule, and this module holds the one list of them. A rule reads
//! the resolver's facts about one statement and reports diagnostics; it never touches files.

mod ambiguous_column;
mod banned_column;
mod banned_table;
mod database_error;
mod dynamic_sql;
mod insert_column_count;
mod interpolated_sql;
mod missing_required_column;
mod newer_postgres_syntax;
mod on_conflict_without_target;
mod other_database;
mod sql_syntax;
mod unknown_column;
mod unknown_table;
mod unsupported_ddl;
mod unused_suppression;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::extract::EmbeddedSql;
use crate::resolve::{Resolved, TableStatus, TextRange};
use crate::schema::{ColumnOwners, Ident, Relation, Removal, Schema};

pub use ambiguous_column::AmbiguousColumn;
pub use banned_column::BannedColumn;
pub use banned_table::BannedTable;
pub use database_error::DatabaseError;
pub use dynamic_sql::DynamicSql;
pub use insert_column_count::InsertColumnCount;
pub use interpolated_sql::{interpolated_sql, InterpolatedSql};
pub use missing_required_column::MissingRequiredColumn;
pub use newer_postgres_syntax::NewerPostgresSyntax;
pub use on_conflict_without_target::OnConflictWithoutTarget;
pub use other_database::OtherDatabase;
pub use sql_syntax::SqlSyntax;
pub use unknown_column::UnknownColumn;
pub use unknown_table::UnknownTable;
pub use unsupported_ddl::UnsupportedDdl;
pub use unused_suppression::UnusedSuppression;

/// A rule's identity and documentation. `declare_rule!` implements it from the doc comment.
pub trait RuleMeta {
    const NAME: &'static str;
    const SEVERITY: Severity;
    /// The doc comment: what it does, why it is bad, an example, options.
    const DOCS: &'static str;
}

/// A check over one resolved statement. Rules that the pipeline itself reports (syntax
/// errors, dynamic SQL, skipped DDL) keep the default, which does nothing.
pub trait Rule: RuleMeta {
    fn check(_cx: &mut RuleContext<'_>) {}
}

/// Declares a rule struct and its metadata; the doc comment becomes `DOCS`.
macro_rules! declare_rule {
    ($(#[doc = $doc:literal])* pub struct $name:ident => $id:literal, $severity:expr;) => {
        $(#[doc = $doc])*
        #[derive(Debug, Default)]
        pub struct $name;

        impl $crate::rules::RuleMeta for $name {
            const NAME: &'static str = $id;
            const SEVERITY: $crate::diagnostic::Severity = $severity;
            const DOCS: &'static str = concat!($($doc, "\n"),*);
        }
    };
}
pub(crate) use declare_rule;

/// The one list of rules. Generates `RuleId` with `ALL`, names, docs and dispatch.
macro_rules! declare_rules {
    ($($rule:ident),* $(,)?) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum RuleId { $($rule),* }

        impl RuleId {
            pub const ALL: &'static [RuleId] = &[$(RuleId::$rule),*];

            pub fn name(self) -> &'static str {
                match self { $(RuleId::$rule => <$rule as RuleMeta>::NAME),* }
            }

            pub fn default_severity(self) -> Severity {
                match self { $(RuleId::$rule => <$rule as RuleMeta>::SEVERITY),* }
            }

            fn raw_docs(self) -> &'static str {
                match self { $(RuleId::$rule => <$rule as RuleMeta>::DOCS),* }
            }

            fn run(self, cx: &mut RuleContext<'_>) {
                match self { $(RuleId::$rule => <$rule as Rule>::check(cx)),* }
            }
        }
    };
}

declare_rules! {
    UnknownTable,
    UnknownColumn,
    AmbiguousColumn,
    InsertColumnCount,
    MissingRequiredColumn,
    OnConflictWithoutTarget,
    NewerPostgresSyntax,
    BannedTable,
    BannedColumn,
    SqlSyntax,
    DynamicSql,
    InterpolatedSql,
    UnsupportedDdl,
    UnusedSuppression,
    DatabaseError,
    OtherDatabase,
}

impl RuleId {
    /// The rule documentation as Markdown, with a title line.
    pub fn docs(self) -> String {
        let body: String = self
            .raw_docs()
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n");
        format!(
            "# `{}`\n\nDefault severity: {}.\n\n{}\n",
            self.name(),
            self.default_severity(),
            body.trim()
        )
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for RuleId {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RuleId::ALL
            .iter()
            .copied()
            .find(|r| r.name() == s)
            .ok_or_else(|| match closest_rule(s) {
                Some(hint) => format!("unknown rule `{s}` (did you mean `{hint}`?)"),
                None => format!("unknown rule `{s}`"),
            })
    }
}

/// The rule name closest to a misspelt one, when it is close enough to be what was meant
/// (`unknown-colum` → `unknown-column`).
pub fn closest_rule(name: &str) -> Option<&'static str> {
    RuleId::ALL
        .iter()
        .map(|r| (strsim::damerau_levenshtein(name, r.name()), r.name()))
        .filter(|&(d, rule)| d <= 2.max(rule.len() / 5))
        .min()
        .map(|(_, rule)| rule)
}

pub fn is_known_rule(name: &str) -> bool {
    name.parse::<RuleId>().is_ok()
}

/// Banned tables and columns from `[banned]`, with their reasons.
#[derive(Debug, Clone, Default)]
pub struct Banned {
    tables: Vec<(Option<Ident>, Ident, String)>,
    columns: Vec<(Option<Ident>, Ident, Ident, String)>,
}

impl Banned {
    /// `table`, `schema.table` (when `schema` is a schema of the model), `table.column` or
    /// `schema.table.column`. Names fold like unquoted identifiers.
    pub fn new(entries: &BTreeMap<String, String>, schema: &Schema) -> Banned {
        let mut banned = Banned::default();
        for (key, reason) in entries {
            let parts: Vec<Ident> = key.split('.').map(Ident::unquoted).collect();
            match parts.as_slice() {
                [t] => banned.tables.push((None, t.clone(), reason.clone())),
                [s, t]
                    if schema.namespace(s).is_some()
                        && schema
                            .namespace(s)
                            .is_some_and(|ns| ns.relations.contains_key(t)) =>
                {
                    banned
                        .tables
                        .push((Some(s.clone()), t.clone(), reason.clone()))
                }
                [t, c] => banned
                    .columns
                    .push((None, t.clone(), c.clone(), reason.clone())),
                [s, t, c] => {
                    banned
                        .columns
                        .push((Some(s.clone()), t.clone(), c.clone(), reason.clone()))
                }
                _ => {}
            }
        }
        banned
    }

    /// The reason a table reference is banned. An unqualified ban matches the name in any schema.
    pub fn table(&self, schema: Option<&Ident>, name: &Ident) -> Option<&str> {
        self.tables
            .iter()
            .find(|(s, t, _)| {
                t == name && (s.is_none() || schema.is_none() || s.as_ref() == schema)
            })
            .map(|(_, _, r)| r.as_str())
    }

    /// Whether some `table.column` entry bans a column of this name (before a table is
    /// looked up: most projects ban no column at all).
    pub fn bans_column_named(&self, column: &Ident) -> bool {
        self.columns.iter().any(|(_, _, c, _)| c == column)
    }

    pub fn column(&self, schema: &Ident, table: &Ident, column: &Ident) -> Option<&str> {
        self.columns
            .iter()
            .find(|(s, t, c, _)| {
                t == table && c == column && s.as_ref().is_none_or(|s| s == schema)
            })
            .map(|(_, _, _, r)| r.as_str())
    }
}

/// Per-rule severities after `[rules]` in the config (`None` = off), by rule in the order
/// of [`RuleId::ALL`] (asked for every rule of every statement).
#[derive(Debug, Clone)]
pub struct RuleSettings {
    severities: Vec<Option<Severity>>,
    /// Whether any rule is on (`report` turns every rule off).
    any: bool,
}

impl RuleSettings {
    pub fn new(overrides: &BTreeMap<String, RuleLevel>) -> RuleSettings {
        let severities = RuleId::ALL
            .iter()
            .map(|&r| {
                overrides
                    .get(r.name())
                    .map_or(Some(r.default_severity()), |l| l.severity())
            })
            .collect::<Vec<_>>();
        let any = severities.iter().any(Option::is_some);
        RuleSettings { severities, any }
    }

    /// Whether any rule is on (`report` turns every rule off).
    pub fn any_on(&self) -> bool {
        self.any
    }

    pub fn severity(&self, rule: RuleId) -> Option<Severity> {
        // `ALL` lists the rules in declaration order: a rule's place is its discriminant.
        self.severities.get(rule as usize).copied().flatten()
    }
}

impl Default for RuleSettings {
    fn default() -> Self {
        RuleSettings::new(&BTreeMap::new())
    }
}

/// What a rule sees: the statement's resolved references, the schema and the config.
pub struct RuleContext<'a> {
    pub schema: &'a Schema,
    pub resolved: &'a Resolved,
    pub banned: &'a Banned,
    /// Which relations have a column of a name (built on first use, once per run).
    pub column_owners: &'a ColumnOwners<'a>,
    sql: &'a EmbeddedSql,
    severity: Severity,
    rule: &'static str,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl RuleContext<'_> {
    /// Whether text is pasted where a clause goes (`SELECT o.* ${rest}`): it may bring FROM
    /// items and joins, so no column of an expression can be said to be missing.
    pub fn clause_pasted(&self) -> bool {
        use crate::extract::splice::HoleContext;
        self.sql.spliced.iter().any(|s| {
            s.kind != crate::extract::SpliceKind::Value
                && self
                    .sql
                    .text
                    .get(..s.sql_start as usize)
                    .is_some_and(|before| HoleContext::of(before) == HoleContext::Clause)
        })
    }

    /// The host-file span of a range of the statement's SQL text.
    pub fn span(&self, range: TextRange) -> Span {
        self.sql.host_span(range.start, range.end)
    }

    pub fn report(&mut self, mut diagnostic: Diagnostic) {
        diagnostic.severity = self.severity;
        diagnostic.rule = self.rule;
        self.diagnostics.push(diagnostic);
    }

    /// The relation a found table reference points at.
    pub fn relation(&self, table: usize) -> Option<(&Ident, &Relation)> {
        match &self.resolved.tables.get(table)?.status {
            TableStatus::Found { schema, relation } => self.schema.relation_in(schema, relation),
            _ => None,
        }
    }

    /// Whether a table reference is banned (banned tables suppress findings on their columns).
    pub fn is_banned_table(&self, table: usize) -> bool {
        self.resolved.tables.get(table).is_some_and(|t| {
            self.banned
                .table(t.name.schema.as_ref(), &t.name.name)
                .is_some()
        })
    }
}

/// Run every enabled statement rule over one resolved statement.
pub fn check_statement(
    sql: &EmbeddedSql,
    schema: &Schema,
    resolved: &Resolved,
    banned: &Banned,
    column_owners: &ColumnOwners<'_>,
    settings: &RuleSettings,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if !settings.any {
        return;
    }
    for &rule in RuleId::ALL {
        let Some(severity) = settings.severity(rule) else {
            continue;
        };
        let mut cx = RuleContext {
            schema,
            resolved,
            banned,
            column_owners,
            sql,
            severity,
            rule: rule.name(),
            diagnostics,
        };
        rule.run(&mut cx);
    }
}

/// "`body` was renamed to `content` in migrations/20240301_posts.sql:2: use `content`", from
/// the history: what happened, where, and what to do.
pub(crate) fn removal_help(kind: &str, name: &Ident, removal: &Removal) -> String {
    let at = |at: &Option<crate::schema::Provenance>| {
        at.as_ref().map(|a| format!(" in {a}")).unwrap_or_default()
    };
    match removal {
        Removal::Renamed { to, at: a } => {
            format!("{kind} `{name}` was renamed to `{to}`{}: use `{to}`", at(a))
        }
        Removal::Dropped { at: a } => format!(
            "{kind} `{name}` was dropped{}: remove this use, or keep the {kind} in the migration",
            at(a)
        ),
        Removal::NotApplied { at: a } => format!(
            "the statement that creates `{name}`{} could not be applied (see its unsupported-ddl warning): fix it, and the {kind} is in the schema",
            at(a)
        ),
    }
}

/// The label at the reference, readable at a glance in a review: "dropped by
/// 20240301_posts.sql" (the file name only; the help line has the path and line).
pub(crate) fn removal_label(removal: &Removal) -> String {
    // " by 20240301_posts.sql", " in schema.sql": the file name after the word.
    let file = |word: &str, at: &Option<crate::schema::Provenance>| match at {
        Some(a) => {
            let file = a.file.rsplit(['/', '\\']).next().unwrap_or(&a.file);
            format!(" {word} {file}")
        }
        None => String::new(),
    };
    match removal {
        Removal::Renamed { to, at } => format!("renamed to `{to}`{}", file("by", at)),
        Removal::Dropped { at } => format!("dropped{}", file("by", at)),
        Removal::NotApplied { at } => format!("its CREATE was not applied{}", file("in", at)),
    }
}

/// A rule's level as the config sets it (`off` turns it off).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleLevel {
    Off,
    Info,
    Warning,
    Error,
}

impl RuleLevel {
    pub fn severity(self) -> Option<Severity> {
        match self {
            RuleLevel::Off => None,
            RuleLevel::Info => Some(Severity::Info),
            RuleLevel::Warning => Some(Severity::Warning),
            RuleLevel::Error => Some(Severity::Error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_hold_each_rule_at_its_place() {
        let overrides = BTreeMap::from([
            ("ambiguous-column".to_string(), RuleLevel::Off),
            ("unknown-table".to_string(), RuleLevel::Warning),
        ]);
        let settings = RuleSettings::new(&overrides);
        for (i, &rule) in RuleId::ALL.iter().enumerate() {
            assert_eq!(rule as usize, i, "{rule:?}");
            let want = match rule {
                RuleId::AmbiguousColumn => None,
                RuleId::UnknownTable => Some(Severity::Warning),
                _ => Some(rule.default_severity()),
            };
            assert_eq!(settings.severity(rule), want, "{rule:?}");
        }
    }

    #[test]
    fn names_round_trip_and_are_kebab_case() {
        for &rule in RuleId::ALL {
            assert_eq!(rule.name().parse::<RuleId>(), Ok(rule));
            assert!(rule
                .name()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-'));
            let docs = rule.docs();
            for section in ["## What it does", "## Why is this bad?", "## Example"] {
                assert!(docs.contains(section), "{rule} docs lack {section}");
            }
        }
    }
}
