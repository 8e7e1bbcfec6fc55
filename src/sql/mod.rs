//! The sqlparser wrapper: parses one embedded statement and converts sqlparser's 1-based
//! line/column locations into byte offsets of the SQL text. The only place that does so.

use sqlparser::ast::Statement;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Location, Span as SqlSpan};

use crate::diagnostic::LineIndex;

/// Deep enough for real queries, shallow enough that sqlparser never overflows the stack.
const RECURSION_LIMIT: usize = 64;

/// The parsed statements of one piece of SQL text, with a way back to byte offsets.
pub struct ParsedSql<'a> {
    pub text: &'a str,
    index: LineIndex,
    /// Set when sqlparser parsed a rewritten text ([`parse_table_command`]): maps its
    /// offsets back to the original.
    rewrite: Option<Rewrite>,
}

/// `text[at..at + old]` was replaced by `new` bytes before parsing.
#[derive(Debug, Clone, Copy)]
pub struct Rewrite {
    at: u32,
    old: u32,
    new: u32,
}

impl Rewrite {
    /// An offset in the rewritten text, in the original: inside the replacement it points
    /// into the replaced word, after it it moves back by the difference in length.
    fn map(self, offset: u32) -> u32 {
        if offset < self.at {
            offset
        } else if offset < self.at + self.new {
            self.at + (offset - self.at).min(self.old)
        } else {
            offset - self.new + self.old
        }
    }
}

/// Why a piece of SQL did not parse, with the byte offset in the SQL text when known.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub message: String,
    pub offset: Option<u32>,
}

impl<'a> ParsedSql<'a> {
    pub fn new(text: &'a str) -> Self {
        ParsedSql {
            text,
            index: LineIndex::new(text),
            rewrite: None,
        }
    }

    /// For a text parsed after a [`Rewrite`]: `rewritten` is what sqlparser saw; offsets come
    /// out in the original text's coordinates.
    pub fn rewritten(rewritten: &'a str, rewrite: Rewrite) -> Self {
        ParsedSql {
            rewrite: Some(rewrite),
            ..ParsedSql::new(rewritten)
        }
    }

    /// Byte offset in the SQL text of a sqlparser location; `None` for the empty location.
    pub fn offset(&self, loc: Location) -> Option<u32> {
        if loc.line == 0 {
            return None;
        }
        let offset = self
            .index
            .offset(self.text, loc.line as u32, loc.column as u32);
        Some(self.rewrite.map_or(offset, |r| r.map(offset)))
    }

    /// Byte range in the SQL text of a sqlparser span; `None` when sqlparser left it empty.
    pub fn range(&self, span: SqlSpan) -> Option<(u32, u32)> {
        let start = self.offset(span.start)?;
        let end = self.offset(span.end).unwrap_or(start).max(start);
        Some((start, end))
    }
}

/// How many joins may nest without parentheses (`a JOIN b JOIN c ON .. ON ..`). sqlparser
/// parses such a chain by plain recursion that its recursion limit does not count, so a long
/// chain (10,000 `JOIN`s in 50 KB of text) would overflow the stack. Real queries nest a few.
const NESTED_JOIN_LIMIT: usize = 256;

/// Parse SQL text (one or more statements) with the PostgreSQL dialect.
pub fn parse(text: &str) -> Result<Vec<Statement>, SyntaxError> {
    let dialect = PostgreSqlDialect {};
    if join_words(text) > NESTED_JOIN_LIMIT {
        if let Some(offset) = too_deep_join_chain(text) {
            return Err(SyntaxError {
                message: format!(
                    "statement nests more than {NESTED_JOIN_LIMIT} joins without parentheses \
                     and is too deep to check"
                ),
                offset: Some(offset),
            });
        }
    }
    let result = Parser::new(&dialect)
        .with_recursion_limit(RECURSION_LIMIT)
        .try_with_sql(text)
        .and_then(|mut p| p.parse_statements());
    result.map_err(|e| syntax_error(text, e))
}

/// `TABLE name` is Postgres shorthand for `SELECT * FROM name`; sqlparser accepts it inside a
/// query (`WITH .. TABLE t`, `(TABLE t)`) but not as a statement. Such a statement is parsed as
/// the `SELECT` it stands for, so that the table is still judged; the [`Rewrite`] maps
/// positions back to the original text. `None` when `text` is not a `TABLE` command or the
/// rewrite does not parse either.
pub fn parse_table_command(text: &str) -> Option<(String, Rewrite, Vec<Statement>)> {
    let at = text.len() - text.trim_start().len();
    let word = crate::extract::leading_word(&text[at..]);
    if !word.eq_ignore_ascii_case("table") {
        return None;
    }
    const SELECT: &str = "SELECT * FROM";
    let rewritten = format!("{}{SELECT}{}", &text[..at], &text[at + word.len()..]);
    let statements = parse(&rewritten).ok()?;
    let rewrite = Rewrite {
        at: at as u32,
        old: word.len() as u32,
        new: SELECT.len() as u32,
    };
    Some((rewritten, rewrite, statements))
}

/// Case-insensitive count of the word `join`: a cheap upper bound on the join nesting, so the
/// exact check below runs only on statements with hundreds of joins.
fn join_words(text: &str) -> usize {
    let b = text.as_bytes();
    let is_word = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80;
    b.windows(4)
        .enumerate()
        .filter(|(i, w)| {
            w.eq_ignore_ascii_case(b"join")
                && (*i == 0 || !is_word(b[i - 1]))
                && b.get(i + 4).is_none_or(|&c| !is_word(c))
        })
        .count()
}

/// The byte offset of the join that first goes deeper than [`NESTED_JOIN_LIMIT`], following
/// sqlparser's rule: a join whose right side is directly followed by another join keyword
/// opens a nested join that a later `ON`/`USING` closes. Counted per parenthesis level.
fn too_deep_join_chain(text: &str) -> Option<u32> {
    use sqlparser::keywords::Keyword;
    use sqlparser::tokenizer::{Token, Tokenizer};

    let dialect = PostgreSqlDialect {};
    let tokens = Tokenizer::new(&dialect, text)
        .tokenize_with_location()
        .ok()?;
    // Open (not yet closed by ON/USING) joins per parenthesis level.
    let mut open = vec![0usize];
    let mut previous = Keyword::NoKeyword;
    for t in tokens
        .iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_) | Token::EOF))
    {
        match &t.token {
            Token::LParen => open.push(0),
            Token::RParen if open.len() > 1 => {
                open.pop();
            }
            Token::Word(w) => match w.keyword {
                Keyword::JOIN if !matches!(previous, Keyword::CROSS | Keyword::NATURAL) => {
                    let depth = open.last_mut().expect("never empty");
                    *depth += 1;
                    if *depth > NESTED_JOIN_LIMIT {
                        // Found: too deep, whatever the location (tokens always have one).
                        return Some(ParsedSql::new(text).offset(t.span.start).unwrap_or(0));
                    }
                }
                Keyword::ON | Keyword::USING => {
                    let depth = open.last_mut().expect("never empty");
                    *depth = depth.saturating_sub(1);
                }
                _ => {}
            },
            Token::SemiColon => open = vec![0],
            _ => {}
        }
        previous = match &t.token {
            Token::Word(w) => w.keyword,
            _ => Keyword::NoKeyword,
        };
    }
    None
}

fn syntax_error(text: &str, err: ParserError) -> SyntaxError {
    let raw = match err {
        ParserError::TokenizerError(m) | ParserError::ParserError(m) => m,
        ParserError::RecursionLimitExceeded => {
            return SyntaxError {
                message: "statement is nested too deeply to check".into(),
                offset: None,
            }
        }
    };
    // sqlparser appends " at Line: L, Column: C" to its messages.
    let (message, offset) = match raw.rfind(" at Line: ") {
        Some(at) => {
            let loc = &raw[at + " at Line: ".len()..];
            let mut parts = loc.split(", Column: ");
            let line = parts.next().and_then(|l| l.trim().parse::<u32>().ok());
            let col = parts.next().and_then(|c| c.trim().parse::<u32>().ok());
            let offset = match (line, col) {
                (Some(l), Some(c)) => Some(LineIndex::new(text).offset(text, l, c)),
                _ => None,
            };
            (raw[..at].to_string(), offset)
        }
        None => (raw, None),
    };
    SyntaxError { message, offset }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ident_span_to_byte_offset() {
        let text = "SELECT é,\n  media_type FROM media";
        let stmts = parse(text).unwrap();
        let Statement::Query(q) = &stmts[0] else {
            panic!()
        };
        let sqlparser::ast::SetExpr::Select(sel) = q.body.as_ref() else {
            panic!()
        };
        let sqlparser::ast::SelectItem::UnnamedExpr(sqlparser::ast::Expr::Identifier(id)) =
            &sel.projection[1]
        else {
            panic!()
        };
        let parsed = ParsedSql::new(text);
        let (s, e) = parsed.range(id.span).unwrap();
        assert_eq!(&text[s as usize..e as usize], "media_type");
    }

    #[test]
    fn long_join_chains_are_refused_before_they_overflow_the_stack() {
        // 10,000 parens-less nested joins used to overflow even a 64 MiB stack in sqlparser.
        let text = format!("SELECT 1 FROM a {}b", "JOIN ".repeat(10_000));
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("too deep"), "{err:?}");
        let at = err.offset.unwrap() as usize;
        assert_eq!(at, "SELECT 1 FROM a ".len() + 5 * NESTED_JOIN_LIMIT);
        // As many joins, each closed by its ON, do not nest and still parse.
        let flat: String = (0..1_000).map(|i| format!(" JOIN t{i} ON true")).collect();
        assert!(parse(&format!("SELECT 1 FROM a{flat}")).is_ok());
        // Nested joins within the limit parse.
        let nested = format!(
            "SELECT 1 FROM a {}b {}",
            "JOIN b ".repeat(20),
            "ON true ".repeat(20)
        );
        assert!(parse(&nested).is_ok(), "{nested}");
    }

    #[test]
    fn syntax_error_has_offset() {
        let text = "SELECT id\nFROM x WHERE )";
        let err = parse(text).unwrap_err();
        assert_eq!(err.offset, Some(23), "{err:?}");
        assert!(!err.message.contains("Line"));
    }
}
