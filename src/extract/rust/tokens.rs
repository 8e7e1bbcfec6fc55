//! Rust source as a token tree: groups in their delimiters, identifiers, punctuation with its
//! spacing, and literals by their source text, each at its byte offset in the file. The subset
//! of proc-macro2's tokens the scan reads, without what makes proc-macro2 slow here (about 150
//! instructions a byte): a `String` per identifier and literal, line/column spans looked up in
//! a thread-local source map, and a copy of a group's tokens each time it is entered. Comments
//! (doc comments included) are skipped; proc-macro2 turns doc comments into `#[doc = ".."]`,
//! which the scan never reads.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delimiter {
    Parenthesis,
    Brace,
    Bracket,
}

/// Whether a punctuation character is immediately followed by another (`=` of `==`, `:` of
/// `::`): [`Spacing::Joint`]; as in proc-macro2, a lifetime's `'` is joint too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spacing {
    Alone,
    Joint,
}

#[derive(Clone, Debug)]
pub enum TokenTree<'a> {
    Group(Group<'a>),
    Ident(Ident<'a>),
    Punct(Punct),
    Literal(Literal<'a>),
}

impl TokenTree<'_> {
    /// The byte offset where the token starts (a group: its opening delimiter).
    pub fn start(&self) -> u32 {
        match self {
            TokenTree::Group(g) => g.start,
            TokenTree::Ident(i) => i.start,
            TokenTree::Punct(p) => p.start,
            TokenTree::Literal(l) => l.start,
        }
    }

    /// The byte offset just past the token (a group: past its closing delimiter).
    pub fn end(&self) -> u32 {
        match self {
            TokenTree::Group(g) => g.end,
            TokenTree::Ident(i) => i.start + i.text.len() as u32,
            TokenTree::Punct(p) => p.start + 1,
            TokenTree::Literal(l) => l.start + l.text.len() as u32,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Group<'a> {
    delimiter: Delimiter,
    tokens: Vec<TokenTree<'a>>,
    start: u32,
    end: u32,
}

impl<'a> Group<'a> {
    pub fn delimiter(&self) -> Delimiter {
        self.delimiter
    }

    /// The tokens between the delimiters.
    pub fn tokens(&self) -> &[TokenTree<'a>] {
        &self.tokens
    }
}

/// An identifier or keyword (`r#type` keeps its `r#`).
#[derive(Clone, Copy, Debug)]
pub struct Ident<'a> {
    text: &'a str,
    start: u32,
}

impl<'a> Ident<'a> {
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    pub fn start(&self) -> u32 {
        self.start
    }
}

impl<T: AsRef<str> + ?Sized> PartialEq<T> for Ident<'_> {
    fn eq(&self, other: &T) -> bool {
        self.text == other.as_ref()
    }
}

impl fmt::Display for Ident<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text)
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Punct {
    ch: u8,
    spacing: Spacing,
    start: u32,
}

impl Punct {
    pub fn as_char(&self) -> char {
        self.ch as char
    }

    pub fn spacing(&self) -> Spacing {
        self.spacing
    }
}

/// A literal as written: `"a\n"`, `r#"..."#`, `b'x'`, `'c'`, `1_000u32`, `1.5e3`.
#[derive(Clone, Copy, Debug)]
pub struct Literal<'a> {
    text: &'a str,
    start: u32,
}

impl<'a> Literal<'a> {
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    pub fn start(&self) -> u32 {
        self.start
    }
}

impl fmt::Display for Literal<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text)
    }
}

/// Why a text is not Rust tokens, and where (1-based line and column, in characters).
#[derive(Debug, PartialEq, Eq)]
pub struct LexError {
    pub message: &'static str,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for LexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {}, column {}",
            self.message, self.line, self.column
        )
    }
}

/// The punctuation characters Rust tokens are made of (proc-macro2's set).
fn is_punct_byte(b: u8) -> bool {
    matches!(
        b,
        b'~' | b'!'
            | b'@'
            | b'#'
            | b'$'
            | b'%'
            | b'^'
            | b'&'
            | b'*'
            | b'-'
            | b'='
            | b'+'
            | b'|'
            | b';'
            | b':'
            | b','
            | b'<'
            | b'.'
            | b'>'
            | b'/'
            | b'?'
            | b'\''
    )
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_ident_continue(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Tokenize a whole file. Fails on what is not Rust tokens: an unclosed or mismatched
/// delimiter, string or block comment, or a character no token starts with.
pub fn parse(text: &str) -> Result<Vec<TokenTree<'_>>, LexError> {
    Lexer { text, pos: 0 }.run()
}

struct Lexer<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn run(mut self) -> Result<Vec<TokenTree<'a>>, LexError> {
        let bytes = self.text.as_bytes();
        // Open groups, innermost last: (delimiter, start, where its tokens start in `tokens`).
        // Every open group's tokens are on the one stack, and a closed group takes its own
        // in one allocation of the exact size, not a vector grown token by token.
        let mut open: Vec<(Delimiter, u32, usize)> = Vec::new();
        let mut tokens: Vec<TokenTree<'a>> = Vec::with_capacity(bytes.len() / 8);
        while let Some(&b) = bytes.get(self.pos) {
            let start = self.pos;
            match b {
                b' ' | b'\t' | b'\n' | b'\r' => self.pos += 1,
                b'/' if bytes.get(start + 1) == Some(&b'/') => {
                    self.pos =
                        memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |n| start + n);
                }
                b'/' if bytes.get(start + 1) == Some(&b'*') => self.block_comment()?,
                b'(' | b'[' | b'{' => {
                    let delimiter = match b {
                        b'(' => Delimiter::Parenthesis,
                        b'[' => Delimiter::Bracket,
                        _ => Delimiter::Brace,
                    };
                    open.push((delimiter, start as u32, tokens.len()));
                    self.pos += 1;
                }
                b')' | b']' | b'}' => {
                    let closes = match b {
                        b')' => Delimiter::Parenthesis,
                        b']' => Delimiter::Bracket,
                        _ => Delimiter::Brace,
                    };
                    let Some((delimiter, group_start, first)) = open.pop() else {
                        return Err(self.error("unexpected closing delimiter", start));
                    };
                    if delimiter != closes {
                        return Err(self.error("mismatched closing delimiter", start));
                    }
                    self.pos += 1;
                    let inner = tokens.drain(first..).collect();
                    tokens.push(TokenTree::Group(Group {
                        delimiter,
                        tokens: inner,
                        start: group_start,
                        end: self.pos as u32,
                    }));
                }
                b'"' => {
                    self.quoted(start + 1, b'"')?;
                    tokens.push(self.literal(start));
                }
                b'\'' => tokens.push(self.quote_or_lifetime()?),
                b'0'..=b'9' => {
                    self.number();
                    tokens.push(self.literal(start));
                }
                _ if is_punct_byte(b) => {
                    self.pos += 1;
                    let joint = bytes.get(self.pos).is_some_and(|&n| {
                        is_punct_byte(n)
                            && !(n == b'/' && matches!(bytes.get(self.pos + 1), Some(b'/' | b'*')))
                    });
                    tokens.push(TokenTree::Punct(Punct {
                        ch: b,
                        spacing: if joint {
                            Spacing::Joint
                        } else {
                            Spacing::Alone
                        },
                        start: start as u32,
                    }));
                }
                _ => {
                    let c = self.text[start..].chars().next().unwrap_or('\0');
                    // A byte-order mark opens a file as whitespace, as rustc reads it.
                    if c.is_whitespace() || (c == '\u{feff}' && start == 0) {
                        self.pos += c.len_utf8();
                    } else if is_ident_start(c) {
                        tokens.push(self.word()?);
                    } else {
                        return Err(self.error("unexpected character", start));
                    }
                }
            }
        }
        if let Some((_, at, _)) = open.last() {
            return Err(self.error("unclosed delimiter", *at as usize));
        }
        Ok(tokens)
    }

    fn error(&self, message: &'static str, at: usize) -> LexError {
        let before = &self.text[..at];
        let line_start = before.rfind('\n').map_or(0, |n| n + 1);
        LexError {
            message,
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }

    fn literal(&self, start: usize) -> TokenTree<'a> {
        TokenTree::Literal(Literal {
            text: &self.text[start..self.pos],
            start: start as u32,
        })
    }

    /// `/* .. */`, nested.
    fn block_comment(&mut self) -> Result<(), LexError> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let mut depth = 0usize;
        let mut i = start;
        while i + 1 < bytes.len() {
            match (bytes[i], bytes[i + 1]) {
                (b'/', b'*') => {
                    depth += 1;
                    i += 2;
                }
                (b'*', b'/') => {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        self.pos = i;
                        return Ok(());
                    }
                }
                _ => i += 1,
            }
        }
        Err(self.error("unclosed block comment", start))
    }

    /// From `from`, just past the opening quote, to past the closing `close`, escapes
    /// skipped; then a suffix.
    fn quoted(&mut self, from: usize, close: u8) -> Result<(), LexError> {
        let bytes = self.text.as_bytes();
        let mut i = from;
        loop {
            match memchr::memchr2(close, b'\\', &bytes[i.min(bytes.len())..]) {
                Some(n) if bytes[i + n] == b'\\' => i += n + 2,
                Some(n) => {
                    self.pos = i + n + 1;
                    self.ident_chars();
                    return Ok(());
                }
                None => return Err(self.error("unclosed string or character literal", from - 1)),
            }
        }
    }

    /// `r"..."`, `r#".."#` from the `r` at `self.pos` (after any `b`/`c` prefix).
    fn raw(&mut self, start: usize) -> Result<(), LexError> {
        let bytes = self.text.as_bytes();
        let hashes = bytes[self.pos + 1..]
            .iter()
            .take_while(|&&b| b == b'#')
            .count();
        let open = self.pos + 1 + hashes;
        if bytes.get(open) != Some(&b'"') {
            return Err(self.error("malformed raw string", start));
        }
        let mut i = open + 1;
        while let Some(n) = memchr::memchr(b'"', &bytes[i.min(bytes.len())..]) {
            let quote = i + n;
            let after = &bytes[quote + 1..];
            if after.len() >= hashes && after[..hashes].iter().all(|&b| b == b'#') {
                self.pos = quote + 1 + hashes;
                self.ident_chars();
                return Ok(());
            }
            i = quote + 1;
        }
        Err(self.error("unclosed raw string", start))
    }

    /// Identifier characters from here on: an identifier's rest, or a literal's suffix
    /// (`1u32`, `"a"suffix`).
    fn ident_chars(&mut self) {
        // ASCII by bytes; from the first other character on, by characters.
        let ascii = self.text.as_bytes()[self.pos..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
        self.pos += ascii;
        if self.text.as_bytes().get(self.pos).is_none_or(u8::is_ascii) {
            return;
        }
        let rest = &self.text[self.pos..];
        let n = rest
            .char_indices()
            .find(|&(_, c)| !is_ident_continue(c))
            .map_or(rest.len(), |(i, _)| i);
        self.pos += n;
    }

    /// An identifier, or a literal with a prefix: `r"..."`, `r#"..."#`, `b".."`, `br".."`,
    /// `b'x'`, `c".."`, `cr".."`; `r#name` is a raw identifier.
    fn word(&mut self) -> Result<TokenTree<'a>, LexError> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let next = |k: usize| bytes.get(start + k).copied();
        let raw_at = match (next(0), next(1), next(2)) {
            (Some(b'r'), Some(b'"' | b'#'), _) => Some(0),
            (Some(b'b' | b'c'), Some(b'r'), Some(b'"' | b'#')) => Some(1),
            _ => None,
        };
        // `r#name`: a raw identifier, not a raw string.
        let raw_ident = raw_at == Some(0)
            && next(1) == Some(b'#')
            && self.text[start + 2..]
                .chars()
                .next()
                .is_some_and(is_ident_start);
        if let (Some(at), false) = (raw_at, raw_ident) {
            self.pos = start + at;
            self.raw(start)?;
            return Ok(self.literal(start));
        }
        match (next(0), next(1)) {
            (Some(b'b' | b'c'), Some(b'"')) => {
                self.quoted(start + 2, b'"')?;
                return Ok(self.literal(start));
            }
            (Some(b'b'), Some(b'\'')) => {
                self.quoted(start + 2, b'\'')?;
                return Ok(self.literal(start));
            }
            _ => {}
        }
        self.pos = if raw_ident { start + 2 } else { start };
        self.ident_chars();
        Ok(TokenTree::Ident(Ident {
            text: &self.text[start..self.pos],
            start: start as u32,
        }))
    }

    /// `'c'`, `'\n'`, `'\u{1F600}'` (a literal), or a lifetime's `'` (joint punctuation; the
    /// name follows as an identifier).
    fn quote_or_lifetime(&mut self) -> Result<TokenTree<'a>, LexError> {
        let start = self.pos;
        let mut chars = self.text[start + 1..].chars();
        let first = chars.next();
        let second = chars.next();
        match (first, second) {
            (Some('\\'), _) => {
                self.quoted(start + 1, b'\'')?;
                Ok(self.literal(start))
            }
            (Some(c), Some('\'')) => {
                self.pos = start + 1 + c.len_utf8() + 1;
                self.ident_chars();
                Ok(self.literal(start))
            }
            (Some(c), _) if is_ident_start(c) => {
                self.pos += 1;
                Ok(TokenTree::Punct(Punct {
                    ch: b'\'',
                    spacing: Spacing::Joint,
                    start: start as u32,
                }))
            }
            _ => Err(self.error("unexpected quote", start)),
        }
    }

    /// `1`, `0x1F`, `1_000u64`, `1.5`, `2.5e-3f64`, `1.` (not `1..2` or `1.max(2)`).
    fn number(&mut self) {
        let bytes = self.text.as_bytes();
        let digits = |i: usize| {
            i + bytes[i..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count()
        };
        let mut i = digits(self.pos);
        let hex = bytes[self.pos..].starts_with(b"0x");
        if !hex && bytes.get(i) == Some(&b'.') {
            let after = bytes.get(i + 1).copied();
            let is_field_or_range = after
                .is_some_and(|b| b == b'.' || b == b'_' || b.is_ascii_alphabetic())
                || self.text[i + 1..]
                    .chars()
                    .next()
                    .is_some_and(|c| !c.is_ascii() && is_ident_start(c));
            if !is_field_or_range {
                i = digits(i + 1);
            }
        }
        // An exponent with a sign: `1e-3`, `2.5E+7`.
        let mantissa = &bytes[self.pos..i.saturating_sub(1)];
        if !hex
            && matches!(bytes.get(i), Some(b'+' | b'-'))
            && matches!(bytes.get(i - 1), Some(b'e' | b'E'))
            && mantissa
                .iter()
                .all(|&b| b.is_ascii_digit() || b == b'_' || b == b'.')
            && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
        {
            i = digits(i + 1);
        }
        self.pos = i;
    }
}

#[cfg(test)]
mod tests;
