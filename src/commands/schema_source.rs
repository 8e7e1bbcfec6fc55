//! Where the schema comes from (the one precedence rule: command line, then `[schema] paths`,
//! then the config's database URL), loading it, and the description the summary line shows.

use std::path::PathBuf;

use miette::{miette, Report as Error};

use super::plan::{project_dir, CheckPlan};
use crate::cli::CheckArgs;
use crate::config;
use crate::render;
use crate::schema::{self, Ident, LoadedSchema};

/// Where the schema comes from, by the one precedence rule (README, "Schema sources"):
/// the command line (`--schema`, then `--database-url[-env]`) over `[schema] paths` over the
/// config's `database-url-env`. A URL in the environment never silently replaces configured
/// paths; `--verify` asks the database beside them.
pub fn database_url(args: &CheckArgs, plan: &CheckPlan) -> Result<Option<String>, Error> {
    if !args.source.schema.is_empty() {
        return Ok(None);
    }
    if args.source.database_url.is_some() || args.source.database_url_env.is_some() {
        return named_database_url(args, plan);
    }
    if !plan.schema_paths.is_empty() {
        return Ok(None);
    }
    named_database_url(args, plan)
}

/// The database named by `--database-url`, `--database-url-env` or the config (the variable
/// from the environment, or from the project's `.env.local`/`.env`). `--verify` asks it even
/// when files give the schema (checking against the migrations and verifying against a
/// database is a sensible pair).
pub fn named_database_url(args: &CheckArgs, plan: &CheckPlan) -> Result<Option<String>, Error> {
    if let Some(url) = &args.source.database_url {
        return Ok(Some(url.clone()));
    }
    let dir = project_dir(plan);
    if let Some(name) = &args.source.database_url_env {
        return config::env_var(name, &dir).map(Some).ok_or_else(|| {
            miette!("environment variable {name} (from --database-url-env) is not set")
        });
    }
    let name = plan.config.config.schema.database_url_env.as_ref();
    Ok(name.and_then(|name| config::env_var(name, &dir)))
}

/// Connection settings: the connect timeout and the query timeout (`--connect-timeout`,
/// `--query-timeout`, else the config's, else the defaults) and the search path.
pub fn connect_options(
    url: String,
    timeouts: (Option<u64>, Option<u64>),
    search_path: &[Ident],
) -> schema::live::ConnectOptions {
    let mut opts = schema::live::ConnectOptions::new(url);
    if let Some(t) = timeouts.0 {
        opts.connect_timeout = std::time::Duration::from_secs(t.max(1));
    }
    if let Some(t) = timeouts.1 {
        opts = opts.with_query_timeout(std::time::Duration::from_secs(t.max(1)));
    }
    opts.search_path = search_path.to_vec();
    opts
}

/// `--connect-timeout`/`--query-timeout`, falling back to `[schema]`.
pub fn timeouts(args: &CheckArgs, plan: &CheckPlan) -> (Option<u64>, Option<u64>) {
    let schema = &plan.config.config.schema;
    (
        args.source.connect_timeout.or(schema.connect_timeout),
        args.source.query_timeout.or(schema.query_timeout),
    )
}

/// The schema for `check`, `unused` and `snapshot`: a live database or DDL/snapshot files,
/// with the config's version and external schemas, and a description of the source for the
/// summary line.
pub fn load_schema(args: &CheckArgs, plan: &CheckPlan) -> Result<SchemaWithSource, Error> {
    let (mut loaded, source) = load_schema_sources(args, plan)?;
    let config = &plan.config.config.schema;
    if config.postgres_version.is_some() {
        loaded.schema.postgres_version = config.postgres_version;
    }
    loaded.schema.external_schemas = config
        .external_schemas
        .iter()
        .map(|s| Ident::unquoted(s))
        .collect();
    Ok((loaded, source))
}

fn load_schema_sources(args: &CheckArgs, plan: &CheckPlan) -> Result<SchemaWithSource, Error> {
    if let Some(url) = database_url(args, plan)? {
        let source = format!("live database {}", schema::live::display_connection(&url));
        let opts = connect_options(url, timeouts(args, plan), &plan.search_path);
        let schema = schema::live::introspect(&opts).map_err(|e| miette!("{e}"))?;
        let loaded = LoadedSchema {
            schema,
            warnings: Vec::new(),
            files: Vec::new(),
        };
        return Ok((loaded, source));
    }
    if plan.schema_paths.is_empty() {
        return Err(miette!(
            help = "pass --schema db/schema.sql or --database-url-env DATABASE_URL, or set `[schema] paths` in schemalint.toml",
            "no schema to check against"
        ));
    }
    let loaded = schema::load_ddl_paths_in(
        &plan.schema_paths,
        &plan.search_path,
        plan.schema_root.as_deref(),
    )
    .map_err(|e| miette!("{e}"))?;
    let source = describe_paths(&plan.schema_paths, loaded.files.len());
    Ok((loaded, source))
}

/// `db/migrations (44 files)`, `db/schema.sql`, `a.sql, db/migrations (12 files)`.
pub fn describe_paths(paths: &[PathBuf], files: usize) -> String {
    let shown: Vec<String> = paths.iter().map(|p| render::display_path(p)).collect();
    if files == paths.len() && paths.iter().all(|p| p.is_file()) {
        shown.join(", ")
    } else {
        let noun = if files == 1 { "file" } else { "files" };
        format!("{} ({files} {noun})", shown.join(", "))
    }
}
/// A loaded schema and the description of where it came from, for the summary line.
pub type SchemaWithSource = (LoadedSchema, String);
