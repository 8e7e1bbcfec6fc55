//! `--statistics`: how many findings each rule produced, instead of the findings themselves
//! (ruff's `--statistics`): the first look at a codebase that adopts the gate.

use std::collections::BTreeMap;

use super::human;
use crate::check::Report;
use crate::diagnostic::Severity;

pub fn render(report: &Report) -> String {
    let mut counts: BTreeMap<&str, (usize, Severity)> = BTreeMap::new();
    for d in &report.diagnostics {
        let entry = counts.entry(d.rule).or_insert((0, d.severity));
        entry.0 += 1;
        entry.1 = entry.1.max(d.severity);
    }
    let mut rows: Vec<(&str, usize, Severity)> =
        counts.into_iter().map(|(r, (n, s))| (r, n, s)).collect();
    // Most frequent first; ties by name, so the output is stable.
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let width = rows
        .iter()
        .map(|r| r.1.to_string().len())
        .max()
        .unwrap_or(1);
    let mut out = String::new();
    for (rule, n, severity) in rows {
        out.push_str(&format!("{n:>width$}  {rule:<26}{severity}\n"));
    }
    out.push_str(&human::summary(report));
    out
}
