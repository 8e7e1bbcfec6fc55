//! `ambiguous-column`: an unqualified column that more than one relation in scope has.

use super::{declare_rule, Rule, RuleContext, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};
use crate::resolve::ColumnStatus;

declare_rule! {
    /// ## What it does
    /// Flags an unqualified column name that two or more relations at the same level of the
    /// query have, such as `id` in a join of `users` and `assets`. Columns merged by
    /// `JOIN ... USING (id)` or `NATURAL JOIN` are not ambiguous.
    ///
    /// ## Why is this bad?
    /// Postgres rejects the statement: `column reference "id" is ambiguous`. Such queries
    /// often start failing only when a migration adds a same-named column to a joined table.
    ///
    /// ## Example
    /// ```sql
    /// SELECT id, url FROM users JOIN assets ON assets.user_id = users.id;
    /// ```
    /// Use instead: `SELECT assets.id, url FROM users JOIN assets ON assets.user_id = users.id`.
    pub struct AmbiguousColumn => "ambiguous-column", Severity::Error;
}

impl Rule for AmbiguousColumn {
    fn check(cx: &mut RuleContext<'_>) {
        for column in &cx.resolved.columns {
            if column.status != ColumnStatus::Ambiguous {
                continue;
            }
            let diagnostic = Diagnostic::new(
                AmbiguousColumn::NAME,
                AmbiguousColumn::SEVERITY,
                format!("column reference \"{}\" is ambiguous", column.name),
                cx.span(column.range),
            )
            .with_label("in more than one table")
            .with_help(Some("qualify it with a table name or alias".to_string()));
            cx.report(diagnostic);
        }
    }
}
