//! `CREATE TABLE t (LIKE src [INCLUDING ... | EXCLUDING ...], more columns ...)` from tokens:
//! sqlparser keeps a lone LIKE clause without what it implies and rejects LIKE followed by
//! more elements, so the LIKE parts are copied here and the rest is parsed on its own.

use sqlparser::ast::{Expr, Statement, TableConstraint};
use sqlparser::tokenizer::Token;

use super::tokens::{name_end, object_name, Tok};
use super::Replay;
use crate::schema::{Column, Ident, Relation, RelationKind};
use crate::sql;

/// One element of the parenthesised list: its token range.
struct Element {
    start: usize,
    end: usize,
}

impl Replay<'_> {
    /// Returns whether the statement was a CREATE TABLE with a LIKE element (and so handled).
    pub(super) fn create_table_like(&mut self, toks: &[Tok], stmt: &str, offset: usize) -> bool {
        let kw: Vec<String> = toks.iter().map(Tok::kw).collect();
        let w = |i: usize| kw.get(i).map(String::as_str).unwrap_or("");
        let Some(table_kw) = kw.iter().take(6).position(|x| x == "TABLE") else {
            return false;
        };
        let temporary = kw[..table_kw]
            .iter()
            .any(|k| k == "TEMP" || k == "TEMPORARY");
        let mut i = table_kw + 1;
        let if_not_exists = w(i) == "IF" && w(i + 1) == "NOT" && w(i + 2) == "EXISTS";
        if if_not_exists {
            i += 3;
        }
        let name_start = i;
        let name_stop = name_end(toks, i);
        let Some(name) = object_name(&toks[name_start..name_stop]) else {
            return false;
        };
        if !matches!(toks.get(name_stop).map(|t| &t.token), Some(Token::LParen)) {
            return false;
        }
        // The elements between the parentheses, split at top-level commas.
        let mut elements = Vec::new();
        let mut depth = 0usize;
        let mut start = name_stop + 1;
        let mut close = None;
        for (j, t) in toks.iter().enumerate().skip(name_stop + 1) {
            match t.token {
                Token::LParen => depth += 1,
                Token::RParen if depth == 0 => {
                    elements.push(Element { start, end: j });
                    close = Some(j);
                    break;
                }
                Token::RParen => depth -= 1,
                Token::Comma if depth == 0 => {
                    elements.push(Element { start, end: j });
                    start = j + 1;
                }
                _ => {}
            }
        }
        let Some(close) = close else {
            return false;
        };
        if !elements.iter().any(|e| w(e.start) == "LIKE") {
            return false;
        }
        if temporary {
            return true; // gone when the migration's session ends
        }
        let Some((schema, table)) = self.locate(&name) else {
            return false;
        };
        if (if_not_exists || self.guarded) && self.exists(&schema, &table) {
            return true;
        }
        // Everything but the LIKE elements, as a statement of its own.
        let others: Vec<&str> = elements
            .iter()
            .filter(|e| w(e.start) != "LIKE" && e.start < e.end)
            .map(|e| stmt[toks[e.start].start..toks[e.end].start].trim())
            .collect();
        let mut own_columns = Vec::new();
        let mut primary_key: Vec<Ident> = Vec::new();
        let mut partitioned = false;
        if !others.is_empty() {
            let rest = &stmt[toks[close].start + 1..];
            let text = format!(
                "CREATE TABLE {} ({}){rest}",
                &stmt[toks[name_start].start..toks[name_stop].start].trim(),
                others.join(", ")
            );
            let Ok(parsed) = sql::parse(&text) else {
                return false;
            };
            let Some(Statement::CreateTable(ct)) = parsed.first() else {
                return false;
            };
            partitioned = ct.partition_by.is_some();
            own_columns = ct.columns.iter().map(|d| self.column(d, offset)).collect();
            for c in &ct.constraints {
                if let TableConstraint::PrimaryKey(pk) = c {
                    for c in &pk.columns {
                        if let Expr::Identifier(id) = &c.column.expr {
                            primary_key.push(Ident::from_ast(id));
                        }
                    }
                }
            }
        }
        let own_names: Vec<Ident> = own_columns.iter().map(|c| c.name.clone()).collect();
        let mut own = own_columns.into_iter();
        let mut columns: Vec<Column> = Vec::new();
        for e in &elements {
            if w(e.start) != "LIKE" {
                let is_constraint = matches!(
                    w(e.start),
                    "CONSTRAINT" | "PRIMARY" | "UNIQUE" | "CHECK" | "FOREIGN" | "EXCLUDE"
                );
                if !is_constraint && e.start < e.end {
                    columns.extend(own.next());
                }
                continue;
            }
            let src_end = name_end(toks, e.start + 1);
            let Some(source) = object_name(&toks[e.start + 1..src_end]) else {
                return false;
            };
            let options: Vec<(bool, String)> = kw[src_end..e.end]
                .chunks(2)
                .filter(|c| c.len() == 2 && (c[0] == "INCLUDING" || c[0] == "EXCLUDING"))
                .map(|c| (c[0] == "INCLUDING", c[1].clone()))
                .collect();
            let including = |what: &str| {
                options
                    .iter()
                    .rev()
                    .find(|(_, o)| o == what || o == "ALL")
                    .is_some_and(|(inc, _)| *inc)
            };
            let Some(src) = self
                .locate(&source)
                .and_then(|(ss, st)| self.relation(&ss, &st).cloned())
            else {
                self.warn(
                    stmt,
                    offset,
                    format!("LIKE source `{source}` is not in the schema"),
                );
                return true;
            };
            for c in &src.columns {
                columns.push(Column {
                    name: c.name.clone(),
                    data_type: c.data_type.clone(),
                    nullable: c.nullable,
                    default: c.default.clone().filter(|_| including("DEFAULTS")),
                    identity: c.identity.filter(|_| including("IDENTITY")),
                    generated: c.generated.clone().filter(|_| including("GENERATED")),
                    created: Some(self.provenance(offset)),
                });
            }
        }
        for c in &mut columns {
            if primary_key.contains(&c.name) {
                c.nullable = false;
            }
        }
        let kind = if partitioned {
            RelationKind::PartitionedTable
        } else {
            RelationKind::Table
        };
        let owned: Vec<Ident> = columns
            .iter()
            .filter(|c| {
                c.identity.is_some()
                    || c.default.as_deref() == Some("nextval(…)") && own_serial(c, &own_names)
            })
            .map(|c| c.name.clone())
            .collect();
        let mut rel = Relation::new(table.clone(), kind);
        rel.created = Some(self.provenance(offset));
        rel.columns = columns;
        self.insert_relation(schema.clone(), rel);
        for col in owned {
            self.owned_sequence(&schema, &table, &col, None, offset);
        }
        true
    }
}

/// A serial column written in this statement (a copied `nextval` default shares the source's
/// sequence instead).
fn own_serial(c: &Column, own: &[Ident]) -> bool {
    own.contains(&c.name)
}
