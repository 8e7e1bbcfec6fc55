//! `sql-syntax`: text that is certainly SQL but does not parse, so it was not checked.

use super::{declare_rule, Rule};
use crate::diagnostic::Severity;

declare_rule! {
    /// ## What it does
    /// Reports SQL that schemalint found in a place that certainly holds SQL (a `.sql` file, a
    /// `sql` tagged template, the first argument of `client.query(...)`, `sqlx::query!`) but
    /// could not parse. The statement was **not checked**.
    ///
    /// ## Why is this bad?
    /// It may be a real syntax error that Postgres will reject. It may also be valid Postgres
    /// syntax that schemalint's parser doesn't support yet (for example Postgres 18's
    /// `RETURNING WITH (OLD AS o)`, or `SET arr[$1] = $2`): that is why this is a warning and
    /// not an error. Plain strings that merely look like SQL are never reported.
    ///
    /// ## Example
    /// ```ts
    /// await sql`SELEC id FROM assets`;
    /// ```
    /// Use instead: `SELECT id FROM assets`. If the SQL is valid, suppress the finding with
    /// `// schemalint-ignore-next-line sql-syntax` and please report the parser gap.
    pub struct SqlSyntax => "sql-syntax", Severity::Warning;
}

/// Reported by the pipeline when parsing fails, not by a statement check.
impl Rule for SqlSyntax {}
