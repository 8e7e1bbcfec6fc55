use super::*;

/// A token as both lexers report it: what it is, its text, its line (1-based) and column
/// (0-based, in characters, as proc-macro2 counts).
#[derive(Debug, PartialEq)]
enum Flat {
    Open(char, usize, usize),
    Close(char),
    Ident(String, usize, usize),
    Punct(char, bool, usize, usize),
    Literal(String, usize, usize),
}

/// Line starts, to turn byte offsets into proc-macro2's line and column.
struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text, starts }
    }

    fn line_column(&self, offset: u32) -> (usize, usize) {
        let offset = offset as usize;
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        (line, self.text[start..offset].chars().count())
    }

    /// The text from a proc-macro2 position on.
    fn at(&self, line: usize, column: usize) -> &'t str {
        let start = self.starts[line - 1];
        let skip: usize = self.text[start..]
            .chars()
            .take(column)
            .map(char::len_utf8)
            .sum();
        &self.text[start + skip..]
    }
}

fn open_close(d: Delimiter) -> (char, char) {
    match d {
        Delimiter::Parenthesis => ('(', ')'),
        Delimiter::Brace => ('{', '}'),
        Delimiter::Bracket => ('[', ']'),
    }
}

fn flatten_ours(lines: &Lines, tokens: &[TokenTree], out: &mut Vec<Flat>) {
    for t in tokens {
        let (line, col) = lines.line_column(t.start());
        match t {
            TokenTree::Group(g) => {
                let (o, c) = open_close(g.delimiter());
                out.push(Flat::Open(o, line, col));
                flatten_ours(lines, g.tokens(), out);
                out.push(Flat::Close(c));
            }
            TokenTree::Ident(i) => out.push(Flat::Ident(i.to_string(), line, col)),
            TokenTree::Punct(p) => out.push(Flat::Punct(
                p.as_char(),
                p.spacing() == Spacing::Joint,
                line,
                col,
            )),
            TokenTree::Literal(l) => out.push(Flat::Literal(l.to_string(), line, col)),
        }
    }
}

/// proc-macro2's tokens, without the `#[doc = ".."]` it makes of doc comments (every token
/// of one has the comment's span).
fn flatten_theirs(lines: &Lines, stream: proc_macro2::TokenStream, out: &mut Vec<Flat>) {
    for t in stream {
        let start = t.span().start();
        let at = lines.at(start.line, start.column);
        if at.starts_with("//") || at.starts_with("/*") {
            continue;
        }
        let (line, col) = (start.line, start.column);
        match t {
            proc_macro2::TokenTree::Group(g) => {
                let (o, c) = match g.delimiter() {
                    proc_macro2::Delimiter::Parenthesis => ('(', ')'),
                    proc_macro2::Delimiter::Brace => ('{', '}'),
                    proc_macro2::Delimiter::Bracket => ('[', ']'),
                    proc_macro2::Delimiter::None => ('∅', '∅'),
                };
                out.push(Flat::Open(o, line, col));
                flatten_theirs(lines, g.stream(), out);
                out.push(Flat::Close(c));
            }
            proc_macro2::TokenTree::Ident(i) => out.push(Flat::Ident(i.to_string(), line, col)),
            proc_macro2::TokenTree::Punct(p) => out.push(Flat::Punct(
                p.as_char(),
                p.spacing() == proc_macro2::Spacing::Joint,
                line,
                col,
            )),
            proc_macro2::TokenTree::Literal(l) => out.push(Flat::Literal(l.to_string(), line, col)),
        }
    }
}

fn assert_same_as_proc_macro2(text: &str, what: &str) {
    let theirs: proc_macro2::TokenStream = text.parse().expect(what);
    let lines = Lines::new(text);
    let mut want = Vec::new();
    flatten_theirs(&lines, theirs, &mut want);
    let ours = parse(text).unwrap_or_else(|e| panic!("{what}: {e}"));
    let mut got = Vec::new();
    flatten_ours(&lines, &ours, &mut got);
    if let Some(k) = (0..want.len().max(got.len())).find(|&k| want.get(k) != got.get(k)) {
        panic!(
            "{what}: token {k} differs: proc-macro2 {:?}, ours {:?}",
            want.get(k),
            got.get(k)
        );
    }
}

/// Every Rust file of this repository (the scanner itself, the tests, the examples: raw
/// strings, lifetimes, char literals, nested comments), token for token.
#[test]
fn same_tokens_as_proc_macro2_on_this_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "tests", "examples"] {
        collect_rust(&root.join(dir), &mut files);
    }
    assert!(files.len() > 50, "found only {} files", files.len());
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        assert_same_as_proc_macro2(&text, &f.display().to_string());
        // proc-macro2 keeps every text it lexed until told otherwise.
        proc_macro2::extra::invalidate_current_thread_spans();
    }
}

use std::path::{Path, PathBuf};

fn collect_rust(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_rust(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn literal_forms_and_lifetimes_match_proc_macro2() {
    let text = r####"
fn f<'a>(x: &'a str) -> &'static str {
    let a = 'x'; let b = '\n'; let c = '\u{1F600}'; let d = 'é'; let e = b'\'';
    let s = "a \" b \\"; let r = r"raw \ text"; let h = r#"has "quotes""#;
    let hh = r##"a "# b"##; let bs = b"bytes\x00"; let br = br#"x"#;
    let n = (1, 1_000u64, 0x1F, 0b1010, 1.5, 2.5e-3f64, 1e9, 3usize-1, 1..2, 1.0..2.0);
    let t = pair.0.1; let m = 1.max(2); let raw = r#type;
    /* a /* nested */ comment */ 'outer: loop { break 'outer; }
    x += 1; y <<= 2; z = a::<b>::c; w => ..=; // trailing
    let é = "ünïcode"; x /*c*/ / y; a=/*c*/b;
}
"####;
    assert_same_as_proc_macro2(text, "the sample");
}

#[test]
fn offsets_are_bytes_in_the_file() {
    let text = "let é = \"SELECT 1\";";
    let tokens = parse(text).unwrap();
    let TokenTree::Literal(l) = &tokens[3] else {
        panic!("{tokens:?}")
    };
    assert_eq!(l.as_str(), "\"SELECT 1\"");
    assert_eq!(
        &text[l.start() as usize..tokens[3].end() as usize],
        l.as_str()
    );
    let bom = parse("\u{feff}fn f() {}").unwrap();
    assert_eq!(bom[0].start(), 3);
    let group = parse("f(a, b)").unwrap();
    assert_eq!((group[1].start(), group[1].end()), (1, 7));
}

#[test]
fn what_is_not_rust_tokens_is_an_error_with_its_place() {
    for (text, message, line, column) in [
        ("fn f() { query(\"SELECT 1\" ", "unclosed delimiter", 1, 15),
        (
            "fn f() {\n  x = \"open",
            "unclosed string or character literal",
            2,
            7,
        ),
        ("a ) b", "unexpected closing delimiter", 1, 3),
        ("(a]", "mismatched closing delimiter", 1, 3),
        ("/* never /* closed */", "unclosed block comment", 1, 1),
        ("let r = r#\"no end\"", "unclosed raw string", 1, 9),
        ("a \\ b", "unexpected character", 1, 3),
        ("x = `cmd`", "unexpected character", 1, 5),
    ] {
        let e = parse(text).unwrap_err();
        assert_eq!(
            (e.message, e.line, e.column),
            (message, line, column),
            "{text:?}"
        );
        // proc-macro2 refuses the same texts.
        assert!(
            text.parse::<proc_macro2::TokenStream>().is_err(),
            "{text:?}"
        );
    }
}
