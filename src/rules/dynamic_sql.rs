//! `dynamic-sql`: SQL built at run time that could only be partly checked.

use super::{declare_rule, Rule};
use crate::diagnostic::Severity;

declare_rule! {
    /// ## What it does
    /// Notes, at info level, a statement that has parts only known at run time: a table or
    /// column name interpolated into a template (`FROM ${table}`), `sql.unsafe(...)`, a list
    /// or clause built at run time (`SET ${fields.join(', ')}`, `WHERE ${clauses.join(' AND
    /// ')}`, `VALUES ${placeholders}`, `$${i}` parameter numbers). When the rest still parses
    /// with stand-ins for those parts, it is checked ("checked in part": the table of `UPDATE
    /// t SET ${...} WHERE id = $1` and its `RETURNING` columns are), and findings that depend
    /// on the missing parts are dropped; otherwise it is not checked. Never `sql-syntax`.
    /// A sqlx `QueryBuilder` is checked the same way: its prefix and literal pushes are the
    /// text, `push_bind` a parameter, and what is pushed at run time (`push_values` rows,
    /// `separated(..)`, a push in a branch) stands in by position, so the table and column
    /// list of `QueryBuilder::new("INSERT INTO t (a, b) ")` and the columns of a `SELECT ..
    /// WHERE ` prefix are checked.
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
