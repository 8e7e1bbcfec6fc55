//! What a name holds where it is used: `const q = "SELECT ..."` and `q = "..."` bindings with
//! the scope each is visible in, so that a call resolves a name as JavaScript does (every
//! handler has its own `let query`), and the names of `const`s whose value is a literal.

use oxc_ast::ast::{
    AssignmentExpression, AssignmentOperator, AssignmentTarget, BindingPattern, CallExpression,
    Expression, VariableDeclaration, VariableDeclarationKind, VariableDeclarator,
};
use rustc_hash::{FxHashMap, FxHashSet};

use super::{expr_span, is_foldable, is_literal};

/// A byte range of the file: `(start, end)`.
type Range = (u32, u32);

/// One declaration of a name: the scope it is visible in and the values it is given.
struct Binding {
    scope: Range,
    /// In source order: the initializer, then each `name = ...` in the scope.
    values: Vec<Value>,
}

/// A value given to a name: the expression (when it is a string the walk can fold), where
/// it is given and the innermost block that holds that place.
struct Value {
    expr: Option<Range>,
    at: u32,
    block: Range,
}

/// The file's bindings by name, and the literal `const`s.
#[derive(Default)]
pub(super) struct Constants<'a> {
    /// Once the file is read: the bindings of the names given a foldable value somewhere
    /// (the others cannot hold SQL), each name's in source order.
    bindings: FxHashMap<&'a str, Vec<Binding>>,
    /// While it is read: every declaration (name, scope, initializer) and `name = ...`.
    declarations: Vec<(&'a str, Range, Option<Value>)>,
    assignments: Vec<(&'a str, Value)>,
    pub(super) literals: FxHashSet<String>,
    /// Names given a tagged template somewhere in the file (`const where = id ? sql\`WHERE
    /// id = ${id}\` : sql\`\``): pasted into another tagged template, such a name may be a
    /// query fragment, SQL rather than a value.
    pub(super) fragments: FxHashSet<&'a str>,
    /// Names whose value is changed in place (`fields.push(x)`).
    mutated: FxHashSet<String>,
    /// The scopes around the walk's place: each one's range and whether it is a function
    /// (where `var` lives) or a block (where `let` and `const` live).
    scopes: Vec<(Range, bool)>,
    /// The kind of each variable declaration the walk is in.
    kinds: Vec<VariableDeclarationKind>,
}

impl<'a> Constants<'a> {
    /// The tables once the whole file is read.
    pub(super) fn finish(mut self) -> Constants<'a> {
        // `const fields = []; fields.push(...)`: a `const` array filled at run time.
        for name in std::mem::take(&mut self.mutated) {
            self.literals.remove(&name);
        }
        let foldable = |v: &Value| v.expr.is_some();
        let named: FxHashSet<&str> = self
            .declarations
            .iter()
            .filter(|(_, _, v)| v.as_ref().is_some_and(foldable))
            .map(|&(n, _, _)| n)
            .chain(
                self.assignments
                    .iter()
                    .filter(|(_, v)| foldable(v))
                    .map(|&(n, _)| n),
            )
            .collect();
        if named.is_empty() {
            return self;
        }
        for (name, scope, init) in std::mem::take(&mut self.declarations) {
            if named.contains(name) {
                let values = init.into_iter().collect();
                self.bindings
                    .entry(name)
                    .or_default()
                    .push(Binding { scope, values });
            }
        }
        for (name, value) in std::mem::take(&mut self.assignments) {
            if let Some(list) = self.bindings.get_mut(name) {
                if let Some(i) = innermost(list, value.at) {
                    list[i].values.push(value);
                }
            }
        }
        self
    }

    /// The walk enters a function (`is_function`) or a block; it leaves by [`Self::leave`].
    pub(super) fn enter(&mut self, start: u32, end: u32, is_function: bool) {
        self.scopes.push(((start, end), is_function));
    }

    pub(super) fn leave(&mut self) {
        self.scopes.pop();
    }

    fn block(&self) -> Range {
        self.scopes.last().map_or((0, u32::MAX), |&(r, _)| r)
    }

    fn function(&self) -> Range {
        self.scopes
            .iter()
            .rev()
            .find(|(_, f)| *f)
            .map_or((0, u32::MAX), |&(r, _)| r)
    }

    pub(super) fn enter_call(&mut self, it: &CallExpression<'a>) {
        if let Expression::StaticMemberExpression(m) = &it.callee {
            if let (Expression::Identifier(id), "push" | "unshift" | "splice") =
                (&m.object, m.property.name.as_str())
            {
                self.mutated.insert(id.name.to_string());
            }
        }
    }

    pub(super) fn enter_declaration(&mut self, it: &VariableDeclaration<'a>) {
        self.kinds.push(it.kind);
        if it.kind.is_const() {
            for d in &it.declarations {
                if let (BindingPattern::BindingIdentifier(id), Some(init)) = (&d.id, &d.init) {
                    if is_literal(init, &self.literals) {
                        self.literals.insert(id.name.to_string());
                    }
                }
            }
        }
    }

    pub(super) fn leave_declaration(&mut self) {
        self.kinds.pop();
    }

    pub(super) fn enter_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if let (BindingPattern::BindingIdentifier(id), Some(init)) = (&it.id, &it.init) {
            if holds_tagged_template(init) {
                self.fragments.insert(id.name.as_str());
            }
        }
        let is_var = self.kinds.last() == Some(&VariableDeclarationKind::Var);
        let scope = if is_var {
            self.function()
        } else {
            self.block()
        };
        let at = it.span.start;
        match (&it.id, &it.init) {
            (BindingPattern::BindingIdentifier(id), init) => {
                let expr = init.as_ref().filter(|e| is_foldable(e)).map(|e| {
                    let span = expr_span(e);
                    (span.start, span.end)
                });
                // `let q;` is given its values later; anything else is a value not known.
                let value = init.as_ref().map(|_| Value {
                    expr,
                    at,
                    block: self.block(),
                });
                self.declarations.push((id.name.as_str(), scope, value));
            }
            // `const { query } = x`: names whose values are not known, which hide others.
            (pattern, _) => self.declare_unknown(pattern, scope, at),
        }
    }

    /// A function's parameter: a name whose value is not known, in the function's scope.
    pub(super) fn parameter(&mut self, pattern: &BindingPattern<'a>, at: u32) {
        let scope = self.function();
        self.declare_unknown(pattern, scope, at);
    }

    fn declare_unknown(&mut self, pattern: &BindingPattern<'a>, scope: Range, at: u32) {
        let block = self.block();
        let declarations = &mut self.declarations;
        bound_names(pattern, &mut |name| {
            let unknown = Value {
                expr: None,
                at,
                block,
            };
            declarations.push((name, scope, Some(unknown)));
        });
    }

    /// `name = ...`: another value of the binding the name resolves to there (attached
    /// once the file is read).
    pub(super) fn enter_assignment(&mut self, it: &AssignmentExpression<'a>) {
        let AssignmentTarget::AssignmentTargetIdentifier(id) = &it.left else {
            return;
        };
        if holds_tagged_template(&it.right) {
            self.fragments.insert(id.name.as_str());
        }
        let expr =
            (it.operator == AssignmentOperator::Assign && is_foldable(&it.right)).then(|| {
                let span = expr_span(&it.right);
                (span.start, span.end)
            });
        let value = Value {
            expr,
            at: it.span.start,
            block: self.block(),
        };
        self.assignments.push((id.name.as_str(), value));
    }

    /// The foldable values a name may hold where it is used at `at`: those of the binding
    /// in scope there that still hold when the walk reaches `at` (a value given in a block
    /// around `at`, before it, replaces the earlier ones; values given in branches all
    /// remain). A name used before any value is given (a function that reads a module
    /// constant declared below it) holds the first.
    pub(super) fn values_at(&self, name: &str, at: u32) -> Vec<Range> {
        let Some(list) = self.bindings.get(name) else {
            return Vec::new();
        };
        let Some(i) = innermost(list, at) else {
            return Vec::new();
        };
        let values = &list[i].values;
        let mut live: Vec<&Value> = Vec::new();
        for v in values.iter().take_while(|v| v.at < at) {
            if v.block.0 <= at && at < v.block.1 {
                live.clear();
            }
            live.push(v);
        }
        if live.is_empty() {
            live.extend(values.first());
        }
        live.iter().filter_map(|v| v.expr).collect()
    }

    /// Every foldable value of the binding a name resolves to at `at`, replaced ones too:
    /// the SQL of a name passed to a query call is not guessed at again.
    pub(super) fn binding_values(&self, name: &str, at: u32) -> Vec<Range> {
        let Some(list) = self.bindings.get(name) else {
            return Vec::new();
        };
        innermost(list, at).map_or_else(Vec::new, |i| {
            list[i].values.iter().filter_map(|v| v.expr).collect()
        })
    }
}

/// The binding of the innermost scope around `at` (the latest of those declared in that
/// scope at or before `at`, else the first).
fn innermost(list: &[Binding], at: u32) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, b) in list.iter().enumerate() {
        if !(b.scope.0 <= at && at < b.scope.1) {
            continue;
        }
        let better = match best {
            None => true,
            Some(j) => {
                let o = &list[j];
                let inner = b.scope.0 >= o.scope.0 && b.scope.1 <= o.scope.1;
                let same = b.scope == o.scope;
                let declared_before = b.values.first().is_none_or(|v| v.at <= at);
                (inner && !same) || (same && declared_before)
            }
        };
        if better {
            best = Some(i);
        }
    }
    best
}

/// The names a pattern binds: `x`, `{ a, b: c }`, `[d, ...e]`, `f = 1`.
fn bound_names<'a>(pattern: &BindingPattern<'a>, out: &mut impl FnMut(&'a str)) {
    match pattern {
        BindingPattern::BindingIdentifier(id) => out(id.name.as_str()),
        BindingPattern::ObjectPattern(o) => {
            for p in &o.properties {
                bound_names(&p.value, out);
            }
            if let Some(rest) = &o.rest {
                bound_names(&rest.argument, out);
            }
        }
        BindingPattern::ArrayPattern(a) => {
            for p in a.elements.iter().flatten() {
                bound_names(p, out);
            }
            if let Some(rest) = &a.rest {
                bound_names(&rest.argument, out);
            }
        }
        BindingPattern::AssignmentPattern(a) => bound_names(&a.left, out),
    }
}

/// A tagged template, or a choice between values of which one is (`id ? sql\`WHERE id =
/// ${id}\` : sql\`\``, `cond && sql\`...\``).
pub(super) fn holds_tagged_template(e: &Expression<'_>) -> bool {
    match e {
        Expression::TaggedTemplateExpression(_) => true,
        Expression::ConditionalExpression(c) => {
            holds_tagged_template(&c.consequent) || holds_tagged_template(&c.alternate)
        }
        Expression::LogicalExpression(l) => {
            holds_tagged_template(&l.left) || holds_tagged_template(&l.right)
        }
        Expression::ParenthesizedExpression(p) => holds_tagged_template(&p.expression),
        _ => false,
    }
}
