//! Functions in the model: what a `CREATE [OR REPLACE] FUNCTION` says about the rows it
//! returns (the columns a `FROM f(...)` item has). Bodies, argument types and volatility are
//! not modelled; only what name resolution needs.

use serde::{Deserialize, Serialize};
use sqlparser::ast::{ArgMode, CreateFunction, DataType, FunctionReturnType, ObjectNamePart};

use super::{Ident, QualifiedName};

/// What one function returns, as far as a FROM item's columns are concerned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum FunctionResult {
    /// A base type (`RETURNS integer`, `RETURNS SETOF text`): one column, named after a
    /// single named OUT parameter if there is one, else the FROM alias, else the function.
    Scalar { out_name: Option<Ident> },
    /// `RETURNS TABLE (a int, b text)` or several OUT parameters: these columns.
    Columns { names: Vec<Ident> },
    /// `RETURNS [SETOF] some_table`: the columns that table has when the query runs.
    Relation { schema: Option<Ident>, name: Ident },
    /// `record` without OUT parameters, a composite type we don't model, `trigger`, ...
    Unknown,
}

/// What the catalog says a function returns (src/schema/queries/functions.sql): the names of
/// its OUT/INOUT/TABLE parameters (`""` when unnamed), its result's `typtype`, and the relation
/// a composite result is the row type of.
pub fn catalog_result(
    outs: &[String],
    typtype: &str,
    relation: Option<(&str, &str)>,
) -> FunctionResult {
    let named = |n: &String| (!n.is_empty()).then(|| Ident::quoted(n));
    match outs {
        [one] => FunctionResult::Scalar {
            out_name: named(one),
        },
        [_, _, ..] => match outs.iter().map(named).collect::<Option<Vec<_>>>() {
            Some(names) => FunctionResult::Columns { names },
            None => FunctionResult::Unknown,
        },
        [] => match (typtype, relation) {
            ("b" | "d" | "e" | "r" | "m", _) => FunctionResult::Scalar { out_name: None },
            ("c", Some((schema, name))) => FunctionResult::Relation {
                schema: Some(Ident::quoted(schema)),
                name: Ident::quoted(name),
            },
            _ => FunctionResult::Unknown,
        },
    }
}

/// One overload: its input-argument signature (as written, for OR REPLACE) and result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Function {
    pub signature: String,
    pub result: FunctionResult,
}

/// The result of `cf`, as recorded in the model. `is_type` says whether a name is a scalar
/// type of the model (an enum or domain), so `RETURNS mood` is one column.
pub fn function_of(cf: &CreateFunction, is_type: &dyn Fn(&QualifiedName) -> bool) -> Function {
    let args = cf.args.as_deref().unwrap_or_default();
    let outs: Vec<Option<Ident>> = args
        .iter()
        .filter(|a| matches!(a.mode, Some(ArgMode::Out | ArgMode::InOut)))
        .map(|a| a.name.as_ref().map(Ident::from_ast))
        .collect();
    let signature = args
        .iter()
        .filter(|a| !matches!(a.mode, Some(ArgMode::Out)))
        .map(|a| a.data_type.to_string().to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(",");
    let data_type = match &cf.return_type {
        Some(FunctionReturnType::DataType(t) | FunctionReturnType::SetOf(t)) => Some(t),
        None => None,
    };
    let result = match (data_type, outs.as_slice()) {
        (Some(DataType::Table(Some(cols))), _) => FunctionResult::Columns {
            names: cols.iter().map(|c| Ident::from_ast(&c.name)).collect(),
        },
        // One OUT parameter: a scalar result named after it.
        (_, [one]) => FunctionResult::Scalar {
            out_name: one.clone(),
        },
        (_, [_, _, ..]) => match outs.iter().cloned().collect::<Option<Vec<_>>>() {
            Some(names) => FunctionResult::Columns { names },
            // An unnamed OUT parameter is called `column2`, ...: not worth modelling.
            None => FunctionResult::Unknown,
        },
        (Some(t), []) => type_result(t, is_type),
        (None, []) => FunctionResult::Unknown,
    };
    Function { signature, result }
}

fn type_result(t: &DataType, is_type: &dyn Fn(&QualifiedName) -> bool) -> FunctionResult {
    match t {
        DataType::Custom(name, _) => {
            let parts: Vec<Ident> = name
                .0
                .iter()
                .filter_map(ObjectNamePart::as_ident)
                .map(Ident::from_ast)
                .collect();
            let qname = match parts.as_slice() {
                [n] => QualifiedName {
                    schema: None,
                    name: n.clone(),
                },
                [s, n] => QualifiedName {
                    schema: Some(s.clone()),
                    name: n.clone(),
                },
                _ => return FunctionResult::Unknown,
            };
            if is_type(&qname) || is_builtin_scalar_type(qname.name.as_str()) {
                FunctionResult::Scalar { out_name: None }
            } else if is_pseudo_type(qname.name.as_str()) {
                FunctionResult::Unknown
            } else {
                // A table's row type, or a composite type: looked up when a query uses it.
                FunctionResult::Relation {
                    schema: qname.schema,
                    name: qname.name,
                }
            }
        }
        DataType::Table(_) | DataType::Unspecified | DataType::Trigger => FunctionResult::Unknown,
        // Every other parsed type is a base type (`integer`, `text[]`, `timestamptz`, ...).
        _ => FunctionResult::Scalar { out_name: None },
    }
}

/// Base types sqlparser parses as a custom name.
fn is_builtin_scalar_type(name: &str) -> bool {
    matches!(
        name,
        "citext"
            | "tsvector"
            | "tsquery"
            | "inet"
            | "cidr"
            | "macaddr"
            | "money"
            | "oid"
            | "regclass"
            | "int4range"
            | "int8range"
            | "tstzrange"
            | "tsrange"
            | "daterange"
            | "numrange"
            | "ltree"
            | "hstore"
            | "geometry"
            | "geography"
            | "vector"
    )
}

fn is_pseudo_type(name: &str) -> bool {
    matches!(
        name,
        "record" | "void" | "trigger" | "event_trigger" | "internal" | "anyelement"
    )
}

/// Record a `CREATE [OR REPLACE] FUNCTION` in `schema`: an unqualified name goes into the
/// first schema of the search path. OR REPLACE (or a repeat) replaces the overload with the
/// same input arguments.
pub(crate) fn record_create_function(
    schema: &mut super::Schema,
    into: &Ident,
    cf: &CreateFunction,
) {
    let Some((ns, name)) = split_name(into, &cf.name) else {
        return;
    };
    let is_type = |q: &QualifiedName| {
        let ns = q.schema.clone().unwrap_or_else(|| into.clone());
        schema
            .namespace(&ns)
            .is_some_and(|n| n.enums.contains_key(&q.name))
    };
    let mut function = function_of(cf, &is_type);
    // The row type of a relation that exists now (Postgres resolves the type when the
    // function is created); a composite type we don't model is unknown.
    if let FunctionResult::Relation { schema: s, name } = &function.result {
        let qname = QualifiedName {
            schema: s.clone(),
            name: name.clone(),
        };
        function.result = match schema.lookup(&qname) {
            super::Lookup::Found { schema: s, .. } => FunctionResult::Relation {
                schema: Some(s.clone()),
                name: name.clone(),
            },
            _ => FunctionResult::Unknown,
        };
    }
    let overloads = schema.namespace_mut(&ns).functions.entry(name).or_default();
    overloads.retain(|f| f.signature != function.signature);
    overloads.push(function);
}

/// Apply `DROP FUNCTION name[(args)]`: without an argument list, every overload goes.
pub(crate) fn record_drop_function(
    schema: &mut super::Schema,
    into: &Ident,
    drop: &sqlparser::ast::DropFunction,
) {
    for desc in &drop.func_desc {
        let Some((ns, name)) = split_name(into, &desc.name) else {
            continue;
        };
        let Some(ns) = schema.namespaces.get_mut(&ns) else {
            continue;
        };
        let signature = desc.args.as_ref().map(|args| {
            args.iter()
                .filter(|a| !matches!(a.mode, Some(ArgMode::Out)))
                .map(|a| a.data_type.to_string().to_ascii_lowercase())
                .collect::<Vec<_>>()
                .join(",")
        });
        if let Some(overloads) = ns.functions.get_mut(&name) {
            overloads.retain(|f| signature.as_ref().is_some_and(|s| &f.signature != s));
            if overloads.is_empty() {
                ns.functions.remove(&name);
            }
        }
    }
}

fn split_name(into: &Ident, name: &sqlparser::ast::ObjectName) -> Option<(Ident, Ident)> {
    let parts: Vec<Ident> = name
        .0
        .iter()
        .map(|p| p.as_ident().map(Ident::from_ast))
        .collect::<Option<_>>()?;
    match parts.as_slice() {
        [n] => Some((into.clone(), n.clone())),
        [s, n] | [_, s, n] => Some((s.clone(), n.clone())),
        _ => None,
    }
}

/// The replay's hook for statements that cannot change tables: a `CREATE [OR REPLACE]
/// FUNCTION` or `DROP FUNCTION` is recorded (unqualified names go into `into`); anything else,
/// or a function definition sqlparser can't read, leaves the model alone (such a function's
/// FROM items are then simply not judged).
pub(crate) fn replay_function(schema: &mut super::Schema, into: &Ident, stmt: &str) {
    use sqlparser::ast::Statement;
    use sqlparser::keywords::Keyword;
    use sqlparser::tokenizer::{Token, Tokenizer};

    // A cheap prefilter so that big INSERT seeds are not tokenized; the tokens decide.
    let head = stmt
        .as_bytes()
        .get(..stmt.len().min(400))
        .unwrap_or_default();
    if !head.windows(8).any(|w| w.eq_ignore_ascii_case(b"function")) {
        return;
    }
    let dialect = sqlparser::dialect::PostgreSqlDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, stmt).tokenize() else {
        return;
    };
    let words: Vec<Keyword> = tokens
        .iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .take(4)
        .map(|t| match t {
            Token::Word(w) => w.keyword,
            _ => Keyword::NoKeyword,
        })
        .collect();
    let is_function = matches!(
        words.as_slice(),
        [Keyword::CREATE, Keyword::FUNCTION, ..]
            | [
                Keyword::CREATE,
                Keyword::OR,
                Keyword::REPLACE,
                Keyword::FUNCTION
            ]
            | [Keyword::DROP, Keyword::FUNCTION, ..]
    );
    if !is_function {
        return;
    }
    let Ok(parsed) = crate::sql::parse(stmt) else {
        return;
    };
    for s in &parsed {
        match s {
            Statement::CreateFunction(cf) => record_create_function(schema, into, cf),
            Statement::DropFunction(df) => record_drop_function(schema, into, df),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Schema;

    fn replayed(ddl: &str) -> Schema {
        let mut schema = Schema::default();
        let mut warnings = Vec::new();
        crate::schema::replay::apply_sql(
            &mut schema,
            std::path::Path::new("m.sql"),
            ddl,
            &mut warnings,
        );
        assert!(warnings.is_empty(), "{warnings:?}");
        schema
    }

    fn result(schema: &Schema, name: &str) -> Option<FunctionResult> {
        let (s, n) = name.split_once('.').unwrap_or(("public", name));
        schema.function_result(&QualifiedName {
            schema: Some(Ident::from(s)),
            name: Ident::from(n),
        })
    }

    fn names(list: &[&str]) -> Vec<Ident> {
        list.iter().map(|n| Ident::from(*n)).collect()
    }

    // See: issue 11, item 10.
    #[test]
    fn the_replay_records_what_functions_return() {
        let schema = replayed(
            "CREATE TYPE mood AS ENUM ('ok');
             CREATE TABLE t (id int);
             CREATE SCHEMA app;
             CREATE FUNCTION f_setof() RETURNS SETOF t LANGUAGE sql AS $$ SELECT * FROM t $$;
             CREATE OR REPLACE FUNCTION app.f_table(q text)
               RETURNS TABLE (id int, label text) LANGUAGE sql STABLE AS $$ SELECT 1, 'a' $$;
             CREATE FUNCTION f_out(IN a int, OUT x int, INOUT y text) LANGUAGE sql AS $$ SELECT 1, 'a' $$;
             CREATE FUNCTION f_one_out(a int, OUT total bigint) LANGUAGE sql AS $$ SELECT 1::bigint $$;
             CREATE FUNCTION f_scalar() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
             CREATE FUNCTION f_enum() RETURNS mood LANGUAGE sql AS $$ SELECT 'ok'::mood $$;
             CREATE FUNCTION f_record() RETURNS SETOF record LANGUAGE sql AS $$ SELECT 1 $$;
             CREATE FUNCTION f_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN NEW.id = 1; RETURN NEW; END $$;",
        );
        assert_eq!(
            result(&schema, "f_setof"),
            Some(FunctionResult::Relation {
                schema: Some(Ident::from("public")),
                name: Ident::from("t")
            })
        );
        assert_eq!(
            result(&schema, "app.f_table"),
            Some(FunctionResult::Columns {
                names: names(&["id", "label"])
            })
        );
        assert_eq!(
            result(&schema, "f_out"),
            Some(FunctionResult::Columns {
                names: names(&["x", "y"])
            })
        );
        assert_eq!(
            result(&schema, "f_one_out"),
            Some(FunctionResult::Scalar {
                out_name: Some(Ident::from("total"))
            })
        );
        for scalar in ["f_scalar", "f_enum"] {
            assert_eq!(
                result(&schema, scalar),
                Some(FunctionResult::Scalar { out_name: None }),
                "{scalar}"
            );
        }
        for unknown in ["f_record", "f_trigger"] {
            assert_eq!(result(&schema, unknown), Some(FunctionResult::Unknown));
        }
        assert_eq!(result(&schema, "app.f_setof"), None);
    }

    #[test]
    fn or_replace_and_drop() {
        let schema = replayed(
            "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
             CREATE OR REPLACE FUNCTION f(a int) RETURNS TABLE (n int) LANGUAGE sql AS $$ SELECT 1 $$;",
        );
        assert_eq!(
            result(&schema, "f"),
            Some(FunctionResult::Columns {
                names: names(&["n"])
            })
        );
        let schema = replayed(
            "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
             CREATE FUNCTION f(a text) RETURNS TABLE (n int) LANGUAGE sql AS $$ SELECT 1 $$;",
        );
        // Two overloads that disagree: we don't pick one by argument type.
        assert_eq!(result(&schema, "f"), Some(FunctionResult::Unknown));
        let schema = replayed(
            "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
             CREATE FUNCTION f(a text) RETURNS TABLE (n int) LANGUAGE sql AS $$ SELECT 1 $$;
             DROP FUNCTION f(text);",
        );
        assert_eq!(
            result(&schema, "f"),
            Some(FunctionResult::Scalar { out_name: None })
        );
        let schema = replayed(
            "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
             DROP FUNCTION IF EXISTS f;",
        );
        assert_eq!(result(&schema, "f"), None);
    }
}
