//! `insert-column-count`: an INSERT whose values don't match its target columns in number.

use super::{declare_rule, Rule, RuleContext, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};
use crate::resolve::{InsertSource, TextRange};

declare_rule! {
    /// ## What it does
    /// Flags an `INSERT` that gives more values than there are target columns, fewer values
    /// than the columns it lists, or `VALUES` rows of different lengths. Without a column list
    /// the target columns are all of the table's columns, in order.
    ///
    /// ## Why is this bad?
    /// Postgres rejects the statement: `INSERT has more expressions than target columns` (or
    /// `more target columns than expressions`, or `VALUES lists must all be the same length`).
    /// It usually means a column was added to the list but not to the values, or the reverse.
    ///
    /// ## Example
    /// ```sql
    /// INSERT INTO assets (user_id, url) VALUES ($1, $2, $3);
    /// ```
    /// Use instead: list every column you give a value for: `(user_id, url, kind)`.
    pub struct InsertColumnCount => "insert-column-count", Severity::Error;
}

impl Rule for InsertColumnCount {
    fn check(cx: &mut RuleContext<'_>) {
        for insert in &cx.resolved.inserts {
            let Some((_, relation)) = cx.relation(insert.table) else {
                continue;
            };
            let targets = insert
                .columns
                .as_ref()
                .map_or(relation.columns.len(), Vec::len);
            let explicit = insert.columns.is_some();
            let finding = match &insert.source {
                InsertSource::Values(rows) => {
                    let first_len = rows.first().map_or(0, Vec::len);
                    if let Some(row) = rows.iter().find(|r| r.len() != first_len) {
                        let range = row.first().copied().unwrap_or(insert.range);
                        Some(("VALUES lists must all be the same length", range))
                    } else {
                        rows.first().and_then(|row| {
                            compare(
                                row.len(),
                                targets,
                                explicit,
                                row.get(targets).copied(),
                                insert,
                            )
                        })
                    }
                }
                InsertSource::Query {
                    width: Some(width),
                    range,
                } => compare(*width, targets, explicit, Some(*range), insert),
                _ => None,
            };
            if let Some((message, range)) = finding {
                let diagnostic = Diagnostic::new(
                    InsertColumnCount::NAME,
                    InsertColumnCount::SEVERITY,
                    message,
                    cx.span(range),
                )
                .with_label(format!(
                    "{targets} target column{}",
                    if targets == 1 { "" } else { "s" }
                ))
                .with_help(Some(format!(
                    "`{}` gets one value per listed column",
                    relation.name
                )));
                cx.report(diagnostic);
            }
        }
    }
}

fn compare(
    given: usize,
    targets: usize,
    explicit: bool,
    extra: Option<TextRange>,
    insert: &crate::resolve::InsertRef,
) -> Option<(&'static str, TextRange)> {
    if given > targets {
        Some((
            "INSERT has more expressions than target columns",
            extra.unwrap_or(insert.range),
        ))
    } else if explicit && given < targets {
        let column = insert
            .columns
            .as_ref()
            .and_then(|c| c.get(given))
            .map(|(_, r)| *r);
        Some((
            "INSERT has more target columns than expressions",
            column.unwrap_or(insert.range),
        ))
    } else {
        None
    }
}
