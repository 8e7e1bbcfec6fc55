//! Relations named in SQL that could not be checked: read as tokens, not as a statement.
//!
//! A piece of SQL the parser rejects, or a `DO` block (PL/pgSQL), is listed as not checked,
//! but what it names still counts: a table named only there is not unreferenced, and
//! `schemalint report` must not suggest dropping it. Every word, or `schema.word` pair, that
//! names a relation of the schema is a mention; what the statement does with it is unknown.
//! The body of a dollar-quoted string (`DO $$ ... $$`) is read too, one level down.
//!
//! A word that merely shares a table's name (a column `audit` beside a table `audit`) is a
//! mention as well: the report then keeps a table it might have called unused, never the
//! other way round.

use sqlparser::tokenizer::{Token, TokenWithSpan};

use crate::schema::{Ident, Lookup, QualifiedName, RelationKind, Schema};
use crate::sql::ParsedSql;

use super::TextRange;

/// A relation of the schema named in SQL that was not checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// The name as written.
    pub name: QualifiedName,
    /// Where, in the SQL text.
    pub range: TextRange,
    /// The relation it names: its schema and name.
    pub schema: Ident,
    pub relation: Ident,
}

/// The relations of `schema` that `text` names, in the order it names them (sequences are
/// left out: `report` does not list them).
pub fn named_relations(text: &str, schema: &Schema) -> Vec<Mention> {
    let mut out = Vec::new();
    read(text, 0, schema, true, &mut out);
    out
}

fn read(text: &str, base: u32, schema: &Schema, outer: bool, out: &mut Vec<Mention>) {
    let tokens = match crate::sql::tokens::tokenize(text) {
        Ok(tokens) => tokens,
        // An unterminated quote or comment (often why it did not parse): word by word.
        Err(_) => return read_words(text, base, schema, out),
    };
    let parsed = ParsedSql::new(text);
    let tokens: Vec<&TokenWithSpan> = tokens
        .iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .collect();
    let at = |t: &TokenWithSpan| -> Option<TextRange> {
        let (start, end) = parsed.range(t.span)?;
        Some(TextRange {
            start: base + start,
            end: base + end,
        })
    };
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i].token {
            Token::Word(first) => {
                let second = match (tokens.get(i + 1), tokens.get(i + 2)) {
                    (Some(dot), Some(w)) if dot.token == Token::Period => match &w.token {
                        Token::Word(second) => Some((second, *w)),
                        _ => None,
                    },
                    _ => None,
                };
                let first_name = word_ident(first);
                let mut found = false;
                if let Some((second, w)) = second {
                    // `schema.table`, else `table.column` (the table is the first word).
                    let name = QualifiedName {
                        schema: Some(first_name.clone()),
                        name: word_ident(second),
                    };
                    if let Some(range) = at(tokens[i]).zip(at(w)).map(|(a, b)| TextRange {
                        start: a.start,
                        end: b.end,
                    }) {
                        found = push(schema, name, range, out);
                    }
                }
                if !found {
                    let name = QualifiedName {
                        schema: None,
                        name: first_name,
                    };
                    if let Some(range) = at(tokens[i]) {
                        push(schema, name, range, out);
                    }
                }
                i += if second.is_some() { 3 } else { 1 };
            }
            Token::DollarQuotedString(body) if outer => {
                // The body starts after `$tag$`.
                let open = 2 + body.tag.as_ref().map_or(0, String::len) as u32;
                if let Some(range) = at(tokens[i]) {
                    read(&body.value, range.start + open, schema, false, out);
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
}

/// SQL that does not even tokenize: its words (letters, digits, `_`, `$`; `"quoted"` as
/// written), outside `'strings'` and `--` comments, with `schema.word` pairs.
fn read_words(text: &str, base: u32, schema: &Schema, out: &mut Vec<Mention>) {
    let b = text.as_bytes();
    let word_at = |i: usize| -> Option<(Ident, usize)> {
        match b.get(i)? {
            b'"' => {
                let end = i + 1 + text[i + 1..].find('"')?;
                Some((Ident::quoted(&text[i + 1..end]), end + 1))
            }
            c if c.is_ascii_alphabetic() || *c == b'_' || *c >= 0x80 => {
                let len = text[i..]
                    .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                    .unwrap_or(text.len() - i);
                Some((Ident::unquoted(&text[i..i + len]), i + len))
            }
            _ => None,
        }
    };
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\'' => i = text[i + 1..].find('\'').map_or(b.len(), |n| i + n + 2),
            b'-' if b.get(i + 1) == Some(&b'-') => {
                i = text[i..].find('\n').map_or(b.len(), |n| i + n + 1);
            }
            _ => match word_at(i) {
                Some((first, end)) => {
                    let range = |to: usize| TextRange {
                        start: base + i as u32,
                        end: base + to as u32,
                    };
                    let second = (b.get(end) == Some(&b'.'))
                        .then(|| word_at(end + 1))
                        .flatten();
                    let mut found = false;
                    if let Some((second, to)) = &second {
                        let name = QualifiedName {
                            schema: Some(first.clone()),
                            name: second.clone(),
                        };
                        found = push(schema, name, range(*to), out);
                    }
                    if !found {
                        let name = QualifiedName {
                            schema: None,
                            name: first,
                        };
                        push(schema, name, range(end), out);
                    }
                    i = second.map_or(end, |(_, to)| to);
                }
                None => i += text[i..].chars().next().map_or(1, char::len_utf8),
            },
        }
    }
}

fn word_ident(w: &sqlparser::tokenizer::Word) -> Ident {
    if w.quote_style.is_some() {
        Ident::quoted(&w.value)
    } else {
        Ident::unquoted(&w.value)
    }
}

/// Add `name` when it names a relation (not a sequence) of the schema; whether it did.
fn push(schema: &Schema, name: QualifiedName, range: TextRange, out: &mut Vec<Mention>) -> bool {
    match schema.lookup(&name) {
        Lookup::Found { schema, relation } if relation.kind != RelationKind::Sequence => {
            out.push(Mention {
                schema: schema.clone(),
                relation: relation.name.clone(),
                name,
                range,
            });
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Schema {
        use crate::schema::Relation;
        let mut s = Schema::default();
        for (ns, name, kind) in [
            ("public", "users", RelationKind::Table),
            ("public", "legacy_jobs", RelationKind::Table),
            ("billing", "invoices", RelationKind::Table),
            ("public", "counter", RelationKind::Sequence),
        ] {
            let rel = Relation::new(Ident::from(name), kind);
            s.namespace_mut(&Ident::from(ns))
                .relations
                .insert(rel.name.clone(), rel);
        }
        s
    }

    fn names(text: &str) -> Vec<(String, &str)> {
        named_relations(text, &schema())
            .into_iter()
            .map(|m| {
                let at = &text[m.range.start as usize..m.range.end as usize];
                (format!("{}.{}", m.schema, m.relation), at)
            })
            .collect()
    }

    #[test]
    fn words_that_name_relations_in_sql_that_does_not_parse() {
        assert_eq!(
            names("SELECT payload FROM legacy_jobs WHERE id = 1 LIMIT 1 !!"),
            [("public.legacy_jobs".into(), "legacy_jobs")]
        );
        // Qualified, table-qualified columns, quoted names; keywords and columns are not.
        assert_eq!(
            names(r#"SELEC users.email, i.id FROM billing.invoices i JOIN "users" u"#),
            [
                ("public.users".into(), "users"),
                ("billing.invoices".into(), "billing.invoices"),
                ("public.users".into(), "\"users\""),
            ]
        );
        // Sequences, unknown schemas and names in strings are not mentions.
        assert!(names("SELEC nextval('counter'), 'users' FROM nope.users").is_empty());
    }

    #[test]
    fn a_do_body_is_read_at_its_place() {
        let text = "DO $body$ BEGIN UPDATE legacy_jobs SET id = 1; END $body$";
        assert_eq!(names(text), [("public.legacy_jobs".into(), "legacy_jobs")]);
    }

    #[test]
    fn sql_that_does_not_tokenize_is_read_word_by_word() {
        // An unterminated string: the tokenizer gives up.
        let text = "SELECT * FROM billing.invoices JOIN users ON 'x -- legacy_jobs";
        assert_eq!(
            names(text),
            [
                ("billing.invoices".into(), "billing.invoices"),
                ("public.users".into(), "users"),
            ]
        );
        let text = "-- users\nSELECT \"legacy_jobs\".id FROM legacy_jobs WHERE a = 'b";
        assert_eq!(
            names(text),
            [
                ("public.legacy_jobs".into(), "\"legacy_jobs\""),
                ("public.legacy_jobs".into(), "legacy_jobs"),
            ]
        );
    }
}
