//! schemalint: checks the SQL in a project's source files against its Postgres schema.
//!
//! The modules, in data-flow order; each imports only the ones listed before it:
//!
//! - support: [`atomic`] (writes that never leave half a file), [`user_file`] (bounded reads
//!   inside the project), [`diagnostic`] (spans, severities, findings), [`fingerprint`];
//! - discover: [`walk`] (files, ignore rules, the nearest config);
//! - extract: [`extract`] (SQL in TS/JS, Rust and `.sql`, with a span map back to the source);
//! - parse: [`sql`];
//! - schema model and sources: [`schema`] (replayed migrations, dumps, snapshots, live);
//! - resolve: [`resolve`] (Postgres scoping of every table and column);
//! - rules: [`rules`], [`suppress`];
//! - configuration: [`config`] (the TOML, into the types the stages own);
//! - check: [`check`] (extracted SQL through resolve and the rules), [`verify`] (PREPARE),
//!   [`baseline`];
//! - output: [`render`] (human, concise, JSON, SARIF, GitHub), [`progress`];
//! - commands: [`cli`], [`init`] (layout detection), [`report`], [`commands`] (one module per
//!   command, and the stages they share).

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
        Command::Report(args) => report::run_report(&args),
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
