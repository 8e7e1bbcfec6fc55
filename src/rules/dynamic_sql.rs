//! `dynamic-sql`: SQL built at run time that could only be partly checked.

use super::{declare_rule, Rule};
use crate::diagnostic::Severity;

declare_rule! {
    /// ## What it does
    /// Notes, at info level, a statement that has parts only known at run time: a table or
    /// column name interpolated into a template (`FROM ${table}`), `sql.unsafe(...)`, or a
    /// string concatenated with a function's result, when what remains does not parse.
    ///
    /// ## Why is this bad?
    /// It isn't necessarily: but schemalint cannot check it, so schema drift there goes
    /// unnoticed. The finding says so instead of staying silent.
    ///
    /// ## Example
    /// ```ts
    /// await sql.unsafe(`SELECT * FROM ${table} WHERE id = $1`, [id]);
    /// ```
    /// Prefer static SQL where the table is known; otherwise this note can be turned off with
    /// `dynamic-sql = "off"` under `[rules]`.
    pub struct DynamicSql => "dynamic-sql", Severity::Info;
}

/// Reported by the pipeline for statements with dynamic parts that don't parse.
impl Rule for DynamicSql {}
