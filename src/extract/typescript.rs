//! TypeScript and JavaScript: SQL in `sql` tagged templates, in the first argument of
//! `query(...)`-like calls (string literals, templates, `+` concatenations, constants), and in
//! plain strings that are unmistakably SQL. Parsed with oxc, the fastest maintained parser.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use aho_corasick::AhoCorasick;
use oxc_allocator::Allocator;
use oxc_ast::ast::{
    Argument, BinaryOperator, BindingPattern, CallExpression, Expression, StringLiteral,
    TaggedTemplateExpression, TemplateLiteral, VariableDeclarator,
};
use oxc_ast_visit::{walk, Visit};
use oxc_parser::Parser;
use oxc_span::SourceType;

use super::{
    looks_like_sql_statement, starts_like_statement, Confidence, EmbeddedSql, ExtractError,
    SqlBuilder,
};
use crate::config::SourcesConfig;
use crate::diagnostic::Span;

/// Tags whose templates hold SQL (plus `[sources] tags`).
const DEFAULT_TAGS: &[&str] = &["sql", "$queryRaw", "$executeRaw"];
/// Callee names (the last property) whose first argument is SQL (plus `[sources] functions`).
const DEFAULT_FUNCTIONS: &[&str] = &[
    "query",
    "execute",
    "unsafe",
    "$queryRawUnsafe",
    "$executeRawUnsafe",
    "queryObject",
    "queryArray",
    "many",
    "one",
    "oneOrNone",
    "manyOrNone",
    "any",
    "none",
];
/// SQL keywords after which an interpolation names a table, not a value.
const IDENTIFIER_POSITION: &[&str] = &["FROM", "JOIN", "INTO", "UPDATE", "TABLE", "USING"];

pub fn extract(
    path: &Path,
    text: &str,
    options: &SourcesConfig,
) -> Result<Vec<EmbeddedSql>, ExtractError> {
    let mut tags: Vec<&str> = DEFAULT_TAGS.to_vec();
    tags.extend(options.tags.iter().map(String::as_str));
    let mut functions: Vec<&str> = DEFAULT_FUNCTIONS.to_vec();
    functions.extend(options.functions.iter().map(String::as_str));
    let source_type = SourceType::from_path(path).unwrap_or_else(|_| SourceType::tsx());
    let allocator = Allocator::default();
    let ret = Parser::new(&allocator, text, source_type).parse();
    if ret.panicked {
        let message = ret
            .diagnostics
            .first()
            .map_or_else(|| "syntax error".to_string(), |d| d.to_string());
        return Err(ExtractError::HostSyntax {
            language: if source_type.is_typescript() {
                "TypeScript"
            } else {
                "JavaScript"
            },
            message,
        });
    }
    // oxc recovers from most errors and still builds a program; what it built is real code,
    // so SQL found in it is checked (a syntax error elsewhere doesn't make that SQL wrong).
    let mut constants = Constants::default();
    constants.visit_program(&ret.program);
    let mut finder = Finder {
        text,
        tags: &tags,
        functions: &functions,
        constants: &constants.values,
        used: Vec::new(),
        out: Vec::new(),
        depth: 0,
    };
    finder.visit_program(&ret.program);
    let mut guesses = Guesses {
        text,
        used: &finder.used,
        out: Vec::new(),
    };
    guesses.visit_program(&ret.program);
    let mut out = finder.out;
    out.extend(guesses.out);
    Ok(out)
}

/// Whether a file can hold SQL we would find: a tag or call we look for, or an uppercase
/// statement keyword (plain strings are only taken when written in uppercase). The words
/// "select" or "update" in prose or comments don't count, so most files skip parsing. One
/// pass over the text (Aho-Corasick over every cue). The automaton is built once per set of
/// configured names, not once per file.
pub(super) fn has_sql_cue(text: &str, options: &SourcesConfig) -> bool {
    type Built = (Vec<String>, Vec<String>, Arc<Option<AhoCorasick>>);
    static BUILT: Mutex<Vec<Built>> = Mutex::new(Vec::new());
    let automaton = {
        let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
        match built
            .iter()
            .find(|(t, f, _)| *t == options.tags && *f == options.functions)
        {
            Some((_, _, a)) => a.clone(),
            None => {
                let a = Arc::new(cues(
                    DEFAULT_TAGS
                        .iter()
                        .copied()
                        .chain(options.tags.iter().map(String::as_str)),
                    DEFAULT_FUNCTIONS
                        .iter()
                        .copied()
                        .chain(options.functions.iter().map(String::as_str)),
                ));
                built.push((options.tags.clone(), options.functions.clone(), a.clone()));
                a
            }
        }
    };
    automaton
        .as_ref()
        .as_ref()
        .is_none_or(|ac| ac.is_match(text))
}

/// The automaton over every cue; `None` if it cannot be built (then every file is parsed).
fn cues<'a>(
    tags: impl Iterator<Item = &'a str> + Clone,
    functions: impl Iterator<Item = &'a str>,
) -> Option<AhoCorasick> {
    const KEYWORDS: &[&str] = &["SELECT", "INSERT", "UPDATE", "DELETE", "WITH ", "MERGE"];
    let mut patterns: Vec<String> = KEYWORDS.iter().map(|k| k.to_string()).collect();
    for t in tags.clone() {
        patterns.push(format!("{t}`"));
        patterns.push(format!("{t} `"));
    }
    for f in functions.chain(tags) {
        patterns.push(format!("{f}("));
    }
    AhoCorasick::builder()
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(&patterns)
        .ok()
}

/// `const q = "SELECT ..."` bindings, by name (the span of the initializer).
#[derive(Default)]
struct Constants {
    values: HashMap<String, (u32, u32)>,
}

impl<'a> Visit<'a> for Constants {
    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if let (BindingPattern::BindingIdentifier(id), Some(init)) = (&it.id, &it.init) {
            if is_foldable(init) {
                let span = expr_span(init);
                self.values
                    .insert(id.name.as_str().to_string(), (span.start, span.end));
            }
        }
        walk::walk_variable_declarator(self, it);
    }
}

fn expr_span(e: &Expression<'_>) -> oxc_span::Span {
    use oxc_span::GetSpan;
    e.span()
}

/// Literal strings, untagged templates and `+` chains of them.
fn is_foldable(e: &Expression<'_>) -> bool {
    match e {
        Expression::StringLiteral(_) => true,
        Expression::TemplateLiteral(_) => true,
        Expression::ParenthesizedExpression(p) => is_foldable(&p.expression),
        Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
            is_foldable(&b.left) || is_foldable(&b.right)
        }
        _ => false,
    }
}

struct Finder<'s, 'c> {
    text: &'s str,
    tags: &'c [&'c str],
    functions: &'c [&'c str],
    constants: &'c HashMap<String, (u32, u32)>,
    /// Spans of literals already taken as SQL (so the guess pass skips them).
    used: Vec<(u32, u32)>,
    out: Vec<EmbeddedSql>,
    depth: usize,
}

/// The last name of a callee or tag: `sql`, `pool.query` → `query`, `db.sql` → `sql`.
fn last_name<'a>(e: &'a Expression<'a>) -> Option<&'a str> {
    match e {
        Expression::Identifier(id) => Some(id.name.as_str()),
        Expression::StaticMemberExpression(m) => Some(m.property.name.as_str()),
        Expression::ParenthesizedExpression(p) => last_name(&p.expression),
        _ => None,
    }
}

impl<'a> Visit<'a> for Finder<'_, '_> {
    fn visit_tagged_template_expression(&mut self, it: &TaggedTemplateExpression<'a>) {
        // postgres.js `sql.unsafe\`...\``: every interpolation is pasted in as text, so each
        // is a part only known at run time.
        let is_unsafe = match &it.tag {
            Expression::StaticMemberExpression(m) => {
                m.property.name == "unsafe"
                    && last_name(&m.object).is_some_and(|n| self.tags.contains(&n))
            }
            _ => false,
        };
        let is_sql_tag = last_name(&it.tag).is_some_and(|t| self.tags.contains(&t));
        if is_sql_tag || is_unsafe {
            let mut b = SqlBuilder::default();
            self.template(&it.quasi, &mut b);
            if is_unsafe {
                // `${...}` runs from the end of one quasi to the start of the next.
                for pair in it.quasi.quasis.windows(2) {
                    let host = Span::new(pair[0].span.end, pair[1].span.start);
                    if !b.dynamic.contains(&host) {
                        b.dynamic.push(host);
                    }
                }
            }
            // A template that doesn't start like a statement is a fragment
            // (`sql\`${col} = 1\``, drizzle's sql operator): not checked on its own.
            if starts_like_statement(&b.text) {
                self.used.push((it.quasi.span.start, it.quasi.span.end));
                self.out.push(b.finish(Confidence::Certain));
            }
        }
        walk::walk_tagged_template_expression(self, it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        let name = last_name(&it.callee);
        let is_sql_call =
            name.is_some_and(|n| self.functions.contains(&n) || self.tags.contains(&n));
        if is_sql_call {
            if let Some(first) = it.arguments.first().and_then(Argument::as_expression) {
                let mut b = SqlBuilder::default();
                if self.fold(first, &mut b, 0) && starts_like_statement(&b.text) {
                    self.mark_used(first);
                    self.out.push(b.finish(Confidence::Certain));
                }
            }
        }
        self.depth += 1;
        if self.depth < 200 {
            walk::walk_call_expression(self, it);
        }
        self.depth -= 1;
    }
}

impl Finder<'_, '_> {
    fn mark_used(&mut self, e: &Expression<'_>) {
        match e {
            Expression::StringLiteral(s) => {
                self.used.push((s.span.start, s.span.end));
            }
            Expression::TemplateLiteral(t) => {
                self.used.push((t.span.start, t.span.end));
            }
            Expression::ParenthesizedExpression(p) => self.mark_used(&p.expression),
            Expression::BinaryExpression(b) => {
                self.mark_used(&b.left);
                self.mark_used(&b.right);
            }
            Expression::Identifier(id) => {
                if let Some(&(s, e)) = self.constants.get(id.name.as_str()) {
                    self.used.push((s, e));
                }
            }
            _ => {}
        }
    }

    /// Fold a string expression into `b`. Returns false when nothing static was found.
    fn fold(&mut self, e: &Expression<'_>, b: &mut SqlBuilder, depth: usize) -> bool {
        if depth > 64 {
            return false;
        }
        match e {
            Expression::StringLiteral(s) => {
                string_literal(self.text, s, b);
                true
            }
            Expression::TemplateLiteral(t) => {
                self.template(t, b);
                true
            }
            Expression::ParenthesizedExpression(p) => self.fold(&p.expression, b, depth + 1),
            Expression::BinaryExpression(bin) if bin.operator == BinaryOperator::Addition => {
                let left = self.fold_or_dynamic(&bin.left, b, depth);
                let right = self.fold_or_dynamic(&bin.right, b, depth);
                left || right
            }
            Expression::Identifier(id) => match self.constants.get(id.name.as_str()).copied() {
                Some((start, end)) => match find_expression(self.text, start, end) {
                    Some(init) => self.fold_text_span(init, b, depth),
                    None => false,
                },
                None => false,
            },
            _ => false,
        }
    }

    fn fold_or_dynamic(&mut self, e: &Expression<'_>, b: &mut SqlBuilder, depth: usize) -> bool {
        if self.fold(e, b, depth + 1) {
            return true;
        }
        // A run-time value concatenated in: a placeholder keeps value positions parseable;
        // in identifier position the statement is dynamic.
        let span = expr_span(e);
        let host = Span::new(span.start, span.end);
        if in_identifier_position(&b.text) {
            b.dynamic.push(host);
        }
        let n = b.text.matches('$').count() + 1;
        b.push_placeholder(&format!("${n}"), span.start);
        false
    }

    /// Re-parse a constant's initializer (by span) and fold it.
    fn fold_text_span(
        &mut self,
        (start, end): (u32, u32),
        b: &mut SqlBuilder,
        depth: usize,
    ) -> bool {
        let allocator = Allocator::default();
        let snippet = &self.text[start as usize..end as usize];
        // Parse `(<initializer>)` alone, then shift offsets back to the file.
        let wrapped = format!("({snippet})");
        let ret = Parser::new(&allocator, &wrapped, SourceType::ts()).parse_expression();
        let Ok(expr) = ret else { return false };
        let mut inner = Finder {
            text: &wrapped,
            tags: self.tags,
            functions: self.functions,
            constants: self.constants,
            used: Vec::new(),
            out: Vec::new(),
            depth: 0,
        };
        let mut local = SqlBuilder::default();
        let ok = inner.fold(&expr, &mut local, depth + 1);
        // `wrapped` offset o corresponds to file offset start + o - 1 (the added parenthesis).
        let shift = |o: u32| (start + o).saturating_sub(1);
        let base = b.text.len() as u32;
        let mut pos = 0;
        while pos < local.text.len() {
            let host = local.map.to_host(pos as u32);
            b.map.push(base + pos as u32, shift(host));
            pos += local.text[pos..].chars().next().map_or(1, char::len_utf8);
        }
        b.text.push_str(&local.text);
        b.dynamic.extend(
            local
                .dynamic
                .into_iter()
                .map(|s| Span::new(shift(s.start), shift(s.end))),
        );
        ok
    }

    /// A template literal: quasis decoded, each `${expr}` replaced by `$n` padded with spaces
    /// to the byte length of `${expr}`, so host offsets stay 1:1 (`${userId}` → `$1       `).
    fn template(&mut self, t: &TemplateLiteral<'_>, b: &mut SqlBuilder) {
        let mut n = b.text.matches('$').count();
        for (i, quasi) in t.quasis.iter().enumerate() {
            let raw = &self.text[quasi.span.start as usize..quasi.span.end as usize];
            decode_js(raw, quasi.span.start, b);
            if let (Some(expr), Some(next)) = (t.expressions.get(i), t.quasis.get(i + 1)) {
                n += 1;
                let start = quasi.span.end;
                let end = next.span.start;
                let host = Span::new(start, end);
                let len = (end - start) as usize;
                let mut placeholder = format!("${n}");
                if placeholder.len() < len {
                    placeholder.push_str(&" ".repeat(len - placeholder.len()));
                }
                let nested = matches!(
                    expr,
                    Expression::TaggedTemplateExpression(_) | Expression::CallExpression(_)
                ) && match expr {
                    Expression::TaggedTemplateExpression(tt) => {
                        last_name(&tt.tag).is_some_and(|n| self.tags.contains(&n))
                    }
                    Expression::CallExpression(c) => {
                        last_name(&c.callee).is_some_and(|n| self.tags.contains(&n))
                    }
                    _ => false,
                };
                let next_raw = &self.text[next.span.start as usize..next.span.end as usize];
                if nested
                    || in_identifier_position(&b.text)
                    || next_raw.starts_with('.')
                    || b.text.ends_with('.')
                {
                    b.dynamic.push(host);
                }
                b.push_placeholder(&placeholder, start);
            }
        }
    }
}

/// Whether the SQL so far ends with a keyword after which a name (not a value) comes.
fn in_identifier_position(sql: &str) -> bool {
    let last = sql
        .trim_end()
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == ',')
        .next()
        .unwrap_or("");
    IDENTIFIER_POSITION
        .iter()
        .any(|k| k.eq_ignore_ascii_case(last))
}

/// The span inside a constant's recorded span (identity: kept for clarity of intent).
fn find_expression(_text: &str, start: u32, end: u32) -> Option<(u32, u32)> {
    (end > start).then_some((start, end))
}

fn string_literal(text: &str, s: &StringLiteral<'_>, b: &mut SqlBuilder) {
    // The literal's source includes its quotes; the body starts one byte in.
    let raw = &text[s.span.start as usize + 1
        ..(s.span.end as usize)
            .saturating_sub(1)
            .max(s.span.start as usize + 1)];
    decode_js(raw, s.span.start + 1, b);
}

/// Decode JS string or template source text `raw` (found at host offset `host`) into `b`:
/// `'a\nb'` gives "a", "\n" (mapped to the host offset of `\`), "b".
fn decode_js(raw: &str, host: u32, b: &mut SqlBuilder) {
    b.push_escaped(raw, host, js_escape);
}

/// One JS escape: `rest` is the text after the backslash.
fn js_escape(rest: &str) -> (Option<char>, usize) {
    match rest.chars().next() {
        Some('n') => (Some('\n'), 2),
        Some('t') => (Some('\t'), 2),
        Some('r') => (Some('\r'), 2),
        Some('b') => (Some('\u{8}'), 2),
        Some('f') => (Some('\u{c}'), 2),
        Some('v') => (Some('\u{b}'), 2),
        Some('0') => (Some('\0'), 2),
        // Line continuation: backslash-newline is nothing.
        Some('\n') => (None, 2),
        Some('\r') => (None, if rest[1..].starts_with('\n') { 3 } else { 2 }),
        Some('x') => match rest.get(1..3).and_then(|h| u32::from_str_radix(h, 16).ok()) {
            Some(v) => (char::from_u32(v), 4),
            None => (Some('x'), 2),
        },
        Some('u') if rest[1..].starts_with('{') => {
            let close = rest.find('}').map_or(rest.len(), |c| c + 1);
            let v = rest
                .get(2..close - 1)
                .and_then(|h| u32::from_str_radix(h, 16).ok());
            (v.and_then(char::from_u32), 1 + close)
        }
        Some('u') => {
            let v = rest.get(1..5).and_then(|h| u32::from_str_radix(h, 16).ok());
            (v.and_then(char::from_u32), 6)
        }
        Some(c) => (Some(c), 1 + c.len_utf8()),
        None => (None, 1),
    }
}

/// Plain strings and untagged templates outside any SQL context, taken only when they are
/// unmistakably SQL (`Confidence::Guess`: checked only if they parse).
struct Guesses<'s, 'u> {
    text: &'s str,
    used: &'u [(u32, u32)],
    out: Vec<EmbeddedSql>,
}

impl Guesses<'_, '_> {
    /// Whether a literal lies inside something already taken as SQL.
    fn is_used(&self, span: oxc_span::Span) -> bool {
        self.used
            .iter()
            .any(|&(s, e)| span.start >= s && span.end <= e)
    }
}

impl<'a> Visit<'a> for Guesses<'_, '_> {
    fn visit_string_literal(&mut self, it: &StringLiteral<'a>) {
        if !self.is_used(it.span) && looks_like_sql_statement(it.value.as_str()) {
            let mut b = SqlBuilder::default();
            string_literal(self.text, it, &mut b);
            self.out.push(b.finish(Confidence::Guess));
        }
    }

    fn visit_tagged_template_expression(&mut self, it: &TaggedTemplateExpression<'a>) {
        // Tagged templates with other tags (html``, css``, gql``) are not SQL.
        for e in &it.quasi.expressions {
            self.visit_expression(e);
        }
    }

    fn visit_template_literal(&mut self, it: &TemplateLiteral<'a>) {
        if !self.is_used(it.span) {
            let first = it
                .quasis
                .first()
                .map(|q| q.value.raw.as_str())
                .unwrap_or("");
            if looks_like_sql_statement(first) {
                let mut f = Finder {
                    text: self.text,
                    tags: &[],
                    functions: &[],
                    constants: &HashMap::new(),
                    used: Vec::new(),
                    out: Vec::new(),
                    depth: 0,
                };
                let mut b = SqlBuilder::default();
                f.template(it, &mut b);
                self.out.push(b.finish(Confidence::Guess));
            }
        }
        walk::walk_template_literal(self, it);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqls(src: &str) -> Vec<EmbeddedSql> {
        extract(Path::new("x.ts"), src, &SourcesConfig::default()).unwrap()
    }

    /// The host text at the mapped offset of `needle` in the SQL text.
    fn host_at<'a>(src: &'a str, e: &EmbeddedSql, needle: &str) -> &'a str {
        let at = e
            .text
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} in {:?}", e.text)) as u32;
        &src[e.map.to_host(at) as usize..]
    }

    #[test]
    fn tagged_template_with_interpolations_keeps_offsets() {
        let src = "const r = await sql`INSERT INTO media (user_id, media_type) VALUES (${userId}, ${t})`;";
        let e = &sqls(src)[0];
        assert_eq!(e.confidence, Confidence::Certain);
        assert!(e.text.contains("VALUES ($1       , $2  )"), "{}", e.text);
        assert!(host_at(src, e, "media_type").starts_with("media_type"));
        assert!(host_at(src, e, "VALUES").starts_with("VALUES"));
        assert!(e.dynamic.is_empty());
    }

    #[test]
    fn multiline_template_with_multibyte_text() {
        let src =
            "// é 🎉\nawait sql`\n  SELECT id, 'ü' AS x\n  FROM assets\n  WHERE owner = ${o}\n`;";
        let e = &sqls(src)[0];
        assert!(host_at(src, e, "assets").starts_with("assets"));
        assert!(host_at(src, e, "owner").starts_with("owner"));
    }

    #[test]
    fn query_calls_with_strings_escapes_concatenation_and_constants() {
        let src = r#"
const Q = "SELECT id FROM assets " +
  "WHERE kind = 'a\'b' AND url = $1";
await pool.query("SELECT\tid,\n media_type FROM media WHERE id = $1", [id]);
await client.query(Q, [x]);
await db.execute('UPDATE assets SET url = $1 ' + "WHERE id = " + id);
router.query("not sql at all");
"#;
        let found = sqls(src);
        assert_eq!(
            found.len(),
            3,
            "{:#?}",
            found.iter().map(|e| &e.text).collect::<Vec<_>>()
        );
        assert!(host_at(src, &found[0], "media_type").starts_with("media_type"));
        assert!(host_at(src, &found[0], "FROM media").starts_with("FROM media"));
        assert!(host_at(src, &found[1], "WHERE kind").starts_with("WHERE kind"));
        assert!(host_at(src, &found[1], "AND url").starts_with("AND url"));
        assert!(
            found[2].text.ends_with("WHERE id = $2"),
            "{}",
            found[2].text
        );
        assert!(host_at(src, &found[2], "WHERE id").starts_with("WHERE id"));
    }

    #[test]
    fn identifier_interpolations_are_dynamic() {
        let src = "await sql`SELECT * FROM ${table} WHERE id = ${id}`;\nawait pool.query('SELECT * FROM ' + t + ' WHERE x = 1');";
        let found = sqls(src);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].dynamic.len(), 1);
        assert_eq!(
            &src[found[0].dynamic[0].start as usize..found[0].dynamic[0].end as usize],
            "${table}"
        );
        assert_eq!(found[1].dynamic.len(), 1);

        // postgres.js `sql.unsafe\`...\``: every interpolation is pasted in as text.
        let src = "await sql.unsafe`SELECT id FROM users WHERE id = ${id} ORDER BY ${col}`;";
        let found = sqls(src);
        assert_eq!(found.len(), 1);
        let parts: Vec<&str> = found[0]
            .dynamic
            .iter()
            .map(|d| &src[d.start as usize..d.end as usize])
            .collect();
        assert_eq!(parts, ["${id}", "${col}"]);
        // Other members of a tag are not SQL tags.
        assert!(sqls("await sql.json`SELECT 1`;").is_empty());
    }

    #[test]
    fn fragments_and_prose_are_not_sql() {
        let src = r#"
const label = 'Select an image to upload';
const note = "delete from cache when the asset is removed";
const cond = sql`${col} = ${v}`;
const html = html`<p>SELECT * FROM nothing</p>`;
alert(`Update available: ${v}`);
"#;
        assert!(
            sqls(src).is_empty(),
            "{:#?}",
            sqls(src).iter().map(|e| &e.text).collect::<Vec<_>>()
        );
    }

    #[test]
    fn plain_sql_strings_are_guesses_and_not_duplicated() {
        let src = "const q = 'SELECT id FROM users WHERE id = $1';\nconst other = \"SELECT x FROM y\";\nawait pool.query(q);";
        let found = sqls(src);
        let certain = found
            .iter()
            .filter(|e| e.confidence == Confidence::Certain)
            .count();
        let guesses: Vec<_> = found
            .iter()
            .filter(|e| e.confidence == Confidence::Guess)
            .map(|e| e.text.as_str())
            .collect();
        assert_eq!(certain, 1);
        assert_eq!(guesses, ["SELECT x FROM y"]);
    }

    #[test]
    fn broken_host_syntax_is_an_error_not_a_panic() {
        let r = extract(
            Path::new("x.ts"),
            "const a = sql`SELECT 1` +;;; {{{ select",
            &SourcesConfig::default(),
        );
        assert!(r.is_ok() || matches!(r, Err(ExtractError::HostSyntax { .. })));
    }
}
