//! `DO $$ ... $$` blocks: the static DDL statements of a PL/pgSQL body are replayed as if they
//! stood on their own (the `IF NOT EXISTS (...) THEN ALTER TABLE ... END IF` and `BEGIN ...
//! EXCEPTION WHEN duplicate_column THEN NULL; END` idioms, nested blocks, any `$tag$`), and
//! `EXECUTE` of DDL built at run time is reported where it stands.

use sqlparser::tokenizer::Token;

use super::tokens::{tokenize, Tok};
use super::Replay;

/// Words that start an SQL statement in a body whose effect the replay must see.
const DDL_STARTS: &[&str] = &["CREATE", "ALTER", "DROP", "SET", "RESET"];

/// Words after which a new PL/pgSQL statement starts (besides `;`).
const STATEMENT_BOUNDARIES: &[&str] = &["THEN", "ELSE", "LOOP", "BEGIN", "DECLARE"];

impl Replay<'_> {
    pub(super) fn do_block(&mut self, toks: &[Tok], stmt: &str, offset: usize) {
        let language = toks
            .iter()
            .position(|t| t.is_kw("LANGUAGE"))
            .and_then(|i| toks.get(i + 1))
            .map(Tok::kw);
        if let Some(lang) = language.filter(|l| l != "PLPGSQL") {
            self.warn(
                stmt,
                offset,
                format!(
                    "DO block in language {} was not read; DDL it runs was not applied",
                    lang.to_ascii_lowercase()
                ),
            );
            return;
        }
        let body = toks.iter().skip(1).find_map(|t| match &t.token {
            Token::DollarQuotedString(d) => Some((t.start, d)),
            _ => None,
        });
        let Some((start, dq)) = body else {
            self.warn(
                stmt,
                offset,
                "DO block body is not $$-quoted and was not read; DDL it runs was not applied"
                    .into(),
            );
            return;
        };
        // `$tag$...$tag$`: the body starts after the opening tag.
        let body_start = start + dq.tag.as_ref().map_or(0, String::len) + 2;
        let body = match stmt.get(body_start..body_start + dq.value.len()) {
            Some(b) if b == dq.value => b,
            _ => dq.value.as_str(),
        };
        let guarded = std::mem::replace(&mut self.guarded, true);
        self.plpgsql_body(body, offset + body_start);
        self.guarded = guarded;
    }

    /// Walk a PL/pgSQL body statement by statement; `base` is the body's offset in the file.
    fn plpgsql_body(&mut self, body: &str, base: usize) {
        let Some(toks) = tokenize(body) else {
            self.warn(
                body,
                base,
                "DO block body could not be read; DDL it runs was not applied".into(),
            );
            return;
        };
        let mut i = 0;
        let mut at_start = true;
        while i < toks.len() {
            let t = &toks[i];
            let kw = t.kw();
            if at_start && (DDL_STARTS.contains(&kw.as_str()) || kw == "EXECUTE") {
                let end = statement_end(&toks, i);
                let text_end = toks.get(end).map_or(body.len(), |t| t.start);
                let text = body[t.start..text_end].trim_end();
                if kw == "EXECUTE" {
                    self.execute(&toks[i + 1..end], text, base + t.start, base);
                } else {
                    self.statement(text, base + t.start);
                }
                i = end + 1;
                at_start = true;
                continue;
            }
            at_start =
                matches!(t.token, Token::SemiColon) || STATEMENT_BOUNDARIES.contains(&kw.as_str());
            i += 1;
        }
    }

    /// `EXECUTE 'ALTER TABLE ...'` with one literal is static and replayed; anything built at
    /// run time (`format(...)`, `||`, a variable) that may be DDL is reported.
    fn execute(&mut self, args: &[Tok], text: &str, offset: usize, base: usize) {
        if let [Tok {
            token: Token::SingleQuotedString(sql),
            start,
        }] = args
        {
            // +1: past the opening quote (exact unless the literal holds doubled quotes).
            self.statement(sql, base + start + 1);
            return;
        }
        // EXECUTE format('ALTER TABLE %I ADD COLUMN %I text', 'todos', 'title'): every argument
        // a literal, so the statement is known.
        if let Some(sql) = static_format(args) {
            self.statement(&sql, offset);
            return;
        }
        let literals: Vec<&String> = args
            .iter()
            .filter_map(|t| match &t.token {
                Token::SingleQuotedString(s) => Some(s),
                Token::DollarQuotedString(d) => Some(&d.value),
                _ => None,
            })
            .collect();
        let may_be_ddl = literals.is_empty()
            || literals.iter().any(|s| {
                tokenize(s)
                    .and_then(|t| t.first().map(Tok::kw))
                    .is_some_and(|k| DDL_STARTS.contains(&k.as_str()))
            });
        if may_be_ddl {
            self.warn(
                text,
                offset,
                "DDL built at run time (EXECUTE in a DO block) was not applied; queries against what it changes may be misjudged".into(),
            );
        }
    }
}

/// The index of the `;` ending the statement that starts at `from` (or the token count).
fn statement_end(toks: &[Tok], from: usize) -> usize {
    let mut depth = 0usize;
    for (i, t) in toks.iter().enumerate().skip(from) {
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            Token::SemiColon if depth == 0 => return i,
            _ => {}
        }
    }
    toks.len()
}

/// The text of `format('...', 'a', 'b')` when the format and every argument are literals
/// (`%I` quoted as an identifier when needed, `%L` as a literal, `%s` as is, `%%` a `%`).
fn static_format(args: &[Tok]) -> Option<String> {
    let [name, Tok {
        token: Token::LParen,
        ..
    }, inner @ .., Tok {
        token: Token::RParen,
        ..
    }] = args
    else {
        return None;
    };
    if !name.is_kw("format") {
        return None;
    }
    let mut values = Vec::new();
    for (i, t) in inner.iter().enumerate() {
        match (&t.token, i % 2) {
            (Token::SingleQuotedString(v), 0) => values.push(v.clone()),
            (Token::Comma, 1) => {}
            _ => return None,
        }
    }
    let (fmt, rest) = values.split_first()?;
    let mut rest = rest.iter();
    let mut out = String::new();
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '%' => out.push('%'),
            's' => out.push_str(rest.next()?),
            'I' => {
                let v = rest.next()?;
                let plain = v
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
                    && v.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                if plain {
                    out.push_str(v);
                } else {
                    out.push_str(&format!("\"{}\"", v.replace('"', "\"\"")));
                }
            }
            'L' => out.push_str(&format!("'{}'", rest.next()?.replace('\'', "''"))),
            _ => return None, // positions, widths: not worth guessing
        }
    }
    Some(out)
}
