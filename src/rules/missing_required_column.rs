//! `missing-required-column`: an INSERT that leaves out a NOT NULL column without a default.

use super::{declare_rule, Rule, RuleContext, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};
use crate::resolve::InsertSource;
use crate::schema::Ident;

declare_rule! {
    /// ## What it does
    /// Flags an `INSERT` that gives no value for a column that is `NOT NULL` and has no
    /// default, identity or generation expression.
    ///
    /// ## Why is this bad?
    /// Postgres accepts the statement when it is prepared and only fails when it runs:
    /// `null value in column "kind" of relation "assets" violates not-null constraint`. No
    /// type checker or `PREPARE` catches it before production.
    ///
    /// ## Example
    /// ```sql
    /// INSERT INTO assets (user_id, url) VALUES ($1, $2); -- assets.kind is NOT NULL
    /// ```
    /// Use instead: `INSERT INTO assets (user_id, url, kind) VALUES ($1, $2, $3)`.
    ///
    /// A `BEFORE INSERT` trigger may fill the column in, which the checker cannot see: that is
    /// why this rule is a warning by default. Set it to `error` when your tables have no such
    /// triggers, or `off`.
    pub struct MissingRequiredColumn => "missing-required-column", Severity::Warning;
}

impl Rule for MissingRequiredColumn {
    fn check(cx: &mut RuleContext<'_>) {
        for insert in &cx.resolved.inserts {
            let Some((_, relation)) = cx.relation(insert.table) else {
                continue;
            };
            let given: Vec<&Ident> = match (&insert.columns, &insert.source) {
                (Some(columns), _) => columns.iter().map(|(c, _)| c).collect(),
                (None, InsertSource::Values(rows)) => {
                    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
                    relation
                        .columns
                        .iter()
                        .take(width)
                        .map(|c| &c.name)
                        .collect()
                }
                (None, InsertSource::Query { width: Some(w), .. }) => {
                    relation.columns.iter().take(*w).map(|c| &c.name).collect()
                }
                (None, InsertSource::DefaultValues) => Vec::new(),
                (None, InsertSource::Query { width: None, .. }) => continue,
            };
            let missing: Vec<&Ident> = relation
                .columns
                .iter()
                .filter(|c| !c.may_be_omitted() && !given.contains(&&c.name))
                .map(|c| &c.name)
                .collect();
            let Some(first) = missing.first() else {
                continue;
            };
            let list = missing
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let help = if missing.len() == 1 {
                format!("{list} is NOT NULL and has no default: give it a value")
            } else {
                format!("{list} are NOT NULL and have no default: give them values")
            };
            let diagnostic = Diagnostic::new(
                MissingRequiredColumn::NAME,
                MissingRequiredColumn::SEVERITY,
                format!(
                    "null value in column \"{first}\" of relation \"{}\" violates not-null constraint",
                    relation.name
                ),
                cx.span(insert.range),
            )
            .with_label(format!("no value for {list}"))
            .with_help(Some(help));
            cx.report(diagnostic);
        }
    }
}
