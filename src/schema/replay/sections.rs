//! Migration-tool section markers: which byte ranges of a migration file run when it is
//! applied (the "up" direction). sql-migrate (`-- +migrate Up/Down`), goose (`-- +goose
//! Up/Down`), dbmate (`-- migrate:up/down`). Liquibase `--rollback` lines are SQL comments and
//! need nothing; file-level layouts (`.down.sql`, Flyway `U__`) are `migrations.rs`'s business.

/// The direction a marker line switches to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Up,
    Down,
}

/// The marker on one line, if it is one: `-- +migrate Up`, `--+goose DOWN`, `-- migrate:up
/// transaction:false`.
fn marker(line: &str) -> Option<Direction> {
    let rest = line.trim_start().strip_prefix("--")?.trim_start();
    let word = |s: &str| -> Option<Direction> {
        let w: String = s
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        match w.to_ascii_lowercase().as_str() {
            "up" => Some(Direction::Up),
            "down" => Some(Direction::Down),
            _ => None,
        }
    };
    let lower = rest.to_ascii_lowercase();
    for tool in ["+migrate", "+goose"] {
        if lower.starts_with(tool) {
            let after = &rest[tool.len()..];
            // `+migrate Up` needs a space: `+migrateUp` is not a marker.
            if after.starts_with(char::is_whitespace) {
                return word(after);
            }
            return None;
        }
    }
    if let Some(after) = lower.strip_prefix("migrate:") {
        return word(after);
    }
    None
}

/// The byte ranges of `text` that run on "up". A file without markers runs whole; with
/// markers, only the parts after an Up marker and before the next Down marker (text before the
/// first marker is not run: the tools ignore or reject it).
pub(crate) fn up_ranges(text: &str) -> Vec<(usize, usize)> {
    if is_liquibase(text) {
        return liquibase_ranges(text);
    }
    let mut out = Vec::new();
    let mut seen_marker = false;
    let mut up_start: Option<usize> = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let next = at + line.len();
        if let Some(dir) = marker(line) {
            seen_marker = true;
            match dir {
                Direction::Up => {
                    if up_start.is_none() {
                        up_start = Some(next);
                    }
                }
                Direction::Down => {
                    if let Some(s) = up_start.take() {
                        out.push((s, at));
                    }
                }
            }
        }
        at = next;
    }
    if !seen_marker {
        return vec![(0, text.len())];
    }
    if let Some(s) = up_start {
        out.push((s, text.len()));
    }
    out
}

/// `--liquibase formatted sql` on the first non-blank line.
fn is_liquibase(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .and_then(|l| l.strip_prefix("--"))
        .is_some_and(|l| {
            l.trim_start()
                .eq_ignore_ascii_case("liquibase formatted sql")
        })
}

/// Liquibase formatted SQL: every changeset runs (its `--rollback` lines are comments) except
/// one limited to other databases (`--changeset a:1 dbms:mysql`).
fn liquibase_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut keep = true;
    let mut start = 0;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let next = at + line.len();
        let rest = line.trim_start().strip_prefix("--").map(str::trim_start);
        if let Some(header) = rest.and_then(|r| r.strip_prefix("changeset")) {
            if keep && start < at {
                out.push((start, at));
            }
            keep = header
                .split_whitespace()
                .all(|attr| match attr.strip_prefix("dbms:") {
                    Some(list) => list.split(',').any(|d| {
                        let d = d.trim().to_ascii_lowercase();
                        d == "postgresql" || d == "all"
                    }),
                    None => true,
                });
            start = next;
        }
        at = next;
    }
    if keep && start < text.len() {
        out.push((start, text.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up(text: &str) -> String {
        up_ranges(text).iter().map(|&(s, e)| &text[s..e]).collect()
    }

    #[test]
    fn every_tool_s_down_part_is_left_out() {
        for text in [
            "-- +migrate Up\nCREATE TABLE a (id int);\n-- +migrate Down\nDROP TABLE a;\n",
            "-- +goose Up\n-- +goose StatementBegin\nCREATE TABLE a (id int);\n-- +goose StatementEnd\n\n-- +goose Down\nDROP TABLE a;\n",
            "-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down transaction:false\nDROP TABLE a;\n",
            "--+migrate up\nCREATE TABLE a (id int);\n--  +migrate DOWN\nDROP TABLE a;\n",
        ] {
            let kept = up(text);
            assert!(kept.contains("CREATE TABLE a") && !kept.contains("DROP"), "{text:?} -> {kept:?}");
        }
        // Down first, then Up: only the Up part.
        let text = "-- +migrate Down\nDROP TABLE a;\n-- +migrate Up\nCREATE TABLE a (id int);\n";
        assert_eq!(up(text), "CREATE TABLE a (id int);\n");
        // Liquibase: a changeset for another database is not run.
        let text = "--liquibase formatted sql\n--changeset a:1\nCREATE TABLE a (id int);\n--rollback DROP TABLE a;\n--changeset a:2 dbms:mysql,mariadb\nCREATE TABLE m (id int);\n--changeset a:3 dbms:postgresql\nCREATE TABLE p (id int);\n";
        let kept = up(text);
        assert!(
            kept.contains("TABLE a") && kept.contains("TABLE p") && !kept.contains("TABLE m"),
            "{kept}"
        );
        // No markers: everything; a look-alike comment is not a marker.
        let text = "-- +migrateUp is not a marker\nCREATE TABLE a (id int);\n";
        assert_eq!(up(text), text);
    }
}
