//! Fingerprints: a stable identity for a finding that survives unrelated edits (lines added
//! above it), used by baselines and SARIF `partialFingerprints`.

use crate::diagnostic::Diagnostic;

/// FNV-1a, 64 bits: tiny, stable across platforms and releases (unlike `DefaultHasher`).
fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0xff)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// Identity of a finding: rule, file, message and the trimmed text of the line it is on,
/// but not the line number, so that moving code around leaves it unchanged.
pub fn fingerprint(d: &Diagnostic, display_path: &str, text: &str) -> String {
    let index = crate::diagnostic::TextIndex::new(text);
    fingerprint_line(d, display_path, index.line_around(d.span.start))
}

/// Lines longer than this (minified code, a statement on one line) are represented by the
/// [`LONG_LINE_WINDOW`] bytes on either side of the finding: hashing the whole line for each
/// of its findings would be quadratic (5,000 findings on one line: a minute).
pub const LONG_LINE: usize = 1024;
pub const LONG_LINE_WINDOW: usize = 128;

/// [`fingerprint`] with the finding's line already at hand (renderers and baselines look it
/// up in a per-file index instead of scanning the file per finding): `(line, at)` is the
/// line's text and the finding's byte offset in it.
pub fn fingerprint_line(d: &Diagnostic, display_path: &str, (line, at): (&str, usize)) -> String {
    let key = if line.len() > LONG_LINE {
        let floor = |mut i: usize| {
            i = i.min(line.len());
            while !line.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        &line[floor(at.saturating_sub(LONG_LINE_WINDOW))..floor(at + LONG_LINE_WINDOW)]
    } else {
        line
    };
    format!(
        "{:016x}",
        fnv1a(&[d.rule, display_path, &d.message, key.trim()])
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Severity, Span};

    #[test]
    fn survives_line_shifts_but_not_content_changes() {
        let text = "a\nSELECT x FROM t\n";
        let d = Diagnostic::new("unknown-column", Severity::Error, "m", Span::new(9, 10));
        let shifted = "new line\na\nSELECT x FROM t\n";
        let d2 = Diagnostic::new("unknown-column", Severity::Error, "m", Span::new(18, 19));
        assert_eq!(
            fingerprint(&d, "f.sql", text),
            fingerprint(&d2, "f.sql", shifted)
        );
        let changed = "a\nSELECT x FROM u\n";
        assert_ne!(
            fingerprint(&d, "f.sql", text),
            fingerprint(&d, "f.sql", changed)
        );
        assert_ne!(
            fingerprint(&d, "f.sql", text),
            fingerprint(&d, "g.sql", text)
        );
    }

    #[test]
    fn a_long_line_is_keyed_by_the_text_around_the_finding() {
        let line = format!("{}SELECT x FROM t;{}", "a ".repeat(1000), " b".repeat(1000));
        let at = line.find('x').unwrap() as u32;
        let d = Diagnostic::new(
            "unknown-column",
            Severity::Error,
            "m",
            Span::new(at, at + 1),
        );
        let far_edit = line.replacen("a a", "c c", 1);
        assert_eq!(
            fingerprint(&d, "f.sql", &line),
            fingerprint(&d, "f.sql", &far_edit)
        );
        let near_edit = line.replace("FROM t", "FROM u");
        assert_ne!(
            fingerprint(&d, "f.sql", &line),
            fingerprint(&d, "f.sql", &near_edit)
        );
    }
}
