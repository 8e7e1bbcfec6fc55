//! sqlparser's tokens for SQL text, faster for the plain SQL that code sends.
//!
//! sqlparser's tokenizer reads a character at a time through a peekable iterator, builds each
//! word a character at a time and looks it up by binary search: on a 1M-line tree it was an
//! eighth of a run's instructions. Most statements in code are ASCII words, quoted names,
//! plain strings, numbers, `$n` placeholders and a few operators; [`tokenize`] reads those
//! byte by byte into exactly the tokens and spans sqlparser gives, and hands anything else
//! (comments, escapes, dollar quotes, prefixed strings, rarer operators, non-ASCII text) to
//! sqlparser's own tokenizer, whole. The tests compare both on every shape of input.

use std::collections::HashMap;
use std::sync::OnceLock;

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::{Keyword, ALL_KEYWORDS, ALL_KEYWORDS_INDEX};
use sqlparser::tokenizer::{
    Location, Span, Token, TokenWithSpan, Tokenizer, TokenizerError, Whitespace, Word,
};

/// The tokens of `text` with their spans, as `Tokenizer::tokenize_with_location` gives them
/// for the PostgreSQL dialect.
pub fn tokenize(text: &str) -> Result<Vec<TokenWithSpan>, TokenizerError> {
    match plain(text) {
        Some(tokens) => Ok(tokens),
        None => Tokenizer::new(&PostgreSqlDialect {}, text).tokenize_with_location(),
    }
}

/// Bytes that may start or continue an operator: after a one- or two-byte operator this
/// reader knows, one of these means a longer operator (`<=>`, `->>`, `||/`), left to
/// sqlparser.
fn is_operator_byte(b: u8) -> bool {
    matches!(
        b,
        b'+' | b'-'
            | b'*'
            | b'/'
            | b'<'
            | b'>'
            | b'='
            | b'~'
            | b'!'
            | b'@'
            | b'#'
            | b'%'
            | b'^'
            | b'&'
            | b'|'
            | b'?'
            | b':'
    )
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// The tokens of an ASCII text made only of what this reader knows; `None` for anything
/// else.
fn plain(text: &str) -> Option<Vec<TokenWithSpan>> {
    if !text.is_ascii() {
        return None;
    }
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len() / 2 + 1);
    let (mut line, mut col) = (1u64, 1u64);
    let mut i = 0;
    while i < b.len() {
        let start = Location::new(line, col);
        let at = i;
        let next = b.get(i + 1).copied();
        let token = match b[i] {
            b' ' => {
                i += 1;
                Token::Whitespace(Whitespace::Space)
            }
            b'\t' => {
                i += 1;
                Token::Whitespace(Whitespace::Tab)
            }
            b'\n' => {
                i += 1;
                Token::Whitespace(Whitespace::Newline)
            }
            b'\r' => {
                i += if next == Some(b'\n') { 2 } else { 1 };
                Token::Whitespace(Whitespace::Newline)
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                while i < b.len() && is_word_byte(b[i]) {
                    i += 1;
                }
                // `E'..'`, `B'..'`, `U&'..'`, `x'..'` and other prefixed literals.
                if matches!(b.get(i), Some(b'\'' | b'"' | b'&')) {
                    return None;
                }
                let word = &text[at..i];
                Token::Word(Word {
                    keyword: keyword(word),
                    value: word.to_string(),
                    quote_style: None,
                })
            }
            b'0'..=b'9' => {
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                // Decimals, exponents, `1_000`, `0x1F`, `1abc`.
                if b.get(i).is_some_and(|&c| c == b'.' || is_word_byte(c)) {
                    return None;
                }
                Token::Number(text[at..i].to_string(), false)
            }
            b'$' => {
                i += 1;
                let digits = i;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                // `$$..$$`, `$tag$`, `$name`, `$1abc`.
                if i == digits || b.get(i).is_some_and(|&c| is_word_byte(c)) {
                    return None;
                }
                Token::Placeholder(text[at..i].to_string())
            }
            quote @ (b'\'' | b'"') => {
                i += 1;
                let content = i;
                while i < b.len() && b[i] != quote {
                    // Escapes are sqlparser's to read.
                    if b[i] == b'\\' {
                        return None;
                    }
                    i += 1;
                }
                // Unterminated, or a doubled quote (`'it''s'`, `"a""b"`).
                if i >= b.len() || b.get(i + 1) == Some(&quote) {
                    return None;
                }
                let value = text[content..i].to_string();
                i += 1;
                if quote == b'\'' {
                    Token::SingleQuotedString(value)
                } else {
                    Token::Word(Word {
                        value,
                        quote_style: Some('"'),
                        keyword: Keyword::NoKeyword,
                    })
                }
            }
            c => {
                let (token, len) = match (c, next) {
                    (b'(', _) => (Token::LParen, 1),
                    (b')', _) => (Token::RParen, 1),
                    (b',', _) => (Token::Comma, 1),
                    (b';', _) => (Token::SemiColon, 1),
                    (b'[', _) => (Token::LBracket, 1),
                    (b']', _) => (Token::RBracket, 1),
                    // `u.id`, `t."Col"`, `t.*`; sqlparser has rules for the rest (`.5`,
                    // `t.1`, `._x`, a period after a number or a parenthesis).
                    (b'.', Some(n))
                        if (n.is_ascii_alphabetic() || n == b'"' || n == b'*')
                            && matches!(
                                out.last(),
                                Some(TokenWithSpan {
                                    token: Token::Word(_),
                                    ..
                                })
                            ) =>
                    {
                        (Token::Period, 1)
                    }
                    (b'<', Some(b'=')) => (Token::LtEq, 2),
                    (b'<', Some(b'>')) => (Token::Neq, 2),
                    (b'>', Some(b'=')) => (Token::GtEq, 2),
                    (b'!', Some(b'=')) => (Token::Neq, 2),
                    (b':', Some(b':')) => (Token::DoubleColon, 2),
                    (b'|', Some(b'|')) => (Token::StringConcat, 2),
                    (b'<', _) => (Token::Lt, 1),
                    (b'>', _) => (Token::Gt, 1),
                    (b'=', _) => (Token::Eq, 1),
                    (b'+', _) => (Token::Plus, 1),
                    (b'-', _) => (Token::Minus, 1),
                    (b'*', _) => (Token::Mul, 1),
                    (b'/', _) => (Token::Div, 1),
                    (b'%', _) => (Token::Mod, 1),
                    _ => return None,
                };
                // A longer operator, a comment (`--`, `/*`) or an arrow (`->`).
                if is_operator_byte(c) && b.get(i + len).copied().is_some_and(is_operator_byte) {
                    return None;
                }
                i += len;
                token
            }
        };
        // Only line breaks and strings span lines; sqlparser counts a column per character
        // (a byte here) and a line per `\n` (a lone `\r` is a column).
        match &token {
            Token::Whitespace(Whitespace::Newline)
            | Token::SingleQuotedString(_)
            | Token::Word(Word {
                quote_style: Some(_),
                ..
            }) => {
                for &c in &b[at..i] {
                    if c == b'\n' {
                        line += 1;
                        col = 1;
                    } else {
                        col += 1;
                    }
                }
            }
            _ => col += (i - at) as u64,
        }
        out.push(TokenWithSpan::new(
            token,
            Span::new(start, Location::new(line, col)),
        ));
    }
    Some(out)
}

/// sqlparser's keyword for an unquoted ASCII word (case-insensitive), from a table built once
/// from its keyword list.
fn keyword(word: &str) -> Keyword {
    static TABLE: OnceLock<HashMap<&'static [u8], Keyword, Fnv>> = OnceLock::new();
    const LONGEST: usize = 32;
    if word.len() > LONGEST {
        return lookup_slow(word);
    }
    let table = TABLE.get_or_init(|| {
        ALL_KEYWORDS
            .iter()
            .map(|k| k.as_bytes())
            .zip(ALL_KEYWORDS_INDEX.iter().copied())
            .collect()
    });
    let mut upper = [0u8; LONGEST];
    for (u, c) in upper.iter_mut().zip(word.bytes()) {
        *u = c.to_ascii_uppercase();
    }
    table
        .get(&upper[..word.len()])
        .copied()
        .unwrap_or(Keyword::NoKeyword)
}

/// The lookup for a word longer than any the table was sized for (no keyword is).
fn lookup_slow(word: &str) -> Keyword {
    let upper = word.to_ascii_uppercase();
    ALL_KEYWORDS
        .iter()
        .position(|k| *k == upper)
        .map_or(Keyword::NoKeyword, |i| ALL_KEYWORDS_INDEX[i])
}

/// FNV-1a: for keys of a few bytes, a fraction of SipHash's cost (the table's keys are fixed,
/// so no flooding resistance is needed).
#[derive(Default, Clone, Copy)]
struct Fnv;

struct FnvHasher(u64);

impl std::hash::BuildHasher for Fnv {
    type Hasher = FnvHasher;
    fn build_hasher(&self) -> FnvHasher {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlparser(text: &str) -> Result<Vec<TokenWithSpan>, TokenizerError> {
        Tokenizer::new(&PostgreSqlDialect {}, text).tokenize_with_location()
    }

    /// Where this reader answers, it answers what sqlparser does, spans included.
    fn same(text: &str) -> bool {
        match plain(text) {
            Some(fast) => {
                let slow = sqlparser(text)
                    .unwrap_or_else(|e| panic!("{text:?}: the fast path read it, sqlparser: {e}"));
                assert_eq!(fast, slow, "{text:?}");
                for (f, s) in fast.iter().zip(&slow) {
                    assert_eq!(f.span, s.span, "{text:?}: {:?}", f.token);
                }
                true
            }
            None => false,
        }
    }

    #[test]
    fn plain_sql_is_read_as_sqlparser_reads_it() {
        let read = [
            "SELECT id, email FROM users WHERE id = $1",
            "select u.id from app_public.users u\n  where u.created_at >= $2 and u.x <> 3;",
            "INSERT INTO \"Media\" (user_id, url) VALUES ($1, 'a b') RETURNING id",
            "UPDATE t SET a = a + 1, b = b || 'x' WHERE c != 2 AND d <= 4 OR e > 5",
            "SELECT count(*)::int AS n, x[1] FROM t GROUP BY 1 ORDER BY 2 DESC LIMIT 50",
            "SELECT 10 % 3, 4 / 2, -1, a.b.c\r\nFROM t\rWHERE\ttrue",
            "CREATE TABLE public.t0000 (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY\n);",
            "SELECT select, FROM_, _x, a$b, \"\", '' FROM t",
            "SELECT CURRENT_TIMESTAMP, localtime, Now()",
            "",
            "   \n\n",
        ];
        for text in read {
            assert!(same(text), "not read by the fast path: {text:?}");
        }
    }

    #[test]
    fn anything_else_is_left_to_sqlparser() {
        let left = [
            "SELECT 1 -- comment",
            "SELECT /* c */ 1",
            "SELECT E'a\\nb'",
            "SELECT 'it''s'",
            "SELECT \"a\"\"b\" FROM t",
            "SELECT $$body$$",
            "SELECT $tag$x$tag$",
            "SELECT :name",
            "SELECT 1.5, .5, 1e3, 1_000, 0x1F",
            "SELECT a->>'k', a->'k', a #> b, a @> b, a ? b",
            "SELECT 'unterminated",
            "SELECT é FROM t",
            "SELECT x'ff', b'01', N'n', U&'x'",
            "SELECT a <=> b, a || / b, a =>b, a=-1",
            "SELECT {a}",
            "SELECT `a`",
        ];
        for text in left {
            assert!(!same(text), "the fast path read {text:?}");
        }
    }

    /// Every text built from these pieces, three at a time: what the fast path reads, it reads
    /// as sqlparser does (including the pieces it must leave alone next to each other).
    #[test]
    fn pieces_side_by_side_read_the_same() {
        let pieces = [
            "SELECT", "select", "x", "_a1", "a$", "\"Q\"", "'s'", "''", "1", "12", "$1", "$", " ",
            "\n", "\r\n", "\r", "\t", "(", ")", ",", ";", ".", "[", "]", "<", ">", "=", "!", "|",
            ":", "+", "-", "*", "/", "%", "e", "E", "'", "\"", "\\", "#", "@", "é", "0", "5",
        ];
        let mut read = 0;
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let text = format!("{a}{b}{c}");
                    if same(&text) {
                        read += 1;
                    }
                }
            }
        }
        assert!(read > 20_000, "the fast path read only {read} texts");
    }

    /// The statements of every `.sql` file under `fixtures/` (dumps, migrations, queries):
    /// real text, read the same.
    #[test]
    fn the_fixtures_sql_reads_the_same() {
        fn sql_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    sql_files(&p, out);
                } else if p.extension().is_some_and(|x| x == "sql") {
                    out.push(p);
                }
            }
        }
        let mut files = Vec::new();
        sql_files(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"),
            &mut files,
        );
        let (mut statements, mut read) = (0, 0);
        for f in files {
            let Ok(text) = std::fs::read_to_string(&f) else {
                continue;
            };
            for statement in text.split_inclusive(';') {
                statements += 1;
                read += usize::from(same(statement));
            }
        }
        assert!(
            statements > 300 && read > statements / 3,
            "{read} of {statements}"
        );
    }

    #[test]
    fn keywords_match_sqlparsers_lookup() {
        for (i, k) in ALL_KEYWORDS.iter().enumerate() {
            assert_eq!(keyword(k), ALL_KEYWORDS_INDEX[i], "{k}");
            assert_eq!(
                keyword(&k.to_ascii_lowercase()),
                ALL_KEYWORDS_INDEX[i],
                "{k}"
            );
        }
        assert_eq!(keyword("not_a_keyword_at_all"), Keyword::NoKeyword);
        assert_eq!(keyword(&"a".repeat(40)), Keyword::NoKeyword);
    }
}
