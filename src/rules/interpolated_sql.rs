//! `interpolated-sql`: a run-time value pasted into SQL text where a bind parameter would do.

use super::{declare_rule, Rule, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity, Span};

declare_rule! {
    /// ## What it does
    /// Flags a value pasted into the text of a statement where a bind parameter would do: a
    /// `${id}` hole in a plain (untagged) template literal, `"... = " + id`, or a `format!`
    /// hole, in a value position (after `=`, in `VALUES (...)`, inside quotes). Literal
    /// constants (`${LIMIT}`, `${'active'}`) and lists built from constants are not flagged,
    /// and holes that build the statement's shape (`SET ${fields.join(', ')}`, `FROM
    /// ${table}`) are `dynamic-sql` notes instead.
    ///
    /// ## Why is this bad?
    /// The value becomes part of the SQL: a quote in it changes the statement (SQL injection),
    /// Postgres cannot reuse the plan, and the statement schemalint checks is not the one that
    /// runs. A tagged template (`` sql`... ${id}` ``) or a parameter sends the value separately.
    ///
    /// ## Example
    /// ```ts
    /// await pool.query(`SELECT * FROM users WHERE id = ${id}`);
    /// ```
    /// Use instead: `await pool.query('SELECT * FROM users WHERE id = $1', [id]);`.
    ///
    /// ## Options
    /// Turn it off with `interpolated-sql = "off"` under `[rules]`, or silence one line with
    /// `// schemalint-ignore-next-line interpolated-sql`.
    pub struct InterpolatedSql => "interpolated-sql", Severity::Warning;
}

/// Reported by the pipeline from the statement's splices (the statement may not parse).
impl Rule for InterpolatedSql {}

/// `value` is the pasted expression as written (`id`, `req.params.id`); `before` is the SQL
/// just before the hole (`id =`), to show the parameter in place; `n` the parameter number.
pub fn interpolated_sql(span: Span, value: &str, before: &str, n: usize) -> Diagnostic {
    let shown = if before.is_empty() {
        format!("${n}")
    } else {
        format!("... {before} ${n}")
    };
    Diagnostic::new(
        InterpolatedSql::NAME,
        InterpolatedSql::SEVERITY,
        format!("`{value}` is pasted into the SQL text"),
        span,
    )
    .with_label("pasted into the statement")
    .with_help(Some(format!(
        "pass `{value}` as a parameter: `{shown}`, [{value}]"
    )))
}
