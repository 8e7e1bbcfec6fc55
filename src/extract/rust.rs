//! Rust: SQL in sqlx macros (`query!`, `query_as!`, `query_file!`, ...), sqlx functions
//! (`sqlx::query(...)`, `raw_sql`, `QueryBuilder::new`), tokio-postgres/postgres methods
//! (`.query(...)`, `.execute(...)`, `.prepare(...)`), through `let` bindings (scoped, shadowed,
//! reassigned in branches), `format!`, and constants by path (resolved crate-wide in
//! [`crates`]). A scan over [`tokens`], our own lexer's
//! token tree (proc-macro2's was 2–2.5× faster than `syn::parse_file`; this one is faster again).

pub mod crates;
mod cue;
mod tokens;

use std::path::{Path, PathBuf};
use tokens::{Delimiter, Group, Literal, Spacing, TokenTree};

use super::{starts_like_statement, Confidence, EmbeddedSql, ExtractError, SqlBuilder};
use super::{Splice, SpliceKind};
use crate::diagnostic::Span;

pub(super) use cue::has_sql_cue;

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
    "query_scalar_with",
    "query_one",
    "query_opt",
    "query_raw",
    "query_typed",
    "query_typed_raw",
    "execute",
    "execute_raw",
    "prepare",
    "prepare_typed",
    "prepare_cached",
    "batch_execute",
    "simple_query",
    "raw_sql",
];
/// Of [`CALLS`], the names no other common library uses: an argument that cannot be read is
/// SQL that was not checked (reported as `dynamic-sql`), not some other string.
const SQL_ONLY_CALLS: &[&str] = &[
    "query_as",
    "query_scalar",
    "query_with",
    "query_as_with",
    "query_scalar_with",
    "query_one",
    "query_opt",
    "query_raw",
    "query_typed",
    "query_typed_raw",
    "execute_raw",
    "prepare_typed",
    "prepare_cached",
    "batch_execute",
    "simple_query",
    "raw_sql",
];

/// What one Rust file declares and refers to, for the crate-level pass ([`crates::link`]).
/// Module paths here are relative to the file (inline `mod` items, impl types); the crate
/// pass prefixes the file's own module path.
#[derive(Debug, Default, Clone)]
pub struct Facts {
    pub constants: Vec<ConstDef>,
    pub imports: Vec<Import>,
    pub references: Vec<Reference>,
}

/// `const NAME: &str = ...;` or `static NAME: ... = ...;` outside function bodies.
#[derive(Debug, Clone)]
pub struct ConstDef {
    /// Inline modules, then the impl type for associated constants (`impl Repo { const X }`).
    pub module: Vec<String>,
    pub name: String,
    pub values: Vec<Value>,
}

/// `use a::b::c as d;` in module `module`: `alias` (here `d`) stands for `path`. A glob
/// import (`use a::b::*;`) has `alias` `*` and the module's path.
#[derive(Debug, Clone)]
pub struct Import {
    pub module: Vec<String>,
    pub alias: String,
    pub path: Vec<String>,
}

/// A path given as SQL at a call site (`client.query(sql::FETCH, ..)`), to resolve.
#[derive(Debug, Clone)]
pub struct Reference {
    /// The module the path is written in, and the impl type there (for `Self::`).
    pub module: Vec<String>,
    pub self_type: Option<String>,
    pub path: Vec<String>,
    pub site: Span,
    /// The call certainly takes SQL: a path that cannot be resolved is reported as not
    /// checked instead of ignored.
    pub certain: bool,
}

/// What an expression evaluates to, as far as the scan can tell.
#[derive(Debug, Clone)]
pub enum Value {
    /// Text known statically (a literal, `concat!`, `format!` with its holes marked).
    Sql(Box<SqlBuilder>),
    /// A constant by path, resolved later.
    Path(Reference),
    /// A tuple (`("SELECT ..", args)`): each element's values, for `let (sql, args) = ..`.
    Tuple(Vec<Vec<Value>>),
    /// Computed at run time (a function's result, a parameter): the span of the expression.
    Unknown(Span),
}

/// One file's scan: the SQL found in it and what the crate-level pass needs.
#[derive(Debug, Default)]
pub struct RustFile {
    pub embedded: Vec<EmbeddedSql>,
    pub facts: Facts,
}

/// Extract one file and resolve its paths within the file alone.
pub fn extract(path: &Path, text: &str) -> Result<Vec<EmbeddedSql>, ExtractError> {
    let file = scan_file(path, text)?;
    let mut files = vec![crates::LinkFile {
        path: path.to_path_buf(),
        embedded: file.embedded,
        facts: Some(file.facts),
        notes: Vec::new(),
    }];
    crates::link_files(&mut files, &crates::Layout::Single);
    Ok(std::mem::take(&mut files[0].embedded))
}

impl Facts {
    /// Whether a constant here holds text that starts like SQL (its file's text is kept:
    /// statements may be placed in it by the crate pass).
    pub fn holds_sql(&self) -> bool {
        self.constants.iter().any(|c| {
            c.values
                .iter()
                .any(|v| matches!(v, Value::Sql(b) if starts_like_statement(&b.text)))
        })
    }
}

/// Scan one file: its SQL, constants, imports and unresolved references.
pub fn scan_file(path: &Path, text: &str) -> Result<RustFile, ExtractError> {
    let tokens = tokens::parse(text).map_err(|e| ExtractError::HostSyntax {
        language: "Rust",
        message: e.to_string(),
    })?;
    let mut scan = Scan {
        path,
        module: Vec::new(),
        self_type: None,
        scopes: Vec::new(),
        depth: 0,
        facts: Facts::default(),
        out: Vec::new(),
        refused: None,
    };
    scan.walk(&tokens);
    if let Some(e) = scan.refused {
        return Err(e);
    }
    Ok(RustFile {
        embedded: scan.out,
        facts: scan.facts,
    })
}

/// A `let` (or fn-local `const`, or parameter) in scope: its name and every value it may
/// hold at this point.
struct Binding {
    name: String,
    values: Vec<Value>,
}

struct Scan<'a> {
    path: &'a Path,
    module: Vec<String>,
    self_type: Option<String>,
    /// Block scopes inside function bodies, innermost last; empty at item level.
    scopes: Vec<Vec<Binding>>,
    depth: usize,
    facts: Facts,
    out: Vec<EmbeddedSql>,
    /// A `query_file!` path outside the project: the file is reported, not checked.
    refused: Option<ExtractError>,
}

/// Nested groups deeper than this are not scanned (no real code nests so deep).
const MAX_DEPTH: usize = 128;

fn is_punct(t: Option<&TokenTree>, c: char) -> bool {
    matches!(t, Some(TokenTree::Punct(p)) if p.as_char() == c)
}

fn is_ident(t: Option<&TokenTree>, name: &str) -> bool {
    matches!(t, Some(TokenTree::Ident(i)) if i == name)
}

/// A lone `=` (not `==`, `=>`, `<=`, `+=`).
fn is_assign(tokens: &[TokenTree], i: usize) -> bool {
    let Some(TokenTree::Punct(p)) = tokens.get(i) else {
        return false;
    };
    if p.as_char() != '=' || p.spacing() != Spacing::Alone {
        return false;
    }
    !matches!(i.checked_sub(1).and_then(|j| tokens.get(j)),
        Some(TokenTree::Punct(q)) if q.spacing() == Spacing::Joint)
}

/// The index of the first top-level token at or after `from` matching `stop`.
fn find_from(tokens: &[TokenTree], from: usize, stop: impl Fn(&TokenTree) -> bool) -> usize {
    (from..tokens.len())
        .find(|&j| stop(&tokens[j]))
        .unwrap_or(tokens.len())
}

/// Split a token list at top-level commas (a trailing comma gives no empty piece).
fn split_commas<'t, 'a>(tokens: &'t [TokenTree<'a>]) -> Vec<&'t [TokenTree<'a>]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut angle = 0i32;
    for (i, t) in tokens.iter().enumerate() {
        match t {
            // `query_as::<_, T>` inside an argument: the comma in the turbofish is not a
            // separator. Only count angles after `::` to leave comparisons alone.
            TokenTree::Punct(p)
                if p.as_char() == '<' && i > 0 && is_punct(tokens.get(i - 1), ':') =>
            {
                angle += 1
            }
            TokenTree::Punct(p) if p.as_char() == '>' && angle > 0 => angle -= 1,
            TokenTree::Punct(p) if p.as_char() == ',' && angle == 0 => {
                out.push(&tokens[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < tokens.len() {
        out.push(&tokens[start..]);
    }
    out
}

impl Scan<'_> {
    fn span_of(&self, tokens: &[TokenTree]) -> Span {
        match (tokens.first(), tokens.last()) {
            (Some(a), Some(b)) => Span::new(a.start(), b.end()),
            _ => Span::new(0, 0),
        }
    }

    fn lookup(&self, name: &str) -> Option<&Binding> {
        self.scopes
            .iter()
            .rev()
            .find_map(|s| s.iter().rev().find(|b| b.name == name))
    }

    fn walk(&mut self, tokens: &[TokenTree]) {
        if self.depth > MAX_DEPTH {
            return;
        }
        self.depth += 1;
        let mut i = 0;
        while i < tokens.len() {
            i = self.step(tokens, i);
        }
        self.depth -= 1;
    }

    /// Handle the construct starting at `tokens[i]`; returns where to continue.
    fn step(&mut self, tokens: &[TokenTree], i: usize) -> usize {
        match &tokens[i] {
            TokenTree::Group(g) => {
                let inner = g.tokens();
                let block = g.delimiter() == Delimiter::Brace && !self.scopes.is_empty();
                if block {
                    self.scopes.push(Vec::new());
                }
                self.walk(inner);
                if block {
                    self.scopes.pop();
                }
                i + 1
            }
            TokenTree::Ident(id) => {
                let word = id.as_str();
                match word {
                    "mod" => self.module_item(tokens, i),
                    "impl" | "trait" => self.impl_item(tokens, i),
                    "fn" => self.fn_item(tokens, i),
                    "let" => self.let_statement(tokens, i),
                    "for" if !self.scopes.is_empty() => self.for_loop(tokens, i),
                    "const" | "static" if !is_ident(tokens.get(i + 1), "fn") => {
                        self.const_item(tokens, i)
                    }
                    "use" => self.use_item(tokens, i),
                    _ => self.expression_word(tokens, i, word),
                }
            }
            _ => i + 1,
        }
    }

    /// `mod name { ... }`: a nested module with its own items (no outer `let`s).
    fn module_item(&mut self, tokens: &[TokenTree], i: usize) -> usize {
        let (Some(TokenTree::Ident(name)), Some(TokenTree::Group(g))) =
            (tokens.get(i + 1), tokens.get(i + 2))
        else {
            return i + 1;
        };
        if g.delimiter() != Delimiter::Brace {
            return i + 1;
        }
        let inner = g.tokens();
        self.module.push(name.to_string());
        let scopes = std::mem::take(&mut self.scopes);
        let self_type = self.self_type.take();
        self.walk(inner);
        self.scopes = scopes;
        self.self_type = self_type;
        self.module.pop();
        i + 3
    }

    /// `impl<T> Trait for Type<T> { ... }`: associated constants live under `Type`.
    fn impl_item(&mut self, tokens: &[TokenTree], i: usize) -> usize {
        let body = find_from(tokens, i + 1, |t| {
            matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace)
                || matches!(t, TokenTree::Punct(p) if p.as_char() == ';')
        });
        let Some(TokenTree::Group(g)) = tokens.get(body) else {
            return body;
        };
        // The type is the last name at angle depth 0 before `where`.
        let mut angle = 0i32;
        let mut ty = None;
        for t in &tokens[i + 1..body] {
            match t {
                TokenTree::Punct(p) if p.as_char() == '<' => angle += 1,
                TokenTree::Punct(p) if p.as_char() == '>' => angle -= 1,
                TokenTree::Ident(id) if id == "where" => break,
                TokenTree::Ident(id) if angle == 0 && id != "for" && id != "dyn" => {
                    ty = Some(id.to_string())
                }
                _ => {}
            }
        }
        let inner = g.tokens();
        let saved = std::mem::replace(&mut self.self_type, ty);
        let scopes = std::mem::take(&mut self.scopes);
        self.walk(inner);
        self.scopes = scopes;
        self.self_type = saved;
        body + 1
    }

    /// `fn name(params) -> T { body }`: the body is a new scope where parameters shadow
    /// everything outside.
    fn fn_item(&mut self, tokens: &[TokenTree], i: usize) -> usize {
        let body = find_from(tokens, i + 1, |t| {
            matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace)
                || matches!(t, TokenTree::Punct(p) if p.as_char() == ';')
        });
        let Some(TokenTree::Group(g)) = tokens.get(body) else {
            return body + 1;
        };
        let mut params = Vec::new();
        if let Some(TokenTree::Group(p)) = tokens[i + 1..body]
            .iter()
            .find(|t| matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis))
        {
            let ptoks = p.tokens();
            for param in split_commas(ptoks) {
                let colon = param.iter().position(|t| is_punct(Some(t), ':'));
                if let Some(c) = colon {
                    let span = self.span_of(param);
                    for name in pattern_names(&param[..c]) {
                        params.push(Binding {
                            name,
                            values: vec![Value::Unknown(span)],
                        });
                    }
                }
            }
        }
        let inner = g.tokens();
        self.scopes.push(params);
        self.walk(inner);
        self.scopes.pop();
        body + 1
    }

    /// The end of a statement starting at `from`: the next top-level `;`.
    fn statement_end(tokens: &[TokenTree], from: usize) -> usize {
        find_from(
            tokens,
            from,
            |t| matches!(t, TokenTree::Punct(p) if p.as_char() == ';'),
        )
    }

    /// `let pattern (: Type)? (= value)? ;`
    fn let_statement(&mut self, tokens: &[TokenTree], i: usize) -> usize {
        let end = Self::statement_end(tokens, i + 1);
        let eq = (i + 1..end).find(|&j| is_assign(tokens, j));
        let pattern_end = (i + 1..eq.unwrap_or(end))
            .find(|&j| is_punct(tokens.get(j), ':') && !is_punct(tokens.get(j + 1), ':'))
            .unwrap_or(eq.unwrap_or(end));
        let pattern = &tokens[i + 1..pattern_end];
        let values = match eq {
            Some(eq) => {
                let value = &tokens[eq + 1..end];
                if let Some((new, args)) = builder_new(value) {
                    // `let mut qb = QueryBuilder::new("..");`: what the next statements push.
                    let name = pattern_names(pattern).pop();
                    let rest = tokens.get(end + 1..).unwrap_or(&[]);
                    let site = self.span_of(std::slice::from_ref(new));
                    self.query_builder(args.tokens(), site, name.as_deref(), rest);
                    return end + 1;
                }
                // Calls inside the initializer are scanned too (`let rows = client.query(..)`).
                self.walk(value);
                self.values(value)
            }
            None => Vec::new(),
        };
        self.bind(pattern, values);
        end + 1
    }

    /// `for (name, sql) in [("a", "SELECT .."), ..] { .. }`: the pattern is bound to every
    /// element's values inside the body.
    fn for_loop(&mut self, tokens: &[TokenTree], i: usize) -> usize {
        // `for<'a> Fn(&'a str)` is a type, not a loop.
        if is_punct(tokens.get(i + 1), '<') {
            return i + 1;
        }
        let Some(at_in) = (i + 1..tokens.len()).find(|&j| is_ident(tokens.get(j), "in")) else {
            return i + 1;
        };
        if tokens[i + 1..at_in].iter().any(|t| is_punct(Some(t), ';')) {
            return i + 1;
        }
        let Some(body) = (at_in + 1..tokens.len()).find(
            |&j| matches!(&tokens[j], TokenTree::Group(g) if g.delimiter() == Delimiter::Brace),
        ) else {
            return i + 1;
        };
        let iterable = &tokens[at_in + 1..body];
        self.walk(iterable);
        let values = self.values(strip_iteration(iterable));
        let TokenTree::Group(g) = &tokens[body] else {
            return body + 1;
        };
        self.scopes.push(Vec::new());
        self.bind(&tokens[i + 1..at_in], values);
        self.walk(g.tokens());
        self.scopes.pop();
        body + 1
    }

    /// Bind a pattern: a name, or a tuple (nested too) destructuring a tuple value.
    fn bind(&mut self, pattern: &[TokenTree], values: Vec<Value>) {
        if self.scopes.is_empty() {
            return;
        }
        // `let (a, b) = PAIR;`, `for (name, sql) in MIGRATIONS`: a tuple pattern needs the
        // constant's tuples now (a plain name keeps the path, resolved crate-wide later).
        let tuple = matches!(strip_wrappers(pattern), [TokenTree::Group(g)] if g.delimiter() == Delimiter::Parenthesis);
        let values = if tuple {
            values
                .into_iter()
                .flat_map(|v| match v {
                    Value::Path(r) if r.path.len() == 1 => self
                        .facts
                        .constants
                        .iter()
                        .rev()
                        .find(|c| c.name == r.path[0] && c.module == self.module)
                        .map_or_else(|| vec![Value::Path(r.clone())], |c| c.values.clone()),
                    v => vec![v],
                })
                .collect()
        } else {
            values
        };
        let mut bound = Vec::new();
        bind_pattern(pattern, values, &mut bound);
        if let Some(scope) = self.scopes.last_mut() {
            scope.extend(bound);
        }
    }

    /// `const NAME: T = value;` / `static (mut|ref)? NAME: T = value;`
    fn const_item(&mut self, tokens: &[TokenTree], i: usize) -> usize {
        let end = Self::statement_end(tokens, i + 1);
        let mut n = i + 1;
        while matches!(tokens.get(n), Some(TokenTree::Ident(x)) if x == "mut" || x == "ref") {
            n += 1;
        }
        let Some(TokenTree::Ident(name)) = tokens.get(n) else {
            return i + 1;
        };
        let Some(eq) = (n + 1..end).find(|&j| is_assign(tokens, j)) else {
            return i + 1;
        };
        // `struct S<const N: usize> { .. }`: a const generic, not an item; its `=` would be
        // another item's.
        let typed = is_punct(tokens.get(n + 1), ':')
            && !tokens[n + 1..eq]
                .iter()
                .any(|t| matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace));
        if !typed {
            return i + 1;
        }
        let value = &tokens[eq + 1..end];
        self.walk(value);
        let values = self.values(value);
        let name = name.to_string();
        if let Some(scope) = self.scopes.last_mut() {
            scope.push(Binding { name, values });
        } else {
            let mut module = self.module.clone();
            module.extend(self.self_type.clone());
            self.facts.constants.push(ConstDef {
                module,
                name,
                values,
            });
        }
        end + 1
    }

    /// `use a::{b::{self, C as D}, e::*};`
    fn use_item(&mut self, tokens: &[TokenTree], i: usize) -> usize {
        let end = Self::statement_end(tokens, i + 1);
        let mut imports = Vec::new();
        use_tree(&tokens[i + 1..end], Vec::new(), &mut imports);
        for (alias, path) in imports {
            self.facts.imports.push(Import {
                module: self.module.clone(),
                alias,
                path,
            });
        }
        end + 1
    }

    /// A name in expression position: a macro, a call, an assignment, a builder.
    fn expression_word(&mut self, tokens: &[TokenTree], i: usize, word: &str) -> usize {
        // `sql.push_str("..")`, `sql += ".."`: the text grows at run time from here.
        let appended = is_punct(tokens.get(i + 1), '.')
            && matches!(tokens.get(i + 2), Some(TokenTree::Ident(m))
                if matches!(m.as_str(), "push_str" | "push" | "insert_str" | "extend"));
        let plus_eq = is_punct(tokens.get(i + 1), '+') && is_punct(tokens.get(i + 2), '=');
        if (appended || plus_eq) && !(i > 0 && is_punct(tokens.get(i - 1), '.')) {
            let end = (i + 3).min(tokens.len());
            let span = self.span_of(&tokens[i..end]);
            self.mark_grown(word, span);
        }
        if is_punct(tokens.get(i + 1), '!') {
            if let Some(TokenTree::Group(g)) = tokens.get(i + 2) {
                let args = g.tokens();
                if word == "write" || word == "writeln" {
                    // `write!(sql, " AND x = {}", v)` appends to `sql`.
                    if let Some(target) = split_commas(args).first() {
                        if let Some(TokenTree::Ident(name)) = strip_wrappers(target).first() {
                            let span = self.span_of(&tokens[i..i + 3]);
                            self.mark_grown(name.as_str(), span);
                        }
                    }
                }
                if MACROS.contains(&word) {
                    self.macro_call(args);
                } else if FILE_MACROS.contains(&word) {
                    self.file_macro(args);
                }
                // `lazy_static! { static ref Q: &str = ".."; }` holds items; other macros
                // hold expressions. Either way, what is inside is scanned.
                self.walk(args);
                return i + 3;
            }
            return i + 1;
        }
        if word == "QueryBuilder" {
            if let Some((new, args)) = builder_new(&tokens[i..]) {
                // Not bound to a name: only the prefix is known.
                let site = self.span_of(std::slice::from_ref(new));
                self.query_builder(args.tokens(), site, None, &[]);
            }
            return i + 1;
        }
        if CALLS.contains(&word) {
            let after_dot = i > 0 && is_punct(tokens.get(i - 1), '.');
            let after_sqlx = i >= 3 && is_ident(tokens.get(i - 3), "sqlx");
            let after_fn = i > 0 && is_ident(tokens.get(i - 1), "fn");
            if let (false, Some(g)) = (after_fn, call_group(&tokens[i + 1..])) {
                let args = g.tokens();
                let parts = split_commas(args);
                // tokio-postgres passes parameters as a slice: `(sql, &[&a, &b])`.
                let params_slice = parts.get(1).is_some_and(|p| {
                    is_punct(p.first(), '&')
                        && matches!(p.get(1), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket)
                });
                let certain = SQL_ONLY_CALLS.contains(&word)
                    || after_sqlx
                    || params_slice
                    || (!after_dot && (word == "query" || word == "query_as"));
                if let Some(first) = parts.first() {
                    self.function_call(first, certain);
                }
            }
            return i + 1;
        }
        // `name = value;`: a binding reassigned (in a branch: one more value it may hold).
        if is_assign(tokens, i + 1) && !(i > 0 && is_punct(tokens.get(i - 1), '.')) {
            let end = find_from(
                tokens,
                i + 2,
                |t| matches!(t, TokenTree::Punct(p) if p.as_char() == ';' || p.as_char() == ','),
            );
            let value = &tokens[i + 2..end];
            self.walk(value);
            let values = self.values(value);
            let depth = self.scopes.len();
            for (d, scope) in self.scopes.iter_mut().enumerate().rev() {
                if let Some(b) = scope.iter_mut().rev().find(|b| b.name == word) {
                    if d + 1 == depth && !b.values.is_empty() {
                        b.values = values;
                    } else {
                        b.values.extend(values);
                    }
                    break;
                }
            }
            return end;
        }
        i + 1
    }

    /// A binding's text is appended to at `span`: each of its statements is only known in
    /// part (checked if what is known parses, otherwise `dynamic-sql`).
    fn mark_grown(&mut self, name: &str, span: Span) {
        for scope in self.scopes.iter_mut().rev() {
            if let Some(b) = scope.iter_mut().rev().find(|b| b.name == name) {
                for v in &mut b.values {
                    if let Value::Sql(sql) = v {
                        if !sql.dynamic.contains(&span) {
                            sql.dynamic.push(span);
                        }
                    }
                }
                return;
            }
        }
    }

    /// `query!("SELECT ...", args)` / `query_as!(Type, "SELECT ...", args)`: the first string.
    fn macro_call(&mut self, args: &[TokenTree]) {
        let first_string = args.iter().find_map(|t| match t {
            TokenTree::Literal(l) if is_string_literal(l) => Some(*l),
            _ => None,
        });
        if let Some(lit) = first_string {
            let b = self.literal(&[lit]);
            self.emit(b);
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
        decode_literal(lit.as_str(), 0, &mut b);
        let Some(root) = crate_root(self.path) else {
            return;
        };
        // `"./src/x.sql"` names `src/x.sql`: the path is shown without the `./`.
        let written: PathBuf = Path::new(&b.text)
            .components()
            .filter(|c| *c != std::path::Component::CurDir)
            .collect();
        let file = root.join(written);
        // Only inside the project: `query_file!("/proc/self/environ")` or `"../../x"` would
        // otherwise be read and shown in a snippet. The file is then not checked, and says so.
        if let Err(e) = crate::user_file::inside(&project_root(&root), &file) {
            self.refused
                .get_or_insert(ExtractError::QueryFile(e.to_string()));
            return;
        }
        // An unreadable query file is sqlx's compile error to report; we check what we can read.
        let Ok(bytes) = crate::user_file::read_regular(&file, crate::user_file::MAX_FILE_SIZE)
        else {
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

    /// The first argument of a query call: every value it may have is a statement.
    fn function_call(&mut self, first: &[TokenTree], certain: bool) {
        let site = self.span_of(strip_wrappers(first));
        for value in self.values(first) {
            self.use_value(value, certain, site);
        }
    }

    fn use_value(&mut self, value: Value, certain: bool, site: Span) {
        match value {
            Value::Sql(b) => self.emit(*b),
            // A tuple passed whole is not a string.
            Value::Tuple(_) => {}
            Value::Path(mut r) => {
                r.certain = certain;
                self.facts.references.push(r);
            }
            Value::Unknown(_) => {
                if certain {
                    let e = not_extracted(site);
                    if !self.out.contains(&e) {
                        self.out.push(e);
                    }
                }
            }
        }
    }

    /// Push a statement found in this file, once.
    fn emit(&mut self, b: SqlBuilder) {
        if !starts_like_statement(&b.text) {
            return;
        }
        let e = b.finish(Confidence::Certain);
        if !self.out.contains(&e) {
            self.out.push(e);
        }
    }

    /// Every value an expression may have.
    fn values(&mut self, tokens: &[TokenTree]) -> Vec<Value> {
        let tokens = strip_wrappers(tokens);
        if tokens.is_empty() {
            return Vec::new();
        }
        let span = self.span_of(tokens);
        if let Some((parts, used)) = string_value(tokens) {
            if used == tokens.len() {
                return vec![Value::Sql(Box::new(self.literal(&parts)))];
            }
        }
        match tokens {
            [TokenTree::Ident(f), TokenTree::Punct(bang), TokenTree::Group(g)]
                if f == "format" && bang.as_char() == '!' =>
            {
                return vec![self.format(g.tokens(), span)];
            }
            [TokenTree::Group(g)] if g.delimiter() == Delimiter::Parenthesis => {
                let inner = g.tokens();
                let parts = split_commas(inner);
                if parts.len() < 2 {
                    return self.values(inner);
                }
                // A tuple: each element's values, for `let (sql, args) = (..)`.
                let elements: Vec<Vec<Value>> = parts.iter().map(|p| self.values(p)).collect();
                return vec![Value::Tuple(elements)];
            }
            [TokenTree::Group(g)] if g.delimiter() == Delimiter::Brace => {
                return self.block_value(g);
            }
            // An array (`[("a", "SELECT .."), ..]`): what iterating it yields.
            [TokenTree::Group(g)] if g.delimiter() == Delimiter::Bracket => {
                let inner = g.tokens();
                return split_commas(inner)
                    .into_iter()
                    .flat_map(|e| self.values(e))
                    .collect();
            }
            // `String::from(x)`, `Cow::Borrowed(x)`, `Some(x)` wrap the same text.
            [.., TokenTree::Ident(f), TokenTree::Group(g)]
                if g.delimiter() == Delimiter::Parenthesis
                    && matches!(f.as_str(), "from" | "Borrowed" | "Owned" | "new")
                    && tokens.len() == 5
                    && matches!(&tokens[0], TokenTree::Ident(s) if s == "String" || s == "Cow") =>
            {
                return self.values(g.tokens());
            }
            [TokenTree::Ident(kw), ..] if kw == "if" => return self.if_values(tokens),
            [TokenTree::Ident(kw), .., TokenTree::Group(arms)] if kw == "match" => {
                return self.match_values(arms);
            }
            _ => {}
        }
        // `client.prepare(..).await?`: a prepared statement, whose SQL is found at `prepare`.
        let prepared = tokens.windows(2).any(|w| {
            is_punct(w.first(), '.')
                && matches!(w.get(1), Some(TokenTree::Ident(m)) if m.as_str().starts_with("prepare"))
        });
        if prepared {
            return Vec::new();
        }
        // `Lazy::new(|| "..".to_string())`, `LazyLock::new(|| ..)`: the closure's value.
        if let [.., TokenTree::Ident(new), TokenTree::Group(g)] = tokens {
            let inner = g.tokens();
            if new == "new" && is_punct(inner.first(), '|') && is_punct(inner.get(1), '|') {
                return self.values(&inner[2..]);
            }
        }
        // `pair.0`: element 0 of each tuple `pair` may hold.
        if let [TokenTree::Ident(name), TokenTree::Punct(dot), TokenTree::Literal(k)] = tokens {
            if let (true, Ok(k)) = (dot.as_char() == '.', k.as_str().parse::<usize>()) {
                let found: Vec<Value> = self.lookup(name.as_str()).map_or_else(Vec::new, |b| {
                    b.values
                        .iter()
                        .filter_map(|v| match v {
                            Value::Tuple(t) => t.get(k).cloned(),
                            _ => None,
                        })
                        .flatten()
                        .collect()
                });
                if found.is_empty() {
                    return vec![Value::Unknown(span)];
                }
                return found;
            }
        }
        if let Some(path) = path_segments(tokens) {
            if path.len() == 1 {
                if let Some(b) = self.lookup(&path[0]) {
                    return b.values.clone();
                }
            }
            return vec![Value::Path(Reference {
                module: self.module.clone(),
                self_type: self.self_type.clone(),
                path,
                site: span,
                certain: false,
            })];
        }
        vec![Value::Unknown(span)]
    }

    /// `{ ...; value }`: the value of the last expression.
    fn block_value(&mut self, g: &Group) -> Vec<Value> {
        let inner = g.tokens();
        let last = last_expression(inner);
        self.scopes.push(Vec::new());
        // Bindings made in the block are visible to its last expression. (Only bound here:
        // the statements themselves are scanned by the walk, once.)
        self.bind_statements(&inner[..last]);
        let v = self.values(&inner[last..]);
        self.scopes.pop();
        v
    }

    /// The `let`s and `const`s of a block, bound without scanning them for calls.
    fn bind_statements(&mut self, tokens: &[TokenTree]) {
        let mut i = 0;
        while i < tokens.len() {
            // `if let P = x { .. }` / `while let`: a condition, not a statement.
            let in_condition = i > 0
                && (is_ident(tokens.get(i - 1), "if") || is_ident(tokens.get(i - 1), "while"));
            let is_let = is_ident(tokens.get(i), "let") && !in_condition;
            let is_const = is_ident(tokens.get(i), "const") && !is_ident(tokens.get(i + 1), "fn");
            if !(is_let || is_const) {
                i += 1;
                continue;
            }
            let end = Self::statement_end(tokens, i + 1);
            let eq = (i + 1..end).find(|&j| is_assign(tokens, j));
            let pattern_end = (i + 1..eq.unwrap_or(end))
                .find(|&j| is_punct(tokens.get(j), ':') && !is_punct(tokens.get(j + 1), ':'))
                .unwrap_or(eq.unwrap_or(end));
            let values = match eq {
                Some(eq) => self.values(&tokens[eq + 1..end]),
                None => Vec::new(),
            };
            self.bind(&tokens[i + 1..pattern_end], values);
            i = end + 1;
        }
    }

    /// `if c { a } else if d { b } else { c }`: every branch's value.
    fn if_values(&mut self, tokens: &[TokenTree]) -> Vec<Value> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            if let TokenTree::Group(g) = &tokens[i] {
                if g.delimiter() == Delimiter::Brace {
                    out.extend(self.block_value(g));
                }
            }
            i += 1;
        }
        out
    }

    /// `match x { P => a, Q => { b } }`: every arm's value.
    fn match_values(&mut self, arms: &Group) -> Vec<Value> {
        let tokens = arms.tokens();
        let mut out = Vec::new();
        let mut i = 0;
        while i + 1 < tokens.len() {
            let arrow = is_punct(tokens.get(i), '=') && is_punct(tokens.get(i + 1), '>');
            if !arrow {
                i += 1;
                continue;
            }
            let start = i + 2;
            let end = match tokens.get(start) {
                Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => start + 1,
                _ => find_from(tokens, start, |t| is_punct(Some(t), ',')),
            };
            out.extend(self.values(&tokens[start..end]));
            i = end;
        }
        out
    }

    /// A statement made of one or more string literals (`concat!` pieces), each mapped back.
    fn literal(&self, parts: &[Literal]) -> SqlBuilder {
        let mut b = SqlBuilder::default();
        for lit in parts {
            let host = lit.start();
            decode_literal(lit.as_str(), host, &mut b);
        }
        b
    }

    /// `format!("... {} ... {name} ...", a, name = b)`: the text with each hole as a
    /// placeholder and a [`Splice`]; holes in identifier or list position make the statement
    /// dynamic.
    fn format(&mut self, args: &[TokenTree], span: Span) -> Value {
        let parts = split_commas(args);
        let Some([TokenTree::Literal(lit)]) = parts.first().copied() else {
            return Value::Unknown(span);
        };
        if !is_string_literal(lit) {
            return Value::Unknown(span);
        }
        let raw = self.literal(std::slice::from_ref(lit));
        let mut positional: Vec<&[TokenTree]> = Vec::new();
        let mut named: Vec<(String, &[TokenTree])> = Vec::new();
        for p in &parts[1..] {
            match p {
                [TokenTree::Ident(n), rest @ ..] if is_assign(p, 1) => {
                    named.push((n.to_string(), &rest[1..]));
                }
                _ => positional.push(p),
            }
        }
        let text = raw.text.clone();
        let mut n = max_placeholder(&text);
        let mut b = SqlBuilder::default();
        let mut next = 0;
        let bytes = text.as_bytes();
        let (mut i, mut run) = (0, 0);
        while i < bytes.len() {
            match bytes[i] {
                b'{' | b'}' if bytes.get(i + 1) == Some(&bytes[i]) => {
                    push_mapped(&mut b, &raw, run, i + 1);
                    i += 2;
                    run = i;
                }
                b'{' => {
                    let Some(close) = text[i..].find('}').map(|c| i + c) else {
                        break;
                    };
                    push_mapped(&mut b, &raw, run, i);
                    let name = text[i + 1..close].split(':').next().unwrap_or("").trim();
                    let arg: Option<Vec<TokenTree>> = if name.is_empty() {
                        next += 1;
                        positional.get(next - 1).map(|a| a.to_vec())
                    } else if let Ok(k) = name.parse::<usize>() {
                        positional.get(k).map(|a| a.to_vec())
                    } else {
                        named
                            .iter()
                            .find(|(n, _)| n == name)
                            .map(|(_, a)| a.to_vec())
                            .or_else(|| {
                                // `{name}`: a variable captured from the scope. Parsed, not
                                // built: `Ident::new` panics on what is not an identifier
                                // (`{1a}`, `{ⅷ}` in a malformed format string).
                                let mut tokens = tokens::parse(name).ok()?.into_iter();
                                match (tokens.next(), tokens.next()) {
                                    (Some(TokenTree::Ident(id)), None) => {
                                        Some(vec![TokenTree::Ident(id)])
                                    }
                                    _ => None,
                                }
                            })
                    };
                    let hole =
                        Span::new(raw.map.to_host(i as u32), raw.map.to_host(close as u32) + 1);
                    self.hole(
                        &mut b,
                        arg.as_deref().unwrap_or(&[]),
                        hole,
                        close + 1 - i,
                        &mut n,
                    );
                    i = close + 1;
                    run = i;
                }
                _ => i += 1,
            }
        }
        push_mapped(&mut b, &raw, run, bytes.len());
        Value::Sql(Box::new(b))
    }

    /// One `format!` hole: a constant known in this file is pasted in as its text; otherwise
    /// a placeholder as long as the hole (`{id}` → `$2  `), so offsets stay 1:1.
    fn hole(
        &mut self,
        b: &mut SqlBuilder,
        arg: &[TokenTree],
        hole: Span,
        len: usize,
        n: &mut usize,
    ) {
        let arg = strip_wrappers(arg);
        let context = super::splice::HoleContext::of(&b.text);
        let in_quotes = context == super::splice::HoleContext::InString;
        let constant = is_constant_expression(arg);
        // A string known in this file (a literal, or a binding with one static value).
        let known = match arg {
            [TokenTree::Literal(l)] if is_string_literal(l) => {
                Some(self.literal(std::slice::from_ref(l)))
            }
            [TokenTree::Ident(name)] => {
                let name = name.as_str();
                // A binding in scope, else a constant of this module declared above.
                let values = match self.lookup(name) {
                    Some(b) => Some(b.values.as_slice()),
                    None => self
                        .facts
                        .constants
                        .iter()
                        .rev()
                        .find(|c| c.name == name && c.module == self.module)
                        .map(|c| c.values.as_slice()),
                };
                match values {
                    Some([Value::Sql(v)]) if v.dynamic.is_empty() && v.spliced.is_empty() => {
                        Some((**v).clone())
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        let kind = if constant || known.is_some() {
            SpliceKind::Constant
        } else if context.is_value() {
            SpliceKind::Value
        } else {
            SpliceKind::Fragment
        };
        let start = b.text.len() as u32;
        match (&known, in_quotes) {
            (Some(k), false) => {
                for (pos, c) in k.text.char_indices() {
                    b.push_decoded(c, k.map.to_host(pos as u32));
                }
            }
            _ if in_quotes => {
                // Inside a SQL string literal any filler keeps the statement valid.
                b.push_placeholder(&"x".repeat(len), hole.start);
            }
            _ => {
                *n += 1;
                // A pasted fragment stands in by where it lands, as in TS templates: nothing
                // for a clause (`FROM users{where}`: a `$n` there would glue onto `users`
                // and hide the whole statement), `TRUE` for conditions, ...
                b.push_placeholder(&context.stand_in(*n, len), hole.start);
                if !context.is_value() {
                    b.dynamic.push(hole);
                }
            }
        }
        // What follows the hole maps 1:1 again (pushed by the caller from the hole's end).
        b.spliced.push(Splice {
            host: hole,
            sql_start: start,
            sql_end: b.text.len() as u32,
            kind,
        });
    }

    /// `let mut qb = QueryBuilder::new("UPDATE t SET ");` then `qb.push(".."); qb.push_bind(x);`
    /// at the same level: the literal pushes are appended, a bind is a `$n` parameter, rows
    /// pushed by `push_values` and a run-time value pushed where a value, a condition or a list
    /// goes stand in by their position (see [`super::splice`]). From anything else (a push in
    /// a branch or loop, `separated(..)`, the builder passed along) the rest is only known at
    /// run time: what is known is ended by a stand-in ([`super::splice::completion`]) so that
    /// an INSERT's table and column list or a `SELECT .. WHERE ` prefix is still checked, in
    /// part, with a `dynamic-sql` note.
    ///
    /// `site` is the `new` of `QueryBuilder::new`: where a builder that is never built here
    /// (returned, passed along) is said to go on at run time.
    fn query_builder(
        &mut self,
        args: &[TokenTree],
        site: Span,
        name: Option<&str>,
        tokens: &[TokenTree],
    ) {
        let Some(first) = split_commas(args).first().copied() else {
            return;
        };
        let mut values = self.values(first);
        let Some(Value::Sql(mut b)) = values.pop().filter(|_| values.is_empty()) else {
            // A prefix built otherwise: not extracted, said so.
            let span = self.span_of(first);
            self.out.push(not_extracted(span));
            return;
        };
        let mut n = max_placeholder(&b.text);
        // Where the rest of the statement is only known at run time.
        let mut dynamic = None;
        let mut built = false;
        if let Some(name) = name {
            let mut j = 0;
            'statements: while j < tokens.len() {
                // `if c { qb.push(..); }` ends at its block: the `qb.build()` after it is
                // the next statement, not part of the branch.
                let (stmt_end, next) = match block_statement_end(tokens, j) {
                    Some(e) => (e, e),
                    None => {
                        let e = Self::statement_end(tokens, j);
                        (e, e + 1)
                    }
                };
                let stmt = &tokens[j..stmt_end];
                let mentions = stmt_mentions(stmt, name);
                if mentions {
                    // `qb.push("..").push_bind(x)` chains, one call after another.
                    let mut k = 0;
                    let direct = is_ident(stmt.first(), name);
                    while direct && k + 3 < stmt.len() && is_punct(stmt.get(k + 1), '.') {
                        let (Some(TokenTree::Ident(m)), Some(TokenTree::Group(a))) =
                            (stmt.get(k + 2), stmt.get(k + 3))
                        else {
                            break;
                        };
                        let call = self.span_of(&stmt[k + 2..k + 4]);
                        let a = a.tokens();
                        match m.as_str() {
                            "push" => match string_value(a) {
                                Some((parts, used)) if used == a.len() => {
                                    let piece = self.literal(&parts);
                                    for (pos, c) in piece.text.char_indices() {
                                        b.push_decoded(c, piece.map.to_host(pos as u32));
                                    }
                                }
                                _ => {
                                    if !self.builder_push(&mut b, a, call, &mut n) {
                                        dynamic = Some(call);
                                        break 'statements;
                                    }
                                }
                            },
                            "push_bind" => {
                                n += 1;
                                b.push_placeholder(&format!("${n}"), m.start());
                            }
                            // `VALUES (..), (..)`, one row per item, pushed by the closure.
                            "push_values" => {
                                let rows = super::splice::values_stand_in(&b.text, n + 1);
                                n = max_placeholder(&rows).max(n);
                                builder_stand_in(&mut b, &rows, call, SpliceKind::Fragment);
                            }
                            // `((..), (..))`: a list of tuples.
                            "push_tuples" => {
                                n += 1;
                                let list = format!("(${n})");
                                builder_stand_in(&mut b, &list, call, SpliceKind::Fragment);
                            }
                            "build" | "build_query_as" | "build_query_scalar" | "sql"
                            | "into_sql" => {
                                built = true;
                                break 'statements;
                            }
                            "reset" => break 'statements,
                            _ => {
                                dynamic = Some(call);
                                break 'statements;
                            }
                        }
                        k += 3;
                    }
                    if !direct || k + 1 < stmt.len() && !is_punct(stmt.get(k + 1), '.') {
                        // Used some other way (in a branch, passed along): unknown from here.
                        if stmt_is_build(stmt, name) {
                            built = true;
                        } else {
                            dynamic = Some(self.span_of(stmt));
                        }
                        break;
                    }
                }
                j = next;
            }
        }
        if !built && dynamic.is_none() {
            // Returned or never built here: what follows the prefix is not known.
            dynamic = Some(site);
        }
        if let Some(span) = dynamic {
            let end = super::splice::completion(&b.text, n + 1);
            if !end.is_empty() {
                builder_stand_in(&mut b, &end, span, SpliceKind::Fragment);
            }
            if !b.dynamic.contains(&span) {
                b.dynamic.push(span);
            }
        }
        if starts_like_statement(&b.text) {
            let e = b.finish(Confidence::Certain);
            if !self.out.contains(&e) {
                self.out.push(e);
            }
        } else {
            let span = self.span_of(first);
            self.out.push(not_extracted(span));
        }
    }

    /// `qb.push(x)` with a run-time `x`: a stand-in where a value, a condition, a list or
    /// columns go (a value pasted in is an injection hole, as in `format!`). False where the
    /// position takes a name or a whole clause: nothing after it can be relied on.
    fn builder_push(
        &self,
        b: &mut SqlBuilder,
        arg: &[TokenTree],
        call: Span,
        n: &mut usize,
    ) -> bool {
        use super::splice::HoleContext;
        let context = HoleContext::of(&b.text);
        if matches!(context, HoleContext::Clause | HoleContext::Name) {
            return false;
        }
        let kind = if is_constant_expression(strip_wrappers(arg)) {
            SpliceKind::Constant
        } else {
            context.kind(false)
        };
        *n += 1;
        let stand_in = context.stand_in(*n, 0);
        *n = (*n).max(max_placeholder(&stand_in));
        builder_stand_in(b, &stand_in, call, kind);
        true
    }
}

/// Append a stand-in for what a builder call at `call` pushes at run time, recorded as
/// pasted text: never sent to `--verify`, findings on it dropped.
fn builder_stand_in(b: &mut SqlBuilder, text: &str, call: Span, kind: SpliceKind) {
    let start = b.text.len() as u32;
    b.push_placeholder(text, call.start);
    b.spliced.push(Splice {
        host: call,
        sql_start: start,
        sql_end: b.text.len() as u32,
        kind,
    });
    if kind == SpliceKind::Fragment && !b.dynamic.contains(&call) {
        b.dynamic.push(call);
    }
}

/// The `new` and the argument group of `QueryBuilder::new(..)` or
/// `QueryBuilder::<Postgres>::new(..)` in
/// an expression.
fn builder_new<'t, 'a>(tokens: &'t [TokenTree<'a>]) -> Option<(&'t TokenTree<'a>, &'t Group<'a>)> {
    let at = tokens
        .iter()
        .position(|t| is_ident(Some(t), "QueryBuilder"))?;
    let mut k = at + 1;
    if !(is_punct(tokens.get(k), ':') && is_punct(tokens.get(k + 1), ':')) {
        return None;
    }
    k += 2;
    if is_punct(tokens.get(k), '<') {
        let mut depth = 0;
        while k < tokens.len() {
            match &tokens[k] {
                TokenTree::Punct(p) if p.as_char() == '<' => depth += 1,
                TokenTree::Punct(p) if p.as_char() == '>' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            k += 1;
        }
        k += 1;
        if !(is_punct(tokens.get(k), ':') && is_punct(tokens.get(k + 1), ':')) {
            return None;
        }
        k += 2;
    }
    match (tokens.get(k), tokens.get(k + 1)) {
        (Some(TokenTree::Ident(new)), Some(TokenTree::Group(g)))
            if new == "new" && g.delimiter() == Delimiter::Parenthesis =>
        {
            Some((&tokens[k], g))
        }
        _ => None,
    }
}

/// Where a block's value starts: after its last `;` and after any statement that ends in a
/// block without one (`if c { return ..; }`, `match`, `for`, `while`, `loop`, `unsafe`, a
/// bare `{ .. }`), so `{ let v = ..; if v.is_none() { return ..; } ("SELECT ..", "..") }`
/// has the tuple as its value.
fn last_expression(tokens: &[TokenTree]) -> usize {
    let mut at = tokens
        .iter()
        .rposition(|t| is_punct(Some(t), ';'))
        .map_or(0, |p| p + 1);
    // `if c { a } else { b }.map_err(..)` goes on: only a statement followed by another
    // expression (a name, a literal, a group) is skipped.
    while let Some(end) = block_statement_end(tokens, at) {
        if !matches!(
            tokens.get(end),
            Some(TokenTree::Ident(_) | TokenTree::Literal(_) | TokenTree::Group(_))
        ) {
            break;
        }
        at = end;
    }
    at
}

/// The end of a block-like expression statement starting at `tokens[at]`, if it is one.
fn block_statement_end(tokens: &[TokenTree], at: usize) -> Option<usize> {
    let is_brace = |t: Option<&TokenTree>| matches!(t, Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace);
    // The first top-level `{ .. }` at or after `from` (a condition's struct literal is rare).
    let body = |from: usize| (from..tokens.len()).find(|&j| is_brace(tokens.get(j)));
    let word = match tokens.get(at)? {
        TokenTree::Ident(w) => w.as_str(),
        TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => return Some(at + 1),
        _ => return None,
    };
    match word {
        "if" => {
            let mut end = body(at + 1)? + 1;
            while is_ident(tokens.get(end), "else") {
                end = if is_ident(tokens.get(end + 1), "if") {
                    body(end + 2)? + 1
                } else if is_brace(tokens.get(end + 1)) {
                    end + 2
                } else {
                    return None;
                };
            }
            Some(end)
        }
        "match" | "for" | "while" => Some(body(at + 1)? + 1),
        "loop" | "unsafe" if is_brace(tokens.get(at + 1)) => Some(at + 2),
        _ => None,
    }
}

/// Whether a statement uses the name `name` anywhere (nested groups included).
fn stmt_mentions(stmt: &[TokenTree], name: &str) -> bool {
    stmt.iter().any(|t| match t {
        TokenTree::Ident(i) => i == name,
        TokenTree::Group(g) => stmt_mentions(g.tokens(), name),
        _ => false,
    })
}

/// `qb.build()...` / `qb.build_query_as::<T>()...` (possibly after `let x =`).
fn stmt_is_build(stmt: &[TokenTree], name: &str) -> bool {
    stmt.windows(3).any(|w| {
        is_ident(w.first(), name)
            && is_punct(w.get(1), '.')
            && matches!(w.get(2), Some(TokenTree::Ident(m)) if m.as_str().starts_with("build") || m == "sql")
    })
}

/// A literal, or a name written as a constant (`LIMIT`, `tables::USERS`, `Self::COLUMNS`).
fn is_constant_expression(arg: &[TokenTree]) -> bool {
    match arg {
        [TokenTree::Literal(_)] => true,
        _ => path_segments(arg).is_some_and(|p| {
            p.last().is_some_and(|n| {
                n.chars().any(|c| c.is_ascii_uppercase())
                    && n.chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            })
        }),
    }
}

/// The highest `$n` placeholder in a text (0 if none).
fn max_placeholder(text: &str) -> usize {
    let b = text.as_bytes();
    let mut max = 0;
    for (i, _) in text.match_indices('$') {
        let digits: String = b[i + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .map(|&c| c as char)
            .collect();
        max = max.max(digits.parse().unwrap_or(0));
    }
    max
}

/// Append `from.text[a..b]` to `b`, each character mapped where it came from.
fn push_mapped(b: &mut SqlBuilder, from: &SqlBuilder, start: usize, end: usize) {
    for (pos, c) in from.text[start..end].char_indices() {
        b.push_decoded(c, from.map.to_host((start + pos) as u32));
    }
}

/// A statement that carries SQL the scan cannot read (a run-time value): only `dynamic`.
fn not_extracted(span: Span) -> EmbeddedSql {
    let mut e = EmbeddedSql::verbatim("", span.start, Confidence::Certain);
    e.dynamic.push(span);
    e
}

/// Drop what does not change the string: `&`, `*`, `&mut`, and `.as_str()`, `.to_string()`,
/// `.to_owned()`, `.as_ref()`, `.clone()`, `.into()` (`String::from(..)` is in [`Scan::values`]).
fn strip_wrappers<'t, 'a>(mut tokens: &'t [TokenTree<'a>]) -> &'t [TokenTree<'a>] {
    loop {
        match tokens {
            [TokenTree::Punct(p), rest @ ..] if p.as_char() == '&' || p.as_char() == '*' => {
                tokens = rest;
            }
            [TokenTree::Ident(m), rest @ ..] if m == "mut" => tokens = rest,
            [rest @ .., TokenTree::Punct(dot), TokenTree::Ident(m), TokenTree::Group(g)]
                if dot.as_char() == '.'
                    && g.tokens().is_empty()
                    && matches!(
                        m.as_str(),
                        "as_str" | "to_string" | "to_owned" | "as_ref" | "clone" | "into" | "deref"
                    ) =>
            {
                tokens = rest;
            }
            _ => return tokens,
        }
    }
}

/// What a `for` loop iterates: `MIGRATIONS.iter()`, `STEPS.into_iter().copied()` yield the
/// items of `MIGRATIONS`, `STEPS`.
fn strip_iteration<'t, 'a>(mut tokens: &'t [TokenTree<'a>]) -> &'t [TokenTree<'a>] {
    loop {
        match tokens {
            [rest @ .., TokenTree::Punct(dot), TokenTree::Ident(m), TokenTree::Group(g)]
                if dot.as_char() == '.'
                    && g.tokens().is_empty()
                    && matches!(m.as_str(), "iter" | "into_iter" | "copied" | "cloned") =>
            {
                tokens = rest;
            }
            _ => return strip_wrappers(tokens),
        }
    }
}

/// `a::b::C` (names and `::` only) as its segments.
fn path_segments(tokens: &[TokenTree]) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for t in tokens {
        match t {
            TokenTree::Ident(i) => out.push(i.to_string()),
            TokenTree::Punct(p) if p.as_char() == ':' => {}
            _ => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The bindings a pattern makes from the values it matches: a name takes them all; a tuple
/// pattern `(a, (b, c))` takes element `k` of each tuple value for its `k`-th part, so every
/// name gets every value it can have (one per branch of an `if` or `match`).
fn bind_pattern(pattern: &[TokenTree], values: Vec<Value>, out: &mut Vec<Binding>) {
    let pattern: Vec<&TokenTree> = pattern
        .iter()
        .filter(|t| !matches!(t, TokenTree::Ident(i) if i == "mut" || i == "ref"))
        .collect();
    match pattern.as_slice() {
        [TokenTree::Ident(name)] => out.push(Binding {
            name: name.to_string(),
            values,
        }),
        [TokenTree::Group(g)] if g.delimiter() == Delimiter::Parenthesis => {
            // `let (sql, args) = ("SELECT ..", ..)`; without a known tuple each name is
            // unknown.
            let inner = g.tokens();
            for (k, part) in split_commas(inner).into_iter().enumerate() {
                let vals = values
                    .iter()
                    .filter_map(|v| match v {
                        Value::Tuple(t) => t.get(k).cloned(),
                        _ => None,
                    })
                    .flatten()
                    .collect();
                bind_pattern(part, vals, out);
            }
        }
        _ => {
            let owned: Vec<TokenTree> = pattern.iter().map(|t| (*t).clone()).collect();
            for name in pattern_names(&owned) {
                out.push(Binding {
                    name,
                    values: Vec::new(),
                });
            }
        }
    }
}

/// The names a pattern binds (`mut x`, `(a, b)`, `Some(x)`: lowercase names only).
fn pattern_names(pattern: &[TokenTree]) -> Vec<String> {
    let mut out = Vec::new();
    for t in pattern {
        match t {
            TokenTree::Ident(i) => {
                let s = i.as_str();
                let binding = s.starts_with(|c: char| c.is_lowercase() || c == '_')
                    && !matches!(s, "mut" | "ref" | "self" | "_");
                if binding {
                    out.push(s.to_string());
                }
            }
            TokenTree::Group(g) => out.extend(pattern_names(g.tokens())),
            _ => {}
        }
    }
    out
}

/// A `use` tree: each imported name (or `*`) with its full path.
fn use_tree(tokens: &[TokenTree], prefix: Vec<String>, out: &mut Vec<(String, Vec<String>)>) {
    let mut path = prefix;
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Ident(id) if id == "as" => {
                if let Some(TokenTree::Ident(alias)) = tokens.get(i + 1) {
                    out.push((alias.to_string(), path.clone()));
                }
                return;
            }
            TokenTree::Ident(id) if id == "self" && !path.is_empty() && i > 0 => {
                // `use a::b::{self}` imports `b`.
                if let Some(last) = path.last().cloned() {
                    if is_ident(tokens.get(i + 1), "as") {
                        if let Some(TokenTree::Ident(alias)) = tokens.get(i + 2) {
                            out.push((alias.to_string(), path.clone()));
                        }
                        return;
                    }
                    out.push((last, path.clone()));
                }
                return;
            }
            TokenTree::Ident(id) => path.push(id.to_string()),
            TokenTree::Punct(p) if p.as_char() == '*' => {
                out.push(("*".into(), path.clone()));
                return;
            }
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                for part in split_commas(g.tokens()) {
                    // `{self}` inside braces: prefix itself.
                    if let [TokenTree::Ident(s), rest @ ..] = part {
                        if s == "self" {
                            let alias = match rest {
                                [TokenTree::Ident(a), TokenTree::Ident(b)] if a == "as" => {
                                    b.to_string()
                                }
                                _ => path.last().cloned().unwrap_or_default(),
                            };
                            out.push((alias, path.clone()));
                            continue;
                        }
                    }
                    use_tree(part, path.clone(), out);
                }
                return;
            }
            _ => {}
        }
        i += 1;
    }
    if let Some(last) = path.last() {
        if !matches!(last.as_str(), "self" | "super" | "crate") {
            out.push((last.clone(), path.clone()));
        }
    }
}

/// A string value at the start of `tokens`: a string literal, or `concat!(...)` of string
/// literals (commas between, a trailing one allowed). Returns the pieces and how many tokens
/// the value spans.
fn string_value<'a>(tokens: &[TokenTree<'a>]) -> Option<(Vec<Literal<'a>>, usize)> {
    match tokens {
        [TokenTree::Literal(l), ..] if is_string_literal(l) => Some((vec![*l], 1)),
        [TokenTree::Ident(name), TokenTree::Punct(bang), TokenTree::Group(g), ..]
            if name == "concat" && bang.as_char() == '!' =>
        {
            let mut parts = Vec::new();
            for t in g.tokens() {
                match t {
                    TokenTree::Literal(l) if is_string_literal(l) => parts.push(*l),
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
fn call_group<'t, 'a>(rest: &'t [TokenTree<'a>]) -> Option<&'t Group<'a>> {
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
    let s = l.as_str();
    s.starts_with('"') || s.starts_with("r\"") || s.starts_with("r#")
}

/// The project a crate belongs to: the nearest directory at or above the crate root holding a
/// `schemalint.toml` or a `.git`, else the crate root itself.
fn project_root(crate_root: &Path) -> PathBuf {
    crate_root
        .ancestors()
        .find(|d| d.join(crate::walk::CONFIG_FILE).is_file() || d.join(".git").exists())
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
mod tests;
