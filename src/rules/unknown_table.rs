//! `unknown-table`: a table reference the schema doesn't contain.

use super::{declare_rule, removal_help, removal_label, Rule, RuleContext, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::resolve::TableStatus;
use crate::schema::{Ident, QualifiedName, Schema};

declare_rule! {
    /// ## What it does
    /// Flags a table, view or other relation that isn't in the schema (live database,
    /// snapshot, `pg_dump` file or migrations), after CTE names and the search path are applied.
    ///
    /// ## Why is this bad?
    /// Postgres rejects the statement at run time with `relation "…" does not exist`: the query
    /// fails in production, typically after a table was renamed or dropped in a migration.
    ///
    /// ## Example
    /// ```ts
    /// await sql`SELECT id, url FROM asset WHERE user_id = ${userId}`;
    /// ```
    /// Use instead: `SELECT id, url FROM assets WHERE user_id = $1`.
    ///
    /// The help line says what happened to the name when the migrations know (`media_batches`
    /// was dropped in `migrations/0007_neon.sql:3`), or suggests a close existing name.
    /// A name qualified with a schema the model doesn't contain (`app_publc.users`) is flagged
    /// too, as Postgres does, unless `[schema] external-schemas` lists that schema. System
    /// catalogs (`pg_catalog`, `information_schema`) are never flagged. `'users'::regclass`
    /// literals are table references. A banned table is reported by `banned-table` instead.
    ///
    /// ## Options
    /// - `schema.search-path`: schemas searched for unqualified names (default `["public"]`).
    /// - `schema.external-schemas`: schemas that exist in the database but not in the schema
    ///   sources (an extension's, another service's): names in them are not judged.
    pub struct UnknownTable => "unknown-table", Severity::Error;
}

impl Rule for UnknownTable {
    fn check(cx: &mut RuleContext<'_>) {
        for table in &cx.resolved.tables {
            if table.status != TableStatus::Missing
                || cx
                    .banned
                    .table(table.name.schema.as_ref(), &table.name.name)
                    .is_some()
            {
                continue;
            }
            let span = cx.span(table.range);
            let diagnostic = unknown_table(cx.schema, &table.name, span);
            cx.report(diagnostic);
        }
    }
}

fn unknown_table(schema: &Schema, name: &QualifiedName, span: Span) -> Diagnostic {
    let removal = schema.removal(name);
    let unknown_schema = name
        .schema
        .as_ref()
        .filter(|s| schema.namespace(s).is_none());
    let help = match (removal, unknown_schema) {
        (Some(removal), _) => Some(removal_help("table", &name.name, removal)),
        (None, Some(s)) => Some(
            match crate::schema::closest(s.as_str(), schema.namespaces.keys()) {
                Some(close) => format!("schema `{s}` does not exist either: did you mean `{close}`?"),
                None => format!(
                    "schema `{s}` does not exist either; list schemas created outside the schema sources in `[schema] external-schemas`"
                ),
            },
        ),
        (None, None) => schema
            .closest_relation(name)
            .map(|h: &Ident| format!("did you mean `{h}`?")),
    };
    Diagnostic::new(
        UnknownTable::NAME,
        UnknownTable::SEVERITY,
        format!("relation \"{name}\" does not exist"),
        span,
    )
    .with_label(removal.map_or_else(|| "not in schema".to_string(), removal_label))
    .with_help(help)
}
