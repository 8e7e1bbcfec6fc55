//! `schemalint.toml`: serde types, discovery (walk up from the working directory) and
//! validation. Errors point into the TOML file.

pub mod edit;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostic::Severity;

pub use crate::extract::SourcesConfig;
pub use crate::rules::RuleLevel;
pub use crate::walk::CONFIG_FILE as FILE_NAME;

/// No config is this large; the limit keeps `--config /dev/zero`-like mistakes bounded.
const MAX_CONFIG_SIZE: u64 = 1024 * 1024;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub schema: SchemaConfig,
    /// `table`, `table.column` or `schema.table[.column]` = reason.
    #[serde(default)]
    pub banned: BTreeMap<String, String>,
    /// Rule name = `off | info | warning | error`.
    #[serde(default)]
    pub rules: BTreeMap<String, RuleLevel>,
    #[serde(default)]
    pub sources: SourcesConfig,
    /// The lowest severity that makes `check` exit 1 (default `error`).
    #[serde(default)]
    pub fail_on: Option<Severity>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SchemaConfig {
    /// DDL files, migration folders and snapshots, applied in order. Relative to the config file.
    #[serde(default)]
    pub paths: Vec<PathBuf>,
    /// Schemas searched for unqualified names; default `["public"]`.
    #[serde(default)]
    pub search_path: Option<Vec<String>>,
    /// Name of an environment variable holding the database URL (e.g. `DATABASE_URL`).
    #[serde(default)]
    pub database_url_env: Option<String>,
    /// Seconds to wait for a database connection (default 10).
    #[serde(default)]
    pub connect_timeout: Option<u64>,
    /// Seconds to wait for each reply once connected (default 60).
    #[serde(default)]
    pub query_timeout: Option<u64>,
    /// The PostgreSQL major version statements are judged by (default: the live database's
    /// or the snapshot's, else the newest stable major).
    #[serde(default)]
    pub postgres_version: Option<u32>,
    /// Schemas that exist in the database but not in the schema sources: names qualified
    /// with them are not judged.
    #[serde(default)]
    pub external_schemas: Vec<String>,
}

/// A config file that was read, with its text kept for error reporting.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub config: Config,
    /// The file it came from; `None` when no config file was found (defaults).
    pub path: Option<PathBuf>,
}

impl LoadedConfig {
    /// The directory that relative paths in the config are resolved against.
    pub fn base_dir(&self) -> Option<&Path> {
        self.path.as_deref().and_then(Path::parent)
    }
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ConfigError {
    /// The config file could not be read.
    #[error("could not read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The config file is not a regular file, or too large.
    #[error(transparent)]
    File(#[from] crate::user_file::FileError),
    /// The config file is not valid TOML or has unknown keys or bad values.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(Box<InvalidConfig>),
}

/// A config file that parsed badly, with the text so that the error can point into it.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("invalid config {path}: {message}")]
pub struct InvalidConfig {
    pub path: PathBuf,
    pub message: String,
    #[source_code]
    src: miette::NamedSource<String>,
    #[label("here")]
    span: Option<miette::SourceSpan>,
}

/// The value of an environment variable, or else of the same name in the project's `.env.local`
/// or `.env` (in `dir`, the config's directory), read as sqlx-cli and most node tooling read
/// them: the real environment always wins, `.env.local` over `.env`, and nothing is exported.
/// An empty value counts as unset.
pub fn env_var(name: &str, dir: &Path) -> Option<String> {
    if let Ok(v) = std::env::var(name) {
        return Some(v).filter(|v| !v.is_empty());
    }
    [".env.local", ".env"].iter().find_map(|file| {
        let path = dir.join(file);
        if !path.is_file() {
            return None;
        }
        // A malformed line ends the search in that file: what could be read is used.
        dotenvy::from_path_iter(&path)
            .ok()?
            .map_while(Result::ok)
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
            .filter(|v| !v.is_empty())
    })
}

/// Find `schemalint.toml` in `start` or the nearest ancestor.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// Read and validate a config file.
pub fn load(path: &Path) -> Result<LoadedConfig, ConfigError> {
    let bytes = crate::user_file::read_regular(path, MAX_CONFIG_SIZE)?;
    let text = String::from_utf8(bytes)
        .map(crate::user_file::strip_bom)
        .map_err(|_| {
            ConfigError::Invalid(Box::new(InvalidConfig {
                path: path.to_path_buf(),
                message: "file is not valid UTF-8".into(),
                src: miette::NamedSource::new(path.display().to_string(), String::new()),
                span: None,
            }))
        })?;
    parse(path, text)
}

/// Parse config text; `path` names it in errors.
pub fn parse(path: &Path, text: String) -> Result<LoadedConfig, ConfigError> {
    let invalid = |message: String, span: Option<std::ops::Range<usize>>, text: String| {
        ConfigError::Invalid(Box::new(InvalidConfig {
            path: path.to_path_buf(),
            message,
            src: miette::NamedSource::new(path.display().to_string(), text),
            span: span.map(|r| (r.start, r.end.saturating_sub(r.start)).into()),
        }))
    };
    let config: Config = match toml::from_str(&text) {
        Ok(c) => c,
        Err(e) => return Err(invalid(with_key_hint(e.message()), e.span(), text)),
    };
    for name in config.rules.keys() {
        if let Err(message) = name.parse::<crate::rules::RuleId>() {
            let span = find_key(&text, name);
            return Err(invalid(message, span, text));
        }
    }
    if let Some(v) = config.schema.postgres_version {
        if !(10..=99).contains(&v) {
            let span = find_key(&text, "postgres-version");
            return Err(invalid(
                format!("postgres-version {v} is not a PostgreSQL major version (10 or newer)"),
                span,
                text,
            ));
        }
    }
    for entry in config.schema.search_path.iter().flatten() {
        if entry.trim().is_empty() {
            let span = find_key(&text, "search-path");
            return Err(invalid(
                "search-path entries must be schema names; an empty one is not".into(),
                span,
                text,
            ));
        }
    }
    for key in config.banned.keys() {
        if key.is_empty() || key.split('.').count() > 3 || key.split('.').any(str::is_empty) {
            let span = find_key(&text, key);
            return Err(invalid(
                format!(
                    "banned entry `{key}` must be `table`, `table.column` or `schema.table.column`"
                ),
                span,
                text,
            ));
        }
    }
    Ok(LoadedConfig {
        config,
        path: Some(path.to_path_buf()),
    })
}

/// Top-level keys: a common slip is to write one after a `[table]` header, where TOML reads it
/// as part of that table.
const TOP_LEVEL_KEYS: &[&str] = &["fail-on"];

/// serde's "unknown field `pathz`, expected one of `paths`, ..." with a "did you mean" for a
/// close key, or the hint that a top-level key was written inside a table.
fn with_key_hint(message: &str) -> String {
    let backticked = |s: &str| -> Vec<String> {
        s.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    let Some(rest) = message.strip_prefix("unknown field ") else {
        return message.to_string();
    };
    let names = backticked(rest);
    let Some((unknown, expected)) = names.split_first() else {
        return message.to_string();
    };
    if TOP_LEVEL_KEYS.contains(&unknown.as_str()) {
        return format!(
            "{message}\n`{unknown}` is a top-level key: move it above the first `[table]` header"
        );
    }
    let closest = expected
        .iter()
        .map(|k| (strsim::damerau_levenshtein(unknown, k), k))
        .filter(|&(d, k)| d <= 2.max(k.len() / 4))
        .min();
    match closest {
        Some((_, k)) => format!("{message} (did you mean `{k}`?)"),
        None => message.to_string(),
    }
}

fn find_key(text: &str, key: &str) -> Option<std::ops::Range<usize>> {
    let quoted = format!("\"{key}\"");
    let at = text.find(&quoted).or_else(|| {
        text.match_indices(key)
            .find(|(i, _)| text[..*i].ends_with('\n') || *i == 0)
            .map(|(i, _)| i)
    })?;
    let len = if text[at..].starts_with('"') {
        quoted.len()
    } else {
        key.len()
    };
    Some(at..at + len)
}
