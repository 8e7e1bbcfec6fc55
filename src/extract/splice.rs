//! Where a value pasted into SQL text lands (a value, a condition, a list, a name) and the
//! text that stands in for it so the rest of the statement still parses. Shared by the host
//! languages; it reads only the SQL written before the hole, never the host syntax.

use super::{leading_word, SpliceKind};

/// The SQL position of a hole, judged from the text before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoleContext {
    /// Where a parameter would do: after `=`, `<`, `LIKE`, `LIMIT`, in `VALUES (`, `IN (`.
    Value,
    /// Inside a quoted string literal: `'%${q}%'`.
    InString,
    /// `IN ${ids}`: a parenthesised list of values.
    ValueList,
    /// `$${i}`: the number of a bind parameter, built at run time.
    ParamNumber,
    /// `WHERE ${clauses.join(' AND ')}`: one or more conditions.
    Condition,
    /// `SET ${fields.join(', ')}`: assignments.
    Assignments,
    /// `VALUES ${placeholders}`: rows.
    Rows,
    /// `SELECT ${cols}`, `ORDER BY ${col}`: columns or expressions.
    Columns,
    /// `FROM ${table}`: a table name; nothing after it can be resolved.
    Name,
    /// Anything else (`FROM users ${where}`): a clause pasted in whole.
    Clause,
}

/// Keywords after which a name (not a value) comes.
const NAME_KEYWORDS: &[&str] = &["FROM", "JOIN", "INTO", "UPDATE", "TABLE", "USING"];
const VALUE_KEYWORDS: &[&str] = &[
    "LIKE", "ILIKE", "LIMIT", "OFFSET", "IS", "BETWEEN", "THEN", "ELSE", "WHEN", "SIMILAR",
];
const CONDITION_KEYWORDS: &[&str] = &["WHERE", "AND", "OR", "ON", "HAVING", "NOT"];
const COLUMN_KEYWORDS: &[&str] = &["SELECT", "BY", "DISTINCT", "RETURNING"];

impl HoleContext {
    /// Judge the position of a hole from the SQL text before it (`before`).
    pub fn of(before: &str) -> HoleContext {
        if before.ends_with('$') {
            return HoleContext::ParamNumber;
        }
        // An odd number of single quotes: the hole is inside a string literal.
        if before.bytes().filter(|&b| b == b'\'').count() % 2 == 1 {
            return HoleContext::InString;
        }
        let t = before.trim_end();
        let Some(last) = t.chars().last() else {
            return HoleContext::Clause;
        };
        // `*` after `SELECT`, `,` or `t.` is every column, not a product: what follows is
        // the rest of the statement.
        if last == '*' {
            let before = t[..t.len() - 1].trim_end();
            let word = last_word(before).to_ascii_uppercase();
            if before.ends_with(['.', ',', '('])
                || matches!(word.as_str(), "SELECT" | "DISTINCT" | "RETURNING")
            {
                return HoleContext::Clause;
            }
        }
        if "=<>!+-*/%|".contains(last) {
            return HoleContext::Value;
        }
        if last == '(' || last == ',' {
            // In a list: values, unless the list is of columns (`SELECT a, ${b}`,
            // `INSERT INTO t (${cols})`).
            let clause = last_word_of(t, |w| {
                COLUMN_KEYWORDS.contains(&w)
                    || matches!(
                        w,
                        "INTO" | "VALUES" | "WHERE" | "SET" | "ON" | "HAVING" | "AND" | "OR"
                    )
            });
            return match clause.as_deref() {
                Some("SELECT" | "BY" | "DISTINCT" | "RETURNING" | "INTO") => HoleContext::Columns,
                _ => HoleContext::Value,
            };
        }
        let word = last_word(t).to_ascii_uppercase();
        let w = word.as_str();
        if w == "IN" {
            HoleContext::ValueList
        } else if VALUE_KEYWORDS.contains(&w) {
            HoleContext::Value
        } else if CONDITION_KEYWORDS.contains(&w) {
            HoleContext::Condition
        } else if w == "SET" {
            HoleContext::Assignments
        } else if w == "VALUES" {
            HoleContext::Rows
        } else if COLUMN_KEYWORDS.contains(&w) {
            HoleContext::Columns
        } else if NAME_KEYWORDS.contains(&w) || t.ends_with('.') {
            HoleContext::Name
        } else {
            HoleContext::Clause
        }
    }

    /// Whether a parameter could take the hole's place (so pasting a value there is an
    /// injection hole, and the statement's shape does not depend on it).
    pub fn is_value(self) -> bool {
        matches!(self, HoleContext::Value | HoleContext::InString)
    }

    /// What a hole in this position pastes, given whether its expression is a constant.
    pub fn kind(self, constant: bool) -> SpliceKind {
        match (self.is_value(), constant) {
            (_, true) => SpliceKind::Constant,
            (true, false) => SpliceKind::Value,
            (false, false) => SpliceKind::Fragment,
        }
    }

    /// The text that stands for the hole, padded with spaces to `len` bytes when shorter, so
    /// that the statement parses and the rest of it can be checked. `n` is the next free
    /// parameter number. Stand-ins name nothing in the schema but `a` in `a=1`; findings on a
    /// stand-in are dropped by the checker.
    ///
    /// `UPDATE t SET ${fields} WHERE id = $1` → `UPDATE t SET a=1      WHERE id = $1`.
    pub fn stand_in(self, n: usize, len: usize) -> String {
        let mut s = match self {
            HoleContext::Value | HoleContext::InString | HoleContext::Name => format!("${n}"),
            HoleContext::ValueList => format!("(${n})"),
            HoleContext::ParamNumber => n.to_string(),
            HoleContext::Condition => "TRUE".to_string(),
            HoleContext::Assignments => "a=1".to_string(),
            HoleContext::Rows => "(1)".to_string(),
            HoleContext::Columns => "1".to_string(),
            HoleContext::Clause => String::new(),
        };
        if s.len() < len {
            s.push_str(&" ".repeat(len - s.len()));
        }
        s
    }
}

/// The SQL tokens of `text` other than whitespace and comments (none if it does not tokenize,
/// e.g. inside an open quote).
fn significant_tokens(text: &str) -> Vec<sqlparser::tokenizer::Token> {
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::tokenizer::{Token, Tokenizer};
    Tokenizer::new(&PostgreSqlDialect {}, text)
        .tokenize()
        .unwrap_or_default()
        .into_iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .collect()
}

/// `INSERT INTO t (a, b, c)` with nothing after the column list: how many columns it names.
/// (A query builder then pushes the `VALUES` rows: `QueryBuilder::new("INSERT INTO t (a, b) ")`.)
pub fn insert_column_list(text: &str) -> Option<usize> {
    use sqlparser::keywords::Keyword;
    use sqlparser::tokenizer::Token;
    let tokens = significant_tokens(text);
    let is_kw = |t: Option<&Token>, k: Keyword| matches!(t, Some(Token::Word(w)) if w.keyword == k);
    if !(is_kw(tokens.first(), Keyword::INSERT) && is_kw(tokens.get(1), Keyword::INTO)) {
        return None;
    }
    // The table name: words joined by dots.
    let mut i = 2;
    while matches!(tokens.get(i), Some(Token::Word(_))) {
        i += 1;
        if matches!(tokens.get(i), Some(Token::Period)) {
            i += 1;
        } else {
            break;
        }
    }
    if i == 2 || !matches!(tokens.get(i), Some(Token::LParen)) {
        return None;
    }
    let mut columns = 1;
    for (k, t) in tokens.iter().enumerate().skip(i + 1) {
        match t {
            Token::Word(_) => {}
            Token::Comma => columns += 1,
            Token::RParen => return (k + 1 == tokens.len()).then_some(columns),
            _ => return None,
        }
    }
    None
}

/// Rows for `INSERT INTO t (a, b, c) ` that are pushed at run time (sqlx's `push_values`):
/// `VALUES ($n, $n+1, $n+2)`, one parameter per column (one when no column list is known).
pub fn values_stand_in(before: &str, n: usize) -> String {
    let columns = insert_column_list(before).unwrap_or(1);
    let params: Vec<String> = (n..n + columns).map(|k| format!("${k}")).collect();
    format!("VALUES ({})", params.join(", "))
}

/// What ends a statement whose known text stops at `before` because the rest is built at run
/// time (a query builder's prefix, `QueryBuilder::new("SELECT id FROM t WHERE ")`): a stand-in
/// for what the position expects (`TRUE` after `WHERE`, rows after an INSERT column list, a
/// parameter after `=`), then a `)` for each parenthesis left open, so that the prefix parses
/// and its tables and columns can be checked. Empty when the text may already be whole.
pub fn completion(before: &str, n: usize) -> String {
    let mut s = if insert_column_list(before).is_some() {
        format!(" {}", values_stand_in(before, n))
    } else {
        match HoleContext::of(before) {
            HoleContext::Clause | HoleContext::Name => String::new(),
            // `RETURNING *`, `SELECT t.*`: a star ends a list, it is not a product.
            HoleContext::Value if before.trim_end().ends_with('*') => String::new(),
            context => context.stand_in(n, 0),
        }
    };
    use sqlparser::tokenizer::Token;
    let mut tokens = significant_tokens(before);
    tokens.extend(significant_tokens(&s));
    let open = tokens.iter().fold(0i32, |d, t| match t {
        Token::LParen => d + 1,
        Token::RParen => d - 1,
        _ => d,
    });
    for _ in 0..open.max(0) {
        s.push(')');
    }
    s
}

/// The last word of SQL text (ASCII letters and `_`).
fn last_word(t: &str) -> &str {
    let start = t
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    leading_word(&t[start..])
}

/// The last uppercase-folded word of `t` for which `pick` holds.
fn last_word_of(t: &str, pick: impl Fn(&str) -> bool) -> Option<String> {
    t.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .rev()
        .map(str::to_ascii_uppercase)
        .find(|w| pick(w))
}

/// The next free bind parameter number in SQL text: one more than the highest `$n`.
pub fn next_param(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut max = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' {
            let digits = bytes[i + 1..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if digits > 0 {
                if let Ok(n) = text[i + 1..i + 1 + digits].parse::<usize>() {
                    max = max.max(n);
                }
            }
            i += 1 + digits;
        } else {
            i += 1;
        }
    }
    max + 1
}

#[cfg(test)]
mod tests {
    use super::HoleContext::*;
    use super::*;

    #[test]
    fn contexts() {
        assert_eq!(HoleContext::of("SELECT * FROM users WHERE id = "), Value);
        assert_eq!(
            HoleContext::of("SELECT * FROM users WHERE name LIKE '%"),
            InString
        );
        assert_eq!(
            HoleContext::of("SELECT * FROM users WHERE id IN "),
            ValueList
        );
        assert_eq!(HoleContext::of("INSERT INTO t (a) VALUES ("), Value);
        assert_eq!(HoleContext::of("INSERT INTO t (a, b) VALUES ($1, "), Value);
        assert_eq!(HoleContext::of("INSERT INTO t ("), Columns);
        assert_eq!(HoleContext::of("SELECT id, "), Columns);
        assert_eq!(HoleContext::of("SELECT "), Columns);
        assert_eq!(HoleContext::of("UPDATE t SET "), Assignments);
        assert_eq!(HoleContext::of("SELECT * FROM t WHERE "), Condition);
        assert_eq!(HoleContext::of("INSERT INTO t (a) VALUES "), Rows);
        assert_eq!(HoleContext::of("SELECT * FROM "), Name);
        assert_eq!(HoleContext::of("SELECT * FROM t WHERE a = $"), ParamNumber);
        assert_eq!(HoleContext::of("SELECT * FROM t "), Clause);
        assert_eq!(HoleContext::of("SELECT * FROM t ORDER BY "), Columns);
        assert_eq!(HoleContext::of("SELECT * FROM t LIMIT "), Value);
        assert_eq!(HoleContext::of("SELECT 'é' AS é"), Clause);
        // `*` is every column after `SELECT`, `,` and `t.`; elsewhere a product.
        assert_eq!(HoleContext::of("SELECT lm.*\n     "), Clause);
        assert_eq!(HoleContext::of("SELECT * "), Clause);
        assert_eq!(HoleContext::of("SELECT id, * "), Clause);
        assert_eq!(HoleContext::of("SELECT price * "), Value);
    }

    #[test]
    fn completions_end_a_prefix() {
        assert_eq!(
            insert_column_list("INSERT INTO s.match_scores (a, \"B\", c) "),
            Some(3)
        );
        assert_eq!(insert_column_list("INSERT INTO t (a) VALUES "), None);
        assert_eq!(insert_column_list("INSERT INTO t "), None);
        assert_eq!(completion("INSERT INTO t (a, b) ", 1), " VALUES ($1, $2)");
        assert_eq!(completion("SELECT id FROM t WHERE ", 2), "TRUE");
        assert_eq!(completion("SELECT id FROM t WHERE id IN (", 1), "$1)");
        assert_eq!(completion("UPDATE t SET ", 1), "a=1");
        assert_eq!(completion("SELECT id FROM t", 1), "");
        assert_eq!(
            completion("INSERT INTO t (a) VALUES ($1) RETURNING *", 2),
            ""
        );
        assert_eq!(completion("SELECT id FROM t WHERE id = $1 ", 2), "");
        assert_eq!(values_stand_in("INSERT INTO t ", 4), "VALUES ($4)");
    }

    #[test]
    fn stand_ins_keep_length() {
        assert_eq!(Assignments.stand_in(1, 8), "a=1     ");
        assert_eq!(Value.stand_in(2, 5), "$2   ");
        assert_eq!(ParamNumber.stand_in(3, 4), "3   ");
        assert_eq!(next_param("a = $1 AND b = $12"), 13);
        assert_eq!(next_param("no params"), 1);
    }
}
