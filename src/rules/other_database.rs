//! `other-database`: SQL skipped because its crate talks to another database than Postgres.

use super::{declare_rule, Rule};
use crate::diagnostic::Severity;

declare_rule! {
    /// ## What it does
    /// Notes, at info level and once per crate, that the SQL of a Rust crate was not checked
    /// because its Cargo.toml says it talks to SQLite or MySQL and not to Postgres: `sqlx` or
    /// `diesel` with the `sqlite` or `mysql` feature, `rusqlite`, `mysql`, `mysql_async`.
    /// The note points at the dependency and says how many statements were skipped.
    ///
    /// ## Why is this bad?
    /// It isn't: checking SQLite or MySQL statements against a Postgres schema would only
    /// give findings that mean nothing. The note says what was left out, so that nothing is
    /// skipped silently.
    ///
    /// ## Example
    /// ```toml
    /// [dependencies]
    /// sqlx = { version = "0.8", features = ["sqlite", "runtime-tokio"] }
    /// ```
    /// A crate that uses both Postgres and another database is checked as usual. Turn the
    /// note off with `other-database = "off"` under `[rules]`.
    pub struct OtherDatabase => "other-database", Severity::Info;
}

/// Reported by the crate-level extraction pass, not by a statement check.
impl Rule for OtherDatabase {}
