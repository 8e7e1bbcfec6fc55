//! Drift between two schemas: relations and enums added or removed, columns added, removed or
//! changed (type, nullability, default, identity, generation). Defaults are compared by
//! presence, because the catalog and a DDL file spell the same default differently
//! (`'{}'::jsonb` vs `'{}'`).

use serde::Serialize;

use super::{Column, Ident, Relation, Schema};

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
    for (s, r) in a.relations() {
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
    for (s, r) in b.relations() {
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
    let default = |c: &Column| {
        if c.default.is_some() {
            "a default"
        } else {
            "no default"
        }
        .to_string()
    };
    changed("default", default(a), default(b));
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
            "~ column public.users.email: default no default → a default",
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
