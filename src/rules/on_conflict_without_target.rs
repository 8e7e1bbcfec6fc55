//! `on-conflict-without-target`: `ON CONFLICT DO UPDATE` that doesn't say which conflict.

use super::{declare_rule, Rule, RuleContext, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};
use crate::resolve::Invalid;

declare_rule! {
    /// ## What it does
    /// Flags `INSERT ... ON CONFLICT DO UPDATE` without a conflict target: neither a column
    /// list (`ON CONFLICT (email)`) nor `ON CONFLICT ON CONSTRAINT name`.
    ///
    /// ## Why is this bad?
    /// Postgres rejects the statement: `ON CONFLICT DO UPDATE requires inference
    /// specification or constraint name`. Only `DO NOTHING` may leave the target out.
    ///
    /// ## Example
    /// ```sql
    /// INSERT INTO users (email, name) VALUES ($1, $2) ON CONFLICT DO UPDATE SET name = EXCLUDED.name;
    /// ```
    /// Use instead: `ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name`.
    pub struct OnConflictWithoutTarget => "on-conflict-without-target", Severity::Error;
}

impl Rule for OnConflictWithoutTarget {
    fn check(cx: &mut RuleContext<'_>) {
        for invalid in &cx.resolved.invalid {
            let Invalid::OnConflictWithoutTarget { range } = invalid else {
                continue;
            };
            let diagnostic = Diagnostic::new(
                OnConflictWithoutTarget::NAME,
                OnConflictWithoutTarget::SEVERITY,
                "ON CONFLICT DO UPDATE requires inference specification or constraint name",
                cx.span(*range),
            )
            .with_label("no conflict target")
            .with_help(Some(
                "name the unique columns (`ON CONFLICT (email)`) or the constraint (`ON CONFLICT ON CONSTRAINT users_email_key`)".to_string(),
            ));
            cx.report(diagnostic);
        }
    }
}
