//! `unknown-column`: a column reference that no relation in scope has.

use super::{declare_rule, removal_help, removal_label, Rule, RuleContext, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};
use crate::resolve::{ColumnRef, ColumnStatus, ColumnUse};
use crate::schema::{closest, Ident};

declare_rule! {
    /// ## What it does
    /// Flags a column name that none of the relations it could refer to has: in a select list,
    /// `WHERE`, `JOIN ... ON`, `ORDER BY`, an `INSERT` column list, `UPDATE ... SET`,
    /// `ON CONFLICT`, `RETURNING` or `MERGE`, following Postgres's scoping rules (aliases,
    /// CTEs, subqueries, `LATERAL`, `USING`). Also flags a qualifier that names no table in
    /// the `FROM` clause (`missing FROM-clause entry for table "u"`).
    ///
    /// ## Why is this bad?
    /// Postgres rejects the statement at run time: `column "media_type" of relation "media"
    /// does not exist`.
    ///
    /// ## Example
    /// ```ts
    /// await sql`INSERT INTO media (user_id, media_type, url) VALUES (${u}, ${t}, ${url})`;
    /// ```
    /// Use instead: write to the table that has the column (`assets`), or drop the column.
    ///
    /// The help line says when the column was renamed or dropped by a migration, suggests a
    /// close name in scope, or names other tables that do have the column. Nothing is reported
    /// when a relation in scope has columns the checker can't know (an unknown function, a
    /// catalog table), or when text built at run time is pasted where a clause goes and no
    /// relation written out could hold the column (`SELECT o.id ${rest}`: the rest may bring
    /// the FROM items): false positives are worse than misses.
    pub struct UnknownColumn => "unknown-column", Severity::Error;
}

impl Rule for UnknownColumn {
    fn check(cx: &mut RuleContext<'_>) {
        // Text pasted where a clause goes (`SELECT o.id ${rest}`) may be where the FROM items
        // are: a qualifier no FROM item written out names, or a column with no relation in
        // scope at all, is not known to be missing. A column of a relation written out is.
        let from_unknown = cx.clause_pasted();
        for column in &cx.resolved.columns {
            let unsure = from_unknown
                && match &column.status {
                    ColumnStatus::MissingQualifier { .. } => true,
                    ColumnStatus::Missing { searched, .. } => searched.is_empty(),
                    _ => false,
                };
            if unsure {
                continue;
            }
            match &column.status {
                ColumnStatus::Missing { searched, visible } => {
                    if searched.iter().any(|&t| cx.is_banned_table(t)) {
                        continue;
                    }
                    let diagnostic = missing_column(cx, column, searched, visible);
                    cx.report(diagnostic);
                }
                ColumnStatus::MissingQualifier { hidden_by } => {
                    let Some(qualifier) = &column.qualifier else {
                        continue;
                    };
                    let range = column.qualifier_range.unwrap_or(column.range);
                    let span = cx.span(range);
                    let diagnostic = match hidden_by {
                        Some(alias) => Diagnostic::new(
                            UnknownColumn::NAME,
                            UnknownColumn::SEVERITY,
                            format!(
                                "invalid reference to FROM-clause entry for table \"{qualifier}\""
                            ),
                            span,
                        )
                        .with_label("hidden by an alias")
                        .with_help(Some(format!(
                            "use the alias `{alias}` instead of `{qualifier}`"
                        ))),
                        None => Diagnostic::new(
                            UnknownColumn::NAME,
                            UnknownColumn::SEVERITY,
                            format!("missing FROM-clause entry for table \"{qualifier}\""),
                            span,
                        )
                        .with_label("no such table in FROM"),
                    };
                    cx.report(diagnostic);
                }
                _ => {}
            }
        }
    }
}

fn missing_column(
    cx: &RuleContext<'_>,
    column: &ColumnRef,
    searched: &[usize],
    visible: &[Ident],
) -> Diagnostic {
    let name = &column.name;
    let message = match (&column.usage, &column.qualifier) {
        (ColumnUse::Target { table }, _) => {
            let relation = cx.resolved.tables[*table].name.name.clone();
            format!("column \"{name}\" of relation \"{relation}\" does not exist")
        }
        (ColumnUse::Expr, Some(q)) => format!("column {q}.{name} does not exist"),
        (ColumnUse::Expr, None) => format!("column \"{name}\" does not exist"),
    };
    let relations: Vec<_> = searched.iter().filter_map(|&t| cx.relation(t)).collect();
    let removal = relations
        .iter()
        .find_map(|(_, r)| r.removed_columns.get(name));
    let help = removal
        .map(|rm| removal_help("column", name, rm))
        .or_else(|| closest(name.as_str(), visible).map(|c| format!("did you mean `{c}`?")))
        .or_else(|| {
            let elsewhere: Vec<String> = cx
                .column_owners
                .of(name)
                .iter()
                .map(|(s, r)| {
                    if cx.schema.search_path.contains(s) {
                        format!("`{r}`")
                    } else {
                        format!("`{s}.{r}`")
                    }
                })
                .take(3)
                .collect();
            (!elsewhere.is_empty()).then(|| format!("`{name}` exists in {}", elsewhere.join(", ")))
        });
    // A table that application code creates: say so, its columns come from that statement.
    let in_code = match relations.as_slice() {
        [(_, r)] => r.created.as_ref().filter(|p| p.in_code),
        _ => None,
    };
    let help = help.or_else(|| {
        in_code.map(|p| format!("`{name}` is not in the table's definition, created in {p}"))
    });
    let label = match (removal, relations.as_slice()) {
        (Some(removal), _) => removal_label(removal),
        (None, [(_, r)]) if in_code.is_some() => {
            format!("not a column of `{}` (created in code)", r.name)
        }
        (None, [(_, r)]) => format!("not a column of `{}`", r.name),
        (None, _) => "not in scope".to_string(),
    };
    Diagnostic::new(
        UnknownColumn::NAME,
        UnknownColumn::SEVERITY,
        message,
        cx.span(column.range),
    )
    .with_label(label)
    .with_help(help)
}
