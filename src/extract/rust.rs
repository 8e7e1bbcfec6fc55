//! Rust: SQL in sqlx macros (`query!`, `query_as!`, `query_scalar!`, `query_file!`, ...), sqlx
//! functions (`sqlx::query(...)`) and tokio-postgres/postgres methods (`.query(...)`,
//! `.execute(...)`, `.prepare(...)`), including `const`/`static`/`let` string bindings.
//! A proc-macro2 token scan: 2–2.5× faster than `syn::parse_file` and all that is needed here.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use proc_macro2::{Delimiter, Literal, TokenStream, TokenTree};

use super::{starts_like_statement, Confidence, EmbeddedSql, ExtractError, SqlBuilder};
use crate::diagnostic::LineIndex;

/// Macros whose first string argument is SQL (after a type for the `_as` forms).
const MACROS: &[&str] = &[
    "query",
    "query_as",
    "query_scalar",
    "query_unchecked",
    "query_as_unchecked",
    "query_scalar_unchecked",
];
const FILE_MACROS: &[&str] = &[
    "query_file",
    "query_file_as",
    "query_file_scalar",
    "query_file_unchecked",
    "query_file_as_unchecked",
];
/// Functions and methods whose first argument is SQL.
const CALLS: &[&str] = &[
    "query",
    "query_as",
    "query_scalar",
    "query_with",
    "query_as_with",
    "query_one",
    "query_opt",
    "query_raw",
    "query_typed",
    "execute",
    "execute_raw",
    "prepare",
    "prepare_typed",
    "prepare_cached",
    "batch_execute",
    "simple_query",
];

/// Cheap byte scan before tokenizing: no cue, no SQL.
pub(super) fn has_sql_cue(text: &str) -> bool {
    ["query", "execute", "prepare", "sqlx"]
        .iter()
        .any(|cue| text.contains(cue))
}

pub fn extract(path: &Path, text: &str) -> Result<Vec<EmbeddedSql>, ExtractError> {
    // proc-macro2 keeps every parsed file's text in a thread-local source map until told
    // otherwise; forget it however we leave, so a long scan doesn't grow without bound.
    // (Declared before the tokens, so it runs after they are dropped.)
    struct ForgetSpans;
    impl Drop for ForgetSpans {
        fn drop(&mut self) {
            proc_macro2::extra::invalidate_current_thread_spans();
        }
    }
    let _forget = ForgetSpans;
    let stream = TokenStream::from_str(text).map_err(|e| ExtractError::HostSyntax {
        language: "Rust",
        message: e.to_string(),
    })?;
    let tokens: Vec<TokenTree> = stream.into_iter().collect();
    let index = LineIndex::new(text);
    let mut scan = Scan {
        text,
        index: &index,
        path,
        constants: HashMap::new(),
        out: Vec::new(),
        refused: None,
    };
    scan.collect_constants(&tokens, 0);
    scan.walk(&tokens, 0);
    match scan.refused {
        Some(e) => Err(e),
        None => Ok(scan.out),
    }
}

struct Scan<'a> {
    text: &'a str,
    index: &'a LineIndex,
    path: &'a Path,
    /// `const NAME: &str = "..."` (or `= concat!("...", "...")`), `static`, `let name = ...`:
    /// the literal pieces, by name. `None` when the name is bound to two different values in
    /// the file (which one a path means is then unknown).
    constants: HashMap<String, Option<Vec<Literal>>>,
    out: Vec<EmbeddedSql>,
    /// A `query_file!` path outside the project: the file is reported, not checked.
    refused: Option<ExtractError>,
}

/// Nested groups deeper than this are not scanned (no real code nests so deep).
const MAX_DEPTH: usize = 128;

impl Scan<'_> {
    fn collect_constants(&mut self, tokens: &[TokenTree], depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        for (i, t) in tokens.iter().enumerate() {
            match t {
                TokenTree::Ident(kw)
                    if matches!(kw.to_string().as_str(), "const" | "static" | "let") =>
                {
                    // `const NAME: &str = "..." ;` / `let name = "...";`
                    let Some(TokenTree::Ident(name)) = tokens.get(i + 1) else {
                        continue;
                    };
                    let mut j = i + 2;
                    while j < tokens.len()
                        && !matches!(&tokens[j], TokenTree::Punct(p) if p.as_char() == '=' || p.as_char() == ';')
                    {
                        j += 1;
                    }
                    let is_eq =
                        matches!(tokens.get(j), Some(TokenTree::Punct(p)) if p.as_char() == '=');
                    let value = tokens.get(j + 1..).and_then(string_value);
                    if let (true, Some((parts, used))) = (is_eq, value) {
                        let ends = matches!(tokens.get(j + 1 + used), Some(TokenTree::Punct(p)) if p.as_char() == ';');
                        if ends {
                            let entry = self.constants.entry(name.to_string());
                            entry
                                .and_modify(|known| {
                                    let same = known.as_ref().is_some_and(|k| {
                                        k.iter()
                                            .map(|l| l.to_string())
                                            .eq(parts.iter().map(|l| l.to_string()))
                                    });
                                    if !same {
                                        *known = None;
                                    }
                                })
                                .or_insert(Some(parts));
                        }
                    }
                }
                TokenTree::Group(g) => {
                    let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                    self.collect_constants(&inner, depth + 1);
                }
                _ => {}
            }
        }
    }

    fn walk(&mut self, tokens: &[TokenTree], depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        for (i, t) in tokens.iter().enumerate() {
            match t {
                TokenTree::Ident(name) => {
                    let name = name.to_string();
                    let bang = matches!(tokens.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!');
                    if bang {
                        if let Some(TokenTree::Group(g)) = tokens.get(i + 2) {
                            let args: Vec<TokenTree> = g.stream().into_iter().collect();
                            if MACROS.contains(&name.as_str()) {
                                self.macro_call(&args);
                            } else if FILE_MACROS.contains(&name.as_str()) {
                                self.file_macro(&args);
                            }
                        }
                    } else if CALLS.contains(&name.as_str()) {
                        if let Some(g) = call_group(&tokens[i + 1..]) {
                            let args: Vec<TokenTree> = g.stream().into_iter().collect();
                            self.function_call(&args);
                        }
                    }
                }
                TokenTree::Group(g) => {
                    let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                    self.walk(&inner, depth + 1);
                }
                _ => {}
            }
        }
    }

    /// `query!("SELECT ...", args)` / `query_as!(Type, "SELECT ...", args)`: the first string.
    fn macro_call(&mut self, args: &[TokenTree]) {
        let first_string = args.iter().find_map(|t| match t {
            TokenTree::Literal(l) if is_string_literal(l) => Some(l.clone()),
            _ => None,
        });
        if let Some(lit) = first_string {
            self.literal(&[lit]);
        }
    }

    /// `query_file!("queries/x.sql")`: the file, relative to the crate root (the nearest
    /// ancestor directory with a Cargo.toml), mapped 1:1 into that file.
    fn file_macro(&mut self, args: &[TokenTree]) {
        let Some(TokenTree::Literal(lit)) = args
            .iter()
            .find(|t| matches!(t, TokenTree::Literal(l) if is_string_literal(l)))
        else {
            return;
        };
        let mut b = SqlBuilder::default();
        decode_literal(&lit.to_string(), 0, &mut b);
        let Some(root) = crate_root(self.path) else {
            return;
        };
        let file = root.join(&b.text);
        // Only inside the project: `query_file!("/proc/self/environ")` or `"../../x"` would
        // otherwise be read and shown in a snippet. The file is then not checked, and says so.
        if let Err(e) = crate::user_file::inside(&project_root(&root), &file) {
            self.refused
                .get_or_insert(ExtractError::QueryFile(e.to_string()));
            return;
        }
        // An unreadable query file is sqlx's compile error to report; we check what we can read.
        let Ok(bytes) = crate::user_file::read_regular(&file, crate::check::MAX_FILE_SIZE) else {
            return;
        };
        let Ok(sql) = String::from_utf8(bytes).map(crate::user_file::strip_bom) else {
            return;
        };
        let start = sql.len() - sql.trim_start().len();
        let mut e = EmbeddedSql::verbatim(sql.trim(), start as u32, Confidence::Certain);
        e.host_file = Some(file);
        self.out.push(e);
    }

    /// `sqlx::query("...")`, `client.query("...", &[])`, `client.execute(QUERY, ..)`, with
    /// `concat!("...", "...")`, or a constant by path (`Self::FIND`, `queries::ALL`).
    fn function_call(&mut self, args: &[TokenTree]) {
        let start = args
            .iter()
            .position(|t| !matches!(t, TokenTree::Punct(p) if p.as_char() == '&'))
            .unwrap_or(args.len());
        // The first argument: everything up to the first top-level comma.
        let end = args[start..]
            .iter()
            .position(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ','))
            .map_or(args.len(), |i| start + i);
        let first = &args[start..end];
        if let Some((parts, used)) = string_value(first) {
            if used == first.len() {
                self.literal(&parts);
            }
            return;
        }
        // A path made only of names and `::`: the constant named by its last segment.
        let is_path = !first.is_empty()
            && first.iter().all(|t| match t {
                TokenTree::Ident(_) => true,
                TokenTree::Punct(p) => p.as_char() == ':',
                _ => false,
            });
        if let (true, Some(TokenTree::Ident(name))) = (is_path, first.last()) {
            if let Some(Some(parts)) = self.constants.get(&name.to_string()).cloned() {
                self.literal(&parts);
            }
        }
    }

    /// A statement made of one or more string literals (`concat!` pieces), each mapped back.
    fn literal(&mut self, parts: &[Literal]) {
        let mut b = SqlBuilder::default();
        for lit in parts {
            if !is_string_literal(lit) {
                return;
            }
            let start = lit.span().start();
            // proc-macro2: line is 1-based, column 0-based in characters.
            let host = self
                .index
                .offset(self.text, start.line as u32, start.column as u32 + 1);
            decode_literal(&lit.to_string(), host, &mut b);
        }
        if starts_like_statement(&b.text) {
            self.out.push(b.finish(Confidence::Certain));
        }
    }
}

/// A string value at the start of `tokens`: a string literal, or `concat!(...)` of string
/// literals (commas between, a trailing one allowed). Returns the pieces and how many tokens
/// the value spans.
fn string_value(tokens: &[TokenTree]) -> Option<(Vec<Literal>, usize)> {
    match tokens {
        [TokenTree::Literal(l), ..] if is_string_literal(l) => Some((vec![l.clone()], 1)),
        [TokenTree::Ident(name), TokenTree::Punct(bang), TokenTree::Group(g), ..]
            if name == "concat" && bang.as_char() == '!' =>
        {
            let mut parts = Vec::new();
            for t in g.stream() {
                match t {
                    TokenTree::Literal(l) if is_string_literal(&l) => parts.push(l),
                    TokenTree::Punct(p) if p.as_char() == ',' => {}
                    _ => return None,
                }
            }
            (!parts.is_empty()).then_some((parts, 3))
        }
        _ => None,
    }
}

/// The parenthesised argument group of a call at the start of `rest`, skipping a turbofish:
/// `(...)` or `::<A, B>(...)`.
fn call_group(rest: &[TokenTree]) -> Option<&proc_macro2::Group> {
    match rest.first()? {
        TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis => Some(g),
        TokenTree::Punct(p) if p.as_char() == ':' => {
            let mut depth = 0i32;
            for t in rest.iter().skip(2) {
                match t {
                    TokenTree::Punct(p) if p.as_char() == '<' => depth += 1,
                    TokenTree::Punct(p) if p.as_char() == '>' => {
                        depth -= 1;
                    }
                    TokenTree::Group(g)
                        if depth == 0 && g.delimiter() == Delimiter::Parenthesis =>
                    {
                        return Some(g)
                    }
                    _ if depth <= 0 => return None,
                    _ => {}
                }
            }
            None
        }
        _ => None,
    }
}

fn is_string_literal(l: &Literal) -> bool {
    let s = l.to_string();
    s.starts_with('"') || s.starts_with("r\"") || s.starts_with("r#")
}

/// The project a crate belongs to: the nearest directory at or above the crate root holding a
/// `schemalint.toml` or a `.git`, else the crate root itself.
fn project_root(crate_root: &Path) -> PathBuf {
    crate_root
        .ancestors()
        .find(|d| d.join(crate::config::FILE_NAME).is_file() || d.join(".git").exists())
        .unwrap_or(crate_root)
        .to_path_buf()
}

fn crate_root(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .skip(1)
        .find(|d| d.join("Cargo.toml").is_file())
        .map(Path::to_path_buf)
}

/// Decode a Rust string literal's source (`"..."` or `r#"..."#`) found at host offset `host`.
/// `"a\
///     b"` is "ab": a backslash at the end of a line skips the newline and leading whitespace.
fn decode_literal(repr: &str, host: u32, b: &mut SqlBuilder) {
    if let Some(raw) = repr.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let body = &raw[hashes + 1..raw.len().saturating_sub(hashes + 1).max(hashes + 1)];
        b.push_verbatim(body, host + 1 + hashes as u32 + 1);
        return;
    }
    let body = &repr[1..repr.len().saturating_sub(1).max(1)];
    b.push_escaped(body, host + 1, rust_escape);
}

/// One Rust escape: `rest` is the text after the backslash.
fn rust_escape(rest: &str) -> (Option<char>, usize) {
    match rest.chars().next() {
        Some('n') => (Some('\n'), 2),
        Some('t') => (Some('\t'), 2),
        Some('r') => (Some('\r'), 2),
        Some('0') => (Some('\0'), 2),
        Some('\\') => (Some('\\'), 2),
        Some('"') => (Some('"'), 2),
        Some('\'') => (Some('\''), 2),
        Some('x') => (
            rest.get(1..3)
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .and_then(char::from_u32),
            4,
        ),
        Some('u') => {
            let close = rest.find('}').map_or(rest.len(), |c| c + 1);
            let v = rest
                .get(2..close - 1)
                .and_then(|h| u32::from_str_radix(h, 16).ok());
            (v.and_then(char::from_u32), 1 + close)
        }
        Some('\n') | Some('\r') => {
            // Line continuation: skip the newline and the next line's leading whitespace.
            let skipped = rest.len() - rest.trim_start().len();
            (None, 1 + skipped)
        }
        Some(c) => (Some(c), 1 + c.len_utf8()),
        None => (None, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqls(src: &str) -> Vec<EmbeddedSql> {
        extract(Path::new("/nonexistent/src/lib.rs"), src).unwrap()
    }

    fn host_at<'a>(src: &'a str, e: &EmbeddedSql, needle: &str) -> &'a str {
        let at = e
            .text
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} in {:?}", e.text)) as u32;
        &src[e.map.to_host(at) as usize..]
    }

    #[test]
    fn sqlx_macros_and_raw_strings() {
        let src = r####"
fn f() {
    let a = sqlx::query!("SELECT id, title FROM posts WHERE id = $1", id);
    let b = sqlx::query_as!(Post, r#"SELECT "id", body FROM posts"#);
    let c = sqlx::query_scalar!(r##"SELECT count(*) FROM comments"##);
}
"####;
        let found = sqls(src);
        assert_eq!(found.len(), 3);
        assert!(host_at(src, &found[0], "title").starts_with("title"));
        assert!(host_at(src, &found[1], "body").starts_with("body FROM"));
        assert!(host_at(src, &found[2], "comments").starts_with("comments"));
    }

    #[test]
    fn escapes_continuations_and_multibyte() {
        let src = "fn f() { client.query(\"SELECT 'é' AS x, \\\"id\\\"\\n  FROM \\\n      users WHERE name = $1\", &[&n]).await; }";
        let e = &sqls(src)[0];
        assert!(e.text.contains("FROM users"), "{}", e.text);
        assert!(host_at(src, e, "users").starts_with("users"));
        assert!(host_at(src, e, "\"id\"").starts_with("\\\"id"));
        assert!(host_at(src, e, "name").starts_with("name"));
    }

    #[test]
    fn constants_and_function_calls_and_turbofish() {
        let src = r#"
const FIND: &str = "SELECT id FROM users WHERE email = $1";
async fn f(c: &Client) {
    c.query_one(FIND, &[&email]).await?;
    sqlx::query_as::<_, User>("SELECT id FROM users").fetch_all(&pool).await?;
    cmd.execute("ls -la");
}
"#;
        let found = sqls(src);
        let texts: Vec<&str> = found.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "SELECT id FROM users WHERE email = $1",
                "SELECT id FROM users"
            ]
        );
        assert!(host_at(src, &found[0], "email").starts_with("email = $1\";"));
    }

    #[test]
    fn path_constants_and_concat() {
        let src = r#"
struct Repo;
impl Repo {
    const FIND: &'static str = "SELECT id FROM users WHERE id = $1";
    async fn f(&self, c: &Client) {
        c.query(Self::FIND, &[]).await?;
        c.query(concat!("SELECT id, ", "email FROM users"), &[]).await?;
        c.query(queries::ALL, &[]).await?;
        c.query(crate::db::queries::LONG, &[]).await?;
        c.query(TWICE, &[]).await?;
        c.query(Self::FIND.trim(), &[]).await?;
    }
}
mod queries {
    pub const ALL: &str = "SELECT name FROM users";
    pub const LONG: &str = concat!("SELECT id ", "FROM posts");
}
mod a { pub const TWICE: &str = "SELECT 1 FROM a"; }
mod b { pub const TWICE: &str = "SELECT 1 FROM b"; }
"#;
        let found = sqls(src);
        let texts: Vec<&str> = found.iter().map(|e| e.text.as_str()).collect();
        // `TWICE` names two different statements: which one is unknown, so neither. A method
        // call on a constant is not the constant.
        assert_eq!(
            texts,
            [
                "SELECT id FROM users WHERE id = $1",
                "SELECT id, email FROM users",
                "SELECT name FROM users",
                "SELECT id FROM posts",
            ]
        );
        // Each piece of a concat! maps back into its own literal.
        assert!(host_at(src, &found[1], "email").starts_with("email FROM users\")"));
        assert!(host_at(src, &found[3], "FROM").starts_with("FROM posts\")"));
    }

    #[test]
    fn non_sql_files_and_broken_code() {
        assert!(sqls("fn main() { println!(\"select a file to update\"); }").is_empty());
        let r = extract(Path::new("x.rs"), "fn f() { query(\"SELECT 1\" ");
        assert!(matches!(r, Err(ExtractError::HostSyntax { .. })));
    }
}
