//! Name resolution: walks one parsed statement with Postgres's scoping rules (FROM items,
//! joins, CTEs, subqueries, LATERAL, DML targets) and records every table and column reference
//! with its outcome. It reports facts, not findings: `rules/` turns them into diagnostics.
//!
//! The guiding principle is certainty: a reference is `Missing` only when every relation it
//! could bind to has a fully known column list. Anything else is left unjudged.

mod mentions;
mod scope;

#[cfg(test)]
mod tests;

use std::ops::ControlFlow;

use sqlparser::ast::{
    self, AssignmentTarget, ConflictTarget, Delete, Expr, FromTable, FunctionArg, FunctionArgExpr,
    GroupByExpr, Insert, JoinConstraint, JoinOperator, Merge, MergeAction, MergeInsertKind,
    MergeUpdateKind, ObjectName, ObjectNamePart, OnConflictAction, OnInsert, OrderByKind, Query,
    Select, SelectItem, SelectItemQualifiedWildcardKind, SetExpr, Statement, TableAlias,
    TableFactor, TableObject, TableWithJoins, Update, UpdateTableFromKind, Visit, Visitor,
};

use crate::schema::functions::FunctionResult;
use crate::schema::{Ident, Lookup, QualifiedName, Schema};
use crate::sql::ParsedSql;

pub use mentions::{named_relations, Mention};
use scope::{Cols, Scope, ScopeRel};

/// A byte range in the SQL text of the statement (not the host file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TextRange {
    pub start: u32,
    pub end: u32,
}

/// What a statement does with a table it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableUse {
    Read,
    Insert,
    Update,
    Delete,
    Merge,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableStatus {
    Found {
        schema: Ident,
        relation: Ident,
    },
    /// No relation of that name in the searched schemas.
    Missing,
    /// A system catalog (`pg_class`, `information_schema.columns`): fine, columns unknown.
    Catalog,
    /// Qualified with a schema we know nothing about: no verdict.
    UnknownSchema,
}

/// A table (or view) named in the statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRef {
    pub name: QualifiedName,
    pub range: TextRange,
    pub usage: TableUse,
    pub status: TableStatus,
}

/// Where a column name appears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnUse {
    /// In an expression: select list, WHERE, ON, ORDER BY...
    Expr,
    /// As a target: INSERT column list, UPDATE SET, ON CONFLICT, MERGE; index into `tables`.
    Target { table: usize },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnStatus {
    /// Bound to a column; `table` is the base table reference when it is one.
    Found { table: Option<usize> },
    /// No relation in scope has it. `searched` are the table references that were candidates
    /// (for "did you mean" and "`x` exists in `y`" hints); `visible` all column names in scope.
    Missing {
        searched: Vec<usize>,
        visible: Vec<Ident>,
    },
    /// More than one relation at the innermost matching level has it.
    Ambiguous,
    /// The qualifier names no FROM item (`missing FROM-clause entry for table "u"`).
    /// `hidden_by` is the alias that hides a table of that name, if any.
    MissingQualifier { hidden_by: Option<Ident> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnRef {
    pub name: Ident,
    /// The relation qualifier as written (`m` in `m.media_type`).
    pub qualifier: Option<Ident>,
    /// The column name's range (for a qualified name, just the last part).
    pub range: TextRange,
    /// The qualifier's range, when there is one.
    pub qualifier_range: Option<TextRange>,
    pub usage: ColumnUse,
    pub status: ColumnStatus,
}

/// The shape of one INSERT, for the column-count and required-column rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsertRef {
    /// Index into `tables`; the target was found and is a table.
    pub table: usize,
    /// The explicit column list, if any, with ranges.
    pub columns: Option<Vec<(Ident, TextRange)>>,
    pub source: InsertSource,
    /// Range of the `INSERT` keyword through the table name, for statement-level findings.
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InsertSource {
    /// `VALUES (...), (...)`: the range of each expression, row by row. A row whose width
    /// is unknown (e.g. `ROW(...)` spread) is not listed.
    Values(Vec<Vec<TextRange>>),
    /// `INSERT ... SELECT`: the number of output columns, when certain.
    Query {
        width: Option<usize>,
        range: TextRange,
    },
    DefaultValues,
}

/// Everything the resolver learned about one statement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    pub tables: Vec<TableRef>,
    pub columns: Vec<ColumnRef>,
    pub inserts: Vec<InsertRef>,
    /// Table references whose every column is used: `SELECT *`, `t.*`, `RETURNING *`, an
    /// INSERT without a column list.
    pub all_columns_used: Vec<usize>,
    /// Statement shapes Postgres refuses whatever the schema (at the configured version).
    pub invalid: Vec<Invalid>,
}

/// A statement shape Postgres refuses before it looks at any table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// A construct that the configured `postgres-version` doesn't have yet.
    NewerSyntax {
        what: &'static str,
        since: u32,
        range: TextRange,
    },
    /// `ON CONFLICT DO UPDATE` without a conflict target: `ON CONFLICT DO UPDATE requires
    /// inference specification or constraint name`.
    OnConflictWithoutTarget { range: TextRange },
}

/// Resolve every reference in one statement against the schema.
pub fn resolve_statement(stmt: &Statement, schema: &Schema, parsed: &ParsedSql<'_>) -> Resolved {
    let mut resolver = Resolver {
        schema,
        parsed,
        out: Resolved::default(),
    };
    let root = Scope::root();
    resolver.statement(stmt, &root);
    resolver.out
}

/// The output column names of a query (for view definitions), if they are all certain.
pub fn query_output_names(query: &Query, schema: &Schema) -> Option<Vec<Ident>> {
    let parsed = ParsedSql::new("");
    let mut resolver = Resolver {
        schema,
        parsed: &parsed,
        out: Resolved::default(),
    };
    let cols = resolver.query(query, &Scope::root());
    cols.complete.then_some(cols.names)
}

struct Resolver<'a> {
    schema: &'a Schema,
    parsed: &'a ParsedSql<'a>,
    out: Resolved,
}

impl<'a> Resolver<'a> {
    fn range(&self, span: sqlparser::tokenizer::Span) -> TextRange {
        match self.parsed.range(span) {
            Some((start, end)) => TextRange { start, end },
            // sqlparser: some nodes come back with an empty span; point at the statement start.
            None => TextRange { start: 0, end: 0 },
        }
    }

    fn ident_range(&self, ident: &ast::Ident) -> TextRange {
        self.range(ident.span)
    }

    fn name_range(&self, name: &ObjectName) -> TextRange {
        let parts: Vec<&ast::Ident> = name.0.iter().filter_map(ObjectNamePart::as_ident).collect();
        match (parts.first(), parts.last()) {
            (Some(first), Some(last)) => {
                let a = self.ident_range(first);
                let b = self.ident_range(last);
                TextRange {
                    start: a.start,
                    end: b.end.max(a.end),
                }
            }
            _ => TextRange::default(),
        }
    }

    // ----- statements -------------------------------------------------------------------

    /// Resolve a statement; returns the columns it outputs (RETURNING or SELECT list).
    fn statement(&mut self, stmt: &Statement, scope: &Scope<'_>) -> Cols {
        match stmt {
            Statement::Query(q) => self.query(q, scope),
            Statement::Insert(insert) => self.insert(insert, scope),
            Statement::Update(update) => self.update(update, scope),
            Statement::Delete(delete) => self.delete(delete, scope),
            Statement::Merge(merge) => {
                self.merge(merge, scope);
                Cols::unknown()
            }
            Statement::Explain { statement, .. } => self.statement(statement, scope),
            _ => Cols::unknown(),
        }
    }

    fn query(&mut self, q: &Query, parent: &Scope<'_>) -> Cols {
        let mut with_scope = Scope::child(parent);
        if let Some(with) = &q.with {
            for cte in &with.cte_tables {
                let name = Ident::from_ast(&cte.alias.name);
                let cols = if with.recursive {
                    self.recursive_cte(cte, &name, &with_scope)
                } else {
                    self.query(&cte.query, &with_scope)
                };
                with_scope.add_cte(name, cols.renamed(&cte.alias));
            }
        }
        let order_by = q.order_by.as_ref().and_then(|o| match &o.kind {
            OrderByKind::Expressions(exprs) => Some(exprs.as_slice()),
            OrderByKind::All(_) => None,
        });
        let cols = match q.body.as_ref() {
            SetExpr::Select(select) => self.select(select, &with_scope, order_by.unwrap_or(&[])),
            body => {
                let cols = self.set_expr(body, &with_scope);
                // ORDER BY of a set operation sees only its output columns.
                if let Some(items) = order_by {
                    let outputs = Scope::outputs(&with_scope, &cols);
                    for item in items {
                        self.expr_with_outputs(&item.expr, &outputs, &cols);
                    }
                }
                cols
            }
        };
        if let Some(limit) = &q.limit_clause {
            self.visit_exprs(limit, &with_scope);
        }
        cols
    }

    /// `WITH RECURSIVE r AS (base UNION recursive)`: the base term defines the columns, and
    /// the recursive term sees `r` itself.
    fn recursive_cte(&mut self, cte: &ast::Cte, name: &Ident, scope: &Scope<'_>) -> Cols {
        let SetExpr::SetOperation { left, right, .. } = cte.query.body.as_ref() else {
            return self.query(&cte.query, scope);
        };
        let base = self.set_expr(left, scope).renamed(&cte.alias);
        let mut inner = Scope::child(scope);
        inner.add_cte(name.clone(), base.clone());
        self.set_expr(right, &inner);
        base
    }

    fn set_expr(&mut self, body: &SetExpr, scope: &Scope<'_>) -> Cols {
        match body {
            SetExpr::Select(select) => self.select(select, scope, &[]),
            SetExpr::Query(q) => self.query(q, scope),
            SetExpr::SetOperation { left, right, .. } => {
                let cols = self.set_expr(left, scope);
                self.set_expr(right, scope);
                cols
            }
            SetExpr::Values(values) => {
                let width = values.rows.first().map_or(0, |r| r.len());
                for row in &values.rows {
                    for e in row.iter() {
                        self.expr(e, scope);
                    }
                }
                // Postgres names VALUES columns column1, column2, ...
                Cols::known(
                    (1..=width)
                        .map(|i| Ident::quoted(&format!("column{i}")))
                        .collect(),
                )
            }
            SetExpr::Insert(stmt)
            | SetExpr::Update(stmt)
            | SetExpr::Delete(stmt)
            | SetExpr::Merge(stmt) => self.statement(stmt, scope),
            SetExpr::Table(_) => Cols::unknown(),
        }
    }

    fn select(
        &mut self,
        select: &Select,
        parent: &Scope<'_>,
        order_by: &[ast::OrderByExpr],
    ) -> Cols {
        let mut scope = Scope::child(parent);
        for twj in &select.from {
            self.join_tree(twj, &mut scope);
        }
        if let Some(selection) = &select.selection {
            self.expr(selection, &scope);
        }
        let mut outputs = Cols::known(Vec::new());
        for item in &select.projection {
            match item {
                SelectItem::UnnamedExpr(e) => {
                    self.expr(e, &scope);
                    match output_name(e) {
                        Some(name) => outputs.push(name),
                        None => outputs.complete = false,
                    }
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    self.expr(expr, &scope);
                    outputs.push(Ident::from_ast(alias));
                }
                SelectItem::ExprWithAliases { expr, aliases } => {
                    self.expr(expr, &scope);
                    aliases
                        .iter()
                        .for_each(|a| outputs.push(Ident::from_ast(a)));
                }
                SelectItem::Wildcard(_) => {
                    self.out
                        .all_columns_used
                        .extend(scope.rels.iter().filter_map(|r| r.table));
                    outputs.extend(scope.all_columns());
                }
                SelectItem::QualifiedWildcard(kind, _) => match kind {
                    SelectItemQualifiedWildcardKind::ObjectName(name) => {
                        outputs.extend(self.qualified_wildcard(name, &scope));
                    }
                    SelectItemQualifiedWildcardKind::Expr(e) => {
                        self.expr(e, &scope);
                        outputs.complete = false;
                    }
                },
            }
        }
        // DISTINCT ON follows ORDER BY's rules: a bare output name is allowed.
        if let Some(ast::Distinct::On(exprs)) = &select.distinct {
            for e in exprs {
                self.expr_with_outputs(e, &scope, &outputs);
            }
        }
        // An output name is visible to GROUP BY and ORDER BY only as a bare name:
        // `ORDER BY n` works, `ORDER BY n + 1` is `column "n" does not exist`.
        match &select.group_by {
            GroupByExpr::Expressions(exprs, _) => {
                for e in exprs {
                    self.expr_with_outputs(e, &scope, &outputs);
                }
            }
            GroupByExpr::All(_) => {}
        }
        if let Some(having) = &select.having {
            self.expr(having, &scope);
        }
        for window in &select.named_window {
            self.visit_exprs(window, &scope);
        }
        if let Some(qualify) = &select.qualify {
            self.expr(qualify, &scope);
        }
        for item in order_by {
            self.expr_with_outputs(&item.expr, &scope, &outputs);
        }
        outputs
    }

    /// A bare name in ORDER BY or GROUP BY may name an output column (`SELECT count(*) AS n
    /// ... ORDER BY n`); anything else resolves against the FROM clause.
    fn expr_with_outputs(&mut self, e: &Expr, scope: &Scope<'_>, outputs: &Cols) {
        if let Expr::Identifier(id) = e {
            if outputs.contains(&Ident::from_ast(id)) {
                return;
            }
        }
        self.expr(e, scope);
    }

    fn qualified_wildcard(&mut self, name: &ObjectName, scope: &Scope<'_>) -> Cols {
        let parts: Vec<&ast::Ident> = name.0.iter().filter_map(ObjectNamePart::as_ident).collect();
        let Some(last) = parts.last() else {
            return Cols::unknown();
        };
        let qualifier = Ident::from_ast(last);
        let schema = (parts.len() == 2).then(|| Ident::from_ast(parts[0]));
        match scope.find_rel(&qualifier, schema.as_ref()) {
            Some(rel) => {
                self.out.all_columns_used.extend(rel.table);
                rel.cols.clone()
            }
            None => {
                let hidden_by = scope.alias_hiding(&qualifier);
                let range = self.ident_range(last);
                self.out.columns.push(ColumnRef {
                    name: Ident::quoted("*"),
                    qualifier: Some(qualifier),
                    range,
                    qualifier_range: Some(range),
                    usage: ColumnUse::Expr,
                    status: ColumnStatus::MissingQualifier { hidden_by },
                });
                Cols::unknown()
            }
        }
    }

    // ----- FROM clause ------------------------------------------------------------------

    fn join_tree(&mut self, twj: &TableWithJoins, scope: &mut Scope<'_>) {
        let start = scope.rels.len();
        self.table_factor(&twj.relation, scope, TableUse::Read);
        for join in &twj.joins {
            let left_len = scope.rels.len();
            self.table_factor(&join.relation, scope, TableUse::Read);
            let constraint = match &join.join_operator {
                JoinOperator::Join(c)
                | JoinOperator::Inner(c)
                | JoinOperator::Left(c)
                | JoinOperator::LeftOuter(c)
                | JoinOperator::Right(c)
                | JoinOperator::RightOuter(c)
                | JoinOperator::FullOuter(c)
                | JoinOperator::CrossJoin(c)
                | JoinOperator::Semi(c)
                | JoinOperator::LeftSemi(c)
                | JoinOperator::RightSemi(c)
                | JoinOperator::Anti(c)
                | JoinOperator::LeftAnti(c)
                | JoinOperator::RightAnti(c)
                | JoinOperator::StraightJoin(c) => Some(c),
                JoinOperator::AsOf {
                    match_condition,
                    constraint,
                } => {
                    self.expr(match_condition, scope);
                    Some(constraint)
                }
                _ => None,
            };
            match constraint {
                Some(JoinConstraint::On(e)) => self.expr(e, scope),
                Some(JoinConstraint::Using(names)) | Some(JoinConstraint::UsingAlias(names, _)) => {
                    let idents: Vec<&ast::Ident> = names
                        .iter()
                        .filter_map(|n| n.0.last().and_then(ObjectNamePart::as_ident))
                        .collect();
                    // `column "x" specified in USING clause does not exist in left table`.
                    for ident in &idents {
                        let name = Ident::from_ast(ident);
                        for side in [start..left_len, left_len..scope.rels.len()] {
                            let rels = &scope.rels[side];
                            if rels
                                .iter()
                                .any(|r| !r.cols.complete || r.cols.contains(&name))
                            {
                                continue;
                            }
                            let range = self.ident_range(ident);
                            self.out.columns.push(ColumnRef {
                                name: name.clone(),
                                qualifier: None,
                                range,
                                qualifier_range: None,
                                usage: ColumnUse::Expr,
                                status: ColumnStatus::Missing {
                                    searched: rels.iter().filter_map(|r| r.table).collect(),
                                    visible: rels
                                        .iter()
                                        .flat_map(|r| r.cols.names.iter().cloned())
                                        .collect(),
                                },
                            });
                        }
                    }
                    let names: Vec<Ident> = idents.into_iter().map(Ident::from_ast).collect();
                    scope.merge_using(left_len, &names);
                }
                Some(JoinConstraint::Natural) => scope.merge_natural(left_len),
                Some(JoinConstraint::None) | None => {}
            }
        }
    }

    fn table_factor(&mut self, tf: &TableFactor, scope: &mut Scope<'_>, usage: TableUse) {
        match tf {
            TableFactor::Table {
                name,
                alias,
                args,
                with_ordinality,
                ..
            } => match args {
                None => match sql_value_function(name) {
                    // `FROM CURRENT_DATE`: a function with one column, named after it.
                    Some(word) => {
                        let cols = self.function_cols(name, alias.as_ref(), &[], *with_ordinality);
                        let rel_name = alias.as_ref().map_or(word, |a| Ident::from_ast(&a.name));
                        scope.rels.push(ScopeRel::derived(Some(rel_name), cols));
                    }
                    None => {
                        let rel = self.table_name(name, alias.as_ref(), scope, usage);
                        scope.rels.push(rel);
                    }
                },
                Some(args) => {
                    for arg in &args.args {
                        self.function_arg(arg, scope);
                    }
                    let cols =
                        self.function_cols(name, alias.as_ref(), &args.args, *with_ordinality);
                    scope
                        .rels
                        .push(ScopeRel::derived(alias_name(alias.as_ref(), name), cols));
                }
            },
            TableFactor::Derived {
                subquery, alias, ..
            } => {
                if alias.is_none() && self.schema.version() < 16 {
                    let range = self.query_range(subquery);
                    self.out.invalid.push(Invalid::NewerSyntax {
                        what: "a subquery in FROM without an alias",
                        since: 16,
                        range,
                    });
                }
                let cols = self.query(subquery, scope);
                let cols = match alias {
                    Some(a) => cols.renamed(a),
                    None => cols,
                };
                let name = alias.as_ref().map(|a| Ident::from_ast(&a.name));
                scope.rels.push(ScopeRel::derived(name, cols));
            }
            TableFactor::Function {
                name,
                args,
                with_ordinality,
                alias,
                ..
            } => {
                for arg in args {
                    self.function_arg(arg, scope);
                }
                let cols = self.function_cols(name, alias.as_ref(), args, *with_ordinality);
                scope
                    .rels
                    .push(ScopeRel::derived(alias_name(alias.as_ref(), name), cols));
            }
            TableFactor::UNNEST {
                alias,
                array_exprs,
                with_ordinality,
                ..
            } => {
                for e in array_exprs {
                    self.expr(e, scope);
                }
                let default = Ident::from("unnest");
                let mut cols = if let Some(a) = alias.as_ref().filter(|a| !a.columns.is_empty()) {
                    Cols::known(a.columns.iter().map(|c| Ident::from_ast(&c.name)).collect())
                } else if array_exprs.len() == 1 && !self.may_be_composite_array(&array_exprs[0]) {
                    // A scalar result column takes the alias's name: `unnest(x) AS u` has column `u`.
                    Cols::known(vec![alias
                        .as_ref()
                        .map_or(default, |a| Ident::from_ast(&a.name))])
                } else {
                    Cols::unknown()
                };
                if *with_ordinality && alias.as_ref().is_none_or(|a| a.columns.is_empty()) {
                    cols.push(Ident::from("ordinality"));
                }
                let name = Some(
                    alias
                        .as_ref()
                        .map_or(Ident::from("unnest"), |a| Ident::from_ast(&a.name)),
                );
                scope.rels.push(ScopeRel::derived(name, cols));
            }
            TableFactor::NestedJoin {
                table_with_joins,
                alias,
            } => match alias {
                None => self.join_tree(table_with_joins, scope),
                Some(alias) => {
                    // An aliased join hides the names inside it; we don't model its column
                    // list, so references through it are not judged.
                    let mut inner = Scope::child(scope);
                    self.join_tree(table_with_joins, &mut inner);
                    scope.rels.push(ScopeRel::derived(
                        Some(Ident::from_ast(&alias.name)),
                        Cols::unknown(),
                    ));
                }
            },
            TableFactor::TableFunction { expr, alias } => {
                self.expr(expr, scope);
                let name = alias.as_ref().map(|a| Ident::from_ast(&a.name));
                scope.rels.push(ScopeRel::derived(name, Cols::unknown()));
            }
            TableFactor::JsonTable {
                json_expr,
                columns,
                alias,
                ..
            } => {
                self.expr(json_expr, scope);
                if self.schema.version() < 17 {
                    let range = self.expr_range(json_expr).unwrap_or_default();
                    self.out.invalid.push(Invalid::NewerSyntax {
                        what: "JSON_TABLE",
                        since: 17,
                        range,
                    });
                }
                let names: Option<Vec<Ident>> = columns
                    .iter()
                    .map(|c| match c {
                        ast::JsonTableColumn::Named(n) => Some(Ident::from_ast(&n.name)),
                        ast::JsonTableColumn::ForOrdinality(n) => Some(Ident::from_ast(n)),
                        ast::JsonTableColumn::Nested(_) => None,
                    })
                    .collect();
                let cols = names.map_or_else(Cols::unknown, Cols::known);
                let cols = match alias {
                    Some(a) => cols.renamed(a),
                    None => cols,
                };
                let name = alias
                    .as_ref()
                    .map_or(Ident::from("json_table"), |a| Ident::from_ast(&a.name));
                scope.rels.push(ScopeRel::derived(Some(name), cols));
            }
            other => {
                // Dialect-specific factors (PIVOT, ...): visit expressions only.
                self.visit_exprs(other, scope);
                scope.rels.push(ScopeRel::derived(None, Cols::unknown()));
            }
        }
    }

    /// A plain relation name in FROM, or a DML target: a CTE, or a schema relation.
    fn table_name(
        &mut self,
        name: &ObjectName,
        alias: Option<&TableAlias>,
        scope: &Scope<'_>,
        usage: TableUse,
    ) -> ScopeRel {
        let Some(qname) = QualifiedName::from_object_name(name) else {
            return ScopeRel::derived(alias.map(|a| Ident::from_ast(&a.name)), Cols::unknown());
        };
        let visible_name = alias.map_or_else(|| qname.name.clone(), |a| Ident::from_ast(&a.name));
        if qname.schema.is_none() {
            if let Some(cols) = scope.find_cte(&qname.name) {
                let cols = match alias {
                    Some(a) => cols.clone().renamed(a),
                    None => cols.clone(),
                };
                return ScopeRel::derived(Some(visible_name), cols);
            }
        }
        let range = self.name_range(name);
        let lookup = self.schema.lookup(&qname);
        // A view has no ctid, xmin, ...: `column "ctid" does not exist`.
        let system_columns = !matches!(lookup, Lookup::Found { relation, .. }
            if relation.kind == crate::schema::RelationKind::View);
        let (status, cols) = match lookup {
            Lookup::Found { schema, relation } => (
                TableStatus::Found {
                    schema: schema.clone(),
                    relation: relation.name.clone(),
                },
                if relation.opaque {
                    Cols::unknown()
                } else {
                    Cols::known(relation.columns.iter().map(|c| c.name.clone()).collect())
                },
            ),
            Lookup::Catalog => (TableStatus::Catalog, Cols::unknown()),
            Lookup::UnknownSchema => (TableStatus::UnknownSchema, Cols::unknown()),
            Lookup::Missing => (TableStatus::Missing, Cols::unknown()),
        };
        let index = self.out.tables.len();
        self.out.tables.push(TableRef {
            name: qname.clone(),
            range,
            usage,
            status,
        });
        let cols = match alias {
            Some(a) => cols.renamed(a),
            None => cols,
        };
        ScopeRel {
            name: Some(visible_name),
            schema: if alias.is_none() {
                qname.schema.clone()
            } else {
                None
            },
            base_name: Some(qname.name),
            cols,
            table: Some(index),
            system_columns,
            qualified_only: false,
        }
    }

    /// Columns of a function in FROM. Column definitions (`AS x(a int)`) or aliases win; a
    /// function the schema declares, a known built-in or a scalar built-in has known columns;
    /// anything else is unknown.
    fn function_cols(
        &self,
        name: &ObjectName,
        alias: Option<&TableAlias>,
        args: &[FunctionArg],
        ordinality: bool,
    ) -> Cols {
        let fname = name
            .0
            .last()
            .and_then(ObjectNamePart::as_ident)
            .map(Ident::from_ast)
            .unwrap_or_else(|| Ident::quoted(""));
        // `app.generate_series(...)` is the app's own function, not the built-in.
        let other_schema = name.0.len() > 1
            && QualifiedName::from_object_name(name)
                .and_then(|q| q.schema)
                .is_none_or(|s| s.as_str() != "pg_catalog");
        let builtin = if other_schema {
            None
        } else {
            builtin_function_cols(fname.as_str(), alias, args.len())
        };
        let composite_unnest = fname.as_str() == "unnest"
            && args.iter().any(|a| match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => self.may_be_composite_array(e),
                _ => true,
            });
        let base = if composite_unnest {
            Cols::unknown()
        } else if let Some(cols) = builtin {
            cols
        } else {
            match QualifiedName::from_object_name(name)
                .and_then(|q| self.schema.function_result(&q))
            {
                Some(result) => self.declared_function_cols(&result, &fname, alias),
                None => Cols::unknown(),
            }
        };
        with_alias_columns(base, alias, ordinality)
    }

    fn declared_function_cols(
        &self,
        result: &FunctionResult,
        fname: &Ident,
        alias: Option<&TableAlias>,
    ) -> Cols {
        match result {
            FunctionResult::Scalar { out_name } => {
                Cols::known(vec![out_name.clone().unwrap_or_else(|| {
                    alias.map_or_else(|| fname.clone(), |a| Ident::from_ast(&a.name))
                })])
            }
            FunctionResult::Columns { names } => Cols::known(names.clone()),
            FunctionResult::Relation { schema, name } => match self.schema.lookup(&QualifiedName {
                schema: schema.clone(),
                name: name.clone(),
            }) {
                Lookup::Found { relation, .. } if !relation.opaque => {
                    Cols::known(relation.columns.iter().map(|c| c.name.clone()).collect())
                }
                _ => Cols::unknown(),
            },
            FunctionResult::Unknown => Cols::unknown(),
        }
    }

    /// Whether an `unnest` argument may be an array of a composite type (whose elements
    /// expand into several columns): a cast to an array of a type that is not a base type
    /// or enum. Anything else (`unnest($1::int[])`, `unnest(tags)`) is taken to be a scalar
    /// array, as apps write them. TODO(resolver): a column of a composite array type.
    fn may_be_composite_array(&self, e: &Expr) -> bool {
        match e {
            Expr::Cast {
                data_type:
                    ast::DataType::Array(
                        ast::ArrayElemTypeDef::SquareBracket(inner, _)
                        | ast::ArrayElemTypeDef::AngleBracket(inner)
                        | ast::ArrayElemTypeDef::Parenthesis(inner),
                    ),
                ..
            } => match inner.as_ref() {
                ast::DataType::Custom(type_name, _) => QualifiedName::from_object_name(type_name)
                    .is_none_or(|q| {
                        self.schema.lookup(&q).is_found()
                            || !self.schema.is_enum(&q) && !is_base_type_name(q.name.as_str())
                    }),
                _ => false,
            },
            Expr::Nested(inner) => self.may_be_composite_array(inner),
            _ => false,
        }
    }

    // ----- DML --------------------------------------------------------------------------

    /// A DML target table: returns its scope entry (named by alias if given).
    fn target(
        &mut self,
        name: &ObjectName,
        alias: Option<&ast::Ident>,
        scope: &Scope<'_>,
        usage: TableUse,
    ) -> ScopeRel {
        let alias = alias.map(|a| TableAlias {
            explicit: true,
            name: a.clone(),
            columns: vec![],
            at: None,
        });
        self.table_name(name, alias.as_ref(), scope, usage)
    }

    /// Check a target column (INSERT list, SET, ON CONFLICT) against the target relation.
    fn target_column(
        &mut self,
        column: &ObjectName,
        target: &ScopeRel,
    ) -> Option<(Ident, TextRange)> {
        // `SET t.col = ...` is rejected by Postgres unless `t` is a composite column; we take
        // the first part as the column (`SET col.field = ...` assigns a field of `col`).
        let ident = column.0.first().and_then(ObjectNamePart::as_ident)?;
        let name = Ident::from_ast(ident);
        let range = self.ident_range(ident);
        self.target_ident(&name, range, target);
        Some((name, range))
    }

    fn target_ident(&mut self, name: &Ident, range: TextRange, target: &ScopeRel) {
        let Some(table) = target.table else { return };
        let status = if target.cols.contains(name) || !target.cols.complete {
            ColumnStatus::Found { table: Some(table) }
        } else {
            ColumnStatus::Missing {
                searched: vec![table],
                visible: target.cols.names.clone(),
            }
        };
        self.out.columns.push(ColumnRef {
            name: name.clone(),
            qualifier: None,
            range,
            qualifier_range: None,
            usage: ColumnUse::Target { table },
            status,
        });
    }

    fn insert(&mut self, insert: &Insert, parent: &Scope<'_>) -> Cols {
        let TableObject::TableName(name) = &insert.table else {
            return Cols::unknown();
        };
        let alias = insert.table_alias.as_ref().map(|a| &a.alias);
        let target = self.target(name, alias, parent, TableUse::Insert);
        let columns: Vec<(Ident, TextRange)> = insert
            .columns
            .iter()
            .filter_map(|c| self.target_column(c, &target))
            .collect();

        // VALUES and the SELECT of INSERT ... SELECT cannot see the target table.
        let source = match &insert.source {
            None => Some(InsertSource::DefaultValues),
            Some(q) => match q.body.as_ref() {
                SetExpr::Values(values) if q.with.is_none() => {
                    for e in values.rows.iter().flat_map(|row| row.iter()) {
                        self.expr(e, parent);
                    }
                    // A row with an expression we can't locate is not measured at all.
                    let rows = values
                        .rows
                        .iter()
                        .map(|row| {
                            row.iter()
                                .map(|e| self.expr_range(e))
                                .collect::<Option<Vec<_>>>()
                        })
                        .collect::<Option<Vec<_>>>();
                    rows.map(InsertSource::Values)
                }
                _ => {
                    let cols = self.query(q, parent);
                    Some(InsertSource::Query {
                        width: set_width(&q.body)
                            .or_else(|| cols.complete.then_some(cols.names.len())),
                        range: self.query_range(q),
                    })
                }
            },
        };
        if insert.columns.is_empty() {
            self.out.all_columns_used.extend(target.table);
        }
        if let (Some(source), Some(table)) = (source, target.table) {
            let is_table = matches!(&self.out.tables[table].status, TableStatus::Found { schema, relation }
                if self.schema.relation(&QualifiedName { schema: Some(schema.clone()), name: relation.clone() })
                    .is_some_and(|r| r.kind.is_table()));
            if is_table {
                let start = self.range(insert.insert_token.0.span).start;
                let end = self.out.tables[table].range.end;
                self.out.inserts.push(InsertRef {
                    table,
                    columns: (!insert.columns.is_empty()).then_some(columns),
                    source,
                    range: TextRange { start, end },
                });
            }
        }

        let mut scope = Scope::child(parent);
        scope.rels.push(target.clone());
        if let Some(OnInsert::OnConflict(on_conflict)) = &insert.on {
            if let (None, OnConflictAction::DoUpdate(_)) =
                (&on_conflict.conflict_target, &on_conflict.action)
            {
                let start = self.range(insert.insert_token.0.span).start;
                let end = self
                    .out
                    .tables
                    .get(target.table.unwrap_or(usize::MAX))
                    .map_or(start, |t| t.range.end);
                self.out.invalid.push(Invalid::OnConflictWithoutTarget {
                    range: TextRange { start, end },
                });
            }
            if let Some(ConflictTarget::Columns { columns, predicate }) =
                &on_conflict.conflict_target
            {
                for c in columns {
                    let name = Ident::from_ast(c);
                    let range = self.ident_range(c);
                    self.target_ident(&name, range, &target);
                }
                if let Some(p) = predicate {
                    self.expr(p, &scope);
                }
            }
            if let OnConflictAction::DoUpdate(update) = &on_conflict.action {
                let mut excluded = target.clone();
                excluded.name = Some(Ident::from("excluded"));
                excluded.schema = None;
                excluded.base_name = None;
                scope.rels.push(excluded);
                for assignment in &update.assignments {
                    self.assignment(assignment, &target, &scope);
                }
                if let Some(selection) = &update.selection {
                    self.expr(selection, &scope);
                }
                scope.rels.pop();
            }
        }
        self.returning(insert.returning.as_deref(), &scope, Some(&target))
    }

    fn assignment(&mut self, assignment: &ast::Assignment, target: &ScopeRel, scope: &Scope<'_>) {
        match &assignment.target {
            AssignmentTarget::ColumnName(name) => {
                self.target_column(name, target);
            }
            AssignmentTarget::Tuple(names) => {
                for name in names {
                    self.target_column(name, target);
                }
            }
        }
        self.expr(&assignment.value, scope);
    }

    /// A RETURNING list. Since Postgres 18, `old` and `new` name the target row before and
    /// after the change (`RETURNING old.status, new.status`).
    fn returning(
        &mut self,
        items: Option<&[SelectItem]>,
        outer: &Scope<'_>,
        target: Option<&ScopeRel>,
    ) -> Cols {
        let Some(items) = items else {
            return Cols::known(Vec::new());
        };
        let mut scope = Scope::child(outer);
        if let Some(target) = target.filter(|_| self.schema.version() >= 18) {
            for name in ["old", "new"] {
                let mut rel = target.clone();
                rel.name = Some(Ident::from(name));
                rel.schema = None;
                rel.base_name = None;
                rel.qualified_only = true;
                scope.rels.push(rel);
            }
        }
        let scope = &scope;
        let mut cols = Cols::known(Vec::new());
        for item in items {
            match item {
                SelectItem::UnnamedExpr(e) => {
                    self.expr(e, scope);
                    match output_name(e) {
                        Some(n) => cols.push(n),
                        None => cols.complete = false,
                    }
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    self.expr(expr, scope);
                    cols.push(Ident::from_ast(alias));
                }
                SelectItem::Wildcard(_) => {
                    self.out
                        .all_columns_used
                        .extend(outer.rels.iter().filter_map(|r| r.table));
                    cols.extend(outer.all_columns());
                }
                SelectItem::QualifiedWildcard(
                    SelectItemQualifiedWildcardKind::ObjectName(name),
                    _,
                ) => {
                    cols.extend(self.qualified_wildcard(name, scope));
                }
                other => {
                    self.visit_exprs(other, scope);
                    cols.complete = false;
                }
            }
        }
        cols
    }

    fn update(&mut self, update: &Update, parent: &Scope<'_>) -> Cols {
        let mut scope = Scope::child(parent);
        let target = match &update.table.relation {
            TableFactor::Table {
                name,
                alias,
                args: None,
                ..
            } => {
                let rel = self.table_name(name, alias.as_ref(), parent, TableUse::Update);
                scope.rels.push(rel.clone());
                Some(rel)
            }
            other => {
                self.table_factor(other, &mut scope, TableUse::Update);
                None
            }
        };
        for join in &update.table.joins {
            self.table_factor(&join.relation, &mut scope, TableUse::Read);
        }
        if let Some(from) = &update.from {
            let (UpdateTableFromKind::BeforeSet(items) | UpdateTableFromKind::AfterSet(items)) =
                from;
            for twj in items {
                self.join_tree(twj, &mut scope);
            }
        }
        let fallback = ScopeRel::derived(None, Cols::unknown());
        let target = target.unwrap_or(fallback);
        for assignment in &update.assignments {
            self.assignment(assignment, &target, &scope);
        }
        if let Some(selection) = &update.selection {
            self.expr(selection, &scope);
        }
        self.returning(update.returning.as_deref(), &scope, Some(&target))
    }

    fn delete(&mut self, delete: &Delete, parent: &Scope<'_>) -> Cols {
        let mut scope = Scope::child(parent);
        let (FromTable::WithFromKeyword(items) | FromTable::WithoutKeyword(items)) = &delete.from;
        let mut target = None;
        for twj in items {
            match &twj.relation {
                TableFactor::Table {
                    name,
                    alias,
                    args: None,
                    ..
                } => {
                    let rel = self.table_name(name, alias.as_ref(), parent, TableUse::Delete);
                    target.get_or_insert_with(|| rel.clone());
                    scope.rels.push(rel);
                }
                other => self.table_factor(other, &mut scope, TableUse::Delete),
            }
            for join in &twj.joins {
                self.table_factor(&join.relation, &mut scope, TableUse::Read);
            }
        }
        for twj in delete.using.iter().flatten() {
            self.join_tree(twj, &mut scope);
        }
        if let Some(selection) = &delete.selection {
            self.expr(selection, &scope);
        }
        self.returning(delete.returning.as_deref(), &scope, target.as_ref())
    }

    fn merge(&mut self, merge: &Merge, parent: &Scope<'_>) {
        if self.schema.version() < 15 {
            let range = self.range(merge.merge_token.0.span);
            self.out.invalid.push(Invalid::NewerSyntax {
                what: "MERGE",
                since: 15,
                range,
            });
        }
        let mut scope = Scope::child(parent);
        let target = match &merge.table {
            TableFactor::Table {
                name,
                alias,
                args: None,
                ..
            } => {
                let rel = self.table_name(name, alias.as_ref(), parent, TableUse::Merge);
                scope.rels.push(rel.clone());
                rel
            }
            other => {
                self.table_factor(other, &mut scope, TableUse::Merge);
                ScopeRel::derived(None, Cols::unknown())
            }
        };
        self.table_factor(&merge.source, &mut scope, TableUse::Read);
        self.expr(&merge.on, &scope);
        let version = self.schema.version();
        for clause in &merge.clauses {
            if clause.clause_kind == ast::MergeClauseKind::NotMatchedBySource && version < 17 {
                let range = self.range(clause.when_token.0.span);
                self.out.invalid.push(Invalid::NewerSyntax {
                    what: "WHEN NOT MATCHED BY SOURCE",
                    since: 17,
                    range,
                });
            }
            if let Some(p) = &clause.predicate {
                self.expr(p, &scope);
            }
            match &clause.action {
                MergeAction::Update(update) => {
                    if let MergeUpdateKind::Set(assignments) = &update.kind {
                        for a in assignments {
                            self.assignment(a, &target, &scope);
                        }
                    }
                }
                MergeAction::Insert(insert) => {
                    for c in &insert.columns {
                        self.target_column(c, &target);
                    }
                    if let MergeInsertKind::Values(values) = &insert.kind {
                        for row in &values.rows {
                            for e in row.iter() {
                                self.expr(e, &scope);
                            }
                        }
                    }
                }
                MergeAction::Delete { .. } | MergeAction::DoNothing { .. } => {}
            }
        }
        if let Some(ast::OutputClause::Returning {
            returning_token,
            select_items,
        }) = &merge.output
        {
            if version < 17 {
                let range = self.range(returning_token.0.span);
                self.out.invalid.push(Invalid::NewerSyntax {
                    what: "MERGE ... RETURNING",
                    since: 17,
                    range,
                });
            }
            self.returning(Some(select_items), &scope, Some(&target));
        }
    }

    // ----- expressions ------------------------------------------------------------------

    fn function_arg(&mut self, arg: &FunctionArg, scope: &Scope<'_>) {
        match arg {
            FunctionArg::Named { arg, .. }
            | FunctionArg::ExprNamed { arg, .. }
            | FunctionArg::Unnamed(arg) => {
                if let FunctionArgExpr::Expr(e) = arg {
                    self.expr(e, scope);
                }
            }
        }
    }

    fn expr(&mut self, e: &Expr, scope: &Scope<'_>) {
        self.visit_exprs(e, scope);
    }

    /// Walk every expression inside `node`, resolving column references and recursing into
    /// subqueries with `scope` as their parent (correlated references).
    fn visit_exprs<V: Visit>(&mut self, node: &V, scope: &Scope<'_>) {
        let mut walker = ExprWalker {
            resolver: self,
            scope,
            depth: 0,
            skipped: std::collections::HashSet::new(),
        };
        let _ = node.visit(&mut walker);
    }

    fn expr_range(&self, e: &Expr) -> Option<TextRange> {
        use sqlparser::ast::Spanned;
        self.parsed
            .range(e.span())
            .map(|(start, end)| TextRange { start, end })
    }

    fn query_range(&self, q: &Query) -> TextRange {
        use sqlparser::ast::Spanned;
        self.range(q.span())
    }

    fn column_ref(&mut self, parts: &[ast::Ident], scope: &Scope<'_>) {
        let Some(last) = parts.last() else { return };
        let name = Ident::from_ast(last);
        let range = self.ident_range(last);
        match parts.len() {
            1 => {
                // `system_user` is a column name before Postgres 16 made it a keyword.
                let keyword = is_keyword_value(&last.value)
                    && !(self.schema.version() < 16
                        && last.value.eq_ignore_ascii_case("system_user"));
                if last.quote_style.is_none() && keyword {
                    return;
                }
                let status = scope.resolve_unqualified(&name);
                self.out.columns.push(ColumnRef {
                    name,
                    qualifier: None,
                    range,
                    qualifier_range: None,
                    usage: ColumnUse::Expr,
                    status,
                });
            }
            2 | 3 => {
                let qualifier = Ident::from_ast(&parts[parts.len() - 2]);
                let schema = (parts.len() == 3).then(|| Ident::from_ast(&parts[0]));
                let status = scope.resolve_qualified(&qualifier, schema.as_ref(), &name);
                self.out.columns.push(ColumnRef {
                    name,
                    qualifier: Some(qualifier),
                    range,
                    qualifier_range: Some(self.ident_range(&parts[parts.len() - 2])),
                    usage: ColumnUse::Expr,
                    status,
                });
            }
            // catalog.schema.table.column: we don't model databases.
            _ => {}
        }
    }
}

impl Resolver<'_> {
    /// `(row).field` where `row` names a FROM item with known columns: Postgres says
    /// `column "field" not found in data type users` when the row has no such column.
    fn row_field(&mut self, row: &ast::Ident, field: &ast::Ident, scope: &Scope<'_>) {
        let Some(rel) = scope.whole_row(&Ident::from_ast(row)) else {
            return;
        };
        if !rel.cols.complete {
            return;
        }
        let name = Ident::from_ast(field);
        let status = if rel.cols.contains(&name) {
            ColumnStatus::Found { table: rel.table }
        } else {
            ColumnStatus::Missing {
                searched: rel.table.into_iter().collect(),
                visible: rel.cols.names.clone(),
            }
        };
        let range = self.ident_range(field);
        self.out.columns.push(ColumnRef {
            name,
            qualifier: None,
            range,
            qualifier_range: None,
            usage: ColumnUse::Expr,
            status,
        });
    }

    /// A string literal cast to `regclass` is a table reference.
    fn regclass_literal(&mut self, e: &Expr) {
        let Expr::Value(v) = e else { return };
        let ast::Value::SingleQuotedString(text) = &v.value else {
            return;
        };
        let Some(name) = regclass_name(text) else {
            return;
        };
        let status = match self.schema.lookup(&name) {
            Lookup::Found { schema, relation } => TableStatus::Found {
                schema: schema.clone(),
                relation: relation.name.clone(),
            },
            Lookup::Catalog => TableStatus::Catalog,
            Lookup::UnknownSchema => TableStatus::UnknownSchema,
            Lookup::Missing => TableStatus::Missing,
        };
        let range = self.range(v.span);
        self.out.tables.push(TableRef {
            name,
            range,
            usage: TableUse::Read,
            status,
        });
    }
}

/// The relation a `regclass` input string names, as Postgres reads it: dot-separated
/// identifiers, unquoted ones folded to lower case. An OID (`'16384'`) names no relation here.
fn regclass_name(text: &str) -> Option<QualifiedName> {
    let mut parts: Vec<Ident> = Vec::new();
    let mut chars = text.trim().chars().peekable();
    loop {
        let part = if chars.peek() == Some(&'"') {
            chars.next();
            let mut name = String::new();
            loop {
                match chars.next()? {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        name.push('"');
                    }
                    '"' => break,
                    c => name.push(c),
                }
            }
            Ident::quoted(&name)
        } else {
            let mut name = String::new();
            while let Some(&c) = chars.peek() {
                if c == '.' {
                    break;
                }
                if !(c.is_alphanumeric() || c == '_' || c == '$') {
                    return None;
                }
                name.push(c);
                chars.next();
            }
            if name.is_empty() || name.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            Ident::unquoted(&name)
        };
        parts.push(part);
        match chars.next() {
            None => break,
            Some('.') => continue,
            Some(_) => return None,
        }
    }
    match parts.len() {
        1 => Some(QualifiedName {
            schema: None,
            name: parts.pop()?,
        }),
        2 => {
            let name = parts.pop()?;
            Some(QualifiedName {
                schema: parts.pop(),
                name,
            })
        }
        _ => None,
    }
}

/// Walks expressions; at depth 0 resolves column references, and hands each subquery it meets
/// back to the resolver (then ignores the subquery's inside, which the resolver has done).
struct ExprWalker<'r, 'a, 's> {
    resolver: &'r mut Resolver<'a>,
    scope: &'s Scope<'s>,
    depth: usize,
    /// Identifiers that are not column references although sqlparser gives them as
    /// expressions: the names in named-argument notation (`b` in `plus(b => 1)`, `b := 1`),
    /// field names (`(row).field`), and the parts of `t.col[1]` resolved as one name.
    skipped: std::collections::HashSet<*const Expr>,
}

impl Visitor for ExprWalker<'_, '_, '_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        if self.depth == 0 {
            self.resolver.query(query, self.scope);
        }
        self.depth += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _query: &Query) -> ControlFlow<()> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        if self.depth > 0 || self.skipped.contains(&(expr as *const Expr)) {
            return ControlFlow::Continue(());
        }
        match expr {
            Expr::Function(f) => {
                if let ast::FunctionArguments::List(list) = &f.args {
                    for arg in &list.args {
                        if let FunctionArg::ExprNamed { name, .. } = arg {
                            self.skipped.insert(name as *const Expr);
                        }
                    }
                    // `normalize(s, NFC)`: the form is a keyword of the grammar, not a column
                    // (sqlparser reads it as an identifier).
                    let last = f.name.0.last().and_then(|p| p.as_ident());
                    if last.is_some_and(|n| n.value.eq_ignore_ascii_case("normalize")) {
                        if let Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(
                            form @ Expr::Identifier(id),
                        ))) = list.args.get(1)
                        {
                            let is_form = ["nfc", "nfd", "nfkc", "nfkd"].iter().any(|k| {
                                id.quote_style.is_none() && id.value.eq_ignore_ascii_case(k)
                            });
                            if is_form {
                                self.skipped.insert(form as *const Expr);
                            }
                        }
                    }
                }
            }
            // sqlparser: `t.tags[1]` is `t` then `.tags`, then `[1]`; `(r).f` is `(r)` then `.f`.
            Expr::CompoundFieldAccess { root, access_chain } => {
                let mut parts: Vec<ast::Ident> = Vec::new();
                if let Expr::Identifier(id) = root.as_ref() {
                    parts.push(id.clone());
                    for access in access_chain {
                        match access {
                            ast::AccessExpr::Dot(Expr::Identifier(field)) => {
                                parts.push(field.clone())
                            }
                            _ => break,
                        }
                    }
                }
                if parts.len() > 1 {
                    self.skipped.insert(root.as_ref() as *const Expr);
                    self.resolver.column_ref(&parts, self.scope);
                }
                // `(u).email`: a field of a whole-row reference is one of the row's columns.
                if let (Expr::Nested(inner), Some(ast::AccessExpr::Dot(Expr::Identifier(field)))) =
                    (root.as_ref(), access_chain.first())
                {
                    if let Expr::Identifier(row) = inner.as_ref() {
                        self.resolver.row_field(row, field, self.scope);
                    }
                }
                for access in access_chain {
                    if let ast::AccessExpr::Dot(field) = access {
                        self.skipped.insert(field as *const Expr);
                    }
                }
            }
            // `'users'::regclass` names a relation: Postgres looks it up when it parses.
            Expr::Cast {
                expr: inner,
                data_type: ast::DataType::Regclass,
                ..
            } => self.resolver.regclass_literal(inner),
            Expr::Identifier(id) => self
                .resolver
                .column_ref(std::slice::from_ref(id), self.scope),
            Expr::CompoundIdentifier(parts) => self.resolver.column_ref(parts, self.scope),
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

/// Unquoted words that parse as identifiers but are SQL value keywords, not columns.
fn is_keyword_value(word: &str) -> bool {
    const WORDS: &[&str] = &[
        "default",
        "current_date",
        "current_time",
        "current_timestamp",
        "localtime",
        "localtimestamp",
        "current_user",
        "session_user",
        "user",
        "current_role",
        "current_catalog",
        "current_schema",
        "system_user",
    ];
    WORDS.iter().any(|w| w.eq_ignore_ascii_case(word))
}

/// The name Postgres gives an output column, when we are sure of it.
fn output_name(e: &Expr) -> Option<Ident> {
    match e {
        Expr::Identifier(id) => Some(Ident::from_ast(id)),
        Expr::CompoundIdentifier(parts) => parts.last().map(Ident::from_ast),
        Expr::Function(f) => f
            .name
            .0
            .last()
            .and_then(ObjectNamePart::as_ident)
            .map(Ident::from_ast),
        Expr::Cast { expr, .. } | Expr::Nested(expr) => output_name(expr),
        _ => None,
    }
}
fn alias_name(alias: Option<&TableAlias>, function: &ObjectName) -> Option<Ident> {
    alias.map(|a| Ident::from_ast(&a.name)).or_else(|| {
        function
            .0
            .last()
            .and_then(ObjectNamePart::as_ident)
            .map(Ident::from_ast)
    })
}

/// The number of columns a query body outputs, when its select list says (no `*`).
fn set_width(body: &SetExpr) -> Option<usize> {
    match body {
        SetExpr::Select(select) => select
            .projection
            .iter()
            .map(|item| match item {
                SelectItem::UnnamedExpr(_) | SelectItem::ExprWithAlias { .. } => Some(1),
                SelectItem::ExprWithAliases { aliases, .. } => Some(aliases.len()),
                SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => None,
            })
            .sum(),
        SetExpr::Query(q) => set_width(&q.body),
        SetExpr::SetOperation { left, .. } => set_width(left),
        SetExpr::Values(values) => values.rows.first().map(|r| r.len()),
        _ => None,
    }
}

/// The SQL value functions that may stand without parentheses as a FROM item
/// (`FROM CURRENT_DATE`); the word, folded, names its one column.
fn sql_value_function(name: &ObjectName) -> Option<Ident> {
    let [part] = name.0.as_slice() else {
        return None;
    };
    let ident = part.as_ident()?;
    let word = ident.value.to_ascii_lowercase();
    let is_value_function = matches!(
        word.as_str(),
        "current_date"
            | "current_time"
            | "current_timestamp"
            | "localtime"
            | "localtimestamp"
            | "current_user"
            | "session_user"
            | "user"
            | "current_role"
            | "current_catalog"
            | "current_schema"
    );
    (ident.quote_style.is_none() && is_value_function).then(|| Ident::unquoted(&word))
}

/// Names sqlparser gives as a custom type that are base types (not composite).
fn is_base_type_name(name: &str) -> bool {
    matches!(
        name,
        "citext" | "tsvector" | "tsquery" | "inet" | "cidr" | "macaddr" | "money" | "oid" | "ltree"
    )
}

/// Built-in functions whose FROM columns we know: set-returning ones, and scalar ones (one
/// column, named after the alias or the function). `None`: not one we know.
fn builtin_function_cols(fname: &str, alias: Option<&TableAlias>, nargs: usize) -> Option<Cols> {
    let scalar = || {
        Cols::known(vec![alias.map_or_else(
            || Ident::unquoted(fname),
            |a| Ident::from_ast(&a.name),
        )])
    };
    let cols = match fname {
        // Set-returning, one base-type column named after the alias.
        "generate_series"
        | "generate_subscripts"
        | "string_to_table"
        | "regexp_split_to_table"
        | "jsonb_object_keys"
        | "json_object_keys"
        | "regexp_matches" => scalar(),
        "unnest" if nargs == 1 => scalar(),
        // Declared with `OUT value`: the column is `value` whatever the alias.
        "jsonb_array_elements_text"
        | "json_array_elements_text"
        | "jsonb_array_elements"
        | "json_array_elements" => Cols::known(vec![Ident::from("value")]),
        "jsonb_each" | "json_each" | "jsonb_each_text" | "json_each_text" => {
            Cols::known(vec![Ident::from("key"), Ident::from("value")])
        }
        // Scalar built-ins apps call in FROM (`websearch_to_tsquery($1) q`, `now() t`).
        "to_tsquery"
        | "plainto_tsquery"
        | "phraseto_tsquery"
        | "websearch_to_tsquery"
        | "to_tsvector"
        | "now"
        | "current_timestamp"
        | "current_date"
        | "localtimestamp"
        | "clock_timestamp"
        | "statement_timestamp"
        | "transaction_timestamp"
        | "random"
        | "gen_random_uuid"
        | "current_setting"
        | "date_trunc"
        | "make_interval"
        | "make_date"
        | "make_timestamp"
        | "make_timestamptz"
        | "to_timestamp"
        | "to_date"
        | "to_char"
        | "lower"
        | "upper"
        | "length"
        | "md5"
        | "concat"
        | "format"
        | "to_jsonb"
        | "to_json"
        | "jsonb_build_object"
        | "json_build_object"
        | "jsonb_build_array"
        | "array_length"
        | "cardinality"
        | "string_to_array"
        | "regexp_split_to_array"
        | "nextval"
        | "currval"
        | "lastval"
        | "setval"
        | "txid_current"
        | "pg_backend_pid"
        | "version"
        | "age"
        | "abs"
        | "floor"
        | "ceil"
        | "round"
        | "greatest"
        | "least"
        | "trim"
        | "btrim"
        | "replace"
        | "substring"
        | "left"
        | "right"
        | "split_part"
        | "pg_advisory_xact_lock"
        | "pg_try_advisory_xact_lock"
        | "pg_advisory_lock"
        | "pg_try_advisory_lock"
        | "pg_notify"
        | "current_time"
        | "localtime"
        | "current_user"
        | "session_user"
        | "user"
        | "current_role"
        | "current_catalog"
        | "current_schema" => scalar(),
        _ => return None,
    };
    Some(cols)
}

/// Apply `WITH ORDINALITY` and a column alias list to a function's columns. Column
/// definitions (`AS x(a int, b text)`) define every column of a function whose result we
/// don't know; plain aliases rename the first columns.
fn with_alias_columns(mut cols: Cols, alias: Option<&TableAlias>, ordinality: bool) -> Cols {
    if ordinality && cols.complete {
        cols.push(Ident::from("ordinality"));
    }
    match alias {
        Some(a) if !a.columns.is_empty() => {
            if cols.complete || a.columns.iter().any(|c| c.data_type.is_some()) {
                if !cols.complete {
                    return Cols::known(
                        a.columns.iter().map(|c| Ident::from_ast(&c.name)).collect(),
                    );
                }
                cols.renamed(a)
            } else {
                // Renames the first columns of an unknown list: those names exist, others may.
                let mut c = Cols::unknown();
                c.names = a.columns.iter().map(|c| Ident::from_ast(&c.name)).collect();
                c
            }
        }
        _ => cols,
    }
}
