//! The database model: schemas → relations → columns, enum types and the search path, plus
//! provenance (which file and line created, renamed or dropped a name). Loaders fill it in;
//! nothing here reads files or talks to a server.

pub mod conninfo;
pub mod diff;
pub mod functions;
mod ident;
pub mod live;
mod migrations;
mod pgpass;
pub mod replay;
pub mod snapshot;
pub mod types;

pub use ident::{closest, edit_distance, Ident};
pub use migrations::{
    load_ddl_paths, load_ddl_paths_in, planned_sql, LoadedSchema, SchemaError, MAX_SCHEMA_FILE_SIZE,
};
pub use replay::SchemaWarning;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// Where a definition came from: a DDL or migration file and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Provenance {
    pub file: Arc<str>,
    pub line: u32,
    /// Made by DDL that application code runs (a scanned source file), not by a schema source.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub in_code: bool,
}

impl fmt::Display for Provenance {
    /// `migrations/001_init.sql:3`, or `code at netlify/functions/db.ts:48` for DDL run by code.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.in_code {
            write!(f, "code at ")?;
        }
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// A name that no longer exists, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Removal {
    Dropped {
        at: Option<Provenance>,
    },
    Renamed {
        to: Ident,
        at: Option<Provenance>,
    },
    /// Its `CREATE` could not be applied (a syntax error, another database's dialect): the
    /// relation is missing because of that statement, which has its `unsupported-ddl` warning.
    NotApplied {
        at: Option<Provenance>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RelationKind {
    Table,
    View,
    MaterializedView,
    PartitionedTable,
    ForeignTable,
    /// `CREATE SEQUENCE`: readable as a one-row relation (`last_value`, `log_cnt`, `is_called`).
    Sequence,
}

impl RelationKind {
    /// Whether rows can be inserted directly (views may be updatable, but we don't know that).
    pub fn is_table(self) -> bool {
        matches!(
            self,
            RelationKind::Table | RelationKind::PartitionedTable | RelationKind::ForeignTable
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Identity {
    Always,
    ByDefault,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Column {
    pub name: Ident,
    /// The type as Postgres's `format_type` writes it: `integer`, `character varying(255)`, `text[]`.
    #[serde(rename = "type")]
    pub data_type: String,
    pub nullable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    /// `GENERATED ALWAYS AS (expr) STORED`: the expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Provenance>,
}

impl Column {
    pub fn new(name: Ident, data_type: impl Into<String>) -> Self {
        Column {
            name,
            data_type: data_type.into(),
            nullable: true,
            default: None,
            identity: None,
            generated: None,
            created: None,
        }
    }

    /// An INSERT may leave this column out without a NOT NULL violation.
    pub fn may_be_omitted(&self) -> bool {
        self.nullable
            || self.default.is_some()
            || self.identity.is_some()
            || self.generated.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Relation {
    pub name: Ident,
    pub kind: RelationKind,
    pub columns: Vec<Column>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Provenance>,
    /// Columns that existed once: dropped, or renamed to something else.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub removed_columns: BTreeMap<Ident, Removal>,
    /// The column list is unknown (a view whose query could not be analysed): references
    /// through this relation are not judged.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub opaque: bool,
    /// Tables this one inherits from or is a partition of (schema, name): an ALTER TABLE of
    /// a parent without ONLY changes the columns of its children too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parents: Vec<(Ident, Ident)>,
    /// Relations this one depends on (schema, name): a view's tables, a serial or identity
    /// column's table for its sequence. `DROP ... CASCADE` of one of them drops this one; a
    /// sequence owned by a table goes with it even without CASCADE.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<(Ident, Ident)>,
}

impl Relation {
    pub fn new(name: Ident, kind: RelationKind) -> Self {
        Relation {
            name,
            kind,
            columns: Vec::new(),
            created: None,
            removed_columns: BTreeMap::new(),
            opaque: false,
            parents: Vec::new(),
            depends_on: Vec::new(),
        }
    }

    pub fn column(&self, name: &Ident) -> Option<&Column> {
        self.columns.iter().find(|c| &c.name == name)
    }

    pub fn column_mut(&mut self, name: &Ident) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| &c.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct EnumType {
    pub name: Ident,
    pub labels: Vec<String>,
}

/// One Postgres schema (namespace).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Namespace {
    #[serde(default)]
    pub relations: BTreeMap<Ident, Relation>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub enums: BTreeMap<Ident, EnumType>,
    /// Relations that existed once: dropped, or renamed to something else.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub removed_relations: BTreeMap<Ident, Removal>,
    /// Functions by name, one entry per overload (what their FROM items' columns are).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub functions: BTreeMap<Ident, Vec<functions::Function>>,
}

/// A relation name as written: optionally schema-qualified.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QualifiedName {
    pub schema: Option<Ident>,
    pub name: Ident,
}

impl QualifiedName {
    /// `t` or `s.t` from a parsed name; `None` for `db.s.t` (Postgres only accepts the current
    /// database, and we don't model databases) and for dialect-specific name parts.
    pub fn from_object_name(name: &sqlparser::ast::ObjectName) -> Option<QualifiedName> {
        let parts: Vec<&sqlparser::ast::Ident> = name
            .0
            .iter()
            .map(sqlparser::ast::ObjectNamePart::as_ident)
            .collect::<Option<_>>()?;
        match parts.as_slice() {
            [table] => Some(QualifiedName {
                schema: None,
                name: Ident::from_ast(table),
            }),
            [schema, table] => Some(QualifiedName {
                schema: Some(Ident::from_ast(schema)),
                name: Ident::from_ast(table),
            }),
            _ => None,
        }
    }
}

impl fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.schema {
            Some(s) => write!(f, "{s}.{}", self.name),
            None => write!(f, "{}", self.name),
        }
    }
}

/// The whole database model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Schema {
    pub search_path: Vec<Ident>,
    pub namespaces: BTreeMap<Ident, Namespace>,
    /// The server's major version, when the schema came from one (a live database or its
    /// snapshot) or the config says (`[schema] postgres-version`). `None`: the newest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postgres_version: Option<u32>,
    /// Schemas the config says exist outside the model (`[schema] external-schemas`): a name
    /// qualified with one is not judged.
    #[serde(skip)]
    pub external_schemas: Vec<Ident>,
}

/// The relations of a schema with a column of each name (schema and relation name, in
/// [`Schema::relations`] order), built on first use: `unknown-column`'s "`x` exists in `t`"
/// looked through every relation's columns for each finding (on the 1M-line bench tree, 1,000
/// tables and 83 findings: 20M instructions, 1.7% of the run).
#[derive(Debug)]
pub struct ColumnOwners<'s> {
    schema: &'s Schema,
    owners: std::sync::OnceLock<rustc_hash::FxHashMap<Ident, Vec<(Ident, Ident)>>>,
}

impl<'s> ColumnOwners<'s> {
    pub fn new(schema: &'s Schema) -> Self {
        ColumnOwners {
            schema,
            owners: std::sync::OnceLock::new(),
        }
    }

    /// The relations with a column named `column`.
    pub fn of(&self, column: &Ident) -> &[(Ident, Ident)] {
        let owners = self.owners.get_or_init(|| {
            let mut owners: rustc_hash::FxHashMap<Ident, Vec<(Ident, Ident)>> =
                rustc_hash::FxHashMap::default();
            for (s, r) in self.schema.relations() {
                for c in &r.columns {
                    let of = owners.entry(c.name.clone()).or_default();
                    // A name listed twice in one relation still names it once.
                    if of.last().is_none_or(|(ls, lr)| (ls, lr) != (s, &r.name)) {
                        of.push((s.clone(), r.name.clone()));
                    }
                }
            }
            owners
        });
        owners.get(column).map_or(&[], Vec::as_slice)
    }
}

/// The newest stable PostgreSQL major version: the default for `postgres-version`.
pub const LATEST_POSTGRES_VERSION: u32 = 18;

impl Default for Schema {
    fn default() -> Self {
        let mut namespaces = BTreeMap::new();
        namespaces.insert(Ident::from("public"), Namespace::default());
        Schema {
            search_path: vec![Ident::from("public")],
            namespaces,
            postgres_version: None,
            external_schemas: Vec::new(),
        }
    }
}

/// Schemas whose relations we never check: the system catalogs.
pub fn is_catalog_schema(schema: &Ident) -> bool {
    matches!(
        schema.as_str(),
        "pg_catalog" | "information_schema" | "pg_toast"
    ) || schema.as_str().starts_with("pg_temp")
}

/// The outcome of looking a relation name up.
#[derive(Debug, Clone, Copy)]
pub enum Lookup<'a> {
    Found {
        schema: &'a Ident,
        relation: &'a Relation,
    },
    /// A system catalog relation (`pg_class`, `information_schema.columns`): exists, columns unknown.
    Catalog,
    /// The schema named in the qualifier is not one we know: we cannot say anything.
    UnknownSchema,
    Missing,
}

impl Lookup<'_> {
    pub fn is_found(&self) -> bool {
        matches!(self, Lookup::Found { .. })
    }
}

impl Schema {
    /// Whether a type name (as written) is an enum of the model.
    pub fn is_enum(&self, name: &QualifiedName) -> bool {
        match &name.schema {
            Some(s) => self
                .namespaces
                .get(s)
                .is_some_and(|ns| ns.enums.contains_key(&name.name)),
            None => self.search_path.iter().any(|s| {
                self.namespaces
                    .get(s)
                    .is_some_and(|ns| ns.enums.contains_key(&name.name))
            }),
        }
    }

    pub fn namespace(&self, name: &Ident) -> Option<&Namespace> {
        self.namespaces.get(name)
    }

    pub fn namespace_mut(&mut self, name: &Ident) -> &mut Namespace {
        self.namespaces.entry(name.clone()).or_default()
    }

    /// The schema that unqualified CREATE statements go into: the first of the search path.
    pub fn creation_schema(&self) -> Ident {
        self.search_path
            .first()
            .cloned()
            .unwrap_or_else(|| Ident::from("public"))
    }

    /// Resolve a relation name as Postgres does: a qualified name looks in that schema only,
    /// an unqualified one looks in `pg_catalog` first (implicitly) and then the search path.
    pub fn lookup(&self, name: &QualifiedName) -> Lookup<'_> {
        match &name.schema {
            Some(schema) if is_catalog_schema(schema) => Lookup::Catalog,
            Some(schema) => match self.namespaces.get_key_value(schema) {
                Some((key, ns)) => match ns.relations.get(&name.name) {
                    Some(relation) => Lookup::Found {
                        schema: key,
                        relation,
                    },
                    None => Lookup::Missing,
                },
                None if self.external_schemas.contains(schema) => Lookup::UnknownSchema,
                // Postgres: `relation "app_publc.users" does not exist` (the schema's neither).
                None => Lookup::Missing,
            },
            None => {
                for schema in &self.search_path {
                    if let Some((key, ns)) = self.namespaces.get_key_value(schema) {
                        if let Some(relation) = ns.relations.get(&name.name) {
                            return Lookup::Found {
                                schema: key,
                                relation,
                            };
                        }
                    }
                }
                if is_catalog_relation(name.name.as_str()) {
                    Lookup::Catalog
                } else {
                    Lookup::Missing
                }
            }
        }
    }

    /// The relation `schema.name` of the model, with the schema's key: [`Schema::lookup`] of a
    /// qualified name that is found, without building the name.
    pub fn relation_in(&self, schema: &Ident, name: &Ident) -> Option<(&Ident, &Relation)> {
        if is_catalog_schema(schema) {
            return None;
        }
        let (key, ns) = self.namespaces.get_key_value(schema)?;
        ns.relations.get(name).map(|r| (key, r))
    }

    /// The major version statements are judged by.
    pub fn version(&self) -> u32 {
        self.postgres_version.unwrap_or(LATEST_POSTGRES_VERSION)
    }

    /// What a function named in FROM returns: `None` when the model has no such function
    /// (a built-in, or one created outside the schema sources); `Unknown` when its overloads
    /// disagree (we don't pick overloads by argument type).
    pub fn function_result(&self, name: &QualifiedName) -> Option<functions::FunctionResult> {
        let found = match &name.schema {
            Some(s) => self.namespaces.get(s)?.functions.get(&name.name)?,
            None => self
                .search_path
                .iter()
                .find_map(|s| self.namespaces.get(s)?.functions.get(&name.name))?,
        };
        let first = &found.first()?.result;
        Some(if found.iter().all(|f| &f.result == first) {
            first.clone()
        } else {
            functions::FunctionResult::Unknown
        })
    }

    pub fn relation(&self, name: &QualifiedName) -> Option<&Relation> {
        match self.lookup(name) {
            Lookup::Found { relation, .. } => Some(relation),
            _ => None,
        }
    }

    /// The schemas an unqualified or qualified name would be searched in.
    fn searched(&self, name: &QualifiedName) -> Vec<&Namespace> {
        match &name.schema {
            Some(s) => self.namespaces.get(s).into_iter().collect(),
            None => self
                .search_path
                .iter()
                .filter_map(|s| self.namespaces.get(s))
                .collect(),
        }
    }

    /// Why a missing relation is missing, if the history knows (dropped or renamed).
    pub fn removal(&self, name: &QualifiedName) -> Option<&Removal> {
        self.searched(name)
            .into_iter()
            .find_map(|ns| ns.removed_relations.get(&name.name))
    }

    /// The closest existing relation name in the searched schemas, for "did you mean".
    pub fn closest_relation(&self, name: &QualifiedName) -> Option<&Ident> {
        let candidates: Vec<&Ident> = self
            .searched(name)
            .into_iter()
            .flat_map(|ns| ns.relations.keys())
            .collect();
        closest(name.name.as_str(), candidates)
    }

    /// Every relation, with the schema it lives in.
    pub fn relations(&self) -> impl Iterator<Item = (&Ident, &Relation)> {
        self.namespaces
            .iter()
            .flat_map(|(s, ns)| ns.relations.values().map(move |r| (s, r)))
    }

    /// Enum type by (possibly qualified) name.
    pub fn enum_type(&self, name: &QualifiedName) -> Option<&EnumType> {
        self.searched(name)
            .into_iter()
            .find_map(|ns| ns.enums.get(&name.name))
    }

    /// A copy without provenance, for comparing schemas built from different sources.
    pub fn without_provenance(&self) -> Schema {
        let mut s = self.clone();
        for ns in s.namespaces.values_mut() {
            ns.removed_relations.clear();
            for rel in ns.relations.values_mut() {
                rel.created = None;
                rel.removed_columns.clear();
                rel.parents.clear();
                rel.depends_on.clear();
                for col in &mut rel.columns {
                    col.created = None;
                }
            }
        }
        s
    }
}

/// Unqualified names that Postgres finds in `pg_catalog` (searched before the search path).
fn is_catalog_relation(name: &str) -> bool {
    name.starts_with("pg_")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema_with(names: &[(&str, &str)]) -> Schema {
        let mut s = Schema::default();
        for (schema, table) in names {
            s.namespace_mut(&Ident::from(*schema)).relations.insert(
                Ident::from(*table),
                Relation::new(Ident::from(*table), RelationKind::Table),
            );
        }
        s
    }

    fn q(schema: Option<&str>, name: &str) -> QualifiedName {
        QualifiedName {
            schema: schema.map(Ident::from),
            name: Ident::from(name),
        }
    }

    #[test]
    fn search_path_order() {
        let mut s = schema_with(&[("app", "users"), ("public", "users"), ("public", "assets")]);
        s.search_path = vec![Ident::from("app"), Ident::from("public")];
        match s.lookup(&q(None, "users")) {
            Lookup::Found { schema, .. } => assert_eq!(schema.as_str(), "app"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(s.lookup(&q(None, "assets")), Lookup::Found { .. }));
        assert!(matches!(
            s.lookup(&q(Some("app"), "assets")),
            Lookup::Missing
        ));
        // Postgres: `relation "nope.assets" does not exist`, unless the config says the
        // schema exists outside the model.
        assert!(matches!(
            s.lookup(&q(Some("nope"), "assets")),
            Lookup::Missing
        ));
        s.external_schemas = vec![Ident::from("nope")];
        assert!(matches!(
            s.lookup(&q(Some("nope"), "assets")),
            Lookup::UnknownSchema
        ));
        assert!(matches!(
            s.lookup(&q(Some("pg_catalog"), "pg_class")),
            Lookup::Catalog
        ));
        assert!(matches!(s.lookup(&q(None, "pg_class")), Lookup::Catalog));
        assert!(matches!(
            s.lookup(&q(Some("information_schema"), "columns")),
            Lookup::Catalog
        ));
    }
}
