//! Suppression comments. `schemalint-ignore-next-line RULE[, RULE] [reason]` in any comment
//! (`//`, `--`, `/* */`, `#`) silences those rules on the next line (the reason may follow
//! `--` or `:`); `schemalint-ignore RULE`
//! silences them in the SQL statement that holds or follows the comment. A suppression that
//! silences nothing is itself reported (`unused-suppression`).

use crate::diagnostic::{Diagnostic, LineIndex, Severity, Span};
use crate::rules::{RuleId, RuleMeta, UnusedSuppression};

const NEXT_LINE: &str = "schemalint-ignore-next-line";
const STATEMENT: &str = "schemalint-ignore";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Scope {
    /// Findings starting on this 1-based line.
    Line(u32),
    /// Findings inside this host byte range.
    Range(Span),
}

#[derive(Debug, Clone)]
struct Suppression {
    /// The directive's position, for the unused finding.
    span: Span,
    rules: Vec<String>,
    scope: Scope,
    used: Vec<bool>,
}

/// Find suppression comments in a host file. `statements` are the host extents of the SQL
/// statements found in it, in order, for statement-scoped suppressions.
fn parse(text: &str, statements: &[Span]) -> Vec<Suppression> {
    let index = LineIndex::new(text);
    let mut out = Vec::new();
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        if let Some(at) = line.find(STATEMENT) {
            let before = &line[..at];
            let is_comment = ["//", "--", "/*", "#"].iter().any(|m| before.contains(m));
            if is_comment {
                let next_line = line[at..].starts_with(NEXT_LINE);
                let directive_len = if next_line {
                    NEXT_LINE.len()
                } else {
                    STATEMENT.len()
                };
                let rest = line[at + directive_len..].trim_end_matches(['\n', '\r']);
                let rest = rest.trim_end_matches("*/");
                let rules = parse_rule_list(rest);
                let start = (offset + at) as u32;
                let span = Span::new(start, start + directive_len as u32);
                let scope = if next_line {
                    Scope::Line(index.line_col(text, start).0 + 1)
                } else {
                    // The statement holding the comment, else the next one.
                    let held = statements
                        .iter()
                        .find(|s| s.end > start)
                        .copied()
                        .unwrap_or(Span::new(start, start));
                    Scope::Range(Span::new(start.min(held.start), held.end))
                };
                let used = vec![false; rules.len()];
                out.push(Suppression {
                    span,
                    rules,
                    scope,
                    used,
                });
            }
        }
        offset += line.len();
    }
    out
}

/// `unknown-column, banned-table because ...` → the rule names before the free-text reason.
/// The reason may also follow `--` (the eslint habit: `unknown-column -- migrated in #123`) or
/// a colon (`unknown-column: migrated`); neither is a rule name.
fn parse_rule_list(rest: &str) -> Vec<String> {
    let mut rules = Vec::new();
    for word in rest.split([',', ' ', '\t']).filter(|w| !w.is_empty()) {
        // `unknown-column:` or `unknown-column:reason`: the rule, then the reason.
        let (word, reason_follows) = match word.split_once(':') {
            Some((rule, _)) => (rule, true),
            None => (word, false),
        };
        if is_rule_like(word) {
            rules.push(word.to_string());
        } else if !word.is_empty() {
            break;
        }
        if reason_follows {
            break;
        }
    }
    rules
}

/// A known rule name, or a kebab-case word that is meant as one (reported as unknown later):
/// it starts with a letter, so `--` is not.
fn is_rule_like(word: &str) -> bool {
    RuleId::ALL.iter().any(|r| r.name() == word)
        || word.starts_with(|c: char| c.is_ascii_lowercase())
            && word.contains('-')
            && word.chars().all(|c| c.is_ascii_lowercase() || c == '-')
}

/// Whether the text may hold a suppression comment (a cheap scan).
pub fn mentioned(text: &str) -> bool {
    // Every file is searched, most hold no SQL: memmem's prebuilt SIMD searcher (on the 1M
    // bench tree 14.7M instructions against 18.2M for `str::contains`).
    static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(STATEMENT));
    FINDER.find(text.as_bytes()).is_some()
}

/// Drop suppressed findings, and report suppressions that matched nothing or name no rule.
/// Suppressions of the rules in `not_run` (`database-error` without `--verify`) are never
/// called unused: this run could not have found what they silence.
pub fn apply(
    text: &str,
    statements: &[Span],
    diagnostics: &mut Vec<Diagnostic>,
    unused_severity: Option<Severity>,
    not_run: &[&str],
) {
    // Nothing to silence and none to call unused (`report` runs no rule): no need to look.
    if (diagnostics.is_empty() && unused_severity.is_none()) || !mentioned(text) {
        return;
    }
    let mut suppressions = parse(text, statements);
    if suppressions.is_empty() {
        return;
    }
    let index = LineIndex::new(text);
    diagnostics.retain(|d| {
        let line = index.line_col(text, d.span.start).0;
        let mut keep = true;
        for s in &mut suppressions {
            let in_scope = match s.scope {
                Scope::Line(l) => l == line,
                Scope::Range(r) => d.span.start >= r.start && d.span.start < r.end.max(r.start + 1),
            };
            if !in_scope {
                continue;
            }
            if let Some(i) = s.rules.iter().position(|r| r == d.rule) {
                s.used[i] = true;
                keep = false;
            }
        }
        keep
    });
    let Some(severity) = unused_severity else {
        return;
    };
    for s in &suppressions {
        let message = if s.rules.is_empty() {
            Some("suppression names no rule".to_string())
        } else if let Some(unknown) = s.rules.iter().find(|r| r.parse::<RuleId>().is_err()) {
            Some(format!("suppression names unknown rule `{unknown}`"))
        } else {
            let unused: Vec<&str> = s
                .rules
                .iter()
                .zip(&s.used)
                .filter(|(r, u)| !**u && !not_run.contains(&r.as_str()))
                .map(|(r, _)| r.as_str())
                .collect();
            (!unused.is_empty()).then(|| format!("unused suppression of `{}`", unused.join("`, `")))
        };
        if let Some(message) = message {
            diagnostics.push(
                Diagnostic::new(UnusedSuppression::NAME, severity, message, s.span)
                    .with_label("suppresses nothing here")
                    .with_help(Some(
                        "remove it, or name the rule the finding reports".into(),
                    )),
            );
        }
    }
}

/// A comment to insert at `at` (a line start) so that the findings it names are silenced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insertion {
    pub at: usize,
    pub line: String,
}

/// The reason placeholder `--add-suppressions` writes: a suppression says why it is right.
pub const REASON_PLACEHOLDER: &str = "TODO: say why this is correct";

/// Where to put suppression comments for `findings` (host span and rule name) in a file, for
/// `check --add-suppressions` (ruff's `--add-noqa`). A finding inside a statement gets a
/// `schemalint-ignore RULE` line above the line the statement starts on, at that line's
/// indentation (so a comment never lands inside a multi-line string); other findings get a
/// `schemalint-ignore-next-line RULE` above their own line. `comment` is the file's line
/// comment (`//`, `--`). Findings that cannot be placed unambiguously (another statement ends
/// on the line the comment would silence) are returned by index, to be reported instead.
/// The findings in `by_line` get the `-next-line` form above their own line, even where that
/// line starts between the pieces of a statement built from several strings: the caller
/// verifies that the SQL did not change.
pub fn plan_insertions(
    text: &str,
    statements: &[Span],
    findings: &[(Span, &str)],
    comment: &str,
    by_line: &[usize],
) -> (Vec<Insertion>, Vec<usize>) {
    use std::collections::BTreeMap;
    let line_start = |offset: u32| {
        let at = (offset as usize).min(text.len());
        text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1)
    };
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    // (line start, statement scope?) -> rule names
    let mut wanted: BTreeMap<(usize, bool), Vec<&str>> = BTreeMap::new();
    let mut unplaced = Vec::new();
    for (i, (span, rule)) in findings.iter().enumerate() {
        if by_line.contains(&i) {
            let rules = wanted.entry((line_start(span.start), false)).or_default();
            if !rules.contains(rule) {
                rules.push(rule);
            }
            continue;
        }
        let held = statements
            .iter()
            .find(|s| s.start <= span.start && span.start < s.end.max(s.start + 1));
        let (mut anchor, mut statement) = match held {
            Some(s) => (s.start, true),
            None => (span.start, false),
        };
        let mut at = line_start(anchor);
        // The directive binds to the first statement ending after it: another statement
        // ending between the line start and this one would take it. A finding on the line
        // the statement starts on is then silenced by line instead.
        let ambiguous = statement
            && statements
                .iter()
                .any(|s| s.start < anchor && s.end as usize > at && s.end <= anchor);
        if ambiguous && line_start(span.start) == at {
            (anchor, statement) = (span.start, false);
            at = line_start(anchor);
        }
        let ambiguous = ambiguous && statement;
        // A comment at a line start inside another statement's text would change that SQL.
        let inside = statements
            .iter()
            .any(|s| (s.start as usize) < at && at < s.end as usize);
        if ambiguous || inside {
            unplaced.push(i);
            continue;
        }
        let rules = wanted.entry((at, statement)).or_default();
        if !rules.contains(rule) {
            rules.push(rule);
        }
    }
    let insertions = wanted
        .into_iter()
        .map(|((at, statement), mut rules)| {
            rules.sort_unstable();
            let indent: String = text[at..]
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect();
            let directive = if statement { STATEMENT } else { NEXT_LINE };
            Insertion {
                at,
                line: format!(
                    "{indent}{comment} {directive} {} -- {REASON_PLACEHOLDER}{newline}",
                    rules.join(", ")
                ),
            }
        })
        .collect();
    (insertions, unplaced)
}

/// `text` with the insertions made (at distinct line starts, in any order).
pub fn insert(text: &str, insertions: &[Insertion]) -> String {
    let mut sorted: Vec<&Insertion> = insertions.iter().collect();
    sorted.sort_by_key(|i| i.at);
    let mut out =
        String::with_capacity(text.len() + sorted.iter().map(|i| i.line.len()).sum::<usize>());
    let mut from = 0;
    for i in sorted {
        out.push_str(&text[from..i.at]);
        out.push_str(&i.line);
        from = i.at;
    }
    out.push_str(&text[from..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(rule: &'static str, at: u32) -> Diagnostic {
        Diagnostic::new(rule, Severity::Error, "m", Span::new(at, at + 1))
    }

    #[test]
    fn next_line_suppresses_only_the_named_rule_on_the_next_line() {
        let text = "// schemalint-ignore-next-line unknown-column legacy code\nsql`SELECT x FROM t`;\nsql`SELECT y FROM t`;\n";
        let x = text.find("SELECT x").unwrap() as u32 + 7;
        let y = text.find("SELECT y").unwrap() as u32 + 7;
        let mut ds = vec![
            diag("unknown-column", x),
            diag("unknown-table", x + 7),
            diag("unknown-column", y),
        ];
        apply(text, &[], &mut ds, Some(Severity::Warning), &[]);
        let rules: Vec<_> = ds.iter().map(|d| (d.rule, d.span.start)).collect();
        assert_eq!(rules, [("unknown-table", x + 7), ("unknown-column", y)]);
    }

    #[test]
    fn statement_scope_in_sql_and_unused_reporting() {
        let text = "-- schemalint-ignore unknown-table\nSELECT 1\nFROM nope;\n-- schemalint-ignore ambiguous-column\nSELECT 2;\n";
        let first = Span::new(35, text.find(';').unwrap() as u32);
        let second_start = text.rfind("SELECT 2").unwrap() as u32;
        let second = Span::new(second_start, second_start + 8);
        let nope = text.find("nope").unwrap() as u32;
        let mut ds = vec![diag("unknown-table", nope)];
        apply(
            text,
            &[first, second],
            &mut ds,
            Some(Severity::Warning),
            &[],
        );
        assert_eq!(ds.len(), 1);
        assert_eq!(ds[0].rule, "unused-suppression");
        assert!(
            ds[0].message.contains("ambiguous-column"),
            "{}",
            ds[0].message
        );
    }

    #[test]
    fn unknown_rule_and_missing_rule_are_reported() {
        let text =
            "-- schemalint-ignore unknown-colum\nSELECT 1;\n-- schemalint-ignore\nSELECT 2;\n";
        let mut ds = Vec::new();
        apply(text, &[], &mut ds, Some(Severity::Warning), &[]);
        let messages: Vec<_> = ds.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "suppression names unknown rule `unknown-colum`",
                "suppression names no rule"
            ]
        );
    }

    #[test]
    fn reason_after_double_dash_or_colon_is_not_a_rule() {
        for directive in [
            "unknown-column -- migrated in PR #123",
            "unknown-column --migrated",
            "unknown-column: migrated in PR #123",
            "unknown-column:migrated",
            "unknown-column : migrated",
            "unknown-column, banned-table -- both",
        ] {
            let text =
                format!("// schemalint-ignore-next-line {directive}\nsql`SELECT x FROM t`;\n");
            let x = text.find("SELECT x").unwrap() as u32 + 7;
            let mut ds = vec![diag("unknown-column", x)];
            apply(&text, &[], &mut ds, Some(Severity::Warning), &[]);
            let left: Vec<_> = ds.iter().map(|d| d.message.as_str()).collect();
            let expected: &[&str] = if directive.contains("banned-table") {
                &["unused suppression of `banned-table`"]
            } else {
                &[]
            };
            assert_eq!(left, expected, "{directive}");
        }
    }

    #[test]
    fn text_outside_comments_is_not_a_suppression() {
        let text = "const s = 'schemalint-ignore unknown-table';\n";
        let mut ds = vec![];
        apply(text, &[], &mut ds, Some(Severity::Warning), &[]);
        assert!(ds.is_empty());
    }
}
