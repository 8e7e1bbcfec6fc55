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
    let start = (d.span.start as usize).min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = text.get(line_start..line_end).unwrap_or_default().trim();
    format!("{:016x}", fnv1a(&[d.rule, display_path, &d.message, line]))
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
}
