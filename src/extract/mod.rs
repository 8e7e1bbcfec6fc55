//! Host file → `Vec<EmbeddedSql>`: finds SQL text inside `.sql`, TypeScript/JavaScript and Rust
//! files and keeps a map from every byte of the SQL back to the host file. Knows the host
//! languages' syntax, nothing about SQL beyond where a statement ends.

mod packages;
pub mod placeholders;
pub mod rust;
pub mod splice;
pub mod sql;
pub mod typescript;

use std::path::{Path, PathBuf};

use crate::diagnostic::Span;
pub use crate::walk::Language;

/// How sure extraction is that a piece of text is SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    /// A plain string that merely looks like SQL: checked only if it parses as a full statement,
    /// and a parse failure is never reported.
    Guess,
    /// The context says SQL: a `.sql` file, a `sql` tagged template, the first argument of
    /// `client.query(...)`, `sqlx::query!`. A parse failure is reported (`sql-syntax`).
    Certain,
}

/// One SQL statement (or a string that may hold several) found in a host file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedSql {
    /// The SQL as the database would receive it; interpolations are `$n` placeholders.
    pub text: String,
    /// Maps byte offsets in `text` to byte offsets in the host file.
    pub map: OffsetMap,
    pub confidence: Confidence,
    /// Host spans of parts that are only known at run time (`${table}` in identifier position,
    /// a call result concatenated in). When non-empty, the statement is incomplete: it is checked
    /// only if it still parses, and otherwise reported as `dynamic-sql` at info level.
    pub dynamic: Vec<Span>,
    /// Set when the SQL lives in another file than the one scanned (`sqlx::query_file!`);
    /// the map then points into that file.
    pub host_file: Option<PathBuf>,
    /// Run-time values pasted into the SQL *text* (a plain template literal's `${x}`, `"..." +
    /// x`, a `format!` hole), as opposed to bind parameters (a tagged template's `${x}`). In
    /// `text` each stands as a placeholder so the rest can be checked, but the statement is not
    /// the text the database receives: it is never sent to `--verify` as it is.
    pub spliced: Vec<Splice>,
    /// Set when the SQL is for another database than Postgres (the file imports
    /// `better-sqlite3`, the statement uses `?` placeholders): the reason, e.g. "this file
    /// imports `mysql2` (MySQL)". Such SQL is not checked, and the summary counts it.
    pub other_database: Option<String>,
}

/// A value pasted into SQL text at run time (see [`EmbeddedSql::spliced`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Splice {
    /// Where the pasted expression is in the host file (`${id}`, `+ id`, `{id}`).
    pub host: Span,
    /// The byte range of `EmbeddedSql::text` that stands for it.
    pub sql_start: u32,
    pub sql_end: u32,
    /// What is pasted, as far as extraction can tell.
    pub kind: SpliceKind,
}

/// What a [`Splice`] pastes into the SQL text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpliceKind {
    /// A run-time value (`${id}`, `+ userId`): an injection hole where a parameter would do.
    Value,
    /// A literal or a constant whose value is known to be fixed (`${LIMIT}`, `${'users'}`).
    Constant,
    /// A list or clause built at run time (`${fields.join(', ')}`, `${placeholders}`): the
    /// statement's shape is only known at run time.
    Fragment,
}

impl EmbeddedSql {
    /// SQL that appears verbatim in the host at `host_start` (a `.sql` file, a raw string).
    pub fn verbatim(text: impl Into<String>, host_start: u32, confidence: Confidence) -> Self {
        EmbeddedSql {
            text: text.into(),
            map: OffsetMap::identity(host_start),
            confidence,
            dynamic: Vec::new(),
            host_file: None,
            spliced: Vec::new(),
            other_database: None,
        }
    }

    /// The host span of a byte range of `text`.
    pub fn host_span(&self, start: u32, end: u32) -> Span {
        let s = self.map.to_host(start);
        let e = if end > start {
            self.map.to_host(end - 1) + 1
        } else {
            s
        };
        Span::new(s, e.max(s))
    }

    /// The host span covering the whole statement.
    pub fn host_extent(&self) -> Span {
        self.host_span(0, self.text.len() as u32)
    }
}

/// A piecewise-linear map from SQL byte offsets to host byte offsets.
///
/// Each segment says "from SQL offset `sql` on, bytes map 1:1 starting at host offset `host`",
/// until the next segment. Escapes and concatenation start new segments, e.g. for the JS string
/// `'a\nb'` at host offset 10: SQL "a\nb" (3 bytes) maps with segments (0→11), (1→12), (2→14),
/// because the escape `\n` is two host bytes for one SQL byte.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OffsetMap {
    segments: Vec<(u32, u32)>,
}

impl OffsetMap {
    pub fn identity(host_start: u32) -> Self {
        OffsetMap {
            segments: vec![(0, host_start)],
        }
    }

    pub fn new() -> Self {
        OffsetMap::default()
    }

    /// Start a segment: SQL offset `sql` corresponds to host offset `host`. Segments must be
    /// pushed in increasing SQL order; a push at the same SQL offset replaces the previous one.
    pub fn push(&mut self, sql: u32, host: u32) {
        if let Some(last) = self.segments.last_mut() {
            if last.0 == sql {
                *last = (sql, host);
                return;
            }
            // Skip a segment that continues the previous one linearly.
            if host >= last.1 && host - last.1 == sql - last.0 {
                return;
            }
        }
        self.segments.push((sql, host));
    }

    pub fn to_host(&self, sql: u32) -> u32 {
        let i = self.segments.partition_point(|&(s, _)| s <= sql);
        match i.checked_sub(1).and_then(|i| self.segments.get(i)) {
            Some(&(s, h)) => h + (sql - s),
            None => self.segments.first().map_or(sql, |&(_, h)| h),
        }
    }

    /// Shift a map for a statement that starts `by` bytes into the text this map describes.
    pub fn slice(&self, from: u32) -> OffsetMap {
        let mut out = OffsetMap::new();
        out.push(0, self.to_host(from));
        for &(s, h) in &self.segments {
            if s > from {
                out.push(s - from, h);
            }
        }
        out
    }
}

/// Builds SQL text piece by piece from a host file, keeping the offset map exact.
#[derive(Debug, Default, Clone)]
pub struct SqlBuilder {
    pub text: String,
    pub map: OffsetMap,
    pub dynamic: Vec<Span>,
    pub spliced: Vec<Splice>,
}

impl SqlBuilder {
    /// Append text that appears verbatim in the host at `host` (maps 1:1).
    pub fn push_verbatim(&mut self, s: &str, host: u32) {
        if s.is_empty() {
            return;
        }
        self.map.push(self.text.len() as u32, host);
        self.text.push_str(s);
    }

    /// Append one decoded character that came from an escape sequence starting at `host`.
    pub fn push_decoded(&mut self, c: char, host: u32) {
        self.map.push(self.text.len() as u32, host);
        self.text.push(c);
    }

    /// Append a placeholder for a run-time value whose source is at `host`.
    pub fn push_placeholder(&mut self, text: &str, host: u32) {
        self.map.push(self.text.len() as u32, host);
        self.text.push_str(text);
    }

    /// Append string-literal source text `raw` found at host offset `host`, decoding escapes
    /// with `escape`: given the text after a backslash, it returns the decoded character (if
    /// any) and how many bytes the escape takes, backslash included. Each decoded character
    /// maps to where its escape starts; runs between escapes map 1:1.
    pub fn push_escaped(
        &mut self,
        raw: &str,
        host: u32,
        escape: impl Fn(&str) -> (Option<char>, usize),
    ) {
        let bytes = raw.as_bytes();
        let mut run_start = 0;
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] != b'\\' {
                i += 1;
                continue;
            }
            self.push_verbatim(&raw[run_start..i], host + run_start as u32);
            let (decoded, len) = escape(&raw[i + 1..]);
            if let Some(c) = decoded {
                self.push_decoded(c, host + i as u32);
            }
            i = (i + len.max(1)).min(bytes.len());
            run_start = i;
        }
        self.push_verbatim(&raw[run_start..], host + run_start as u32);
    }

    pub fn finish(self, confidence: Confidence) -> EmbeddedSql {
        EmbeddedSql {
            text: self.text,
            map: self.map,
            confidence,
            dynamic: self.dynamic,
            host_file: None,
            spliced: self.spliced,
            other_database: None,
        }
    }
}

/// Whether text starts like a SQL statement (after whitespace, comments and parentheses).
/// Used to tell SQL from other strings passed to `query(...)`-like functions.
/// The ASCII letters `text` starts with: a statement's first keyword, as written.
pub(crate) fn leading_word(text: &str) -> &str {
    let end = text
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    &text[..end]
}

pub(crate) fn starts_like_statement(text: &str) -> bool {
    let rest = skip_comments(text, true);
    let word = leading_word(rest);
    // SQL keywords are written `SELECT` or `select`; `Select a file ...` is prose.
    let one_case = word.chars().all(|c| c.is_ascii_uppercase())
        || word.chars().all(|c| c.is_ascii_lowercase());
    let upper = word.to_ascii_uppercase();
    // A transaction's statements may be a single word: `client.query('BEGIN')`, `'COMMIT;'`.
    let transaction = matches!(
        upper.as_str(),
        "BEGIN" | "START" | "COMMIT" | "ROLLBACK" | "SAVEPOINT" | "RELEASE"
    );
    let statement = transaction
        || matches!(
            upper.as_str(),
            "SELECT"
                | "INSERT"
                | "UPDATE"
                | "DELETE"
                | "WITH"
                | "MERGE"
                | "VALUES"
                | "TABLE"
                | "CREATE"
                | "ALTER"
                | "DROP"
                | "TRUNCATE"
                | "DO"
                | "COMMENT"
                | "GRANT"
                | "REVOKE"
                | "REFRESH"
        );
    one_case
        && statement
        && match rest[word.len()..].chars().next() {
            Some(c) => c.is_whitespace() || "(*$".contains(c) || (c == ';' && transaction),
            None => transaction,
        }
}

/// `text` after its leading whitespace and `--` / `/* */` comments (and opening parentheses
/// with `parens`): where its first statement's first word is.
pub(crate) fn skip_comments(text: &str, parens: bool) -> &str {
    let mut rest = text;
    loop {
        let t = rest.trim_start_matches(|c: char| c.is_whitespace() || (parens && c == '('));
        if let Some(after) = t.strip_prefix("--") {
            rest = after.split_once('\n').map_or("", |(_, r)| r);
        } else if let Some(after) = t.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, r)| r);
        } else {
            return t;
        }
    }
}

/// Stricter test for plain strings outside any SQL context: uppercase keywords as SQL is
/// usually written (`SELECT ... FROM`), so that prose such as "Select an image from the list"
/// or "delete from cache when ..." is never taken for SQL.
pub(crate) fn looks_like_sql_statement(text: &str) -> bool {
    let t = text.trim_start();
    // All-caps labels ("SELECT FROM LIST", "UPDATE FAILED, SET ...") are UI text; real
    // statements have lowercase names, digits or SQL punctuation such as `=`, `*`, `$1`.
    let sql_sign = t
        .chars()
        .any(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "=*()$:'".contains(c));
    if !sql_sign {
        return false;
    }
    let mut words = sql_words(t);
    match words.next() {
        Some("SELECT") => words.any(|w| w == "FROM"),
        Some("INSERT") => words.next() == Some("INTO"),
        Some("UPDATE") => words.any(|w| w == "SET"),
        Some("DELETE") => words.next() == Some("FROM"),
        // `WITH name AS (` ... `SELECT`
        Some("WITH") => {
            let mut prev = "";
            let cte = words.any(|w| std::mem::replace(&mut prev, w) == "AS" && w == "(");
            cte && words.any(|w| w == "SELECT")
        }
        _ => false,
    }
}

/// The words of a text (runs of letters, digits and `_`) and its `(`s, in order: enough to
/// tell `WITH x AS (SELECT` from prose, whatever whitespace separates them.
fn sql_words(text: &str) -> impl Iterator<Item = &str> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut rest = text;
    std::iter::from_fn(move || {
        let start = rest.find(|c: char| is_word(c) || c == '(')?;
        rest = &rest[start..];
        let end = if rest.starts_with('(') {
            1
        } else {
            rest.find(|c: char| !is_word(c)).unwrap_or(rest.len())
        };
        let (token, tail) = rest.split_at(end);
        rest = tail;
        Some(token)
    })
}

/// Problems that stop a file from being scanned at all.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The host file does not parse, so no SQL could be found in it.
    #[error("could not parse {language}: {message}")]
    HostSyntax {
        language: &'static str,
        message: String,
    },
    /// A `query_file!` names a file outside the project (or a link out of it).
    #[error("query_file!: {0}")]
    QueryFile(String),
    /// Brackets nest deeper than any real code; parsing it could exhaust the stack.
    #[error("brackets nest {0} levels deep; the file was not parsed (the limit is {MAX_NESTING})")]
    TooDeep(usize),
}

/// Bracket nesting beyond this is refused before parsing. Real code rarely passes 50.
pub const MAX_NESTING: usize = 1000;

/// [`max_nesting`] when it is beyond [`MAX_NESTING`], else `None`; by 64-byte chunks, with a
/// bound on the depth rather than the depth. Inside a chunk the depth is at most the bound
/// before it plus the chunk's opening brackets; after it, at most that less its closing
/// brackets, and never more than its opening brackets (the depth cannot go below 0, so what
/// a chunk ends at is what its last opening brackets left). Only when the bound reaches the
/// limit does the exact walk decide. The counting loop is vector code; the exact walk of
/// every chunk with more closing brackets than the depth before it (most chunks of real
/// code) was 46M instructions on the 1M-line benchmark tree.
fn nesting_beyond_limit(text: &str) -> Option<usize> {
    let mut bound = 0usize;
    for chunk in text.as_bytes().chunks(64) {
        // At most 64 of each: u8 lanes.
        let open = chunk.iter().fold(0u8, |n, &b| {
            n + u8::from(b == b'(') + u8::from(b == b'[') + u8::from(b == b'{')
        }) as usize;
        let close = chunk.iter().fold(0u8, |n, &b| {
            n + u8::from(b == b')') + u8::from(b == b']') + u8::from(b == b'}')
        }) as usize;
        if bound + open > MAX_NESTING {
            let deepest = max_nesting(text);
            return (deepest > MAX_NESTING).then_some(deepest);
        }
        bound = (bound + open).saturating_sub(close).max(open);
    }
    None
}

/// The deepest bracket nesting in a text (a cheap, string-unaware upper bound).
fn max_nesting(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for b in text.bytes() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Extract every SQL statement from one host file. `path` is the scanned file (for resolving
/// `query_file!` paths); `options` adds tag and function names from the config. Paths to
/// Rust constants are resolved within the file alone; [`extract_parts`] and
/// [`rust::crates::link_files`] resolve them crate-wide.
pub fn extract(
    path: &Path,
    language: Language,
    text: &str,
    options: &SourcesConfig,
) -> Result<Vec<EmbeddedSql>, ExtractError> {
    let parts = extract_parts(path, language, text, options)?;
    let Some(facts) = parts.facts else {
        return Ok(parts.embedded);
    };
    let mut files = vec![rust::crates::LinkFile {
        path: path.to_path_buf(),
        embedded: parts.embedded,
        facts: Some(facts),
        notes: Vec::new(),
    }];
    rust::crates::link_files(&mut files, &rust::crates::Layout::Single);
    Ok(std::mem::take(&mut files[0].embedded))
}

/// One file's extraction before the crate-level pass: its SQL, and for Rust the constants,
/// imports and references that pass resolves.
#[derive(Debug, Default)]
pub struct Extraction {
    pub embedded: Vec<EmbeddedSql>,
    pub facts: Option<rust::Facts>,
}

/// [`extract`] without resolving Rust paths: the per-file phase, run in parallel.
pub fn extract_parts(
    path: &Path,
    language: Language,
    text: &str,
    options: &SourcesConfig,
) -> Result<Extraction, ExtractError> {
    // Cheap byte scans first: most code files hold no SQL and are never parsed.
    let plain = |embedded| {
        Ok(Extraction {
            embedded,
            facts: None,
        })
    };
    let might_hold_sql = match language {
        Language::Sql => {
            let mut found = sql::extract_sql_file(text);
            found.iter_mut().for_each(placeholders::apply);
            return plain(found);
        }
        Language::TypeScript | Language::JavaScript => typescript::has_sql_cue(text, options),
        Language::Rust => rust::has_sql_cue(text),
    };
    if !might_hold_sql {
        return plain(Vec::new());
    }
    if let Some(depth) = nesting_beyond_limit(text) {
        return Err(ExtractError::TooDeep(depth));
    }
    match language {
        Language::Sql => plain(sql::extract_sql_file(text)),
        Language::TypeScript | Language::JavaScript => {
            plain(typescript::extract(path, text, options)?)
        }
        Language::Rust => {
            let file = rust::scan_file(path, text)?;
            Ok(Extraction {
                embedded: file.embedded,
                facts: Some(file.facts),
            })
        }
    }
}

/// The end of the token starting at `offset` (for underlining a syntax error).
pub(crate) fn next_token_end(text: &str, offset: u32) -> u32 {
    let rest = &text[(offset as usize).min(text.len())..];
    let len = rest
        .char_indices()
        .find(|(i, c)| *i > 0 && (c.is_whitespace() || "(),;".contains(*c)))
        .map_or(rest.len(), |(i, _)| i);
    offset + len.max(1).min(rest.len()) as u32
}

/// The host span of the first line of `sql.text[start..end]`.
pub(crate) fn first_line_span(sql: &EmbeddedSql, start: u32, end: u32) -> Span {
    let text = &sql.text[start as usize..end as usize];
    let line = text.find('\n').unwrap_or(text.len()) as u32;
    sql.host_span(start, start + line)
}

/// `[sources]`: what the extractors look for and which files they read.
#[derive(Debug, Clone, Default, serde::Deserialize)]
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The chunked check agrees with the byte walk: the same depth past the limit, `None`
    /// within it, whatever the closing brackets that clamp at 0 and wherever chunks split.
    #[test]
    fn nesting_beyond_limit_is_max_nesting_past_the_limit() {
        let deep = |n: usize| format!("{}x{}", "(".repeat(n), ")".repeat(n));
        let mut cases = vec![
            String::new(),
            "fn f() { g([1, 2]) }".to_string(),
            deep(MAX_NESTING),
            deep(MAX_NESTING + 1),
            format!("{}{}", ")".repeat(500), deep(MAX_NESTING)),
            format!("{}{}", deep(700), "(".repeat(301)),
            format!("{}{}", deep(700), "(".repeat(300)),
        ];
        // Closing brackets that clamp, then a climb past the limit, at every chunk offset.
        for pad in 0..70 {
            cases.push(format!(
                "{}{}){}",
                " ".repeat(pad),
                "}".repeat(3),
                "[".repeat(MAX_NESTING + pad % 3)
            ));
        }
        // Code-like walks that wander around the limit: brackets among other bytes, more
        // opening than closing ones at first, then balanced.
        let mut seed = 7u64;
        for case in 0..60 {
            let mut text = String::new();
            for i in 0..6000 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let r = (seed >> 33) % 8;
                let climbing = i < 2000 + case * 20;
                text.push(match r {
                    0 | 1 => '(',
                    2 if climbing => '{',
                    2 | 3 => ')',
                    4 => ']',
                    _ => 'x',
                });
            }
            cases.push(text);
        }
        for text in &cases {
            let max = max_nesting(text);
            let expected = (max > MAX_NESTING).then_some(max);
            assert_eq!(nesting_beyond_limit(text), expected, "{} bytes", text.len());
        }
        assert!(cases.iter().any(|t| max_nesting(t) > MAX_NESTING));
        assert!(cases
            .iter()
            .any(|t| (900..=MAX_NESTING).contains(&max_nesting(t))));
    }

    #[test]
    fn statement_starts() {
        assert!(starts_like_statement("  (SELECT 1)"));
        assert!(starts_like_statement("-- c\nINSERT INTO t VALUES (1)"));
        assert!(!starts_like_statement("selection of things"));
        assert!(!starts_like_statement("/api/users"));
        // What code sends to create or grant (a runner's DDL) is SQL too; prose is not.
        assert!(starts_like_statement("DO $$ BEGIN NULL; END $$"));
        assert!(starts_like_statement("do $body$ begin null; end $body$"));
        assert!(starts_like_statement("GRANT SELECT ON t TO app"));
        assert!(starts_like_statement("COMMENT ON TABLE t IS 'x'"));
        assert!(!starts_like_statement("Do not retry"));
        // The transaction a handler opens and closes is sent too.
        for t in [
            "BEGIN",
            "COMMIT;",
            "rollback",
            "ROLLBACK TO SAVEPOINT a",
            "START TRANSACTION",
        ] {
            assert!(starts_like_statement(t), "{t}");
        }
        assert!(!starts_like_statement("Begin"));
        assert!(!starts_like_statement("SELECT"));
        assert!(!starts_like_statement("BEGINNING"));
        assert!(!starts_like_statement("DOCUMENT"));
        assert!(looks_like_sql_statement("SELECT id FROM users"));
        assert!(!looks_like_sql_statement("Select an image from the list"));
        assert!(!looks_like_sql_statement(
            "delete from cache when the asset is removed"
        ));
    }

    #[test]
    fn plain_strings_are_sql_by_their_words_whatever_the_whitespace() {
        for sql in [
            "SELECT id FROM users",
            "SELECT id,\n       name\nFROM users",
            "SELECT\tid\tFROM\tusers",
            "INSERT INTO users (id) VALUES ($1)",
            "INSERT\n  INTO users (id) VALUES ($1)",
            "UPDATE users\nSET name = $1",
            "DELETE\nFROM users WHERE id = $1",
            "WITH x AS (SELECT 1) SELECT * FROM x",
            "WITH x AS(\n  SELECT 1\n)\nSELECT * FROM x",
        ] {
            assert!(looks_like_sql_statement(sql), "{sql:?}");
        }
        for prose in [
            "SELECT FROM LIST",
            "Select an image from the list",
            "SELECTED items FROM the cart",
            "UPDATE FAILED, SET RETRY",
            "INSERT coin",
            "DELETE files FROM disk",
            "WITH love, from us",
            "WITH x AS the key (SELECT nothing)",
            "SELECTION FROM x",
        ] {
            assert!(!looks_like_sql_statement(prose), "{prose:?}");
        }
    }

    #[test]
    fn offset_map_through_an_escape() {
        // JS source `x = 'a\nb'` with the string body at host 5: 'a' 5, '\n' 6..8, 'b' 8.
        let mut map = OffsetMap::new();
        map.push(0, 5);
        map.push(1, 6);
        map.push(2, 8);
        assert_eq!(map.to_host(0), 5);
        assert_eq!(map.to_host(1), 6);
        assert_eq!(map.to_host(2), 8);
        let sliced = map.slice(1);
        assert_eq!(sliced.to_host(0), 6);
        assert_eq!(sliced.to_host(1), 8);
    }
}
