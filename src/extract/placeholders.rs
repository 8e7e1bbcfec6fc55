//! Bind parameters written in other libraries' dialects (pgtyped `:id`, `$id`, `$$items(a, b)`;
//! sqlc `sqlc.arg(x)`, `sqlc.narg(x)`, `@x`; named `:name`) rewritten in place to Postgres
//! `$n` of the same byte length, so they are checked as parameters and offsets stay 1:1; and
//! `?` placeholders, which say the SQL is for SQLite or MySQL. pg-promise's formats
//! (`$(name)`, `${name}`, `$<name>`, `$[name]`, `$/name/`, `$1:json`) are values it formats
//! before sending, checked as parameters too; with `:raw`/`^`, `:name`/`~`/`:alias`,
//! `:csv`/`:list` they paste text, a name or a list, and stand-ins keep the rest of the
//! statement checkable. Strings, quoted names, comments and dollar quotes are left alone.

use super::splice::{next_param, HoleContext};

/// Which bytes of SQL text are code (not inside a string, quoted name, comment or dollar
/// quote). pgtyped's `$$items(a, b)` is code, not the start of a dollar quote.
fn code_mask(text: &str) -> Vec<bool> {
    let b = text.as_bytes();
    let mut mask = vec![true; b.len()];
    let mut i = 0;
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let skip_to = |mask: &mut Vec<bool>, from: usize, to: usize| {
        for m in &mut mask[from..to.min(b.len())] {
            *m = false;
        }
    };
    while i < b.len() {
        match b[i] {
            q @ (b'\'' | b'"') => {
                let mut j = i + 1;
                while j < b.len() {
                    if b[j] == q {
                        if b.get(j + 1) == Some(&q) {
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    j += 1;
                }
                skip_to(&mut mask, i, j + 1);
                i = j + 1;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                let j = text[i..].find('\n').map_or(b.len(), |n| i + n);
                skip_to(&mut mask, i, j);
                i = j;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let j = text[i + 2..].find("*/").map_or(b.len(), |n| i + 2 + n + 2);
                skip_to(&mut mask, i, j);
                i = j;
            }
            b'$' => {
                let tag_len = b[i + 1..].iter().take_while(|&&c| ident(c)).count();
                let after = i + 1 + tag_len;
                let starts_with_digit = b.get(i + 1).is_some_and(u8::is_ascii_digit);
                if b.get(after) == Some(&b'$') && !starts_with_digit {
                    // `$$items(` is pgtyped's spread, not a dollar quote.
                    let spread_len = b[after + 1..].iter().take_while(|&&c| ident(c)).count();
                    if tag_len == 0
                        && spread_len > 0
                        && b.get(after + 1 + spread_len) == Some(&b'(')
                    {
                        i = after + 1;
                        continue;
                    }
                    let delim = &text[i..=after];
                    let body = after + 1;
                    let j = text[body..]
                        .find(delim)
                        .map_or(b.len(), |n| body + n + delim.len());
                    skip_to(&mut mask, i, j);
                    i = j;
                } else {
                    i = after.max(i + 1);
                }
            }
            _ => i += 1,
        }
    }
    mask
}

/// A byte a parameter's name starts with.
fn ident_start(c: Option<&u8>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
}

/// Whether a text has what starts a named parameter anywhere (strings and comments
/// included): `:x` (not `::x`), `@x`, `$x`, `$$x`, `sqlc.`. Most statements have none (`$1`
/// is not one), and the code mask is not built for them.
fn may_name_parameters(b: &[u8]) -> bool {
    let marker = memchr::memchr3_iter(b':', b'@', b'$', b).any(|i| {
        let next = b.get(i + 1);
        match b[i] {
            b':' => ident_start(next) && (i == 0 || b[i - 1] != b':'),
            b'$' => {
                ident_start(next) || matches!(next, Some(b'$' | b'(' | b'{' | b'<' | b'[' | b'/'))
            }
            _ => ident_start(next),
        }
    });
    marker
        || memchr::memchr_iter(b'.', b).any(|i| i >= 4 && b[i - 4..i].eq_ignore_ascii_case(b"sqlc"))
}

/// What a pg-promise format pastes: a value (a parameter would do), or text the statement's
/// shape depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Value,
    /// `:csv`, `:list`: values joined by commas (how many is known at run time).
    List,
    /// `:raw`, `^`: text as it is; `:name`, `~`, `:alias`: a quoted name.
    Text,
}

/// pg-promise's format body (`name`, `user.id`, `ids:csv`, `col~`): the name and what it
/// pastes. `None` when it is not one.
fn pg_promise_format(body: &str) -> Option<(&str, Format)> {
    let body = body.trim();
    let (name, format) = if let Some((name, modifier)) = body.split_once(':') {
        let format = match modifier.trim() {
            "json" | "value" => Format::Value,
            "csv" | "list" => Format::List,
            "raw" | "name" | "alias" => Format::Text,
            _ => return None,
        };
        (name.trim_end(), format)
    } else if let Some(name) = body.strip_suffix(['^', '~']) {
        (name, Format::Text)
    } else {
        (body.strip_suffix('#').unwrap_or(body), Format::Value)
    };
    let valid = ident_start(name.as_bytes().first())
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'$');
    valid.then_some((name, format))
}

/// Rewrite other dialects' bind parameters to `$n` of the same length (padded with spaces).
/// The same name gets the same number. Returns whether anything was rewritten, and the
/// byte ranges of the pg-promise formats that paste text, a name or a list (their
/// stand-ins, in the rewritten text).
///
/// `WHERE id = :id AND org = :org` → `WHERE id = $1  AND org = $2  `.
pub fn rewrite_named_parameters(text: &mut String) -> (bool, Vec<(usize, usize)>) {
    if !may_name_parameters(text.as_bytes()) {
        return (false, Vec::new());
    }
    let mask = code_mask(text);
    let b = text.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    // (start, end, name, format); a name `$3` keeps its number.
    let mut edits: Vec<(usize, usize, String, Format)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !mask[i] {
            i += 1;
            continue;
        }
        let prev = i.checked_sub(1).map(|p| b[p]);
        let after_code = prev.is_none_or(|p| !ident(p) && p != b'.');
        let name_end = |from: usize| {
            let mut j = from;
            while j < b.len() && ident(b[j]) {
                j += 1;
            }
            j
        };
        match b[i] {
            // `:name` / `:name!`, not `::type`, not `a[1:2]`.
            b':' if after_code && prev != Some(b':') && ident_start(b.get(i + 1)) => {
                let mut end = name_end(i + 1);
                if b.get(end) == Some(&b'!') {
                    end += 1;
                }
                edits.push((
                    i,
                    end,
                    text[i + 1..end].trim_end_matches('!').to_string(),
                    Format::Value,
                ));
                i = end;
            }
            // sqlc's `@name` (not the `@>`, `@@` operators).
            b'@' if after_code && ident_start(b.get(i + 1)) => {
                let end = name_end(i + 1);
                edits.push((i, end, text[i + 1..end].to_string(), Format::Value));
                i = end;
            }
            // pg-promise's `$(name)`, `${name}`, `$<name>`, `$[name]`, `$/name/`.
            b'$' if matches!(b.get(i + 1), Some(b'(' | b'{' | b'<' | b'[' | b'/')) => {
                let close = match b[i + 1] {
                    b'(' => b')',
                    b'{' => b'}',
                    b'<' => b'>',
                    b'[' => b']',
                    _ => b'/',
                };
                let found = b[i + 2..]
                    .iter()
                    .position(|&c| c == close)
                    .map(|n| i + 2 + n)
                    .and_then(|end| Some((end, pg_promise_format(&text[i + 2..end])?)));
                match found {
                    Some((end, (name, format))) => {
                        edits.push((i, end + 1, name.to_string(), format));
                        i = end + 1;
                    }
                    None => i += 1,
                }
            }
            // pg-promise's `$1:json`, `$1:csv`, `$1:raw`, `$1:name` (not the cast `$1::x`).
            b'$' if b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                let digits = i + 1 + b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
                let modifier = (b.get(digits) == Some(&b':') && b.get(digits + 1) != Some(&b':'))
                    .then(|| name_end(digits + 1))
                    .and_then(|end| {
                        let (_, format) = pg_promise_format(&format!("x{}", &text[digits..end]))?;
                        Some((end, format))
                    });
                match modifier {
                    Some((end, format)) => {
                        edits.push((i, end, text[i..digits].to_string(), format));
                        i = end;
                    }
                    None => i = digits,
                }
            }
            // pgtyped's `$$items(a, b)` spread and `$id` / `$id!`.
            b'$' if b.get(i + 1) == Some(&b'$') && ident_start(b.get(i + 2)) => {
                let name = name_end(i + 2);
                let close = text[name..].find(')').map(|n| name + n);
                match close {
                    Some(close) if b.get(name) == Some(&b'(') => {
                        let fields = text[name + 1..close].split(',').count();
                        edits.push((
                            i,
                            close + 1,
                            format!("({fields}){}", &text[i + 2..name]),
                            Format::Value,
                        ));
                        i = close + 1;
                    }
                    _ => i = name,
                }
            }
            b'$' if ident_start(b.get(i + 1)) => {
                let mut end = name_end(i + 1);
                if b.get(end) == Some(&b'$') {
                    i = end; // a dollar quote that code_mask already skipped
                    continue;
                }
                if b.get(end) == Some(&b'!') {
                    end += 1;
                }
                edits.push((
                    i,
                    end,
                    text[i + 1..end].trim_end_matches('!').to_string(),
                    Format::Value,
                ));
                i = end;
            }
            b's' | b'S' if after_code => {
                let rest = &text[i..];
                let call = ["sqlc.arg(", "sqlc.narg(", "sqlc.slice("].iter().find(|p| {
                    rest.len() >= p.len()
                        && rest.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
                });
                match (call, rest.find(')')) {
                    (Some(p), Some(close)) => {
                        let name = rest[p.len()..close].trim().trim_matches('\'').to_string();
                        edits.push((i, i + close + 1, name, Format::Value));
                        i += close + 1;
                    }
                    _ => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    if edits.is_empty() {
        return (false, Vec::new());
    }
    let mut next = next_param(text);
    let mut numbers: Vec<(String, usize)> = Vec::new();
    let mut pasted = Vec::new();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end, name, format) in edits {
        let len = end - start;
        let pg_promise = matches!(b[start..], [b'$', b'(' | b'{' | b'<' | b'[' | b'/', ..])
            || b.get(start + 1).is_some_and(u8::is_ascii_digit);
        let mut number = |name: String| match numbers.iter().find(|(m, _)| *m == name) {
            Some(&(_, n)) => n,
            None => {
                numbers.push((name, next));
                next += 1;
                next - 1
            }
        };
        let replacement = if format == Format::Text {
            // Text or a name pasted in: what stands for a hole in that place.
            pasted.push((start, end));
            HoleContext::of(&text[..start]).stand_in(next, 0)
        } else if let Some(spread) = name.strip_prefix('(') {
            // `$$items(a, b)` → `($3,$4)`: one parameter per field.
            let fields: usize = spread
                .split(')')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(1);
            let params: Vec<String> = (0..fields).map(|k| format!("${}", next + k)).collect();
            next += fields;
            format!("({})", params.join(","))
        } else {
            if format == Format::List {
                pasted.push((start, end));
            }
            let n = match name.strip_prefix('$').and_then(|n| n.parse().ok()) {
                Some(n) => n,
                None => number(name),
            };
            // pg-promise pastes what it formats as written: `IN $(ids:csv)` lacks its
            // parentheses at run time too.
            if !pg_promise && ends_with_word(&text[..start], "IN") {
                format!("(${n})")
            } else {
                format!("${n}")
            }
        };
        // A stand-in that does not fit (`@x` as `$10`) is left as written.
        if replacement.len() > len {
            pasted.retain(|&p| p != (start, end));
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(&replacement);
        out.push_str(&" ".repeat(len - replacement.len()));
        at = end;
    }
    out.push_str(&text[at..]);
    *text = out;
    (true, pasted)
}

/// Whether `text` (trailing whitespace aside) ends with the keyword `word`, as a whole word.
fn ends_with_word(text: &str, word: &str) -> bool {
    let b = text.trim_end().as_bytes();
    let w = word.as_bytes();
    b.len() >= w.len()
        && b[b.len() - w.len()..].eq_ignore_ascii_case(w)
        && b.len()
            .checked_sub(w.len() + 1)
            .is_none_or(|p| !(b[p].is_ascii_alphanumeric() || b[p] == b'_'))
}

/// Whether SQL text uses `?` placeholders (`= ?`, `VALUES (?, ?)`, `LIMIT ?`), as SQLite and
/// MySQL drivers do; Postgres uses `$1`. The jsonb operators `?`, `?|`, `?&` follow a value
/// and are not placeholders.
pub fn has_question_placeholders(text: &str) -> bool {
    let mask = code_mask(text);
    let b = text.as_bytes();
    (0..b.len()).any(|i| {
        if b[i] != b'?' || !mask[i] {
            return false;
        }
        let before = text[..i].trim_end();
        let after = text[i + 1..].trim_start();
        let prev_ok = before.ends_with(['=', '(', ',', '<', '>'])
            || ["LIMIT", "OFFSET", "IN", "LIKE", "THEN", "ELSE"]
                .iter()
                .any(|k| ends_with_word(before, k));
        let next_ok = after.is_empty()
            || after.starts_with([',', ')', ';'])
            || after
                .split(|c: char| !c.is_ascii_alphabetic())
                .next()
                .is_some_and(|w| {
                    [
                        "AND",
                        "OR",
                        "LIMIT",
                        "OFFSET",
                        "ORDER",
                        "GROUP",
                        "RETURNING",
                        "WHERE",
                    ]
                    .iter()
                    .any(|k| k.eq_ignore_ascii_case(w))
                });
        prev_ok && next_ok
    })
}

/// The database an sqlx-ts `-- @db: name` annotation names, when the name says it is not
/// Postgres (`-- @db: mysql_app`, `-- @db: sqlite`).
pub fn annotated_other_database(text: &str) -> Option<String> {
    let at = text.find("@db:")?;
    if !text[..at].trim_end().ends_with("--") {
        return None;
    }
    let name = text[at + 4..]
        .trim_start()
        .split(|c: char| c.is_whitespace())
        .next()?;
    let lower = name.to_ascii_lowercase();
    ["mysql", "maria", "sqlite", "libsql", "mssql"]
        .iter()
        .any(|k| lower.contains(k))
        .then(|| format!("its `-- @db: {name}` annotation (sqlx-ts) names another database"))
}

/// Rewrite other dialects' parameters and mark SQL for another database, for one statement
/// found in a `.sql` or TypeScript/JavaScript file.
pub fn apply(sql: &mut super::EmbeddedSql) {
    let (_, pasted) = rewrite_named_parameters(&mut sql.text);
    // What pg-promise pastes (a list, text, a name) is only known at run time: the shape
    // findings on it are not made, and the text is never sent to `--verify` as it is.
    for (start, end) in pasted {
        let host_start = sql.map.to_host(start as u32);
        let host_end = sql.map.to_host(end.saturating_sub(1) as u32) + 1;
        let host = crate::diagnostic::Span::new(host_start, host_end);
        if !sql.dynamic.contains(&host) {
            sql.dynamic.push(host);
        }
        sql.spliced.push(super::Splice {
            host,
            sql_start: start as u32,
            sql_end: end as u32,
            kind: super::SpliceKind::Fragment,
        });
    }
    if sql.other_database.is_none() {
        sql.other_database = annotated_other_database(&sql.text).or_else(|| {
            has_question_placeholders(&sql.text).then(|| {
                "it uses `?` placeholders (SQLite or MySQL); Postgres takes `$1`".to_string()
            })
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(s: &str) -> String {
        let mut t = s.to_string();
        let _ = rewrite_named_parameters(&mut t);
        assert_eq!(t.len(), s.len(), "{t:?}");
        t
    }

    #[test]
    fn the_cheap_scan_lets_every_named_parameter_through() {
        for text in [
            ":id",
            "x = :id",
            "@p",
            "$id",
            "$$rows(a)",
            "SQLC.ARG(x)",
            "sqlc.narg('o')",
        ] {
            assert!(may_name_parameters(text.as_bytes()), "{text}");
        }
        for text in [
            "SELECT * FROM t WHERE id = $1",
            "x::text",
            "a[1:2]",
            "tags @> '{a}'",
            "",
        ] {
            assert!(!may_name_parameters(text.as_bytes()), "{text}");
        }
    }

    #[test]
    fn dialects() {
        assert_eq!(
            rewritten("SELECT * FROM t WHERE id = :id AND x = :id AND y::text = 'a:b'"),
            "SELECT * FROM t WHERE id = $1  AND x = $1  AND y::text = 'a:b'"
        );
        assert_eq!(
            rewritten("SELECT * FROM t WHERE id = $id! AND o = $1"),
            "SELECT * FROM t WHERE id = $2   AND o = $1"
        );
        assert_eq!(
            rewritten("INSERT INTO t (a, b) VALUES $$rows(a, b)"),
            "INSERT INTO t (a, b) VALUES ($1,$2)     "
        );
        assert_eq!(
            rewritten("SELECT * FROM t WHERE id = sqlc.arg(id) AND o = sqlc.narg('o') AND p = @p"),
            "SELECT * FROM t WHERE id = $1           AND o = $2             AND p = $3"
        );
        assert_eq!(
            rewritten("SELECT * FROM t WHERE id in :ids"),
            "SELECT * FROM t WHERE id in ($1)"
        );
        let body = "CREATE FUNCTION f() RETURNS int AS $$ SELECT :x $$ LANGUAGE sql";
        assert_eq!(rewritten(body), body);
        let ops = "SELECT * FROM t WHERE tags @> '{a}' AND doc @@ q AND a[1:2] = b";
        assert_eq!(rewritten(ops), ops);
    }

    /// pg-promise: values it formats are parameters; what pastes text, a name or a list has
    /// a stand-in and its place is returned.
    #[test]
    fn pg_promise_formats() {
        let pasted = |s: &str| {
            let mut t = s.to_string();
            let (_, pasted) = rewrite_named_parameters(&mut t);
            assert_eq!(t.len(), s.len(), "{t:?}");
            (t, pasted)
        };
        assert_eq!(
            rewritten("SELECT * FROM t WHERE a = $(a) AND b = ${b} AND c = $<c> AND d = $[d] AND e = $/e/ AND f = $(a)"),
            "SELECT * FROM t WHERE a = $1   AND b = $2   AND c = $3   AND d = $4   AND e = $5   AND f = $1  "
        );
        assert_eq!(
            rewritten(
                "UPDATE t SET doc = $(doc:json), n = $(user.n#) WHERE id = $1 AND x = $2:json"
            ),
            "UPDATE t SET doc = $3         , n = $4         WHERE id = $1 AND x = $2     "
        );
        // `IN $(ids:csv)` lacks its parentheses when it runs too: left without them.
        let (t, at) = pasted("SELECT * FROM t WHERE id IN ($(ids:csv)) OR id IN $(more:list)");
        assert_eq!(
            t,
            "SELECT * FROM t WHERE id IN ($1        ) OR id IN $2          "
        );
        assert_eq!(at, [(29, 39), (50, 62)]);
        let (t, at) = pasted("SELECT $(cols:name) FROM $(table~) WHERE $(cond:raw) AND x = $1:raw");
        assert_eq!(
            t,
            "SELECT 1            FROM $2        WHERE TRUE        AND x = $2    "
        );
        assert_eq!(at.len(), 4);
        // Not formats: a cast, an array slice, a dollar quote, `$` in a string.
        for text in [
            "SELECT $1::text, a[$1:2] FROM t",
            "SELECT $body$ $(x) $body$",
            "SELECT '$(x)' FROM t",
            "SELECT $(1x) FROM t",
        ] {
            assert_eq!(rewritten(text), text);
        }
    }

    #[test]
    fn sqlx_ts_annotations() {
        assert!(annotated_other_database("-- @db: mysql_app\nSELECT 1").is_some());
        assert!(annotated_other_database("-- @db: main\nSELECT 1").is_none());
    }

    #[test]
    fn question_marks() {
        assert!(has_question_placeholders("SELECT * FROM t WHERE id = ?"));
        assert!(has_question_placeholders(
            "INSERT INTO t (a, b) VALUES (?, ?)"
        ));
        assert!(has_question_placeholders(
            "SELECT * FROM t WHERE a = ? AND b = 1 LIMIT ?"
        ));
        assert!(!has_question_placeholders(
            "SELECT * FROM t WHERE doc ? 'key'"
        ));
        assert!(!has_question_placeholders(
            "SELECT * FROM t WHERE doc ?| array['a']"
        ));
        assert!(!has_question_placeholders(
            "SELECT '?' FROM t WHERE id = $1"
        ));
    }
}
