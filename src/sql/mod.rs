//! The sqlparser wrapper: parses one embedded statement and converts sqlparser's 1-based
//! line/column locations into byte offsets of the SQL text. The only place that does so.

use sqlparser::ast::Statement;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Location, Span as SqlSpan};

use crate::diagnostic::LineIndex;

pub mod tokens;

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

/// The tokens of `text` without whitespace and comments: two texts with the same tokens are
/// the same SQL to the server (`--add-suppressions` checks that its comments changed no
/// statement). `None` when the text does not tokenize.
pub fn significant_tokens(text: &str) -> Option<Vec<String>> {
    use sqlparser::tokenizer::{Token, Tokenizer};
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, text)
        .tokenize()
        .ok()?;
    Some(
        tokens
            .into_iter()
            .filter(|t| !matches!(t, Token::Whitespace(_)))
            .map(|t| t.to_string())
            .collect(),
    )
}

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
    let parse = |text: &str| {
        let tokens = tokens::tokenize(text).map_err(ParserError::from)?;
        Parser::new(&dialect)
            .with_recursion_limit(RECURSION_LIMIT)
            .with_tokens_with_locations(tokens)
            .parse_statements()
    };
    match parse(text) {
        Ok(statements) => Ok(statements),
        Err(e) => {
            // sqlparser: no `SET arr[$1] = ...` nor `RETURNING old.*`, which Postgres accepts.
            // Retry with those spans blanked (same length, so every offset still holds).
            // Last resort, `INSERT ... SELECT 1 ON CONFLICT ...` (a SELECT without FROM before
            // ON CONFLICT): the clause is blanked and goes unchecked, the rest is checked.
            // Only when that is what failed: a mistake inside the clause stays a syntax error.
            let at_conflict = e.to_string().contains("found: CONFLICT");
            for on_conflict in [false, at_conflict] {
                if let Some(statements) =
                    blank_unparsed_forms(text, on_conflict).and_then(|t| parse(&t).ok())
                {
                    return Ok(statements);
                }
            }
            Err(syntax_error(text, e))
        }
    }
}

/// [`parse`] for a text already tokenized by sqlparser's tokenizer (whitespace included,
/// `tokenize_with_location`): the schema replay tokenizes each statement to classify it, and
/// this spares a second tokenization. Anything but a clean parse goes through [`parse`]
/// (same checks, retries and messages).
pub fn parse_tokenized(
    text: &str,
    tokens: Vec<sqlparser::tokenizer::TokenWithSpan>,
) -> Result<Vec<Statement>, SyntaxError> {
    if join_words(text) > NESTED_JOIN_LIMIT {
        return parse(text);
    }
    let dialect = PostgreSqlDialect {};
    Parser::new(&dialect)
        .with_recursion_limit(RECURSION_LIMIT)
        .with_tokens_with_locations(tokens)
        .parse_statements()
        .or_else(|_| parse(text))
}

/// `UPDATE t SET tags[$1] = $2` → `UPDATE t SET tags     = $2` (the subscript of an
/// assignment target) and `RETURNING old.*` → `RETURNING old  ` (a whole-row reference):
/// forms Postgres accepts and sqlparser rejects. With `on_conflict`, also the ON CONFLICT
/// clause of `INSERT ... SELECT $1 ON CONFLICT ...` (sqlparser takes `ON` for the select
/// item's alias), once the clause alone parses. The target column is still checked; the
/// subscript's expression is not. Only ASCII spans are blanked, so that line/column positions
/// in the rewritten text are those of the original. `None` when there is nothing to blank.
fn blank_unparsed_forms(text: &str, on_conflict: bool) -> Option<String> {
    use sqlparser::keywords::Keyword;
    use sqlparser::tokenizer::{Token, Tokenizer};

    let dialect = PostgreSqlDialect {};
    let tokens = Tokenizer::new(&dialect, text)
        .tokenize_with_location()
        .ok()?;
    let parsed = ParsedSql::new(text);
    let significant: Vec<_> = tokens
        .iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .collect();
    let mut blank: Vec<(u32, u32)> = Vec::new();
    let mut depth = 0usize;
    // Inside an UPDATE's SET list at depth 0, and the next token starts an assignment.
    let mut in_set = false;
    let mut at_target = false;
    let mut in_returning = false;
    let mut i = 0;
    while i < significant.len() {
        let tok = &significant[i].token;
        let is_word = |t: Option<&&sqlparser::tokenizer::TokenWithSpan>, k: Keyword| matches!(t.map(|t| &t.token), Some(Token::Word(w)) if w.keyword == k);
        if on_conflict
            && depth == 0
            && is_word(significant.get(i), Keyword::ON)
            && is_word(significant.get(i + 1), Keyword::CONFLICT)
        {
            // Through the clause's last token: RETURNING or `;` at depth 0 ends it.
            let mut j = i;
            let mut level = 0usize;
            while let Some(t) = significant.get(j) {
                match &t.token {
                    Token::LParen => level += 1,
                    Token::RParen => level = level.saturating_sub(1),
                    Token::SemiColon if level == 0 => break,
                    Token::Word(w) if level == 0 && w.keyword == Keyword::RETURNING => break,
                    _ => {}
                }
                j += 1;
            }
            let start = parsed.offset(significant[i].span.start)?;
            let end = parsed.offset(significant[j - 1].span.end)?;
            // The clause must parse on its own, behind a SELECT sqlparser reads well.
            let probe = format!(
                "INSERT INTO t SELECT 1 FROM t {}",
                text.get(start as usize..end as usize)?
            );
            Parser::new(&dialect)
                .with_recursion_limit(RECURSION_LIMIT)
                .try_with_sql(&probe)
                .and_then(|mut p| p.parse_statements())
                .ok()?;
            blank.push((start, end));
            in_set = false;
            at_target = false;
            i = j;
            continue;
        }
        match tok {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            Token::Word(w) if depth == 0 => match w.keyword {
                Keyword::SET => {
                    in_set = true;
                    at_target = true;
                    i += 1;
                    continue;
                }
                Keyword::WHERE | Keyword::FROM | Keyword::RETURNING => {
                    in_set = false;
                    in_returning = w.keyword == Keyword::RETURNING;
                }
                _ => {}
            },
            Token::Comma if depth == 0 && in_set => {
                at_target = true;
                i += 1;
                continue;
            }
            Token::SemiColon => {
                in_set = false;
                in_returning = false;
            }
            _ => {}
        }
        if at_target && in_set {
            // `col[...]...[...] =`: blank every subscript.
            if let Token::Word(_) = tok {
                let mut j = i + 1;
                let mut spans = Vec::new();
                while matches!(significant.get(j).map(|t| &t.token), Some(Token::LBracket)) {
                    let open = j;
                    let mut level = 0usize;
                    loop {
                        match significant.get(j).map(|t| &t.token) {
                            Some(Token::LBracket) => level += 1,
                            Some(Token::RBracket) => {
                                level -= 1;
                                if level == 0 {
                                    break;
                                }
                            }
                            Some(_) => {}
                            None => return None,
                        }
                        j += 1;
                    }
                    let start = parsed.offset(significant[open].span.start)?;
                    let end = parsed.offset(significant[j].span.end)?;
                    spans.push((start, end));
                    j += 1;
                }
                if !spans.is_empty()
                    && matches!(significant.get(j).map(|t| &t.token), Some(Token::Eq))
                {
                    blank.extend(spans);
                }
            }
        }
        if in_returning && depth == 0 {
            if let (Token::Word(w), Some(dot), Some(star)) =
                (tok, significant.get(i + 1), significant.get(i + 2))
            {
                let is_row = ["old", "new"]
                    .iter()
                    .any(|n| w.value.eq_ignore_ascii_case(n))
                    && w.quote_style.is_none();
                if is_row && dot.token == Token::Period && star.token == Token::Mul {
                    let start = parsed.offset(dot.span.start)?;
                    let end = parsed.offset(star.span.end)?;
                    blank.push((start, end));
                }
            }
        }
        at_target = false;
        i += 1;
    }
    if blank.is_empty() {
        return None;
    }
    let mut bytes = text.as_bytes().to_vec();
    for (start, end) in blank {
        let span = bytes.get_mut(start as usize..end as usize)?;
        if !span.is_ascii() {
            return None;
        }
        span.iter_mut()
            .filter(|b| **b != b'\n')
            .for_each(|b| *b = b' ');
    }
    String::from_utf8(bytes).ok()
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
