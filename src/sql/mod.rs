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
        }
    }

    /// Byte offset in the SQL text of a sqlparser location; `None` for the empty location.
    pub fn offset(&self, loc: Location) -> Option<u32> {
        if loc.line == 0 {
            return None;
        }
        Some(
            self.index
                .offset(self.text, loc.line as u32, loc.column as u32),
        )
    }

    /// Byte range in the SQL text of a sqlparser span; `None` when sqlparser left it empty.
    pub fn range(&self, span: SqlSpan) -> Option<(u32, u32)> {
        let start = self.offset(span.start)?;
        let end = self.offset(span.end).unwrap_or(start).max(start);
        Some((start, end))
    }
}

/// Parse SQL text (one or more statements) with the PostgreSQL dialect.
pub fn parse(text: &str) -> Result<Vec<Statement>, SyntaxError> {
    let dialect = PostgreSqlDialect {};
    let result = Parser::new(&dialect)
        .with_recursion_limit(RECURSION_LIMIT)
        .try_with_sql(text)
        .and_then(|mut p| p.parse_statements());
    result.map_err(|e| syntax_error(text, e))
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
    fn syntax_error_has_offset() {
        let text = "SELECT id\nFROM x WHERE )";
        let err = parse(text).unwrap_err();
        assert_eq!(err.offset, Some(23), "{err:?}");
        assert!(!err.message.contains("Line"));
    }
}
