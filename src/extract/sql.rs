//! `.sql` files: split into statements at top-level semicolons, honouring quotes, dollar
//! quotes, comments and psql meta-commands (`\restrict`, `\connect`), which are dropped.

use super::{Confidence, EmbeddedSql};

/// A statement's text and where it starts in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawStatement<'a> {
    pub text: &'a str,
    pub start: u32,
}

/// Every statement of a `.sql` file, each mapped 1:1 onto the file.
pub fn extract_sql_file(text: &str) -> Vec<EmbeddedSql> {
    split_statements(text)
        .into_iter()
        .map(|s| EmbeddedSql::verbatim(s.text, s.start, Confidence::Certain))
        .collect()
}

/// Split SQL text into statements. Leading whitespace and comments stay out of a statement's
/// text only when nothing else precedes it on its line; statements with nothing but comments
/// are dropped.
pub fn split_statements<'a>(text: &'a str) -> Vec<RawStatement<'a>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut start: Option<usize> = None; // first significant byte of the current statement
    let mut at_line_start = true;
    let mut begin_depth = 0usize; // BEGIN ATOMIC ... END bodies contain semicolons
    let mut word_start: Option<usize> = None;

    let flush = |out: &mut Vec<RawStatement<'a>>, start: &mut Option<usize>, end: usize| {
        if let Some(s) = start.take() {
            let stmt = text[s..end].trim_end();
            if !stmt.is_empty() {
                out.push(RawStatement {
                    text: stmt,
                    start: s as u32,
                });
            }
        }
    };

    while i < bytes.len() {
        let b = bytes[i];
        // Track keywords for BEGIN ATOMIC bodies.
        if b.is_ascii_alphanumeric() || b == b'_' {
            if word_start.is_none() {
                word_start = Some(i);
            }
        } else if let Some(ws) = word_start.take() {
            let word = &text[ws..i];
            if word.eq_ignore_ascii_case("atomic") && previous_word_is(text, ws, "begin") {
                begin_depth += 1;
            } else if word.eq_ignore_ascii_case("end") && begin_depth > 0 {
                begin_depth -= 1;
            }
        }
        match b {
            b'\\' if at_line_start && start.is_none() => {
                // psql meta-command: skip to end of line.
                i = line_end(bytes, i);
                continue;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = line_end(bytes, i);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = block_comment_end(bytes, i);
                continue;
            }
            b'\n' => {
                at_line_start = true;
                i += 1;
                continue;
            }
            b if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            _ => {}
        }
        at_line_start = false;
        if start.is_none() && b != b';' {
            start = Some(i);
        }
        match b {
            b';' if begin_depth == 0 => {
                flush(&mut out, &mut start, i);
                i += 1;
            }
            b'\'' => {
                let escapes = i > 0
                    && matches!(bytes[i - 1], b'e' | b'E')
                    && !is_ident_byte_before(bytes, i - 1);
                i = quoted_end(bytes, i, b'\'', escapes);
            }
            b'"' => i = quoted_end(bytes, i, b'"', false),
            b'$' => match dollar_tag(text, i) {
                Some(tag) => {
                    let body = i + tag.len();
                    i = match text[body..].find(tag) {
                        Some(p) => body + p + tag.len(),
                        None => bytes.len(),
                    };
                }
                None => i += 1,
            },
            _ => i += 1,
        }
    }
    flush(&mut out, &mut start, bytes.len());
    out
}

fn previous_word_is(text: &str, before: usize, word: &str) -> bool {
    let head = text[..before].trim_end();
    head.len() >= word.len()
        && head[head.len() - word.len()..].eq_ignore_ascii_case(word)
        && !head[..head.len() - word.len()]
            .bytes()
            .last()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn is_ident_byte_before(bytes: &[u8], i: usize) -> bool {
    i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_')
}

fn line_end(bytes: &[u8], i: usize) -> usize {
    bytes[i..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| i + p)
}

/// End of a (nested) block comment starting at `i`.
fn block_comment_end(bytes: &[u8], mut i: usize) -> usize {
    let mut depth = 0;
    while i < bytes.len() {
        if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

/// End of a quoted string or identifier starting at `i` (doubled quotes escape).
fn quoted_end(bytes: &[u8], mut i: usize, quote: u8, backslash_escapes: bool) -> usize {
    i += 1;
    while i < bytes.len() {
        let b = bytes[i];
        if backslash_escapes && b == b'\\' {
            i += 2;
        } else if b == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
            } else {
                return i + 1;
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

/// `$tag$` or `$$` at `i`, but not a `$1` parameter.
fn dollar_tag(text: &str, i: usize) -> Option<&str> {
    let bytes = text.as_bytes();
    if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_') {
        return None; // part of an identifier such as `a$b`
    }
    let mut j = i + 1;
    while j < bytes.len()
        && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_' || bytes[j] >= 0x80)
    {
        if j == i + 1 && bytes[j].is_ascii_digit() {
            return None;
        }
        j += 1;
    }
    (bytes.get(j) == Some(&b'$')).then(|| &text[i..=j])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sql: &str) -> Vec<&str> {
        split_statements(sql).into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn splits_on_top_level_semicolons() {
        assert_eq!(
            texts("select 1; select ';' ;\nselect \"a;b\""),
            ["select 1", "select ';'", "select \"a;b\""]
        );
    }

    #[test]
    fn dollar_quotes_and_comments() {
        let sql = "-- lead; comment\nCREATE FUNCTION f() RETURNS int AS $body$ select 1; $body$ LANGUAGE sql;\n/* a; /* nested; */ */ select $1;";
        assert_eq!(
            texts(sql),
            [
                "CREATE FUNCTION f() RETURNS int AS $body$ select 1; $body$ LANGUAGE sql",
                "select $1"
            ]
        );
    }

    #[test]
    fn psql_meta_commands_are_dropped() {
        let sql = "\\restrict abc123\nSET x = 1;\n\\connect db\nselect 2;\n\\unrestrict abc123\n";
        assert_eq!(texts(sql), ["SET x = 1", "select 2"]);
    }

    #[test]
    fn escape_strings_and_begin_atomic() {
        assert_eq!(
            texts(r"select E'it\'s;'; select 2"),
            [r"select E'it\'s;'", "select 2"]
        );
        let f = "create function f() returns int language sql begin atomic select 1; end; select 3";
        assert_eq!(
            texts(f),
            [
                "create function f() returns int language sql begin atomic select 1; end",
                "select 3"
            ]
        );
    }

    #[test]
    fn offsets_point_into_the_file() {
        let sql = "  \n select 1;\n  select 2";
        let stmts = split_statements(sql);
        assert_eq!(&sql[stmts[1].start as usize..][..8], "select 2");
    }
}
