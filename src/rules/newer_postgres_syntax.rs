//! `newer-postgres-syntax`: a construct the configured PostgreSQL version doesn't have yet.

use super::{declare_rule, Rule, RuleContext, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};
use crate::resolve::Invalid;

declare_rule! {
    /// ## What it does
    /// Flags SQL that only newer PostgreSQL versions accept, judged by `[schema]
    /// postgres-version` (or the live database's version, or the snapshot's): `MERGE` (15),
    /// a subquery in `FROM` without an alias (16), `JSON_TABLE`, `MERGE ... RETURNING` and
    /// `WHEN NOT MATCHED BY SOURCE` (17). Before their version, `RETURNING old.x, new.x` (18)
    /// names an unknown `old` and `SYSTEM_USER` (16) an unknown column, as Postgres says, so
    /// `unknown-column` reports those.
    ///
    /// ## Why is this bad?
    /// The server the app runs against rejects the statement (`subquery in FROM must have an
    /// alias`, or a syntax error), although it works on a developer's newer PostgreSQL.
    ///
    /// ## Example
    /// ```sql
    /// SELECT count(*) FROM (SELECT DISTINCT user_id FROM assets);
    /// ```
    /// Use instead (before PostgreSQL 16): `SELECT count(*) FROM (SELECT DISTINCT user_id FROM assets) AS a`.
    ///
    /// ## Options
    /// - `schema.postgres-version`: the PostgreSQL major version to judge by (default: the
    ///   database's when there is one, else the newest stable major, 18).
    pub struct NewerPostgresSyntax => "newer-postgres-syntax", Severity::Error;
}

impl Rule for NewerPostgresSyntax {
    fn check(cx: &mut RuleContext<'_>) {
        let version = cx.schema.version();
        for invalid in &cx.resolved.invalid {
            let Invalid::NewerSyntax { what, since, range } = invalid else {
                continue;
            };
            let diagnostic = Diagnostic::new(
                NewerPostgresSyntax::NAME,
                NewerPostgresSyntax::SEVERITY,
                format!("{what} needs PostgreSQL {since} or newer"),
                cx.span(*range),
            )
            .with_label(format!("not in PostgreSQL {version}"))
            .with_help(Some(format!(
                "rewrite it for PostgreSQL {version}, or set `[schema] postgres-version` to the server's version"
            )));
            cx.report(diagnostic);
        }
    }
}
