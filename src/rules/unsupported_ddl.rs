//! `unsupported-ddl`: a schema statement the replay could not apply.

use super::{declare_rule, Rule};
use crate::diagnostic::Severity;

declare_rule! {
    /// ## What it does
    /// Reports a statement in a `pg_dump` file or a migration that could change tables or
    /// columns but that schemalint could not parse or apply, with its location.
    ///
    /// ## Why is this bad?
    /// Every verdict after it may be wrong: a skipped `ALTER TABLE ... ADD COLUMN` makes every
    /// query using the new column look broken, and a skipped `DROP` hides real breakage. So
    /// schemalint never skips such a statement silently. Statements that cannot change tables
    /// or columns (`GRANT`, `COMMENT`, `OWNER TO`, function bodies, indexes, policies) are
    /// skipped without a finding.
    ///
    /// ## Example
    /// ```sql
    /// ALTER TABLE assets ADD COLUMN IF NOT EXISTS meta jsonb /* in an unparseable form */;
    /// ```
    /// Rewrite the statement in a form the replay understands, or use a live database or a
    /// snapshot as the schema source.
    pub struct UnsupportedDdl => "unsupported-ddl", Severity::Warning;
}

/// Reported by the schema loader, not by a statement check.
impl Rule for UnsupportedDdl {}
