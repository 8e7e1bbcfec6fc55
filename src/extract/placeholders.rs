//! Bind parameters written in other libraries' dialects (pgtyped `:id`, `$id`, `$$items(a, b)`;
//! sqlc `sqlc.arg(x)`, `sqlc.narg(x)`, `@x`; named `:name`) rewritten in place to Postgres
//! `$n` of the same byte length, so they are checked as parameters and offsets stay 1:1; and
//! `?` placeholders, which say the SQL is for SQLite or MySQL. Strings, quoted names,
//! comments and dollar quotes are left alone.

use super::splice::next_param;

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
            b'$' => ident_start(next) || next == Some(&b'$'),
            _ => ident_start(next),
        }
    });
    marker
        || memchr::memchr_iter(b'.', b).any(|i| i >= 4 && b[i - 4..i].eq_ignore_ascii_case(b"sqlc"))
}

/// Rewrite other dialects' bind parameters to `$n` of the same length (padded with spaces).
/// The same name gets the same number. Returns whether anything was rewritten.
///
/// `WHERE id = :id AND org = :org` → `WHERE id = $1  AND org = $2  `.
pub fn rewrite_named_parameters(text: &mut String) -> bool {
    if !may_name_parameters(text.as_bytes()) {
        return false;
    }
    let mask = code_mask(text);
    let b = text.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut edits: Vec<(usize, usize, String)> = Vec::new(); // (start, end, name)
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
                edits.push((i, end, text[i + 1..end].trim_end_matches('!').to_string()));
                i = end;
            }
            // sqlc's `@name` (not the `@>`, `@@` operators).
            b'@' if after_code && ident_start(b.get(i + 1)) => {
                let end = name_end(i + 1);
                edits.push((i, end, text[i + 1..end].to_string()));
                i = end;
            }
            // pgtyped's `$$items(a, b)` spread and `$id` / `$id!`.
            b'$' if b.get(i + 1) == Some(&b'$') && ident_start(b.get(i + 2)) => {
                let name = name_end(i + 2);
                let close = text[name..].find(')').map(|n| name + n);
                match close {
                    Some(close) if b.get(name) == Some(&b'(') => {
                        let fields = text[name + 1..close].split(',').count();
                        edits.push((i, close + 1, format!("({fields}){}", &text[i + 2..name])));
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
                edits.push((i, end, text[i + 1..end].trim_end_matches('!').to_string()));
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
                        edits.push((i, i + close + 1, name));
                        i += close + 1;
                    }
                    _ => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    if edits.is_empty() {
        return false;
    }
    let mut next = next_param(text);
    let mut numbers: Vec<(String, usize)> = Vec::new();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end, name) in edits {
        let len = end - start;
        let replacement = if let Some(spread) = name.strip_prefix('(') {
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
            let n = match numbers.iter().find(|(m, _)| *m == name) {
                Some(&(_, n)) => n,
                None => {
                    numbers.push((name, next));
                    next += 1;
                    next - 1
                }
            };
            if ends_with_word(&text[..start], "IN") {
                format!("(${n})")
            } else {
                format!("${n}")
            }
        };
        // A stand-in that does not fit (`@x` as `$10`) is left as written.
        if replacement.len() > len {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(&replacement);
        out.push_str(&" ".repeat(len - replacement.len()));
        at = end;
    }
    out.push_str(&text[at..]);
    *text = out;
    true
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
    rewrite_named_parameters(&mut sql.text);
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
        rewrite_named_parameters(&mut t);
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
