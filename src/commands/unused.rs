//! `schemalint unused`: tables and columns no scanned code uses (a shortcut of `report`).

use std::collections::BTreeMap;

use miette::{miette, Report as Error};

use super::plan::plan_check;
use super::stages::{check_scanned, load_and_scan};
use super::Outcome;
use crate::check::{Reference, Report};
use crate::cli::CheckArgs;
use crate::render;
use crate::rules;
use crate::schema::{self, Ident};

/// `schemalint unused`: the "legacy table of unknown purpose" report.
pub fn run(args: &CheckArgs) -> Result<Outcome, Error> {
    let mut plan = plan_check(args)?;
    plan.collect_references = true;
    let ((loaded, _), files, walk_errors) = load_and_scan(args, &plan)?;
    let report = check_scanned(&plan, &loaded, files, walk_errors, None);
    let text = unused_report(&loaded.schema, &report, &plan.config.config.banned);
    render::write_stdout(&text).map_err(|e| miette!("could not write output: {e}"))?;
    for e in render::tool_error_lines(&report) {
        eprintln!("error: {}", render::escape_terminal(&e, false));
    }
    Ok(if report.is_incomplete() {
        Outcome::ToolError
    } else {
        Outcome::Clean
    })
}

fn unused_report(
    schema: &schema::Schema,
    report: &Report,
    banned: &BTreeMap<String, String>,
) -> String {
    let star = Ident::quoted("*");
    let used = |s: &Ident, t: &Ident, c: Option<&Ident>| {
        report.references.contains(&Reference {
            schema: s.clone(),
            table: t.clone(),
            column: c.cloned(),
        })
    };
    let mut tables = Vec::new();
    let mut columns = Vec::new();
    // Sequences are read through nextval() far more than as relations: not "unused tables".
    for (s, rel) in schema
        .relations()
        .filter(|(_, r)| r.kind != schema::RelationKind::Sequence)
    {
        if !used(s, &rel.name, None) {
            tables.push(format!("  {s}.{}", rel.name));
        } else if !used(s, &rel.name, Some(&star)) {
            for c in rel
                .columns
                .iter()
                .filter(|c| !used(s, &rel.name, Some(&c.name)))
            {
                columns.push(format!("  {s}.{}.{}", rel.name, c.name));
            }
        }
    }
    let banned_rules = rules::Banned::new(banned, schema);
    let mut still_used = Vec::new();
    for (s, rel) in schema.relations() {
        if let Some(reason) = banned_rules.table(Some(s), &rel.name) {
            if used(s, &rel.name, None) {
                let n = report
                    .diagnostics
                    .iter()
                    .filter(|d| {
                        d.rule == "banned-table" && d.message.contains(&format!("`{}`", rel.name))
                    })
                    .count();
                still_used.push(format!(
                    "  {s}.{} ({n} reference{}): {reason}",
                    rel.name,
                    if n == 1 { "" } else { "s" }
                ));
            }
        }
    }
    let section = |title: &str, items: &[String]| {
        if items.is_empty() {
            format!("{title}: none\n")
        } else {
            format!("{title} ({}):\n{}\n", items.len(), items.join("\n"))
        }
    };
    // Tables named in SQL that was not checked count as used, with all their columns; a
    // table used only by SQL built at run time cannot be known, which the count says.
    let unread = report.statements_in_part + report.statements_not_checked;
    format!(
        "{}{}{}(from {} statements in {} files{})\n",
        section("Tables no scanned code uses", &tables),
        section(
            "Columns no scanned code uses, in tables that are used",
            &columns
        ),
        section("Banned tables still in use", &still_used),
        report.statements_checked,
        report.files_scanned,
        match unread {
            0 => String::new(),
            n => format!(
                "; {n} more not checked in full, which may use more: `schemalint check --list-unchecked` lists them"
            ),
        }
    )
}
