//! Canonical type names: the text Postgres's `format_type()` prints, so that a schema replayed
//! from DDL and one read from the catalog compare equal (`int4` → `integer`,
//! `varchar(255)` → `character varying(255)`, `timestamptz` → `timestamp with time zone`).

use sqlparser::ast::{DataType, TimezoneInfo};

use super::Ident;

/// The canonical name of a parsed type. `visible` says whether a schema is on the search path
/// (types in such schemas print unqualified, as `format_type` does).
pub fn canonical_type(dt: &DataType, visible: &dyn Fn(&Ident) -> bool) -> String {
    match common_type(dt) {
        Some(name) => name.to_string(),
        None => canonical_type_text(&dt.to_string(), visible),
    }
}

/// The canonical names of the types most columns have, without rendering them as text and
/// reading that back; the same names the text gives (a test compares them).
fn common_type(dt: &DataType) -> Option<&'static str> {
    Some(match dt {
        DataType::Text => "text",
        DataType::Uuid => "uuid",
        DataType::Date => "date",
        DataType::JSON => "json",
        DataType::JSONB => "jsonb",
        DataType::Bytea => "bytea",
        DataType::Bool | DataType::Boolean => "boolean",
        DataType::SmallInt(None) | DataType::Int2(None) => "smallint",
        DataType::Int(None) | DataType::Int4(None) | DataType::Integer(None) => "integer",
        DataType::BigInt(None) | DataType::Int8(None) => "bigint",
        DataType::Timestamp(None, TimezoneInfo::WithTimeZone | TimezoneInfo::Tz) => {
            "timestamp with time zone"
        }
        DataType::Timestamp(None, TimezoneInfo::None | TimezoneInfo::WithoutTimeZone) => {
            "timestamp without time zone"
        }
        _ => return None,
    })
}

/// Canonicalize a type written as text (sqlparser's rendering or the user's own spelling).
pub fn canonical_type_text(text: &str, visible: &dyn Fn(&Ident) -> bool) -> String {
    let mut base = text.trim();
    let mut dims = 0;
    loop {
        let t = base.trim_end();
        if let Some(stripped) = t.strip_suffix("[]") {
            base = stripped;
            dims += 1;
        } else if let Some(open) = t.rfind('[').filter(|_| t.ends_with(']')) {
            // `integer[3]`: Postgres ignores array bounds.
            base = &t[..open];
            dims += 1;
        } else {
            break;
        }
    }
    if let Some(inner) = base
        .trim()
        .strip_prefix("ARRAY<")
        .and_then(|s| s.strip_suffix('>'))
    {
        base = inner;
        dims += 1;
    }
    let mut out = canonical_scalar(base.trim(), visible);
    for _ in 0..dims {
        out.push_str("[]");
    }
    out
}

fn canonical_scalar(text: &str, visible: &dyn Fn(&Ident) -> bool) -> String {
    // Split `name(args) rest`: `timestamp(3) with time zone`, `numeric(10, 2)`.
    let (name, args, rest) = match text.find('(') {
        Some(open) => {
            let close = text[open..].find(')').map_or(text.len(), |c| open + c);
            let args: String = text[open + 1..close]
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            (
                text[..open].trim(),
                Some(args),
                text.get(close + 1..).unwrap_or("").trim(),
            )
        }
        None => (text, None, ""),
    };
    let mut lower_name = name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    let mut lower_rest = rest
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    // `timestamp with time zone` without a precision: the zone is part of the name here.
    for zone in [" without time zone", " with time zone"] {
        if let Some(base) = lower_name.strip_suffix(zone) {
            lower_rest = zone.trim().to_string();
            lower_name = base.to_string();
            break;
        }
    }
    let with_args = |base: &str| match &args {
        Some(a) => format!("{base}({a})"),
        None => base.to_string(),
    };
    let tz = |base: &str, default_with: bool| {
        let with = match lower_rest.as_str() {
            "with time zone" => true,
            "without time zone" => false,
            _ => default_with,
        };
        let zone = if with {
            "with time zone"
        } else {
            "without time zone"
        };
        match &args {
            Some(a) => format!("{base}({a}) {zone}"),
            None => format!("{base} {zone}"),
        }
    };
    match lower_name.as_str() {
        "int" | "int4" | "integer" | "serial" | "serial4" => "integer".into(),
        "int8" | "bigint" | "bigserial" | "serial8" => "bigint".into(),
        "int2" | "smallint" | "smallserial" | "serial2" => "smallint".into(),
        "float8" | "double precision" | "double" => "double precision".into(),
        "float4" | "real" => "real".into(),
        "float" => match args.as_deref().and_then(|a| a.parse::<u32>().ok()) {
            Some(p) if p <= 24 => "real".into(),
            _ => "double precision".into(),
        },
        "bool" | "boolean" => "boolean".into(),
        "varchar" | "character varying" | "char varying" => with_args("character varying"),
        "char" | "character" => format!("character({})", args.as_deref().unwrap_or("1")),
        "\"char\"" => "\"char\"".into(),
        "bpchar" => with_args("bpchar"),
        "decimal" | "numeric" | "dec" => with_args("numeric"),
        "timestamp" => tz("timestamp", false),
        "timestamptz" => tz("timestamp", true),
        "time" => tz("time", false),
        "timetz" => tz("time", true),
        "bit" => format!("bit({})", args.as_deref().unwrap_or("1")),
        "varbit" | "bit varying" => with_args("bit varying"),
        "interval" => match &args {
            Some(a) => format!("interval({a})"),
            None if !lower_rest.is_empty() => format!("interval {lower_rest}"),
            None => "interval".into(),
        },
        "text" | "uuid" | "json" | "jsonb" | "bytea" | "date" | "inet" | "cidr" | "macaddr"
        | "macaddr8" | "money" | "tsvector" | "tsquery" | "xml" | "oid" | "regclass" | "point"
        | "line" | "lseg" | "box" | "path" | "polygon" | "circle" | "int4range" | "int8range"
        | "numrange" | "tsrange" | "tstzrange" | "daterange" | "citext" | "name" | "record"
        | "void" | "pg_lsn" => with_args(&lower_name),
        _ => user_type(name, args.as_deref(), visible),
    }
}

/// A user-defined or extension type: `public.status` prints as `status` when `public` is on
/// the search path; quoted names keep their case.
fn user_type(name: &str, args: Option<&str>, visible: &dyn Fn(&Ident) -> bool) -> String {
    let parts: Vec<Ident> = split_name(name);
    let shown = match parts.as_slice() {
        [schema, ty] if visible(schema) || schema.as_str() == "pg_catalog" => ty.to_sql(),
        [schema, ty] => format!("{}.{}", schema.to_sql(), ty.to_sql()),
        [ty] => ty.to_sql(),
        _ => name.to_string(),
    };
    match args {
        Some(a) => format!("{shown}({a})"),
        None => shown,
    }
}

/// `public."MyType"` → [public, MyType], folding unquoted parts.
fn split_name(name: &str) -> Vec<Ident> {
    let mut parts = Vec::new();
    let mut chars = name.trim().chars().peekable();
    let mut current = String::new();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if current.is_empty() && !quoted => quoted = true,
            '"' if quoted => {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    current.push('"');
                } else {
                    parts.push(Ident::quoted(&current));
                    current.clear();
                    quoted = false;
                    if chars.peek() == Some(&'.') {
                        chars.next();
                    }
                }
            }
            '.' if !quoted => {
                parts.push(Ident::unquoted(&current));
                current.clear();
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        parts.push(if quoted {
            Ident::quoted(&current)
        } else {
            Ident::unquoted(&current)
        });
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        canonical_type_text(s, &|s: &Ident| s.as_str() == "public")
    }

    #[test]
    fn matches_format_type() {
        let cases = [
            ("int", "integer"),
            ("INT4", "integer"),
            ("serial", "integer"),
            ("BIGSERIAL", "bigint"),
            ("int8", "bigint"),
            ("VARCHAR(255)", "character varying(255)"),
            ("CHARACTER VARYING", "character varying"),
            ("char(2)", "character(2)"),
            ("char", "character(1)"),
            ("\"char\"", "\"char\""),
            ("NUMERIC(10, 2)", "numeric(10,2)"),
            ("decimal", "numeric"),
            ("TIMESTAMPTZ", "timestamp with time zone"),
            ("timestamp", "timestamp without time zone"),
            (
                "TIMESTAMP(3) WITHOUT TIME ZONE",
                "timestamp(3) without time zone",
            ),
            ("timestamp with time zone", "timestamp with time zone"),
            ("time with time zone", "time with time zone"),
            ("timetz", "time with time zone"),
            ("float8", "double precision"),
            ("float(10)", "real"),
            ("float", "double precision"),
            ("bool", "boolean"),
            ("TEXT[]", "text[]"),
            ("character varying(10)[]", "character varying(10)[]"),
            ("integer[3]", "integer[]"),
            ("int[][]", "integer[][]"),
            ("public.post_status", "post_status"),
            ("analytics.level", "analytics.level"),
            ("public.\"Mood\"", "\"Mood\""),
            ("bit varying(5)", "bit varying(5)"),
            ("jsonb", "jsonb"),
            ("interval", "interval"),
        ];
        for (input, want) in cases {
            assert_eq!(canon(input), want, "{input}");
        }
    }

    #[test]
    fn common_types_are_named_as_their_text_is() {
        let common = [
            DataType::Text,
            DataType::Uuid,
            DataType::Date,
            DataType::JSON,
            DataType::JSONB,
            DataType::Bytea,
            DataType::Bool,
            DataType::Boolean,
            DataType::SmallInt(None),
            DataType::Int2(None),
            DataType::Int(None),
            DataType::Int4(None),
            DataType::Integer(None),
            DataType::BigInt(None),
            DataType::Int8(None),
            DataType::Timestamp(None, TimezoneInfo::WithTimeZone),
            DataType::Timestamp(None, TimezoneInfo::Tz),
            DataType::Timestamp(None, TimezoneInfo::None),
            DataType::Timestamp(None, TimezoneInfo::WithoutTimeZone),
        ];
        for dt in common {
            let fast = common_type(&dt).unwrap_or_else(|| panic!("{dt:?} has a fast name"));
            assert_eq!(fast, canon(&dt.to_string()), "{dt:?}");
        }
        // With a precision or a modifier, the text decides.
        assert_eq!(
            common_type(&DataType::Timestamp(Some(3), TimezoneInfo::Tz)),
            None
        );
        assert_eq!(common_type(&DataType::Int(Some(4))), None);
    }
}
