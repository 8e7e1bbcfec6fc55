//! DDL replay: applies CREATE/ALTER/DROP statements from a `pg_dump` file or a migration to a
//! `Schema`, remembering where each name was created, renamed or dropped. A statement that
//! could change tables or columns but isn't understood becomes a warning, never silence.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sqlparser::ast::{
    self, AlterColumnOperation, AlterTableOperation, AlterTypeAddValuePosition, AlterTypeOperation,
    AlterViewOperation, ColumnDef, ColumnOption, Expr, GeneratedAs, ObjectName, ObjectNamePart,
    ObjectType, Query, RenameTableNameKind, SchemaName, SelectItem, SetExpr, Statement,
    TableConstraint, TableFactor, UserDefinedTypeRepresentation,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

use super::types::canonical_type;
use super::{
    Column, EnumType, Ident, Identity, Provenance, QualifiedName, Relation, RelationKind, Removal,
    Schema,
};
use crate::diagnostic::{LineIndex, Span};
use crate::extract::sql::split_statements;
use crate::sql::{self, ParsedSql};

/// A schema statement that was not applied, with its place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaWarning {
    pub file: PathBuf,
    /// Byte range in `file` (the first line of the statement).
    pub span: Span,
    pub message: String,
}

/// Replay one file's SQL text. `base` is the byte offset of `text` in the file (for dbmate
/// sections), so that warnings and provenance point at the right place.
pub fn apply_sql(schema: &mut Schema, file: &Path, text: &str, warnings: &mut Vec<SchemaWarning>) {
    apply_section(schema, file, text, 0, text.len(), warnings);
}

/// Replay `text[start..end]` of a file whose whole text is `text`.
pub(crate) fn apply_section(
    schema: &mut Schema,
    file: &Path,
    text: &str,
    start: usize,
    end: usize,
    warnings: &mut Vec<SchemaWarning>,
) {
    let index = LineIndex::new(text);
    let file_name: Arc<str> = Arc::from(file.to_string_lossy().as_ref());
    // Each migration runs in its own session: SET search_path lasts until the end of the file.
    let mut replay = Replay {
        schema,
        file_name,
        file,
        text,
        index: &index,
        warnings,
        search_path: None,
    };
    for stmt in split_statements(&text[start..end]) {
        let offset = start + stmt.start as usize;
        replay.statement(stmt.text, offset);
    }
}

struct Replay<'a> {
    schema: &'a mut Schema,
    file_name: Arc<str>,
    file: &'a Path,
    text: &'a str,
    index: &'a LineIndex,
    warnings: &'a mut Vec<SchemaWarning>,
    /// `SET search_path` in this file; `None` means the configured path.
    search_path: Option<Vec<Ident>>,
}

/// What the leading words of a statement say about it, before any parsing.
enum Kind {
    /// Cannot change tables or columns: GRANT, COMMENT, functions, indexes, OWNER TO, ...
    Irrelevant,
    /// May change tables, columns, types or schemas: parse and apply.
    Relevant,
    /// `SET search_path ...`
    SearchPath,
}

impl Replay<'_> {
    fn provenance(&self, offset: usize) -> Provenance {
        Provenance {
            file: self.file_name.clone(),
            line: self.index.line_col(self.text, offset as u32).0,
        }
    }

    fn warn(&mut self, stmt: &str, offset: usize, message: String) {
        let first_line = stmt.find('\n').unwrap_or(stmt.len());
        self.warnings.push(SchemaWarning {
            file: self.file.to_path_buf(),
            span: Span::new(offset as u32, (offset + first_line) as u32),
            message,
        });
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
        match classify(stmt) {
            Kind::Irrelevant => {
                let into = self.creation_schema();
                super::functions::replay_function(self.schema, &into, stmt);
            }
            Kind::SearchPath => self.set_search_path(stmt),
            Kind::Relevant => match sql::parse(stmt) {
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
                    }
                }
            },
        }
    }

    fn set_search_path(&mut self, stmt: &str) {
        // `SET search_path = a, "B"` / `SET search_path TO a` / `SET LOCAL search_path ...`
        let lower = stmt.to_ascii_lowercase();
        let Some(at) = lower.find("search_path") else {
            return;
        };
        let rest = stmt[at + "search_path".len()..].trim_start();
        let rest = rest
            .strip_prefix('=')
            .or_else(|| rest.strip_prefix("TO").or_else(|| rest.strip_prefix("to")))
            .unwrap_or(rest);
        let path: Vec<Ident> = rest
            .split(',')
            .map(|p| p.trim().trim_matches('\''))
            .filter(|p| !p.is_empty() && !p.eq_ignore_ascii_case("\"$user\"") && *p != "$user")
            .map(
                |p| match p.strip_prefix('"').and_then(|q| q.strip_suffix('"')) {
                    Some(q) => Ident::quoted(q),
                    None => Ident::unquoted(p),
                },
            )
            .collect();
        if rest.trim().eq_ignore_ascii_case("default") {
            self.search_path = None;
        } else if !path.is_empty() {
            self.search_path = Some(path);
        }
    }

    fn apply(&mut self, stmt: &Statement, text: &str, offset: usize) {
        // `(LIKE src ...)`: the columns come from the source, which the token-level path
        // copies (sqlparser keeps the clause but not what it implies).
        if matches!(stmt, Statement::CreateTable(ct) if ct.like.is_some()) {
            if !self.fallback(text, offset) {
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
                let Some((schema, name)) = self.locate(&ct.name) else {
                    return;
                };
                if ct.if_not_exists && self.exists(&schema, &name) {
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
                self.insert_relation(schema, rel);
            }
            Statement::CreateForeignTable(ft) => {
                let Some((schema, name)) = self.locate(&ft.name) else {
                    return;
                };
                if ft.if_not_exists && self.exists(&schema, &name) {
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
                if cv.if_not_exists && self.exists(&schema, &name) {
                    return;
                }
                let kind = if cv.materialized {
                    RelationKind::MaterializedView
                } else {
                    RelationKind::View
                };
                let Some(mut columns) = self.query_columns(&cv.query) else {
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
                self.insert_relation(schema, rel);
            }
            Statement::AlterTable(at_stmt) => {
                let Some((schema, name)) = self.locate(&at_stmt.name) else {
                    return;
                };
                if !self.exists(&schema, &name) {
                    if !at_stmt.if_exists && touches_columns(&at_stmt.operations) {
                        self.warn(
                            text,
                            offset,
                            format!("ALTER TABLE of `{schema}.{name}`, which is not in the schema"),
                        );
                    }
                    return;
                }
                for op in &at_stmt.operations {
                    self.alter_table(&schema, &name, op, text, offset, &at);
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
                    AlterViewOperation::As { query, columns, .. } => {
                        if let Some(mut cols) = self.query_columns(query) {
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
            // Parsed, but cannot change the model (queries, SET, ...).
            _ => {}
        }
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
                ColumnOption::Default(e) => col.default = Some(e.to_string()),
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
                        self.warn(
                            text,
                            offset,
                            format!("column `{name}` of `{table}` already exists"),
                        );
                    }
                    return;
                }
                rel.removed_columns.remove(&col.name);
                rel.columns.push(col);
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
                        self.warn(
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
                    self.warn(
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
                        col.default = Some(value.to_string())
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
            // Constraints, triggers, RLS, owners, partitions: no effect on columns.
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
            self.warn(
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
            ns.relations.insert(new, rel);
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
            | ObjectType::ForeignTable => {
                let ns = self.schema.namespace_mut(&schema);
                if ns.relations.remove(&object).is_some() {
                    ns.removed_relations
                        .insert(object, Removal::Dropped { at: Some(at) });
                } else if !if_exists {
                    self.warn(
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
        let Some(tokens) = tokens(stmt) else {
            return false;
        };
        let words: Vec<String> = tokens
            .iter()
            .map(|t| word(t).to_ascii_uppercase())
            .collect();
        let w = |i: usize| words.get(i).map(String::as_str).unwrap_or("");

        // CREATE [MATERIALIZED] VIEW ... WITH [NO] DATA / WITH [CASCADED|LOCAL] CHECK OPTION
        if w(0) == "CREATE" && words.iter().take(6).any(|x| x == "VIEW") {
            if let Some(cut) = trailing_with_clause(stmt) {
                if let Ok(parsed) = sql::parse(&stmt[..cut]) {
                    for s in &parsed {
                        self.apply(s, &stmt[..cut], offset);
                    }
                    return true;
                }
            }
        }

        // ALTER TABLE [IF EXISTS] [ONLY] t ALTER [COLUMN] c ADD GENERATED {ALWAYS|BY DEFAULT} AS IDENTITY (...)
        if w(0) == "ALTER" && w(1) == "TABLE" {
            if let Some(gen) = words.iter().position(|x| x == "GENERATED") {
                if w(gen - 1) == "ADD" && words.iter().any(|x| x == "IDENTITY") {
                    let identity = if w(gen + 1) == "ALWAYS" {
                        Identity::Always
                    } else {
                        Identity::ByDefault
                    };
                    let Some(alter) = words
                        .iter()
                        .skip(2)
                        .position(|x| x == "ALTER")
                        .map(|p| p + 2)
                    else {
                        return false;
                    };
                    let mut name_start = 2;
                    while matches!(w(name_start), "IF" | "EXISTS" | "ONLY") {
                        name_start += 1;
                    }
                    let col_at = if w(alter + 1) == "COLUMN" {
                        alter + 2
                    } else {
                        alter + 1
                    };
                    if alter <= name_start {
                        return false;
                    }
                    let table = object_name(&tokens[name_start..alter]);
                    let column = tokens.get(col_at).and_then(ident_of);
                    if let (Some(table), Some(column)) = (table, column) {
                        if let Some((schema, t)) = self.locate(&table) {
                            if let Some(col) = self
                                .relation_mut(&schema, &t)
                                .and_then(|r| r.column_mut(&column))
                            {
                                col.identity = Some(identity);
                                col.nullable = false;
                                col.default = None;
                                return true;
                            }
                        }
                    }
                    return false;
                }
            }
        }

        // ALTER {TABLE|VIEW|MATERIALIZED VIEW|FOREIGN TABLE|TYPE} name SET SCHEMA s
        if w(0) == "ALTER" {
            if let Some(set) = words.iter().position(|x| x == "SET") {
                if w(set + 1) == "SCHEMA" && set + 3 == words.len() {
                    let mut start = 2 + usize::from(matches!(w(1), "MATERIALIZED" | "FOREIGN"));
                    while matches!(w(start), "IF" | "EXISTS" | "ONLY") {
                        start += 1;
                    }
                    let name = object_name(tokens.get(start..set).unwrap_or_default());
                    let target = tokens.get(set + 2).and_then(ident_of);
                    if let (Some(name), Some(target)) = (name, target) {
                        if let Some((schema, object)) = self.locate(&name) {
                            self.move_to_schema(&schema, &object, target, w(1) == "TYPE");
                            return true;
                        }
                    }
                }
            }
        }

        // CREATE [UNLOGGED|TEMP] TABLE [IF NOT EXISTS] t (LIKE src [INCLUDING x | EXCLUDING x]...)
        if w(0) == "CREATE" {
            if let Some(table_kw) = words.iter().take(4).position(|x| x == "TABLE") {
                let mut i = table_kw + 1;
                let if_not_exists = w(i) == "IF";
                if if_not_exists {
                    i += 3;
                }
                let open = tokens.iter().position(|t| matches!(t, Token::LParen));
                if let Some(open) = open {
                    if w(open + 1) == "LIKE" && matches!(tokens.last(), Some(Token::RParen)) {
                        let name = object_name(tokens.get(i..open).unwrap_or_default());
                        let mut j = open + 2;
                        let src_start = j;
                        while j < tokens.len()
                            && !matches!(w(j), "INCLUDING" | "EXCLUDING")
                            && !matches!(tokens[j], Token::RParen)
                        {
                            j += 1;
                        }
                        if !matches!(tokens[j.min(tokens.len() - 1)], Token::RParen)
                            && !matches!(w(j), "INCLUDING" | "EXCLUDING")
                        {
                            return false;
                        }
                        let source = object_name(&tokens[src_start..j]);
                        let options: Vec<(bool, String)> = words[j..]
                            .chunks(2)
                            .filter(|c| {
                                c.len() == 2 && (c[0] == "INCLUDING" || c[0] == "EXCLUDING")
                            })
                            .map(|c| (c[0] == "INCLUDING", c[1].clone()))
                            .collect();
                        if words[j..].iter().any(|x| x == ",")
                            || tokens[j..].iter().any(|t| matches!(t, Token::Comma))
                        {
                            return false; // LIKE plus own columns: not handled here.
                        }
                        let including = |what: &str| {
                            options
                                .iter()
                                .rev()
                                .find(|(_, o)| o == what || o == "ALL")
                                .is_some_and(|(inc, _)| *inc)
                        };
                        if let (Some(name), Some(source)) = (name, source) {
                            let (Some((schema, t)), Some((ss, st))) =
                                (self.locate(&name), self.locate(&source))
                            else {
                                return false;
                            };
                            if if_not_exists && self.exists(&schema, &t) {
                                return true;
                            }
                            let Some(src) = self.relation(&ss, &st).cloned() else {
                                self.warn(
                                    stmt,
                                    offset,
                                    format!("LIKE source `{ss}.{st}` is not in the schema"),
                                );
                                return true;
                            };
                            let mut rel = Relation::new(t, RelationKind::Table);
                            rel.created = Some(self.provenance(offset));
                            rel.columns = src
                                .columns
                                .iter()
                                .map(|c| Column {
                                    name: c.name.clone(),
                                    data_type: c.data_type.clone(),
                                    nullable: c.nullable,
                                    default: c.default.clone().filter(|_| including("DEFAULTS")),
                                    identity: c.identity.filter(|_| including("IDENTITY")),
                                    generated: c
                                        .generated
                                        .clone()
                                        .filter(|_| including("GENERATED")),
                                    created: Some(self.provenance(offset)),
                                })
                                .collect();
                            self.insert_relation(schema, rel);
                            return true;
                        }
                    }
                }
            }
        }
        false
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
        }
    }
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

fn tokens(stmt: &str) -> Option<Vec<Token>> {
    let dialect = PostgreSqlDialect {};
    let tokens = Tokenizer::new(&dialect, stmt).tokenize().ok()?;
    Some(
        tokens
            .into_iter()
            .filter(|t| !matches!(t, Token::Whitespace(_)))
            .collect(),
    )
}

fn word(t: &Token) -> String {
    match t {
        Token::Word(w) if w.quote_style.is_none() => w.value.clone(),
        Token::Comma => ",".into(),
        _ => String::new(),
    }
}

fn ident_of(t: &Token) -> Option<Ident> {
    match t {
        Token::Word(w) if w.quote_style.is_some() => Some(Ident::quoted(&w.value)),
        Token::Word(w) => Some(Ident::unquoted(&w.value)),
        _ => None,
    }
}

/// `a`, `a.b` from tokens → an ObjectName.
fn object_name(tokens: &[Token]) -> Option<ObjectName> {
    let mut parts = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        match (i % 2, t) {
            (0, Token::Word(w)) => parts.push(ObjectNamePart::Identifier(ast::Ident {
                value: w.value.clone(),
                quote_style: w.quote_style,
                span: sqlparser::tokenizer::Span::empty(),
            })),
            (1, Token::Period) => {}
            _ => return None,
        }
    }
    (!parts.is_empty() && tokens.len() % 2 == 1).then_some(ObjectName(parts))
}

/// Byte offset where a view's trailing `WITH [NO] DATA` or `WITH ... CHECK OPTION` starts.
fn trailing_with_clause(stmt: &str) -> Option<usize> {
    let upper = stmt.to_ascii_uppercase();
    let trimmed = upper.trim_end();
    for suffix in [
        "WITH NO DATA",
        "WITH DATA",
        "WITH CASCADED CHECK OPTION",
        "WITH LOCAL CHECK OPTION",
        "WITH CHECK OPTION",
    ] {
        if let Some(head) = trimmed.strip_suffix(suffix) {
            if head.ends_with(|c: char| c.is_whitespace() || c == ')') {
                return Some(head.len());
            }
        }
    }
    None
}

/// Sort a statement by its leading words without parsing it.
fn classify(stmt: &str) -> Kind {
    let words: Vec<String> = stmt
        .split(|c: char| c.is_whitespace() || c == '(' || c == ';')
        .filter(|w| !w.is_empty())
        .take(6)
        .map(|w| w.to_ascii_uppercase())
        .collect();
    let w = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    const IRRELEVANT_OBJECTS: &[&str] = &[
        "FUNCTION",
        "PROCEDURE",
        "TRIGGER",
        "CONSTRAINT",
        "POLICY",
        "INDEX",
        "UNIQUE",
        "SEQUENCE",
        "EXTENSION",
        "TEXT",
        "PUBLICATION",
        "SUBSCRIPTION",
        "STATISTICS",
        "RULE",
        "AGGREGATE",
        "OPERATOR",
        "CAST",
        "COLLATION",
        "DOMAIN",
        "EVENT",
        "SERVER",
        "USER",
        "ROLE",
        "CONVERSION",
        "LANGUAGE",
        "TRUSTED",
        "PROCEDURAL",
        "ACCESS",
        "TRANSFORM",
        "TABLESPACE",
        "DATABASE",
        "GROUP",
        "DEFAULT",
        "LARGE",
        "ROUTINE",
        "SYSTEM",
        "POLICY",
    ];
    match w(0) {
        "SET" | "RESET" if stmt.to_ascii_lowercase().contains("search_path") => Kind::SearchPath,
        "SET" | "RESET" | "SELECT" | "COMMENT" | "GRANT" | "REVOKE" | "BEGIN" | "COMMIT"
        | "START" | "END" | "ROLLBACK" | "SAVEPOINT" | "RELEASE" | "DO" | "INSERT" | "UPDATE"
        | "DELETE" | "COPY" | "CLUSTER" | "REFRESH" | "ANALYZE" | "VACUUM" | "NOTIFY"
        | "LISTEN" | "LOCK" | "TRUNCATE" | "REINDEX" | "SECURITY" | "CALL" | "DISCARD"
        | "CHECKPOINT" | "PREPARE" | "EXECUTE" | "DEALLOCATE" | "WITH" | "VALUES" | "ABORT"
        | "IMPORT" | "REASSIGN" | "LOAD" => Kind::Irrelevant,
        "CREATE" => {
            let mut i = 1;
            if w(1) == "OR" {
                i = 3; // OR REPLACE
            }
            if IRRELEVANT_OBJECTS.contains(&w(i)) || (w(i) == "FOREIGN" && w(i + 1) == "DATA") {
                Kind::Irrelevant
            } else {
                Kind::Relevant
            }
        }
        "ALTER" => {
            let upper = stmt.to_ascii_uppercase();
            if IRRELEVANT_OBJECTS.contains(&w(1))
                || (w(1) == "FOREIGN" && w(2) == "DATA")
                || upper.contains(" OWNER TO ")
            {
                Kind::Irrelevant
            } else if w(1) == "TABLE" && !touches_columns_text(&upper) {
                // RLS, constraints other than PRIMARY KEY, triggers, storage, statistics, ...
                Kind::Irrelevant
            } else {
                Kind::Relevant
            }
        }
        "DROP" => match w(1) {
            "TABLE" | "VIEW" | "MATERIALIZED" | "TYPE" | "SCHEMA" => Kind::Relevant,
            "FOREIGN" if w(2) == "TABLE" => Kind::Relevant,
            _ => Kind::Irrelevant,
        },
        _ => Kind::Relevant,
    }
}

/// Text-level test for ALTER TABLE actions that can change the model.
fn touches_columns_text(upper: &str) -> bool {
    [
        " ADD ",
        " DROP ",
        " RENAME ",
        " ALTER COLUMN ",
        " SET NOT NULL",
        " DROP NOT NULL",
        " SET DEFAULT",
        " DROP DEFAULT",
        " TYPE ",
        " SET SCHEMA ",
        " PRIMARY KEY",
        " IDENTITY",
        " ALTER ",
    ]
    .iter()
    .any(|k| upper.contains(k))
        && !is_only_constraint_or_rls(upper)
}

/// `ADD CONSTRAINT x FOREIGN KEY ...`, `ADD CONSTRAINT x UNIQUE ...`, `... ROW LEVEL SECURITY`:
/// constraints other than PRIMARY KEY and RLS switches don't change columns.
fn is_only_constraint_or_rls(upper: &str) -> bool {
    let one_action =
        !upper.contains(',') || upper.contains("FOREIGN KEY") || upper.contains("CHECK (");
    (upper.contains("ROW LEVEL SECURITY") && !upper.contains(" COLUMN "))
        || (one_action
            && upper.contains(" ADD CONSTRAINT ")
            && !upper.contains("PRIMARY KEY")
            && !upper.contains(" ADD COLUMN"))
        || (one_action && upper.contains(" DROP CONSTRAINT ") && !upper.contains(" DROP COLUMN"))
        || (upper.contains(" ALTER COLUMN ")
            && (upper.contains(" SET STATISTICS ") || upper.contains(" SET STORAGE ")))
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
}
