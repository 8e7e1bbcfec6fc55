//! DDL replay: applies CREATE/ALTER/DROP statements from a `pg_dump` file, a migration or
//! DDL found in code to a `Schema`, remembering where each name was created, renamed or
//! dropped. A statement that could change tables or columns but isn't understood becomes a
//! warning, never silence. Statements are sorted by their tokens (`tokens.rs`), DO bodies are
//! opened (`do_blocks.rs`) and migration-tool sections picked (`sections.rs`).

mod create_table;
mod do_blocks;
mod sections;
mod tokens;
mod views;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sqlparser::ast::{
    self, AlterColumnOperation, AlterTableOperation, AlterTypeAddValuePosition, AlterTypeOperation,
    AlterViewOperation, ColumnDef, ColumnOption, Expr, GeneratedAs, ObjectName, ObjectNamePart,
    ObjectType, Query, RenameTableNameKind, SchemaName, SelectItem, SetExpr, Statement,
    TableConstraint, TableFactor, UserDefinedTypeRepresentation,
};
use sqlparser::tokenizer::Token;

use super::types::canonical_type;
use super::{
    Column, EnumType, Ident, Identity, Provenance, QualifiedName, Relation, RelationKind, Removal,
    Schema,
};
use crate::diagnostic::{LineIndex, Span};
use crate::extract::sql::split_statements;
use crate::sql::{self, ParsedSql};
pub(crate) use sections::up_ranges;
use tokens::{classify, keywords, name_end, object_name, split_actions, tokenize, Kind, Tok};

/// A schema statement that was not applied, with its place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaWarning {
    pub file: PathBuf,
    /// Byte range in `file` (the first line of the statement).
    pub span: Span,
    pub message: String,
    /// For an ALTER TABLE of a table the schema sources never create: the statement's byte
    /// range in `file`, to apply again once the DDL found in code has run (the app created
    /// the table at start-up, and the migration altered it later: [`retry_deferred`]).
    pub retry: Option<(usize, usize)>,
}

/// Replay one file's SQL text.
pub fn apply_sql(schema: &mut Schema, file: &Path, text: &str, warnings: &mut Vec<SchemaWarning>) {
    apply_ranges(schema, file, text, &[(0, text.len())], warnings);
}

/// Replay the byte ranges `ranges` of a file whose whole text is `text` (the "up" sections of
/// a migration), in one session: a `SET search_path` lasts until the end of the file. Returns
/// how many statements the ranges hold.
pub(crate) fn apply_ranges(
    schema: &mut Schema,
    file: &Path,
    text: &str,
    ranges: &[(usize, usize)],
    warnings: &mut Vec<SchemaWarning>,
) -> usize {
    let index = LineIndex::new(text);
    let identity = |o: usize| o;
    let mut replay = Replay {
        schema,
        file_name: Arc::from(file.to_string_lossy().as_ref()),
        file,
        text,
        index: &index,
        to_host: &identity,
        in_code: false,
        warnings,
        search_path: None,
        guarded: false,
    };
    let mut statements = 0;
    for &(start, end) in ranges {
        let Some(section) = text.get(start..end) else {
            continue;
        };
        for stmt in split_statements(section) {
            replay.statement(stmt.text, start + stmt.start as usize);
            statements += 1;
        }
    }
    statements
}

/// Apply again the deferred ALTERs of `warnings` (see [`SchemaWarning::retry`]), now that the
/// DDL found in code has run: each that applies cleanly is no longer a warning. `read`
/// gives a schema file's text.
pub fn retry_deferred(
    schema: &mut Schema,
    warnings: &mut Vec<SchemaWarning>,
    read: &dyn Fn(&Path) -> Option<String>,
) {
    warnings.retain(|w| {
        let Some((start, end)) = w.retry else {
            return true;
        };
        let Some(text) = read(&w.file) else {
            return true;
        };
        let mut again = Vec::new();
        let mut trial = schema.clone();
        apply_ranges(&mut trial, &w.file, &text, &[(start, end)], &mut again);
        if again.is_empty() {
            *schema = trial;
            false
        } else {
            true
        }
    });
}

/// Replay DDL that application code runs (`CREATE TABLE IF NOT EXISTS ...` in a migration
/// runner): `sql` is the statement text as extracted, `to_host` maps its byte offsets into
/// `host_text`, the text of `file`. What it creates carries "in code" provenance.
pub fn apply_code_sql(
    schema: &mut Schema,
    file: &Path,
    host_text: &str,
    sql: &str,
    to_host: &dyn Fn(usize) -> usize,
    warnings: &mut Vec<SchemaWarning>,
) {
    let index = LineIndex::new(host_text);
    // `./netlify/functions/db.ts` as the walk found it; provenance reads better without `./`.
    let shown = file.strip_prefix(".").unwrap_or(file);
    let mut replay = Replay {
        schema,
        file_name: Arc::from(shown.to_string_lossy().as_ref()),
        file,
        text: host_text,
        index: &index,
        to_host,
        in_code: true,
        warnings,
        search_path: None,
        // Code runs its DDL on every start: `IF NOT EXISTS` or not, a second run is a no-op.
        guarded: true,
    };
    for stmt in split_statements(sql) {
        // A DROP in code is far more often a test's teardown than the schema's history:
        // code adds to the schema, it never takes away from it.
        let first = tokenize(stmt.text).and_then(|t| t.first().map(Tok::kw));
        if first.as_deref() == Some("DROP") {
            continue;
        }
        replay.statement(stmt.text, stmt.start as usize);
    }
}

struct Replay<'a> {
    schema: &'a mut Schema,
    file_name: Arc<str>,
    file: &'a Path,
    /// The text of `file` (for line numbers).
    text: &'a str,
    index: &'a LineIndex,
    /// Statement offsets → byte offsets in `file` (the identity for SQL files).
    to_host: &'a dyn Fn(usize) -> usize,
    in_code: bool,
    warnings: &'a mut Vec<SchemaWarning>,
    /// `SET search_path` in this file; `None` means the configured path.
    search_path: Option<Vec<Ident>>,
    /// Inside a DO block's guard (`IF NOT EXISTS ... THEN`, an exception handler) or in code:
    /// the statement only runs when it can succeed, so "already exists" is not a warning.
    guarded: bool,
}

impl Replay<'_> {
    fn provenance(&self, offset: usize) -> Provenance {
        let host = (self.to_host)(offset).min(self.text.len());
        Provenance {
            file: self.file_name.clone(),
            line: self.index.line_col(self.text, host as u32).0,
            in_code: self.in_code,
        }
    }

    fn warn(&mut self, stmt: &str, offset: usize, message: String) {
        let first_line = stmt.find('\n').unwrap_or(stmt.len());
        let start = (self.to_host)(offset);
        let end = (self.to_host)(offset + first_line).max(start);
        self.warnings.push(SchemaWarning {
            file: self.file.to_path_buf(),
            span: Span::new(start as u32, end as u32),
            message,
            retry: None,
        });
    }

    /// A warning about a name that is already there / not there: silent under a guard.
    fn warn_state(&mut self, stmt: &str, offset: usize, message: String) {
        if !self.guarded {
            self.warn(stmt, offset, message);
        }
    }

    fn creation_schema(&self) -> Ident {
        match &self.search_path {
            Some(path) => path
                .first()
                .cloned()
                .unwrap_or_else(|| self.schema.creation_schema()),
            None => self.schema.creation_schema(),
        }
    }

    fn search_path(&self) -> Vec<Ident> {
        self.search_path
            .clone()
            .unwrap_or_else(|| self.schema.search_path.clone())
    }

    /// Resolve a name for DDL: qualified names as written, unqualified ones in the replay's
    /// search path (the first schema that has it, else the creation schema).
    fn locate(&self, name: &ObjectName) -> Option<(Ident, Ident)> {
        let parts: Vec<&ast::Ident> = name
            .0
            .iter()
            .map(ObjectNamePart::as_ident)
            .collect::<Option<_>>()?;
        match parts.as_slice() {
            [table] => {
                let table = Ident::from_ast(table);
                let schema = self
                    .search_path()
                    .into_iter()
                    .find(|s| {
                        self.schema.namespace(s).is_some_and(|ns| {
                            ns.relations.contains_key(&table) || ns.enums.contains_key(&table)
                        })
                    })
                    .unwrap_or_else(|| self.creation_schema());
                Some((schema, table))
            }
            [schema, table] => Some((Ident::from_ast(schema), Ident::from_ast(table))),
            [_, schema, table] => Some((Ident::from_ast(schema), Ident::from_ast(table))),
            _ => None,
        }
    }

    fn statement(&mut self, stmt: &str, offset: usize) {
        let (toks, all) = match tokens::tokenize_for_parse(stmt) {
            Some((toks, all)) => (Some(toks), Some(all)),
            None => (None, None),
        };
        let parse = || all.map_or_else(|| sql::parse(stmt), |all| sql::parse_tokenized(stmt, all));
        let kind = toks.as_deref().map_or(Kind::Relevant, classify);
        match kind {
            Kind::Irrelevant => {
                let into = self.creation_schema();
                super::functions::replay_function(self.schema, &into, stmt);
            }
            Kind::SearchPath => {
                if let Some(toks) = &toks {
                    self.set_search_path(toks);
                }
            }
            Kind::DoBlock => {
                if let Some(toks) = &toks {
                    self.do_block(toks, stmt, offset);
                }
            }
            Kind::Relevant => match parse() {
                Ok(parsed) => {
                    for s in &parsed {
                        self.apply(s, stmt, offset);
                    }
                }
                Err(err) => {
                    if !self.fallback(stmt, offset) {
                        self.warn(
                            stmt,
                            offset,
                            format!(
                                "schema statement was not applied: {}",
                                crate::diagnostic::lowercase_first(&err.message)
                            ),
                        );
                        if let Some(toks) = &toks {
                            self.note_not_applied(toks, offset);
                        }
                    }
                }
            },
        }
    }

    /// `CREATE TABLE fees (...)` (or a view) that could not be applied: its name is kept as
    /// not applied, so that a query on `fees` is told why the relation is missing, not only
    /// that it is.
    fn note_not_applied(&mut self, toks: &[Tok], offset: usize) {
        let kws = tokens::keywords(toks);
        let kw = |i: usize| kws.get(i).map_or("", String::as_str);
        if kw(0) != "CREATE" {
            return;
        }
        let mut i = 1;
        while matches!(
            kw(i),
            "OR" | "REPLACE"
                | "TEMP"
                | "TEMPORARY"
                | "UNLOGGED"
                | "GLOBAL"
                | "LOCAL"
                | "MATERIALIZED"
        ) {
            i += 1;
        }
        if !matches!(kw(i), "TABLE" | "VIEW") {
            return;
        }
        i += 1;
        if kw(i) == "IF" && kw(i + 1) == "NOT" && kw(i + 2) == "EXISTS" {
            i += 3;
        }
        let end = tokens::name_end(toks, i);
        let Some((schema, name)) = toks
            .get(i..end)
            .and_then(tokens::object_name)
            .and_then(|n| self.locate(&n))
        else {
            return;
        };
        let at = Some(self.provenance(offset));
        let ns = self.schema.namespace_mut(&schema);
        if !ns.relations.contains_key(&name) {
            ns.removed_relations
                .insert(name, Removal::NotApplied { at });
        }
    }

    /// `SET [SESSION|LOCAL] search_path {=|TO} a, "B", '$user'` / `... TO DEFAULT` /
    /// `RESET search_path`.
    fn set_search_path(&mut self, toks: &[Tok]) {
        if toks.first().is_some_and(|t| t.is_kw("RESET")) {
            self.search_path = None;
            return;
        }
        let Some(at) = toks.iter().position(|t| t.is_kw("search_path")) else {
            return;
        };
        let mut rest = &toks[at + 1..];
        if rest
            .first()
            .is_some_and(|t| t.is_kw("TO") || matches!(t.token, Token::Eq))
        {
            rest = &rest[1..];
        }
        if rest.first().is_some_and(|t| t.is_kw("DEFAULT")) {
            self.search_path = None;
            return;
        }
        let path: Vec<Ident> = rest
            .iter()
            .filter_map(|t| match &t.token {
                Token::Word(w) if w.value == "$user" => None,
                Token::Word(_) => t.ident(),
                // '$user', 'app': a string names the schema as written (case kept).
                Token::SingleQuotedString(s) if s != "$user" && !s.is_empty() => {
                    Some(Ident::quoted(s))
                }
                _ => None,
            })
            .collect();
        if !path.is_empty() {
            self.search_path = Some(path);
        }
    }

    fn apply(&mut self, stmt: &Statement, text: &str, offset: usize) {
        // `(LIKE src ...)`: the columns come from the source, which the token-level path
        // copies (sqlparser keeps the clause but not what it implies).
        // sqlparser reads `(a int, LIKE src)` as a column named `like`.
        let has_like = |ct: &ast::CreateTable| {
            ct.like.is_some()
                || ct.columns.iter().any(|c| {
                    c.name.quote_style.is_none() && c.name.value.eq_ignore_ascii_case("like")
                })
        };
        if matches!(stmt, Statement::CreateTable(ct) if has_like(ct)) {
            let handled = tokenize(text).is_some_and(|t| self.create_table_like(&t, text, offset));
            if !handled {
                self.warn(
                    text,
                    offset,
                    "schema statement was not applied: CREATE TABLE ... LIKE in this form"
                        .to_string(),
                );
            }
            return;
        }
        let parsed = ParsedSql::new(text);
        let at = |span: sqlparser::tokenizer::Span| {
            offset + parsed.offset(span.start).unwrap_or(0) as usize
        };
        match stmt {
            Statement::CreateTable(ct) => {
                if ct.temporary {
                    return; // gone when the migration's session ends
                }
                let Some((schema, name)) = self.locate(&ct.name) else {
                    return;
                };
                if (ct.if_not_exists || self.guarded) && self.exists(&schema, &name) {
                    return;
                }
                let mut rel = Relation::new(
                    name.clone(),
                    if ct.partition_by.is_some() {
                        RelationKind::PartitionedTable
                    } else {
                        RelationKind::Table
                    },
                );
                rel.created = Some(self.provenance(offset));
                rel.parents = ct
                    .partition_of
                    .iter()
                    .chain(ct.inherits.iter().flatten())
                    .filter_map(|p| self.locate(p))
                    .collect();
                if let Some(parent) = ct
                    .partition_of
                    .as_ref()
                    .or(ct.inherits.as_ref().and_then(|p| p.first()))
                {
                    match self
                        .locate(parent)
                        .and_then(|(s, t)| self.relation(&s, &t).cloned())
                    {
                        Some(p) => rel.columns = p.columns.iter().map(inherited).collect(),
                        None => {
                            self.warn(
                                text,
                                offset,
                                format!("parent table `{}` is not in the schema", parent),
                            );
                        }
                    }
                }
                if let Some(query) = &ct.query {
                    match self.query_columns(query) {
                        Some(cols) => rel.columns = cols,
                        None => {
                            self.warn(
                                text,
                                offset,
                                "could not derive the columns of CREATE TABLE ... AS".into(),
                            );
                            return;
                        }
                    }
                }
                for def in &ct.columns {
                    let col = self.column(def, at(def.name.span));
                    match rel.column_mut(&col.name) {
                        // `PARTITION OF p (col WITH OPTIONS NOT NULL)` refines an inherited column.
                        Some(existing) => existing.nullable &= col.nullable,
                        None => rel.columns.push(col),
                    }
                }
                for constraint in &ct.constraints {
                    if let TableConstraint::PrimaryKey(pk) = constraint {
                        for c in &pk.columns {
                            if let Expr::Identifier(id) = &c.column.expr {
                                if let Some(col) = rel.column_mut(&Ident::from_ast(id)) {
                                    col.nullable = false;
                                }
                            }
                        }
                    }
                }
                let owned: Vec<Ident> = ct
                    .columns
                    .iter()
                    .map(|d| Ident::from_ast(&d.name))
                    .filter(|n| rel.column(n).is_some_and(Self::has_owned_sequence))
                    .collect();
                self.insert_relation(schema.clone(), rel);
                for col in owned {
                    self.owned_sequence(&schema, &name, &col, None, offset);
                }
            }
            Statement::CreateForeignTable(ft) => {
                let Some((schema, name)) = self.locate(&ft.name) else {
                    return;
                };
                if (ft.if_not_exists || self.guarded) && self.exists(&schema, &name) {
                    return;
                }
                let mut rel = Relation::new(name, RelationKind::ForeignTable);
                rel.created = Some(self.provenance(offset));
                rel.columns = ft
                    .columns
                    .iter()
                    .map(|d| self.column(d, at(d.name.span)))
                    .collect();
                self.insert_relation(schema, rel);
            }
            Statement::CreateView(cv) => {
                let Some((schema, name)) = self.locate(&cv.name) else {
                    return;
                };
                if cv.temporary {
                    return;
                }
                if (cv.if_not_exists || self.guarded) && self.exists(&schema, &name) {
                    return;
                }
                let kind = if cv.materialized {
                    RelationKind::MaterializedView
                } else {
                    RelationKind::View
                };
                let Some(mut columns) = self.query_columns(views::unparenthesized(&cv.query))
                else {
                    self.warn(
                        text,
                        offset,
                        format!("could not derive the columns of view `{name}`; queries using it are not checked"),
                    );
                    let mut rel = Relation::new(name, kind);
                    rel.opaque = true;
                    rel.created = Some(self.provenance(offset));
                    self.insert_relation(schema, rel);
                    return;
                };
                for (col, def) in columns.iter_mut().zip(&cv.columns) {
                    col.name = Ident::from_ast(&def.name);
                }
                let mut rel = Relation::new(name, kind);
                rel.created = Some(self.provenance(offset));
                rel.columns = columns;
                let mut used = Vec::new();
                let _ = ast::visit_relations(&*cv.query, |n| {
                    used.push(n.clone());
                    std::ops::ControlFlow::<()>::Continue(())
                });
                rel.depends_on = used
                    .iter()
                    .filter_map(|n| self.locate(n))
                    .filter(|(s, t)| self.exists(s, t))
                    .collect();
                self.insert_relation(schema, rel);
            }
            Statement::AlterTable(at_stmt) => {
                let Some((schema, name)) = self.locate(&at_stmt.name) else {
                    return;
                };
                if !self.exists(&schema, &name) {
                    if !at_stmt.if_exists && touches_columns(&at_stmt.operations) {
                        self.warn_state(
                            text,
                            offset,
                            format!("ALTER TABLE of `{schema}.{name}`, which is not in the schema"),
                        );
                        // Code may create the table: try again after the code's DDL.
                        if !self.in_code && !self.guarded {
                            let range =
                                ((self.to_host)(offset), (self.to_host)(offset + text.len()));
                            if let Some(w) = self.warnings.last_mut() {
                                w.retry = Some(range);
                            }
                        }
                    }
                    return;
                }
                // Without ONLY, column changes reach every partition and child table too.
                let descendants = if at_stmt.only {
                    Vec::new()
                } else {
                    self.descendants(&schema, &name)
                };
                for op in &at_stmt.operations {
                    self.alter_table(&schema, &name, op, text, offset, &at);
                    let recurses = matches!(
                        op,
                        AlterTableOperation::AddColumn { .. }
                            | AlterTableOperation::DropColumn { .. }
                            | AlterTableOperation::RenameColumn { .. }
                            | AlterTableOperation::AlterColumn { .. }
                    );
                    if recurses {
                        let guarded = std::mem::replace(&mut self.guarded, true);
                        for (s, t) in &descendants {
                            self.alter_table(s, t, op, text, offset, &at);
                        }
                        self.guarded = guarded;
                    }
                }
            }
            Statement::AlterView(av) => {
                let Some((schema, name)) = self.locate(&av.name) else {
                    return;
                };
                match &av.operation {
                    AlterViewOperation::RenameTo { new_name } => {
                        if let Some(last) = new_name.0.last().and_then(ObjectNamePart::as_ident) {
                            self.rename_relation(&schema, &name, Ident::from_ast(last), offset);
                        }
                    }
                    AlterViewOperation::RenameColumn {
                        old_column_name,
                        new_column_name,
                    } => {
                        self.rename_column(
                            &schema,
                            &name,
                            old_column_name,
                            new_column_name,
                            offset,
                        );
                    }
                    AlterViewOperation::SetSchema { schema_name } => {
                        if let Some(to) = schema_name.0.last().and_then(ObjectNamePart::as_ident) {
                            self.move_to_schema(&schema, &name, Ident::from_ast(to), false);
                        }
                    }
                    AlterViewOperation::As { query, columns, .. } => {
                        if let Some(mut cols) = self.query_columns(views::unparenthesized(query)) {
                            for (c, n) in cols.iter_mut().zip(columns) {
                                c.name = Ident::from_ast(n);
                            }
                            if let Some(rel) = self.relation_mut(&schema, &name) {
                                rel.columns = cols;
                            }
                        }
                    }
                    _ => {}
                }
            }
            Statement::Drop {
                object_type,
                if_exists,
                names,
                cascade,
                ..
            } => {
                for n in names {
                    self.drop(object_type, n, *if_exists, *cascade, text, offset);
                }
            }
            Statement::CreateType {
                name,
                representation,
            } => {
                let Some((schema, ty)) = self.locate(name) else {
                    return;
                };
                let exists = self
                    .schema
                    .namespace(&schema)
                    .is_some_and(|ns| ns.enums.contains_key(&ty));
                if exists && self.guarded {
                    return;
                }
                if let Some(UserDefinedTypeRepresentation::Enum { labels }) = representation {
                    let labels = labels.iter().map(|l| l.value.clone()).collect();
                    self.schema
                        .namespace_mut(&schema)
                        .enums
                        .insert(ty.clone(), EnumType { name: ty, labels });
                }
            }
            Statement::AlterType(alter) => {
                let Some((schema, ty)) = self.locate(&alter.name) else {
                    return;
                };
                let ns = self.schema.namespace_mut(&schema);
                match &alter.operation {
                    AlterTypeOperation::AddValue(add) => {
                        if let Some(e) = ns.enums.get_mut(&ty) {
                            let value = add.value.value.clone();
                            if e.labels.contains(&value) {
                                return;
                            }
                            let pos = match &add.position {
                                Some(AlterTypeAddValuePosition::Before(b)) => {
                                    e.labels.iter().position(|l| *l == b.value)
                                }
                                Some(AlterTypeAddValuePosition::After(a)) => {
                                    e.labels.iter().position(|l| *l == a.value).map(|i| i + 1)
                                }
                                None => None,
                            };
                            let pos = pos.unwrap_or(e.labels.len());
                            e.labels.insert(pos, value);
                        }
                    }
                    AlterTypeOperation::RenameValue(r) => {
                        if let Some(e) = ns.enums.get_mut(&ty) {
                            for l in &mut e.labels {
                                if *l == r.from.value {
                                    l.clone_from(&r.to.value);
                                }
                            }
                        }
                    }
                    AlterTypeOperation::Rename(r) => {
                        if let Some(mut e) = ns.enums.remove(&ty) {
                            e.name = Ident::from_ast(&r.new_name);
                            ns.enums.insert(e.name.clone(), e);
                        }
                    }
                }
            }
            Statement::CreateSchema { schema_name, .. } => {
                let name = match schema_name {
                    SchemaName::Simple(n) | SchemaName::NamedAuthorization(n, _) => {
                        n.0.last()
                            .and_then(ObjectNamePart::as_ident)
                            .map(Ident::from_ast)
                    }
                    SchemaName::UnnamedAuthorization(user) => Some(Ident::from_ast(user)),
                };
                if let Some(name) = name {
                    self.schema.namespace_mut(&name);
                }
            }
            Statement::CreateSequence {
                temporary,
                if_not_exists,
                name,
                ..
            } => {
                let Some((schema, name)) = self.locate(name) else {
                    return;
                };
                if *temporary || ((*if_not_exists || self.guarded) && self.exists(&schema, &name)) {
                    return;
                }
                let rel = sequence(name, self.provenance(offset));
                self.insert_relation(schema, rel);
            }
            Statement::AlterSchema(alter) => {
                let old = alter.name.0.last().and_then(ObjectNamePart::as_ident);
                for op in &alter.operations {
                    if let (ast::AlterSchemaOperation::Rename { name }, Some(old)) = (op, old) {
                        let new = name.0.last().and_then(ObjectNamePart::as_ident);
                        if let Some(ns) = self.schema.namespaces.remove(&Ident::from_ast(old)) {
                            if let Some(new) = new {
                                self.schema.namespaces.insert(Ident::from_ast(new), ns);
                            }
                        }
                    }
                }
            }
            // The keywords said this may change the model (`classify`), but the replay has no
            // rule for it: say so rather than skip it.
            _ => {
                let words: Vec<String> = tokenize(text)
                    .map(|t| t.iter().take(3).map(Tok::kw).collect())
                    .unwrap_or_default();
                self.warn(
                    text,
                    offset,
                    format!(
                        "schema statement was not applied: the replay does not model `{}`",
                        words.join(" ").trim()
                    ),
                );
            }
        }
    }

    /// The sequence Postgres makes for a serial or identity column: `<table>_<column>_seq`
    /// (unless `name` is given, as pg_dump's `SEQUENCE NAME`), owned by the table.
    fn owned_sequence(
        &mut self,
        schema: &Ident,
        table: &Ident,
        column: &Ident,
        name: Option<(Ident, Ident)>,
        offset: usize,
    ) {
        let (seq_schema, seq_name) = match name {
            Some(n) => n,
            None => {
                let n = format!("{}_{}_seq", table.as_str(), column.as_str());
                // Longer names are truncated by rules of their own; better none than a wrong one.
                if n.len() > 63 {
                    return;
                }
                (schema.clone(), Ident::quoted(&n))
            }
        };
        if self.exists(&seq_schema, &seq_name) {
            return; // Postgres would pick another name; we don't guess it
        }
        let mut rel = sequence(seq_name, self.provenance(offset));
        rel.depends_on.push((schema.clone(), table.clone()));
        self.insert_relation(seq_schema, rel);
    }

    /// Whether a column gets a sequence of its own: `serial` types and identity columns.
    fn has_owned_sequence(col: &Column) -> bool {
        col.identity.is_some() || col.default.as_deref() == Some("nextval(…)")
    }

    /// Drop what depends on `schema.name` after it went: owned sequences and partitions
    /// always, views and inheritance children with CASCADE.
    fn drop_dependents(&mut self, schema: &Ident, name: &Ident, partitioned: bool, cascade: bool) {
        let at = None;
        let mut gone = vec![(schema.clone(), name.clone(), partitioned)];
        while let Some((s, n, partitioned)) = gone.pop() {
            let key = (s.clone(), n.clone());
            let doomed: Vec<(Ident, Ident, bool)> = self
                .schema
                .relations()
                .filter(|(_, r)| {
                    (r.depends_on.contains(&key) && (cascade || r.kind == RelationKind::Sequence))
                        || (r.parents.contains(&key) && (cascade || partitioned))
                })
                .map(|(rs, r)| {
                    (
                        rs.clone(),
                        r.name.clone(),
                        r.kind == RelationKind::PartitionedTable,
                    )
                })
                .collect();
            for (ds, dn, dp) in doomed {
                let ns = self.schema.namespace_mut(&ds);
                if ns.relations.remove(&dn).is_some() {
                    ns.removed_relations
                        .insert(dn.clone(), Removal::Dropped { at: at.clone() });
                    gone.push((ds, dn, dp));
                }
            }
        }
    }

    /// Every table that inherits from `schema.name`, directly or not (partitions included).
    fn descendants(&self, schema: &Ident, name: &Ident) -> Vec<(Ident, Ident)> {
        let mut out: Vec<(Ident, Ident)> = Vec::new();
        let mut frontier = vec![(schema.clone(), name.clone())];
        while let Some(parent) = frontier.pop() {
            for (s, r) in self.schema.relations() {
                let child = (s.clone(), r.name.clone());
                if r.parents.contains(&parent) && !out.contains(&child) && child != parent {
                    out.push(child.clone());
                    frontier.push(child);
                }
            }
        }
        out
    }

    fn exists(&self, schema: &Ident, name: &Ident) -> bool {
        self.relation(schema, name).is_some()
    }

    fn relation(&self, schema: &Ident, name: &Ident) -> Option<&Relation> {
        self.schema.namespace(schema)?.relations.get(name)
    }

    fn relation_mut(&mut self, schema: &Ident, name: &Ident) -> Option<&mut Relation> {
        self.schema
            .namespaces
            .get_mut(schema)?
            .relations
            .get_mut(name)
    }

    fn insert_relation(&mut self, schema: Ident, rel: Relation) {
        let ns = self.schema.namespace_mut(&schema);
        ns.removed_relations.remove(&rel.name);
        ns.relations.insert(rel.name.clone(), rel);
    }

    fn column(&self, def: &ColumnDef, offset: usize) -> Column {
        let search_path = self.search_path();
        let visible = |s: &Ident| search_path.contains(s);
        let type_text = def.data_type.to_string().to_ascii_lowercase();
        let mut col = Column::new(
            Ident::from_ast(&def.name),
            canonical_type(&def.data_type, &visible),
        );
        col.created = Some(self.provenance(offset));
        if matches!(
            type_text.as_str(),
            "serial" | "bigserial" | "smallserial" | "serial4" | "serial8" | "serial2"
        ) {
            // `serial` is an integer column with a sequence default; the sequence name follows
            // Postgres's `<table>_<column>_seq` convention.
            col.nullable = false;
            col.default = Some("nextval(…)".to_string());
        }
        for opt in &def.options {
            match &opt.option {
                ColumnOption::NotNull => col.nullable = false,
                ColumnOption::Null => col.nullable = true,
                ColumnOption::Default(e) => {
                    col.default = stored_default(e, type_text.contains('('))
                }
                ColumnOption::PrimaryKey(_) => col.nullable = false,
                ColumnOption::Generated {
                    generated_as,
                    generation_expr,
                    ..
                } => match (generated_as, generation_expr) {
                    (_, Some(expr)) => col.generated = Some(expr.to_string()),
                    (GeneratedAs::Always, None) => {
                        col.identity = Some(Identity::Always);
                        col.nullable = false;
                    }
                    (GeneratedAs::ByDefault, None) => {
                        col.identity = Some(Identity::ByDefault);
                        col.nullable = false;
                    }
                    (GeneratedAs::ExpStored, None) => {}
                },
                _ => {}
            }
        }
        col
    }

    fn alter_table(
        &mut self,
        schema: &Ident,
        table: &Ident,
        op: &AlterTableOperation,
        text: &str,
        offset: usize,
        at: &dyn Fn(sqlparser::tokenizer::Span) -> usize,
    ) {
        match op {
            AlterTableOperation::AddColumn {
                if_not_exists,
                column_def,
                ..
            } => {
                let col = self.column(column_def, at(column_def.name.span));
                let Some(rel) = self.relation_mut(schema, table) else {
                    return;
                };
                if rel.column(&col.name).is_some() {
                    if !if_not_exists {
                        let name = col.name.clone();
                        self.warn_state(
                            text,
                            offset,
                            format!("column `{name}` of `{table}` already exists"),
                        );
                    }
                    return;
                }
                rel.removed_columns.remove(&col.name);
                let owned = Self::has_owned_sequence(&col).then(|| col.name.clone());
                rel.columns.push(col);
                if let Some(col) = owned {
                    self.owned_sequence(schema, table, &col, None, offset);
                }
            }
            AlterTableOperation::DropColumn {
                column_names,
                if_exists,
                ..
            } => {
                let at = self.provenance(offset);
                for c in column_names {
                    let name = Ident::from_ast(c);
                    let Some(rel) = self.relation_mut(schema, table) else {
                        return;
                    };
                    let before = rel.columns.len();
                    rel.columns.retain(|col| col.name != name);
                    if rel.columns.len() < before {
                        rel.removed_columns.insert(
                            name,
                            Removal::Dropped {
                                at: Some(at.clone()),
                            },
                        );
                    } else if !if_exists {
                        self.warn_state(
                            text,
                            offset,
                            format!("column `{name}` of `{table}` does not exist"),
                        );
                    }
                }
            }
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => {
                self.rename_column(schema, table, old_column_name, new_column_name, offset);
            }
            AlterTableOperation::RenameTable { table_name } => {
                let (RenameTableNameKind::To(n) | RenameTableNameKind::As(n)) = table_name;
                if let Some(last) = n.0.last().and_then(ObjectNamePart::as_ident) {
                    self.rename_relation(schema, table, Ident::from_ast(last), offset);
                }
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                let name = Ident::from_ast(column_name);
                let search_path = self.search_path();
                let Some(rel) = self.relation_mut(schema, table) else {
                    return;
                };
                let Some(col) = rel.column_mut(&name) else {
                    self.warn_state(
                        text,
                        offset,
                        format!("column `{name}` of `{table}` does not exist"),
                    );
                    return;
                };
                match op {
                    AlterColumnOperation::SetNotNull => col.nullable = false,
                    AlterColumnOperation::DropNotNull => col.nullable = true,
                    AlterColumnOperation::SetDefault { value } => {
                        col.default = stored_default(value, col.data_type.contains('('))
                    }
                    AlterColumnOperation::DropDefault => col.default = None,
                    AlterColumnOperation::SetDataType { data_type, .. } => {
                        col.data_type = canonical_type(data_type, &|s| search_path.contains(s));
                    }
                    AlterColumnOperation::AddGenerated { generated_as, .. } => {
                        col.identity = Some(match generated_as {
                            Some(GeneratedAs::ByDefault) => Identity::ByDefault,
                            _ => Identity::Always,
                        });
                        col.nullable = false;
                    }
                    AlterColumnOperation::GenericOptions { .. } => {}
                }
            }
            AlterTableOperation::AddConstraint {
                constraint: TableConstraint::PrimaryKey(pk),
                ..
            } => {
                let Some(rel) = self.relation_mut(schema, table) else {
                    return;
                };
                for c in &pk.columns {
                    if let Expr::Identifier(id) = &c.column.expr {
                        if let Some(col) = rel.column_mut(&Ident::from_ast(id)) {
                            col.nullable = false;
                        }
                    }
                }
            }
            AlterTableOperation::AttachPartitionOf { partition, .. } => {
                if let Some(child) = self.locate(partition) {
                    let parent = (schema.clone(), table.clone());
                    if let Some(rel) = self.relation_mut(&child.0, &child.1) {
                        if !rel.parents.contains(&parent) {
                            rel.parents.push(parent);
                        }
                    }
                }
            }
            AlterTableOperation::DetachPartitionOf { partition, .. } => {
                if let Some(child) = self.locate(partition) {
                    let parent = (schema.clone(), table.clone());
                    if let Some(rel) = self.relation_mut(&child.0, &child.1) {
                        rel.parents.retain(|p| *p != parent);
                    }
                }
            }
            AlterTableOperation::Inherit { parent } | AlterTableOperation::NoInherit { parent } => {
                let add = matches!(op, AlterTableOperation::Inherit { .. });
                if let Some(parent) = self.locate(parent) {
                    if let Some(rel) = self.relation_mut(schema, table) {
                        rel.parents.retain(|p| *p != parent);
                        if add {
                            rel.parents.push(parent);
                        }
                    }
                }
            }
            // Constraints, triggers, RLS, owners: no effect on columns.
            _ => {}
        }
    }

    fn rename_column(
        &mut self,
        schema: &Ident,
        table: &Ident,
        old: &ast::Ident,
        new: &ast::Ident,
        offset: usize,
    ) {
        let (old, new) = (Ident::from_ast(old), Ident::from_ast(new));
        let at = self.provenance(offset);
        let Some(rel) = self.relation_mut(schema, table) else {
            return;
        };
        if let Some(col) = rel.column_mut(&old) {
            col.name = new.clone();
            rel.removed_columns.remove(&new);
            rel.removed_columns.insert(
                old,
                Removal::Renamed {
                    to: new,
                    at: Some(at),
                },
            );
        } else {
            let text = format!("ALTER ... RENAME COLUMN {old}");
            self.warn_state(
                &text,
                offset,
                format!("column `{old}` of `{table}` does not exist"),
            );
        }
    }

    fn rename_relation(&mut self, schema: &Ident, old: &Ident, new: Ident, offset: usize) {
        let at = self.provenance(offset);
        let ns = self.schema.namespace_mut(schema);
        if let Some(mut rel) = ns.relations.remove(old) {
            rel.name = new.clone();
            ns.removed_relations.remove(&new);
            ns.removed_relations.insert(
                old.clone(),
                Removal::Renamed {
                    to: new.clone(),
                    at: Some(at),
                },
            );
            ns.relations.insert(new.clone(), rel);
            self.repoint(schema, old, schema, &new);
        }
    }

    /// After a rename or a move, dependencies and parents follow the relation.
    fn repoint(&mut self, schema: &Ident, old: &Ident, new_schema: &Ident, new: &Ident) {
        let from = (schema.clone(), old.clone());
        let to = (new_schema.clone(), new.clone());
        for ns in self.schema.namespaces.values_mut() {
            for rel in ns.relations.values_mut() {
                for r in rel.depends_on.iter_mut().chain(rel.parents.iter_mut()) {
                    if *r == from {
                        *r = to.clone();
                    }
                }
            }
        }
    }

    fn drop(
        &mut self,
        object_type: &ObjectType,
        name: &ObjectName,
        if_exists: bool,
        cascade: bool,
        text: &str,
        offset: usize,
    ) {
        let Some((schema, object)) = self.locate(name) else {
            return;
        };
        let at = self.provenance(offset);
        match object_type {
            ObjectType::Table
            | ObjectType::View
            | ObjectType::MaterializedView
            | ObjectType::Sequence
            | ObjectType::ForeignTable => {
                let ns = self.schema.namespace_mut(&schema);
                if let Some(rel) = ns.relations.remove(&object) {
                    ns.removed_relations
                        .insert(object.clone(), Removal::Dropped { at: Some(at) });
                    let partitioned = rel.kind == RelationKind::PartitionedTable;
                    self.drop_dependents(&schema, &object, partitioned, cascade);
                } else if !if_exists {
                    self.warn_state(
                        text,
                        offset,
                        format!("DROP of `{schema}.{object}`, which is not in the schema"),
                    );
                }
            }
            ObjectType::Type => {
                self.schema.namespace_mut(&schema).enums.remove(&object);
            }
            ObjectType::Schema => {
                // `DROP SCHEMA app` names a schema, not a relation.
                let schema_name = name
                    .0
                    .last()
                    .and_then(ObjectNamePart::as_ident)
                    .map(Ident::from_ast);
                if let Some(s) = schema_name {
                    let empty = self
                        .schema
                        .namespace(&s)
                        .is_none_or(|ns| ns.relations.is_empty());
                    if cascade || empty {
                        self.schema.namespaces.remove(&s);
                    }
                }
            }
            _ => {}
        }
    }

    /// Columns a query produces (for views and CREATE TABLE AS): names as Postgres derives
    /// them, types where the output is a plain column or a cast.
    fn query_columns(&self, query: &Query) -> Option<Vec<Column>> {
        let names = crate::resolve::query_output_names(query, self.schema)?;
        let types = self.output_types(query, names.len());
        Some(
            names
                .into_iter()
                .zip(types)
                .map(|(name, ty)| Column::new(name, ty.unwrap_or_else(|| "unknown".to_string())))
                .collect(),
        )
    }

    fn output_types(&self, query: &Query, n: usize) -> Vec<Option<String>> {
        let mut out = vec![None; n];
        let SetExpr::Select(select) = query.body.as_ref() else {
            return out;
        };
        // FROM items that are plain tables, by the name they are visible under.
        let mut tables: Vec<(Ident, &Relation)> = Vec::new();
        for twj in &select.from {
            for factor in
                std::iter::once(&twj.relation).chain(twj.joins.iter().map(|j| &j.relation))
            {
                if let TableFactor::Table {
                    name,
                    alias,
                    args: None,
                    ..
                } = factor
                {
                    let q = QualifiedName::from_object_name(name);
                    if let Some(rel) = q.as_ref().and_then(|q| self.schema.relation(q)) {
                        let visible = alias
                            .as_ref()
                            .map_or_else(|| rel.name.clone(), |a| Ident::from_ast(&a.name));
                        tables.push((visible, rel));
                    }
                }
            }
        }
        let search_path = self.search_path();
        let visible = |s: &Ident| search_path.contains(s);
        let type_of = |e: &Expr| -> Option<String> {
            match e {
                Expr::Identifier(id) => {
                    let name = Ident::from_ast(id);
                    let mut found = tables.iter().filter_map(|(_, r)| r.column(&name));
                    match (found.next(), found.next()) {
                        (Some(c), None) => Some(c.data_type.clone()),
                        _ => None,
                    }
                }
                Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
                    let q = Ident::from_ast(&parts[parts.len() - 2]);
                    let name = Ident::from_ast(&parts[parts.len() - 1]);
                    tables
                        .iter()
                        .find(|(v, _)| *v == q)?
                        .1
                        .column(&name)
                        .map(|c| c.data_type.clone())
                }
                Expr::Cast { data_type, .. } => Some(canonical_type(data_type, &visible)),
                // Functions whose result type doesn't depend on their arguments.
                Expr::Function(f) => {
                    let name = f
                        .name
                        .0
                        .last()
                        .and_then(ObjectNamePart::as_ident)?
                        .value
                        .to_ascii_lowercase();
                    let ty = match name.as_str() {
                        "count" | "row_number" | "rank" | "dense_rank" => "bigint",
                        "now" | "current_timestamp" | "clock_timestamp" => {
                            "timestamp with time zone"
                        }
                        "lower" | "upper" | "concat" | "string_agg" | "to_char" | "md5" => "text",
                        "gen_random_uuid" => "uuid",
                        "bool_and" | "bool_or" => "boolean",
                        _ => return None,
                    };
                    Some(ty.to_string())
                }
                _ => None,
            }
        };
        let mut i = 0;
        for item in &select.projection {
            match item {
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                    if let Some(slot) = out.get_mut(i) {
                        *slot = type_of(e);
                    }
                    i += 1;
                }
                SelectItem::Wildcard(_) if tables.len() == select.from.len() => {
                    for (_, rel) in &tables {
                        for c in &rel.columns {
                            if let Some(slot) = out.get_mut(i) {
                                *slot = Some(c.data_type.clone());
                            }
                            i += 1;
                        }
                    }
                }
                SelectItem::QualifiedWildcard(
                    ast::SelectItemQualifiedWildcardKind::ObjectName(q),
                    _,
                ) => {
                    let qn =
                        q.0.last()
                            .and_then(ObjectNamePart::as_ident)
                            .map(Ident::from_ast);
                    match tables.iter().find(|(v, _)| Some(v) == qn.as_ref()) {
                        Some((_, rel)) => {
                            for c in &rel.columns {
                                if let Some(slot) = out.get_mut(i) {
                                    *slot = Some(c.data_type.clone());
                                }
                                i += 1;
                            }
                        }
                        None => return vec![None; n],
                    }
                }
                _ => return out,
            }
        }
        out
    }

    /// Statements sqlparser can't parse but that matter to the schema, handled from tokens.
    /// Returns whether the statement was handled.
    fn fallback(&mut self, stmt: &str, offset: usize) -> bool {
        let Some(toks) = tokenize(stmt) else {
            return false;
        };
        let kw = keywords(&toks);
        let w = |i: usize| kw.get(i).map(String::as_str).unwrap_or("");
        if w(0) == "CREATE" && kw.iter().take(6).any(|x| x == "VIEW") {
            return self.view_with_trailing_clause(&toks, stmt, offset);
        }
        if w(0) == "CREATE" && kw.iter().take(5).any(|x| x == "TABLE") {
            return self.create_table_like(&toks, stmt, offset);
        }
        if w(0) == "ALTER" {
            return self.alter_from_tokens(&toks, &kw, stmt, offset);
        }
        false
    }

    /// ALTER statements sqlparser rejects: `SET SCHEMA` of tables, sequences and types,
    /// `ALTER SEQUENCE ... RENAME TO`, `ALTER SCHEMA ... RENAME TO`, `ADD GENERATED ... AS
    /// IDENTITY`, and ALTER TABLE with several actions of which one is not understood (each
    /// action is then applied on its own).
    fn alter_from_tokens(
        &mut self,
        toks: &[Tok],
        kw: &[String],
        stmt: &str,
        offset: usize,
    ) -> bool {
        let w = |i: usize| kw.get(i).map(String::as_str).unwrap_or("");
        let (object, mut i) = match (w(1), w(2)) {
            ("MATERIALIZED", "VIEW") => ("VIEW", 3),
            ("FOREIGN", "TABLE") => ("TABLE", 3),
            ("TABLE" | "VIEW" | "SEQUENCE" | "TYPE" | "SCHEMA", _) => (w(1), 2),
            _ => return false,
        };
        let object = object.to_string();
        while matches!(w(i), "IF" | "EXISTS" | "ONLY") {
            i += 1;
        }
        let name_start = i;
        i = name_end(toks, i);
        let Some(name) = object_name(&toks[name_start..i]) else {
            return false;
        };
        if matches!(toks.get(i).map(|t| &t.token), Some(Token::Mul)) {
            i += 1;
        }
        let actions = split_actions(toks, i);
        if object == "SCHEMA" {
            // ALTER SCHEMA a RENAME TO b: every relation and type moves with it.
            if let ([(s, _)], Some(new)) =
                (actions.as_slice(), toks.get(i + 2).and_then(Tok::ident))
            {
                if w(*s) == "RENAME" && w(s + 1) == "TO" {
                    let old = name
                        .0
                        .last()
                        .and_then(ObjectNamePart::as_ident)
                        .map(Ident::from_ast);
                    if let Some(ns) = old.and_then(|o| self.schema.namespaces.remove(&o)) {
                        self.schema.namespaces.insert(new, ns);
                    }
                    return true;
                }
            }
            return false;
        }
        if actions.len() > 1 && object == "TABLE" {
            // One statement per action, so that what can be applied is.
            let head = &stmt[..toks[i].start];
            for &(s, e) in &actions {
                let Some(first) = toks.get(s) else {
                    continue;
                };
                let end = toks.get(e).map_or(stmt.len(), |t| t.start).min(stmt.len());
                let action = stmt[first.start..end].trim_end();
                let action = action.strip_suffix([',', ';']).unwrap_or(action);
                let one = format!("{head}{action}");
                self.statement(&one, offset);
            }
            return true;
        }
        let [(s, e)] = actions.as_slice() else {
            return false;
        };
        let (s, e) = (*s, *e);
        let Some((schema, target)) = self.locate(&name) else {
            return false;
        };
        match (w(s), w(s + 1)) {
            ("SET", "SCHEMA") if e == s + 3 => {
                let Some(to) = toks.get(s + 2).and_then(Tok::ident) else {
                    return false;
                };
                self.move_to_schema(&schema, &target, to, object == "TYPE");
                true
            }
            ("RENAME", "TO") if e == s + 3 && object == "SEQUENCE" => {
                let Some(to) = toks.get(s + 2).and_then(Tok::ident) else {
                    return false;
                };
                self.rename_relation(&schema, &target, to, offset);
                true
            }
            ("ALTER", _) if object == "TABLE" => {
                // ALTER [COLUMN] c ADD GENERATED {ALWAYS | BY DEFAULT} AS IDENTITY [(...)]
                let col_at = if w(s + 1) == "COLUMN" { s + 2 } else { s + 1 };
                if w(col_at + 1) != "ADD" || w(col_at + 2) != "GENERATED" {
                    return false;
                }
                let identity = if w(col_at + 3) == "ALWAYS" {
                    Identity::Always
                } else {
                    Identity::ByDefault
                };
                let Some(column) = toks.get(col_at).and_then(Tok::ident) else {
                    return false;
                };
                match self
                    .relation_mut(&schema, &target)
                    .and_then(|r| r.column_mut(&column))
                {
                    Some(col) => {
                        col.identity = Some(identity);
                        col.nullable = false;
                        col.default = None;
                        // pg_dump: `(SEQUENCE NAME app.accounts_id_seq START WITH 1 ...)`.
                        let named = (s..e)
                            .find(|&j| w(j) == "SEQUENCE" && w(j + 1) == "NAME")
                            .and_then(|j| {
                                let end = name_end(toks, j + 2);
                                object_name(&toks[j + 2..end])
                            })
                            .and_then(|n| self.locate(&n));
                        self.owned_sequence(&schema, &target, &column, named, offset);
                        true
                    }
                    None => false,
                }
            }
            _ => false,
        }
    }
    fn move_to_schema(&mut self, schema: &Ident, object: &Ident, target: Ident, is_type: bool) {
        if is_type {
            if let Some(e) = self.schema.namespace_mut(schema).enums.remove(object) {
                self.schema
                    .namespace_mut(&target)
                    .enums
                    .insert(object.clone(), e);
            }
        } else if let Some(rel) = self.schema.namespace_mut(schema).relations.remove(object) {
            self.schema
                .namespace_mut(&target)
                .relations
                .insert(object.clone(), rel);
            self.repoint(schema, object, &target, object);
        }
    }
}

/// A sequence as a relation: `SELECT last_value FROM s` reads its one row.
fn sequence(name: Ident, created: Provenance) -> Relation {
    let mut rel = Relation::new(name, RelationKind::Sequence);
    for (col, ty) in [
        ("last_value", "bigint"),
        ("log_cnt", "bigint"),
        ("is_called", "boolean"),
    ] {
        let mut c = Column::new(Ident::from(col), ty);
        c.nullable = false;
        c.created = Some(created.clone());
        rel.columns.push(c);
    }
    rel.created = Some(created);
    rel
}

/// A column inherited by a partition or child table: same name, type and nullability.
fn inherited(c: &Column) -> Column {
    Column {
        created: c.created.clone(),
        ..c.clone()
    }
}
/// Whether an ALTER TABLE would change columns (worth a warning when its table is unknown).
fn touches_columns(ops: &[AlterTableOperation]) -> bool {
    ops.iter().any(|op| {
        matches!(
            op,
            AlterTableOperation::AddColumn { .. }
                | AlterTableOperation::DropColumn { .. }
                | AlterTableOperation::RenameColumn { .. }
                | AlterTableOperation::RenameTable { .. }
                | AlterTableOperation::AlterColumn { .. }
        )
    })
}

/// The default Postgres stores for `DEFAULT e`: none for a NULL constant, cast or not
/// (`DEFAULT NULL`, `DEFAULT NULL::text`), which behaves as no default at all, unless the
/// column's type has a modifier (`varchar(100)`, `numeric(10,2)`): coercing NULL to it is a
/// function call, not a constant, and Postgres stores `NULL::character varying`.
fn stored_default(e: &sqlparser::ast::Expr, type_has_modifier: bool) -> Option<String> {
    use sqlparser::ast::{Expr, Value};
    if type_has_modifier {
        return Some(e.to_string());
    }
    let mut inner = e;
    loop {
        match inner {
            Expr::Cast { expr, .. } | Expr::Nested(expr) => inner = expr,
            Expr::Value(v) if matches!(v.value, Value::Null) => return None,
            _ => return Some(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replay(sql: &str) -> (Schema, Vec<SchemaWarning>) {
        let mut schema = Schema::default();
        let mut warnings = Vec::new();
        apply_sql(&mut schema, Path::new("m.sql"), sql, &mut warnings);
        (schema, warnings)
    }

    fn columns(schema: &Schema, table: &str) -> Vec<(String, Option<String>)> {
        let (_, rel) = schema
            .relations()
            .find(|(_, r)| r.name.as_str() == table)
            .unwrap_or_else(|| panic!("no {table}"));
        rel.columns
            .iter()
            .map(|c| (c.name.as_str().to_string(), c.default.clone()))
            .collect()
    }

    #[test]
    fn create_table_like_copies_the_columns_in_every_form() {
        let (schema, warnings) = replay(
            "CREATE TABLE users (id int, email text DEFAULT 'x');\n\
             CREATE TABLE plain (LIKE users);\n\
             CREATE TABLE with_defaults (LIKE users INCLUDING DEFAULTS);\n\
             CREATE TABLE everything (LIKE public.users INCLUDING ALL);\n",
        );
        assert!(warnings.is_empty(), "{warnings:?}");
        let without = vec![("id".to_string(), None), ("email".to_string(), None)];
        assert_eq!(columns(&schema, "plain"), without);
        assert_eq!(columns(&schema, "with_defaults")[0].0, "id");
        assert!(columns(&schema, "with_defaults")[1].1.is_some());
        assert_eq!(columns(&schema, "everything").len(), 2);
        // A source that isn't there is reported, not an empty table made up.
        let (_, warnings) = replay("CREATE TABLE t (LIKE nosuch);\n");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
    }

    fn names(schema: &Schema) -> Vec<String> {
        let mut v: Vec<String> = schema
            .relations()
            .map(|(s, r)| format!("{s}.{}", r.name))
            .collect();
        v.sort();
        v
    }

    fn cols(schema: &Schema, table: &str) -> Vec<String> {
        columns(schema, table).into_iter().map(|(n, _)| n).collect()
    }

    // See: issue 11, item 1.
    #[test]
    fn alter_table_actions_on_the_next_line_and_in_every_spelling_apply() {
        let (schema, warnings) = replay(
            "CREATE TABLE public_shares (id int);\n\
             ALTER TABLE public_shares\n    ADD COLUMN include_favorites boolean NOT NULL DEFAULT false;\n\
             ALTER TABLE public_shares\tADD COLUMN a int;\n\
             alter table /* why */ public_shares -- note\n add b text;\n\
             ALTER TABLE IF EXISTS ONLY \"public_shares\"\n  ADD COLUMN c int,\n  ADD COLUMN d int,\n  DROP COLUMN a;\n\
             ALTER TABLE public_shares\n  ADD CONSTRAINT c_pos CHECK (c > 0),\n  ADD COLUMN e int;\n\
             ALTER TABLE public_shares\nRENAME COLUMN b TO bee;\n",
        );
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            cols(&schema, "public_shares"),
            ["id", "include_favorites", "bee", "c", "d", "e"]
        );
        let (schema, _) = replay("CREATE TABLE t (id int);\nALTER TABLE t\n  RENAME TO u;\n");
        assert_eq!(names(&schema), ["public.u"]);
    }

    // See: issue 11, item 2.
    #[test]
    fn ddl_inside_do_blocks_applies_and_dynamic_ddl_is_reported() {
        let sql = "CREATE TABLE todos (id int);\n\
            DO $$ BEGIN\n  IF NOT EXISTS (SELECT 1 FROM information_schema.columns\n                 WHERE table_name = 'todos' AND column_name = 'title') THEN\n    ALTER TABLE todos ADD COLUMN title text;\n  END IF;\nEND $$;\n\
            DO $body$\nBEGIN\n  BEGIN\n    ALTER TABLE todos ADD COLUMN done boolean DEFAULT false;\n  EXCEPTION WHEN duplicate_column THEN NULL;\n  END;\n  CREATE TYPE mood AS ENUM ('ok');\nEXCEPTION WHEN duplicate_object THEN null;\nEND\n$body$ LANGUAGE plpgsql;\n\
            DO $$ BEGIN ALTER TABLE todos ADD COLUMN title text; EXCEPTION WHEN others THEN NULL; END $$;\n\
            DO $$\nDECLARE t text := 'todos';\nBEGIN\n  EXECUTE 'ALTER TABLE todos ADD COLUMN note text';\n  EXECUTE format('ALTER TABLE %I ADD COLUMN x int', t);\n  EXECUTE format('ALTER TABLE %I ADD COLUMN %I text', 'todos', 'Label');\nEND $$;\n";
        let (schema, warnings) = replay(sql);
        assert_eq!(
            cols(&schema, "todos"),
            ["id", "title", "done", "note", "Label"]
        );
        assert!(schema.namespaces[&"public".into()]
            .enums
            .contains_key(&"mood".into()));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        let at = warnings[0].span.start as usize;
        assert!(sql[at..].starts_with("EXECUTE format("), "{}", &sql[at..]);
    }

    // See: issue 11, item 5.
    #[test]
    fn like_with_more_columns_sequences_views_and_moves() {
        let (schema, warnings) = replay(
            "CREATE TABLE src (id int PRIMARY KEY, name text DEFAULT 'x');\n\
             CREATE TABLE t (LIKE src INCLUDING ALL, extra int NOT NULL, PRIMARY KEY (extra));\n\
             CREATE TABLE t2 (pre int, LIKE src);\n\
             CREATE SCHEMA archive;\n\
             CREATE MATERIALIZED VIEW mv AS (SELECT id, name FROM src);\n\
             ALTER MATERIALIZED VIEW mv SET SCHEMA archive;\n\
             CREATE VIEW v AS (SELECT 1 AS one);\n\
             CREATE SEQUENCE my_seq;\n\
             CREATE SEQUENCE gone_seq;\n\
             DROP SEQUENCE gone_seq;\n\
             ALTER SEQUENCE my_seq RENAME TO our_seq;\n\
             CREATE TABLE moved (id int);\n\
             ALTER TABLE moved SET SCHEMA archive;\n\
             CREATE TEMP TABLE scratch (id int);\n\
             CREATE UNLOGGED TABLE cache (k text);\n",
        );
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(cols(&schema, "t"), ["id", "name", "extra"]);
        assert!(
            columns(&schema, "t")[1].1.is_some(),
            "INCLUDING ALL keeps defaults"
        );
        assert_eq!(cols(&schema, "t2"), ["pre", "id", "name"]);
        assert_eq!(cols(&schema, "mv"), ["id", "name"]);
        assert_eq!(cols(&schema, "v"), ["one"]);
        assert_eq!(
            cols(&schema, "our_seq"),
            ["last_value", "log_cnt", "is_called"]
        );
        assert_eq!(
            names(&schema),
            [
                "archive.moved",
                "archive.mv",
                "public.cache",
                "public.our_seq",
                "public.src",
                "public.t",
                "public.t2",
                "public.v"
            ]
        );
    }

    /// Every statement here can change tables, columns, types or schemas. Replayed against a
    /// base schema, each must either change the model or yield a warning: none may vanish.
    // See: issue 11, item 2 (the README's promise).
    const DDL_CORPUS: &[&str] = &[
        // Functions are in the model: their result columns are what `FROM f()` yields.
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$",
        "ALTER TABLE t ADD COLUMN n int",
        "ALTER TABLE t\n  ADD COLUMN n int",
        "ALTER TABLE t\tADD n int",
        "ALTER TABLE ONLY t ADD COLUMN n int",
        "ALTER TABLE IF EXISTS t ADD COLUMN n int",
        "ALTER TABLE \"t\" ADD COLUMN n int",
        "alter table t add column n int",
        "ALTER TABLE t -- c\n ADD /* c */ COLUMN n int",
        "ALTER TABLE t DROP COLUMN a",
        "ALTER TABLE t\n DROP a",
        "ALTER TABLE t DROP COLUMN IF EXISTS a",
        "ALTER TABLE t RENAME COLUMN a TO z",
        "ALTER TABLE t\n RENAME a TO z",
        "ALTER TABLE t RENAME TO t9",
        "ALTER TABLE t SET SCHEMA other",
        "ALTER TABLE t ALTER COLUMN a SET NOT NULL",
        "ALTER TABLE t\n  ALTER a\n  SET NOT NULL",
        "ALTER TABLE t ALTER COLUMN b SET DEFAULT 'x'",
        "ALTER TABLE t ALTER COLUMN a TYPE bigint",
        "ALTER TABLE t ALTER COLUMN a SET DATA TYPE bigint USING a::bigint",
        "ALTER TABLE t ALTER COLUMN a ADD GENERATED ALWAYS AS IDENTITY",
        "ALTER TABLE t ADD PRIMARY KEY (b)",
        "ALTER TABLE t ADD CONSTRAINT t_pk PRIMARY KEY (b)",
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0), ADD COLUMN n int",
        "ALTER TABLE t ADD COLUMN n int, ADD CONSTRAINT c UNIQUE (n)",
        "ALTER TABLE t ADD COLUMN n int GENERATED ALWAYS AS (a * 2) STORED",
        "ALTER TABLE nosuch ADD COLUMN n int",
        "ALTER VIEW v RENAME TO v2",
        "ALTER VIEW v RENAME COLUMN a TO z",
        "ALTER VIEW v SET SCHEMA other",
        "ALTER MATERIALIZED VIEW mv SET SCHEMA other",
        "ALTER MATERIALIZED VIEW mv RENAME TO mv2",
        "ALTER SEQUENCE s RENAME TO s2",
        "ALTER SEQUENCE s SET SCHEMA other",
        "ALTER TYPE mood ADD VALUE 'meh'",
        "ALTER TYPE mood RENAME TO feeling",
        "ALTER TYPE mood SET SCHEMA other",
        "ALTER TYPE mood RENAME VALUE 'ok' TO 'fine'",
        "ALTER SCHEMA other RENAME TO elsewhere",
        "CREATE TABLE n (id int)",
        "CREATE UNLOGGED TABLE n (id int)",
        "CREATE TABLE IF NOT EXISTS n (id int)",
        "CREATE TABLE n (LIKE t INCLUDING ALL, extra int)",
        "CREATE TABLE n AS SELECT a FROM t",
        "CREATE TABLE n PARTITION OF p FOR VALUES IN (1)",
        "CREATE TABLE n () INHERITS (t)",
        "CREATE VIEW n AS SELECT a FROM t",
        "CREATE OR REPLACE VIEW v AS SELECT a, b FROM t",
        "CREATE MATERIALIZED VIEW n AS (SELECT 1 AS x) WITH NO DATA",
        "CREATE SEQUENCE n",
        "CREATE TYPE n AS ENUM ('a')",
        "CREATE SCHEMA n",
        "CREATE FOREIGN TABLE n (id int) SERVER s",
        "DROP TABLE t",
        "DROP TABLE IF EXISTS t CASCADE",
        "DROP VIEW v",
        "DROP MATERIALIZED VIEW mv",
        "DROP SEQUENCE s",
        "DROP TYPE mood",
        "DROP SCHEMA other CASCADE",
        "DROP TABLE nosuch",
        "DO $$ BEGIN ALTER TABLE t ADD COLUMN n int; END $$",
        "DO $$ BEGIN EXECUTE format('ALTER TABLE %I ADD COLUMN n int', 't'); END $$",
        "DO LANGUAGE plpython3u $$ plpy.execute('ALTER TABLE t ADD COLUMN n int') $$",
        "DO 'BEGIN ALTER TABLE t ADD COLUMN n int; END'",
        "CREATE TABLE n (id int) frobnicate",
        "ALTER TABLE t FROBNICATE a",
    ];

    /// Statements that cannot change the model: the replay may skip these quietly.
    const IRRELEVANT_CORPUS: &[&str] = &[
        "GRANT SELECT ON t TO app",
        "COMMENT ON COLUMN t.a IS 'x'",
        "CREATE INDEX i ON t (a)",
        "CREATE UNIQUE INDEX CONCURRENTLY i ON t (a)",
        "CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()",
        "CREATE POLICY p ON t USING (true)",
        "CREATE EXTENSION IF NOT EXISTS pgcrypto",
        "ALTER TABLE t ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE t\n  ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES t (a)",
        "ALTER TABLE t OWNER TO app",
        "ALTER TABLE t ALTER COLUMN a SET STATISTICS 100",
        "ALTER SEQUENCE s OWNED BY t.a",
        "ALTER VIEW v OWNER TO app",
        "INSERT INTO t (a) VALUES (1)",
        "DO $$ BEGIN RAISE NOTICE 'hi'; END $$",
        "DO $$ BEGIN IF true THEN PERFORM 1; END IF; END $$",
        "SELECT 1",
        "BEGIN",
        "COMMIT",
    ];

    // See: the real-app trials (`diff` showed `DEFAULT NULL` as a default the database lacks).
    #[test]
    fn a_null_default_is_no_default() {
        let mut schema = Schema::default();
        let mut warnings = Vec::new();
        apply_sql(
            &mut schema,
            Path::new("m.sql"),
            "CREATE TABLE t (a text DEFAULT NULL, b text DEFAULT NULL::text, c int NOT NULL DEFAULT (NULL), d text DEFAULT 'x', e text DEFAULT 'y', f varchar(100) DEFAULT NULL);\n\
             ALTER TABLE t ALTER COLUMN e SET DEFAULT NULL;",
            &mut warnings,
        );
        assert!(warnings.is_empty(), "{warnings:?}");
        let (_, t) = schema.relations().next().unwrap();
        let default = |c: &str| t.column(&Ident::from(c)).unwrap().default.clone();
        for c in ["a", "b", "c", "e"] {
            assert_eq!(default(c), None, "{c}");
        }
        assert_eq!(default("d").as_deref(), Some("'x'"));
        // Coercing NULL to varchar(100) is not a constant: Postgres stores it (mCaptcha).
        assert_eq!(default("f").as_deref(), Some("NULL"));
    }

    fn base() -> Schema {
        replay(
            "CREATE SCHEMA other;\n\
             CREATE TABLE t (a int, b text);\n\
             CREATE TABLE p (k int) PARTITION BY LIST (k);\n\
             CREATE VIEW v AS SELECT a FROM t;\n\
             CREATE MATERIALIZED VIEW mv AS SELECT a FROM t;\n\
             CREATE SEQUENCE s;\n\
             CREATE TYPE mood AS ENUM ('ok');\n",
        )
        .0
    }

    #[test]
    fn no_ddl_bearing_statement_is_dropped_silently() {
        let base = base();
        let mut silent = Vec::new();
        for sql in DDL_CORPUS {
            let mut schema = base.clone();
            let mut warnings = Vec::new();
            apply_sql(&mut schema, Path::new("m.sql"), sql, &mut warnings);
            if schema == base && warnings.is_empty() {
                silent.push(*sql);
            }
        }
        assert!(silent.is_empty(), "dropped without a word: {silent:#?}");
        for sql in IRRELEVANT_CORPUS {
            let mut schema = base.clone();
            let mut warnings = Vec::new();
            apply_sql(&mut schema, Path::new("m.sql"), sql, &mut warnings);
            assert!(schema == base && warnings.is_empty(), "{sql}: {warnings:?}");
        }
    }
}
