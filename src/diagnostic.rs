//! Findings as plain data: rule, severity, message, a byte span in the host file, help, fix.
//! Nothing here knows how a finding is rendered; `render/` does that.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// A byte range in the host file (the `.ts`, `.rs` or `.sql` file the user wrote).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const fn new(start: u32, end: u32) -> Self {
        Self { start, end }
    }

    pub const fn len(self) -> u32 {
        self.end.saturating_sub(self.start)
    }

    pub const fn is_empty(self) -> bool {
        self.end <= self.start
    }

    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// How bad a finding is. The order matters: `fail-on` compares with `>=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// Where a finding comes from: the static checker, or the database server (`--verify`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    #[default]
    Static,
    Database,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// Imperative title: "Replace with `assets`".
    pub title: String,
    pub span: Span,
    pub replacement: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Kebab-case rule name, e.g. `unknown-table`.
    pub rule: &'static str,
    pub severity: Severity,
    /// Lowercase fragment in Postgres's wording: `relation "asset" does not exist`.
    pub message: String,
    /// The file the span points into; filled in by the driver, not by rules.
    pub file: PathBuf,
    pub span: Span,
    /// A few words at the span: "not in schema".
    pub label: Option<String>,
    /// What to do: "did you mean `assets`?".
    pub help: Option<String>,
    pub fix: Option<Fix>,
    pub origin: Origin,
}

impl Diagnostic {
    pub fn new(
        rule: &'static str,
        severity: Severity,
        message: impl Into<String>,
        span: Span,
    ) -> Self {
        Self {
            rule,
            severity,
            message: message.into(),
            file: PathBuf::new(),
            span,
            label: None,
            help: None,
            fix: None,
            origin: Origin::Static,
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    pub fn with_fix(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix;
        self
    }
}

/// Messages are lowercase fragments; parser messages start with a capital ("Expected: ...").
pub fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// 1-based line and column (in characters) of byte offsets in a text, with lines ending at
/// `\n` only: the way sqlparser counts them, so that its token locations map back to offsets
/// ([`LineIndex::offset`]). Positions shown to users come from [`TextIndex`] (or
/// [`LineCursor`]), which also end a
/// line at a lone `\r`, as editors do.
pub struct LineIndex {
    line_starts: Vec<u32>,
    /// `chars_at[k]`: characters before byte `k * CHUNK`, so that a column is found by a
    /// binary search and a scan of at most `CHUNK` bytes, not a scan from the start of its
    /// line (a 200,000-term expression on one line made that quadratic). Empty for an ASCII
    /// text (most code), where characters are bytes and no scan is needed.
    chars_at: Vec<u32>,
    ascii: bool,
}

const CHUNK: usize = 1024;

fn is_char_start(b: u8) -> bool {
    b & 0xC0 != 0x80
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i as u32 + 1));
        let ascii = text.is_ascii();
        let mut chars_at = Vec::new();
        if !ascii {
            chars_at.reserve(text.len() / CHUNK + 2);
            let mut chars = 0u32;
            for chunk in text.as_bytes().chunks(CHUNK) {
                chars_at.push(chars);
                chars += chunk.iter().filter(|&&b| is_char_start(b)).count() as u32;
            }
            if text.len() % CHUNK == 0 {
                chars_at.push(chars);
            }
        }
        Self {
            line_starts,
            chars_at,
            ascii,
        }
    }

    /// Characters before byte `at`.
    fn chars_before(&self, text: &str, at: usize) -> u32 {
        if self.ascii {
            return at as u32;
        }
        let k = at / CHUNK;
        let counted = text.as_bytes()[k * CHUNK..at]
            .iter()
            .filter(|&&b| is_char_start(b))
            .count();
        self.chars_at[k] + counted as u32
    }

    /// 1-based (line, column); the column counts Unicode scalar values, as editors and GitHub do.
    pub fn line_col(&self, text: &str, offset: u32) -> (u32, u32) {
        let offset = offset.min(text.len() as u32);
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line] as usize;
        let mut end = offset as usize;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        // Most lines are short: count their characters directly rather than from two
        // checkpoints up to `CHUNK` bytes back each.
        let col = if self.ascii {
            (end - start) as u32 + 1
        } else if end - start <= CHUNK {
            text.as_bytes()[start..end]
                .iter()
                .map(|&b| u32::from(is_char_start(b)))
                .sum::<u32>()
                + 1
        } else {
            self.chars_before(text, end) - self.chars_before(text, start) + 1
        };
        (line as u32 + 1, col)
    }

    /// Byte offset of a 1-based (line, column-in-chars) position; clamps to the line (the
    /// position of its `\n`) and to the text.
    pub fn offset(&self, text: &str, line: u32, column: u32) -> u32 {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1) as usize) else {
            return text.len() as u32;
        };
        let line_end = self
            .line_starts
            .get(line as usize)
            .map_or(text.len(), |&next| next as usize - 1);
        let skip = column.saturating_sub(1);
        if self.ascii {
            return (start as usize).saturating_add(skip as usize).min(line_end) as u32;
        }
        let target = self.chars_before(text, start as usize).saturating_add(skip);
        // The last checkpoint at or before the wanted character, then a short scan.
        let k = self
            .chars_at
            .partition_point(|&c| c <= target)
            .saturating_sub(1);
        let bytes = text.as_bytes();
        let mut chars = self.chars_at[k];
        let mut at = (k * CHUNK).max(start as usize);
        if at > k * CHUNK {
            chars = self.chars_before(text, at);
        }
        while at < line_end {
            if is_char_start(bytes[at]) {
                if chars == target {
                    break;
                }
                chars += 1;
            }
            at += 1;
        }
        // `at` may have stopped inside a character only at the line's end (a char boundary).
        at.min(line_end) as u32
    }
}

/// [`TextIndex::line_col`] (lines as editors count them) for offsets asked mostly in
/// increasing order (the table uses and unchecked statements of a file, in source order): it
/// counts the lines and characters between the offset asked last and this one, so a file is
/// read once up to its last offset instead of having every line indexed. Asked for an earlier
/// offset, it builds the index and answers from it thereafter.
pub struct LineCursor<'a> {
    text: &'a str,
    /// The byte offset last asked (on a char boundary), its 0-based line, where that line
    /// starts, and the characters between the two.
    at: usize,
    line: u32,
    line_start: usize,
    chars: u32,
    index: Option<TextIndex<'a>>,
}

impl<'a> LineCursor<'a> {
    pub fn new(text: &'a str) -> Self {
        LineCursor {
            text,
            at: 0,
            line: 0,
            line_start: 0,
            chars: 0,
            index: None,
        }
    }

    /// 1-based (line, column) of a byte offset; the column counts Unicode scalar values.
    pub fn line_col(&mut self, offset: u32) -> (u32, u32) {
        if let Some(index) = &self.index {
            return index.line_col(offset);
        }
        let text = self.text.as_bytes();
        let mut end = (offset as usize).min(text.len());
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        if end < self.at {
            let index = TextIndex::new(self.text);
            let found = index.line_col(offset);
            self.index = Some(index);
            return found;
        }
        // Only the bytes since the last question are read, once: their line ends and whether
        // they hold a `\r` (a lone one ends a line); then whether the last line's bytes are
        // ASCII (characters are bytes).
        let bytes = &text[self.at..end];
        let (newlines, cr) = newlines_and_cr(bytes);
        if cr {
            // `\n`, and a `\r` not followed by `\n`, end a line.
            for (k, &c) in bytes.iter().enumerate() {
                let i = self.at + k;
                if c == b'\n' || (c == b'\r' && text.get(i + 1) != Some(&b'\n')) {
                    self.line += 1;
                    self.line_start = i + 1;
                    self.chars = 0;
                } else if is_char_start(c) {
                    self.chars += 1;
                }
            }
        } else {
            let chars = |b: &[u8]| {
                if b.is_ascii() {
                    b.len() as u32
                } else {
                    count_bytes(b, is_char_start)
                }
            };
            match memchr::memrchr(b'\n', bytes) {
                Some(last) => {
                    self.line += newlines;
                    self.line_start = self.at + last + 1;
                    self.chars = chars(&text[self.line_start..end]);
                }
                None => self.chars += chars(bytes),
            }
        }
        self.at = end;
        (self.line + 1, self.chars + 1)
    }
}

/// How many `\n` the bytes hold, and whether any is a `\r`: in one pass, by blocks that the
/// compiler turns into vector code, the last one padded (byte by byte, the rest of a block
/// cost more than all the blocks before it). On the 1M-line bench tree's 7,897 references,
/// 128-byte blocks cost 4.9M instructions, 64 and 96 bytes 5.2-5.4M, 240 bytes 5.5M.
fn newlines_and_cr(bytes: &[u8]) -> (u32, bool) {
    // Two folds, each of which the compiler turns into vector code.
    let count = |block: &[u8; BLOCK]| {
        let newlines = block.iter().fold(0u8, |n, &b| n + u8::from(b == b'\n'));
        let cr = block.iter().fold(0u8, |cr, &b| cr | u8::from(b == b'\r'));
        (newlines, cr != 0)
    };
    // At most 255 bytes, so that a block's count fits in a byte.
    const BLOCK: usize = 128;
    let mut blocks = bytes.chunks_exact(BLOCK);
    let (mut newlines, mut cr) = (0u32, false);
    for block in &mut blocks {
        let (n, r) = count(block.try_into().expect("a block"));
        newlines += u32::from(n);
        cr |= r;
    }
    let rest = blocks.remainder();
    if !rest.is_empty() {
        let mut last = [0u8; BLOCK];
        last[..rest.len()].copy_from_slice(rest);
        let (n, r) = count(&last);
        newlines += u32::from(n);
        cr |= r;
    }
    (newlines, cr)
}

/// How many bytes satisfy `test`, by blocks of 64 that the compiler turns into vector code.
fn count_bytes(bytes: &[u8], test: impl Fn(u8) -> bool) -> u32 {
    let blocks = bytes.chunks_exact(64);
    let rest = blocks.remainder();
    let mut n = 0u32;
    for block in blocks {
        n += u32::from(block.iter().fold(0u8, |k, &b| k + u8::from(test(b))));
    }
    n + rest.iter().filter(|&&b| test(b)).count() as u32
}

/// 1-based line/column of byte offsets in a file's text, built once per file so that every
/// finding costs a binary search and a bounded count, not a scan from the start of the file
/// (20,000 findings in one file used to take 23 s). Lines end at `\n`, `\r\n` or a lone `\r`
/// (old Mac files), as editors count them; columns count Unicode scalar values.
pub(crate) struct TextIndex<'a> {
    pub text: &'a str,
    /// Byte offset of the start of every line.
    line_starts: Vec<u32>,
    /// `chars_at[k]`: characters before byte `k * CHUNK` (empty for ASCII text, where a
    /// byte is a character).
    chars_at: Vec<u32>,
    ascii: bool,
}

impl<'a> TextIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let b = text.as_bytes();
        if text.is_ascii() {
            let mut line_starts = Vec::with_capacity(b.len() / 32 + 1);
            line_starts.push(0);
            for i in memchr::memchr2_iter(b'\n', b'\r', b) {
                if b[i] == b'\n' || b.get(i + 1) != Some(&b'\n') {
                    line_starts.push(i as u32 + 1);
                }
            }
            return TextIndex {
                text,
                line_starts,
                chars_at: Vec::new(),
                ascii: true,
            };
        }
        let mut line_starts = vec![0];
        let mut chars_at = Vec::with_capacity(b.len() / CHUNK + 2);
        let mut chars = 0u32;
        for (i, &c) in b.iter().enumerate() {
            if i % CHUNK == 0 {
                chars_at.push(chars);
            }
            if !is_continuation(c) {
                chars += 1;
            }
            if c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n')) {
                line_starts.push(i as u32 + 1);
            }
        }
        if b.len() % CHUNK == 0 {
            chars_at.push(chars);
        }
        TextIndex {
            text,
            line_starts,
            chars_at,
            ascii: false,
        }
    }

    /// Characters before byte `at` (a char boundary).
    fn chars_before(&self, at: usize) -> u32 {
        if self.ascii {
            return at as u32;
        }
        let k = at / CHUNK;
        let counted = self.text.as_bytes()[k * CHUNK..at]
            .iter()
            .filter(|&&c| !is_continuation(c))
            .count();
        self.chars_at[k] + counted as u32
    }

    /// `offset` clamped to the text and moved back to a character boundary.
    pub fn clamp(&self, offset: u32) -> usize {
        let mut at = (offset as usize).min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    /// 0-based line holding byte `offset`.
    pub fn line_of(&self, offset: u32) -> usize {
        let at = self.clamp(offset) as u32;
        self.line_starts.partition_point(|&s| s <= at) - 1
    }

    /// 1-based (line, column) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        let at = self.clamp(offset);
        let line = self.line_of(at as u32);
        let start = self.line_starts[line] as usize;
        let col = self.chars_before(at) - self.chars_before(start) + 1;
        (line as u32 + 1, col)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte range of a 0-based line without its line ending, and the range with it.
    pub fn line_range(&self, line: usize) -> (std::ops::Range<usize>, usize) {
        let start = self.line_starts[line] as usize;
        let next = self
            .line_starts
            .get(line + 1)
            .map_or(self.text.len(), |&s| s as usize);
        let body = &self.text.as_bytes()[start..next];
        let ending = if body.ends_with(b"\r\n") {
            2
        } else if body.ends_with(b"\n") || body.ends_with(b"\r") {
            1
        } else {
            0
        };
        (start..next - ending, next)
    }

    /// The text of the line holding byte `offset` (without its line ending), and the
    /// offset's position in it.
    pub fn line_around(&self, offset: u32) -> (&'a str, usize) {
        let at = self.clamp(offset);
        let (range, _) = self.line_range(self.line_of(at as u32));
        let in_line = at.saturating_sub(range.start).min(range.len());
        (&self.text[range], in_line)
    }
}

fn is_continuation(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_is_the_naive_count_on_short_long_and_multibyte_lines() {
        let text = format!(
            "ab\né中\n{}x\n\n{}é\n🦀 z",
            "é".repeat(1500),
            "a".repeat(3000)
        );
        let idx = LineIndex::new(&text);
        for (at, _) in text.char_indices() {
            let before = &text[..at];
            let line = before.matches('\n').count() as u32 + 1;
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let col = text[line_start..at].chars().count() as u32 + 1;
            assert_eq!(idx.line_col(&text, at as u32), (line, col), "at {at}");
        }
    }

    #[test]
    fn the_line_cursor_answers_as_the_text_index_in_any_order() {
        let texts = [
            format!(
                "ab\né中\n{}x\r\n\n{}é\n🦀 z",
                "é".repeat(1500),
                "a".repeat(3000)
            ),
            "a\rb\r\nc\n\rd\r\r\né\r".to_string(),
            "SELECT 1\nFROM t\n".repeat(40),
            // A `\r` after many blocks of plain lines, and in a padded last block.
            format!("{}a\rb\n{}c\r", "SELECT 1\n".repeat(100), "x".repeat(130)),
        ];
        for text in &texts {
            let idx = TextIndex::new(text);
            let offsets: Vec<u32> = (0..=text.len() as u32).collect();
            // In order (every byte, inside characters too; and in strides over many blocks),
            // then with jumps back.
            for stride in [1, 7, 127, 128, 129, 1000] {
                let mut cursor = LineCursor::new(text);
                for &at in offsets.iter().step_by(stride) {
                    assert_eq!(cursor.line_col(at), idx.line_col(at), "at {at} of {text:?}");
                }
            }
            let mut cursor = LineCursor::new(text);
            for &at in offsets
                .iter()
                .step_by(7)
                .chain(offsets.iter().rev().step_by(5))
            {
                assert_eq!(cursor.line_col(at), idx.line_col(at), "at {at} of {text:?}");
            }
            assert_eq!(
                LineCursor::new(text).line_col(1 << 30),
                idx.line_col(1 << 30)
            );
        }
    }

    #[test]
    fn the_text_index_counts_editor_lines_in_ascii_and_other_text() {
        // Lines as editors count them: `\n`, `\r\n` and a lone `\r` each end one.
        fn naive(text: &str, at: usize) -> (u32, u32) {
            let (mut line, mut col) = (1, 1);
            for (i, c) in text[..at].char_indices() {
                // The `\r` of a `\r\n` ends nothing: its `\n` does.
                let ends = c == '\n' || (c == '\r' && !text[i + 1..].starts_with('\n'));
                if ends {
                    (line, col) = (line + 1, 1);
                } else {
                    col += 1;
                }
            }
            (line, col)
        }
        let texts = [
            "a\rb\r\nc\n\rd\r\r\ne\r".to_string(),
            "SELECT 1\r\nFROM t\n\n".repeat(100),
            "x\ré\r\n中\n\r🦀".to_string(),
        ];
        for text in &texts {
            let idx = TextIndex::new(text);
            assert_eq!(idx.ascii, text.is_ascii());
            for (at, _) in text.char_indices() {
                assert_eq!(
                    idx.line_col(at as u32),
                    naive(text, at),
                    "at {at} of {text:?}"
                );
            }
        }
    }

    #[test]
    fn line_col_round_trip_with_multibyte() {
        let text = "ab\nçé x\n";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap() as u32;
        assert_eq!(idx.line_col(text, x), (2, 4));
        assert_eq!(idx.offset(text, 2, 4), x);
        assert_eq!(idx.line_col(text, 0), (1, 1));
    }

    #[test]
    fn ascii_text_takes_the_short_path_with_the_same_answers() {
        let text = "SELECT id\n  FROM users\n\nWHERE x = 1";
        let idx = LineIndex::new(text);
        assert!(idx.ascii && idx.chars_at.is_empty());
        assert_eq!(idx.line_col(text, 0), (1, 1));
        assert_eq!(idx.line_col(text, 12), (2, 3));
        assert_eq!(idx.line_col(text, 23), (3, 1));
        assert_eq!(idx.line_col(text, 99), (4, 12));
        assert_eq!(idx.offset(text, 2, 3), 12);
        // Clamped to the line's `\n`, and to the text.
        assert_eq!(idx.offset(text, 1, 50), 9);
        assert_eq!(idx.offset(text, 4, 50), text.len() as u32);
        assert_eq!(idx.offset(text, 9, 1), text.len() as u32);
        let empty = LineIndex::new("");
        assert_eq!(empty.line_col("", 0), (1, 1));
        assert_eq!(empty.offset("", 1, 1), 0);
    }

    #[test]
    fn offsets_match_a_plain_scan_across_checkpoints() {
        // Lines long enough to cross several checkpoints, with multi-byte characters
        // straddling them.
        let text = format!("{}\n{}\nab", "é".repeat(1500), "x€".repeat(900));
        let idx = LineIndex::new(&text);
        let naive = |line: u32, column: u32| -> u32 {
            let start: usize = text
                .split_inclusive('\n')
                .take(line as usize - 1)
                .map(str::len)
                .sum();
            let rest = &text[start..];
            let mut byte = rest.len();
            for (n, (i, ch)) in rest.char_indices().enumerate() {
                if n == column as usize - 1 || ch == '\n' {
                    byte = i;
                    break;
                }
            }
            (start + byte) as u32
        };
        for line in 1..=3 {
            for column in (1..3000).step_by(7) {
                let o = idx.offset(&text, line, column);
                assert_eq!(o, naive(line, column), "{line}:{column}");
                if column < 1500 && line == 1 || column < 1800 && line == 2 || column <= 2 {
                    assert_eq!(idx.line_col(&text, o), (line, column), "{line}:{column}");
                }
            }
        }
    }
}
