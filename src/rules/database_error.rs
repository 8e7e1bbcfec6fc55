//! `database-error`: a statement PostgreSQL itself refused to prepare (`check --verify`).

use super::{declare_rule, Rule};
use crate::diagnostic::Severity;

declare_rule! {
    /// ## What it does
    /// With `schemalint check --verify`, every statement schemalint can check statically is
    /// also sent to the database named by `--database-url` to be **prepared** (parsed and
    /// analysed, never executed: only Parse and Describe messages are sent, inside a
    /// read-only transaction that is rolled back, with a statement timeout). When the server
    /// refuses, its error is reported here, at the position the server names, in its own
    /// words, marked as coming from the database.
    ///
    /// ## Why is this bad?
    /// The server will refuse the same statement at run time. The static rules cover tables,
    /// columns and syntax; the server also knows types, operators, functions and casts: it
    /// catches `WHERE id = 'abc'` on a bigint, `lower(42)`, or a wrong function name. Where
    /// a static rule already reported the same spot, the server's duplicate is left out.
    ///
    /// ## Example
    /// ```ts
    /// await sql`SELECT id FROM users WHERE id = 'abc'`;  // id is a bigint
    /// await sql`SELECT lower(id) FROM users`;
    /// ```
    /// ```text
    /// database-error: invalid input syntax for type bigint: "abc"
    /// database-error: function lower(bigint) does not exist
    /// ```
    /// Statements with parts only known at run time (`dynamic-sql`) and schema statements
    /// (`CREATE`, `ALTER`, ...) are not sent: the server would not analyse the latter before
    /// running them.
    pub struct DatabaseError => "database-error", Severity::Error;
}

/// Reported by the verification stage from the server's answers, not by a statement check.
impl Rule for DatabaseError {}
