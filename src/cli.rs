//! Command-line types (clap). No logic here: `lib.rs` runs what these describe.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::diagnostic::Severity;
use crate::render::Format;

/// Check the SQL in your code against your Postgres schema, before it reaches production.
#[derive(Debug, Parser)]
#[command(name = "schemalint", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check SQL in .sql, TypeScript/JavaScript and Rust files against the schema.
    Check(CheckArgs),
    /// List tables and columns no scanned code uses, and banned tables still in use.
    Unused(CheckArgs),
    /// Write the schema (from a database or DDL) as a deterministic JSON snapshot.
    Snapshot {
        #[command(flatten)]
        source: CheckArgs,
        /// Where to write the snapshot (written atomically).
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Compare two schemas (snapshot, DDL file, migrations folder or database URL); exit 1 on drift.
    Diff {
        /// The expected schema, e.g. the committed snapshot.
        a: String,
        /// The actual schema, e.g. $DATABASE_URL or the migrations folder.
        b: String,
        /// Output format (human or json).
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// Seconds to wait for a database connection [default: 10].
        #[arg(long, value_name = "SECONDS")]
        connect_timeout: Option<u64>,
    },
    /// Write a commented schemalint.toml for the project in the current directory.
    Init {
        /// Replace an existing schemalint.toml.
        #[arg(long)]
        force: bool,
    },
    /// Print the documentation of a rule, or list the rules.
    Rule {
        /// A rule name such as `unknown-column`; omit to list every rule.
        name: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or directories to check [default: the current directory].
    ///
    /// Directories are walked recursively, honouring .gitignore; files named explicitly are
    /// always checked.
    pub paths: Vec<PathBuf>,

    /// A schema source: a pg_dump file, a DDL file or a migrations folder (repeatable).
    ///
    /// Overrides `[schema] paths` in schemalint.toml. Several sources are applied in order.
    #[arg(long = "schema", value_name = "PATH")]
    pub schema: Vec<PathBuf>,

    /// Read the schema from this live database instead of DDL files.
    ///
    /// Any PostgreSQL URL (Neon included). `sslmode` disable, prefer (default), require,
    /// verify-ca and verify-full are honoured; `sslrootcert` adds a CA. Prefer
    /// --database-url-env: a URL on a command line can end up in shell history and logs.
    #[arg(long, value_name = "URL", conflicts_with = "database_url_env")]
    pub database_url: Option<String>,

    /// Read the database URL from this environment variable.
    #[arg(long, value_name = "NAME")]
    pub database_url_env: Option<String>,

    /// Also have the database prepare every statement (never executing it) and report
    /// what it refuses, marked as coming from the database.
    ///
    /// Needs --database-url or --database-url-env (or `[schema] database-url-env`). The
    /// statements are prepared in a read-only transaction that is rolled back.
    #[arg(long)]
    pub verify: bool,

    /// Seconds to wait for the database connection [default: 10].
    #[arg(long, value_name = "SECONDS")]
    pub connect_timeout: Option<u64>,

    /// Use this config file instead of looking for schemalint.toml.
    ///
    /// Without it, schemalint.toml is searched for in the first path and its ancestors, then in
    /// the working directory and its ancestors.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,

    /// The lowest severity that makes the exit code 1 [default: error].
    #[arg(long, value_name = "LEVEL", value_parser = parse_severity)]
    pub fail_on: Option<Severity>,

    /// Print no colours even on a terminal (NO_COLOR is honoured too).
    #[arg(long)]
    pub no_color: bool,

    /// No progress line and no notes on stderr: findings and errors only.
    ///
    /// The progress line is drawn only when stderr is a terminal and a run takes over half a
    /// second.
    #[arg(long, short)]
    pub quiet: bool,

    /// Report only findings that are not in this baseline file.
    ///
    /// Findings are matched by fingerprint (rule, file, message and the text of the line), so
    /// unrelated edits that shift lines don't resurface them.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,

    /// Record every current finding in FILE and exit 0 (unless a file could not be checked).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// After the findings, list every statement not checked in full: its location and why
    /// (built at run time, for another database, did not parse).
    #[arg(long)]
    pub list_unchecked: bool,

    /// Check only files changed since a git revision (plus untracked files).
    ///
    /// When a schema file, a migration or schemalint.toml changed, everything is checked.
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    match s {
        "info" => Ok(Severity::Info),
        "warning" => Ok(Severity::Warning),
        "error" => Ok(Severity::Error),
        _ => Err(format!("expected info, warning or error, not `{s}`")),
    }
}
