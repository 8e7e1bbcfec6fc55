//! The byte scan that decides whether a Rust file is tokenized at all: a query call or macro
//! (`query(`, `query_as::<`, `query!(`, `QueryBuilder::`), or a string that starts like SQL
//! (`"SELECT ...`, or lowercase after `=` as in `const Q: &str = "select ..."`). Not the
//! crate's name: every file of a db layer says `use sqlx::PgPool;`, most hold no SQL.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

use super::{CALLS, FILE_MACROS, MACROS};

/// Name fragments every call or macro name above contains (`batch_execute` has `execute`).
const FRAGMENTS: &[&str] = &["query", "execute", "prepare", "raw_sql", "QueryBuilder"];

static NAMES: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(FRAGMENTS)
        .ok()
});

/// Statement keywords a SQL string starts with.
const KEYWORDS: &[&str] = &[
    "SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "CREATE", "ALTER", "DROP", "MERGE", "TRUNCATE",
];

pub(in crate::extract) fn has_sql_cue(text: &str) -> bool {
    // A re-export (`pub use sql::tasks::FETCH as FETCH_TASK;`) is read for the crate pass.
    has_query_call(text) || has_sql_string(text) || text.contains("pub use ")
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// A call or macro named like a query function, followed by `(`, `!`, `::<` or (for
/// `QueryBuilder`) `::`.
fn has_query_call(text: &str) -> bool {
    let Some(ac) = NAMES.as_ref() else {
        return true;
    };
    let b = text.as_bytes();
    ac.find_iter(text).any(|m| {
        let start = (0..m.start())
            .rev()
            .take_while(|&i| is_ident_byte(b[i]))
            .last()
            .unwrap_or(m.start());
        let end = (m.end()..b.len())
            .find(|&i| !is_ident_byte(b[i]))
            .unwrap_or(b.len());
        let name = &text[start..end];
        // A definition (`fn query(&self)`), not a call.
        let before = text[..start].trim_end();
        if before.ends_with("fn")
            && !before[..before.len() - 2].ends_with(|c: char| c.is_alphanumeric() || c == '_')
        {
            return false;
        }
        let rest = text[end..].trim_start();
        if name == "QueryBuilder" {
            return rest.starts_with("::");
        }
        let known = CALLS.contains(&name) || MACROS.contains(&name) || FILE_MACROS.contains(&name);
        known && (rest.starts_with('(') || rest.starts_with('!') || rest.starts_with("::<"))
    })
}

/// A string literal whose text starts with an uppercase statement keyword, or with a
/// lowercase one when it is assigned (`= "select ..."`).
fn has_sql_string(text: &str) -> bool {
    let b = text.as_bytes();
    // memchr_iter: a third fewer instructions than `match_indices('"')` on the bench trees.
    memchr::memchr_iter(b'"', b).any(|q| {
        let mut i = q + 1;
        // Whitespace, also written as `\n` escapes.
        loop {
            match b.get(i) {
                Some(b' ' | b'\t' | b'\n' | b'\r') => i += 1,
                Some(b'\\') if matches!(b.get(i + 1), Some(b'n' | b't' | b'\n')) => i += 2,
                _ => break,
            }
        }
        let word_end = (i..b.len())
            .find(|&j| !b[j].is_ascii_alphabetic())
            .unwrap_or(b.len());
        let word = &text[i..word_end];
        if !matches!(
            b.get(word_end),
            Some(b' ' | b'\t' | b'\n' | b'\r' | b'(' | b'*' | b'\\')
        ) {
            return false;
        }
        if KEYWORDS.contains(&word) {
            return true;
        }
        let lower = word.bytes().all(|c| c.is_ascii_lowercase())
            && KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word));
        lower && assigned(&b[..q])
    })
}

/// Whether the text before a string's opening quote ends with `=` (after `r#`, spaces).
fn assigned(before: &[u8]) -> bool {
    let mut i = before.len();
    while i > 0 && matches!(before[i - 1], b'#' | b'r' | b' ' | b'\t' | b'\n') {
        i -= 1;
    }
    i > 0 && before[i - 1] == b'='
}

#[cfg(test)]
mod tests {
    use super::has_sql_cue;

    #[test]
    fn cues() {
        assert!(has_sql_cue("fn f() { client.query(Q, &[]) }"));
        assert!(has_sql_cue("sqlx::query_as::<_, T>(Q)"));
        assert!(has_sql_cue("sqlx::query!(\"x\")"));
        assert!(has_sql_cue("let mut qb = QueryBuilder::new(x);"));
        assert!(has_sql_cue(
            "pub const FETCH: &str = \"\n    SELECT id FROM t\";"
        ));
        assert!(has_sql_cue("const Q: &str = r#\"select id from t\"#;"));
        assert!(has_sql_cue(
            "let q = format!(\"UPDATE t SET {} WHERE id = $1\", s);"
        ));
        // The crate's name, words in comments and prose are no cue.
        assert!(!has_sql_cue("use sqlx::PgPool;\nfn run_query_helper() {}"));
        assert!(!has_sql_cue(
            "// \"select\" and \"update\"\neprintln!(\"select a file to update\");"
        ));
        assert!(!has_sql_cue("fn query(&self) -> &str { \"\" }"));
    }
}
