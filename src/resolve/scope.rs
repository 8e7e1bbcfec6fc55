//! Scopes: the relations visible at one level of a query (FROM items, DML targets), the CTEs
//! defined there, and a link to the enclosing level for correlated references.

use sqlparser::ast::TableAlias;

use super::ColumnStatus;
use crate::schema::Ident;

/// A relation's column names, and whether the list is complete. A missing name is only an
/// error when the list is complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cols {
    pub names: Vec<Ident>,
    pub complete: bool,
}

impl Cols {
    pub fn known(names: Vec<Ident>) -> Self {
        Cols {
            names,
            complete: true,
        }
    }

    pub fn unknown() -> Self {
        Cols {
            names: Vec::new(),
            complete: false,
        }
    }

    pub fn contains(&self, name: &Ident) -> bool {
        self.names.contains(name)
    }

    pub fn push(&mut self, name: Ident) {
        self.names.push(name);
    }

    pub fn extend(&mut self, other: Cols) {
        self.names.extend(other.names);
        self.complete &= other.complete;
    }

    /// Apply a table alias's column list: `AS d(a, b)` renames the first columns.
    pub fn renamed(mut self, alias: &TableAlias) -> Cols {
        for (i, c) in alias.columns.iter().enumerate() {
            let name = Ident::from_ast(&c.name);
            match self.names.get_mut(i) {
                Some(slot) => *slot = name,
                None => self.names.push(name),
            }
        }
        self
    }
}

/// One FROM item (or DML target) as seen by column references.
#[derive(Debug, Clone)]
pub(crate) struct ScopeRel {
    /// The name it is referred to by: the alias, or the table's own name. A subquery without an
    /// alias (allowed since Postgres 16) has none.
    pub name: Option<Ident>,
    /// For an unaliased schema-qualified table: its schema, so `public.users.id` works.
    pub schema: Option<Ident>,
    /// The underlying table name, even when aliased (to explain `missing FROM-clause entry`).
    pub base_name: Option<Ident>,
    pub cols: Cols,
    /// Index of the table reference in `Resolved::tables`, for base tables.
    pub table: Option<usize>,
    /// Tables also have ctid, xmin, ... (not views of derived tables, but be lenient).
    pub system_columns: bool,
    /// Visible only through its name (`old.x` / `new.x` in RETURNING): not to unqualified
    /// columns, nor to `*`.
    pub qualified_only: bool,
}

impl ScopeRel {
    pub fn derived(name: Option<Ident>, cols: Cols) -> Self {
        ScopeRel {
            name,
            schema: None,
            base_name: None,
            cols,
            table: None,
            system_columns: false,
            qualified_only: false,
        }
    }

    fn has_column(&self, name: &Ident) -> bool {
        self.cols.contains(name) || (self.system_columns && is_system_column(name.as_str()))
    }
}

fn is_system_column(name: &str) -> bool {
    matches!(
        name,
        "ctid" | "xmin" | "xmax" | "cmin" | "cmax" | "tableoid"
    )
}

/// One level of name visibility.
#[derive(Debug)]
pub(crate) struct Scope<'p> {
    parent: Option<&'p Scope<'p>>,
    pub rels: Vec<ScopeRel>,
    ctes: Vec<(Ident, Cols)>,
    /// Columns merged by `USING (...)` / NATURAL joins: a name and the rels that share it.
    merged: Vec<(Ident, Vec<usize>)>,
    /// Output column names visible to ORDER BY of a set operation.
    outputs: Option<Cols>,
}

impl<'p> Scope<'p> {
    pub fn root() -> Scope<'static> {
        Scope {
            parent: None,
            rels: Vec::new(),
            ctes: Vec::new(),
            merged: Vec::new(),
            outputs: None,
        }
    }

    pub fn child(parent: &'p Scope<'p>) -> Scope<'p> {
        Scope {
            parent: Some(parent),
            rels: Vec::new(),
            ctes: Vec::new(),
            merged: Vec::new(),
            outputs: None,
        }
    }

    /// A level that sees the select's FROM items plus its output names.
    pub fn outputs(inner: &'p Scope<'p>, outputs: &Cols) -> Scope<'p> {
        let mut s = Scope::child(inner);
        s.outputs = Some(outputs.clone());
        s
    }

    pub fn add_cte(&mut self, name: Ident, cols: Cols) {
        self.ctes.push((name, cols));
    }

    fn levels(&self) -> impl Iterator<Item = &Scope<'p>> {
        std::iter::successors(Some(self), |s| s.parent)
    }

    pub fn find_cte(&self, name: &Ident) -> Option<&Cols> {
        self.levels()
            .find_map(|s| s.ctes.iter().rev().find(|(n, _)| n == name).map(|(_, c)| c))
    }

    /// A FROM item by the name it is visible under, innermost level first.
    pub fn find_rel(&self, name: &Ident, schema: Option<&Ident>) -> Option<&ScopeRel> {
        self.levels().find_map(|s| {
            s.rels.iter().find(|r| {
                r.name.as_ref() == Some(name)
                    && schema.is_none_or(|sch| r.schema.as_ref() == Some(sch))
            })
        })
    }

    /// An alias that hides a table named `name` (`FROM users u ... users.id`).
    pub fn alias_hiding(&self, name: &Ident) -> Option<Ident> {
        self.levels().find_map(|s| {
            s.rels
                .iter()
                .find(|r| r.base_name.as_ref() == Some(name) && r.name.as_ref() != Some(name))
                .and_then(|r| r.name.clone())
        })
    }

    /// Every column of this level's FROM items, for `SELECT *`.
    pub fn all_columns(&self) -> Cols {
        let mut cols = Cols::known(Vec::new());
        let mut seen_merged: Vec<&Ident> = Vec::new();
        for (i, rel) in self.rels.iter().enumerate() {
            if rel.qualified_only {
                continue;
            }
            for name in &rel.cols.names {
                // A USING column appears once in `SELECT *`.
                if let Some((n, _)) = self
                    .merged
                    .iter()
                    .find(|(n, rels)| n == name && rels.contains(&i))
                {
                    if seen_merged.contains(&n) {
                        continue;
                    }
                    seen_merged.push(n);
                }
                cols.push(name.clone());
            }
            cols.complete &= rel.cols.complete;
        }
        cols
    }

    /// Record a `USING (a, b)` join between rels `..left_len` and `left_len..`.
    pub fn merge_using(&mut self, left_len: usize, names: &[Ident]) {
        for name in names {
            let members: Vec<usize> = (0..self.rels.len())
                .filter(|&i| {
                    self.rels[i].has_column(name) || (i >= left_len && !self.rels[i].cols.complete)
                })
                .collect();
            self.merged.push((name.clone(), members));
        }
    }

    /// Record a NATURAL join: the names both sides share.
    pub fn merge_natural(&mut self, left_len: usize) {
        let right: Vec<Ident> = self.rels[left_len..]
            .iter()
            .flat_map(|r| r.cols.names.iter().cloned())
            .collect();
        let shared: Vec<Ident> = right
            .into_iter()
            .filter(|n| self.rels[..left_len].iter().any(|r| r.cols.contains(n)))
            .collect();
        self.merge_using(left_len, &shared);
    }

    /// Postgres's rule for an unqualified column: the innermost level with a match wins; two
    /// matches at that level are ambiguous; no match anywhere is an error, unless some level
    /// holds a relation whose columns we don't know.
    pub fn resolve_unqualified(&self, name: &Ident) -> ColumnStatus {
        let mut searched = Vec::new();
        let mut visible = Vec::new();
        for level in self.levels() {
            if let Some(outputs) = &level.outputs {
                if outputs.contains(name) {
                    return ColumnStatus::Found { table: None };
                }
            }
            let mut matches: Vec<usize> = level
                .rels
                .iter()
                .enumerate()
                .filter(|(_, r)| !r.qualified_only && r.has_column(name))
                .map(|(i, _)| i)
                .collect();
            // Rels joined with USING (name) count as one.
            for (merged_name, members) in &level.merged {
                if merged_name == name && matches.iter().filter(|i| members.contains(i)).count() > 1
                {
                    let keep = matches.iter().copied().find(|i| members.contains(i));
                    matches.retain(|i| !members.contains(i) || Some(*i) == keep);
                }
            }
            let uncertain = level
                .rels
                .iter()
                .any(|r| !r.qualified_only && !r.cols.complete);
            match matches.as_slice() {
                [one] => {
                    return ColumnStatus::Found {
                        table: level.rels[*one].table,
                    }
                }
                [_, _, ..] => return ColumnStatus::Ambiguous,
                [] if uncertain => return ColumnStatus::Found { table: None },
                [] => {}
            }
            for rel in level.rels.iter().filter(|r| !r.qualified_only) {
                searched.extend(rel.table);
                visible.extend(rel.cols.names.iter().cloned());
            }
        }
        // Not a column: a bare relation name is a whole-row reference (`row_to_json(u)`).
        if self
            .levels()
            .any(|l| l.rels.iter().any(|r| r.name.as_ref() == Some(name)))
        {
            return ColumnStatus::Found { table: None };
        }
        ColumnStatus::Missing { searched, visible }
    }

    /// The relation a bare `name` is a whole-row reference to, when `name` can't be a column
    /// (`(u).email` with `u` an alias): no relation at any level has, or may have, a column
    /// of that name.
    pub fn whole_row(&self, name: &Ident) -> Option<&ScopeRel> {
        let maybe_column = self.levels().any(|l| {
            l.outputs.as_ref().is_some_and(|o| o.contains(name))
                || l.rels
                    .iter()
                    .any(|r| !r.qualified_only && (!r.cols.complete || r.has_column(name)))
        });
        if maybe_column {
            return None;
        }
        self.find_rel(name, None)
    }

    pub fn resolve_qualified(
        &self,
        qualifier: &Ident,
        schema: Option<&Ident>,
        name: &Ident,
    ) -> ColumnStatus {
        match self.find_rel(qualifier, schema) {
            Some(rel) if rel.has_column(name) || !rel.cols.complete => {
                ColumnStatus::Found { table: rel.table }
            }
            Some(rel) => ColumnStatus::Missing {
                searched: rel.table.into_iter().collect(),
                visible: rel.cols.names.clone(),
            },
            None => {
                // `(composite_col).field` is written with parentheses in Postgres, so an unknown
                // qualifier is an error there, unless it names a column of a relation whose
                // columns we don't fully know (then we can't tell).
                let uncertain = self.levels().any(|l| {
                    l.rels
                        .iter()
                        .any(|r| !r.cols.complete || r.cols.contains(qualifier))
                });
                if uncertain || schema.is_some() {
                    ColumnStatus::Found { table: None }
                } else {
                    ColumnStatus::MissingQualifier {
                        hidden_by: self.alias_hiding(qualifier),
                    }
                }
            }
        }
    }
}
