//! TypeScript and JavaScript: SQL in `sql` tagged templates, in the first argument of
//! `query(...)`-like calls (string literals, templates, `+` concatenations, constants), and in
//! plain strings that are unmistakably SQL. SQL clients are recognised by what they are
//! (`const db = neon(url)`, `import { sql as q } from '@vercel/postgres'`), through imports
//! and initialisers, one file and the local modules it imports at a time. Holes in plain
//! templates and `+` concatenations are spliced text, not parameters. Parsed with oxc.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use aho_corasick::AhoCorasick;
use oxc_allocator::Allocator;
use oxc_ast::ast::{
    Argument, ArrayExpressionElement, ArrowFunctionBody, ArrowFunctionExpression,
    AssignmentExpression, AssignmentTarget, BinaryOperator, BindingPattern, BlockStatement,
    CallExpression, ExportDefaultDeclaration, Expression, ForInStatement, ForOfStatement,
    ForStatement, FormalParameter, Function, FunctionBody, ImportDeclaration,
    ImportDeclarationSpecifier, Statement, StaticBlock, StringLiteral, SwitchStatement,
    TaggedTemplateExpression, TemplateLiteral, VariableDeclaration, VariableDeclarator,
};
use oxc_ast_visit::{walk, Visit};
use oxc_parser::Parser;
use oxc_span::SourceType;
use oxc_syntax::scope::ScopeFlags;
use rustc_hash::{FxHashMap, FxHashSet};

use super::splice::{next_param, HoleContext};
use super::SourcesConfig;
use super::{
    looks_like_sql_statement, packages, starts_like_statement, Confidence, EmbeddedSql,
    ExtractError, Splice, SqlBuilder,
};
use crate::diagnostic::Span;

mod constants;

use constants::Constants;

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
    // pg-promise's `db.result(...)`; not a cue (too common a word), so lowercase SQL there
    // is found only in files with another cue.
    "result",
];
/// Callee names that are not cues for the pre-filter (see `cues`).
const NOT_CUES: &[&str] = &["result"];
/// SQL keywords after which an interpolation names a table, not a value.
const IDENTIFIER_POSITION: &[&str] = &["FROM", "JOIN", "INTO", "UPDATE", "TABLE", "USING"];

/// What an export of a known package is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Export {
    /// A tag whose templates are SQL (`sql` of `@vercel/postgres`, slonik, drizzle, kysely).
    Tag,
    /// A function returning a tag (`neon(url)`, `postgres(url)`).
    TagFactory,
    /// A function or class returning a client whose `.sql` is a tag (`createPool()`).
    Client,
}

/// Known packages' exports (`default`: the default export or the `require(...)` value).
const PACKAGES: &[(&str, &str, Export)] = &[
    ("@neondatabase/serverless", "neon", Export::TagFactory),
    ("@neondatabase/serverless", "Pool", Export::Client),
    ("@neondatabase/serverless", "Client", Export::Client),
    ("postgres", "default", Export::TagFactory),
    ("@vercel/postgres", "sql", Export::Tag),
    ("@vercel/postgres", "db", Export::Client),
    ("@vercel/postgres", "createPool", Export::Client),
    ("@vercel/postgres", "createClient", Export::Client),
    ("slonik", "sql", Export::Tag),
    ("drizzle-orm", "sql", Export::Tag),
    ("kysely", "sql", Export::Tag),
    ("@databases/pg", "sql", Export::Tag),
    ("@pgtyped/runtime", "sql", Export::Tag),
    ("pg", "Pool", Export::Client),
    ("pg", "Client", Export::Client),
];

/// Factories recognised by name even without an import in the file (`neon` re-exported).
const FACTORY_NAMES: &[&str] = &["neon", "postgres"];

pub fn extract(
    path: &Path,
    text: &str,
    options: &SourcesConfig,
) -> Result<Vec<EmbeddedSql>, ExtractError> {
    // One arena per thread, emptied for each file: its memory is reused, not asked of the
    // system again for each file parsed.
    thread_local! {
        static ARENA: std::cell::RefCell<Allocator> = std::cell::RefCell::new(Allocator::default());
    }
    ARENA.with(|arena| match arena.try_borrow_mut() {
        Ok(mut allocator) => {
            allocator.reset();
            extract_in(&allocator, path, text, options)
        }
        // Already in use further up this thread's stack: a fresh one.
        Err(_) => extract_in(&Allocator::default(), path, text, options),
    })
}

fn extract_in(
    allocator: &Allocator,
    path: &Path,
    text: &str,
    options: &SourcesConfig,
) -> Result<Vec<EmbeddedSql>, ExtractError> {
    let source_type = SourceType::from_path(path).unwrap_or_else(|_| SourceType::tsx());
    let ret = Parser::new(allocator, text, source_type).parse();
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
    let mut collected = Collect {
        bindings: Bindings::default(),
        constants: Constants::default(),
        migrations: MigrationSql {
            text,
            ..MigrationSql::default()
        },
    };
    collected.visit_program(&ret.program);
    let Collect {
        mut bindings,
        constants,
        migrations,
    } = collected;
    let constants = constants.finish();
    // A factory imported from a local module (`import { getSql } from './lib/db'`, where
    // `getSql()` returns `neon(url)`): one more pass, so `const q = getSql()` makes `q` a tag.
    if bindings.follow_local_imports(path) {
        bindings.visit_program(&ret.program);
    }
    let mut tags: Vec<String> = DEFAULT_TAGS.iter().map(|t| t.to_string()).collect();
    tags.extend(options.tags.iter().cloned());
    tags.extend(bindings.tags.iter().cloned());
    let mut functions: Vec<&str> = DEFAULT_FUNCTIONS.to_vec();
    functions.extend(options.functions.iter().map(String::as_str));
    let mut finder = Finder::new(text, &tags, &functions, &constants, &constants.literals);
    finder.visit_program(&ret.program);
    let mut used = finder.used.clone();
    for (b, span) in migrations.finish(&finder.used) {
        used.push(span);
        // `CREATE TABLE ..` as SQL is written is certain; lowercase (`select a file to
        // migrate`) may be prose: checked only if it parses.
        let upper = super::leading_word(&b.text)
            .chars()
            .all(|c| c.is_ascii_uppercase());
        let confidence = if upper {
            Confidence::Certain
        } else {
            Confidence::Guess
        };
        // One statement at a time, as in a `.sql` migration: a `DO $$ .. $$` block (which is
        // not checked) leaves the statements after it checked.
        for stmt in super::sql::split_statements(&b.text) {
            let mut one = SqlBuilder::default();
            let start = stmt.start as usize;
            for (pos, c) in stmt.text.char_indices() {
                one.push_decoded(c, b.map.to_host((start + pos) as u32));
            }
            finder.out.push(one.finish(confidence));
        }
    }
    let guesses = std::mem::take(&mut finder.guesses);
    let mut out = finder.out;
    out.extend(
        guesses
            .into_iter()
            .filter(|&((start, end), _)| !is_used(&used, oxc_span::Span::new(start, end)))
            .map(|(_, sql)| sql),
    );
    let skip = if out.is_empty() {
        None
    } else {
        packages::reason_to_skip(path, &bindings.modules)
    };
    for sql in &mut out {
        sql.other_database.clone_from(&skip);
        super::placeholders::apply(sql);
    }
    Ok(out)
}

/// What names in a file stand for, from its imports and initialisers: which are SQL tags
/// (`const db = neon(url)`, `import { sql as q } from '@vercel/postgres'`, `const { sql } =
/// createPool()`), and which modules it imports. One name, one meaning per file: a name
/// shadowed by an unrelated binding keeps its SQL meaning (SQL found that way still has to
/// start like a statement).
#[derive(Default)]
struct Bindings {
    tags: FxHashSet<String>,
    factories: FxHashSet<String>,
    clients: FxHashSet<String>,
    /// Every module specifier imported or required.
    modules: Vec<String>,
    /// `import { db as d } from './db'`: (local, module, imported), followed on demand.
    local_imports: Vec<(String, String, String)>,
    /// Identifiers used as template tags or called (only those local imports are followed).
    tag_uses: FxHashSet<String>,
    /// Some `x.begin(..)`, `x.transaction(..)`, `x.savepoint(..)` or `x.reserve()` is called:
    /// once `x` is known to be a tag (imported), its callbacks' parameters are tags too.
    callback_calls: bool,
}

impl Bindings {
    fn add(&mut self, local: &str, export: Export) {
        let set = match export {
            Export::Tag => &mut self.tags,
            Export::TagFactory => &mut self.factories,
            Export::Client => &mut self.clients,
        };
        set.insert(local.to_string());
    }

    /// What an expression evaluates to, when it is one of the things tracked.
    fn kind_of(&self, e: &Expression<'_>) -> Option<Export> {
        let e = strip(e);
        match e {
            Expression::Identifier(id) => {
                let n = id.name.as_str();
                if self.tags.contains(n) {
                    Some(Export::Tag)
                } else if self.factories.contains(n) {
                    Some(Export::TagFactory)
                } else if self.clients.contains(n) {
                    Some(Export::Client)
                } else {
                    None
                }
            }
            Expression::CallExpression(c) => {
                if let Some(module) = required_module(c) {
                    return package_export(&module, "default");
                }
                match self.kind_of(&c.callee) {
                    Some(Export::TagFactory) => Some(Export::Tag),
                    Some(Export::Client) => Some(Export::Client),
                    // postgres.js `await sql.reserve()`: a connection that is a tag.
                    _ if matches!(strip(&c.callee), Expression::StaticMemberExpression(m)
                        if m.property.name == "reserve"
                            && self.kind_of(&m.object) == Some(Export::Tag)) =>
                    {
                        Some(Export::Tag)
                    }
                    _ => match strip(&c.callee) {
                        Expression::Identifier(id) if FACTORY_NAMES.contains(&id.name.as_str()) => {
                            Some(Export::Tag)
                        }
                        // `require('postgres')(url)`
                        Expression::CallExpression(inner) => required_module(inner)
                            .and_then(|m| package_export(&m, "default"))
                            .filter(|k| *k == Export::TagFactory)
                            .map(|_| Export::Tag),
                        _ => None,
                    },
                }
            }
            Expression::NewExpression(n) => {
                (self.kind_of(&n.callee) == Some(Export::Client)).then_some(Export::Client)
            }
            // `createPool().sql`, `pool.sql`
            Expression::StaticMemberExpression(m) if m.property.name == "sql" => {
                (self.kind_of(&m.object) == Some(Export::Client)).then_some(Export::Tag)
            }
            _ => None,
        }
    }

    /// For `import { db } from './db'` where `db` is used as a tag or called here: whether that
    /// module makes `db` a tag (`export const db = neon(url)`) or a function returning one
    /// (`export function getSql() { return neon(url) }`). Returns whether the file needs
    /// another look: a factory was found (declarations that call it), or a tag whose
    /// transaction callbacks are called here.
    fn follow_local_imports(&mut self, path: &Path) -> bool {
        let wanted: Vec<(String, String, String)> = self
            .local_imports
            .iter()
            .filter(|(local, _, _)| self.tag_uses.contains(local) && !self.tags.contains(local))
            .cloned()
            .collect();
        let mut again = false;
        for (local, module, imported) in wanted {
            let Some(file) = resolve_module(path, &module) else {
                continue;
            };
            let exports = module_tags(&file);
            if exports.0.contains(&imported) {
                // A transaction's callback of the imported tag gives a tag: another look.
                again |= self.callback_calls;
                self.tags.insert(local);
            } else if exports.1.contains(&imported) && self.factories.insert(local) {
                again = true;
            }
        }
        again
    }

    /// Whether statements return a SQL tag on some path (`return neon(url)`, `return cached`
    /// after `cached = neon(url)`), so that calling the function gives one.
    fn returns_tag(&self, statements: &[Statement<'_>]) -> bool {
        statements.iter().any(|s| self.statement_returns_tag(s))
    }

    fn statement_returns_tag(&self, s: &Statement<'_>) -> bool {
        match s {
            Statement::ReturnStatement(r) => r
                .argument
                .as_ref()
                .is_some_and(|e| self.kind_of(e) == Some(Export::Tag)),
            Statement::BlockStatement(b) => self.returns_tag(&b.body),
            Statement::IfStatement(i) => {
                self.statement_returns_tag(&i.consequent)
                    || i.alternate
                        .as_ref()
                        .is_some_and(|a| self.statement_returns_tag(a))
            }
            Statement::TryStatement(t) => self.returns_tag(&t.block.body),
            _ => false,
        }
    }

    /// A function (expression or arrow) that returns a tag.
    fn is_tag_factory(&self, e: &Expression<'_>) -> bool {
        match strip(e) {
            Expression::ArrowFunctionExpression(a) => match &a.body {
                ArrowFunctionBody::FunctionBody(b) => self.returns_tag(&b.statements),
                body => body
                    .as_expression()
                    .is_some_and(|e| self.kind_of(e) == Some(Export::Tag)),
            },
            Expression::FunctionExpression(f) => f
                .body
                .as_ref()
                .is_some_and(|b| self.returns_tag(&b.statements)),
            _ => false,
        }
    }
}

/// An expression without parentheses, TypeScript wrappers (`as`, `!`, `satisfies`) and `await`.
fn strip<'b, 'a>(e: &'b Expression<'a>) -> &'b Expression<'a> {
    let e = e.get_inner_expression();
    match e {
        Expression::AwaitExpression(a) => strip(&a.argument),
        _ => e,
    }
}

/// `require('pg')` → `pg`.
fn required_module(c: &CallExpression<'_>) -> Option<String> {
    match (
        &c.callee,
        c.arguments.first().and_then(Argument::as_expression),
    ) {
        (Expression::Identifier(id), Some(Expression::StringLiteral(s)))
            if id.name == "require" =>
        {
            Some(s.value.to_string())
        }
        _ => None,
    }
}

fn package_export(module: &str, name: &str) -> Option<Export> {
    PACKAGES
        .iter()
        .find(|(m, n, _)| *m == module && *n == name)
        .map(|&(_, _, k)| k)
}

/// Bindings' reading of the nodes it looks at, shared by its own walk (a second pass, a local
/// module) and the walk that collects everything at once ([`Collect`]). `enter_` runs before
/// the node's children are walked, `leave_` after.
impl Bindings {
    fn import_declaration(&mut self, it: &ImportDeclaration<'_>) {
        let module = it.source.value.as_str();
        self.modules.push(module.to_string());
        for spec in it.specifiers.iter().flatten() {
            let (imported, local) = match spec {
                ImportDeclarationSpecifier::ImportSpecifier(s) => {
                    (s.imported.name().to_string(), s.local.name.as_str())
                }
                ImportDeclarationSpecifier::ImportDefaultSpecifier(s) => {
                    ("default".to_string(), s.local.name.as_str())
                }
                ImportDeclarationSpecifier::ImportNamespaceSpecifier(_) => continue,
            };
            if let Some(kind) = package_export(module, &imported) {
                self.add(local, kind);
            } else if module.starts_with('.') {
                self.local_imports
                    .push((local.to_string(), module.to_string(), imported));
            }
        }
    }

    fn enter_call(&mut self, it: &CallExpression<'_>) {
        if let Some(module) = required_module(it) {
            self.modules.push(module);
        }
        if let Expression::Identifier(id) = strip(&it.callee) {
            self.tag_uses.insert(id.name.to_string());
        }
        // A transaction's callback is given a tag: postgres.js `sql.begin(async (tx) => ..)`
        // and `sql.savepoint(..)`, neon `sql.transaction((tx) => [tx\`..\`])`, and
        // `sql.reserve().then((r) => ..)`.
        let Expression::StaticMemberExpression(m) = strip(&it.callee) else {
            return;
        };
        let method = m.property.name.as_str();
        if let ("begin" | "savepoint" | "transaction" | "reserve", Expression::Identifier(id)) =
            (method, strip(&m.object))
        {
            self.callback_calls = true;
            self.tag_uses.insert(id.name.to_string());
        }
        let gives_tag = match method {
            // `sql` is a tag whatever it is bound to (the walk that finds SQL takes it as one).
            "begin" | "savepoint" | "transaction" => {
                self.kind_of(&m.object) == Some(Export::Tag)
                    || matches!(strip(&m.object), Expression::Identifier(id) if DEFAULT_TAGS.contains(&id.name.as_str()))
            }
            "then" => self.kind_of(&m.object) == Some(Export::Tag),
            _ => false,
        };
        if !gives_tag {
            return;
        }
        for arg in &it.arguments {
            let params = match arg.as_expression().map(strip) {
                Some(Expression::ArrowFunctionExpression(f)) => &f.params,
                Some(Expression::FunctionExpression(f)) => &f.params,
                _ => continue,
            };
            if let Some(BindingPattern::BindingIdentifier(id)) =
                params.items.first().map(|p| &p.pattern)
            {
                self.add(id.name.as_str(), Export::Tag);
            }
        }
    }

    fn leave_function(&mut self, it: &Function<'_>) {
        if let (Some(id), Some(body)) = (&it.id, &it.body) {
            if self.returns_tag(&body.statements) {
                self.add(id.name.as_str(), Export::TagFactory);
            }
        }
    }

    // `cached = neon(url)` (a lazily made client): `cached` is a tag from then on.
    fn enter_assignment(&mut self, it: &AssignmentExpression<'_>) {
        if let AssignmentTarget::AssignmentTargetIdentifier(id) = &it.left {
            if self.kind_of(&it.right) == Some(Export::Tag) {
                self.add(id.name.as_str(), Export::Tag);
            }
        }
    }

    fn enter_tagged_template(&mut self, it: &TaggedTemplateExpression<'_>) {
        if let Expression::Identifier(id) = strip(&it.tag) {
            self.tag_uses.insert(id.name.to_string());
        }
    }

    fn enter_declarator(&mut self, it: &VariableDeclarator<'_>) {
        if let Some(init) = &it.init {
            match &it.id {
                BindingPattern::BindingIdentifier(id) => {
                    if let Some(kind) = self.kind_of(init) {
                        self.add(id.name.as_str(), kind);
                    }
                }
                // `const { sql } = createPool()`, `const { neon } = require('@neondatabase/serverless')`
                BindingPattern::ObjectPattern(pattern) => {
                    let module = match strip(init) {
                        Expression::CallExpression(c) => required_module(c),
                        _ => None,
                    };
                    let from_client = self.kind_of(init) == Some(Export::Client);
                    for prop in &pattern.properties {
                        let (Some(key), BindingPattern::BindingIdentifier(local)) =
                            (prop.key.static_name(), &prop.value)
                        else {
                            continue;
                        };
                        let kind = match &module {
                            Some(m) => package_export(m, &key),
                            None => (from_client && key == "sql").then_some(Export::Tag),
                        };
                        if let Some(kind) = kind {
                            self.add(local.name.as_str(), kind);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn leave_declarator(&mut self, it: &VariableDeclarator<'_>) {
        // `const getSql = () => neon(url)`: after the walk, so that a body's own bindings
        // (`const c = neon(url); return c;`) are known.
        if let (Some(init), BindingPattern::BindingIdentifier(id)) = (&it.init, &it.id) {
            if self.is_tag_factory(init) {
                self.add(id.name.as_str(), Export::TagFactory);
            }
        }
    }
}

impl<'a> Visit<'a> for Bindings {
    fn visit_import_declaration(&mut self, it: &ImportDeclaration<'a>) {
        self.import_declaration(it);
    }

    // `export default sql` (after `const sql = neon(url)`): what `import sql from './db'`
    // imports is that tag.
    fn visit_export_default_declaration(&mut self, it: &ExportDefaultDeclaration<'a>) {
        walk::walk_export_default_declaration(self, it);
        if let Some(e) = it.declaration.as_expression() {
            if let Some(kind) = self.kind_of(e) {
                self.add("default", kind);
            }
        }
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        self.enter_call(it);
        walk::walk_call_expression(self, it);
    }

    fn visit_function(&mut self, it: &Function<'a>, flags: ScopeFlags) {
        walk::walk_function(self, it, flags);
        self.leave_function(it);
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        self.enter_assignment(it);
        walk::walk_assignment_expression(self, it);
    }

    fn visit_tagged_template_expression(&mut self, it: &TaggedTemplateExpression<'a>) {
        self.enter_tagged_template(it);
        walk::walk_tagged_template_expression(self, it);
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        self.enter_declarator(it);
        walk::walk_variable_declarator(self, it);
        self.leave_declarator(it);
    }
}

/// The file a relative module specifier names (`./db`, `../lib/db.js` for `db.ts`).
fn resolve_module(from: &Path, spec: &str) -> Option<PathBuf> {
    let base = from.parent()?.join(spec);
    let mut candidates = vec![base.clone()];
    if let Some(stem) = spec.strip_suffix(".js") {
        let b = from.parent()?.join(stem);
        candidates.push(b.with_extension("ts"));
        candidates.push(b.with_extension("tsx"));
    }
    for ext in ["ts", "tsx", "js", "mjs", "cjs", "mts", "cts", "jsx"] {
        let mut p = base.clone().into_os_string();
        p.push(format!(".{ext}"));
        candidates.push(PathBuf::from(p));
        candidates.push(base.join(format!("index.{ext}")));
    }
    candidates.into_iter().find(|p| p.is_file())
}

/// The names a module binds to SQL tags (`export const db = neon(url)`) and to functions that
/// return one (`export function getSql()`), read once per file.
fn module_tags(path: &Path) -> Arc<(FxHashSet<String>, FxHashSet<String>)> {
    type Cache = Mutex<FxHashMap<PathBuf, Arc<(FxHashSet<String>, FxHashSet<String>)>>>;
    static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Cache::default);
    if let Some(found) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(path) {
        return found.clone();
    }
    let tags = std::fs::read_to_string(path)
        .ok()
        .map(|text| {
            let source_type = SourceType::from_path(path).unwrap_or_else(|_| SourceType::tsx());
            let allocator = Allocator::default();
            let ret = Parser::new(&allocator, &text, source_type).parse();
            let mut b = Bindings::default();
            if !ret.panicked {
                b.visit_program(&ret.program);
            }
            (b.tags, b.factories)
        })
        .unwrap_or_default();
    let tags = Arc::new(tags);
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(path.to_path_buf(), tags.clone());
    tags
}

/// Whether a file can hold SQL we would find: a tag or call we look for, or an uppercase
/// statement keyword (plain strings are only taken when written in uppercase). The words
/// "select" or "update" in prose or comments don't count, so most files skip parsing. One
/// pass over the text for every cue at once. The searcher is built once per set of
/// configured names, not once per file.
pub(super) fn has_sql_cue(text: &str, options: &SourcesConfig) -> bool {
    type Built = (Vec<String>, Vec<String>, Arc<Option<Cues>>);
    static BUILT: Mutex<Vec<Built>> = Mutex::new(Vec::new());
    let searcher = {
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
    searcher.as_ref().as_ref().is_none_or(|c| c.is_match(text))
}

/// A search for any of the cues. Teddy (SIMD, `aho_corasick::packed`) is about 8x faster than
/// the Aho-Corasick DFA over these ~60 patterns (23.7 MB of TypeScript: 10 ms against 80 ms);
/// the automaton is kept where Teddy cannot be built (too many patterns, no SIMD).
enum Cues {
    Packed(aho_corasick::packed::Searcher),
    Automaton(AhoCorasick),
}

impl Cues {
    fn is_match(&self, text: &str) -> bool {
        match self {
            Cues::Packed(s) => s.find(text).is_some(),
            Cues::Automaton(ac) => ac.is_match(text),
        }
    }
}

/// The searcher over every cue; `None` if it cannot be built (then every file is parsed).
fn cues<'a>(
    tags: impl Iterator<Item = &'a str> + Clone,
    functions: impl Iterator<Item = &'a str>,
) -> Option<Cues> {
    let patterns = cue_patterns(tags, functions);
    let mut packed = aho_corasick::packed::Config::new().builder();
    packed.extend(&patterns);
    if let Some(searcher) = packed.build() {
        return Some(Cues::Packed(searcher));
    }
    AhoCorasick::builder()
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(&patterns)
        .ok()
        .map(Cues::Automaton)
}

fn cue_patterns<'a>(
    tags: impl Iterator<Item = &'a str> + Clone,
    functions: impl Iterator<Item = &'a str>,
) -> Vec<String> {
    // `CREATE TABLE`/`ALTER TABLE`: a file of migration constants that another file runs
    // holds no query call and no DML (the runner's file has the call).
    const KEYWORDS: &[&str] = &[
        "SELECT",
        "INSERT",
        "UPDATE",
        "DELETE",
        "WITH ",
        "MERGE",
        "CREATE TABLE",
        "ALTER TABLE",
    ];
    let mut patterns: Vec<String> = KEYWORDS.iter().map(|k| k.to_string()).collect();
    // Lowercase SQL right at the start of a string: `db\`select ...\``, `q("select ...")`.
    for k in ["select ", "insert ", "update ", "delete ", "with "] {
        for quote in ['`', '\'', '"'] {
            patterns.push(format!("{quote}{k}"));
        }
    }
    for t in tags.clone() {
        patterns.push(format!("{t}`"));
        patterns.push(format!("{t} `"));
    }
    for f in functions.chain(tags).filter(|f| !NOT_CUES.contains(f)) {
        patterns.push(format!("{f}("));
        // A type argument: `client.query<{ id: string }>("select ...")`.
        patterns.push(format!("{f}<"));
    }
    patterns
}

/// Whether an expression's value is fixed in the source: a literal, a template without holes,
/// a `const` of such, an array of them, `COLUMNS.join(', ')`, `COLUMNS.map(quote).join()`,
/// `TABLES.users`, or a SCREAMING_CASE name (a constant by convention).
fn is_literal(e: &Expression<'_>, literals: &FxHashSet<String>) -> bool {
    match e.get_inner_expression() {
        Expression::StringLiteral(_)
        | Expression::NumericLiteral(_)
        | Expression::BooleanLiteral(_)
        | Expression::NullLiteral(_) => true,
        Expression::TemplateLiteral(t) => t.expressions.iter().all(|e| is_literal(e, literals)),
        Expression::Identifier(id) => {
            let n = id.name.as_str();
            literals.contains(n)
                || (n.len() > 1
                    && n.chars().any(|c| c.is_ascii_uppercase())
                    && n.chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
        }
        Expression::ArrayExpression(a) => a.elements.iter().all(|el| match el {
            ArrayExpressionElement::SpreadElement(s) => is_literal(&s.argument, literals),
            ArrayExpressionElement::Elision(_) => true,
            other => other
                .as_expression()
                .is_some_and(|e| is_literal(e, literals)),
        }),
        Expression::StaticMemberExpression(m) => is_literal(&m.object, literals),
        Expression::CallExpression(c) => match c.callee.get_inner_expression() {
            Expression::StaticMemberExpression(m)
                if matches!(
                    m.property.name.as_str(),
                    "join" | "map" | "filter" | "concat" | "slice" | "toString" | "toUpperCase"
                ) =>
            {
                is_literal(&m.object, literals)
                    && c.arguments.iter().all(|a| match a.as_expression() {
                        Some(
                            Expression::ArrowFunctionExpression(_)
                            | Expression::FunctionExpression(_),
                        ) => true,
                        Some(e) => is_literal(e, literals),
                        None => false,
                    })
            }
            _ => false,
        },
        _ => false,
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
    /// The whole file's text (`text` is a constant's initializer when one is read alone).
    file: &'s str,
    tags: &'c [String],
    functions: &'c [&'c str],
    constants: &'c Constants<'c>,
    literals: &'c FxHashSet<String>,
    /// The file offset of `text`'s start: a constant's initializer is read alone, as
    /// `(<initializer>)`, and the names in it are resolved where it is in the file.
    origin: u32,
    /// Spans of literals already taken as SQL (so the guess pass skips them).
    used: Vec<(u32, u32)>,
    out: Vec<EmbeddedSql>,
    depth: usize,
    /// Plain strings and untagged templates that are unmistakably SQL ([`Guesses`]), read in
    /// the same walk, with their spans: those inside SQL found later are left out at the end.
    guesses: Vec<((u32, u32), EmbeddedSql)>,
    /// Inside what [`Guesses`] does not read (a tagged template's own text, the literals a
    /// comparison is called with).
    no_guess: usize,
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
                m.property.name == "unsafe" && last_name(&m.object).is_some_and(|n| self.is_tag(n))
            }
            _ => false,
        };
        let is_sql_tag = last_name(&it.tag).is_some_and(|t| self.is_tag(t));
        if is_sql_tag || is_unsafe {
            let mut b = SqlBuilder::default();
            self.template(&it.quasi, &mut b, false, 0);
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
        // As the walk goes, but the template's text is no guess (html``, css``, gql`` are not
        // SQL; sql`` was just read), and neither is anything in the tag.
        self.no_guess += 1;
        self.visit_expression(&it.tag);
        if let Some(type_arguments) = &it.type_arguments {
            self.visit_ts_type_parameter_instantiation(type_arguments);
        }
        self.no_guess -= 1;
        self.visit_expressions(&it.quasi.expressions);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        let name = last_name(&it.callee);
        let is_sql_call = name.is_some_and(|n| self.functions.contains(&n) || self.is_tag(n));
        if is_sql_call {
            if let Some(first) = it.arguments.first().and_then(Argument::as_expression) {
                // A name given a value in each branch (`if (a) q = "..."; else q = "..."`) is
                // checked for each value.
                let values = match first {
                    Expression::Identifier(id) => self.values_of(id),
                    _ => Vec::new(),
                };
                if values.len() > 1 {
                    self.mark_used(first);
                    for value in values {
                        let mut b = SqlBuilder::default();
                        if let Some(init) = find_expression(self.file, value.0, value.1) {
                            if self.fold_text_span(init, &mut b, 0)
                                && starts_like_statement(&b.text)
                            {
                                self.out.push(b.finish(Confidence::Certain));
                            }
                        }
                    }
                } else {
                    let mut b = SqlBuilder::default();
                    if self.fold(first, &mut b, 0) && starts_like_statement(&b.text) {
                        self.mark_used(first);
                        self.out.push(b.finish(Confidence::Certain));
                    }
                }
            }
        }
        self.depth += 1;
        if self.depth >= 200 {
            if self.no_guess > 0 {
                self.depth -= 1;
                return;
            }
            // Too deep to look for more SQL calls; guesses are still read below.
            let mut guesses = Guesses {
                text: self.text,
                literals: self.literals,
                used: &self.used,
                out: &mut self.guesses,
            };
            guesses.visit_call_expression(it);
        } else if self.no_guess == 0 && is_comparison(it) {
            // `sql.startsWith('SELECT ..')`: the literals compared with are no guesses.
            self.visit_expression(&it.callee);
            self.no_guess += 1;
            if let Some(type_arguments) = &it.type_arguments {
                self.visit_ts_type_parameter_instantiation(type_arguments);
            }
            self.no_guess -= 1;
            for arg in &it.arguments {
                let literal = usize::from(is_text_literal(arg));
                self.no_guess += literal;
                self.visit_argument(arg);
                self.no_guess -= literal;
            }
        } else {
            walk::walk_call_expression(self, it);
        }
        self.depth -= 1;
    }

    fn visit_string_literal(&mut self, it: &StringLiteral<'a>) {
        if self.no_guess == 0 {
            let used = &self.used;
            self.guesses.extend(guess_string(self.text, used, it));
        }
    }

    fn visit_template_literal(&mut self, it: &TemplateLiteral<'a>) {
        if self.no_guess == 0 {
            let guess = guess_template(self.text, self.literals, &self.used, it);
            self.guesses.extend(guess);
        }
        walk::walk_template_literal(self, it);
    }
}

impl<'s, 'c> Finder<'s, 'c> {
    fn new(
        text: &'s str,
        tags: &'c [String],
        functions: &'c [&'c str],
        constants: &'c Constants<'c>,
        literals: &'c FxHashSet<String>,
    ) -> Self {
        Finder {
            text,
            file: text,
            tags,
            functions,
            constants,
            literals,
            origin: 0,
            used: Vec::new(),
            out: Vec::new(),
            depth: 0,
            guesses: Vec::new(),
            no_guess: 0,
        }
    }

    fn is_tag(&self, name: &str) -> bool {
        self.tags.iter().any(|t| t == name)
    }

    /// Whether a tagged template's `${...}` may be a query fragment, SQL pasted in rather
    /// than a value bound as a parameter: `sql\`WHERE ...\``, `sql(columns)`, a choice of
    /// such (`id ? sql\`WHERE id = ${id}\` : sql\`\``), or a name given one in the file.
    fn is_fragment(&self, e: &Expression<'_>) -> bool {
        match e {
            Expression::TaggedTemplateExpression(tt) => {
                last_name(&tt.tag).is_some_and(|n| self.is_tag(n))
            }
            Expression::CallExpression(c) => last_name(&c.callee).is_some_and(|n| self.is_tag(n)),
            Expression::ConditionalExpression(c) => {
                self.is_fragment(&c.consequent) || self.is_fragment(&c.alternate)
            }
            Expression::LogicalExpression(l) => {
                self.is_fragment(&l.left) || self.is_fragment(&l.right)
            }
            Expression::ParenthesizedExpression(p) => self.is_fragment(&p.expression),
            Expression::Identifier(id) => self.constants.fragments.contains(id.name.as_str()),
            _ => false,
        }
    }

    /// The values a name may hold where it is used (file spans of their expressions).
    fn values_of(&self, id: &oxc_ast::ast::IdentifierReference<'_>) -> Vec<(u32, u32)> {
        self.constants
            .values_at(id.name.as_str(), self.origin + id.span.start)
    }

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
                let values = self
                    .constants
                    .binding_values(id.name.as_str(), self.origin + id.span.start);
                self.used.extend(values);
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
                self.template(t, b, true, depth);
                true
            }
            Expression::ParenthesizedExpression(p) => self.fold(&p.expression, b, depth + 1),
            Expression::BinaryExpression(bin) if bin.operator == BinaryOperator::Addition => {
                let left = self.fold_or_dynamic(&bin.left, b, depth);
                let right = self.fold_or_dynamic(&bin.right, b, depth);
                left || right
            }
            // In a `+` chain or a template, the last value the name may hold there.
            Expression::Identifier(id) => match self.values_of(id).last() {
                Some(&(start, end)) => match find_expression(self.file, start, end) {
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
        // A run-time value concatenated in: spliced text. A stand-in keeps the statement
        // parseable; in identifier position the statement is dynamic.
        let span = expr_span(e);
        let host = Span::new(span.start, span.end);
        self.splice(e, host, 0, b);
        false
    }

    /// Record a value pasted into the SQL text at `host` (`${x}` of a plain template, `+ x`)
    /// and append its stand-in, padded to `len` bytes.
    fn splice(&self, e: &Expression<'_>, host: Span, len: usize, b: &mut SqlBuilder) {
        let context = HoleContext::of(&b.text);
        let kind = context.kind(is_literal(e, self.literals));
        if !context.is_value() && !b.dynamic.contains(&host) {
            b.dynamic.push(host);
        }
        let stand_in = context.stand_in(next_param(&b.text), len);
        let sql_start = b.text.len() as u32;
        b.push_placeholder(&stand_in, host.start);
        b.spliced.push(Splice {
            host,
            sql_start,
            sql_end: b.text.len() as u32,
            kind,
        });
    }

    /// Re-parse a constant's initializer (by span) and fold it.
    fn fold_text_span(
        &mut self,
        (start, end): (u32, u32),
        b: &mut SqlBuilder,
        depth: usize,
    ) -> bool {
        let allocator = Allocator::default();
        let Some(snippet) = self.file.get(start as usize..end as usize) else {
            return false;
        };
        // Parse `(<initializer>)` alone, then shift offsets back to the file.
        let wrapped = format!("({snippet})");
        let ret = Parser::new(&allocator, &wrapped, SourceType::ts()).parse_expression();
        let Ok(expr) = ret else { return false };
        let mut inner = Finder::new(
            &wrapped,
            self.tags,
            self.functions,
            self.constants,
            self.literals,
        );
        inner.file = self.file;
        inner.origin = start.saturating_sub(1);
        let mut local = SqlBuilder::default();
        if !inner.fold(&expr, &mut local, depth + 1) {
            return false;
        }
        // `wrapped` offset o corresponds to file offset start + o - 1 (the added parenthesis),
        // and that to `self.text`'s offset less `self.origin`. A constant read from another
        // constant's initializer may lie before it in the file: in that initializer's
        // offsets it is below zero, so the offsets wrap, and they come out right in the
        // file's (a group's sums and differences, whatever the order).
        let origin = self.origin;
        let shift = |o: u32| start.wrapping_add(o).wrapping_sub(1).wrapping_sub(origin);
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
        b.spliced.extend(local.spliced.into_iter().map(|s| Splice {
            host: Span::new(shift(s.host.start), shift(s.host.end)),
            sql_start: base + s.sql_start,
            sql_end: base + s.sql_end,
            kind: s.kind,
        }));
        true
    }

    /// A template literal: quasis decoded, each `${expr}` replaced by `$n` padded with spaces
    /// to the byte length of `${expr}`, so host offsets stay 1:1 (`${userId}` → `$1       `).
    ///
    /// With `spliced` (a plain template, not a tagged one), the holes are text pasted into
    /// the SQL, recorded as [`Splice`]s, with a stand-in that fits their position.
    fn template(
        &mut self,
        t: &TemplateLiteral<'_>,
        b: &mut SqlBuilder,
        spliced: bool,
        depth: usize,
    ) {
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
                let next_raw = &self.text[next.span.start as usize..next.span.end as usize];
                if spliced {
                    // `${baseQuery}`, a string the name holds there: its text, as for `+`.
                    if let Expression::Identifier(id) = expr {
                        if let [value] = self.values_of(id)[..] {
                            if let Some(init) = find_expression(self.file, value.0, value.1) {
                                if self.fold_text_span(init, b, depth + 1) {
                                    continue;
                                }
                            }
                        }
                    }
                    // `${schema}.users`: part of a name.
                    if next_raw.starts_with('.') {
                        b.dynamic.push(host);
                    }
                    self.splice(expr, host, len, b);
                    continue;
                }
                let fragment = self.is_fragment(expr);
                let placeholder = if fragment {
                    // A stand-in that fits where the fragment goes (`FROM users ${where}`:
                    // nothing), so that the rest of the statement is still checked.
                    HoleContext::of(&b.text).stand_in(n, len)
                } else {
                    format!("{:<len$}", format!("${n}"))
                };
                if fragment
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
/// unmistakably SQL (`Confidence::Guess`: checked only if they parse). Read in the finder's
/// walk; this walk of its own only goes on where the finder stops (calls nested too deep).
struct Guesses<'s, 'u> {
    text: &'s str,
    used: &'u [(u32, u32)],
    literals: &'u FxHashSet<String>,
    out: &'u mut Vec<((u32, u32), EmbeddedSql)>,
}

/// Whether a literal lies inside something already taken as SQL.
fn is_used(used: &[(u32, u32)], span: oxc_span::Span) -> bool {
    used.iter().any(|&(s, e)| span.start >= s && span.end <= e)
}

fn is_text_literal(arg: &Argument<'_>) -> bool {
    matches!(
        arg,
        Argument::StringLiteral(_) | Argument::TemplateLiteral(_)
    )
}

/// A plain string that is unmistakably SQL, with its span.
fn guess_string(
    text: &str,
    used: &[(u32, u32)],
    it: &StringLiteral<'_>,
) -> Option<((u32, u32), EmbeddedSql)> {
    if is_used(used, it.span) || !looks_like_sql_statement(it.value.as_str()) {
        return None;
    }
    let mut b = SqlBuilder::default();
    string_literal(text, it, &mut b);
    Some(((it.span.start, it.span.end), b.finish(Confidence::Guess)))
}

/// An untagged template that starts as unmistakably SQL, with its span.
fn guess_template(
    text: &str,
    literals: &FxHashSet<String>,
    used: &[(u32, u32)],
    it: &TemplateLiteral<'_>,
) -> Option<((u32, u32), EmbeddedSql)> {
    let first = it.quasis.first().map_or("", |q| q.value.raw.as_str());
    if is_used(used, it.span) || !looks_like_sql_statement(first) {
        return None;
    }
    let no_constants = Constants::default();
    let mut f = Finder::new(text, &[], &[], &no_constants, literals);
    let mut b = SqlBuilder::default();
    f.template(it, &mut b, true, 0);
    Some(((it.span.start, it.span.end), b.finish(Confidence::Guess)))
}

/// Methods whose string arguments are compared with text, never sent to a database:
/// `sql.startsWith("SELECT ... WHERE email")` in a test's mock pool, `expect(q).toContain(..)`.
const COMPARED_WITH: &[&str] = &[
    "startsWith",
    "endsWith",
    "includes",
    "indexOf",
    "lastIndexOf",
    "match",
    "test",
    "localeCompare",
    "toContain",
    "toMatch",
    "toBe",
    "toEqual",
    "toStrictEqual",
    "toHaveBeenCalledWith",
    "toHaveBeenLastCalledWith",
    "toHaveBeenNthCalledWith",
];

impl<'a> Visit<'a> for Guesses<'_, '_> {
    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        if !is_comparison(it) {
            return walk::walk_call_expression(self, it);
        }
        self.visit_expression(&it.callee);
        for arg in &it.arguments {
            if !is_text_literal(arg) {
                self.visit_argument(arg);
            }
        }
    }

    fn visit_string_literal(&mut self, it: &StringLiteral<'a>) {
        self.out.extend(guess_string(self.text, self.used, it));
    }

    fn visit_tagged_template_expression(&mut self, it: &TaggedTemplateExpression<'a>) {
        // Tagged templates with other tags (html``, css``, gql``) are not SQL.
        for e in &it.quasi.expressions {
            self.visit_expression(e);
        }
    }

    fn visit_template_literal(&mut self, it: &TemplateLiteral<'a>) {
        let guess = guess_template(self.text, self.literals, self.used, it);
        self.out.extend(guess);
        walk::walk_template_literal(self, it);
    }
}

/// Migrations kept in code (`const MIGRATION_003 = \`CREATE TABLE ..; ALTER TABLE ..\``,
/// listed in `const MIGRATIONS = { '003_users.sql': MIGRATION_003 }` or `[{ name, sql: M }]`
/// and run by a loop whose flow is not followed): a string or template without holes whose
/// first token is a statement keyword, and whose name, or the table or `sql:`/`up:` key
/// that lists it, says it is a migration. Its DDL then feeds the schema like other DDL in
/// code, and its DML is checked.
#[derive(Default)]
struct MigrationSql<'t> {
    text: &'t str,
    /// Literal `const`s that read as SQL: (name, statement, span of the value).
    constants: Vec<(String, SqlBuilder, (u32, u32))>,
    /// Names listed in a migration table or under a `sql:` key.
    listed: FxHashSet<String>,
    /// Literals written in a migration table or under a `sql:` key.
    direct: Vec<(SqlBuilder, (u32, u32))>,
    /// Inside the initializer of a declarator named for migrations.
    in_table: usize,
    /// Inside an array literal (a `sql:` key lists a migration only in a list of them).
    in_array: usize,
    /// Inside the arguments of a comparison (`expect(..).toHaveBeenCalledWith({ sql: .. })`).
    in_compare: usize,
}

/// The words a migration's statement starts with.
const FIRST_KEYWORDS: &[&str] = &[
    "CREATE", "ALTER", "DROP", "DO", "INSERT", "UPDATE", "DELETE", "SELECT", "WITH", "COMMENT",
    "GRANT", "REVOKE", "TRUNCATE",
];

/// Keys under which a migration's SQL is listed (`{ name: '003', sql: MIGRATION_003 }`).
const MIGRATION_KEYS: &[&str] = &["sql", "up", "ddl", "migration"];

fn says_migration(name: &str) -> bool {
    name.to_ascii_lowercase().contains("migrat")
}

impl<'t> MigrationSql<'t> {
    /// The statement in a literal without holes, from its first keyword on (a migration's
    /// header comment is left out), if its first token is a statement keyword.
    fn statement(&self, e: &Expression<'_>) -> Option<(SqlBuilder, (u32, u32))> {
        // Most literals are not SQL: look at the first word before decoding anything.
        let (raw_start, raw_end) = match e.get_inner_expression() {
            Expression::TemplateLiteral(t) if t.expressions.is_empty() => {
                (t.span.start, t.span.end)
            }
            Expression::StringLiteral(lit) => (lit.span.start, lit.span.end),
            _ => return None,
        };
        let raw = self.text.get(raw_start as usize + 1..raw_end as usize)?;
        let word = super::leading_word(super::skip_comments(raw, false));
        // SQL keywords are written `CREATE` or `create`; `Select a file` is prose.
        let one_case = word.chars().all(|c| c.is_ascii_uppercase())
            || word.chars().all(|c| c.is_ascii_lowercase());
        if !one_case || !FIRST_KEYWORDS.contains(&word.to_ascii_uppercase().as_str()) {
            return None;
        }
        let mut b = SqlBuilder::default();
        let span = match e.get_inner_expression() {
            Expression::TemplateLiteral(t) if t.expressions.is_empty() => {
                let q = t.quasis.first()?;
                decode_js(
                    &self.text[q.span.start as usize..q.span.end as usize],
                    q.span.start,
                    &mut b,
                );
                t.span
            }
            Expression::StringLiteral(lit) => {
                string_literal(self.text, lit, &mut b);
                lit.span
            }
            _ => return None,
        };
        let start = b.text.len() - super::skip_comments(&b.text, false).len();
        if !is_statement_by_tokens(&b.text[start..]) {
            return None;
        }
        let mut out = SqlBuilder::default();
        for (pos, c) in b.text[start..].char_indices() {
            out.push_decoded(c, b.map.to_host((start + pos) as u32));
        }
        Some((out, (span.start, span.end)))
    }

    /// A value listed as a migration: a name to look up, or the SQL itself.
    fn list(&mut self, e: &Expression<'_>) {
        match e.get_inner_expression() {
            Expression::Identifier(id) => {
                self.listed.insert(id.name.to_string());
            }
            other => {
                if let Some(found) = self.statement(other) {
                    self.direct.push(found);
                }
            }
        }
    }

    /// The statements found, in source order, leaving out those inside `used` spans.
    fn finish(self, used: &[(u32, u32)]) -> Vec<(SqlBuilder, (u32, u32))> {
        let listed = self.listed;
        let mut out: Vec<(SqlBuilder, (u32, u32))> = self
            .constants
            .into_iter()
            .filter(|(name, _, _)| says_migration(name) || listed.contains(name))
            .map(|(_, b, span)| (b, span))
            .chain(self.direct)
            .filter(|(_, (s, e))| !used.iter().any(|&(us, ue)| *s >= us && *e <= ue))
            .collect();
        out.sort_by_key(|(_, span)| *span);
        out.dedup_by_key(|(_, span)| *span);
        out
    }
}

/// Whether text is a statement by its tokens: it tokenizes as SQL and its first token is a
/// statement keyword followed by a word (`CREATE TABLE`, `ALTER TABLE`, `UPDATE albums`) or,
/// for `DO`, a dollar-quoted body.
fn is_statement_by_tokens(text: &str) -> bool {
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::keywords::Keyword;
    use sqlparser::tokenizer::{Token, Tokenizer};
    // Cheap first: the first word must be one of these before the text is tokenized.
    let word = super::leading_word(text).to_ascii_uppercase();
    if !FIRST_KEYWORDS.contains(&word.as_str()) {
        return false;
    }
    let Ok(tokens) = Tokenizer::new(&PostgreSqlDialect {}, text).tokenize() else {
        return false;
    };
    let mut significant = tokens.iter().filter(|t| !matches!(t, Token::Whitespace(_)));
    match (significant.next(), significant.next()) {
        (Some(Token::Word(w)), Some(Token::DollarQuotedString(_))) => w.keyword == Keyword::DO,
        (Some(Token::Word(_)), Some(Token::Word(_) | Token::Mul)) => true,
        _ => false,
    }
}

impl MigrationSql<'_> {
    /// Returns whether the declarator is a migration table (`const MIGRATIONS = [..]`), whose
    /// values the walk below it lists.
    fn enter_declarator(&mut self, it: &VariableDeclarator<'_>) -> bool {
        let (BindingPattern::BindingIdentifier(id), Some(init)) = (&it.id, &it.init) else {
            return false;
        };
        let name = id.name.as_str();
        if let Some((b, span)) = self.statement(init) {
            self.constants.push((name.to_string(), b, span));
        }
        let table = matches!(
            init.get_inner_expression(),
            Expression::ArrayExpression(_) | Expression::ObjectExpression(_)
        );
        table && says_migration(name)
    }

    fn enter_object_property(&mut self, it: &oxc_ast::ast::ObjectProperty<'_>) {
        let keyed = it
            .key
            .static_name()
            .is_some_and(|k| MIGRATION_KEYS.contains(&k.as_ref()));
        if self.in_compare == 0 && (keyed && self.in_array > 0 || self.in_table > 0) {
            self.list(&it.value);
        }
    }

    fn enter_array(&mut self, it: &oxc_ast::ast::ArrayExpression<'_>) {
        if self.in_table > 0 && self.in_compare == 0 {
            for e in it.elements.iter().filter_map(|e| e.as_expression()) {
                self.list(e);
            }
        }
    }
}

/// Whether a call compares its arguments with text (`expect(q).toContain('SELECT ..')`).
fn is_comparison(it: &CallExpression<'_>) -> bool {
    matches!(
        strip(&it.callee),
        Expression::StaticMemberExpression(m) if COMPARED_WITH.contains(&m.property.name.as_str())
    )
}

/// The passes that only collect — what names stand for ([`Bindings`]), which constants hold
/// literals ([`Constants`]), migrations kept in code ([`MigrationSql`]) — in one walk of the
/// program: each reads the nodes it would read in a walk of its own, and none reads
/// another's state.
struct Collect<'t, 'a> {
    bindings: Bindings,
    constants: Constants<'a>,
    migrations: MigrationSql<'t>,
}

impl Collect<'_, '_> {
    /// Walk a function (`is_function`) or a block with its scope open.
    fn in_scope(&mut self, span: oxc_span::Span, is_function: bool, walk: impl FnOnce(&mut Self)) {
        self.constants.enter(span.start, span.end, is_function);
        walk(self);
        self.constants.leave();
    }
}

impl<'a> Visit<'a> for Collect<'_, 'a> {
    fn visit_import_declaration(&mut self, it: &ImportDeclaration<'a>) {
        // Nothing below an import is read by the others.
        self.bindings.import_declaration(it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        self.bindings.enter_call(it);
        self.constants.enter_call(it);
        let compares = usize::from(is_comparison(it));
        self.migrations.in_compare += compares;
        walk::walk_call_expression(self, it);
        self.migrations.in_compare -= compares;
    }

    fn visit_function(&mut self, it: &Function<'a>, flags: ScopeFlags) {
        self.in_scope(it.span, true, |v| walk::walk_function(v, it, flags));
        self.bindings.leave_function(it);
    }

    fn visit_arrow_function_expression(&mut self, it: &ArrowFunctionExpression<'a>) {
        self.in_scope(it.span, true, |v| {
            walk::walk_arrow_function_expression(v, it)
        });
    }

    fn visit_formal_parameter(&mut self, it: &FormalParameter<'a>) {
        self.constants.parameter(&it.pattern, it.span.start);
        walk::walk_formal_parameter(self, it);
    }

    fn visit_function_body(&mut self, it: &FunctionBody<'a>) {
        self.in_scope(it.span, false, |v| walk::walk_function_body(v, it));
    }

    fn visit_block_statement(&mut self, it: &BlockStatement<'a>) {
        self.in_scope(it.span, false, |v| walk::walk_block_statement(v, it));
    }

    fn visit_for_statement(&mut self, it: &ForStatement<'a>) {
        self.in_scope(it.span, false, |v| walk::walk_for_statement(v, it));
    }

    fn visit_for_in_statement(&mut self, it: &ForInStatement<'a>) {
        self.in_scope(it.span, false, |v| walk::walk_for_in_statement(v, it));
    }

    fn visit_for_of_statement(&mut self, it: &ForOfStatement<'a>) {
        self.in_scope(it.span, false, |v| walk::walk_for_of_statement(v, it));
    }

    fn visit_switch_statement(&mut self, it: &SwitchStatement<'a>) {
        self.in_scope(it.span, false, |v| walk::walk_switch_statement(v, it));
    }

    fn visit_static_block(&mut self, it: &StaticBlock<'a>) {
        self.in_scope(it.span, true, |v| walk::walk_static_block(v, it));
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        self.bindings.enter_assignment(it);
        self.constants.enter_assignment(it);
        walk::walk_assignment_expression(self, it);
    }

    fn visit_tagged_template_expression(&mut self, it: &TaggedTemplateExpression<'a>) {
        self.bindings.enter_tagged_template(it);
        walk::walk_tagged_template_expression(self, it);
    }

    fn visit_variable_declaration(&mut self, it: &VariableDeclaration<'a>) {
        self.constants.enter_declaration(it);
        walk::walk_variable_declaration(self, it);
        self.constants.leave_declaration();
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        self.bindings.enter_declarator(it);
        self.constants.enter_declarator(it);
        let table = usize::from(self.migrations.enter_declarator(it));
        self.migrations.in_table += table;
        walk::walk_variable_declarator(self, it);
        self.migrations.in_table -= table;
        self.bindings.leave_declarator(it);
    }

    fn visit_object_property(&mut self, it: &oxc_ast::ast::ObjectProperty<'a>) {
        self.migrations.enter_object_property(it);
        walk::walk_object_property(self, it);
    }

    fn visit_array_expression(&mut self, it: &oxc_ast::ast::ArrayExpression<'a>) {
        self.migrations.enter_array(it);
        self.migrations.in_array += 1;
        walk::walk_array_expression(self, it);
        self.migrations.in_array -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::SpliceKind;

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

    /// Every handler has its own `let query`: each call reads the binding in scope where it
    /// is (a parameter hides a module constant; `var` lives in its function), a name given
    /// a value in each branch is checked for each, a later value in the same block replaces
    /// the earlier one, and constants built from constants keep their places.
    #[test]
    fn names_resolve_to_the_binding_in_scope_at_the_call() {
        let src = r#"
const query = "SELECT 0 FROM module_level";
const BASE = "FROM base_table";
async function list(db) {
  let query = `select id from list_items where owner = $1`;
  return db.one(query, [1]);
}
async function show(db) {
  const query = "SELECT id FROM show_items WHERE id = $1";
  return db.one(query, [2]);
}
function hidden(db, query) {
  return db.query(query);
}
function branches(db, all) {
  let query;
  if (all) {
    query = "SELECT id FROM all_items";
  } else {
    query = "SELECT id FROM some_items";
  }
  return db.query(query);
}
function replaced(db) {
  let q = "SELECT id FROM first_value";
  q = "SELECT id FROM second_value";
  return db.query(q);
}
function legacy(db) {
  if (true) { var v = "SELECT id FROM var_items"; }
  return db.query(v);
}
const top = () => db.query(query);
const built = "SELECT id " + BASE;
db.query(built);
"#;
        let found = sqls(src);
        let texts: Vec<&str> = found.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "select id from list_items where owner = $1",
                "SELECT id FROM show_items WHERE id = $1",
                "SELECT id FROM all_items",
                "SELECT id FROM some_items",
                "SELECT id FROM second_value",
                "SELECT id FROM var_items",
                "SELECT 0 FROM module_level",
                "SELECT id FROM base_table",
            ],
        );
        // Each is mapped to its own place in the file.
        assert!(host_at(src, &found[0], "list_items").starts_with("list_items where"));
        assert!(host_at(src, &found[3], "some_items").starts_with("some_items\";"));
        assert!(host_at(src, &found[7], "base_table").starts_with("base_table\";"));
        assert!(host_at(src, &found[7], "id ").starts_with("id \" + BASE"));
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

    // See: issue 12, item 4.
    // See: the real-app trials (smolyanoe: a jest mock's prefix, refused under --verify).
    #[test]
    fn strings_compared_with_sql_are_not_sql() {
        let src = "export const mockPool = {\n\
              query: async (text: string) => {\n\
                const sql = text.replace(/\\s+/g, ' ').trim();\n\
                if (sql.startsWith(\"SELECT id, email, name FROM users WHERE email\")) { return { rows: [] }; }\n\
                expect(sql).toContain(`UPDATE users SET name = $1 WHERE id = $2`);\n\
                return { rows: [] };\n\
              },\n\
            };\n\
            export const q = \"SELECT id FROM users WHERE id = $1\";\n";
        let texts: Vec<String> = sqls(src).into_iter().map(|e| e.text).collect();
        assert_eq!(texts, ["SELECT id FROM users WHERE id = $1"]);
    }

    // See: the real-app trials (essential-report: 87 statements through `getSql()`, 7 broken).
    #[test]
    fn tags_returned_by_functions_are_tags() {
        let src = "import { neon } from '@neondatabase/serverless';\n\
            let cached = null;\n\
            export function getSql() { if (!cached) cached = neon(process.env.URL!); return cached; }\n\
            const make = () => neon(process.env.URL!);\n\
            const viaBlock = function () { const c = neon(''); return c; };\n\
            export async function a() { const q = getSql(); return q`SELECT 1 AS a`; }\n\
            export async function b() { const db = make(); return db`SELECT 2 AS b`; }\n\
            export async function c() { const x = viaBlock(); return x`SELECT 3 AS c`; }\n\
            export async function d() { const y = other(); return y`SELECT 4 AS d`; }\n";
        let texts: Vec<String> = sqls(src).into_iter().map(|e| e.text).collect();
        assert_eq!(texts, ["SELECT 1 AS a", "SELECT 2 AS b", "SELECT 3 AS c"]);

        // A factory in a local module, imported and called: `const db = sql()`.
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("lib")).unwrap();
        std::fs::write(
            dir.path().join("lib/db.ts"),
            "import { neon } from '@neondatabase/serverless';\n\
             export function getSql() { return neon(process.env.URL!); }\n\
             export const sql = getSql;\n",
        )
        .unwrap();
        let admin = "import { sql, getSql as g } from './lib/db';\n\
            export async function e() { const db = sql(); await db`UPDATE t SET a = 1`; }\n\
            export async function f() { const q = g(); await q`DELETE FROM t`; }\n";
        let path = dir.path().join("admin.ts");
        let texts: Vec<String> = extract(&path, admin, &SourcesConfig::default())
            .unwrap()
            .into_iter()
            .map(|e| e.text)
            .collect();
        assert_eq!(texts, ["UPDATE t SET a = 1", "DELETE FROM t"]);
    }

    #[test]
    fn clients_are_recognised_by_what_they_are() {
        let src = r#"
import { neon } from '@neondatabase/serverless';
import { sql as q, createPool } from '@vercel/postgres';
const db = neon(process.env.DATABASE_URL);
const pg = require('postgres')(url);
const { sql: pooled } = createPool();
const alias = db;
await db`SELECT id FROM users WHERE id = ${id}`;
await q`SELECT id FROM orgs`;
await pg`SELECT id FROM orders`;
await pooled`SELECT id FROM posts`;
await alias`SELECT 1 AS one`;
await html`SELECT * FROM nothing`;
"#;
        let texts: Vec<String> = sqls(src).into_iter().map(|e| e.text).collect();
        assert_eq!(
            texts,
            [
                "SELECT id FROM users WHERE id = $1   ",
                "SELECT id FROM orgs",
                "SELECT id FROM orders",
                "SELECT id FROM posts",
                "SELECT 1 AS one",
            ]
        );
    }

    // See: issue 12, item 5.
    #[test]
    fn generic_query_calls_with_lowercase_sql_pass_the_cue() {
        let src = "const r = await client.query<{ id: string }>(\"select * from app_public.users where id = $1\", [id]);";
        assert!(has_sql_cue(src, &SourcesConfig::default()));
        assert_eq!(
            sqls(src)[0].text,
            "select * from app_public.users where id = $1"
        );
        // Prose still does not.
        assert!(!has_sql_cue(
            "// select the rows, then update the view\nconst x = 1;",
            &SourcesConfig::default()
        ));
    }

    // See: issue 12 (M4's last gap): a module of migration constants whose runner is in
    // another file was never parsed (no query call, no DML keyword in it).
    #[test]
    fn a_file_of_migration_constants_alone_passes_the_cue() {
        let src = "// the runner is in apply.ts\nexport const MIGRATION_001 = `\nCREATE TABLE IF NOT EXISTS plans (id int PRIMARY KEY);\n`;\nexport const MIGRATION_002 = `ALTER TABLE plans ADD COLUMN name text`;\n";
        assert!(has_sql_cue(src, &SourcesConfig::default()));
        let found = crate::extract::extract(
            std::path::Path::new("migrations.ts"),
            crate::extract::Language::TypeScript,
            src,
            &SourcesConfig::default(),
        )
        .unwrap();
        let texts: Vec<&str> = found.iter().map(|e| e.text.trim_end()).collect();
        assert_eq!(
            texts,
            [
                "CREATE TABLE IF NOT EXISTS plans (id int PRIMARY KEY)",
                "ALTER TABLE plans ADD COLUMN name text"
            ]
        );
        // The defaults still fit the SIMD searcher (past its pattern limit, the automaton is
        // several times slower on every file).
        #[cfg(target_arch = "x86_64")]
        assert!(matches!(
            cues(
                DEFAULT_TAGS.iter().copied(),
                DEFAULT_FUNCTIONS.iter().copied()
            ),
            Some(Cues::Packed(_))
        ));
    }

    #[test]
    fn the_simd_cue_search_agrees_with_the_automaton() {
        let tags = || DEFAULT_TAGS.iter().copied();
        let functions = || DEFAULT_FUNCTIONS.iter().copied().chain(["myQuery"]);
        let Some(Cues::Packed(packed)) = cues(tags(), functions()) else {
            // No SIMD here: the automaton is the only search, nothing to compare.
            return;
        };
        let automaton = AhoCorasick::new(cue_patterns(tags(), functions())).unwrap();
        let long = "x".repeat(100);
        for text in [
            "",
            "q(",
            "sql`",
            "one(",
            "SELECT",
            "select 1",
            "'select ",
            "myQuery(x)",
            "query<T>",
            "const a = 1; // update the view",
            "import { sql } from 'x'; const q = sql`SELECT 1`;",
            &format!("{long}none({long}"),
            &format!("{long}'delete {long}"),
            &format!("{long}nothing here{long}"),
            &format!("{long}$queryRaw `{long}"),
        ] {
            assert_eq!(
                packed.find(text).is_some(),
                automaton.is_match(text),
                "{text:?}"
            );
        }
    }

    // See: issue 12, item 6.
    // See: issue 12 (trial miss M4, smolyanoe-chuchelko's apply-migrations.ts): migrations
    // kept in code constants, run through a table the flow of which is not followed.
    #[test]
    fn migration_constants_in_code_are_extracted() {
        let src = r#"import { query } from './lib/db';
const MIGRATION_003 = `
-- 003: users
CREATE TABLE IF NOT EXISTS users (id uuid PRIMARY KEY);
ALTER TABLE users ADD COLUMN IF NOT EXISTS plan text;
`;
const MIGRATION_011 = `
DO $$ BEGIN UPDATE users SET plan = 'free'; END $$;
SELECT id FROM users;
`;
const ADD_TAGS = 'CREATE TABLE tags (id int)';
const HELP = `CREATE TABLE is how a table is made`;
const migrationHint = 'Select a file to migrate';
const MIGRATION_DOC = 'Run the migrations first';
const MIGRATION_020 = `ALTER TABLE users DROP COLUMN plan`;
const MIGRATIONS: Record<string, string> = { '003_users.sql': MIGRATION_003, '011.sql': MIGRATION_011 };
const steps = [
  { name: 'tags', sql: ADD_TAGS },
  { name: 'inline', up: `ALTER TABLE tags ADD COLUMN name text` },
];
const job = { name: 'not a list', sql: `ALTER TABLE jobs ADD COLUMN done boolean` };
expect(pool.query).toHaveBeenCalledWith([{ sql: `ALTER TABLE mocked ADD COLUMN x int` }]);
async function apply(sql: string) {
  for (const q of sql.split(';')) await query(q, []);
}
export async function run() {
  for (const name of Object.keys(MIGRATIONS)) await apply(MIGRATIONS[name]);
  for (const s of steps) await query(s.sql, []);
  await query(MIGRATION_020, []);
}
"#;
        let found = sqls(src);
        let texts: Vec<&str> = found.iter().map(|e| e.text.trim_end()).collect();
        assert_eq!(
            texts,
            [
                // Found at its query call, as before.
                "ALTER TABLE users DROP COLUMN plan",
                // One statement at a time, from its first keyword on: the header comment is
                // left out.
                "CREATE TABLE IF NOT EXISTS users (id uuid PRIMARY KEY)",
                "ALTER TABLE users ADD COLUMN IF NOT EXISTS plan text",
                "DO $$ BEGIN UPDATE users SET plan = 'free'; END $$",
                "SELECT id FROM users",
                "CREATE TABLE tags (id int)",
                "ALTER TABLE tags ADD COLUMN name text",
            ]
        );
        assert!(found.iter().all(|e| e.confidence == Confidence::Certain));
        assert!(host_at(src, &found[1], "CREATE").starts_with("CREATE TABLE IF NOT EXISTS users"));
        assert!(host_at(src, &found[2], "plan").starts_with("plan text;\n`;"));
        assert!(host_at(src, &found[4], "id").starts_with("id FROM users;\n`;"));
    }

    #[test]
    fn plain_template_holes_are_splices() {
        let src = "const LIMIT = 10;\nawait pool.query(`SELECT ${col} FROM users WHERE id = ${id} AND kind = ${'a'} LIMIT ${LIMIT}`);";
        let e = &sqls(src)[0];
        let kinds: Vec<SpliceKind> = e.spliced.iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            [
                SpliceKind::Fragment,
                SpliceKind::Value,
                SpliceKind::Constant,
                SpliceKind::Constant
            ]
        );
        assert_eq!(e.dynamic.len(), 1, "`${{col}}` names a column");
        assert_eq!(
            &src[e.spliced[1].host.start as usize..e.spliced[1].host.end as usize],
            "${id}"
        );
        // A tagged template's holes are parameters, not splices.
        assert!(sqls("await sql`SELECT 1 FROM users WHERE id = ${id}`;")[0]
            .spliced
            .is_empty());
        // `+` concatenation: the value is spliced too.
        let e = &sqls("await pool.query('SELECT 1 FROM users WHERE id = ' + id);")[0];
        assert_eq!(e.spliced.len(), 1);
        assert_eq!(e.spliced[0].kind, SpliceKind::Value);
    }
}
