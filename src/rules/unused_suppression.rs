//! `unused-suppression`: a `schemalint-ignore` comment that silences nothing.

use super::{declare_rule, Rule};
use crate::diagnostic::Severity;

declare_rule! {
    /// ## What it does
    /// Reports a `schemalint-ignore` or `schemalint-ignore-next-line` comment that silenced no
    /// finding, names no rule, or names a rule that doesn't exist.
    ///
    /// ## Why is this bad?
    /// Suppressions outlive the problem they hid: once the query is fixed, a stale suppression
    /// would silently hide the next real error on that line. A suppression must always name
    /// the rule it silences, so a misspelt name is reported too.
    ///
    /// ## Example
    /// ```ts
    /// // schemalint-ignore-next-line unknown-column -- fixed in #42, the comment stayed
    /// await sql`SELECT id, url FROM assets`;
    /// ```
    /// Use instead: remove the comment.
    pub struct UnusedSuppression => "unused-suppression", Severity::Warning;
}

/// Reported by the suppression pass, after all rules ran.
impl Rule for UnusedSuppression {}
