//! Views and materialized views the parser rejects as written: a trailing `WITH [NO] DATA` or
//! `WITH [CASCADED | LOCAL] CHECK OPTION` is cut off (it changes no column) and the rest
//! replayed.

use sqlparser::ast::{Query, SetExpr};

use super::tokens::Tok;
use super::Replay;
use crate::sql;

impl Replay<'_> {
    pub(super) fn view_with_trailing_clause(
        &mut self,
        toks: &[Tok],
        stmt: &str,
        offset: usize,
    ) -> bool {
        let Some(cut) = trailing_with_clause(toks) else {
            return false;
        };
        let head = &stmt[..cut];
        match sql::parse(head) {
            Ok(parsed) => {
                for s in &parsed {
                    self.apply(s, head, offset);
                }
                true
            }
            Err(_) => false,
        }
    }
}

/// Byte offset where a view's trailing `WITH [NO] DATA` or `WITH [CASCADED|LOCAL] CHECK
/// OPTION` starts, from the tokens (comments and line breaks between the words are fine).
fn trailing_with_clause(toks: &[Tok]) -> Option<usize> {
    let mut end = toks.len();
    while end > 0 && matches!(toks[end - 1].token, sqlparser::tokenizer::Token::SemiColon) {
        end -= 1;
    }
    let kw: Vec<String> = toks[..end].iter().map(Tok::kw).collect();
    for suffix in [
        &["WITH", "NO", "DATA"][..],
        &["WITH", "DATA"],
        &["WITH", "CASCADED", "CHECK", "OPTION"],
        &["WITH", "LOCAL", "CHECK", "OPTION"],
        &["WITH", "CHECK", "OPTION"],
    ] {
        if kw.len() > suffix.len() && kw[kw.len() - suffix.len()..] == *suffix {
            return Some(toks[end - suffix.len()].start);
        }
    }
    None
}

/// `AS (SELECT ...)`: the query inside redundant parentheses, whose columns are those of the
/// inner query.
pub(super) fn unparenthesized(query: &Query) -> &Query {
    match query.body.as_ref() {
        SetExpr::Query(inner)
            if query.with.is_none() && query.order_by.is_none() && query.limit_clause.is_none() =>
        {
            unparenthesized(inner)
        }
        _ => query,
    }
}
