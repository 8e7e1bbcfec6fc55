//! `schemalint.toml`: serde types, discovery (walk up from the working directory) and
//! validation. Errors point into the TOML file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostic::Severity;

pub const FILE_NAME: &str = "schemalint.toml";

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
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SourcesConfig {
    /// Extra tagged-template names whose templates hold SQL (`sql` is always one).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Extra function or method names whose first argument is SQL (`query`, `execute`, ...).
    #[serde(default)]
    pub functions: Vec<String>,
    /// Globs of files to scan (default: every supported extension).
    #[serde(default)]
    pub include: Vec<String>,
    /// Globs of files to skip, on top of `.gitignore`.
    #[serde(default)]
    pub exclude: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleLevel {
    Off,
    Info,
    Warning,
    Error,
}

impl RuleLevel {
    pub fn severity(self) -> Option<Severity> {
        match self {
            RuleLevel::Off => None,
            RuleLevel::Info => Some(Severity::Info),
            RuleLevel::Warning => Some(Severity::Warning),
            RuleLevel::Error => Some(Severity::Error),
        }
    }
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
        Err(e) => return Err(invalid(e.message().to_string(), e.span(), text)),
    };
    for name in config.rules.keys() {
        if !crate::rules::is_known_rule(name) {
            let span = find_key(&text, name);
            return Err(invalid(format!("unknown rule `{name}`"), span, text));
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
