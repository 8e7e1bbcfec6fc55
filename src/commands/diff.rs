//! `schemalint diff A B`: the drift between two schemas (files, snapshots, live databases).

use std::path::{Path, PathBuf};

use miette::{miette, Report as Error};

use super::schema_source::connect_options;
use super::Outcome;
use crate::render::{self, Format};
use crate::schema::{self, Ident};

/// A schema named on the `diff` command line: a connection string (a URL or libpq
/// key=value pairs), `$NAME` for one in the environment, or a path. A connection string is
/// never echoed, not even as a path that does not exist.
fn load_any(spec: &str, timeouts: (Option<u64>, Option<u64>)) -> Result<schema::Schema, Error> {
    if schema::conninfo::looks_like_connection_string(spec) {
        let opts = connect_options(spec.to_string(), timeouts, &[Ident::from("public")]);
        return schema::live::introspect(&opts).map_err(|e| miette!("{e}"));
    }
    if let Some(name) = spec.strip_prefix('$') {
        let url =
            std::env::var(name).map_err(|_| miette!("environment variable {name} is not set"))?;
        return load_any(&url, timeouts);
    }
    let path = Path::new(spec);
    if !path.exists() && (spec.contains('=') || spec.contains("://") || spec.contains('@')) {
        // Not a path we can read, and it may hold a secret: say so without its text.
        return Err(miette!(
            help = "a connection string is a postgres:// URL or libpq key=value pairs such as `host=... dbname=...`",
            "schema source (not shown) is neither an existing path nor a connection string"
        ));
    }
    let loaded = schema::load_ddl_paths(&[PathBuf::from(spec)], &[Ident::from("public")])
        .map_err(|e| miette!("{e}"))?;
    for w in &loaded.warnings {
        let line = format!("{}: {}", render::display_path(&w.file), w.message);
        eprintln!("warning: {}", render::escape_terminal(&line, false));
    }
    Ok(loaded.schema)
}

pub fn run(
    a: &str,
    b: &str,
    format: Format,
    connect_timeout: Option<u64>,
    query_timeout: Option<u64>,
) -> Result<Outcome, Error> {
    let timeouts = (connect_timeout, query_timeout);
    let (sa, sb) = (load_any(a, timeouts)?, load_any(b, timeouts)?);
    let changes = schema::diff::diff(&sa, &sb);
    let text = match format {
        Format::Json => {
            let v = serde_json::json!({ "version": 1, "drift": !changes.is_empty(), "changes": changes });
            serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
        }
        _ => {
            if changes.is_empty() {
                "No drift: the schemas match.\n".to_string()
            } else {
                let shown_b = if schema::conninfo::looks_like_connection_string(b) {
                    schema::live::display_connection(b)
                } else {
                    b.to_string()
                };
                format!(
                    "{}\n{} difference(s). If {shown_b} is right, refresh the snapshot with:\n  schemalint snapshot --schema <source> -o <snapshot.json>\n  (or --database-url-env DATABASE_URL for a database)\n",
                    schema::diff::render_human(&changes),
                    changes.len(),
                )
            }
        }
    };
    render::write_stdout(&text).map_err(|e| miette!("could not write output: {e}"))?;
    Ok(if changes.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}
