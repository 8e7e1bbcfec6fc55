//! schemalint: checks the SQL in a project's source files against its Postgres schema.
//!
//! The modules, lowest first. Each imports only modules listed before it (`tests/layers.rs`
//! holds the code to this list); data flows down the list:
//!
//! 1. [`atomic`]: writes that never leave half a file.
//! 2. [`user_file`]: bounded reads of files inside the project.
//! 3. [`diagnostic`]: spans, severities, findings, line/column indexes.
//! 4. [`fingerprint`]: a finding's identity across edits.
//! 5. [`walk`]: discover the files, the ignore rules, the nearest config.
//! 6. [`extract`]: the SQL in TS/JS, Rust and `.sql` files, with a span map to the source.
//! 7. [`sql`]: parse it.
//! 8. [`schema`]: the schema model and its sources (migrations replayed, dumps, snapshots,
//!    a live database).
//! 9. [`resolve`]: every table and column with Postgres's scoping.
//! 10. [`rules`]: the checks on resolved statements.
//! 11. [`suppress`]: `schemalint-disable` comments.
//! 12. [`config`]: `schemalint.toml`, read into the types the stages own.
//! 13. [`verify`]: PREPARE statements on a database.
//! 14. [`check`]: extracted SQL through resolve, the rules and verify, into a report.
//! 15. [`render`]: the report as human text, concise lines, JSON, SARIF, GitHub annotations.
//! 16. [`baseline`]: record today's findings, hide them later.
//! 17. [`report`]: the table consolidation report, built from a check's references.
//! 18. [`progress`]: the progress line of long runs.
//! 19. [`cli`]: the command line.
//! 20. [`init`]: detect a project's layout and schema.
//! 21. [`commands`]: one module per command, and the stages they share.
//!
//! One exception, stated: replaying `CREATE VIEW` names the view's columns with the resolver,
//! as Postgres does by analysing the query, so [`schema`] (its replay) calls into [`resolve`].

pub mod atomic;
pub mod baseline;
pub mod check;
pub mod cli;
pub mod commands;
pub mod config;
pub mod diagnostic;
pub mod extract;
pub mod fingerprint;
pub mod init;
pub mod progress;
pub mod render;
pub mod report;
pub mod resolve;
pub mod rules;
pub mod schema;
pub mod sql;
pub mod suppress;
pub mod user_file;
pub mod verify;
pub mod walk;

use miette::Report as Error;

use crate::cli::{CheckArgs, Cli, Command};
pub use crate::commands::Outcome;
use crate::commands::{diff, rule, snapshot, unused};

/// Run a parsed command line. Errors that stop the run are returned (exit 2); problems with
/// single files are reported on stderr and the run goes on.
pub fn run(cli: Cli) -> Result<Outcome, Error> {
    match cli.command {
        Command::Check(args) => {
            commands::check::run(&args).or_else(|e| commands::check::report_in_format(&args, e))
        }
        Command::Rule { name } => rule::run(name.as_deref()),
        Command::Init { force } => commands::init::run(force),
        Command::Unused(args) => {
            unused::run(&CheckArgs::from_schema(args.paths, args.source, args.quiet))
        }
        Command::Report(args) => commands::report::run(&args),
        Command::Snapshot { source, output } => {
            snapshot::run(&CheckArgs::from_schema(Vec::new(), source, true), &output)
        }
        Command::Diff {
            a,
            b,
            format,
            connect_timeout,
            query_timeout,
        } => diff::run(&a, &b, format, connect_timeout, query_timeout),
    }
}
