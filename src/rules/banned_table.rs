//! `banned-table`: a table the config says code must no longer use.

use super::{declare_rule, Rule, RuleContext, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};

declare_rule! {
    /// ## What it does
    /// Flags every reference to a table listed in `[banned]` in `schemalint.toml`, whether or
    /// not the table still exists, with the reason from the config as help.
    ///
    /// ## Why is this bad?
    /// A legacy table that still exists is the most dangerous kind of drift: queries against it
    /// succeed, but write to or read from the wrong place. Banning it makes the intended
    /// replacement explicit.
    ///
    /// ## Example
    /// ```toml
    /// [banned]
    /// media = "legacy; use `assets` (AI media) or `media_assets` (uploads)"
    /// ```
    /// ```ts
    /// await sql`INSERT INTO media (user_id, url) VALUES (${userId}, ${url})`;
    /// ```
    /// Use instead: `INSERT INTO assets ...`.
    ///
    /// Column findings on a banned table are not reported: the fix is to stop using the table.
    ///
    /// ## Options
    /// - `banned`: `table` or `schema.table` = reason.
    pub struct BannedTable => "banned-table", Severity::Error;
}

impl Rule for BannedTable {
    fn check(cx: &mut RuleContext<'_>) {
        for table in &cx.resolved.tables {
            let Some(reason) = cx
                .banned
                .table(table.name.schema.as_ref(), &table.name.name)
            else {
                continue;
            };
            let diagnostic = Diagnostic::new(
                BannedTable::NAME,
                BannedTable::SEVERITY,
                format!("table `{}` is banned", table.name),
                cx.span(table.range),
            )
            .with_label("banned in schemalint.toml")
            .with_help(Some(reason.to_string()));
            cx.report(diagnostic);
        }
    }
}
