//! Drift between two schemas: relations and enums added or removed, columns added, removed or
//! changed (type, nullability, default, identity, generation). Defaults are compared after
//! normalising both spellings (the catalog writes `'{}'::jsonb` where a DDL file wrote `'{}'`),
//! so `'pending'` → `'draft'` is drift and `now()` vs `NOW()` is not. Sequences are not drift.

use serde::Serialize;

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

use super::{Column, Ident, Relation, RelationKind, Schema};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "change")]
pub enum Change {
    RelationAdded {
        relation: String,
        kind: String,
    },
    RelationRemoved {
        relation: String,
        kind: String,
    },
    KindChanged {
        relation: String,
        from: String,
        to: String,
    },
    ColumnAdded {
        relation: String,
        column: String,
        r#type: String,
    },
    ColumnRemoved {
        relation: String,
        column: String,
    },
    ColumnChanged {
        relation: String,
        column: String,
        what: String,
        from: String,
        to: String,
    },
    EnumAdded {
        r#enum: String,
    },
    EnumRemoved {
        r#enum: String,
    },
    EnumLabelsChanged {
        r#enum: String,
        from: Vec<String>,
        to: Vec<String>,
    },
}

/// Everything that differs from `a` to `b`, in a stable order.
pub fn diff(a: &Schema, b: &Schema) -> Vec<Change> {
    let mut out = Vec::new();
    let qualified = |s: &Ident, n: &Ident| format!("{}.{}", s.to_sql(), n.to_sql());
    let kind = |r: &Relation| format!("{:?}", r.kind).to_lowercase();
    for (s, r) in a
        .relations()
        .filter(|(_, r)| r.kind != RelationKind::Sequence)
    {
        match b.namespace(s).and_then(|ns| ns.relations.get(&r.name)) {
            None => out.push(Change::RelationRemoved {
                relation: qualified(s, &r.name),
                kind: kind(r),
            }),
            Some(other) => {
                if other.kind != r.kind {
                    out.push(Change::KindChanged {
                        relation: qualified(s, &r.name),
                        from: kind(r),
                        to: kind(other),
                    });
                }
                columns(&qualified(s, &r.name), r, other, &mut out);
            }
        }
    }
    for (s, r) in b
        .relations()
        .filter(|(_, r)| r.kind != RelationKind::Sequence)
    {
        if a.namespace(s)
            .and_then(|ns| ns.relations.get(&r.name))
            .is_none()
        {
            out.push(Change::RelationAdded {
                relation: qualified(s, &r.name),
                kind: kind(r),
            });
        }
    }
    for (s, ns) in &a.namespaces {
        for (name, e) in &ns.enums {
            match b.namespace(s).and_then(|n| n.enums.get(name)) {
                None => out.push(Change::EnumRemoved {
                    r#enum: qualified(s, name),
                }),
                Some(other) if other.labels != e.labels => out.push(Change::EnumLabelsChanged {
                    r#enum: qualified(s, name),
                    from: e.labels.clone(),
                    to: other.labels.clone(),
                }),
                Some(_) => {}
            }
        }
    }
    for (s, ns) in &b.namespaces {
        for name in ns.enums.keys() {
            if a.namespace(s).and_then(|n| n.enums.get(name)).is_none() {
                out.push(Change::EnumAdded {
                    r#enum: qualified(s, name),
                });
            }
        }
    }
    out
}

fn columns(relation: &str, a: &Relation, b: &Relation, out: &mut Vec<Change>) {
    for col in &a.columns {
        match b.column(&col.name) {
            None => out.push(Change::ColumnRemoved {
                relation: relation.into(),
                column: col.name.to_sql(),
            }),
            Some(other) => compare_column(relation, col, other, out),
        }
    }
    for col in &b.columns {
        if a.column(&col.name).is_none() {
            out.push(Change::ColumnAdded {
                relation: relation.into(),
                column: col.name.to_sql(),
                r#type: col.data_type.clone(),
            });
        }
    }
}

fn compare_column(relation: &str, a: &Column, b: &Column, out: &mut Vec<Change>) {
    let mut changed = |what: &str, from: String, to: String| {
        if from != to {
            out.push(Change::ColumnChanged {
                relation: relation.into(),
                column: a.name.to_sql(),
                what: what.into(),
                from,
                to,
            });
        }
    };
    changed("type", a.data_type.clone(), b.data_type.clone());
    let null = |c: &Column| if c.nullable { "null" } else { "not null" }.to_string();
    changed("nullability", null(a), null(b));
    let (da, db) = (
        a.default.as_deref().map(normalize_default),
        b.default.as_deref().map(normalize_default),
    );
    if da != db {
        let shown = |c: &Column| {
            c.default
                .clone()
                .unwrap_or_else(|| "no default".to_string())
        };
        changed("default", shown(a), shown(b));
    }
    let identity = |c: &Column| {
        c.identity.map_or("no identity".to_string(), |i| {
            format!("identity {i:?}").to_lowercase()
        })
    };
    changed("identity", identity(a), identity(b));
    let generated = |c: &Column| {
        if c.generated.is_some() {
            "generated"
        } else {
            "not generated"
        }
        .to_string()
    };
    changed("generated", generated(a), generated(b));
}

/// A default expression in a comparable form: tokens with casts (`::text`, `::character
/// varying`) and redundant outer parentheses removed, keywords upper-cased, `INTERVAL '1 day'`
/// as `'1 day'`, and every `nextval(...)` alike (the replay doesn't know sequence names).
/// `'pending'::character varying` and `'pending'` are the same; `'pending'` and `'draft'` are not.
pub fn normalize_default(expr: &str) -> String {
    let dialect = PostgreSqlDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, expr).tokenize() else {
        return expr.trim().to_string();
    };
    let tokens: Vec<Token> = tokens
        .into_iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::DoubleColon => {
                // Skip the type: words (`character varying`, `timestamp with time zone`),
                // dotted names, `(n)` modifiers and `[]`.
                i += 1;
                let mut depth = 0usize;
                while let Some(t) = tokens.get(i) {
                    match t {
                        Token::Word(_) | Token::Period if depth == 0 => {}
                        Token::LParen | Token::LBracket => depth += 1,
                        Token::RParen | Token::RBracket if depth > 0 => depth -= 1,
                        _ if depth > 0 => {}
                        _ => break,
                    }
                    i += 1;
                }
                continue;
            }
            Token::Word(w)
                if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("interval") =>
            {
                if matches!(tokens.get(i + 1), Some(Token::SingleQuotedString(_))) {
                    i += 1;
                    continue;
                }
                out.push("INTERVAL".into());
            }
            Token::Word(w) if w.quote_style.is_none() => out.push(w.value.to_ascii_uppercase()),
            other => out.push(other.to_string()),
        }
        i += 1;
    }
    if out.first().is_some_and(|w| w == "NEXTVAL") {
        return "NEXTVAL(…)".into();
    }
    // `(now() + '1 day')` vs `now() + '1 day'`: outer parentheses that wrap everything.
    while out.len() >= 2 && out[0] == "(" && out[out.len() - 1] == ")" && wraps_all(&out) {
        out.remove(0);
        out.pop();
    }
    out.join(" ")
}

/// Whether the first `(` closes at the last token.
fn wraps_all(tokens: &[String]) -> bool {
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate() {
        match t.as_str() {
            "(" => depth += 1,
            ")" => {
                depth = depth.saturating_sub(1);
                if depth == 0 && i + 1 < tokens.len() {
                    return false;
                }
            }
            _ => {}
        }
    }
    true
}

/// One line per change: `+ table public.assets`, `- column public.media.media_type`,
/// `~ column public.users.email: type text → character varying(255)`.
pub fn render_human(changes: &[Change]) -> String {
    let mut out = String::new();
    for c in changes {
        let line = match c {
            Change::RelationAdded { relation, kind } => format!("+ {kind} {relation}"),
            Change::RelationRemoved { relation, kind } => format!("- {kind} {relation}"),
            Change::KindChanged { relation, from, to } => format!("~ {relation}: {from} → {to}"),
            Change::ColumnAdded {
                relation,
                column,
                r#type,
            } => format!("+ column {relation}.{column} {type}"),
            Change::ColumnRemoved { relation, column } => format!("- column {relation}.{column}"),
            Change::ColumnChanged {
                relation,
                column,
                what,
                from,
                to,
            } => {
                format!("~ column {relation}.{column}: {what} {from} → {to}")
            }
            Change::EnumAdded { r#enum } => format!("+ enum {enum}"),
            Change::EnumRemoved { r#enum } => format!("- enum {enum}"),
            Change::EnumLabelsChanged { r#enum, from, to } => {
                format!("~ enum {enum}: ({}) → ({})", from.join(", "), to.join(", "))
            }
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{EnumType, Identity, RelationKind};

    fn schema(f: impl Fn(&mut Schema)) -> Schema {
        let mut s = Schema::default();
        let mut users = Relation::new("users".into(), RelationKind::Table);
        let mut id = Column::new("id".into(), "bigint");
        id.nullable = false;
        id.identity = Some(Identity::Always);
        users.columns = vec![id, Column::new("email".into(), "text")];
        let ns = s.namespace_mut(&"public".into());
        ns.relations.insert("users".into(), users);
        ns.enums.insert(
            "mood".into(),
            EnumType {
                name: "mood".into(),
                labels: vec!["ok".into()],
            },
        );
        f(&mut s);
        s
    }

    fn users(s: &mut Schema) -> &mut Relation {
        s.namespace_mut(&"public".into())
            .relations
            .get_mut(&"users".into())
            .unwrap()
    }

    #[test]
    fn defaults_are_compared_by_value_not_by_spelling() {
        let with = |d: &str| {
            let d = d.to_string();
            schema(move |s| users(s).columns[1].default = Some(d.clone()))
        };
        let text = render_human(&diff(&with("'pending'"), &with("'draft'::text")));
        assert!(text.contains("default 'pending' → 'draft'::text"), "{text}");
        for (a, b) in [
            ("'pending'::character varying", "'pending'"),
            ("now()", "NOW()"),
            ("'{}'::jsonb", "'{}'"),
            ("(now() + '1 day'::interval)", "now() + INTERVAL '1 day'"),
            ("nextval('users_id_seq'::regclass)", "nextval(…)"),
        ] {
            assert!(diff(&with(a), &with(b)).is_empty(), "{a} vs {b}");
        }
        assert!(!diff(&with("0"), &with("1")).is_empty());
    }

    #[test]
    fn identical_schemas_have_no_drift() {
        assert!(diff(&schema(|_| {}), &schema(|_| {})).is_empty());
    }

    #[test]
    fn every_kind_of_drift_is_found() {
        let a = schema(|_| {});
        let b = schema(|s| {
            let u = users(s);
            u.columns[1].data_type = "character varying(255)".into();
            u.columns[1].nullable = false;
            u.columns[1].default = Some("''".into());
            u.columns[0].identity = Some(Identity::ByDefault);
            u.columns.push(Column::new("name".into(), "text"));
            u.kind = RelationKind::PartitionedTable;
            let ns = s.namespace_mut(&"public".into());
            ns.relations.insert(
                "assets".into(),
                Relation::new("assets".into(), RelationKind::View),
            );
            ns.enums
                .get_mut(&"mood".into())
                .unwrap()
                .labels
                .push("happy".into());
            ns.enums.insert(
                "stage".into(),
                EnumType {
                    name: "stage".into(),
                    labels: vec![],
                },
            );
        });
        let text = render_human(&diff(&a, &b));
        for expected in [
            "~ public.users: table → partitionedtable",
            "~ column public.users.email: type text → character varying(255)",
            "~ column public.users.email: nullability null → not null",
            "~ column public.users.email: default no default → ''",
            "~ column public.users.id: identity identity always → identity bydefault",
            "+ column public.users.name text",
            "+ view public.assets",
            "~ enum public.mood: (ok) → (ok, happy)",
            "+ enum public.stage",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
        let back = render_human(&diff(&b, &a));
        assert!(
            back.contains("- view public.assets")
                && back.contains("- column public.users.name")
                && back.contains("- enum public.stage"),
            "{back}"
        );
    }
}
