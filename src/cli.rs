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
    /// List tables and columns no scanned code uses, and banned tables still in use (the
    /// short form of `report`).
    Unused(UnusedArgs),
    /// Write the table consolidation plan: each table's status, look-alike tables, and what
    /// to ban or drop (suggested, never applied).
    Report(ReportArgs),
    /// Write the schema (from a database or DDL) as a deterministic JSON snapshot.
    Snapshot {
        #[command(flatten)]
        source: SchemaArgs,
        /// Where to write the snapshot (written atomically); `-` for standard output.
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
        /// Seconds to wait for each reply once connected [default: 60].
        #[arg(long, value_name = "SECONDS")]
        query_timeout: Option<u64>,
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

    #[command(flatten)]
    pub source: SchemaArgs,

    /// Also have the database prepare every statement (never executing it) and report
    /// what it refuses, marked as coming from the database.
    ///
    /// Needs --database-url or --database-url-env (or `[schema] database-url-env`). The
    /// statements are prepared in a read-only transaction that is rolled back.
    #[arg(long)]
    pub verify: bool,

    /// Output format (`--output-format` is accepted too, as in ruff).
    #[arg(long, alias = "output-format", value_enum, default_value = "human")]
    pub format: Format,

    /// Print how many findings each rule produced instead of the findings.
    #[arg(long)]
    pub statistics: bool,

    /// Exit 0 even when there are findings (a tool error still exits 2).
    #[arg(long)]
    pub exit_zero: bool,

    /// Print the settings each path would be checked with (config file, schema sources,
    /// search path, sources and rule levels) and exit, without checking.
    #[arg(long)]
    pub show_settings: bool,

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

    /// Write a `schemalint-ignore RULE -- TODO: say why this is correct` comment above each
    /// statement with findings (ruff's `--add-noqa`), then report only what could not be
    /// suppressed that way.
    ///
    /// For adopting schemalint on a codebase with known findings: the comments name the rule
    /// and ask for a reason, so each is reviewed in the diff. A comment goes on its own line
    /// above the line the statement starts on, never inside a string; a file whose SQL would
    /// change is left alone. Files are replaced atomically.
    #[arg(long, conflicts_with_all = ["baseline", "write_baseline", "statistics", "show_settings"])]
    pub add_suppressions: bool,

    /// Check only files changed since a git revision (plus untracked files).
    ///
    /// When a schema file, a migration or schemalint.toml changed, everything is checked.
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,
}

/// Where the schema comes from, for the commands that read one and nothing else (`snapshot`).
#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// A schema source: a pg_dump file, a DDL file or a migrations folder (repeatable).
    ///
    /// Overrides `[schema] paths` in schemalint.toml. Several sources are applied in order.
    #[arg(long = "schema", value_name = "PATH")]
    pub schema: Vec<PathBuf>,

    /// Read the schema from this live database instead of DDL files.
    ///
    /// A postgres:// URL or libpq key=value pairs (`host=... dbname=... sslmode=require`),
    /// Neon included. `sslmode` disable, allow, prefer (default), require, verify-ca and
    /// verify-full are honoured; `sslrootcert` adds a CA; PGHOST, PGPORT, PGDATABASE, PGUSER,
    /// PGSSLMODE and PGPASSWORD fill in what the string leaves out. Prefer
    /// --database-url-env: a URL on a command line can end up in shell history and logs.
    #[arg(long, value_name = "URL", conflicts_with = "database_url_env")]
    pub database_url: Option<String>,

    /// Read the database URL from this environment variable.
    #[arg(long, value_name = "NAME")]
    pub database_url_env: Option<String>,

    /// Seconds to wait for the database connection [default: 10].
    #[arg(long, value_name = "SECONDS")]
    pub connect_timeout: Option<u64>,

    /// Seconds to wait for each reply once connected (reading the schema, each batch of
    /// --verify) [default: 60].
    ///
    /// A server, proxy or network path that stops answering after login fails the run with a
    /// clear error instead of hanging it. The server's own statement timeout is kept below
    /// this (30 s, or three quarters of it), and statements wait at most a second for a
    /// locked table. Overrides `[schema] query-timeout`.
    #[arg(long, value_name = "SECONDS")]
    pub query_timeout: Option<u64>,

    /// Use this config file instead of looking for schemalint.toml.
    ///
    /// Without it, schemalint.toml is searched for in the first path and its ancestors, then in
    /// the working directory and its ancestors.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// `unused`: the paths to scan and the schema, without check's output and gate options.
#[derive(Debug, clap::Args)]
pub struct UnusedArgs {
    /// Files or directories to scan [default: the current directory].
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub source: SchemaArgs,

    /// No progress line on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `report`: the paths to scan, the schema and the output format.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Files or directories to scan [default: the current directory].
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub source: SchemaArgs,

    /// Output format: tables for people, a Markdown document for a pull request, or JSON.
    #[arg(long, value_enum, default_value = "human")]
    pub format: ReportFormat,

    /// Add the suggested `[banned]` lines to the governing schemalint.toml.
    ///
    /// Written atomically, keeping the file's comments, formatting and other keys; an entry
    /// already there wins. Prints what was added (or "nothing to add") on stderr.
    #[arg(long)]
    pub write_config: bool,

    /// No progress line on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// The formats of `schemalint report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// A table per section, for a terminal.
    Human,
    /// "Current situation / Problem / Solution", with code locations as relative links.
    Markdown,
    /// A stable JSON document (`"version": 1`).
    Json,
}

impl CheckArgs {
    /// The check options a command with fewer flags stands for: its own values, defaults for
    /// the rest (so `unused` and `snapshot` share check's planning without accepting, and
    /// silently ignoring, flags that mean nothing to them).
    pub fn from_schema(paths: Vec<PathBuf>, source: SchemaArgs, quiet: bool) -> CheckArgs {
        CheckArgs {
            paths,
            source,
            verify: false,
            format: Format::Human,
            statistics: false,
            exit_zero: false,
            show_settings: false,
            list_unchecked: false,
            add_suppressions: false,
            fail_on: None,
            no_color: false,
            quiet,
            baseline: None,
            write_baseline: None,
            changed_since: None,
        }
    }
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    match s {
        "info" => Ok(Severity::Info),
        "warning" => Ok(Severity::Warning),
        "error" => Ok(Severity::Error),
        _ => Err(format!("expected info, warning or error, not `{s}`")),
    }
}
