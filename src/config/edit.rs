//! Editing `schemalint.toml` in place (`report --write-config`): adds `[banned]` entries and
//! keeps everything else (comments, formatting, key order, other tables) byte for byte, via
//! `toml_edit`. The result must load with the config loader before it replaces the file,
//! atomically; nothing else of the config is ever changed.

use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item, Table, Value};

use crate::schema::Ident;

/// Why the config was not changed. In every case the file is left as it was.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// The config could not be read (missing, not a regular file, too large).
    #[error(transparent)]
    File(#[from] crate::user_file::FileError),
    /// The config is not UTF-8 or not TOML that `toml_edit` can keep as written.
    #[error("{path} is not valid TOML, not changed: {message}")]
    Invalid { path: PathBuf, message: String },
    /// The config is TOML, but not a config the loader accepts.
    #[error("{path} is not a valid config, not changed: {message}")]
    Config { path: PathBuf, message: String },
    /// `banned` is there but is not a table (`banned = "..."`).
    #[error("{path}: `banned` is not a table, not changed")]
    NotATable { path: PathBuf },
    /// The file is read-only (its mode says so): replacing it would defeat that.
    #[error("{path} is read-only, not changed")]
    ReadOnly { path: PathBuf },
    /// Writing the new file failed (the directory is read-only, the disk is full).
    #[error("could not write {path}, not changed: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What [`add_banned`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BannedEdit {
    /// The entries written: key and reason, in the order given.
    pub added: Vec<(String, String)>,
    /// Keys already in `[banned]` (the same key, or the same name folded as an unquoted
    /// identifier): the existing entry wins, whatever its reason.
    pub kept: Vec<String>,
}

/// No config is this large (as in the loader).
const MAX_CONFIG_SIZE: u64 = 1024 * 1024;

/// Add `entries` (key = reason, in the value shape of `[banned]`: a reason string) to the
/// `[banned]` table of the config at `path`: into the existing table (a `[banned]` header, an
/// inline `banned = { ... }` or dotted `banned.x = ...` keys), else a new `[banned]` table at
/// the end. Keys already present are kept as they are. Nothing is written when nothing is
/// new.
pub fn add_banned(path: &Path, entries: &[(String, String)]) -> Result<BannedEdit, EditError> {
    let meta = std::fs::metadata(path).map_err(|source| crate::user_file::FileError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let bytes = crate::user_file::read_regular(path, MAX_CONFIG_SIZE)?;
    let invalid = |message: String| EditError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    let text = String::from_utf8(bytes).map_err(|_| invalid("file is not valid UTF-8".into()))?;
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text.as_str()),
    };
    // The file must be a config the loader accepts before it is touched.
    super::parse(path, body.to_string()).map_err(|e| EditError::Config {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let mut doc: DocumentMut = body
        .parse()
        .map_err(|e: toml_edit::TomlError| invalid(e.message().to_string()))?;
    // A file written with CRLF throughout gets CRLF in the new lines too.
    let crlf = body.contains("\r\n") && body.matches('\n').count() == body.matches("\r\n").count();
    let newline = if crlf { "\r\n" } else { "\n" };

    let mut edit = BannedEdit::default();
    let existing: Vec<String> = match doc.get("banned") {
        None => Vec::new(),
        Some(item) => match banned_keys(item) {
            Some(keys) => keys,
            None => {
                return Err(EditError::NotATable {
                    path: path.to_path_buf(),
                })
            }
        },
    };
    let mut fresh: Vec<(String, String)> = Vec::new();
    for (key, reason) in entries {
        let taken = existing
            .iter()
            .chain(fresh.iter().map(|(k, _)| k))
            .any(|k| same_key(k, key));
        if taken {
            edit.kept.push(key.clone());
        } else {
            fresh.push((key.clone(), reason.clone()));
        }
    }
    if fresh.is_empty() {
        return Ok(edit);
    }
    if meta.permissions().readonly() {
        return Err(EditError::ReadOnly {
            path: path.to_path_buf(),
        });
    }

    match doc.get_mut("banned") {
        None => {
            let mut table = Table::new();
            for (key, reason) in &fresh {
                table.insert(key, toml_edit::value(reason.as_str()));
            }
            // A blank line before the new header, unless the file is empty.
            let prefix = if body.trim().is_empty() { "" } else { newline };
            table.decor_mut().set_prefix(prefix);
            doc.insert("banned", Item::Table(table));
        }
        Some(Item::Table(table)) => {
            for (key, reason) in &fresh {
                table.insert(key, toml_edit::value(reason.as_str()));
            }
        }
        Some(Item::Value(Value::InlineTable(table))) => {
            for (key, reason) in &fresh {
                // `{ a = "x" }` + b: the space before `}` moves to the new last value, so
                // the result reads `{ a = "x", b = "y" }`.
                let closing = table.iter_mut().last().map(|(_, v)| {
                    let suffix = v.decor().suffix().cloned();
                    v.decor_mut().set_suffix("");
                    suffix
                });
                table.insert(key, Value::from(reason.as_str()));
                if let (Some(Some(suffix)), Some(v)) = (closing, table.get_mut(key)) {
                    v.decor_mut().set_suffix(suffix);
                }
            }
        }
        Some(_) => {
            return Err(EditError::NotATable {
                path: path.to_path_buf(),
            })
        }
    }
    let mut out = doc.to_string();
    if !out.ends_with('\n') {
        out.push_str(newline);
    }
    if crlf {
        // New lines come out as LF: match the file's CRLF without doubling existing ones.
        out = out.replace("\r\n", "\n").replace('\n', "\r\n");
    }
    // What is written must load, with every entry there: checked before the file is replaced.
    let reloaded = super::parse(path, out.clone()).map_err(|e| EditError::Config {
        path: path.to_path_buf(),
        message: format!("the edited config would not load ({e})"),
    })?;
    for (key, reason) in &fresh {
        if reloaded.config.banned.get(key) != Some(reason) {
            return Err(EditError::Config {
                path: path.to_path_buf(),
                message: format!("the edited config would not hold `{key}`"),
            });
        }
    }
    crate::atomic::write(path, format!("{bom}{out}").as_bytes()).map_err(|source| {
        EditError::Write {
            path: path.to_path_buf(),
            source,
        }
    })?;
    edit.added = fresh;
    Ok(edit)
}

/// The keys of a `banned` item that is a table (standard, dotted or inline).
fn banned_keys(item: &Item) -> Option<Vec<String>> {
    match item {
        Item::Table(t) => Some(t.iter().map(|(k, _)| k.to_string()).collect()),
        Item::Value(Value::InlineTable(t)) => Some(t.iter().map(|(k, _)| k.to_string()).collect()),
        _ => None,
    }
}

/// `media` and `Media` name the same table (the loader folds keys like unquoted identifiers).
fn same_key(a: &str, b: &str) -> bool {
    let parts = |s: &str| s.split('.').map(Ident::unquoted).collect::<Vec<_>>();
    parts(a) == parts(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(k: &str, r: &str) -> (String, String) {
        (k.to_string(), r.to_string())
    }

    fn edit(text: &str, entries: &[(String, String)]) -> (String, BannedEdit) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("schemalint.toml");
        std::fs::write(&path, text).unwrap();
        let done = add_banned(&path, entries).unwrap();
        (std::fs::read_to_string(&path).unwrap(), done)
    }

    #[test]
    fn a_new_table_goes_at_the_end_and_comments_stay() {
        let text = "# project config\n[schema]\npaths = [\"db\"] # the dump\n\n# rules\n[rules]\nunknown-column = \"warning\"\n";
        let (out, done) = edit(text, &[entry("media", "empty (schemalint report)")]);
        assert_eq!(
            out,
            format!("{text}\n[banned]\nmedia = \"empty (schemalint report)\"\n")
        );
        assert_eq!(done.added.len(), 1);
    }

    #[test]
    fn an_existing_table_gets_the_new_keys_and_an_existing_key_wins() {
        let text = "[banned]\n# why\nMedia = \"legacy\" # keep\n\n[schema]\npaths = []\n";
        let (out, done) = edit(
            text,
            &[entry("media", "new reason"), entry("public.old", "gone")],
        );
        assert_eq!(
            out,
            "[banned]\n# why\nMedia = \"legacy\" # keep\n\"public.old\" = \"gone\"\n\n[schema]\npaths = []\n"
        );
        assert_eq!(done.kept, ["media"]);
        assert_eq!(done.added, [entry("public.old", "gone")]);
    }

    #[test]
    fn inline_and_dotted_tables_are_extended_in_place() {
        let (out, _) = edit(
            "banned = { media = \"legacy\" }\n[schema]\npaths = []\n",
            &[entry("old", "gone")],
        );
        assert_eq!(
            out,
            "banned = { media = \"legacy\", old = \"gone\" }\n[schema]\npaths = []\n"
        );
        let (out, _) = edit("banned.media = \"legacy\"\n", &[entry("old", "gone")]);
        let loaded = crate::config::parse(Path::new("x"), out.clone()).unwrap();
        assert_eq!(loaded.config.banned.len(), 2, "{out}");
        assert!(out.starts_with("banned.media = \"legacy\"\n"), "{out}");
    }

    #[test]
    fn nothing_new_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("schemalint.toml");
        std::fs::write(&path, "[banned]\nmedia = \"x\"\n").unwrap();
        let before = std::fs::metadata(&path).unwrap().modified().unwrap();
        let done = add_banned(&path, &[entry("media", "y")]).unwrap();
        assert!(done.added.is_empty());
        assert_eq!(
            std::fs::metadata(&path).unwrap().modified().unwrap(),
            before
        );
    }

    #[test]
    fn bad_toml_a_bad_config_and_a_read_only_file_are_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("schemalint.toml");
        for (text, want) in [
            ("[schema\npaths = []\n", "not a valid config"),
            ("[schema]\npathz = []\n", "not a valid config"),
            ("banned = 3\n", "not a valid config"),
        ] {
            std::fs::write(&path, text).unwrap();
            let err = add_banned(&path, &[entry("media", "x")]).unwrap_err();
            assert!(err.to_string().contains(want), "{text}: {err}");
            assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::write(&path, "[schema]\npaths = []\n").unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
            let err = add_banned(&path, &[entry("media", "x")]).unwrap_err();
            assert!(matches!(err, EditError::ReadOnly { .. }), "{err}");
            assert_eq!(
                std::fs::read_to_string(&path).unwrap(),
                "[schema]\npaths = []\n"
            );
        }
    }

    #[test]
    fn crlf_and_a_byte_order_mark_are_kept() {
        let (out, _) = edit("\u{feff}[schema]\r\npaths = []\r\n", &[entry("media", "x")]);
        assert_eq!(
            out,
            "\u{feff}[schema]\r\npaths = []\r\n\r\n[banned]\r\nmedia = \"x\"\r\n"
        );
    }
}
