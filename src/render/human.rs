//! Human output: miette's graphical reports with a source snippet, a label on the exact
//! identifier and the help line; then a one-line summary. miette is handed only the few lines
//! around each finding, clipped and escaped ([`Snippet`]): it scans its source from the start
//! for every report and panics on columns past 65,535, and it prints control characters raw.

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::{display_path, escape_terminal, push_escaped, Files, HumanOptions, TextIndex};
use crate::check::{Report, UncheckedStatus};
use crate::diagnostic::{Diagnostic, Origin, Severity};

/// Lines longer than this (in bytes) are shown clipped around the finding.
const MAX_LINE: usize = 240;
/// Characters kept before the finding on a clipped line.
const CLIP_BEFORE: usize = 60;
/// Lines of context miette shows above and below the finding (its default).
const CONTEXT_LINES: usize = 1;

pub fn render(report: &Report, options: HumanOptions) -> String {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(options.width)
        .with_links(false)
        .with_urls(false)
        .with_context_lines(CONTEXT_LINES);
    let mut out = String::new();
    let mut files = Files::new(report);
    for d in &report.diagnostics {
        if !files.has(&d.file) {
            continue;
        }
        // A blank line between findings, so each reads as its own block.
        if !out.is_empty() {
            out.push('\n');
        }
        let name = escape_terminal(&display_path(&d.file), false).into_owned();
        let snippet = Snippet::new(files.index(&d.file), d.span.start, d.span.end, name);
        let miette_report =
            miette::Report::new(to_miette(d, snippet.label)).with_source_code(snippet.source);
        // Writing into a String cannot fail.
        let _ = handler.render_report(&mut out, miette_report.as_ref());
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(&summary(report));
    out.push_str(&not_checked(report));
    out.push_str(&verified(report));
    out
}

/// What was not checked in full, one line per kind; one line per reason for SQL skipped as
/// being for another database; and a warning when source files held no SQL at all.
fn not_checked(report: &Report) -> String {
    let mut out = String::new();
    let mut parts = Vec::new();
    if report.statements_in_part > 0 {
        parts.push(format!(
            "{} checked in part (built at run time)",
            plural(report.statements_in_part, "statement")
        ));
    }
    if report.statements_skipped > 0 {
        parts.push(format!(
            "{} skipped (another database)",
            plural(report.statements_skipped, "statement")
        ));
    }
    if report.statements_not_checked > 0 {
        let do_blocks = report
            .unchecked
            .iter()
            .filter(|u| {
                u.status == UncheckedStatus::NotChecked && u.reason == crate::check::DO_BLOCK
            })
            .count();
        let why = match (
            do_blocks,
            report.statements_not_checked.saturating_sub(do_blocks),
        ) {
            (0, _) => "did not parse",
            (_, 0) => "PL/pgSQL in DO blocks",
            _ => "did not parse, or PL/pgSQL in DO blocks",
        };
        parts.push(format!(
            "{} not checked ({why})",
            plural(report.statements_not_checked, "statement")
        ));
    }
    if !parts.is_empty() {
        out.push_str(&format!(
            "Also: {}; list them with `schemalint check --list-unchecked`.\n",
            parts.join(", ")
        ));
    }
    let mut reasons: Vec<(&str, Vec<&std::path::Path>)> = Vec::new();
    for u in report
        .unchecked
        .iter()
        .filter(|u| u.status == UncheckedStatus::Skipped)
    {
        match reasons.iter_mut().find(|(r, _)| *r == u.reason) {
            Some((_, files)) => files.push(&u.file),
            None => reasons.push((&u.reason, vec![&u.file])),
        }
    }
    for (reason, files) in reasons {
        let statements = files.len();
        let mut distinct = files.clone();
        distinct.dedup();
        let place = match distinct.as_slice() {
            [one] => display_path(one),
            many => plural(many.len(), "file"),
        };
        out.push_str(&format!(
            "Skipped {} in {place}: {reason}.\n",
            plural(statements, "statement")
        ));
    }
    if report.sql_found == 0 && report.source_files > 0 {
        out.push_str(&no_sql_warning(report.source_files));
    }
    out
}

/// The warning for a run that found no SQL in its source files.
pub fn no_sql_warning(files: usize) -> String {
    format!(
        "warning: no SQL found in {}. Recognised: sql`...` tags (postgres.js, @vercel/postgres, \
         neon(), slonik, drizzle, kysely, pgtyped), Prisma $queryRaw/$executeRaw, the first \
         argument of .query/.execute/.one/.many/... (pg, pg-promise) and sqlx/postgres/\
         tokio-postgres calls in Rust. If your code sends SQL another way, name the tag or \
         function in schemalint.toml: [sources] tags = [\"db\"], functions = [\"run\"].\n",
        plural(files, "source file")
    )
}

/// `check --list-unchecked`: every statement not checked in full, with where and why.
pub fn unchecked_list(report: &Report) -> String {
    let mut out = String::new();
    for u in &report.unchecked {
        out.push_str(&format!(
            "{}:{}:{}: {}: {}\n",
            display_path(&u.file),
            u.line,
            u.column,
            u.status.describe(),
            u.reason
        ));
    }
    if report.unchecked.is_empty() {
        // SQL under no config, a file that could not be read: not checked at all, and the
        // tool errors say where; "every statement was checked" would be untrue.
        out.push_str(if report.is_incomplete() {
            "No statement found was checked in part; the errors name what was not read at all.\n"
        } else {
            "Every statement found was checked in full.\n"
        });
    }
    out
}

fn to_miette(d: &Diagnostic, (start, len): (usize, usize)) -> MietteDiagnostic {
    let severity = match d.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    };
    let mut label = d
        .label
        .as_deref()
        .map(|l| escape_terminal(l, false).into_owned());
    if d.origin == Origin::Database {
        label = Some(format!(
            "{} (reported by the database)",
            label.as_deref().unwrap_or("here")
        ));
    }
    let span = LabeledSpan::new(label, start, len.max(1));
    let mut m = MietteDiagnostic::new(escape_terminal(&d.message, true))
        .with_code(d.rule)
        .with_severity(severity)
        .with_label(span);
    if let Some(help) = &d.help {
        m = m.with_help(escape_terminal(help, true));
    }
    m
}

/// The lines miette draws for one finding: the finding's lines with [`CONTEXT_LINES`] around
/// them, each longer than [`MAX_LINE`] clipped (`…` marks the cut), control characters
/// escaped and lone `\r` shown as line breaks. The label's span is in the snippet's own
/// offsets; line numbers and the header's `line:col` are the file's.
struct Snippet {
    source: SnippetSource,
    /// (offset, length) of the finding in `source.text`.
    label: (usize, usize),
}

struct SnippetSource {
    name: String,
    text: String,
    /// 0-based file line of the snippet's first line.
    first_line: usize,
    /// Where the label starts in `text`, and its 0-based file (line, column) for the header.
    label_start: usize,
    label_position: (usize, usize),
}

impl Snippet {
    fn new(index: &TextIndex<'_>, start: u32, end: u32, name: String) -> Snippet {
        let text = index.text;
        let start = index.clamp(start);
        let mut end = index.clamp(end).max(start);
        let (line, col) = index.line_col(start as u32);
        let first = index.line_of(start as u32);
        let mut last = index.line_of(end as u32);
        // A finding over many lines, or over long ones, is shown on its first line only.
        if last > first
            && (last - first > 40 || (first..=last).any(|l| index.line_range(l).0.len() > MAX_LINE))
        {
            last = first;
            end = end.min(index.line_range(first).0.end).max(start);
        }
        let from = first.saturating_sub(CONTEXT_LINES);
        // One line more than miette shows, so that it sees where the last context line ends
        // exactly as it would in the whole file.
        let to = (last + CONTEXT_LINES + 1).min(index.line_count() - 1);
        let mut out = String::new();
        let (mut label_start, mut label_end) = (None, None);
        for l in from..=to {
            let (body, next) = index.line_range(l);
            let (lo, hi) = if body.len() <= MAX_LINE {
                (body.start, body.end)
            } else if l == first {
                clip_around(text, body.clone(), start)
            } else {
                (body.start, floor_boundary(text, body.start + MAX_LINE))
            };
            if lo > body.start {
                out.push('…');
            }
            // The finding's ends, moved into the part of the line that is shown.
            let s_at = (l == first).then(|| start.clamp(lo, hi));
            let e_at = (l == last).then(|| end.clamp(lo, hi));
            for (i, c) in text[lo..hi].char_indices() {
                if s_at == Some(lo + i) {
                    label_start.get_or_insert(out.len());
                }
                if e_at == Some(lo + i) {
                    label_end.get_or_insert(out.len());
                }
                push_escaped(&mut out, c, false);
            }
            if s_at == Some(hi) {
                label_start.get_or_insert(out.len());
            }
            if e_at == Some(hi) {
                label_end.get_or_insert(out.len());
            }
            if hi < body.end {
                out.push('…');
            }
            // Line endings are kept as they are (`\r\n` stays, miette reads it as one); a lone
            // `\r` becomes `\n`, which miette would otherwise draw on the same line.
            match &text[body.end..next] {
                "\r" => out.push('\n'),
                ending => out.push_str(ending),
            }
        }
        let label_start = label_start.unwrap_or(out.len());
        let label_end = label_end.unwrap_or(label_start).max(label_start);
        Snippet {
            source: SnippetSource {
                name,
                text: out,
                first_line: from,
                label_start,
                label_position: (line as usize - 1, col as usize - 1),
            },
            label: (label_start, label_end - label_start),
        }
    }
}

/// Byte range of a long line to show: from up to [`CLIP_BEFORE`] characters before `start`,
/// at most [`MAX_LINE`] bytes, with the character at `start` always inside.
fn clip_around(text: &str, body: std::ops::Range<usize>, start: usize) -> (usize, usize) {
    let start = start.min(body.end);
    let lo = text[body.start..start]
        .char_indices()
        .rev()
        .nth(CLIP_BEFORE - 1)
        .map_or(body.start, |(i, _)| body.start + i);
    let first_char = text[start..body.end]
        .chars()
        .next()
        .map_or(0, char::len_utf8);
    let hi = floor_boundary(text, (lo + MAX_LINE).min(body.end)).max(start + first_char);
    (lo, hi)
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

impl SourceCode for SnippetSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.as_str().read_span(span, before, after)?;
        let (line, column) = if span.offset() == self.label_start && before == 0 && after == 0 {
            self.label_position
        } else {
            (self.first_line + inner.line(), inner.column())
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            line,
            column,
            inner.line_count(),
        )))
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

pub(crate) fn summary(report: &Report) -> String {
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    let infos = report.count(Severity::Info);
    let against = report
        .schema_source
        .as_ref()
        .map(|s| format!(" against {s}"))
        .unwrap_or_default();
    let scanned = format!(
        "{} in {} checked{against}",
        plural(report.statements_checked, "statement"),
        plural(report.files_scanned, "file")
    );
    let incomplete = report.is_incomplete();
    if errors + warnings + infos == 0 && !incomplete {
        return format!("No problems found ({scanned}).\n");
    }
    if incomplete {
        let n = report.file_errors.len() + report.run_errors.len();
        return format!(
            "Not everything could be checked: {} (on stderr); found {} ({scanned}).\n",
            plural(n, "tool error"),
            [
                plural(errors, "error"),
                plural(warnings, "warning"),
                plural(infos, "note")
            ]
            .join(", ")
        );
    }
    let mut parts = vec![plural(errors, "error"), plural(warnings, "warning")];
    if infos > 0 {
        parts.push(plural(infos, "note"));
    }
    format!("Found {} ({scanned}).\n", parts.join(", "))
}

fn verified(report: &Report) -> String {
    let Some(v) = report.verified else {
        return String::new();
    };
    let mut line = format!(
        "Asked the database to prepare {}: it refused {}",
        plural(v.statements, "statement"),
        v.refused
    );
    if v.already_reported > 0 {
        line.push_str(&format!(
            " ({} already reported by the static checks)",
            v.already_reported
        ));
    }
    line.push('.');
    if v.overruled > 0 {
        line.push_str(&format!(
            " {} overruled by the database.",
            plural(v.overruled, "static finding")
        ));
    }
    if v.drift > 0 {
        line.push_str(&format!(
            " {} where the schema files and the database disagree.",
            plural(v.drift, "finding")
        ));
    }
    let not_verified = v.locked + v.timed_out + v.not_sent + v.unanswered;
    if not_verified > 0 {
        line.push_str(&format!(
            " Could not verify {}.",
            plural(not_verified, "statement")
        ));
    }
    line.push('\n');
    line
}
