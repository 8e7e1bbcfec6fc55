//! `banned-column`: a column the config says code must no longer use.

use super::{declare_rule, Rule, RuleContext, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};
use crate::resolve::ColumnStatus;

declare_rule! {
    /// ## What it does
    /// Flags every reference to a column listed in `[banned]` as `table.column` (or
    /// `schema.table.column`), when the reference certainly resolves to that table's column.
    ///
    /// ## Why is this bad?
    /// Deprecated columns linger: they still exist, so queries work, but the data moved. A
    /// ban points every remaining use at the replacement before the column is dropped.
    ///
    /// ## Example
    /// ```toml
    /// [banned]
    /// "users.name" = "split into `first_name` and `last_name`"
    /// ```
    /// ```sql
    /// SELECT name FROM users WHERE id = $1;
    /// ```
    /// Use instead: `SELECT first_name, last_name FROM users WHERE id = $1`.
    ///
    /// ## Options
    /// - `banned`: `table.column` or `schema.table.column` = reason.
    pub struct BannedColumn => "banned-column", Severity::Error;
}

impl Rule for BannedColumn {
    fn check(cx: &mut RuleContext<'_>) {
        for column in &cx.resolved.columns {
            let ColumnStatus::Found { table: Some(table) } = column.status else {
                continue;
            };
            if !cx.banned.bans_column_named(&column.name) {
                continue;
            }
            let Some((schema, relation)) = cx.relation(table) else {
                continue;
            };
            let Some(reason) = cx.banned.column(schema, &relation.name, &column.name) else {
                continue;
            };
            let diagnostic = Diagnostic::new(
                BannedColumn::NAME,
                BannedColumn::SEVERITY,
                format!("column `{}.{}` is banned", relation.name, column.name),
                cx.span(column.range),
            )
            .with_label("banned in schemalint.toml")
            .with_help(Some(reason.to_string()));
            cx.report(diagnostic);
        }
    }
}
