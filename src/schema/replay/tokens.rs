//! The replay's view of a statement before (or instead of) parsing it: sqlparser's tokens with
//! their byte offsets, comments and whitespace left out, and the sorting of a statement into
//! "cannot change the model" / "may change it" from its keywords. No substring matching.

use sqlparser::ast::{self, ObjectName, ObjectNamePart};
use sqlparser::tokenizer::{Token, TokenWithSpan};

use crate::schema::Ident;

/// A significant token and the byte offset where it starts in the statement text.
#[derive(Debug, Clone)]
pub(crate) struct Tok {
    pub token: Token,
    pub start: usize,
}

impl Tok {
    /// The keyword this token spells, upper-cased; empty for quoted words and symbols.
    pub fn kw(&self) -> String {
        match &self.token {
            Token::Word(w) if w.quote_style.is_none() => w.value.to_ascii_uppercase(),
            _ => String::new(),
        }
    }

    pub fn is_kw(&self, kw: &str) -> bool {
        matches!(&self.token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(kw))
    }

    pub fn ident(&self) -> Option<Ident> {
        match &self.token {
            Token::Word(w) if w.quote_style.is_some() => Some(Ident::quoted(&w.value)),
            Token::Word(w) => Some(Ident::unquoted(&w.value)),
            _ => None,
        }
    }
}

/// The significant tokens of `text`; `None` when it does not tokenize (an unterminated string).
pub(crate) fn tokenize(text: &str) -> Option<Vec<Tok>> {
    let tokens = crate::sql::tokens::tokenize(text).ok()?;
    Some(significant(text, &tokens))
}

/// [`tokenize`], and every token as sqlparser's parser takes them
/// ([`crate::sql::parse_tokenized`]): a statement the replay parses is tokenized once.
pub(crate) fn tokenize_for_parse(text: &str) -> Option<(Vec<Tok>, Vec<TokenWithSpan>)> {
    let tokens = crate::sql::tokens::tokenize(text).ok()?;
    Some((significant(text, &tokens), tokens))
}

fn significant(text: &str, tokens: &[TokenWithSpan]) -> Vec<Tok> {
    let kept = tokens
        .iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_) | Token::EOF));
    if text.is_ascii() {
        // A column is a byte: each line's start, then one addition per token.
        let mut line_starts = vec![0usize];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        return kept
            .map(|t| {
                // Line 0 (no location) is the start, as for the walk below.
                let line = usize::try_from(t.span.start.line).unwrap_or(usize::MAX);
                let col = usize::try_from(t.span.start.column).unwrap_or(usize::MAX);
                let at = match line.checked_sub(1) {
                    None => 0,
                    Some(l) => line_starts.get(l).map_or(text.len(), |start| {
                        start.saturating_add(col.saturating_sub(1)).min(text.len())
                    }),
                };
                Tok {
                    start: at,
                    token: t.token.clone(),
                }
            })
            .collect();
    }
    // Locations are (line, column in chars); tokens come in order, so one forward walk over
    // the text turns them all into byte offsets (a per-token lookup is quadratic on the
    // 50 kB one-line statements that generated SQL has).
    let mut chars = text.char_indices().peekable();
    let (mut line, mut col) = (1u64, 1u64);
    let mut out = Vec::with_capacity(tokens.len());
    for t in kept {
        let want = t.span.start;
        let mut at = text.len();
        while let Some(&(i, c)) = chars.peek() {
            if (line, col) >= (want.line, want.column) {
                at = i;
                break;
            }
            chars.next();
            if c == '\n' {
                line += 1;
                col = 1;
            } else {
                col += 1;
            }
        }
        out.push(Tok {
            start: at,
            token: t.token.clone(),
        });
    }
    out
}

/// Upper-cased keywords of `toks` (empty strings for anything else), for positional matching.
pub(crate) fn keywords(toks: &[Tok]) -> Vec<String> {
    toks.iter().map(Tok::kw).collect()
}

/// `a`, `a.b`, `"A".b` from tokens → an ObjectName; `None` for anything else.
pub(crate) fn object_name(tokens: &[Tok]) -> Option<ObjectName> {
    let mut parts = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        match (i % 2, &t.token) {
            (0, Token::Word(w)) => parts.push(ObjectNamePart::Identifier(ast::Ident {
                value: w.value.clone(),
                quote_style: w.quote_style,
                span: sqlparser::tokenizer::Span::empty(),
            })),
            (1, Token::Period) => {}
            _ => return None,
        }
    }
    (!parts.is_empty() && tokens.len() % 2 == 1).then_some(ObjectName(parts))
}

/// The end (exclusive index) of a dotted name starting at `i`.
pub(crate) fn name_end(toks: &[Tok], mut i: usize) -> usize {
    if !matches!(toks.get(i).map(|t| &t.token), Some(Token::Word(_))) {
        return i;
    }
    i += 1;
    while matches!(toks.get(i).map(|t| &t.token), Some(Token::Period))
        && matches!(toks.get(i + 1).map(|t| &t.token), Some(Token::Word(_)))
    {
        i += 2;
    }
    i
}

/// What a statement's keywords say about it, before any parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Cannot change tables, columns, types or schemas: GRANT, COMMENT, functions, indexes,
    /// OWNER TO, constraints other than primary keys, RLS, ...
    Irrelevant,
    /// May change tables, columns, types or schemas: parse and apply.
    Relevant,
    /// `SET [SESSION|LOCAL] search_path ...` / `RESET search_path`.
    SearchPath,
    /// `DO [LANGUAGE x] $$ ... $$`: a PL/pgSQL body whose DDL runs.
    DoBlock,
}

/// Statement kinds that never change the model (first keyword).
const IRRELEVANT_STATEMENTS: &[&str] = &[
    "SET",
    "RESET",
    "SELECT",
    "COMMENT",
    "GRANT",
    "REVOKE",
    "BEGIN",
    "COMMIT",
    "START",
    "END",
    "ROLLBACK",
    "SAVEPOINT",
    "RELEASE",
    "INSERT",
    "UPDATE",
    "DELETE",
    "MERGE",
    "COPY",
    "CLUSTER",
    "REFRESH",
    "ANALYZE",
    "ANALYSE",
    "VACUUM",
    "NOTIFY",
    "LISTEN",
    "UNLISTEN",
    "LOCK",
    "TRUNCATE",
    "REINDEX",
    "SECURITY",
    "CALL",
    "DISCARD",
    "CHECKPOINT",
    "PREPARE",
    "EXECUTE",
    "DEALLOCATE",
    "WITH",
    "VALUES",
    "ABORT",
    "IMPORT",
    "REASSIGN",
    "LOAD",
    "TABLE",
    "SHOW",
    "EXPLAIN",
    "FETCH",
    "CLOSE",
    "DECLARE",
    "MOVE",
    "PERFORM",
];

/// Object kinds whose CREATE/ALTER/DROP never changes relations, columns, enums or schemas.
pub(crate) const IRRELEVANT_OBJECTS: &[&str] = &[
    "FUNCTION",
    "PROCEDURE",
    "TRIGGER",
    "CONSTRAINT",
    "POLICY",
    "INDEX",
    "UNIQUE",
    "EXTENSION",
    "TEXT",
    "PUBLICATION",
    "SUBSCRIPTION",
    "STATISTICS",
    "RULE",
    "AGGREGATE",
    "OPERATOR",
    "CAST",
    "COLLATION",
    "DOMAIN",
    "EVENT",
    "SERVER",
    "USER",
    "ROLE",
    "CONVERSION",
    "LANGUAGE",
    "TRUSTED",
    "PROCEDURAL",
    "ACCESS",
    "TRANSFORM",
    "TABLESPACE",
    "DATABASE",
    "GROUP",
    "DEFAULT",
    "LARGE",
    "ROUTINE",
    "SYSTEM",
];

/// Sort a statement by its keywords (tokens, so case, comments and line breaks don't matter).
pub(crate) fn classify(toks: &[Tok]) -> Kind {
    let kw = keywords(toks);
    let w = |i: usize| kw.get(i).map(String::as_str).unwrap_or("");
    match w(0) {
        "SET" | "RESET" if kw.iter().take(4).any(|k| k == "SEARCH_PATH") => Kind::SearchPath,
        "DO" => Kind::DoBlock,
        first if IRRELEVANT_STATEMENTS.contains(&first) => Kind::Irrelevant,
        "CREATE" => {
            let mut i = 1;
            if w(1) == "OR" && w(2) == "REPLACE" {
                i = 3;
            }
            while matches!(
                w(i),
                "TEMP" | "TEMPORARY" | "UNLOGGED" | "GLOBAL" | "LOCAL" | "RECURSIVE"
            ) {
                i += 1;
            }
            if IRRELEVANT_OBJECTS.contains(&w(i)) || (w(i) == "FOREIGN" && w(i + 1) == "DATA") {
                Kind::Irrelevant
            } else {
                Kind::Relevant
            }
        }
        "ALTER" => classify_alter(toks, &kw),
        "DROP" => match w(1) {
            "TABLE" | "VIEW" | "MATERIALIZED" | "TYPE" | "SCHEMA" | "SEQUENCE" => Kind::Relevant,
            "FOREIGN" if w(2) == "TABLE" => Kind::Relevant,
            "OWNED" => Kind::Relevant,
            _ => Kind::Irrelevant,
        },
        _ => Kind::Relevant,
    }
}

fn classify_alter(toks: &[Tok], kw: &[String]) -> Kind {
    let w = |i: usize| kw.get(i).map(String::as_str).unwrap_or("");
    let (object_end, is_table) = match w(1) {
        "TABLE" => (2, true),
        "FOREIGN" if w(2) == "TABLE" => (3, true),
        "MATERIALIZED" if w(2) == "VIEW" => (3, false),
        "VIEW" | "SEQUENCE" | "TYPE" | "SCHEMA" => (2, false),
        "FOREIGN" if w(2) == "DATA" => return Kind::Irrelevant,
        other if IRRELEVANT_OBJECTS.contains(&other) => return Kind::Irrelevant,
        _ => return Kind::Relevant,
    };
    let mut i = object_end;
    while matches!(w(i), "IF" | "EXISTS" | "ONLY") {
        i += 1;
    }
    i = name_end(toks, i);
    if matches!(toks.get(i).map(|t| &t.token), Some(Token::Mul)) {
        i += 1;
    }
    let actions = split_actions(toks, i);
    if actions.is_empty() {
        return Kind::Relevant;
    }
    let relevant = actions.iter().any(|&(s, _)| {
        if is_table {
            table_action_is_relevant(kw, s)
        } else {
            object_action_is_relevant(kw, s)
        }
    });
    if relevant {
        Kind::Relevant
    } else {
        Kind::Irrelevant
    }
}

/// The `[start, end)` token ranges of the comma-separated actions from `from` on.
pub(crate) fn split_actions(toks: &[Tok], from: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = from;
    for (i, t) in toks.iter().enumerate().skip(from) {
        match t.token {
            Token::LParen | Token::LBracket => depth += 1,
            Token::RParen | Token::RBracket => depth = depth.saturating_sub(1),
            Token::Comma if depth == 0 => {
                out.push((start, i));
                start = i + 1;
            }
            Token::SemiColon if depth == 0 => {
                if start < i {
                    out.push((start, i));
                }
                return out;
            }
            _ => {}
        }
    }
    if start < toks.len() {
        out.push((start, toks.len()));
    }
    out
}

/// Whether one ALTER TABLE action can change columns, nullability, defaults or the name.
fn table_action_is_relevant(kw: &[String], s: usize) -> bool {
    let w = |i: usize| kw.get(i).map(String::as_str).unwrap_or("");
    match w(s) {
        "ADD" => match w(s + 1) {
            // ADD CONSTRAINT name PRIMARY KEY (...) makes columns NOT NULL; other constraints don't.
            "CONSTRAINT" => w(s + 3) == "PRIMARY",
            "PRIMARY" => true,
            "UNIQUE" | "FOREIGN" | "CHECK" | "EXCLUDE" => false,
            _ => true, // ADD [COLUMN] [IF NOT EXISTS] c type
        },
        "DROP" => !matches!(w(s + 1), "CONSTRAINT"),
        "RENAME" => w(s + 1) != "CONSTRAINT",
        "ALTER" => {
            let c = if w(s + 1) == "COLUMN" { s + 3 } else { s + 2 };
            match (w(c), w(c + 1)) {
                ("SET", "STATISTICS" | "STORAGE" | "COMPRESSION" | "") => false,
                ("RESET", _) | ("OPTIONS", _) => false,
                ("", _) if w(s + 1) == "CONSTRAINT" => false,
                _ => w(s + 1) != "CONSTRAINT",
            }
        }
        "SET" => w(s + 1) == "SCHEMA",
        // ATTACH/DETACH PARTITION and [NO] INHERIT change no column now, but decide which
        // tables a later ALTER of the parent reaches.
        "ATTACH" | "DETACH" | "INHERIT" => true,
        "NO" => w(s + 1) == "INHERIT",
        "OWNER" | "ENABLE" | "DISABLE" | "FORCE" | "CLUSTER" | "REPLICA" | "VALIDATE" | "OF"
        | "NOT" | "RESET" | "OPTIONS" => false,
        _ => true,
    }
}

/// ALTER VIEW / MATERIALIZED VIEW / SEQUENCE / TYPE / SCHEMA: renames, moves and enum labels.
fn object_action_is_relevant(kw: &[String], s: usize) -> bool {
    let w = |i: usize| kw.get(i).map(String::as_str).unwrap_or("");
    match w(s) {
        "RENAME" | "AS" => true,
        "SET" => w(s + 1) == "SCHEMA",
        "ADD" => w(s + 1) == "VALUE",
        "OWNER" | "ALTER" | "RESET" | "DEPENDS" | "NO" | "CLUSTER" | "OWNED" | "INCREMENT"
        | "MINVALUE" | "MAXVALUE" | "START" | "RESTART" | "CACHE" | "CYCLE" | "DROP"
        | "ATTRIBUTE" => false,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ASCII path and the character walk place every token where its text starts.
    #[test]
    fn token_offsets_ascii_and_not() {
        let ascii = "CREATE TABLE t (\r\n\tid int, -- note\n  \"Name\" text /* c */);\nALTER TABLE t ADD x int;";
        let wide = format!("{ascii} -- é");
        let a = tokenize(ascii).unwrap();
        let w = tokenize(&wide).unwrap();
        assert_eq!(a.len(), w.len());
        for (x, y) in a.iter().zip(&w) {
            assert_eq!(x.start, y.start, "{:?}", x.token);
            assert!(
                ascii[x.start..].starts_with(&x.token.to_string()),
                "{:?}",
                x.token
            );
        }
        assert!(a.len() > 10);
    }

    fn kind(sql: &str) -> Kind {
        classify(&tokenize(sql).unwrap())
    }

    #[test]
    fn layout_case_and_comments_do_not_change_the_verdict() {
        for sql in [
            "ALTER TABLE public_shares\n    ADD COLUMN include_favorites boolean",
            "ALTER TABLE public_shares\tADD COLUMN x int",
            "alter table t add x int",
            "ALTER /* why */ TABLE -- note\n t ADD COLUMN x int",
            "ALTER TABLE IF EXISTS ONLY \"T\"\n DROP COLUMN x",
            "ALTER TABLE t ADD CONSTRAINT c CHECK (x > 0),\n  ADD COLUMN y int",
            "ALTER TABLE t\nRENAME TO u",
            "ALTER TABLE t\n  ALTER COLUMN x\n  SET NOT NULL",
            "ALTER MATERIALIZED VIEW v SET SCHEMA s",
            "ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY (id)",
        ] {
            assert_eq!(kind(sql), Kind::Relevant, "{sql}");
        }
        for sql in [
            "ALTER TABLE t ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE t\n  ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id)",
            "ALTER TABLE ONLY t OWNER TO app",
            "ALTER TABLE t ALTER COLUMN x SET STATISTICS 100",
            "ALTER TABLE t DROP CONSTRAINT c, ADD CONSTRAINT c UNIQUE (a)",
            "ALTER SEQUENCE s OWNED BY t.id",
            "ALTER VIEW v OWNER TO app",
            "GRANT SELECT ON t TO app",
            "CREATE UNIQUE INDEX i ON t (a)",
        ] {
            assert_eq!(kind(sql), Kind::Irrelevant, "{sql}");
        }
        assert_eq!(kind("SET search_path TO app"), Kind::SearchPath);
        assert_eq!(kind("do $$ begin null; end $$"), Kind::DoBlock);
    }
}
